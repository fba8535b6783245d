/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-validate"

/* E-mail addresses and phone numbers (validate-private.h). */

#include <string.h>

#include <glib.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/validate.h>

#include "validate-private.h"

/* ------------------------------------------------------------------ */
/* E-mail                                                              */
/* ------------------------------------------------------------------ */

/* atext of RFC 5322 (section 3.2.3), ASCII only. */
static gboolean
is_atext (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* The characters of an e-mail address in [start, end), so that the
 * message can name the first bad one; stores where its one "@" is. */
static gboolean
email_characters_ok (const char  *start,
                     const char  *end,
                     const char **at_out,
                     GError     **error)
{
  const char *at = NULL;

  for (const char *p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '@')
        {
          if (at != NULL)
            return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                         _("An e-mail address contains exactly one @."));
          at = p;
        }
      else if (g_unichar_isspace (c))
        return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                     _("An e-mail address contains no spaces; please remove them."));
      else if (at == NULL ? !(c < 0x80 && (is_atext ((char) c) || c == '.'))
                          : !(c == '.' || c == '-' || g_unichar_isalnum (c)))
        {
          char buf[16];

          return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                              _("The character “%s” cannot be used in an e-mail address."),
                                              _kiosk_validate_char_for_message (c, buf));
        }
    }
  if (at == NULL)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("An e-mail address contains an @, for example name@example.org."));
  *at_out = at;
  return TRUE;
}

/* The part before the "@" [start, at), and the length of the whole. */
static gboolean
email_local_part_ok (const char  *start,
                     const char  *at,
                     const char  *end,
                     GError     **error)
{
  gsize local_len = (gsize) (at - start);

  if (local_len == 0)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("The name before the @ is missing."));
  if (start[0] == '.' || at[-1] == '.' || g_strstr_len (start, (gssize) local_len, "..") != NULL)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("Before the @, a dot may not come first, last, or twice in a row."));
  if (local_len > 64)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_LENGTH,
                                 _("The part before the @ can have at most 64 characters."));
  if (g_utf8_strlen (start, end - start) > 254)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_LENGTH,
                                 _("An e-mail address can have at most 254 characters."));
  return TRUE;
}

/* The domain [domain, end): labels of letters, digits and hyphens,
 * separated by dots; at least two labels; the last one not all digits. */
static gboolean
email_domain_ok (const char  *domain,
                 const char  *end,
                 GError     **error)
{
  const char *label = domain;
  guint labels = 0;
  gboolean tld_digits_only = TRUE;

  if (domain == end)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("The domain after the @ is missing, for example example.org."));
  for (const char *p = domain;; p = g_utf8_next_char (p))
    {
      if (p == end || *p == '.')
        {
          glong label_chars = g_utf8_strlen (label, p - label);

          if (label_chars == 0 || label_chars > 63 || *label == '-' || p[-1] == '-')
            return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
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
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("The domain after the @ needs a dot and an ending, for example example.org."));
  return TRUE;
}

gboolean
kiosk_validate_email (const char  *input,
                      char       **normalized,
                      GError     **error)
{
  const char *start, *end, *at = NULL;

  if (!_kiosk_validate_prepare_input (input, &start, &end, error))
    return FALSE;
  if (start == end)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("Please enter an e-mail address, for example name@example.org."));
  if (!email_characters_ok (start, end, &at, error)
      || !email_local_part_ok (start, at, end, error)
      || !email_domain_ok (at + 1, end, error))
    return FALSE;
  if (normalized != NULL)
    {
      g_autofree char *lower = g_utf8_strdown (at + 1, end - (at + 1));

      *normalized = g_strdup_printf ("%.*s@%s", (int) (at - start), start, lower);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Phone                                                               */
/* ------------------------------------------------------------------ */

#define PHONE_MIN 6
#define PHONE_MAX 15

/* A phone number as read: its digits, the "+" and the parentheses. */
typedef struct {
  /* Enough for "00", a "(0)" and PHONE_MAX digits; beyond that only the
   * count matters (the number is too long anyway). */
  char     digits[PHONE_MAX + 4];
  gsize    n;             /* digits met in all */
  gboolean plus;
  guint    opened, closed;
  gsize    paren_start, paren_end;   /* digits before "(" and before ")" */
} PhoneScan;

/* Reads [start, end): digits, a leading "+", one pair of parentheses, and
 * the separators "/", "-" and white space. */
static gboolean
scan_phone (const char  *start,
            const char  *end,
            PhoneScan   *scan,
            GError     **error)
{
  for (const char *p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= '0' && c <= '9')
        {
          if (scan->n < sizeof scan->digits - 1)
            scan->digits[scan->n] = (char) c;
          scan->n++;
        }
      else if (c == '+')
        {
          if (p != start)
            return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                         _("The + may only stand at the beginning, for example +49 30 1234567."));
          scan->plus = TRUE;
        }
      else if (c == '(')
        {
          if (scan->opened > 0)
            return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                         _("Please use at most one pair of parentheses."));
          scan->opened++;
          scan->paren_start = scan->n;
        }
      else if (c == ')')
        {
          if (scan->opened == 0 || scan->closed > 0 || scan->n == scan->paren_start)
            return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                         _("Please use at most one pair of parentheses."));
          scan->closed++;
          scan->paren_end = scan->n;
        }
      else if (!(c == '/' || c == '-' || g_unichar_isspace (c)))
        {
          char buf[16];

          return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                              _("A phone number contains digits, spaces, /, - and parentheses only; please remove “%s”."),
                                              _kiosk_validate_char_for_message (c, buf));
        }
    }
  if (scan->opened != scan->closed)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("Please use at most one pair of parentheses."));
  return TRUE;
}

gboolean
kiosk_validate_phone (const char  *input,
                      char       **normalized,
                      GError     **error)
{
  const char *start, *end;
  PhoneScan scan = { 0 };
  char *digits = scan.digits;
  gsize kept, first_digit;
  gboolean international;

  if (!_kiosk_validate_prepare_input (input, &start, &end, error))
    return FALSE;
  if (start == end)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("Please enter a phone number, for example 030 1234567 or +49 30 1234567."));
  if (!scan_phone (start, end, &scan, error))
    return FALSE;

  kept = MIN (scan.n, sizeof scan.digits - 1);
  digits[kept] = '\0';
  international = scan.plus || (kept >= 2 && digits[0] == '0' && digits[1] == '0');

  /* "+49 (0)30 …": the national trunk prefix in parentheses after the
   * country code is not dialled from abroad; drop it. */
  if (international && scan.closed == 1 && scan.paren_start > 0 && scan.paren_end == scan.paren_start + 1
      && scan.paren_start < kept && digits[scan.paren_start] == '0')
    {
      memmove (digits + scan.paren_start, digits + scan.paren_start + 1, kept - scan.paren_start);
      kept--;
      scan.n--;
    }

  first_digit = (international && !scan.plus) ? 2 : 0;
  if (international)
    {
      if (first_digit < kept && digits[first_digit] == '0')
        return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                     _("After + or 00 comes the country code, which does not start with 0, for example +49."));
    }
  else if (kept > 0 && digits[0] != '0')
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("Please enter the number with its area code (for example 030 1234567) or with the country code (for example +49 30 1234567)."));

  if (scan.n - first_digit < PHONE_MIN || scan.n - first_digit > PHONE_MAX)
    return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_LENGTH,
                                        g_dngettext (GETTEXT_PACKAGE,
                                                     "A phone number has 6 to 15 digits; you entered %u.",
                                                     "A phone number has 6 to 15 digits; you entered %u.",
                                                     (gulong) (scan.n - first_digit)),
                                        (guint) (scan.n - first_digit));

  if (normalized != NULL)
    *normalized = international ? g_strconcat ("+", digits + first_digit, NULL)
                                : g_strdup (digits);
  return TRUE;
}
