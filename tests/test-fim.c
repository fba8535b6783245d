/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/fim.h>
#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>

/* The FIM importer against the XDF files in tests/data/fim/, written from
 * the XDatenfelder 2.0 and 3.0.0 specifications: what each element of the
 * file must become follows from the file and the mapping in docs/fim.md
 * (every expectation below names the XDF element it comes from), and is
 * checked through the loaded form and the validation of answers, not by
 * comparing with the importer's own output. */

#define TODAY "2024-06-01"

static KioskFimCodeLists *
test_code_lists (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "data", "fim", "codelists", NULL);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  KioskFimCodeLists *lists = kiosk_fim_code_lists_new ();

  g_assert_true (kiosk_fim_code_lists_add_dir (lists, dir, problems, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpuint (kiosk_fim_code_lists_count (lists), ==, 3);
  return lists;
}

static KioskFimResult *
import_test_file (const char *name, KioskForm **form)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "fim", name, NULL);
  g_autoptr(KioskFimCodeLists) lists = test_code_lists ();
  KioskFimOptions options = { lists, "99000000000001", "de" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  KioskFimResult *result = kiosk_fim_import_file (path, &options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  *form = kiosk_form_load_data (result->form_json, strlen (result->form_json), name, &problems, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*form);
  return result;
}

static const KioskElement *
element (KioskForm *form, const char *key, KioskKind kind)
{
  const KioskElement *e = kiosk_form_lookup (form, key);

  if (e == NULL)
    g_error ("no element %s", key);
  g_assert_cmpstr (kiosk_kind_to_string (e->kind), ==, kiosk_kind_to_string (kind));
  return e;
}

static gboolean
has_code (const KioskElement *e, const char *code, const char *label)
{
  const KioskCode *c = kiosk_code_list_lookup (e->code_list, code);

  return c != NULL && (label == NULL || g_strcmp0 (kiosk_text_get (c->label, "de"), label) == 0);
}

/* The problems of @json as "path" strings joined with spaces. */
static char *
problems_of (KioskForm *form, const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskAnswers) answers = kiosk_answers_new_from_json (form, json, -1, &error);
  g_autoptr(GPtrArray) problems = NULL;
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  if (!kiosk_answers_validate (answers, TODAY, &problems))
    for (guint i = 0; i < problems->len; i++)
      {
        KioskAnswerProblem *p = g_ptr_array_index (problems, i);
        g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", p->path);
      }
  return g_string_free (out, FALSE);
}

/* @base (a JSON object) with @key set to the string @value. */
static char *
with_value (const char *base, const char *key, const char *value)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  g_assert_true (json_parser_load_from_data (parser, base, -1, NULL));
  json_object_set_string_member (json_node_get_object (json_parser_get_root (parser)), key, value);
  json_generator_set_root (generator, json_parser_get_root (parser));
  return json_generator_to_data (generator, NULL);
}

static guint
count_notes (KioskFimResult *result, KioskFimNoteKind kind, const char *fim_id)
{
  guint n = 0;

  for (guint i = 0; i < result->notes->len; i++)
    {
      KioskFimNote *note = g_ptr_array_index (result->notes, i);
      if (note->kind == kind && (fim_id == NULL || g_strcmp0 (note->fim_id, fim_id) == 0))
        n++;
    }
  return n;
}

/* Answers valid for xdf2-gewerbe.xml; tests change one thing. */
#define XDF2_VALID \
  "\"g99000010_f99000101\": \"Yılmaz\", \"g99000010_f99000103\": \"01.02.1980\", " \
  "\"g99000010_f99000104\": \"w\", \"g99000010_g99000011_f99000111\": \"Hauptstraße 1\", " \
  "\"g99000010_g99000011_f99000112\": \"12345\", \"g99000020_f99000201\": \"2024-01-01\", " \
  "\"g99000020_f99000206\": \"HW\""

static void
test_xdf2 (void)
{
  g_autoptr(KioskForm) form = NULL;
  g_autoptr(KioskFimResult) result = import_test_file ("xdf2-gewerbe.xml", &form);
  const KioskElement *e;
  g_autofree char *p = NULL;

  g_assert_cmpint (result->xdf_version, ==, 2);
  /* 23 datenfeld elements in the file: 3 cannot be entered (file
   * F99000211, obj F99000212, select F99000213 whose code list is not
   * given). XDF 2 has no feldart locked or hidden: xdf3-hundesteuer.xml
   * has them. */
  g_assert_cmpuint (result->datenfelder, ==, 23);
  g_assert_cmpuint (result->fields, ==, 20);
  g_assert_cmpuint (result->unmapped, ==, 3);
  g_assert_cmpuint (count_notes (result, KIOSK_FIM_NOTE_UNMAPPED, NULL), ==, 3);
  for (guint i = 211; i <= 213; i++)
    {
      g_autofree char *id = g_strdup_printf ("F99000%u", i);
      g_assert_cmpuint (count_notes (result, KIOSK_FIM_NOTE_UNMAPPED, id), ==, 1);
    }
  /* G99000010 11 12 13 14 20 30 31 */
  g_assert_cmpuint (result->groups, ==, 8);
  /* R99000001 (a script) converted, R99000002 (free text) reported */
  g_assert_cmpuint (result->rules_total, ==, 2);
  g_assert_cmpuint (result->rules, ==, 1);
  g_assert_cmpuint (count_notes (result, KIOSK_FIM_NOTE_RULE, "R99000002"), ==, 1);

  /* Stammdatenschema S99000001 version 1.2, bezeichnungEingabe */
  g_assert_cmpstr (form->id, ==, "s99000001");
  g_assert_cmpstr (form->version, ==, "1.2.0");
  g_assert_cmpstr (kiosk_text_get (form->title, "de"), ==, "Testantrag Gewerbe (XDF 2)");
  g_assert_cmpstr (form->leika, ==, "99000000000001");
  g_assert_cmpstr (form->schema_uri, ==, "https://schema.antragskiosk.de/fim/s99000001/1.2.0.json");
  g_assert_nonnull (strstr (kiosk_text_get (form->description, "de"), "S99000001, Version 1.2"));
  /* Top-level groups G99000010, G99000020 are pages; G99000030 (0:5) a page holding it */
  g_assert_cmpuint (form->pages->len, ==, 3);
  e = g_ptr_array_index (form->pages, 0);
  g_assert_cmpstr (kiosk_text_get (e->label, "de"), ==, "Antragsteller");
  g_assert_cmpstr (kiosk_text_get (e->help, "de"), ==, "Wer stellt den Antrag?");

  /* F99000101 1:1 text {"minLength":"1","maxLength":"120"} */
  e = element (form, "g99000010_f99000101", KIOSK_KIND_TEXT);
  g_assert_true (e->required);
  g_assert_cmpint (e->min_length, ==, 1);
  g_assert_cmpint (e->max_length, ==, 120);
  g_assert_cmpstr (kiosk_text_get (e->help, "de"), ==, "Wie in Ihrem Ausweis.");
  /* F99000102 0:1 with a pattern */
  e = element (form, "g99000010_f99000102", KIOSK_KIND_TEXT);
  g_assert_false (e->required);
  g_assert_cmpint (e->max_length, ==, 80);
  /* F99000103 date minValue 1900-01-01 */
  e = element (form, "g99000010_f99000103", KIOSK_KIND_DATE);
  g_assert_cmpstr (e->min_date, ==, "1900-01-01");
  /* F99000104 select, genericode geschlecht version 1: 4 codes → radio */
  e = element (form, "g99000010_f99000104", KIOSK_KIND_RADIO);
  g_assert_cmpstr (e->code_list->uri, ==, "urn:de:test:codeliste:geschlecht");
  g_assert_cmpuint (e->code_list->codes->len, ==, 4);
  g_assert_true (has_code (e, "d", "divers"));
  /* F99000206: gewerbeart version 2, key column schluessel (the second) */
  e = element (form, "g99000020_f99000206", KIOSK_KIND_SELECT);
  g_assert_cmpuint (e->code_list->codes->len, ==, 7);
  g_assert_true (has_code (e, "HW", "Handwerk"));
  g_assert_false (has_code (e, "Handwerk", NULL));
  /* F99000202 num_int 0..10000, F99000203 currency ≥ 0, F99000204 num ≤ 99999.5 */
  e = element (form, "g99000020_f99000202", KIOSK_KIND_INTEGER);
  g_assert_true (e->has_min && e->min == 0 && e->has_max && e->max == 10000);
  e = element (form, "g99000020_f99000203", KIOSK_KIND_CURRENCY);
  g_assert_true (e->has_min && e->min == 0 && !e->has_max);
  e = element (form, "g99000020_f99000204", KIOSK_KIND_NUMBER);
  g_assert_true (e->has_max && e->max == 99999.5);
  /* F99000205 bool 1:1 → checkbox */
  element (form, "g99000020_f99000205", KIOSK_KIND_CHECKBOX);
  /* F99000207 0:3 → a repeatable group of one field */
  e = element (form, "g99000020_f99000207", KIOSK_KIND_GROUP);
  g_assert_cmpuint (e->min_occurs, ==, 0);
  g_assert_cmpuint (e->max_occurs, ==, 3);
  element (form, "g99000020_f99000207_wert", KIOSK_KIND_TEXT);
  /* F99000208 label: its inhalt is shown */
  e = element (form, "g99000020_f99000208", KIOSK_KIND_STATIC);
  g_assert_cmpstr (kiosk_text_get (e->help, "de"), ==, "Ihre Angaben werden nur für dieses Verfahren verwendet.");
  /* G99000014 is a fifth level: a heading */
  element (form, "g99000010_g99000011_g99000012_g99000013_g99000014", KIOSK_KIND_STATIC);
  /* G99000030 0:5 repeatable, G99000031 1:3 inside it: one instance */
  e = element (form, "g99000030", KIOSK_KIND_GROUP);
  g_assert_cmpuint (e->min_occurs, ==, 0);
  g_assert_cmpuint (e->max_occurs, ==, 5);
  e = element (form, "g99000030_g99000031", KIOSK_KIND_GROUP);
  g_assert_cmpuint (e->max_occurs, ==, 1);
  /* the same F99000101 in two places: two keys */
  element (form, "g99000030_f99000101", KIOSK_KIND_TEXT);

  /* Behaviour: a valid set, then one violation at a time. */
  p = problems_of (form, "{" XDF2_VALID "}");
  g_assert_cmpstr (p, ==, "");
  g_clear_pointer (&p, g_free);
  /* required F99000101 missing */
  p = problems_of (form, "{\"g99000010_f99000103\": \"01.02.1980\", \"g99000010_f99000104\": \"w\", "
                         "\"g99000010_g99000011_f99000111\": \"Hauptstraße 1\", \"g99000010_g99000011_f99000112\": \"12345\", "
                         "\"g99000020_f99000201\": \"2024-01-01\", \"g99000020_f99000206\": \"HW\"}");
  g_assert_cmpstr (p, ==, "g99000010_f99000101");
  g_clear_pointer (&p, g_free);
  /* maxLength 120 */
  {
    g_autofree char *longname = g_strnfill (121, 'a');
    g_autofree char *json = g_strdup_printf ("{" XDF2_VALID ", \"g99000010_f99000102\": \"%s\"}", longname);
    p = problems_of (form, json);
    g_assert_cmpstr (p, ==, "g99000010_f99000102");
    g_clear_pointer (&p, g_free);
  }
  /* the pattern [A-Za-zÄÖÜäöüß \-]+ */
  p = problems_of (form, "{" XDF2_VALID ", \"g99000010_f99000102\": \"Anna-Lena Jörg\"}");
  g_assert_cmpstr (p, ==, "");
  g_clear_pointer (&p, g_free);
  p = problems_of (form, "{" XDF2_VALID ", \"g99000010_f99000102\": \"R2D2\"}");
  g_assert_cmpstr (p, ==, "g99000010_f99000102");
  g_clear_pointer (&p, g_free);
  /* PLZ [0-9]{5}, length 5 */
  {
    g_autofree char *json = with_value ("{" XDF2_VALID "}", "g99000010_g99000011_f99000112", "1234");
    p = problems_of (form, json);
  }
  g_assert_nonnull (strstr (p, "g99000010_g99000011_f99000112"));
  g_clear_pointer (&p, g_free);
  /* date before minValue */
  {
    g_autofree char *json = with_value ("{" XDF2_VALID "}", "g99000010_f99000103", "31.12.1899");
    p = problems_of (form, json);
  }
  g_assert_cmpstr (p, ==, "g99000010_f99000103");
  g_clear_pointer (&p, g_free);
  /* a code of another column or list */
  {
    g_autofree char *json = with_value ("{" XDF2_VALID "}", "g99000020_f99000206", "Handwerk");
    p = problems_of (form, json);
  }
  g_assert_cmpstr (p, ==, "g99000020_f99000206");
  g_clear_pointer (&p, g_free);
  /* G99000012 is 0:1: its 1:1 field F99000121 is needed once anything of it is given */
  p = problems_of (form, "{" XDF2_VALID ", \"g99000010_g99000011_g99000012_f99000122\": \"3\"}");
  g_assert_cmpstr (p, ==, "g99000010_g99000011_g99000012_f99000121");
  g_clear_pointer (&p, g_free);
  p = problems_of (form, "{" XDF2_VALID ", \"g99000010_g99000011_g99000012_f99000122\": \"201\", "
                         "\"g99000010_g99000011_g99000012_f99000121\": \"Hinterhaus\"}");
  g_assert_cmpstr (p, ==, "g99000010_g99000011_g99000012_f99000122");
  g_clear_pointer (&p, g_free);
  /* R99000001: F99000214 >= F99000201 */
  p = problems_of (form, "{" XDF2_VALID ", \"g99000020_f99000214\": \"2023-12-31\"}");
  g_assert_cmpstr (p, ==, "g99000020_f99000214");
  g_clear_pointer (&p, g_free);
  p = problems_of (form, "{" XDF2_VALID ", \"g99000020_f99000214\": \"2024-02-01\"}");
  g_assert_cmpstr (p, ==, "");
  g_clear_pointer (&p, g_free);
  /* a repeatable group: 6 persons where 5 may be */
  p = problems_of (form, "{" XDF2_VALID ", \"g99000030\": [{\"g99000030_f99000101\": \"A\", \"g99000030_g99000031_f99000111\": \"S 1\"},"
                         "{\"g99000030_f99000101\": \"B\"}]}");
  g_assert_cmpstr (p, ==, "g99000030[2].g99000030_g99000031_f99000111");
  g_clear_pointer (&p, g_free);

  /* The data is keyed by the FIM path (docs/fim.md) */
  {
    g_autoptr(KioskAnswers) answers = kiosk_answers_new_from_json (form, "{" XDF2_VALID "}", -1, NULL);
    gsize length = 0;
    char *data = kiosk_answers_to_data (answers, TODAY, &length, NULL);

    g_assert_nonnull (data);
    g_assert_true (g_str_has_prefix (data, "{\"$schema\":\"https://schema.antragskiosk.de/fim/s99000001/1.2.0.json\","
                                           "\"form\":{\"id\":\"s99000001\",\"version\":\"1.2.0\"},\"data\":{\"g99000010_f99000101\":\"Yılmaz\""));
    kiosk_secure_free (data, (gssize) length);
  }
  /* the map names every key with its FIM id and version */
  g_assert_nonnull (strstr (result->map_tsv, "\ng99000030_f99000101\tF99000101\t1.1\ttext\t1:1\tFamilienname\n"));
  g_assert_nonnull (strstr (result->map_tsv, "\n-\tF99000211\t1.0\tunmapped\t0:1\tGewerbeerlaubnis\n"));
}

#define XDF3_VALID \
  "\"g99000000100_f99000000101\": \"Zoë Łukasz\", \"g99000000100_f99000000104\": \"163\", " \
  "\"g99000000200\": [{\"g99000000200_f99000000201\": \"Bello\", \"g99000000200_f99000000202\": \"2020-03-04\", " \
  "\"g99000000200_f99000000203\": \"dackel\"}]"

static void
test_xdf3 (void)
{
  g_autoptr(KioskForm) form = NULL;
  g_autoptr(KioskFimResult) result = import_test_file ("xdf3-hundesteuer.xml", &form);
  const KioskElement *e;
  g_autofree char *p = NULL;

  g_assert_cmpint (result->xdf_version, ==, 3);
  /* 18 datenfeld elements: locked F…307 is shown as text but not sent,
   * hidden F…308 is not shown */
  g_assert_cmpuint (result->datenfelder, ==, 18);
  g_assert_cmpuint (result->fields, ==, 16);
  g_assert_cmpuint (result->unmapped, ==, 2);
  g_assert_cmpuint (count_notes (result, KIOSK_FIM_NOTE_UNMAPPED, "F99000000307"), ==, 1);
  g_assert_cmpuint (count_notes (result, KIOSK_FIM_NOTE_UNMAPPED, "F99000000308"), ==, 1);
  g_assert_cmpuint (result->groups, ==, 4);
  /* R…010 (field, typ V) and R…021 (schema, typ V) converted; R…020 typ B not */
  g_assert_cmpuint (result->rules_total, ==, 3);
  g_assert_cmpuint (result->rules, ==, 2);
  g_assert_cmpuint (count_notes (result, KIOSK_FIM_NOTE_RULE, "R99000000020"), ==, 1);

  g_assert_cmpstr (form->id, ==, "s99000000002");
  g_assert_cmpstr (form->version, ==, "2.0.1");
  /* XDF 3 schema title: bezeichnung */
  g_assert_cmpstr (kiosk_text_get (form->title, "de"), ==, "Testantrag Hundesteuer (XDF 3)");

  /* praezisierung as attributes */
  e = element (form, "g99000000100_f99000000101", KIOSK_KIND_TEXT);
  g_assert_cmpint (e->min_length, ==, 1);
  g_assert_cmpint (e->max_length, ==, 100);
  e = element (form, "g99000000100_f99000000102", KIOSK_KIND_MULTILINE);   /* maxLength 254 */
  g_assert_cmpint (e->max_length, ==, 254);
  /* embedded values (werte) */
  e = element (form, "g99000000100_f99000000103", KIOSK_KIND_RADIO);
  g_assert_cmpuint (e->code_list->codes->len, ==, 3);
  g_assert_true (has_code (e, "02", "Herr"));
  /* codeKey schluessel, nameKey bezeichnung of a three-column list */
  e = element (form, "g99000000100_f99000000104", KIOSK_KIND_SELECT);
  g_assert_true (has_code (e, "000", "deutsch"));
  g_assert_false (has_code (e, "DE", NULL));
  /* G…200 1:3 at the top: a page holding the repeatable group */
  e = element (form, "g99000000200", KIOSK_KIND_GROUP);
  g_assert_cmpuint (e->min_occurs, ==, 1);
  g_assert_cmpuint (e->max_occurs, ==, 3);
  e = element (form, "g99000000200_f99000000203", KIOSK_KIND_SELECT);
  g_assert_cmpuint (e->code_list->codes->len, ==, 7);
  e = element (form, "g99000000200_f99000000204", KIOSK_KIND_NUMBER);
  g_assert_true (e->has_min && e->min == 0.5 && e->has_max && e->max == 120);
  g_assert_nonnull (e->constraint);
  element (form, "g99000000200_f99000000205", KIOSK_KIND_CHECKBOX);
  element (form, "g99000000300_f99000000304", KIOSK_KIND_STATIC);
  /* locked F…307: its value shown with the label, as text */
  e = element (form, "g99000000300_f99000000307", KIOSK_KIND_STATIC);
  g_assert_cmpstr (kiosk_text_get (e->label, "de"), ==, "Aktenzeichen: HST-2024");
  g_assert_nonnull (strstr (result->map_tsv, "\n-\tF99000000308\t1.0.0\tunmapped\t1:1\tInterner Schlüssel\n"));

  p = problems_of (form, "{" XDF3_VALID "}");
  g_assert_cmpstr (p, ==, "");
  g_clear_pointer (&p, g_free);
  /* the country code is the schluessel */
  p = problems_of (form, "{\"g99000000100_f99000000101\": \"Zoë\", \"g99000000100_f99000000104\": \"TR\", "
                         "\"g99000000200\": [{\"g99000000200_f99000000201\": \"Bello\", \"g99000000200_f99000000202\": \"2020-03-04\", "
                         "\"g99000000200_f99000000203\": \"dackel\"}]}");
  g_assert_cmpstr (p, ==, "g99000000100_f99000000104");
  g_clear_pointer (&p, g_free);
  /* minValue 0.5 and R…010 (1 ≤ weight ≤ 100): 110 passes maxValue 120 but not the rule */
  p = problems_of (form, "{\"g99000000100_f99000000101\": \"Zoë\", \"g99000000100_f99000000104\": \"000\", "
                         "\"g99000000200\": [{\"g99000000200_f99000000201\": \"Bello\", \"g99000000200_f99000000202\": \"2020-03-04\", "
                         "\"g99000000200_f99000000203\": \"dackel\", \"g99000000200_f99000000204\": \"110\"}, "
                         "{\"g99000000200_f99000000201\": \"Rex\", \"g99000000200_f99000000202\": \"2021-03-04\", "
                         "\"g99000000200_f99000000203\": \"mix\", \"g99000000200_f99000000204\": \"12,5\"}]}");
  g_assert_cmpstr (p, ==, "g99000000200[1].g99000000200_f99000000204");
  g_clear_pointer (&p, g_free);
  /* the optional page G…300: nothing given is fine, a time alone is not */
  p = problems_of (form, "{" XDF3_VALID ", \"g99000000300_f99000000302\": \"09:30\"}");
  g_assert_cmpstr (p, ==, "g99000000300_f99000000301");
  g_clear_pointer (&p, g_free);
  /* time as HH:MM; R…021: the date from 2024 on */
  p = problems_of (form, "{" XDF3_VALID ", \"g99000000300_f99000000301\": \"2023-12-31\", \"g99000000300_f99000000302\": \"25:00\"}");
  g_assert_cmpstr (p, ==, "g99000000300_f99000000301 g99000000300_f99000000302");
  g_clear_pointer (&p, g_free);
  p = problems_of (form, "{" XDF3_VALID ", \"g99000000300_f99000000301\": \"2024-07-01\", \"g99000000300_f99000000302\": \"09:30\"}");
  g_assert_cmpstr (p, ==, "");
  g_clear_pointer (&p, g_free);
}

static void
test_datenfeldgruppe (void)
{
  g_autoptr(KioskForm) form = NULL;
  g_autoptr(KioskFimResult) result = import_test_file ("xdf3-anschrift-gruppe.xml", &form);
  const KioskElement *e;

  g_assert_cmpstr (result->fim_id, ==, "G99000000088");
  g_assert_cmpstr (form->id, ==, "g99000000088");
  g_assert_cmpstr (form->version, ==, "1.2.0");
  g_assert_cmpuint (result->datenfelder, ==, 5);
  g_assert_cmpuint (result->fields, ==, 5);
  g_assert_cmpuint (result->groups, ==, 2);
  /* the loose field F…240 a page of its own, G…086 a page */
  g_assert_cmpuint (form->pages->len, ==, 2);
  element (form, "f99000000240", KIOSK_KIND_TEXT);
  e = element (form, "g99000000086_f99000000244", KIOSK_KIND_INTEGER);
  g_assert_true (e->has_min && e->min == 1 && e->max == 9999);
}

/* ---- hostile and broken input ---- */

static void
assert_refused (const char *xml, gssize length, const char *start, gint code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskFimResult) result = kiosk_fim_import_data (xml, length < 0 ? strlen (xml) : (gsize) length,
                                                            "t.xml", NULL, &error);

  g_assert_null (result);
  g_assert_error (error, KIOSK_FIM_ERROR, code);
  if (!g_str_has_prefix (error->message, start))
    g_error ("message \"%s\" does not start with \"%s\"", error->message, start);
}

static void
test_hostile (void)
{
  g_autoptr(GString) deep = g_string_new ("<?xml version=\"1.0\"?>\n");
  g_autofree char *utf16 = NULL;
  gsize utf16_length = 0;
  gint64 start;

  /* external entity (XXE) */
  assert_refused ("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<x>&e;</x>",
                  -1, "t.xml:2: the document has a DOCTYPE", KIOSK_FIM_ERROR_XML);
  /* an external DTD over the network */
  assert_refused ("<?xml version=\"1.0\"?>\n\n<!DOCTYPE x SYSTEM \"http://192.0.2.1/x.dtd\">\n<x/>",
                  -1, "t.xml:3: the document has a DOCTYPE", KIOSK_FIM_ERROR_XML);
  /* billion laughs: refused at once */
  start = g_get_monotonic_time ();
  assert_refused ("<?xml version=\"1.0\"?>\n<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                  "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]>\n<l>&d;&d;&d;</l>",
                  -1, "t.xml:2: the document has a DOCTYPE", KIOSK_FIM_ERROR_XML);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  /* the same in UTF-16: the DOCTYPE is found after decoding */
  utf16 = g_convert ("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<!DOCTYPE x [<!ENTITY e \"x\">]>\n<x>&e;</x>",
                     -1, "UTF-16", "UTF-8", NULL, &utf16_length, NULL);
  g_assert_nonnull (utf16);
  assert_refused (utf16, (gssize) utf16_length, "t.xml:2: the document has a DOCTYPE", KIOSK_FIM_ERROR_XML);
  /* nesting deeper than the limit */
  for (guint i = 0; i < 5000; i++)
    g_string_append (deep, "<a>");
  for (guint i = 0; i < 5000; i++)
    g_string_append (deep, "</a>");
  assert_refused (deep->str, -1, "t.xml:", KIOSK_FIM_ERROR_XML);
  g_string_assign (deep, "<?xml version=\"1.0\"?>\n");
  for (guint i = 0; i < KIOSK_FIM_MAX_XML_DEPTH + 5; i++)
    g_string_append (deep, "<a>");
  for (guint i = 0; i < KIOSK_FIM_MAX_XML_DEPTH + 5; i++)
    g_string_append (deep, "</a>");
  assert_refused (deep->str, -1, "t.xml:1: elements are nested more than", KIOSK_FIM_ERROR_XML);
  /* not well-formed: the line of the fault */
  assert_refused ("<?xml version=\"1.0\"?>\n<x:xdatenfelder.stammdatenschema.0102 xmlns:x=\"" "urn:xoev-de:fim:standard:xdatenfelder_2" "\">\n"
                  "<x:stammdatenschema>\n</x:falsch>\n", -1, "t.xml:4: the XML is not well-formed", KIOSK_FIM_ERROR_XML);
  assert_refused ("", 0, "t.xml:1: the XML is not well-formed", KIOSK_FIM_ERROR_XML);
  assert_refused ("\xff\xfe\x00", 3, "t.xml:1: the XML is not well-formed", KIOSK_FIM_ERROR_XML);
  /* well-formed, but something else */
  assert_refused ("<a xmlns=\"urn:other\"/>", -1, "t.xml:1: not an XDatenfelder", KIOSK_FIM_ERROR_NOT_XDF);
  assert_refused ("<x:xdatenfelder.datenfeld.0104 xmlns:x=\"urn:xoev-de:fim:standard:xdatenfelder_2\"/>",
                  -1, "t.xml:1: a message", KIOSK_FIM_ERROR_NOT_XDF);
  assert_refused ("<x:xdatenfelder.stammdatenschema.0102 xmlns:x=\"urn:xoev-de:fim:standard:xdatenfelder_2\">\n"
                  "<x:stammdatenschema/></x:xdatenfelder.stammdatenschema.0102>",
                  -1, "t.xml:2: the Stammdatenschema has no identifikation/id", KIOSK_FIM_ERROR_INVALID);
  assert_refused ("<x:xdatenfelder.stammdatenschema.0102 xmlns:x=\"urn:xoev-de:fim:standard:xdatenfelder_2\">\n"
                  "<x:stammdatenschema><x:identifikation><x:id>S1</x:id></x:identifikation></x:stammdatenschema>"
                  "</x:xdatenfelder.stammdatenschema.0102>",
                  -1, "t.xml:2: nothing to fill in", KIOSK_FIM_ERROR_INVALID);
}

static void
test_file_limits (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-fim-XXXXXX", NULL);
  g_autofree char *big = g_build_filename (dir, "big.xml", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.xml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskFimResult) result = NULL;
  int fd;

  /* larger than the limit: refused before it is read (a sparse file) */
  fd = g_open (big, O_CREAT | O_WRONLY, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) KIOSK_FIM_MAX_FILE + 1), ==, 0);
  close (fd);
  result = kiosk_fim_import_file (big, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_IO);
  g_clear_error (&error);
  /* a FIFO: refused at once, never waited on */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  result = kiosk_fim_import_file (fifo, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "FIFO"));
  g_unlink (big);
  g_unlink (fifo);
  g_rmdir (dir);
}

static void
test_genericode_problems (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-fim-gc-XXXXXX", NULL);
  g_autofree char *broken = g_build_filename (dir, "a-broken.xml", NULL);
  g_autofree char *other = g_build_filename (dir, "b-other.xml", NULL);
  g_autofree char *ignored = g_build_filename (dir, "c.txt", NULL);
  g_autoptr(KioskFimCodeLists) lists = kiosk_fim_code_lists_new ();
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *expected = NULL;

  g_assert_true (g_file_set_contents (broken, "<gc:CodeList xmlns:gc=\"http://docs.oasis-open.org/codelist/ns/genericode/1.0/\">\n<Row>\n", -1, NULL));
  g_assert_true (g_file_set_contents (other, "<CodeList/>", -1, NULL));
  g_assert_true (g_file_set_contents (ignored, "nothing", -1, NULL));
  g_assert_true (kiosk_fim_code_lists_add_dir (lists, dir, problems, NULL));
  g_assert_cmpuint (kiosk_fim_code_lists_count (lists), ==, 0);
  g_assert_cmpuint (problems->len, ==, 2);
  expected = g_strconcat (broken, ":3: the XML is not well-formed", NULL);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (problems, 0), expected));
  g_free (expected);
  expected = g_strconcat (other, ":1: not a genericode", NULL);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (problems, 1), expected));
  g_unlink (broken);
  g_unlink (other);
  g_unlink (ignored);
  g_rmdir (dir);
}

/* Deep nesting of long XDF 3 ids, an id used twice in one group, and ids
 * that are no FIM ids at all: every key is a valid, unique element id. */
static void
test_keys (void)
{
  g_autoptr(GString) xml = g_string_new ("<x:xdatenfelder.stammdatenschema.0102 xmlns:x=\"urn:xoev-de:fim:standard:xdatenfelder_3.0.0\">"
                                         "<x:stammdatenschema><x:identifikation><x:id>S12345678901</x:id><x:version>1.0.0</x:version></x:identifikation>"
                                         "<x:bezeichnung>Tief</x:bezeichnung>");
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskFimResult) result = NULL;
  g_autoptr(KioskForm) form = NULL;
#define FIELD "<x:struktur><x:anzahl>1:1</x:anzahl><x:enthaelt><x:datenfeld><x:identifikation><x:id>%s</x:id>" \
                      "<x:version>1.0.0</x:version></x:identifikation><x:name>Feld</x:name><x:feldart><code>input</code></x:feldart>" \
                      "<x:datentyp><code>text</code></x:datentyp></x:datenfeld></x:enthaelt></x:struktur>"

  for (guint i = 0; i < 8; i++)
    g_string_append_printf (xml, "<x:struktur><x:anzahl>1:1</x:anzahl><x:enthaelt><x:datenfeldgruppe><x:identifikation>"
                                 "<x:id>G6000000%04u</x:id><x:version>1.0.0</x:version></x:identifikation><x:name>Ebene %u</x:name>", i, i);
  g_string_append_printf (xml, FIELD, "F60000000243");
  g_string_append_printf (xml, FIELD, "F60000000243");
  g_string_append_printf (xml, FIELD, "and");
  g_string_append_printf (xml, FIELD, "9-Ä ü");
  for (guint i = 0; i < 8; i++)
    g_string_append (xml, "</x:datenfeldgruppe></x:enthaelt></x:struktur>");
  g_string_append (xml, "</x:stammdatenschema></x:xdatenfelder.stammdatenschema.0102>");
  result = kiosk_fim_import_data (xml->str, xml->len, "t.xml", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->fields, ==, 4);
  g_assert_cmpuint (result->groups, ==, 8);
  form = kiosk_form_load_data (result->form_json, strlen (result->form_json), "t.json", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (form->elements->len, >=, 4 + 8);
}

int
main (int argc, char **argv)
{
  kiosk_i18n_init_cli ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/antragskiosk/fim/xdf2", test_xdf2);
  g_test_add_func ("/antragskiosk/fim/xdf3", test_xdf3);
  g_test_add_func ("/antragskiosk/fim/datenfeldgruppe", test_datenfeldgruppe);
  g_test_add_func ("/antragskiosk/fim/hostile", test_hostile);
  g_test_add_func ("/antragskiosk/fim/file-limits", test_file_limits);
  g_test_add_func ("/antragskiosk/fim/genericode-problems", test_genericode_problems);
  g_test_add_func ("/antragskiosk/fim/keys", test_keys);
  return g_test_run ();
}
