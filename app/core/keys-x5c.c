/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The x5c certificate chain of a destination key (RFC 7517 §4.7): its
 * leaf must carry the JWK's public key with the right key usage, and the
 * chain must verify against the destination's trust anchor at a given
 * time; the earliest notAfter of the verified chain ends the key's use. */
#define G_LOG_DOMAIN "antragskiosk-keys"

#include "config.h"

#include <string.h>
#include <time.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "keys-private.h"

static guint8 *
base64_decode_strict (const char *text,
                      gsize      *out_length)
{
  gsize len = strlen (text);
  gsize pad = 0;

  if (len == 0 || len % 4 != 0)
    return NULL;
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '=')
        {
          if (i < len - 2)
            return NULL;
          pad++;
          continue;
        }
      if (pad > 0)
        return NULL;
      if (!g_ascii_isalnum (c) && c != '+' && c != '/')
        return NULL;
    }
  return g_base64_decode (text, out_length);
}
/* ---- helpers ----------------------------------------------------------- */

static GDateTime *
asn1_time_to_date_time (const ASN1_TIME *t)
{
  struct tm tm = { 0 };

  if (t == NULL || ASN1_TIME_to_tm (t, &tm) != 1)
    return NULL;
  return g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static char *
asn1_time_to_string (const ASN1_TIME *t)
{
  g_autoptr(GDateTime) dt = asn1_time_to_date_time (t);

  if (dt == NULL)
    return g_strdup ("an unreadable date");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S UTC");
}

static char *
cert_subject (X509 *cert)
{
  g_autoptr(GString) out = g_string_new (NULL);
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long n;

  if (bio == NULL)
    return g_strdup ("?");
  X509_NAME_print_ex (bio, X509_get_subject_name (cert), 0, XN_FLAG_RFC2253);
  n = BIO_get_mem_data (bio, &data);
  if (n > 0)
    g_string_append_len (out, data, n);
  BIO_free (bio);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
static STACK_OF (X509) *
parse_x5c (JsonObject  *jwk,
           const char  *source,
           GError     **error)
{
  JsonNode *node = json_object_get_member (jwk, "x5c");
  STACK_OF (X509) *chain;
  JsonArray *array;

  if (node == NULL)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNTRUSTED,
                   "%s: the JWK has no \"x5c\" certificate chain, so it cannot be checked "
                   "against the trust anchor", source);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: \"x5c\" must be a non-empty array of base64 certificates", source);
      return NULL;
    }
  array = json_node_get_array (node);
  chain = sk_X509_new_null ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree guint8 *der = NULL;
      gsize der_length = 0;
      const unsigned char *p;
      X509 *cert;

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        der = base64_decode_strict (json_node_get_string (element), &der_length);
      if (der == NULL)
        {
          g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                       "%s: x5c[%u] is not base64 (RFC 7517 §4.7: standard base64 of the DER "
                       "certificate, not base64url)", source, i);
          sk_X509_pop_free (chain, X509_free);
          return NULL;
        }
      p = der;
      cert = d2i_X509 (NULL, &p, (long) der_length);
      if (cert == NULL || p != der + der_length)
        {
          X509_free (cert);
          ERR_clear_error ();
          g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                       "%s: x5c[%u] is not a DER X.509 certificate", source, i);
          sk_X509_pop_free (chain, X509_free);
          return NULL;
        }
      sk_X509_push (chain, cert);
    }
  return chain;
}

static X509_STORE *
load_trust_anchor (const char  *pem,
                   gssize       pem_length,
                   const char  *source,
                   GError     **error)
{
  BIO *bio = BIO_new_mem_buf (pem, pem_length < 0 ? (int) strlen (pem) : (int) pem_length);
  X509_STORE *store = X509_STORE_new ();
  guint count = 0;
  X509 *cert;

  for (cert = bio != NULL ? PEM_read_bio_X509 (bio, NULL, NULL, NULL) : NULL;
       cert != NULL;
       cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL))
    {
      X509_STORE_add_cert (store, cert);
      X509_free (cert);
      count++;
    }
  ERR_clear_error ();
  BIO_free (bio);
  if (count == 0)
    {
      X509_STORE_free (store);
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: the trust anchor holds no PEM certificate", source);
      return NULL;
    }
  return store;
}

/* The error of a failed X509_verify_cert() for @cert ("bad" certificate). */
static void
set_verify_error (int          code,
                  X509        *cert,
                  const char  *source,
                  GError     **error)
{
  g_autofree char *subject = cert_subject (cert);

  switch (code)
    {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      {
        g_autofree char *date = asn1_time_to_string (X509_get0_notAfter (cert));

        g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_EXPIRED,
                     "%s: the certificate \"%s\" expired on %s", source, subject, date);
      }
      break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      {
        g_autofree char *date = asn1_time_to_string (X509_get0_notBefore (cert));

        g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_NOT_YET_VALID,
                     "%s: the certificate \"%s\" is not valid before %s", source, subject, date);
      }
      break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNTRUSTED,
                   "%s: the certificate chain is not signed by the trust anchor "
                   "(\"%s\": %s)", source, subject, X509_verify_cert_error_string (code));
      break;
    default:
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNTRUSTED,
                   "%s: the certificate chain does not verify against the trust anchor "
                   "(\"%s\": %s)", source, subject, X509_verify_cert_error_string (code));
      break;
    }
}

/* The earliest notAfter of the certificates in @chain. */
static GDateTime *
earliest_not_after (STACK_OF (X509) *chain)
{
  GDateTime *earliest = NULL;

  for (int i = 0; i < sk_X509_num (chain); i++)
    {
      g_autoptr(GDateTime) not_after = asn1_time_to_date_time (X509_get0_notAfter (sk_X509_value (chain, i)));

      if (not_after != NULL && (earliest == NULL || g_date_time_compare (not_after, earliest) < 0))
        {
          g_clear_pointer (&earliest, g_date_time_unref);
          earliest = g_steal_pointer (&not_after);
        }
    }
  return earliest;
}

static gboolean
verify_chain (STACK_OF (X509)  *chain,
              X509_STORE       *store,
              GDateTime        *verify_time,
              const char       *source,
              GDateTime       **not_after,
              GError          **error)
{
  X509 *leaf = sk_X509_value (chain, 0);
  X509_STORE_CTX *ctx = X509_STORE_CTX_new ();
  STACK_OF (X509) *untrusted = sk_X509_dup (chain);
  gboolean ok = FALSE;
  time_t when;

  (void) sk_X509_shift (untrusted);  /* everything but the leaf */
  when = verify_time != NULL ? (time_t) g_date_time_to_unix (verify_time) : time (NULL);
  if (ctx == NULL || !X509_STORE_CTX_init (ctx, store, leaf, untrusted))
    g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNTRUSTED,
                 "%s: cannot set up the certificate check", source);
  else
    {
      X509_VERIFY_PARAM_set_time (X509_STORE_CTX_get0_param (ctx), when);
      if (X509_verify_cert (ctx) == 1)
        {
          /* The key is usable until the first certificate of the chain expires. */
          *not_after = earliest_not_after (X509_STORE_CTX_get0_chain (ctx));
          ok = TRUE;
        }
      else
        {
          X509 *bad = X509_STORE_CTX_get_current_cert (ctx);

          set_verify_error (X509_STORE_CTX_get_error (ctx), bad != NULL ? bad : leaf, source, error);
        }
    }
  ERR_clear_error ();
  X509_STORE_CTX_free (ctx);
  sk_X509_free (untrusted);
  return ok;
}

/* The leaf must hold @pkey and allow what @verify asks of it. */
static gboolean
check_leaf (X509        *leaf,
            EVP_PKEY    *pkey,
            gboolean     verify,
            const char  *source,
            GError     **error)
{
  guint32 usage;

  if (EVP_PKEY_eq (X509_get0_pubkey (leaf), pkey) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_MISMATCH,
                   "%s: the leaf certificate x5c[0] holds a different public key than the "
                   "JWK's \"n\"/\"e\"", source);
      return FALSE;
    }
  usage = X509_get_key_usage (leaf);
  if (usage != UINT32_MAX && (usage & (verify ? KU_DIGITAL_SIGNATURE : KU_KEY_ENCIPHERMENT)) == 0)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: the leaf certificate's key usage does not allow %s", source,
                   verify ? "digitalSignature" : "keyEncipherment");
      return FALSE;
    }
  return TRUE;
}

gboolean
_kiosk_keys_check_chain (JsonObject   *jwk,
                         EVP_PKEY     *pkey,
                         gboolean      verify,
                         const char   *trust_anchor_pem,
                         gssize        pem_length,
                         GDateTime    *verify_time,
                         const char   *source,
                         GDateTime   **not_after,
                         char        **subject,
                         GError      **error)
{
  STACK_OF (X509) *chain = NULL;
  X509_STORE *store = NULL;
  gboolean ok = FALSE;

  chain = parse_x5c (jwk, source, error);
  if (chain == NULL)
    return FALSE;
  store = load_trust_anchor (trust_anchor_pem, pem_length, source, error);
  if (store != NULL
      && check_leaf (sk_X509_value (chain, 0), pkey, verify, source, error)
      && verify_chain (chain, store, verify_time, source, not_after, error))
    {
      *subject = cert_subject (sk_X509_value (chain, 0));
      ok = TRUE;
    }
  sk_X509_pop_free (chain, X509_free);
  X509_STORE_free (store);
  return ok;
}
