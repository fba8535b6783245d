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

static gboolean
cty_is_valid (const char *cty)
{
  if (*cty == '\0' || strlen (cty) > 255)
    return FALSE;
  for (const char *p = cty; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
      return FALSE;
  return TRUE;
}

char *
kiosk_jwe_encrypt (KioskKey      *key,
                   const char    *cty,
                   const guint8  *plaintext,
                   gsize          length,
                   GError       **error)
{
  EVP_PKEY *pkey;
  EVP_PKEY_CTX *pctx = NULL;
  EVP_CIPHER_CTX *cctx = NULL;
  OSSL_PARAM params[4];
  g_autoptr(GString) header = NULL;
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
  int out_length = 0;
  int final_length = 0;
  char *result = NULL;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL || length == 0, NULL);

  if (cty == NULL)
    cty = KIOSK_JWE_CTY_JSON;
  if (!cty_is_valid (cty))
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
  pkey = _kiosk_key_get_pkey (key);

  /* The protected header, members in the order FIT-Connect documents. */
  header = g_string_new ("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":");
  append_json_string (header, kiosk_key_get_kid (key));
  g_string_append (header, ",\"cty\":");
  append_json_string (header, cty);
  g_string_append_c (header, '}');
  header_b64 = _kiosk_base64url_encode ((const guint8 *) header->str, header->len);

  if (RAND_priv_bytes (cek, sizeof cek) != 1 || RAND_bytes (iv, sizeof iv) != 1)
    {
      set_crypto_error (error, "generating a random content key");
      goto out;
    }

  /* Wrap the content key. */
  oaep_params (params);
  pctx = EVP_PKEY_CTX_new_from_pkey (NULL, pkey, NULL);
  if (pctx == NULL || EVP_PKEY_encrypt_init_ex (pctx, params) <= 0
      || EVP_PKEY_encrypt (pctx, NULL, &wrapped_length, cek, sizeof cek) <= 0)
    {
      set_crypto_error (error, "RSA-OAEP-256 key wrapping");
      goto out;
    }
  wrapped = g_malloc (wrapped_length);
  if (EVP_PKEY_encrypt (pctx, wrapped, &wrapped_length, cek, sizeof cek) <= 0)
    {
      set_crypto_error (error, "RSA-OAEP-256 key wrapping");
      goto out;
    }

  /* Encrypt the content. */
  ciphertext = g_malloc (length + 1);
  cctx = EVP_CIPHER_CTX_new ();
  if (cctx == NULL || aes_256_gcm () == NULL
      || EVP_EncryptInit_ex2 (cctx, aes_256_gcm (), cek, iv, NULL) != 1
      || EVP_EncryptUpdate (cctx, NULL, &out_length,
                            (const guint8 *) header_b64, (int) strlen (header_b64)) != 1
      || (length > 0
          && EVP_EncryptUpdate (cctx, ciphertext, &out_length, plaintext, (int) length) != 1)
      || EVP_EncryptFinal_ex (cctx, ciphertext + (length > 0 ? out_length : 0), &final_length) != 1
      || EVP_CIPHER_CTX_ctrl (cctx, EVP_CTRL_GCM_GET_TAG, TAG_LENGTH, tag) != 1)
    {
      set_crypto_error (error, "AES-256-GCM encryption");
      goto out;
    }

  wrapped_b64 = _kiosk_base64url_encode (wrapped, wrapped_length);
  iv_b64 = _kiosk_base64url_encode (iv, sizeof iv);
  ciphertext_b64 = _kiosk_base64url_encode (ciphertext, length);
  tag_b64 = _kiosk_base64url_encode (tag, sizeof tag);
  result = g_strjoin (".", header_b64, wrapped_b64, iv_b64, ciphertext_b64, tag_b64, NULL);

out:
  OPENSSL_cleanse (cek, sizeof cek);
  EVP_CIPHER_CTX_free (cctx);   /* cleanses the expanded key schedule */
  EVP_PKEY_CTX_free (pctx);
  return result;
}

/* A string member of the (untrusted) header, or NULL. */
static const char *
header_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
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

guint8 *
kiosk_jwe_decrypt (KioskKey      *private_key,
                   const char    *jwe,
                   gsize         *length,
                   char         **cty_out,
                   char         **kid_out,
                   GError       **error)
{
  const char *dots[4];
  const char *end;
  guint n_dots = 0;
  g_autofree guint8 *header = NULL;
  g_autofree guint8 *wrapped = NULL;
  g_autofree guint8 *iv = NULL;
  g_autofree guint8 *ciphertext = NULL;
  g_autofree guint8 *tag = NULL;
  gsize header_length = 0, wrapped_length = 0, iv_length = 0, ciphertext_length = 0, tag_length = 0;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *root;
  const char *alg, *enc;
  EVP_PKEY_CTX *pctx = NULL;
  EVP_CIPHER_CTX *cctx = NULL;
  OSSL_PARAM params[4];
  guint8 *cek = NULL;
  size_t cek_length = 0;
  guint8 *plaintext = NULL;
  int out_length = 0, final_length = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (private_key != NULL, NULL);
  g_return_val_if_fail (jwe != NULL, NULL);
  g_return_val_if_fail (length != NULL, NULL);

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
      return NULL;
    }
  end = jwe + strlen (jwe);
  header = decode_part (jwe, dots[0], &header_length, "protected header", error);
  if (header == NULL)
    return NULL;
  wrapped = decode_part (dots[0] + 1, dots[1], &wrapped_length, "encrypted key", error);
  if (wrapped == NULL)
    return NULL;
  iv = decode_part (dots[1] + 1, dots[2], &iv_length, "IV", error);
  if (iv == NULL)
    return NULL;
  ciphertext = decode_part (dots[2] + 1, dots[3], &ciphertext_length, "ciphertext", error);
  if (ciphertext == NULL)
    return NULL;
  tag = decode_part (dots[3] + 1, end, &tag_length, "tag", error);
  if (tag == NULL)
    return NULL;
  root = json_parser_load_from_data (parser, (const char *) header, (gssize) header_length, NULL)
         ? json_parser_get_root (parser) : NULL;
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_FORMAT,
                   "the JWE's protected header is not a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);
  alg = header_string (object, "alg");
  enc = header_string (object, "enc");
  if (alg == NULL || enc == NULL || strcmp (alg, "RSA-OAEP-256") != 0 || strcmp (enc, "A256GCM") != 0)
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_FORMAT,
                   "unsupported JWE algorithms (alg \"%s\", enc \"%s\"; expected RSA-OAEP-256, A256GCM)",
                   alg != NULL ? alg : "", enc != NULL ? enc : "");
      return NULL;
    }
  if (iv_length != IV_LENGTH || tag_length != TAG_LENGTH)
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_FORMAT,
                   "the JWE's IV or tag has the wrong length");
      return NULL;
    }

  oaep_params (params);
  pctx = EVP_PKEY_CTX_new_from_pkey (NULL, _kiosk_key_get_pkey (private_key), NULL);
  if (pctx == NULL || EVP_PKEY_decrypt_init_ex (pctx, params) <= 0
      || EVP_PKEY_decrypt (pctx, NULL, &cek_length, wrapped, wrapped_length) <= 0)
    {
      set_crypto_error (error, "RSA-OAEP-256 key unwrapping");
      goto out;
    }
  cek = OPENSSL_secure_malloc (cek_length);
  if (cek == NULL || EVP_PKEY_decrypt (pctx, cek, &cek_length, wrapped, wrapped_length) <= 0
      || cek_length != CEK_LENGTH)
    {
      ERR_clear_error ();
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_DECRYPT,
                   "the content key cannot be unwrapped: the JWE is for another key or was altered");
      goto out;
    }

  plaintext = g_malloc (ciphertext_length + 1);
  cctx = EVP_CIPHER_CTX_new ();
  if (cctx == NULL || aes_256_gcm () == NULL
      || EVP_DecryptInit_ex2 (cctx, aes_256_gcm (), cek, iv, NULL) != 1
      || EVP_DecryptUpdate (cctx, NULL, &out_length, (const guint8 *) jwe, (int) (dots[0] - jwe)) != 1
      || (ciphertext_length > 0
          && EVP_DecryptUpdate (cctx, plaintext, &out_length, ciphertext, (int) ciphertext_length) != 1)
      || EVP_CIPHER_CTX_ctrl (cctx, EVP_CTRL_GCM_SET_TAG, TAG_LENGTH, tag) != 1
      || EVP_DecryptFinal_ex (cctx, plaintext + (ciphertext_length > 0 ? out_length : 0), &final_length) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_DECRYPT,
                   "the JWE does not authenticate: it was altered or is for another key");
      goto out;
    }
  plaintext[ciphertext_length] = '\0';
  *length = ciphertext_length;
  if (cty_out != NULL)
    *cty_out = g_strdup (header_string (object, "cty"));
  if (kid_out != NULL)
    *kid_out = g_strdup (header_string (object, "kid"));
  ok = TRUE;

out:
  if (cek != NULL)
    OPENSSL_secure_clear_free (cek, cek_length);
  EVP_CIPHER_CTX_free (cctx);
  EVP_PKEY_CTX_free (pctx);
  if (!ok && plaintext != NULL)
    {
      kiosk_jwe_free_plaintext (plaintext, ciphertext_length + 1);
      plaintext = NULL;
    }
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

char *
kiosk_sha512_hex (const guint8 *data,
                  gsize         length)
{
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  GString *hex;

  if (EVP_Digest (data, length, digest, &digest_length, EVP_sha512 (), NULL) != 1)
    g_error ("SHA-512 is not available from OpenSSL");
  hex = g_string_sized_new (digest_length * 2 + 1);
  for (unsigned int i = 0; i < digest_length; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  return g_string_free (hex, FALSE);
}

static void
add_hash (JsonBuilder  *builder,
          const guint8 *data,
          gsize         length)
{
  g_autofree char *hex = kiosk_sha512_hex (data, length);

  json_builder_set_member_name (builder, "hash");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "sha512");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, hex);
  json_builder_end_object (builder);
}

static gboolean
date_is_valid (const char *date)
{
  int y, m, d;

  if (strlen (date) != 10 || date[4] != '-' || date[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (date[i]))
      return FALSE;
  y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
  m = (date[5] - '0') * 10 + (date[6] - '0');
  d = (date[8] - '0') * 10 + (date[9] - '0');
  return y >= 1 && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

char *
kiosk_metadata_build (const guint8              *data,
                      gsize                      length,
                      const char                *schema_uri,
                      const KioskJweAttachment  *attachments,
                      guint                      n_attachments,
                      const char                *sender_reference,
                      const char                *application_date,
                      GError                   **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *today = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (attachments != NULL || n_attachments == 0, NULL);

  if (schema_uri == NULL || *schema_uri == '\0' || strchr (schema_uri, ':') == NULL)
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                   "the submission schema must be given as a URI");
      return NULL;
    }
  if (application_date == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      today = g_date_time_format (now, "%Y-%m-%d");
      application_date = today;
    }
  if (!date_is_valid (application_date))
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                   "the application date must be a date YYYY-MM-DD");
      return NULL;
    }
  if (sender_reference != NULL && (*sender_reference == '\0' || !g_utf8_validate (sender_reference, -1, NULL)))
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                   "the sender reference must be a non-empty UTF-8 string");
      return NULL;
    }
  for (guint i = 0; i < n_attachments; i++)
    {
      const KioskJweAttachment *a = &attachments[i];

      if (a->attachment_id == NULL || !g_uuid_string_is_valid (a->attachment_id))
        {
          g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                       "attachment %u: the attachment id must be a UUID", i + 1);
          return NULL;
        }
      if (a->purpose == NULL
          || (strcmp (a->purpose, "form") != 0 && strcmp (a->purpose, "attachment") != 0
              && strcmp (a->purpose, "report") != 0))
        {
          g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                       "attachment %u: the purpose must be form, attachment or report", i + 1);
          return NULL;
        }
      if (a->mime_type == NULL || !cty_is_valid (a->mime_type) || strchr (a->mime_type, '/') == NULL)
        {
          g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                       "attachment %u: the MIME type must look like type/subtype", i + 1);
          return NULL;
        }
      if (a->description != NULL && (*a->description == '\0' || !g_utf8_validate (a->description, -1, NULL)))
        {
          g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                       "attachment %u: the description must be a non-empty UTF-8 string", i + 1);
          return NULL;
        }
      if (a->data == NULL && a->length > 0)
        {
          g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                       "attachment %u: no data", i + 1);
          return NULL;
        }
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "$schema");
  json_builder_add_string_value (builder, KIOSK_METADATA_SCHEMA);

  json_builder_set_member_name (builder, "contentStructure");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  add_hash (builder, data, length);
  json_builder_set_member_name (builder, "submissionSchema");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemaUri");
  json_builder_add_string_value (builder, schema_uri);
  json_builder_set_member_name (builder, "mimeType");
  json_builder_add_string_value (builder, "application/json");
  json_builder_end_object (builder);
  json_builder_end_object (builder);  /* data */
  json_builder_set_member_name (builder, "attachments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_attachments; i++)
    {
      json_builder_begin_object (builder);
      add_hash (builder, attachments[i].data, attachments[i].length);
      json_builder_set_member_name (builder, "purpose");
      json_builder_add_string_value (builder, attachments[i].purpose);
      json_builder_set_member_name (builder, "mimeType");
      json_builder_add_string_value (builder, attachments[i].mime_type);
      json_builder_set_member_name (builder, "attachmentId");
      json_builder_add_string_value (builder, attachments[i].attachment_id);
      if (attachments[i].description != NULL)
        {
          json_builder_set_member_name (builder, "description");
          json_builder_add_string_value (builder, attachments[i].description);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);  /* contentStructure */

  json_builder_set_member_name (builder, "additionalReferenceInfo");
  json_builder_begin_object (builder);
  if (sender_reference != NULL)
    {
      json_builder_set_member_name (builder, "senderReference");
      json_builder_add_string_value (builder, sender_reference);
    }
  json_builder_set_member_name (builder, "applicationDate");
  json_builder_add_string_value (builder, application_date);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}
