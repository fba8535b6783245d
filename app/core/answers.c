/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-answers"

#include "config.h"

#include <string.h>

#include <antragskiosk/answers.h>

#include "answers-private.h"

G_DEFINE_QUARK (kiosk-answers-error-quark, kiosk_answers_error)

void
kiosk_secure_free (gpointer data,
                   gssize   length)
{
  if (data == NULL)
    return;
  if (length < 0)
    length = (gssize) strlen (data);
  explicit_bzero (data, (gsize) length);
  g_free (data);
}

void
_kiosk_answers_secure_str_free (char *s)
{
  kiosk_secure_free (s, -1);
}

static void scope_free (Scope *scope);

Scope *
_kiosk_answers_scope_new (KioskForm          *form,
                          Scope              *parent,
                          const KioskElement *group)
{
  Scope *scope = g_new0 (Scope, 1);
  guint n = form->elements->len;

  scope->parent = parent;
  scope->group = group;
  scope->n_slots = n;
  scope->raw = g_new0 (char *, n);
  scope->instances = g_new0 (GPtrArray *, n);
  scope->derived = g_new0 (Derived, n);
  for (guint i = 0; i < n; i++)
    {
      const KioskElement *element = g_ptr_array_index (form->elements, i);

      if (kiosk_element_is_repeatable (element) && element->scope == group)
        {
          scope->instances[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) scope_free);
          for (guint j = 0; j < element->min_occurs; j++)
            g_ptr_array_add (scope->instances[i], _kiosk_answers_scope_new (form, scope, element));
        }
    }
  return scope;
}

static void
derived_clear (Derived *derived)
{
  g_clear_pointer (&derived->string, _kiosk_answers_secure_str_free);
  g_clear_pointer (&derived->error, g_free);
  memset (derived, 0, sizeof *derived);
}

void
_kiosk_answers_reset_derived (Scope *scope)
{
  for (guint i = 0; i < scope->n_slots; i++)
    {
      derived_clear (&scope->derived[i]);
      if (scope->instances[i] != NULL)
        for (guint j = 0; j < scope->instances[i]->len; j++)
          _kiosk_answers_reset_derived (g_ptr_array_index (scope->instances[i], j));
    }
}

static void
scope_free (Scope *scope)
{
  if (scope == NULL)
    return;
  for (guint i = 0; i < scope->n_slots; i++)
    {
      g_clear_pointer (&scope->raw[i], _kiosk_answers_secure_str_free);
      derived_clear (&scope->derived[i]);
      if (scope->instances[i] != NULL)
        g_ptr_array_unref (scope->instances[i]);
    }
  g_free (scope->raw);
  g_free (scope->instances);
  g_free (scope->derived);
  g_free (scope);
}

KioskAnswers *
kiosk_answers_new (KioskForm *form)
{
  KioskAnswers *answers = g_new0 (KioskAnswers, 1);

  answers->form = kiosk_form_ref (form);
  answers->root = _kiosk_answers_scope_new (form, NULL, NULL);
  return answers;
}

void
kiosk_answers_free (KioskAnswers *answers)
{
  if (answers == NULL)
    return;
  scope_free (answers->root);
  kiosk_form_unref (answers->form);
  g_free (answers);
}

KioskForm *
kiosk_answers_get_form (KioskAnswers *answers)
{
  return answers->form;
}

void
kiosk_answers_clear (KioskAnswers *answers)
{
  scope_free (answers->root);
  answers->root = _kiosk_answers_scope_new (answers->form, NULL, NULL);
}

void
kiosk_answer_problem_free (KioskAnswerProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->path);
  g_free (problem->instances);
  g_free (problem->message);
  g_free (problem);
}

/* Finding scopes. */

/* The scope, from @scope outwards, whose instances hold @element's answers. */
Scope *
_kiosk_answers_owner_scope (Scope              *scope,
                            const KioskElement *element)
{
  while (scope != NULL && scope->group != element->scope)
    scope = scope->parent;
  return scope;
}

/* Walks down from the root to the instance named by @instances (one index
 * per repeatable ancestor of @element). */
Scope *
_kiosk_answers_scope_for_path (KioskAnswers       *answers,
                               const KioskElement *element,
                               const guint        *instances,
                               guint               n_instances)
{
  Scope *scope = answers->root;

  if (element->scope == NULL)
    return scope;
  if (n_instances < 1)
    return NULL;
  {
    GPtrArray *list = scope->instances[element->scope->index];
    if (list == NULL || instances[0] >= list->len)
      return NULL;
    return g_ptr_array_index (list, instances[0]);
  }
}

/* The UI's and the file reader's way to put answers in. */

gboolean
kiosk_answers_set_value (KioskAnswers       *answers,
                         const KioskElement *field,
                         const guint        *instances,
                         guint               n_instances,
                         const char         *value)
{
  Scope *scope;

  g_return_val_if_fail (kiosk_kind_is_input (field->kind), FALSE);
  scope = _kiosk_answers_scope_for_path (answers, field, instances, n_instances);
  if (scope == NULL)
    return FALSE;
  g_clear_pointer (&scope->raw[field->index], _kiosk_answers_secure_str_free);
  if (value != NULL && *value != '\0')
    scope->raw[field->index] = g_strdup (value);
  return TRUE;
}

const char *
kiosk_answers_get_value (KioskAnswers       *answers,
                         const KioskElement *field,
                         const guint        *instances,
                         guint               n_instances)
{
  Scope *scope = _kiosk_answers_scope_for_path (answers, field, instances, n_instances);

  return scope != NULL ? scope->raw[field->index] : NULL;
}

guint
kiosk_answers_count_instances (KioskAnswers       *answers,
                               const KioskElement *group)
{
  GPtrArray *list;

  g_return_val_if_fail (kiosk_element_is_repeatable (group), 0);
  list = answers->root->instances[group->index];
  return list != NULL ? list->len : 0;
}

gboolean
kiosk_answers_add_instance (KioskAnswers       *answers,
                            const KioskElement *group)
{
  GPtrArray *list;

  g_return_val_if_fail (kiosk_element_is_repeatable (group), FALSE);
  list = answers->root->instances[group->index];
  if (list == NULL || list->len >= group->max_occurs)
    return FALSE;
  g_ptr_array_add (list, _kiosk_answers_scope_new (answers->form, answers->root, group));
  return TRUE;
}

gboolean
kiosk_answers_remove_instance (KioskAnswers       *answers,
                               const KioskElement *group,
                               guint               instance)
{
  GPtrArray *list;

  g_return_val_if_fail (kiosk_element_is_repeatable (group), FALSE);
  list = answers->root->instances[group->index];
  if (list == NULL || instance >= list->len)
    return FALSE;
  g_ptr_array_remove_index (list, instance);
  return TRUE;
}
