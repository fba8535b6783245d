/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-expr"

/* Evaluation of a condition tree (semantics: the top of expr.c). */

#include "config.h"

#include <math.h>
#include <string.h>

#include "antragskiosk/validate.h"
#include "expr-private.h"

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
      eval_node (expr, _kiosk_expr_child (expr, node, 0), env, &arg);
      set_bool (out, arg.type != KIOSK_VALUE_NULL);
      return;
    case FN_COUNT:
      set_number (out, env != NULL && env->count != NULL
                       ? env->count (_kiosk_expr_string_of (expr, _kiosk_expr_child (expr, node, 0)), env->user_data) : 0);
      return;
    case FN_AGE:
      eval_node (expr, _kiosk_expr_child (expr, node, 0), env, &arg);
      eval_age (&arg, env, out);
      return;
    case FN_TODAY:
      set_string (out, env != NULL ? env->today : NULL);
      return;
    case FN_LEN:
      eval_node (expr, _kiosk_expr_child (expr, node, 0), env, &arg);
      eval_len (&arg, out);
      return;
    default:
      set_null (out);
      return;
    }
}

/* The value of a field, as the environment's lookup gives it. */
static void
eval_ident (const KioskExpr    *expr,
            const Node         *node,
            const KioskExprEnv *env,
            KioskValue         *out)
{
  set_null (out);
  if (env == NULL || env->lookup == NULL)
    return;
  env->lookup (_kiosk_expr_string_of (expr, node), out, env->user_data);
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
}

/* `or` and `and`, short-circuit. */
static void
eval_chain (const KioskExpr    *expr,
            const Node         *node,
            const KioskExprEnv *env,
            KioskValue         *out)
{
  KioskValue a;

  for (guint32 i = 0; i < node->n; i++)
    {
      eval_node (expr, _kiosk_expr_child (expr, node, i), env, &a);
      if (truthy (&a) == (node->kind == NODE_OR))
        {
          set_bool (out, node->kind == NODE_OR);
          return;
        }
    }
  set_bool (out, node->kind == NODE_AND);
}

static void
eval_sum (const KioskExpr    *expr,
          const Node         *node,
          const KioskExprEnv *env,
          KioskValue         *out)
{
  KioskValue a;
  double sum = 0;

  for (guint32 i = 0; i < node->n; i++)
    {
      eval_node (expr, _kiosk_expr_child (expr, node, i), env, &a);
      if (a.type != KIOSK_VALUE_NUMBER)
        {
          set_null (out);
          return;
        }
      sum = expr->ops[node->first + i] == '-' ? sum - a.number : sum + a.number;
    }
  set_number (out, sum);
}

static void
eval_compare (const KioskExpr    *expr,
              const Node         *node,
              const KioskExprEnv *env,
              KioskValue         *out)
{
  KioskValue a, b;

  eval_node (expr, _kiosk_expr_child (expr, node, 0), env, &a);
  eval_node (expr, _kiosk_expr_child (expr, node, 1), env, &b);
  /* `x != null` written out means "x has a value" (as SQL's IS NOT
   * NULL), although other comparisons with an empty value are false. */
  if ((CompareOp) node->op == CMP_NE
      && (_kiosk_expr_child (expr, node, 0)->kind == NODE_NULL
          || _kiosk_expr_child (expr, node, 1)->kind == NODE_NULL))
    {
      set_bool (out, (a.type == KIOSK_VALUE_NULL) != (b.type == KIOSK_VALUE_NULL));
      return;
    }
  set_bool (out, compare ((CompareOp) node->op, &a, &b));
}

/* `in` and `not in`. */
static void
eval_in (const KioskExpr    *expr,
         const Node         *node,
         const KioskExprEnv *env,
         KioskValue         *out)
{
  KioskValue a, b;
  gboolean found = FALSE;

  eval_node (expr, _kiosk_expr_child (expr, node, 0), env, &a);
  if (node->kind == NODE_NOT_IN && a.type == KIOSK_VALUE_NULL)
    {
      set_bool (out, FALSE);
      return;
    }
  for (guint32 i = 1; i < node->n && !found; i++)
    {
      eval_node (expr, _kiosk_expr_child (expr, node, i), env, &b);
      found = values_equal (&a, &b);
    }
  set_bool (out, found == (node->kind == NODE_IN));
}

static void
eval_node (const KioskExpr    *expr,
           const Node         *node,
           const KioskExprEnv *env,
           KioskValue         *out)
{
  KioskValue a;

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
      set_string (out, _kiosk_expr_string_of (expr, node));
      return;
    case NODE_IDENT:
      eval_ident (expr, node, env, out);
      return;
    case NODE_OR:
    case NODE_AND:
      eval_chain (expr, node, env, out);
      return;
    case NODE_NOT:
      eval_node (expr, _kiosk_expr_child (expr, node, 0), env, &a);
      set_bool (out, !truthy (&a));
      return;
    case NODE_NEG:
      eval_node (expr, _kiosk_expr_child (expr, node, 0), env, &a);
      if (a.type == KIOSK_VALUE_NUMBER)
        set_number (out, -a.number);
      else
        set_null (out);
      return;
    case NODE_SUM:
      eval_sum (expr, node, env, out);
      return;
    case NODE_COMPARE:
      eval_compare (expr, node, env, out);
      return;
    case NODE_IN:
    case NODE_NOT_IN:
      eval_in (expr, node, env, out);
      return;
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

