/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "keys.h"

G_BEGIN_DECLS

/* JWE compact serialization (RFC 7516 §7.1) as FIT-Connect requires it
 * (PLATFORM.md "Encryption (JWE)"): protected header exactly
 *   {"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"<kid>","cty":"<cty>"}
 * a fresh 256-bit content key and 96-bit IV per message from the OpenSSL
 * CSPRNG, the content key wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256),
 * the content encrypted with AES-256-GCM, AAD = the ASCII of the base64url
 * protected header, 128-bit tag. All with OpenSSL 3's EVP API. The content
 * key is wiped after use; plaintext is never copied.
 *
 * And the FIT-Connect metadata JSON (PLATFORM.md "Metadata") that goes with
 * an application's data. Thread-safe: no global state. */

#define KIOSK_JWE_ERROR (kiosk_jwe_error_quark ())
GQuark kiosk_jwe_error_quark (void);

typedef enum {
  KIOSK_JWE_ERROR_CRYPTO,     /* OpenSSL failed (no randomness, …) */
  KIOSK_JWE_ERROR_INVALID,    /* bad argument (cty, date, attachment, …) */
  KIOSK_JWE_ERROR_FORMAT,     /* decrypt: not a compact JWE / unsupported header */
  KIOSK_JWE_ERROR_DECRYPT,    /* decrypt: wrong key or the JWE was altered */
} KioskJweError;

/* Content types used with FIT-Connect. */
#define KIOSK_JWE_CTY_JSON "application/json"
#define KIOSK_JWE_CTY_PDF  "application/pdf"

/* Encrypts @length bytes at @plaintext for @key. @cty: the content type
 * for the header (NULL: application/json); printable ASCII without quotes
 * or backslashes. Returns the compact JWE (ASCII, NUL-terminated) or NULL
 * with @error. */
char    *kiosk_jwe_encrypt   (KioskKey      *key,
                              const char    *cty,
                              const guint8  *plaintext,
                              gsize          length,
                              GError       **error);

/* Decrypts compact @jwe with a private key (kiosk_key_load_private): for
 * tests and the local test platform. Checks alg RSA-OAEP-256 and enc
 * A256GCM. Returns the plaintext (caller wipes it with
 * kiosk_jwe_free_plaintext) and its length; @cty_out (may be NULL) gets
 * the header's cty or NULL; @kid_out likewise. */
guint8  *kiosk_jwe_decrypt   (KioskKey      *private_key,
                              const char    *jwe,
                              gsize         *length,
                              char         **cty_out,
                              char         **kid_out,
                              GError       **error);

/* Overwrites and frees a plaintext returned by kiosk_jwe_decrypt. */
void     kiosk_jwe_free_plaintext (guint8 *plaintext,
                                   gsize   length);

/* The metadata schema this kiosk writes into "$schema". */
#define KIOSK_METADATA_SCHEMA "https://schema.fitko.de/fit-connect/metadata/1.3.0/metadata.schema.json"

/* One attachment of a submission, for the metadata. */
typedef struct {
  const char    *attachment_id;  /* UUID, as announced to the platform */
  const char    *purpose;        /* "form" (a rendering of the whole application), "attachment" or "report" */
  const char    *mime_type;      /* e.g. "application/pdf" */
  const guint8  *data;           /* the UNENCRYPTED bytes (hashed here) */
  gsize          length;
  const char    *description;    /* NULL, or a description for the recipient (metadata "description") */
} KioskJweAttachment;

/* Builds the metadata JSON (compact, UTF-8) for the data bytes @data:
 *   {"$schema": KIOSK_METADATA_SCHEMA,
 *    "contentStructure": {
 *      "data": {"hash": {"type":"sha512","content":"<hex of sha512(data)>"},
 *               "submissionSchema": {"schemaUri": @schema_uri, "mimeType":"application/json"}},
 *      "attachments": [{"hash":…, "purpose":…, "mimeType":…, "attachmentId":…,
 *                       "description":… (when given)}, …]},
 *    "additionalReferenceInfo": {"senderReference": @sender_reference,
 *                                "applicationDate": @application_date}}
 * @sender_reference may be NULL (then additionalReferenceInfo carries only
 * the date). @application_date is "YYYY-MM-DD" or NULL for today (local
 * time). Returns NULL with KIOSK_JWE_ERROR_INVALID on a bad argument. */
char    *kiosk_metadata_build (const guint8              *data,
                               gsize                      length,
                               const char                *schema_uri,
                               const KioskJweAttachment  *attachments,
                               guint                      n_attachments,
                               const char                *sender_reference,
                               const char                *application_date,
                               GError                   **error);

/* Lower-case hex SHA-512 of @length bytes (128 characters). */
char    *kiosk_sha512_hex     (const guint8 *data,
                               gsize         length);

G_END_DECLS
