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

/* Code lists of the FIM importer: genericode files given with --codelists
 * and the code lists of the form being written (docs/fim.md). */

/* ------------------------------------------------------------------ */
/* Genericode code lists */

typedef struct {
  char      *file;
  char      *uri;           /* CanonicalUri */
  char      *version;
  char      *version_uri;   /* CanonicalVersionUri */
  char      *short_name;
  GPtrArray *columns;       /* char* column ids */
  gint       key_column;    /* index, -1: unknown */
  GPtrArray *rows;          /* of GPtrArray of char* (NULL: empty), one per column */
} GcList;

struct _KioskFimCodeLists {
  GPtrArray *lists;         /* of GcList* */
};

static void
gc_list_free (gpointer data)
{
  GcList *list = data;

  g_free (list->file);
  g_free (list->uri);
  g_free (list->version);
  g_free (list->version_uri);
  g_free (list->short_name);
  g_ptr_array_unref (list->columns);
  g_ptr_array_unref (list->rows);
  g_free (list);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcList, gc_list_free)

KioskFimCodeLists *
kiosk_fim_code_lists_new (void)
{
  KioskFimCodeLists *lists = g_new0 (KioskFimCodeLists, 1);

  lists->lists = g_ptr_array_new_with_free_func (gc_list_free);
  return lists;
}

void
kiosk_fim_code_lists_free (KioskFimCodeLists *lists)
{
  if (lists == NULL)
    return;
  g_ptr_array_unref (lists->lists);
  g_free (lists);
}

guint
kiosk_fim_code_lists_count (const KioskFimCodeLists *lists)
{
  return lists != NULL ? lists->lists->len : 0;
}

static gint
column_index (GcList *list, const char *id)
{
  for (guint i = 0; id != NULL && i < list->columns->len; i++)
    if (g_strcmp0 (g_ptr_array_index (list->columns, i), id) == 0)
      return (gint) i;
  return -1;
}

/* The columns of the genericode @root and which is the key. */
static void
read_columns (GcList *list, xmlNodePtr root)
{
  xmlNodePtr set = fim_child (root, "ColumnSet");

  for (xmlNodePtr c = set != NULL ? set->children : NULL; c != NULL; c = c->next)
    if (fim_has_name (c, "Column"))
      {
        char *id = fim_attribute (c, "Id");
        g_ptr_array_add (list->columns, id != NULL ? id : g_strdup (""));
      }
  for (xmlNodePtr c = set != NULL ? set->children : NULL; c != NULL && list->key_column < 0; c = c->next)
    if (fim_has_name (c, "Key"))
      {
        g_autofree char *ref = fim_attribute (fim_child (c, "ColumnRef"), "Ref");
        list->key_column = column_index (list, ref);
      }
}

/* The values of one Row, one per column (NULL: none). */
static GPtrArray *
read_row (GcList *list, xmlNodePtr row)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  guint position = 0;

  g_ptr_array_set_size (values, list->columns->len);
  for (xmlNodePtr v = row->children; v != NULL; v = v->next)
    {
      g_autofree char *ref = NULL;
      gint index;

      if (!fim_has_name (v, "Value"))
        continue;
      ref = fim_attribute (v, "ColumnRef");
      index = ref != NULL ? column_index (list, ref) : (gint) position;
      position++;
      if (index < 0 || (guint) index >= values->len || g_ptr_array_index (values, index) != NULL)
        continue;
      g_ptr_array_index (values, index) = fim_node_text (fim_child (v, "SimpleValue"), MAX_TEXT);
    }
  return values;
}

/* The genericode document @doc as a list; NULL with @error. */
static GcList *
read_gc_list (xmlDocPtr doc, const char *file, GError **error)
{
  xmlNodePtr root = xmlDocGetRootElement (doc);
  xmlNodePtr ident, simple;
  g_autoptr(GcList) list = NULL;
  guint rows = 0;

  if (!fim_has_name (root, "CodeList") || root->ns == NULL || strcmp ((const char *) root->ns->href, NS_GC) != 0)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_NOT_XDF,
                   "%s:%u: not a genericode 1.0 code list (root element CodeList in %s)", file, fim_line_of (root), NS_GC);
      return NULL;
    }
  ident = fim_child (root, "Identification");
  list = g_new0 (GcList, 1);
  list->file = g_strdup (file);
  list->uri = fim_child_text (ident, "CanonicalUri");
  list->version = fim_child_text (ident, "Version");
  list->version_uri = fim_child_text (ident, "CanonicalVersionUri");
  list->short_name = fim_child_text (ident, "ShortName");
  list->columns = g_ptr_array_new_with_free_func (g_free);
  list->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  list->key_column = -1;
  read_columns (list, root);
  if (list->uri == NULL || list->columns->len == 0)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                   "%s:%u: the code list has no %s", file, fim_line_of (root),
                   list->uri == NULL ? "Identification/CanonicalUri" : "ColumnSet columns");
      return NULL;
    }
  simple = fim_child (root, "SimpleCodeList");
  for (xmlNodePtr row = simple != NULL ? simple->children : NULL; row != NULL; row = row->next)
    {
      if (!fim_has_name (row, "Row"))
        continue;
      if (++rows > MAX_CODES)
        {
          g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                       "%s:%u: the code list has more than %u rows", file, fim_line_of (row), MAX_CODES);
          return NULL;
        }
      g_ptr_array_add (list->rows, read_row (list, row));
    }
  return g_steal_pointer (&list);
}

gboolean
kiosk_fim_code_lists_add_data (KioskFimCodeLists *lists,
                               const char        *data,
                               gsize              length,
                               const char        *file,
                               GError           **error)
{
  xmlDocPtr doc = fim_parse_xml (data, length, file, error);
  GcList *list;

  if (doc == NULL)
    return FALSE;
  list = read_gc_list (doc, file, error);
  xmlFreeDoc (doc);
  if (list == NULL)
    return FALSE;
  g_ptr_array_add (lists->lists, list);
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

gboolean
kiosk_fim_code_lists_add_dir (KioskFimCodeLists *lists,
                              const char        *dir,
                              GPtrArray         *problems,
                              GError           **error)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (handle == NULL)
    return FALSE;
  while ((name = g_dir_read_name (handle)) != NULL)
    if (name[0] != '.' && (g_str_has_suffix (name, ".xml") || g_str_has_suffix (name, ".gc")))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      g_autofree char *data = NULL;
      g_autoptr(GError) local = NULL;
      gsize length = 0;

      if (!kiosk_file_read (path, KIOSK_FIM_MAX_FILE, &data, &length, &local)
          || !kiosk_fim_code_lists_add_data (lists, data, length, path, &local))
        {
          if (problems != NULL)
            g_ptr_array_add (problems, g_str_has_prefix (local->message, path)
                                       ? g_strdup (local->message)
                                       : g_strdup_printf ("%s: %s", path, local->message));
        }
    }
  return TRUE;
}

/* ---- code lists of the form ---- */

static char *
list_name (Import *import, const char *hint)
{
  GString *name = g_string_new ("cl_");
  const char *base = hint;
  const char *colon;

  if (base != NULL && (colon = strrchr (base, ':')) != NULL)
    base = colon + 1;
  for (const char *p = base != NULL ? base : ""; *p != '\0' && name->len < 48; p++)
    {
      char c = g_ascii_tolower (*p);
      g_string_append_c (name, g_ascii_isalnum (c) ? c : '_');
    }
  if (name->len == 3)
    g_string_append (name, "liste");
  if (g_hash_table_contains (import->list_names, name->str))
    {
      g_autofree char *base_name = g_strdup (name->str);
      for (guint n = 2; g_hash_table_contains (import->list_names, name->str); n++)
        g_string_printf (name, "%s_%u", base_name, n);
    }
  g_hash_table_add (import->list_names, g_strdup (name->str));
  return g_string_free (name, FALSE);
}

static FormList *
form_list_new (Import *import, const char *hint, const char *uri, const char *version)
{
  FormList *list = g_new0 (FormList, 1);

  list->name = list_name (import, hint);
  list->uri = g_strdup (uri);
  list->version = g_strdup (version);
  list->codes = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (import->lists, list);
  return list;
}

static void
form_list_add (FormList *list, GHashTable *seen, const char *code, const char *label)
{
  if (code == NULL || g_hash_table_contains (seen, code) || list->codes->len / 2 >= MAX_CODES)
    return;
  g_hash_table_add (seen, g_strdup (code));
  g_ptr_array_add (list->codes, g_strdup (code));
  g_ptr_array_add (list->codes, g_strdup (label != NULL ? label : code));
}

/* The genericode list for a reference: by canonical version URI, by URI and
 * version, else the URI's only or last version (reported). */
static GcList *
find_gc_list (Import *import, Item *item, const char *uri, const char *version, const char *version_uri)
{
  const KioskFimCodeLists *lists = import->options->code_lists;
  GcList *same_uri = NULL;

  if (lists == NULL)
    return NULL;
  for (guint i = 0; i < lists->lists->len; i++)
    {
      GcList *gc = g_ptr_array_index (lists->lists, i);

      if (version_uri != NULL && g_strcmp0 (gc->version_uri, version_uri) == 0)
        return gc;
      if (uri != NULL && g_strcmp0 (gc->uri, uri) == 0)
        {
          if (version != NULL && g_strcmp0 (gc->version, version) == 0)
            return gc;
          if (same_uri == NULL || g_strcmp0 (gc->version, same_uri->version) > 0)
            same_uri = gc;
        }
    }
  if (same_uri != NULL && version != NULL)
    fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item,
                   "code list %s version %s not given; version %s from %s used",
                   uri, version, same_uri->version != NULL ? same_uri->version : "(none)", same_uri->file);
  return same_uri;
}

/* Sets item->code_list from embedded values (XDF 3 <werte>) or a genericode
 * file; FALSE with @why when there is neither. */
gboolean
fim_resolve_code_list (Import *import, Item *item, xmlNodePtr field, const char **why, char **uri_out)
{
  xmlNodePtr werte = fim_child (field, "werte");
  xmlNodePtr ref = fim_child (field, "codelisteReferenz");
  xmlNodePtr gid = fim_child (ref, "genericodeIdentification");
  g_autofree char *uri = NULL, *version = NULL, *version_uri = NULL, *code_key = NULL, *name_key = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *list_key = NULL;
  FormList *list;
  GcList *gc;
  gint code_col, name_col;

  if (gid == NULL)
    gid = fim_child (ref, "genericode");
  if (gid == NULL)
    gid = ref;
  uri = fim_child_text (gid, "canonicalIdentification");
  version = fim_child_text (gid, "version");
  version_uri = fim_child_text (gid, "canonicalVersionUri");
  code_key = fim_child_text (field, "codeKey");
  name_key = fim_child_text (field, "nameKey");
  *uri_out = g_strdup (uri != NULL ? uri : version_uri);

  if (werte != NULL && fim_child (werte, "wert") != NULL)
    {
      list = form_list_new (import, uri != NULL ? uri : item->key, uri, version);
      for (xmlNodePtr w = werte->children; w != NULL; w = w->next)
        if (fim_has_name (w, "wert"))
          {
            g_autofree char *code = fim_child_text (w, "code");
            g_autofree char *label = fim_child_text (w, "name");
            form_list_add (list, seen, code, label);
          }
      if (list->codes->len > 0)
        {
          item->code_list = g_strdup (list->name);
          return TRUE;
        }
    }
  if (uri == NULL && version_uri == NULL)
    {
      *why = "a select field without values and without a code list reference";
      return FALSE;
    }
  list_key = g_strdup_printf ("%s\t%s\t%s\t%s\t%s", uri != NULL ? uri : "", version != NULL ? version : "",
                              version_uri != NULL ? version_uri : "", code_key != NULL ? code_key : "",
                              name_key != NULL ? name_key : "");
  list = g_hash_table_lookup (import->list_by_key, list_key);
  if (list != NULL)
    {
      item->code_list = g_strdup (list->name);
      return TRUE;
    }
  gc = find_gc_list (import, item, uri, version, version_uri);
  if (gc == NULL)
    {
      *why = "its code list is neither in the message nor among the genericode files given with --codelists";
      return FALSE;
    }
  code_col = code_key != NULL ? column_index (gc, code_key) : -1;
  if (code_col < 0)
    code_col = gc->key_column >= 0 ? gc->key_column : 0;
  name_col = name_key != NULL ? column_index (gc, name_key) : -1;
  if (name_col < 0)
    name_col = gc->columns->len > 1 ? (code_col == 0 ? 1 : 0) : code_col;
  list = form_list_new (import, gc->uri, gc->uri, gc->version);
  for (guint r = 0; r < gc->rows->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (gc->rows, r);
      form_list_add (list, seen, g_ptr_array_index (row, code_col), g_ptr_array_index (row, name_col));
    }
  if (list->codes->len == 0)
    {
      *why = "its code list has no codes";
      return FALSE;
    }
  g_hash_table_insert (import->list_by_key, g_steal_pointer (&list_key), list);
  item->code_list = g_strdup (list->name);
  return TRUE;
}
