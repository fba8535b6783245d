/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-expr"

/* The recursive-descent parser of the condition language: builds the
 * immutable tree of expr-private.h (see expr.c for the limits). */

#include "config.h"

#include <string.h>

#include "expr-private.h"

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
      _kiosk_expr_fail (p, offset, KIOSK_EXPR_ERROR_TOO_DEEP,
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
      if (!_kiosk_expr_advance (p))
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

/* The function named by the source from @name_start to @name_end, or
 * G_N_ELEMENTS (functions) (reported) when there is none. */
static guint
lookup_function (Parser *p,
                 gsize   name_start,
                 gsize   name_end)
{
  gsize name_len = name_end - name_start;

  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    if (strlen (functions[i].name) == name_len && memcmp (functions[i].name, p->src + name_start, name_len) == 0)
      return i;
  _kiosk_expr_fail (p, name_start, KIOSK_EXPR_ERROR_FUNCTION,
                    "unknown function '%.*s'; known functions: present, count, age, today, len",
                    (int) MIN (name_len, 40), p->src + name_start);
  return G_N_ELEMENTS (functions);
}

/* count()'s one argument, the id of a group, appended to @args; stops at
 * the ")". */
static gboolean
parse_count_argument (Parser *p,
                      gsize   name_start,
                      GArray *args)
{
  char buf[64];
  guint32 arg;

  if (p->tok.kind == TOK_RPAREN)
    {
      _kiosk_expr_fail (p, name_start, KIOSK_EXPR_ERROR_FUNCTION,
                        "count() takes exactly 1 argument, the id of a repeatable group, but none was given");
      return FALSE;
    }
  if (p->tok.kind != TOK_IDENT)
    {
      _kiosk_expr_fail (p, p->tok.start, KIOSK_EXPR_ERROR_FUNCTION,
                        "count() takes the id of a repeatable group, like count(personen), but found %s",
                        _kiosk_expr_describe (p, buf, sizeof buf));
      return FALSE;
    }
  arg = add_node (p, NODE_IDENT, p->tok.start);
  node_at (p, arg)->first = add_string (p, p->src + p->tok.start, p->tok.end - p->tok.start);
  g_array_append_val (args, arg);
  if (!_kiosk_expr_advance (p))
    return FALSE;
  if (p->tok.kind == TOK_COMMA)
    {
      _kiosk_expr_fail (p, name_start, KIOSK_EXPR_ERROR_FUNCTION,
                        "count() takes exactly 1 argument, the id of a repeatable group, but more were given");
      return FALSE;
    }
  if (p->tok.kind != TOK_RPAREN)
    {
      _kiosk_expr_fail (p, p->tok.start, KIOSK_EXPR_ERROR_FUNCTION,
                        "count() takes only the id of a repeatable group, like count(personen), but found %s after it",
                        _kiosk_expr_describe (p, buf, sizeof buf));
      return FALSE;
    }
  return TRUE;
}

/* The arguments of any other function, appended to @args; stops at the ")". */
static gboolean
parse_arguments (Parser *p,
                 guint   function,
                 GArray *args)
{
  char buf[64];

  if (!parse_elements (p, TOK_RPAREN, args))
    return FALSE;
  if (p->tok.kind != TOK_RPAREN)
    {
      _kiosk_expr_fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
                        "expected ',' or ')' after an argument of %s(), but found %s",
                        functions[function].name, _kiosk_expr_describe (p, buf, sizeof buf));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_arity (Parser *p,
             guint   function,
             gsize   name_start,
             guint   n_args)
{
  if (n_args == functions[function].n_args)
    return TRUE;
  if (functions[function].n_args == 0)
    _kiosk_expr_fail (p, name_start, KIOSK_EXPR_ERROR_FUNCTION, "%s() takes no arguments, but %u %s given",
                      functions[function].name, n_args, n_args == 1 ? "was" : "were");
  else
    _kiosk_expr_fail (p, name_start, KIOSK_EXPR_ERROR_FUNCTION, "%s() takes exactly %u argument, but %u %s given",
                      functions[function].name, functions[function].n_args, n_args, n_args == 1 ? "was" : "were");
  return FALSE;
}

static guint32
parse_call (Parser *p,
            gsize   name_start,
            gsize   name_end)
{
  guint function = lookup_function (p, name_start, name_end);
  g_autoptr(GArray) args = NULL;
  guint32 node;

  if (function == G_N_ELEMENTS (functions))
    return NO_NODE;
  if (!enter (p, name_start))
    return NO_NODE;
  if (!_kiosk_expr_advance (p))   /* the "(" */
    return NO_NODE;

  args = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (!(function == FN_COUNT ? parse_count_argument (p, name_start, args) : parse_arguments (p, function, args)))
    return NO_NODE;
  if (!check_arity (p, function, name_start, args->len))
    return NO_NODE;
  if (!_kiosk_expr_advance (p))   /* the ")" */
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
      if (!_kiosk_expr_advance (p))
        return NO_NODE;
      if (p->tok.kind == TOK_LPAREN)
        return parse_call (p, t.start, t.end);
      node = add_node (p, NODE_IDENT, t.start);
      node_at (p, node)->first = add_string (p, p->src + t.start, t.end - t.start);
      return node;
    case TOK_LPAREN:
      if (!enter (p, t.start) || !_kiosk_expr_advance (p))
        return NO_NODE;
      node = parse_expr (p);
      if (node == NO_NODE)
        return NO_NODE;
      if (p->tok.kind != TOK_RPAREN)
        {
          _kiosk_expr_fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
                            "expected ')' to close the parenthesis opened at column %ld, but found %s",
                            _kiosk_expr_column_of (p, t.start), _kiosk_expr_describe (p, buf, sizeof buf));
          return NO_NODE;
        }
      p->depth--;
      break;
    case TOK_END:
      _kiosk_expr_fail (p, t.start, KIOSK_EXPR_ERROR_SYNTAX, "%s",
                        p->src[strspn (p->src, " \t\r\n")] == '\0'
                          ? "the expression is empty; write a condition such as present(name)"
                          : "the expression ends too early; a value is missing at its end");
      return NO_NODE;
    default:
      _kiosk_expr_fail (p, t.start, KIOSK_EXPR_ERROR_SYNTAX,
                        "expected a value (a number, a string, true, false, null, a field id, a function call "
                        "or '(') but found %s", _kiosk_expr_describe (p, buf, sizeof buf));
      return NO_NODE;
    }
  if (!_kiosk_expr_advance (p))
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
  guint32 _kiosk_expr_child, node;

  if (p->tok.kind != op)
    return next (p);
  if (!enter (p, start) || !_kiosk_expr_advance (p))
    return NO_NODE;
  _kiosk_expr_child = self (p);
  if (_kiosk_expr_child == NO_NODE)
    return NO_NODE;
  p->depth--;
  node = add_node (p, kind, start);
  set_children (p, node, &_kiosk_expr_child, NULL, 1);
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

      if (!_kiosk_expr_advance (p))
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
      _kiosk_expr_fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
                        "expected a list like ['a', 'b'] after 'in', but found %s", _kiosk_expr_describe (p, buf, sizeof buf));
      return FALSE;
    }
  if (!enter (p, open) || !_kiosk_expr_advance (p) || !parse_elements (p, TOK_RBRACKET, children))
    return FALSE;
  if (p->tok.kind != TOK_RBRACKET)
    {
      _kiosk_expr_fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
                        "expected ',' or ']' to close the list opened at column %ld, but found %s",
                        _kiosk_expr_column_of (p, open), _kiosk_expr_describe (p, buf, sizeof buf));
      return FALSE;
    }
  p->depth--;
  return _kiosk_expr_advance (p);
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

      if (!_kiosk_expr_advance (p))
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

      if (!_kiosk_expr_advance (p))
        return NO_NODE;
      if (kind == NODE_NOT_IN)
        {
          if (p->tok.kind != TOK_IN)
            {
              _kiosk_expr_fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
                                "expected 'in' after 'not' (as in x not in ['a', 'b']), but found %s",
                                _kiosk_expr_describe (p, buf, sizeof buf));
              return NO_NODE;
            }
          if (!_kiosk_expr_advance (p))
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
      _kiosk_expr_fail (p, p->tok.start, KIOSK_EXPR_ERROR_SYNTAX,
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

      if (!_kiosk_expr_advance (p))
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

  if (_kiosk_expr_lex (&p, 0))
    {
      root = parse_expr (&p);
      if (root != NO_NODE && p.tok.kind != TOK_END)
        {
          char buf[64];

          if (p.tok.kind == TOK_RPAREN)
            _kiosk_expr_fail (&p, p.tok.start, KIOSK_EXPR_ERROR_SYNTAX, "unexpected ')' that closes no '('");
          else
            _kiosk_expr_fail (&p, p.tok.start, KIOSK_EXPR_ERROR_SYNTAX,
                              "found %s after a complete expression; join conditions with 'and' or 'or'",
                              _kiosk_expr_describe (&p, buf, sizeof buf));
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
