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

/* FIM XDatenfelder → kiosk form (docs/fim.md). The message is read into a
 * tree of Items (pages, groups, headings, fields), keys and conditions are
 * worked out on that tree, and the form is written as JSON and loaded with
 * our own loader: what the loader refuses of an optional feature (a
 * pattern, a converted rule, a bound) is dropped and reported, so that the
 * written form always passes check-forms. */

G_DEFINE_QUARK (kiosk-fim-error-quark, kiosk_fim_error)

#define NS_XDF2 "urn:xoev-de:fim:standard:xdatenfelder_2"
#define NS_XDF3 "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"
#define NS_GC   "http://docs.oasis-open.org/codelist/ns/genericode/1.0/"

#define FORM_MAX_DEPTH   4      /* docs/forms.md: a page is level 1 */
#define MAX_ID_LENGTH    64
#define MAX_PRESENT_SET  64     /* fields named in one "required" condition */
#define MAX_TEXT         2000   /* characters of a label or help text kept */
#define RADIO_MAX_CODES  5
#define MAX_CODES        100000

/* ------------------------------------------------------------------ */
/* Results and notes */

static void
note_free (gpointer data)
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
/* Text */

static gboolean
is_forbidden_char (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029
         || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
         || c == 0xfeff || c == 0x200e || c == 0x200f;
}

/* @s with white space runs (line breaks and tabs included) made one space,
 * trimmed, control and bidi characters dropped, at most @max characters.
 * NULL for NULL or empty. libxml2 gives valid UTF-8. */
static char *
clean_text (const char *s,
            glong       max)
{
  GString *out;
  gboolean space = FALSE;
  glong n = 0;

  if (s == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (const char *p = s; *p != '\0' && n < max; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      if (g_unichar_isspace (c) || c == 0x2028 || c == 0x2029)
        {
          space = out->len > 0;
          continue;
        }
      if (is_forbidden_char (c))
        continue;
      if (space)
        {
          g_string_append_c (out, ' ');
          n++;
          space = FALSE;
        }
      g_string_append_unichar (out, c);
      n++;
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* XML */

typedef struct {
  const char *file;
  GString    *first;     /* the first error, "FILE:LINE: message" */
  gboolean    doctype;
  guint       doctype_line;
} XmlErrors;

static void
xml_error_handler (void *user_data, xmlErrorPtr err)
{
  xmlParserCtxtPtr ctxt = user_data;
  XmlErrors *errors = ctxt != NULL ? ctxt->_private : NULL;
  g_autofree char *message = NULL;

  if (errors == NULL || err == NULL || err->level < XML_ERR_ERROR || errors->first != NULL)
    return;
  message = clean_text (err->message != NULL ? err->message : "error", 300);
  errors->first = g_string_new (NULL);
  g_string_printf (errors->first, "%s:%d: the XML is not well-formed: %s",
                   errors->file, err->line > 0 ? err->line : 1, message != NULL ? message : "error");
}

static void
refuse_internal_subset (void          *ctx,
                        const xmlChar *name,
                        const xmlChar *external_id,
                        const xmlChar *system_id)
{
  xmlParserCtxtPtr ctxt = ctx;
  XmlErrors *errors = ctxt->_private;

  errors->doctype = TRUE;
  errors->doctype_line = ctxt->input != NULL ? (guint) ctxt->input->line : 0;
  xmlStopParser (ctxt);
}

static guint
xml_depth (xmlNodePtr node, guint depth, guint limit)
{
  guint deepest = depth;

  if (depth > limit)
    return depth;
  for (xmlNodePtr child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      {
        guint d = xml_depth (child, depth + 1, limit);
        deepest = MAX (deepest, d);
        if (deepest > limit)
          break;
      }
  return deepest;
}

/* Parses @data without network, external entities or DTD; a document with
 * a DOCTYPE is refused (XDatenfelder and genericode never have one, and
 * entity declarations are how XML bombs work). */
static xmlDocPtr
parse_xml (const char  *data,
           gsize        length,
           const char  *file,
           GError     **error)
{
  XmlErrors errors = { file, NULL, FALSE, 0 };
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc;

  if (length > KIOSK_FIM_MAX_FILE || length > G_MAXINT)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_IO,
                   "%s: the file is larger than %u MiB", file, KIOSK_FIM_MAX_FILE / (1024 * 1024));
      return NULL;
    }
  xmlInitParser ();
  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML, "%s: out of memory for the XML parser", file);
      return NULL;
    }
  ctxt->_private = &errors;
  ctxt->sax->internalSubset = refuse_internal_subset;
  ctxt->sax->serror = xml_error_handler;
  ctxt->sax->error = NULL;
  ctxt->sax->warning = NULL;
  ctxt->vctxt.error = NULL;
  ctxt->vctxt.warning = NULL;
  /* The structured handler of the SAX block gets the context's userData,
   * which is the context itself. */
  ctxt->userData = ctxt;
  doc = xmlCtxtReadMemory (ctxt, data, (int) length, file, NULL, XML_PARSE_NONET);
  if (errors.doctype)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML,
                   "%s:%u: the document has a DOCTYPE; XDatenfelder and genericode files have none, "
                   "and entity declarations are not read", file, MAX (errors.doctype_line, 1));
      if (errors.first != NULL)
        g_string_free (errors.first, TRUE);
      xmlFreeDoc (doc);
      xmlFreeParserCtxt (ctxt);
      return NULL;
    }
  if (doc == NULL || !ctxt->wellFormed || errors.first != NULL)
    {
      if (errors.first != NULL)
        g_set_error_literal (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML, errors.first->str);
      else
        g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML, "%s:%d: the XML is not well-formed",
                     file, ctxt->input != NULL && ctxt->input->line > 0 ? ctxt->input->line : 1);
      if (errors.first != NULL)
        g_string_free (errors.first, TRUE);
      xmlFreeDoc (doc);
      xmlFreeParserCtxt (ctxt);
      return NULL;
    }
  xmlFreeParserCtxt (ctxt);
  if (xmlDocGetRootElement (doc) == NULL)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML, "%s:1: the document has no element", file);
      xmlFreeDoc (doc);
      return NULL;
    }
  if (xml_depth (xmlDocGetRootElement (doc), 1, KIOSK_FIM_MAX_XML_DEPTH) > KIOSK_FIM_MAX_XML_DEPTH)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML,
                   "%s:1: elements are nested more than %u deep", file, KIOSK_FIM_MAX_XML_DEPTH);
      xmlFreeDoc (doc);
      return NULL;
    }
  return doc;
}

static gboolean
has_name (xmlNodePtr  node,
          const char *local)
{
  return node != NULL && node->type == XML_ELEMENT_NODE && strcmp ((const char *) node->name, local) == 0;
}

/* The first element child named @local (any namespace: XÖV code types
 * have unqualified children, genericode's are unqualified). */
static xmlNodePtr
child (xmlNodePtr  node,
       const char *local)
{
  if (node == NULL)
    return NULL;
  for (xmlNodePtr c = node->children; c != NULL; c = c->next)
    if (has_name (c, local))
      return c;
  return NULL;
}

static xmlNodePtr
first_element (xmlNodePtr node)
{
  for (xmlNodePtr c = node != NULL ? node->children : NULL; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      return c;
  return NULL;
}

static char *
node_text (xmlNodePtr node, glong max)
{
  xmlChar *content;
  char *text;

  if (node == NULL)
    return NULL;
  content = xmlNodeGetContent (node);
  text = clean_text ((const char *) content, max);
  xmlFree (content);
  return text;
}

static char *
child_text (xmlNodePtr node, const char *local)
{
  return node_text (child (node, local), MAX_TEXT);
}

/* The code of an XÖV code element: <x:feldart><code>input</code></x:feldart>. */
static char *
child_code (xmlNodePtr node, const char *local)
{
  xmlNodePtr c = child (node, local);

  if (c == NULL)
    return NULL;
  if (child (c, "code") != NULL)
    return node_text (child (c, "code"), 200);
  return node_text (c, 200);
}

static char *
attribute (xmlNodePtr node, const char *name)
{
  xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  char *text;

  if (value == NULL)
    return NULL;
  text = clean_text ((const char *) value, MAX_TEXT);
  xmlFree (value);
  return text;
}

static guint
line_of (xmlNodePtr node)
{
  long line = node != NULL ? xmlGetLineNo (node) : 0;
  return line > 0 ? (guint) line : 0;
}

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

gboolean
kiosk_fim_code_lists_add_data (KioskFimCodeLists *lists,
                               const char        *data,
                               gsize              length,
                               const char        *file,
                               GError           **error)
{
  xmlDocPtr doc = parse_xml (data, length, file, error);
  xmlNodePtr root, ident, set, simple;
  GcList *list;
  guint rows = 0;

  if (doc == NULL)
    return FALSE;
  root = xmlDocGetRootElement (doc);
  if (!has_name (root, "CodeList") || root->ns == NULL || strcmp ((const char *) root->ns->href, NS_GC) != 0)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_NOT_XDF,
                   "%s:%u: not a genericode 1.0 code list (root element CodeList in %s)", file, line_of (root), NS_GC);
      xmlFreeDoc (doc);
      return FALSE;
    }
  ident = child (root, "Identification");
  list = g_new0 (GcList, 1);
  list->file = g_strdup (file);
  list->uri = child_text (ident, "CanonicalUri");
  list->version = child_text (ident, "Version");
  list->version_uri = child_text (ident, "CanonicalVersionUri");
  list->short_name = child_text (ident, "ShortName");
  list->columns = g_ptr_array_new_with_free_func (g_free);
  list->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  list->key_column = -1;
  set = child (root, "ColumnSet");
  for (xmlNodePtr c = set != NULL ? set->children : NULL; c != NULL; c = c->next)
    if (has_name (c, "Column"))
      {
        char *id = attribute (c, "Id");
        g_ptr_array_add (list->columns, id != NULL ? id : g_strdup (""));
      }
  for (xmlNodePtr c = set != NULL ? set->children : NULL; c != NULL && list->key_column < 0; c = c->next)
    if (has_name (c, "Key"))
      {
        g_autofree char *ref = attribute (child (c, "ColumnRef"), "Ref");
        list->key_column = column_index (list, ref);
      }
  if (list->uri == NULL || list->columns->len == 0)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                   "%s:%u: the code list has no %s", file, line_of (root),
                   list->uri == NULL ? "Identification/CanonicalUri" : "ColumnSet columns");
      gc_list_free (list);
      xmlFreeDoc (doc);
      return FALSE;
    }
  simple = child (root, "SimpleCodeList");
  for (xmlNodePtr row = simple != NULL ? simple->children : NULL; row != NULL; row = row->next)
    {
      GPtrArray *values;
      guint position = 0;

      if (!has_name (row, "Row"))
        continue;
      if (++rows > MAX_CODES)
        {
          g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                       "%s:%u: the code list has more than %u rows", file, line_of (row), MAX_CODES);
          gc_list_free (list);
          xmlFreeDoc (doc);
          return FALSE;
        }
      values = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_set_size (values, list->columns->len);
      for (xmlNodePtr v = row->children; v != NULL; v = v->next)
        {
          g_autofree char *ref = NULL;
          gint index;

          if (!has_name (v, "Value"))
            continue;
          ref = attribute (v, "ColumnRef");
          index = ref != NULL ? column_index (list, ref) : (gint) position;
          position++;
          if (index < 0 || (guint) index >= values->len || g_ptr_array_index (values, index) != NULL)
            continue;
          g_ptr_array_index (values, index) = node_text (child (v, "SimpleValue"), MAX_TEXT);
        }
      g_ptr_array_add (list->rows, values);
    }
  g_ptr_array_add (lists->lists, list);
  xmlFreeDoc (doc);
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

/* ------------------------------------------------------------------ */
/* The tree of the form being built */

typedef enum {
  ITEM_PAGE,
  ITEM_GROUP,
  ITEM_HEADING,   /* a group flattened into its parent: a static text */
  ITEM_FIELD,
  ITEM_STATIC,    /* a label field, or a locked one shown as text */
} ItemType;

typedef struct _Item Item;
struct _Item {
  ItemType   type;
  char      *key;
  char      *fim_id, *fim_version, *name;
  char      *anzahl;
  char      *label, *help;
  guint      line;
  Item      *parent;
  GPtrArray *children;          /* of Item* (pages and groups) */
  guint      level;             /* form nesting level of a container (page = 1) */
  guint      min, max;          /* groups */
  Item      *scope;             /* nearest repeatable group, or NULL */
  Item      *optional;          /* nearest group with FIM multiplicity 0:1 (within the scope) */

  /* fields */
  const char *kind;
  gboolean   required;
  char      *required_if;
  gint       min_length, max_length;
  gboolean   has_min, has_max;
  double     min_value, max_value;
  char      *min_date, *max_date;
  char      *pattern;
  char      *code_list;         /* name in the form's code_lists */
  char      *constraint;
  char      *constraint_message;
  char      *constraint_rule;   /* the rule id it came from */
  char      *json_path;         /* where it was written, for the loader's problems */
};

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->key);
  g_free (item->fim_id);
  g_free (item->fim_version);
  g_free (item->name);
  g_free (item->anzahl);
  g_free (item->label);
  g_free (item->help);
  g_clear_pointer (&item->children, g_ptr_array_unref);
  g_free (item->required_if);
  g_free (item->min_date);
  g_free (item->max_date);
  g_free (item->pattern);
  g_free (item->code_list);
  g_free (item->constraint);
  g_free (item->constraint_message);
  g_free (item->constraint_rule);
  g_free (item->json_path);
  g_free (item);
}

static Item *
item_new (ItemType type, Item *parent)
{
  Item *item = g_new0 (Item, 1);

  item->type = type;
  item->parent = parent;
  item->min = item->max = 1;
  item->min_length = item->max_length = -1;
  if (type == ITEM_PAGE || type == ITEM_GROUP)
    item->children = g_ptr_array_new_with_free_func (item_free);
  if (parent != NULL)
    {
      item->scope = parent->type == ITEM_GROUP && parent->max > 1 ? parent : parent->scope;
      item->optional = parent->optional;
      item->level = parent->level;
      g_ptr_array_add (parent->children, item);
    }
  return item;
}

typedef struct {
  GString *script_text;
  char    *id, *version, *name, *type, *message;
  guint    line;
  gboolean mapped;
  char    *reason;          /* why not, when not */
  GPtrArray *owners;        /* Item* the rule is attached to (NULL: schema) */
} Rule;

static void
rule_free (gpointer data)
{
  Rule *rule = data;

  g_string_free (rule->script_text, TRUE);
  g_free (rule->id);
  g_free (rule->version);
  g_free (rule->name);
  g_free (rule->type);
  g_free (rule->message);
  g_free (rule->reason);
  g_ptr_array_unref (rule->owners);
  g_free (rule);
}

typedef struct {
  char      *name;
  char      *uri, *version;
  GPtrArray *codes;         /* char* pairs: code, label */
} FormList;

static void
form_list_free (gpointer data)
{
  FormList *list = data;

  g_free (list->name);
  g_free (list->uri);
  g_free (list->version);
  g_ptr_array_unref (list->codes);
  g_free (list);
}

typedef struct {
  const char            *file;
  int                    xdf;
  const KioskFimOptions *options;
  KioskFimResult        *result;
  GPtrArray             *pages;       /* of Item* */
  GHashTable            *keys;        /* used element ids */
  GPtrArray             *fields;      /* Item* of every field, document order */
  GPtrArray             *rules;       /* Rule*, each identification once */
  GHashTable            *rule_by_id;  /* "id\tversion" → Rule* */
  GPtrArray             *lists;       /* FormList* */
  GHashTable            *list_by_key; /* "uri\tversion" → FormList* */
  GHashTable            *list_names;
  GString               *map;         /* the TSV */
  guint                  loose_pages;
} Import;

static void
add_note (Import          *import,
          KioskFimNoteKind kind,
          guint            line,
          const char      *fim_id,
          const char      *fim_version,
          const char      *name,
          const char      *format,
          ...) G_GNUC_PRINTF (7, 8);

static void
add_note (Import          *import,
          KioskFimNoteKind kind,
          guint            line,
          const char      *fim_id,
          const char      *fim_version,
          const char      *name,
          const char      *format,
          ...)
{
  KioskFimNote *note = g_new0 (KioskFimNote, 1);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  note->kind = kind;
  note->line = line;
  note->fim_id = clean_text (fim_id, 64);
  note->fim_version = clean_text (fim_version, 32);
  note->name = clean_text (name, 120);
  note->message = clean_text (message, 1000);
  g_ptr_array_add (import->result->notes, note);
}

static void
item_note (Import *import, KioskFimNoteKind kind, const Item *item, const char *format, ...) G_GNUC_PRINTF (4, 5);

static void
item_note (Import *import, KioskFimNoteKind kind, const Item *item, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  add_note (import, kind, item->line, item->fim_id, item->fim_version, item->name, "%s", message);
}

/* ------------------------------------------------------------------ */
/* Keys */

static const char * const reserved_words[] = { "and", "or", "not", "in", "true", "false", "null", NULL };

/* @id as an element id component: lower case, [a-z0-9_], a letter first. */
static char *
id_component (const char *id)
{
  GString *out = g_string_new (NULL);

  for (const char *p = id != NULL ? id : ""; *p != '\0' && out->len < 40; p++)
    {
      char c = g_ascii_tolower (*p);
      g_string_append_c (out, g_ascii_isalnum (c) ? c : '_');
    }
  if (out->len == 0 || !g_ascii_isalpha (out->str[0]))
    g_string_prepend_c (out, 'x');
  return g_string_free (out, FALSE);
}

/* A key not used yet: @path when it is free and short enough, else @path
 * (or the element's own id when @path is too long) with _2, _3, … */
static char *
unique_key (Import     *import,
            const char *path,
            const char *own)
{
  const char *base = strlen (path) <= MAX_ID_LENGTH ? path : own;
  char *key = NULL;

  if (!g_hash_table_contains (import->keys, base) && !g_strv_contains (reserved_words, base))
    key = g_strdup (base);
  for (guint n = 2; key == NULL; n++)
    {
      g_autofree char *candidate = g_strdup_printf ("%s_%u", base, n);

      if (strlen (candidate) > MAX_ID_LENGTH)
        {
          g_free (g_steal_pointer (&candidate));
          candidate = g_strdup_printf ("%.*s_%u", MAX_ID_LENGTH - 8, own, n);
        }
      if (!g_hash_table_contains (import->keys, candidate))
        key = g_steal_pointer (&candidate);
    }
  g_hash_table_add (import->keys, g_strdup (key));
  return key;
}

/* The path prefix for keys below @item: the key of the nearest group or
 * page that stands for a datenfeldgruppe. */
static char *
child_key (Import     *import,
           const char *prefix,
           const char *fim_id)
{
  g_autofree char *own = id_component (fim_id);
  g_autofree char *path = prefix != NULL ? g_strconcat (prefix, "_", own, NULL) : g_strdup (own);

  return unique_key (import, path, own);
}

/* ------------------------------------------------------------------ */
/* Elements */

typedef struct {
  xmlNodePtr node;
  char *id, *version, *name, *label, *help;
  guint line;
} Common;

static void
common_clear (Common *c)
{
  g_free (c->id);
  g_free (c->version);
  g_free (c->name);
  g_free (c->label);
  g_free (c->help);
}

static void
read_common (xmlNodePtr node, Common *c)
{
  xmlNodePtr ident = child (node, "identifikation");

  c->node = node;
  c->id = node_text (child (ident, "id"), 64);
  c->version = node_text (child (ident, "version"), 32);
  c->name = child_text (node, "name");
  c->label = child_text (node, "bezeichnungEingabe");
  if (c->label == NULL)
    c->label = child_text (node, "bezeichnung");
  if (c->label == NULL)
    c->label = g_strdup (c->name != NULL ? c->name : (c->id != NULL ? c->id : "Angabe"));
  c->help = child_text (node, "hilfetextEingabe");
  if (c->help == NULL)
    c->help = child_text (node, "hilfetext");
  c->line = line_of (node);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Common, common_clear)

static void
item_take_common (Item *item, Common *c)
{
  item->fim_id = g_steal_pointer (&c->id);
  item->fim_version = g_steal_pointer (&c->version);
  item->name = g_steal_pointer (&c->name);
  item->label = g_steal_pointer (&c->label);
  item->help = g_steal_pointer (&c->help);
  item->line = c->line;
}

/* "1:1", "0:1", "0:*", "1:n" … */
static gboolean
parse_anzahl (const char *text, guint *min, guint *max, gboolean *unbounded)
{
  g_auto(GStrv) parts = NULL;
  guint64 a, b;

  *min = *max = 1;
  *unbounded = FALSE;
  if (text == NULL)
    return TRUE;
  parts = g_strsplit (text, ":", 3);
  if (g_strv_length (parts) != 2)
    return FALSE;
  g_strstrip (parts[0]);
  g_strstrip (parts[1]);
  if (!g_ascii_string_to_unsigned (parts[0], 10, 0, 100000, &a, NULL))
    return FALSE;
  if (strcmp (parts[1], "*") == 0 || g_ascii_strcasecmp (parts[1], "n") == 0)
    {
      *unbounded = TRUE;
      b = G_MAXUINT;
    }
  else if (!g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXUINT, &b, NULL))
    return FALSE;
  if (a > b)
    return FALSE;
  *min = (guint) a;
  *max = (guint) b;
  return TRUE;
}

static void collect_rules (Import *import, xmlNodePtr node, Item *owner);

/* Inside a repeatable group (or one itself): no repetition below. */
static gboolean
in_repeat (const Item *container)
{
  return (container->type == ITEM_GROUP && container->max > 1) || container->scope != NULL;
}

static void import_structures (Import *import, xmlNodePtr node, Item *container, const char *prefix, guint group_depth);

/* praezisierung: XDF 3 attributes, or XDF 2 text holding a JSON object. */
typedef struct {
  char *min_length, *max_length, *min_value, *max_value, *pattern;
} Praezisierung;

static void
praezisierung_clear (Praezisierung *p)
{
  g_free (p->min_length);
  g_free (p->max_length);
  g_free (p->min_value);
  g_free (p->max_value);
  g_free (p->pattern);
}

static char *
json_member_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
      }
    default:
      return NULL;
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Praezisierung, praezisierung_clear)

static void
read_praezisierung (Import *import, Item *item, xmlNodePtr node, Praezisierung *p)
{
  g_autofree char *text = NULL;
  xmlChar *raw;

  if (node == NULL)
    return;
  p->min_length = attribute (node, "minLength");
  p->max_length = attribute (node, "maxLength");
  p->min_value = attribute (node, "minValue");
  p->max_value = attribute (node, "maxValue");
  raw = xmlGetProp (node, (const xmlChar *) "pattern");
  if (raw != NULL)
    p->pattern = g_strdup ((const char *) raw);
  xmlFree (raw);
  raw = xmlNodeGetContent (node);
  text = g_strdup (raw != NULL ? g_strstrip ((char *) raw) : "");
  xmlFree (raw);
  if (text[0] == '{')
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      JsonNode *root;

      if (json_parser_load_from_data (parser, text, -1, NULL)
          && (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *object = json_node_get_object (root);
          if (p->min_length == NULL)
            p->min_length = json_member_string (object, "minLength");
          if (p->max_length == NULL)
            p->max_length = json_member_string (object, "maxLength");
          if (p->min_value == NULL)
            p->min_value = json_member_string (object, "minValue");
          if (p->max_value == NULL)
            p->max_value = json_member_string (object, "maxValue");
          if (p->pattern == NULL)
            p->pattern = json_member_string (object, "pattern");
        }
      else
        item_note (import, KIOSK_FIM_NOTE_WARNING, item, "praezisierung is not a JSON object; ignored");
    }
  else if (text[0] != '\0')
    item_note (import, KIOSK_FIM_NOTE_WARNING, item, "praezisierung \"%.60s\" is not understood; ignored", text);
}

/* An XSD pattern as a PCRE pattern (both anchored to the whole value), or
 * NULL when it uses what PCRE lacks. */
static char *
xsd_pattern_to_pcre (const char *xsd, const char **why)
{
  GString *out = g_string_new (NULL);
  gboolean in_class = FALSE;

  for (const char *p = xsd; *p != '\0'; p++)
    {
      if (*p == '\\')
        {
          char next = p[1];

          if (next == '\0')
            {
              *why = "it ends in a backslash";
              goto fail;
            }
          if (next == 'i' || next == 'I' || next == 'c' || next == 'C')
            {
              *why = "it uses the XML name escapes \\i or \\c";
              goto fail;
            }
          if ((next == 'p' || next == 'P') && p[2] == '{' && p[3] == 'I' && p[4] == 's')
            {
              *why = "it uses a Unicode block escape \\p{Is…}";
              goto fail;
            }
          g_string_append_c (out, '\\');
          g_string_append_c (out, next);
          p++;
          continue;
        }
      if (in_class)
        {
          if (*p == '-' && p[1] == '[')
            {
              *why = "it uses character class subtraction";
              goto fail;
            }
          if (*p == '[')
            g_string_append (out, "\\[");
          else
            g_string_append_c (out, *p);
          if (*p == ']')
            in_class = FALSE;
          continue;
        }
      if (*p == '[')
        {
          in_class = TRUE;
          g_string_append_c (out, '[');
          if (p[1] == '^')
            g_string_append_c (out, *++p);
          if (p[1] == ']')
            g_string_append_c (out, *++p);
          continue;
        }
      /* In XSD, ^ and $ are ordinary characters. */
      if (*p == '^' || *p == '$')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  if (in_class)
    {
      *why = "a character class is not closed";
      goto fail;
    }
  return g_string_free (out, FALSE);
fail:
  g_string_free (out, TRUE);
  return NULL;
}

static gboolean
parse_number (const char *text, double *value)
{
  g_autofree char *copy = NULL;
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  copy = g_strdup (text);
  g_strdelimit (copy, ",", '.');
  *value = g_ascii_strtod (copy, &end);
  return end != copy && *end == '\0' && isfinite (*value) && fabs (*value) < 1e15;
}

static gboolean
is_iso_date (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *iso = NULL;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  iso = g_strconcat (text, "T00:00:00Z", NULL);
  dt = g_date_time_new_from_iso8601 (iso, NULL);
  return dt != NULL;
}

static gboolean
is_text_kind (const char *kind)
{
  return g_strcmp0 (kind, "text") == 0 || g_strcmp0 (kind, "multiline") == 0;
}

static gboolean
is_number_kind (const char *kind)
{
  return g_strcmp0 (kind, "number") == 0 || g_strcmp0 (kind, "integer") == 0
         || g_strcmp0 (kind, "currency") == 0;
}

static void
apply_praezisierung (Import *import, Item *item, Praezisierung *p)
{
  guint64 n;

  if (is_text_kind (item->kind))
    {
      if (p->min_length != NULL)
        {
          if (g_ascii_string_to_unsigned (p->min_length, 10, 0, 100000, &n, NULL))
            item->min_length = (gint) n;
          else
            item_note (import, KIOSK_FIM_NOTE_WARNING, item, "minLength \"%.20s\" is not a length; ignored", p->min_length);
        }
      if (p->max_length != NULL)
        {
          if (g_ascii_string_to_unsigned (p->max_length, 10, 1, 100000, &n, NULL))
            item->max_length = (gint) n;
          else
            item_note (import, KIOSK_FIM_NOTE_WARNING, item, "maxLength \"%.20s\" is not a length; ignored", p->max_length);
        }
      if (item->min_length >= 0 && item->max_length >= 0 && item->min_length > item->max_length)
        {
          item_note (import, KIOSK_FIM_NOTE_WARNING, item, "minLength is larger than maxLength; both ignored");
          item->min_length = item->max_length = -1;
        }
      if (item->max_length > 200 && g_strcmp0 (item->kind, "text") == 0)
        item->kind = "multiline";
      if (p->pattern != NULL && *p->pattern != '\0')
        {
          const char *why = NULL;
          char *pcre = xsd_pattern_to_pcre (p->pattern, &why);

          if (pcre == NULL)
            item_note (import, KIOSK_FIM_NOTE_WARNING, item, "the pattern is not checked: %s", why);
          else
            item->pattern = pcre;
        }
    }
  else if (p->min_length != NULL || p->max_length != NULL || (p->pattern != NULL && *p->pattern != '\0'))
    {
      if (g_strcmp0 (item->kind, "date") != 0 && g_strcmp0 (item->kind, "checkbox") != 0
          && g_strcmp0 (item->kind, "select") != 0 && g_strcmp0 (item->kind, "radio") != 0)
        item_note (import, KIOSK_FIM_NOTE_WARNING, item, "length and pattern bounds apply to text only; ignored for kind %s", item->kind);
    }
  if (is_number_kind (item->kind))
    {
      if (p->min_value != NULL)
        {
          item->has_min = parse_number (p->min_value, &item->min_value);
          if (!item->has_min)
            item_note (import, KIOSK_FIM_NOTE_WARNING, item, "minValue \"%.30s\" is not a number; ignored", p->min_value);
        }
      if (p->max_value != NULL)
        {
          item->has_max = parse_number (p->max_value, &item->max_value);
          if (!item->has_max)
            item_note (import, KIOSK_FIM_NOTE_WARNING, item, "maxValue \"%.30s\" is not a number; ignored", p->max_value);
        }
      if (item->has_min && item->has_max && item->min_value > item->max_value)
        {
          item_note (import, KIOSK_FIM_NOTE_WARNING, item, "minValue is larger than maxValue; both ignored");
          item->has_min = item->has_max = FALSE;
        }
    }
  else if (g_strcmp0 (item->kind, "date") == 0)
    {
      if (p->min_value != NULL)
        {
          if (is_iso_date (p->min_value))
            item->min_date = g_strdup (p->min_value);
          else
            item_note (import, KIOSK_FIM_NOTE_WARNING, item, "minValue \"%.30s\" is not a date YYYY-MM-DD; ignored", p->min_value);
        }
      if (p->max_value != NULL)
        {
          if (is_iso_date (p->max_value))
            item->max_date = g_strdup (p->max_value);
          else
            item_note (import, KIOSK_FIM_NOTE_WARNING, item, "maxValue \"%.30s\" is not a date YYYY-MM-DD; ignored", p->max_value);
        }
      if (item->min_date != NULL && item->max_date != NULL && strcmp (item->min_date, item->max_date) > 0)
        {
          item_note (import, KIOSK_FIM_NOTE_WARNING, item, "minValue lies after maxValue; both ignored");
          g_clear_pointer (&item->min_date, g_free);
          g_clear_pointer (&item->max_date, g_free);
        }
    }
  else if (p->min_value != NULL || p->max_value != NULL)
    item_note (import, KIOSK_FIM_NOTE_WARNING, item, "value bounds apply to numbers and dates only; ignored for kind %s", item->kind);
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
    item_note (import, KIOSK_FIM_NOTE_WARNING, item,
               "code list %s version %s not given; version %s from %s used",
               uri, version, same_uri->version != NULL ? same_uri->version : "(none)", same_uri->file);
  return same_uri;
}

/* Sets item->code_list from embedded values (XDF 3 <werte>) or a genericode
 * file; FALSE with @why when there is neither. */
static gboolean
resolve_code_list (Import *import, Item *item, xmlNodePtr field, const char **why, char **uri_out)
{
  xmlNodePtr werte = child (field, "werte");
  xmlNodePtr ref = child (field, "codelisteReferenz");
  xmlNodePtr gid = child (ref, "genericodeIdentification");
  g_autofree char *uri = NULL, *version = NULL, *version_uri = NULL, *code_key = NULL, *name_key = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *list_key = NULL;
  FormList *list;
  GcList *gc;
  gint code_col, name_col;

  if (gid == NULL)
    gid = child (ref, "genericode");
  if (gid == NULL)
    gid = ref;
  uri = child_text (gid, "canonicalIdentification");
  version = child_text (gid, "version");
  version_uri = child_text (gid, "canonicalVersionUri");
  code_key = child_text (field, "codeKey");
  name_key = child_text (field, "nameKey");
  *uri_out = g_strdup (uri != NULL ? uri : version_uri);

  if (werte != NULL && child (werte, "wert") != NULL)
    {
      list = form_list_new (import, uri != NULL ? uri : item->key, uri, version);
      for (xmlNodePtr w = werte->children; w != NULL; w = w->next)
        if (has_name (w, "wert"))
          {
            g_autofree char *code = child_text (w, "code");
            g_autofree char *label = child_text (w, "name");
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

static void
map_line (Import *import, const char *key, const Item *item, const char *kind)
{
  g_string_append_printf (import->map, "%s\t%s\t%s\t%s\t%s\t%s\n", key != NULL ? key : "-",
                          item->fim_id != NULL ? item->fim_id : "-",
                          item->fim_version != NULL ? item->fim_version : "-", kind,
                          item->anzahl != NULL ? item->anzahl : "-",
                          item->name != NULL ? item->name : "-");
}

static void
unmapped_field (Import *import, Item *item, const char *why)
{
  import->result->unmapped++;
  item_note (import, KIOSK_FIM_NOTE_UNMAPPED, item, "%s", why);
  map_line (import, NULL, item, "unmapped");
}

/* Adds the datenfeld @node with multiplicity @anzahl to @container. */
static void
import_field (Import     *import,
              xmlNodePtr  node,
              const char *anzahl,
              Item       *container,
              const char *prefix)
{
  g_auto(Common) c = { 0 };
  g_autofree char *feldart = child_code (node, "feldart");
  g_autofree char *datentyp = child_code (node, "datentyp");
  g_auto(Praezisierung) p = { 0 };
  g_autofree char *uri = NULL;
  guint min = 1, max = 1;
  gboolean unbounded = FALSE;
  Item probe = { 0 };
  Item *item, *holder = container;
  const char *why = NULL;

  read_common (node, &c);
  probe.fim_id = c.id;
  probe.fim_version = c.version;
  probe.name = c.name;
  probe.line = c.line;
  probe.anzahl = (char *) anzahl;
  if (!parse_anzahl (anzahl, &min, &max, &unbounded))
    {
      item_note (import, KIOSK_FIM_NOTE_WARNING, &probe, "multiplicity \"%.20s\" is not understood; taken as 1:1", anzahl);
      min = max = 1;
    }
  if (feldart == NULL)
    feldart = g_strdup ("input");
  if (datentyp == NULL)
    datentyp = g_strdup ("text");

  if (strcmp (feldart, "hidden") == 0)
    why = "feldart hidden: the form format has no hidden field with a preset value (the receiving side adds it)";
  else if (strcmp (datentyp, "file") == 0)
    why = "datentyp file: an upload needs a scanner or a storage device, which a terminal does not have";
  else if (strcmp (datentyp, "obj") == 0)
    why = "datentyp obj: a binary object cannot be entered at a terminal";
  else if (strcmp (feldart, "label") != 0 && strcmp (feldart, "locked") != 0
           && strcmp (feldart, "input") != 0 && strcmp (feldart, "select") != 0)
    why = "unknown feldart";
  if (why != NULL)
    {
      unmapped_field (import, &probe, why);
      collect_rules (import, node, NULL);
      return;
    }

  if (strcmp (feldart, "label") == 0 || strcmp (feldart, "locked") == 0)
    {
      g_autofree char *inhalt = child_text (node, "inhalt");

      item = item_new (ITEM_STATIC, container);
      item_take_common (item, &c);
      item->anzahl = g_strdup (anzahl);
      item->kind = "static";
      item->key = child_key (import, prefix, item->fim_id);
      if (strcmp (feldart, "label") == 0)
        {
          /* The text of a label is its content; its name is the heading. */
          if (inhalt != NULL)
            {
              g_free (item->help);
              item->help = g_steal_pointer (&inhalt);
            }
          import->result->fields++;
          map_line (import, item->key, item, "static");
        }
      else
        {
          if (inhalt != NULL)
            {
              g_autofree char *shown = g_strdup_printf ("%s: %s", item->label, inhalt);
              g_free (item->label);
              item->label = g_steal_pointer (&shown);
            }
          import->result->unmapped++;
          item_note (import, KIOSK_FIM_NOTE_UNMAPPED, item,
                     "feldart locked: shown as text, not sent (the form format has no read-only field)");
          map_line (import, item->key, item, "static (locked, not sent)");
        }
      collect_rules (import, node, NULL);
      return;
    }

  /* A field the visitor fills in; several values: a repeatable group of one field. */
  if (max > 1)
    {
      if (!in_repeat (container) && container->level < FORM_MAX_DEPTH)
        {
          Item *group = item_new (ITEM_GROUP, container);

          group->fim_id = g_strdup (c.id);
          group->fim_version = g_strdup (c.version);
          group->name = g_strdup (c.name);
          group->label = g_strdup (c.label);
          group->line = c.line;
          group->anzahl = g_strdup (anzahl);
          group->min = min;
          group->max = MIN (max, KIOSK_FIM_UNBOUNDED_MAX);
          if (group->max < 2)
            group->max = 2;
          group->level = container->level + 1;
          group->scope = NULL;
          group->optional = NULL;
          group->key = child_key (import, prefix, c.id);
          map_line (import, group->key, group, "group (repeated field)");
          if (max > KIOSK_FIM_UNBOUNDED_MAX && !unbounded)
            item_note (import, KIOSK_FIM_NOTE_WARNING, &probe, "at most %u values instead of %u", KIOSK_FIM_UNBOUNDED_MAX, max);
          holder = group;
          min = 1;
        }
      else
        item_note (import, KIOSK_FIM_NOTE_WARNING, &probe,
                   "multiplicity %s: one value only (the form format allows no repetition here)", anzahl);
    }

  item = item_new (ITEM_FIELD, holder);
  item_take_common (item, &c);
  item->anzahl = g_strdup (anzahl);
  item->required = min >= 1;
  if (holder != container)
    {
      g_autofree char *path = g_strconcat (holder->key, "_wert", NULL);
      item->key = unique_key (import, path, path);
    }
  else
    item->key = child_key (import, prefix, item->fim_id);

  if (strcmp (feldart, "select") == 0)
    {
      const char *list_why = NULL;

      if (!resolve_code_list (import, item, node, &list_why, &uri))
        {
          g_autofree char *message = g_strdup_printf ("%s%s%s%s", list_why, uri != NULL ? " (" : "",
                                                      uri != NULL ? uri : "", uri != NULL ? ")" : "");
          unmapped_field (import, item, message);
          g_hash_table_remove (import->keys, item->key);
          g_ptr_array_remove (holder->children, item);   /* frees it */
          if (holder != container)
            g_ptr_array_remove (container->children, holder);
          collect_rules (import, node, NULL);
          return;
        }
      item->kind = "select";
    }
  else if (strcmp (datentyp, "text") == 0)
    item->kind = "text";
  else if (strcmp (datentyp, "text_latin") == 0)
    {
      item->kind = "text";
      item_note (import, KIOSK_FIM_NOTE_WARNING, item,
                 "datentyp text_latin (DIN 91379): checked as plain text (kind name checks names, data type A, only)");
    }
  else if (strcmp (datentyp, "date") == 0)
    item->kind = "date";
  else if (strcmp (datentyp, "time") == 0)
    {
      item->kind = "text";
      item->pattern = g_strdup ("([01][0-9]|2[0-3]):[0-5][0-9]");
      item_note (import, KIOSK_FIM_NOTE_WARNING, item, "datentyp time: a text HH:MM (the form format has no time kind)");
    }
  else if (strcmp (datentyp, "datetime") == 0)
    {
      item->kind = "text";
      item->pattern = g_strdup ("[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]");
      item_note (import, KIOSK_FIM_NOTE_WARNING, item,
                 "datentyp datetime: a text YYYY-MM-DDTHH:MM (the form format has no date-time kind)");
    }
  else if (strcmp (datentyp, "bool") == 0)
    {
      item->kind = "checkbox";
      if (item->required)
        item_note (import, KIOSK_FIM_NOTE_WARNING, item,
                   "datentyp bool with multiplicity %s: a checkbox, not forced to be ticked (unticked is the answer no)",
                   anzahl != NULL ? anzahl : "1:1");
      item->required = FALSE;
    }
  else if (strcmp (datentyp, "num") == 0)
    item->kind = "number";
  else if (strcmp (datentyp, "num_int") == 0)
    item->kind = "integer";
  else if (strcmp (datentyp, "num_currency") == 0)
    item->kind = "currency";
  else
    {
      g_autofree char *message = g_strdup_printf ("unknown datentyp \"%.30s\"", datentyp);
      unmapped_field (import, item, message);
      g_hash_table_remove (import->keys, item->key);
      g_ptr_array_remove (holder->children, item);
      if (holder != container)
        g_ptr_array_remove (container->children, holder);
      collect_rules (import, node, NULL);
      return;
    }

  read_praezisierung (import, item, child (node, "praezisierung"), &p);
  apply_praezisierung (import, item, &p);
  if (item->code_list != NULL)
    {
      for (guint i = 0; i < import->lists->len; i++)
        {
          FormList *list = g_ptr_array_index (import->lists, i);
          if (strcmp (list->name, item->code_list) == 0 && list->codes->len / 2 <= RADIO_MAX_CODES)
            item->kind = "radio";
        }
    }
  {
    g_autofree char *inhalt = child_text (node, "inhalt");
    if (inhalt != NULL)
      item_note (import, KIOSK_FIM_NOTE_WARNING, item, "the preset value (inhalt) is not shown: the form format has none");
  }
  import->result->fields++;
  g_ptr_array_add (import->fields, item);
  map_line (import, item->key, item, item->kind);
  collect_rules (import, node, item);
}

/* Adds the datenfeldgruppe @node with multiplicity @anzahl below @container. */
static void
import_group (Import     *import,
              xmlNodePtr  node,
              const char *anzahl,
              Item       *container,
              const char *prefix,
              guint       group_depth)
{
  g_auto(Common) c = { 0 };
  g_autofree char *art = child_code (node, "art");
  g_autofree char *key = NULL;
  guint min = 1, max = 1;
  gboolean unbounded = FALSE;
  Item *item;

  read_common (node, &c);
  if (!parse_anzahl (anzahl, &min, &max, &unbounded))
    {
      add_note (import, KIOSK_FIM_NOTE_WARNING, c.line, c.id, c.version, c.name,
                "multiplicity \"%.20s\" is not understood; taken as 1:1", anzahl);
      min = max = 1;
    }
  if (group_depth > KIOSK_FIM_MAX_GROUP_DEPTH)
    return;
  key = child_key (import, prefix, c.id);
  import->result->groups++;

  if (container->level >= FORM_MAX_DEPTH)
    {
      /* Too deep for the format: a heading, its elements follow it. */
      item = item_new (ITEM_HEADING, container);
      item_take_common (item, &c);
      item->anzahl = g_strdup (anzahl);
      item->key = g_strdup (key);
      item->kind = "static";
      item_note (import, KIOSK_FIM_NOTE_WARNING, item,
                 "nested deeper than the form format's %u levels: a heading, its fields follow it%s",
                 FORM_MAX_DEPTH, max > 1 ? "; one instance only" : "");
      map_line (import, key, item, "heading");
      collect_rules (import, node, item);
      import_structures (import, node, container, key, group_depth + 1);
      return;
    }
  item = item_new (ITEM_GROUP, container);
  item_take_common (item, &c);
  item->anzahl = g_strdup (anzahl);
  item->key = g_strdup (key);
  item->level = container->level + 1;
  if (max > 1 && !in_repeat (container))
    {
      item->min = min;
      item->max = MIN (max, KIOSK_FIM_UNBOUNDED_MAX);
      item->scope = NULL;
      item->optional = NULL;
      if (max > KIOSK_FIM_UNBOUNDED_MAX && !unbounded)
        item_note (import, KIOSK_FIM_NOTE_WARNING, item, "at most %u instances instead of %u", KIOSK_FIM_UNBOUNDED_MAX, max);
    }
  else
    {
      if (max > 1)
        item_note (import, KIOSK_FIM_NOTE_WARNING, item,
                   "multiplicity %s inside a repeated group: one instance (the form format repeats one level only)", anzahl);
      if (min == 0)
        item->optional = item;
    }
  if (art != NULL && *art != '\0')
    item_note (import, KIOSK_FIM_NOTE_WARNING, item,
               "group kind (art) \"%.10s\" (e.g. a choice of one of its parts) is not enforced: every part is offered", art);
  map_line (import, key, item, item->max > 1 ? "group (repeatable)" : "group");
  collect_rules (import, node, item);
  import_structures (import, node, item, key, group_depth + 1);
  if (item->children->len == 0)
    g_ptr_array_remove (container->children, item);
}

static void
import_structures (Import     *import,
                   xmlNodePtr  node,
                   Item       *container,
                   const char *prefix,
                   guint       group_depth)
{
  if (group_depth > KIOSK_FIM_MAX_GROUP_DEPTH)
    return;
  for (xmlNodePtr s = node->children; s != NULL; s = s->next)
    {
      g_autofree char *anzahl = NULL;
      xmlNodePtr element;

      if (!has_name (s, "struktur"))
        continue;
      anzahl = child_text (s, "anzahl");
      element = first_element (child (s, "enthaelt"));
      if (has_name (element, "datenfeld"))
        import_field (import, element, anzahl, container, prefix);
      else if (has_name (element, "datenfeldgruppe"))
        import_group (import, element, anzahl, container, prefix, group_depth);
    }
}

/* ------------------------------------------------------------------ */
/* Rules */

static void
collect_rules (Import *import, xmlNodePtr node, Item *owner)
{
  for (xmlNodePtr r = node->children; r != NULL; r = r->next)
    {
      xmlNodePtr ident;
      g_autofree char *id = NULL, *version = NULL, *key = NULL;
      Rule *rule;

      if (!has_name (r, "regel"))
        continue;
      ident = child (r, "identifikation");
      id = node_text (child (ident, "id"), 64);
      version = node_text (child (ident, "version"), 32);
      key = g_strdup_printf ("%s\t%s\t%u", id != NULL ? id : "", version != NULL ? version : "",
                             id == NULL ? line_of (r) : 0);
      rule = g_hash_table_lookup (import->rule_by_id, key);
      if (rule == NULL)
        {
          xmlChar *script;

          rule = g_new0 (Rule, 1);
          rule->id = g_steal_pointer (&id);
          rule->version = g_steal_pointer (&version);
          rule->name = child_text (r, "name");
          rule->type = child_code (r, "typ");
          rule->line = line_of (r);
          rule->message = child_text (r, "freitextRegel");
          if (rule->message == NULL)
            rule->message = child_text (r, "definition");
          if (rule->message == NULL)
            rule->message = child_text (r, "beschreibung");
          if (rule->message == NULL)
            rule->message = g_strdup (rule->name != NULL ? rule->name : "Die Angaben passen nicht zusammen.");
          script = xmlNodeGetContent (child (r, "skript") != NULL ? child (r, "skript") : child (r, "script"));
          rule->script_text = g_string_new (script != NULL ? (const char *) script : "");
          xmlFree (script);
          rule->owners = g_ptr_array_new ();
          g_ptr_array_add (import->rules, rule);
          g_hash_table_insert (import->rule_by_id, g_steal_pointer (&key), rule);
        }
      g_ptr_array_add (rule->owners, owner);
    }
}

/* A tiny JavaScript subset → our expression language (docs/fim.md):
 * || && ! == === != !== < <= > >=, parentheses, string and number
 * literals, true false null undefined, FIM field ids, id.length. */
typedef enum { T_END, T_ID, T_NUM, T_STR, T_OP, T_BAD } TokType;

typedef struct {
  const char *p;
  TokType     type;
  char       *text;
  Import     *import;
  Item       *owner;
  GPtrArray  *referenced;   /* Item* */
  const char *why;
} Lexer;

static void
lex (Lexer *lx)
{
  static const char * const ops[] = { "===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", ".", NULL };
  const char *p = lx->p;

  g_clear_pointer (&lx->text, g_free);
  while (g_ascii_isspace (*p))
    p++;
  if (*p == '\0')
    {
      lx->type = T_END;
      lx->p = p;
      return;
    }
  if (g_ascii_isalpha (*p) || *p == '_' || *p == '$')
    {
      const char *start = p;
      while (g_ascii_isalnum (*p) || *p == '_' || *p == '$')
        p++;
      lx->type = T_ID;
      lx->text = g_strndup (start, p - start);
    }
  else if (g_ascii_isdigit (*p))
    {
      const char *start = p;
      while (g_ascii_isdigit (*p))
        p++;
      if (*p == '.' && g_ascii_isdigit (p[1]))
        for (p++; g_ascii_isdigit (*p); p++)
          ;
      lx->type = T_NUM;
      lx->text = g_strndup (start, p - start);
    }
  else if (*p == '\'' || *p == '"')
    {
      char quote = *p++;
      GString *s = g_string_new (NULL);

      while (*p != '\0' && *p != quote)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          g_string_append_c (s, *p++);
        }
      if (*p != quote)
        {
          g_string_free (s, TRUE);
          lx->type = T_BAD;
          lx->p = p;
          return;
        }
      p++;
      lx->type = T_STR;
      lx->text = g_string_free (s, FALSE);
    }
  else
    {
      lx->type = T_BAD;
      for (guint i = 0; ops[i] != NULL; i++)
        if (g_str_has_prefix (p, ops[i]))
          {
            lx->type = T_OP;
            lx->text = g_strdup (ops[i]);
            p += strlen (ops[i]);
            break;
          }
    }
  lx->p = p;
}

static gboolean
is_op (Lexer *lx, const char *op)
{
  return lx->type == T_OP && strcmp (lx->text, op) == 0;
}

static gboolean
scope_contains (const Item *scope, const Item *item)
{
  for (const Item *i = item; i != NULL; i = i->parent)
    if (i == scope)
      return TRUE;
  return scope == NULL;
}

/* The field with FIM id @id that @owner's rule means: the only one, or the
 * one in the same repeatable group closest to @owner. */
static Item *
resolve_reference (Lexer *lx, const char *id)
{
  Item *best = NULL;
  gsize best_common = 0;
  guint found = 0;

  for (guint i = 0; i < lx->import->fields->len; i++)
    {
      Item *field = g_ptr_array_index (lx->import->fields, i);
      gsize common = 0;

      if (g_strcmp0 (field->fim_id, id) != 0)
        continue;
      if (lx->owner != NULL && field->scope != NULL && !scope_contains (field->scope, lx->owner))
        continue;
      found++;
      if (lx->owner != NULL)
        while (field->key[common] != '\0' && field->key[common] == lx->owner->key[common])
          common++;
      if (best == NULL || common > best_common)
        {
          best = field;
          best_common = common;
        }
    }
  if (found == 0)
    lx->why = "it names an element that is not an input field of the form";
  return best;
}

static gboolean parse_or (Lexer *lx, GString *out);

static gboolean
parse_primary (Lexer *lx, GString *out)
{
  if (is_op (lx, "("))
    {
      lex (lx);
      g_string_append_c (out, '(');
      if (!parse_or (lx, out) || !is_op (lx, ")"))
        return FALSE;
      g_string_append_c (out, ')');
      lex (lx);
      return TRUE;
    }
  if (lx->type == T_NUM)
    {
      g_string_append (out, lx->text);
      lex (lx);
      return TRUE;
    }
  if (lx->type == T_STR)
    {
      g_string_append_c (out, '\'');
      for (const char *p = lx->text; *p != '\0'; p++)
        {
          if (*p == '\'' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '\'');
      lex (lx);
      return TRUE;
    }
  if (lx->type == T_ID)
    {
      if (strcmp (lx->text, "true") == 0 || strcmp (lx->text, "false") == 0 || strcmp (lx->text, "null") == 0)
        g_string_append (out, lx->text);
      else if (strcmp (lx->text, "undefined") == 0)
        g_string_append (out, "null");
      else
        {
          Item *field = resolve_reference (lx, lx->text);

          if (field == NULL)
            return FALSE;
          g_ptr_array_add (lx->referenced, field);
          lex (lx);
          if (is_op (lx, "."))
            {
              lex (lx);
              if (lx->type != T_ID || strcmp (lx->text, "length") != 0)
                {
                  lx->why = "it uses a property other than .length";
                  return FALSE;
                }
              g_string_append_printf (out, "len(%s)", field->key);
            }
          else
            g_string_append (out, field->key);
          if (is_op (lx, "("))
            {
              lx->why = "it calls a function";
              return FALSE;
            }
          if (lx->type == T_ID && strcmp (lx->text, "length") == 0)
            lex (lx);
          return TRUE;
        }
      lex (lx);
      return TRUE;
    }
  if (lx->why == NULL)
    lx->why = "it is not a condition of the supported form (comparisons joined with && || !)";
  return FALSE;
}

static gboolean
parse_unary (Lexer *lx, GString *out)
{
  if (is_op (lx, "!"))
    {
      lex (lx);
      g_string_append (out, "not (");
      if (!parse_unary (lx, out))
        return FALSE;
      g_string_append_c (out, ')');
      return TRUE;
    }
  return parse_primary (lx, out);
}

static gboolean
parse_compare (Lexer *lx, GString *out)
{
  static const char * const from[] = { "===", "!==", "==", "!=", "<=", ">=", "<", ">", NULL };
  static const char * const to[] = { "==", "!=", "==", "!=", "<=", ">=", "<", ">", NULL };

  g_string_append_c (out, '(');
  if (!parse_unary (lx, out))
    return FALSE;
  for (guint i = 0; from[i] != NULL; i++)
    if (is_op (lx, from[i]))
      {
        g_string_append_printf (out, " %s ", to[i]);
        lex (lx);
        if (!parse_unary (lx, out))
          return FALSE;
        break;
      }
  g_string_append_c (out, ')');
  return TRUE;
}

static gboolean
parse_and (Lexer *lx, GString *out)
{
  if (!parse_compare (lx, out))
    return FALSE;
  while (is_op (lx, "&&"))
    {
      lex (lx);
      g_string_append (out, " and ");
      if (!parse_compare (lx, out))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_or (Lexer *lx, GString *out)
{
  if (!parse_and (lx, out))
    return FALSE;
  while (is_op (lx, "||"))
    {
      lex (lx);
      g_string_append (out, " or ");
      if (!parse_and (lx, out))
        return FALSE;
    }
  return TRUE;
}

/* The body of "function f() { return X; }", "return X;" or "X". */
static char *
script_expression (const char *script)
{
  g_autofree char *s = g_strstrip (g_strdup (script));
  char *body = s;
  gsize n;

  if (g_str_has_prefix (body, "function"))
    {
      char *open = strchr (body, '{');
      char *close = strrchr (body, '}');

      if (open == NULL || close == NULL || close < open)
        return NULL;
      *close = '\0';
      body = open + 1;
    }
  g_strstrip (body);
  if (g_str_has_prefix (body, "return") && !g_ascii_isalnum (body[6]) && body[6] != '_')
    body += 6;
  g_strstrip (body);
  n = strlen (body);
  while (n > 0 && body[n - 1] == ';')
    body[--n] = '\0';
  g_strstrip (body);
  if (*body == '\0' || strchr (body, ';') != NULL || strchr (body, '{') != NULL)
    return NULL;
  return g_strdup (body);
}

static void
convert_rule (Import *import, Rule *rule)
{
  g_autofree char *expression = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  Lexer lx = { 0 };
  Item *target = NULL;

  if (rule->type != NULL && strcmp (rule->type, "B") == 0)
    {
      rule->reason = g_strdup ("a calculation (typ B): the form format has no computed fields");
      return;
    }
  if (rule->type != NULL && strcmp (rule->type, "M") == 0)
    {
      rule->reason = g_strdup ("a multiplicity rule (typ M): multiplicities are taken from anzahl only");
      return;
    }
  g_strstrip (rule->script_text->str);
  rule->script_text->len = strlen (rule->script_text->str);
  if (rule->script_text->len == 0 || strcmp (rule->script_text->str, "function script() {}") == 0)
    {
      rule->reason = g_strdup ("the rule is free text without a script; check it by hand");
      return;
    }
  expression = script_expression (rule->script_text->str);
  if (expression == NULL)
    {
      rule->reason = g_strdup ("its script is not a single condition (return …;)");
      return;
    }
  /* The rule of a field checks that field; a rule of a group or of the
   * schema checks the last field it names, once that has a value. */
  for (guint i = 0; i < rule->owners->len && target == NULL; i++)
    {
      Item *owner = g_ptr_array_index (rule->owners, i);
      if (owner != NULL && owner->type == ITEM_FIELD && owner->constraint == NULL)
        target = owner;
    }
  lx.p = expression;
  lx.import = import;
  lx.owner = target;
  lx.referenced = g_ptr_array_new ();
  lex (&lx);
  if (!parse_or (&lx, out) || lx.type != T_END)
    {
      rule->reason = g_strdup (lx.why != NULL ? lx.why : "its script is not a condition of the supported form (comparisons joined with && || !)");
      g_free (lx.text);
      g_ptr_array_unref (lx.referenced);
      return;
    }
  g_free (lx.text);
  if (target == NULL)
    {
      for (guint i = 0; i < lx.referenced->len; i++)
        {
          Item *field = g_ptr_array_index (lx.referenced, i);
          if (field->constraint == NULL
              && (target == NULL || g_ptr_array_find (import->fields, field, NULL)))
            {
              guint a = 0, b = 0;
              if (target != NULL)
                {
                  g_ptr_array_find (import->fields, target, &a);
                  g_ptr_array_find (import->fields, field, &b);
                }
              if (target == NULL || b > a)
                target = field;
            }
        }
    }
  g_ptr_array_unref (lx.referenced);
  if (target == NULL)
    {
      rule->reason = g_strdup ("it names no input field that could carry it");
      return;
    }
  target->constraint = g_string_free (g_steal_pointer (&out), FALSE);
  target->constraint_message = g_strdup (rule->message);
  target->constraint_rule = g_strdup (rule->id != NULL ? rule->id : "?");
  rule->mapped = TRUE;
}

/* ------------------------------------------------------------------ */
/* Conditional requirement of fields in groups of multiplicity 0:1 */

static void
present_set (Item *group, Item *scope, GPtrArray *out)
{
  for (guint i = 0; i < group->children->len; i++)
    {
      Item *c = g_ptr_array_index (group->children, i);

      /* An unticked checkbox has a value (false): only a tick counts. */
      if (c->type == ITEM_FIELD && c->scope == scope && g_strcmp0 (c->kind, "checkbox") == 0)
        g_ptr_array_add (out, g_strdup_printf ("%s == true", c->key));
      else if (c->type == ITEM_FIELD && c->scope == scope)
        g_ptr_array_add (out, g_strdup_printf ("present(%s)", c->key));
      else if (c->type == ITEM_GROUP && c->max > 1)
        g_ptr_array_add (out, g_strdup_printf ("count(%s) > 0", c->key));
      else if (c->type == ITEM_GROUP || c->type == ITEM_PAGE)
        present_set (c, scope, out);
    }
}

static void
conditional_requirements (Import *import)
{
  for (guint i = 0; i < import->fields->len; i++)
    {
      Item *field = g_ptr_array_index (import->fields, i);
      g_autoptr(GPtrArray) set = NULL;

      if (!field->required || field->optional == NULL)
        continue;
      set = g_ptr_array_new_with_free_func (g_free);
      present_set (field->optional, field->scope, set);
      if (set->len <= 1)
        field->required = FALSE;
      else if (set->len > MAX_PRESENT_SET)
        {
          field->required = FALSE;
          item_note (import, KIOSK_FIM_NOTE_WARNING, field,
                     "required within an optional group of more than %u fields: not required", MAX_PRESENT_SET);
        }
      else
        {
          g_ptr_array_add (set, NULL);
          field->required = FALSE;
          field->required_if = g_strjoinv (" or ", (char **) set->pdata);
        }
    }
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

static void
write_item (Import *import, JsonBuilder *b, Item *item, const char *path, GHashTable *paths)
{
  const char *lang = import->options->lang != NULL ? import->options->lang : "de";

  g_free (item->json_path);
  item->json_path = g_strdup (path);
  g_hash_table_insert (paths, item->json_path, item);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, item->key);
  if (item->type == ITEM_PAGE)
    add_text (b, "title", lang, item->label);
  else
    {
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, item->type == ITEM_GROUP ? "group" : item->kind);
      add_text (b, "label", lang, item->label);
    }
  if (item->help != NULL)
    add_text (b, "help", lang, item->help);
  if (item->type == ITEM_GROUP && item->max > 1)
    {
      json_builder_set_member_name (b, "min");
      json_builder_add_int_value (b, item->min);
      json_builder_set_member_name (b, "max");
      json_builder_add_int_value (b, item->max);
    }
  if (item->type == ITEM_FIELD)
    {
      if (item->required_if != NULL)
        {
          json_builder_set_member_name (b, "required");
          json_builder_add_string_value (b, item->required_if);
        }
      else if (item->required)
        {
          json_builder_set_member_name (b, "required");
          json_builder_add_boolean_value (b, TRUE);
        }
      if (item->min_length >= 0)
        {
          json_builder_set_member_name (b, "min_length");
          json_builder_add_int_value (b, item->min_length);
        }
      if (item->max_length >= 0)
        {
          json_builder_set_member_name (b, "max_length");
          json_builder_add_int_value (b, item->max_length);
        }
      if (item->pattern != NULL)
        {
          json_builder_set_member_name (b, "pattern");
          json_builder_add_string_value (b, item->pattern);
          add_text (b, "pattern_message", lang, "Die Angabe hat nicht die verlangte Form.");
        }
      if (item->has_min)
        add_number (b, "min", item->min_value);
      if (item->has_max)
        add_number (b, "max", item->max_value);
      if (item->min_date != NULL)
        {
          json_builder_set_member_name (b, "min_date");
          json_builder_add_string_value (b, item->min_date);
        }
      if (item->max_date != NULL)
        {
          json_builder_set_member_name (b, "max_date");
          json_builder_add_string_value (b, item->max_date);
        }
      if (item->code_list != NULL)
        {
          json_builder_set_member_name (b, "code_list");
          json_builder_add_string_value (b, item->code_list);
        }
      if (item->constraint != NULL)
        {
          json_builder_set_member_name (b, "constraint");
          json_builder_add_string_value (b, item->constraint);
          add_text (b, "constraint_message", lang, item->constraint_message);
        }
    }
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

static char *
write_form (Import *import, const char *title, const char *description, GHashTable *paths)
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
static Item *
item_at_path (GHashTable *paths, const char *path, const char **member)
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
static gboolean
drop_feature (Import *import, Item *item, const char *member, const char *message)
{
  if (g_str_has_prefix (member, "pattern"))
    {
      if (item->pattern == NULL)
        return FALSE;
      item_note (import, KIOSK_FIM_NOTE_WARNING, item, "the pattern is not checked: %s", message);
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
      item_note (import, KIOSK_FIM_NOTE_WARNING, item, "required within an optional group: not required (%s)", message);
      g_clear_pointer (&item->required_if, g_free);
      return TRUE;
    }
  if (g_str_has_prefix (member, "min_length") || g_str_has_prefix (member, "max_length"))
    {
      item_note (import, KIOSK_FIM_NOTE_WARNING, item, "length bounds dropped: %s", message);
      item->min_length = item->max_length = -1;
      return TRUE;
    }
  if (strcmp (member, "min") == 0 || strcmp (member, "max") == 0)
    {
      item_note (import, KIOSK_FIM_NOTE_WARNING, item, "value bounds dropped: %s", message);
      item->has_min = item->has_max = FALSE;
      return TRUE;
    }
  if (g_str_has_prefix (member, "min_date") || g_str_has_prefix (member, "max_date"))
    {
      item_note (import, KIOSK_FIM_NOTE_WARNING, item, "date bounds dropped: %s", message);
      g_clear_pointer (&item->min_date, g_free);
      g_clear_pointer (&item->max_date, g_free);
      return TRUE;
    }
  return FALSE;
}

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
        if (has_name (c, local))
          n++;
        n += count_elements (c, local, limit);
      }
  return n;
}

/* The top level: groups become pages; a field or run of fields at the top
 * becomes a page of its own. */
static void
import_top (Import *import, xmlNodePtr root_node, const char *title)
{
  Item *loose = NULL;

  for (xmlNodePtr s = root_node->children; s != NULL; s = s->next)
    {
      g_autofree char *anzahl = NULL;
      xmlNodePtr element;
      guint min = 1, max = 1;
      gboolean unbounded;

      if (!has_name (s, "struktur"))
        continue;
      anzahl = child_text (s, "anzahl");
      element = first_element (child (s, "enthaelt"));
      if (has_name (element, "datenfeld"))
        {
          if (loose == NULL)
            {
              g_autofree char *path = g_strdup_printf ("angaben_%u", ++import->loose_pages);
              loose = item_new (ITEM_PAGE, NULL);
              loose->level = 1;
              loose->label = g_strdup (title);
              loose->key = unique_key (import, path, path);
              g_ptr_array_add (import->pages, loose);
            }
          import_field (import, element, anzahl, loose, NULL);
          continue;
        }
      if (!has_name (element, "datenfeldgruppe"))
        continue;
      loose = NULL;
      parse_anzahl (anzahl, &min, &max, &unbounded);
      if (max > 1)
        {
          /* A repeatable group at the top: a page holding it. */
          g_auto(Common) c = { 0 };
          g_autofree char *path = NULL;
          Item *page = item_new (ITEM_PAGE, NULL);

          read_common (element, &c);
          page->level = 1;
          page->label = g_strdup (c.label);
          path = g_strdup_printf ("%s_seite", c.id != NULL ? c.id : "gruppe");
          {
            g_autofree char *component = id_component (path);
            page->key = unique_key (import, component, component);
          }
          g_ptr_array_add (import->pages, page);
          import_group (import, element, anzahl, page, NULL, 1);
          if (page->children->len == 0)
            g_ptr_array_remove (import->pages, page);
        }
      else
        {
          g_auto(Common) c = { 0 };
          Item *page = item_new (ITEM_PAGE, NULL);

          read_common (element, &c);
          item_take_common (page, &c);
          page->level = 1;
          page->anzahl = g_strdup (anzahl);
          page->key = child_key (import, NULL, page->fim_id);
          if (min == 0)
            page->optional = page;
          g_ptr_array_add (import->pages, page);
          import->result->groups++;
          map_line (import, page->key, page, "page");
          collect_rules (import, element, page);
          import_structures (import, element, page, page->key, 2);
          if (page->children->len == 0)
            g_ptr_array_remove (import->pages, page);
        }
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
  g_autoptr(GHashTable) paths = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *title = NULL, *description = NULL, *help = NULL;
  Import import = { 0 };
  xmlDocPtr doc;
  xmlNodePtr root, top;
  const char *ns;
  gboolean schema;

  if (options == NULL)
    options = &defaults;
  doc = parse_xml (data, length, file, error);
  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  ns = root->ns != NULL ? (const char *) root->ns->href : "";
  result->file = g_strdup (file);
  result->notes = g_ptr_array_new_with_free_func (note_free);
  if (strcmp (ns, NS_XDF2) == 0)
    result->xdf_version = 2;
  else if (strcmp (ns, NS_XDF3) == 0)
    result->xdf_version = 3;
  else
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_NOT_XDF,
                   "%s:%u: not an XDatenfelder 2.0 or 3.0.0 message (the root element's namespace must be %s or %s)",
                   file, line_of (root), NS_XDF2, NS_XDF3);
      xmlFreeDoc (doc);
      return NULL;
    }
  schema = g_str_has_prefix ((const char *) root->name, "xdatenfelder.stammdatenschema.");
  if (!schema && !g_str_has_prefix ((const char *) root->name, "xdatenfelder.datenfeldgruppe."))
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_NOT_XDF,
                   "%s:%u: a message \"%.60s\": only Stammdatenschema (xdatenfelder.stammdatenschema.0102) and "
                   "Datenfeldgruppe (xdatenfelder.datenfeldgruppe.0103) messages are imported",
                   file, line_of (root), (const char *) root->name);
      xmlFreeDoc (doc);
      return NULL;
    }
  top = child (root, schema ? "stammdatenschema" : "datenfeldgruppe");
  if (top == NULL)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID, "%s:%u: the message has no <%s>",
                   file, line_of (root), schema ? "stammdatenschema" : "datenfeldgruppe");
      xmlFreeDoc (doc);
      return NULL;
    }
  result->datenfelder = count_elements (top, "datenfeld", KIOSK_FIM_MAX_FIELDS);
  if (result->datenfelder > KIOSK_FIM_MAX_FIELDS)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                   "%s:%u: the message has more than %u datenfeld elements", file, line_of (top), KIOSK_FIM_MAX_FIELDS);
      xmlFreeDoc (doc);
      return NULL;
    }
  {
    xmlNodePtr ident = child (top, "identifikation");
    result->fim_id = node_text (child (ident, "id"), 64);
    result->fim_version = node_text (child (ident, "version"), 32);
  }
  if (result->fim_id == NULL)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                   "%s:%u: the %s has no identifikation/id", file, line_of (top),
                   schema ? "Stammdatenschema" : "Datenfeldgruppe");
      xmlFreeDoc (doc);
      return NULL;
    }
  result->form_id = id_component (result->fim_id);
  for (char *p = result->form_id; *p != '\0'; p++)
    if (*p == '_')
      *p = '-';
  import.result = result;
  result->form_version = form_version (result->fim_version);
  if (result->form_version == NULL)
    {
      result->form_version = g_strdup ("1.0.0");
      add_note (&import, KIOSK_FIM_NOTE_WARNING, line_of (top), result->fim_id, result->fim_version, NULL,
                "version is not MAJOR[.MINOR[.PATCH]]; the form has version 1.0.0");
    }
  title = schema && result->xdf_version == 3 ? child_text (top, "bezeichnung") : NULL;
  if (title == NULL)
    title = child_text (top, "bezeichnungEingabe");
  if (title == NULL)
    title = child_text (top, "name");
  if (title == NULL)
    title = g_strdup (result->fim_id);
  help = child_text (top, "hilfetextEingabe");
  if (help == NULL)
    help = child_text (top, "hilfetext");
  description = g_strdup_printf ("FIM-%s %s, Version %s%s%s", schema ? "Datenschema" : "Datenfeldgruppe",
                                 result->fim_id, result->fim_version != NULL ? result->fim_version : "-",
                                 help != NULL ? ". " : "", help != NULL ? help : "");

  import.file = file;
  import.xdf = result->xdf_version;
  import.options = options;
  import.result = result;
  import.pages = g_ptr_array_new_with_free_func (item_free);
  import.keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import.fields = g_ptr_array_new ();
  import.rules = g_ptr_array_new_with_free_func (rule_free);
  import.rule_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import.lists = g_ptr_array_new_with_free_func (form_list_free);
  import.list_by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import.list_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import.map = g_string_new ("key\tfim_id\tfim_version\tkind\tanzahl\tname\n");
  g_string_append_printf (import.map, "-\t%s\t%s\tform\t-\t%s\n", result->fim_id,
                          result->fim_version != NULL ? result->fim_version : "-", title);

  collect_rules (&import, top, NULL);
  if (!schema)
    result->groups++;   /* the message's group is the form */
  import_top (&import, top, title);
  if (import.pages->len == 0)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                   "%s:%u: nothing to fill in: the %s has no datenfeld that could be imported (%u unmapped)",
                   file, line_of (top), schema ? "Stammdatenschema" : "Datenfeldgruppe", result->unmapped);
      import_clear (&import);
      xmlFreeDoc (doc);
      return NULL;
    }
  if (result->fields + result->unmapped != result->datenfelder)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                   "%s:%u: groups are nested more than %u deep; their fields were not read",
                   file, line_of (top), KIOSK_FIM_MAX_GROUP_DEPTH);
      import_clear (&import);
      xmlFreeDoc (doc);
      return NULL;
    }

  result->rules_total = import.rules->len;
  for (guint i = 0; i < import.rules->len; i++)
    convert_rule (&import, g_ptr_array_index (import.rules, i));
  conditional_requirements (&import);
  xmlFreeDoc (doc);

  /* Write, load, drop what the loader refuses, until it loads. */
  for (guint round = 0; ; round++)
    {
      g_autofree char *json = write_form (&import, title, description, paths);
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(GError) local = NULL;
      g_autoptr(KioskForm) form = NULL;
      gboolean progress = FALSE;

      if (strlen (json) > KIOSK_FILE_MAX_FORM)
        {
          g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                       "%s:1: the form would be larger than the %u MiB a form file may have",
                       file, KIOSK_FILE_MAX_FORM / (1024 * 1024));
          import_clear (&import);
          return NULL;
        }
      form = kiosk_form_load_data (json, strlen (json), result->form_id, &problems, &local);
      if (form != NULL)
        {
          result->form_json = g_steal_pointer (&json);
          break;
        }
      for (guint i = 0; problems != NULL && i < problems->len; i++)
        {
          KioskFormProblem *problem = g_ptr_array_index (problems, i);
          const char *member = NULL;
          Item *item = problem->path != NULL ? item_at_path (paths, problem->path, &member) : NULL;

          if (item != NULL && drop_feature (&import, item, member, problem->message))
            progress = TRUE;
        }
      if (!progress || round > 8)
        {
          KioskFormProblem *first = problems != NULL && problems->len > 0 ? g_ptr_array_index (problems, 0) : NULL;
          g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_INVALID,
                       "%s:1: the imported form does not load (%s: %s); please report this as a bug of the importer",
                       file, first != NULL && first->path != NULL ? first->path : "$",
                       first != NULL ? first->message : (local != NULL ? local->message : "unknown"));
          import_clear (&import);
          return NULL;
        }
    }
  for (guint i = 0; i < import.rules->len; i++)
    {
      Rule *rule = g_ptr_array_index (import.rules, i);

      if (rule->mapped)
        result->rules++;
      else
        add_note (&import, KIOSK_FIM_NOTE_RULE, rule->line, rule->id, rule->version, rule->name,
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
