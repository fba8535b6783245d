/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Not public: the review page of the wizard. */
#pragma once

#include <gtk/gtk.h>
#include <antragskiosk/answers.h>

G_BEGIN_DECLS

/* Appends to @box a label and the value as the visitor reads it for every
 * relevant input of @container (in @instance of its repeatable group, or
 * KIOSK_FIELD_NO_INSTANCE), a heading per instance of a repeatable
 * group, recursively. */
void _kiosk_wizard_review_append (KioskAnswers       *answers,
                                  const char         *today,
                                  GtkWidget          *box,
                                  const KioskElement *container,
                                  guint               instance);

G_END_DECLS
