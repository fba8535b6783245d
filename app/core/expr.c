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

#include "expr-private.h"

G_DEFINE_QUARK (kiosk-expr-error-quark, kiosk_expr_error)

/* ---- Visitors ----------------------------------------------------------- */

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
      if (!walk (expr, _kiosk_expr_child (expr, node, i), visit, data, error))
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
    return v->ref_func (_kiosk_expr_string_of (expr, node), KIOSK_EXPR_REF_VALUE, node->offset, v->user_data, error);
  if (node->kind == NODE_CALL && node->op == FN_COUNT)
    {
      const Node *group = _kiosk_expr_child (expr, node, 0);
      return v->ref_func (_kiosk_expr_string_of (expr, group), KIOSK_EXPR_REF_COUNT, group->offset, v->user_data, error);
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
  return v->literal_func (_kiosk_expr_string_of (expr, ident), _kiosk_expr_string_of (expr, literal), literal->offset, v->user_data, error);
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
      const Node *a = _kiosk_expr_child (expr, node, 0), *b = _kiosk_expr_child (expr, node, 1);
      return report_literal (expr, a, b, v, error) && report_literal (expr, b, a, v, error);
    }
  if (node->kind == NODE_IN || node->kind == NODE_NOT_IN)
    for (guint32 i = 1; i < node->n; i++)
      if (!report_literal (expr, _kiosk_expr_child (expr, node, 0), _kiosk_expr_child (expr, node, i), v, error))
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
