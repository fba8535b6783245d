/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-answers"

/* Validation of an answer set: relevance, values and requirements, scope
 * by scope, evaluated lazily (answers-private.h). */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/answers.h>

#include "answers-private.h"

static void
lookup_cb (const char *name,
           KioskValue *out,
           gpointer    user_data)
{
  EvalContext *ctx = user_data;
  const KioskElement *element = kiosk_form_lookup (ctx->answers->form, name);
  Scope *scope;
  Derived *derived;

  out->type = KIOSK_VALUE_NULL;
  if (element == NULL || !kiosk_kind_is_input (element->kind))
    return;
  scope = _kiosk_answers_owner_scope (ctx->scope, element);
  if (scope == NULL)
    return;
  derived = _kiosk_answers_field_value (ctx, scope, element);
  out->type = derived->type;
  out->boolean = derived->boolean;
  out->number = derived->number;
  out->string = derived->string;
}

static guint
count_cb (const char *name,
          gpointer    user_data)
{
  EvalContext *ctx = user_data;
  const KioskElement *element = kiosk_form_lookup (ctx->answers->form, name);
  Scope *scope;

  if (element == NULL || !kiosk_element_is_repeatable (element))
    return 0;
  scope = _kiosk_answers_owner_scope (ctx->scope, element);
  if (scope == NULL || scope->instances[element->index] == NULL)
    return 0;
  return scope->instances[element->index]->len;
}

static gboolean
eval_in_scope (EvalContext     *ctx,
               Scope           *scope,
               const KioskExpr *expr)
{
  EvalContext inner = *ctx;
  KioskExprEnv env;

  inner.scope = scope;
  env.lookup = lookup_cb;
  env.count = count_cb;
  env.today = ctx->today;
  env.user_data = &inner;
  return kiosk_expr_eval_bool (expr, &env);
}

/* Whether @element (in the instance @scope, or an enclosing one) is asked.
 * A repeatable group's own condition is evaluated outside its instances. */
gboolean
_kiosk_answers_element_relevant (EvalContext        *ctx,
                                 Scope              *scope,
                                 const KioskElement *element)
{
  Scope *owner = _kiosk_answers_owner_scope (scope, element);
  Derived *derived;

  if (owner == NULL)
    return FALSE;
  derived = &owner->derived[element->index];
  if (derived->relevance_state == STATE_DONE)
    return derived->relevant;
  if (derived->relevance_state == STATE_BUSY)
    return FALSE;   /* a circle; the loader rejects those */
  derived->relevance_state = STATE_BUSY;
  derived->relevant = TRUE;
  /* The parent's owner is found from here outwards: for a repeatable
   * group that is the scope around its instances. */
  if (element->parent != NULL)
    derived->relevant = _kiosk_answers_element_relevant (ctx, owner, element->parent);
  if (derived->relevant && element->relevant != NULL)
    derived->relevant = eval_in_scope (ctx, owner, element->relevant);
  derived->relevance_state = STATE_DONE;
  return derived->relevant;
}

/* The value of @element as conditions see it: null unless relevant and
 * valid. */
Derived *
_kiosk_answers_field_value (EvalContext        *ctx,
                            Scope              *scope,
                            const KioskElement *element)
{
  Derived *derived = &scope->derived[element->index];

  if (derived->value_state == STATE_DONE || derived->value_state == STATE_BUSY)
    return derived;
  derived->value_state = STATE_BUSY;
  if (_kiosk_answers_element_relevant (ctx, scope, element))
    _kiosk_answers_derive_value (ctx, scope, element, derived);
  derived->value_state = STATE_DONE;
  return derived;
}

static void
add_problem (GPtrArray          *problems,
             const KioskElement *element,
             Scope              *scope,
             const char         *message)
{
  KioskAnswerProblem *problem = g_new0 (KioskAnswerProblem, 1);
  GString *path = g_string_new (NULL);

  problem->element = element;
  problem->message = g_strdup (message);
  if (scope != NULL && scope->group != NULL)
    {
      GPtrArray *list = scope->parent->instances[scope->group->index];
      guint index = 0;

      for (guint i = 0; i < list->len; i++)
        if (g_ptr_array_index (list, i) == scope)
          index = i;
      problem->instances = g_new (guint, 1);
      problem->instances[0] = index;
      problem->n_instances = 1;
      g_string_append_printf (path, "%s[%u].", scope->group->id, index + 1);
    }
  g_string_append (path, element->id);
  problem->path = g_string_free (path, FALSE);
  g_ptr_array_add (problems, problem);
}

static gboolean
is_required (EvalContext        *ctx,
             Scope              *scope,
             const KioskElement *element)
{
  if (element->required)
    return TRUE;
  return element->required_if != NULL && eval_in_scope (ctx, scope, element->required_if);
}

static void
validate_container (EvalContext        *ctx,
                    Scope              *scope,
                    const KioskElement *container,
                    GPtrArray          *problems)
{
  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *element = g_ptr_array_index (container->children, i);

      if (!_kiosk_answers_element_relevant (ctx, scope, element))
        continue;
      if (kiosk_element_is_repeatable (element))
        {
          GPtrArray *list = scope->instances[element->index];

          if (list->len < element->min_occurs)
            {
              g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                       "Please add at least %u entry.",
                                                                       "Please add at least %u entries.",
                                                                       element->min_occurs),
                                                          element->min_occurs);
              add_problem (problems, element, scope, message);
            }
          else if (list->len > element->max_occurs)
            {
              g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                       "Please enter at most %u entry.",
                                                                       "Please enter at most %u entries.",
                                                                       element->max_occurs),
                                                          element->max_occurs);
              add_problem (problems, element, scope, message);
            }
          for (guint j = 0; j < list->len; j++)
            validate_container (ctx, g_ptr_array_index (list, j), element, problems);
          continue;
        }
      if (element->kind == KIOSK_KIND_GROUP)
        {
          validate_container (ctx, scope, element, problems);
          continue;
        }
      if (!kiosk_kind_is_input (element->kind))
        continue;

      {
        Derived *derived = _kiosk_answers_field_value (ctx, scope, element);
        gboolean empty = scope->raw[element->index] == NULL;

        if (derived->error != NULL)
          add_problem (problems, element, scope, derived->error);
        else if (element->kind == KIOSK_KIND_CHECKBOX && !derived->boolean && is_required (ctx, scope, element))
          add_problem (problems, element, scope, _("Please tick this box to continue."));
        else if (element->kind != KIOSK_KIND_CHECKBOX && (empty || derived->type == KIOSK_VALUE_NULL))
          {
            if (is_required (ctx, scope, element))
              add_problem (problems, element, scope,
                           element->kind == KIOSK_KIND_SELECT || element->kind == KIOSK_KIND_RADIO
                           ? _("Please choose an option.") : _("Please fill in this field."));
          }
        else if (element->constraint != NULL && !eval_in_scope (ctx, scope, element->constraint))
          add_problem (problems, element, scope, kiosk_text_get (element->constraint_message, NULL));
      }
    }
}

void
kiosk_date_today (const char *today, char out[11])
{
  g_autoptr(GDateTime) now = NULL;

  if (today != NULL)
    {
      g_strlcpy (out, today, 11);
      return;
    }
  now = g_date_time_new_now_local ();
  g_snprintf (out, 11, "%04d-%02d-%02d", g_date_time_get_year (now), g_date_time_get_month (now),
              g_date_time_get_day_of_month (now));
}

void
_kiosk_answers_begin_eval (EvalContext *ctx, KioskAnswers *answers, Scope *scope, const char *today, char day[11])
{
  kiosk_date_today (today, day);
  ctx->answers = answers;
  ctx->scope = scope;
  ctx->today = day;
  _kiosk_answers_reset_derived (answers->root);
}

gboolean
_kiosk_answers_begin_eval_at (EvalContext        *ctx,
                              KioskAnswers       *answers,
                              const KioskElement *element,
                              const guint        *instances,
                              guint               n_instances,
                              const char         *today,
                              char                day[11])
{
  Scope *scope = kiosk_element_is_repeatable (element)
                   ? answers->root : _kiosk_answers_scope_for_path (answers, element, instances, n_instances);

  if (scope == NULL)
    return FALSE;
  _kiosk_answers_begin_eval (ctx, answers, scope, today, day);
  return TRUE;
}

gboolean
_kiosk_answers_run_validation (KioskAnswers  *answers,
                               const char    *today,
                               GPtrArray    **problems_out)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_answer_problem_free);
  char day[11];
  EvalContext ctx;

  _kiosk_answers_begin_eval (&ctx, answers, answers->root, today, day);
  for (guint i = 0; i < answers->form->pages->len; i++)
    {
      const KioskElement *page = g_ptr_array_index (answers->form->pages, i);
      if (_kiosk_answers_element_relevant (&ctx, answers->root, page))
        validate_container (&ctx, answers->root, page, problems);
    }
  if (problems_out != NULL)
    *problems_out = g_ptr_array_ref (problems);
  return problems->len == 0;
}

gboolean
kiosk_answers_is_relevant (KioskAnswers       *answers,
                           const KioskElement *element,
                           const guint        *instances,
                           guint               n_instances,
                           const char         *today)
{
  char day[11];
  EvalContext ctx;

  g_return_val_if_fail (answers != NULL && element != NULL, FALSE);
  if (!_kiosk_answers_begin_eval_at (&ctx, answers, element, instances, n_instances, today, day))
    return FALSE;
  return _kiosk_answers_element_relevant (&ctx, ctx.scope, element);
}

gboolean
kiosk_answers_is_required (KioskAnswers       *answers,
                           const KioskElement *element,
                           const guint        *instances,
                           guint               n_instances,
                           const char         *today)
{
  char day[11];
  EvalContext ctx;

  g_return_val_if_fail (answers != NULL && element != NULL, FALSE);
  if (element->required || element->required_if == NULL)
    return element->required;
  if (!_kiosk_answers_begin_eval_at (&ctx, answers, element, instances, n_instances, today, day))
    return FALSE;
  return is_required (&ctx, ctx.scope, element);
}

gboolean
kiosk_answers_validate (KioskAnswers  *answers,
                        const char    *today,
                        GPtrArray    **problems)
{
  return _kiosk_answers_run_validation (answers, today, problems);
}
