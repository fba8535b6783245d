/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The JSON parser of form definitions and answer sets (app/core/json-doc.c):
 * the same trees as json-glib's parser, every value where the text has it,
 * every syntax error with a position, a path and a sentence, duplicate
 * keys found in small and large objects. tests/fuzz/fuzz-json.c does the
 * comparison with json-glib on random input. */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "json-doc-testutil.h"

/* Parses @text with both parsers; asserts equal trees and right positions. */
static void
assert_same_as_json_glib (const char *text,
                          gsize       length,
                          const char *what)
{
  g_autoptr(KioskJsonDoc) doc = kiosk_json_doc_parse (text, length);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) ours = NULL;
  g_autoptr(GError) error = NULL;

  if (kiosk_json_doc_get_problems (doc)->len > 0)
    g_error ("%s: %s", what, ((KioskJsonProblem *) g_ptr_array_index (kiosk_json_doc_get_problems (doc), 0))->message);
  g_assert_nonnull (kiosk_json_doc_get_root (doc));
  g_assert_true (json_parser_load_from_data (parser, text, (gssize) length, &error));
  g_assert_no_error (error);
  ours = kiosk_json_to_json_glib (kiosk_json_doc_get_root (doc));
  if (!json_node_equal (ours, json_parser_get_root (parser)))
    g_error ("%s: our tree differs from json-glib's", what);
  if (!kiosk_json_test_positions (text, length, kiosk_json_doc_get_root (doc)))
    g_error ("%s: a value or key is not where its position says", what);
}

static void
add_json_files (GPtrArray  *paths,
                const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);

  g_assert_nonnull (listing);
  for (const char *name = g_dir_read_name (listing); name != NULL; name = g_dir_read_name (listing))
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
}

static void
test_same_as_json_glib (void)
{
  const char *root = g_getenv ("ANTRAGSKIOSK_SOURCE_ROOT");
  g_autofree char *forms = g_build_filename (root != NULL ? root : "..", "resources", "forms", NULL);
  g_autofree char *answers = g_build_filename (root != NULL ? root : "..", "tests", "data", "answers", NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *texts[] = {
    "{}", "[]", "0", "-0", "\"\"", "null", "true", "false", " \t\r\n 7 \n",
    "[1, -2, 3.5, -4.25e-3, 1E+2, 9223372036854775807, -9223372036854775808, 1e-400]",
    "{\"a\": {\"b\": [[], {}, [{}]], \"c\": null}, \"d\": \"\\u00e4\\u00DF\\ud83d\\ude00\\\\\\/\\b\\f\\n\\r\\t\\\"\"}",
    "{\"Straße\": \"Zoë Ñúñez\", \"\\u0041\": [true, false, null], \"\": 0}",
    "[\"ä\", {\"x\": \"€\"}, \"𝔘\",\n  {\"y\":\n\n   [1,\n2]}]",
    "\xEF\xBB\xBF{\"with\": \"a byte-order mark\"}",
  };

  add_json_files (paths, forms);
  add_json_files (paths, answers);
  g_assert_cmpuint (paths->len, >=, 10);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *text = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (g_ptr_array_index (paths, i), &text, &length, NULL));
      assert_same_as_json_glib (text, length, g_ptr_array_index (paths, i));
    }
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    assert_same_as_json_glib (texts[i], strlen (texts[i]), texts[i]);
}

static void
test_values (void)
{
  const char *text = "{\"i\": -42, \"d\": 0.5, \"s\": \"a\\u00e4\\ud83d\\ude00\", \"b\": true, \"n\": null,\n"
                     " \"o\": {\"x\": 1}, \"a\": [1, \"two\"]}";
  g_autoptr(KioskJsonDoc) doc = kiosk_json_doc_parse (text, strlen (text));
  const KioskJson *root = kiosk_json_doc_get_root (doc);
  const KioskJson *s, *a;

  g_assert_nonnull (root);
  g_assert_cmpuint (root->type, ==, KIOSK_JSON_OBJECT);
  g_assert_cmpuint (root->length, ==, 7);
  g_assert_cmpint (kiosk_json_get (root, "i")->v.integer, ==, -42);
  g_assert_cmpuint (kiosk_json_get (root, "i")->type, ==, KIOSK_JSON_INTEGER);
  g_assert_cmpfloat (kiosk_json_get_number (kiosk_json_get (root, "d")), ==, 0.5);
  g_assert_cmpfloat (kiosk_json_get_number (kiosk_json_get (root, "i")), ==, -42.0);
  s = kiosk_json_get (root, "s");
  g_assert_cmpstr (s->v.string, ==, "a\u00e4\U0001F600");
  g_assert_cmpuint (s->length, ==, strlen ("a\u00e4\U0001F600"));
  g_assert_true (kiosk_json_get (root, "b")->v.boolean);
  g_assert_cmpuint (kiosk_json_get (root, "n")->type, ==, KIOSK_JSON_NULL);
  g_assert_cmpint (kiosk_json_get (kiosk_json_get (root, "o"), "x")->v.integer, ==, 1);
  a = kiosk_json_get (root, "a");
  g_assert_cmpuint (a->length, ==, 2);
  g_assert_cmpstr (a->v.elements[1].v.string, ==, "two");
  /* Positions: "o" is on line 2, its object at column 7. */
  g_assert_cmpuint (kiosk_json_get (root, "o")->line, ==, 2);
  g_assert_cmpuint (kiosk_json_get (root, "o")->column, ==, 7);
  g_assert_cmpuint (kiosk_json_get_member (root, "o")->key_column, ==, 2);
  g_assert_null (kiosk_json_get (root, "x"));
  g_assert_null (kiosk_json_get (root, ""));
  g_assert_null (kiosk_json_get (a, "x"));
  g_assert_cmpstr (kiosk_json_type_name (a), ==, "an array");
  g_assert_cmpstr (kiosk_json_type_name (s), ==, "a string");
}

typedef struct {
  const char *text;
  guint       line;
  guint       column;
  const char *path;
  const char *needle;
} Broken;

/* Every syntax error: no tree, one problem, where the error is, with the
 * path to it and a sentence that names the fix. */
static void
test_syntax_errors (void)
{
  const Broken cases[] = {
    { "{\"a\": 1,}", 1, 8, "$", "a comma after the last member; remove it" },
    { "{\"a\": [1, 2,]}", 1, 12, "$.a", "a comma after the last element; remove it" },
    { "{\"a\": 01}", 1, 7, "$.a", "may not start with 0" },
    { "{\"a\": \"\\u0000\"}", 1, 8, "$.a", "\\u0000 (NUL)" },
    { "{\"a\": \"\\udc00\"}", 1, 8, "$.a", "second half of a surrogate pair" },
    { "{\"a\": \"\\ud800x\"}", 1, 8, "$.a", "first half of a surrogate pair" },
    { "{\"a\": \"x\ty\"}", 1, 9, "$.a", "control character U+0009" },
    { "{\"a\": 1} x", 1, 10, "$", "'x' after the end of the JSON value" },
    { "{'a': 1}", 1, 2, "$", "double quotes" },
    { "{\"a\": 99999999999999999999}", 1, 7, "$.a", "too large" },
    { "{\"a\": 1e999}", 1, 7, "$.a", "too large" },
    { "[1 2]", 1, 4, "$[1]", "a comma is missing before this element" },
    { "{\"a\" 1}", 1, 6, "$.a", "expected ':' after the member name, found '1'" },
    { "tru", 1, 1, "$", "found 'tru'" },
    { "{\"a\": True}", 1, 7, "$.a", "the literals are true, false and null in lower case" },
    { "{\"a\": nul}", 1, 7, "$.a", "found 'nul'" },
    { "-", 1, 2, "$", "a digit after '-'" },
    { "1.", 1, 3, "$", "digits after its decimal point" },
    { "1e", 1, 3, "$", "digits in its exponent" },
    { ".5", 1, 1, "$", "expected a value" },
    { "{\"a\": 1 \"b\": 2}", 1, 9, "$", "a comma is missing before this member" },
    { "{\"a\": \"x", 1, 7, "$.a", "not closed" },
    { "{\"a\": \"x\ny\"}", 1, 9, "$.a", "a line break inside a string" },
    { "{\n  \"a\": [\n    1,\n", 4, 1, "$.a", "the text ends inside the array that starts at line 2, column 8" },
    { "{\n  \"a\": 1", 2, 9, "$", "the text ends inside the object that starts at line 1, column 1" },
    { "{\"a\": \"\\q\"}", 1, 8, "$.a", "unknown escape" },
    { "{\"a\": \"\\u12\"}", 1, 8, "$.a", "four hexadecimal digits" },
    { "  \n ", 2, 2, "$", "the text is empty" },
    { "{\"a\": {\"b\": [1, {\"c\": nul}]}}", 1, 23, "$.a.b[1].c", "found 'nul'" },
    { "{\"ä\": \"ö\", \"b\": +1}", 1, 17, "$.b", "found '+'" },
    { "[1,\n\"x\",\n\x01]", 3, 1, "$[2]", "the control character U+0001" },
    { "{\"a\":\n1,\n}", 2, 2, "$", "a comma after the last member" },
    { "{\"a\": 1}}", 1, 9, "$", "'}' after the end" },
    { "{1: 2}", 1, 2, "$", "expected a member name in double quotes or '}', found '1'" },
    { "{\"a\": [}", 1, 8, "$.a[0]", "expected a value" },
    { "[1, 2 x]", 1, 7, "$", "expected ',' or ']' after the element, found 'x'" },
    { "[1 true]", 1, 4, "$[1]", "a comma is missing before this element" },
    { "{\"iban\": DE89370400440532013000}", 1, 10, "$.iban", "found a word without quotes" },
    { "{\"n\": 123456789012345678901234}", 1, 7, "$.n", "the whole number is too large" },
    { "\xEF\xBB\xBF{\"a\": x}", 1, 7, "$.a", "found 'x'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KioskJsonDoc) doc = kiosk_json_doc_parse (cases[i].text, strlen (cases[i].text));
      const GPtrArray *problems = kiosk_json_doc_get_problems (doc);
      const KioskJsonProblem *problem;

      if (kiosk_json_doc_get_root (doc) != NULL || problems->len != 1)
        g_error ("%s: expected one syntax error and no tree", cases[i].text);
      problem = g_ptr_array_index (problems, 0);
      /* No answer text in messages: digits and long words stay out. */
      g_assert_null (strstr (problem->message, "DE89"));
      g_assert_null (strstr (problem->message, "123456789"));
      if (problem->line != cases[i].line || problem->column != cases[i].column
          || strcmp (problem->path, cases[i].path) != 0 || strstr (problem->message, cases[i].needle) == NULL)
        g_error ("%s: got %u:%u %s: %s; expected %u:%u %s: …%s…", cases[i].text, problem->line, problem->column,
                 problem->path, problem->message, cases[i].line, cases[i].column, cases[i].path, cases[i].needle);
    }
}

static void
test_invalid_utf8 (void)
{
  const char text[] = "{\"a\":\n  \"x\xC3\x28\"}";
  g_autoptr(KioskJsonDoc) doc = kiosk_json_doc_parse (text, sizeof text - 1);
  const KioskJsonProblem *problem;

  g_assert_null (kiosk_json_doc_get_root (doc));
  g_assert_cmpuint (kiosk_json_doc_get_problems (doc)->len, ==, 1);
  problem = g_ptr_array_index (kiosk_json_doc_get_problems (doc), 0);
  g_assert_cmpuint (problem->line, ==, 2);
  g_assert_cmpuint (problem->column, ==, 5);
  g_assert_nonnull (strstr (problem->message, "not valid UTF-8"));
}

/* Duplicate keys: one problem each at the second key, naming the first;
 * the tree is built and the lookup finds the first value. In objects
 * searched from the start (few members) and sorted (many). */
static void
test_duplicates (void)
{
  for (guint size = 3; size <= 300; size += 297)
    {
      g_autoptr(GString) text = g_string_new ("{");
      g_autoptr(KioskJsonDoc) doc = NULL;
      const GPtrArray *problems;
      const KioskJsonProblem *problem;

      for (guint i = 0; i < size; i++)
        g_string_append_printf (text, "\"k%u\": %u,\n", i, i);
      /* k1 again on line size + 1, k0 twice more after it. */
      g_string_append (text, "\"k1\": -1, \"k0\": -2, \"k0\": -3}");
      doc = kiosk_json_doc_parse (text->str, text->len);
      problems = kiosk_json_doc_get_problems (doc);
      g_assert_nonnull (kiosk_json_doc_get_root (doc));
      g_assert_cmpuint (problems->len, ==, 3);
      problem = g_ptr_array_index (problems, 0);
      g_assert_cmpuint (problem->line, ==, size + 1);
      g_assert_cmpuint (problem->column, ==, 1);
      g_assert_cmpstr (problem->path, ==, "$.k1");
      g_assert_nonnull (strstr (problem->message, "duplicate key \"k1\" in the same object (first at line 2, column 1)"));
      problem = g_ptr_array_index (problems, 1);
      g_assert_cmpuint (problem->column, ==, 11);
      g_assert_nonnull (strstr (problem->message, "first at line 1, column 2"));
      problem = g_ptr_array_index (problems, 2);
      g_assert_cmpuint (problem->column, ==, 21);
      g_assert_nonnull (strstr (problem->message, "first at line 1, column 2"));
      g_assert_cmpint (kiosk_json_get (kiosk_json_doc_get_root (doc), "k1")->v.integer, ==, 1);
      g_assert_cmpint (kiosk_json_get (kiosk_json_doc_get_root (doc), "k0")->v.integer, ==, 0);
    }

  {
    /* A long run of one key: each repeat named, against the first (and
     * in linear time: a quadratic search took seconds here). */
    g_autoptr(GString) text = g_string_new ("{\"z\": 0");
    g_autoptr(KioskJsonDoc) doc = NULL;
    const GPtrArray *problems;

    for (guint i = 0; i < 20000; i++)
      g_string_append (text, ", \"a\": 1");
    g_string_append_c (text, '}');
    doc = kiosk_json_doc_parse (text->str, text->len);
    problems = kiosk_json_doc_get_problems (doc);
    g_assert_cmpuint (problems->len, ==, 19999);
    for (guint i = 0; i < problems->len; i++)
      g_assert_nonnull (strstr (((KioskJsonProblem *) g_ptr_array_index (problems, i))->message,
                                "(first at line 1, column 10)"));
  }

  {
    /* Escapes make equal keys of different spellings; nested objects
     * report in their own path. */
    const char *text = "{\"x\": {\"a\\u0062\": 1, \"ab\": 2}}";
    g_autoptr(KioskJsonDoc) doc = kiosk_json_doc_parse (text, strlen (text));
    const KioskJsonProblem *problem;

    g_assert_cmpuint (kiosk_json_doc_get_problems (doc)->len, ==, 1);
    problem = g_ptr_array_index (kiosk_json_doc_get_problems (doc), 0);
    g_assert_cmpstr (problem->path, ==, "$.x.ab");
    g_assert_cmpuint (problem->column, ==, 22);
  }
}

/* Lookup in large (sorted) objects: every key, keys that are prefixes of
 * each other, keys that sort around the missing ones. */
static void
test_large_object (void)
{
  g_autoptr(GString) text = g_string_new ("{");
  g_autoptr(KioskJsonDoc) doc = NULL;
  const KioskJson *root;
  const guint n = 2000;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s\"f%u\": %u", i > 0 ? ", " : "", i * 7 % n, i);
  g_string_append (text, ", \"\": -1, \"f\": -2}");
  doc = kiosk_json_doc_parse (text->str, text->len);
  root = kiosk_json_doc_get_root (doc);
  g_assert_nonnull (root);
  g_assert_cmpuint (kiosk_json_doc_get_problems (doc)->len, ==, 0);
  g_assert_cmpuint (root->length, ==, n + 2);
  g_assert_nonnull (root->sorted);
  for (guint i = 0; i < n; i++)
    {
      char key[16];

      g_snprintf (key, sizeof key, "f%u", i * 7 % n);
      g_assert_cmpint (kiosk_json_get (root, key)->v.integer, ==, i);
      g_snprintf (key, sizeof key, "f%ux", i);
      g_assert_null (kiosk_json_get (root, key));
    }
  g_assert_cmpint (kiosk_json_get (root, "")->v.integer, ==, -1);
  g_assert_cmpint (kiosk_json_get (root, "f")->v.integer, ==, -2);
  g_assert_null (kiosk_json_get (root, "g"));
  g_assert_null (kiosk_json_get (root, "e"));
  g_assert_null (kiosk_json_get (root, "f2000"));
  /* The members stay in the order of the text. */
  g_assert_cmpstr (root->v.members[1].key, ==, "f7");
}

static void
test_depth (void)
{
  for (guint depth = 256; depth <= 257; depth++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(KioskJsonDoc) doc = NULL;

      for (guint i = 0; i < depth; i++)
        g_string_append (text, i % 2 == 0 ? "[" : "{\"k\": ");
      g_string_append_c (text, '0');
      for (guint i = depth; i > 0; i--)
        g_string_append (text, (i - 1) % 2 == 0 ? "]" : "}");
      doc = kiosk_json_doc_parse (text->str, text->len);
      if (depth == 256)
        g_assert_nonnull (kiosk_json_doc_get_root (doc));
      else
        {
          const KioskJsonProblem *problem = g_ptr_array_index (kiosk_json_doc_get_problems (doc), 0);

          g_assert_null (kiosk_json_doc_get_root (doc));
          g_assert_nonnull (strstr (problem->message, "nest more than 256 levels"));
          g_assert_true (g_str_has_prefix (problem->path, "$[0].k[0].k"));
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/antragskiosk/json/same-as-json-glib", test_same_as_json_glib);
  g_test_add_func ("/antragskiosk/json/values", test_values);
  g_test_add_func ("/antragskiosk/json/syntax-errors", test_syntax_errors);
  g_test_add_func ("/antragskiosk/json/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/antragskiosk/json/duplicates", test_duplicates);
  g_test_add_func ("/antragskiosk/json/large-object", test_large_object);
  g_test_add_func ("/antragskiosk/json/depth", test_depth);
  return g_test_run ();
}
