/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The on-screen keyboard's letter tables (kiosk-keyboard-letters.c):
 * every letter of DIN 91379 (list 1.3, group bll) and every non-letter of
 * N1 that the base layout lacks, grouped by the key whose long press
 * shows them. Shared by the keyboard and its tests, not public. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *lower;   /* shown and typed without shift */
  char *upper;   /* with shift; equal to lower for a letter of one case */
  char *name;    /* accessible label of the key: "n with tilde" */
} _KioskKeyVariant;

typedef struct {
  const char *key;        /* the base key: "a" … "z", or "’" */
  GPtrArray  *variants;   /* of _KioskKeyVariant, in code point order */
} _KioskKeyGroup;

/* The groups, built once (at the first call) from the tables, one per base
 * key that has variants, in the order a … z, then "’". Never NULL. */
const GPtrArray       *_kiosk_keyboard_groups        (void);
/* The group shown by a long press on @key ("a", "ä", "’", …), or NULL. */
const _KioskKeyGroup  *_kiosk_keyboard_group_for_key (const char *key);
/* The base key under which the letter @letter (UTF-8, one DIN 91379 letter
 * or sequence) is filed: its canonical decomposition's first character in
 * lower case, or the hand-made table for letters without such a base
 * (ß → s, ł → l, ə → e, …). NULL when there is none. */
const char            *_kiosk_keyboard_base_of       (const char *letter);

G_END_DECLS
