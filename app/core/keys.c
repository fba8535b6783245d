/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A destination's key (KioskKey): reading key files, the public API and
 * the checks of kiosk_key_new_checked(). The JWK is read in keys-jwk.c,
 * its x5c chain verified in keys-x5c.c. */
#define G_LOG_DOMAIN "antragskiosk-keys"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "antragskiosk/file.h"
#include "json-member-private.h"
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
                                KIOSK_KEY_PURPOSE_ENCRYPT, verify_time, source, error);
}

static KioskKey *
key_new (JsonObject *jwk,
         EVP_PKEY   *pkey)
{
  KioskKey *key = g_new0 (KioskKey, 1);

  g_atomic_ref_count_init (&key->ref_count);
  key->kid = g_strdup (kiosk_json_string_member (jwk, "kid"));
  key->pkey = pkey;
  return key;
}

KioskKey *
kiosk_key_new_checked (const char       *jwk_json,
                       gssize            jwk_length,
                       const char       *trust_anchor_pem,
                       gssize            pem_length,
                       KioskKeyPurpose   purpose,
                       GDateTime        *verify_time,
                       const char       *source,
                       GError          **error)
{
  gboolean verify = purpose == KIOSK_KEY_PURPOSE_VERIFY;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(KioskKey) key = NULL;
  JsonObject *jwk;
  EVP_PKEY *pkey;

  g_return_val_if_fail (jwk_json != NULL, NULL);
  g_return_val_if_fail (trust_anchor_pem != NULL, NULL);
  if (source == NULL)
    source = "key";

  jwk = _kiosk_keys_parse_jwk (jwk_json, jwk_length, source, &parser, error);
  if (jwk == NULL)
    return NULL;
  if (json_object_has_member (jwk, "d"))
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: this JWK holds a PRIVATE key (\"d\"); the kiosk needs only the "
                   "public key: remove the private key from this terminal", source);
      return NULL;
    }
  if (!_kiosk_keys_check_usage (jwk, source, verify ? "PS512" : "RSA-OAEP-256", verify ? "sig" : "enc",
                                verify ? "verify" : "wrapKey", error)
      || !_kiosk_keys_check_kid (jwk, source, error))
    return NULL;

  /* RSA with at least KIOSK_KEYS_MIN_RSA_BITS bits, whatever the source. */
  pkey = _kiosk_rsa_pkey_from_jwk (jwk, FALSE, TRUE, source, error);
  if (pkey == NULL)
    return NULL;
  key = key_new (jwk, pkey);
  if (!_kiosk_keys_check_chain (jwk, key->pkey, verify, trust_anchor_pem, pem_length, verify_time,
                                source, &key->not_after, &key->subject, error))
    return NULL;
  return g_steal_pointer (&key);
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
  KioskKey *key;
  JsonObject *jwk;
  EVP_PKEY *pkey;
  const char *kty;

  if (!kiosk_keys_read_file (jwk_file, &json, &length, error))
    return NULL;
  jwk = _kiosk_keys_parse_jwk (json, (gssize) length, jwk_file, &parser, error);
  OPENSSL_cleanse (json, length);
  if (jwk == NULL)
    return NULL;
  kty = kiosk_json_string_member (jwk, "kty");
  if (kty == NULL || strcmp (kty, "RSA") != 0)
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE,
                   "%s: \"kty\" must be \"RSA\"", jwk_file);
      return NULL;
    }
  if (!_kiosk_keys_check_kid (jwk, jwk_file, error))
    return NULL;
  pkey = _kiosk_rsa_pkey_from_jwk (jwk, TRUE, TRUE, jwk_file, error);
  if (pkey == NULL)
    return NULL;
  key = key_new (jwk, pkey);
  key->has_private = TRUE;
  return key;
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