/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the queue knows of a ciphertext: its SHA-256 (kept at enqueue,
 * checked before sending) and whether it looks like a compact JWE. */
#define G_LOG_DOMAIN "antragskiosk-queue"

#include "config.h"

#include <string.h>
#include <glib.h>
#include <sqlite3.h>
#include <openssl/evp.h>

#include <antragskiosk/queue.h>
#include "queue-private.h"

/* ---- ciphertext hashes ---- */

/* SHA-256 over the parts, each preceded by its length (8 bytes, big
 * endian), so that no two different lists of parts hash alike. */
static void
hash_parts (const char *const *parts,
            const gsize       *lengths,
            guint              n_parts,
            guint8             digest[_KIOSK_QUEUE_HASH_LENGTH])
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  unsigned int n = _KIOSK_QUEUE_HASH_LENGTH;

  if (ctx == NULL || EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL) != 1)
    g_error ("OpenSSL cannot compute SHA-256 (out of memory)");
  for (guint i = 0; i < n_parts; i++)
    {
      guint8 prefix[8];
      guint64 length = lengths[i];

      for (guint b = 0; b < 8; b++)
        prefix[b] = (guint8) (length >> (56 - 8 * b));
      EVP_DigestUpdate (ctx, prefix, sizeof prefix);
      EVP_DigestUpdate (ctx, parts[i], lengths[i]);
    }
  EVP_DigestFinal_ex (ctx, digest, &n);
  EVP_MD_CTX_free (ctx);
}

/* The hash of an application's two ciphertexts, or of one attachment's
 * (@second NULL). */
void
_kiosk_queue_ciphertext_hash (const char *first,
                              const char *second,
                              guint8      digest[_KIOSK_QUEUE_HASH_LENGTH])
{
  const char *parts[2] = { first, second };
  gsize lengths[2] = { strlen (first), second != NULL ? strlen (second) : 0 };

  hash_parts (parts, lengths, second != NULL ? 2 : 1, digest);
}

/* TRUE when @text (@first, @second as in ciphertext_hash) matches the
 * stored hash (a BLOB of 32 bytes) or when no hash is stored (an
 * application stored before schema 4 and already handed over). */
gboolean
_kiosk_queue_hash_matches (const void *stored,
                           int         stored_length,
                           const char *first,
                           const char *second)
{
  guint8 digest[_KIOSK_QUEUE_HASH_LENGTH];

  if (stored == NULL)
    return TRUE;
  if (stored_length != _KIOSK_QUEUE_HASH_LENGTH || first == NULL)
    return FALSE;
  _kiosk_queue_ciphertext_hash (first, second, digest);
  return memcmp (digest, stored, _KIOSK_QUEUE_HASH_LENGTH) == 0;
}

/* SQL: kiosk_sha256 (text, …) → the hash of the texts as hash_parts()
 * computes it; NULL when an argument is NULL. Used by the 3 → 4 migration. */
void
_kiosk_queue_sql_sha256 (sqlite3_context  *context,
                         int               argc,
                         sqlite3_value   **argv)
{
  const char *parts[2];
  gsize lengths[2];
  guint8 digest[_KIOSK_QUEUE_HASH_LENGTH];

  if (argc < 1 || argc > 2)
    {
      sqlite3_result_error (context, "kiosk_sha256 takes one or two texts", -1);
      return;
    }
  for (int i = 0; i < argc; i++)
    {
      if (sqlite3_value_type (argv[i]) == SQLITE_NULL)
        {
          sqlite3_result_null (context);
          return;
        }
      parts[i] = (const char *) sqlite3_value_text (argv[i]);
      lengths[i] = (gsize) sqlite3_value_bytes (argv[i]);
      if (parts[i] == NULL)
        {
          sqlite3_result_error_nomem (context);
          return;
        }
    }
  hash_parts (parts, lengths, (guint) argc, digest);
  sqlite3_result_blob (context, digest, _KIOSK_QUEUE_HASH_LENGTH, SQLITE_TRANSIENT);
}

/* A compact JWE: five base64url parts (the second, the encrypted key, may
 * be empty for other algorithms). Catches plaintext handed over by
 * mistake; it is not a cryptographic check. */
gboolean
_kiosk_queue_looks_like_compact_jwe (const char *text)
{
  static const char base64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char *p = text;
  guint parts = 0;

  if (text == NULL || *text == '.')
    return FALSE;
  /* strspn: a quarter of the time of a loop per character (the data
   * JWE alone is ~6 KiB, an attachment may be far more) */
  for (;;)
    {
      p += strspn (p, base64url);
      parts++;
      if (*p != '.')
        break;
      p++;
    }
  return *p == '\0' && parts == 5;
}
