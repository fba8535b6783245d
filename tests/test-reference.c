/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test"

#include "config.h"

#include <string.h>
#include <glib.h>

#include <antragskiosk/reference.h>

#define N_CODES 3000

/* An independent evaluation of the check equation: sum d_i * x^(n-1-i) in
 * GF(32) = GF(2)[x]/(x^5 + x^2 + 1), with a general carry-less multiply
 * instead of the module's Horner scheme. */
static guint
gf32_mul (guint a, guint b)
{
  guint r = 0;

  for (int bit = 4; bit >= 0; bit--)
    {
      r <<= 1;
      if (r & 0x20)
        r ^= 0x25;
      if (b & (1u << bit))
        r ^= a;
    }
  return r;
}

static guint
weighted_sum (const char *code)
{
  gsize n = strlen (code);
  guint sum = 0;

  for (gsize i = 0; i < n; i++)
    {
      const char *p = strchr (KIOSK_REFERENCE_ALPHABET, code[i]);
      guint weight = 1;

      g_assert_nonnull (p);
      for (gsize k = 0; k < n - 1 - i; k++)
        weight = gf32_mul (weight, 2);
      sum ^= gf32_mul ((guint) (p - KIOSK_REFERENCE_ALPHABET), weight);
    }
  return sum;
}

static void
test_alphabet (void)
{
  const char *alphabet = KIOSK_REFERENCE_ALPHABET;

  g_assert_cmpuint (strlen (alphabet), ==, 32);
  for (const char *c = "01IO"; *c != '\0'; c++)
    g_assert_null (strchr (alphabet, *c));
  for (gsize i = 0; i < 32; i++)
    {
      g_assert_true (g_ascii_isdigit (alphabet[i]) || g_ascii_isupper (alphabet[i]));
      g_assert_null (strchr (alphabet + i + 1, alphabet[i]));
    }
}

/* Worked by hand: payload "3" + eight "2" is x^8 = x^3 + x^2 + 1 = 13;
 * the check symbol is x * 13 = x^4 + x^3 + x = 26 = 'U'. All "2" (zero)
 * gives the check symbol '2'. */
static void
test_known_vectors (void)
{
  g_assert_cmpint (kiosk_reference_check_symbol ("322222222", 9), ==, 'U');
  g_assert_cmpint (kiosk_reference_check_symbol ("222222222", 9), ==, '2');
  g_assert_cmpint (kiosk_reference_check_symbol ("22222222O", 9), ==, '\0');
  g_assert_true (kiosk_reference_is_valid ("322222222U"));
  g_assert_true (kiosk_reference_is_valid ("2222222222"));
  g_assert_false (kiosk_reference_is_valid ("322222222V"));
  g_assert_false (kiosk_reference_is_valid ("322222222u"));
  g_assert_false (kiosk_reference_is_valid ("322222222"));
  g_assert_false (kiosk_reference_is_valid (NULL));
}

static void
test_generate (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint counts[32] = { 0 };

  for (guint i = 0; i < N_CODES; i++)
    {
      char *code = kiosk_reference_generate ();

      g_assert_cmpuint (strlen (code), ==, KIOSK_REFERENCE_LENGTH);
      for (gsize k = 0; k < KIOSK_REFERENCE_LENGTH; k++)
        {
          const char *p = strchr (KIOSK_REFERENCE_ALPHABET, code[k]);

          g_assert_nonnull (p);
          if (k < KIOSK_REFERENCE_LENGTH - 1)
            counts[p - KIOSK_REFERENCE_ALPHABET]++;
        }
      g_assert_true (kiosk_reference_is_valid (code));
      /* the independent check equation */
      g_assert_cmpuint (weighted_sum (code), ==, 0);
      g_assert_false (g_hash_table_contains (seen, code));
      g_hash_table_add (seen, code);
    }
  /* 27,000 random symbols, 843.75 expected per symbol: every symbol
   * occurs, none wildly over-represented. */
  for (guint s = 0; s < 32; s++)
    {
      g_assert_cmpuint (counts[s], >, 600);
      g_assert_cmpuint (counts[s], <, 1100);
    }
}

static void
test_single_substitutions (void)
{
  guint64 tried = 0;

  for (guint i = 0; i < N_CODES; i++)
    {
      g_autofree char *code = kiosk_reference_generate ();

      for (gsize pos = 0; pos < KIOSK_REFERENCE_LENGTH; pos++)
        {
          char original = code[pos];

          for (const char *s = KIOSK_REFERENCE_ALPHABET; *s != '\0'; s++)
            {
              if (*s == original)
                continue;
              code[pos] = *s;
              g_assert_false (kiosk_reference_is_valid (code));
              g_assert_cmpuint (weighted_sum (code), !=, 0);
              tried++;
            }
          code[pos] = original;
        }
      g_assert_true (kiosk_reference_is_valid (code));
    }
  g_assert_cmpuint (tried, ==, (guint64) N_CODES * KIOSK_REFERENCE_LENGTH * 31);
}

static void
test_adjacent_transpositions (void)
{
  guint64 tried = 0;

  for (guint i = 0; i < N_CODES; i++)
    {
      g_autofree char *code = kiosk_reference_generate ();

      /* pos + 1 may be the check symbol: swaps with it count too */
      for (gsize pos = 0; pos + 1 < KIOSK_REFERENCE_LENGTH; pos++)
        {
          char a = code[pos], b = code[pos + 1];

          if (a == b)
            continue;
          code[pos] = b;
          code[pos + 1] = a;
          g_assert_false (kiosk_reference_is_valid (code));
          tried++;
          code[pos] = a;
          code[pos + 1] = b;
        }
    }
  g_assert_cmpuint (tried, >, (guint64) N_CODES * 8);
}

/* Every pair of symbols in every adjacent position of one fixed payload:
 * all 32 × 31 ordered pairs, not only those random codes happen to hold. */
static void
test_all_pairs (void)
{
  char code[KIOSK_REFERENCE_LENGTH + 1];

  for (gsize pos = 0; pos + 2 < KIOSK_REFERENCE_LENGTH; pos++)
    for (guint x = 0; x < 32; x++)
      for (guint y = 0; y < 32; y++)
        {
          if (x == y)
            continue;
          memcpy (code, "K7M4QX9PR", KIOSK_REFERENCE_LENGTH - 1);
          code[pos] = KIOSK_REFERENCE_ALPHABET[x];
          code[pos + 1] = KIOSK_REFERENCE_ALPHABET[y];
          code[KIOSK_REFERENCE_LENGTH - 1] = kiosk_reference_check_symbol (code, KIOSK_REFERENCE_LENGTH - 1);
          code[KIOSK_REFERENCE_LENGTH] = '\0';
          g_assert_true (kiosk_reference_is_valid (code));
          code[pos] = KIOSK_REFERENCE_ALPHABET[y];
          code[pos + 1] = KIOSK_REFERENCE_ALPHABET[x];
          g_assert_false (kiosk_reference_is_valid (code));
        }
}

static void
test_normalize (void)
{
  static const char *const accepted[] = {
    "32222-2222U", "322222222u", " 32222 2222u ", "3-2-2-2-2-2-2-2-2-U",
    "32222\xe2\x80\x93" "2222U",   /* en dash */
    "32222\xc2\xa0" "2222U",       /* no-break space */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *canonical = kiosk_reference_normalize (accepted[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (canonical, ==, "322222222U");
    }

  /* round trip through the display form */
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *code = kiosk_reference_generate ();
      g_autofree char *shown = kiosk_reference_format (code);
      g_autofree char *lower = g_ascii_strdown (shown, -1);
      g_autofree char *back = kiosk_reference_normalize (lower, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (back, ==, code);
    }
}

static void
test_normalize_errors (void)
{
  static const struct {
    const char *input;
    int code;
    const char *mentions;
  } cases[] = {
    { "32222-2222O", KIOSK_REFERENCE_ERROR_CHARACTER, "“O”" },
    { "32222-2222o", KIOSK_REFERENCE_ERROR_CHARACTER, "“O”" },
    { "0222222222", KIOSK_REFERENCE_ERROR_CHARACTER, "“0”" },
    { "1222222222", KIOSK_REFERENCE_ERROR_CHARACTER, "“1”" },
    { "I222222222", KIOSK_REFERENCE_ERROR_CHARACTER, "“I”" },
    { "32222_2222U", KIOSK_REFERENCE_ERROR_CHARACTER, "“_”" },
    { "32222\xc3\x84" "2222U", KIOSK_REFERENCE_ERROR_CHARACTER, "“\xc3\x84”" },
    { "\xff\xfe", KIOSK_REFERENCE_ERROR_CHARACTER, NULL },
    { "", KIOSK_REFERENCE_ERROR_LENGTH, "too short" },
    { "32222-2222", KIOSK_REFERENCE_ERROR_LENGTH, "too short" },
    { "32222-2222U2", KIOSK_REFERENCE_ERROR_LENGTH, "too long" },
    { "32222-2222V", KIOSK_REFERENCE_ERROR_CHECK, "mistyped" },
    { "23222-2222U", KIOSK_REFERENCE_ERROR_CHECK, "swapped" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *canonical = kiosk_reference_normalize (cases[i].input, &error);

      g_assert_null (canonical);
      g_assert_error (error, KIOSK_REFERENCE_ERROR, cases[i].code);
      if (cases[i].mentions != NULL)
        g_assert_nonnull (strstr (error->message, cases[i].mentions));
    }
}

static void
test_format (void)
{
  g_autofree char *shown = kiosk_reference_format ("322222222U");
  g_autofree char *other = kiosk_reference_format ("not a reference");

  g_assert_cmpstr (shown, ==, "32222-2222U");
  g_assert_cmpuint (strlen (shown), ==, KIOSK_REFERENCE_DISPLAY_LENGTH);
  g_assert_cmpstr (other, ==, "not a reference");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/antragskiosk/reference/alphabet", test_alphabet);
  g_test_add_func ("/antragskiosk/reference/known-vectors", test_known_vectors);
  g_test_add_func ("/antragskiosk/reference/generate", test_generate);
  g_test_add_func ("/antragskiosk/reference/single-substitutions", test_single_substitutions);
  g_test_add_func ("/antragskiosk/reference/adjacent-transpositions", test_adjacent_transpositions);
  g_test_add_func ("/antragskiosk/reference/all-pairs", test_all_pairs);
  g_test_add_func ("/antragskiosk/reference/normalize", test_normalize);
  g_test_add_func ("/antragskiosk/reference/normalize-errors", test_normalize_errors);
  g_test_add_func ("/antragskiosk/reference/format", test_format);

  return g_test_run ();
}
