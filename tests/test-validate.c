/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test-validate"

/* Field validators against published test vectors: the examples of the
 * SWIFT IBAN registry, the ELSTER examples of tax identification numbers,
 * calendar facts, and the DIN 91379 examples of FORMS.md. Expected values
 * come from those publications (the IBAN examples and the tax IDs were
 * re-checked with an independent implementation in Python while writing
 * this test), never from the code under test. */

#include <string.h>

#include <glib.h>

#include <antragskiosk/i18n.h>
#include <antragskiosk/validate.h>

typedef gboolean (*ValidateFunc) (const char *input, char **normalized, GError **error);

static void
check_valid (ValidateFunc  func, const char   *input, const char   *expected) { g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  if (!func (input, &normalized, &error))
    g_error ("“%s” was rejected: %s", input, error->message);
  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, expected);

  /* The verdict alone. */
  g_assert_true (func (input, NULL, NULL));
}

/* Returns the message so that a caller can assert it. */
static char *
check_invalid (ValidateFunc        func,
               const char         *input,
               KioskValidateError  code)
{
  g_autoptr(GError) error = NULL;
  char *normalized = NULL;
  gboolean ok = func (input, &normalized, &error);

  if (ok)
    g_error ("“%s” was accepted as “%s”", input, normalized);
  g_assert_null (normalized);
  g_assert_error (error, KIOSK_VALIDATE_ERROR, (gint) code);
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
  /* Never the input back (it may be personal data). */
  if (strlen (input) >= 4)
    g_assert_null (strstr (error->message, input));
  g_assert_false (func (input, NULL, NULL));
  return g_strdup (error->message);
}

#define CHECK_INVALID(func, input, code) g_free (check_invalid ((ValidateFunc) (func), (input), (code)))

typedef struct {
  const char         *input;
  KioskValidateError  code;
} Invalid;

typedef struct {
  const char *input;
  const char *expected;   /* the normalised value */
} Valid;

static void
check_invalid_all (ValidateFunc   func,
                   const Invalid *cases,
                   gsize          n)
{
  for (gsize i = 0; i < n; i++)
    CHECK_INVALID (func, cases[i].input, cases[i].code);
}

static void
check_valid_all (ValidateFunc  func,
                 const Valid  *cases,
                 gsize         n)
{
  for (gsize i = 0; i < n; i++)
    check_valid (func, cases[i].input, cases[i].expected);
}

/* ------------------------------------------------------------------ */
/* IBAN                                                                */
/* ------------------------------------------------------------------ */

/* The example IBANs of the SWIFT IBAN registry (print form), plus the
 * widely published GB82 WEST 1234 5698 7654 32 (Wikipedia, ECBS). */
static const char * const registry_examples[] = {
  "AD12 0001 2030 2003 5910 0100",
  "AE07 0331 2345 6789 0123 456",
  "AL47 2121 1009 0000 0002 3569 8741",
  "AT61 1904 3002 3457 3201",
  "AZ21 NABZ 0000 0000 1370 1000 1944",
  "BA39 1290 0794 0102 8494",
  "BE68 5390 0754 7034",
  "BG80 BNBG 9661 1020 3456 78",
  "BH67 BMAG 0000 1299 1234 56",
  "BI42 1000 0100 0100 0033 2045 181",
  "BR18 0036 0305 0000 1000 9795 493C 1",
  "BY13 NBRB 3600 9000 0000 2Z00 AB00",
  "CH93 0076 2011 6238 5295 7",
  "CR05 0152 0200 1026 2840 66",
  "CY17 0020 0128 0000 0012 0052 7600",
  "CZ65 0800 0000 1920 0014 5399",
  "DE89 3704 0044 0532 0130 00",
  "DK50 0040 0440 1162 43",
  "DO28 BAGR 0000 0001 2124 5361 1324",
  "EE38 2200 2210 2014 5685",
  "EG38 0019 0005 0000 0000 2631 8000 2",
  "ES91 2100 0418 4502 0005 1332",
  "FI21 1234 5600 0007 85",
  "FO62 6460 0001 6316 34",
  "FR14 2004 1010 0505 0001 3M02 606",
  "GB29 NWBK 6016 1331 9268 19",
  "GB82 WEST 1234 5698 7654 32",
  "GE29 NB00 0000 0101 9049 17",
  "GI75 NWBK 0000 0000 7099 453",
  "GL89 6471 0001 0002 06",
  "GR16 0110 1250 0000 0001 2300 695",
  "GT82 TRAJ 0102 0000 0012 1002 9690",
  "HR12 1001 0051 8630 0016 0",
  "HU42 1177 3016 1111 1018 0000 0000",
  "IE29 AIBK 9311 5212 3456 78",
  "IL62 0108 0000 0009 9999 999",
  "IQ98 NBIQ 8501 2345 6789 012",
  "IS14 0159 2600 7654 5510 7303 39",
  "IT60 X054 2811 1010 0000 0123 456",
  "JO94 CBJO 0010 0000 0000 0131 0003 02",
  "KW81 CBKU 0000 0000 0000 1234 5601 01",
  "KZ86 125K ZT50 0410 0100",
  "LB62 0999 0000 0001 0019 0122 9114",
  "LC55 HEMM 0001 0001 0012 0012 0002 3015",
  "LI21 0881 0000 2324 013A A",
  "LT12 1000 0111 0100 1000",
  "LU28 0019 4006 4475 0000",
  "LV80 BANK 0000 4351 9500 1",
  "LY83 0020 4800 0020 1001 2036 1",
  "MC58 1122 2000 0101 2345 6789 030",
  "MD24 AG00 0225 1000 1310 4168",
  "ME25 5050 0001 2345 6789 51",
  "MK07 2501 2000 0058 984",
  "MR13 0002 0001 0100 0012 3456 753",
  "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
  "MU17 BOMM 0101 1010 3030 0200 000M UR",
  "NL91 ABNA 0417 1643 00",
  "NO93 8601 1117 947",
  "PK36 SCBL 0000 0011 2345 6702",
  "PL61 1090 1014 0000 0712 1981 2874",
  "PS92 PALS 0000 0000 0400 1234 5670 2",
  "PT50 0002 0123 1234 5678 9015 4",
  "QA58 DOHB 0000 1234 5678 90AB CDEF G",
  "RO49 AAAA 1B31 0075 9384 0000",
  "RS35 2600 0560 1001 6113 79",
  "SA03 8000 0000 6080 1016 7519",
  "SC18 SSCB 1101 0000 0000 0000 1497 USD",
  "SD21 2901 0501 2340 01",
  "SE45 5000 0000 0583 9825 7466",
  "SI56 2633 0001 2039 086",
  "SK31 1200 0000 1987 4263 7541",
  "SM86 U032 2509 8000 0000 0270 100",
  "ST23 0001 0001 0051 8453 1014 6",
  "SV62 CENR 0000 0000 0000 0070 0025",
  "TL38 0080 0123 4567 8910 157",
  "TN59 1000 6035 1835 9847 8831",
  "TR33 0006 1005 1978 6457 8413 26",
  "UA21 3223 1300 0002 6007 2335 6600 1",
  "VA59 0011 2300 0012 3456 78",
  "VG96 VPVG 0000 0123 4567 8901",
  "XK05 1212 0123 4567 8906",
};

static char *
compact (const char *print)
{
  GString *s = g_string_new (NULL);

  for (const char *p = print; *p; p++)
    if (*p != ' ')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

static void
test_iban_registry_examples (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (registry_examples); i++)
    {
      g_autofree char *expected = compact (registry_examples[i]);
      g_autofree char *lower = g_ascii_strdown (registry_examples[i], -1);
      g_autofree char *padded = g_strconcat ("  ", expected, "\t\n", NULL);

      check_valid (kiosk_validate_iban, registry_examples[i], expected);
      check_valid (kiosk_validate_iban, expected, expected);
      check_valid (kiosk_validate_iban, lower, expected);
      check_valid (kiosk_validate_iban, padded, expected);
    }
  g_assert_cmpuint (G_N_ELEMENTS (registry_examples), >=, 80);
}

static void
test_iban_lengths (void)
{
  /* Registry lengths of the countries that have no example above. */
  static const struct { const char *cc; guint len; } more[] = {
    { "DJ", 27 }, { "FK", 18 }, { "HN", 28 }, { "MN", 20 }, { "NI", 28 },
    { "OM", 23 }, { "RU", 33 }, { "SO", 23 }, { "YE", 30 },
  };
  guint known = 0;

  /* The length of each example is its country's IBAN length. */
  for (gsize i = 0; i < G_N_ELEMENTS (registry_examples); i++)
    {
      g_autofree char *iban = compact (registry_examples[i]);
      char cc[3] = { iban[0], iban[1], '\0' };

      g_assert_cmpuint (kiosk_iban_length (cc), ==, strlen (iban));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (more); i++)
    g_assert_cmpuint (kiosk_iban_length (more[i].cc), ==, more[i].len);

  /* Figures named in the brief. */
  g_assert_cmpuint (kiosk_iban_length ("DE"), ==, 22);
  g_assert_cmpuint (kiosk_iban_length ("AT"), ==, 20);
  g_assert_cmpuint (kiosk_iban_length ("CH"), ==, 21);
  g_assert_cmpuint (kiosk_iban_length ("FR"), ==, 27);
  g_assert_cmpuint (kiosk_iban_length ("GB"), ==, 22);
  g_assert_cmpuint (kiosk_iban_length ("NL"), ==, 18);
  g_assert_cmpuint (kiosk_iban_length ("NO"), ==, 15);
  g_assert_cmpuint (kiosk_iban_length ("MT"), ==, 31);
  g_assert_cmpuint (kiosk_iban_length ("LC"), ==, 32);
  g_assert_cmpuint (kiosk_iban_length ("SE"), ==, 24);
  g_assert_cmpuint (kiosk_iban_length ("BR"), ==, 29);
  g_assert_cmpuint (kiosk_iban_length ("EG"), ==, 29);
  g_assert_cmpuint (kiosk_iban_length ("de"), ==, 22);

  /* No IBAN of their own, or not a country code at all. */
  g_assert_cmpuint (kiosk_iban_length ("US"), ==, 0);
  g_assert_cmpuint (kiosk_iban_length ("CN"), ==, 0);
  g_assert_cmpuint (kiosk_iban_length ("AX"), ==, 0);
  g_assert_cmpuint (kiosk_iban_length ("JE"), ==, 0);
  g_assert_cmpuint (kiosk_iban_length ("GF"), ==, 0);
  g_assert_cmpuint (kiosk_iban_length ("DEU"), ==, 0);
  g_assert_cmpuint (kiosk_iban_length ("D"), ==, 0);
  g_assert_cmpuint (kiosk_iban_length (""), ==, 0);
  g_assert_cmpuint (kiosk_iban_length (NULL), ==, 0);

  /* Exactly the 89 countries of the registry. */
  for (char a = 'A'; a <= 'Z'; a++)
    for (char b = 'A'; b <= 'Z'; b++)
      {
        char cc[3] = { a, b, '\0' };
        guint len = kiosk_iban_length (cc);

        if (len != 0)
          {
            known++;
            g_assert_cmpuint (len, >=, 15);
            g_assert_cmpuint (len, <=, 34);
          }
      }
  g_assert_cmpuint (known, ==, 89);
}

static void
test_iban_invalid (void)
{
  static const Invalid invalid[] = {
    /* Wrong check digits, a typing error, a transposition. */
    { "DE88370400440532013000", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "DE89370400440532013001", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "DE89370400440523013000", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "GB82WEST12345698765423", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "GB82TEST12345698765432", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "NL91ABNA0417164301", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "CH9300762011623852958", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "FR1420041010050500013M02607", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "DE00370400440532013000", KIOSK_VALIDATE_ERROR_CHECKSUM },
    /* Wrong lengths. */
    { "DE8937040044053201300", KIOSK_VALIDATE_ERROR_LENGTH },
    { "DE893704004405320130000", KIOSK_VALIDATE_ERROR_LENGTH },
    { "AT6119043002345732012", KIOSK_VALIDATE_ERROR_LENGTH },
    { "NO938601111794", KIOSK_VALIDATE_ERROR_LENGTH },
    { "DE89", KIOSK_VALIDATE_ERROR_LENGTH },
    { "DE893704004405320130000000000000000000000000000", KIOSK_VALIDATE_ERROR_LENGTH },
    /* Unknown countries. */
    { "XX89370400440532013000", KIOSK_VALIDATE_ERROR_COUNTRY },
    { "US12345678901234567890", KIOSK_VALIDATE_ERROR_COUNTRY },
    /* Shape. */
    { "", KIOSK_VALIDATE_ERROR_FORMAT },
    { "   ", KIOSK_VALIDATE_ERROR_FORMAT },
    { "8937040044053201300012", KIOSK_VALIDATE_ERROR_FORMAT },
    { "DEXX370400440532013000", KIOSK_VALIDATE_ERROR_FORMAT },
    { "DE89-3704-0044-0532-0130-00", KIOSK_VALIDATE_ERROR_FORMAT },
    { "DE89 3704 0044 0532 0130 0Ö", KIOSK_VALIDATE_ERROR_FORMAT },
    /* A German BBAN is all digits, even where mod 97 would match. */
    { "DE89370400440532013A00", KIOSK_VALIDATE_ERROR_FORMAT },
    /* Not UTF-8. */
    { "DE89\xff", KIOSK_VALIDATE_ERROR_ENCODING },
  };

  check_invalid_all (kiosk_validate_iban, invalid, G_N_ELEMENTS (invalid));
}

/* ------------------------------------------------------------------ */
/* Steuerliche Identifikationsnummer                                   */
/* ------------------------------------------------------------------ */

static void
test_tax_id_valid (void)
{
  /* 12345678995 is the example quoted most often (e.g. kryptografie.de).
   * It does pass the repetition rule: its first ten digits 1234567899
   * contain the 9 twice and every other digit at most once, and the check
   * digit 5 is right. */
  static const char * const valid[] = {
    "12345678995",
    /* Examples of the ELSTER document "Prüfung der Steuer- und
     * Steueridentifikationsnummer", chapter 2 (02476291358, also there, is
     * a test ID starting with 0, see test_tax_id_invalid). */
    "86095742719", "47036892816", "65929970489", "57549285017", "25768131411",
    /* Further published valid IDs (test suites of python "steuerid",
     * "idnumbers", the DigitalService "erica" project). */
    "26954371827", "37396038422", "36594612769", "70761537429", "31580565947",
    "49735528659", "37358134207", "10456228370", "82240169524", "85826408911",
    "26083345737", "12345678920", "17375028697",
    /* A digit three times, but not three in a row (check digit computed
     * independently). */
    "11213456783",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    check_valid (kiosk_validate_tax_id, valid[i], valid[i]);

  check_valid (kiosk_validate_tax_id, "12 345 678 995", "12345678995");
  check_valid (kiosk_validate_tax_id, " 86 095 742 719 ", "86095742719");
}

static void
test_tax_id_invalid (void)
{
  static const Invalid invalid[] = {
    /* Wrong check digit (published invalid examples). */
    { "26954371820", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "12345678912", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "98765432199", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "12345678994", KIOSK_VALIDATE_ERROR_CHECKSUM },
    { "86095742718", KIOSK_VALIDATE_ERROR_CHECKSUM },
    /* Repetition rule: 65299970480 has 999 in a row (its check digit is
     * right); 37505648067 repeats three digits; 11112345678 has the 1 four
     * times; 12345678903 repeats none (check digits right, computed
     * independently); 11123456786 has three 1 in a row (check digit right). */
    { "65299970480", KIOSK_VALIDATE_ERROR_FORMAT },
    { "37505648067", KIOSK_VALIDATE_ERROR_FORMAT },
    { "11112345678", KIOSK_VALIDATE_ERROR_FORMAT },
    { "12345678903", KIOSK_VALIDATE_ERROR_FORMAT },
    { "11123456786", KIOSK_VALIDATE_ERROR_FORMAT },
    /* The first digit is never 0: 02476291358 is ELSTER's test ID. */
    { "02476291358", KIOSK_VALIDATE_ERROR_FORMAT },
    /* Length and shape. */
    { "1234567899", KIOSK_VALIDATE_ERROR_LENGTH },
    { "123456789951", KIOSK_VALIDATE_ERROR_LENGTH },
    { "", KIOSK_VALIDATE_ERROR_FORMAT },
    { "12.345.678.995", KIOSK_VALIDATE_ERROR_FORMAT },
    { "1234567899O", KIOSK_VALIDATE_ERROR_FORMAT },
    { "１２345678995", KIOSK_VALIDATE_ERROR_FORMAT },
  };

  check_invalid_all (kiosk_validate_tax_id, invalid, G_N_ELEMENTS (invalid));

}

/* ------------------------------------------------------------------ */
/* Postleitzahl                                                        */
/* ------------------------------------------------------------------ */

static void
test_postcode (void)
{
  static const Invalid invalid[] = {
    { "1011", KIOSK_VALIDATE_ERROR_LENGTH },
    { "101155", KIOSK_VALIDATE_ERROR_LENGTH },
    { "10 115", KIOSK_VALIDATE_ERROR_FORMAT },
    { "1011a", KIOSK_VALIDATE_ERROR_FORMAT },
    { "D-10115", KIOSK_VALIDATE_ERROR_FORMAT },
    { "", KIOSK_VALIDATE_ERROR_FORMAT },
    { "\xc3", KIOSK_VALIDATE_ERROR_ENCODING },
  };

  check_valid (kiosk_validate_postcode, "01067", "01067");   /* Dresden */
  check_valid (kiosk_validate_postcode, "10115", "10115");   /* Berlin */
  check_valid (kiosk_validate_postcode, " 99998 ", "99998");

  check_invalid_all (kiosk_validate_postcode, invalid, G_N_ELEMENTS (invalid));

}

/* ------------------------------------------------------------------ */
/* Dates                                                               */
/* ------------------------------------------------------------------ */

static void
test_date_valid (void)
{
  static const Valid valid[] = {
    { "24.12.1990", "1990-12-24" },
    { "1.2.2000", "2000-02-01" },
    { "01.02.2000", "2000-02-01" },
    { "24. 12. 1990", "1990-12-24" },
    { " 3.10.1990 ", "1990-10-03" },
    { "1990-12-24", "1990-12-24" },
    /* Leap years: divisible by 4, except centuries, except every 400 years. */
    { "29.02.2000", "2000-02-29" },
    { "29.02.2024", "2024-02-29" },
    { "2400-02-29", "2400-02-29" },
    { "29.2.1996", "1996-02-29" },
    /* Month ends. */
    { "31.01.2023", "2023-01-31" },
    { "28.02.2023", "2023-02-28" },
    { "31.03.2023", "2023-03-31" },
    { "30.04.2023", "2023-04-30" },
    { "31.12.2023", "2023-12-31" },
    /* Bounds of the year. */
    { "1000-01-01", "1000-01-01" },
    { "31.12.9999", "9999-12-31" },
  };

  check_valid_all (kiosk_validate_date, valid, G_N_ELEMENTS (valid));
}

static void
test_date_invalid (void)
{
  static const Invalid invalid[] = {
    { "29.02.2023", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "29.02.1900", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "2100-02-29", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "30.02.2024", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "31.04.2024", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "31.06.2024", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "31.09.2024", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "31.11.2024", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "32.01.2024", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "00.01.2024", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "01.13.2024", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "01.00.2024", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "2024-13-01", KIOSK_VALIDATE_ERROR_CALENDAR },
    { "01.01.0999", KIOSK_VALIDATE_ERROR_RANGE },
    { "0999-12-31", KIOSK_VALIDATE_ERROR_RANGE },
    { "24.12.90", KIOSK_VALIDATE_ERROR_FORMAT },
    { "1.1.999", KIOSK_VALIDATE_ERROR_FORMAT },
    { "1.1.10000", KIOSK_VALIDATE_ERROR_FORMAT },
    { "24/12/1990", KIOSK_VALIDATE_ERROR_FORMAT },
    { "12/24/1990", KIOSK_VALIDATE_ERROR_FORMAT },
    { "24.12.1990x", KIOSK_VALIDATE_ERROR_FORMAT },
    { "2024-1-5", KIOSK_VALIDATE_ERROR_FORMAT },
    { "20240105", KIOSK_VALIDATE_ERROR_FORMAT },
    { "124.12.1990", KIOSK_VALIDATE_ERROR_FORMAT },
    { "24..1990", KIOSK_VALIDATE_ERROR_FORMAT },
    { "", KIOSK_VALIDATE_ERROR_FORMAT },
    { "24.12.1990\xfe", KIOSK_VALIDATE_ERROR_ENCODING },
  };

  check_invalid_all (kiosk_validate_date, invalid, G_N_ELEMENTS (invalid));

}

/* ------------------------------------------------------------------ */
/* E-mail                                                              */
/* ------------------------------------------------------------------ */

static void
test_email (void)
{
  static const Valid valid[] = {
    { "max.mustermann@example.org", "max.mustermann@example.org" },
    { " Max.Mustermann@Example.ORG ", "Max.Mustermann@example.org" },
    { "a@b.de", "a@b.de" },
    { "info+antrag@stadt-musterhausen.de", "info+antrag@stadt-musterhausen.de" },
    { "o'brien@mail.example.co.uk", "o'brien@mail.example.co.uk" },
    { "x_y-z@sub.example.museum", "x_y-z@sub.example.museum" },
    { "post@Bücher.de", "post@bücher.de" },
  };

  static const Invalid invalid[] = {
    { "", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max.mustermann.example.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max@mustermann@example.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "@example.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max@", KIOSK_VALIDATE_ERROR_FORMAT },
    { ".max@example.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max.@example.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max..m@example.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max@example", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max@example.", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max@.example.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max@example..org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max@-example.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max@example-.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max@192.168.0.1", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max@exa_mple.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max mustermann@example.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "\"max\"@example.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "jürgen@example.org", KIOSK_VALIDATE_ERROR_FORMAT },
    { "max@example.org\xc0", KIOSK_VALIDATE_ERROR_ENCODING },
  };

  check_valid_all (kiosk_validate_email, valid, G_N_ELEMENTS (valid));
  check_invalid_all (kiosk_validate_email, invalid, G_N_ELEMENTS (invalid));

  {
    g_autofree char *local = g_strnfill (65, 'a');
    g_autofree char *address = g_strconcat (local, "@example.org", NULL);
    g_autofree char *label = g_strnfill (63, 'b');
    g_autofree char *tld = g_strnfill (60, 'c');
    g_autofree char *longest = g_strconcat ("a@", label, ".", label, ".", label, ".", tld, NULL);
    g_autofree char *too_long = g_strconcat ("ab@", label, ".", label, ".", label, ".", tld, NULL);
    g_autofree char *long_label = g_strconcat ("a@", label, "b.de", NULL);

    CHECK_INVALID (kiosk_validate_email, address, KIOSK_VALIDATE_ERROR_LENGTH);
    g_assert_cmpuint (strlen (longest), ==, 254);
    check_valid (kiosk_validate_email, longest, longest);
    CHECK_INVALID (kiosk_validate_email, too_long, KIOSK_VALIDATE_ERROR_LENGTH);
    CHECK_INVALID (kiosk_validate_email, long_label, KIOSK_VALIDATE_ERROR_FORMAT);
  }

}

/* ------------------------------------------------------------------ */
/* Phone                                                               */
/* ------------------------------------------------------------------ */

static void
test_phone (void)
{
  static const Valid valid[] = {
    { "+49 30 1234567", "+49301234567" },
    { "0049 30 1234567", "+49301234567" },
    { "+49 (0)30 1234567", "+49301234567" },
    { "0049 (0) 30 1234567", "+49301234567" },
    { "030 1234567", "0301234567" },
    { "(030) 123 456-7", "0301234567" },
    { "030/1234567", "0301234567" },
    { "0171-1234567", "01711234567" },
    { "+43 1 234567", "+431234567" },
    { "+1 (202) 555-0100", "+12025550100" },
    { "012345", "012345" },                       /* 6 digits */
    { "+123456789012345", "+123456789012345" },   /* 15 digits */
  };

  static const Invalid invalid[] = {
    { "", KIOSK_VALIDATE_ERROR_FORMAT },
    { "01234", KIOSK_VALIDATE_ERROR_LENGTH },
    { "+1234567890123456", KIOSK_VALIDATE_ERROR_LENGTH },
    { "00 1234567890123456", KIOSK_VALIDATE_ERROR_LENGTH },
    { "0301234567890123456789", KIOSK_VALIDATE_ERROR_LENGTH },
    { "7654321", KIOSK_VALIDATE_ERROR_FORMAT },
    { "+049 30 1234567", KIOSK_VALIDATE_ERROR_FORMAT },
    { "000 30 1234567", KIOSK_VALIDATE_ERROR_FORMAT },
    { "030 123+4567", KIOSK_VALIDATE_ERROR_FORMAT },
    { "030 12a4567", KIOSK_VALIDATE_ERROR_FORMAT },
    { "030.1234567", KIOSK_VALIDATE_ERROR_FORMAT },
    { "(030) (123) 4567", KIOSK_VALIDATE_ERROR_FORMAT },
    { "(030 1234567", KIOSK_VALIDATE_ERROR_FORMAT },
    { "030) 1234567", KIOSK_VALIDATE_ERROR_FORMAT },
    { "030 () 1234567", KIOSK_VALIDATE_ERROR_FORMAT },
    { "030 1234567\x80", KIOSK_VALIDATE_ERROR_ENCODING },
  };

  check_valid_all (kiosk_validate_phone, valid, G_N_ELEMENTS (valid));
  check_invalid_all (kiosk_validate_phone, invalid, G_N_ELEMENTS (invalid));

}

/* ------------------------------------------------------------------ */
/* DIN 91379 (the examples of FORMS.md; the full list is in             */
/* test-din91379.c)                                                     */
/* ------------------------------------------------------------------ */

static gboolean
din_a (const char *input, char **normalized, GError **error)
{
  return kiosk_validate_din91379 (input, KIOSK_DIN_TYPE_A, normalized, error);
}

static gboolean
din_b (const char *input, char **normalized, GError **error)
{
  return kiosk_validate_din91379 (input, KIOSK_DIN_TYPE_B, normalized, error);
}

static gboolean
din_c (const char *input, char **normalized, GError **error)
{
  return kiosk_validate_din91379 (input, KIOSK_DIN_TYPE_C, normalized, error);
}

static void
test_din_names (void)
{
  static const Valid valid[] = {
    { "Zoë Ñúñez-O'Brien", "Zoë Ñúñez-O'Brien" },
    { "Đorđe Łukasiewicz", "Đorđe Łukasiewicz" },
    { "Ærøskøbing", "Ærøskøbing" },
    { "Müller-Lüdenscheidt", "Müller-Lüdenscheidt" },
    { "  Jürgen  ", "Jürgen" },
    { "", "" },
    /* Decomposed input is normalised to NFC first. */
    { "Zoe\xcc\x88", "Zoë" },
    { "N\xcc\x83u\xcc\x81n\xcc\x83" "ez", "Ñúñez" },
    /* Listed sequences (a letter with combining marks that has no
     * precomposed form): L̥̄, K͟H, ç̆. */
    { "L\xcc\xa5\xcc\x84", "L\xcc\xa5\xcc\x84" },
    { "K\xcd\x9fH" "an", "K\xcd\x9fH" "an" },
    { "c\xcc\xa7\xcc\x86", "\xc3\xa7\xcc\x86" },
  };

  static const Invalid invalid[] = {
    { "Max 😀", KIOSK_VALIDATE_ERROR_CHARACTER },
    { "Max\x01Mustermann", KIOSK_VALIDATE_ERROR_CHARACTER },
    { "Max\tMustermann", KIOSK_VALIDATE_ERROR_CHARACTER },
    { "Иван Петров", KIOSK_VALIDATE_ERROR_CHARACTER },
    { "Max2", KIOSK_VALIDATE_ERROR_CHARACTER },
    { "Max\xe2\x80\x8bMustermann", KIOSK_VALIDATE_ERROR_CHARACTER },
    { "q\xcc\x83", KIOSK_VALIDATE_ERROR_CHARACTER },     /* q̃: not listed */
    { "\xcc\x81" "Anna", KIOSK_VALIDATE_ERROR_CHARACTER },
    { "Anna\xff", KIOSK_VALIDATE_ERROR_ENCODING },
  };

  check_valid_all (din_a, valid, G_N_ELEMENTS (valid));
  check_invalid_all (din_a, invalid, G_N_ELEMENTS (invalid));

  /* Types B and C admit more. */
  check_valid (din_b, "Müller & Söhne GmbH (2024)", "Müller & Söhne GmbH (2024)");
  CHECK_INVALID (din_b, "Halb ½", KIOSK_VALIDATE_ERROR_CHARACTER);
  check_valid (din_c, "Halb ½\tZeile", "Halb ½\tZeile");
  CHECK_INVALID (din_c, "Иван", KIOSK_VALIDATE_ERROR_CHARACTER);

}

/* ------------------------------------------------------------------ */
/* Messages, in German and English                                     */
/* ------------------------------------------------------------------ */

static void
test_messages (void)
{
  static const struct {
    ValidateFunc        func;
    const char         *lang;
    const char         *input;
    KioskValidateError  code;
    const char         *expected;
  } messages[] = {
    { kiosk_validate_iban, "de", "DE89 3704 0044 0532 0130 0", KIOSK_VALIDATE_ERROR_LENGTH,
      "Eine deutsche IBAN hat 22 Stellen, Sie haben 21 eingegeben." },
    { kiosk_validate_iban, "en", "DE89 3704 0044 0532 0130 0", KIOSK_VALIDATE_ERROR_LENGTH,
      "A German IBAN has 22 characters; you entered 21." },
    { kiosk_validate_iban, "de", "AT61 1904 3002 3457 320", KIOSK_VALIDATE_ERROR_LENGTH,
      "Eine IBAN, die mit AT beginnt, hat 20 Stellen, Sie haben 19 eingegeben." },
    { kiosk_validate_iban, "en", "AT61 1904 3002 3457 320", KIOSK_VALIDATE_ERROR_LENGTH,
      "An IBAN starting with AT has 20 characters; you entered 19." },
    { kiosk_validate_iban, "de", "DE88 3704 0044 0532 0130 00", KIOSK_VALIDATE_ERROR_CHECKSUM,
      "Die Prüfziffern der IBAN stimmen nicht; bitte prüfen Sie die IBAN auf Tippfehler." },
    { kiosk_validate_iban, "en", "DE88 3704 0044 0532 0130 00", KIOSK_VALIDATE_ERROR_CHECKSUM,
      "The check digits of the IBAN do not match; please look for a typing error." },
    { kiosk_validate_iban, "de", "XX89370400440532013000", KIOSK_VALIDATE_ERROR_COUNTRY,
      "„XX“ ist nicht der Code eines Landes mit IBAN; bitte prüfen Sie die ersten beiden Buchstaben." },
    { kiosk_validate_iban, "de", "DE89 3704 0044 0532 0130 0#", KIOSK_VALIDATE_ERROR_FORMAT,
      "Eine IBAN besteht nur aus Buchstaben und Ziffern; bitte entfernen Sie „#“." },
    { kiosk_validate_iban, "en", "DE89 3704\xe2\x80\x8b 0044 0532 0130 00", KIOSK_VALIDATE_ERROR_FORMAT,
      "An IBAN consists of letters and digits only; please remove “U+200B”." },
    { kiosk_validate_tax_id, "de", "1234567899", KIOSK_VALIDATE_ERROR_LENGTH,
      "Die Steuer-Identifikationsnummer hat 11 Ziffern, Sie haben 10 eingegeben." },
    { kiosk_validate_tax_id, "en", "1234567899", KIOSK_VALIDATE_ERROR_LENGTH,
      "The tax identification number has 11 digits; you entered 10." },
    { kiosk_validate_tax_id, "de", "12345678994", KIOSK_VALIDATE_ERROR_CHECKSUM,
      "Die Prüfziffer der Steuer-Identifikationsnummer stimmt nicht; bitte prüfen Sie die Nummer auf Tippfehler." },
    { kiosk_validate_postcode, "de", "1011", KIOSK_VALIDATE_ERROR_LENGTH,
      "Eine Postleitzahl hat 5 Ziffern, Sie haben 4 eingegeben." },
    { kiosk_validate_postcode, "en", "1011a", KIOSK_VALIDATE_ERROR_FORMAT,
      "A postcode consists of digits only; please remove “a”." },
    { kiosk_validate_date, "de", "29.02.2023", KIOSK_VALIDATE_ERROR_CALENDAR,
      "2023 ist kein Schaltjahr, der Februar hat nur 28 Tage." },
    { kiosk_validate_date, "en", "29.02.2023", KIOSK_VALIDATE_ERROR_CALENDAR,
      "2023 is not a leap year, so February has only 28 days." },
    { kiosk_validate_date, "de", "31.04.2024", KIOSK_VALIDATE_ERROR_CALENDAR,
      "Der April hat nur 30 Tage." },
    { kiosk_validate_date, "en", "31.04.2024", KIOSK_VALIDATE_ERROR_CALENDAR,
      "April has only 30 days." },
    { kiosk_validate_date, "de", "30.02.2024", KIOSK_VALIDATE_ERROR_CALENDAR,
      "Der Februar hat nur 29 Tage." },
    { kiosk_validate_date, "de", "24.12.90", KIOSK_VALIDATE_ERROR_FORMAT,
      "Bitte schreiben Sie das Jahr mit allen vier Ziffern, zum Beispiel 1990 statt 90." },
    { kiosk_validate_email, "de", "jürgen@example.org", KIOSK_VALIDATE_ERROR_FORMAT,
      "Das Zeichen „ü“ kann in einer E-Mail-Adresse nicht verwendet werden." },
    { kiosk_validate_email, "en", "max.example.org", KIOSK_VALIDATE_ERROR_FORMAT,
      "An e-mail address contains an @, for example name@example.org." },
    { kiosk_validate_phone, "de", "01234", KIOSK_VALIDATE_ERROR_LENGTH,
      "Eine Telefonnummer hat 6 bis 15 Ziffern, Sie haben 5 eingegeben." },
    { kiosk_validate_phone, "en", "01234", KIOSK_VALIDATE_ERROR_LENGTH,
      "A phone number has 6 to 15 digits; you entered 5." },
    { din_a, "de", "Max 😀", KIOSK_VALIDATE_ERROR_CHARACTER,
      "Das Zeichen „😀“ ist in Namen nicht erlaubt." },
    { din_a, "en", "Max 😀", KIOSK_VALIDATE_ERROR_CHARACTER,
      "The character “😀” is not allowed in names." },
    { din_a, "de", "Иван", KIOSK_VALIDATE_ERROR_CHARACTER,
      "Das Zeichen „И“ ist in Namen nicht erlaubt." },
    { din_a, "de", "Max\x01Mustermann", KIOSK_VALIDATE_ERROR_CHARACTER,
      "Das unsichtbare Zeichen U+0001 ist in Namen nicht erlaubt." },
    { din_a, "en", "Max\xe2\x80\x8bMustermann", KIOSK_VALIDATE_ERROR_CHARACTER,
      "The invisible character U+200B is not allowed in names." },
    { din_a, "de", "q\xcc\x83", KIOSK_VALIDATE_ERROR_CHARACTER,
      "Das Zeichen „q\xcc\x83“ ist in Namen nicht erlaubt." },
    { din_a, "de", "\xcc\x81" "Anna", KIOSK_VALIDATE_ERROR_CHARACTER,
      "Das Zeichen U+0301 ist in Namen nicht erlaubt." },
    { din_b, "de", "Halb ½", KIOSK_VALIDATE_ERROR_CHARACTER,
      "Das Zeichen „½“ ist in diesem Feld nicht erlaubt." },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autofree char *message = NULL;

      kiosk_i18n_set_language (messages[i].lang);
      message = check_invalid (messages[i].func, messages[i].input, messages[i].code);
      kiosk_i18n_set_language ("de");
      g_assert_cmpstr (message, ==, messages[i].expected);
    }
}

/* ------------------------------------------------------------------ */
/* Text length                                                         */
/* ------------------------------------------------------------------ */

static void
test_text_length (void)
{
  g_assert_cmpint (kiosk_text_length (""), ==, 0);
  g_assert_cmpint (kiosk_text_length ("Anna"), ==, 4);
  g_assert_cmpint (kiosk_text_length ("Zoë"), ==, 3);
  g_assert_cmpint (kiosk_text_length ("Zoe\xcc\x88"), ==, 3);            /* NFD */
  g_assert_cmpint (kiosk_text_length ("L\xcc\xa5\xcc\x84"), ==, 1);      /* L̥̄ */
  g_assert_cmpint (kiosk_text_length ("q\xcc\x83\xcc\x84\xcc\x86"), ==, 1);
  g_assert_cmpint (kiosk_text_length ("K\xcd\x9fH"), ==, 1);             /* K͟H */
  g_assert_cmpint (kiosk_text_length ("😀😀"), ==, 2);
  g_assert_cmpint (kiosk_text_length ("Straße 1"), ==, 8);
  g_assert_cmpint (kiosk_text_length ("\xcc\x81"), ==, 1);               /* a lone mark */
  g_assert_cmpint (kiosk_text_length ("Anna\xff"), ==, -1);
  g_assert_cmpint (kiosk_text_length (NULL), ==, -1);
}

/* ------------------------------------------------------------------ */
/* Speed: a form of 2,000 fields validates in well under 20 ms.        */
/* ------------------------------------------------------------------ */

static void
test_speed (void)
{
  gint64 start, elapsed;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < 2000 / 8; i++)
    {
      g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
      g_autofree char *e = NULL, *f = NULL, *g = NULL, *h = NULL;

      g_assert_true (kiosk_validate_iban ("DE89 3704 0044 0532 0130 00", &a, NULL));
      g_assert_true (kiosk_validate_tax_id ("86095742719", &b, NULL));
      g_assert_true (kiosk_validate_postcode ("01067", &c, NULL));
      g_assert_true (kiosk_validate_date ("24.12.1990", &d, NULL));
      g_assert_true (kiosk_validate_din91379 ("Zoë Ñúñez-O'Brien", KIOSK_DIN_TYPE_A, &e, NULL));
      g_assert_true (kiosk_validate_din91379 ("Hauptstraße 12a", KIOSK_DIN_TYPE_B, &f, NULL));
      g_assert_true (kiosk_validate_email ("max.mustermann@example.org", &g, NULL));
      g_assert_true (kiosk_validate_phone ("+49 (0)30 1234567", &h, NULL));
    }
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("2000 fields validated in %" G_GINT64_FORMAT " µs", elapsed);
  /* The budget is 20 ms; sanitizer builds are several times slower, so
   * the test allows a margin and reports the figure. */
  g_assert_cmpint (elapsed, <, 100 * 1000);
}

/* kiosk_utf8_nfc() against g_utf8_normalize() on the whole text (the
 * reference, slow but exact on these few kilobytes): cutting the text into
 * pieces must not change the result, wherever a cut falls: inside Hangul
 * jamo, Indic vowel signs, Tibetan and combining sequences. */
static void
test_nfc_pieces (void)
{
  static const char * const parts[] = {
    "Mu\xcc\x88ller ",                       /* u + U+0308 */
    "\xd0\xb8\xcc\x86\xd1\x97 ",             /* и + U+0306, ї */
    "\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8",  /* jamo L V T: one syllable */
    "\xea\xb0\x80\xe1\x86\xa8",              /* syllable LV + T */
    "\xe0\xad\x87\xe0\xac\xbe",              /* Oriya E + AA: U+0B4B */
    "\xe0\xbd\xb3",                          /* Tibetan U+0F73 */
    "e\xcc\x81\xcc\xa3",                     /* e + acute + dot below: reordered */
    "\xe2\x84\xa6",                          /* Ohm sign, a singleton */
    "\xf0\x9f\x98\x80",                      /* emoji */
    "\xd9\x84\xd8\xa7\xd9\x93",              /* Arabic lam, alef + madda above */
    "a",
  };
  GString *text = g_string_new (NULL);
  GRand *rand = g_rand_new_with_seed (18);

  while (text->len < 20000)
    g_string_append (text, parts[g_rand_int_range (rand, 0, G_N_ELEMENTS (parts))]);
  for (gsize cut = 0; cut < 64; cut++)
    {
      g_autofree char *expected = NULL;
      g_autofree char *nfc = NULL;

      if (!g_utf8_validate (text->str + cut, -1, NULL))
        continue;   /* @cut is inside a character */
      expected = g_utf8_normalize (text->str + cut, -1, G_NORMALIZE_NFC);
      nfc = kiosk_utf8_nfc (text->str + cut, -1);
      g_assert_cmpstr (nfc, ==, expected);
    }
  g_assert_null (kiosk_utf8_nfc ("a\xff", -1));
  g_rand_free (rand);
  g_string_free (text, TRUE);
}

/* Issue #18 (found by fuzz-pattern with 1 MiB inputs): g_utf8_normalize()
 * of GLib 2.74 is quadratic in the number of compositions; 100,000 "á"
 * (the longest multiline value a form allows) took 5 s to validate. */
static void
test_nfc_linear (void)
{
  GString *text = g_string_new (NULL);
  g_autofree char *nfc = NULL;
  gint64 start;

  for (int i = 0; i < 100000; i++)
    g_string_append (text, i % 2 == 0 ? "a\xcc\x81" : "\xd0\xb9");   /* a + U+0301, й */
  start = g_get_monotonic_time ();
  nfc = kiosk_utf8_nfc (text->str, (gssize) text->len);
  g_assert_cmpint (kiosk_text_length (text->str), ==, 100000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (g_utf8_strlen (nfc, -1), ==, 100000);
  g_assert_true (g_str_has_prefix (nfc, "\xc3\xa1\xd0\xb9"));   /* á й */
  g_string_free (text, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  kiosk_i18n_init ();
  kiosk_i18n_set_language ("de");
  /* The first message looked up decides, in GLib, whether the process
   * translates at all; look one up while the catalog is German. */
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "A postcode has 5 digits; you entered %u."), !=, "");

  g_test_add_func ("/antragskiosk/validate/iban-registry-examples", test_iban_registry_examples);
  g_test_add_func ("/antragskiosk/validate/iban-lengths", test_iban_lengths);
  g_test_add_func ("/antragskiosk/validate/iban-invalid", test_iban_invalid);
  g_test_add_func ("/antragskiosk/validate/tax-id-valid", test_tax_id_valid);
  g_test_add_func ("/antragskiosk/validate/tax-id-invalid", test_tax_id_invalid);
  g_test_add_func ("/antragskiosk/validate/postcode", test_postcode);
  g_test_add_func ("/antragskiosk/validate/date-valid", test_date_valid);
  g_test_add_func ("/antragskiosk/validate/date-invalid", test_date_invalid);
  g_test_add_func ("/antragskiosk/validate/email", test_email);
  g_test_add_func ("/antragskiosk/validate/phone", test_phone);
  g_test_add_func ("/antragskiosk/validate/din-names", test_din_names);
  g_test_add_func ("/antragskiosk/validate/messages", test_messages);
  g_test_add_func ("/antragskiosk/validate/text-length", test_text_length);
  g_test_add_func ("/antragskiosk/validate/speed", test_speed);
  g_test_add_func ("/antragskiosk/validate/nfc-pieces", test_nfc_pieces);
  g_test_add_func ("/antragskiosk/validate/nfc-linear", test_nfc_linear);

  return g_test_run ();
}
