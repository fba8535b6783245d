/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Renders every screen of the kiosk to PNG (build dir, tests/screens/)
 * in German, English, Arabic, Turkish and Ukrainian, at normal and largest text size and in
 * high contrast, for reviewers to look at. Fails when a screen is blank
 * or a widget's allocation reaches outside the window (content cut off;
 * what scrolls is allowed to). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "test-kiosk-util.h"
#include "kiosk-keyboard.h"

#include <antragskiosk/fim.h>

static char *screens_dir;

static gboolean
inside_scroller (GtkWidget *widget)
{
  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_VIEWPORT (w) || GTK_IS_SCROLLED_WINDOW (w) || GTK_IS_POPOVER (w))
      return TRUE;
  return FALSE;
}

typedef struct {
  GtkWidget *window;
  GString   *offender;   /* the first widget found cut off */
} CutOff;

static void
check_cut_off_cb (GtkWidget *widget, gpointer data)
{
  CutOff *check = data;
  GtkWidget *window = check->window;
  graphene_rect_t bounds;
  int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);

  if (!gtk_widget_get_mapped (widget) || inside_scroller (widget)
      || GTK_WIDGET (gtk_widget_get_native (widget)) != window)
    return;
  if (!gtk_widget_compute_bounds (widget, window, &bounds))
    return;
  if ((bounds.origin.x < -1 || bounds.origin.y < -1
       || bounds.origin.x + bounds.size.width > width + 1
       || bounds.origin.y + bounds.size.height > height + 1)
      && check->offender->len == 0)
    g_string_printf (check->offender, "%s (%s) is cut off: %.0f,%.0f %.0fx%.0f in a %dx%d window",
                     G_OBJECT_TYPE_NAME (widget), gtk_widget_get_css_name (widget), bounds.origin.x,
                     bounds.origin.y, bounds.size.width, bounds.size.height, width, height);
}

static void
wide_cb (GtkWidget *widget, gpointer data)
{
  int min = 0, nat = 0;

  if (!gtk_widget_get_visible (widget))
    return;
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (widget), &min, &nat, NULL, NULL);
  if (min > 800)
    g_test_message ("too tall: %s (%s) min %d", G_OBJECT_TYPE_NAME (widget), gtk_widget_get_css_name (widget), min);
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  if (min > 1280)
    g_test_message ("too wide: %s (%s) min %d, label \"%.40s\"", G_OBJECT_TYPE_NAME (widget),
                    gtk_widget_get_css_name (widget), min,
                    GTK_IS_LABEL (widget) ? gtk_label_get_label (GTK_LABEL (widget)) : "");
}

static void
render (KioskTestKiosk *kiosk, const char *name)
{
  GtkWidget *window = GTK_WIDGET (kiosk->window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree guchar *pixels = NULL;
  int width, height;
  GHashTable *colours;

  kiosk_test_wait_ms (150);
  /* The kiosk fills a 1280x800 screen: the content must fit in it.
   * (The headless X server without a window manager may hand the window
   * a few more pixels than asked; what counts is what it needs.) */
  {
    int min_width = 0, min_height = 0, nat = 0;
    gtk_widget_measure (window, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, &nat, NULL, NULL);
    gtk_widget_measure (window, GTK_ORIENTATION_VERTICAL, 1280, &min_height, &nat, NULL, NULL);
    if (min_width > 1280 || min_height > 800)
      {
        kiosk_test_walk (window, wide_cb, NULL);
        g_error ("screen %s needs %dx%d px, more than 1280x800", name, min_width, min_height);
      }
  }
  /* On a busy machine the first screen may not be mapped yet: give it up
   * to five seconds to draw anything at all. */
  for (int attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      if (attempt > 0)
        kiosk_test_wait_ms (100);
      width = gtk_widget_get_width (window);
      height = gtk_widget_get_height (window);
      if (!gtk_widget_get_mapped (window) || width <= 0 || height <= 0)
        continue;
      if (snapshot == NULL)
        snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  if (node == NULL)
    g_error ("screen %s draws nothing (not mapped or empty after 5 s)", name);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strdup_printf ("%s/%s.png", screens_dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, file));

  /* Blank: (almost) one colour. */
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  colours = g_hash_table_new (NULL, NULL);
  for (gsize i = 0; i < (gsize) width * height; i += 7)
    g_hash_table_add (colours, GUINT_TO_POINTER (((guint32 *) pixels)[i]));
  if (g_hash_table_size (colours) < 8)
    g_error ("screen %s is blank (%u colours)", name, g_hash_table_size (colours));
  g_hash_table_unref (colours);

  /* Cut off: checked once layout has settled; on a busy machine a widget
   * just shown may still carry its first, unplaced allocation, so a
   * finding counts only if it is still there after a second. */
  {
    CutOff check = { window, g_string_new (NULL) };

    for (int attempt = 0; attempt < 6; attempt++)
      {
        g_string_truncate (check.offender, 0);
        kiosk_test_walk (window, check_cut_off_cb, &check);
        if (check.offender->len == 0)
          break;
        kiosk_test_wait_ms (200);
      }
    if (check.offender->len > 0)
      g_error ("screen %s: %s", name, check.offender->str);
    g_string_free (check.offender, TRUE);
  }
}

/* The text layout for the surname (*-03-keyboard-text), then the
 * variants of "o" (the largest group) in place of the rows, as a long
 * press on the key opens them (*-03-keyboard-variants): the keyboard
 * keeps its height. */
static void
render_variants (KioskTestKiosk *kiosk, KioskKeyboard *keyboard, const char *name)
{
  g_autoptr(GPtrArray) fields = kiosk_wizard_get_fields (kiosk_window_get_wizard (kiosk->window));
  GtkWidget *key;
  g_autoptr(GListModel) controllers = NULL;
  g_autofree char *text_file = g_strconcat (name, "-text", NULL);
  g_autofree char *file = g_strconcat (name, "-variants", NULL);
  int height = gtk_widget_get_height (GTK_WIDGET (keyboard));

  /* The surname: letters. */
  for (guint i = 0; i < fields->len; i++)
    if (g_strcmp0 (kiosk_field_get_element (g_ptr_array_index (fields, i))->id, "familienname") == 0)
      gtk_widget_grab_focus (kiosk_field_get_input (g_ptr_array_index (fields, i)));
  kiosk_test_wait_ms (300);
  render (kiosk, text_file);
  key = kiosk_keyboard_get_key (keyboard, "o");
  g_assert_cmpint (kiosk_keyboard_get_layout (keyboard), ==, KIOSK_KEYBOARD_TEXT);
  g_assert_nonnull (key);
  controllers = gtk_widget_observe_controllers (key);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);
      if (GTK_IS_GESTURE_LONG_PRESS (controller))
        g_signal_emit_by_name (controller, "pressed", 10.0, 10.0);
    }
  g_assert_cmpstr (kiosk_keyboard_get_variants_key (keyboard), ==, "o");
  kiosk_test_wait_ms (200);
  render (kiosk, file);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (keyboard)), ==, height);
  /* Every key of the panel (34 letters, shift, back) is a 48 px target. */
  {
    GtkWidget *panel = gtk_widget_get_parent (gtk_widget_get_parent (kiosk_keyboard_get_key (keyboard, "ø")));
    guint keys = 0;

    for (GtkWidget *row = gtk_widget_get_first_child (panel); row != NULL; row = gtk_widget_get_next_sibling (row))
      for (GtkWidget *k = gtk_widget_get_first_child (row); k != NULL; k = gtk_widget_get_next_sibling (k))
        if (GTK_IS_BUTTON (k))
          {
            g_assert_cmpint (gtk_widget_get_width (k), >=, 48);
            g_assert_cmpint (gtk_widget_get_height (k), >=, 48);
            keys++;
          }
    g_assert_cmpuint (keys, ==, 36);
  }
  g_signal_emit_by_name (kiosk_keyboard_get_key (keyboard, g_dgettext (GETTEXT_PACKAGE, "Back")), "clicked");
  g_assert_null (kiosk_keyboard_get_variants_key (keyboard));
}

/* With the keyboard down, the lowest text field in view gets the focus
 * (as by a tap): the on-screen keyboard comes up, takes at most 40 % of
 * the height, and the field with its label is scrolled into the part of
 * the page left above it. */
static void
render_keyboard (KioskTestKiosk *kiosk, const char *name)
{
  KioskWizard *wizard = kiosk_window_get_wizard (kiosk->window);
  g_autoptr(GPtrArray) fields = kiosk_wizard_get_fields (wizard);
  GtkWidget *window = GTK_WIDGET (kiosk->window);
  GtkWidget *keyboard = GTK_WIDGET (kiosk_test_find_keyboard (kiosk)), *input = NULL, *label = NULL, *scroller = NULL;
  graphene_rect_t input_box, label_box, scroller_box, keyboard_box;

  kiosk_keyboard_dismiss (KIOSK_KEYBOARD (keyboard));
  kiosk_test_wait_ms (200);
  g_assert_false (gtk_widget_get_visible (keyboard));
  for (guint i = 0; i < fields->len; i++)
    {
      GtkWidget *candidate = kiosk_field_get_input (g_ptr_array_index (fields, i));
      if (!GTK_IS_EDITABLE (candidate))
        continue;
      scroller = gtk_widget_get_ancestor (candidate, GTK_TYPE_SCROLLED_WINDOW);
      g_assert_true (gtk_widget_compute_bounds (scroller, window, &scroller_box));
      g_assert_true (gtk_widget_compute_bounds (candidate, window, &input_box));
      if (input_box.origin.y + input_box.size.height <= scroller_box.origin.y + scroller_box.size.height)
        {
          input = candidate;
          label = gtk_widget_get_first_child (g_ptr_array_index (fields, i));
        }
    }
  g_assert_nonnull (input);
  gtk_widget_grab_focus (input);
  kiosk_test_wait_ms (300);
  render (kiosk, name);
  g_assert_true (gtk_widget_get_visible (keyboard));
  g_assert_true (gtk_widget_compute_bounds (keyboard, window, &keyboard_box));
  g_assert_true (gtk_widget_compute_bounds (scroller, window, &scroller_box));
  g_assert_true (gtk_widget_compute_bounds (input, window, &input_box));
  g_assert_true (gtk_widget_compute_bounds (label, window, &label_box));
  g_assert_cmpfloat (keyboard_box.size.height, <=, 0.4 * gtk_widget_get_height (window));
  g_assert_cmpfloat (scroller_box.origin.y + scroller_box.size.height, <=, keyboard_box.origin.y);
  g_assert_cmpfloat (label_box.origin.y, >=, scroller_box.origin.y);
  g_assert_cmpfloat (input_box.origin.y + input_box.size.height, <=, scroller_box.origin.y + scroller_box.size.height);
  render_variants (kiosk, KIOSK_KEYBOARD (keyboard), name);
  kiosk_keyboard_dismiss (KIOSK_KEYBOARD (keyboard));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), 0);
  kiosk_test_pump ();
}

static void
render_all (const char *lang, guint text_size, gboolean contrast)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *answers = kiosk_test_load_answers ("hundesteuer", &parser);
  const char *mode = contrast ? "contrast" : text_size == 0 ? "normal" : "largest";
  KioskWizard *wizard;
  guint page = 0;
  char name[128];

  for (guint i = 0; i < text_size; i++)
    kiosk_test_activate (kiosk, "kiosk.text-size", NULL);
  if (contrast)
    kiosk_test_activate (kiosk, "kiosk.high-contrast", NULL);
  g_snprintf (name, sizeof name, "%s-%s-01-welcome", lang, mode);
  render (kiosk, name);
  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string (lang));
  g_snprintf (name, sizeof name, "%s-%s-02-catalog", lang, mode);
  render (kiosk, name);
  kiosk_test_activate (kiosk, "kiosk.help", NULL);
  g_snprintf (name, sizeof name, "%s-%s-02-help", lang, mode);
  render (kiosk, name);
  kiosk_test_activate (kiosk, "kiosk.help", NULL);
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string ("hundesteuer"));
  wizard = kiosk_window_get_wizard (kiosk->window);
  kiosk_test_activate (kiosk, "wizard.next", NULL);
  g_snprintf (name, sizeof name, "%s-%s-03-errors", lang, mode);
  render (kiosk, name);
  g_snprintf (name, sizeof name, "%s-%s-03-keyboard", lang, mode);
  render_keyboard (kiosk, name);
  while (g_str_has_prefix (kiosk_wizard_get_position (wizard), "page:"))
    {
      kiosk_test_fill_page (kiosk, answers);
      g_snprintf (name, sizeof name, "%s-%s-04-page-%u", lang, mode, ++page);
      render (kiosk, name);
      kiosk_test_activate (kiosk, "wizard.next", NULL);
    }
  g_snprintf (name, sizeof name, "%s-%s-05-review", lang, mode);
  render (kiosk, name);
  kiosk_test_activate (kiosk, "wizard.next", NULL);
  g_snprintf (name, sizeof name, "%s-%s-06-consent", lang, mode);
  render (kiosk, name);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (kiosk_test_find_css (GTK_WIDGET (wizard), "consent")), TRUE);
  kiosk_test_activate (kiosk, "wizard.next", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "receipt");
  g_snprintf (name, sizeof name, "%s-%s-07-receipt", lang, mode);
  render (kiosk, name);
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string ("hundesteuer"));
  kiosk_window_set_idle_timeout (kiosk->window, 60000, 59900);
  kiosk_test_wait_ms (400);
  g_assert_true (kiosk_window_get_idle_warning (kiosk->window));
  g_snprintf (name, sizeof name, "%s-%s-08-idle-warning", lang, mode);
  render (kiosk, name);
  kiosk_test_activate (kiosk, "kiosk.more-time", NULL);
  kiosk_test_activate (kiosk, "kiosk.cancel", NULL);
  g_snprintf (name, sizeof name, "%s-%s-09-cancel", lang, mode);
  render (kiosk, name);
  kiosk_test_activate (kiosk, "kiosk.cancel-confirm", NULL);
  kiosk_test_kiosk_free (kiosk);
}

static void
test_render (gconstpointer data)
{
  const char *spec = data;   /* "lang:size:contrast" */
  g_auto(GStrv) parts = g_strsplit (spec, ":", 3);

  render_all (parts[0], (guint) g_ascii_strtoull (parts[1], NULL, 10), g_strcmp0 (parts[2], "1") == 0);
}

static void
test_out_of_service (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskCatalog) catalog = kiosk_catalog_new (NULL, &error);
  KioskTestKiosk kiosk = { 0 };

  g_test_expect_message ("antragskiosk-window", G_LOG_LEVEL_WARNING, "No form can be taken*");
  kiosk.window = kiosk_window_new (NULL, catalog, NULL, NULL);
  g_test_assert_expected_messages ();
  gtk_window_set_default_size (GTK_WINDOW (kiosk.window), 1280, 800);
  gtk_window_present (GTK_WINDOW (kiosk.window));
  render (&kiosk, "de-normal-00-out-of-service");
  gtk_window_destroy (GTK_WINDOW (kiosk.window));
}

/* A form imported from FIM XDatenfelder (docs/fim.md): the XDF 2 and
 * XDF 3 test schemas and two published XDF 2 Stammdatenschemata
 * (tests/data/fim/published/README.md), imported as antragskiosk-ctl
 * import-fim does, put into a forms directory and shown by the kiosk — the
 * first page of each, empty and with the errors Next shows, normal and
 * largest text. */
static void
test_fim (void)
{
  const char *files[] = { "xdf2-gewerbe.xml", "xdf3-hundesteuer.xml",
                          "published/escalon-glykon/examples/2.0/bewohnerparken/S05000058V1.0_xdf2.xml",
                          "published/escalon-glykon/examples/2.0/gewerbeanmeldung/S00000009_xdatenfelder.xml" };
  g_autofree char *codelists = g_test_build_filename (G_TEST_DIST, "data", "fim", "codelists", NULL);
  g_autofree char *published_lists = g_test_build_filename (G_TEST_DIST, "data", "fim", "published", "escalon-glykon",
                                                            "examples", "2.0", "bewohnerparken", NULL);
  g_autoptr(KioskFimCodeLists) lists = kiosk_fim_code_lists_new ();
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("render-fim-XXXXXX", NULL);
  KioskFimOptions options = { lists, "99001001000000", "de" };
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (kiosk_fim_code_lists_add_dir (lists, codelists, problems, &error));
  g_assert_no_error (error);
  /* the folder also holds S05000058 itself: one problem line, the six lists added */
  g_assert_true (kiosk_fim_code_lists_add_dir (lists, published_lists, problems, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *xdf = g_test_build_filename (G_TEST_DIST, "data", "fim", files[i], NULL);
      g_autoptr(KioskFimResult) result = kiosk_fim_import_file (xdf, &options, &error);
      g_autofree char *json = NULL;
      g_autofree char *path = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (result->fields, >, 0);
      json = g_strconcat (result->form_id, ".json", NULL);
      path = g_build_filename (dir, json, NULL);
      g_assert_true (g_file_set_contents (path, result->form_json, -1, NULL));
      g_ptr_array_add (ids, g_strdup (result->form_id));
    }

  for (guint size = 0; size <= 2; size += 2)
    {
      KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
      g_autoptr(KioskCatalog) catalog = kiosk_catalog_new (dir, &error);

      g_assert_no_error (error);
      kiosk_window_set_catalog (kiosk->window, catalog);
      for (guint i = 0; i < size; i++)
        kiosk_test_activate (kiosk, "kiosk.text-size", NULL);
      kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("de"));
      for (guint f = 0; f < ids->len; f++)
        {
          const char *id = g_ptr_array_index (ids, f);
          KioskWizard *wizard;
          char name[160];

          kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string (id));
          wizard = kiosk_window_get_wizard (kiosk->window);
          g_assert_nonnull (wizard);
          g_snprintf (name, sizeof name, "de-%s-10-fim-%s-page-1", size == 0 ? "normal" : "largest", id);
          render (kiosk, name);
          kiosk_test_activate (kiosk, "wizard.next", NULL);
          g_snprintf (name, sizeof name, "de-%s-10-fim-%s-errors", size == 0 ? "normal" : "largest", id);
          render (kiosk, name);
          kiosk_test_activate (kiosk, "kiosk.cancel", NULL);
          kiosk_test_activate (kiosk, "kiosk.cancel-confirm", NULL);
        }
      kiosk_window_set_catalog (kiosk->window, kiosk->catalog);
      kiosk_test_kiosk_free (kiosk);
    }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *json = g_strconcat (g_ptr_array_index (ids, i), ".json", NULL);
      g_autofree char *path = g_build_filename (dir, json, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  const char *specs[] = { "de:0:0", "de:2:0", "de:0:1", "en:0:0", "en:2:0", "en:0:1", "ar:0:0", "ar:2:0", "ar:0:1",
                          "tr:0:0", "tr:2:0", "tr:0:1", "uk:0:0", "uk:2:0", "uk:0:1" };

  /* No accessibility bus for widget tests: parallel tests would share
   * (and race for) one; tests/test_kiosk_atspi.py covers AT-SPI. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  kiosk_i18n_init ();
  screens_dir = g_test_build_filename (G_TEST_BUILT, "screens", NULL);
  g_mkdir_with_parents (screens_dir, 0755);
  g_test_add_func ("/antragskiosk/kiosk-render/out-of-service", test_out_of_service);
  g_test_add_func ("/antragskiosk/kiosk-render/fim", test_fim);
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/antragskiosk/kiosk-render/%s", specs[i]);
      for (char *p = path; *p; p++)
        if (*p == ':')
          *p = '-';
      g_test_add_data_func (path, specs[i], test_render);
    }
  return g_test_run ();
}
