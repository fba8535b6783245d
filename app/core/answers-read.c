/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-answers"

/* Reading an answers file (docs/forms.md "Answers"; answers-private.h). */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/answers.h>

#include "answers-private.h"

/* The shortest decimal text that reads back as @value ("7.1", not
 * "7.0999999999999996" as "%.17g" writes it). */
void
_kiosk_answers_format_shortest (char *buffer, gsize size, double value)
{
  for (int precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, (gint) size, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        return;
    }
}

static char *
json_value_to_raw (const KioskJson *node)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  switch (node->type)
    {
    case KIOSK_JSON_STRING:
      return g_strndup (node->v.string, node->length);
    case KIOSK_JSON_BOOLEAN:
      return g_strdup (node->v.boolean ? "true" : "false");
    case KIOSK_JSON_INTEGER:
      return g_strdup_printf ("%" G_GINT64_FORMAT, node->v.integer);
    case KIOSK_JSON_DOUBLE:
      _kiosk_answers_format_shortest (buffer, sizeof buffer, node->v.number);
      return g_strdup (buffer);
    case KIOSK_JSON_NULL:
    case KIOSK_JSON_OBJECT:
    case KIOSK_JSON_ARRAY:
    default:
      return NULL;
    }
}

/* The field @id of the answers, where it may stand in @scope; NULL (with
 * @error set) for an id the form has no question for there. */
static const KioskElement *
member_element (KioskAnswers  *answers,
                Scope         *scope,
                const char    *id,
                const char    *where,
                GError       **error)
{
  const KioskElement *element = kiosk_form_lookup (answers->form, id);

  if (element == NULL || element->kind == KIOSK_KIND_PAGE
      || (element->kind == KIOSK_KIND_GROUP && !kiosk_element_is_repeatable (element)))
    {
      g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                   _("“%s”: the form “%s” has no field with this id"), where, answers->form->id);
      return NULL;
    }
  if (element->kind == KIOSK_KIND_STATIC)
    {
      g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                   _("“%s”: this is a text to read, not a question; remove it from the answers"), where);
      return NULL;
    }
  if (element->scope != scope->group)
    {
      g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                   element->scope != NULL
                   ? _("“%s”: this field belongs inside the repeatable group “%s”")
                   : _("“%s”: this field does not belong inside a repeatable group%s"),
                   where, element->scope != NULL ? element->scope->id : "");
      return NULL;
    }
  return element;
}

static gboolean read_object (KioskAnswers *answers, Scope *scope, const KioskJson *object, const char *prefix,
                             GError **error);

/* The entries of the repeatable group @element: an array of objects. */
static gboolean
read_instances (KioskAnswers        *answers,
                Scope               *scope,
                const KioskElement  *element,
                const KioskJson     *node,
                const char          *where,
                GError             **error)
{
  GPtrArray *list = scope->instances[element->index];

  if (!kiosk_json_is_array (node))
    {
      g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                   _("“%s”: a repeatable group takes an array of objects, one per entry"), where);
      return FALSE;
    }
  if (node->length > MAX_INSTANCES)
    {
      g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                   _("“%s”: more than %d entries"), where, MAX_INSTANCES);
      return FALSE;
    }
  g_ptr_array_set_size (list, 0);
  for (guint i = 0; i < node->length; i++)
    {
      const KioskJson *item = &node->v.elements[i];
      g_autofree char *item_prefix = g_strdup_printf ("%s[%u].", where, i + 1);
      Scope *instance;

      if (!kiosk_json_is_object (item))
        {
          g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                       _("“%s[%u]”: each entry of a repeatable group is an object of answers"), where, i + 1);
          return FALSE;
        }
      instance = _kiosk_answers_scope_new (answers->form, scope, element);
      g_ptr_array_add (list, instance);
      if (!read_object (answers, instance, item, item_prefix, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_object (KioskAnswers     *answers,
             Scope            *scope,
             const KioskJson  *object,
             const char       *prefix,
             GError          **error)
{
  for (guint32 m = 0; m < object->length; m++)
    {
      const char *id = object->v.members[m].key;
      const KioskJson *node = &object->v.members[m].value;
      g_autofree char *where = g_strconcat (prefix, id, NULL);
      const KioskElement *element = member_element (answers, scope, id, where, error);

      if (element == NULL)
        return FALSE;
      if (kiosk_element_is_repeatable (element))
        {
          if (!read_instances (answers, scope, element, node, where, error))
            return FALSE;
          continue;
        }
      if (node->type == KIOSK_JSON_NULL)
        continue;
      if (node->type == KIOSK_JSON_OBJECT || node->type == KIOSK_JSON_ARRAY)
        {
          g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                       _("“%s”: the answer must be a single value (text, number or true/false)"), where);
          return FALSE;
        }
      g_clear_pointer (&scope->raw[element->index], _kiosk_answers_secure_str_free);
      scope->raw[element->index] = json_value_to_raw (node);
    }
  return TRUE;
}

KioskAnswers *
kiosk_answers_new_from_json (KioskForm   *form,
                             const char  *json,
                             gssize       length,
                             GError     **error)
{
  g_autoptr(KioskAnswers) answers = NULL;
  g_autoptr(KioskJsonDoc) doc = NULL;
  const GPtrArray *problems;
  const KioskJson *root;

  if (length < 0)
    length = (gssize) strlen (json);
  /* Our strict parser (json-doc.c): positions in its messages, and its
   * arena is wiped when it is freed. */
  doc = kiosk_json_doc_parse (json, (gsize) length);
  problems = kiosk_json_doc_get_problems (doc);
  if (problems->len > 0)
    {
      const KioskJsonProblem *first = g_ptr_array_index (problems, 0);
      g_autofree char *where = g_strdup_printf ("%u:%u: %s", first->line, first->column, first->message);

      g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_SYNTAX,
                   _("The answers are not valid JSON: %s"), where);
      return NULL;
    }
  root = kiosk_json_doc_get_root (doc);
  if (!kiosk_json_is_object (root))
    {
      g_set_error_literal (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                           _("The answers must be a JSON object keyed by field id."));
      return NULL;
    }
  answers = kiosk_answers_new (form);
  if (!read_object (answers, answers->root, root, "", error))
    return NULL;
  return g_steal_pointer (&answers);
}
