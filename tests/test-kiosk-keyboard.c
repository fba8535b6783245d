/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test-keyboard"

/* The on-screen keyboard reaches every name of DIN 91379 data type A.
 *
 * The list is tests/data/din91379/latin_list_1.3.txt (read through
 * G_TEST_SRCDIR; source and licence in the README beside it): the letters
 * (group bll, 500 characters and 149 sequences) and the non-letters N1
 * (group bnlreq). The tests never read the keyboard's tables to decide
 * what to press: like a visitor they look at the keys' labels, tap keys
 * (the "clicked" of the key buttons) and hold them (the "pressed" of the
 * key's long-press gesture, as GTK emits it when a finger stays down),
 * and count the touches. The shift key is counted apart: case is the
 * existing shift's business. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "test-kiosk-util.h"
#include "kiosk-keyboard.h"
#include "kiosk-keyboard-letters.h"

typedef struct {
  char    *text;
  gboolean letter;     /* bll; otherwise N1 */
} Entry;

static GPtrArray *entries;        /* of Entry, in list order */
static GHashTable *by_text;       /* text -> Entry */

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_free (e->text);
  g_free (e);
}

static void
load_list (void)
{
  const char *dir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  if (dir == NULL || *dir == '\0')
    g_error ("G_TEST_SRCDIR must name the tests/ directory of the source tree (meson test sets it)");
  path = g_build_filename (dir, "data", "din91379", "latin_list_1.3.txt", NULL);
  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_error ("cannot read the DIN 91379 list %s: %s", path, error->message);
  entries = g_ptr_array_new_with_free_func (entry_free);
  by_text = g_hash_table_new (g_str_hash, g_str_equal);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "; ", 4);
      g_auto(GStrv) cps = NULL;
      GString *text;
      Entry *e;

      if (g_strv_length (fields) < 4)
        continue;
      if (!g_str_equal (fields[0], "bll") && !g_str_equal (fields[0], "bnlreq"))
        continue;
      text = g_string_new (NULL);
      cps = g_strsplit (fields[2], " ", -1);
      for (guint k = 0; cps[k] != NULL; k++)
        g_string_append_unichar (text, (gunichar) g_ascii_strtoull (cps[k], NULL, 16));
      e = g_new0 (Entry, 1);
      e->text = g_string_free (text, FALSE);
      e->letter = g_str_equal (fields[0], "bll");
      g_ptr_array_add (entries, e);
      g_hash_table_insert (by_text, e->text, e);
    }
  /* The published counts: 649 letters (500 + 149), 18 non-letters N1. */
  g_assert_cmpuint (entries->len, ==, 649 + 18);
}

/* ---- the keyboard as a visitor sees it ---- */

static void
visible_keys_cb (GtkWidget *widget, gpointer data)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_is_visible (widget)
      && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    g_ptr_array_add (data, widget);
}

/* The keys on screen now (the rows, or the open variants panel). */
static GPtrArray *
visible_keys (KioskKeyboard *keyboard)
{
  GPtrArray *keys = g_ptr_array_new ();

  kiosk_test_walk (GTK_WIDGET (keyboard), visible_keys_cb, keys);
  return keys;
}

static GtkWidget *
visible_key (KioskKeyboard *keyboard, const char *label)
{
  g_autoptr(GPtrArray) keys = visible_keys (keyboard);

  for (guint i = 0; i < keys->len; i++)
    if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (keys, i)), label) == 0)
      return g_ptr_array_index (keys, i);
  return NULL;
}

static void
tap (GtkWidget *key)
{
  g_assert_nonnull (key);
  g_signal_emit_by_name (key, "clicked");
}

static GtkGesture *
long_press_of (GtkWidget *key)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (key);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);
      if (GTK_IS_GESTURE_LONG_PRESS (controller))
        return GTK_GESTURE (controller);
    }
  return NULL;
}

/* A finger held on @key until its long press fires. */
static void
hold (GtkWidget *key)
{
  GtkGesture *gesture = long_press_of (key);

  g_assert_nonnull (gesture);
  g_signal_emit_by_name (gesture, "pressed", gtk_widget_get_width (key) / 2.0,
                         gtk_widget_get_height (key) / 2.0);
}

/* How a visitor reaches one character: with or without shift, on the
 * rows (@hold NULL) or in the panel that holding the key labelled @hold
 * opens. */
typedef struct {
  gboolean shift;
  char    *hold;
  guint    touches;   /* without shift */
} Way;

static void
way_free (gpointer data)
{
  Way *way = data;

  g_free (way->hold);
  g_free (way);
}

static const char *
space_label (void)
{
  return g_dgettext (GETTEXT_PACKAGE, "Space");
}

/* What a key types, read from its label: the space key says "Space" in
 * the visitor's language. */
static const char *
typed_by_label (const char *label)
{
  return g_strcmp0 (label, space_label ()) == 0 ? " " : label;
}

static void
learn (GHashTable *ways, const char *typed, gboolean shift, const char *held)
{
  Way *way = g_hash_table_lookup (ways, typed);
  guint touches = held != NULL ? 2 : 1;

  if (way != NULL && (way->touches < touches || (way->touches == touches && !way->shift)))
    return;
  way = g_new0 (Way, 1);
  way->shift = shift;
  way->hold = g_strdup (held);
  way->touches = touches;
  g_hash_table_insert (ways, g_strdup (typed), way);
}

static void
set_shift (KioskKeyboard *keyboard, gboolean shift, guint *shift_touches)
{
  if (kiosk_keyboard_get_shift (keyboard) != shift)
    {
      tap (visible_key (keyboard, "⇧"));
      if (shift_touches != NULL)
        (*shift_touches)++;
    }
  g_assert_true (kiosk_keyboard_get_shift (keyboard) == shift);
}

/* Looks at every key of the rows, with and without shift, and holds
 * every key that can be held to look into its panel: text -> Way. */
static GHashTable *
explore (KioskKeyboard *keyboard)
{
  GHashTable *ways = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, way_free);

  for (int shift = 0; shift < 2; shift++)
    {
      g_autoptr(GPtrArray) keys = NULL;
      g_autoptr(GPtrArray) holdable = g_ptr_array_new_with_free_func (g_free);

      g_assert_null (kiosk_keyboard_get_variants_key (keyboard));
      set_shift (keyboard, shift, NULL);
      keys = visible_keys (keyboard);
      for (guint i = 0; i < keys->len; i++)
        {
          const char *label = gtk_button_get_label (g_ptr_array_index (keys, i));
          learn (ways, typed_by_label (label), shift, NULL);
          if (long_press_of (g_ptr_array_index (keys, i)) != NULL)
            g_ptr_array_add (holdable, g_strdup (label));
        }
      for (guint i = 0; i < holdable->len; i++)
        {
          const char *held = g_ptr_array_index (holdable, i);
          g_autoptr(GPtrArray) variants = NULL;

          hold (visible_key (keyboard, held));
          g_assert_nonnull (kiosk_keyboard_get_variants_key (keyboard));
          variants = visible_keys (keyboard);
          for (guint k = 0; k < variants->len; k++)
            {
              GtkWidget *key = g_ptr_array_index (variants, k);
              const char *name = g_object_get_data (G_OBJECT (key), "kiosk-name");
              const char *label = gtk_button_get_label (GTK_BUTTON (key));

              if (name == NULL)
                continue;   /* shift, back */
              /* Each variant key is named for a screen reader. */
              g_assert_cmpstr (name, !=, "");
              if (strstr (name, "U+") != NULL)
                g_error ("the key %s is named \"%s\"", label, name);
              learn (ways, label, shift, held);
            }
          tap (visible_key (keyboard, g_dgettext (GETTEXT_PACKAGE, "Back")));
          g_assert_null (kiosk_keyboard_get_variants_key (keyboard));
          g_assert_true (kiosk_keyboard_get_shift (keyboard) == shift);
        }
    }
  set_shift (keyboard, FALSE, NULL);
  return ways;
}

/* ---- a kiosk with the surname field of a real form focused ---- */

static KioskField *
open_surname (KioskTestKiosk *kiosk, const char *lang)
{
  KioskWizard *wizard;
  KioskField *field;

  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string (lang));
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string ("hundesteuer"));
  wizard = kiosk_window_get_wizard (kiosk->window);
  field = kiosk_test_field_by_id (wizard, "familienname");
  g_assert_nonnull (field);
  gtk_widget_grab_focus (kiosk_field_get_input (field));
  kiosk_test_pump ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (kiosk_test_find_keyboard (kiosk))));
  g_assert_cmpint (kiosk_keyboard_get_layout (kiosk_test_find_keyboard (kiosk)), ==, KIOSK_KEYBOARD_TEXT);
  return field;
}

/* ---- the names ---- */

/* Splits @name into DIN 91379 characters, longest listed match first
 * (a sequence such as "L̥̄" is one). */
static GPtrArray *
tokens_of (const char *name)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);
  const char *p = name;

  while (*p != '\0')
    {
      const char *end = NULL;
      const char *q = p;

      for (int n = 0; n < 3 && *q != '\0'; n++)
        {
          g_autofree char *candidate = NULL;
          q = g_utf8_next_char (q);
          candidate = g_strndup (p, q - p);
          if (g_hash_table_contains (by_text, candidate))
            end = q;
        }
      if (end == NULL)
        g_error ("“%s” holds U+%04X, which DIN 91379 type A does not list", name, g_utf8_get_char (p));
      g_ptr_array_add (tokens, g_strndup (p, end - p));
      p = end;
    }
  return tokens;
}

/* 64 names: six real ones, and 58 made of the list, deterministically:
 * eleven letters each, every 10th letter of the list in turn (10 and 649
 * are coprime, so the 638 letters are all different), with one non-letter
 * of N1 after the fourth letter, the 18 in turn. */
static GPtrArray *
make_names (void)
{
  static const char *const real[] = { "Yılmaz", "Şahin", "Łukasiewicz", "Zoë", "Núñez", "O’Brien" };
  g_autoptr(GPtrArray) letters = g_ptr_array_new ();
  g_autoptr(GPtrArray) others = g_ptr_array_new ();
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  guint position = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);
      g_ptr_array_add (e->letter ? letters : others, e->text);
    }
  g_assert_cmpuint (letters->len, ==, 649);
  g_assert_cmpuint (others->len, ==, 18);
  for (guint i = 0; i < G_N_ELEMENTS (real); i++)
    g_ptr_array_add (names, g_strdup (real[i]));
  for (guint k = 0; k < 58; k++)
    {
      GString *name = g_string_new (NULL);
      for (guint j = 0; j < 11; j++)
        {
          g_string_append (name, g_ptr_array_index (letters, (position++ * 10) % letters->len));
          if (j == 3)
            g_string_append (name, g_ptr_array_index (others, k % others->len));
        }
      g_ptr_array_add (names, g_string_free (name, FALSE));
    }
  return names;
}

typedef struct {
  guint max_touches;            /* without shift */
  guint max_with_shift;
  GHashTable *two_touches;      /* distinct characters that needed 2 */
  GHashTable *typed;            /* distinct characters typed */
  guint characters;
  guint touches;
} Stats;

/* Types @name into @input by touching keys only; checks after each
 * character that exactly it arrived and the keyboard is back in its
 * normal state. */
static void
type_name (KioskKeyboard *keyboard, GHashTable *ways, GtkWidget *input, const char *name, Stats *stats)
{
  g_autoptr(GPtrArray) tokens = tokens_of (name);
  GString *expected = g_string_new (NULL);

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, "");
  for (guint i = 0; i < tokens->len; i++)
    {
      const char *token = g_ptr_array_index (tokens, i);
      Way *way = g_hash_table_lookup (ways, token);
      guint touches = 0, shift_touches = 0;

      if (way == NULL)
        g_error ("no key types U+%04X (in “%s”)", g_utf8_get_char (token), name);
      set_shift (keyboard, way->shift, &shift_touches);
      if (way->hold != NULL)
        {
          hold (visible_key (keyboard, way->hold));
          touches++;
          g_assert_nonnull (kiosk_keyboard_get_variants_key (keyboard));
        }
      tap (visible_key (keyboard, g_strcmp0 (token, " ") == 0 ? space_label () : token));
      touches++;
      g_string_append (expected, token);
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, expected->str);
      g_assert_null (kiosk_keyboard_get_variants_key (keyboard));
      set_shift (keyboard, FALSE, NULL);

      g_assert_cmpuint (touches, <=, 2);
      g_assert_cmpuint (touches + shift_touches, <=, 3);
      stats->max_touches = MAX (stats->max_touches, touches);
      stats->max_with_shift = MAX (stats->max_with_shift, touches + shift_touches);
      stats->characters++;
      stats->touches += touches + shift_touches;
      g_hash_table_add (stats->typed, g_strdup (token));
      if (touches == 2)
        g_hash_table_add (stats->two_touches, g_strdup (token));
    }
  g_string_free (expected, TRUE);
}

/* Empties the field with the delete key, as a visitor would. */
static void
erase (KioskKeyboard *keyboard, GtkWidget *input)
{
  for (glong n = g_utf8_strlen (gtk_editable_get_text (GTK_EDITABLE (input)), -1); n > 0; n--)
    tap (visible_key (keyboard, "⌫"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, "");
}

/* 64 names typed into the surname field of a real form in the kiosk
 * window by touching the keyboard's keys: each arrives exactly, in NFC,
 * in the field and in the answers; no character takes more than two
 * touches (plus shift for the other case). */
static void
test_type_names (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  KioskField *field = open_surname (kiosk, "de");
  KioskKeyboard *keyboard = kiosk_test_find_keyboard (kiosk);
  GtkWidget *input = kiosk_field_get_input (field);
  KioskWizard *wizard = kiosk_window_get_wizard (kiosk->window);
  g_autoptr(GHashTable) ways = explore (keyboard);
  g_autoptr(GPtrArray) names = make_names ();
  Stats stats = { 0 };

  g_assert_cmpuint (names->len, ==, 64);
  stats.two_touches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  stats.typed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *nfc = g_utf8_normalize (name, -1, G_NORMALIZE_NFC);

      g_assert_cmpstr (name, ==, nfc);
      type_name (keyboard, ways, input, name, &stats);
      kiosk_test_pump ();
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, nfc);
      g_assert_cmpstr (kiosk_answers_get_value (kiosk_wizard_get_answers (wizard), kiosk_field_get_element (field), NULL, 0),
                       ==, nfc);
      erase (keyboard, input);
    }
  g_test_message ("typed %u characters (%u different) with %u touches; at most %u touches a character "
                  "(%u with shift); %u different characters took 2",
                  stats.characters, g_hash_table_size (stats.typed), stats.touches, stats.max_touches,
                  stats.max_with_shift, g_hash_table_size (stats.two_touches));
  g_assert_cmpuint (stats.max_touches, ==, 2);
  /* The six real names and the 638 letters of the list. */
  g_assert_cmpuint (g_hash_table_size (stats.typed), >=, 638);
  g_hash_table_unref (stats.two_touches);
  g_hash_table_unref (stats.typed);
  kiosk_test_kiosk_free (kiosk);
}

/* Every letter and every N1 non-letter of the list is on a key or in the
 * panel of a held key, with or without shift: at most two touches; and
 * the keyboard offers nothing for a name beyond type A (the digits of the
 * top row aside). Then the tables themselves: each letter in one place. */
static void
test_complete (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  KioskKeyboard *keyboard;
  g_autoptr(GHashTable) ways = NULL;
  g_autoptr(GHashTable) placed = g_hash_table_new (g_str_hash, g_str_equal);
  const GPtrArray *groups = _kiosk_keyboard_groups ();
  guint one = 0, two = 0, letters_two = 0;
  GHashTableIter iter;
  gpointer key, value;

  open_surname (kiosk, "de");
  keyboard = kiosk_test_find_keyboard (kiosk);
  ways = explore (keyboard);
  /* A name as Unicode gives it (LATIN SMALL LETTER O WITH STROKE AND ACUTE). */
  hold (visible_key (keyboard, "o"));
  g_assert_cmpstr (g_object_get_data (G_OBJECT (visible_key (keyboard, "ǿ")), "kiosk-name"), ==,
                   "o with stroke and acute");
  tap (visible_key (keyboard, g_dgettext (GETTEXT_PACKAGE, "Back")));
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);
      Way *way = g_hash_table_lookup (ways, e->text);

      if (way == NULL)
        g_error ("U+%04X (%s) cannot be typed", g_utf8_get_char (e->text), e->text);
      g_assert_cmpuint (way->touches, <=, 2);
      if (way->touches == 1)
        one++;
      else
        {
          two++;
          if (e->letter)
            letters_two++;
        }
    }
  g_test_message ("%u characters of type A: %u in one touch, %u in two (%u letters)",
                  entries->len, one, two, letters_two);
  g_hash_table_iter_init (&iter, ways);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (by_text, key)
        && !(g_utf8_strlen (key, -1) == 1 && g_ascii_isdigit (*(const char *) key)))
      {
        /* The function keys (shift, delete, next field, done) type no
         * character of their own. */
        const char *label = key;
        if (g_str_equal (label, "⇧") || g_str_equal (label, "⌫")
            || g_str_equal (label, g_dgettext (GETTEXT_PACKAGE, "Next field"))
            || g_str_equal (label, g_dgettext (GETTEXT_PACKAGE, "Done")))
          continue;
        g_error ("the keyboard offers “%s”, which is no DIN 91379 type A character", label);
      }

  /* The tables: every variant is listed, and no letter is in two places. */
  g_assert_cmpuint (groups->len, >, 20);
  for (guint g = 0; g < groups->len; g++)
    {
      const _KioskKeyGroup *group = g_ptr_array_index (groups, g);
      g_assert_true (_kiosk_keyboard_group_for_key (group->key) == group);
      g_assert_cmpuint (group->variants->len, <=, 48);
      for (guint v = 0; v < group->variants->len; v++)
        {
          const _KioskKeyVariant *variant = g_ptr_array_index (group->variants, v);
          const char *forms[] = { variant->lower, variant->upper };
          for (guint f = 0; f < G_N_ELEMENTS (forms); f++)
            {
              if (!g_hash_table_contains (by_text, forms[f]))
                g_error ("the key %s offers %s, which is not listed", group->key, forms[f]);
              if (f == 1 && g_str_equal (forms[1], forms[0]))
                continue;
              if (g_hash_table_contains (placed, forms[f]))
                g_error ("%s is in two places", forms[f]);
              g_hash_table_add (placed, (gpointer) forms[f]);
            }
        }
    }
  /* Examples of the hand-made table and of decomposition. */
  g_assert_cmpstr (_kiosk_keyboard_base_of ("ß"), ==, "s");
  g_assert_cmpstr (_kiosk_keyboard_base_of ("Ł"), ==, "l");
  g_assert_cmpstr (_kiosk_keyboard_base_of ("ǯ"), ==, "z");
  g_assert_cmpstr (_kiosk_keyboard_base_of ("İ"), ==, "i");
  g_assert_cmpstr (_kiosk_keyboard_base_of ("Ǿ"), ==, "o");
  g_assert_cmpstr (_kiosk_keyboard_base_of ("L̥̄"), ==, "l");
  kiosk_test_kiosk_free (kiosk);
}

/* The keys' labels follow the visitor's language; the letters stay Latin. */
static void
test_labels_follow_language (void)
{
  const struct { const char *lang, *space, *done; } expect[] = {
    { "de", "Leerzeichen", "Fertig" },
    { "tr", "Boşluk", "Tamam" },
    { "uk", "Пробіл", "Готово" },
    { "ar", "مسافة", "تم" },
    { "en", "Space", "Done" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
      KioskField *field = open_surname (kiosk, expect[i].lang);
      KioskKeyboard *keyboard = kiosk_test_find_keyboard (kiosk);
      GtkWidget *input = kiosk_field_get_input (field);
      GtkWidget *q;
      graphene_rect_t q_box, p_box;

      g_assert_nonnull (visible_key (keyboard, expect[i].done));
      g_assert_nonnull (visible_key (keyboard, expect[i].space));
      /* QWERTZ from left to right also in Arabic. */
      q = visible_key (keyboard, "q");
      g_assert_true (gtk_widget_compute_bounds (q, GTK_WIDGET (keyboard), &q_box));
      g_assert_true (gtk_widget_compute_bounds (visible_key (keyboard, "p"), GTK_WIDGET (keyboard), &p_box));
      g_assert_cmpfloat (q_box.origin.x, <, p_box.origin.x);
      tap (visible_key (keyboard, "⇧"));
      tap (visible_key (keyboard, "I"));
      hold (visible_key (keyboard, "i"));
      tap (visible_key (keyboard, "ı"));
      /* The rows were made anew by shift: look again. */
      tap (visible_key (keyboard, expect[i].space));
      hold (visible_key (keyboard, "’"));
      tap (visible_key (keyboard, "'"));
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, "Iı '");
      /* Done closes the keyboard. */
      tap (visible_key (keyboard, expect[i].done));
      kiosk_test_pump ();
      g_assert_false (gtk_widget_get_visible (GTK_WIDGET (keyboard)));
      kiosk_test_kiosk_free (kiosk);
    }
}

/* A real finger through the X server (XTEST): held on "n" for a second,
 * the panel opens and nothing is typed on release; a tap on "ñ" types it
 * and closes the panel. */
static void
xdotool (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
pointer_to (KioskTestKiosk *kiosk, GtkWidget *key)
{
  graphene_point_t centre;
  g_autofree char *x = NULL, *y = NULL;
  double dx = 0, dy = 0;

  gtk_native_get_surface_transform (GTK_NATIVE (kiosk->window), &dx, &dy);
  g_assert_true (gtk_widget_compute_point (key, GTK_WIDGET (kiosk->window),
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (key) / 2.0,
                                                                 gtk_widget_get_height (key) / 2.0),
                                           &centre));
  x = g_strdup_printf ("%d", (int) (centre.x + dx));
  y = g_strdup_printf ("%d", (int) (centre.y + dy));
  {
    const char *argv[] = { "xdotool", "mousemove", x, y, NULL };
    xdotool (argv);
  }
  kiosk_test_wait_ms (100);
}

static void
test_real_long_press (void)
{
  KioskTestKiosk *kiosk;
  KioskKeyboard *keyboard;
  GtkWidget *input;

  if (g_getenv ("DISPLAY") == NULL || g_find_program_in_path ("xdotool") == NULL)
    {
      g_test_skip ("needs an X display and xdotool");
      return;
    }
  kiosk = kiosk_test_kiosk_new (NULL);
  input = kiosk_field_get_input (open_surname (kiosk, "de"));
  keyboard = kiosk_test_find_keyboard (kiosk);
  kiosk_test_wait_ms (300);
  pointer_to (kiosk, visible_key (keyboard, "n"));
  {
    const char *down[] = { "xdotool", "mousedown", "1", NULL };
    const char *up[] = { "xdotool", "mouseup", "1", NULL };
    xdotool (down);
    kiosk_test_wait_ms (1500);
    xdotool (up);
    kiosk_test_wait_ms (300);
  }
  g_assert_cmpstr (kiosk_keyboard_get_variants_key (keyboard), ==, "n");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, "");
  pointer_to (kiosk, visible_key (keyboard, "ñ"));
  {
    const char *click[] = { "xdotool", "click", "1", NULL };
    xdotool (click);
    kiosk_test_wait_ms (300);
  }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, "ñ");
  g_assert_null (kiosk_keyboard_get_variants_key (keyboard));
  /* A short tap on "n" types it. */
  pointer_to (kiosk, visible_key (keyboard, "n"));
  {
    const char *click[] = { "xdotool", "click", "1", NULL };
    xdotool (click);
    kiosk_test_wait_ms (300);
  }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, "ñn");
  kiosk_test_kiosk_free (kiosk);
}

int
main (int argc, char **argv)
{
  /* No accessibility bus for widget tests: parallel tests would share
   * (and race for) one; tests/test_kiosk_atspi.py covers AT-SPI. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  kiosk_i18n_init ();
  load_list ();
  g_test_add_func ("/antragskiosk/kiosk-keyboard/complete", test_complete);
  g_test_add_func ("/antragskiosk/kiosk-keyboard/type-names", test_type_names);
  g_test_add_func ("/antragskiosk/kiosk-keyboard/labels-follow-language", test_labels_follow_language);
  g_test_add_func ("/antragskiosk/kiosk-keyboard/real-long-press", test_real_long_press);
  return g_test_run ();
}
