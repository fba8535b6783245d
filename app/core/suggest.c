/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "Did you mean …?" for unknown keys and groups, in forms and in the
 * configuration. */
#define G_LOG_DOMAIN "antragskiosk-suggest"

#include "config.h"

#include <string.h>

#include "antragskiosk/suggest.h"

#define WORD_MAX 64

static guint
edit_distance (const char *a,
               gsize       la,
               const char *b,
               gsize       lb)
{
  guint row[WORD_MAX + 1];

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[lb];
}

const char *
kiosk_suggest_word (const char        *word,
                    const char *const *candidates,
                    guint              max_distance)
{
  gsize la = strlen (word);
  const char *best = NULL;
  guint best_distance = G_MAXUINT;

  if (la > WORD_MAX)
    return NULL;
  for (gsize i = 0; candidates[i] != NULL; i++)
    {
      gsize lb = strlen (candidates[i]);
      guint d;

      if (lb > WORD_MAX)
        continue;
      d = edit_distance (word, la, candidates[i], lb);
      if (d < best_distance)
        {
          best_distance = d;
          best = candidates[i];
        }
    }
  if (best == NULL)
    return NULL;
  if (max_distance == 0)
    max_distance = MAX (1u, (guint) strlen (best) / 3);
  return best_distance <= max_distance ? best : NULL;
}
