/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib.h>

#include <antragskiosk/display.h>
#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>

/* One formatter for the review page and the summary PDF (display.h). The
 * expected texts are written from the conventions, not from the code:
 * German dates and amounts after DIN 5008 (14.03.1987, 25.000,00 €). */

static const char *test_form =
  "{\"format\": 1, \"id\": \"t\", \"version\": \"1.0.0\", \"leika\": \"unknown\","
  " \"schema_uri\": \"urn:test:t\", \"category\": \"sonstiges\", \"title\": {\"de\": \"T\"},"
  " \"code_lists\": {\"zahlung\": {\"values\": [{\"code\": \"bar\", \"label\": {\"de\": \"Bar\", \"en\": \"Cash\"}}]}},"
  " \"pages\": [{\"id\": \"p1\", \"title\": {\"de\": \"Eins\"}, \"items\": ["
  "   {\"id\": \"name\", \"kind\": \"text\", \"label\": {\"de\": \"Name\"}},"
  "   {\"id\": \"geburt\", \"kind\": \"date\", \"label\": {\"de\": \"Geburtsdatum\"}},"
  "   {\"id\": \"betrag\", \"kind\": \"currency\", \"label\": {\"de\": \"Betrag\"}},"
  "   {\"id\": \"anzahl\", \"kind\": \"integer\", \"label\": {\"de\": \"Anzahl\"}},"
  "   {\"id\": \"faktor\", \"kind\": \"number\", \"label\": {\"de\": \"Faktor\"}},"
  "   {\"id\": \"zahlung\", \"kind\": \"radio\", \"code_list\": \"zahlung\", \"label\": {\"de\": \"Zahlung\"}},"
  "   {\"id\": \"ok\", \"kind\": \"checkbox\", \"label\": {\"de\": \"Einverstanden\"}}"
  " ]}]}";

static KioskForm *
load_form (void)
{
  g_autoptr(GError) error = NULL;
  KioskForm *form = kiosk_form_load_data (test_form, strlen (test_form), "t.json", NULL, &error);

  g_assert_no_error (error);
  return form;
}

static void
assert_display (KioskForm *form, const char *id, const char *canonical, KioskDisplayFor reader, const char *expected)
{
  char *text = kiosk_display_value (kiosk_form_lookup (form, id), canonical, reader);

  if (g_strcmp0 (text, expected) != 0)
    g_error ("%s = \"%s\": got \"%s\", expected \"%s\"", id, canonical ? canonical : "(null)", text, expected);
  kiosk_display_free (text);
}

/* For the authority: German, whatever language the kiosk speaks. */
static void
test_authority (void)
{
  KioskForm *form = load_form ();
  const KioskDisplayFor a = KIOSK_DISPLAY_FOR_AUTHORITY;

  kiosk_i18n_set_language ("en");
  assert_display (form, "geburt", "1987-03-14", a, "14.03.1987");
  assert_display (form, "geburt", "1987-02-30", a, "1987-02-30");     /* no such day: as it is */
  assert_display (form, "geburt", "14.03.1987", a, "14.03.1987");     /* not canonical: as it is */
  assert_display (form, "betrag", "25000", a, "25.000,00 \xe2\x82\xac");
  assert_display (form, "betrag", "1234567.5", a, "1.234.567,50 \xe2\x82\xac");
  assert_display (form, "betrag", "999.99", a, "999,99 \xe2\x82\xac");
  assert_display (form, "betrag", "-1000", a, "-1.000,00 \xe2\x82\xac");
  assert_display (form, "betrag", "0.5", a, "0,50 \xe2\x82\xac");
  assert_display (form, "anzahl", "12345", a, "12345");                 /* counts are not grouped */
  assert_display (form, "faktor", "3.25", a, "3,25");
  assert_display (form, "faktor", "1e+21", a, "1e+21");                 /* not plain: as it is */
  assert_display (form, "zahlung", "bar", a, "Bar");
  assert_display (form, "zahlung", "unbekannt", a, "unbekannt");
  assert_display (form, "ok", "true", a, "Ja");
  assert_display (form, "ok", "false", a, "Nein");
  assert_display (form, "ok", NULL, a, "Nein");
  assert_display (form, "name", "Zo\xc3\xab 1.000", a, "Zo\xc3\xab 1.000");   /* text as typed */
  assert_display (form, "name", "", a, "\xe2\x80\x93");
  assert_display (form, "betrag", NULL, a, "\xe2\x80\x93");
  kiosk_i18n_set_language ("de");
  kiosk_form_unref (form);
}

/* For the visitor: the kiosk's language, from the catalog. */
static void
test_visitor (void)
{
  KioskForm *form = load_form ();
  const KioskDisplayFor v = KIOSK_DISPLAY_FOR_VISITOR;

  kiosk_i18n_set_language ("en");
  assert_display (form, "geburt", "1987-03-14", v, "1987-03-14");
  assert_display (form, "betrag", "25000", v, "25,000.00 \xe2\x82\xac");
  assert_display (form, "faktor", "3.25", v, "3.25");
  assert_display (form, "zahlung", "bar", v, "Cash");
  assert_display (form, "ok", "true", v, "Yes");
  kiosk_i18n_set_language ("de");
  assert_display (form, "geburt", "1987-03-14", v, "14.03.1987");
  assert_display (form, "betrag", "25000", v, "25.000,00 \xe2\x82\xac");
  assert_display (form, "zahlung", "bar", v, "Bar");
  assert_display (form, "ok", "true", v, "Ja");
  kiosk_i18n_set_language ("tr");
  assert_display (form, "ok", "false", v, "Hay\xc4\xb1r");
  assert_display (form, "faktor", "3.25", v, "3,25");
  kiosk_i18n_set_language ("uk");
  assert_display (form, "betrag", "25000", v, "25\xc2\xa0" "000,00 \xe2\x82\xac");   /* no-break space */
  kiosk_i18n_set_language ("ar");
  assert_display (form, "geburt", "1987-03-14", v, "14/03/1987");
  kiosk_i18n_set_language ("de");
  kiosk_form_unref (form);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* After g_test_init(), which resets the locale. */
  kiosk_i18n_init ();
  kiosk_i18n_set_language ("de");
  g_test_add_func ("/antragskiosk/display/authority", test_authority);
  g_test_add_func ("/antragskiosk/display/visitor", test_visitor);
  return g_test_run ();
}
