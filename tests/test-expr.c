/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test-expr"

/* Tests of the condition language (docs/forms.md, "Expressions"). Every
 * expected value below is worked out by hand from the specification (and the
 * decisions documented at the top of app/core/expr.c), not copied from the
 * output of the code. */

#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "antragskiosk/expr.h"

/* ---- A fixed environment ------------------------------------------------ */

typedef struct {
  const char *name;
  KioskValueType type;
  gboolean boolean;
  double number;
  const char *string;
} Field;

static const Field fields[] = {
  { "s_deu", KIOSK_VALUE_STRING, FALSE, 0, "deu" },
  { "s_aut", KIOSK_VALUE_STRING, FALSE, 0, "aut" },
  { "str_empty", KIOSK_VALUE_STRING, FALSE, 0, "" },
  { "n0", KIOSK_VALUE_NUMBER, FALSE, 0, NULL },
  { "n3", KIOSK_VALUE_NUMBER, FALSE, 3, NULL },
  { "n3_5", KIOSK_VALUE_NUMBER, FALSE, 3.5, NULL },
  { "big", KIOSK_VALUE_NUMBER, FALSE, 1e308, NULL },
  { "t", KIOSK_VALUE_BOOL, TRUE, 0, NULL },
  { "f", KIOSK_VALUE_BOOL, FALSE, 0, NULL },
  { "empty", KIOSK_VALUE_NULL, FALSE, 0, NULL },
  { "geb", KIOSK_VALUE_STRING, FALSE, 0, "2008-06-15" },
  { "umlaut", KIOSK_VALUE_STRING, FALSE, 0, "M\xc3\xbcller" },              /* Müller, NFC */
  { "decomposed", KIOSK_VALUE_STRING, FALSE, 0, "Mu\xcc\x88ller" },         /* u + U+0308 */
  { "jamo", KIOSK_VALUE_STRING, FALSE, 0, "\xe1\x84\x80\xe1\x85\xa1" },     /* U+1100 U+1161 = 가 */
  { "ctl", KIOSK_VALUE_STRING, FALSE, 0, "a\"b\\c\x01" "d" },
  { "bad_utf8", KIOSK_VALUE_STRING, FALSE, 0, "\xff" },
  { "lower_e", KIOSK_VALUE_STRING, FALSE, 0, "e" },
  { "upper_e", KIOSK_VALUE_STRING, FALSE, 0, "E" },
  { "e_acute", KIOSK_VALUE_STRING, FALSE, 0, "\xc3\xa9" },
  /* A careless callback: a string type without a string, a type out of range,
   * a number that is not finite. */
  { "broken_string", KIOSK_VALUE_STRING, FALSE, 0, NULL },
  { "broken_type", (KioskValueType) 42, TRUE, 1, "x" },
  { "infinite", KIOSK_VALUE_NUMBER, FALSE, HUGE_VAL, NULL },
};

static void
lookup (const char *name,
        KioskValue *out,
        gpointer    user_data)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strcmp (fields[i].name, name) == 0)
      {
        out->type = fields[i].type;
        out->boolean = fields[i].boolean;
        out->number = fields[i].number;
        out->string = fields[i].string;
        return;
      }
  out->type = KIOSK_VALUE_NULL;
}

static guint
count (const char *name,
       gpointer    user_data)
{
  return strcmp (name, "personen") == 0 ? 3 : 0;
}

static KioskExprEnv
make_env (const char *today)
{
  KioskExprEnv env = { lookup, count, today, NULL };
  return env;
}

static KioskExpr *
parse_ok (const char *source)
{
  g_autoptr(GError) error = NULL;
  gsize offset = 12345;
  KioskExpr *expr = kiosk_expr_parse (source, &offset, &error);

  if (expr == NULL)
    {
      g_autofree char *shown = g_strescape (source, NULL);
      g_test_message ("parsing %s failed at %" G_GSIZE_FORMAT ": %s", shown, offset, error->message);
    }
  g_assert_no_error (error);
  g_assert_nonnull (expr);
  g_assert_cmpuint (offset, ==, 12345);   /* untouched on success */
  return expr;
}

/* Evaluates @source with today = @today and compares "SOURCE => JSON". */
static void
check_json_on (const char *source,
               const char *today,
               const char *expected)
{
  g_autoptr(KioskExpr) expr = parse_ok (source);
  KioskExprEnv env = make_env (today);
  g_autofree char *json = kiosk_expr_eval_to_json (expr, &env);
  g_autofree char *got = g_strdup_printf ("%s => %s", source, json);
  g_autofree char *want = g_strdup_printf ("%s => %s", source, expected);

  g_assert_cmpstr (got, ==, want);
}

static void
check_json (const char *source,
            const char *expected)
{
  check_json_on (source, "2026-06-15", expected);
}

static void
check_bool (const char *source,
            gboolean    expected)
{
  g_autoptr(KioskExpr) expr = parse_ok (source);
  KioskExprEnv env = make_env ("2026-06-15");
  g_autofree char *got = g_strdup_printf ("%s => %d", source, kiosk_expr_eval_bool (expr, &env));
  g_autofree char *want = g_strdup_printf ("%s => %d", source, expected);

  g_assert_cmpstr (got, ==, want);
}

static void
check_error (const char     *source,
             KioskExprError  code,
             gsize           offset,
             const char     *message_part)
{
  g_autoptr(GError) error = NULL;
  gsize got_offset = G_MAXSIZE;
  KioskExpr *expr = kiosk_expr_parse (source, &got_offset, &error);
  g_autofree char *cut = g_strndup (source, 60);
  g_autofree char *shown = g_strescape (cut, NULL);

  g_test_message ("%s", shown);
  g_assert_null (expr);
  g_assert_error (error, KIOSK_EXPR_ERROR, (gint) code);
  if (strstr (error->message, message_part) == NULL)
    g_error ("the message for %s, \"%s\", does not contain \"%s\"", shown, error->message, message_part);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (got_offset, ==, offset);

  /* error_offset may be NULL */
  g_clear_error (&error);
  g_assert_null (kiosk_expr_parse (source, NULL, &error));
  g_assert_error (error, KIOSK_EXPR_ERROR, (gint) code);
}

static char *
repeat (const char *piece,
        guint       times,
        const char *tail)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < times; i++)
    g_string_append (s, piece);
  g_string_append (s, tail);
  return g_string_free (s, FALSE);
}

/* ---- Productions -------------------------------------------------------- */

static void
test_literals (void)
{
  check_json ("1", "1");
  check_json ("007", "7");
  check_json ("3.5", "3.5");
  check_json ("2.50", "2.5");
  check_json ("2.000000", "2");
  check_json ("0.1", "0.1");
  check_json ("123.456", "123.456");
  check_json ("1000000", "1000000");
  check_json ("0.1 + 0.2", "0.30000000000000004");
  check_json ("12345678901234567890", "1.2345678901234567e+19");
  check_json ("-0", "0");
  check_json ("'abc'", "\"abc\"");
  check_json ("\"abc\"", "\"abc\"");
  check_json ("''", "\"\"");
  check_json ("\"it's\"", "\"it's\"");
  check_json ("'say \"hi\"'", "\"say \\\"hi\\\"\"");
  check_json ("'it\\'s'", "\"it's\"");
  check_json ("\"\\\"q\\\"\"", "\"\\\"q\\\"\"");
  check_json ("'back\\\\slash'", "\"back\\\\slash\"");
  check_json ("'Stra\xc3\x9f" "e'", "\"Stra\xc3\x9f" "e\"");
  check_json ("true", "true");
  check_json ("false", "false");
  check_json ("null", "null");
  check_json ("(((1)))", "1");
}

static void
test_identifiers (void)
{
  check_json ("n3", "3");
  check_json ("n3_5", "3.5");
  check_json ("s_deu", "\"deu\"");
  check_json ("t", "true");
  check_json ("empty", "null");
  check_json ("no_such_field", "null");
  check_json ("_", "null");
  /* keywords are lower case; other spellings are ids, and so are function
   * names not followed by "(" and words that merely start with a keyword */
  check_json ("TRUE", "null");
  check_json ("len", "null");
  check_json ("notx", "null");
  check_json ("android", "null");
  check_json ("nullable", "null");
  /* "-" is not part of an id */
  check_json ("n3-1", "2");
}

static void
test_whitespace (void)
{
  check_json ("\ts_deu\n==\r\n'deu' ", "true");
  check_json ("len ( 'ab' )", "2");
  check_json ("n3<4", "true");
  check_json ("1+-1", "0");
  check_json ("n3 in['x',3]", "true");
}

static void
test_arithmetic (void)
{
  check_json ("1 + 2", "3");
  check_json ("10 - 2 - 3", "5");          /* left to right, not 10 - (2 - 3) = 11 */
  check_json ("-n3 + 1", "-2");
  check_json ("- 2 + 3", "1");             /* (-2) + 3, not -(2 + 3) */
  check_json ("- - 3", "3");
  check_json ("- - - 3", "-3");
  check_json ("n3 - n3_5", "-0.5");
  check_json ("1.5 + 1.5", "3");
  /* type mismatches are null, never an error or a crash */
  check_json ("'a' + 1", "null");
  check_json ("'a' + 'b'", "null");
  check_json ("true + 1", "null");
  check_json ("-'a'", "null");
  check_json ("-true", "null");
  check_json ("-null", "null");
  check_json ("empty + 1", "null");
  check_json ("1 + 2 + 'x' + 3", "null");
  /* not finite */
  check_json ("big + big", "null");
  check_json ("big + big - big", "null");
  check_json ("-big - big", "null");
  check_json ("infinite", "null");
}

static void
test_compare (void)
{
  check_json ("1 == 1", "true");
  check_json ("1 == 1.0", "true");
  check_json ("1 != 2", "true");
  check_json ("1 != 1", "false");
  check_json ("2 < 10", "true");           /* numerically, not as text */
  check_json ("2 <= 2", "true");
  check_json ("3 > 3", "false");
  check_json ("3 >= 3", "true");
  check_json ("n3_5 > n3", "true");
  check_json ("'10' < '2'", "true");       /* strings by code point */
  check_json ("'abc' < 'abd'", "true");
  check_json ("'ab' < 'abc'", "true");
  check_json ("'b' > 'abc'", "true");
  check_json ("upper_e < lower_e", "true");   /* 'E' U+0045 < 'e' U+0065 */
  check_json ("lower_e < e_acute", "true");   /* 'e' U+0065 < 'é' U+00E9 */
  check_json ("'\xe2\x82\xac' > '\xc3\xbf'", "true");   /* € U+20AC > ÿ U+00FF */
  check_json ("geb < '2010-01-01'", "true");     /* ISO dates compare as text */
  check_json ("geb >= '2008-06-15'", "true");
  check_json ("geb > today()", "false");
  check_json ("s_deu == 'deu'", "true");
  check_json ("'deu' == s_deu", "true");
  check_json ("s_deu != 'deu'", "false");
  check_json ("s_deu == s_aut", "false");
  check_json ("t == true", "true");
  check_json ("f != true", "true");
  /* different types are never equal, and have no order */
  check_json ("1 == '1'", "false");
  check_json ("1 != '1'", "true");
  check_json ("true == 1", "false");
  check_json ("n0 == f", "false");
  check_json ("'a' < 1", "false");
  check_json ("1 < 'a'", "false");
  check_json ("1 >= 'a'", "false");
  check_json ("true > false", "false");
  check_json ("true >= true", "false");
}

static void
test_null (void)
{
  check_json ("empty == null", "true");
  check_json ("null == empty", "true");
  check_json ("null == null", "true");
  check_json ("no_such_field == null", "true");
  check_json ("s_deu == null", "false");
  check_json ("str_empty == null", "false");   /* '' is a value */
  check_json ("empty == ''", "false");
  check_json ("empty == 0", "false");
  check_json ("empty == false", "false");
  /* every other comparison with null is false */
  check_json ("empty != 'deu'", "false");
  check_json ("'deu' != empty", "false");
  check_json ("empty != null", "false");
  check_json ("s_deu != null", "true");
  check_json ("null != s_deu", "true");
  check_json ("null != null", "false");
  check_json ("empty != 'deu'", "false");
  check_json ("null != 1", "true");
  check_json ("empty < 1", "false");
  check_json ("empty <= 1", "false");
  check_json ("empty > -1", "false");
  check_json ("empty >= 0", "false");
  check_json ("null < null", "false");
  check_json ("null <= null", "false");
  check_json ("not (empty > 1)", "true");
  /* the callback's mistakes become null */
  check_json ("broken_string", "null");
  check_json ("broken_string == null", "true");
  check_json ("broken_type", "null");
  check_json ("present(broken_type)", "false");
}

static void
test_logic (void)
{
  check_json ("t and t", "true");
  check_json ("t and f", "false");
  check_json ("f or t", "true");
  check_json ("f or f", "false");
  check_json ("t and t and t and f", "false");
  check_json ("f or f or f or t", "true");
  check_json ("not t", "false");
  check_json ("not f", "true");
  check_json ("not not t", "true");
  /* truthiness: null and false are false; so are 0 and '' */
  check_json ("empty or f", "false");
  check_json ("not empty", "true");
  check_json ("t and empty", "false");
  check_json ("n0 or str_empty", "false");
  check_json ("n3 and s_deu", "true");
  check_json ("'x' and 2", "true");       /* a boolean, not the last value */
  check_json ("0 or 'x'", "true");
  check_json ("not 'a'", "false");
  check_json ("not ''", "true");
  check_json ("not 0", "true");
  check_json ("not 0.5", "false");
  check_json ("not -1", "false");
  /* short circuit does not change the value */
  check_json ("t or ('a' + 1)", "true");
  check_json ("f and ('a' + 1)", "false");

  check_bool ("n3", TRUE);
  check_bool ("-1", TRUE);
  check_bool ("n0", FALSE);
  check_bool ("s_deu", TRUE);
  check_bool ("str_empty", FALSE);
  check_bool ("'0'", TRUE);               /* a non-empty string */
  check_bool ("'false'", TRUE);
  check_bool ("empty", FALSE);
  check_bool ("null", FALSE);
  check_bool ("'a' + 1", FALSE);
  check_bool ("t", TRUE);
  check_bool ("f", FALSE);
  check_bool ("s_deu == 'deu' and n3 > 2", TRUE);
}

static void
test_precedence (void)
{
  /* not binds looser than a comparison: not (n3 == 4) is true, while
   * (not n3) == 4 would be false == 4, false */
  check_json ("not n3 == 4", "true");
  check_json ("not s_deu in ['aut']", "true");
  /* and binds tighter than or */
  check_json ("t or f and f", "true");     /* t or (f and f); (t or f) and f is false */
  check_json ("f and f or t", "true");     /* (f and f) or t; f and (f or t) is false */
  check_json ("(t or f) and f", "false");
  check_json ("f and (f or t)", "false");
  /* not binds tighter than and/or */
  check_json ("not f and f", "false");     /* (not f) and f; not (f and f) is true */
  check_json ("not t or t", "true");       /* (not t) or t; not (t or t) is false */
  /* comparison binds tighter than and */
  check_json ("n3 > 1 and n3 < 5", "true");
  check_json ("s_deu == 'deu' or s_deu == 'aut'", "true");
  /* + binds tighter than a comparison: 1 + (2 == 3) would be null */
  check_json ("1 + 2 == 3", "true");
  check_json ("n3 == 1 + 2", "true");
  check_json ("n3 - 1 in [2]", "true");
  /* unary minus binds tighter than + */
  check_json ("-1 + 3", "2");
  check_json ("2 - -1", "3");
}

static void
test_in (void)
{
  check_json ("s_deu in ['deu', 'aut']", "true");
  check_json ("s_deu in ['aut']", "false");
  check_json ("s_deu not in ['aut']", "true");
  check_json ("s_deu not in ['deu']", "false");
  check_json ("s_deu not   in ['deu', 'aut']", "false");
  check_json ("s_deu in []", "false");
  check_json ("s_deu not in []", "true");
  check_json ("s_deu in [s_aut, s_deu]", "true");
  check_json ("n3 in [1, 2, 3]", "true");
  check_json ("n3 in [1 + 2]", "true");
  check_json ("n3 in ['3']", "false");
  check_json ("n3 not in ['3']", "true");
  check_json ("t in [1, true]", "true");
  check_json ("'x' in ['x' == 'x']", "false");   /* the element is true, not 'x' */
  check_json ("(1 in [1]) in [true]", "true");
  /* null: in is ==, so only null is in a list with null */
  check_json ("empty in ['deu']", "false");
  check_json ("empty in [null]", "true");
  check_json ("empty in ['deu', null]", "true");
  check_json ("s_deu in [null]", "false");
  check_json ("s_deu not in [null]", "true");
  check_json ("empty not in ['deu']", "false");
  check_json ("empty not in []", "false");
  check_json ("empty not in [null]", "false");
}

/* ---- Functions ---------------------------------------------------------- */

static void
test_functions (void)
{
  KioskExprEnv env = { lookup, NULL, NULL, NULL };
  g_autoptr(KioskExpr) count_expr = parse_ok ("count(personen)");
  g_autoptr(KioskExpr) today_expr = parse_ok ("today()");
  g_autofree char *count_json = NULL;
  g_autofree char *today_json = NULL;

  check_json ("present(s_deu)", "true");
  check_json ("present(empty)", "false");
  check_json ("present(no_such_field)", "false");
  check_json ("present(str_empty)", "true");
  check_json ("present(f)", "true");
  check_json ("present(n0)", "true");
  check_json ("present('a' + 1)", "false");
  check_json ("not present(empty)", "true");

  check_json ("count(personen)", "3");
  check_json ("count( personen )", "3");
  check_json ("count(firmen)", "0");
  check_json ("count(personen) > 1", "true");
  /* without a count callback, and without today */
  count_json = kiosk_expr_eval_to_json (count_expr, &env);
  g_assert_cmpstr (count_json, ==, "0");
  today_json = kiosk_expr_eval_to_json (today_expr, &env);
  g_assert_cmpstr (today_json, ==, "null");

  check_json ("today()", "\"2026-06-15\"");
  check_json ("today() == '2026-06-15'", "true");
  check_json_on ("today()", "1999-12-31", "\"1999-12-31\"");

  check_json ("len('abc')", "3");
  check_json ("len('')", "0");
  check_json ("len(str_empty)", "0");
  check_json ("len(s_deu) == 3", "true");
  check_json ("len(umlaut)", "6");        /* Müller: 6 characters, 7 bytes */
  check_json ("len(decomposed)", "6");    /* u + U+0308 compose to ü */
  check_json ("len(jamo)", "1");          /* U+1100 U+1161 compose to U+AC00 */
  check_json ("len('\xe6\x97\xa5\xe6\x9c\xac')", "2");   /* 日本 */
  check_json ("len('\xf0\x9f\x98\x80')", "1");           /* an emoji outside the BMP */
  check_json ("len(n3)", "null");
  check_json ("len(t)", "null");
  check_json ("len(empty)", "null");
  check_json ("len(bad_utf8)", "null");
  check_json ("len(len('abc'))", "null");
  check_json ("len(empty) >= 20", "false");
}

static void
test_age (void)
{
  /* today 2026-06-15 */
  check_json ("age('2008-06-15')", "18");   /* the birthday is today */
  check_json ("age('2008-06-16')", "17");   /* ... tomorrow */
  check_json ("age('2008-06-14')", "18");   /* ... was yesterday */
  check_json ("age('2008-07-01')", "17");   /* a later month */
  check_json ("age('2008-05-31')", "18");   /* an earlier month */
  check_json ("age('2008-12-31')", "17");
  check_json ("age('2009-01-01')", "17");
  check_json ("age('1926-06-15')", "100");
  check_json ("age(geb)", "18");
  check_json ("age(geb) >= 18", "true");
  check_json ("age(today())", "0");
  check_json ("age('2026-01-01')", "0");
  /* a date after today: the floor of a negative number of years */
  check_json ("age('2026-06-16')", "-1");
  check_json ("age('2027-06-15')", "-1");
  check_json ("age('2028-06-16')", "-3");
  check_json ("age('0001-01-01')", "2025");
  check_json ("age('9999-12-31')", "-7974");
  check_json_on ("age('2000-01-01')", "1999-12-31", "-1");
  check_json_on ("age('1999-12-31')", "2000-01-01", "0");
  check_json_on ("age('1999-12-31')", "2000-12-31", "1");
  check_json_on ("age('1999-12-31')", "2000-12-30", "0");

  /* 29 February: reached on 1 March in a year without 29 February */
  check_json_on ("age('2008-02-29')", "2026-02-28", "17");
  check_json_on ("age('2008-02-29')", "2026-03-01", "18");
  check_json_on ("age('2008-02-29')", "2028-02-28", "19");
  check_json_on ("age('2008-02-29')", "2028-02-29", "20");
  check_json_on ("age('2008-02-29')", "2028-03-01", "20");
  check_json_on ("age('2000-02-29')", "2100-02-28", "99");   /* 2100 is no leap year */
  check_json_on ("age('2000-02-29')", "2100-03-01", "100");
  check_json_on ("age('2000-02-29')", "2000-02-29", "0");
  /* and a 28 February or 1 March birthday in a leap year */
  check_json_on ("age('2007-02-28')", "2008-02-28", "1");
  check_json_on ("age('2007-03-01')", "2008-02-29", "0");
  check_json_on ("age('2007-03-01')", "2008-03-01", "1");

  /* not a valid ISO date: null */
  check_json ("age('2008-02-30')", "null");
  check_json ("age('2007-02-29')", "null");
  check_json ("age('1900-02-29')", "null");   /* 1900 is no leap year */
  check_json ("age('2000-02-29') == null", "false");
  check_json ("age('2008-04-31')", "null");
  check_json ("age('2008-13-01')", "null");
  check_json ("age('2008-00-10')", "null");
  check_json ("age('2008-01-00')", "null");
  check_json ("age('0000-01-01')", "null");
  check_json ("age('15.06.2008')", "null");
  check_json ("age('2008-6-15')", "null");
  check_json ("age('2008-06-15x')", "null");
  check_json ("age(' 2008-06-15')", "null");
  check_json ("age('2008/06/15')", "null");
  check_json ("age('2008-06-1\xc3\xa9')", "null");
  check_json ("age('')", "null");
  check_json ("age(20080615)", "null");
  check_json ("age(true)", "null");
  check_json ("age(empty)", "null");
  check_json ("age(null) < 18", "false");
  /* and an invalid or missing today */
  check_json_on ("age('2008-06-15')", "", "null");
  check_json_on ("age('2008-06-15')", "2026-02-30", "null");
  check_json_on ("age('2008-06-15')", "today", "null");
  check_json_on ("age('2008-06-15')", NULL, "null");
}

/* ---- Errors ------------------------------------------------------------- */

static void
test_errors_syntax (void)
{
  check_error ("", KIOSK_EXPR_ERROR_SYNTAX, 0, "empty");
  check_error ("  \t", KIOSK_EXPR_ERROR_SYNTAX, 3, "empty");
  check_error ("a ==", KIOSK_EXPR_ERROR_SYNTAX, 4, "ends too early");
  check_error ("a and", KIOSK_EXPR_ERROR_SYNTAX, 5, "ends too early");
  check_error ("- ", KIOSK_EXPR_ERROR_SYNTAX, 2, "ends too early");
  check_error ("not", KIOSK_EXPR_ERROR_SYNTAX, 3, "ends too early");
  check_error ("(a", KIOSK_EXPR_ERROR_SYNTAX, 2,
               "expected ')' to close the parenthesis opened at column 1, but found the end of the expression");
  check_error ("x and (a or b", KIOSK_EXPR_ERROR_SYNTAX, 13, "opened at column 7");
  check_error ("(a ]", KIOSK_EXPR_ERROR_SYNTAX, 3, "expected ')' to close the parenthesis opened at column 1, but found ']'");
  check_error ("a)", KIOSK_EXPR_ERROR_SYNTAX, 1, "closes no '('");
  check_error ("a b", KIOSK_EXPR_ERROR_SYNTAX, 2, "found the name 'b' after a complete expression; join conditions with 'and' or 'or'");
  check_error ("a AND b", KIOSK_EXPR_ERROR_SYNTAX, 2, "'AND'");
  check_error ("true(1)", KIOSK_EXPR_ERROR_SYNTAX, 4, "after a complete expression");
  check_error ("and", KIOSK_EXPR_ERROR_SYNTAX, 0, "expected a value");
  check_error ("a == )", KIOSK_EXPR_ERROR_SYNTAX, 5, "expected a value");
  check_error ("a == == b", KIOSK_EXPR_ERROR_SYNTAX, 5, "expected a value");
  check_error ("a = 1", KIOSK_EXPR_ERROR_SYNTAX, 2, "'=='");
  check_error ("a ! b", KIOSK_EXPR_ERROR_SYNTAX, 2, "'not'");
  check_error ("!a", KIOSK_EXPR_ERROR_SYNTAX, 0, "'not'");
  check_error ("a && b", KIOSK_EXPR_ERROR_SYNTAX, 2, "'and' instead of '&&'");
  check_error ("a || b", KIOSK_EXPR_ERROR_SYNTAX, 2, "'or' instead of '||'");
  check_error ("a * 2", KIOSK_EXPR_ERROR_SYNTAX, 2, "unexpected character '*'");
  check_error ("a \xe2\x89\xa4 1", KIOSK_EXPR_ERROR_SYNTAX, 2, "unexpected character '\xe2\x89\xa4'");   /* ≤ */
  check_error ("a\x01", KIOSK_EXPR_ERROR_SYNTAX, 1, "U+0001");
  check_error ("a\xc2\xa0== 1", KIOSK_EXPR_ERROR_SYNTAX, 1, "invisible character U+00A0");       /* no-break space */
  check_error ("a \xe2\x80\xae== 1", KIOSK_EXPR_ERROR_SYNTAX, 2, "invisible character U+202E");  /* bidi override */
  check_error ("a == \xff", KIOSK_EXPR_ERROR_SYNTAX, 5, "not valid UTF-8 (byte 0xFF)");
  check_error ("a == \xc3", KIOSK_EXPR_ERROR_SYNTAX, 5, "not valid UTF-8");
  /* comparisons do not chain */
  check_error ("a == b == c", KIOSK_EXPR_ERROR_SYNTAX, 7, "cannot be chained");
  check_error ("a < b in [1]", KIOSK_EXPR_ERROR_SYNTAX, 6, "cannot be chained");
  check_error ("a in [1] == b", KIOSK_EXPR_ERROR_SYNTAX, 9, "cannot be chained");
  /* lists */
  check_error ("a in 'x'", KIOSK_EXPR_ERROR_SYNTAX, 5, "expected a list like ['a', 'b'] after 'in', but found a string");
  check_error ("a in ['x'", KIOSK_EXPR_ERROR_SYNTAX, 9, "close the list opened at column 6");
  check_error ("a in ['x' 'y']", KIOSK_EXPR_ERROR_SYNTAX, 10, "expected ',' or ']'");
  check_error ("a in ['x',]", KIOSK_EXPR_ERROR_SYNTAX, 10, "expected a value");
  check_error ("a in [,]", KIOSK_EXPR_ERROR_SYNTAX, 6, "expected a value");
  check_error ("in ['x']", KIOSK_EXPR_ERROR_SYNTAX, 0, "expected a value");
  check_error ("['x']", KIOSK_EXPR_ERROR_SYNTAX, 0, "expected a value");
  check_error ("a not b", KIOSK_EXPR_ERROR_SYNTAX, 6, "expected 'in' after 'not'");
  check_error ("a not", KIOSK_EXPR_ERROR_SYNTAX, 5, "expected 'in' after 'not'");
  /* columns count characters, offsets bytes: the '(' is byte 8, column 8
   * ('ä' takes two bytes), and the end is byte 10 */
  check_error ("'\xc3\xa4' == (x", KIOSK_EXPR_ERROR_SYNTAX, 10, "opened at column 8");
}

static void
test_errors_lexical (void)
{
  g_autofree char *huge_number = repeat ("9", 400, "");

  /* numbers */
  check_error ("1.", KIOSK_EXPR_ERROR_SYNTAX, 2, "expected a digit after the decimal point");
  check_error ("1.x", KIOSK_EXPR_ERROR_SYNTAX, 2, "expected a digit after the decimal point");
  check_error (".5", KIOSK_EXPR_ERROR_SYNTAX, 0, "unexpected character '.'");
  check_error ("1e5", KIOSK_EXPR_ERROR_SYNTAX, 1, "no exponent");
  check_error ("1E5", KIOSK_EXPR_ERROR_SYNTAX, 1, "unexpected 'E' right after a number");
  check_error ("12abc", KIOSK_EXPR_ERROR_SYNTAX, 2, "right after a number");
  check_error ("1.2.3", KIOSK_EXPR_ERROR_SYNTAX, 3, "second decimal point");
  check_error ("1,5", KIOSK_EXPR_ERROR_SYNTAX, 1, "after a complete expression");
  check_error (huge_number, KIOSK_EXPR_ERROR_SYNTAX, 0, "too large");
  /* strings */
  check_error ("'abc", KIOSK_EXPR_ERROR_SYNTAX, 0, "the string that starts at column 1 is not closed; add a ' at its end");
  check_error ("x == \"abc", KIOSK_EXPR_ERROR_SYNTAX, 5, "starts at column 6 is not closed; add a \" at its end");
  check_error ("'abc\"", KIOSK_EXPR_ERROR_SYNTAX, 0, "not closed");
  check_error ("'abc\\'", KIOSK_EXPR_ERROR_SYNTAX, 0, "not closed");
  check_error ("x == 'a\\nb'", KIOSK_EXPR_ERROR_SYNTAX, 7, "unknown escape");
  check_error ("'\\t'", KIOSK_EXPR_ERROR_SYNTAX, 1, "unknown escape");
  check_error ("'\\u00e4'", KIOSK_EXPR_ERROR_SYNTAX, 1, "unknown escape");
  check_error ("'abc\\", KIOSK_EXPR_ERROR_SYNTAX, 4, "unknown escape");
  check_error ("'a\tb'", KIOSK_EXPR_ERROR_SYNTAX, 2, "unexpected control character U+0009 in a string");
  check_error ("'a\nb'", KIOSK_EXPR_ERROR_SYNTAX, 2, "U+000A");
  check_error ("'a\x7f'", KIOSK_EXPR_ERROR_SYNTAX, 2, "U+007F");
  check_error ("'a\xc2\x85'", KIOSK_EXPR_ERROR_SYNTAX, 2, "U+0085");   /* C1 NEL */
  check_error ("'\xc3\x28'", KIOSK_EXPR_ERROR_SYNTAX, 1, "a string in the expression is not valid UTF-8 (byte 0xC3)");
  check_error ("'\xed\xa0\x80'", KIOSK_EXPR_ERROR_SYNTAX, 1, "not valid UTF-8");   /* a surrogate */
  check_error ("'\xc0\xaf'", KIOSK_EXPR_ERROR_SYNTAX, 1, "not valid UTF-8");       /* overlong */
  check_error ("'ok' == 'x\xf0\x9f'", KIOSK_EXPR_ERROR_SYNTAX, 10, "not valid UTF-8");
}

static void
test_errors_function (void)
{
  check_error ("cnt(x)", KIOSK_EXPR_ERROR_FUNCTION, 0,
               "unknown function 'cnt'; known functions: present, count, age, today, len");
  check_error ("a == 1 or Len(x) > 2", KIOSK_EXPR_ERROR_FUNCTION, 10, "unknown function 'Len'");
  check_error ("cnt((", KIOSK_EXPR_ERROR_FUNCTION, 0, "unknown function");   /* reported before the rest */
  check_error ("x and len()", KIOSK_EXPR_ERROR_FUNCTION, 6, "len() takes exactly 1 argument, but 0 were given");
  check_error ("len(a, b)", KIOSK_EXPR_ERROR_FUNCTION, 0, "len() takes exactly 1 argument, but 2 were given");
  check_error ("present()", KIOSK_EXPR_ERROR_FUNCTION, 0, "present() takes exactly 1 argument");
  check_error ("age(a, b, c)", KIOSK_EXPR_ERROR_FUNCTION, 0, "but 3 were given");
  check_error ("today(1)", KIOSK_EXPR_ERROR_FUNCTION, 0, "today() takes no arguments, but 1 was given");
  check_error ("count()", KIOSK_EXPR_ERROR_FUNCTION, 0, "count() takes exactly 1 argument");
  check_error ("count(1)", KIOSK_EXPR_ERROR_FUNCTION, 6, "count() takes the id of a repeatable group");
  check_error ("count('personen')", KIOSK_EXPR_ERROR_FUNCTION, 6, "the id of a repeatable group");
  check_error ("count(null)", KIOSK_EXPR_ERROR_FUNCTION, 6, "the id of a repeatable group");
  check_error ("count((personen))", KIOSK_EXPR_ERROR_FUNCTION, 6, "the id of a repeatable group");
  check_error ("count(a, b)", KIOSK_EXPR_ERROR_FUNCTION, 0, "count() takes exactly 1 argument");
  check_error ("count(a + 1)", KIOSK_EXPR_ERROR_FUNCTION, 8, "count() takes only the id");
  check_error ("count(len(x))", KIOSK_EXPR_ERROR_FUNCTION, 9, "count() takes only the id");
  /* syntax inside the arguments is a syntax error */
  check_error ("age(a", KIOSK_EXPR_ERROR_SYNTAX, 5, "expected ',' or ')' after an argument of age()");
  check_error ("len(a b)", KIOSK_EXPR_ERROR_SYNTAX, 6, "expected ',' or ')'");
  check_error ("len(a,)", KIOSK_EXPR_ERROR_SYNTAX, 6, "expected a value");
  check_error ("count(a", KIOSK_EXPR_ERROR_FUNCTION, 7, "count() takes only the id");
}

/* ---- Limits ------------------------------------------------------------- */

static void
test_depth (void)
{
  g_autofree char *parens_63 = NULL;
  g_autofree char *parens_64 = NULL;
  g_autofree char *parens_deep = repeat ("(", 100000, "");
  g_autofree char *nots_63 = repeat ("not ", 63, "t");
  g_autofree char *nots_64 = repeat ("not ", 64, "t");
  g_autofree char *nots_deep = repeat ("not ", 100000, "t");
  g_autofree char *minus_63 = repeat ("- ", 63, "1");
  g_autofree char *minus_deep = repeat ("- ", 100000, "1");
  g_autofree char *minus_tight = repeat ("-", 100000, "1");
  g_autofree char *calls_63 = NULL;
  g_autofree char *calls_deep = repeat ("len(", 100000, "");
  g_autofree char *lists_deep = repeat ("a in [", 100000, "");
  g_autofree char *mixed_deep = repeat ("(not ", 100000, "");
  GString *s;

  /* the top level is level 1, so 63 parentheses fit and the 64th is one too
   * many; the error is at that parenthesis */
  s = g_string_new (NULL);
  for (int i = 0; i < 63; i++)
    g_string_append_c (s, '(');
  g_string_append (s, "n3");
  for (int i = 0; i < 63; i++)
    g_string_append_c (s, ')');
  parens_63 = g_string_free (s, FALSE);
  check_json (parens_63, "3");
  parens_64 = g_strdup_printf ("(%s)", parens_63);
  check_error (parens_64, KIOSK_EXPR_ERROR_TOO_DEEP, 63, "nested more than 64 levels");
  check_error (parens_deep, KIOSK_EXPR_ERROR_TOO_DEEP, 63, "nested more than 64 levels");

  check_json (nots_63, "false");            /* an odd number of nots */
  check_error (nots_64, KIOSK_EXPR_ERROR_TOO_DEEP, 63 * 4, "nested");
  check_error (nots_deep, KIOSK_EXPR_ERROR_TOO_DEEP, 63 * 4, "nested");

  check_json (minus_63, "-1");
  check_error (minus_deep, KIOSK_EXPR_ERROR_TOO_DEEP, 63 * 2, "nested");
  check_error (minus_tight, KIOSK_EXPR_ERROR_TOO_DEEP, 63, "nested");

  /* len(len(…len('x')…)): 63 calls fit; the inner ones are null */
  s = g_string_new (NULL);
  for (int i = 0; i < 63; i++)
    g_string_append (s, "len(");
  g_string_append (s, "'x'");
  for (int i = 0; i < 63; i++)
    g_string_append_c (s, ')');
  calls_63 = g_string_free (s, FALSE);
  check_json (calls_63, "null");
  check_error (calls_deep, KIOSK_EXPR_ERROR_TOO_DEEP, 63 * 4, "nested");
  /* "a in [" opens one level at each "[" (offset 5 of 6) */
  check_error (lists_deep, KIOSK_EXPR_ERROR_TOO_DEEP, 63 * 6 + 5, "nested");
  /* "(not " opens two levels: the 64th construct is the 32nd "not" */
  check_error (mixed_deep, KIOSK_EXPR_ERROR_TOO_DEEP, 31 * 5 + 1, "nested");
}

static void
test_length (void)
{
  g_autofree char *sum = repeat ("+1", 2047, "");
  g_autofree char *max = g_strconcat ("11", sum, NULL);                 /* 4096 bytes */
  g_autofree char *over = g_strconcat (max, " ", NULL);                /* 4097 */
  g_autofree char *huge = repeat ("1+", 500000, "1");
  g_autofree char *long_string = repeat ("a", 5000, "'");
  g_autofree char *long_string_q = g_strconcat ("'", long_string, NULL);
  g_autofree char *long_ident = repeat ("a", 5000, "");
  g_autofree char *ones = repeat ("1+", 3000, "1");
  g_autofree char *early_error = g_strconcat ("a = ", ones, NULL);
  g_autofree char *a_4092 = repeat ("a", 4092, "");
  g_autofree char *fits = g_strconcat ("'", a_4092, "\xc3\xa4'", NULL);      /* 4096 */
  g_autofree char *fits_json = g_strconcat ("\"", a_4092, "\xc3\xa4\"", NULL);
  g_autofree char *sum_4095 = repeat ("1+", 2047, "1");
  g_autofree char *cut_op = g_strconcat (sum_4095, "!=1", NULL);            /* "!=" at 4095 */
  g_autofree char *cut_number = g_strconcat (sum_4095, ".5", NULL);         /* "1." at 4094 */
  g_autofree char *cut_other = g_strconcat (sum_4095, "\xc3\xa4", NULL);    /* 'ä' at 4095 */
  g_autofree char *a_4094 = repeat ("a", 4094, "");
  g_autofree char *cut_escape = g_strconcat ("'", a_4094, "\\nb'", NULL);  /* the "\" at 4095 */
  g_autofree char *cut_char = g_strconcat ("'", a_4094, "\xc3\xa4'", NULL);   /* 'ä' at 4095 and 4096 */
  g_autofree char *cut_quote = g_strconcat ("'", a_4092, "a\xc3\xa4'", NULL); /* the "'" at 4096 */

  g_assert_cmpuint (strlen (max), ==, KIOSK_EXPR_MAX_LENGTH);
  check_json (max, "2058");   /* 11 + 2047 */
  g_assert_cmpuint (strlen (over), ==, KIOSK_EXPR_MAX_LENGTH + 1);
  check_error (over, KIOSK_EXPR_ERROR_TOO_LONG, 4096, "longer than 4096 bytes");
  check_error (huge, KIOSK_EXPR_ERROR_TOO_LONG, 4096, "longer than 4096 bytes");
  /* a token that runs over the limit is not misread as unclosed, cut or
   * invalid */
  check_error (long_string_q, KIOSK_EXPR_ERROR_TOO_LONG, 4096, "longer");
  check_error (long_ident, KIOSK_EXPR_ERROR_TOO_LONG, 4096, "longer");
  g_assert_cmpuint (strlen (fits), ==, 4096);
  check_json (fits, fits_json);
  g_assert_cmpuint (strlen (cut_char), ==, 4098);
  check_error (cut_char, KIOSK_EXPR_ERROR_TOO_LONG, 4096, "longer");
  g_assert_cmpuint (strlen (cut_quote), ==, 4097);
  check_error (cut_quote, KIOSK_EXPR_ERROR_TOO_LONG, 4096, "longer");
  g_assert_cmpuint (strlen (cut_op), ==, 4098);
  check_error (cut_op, KIOSK_EXPR_ERROR_TOO_LONG, 4096, "longer");
  check_error (cut_number, KIOSK_EXPR_ERROR_TOO_LONG, 4096, "longer");
  check_error (cut_other, KIOSK_EXPR_ERROR_TOO_LONG, 4096, "longer");
  g_assert_cmpuint (strlen (cut_escape), ==, 4099);
  check_error (cut_escape, KIOSK_EXPR_ERROR_TOO_LONG, 4096, "longer");
  /* problems are reported in source order */
  check_error (early_error, KIOSK_EXPR_ERROR_SYNTAX, 2, "'=='");
}

/* ---- Visitors ----------------------------------------------------------- */

typedef struct {
  GString *log;
  guint calls;
  guint fail_at;   /* fail on this call (1-based), 0 never */
} Recorder;

static gboolean
record_ref (const char        *name,
            KioskExprRefKind   kind,
            gsize              offset,
            gpointer           user_data,
            GError           **error)
{
  Recorder *r = user_data;

  r->calls++;
  g_string_append_printf (r->log, "%s%s:%s@%" G_GSIZE_FORMAT, r->log->len > 0 ? " " : "",
                          kind == KIOSK_EXPR_REF_COUNT ? "count" : "value", name, offset);
  if (r->calls == r->fail_at)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no element %s", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
record_literal (const char  *name,
                const char  *literal,
                gsize        offset,
                gpointer     user_data,
                GError     **error)
{
  Recorder *r = user_data;

  r->calls++;
  g_string_append_printf (r->log, "%s%s='%s'@%" G_GSIZE_FORMAT, r->log->len > 0 ? " " : "", name, literal, offset);
  if (r->calls == r->fail_at)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no code %s", literal);
      return FALSE;
    }
  return TRUE;
}

/* Runs one visitor (the literal one when @literals) over @source and
 * compares what it reported with @expected. */
static void
check_visit (const char *source,
             gboolean    literals,
             const char *expected)
{
  g_autoptr(KioskExpr) expr = parse_ok (source);
  g_autoptr(GError) error = NULL;
  Recorder r = { g_string_new (NULL), 0, 0 };

  if (literals)
    g_assert_true (kiosk_expr_check_literals (expr, record_literal, &r, &error));
  else
    g_assert_true (kiosk_expr_check_refs (expr, record_ref, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (r.log->str, ==, expected);
  g_string_free (r.log, TRUE);
}

#define check_refs(source, expected) check_visit (source, FALSE, expected)
#define check_literals(source, expected) check_visit (source, TRUE, expected)

static void
test_refs (void)
{
  g_autoptr(KioskExpr) expr = NULL;
  g_autoptr(GError) error = NULL;
  Recorder r = { g_string_new (NULL), 0, 2 };

  check_refs ("1 + 2 == 3 and today() > '2000-01-01'", "");
  check_refs ("a", "value:a@0");
  /*           0         1         2         3         4         5
   *           0123456789012345678901234567890123456789012345678901234 */
  check_refs ("a == 1 and count(personen) > 0 or present(b) and x in [c, 'x', a]",
              "value:a@0 count:personen@17 value:b@42 value:x@49 value:c@55 value:a@63");
  check_refs ("len(d) > age(e_1)", "value:d@4 value:e_1@13");
  check_refs ("not (-f < g + h)", "value:f@6 value:g@10 value:h@14");
  check_refs ("count(g) + count( g )", "count:g@6 count:g@18");
  /* a function name is not a reference; an id that looks like one is */
  check_refs ("len + present(len)", "value:len@0 value:len@14");

  /* a callback that fails stops the walk and passes its error on */
  expr = parse_ok ("a == b or c");
  g_assert_false (kiosk_expr_check_refs (expr, record_ref, &r, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "no element b");
  g_assert_cmpuint (r.calls, ==, 2);
  g_string_free (r.log, TRUE);

  /* the names stay valid as long as the expression (the loader keeps them) */
  {
    Recorder r2 = { g_string_new (NULL), 0, 0 };
    g_assert_true (kiosk_expr_check_refs (expr, record_ref, &r2, NULL));
    g_assert_cmpstr (r2.log->str, ==, "value:a@0 value:b@5 value:c@10");
    g_string_free (r2.log, TRUE);
  }
}

static void
test_literals_visitor (void)
{
  g_autoptr(KioskExpr) expr = NULL;
  g_autoptr(GError) error = NULL;
  Recorder r = { g_string_new (NULL), 0, 2 };

  /*                0         1         2
   *                0123456789012345678901234567 */
  check_literals ("x == 'a'", "x='a'@5");
  check_literals ("'b' != y", "y='b'@0");
  check_literals ("z in ['c', 'd', w, 1]", "z='c'@6 z='d'@11");
  check_literals ("r not in ['i']", "r='i'@10");
  check_literals ("(q) == 'j'", "q='j'@7");
  check_literals ("x == 'it\\'s'", "x='it's'@5");
  check_literals ("x == \"a\\\\b\"", "x='a\\b'@5");
  /* inside other constructs */
  check_literals ("present(o) and not (o == 'l' or p in ['m'])", "o='l'@25 p='m'@38");
  check_literals ("len(p == 'k') > 0", "p='k'@9");
  /* not reported: no identifier, no string literal, or an order comparison */
  check_literals ("u == v", "");
  check_literals ("t < 'e'", "");
  check_literals ("s >= 'f'", "");
  check_literals ("'g' == 'h'", "");
  check_literals ("x == 1", "");
  check_literals ("x == null", "");
  check_literals ("len(x) == 'k'", "");
  check_literals ("x + 1 == 'k'", "");
  check_literals ("count(x) == 'k'", "");
  check_literals ("'a' in [x]", "");
  check_literals ("x in [('a')]", "x='a'@7");

  expr = parse_ok ("x in ['a', 'b', 'c']");
  g_assert_false (kiosk_expr_check_literals (expr, record_literal, &r, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "no code b");
  g_assert_cmpuint (r.calls, ==, 2);
  g_string_free (r.log, TRUE);
}

/* ---- Output, environment, threads, speed -------------------------------- */

static void
test_json (void)
{
  check_json ("n3_5", "3.5");
  check_json ("n3 - 1", "2");
  check_json ("-0.5", "-0.5");
  check_json ("100", "100");
  check_json ("0.0000001", "1e-07");
  check_json ("1000000000000000", "1e+15");
  check_json ("999999999999999", "999999999999999");
  check_json ("0.3333333333333333", "0.3333333333333333");
  check_json ("ctl", "\"a\\\"b\\\\c\\u0001d\"");
  check_json ("bad_utf8", "\"\\ufffd\"");
  check_json ("umlaut", "\"M\xc3\xbcller\"");
  check_json ("'\xf0\x9f\x98\x80'", "\"\xf0\x9f\x98\x80\"");
}

static void
test_source (void)
{
  const char *source = "  a == 'b' ";
  g_autoptr(KioskExpr) expr = parse_ok (source);

  g_assert_cmpstr (kiosk_expr_get_source (expr), ==, source);
  g_assert_true (kiosk_expr_get_source (expr) != source);   /* a copy */
  kiosk_expr_free (NULL);
}

static void
test_env_missing (void)
{
  KioskExprEnv empty_env = { NULL, NULL, NULL, NULL };
  const char *sources[] = { "a", "count(g)", "today()", "age('2000-01-01')", "len(a)", "a == null" };
  const char *expected[] = { "null", "0", "null", "null", "null", "true" };

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autoptr(KioskExpr) expr = parse_ok (sources[i]);
      g_autofree char *with_null = kiosk_expr_eval_to_json (expr, NULL);
      g_autofree char *with_empty = kiosk_expr_eval_to_json (expr, &empty_env);

      g_assert_cmpstr (with_null, ==, expected[i]);
      g_assert_cmpstr (with_empty, ==, expected[i]);
    }
}

typedef struct {
  const KioskExpr *expr;
  guint mismatches;
} ThreadData;

static gpointer
eval_thread (gpointer data)
{
  ThreadData *d = data;
  KioskExprEnv env = make_env ("2026-06-15");

  for (guint i = 0; i < 20000; i++)
    if (!kiosk_expr_eval_bool (d->expr, &env))
      d->mismatches++;
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(KioskExpr) expr = parse_ok ("age(geb) == 18 and s_deu in ['aut', 'deu'] and len(decomposed) == 6");
  ThreadData data[8];
  GThread *threads[8];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      data[i].expr = expr;
      data[i].mismatches = 0;
      threads[i] = g_thread_new ("eval", eval_thread, &data[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (data[i].mismatches, ==, 0);
    }
}

/* A 2,000-field form: every field with a typical relevance, requirement and
 * constraint must be evaluated in under 20 ms in total. */
static void
test_speed (void)
{
  const char *typical[] = {
    "s_deu != 'deu'",
    "count(personen) > 1 and s_aut in ['gbr', 'ohg', 'aut']",
    "len(umlaut) >= 3",
    "age(geb) < 18",
    "present(n3) and (n3 > 2 or t) and not f",
  };
  g_autoptr(GPtrArray) exprs = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_expr_free);
  KioskExprEnv env = make_env ("2026-06-15");
  gint64 best = G_MAXINT64;
  guint truths = 0;

  for (guint i = 0; i < 2000 * 3; i++)
    g_ptr_array_add (exprs, parse_ok (typical[i % G_N_ELEMENTS (typical)]));
  for (guint round = 0; round < 5; round++)
    {
      gint64 start = g_get_monotonic_time ();

      truths = 0;
      for (guint i = 0; i < exprs->len; i++)
        truths += kiosk_expr_eval_bool (g_ptr_array_index (exprs, i), &env);
      best = MIN (best, g_get_monotonic_time () - start);
    }
  /* false, true, true, false, true */
  g_assert_cmpuint (truths, ==, 6000 / 5 * 3);
  g_test_message ("%u evaluations in %" G_GINT64_FORMAT " us", exprs->len, best);
  g_assert_cmpint (best, <, 20000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/antragskiosk/expr/literals", test_literals);
  g_test_add_func ("/antragskiosk/expr/identifiers", test_identifiers);
  g_test_add_func ("/antragskiosk/expr/whitespace", test_whitespace);
  g_test_add_func ("/antragskiosk/expr/arithmetic", test_arithmetic);
  g_test_add_func ("/antragskiosk/expr/compare", test_compare);
  g_test_add_func ("/antragskiosk/expr/null", test_null);
  g_test_add_func ("/antragskiosk/expr/logic", test_logic);
  g_test_add_func ("/antragskiosk/expr/precedence", test_precedence);
  g_test_add_func ("/antragskiosk/expr/in", test_in);
  g_test_add_func ("/antragskiosk/expr/functions", test_functions);
  g_test_add_func ("/antragskiosk/expr/age", test_age);
  g_test_add_func ("/antragskiosk/expr/errors-syntax", test_errors_syntax);
  g_test_add_func ("/antragskiosk/expr/errors-lexical", test_errors_lexical);
  g_test_add_func ("/antragskiosk/expr/errors-function", test_errors_function);
  g_test_add_func ("/antragskiosk/expr/depth", test_depth);
  g_test_add_func ("/antragskiosk/expr/length", test_length);
  g_test_add_func ("/antragskiosk/expr/refs", test_refs);
  g_test_add_func ("/antragskiosk/expr/literals-visitor", test_literals_visitor);
  g_test_add_func ("/antragskiosk/expr/json", test_json);
  g_test_add_func ("/antragskiosk/expr/source", test_source);
  g_test_add_func ("/antragskiosk/expr/env-missing", test_env_missing);
  g_test_add_func ("/antragskiosk/expr/threads", test_threads);
  g_test_add_func ("/antragskiosk/expr/speed", test_speed);
  return g_test_run ();
}
