/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <antragskiosk/answers.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_FIELD (kiosk_field_get_type ())
G_DECLARE_FINAL_TYPE (KioskField, kiosk_field, KIOSK, FIELD, GtkBox)

#define KIOSK_FIELD_NO_INSTANCE G_MAXUINT

/* One question of the wizard: its label, the input widget for its kind,
 * the help text and the place for its error. Typing writes straight into
 * @answers (borrowed); @instance is the repeatable group's instance or
 * KIOSK_FIELD_NO_INSTANCE. Emits "changed" after each answer. */
KioskField         *kiosk_field_new          (KioskAnswers       *answers,
                                              const KioskElement *element,
                                              guint               instance);
const KioskElement *kiosk_field_get_element  (KioskField *self);
guint               kiosk_field_get_instance (KioskField *self);
/* The widget that takes the answer: a GtkEntry, GtkTextView, GtkDropDown,
 * GtkCheckButton, a GtkBox of GtkToggleButtons (radio), or NULL (static). */
GtkWidget          *kiosk_field_get_input    (KioskField *self);
/* Shows @message (NULL: none) next to the field, marks the input invalid
 * and lets screen readers announce it. */
void                kiosk_field_set_error    (KioskField *self, const char *message);
const char         *kiosk_field_get_error    (KioskField *self);
/* Re-evaluates whether the field is asked and shows or hides it. */
void                kiosk_field_update_relevance (KioskField *self, const char *today);
/* Whether the field must be answered now (its "*"); kept up to date for a
 * `required` expression by kiosk_field_update_relevance(). */
gboolean            kiosk_field_get_required (KioskField *self);
/* Empties the input widgets (buffers overwritten first); the answers are
 * not touched. */
void                kiosk_field_wipe         (KioskField *self);
/* Gives the input the keyboard focus. */
void                kiosk_field_focus        (KioskField *self);

G_END_DECLS
