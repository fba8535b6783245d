/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "answers.h"
#include "config.h"
#include "queue.h"

G_BEGIN_DECLS

/* Everything between "the visitor pressed Submit" and "the receipt may be
 * shown": validate the answers exactly as the form says, build the data
 * JSON and its FIT-Connect metadata (with the public reference as
 * senderReference), encrypt both for the receiving destination's key, and
 * store them durably in the queue. The plaintext never leaves memory and
 * is wiped before this returns. The kiosk and `antragskiosk-ctl submit`
 * both call this; neither speaks SQL or crypto itself. */

#define KIOSK_SUBMISSION_ERROR (kiosk_submission_error_quark ())
GQuark kiosk_submission_error_quark (void);

typedef enum {
  KIOSK_SUBMISSION_ERROR_NO_DESTINATION,  /* no [destination] takes this form */
  KIOSK_SUBMISSION_ERROR_KEY,             /* the destination's key is missing, invalid or expired */
} KioskSubmissionError;

typedef struct _KioskSubmitter KioskSubmitter;

/* A submitter for @config (borrowed) writing into @queue (borrowed, used
 * from the calling thread only). Destination keys are loaded and checked
 * against their trust anchors on first use and kept. */
KioskSubmitter *kiosk_submitter_new          (const KioskConfig *config,
                                              KioskQueue        *queue);
void            kiosk_submitter_free         (KioskSubmitter    *submitter);

/* Whether a summary PDF of the application (as the review page shows
 * it) travels with it as an attachment with purpose "form" (default TRUE:
 * authorities read it as the filed form). */
void            kiosk_submitter_set_summary_pdf (KioskSubmitter *submitter,
                                                 gboolean        enabled);

/* How an assisted application says so: the description of its
 * application document (purpose "form") in the metadata. FIT-Connect
 * metadata 1.x allows a free "description" on every attachment and has
 * no field of its own for this; applications the applicant filled in
 * alone carry no description. */
#define KIOSK_SUBMISSION_DESCRIPTION_ASSISTED \
  "Antrag, am Antragskiosk von Verwaltungspersonal für die antragstellende Person ausgefüllt (assistierter Modus)"

/* Whether the applications submitted from now on were filled in by staff
 * for the applicant (default FALSE). Recorded in the metadata (see
 * above); an assisted application always carries the summary PDF, even
 * when kiosk_submitter_set_summary_pdf() turned it off, since that
 * document is where the record sits. */
void            kiosk_submitter_set_assisted (KioskSubmitter *submitter,
                                              gboolean        assisted);

/* Whether applications for @form_id can be taken now: a destination
 * routes the form and its key is valid today. On FALSE, @error says what
 * is wrong for staff and the log (KIOSK_SUBMISSION_ERROR); the visitor is
 * told only that the form is out of service. */
gboolean        kiosk_submitter_check_form   (KioskSubmitter    *submitter,
                                              const char        *form_id,
                                              GError           **error);

/* Validates @answers (@today ISO or NULL for the real date), encrypts and
 * enqueues them. Returns the public reference once the queue's transaction
 * committed. Invalid answers: NULL, KIOSK_ANSWERS_ERROR_INVALID and the
 * problems in @problems (may be NULL); nothing is stored. Any other
 * failure (no destination, key, disk full…) also stores nothing. */
char           *kiosk_submitter_submit       (KioskSubmitter    *submitter,
                                              KioskAnswers      *answers,
                                              const char        *today,
                                              GPtrArray        **problems,
                                              GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskSubmitter, kiosk_submitter_free)

G_END_DECLS
