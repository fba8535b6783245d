/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>

/* Validation is checked against a fixed "today". */
#define TODAY "2026-06-15"

static const char *test_form =
  "{\"format\": 1, \"id\": \"t\", \"version\": \"2.0.0\", \"leika\": \"unknown\","
  " \"schema_uri\": \"urn:test:t\", \"category\": \"sonstiges\", \"title\": {\"de\": \"T\"},"
  " \"code_lists\": {\"zahlung\": {\"values\": [{\"code\": \"bar\", \"label\": {\"de\": \"Bar\"}},"
  "                                            {\"code\": \"lastschrift\", \"label\": {\"de\": \"Lastschrift\"}}]}},"
  " \"pages\": [{\"id\": \"p1\", \"title\": {\"de\": \"Eins\"}, \"items\": ["
  "   {\"id\": \"info\", \"kind\": \"static\", \"label\": {\"de\": \"Bitte lesen\"}},"
  "   {\"id\": \"vorname\", \"kind\": \"name\", \"label\": {\"de\": \"Vorname\"}, \"required\": true, \"max_length\": 10},"
  "   {\"id\": \"geburt\", \"kind\": \"date\", \"label\": {\"de\": \"Geburtsdatum\"}, \"not_future\": true, \"min_age\": 18},"
  "   {\"id\": \"betrag\", \"kind\": \"currency\", \"label\": {\"de\": \"Betrag\"}, \"min\": 1, \"max\": 1000},"
  "   {\"id\": \"anzahl\", \"kind\": \"integer\", \"label\": {\"de\": \"Anzahl\"}, \"min\": 0},"
  "   {\"id\": \"zahlung\", \"kind\": \"radio\", \"code_list\": \"zahlung\", \"label\": {\"de\": \"Zahlung\"}, \"required\": true},"
  "   {\"id\": \"iban\", \"kind\": \"iban\", \"label\": {\"de\": \"IBAN\"}, \"relevant\": \"zahlung == 'lastschrift'\", \"required\": true},"
  "   {\"id\": \"hinweis\", \"kind\": \"multiline\", \"label\": {\"de\": \"Hinweis\"},"
  "    \"required\": \"anzahl > 2\", \"constraint\": \"len(hinweis) >= 5\", \"constraint_message\": {\"de\": \"Zu kurz.\", \"en\": \"Too short.\"}},"
  "   {\"id\": \"ok\", \"kind\": \"checkbox\", \"label\": {\"de\": \"Einverstanden\"}, \"required\": true},"
  "   {\"id\": \"kinder\", \"kind\": \"group\", \"label\": {\"de\": \"Kinder\"}, \"min\": 1, \"max\": 2, \"items\": ["
  "     {\"id\": \"kind_name\", \"kind\": \"text\", \"label\": {\"de\": \"Name\"}, \"required\": true},"
  "     {\"id\": \"kind_alter\", \"kind\": \"integer\", \"label\": {\"de\": \"Alter\"}, \"relevant\": \"present(kind_name)\"}]}"
  " ]},"
  " {\"id\": \"p2\", \"title\": {\"de\": \"Zwei\"}, \"relevant\": \"count(kinder) > 1\", \"items\": ["
  "   {\"id\": \"plz\", \"kind\": \"postcode\", \"label\": {\"de\": \"PLZ\"}, \"required\": true}]}"
  "]}";

static KioskForm *
load_test_form (void)
{
  g_autoptr(GError) error = NULL;
  KioskForm *form = kiosk_form_load_data (test_form, strlen (test_form), "t.json", NULL, &error);

  g_assert_no_error (error);
  return form;
}

static KioskAnswers *
answers_from (KioskForm *form, const char *json)
{
  g_autoptr(GError) error = NULL;
  KioskAnswers *answers = kiosk_answers_new_from_json (form, json, -1, &error);

  g_assert_no_error (error);
  return answers;
}

/* The problems of @json as "path=message" lines. */
static char *
problems_of (KioskForm *form, const char *json)
{
  g_autoptr(KioskAnswers) answers = answers_from (form, json);
  g_autoptr(GPtrArray) problems = NULL;
  GString *out = g_string_new (NULL);

  kiosk_answers_validate (answers, TODAY, &problems);
  for (guint i = 0; i < problems->len; i++)
    {
      KioskAnswerProblem *problem = g_ptr_array_index (problems, i);
      g_string_append_printf (out, "%s=%s\n", problem->path, problem->message);
    }
  return g_string_free (out, FALSE);
}

static char *
data_of (KioskForm *form, const char *json)
{
  g_autoptr(KioskAnswers) answers = answers_from (form, json);
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  char *data = kiosk_answers_to_data (answers, TODAY, &length, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (data), ==, length);
  return data;
}

static void
test_canonical_data (void)
{
  g_autoptr(KioskForm) form = load_test_form ();
  g_autofree char *data = data_of (form,
    "{\"vorname\": \" Zoë \", \"geburt\": \"29.02.2008\", \"betrag\": \"12,5 €\", \"anzahl\": 3,"
    " \"zahlung\": \"lastschrift\", \"iban\": \"de89 3704 0044 0532 0130 00\", \"hinweis\": \"Zeile 1\\nZeile \\\"2\\\"\","
    " \"ok\": true, \"kinder\": [{\"kind_name\": \"Ana\", \"kind_alter\": \"7\"}, {\"kind_name\": \"Ben\"}],"
    " \"plz\": \"01067\"}");

  /* Written by hand from docs/forms.md: definition order, normalised
   * values (NFC name, ISO date, 2-decimal currency, compact IBAN), static
   * text and empty fields left out. 29.02.2008 + 18 years = 01.03.2026. */
  g_assert_cmpstr (data, ==,
    "{\"$schema\":\"urn:test:t\",\"form\":{\"id\":\"t\",\"version\":\"2.0.0\"},\"data\":{"
    "\"vorname\":\"Zoë\",\"geburt\":\"2008-02-29\",\"betrag\":12.50,\"anzahl\":3,\"zahlung\":\"lastschrift\","
    "\"iban\":\"DE89370400440532013000\",\"hinweis\":\"Zeile 1\\nZeile \\\"2\\\"\",\"ok\":true,"
    "\"kinder\":[{\"kind_name\":\"Ana\",\"kind_alter\":7},{\"kind_name\":\"Ben\"}],\"plz\":\"01067\"}}");
  kiosk_secure_free (g_steal_pointer (&data), -1);
}

/* The canonical value of one field (for the review page) is what the data
 * JSON above holds for it: written by hand from the same docs. */
static void
test_canonical_value (void)
{
  g_autoptr(KioskForm) form = load_test_form ();
  KioskAnswers *answers = answers_from (form,
    "{\"vorname\": \" Zo\u00eb \", \"geburt\": \"29.02.2008\", \"betrag\": \"12,5 \u20ac\", \"anzahl\": 3,"
    " \"zahlung\": \"lastschrift\", \"iban\": \"de89 3704 0044 0532 0130 00\", \"ok\": true,"
    " \"kinder\": [{\"kind_name\": \"Ana\", \"kind_alter\": \"7\"}, {\"kind_name\": \"Ben\"}]}");
  static const struct { const char *id; guint instance; const char *expected; } cases[] = {
    { "vorname", G_MAXUINT, "Zo\xc3\xab" }, { "geburt", G_MAXUINT, "2008-02-29" }, { "betrag", G_MAXUINT, "12.50" },
    { "anzahl", G_MAXUINT, "3" }, { "zahlung", G_MAXUINT, "lastschrift" },
    { "iban", G_MAXUINT, "DE89370400440532013000" }, { "ok", G_MAXUINT, "true" },
    { "kind_alter", 0, "7" }, { "kind_name", 1, "Ben" },
    { "kind_alter", 1, NULL },   /* empty */
    { "hinweis", G_MAXUINT, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint instance = cases[i].instance;
      char *value = kiosk_answers_get_canonical (answers, kiosk_form_lookup (form, cases[i].id),
                                                 instance == G_MAXUINT ? NULL : &instance,
                                                 instance == G_MAXUINT ? 0 : 1, TODAY);

      g_assert_cmpstr (value, ==, cases[i].expected);
      g_free (value);
    }
  /* a value that is not valid has no canonical form */
  g_assert_true (kiosk_answers_set_value (answers, kiosk_form_lookup (form, "betrag"), NULL, 0, "zw\xc3\xb6lf"));
  g_assert_null (kiosk_answers_get_canonical (answers, kiosk_form_lookup (form, "betrag"), NULL, 0, TODAY));
  kiosk_answers_free (answers);
}

static void
test_non_relevant_dropped (void)
{
  g_autoptr(KioskForm) form = load_test_form ();
  /* iban is answered but not relevant (cash); page 2 is not relevant with
   * one child, so its required PLZ is neither asked nor kept. */
  g_autofree char *data = data_of (form,
    "{\"vorname\": \"Jo\", \"zahlung\": \"bar\", \"iban\": \"DE89370400440532013000\", \"ok\": \"ja\","
    " \"kinder\": [{\"kind_name\": \"Ana\"}], \"plz\": \"99999\"}");

  g_assert_cmpstr (data, ==,
    "{\"$schema\":\"urn:test:t\",\"form\":{\"id\":\"t\",\"version\":\"2.0.0\"},\"data\":{"
    "\"vorname\":\"Jo\",\"zahlung\":\"bar\",\"ok\":true,\"kinder\":[{\"kind_name\":\"Ana\"}]}}");
}

static void
test_problems_english (void)
{
  g_autoptr(KioskForm) form = load_test_form ();
  g_autofree char *problems = NULL;

  kiosk_i18n_set_language ("en");
  problems = problems_of (form,
    "{\"vorname\": \"Maximilian-Alexander\", \"geburt\": \"30.02.2000\", \"betrag\": \"1,2345\", \"anzahl\": \"3\","
    " \"zahlung\": \"lastschrift\", \"hinweis\": \"kurz\", \"kinder\": [{\"kind_alter\": \"x\"}, {}, {}]}");
  kiosk_i18n_set_language ("de");

  g_assert_nonnull (strstr (problems, "vorname=Please enter at most 10 characters; you entered 20.\n"));
  g_assert_nonnull (strstr (problems, "geburt="));
  g_assert_nonnull (strstr (problems, "betrag=Please enter an amount with at most two decimal places (cents).\n"));
  g_assert_nonnull (strstr (problems, "iban=Please fill in this field.\n"));
  g_assert_nonnull (strstr (problems, "hinweis=Too short.\n"));
  g_assert_nonnull (strstr (problems, "ok=Please tick this box to continue.\n"));
  g_assert_nonnull (strstr (problems, "kinder=Please enter at most 2 entries.\n"));
  g_assert_nonnull (strstr (problems, "kinder[1].kind_name=Please fill in this field.\n"));
  /* kind_alter is not relevant without a name: its bad value is not checked. */
  g_assert_null (strstr (problems, "kind_alter"));
  g_assert_nonnull (strstr (problems, "kinder[3].kind_name=Please fill in this field.\n"));
  g_assert_nonnull (strstr (problems, "plz=Please fill in this field.\n"));
}

static void
test_problems_german (void)
{
  g_autoptr(KioskForm) form = load_test_form ();
  g_autofree char *problems = NULL;

  kiosk_i18n_set_language ("de");
  problems = problems_of (form, "{\"vorname\": \"Zoë\", \"zahlung\": \"bar\", \"anzahl\": 3, \"kinder\": [{\"kind_name\": \"A\"}]}");

  /* Conditionally required: anzahl > 2 makes hinweis required. */
  g_assert_nonnull (strstr (problems, "hinweis=Bitte füllen Sie dieses Feld aus.\n"));
  g_assert_nonnull (strstr (problems, "ok=Bitte setzen Sie hier ein Häkchen, um fortzufahren.\n"));
}

static void
test_dates_and_age (void)
{
  g_autoptr(KioskForm) form = load_test_form ();
  const char *base = "{\"vorname\": \"A\", \"zahlung\": \"bar\", \"ok\": true, \"kinder\": [{\"kind_name\": \"A\"}], \"geburt\": \"";
  struct { const char *date; gboolean ok; } cases[] = {
    { "15.06.2008", TRUE },    /* 18th birthday today */
    { "16.06.2008", FALSE },   /* tomorrow */
    { "2008-06-14", TRUE },
    { "29.02.2008", TRUE },    /* reaches 18 on 01.03.2026 */
    { "15.06.2026", FALSE },   /* today, but under age */
    { "16.06.2026", FALSE },   /* future */
    { "29.02.2007", FALSE },   /* no such day */
    { "31.04.2000", FALSE },
    { "1.2.1990", TRUE },
  };

  kiosk_i18n_set_language ("en");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strconcat (base, cases[i].date, "\"}", NULL);
      g_autofree char *problems = problems_of (form, json);
      gboolean has_problem = strstr (problems, "geburt=") != NULL;

      if (has_problem == cases[i].ok)
        g_error ("%s: expected %s, got:\n%s", cases[i].date, cases[i].ok ? "valid" : "a problem", problems);
    }
  {
    g_autofree char *json = g_strconcat (base, "16.06.2008", "\"}", NULL);
    g_autofree char *problems = problems_of (form, json);
    g_assert_nonnull (strstr (problems, "geburt=The person must be at least 18 years old.\n"));
  }
  kiosk_i18n_set_language ("de");
}

static void
test_numbers (void)
{
  g_autoptr(KioskForm) form = load_test_form ();
  const char *base = "{\"vorname\": \"A\", \"zahlung\": \"bar\", \"ok\": true, \"kinder\": [{\"kind_name\": \"A\"}], \"betrag\": ";
  struct { const char *value; const char *expected; } cases[] = {
    { "\"12,50\"", "\"betrag\":12.50" },
    { "\"1000\"", "\"betrag\":1000.00" },
    { "7.1", "\"betrag\":7.10" },
    { "\"€ 3,99\"", "\"betrag\":3.99" },
    { "\"0,99\"", NULL },      /* below min 1 */
    { "\"1000,01\"", NULL },   /* above max */
    { "\"1.000,00\"", "\"betrag\":1000.00" },  /* thousands point, decimal comma */
    { "\"abc\"", NULL },
    { "\"1,0001\"", NULL },    /* four decimals */
    { "\"1,001\"", NULL },     /* one thousand and one, or three decimals? refused */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strconcat (base, cases[i].value, "}", NULL);
      g_autoptr(KioskAnswers) answers = answers_from (form, json);
      g_autoptr(GError) error = NULL;
      g_autofree char *data = kiosk_answers_to_data (answers, TODAY, NULL, &error);

      if (cases[i].expected == NULL)
        {
          g_assert_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_INVALID);
          continue;
        }
      g_assert_no_error (error);
      if (strstr (data, cases[i].expected) == NULL)
        g_error ("%s: expected %s in %s", cases[i].value, cases[i].expected, data);
    }
}

/* Thousands separators as visitors type them: accepted where they cannot
 * be a decimal mark, refused where they are ambiguous, with a message
 * that says how to write the amount. Expected values worked out by hand
 * from the rules in answers-derive.c's strip_grouping(). */
static void
test_thousands_separators (void)
{
  static const char form_json[] =
    "{\"format\": 1, \"id\": \"t\", \"version\": \"1.0.0\", \"leika\": \"unknown\", \"category\": \"sonstiges\","
    " \"schema_uri\": \"https://x.example/t.json\", \"title\": {\"de\": \"T\"}, \"pages\": ["
    " {\"id\": \"p\", \"title\": {\"de\": \"P\"}, \"items\": ["
    "   {\"id\": \"betrag\", \"kind\": \"currency\", \"label\": {\"de\": \"B\"}},"
    "   {\"id\": \"flaeche\", \"kind\": \"number\", \"label\": {\"de\": \"F\"}},"
    "   {\"id\": \"anzahl\", \"kind\": \"integer\", \"label\": {\"de\": \"A\"}}]}]}";
  struct { const char *id; const char *typed; const char *expected; const char *message; } cases[] = {
    { "betrag", "24.180,50", "\"betrag\":24180.50", NULL },
    { "betrag", "24,180.50", "\"betrag\":24180.50", NULL },
    { "betrag", "1.234.567", "\"betrag\":1234567.00", NULL },
    { "betrag", "24 180,50", "\"betrag\":24180.50", NULL },
    { "betrag", "24\xc2\xa0" "180,50 \xe2\x82\xac", "\"betrag\":24180.50", NULL },   /* no-break space, € */
    { "betrag", "24\xe2\x80\xaf" "180", "\"betrag\":24180.00", NULL },             /* narrow no-break space */
    { "betrag", "1'500.25", "\"betrag\":1500.25", NULL },
    { "betrag", "-1.500,00", "\"betrag\":-1500.00", NULL },
    { "betrag", "1.500", NULL, "without a thousands separator (1500) or with cents (1.500,00)" },
    { "betrag", "1,500", NULL, "without a thousands separator (1500) or with cents (1.500,00)" },
    { "betrag", "0.500,00", NULL, "at most one decimal comma" },   /* a first group of 0 is no group */
    { "betrag", "1.50.000", NULL, "at most one decimal comma" },   /* groups of three */
    { "betrag", "1.500,000", NULL, "at most two decimal places" },
    { "betrag", "1.500.000,5.0", NULL, "at most one decimal comma" },
    { "flaeche", "1.500", "\"flaeche\":1.5", NULL },           /* a decimal point: ambiguous, read as before */
    { "flaeche", "1.500.000", "\"flaeche\":1500000", NULL },
    { "flaeche", "2.500,75", "\"flaeche\":2500.75", NULL },
    { "flaeche", "2,5", "\"flaeche\":2.5", NULL },
    { "anzahl", "1.500.000", "\"anzahl\":1500000", NULL },
    { "anzahl", "1 500", "\"anzahl\":1500", NULL },
    { "anzahl", "1.500", NULL, "whole number" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskForm) form = kiosk_form_load_data (form_json, strlen (form_json), "t.json", NULL, &error);

  g_assert_no_error (error);
  kiosk_i18n_set_language ("en");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *json = NULL, *problems = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, cases[i].id);
      json_builder_add_string_value (builder, cases[i].typed);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json = json_generator_to_data (generator, NULL);
      problems = problems_of (form, json);
      if (cases[i].expected != NULL)
        {
          g_autofree char *data = data_of (form, json);

          if (*problems != '\0' || strstr (data, cases[i].expected) == NULL)
            g_error ("%s: expected %s, got %s%s", cases[i].typed, cases[i].expected, problems, data);
        }
      else if (strstr (problems, cases[i].message) == NULL)
        g_error ("%s: expected a problem with \"%s\", got \"%s\"", cases[i].typed, cases[i].message, problems);
    }
  kiosk_i18n_set_language ("de");
}

static void
test_structure_errors (void)
{
  g_autoptr(KioskForm) form = load_test_form ();
  static const char *inputs[] = {
    "{\"nachname\": \"x\"}",                 /* unknown id */
    "{\"info\": \"x\"}",                     /* static text */
    "{\"kind_name\": \"x\"}",                /* belongs inside the group */
    "{\"kinder\": {\"kind_name\": \"x\"}}",  /* a group takes an array */
    "{\"kinder\": [\"x\"]}",
    "{\"vorname\": [1]}",
    "{\"p1\": 1}",
    "[]",
    "not json",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskAnswers) answers = kiosk_answers_new_from_json (form, inputs[i], -1, &error);

      g_assert_null (answers);
      g_assert_true (error->domain == KIOSK_ANSWERS_ERROR);
      g_assert_cmpstr (error->message, !=, "");
    }
}

/* Text that is not one JSON object: said where, and why; a duplicate id
 * is refused rather than one of its answers silently dropped. */
static void
test_syntax_errors (void)
{
  g_autoptr(KioskForm) form = load_test_form ();
  static const struct {
    const char *input;
    const char *needle;
  } cases[] = {
    { "{\"vorname\": \"Anna\",\n \"vorname\": \"Berta\"}", "2:2: duplicate key \"vorname\"" },
    { "{\"vorname\": \"Anna\"\n \"nachname\": 1}", "2:2: a comma is missing" },
    { "{\"vorname\": \"An\xC3\"}", "1:16: the text is not valid UTF-8" },
    { "{\"vorname\": \"\\u0000\"}", "NUL" },
    { "", "the text is empty" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskAnswers) answers = kiosk_answers_new_from_json (form, cases[i].input, -1, &error);

      g_assert_null (answers);
      g_assert_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_SYNTAX);
      if (strstr (error->message, cases[i].needle) == NULL)
        g_error ("%s: expected …%s… in “%s”", cases[i].input, cases[i].needle, error->message);
    }
}

static void
test_set_value_and_clear (void)
{
  g_autoptr(KioskForm) form = load_test_form ();
  g_autoptr(KioskAnswers) answers = kiosk_answers_new (form);
  const KioskElement *kinder = kiosk_form_lookup (form, "kinder");
  const KioskElement *kind_name = kiosk_form_lookup (form, "kind_name");
  const KioskElement *vorname = kiosk_form_lookup (form, "vorname");
  guint second = 1;

  g_assert_cmpuint (kiosk_answers_count_instances (answers, kinder), ==, 1);   /* min 1 */
  g_assert_true (kiosk_answers_add_instance (answers, kinder));
  g_assert_false (kiosk_answers_add_instance (answers, kinder));              /* max 2 */
  g_assert_true (kiosk_answers_set_value (answers, kind_name, &second, 1, "Bea"));
  g_assert_true (kiosk_answers_set_value (answers, vorname, NULL, 0, "Jo"));
  g_assert_cmpstr (kiosk_answers_get_value (answers, kind_name, &second, 1), ==, "Bea");
  g_assert_true (kiosk_answers_remove_instance (answers, kinder, 0));
  /* The second instance moved to the first place. */
  second = 0;
  g_assert_cmpstr (kiosk_answers_get_value (answers, kind_name, &second, 1), ==, "Bea");

  kiosk_answers_clear (answers);
  g_assert_null (kiosk_answers_get_value (answers, vorname, NULL, 0));
  g_assert_null (kiosk_answers_get_value (answers, kind_name, &second, 1));
  g_assert_cmpuint (kiosk_answers_count_instances (answers, kinder), ==, 1);
}

/* Every bundled form's sample answer set (tests/data/answers) is complete
 * and valid; its data keeps the form's id and version. */
static void
test_samples (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskCatalog) catalog = kiosk_catalog_new (NULL, &error);
  GPtrArray *forms;

  g_assert_no_error (error);
  forms = kiosk_catalog_get_forms (catalog);
  g_assert_cmpuint (forms->len, >=, 5);
  for (guint i = 0; i < forms->len; i++)
    {
      KioskForm *form = g_ptr_array_index (forms, i);
      g_autofree char *name = g_strconcat (form->id, ".json", NULL);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "answers", name, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(KioskAnswers) answers = NULL;
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *data = NULL;
      JsonObject *root;
      gsize length;

      g_assert_true (g_file_get_contents (path, &contents, &length, &error));
      answers = kiosk_answers_new_from_json (form, contents, (gssize) length, &error);
      g_assert_no_error (error);
      if (!kiosk_answers_validate (answers, NULL, &problems))
        {
          for (guint j = 0; j < problems->len; j++)
            {
              KioskAnswerProblem *problem = g_ptr_array_index (problems, j);
              g_printerr ("%s: %s: %s\n", form->id, problem->path, problem->message);
            }
          g_error ("the sample answers for %s do not validate", form->id);
        }
      data = kiosk_answers_to_data (answers, NULL, &length, &error);
      g_assert_no_error (error);
      g_assert_true (json_parser_load_from_data (parser, data, (gssize) length, &error));
      root = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (root, "$schema"), ==, form->schema_uri);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "form"), "id"), ==, form->id);
      g_assert_cmpuint (json_object_get_size (json_object_get_object_member (root, "data")), >, 3);
    }
}

/* Issue #18: a field's limits, whatever the visitor types. */
static const char *limits_form =
  "{\"format\": 1, \"id\": \"l\", \"version\": \"1.0.0\", \"leika\": \"unknown\","
  " \"schema_uri\": \"urn:test:l\", \"category\": \"sonstiges\", \"title\": {\"de\": \"L\"},"
  " \"pages\": [{\"id\": \"p\", \"title\": {\"de\": \"P\"}, \"items\": ["
  "   {\"id\": \"kurz\", \"kind\": \"text\", \"label\": {\"de\": \"Kurz\"}, \"max_length\": 50},"
  "   {\"id\": \"lang\", \"kind\": \"multiline\", \"label\": {\"de\": \"Lang\"}},"
  "   {\"id\": \"mail\", \"kind\": \"email\", \"label\": {\"de\": \"Mail\"}},"
  "   {\"id\": \"name\", \"kind\": \"name\", \"label\": {\"de\": \"Name\"}},"
  "   {\"id\": \"zahl\", \"kind\": \"number\", \"label\": {\"de\": \"Zahl\"}},"
  "   {\"id\": \"geld\", \"kind\": \"currency\", \"label\": {\"de\": \"Geld\"}},"
  "   {\"id\": \"muster\", \"kind\": \"text\", \"label\": {\"de\": \"Muster\"}, \"pattern\": \"(a|a)*b\","
  "    \"pattern_message\": {\"de\": \"Nur a, dann b.\", \"en\": \"Only a, then b.\"}}"
  " ]}]}";

static KioskForm *
load_limits_form (void)
{
  g_autoptr(GError) error = NULL;
  KioskForm *form = kiosk_form_load_data (limits_form, strlen (limits_form), "l.json", NULL, &error);

  g_assert_no_error (error);
  return form;
}

/* The answer set {"ID": "VALUE"} for a value that needs no escaping but
 * "\u…" sequences written as such. */
static char *
one_answer (const char *id, const char *value)
{
  return g_strdup_printf ("{\"%s\": \"%s\"}", id, value);
}

static void
test_combining_flood (void)
{
  g_autoptr(KioskForm) form = load_limits_form ();
  GString *flood = g_string_new (NULL);
  GString *fine = g_string_new (NULL);
  g_autofree char *flood_json = NULL, *fine_json = NULL, *problems = NULL;

  kiosk_i18n_set_language ("en");
  /* 50 glyphs (the limit) of "a" with 400 combining acute accents each:
   * 40 KB in a 50-character field. */
  for (int i = 0; i < 50; i++)
    {
      g_string_append_c (flood, 'a');
      for (int j = 0; j < 400; j++)
        g_string_append (flood, "\\u0301");
    }
  flood_json = one_answer ("kurz", flood->str);
  problems = problems_of (form, flood_json);
  g_assert_cmpstr (problems, ==,
                   "kurz=This text is too long: it has too many accents or other marks on its letters. Please shorten it.\n");
  g_clear_pointer (&problems, g_free);
  /* 50 letters with two marks each (U+0323 U+0304, no precomposed form) are
   * ordinary text, and so is the bound itself. */
  for (int i = 0; i < 50; i++)
    g_string_append (fine, "l\\u0323\\u0304");
  fine_json = one_answer ("kurz", fine->str);
  problems = problems_of (form, fine_json);
  g_assert_cmpstr (problems, ==, "");
  g_string_free (flood, TRUE);
  g_string_free (fine, TRUE);
}

static void
test_bidi_controls (void)
{
  static const char * const ids[] = { "kurz", "lang", "mail", "name" };
  static const char * const controls[] = { "\\u202a", "\\u202b", "\\u202c", "\\u202d", "\\u202e",
                                            "\\u2066", "\\u2067", "\\u2068", "\\u2069" };
  g_autoptr(KioskForm) form = load_limits_form ();

  kiosk_i18n_set_language ("en");
  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    for (gsize c = 0; c < G_N_ELEMENTS (controls); c++)
      {
        g_autofree char *value = g_strdup_printf ("Ab%sc@example.de", controls[c]);
        g_autofree char *json = one_answer (ids[i], value);
        g_autofree char *problems = problems_of (form, json);
        g_autofree char *expected = g_strdup_printf ("%s=The text contains an invisible character that changes the "
                                                     "writing direction; please remove it.\n", ids[i]);

        g_assert_cmpstr (problems, ==, expected);
      }
  /* Right-to-left text itself is fine. */
  {
    g_autofree char *problems = problems_of (form, "{\"lang\": \"\\u0645\\u0631\\u062d\\u0628\\u0627\"}");
    g_assert_cmpstr (problems, ==, "");
  }
}

static void
test_decimals_message (void)
{
  g_autoptr(KioskForm) form = load_limits_form ();
  g_autofree char *number13 = NULL, *number12 = NULL, *cents = NULL;

  kiosk_i18n_set_language ("en");
  number13 = problems_of (form, "{\"zahl\": \"1,1234567890123\"}");
  g_assert_cmpstr (number13, ==, "zahl=Please enter a number with at most 12 decimal places.\n");
  number12 = problems_of (form, "{\"zahl\": \"1,123456789012\"}");
  g_assert_cmpstr (number12, ==, "");
  cents = problems_of (form, "{\"geld\": \"1,2345\"}");
  g_assert_cmpstr (cents, ==, "geld=Please enter an amount with at most two decimal places (cents).\n");
  kiosk_i18n_set_language ("de");
  g_clear_pointer (&number13, g_free);
  number13 = problems_of (form, "{\"zahl\": \"1,1234567890123\"}");
  g_assert_cmpstr (number13, ==, "zahl=Bitte geben Sie eine Zahl mit höchstens 12 Nachkommastellen ein.\n");
}

/* "(a|a)*b" is exponential on "aaa…acb" (the loader cannot see that its
 * alternatives overlap): the match limit stops it within milliseconds, the
 * value is refused as a fault of the form, and the administrator is told. */
static void
test_pattern_match_limit (void)
{
  g_autoptr(KioskForm) form = load_limits_form ();
  g_autofree char *value = g_strnfill (40, 'a');
  g_autofree char *json = NULL, *problems = NULL, *good = NULL, *bad = NULL;
  gint64 start;

  kiosk_i18n_set_language ("en");
  /* With a "b" in it: PCRE2 fails at once a subject without the "b" the
   * pattern needs. */
  value[38] = 'c';
  value[39] = 'b';
  json = one_answer ("muster", value);
  g_test_expect_message ("antragskiosk-answers", G_LOG_LEVEL_WARNING,
                         "The pattern of the field \"muster\" (line 1 of the form definition of \"l\") could not check "
                         "a value: it needed more backtracking steps than the limit*");
  start = g_get_monotonic_time ();
  problems = problems_of (form, json);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (problems, ==,
                   "muster=This entry cannot be checked because of a fault in the form. Please ask the staff for help.\n");
  /* Ordinary matches and mismatches are unaffected. */
  good = problems_of (form, "{\"muster\": \"aaab\"}");
  g_assert_cmpstr (good, ==, "");
  bad = problems_of (form, "{\"muster\": \"ab c\"}");
  g_assert_cmpstr (bad, ==, "muster=Only a, then b.\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* After g_test_init(), which resets the locale. */
  kiosk_i18n_init ();

  g_test_add_func ("/antragskiosk/answers/canonical-data", test_canonical_data);
  g_test_add_func ("/antragskiosk/answers/canonical-value", test_canonical_value);
  g_test_add_func ("/antragskiosk/answers/non-relevant-dropped", test_non_relevant_dropped);
  g_test_add_func ("/antragskiosk/answers/problems-english", test_problems_english);
  g_test_add_func ("/antragskiosk/answers/problems-german", test_problems_german);
  g_test_add_func ("/antragskiosk/answers/dates-and-age", test_dates_and_age);
  g_test_add_func ("/antragskiosk/answers/numbers", test_numbers);
  g_test_add_func ("/antragskiosk/answers/thousands-separators", test_thousands_separators);
  g_test_add_func ("/antragskiosk/answers/structure-errors", test_structure_errors);
  g_test_add_func ("/antragskiosk/answers/syntax-errors", test_syntax_errors);
  g_test_add_func ("/antragskiosk/answers/set-value-and-clear", test_set_value_and_clear);
  g_test_add_func ("/antragskiosk/answers/samples", test_samples);
  g_test_add_func ("/antragskiosk/answers/combining-flood", test_combining_flood);
  g_test_add_func ("/antragskiosk/answers/bidi-controls", test_bidi_controls);
  g_test_add_func ("/antragskiosk/answers/decimals-message", test_decimals_message);
  g_test_add_func ("/antragskiosk/answers/pattern-match-limit", test_pattern_match_limit);

  return g_test_run ();
}
