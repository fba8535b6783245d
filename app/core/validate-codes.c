/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-validate"

/* Codes with a fixed form: IBAN (ISO 13616), the Steuerliche
 * Identifikationsnummer and the Postleitzahl (validate-private.h). */

#include <string.h>

#include <glib.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/validate.h>

#include "validate-private.h"

/* ------------------------------------------------------------------ */
/* IBAN                                                                */
/* ------------------------------------------------------------------ */

typedef struct {
  char  code[3];
  guint8 length;
} IbanCountry;

/* Every country of the SWIFT IBAN registry with its IBAN length, sorted by
 * code (registry release of December 2024: 89 countries). Territories that
 * use another country's IBAN (Åland: FI; French overseas: FR; Jersey,
 * Guernsey, Isle of Man: GB) have no prefix of their own and are not
 * listed. */
static const IbanCountry iban_countries[] = {
  { "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 },
  { "BA", 20 }, { "BE", 16 }, { "BG", 22 }, { "BH", 22 }, { "BI", 27 },
  { "BR", 29 }, { "BY", 28 }, { "CH", 21 }, { "CR", 22 }, { "CY", 28 },
  { "CZ", 24 }, { "DE", 22 }, { "DJ", 27 }, { "DK", 18 }, { "DO", 28 },
  { "EE", 20 }, { "EG", 29 }, { "ES", 24 }, { "FI", 18 }, { "FK", 18 },
  { "FO", 18 }, { "FR", 27 }, { "GB", 22 }, { "GE", 22 }, { "GI", 23 },
  { "GL", 18 }, { "GR", 27 }, { "GT", 28 }, { "HN", 28 }, { "HR", 21 },
  { "HU", 28 }, { "IE", 22 }, { "IL", 23 }, { "IQ", 23 }, { "IS", 26 },
  { "IT", 27 }, { "JO", 30 }, { "KW", 30 }, { "KZ", 20 }, { "LB", 28 },
  { "LC", 32 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 }, { "LV", 21 },
  { "LY", 25 }, { "MC", 27 }, { "MD", 24 }, { "ME", 22 }, { "MK", 19 },
  { "MN", 20 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 }, { "NI", 28 },
  { "NL", 18 }, { "NO", 15 }, { "OM", 23 }, { "PK", 24 }, { "PL", 28 },
  { "PS", 29 }, { "PT", 25 }, { "QA", 29 }, { "RO", 24 }, { "RS", 22 },
  { "RU", 33 }, { "SA", 24 }, { "SC", 31 }, { "SD", 18 }, { "SE", 24 },
  { "SI", 19 }, { "SK", 24 }, { "SM", 27 }, { "SO", 23 }, { "ST", 25 },
  { "SV", 28 }, { "TL", 23 }, { "TN", 24 }, { "TR", 26 }, { "UA", 29 },
  { "VA", 22 }, { "VG", 24 }, { "XK", 20 }, { "YE", 30 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (iban_countries) == 89);

/* The longest IBAN of the registry (LC) has 32 characters; ISO 13616
 * allows 34. */
#define IBAN_MAX 34

guint
kiosk_iban_length (const char *country_code)
{
  char cc[3];
  gsize lo = 0, hi = G_N_ELEMENTS (iban_countries);

  if (country_code == NULL || !g_ascii_isalpha (country_code[0])
      || !g_ascii_isalpha (country_code[1]) || country_code[2] != '\0')
    return 0;
  cc[0] = g_ascii_toupper (country_code[0]);
  cc[1] = g_ascii_toupper (country_code[1]);
  cc[2] = '\0';

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      int cmp = strcmp (cc, iban_countries[mid].code);

      if (cmp < 0)
        hi = mid;
      else if (cmp > 0)
        lo = mid + 1;
      else
        return iban_countries[mid].length;
    }
  return 0;
}

/* ISO 7064 MOD 97-10 over the rearranged IBAN (BBAN, then country code and
 * check digits), letters as 10–35. The number has up to 70 digits, so it is
 * reduced in chunks: digits are appended to a 64-bit accumulator, which is
 * taken mod 97 before it could overflow. */
static guint
iban_mod97 (const char *iban,
            gsize       len)
{
  guint64 acc = 0;

  for (gsize k = 0; k < len; k++)
    {
      char c = iban[(k + 4) % len];

      if (g_ascii_isdigit (c))
        acc = acc * 10 + (guint64) (c - '0');
      else
        acc = acc * 100 + (guint64) (c - 'A' + 10);
      if (acc >= G_GUINT64_CONSTANT (1000000000000000))
        acc %= 97;
    }
  return (guint) (acc % 97);
}

gboolean
kiosk_validate_iban (const char  *input,
                     char       **normalized,
                     GError     **error)
{
  const char *p, *end;
  char iban[IBAN_MAX + 1];
  gssize scanned;
  gsize n;
  gunichar bad = 0;
  guint expected;
  char cc[3] = { 0 };

  if (!_kiosk_validate_prepare_input (input, &p, &end, error))
    return FALSE;
  if (p == end)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("Please enter an IBAN, for example DE89 3704 0044 0532 0130 00."));

  scanned = _kiosk_validate_scan_code (p, end, TRUE, iban, sizeof iban, &bad);
  if (scanned < 0)
    {
      char buf[16];

      return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                          _("An IBAN consists of letters and digits only; please remove “%s”."),
                                          _kiosk_validate_char_for_message (bad, buf));
    }
  n = (gsize) scanned;

  if (n < 2 || !g_ascii_isalpha (iban[0]) || !g_ascii_isalpha (iban[1]))
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("An IBAN starts with two letters for the country, for example DE."));

  cc[0] = iban[0];
  cc[1] = iban[1];
  expected = kiosk_iban_length (cc);
  if (expected == 0)
    return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_COUNTRY,
                                        _("“%s” is not the code of a country that uses the IBAN; please check the first two letters."),
                                        cc);
  if (n != expected && strcmp (cc, "DE") == 0)
    return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_LENGTH,
                                        g_dngettext (GETTEXT_PACKAGE,
                                                     "A German IBAN has 22 characters; you entered %u.",
                                                     "A German IBAN has 22 characters; you entered %u.",
                                                     (gulong) n),
                                        (guint) n);
  if (n != expected)
    return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_LENGTH,
                                        g_dngettext (GETTEXT_PACKAGE,
                                                     "An IBAN starting with %s has %u characters; you entered %u.",
                                                     "An IBAN starting with %s has %u characters; you entered %u.",
                                                     (gulong) n),
                                        cc, expected, (guint) n);

  if (!g_ascii_isdigit (iban[2]) || !g_ascii_isdigit (iban[3]))
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("The third and fourth characters of an IBAN are digits (the check digits)."));

  /* The German BBAN is numeric (bank code and account number). */
  if (iban[0] == 'D' && iban[1] == 'E')
    {
      for (gsize i = 4; i < n; i++)
        if (!g_ascii_isdigit (iban[i]))
          return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                       _("After “DE” a German IBAN contains digits only; please check the letters you entered."));
    }

  if (iban_mod97 (iban, n) != 1)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_CHECKSUM,
                                 _("The check digits of the IBAN do not match; please look for a typing error."));

  _kiosk_validate_set_normalized (normalized, iban, n);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Steuerliche Identifikationsnummer                                   */
/* ------------------------------------------------------------------ */

/* The digit-repetition rule of the Bundeszentralamt für Steuern (ELSTER,
 * "Prüfung der Steuer- und Steueridentifikationsnummer", chapter 2): in the
 * first ten digits exactly one digit occurs twice or three times, every
 * other digit at most once; since 2016 a digit may occur three times, but
 * not at three directly consecutive positions. */
static gboolean
tax_id_repetition_ok (const char *d)
{
  guint count[10] = { 0 };
  guint repeated = 0, which = 0;

  for (guint i = 0; i < 10; i++)
    count[d[i] - '0']++;
  for (guint k = 0; k < 10; k++)
    {
      if (count[k] > 3)
        return FALSE;
      if (count[k] >= 2)
        {
          repeated++;
          which = k;
        }
    }
  if (repeated != 1)
    return FALSE;
  if (count[which] == 3)
    {
      for (guint i = 0; i + 2 < 10; i++)
        if (d[i] - '0' == (int) which && d[i + 1] == d[i] && d[i + 2] == d[i])
          return FALSE;
    }
  return TRUE;
}

/* ISO 7064 MOD 11,10 as FORMS.md describes it. */
static guint
tax_id_check_digit (const char *d)
{
  guint product = 10;

  for (guint i = 0; i < 10; i++)
    {
      guint sum = ((guint) (d[i] - '0') + product) % 10;

      if (sum == 0)
        sum = 10;
      product = (2 * sum) % 11;
    }
  return product == 1 ? 0 : 11 - product;
}

gboolean
kiosk_validate_tax_id (const char  *input,
                       char       **normalized,
                       GError     **error)
{
  const char *p, *end;
  char digits[12];
  gssize n;
  gunichar bad = 0;

  if (!_kiosk_validate_prepare_input (input, &p, &end, error))
    return FALSE;
  if (p == end)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("Please enter your tax identification number (11 digits)."));

  n = _kiosk_validate_scan_code (p, end, FALSE, digits, sizeof digits, &bad);
  if (n < 0)
    {
      char buf[16];

      return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                          _("The tax identification number consists of digits only; please remove “%s”."),
                                          _kiosk_validate_char_for_message (bad, buf));
    }
  if (n != 11)
    return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_LENGTH,
                                        g_dngettext (GETTEXT_PACKAGE,
                                                     "The tax identification number has 11 digits; you entered %u.",
                                                     "The tax identification number has 11 digits; you entered %u.",
                                                     (gulong) n),
                                        (guint) n);

  if (digits[0] == '0')
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("A tax identification number does not start with 0; please check the first digit."));
  if (!tax_id_repetition_ok (digits))
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("This is not a valid tax identification number (its digits cannot occur in this combination); please look for a typing error."));
  if (tax_id_check_digit (digits) != (guint) (digits[10] - '0'))
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_CHECKSUM,
                                 _("The check digit of the tax identification number does not match; please look for a typing error."));

  _kiosk_validate_set_normalized (normalized, digits, 11);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Postleitzahl                                                        */
/* ------------------------------------------------------------------ */

gboolean
kiosk_validate_postcode (const char  *input,
                         char       **normalized,
                         GError     **error)
{
  const char *start, *end;
  char digits[8];
  gssize n;
  gunichar bad = 0;

  if (!_kiosk_validate_prepare_input (input, &start, &end, error))
    return FALSE;
  if (start == end)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("Please enter the postcode (5 digits)."));

  n = _kiosk_validate_scan_code (start, end, FALSE, digits, sizeof digits, &bad);
  if (n < 0)
    {
      char buf[16];

      return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                          _("A postcode consists of digits only; please remove “%s”."),
                                          _kiosk_validate_char_for_message (bad, buf));
    }
  /* Only digits and white space remain: every byte beyond the digits is
   * white space. */
  if (n != end - start)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("Please enter the postcode as 5 digits without spaces."));
  if (n != 5)
    return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_LENGTH,
                                        g_dngettext (GETTEXT_PACKAGE,
                                                     "A postcode has 5 digits; you entered %u.",
                                                     "A postcode has 5 digits; you entered %u.",
                                                     (gulong) n),
                                        (guint) n);

  _kiosk_validate_set_normalized (normalized, digits, (gsize) n);
  return TRUE;
}
