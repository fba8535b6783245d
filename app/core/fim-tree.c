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

/* The tree of the form the FIM importer builds: items, rules, notes, keys,
 * the common parts of an element, multiplicity (docs/fim.md). */

/* ------------------------------------------------------------------ */
/* The tree of the form being built */

void
fim_item_free (gpointer data)
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

Item *
fim_item_new (ItemType type, Item *parent)
{
  Item *item = g_new0 (Item, 1);

  item->type = type;
  item->parent = parent;
  item->min = item->max = 1;
  item->min_length = item->max_length = -1;
  if (type == ITEM_PAGE || type == ITEM_GROUP)
    item->children = g_ptr_array_new_with_free_func (fim_item_free);
  if (parent != NULL)
    {
      item->scope = parent->type == ITEM_GROUP && parent->max > 1 ? parent : parent->scope;
      item->optional = parent->optional;
      item->level = parent->level;
      g_ptr_array_add (parent->children, item);
    }
  return item;
}

void
fim_rule_free (gpointer data)
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

void
fim_form_list_free (gpointer data)
{
  FormList *list = data;

  g_free (list->name);
  g_free (list->uri);
  g_free (list->version);
  g_ptr_array_unref (list->codes);
  g_free (list);
}

void
fim_add_note (Import          *import,
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
  note->fim_id = fim_clean_text (fim_id, 64);
  note->fim_version = fim_clean_text (fim_version, 32);
  note->name = fim_clean_text (name, 120);
  note->message = fim_clean_text (message, 1000);
  g_ptr_array_add (import->result->notes, note);
}

void
fim_item_note (Import *import, KioskFimNoteKind kind, const Item *item, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fim_add_note (import, kind, item->line, item->fim_id, item->fim_version, item->name, "%s", message);
}

/* ------------------------------------------------------------------ */
/* Keys */

static const char * const reserved_words[] = { "and", "or", "not", "in", "true", "false", "null", NULL };

/* @id as an element id component: lower case, [a-z0-9_], a letter first. */
char *
fim_id_component (const char *id)
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
char *
fim_unique_key (Import     *import,
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
char *
fim_child_key (Import     *import,
               const char *prefix,
               const char *fim_id)
{
  g_autofree char *own = fim_id_component (fim_id);
  g_autofree char *path = prefix != NULL ? g_strconcat (prefix, "_", own, NULL) : g_strdup (own);

  return fim_unique_key (import, path, own);
}

/* ------------------------------------------------------------------ */
/* Elements */

void
fim_common_clear (Common *c)
{
  g_free (c->id);
  g_free (c->version);
  g_free (c->name);
  g_free (c->label);
  g_free (c->help);
}

void
fim_read_common (xmlNodePtr node, Common *c)
{
  xmlNodePtr ident = fim_child (node, "identifikation");

  c->node = node;
  c->id = fim_node_text (fim_child (ident, "id"), 64);
  c->version = fim_node_text (fim_child (ident, "version"), 32);
  c->name = fim_child_text (node, "name");
  c->label = fim_child_text (node, "bezeichnungEingabe");
  if (c->label == NULL)
    c->label = fim_child_text (node, "bezeichnung");
  if (c->label == NULL)
    c->label = g_strdup (c->name != NULL ? c->name : (c->id != NULL ? c->id : "Angabe"));
  c->help = fim_child_text (node, "hilfetextEingabe");
  if (c->help == NULL)
    c->help = fim_child_text (node, "hilfetext");
  c->line = fim_line_of (node);
}

void
fim_item_take_common (Item *item, Common *c)
{
  item->fim_id = g_steal_pointer (&c->id);
  item->fim_version = g_steal_pointer (&c->version);
  item->name = g_steal_pointer (&c->name);
  item->label = g_steal_pointer (&c->label);
  item->help = g_steal_pointer (&c->help);
  item->line = c->line;
}

/* "1:1", "0:1", "0:*", "1:n" … */
gboolean
fim_parse_anzahl (const char *text, guint *min, guint *max, gboolean *unbounded)
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

/* Inside a repeatable group (or one itself): no repetition below. */
gboolean
fim_in_repeat (const Item *container)
{
  return (container->type == ITEM_GROUP && container->max > 1) || container->scope != NULL;
}
