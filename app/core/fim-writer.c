/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-fim"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <antragskiosk/file.h>
#include <antragskiosk/fim.h>
#include <antragskiosk/form.h>

#include "fim-private.h"

/* The tree → form JSON (docs/forms.md); results, notes and the report line. */

/* ------------------------------------------------------------------ */
/* Results and notes */

void
fim_note_free (gpointer data)
{
  KioskFimNote *note = data;

  g_free (note->fim_id);
  g_free (note->fim_version);
  g_free (note->name);
  g_free (note->message);
  g_free (note);
}

void
kiosk_fim_result_free (KioskFimResult *result)
{
  if (result == NULL)
    return;
  g_free (result->file);
  g_free (result->fim_id);
  g_free (result->fim_version);
  g_free (result->form_id);
  g_free (result->form_version);
  g_free (result->form_json);
  g_free (result->map_tsv);
  g_clear_pointer (&result->notes, g_ptr_array_unref);
  g_free (result);
}

char *
kiosk_fim_result_report_line (const KioskFimResult *result)
{
  return g_strdup_printf ("%s: form=%s fields=%u unmapped=%u groups=%u rules=%u",
                          result->file, result->form_id, result->fields,
                          result->unmapped, result->groups, result->rules);
}

char *
kiosk_fim_note_to_string (const KioskFimResult *result,
                          const KioskFimNote   *note)
{
  GString *out = g_string_new (result->file);
  static const char * const what[] = { "not imported", "rule not converted", "warning" };

  if (note->line > 0)
    g_string_append_printf (out, ":%u", note->line);
  g_string_append (out, ": ");
  if (note->fim_id != NULL)
    {
      g_string_append (out, note->fim_id);
      if (note->fim_version != NULL)
        g_string_append_printf (out, " V%s", note->fim_version);
      g_string_append_c (out, ' ');
    }
  if (note->name != NULL)
    g_string_append_printf (out, "\"%s\" ", note->name);
  g_string_append_printf (out, "%s: %s", what[note->kind], note->message);
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Writing the form */

static void
add_text (JsonBuilder *b, const char *member, const char *lang, const char *text)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, lang);
  json_builder_add_string_value (b, text);
  json_builder_end_object (b);
}

static void
add_number (JsonBuilder *b, const char *member, double value)
{
  json_builder_set_member_name (b, member);
  if (value == floor (value) && fabs (value) < 1e15)
    json_builder_add_int_value (b, (gint64) value);
  else
    json_builder_add_double_value (b, value);
}

/* @member: @value, when @value is not NULL. */
static void
add_string (JsonBuilder *b, const char *member, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, value);
}

static void
add_int (JsonBuilder *b, const char *member, gint64 value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_int_value (b, value);
}

/* The members only a field has: requirement, bounds, pattern, code list,
 * condition. */
static void
write_field_members (JsonBuilder *b, const Item *item, const char *lang)
{
  if (item->required_if != NULL)
    add_string (b, "required", item->required_if);
  else if (item->required)
    {
      json_builder_set_member_name (b, "required");
      json_builder_add_boolean_value (b, TRUE);
    }
  if (item->min_length >= 0)
    add_int (b, "min_length", item->min_length);
  if (item->max_length >= 0)
    add_int (b, "max_length", item->max_length);
  if (item->pattern != NULL)
    {
      add_string (b, "pattern", item->pattern);
      add_text (b, "pattern_message", lang, "Die Angabe hat nicht die verlangte Form.");
    }
  if (item->has_min)
    add_number (b, "min", item->min_value);
  if (item->has_max)
    add_number (b, "max", item->max_value);
  add_string (b, "min_date", item->min_date);
  add_string (b, "max_date", item->max_date);
  add_string (b, "code_list", item->code_list);
  if (item->constraint != NULL)
    {
      add_string (b, "constraint", item->constraint);
      add_text (b, "constraint_message", lang, item->constraint_message);
    }
}

static void
write_item (Import *import, JsonBuilder *b, Item *item, const char *path, GHashTable *paths)
{
  const char *lang = import->options->lang != NULL ? import->options->lang : "de";

  g_free (item->json_path);
  item->json_path = g_strdup (path);
  g_hash_table_insert (paths, item->json_path, item);
  json_builder_begin_object (b);
  add_string (b, "id", item->key);
  if (item->type == ITEM_PAGE)
    add_text (b, "title", lang, item->label);
  else
    {
      add_string (b, "kind", item->type == ITEM_GROUP ? "group" : item->kind);
      add_text (b, "label", lang, item->label);
    }
  if (item->help != NULL)
    add_text (b, "help", lang, item->help);
  if (item->type == ITEM_GROUP && item->max > 1)
    {
      add_int (b, "min", item->min);
      add_int (b, "max", item->max);
    }
  if (item->type == ITEM_FIELD)
    write_field_members (b, item, lang);
  if (item->children != NULL)
    {
      json_builder_set_member_name (b, "items");
      json_builder_begin_array (b);
      for (guint i = 0; i < item->children->len; i++)
        {
          g_autofree char *child_path = g_strdup_printf ("%s.items[%u]", path, i);
          write_item (import, b, g_ptr_array_index (item->children, i), child_path, paths);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

char *
fim_write_form (Import *import, const char *title, const char *description, GHashTable *paths)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *schema_uri = NULL;
  const char *lang = import->options->lang != NULL ? import->options->lang : "de";
  KioskFimResult *result = import->result;

  g_hash_table_remove_all (paths);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, result->form_id);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, result->form_version);
  json_builder_set_member_name (b, "leika");
  json_builder_add_string_value (b, import->options->leika != NULL ? import->options->leika : "unknown");
  schema_uri = g_strdup_printf ("https://schema.antragskiosk.de/fim/%s/%s.json", result->form_id, result->form_version);
  json_builder_set_member_name (b, "schema_uri");
  json_builder_add_string_value (b, schema_uri);
  json_builder_set_member_name (b, "category");
  json_builder_add_string_value (b, "sonstiges");
  add_text (b, "title", lang, title);
  add_text (b, "description", lang, description);
  if (import->lists->len > 0)
    {
      json_builder_set_member_name (b, "code_lists");
      json_builder_begin_object (b);
      for (guint i = 0; i < import->lists->len; i++)
        {
          FormList *list = g_ptr_array_index (import->lists, i);

          if (list->codes->len == 0)
            continue;
          json_builder_set_member_name (b, list->name);
          json_builder_begin_object (b);
          if (list->uri != NULL)
            {
              json_builder_set_member_name (b, "uri");
              json_builder_add_string_value (b, list->uri);
            }
          if (list->version != NULL)
            {
              json_builder_set_member_name (b, "version");
              json_builder_add_string_value (b, list->version);
            }
          json_builder_set_member_name (b, "values");
          json_builder_begin_array (b);
          for (guint j = 0; j + 1 < list->codes->len; j += 2)
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "code");
              json_builder_add_string_value (b, g_ptr_array_index (list->codes, j));
              add_text (b, "label", lang, g_ptr_array_index (list->codes, j + 1));
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "pages");
  json_builder_begin_array (b);
  for (guint i = 0; i < import->pages->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("$.pages[%u]", i);
      write_item (import, b, g_ptr_array_index (import->pages, i), path, paths);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  return json_generator_to_data (generator, NULL);
}

/* The element written at the longest prefix of @path, and the member after it. */
Item *
fim_item_at_path (GHashTable *paths, const char *path, const char **member)
{
  g_autofree char *copy = g_strdup (path);

  for (char *dot = strrchr (copy, '.'); dot != NULL; dot = strrchr (copy, '.'))
    {
      Item *item;

      *dot = '\0';
      item = g_hash_table_lookup (paths, copy);
      if (item != NULL)
        {
          *member = path + (dot - copy) + 1;
          return item;
        }
    }
  return NULL;
}

/* Drops what the loader refused of @item's optional features; FALSE when
 * the problem is in nothing we can drop. */
gboolean
fim_drop_feature (Import *import, Item *item, const char *member, const char *message)
{
  if (g_str_has_prefix (member, "pattern"))
    {
      if (item->pattern == NULL)
        return FALSE;
      fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "the pattern is not checked: %s", message);
      g_clear_pointer (&item->pattern, g_free);
      return TRUE;
    }
  if (g_str_has_prefix (member, "constraint"))
    {
      if (item->constraint == NULL)
        return FALSE;
      for (guint i = 0; i < import->rules->len; i++)
        {
          Rule *rule = g_ptr_array_index (import->rules, i);
          if (rule->mapped && g_strcmp0 (rule->id != NULL ? rule->id : "?", item->constraint_rule) == 0)
            {
              rule->mapped = FALSE;
              g_free (rule->reason);
              rule->reason = g_strdup_printf ("as a condition of %s: %s", item->key, message);
            }
        }
      g_clear_pointer (&item->constraint, g_free);
      return TRUE;
    }
  if (g_str_has_prefix (member, "required"))
    {
      if (item->required_if == NULL)
        return FALSE;
      fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "required within an optional group: not required (%s)", message);
      g_clear_pointer (&item->required_if, g_free);
      return TRUE;
    }
  if (g_str_has_prefix (member, "min_length") || g_str_has_prefix (member, "max_length"))
    {
      fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "length bounds dropped: %s", message);
      item->min_length = item->max_length = -1;
      return TRUE;
    }
  if (strcmp (member, "min") == 0 || strcmp (member, "max") == 0)
    {
      fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "value bounds dropped: %s", message);
      item->has_min = item->has_max = FALSE;
      return TRUE;
    }
  if (g_str_has_prefix (member, "min_date") || g_str_has_prefix (member, "max_date"))
    {
      fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "date bounds dropped: %s", message);
      g_clear_pointer (&item->min_date, g_free);
      g_clear_pointer (&item->max_date, g_free);
      return TRUE;
    }
  return FALSE;
}

