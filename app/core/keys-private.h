/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <openssl/evp.h>

#include "antragskiosk/keys.h"

G_BEGIN_DECLS

/* The key's OpenSSL object (owned by @key; EVP_PKEY is safe to share
 * between threads for encryption: each call makes its own EVP_PKEY_CTX). */
EVP_PKEY *_kiosk_key_get_pkey (KioskKey *key);

/* The RSA key of JWK @jwk ("n", "e"; with @with_private also "d", "p",
 * "q", "dp", "dq", "qi", read into the secure heap). With @check_strength
 * a key whose exponent is not usable or that has fewer than
 * KIOSK_KEYS_MIN_RSA_BITS bits is refused (KIOSK_KEYS_ERROR_UNSUITABLE).
 * NULL with @error (naming @source) otherwise. The one reader of RSA JWKs:
 * destination keys (keys.c) and the platform's signature keys (jws.c). */
EVP_PKEY *_kiosk_rsa_pkey_from_jwk (JsonObject  *jwk,
                                    gboolean     with_private,
                                    gboolean     check_strength,
                                    const char  *source,
                                    GError     **error);

/* Strict base64url (RFC 4648 §5, no padding, RFC 7515 §2) decoding; NULL on
 * any character outside the alphabet or an impossible length. */
guint8   *_kiosk_base64url_decode (const char *text,
                                   gsize       text_length,
                                   gsize      *out_length);
/* base64url without padding. */
char     *_kiosk_base64url_encode (const guint8 *data,
                                   gsize         length);

G_END_DECLS
