/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test-din91379"

/* Proves the product's DIN 91379 tables (app/core/validate-din91379.c)
 * equal to the published list, version 1.3, which the project carries in
 * tests/data/din91379/latin_list_1.3.txt (source, licence and format in
 * the README.md beside it; only the code point column is used).
 *
 * Data types: A = letters + N1, B = A + N2, C = B + N3 + N4. The extended
 * groups (Greek, Cyrillic, E1) belong to none of them, and a combining mark
 * (group dc) is only valid inside a listed sequence. */

#include <locale.h>
#include <string.h>

#include <glib.h>

#include <antragskiosk/validate.h>

typedef enum {
  GROUP_BLL,      /* letters, single or sequence */
  GROUP_N1,       /* bnlreq */
  GROUP_N2,       /* bnl */
  GROUP_N3,       /* bnlopt */
  GROUP_N4,       /* bnlnot */
  GROUP_DC,       /* combining marks */
  GROUP_GL,       /* Greek */
  GROUP_CL,       /* Cyrillic */
  GROUP_ENL,      /* E1 */
  N_GROUPS
} Group;

static const char * const group_names[N_GROUPS] = {
  "bll", "bnlreq", "bnl", "bnlopt", "bnlnot", "dc", "gl", "cl", "enl",
};

typedef struct {
  Group    group;
  gboolean sequence;
  char    *text;      /* UTF-8 of the code points */
  gunichar first;
} Entry;

static GPtrArray *entries;        /* of Entry */
static GHashTable *by_text;       /* text -> Entry */
static char *list_error;          /* why the list could not be read */

static const KioskDinType all_types[] = { KIOSK_DIN_TYPE_A, KIOSK_DIN_TYPE_B, KIOSK_DIN_TYPE_C };

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_free (e->text);
  g_free (e);
}

static gboolean
load_list (void)
{
  const char *dir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  if (dir == NULL || *dir == '\0')
    {
      list_error = g_strdup ("G_TEST_SRCDIR is not set; it must name the tests/ directory of the "
                             "source tree, which holds data/din91379/latin_list_1.3.txt (meson test sets it)");
      return FALSE;
    }
  path = g_build_filename (dir, "data", "din91379", "latin_list_1.3.txt", NULL);
  if (!g_file_get_contents (path, &contents, NULL, &error))
    {
      list_error = g_strdup_printf ("cannot read the DIN 91379 list %s: %s", path, error->message);
      return FALSE;
    }

  entries = g_ptr_array_new_with_free_func (entry_free);
  by_text = g_hash_table_new (g_str_hash, g_str_equal);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_auto(GStrv) cps = NULL;
      GString *text;
      Entry *e;
      int group = -1;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      /* group; char|seq; code points; name; glyph (the glyph may itself be
       * a ';', so split into four fields only). */
      fields = g_strsplit (lines[i], "; ", 4);
      if (g_strv_length (fields) < 4)
        {
          list_error = g_strdup_printf ("%s:%u: not “group; kind; code points; …”", path, i + 1);
          return FALSE;
        }
      for (int k = 0; k < N_GROUPS; k++)
        if (g_str_equal (fields[0], group_names[k]))
          group = k;
      if (group < 0 || !(g_str_equal (fields[1], "char") || g_str_equal (fields[1], "seq")))
        {
          list_error = g_strdup_printf ("%s:%u: unknown group or kind", path, i + 1);
          return FALSE;
        }

      e = g_new0 (Entry, 1);
      e->group = (Group) group;
      e->sequence = g_str_equal (fields[1], "seq");
      text = g_string_new (NULL);
      cps = g_strsplit (fields[2], " ", -1);
      for (guint k = 0; cps[k] != NULL; k++)
        {
          char *endp = NULL;
          guint64 cp = g_ascii_strtoull (cps[k], &endp, 16);

          if (endp == cps[k] || *endp != '\0' || cp == 0 || cp > 0x10FFFF)
            {
              list_error = g_strdup_printf ("%s:%u: bad code point “%s”", path, i + 1, cps[k]);
              g_string_free (text, TRUE);
              g_free (e);
              return FALSE;
            }
          if (k == 0)
            e->first = (gunichar) cp;
          g_string_append_unichar (text, (gunichar) cp);
        }
      e->text = g_string_free (text, FALSE);
      g_ptr_array_add (entries, e);
      g_hash_table_insert (by_text, e->text, e);
    }
  return TRUE;
}

static gboolean
group_allowed (Group        group,
               KioskDinType type)
{
  switch (group)
    {
    case GROUP_BLL:
    case GROUP_N1:
      return TRUE;
    case GROUP_N2:
      return type != KIOSK_DIN_TYPE_A;
    case GROUP_N3:
    case GROUP_N4:
      return type == KIOSK_DIN_TYPE_C;
    case GROUP_DC:
    case GROUP_GL:
    case GROUP_CL:
    case GROUP_ENL:
    case N_GROUPS:
    default:
      return FALSE;
    }
}

static const char *
type_name (KioskDinType type)
{
  return type == KIOSK_DIN_TYPE_A ? "A" : type == KIOSK_DIN_TYPE_B ? "B" : "C";
}

static void
expect (const char   *input,
        KioskDinType  type,
        gboolean      accepted,
        const char   *expected_normalized,
        const char   *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  gboolean ok = kiosk_validate_din91379 (input, type, &normalized, &error);

  if (ok != accepted)
    {
      g_autofree char *escaped = g_strescape (input, NULL);

      g_test_fail_printf ("%s “%s” (%s): %s as type %s, expected %s", what, input, escaped,
                          ok ? "accepted" : error->message, type_name (type),
                          accepted ? "accepted" : "rejected");
      return;
    }
  if (ok)
    {
      g_assert_no_error (error);
      if (expected_normalized != NULL)
        g_assert_cmpstr (normalized, ==, expected_normalized);
    }
  else
    {
      g_assert_error (error, KIOSK_VALIDATE_ERROR, KIOSK_VALIDATE_ERROR_CHARACTER);
      g_assert_null (normalized);
    }
}

/* The list must be there: without it the test cannot prove anything, so
 * it fails (it does not skip). */
static void
test_list_present (void)
{
  if (list_error != NULL)
    {
      g_test_fail_printf ("%s", list_error);
      return;
    }
  g_assert_nonnull (entries);
}

#define REQUIRE_LIST() G_STMT_START { if (entries == NULL) { g_test_fail_printf ("%s", list_error); return; } } G_STMT_END

static void
test_list_counts (void)
{
  guint count[N_GROUPS] = { 0 }, singles = 0, sequences = 0;
  static const guint expected[N_GROUPS] = { 649, 18, 60, 6, 4, 20, 69, 62, 42 };

  REQUIRE_LIST ();
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);

      count[e->group]++;
      if (e->group == GROUP_BLL)
        {
          if (e->sequence)
            sequences++;
          else
            singles++;
        }
    }
  /* The figures of ABOUT.md: the list was read completely. */
  for (int k = 0; k < N_GROUPS; k++)
    g_assert_cmpuint (count[k], ==, expected[k]);
  g_assert_cmpuint (singles, ==, 500);
  g_assert_cmpuint (sequences, ==, 149);
  g_assert_cmpuint (g_hash_table_size (by_text), ==, entries->len);
}

/* Every letter and sequence of group bll, alone, inside a name, and
 * decomposed (NFD), is accepted by every type. */
static void
test_letters (void)
{
  REQUIRE_LIST ();
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);
      g_autofree char *nfc = NULL, *nfd = NULL, *inside = NULL;

      if (e->group != GROUP_BLL)
        continue;
      /* The list is in NFC, so the normalised value is the entry itself. */
      nfc = g_utf8_normalize (e->text, -1, G_NORMALIZE_NFC);
      g_assert_cmpstr (nfc, ==, e->text);
      nfd = g_utf8_normalize (e->text, -1, G_NORMALIZE_NFD);
      inside = g_strconcat ("Ab ", e->text, "x-", e->text, " Cd", NULL);

      for (gsize t = 0; t < G_N_ELEMENTS (all_types); t++)
        {
          expect (e->text, all_types[t], TRUE, e->text, "letter");
          expect (nfd, all_types[t], TRUE, e->text, "letter in NFD");
          expect (inside, all_types[t], TRUE, inside, "letter in a name");
        }
    }
}

/* Every single-character entry of @groups, alone and inside a name, gets
 * the verdict its group has in each type. Returns how many were checked. */
static guint
check_groups (const Group *groups,
              gsize        n_groups)
{
  guint checked = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);
      g_autofree char *inside = NULL;
      gboolean wanted = FALSE;

      for (gsize g = 0; g < n_groups; g++)
        wanted = wanted || e->group == groups[g];
      if (!wanted)
        continue;
      inside = g_strconcat ("Anna", e->text, "Berta", NULL);
      for (gsize t = 0; t < G_N_ELEMENTS (all_types); t++)
        {
          gboolean allowed = group_allowed (e->group, all_types[t]);

          expect (inside, all_types[t], allowed, inside, group_names[e->group]);
          /* Alone (white space alone is trimmed away, see below). */
          if (!g_unichar_isspace (e->first))
            expect (e->text, all_types[t], allowed, e->text, group_names[e->group]);
        }
      checked++;
    }
  return checked;
}

/* The non-letters: N1 in every type, N2 from B on, N3 and N4 only in C. */
static void
test_non_letters (void)
{
  static const Group groups[] = { GROUP_N1, GROUP_N2, GROUP_N3, GROUP_N4 };

  REQUIRE_LIST ();
  g_assert_cmpuint (check_groups (groups, G_N_ELEMENTS (groups)), ==, 18 + 60 + 6 + 4);

  /* Spot checks, independent of the list parsing. */
  expect ("O'Brien", KIOSK_DIN_TYPE_A, TRUE, "O'Brien", "N1");
  expect ("O\xe2\x80\x99" "Brien", KIOSK_DIN_TYPE_A, TRUE, NULL, "N1 U+2019");
  expect ("Anna1", KIOSK_DIN_TYPE_A, FALSE, NULL, "N2 digit");
  expect ("Anna1", KIOSK_DIN_TYPE_B, TRUE, "Anna1", "N2 digit");
  expect ("Anna\xc2\xa0" "Berta", KIOSK_DIN_TYPE_B, FALSE, NULL, "N4 no-break space");
  expect ("Anna\xc2\xa0" "Berta", KIOSK_DIN_TYPE_C, TRUE, NULL, "N4 no-break space");
}

/* Greek, Cyrillic and E1 belong to data types D and E only. */
static void
test_extended_rejected (void)
{
  static const Group groups[] = { GROUP_GL, GROUP_CL, GROUP_ENL };

  REQUIRE_LIST ();
  g_assert_cmpuint (check_groups (groups, G_N_ELEMENTS (groups)), ==, 69 + 62 + 42);
}

/* A combining mark of group dc is valid only inside a listed sequence: on
 * its own, at the start, after a space or a digit it is rejected. */
static void
test_lone_marks (void)
{
  guint checked = 0;

  REQUIRE_LIST ();
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);
      g_autofree char *at_start = NULL, *after_space = NULL, *after_digit = NULL;

      if (e->group != GROUP_DC)
        continue;
      at_start = g_strconcat (e->text, "Anna", NULL);
      after_space = g_strconcat ("Anna ", e->text, "Berta", NULL);
      after_digit = g_strconcat ("Anna 1", e->text, NULL);
      for (gsize t = 0; t < G_N_ELEMENTS (all_types); t++)
        {
          expect (e->text, all_types[t], FALSE, NULL, "lone mark");
          expect (at_start, all_types[t], FALSE, NULL, "mark at the start");
          expect (after_space, all_types[t], FALSE, NULL, "mark after a space");
          expect (after_digit, all_types[t], FALSE, NULL, "mark after a digit");
        }
      checked++;
    }
  g_assert_cmpuint (checked, ==, 20);
}

/* What the list says about @text as one glyph for @type: allowed when its
 * NFC is a listed entry of an allowed group. */
static gboolean
list_allows (const char   *text,
             KioskDinType type)
{
  g_autofree char *nfc = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
  Entry *e = nfc != NULL ? g_hash_table_lookup (by_text, nfc) : NULL;

  return e != NULL && group_allowed (e->group, type);
}

/* Base letters with combining marks of group dc (one or two), and pairs
 * joined by U+035F: accepted exactly when the list has the result. This
 * proves that the sequence table holds nothing beyond the list. */
static void
test_sequence_combinations (void)
{
  g_autoptr(GPtrArray) marks = g_ptr_array_new ();
  g_autoptr(GHashTable) bases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GList) base_list = NULL;
  guint accepted = 0, rejected = 0;

  REQUIRE_LIST ();
  for (char c = 'A'; c <= 'z'; c++)
    if (g_ascii_isalpha (c))
      {
        char s[2] = { c, '\0' };

        g_hash_table_add (bases, g_strdup (s));
      }
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);

      if (e->group == GROUP_DC)
        g_ptr_array_add (marks, e->text);
      else if (e->group == GROUP_BLL && e->sequence)
        {
          char buf[8];

          buf[g_unichar_to_utf8 (e->first, buf)] = '\0';
          g_hash_table_add (bases, g_strdup (buf));
        }
    }
  g_assert_cmpuint (marks->len, ==, 20);

  base_list = g_hash_table_get_keys (bases);
  for (GList *l = base_list; l != NULL; l = l->next)
    {
      const char *base = l->data;

      for (guint m1 = 0; m1 < marks->len; m1++)
        {
          g_autofree char *one = g_strconcat (base, g_ptr_array_index (marks, m1), NULL);

          for (gsize t = 0; t < G_N_ELEMENTS (all_types); t++)
            {
              gboolean allowed = list_allows (one, all_types[t]);

              expect (one, all_types[t], allowed, NULL, "letter with a mark");
              if (allowed)
                accepted++;
              else
                rejected++;
            }
          for (guint m2 = 0; m2 < marks->len; m2++)
            {
              g_autofree char *two = g_strconcat (one, g_ptr_array_index (marks, m2), NULL);
              gboolean allowed = list_allows (two, KIOSK_DIN_TYPE_A);

              expect (two, KIOSK_DIN_TYPE_A, allowed, NULL, "letter with two marks");
            }
        }
    }

  /* K͟H and friends: two letters joined by COMBINING DOUBLE MACRON BELOW. */
  for (char a = 'A'; a <= 'z'; a++)
    for (char b = 'A'; b <= 'z'; b++)
      {
        char s[5] = { a, '\xcd', '\x9f', b, '\0' };

        if (!g_ascii_isalpha (a) || !g_ascii_isalpha (b))
          continue;
        expect (s, KIOSK_DIN_TYPE_A, list_allows (s, KIOSK_DIN_TYPE_A), NULL, "letters joined by U+035F");
      }
  expect ("K\xcd\x9fH", KIOSK_DIN_TYPE_A, TRUE, "K\xcd\x9fH", "K͟H");
  expect ("k\xcd\x9fH", KIOSK_DIN_TYPE_A, FALSE, NULL, "k͟H");

  g_test_message ("%u letter+mark combinations accepted, %u rejected", accepted, rejected);
  g_assert_cmpuint (accepted, >, 0);
  g_assert_cmpuint (rejected, >, 0);
}

/* Every code point on its own (U+0001–U+10FFFF, no surrogates): accepted
 * exactly when it is white space at the ends of the input (ignored by every
 * validator, so nothing is kept) or its NFC is a listed entry allowed for
 * the type. So nothing outside the list gets into a value. */
static void
test_all_code_points (void)
{
  guint listed_accepted = 0, via_nfc = 0;

  REQUIRE_LIST ();
  for (gunichar c = 1; c <= 0x10FFFF; c++)
    {
      char s[8];

      if (c >= 0xD800 && c <= 0xDFFF)
        continue;
      s[g_unichar_to_utf8 (c, s)] = '\0';

      for (gsize t = 0; t < G_N_ELEMENTS (all_types); t++)
        {
          KioskDinType type = all_types[t];
          g_autofree char *normalized = NULL;
          gboolean ok = kiosk_validate_din91379 (s, type, &normalized, NULL);
          gboolean space = g_unichar_isspace (c);
          gboolean allowed = list_allows (s, type);

          if (space)
            {
              /* Trimmed away: accepted, nothing kept. */
              if (!ok || g_strcmp0 (normalized, "") != 0)
                g_test_fail_printf ("U+%04X (white space) as type %s: not ignored", (guint) c, type_name (type));
              continue;
            }
          if (ok != allowed)
            {
              g_test_fail_printf ("U+%04X %s as type %s, but the list %s it", (guint) c,
                                  ok ? "accepted" : "rejected", type_name (type),
                                  allowed ? "allows" : "does not allow");
              continue;
            }
          if (ok)
            {
              /* What is kept is a listed entry. */
              Entry *e = g_hash_table_lookup (by_text, normalized);

              g_assert_nonnull (e);
              g_assert_true (group_allowed (e->group, type));
              if (g_str_equal (normalized, s))
                listed_accepted++;
              else
                via_nfc++;
            }
        }
    }
  g_test_message ("%u (code point, type) pairs accepted as listed, %u through a canonical equivalent "
                  "(e.g. U+212B ANGSTROM SIGN, kept as U+00C5)", listed_accepted, via_nfc);
  /* Every single character of bll, N1–N4 was met in the scan:
   * 500 letters + 18 N1 in three types, 60 N2 in two, 10 N3/N4 in one;
   * minus the white space among them (space, tab, LF, CR, NBSP), which the
   * scan treats as trimmed. */
  g_assert_cmpuint (listed_accepted, ==, (500 + 18 - 1) * 3 + 60 * 2 + (6 + 4 - 4));
  g_assert_cmpuint (via_nfc, >, 0);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* UTF-8 in the test's messages. */
  setlocale (LC_ALL, "");

  load_list ();
  g_test_add_func ("/antragskiosk/din91379/list-present", test_list_present);
  g_test_add_func ("/antragskiosk/din91379/list-counts", test_list_counts);
  g_test_add_func ("/antragskiosk/din91379/letters", test_letters);
  g_test_add_func ("/antragskiosk/din91379/non-letters", test_non_letters);
  g_test_add_func ("/antragskiosk/din91379/extended-rejected", test_extended_rejected);
  g_test_add_func ("/antragskiosk/din91379/lone-marks", test_lone_marks);
  g_test_add_func ("/antragskiosk/din91379/sequence-combinations", test_sequence_combinations);
  g_test_add_func ("/antragskiosk/din91379/all-code-points", test_all_code_points);

  status = g_test_run ();

  g_clear_pointer (&by_text, g_hash_table_unref);
  g_clear_pointer (&entries, g_ptr_array_unref);
  g_clear_pointer (&list_error, g_free);
  return status;
}
