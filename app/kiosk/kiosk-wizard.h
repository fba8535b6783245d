/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <antragskiosk/answers.h>
#include <antragskiosk/submission.h>

#include "kiosk-field.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_WIZARD (kiosk_wizard_get_type ())
G_DECLARE_FINAL_TYPE (KioskWizard, kiosk_wizard, KIOSK, WIZARD, GtkBox)

/* One visitor's way through @form: a page per form page (built when first
 * shown), the review, the privacy notice with consent, and the submit
 * through @submitter (borrowed). @today: ISO date or NULL (real date).
 * Signals: "submitted" (the public reference), "cancel-requested",
 * "page-shown" (a form page, the review or the privacy notice is now
 * shown) and "announced" (a message for the whole page, such as the
 * summary of its errors). */
KioskWizard  *kiosk_wizard_new          (KioskForm      *form,
                                         KioskSubmitter *submitter,
                                         const char     *today);
/* Whether every field of the pages shown so far exists: a page shows its
 * first screenful at once and gets the rest over the frames that follow
 * (what needs every field, such as Next, completes it first). */
gboolean      kiosk_wizard_is_built     (KioskWizard *self);
KioskForm    *kiosk_wizard_get_form     (KioskWizard *self);
KioskAnswers *kiosk_wizard_get_answers  (KioskWizard *self);
/* "page:ID", "review" or "consent". */
const char   *kiosk_wizard_get_position (KioskWizard *self);
/* The fields of the page shown (visible ones only), in order. */
GPtrArray    *kiosk_wizard_get_fields   (KioskWizard *self);
/* The add button of repeatable group @group_id on the page shown, or NULL. */
GtkWidget    *kiosk_wizard_get_add_button (KioskWizard *self, const char *group_id);
/* Empties every widget and the answers (idle wipe, cancel). */
void          kiosk_wizard_wipe         (KioskWizard *self);
/* Whether staff fill in for the applicant (the clerk panel's assisted
 * mode): recorded in the submission's metadata. */
void          kiosk_wizard_set_assisted (KioskWizard *self, gboolean assisted);

G_END_DECLS
