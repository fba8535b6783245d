/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <antragskiosk/pin.h>
#include "config-groups.h"

#define HASH_BYTES 32
#define MIN_SALT_BYTES 4

static gboolean
pbkdf2 (const char   *pin,
        const guchar *salt,
        gsize         salt_length,
        guint         iterations,
        guchar        out[HASH_BYTES])
{
  return PKCS5_PBKDF2_HMAC (pin, (int) strlen (pin), salt, (int) salt_length, (int) iterations,
                            EVP_sha256 (), HASH_BYTES, out) == 1;
}

char *
kiosk_pin_hash (const char *pin,
                guint       iterations)
{
  guchar salt[16];
  guchar hash[HASH_BYTES];
  g_autofree char *salt64 = NULL;
  g_autofree char *hash64 = NULL;

  g_return_val_if_fail (pin != NULL, NULL);
  g_return_val_if_fail (iterations > 0 && iterations <= G_MAXINT, NULL);

  if (RAND_bytes (salt, sizeof salt) != 1 || !pbkdf2 (pin, salt, sizeof salt, iterations, hash))
    return NULL;
  salt64 = g_base64_encode (salt, sizeof salt);
  hash64 = g_base64_encode (hash, sizeof hash);
  OPENSSL_cleanse (hash, sizeof hash);
  return g_strdup_printf ("pbkdf2-sha256$%u$%s$%s", iterations, salt64, hash64);
}

/* Standard base64 (RFC 4648 §4) with its padding, nothing else:
 * g_base64_decode() skips what it does not know. */
static gboolean
is_base64 (const char *s)
{
  gsize n = strlen (s), pad = 0;

  if (n == 0 || n % 4 != 0)
    return FALSE;
  while (pad < 2 && n - pad > 0 && s[n - pad - 1] == '=')
    pad++;
  for (gsize i = 0; i < n - pad; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '+' && s[i] != '/')
      return FALSE;
  return TRUE;
}

/* The parts of @stored; FALSE with a sentence when it is not a hash. */
static gboolean
parse (const char  *stored,
       guint       *iterations,
       guchar     **salt,
       gsize       *salt_length,
       guchar     **hash,
       GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (stored, "$", -1);
  guint64 count = 0;
  gsize hash_length = 0;

  if (g_strv_length (parts) != 4 || strcmp (parts[0], "pbkdf2-sha256") != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "not a PIN hash: it must look like pbkdf2-sha256$ITERATIONS$SALT$HASH; "
                           "make one with antragskiosk-ctl hash-pin");
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXINT, &count, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the iteration count \"%s\" is not a whole number from 1 to %d", parts[1], G_MAXINT);
      return FALSE;
    }
  if (!is_base64 (parts[2]) || !is_base64 (parts[3]))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the salt and the hash must be in standard base64 (A–Z, a–z, 0–9, +, / and = padding)");
      return FALSE;
    }
  *salt = g_base64_decode (parts[2], salt_length);
  *hash = g_base64_decode (parts[3], &hash_length);
  if (*salt_length < MIN_SALT_BYTES || hash_length != HASH_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the salt has %" G_GSIZE_FORMAT " bytes and the hash %" G_GSIZE_FORMAT
                   "; a salt needs at least %d bytes and the hash exactly %d",
                   *salt_length, hash_length, MIN_SALT_BYTES, HASH_BYTES);
      g_clear_pointer (salt, g_free);
      g_clear_pointer (hash, g_free);
      return FALSE;
    }
  *iterations = (guint) count;
  return TRUE;
}

gboolean
kiosk_pin_verify (const char *stored,
                  const char *pin,
                  guint      *iterations_out)
{
  g_autofree guchar *salt = NULL;
  g_autofree guchar *expected = NULL;
  gsize salt_length = 0;
  guint iterations = 0;
  guchar hash[HASH_BYTES];
  gboolean ok;

  if (iterations_out != NULL)
    *iterations_out = 0;
  if (stored == NULL || pin == NULL || !parse (stored, &iterations, &salt, &salt_length, &expected, NULL))
    return FALSE;
  if (iterations_out != NULL)
    *iterations_out = iterations;
  if (!pbkdf2 (pin, salt, salt_length, iterations, hash))
    return FALSE;
  ok = CRYPTO_memcmp (hash, expected, HASH_BYTES) == 0;
  OPENSSL_cleanse (hash, sizeof hash);
  return ok;
}

gboolean
kiosk_pin_hash_check (const char  *stored,
                      GError     **error)
{
  g_autofree guchar *salt = NULL;
  g_autofree guchar *hash = NULL;
  gsize salt_length = 0;
  guint iterations = 0;

  g_return_val_if_fail (stored != NULL, FALSE);

  if (!parse (stored, &iterations, &salt, &salt_length, &hash, error))
    return FALSE;
  if (iterations < KIOSK_PIN_MIN_ITERATIONS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the hash uses %u iterations; the kiosk refuses fewer than %u (make a new one with "
                   "antragskiosk-ctl hash-pin)", iterations, KIOSK_PIN_MIN_ITERATIONS);
      return FALSE;
    }
  if (iterations > KIOSK_PIN_MAX_ITERATIONS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the hash uses %u iterations; more than %u would keep the clerk waiting seconds for each PIN "
                   "(make a new one with antragskiosk-ctl hash-pin)", iterations, KIOSK_PIN_MAX_ITERATIONS);
      return FALSE;
    }
  return TRUE;
}

/* [clerk] pin_hash: a hash the panel can use; a short PIN is quickly
 * found from a readable hash. */
void
kiosk_pin_check_config (KioskConfigCheck *check,
                        const char       *group)
{
  static const char *const clerk_keys[] = { "pin_hash", NULL };
  g_autofree char *stored = NULL;
  g_autoptr(GError) error = NULL;

  kiosk_config_check_unknown_keys (check, group, clerk_keys, NULL);
  stored = kiosk_config_check_string (check, group, "pin_hash");
  if (stored != NULL && !kiosk_pin_hash_check (stored, &error))
    kiosk_config_check_add (check, FALSE, group, "pin_hash", "%s; the clerk panel cannot be opened", error->message);
  if (!g_key_file_has_key (kiosk_config_check_get_keyfile (check), group, "pin_hash", NULL))
    return;
  kiosk_config_check_private_mode (check, group, "pin_hash", kiosk_config_check_origin (check, group, "pin_hash"),
                                   " holds the clerk PIN hash and",
                                   "a short PIN is quickly found from its hash: restrict the file with chmod 600 "
                                   "(owned by the kiosk's user), or move pin_hash into a drop-in that is");
}
