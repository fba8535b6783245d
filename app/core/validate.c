/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-validate"

/* Field validators (FORMS.md, "Validators"). The validators read the
 * caller's string in place and allocate little (the normalised value, and
 * for DIN 91379 and e-mail one temporary string), so that a form with
 * thousands of fields validates in about a millisecond. Messages never
 * contain the input, at most one offending character.
 *
 * This file holds what the validators share (validate-private.h); the
 * validators are in validate-codes.c (IBAN, tax id, postcode),
 * validate-date.c, validate-text.c (glyphs, DIN 91379, text length) and
 * validate-contact.c (e-mail, phone). */

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
gboolean
_kiosk_validate_char_is_invisible (gunichar c)
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
const char *
_kiosk_validate_char_for_message (gunichar c,
                                  char     buf[16])
{
  if (_kiosk_validate_char_is_invisible (c))
    g_snprintf (buf, 16, "U+%04X", (guint) c);
  else
    buf[g_unichar_to_utf8 (c, buf)] = '\0';
  return buf;
}

gboolean
_kiosk_validate_fail (GError             **error,
                      KioskValidateError   code,
                      const char          *message)
{
  g_set_error_literal (error, KIOSK_VALIDATE_ERROR, code, message);
  return FALSE;
}

gboolean
_kiosk_validate_fail_printf (GError             **error,
                             KioskValidateError   code,
                             const char          *format,
                             ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  return _kiosk_validate_fail (error, code, message);
}

/* Checks the encoding and trims white space at both ends: on success,
 * [*start, *end) is the part of @input to validate. */
gboolean
_kiosk_validate_prepare_input (const char   *input,
                               const char  **start,
                               const char  **end,
                               GError      **error)
{
  const char *s, *e;

  if (input == NULL)
    input = "";
  if (!g_utf8_validate (input, -1, &e))
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_ENCODING,
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

void
_kiosk_validate_set_normalized (char       **normalized,
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
gssize
_kiosk_validate_scan_code (const char *p,
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
