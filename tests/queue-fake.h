/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Fake ciphertexts for the queue's tests and benchmark: shaped like a
 * compact JWE (five base64url parts), about @size bytes, and a pure
 * function of (@reference, @kind), so that a test can tell whether what it
 * reads back is exactly what was stored. Not encryption. */

#include <string.h>
#include <glib.h>

static inline char *
queue_fake_b64url (const guint8 *data,
                   gsize         length)
{
  char *text = g_base64_encode (data, length);
  char *p, *q;

  for (p = q = text; *p != '\0'; p++)
    {
      if (*p == '=')
        continue;
      *q++ = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    }
  *q = '\0';
  return text;
}

static inline char *
queue_fake_jwe (const char *reference,
                const char *kind,
                gsize       size)
{
  /* {"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"application/json"} */
  static const char header[] =
    "eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIiwiY3R5IjoiYXBwbGljYXRpb24vanNvbiJ9";
  gsize n = MAX (size * 3 / 4, 64);
  guint8 *bytes = g_malloc (n);
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  char *key, *iv, *body, *tag, *jwe;

  g_checksum_update (sum, (const guchar *) reference, -1);
  g_checksum_update (sum, (const guchar *) kind, -1);
  g_checksum_get_digest (sum, digest, &digest_len);
  for (gsize i = 0; i < n; i += 32)
    {
      g_checksum_reset (sum);
      g_checksum_update (sum, digest, 32);
      digest_len = sizeof digest;
      g_checksum_get_digest (sum, digest, &digest_len);
      memcpy (bytes + i, digest, MIN (32, n - i));
    }
  g_checksum_free (sum);

  key = queue_fake_b64url (bytes, 32);
  iv = queue_fake_b64url (bytes + 32, 12);
  body = queue_fake_b64url (bytes, n);
  tag = queue_fake_b64url (bytes + 44, 16);
  jwe = g_strjoin (".", header, key, iv, body, tag, NULL);
  g_free (key);
  g_free (iv);
  g_free (body);
  g_free (tag);
  g_free (bytes);
  return jwe;
}
