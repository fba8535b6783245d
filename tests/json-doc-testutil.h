/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For the parser's tests and fuzz target: our tree as json-glib's, to
 * compare it with what json-glib's own parser builds; and a check that
 * every value and key of our tree starts where the text says. */
#pragma once

#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "../app/core/json-doc-private.h"

static inline JsonNode *
kiosk_json_to_json_glib (const KioskJson *node)
{
  switch (node->type)
    {
    case KIOSK_JSON_NULL:
      return json_node_init_null (json_node_alloc ());
    case KIOSK_JSON_BOOLEAN:
      return json_node_init_boolean (json_node_alloc (), node->v.boolean);
    case KIOSK_JSON_INTEGER:
      return json_node_init_int (json_node_alloc (), node->v.integer);
    case KIOSK_JSON_DOUBLE:
      return json_node_init_double (json_node_alloc (), node->v.number);
    case KIOSK_JSON_STRING:
      return json_node_init_string (json_node_alloc (), node->v.string);
    case KIOSK_JSON_OBJECT:
      {
        JsonObject *object = json_object_new ();
        JsonNode *out = json_node_init_object (json_node_alloc (), object);

        /* json-glib keeps the last value of a duplicate key. */
        for (guint32 i = 0; i < node->length; i++)
          json_object_set_member (object, node->v.members[i].key, kiosk_json_to_json_glib (&node->v.members[i].value));
        json_object_unref (object);
        return out;
      }
    case KIOSK_JSON_ARRAY:
    default:
      {
        JsonArray *array = json_array_new ();
        JsonNode *out = json_node_init_array (json_node_alloc (), array);

        for (guint32 i = 0; i < node->length; i++)
          json_array_add_element (array, kiosk_json_to_json_glib (&node->v.elements[i]));
        json_array_unref (array);
        return out;
      }
    }
}

/* The byte offset of @line:@column (characters, from 1) in @text, or -1
 * when the text has no such place. */
static inline gssize
kiosk_json_test_offset (const char *text,
                        gsize       length,
                        guint       line,
                        guint       column)
{
  const char *p = text, *end = text + length;

  if (line < 1 || column < 1)
    return -1;
  if (length >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;  /* a byte-order mark is not counted */
  for (guint l = 1; l < line; l++)
    {
      p = memchr (p, '\n', end - p);
      if (p == NULL)
        return -1;
      p++;
    }
  for (guint c = 1; c < column; c++)
    {
      if (p >= end || *p == '\n')
        return -1;
      p = g_utf8_next_char (p);
    }
  return p <= end ? p - text : -1;
}

/* Where a line and column (characters, from 1) of @text are: a byte
 * offset, or -1 when the text has no such place. */
typedef gssize (*KioskJsonTestOffsetFunc) (gconstpointer  data,
                                           const char    *text,
                                           gsize          length,
                                           guint          line,
                                           guint          column);

/* TRUE when every value of @node starts at its position (found with
 * @offset) with the character its type begins with, and every key at its
 * quote. */
static inline gboolean
kiosk_json_test_positions_with (const char              *text,
                                gsize                    length,
                                const KioskJson         *node,
                                KioskJsonTestOffsetFunc  offset,
                                gconstpointer            data)
{
  gssize at = offset (data, text, length, node->line, node->column);
  char c;

  if (at < 0 || (gsize) at >= length)
    return FALSE;
  c = text[at];
  switch (node->type)
    {
    case KIOSK_JSON_NULL:
      return c == 'n';
    case KIOSK_JSON_BOOLEAN:
      return c == (node->v.boolean ? 't' : 'f');
    case KIOSK_JSON_INTEGER:
    case KIOSK_JSON_DOUBLE:
      return c == '-' || g_ascii_isdigit (c);
    case KIOSK_JSON_STRING:
      return c == '"';
    case KIOSK_JSON_OBJECT:
      if (c != '{')
        return FALSE;
      for (guint32 i = 0; i < node->length; i++)
        {
          const KioskJsonMember *member = &node->v.members[i];
          gssize key_at = offset (data, text, length, member->key_line, member->key_column);

          if (key_at < 0 || (gsize) key_at >= length || text[key_at] != '"' || key_at <= at
              || !kiosk_json_test_positions_with (text, length, &member->value, offset, data))
            return FALSE;
        }
      return TRUE;
    case KIOSK_JSON_ARRAY:
    default:
      if (c != '[')
        return FALSE;
      for (guint32 i = 0; i < node->length; i++)
        if (!kiosk_json_test_positions_with (text, length, &node->v.elements[i], offset, data))
          return FALSE;
      return TRUE;
    }
}

static inline gssize
kiosk_json_test_walk_offset (gconstpointer  data,
                             const char    *text,
                             gsize          length,
                             guint          line,
                             guint          column)
{
  return kiosk_json_test_offset (text, length, line, column);
}

/* kiosk_json_test_positions_with() walking the text for each position. */
static inline gboolean
kiosk_json_test_positions (const char      *text,
                           gsize            length,
                           const KioskJson *node)
{
  return kiosk_json_test_positions_with (text, length, node, kiosk_json_test_walk_offset, NULL);
}
