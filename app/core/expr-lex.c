/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-expr"

/* The tokenizer of the condition language, and the reports of the
 * parser's problems (expr-private.h). */

#include "config.h"

#include <math.h>
#include <string.h>

#include "expr-private.h"

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

void
_kiosk_expr_fail (Parser         *p,
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

void
_kiosk_expr_fail_too_long (Parser *p)
{
  _kiosk_expr_fail (p, p->n, KIOSK_EXPR_ERROR_TOO_LONG,
                    "the expression is longer than %d bytes; shorten it, for example by splitting the condition",
                    KIOSK_EXPR_MAX_LENGTH);
}

glong
_kiosk_expr_column_of (Parser *p,
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
    _kiosk_expr_fail_too_long (p);
  else if (c == (gunichar) -1 || c == (gunichar) -2)
    _kiosk_expr_fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "%s is not valid UTF-8 (byte 0x%02X)",
                      where[0] != '\0' ? "a string in the expression" : "the expression", (guint) (guchar) p->src[pos]);
  else if (g_unichar_iscntrl (c))
    _kiosk_expr_fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "unexpected control character U+%04X%s; remove it",
                      (guint) c, where);
  else if (!g_unichar_isgraph (c))
    _kiosk_expr_fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX,
                      "unexpected invisible character U+%04X%s; remove it or use a plain space", (guint) c, where);
  else
    {
      char buf[8] = { 0 };

      g_unichar_to_utf8 (c, buf);
      _kiosk_expr_fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "unexpected character '%s'%s", buf, where);
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
            _kiosk_expr_fail_too_long (p);
          else
            _kiosk_expr_fail (p, start, KIOSK_EXPR_ERROR_SYNTAX,
                              "the string that starts at column %ld is not closed; add a %c at its end",
                              _kiosk_expr_column_of (p, start), quote);
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
            _kiosk_expr_fail_too_long (p);
          else
            _kiosk_expr_fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX,
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

/* A number at @pos: digits with an optional fraction. */
static gboolean
lex_number (Parser *p,
            gsize   pos)
{
  Token *t = &p->tok;
  const char *s = p->src;
  gsize end = pos;
  char *copy;

  while (end < p->n && g_ascii_isdigit (s[end]))
    end++;
  if (end < p->n && s[end] == '.')
    {
      end++;
      if (end >= p->n && p->too_long)
        {
          _kiosk_expr_fail_too_long (p);
          return FALSE;
        }
      if (end >= p->n || !g_ascii_isdigit (s[end]))
        {
          _kiosk_expr_fail (p, end, KIOSK_EXPR_ERROR_SYNTAX,
                            "expected a digit after the decimal point; write numbers like 3 or 3.5");
          return FALSE;
        }
      while (end < p->n && g_ascii_isdigit (s[end]))
        end++;
    }
  if (end >= p->n && p->too_long)
    {
      _kiosk_expr_fail_too_long (p);
      return FALSE;
    }
  if (end < p->n && (is_ident_char (s[end]) || s[end] == '.'))
    {
      _kiosk_expr_fail (p, end, KIOSK_EXPR_ERROR_SYNTAX,
                        "unexpected '%c' right after a number; numbers are digits with an optional fraction, "
                        "like 3 or 3.5 (no exponent, no second decimal point)", s[end]);
      return FALSE;
    }
  copy = g_strndup (s + pos, end - pos);
  t->number = g_ascii_strtod (copy, NULL);
  g_free (copy);
  if (!isfinite (t->number))
    {
      _kiosk_expr_fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "the number is too large");
      return FALSE;
    }
  t->kind = TOK_NUMBER;
  t->end = end;
  return TRUE;
}

/* A name or a keyword at @pos. */
static gboolean
lex_word (Parser *p,
          gsize   pos)
{
  Token *t = &p->tok;
  const char *s = p->src;
  gsize end = pos;

  while (end < p->n && is_ident_char (s[end]))
    end++;
  if (end >= p->n && p->too_long)
    {
      _kiosk_expr_fail_too_long (p);
      return FALSE;
    }
  t->kind = TOK_IDENT;
  t->end = end;
  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    if (strlen (keywords[i].word) == end - pos && memcmp (keywords[i].word, s + pos, end - pos) == 0)
      t->kind = keywords[i].kind;
  return TRUE;
}

/* An operator or punctuation at @pos, or the report of a character that is
 * none. */
static gboolean
lex_operator (Parser *p,
              gsize   pos)
{
  Token *t = &p->tok;
  char c = p->src[pos];
  char next = pos + 1 < p->n ? p->src[pos + 1] : '\0';

  /* A one-byte operator at the very end of a cut source could be the start
   * of a two-byte one. */
  if (pos + 1 >= p->n && p->too_long && strchr ("=!<>&|", c) != NULL)
    {
      _kiosk_expr_fail_too_long (p);
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
      _kiosk_expr_fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "a single '=' is not an operator; write '==' to compare");
      return FALSE;
    case '!':
      if (next == '=')
        {
          t->kind = TOK_NE;
          t->end = pos + 2;
          return TRUE;
        }
      _kiosk_expr_fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX,
                        "'!' alone is not an operator; write 'not' to negate or '!=' to compare");
      return FALSE;
    case '&':
      _kiosk_expr_fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "write 'and' instead of '%s'", next == '&' ? "&&" : "&");
      return FALSE;
    case '|':
      _kiosk_expr_fail (p, pos, KIOSK_EXPR_ERROR_SYNTAX, "write 'or' instead of '%s'", next == '|' ? "||" : "|");
      return FALSE;
    default:
      fail_character (p, pos, "");
      return FALSE;
    }
}

gboolean
_kiosk_expr_lex (Parser *p,
                 gsize   pos)
{
  Token *t = &p->tok;
  const char *s = p->src;

  while (pos < p->n && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
    pos++;
  t->start = pos;
  t->number = 0;
  if (pos >= p->n)
    {
      if (p->too_long)
        {
          _kiosk_expr_fail_too_long (p);
          return FALSE;
        }
      t->kind = TOK_END;
      t->end = pos;
      return TRUE;
    }
  if (g_ascii_isdigit (s[pos]))
    return lex_number (p, pos);
  if (is_ident_start (s[pos]))
    return lex_word (p, pos);
  if (s[pos] == '\'' || s[pos] == '"')
    {
      t->kind = TOK_STRING;
      return lex_string (p, pos, &t->end);
    }
  return lex_operator (p, pos);
}

gboolean
_kiosk_expr_advance (Parser *p)
{
  return _kiosk_expr_lex (p, p->tok.end);
}

const char *
_kiosk_expr_describe (Parser *p,
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
