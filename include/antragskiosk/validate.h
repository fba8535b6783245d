/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Field validators (FORMS.md). Each takes what the citizen typed and either
 * returns TRUE and a newly allocated normalised value in *normalized (the
 * value that goes into the submitted data), or returns FALSE and sets
 * @error in KIOSK_VALIDATE_ERROR with a message, in the current language
 * (kiosk_i18n_set_language()), that says how to fix the input, e.g.
 * "Die IBAN hat 22 Stellen, Sie haben 21 eingegeben." The messages never
 * quote the whole input back (it may be personal), but may name one
 * offending character.
 *
 * @normalized may be NULL when only the verdict is wanted. Input is UTF-8;
 * invalid UTF-8 is rejected with KIOSK_VALIDATE_ERROR_ENCODING. Leading and
 * trailing white space is ignored by every validator. */

#define KIOSK_VALIDATE_ERROR (kiosk_validate_error_quark ())
GQuark kiosk_validate_error_quark (void);

typedef enum {
  KIOSK_VALIDATE_ERROR_ENCODING,   /* not valid UTF-8 */
  KIOSK_VALIDATE_ERROR_FORMAT,     /* wrong shape: letters in a PLZ, no @ … */
  KIOSK_VALIDATE_ERROR_LENGTH,     /* wrong number of characters */
  KIOSK_VALIDATE_ERROR_CHECKSUM,   /* check digit wrong */
  KIOSK_VALIDATE_ERROR_COUNTRY,    /* unknown IBAN country */
  KIOSK_VALIDATE_ERROR_CALENDAR,   /* no such day, e.g. 29.02.2023 */
  KIOSK_VALIDATE_ERROR_CHARACTER,  /* a character not allowed (DIN 91379) */
  KIOSK_VALIDATE_ERROR_RANGE,      /* value or date outside declared bounds */
} KioskValidateError;

/* IBAN: spaces allowed in the input; country code known (every country of
 * the SWIFT IBAN registry, with its length); mod-97 check. Normalised:
 * compact upper case ("DE89370400440532013000"). */
gboolean kiosk_validate_iban      (const char *input, char **normalized, GError **error);

/* The IBAN length for an ISO 3166 alpha-2 country code, or 0 when the
 * country does not use IBANs. */
guint    kiosk_iban_length        (const char *country_code);

/* Steuerliche Identifikationsnummer: 11 digits (spaces allowed in input),
 * first not 0, digit-repetition rule, ISO 7064 MOD 11,10 check digit.
 * Normalised: 11 digits. */
gboolean kiosk_validate_tax_id    (const char *input, char **normalized, GError **error);

/* German Postleitzahl: exactly 5 digits. Normalised: the 5 digits. */
gboolean kiosk_validate_postcode  (const char *input, char **normalized, GError **error);

/* A calendar date as TT.MM.JJJJ (also T.M.JJJJ) or ISO JJJJ-MM-TT, year
 * 1000–9999, with a real calendar check. Normalised: ISO "YYYY-MM-DD". */
gboolean kiosk_validate_date      (const char *input, char **normalized, GError **error);

/* DIN 91379 data types. */
typedef enum {
  KIOSK_DIN_TYPE_A,   /* names of natural persons: letters + N1 */
  KIOSK_DIN_TYPE_B,   /* A + N2 */
  KIOSK_DIN_TYPE_C,   /* B + N3 + N4 */
} KioskDinType;

/* Checks a string against DIN 91379 (list 1.3) data type @type: NFC first,
 * then glyph by glyph (a base character with its combining marks must be a
 * listed letter or sequence). The error names the first offending
 * character. Normalised: the NFC string. */
gboolean kiosk_validate_din91379  (const char *input, KioskDinType type, char **normalized, GError **error);

/* E-mail: a pragmatic RFC 5322 addr-spec subset (dot-atom local part,
 * domain with at least one dot, labels of letters/digits/hyphens, no
 * network look-up). Normalised: trimmed, domain lower-cased. */
gboolean kiosk_validate_email     (const char *input, char **normalized, GError **error);

/* Phone: E.164-like: optional leading + (or 00), 6–15 digits, spaces, '/',
 * '-' and one pair of parentheses allowed as separators. A number starting
 * with a single 0 is a national German number. Normalised: "+" and digits
 * for international numbers ("+4930123456"), digits for national ones. */
gboolean kiosk_validate_phone     (const char *input, char **normalized, GError **error);

/* @utf8 (@length bytes, or -1: NUL-terminated) in Unicode Normalization
 * Form C, newly allocated; NULL when it is not valid UTF-8. The same result
 * as g_utf8_normalize (…, G_NORMALIZE_NFC), in linear time: GLib 2.74's
 * composition step moves the rest of its buffer for every character it
 * composes, so 100,000 characters such as "á" or "й" took seconds. */
char    *kiosk_utf8_nfc           (const char *utf8, gssize length);

/* Number of user-perceived characters (a base character with its
 * combining marks counts as one) of a UTF-8 string after NFC; this is what
 * length limits count. Returns -1 for invalid UTF-8. */
glong    kiosk_text_length        (const char *utf8);

G_END_DECLS
