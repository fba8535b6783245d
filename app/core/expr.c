/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-expr"

/* The condition language (docs/forms.md, "Expressions").
 *
 * Parsing: a hand-written tokenizer and a recursive-descent parser build an
 * immutable tree, stored as one array of nodes (children are index ranges
 * into a second array), so that evaluation reads only memory that no one
 * writes. Chains of `or`, `and` and `+`/`-` become one node with n children,
 * so the tree is never deeper than the nesting the author wrote.
 *
 * Limits. The parser never reads beyond KIOSK_EXPR_MAX_LENGTH bytes. The
 * top level of an expression is nesting level 1; every "(", list "[", function
 * call, "not" and unary "-" opens one more level, and a level beyond
 * KIOSK_EXPR_MAX_DEPTH is KIOSK_EXPR_ERROR_TOO_DEEP. Every cycle of the
 * grammar passes through one of these, so the recursion of the parser (and of
 * the evaluator) is bounded on any input. Problems are reported in source
 * order: the first one met while reading from the left wins, so an input of
 * 100,000 "(" is TOO_DEEP (at its 64th byte), while a well-formed expression
 * of 5,000 bytes is TOO_LONG (at byte 4096).
 *
 * Evaluation semantics (decisions beyond docs/forms.md are marked *):
 *  - `a == b` is true when both are null, false when exactly one is null,
 *    else true when both have the same type and value (numbers numerically,
 *    strings byte for byte, i.e. by code point). `1 == '1'` is false.
 *  - Every other comparison with a null operand is false, as the spec says:
 *    `x != 'a'` is false when x is empty. The one exception is the null
 *    literal itself: `x != null` is true exactly when x has a value.
 *  - `<`, `<=`, `>`, `>=` compare two numbers numerically or two strings by
 *    code point; any other pair (*) is false.
 *  - `x in [..]` is true when `x == e` for some element e (so `x in [null]`
 *    is true for an empty x); (*) `x not in [..]` is false when x is null,
 *    else the negation of `in`.
 *  - `and`, `or`, `not` use truthiness (true, a non-zero number, a non-empty
 *    string) and (*) always yield a boolean; `and`/`or` short-circuit.
 *  - (*) `+`, `-` and unary `-` work on numbers only; anything else, or a
 *    result that is not finite, is null (`'a' + 1`, `'a' + 'b'`).
 *  - present(v): v is not null. count(g): env->count, 0 without one.
 *    today(): env->today. len(s): characters of string s after NFC, null for
 *    other types.
 *  - age(d): whole years from d to env->today: the difference of the years,
 *    one less when the month and day of d have not yet been reached in
 *    today's year. (*) A 29 February birthday is therefore reached on
 *    1 March in a year without 29 February (as § 187 (2), § 188 (2) BGB
 *    count a year of life). (*) A date after today gives a negative number
 *    (the floor). Null when d or env->today is not a valid ISO date
 *    YYYY-MM-DD (years 0001 to 9999, a real calendar day).
 *  - (*) kiosk_expr_check_literals reports comparisons of an identifier with
 *    a string literal by `==`, `!=`, `in` and `not in` only: an order
 *    comparison (`x < 'm'`) does not name a code, and `x == y` has no literal.
 *
 * Evaluation allocates nothing, except len() of a string with characters
 * from U+0300 up (which needs NFC) and kiosk_expr_eval_to_json's result.
 *
 * Error messages speak to form authors and are not translated; columns in
 * them count characters from 1. */

#include "config.h"

#include <math.h>
#include <string.h>

#include "antragskiosk/expr.h"
#include "antragskiosk/validate.h"

G_DEFINE_QUARK (kiosk-expr-error-quark, kiosk_expr_error)

/* ---- The tree ----------------------------------------------------------- */

typedef enum {
  NODE_NULL,
  NODE_BOOL,
  NODE_NUMBER,
  NODE_STRING,
  NODE_IDENT,
  NODE_OR,        /* n >= 2 children */
  NODE_AND,       /* n >= 2 children */
  NODE_NOT,       /* 1 child */
  NODE_NEG,       /* 1 child */
  NODE_SUM,       /* n >= 2 children; ops[i] is the sign before child i */
  NODE_COMPARE,   /* 2 children; op */
  NODE_IN,        /* child 0 the value, children 1.. the list */
  NODE_NOT_IN,
  NODE_CALL,      /* op is the function; count() has one NODE_IDENT child */
} NodeKind;

typedef enum {
  CMP_EQ,
  CMP_NE,
  CMP_LT,
  CMP_LE,
  CMP_GT,
  CMP_GE,
} CompareOp;

typedef enum {
  FN_PRESENT,
  FN_COUNT,
  FN_AGE,
  FN_TODAY,
  FN_LEN,
} Function;

static const struct {
  const char *name;
  guint n_args;
} functions[] = {
  [FN_PRESENT] = { "present", 1 },
  [FN_COUNT] = { "count", 1 },
  [FN_AGE] = { "age", 1 },
  [FN_TODAY] = { "today", 0 },
  [FN_LEN] = { "len", 1 },
};

typedef struct {
  guint8 kind;     /* NodeKind */
  guint8 op;       /* CompareOp or Function */
  gboolean boolean;
  guint32 offset;  /* byte offset in the source */
  guint32 first;   /* first child in kids[], or the string in pool[] */
  guint32 n;       /* number of children */
  double number;
} Node;

struct _KioskExpr {
  char *source;
  Node *nodes;
  guint32 *kids;
  guint8 *ops;    /* parallel to kids: '+' or '-' for the children of a sum */
  char *pool;     /* NUL-terminated names and string literals */
  guint32 root;
};

/* ---- The tokenizer ------------------------------------------------------ */

typedef enum {
  TOK_END,
  TOK_NUMBER,
  TOK_STRING,
  TOK_IDENT,
  TOK_AND,
  TOK_OR,
  TOK_NOT,
  TOK_IN,
  TOK_TRUE,
  TOK_FALSE,
  TOK_NULL,
  TOK_EQ,
  TOK_NE,
  TOK_LT,
  TOK_LE,
  TOK_GT,
  TOK_GE,
  TOK_PLUS,
  TOK_MINUS,
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_LBRACKET,
  TOK_RBRACKET,
  TOK_COMMA,
} TokKind;

static const struct {
  const char *word;
  TokKind kind;
} keywords[] = {
  { "and", TOK_AND },
  { "or", TOK_OR },
  { "not", TOK_NOT },
  { "in", TOK_IN },
  { "true", TOK_TRUE },
  { "false", TOK_FALSE },
  { "null", TOK_NULL },
};

typedef struct {
  TokKind kind;
  gsize start;
  gsize end;
  double number;
} Token;

typedef struct {
  const char *src;
  gsize n;            /* bytes the parser may read: at most the limit */
  gboolean too_long;  /* the source goes on beyond n */
  Token tok;          /* the current token */
  guint depth;
  GArray *nodes;      /* Node */
  GArray *kids;       /* guint32 */
  GArray *ops;        /* guint8 */
  GString *pool;
  GError *error;
  gsize error_offset;
} Parser;

#define NO_NODE G_MAXUINT32

static void fail (Parser *p, gsize offset, KioskExprError code, const char *format, ...) G_GNUC_PRINTF (4, 5);

static void
fail (Parser         *p,
      gsize           offset,
      KioskExprError  code,
      const char     *format,
      ...)
{
  va_list args;

  if (p->error != NULL)
    return;
  va_start (args, format);
  p->error = g_error_new_valist (KIOSK_EXPR_ERROR, code, format, args);
  va_end (args);
  p->error_offset = offset;
}

static void
fail_too_long (Parser *p)
{
  fail (p, p->n, KIOSK_EXPR_ERROR_TOO_LONG,
        "the expression is longer than %d bytes; shorten it, for example by splitting the condition",
        KIOSK_EXPR_MAX_LENGTH);
}

/* The 1-based character column of byte @offset (the source before it has
 * been read and is valid UTF-8). */
static glong
column_of (Parser *p,
           gsize   offset)
{
  return g_utf8_pointer_to_offset (p->src, p->src + offset) + 1;
}

static gboolean
is_ident_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_ident_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* Reports the character at @pos as unexpected, naming it. */
static void
fail_character (Parser     *p,
                gsize       pos,
                const char *where)
{
  gunichar c = g_utf8_get_char_validated (p->src + pos, p->n - pos);

  if (c == (gunichar) -2 && p->too_long)
    fail_too_long (p);
  else if (c == (gunichar) -1 || c == (gunichar) -2)
    fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "%s is not valid UTF-8 (byte 0x%02X)",
          where[0] != '\0' ? "a string in the expression" : "the expression", (guint) (guchar) p->src[pos]);
  else if (g_unichar_iscntrl (c))
    fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "unexpected control character U+%04X%s; remove it",
          (guint) c, where);
  else if (!g_unichar_isgraph (c))
    fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX,
          "unexpected invisible character U+%04X%s; remove it or use a plain space", (guint) c, where);
  else
    {
      char buf[8] = { 0 };

      g_unichar_to_utf8 (c, buf);
      fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "unexpected character '%s'%s", buf, where);
    }
}

/* Checks the string literal whose opening quote is at @start; on success
 * stores the position after the closing quote in *end. */
static gboolean
lex_string (Parser *p,
            gsize   start,
            gsize  *end)
{
  char quote = p->src[start];
  gsize pos = start + 1;

  for (;;)
    {
      gunichar c;

      if (pos >= p->n)
        {
          if (p->too_long)
            fail_too_long (p);
          else
            fail (p, start, KIOSK_EXPR_ERROR_SYNTAX,
                  "the string that starts at column %ld is not closed; add a %c at its end",
                  column_of (p, start), quote);
          return FALSE;
        }
      if (p->src[pos] == quote)
        {
          *end = pos + 1;
          return TRUE;
        }
      if (p->src[pos] == '\\')
        {
          char next = pos + 1 < p->n ? p->src[pos + 1] : '\0';

          if (next == '\'' || next == '"' || next == '\\')
            {
              pos += 2;
              continue;
            }
          if (pos + 1 >= p->n && p->too_long)
            fail_too_long (p);
          else
            fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX,
                  "unknown escape in a string; only \\' \\\" and \\\\ may follow a backslash "
                  "(write \\\\ for a backslash itself)");
          return FALSE;
        }
      c = g_utf8_get_char_validated (p->src + pos, p->n - pos);
      if (c == (gunichar) -1 || c == (gunichar) -2 || g_unichar_iscntrl (c))
        {
          fail_character (p, pos, " in a string");
          return FALSE;
        }
      pos = g_utf8_next_char (p->src + pos) - p->src;
    }
}

/* Reads the token at @pos (white space first) into p->tok. */
static gboolean
lex (Parser *p,
     gsize   pos)
{
  Token *t = &p->tok;
  const char *s = p->src;
  char c, next;

  while (pos < p->n && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
    pos++;
  t->start = pos;
  t->number = 0;
  if (pos >= p->n)
    {
      if (p->too_long)
        {
          fail_too_long (p);
          return FALSE;
        }
      t->kind = TOK_END;
      t->end = pos;
      return TRUE;
    }

  c = s[pos];
  next = pos + 1 < p->n ? s[pos + 1] : '\0';

  if (g_ascii_isdigit (c))
    {
      gsize end = pos;
      char *copy;

      while (end < p->n && g_ascii_isdigit (s[end]))
        end++;
      if (end < p->n && s[end] == '.')
        {
          end++;
          if (end >= p->n && p->too_long)
            {
              fail_too_long (p);
              return FALSE;
            }
          if (end >= p->n || !g_ascii_isdigit (s[end]))
            {
              fail (p, end, KIOSK_EXPR_ERROR_SYNTAX,
                    "expected a digit after the decimal point; write numbers like 3 or 3.5");
              return FALSE;
            }
          while (end < p->n && g_ascii_isdigit (s[end]))
            end++;
        }
      if (end >= p->n && p->too_long)
        {
          fail_too_long (p);
          return FALSE;
        }
      if (end < p->n && (is_ident_char (s[end]) || s[end] == '.'))
        {
          fail (p, end, KIOSK_EXPR_ERROR_SYNTAX,
                "unexpected '%c' right after a number; numbers are digits with an optional fraction, "
                "like 3 or 3.5 (no exponent, no second decimal point)", s[end]);
          return FALSE;
        }
      copy = g_strndup (s + pos, end - pos);
      t->number = g_ascii_strtod (copy, NULL);
      g_free (copy);
      if (!isfinite (t->number))
        {
          fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "the number is too large");
          return FALSE;
        }
      t->kind = TOK_NUMBER;
      t->end = end;
      return TRUE;
    }

  if (is_ident_start (c))
    {
      gsize end = pos;

      while (end < p->n && is_ident_char (s[end]))
        end++;
      if (end >= p->n && p->too_long)
        {
          fail_too_long (p);
          return FALSE;
        }
      t->kind = TOK_IDENT;
      t->end = end;
      for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
        if (strlen (keywords[i].word) == end - pos && memcmp (keywords[i].word, s + pos, end - pos) == 0)
          t->kind = keywords[i].kind;
      return TRUE;
    }

  if (c == '\'' || c == '"')
    {
      t->kind = TOK_STRING;
      return lex_string (p, pos, &t->end);
    }

  /* Operators; a one-byte operator at the very end of a cut source could
   * be the start of a two-byte one. */
  if (pos + 1 >= p->n && p->too_long && strchr ("=!<>&|", c) != NULL)
    {
      fail_too_long (p);
      return FALSE;
    }
  t->end = pos + 1;
  switch (c)
    {
    case '+': t->kind = TOK_PLUS; return TRUE;
    case '-': t->kind = TOK_MINUS; return TRUE;
    case '(': t->kind = TOK_LPAREN; return TRUE;
    case ')': t->kind = TOK_RPAREN; return TRUE;
    case '[': t->kind = TOK_LBRACKET; return TRUE;
    case ']': t->kind = TOK_RBRACKET; return TRUE;
    case ',': t->kind = TOK_COMMA; return TRUE;
    case '<':
      t->kind = next == '=' ? TOK_LE : TOK_LT;
      t->end = pos + (next == '=' ? 2 : 1);
      return TRUE;
    case '>':
      t->kind = next == '=' ? TOK_GE : TOK_GT;
      t->end = pos + (next == '=' ? 2 : 1);
      return TRUE;
    case '=':
      if (next == '=')
        {
          t->kind = TOK_EQ;
          t->end = pos + 2;
          return TRUE;
        }
      fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "a single '=' is not an operator; write '==' to compare");
      return FALSE;
    case '!':
      if (next == '=')
        {
          t->kind = TOK_NE;
          t->end = pos + 2;
          return TRUE;
        }
      fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "'!' alone is not an operator; write 'not' to negate or '!=' to compare");
      return FALSE;
    case '&':
      fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "write 'and' instead of '%s'", next == '&' ? "&&" : "&");
      return FALSE;
    case '|':
      fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "write 'or' instead of '%s'", next == '|' ? "||" : "|");
      return FALSE;
    default:
      fail_character (p, pos, "");
      return FALSE;
    }
}

static gboolean
advance (Parser *p)
{
  return lex (p, p->tok.end);
}

/* Describes the current token for "expected …, but found …". */
static const char *
describe (Parser *p,
          char   *buf,
          gsize   size)
{
  const Token *t = &p->tok;
  int len = (int) MIN (t->end - t->start, 40);

  switch (t->kind)
    {
    case TOK_END:
      return "the end of the expression";
    case TOK_NUMBER:
      g_snprintf (buf, size, "the number %.*s", len, p->src + t->start);
      return buf;
    case TOK_STRING:
      return "a string";
    case TOK_IDENT:
      g_snprintf (buf, size, "the name '%.*s'", len, p->src + t->start);
      return buf;
    case TOK_AND: case TOK_OR: case TOK_NOT: case TOK_IN:
    case TOK_TRUE: case TOK_FALSE: case TOK_NULL:
      g_snprintf (buf, size, "the keyword '%.*s'", len, p->src + t->start);
      return buf;
    default:
      g_snprintf (buf, size, "'%.*s'", len, p->src + t->start);
      return buf;
    }
}

/* ---- The parser --------------------------------------------------------- */

static guint32
add_node (Parser   *p,
          NodeKind  kind,
          gsize     offset)
{
  Node node = { 0 };

  node.kind = kind;
  node.offset = (guint32) offset;
  g_array_append_val (p->nodes, node);
  return p->nodes->len - 1;
}

static Node *
node_at (Parser  *p,
         guint32  index)
{
  return &g_array_index (p->nodes, Node, index);
}

/* Gives node @index the children @children (and the signs @ops, or none). */
static void
set_children (Parser        *p,
              guint32        index,
              const guint32 *children,
              const guint8  *ops,
              guint          n)
{
  Node *node = node_at (p, index);

  node->first = p->kids->len;
  node->n = n;
  g_array_append_vals (p->kids, children, n);
  for (guint i = 0; i < n; i++)
    {
      guint8 op = ops != NULL ? ops[i] : 0;
      g_array_append_val (p->ops, op);
    }
}

static guint32
add_string (Parser     *p,
            const char *text,
            gsize       len)
{
  guint32 at = p->pool->len;

  g_string_append_len (p->pool, text, len);
  g_string_append_c (p->pool, '\0');
  return at;
}

/* Opens one more nesting level at @offset. */
static gboolean
enter (Parser *p,
       gsize   offset)
{
  if (p->depth >= KIOSK_EXPR_MAX_DEPTH)
    {
      fail (p, offset, KIOSK_EXPR_ERROR_TOO_DEEP,
            "the expression is nested more than %d levels deep (each parenthesis, list, function call, "
            "'not' and '-' adds a level); simplify it", KIOSK_EXPR_MAX_DEPTH);
      return FALSE;
    }
  p->depth++;
  return TRUE;
}

typedef guint32 (*ParseFunc) (Parser *p);

static guint32 parse_expr (Parser *p);
static guint32 parse_compare (Parser *p);

/* [ expr ( "," expr )* ] up to (not including) @closer, appended to
 * @children: the arguments of a call, the elements of a list. */
static gboolean
parse_elements (Parser  *p,
                TokKind  closer,
                GArray  *children)
{
  if (p->tok.kind == closer)
    return TRUE;
  for (;;)
    {
      guint32 element = parse_expr (p);

      if (element == NO_NODE)
        return FALSE;
      g_array_append_val (children, element);
      if (p->tok.kind != TOK_COMMA)
        return TRUE;
      if (!advance (p))
        return FALSE;
    }
}

/* Appends the current token's string literal, unescaped, to the pool. */
static guint32
add_string_literal (Parser *p)
{
  const char *s = p->src + p->tok.start + 1;
  const char *end = p->src + p->tok.end - 1;
  guint32 at = p->pool->len;

  while (s < end)
    {
      if (*s == '\\')
        s++;
      g_string_append_c (p->pool, *s);
      s++;
    }
  g_string_append_c (p->pool, '\0');
  return at;
}

static guint32
parse_call (Parser *p,
            gsize   name_start,
            gsize   name_end)
{
  char buf[64];
  gsize name_len = name_end - name_start;
  guint function = G_N_ELEMENTS (functions);
  g_autoptr(GArray) args = NULL;
  guint32 node;

  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    if (strlen (functions[i].name) == name_len && memcmp (functions[i].name, p->src + name_start, name_len) == 0)
      function = i;
  if (function == G_N_ELEMENTS (functions))
    {
      fail (p, name_start, KIOSK_EXPR_ERROR_FUNCTION,
            "unknown function '%.*s'; known functions: present, count, age, today, len",
            (int) MIN (name_len, 40), p->src + name_start);
      return NO_NODE;
    }
  if (!enter (p, name_start))
    return NO_NODE;
  if (!advance (p))   /* the "(" */
    return NO_NODE;

  args = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (function == FN_COUNT)
    {
      guint32 arg;

      if (p->tok.kind == TOK_RPAREN)
        {
          fail (p, name_start, KIOSK_EXPR_ERROR_FUNCTION,
                "count() takes exactly 1 argument, the id of a repeatable group, but none was given");
          return NO_NODE;
        }
      if (p->tok.kind != TOK_IDENT)
        {
          fail (p, p->tok.start, KIOSK_EXPR_ERROR_FUNCTION,
                "count() takes the id of a repeatable group, like count(personen), but found %s",
                describe (p, buf, sizeof buf));
          return NO_NODE;
        }
      arg = add_node (p, NODE_IDENT, p->tok.start);
      node_at (p, arg)->first = add_string (p, p->src + p->tok.start, p->tok.end - p->tok.start);
      g_array_append_val (args, arg);
      if (!advance (p))
        return NO_NODE;
      if (p->tok.kind == TOK_COMMA)
        {
          fail (p, name_start, KIOSK_EXPR_ERROR_FUNCTION,
                "count() takes exactly 1 argument, the id of a repeatable group, but more were given");
          return NO_NODE;
        }
      if (p->tok.kind != TOK_RPAREN)
        {
          fail (p, p->tok.start, KIOSK_EXPR_ERROR_FUNCTION,
                "count() takes only the id of a repeatable group, like count(personen), but found %s after it",
                describe (p, buf, sizeof buf));
          return NO_NODE;
        }
    }
  else
    {
      if (!parse_elements (p, TOK_RPAREN, args))
        return NO_NODE;
      if (p->tok.kind != TOK_RPAREN)
        {
          fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
                "expected ',' or ')' after an argument of %s(), but found %s",
                functions[function].name, describe (p, buf, sizeof buf));
          return NO_NODE;
        }
    }
  if (args->len != functions[function].n_args)
    {
      if (functions[function].n_args == 0)
        fail (p, name_start, KIOSK_EXPR_ERROR_FUNCTION, "%s() takes no arguments, but %u %s given",
              functions[function].name, args->len, args->len == 1 ? "was" : "were");
      else
        fail (p, name_start, KIOSK_EXPR_ERROR_FUNCTION, "%s() takes exactly %u argument, but %u %s given",
              functions[function].name, functions[function].n_args, args->len, args->len == 1 ? "was" : "were");
      return NO_NODE;
    }
  if (!advance (p))   /* the ")" */
    return NO_NODE;
  p->depth--;

  node = add_node (p, NODE_CALL, name_start);
  node_at (p, node)->op = function;
  set_children (p, node, (guint32 *) args->data, NULL, args->len);
  return node;
}

static guint32
parse_primary (Parser *p)
{
  char buf[64];
  Token t = p->tok;
  guint32 node;

  switch (t.kind)
    {
    case TOK_NUMBER:
      node = add_node (p, NODE_NUMBER, t.start);
      node_at (p, node)->number = t.number;
      break;
    case TOK_STRING:
      node = add_node (p, NODE_STRING, t.start);
      node_at (p, node)->first = add_string_literal (p);
      break;
    case TOK_TRUE:
    case TOK_FALSE:
      node = add_node (p, NODE_BOOL, t.start);
      node_at (p, node)->boolean = t.kind == TOK_TRUE;
      break;
    case TOK_NULL:
      node = add_node (p, NODE_NULL, t.start);
      break;
    case TOK_IDENT:
      if (!advance (p))
        return NO_NODE;
      if (p->tok.kind == TOK_LPAREN)
        return parse_call (p, t.start, t.end);
      node = add_node (p, NODE_IDENT, t.start);
      node_at (p, node)->first = add_string (p, p->src + t.start, t.end - t.start);
      return node;
    case TOK_LPAREN:
      if (!enter (p, t.start) || !advance (p))
        return NO_NODE;
      node = parse_expr (p);
      if (node == NO_NODE)
        return NO_NODE;
      if (p->tok.kind != TOK_RPAREN)
        {
          fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
                "expected ')' to close the parenthesis opened at column %ld, but found %s",
                column_of (p, t.start), describe (p, buf, sizeof buf));
          return NO_NODE;
        }
      p->depth--;
      break;
    case TOK_END:
      fail (p, t.start, KIOSK_EXPR_ERROR_SYNTAX, "%s",
            p->src[strspn (p->src, " \t\r\n")] == '\0'
              ? "the expression is empty; write a condition such as present(name)"
              : "the expression ends too early; a value is missing at its end");
      return NO_NODE;
    default:
      fail (p, t.start, KIOSK_EXPR_ERROR_SYNTAX,
            "expected a value (a number, a string, true, false, null, a field id, a function call "
            "or '(') but found %s", describe (p, buf, sizeof buf));
      return NO_NODE;
    }
  if (!advance (p))
    return NO_NODE;
  return node;
}

/* A prefix operator that may repeat: not := "not" not | compare,
 * unary := "-" unary | primary. Each operator opens a nesting level. */
static guint32
parse_prefix (Parser    *p,
              TokKind    op,
              NodeKind   kind,
              ParseFunc  self,
              ParseFunc  next)
{
  gsize start = p->tok.start;
  guint32 child, node;

  if (p->tok.kind != op)
    return next (p);
  if (!enter (p, start) || !advance (p))
    return NO_NODE;
  child = self (p);
  if (child == NO_NODE)
    return NO_NODE;
  p->depth--;
  node = add_node (p, kind, start);
  set_children (p, node, &child, NULL, 1);
  return node;
}

static guint32
parse_unary (Parser *p)
{
  return parse_prefix (p, TOK_MINUS, NODE_NEG, parse_unary, parse_primary);
}

static guint32
parse_sum (Parser *p)
{
  g_autoptr(GArray) children = NULL;
  g_autoptr(GByteArray) ops = NULL;
  guint32 first = parse_unary (p);
  gsize start;
  guint32 node;
  guint8 plus = '+';

  if (first == NO_NODE)
    return NO_NODE;
  if (p->tok.kind != TOK_PLUS && p->tok.kind != TOK_MINUS)
    return first;

  start = node_at (p, first)->offset;
  children = g_array_new (FALSE, FALSE, sizeof (guint32));
  ops = g_byte_array_new ();
  g_array_append_val (children, first);
  g_byte_array_append (ops, &plus, 1);
  while (p->tok.kind == TOK_PLUS || p->tok.kind == TOK_MINUS)
    {
      guint8 op = p->tok.kind == TOK_PLUS ? '+' : '-';
      guint32 next;

      if (!advance (p))
        return NO_NODE;
      next = parse_unary (p);
      if (next == NO_NODE)
        return NO_NODE;
      g_array_append_val (children, next);
      g_byte_array_append (ops, &op, 1);
    }
  node = add_node (p, NODE_SUM, start);
  set_children (p, node, (guint32 *) children->data, ops->data, children->len);
  return node;
}

static gboolean
is_compare (TokKind kind)
{
  return kind >= TOK_EQ && kind <= TOK_GE;
}

/* list := "[" [ expr ( "," expr )* ] "]", appended to @children. */
static gboolean
parse_list (Parser *p,
            GArray *children)
{
  char buf[64];
  gsize open = p->tok.start;

  if (p->tok.kind != TOK_LBRACKET)
    {
      fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
            "expected a list like ['a', 'b'] after 'in', but found %s", describe (p, buf, sizeof buf));
      return FALSE;
    }
  if (!enter (p, open) || !advance (p) || !parse_elements (p, TOK_RBRACKET, children))
    return FALSE;
  if (p->tok.kind != TOK_RBRACKET)
    {
      fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
            "expected ',' or ']' to close the list opened at column %ld, but found %s",
            column_of (p, open), describe (p, buf, sizeof buf));
      return FALSE;
    }
  p->depth--;
  return advance (p);
}

static guint32
parse_compare (Parser *p)
{
  char buf[64];
  guint32 left = parse_sum (p);
  gsize op_start;
  guint32 node;

  if (left == NO_NODE)
    return NO_NODE;
  op_start = p->tok.start;

  if (is_compare (p->tok.kind))
    {
      static const CompareOp ops[] = {
        [TOK_EQ - TOK_EQ] = CMP_EQ, [TOK_NE - TOK_EQ] = CMP_NE, [TOK_LT - TOK_EQ] = CMP_LT,
        [TOK_LE - TOK_EQ] = CMP_LE, [TOK_GT - TOK_EQ] = CMP_GT, [TOK_GE - TOK_EQ] = CMP_GE,
      };
      CompareOp op = ops[p->tok.kind - TOK_EQ];
      guint32 children[2] = { left, NO_NODE };

      if (!advance (p))
        return NO_NODE;
      children[1] = parse_sum (p);
      if (children[1] == NO_NODE)
        return NO_NODE;
      node = add_node (p, NODE_COMPARE, op_start);
      node_at (p, node)->op = op;
      set_children (p, node, children, NULL, 2);
    }
  else if (p->tok.kind == TOK_IN || p->tok.kind == TOK_NOT)
    {
      g_autoptr(GArray) children = g_array_new (FALSE, FALSE, sizeof (guint32));
      NodeKind kind = p->tok.kind == TOK_IN ? NODE_IN : NODE_NOT_IN;

      if (!advance (p))
        return NO_NODE;
      if (kind == NODE_NOT_IN)
        {
          if (p->tok.kind != TOK_IN)
            {
              fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
                    "expected 'in' after 'not' (as in x not in ['a', 'b']), but found %s",
                    describe (p, buf, sizeof buf));
              return NO_NODE;
            }
          if (!advance (p))
            return NO_NODE;
        }
      g_array_append_val (children, left);
      if (!parse_list (p, children))
        return NO_NODE;
      node = add_node (p, kind, op_start);
      set_children (p, node, (guint32 *) children->data, NULL, children->len);
    }
  else
    return left;

  if (is_compare (p->tok.kind) || p->tok.kind == TOK_IN)
    {
      fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
            "comparisons cannot be chained (a == b == c); join them with 'and' (a == b and b == c)");
      return NO_NODE;
    }
  return node;
}

static guint32
parse_not (Parser *p)
{
  return parse_prefix (p, TOK_NOT, NODE_NOT, parse_not, parse_compare);
}

/* One level of a chain: or := and ( "or" and )*, and := not ( "and" not )*. */
static guint32
parse_chain (Parser  *p,
             TokKind  separator)
{
  g_autoptr(GArray) children = NULL;
  guint32 first, node;

  first = separator == TOK_OR ? parse_chain (p, TOK_AND) : parse_not (p);
  if (first == NO_NODE || p->tok.kind != separator)
    return first;

  children = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_array_append_val (children, first);
  while (p->tok.kind == separator)
    {
      guint32 next;

      if (!advance (p))
        return NO_NODE;
      next = separator == TOK_OR ? parse_chain (p, TOK_AND) : parse_not (p);
      if (next == NO_NODE)
        return NO_NODE;
      g_array_append_val (children, next);
    }
  node = add_node (p, separator == TOK_OR ? NODE_OR : NODE_AND, node_at (p, first)->offset);
  set_children (p, node, (guint32 *) children->data, NULL, children->len);
  return node;
}

static guint32
parse_expr (Parser *p)
{
  return parse_chain (p, TOK_OR);
}

KioskExpr *
kiosk_expr_parse (const char *source,
                  gsize      *error_offset,
                  GError    **error)
{
  Parser p = { 0 };
  g_autoptr(GArray) nodes = NULL;
  g_autoptr(GArray) kids = NULL;
  g_autoptr(GArray) ops = NULL;
  g_autoptr(GString) pool = NULL;
  KioskExpr *expr;
  guint32 root = NO_NODE;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  nodes = g_array_new (FALSE, FALSE, sizeof (Node));
  kids = g_array_new (FALSE, FALSE, sizeof (guint32));
  ops = g_array_new (FALSE, FALSE, sizeof (guint8));
  pool = g_string_new (NULL);
  p.src = source;
  p.n = strnlen (source, KIOSK_EXPR_MAX_LENGTH + 1);
  if (p.n > KIOSK_EXPR_MAX_LENGTH)
    {
      p.n = KIOSK_EXPR_MAX_LENGTH;
      p.too_long = TRUE;
    }
  p.nodes = nodes;
  p.kids = kids;
  p.ops = ops;
  p.pool = pool;
  p.depth = 1;   /* the top level */

  if (lex (&p, 0))
    {
      root = parse_expr (&p);
      if (root != NO_NODE && p.tok.kind != TOK_END)
        {
          char buf[64];

          if (p.tok.kind == TOK_RPAREN)
            fail (&p, p.tok.start, KIOSK_EXPR_ERROR_SYNTAX, "unexpected ')' that closes no '('");
          else
            fail (&p, p.tok.start, KIOSK_EXPR_ERROR_SYNTAX,
                  "found %s after a complete expression; join conditions with 'and' or 'or'",
                  describe (&p, buf, sizeof buf));
        }
    }
  if (p.error != NULL)
    {
      if (error_offset != NULL)
        *error_offset = p.error_offset;
      g_propagate_error (error, p.error);
      return NULL;
    }

  expr = g_new0 (KioskExpr, 1);
  expr->source = g_strdup (source);
  expr->root = root;
  expr->nodes = (Node *) (void *) g_array_free (g_steal_pointer (&nodes), FALSE);
  expr->kids = (guint32 *) (void *) g_array_free (g_steal_pointer (&kids), FALSE);
  expr->ops = (guint8 *) g_array_free (g_steal_pointer (&ops), FALSE);
  expr->pool = g_string_free (g_steal_pointer (&pool), FALSE);
  return expr;
}

void
kiosk_expr_free (KioskExpr *expr)
{
  if (expr == NULL)
    return;
  g_free (expr->source);
  g_free (expr->nodes);
  g_free (expr->kids);
  g_free (expr->ops);
  g_free (expr->pool);
  g_free (expr);
}

const char *
kiosk_expr_get_source (const KioskExpr *expr)
{
  g_return_val_if_fail (expr != NULL, NULL);
  return expr->source;
}

/* ---- Visitors ----------------------------------------------------------- */

static const Node *
child (const KioskExpr *expr,
       const Node      *node,
       guint32          i)
{
  return &expr->nodes[expr->kids[node->first + i]];
}

static const char *
string_of (const KioskExpr *expr,
           const Node      *node)
{
  return expr->pool + node->first;
}

/* Calls @visit on @node, then on its descendants, depth first; children
 * are stored in source order, so identifiers are visited in source order. */
typedef gboolean (*VisitFunc) (const KioskExpr *expr, const Node *node, gpointer data, GError **error);

static gboolean
walk (const KioskExpr *expr,
      const Node      *node,
      VisitFunc        visit,
      gpointer         data,
      GError         **error)
{
  if (!visit (expr, node, data, error))
    return FALSE;
  if (node->kind == NODE_CALL && node->op == FN_COUNT)
    return TRUE;   /* its argument is a group, not a value */
  if (node->kind >= NODE_OR)
    for (guint32 i = 0; i < node->n; i++)
      if (!walk (expr, child (expr, node, i), visit, data, error))
        return FALSE;
  return TRUE;
}

typedef struct {
  KioskExprRefFunc ref_func;
  KioskExprLiteralFunc literal_func;
  gpointer user_data;
} Visitor;

static gboolean
visit_ref (const KioskExpr *expr,
           const Node      *node,
           gpointer         data,
           GError         **error)
{
  Visitor *v = data;

  if (node->kind == NODE_IDENT)
    return v->ref_func (string_of (expr, node), KIOSK_EXPR_REF_VALUE, node->offset, v->user_data, error);
  if (node->kind == NODE_CALL && node->op == FN_COUNT)
    {
      const Node *group = child (expr, node, 0);
      return v->ref_func (string_of (expr, group), KIOSK_EXPR_REF_COUNT, group->offset, v->user_data, error);
    }
  return TRUE;
}

gboolean
kiosk_expr_check_refs (const KioskExpr  *expr,
                       KioskExprRefFunc  func,
                       gpointer          user_data,
                       GError          **error)
{
  Visitor v = { func, NULL, user_data };

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  return walk (expr, &expr->nodes[expr->root], visit_ref, &v, error);
}

static gboolean
report_literal (const KioskExpr *expr,
                const Node      *ident,
                const Node      *literal,
                Visitor         *v,
                GError         **error)
{
  if (ident->kind != NODE_IDENT || literal->kind != NODE_STRING)
    return TRUE;
  return v->literal_func (string_of (expr, ident), string_of (expr, literal), literal->offset, v->user_data, error);
}

static gboolean
visit_literal (const KioskExpr *expr,
               const Node      *node,
               gpointer         data,
               GError         **error)
{
  Visitor *v = data;

  if (node->kind == NODE_COMPARE && (node->op == CMP_EQ || node->op == CMP_NE))
    {
      const Node *a = child (expr, node, 0), *b = child (expr, node, 1);
      return report_literal (expr, a, b, v, error) && report_literal (expr, b, a, v, error);
    }
  if (node->kind == NODE_IN || node->kind == NODE_NOT_IN)
    for (guint32 i = 1; i < node->n; i++)
      if (!report_literal (expr, child (expr, node, 0), child (expr, node, i), v, error))
        return FALSE;
  return TRUE;
}

gboolean
kiosk_expr_check_literals (const KioskExpr      *expr,
                           KioskExprLiteralFunc  func,
                           gpointer              user_data,
                           GError              **error)
{
  Visitor v = { NULL, func, user_data };

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  return walk (expr, &expr->nodes[expr->root], visit_literal, &v, error);
}

/* ---- Evaluation --------------------------------------------------------- */

static void
set_null (KioskValue *v)
{
  v->type = KIOSK_VALUE_NULL;
  v->boolean = FALSE;
  v->number = 0;
  v->string = NULL;
}

static void
set_bool (KioskValue *v,
          gboolean    b)
{
  set_null (v);
  v->type = KIOSK_VALUE_BOOL;
  v->boolean = b != FALSE;
}

static void
set_number (KioskValue *v,
            double      x)
{
  set_null (v);
  if (!isfinite (x))
    return;
  v->type = KIOSK_VALUE_NUMBER;
  v->number = x;
}

static void
set_string (KioskValue *v,
            const char *s)
{
  set_null (v);
  if (s == NULL)
    return;
  v->type = KIOSK_VALUE_STRING;
  v->string = s;
}

static gboolean
truthy (const KioskValue *v)
{
  switch (v->type)
    {
    case KIOSK_VALUE_BOOL:
      return v->boolean;
    case KIOSK_VALUE_NUMBER:
      return v->number != 0;
    case KIOSK_VALUE_STRING:
      return v->string[0] != '\0';
    case KIOSK_VALUE_NULL:
    default:
      return FALSE;
    }
}

static gboolean
values_equal (const KioskValue *a,
              const KioskValue *b)
{
  if (a->type != b->type)
    return FALSE;
  switch (a->type)
    {
    case KIOSK_VALUE_NULL:
      return TRUE;
    case KIOSK_VALUE_BOOL:
      return a->boolean == b->boolean;
    case KIOSK_VALUE_NUMBER:
      return a->number == b->number;
    case KIOSK_VALUE_STRING:
      return strcmp (a->string, b->string) == 0;
    default:
      return FALSE;
    }
}

static gboolean
compare (CompareOp         op,
         const KioskValue *a,
         const KioskValue *b)
{
  int order;

  if (op == CMP_EQ)
    return values_equal (a, b);
  if (a->type == KIOSK_VALUE_NULL || b->type == KIOSK_VALUE_NULL)
    return FALSE;
  if (op == CMP_NE)
    return !values_equal (a, b);
  if (a->type == KIOSK_VALUE_NUMBER && b->type == KIOSK_VALUE_NUMBER)
    order = a->number < b->number ? -1 : a->number > b->number ? 1 : 0;
  else if (a->type == KIOSK_VALUE_STRING && b->type == KIOSK_VALUE_STRING)
    order = strcmp (a->string, b->string);   /* UTF-8 byte order is code point order */
  else
    return FALSE;
  switch (op)
    {
    case CMP_LT: return order < 0;
    case CMP_LE: return order <= 0;
    case CMP_GT: return order > 0;
    case CMP_GE: return order >= 0;
    case CMP_EQ:
    case CMP_NE:
    default:
      return FALSE;
    }
}

/* Parses an ISO date "YYYY-MM-DD" (nothing before or after), years 1 to
 * 9999, a real calendar day. */
static gboolean
parse_iso_date (const char *s,
                guint      *year,
                guint      *month,
                guint      *day)
{
  static const guint8 digits[] = { 0, 1, 2, 3, 5, 6, 8, 9 };

  if (s == NULL || strnlen (s, 11) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (digits); i++)
    if (!g_ascii_isdigit (s[digits[i]]))
      return FALSE;
  *year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  *month = (s[5] - '0') * 10 + (s[6] - '0');
  *day = (s[8] - '0') * 10 + (s[9] - '0');
  return *year >= 1 && *month >= 1 && *month <= 12 && *day >= 1
         && *day <= g_date_get_days_in_month ((GDateMonth) *month, (GDateYear) *year);
}

static void
eval_age (const KioskValue   *date,
          const KioskExprEnv *env,
          KioskValue         *out)
{
  guint by, bm, bd, ty, tm, td;
  int years;

  set_null (out);
  if (date->type != KIOSK_VALUE_STRING || env == NULL
      || !parse_iso_date (date->string, &by, &bm, &bd)
      || !parse_iso_date (env->today, &ty, &tm, &td))
    return;
  years = (int) ty - (int) by;
  if (tm < bm || (tm == bm && td < bd))
    years--;
  set_number (out, years);
}

static void
eval_len (const KioskValue *v,
          KioskValue       *out)
{
  gunichar max = 0;
  glong count = 0;

  set_null (out);
  if (v->type != KIOSK_VALUE_STRING || !g_utf8_validate (v->string, -1, NULL))
    return;
  for (const char *s = v->string; *s != '\0'; s = g_utf8_next_char (s))
    {
      max = MAX (max, g_utf8_get_char (s));
      count++;
    }
  /* Below U+0300 there is nothing for NFC to compose or decompose. */
  if (max >= 0x300)
    {
      g_autofree char *nfc = kiosk_utf8_nfc (v->string, -1);

      if (nfc == NULL)
        return;
      count = g_utf8_strlen (nfc, -1);
    }
  set_number (out, count);
}

static void eval_node (const KioskExpr *expr, const Node *node, const KioskExprEnv *env, KioskValue *out);

static void
eval_call (const KioskExpr    *expr,
           const Node         *node,
           const KioskExprEnv *env,
           KioskValue         *out)
{
  KioskValue arg;

  switch ((Function) node->op)
    {
    case FN_PRESENT:
      eval_node (expr, child (expr, node, 0), env, &arg);
      set_bool (out, arg.type != KIOSK_VALUE_NULL);
      return;
    case FN_COUNT:
      set_number (out, env != NULL && env->count != NULL
                       ? env->count (string_of (expr, child (expr, node, 0)), env->user_data) : 0);
      return;
    case FN_AGE:
      eval_node (expr, child (expr, node, 0), env, &arg);
      eval_age (&arg, env, out);
      return;
    case FN_TODAY:
      set_string (out, env != NULL ? env->today : NULL);
      return;
    case FN_LEN:
      eval_node (expr, child (expr, node, 0), env, &arg);
      eval_len (&arg, out);
      return;
    default:
      set_null (out);
      return;
    }
}

static void
eval_node (const KioskExpr    *expr,
           const Node         *node,
           const KioskExprEnv *env,
           KioskValue         *out)
{
  KioskValue a, b;

  switch ((NodeKind) node->kind)
    {
    case NODE_NULL:
      set_null (out);
      return;
    case NODE_BOOL:
      set_bool (out, node->boolean);
      return;
    case NODE_NUMBER:
      set_number (out, node->number);
      return;
    case NODE_STRING:
      set_string (out, string_of (expr, node));
      return;
    case NODE_IDENT:
      set_null (out);
      if (env == NULL || env->lookup == NULL)
        return;
      env->lookup (string_of (expr, node), out, env->user_data);
      /* Whatever the callback left, make it a well-formed value. */
      switch (out->type)
        {
        case KIOSK_VALUE_BOOL:
          set_bool (out, out->boolean);
          return;
        case KIOSK_VALUE_NUMBER:
          set_number (out, out->number);
          return;
        case KIOSK_VALUE_STRING:
          set_string (out, out->string);
          return;
        case KIOSK_VALUE_NULL:
        default:
          set_null (out);
          return;
        }
    case NODE_OR:
    case NODE_AND:
      for (guint32 i = 0; i < node->n; i++)
        {
          eval_node (expr, child (expr, node, i), env, &a);
          if (truthy (&a) == (node->kind == NODE_OR))
            {
              set_bool (out, node->kind == NODE_OR);
              return;
            }
        }
      set_bool (out, node->kind == NODE_AND);
      return;
    case NODE_NOT:
      eval_node (expr, child (expr, node, 0), env, &a);
      set_bool (out, !truthy (&a));
      return;
    case NODE_NEG:
      eval_node (expr, child (expr, node, 0), env, &a);
      if (a.type == KIOSK_VALUE_NUMBER)
        set_number (out, -a.number);
      else
        set_null (out);
      return;
    case NODE_SUM:
      {
        double sum = 0;

        for (guint32 i = 0; i < node->n; i++)
          {
            eval_node (expr, child (expr, node, i), env, &a);
            if (a.type != KIOSK_VALUE_NUMBER)
              {
                set_null (out);
                return;
              }
            sum = expr->ops[node->first + i] == '-' ? sum - a.number : sum + a.number;
          }
        set_number (out, sum);
        return;
      }
    case NODE_COMPARE:
      eval_node (expr, child (expr, node, 0), env, &a);
      eval_node (expr, child (expr, node, 1), env, &b);
      /* `x != null` written out means "x has a value" (as SQL's IS NOT
       * NULL), although other comparisons with an empty value are false. */
      if ((CompareOp) node->op == CMP_NE
          && (child (expr, node, 0)->kind == NODE_NULL || child (expr, node, 1)->kind == NODE_NULL))
        {
          set_bool (out, (a.type == KIOSK_VALUE_NULL) != (b.type == KIOSK_VALUE_NULL));
          return;
        }
      set_bool (out, compare ((CompareOp) node->op, &a, &b));
      return;
    case NODE_IN:
    case NODE_NOT_IN:
      {
        gboolean found = FALSE;

        eval_node (expr, child (expr, node, 0), env, &a);
        if (node->kind == NODE_NOT_IN && a.type == KIOSK_VALUE_NULL)
          {
            set_bool (out, FALSE);
            return;
          }
        for (guint32 i = 1; i < node->n && !found; i++)
          {
            eval_node (expr, child (expr, node, i), env, &b);
            found = values_equal (&a, &b);
          }
        set_bool (out, found == (node->kind == NODE_IN));
        return;
      }
    case NODE_CALL:
      eval_call (expr, node, env, out);
      return;
    default:
      set_null (out);
      return;
    }
}

gboolean
kiosk_expr_eval_bool (const KioskExpr    *expr,
                      const KioskExprEnv *env)
{
  KioskValue v;

  g_return_val_if_fail (expr != NULL, FALSE);
  eval_node (expr, &expr->nodes[expr->root], env, &v);
  return truthy (&v);
}

/* The shortest text that reads back as @x. */
static void
append_number (GString *out,
               double   x)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (x == 0)
    {
      g_string_append_c (out, '0');   /* also for -0 */
      return;
    }
  if (x == floor (x) && fabs (x) < 1e15)
    {
      g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.0f", x));
      return;
    }
  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, x);
      if (g_ascii_strtod (buf, NULL) == x)
        break;
    }
  g_string_append (out, buf);
}

static void
append_json_string (GString    *out,
                    const char *s)
{
  g_string_append_c (out, '"');
  while (*s != '\0')
    {
      gunichar c = g_utf8_get_char_validated (s, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append (out, "\\ufffd");   /* not UTF-8: one replacement per byte */
          s++;
          continue;
        }
      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", (guint) c);
      else
        g_string_append_len (out, s, g_utf8_next_char (s) - s);
      s = g_utf8_next_char (s);
    }
  g_string_append_c (out, '"');
}

char *
kiosk_expr_eval_to_json (const KioskExpr    *expr,
                         const KioskExprEnv *env)
{
  GString *out = g_string_new (NULL);
  KioskValue v;

  g_return_val_if_fail (expr != NULL, NULL);
  eval_node (expr, &expr->nodes[expr->root], env, &v);
  switch (v.type)
    {
    case KIOSK_VALUE_BOOL:
      g_string_append (out, v.boolean ? "true" : "false");
      break;
    case KIOSK_VALUE_NUMBER:
      append_number (out, v.number);
      break;
    case KIOSK_VALUE_STRING:
      append_json_string (out, v.string);
      break;
    case KIOSK_VALUE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
  return g_string_free (out, FALSE);
}
