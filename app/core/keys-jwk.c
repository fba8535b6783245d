/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading JSON Web Keys (RFC 7517): base64url, the JSON object, its
 * members (kty, alg, use, key_ops, kid) and the RSA key they describe,
 * with the kiosk's one strength rule (KIOSK_KEYS_MIN_RSA_BITS). */
#define G_LOG_DOMAIN "antragskiosk-keys"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "json-member-private.h"
#include "keys-private.h"

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
  text = kiosk_json_string_member (object, name);
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

JsonObject *
_kiosk_keys_parse_jwk (const char  *json,
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

gboolean
_kiosk_keys_check_kid (JsonObject  *jwk,
                       const char  *source,
                       GError     **error)
{
  const char *kid = kiosk_json_string_member (jwk, "kid");

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

/* The one strength rule for every RSA key the kiosk encrypts to or
 * verifies with (FIT-Connect: RSA with at least 4096 bits). */
static gboolean
check_rsa_strength (const BIGNUM  *n,
                    const BIGNUM  *e,
                    const char    *source,
                    GError       **error)
{
  if (!BN_is_odd (e) || BN_num_bits (e) < 2 || BN_num_bits (e) > 64)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: the public exponent \"e\" is not a usable RSA exponent", source);
      return FALSE;
    }
  if (BN_num_bits (n) < KIOSK_KEYS_MIN_RSA_BITS)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: the RSA key has %d bits; FIT-Connect requires at least %d",
                   source, BN_num_bits (n), KIOSK_KEYS_MIN_RSA_BITS);
      return FALSE;
    }
  return TRUE;
}

static const struct { const char *jwk; const char *param; } private_members[] = {
  { "d",  OSSL_PKEY_PARAM_RSA_D },
  { "p",  OSSL_PKEY_PARAM_RSA_FACTOR1 },
  { "q",  OSSL_PKEY_PARAM_RSA_FACTOR2 },
  { "dp", OSSL_PKEY_PARAM_RSA_EXPONENT1 },
  { "dq", OSSL_PKEY_PARAM_RSA_EXPONENT2 },
  { "qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1 },
};

/* The OpenSSL key of @n, @e and (when @priv is not NULL) the private
 * numbers in the order of private_members. */
static EVP_PKEY *
rsa_pkey_from_numbers (const BIGNUM  *n,
                       const BIGNUM  *e,
                       BIGNUM *const *priv,
                       const char    *source,
                       GError       **error)
{
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new ();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  EVP_PKEY *pkey = NULL;
  gboolean ok = bld != NULL
                && OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_N, n)
                && OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_E, e);

  if (priv != NULL)
    for (gsize i = 0; ok && i < G_N_ELEMENTS (private_members); i++)
      ok = OSSL_PARAM_BLD_push_BN (bld, private_members[i].param, priv[i]);
  if (ok)
    {
      params = OSSL_PARAM_BLD_to_param (bld);
      ctx = EVP_PKEY_CTX_new_from_name (NULL, "RSA", NULL);
      ok = params != NULL && ctx != NULL && EVP_PKEY_fromdata_init (ctx) > 0
           && EVP_PKEY_fromdata (ctx, &pkey, priv != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                                 params) > 0;
    }
  if (!ok)
    {
      g_autofree char *message = openssl_error_string ();

      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX,
                   "%s: the RSA key cannot be built from the JWK (%s)", source, message);
      EVP_PKEY_free (pkey);
      pkey = NULL;
    }
  EVP_PKEY_CTX_free (ctx);
  OSSL_PARAM_free (params);  /* private numbers were pushed from secure-heap BIGNUMs */
  OSSL_PARAM_BLD_free (bld);
  return pkey;
}

EVP_PKEY *
_kiosk_rsa_pkey_from_jwk (JsonObject  *jwk,
                          gboolean     with_private,
                          gboolean     check_strength,
                          const char  *source,
                          GError     **error)
{
  BIGNUM *n = NULL;
  BIGNUM *e = NULL;
  BIGNUM *priv[G_N_ELEMENTS (private_members)] = { NULL };
  EVP_PKEY *pkey = NULL;
  gboolean ok;

  n = member_bignum (jwk, "n", FALSE, source, error);
  e = n != NULL ? member_bignum (jwk, "e", FALSE, source, error) : NULL;
  ok = e != NULL && (!check_strength || check_rsa_strength (n, e, source, error));
  if (with_private)
    for (gsize i = 0; ok && i < G_N_ELEMENTS (private_members); i++)
      {
        priv[i] = member_bignum (jwk, private_members[i].jwk, TRUE, source, error);
        ok = priv[i] != NULL;
      }
  if (ok)
    pkey = rsa_pkey_from_numbers (n, e, with_private ? priv : NULL, source, error);

  BN_free (n);
  BN_free (e);
  for (gsize i = 0; i < G_N_ELEMENTS (priv); i++)
    BN_clear_free (priv[i]);
  return pkey;
}

/* "key_ops" (RFC 7517 §4.3) must be an array containing @required_op. */
static gboolean
check_key_ops (JsonObject  *jwk,
               const char  *source,
               const char  *required_op,
               GError     **error)
{
  JsonNode *ops_node = json_object_get_member (jwk, "key_ops");
  JsonArray *ops;
  gboolean found = FALSE;

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

gboolean
_kiosk_keys_check_usage (JsonObject  *jwk,
                         const char  *source,
                         const char  *required_alg,
                         const char  *required_use,
                         const char  *required_op,
                         GError     **error)
{
  const char *kty = kiosk_json_string_member (jwk, "kty");
  const char *alg = kiosk_json_string_member (jwk, "alg");
  JsonNode *use_node = json_object_get_member (jwk, "use");

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
      const char *use = kiosk_json_string_member (jwk, "use");

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
  return check_key_ops (jwk, source, required_op, error);
}
