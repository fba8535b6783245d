/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* One place for a widget's accessible name and description: what GTK
 * exposes over AT-SPI (to a screen reader) and what the kiosk's own
 * speech says come from the same call, so they cannot drift apart
 * (GTK 4.8 has no getter for accessible properties). */

/* Sets the accessible label of @widget (NULL: resets it). */
void        kiosk_a11y_set_label       (GtkWidget *widget, const char *label);
/* Sets the accessible description of @widget (NULL: resets it). */
void        kiosk_a11y_set_description (GtkWidget *widget, const char *description);
/* The name a screen reader reads for @widget: the label set above, else
 * what GTK derives it from (a button's or check button's label, a
 * label's text), else NULL. */
const char *kiosk_a11y_get_label       (GtkWidget *widget);
/* The description set above, or NULL. */
const char *kiosk_a11y_get_description (GtkWidget *widget);

/* Enter (or a double click) on a child of @flow_box that has the focus
 * itself, as arrow keys leave it, activates the widget in it (a tile, a
 * language, a choice) as on the widget itself. */
void        kiosk_a11y_flow_box_activates (GtkFlowBox *flow_box);

G_END_DECLS
