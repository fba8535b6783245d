/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-reference"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <glib.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/reference.h>

G_DEFINE_QUARK (kiosk-reference-error-quark, kiosk_reference_error)

#define ALPHABET KIOSK_REFERENCE_ALPHABET

G_STATIC_ASSERT (sizeof (ALPHABET) - 1 == 32);

/* The symbol's value 0…31, or -1. @c must be upper case. */
static int
symbol_value (char c)
{
  const char *p;

  if (c == '\0')
    return -1;
  p = strchr (ALPHABET, c);
  return p != NULL ? (int) (p - ALPHABET) : -1;
}

/* u * x in GF(32) = GF(2)[x] / (x^5 + x^2 + 1). */
static guint
gf32_times_x (guint u)
{
  u <<= 1;
  if (u & 0x20)
    u ^= 0x25;
  return u;
}

/* Damm's quasigroup u * v = x*u + v, folded over the symbols (Horner).
 * Returns -1 for a symbol outside the alphabet. */
static int
fold (const char *symbols,
      gsize       length)
{
  guint r = 0;

  for (gsize i = 0; i < length; i++)
    {
      int v = symbol_value (symbols[i]);

      if (v < 0)
        return -1;
      r = gf32_times_x (r) ^ (guint) v;
    }
  return (int) r;
}

char
kiosk_reference_check_symbol (const char *payload,
                              gsize       length)
{
  int r;

  g_return_val_if_fail (payload != NULL, '\0');

  r = fold (payload, length);
  if (r < 0)
    return '\0';
  /* x*r + c = 0  ⇔  c = x*r (characteristic 2) */
  return ALPHABET[gf32_times_x ((guint) r)];
}

static void
random_bytes (guint8 *buffer,
              gsize   length)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t n = getrandom (buffer + done, length - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          /* No getrandom (very old kernel): GLib's generator, seeded from
           * /dev/urandom. */
          for (; done < length; done++)
            buffer[done] = (guint8) g_random_int_range (0, 256);
          return;
        }
      done += (gsize) n;
    }
}

char *
kiosk_reference_generate (void)
{
  guint8 noise[KIOSK_REFERENCE_LENGTH - 1];
  char *reference = g_malloc (KIOSK_REFERENCE_LENGTH + 1);

  random_bytes (noise, sizeof noise);
  /* 32 divides 256: the low five bits are uniform. */
  for (gsize i = 0; i < sizeof noise; i++)
    reference[i] = ALPHABET[noise[i] & 31];
  reference[KIOSK_REFERENCE_LENGTH - 1] =
    kiosk_reference_check_symbol (reference, KIOSK_REFERENCE_LENGTH - 1);
  reference[KIOSK_REFERENCE_LENGTH] = '\0';
  memset (noise, 0, sizeof noise);
  return reference;
}

gboolean
kiosk_reference_is_valid (const char *reference)
{
  if (reference == NULL || strlen (reference) != KIOSK_REFERENCE_LENGTH)
    return FALSE;
  return fold (reference, KIOSK_REFERENCE_LENGTH) == 0;
}

char *
kiosk_reference_normalize (const char  *input,
                           GError     **error)
{
  g_autoptr(GString) symbols = g_string_new (NULL);

  g_return_val_if_fail (input != NULL, NULL);

  if (!g_utf8_validate (input, -1, NULL))
    {
      g_set_error (error, KIOSK_REFERENCE_ERROR, KIOSK_REFERENCE_ERROR_CHARACTER,
                   _("The reference contains characters that cannot be read. "
                     "Type it again using only the letters and digits printed on the receipt."));
      return NULL;
    }

  for (const char *p = input; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      char upper;

      if (c == '-' || g_unichar_isspace (c) || c == 0x2010 || c == 0x2011
          || c == 0x2012 || c == 0x2013 || c == 0x2212)
        continue;
      if (c >= 0x80)
        {
          char utf8[8] = { 0 };

          g_unichar_to_utf8 (c, utf8);
          g_set_error (error, KIOSK_REFERENCE_ERROR, KIOSK_REFERENCE_ERROR_CHARACTER,
                       _("A reference never contains “%s”. It uses only the digits 2–9 "
                         "and the letters A–Z without I and O."), utf8);
          return NULL;
        }
      upper = g_ascii_toupper ((char) c);
      if (upper == '0' || upper == '1' || upper == 'I' || upper == 'O')
        {
          g_set_error (error, KIOSK_REFERENCE_ERROR, KIOSK_REFERENCE_ERROR_CHARACTER,
                       _("A reference never contains “%c”: the characters 0, 1, I and O "
                         "are left out because they are easily confused. Please check the "
                         "receipt again."), upper);
          return NULL;
        }
      if (symbol_value (upper) < 0)
        {
          g_set_error (error, KIOSK_REFERENCE_ERROR, KIOSK_REFERENCE_ERROR_CHARACTER,
                       _("A reference never contains “%c”. It uses only the digits 2–9 "
                         "and the letters A–Z without I and O."), g_ascii_isprint (upper) ? upper : '?');
          return NULL;
        }
      g_string_append_c (symbols, upper);
      if (symbols->len > KIOSK_REFERENCE_LENGTH)
        break;
    }

  if (symbols->len != KIOSK_REFERENCE_LENGTH)
    {
      g_set_error (error, KIOSK_REFERENCE_ERROR, KIOSK_REFERENCE_ERROR_LENGTH,
                   symbols->len < KIOSK_REFERENCE_LENGTH
                   ? _("The reference is too short: a reference has %d letters and digits "
                       "(hyphens and spaces not counted). Please check the receipt again.")
                   : _("The reference is too long: a reference has %d letters and digits "
                       "(hyphens and spaces not counted). Please check the receipt again."),
                   KIOSK_REFERENCE_LENGTH);
      return NULL;
    }

  if (fold (symbols->str, symbols->len) != 0)
    {
      g_set_error (error, KIOSK_REFERENCE_ERROR, KIOSK_REFERENCE_ERROR_CHECK,
                   _("This reference does not exist: a character is mistyped or two "
                     "are swapped. Please compare it with the receipt."));
      return NULL;
    }

  return g_string_free (g_steal_pointer (&symbols), FALSE);
}

char *
kiosk_reference_format (const char *reference)
{
  g_return_val_if_fail (reference != NULL, NULL);

  if (strlen (reference) != KIOSK_REFERENCE_LENGTH || fold (reference, KIOSK_REFERENCE_LENGTH) < 0)
    return g_strdup (reference);
  return g_strdup_printf ("%.5s-%.5s", reference, reference + 5);
}
