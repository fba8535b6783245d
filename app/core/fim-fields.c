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

/* datenfeld, datenfeldgruppe and the top level of an XDF message → the tree
 * of the form (docs/fim.md, mapping table). */

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
  fim_item_note (import, KIOSK_FIM_NOTE_UNMAPPED, item, "%s", why);
  map_line (import, NULL, item, "unmapped");
}

/* What a datenfeld becomes, by datentyp (docs/fim.md, mapping table). A
 * pattern makes a kind the form format lacks out of a text; a warning says
 * what is not one to one. */
typedef struct {
  const char *datentyp;
  const char *kind;
  const char *pattern;
  const char *warning;
} DatentypMap;

static const DatentypMap datentyp_map[] = {
  { "text", "text", NULL, NULL },
  { "text_latin", "text", NULL,
    "datentyp text_latin (DIN 91379): checked as plain text (kind name checks names, data type A, only)" },
  { "date", "date", NULL, NULL },
  { "time", "text", "([01][0-9]|2[0-3]):[0-5][0-9]",
    "datentyp time: a text HH:MM (the form format has no time kind)" },
  { "datetime", "text", "[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]",
    "datentyp datetime: a text YYYY-MM-DDTHH:MM (the form format has no date-time kind)" },
  { "bool", "checkbox", NULL, NULL },
  { "num", "number", NULL, NULL },
  { "num_int", "integer", NULL, NULL },
  { "num_currency", "currency", NULL, NULL },
};

/* Why a datenfeld cannot become anything of the form, or NULL. */
static const char *
unmapped_reason (const char *feldart, const char *datentyp)
{
  static const char * const known_feldart[] = { "input", "select", "label", "locked", NULL };

  if (strcmp (feldart, "hidden") == 0)
    return "feldart hidden: the form format has no hidden field with a preset value (the receiving side adds it)";
  if (strcmp (datentyp, "file") == 0)
    return "datentyp file: an upload needs a scanner or a storage device, which a terminal does not have";
  if (strcmp (datentyp, "obj") == 0)
    return "datentyp obj: a binary object cannot be entered at a terminal";
  if (!g_strv_contains (known_feldart, feldart))
    return "unknown feldart";
  return NULL;
}

/* A label (its content is the text) or a locked field (shown, not sent). */
static void
import_static_field (Import     *import,
                     xmlNodePtr  node,
                     Common     *c,
                     const char *anzahl,
                     const char *feldart,
                     Item       *container,
                     const char *prefix)
{
  g_autofree char *inhalt = fim_child_text (node, "inhalt");
  Item *item = fim_item_new (ITEM_STATIC, container);

  fim_item_take_common (item, c);
  item->anzahl = g_strdup (anzahl);
  item->kind = "static";
  item->key = fim_child_key (import, prefix, item->fim_id);
  if (strcmp (feldart, "label") == 0)
    {
      if (inhalt != NULL)
        {
          g_free (item->help);
          item->help = g_steal_pointer (&inhalt);
        }
      import->result->fields++;
      map_line (import, item->key, item, "static");
      return;
    }
  if (inhalt != NULL)
    {
      g_autofree char *shown = g_strdup_printf ("%s: %s", item->label, inhalt);
      g_free (item->label);
      item->label = g_steal_pointer (&shown);
    }
  import->result->unmapped++;
  fim_item_note (import, KIOSK_FIM_NOTE_UNMAPPED, item,
                 "feldart locked: shown as text, not sent (the form format has no read-only field)");
  map_line (import, item->key, item, "static (locked, not sent)");
}

/* Several values of a field: a repeatable group of one field, where the
 * format allows one (@min becomes 1: the group carries it). The container
 * the field goes into. */
static Item *
repeat_holder (Import     *import,
               Common     *c,
               const char *anzahl,
               guint      *min,
               guint       max,
               gboolean    unbounded,
               Item       *container,
               const char *prefix,
               const Item *probe)
{
  Item *group;

  if (fim_in_repeat (container) || container->level >= FORM_MAX_DEPTH)
    {
      fim_item_note (import, KIOSK_FIM_NOTE_WARNING, probe,
                     "multiplicity %s: one value only (the form format allows no repetition here)", anzahl);
      return container;
    }
  group = fim_item_new (ITEM_GROUP, container);
  group->fim_id = g_strdup (c->id);
  group->fim_version = g_strdup (c->version);
  group->name = g_strdup (c->name);
  group->label = g_strdup (c->label);
  group->line = c->line;
  group->anzahl = g_strdup (anzahl);
  group->min = *min;
  group->max = MAX (MIN (max, KIOSK_FIM_UNBOUNDED_MAX), 2);
  group->level = container->level + 1;
  group->scope = NULL;
  group->optional = NULL;
  group->key = fim_child_key (import, prefix, c->id);
  map_line (import, group->key, group, "group (repeated field)");
  if (max > KIOSK_FIM_UNBOUNDED_MAX && !unbounded)
    fim_item_note (import, KIOSK_FIM_NOTE_WARNING, probe, "at most %u values instead of %u",
                   KIOSK_FIM_UNBOUNDED_MAX, max);
  *min = 1;
  return group;
}

/* Sets @item's kind from its feldart and datentyp; the reason (to free)
 * when it has none. */
static char *
field_kind (Import     *import,
            Item       *item,
            xmlNodePtr  node,
            const char *feldart,
            const char *datentyp)
{
  if (strcmp (feldart, "select") == 0)
    {
      const char *why = NULL;
      g_autofree char *uri = NULL;

      if (!fim_resolve_code_list (import, item, node, &why, &uri))
        return g_strdup_printf ("%s%s%s%s", why, uri != NULL ? " (" : "", uri != NULL ? uri : "",
                                uri != NULL ? ")" : "");
      item->kind = "select";
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (datentyp_map); i++)
    {
      const DatentypMap *map = &datentyp_map[i];

      if (strcmp (datentyp, map->datentyp) != 0)
        continue;
      item->kind = map->kind;
      item->pattern = g_strdup (map->pattern);
      if (map->warning != NULL)
        fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "%s", map->warning);
      if (strcmp (map->kind, "checkbox") == 0)
        {
          if (item->required)
            fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item,
                           "datentyp bool with multiplicity %s: a checkbox, not forced to be ticked (unticked is the answer no)",
                           item->anzahl != NULL ? item->anzahl : "1:1");
          item->required = FALSE;
        }
      return NULL;
    }
  return g_strdup_printf ("unknown datentyp \"%.30s\"", datentyp);
}

/* Constraints, the radio choice for a short code list, the preset value. */
static void
finish_field (Import *import, Item *item, xmlNodePtr node)
{
  g_auto(Praezisierung) p = { 0 };
  g_autofree char *inhalt = fim_child_text (node, "inhalt");

  fim_read_praezisierung (import, item, fim_child (node, "praezisierung"), &p);
  fim_apply_praezisierung (import, item, &p);
  for (guint i = 0; item->code_list != NULL && i < import->lists->len; i++)
    {
      FormList *list = g_ptr_array_index (import->lists, i);
      if (strcmp (list->name, item->code_list) == 0 && list->codes->len / 2 <= RADIO_MAX_CODES)
        item->kind = "radio";
    }
  if (inhalt != NULL)
    fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "the preset value (inhalt) is not shown: the form format has none");
  import->result->fields++;
  g_ptr_array_add (import->fields, item);
  map_line (import, item->key, item, item->kind);
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
  g_autofree char *feldart = fim_child_code (node, "feldart");
  g_autofree char *datentyp = fim_child_code (node, "datentyp");
  g_autofree char *why = NULL;
  guint min = 1, max = 1;
  gboolean unbounded = FALSE;
  Item probe = { 0 };
  Item *item, *holder = container;

  fim_read_common (node, &c);
  probe.fim_id = c.id;
  probe.fim_version = c.version;
  probe.name = c.name;
  probe.line = c.line;
  probe.anzahl = (char *) anzahl;
  if (!fim_parse_anzahl (anzahl, &min, &max, &unbounded))
    {
      fim_item_note (import, KIOSK_FIM_NOTE_WARNING, &probe, "multiplicity \"%.20s\" is not understood; taken as 1:1", anzahl);
      min = max = 1;
    }
  if (feldart == NULL)
    feldart = g_strdup ("input");
  if (datentyp == NULL)
    datentyp = g_strdup ("text");

  if (unmapped_reason (feldart, datentyp) != NULL)
    {
      unmapped_field (import, &probe, unmapped_reason (feldart, datentyp));
      fim_collect_rules (import, node, NULL);
      return;
    }
  if (strcmp (feldart, "label") == 0 || strcmp (feldart, "locked") == 0)
    {
      import_static_field (import, node, &c, anzahl, feldart, container, prefix);
      fim_collect_rules (import, node, NULL);
      return;
    }

  if (max > 1)
    holder = repeat_holder (import, &c, anzahl, &min, max, unbounded, container, prefix, &probe);
  item = fim_item_new (ITEM_FIELD, holder);
  fim_item_take_common (item, &c);
  item->anzahl = g_strdup (anzahl);
  item->required = min >= 1;
  if (holder != container)
    {
      g_autofree char *path = g_strconcat (holder->key, "_wert", NULL);
      item->key = fim_unique_key (import, path, path);
    }
  else
    item->key = fim_child_key (import, prefix, item->fim_id);

  why = field_kind (import, item, node, feldart, datentyp);
  if (why != NULL)
    {
      unmapped_field (import, item, why);
      g_hash_table_remove (import->keys, item->key);
      g_ptr_array_remove (holder->children, item);   /* frees it */
      if (holder != container)
        g_ptr_array_remove (container->children, holder);
      fim_collect_rules (import, node, NULL);
      return;
    }
  finish_field (import, item, node);
  fim_collect_rules (import, node, item);
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
  g_autofree char *art = fim_child_code (node, "art");
  g_autofree char *key = NULL;
  guint min = 1, max = 1;
  gboolean unbounded = FALSE;
  Item *item;

  fim_read_common (node, &c);
  if (!fim_parse_anzahl (anzahl, &min, &max, &unbounded))
    {
      fim_add_note (import, KIOSK_FIM_NOTE_WARNING, c.line, c.id, c.version, c.name,
                    "multiplicity \"%.20s\" is not understood; taken as 1:1", anzahl);
      min = max = 1;
    }
  if (group_depth > KIOSK_FIM_MAX_GROUP_DEPTH)
    return;
  key = fim_child_key (import, prefix, c.id);
  import->result->groups++;

  if (container->level >= FORM_MAX_DEPTH)
    {
      /* Too deep for the format: a heading, its elements follow it. */
      item = fim_item_new (ITEM_HEADING, container);
      fim_item_take_common (item, &c);
      item->anzahl = g_strdup (anzahl);
      item->key = g_strdup (key);
      item->kind = "static";
      fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item,
                     "nested deeper than the form format's %u levels: a heading, its fields follow it%s",
                     FORM_MAX_DEPTH, max > 1 ? "; one instance only" : "");
      map_line (import, key, item, "heading");
      fim_collect_rules (import, node, item);
      fim_import_structures (import, node, container, key, group_depth + 1);
      return;
    }
  item = fim_item_new (ITEM_GROUP, container);
  fim_item_take_common (item, &c);
  item->anzahl = g_strdup (anzahl);
  item->key = g_strdup (key);
  item->level = container->level + 1;
  if (max > 1 && !fim_in_repeat (container))
    {
      item->min = min;
      item->max = MIN (max, KIOSK_FIM_UNBOUNDED_MAX);
      item->scope = NULL;
      item->optional = NULL;
      if (max > KIOSK_FIM_UNBOUNDED_MAX && !unbounded)
        fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "at most %u instances instead of %u", KIOSK_FIM_UNBOUNDED_MAX, max);
    }
  else
    {
      if (max > 1)
        fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item,
                       "multiplicity %s inside a repeated group: one instance (the form format repeats one level only)", anzahl);
      if (min == 0)
        item->optional = item;
    }
  if (art != NULL && *art != '\0')
    fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item,
                   "group kind (art) \"%.10s\" (e.g. a choice of one of its parts) is not enforced: every part is offered", art);
  map_line (import, key, item, item->max > 1 ? "group (repeatable)" : "group");
  fim_collect_rules (import, node, item);
  fim_import_structures (import, node, item, key, group_depth + 1);
  if (item->children->len == 0)
    g_ptr_array_remove (container->children, item);
}

void
fim_import_structures (Import     *import,
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

      if (!fim_has_name (s, "struktur"))
        continue;
      anzahl = fim_child_text (s, "anzahl");
      element = fim_first_element (fim_child (s, "enthaelt"));
      if (fim_has_name (element, "datenfeld"))
        import_field (import, element, anzahl, container, prefix);
      else if (fim_has_name (element, "datenfeldgruppe"))
        import_group (import, element, anzahl, container, prefix, group_depth);
    }
}


/* The top level: groups become pages; a field or run of fields at the top
 * becomes a page of its own. */
void
fim_import_top (Import *import, xmlNodePtr root_node, const char *title)
{
  Item *loose = NULL;

  for (xmlNodePtr s = root_node->children; s != NULL; s = s->next)
    {
      g_autofree char *anzahl = NULL;
      xmlNodePtr element;
      guint min = 1, max = 1;
      gboolean unbounded;

      if (!fim_has_name (s, "struktur"))
        continue;
      anzahl = fim_child_text (s, "anzahl");
      element = fim_first_element (fim_child (s, "enthaelt"));
      if (fim_has_name (element, "datenfeld"))
        {
          if (loose == NULL)
            {
              g_autofree char *path = g_strdup_printf ("angaben_%u", ++import->loose_pages);
              loose = fim_item_new (ITEM_PAGE, NULL);
              loose->level = 1;
              loose->label = g_strdup (title);
              loose->key = fim_unique_key (import, path, path);
              g_ptr_array_add (import->pages, loose);
            }
          import_field (import, element, anzahl, loose, NULL);
          continue;
        }
      if (!fim_has_name (element, "datenfeldgruppe"))
        continue;
      loose = NULL;
      fim_parse_anzahl (anzahl, &min, &max, &unbounded);
      if (max > 1)
        {
          /* A repeatable group at the top: a page holding it. */
          g_auto(Common) c = { 0 };
          g_autofree char *path = NULL;
          Item *page = fim_item_new (ITEM_PAGE, NULL);

          fim_read_common (element, &c);
          page->level = 1;
          page->label = g_strdup (c.label);
          path = g_strdup_printf ("%s_seite", c.id != NULL ? c.id : "gruppe");
          {
            g_autofree char *component = fim_id_component (path);
            page->key = fim_unique_key (import, component, component);
          }
          g_ptr_array_add (import->pages, page);
          import_group (import, element, anzahl, page, NULL, 1);
          if (page->children->len == 0)
            g_ptr_array_remove (import->pages, page);
        }
      else
        {
          g_auto(Common) c = { 0 };
          Item *page = fim_item_new (ITEM_PAGE, NULL);

          fim_read_common (element, &c);
          fim_item_take_common (page, &c);
          page->level = 1;
          page->anzahl = g_strdup (anzahl);
          page->key = fim_child_key (import, NULL, page->fim_id);
          if (min == 0)
            page->optional = page;
          g_ptr_array_add (import->pages, page);
          import->result->groups++;
          map_line (import, page->key, page, "page");
          fim_collect_rules (import, element, page);
          fim_import_structures (import, element, page, page->key, 2);
          if (page->children->len == 0)
            g_ptr_array_remove (import->pages, page);
        }
    }
}

