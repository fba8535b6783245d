/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The encryption figures: one compact JWE (RSA-4096 OAEP-256 key wrap +
 * AES-256-GCM) of a 4 KiB application with the demo destination key, as at
 * enqueue; beside it the floor, the same two OpenSSL operations called
 * directly (no JSON header, no base64url), measured in the same run; the
 * metadata JSON (SHA-512 of the data); and loading + verifying a key with
 * its x5c chain (done once per destination, not per message). Target:
 * about 0.1 ms per message. */
#include "config.h"

#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <antragskiosk/jwe.h>
#include <antragskiosk/keys.h>

#include "../../app/core/keys-private.h"
#include "bench-common.h"

#define DEMO_JWK "resource:///de/antragskiosk/demo/demo-destination.jwk"
#define DEMO_ROOT "resource:///de/antragskiosk/demo/demo-root-ca.pem"
#define MESSAGES 10000
#define PAYLOAD 4096

/* RSA-OAEP-256 of a fresh key and AES-256-GCM of @data, straight OpenSSL. */
static void
floor_once (EVP_PKEY *pkey, const guint8 *data, guint8 *out)
{
  guint8 cek[32], iv[12], tag[16], wrapped[512];
  size_t wrapped_length = sizeof wrapped;
  int n = 0;
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_ASYM_CIPHER_PARAM_PAD_MODE, (char *) OSSL_PKEY_RSA_PAD_MODE_OAEP, 0),
    OSSL_PARAM_construct_utf8_string (OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, (char *) "SHA256", 0),
    OSSL_PARAM_construct_utf8_string (OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, (char *) "SHA256", 0),
    OSSL_PARAM_construct_end (),
  };
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey (NULL, pkey, NULL);
  EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new ();

  if (RAND_priv_bytes (cek, sizeof cek) != 1 || RAND_bytes (iv, sizeof iv) != 1
      || EVP_PKEY_encrypt_init_ex (pctx, params) <= 0
      || EVP_PKEY_encrypt (pctx, wrapped, &wrapped_length, cek, sizeof cek) <= 0
      || EVP_EncryptInit_ex2 (cctx, EVP_aes_256_gcm (), cek, iv, NULL) != 1
      || EVP_EncryptUpdate (cctx, out, &n, data, PAYLOAD) != 1
      || EVP_EncryptFinal_ex (cctx, out + n, &n) != 1
      || EVP_CIPHER_CTX_ctrl (cctx, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
    g_error ("OpenSSL failed");
  EVP_CIPHER_CTX_free (cctx);
  EVP_PKEY_CTX_free (pctx);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskKey) key = kiosk_key_load (DEMO_JWK, DEMO_ROOT, NULL, &error);
  g_autofree double *ours = g_new (double, MESSAGES);
  g_autofree double *bare = g_new (double, MESSAGES);
  g_autofree double *meta = g_new (double, MESSAGES);
  double loads[50];
  guint8 data[PAYLOAD];
  guint8 out[PAYLOAD + 16];
  char note[128];
  double p50_ours, p50_bare;

  if (key == NULL)
    g_error ("%s", error->message);
  memset (data, 'a', sizeof data);

  /* Interleaved, so that both see the same machine state. */
  for (guint i = 0; i < MESSAGES; i++)
    {
      double start = bench_now_ms ();
      char *jwe = kiosk_jwe_encrypt (key, NULL, data, sizeof data, &error);

      ours[i] = bench_now_ms () - start;
      if (jwe == NULL)
        g_error ("%s", error->message);
      g_free (jwe);

      start = bench_now_ms ();
      floor_once (_kiosk_key_get_pkey (key), data, out);
      bare[i] = bench_now_ms () - start;

      start = bench_now_ms ();
      jwe = kiosk_metadata_build (data, sizeof data, "urn:bench", NULL, 0, "ABCD-EFGH", "2026-11-28", &error);
      meta[i] = bench_now_ms () - start;
      g_free (jwe);
    }
  for (guint i = 0; i < G_N_ELEMENTS (loads); i++)
    {
      double start = bench_now_ms ();
      KioskKey *again = kiosk_key_load (DEMO_JWK, DEMO_ROOT, NULL, &error);

      loads[i] = bench_now_ms () - start;
      kiosk_key_unref (again);
    }

  p50_ours = bench_median (ours, MESSAGES);
  p50_bare = bench_median (bare, MESSAGES);
  g_snprintf (note, sizeof note, "target ~0.1 ms; bare OpenSSL %.3f ms (×%.2f)", p50_bare, p50_ours / p50_bare);
  bench_row ("jwe", "encrypt 4 KiB, RSA-4096 + A256GCM, p50", p50_ours, "ms", note);
  bench_row ("jwe", "encrypt 4 KiB, RSA-4096 + A256GCM, p99", bench_percentile (ours, MESSAGES, 99), "ms", "");
  bench_row ("jwe", "bare OpenSSL wrap + GCM 4 KiB, p50", p50_bare, "ms", "floor, same run");
  bench_row ("jwe", "metadata JSON (SHA-512 of 4 KiB), p50", bench_median (meta, MESSAGES), "ms", "");
  bench_row ("jwe", "load + verify key with x5c chain, p50", bench_median (loads, G_N_ELEMENTS (loads)), "ms",
             "once per destination");
  return 0;
}
