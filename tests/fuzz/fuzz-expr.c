/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-fuzz-expr"

/* libFuzzer target for the condition language: parses arbitrary bytes and,
 * when they parse, walks the tree with both visitors and evaluates it in
 * environments whose fields take values of every type. Besides "no crash, no
 * leak, no undefined behaviour" it checks what the contract promises:
 * errors carry an offset inside the input and a UTF-8 message, reported
 * names and literals stand at their offsets, the JSON result is valid JSON
 * and agrees with kiosk_expr_eval_bool, and evaluation is repeatable. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "antragskiosk/expr.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        abort (); \
      } \
  } G_STMT_END

typedef struct {
  const char *source;
  gsize length;
  guint32 seed;
  guint calls;
  guint fail_at;
} Fuzz;

static const KioskValue values[] = {
  { KIOSK_VALUE_NULL, FALSE, 0, NULL },
  { KIOSK_VALUE_BOOL, TRUE, 0, NULL },
  { KIOSK_VALUE_BOOL, FALSE, 0, NULL },
  { KIOSK_VALUE_NUMBER, FALSE, 0, NULL },
  { KIOSK_VALUE_NUMBER, FALSE, -1, NULL },
  { KIOSK_VALUE_NUMBER, FALSE, 3.5, NULL },
  { KIOSK_VALUE_NUMBER, FALSE, 0.1, NULL },
  { KIOSK_VALUE_NUMBER, FALSE, 1e308, NULL },
  { KIOSK_VALUE_NUMBER, FALSE, -1e308, NULL },
  { KIOSK_VALUE_NUMBER, FALSE, 9007199254740993.0, NULL },
  { KIOSK_VALUE_NUMBER, FALSE, 5e-324, NULL },
  { KIOSK_VALUE_STRING, FALSE, 0, "" },
  { KIOSK_VALUE_STRING, FALSE, 0, "a" },
  { KIOSK_VALUE_STRING, FALSE, 0, "deu" },
  { KIOSK_VALUE_STRING, FALSE, 0, "2000-02-29" },
  { KIOSK_VALUE_STRING, FALSE, 0, "2008-06-15" },
  { KIOSK_VALUE_STRING, FALSE, 0, "1999-13-01" },
  { KIOSK_VALUE_STRING, FALSE, 0, "Mu\xcc\x88ller" },
  { KIOSK_VALUE_STRING, FALSE, 0, "\xe1\x84\x80\xe1\x85\xa1" },
  { KIOSK_VALUE_STRING, FALSE, 0, "\xff\xfe not UTF-8" },
  { KIOSK_VALUE_STRING, FALSE, 0, "\x01\"\\ ctl" },
  /* what a careless callback may leave */
  { KIOSK_VALUE_STRING, FALSE, 0, NULL },
  { (KioskValueType) 7, TRUE, 1, "x" },
};

static const char * const todays[] = {
  "2026-06-15", "2026-02-28", "2028-02-29", "0001-01-01", "9999-12-31", "2026-13-01", "", NULL,
};

static guint32
hash_bytes (const void *data,
            gsize       size,
            guint32     h)
{
  const guint8 *p = data;

  for (gsize i = 0; i < size; i++)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

static void
lookup (const char *name,
        KioskValue *out,
        gpointer    user_data)
{
  Fuzz *f = user_data;
  guint32 h = hash_bytes (name, strlen (name), f->seed);

  *out = values[h % G_N_ELEMENTS (values)];
}

static guint
count (const char *name,
       gpointer    user_data)
{
  Fuzz *f = user_data;

  return hash_bytes (name, strlen (name), f->seed ^ 0x5bd1e995u) % 5;
}

static gboolean
is_ident (const char *s)
{
  if (!g_ascii_isalpha (s[0]) && s[0] != '_')
    return FALSE;
  for (s++; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && *s != '_')
      return FALSE;
  return TRUE;
}

static gboolean
fail_now (Fuzz    *f,
          GError **error)
{
  if (++f->calls != f->fail_at)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rejected");
  return FALSE;
}

static gboolean
ref_cb (const char        *name,
        KioskExprRefKind   kind,
        gsize              offset,
        gpointer           user_data,
        GError           **error)
{
  Fuzz *f = user_data;
  gsize len = strlen (name);

  CHECK (kind == KIOSK_EXPR_REF_VALUE || kind == KIOSK_EXPR_REF_COUNT);
  CHECK (is_ident (name));
  CHECK (offset + len <= f->length);
  CHECK (memcmp (f->source + offset, name, len) == 0);
  return fail_now (f, error);
}

static gboolean
literal_cb (const char  *name,
            const char  *literal,
            gsize        offset,
            gpointer     user_data,
            GError     **error)
{
  Fuzz *f = user_data;

  CHECK (is_ident (name));
  CHECK (g_utf8_validate (literal, -1, NULL));
  CHECK (offset < f->length);
  CHECK (f->source[offset] == '\'' || f->source[offset] == '"');
  CHECK (strlen (literal) <= f->length - offset - 2);
  return fail_now (f, error);
}

/* Runs one visitor (the literal one when @literals) to the end, then once
 * more with the callback failing at a call chosen by the seed. */
static gboolean
visit (const KioskExpr *expr,
       gboolean         literals,
       Fuzz            *f,
       GError         **error)
{
  f->calls = 0;
  return literals ? kiosk_expr_check_literals (expr, literal_cb, f, error)
                  : kiosk_expr_check_refs (expr, ref_cb, f, error);
}

static void
check_visitors (const KioskExpr *expr,
                Fuzz            *f)
{
  for (int literals = 0; literals <= 1; literals++)
    {
      GError *error = NULL;

      f->fail_at = 0;
      CHECK (visit (expr, literals, f, &error));
      CHECK (error == NULL);
      if (f->calls == 0)
        continue;
      f->fail_at = 1 + f->seed % f->calls;
      CHECK (!visit (expr, literals, f, &error));
      CHECK (error != NULL && f->calls == f->fail_at);
      g_clear_error (&error);
    }
}

static gboolean
json_truthy (JsonNode *node)
{
  GType type;

  if (JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  CHECK (JSON_NODE_HOLDS_VALUE (node));
  type = json_node_get_value_type (node);
  if (type == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  if (type == G_TYPE_DOUBLE)
    return json_node_get_double (node) != 0;
  CHECK (type == G_TYPE_STRING);
  return json_node_get_string (node)[0] != '\0';
}

static void
check_eval (const KioskExpr    *expr,
            const KioskExprEnv *env)
{
  gboolean truth = kiosk_expr_eval_bool (expr, env);
  char *json = kiosk_expr_eval_to_json (expr, env);
  char *again = kiosk_expr_eval_to_json (expr, env);
  GError *error = NULL;
  JsonNode *node;

  CHECK (json != NULL && g_utf8_validate (json, -1, NULL));
  CHECK (strcmp (json, again) == 0);
  node = json_from_string (json, &error);
  CHECK (error == NULL && node != NULL);
  CHECK (json_truthy (node) == truth);
  json_node_unref (node);
  g_free (json);
  g_free (again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  char *source = g_malloc (size + 1);
  GError *error = NULL;
  gsize offset = G_MAXSIZE;
  KioskExpr *expr;
  Fuzz f = { 0 };

  memcpy (source, data, size);
  source[size] = '\0';
  f.source = source;
  f.length = strlen (source);   /* the input may hold a NUL */
  f.seed = hash_bytes (data, size, 2166136261u);

  expr = kiosk_expr_parse (source, &offset, &error);
  if (expr == NULL)
    {
      CHECK (error != NULL && error->domain == KIOSK_EXPR_ERROR);
      CHECK (error->code >= KIOSK_EXPR_ERROR_SYNTAX && error->code <= KIOSK_EXPR_ERROR_FUNCTION);
      CHECK (error->message[0] != '\0' && g_utf8_validate (error->message, -1, NULL));
      CHECK (offset <= MIN (f.length, (gsize) KIOSK_EXPR_MAX_LENGTH));
      CHECK ((error->code == KIOSK_EXPR_ERROR_TOO_LONG) == (offset == KIOSK_EXPR_MAX_LENGTH
                                                          && f.length > KIOSK_EXPR_MAX_LENGTH));
      g_error_free (error);
      g_free (source);
      return 0;
    }
  CHECK (error == NULL && offset == G_MAXSIZE);
  CHECK (f.length <= KIOSK_EXPR_MAX_LENGTH);
  CHECK (strcmp (kiosk_expr_get_source (expr), source) == 0);
  CHECK (g_utf8_validate (source, -1, NULL));

  check_visitors (expr, &f);
  for (guint i = 0; i < 3; i++)
    {
      KioskExprEnv env = { lookup, count, todays[(f.seed >> (i * 3)) % G_N_ELEMENTS (todays)], &f };

      f.seed = f.seed * 2654435761u + i;
      check_eval (expr, &env);
    }
  check_eval (expr, NULL);

  kiosk_expr_free (expr);
  g_free (source);
  return 0;
}
