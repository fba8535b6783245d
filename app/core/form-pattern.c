/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-form"

/* The safety check of a field's pattern (catastrophic backtracking) and
 * the match limit it runs under (form-private.h). */

#include "config.h"

#include <string.h>

#include "form-private.h"

/* Regular expressions that backtrack catastrophically. A group that
 * contains an unbounded repeat ("*", "+", "{n,}") and is itself repeated
 * without bound, as in "(a+)+" or "(?:[a-z]+ ?)*", can take exponential
 * time to reject an input; such a pattern is refused when the form loads.
 * Possessive repeats ("a++", "(…)*+") and atomic groups ("(?>…)", and
 * lookarounds, which PCRE2 treats as atomic) never backtrack into what they
 * matched and are allowed. This is a syntactic check of PCRE2 syntax; what
 * it cannot see (overlapping alternatives such as "(a|a)*") is bounded by
 * the match limit (_kiosk_form_pattern_match_limit()). Returns the _kiosk_form_problem, or NULL,
 * with the 0-based byte offset of the offending quantifier in @offset. */

typedef struct {
  gboolean atomic;        /* atomic group or lookaround */
  gboolean unbounded;     /* contains a backtracking unbounded repeat */
} RegexFrame;

/* The end of the escape that starts at p[i] ("\\"): its letter and, for
 * the escapes that take one, its argument ("\\x{41}", "\\p{L}", "\\k<n>",
 * "\\cA"); "\\d{2}" is "\\d" followed by a quantifier. */
static gsize
skip_escape (const char *p, gsize i)
{
  char letter = p[i + 1];
  char close;

  if (letter == '\0')
    return i + 1;
  i += 2;
  if (letter == 'c' && p[i] != '\0')
    return i + 1;
  if (strchr ("xopPNgk", letter) == NULL)
    return i;
  close = p[i] == '{' ? '}' : p[i] == '<' ? '>' : p[i] == '\'' ? '\'' : '\0';
  if (close == '\0')
    return i;
  for (i++; p[i] != '\0' && p[i] != close; i++)
    ;
  return p[i] == close ? i + 1 : i;
}

/* A quantifier at p[i]: its length, whether it is unbounded, and whether
 * it is possessive; 0 when p[i] starts none. */
static gsize
quantifier_at (const char *p,
               gsize       i,
               gboolean   *unbounded,
               gboolean   *possessive)
{
  gsize j = i;

  *unbounded = FALSE;
  if (p[j] == '*' || p[j] == '+')
    {
      *unbounded = TRUE;
      j++;
    }
  else if (p[j] == '?')
    j++;
  else if (p[j] == '{')
    {
      gsize digits = 0;

      for (j++; g_ascii_isdigit (p[j]); j++)
        digits++;
      if (digits == 0)
        return 0;
      if (p[j] == ',')
        {
          gsize max_digits = 0;

          for (j++; g_ascii_isdigit (p[j]); j++)
            max_digits++;
          *unbounded = max_digits == 0;
        }
      if (p[j] != '}')
        return 0;
      j++;
    }
  else
    return 0;
  *possessive = p[j] == '+';
  if (p[j] == '+' || p[j] == '?')
    j++;
  return j - i;
}

/* The end of the character class that starts at p[i] ("["). */
static gsize
skip_class (const char *p,
            gsize       i)
{
  i++;
  if (p[i] == '^')
    i++;
  if (p[i] == ']')
    i++;
  while (p[i] != '\0' && p[i] != ']')
    {
      if (p[i] == '\\')
        i = skip_escape (p, i);
      else if (p[i] == '[' && p[i + 1] == ':')
        {
          const char *end = strstr (p + i + 2, ":]");
          i = end != NULL ? (gsize) (end - p) + 2 : i + 1;
        }
      else
        i++;
    }
  return p[i] == ']' ? i + 1 : i;
}

/* The end of the escape at p[i], a quoted "\\Q…\\E" included. */
static gsize
skip_escape_or_quote (const char *p,
                      gsize       i)
{
  if (p[i + 1] == 'Q')
    {
      const char *end = strstr (p + i + 2, "\\E");
      return end != NULL ? (gsize) (end - p) + 2 : strlen (p);
    }
  return skip_escape (p, i);
}

/* The walk over a pattern: the open groups and what the next quantifier
 * applies to. */
typedef struct {
  GArray     *stack;   /* of RegexFrame: the groups around the current one */
  RegexFrame  top;     /* the current group */
  /* What the next quantifier applies to: 0 nothing, 1 an atom that cannot
   * contain a repeat, 2 a group (then @last is that group). */
  int         atom;
  RegexFrame  last;
} RegexWalk;

/* "(" at p[i]: a comment is skipped, any other group opened. Returns the
 * position after it. */
static gsize
open_group (RegexWalk  *walk,
            const char *p,
            gsize       i)
{
  walk->atom = 0;
  if (p[i + 1] == '?' && p[i + 2] == '#')
    {
      const char *end = strchr (p + i, ')');
      return end != NULL ? (gsize) (end - p) + 1 : strlen (p);
    }
  g_array_append_val (walk->stack, walk->top);
  walk->top.unbounded = FALSE;
  walk->top.atomic = p[i + 1] == '?'
                     && (p[i + 2] == '>' || p[i + 2] == '=' || p[i + 2] == '!'
                         || (p[i + 2] == '<' && (p[i + 3] == '=' || p[i + 3] == '!')));
  return i + 1;
}

/* ")": closes the current group; FALSE when none is open. */
static gboolean
close_group (RegexWalk *walk)
{
  if (walk->stack->len == 0)
    return FALSE;
  walk->last = walk->top;
  walk->top = g_array_index (walk->stack, RegexFrame, walk->stack->len - 1);
  g_array_set_size (walk->stack, walk->stack->len - 1);
  if (walk->last.unbounded && !walk->last.atomic)
    walk->top.unbounded = TRUE;
  walk->atom = 2;
  return TRUE;
}

const char *
_kiosk_form_pattern_problem (const char *p,
                             gsize      *offset)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, TRUE, sizeof (RegexFrame));
  RegexWalk walk = { stack, { FALSE, FALSE }, 0, { FALSE, FALSE } };
  gsize i = 0;

  while (p[i] != '\0')
    {
      gboolean unbounded, possessive;
      gsize n = quantifier_at (p, i, &unbounded, &possessive);

      if (n > 0 && walk.atom != 0)
        {
          if (unbounded && !possessive)
            {
              if (walk.atom == 2 && walk.last.unbounded && !walk.last.atomic)
                {
                  *offset = i;
                  return "nested";
                }
              walk.top.unbounded = TRUE;
            }
          walk.atom = 0;
          i += n;
          continue;
        }
      walk.atom = 1;
      switch (p[i])
        {
        case '\\':
          i = skip_escape_or_quote (p, i);
          break;
        case '[':
          i = skip_class (p, i);
          break;
        case '(':
          i = open_group (&walk, p, i);
          break;
        case ')':
          if (!close_group (&walk))
            {
              *offset = i;
              return "unbalanced";
            }
          i++;
          break;
        case '|':
        case '^':
        case '$':
          walk.atom = 0;
          i++;
          break;
        default:
          i = (gsize) (g_utf8_next_char (p + i) - p);
          break;
        }
    }
  return NULL;
}

/* The most backtracking steps one match of a pattern may take (PCRE2's
 * match limit, set in the pattern as "(*LIMIT_MATCH=…)"): enough for any
 * pattern that does not backtrack catastrophically to match the longest
 * value the field takes (at most 16 bytes, so at most 16 code points, per
 * character of max_length; a linear pattern takes one or two steps per code
 * point), far below PCRE2's default of 10,000,000, which takes about 0.1 s
 * per match. A match that reaches it is a fault of the form, reported to
 * the administrator (answers.c). */
guint
_kiosk_form_pattern_match_limit (gint max_length)
{
  return 100000 + 32 * (guint) MAX (max_length, 0);
}
