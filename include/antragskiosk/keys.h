/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A receiving authority's encryption key (PLATFORM.md "Destination and its
 * key"): an RSA JWK (RFC 7517) with alg RSA-OAEP-256, use enc (if present),
 * key_ops containing wrapKey, a kid, and an x5c certificate chain whose
 * leaf carries the same public key and which verifies against the
 * destination's trust anchor (a PEM root certificate), validity dates
 * included. A KioskKey is immutable and may be used from several threads
 * at once (reference counted).
 *
 * File arguments are paths, or resource:///… URIs for key material compiled
 * into the program (the demo destination). */

#define KIOSK_KEYS_ERROR (kiosk_keys_error_quark ())
GQuark kiosk_keys_error_quark (void);

typedef enum {
  KIOSK_KEYS_ERROR_IO,             /* a file cannot be read */
  KIOSK_KEYS_ERROR_SYNTAX,         /* not JSON, not a JWK, bad base64, bad certificate/PEM */
  KIOSK_KEYS_ERROR_UNSUITABLE,     /* kty/alg/use/key_ops/size not for RSA-OAEP-256 key wrapping */
  KIOSK_KEYS_ERROR_UNTRUSTED,      /* the chain does not lead to the trust anchor */
  KIOSK_KEYS_ERROR_EXPIRED,        /* a certificate of the chain has expired */
  KIOSK_KEYS_ERROR_NOT_YET_VALID,  /* a certificate of the chain is not valid yet */
  KIOSK_KEYS_ERROR_MISMATCH,       /* the leaf certificate holds another public key */
} KioskKeysError;

/* Smallest RSA modulus accepted for any destination key, in bits:
 * FIT-Connect requires RSA 4096 for a destination's encryption and
 * signature keys. The same rule for a key fetched from the platform and a
 * key_file; a smaller key is refused (KIOSK_KEYS_ERROR_UNSUITABLE). */
#define KIOSK_KEYS_MIN_RSA_BITS 4096

typedef struct _KioskKey KioskKey;

/* Loads the public encryption JWK in @jwk_file and checks it completely
 * (see above) against the PEM certificate(s) in @trust_anchor_file at time
 * @verify_time (NULL: now). Returns NULL and sets @error (KIOSK_KEYS_ERROR,
 * a sentence naming the file and what is wrong) on any failure. */
KioskKey    *kiosk_key_load             (const char  *jwk_file,
                                         const char  *trust_anchor_file,
                                         GDateTime   *verify_time,
                                         GError     **error);

/* The same from memory. @trust_anchor_pem holds one or more PEM
 * certificates. @source names the key in messages (e.g. the file name). */
KioskKey    *kiosk_key_new_from_data    (const char  *jwk_json,
                                         gssize       jwk_length,
                                         const char  *trust_anchor_pem,
                                         gssize       pem_length,
                                         GDateTime   *verify_time,
                                         const char  *source,
                                         GError     **error);

typedef enum {
  KIOSK_KEY_PURPOSE_ENCRYPT,  /* alg RSA-OAEP-256, use enc, key_ops wrapKey, keyEncipherment */
  KIOSK_KEY_PURPOSE_VERIFY,   /* alg PS512, use sig, key_ops verify, digitalSignature: an
                               * authority's signature key for its accept/reject events */
} KioskKeyPurpose;

/* kiosk_key_new_from_data() for either @purpose (the same checks, an RSA
 * modulus of at least KIOSK_KEYS_MIN_RSA_BITS bits included). */
KioskKey    *kiosk_key_new_checked      (const char       *jwk_json,
                                         gssize            jwk_length,
                                         const char       *trust_anchor_pem,
                                         gssize            pem_length,
                                         KioskKeyPurpose   purpose,
                                         GDateTime        *verify_time,
                                         const char       *source,
                                         GError          **error);

/* Loads a PRIVATE RSA JWK (n, e, d, p, q, dp, dq, qi and kid) of at least
 * KIOSK_KEYS_MIN_RSA_BITS bits without any certificate check: for tests and the local test platform, which decrypt.
 * Never used by the kiosk to encrypt. */
KioskKey    *kiosk_key_load_private     (const char  *jwk_file,
                                         GError     **error);

KioskKey    *kiosk_key_ref              (KioskKey *key);
void         kiosk_key_unref            (KioskKey *key);

/* The JWK's kid (goes into the JWE header). */
const char  *kiosk_key_get_kid          (KioskKey *key);
/* Modulus size in bits. */
guint        kiosk_key_get_bits         (KioskKey *key);
/* The earliest notAfter of the verified chain (UTC): after it the key must
 * not be used. NULL for a private key loaded without chain. */
GDateTime   *kiosk_key_get_not_after    (KioskKey *key);
/* The leaf certificate's subject (RFC 2253), or NULL without chain. */
const char  *kiosk_key_get_subject      (KioskKey *key);
/* TRUE when the key holds the private part (kiosk_key_load_private). */
gboolean     kiosk_key_has_private      (KioskKey *key);

/* Reads a file or resource:///… URI into memory (helper shared with the
 * config module): a regular file of at most KIOSK_FILE_MAX_KEY bytes (a
 * FIFO, a device, a directory is refused at once). KIOSK_KEYS_ERROR_IO
 * naming the path, never the content. */
gboolean     kiosk_keys_read_file       (const char  *file,
                                         char       **contents,
                                         gsize       *length,
                                         GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskKey, kiosk_key_unref)

G_END_DECLS
