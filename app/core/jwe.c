/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-jwe"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "antragskiosk/jwe.h"
#include "json-member-private.h"
#include "jwe-private.h"
#include "keys-private.h"

G_DEFINE_QUARK (kiosk-jwe-error-quark, kiosk_jwe_error)

#define CEK_LENGTH 32   /* A256GCM */
#define IV_LENGTH  12   /* 96 bits */
#define TAG_LENGTH 16   /* 128 bits */

/* Fetched once: implicit fetching per call costs more than the AES itself. */
static EVP_CIPHER *
aes_256_gcm (void)
{
  static gsize once = 0;
  static EVP_CIPHER *cipher = NULL;

  if (g_once_init_enter (&once))
    {
      cipher = EVP_CIPHER_fetch (NULL, "AES-256-GCM", NULL);
      g_once_init_leave (&once, 1);
    }
  return cipher;
}

static void
set_crypto_error (GError     **error,
                  const char  *what)
{
  unsigned long code = ERR_get_error ();
  char buffer[256] = "";

  if (code != 0)
    ERR_error_string_n (code, buffer, sizeof buffer);
  ERR_clear_error ();
  g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_CRYPTO,
               "%s failed%s%s", what, code != 0 ? ": " : "", buffer);
}

/* OAEP with SHA-256 and MGF1-SHA-256 (RFC 7518 §4.3, "RSA-OAEP-256"). */
static void
oaep_params (OSSL_PARAM params[4])
{
  params[0] = OSSL_PARAM_construct_utf8_string (OSSL_ASYM_CIPHER_PARAM_PAD_MODE,
                                                (char *) OSSL_PKEY_RSA_PAD_MODE_OAEP, 0);
  params[1] = OSSL_PARAM_construct_utf8_string (OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST,
                                                (char *) "SHA256", 0);
  params[2] = OSSL_PARAM_construct_utf8_string (OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST,
                                                (char *) "SHA256", 0);
  params[3] = OSSL_PARAM_construct_end ();
}

static void
append_json_string (GString    *out,
                    const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

gboolean
_kiosk_jwe_cty_is_valid (const char *cty)
{
  if (*cty == '\0' || strlen (cty) > 255)
    return FALSE;
  for (const char *p = cty; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
      return FALSE;
  return TRUE;
}

/* The protected header for @key and @cty, base64url-encoded. */
static char *
encode_header (KioskKey   *key,
               const char *cty)
{
  g_autoptr(GString) header = NULL;

  /* Members in the order FIT-Connect documents. */
  header = g_string_new ("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":");
  append_json_string (header, kiosk_key_get_kid (key));
  g_string_append (header, ",\"cty\":");
  append_json_string (header, cty);
  g_string_append_c (header, '}');
  return _kiosk_base64url_encode ((const guint8 *) header->str, header->len);
}

/* The content key wrapped for @pkey with RSA-OAEP-256, or NULL. */
static guint8 *
wrap_key (EVP_PKEY      *pkey,
          const guint8   cek[CEK_LENGTH],
          size_t        *wrapped_length,
          GError       **error)
{
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey (NULL, pkey, NULL);
  OSSL_PARAM params[4];
  guint8 *wrapped = NULL;

  oaep_params (params);
  if (pctx == NULL || EVP_PKEY_encrypt_init_ex (pctx, params) <= 0
      || EVP_PKEY_encrypt (pctx, NULL, wrapped_length, cek, CEK_LENGTH) <= 0)
    set_crypto_error (error, "RSA-OAEP-256 key wrapping");
  else
    {
      wrapped = g_malloc (*wrapped_length);
      if (EVP_PKEY_encrypt (pctx, wrapped, wrapped_length, cek, CEK_LENGTH) <= 0)
        {
          set_crypto_error (error, "RSA-OAEP-256 key wrapping");
          g_clear_pointer (&wrapped, g_free);
        }
    }
  EVP_PKEY_CTX_free (pctx);
  return wrapped;
}

/* AES-256-GCM of @plaintext with the additional data @aad; the ciphertext
 * (as long as the plaintext) and the tag. */
static gboolean
gcm_encrypt (const guint8   cek[CEK_LENGTH],
             const guint8   iv[IV_LENGTH],
             const char    *aad,
             const guint8  *plaintext,
             gsize          length,
             guint8        *ciphertext,
             guint8         tag[TAG_LENGTH],
             GError       **error)
{
  EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new ();
  int out_length = 0, final_length = 0;
  gboolean ok = TRUE;

  if (cctx == NULL || aes_256_gcm () == NULL
      || EVP_EncryptInit_ex2 (cctx, aes_256_gcm (), cek, iv, NULL) != 1
      || EVP_EncryptUpdate (cctx, NULL, &out_length, (const guint8 *) aad, (int) strlen (aad)) != 1
      || (length > 0
          && EVP_EncryptUpdate (cctx, ciphertext, &out_length, plaintext, (int) length) != 1)
      || EVP_EncryptFinal_ex (cctx, ciphertext + (length > 0 ? out_length : 0), &final_length) != 1
      || EVP_CIPHER_CTX_ctrl (cctx, EVP_CTRL_GCM_GET_TAG, TAG_LENGTH, tag) != 1)
    {
      set_crypto_error (error, "AES-256-GCM encryption");
      ok = FALSE;
    }
  EVP_CIPHER_CTX_free (cctx);   /* cleanses the expanded key schedule */
  return ok;
}

char *
kiosk_jwe_encrypt (KioskKey      *key,
                   const char    *cty,
                   const guint8  *plaintext,
                   gsize          length,
                   GError       **error)
{
  g_autofree char *header_b64 = NULL;
  g_autofree guint8 *wrapped = NULL;
  g_autofree guint8 *ciphertext = NULL;
  g_autofree char *wrapped_b64 = NULL;
  g_autofree char *iv_b64 = NULL;
  g_autofree char *ciphertext_b64 = NULL;
  g_autofree char *tag_b64 = NULL;
  guint8 cek[CEK_LENGTH];
  guint8 iv[IV_LENGTH];
  guint8 tag[TAG_LENGTH];
  size_t wrapped_length = 0;
  char *result = NULL;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL || length == 0, NULL);

  if (cty == NULL)
    cty = KIOSK_JWE_CTY_JSON;
  if (!_kiosk_jwe_cty_is_valid (cty))
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                   "the content type (cty) must be printable ASCII without quotes or backslashes");
      return NULL;
    }
  if (length > (gsize) G_MAXINT - 64)
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                   "the content is too large to encrypt in one piece (%" G_GSIZE_FORMAT " bytes)",
                   length);
      return NULL;
    }
  header_b64 = encode_header (key, cty);

  if (RAND_priv_bytes (cek, sizeof cek) != 1 || RAND_bytes (iv, sizeof iv) != 1)
    {
      set_crypto_error (error, "generating a random content key");
      goto out;
    }
  wrapped = wrap_key (_kiosk_key_get_pkey (key), cek, &wrapped_length, error);
  if (wrapped == NULL)
    goto out;
  ciphertext = g_malloc (length + 1);
  if (!gcm_encrypt (cek, iv, header_b64, plaintext, length, ciphertext, tag, error))
    goto out;

  wrapped_b64 = _kiosk_base64url_encode (wrapped, wrapped_length);
  iv_b64 = _kiosk_base64url_encode (iv, sizeof iv);
  ciphertext_b64 = _kiosk_base64url_encode (ciphertext, length);
  tag_b64 = _kiosk_base64url_encode (tag, sizeof tag);
  result = g_strjoin (".", header_b64, wrapped_b64, iv_b64, ciphertext_b64, tag_b64, NULL);

out:
  OPENSSL_cleanse (cek, sizeof cek);
  return result;
}

static guint8 *
decode_part (const char  *start,
             const char  *end,
             gsize       *length,
             const char  *what,
             GError     **error)
{
  guint8 *bytes = _kiosk_base64url_decode (start, (gsize) (end - start), length);

  if (bytes == NULL)
    g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_FORMAT,
                 "the JWE's %s is not base64url", what);
  return bytes;
}

/* The five parts of a compact JWE, decoded. */
typedef struct {
  const char *header_end;   /* the first dot: the header is the additional data */
  guint8 *header, *wrapped, *iv, *ciphertext, *tag;
  gsize header_length, wrapped_length, iv_length, ciphertext_length, tag_length;
} JweParts;

static void
jwe_parts_clear (JweParts *parts)
{
  g_free (parts->header);
  g_free (parts->wrapped);
  g_free (parts->iv);
  g_free (parts->ciphertext);
  g_free (parts->tag);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (JweParts, jwe_parts_clear)

static gboolean
split_compact (const char  *jwe,
               JweParts    *parts,
               GError     **error)
{
  const char *dots[4];
  guint n_dots = 0;

  for (const char *p = jwe; *p != '\0'; p++)
    if (*p == '.')
      {
        if (n_dots == 4)
          {
            n_dots++;
            break;
          }
        dots[n_dots++] = p;
      }
  if (n_dots != 4)
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_FORMAT,
                   "not a compact JWE (it must have five parts separated by dots)");
      return FALSE;
    }
  parts->header_end = dots[0];
  parts->header = decode_part (jwe, dots[0], &parts->header_length, "protected header", error);
  if (parts->header == NULL)
    return FALSE;
  parts->wrapped = decode_part (dots[0] + 1, dots[1], &parts->wrapped_length, "encrypted key", error);
  if (parts->wrapped == NULL)
    return FALSE;
  parts->iv = decode_part (dots[1] + 1, dots[2], &parts->iv_length, "IV", error);
  if (parts->iv == NULL)
    return FALSE;
  parts->ciphertext = decode_part (dots[2] + 1, dots[3], &parts->ciphertext_length, "ciphertext", error);
  if (parts->ciphertext == NULL)
    return FALSE;
  parts->tag = decode_part (dots[3] + 1, jwe + strlen (jwe), &parts->tag_length, "tag", error);
  return parts->tag != NULL;
}

/* The protected header as a JSON object (owned by @parser), checked for
 * the algorithms we use and the lengths of IV and tag. */
static JsonObject *
check_header (JsonParser      *parser,
              const JweParts  *parts,
              GError         **error)
{
  JsonNode *root;
  JsonObject *object;
  const char *alg, *enc;

  root = json_parser_load_from_data (parser, (const char *) parts->header, (gssize) parts->header_length, NULL)
         ? json_parser_get_root (parser) : NULL;
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_FORMAT,
                   "the JWE's protected header is not a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);
  alg = kiosk_json_string_member (object, "alg");
  enc = kiosk_json_string_member (object, "enc");
  if (alg == NULL || enc == NULL || strcmp (alg, "RSA-OAEP-256") != 0 || strcmp (enc, "A256GCM") != 0)
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_FORMAT,
                   "unsupported JWE algorithms (alg \"%s\", enc \"%s\"; expected RSA-OAEP-256, A256GCM)",
                   alg != NULL ? alg : "", enc != NULL ? enc : "");
      return NULL;
    }
  if (parts->iv_length != IV_LENGTH || parts->tag_length != TAG_LENGTH)
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_FORMAT,
                   "the JWE's IV or tag has the wrong length");
      return NULL;
    }
  return object;
}

/* The content key, unwrapped with @pkey into secure memory (free it with
 * OPENSSL_secure_clear_free (cek, CEK_LENGTH)), or NULL. */
static guint8 *
unwrap_key (EVP_PKEY        *pkey,
            const JweParts  *parts,
            GError         **error)
{
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey (NULL, pkey, NULL);
  OSSL_PARAM params[4];
  guint8 *cek = NULL;
  size_t cek_length = 0;

  oaep_params (params);
  if (pctx == NULL || EVP_PKEY_decrypt_init_ex (pctx, params) <= 0
      || EVP_PKEY_decrypt (pctx, NULL, &cek_length, parts->wrapped, parts->wrapped_length) <= 0)
    set_crypto_error (error, "RSA-OAEP-256 key unwrapping");
  else
    {
      cek = OPENSSL_secure_malloc (cek_length);
      if (cek == NULL || EVP_PKEY_decrypt (pctx, cek, &cek_length, parts->wrapped, parts->wrapped_length) <= 0
          || cek_length != CEK_LENGTH)
        {
          ERR_clear_error ();
          g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_DECRYPT,
                       "the content key cannot be unwrapped: the JWE is for another key or was altered");
          if (cek != NULL)
            OPENSSL_secure_clear_free (cek, cek_length);
          cek = NULL;
        }
    }
  EVP_PKEY_CTX_free (pctx);
  return cek;
}

/* AES-256-GCM decryption and authentication of the ciphertext into
 * @plaintext (as long as the ciphertext). */
static gboolean
gcm_decrypt (const guint8     cek[CEK_LENGTH],
             const char      *jwe,
             const JweParts  *parts,
             guint8          *plaintext,
             GError         **error)
{
  EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new ();
  int out_length = 0, final_length = 0;
  gboolean ok = TRUE;

  if (cctx == NULL || aes_256_gcm () == NULL
      || EVP_DecryptInit_ex2 (cctx, aes_256_gcm (), cek, parts->iv, NULL) != 1
      || EVP_DecryptUpdate (cctx, NULL, &out_length, (const guint8 *) jwe, (int) (parts->header_end - jwe)) != 1
      || (parts->ciphertext_length > 0
          && EVP_DecryptUpdate (cctx, plaintext, &out_length, parts->ciphertext,
                                (int) parts->ciphertext_length) != 1)
      || EVP_CIPHER_CTX_ctrl (cctx, EVP_CTRL_GCM_SET_TAG, TAG_LENGTH, parts->tag) != 1
      || EVP_DecryptFinal_ex (cctx, plaintext + (parts->ciphertext_length > 0 ? out_length : 0),
                              &final_length) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_DECRYPT,
                   "the JWE does not authenticate: it was altered or is for another key");
      ok = FALSE;
    }
  EVP_CIPHER_CTX_free (cctx);
  return ok;
}

guint8 *
kiosk_jwe_decrypt (KioskKey      *private_key,
                   const char    *jwe,
                   gsize         *length,
                   char         **cty_out,
                   char         **kid_out,
                   GError       **error)
{
  g_auto(JweParts) parts = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  guint8 *cek;
  guint8 *plaintext;

  g_return_val_if_fail (private_key != NULL, NULL);
  g_return_val_if_fail (jwe != NULL, NULL);
  g_return_val_if_fail (length != NULL, NULL);

  if (!split_compact (jwe, &parts, error))
    return NULL;
  object = check_header (parser, &parts, error);
  if (object == NULL)
    return NULL;
  cek = unwrap_key (_kiosk_key_get_pkey (private_key), &parts, error);
  if (cek == NULL)
    return NULL;
  plaintext = g_malloc (parts.ciphertext_length + 1);
  if (!gcm_decrypt (cek, jwe, &parts, plaintext, error))
    {
      OPENSSL_secure_clear_free (cek, CEK_LENGTH);
      kiosk_jwe_free_plaintext (plaintext, parts.ciphertext_length + 1);
      return NULL;
    }
  OPENSSL_secure_clear_free (cek, CEK_LENGTH);
  plaintext[parts.ciphertext_length] = '\0';
  *length = parts.ciphertext_length;
  if (cty_out != NULL)
    *cty_out = g_strdup (kiosk_json_string_member (object, "cty"));
  if (kid_out != NULL)
    *kid_out = g_strdup (kiosk_json_string_member (object, "kid"));
  return plaintext;
}

void
kiosk_jwe_free_plaintext (guint8 *plaintext,
                          gsize   length)
{
  if (plaintext == NULL)
    return;
  OPENSSL_cleanse (plaintext, length);
  g_free (plaintext);
}
