/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <openssl/evp.h>

#include "antragskiosk/keys.h"

G_BEGIN_DECLS

/* The key's OpenSSL object (owned by @key; EVP_PKEY is safe to share
 * between threads for encryption: each call makes its own EVP_PKEY_CTX). */
EVP_PKEY *_kiosk_key_get_pkey (KioskKey *key);

/* Strict base64url (RFC 4648 §5, no padding, RFC 7515 §2) decoding; NULL on
 * any character outside the alphabet or an impossible length. */
guint8   *_kiosk_base64url_decode (const char *text,
                                   gsize       text_length,
                                   gsize      *out_length);
/* base64url without padding. */
char     *_kiosk_base64url_encode (const guint8 *data,
                                   gsize         length);

G_END_DECLS
