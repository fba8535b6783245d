/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Public references: the code a citizen gets on the receipt and reads out
 * or types in to ask about an application.
 *
 * A reference is KIOSK_REFERENCE_LENGTH symbols from the 32-symbol
 * alphabet KIOSK_REFERENCE_ALPHABET (digits and capitals without 0, 1, I
 * and O, which are easily confused): KIOSK_REFERENCE_LENGTH - 1 random
 * symbols (45 bits from getrandom) and one check symbol.
 *
 * The check symbol: each symbol is read as an element of GF(32) (its index
 * in the alphabet, as a polynomial over GF(2) modulo x^5 + x^2 + 1); the
 * code is valid when  sum_i d_i * a^(n-1-i) = 0  with a = x (the element 2).
 * This is Damm's check-digit construction with the totally anti-symmetric
 * quasigroup  u * v = a*u + v  over GF(32) (H. M. Damm, 2004), evaluated as
 * a Horner scheme. It detects
 *   - every single substituted symbol (the weights a^k are never 0),
 *   - every swap of two adjacent symbols, the check symbol included
 *     ((a + 1)(x - y) != 0 for x != y, as a != 1),
 *   - every swap of two symbols one apart (a^2 != 1 in GF(32)).
 * The tests check the first two exhaustively.
 *
 * Canonical form: the symbols only, upper case, e.g. "K7M4QX9PRZ"; this is
 * what the queue stores. Display form: two groups of five joined by a
 * hyphen, "K7M4Q-X9PRZ". */

#define KIOSK_REFERENCE_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#define KIOSK_REFERENCE_LENGTH   10
/* Length of the display form, hyphen included. */
#define KIOSK_REFERENCE_DISPLAY_LENGTH (KIOSK_REFERENCE_LENGTH + 1)

#define KIOSK_REFERENCE_ERROR (kiosk_reference_error_quark ())
GQuark kiosk_reference_error_quark (void);

typedef enum {
  KIOSK_REFERENCE_ERROR_CHARACTER,  /* a symbol outside the alphabet */
  KIOSK_REFERENCE_ERROR_LENGTH,     /* too few or too many symbols */
  KIOSK_REFERENCE_ERROR_CHECK,      /* the check symbol does not match */
} KioskReferenceError;

/* A new random reference in canonical form (newly allocated). Uses the
 * kernel's random source (getrandom); never fails. */
char     *kiosk_reference_generate  (void);

/* The check symbol for @payload: @length symbols of the alphabet, upper
 * case. Returns '\0' when @payload holds a symbol outside the alphabet. */
char      kiosk_reference_check_symbol (const char *payload,
                                        gsize       length);

/* Reads a reference as a person typed it: lower case is accepted, spaces
 * (any Unicode white space) and hyphens are ignored. Returns the canonical
 * form (newly allocated), or NULL and an error that says what is wrong in
 * words a citizen or clerk can act on (it may name the one offending
 * character; 0, 1, I and O get a hint that they never occur). */
char     *kiosk_reference_normalize (const char  *input,
                                     GError     **error);

/* TRUE when @reference is in canonical form and its check symbol matches. */
gboolean  kiosk_reference_is_valid  (const char *reference);

/* The display form ("K7M4Q-X9PRZ") of a canonical reference (newly
 * allocated). Anything else is returned unchanged (copied). */
char     *kiosk_reference_format    (const char *reference);

G_END_DECLS
