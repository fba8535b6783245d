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

/* FIM XDatenfelder → kiosk form (docs/fim.md). The message is read into a
 * tree of Items (pages, groups, headings, fields), keys and conditions are
 * worked out on that tree, and the form is written as JSON and loaded with
 * our own loader: what the loader refuses of an optional feature (a
 * pattern, a converted rule, a bound) is dropped and reported, so that the
 * written form always passes check-forms. */

G_DEFINE_QUARK (kiosk-fim-error-quark, kiosk_fim_error)

/* ------------------------------------------------------------------ */
/* The message */

static char *
form_version (const char *fim_version)
{
  g_auto(GStrv) parts = NULL;
  guint64 n[3] = { 0, 0, 0 };
  guint count;

  if (fim_version == NULL)
    return g_strdup ("1.0.0");
  parts = g_strsplit (fim_version, ".", 4);
  count = g_strv_length (parts);
  if (count == 0 || count > 3)
    return NULL;
  for (guint i = 0; i < count; i++)
    if (!g_ascii_string_to_unsigned (parts[i], 10, 0, 999999, &n[i], NULL))
      return NULL;
  return g_strdup_printf ("%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT, n[0], n[1], n[2]);
}

static void
import_clear (Import *import)
{
  g_clear_pointer (&import->pages, g_ptr_array_unref);
  g_clear_pointer (&import->keys, g_hash_table_unref);
  g_clear_pointer (&import->fields, g_ptr_array_unref);
  g_clear_pointer (&import->rule_by_id, g_hash_table_unref);
  g_clear_pointer (&import->rules, g_ptr_array_unref);
  g_clear_pointer (&import->list_by_key, g_hash_table_unref);
  g_clear_pointer (&import->lists, g_ptr_array_unref);
  g_clear_pointer (&import->list_names, g_hash_table_unref);
  if (import->map != NULL)
    g_string_free (import->map, TRUE);
  import->map = NULL;
}

static guint
count_elements (xmlNodePtr node, const char *local, guint limit)
{
  guint n = 0;

  for (xmlNodePtr c = node->children; c != NULL && n <= limit; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      {
        if (fim_has_name (c, local))
          n++;
        n += count_elements (c, local, limit);
      }
  return n;
}
/* The kind of message, its top element, its FIM id and version and the
 * count of its datenfelder into @result; FALSE with @error when it is not
 * a message we import. */
static gboolean
read_message (xmlNodePtr       root,
              const char      *file,
              KioskFimResult  *result,
              gboolean        *schema,
              xmlNodePtr      *top,
              GError         **error)
{
  const char *ns = root->ns != NULL ? (const char *) root->ns->href : "";
  xmlNodePtr ident;

  if (strcmp (ns, NS_XDF2) != 0 && strcmp (ns, NS_XDF3) != 0)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_NOT_XDF,
                   "%s:%u: not an XDatenfelder 2.0 or 3.0.0 message (the root element's namespace must be %s or %s)",
                   file, fim_line_of (root), NS_XDF2, NS_XDF3);
      return FALSE;
    }
  result->xdf_version = strcmp (ns, NS_XDF2) == 0 ? 2 : 3;
  *schema = g_str_has_prefix ((const char *) root->name, "xdatenfelder.stammdatenschema.");
  if (!*schema && !g_str_has_prefix ((const char *) root->name, "xdatenfelder.datenfeldgruppe."))
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_NOT_XDF,
                   "%s:%u: a message \"%.60s\": only Stammdatenschema (xdatenfelder.stammdatenschema.0102) and "
                   "Datenfeldgruppe (xdatenfelder.datenfeldgruppe.0103) messages are imported",
                   file, fim_line_of (root), (const char *) root->name);
      return FALSE;
    }
  *top = fim_child (root, *schema ? "stammdatenschema" : "datenfeldgruppe");
  if (*top == NULL)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID, "%s:%u: the message has no <%s>",
                   file, fim_line_of (root), *schema ? "stammdatenschema" : "datenfeldgruppe");
      return FALSE;
    }
  result->datenfelder = count_elements (*top, "datenfeld", KIOSK_FIM_MAX_FIELDS);
  if (result->datenfelder > KIOSK_FIM_MAX_FIELDS)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                   "%s:%u: the message has more than %u datenfeld elements", file, fim_line_of (*top), KIOSK_FIM_MAX_FIELDS);
      return FALSE;
    }
  ident = fim_child (*top, "identifikation");
  result->fim_id = fim_node_text (fim_child (ident, "id"), 64);
  result->fim_version = fim_node_text (fim_child (ident, "version"), 32);
  if (result->fim_id == NULL)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                   "%s:%u: the %s has no identifikation/id", file, fim_line_of (*top),
                   *schema ? "Stammdatenschema" : "Datenfeldgruppe");
      return FALSE;
    }
  return TRUE;
}

/* The form's id, version, title and description from the message. */
static void
read_form_head (Import *import, xmlNodePtr top, gboolean schema, char **title, char **description)
{
  KioskFimResult *result = import->result;
  g_autofree char *help = NULL;

  result->form_id = fim_id_component (result->fim_id);
  g_strdelimit (result->form_id, "_", '-');
  result->form_version = form_version (result->fim_version);
  if (result->form_version == NULL)
    {
      result->form_version = g_strdup ("1.0.0");
      fim_add_note (import, KIOSK_FIM_NOTE_WARNING, fim_line_of (top), result->fim_id, result->fim_version, NULL,
                    "version is not MAJOR[.MINOR[.PATCH]]; the form has version 1.0.0");
    }
  *title = schema && result->xdf_version == 3 ? fim_child_text (top, "bezeichnung") : NULL;
  if (*title == NULL)
    *title = fim_child_text (top, "bezeichnungEingabe");
  if (*title == NULL)
    *title = fim_child_text (top, "name");
  if (*title == NULL)
    *title = g_strdup (result->fim_id);
  help = fim_child_text (top, "hilfetextEingabe");
  if (help == NULL)
    help = fim_child_text (top, "hilfetext");
  *description = g_strdup_printf ("FIM-%s %s, Version %s%s%s", schema ? "Datenschema" : "Datenfeldgruppe",
                                  result->fim_id, result->fim_version != NULL ? result->fim_version : "-",
                                  help != NULL ? ". " : "", help != NULL ? help : "");
}

static void
import_init (Import *import, const char *file, const KioskFimOptions *options, KioskFimResult *result,
             const char *title)
{
  import->file = file;
  import->xdf = result->xdf_version;
  import->options = options;
  import->result = result;
  import->pages = g_ptr_array_new_with_free_func (fim_item_free);
  import->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import->fields = g_ptr_array_new ();
  import->rules = g_ptr_array_new_with_free_func (fim_rule_free);
  import->rule_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import->lists = g_ptr_array_new_with_free_func (fim_form_list_free);
  import->list_by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import->list_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import->map = g_string_new ("key\tfim_id\tfim_version\tkind\tanzahl\tname\n");
  g_string_append_printf (import->map, "-\t%s\t%s\tform\t-\t%s\n", result->fim_id,
                          result->fim_version != NULL ? result->fim_version : "-", title);
}

/* The tree of the message's elements, its rules converted; FALSE with
 * @error when nothing can be filled in or groups were too deep. */
static gboolean
import_tree (Import *import, xmlNodePtr top, gboolean schema, const char *title, GError **error)
{
  KioskFimResult *result = import->result;

  fim_collect_rules (import, top, NULL);
  if (!schema)
    result->groups++;   /* the message's group is the form */
  fim_import_top (import, top, title);
  if (import->pages->len == 0)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                   "%s:%u: nothing to fill in: the %s has no datenfeld that could be imported (%u unmapped)",
                   import->file, fim_line_of (top), schema ? "Stammdatenschema" : "Datenfeldgruppe", result->unmapped);
      return FALSE;
    }
  if (result->fields + result->unmapped != result->datenfelder)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                   "%s:%u: groups are nested more than %u deep; their fields were not read",
                   import->file, fim_line_of (top), KIOSK_FIM_MAX_GROUP_DEPTH);
      return FALSE;
    }
  result->rules_total = import->rules->len;
  for (guint i = 0; i < import->rules->len; i++)
    fim_convert_rule (import, g_ptr_array_index (import->rules, i));
  fim_conditional_requirements (import);
  return TRUE;
}

/* Drops what the loader's @problems name of optional features; FALSE
 * when none could be dropped. */
static gboolean
drop_refused (Import *import, GHashTable *paths, GPtrArray *problems)
{
  gboolean progress = FALSE;

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      KioskFormProblem *problem = g_ptr_array_index (problems, i);
      const char *member = NULL;
      Item *item = problem->path != NULL ? fim_item_at_path (paths, problem->path, &member) : NULL;

      if (item != NULL && fim_drop_feature (import, item, member, problem->message))
        progress = TRUE;
    }
  return progress;
}

/* Writes the form, loads it, drops what the loader refuses, until it
 * loads: the JSON, or NULL with @error. */
static char *
write_loadable_form (Import *import, const char *title, const char *description, GError **error)
{
  g_autoptr(GHashTable) paths = g_hash_table_new (g_str_hash, g_str_equal);
  const char *file = import->file;

  for (guint round = 0; ; round++)
    {
      g_autofree char *json = fim_write_form (import, title, description, paths);
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(GError) local = NULL;
      g_autoptr(KioskForm) form = NULL;
      KioskFormProblem *first;

      if (strlen (json) > KIOSK_FILE_MAX_FORM)
        {
          g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                       "%s:1: the form would be larger than the %u MiB a form file may have",
                       file, KIOSK_FILE_MAX_FORM / (1024 * 1024));
          return NULL;
        }
      form = kiosk_form_load_data (json, strlen (json), import->result->form_id, &problems, &local);
      if (form != NULL)
        return g_steal_pointer (&json);
      if (drop_refused (import, paths, problems) && round <= 8)
        continue;
      first = problems != NULL && problems->len > 0 ? g_ptr_array_index (problems, 0) : NULL;
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                   "%s:1: the imported form does not load (%s: %s); please report this as a bug of the importer",
                   file, first != NULL && first->path != NULL ? first->path : "$",
                   first != NULL ? first->message : (local != NULL ? local->message : "unknown"));
      return NULL;
    }
}

KioskFimResult *
kiosk_fim_import_data (const char            *data,
                       gsize                  length,
                       const char            *file,
                       const KioskFimOptions *options,
                       GError               **error)
{
  static const KioskFimOptions defaults = { NULL, NULL, "de" };
  g_autoptr(KioskFimResult) result = g_new0 (KioskFimResult, 1);
  g_autofree char *title = NULL, *description = NULL;
  Import import = { 0 };
  xmlDocPtr doc;
  xmlNodePtr top = NULL;
  gboolean schema = FALSE, ok;

  if (options == NULL)
    options = &defaults;
  doc = fim_parse_xml (data, length, file, error);
  if (doc == NULL)
    return NULL;
  result->file = g_strdup (file);
  result->notes = g_ptr_array_new_with_free_func (fim_note_free);
  if (!read_message (xmlDocGetRootElement (doc), file, result, &schema, &top, error))
    {
      xmlFreeDoc (doc);
      return NULL;
    }
  import.result = result;
  read_form_head (&import, top, schema, &title, &description);
  import_init (&import, file, options, result, title);
  ok = import_tree (&import, top, schema, title, error);
  xmlFreeDoc (doc);
  if (ok)
    result->form_json = write_loadable_form (&import, title, description, error);
  if (result->form_json == NULL)
    {
      import_clear (&import);
      return NULL;
    }
  for (guint i = 0; i < import.rules->len; i++)
    {
      Rule *rule = g_ptr_array_index (import.rules, i);

      if (rule->mapped)
        result->rules++;
      else
        fim_add_note (&import, KIOSK_FIM_NOTE_RULE, rule->line, rule->id, rule->version, rule->name,
                      "%s", rule->reason != NULL ? rule->reason : "not converted");
    }
  result->map_tsv = g_string_free (g_steal_pointer (&import.map), FALSE);
  import_clear (&import);
  return g_steal_pointer (&result);
}

KioskFimResult *
kiosk_fim_import_file (const char            *path,
                       const KioskFimOptions *options,
                       GError               **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local = NULL;
  gsize length = 0;

  if (!kiosk_file_read (path, KIOSK_FIM_MAX_FILE, &data, &length, &local))
    {
      if (g_str_has_prefix (local->message, path))
        g_set_error_literal (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_IO, local->message);
      else
        g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_IO, "%s: %s", path, local->message);
      return NULL;
    }
  return kiosk_fim_import_data (data, length, path, options, error);
}

