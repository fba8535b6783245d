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

/* praezisierung → our bounds and patterns (docs/fim.md, mapping table). */

/* ------------------------------------------------------------------ */
/* praezisierung: XDF 3 attributes, or XDF 2 text holding a JSON object */

void
fim_praezisierung_clear (Praezisierung *p)
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

void
fim_read_praezisierung (Import *import, Item *item, xmlNodePtr node, Praezisierung *p)
{
  g_autofree char *text = NULL;
  xmlChar *raw;

  if (node == NULL)
    return;
  p->min_length = fim_attribute (node, "minLength");
  p->max_length = fim_attribute (node, "maxLength");
  p->min_value = fim_attribute (node, "minValue");
  p->max_value = fim_attribute (node, "maxValue");
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
        fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "praezisierung is not a JSON object; ignored");
    }
  else if (text[0] != '\0')
    fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "praezisierung \"%.60s\" is not understood; ignored", text);
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

/* minLength, maxLength, pattern of a text kind. */
static void
apply_text_bounds (Import *import, Item *item, const Praezisierung *p)
{
  guint64 n;

  if (p->min_length != NULL)
    {
      if (g_ascii_string_to_unsigned (p->min_length, 10, 0, 100000, &n, NULL))
        item->min_length = (gint) n;
      else
        fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "minLength \"%.20s\" is not a length; ignored", p->min_length);
    }
  if (p->max_length != NULL)
    {
      if (g_ascii_string_to_unsigned (p->max_length, 10, 1, 100000, &n, NULL))
        item->max_length = (gint) n;
      else
        fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "maxLength \"%.20s\" is not a length; ignored", p->max_length);
    }
  if (item->min_length >= 0 && item->max_length >= 0 && item->min_length > item->max_length)
    {
      fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "minLength is larger than maxLength; both ignored");
      item->min_length = item->max_length = -1;
    }
  if (item->max_length > 200 && g_strcmp0 (item->kind, "text") == 0)
    item->kind = "multiline";
  if (p->pattern != NULL && *p->pattern != '\0')
    {
      const char *why = NULL;
      char *pcre = xsd_pattern_to_pcre (p->pattern, &why);

      if (pcre == NULL)
        fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "the pattern is not checked: %s", why);
      else
        item->pattern = pcre;
    }
}

/* minValue, maxValue of a number kind. */
static void
apply_number_bounds (Import *import, Item *item, const Praezisierung *p)
{
  if (p->min_value != NULL)
    {
      item->has_min = parse_number (p->min_value, &item->min_value);
      if (!item->has_min)
        fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "minValue \"%.30s\" is not a number; ignored", p->min_value);
    }
  if (p->max_value != NULL)
    {
      item->has_max = parse_number (p->max_value, &item->max_value);
      if (!item->has_max)
        fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "maxValue \"%.30s\" is not a number; ignored", p->max_value);
    }
  if (item->has_min && item->has_max && item->min_value > item->max_value)
    {
      fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "minValue is larger than maxValue; both ignored");
      item->has_min = item->has_max = FALSE;
    }
}

/* A date bound: @value when it is YYYY-MM-DD, else NULL and a note. */
static char *
date_bound (Import *import, Item *item, const char *value, const char *which)
{
  if (value == NULL)
    return NULL;
  if (is_iso_date (value))
    return g_strdup (value);
  fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "%s \"%.30s\" is not a date YYYY-MM-DD; ignored", which, value);
  return NULL;
}

/* minValue, maxValue of a date. */
static void
apply_date_bounds (Import *import, Item *item, const Praezisierung *p)
{
  item->min_date = date_bound (import, item, p->min_value, "minValue");
  item->max_date = date_bound (import, item, p->max_value, "maxValue");
  if (item->min_date != NULL && item->max_date != NULL && strcmp (item->min_date, item->max_date) > 0)
    {
      fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "minValue lies after maxValue; both ignored");
      g_clear_pointer (&item->min_date, g_free);
      g_clear_pointer (&item->max_date, g_free);
    }
}

void
fim_apply_praezisierung (Import *import, Item *item, Praezisierung *p)
{
  static const char * const no_length_note[] = { "date", "checkbox", "select", "radio", NULL };

  if (is_text_kind (item->kind))
    apply_text_bounds (import, item, p);
  else if ((p->min_length != NULL || p->max_length != NULL || (p->pattern != NULL && *p->pattern != '\0'))
           && !g_strv_contains (no_length_note, item->kind))
    fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "length and pattern bounds apply to text only; ignored for kind %s", item->kind);
  if (is_number_kind (item->kind))
    apply_number_bounds (import, item, p);
  else if (g_strcmp0 (item->kind, "date") == 0)
    apply_date_bounds (import, item, p);
  else if (p->min_value != NULL || p->max_value != NULL)
    fim_item_note (import, KIOSK_FIM_NOTE_WARNING, item, "value bounds apply to numbers and dates only; ignored for kind %s", item->kind);
}

