/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

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

G_END_DECLS
