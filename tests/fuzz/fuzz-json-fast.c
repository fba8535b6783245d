/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target, differential: the loader's own strict JSON parser
 * (app/core/json-fast.c) against json-glib's. Whatever ours takes,
 * json-glib must take too and build an equal tree; ours may refuse what
 * json-glib takes (the loader then falls back to json-glib). Every object
 * of our tree has a position, on a line of the text. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "../../app/core/json-fast-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint
count_objects (JsonNode *node)
{
  guint n = 0;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      n++;
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        n += count_objects (member);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        n += count_objects (json_array_get_element (array, i));
    }
  return n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  g_autoptr(GHashTable) positions = NULL;
  g_autoptr(JsonNode) ours = NULL;
  g_autoptr(JsonParser) parser = NULL;
  GHashTableIter iter;
  gpointer packed;
  guint lines = 1;

  if (!g_utf8_validate_len (text, size, NULL))
    return 0;
  positions = g_hash_table_new (NULL, NULL);
  ours = _kiosk_json_fast_parse (text, size, positions);
  if (ours == NULL)
    {
      if (g_hash_table_size (positions) != 0)
        __builtin_trap ();
      return 0;
    }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) size, NULL) || json_parser_get_root (parser) == NULL)
    __builtin_trap ();  /* we took what json-glib refuses */
  if (!json_node_equal (ours, json_parser_get_root (parser)))
    __builtin_trap ();  /* a different tree */
  if (g_hash_table_size (positions) != count_objects (ours))
    __builtin_trap ();
  for (size_t i = 0; i < size; i++)
    lines += text[i] == '\n';
  g_hash_table_iter_init (&iter, positions);
  while (g_hash_table_iter_next (&iter, NULL, &packed))
    {
      gsize line = GPOINTER_TO_SIZE (packed) >> 20, column = GPOINTER_TO_SIZE (packed) & 0xFFFFF;

      if (line < 1 || line > lines || column < 1)
        __builtin_trap ();
    }
  return 0;
}
