/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-validate"

/* Field validators (FORMS.md, "Validators"). The validators read the
 * caller's string in place and allocate little (the normalised value, and
 * for DIN 91379 and e-mail one temporary string), so that a form with
 * thousands of fields validates in about a millisecond. Messages never
 * contain the input, at most one offending character. */

#include <stdarg.h>
#include <string.h>

#include <glib.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/validate.h>

#include "validate-private.h"

G_DEFINE_QUARK (kiosk-validate-error-quark, kiosk_validate_error)

/* ------------------------------------------------------------------ */
/* Shared helpers                                                      */
/* ------------------------------------------------------------------ */

/* Characters a person cannot see or that would not show on their own
 * (control and format characters, separators, unassigned code points,
 * combining marks): messages name them as U+XXXX. */
static gboolean
char_is_invisible (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SURROGATE:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SPACE_SEPARATOR:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
    case G_UNICODE_NON_SPACING_MARK:
      return TRUE;
    default:
      return FALSE;
    }
}

/* One character as it may appear in a message: itself, or U+XXXX when it
 * would be invisible. Writes into @buf (at least 16 bytes). */
static const char *
char_for_message (gunichar c,
                  char     buf[16])
{
  if (char_is_invisible (c))
    g_snprintf (buf, 16, "U+%04X", (guint) c);
  else
    buf[g_unichar_to_utf8 (c, buf)] = '\0';
  return buf;
}

static gboolean
fail (GError             **error,
      KioskValidateError   code,
      const char          *message)
{
  g_set_error_literal (error, KIOSK_VALIDATE_ERROR, code, message);
  return FALSE;
}

static gboolean fail_printf (GError             **error,
                             KioskValidateError   code,
                             const char          *format,
                             ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail_printf (GError             **error,
             KioskValidateError   code,
             const char          *format,
             ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  return fail (error, code, message);
}

/* Checks the encoding and trims white space at both ends: on success,
 * [*start, *end) is the part of @input to validate. */
static gboolean
prepare_input (const char   *input,
               const char  **start,
               const char  **end,
               GError      **error)
{
  const char *s, *e;

  if (input == NULL)
    input = "";
  if (!g_utf8_validate (input, -1, &e))
    return fail (error, KIOSK_VALIDATE_ERROR_ENCODING,
                 _("The input contains bytes that are not valid text (UTF-8); please type it again."));

  s = input;
  while (s < e && g_unichar_isspace (g_utf8_get_char (s)))
    s = g_utf8_next_char (s);
  while (e > s)
    {
      const char *prev = g_utf8_prev_char (e);

      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      e = prev;
    }
  *start = s;
  *end = e;
  return TRUE;
}

static void
set_normalized (char       **normalized,
                const char  *value,
                gsize        len)
{
  if (normalized != NULL)
    *normalized = g_strndup (value, len);
}

/* Reads [p, end) as a code written with separating spaces: keeps ASCII
 * digits (and, with @letters, ASCII letters, upper-cased) in @buf, at most
 * @size - 1 of them, and skips white space. Returns how many it met in all;
 * on any other character returns -1 and stores that character in @bad. */
static gssize
scan_code (const char *p,
           const char *end,
           gboolean    letters,
           char       *buf,
           gsize       size,
           gunichar   *bad)
{
  gsize n = 0;

  for (; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        continue;
      if (c < 0x80 && (g_ascii_isdigit ((char) c) || (letters && g_ascii_isalpha ((char) c))))
        {
          if (n < size - 1)
            buf[n] = g_ascii_toupper ((char) c);
          n++;
        }
      else
        {
          *bad = c;
          return -1;
        }
    }
  buf[MIN (n, size - 1)] = '\0';
  return (gssize) n;
}

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

  if (!prepare_input (input, &p, &end, error))
    return FALSE;
  if (p == end)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("Please enter an IBAN, for example DE89 3704 0044 0532 0130 00."));

  scanned = scan_code (p, end, TRUE, iban, sizeof iban, &bad);
  if (scanned < 0)
    {
      char buf[16];

      return fail_printf (error, KIOSK_VALIDATE_ERROR_FORMAT,
                          _("An IBAN consists of letters and digits only; please remove “%s”."),
                          char_for_message (bad, buf));
    }
  n = (gsize) scanned;

  if (n < 2 || !g_ascii_isalpha (iban[0]) || !g_ascii_isalpha (iban[1]))
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("An IBAN starts with two letters for the country, for example DE."));

  cc[0] = iban[0];
  cc[1] = iban[1];
  expected = kiosk_iban_length (cc);
  if (expected == 0)
    return fail_printf (error, KIOSK_VALIDATE_ERROR_COUNTRY,
                        _("“%s” is not the code of a country that uses the IBAN; please check the first two letters."),
                        cc);
  if (n != expected && strcmp (cc, "DE") == 0)
    return fail_printf (error, KIOSK_VALIDATE_ERROR_LENGTH,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "A German IBAN has 22 characters; you entered %u.",
                                     "A German IBAN has 22 characters; you entered %u.",
                                     (gulong) n),
                        (guint) n);
  if (n != expected)
    return fail_printf (error, KIOSK_VALIDATE_ERROR_LENGTH,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "An IBAN starting with %s has %u characters; you entered %u.",
                                     "An IBAN starting with %s has %u characters; you entered %u.",
                                     (gulong) n),
                        cc, expected, (guint) n);

  if (!g_ascii_isdigit (iban[2]) || !g_ascii_isdigit (iban[3]))
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("The third and fourth characters of an IBAN are digits (the check digits)."));

  /* The German BBAN is numeric (bank code and account number). */
  if (iban[0] == 'D' && iban[1] == 'E')
    {
      for (gsize i = 4; i < n; i++)
        if (!g_ascii_isdigit (iban[i]))
          return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                       _("After “DE” a German IBAN contains digits only; please check the letters you entered."));
    }

  if (iban_mod97 (iban, n) != 1)
    return fail (error, KIOSK_VALIDATE_ERROR_CHECKSUM,
                 _("The check digits of the IBAN do not match; please look for a typing error."));

  set_normalized (normalized, iban, n);
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

  if (!prepare_input (input, &p, &end, error))
    return FALSE;
  if (p == end)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("Please enter your tax identification number (11 digits)."));

  n = scan_code (p, end, FALSE, digits, sizeof digits, &bad);
  if (n < 0)
    {
      char buf[16];

      return fail_printf (error, KIOSK_VALIDATE_ERROR_FORMAT,
                          _("The tax identification number consists of digits only; please remove “%s”."),
                          char_for_message (bad, buf));
    }
  if (n != 11)
    return fail_printf (error, KIOSK_VALIDATE_ERROR_LENGTH,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "The tax identification number has 11 digits; you entered %u.",
                                     "The tax identification number has 11 digits; you entered %u.",
                                     (gulong) n),
                        (guint) n);

  if (digits[0] == '0')
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("A tax identification number does not start with 0; please check the first digit."));
  if (!tax_id_repetition_ok (digits))
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("This is not a valid tax identification number (its digits cannot occur in this combination); please look for a typing error."));
  if (tax_id_check_digit (digits) != (guint) (digits[10] - '0'))
    return fail (error, KIOSK_VALIDATE_ERROR_CHECKSUM,
                 _("The check digit of the tax identification number does not match; please look for a typing error."));

  set_normalized (normalized, digits, 11);
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

  if (!prepare_input (input, &start, &end, error))
    return FALSE;
  if (start == end)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("Please enter the postcode (5 digits)."));

  n = scan_code (start, end, FALSE, digits, sizeof digits, &bad);
  if (n < 0)
    {
      char buf[16];

      return fail_printf (error, KIOSK_VALIDATE_ERROR_FORMAT,
                          _("A postcode consists of digits only; please remove “%s”."),
                          char_for_message (bad, buf));
    }
  /* Only digits and white space remain: every byte beyond the digits is
   * white space. */
  if (n != end - start)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("Please enter the postcode as 5 digits without spaces."));
  if (n != 5)
    return fail_printf (error, KIOSK_VALIDATE_ERROR_LENGTH,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "A postcode has 5 digits; you entered %u.",
                                     "A postcode has 5 digits; you entered %u.",
                                     (gulong) n),
                        (guint) n);

  set_normalized (normalized, digits, (gsize) n);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Dates                                                               */
/* ------------------------------------------------------------------ */

/* Reads up to @max + 1 ASCII digits (one more than allowed, so that a
 * number too long shows) into @value; returns how many it read. */
static guint
read_number (const char **p,
             const char  *end,
             guint        max,
             guint       *value)
{
  guint n = 0, v = 0;

  while (*p < end && n < max + 1 && g_ascii_isdigit (**p))
    {
      v = v * 10 + (guint) (**p - '0');
      (*p)++;
      n++;
    }
  *value = v;
  return n;
}

static const char *
month_name (guint month)
{
  switch (month)
    {
    case 1: return C_("month name in a date message", "January");
    case 2: return C_("month name in a date message", "February");
    case 3: return C_("month name in a date message", "March");
    case 4: return C_("month name in a date message", "April");
    case 5: return C_("month name in a date message", "May");
    case 6: return C_("month name in a date message", "June");
    case 7: return C_("month name in a date message", "July");
    case 8: return C_("month name in a date message", "August");
    case 9: return C_("month name in a date message", "September");
    case 10: return C_("month name in a date message", "October");
    case 11: return C_("month name in a date message", "November");
    default: return C_("month name in a date message", "December");
    }
}

static gboolean
is_leap_year (guint year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static guint
days_in_month (guint month,
               guint year)
{
  static const guint8 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (month == 2 && is_leap_year (year))
    return 29;
  return days[month - 1];
}

gboolean
kiosk_validate_date (const char  *input,
                     char       **normalized,
                     GError     **error)
{
  const char *p, *end;
  guint day = 0, month = 0, year = 0, len_d = 0, len_m = 0, len_y = 0;
  gboolean ok;

  if (!prepare_input (input, &p, &end, error))
    return FALSE;
  if (p == end)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("Please enter a date as DD.MM.YYYY, for example 24.12.1990."));

  /* ISO 8601: YYYY-MM-DD. */
  if (end - p == 10 && p[4] == '-' && p[7] == '-')
    {
      len_y = read_number (&p, end, 4, &year);
      p++;
      len_m = read_number (&p, end, 2, &month);
      p++;
      len_d = read_number (&p, end, 2, &day);
      ok = len_y == 4 && len_m == 2 && len_d == 2 && p == end;
    }
  else
    {
      /* DIN 5008: D.M.YYYY or DD.MM.YYYY, a space after a dot allowed. */
      len_d = read_number (&p, end, 2, &day);
      ok = len_d >= 1 && len_d <= 2 && p < end && *p == '.';
      if (ok)
        {
          p++;
          if (p < end && *p == ' ')
            p++;
          len_m = read_number (&p, end, 2, &month);
          ok = len_m >= 1 && len_m <= 2 && p < end && *p == '.';
        }
      if (ok)
        {
          p++;
          if (p < end && *p == ' ')
            p++;
          len_y = read_number (&p, end, 4, &year);
          ok = len_y >= 1 && p == end;
          if (ok && len_y != 4)
            return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                         _("Please write the year with all four digits, for example 1990 rather than 90."));
        }
    }
  if (!ok)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("Please enter a date as DD.MM.YYYY, for example 24.12.1990."));

  if (year < 1000)
    return fail (error, KIOSK_VALIDATE_ERROR_RANGE,
                 _("The year must lie between 1000 and 9999."));
  if (month < 1 || month > 12)
    return fail_printf (error, KIOSK_VALIDATE_ERROR_CALENDAR,
                        _("There is no month %u; the month is a number from 1 to 12."), month);
  if (day == 0)
    return fail (error, KIOSK_VALIDATE_ERROR_CALENDAR,
                 _("There is no day 0; the days of a month are counted from 1."));
  if (month == 2 && day == 29 && !is_leap_year (year))
    return fail_printf (error, KIOSK_VALIDATE_ERROR_CALENDAR,
                        _("%u is not a leap year, so February has only 28 days."), year);
  if (day > days_in_month (month, year))
    return fail_printf (error, KIOSK_VALIDATE_ERROR_CALENDAR,
                        g_dngettext (GETTEXT_PACKAGE, "%s has only %u day.", "%s has only %u days.",
                                     (gulong) days_in_month (month, year)),
                        month_name (month), days_in_month (month, year));

  if (normalized != NULL)
    *normalized = g_strdup_printf ("%04u-%02u-%02u", year, month, day);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Glyphs, DIN 91379, text length                                      */
/* ------------------------------------------------------------------ */

/* May NFC text be cut before @c, each piece normalised on its own? Yes
 * when @c is a starter (canonical combining class 0) that never composes
 * with what precedes it and whose decomposition starts with a starter. The
 * starters that compose with a preceding character (NFC_Quick_Check=Maybe:
 * Hangul vowel and trailing jamo, some Indic and Myanmar/Balinese vowel
 * signs) and those that decompose to a mark (Tibetan) all lie in the
 * excluded blocks, which are left whole. */
static gboolean
nfc_boundary_before (gunichar c)
{
  if (c < 0x300)
    return TRUE;
  if (g_unichar_combining_class (c) != 0)
    return FALSE;
  return !((c >= 0x0900 && c <= 0x0dff)     /* Indic scripts to Sinhala */
           || (c >= 0x0f00 && c <= 0x11ff)  /* Tibetan, Myanmar, Georgian, Hangul jamo */
           || (c >= 0x1b00 && c <= 0x1b7f)  /* Balinese */
           || (c >= 0x3099 && c <= 0x309a)
           || c >= 0x10000);                /* and everything above the BMP, whole */
}

/* Pieces of at least this many bytes are normalised at once. */
#define NFC_PIECE 512

char *
kiosk_utf8_nfc (const char *utf8,
                gssize      length)
{
  GString *out;
  const char *end, *piece, *p;

  g_return_val_if_fail (utf8 != NULL, NULL);

  if (length < 0)
    length = (gssize) strlen (utf8);
  end = utf8 + length;
  if (!g_utf8_validate (utf8, length, NULL))
    return NULL;
  if ((gsize) length <= NFC_PIECE)
    return g_utf8_normalize (utf8, length, G_NORMALIZE_NFC);
  out = g_string_sized_new ((gsize) length + 1);
  for (piece = p = utf8; p < end; p = g_utf8_next_char (p))
    if (p - piece >= NFC_PIECE && nfc_boundary_before (g_utf8_get_char (p)))
      {
        g_autofree char *nfc = g_utf8_normalize (piece, p - piece, G_NORMALIZE_NFC);

        g_string_append (out, nfc);
        piece = p;
      }
  if (piece < end)
    {
      g_autofree char *nfc = g_utf8_normalize (piece, end - piece, G_NORMALIZE_NFC);

      g_string_append (out, nfc);
    }
  return g_string_free (out, FALSE);
}

/* Combining marks that span two base characters (canonical combining
 * classes 233 "double below" and 234 "double above", e.g. U+035F): the
 * following base character belongs to the same glyph, as in the DIN 91379
 * sequence "K͟H". */
static gboolean
mark_is_double (gunichar m)
{
  int cc = g_unichar_combining_class (m);

  return cc == 233 || cc == 234;
}

/* The glyph at @p: a base character with the combining marks that follow
 * it. Stores up to @max code points in @cps and their total number in
 * @n_cps; returns where the next glyph starts. */
static const char *
next_glyph (const char *p,
            const char *end,
            gunichar   *cps,
            gsize       max,
            gsize      *n_cps)
{
  gsize n = 0;
  gboolean join;

  do
    {
      gunichar c = g_utf8_get_char (p);

      if (n < max)
        cps[n] = c;
      n++;
      p = g_utf8_next_char (p);
      join = FALSE;
      while (p < end)
        {
          gunichar m = g_utf8_get_char (p);

          if (!g_unichar_ismark (m))
            break;
          if (n < max)
            cps[n] = m;
          n++;
          join = join || mark_is_double (m);
          p = g_utf8_next_char (p);
        }
    }
  while (join && p < end);

  *n_cps = n;
  return p;
}

static gboolean
is_ascii (const char *s,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) s[i] >= 0x80)
      return FALSE;
  return TRUE;
}

static gboolean
din_single_allowed (gunichar      c,
                    KioskDinType  type)
{
  switch (_kiosk_din_char_class (c))
    {
    case _KIOSK_DIN_LETTER:
    case _KIOSK_DIN_N1:
      return TRUE;
    case _KIOSK_DIN_N2:
      return type == KIOSK_DIN_TYPE_B || type == KIOSK_DIN_TYPE_C;
    case _KIOSK_DIN_N3:
    case _KIOSK_DIN_N4:
      return type == KIOSK_DIN_TYPE_C;
    case _KIOSK_DIN_NONE:
    default:
      return FALSE;
    }
}

#define GLYPH_MAX 8

/* The error for a glyph that is not allowed: it names the glyph (a base
 * character and up to a few marks), or U+XXXX for what cannot be seen. */
static void
din_set_error (GError         **error,
               KioskDinType     type,
               const gunichar  *cps,
               gsize            n)
{
  gboolean names = type == KIOSK_DIN_TYPE_A;
  gunichar base = cps[0];

  if (g_unichar_ismark (base) || (n > 1 && g_unichar_isspace (base)) || n > 4)
    {
      /* A mark with no letter to sit on, or too many marks: name the mark. */
      gunichar mark = g_unichar_ismark (base) ? base : cps[1];

      g_set_error (error, KIOSK_VALIDATE_ERROR, KIOSK_VALIDATE_ERROR_CHARACTER,
                   names ? _("The character U+%04X is not allowed in names.")
                         : _("The character U+%04X is not allowed in this field."),
                   (guint) mark);
    }
  else if (char_is_invisible (base))
    g_set_error (error, KIOSK_VALIDATE_ERROR, KIOSK_VALIDATE_ERROR_CHARACTER,
                 names ? _("The invisible character U+%04X is not allowed in names.")
                       : _("The invisible character U+%04X is not allowed in this field."),
                 (guint) base);
  else
    {
      char buf[4 * 6 + 1];
      gsize len = 0;

      for (gsize i = 0; i < n; i++)
        len += (gsize) g_unichar_to_utf8 (cps[i], buf + len);
      buf[len] = '\0';
      g_set_error (error, KIOSK_VALIDATE_ERROR, KIOSK_VALIDATE_ERROR_CHARACTER,
                   names ? _("The character “%s” is not allowed in names.")
                         : _("The character “%s” is not allowed in this field."),
                   buf);
    }
}

gboolean
kiosk_validate_din91379 (const char    *input,
                         KioskDinType   type,
                         char         **normalized,
                         GError       **error)
{
  const char *start, *end, *p;
  g_autofree char *nfc = NULL;

  g_return_val_if_fail (type == KIOSK_DIN_TYPE_A || type == KIOSK_DIN_TYPE_B
                        || type == KIOSK_DIN_TYPE_C, FALSE);

  if (!prepare_input (input, &start, &end, error))
    return FALSE;

  /* ASCII is already in NFC. */
  if (is_ascii (start, (gsize) (end - start)))
    nfc = g_strndup (start, (gsize) (end - start));
  else
    nfc = kiosk_utf8_nfc (start, end - start);
  if (nfc == NULL)
    return fail (error, KIOSK_VALIDATE_ERROR_ENCODING,
                 _("The input contains bytes that are not valid text (UTF-8); please type it again."));

  end = nfc + strlen (nfc);
  for (p = nfc; p < end;)
    {
      gunichar cps[GLYPH_MAX];
      gsize n;
      gboolean ok;

      p = next_glyph (p, end, cps, GLYPH_MAX, &n);
      if (n == 1)
        ok = din_single_allowed (cps[0], type);
      else
        ok = n <= GLYPH_MAX && _kiosk_din_is_sequence (cps, n);
      if (!ok)
        {
          din_set_error (error, type, cps, MIN (n, (gsize) GLYPH_MAX));
          return FALSE;
        }
    }

  if (normalized != NULL)
    *normalized = g_steal_pointer (&nfc);
  return TRUE;
}

glong
kiosk_text_length (const char *utf8)
{
  g_autofree char *nfc = NULL;
  const char *p, *end;
  gsize len;
  glong count = 0;

  if (utf8 == NULL || !g_utf8_validate (utf8, -1, NULL))
    return -1;
  len = strlen (utf8);
  /* ASCII has no combining marks: one byte, one character. */
  if (is_ascii (utf8, len))
    return (glong) len;

  nfc = kiosk_utf8_nfc (utf8, (gssize) len);
  if (nfc == NULL)
    return -1;
  end = nfc + strlen (nfc);
  for (p = nfc; p < end; count++)
    {
      gunichar cps[1];
      gsize n;

      p = next_glyph (p, end, cps, 1, &n);
    }
  return count;
}

/* ------------------------------------------------------------------ */
/* E-mail                                                              */
/* ------------------------------------------------------------------ */

/* atext of RFC 5322 (section 3.2.3), ASCII only. */
static gboolean
is_atext (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

gboolean
kiosk_validate_email (const char  *input,
                      char       **normalized,
                      GError     **error)
{
  const char *start, *end, *at = NULL, *p;
  gsize local_len;

  if (!prepare_input (input, &start, &end, error))
    return FALSE;
  if (start == end)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("Please enter an e-mail address, for example name@example.org."));

  /* Characters first, so that the message can name the first bad one. */
  for (p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '@')
        {
          if (at != NULL)
            return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                         _("An e-mail address contains exactly one @."));
          at = p;
        }
      else if (g_unichar_isspace (c))
        return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                     _("An e-mail address contains no spaces; please remove them."));
      else if (at == NULL ? !(c < 0x80 && (is_atext ((char) c) || c == '.'))
                          : !(c == '.' || c == '-' || g_unichar_isalnum (c)))
        {
          char buf[16];

          return fail_printf (error, KIOSK_VALIDATE_ERROR_FORMAT,
                              _("The character “%s” cannot be used in an e-mail address."),
                              char_for_message (c, buf));
        }
    }

  if (at == NULL)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("An e-mail address contains an @, for example name@example.org."));

  local_len = (gsize) (at - start);
  if (local_len == 0)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("The name before the @ is missing."));
  if (start[0] == '.' || at[-1] == '.' || g_strstr_len (start, (gssize) local_len, "..") != NULL)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("Before the @, a dot may not come first, last, or twice in a row."));
  if (local_len > 64)
    return fail (error, KIOSK_VALIDATE_ERROR_LENGTH,
                 _("The part before the @ can have at most 64 characters."));
  if (g_utf8_strlen (start, end - start) > 254)
    return fail (error, KIOSK_VALIDATE_ERROR_LENGTH,
                 _("An e-mail address can have at most 254 characters."));

  /* The domain: labels of letters, digits and hyphens, separated by dots;
   * at least two labels; the last one not all digits. */
  {
    const char *domain = at + 1, *label = domain;
    guint labels = 0;
    gboolean tld_digits_only = TRUE;

    if (domain == end)
      return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                   _("The domain after the @ is missing, for example example.org."));
    for (p = domain;; p = g_utf8_next_char (p))
      {
        if (p == end || *p == '.')
          {
            glong label_chars = g_utf8_strlen (label, p - label);

            if (label_chars == 0 || label_chars > 63 || *label == '-' || p[-1] == '-')
              return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                           _("The domain after the @ is not valid; please check the dots and hyphens, for example example.org."));
            labels++;
            if (p == end)
              break;
            label = p + 1;
            tld_digits_only = TRUE;
          }
        else if (!g_ascii_isdigit (*p))
          tld_digits_only = FALSE;
      }
    if (labels < 2 || tld_digits_only)
      return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                   _("The domain after the @ needs a dot and an ending, for example example.org."));

    if (normalized != NULL)
      {
        g_autofree char *lower = g_utf8_strdown (domain, end - domain);

        *normalized = g_strdup_printf ("%.*s@%s", (int) local_len, start, lower);
      }
  }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Phone                                                               */
/* ------------------------------------------------------------------ */

#define PHONE_MIN 6
#define PHONE_MAX 15

gboolean
kiosk_validate_phone (const char  *input,
                      char       **normalized,
                      GError     **error)
{
  const char *start, *end, *p;
  /* Enough for "00", a "(0)" and PHONE_MAX digits; beyond that only the
   * count matters (the number is too long anyway). */
  char digits[PHONE_MAX + 4];
  gsize n = 0, kept;
  gboolean plus = FALSE, international;
  guint opened = 0, closed = 0;
  gsize paren_start = 0, paren_end = 0, first_digit;

  if (!prepare_input (input, &start, &end, error))
    return FALSE;
  if (start == end)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("Please enter a phone number, for example 030 1234567 or +49 30 1234567."));

  for (p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= '0' && c <= '9')
        {
          if (n < sizeof digits - 1)
            digits[n] = (char) c;
          n++;
        }
      else if (c == '+')
        {
          if (p != start)
            return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                         _("The + may only stand at the beginning, for example +49 30 1234567."));
          plus = TRUE;
        }
      else if (c == '(')
        {
          if (opened > 0)
            return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                         _("Please use at most one pair of parentheses."));
          opened++;
          paren_start = n;
        }
      else if (c == ')')
        {
          if (opened == 0 || closed > 0 || n == paren_start)
            return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                         _("Please use at most one pair of parentheses."));
          closed++;
          paren_end = n;
        }
      else if (!(c == '/' || c == '-' || g_unichar_isspace (c)))
        {
          char buf[16];

          return fail_printf (error, KIOSK_VALIDATE_ERROR_FORMAT,
                              _("A phone number contains digits, spaces, /, - and parentheses only; please remove “%s”."),
                              char_for_message (c, buf));
        }
    }
  if (opened != closed)
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("Please use at most one pair of parentheses."));

  kept = MIN (n, sizeof digits - 1);
  digits[kept] = '\0';
  international = plus || (kept >= 2 && digits[0] == '0' && digits[1] == '0');

  /* "+49 (0)30 …": the national trunk prefix in parentheses after the
   * country code is not dialled from abroad; drop it. */
  if (international && closed == 1 && paren_start > 0 && paren_end == paren_start + 1
      && paren_start < kept && digits[paren_start] == '0')
    {
      memmove (digits + paren_start, digits + paren_start + 1, kept - paren_start);
      kept--;
      n--;
    }

  first_digit = (international && !plus) ? 2 : 0;
  if (international)
    {
      if (first_digit < kept && digits[first_digit] == '0')
        return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                     _("After + or 00 comes the country code, which does not start with 0, for example +49."));
    }
  else if (kept > 0 && digits[0] != '0')
    return fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                 _("Please enter the number with its area code (for example 030 1234567) or with the country code (for example +49 30 1234567)."));

  if (n - first_digit < PHONE_MIN || n - first_digit > PHONE_MAX)
    return fail_printf (error, KIOSK_VALIDATE_ERROR_LENGTH,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "A phone number has 6 to 15 digits; you entered %u.",
                                     "A phone number has 6 to 15 digits; you entered %u.",
                                     (gulong) (n - first_digit)),
                        (guint) (n - first_digit));

  if (normalized != NULL)
    *normalized = international ? g_strconcat ("+", digits + first_digit, NULL)
                                : g_strdup (digits);
  return TRUE;
}
