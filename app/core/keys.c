/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-keys"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "antragskiosk/file.h"
#include "keys-private.h"

G_DEFINE_QUARK (kiosk-keys-error-quark, kiosk_keys_error)

/* From glib-compile-resources (resources/antragskiosk-demo.gresource.xml):
 * referenced so that the demo key is linked in and registered wherever
 * resource:///de/antragskiosk/demo/… can be named. */
GResource *kiosk_demo_get_resource (void);

struct _KioskKey {
  gatomicrefcount  ref_count;
  EVP_PKEY        *pkey;
  char            *kid;
  GDateTime       *not_after;   /* NULL without chain */
  char            *subject;     /* NULL without chain */
  gboolean         has_private;
};

/* ---- base64 ------------------------------------------------------------ */

static int
b64url_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

guint8 *
_kiosk_base64url_decode (const char *text,
                         gsize       text_length,
                         gsize      *out_length)
{
  g_autofree guint8 *out = NULL;
  gsize o = 0;
  guint32 acc = 0;
  guint bits = 0;

  if (text_length % 4 == 1)
    return NULL;
  out = g_malloc (text_length * 3 / 4 + 3);
  for (gsize i = 0; i < text_length; i++)
    {
      int v = b64url_value (text[i]);

      if (v < 0)
        return NULL;
      acc = (acc << 6) | (guint32) v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          out[o++] = (guint8) ((acc >> bits) & 0xff);
        }
    }
  /* Leftover bits must be zero (canonical encoding). */
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
    return NULL;
  *out_length = o;
  return g_steal_pointer (&out);
}

char *
_kiosk_base64url_encode (const guint8 *data,
                         gsize         length)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  char *out = g_malloc ((length + 2) / 3 * 4 + 1);
  gsize o = 0;
  gsize i = 0;

  for (; i + 3 <= length; i += 3)
    {
      guint32 v = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8) | data[i + 2];

      out[o++] = alphabet[(v >> 18) & 63];
      out[o++] = alphabet[(v >> 12) & 63];
      out[o++] = alphabet[(v >> 6) & 63];
      out[o++] = alphabet[v & 63];
    }
  if (length - i == 1)
    {
      guint32 v = (guint32) data[i] << 16;

      out[o++] = alphabet[(v >> 18) & 63];
      out[o++] = alphabet[(v >> 12) & 63];
    }
  else if (length - i == 2)
    {
      guint32 v = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8);

      out[o++] = alphabet[(v >> 18) & 63];
      out[o++] = alphabet[(v >> 12) & 63];
      out[o++] = alphabet[(v >> 6) & 63];
    }
  out[o] = '\0';
  return out;
}

/* Standard base64 with padding, as x5c uses (RFC 7517 §4.7); strict. */
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

/* ---- files ------------------------------------------------------------- */

gboolean
kiosk_keys_read_file (const char  *file,
                      char       **contents,
                      gsize       *length,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_str_has_prefix (file, "resource://"))
    {
      GResource *demo = kiosk_demo_get_resource ();
      g_autoptr(GBytes) bytes = g_resources_lookup_data (file + strlen ("resource://"),
                                                         G_RESOURCE_LOOKUP_FLAGS_NONE,
                                                         &local_error);
      gsize size = 0;
      const char *data;

      (void) demo;
      if (bytes == NULL)
        {
          g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_IO,
                       "%s: not built into this program", file);
          return FALSE;
        }
      data = g_bytes_get_data (bytes, &size);
      *contents = g_strndup (data, size);
      if (length != NULL)
        *length = size;
      return TRUE;
    }

  /* Only a regular file of a key's size: a FIFO would block, /dev/zero
   * would never end. The message names the path, never the content. */
  if (!kiosk_file_read (file, KIOSK_FILE_MAX_KEY, contents, length, &local_error))
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_IO,
                   "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* A member's value as it may appear in a message: a short token of
 * letters, digits and - _ . + (such as "EC" or "RSA1_5"), else NULL. A
 * file given by mistake (a secret in JSON) is never quoted. */
static const char *
quotable (const char *value)
{
  gsize length;

  if (value == NULL)
    return NULL;
  length = strlen (value);
  if (length == 0 || length > 24)
    return NULL;
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_.+", *p) == NULL)
      return NULL;
  return value;
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

static char *
openssl_error_string (void)
{
  unsigned long code = ERR_get_error ();
  char buffer[256];

  ERR_clear_error ();
  if (code == 0)
    return g_strdup ("unknown OpenSSL error");
  ERR_error_string_n (code, buffer, sizeof buffer);
  return g_strdup (buffer);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A base64url member as a BIGNUM (secure heap when @secret). */
static BIGNUM *
member_bignum (JsonObject  *object,
               const char  *name,
               gboolean     secret,
               const char  *source,
               GError     **error)
{
  const char *text;
  g_autofree guint8 *bytes = NULL;
  gsize length = 0;
  BIGNUM *bn;

  if (!json_object_has_member (object, name))
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: the JWK has no \"%s\"", source, name);
      return NULL;
    }
  text = member_string (object, name);
  if (text == NULL)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: \"%s\" is not a string", source, name);
      return NULL;
    }
  bytes = _kiosk_base64url_decode (text, strlen (text), &length);
  if (bytes == NULL || length == 0)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: \"%s\" is not base64url (RFC 7515: alphabet A–Z a–z 0–9 - _, no padding)",
                   source, name);
      return NULL;
    }
  bn = secret ? BN_secure_new () : BN_new ();
  if (bn == NULL || BN_bin2bn (bytes, (int) length, bn) == NULL)
    {
      BN_clear_free (bn);
      OPENSSL_cleanse (bytes, length);
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: \"%s\" cannot be read as a number", source, name);
      return NULL;
    }
  OPENSSL_cleanse (bytes, length);
  return bn;
}

static JsonObject *
parse_jwk (const char  *json,
           gssize       length,
           const char  *source,
           JsonParser **parser_out,
           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, json, length, &local_error))
    {
      guint line = 0, column = 0;

      /* json-glib's message quotes the offending token, which may be a
       * secret (a client secret file named as key_file by mistake): only
       * its position is passed on ("<data>:LINE:COLUMN: Parse error: …"). */
      if (sscanf (local_error->message, "<data>:%u:%u:", &line, &column) == 2 && line > 0)
        g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                     "%s: not a JSON Web Key (JSON syntax error at line %u, column %u); "
                     "is this the right file?", source, line, column);
      else
        g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                     "%s: not a JSON Web Key (JSON syntax error); is this the right file?", source);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: not a JSON Web Key (%s); is this the right file?",
                   source, root == NULL ? "the file is empty" : "the JSON is not an object");
      return NULL;
    }
  *parser_out = g_steal_pointer (&parser);
  return json_node_get_object (root);
}

static gboolean
check_kid (JsonObject  *jwk,
           const char  *source,
           GError     **error)
{
  const char *kid = member_string (jwk, "kid");

  if (kid == NULL || *kid == '\0')
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: the JWK has no \"kid\" (key id); it is needed for the JWE header", source);
      return FALSE;
    }
  if (strlen (kid) > 512 || !g_utf8_validate (kid, -1, NULL))
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: \"kid\" is not a usable key id (longer than 512 bytes or not UTF-8)", source);
      return FALSE;
    }
  for (const char *p = kid; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                     "%s: \"kid\" contains a control character", source);
        return FALSE;
      }
  return TRUE;
}

EVP_PKEY *
_kiosk_rsa_pkey_from_jwk (JsonObject  *jwk,
                          gboolean     with_private,
                          gboolean     check_strength,
                          const char  *source,
                          GError     **error)
{
  static const struct { const char *jwk; const char *param; } private_members[] = {
    { "d",  OSSL_PKEY_PARAM_RSA_D },
    { "p",  OSSL_PKEY_PARAM_RSA_FACTOR1 },
    { "q",  OSSL_PKEY_PARAM_RSA_FACTOR2 },
    { "dp", OSSL_PKEY_PARAM_RSA_EXPONENT1 },
    { "dq", OSSL_PKEY_PARAM_RSA_EXPONENT2 },
    { "qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1 },
  };
  BIGNUM *n = NULL;
  BIGNUM *e = NULL;
  BIGNUM *priv[G_N_ELEMENTS (private_members)] = { NULL };
  OSSL_PARAM_BLD *bld = NULL;
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  EVP_PKEY *pkey = NULL;
  gboolean ok = FALSE;

  n = member_bignum (jwk, "n", FALSE, source, error);
  if (n == NULL)
    goto out;
  e = member_bignum (jwk, "e", FALSE, source, error);
  if (e == NULL)
    goto out;
  if (check_strength && (!BN_is_odd (e) || BN_num_bits (e) < 2 || BN_num_bits (e) > 64))
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: the public exponent \"e\" is not a usable RSA exponent", source);
      goto out;
    }
  if (check_strength && BN_num_bits (n) < KIOSK_KEYS_MIN_RSA_BITS)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: the RSA key has %d bits; at least %d are required",
                   source, BN_num_bits (n), KIOSK_KEYS_MIN_RSA_BITS);
      goto out;
    }
  if (with_private)
    for (gsize i = 0; i < G_N_ELEMENTS (private_members); i++)
      {
        priv[i] = member_bignum (jwk, private_members[i].jwk, TRUE, source, error);
        if (priv[i] == NULL)
          goto out;
      }

  bld = OSSL_PARAM_BLD_new ();
  if (bld == NULL
      || !OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_N, n)
      || !OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_E, e))
    goto openssl_failed;
  if (with_private)
    for (gsize i = 0; i < G_N_ELEMENTS (private_members); i++)
      if (!OSSL_PARAM_BLD_push_BN (bld, private_members[i].param, priv[i]))
        goto openssl_failed;
  params = OSSL_PARAM_BLD_to_param (bld);
  ctx = EVP_PKEY_CTX_new_from_name (NULL, "RSA", NULL);
  if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init (ctx) <= 0
      || EVP_PKEY_fromdata (ctx, &pkey,
                            with_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                            params) <= 0)
    goto openssl_failed;
  ok = TRUE;
  goto out;

openssl_failed:
  {
    g_autofree char *message = openssl_error_string ();

    g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                 "%s: the RSA key cannot be built from the JWK (%s)", source, message);
  }

out:
  if (!ok && pkey != NULL)
    {
      EVP_PKEY_free (pkey);
      pkey = NULL;
    }
  EVP_PKEY_CTX_free (ctx);
  OSSL_PARAM_free (params);  /* private numbers were pushed from secure-heap BIGNUMs */
  OSSL_PARAM_BLD_free (bld);
  BN_free (n);
  BN_free (e);
  for (gsize i = 0; i < G_N_ELEMENTS (priv); i++)
    BN_clear_free (priv[i]);
  return pkey;
}

static gboolean
check_usage_members (JsonObject  *jwk,
                     const char  *source,
                     const char  *required_alg,
                     const char  *required_use,
                     const char  *required_op,
                     GError     **error)
{
  const char *kty = member_string (jwk, "kty");
  const char *alg = member_string (jwk, "alg");
  JsonNode *use_node = json_object_get_member (jwk, "use");
  JsonNode *ops_node = json_object_get_member (jwk, "key_ops");
  JsonArray *ops;
  gboolean found = FALSE;

  if (kty == NULL)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: not a JWK: \"kty\" is missing", source);
      return FALSE;
    }
  if (strcmp (kty, "RSA") != 0)
    {
      if (quotable (kty) != NULL)
        g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                     "%s: \"kty\" is \"%s\"; an RSA key (\"RSA\") is required", source, kty);
      else
        g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                     "%s: \"kty\" is not \"RSA\"; an RSA key is required", source);
      return FALSE;
    }
  if (alg == NULL)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: \"alg\" is missing; it must be \"%s\"", source, required_alg);
      return FALSE;
    }
  if (strcmp (alg, required_alg) != 0)
    {
      if (quotable (alg) != NULL)
        g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                     "%s: \"alg\" is \"%s\"; it must be \"%s\"", source, alg, required_alg);
      else
        g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                     "%s: \"alg\" is not \"%s\"", source, required_alg);
      return FALSE;
    }
  if (use_node != NULL)
    {
      const char *use = member_string (jwk, "use");

      if (use == NULL || strcmp (use, required_use) != 0)
        {
          g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                       "%s: \"use\" is %s%s%s; this key must have \"%s\"",
                       source, quotable (use) != NULL ? "\"" : "",
                       quotable (use) != NULL ? use : use != NULL ? "not the right use" : "not a string",
                       quotable (use) != NULL ? "\"" : "", required_use);
          return FALSE;
        }
    }
  if (ops_node == NULL)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: \"key_ops\" is missing; it must contain \"%s\"", source, required_op);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (ops_node))
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: \"key_ops\" is not an array", source);
      return FALSE;
    }
  ops = json_node_get_array (ops_node);
  for (guint i = 0; i < json_array_get_length (ops); i++)
    {
      JsonNode *op = json_array_get_element (ops, i);

      if (JSON_NODE_HOLDS_VALUE (op) && json_node_get_value_type (op) == G_TYPE_STRING
          && strcmp (json_node_get_string (op), required_op) == 0)
        found = TRUE;
    }
  if (!found)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: \"key_ops\" lacks \"%s\"; the key may not be used for %s",
                   source, required_op,
                   strcmp (required_op, "wrapKey") == 0 ? "encrypting content keys" : "verifying signatures");
      return FALSE;
    }
  return TRUE;
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

static gboolean
verify_chain (KioskKey         *key,
              STACK_OF (X509)  *chain,
              X509_STORE       *store,
              GDateTime        *verify_time,
              const char       *source,
              GError          **error)
{
  X509 *leaf = sk_X509_value (chain, 0);
  X509_STORE_CTX *ctx = X509_STORE_CTX_new ();
  STACK_OF (X509) *untrusted = sk_X509_dup (chain);
  STACK_OF (X509) *verified;
  gboolean ok = FALSE;
  time_t when;
  int rc;

  (void) sk_X509_shift (untrusted);  /* everything but the leaf */
  when = verify_time != NULL ? (time_t) g_date_time_to_unix (verify_time) : time (NULL);
  if (ctx == NULL || !X509_STORE_CTX_init (ctx, store, leaf, untrusted))
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNTRUSTED,
                   "%s: cannot set up the certificate check", source);
      goto out;
    }
  X509_VERIFY_PARAM_set_time (X509_STORE_CTX_get0_param (ctx), when);
  rc = X509_verify_cert (ctx);
  if (rc != 1)
    {
      int code = X509_STORE_CTX_get_error (ctx);
      X509 *bad = X509_STORE_CTX_get_current_cert (ctx);
      g_autofree char *subject = cert_subject (bad != NULL ? bad : leaf);

      switch (code)
        {
        case X509_V_ERR_CERT_HAS_EXPIRED:
          {
            g_autofree char *date = asn1_time_to_string (X509_get0_notAfter (bad != NULL ? bad : leaf));

            g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_EXPIRED,
                         "%s: the certificate \"%s\" expired on %s", source, subject, date);
          }
          break;
        case X509_V_ERR_CERT_NOT_YET_VALID:
          {
            g_autofree char *date = asn1_time_to_string (X509_get0_notBefore (bad != NULL ? bad : leaf));

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
      goto out;
    }

  /* The key is usable until the first certificate of the chain expires. */
  verified = X509_STORE_CTX_get0_chain (ctx);
  for (int i = 0; i < sk_X509_num (verified); i++)
    {
      g_autoptr(GDateTime) not_after = asn1_time_to_date_time (X509_get0_notAfter (sk_X509_value (verified, i)));

      if (not_after != NULL
          && (key->not_after == NULL || g_date_time_compare (not_after, key->not_after) < 0))
        {
          g_clear_pointer (&key->not_after, g_date_time_unref);
          key->not_after = g_steal_pointer (&not_after);
        }
    }
  key->subject = cert_subject (leaf);
  ok = TRUE;

out:
  ERR_clear_error ();
  X509_STORE_CTX_free (ctx);
  sk_X509_free (untrusted);
  return ok;
}

/* ---- public ------------------------------------------------------------ */

KioskKey *
kiosk_key_new_from_data (const char  *jwk_json,
                         gssize       jwk_length,
                         const char  *trust_anchor_pem,
                         gssize       pem_length,
                         GDateTime   *verify_time,
                         const char  *source,
                         GError     **error)
{
  return kiosk_key_new_checked (jwk_json, jwk_length, trust_anchor_pem, pem_length,
                                KIOSK_KEY_PURPOSE_ENCRYPT, KIOSK_KEYS_MIN_RSA_BITS, verify_time, source, error);
}

KioskKey *
kiosk_key_new_checked (const char       *jwk_json,
                       gssize            jwk_length,
                       const char       *trust_anchor_pem,
                       gssize            pem_length,
                       KioskKeyPurpose   purpose,
                       guint             min_bits,
                       GDateTime        *verify_time,
                       const char       *source,
                       GError          **error)
{
  gboolean verify = purpose == KIOSK_KEY_PURPOSE_VERIFY;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(KioskKey) key = NULL;
  JsonObject *jwk;
  STACK_OF (X509) *chain = NULL;
  X509_STORE *store = NULL;
  X509 *leaf;
  guint32 usage;

  g_return_val_if_fail (jwk_json != NULL, NULL);
  g_return_val_if_fail (trust_anchor_pem != NULL, NULL);
  if (source == NULL)
    source = "key";

  jwk = parse_jwk (jwk_json, jwk_length, source, &parser, error);
  if (jwk == NULL)
    return NULL;
  if (json_object_has_member (jwk, "d"))
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: this JWK holds a PRIVATE key (\"d\"); the kiosk needs only the "
                   "public key: remove the private key from this terminal", source);
      return NULL;
    }
  if (!check_usage_members (jwk, source, verify ? "PS512" : "RSA-OAEP-256", verify ? "sig" : "enc",
                            verify ? "verify" : "wrapKey", error)
      || !check_kid (jwk, source, error))
    return NULL;

  key = g_new0 (KioskKey, 1);
  g_atomic_ref_count_init (&key->ref_count);
  key->kid = g_strdup (member_string (jwk, "kid"));
  key->pkey = _kiosk_rsa_pkey_from_jwk (jwk, FALSE, TRUE, source, error);
  if (key->pkey == NULL)
    return NULL;
  if ((guint) EVP_PKEY_get_bits (key->pkey) < min_bits)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: the RSA key has %d bits; at least %u are required",
                   source, EVP_PKEY_get_bits (key->pkey), min_bits);
      return NULL;
    }

  chain = parse_x5c (jwk, source, error);
  if (chain == NULL)
    return NULL;
  store = load_trust_anchor (trust_anchor_pem, pem_length, source, error);
  if (store == NULL)
    goto fail;

  leaf = sk_X509_value (chain, 0);
  if (EVP_PKEY_eq (X509_get0_pubkey (leaf), key->pkey) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_MISMATCH,
                   "%s: the leaf certificate x5c[0] holds a different public key than the "
                   "JWK's \"n\"/\"e\"", source);
      goto fail;
    }
  usage = X509_get_key_usage (leaf);
  if (usage != UINT32_MAX && (usage & (verify ? KU_DIGITAL_SIGNATURE : KU_KEY_ENCIPHERMENT)) == 0)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: the leaf certificate's key usage does not allow %s", source,
                   verify ? "digitalSignature" : "keyEncipherment");
      goto fail;
    }
  if (!verify_chain (key, chain, store, verify_time, source, error))
    goto fail;

  sk_X509_pop_free (chain, X509_free);
  X509_STORE_free (store);
  return g_steal_pointer (&key);

fail:
  sk_X509_pop_free (chain, X509_free);
  X509_STORE_free (store);
  return NULL;
}

KioskKey *
kiosk_key_load (const char  *jwk_file,
                const char  *trust_anchor_file,
                GDateTime   *verify_time,
                GError     **error)
{
  g_autofree char *jwk = NULL;
  g_autofree char *pem = NULL;
  gsize jwk_length = 0;
  gsize pem_length = 0;
  g_autoptr(GError) local_error = NULL;
  KioskKey *key;

  g_return_val_if_fail (jwk_file != NULL, NULL);
  g_return_val_if_fail (trust_anchor_file != NULL, NULL);

  if (!kiosk_keys_read_file (jwk_file, &jwk, &jwk_length, error))
    return NULL;
  if (!kiosk_keys_read_file (trust_anchor_file, &pem, &pem_length, &local_error))
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_IO,
                   "trust anchor: %s", local_error->message);
      return NULL;
    }
  key = kiosk_key_new_from_data (jwk, (gssize) jwk_length, pem, (gssize) pem_length,
                                 verify_time, jwk_file, &local_error);
  if (key == NULL)
    {
      /* Say which trust anchor when the chain does not lead to it. */
      if (local_error->code == KIOSK_KEYS_ERROR_UNTRUSTED)
        {
          g_autofree char *message = g_strdup_printf ("%s (trust anchor %s)",
                                                      local_error->message, trust_anchor_file);

          g_set_error_literal (error, KIOSK_KEYS_ERROR, local_error->code, message);
        }
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return key;
}

KioskKey *
kiosk_key_load_private (const char  *jwk_file,
                        GError     **error)
{
  g_autofree char *json = NULL;
  gsize length = 0;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(KioskKey) key = NULL;
  JsonObject *jwk;
  const char *kty;

  if (!kiosk_keys_read_file (jwk_file, &json, &length, error))
    return NULL;
  jwk = parse_jwk (json, (gssize) length, jwk_file, &parser, error);
  OPENSSL_cleanse (json, length);
  if (jwk == NULL)
    return NULL;
  kty = member_string (jwk, "kty");
  if (kty == NULL || strcmp (kty, "RSA") != 0)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: \"kty\" must be \"RSA\"", jwk_file);
      return NULL;
    }
  if (!check_kid (jwk, jwk_file, error))
    return NULL;
  key = g_new0 (KioskKey, 1);
  g_atomic_ref_count_init (&key->ref_count);
  key->kid = g_strdup (member_string (jwk, "kid"));
  key->has_private = TRUE;
  key->pkey = _kiosk_rsa_pkey_from_jwk (jwk, TRUE, TRUE, jwk_file, error);
  if (key->pkey == NULL)
    return NULL;
  return g_steal_pointer (&key);
}

KioskKey *
kiosk_key_ref (KioskKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_atomic_ref_count_inc (&key->ref_count);
  return key;
}

void
kiosk_key_unref (KioskKey *key)
{
  if (key == NULL || !g_atomic_ref_count_dec (&key->ref_count))
    return;
  EVP_PKEY_free (key->pkey);
  g_free (key->kid);
  g_free (key->subject);
  g_clear_pointer (&key->not_after, g_date_time_unref);
  g_free (key);
}

const char *
kiosk_key_get_kid (KioskKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return key->kid;
}

guint
kiosk_key_get_bits (KioskKey *key)
{
  g_return_val_if_fail (key != NULL, 0);
  return (guint) EVP_PKEY_get_bits (key->pkey);
}

GDateTime *
kiosk_key_get_not_after (KioskKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return key->not_after;
}

const char *
kiosk_key_get_subject (KioskKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return key->subject;
}

gboolean
kiosk_key_has_private (KioskKey *key)
{
  g_return_val_if_fail (key != NULL, FALSE);
  return key->has_private;
}

EVP_PKEY *
_kiosk_key_get_pkey (KioskKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return key->pkey;
}
