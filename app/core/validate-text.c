/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-validate"

/* Glyphs, names after DIN 91379 and text length (validate-private.h). */

#include <string.h>

#include <glib.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/validate.h>

#include "validate-private.h"

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
  else if (_kiosk_validate_char_is_invisible (base))
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

  if (!_kiosk_validate_prepare_input (input, &start, &end, error))
    return FALSE;

  /* ASCII is already in NFC. */
  if (is_ascii (start, (gsize) (end - start)))
    nfc = g_strndup (start, (gsize) (end - start));
  else
    nfc = kiosk_utf8_nfc (start, end - start);
  if (nfc == NULL)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_ENCODING,
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
