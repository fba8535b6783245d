/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared between the files of the FIM XDatenfelder importer (docs/fim.md):
 *   fim-xml.c         text clean-up, the hardened libxml2 reader, element access
 *   fim-codelists.c   genericode files (--codelists) and the form's code lists
 *   fim-tree.c        the tree of the form being built, notes, keys, multiplicity
 *   fim-constraints.c praezisierung → bounds and patterns
 *   fim-fields.c      datenfeld / datenfeldgruppe / the top level → the tree
 *   fim-rules.c       regel → conditions, conditional requirements
 *   fim-writer.c      the tree → form JSON; results and notes
 *   fim-import.c      one message: checks, the import, write-load-drop rounds
 * XDF 2.0 and 3.0.0 are read by the same code: the element names the
 * importer uses are the same in both, and where they differ (bezeichnung /
 * bezeichnungEingabe, praezisierung as attributes or JSON text, skript /
 * script) both are looked for. */

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libxml/tree.h>

#include <antragskiosk/fim.h>

G_BEGIN_DECLS

#define NS_XDF2 "urn:xoev-de:fim:standard:xdatenfelder_2"
#define NS_XDF3 "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"
#define NS_GC   "http://docs.oasis-open.org/codelist/ns/genericode/1.0/"

#define FORM_MAX_DEPTH   4      /* docs/forms.md: a page is level 1 */
#define MAX_ID_LENGTH    64
#define MAX_PRESENT_SET  64     /* fields named in one "required" condition */
#define MAX_TEXT         2000   /* characters of a label or help text kept */
#define RADIO_MAX_CODES  5
#define MAX_CODES        100000

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

typedef struct {
  GString *script_text;
  char    *id, *version, *name, *type, *message;
  guint    line;
  gboolean mapped;
  char    *reason;          /* why not, when not */
  GPtrArray *owners;        /* Item* the rule is attached to (NULL: schema) */
} Rule;

typedef struct {
  char      *name;
  char      *uri, *version;
  GPtrArray *codes;         /* char* pairs: code, label */
} FormList;

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

typedef struct {
  xmlNodePtr node;
  char *id, *version, *name, *label, *help;
  guint line;
} Common;

/* praezisierung: XDF 3 attributes, or XDF 2 text holding a JSON object. */
typedef struct {
  char *min_length, *max_length, *min_value, *max_value, *pattern;
} Praezisierung;

void     fim_item_free       (gpointer data);
Item    *fim_item_new        (ItemType type, Item *parent);
void     fim_rule_free       (gpointer data);
void     fim_form_list_free  (gpointer data);
void     fim_note_free       (gpointer data);
void     fim_add_note        (Import          *import,
                              KioskFimNoteKind kind,
                              guint            line,
                              const char      *fim_id,
                              const char      *fim_version,
                              const char      *name,
                              const char      *format,
                              ...) G_GNUC_PRINTF (7, 8);
void     fim_item_note       (Import          *import,
                              KioskFimNoteKind kind,
                              const Item      *item,
                              const char      *format,
                              ...) G_GNUC_PRINTF (4, 5);
char    *fim_id_component    (const char *id);
char    *fim_unique_key      (Import *import, const char *path, const char *own);
char    *fim_child_key       (Import *import, const char *prefix, const char *fim_id);
void     fim_common_clear    (Common *c);
void     fim_read_common     (xmlNodePtr node, Common *c);
void     fim_item_take_common (Item *item, Common *c);
gboolean fim_parse_anzahl    (const char *text, guint *min, guint *max, gboolean *unbounded);
gboolean fim_in_repeat       (const Item *container);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Common, fim_common_clear)

/* fim-xml.c */
char      *fim_clean_text    (const char *s, glong max);
xmlDocPtr  fim_parse_xml     (const char *data, gsize length, const char *file, GError **error);
gboolean   fim_has_name      (xmlNodePtr node, const char *local);
xmlNodePtr fim_child         (xmlNodePtr node, const char *local);
xmlNodePtr fim_first_element (xmlNodePtr node);
char      *fim_node_text     (xmlNodePtr node, glong max);
char      *fim_child_text    (xmlNodePtr node, const char *local);
char      *fim_child_code    (xmlNodePtr node, const char *local);
char      *fim_attribute     (xmlNodePtr node, const char *name);
guint      fim_line_of       (xmlNodePtr node);

/* fim-constraints.c */
void     fim_praezisierung_clear (Praezisierung *p);
void     fim_read_praezisierung  (Import *import, Item *item, xmlNodePtr node, Praezisierung *p);
void     fim_apply_praezisierung (Import *import, Item *item, Praezisierung *p);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Praezisierung, fim_praezisierung_clear)

/* fim-codelists.c */
gboolean fim_resolve_code_list (Import *import, Item *item, xmlNodePtr field, const char **why, char **uri_out);

/* fim-fields.c */
void     fim_import_structures (Import *import, xmlNodePtr node, Item *container, const char *prefix, guint group_depth);
void     fim_import_top        (Import *import, xmlNodePtr root_node, const char *title);

/* fim-rules.c */
void     fim_collect_rules           (Import *import, xmlNodePtr node, Item *owner);
void     fim_convert_rule            (Import *import, Rule *rule);
void     fim_conditional_requirements (Import *import);

/* fim-writer.c */
char    *fim_write_form    (Import *import, const char *title, const char *description, GHashTable *paths);
Item    *fim_item_at_path  (GHashTable *paths, const char *path, const char **member);
gboolean fim_drop_feature  (Import *import, Item *item, const char *member, const char *message);


G_END_DECLS
