/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-form"

#include "config.h"

#include <string.h>

#include <antragskiosk/file.h>
#include <antragskiosk/form.h>
#include <antragskiosk/suggest.h>
#include <antragskiosk/validate.h>

#include "form-private.h"
#include "json-doc-private.h"

/* The loader checks a form definition completely and reports every problem
 * with file, line, column and JSON path. Our own parser (json-doc.c) reads
 * the text and knows where every value and key starts; problems found in
 * the tree take their line and column from there. */

#define MAX_GROUP_DEPTH  4
#define MAX_OCCURS       100
#define MAX_ELEMENTS     20000
#define DEFAULT_MAX_LENGTH           200
#define DEFAULT_MAX_LENGTH_MULTILINE 4000

typedef struct {
  guint line;
  guint column;
} Pos;

/* A step of the JSON path to the node being checked; rendered only when a
 * problem is reported. */
typedef struct _PathSeg PathSeg;
struct _PathSeg {
  const PathSeg   *parent;
  const KioskJson *object;  /* the container the step is in */
  const KioskJson *array;
  const char      *key;
  guint            index;
};

typedef struct {
  KioskElement *element;
  const char   *member;
  KioskExpr    *expr;
  Pos           pos;
  char         *path;
} PendingExpr;

typedef struct {
  const char      *file;
  GPtrArray       *problems;
  const KioskJson *root;
  KioskForm       *form;
  GArray          *pending;      /* of PendingExpr */
  GHashTable      *regexes;      /* anchored pattern → GRegex */
  GHashTable      *code_lists;   /* name → KioskCodeList* (borrowed from the form) */
} Loader;

static gboolean
is_forbidden_char (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029
         || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* @s with every control, separator and bidi character written \uXXXX
 * (invalid UTF-8 as \xXX). */
static char *
escape_controls (const char *s)
{
  GString *out;

  if (s == NULL)
    return NULL;
  out = g_string_sized_new (strlen (s));
  for (const char *p = s; *p != '\0';)
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02X", (guchar) *p);
          p++;
          continue;
        }
      if (is_forbidden_char (c))
        g_string_append_printf (out, "\\u%04X", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}

static void
add_problem_at (Loader     *loader,
                Pos         pos,
                const char *path,
                const char *format,
                ...) G_GNUC_PRINTF (4, 5);

static void
add_problem_at (Loader     *loader,
                Pos         pos,
                const char *path,
                const char *format,
                ...)
{
  KioskFormProblem *problem = g_new0 (KioskFormProblem, 1);
  g_autofree char *message = NULL;
  va_list args;

  problem->file = g_strdup (loader->file);
  problem->line = pos.line;
  problem->column = pos.column;
  /* Keys and values quoted in a path or message are the author's text:
   * no control or bidi character of theirs reaches a terminal or a log. */
  problem->path = escape_controls (path);
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  problem->message = escape_controls (message);
  g_ptr_array_add (loader->problems, problem);
}

/* Paths and positions of nodes. */

static void
render_path (GString *out, const PathSeg *seg)
{
  if (seg == NULL)
    {
      g_string_append_c (out, '$');
      return;
    }
  render_path (out, seg->parent);
  if (seg->key != NULL)
    g_string_append_printf (out, ".%s", seg->key);
  else
    g_string_append_printf (out, "[%u]", seg->index);
}

static char *
path_to_string (const PathSeg *seg)
{
  GString *out = g_string_new (NULL);

  render_path (out, seg);
  return g_string_free (out, FALSE);
}

/* Where @node starts; for a missing node (NULL), where the nearest
 * existing node on @seg's path starts. */
static Pos
node_pos (Loader          *loader,
          const KioskJson *node,
          const PathSeg   *seg)
{
  for (; node == NULL && seg != NULL; seg = seg->parent)
    {
      if (seg->object != NULL && seg->key != NULL)
        node = kiosk_json_get (seg->object, seg->key);
      else if (seg->array != NULL && seg->index < seg->array->length)
        node = &seg->array->v.elements[seg->index];
    }
  if (node == NULL)
    node = loader->root;
  if (node == NULL)
    return (Pos) { 1, 1 };
  return (Pos) { node->line, node->column };
}

static void
problem (Loader          *loader,
         const KioskJson *node,
         const PathSeg   *seg,
         const char      *format,
         ...) G_GNUC_PRINTF (4, 5);

static void
problem (Loader          *loader,
         const KioskJson *node,
         const PathSeg   *seg,
         const char      *format,
         ...)
{
  g_autofree char *path = path_to_string (seg);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  add_problem_at (loader, node_pos (loader, node, seg), path, "%s", message);
}

#define MEMBER_SEG(name, parent_seg, obj, k) \
  PathSeg name = { .parent = (parent_seg), .object = (obj), .array = NULL, .key = (k), .index = 0 }
#define ELEMENT_SEG(name, parent_seg, arr, i) \
  PathSeg name = { .parent = (parent_seg), .object = NULL, .array = (arr), .key = NULL, .index = (i) }

/* Every key some element takes (for "does not apply to"). */
static const char * const all_element_keys[] = {
  "id", "kind", "label", "title", "help", "relevant", "items", "min", "max",
  "placeholder", "required", "constraint", "constraint_message", "min_length",
  "max_length", "pattern", "pattern_message", "code_list", "not_future",
  "not_past", "min_date", "max_date", "min_age", "max_age", NULL
};

/* Every key of @object must be one of @allowed; an unknown key is
 * reported where it stands, with the closest allowed key if there is one. */
static void
check_keys (Loader             *loader,
            const KioskJson    *object,
            const PathSeg      *seg,
            const char * const *allowed,
            const char         *what)
{
  for (guint32 m = 0; m < object->length; m++)
    {
      const KioskJsonMember *member = &object->v.members[m];
      const char *key = member->key;
      const char *suggestion;
      Pos pos = { member->key_line, member->key_column };
      MEMBER_SEG (member_seg, seg, object, key);
      g_autofree char *path = NULL;

      if (g_strv_contains (allowed, key))
        continue;
      suggestion = kiosk_suggest_word (key, allowed, 2);
      path = path_to_string (&member_seg);
      if (suggestion != NULL)
        add_problem_at (loader, pos, path, "unknown key \"%s\" in %s (did you mean \"%s\"?)", key, what, suggestion);
      else if (g_strv_contains (all_element_keys, key))
        add_problem_at (loader, pos, path, "key \"%s\" does not apply to %s; remove it", key, what);
      else
        add_problem_at (loader, pos, path, "unknown key \"%s\" in %s; see docs/forms.md for the keys it takes", key, what);
    }
}

/* Control characters (C0, DEL, C1), the line and paragraph separators and
 * the bidi embedding/override/isolate controls have no place in a form's
 * strings: a title with ESC would drive the terminal `forms` prints to, and
 * a bidi override would show a text other than the one checked. Returns the
 * first such character and its 1-based character position, else 0. */
static gunichar
forbidden_char (const char *s,
                glong      *position)
{
  glong n = 0;

  /* The JSON parser hands over valid UTF-8 only. */
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      n++;
      if (is_forbidden_char (c))
        {
          *position = n;
          return c;
        }
    }
  return 0;
}

/* Typed getters. Each reports a problem and returns a neutral value when
 * the member is missing (and @required) or has the wrong type. */

static const KioskJson *
get_member (Loader        *loader,
            const KioskJson    *object,
            const PathSeg *seg,
            const char    *key,
            gboolean       required,
            const char    *what)
{
  const KioskJson *node = kiosk_json_get (object, key);

  if (node == NULL && required)
    problem (loader, NULL, seg, "%s needs the key \"%s\"", what, key);
  return node;
}

static const char *
get_string (Loader        *loader,
            const KioskJson    *object,
            const PathSeg *seg,
            const char    *key,
            gboolean       required,
            const char    *what)
{
  const KioskJson *node = get_member (loader, object, seg, key, required, what);
  gunichar bad;
  glong position = 0;
  MEMBER_SEG (member_seg, seg, object, key);

  if (node == NULL)
    return NULL;
  if (!kiosk_json_is_string (node))
    {
      problem (loader, node, &member_seg, "\"%s\" must be a string, not %s", key, kiosk_json_type_name (node));
      return NULL;
    }
  if (*node->v.string == '\0')
    {
      problem (loader, node, &member_seg, "\"%s\" must not be empty", key);
      return NULL;
    }
  bad = forbidden_char (node->v.string, &position);
  if (bad != 0)
    {
      problem (loader, node, &member_seg,
               "\"%s\" contains the control character U+%04X at character %ld; remove it (form strings may not "
               "contain control characters, line breaks or bidi controls)", key, bad, position);
      return NULL;
    }
  return node->v.string;
}

static gboolean
get_bool (Loader        *loader,
          const KioskJson    *object,
          const PathSeg *seg,
          const char    *key,
          gboolean       fallback)
{
  const KioskJson *node = kiosk_json_get (object, key);
  MEMBER_SEG (member_seg, seg, object, key);

  if (node == NULL)
    return fallback;
  if (node->type != KIOSK_JSON_BOOLEAN)
    {
      problem (loader, node, &member_seg, "\"%s\" must be true or false, not %s", key, kiosk_json_type_name (node));
      return fallback;
    }
  return node->v.boolean;
}

static gboolean
get_integer (Loader        *loader,
             const KioskJson    *object,
             const PathSeg *seg,
             const char    *key,
             gint64         min,
             gint64         max,
             gint64        *out)
{
  const KioskJson *node = kiosk_json_get (object, key);
  MEMBER_SEG (member_seg, seg, object, key);

  if (node == NULL)
    return FALSE;
  if (node->type != KIOSK_JSON_INTEGER)
    {
      problem (loader, node, &member_seg, "\"%s\" must be a whole number, not %s", key, kiosk_json_type_name (node));
      return FALSE;
    }
  if (node->v.integer < min || node->v.integer > max)
    {
      problem (loader, node, &member_seg, "\"%s\" must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
               key, min, max);
      return FALSE;
    }
  *out = node->v.integer;
  return TRUE;
}

static gboolean
get_number (Loader        *loader,
            const KioskJson    *object,
            const PathSeg *seg,
            const char    *key,
            double        *out)
{
  const KioskJson *node = kiosk_json_get (object, key);
  MEMBER_SEG (member_seg, seg, object, key);

  if (node == NULL)
    return FALSE;
  if (node->type != KIOSK_JSON_INTEGER && node->type != KIOSK_JSON_DOUBLE)
    {
      problem (loader, node, &member_seg, "\"%s\" must be a number, not %s", key, kiosk_json_type_name (node));
      return FALSE;
    }
  *out = kiosk_json_get_number (node);
  return TRUE;
}

static gboolean
is_language_code (const char *s)
{
  return strlen (s) == 2 && g_ascii_islower (s[0]) && g_ascii_islower (s[1]);
}

static KioskText *
get_text (Loader        *loader,
          const KioskJson    *object,
          const PathSeg *seg,
          const char    *key,
          gboolean       required,
          const char    *what)
{
  const KioskJson *node = get_member (loader, object, seg, key, required, what);
  KioskText *text;
  const KioskJson *map;
  gboolean ok = TRUE;
  gunichar bad;
  glong position = 0;
  MEMBER_SEG (member_seg, seg, object, key);

  if (node == NULL)
    return NULL;
  if (!kiosk_json_is_object (node))
    {
      problem (loader, node, &member_seg,
               "\"%s\" must be a language map like {\"de\": \"…\", \"en\": \"…\"}, not %s",
               key, kiosk_json_type_name (node));
      return NULL;
    }
  map = node;
  if (kiosk_json_get (map, "de") == NULL)
    {
      problem (loader, node, &member_seg, "\"%s\" needs a German text (key \"de\"); other languages fall back to it", key);
      ok = FALSE;
    }
  text = _kiosk_text_new ();
  for (guint32 m = 0; m < map->length; m++)
    {
      const char *lang = map->v.members[m].key;
      const KioskJson *value = &map->v.members[m].value;
      MEMBER_SEG (lang_seg, &member_seg, map, lang);

      if (!is_language_code (lang))
        {
          problem (loader, value, &lang_seg,
                   "\"%s\" is not a language code; use two lower-case letters (ISO 639-1) such as \"de\" or \"en\"", lang);
          ok = FALSE;
          continue;
        }
      if (!kiosk_json_is_string (value))
        {
          problem (loader, value, &lang_seg, "the %s text must be a string, not %s", lang, kiosk_json_type_name (value));
          ok = FALSE;
          continue;
        }
      bad = forbidden_char (value->v.string, &position);
      if (bad != 0)
        {
          problem (loader, value, &lang_seg,
                   "the %s text contains the control character U+%04X at character %ld; remove it (form texts may not "
                   "contain control characters such as escape sequences, line breaks or tabs, nor bidi controls)",
                   lang, bad, position);
          ok = FALSE;
          continue;
        }
      _kiosk_text_add (text, lang, value->v.string);
    }
  for (guint i = 0; i < text->n_entries; i++)
    {
      const char *s = text->entries[i].text;
      while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
      if (*s == '\0')
        {
          MEMBER_SEG (lang_seg, &member_seg, map, text->entries[i].lang);
          problem (loader, kiosk_json_get (map, text->entries[i].lang), &lang_seg,
                   "the %s text is empty; write the text or remove the entry", text->entries[i].lang);
          ok = FALSE;
        }
    }
  if (!ok)
    {
      _kiosk_text_free (text);
      return NULL;
    }
  return text;
}

static gboolean
is_form_id (const char *s)
{
  gsize n = strlen (s);

  if (n == 0 || n > 64 || !g_ascii_islower (s[0]))
    return FALSE;
  for (gsize i = 1; i < n; i++)
    if (!g_ascii_islower (s[i]) && !g_ascii_isdigit (s[i]) && s[i] != '_' && s[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
is_element_id (const char *s)
{
  static const char * const reserved[] = { "and", "or", "not", "in", "true", "false", "null", NULL };
  gsize n = strlen (s);

  if (n == 0 || n > 64 || !g_ascii_islower (s[0]) || g_strv_contains (reserved, s))
    return FALSE;
  for (gsize i = 1; i < n; i++)
    if (!g_ascii_islower (s[i]) && !g_ascii_isdigit (s[i]) && s[i] != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_iso_date (const char *s)
{
  g_autofree char *normalized = NULL;

  return strlen (s) == 10 && s[4] == '-' && kiosk_validate_date (s, &normalized, NULL)
         && strcmp (normalized, s) == 0;
}

/* The 1-based character position of byte @offset in @source, as a form
 * author counts it. */
static glong
character_at (const char *source,
              gsize       offset)
{
  gsize length = strlen (source);

  return g_utf8_pointer_to_offset (source, source + MIN (offset, length)) + 1;
}

/* Regular expressions that backtrack catastrophically. A group that
 * contains an unbounded repeat ("*", "+", "{n,}") and is itself repeated
 * without bound, as in "(a+)+" or "(?:[a-z]+ ?)*", can take exponential
 * time to reject an input; such a pattern is refused when the form loads.
 * Possessive repeats ("a++", "(…)*+") and atomic groups ("(?>…)", and
 * lookarounds, which PCRE2 treats as atomic) never backtrack into what they
 * matched and are allowed. This is a syntactic check of PCRE2 syntax; what
 * it cannot see (overlapping alternatives such as "(a|a)*") is bounded by
 * the match limit (pattern_match_limit()). Returns the problem, or NULL,
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

static const char *
pattern_backtracking_problem (const char *p,
                              gsize      *offset)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, TRUE, sizeof (RegexFrame));
  RegexFrame top = { FALSE, FALSE };
  /* What the next quantifier applies to: 0 nothing, 1 an atom that cannot
   * contain a repeat, 2 a group (then @last is that group). */
  int atom = 0;
  RegexFrame last = { FALSE, FALSE };
  gsize i = 0;

  while (p[i] != '\0')
    {
      gboolean unbounded, possessive;
      gsize n = quantifier_at (p, i, &unbounded, &possessive);

      if (n > 0 && atom != 0)
        {
          if (unbounded && !possessive)
            {
              if (atom == 2 && last.unbounded && !last.atomic)
                {
                  *offset = i;
                  return "nested";
                }
              top.unbounded = TRUE;
            }
          atom = 0;
          i += n;
          continue;
        }
      atom = 1;
      switch (p[i])
        {
        case '\\':
          if (p[i + 1] == 'Q')
            {
              const char *end = strstr (p + i + 2, "\\E");
              i = end != NULL ? (gsize) (end - p) + 2 : strlen (p);
              break;
            }
          i = skip_escape (p, i);
          break;
        case '[':
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
          if (p[i] == ']')
            i++;
          break;
        case '(':
          if (p[i + 1] == '?' && p[i + 2] == '#')
            {
              const char *end = strchr (p + i, ')');
              i = end != NULL ? (gsize) (end - p) + 1 : strlen (p);
              atom = 0;
              break;
            }
          g_array_append_val (stack, top);
          top.unbounded = FALSE;
          top.atomic = p[i + 1] == '?'
                       && (p[i + 2] == '>' || p[i + 2] == '=' || p[i + 2] == '!'
                           || (p[i + 2] == '<' && (p[i + 3] == '=' || p[i + 3] == '!')));
          atom = 0;
          i++;
          break;
        case ')':
          if (stack->len == 0)
            {
              *offset = i;
              return "unbalanced";
            }
          last = top;
          top = g_array_index (stack, RegexFrame, stack->len - 1);
          g_array_set_size (stack, stack->len - 1);
          if (last.unbounded && !last.atomic)
            top.unbounded = TRUE;
          atom = 2;
          i++;
          break;
        case '|':
        case '^':
        case '$':
          atom = 0;
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
static guint
pattern_match_limit (gint max_length)
{
  return 100000 + 32 * (guint) MAX (max_length, 0);
}

/* Expressions are parsed at once and their references checked once every
 * id is known. */
static KioskExpr *
parse_expr (Loader        *loader,
            KioskElement  *element,
            const KioskJson    *object,
            const PathSeg *seg,
            const char    *key)
{
  const KioskJson *node = kiosk_json_get (object, key);
  g_autoptr(GError) error = NULL;
  PendingExpr pending = { 0 };
  gsize offset = 0;
  KioskExpr *expr;
  gunichar bad;
  glong position = 0;
  MEMBER_SEG (member_seg, seg, object, key);

  if (node == NULL)
    return NULL;
  if (!kiosk_json_is_string (node))
    {
      problem (loader, node, &member_seg, "\"%s\" must be an expression in a string, not %s", key, kiosk_json_type_name (node));
      return NULL;
    }
  bad = forbidden_char (node->v.string, &position);
  if (bad != 0)
    {
      problem (loader, node, &member_seg,
               "the expression in \"%s\" contains the control character U+%04X at character %ld; remove it (form "
               "strings may not contain control characters, line breaks or bidi controls)", key, bad, position);
      return NULL;
    }
  expr = kiosk_expr_parse (node->v.string, &offset, &error);
  if (expr == NULL)
    {
      problem (loader, node, &member_seg, "the expression in \"%s\" is not valid at character %ld: %s",
               key, character_at (node->v.string, offset), error->message);
      return NULL;
    }
  pending.element = element;
  pending.member = key;
  pending.expr = expr;
  pending.pos = node_pos (loader, node, &member_seg);
  pending.path = path_to_string (&member_seg);
  g_array_append_val (loader->pending, pending);
  return expr;
}

static const char * const page_keys[] = { "id", "title", "help", "relevant", "items", NULL };
static const char * const group_keys[] = { "id", "kind", "label", "help", "relevant", "items", "min", "max", NULL };
static const char * const static_keys[] = { "id", "kind", "label", "help", "relevant", NULL };

static const char * const *
keys_for_kind (KioskKind kind)
{
  static const char * const text_keys[] = { "id", "kind", "label", "help", "relevant", "placeholder", "required",
    "constraint", "constraint_message", "min_length", "max_length", "pattern", "pattern_message", NULL };
  static const char * const numeric_keys[] = { "id", "kind", "label", "help", "relevant", "placeholder", "required",
    "constraint", "constraint_message", "min", "max", NULL };
  static const char * const date_keys[] = { "id", "kind", "label", "help", "relevant", "placeholder", "required",
    "constraint", "constraint_message", "not_future", "not_past", "min_date", "max_date", "min_age", "max_age", NULL };
  static const char * const choice_keys[] = { "id", "kind", "label", "help", "relevant", "required",
    "constraint", "constraint_message", "code_list", NULL };
  static const char * const fixed_keys[] = { "id", "kind", "label", "help", "relevant", "placeholder", "required",
    "constraint", "constraint_message", NULL };
  static const char * const checkbox_keys[] = { "id", "kind", "label", "help", "relevant", "required",
    "constraint", "constraint_message", NULL };

  switch (kind)
    {
    case KIOSK_KIND_PAGE:
      return page_keys;
    case KIOSK_KIND_GROUP:
      return group_keys;
    case KIOSK_KIND_STATIC:
      return static_keys;
    case KIOSK_KIND_TEXT:
    case KIOSK_KIND_MULTILINE:
    case KIOSK_KIND_EMAIL:
    case KIOSK_KIND_PHONE:
    case KIOSK_KIND_NAME:
      return text_keys;
    case KIOSK_KIND_NUMBER:
    case KIOSK_KIND_INTEGER:
    case KIOSK_KIND_CURRENCY:
      return numeric_keys;
    case KIOSK_KIND_DATE:
      return date_keys;
    case KIOSK_KIND_SELECT:
    case KIOSK_KIND_RADIO:
      return choice_keys;
    case KIOSK_KIND_CHECKBOX:
      return checkbox_keys;
    case KIOSK_KIND_IBAN:
    case KIOSK_KIND_POSTCODE:
    case KIOSK_KIND_TAXID:
      return fixed_keys;
    case KIOSK_N_KINDS:
    default:
      break;
    }
  g_assert_not_reached ();
}

static gboolean
kind_from_string (const char *s, KioskKind *out)
{
  for (int k = KIOSK_KIND_GROUP; k < KIOSK_N_KINDS; k++)
    if (strcmp (s, kiosk_kind_to_string (k)) == 0)
      {
        *out = k;
        return TRUE;
      }
  return FALSE;
}

static void parse_items (Loader *loader, KioskElement *container, const KioskJson *object, const PathSeg *seg, guint depth);

static void
register_element (Loader        *loader,
                  KioskElement  *element,
                  const KioskJson      *id_node,
                  const PathSeg *id_seg)
{
  KioskElement *other;

  element->index = loader->form->elements->len;
  g_ptr_array_add (loader->form->elements, element);
  if (element->id == NULL)
    return;
  other = g_hash_table_lookup (loader->form->by_id, element->id);
  if (other != NULL)
    {
      problem (loader, id_node, id_seg,
               "the id \"%s\" is already used at line %u; every element needs its own id (it is the key in the submitted data)",
               element->id, other->line);
      return;
    }
  g_hash_table_insert (loader->form->by_id, element->id, element);
}

static void
parse_field_constraints (Loader        *loader,
                         KioskElement  *element,
                         const KioskJson    *object,
                         const PathSeg *seg)
{
  KioskKind kind = element->kind;
  const KioskJson *node;
  gint64 value;
  const char *s;
  MEMBER_SEG (required_seg, seg, object, "required");

  element->min_length = -1;
  element->max_length = -1;
  element->min_age = -1;
  element->max_age = -1;

  if (kind == KIOSK_KIND_STATIC)
    return;

  element->placeholder = get_text (loader, object, seg, "placeholder", FALSE, "a field");

  node = kiosk_json_get (object, "required");
  if (node != NULL && kiosk_json_is_string (node))
    element->required_if = parse_expr (loader, element, object, seg, "required");
  else if (node != NULL && node->type == KIOSK_JSON_BOOLEAN)
    element->required = node->v.boolean;
  else if (node != NULL)
    problem (loader, node, &required_seg, "\"required\" must be true, false or an expression in a string, not %s",
             kiosk_json_type_name (node));

  element->constraint = parse_expr (loader, element, object, seg, "constraint");
  element->constraint_message = get_text (loader, object, seg, "constraint_message", FALSE, "a field");
  if ((kiosk_json_get (object, "constraint") != NULL) != (kiosk_json_get (object, "constraint_message") != NULL))
    problem (loader, NULL, seg, (kiosk_json_get (object, "constraint") != NULL)
             ? "a \"constraint\" needs a \"constraint_message\" that tells the citizen what to change"
             : "\"constraint_message\" without a \"constraint\"; add the constraint or remove the message");

  switch (kind)
    {
    case KIOSK_KIND_TEXT:
    case KIOSK_KIND_MULTILINE:
    case KIOSK_KIND_EMAIL:
    case KIOSK_KIND_PHONE:
    case KIOSK_KIND_NAME:
      if (get_integer (loader, object, seg, "min_length", 0, 100000, &value))
        element->min_length = (gint) value;
      if (get_integer (loader, object, seg, "max_length", 1, 100000, &value))
        element->max_length = (gint) value;
      else
        element->max_length = kind == KIOSK_KIND_MULTILINE ? DEFAULT_MAX_LENGTH_MULTILINE : DEFAULT_MAX_LENGTH;
      if (element->min_length > element->max_length)
        problem (loader, NULL, seg, "\"min_length\" (%d) is larger than \"max_length\" (%d)",
                 element->min_length, element->max_length);
      s = get_string (loader, object, seg, "pattern", FALSE, "a field");
      if (s != NULL)
        {
          g_autoptr(GError) error = NULL;
          gsize offset = 0;
          const char *bad = pattern_backtracking_problem (s, &offset);
          g_autofree char *anchored = g_strdup_printf ("(*LIMIT_MATCH=%u)\\A(?:%s)\\z",
                                                       pattern_match_limit (element->max_length), s);
          MEMBER_SEG (pattern_seg, seg, object, "pattern");

          element->pattern_source = g_strdup (s);
          if (bad != NULL && strcmp (bad, "nested") == 0)
            problem (loader, kiosk_json_get (object, "pattern"), &pattern_seg,
                     "\"pattern\" repeats without bound a group that itself contains an unbounded repeat (the "
                     "quantifier at character %ld), as in \"(a+)+\"; matching it can take exponentially long for "
                     "some inputs. Repeat each part once (e.g. \"[a-z ]*\" instead of \"(?:[a-z]+ ?)*\"), or, "
                     "where the repeated parts cannot overlap, make the inner repeat possessive (\"++\", \"*+\") "
                     "or atomic (\"(?>…)\")", character_at (s, offset));
          else if (bad != NULL)
            problem (loader, kiosk_json_get (object, "pattern"), &pattern_seg,
                     "\"pattern\" has a \")\" without its \"(\" at character %ld; the pattern must match the whole "
                     "value, so every parenthesis must be closed inside it", character_at (s, offset));
          else
            {
              /* One compiled regex per distinct pattern and limit (forms
               * repeat theirs); no JIT: the values are short, and compiling
               * for JIT costs more than it saves. */
              element->pattern = g_hash_table_lookup (loader->regexes, anchored);
              if (element->pattern != NULL)
                g_regex_ref (element->pattern);
              else
                {
                  element->pattern = g_regex_new (anchored, 0, 0, &error);
                  if (element->pattern != NULL)
                    g_hash_table_insert (loader->regexes, g_strdup (anchored), g_regex_ref (element->pattern));
                }
              if (element->pattern == NULL)
                {
                  g_autoptr(GRegex) alone = NULL;

                  /* The author's pattern on its own, so that the message
                   * counts characters as they wrote them. */
                  g_clear_error (&error);
                  alone = g_regex_new (s, 0, 0, &error);
                  problem (loader, kiosk_json_get (object, "pattern"), &pattern_seg,
                           "\"pattern\" is not a valid regular expression: %s",
                           error != NULL ? error->message : "it cannot stand inside a group");
                }
            }
        }
      element->pattern_message = get_text (loader, object, seg, "pattern_message", FALSE, "a field");
      if ((kiosk_json_get (object, "pattern") != NULL) != (kiosk_json_get (object, "pattern_message") != NULL))
        problem (loader, NULL, seg, (kiosk_json_get (object, "pattern") != NULL)
                 ? "a \"pattern\" needs a \"pattern_message\" that tells the citizen what the input must look like"
                 : "\"pattern_message\" without a \"pattern\"; add the pattern or remove the message");
      break;

    case KIOSK_KIND_NUMBER:
    case KIOSK_KIND_INTEGER:
    case KIOSK_KIND_CURRENCY:
      element->has_min = get_number (loader, object, seg, "min", &element->min);
      element->has_max = get_number (loader, object, seg, "max", &element->max);
      if (element->has_min && element->has_max && element->min > element->max)
        problem (loader, NULL, seg, "\"min\" is larger than \"max\"");
      break;

    case KIOSK_KIND_DATE:
      element->not_future = get_bool (loader, object, seg, "not_future", FALSE);
      element->not_past = get_bool (loader, object, seg, "not_past", FALSE);
      if (element->not_future && element->not_past)
        problem (loader, NULL, seg, "a date cannot be both \"not_future\" and \"not_past\" (only today would be allowed); use min_date/max_date");
      for (int i = 0; i < 2; i++)
        {
          const char *key = i == 0 ? "min_date" : "max_date";
          MEMBER_SEG (date_seg, seg, object, key);

          s = get_string (loader, object, seg, key, FALSE, "a date field");
          if (s == NULL)
            continue;
          if (!is_iso_date (s))
            problem (loader, kiosk_json_get (object, key), &date_seg,
                     "\"%s\" must be a real date written YYYY-MM-DD", key);
          else if (i == 0)
            element->min_date = g_strdup (s);
          else
            element->max_date = g_strdup (s);
        }
      if (element->min_date != NULL && element->max_date != NULL && strcmp (element->min_date, element->max_date) > 0)
        problem (loader, NULL, seg, "\"min_date\" lies after \"max_date\"");
      if (get_integer (loader, object, seg, "min_age", 0, 150, &value))
        element->min_age = (gint) value;
      if (get_integer (loader, object, seg, "max_age", 0, 150, &value))
        element->max_age = (gint) value;
      if (element->min_age >= 0 && element->max_age >= 0 && element->min_age > element->max_age)
        problem (loader, NULL, seg, "\"min_age\" is larger than \"max_age\"");
      break;

    case KIOSK_KIND_SELECT:
    case KIOSK_KIND_RADIO:
      s = get_string (loader, object, seg, "code_list", TRUE, "a select or radio field");
      if (s != NULL)
        {
          MEMBER_SEG (list_seg, seg, object, "code_list");
          element->code_list = g_hash_table_lookup (loader->code_lists, s);
          if (element->code_list == NULL)
            problem (loader, kiosk_json_get (object, "code_list"), &list_seg,
                     "there is no code list \"%s\"; define it under \"code_lists\" or fix the name", s);
        }
      break;

    case KIOSK_KIND_CHECKBOX:
    case KIOSK_KIND_IBAN:
    case KIOSK_KIND_POSTCODE:
    case KIOSK_KIND_TAXID:
    case KIOSK_KIND_PAGE:
    case KIOSK_KIND_GROUP:
    case KIOSK_KIND_STATIC:
    case KIOSK_N_KINDS:
    default:
      break;
    }
}

static void
parse_element (Loader        *loader,
               KioskElement  *parent,
               const KioskJson      *node,
               const PathSeg *seg,
               guint          depth)
{
  char what[64];
  KioskElement *element;
  const KioskJson *object;
  const char *id, *kind_name;
  KioskKind kind = KIOSK_KIND_TEXT;
  gint64 value;
  MEMBER_SEG (id_seg, seg, NULL, "id");

  if (!kiosk_json_is_object (node))
    {
      problem (loader, node, seg, "an item must be an object with \"id\", \"kind\" and \"label\", not %s",
               kiosk_json_type_name (node));
      return;
    }
  object = node;
  id_seg.object = object;

  if (loader->form->elements->len >= MAX_ELEMENTS)
    {
      problem (loader, node, seg, "the form has more than %d elements; split it", MAX_ELEMENTS);
      return;
    }

  kind_name = get_string (loader, object, seg, "kind", TRUE, "an item");
  if (kind_name != NULL && !kind_from_string (kind_name, &kind))
    {
      MEMBER_SEG (kind_seg, seg, object, "kind");
      problem (loader, kiosk_json_get (object, "kind"), &kind_seg,
               "unknown kind \"%s\"; use one of group, text, multiline, number, integer, currency, date, "
               "select, radio, checkbox, email, phone, iban, postcode, taxid, name, static", kind_name);
      return;
    }
  if (kind_name == NULL)
    return;

  element = g_new0 (KioskElement, 1);
  element->kind = kind;
  element->parent = parent;
  element->page = parent->page;
  element->scope = kiosk_element_is_repeatable (parent) ? parent : parent->scope;
  element->min_occurs = element->max_occurs = 1;
  {
    Pos pos = node_pos (loader, node, seg);
    element->line = pos.line;
    element->column = pos.column;
  }

  id = get_string (loader, object, seg, "id", TRUE, "an item");
  if (id != NULL && !is_element_id (id))
    problem (loader, kiosk_json_get (object, "id"), &id_seg,
             "\"%s\" is not a usable element id: write it in lower case letters, digits and \"_\", starting with a "
             "letter, at most 64 characters, and not one of the words and/or/not/in/true/false/null", id);
  else if (id != NULL)
    element->id = g_strdup (id);
  register_element (loader, element, kiosk_json_get (object, "id"), &id_seg);
  g_ptr_array_add (parent->children, element);

  /* Only for messages; no printf per element on the way of a good form. */
  if (kind == KIOSK_KIND_GROUP)
    g_strlcpy (what, "a group", sizeof what);
  else
    {
      g_strlcpy (what, "a field of kind \"", sizeof what);
      g_strlcat (what, kind_name, sizeof what);
      g_strlcat (what, "\"", sizeof what);
    }
  check_keys (loader, object, seg, keys_for_kind (kind), what);
  element->label = get_text (loader, object, seg, "label", TRUE, what);
  element->help = get_text (loader, object, seg, "help", FALSE, what);
  element->relevant = parse_expr (loader, element, object, seg, "relevant");
  parse_field_constraints (loader, element, object, seg);

  if (kind == KIOSK_KIND_GROUP)
    {
      if (get_integer (loader, object, seg, "min", 0, MAX_OCCURS, &value))
        element->min_occurs = (guint) value;
      if (get_integer (loader, object, seg, "max", 1, MAX_OCCURS, &value))
        element->max_occurs = (guint) value;
      if (element->min_occurs > element->max_occurs)
        problem (loader, node, seg, "\"min\" (%u) is larger than \"max\" (%u)", element->min_occurs, element->max_occurs);
      if ((kiosk_json_get (object, "min") != NULL) && !(kiosk_json_get (object, "max") != NULL))
        element->max_occurs = MAX (element->max_occurs, element->min_occurs);
      if (kiosk_element_is_repeatable (element) && element->scope != NULL)
        problem (loader, node, seg,
                 "a repeatable group (max > 1) may not stand inside the repeatable group \"%s\"; "
                 "make one of them non-repeatable", element->scope->id != NULL ? element->scope->id : "?");
      if (depth >= MAX_GROUP_DEPTH)
        problem (loader, node, seg, "groups nest at most %d levels deep; flatten this group", MAX_GROUP_DEPTH);
      else
        {
          element->children = g_ptr_array_new ();
          parse_items (loader, element, object, seg, depth + 1);
        }
    }
}

static void
parse_items (Loader        *loader,
             KioskElement  *container,
             const KioskJson    *object,
             const PathSeg *seg,
             guint          depth)
{
  const KioskJson *node = get_member (loader, object, seg, "items", TRUE,
                               container->kind == KIOSK_KIND_PAGE ? "a page" : "a group");
  const KioskJson *items;
  MEMBER_SEG (items_seg, seg, object, "items");

  if (node == NULL)
    return;
  if (!kiosk_json_is_array (node))
    {
      problem (loader, node, &items_seg, "\"items\" must be an array of fields and groups, not %s", kiosk_json_type_name (node));
      return;
    }
  items = node;
  if (items->length == 0)
    problem (loader, node, &items_seg, "\"items\" is empty; a %s needs at least one field",
             container->kind == KIOSK_KIND_PAGE ? "page" : "group");
  for (guint i = 0; i < items->length; i++)
    {
      ELEMENT_SEG (item_seg, &items_seg, items, i);
      parse_element (loader, container, &items->v.elements[i], &item_seg, depth);
    }
}

static void
parse_page (Loader        *loader,
            const KioskJson      *node,
            const PathSeg *seg)
{
  KioskElement *page;
  const KioskJson *object;
  const char *id;
  MEMBER_SEG (id_seg, seg, NULL, "id");

  if (!kiosk_json_is_object (node))
    {
      problem (loader, node, seg, "a page must be an object with \"id\", \"title\" and \"items\", not %s",
               kiosk_json_type_name (node));
      return;
    }
  object = node;
  id_seg.object = object;

  page = g_new0 (KioskElement, 1);
  page->kind = KIOSK_KIND_PAGE;
  page->page = page;
  page->min_occurs = page->max_occurs = 1;
  page->min_length = page->max_length = page->min_age = page->max_age = -1;
  page->children = g_ptr_array_new ();
  {
    Pos pos = node_pos (loader, node, seg);
    page->line = pos.line;
    page->column = pos.column;
  }
  id = get_string (loader, object, seg, "id", TRUE, "a page");
  if (id != NULL && !is_element_id (id))
    problem (loader, kiosk_json_get (object, "id"), &id_seg,
             "\"%s\" is not a usable page id: write it in lower case letters, digits and \"_\", starting with a letter", id);
  else if (id != NULL)
    page->id = g_strdup (id);
  register_element (loader, page, kiosk_json_get (object, "id"), &id_seg);
  g_ptr_array_add (loader->form->pages, page);

  check_keys (loader, object, seg, page_keys, "a page");
  page->label = get_text (loader, object, seg, "title", TRUE, "a page");
  page->help = get_text (loader, object, seg, "help", FALSE, "a page");
  page->relevant = parse_expr (loader, page, object, seg, "relevant");
  parse_items (loader, page, object, seg, 1);
}

static void
parse_code_lists (Loader        *loader,
                  const KioskJson    *root,
                  const PathSeg *seg)
{
  const KioskJson *node = kiosk_json_get (root, "code_lists");
  const KioskJson *lists;
  MEMBER_SEG (lists_seg, seg, root, "code_lists");

  if (node == NULL)
    return;
  if (!kiosk_json_is_object (node))
    {
      problem (loader, node, &lists_seg, "\"code_lists\" must be an object of named code lists, not %s", kiosk_json_type_name (node));
      return;
    }
  lists = node;
  for (guint32 m = 0; m < lists->length; m++)
    {
      static const char * const list_keys[] = { "uri", "version", "values", NULL };
      static const char * const value_keys[] = { "code", "label", NULL };
      const char *name = lists->v.members[m].key;
      const KioskJson *list_node = &lists->v.members[m].value;
      MEMBER_SEG (list_seg, &lists_seg, lists, name);
      MEMBER_SEG (values_seg, &list_seg, NULL, "values");
      KioskCodeList *list;
      const KioskJson *list_object;
      const KioskJson *values_node;
      const KioskJson *values;
      const char *s;

      if (!is_element_id (name))
        problem (loader, list_node, &list_seg, "\"%s\" is not a usable code list name: use lower case letters, digits and \"_\"", name);
      if (!kiosk_json_is_object (list_node))
        {
          problem (loader, list_node, &list_seg, "a code list must be an object with \"values\", not %s", kiosk_json_type_name (list_node));
          continue;
        }
      list_object = list_node;
      values_seg.object = list_object;
      check_keys (loader, list_object, &list_seg, list_keys, "a code list");
      list = g_new0 (KioskCodeList, 1);
      list->name = g_strdup (name);
      list->codes = g_ptr_array_new_with_free_func ((GDestroyNotify) _kiosk_code_free);
      list->by_code = g_hash_table_new (g_str_hash, g_str_equal);
      s = get_string (loader, list_object, &list_seg, "uri", FALSE, "a code list");
      list->uri = g_strdup (s);
      s = get_string (loader, list_object, &list_seg, "version", FALSE, "a code list");
      list->version = g_strdup (s);
      g_ptr_array_add (loader->form->code_lists, list);
      g_hash_table_insert (loader->code_lists, list->name, list);

      values_node = get_member (loader, list_object, &list_seg, "values", TRUE, "a code list");
      if (values_node == NULL)
        continue;
      if (!kiosk_json_is_array (values_node) || values_node->length == 0)
        {
          problem (loader, values_node, &values_seg, "\"values\" must be a non-empty array of {\"code\", \"label\"}");
          continue;
        }
      values = values_node;
      for (guint i = 0; i < values->length; i++)
        {
          const KioskJson *value_node = &values->v.elements[i];
          ELEMENT_SEG (value_seg, &values_seg, values, i);
          const KioskJson *value_object;
          KioskCode *code;

          if (!kiosk_json_is_object (value_node))
            {
              problem (loader, value_node, &value_seg, "a code list value must be an object with \"code\" and \"label\", not %s",
                       kiosk_json_type_name (value_node));
              continue;
            }
          value_object = value_node;
          check_keys (loader, value_object, &value_seg, value_keys, "a code list value");
          s = get_string (loader, value_object, &value_seg, "code", TRUE, "a code list value");
          if (s == NULL)
            continue;
          if (g_hash_table_contains (list->by_code, s))
            {
              MEMBER_SEG (code_seg, &value_seg, value_object, "code");
              problem (loader, kiosk_json_get (value_object, "code"), &code_seg,
                       "the code \"%s\" appears twice in the code list \"%s\"", s, name);
              continue;
            }
          code = g_new0 (KioskCode, 1);
          code->code = g_strdup (s);
          code->label = get_text (loader, value_object, &value_seg, "label", TRUE, "a code list value");
          if (code->label == NULL)
            {
              code->label = _kiosk_text_new ();
              _kiosk_text_add (code->label, "de", code->code);
            }
          g_ptr_array_add (list->codes, code);
          g_hash_table_insert (list->by_code, code->code, code);
        }
    }
}

/* Second pass: references inside expressions. */

typedef struct {
  Loader            *loader;
  const PendingExpr *pending;
} RefCheck;

/* The repeatable group in whose instances an expression is evaluated: the
 * element's own scope, except that a repeatable group's own relevance is
 * decided once for the whole group, outside its instances. */
static const KioskElement *
evaluation_scope (const KioskElement *element)
{
  return element->scope;
}

static gboolean
check_ref_cb (const char        *name,
              KioskExprRefKind   kind,
              gsize              offset,
              gpointer           user_data,
              GError           **error)
{
  RefCheck *check = user_data;
  const KioskElement *from = check->pending->element;
  const KioskElement *target = g_hash_table_lookup (check->loader->form->by_id, name);

  if (target == NULL)
    {
      g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                   "the expression in \"%s\" refers to \"%s\" (character %ld), but the form has no element with that id",
                   check->pending->member, name, character_at (kiosk_expr_get_source (check->pending->expr), offset));
      return FALSE;
    }
  if (kind == KIOSK_EXPR_REF_COUNT)
    {
      if (!kiosk_element_is_repeatable (target))
        {
          g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                       "count(%s) in \"%s\" needs a repeatable group (max > 1), but \"%s\" is a %s",
                       name, check->pending->member, name,
                       target->kind == KIOSK_KIND_GROUP ? "group with max 1" : kiosk_kind_to_string (target->kind));
          return FALSE;
        }
      return TRUE;
    }
  if (!kiosk_kind_is_input (target->kind))
    {
      g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                   "the expression in \"%s\" uses \"%s\" as a value, but it is a %s, which has no value%s",
                   check->pending->member, name, kiosk_kind_to_string (target->kind),
                   kiosk_element_is_repeatable (target) ? " (use count() for a repeatable group)" : "");
      return FALSE;
    }
  if (target->scope != NULL && target->scope != evaluation_scope (from))
    {
      g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                   "the expression in \"%s\" uses \"%s\", which is inside the repeatable group \"%s\"; from outside that "
                   "group it has no single value (only count(%s) is allowed)",
                   check->pending->member, name, target->scope->id, target->scope->id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_literal_cb (const char  *name,
                  const char  *literal,
                  gsize        offset,
                  gpointer     user_data,
                  GError     **error)
{
  RefCheck *check = user_data;
  const KioskElement *target = g_hash_table_lookup (check->loader->form->by_id, name);

  if (target == NULL || target->code_list == NULL)
    return TRUE;
  if (kiosk_code_list_lookup (target->code_list, literal) == NULL)
    {
      g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                   "the expression in \"%s\" compares \"%s\" with '%s' (character %ld), which is not a code of "
                   "its code list \"%s\"", check->pending->member, name, literal,
                   character_at (kiosk_expr_get_source (check->pending->expr), offset), target->code_list->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
collect_ref_cb (const char        *name,
                KioskExprRefKind   kind,
                gsize              offset,
                gpointer           user_data,
                GError           **error)
{
  GPtrArray *refs = user_data;

  if (kind == KIOSK_EXPR_REF_VALUE)
    g_ptr_array_add (refs, (gpointer) name);
  return TRUE;
}

/* Relevance may not depend on itself: the relevance of a field depends on
 * the values of the fields its (and its ancestors') "relevant" refers to,
 * and a field's value depends on its relevance. */
static gboolean
relevance_cycle_from (Loader             *loader,
                      const KioskElement *element,
                      guint8             *state,
                      GPtrArray          *chain)
{
  if (state[element->index] == 2)
    return FALSE;
  if (state[element->index] == 1)
    {
      g_ptr_array_add (chain, (gpointer) element);
      return TRUE;
    }
  state[element->index] = 1;
  if (element->parent != NULL && relevance_cycle_from (loader, element->parent, state, chain))
    {
      g_ptr_array_add (chain, (gpointer) element);
      return TRUE;
    }
  if (element->relevant != NULL)
    {
      g_autoptr(GPtrArray) refs = g_ptr_array_new ();

      kiosk_expr_check_refs (element->relevant, collect_ref_cb, refs, NULL);
      for (guint i = 0; i < refs->len; i++)
        {
          const KioskElement *target = g_hash_table_lookup (loader->form->by_id, g_ptr_array_index (refs, i));
          if (target != NULL && relevance_cycle_from (loader, target, state, chain))
            {
              g_ptr_array_add (chain, (gpointer) element);
              return TRUE;
            }
        }
    }
  state[element->index] = 2;
  return FALSE;
}

static void
check_expressions (Loader *loader)
{
  KioskForm *form = loader->form;
  g_autofree guint8 *state = NULL;

  for (guint i = 0; i < loader->pending->len; i++)
    {
      const PendingExpr *pending = &g_array_index (loader->pending, PendingExpr, i);
      RefCheck check = { loader, pending };
      g_autoptr(GError) error = NULL;

      if (!kiosk_expr_check_refs (pending->expr, check_ref_cb, &check, &error)
          || !kiosk_expr_check_literals (pending->expr, check_literal_cb, &check, &error))
        add_problem_at (loader, pending->pos, pending->path, "%s", error->message);
    }

  state = g_new0 (guint8, form->elements->len);
  for (guint i = 0; i < form->elements->len; i++)
    {
      g_autoptr(GPtrArray) chain = g_ptr_array_new ();
      const KioskElement *element = g_ptr_array_index (form->elements, i);

      if (relevance_cycle_from (loader, element, state, chain))
        {
          g_autoptr(GString) names = g_string_new (NULL);
          Pos pos = { element->line, element->column };

          for (guint j = chain->len; j > 0; j--)
            {
              const KioskElement *link = g_ptr_array_index (chain, j - 1);
              g_string_append_printf (names, "%s%s", names->len > 0 ? " → " : "", link->id != NULL ? link->id : "?");
            }
          add_problem_at (loader, pos, "$", "the relevance of these elements depends on itself: %s; "
                          "break the circle so that each condition only uses fields that do not depend on it", names->str);
          /* One report per circle is enough. */
          break;
        }
    }
}

static const char * const categories[] = {
  "meldewesen", "verkehr", "steuern", "abfall", "gewerbe", "soziales", "sonstiges", NULL
};

static void
parse_form (Loader   *loader,
            const KioskJson *root)
{
  static const char * const form_keys[] = { "format", "id", "version", "leika", "schema_uri", "category",
    "title", "description", "code_lists", "pages", NULL };
  KioskForm *form = loader->form;
  const KioskJson *object;
  const KioskJson *pages_node;
  const char *s;
  gint64 format = 0;
  MEMBER_SEG (pages_seg, NULL, NULL, "pages");

  if (root == NULL || !kiosk_json_is_object (root))
    {
      problem (loader, root, NULL, "a form definition must be a JSON object, not %s",
               root != NULL ? kiosk_json_type_name (root) : "empty");
      return;
    }
  object = root;
  pages_seg.object = object;
  check_keys (loader, object, NULL, form_keys, "the form");

  if (get_member (loader, object, NULL, "format", TRUE, "the form") != NULL
      && get_integer (loader, object, NULL, "format", 1, 1, &format))
    (void) format;

  s = get_string (loader, object, NULL, "id", TRUE, "the form");
  if (s != NULL && !is_form_id (s))
    {
      MEMBER_SEG (seg, NULL, object, "id");
      problem (loader, kiosk_json_get (object, "id"), &seg,
               "\"%s\" is not a usable form id: lower case letters, digits, \"_\" and \"-\", starting with a letter, "
               "at most 64 characters", s);
    }
  else
    form->id = g_strdup (s);

  s = get_string (loader, object, NULL, "version", TRUE, "the form");
  if (s != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (s, ".", -1);
      gboolean ok = g_strv_length (parts) == 3;
      for (guint i = 0; ok && parts[i] != NULL; i++)
        {
          guint64 unused;
          ok = parts[i][0] != '\0' && g_ascii_string_to_unsigned (parts[i], 10, 0, 99999, &unused, NULL);
        }
      if (!ok)
        {
          MEMBER_SEG (seg, NULL, object, "version");
          problem (loader, kiosk_json_get (object, "version"), &seg,
                   "\"version\" must look like MAJOR.MINOR.PATCH, e.g. \"1.0.0\"");
        }
      form->version = g_strdup (s);
    }

  s = get_string (loader, object, NULL, "leika", TRUE, "the form");
  if (s != NULL)
    {
      gboolean digits = strlen (s) == 14;
      for (gsize i = 0; digits && i < 14; i++)
        digits = g_ascii_isdigit (s[i]);
      if (digits)
        form->leika = g_strdup (s);
      else if (strcmp (s, "unknown") != 0)
        {
          MEMBER_SEG (seg, NULL, object, "leika");
          problem (loader, kiosk_json_get (object, "leika"), &seg,
                   "\"leika\" must be the 14-digit LeiKa key of the service, or \"unknown\"");
        }
    }

  s = get_string (loader, object, NULL, "schema_uri", TRUE, "the form");
  if (s != NULL)
    {
      if (!g_uri_is_valid (s, G_URI_FLAGS_NONE, NULL) || (!g_str_has_prefix (s, "https://") && !g_str_has_prefix (s, "urn:")))
        {
          MEMBER_SEG (seg, NULL, object, "schema_uri");
          problem (loader, kiosk_json_get (object, "schema_uri"), &seg,
                   "\"schema_uri\" must be an absolute https:// or urn: URI");
        }
      form->schema_uri = g_strdup (s);
    }

  s = get_string (loader, object, NULL, "category", TRUE, "the form");
  if (s != NULL && !g_strv_contains (categories, s))
    {
      g_autofree char *list = g_strjoinv (", ", (char **) categories);
      MEMBER_SEG (seg, NULL, object, "category");
      problem (loader, kiosk_json_get (object, "category"), &seg,
               "unknown category \"%s\"; use one of %s", s, list);
    }
  else
    form->category = g_strdup (s);

  form->title = get_text (loader, object, NULL, "title", TRUE, "the form");
  form->description = get_text (loader, object, NULL, "description", FALSE, "the form");
  parse_code_lists (loader, object, NULL);

  pages_node = get_member (loader, object, NULL, "pages", TRUE, "the form");
  if (pages_node != NULL)
    {
      const KioskJson *pages;

      if (!kiosk_json_is_array (pages_node) || pages_node->length == 0)
        problem (loader, pages_node, &pages_seg, "\"pages\" must be a non-empty array of pages");
      else
        {
          pages = pages_node;
          for (guint i = 0; i < pages->length; i++)
            {
              ELEMENT_SEG (page_seg, &pages_seg, pages, i);
              parse_page (loader, &pages->v.elements[i], &page_seg);
            }
        }
    }

  check_expressions (loader);
}

static gint
problem_compare (gconstpointer a,
                 gconstpointer b)
{
  const KioskFormProblem *pa = *(KioskFormProblem * const *) a;
  const KioskFormProblem *pb = *(KioskFormProblem * const *) b;

  if (pa->line != pb->line)
    return pa->line < pb->line ? -1 : 1;
  if (pa->column != pb->column)
    return pa->column < pb->column ? -1 : 1;
  return 0;
}

static void
pending_clear (PendingExpr *pending)
{
  g_free (pending->path);
}

/* One load: parse (json-doc.c), then check the tree. */
static KioskForm *
load (const char  *data,
      gsize        length,
      const char  *file,
      GPtrArray  **problems_out,
      GError     **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_form_problem_free);
  g_autoptr(GArray) pending = g_array_new (FALSE, TRUE, sizeof (PendingExpr));
  g_autoptr(GHashTable) regexes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_regex_unref);
  g_autoptr(GHashTable) code_lists = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(KioskForm) form = _kiosk_form_new ();
  g_autoptr(KioskJsonDoc) doc = NULL;
  g_autofree char *basename = NULL;
  const GPtrArray *syntax;
  Loader loader = { 0 };

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  g_array_set_clear_func (pending, (GDestroyNotify) pending_clear);
  /* A file name is text an administrator chose: escaped like the rest. */
  basename = escape_controls (file != NULL ? file : "<form>");
  loader.file = basename;
  loader.problems = problems;
  loader.form = form;
  loader.pending = pending;
  loader.regexes = regexes;
  loader.code_lists = code_lists;
  form->file = g_strdup (basename);

  if (length == 0)
    add_problem_at (&loader, (Pos) { 1, 1 }, "$", "the file is empty; a form definition is a JSON object");
  else
    {
      doc = kiosk_json_doc_parse (data, length);
      loader.root = kiosk_json_doc_get_root (doc);
      syntax = kiosk_json_doc_get_problems (doc);
      for (guint i = 0; i < syntax->len; i++)
        {
          const KioskJsonProblem *json = g_ptr_array_index (syntax, i);

          add_problem_at (&loader, (Pos) { json->line, json->column }, json->path,
                          loader.root == NULL ? "not valid JSON: %s" : "%s", json->message);
        }
      /* The tree of a text with duplicate keys is not what its author
       * meant; check it once they are gone. */
      if (problems->len == 0)
        parse_form (&loader, loader.root);
    }

  if (problems->len > 0)
    {
      g_autofree char *first = NULL;

      g_ptr_array_sort (problems, problem_compare);
      first = kiosk_form_problem_to_string (g_ptr_array_index (problems, 0));
      if (loader.root == NULL)
        g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_SYNTAX,
                     "%s", ((KioskFormProblem *) g_ptr_array_index (problems, 0))->message);
      else
        g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                     "%s (%u problem%s in all)", first, problems->len, problems->len == 1 ? "" : "s");
      if (problems_out != NULL)
        *problems_out = g_steal_pointer (&problems);
      return NULL;
    }

  if (problems_out != NULL)
    *problems_out = g_steal_pointer (&problems);
  return g_steal_pointer (&form);
}

KioskForm *
kiosk_form_load_file (const char  *path,
                      GPtrArray  **problems,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  /* Only a regular file, opened without blocking and never read past the
   * limit: a FIFO or device in the forms directory is that file's problem,
   * not a hang of every command that reads the directory. */
  if (!kiosk_file_read (path, KIOSK_FILE_MAX_FORM, &contents, &length, &local_error))
    {
      if (problems != NULL)
        {
          KioskFormProblem *problem = g_new0 (KioskFormProblem, 1);
          g_autofree char *message = NULL;

          problem->file = escape_controls (path);
          problem->path = g_strdup ("$");
          if (g_error_matches (local_error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_NOT_REGULAR))
            message = g_strdup_printf ("cannot read the file: %s (a form definition must be a regular file: "
                                       "remove this entry or put the form file in its place)", local_error->message);
          else if (g_error_matches (local_error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_TOO_LARGE))
            message = g_strdup_printf ("cannot read the file: %s (a form definition may have at most %u MiB; "
                                       "split the form or shorten its code lists)",
                                       local_error->message, KIOSK_FILE_MAX_FORM / (1024 * 1024));
          else
            message = g_strdup_printf ("cannot read the file: %s", local_error->message);
          problem->message = escape_controls (message);
          *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_form_problem_free);
          g_ptr_array_add (*problems, problem);
        }
      g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_IO, "%s", local_error->message);
      return NULL;
    }
  return kiosk_form_load_data (contents, length, path, problems, error);
}

KioskForm *
kiosk_form_load_data (const char  *data,
                      gsize        length,
                      const char  *file,
                      GPtrArray  **problems,
                      GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  return load (data, length, file, problems, error);
}
