/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json-doc-private.h"

/* Form definitions and answer sets (docs/architecture.md, "Form loading").
 * One strict RFC 8259 pass builds the whole tree into an arena: no
 * allocation per value, no hash table per object, nothing to free one by
 * one. Members are kept in the order of the text; an object of more than
 * SMALL_OBJECT members gets an index sorted by key (binary search), which
 * also finds its duplicate keys; a small one is searched from the start.
 * Every value and every key knows its line and column, so problems are
 * reported where they stand, and a syntax error is described in words. */

#define MAX_DEPTH 256
#define SMALL_OBJECT 16

typedef struct _Block Block;
struct _Block {
  Block *next;
  gsize  size;
  gsize  used;
  /* Nodes hold gint64 and double: 8-byte aligned also where the header
   * is 12 bytes (32-bit). */
  char   data[] __attribute__ ((aligned (8)));
};

struct _KioskJsonDoc {
  Block           *blocks;
  gsize            next_block;
  const KioskJson *root;
  GPtrArray       *problems;
};

/* One frame per open container, for the JSON path of a problem and for
 * "the object that starts at …". */
typedef struct {
  gboolean    array;
  const char *key;        /* the member being read (objects) */
  guint32     key_length;
  guint32     index;      /* the element being read, in an array */
  guint32     line;
  guint32     column;
} Frame;

typedef struct {
  KioskJsonDoc *doc;
  const char   *p;
  const char   *end;
  guint32       line;
  guint32       column;     /* of col_mark */
  const char   *col_mark;   /* column counted up to here */
  GArray       *members;    /* of KioskJsonMember: open objects' members */
  GArray       *elements;   /* of KioskJson: open arrays' elements */
  guint         max_members;   /* the most each scratch array held */
  guint         max_elements;
  guint         depth;
  Frame         frames[MAX_DEPTH + 1];
  gboolean      failed;
} Parser;

/* The arena. */

static gpointer
arena_alloc (KioskJsonDoc *doc,
             gsize         size)
{
  Block *block = doc->blocks;

  size = (size + 7) & ~(gsize) 7;
  if (block == NULL || block->size - block->used < size)
    {
      gsize block_size = MAX (size, doc->next_block);

      block = g_malloc (sizeof (Block) + block_size);
      block->size = block_size;
      block->used = 0;
      block->next = doc->blocks;
      doc->blocks = block;
      doc->next_block = MIN (block_size * 2, (gsize) 8 << 20);
    }
  block->used += size;
  return block->data + block->used - size;
}

void
kiosk_json_doc_free (KioskJsonDoc *doc)
{
  Block *block, *next;

  if (doc == NULL)
    return;
  for (block = doc->blocks; block != NULL; block = next)
    {
      next = block->next;
      explicit_bzero (block->data, block->used);
      g_free (block);
    }
  g_clear_pointer (&doc->problems, g_ptr_array_unref);
  g_free (doc);
}

static void
problem_free (KioskJsonProblem *problem)
{
  g_free (problem->path);
  g_free (problem->message);
  g_free (problem);
}

/* Positions. */

static void
skip_ws (Parser *ps)
{
  while (ps->p < ps->end)
    {
      char c = *ps->p;

      if (c == ' ' || c == '\t' || c == '\r')
        ps->p++;
      else if (c == '\n')
        {
          ps->p++;
          ps->line++;
          ps->column = 1;
          ps->col_mark = ps->p;
        }
      else
        break;
    }
}

/* The column of @at (on the current line, not before col_mark): characters
 * since the line start, plus one. */
static guint32
column_at (Parser     *ps,
           const char *at)
{
  for (const char *q = ps->col_mark; q < at; q++)
    ps->column += (*q & 0xC0) != 0x80;
  ps->col_mark = at;
  return ps->column;
}

/* Problems. */

static char *
render_path (Parser *ps)
{
  GString *path = g_string_new ("$");

  for (guint i = 1; i <= ps->depth && i <= MAX_DEPTH; i++)
    {
      const Frame *frame = &ps->frames[i];

      if (frame->array)
        g_string_append_printf (path, "[%u]", frame->index);
      else if (frame->key != NULL)
        {
          g_string_append_c (path, '.');
          g_string_append_len (path, frame->key, frame->key_length);
        }
    }
  return g_string_free (path, FALSE);
}

static void
add_problem (Parser     *ps,
             guint32     line,
             guint32     column,
             const char *format,
             ...) G_GNUC_PRINTF (4, 5);

static void
add_problem (Parser     *ps,
             guint32     line,
             guint32     column,
             const char *format,
             ...)
{
  KioskJsonProblem *problem = g_new0 (KioskJsonProblem, 1);
  va_list args;

  problem->line = line;
  problem->column = column;
  problem->path = render_path (ps);
  va_start (args, format);
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (ps->doc->problems, problem);
}

/* What stands at @at, for a message: a character in quotes, a control
 * character by its code point, or the end of the text. */
static char *
describe (Parser     *ps,
          const char *at)
{
  gunichar c;

  if (at >= ps->end)
    return g_strdup ("the end of the text");
  c = g_utf8_get_char (at);
  if (c < 0x20 || c == 0x7F)
    return g_strdup_printf ("the control character U+%04X", c);
  if (c == '\'')
    return g_strdup ("\"'\"");
  if (g_ascii_isalpha (*at) || *at == '_')
    {
      /* A word: an unquoted string, or True/NULL. Short words are
       * quoted; a long one may be an answer (an IBAN), which does not
       * belong in a message. */
      const char *q = at;

      while (q < ps->end && q - at < 6 && (g_ascii_isalnum (*q) || *q == '_'))
        q++;
      if (q - at >= 6)
        return g_strdup ("a word without quotes");
      return g_strdup_printf ("'%.*s'", (int) (q - at), at);
    }
  return g_strdup_printf ("'%.*s'", (int) (g_utf8_next_char (at) - at), at);
}

/* A syntax error at a position read earlier. */
static gboolean
fail_pos (Parser     *ps,
          guint32     line,
          guint32     column,
          const char *message)
{
  add_problem (ps, line, column, "%s", message);
  ps->failed = TRUE;
  return FALSE;
}

/* A syntax error at @at (on the current line): the parse ends. */
static gboolean
fail_at (Parser     *ps,
         const char *at,
         const char *format,
         ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail_at (Parser     *ps,
         const char *at,
         const char *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;
  guint32 column = column_at (ps, MIN (at, ps->end));

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  return fail_pos (ps, ps->line, column, message);
}

/* "expected X, found Y", with a hint for the usual slips. */
static gboolean
fail_expected (Parser     *ps,
               const char *expected)
{
  g_autofree char *found = describe (ps, ps->p);
  const char *hint = "";

  if (ps->p < ps->end && *ps->p == '\'')
    hint = "; JSON strings and names are written in double quotes (\")";
  else if (ps->p < ps->end && (g_ascii_isalpha (*ps->p) || *ps->p == '_'))
    hint = "; text must be in double quotes, and the literals are true, false and null in lower case";
  return fail_at (ps, ps->p, "expected %s, found %s%s", expected, found, hint);
}

/* Strings. */

static int
hex4 (const char *s)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (s[i]);
      if (d < 0)
        return -1;
      value = value * 16 + d;
    }
  return value;
}

/* A string at ps->p (the opening quote), copied into the arena. The
 * unescaped text is never longer than the raw one. */
/* The closing quote of the string that starts at ps->p, or NULL (reported);
 * *escapes tells whether a backslash comes before it. */
static const char *
string_end (Parser   *ps,
            gboolean *escapes)
{
  const char *open = ps->p;
  const char *q = ps->p + 1;

  for (;;)
    {
      while (q < ps->end && *q != '"' && *q != '\\' && (guchar) *q >= 0x20)
        q++;
      if (q >= ps->end)
        return fail_at (ps, open, "the string that starts here is not closed; add the closing \""), NULL;
      if (*q == '"')
        return q;
      if (*q == '\\')
        {
          *escapes = TRUE;
          if (ps->end - q < 2)
            return fail_at (ps, open, "the string that starts here is not closed; add the closing \""), NULL;
          q += 2;
          continue;
        }
      if (*q == '\n')
        return fail_at (ps, q, "a line break inside a string; close the string with \" or write it as \\n"), NULL;
      return fail_at (ps, q, "the control character U+%04X inside a string; write it as an escape such as \\t or \\u%04X",
                      (guint) (guchar) *q, (guint) (guchar) *q), NULL;
    }
}

/* The \uXXXX escape at @s (a surrogate pair takes two) before the closing
 * quote @q, written to *@o as UTF-8; the position after it, or NULL
 * (reported). */
static const char *
decode_unicode_escape (Parser      *ps,
                       const char  *s,
                       const char  *q,
                       char       **o)
{
  int u = q - s >= 6 ? hex4 (s + 2) : -1;
  int low;

  if (u < 0)
    return fail_at (ps, s, "\\u needs four hexadecimal digits, as in \\u00e4"), NULL;
  if (u == 0)
    return fail_at (ps, s, "the string contains \\u0000 (NUL), which is not allowed"), NULL;
  if (u >= 0xDC00 && u <= 0xDFFF)
    return fail_at (ps, s, "\\u%04X is the second half of a surrogate pair without its first half (\\uD800–\\uDBFF)",
                    (guint) u), NULL;
  if (u >= 0xD800 && u <= 0xDBFF)
    {
      low = q - s >= 12 && s[6] == '\\' && s[7] == 'u' ? hex4 (s + 8) : -1;
      if (low < 0xDC00 || low > 0xDFFF)
        return fail_at (ps, s, "\\u%04X is the first half of a surrogate pair; the second half (\\uDC00–\\uDFFF) "
                        "must follow it", (guint) u), NULL;
      u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
      s += 6;
    }
  *o += g_unichar_to_utf8 ((gunichar) u, *o);
  return s + 6;
}

/* The escape at @s (a backslash) before the closing quote @q, written to
 * *@o; the position after it, or NULL (reported). */
static const char *
decode_escape (Parser      *ps,
               const char  *s,
               const char  *q,
               char       **o)
{
  static const char simple[][2] = {
    { '"', '"' }, { '\\', '\\' }, { '/', '/' }, { 'b', '\b' }, { 'f', '\f' }, { 'n', '\n' }, { 'r', '\r' },
    { 't', '\t' },
  };

  for (guint i = 0; i < G_N_ELEMENTS (simple); i++)
    if (s[1] == simple[i][0])
      {
        *(*o)++ = simple[i][1];
        return s + 2;
      }
  if (s[1] == 'u')
    return decode_unicode_escape (ps, s, q, o);
  {
    g_autofree char *found = describe (ps, s + 1);
    return fail_at (ps, s, "unknown escape: a backslash followed by %s; the escapes are \\\" \\\\ \\/ \\b \\f "
                    "\\n \\r \\t and \\uXXXX (write \\\\ for a backslash)", found), NULL;
  }
}

static char *
parse_string (Parser  *ps,
              guint32 *length_out)
{
  const char *open = ps->p;
  const char *raw = ps->p + 1;
  gboolean escapes = FALSE;
  const char *q = string_end (ps, &escapes);
  char *out, *o;

  if (q == NULL)
    return NULL;
  if (q - raw > G_MAXUINT32 - 1)
    return fail_at (ps, open, "the string is longer than 4 GiB"), NULL;
  out = arena_alloc (ps->doc, (gsize) (q - raw) + 1);
  if (!escapes)
    {
      memcpy (out, raw, q - raw);
      out[q - raw] = '\0';
      *length_out = (guint32) (q - raw);
      ps->p = q + 1;
      return out;
    }

  o = out;
  for (const char *s = raw; s < q;)
    {
      if (*s != '\\')
        *o++ = *s++;
      else
        {
          s = decode_escape (ps, s, q, &o);
          if (s == NULL)
            return NULL;
        }
    }
  *o = '\0';
  *length_out = (guint32) (o - out);
  ps->p = q + 1;
  return out;
}

/* Numbers. */

static gboolean
parse_number (Parser    *ps,
              KioskJson *node)
{
  const char *start = ps->p;
  gboolean integer = TRUE;
  char buffer[64];
  g_autofree char *heap = NULL;
  char *text = buffer;
  char *end = NULL;
  gboolean ok;

  if (*ps->p == '-')
    ps->p++;
  if (ps->p >= ps->end || !g_ascii_isdigit (*ps->p))
    {
      if (ps->p == start)
        return fail_expected (ps, "a value (an object, array, string, number, true, false or null)");
      return fail_at (ps, ps->p, "a number needs a digit after '-'");
    }
  if (*ps->p == '0')
    {
      ps->p++;
      if (ps->p < ps->end && g_ascii_isdigit (*ps->p))
        return fail_at (ps, start, "a number may not start with 0 followed by more digits; write 7, not 07");
    }
  else
    while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
      ps->p++;
  if (ps->p < ps->end && *ps->p == '.')
    {
      integer = FALSE;
      ps->p++;
      if (ps->p >= ps->end || !g_ascii_isdigit (*ps->p))
        return fail_at (ps, ps->p, "a number needs digits after its decimal point; write 1.0 or 1, not 1.");
      while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
        ps->p++;
    }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E'))
    {
      integer = FALSE;
      ps->p++;
      if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
        ps->p++;
      if (ps->p >= ps->end || !g_ascii_isdigit (*ps->p))
        return fail_at (ps, ps->p, "a number needs digits in its exponent, as in 1e5");
      while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
        ps->p++;
    }
  if ((gsize) (ps->p - start) >= sizeof buffer)
    text = heap = g_strndup (start, ps->p - start);
  else
    {
      memcpy (buffer, start, ps->p - start);
      buffer[ps->p - start] = '\0';
    }
  errno = 0;
  if (integer)
    {
      node->type = KIOSK_JSON_INTEGER;
      node->v.integer = g_ascii_strtoll (text, &end, 10);
    }
  else
    {
      node->type = KIOSK_JSON_DOUBLE;
      node->v.number = g_ascii_strtod (text, &end);
      if (errno != 0 && node->v.number > -1.0 && node->v.number < 1.0)
        errno = 0;  /* underflow: as near zero as a double gets */
    }
  ok = errno == 0 && *end == '\0';
  /* The digits may be an answer: not in messages, not left behind. */
  explicit_bzero (text, strlen (text));
  if (!ok && integer)
    return fail_at (ps, start, "the whole number is too large; whole numbers lie between %" G_GINT64_FORMAT
                    " and %" G_GINT64_FORMAT, G_MININT64, G_MAXINT64);
  if (!ok)
    return fail_at (ps, start, "the number is too large for a double (beyond ±1.7e308)");
  return TRUE;
}

/* Containers. */

static gboolean parse_value (Parser *ps, KioskJson *node);

static gint
compare_keys (gconstpointer a,
              gconstpointer b,
              gpointer      members)
{
  const KioskJsonMember *ma = (const KioskJsonMember *) members + *(const guint32 *) a;
  const KioskJsonMember *mb = (const KioskJsonMember *) members + *(const guint32 *) b;
  int c = memcmp (ma->key, mb->key, MIN (ma->key_length, mb->key_length));

  if (c != 0)
    return c;
  return ma->key_length < mb->key_length ? -1 : ma->key_length > mb->key_length;
}

static void
duplicate (Parser                *ps,
           const KioskJsonMember *member,
           const KioskJsonMember *first)
{
  Frame *frame = &ps->frames[ps->depth];

  frame->key = member->key;
  frame->key_length = member->key_length;
  add_problem (ps, member->key_line, member->key_column,
               "duplicate key \"%s\" in the same object (first at line %u, column %u); remove one of them",
               member->key, first->key_line, first->key_column);
  frame->key = NULL;
}

static gboolean
close_object (Parser    *ps,
              KioskJson *node,
              guint      first)
{
  guint n = ps->members->len - first;
  KioskJsonMember *members = arena_alloc (ps->doc, MAX (n, 1) * sizeof (KioskJsonMember));

  memcpy (members, &g_array_index (ps->members, KioskJsonMember, first), n * sizeof (KioskJsonMember));
  g_array_set_size (ps->members, first);
  node->length = n;
  node->v.members = members;
  if (n <= SMALL_OBJECT)
    {
      for (guint i = 1; i < n; i++)
        for (guint j = 0; j < i; j++)
          if (members[i].key_length == members[j].key_length
              && memcmp (members[i].key, members[j].key, members[i].key_length) == 0)
            {
              duplicate (ps, &members[i], &members[j]);
              break;
            }
      return TRUE;
    }

  {
    /* g_qsort_with_data() is stable: of equal keys, the first in the text
     * comes first, and the lookup finds it. */
    guint32 *sorted = arena_alloc (ps->doc, n * sizeof (guint32));

    for (guint i = 0; i < n; i++)
      sorted[i] = i;
    g_qsort_with_data (sorted, (gint) n, sizeof (guint32), compare_keys, members);
    /* Each member of a run of equal keys against the run's first. */
    for (guint i = 1, run = 0; i < n; i++)
      if (compare_keys (&sorted[i - 1], &sorted[i], members) == 0)
        duplicate (ps, &members[sorted[i]], &members[sorted[run]]);
      else
        run = i;
    node->sorted = sorted;
  }
  return TRUE;
}

typedef struct {
  gboolean seen;
  guint32  line;
  guint32  column;
} Comma;

/* A comma at ps->p: noted (a trailing one is reported where it stands)
 * and passed. */
static gboolean
take_comma (Parser *ps,
            Comma  *comma)
{
  if (ps->p >= ps->end || *ps->p != ',')
    return FALSE;
  comma->seen = TRUE;
  comma->line = ps->line;
  comma->column = column_at (ps, ps->p);
  ps->p++;
  skip_ws (ps);
  return TRUE;
}

/* A problem of a container itself, not of a member or element: its path
 * ends at the container. */
static void
container_error (Frame *frame)
{
  frame->array = FALSE;
  frame->key = NULL;
}

static gboolean
fail_unclosed (Parser *ps,
               Frame  *frame)
{
  gboolean array = frame->array;

  container_error (frame);
  return fail_at (ps, ps->p, "the text ends inside the %s that starts at line %u, column %u; close it with '%c'",
                  array ? "array" : "object", frame->line, frame->column, array ? ']' : '}');
}

static gboolean
parse_object (Parser    *ps,
              KioskJson *node)
{
  guint first = ps->members->len;
  Frame *frame = &ps->frames[ps->depth];
  Comma comma = { 0 };

  node->type = KIOSK_JSON_OBJECT;
  frame->array = FALSE;
  frame->key = NULL;
  frame->line = node->line;
  frame->column = node->column;
  ps->p++;  /* { */
  skip_ws (ps);
  if (ps->p < ps->end && *ps->p == '}')
    {
      ps->p++;
      return close_object (ps, node, first);
    }
  for (;;)
    {
      KioskJsonMember member = { 0 };

      frame->key = NULL;
      if (ps->p >= ps->end || *ps->p != '"')
        {
          if (comma.seen && ps->p < ps->end && *ps->p == '}')
            return fail_pos (ps, comma.line, comma.column, "a comma after the last member; remove it");
          if (ps->p >= ps->end)
            return fail_unclosed (ps, frame);
          return fail_expected (ps, comma.seen ? "a member name in double quotes" : "a member name in double quotes or '}'");
        }
      member.key_line = ps->line;
      member.key_column = column_at (ps, ps->p);
      member.key = parse_string (ps, &member.key_length);
      if (member.key == NULL)
        return FALSE;
      frame->key = member.key;
      frame->key_length = member.key_length;
      skip_ws (ps);
      if (ps->p >= ps->end || *ps->p != ':')
        return fail_expected (ps, "':' after the member name");
      ps->p++;
      skip_ws (ps);
      if (!parse_value (ps, &member.value))
        return FALSE;
      g_array_append_val (ps->members, member);
      ps->max_members = MAX (ps->max_members, ps->members->len);
      frame->key = NULL;  /* what follows is about the object */
      skip_ws (ps);
      if (take_comma (ps, &comma))
        continue;
      if (ps->p < ps->end && *ps->p == '}')
        {
          ps->p++;
          frame->key = NULL;
          return close_object (ps, node, first);
        }
      if (ps->p < ps->end && *ps->p == '"')
        return fail_at (ps, ps->p, "a comma is missing before this member");
      if (ps->p >= ps->end)
        return fail_unclosed (ps, frame);
      return fail_expected (ps, "',' or '}' after the member's value");
    }
}

static gboolean
parse_array (Parser    *ps,
             KioskJson *node)
{
  guint first = ps->elements->len;
  Frame *frame = &ps->frames[ps->depth];
  Comma comma = { 0 };
  KioskJson *elements;
  guint n;

  node->type = KIOSK_JSON_ARRAY;
  frame->array = TRUE;
  frame->line = node->line;
  frame->column = node->column;
  frame->key = NULL;
  frame->index = 0;
  ps->p++;  /* [ */
  skip_ws (ps);
  if (ps->p >= ps->end || *ps->p != ']')
    for (;;)
      {
        KioskJson element = { 0 };

        if (comma.seen && ps->p < ps->end && *ps->p == ']')
          return container_error (frame), fail_pos (ps, comma.line, comma.column, "a comma after the last element; remove it");
        if (ps->p >= ps->end)
          return fail_unclosed (ps, frame);
        if (!parse_value (ps, &element))
          return FALSE;
        g_array_append_val (ps->elements, element);
        ps->max_elements = MAX (ps->max_elements, ps->elements->len);
        frame->index++;
        skip_ws (ps);
        if (take_comma (ps, &comma))
          continue;
        if (ps->p < ps->end && *ps->p == ']')
          break;
        if (ps->p >= ps->end)
          return fail_unclosed (ps, frame);
        if (*ps->p == '"' || *ps->p == '{' || *ps->p == '[' || *ps->p == '-' || g_ascii_isdigit (*ps->p)
            || *ps->p == 't' || *ps->p == 'f' || *ps->p == 'n')
          return fail_at (ps, ps->p, "a comma is missing before this element");
        container_error (frame);
        return fail_expected (ps, "',' or ']' after the element");
      }
  ps->p++;  /* ] */
  n = ps->elements->len - first;
  elements = arena_alloc (ps->doc, MAX (n, 1) * sizeof (KioskJson));
  memcpy (elements, &g_array_index (ps->elements, KioskJson, first), n * sizeof (KioskJson));
  g_array_set_size (ps->elements, first);
  node->length = n;
  node->v.elements = elements;
  return TRUE;
}

static gboolean
literal (Parser     *ps,
         const char *word,
         gsize       length)
{
  if ((gsize) (ps->end - ps->p) < length || memcmp (ps->p, word, length) != 0)
    return FALSE;
  /* "trueish" is not true followed by garbage but a bad word. */
  if ((gsize) (ps->end - ps->p) > length && g_ascii_isalnum (ps->p[length]))
    return FALSE;
  ps->p += length;
  return TRUE;
}

static gboolean
parse_value (Parser    *ps,
             KioskJson *node)
{
  gboolean ok = FALSE;

  node->line = ps->line;
  node->column = column_at (ps, ps->p);
  if (ps->p >= ps->end)
    return fail_expected (ps, "a value");
  if (ps->depth >= MAX_DEPTH && (*ps->p == '{' || *ps->p == '['))
    return fail_at (ps, ps->p, "objects and arrays nest more than %d levels deep here; flatten the structure", MAX_DEPTH);
  switch (*ps->p)
    {
    case '{':
      ps->depth++;
      ok = parse_object (ps, node);
      if (ok)
        ps->depth--;
      break;
    case '[':
      ps->depth++;
      ok = parse_array (ps, node);
      if (ok)
        ps->depth--;
      break;
    case '"':
      node->type = KIOSK_JSON_STRING;
      node->v.string = parse_string (ps, &node->length);
      ok = node->v.string != NULL;
      break;
    case 't':
    case 'f':
      node->type = KIOSK_JSON_BOOLEAN;
      node->v.boolean = *ps->p == 't';
      ok = literal (ps, node->v.boolean ? "true" : "false", node->v.boolean ? 4 : 5);
      if (!ok)
        return fail_expected (ps, "a value (an object, array, string, number, true, false or null)");
      break;
    case 'n':
      node->type = KIOSK_JSON_NULL;
      ok = literal (ps, "null", 4);
      if (!ok)
        return fail_expected (ps, "a value (an object, array, string, number, true, false or null)");
      break;
    default:
      ok = parse_number (ps, node);
      break;
    }
  return ok;
}

static gint
problem_compare (gconstpointer a,
                 gconstpointer b)
{
  const KioskJsonProblem *pa = *(KioskJsonProblem * const *) a;
  const KioskJsonProblem *pb = *(KioskJsonProblem * const *) b;

  if (pa->line != pb->line)
    return pa->line < pb->line ? -1 : 1;
  if (pa->column != pb->column)
    return pa->column < pb->column ? -1 : 1;
  return 0;
}

KioskJsonDoc *
kiosk_json_doc_parse (const char *data,
                      gsize       length)
{
  KioskJsonDoc *doc = g_new0 (KioskJsonDoc, 1);
  Parser *ps;
  const char *invalid = NULL;
  KioskJson *root;

  if (data == NULL)
    length = 0;
  ps = g_new0 (Parser, 1);  /* the frames are large for a stack */
  doc->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  /* Mostly one block: the text's strings and about as much again in
   * nodes. */
  doc->next_block = MAX (length * 2, 4096);
  ps->doc = doc;
  ps->p = ps->col_mark = data != NULL ? data : "";
  ps->end = ps->p + length;
  ps->line = ps->column = 1;

  if (!g_utf8_validate_len (ps->p, length, &invalid))
    {
      /* Count lines and columns up to the first bad byte. */
      for (const char *q = ps->p; q < invalid; q++)
        if (*q == '\n')
          {
            ps->line++;
            ps->column = 1;
            ps->col_mark = q + 1;
          }
      fail_at (ps, invalid, "the text is not valid UTF-8 here; save it as UTF-8");
      g_free (ps);
      return doc;
    }

  /* A byte-order mark, as some editors write: not part of the text. */
  if (length >= 3 && memcmp (ps->p, "\xEF\xBB\xBF", 3) == 0)
    ps->p = ps->col_mark = ps->p + 3;
  ps->members = g_array_sized_new (FALSE, FALSE, sizeof (KioskJsonMember), 64);
  ps->elements = g_array_sized_new (FALSE, FALSE, sizeof (KioskJson), 64);
  root = arena_alloc (doc, sizeof (KioskJson));
  memset (root, 0, sizeof *root);
  skip_ws (ps);
  if (ps->p >= ps->end)
    fail_at (ps, ps->p, "the text is empty; expected a JSON value");
  else if (parse_value (ps, root))
    {
      skip_ws (ps);
      if (ps->p < ps->end)
        {
          g_autofree char *found = describe (ps, ps->p);
          fail_at (ps, ps->p, "%s after the end of the JSON value; the text must hold exactly one value", found);
        }
    }
  if (!ps->failed)
    doc->root = root;
  else
    {
      /* Only the syntax error: problems before it (duplicates) were found
       * in a tree that is not one. */
      KioskJsonProblem *last = g_ptr_array_steal_index (doc->problems, doc->problems->len - 1);

      g_ptr_array_set_size (doc->problems, 0);
      g_ptr_array_add (doc->problems, last);
    }
  g_ptr_array_sort (doc->problems, problem_compare);
  /* The scratch arrays held copies of values (numbers, booleans): wipe
   * them as the arena. */
  explicit_bzero (ps->members->data, ps->max_members * sizeof (KioskJsonMember));
  explicit_bzero (ps->elements->data, ps->max_elements * sizeof (KioskJson));
  g_array_unref (ps->members);
  g_array_unref (ps->elements);
  g_free (ps);
  return doc;
}

const KioskJson *
kiosk_json_doc_get_root (const KioskJsonDoc *doc)
{
  return doc->root;
}

const GPtrArray *
kiosk_json_doc_get_problems (const KioskJsonDoc *doc)
{
  return doc->problems;
}
