/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target, differential: the JSON parser of forms and answers
 * (app/core/json-doc.c) against json-glib's. Whatever ours takes (with or
 * without duplicate keys), json-glib must take too and build an equal
 * tree; every value and key of ours starts where its position says. What
 * ours refuses gets exactly one problem at a place in the text, with a
 * path and a message. Ours may refuse what json-glib takes (json-glib is
 * lenient in places; we refuse NUL escapes and lone surrogates). */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "../json-doc-testutil.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Line and column to byte offset in constant time, as
 * kiosk_json_test_offset() computes it by walking the text (quadratic on a
 * long line: a 1 MiB form on one line took minutes). Columns count
 * characters from 1; a byte-order mark is not counted. */
typedef struct {
  GArray *line_first;   /* guint: index in char_at of each line's first character */
  GArray *char_at;      /* gsize: byte offset of each character; one more: the end */
} Index;

static void
index_build (Index *index, const char *text, gsize length)
{
  gsize i = length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  guint zero = 0;

  index->line_first = g_array_new (FALSE, FALSE, sizeof (guint));
  index->char_at = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_array_append_val (index->line_first, zero);  /* line 0: unused */
  g_array_append_val (index->line_first, zero);  /* line 1 */
  while (i < length)
    {
      gboolean newline = text[i] == '\n';

      g_array_append_val (index->char_at, i);
      i = (gsize) (g_utf8_next_char (text + i) - text);
      if (newline)
        {
          guint next = index->char_at->len;
          g_array_append_val (index->line_first, next);
        }
    }
  g_array_append_val (index->char_at, length);
}

static void
index_clear (Index *index)
{
  g_array_unref (index->line_first);
  g_array_unref (index->char_at);
}

static gssize
index_offset (gconstpointer data, const char *text, gsize length, guint line, guint column)
{
  const Index *index = data;
  guint first, last, k;

  if (line < 1 || column < 1 || line >= index->line_first->len)
    return -1;
  first = g_array_index (index->line_first, guint, line);
  /* The last character the column may name: the line's newline, or the end. */
  last = line + 1 < index->line_first->len ? g_array_index (index->line_first, guint, line + 1) - 1
                                            : index->char_at->len - 1;
  k = first + column - 1;
  if (column - 1 > last - first)
    return -1;
  return (gssize) MIN (g_array_index (index->char_at, gsize, k), length);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  g_autoptr(KioskJsonDoc) doc = kiosk_json_doc_parse (text, size);
  const KioskJson *root = kiosk_json_doc_get_root (doc);
  const GPtrArray *problems = kiosk_json_doc_get_problems (doc);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonNode) ours = NULL;
  guint lines = 1;

  for (size_t i = 0; i < size; i++)
    lines += text[i] == '\n';
  for (guint i = 0; i < problems->len; i++)
    {
      const KioskJsonProblem *problem = g_ptr_array_index (problems, i);

      if (problem->line < 1 || problem->line > lines || problem->column < 1
          || problem->message == NULL || problem->message[0] == '\0' || problem->path[0] != '$')
        __builtin_trap ();
      if (i > 0 && problem->line < ((const KioskJsonProblem *) g_ptr_array_index (problems, i - 1))->line)
        __builtin_trap ();  /* not in the order of the text */
    }
  if (root == NULL)
    {
      if (problems->len != 1)
        __builtin_trap ();  /* a syntax error is one problem */
      return 0;
    }
  {
    Index index;
    gboolean ok;

    index_build (&index, text, size);
    ok = kiosk_json_test_positions_with (text, size, root, index_offset, &index);
    /* The index agrees with the walking reference where walking is cheap. */
    if (size <= 4096 && ok != kiosk_json_test_positions (text, size, root))
      __builtin_trap ();
    index_clear (&index);
    if (!ok)
      __builtin_trap ();
  }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) size, NULL) || json_parser_get_root (parser) == NULL)
    __builtin_trap ();  /* we took what json-glib refuses */
  ours = kiosk_json_to_json_glib (root);
  if (!json_node_equal (ours, json_parser_get_root (parser)))
    __builtin_trap ();  /* a different tree */
  return 0;
}
