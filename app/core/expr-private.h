/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared between the files of the condition language (docs/forms.md,
 * "Expressions"; its semantics and limits are described at the top of
 * expr.c):
 *   expr-lex.c    the tokenizer, and the parser's error reports
 *   expr-parse.c  the recursive-descent parser: source -> tree
 *   expr-eval.c   evaluation of a tree; its value as JSON
 *   expr.c        the error domain and the visitors (check_refs,
 *                 check_literals) */

#include <glib.h>

#include "antragskiosk/expr.h"

G_BEGIN_DECLS

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

static inline const Node *
_kiosk_expr_child (const KioskExpr *expr,
                   const Node      *node,
                   guint32          i)
{
  return &expr->nodes[expr->kids[node->first + i]];
}

static inline const char *
_kiosk_expr_string_of (const KioskExpr *expr,
                       const Node      *node)
{
  return expr->pool + node->first;
}

/* expr-lex.c. Records the first problem (later ones are dropped). */
void _kiosk_expr_fail (Parser *p, gsize offset, KioskExprError code, const char *format, ...) G_GNUC_PRINTF (4, 5);
void _kiosk_expr_fail_too_long (Parser *p);
/* The 1-based character column of byte @offset (the source before it has
 * been read and is valid UTF-8). */
glong _kiosk_expr_column_of (Parser *p, gsize offset);
/* Reads the token at @pos (white space first) into p->tok. */
gboolean _kiosk_expr_lex (Parser *p, gsize pos);
/* Reads the token after the current one. */
gboolean _kiosk_expr_advance (Parser *p);
/* Describes the current token for "expected …, but found …". */
const char *_kiosk_expr_describe (Parser *p, char *buf, gsize size);

G_END_DECLS
