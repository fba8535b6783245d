/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The clerk PIN's hash, as [clerk] pin_hash holds it (docs/kiosk.md):
 * "pbkdf2-sha256$ITERATIONS$SALT$HASH", PBKDF2-HMAC-SHA256, salt and the
 * 32-byte hash in standard base64. */

/* The least iterations a configured hash must use; the kiosk refuses
 * fewer, check-config reports them. */
#define KIOSK_PIN_MIN_ITERATIONS 200000
/* The most: beyond it each PIN attempt would keep the panel waiting for
 * seconds on a slow terminal. */
#define KIOSK_PIN_MAX_ITERATIONS 10000000
/* What `antragskiosk-ctl hash-pin` uses unless told otherwise. */
#define KIOSK_PIN_DEFAULT_ITERATIONS 600000

/* The hash of @pin with a random 16-byte salt; NULL only if OpenSSL fails. */
char     *kiosk_pin_hash        (const char  *pin,
                                 guint        iterations);
/* Whether @pin matches @stored, compared in constant time. FALSE for a
 * malformed @stored. @iterations (may be NULL) receives its iteration
 * count (0 when malformed). */
gboolean  kiosk_pin_verify      (const char  *stored,
                                 const char  *pin,
                                 guint       *iterations);
/* Whether @stored is a usable hash: the format above, at least
 * KIOSK_PIN_MIN_ITERATIONS and at most KIOSK_PIN_MAX_ITERATIONS; else a sentence that says what is wrong. */
gboolean  kiosk_pin_hash_check  (const char  *stored,
                                 GError     **error);

G_END_DECLS
