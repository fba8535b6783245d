/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Compact JWS (RFC 7515) as the platform signs its event tokens (Security
 * Event Tokens, RFC 8417): verification and the payload. */

/* Whether @token is a compact JWS with alg PS512 (RSASSA-PSS, SHA-512,
 * MGF1-SHA-512, 64-byte salt) whose signature verifies with the RSA key of
 * the header's kid in @jwks ({"keys": [JWK, …]}; NULL or no such key:
 * FALSE). */
gboolean  kiosk_jws_verify_ps512   (const char *token,
                                    JsonNode   *jwks);

/* The payload of compact JWS @token as a JSON object, or NULL when it is
 * not three dot-separated parts or the payload is not base64url of a JSON
 * object. The signature is not checked (kiosk_jws_verify_ps512). */
JsonNode *kiosk_jws_decode_payload (const char *token);

/* The "kid" of compact JWS @token's protected header, or NULL (not a
 * JWS, no kid). Unverified: only to pick the key. Free with g_free. */
char     *kiosk_jws_get_kid        (const char *token);

G_END_DECLS
