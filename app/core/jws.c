/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Compact JWS (RFC 7515) as FIT-Connect signs its event tokens: PS512
 * verification with the key of the header's kid in a JWK set (OpenSSL),
 * and the payload. */
#define G_LOG_DOMAIN "antragskiosk-jws"

#include "config.h"

#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <antragskiosk/jws.h>

#include "keys-private.h"

JsonNode *
kiosk_jws_decode_payload (const char *token)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", 4);
  g_autofree guchar *decoded = NULL;
  g_autoptr(JsonParser) parser = NULL;
  GString *b64;
  gsize length = 0;

  if (g_strv_length (parts) != 3)
    return NULL;
  b64 = g_string_new (parts[1]);
  for (gsize i = 0; i < b64->len; i++)
    {
      if (b64->str[i] == '-')
        b64->str[i] = '+';
      else if (b64->str[i] == '_')
        b64->str[i] = '/';
    }
  while (b64->len % 4 != 0)
    g_string_append_c (b64, '=');
  decoded = g_base64_decode (b64->str, &length);
  g_string_free (b64, TRUE);
  if (decoded == NULL || length == 0)
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const char *) decoded, (gssize) length, NULL)
      || json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

/* The RSA key with @kid in a JWK set, or NULL. */
static EVP_PKEY *
find_key (JsonNode   *jwks,
          const char *kid)
{
  JsonArray *keys;

  if (jwks == NULL || !JSON_NODE_HOLDS_OBJECT (jwks)
      || !json_object_has_member (json_node_get_object (jwks), "keys")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (jwks), "keys")))
    return NULL;
  keys = json_object_get_array_member (json_node_get_object (jwks), "keys");
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonNode *node = json_array_get_element (keys, i);
      JsonObject *key;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      key = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (key, "kty", NULL), "RSA") != 0
          || g_strcmp0 (json_object_get_string_member_with_default (key, "kid", NULL), kid) != 0)
        continue;
      return _kiosk_rsa_pkey_from_jwk (key, FALSE, FALSE, "the platform's signature keys", NULL);
    }
  return NULL;
}

gboolean
kiosk_jws_verify_ps512 (const char *token,
                        JsonNode   *jwks)
{
  const char *dot1 = strchr (token, '.');
  const char *dot2 = dot1 != NULL ? strchr (dot1 + 1, '.') : NULL;
  g_autofree guint8 *header_json = NULL;
  g_autofree guint8 *signature = NULL;
  g_autoptr(JsonNode) header = NULL;
  g_autofree char *header_text = NULL;
  const char *alg = NULL, *kid = NULL;
  EVP_PKEY *pkey = NULL;
  EVP_MD_CTX *md = NULL;
  EVP_PKEY_CTX *pctx = NULL;
  gsize header_len = 0, signature_len = 0;
  gboolean ok = FALSE;

  if (dot1 == NULL || dot2 == NULL || strchr (dot2 + 1, '.') != NULL)
    return FALSE;
  header_json = _kiosk_base64url_decode (token, (gsize) (dot1 - token), &header_len);
  signature = _kiosk_base64url_decode (dot2 + 1, strlen (dot2 + 1), &signature_len);
  if (header_json == NULL || signature == NULL)
    return FALSE;
  header_text = g_strndup ((const char *) header_json, header_len);
  header = json_from_string (header_text, NULL);
  if (header == NULL || !JSON_NODE_HOLDS_OBJECT (header))
    return FALSE;
  alg = json_object_get_string_member_with_default (json_node_get_object (header), "alg", NULL);
  kid = json_object_get_string_member_with_default (json_node_get_object (header), "kid", NULL);
  /* FIT-Connect signs its event tokens with PS512 only. */
  if (g_strcmp0 (alg, "PS512") != 0 || kid == NULL)
    return FALSE;
  pkey = find_key (jwks, kid);
  if (pkey == NULL)
    return FALSE;
  md = EVP_MD_CTX_new ();
  if (md != NULL
      && EVP_DigestVerifyInit (md, &pctx, EVP_sha512 (), NULL, pkey) == 1
      && EVP_PKEY_CTX_set_rsa_padding (pctx, RSA_PKCS1_PSS_PADDING) == 1
      && EVP_PKEY_CTX_set_rsa_mgf1_md (pctx, EVP_sha512 ()) == 1
      && EVP_PKEY_CTX_set_rsa_pss_saltlen (pctx, 64) == 1
      && EVP_DigestVerify (md, signature, signature_len, (const unsigned char *) token, (size_t) (dot2 - token)) == 1)
    ok = TRUE;
  EVP_MD_CTX_free (md);
  EVP_PKEY_free (pkey);
  return ok;
}

char *
kiosk_jws_get_kid (const char *token)
{
  const char *dot = strchr (token, '.');
  g_autofree guint8 *header_json = NULL;
  g_autofree char *header_text = NULL;
  g_autoptr(JsonNode) header = NULL;
  gsize length = 0;

  if (dot == NULL)
    return NULL;
  header_json = _kiosk_base64url_decode (token, (gsize) (dot - token), &length);
  if (header_json == NULL)
    return NULL;
  header_text = g_strndup ((const char *) header_json, length);
  header = json_from_string (header_text, NULL);
  if (header == NULL || !JSON_NODE_HOLDS_OBJECT (header))
    return NULL;
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (header), "kid", NULL));
}
