/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-form"

/* The expressions of a form (docs/forms.md): parsed where they stand,
 * their references and literals checked once every id is known, and
 * relevance that depends on itself refused (form-private.h). */

#include "config.h"

#include "form-private.h"

/* Expressions are parsed at once and their references checked once every
 * id is known. */
KioskExpr *
_kiosk_form_parse_expr (Loader          *loader,
                        KioskElement    *element,
                        const KioskJson *object,
                        const PathSeg   *seg,
                        const char      *key)
{
  const KioskJson *node = kiosk_json_get (object, key);
  g_autoptr(GError) error = NULL;
  PendingExpr pending = { 0 };
  gsize offset = 0;
  KioskExpr *expr;
  gunichar bad;
  glong position = 0;
  MEMBER_SEG (member_seg, seg, object, key);

  if (node == NULL)
    return NULL;
  if (!kiosk_json_is_string (node))
    {
      _kiosk_form_problem (loader, node, &member_seg, "\"%s\" must be an expression in a string, not %s", key, kiosk_json_type_name (node));
      return NULL;
    }
  bad = _kiosk_form_forbidden_char (node->v.string, &position);
  if (bad != 0)
    {
      _kiosk_form_problem (loader, node, &member_seg,
                           "the expression in \"%s\" contains the control character U+%04X at character %ld; remove it (form "
                           "strings may not contain control characters, line breaks or bidi controls)", key, bad, position);
      return NULL;
    }
  expr = kiosk_expr_parse (node->v.string, &offset, &error);
  if (expr == NULL)
    {
      _kiosk_form_problem (loader, node, &member_seg, "the expression in \"%s\" is not valid at character %ld: %s",
                           key, _kiosk_form_character_at (node->v.string, offset), error->message);
      return NULL;
    }
  pending.element = element;
  pending.member = key;
  pending.expr = expr;
  pending.pos = _kiosk_form_node_pos (loader, node, &member_seg);
  pending.path = _kiosk_form_path_to_string (&member_seg);
  g_array_append_val (loader->pending, pending);
  return expr;
}

/* Second pass: references inside expressions. */

typedef struct {
  Loader            *loader;
  const PendingExpr *pending;
} RefCheck;

/* The repeatable group in whose instances an expression is evaluated: the
 * element's own scope, except that a repeatable group's own relevance is
 * decided once for the whole group, outside its instances. */
static const KioskElement *
evaluation_scope (const KioskElement *element)
{
  return element->scope;
}

static gboolean
check_ref_cb (const char        *name,
              KioskExprRefKind   kind,
              gsize              offset,
              gpointer           user_data,
              GError           **error)
{
  RefCheck *check = user_data;
  const KioskElement *from = check->pending->element;
  const KioskElement *target = g_hash_table_lookup (check->loader->form->by_id, name);

  if (target == NULL)
    {
      g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                   "the expression in \"%s\" refers to \"%s\" (character %ld), but the form has no element with that id",
                   check->pending->member, name, _kiosk_form_character_at (kiosk_expr_get_source (check->pending->expr), offset));
      return FALSE;
    }
  if (kind == KIOSK_EXPR_REF_COUNT)
    {
      if (!kiosk_element_is_repeatable (target))
        {
          g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                       "count(%s) in \"%s\" needs a repeatable group (max > 1), but \"%s\" is a %s",
                       name, check->pending->member, name,
                       target->kind == KIOSK_KIND_GROUP ? "group with max 1" : kiosk_kind_to_string (target->kind));
          return FALSE;
        }
      return TRUE;
    }
  if (!kiosk_kind_is_input (target->kind))
    {
      g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                   "the expression in \"%s\" uses \"%s\" as a value, but it is a %s, which has no value%s",
                   check->pending->member, name, kiosk_kind_to_string (target->kind),
                   kiosk_element_is_repeatable (target) ? " (use count() for a repeatable group)" : "");
      return FALSE;
    }
  if (target->scope != NULL && target->scope != evaluation_scope (from))
    {
      g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                   "the expression in \"%s\" uses \"%s\", which is inside the repeatable group \"%s\"; from outside that "
                   "group it has no single value (only count(%s) is allowed)",
                   check->pending->member, name, target->scope->id, target->scope->id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_literal_cb (const char  *name,
                  const char  *literal,
                  gsize        offset,
                  gpointer     user_data,
                  GError     **error)
{
  RefCheck *check = user_data;
  const KioskElement *target = g_hash_table_lookup (check->loader->form->by_id, name);

  if (target == NULL || target->code_list == NULL)
    return TRUE;
  if (kiosk_code_list_lookup (target->code_list, literal) == NULL)
    {
      g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                   "the expression in \"%s\" compares \"%s\" with '%s' (character %ld), which is not a code of "
                   "its code list \"%s\"", check->pending->member, name, literal,
                   _kiosk_form_character_at (kiosk_expr_get_source (check->pending->expr), offset), target->code_list->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
collect_ref_cb (const char        *name,
                KioskExprRefKind   kind,
                gsize              offset,
                gpointer           user_data,
                GError           **error)
{
  GPtrArray *refs = user_data;

  if (kind == KIOSK_EXPR_REF_VALUE)
    g_ptr_array_add (refs, (gpointer) name);
  return TRUE;
}

/* Relevance may not depend on itself: the relevance of a field depends on
 * the values of the fields its (and its ancestors') "relevant" refers to,
 * and a field's value depends on its relevance. */
static gboolean
relevance_cycle_from (Loader             *loader,
                      const KioskElement *element,
                      guint8             *state,
                      GPtrArray          *chain)
{
  if (state[element->index] == 2)
    return FALSE;
  if (state[element->index] == 1)
    {
      g_ptr_array_add (chain, (gpointer) element);
      return TRUE;
    }
  state[element->index] = 1;
  if (element->parent != NULL && relevance_cycle_from (loader, element->parent, state, chain))
    {
      g_ptr_array_add (chain, (gpointer) element);
      return TRUE;
    }
  if (element->relevant != NULL)
    {
      g_autoptr(GPtrArray) refs = g_ptr_array_new ();

      kiosk_expr_check_refs (element->relevant, collect_ref_cb, refs, NULL);
      for (guint i = 0; i < refs->len; i++)
        {
          const KioskElement *target = g_hash_table_lookup (loader->form->by_id, g_ptr_array_index (refs, i));
          if (target != NULL && relevance_cycle_from (loader, target, state, chain))
            {
              g_ptr_array_add (chain, (gpointer) element);
              return TRUE;
            }
        }
    }
  state[element->index] = 2;
  return FALSE;
}

void
_kiosk_form_check_expressions (Loader *loader)
{
  KioskForm *form = loader->form;
  g_autofree guint8 *state = NULL;

  for (guint i = 0; i < loader->pending->len; i++)
    {
      const PendingExpr *pending = &g_array_index (loader->pending, PendingExpr, i);
      RefCheck check = { loader, pending };
      g_autoptr(GError) error = NULL;

      if (!kiosk_expr_check_refs (pending->expr, check_ref_cb, &check, &error)
          || !kiosk_expr_check_literals (pending->expr, check_literal_cb, &check, &error))
        _kiosk_form_problem_at (loader, pending->pos, pending->path, "%s", error->message);
    }

  state = g_new0 (guint8, form->elements->len);
  for (guint i = 0; i < form->elements->len; i++)
    {
      g_autoptr(GPtrArray) chain = g_ptr_array_new ();
      const KioskElement *element = g_ptr_array_index (form->elements, i);

      if (relevance_cycle_from (loader, element, state, chain))
        {
          g_autoptr(GString) names = g_string_new (NULL);
          Pos pos = { element->line, element->column };

          for (guint j = chain->len; j > 0; j--)
            {
              const KioskElement *link = g_ptr_array_index (chain, j - 1);
              g_string_append_printf (names, "%s%s", names->len > 0 ? " → " : "", link->id != NULL ? link->id : "?");
            }
          _kiosk_form_problem_at (loader, pos, "$", "the relevance of these elements depends on itself: %s; "
                                  "break the circle so that each condition only uses fields that do not depend on it", names->str);
          /* One report per circle is enough. */
          break;
        }
    }
}
