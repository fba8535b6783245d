/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include <antragskiosk/validate.h>

G_BEGIN_DECLS

/* What DIN 91379 (list 1.3) says about a single code point on its own. */
typedef enum {
  _KIOSK_DIN_NONE = 0,   /* not listed as a character of its own */
  _KIOSK_DIN_LETTER,     /* group bll, single character */
  _KIOSK_DIN_N1,         /* bnlreq */
  _KIOSK_DIN_N2,         /* bnl */
  _KIOSK_DIN_N3,         /* bnlopt */
  _KIOSK_DIN_N4,         /* bnlnot */
} _KioskDinClass;

/* The class of @c (binary search over the range table). */
_KioskDinClass _kiosk_din_char_class  (gunichar c);

/* Whether @cps[0..@n) is one of the listed letter sequences (group bll,
 * "seq": a base letter with combining marks). */
gboolean       _kiosk_din_is_sequence (const gunichar *cps,
                                       gsize           n);

/* validate.c: what the validators share. */

/* Characters a person cannot see or that would not show on their own
 * (control and format characters, separators, unassigned code points,
 * combining marks): messages name them as U+XXXX. */
gboolean    _kiosk_validate_char_is_invisible (gunichar c);
/* One character as it may appear in a message: itself, or U+XXXX when it
 * would be invisible. Writes into @buf (at least 16 bytes). */
const char *_kiosk_validate_char_for_message (gunichar c, char buf[16]);
/* Sets @error to @message; returns FALSE. */
gboolean    _kiosk_validate_fail             (GError **error, KioskValidateError code, const char *message);
gboolean    _kiosk_validate_fail_printf      (GError **error, KioskValidateError code,
                                              const char *format, ...) G_GNUC_PRINTF (3, 4);
/* Checks the encoding and trims white space at both ends: on success,
 * [*start, *end) is the part of @input to validate. */
gboolean    _kiosk_validate_prepare_input    (const char *input, const char **start, const char **end,
                                              GError **error);
/* Stores a copy of @len bytes of @value in *@normalized, when asked for. */
void        _kiosk_validate_set_normalized   (char **normalized, const char *value, gsize len);
/* Reads [p, end) as a code written with separating spaces: keeps ASCII
 * digits (and, with @letters, ASCII letters, upper-cased) in @buf, at most
 * @size - 1 of them, and skips white space. Returns how many it met in all;
 * on any other character returns -1 and stores that character in @bad. */
gssize      _kiosk_validate_scan_code        (const char *p, const char *end, gboolean letters, char *buf,
                                              gsize size, gunichar *bad);

G_END_DECLS
