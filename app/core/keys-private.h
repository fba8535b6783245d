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
 * KIOSK_KEYS_MIN_RSA_BITS bits is refused (KIOSK_KEYS_ERROR_UNSUITABLE,
 * "…: the RSA key has 2048 bits; FIT-Connect requires at least 4096"):
 * the one place of that rule, for every destination key, fetched or
 * from key_file, encryption or signature, public or private.
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

/* ---- shared by keys.c, keys-jwk.c and keys-x5c.c ---- */

/* @json parsed as a JSON object (the JWK, owned by *@parser_out); NULL
 * with KIOSK_KEYS_ERROR_SYNTAX naming @source, never quoting the content. */
JsonObject *_kiosk_keys_parse_jwk     (const char  *json,
                                       gssize       length,
                                       const char  *source,
                                       JsonParser **parser_out,
                                       GError     **error);
/* "kid" present, at most 512 bytes of UTF-8, no control character. */
gboolean    _kiosk_keys_check_kid     (JsonObject  *jwk,
                                       const char  *source,
                                       GError     **error);
/* kty "RSA", alg @required_alg, use @required_use (if present), key_ops
 * containing @required_op. */
gboolean    _kiosk_keys_check_usage   (JsonObject  *jwk,
                                       const char  *source,
                                       const char  *required_alg,
                                       const char  *required_use,
                                       const char  *required_op,
                                       GError     **error);
/* The JWK's "x5c" chain: its leaf holds @pkey with the key usage for
 * @verify (digitalSignature) or encryption (keyEncipherment), and the
 * chain verifies against the PEM certificate(s) @trust_anchor_pem at
 * @verify_time (NULL: now). Sets *@not_after (earliest notAfter of the
 * verified chain) and *@subject (the leaf's, RFC 2253) on success. */
gboolean    _kiosk_keys_check_chain   (JsonObject   *jwk,
                                       EVP_PKEY     *pkey,
                                       gboolean      verify,
                                       const char   *trust_anchor_pem,
                                       gssize        pem_length,
                                       GDateTime    *verify_time,
                                       const char   *source,
                                       GDateTime   **not_after,
                                       char        **subject,
                                       GError      **error);

G_END_DECLS
