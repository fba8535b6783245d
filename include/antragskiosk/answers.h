/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "form.h"

G_BEGIN_DECLS

/* One visitor's answers to one form: what was typed, validation of the
 * whole set (conditions evaluated, non-relevant answers dropped), and the
 * canonical data JSON that is encrypted and submitted (docs/forms.md).
 * Answers are personal data: they live only in memory, every buffer is
 * overwritten when freed or cleared, and nothing here logs them. */

#define KIOSK_ANSWERS_ERROR (kiosk_answers_error_quark ())
GQuark kiosk_answers_error_quark (void);

typedef enum {
  KIOSK_ANSWERS_ERROR_SYNTAX,     /* the answers file is not JSON */
  KIOSK_ANSWERS_ERROR_STRUCTURE,  /* unknown id, wrong shape (array for a field, …) */
  KIOSK_ANSWERS_ERROR_INVALID,    /* the answers do not validate */
} KioskAnswersError;

typedef struct _KioskAnswers KioskAnswers;

/* One problem with one answer: @path names the answer ("vorname",
 * "personen[2].geburtsdatum", 1-based instance numbers), @message says how
 * to fix it in the current language. */
typedef struct {
  const KioskElement *element;
  char               *path;
  guint              *instances;     /* instance index (0-based) per repeatable ancestor */
  guint               n_instances;
  char               *message;
} KioskAnswerProblem;

void           kiosk_answer_problem_free (KioskAnswerProblem *problem);

/* An empty answer set for @form (each repeatable group with its minimum
 * number of instances). */
KioskAnswers  *kiosk_answers_new         (KioskForm *form);

/* An answer set from JSON text (docs/forms.md "Answers"). Structural
 * problems (unknown ids, a value where a group array belongs) fail with
 * KIOSK_ANSWERS_ERROR_STRUCTURE; values are not validated yet. */
KioskAnswers  *kiosk_answers_new_from_json (KioskForm   *form,
                                            const char  *json,
                                            gssize       length,
                                            GError     **error);

void           kiosk_answers_free        (KioskAnswers *answers);
KioskForm     *kiosk_answers_get_form    (KioskAnswers *answers);

/* Answers one field. @instances names the instance (0-based) of each
 * repeatable group the field is in (at most one: repeatable groups do not
 * nest), @n_instances how many. @value is what was typed; NULL or "" empties
 * the answer. The previous value is overwritten in memory. Returns FALSE
 * when the instance does not exist. */
gboolean       kiosk_answers_set_value   (KioskAnswers       *answers,
                                          const KioskElement *field,
                                          const guint        *instances,
                                          guint               n_instances,
                                          const char         *value);
/* What was typed into @field, or NULL. Borrowed until the next change. */
const char    *kiosk_answers_get_value   (KioskAnswers       *answers,
                                          const KioskElement *field,
                                          const guint        *instances,
                                          guint               n_instances);
/* Instances of the repeatable group @group (starts at its minimum). */
guint          kiosk_answers_count_instances (KioskAnswers       *answers,
                                              const KioskElement *group);
/* Adds an empty instance at the end; FALSE when the maximum is reached. */
gboolean       kiosk_answers_add_instance    (KioskAnswers       *answers,
                                              const KioskElement *group);
/* Removes (and wipes) instance @instance; FALSE when there is none. */
gboolean       kiosk_answers_remove_instance (KioskAnswers       *answers,
                                              const KioskElement *group,
                                              guint               instance);

/* Whether @element is asked in the instance named by @instances (as for
 * kiosk_answers_set_value; for a repeatable group itself, none): its
 * page, groups and own condition evaluated against the current answers,
 * @today ISO or NULL for the real date. For the wizard, which shows and
 * hides fields as answers change. FALSE when the instance does not exist. */
gboolean       kiosk_answers_is_relevant (KioskAnswers       *answers,
                                          const KioskElement *element,
                                          const guint        *instances,
                                          guint               n_instances,
                                          const char         *today);

/* Whether field @element must be answered in the instance named by
 * @instances: `required: true`, or its `required` expression holds for the
 * current answers (e-mail "when no phone number is given"). Says nothing
 * about relevance. For the wizard's "*", AT-SPI and speech. */
gboolean       kiosk_answers_is_required (KioskAnswers       *answers,
                                          const KioskElement *element,
                                          const guint        *instances,
                                          guint               n_instances,
                                          const char         *today);

/* The value of field @element in the instance named by @instances, as the
 * canonical data holds it (kiosk_answers_to_data), as text: "true"/"false",
 * a code, an ISO date, a number with a decimal point (an amount with two
 * decimals), normalised text. NULL when the field is empty or its value is
 * not valid. For showing an answer (display.h); it is personal data: free
 * it with kiosk_display_free(). */
char          *kiosk_answers_get_canonical (KioskAnswers       *answers,
                                            const KioskElement *element,
                                            const guint        *instances,
                                            guint               n_instances,
                                            const char         *today);

/* Empties every answer and overwrites the buffers (the idle wipe). */
void           kiosk_answers_clear       (KioskAnswers *answers);

/* Validates the whole set. @today is ISO "YYYY-MM-DD" or NULL for the real
 * date. Returns TRUE when valid; otherwise FALSE, and @problems (may be
 * NULL) receives a GPtrArray of KioskAnswerProblem*, in form order. */
gboolean       kiosk_answers_validate    (KioskAnswers  *answers,
                                          const char    *today,
                                          GPtrArray    **problems);

/* The canonical data JSON of a valid answer set, newly allocated, @length
 * bytes. It is plaintext personal data: free it with kiosk_secure_free().
 * Fails with KIOSK_ANSWERS_ERROR_INVALID when the set does not validate. */
char          *kiosk_answers_to_data     (KioskAnswers  *answers,
                                          const char    *today,
                                          gsize         *length,
                                          GError       **error);

/* Writes @today into @out when it is not NULL, else today's local date, as
 * ISO "YYYY-MM-DD" (11 bytes with the NUL): the day that date bounds,
 * ages and the applicationDate are measured against. */
void           kiosk_date_today          (const char *today,
                                          char        out[11]);

/* Overwrites @length bytes of @data, then frees it. NULL is ignored. For
 * a NUL-terminated string, @length may be -1. */
void           kiosk_secure_free         (gpointer data, gssize length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskAnswers, kiosk_answers_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskAnswerProblem, kiosk_answer_problem_free)

G_END_DECLS
