/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The candidate closest to @word (Levenshtein distance, ASCII letters
 * compared without case) if it is close enough to be a typo: at most
 * @max_distance edits, or with @max_distance 0 at most a third of the
 * candidate's length (at least 1). NULL when none is, or when @word or a
 * candidate is longer than 64 bytes (no suggestion for such keys; the cost
 * stays bounded whatever a hostile file holds). The first of equally close
 * candidates wins. */
const char *kiosk_suggest_word (const char        *word,
                                const char *const *candidates,
                                guint              max_distance);

G_END_DECLS
