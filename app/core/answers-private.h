/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared between the files of the answers module:
 *   answers.c           the answer set: scopes, values, instances
 *   answers-read.c      reading an answers file
 *   answers-validate.c  relevance, values and requirements, scope by scope
 *   answers-derive.c    the canonical value of one field (per kind)
 *   answers-data.c      the canonical data JSON
 *
 * An answer set is a tree of scopes: the root scope holds the answers to
 * every field outside repeatable groups; each instance of a repeatable
 * group is a scope of its own. A scope has one slot per element of the
 * form (indexed by KioskElement.index); only the slots of the elements
 * that belong to it are used. Raw values are what was typed; validation
 * derives the canonical value of each field lazily, because conditions may
 * refer to fields later in the form. */

#include <antragskiosk/answers.h>

#include "form-private.h"

G_BEGIN_DECLS

#define MAX_INSTANCES 100

typedef struct _Scope Scope;

typedef enum {
  STATE_UNKNOWN = 0,
  STATE_BUSY,
  STATE_DONE,
} EvalState;

typedef struct {
  guint8          relevance_state;
  gboolean        relevant;
  guint8          value_state;
  KioskValueType  type;       /* KIOSK_VALUE_NULL when empty or invalid */
  gboolean        boolean;
  double          number;
  char           *string;     /* canonical string value (owned, wiped) */
  char           *error;      /* why the value is invalid (owned) */
} Derived;

struct _Scope {
  Scope              *parent;
  const KioskElement *group;       /* the repeatable group of this instance; NULL for the root */
  guint               n_slots;
  char              **raw;         /* per element: what was typed (owned, wiped) */
  GPtrArray         **instances;   /* per repeatable group element: Scope* */
  Derived            *derived;     /* per element, during a validation run */
};

struct _KioskAnswers {
  KioskForm *form;
  Scope     *root;
};


typedef struct {
  KioskAnswers *answers;
  Scope        *scope;
  const char   *today;
} EvalContext;

/* answers-validate.c: @ctx set up to evaluate in @scope on @today (ISO
 * "YYYY-MM-DD" or NULL: the real date, written into @day), every derived
 * value forgotten first (the answers may have changed since). */
void     _kiosk_answers_begin_eval      (EvalContext *ctx, KioskAnswers *answers, Scope *scope, const char *today,
                                         char day[11]);
/* The same in the scope of @element's instance named by @instances (a
 * repeatable group itself: the root); FALSE when that instance does not
 * exist. The public questions about one element start here. */
gboolean _kiosk_answers_begin_eval_at   (EvalContext *ctx, KioskAnswers *answers, const KioskElement *element,
                                         const guint *instances, guint n_instances, const char *today,
                                         char day[11]);

/* answers.c */
void     _kiosk_answers_secure_str_free (char *s);
Scope   *_kiosk_answers_scope_new       (KioskForm *form, Scope *parent, const KioskElement *group);
/* The scope, from @scope outwards, whose instances hold @element's answers. */
Scope   *_kiosk_answers_owner_scope     (Scope *scope, const KioskElement *element);
void     _kiosk_answers_reset_derived   (Scope *scope);
/* The instance named by @instances (one index per repeatable ancestor of
 * @element), or NULL. */
Scope   *_kiosk_answers_scope_for_path  (KioskAnswers *answers, const KioskElement *element,
                                         const guint *instances, guint n_instances);

/* answers-read.c */
/* The shortest decimal text that reads back as @value ("7.1", not
 * "7.0999999999999996" as "%.17g" writes it). */
void     _kiosk_answers_format_shortest (char *buffer, gsize size, double value);

/* answers-validate.c */
/* Whether @element (in the instance @scope, or an enclosing one) is asked. */
gboolean _kiosk_answers_element_relevant (EvalContext *ctx, Scope *scope, const KioskElement *element);
/* The value of @element as conditions see it: null unless relevant and
 * valid. */
Derived *_kiosk_answers_field_value      (EvalContext *ctx, Scope *scope, const KioskElement *element);
gboolean _kiosk_answers_run_validation   (KioskAnswers *answers, const char *today, GPtrArray **problems_out);

/* answers-derive.c */
/* Checks the typed value of @element against its kind and constraints and
 * stores the canonical value, or the reason it is invalid. */
void     _kiosk_answers_derive_value     (EvalContext *ctx, Scope *scope, const KioskElement *element,
                                          Derived *derived);

G_END_DECLS
