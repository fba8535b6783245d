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
  if (!kiosk_json_test_positions (text, size, root))
    __builtin_trap ();
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) size, NULL) || json_parser_get_root (parser) == NULL)
    __builtin_trap ();  /* we took what json-glib refuses */
  ours = kiosk_json_to_json_glib (root);
  if (!json_node_equal (ours, json_parser_get_root (parser)))
    __builtin_trap ();  /* a different tree */
  return 0;
}
