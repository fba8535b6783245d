/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <antragskiosk/file.h>
#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>

#include "../app/core/form-private.h"
#include "json-doc-testutil.h"

/* A small valid form; tests derive broken variants from it by replacing
 * one marked piece of text. Each line of the template is one JSON line, so
 * the expected line numbers of problems can be read off here. */
static const char *valid_form =
  "{\n"                                                                       /* 1 */
  "  \"format\": 1,\n"                                                        /* 2 */
  "  \"id\": \"test-form\",\n"                                                /* 3 */
  "  \"version\": \"1.2.3\",\n"                                               /* 4 */
  "  \"leika\": \"99115005000000\",\n"                                        /* 5 */
  "  \"schema_uri\": \"https://schema.example.org/test.json\",\n"             /* 6 */
  "  \"category\": \"sonstiges\",\n"                                          /* 7 */
  "  \"title\": {\"de\": \"Testantrag\", \"en\": \"Test application\"},\n"    /* 8 */
  "  \"code_lists\": {\"farbe\": {\"values\": [\n"                            /* 9 */
  "    {\"code\": \"rot\", \"label\": {\"de\": \"Rot\", \"en\": \"Red\"}},\n" /* 10 */
  "    {\"code\": \"blau\", \"label\": {\"de\": \"Blau\"}}]}},\n"             /* 11 */
  "  \"pages\": [\n"                                                          /* 12 */
  "    {\"id\": \"seite1\", \"title\": {\"de\": \"Seite 1\"}, \"items\": [\n" /* 13 */
  "      {\"id\": \"name\", \"kind\": \"name\", \"label\": {\"de\": \"Name\"}, \"required\": true},\n" /* 14 */
  "      {\"id\": \"farbe\", \"kind\": \"select\", \"code_list\": \"farbe\", \"label\": {\"de\": \"Farbe\"}},\n" /* 15 */
  "      {\"id\": \"grund\", \"kind\": \"text\", \"label\": {\"de\": \"Grund\"}, \"relevant\": \"farbe == 'rot'\"},\n" /* 16 */
  "      {\"id\": \"kinder\", \"kind\": \"group\", \"label\": {\"de\": \"Kinder\"}, \"min\": 0, \"max\": 3, \"items\": [\n" /* 17 */
  "        {\"id\": \"kind_name\", \"kind\": \"text\", \"label\": {\"de\": \"Name des Kindes\"}, \"required\": true}\n" /* 18 */
  "      ]}\n"                                                                /* 19 */
  "    ]}\n"                                                                  /* 20 */
  "  ]\n"                                                                     /* 21 */
  "}\n";                                                                      /* 22 */

static char *
replace_once (const char *haystack,
              const char *needle,
              const char *replacement)
{
  const char *at = strstr (haystack, needle);
  GString *out;

  g_assert_nonnull (at);
  out = g_string_new_len (haystack, at - haystack);
  g_string_append (out, replacement);
  g_string_append (out, at + strlen (needle));
  return g_string_free (out, FALSE);
}

/* Loads @text and returns its problems; asserts that it did not load. */
static GPtrArray *
load_broken (const char *text)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *problems = NULL;
  KioskForm *form = kiosk_form_load_data (text, strlen (text), "test.json", &problems, &error);

  g_assert_null (form);
  g_assert_nonnull (error);
  g_assert_nonnull (problems);
  g_assert_cmpuint (problems->len, >, 0);
  return problems;
}

/* Asserts that one of @problems is on @line and its text contains @needle. */
static void
assert_problem (GPtrArray  *problems,
                guint       line,
                const char *path_prefix,
                const char *needle)
{
  for (guint i = 0; i < problems->len; i++)
    {
      KioskFormProblem *problem = g_ptr_array_index (problems, i);

      if (strstr (problem->message, needle) != NULL
          && (line == 0 || problem->line == line)
          && (path_prefix == NULL || g_str_has_prefix (problem->path, path_prefix)))
        {
          g_assert_cmpstr (problem->file, ==, "test.json");
          return;
        }
    }
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *s = kiosk_form_problem_to_string (g_ptr_array_index (problems, i));
      g_printerr ("  problem: %s\n", s);
    }
  g_error ("expected a problem on line %u at %s mentioning “%s”", line, path_prefix, needle);
}

static void
test_valid_model (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(KioskForm) form = kiosk_form_load_data (valid_form, strlen (valid_form), "test.json", &problems, &error);
  const KioskElement *name, *farbe, *grund, *kinder, *kind_name;

  g_assert_no_error (error);
  g_assert_nonnull (form);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpstr (form->id, ==, "test-form");
  g_assert_cmpstr (form->version, ==, "1.2.3");
  g_assert_cmpstr (form->leika, ==, "99115005000000");
  g_assert_cmpstr (kiosk_text_get (form->title, "en"), ==, "Test application");
  g_assert_cmpstr (kiosk_text_get (form->title, "tr"), ==, "Testantrag");  /* falls back to German */
  g_assert_cmpuint (form->pages->len, ==, 1);
  g_assert_cmpuint (form->elements->len, ==, 6);

  name = kiosk_form_lookup (form, "name");
  farbe = kiosk_form_lookup (form, "farbe");
  grund = kiosk_form_lookup (form, "grund");
  kinder = kiosk_form_lookup (form, "kinder");
  kind_name = kiosk_form_lookup (form, "kind_name");
  g_assert_cmpint (name->kind, ==, KIOSK_KIND_NAME);
  g_assert_true (name->required);
  g_assert_cmpuint (name->line, ==, 14);
  g_assert_cmpint (name->max_length, ==, 200);   /* the documented default */
  g_assert_cmpint (farbe->kind, ==, KIOSK_KIND_SELECT);
  g_assert_nonnull (farbe->code_list);
  g_assert_cmpuint (farbe->code_list->codes->len, ==, 2);
  g_assert_cmpstr (kiosk_text_get (kiosk_code_list_lookup (farbe->code_list, "blau")->label, "en"), ==, "Blau");
  g_assert_nonnull (grund->relevant);
  g_assert_true (kiosk_element_is_repeatable (kinder));
  g_assert_cmpuint (kinder->min_occurs, ==, 0);
  g_assert_cmpuint (kinder->max_occurs, ==, 3);
  g_assert_true (kind_name->scope == kinder);
  g_assert_null (name->scope);
  g_assert_true (kind_name->page == g_ptr_array_index (form->pages, 0));
}

static void
test_unknown_key (void)
{
  g_autofree char *text = replace_once (valid_form, "\"required\": true},\n      {\"id\": \"farbe\"",
                                        "\"requried\": true},\n      {\"id\": \"farbe\"");
  g_autoptr(GPtrArray) problems = load_broken (text);

  assert_problem (problems, 14, "$.pages[0].items[0].requried", "did you mean \"required\"");
}

static void
test_key_of_other_kind (void)
{
  g_autofree char *text = replace_once (valid_form, "\"code_list\": \"farbe\",", "\"code_list\": \"farbe\", \"min_age\": 3,");
  g_autoptr(GPtrArray) problems = load_broken (text);

  assert_problem (problems, 15, "$.pages[0].items[1].min_age", "does not apply");
}

static void
test_duplicate_key (void)
{
  g_autofree char *text = replace_once (valid_form, "\"format\": 1,\n", "\"format\": 1,\n  \"id\": \"x\",\n");
  g_autoptr(GPtrArray) problems = load_broken (text);

  /* The second "id" is on line 4 now. */
  assert_problem (problems, 4, NULL, "duplicate key \"id\"");
}

static void
test_duplicate_key_escaped (void)
{
  /* "\u0069d" is "id" too: a duplicate however it is spelled. */
  g_autofree char *text = replace_once (valid_form, "\"format\": 1,\n", "\"format\": 1,\n  \"\\u0069d\": \"x\",\n");
  g_autoptr(GPtrArray) problems = load_broken (text);

  assert_problem (problems, 0, NULL, "duplicate key \"id\"");
}

static void
test_duplicate_id (void)
{
  g_autofree char *text = replace_once (valid_form, "{\"id\": \"grund\"", "{\"id\": \"name\"");
  g_autoptr(GPtrArray) problems = load_broken (text);

  assert_problem (problems, 16, "$.pages[0].items[2].id", "already used at line 14");
}

static void
test_dangling_reference (void)
{
  g_autofree char *text = replace_once (valid_form, "farbe == 'rot'", "farb == 'rot'");
  g_autoptr(GPtrArray) problems = load_broken (text);

  assert_problem (problems, 16, "$.pages[0].items[2].relevant", "no element with that id");
}

static void
test_bad_expression (void)
{
  g_autofree char *text = replace_once (valid_form, "farbe == 'rot'", "farbe == (");
  g_autoptr(GPtrArray) problems = load_broken (text);

  assert_problem (problems, 16, "$.pages[0].items[2].relevant", "is not valid at character");
}

static void
test_code_not_in_list (void)
{
  g_autofree char *text = replace_once (valid_form, "farbe == 'rot'", "farbe == 'gruen'");
  g_autoptr(GPtrArray) problems = load_broken (text);

  assert_problem (problems, 16, NULL, "not a code of its code list \"farbe\"");
}

static void
test_reference_into_repeatable_group (void)
{
  g_autofree char *text = replace_once (valid_form, "farbe == 'rot'", "kind_name == 'Max'");
  g_autoptr(GPtrArray) problems = load_broken (text);

  assert_problem (problems, 16, NULL, "inside the repeatable group \"kinder\"");
}

static void
test_count_needs_repeatable (void)
{
  g_autofree char *text = replace_once (valid_form, "farbe == 'rot'", "count(name) > 1");
  g_autoptr(GPtrArray) problems = load_broken (text);

  assert_problem (problems, 16, NULL, "needs a repeatable group");
}

static void
test_relevance_cycle (void)
{
  g_autofree char *step = replace_once (valid_form, "\"code_list\": \"farbe\",",
                                        "\"code_list\": \"farbe\", \"relevant\": \"present(grund)\",");
  g_autoptr(GPtrArray) problems = load_broken (step);

  assert_problem (problems, 0, NULL, "depends on itself");
}

static void
test_wrong_types (void)
{
  g_autofree char *a = replace_once (valid_form, "\"format\": 1", "\"format\": \"1\"");
  g_autofree char *b = replace_once (a, "\"min\": 0, \"max\": 3", "\"min\": 0, \"max\": 3.5");
  g_autofree char *c = replace_once (b, "\"required\": true},\n      {\"id\": \"farbe\"",
                                     "\"required\": 1},\n      {\"id\": \"farbe\"");
  g_autofree char *d = replace_once (c, "\"label\": {\"de\": \"Grund\"}", "\"label\": \"Grund\"");
  g_autoptr(GPtrArray) problems = load_broken (d);

  assert_problem (problems, 2, "$.format", "must be a whole number, not a string");
  assert_problem (problems, 17, "$.pages[0].items[3].max", "must be a whole number, not a number");
  assert_problem (problems, 14, "$.pages[0].items[0].required", "true, false or an expression");
  assert_problem (problems, 16, "$.pages[0].items[2].label", "must be a language map");
  g_assert_cmpuint (problems->len, ==, 4);
}

static void
test_missing_german (void)
{
  g_autofree char *text = replace_once (valid_form, "{\"de\": \"Testantrag\", \"en\": \"Test application\"}",
                                        "{\"en\": \"Test application\"}");
  g_autoptr(GPtrArray) problems = load_broken (text);

  assert_problem (problems, 8, "$.title", "needs a German text");
}

static void
test_missing_required_keys (void)
{
  g_autofree char *text = replace_once (valid_form, "  \"leika\": \"99115005000000\",\n", "");
  g_autofree char *text2 = replace_once (text, "\"kind\": \"name\", ", "");
  g_autoptr(GPtrArray) problems = load_broken (text2);

  assert_problem (problems, 0, "$", "needs the key \"leika\"");
  assert_problem (problems, 13, "$.pages[0].items[0]", "needs the key \"kind\"");
}

static void
test_nested_repeatable (void)
{
  g_autofree char *text = replace_once (valid_form,
                                        "{\"id\": \"kind_name\", \"kind\": \"text\", \"label\": {\"de\": \"Name des Kindes\"}, \"required\": true}",
                                        "{\"id\": \"enkel\", \"kind\": \"group\", \"label\": {\"de\": \"Enkel\"}, \"max\": 2, \"items\": ["
                                        "{\"id\": \"kind_name\", \"kind\": \"text\", \"label\": {\"de\": \"N\"}}]}");
  g_autoptr(GPtrArray) problems = load_broken (text);

  assert_problem (problems, 18, "$.pages[0].items[3].items[0]", "may not stand inside the repeatable group \"kinder\"");
}

static void
test_pattern_rules (void)
{
  g_autofree char *bad_regex = replace_once (valid_form, "\"label\": {\"de\": \"Grund\"}",
                                             "\"label\": {\"de\": \"Grund\"}, \"pattern\": \"[a-\", \"pattern_message\": {\"de\": \"x\"}");
  g_autofree char *no_message = replace_once (valid_form, "\"label\": {\"de\": \"Grund\"}",
                                              "\"label\": {\"de\": \"Grund\"}, \"pattern\": \"[a-z]+\"");
  g_autoptr(GPtrArray) p1 = load_broken (bad_regex);
  g_autoptr(GPtrArray) p2 = load_broken (no_message);

  assert_problem (p1, 16, "$.pages[0].items[2].pattern", "not a valid regular expression");
  assert_problem (p2, 16, "$.pages[0].items[2]", "needs a \"pattern_message\"");
}

static void
test_not_json (void)
{
  g_autofree char *text = replace_once (valid_form, "\"version\": \"1.2.3\",", "\"version\": \"1.2.3\"");
  g_autoptr(GPtrArray) problems = load_broken (text);
  KioskFormProblem *problem = g_ptr_array_index (problems, 0);

  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (g_str_has_prefix (problem->message, "not valid JSON"));
  /* The missing comma is noticed at the next member, on line 5. */
  g_assert_cmpuint (problem->line, >=, 4);
  g_assert_cmpuint (problem->line, <=, 5);
}

static void
test_garbage (void)
{
  static const char *inputs[] = { "", "[]", "42", "null", "\"x\"", "{", "{\"pages\": 3}", "\xff\xfe{}" };

  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GPtrArray) problems = load_broken (inputs[i]);
      for (guint j = 0; j < problems->len; j++)
        {
          KioskFormProblem *problem = g_ptr_array_index (problems, j);
          g_assert_cmpstr (problem->message, !=, "");
          g_assert_cmpuint (problem->line, >=, 1);
        }
    }
}

static void
test_problem_format (void)
{
  g_autofree char *text = replace_once (valid_form, "\"category\": \"sonstiges\"", "\"category\": \"misc\"");
  g_autoptr(GPtrArray) problems = load_broken (text);
  g_autofree char *line = kiosk_form_problem_to_string (g_ptr_array_index (problems, 0));

  g_assert_true (g_str_has_prefix (line, "test.json:7:"));
  g_assert_nonnull (strstr (line, ": $.category: unknown category \"misc\""));
}

/* The bundled forms: all five load, each carries a real LeiKa key, and
 * together they use every kind of field, repeatable groups and conditions.
 * (FORMS.md's Sperrmüll-Abholung has no verifiable key; the Wohnberechtigungs-
 * schein took its place, docs/bundled-forms.md.) */
static void
test_bundled_forms (void)
{
  static const char *expected[] = { "anwohnerparkausweis", "gewerbeanmeldung", "hundesteuer",
                                    "meldebescheinigung", "wohnberechtigungsschein" };
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskCatalog) catalog = kiosk_catalog_new (NULL, &error);
  gboolean kinds[KIOSK_N_KINDS] = { FALSE };
  guint repeatable = 0, relevant = 0, required_if = 0, constraints = 0;
  GPtrArray *problems;

  g_assert_no_error (error);
  problems = kiosk_catalog_get_problems (catalog);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *s = kiosk_form_problem_to_string (g_ptr_array_index (problems, i));
      g_printerr ("%s\n", s);
    }
  g_assert_cmpuint (problems->len, ==, 0);
  /* Exactly these: no further bundled form escapes the key check below. */
  g_assert_cmpuint (kiosk_catalog_get_forms (catalog)->len, ==, G_N_ELEMENTS (expected));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      KioskForm *form = kiosk_catalog_lookup (catalog, expected[i]);

      g_assert_nonnull (form);
      g_assert_nonnull (kiosk_text_get (form->title, "en"));
      /* English is present, not only the German fallback. */
      g_assert_cmpstr (kiosk_text_get (form->title, "en"), !=, kiosk_text_get (form->title, "de"));
      /* A real service key, no placeholder: 14 digits of the national
       * catalogue (its keys begin with 99). */
      if (form->leika == NULL || strlen (form->leika) != 14 || !g_str_has_prefix (form->leika, "99")
          || strspn (form->leika, "0123456789") != 14)
        g_error ("bundled form %s has no real LeiKa key (\"%s\")", expected[i],
                 form->leika ? form->leika : "unknown");
      for (guint j = 0; j < form->elements->len; j++)
        {
          const KioskElement *element = g_ptr_array_index (form->elements, j);
          kinds[element->kind] = TRUE;
          repeatable += kiosk_element_is_repeatable (element);
          relevant += element->relevant != NULL;
          required_if += element->required_if != NULL;
          constraints += element->constraint != NULL;
        }
    }
  for (int k = 0; k < KIOSK_N_KINDS; k++)
    if (!kinds[k])
      g_error ("no bundled form uses the kind \"%s\"", kiosk_kind_to_string (k));
  g_assert_cmpuint (repeatable, >=, 2);
  g_assert_cmpuint (relevant, >=, 1);
  g_assert_cmpuint (required_if, >=, 1);
  g_assert_cmpuint (constraints, >=, 1);
}

static void
test_forms_dir_override (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiosk-forms-XXXXXX", &error);
  g_autofree char *good = g_build_filename (dir, "a-override.json", NULL);
  g_autofree char *broken = g_build_filename (dir, "b-broken.json", NULL);
  g_autofree char *override = replace_once (valid_form, "\"id\": \"test-form\"", "\"id\": \"wohnberechtigungsschein\"");
  g_autoptr(KioskCatalog) catalog = NULL;
  KioskForm *form;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (good, override, -1, NULL));
  /* A broken file claiming the id of another bundled form. */
  g_assert_true (g_file_set_contents (broken, "{\"id\": \"hundesteuer\", \"format\": 1,", -1, NULL));

  g_test_expect_message ("antragskiosk-form", G_LOG_LEVEL_WARNING, "*b-broken.json is broken*");
  catalog = kiosk_catalog_new (dir, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  form = kiosk_catalog_lookup (catalog, "wohnberechtigungsschein");
  g_assert_nonnull (form);
  g_assert_cmpstr (form->version, ==, "1.2.3");      /* the file replaced the bundled form */
  form = kiosk_catalog_lookup (catalog, "hundesteuer");
  g_assert_nonnull (form);                            /* the broken file did not remove it */
  g_assert_true (g_str_has_prefix (form->file, "resource://"));
  g_assert_cmpuint (kiosk_catalog_get_problems (catalog)->len, >=, 1);

  g_unlink (good);
  g_unlink (broken);
  g_rmdir (dir);
}

/* IT staff replace a form file with a broken one: the last good version
 * stays in service (not the bundled one), and is reported; taking the file
 * out withdraws the form and its copy. */
static void
test_forms_dir_keeps_last_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiosk-forms-XXXXXX", &error);
  g_autofree char *keep = g_build_filename (dir, "in-service", NULL);
  g_autofree char *forms = g_build_filename (dir, "forms", NULL);
  g_autofree char *file = g_build_filename (forms, "wohnberechtigungsschein.json", NULL);
  g_autofree char *copy = g_build_filename (keep, "wohnberechtigungsschein.json", NULL);
  g_autofree char *v1 = replace_once (valid_form, "\"id\": \"test-form\"", "\"id\": \"wohnberechtigungsschein\"");
  g_autofree char *v2 = replace_once (v1, "\"1.2.3\"", "\"1.2.4\"");
  KioskCatalog *catalog;
  KioskForm *form;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (forms, 0755), ==, 0);
  g_assert_true (g_file_set_contents (file, v1, -1, NULL));

  /* A look that may not write (antragskiosk-ctl as another user) keeps nothing. */
  catalog = kiosk_catalog_new_full (forms, keep, FALSE, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (copy, G_FILE_TEST_EXISTS));
  kiosk_catalog_free (catalog);

  /* The kiosk keeps a copy of what it put into service. */
  catalog = kiosk_catalog_new_full (forms, keep, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (copy, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (kiosk_catalog_lookup (catalog, "wohnberechtigungsschein")->version, ==, "1.2.3");
  kiosk_catalog_free (catalog);

  /* A good update replaces the copy. */
  g_assert_true (g_file_set_contents (file, v2, -1, NULL));
  catalog = kiosk_catalog_new_full (forms, keep, TRUE, &error);
  g_assert_cmpstr (kiosk_catalog_lookup (catalog, "wohnberechtigungsschein")->version, ==, "1.2.4");
  g_assert_cmpuint (kiosk_catalog_get_kept (catalog)->len, ==, 0);
  kiosk_catalog_free (catalog);

  /* A broken update: 1.2.4 stays, the problem and the kept version are
   * reported, and the copy is not overwritten. */
  g_assert_true (g_file_set_contents (file, "{\"id\": \"wohnberechtigungsschein\", \"format\": 1,", -1, NULL));
  g_test_expect_message ("antragskiosk-form", G_LOG_LEVEL_WARNING, "*wohnberechtigungsschein.json is broken; its last good version*1.2.4*");
  catalog = kiosk_catalog_new_full (forms, keep, TRUE, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  form = kiosk_catalog_lookup (catalog, "wohnberechtigungsschein");
  g_assert_nonnull (form);
  g_assert_cmpstr (form->version, ==, "1.2.4");
  g_assert_cmpuint (kiosk_catalog_get_problems (catalog)->len, >=, 1);
  g_assert_cmpuint (kiosk_catalog_get_kept (catalog)->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (kiosk_catalog_get_kept (catalog), 0), "version 1.2.4"));
  kiosk_catalog_free (catalog);

  /* Withdrawn: the file goes, so do the copy and the form's override. */
  g_unlink (file);
  catalog = kiosk_catalog_new_full (forms, keep, TRUE, &error);
  g_assert_false (g_file_test (copy, G_FILE_TEST_EXISTS));
  g_assert_true (g_str_has_prefix (kiosk_catalog_lookup (catalog, "wohnberechtigungsschein")->file, "resource://"));
  kiosk_catalog_free (catalog);

  g_rmdir (keep);
  g_rmdir (forms);
  g_rmdir (dir);
}

/* Each element's position is where its object starts in the text ('{'),
 * in the order of the text; also on text with escapes and non-ASCII
 * characters before an object on the same line, and all on one line. */
static void
test_element_positions (void)
{
  const char *root = g_getenv ("ANTRAGSKIOSK_SOURCE_ROOT");
  g_autofree char *dir = g_build_filename (root != NULL ? root : "..", "resources", "forms", NULL);
  g_autoptr(GDir) forms = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *escaped = replace_once (valid_form, "\"title\": {",
                                           "\"title\": {\"fr\": \"\\u00c9t\\u00e9 \\ud83d\\ude00 \\\"x\\\"\\/\", ");
  guint n_forms = 0;

  g_assert_nonnull (forms);
  for (const char *name = g_dir_read_name (forms); name != NULL; name = g_dir_read_name (forms))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      char *text = NULL;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_ptr_array_add (texts, text);
      n_forms++;
    }
  g_assert_cmpuint (n_forms, >=, 5);
  g_ptr_array_add (texts, g_strdup (escaped));
  g_ptr_array_add (texts, g_strdelimit (g_strdup (escaped), "\n", ' '));

  for (guint t = 0; t < texts->len; t++)
    {
      const char *text = g_ptr_array_index (texts, t);
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskForm) form = kiosk_form_load_data (text, strlen (text), "t.json", NULL, &error);
      gssize last = 0;

      g_assert_no_error (error);
      for (guint i = 0; i < form->elements->len; i++)
        {
          const KioskElement *element = g_ptr_array_index (form->elements, i);
          gssize at = kiosk_json_test_offset (text, strlen (text), element->line, element->column);

          if (at < 0 || text[at] != '{')
            g_error ("%s at %u:%u is not where its object starts", element->id, element->line, element->column);
          g_assert_cmpint (at, >, last);
          last = at;
        }
      if (t >= n_forms)
        {
          g_assert_cmpstr (kiosk_text_get (form->title, "fr"), ==, "\u00c9t\u00e9 \U0001F600 \"x\"/");
          g_assert_cmpuint (((const KioskElement *) g_ptr_array_index (form->elements, 0))->line, ==, t == n_forms ? 13 : 1);
        }
    }
}

/* Issue #18: a FIFO, a device or an oversized file in the forms directory
 * is that file's problem; the other forms load, and nothing blocks. */
static void
test_forms_dir_special_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiosk-forms-XXXXXX", &error);
  g_autofree char *good = g_build_filename (dir, "a-good.json", NULL);
  g_autofree char *fifo = g_build_filename (dir, "b-fifo.json", NULL);
  g_autofree char *device = g_build_filename (dir, "c-device.json", NULL);
  g_autofree char *big = g_build_filename (dir, "d-big.json", NULL);
  g_autoptr(KioskCatalog) catalog = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(KioskForm) direct = NULL;
  gboolean seen_fifo = FALSE, seen_device = FALSE, seen_big = FALSE;
  GPtrArray *catalog_problems;
  FILE *f;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (good, valid_form, -1, NULL));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink ("/dev/zero", device), ==, 0);
  /* One byte more than the limit: a valid form followed by spaces. */
  f = fopen (big, "w");
  g_assert_nonnull (f);
  fputs (valid_form, f);
  for (gsize i = strlen (valid_form); i < KIOSK_FILE_MAX_FORM + 1; i++)
    fputc (' ', f);
  fclose (f);

  g_test_expect_message ("antragskiosk-form", G_LOG_LEVEL_WARNING, "*b-fifo.json is broken*");
  g_test_expect_message ("antragskiosk-form", G_LOG_LEVEL_WARNING, "*c-device.json is broken*");
  g_test_expect_message ("antragskiosk-form", G_LOG_LEVEL_WARNING, "*d-big.json is broken*");
  catalog = kiosk_catalog_new (dir, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (kiosk_catalog_lookup (catalog, "test-form"));
  catalog_problems = kiosk_catalog_get_problems (catalog);
  g_assert_cmpuint (catalog_problems->len, ==, 3);
  for (guint i = 0; i < catalog_problems->len; i++)
    {
      const KioskFormProblem *problem = g_ptr_array_index (catalog_problems, i);

      if (g_str_has_suffix (problem->file, "b-fifo.json"))
        seen_fifo = strstr (problem->message, "is a FIFO (named pipe), not a regular file") != NULL;
      else if (g_str_has_suffix (problem->file, "c-device.json"))
        seen_device = strstr (problem->message, "is a character device, not a regular file") != NULL;
      else if (g_str_has_suffix (problem->file, "d-big.json"))
        seen_big = strstr (problem->message, "this file may have") != NULL
                   && strstr (problem->message, "a form definition may have at most 4 MiB") != NULL;
    }
  g_assert_true (seen_fifo);
  g_assert_true (seen_device);
  g_assert_true (seen_big);

  /* The same directly, as check-forms FILE does it. */
  direct = kiosk_form_load_file (fifo, &problems, &error);
  g_assert_null (direct);
  g_assert_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_IO);
  g_assert_cmpuint (problems->len, ==, 1);

  g_unlink (good);
  g_unlink (fifo);
  g_unlink (device);
  g_unlink (big);
  g_rmdir (dir);
}

/* Issue #18: the duplicate check of a code list was quadratic (100000
 * codes took 26 s); now it is one hash lookup per code. */
static void
test_code_list_linear (void)
{
  const guint n = 100000;
  GString *text = g_string_new (NULL);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskForm) form = NULL;
  gint64 start;
  gsize length;

  for (int pass = 0; pass < 2; pass++)
    {
      g_string_assign (text, "{\"format\": 1, \"id\": \"gross\", \"version\": \"1.0.0\", \"leika\": \"unknown\","
                       " \"schema_uri\": \"urn:test:gross\", \"category\": \"sonstiges\", \"title\": {\"de\": \"G\"},"
                       " \"code_lists\": {\"liste\": {\"values\": [");
      for (guint i = 0; i < n; i++)
        g_string_append_printf (text, "%s{\"code\": \"c%u\", \"label\": {\"de\": \"%u\"}}", i > 0 ? "," : "",
                                /* The second pass repeats the first code at the end. */
                                pass == 1 && i == n - 1 ? 0 : i, i);
      g_string_append (text, "]}}, \"pages\": [{\"id\": \"p\", \"title\": {\"de\": \"P\"}, \"items\": ["
                       "{\"id\": \"wahl\", \"kind\": \"select\", \"code_list\": \"liste\", \"label\": {\"de\": \"W\"}}]}]}");
      length = text->len;
      start = g_get_monotonic_time ();
      form = kiosk_form_load_data (text->str, length, "test.json", &problems, &error);
      /* Linear takes well under a second even under AddressSanitizer;
       * quadratic took 26 s in an optimised build. */
      g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
      if (pass == 0)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (form->code_lists->len, ==, 1);
          g_assert_cmpuint (((KioskCodeList *) g_ptr_array_index (form->code_lists, 0))->codes->len, ==, n);
          g_assert_nonnull (kiosk_code_list_lookup (g_ptr_array_index (form->code_lists, 0), "c99999"));
          g_assert_null (kiosk_code_list_lookup (g_ptr_array_index (form->code_lists, 0), "c100000"));
        }
      else
        {
          g_autofree char *path = g_strdup_printf ("$.code_lists.liste.values[%u].code", n - 1);

          g_assert_null (form);
          assert_problem (problems, 1, path, "the code \"c0\" appears twice in the code list \"liste\"");
          g_assert_cmpuint (problems->len, ==, 1);
        }
      g_clear_pointer (&form, kiosk_form_unref);
      g_clear_pointer (&problems, g_ptr_array_unref);
      g_clear_error (&error);
    }
  g_string_free (text, TRUE);
}

/* Issue #18: control characters (a title with BEL/ESC drove the terminal
 * and broke every receipt) and bidi controls in any text or string of a
 * form are refused where they stand. */
static void
test_control_characters (void)
{
  static const struct {
    const char *needle, *replacement, *path, *message;
    guint line;
  } cases[] = {
    { "\"Testantrag\"", "\"Test\\u0007antrag\\u001b[31m\"", "$.title.de", "the de text contains the control character U+0007 at character 5", 8 },
    { "\"Test application\"", "\"Test\\u009bapplication\"", "$.title.en", "the en text contains the control character U+009B at character 5", 8 },
    { "\"Seite 1\"", "\"Seite\\n1\"", "$.pages[0].title.de", "control character U+000A", 13 },
    { "\"Name des Kindes\"", "\"Name \\u202edes Kindes\"", "$.pages[0].items[3].items[0].label.de", "control character U+202E", 18 },
    { "\"Grund\"}", "\"Grund\"}, \"help\": {\"de\": \"\\u2066x\\u2069\"}", "$.pages[0].items[2].help.de", "control character U+2066", 16 },
    { "\"code\": \"blau\"", "\"code\": \"bl\\u001bau\"", "$.code_lists.farbe.values[1].code", "\"code\" contains the control character U+001B at character 3", 11 },
    { "\"version\": \"1.2.3\"", "\"version\": \"1.2.3\\t\"", "$.version", "control character U+0009", 4 },
    { "\"farbe == 'rot'\"", "\"farbe == 'r\\u001bot'\"", "$.pages[0].items[2].relevant", "the expression in \"relevant\" contains the control character U+001B at character 12", 16 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = replace_once (valid_form, cases[i].needle, cases[i].replacement);
      g_autoptr(GPtrArray) problems = load_broken (text);

      assert_problem (problems, cases[i].line, cases[i].path, cases[i].message);
    }

  /* What a message quotes of the author's text (an unknown key, a language
   * code) comes out escaped, in the message and in the path. */
  {
    g_autofree char *text = replace_once (valid_form, "\"en\": \"Test application\"",
                                          "\"e\\u001b[2Jn\": \"x\", \"x\\u202ey\": 1");
    g_autoptr(GPtrArray) problems = load_broken (text);

    assert_problem (problems, 8, "$.title.e\\u001B[2Jn", "\"e\\u001B[2Jn\" is not a language code");
    for (guint i = 0; i < problems->len; i++)
      {
        g_autofree char *line = kiosk_form_problem_to_string (g_ptr_array_index (problems, i));

        g_assert_null (strchr (line, '\x1b'));
        g_assert_null (strstr (line, "\u202e"));
      }
  }
  /* And so does a file name. */
  {
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(KioskForm) form = kiosk_form_load_data ("{", 1, "b\x1b[2J.json", &problems, NULL);
    g_autofree char *line = NULL;

    g_assert_null (form);
    line = kiosk_form_problem_to_string (g_ptr_array_index (problems, 0));
    g_assert_true (g_str_has_prefix (line, "b\\u001B[2J.json:1:"));
  }
}

/* Issue #18: nested unbounded repeats are refused when the form loads;
 * what only looks alike is not. */
static void
test_pattern_backtracking (void)
{
  static const struct {
    const char *pattern;   /* as JSON string content */
    const char *message;   /* NULL: loads */
  } cases[] = {
    { "(a+)+", "the quantifier at character 5" },
    { "(?:[a-z]+ ?)*", "the quantifier at character 13" },
    { "x(a*)*y", "the quantifier at character 6" },
    { "((ab)*c)+", "the quantifier at character 9" },
    { "(?:x|(y+))*", "the quantifier at character 11" },
    { "(a+){2,}", "the quantifier at character 5" },
    { "(?<n>\\\\d+)+", "the quantifier at character 10" },
    { "(?:(?:a+)?b)*", "the quantifier at character 13" },
    { "a)|(b", "has a \")\" without its \"(\" at character 2" },
    { "(\\\\d+\\\\.){3}\\\\d+", NULL },
    { "[a-z]+(?: [a-z]++)*", NULL },
    { "(?>a+)+", NULL },
    { "(?:a+)*+", NULL },
    { "(?=a+)+b", NULL },
    { "(?:ab)*", NULL },
    { "\\\\d{2,}(?:-\\\\d{2})*", NULL },
    { "[(]+[)]*", NULL },
    { "\\\\(a+\\\\)+", NULL },
    { "\\\\Q(a+)+\\\\E", NULL },
    { "(?#(a+)x+", NULL },
    { "(\\\\x{41}\\\\p{L}){1,3}", NULL },
    { "[1-9][0-9]{0,3} ?[a-zA-Z]?( ?[-/] ?[1-9][0-9]{0,3} ?[a-zA-Z]?)?", NULL },
    { "https?://[^ ]+\\\\.[^ ]+", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *replacement = g_strdup_printf ("\"label\": {\"de\": \"Grund\"}, \"pattern\": \"%s\", "
                                                      "\"pattern_message\": {\"de\": \"x\"}", cases[i].pattern);
      g_autofree char *text = replace_once (valid_form, "\"label\": {\"de\": \"Grund\"}", replacement);

      if (cases[i].message != NULL)
        {
          g_autoptr(GPtrArray) problems = load_broken (text);

          assert_problem (problems, 16, "$.pages[0].items[2].pattern", cases[i].message);
        }
      else
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(KioskForm) form = kiosk_form_load_data (text, strlen (text), "test.json", NULL, &error);

          if (error != NULL)
            g_error ("the pattern %s was refused: %s", cases[i].pattern, error->message);
          g_assert_nonnull (form->elements);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* After g_test_init(), which resets the locale. */
  kiosk_i18n_init ();

  g_test_add_func ("/antragskiosk/form/valid-model", test_valid_model);
  g_test_add_func ("/antragskiosk/form/unknown-key", test_unknown_key);
  g_test_add_func ("/antragskiosk/form/key-of-other-kind", test_key_of_other_kind);
  g_test_add_func ("/antragskiosk/form/duplicate-key", test_duplicate_key);
  g_test_add_func ("/antragskiosk/form/duplicate-key-escaped", test_duplicate_key_escaped);
  g_test_add_func ("/antragskiosk/form/duplicate-id", test_duplicate_id);
  g_test_add_func ("/antragskiosk/form/dangling-reference", test_dangling_reference);
  g_test_add_func ("/antragskiosk/form/bad-expression", test_bad_expression);
  g_test_add_func ("/antragskiosk/form/code-not-in-list", test_code_not_in_list);
  g_test_add_func ("/antragskiosk/form/reference-into-repeatable", test_reference_into_repeatable_group);
  g_test_add_func ("/antragskiosk/form/count-needs-repeatable", test_count_needs_repeatable);
  g_test_add_func ("/antragskiosk/form/relevance-cycle", test_relevance_cycle);
  g_test_add_func ("/antragskiosk/form/wrong-types", test_wrong_types);
  g_test_add_func ("/antragskiosk/form/missing-german", test_missing_german);
  g_test_add_func ("/antragskiosk/form/missing-required-keys", test_missing_required_keys);
  g_test_add_func ("/antragskiosk/form/nested-repeatable", test_nested_repeatable);
  g_test_add_func ("/antragskiosk/form/pattern-rules", test_pattern_rules);
  g_test_add_func ("/antragskiosk/form/not-json", test_not_json);
  g_test_add_func ("/antragskiosk/form/garbage", test_garbage);
  g_test_add_func ("/antragskiosk/form/problem-format", test_problem_format);
  g_test_add_func ("/antragskiosk/form/bundled", test_bundled_forms);
  g_test_add_func ("/antragskiosk/form/forms-dir-override", test_forms_dir_override);
  g_test_add_func ("/antragskiosk/form/forms-dir-keeps-last-good", test_forms_dir_keeps_last_good);
  g_test_add_func ("/antragskiosk/form/element-positions", test_element_positions);
  g_test_add_func ("/antragskiosk/form/forms-dir-special-files", test_forms_dir_special_files);
  g_test_add_func ("/antragskiosk/form/code-list-linear", test_code_list_linear);
  g_test_add_func ("/antragskiosk/form/control-characters", test_control_characters);
  g_test_add_func ("/antragskiosk/form/pattern-backtracking", test_pattern_backtracking);

  return g_test_run ();
}
