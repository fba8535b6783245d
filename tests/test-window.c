/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kiosk window under a real (headless X) display: the catalog lists
 * every bundled form by its title in the visitor's language, Arabic turns
 * the layout right-to-left, a broken setup shows the out-of-service
 * screen, and the kiosk refuses to close. */
#include "config.h"

#include "test-kiosk-util.h"
#include "kiosk-keyboard.h"

static void
collect_tiles_cb (GtkWidget *widget, gpointer data)
{
  if (gtk_widget_has_css_class (widget, "tile"))
    g_ptr_array_add (data, widget);
}

static void
test_lists_forms (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  g_autoptr(GPtrArray) tiles = g_ptr_array_new ();
  GPtrArray *forms = kiosk_catalog_get_forms (kiosk->catalog);
  GtkWidget *search;

  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "welcome");
  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("en"));
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "catalog");
  kiosk_test_walk (GTK_WIDGET (kiosk->window), collect_tiles_cb, tiles);
  g_assert_cmpuint (tiles->len, ==, forms->len);
  g_assert_cmpuint (tiles->len, >=, 5);
  for (guint i = 0; i < forms->len; i++)
    {
      GtkWidget *box = gtk_button_get_child (GTK_BUTTON (g_ptr_array_index (tiles, i)));
      GtkWidget *title = gtk_widget_get_first_child (box);
      g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (title)), ==,
                       kiosk_text_get (((KioskForm *) g_ptr_array_index (forms, i))->title, "en"));
    }
  /* The search narrows the tiles down. */
  search = kiosk_test_find_css (GTK_WIDGET (kiosk->window), "search");
  g_assert_nonnull (search);
  gtk_editable_set_text (GTK_EDITABLE (search), "dog");
  kiosk_test_wait_ms (400);
  g_ptr_array_set_size (tiles, 0);
  kiosk_test_walk (GTK_WIDGET (kiosk->window), collect_tiles_cb, tiles);
  g_assert_cmpuint (tiles->len, ==, 1);
  kiosk_test_kiosk_free (kiosk);
}

static GtkWidget *
tile_for (KioskTestKiosk *kiosk, const char *title)
{
  g_autoptr(GPtrArray) tiles = g_ptr_array_new ();

  kiosk_test_walk (GTK_WIDGET (kiosk->window), collect_tiles_cb, tiles);
  for (guint i = 0; i < tiles->len; i++)
    {
      GtkWidget *box = gtk_button_get_child (GTK_BUTTON (g_ptr_array_index (tiles, i)));
      if (g_strcmp0 (gtk_label_get_label (GTK_LABEL (gtk_widget_get_first_child (box))), title) == 0)
        return g_ptr_array_index (tiles, i);
    }
  return NULL;
}

/* A form without a usable destination key can be shown "out of service"
 * on its tile: still listed, with the reason, but not to be started. */
static void
test_form_unavailable (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  KioskCatalogPage *page = kiosk_window_get_catalog_page (kiosk->window);
  KioskForm *form = kiosk_catalog_lookup (kiosk->catalog, "hundesteuer");
  const char *title;
  GtkWidget *tile;

  g_assert_nonnull (form);
  title = kiosk_text_get (form->title, "en");
  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("en"));
  g_assert_true (kiosk_catalog_page_get_form_available (page, "hundesteuer"));
  g_assert_false (kiosk_catalog_page_get_form_available (page, "no-such-form"));
  kiosk_catalog_page_set_form_available (page, "hundesteuer", FALSE, "No valid key for the tax office");
  kiosk_test_pump ();
  g_assert_false (kiosk_catalog_page_get_form_available (page, "hundesteuer"));
  tile = tile_for (kiosk, title);
  g_assert_nonnull (tile);
  g_assert_false (gtk_widget_get_sensitive (tile));
  g_assert_nonnull (kiosk_test_find_css (tile, "form-unavailable"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (kiosk_test_find_css (tile, "form-unavailable"))), ==,
                   "No valid key for the tax office");
  /* Its action would not start it either. */
  g_assert_null (gtk_actionable_get_action_name (GTK_ACTIONABLE (tile)));
  kiosk_catalog_page_set_form_available (page, "hundesteuer", TRUE, NULL);
  kiosk_test_pump ();
  tile = tile_for (kiosk, title);
  g_assert_true (gtk_widget_get_sensitive (tile));
  g_assert_null (kiosk_test_find_css (tile, "form-unavailable"));
  g_signal_emit_by_name (tile, "clicked");
  kiosk_test_pump ();
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "wizard");
  kiosk_test_kiosk_free (kiosk);
}

/* A destination configured with its id and trust anchor only (issue #14):
 * until its key has been fetched and verified, its form is shown as out of
 * service, the others are offered; a sync pass that learnt nothing new
 * logs nothing again. */
static void
test_destination_without_key (void)
{
  KioskTestKiosk *kiosk;
  KioskForm *form;
  GtkWidget *tile;
  KioskSyncStatus status = { 0 };

  g_test_expect_message ("antragskiosk-submission", G_LOG_LEVEL_WARNING, "*\xe2\x80\x9csteuer\xe2\x80\x9d cannot be used*");
  g_test_expect_message ("antragskiosk-window", G_LOG_LEVEL_WARNING, "Form hundesteuer is out of service*");
  kiosk = kiosk_test_kiosk_new ("[destination steuer]\n"
                                "destination_id=0b8ff2e0-3b1f-4f57-9a85-6a6c9a4a1c11\n"
                                "trust_anchor=resource:///de/antragskiosk/demo/demo-root-ca.pem\n"
                                "forms=hundesteuer\n");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "welcome");
  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("en"));
  form = kiosk_catalog_lookup (kiosk->catalog, "hundesteuer");
  tile = tile_for (kiosk, kiosk_text_get (form->title, "en"));
  g_assert_nonnull (tile);
  g_assert_false (gtk_widget_get_sensitive (tile));
  g_assert_nonnull (kiosk_test_find_css (tile, "form-unavailable"));
  /* the visitor is told "out of service", never the technical reason */
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (kiosk_test_find_css (tile, "form-unavailable"))), ==,
                   "Out of service \xe2\x80\x93 please ask at the counter");
  form = kiosk_catalog_lookup (kiosk->catalog, "wohnberechtigungsschein");
  tile = tile_for (kiosk, kiosk_text_get (form->title, "en"));
  g_assert_true (gtk_widget_get_sensitive (tile));
  /* after a pass (between visitors) the same state: checked again, not logged again */
  kiosk_test_activate (kiosk, "kiosk.cancel", NULL);
  kiosk_window_set_sync_status (kiosk->window, &status);
  kiosk_test_pump ();
  g_assert_false (kiosk_catalog_page_get_form_available (kiosk_window_get_catalog_page (kiosk->window),
                                                         "hundesteuer"));
  g_assert_true (kiosk_catalog_page_get_form_available (kiosk_window_get_catalog_page (kiosk->window),
                                                        "gewerbeanmeldung"));
  kiosk_test_kiosk_free (kiosk);
}

static void
test_arabic_rtl (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);

  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("ar"));
  g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (kiosk->window)), ==, GTK_TEXT_DIR_RTL);
  g_assert_cmpstr (kiosk_i18n_get_language (), ==, "ar");
  kiosk_test_activate (kiosk, "kiosk.cancel", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "welcome");
  g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (kiosk->window)), ==, GTK_TEXT_DIR_LTR);
  kiosk_test_kiosk_free (kiosk);
}

static void
test_out_of_service (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskCatalog) catalog = kiosk_catalog_new (NULL, &error);
  KioskWindow *window;

  g_test_expect_message ("antragskiosk-window", G_LOG_LEVEL_WARNING, "No form can be taken*");
  window = kiosk_window_new (NULL, catalog, NULL, NULL);
  g_test_assert_expected_messages ();
  gtk_window_present (GTK_WINDOW (window));
  kiosk_test_pump ();
  g_assert_cmpstr (kiosk_window_get_screen (window), ==, "out-of-service");
  g_assert_cmpuint (kiosk_window_count_forms (window), ==, 0);
  g_assert_nonnull (kiosk_test_find_css (GTK_WIDGET (window), "out-of-service"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_broken_key_out_of_service (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskCatalog) catalog = kiosk_catalog_new (NULL, &error);
  g_autofree char *dir = g_dir_make_tmp ("kiosk-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kiosk.conf", NULL);
  g_autofree char *text = g_strdup_printf ("[kiosk]\nid=test\ndata_dir=%s\n[destination demo]\n"
                                           "destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
                                           "key_file=%s/missing.jwk\n"
                                           "trust_anchor=resource:///de/antragskiosk/demo/demo-root-ca.pem\n"
                                           "forms=*\n", dir, dir);
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  KioskWindow *window;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  config = kiosk_config_load (path, NULL, &error);
  g_assert_no_error (error);
  queue = kiosk_queue_open (config->data_dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_test_expect_message ("antragskiosk-submission", G_LOG_LEVEL_WARNING, "*cannot be used*");
  g_test_expect_message ("antragskiosk-window", G_LOG_LEVEL_WARNING, "Form * is out of service*");
  g_test_expect_message ("antragskiosk-window", G_LOG_LEVEL_WARNING, "Form * is out of service*");
  g_test_expect_message ("antragskiosk-window", G_LOG_LEVEL_WARNING, "Form * is out of service*");
  g_test_expect_message ("antragskiosk-window", G_LOG_LEVEL_WARNING, "Form * is out of service*");
  g_test_expect_message ("antragskiosk-window", G_LOG_LEVEL_WARNING, "Form * is out of service*");
  g_test_expect_message ("antragskiosk-window", G_LOG_LEVEL_WARNING, "No form can be taken*");
  window = kiosk_window_new (NULL, catalog, config, queue);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (kiosk_window_get_screen (window), ==, "out-of-service");
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_pointer (&queue, kiosk_queue_close);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        g_unlink (file);
      }
  }
  g_rmdir (dir);
}

static void
test_refuses_close (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  gboolean closed = FALSE;

  kiosk_window_set_windowed (kiosk->window, FALSE);
  g_test_expect_message ("antragskiosk-window", G_LOG_LEVEL_MESSAGE, "Close request ignored*");
  gtk_window_close (GTK_WINDOW (kiosk->window));
  g_test_assert_expected_messages ();
  kiosk_test_pump ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (kiosk->window)));
  /* The desktop's keyboard ways out: /antragskiosk/window/shortcuts-capture. */
  (void) closed;
  kiosk_window_set_windowed (kiosk->window, TRUE);
  kiosk_test_kiosk_free (kiosk);
}

static void
test_text_size_and_contrast (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  GtkWidget *window = GTK_WIDGET (kiosk->window);

  g_assert_true (gtk_widget_has_css_class (window, "text-normal"));
  kiosk_test_activate (kiosk, "kiosk.text-size", NULL);
  g_assert_true (gtk_widget_has_css_class (window, "text-large"));
  kiosk_test_activate (kiosk, "kiosk.text-size", NULL);
  g_assert_true (gtk_widget_has_css_class (window, "text-largest"));
  g_assert_false (gtk_widget_has_css_class (window, "text-normal"));
  kiosk_test_activate (kiosk, "kiosk.text-size", NULL);
  g_assert_true (gtk_widget_has_css_class (window, "text-normal"));
  kiosk_test_activate (kiosk, "kiosk.high-contrast", NULL);
  g_assert_true (gtk_widget_has_css_class (window, "high-contrast"));
  kiosk_test_activate (kiosk, "kiosk.high-contrast", NULL);
  g_assert_false (gtk_widget_has_css_class (window, "high-contrast"));
  kiosk_test_kiosk_free (kiosk);
}

static void
check_target_cb (GtkWidget *widget, gpointer data)
{
  guint *checked = data;

  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_DROP_DOWN (widget)
      || GTK_IS_ENTRY (widget) || GTK_IS_SEARCH_ENTRY (widget))
    {
      int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
      if (w < 48 || h < 48)
        g_error ("%s (%s in %s, \"%s\") is %d x %d px, less than 48 x 48", G_OBJECT_TYPE_NAME (widget),
                 gtk_widget_get_css_name (widget), G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)),
                 GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) ? gtk_button_get_label (GTK_BUTTON (widget)) : "",
                 w, h);
      (*checked)++;
    }
}

static void
assert_touch_targets (KioskTestKiosk *kiosk, guint minimum)
{
  guint checked = 0;

  kiosk_test_wait_ms (200);
  kiosk_test_walk (GTK_WIDGET (kiosk->window), check_target_cb, &checked);
  g_assert_cmpuint (checked, >=, minimum);
}

/* Every control of the welcome screen, the catalog and each page of a
 * form is at least 48 px square as laid out. */
static void
test_touch_targets (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  KioskWizard *wizard;
  KioskForm *form;

  assert_touch_targets (kiosk, 7);
  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("de"));
  assert_touch_targets (kiosk, 8);
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string ("hundesteuer"));
  wizard = kiosk_window_get_wizard (kiosk->window);
  form = kiosk_wizard_get_form (wizard);
  for (guint i = 0; i < form->pages->len; i++)
    {
      kiosk_test_activate (kiosk, "wizard.goto-page", g_variant_new_int32 (i));
      assert_touch_targets (kiosk, 5);
    }
  kiosk_test_kiosk_free (kiosk);
}

static void
press (KioskKeyboard *keyboard, const char *label)
{
  GtkWidget *key = kiosk_keyboard_get_key (keyboard, label);

  if (key == NULL)
    g_error ("no key %s", label);
  g_signal_emit_by_name (key, "clicked");
  kiosk_test_pump ();
}

/* The on-screen keyboard types into the focused field through GTK, with
 * the layout the field asks for, and stays below the field. */
static void
test_keyboard (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  KioskKeyboard *keyboard = kiosk_test_find_keyboard (kiosk);
  KioskWizard *wizard;
  KioskField *name, *postcode;
  GtkWidget *entry;
  graphene_rect_t field_bounds, keyboard_bounds;

  g_assert_nonnull (keyboard);
  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("de"));
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string ("hundesteuer"));
  wizard = kiosk_window_get_wizard (kiosk->window);
  name = kiosk_test_field_by_id (wizard, "familienname");
  entry = kiosk_field_get_input (name);
  gtk_widget_grab_focus (entry);
  kiosk_test_pump ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (keyboard)));
  g_assert_cmpint (kiosk_keyboard_get_layout (keyboard), ==, KIOSK_KEYBOARD_TEXT);
  press (keyboard, "⇧");
  press (keyboard, "M");   /* the keys show capitals after shift */
  press (keyboard, "ü");
  press (keyboard, "l");
  press (keyboard, "l");
  press (keyboard, "e");
  press (keyboard, "r");
  press (keyboard, "x");
  press (keyboard, "⌫");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Müller");
  g_assert_cmpstr (kiosk_answers_get_value (kiosk_wizard_get_answers (wizard), kiosk_field_get_element (name), NULL, 0),
                   ==, "Müller");
  /* Not covering the field being edited. */
  kiosk_test_wait_ms (100);
  g_assert_true (gtk_widget_compute_bounds (entry, GTK_WIDGET (kiosk->window), &field_bounds));
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (keyboard), GTK_WIDGET (kiosk->window), &keyboard_bounds));
  g_assert_cmpfloat (field_bounds.origin.y + field_bounds.size.height, <=, keyboard_bounds.origin.y);

  postcode = kiosk_test_field_by_id (wizard, "plz");
  g_assert_nonnull (postcode);
  gtk_widget_grab_focus (kiosk_field_get_input (postcode));
  kiosk_test_pump ();
  g_assert_cmpint (kiosk_keyboard_get_layout (keyboard), ==, KIOSK_KEYBOARD_NUMERIC);
  press (keyboard, "0");
  press (keyboard, "4");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (kiosk_field_get_input (postcode))), ==, "04");
  kiosk_test_kiosk_free (kiosk);
}

static void
test_keyboard_off (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new ("onscreen_keyboard=false\n");
  KioskKeyboard *keyboard = kiosk_test_find_keyboard (kiosk);

  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("de"));
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string ("hundesteuer"));
  gtk_widget_grab_focus (kiosk_field_get_input (kiosk_test_field_by_id (kiosk_window_get_wizard (kiosk->window), "familienname")));
  kiosk_test_pump ();
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (keyboard)));
  kiosk_test_kiosk_free (kiosk);
}

/* A real key press through the X server (XTEST), with the pointer over
 * the window so that it has the keyboard (no window manager here). */
static void
x_key (KioskTestKiosk *kiosk, const char *key)
{
  const char *argv[] = { "xdotool", "mousemove", "200", "200", "key", key, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  kiosk_test_wait_ms (300);
}

static void
find_search_cb (GtkWidget *widget, gpointer data)
{
  GtkWidget **found = data;

  if (*found == NULL && GTK_IS_SEARCH_ENTRY (widget) && gtk_widget_get_mapped (widget))
    *found = widget;
}

/* The kiosk's own keys win over the focused widget: Escape closes the
 * on-screen keyboard even in the search field (which would take Escape
 * to empty itself) and answers the cancel question with "No" while a
 * field of the form has the focus; Ctrl+W, Ctrl+Q and F11 do nothing. */
static void
test_shortcuts_capture (void)
{
  KioskTestKiosk *kiosk = NULL;
  KioskKeyboard *keyboard;
  GtkWidget *search = NULL;
  GtkWidget *question;
  KioskWizard *wizard;

  if (g_getenv ("DISPLAY") == NULL || g_find_program_in_path ("xdotool") == NULL)
    {
      g_test_skip ("needs an X display and xdotool");
      return;
    }
  kiosk = kiosk_test_kiosk_new (NULL);
  keyboard = kiosk_test_find_keyboard (kiosk);
  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("de"));
  kiosk_test_walk (GTK_WIDGET (kiosk->window), find_search_cb, &search);
  g_assert_nonnull (search);
  gtk_widget_grab_focus (search);
  gtk_editable_set_text (GTK_EDITABLE (search), "Hund");
  kiosk_test_pump ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (keyboard)));
  x_key (kiosk, "Escape");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (keyboard)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search)), ==, "Hund");
  gtk_editable_set_text (GTK_EDITABLE (search), "");

  /* The cancel question, the focus in a field of the form. */
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string ("hundesteuer"));
  wizard = kiosk_window_get_wizard (kiosk->window);
  kiosk_test_activate (kiosk, "kiosk.cancel", NULL);
  question = kiosk_test_find_css (GTK_WIDGET (kiosk->window), "dialog-card");
  g_assert_nonnull (question);
  gtk_widget_grab_focus (kiosk_field_get_input (kiosk_test_field_by_id (wizard, "familienname")));
  kiosk_test_pump ();
  x_key (kiosk, "Escape");
  g_assert_false (gtk_widget_get_visible (question));
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "wizard");
  g_assert_true (kiosk_window_get_wizard (kiosk->window) == wizard);

  /* The blocked ways out, the focus in a field: nothing happens. */
  gtk_widget_grab_focus (kiosk_field_get_input (kiosk_test_field_by_id (wizard, "familienname")));
  kiosk_test_pump ();
  x_key (kiosk, "ctrl+w");
  x_key (kiosk, "F11");
  x_key (kiosk, "ctrl+q");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (kiosk->window)));
  g_assert_false (gtk_window_is_fullscreen (GTK_WINDOW (kiosk->window)));
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "wizard");
  kiosk_test_kiosk_free (kiosk);
}

/* A copy of a bundled form under another id and title, as IT staff drop
 * one into the forms directory. */
static void
write_form_copy (const char *path,
                 const char *id,
                 const char *title)
{
  const char *root = g_getenv ("ANTRAGSKIOSK_SOURCE_ROOT");
  g_autofree char *source = g_build_filename (root != NULL ? root : "..", "resources", "forms",
                                              "meldebescheinigung.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_strconcat (path, ".part", NULL);
  JsonObject *form;

  g_assert_true (json_parser_load_from_file (parser, source, &error));
  form = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (form, "id", id);
  json_object_set_string_member (json_object_get_object_member (form, "title"), "de", title);
  json_object_set_string_member (json_object_get_object_member (form, "title"), "en", title);
  json_generator_set_root (generator, json_parser_get_root (parser));
  /* Written as a copy tool does: another name first, then renamed. */
  g_assert_true (json_generator_to_file (generator, tmp, &error));
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
}

static gboolean
wait_for_forms (KioskTestKiosk *kiosk, guint count, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (kiosk_window_count_forms (kiosk->window) == count)
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  return kiosk_window_count_forms (kiosk->window) == count;
}

/* Form updates while the kiosk runs: a new file is offered once it has
 * settled, never in the middle of a visitor's session; a broken update
 * keeps the last good version; a removed file withdraws the form. */
static void
test_forms_reload (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *forms_dir = g_dir_make_tmp ("kiosk-forms-XXXXXX", &error);
  g_autofree char *extra = g_strdup_printf ("forms_dir=%s\nonscreen_keyboard=false\n", forms_dir);
  g_autofree char *first = g_build_filename (forms_dir, "erster.json", NULL);
  g_autofree char *second = g_build_filename (forms_dir, "zweiter.json", NULL);
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (extra);
  guint bundled = kiosk_window_count_forms (kiosk->window);

  g_assert_cmpuint (bundled, >=, 4);
  kiosk_window_watch_forms (kiosk->window);

  write_form_copy (first, "testneu-eins", "Neuer Testantrag");
  g_assert_true (wait_for_forms (kiosk, bundled + 1, 15000));
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "welcome");

  /* A visitor is choosing: the update waits for the end of the session. */
  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("de"));
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "catalog");
  write_form_copy (second, "testneu-zwei", "Zweiter Testantrag");
  g_assert_false (wait_for_forms (kiosk, bundled + 2, 5000));
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "catalog");
  kiosk_window_wipe (kiosk->window);
  g_assert_true (wait_for_forms (kiosk, bundled + 2, 15000));

  /* A broken update: the last good version stays in service. */
  g_test_expect_message ("antragskiosk-form", G_LOG_LEVEL_WARNING, "*erster.json is broken; its last good version*");
  g_assert_true (g_file_set_contents (first, "{\"id\": \"testneu-eins\", ", -1, NULL));
  g_assert_false (wait_for_forms (kiosk, bundled + 1, 6000));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (kiosk_window_count_forms (kiosk->window), ==, bundled + 2);

  /* Withdrawn. */
  g_unlink (second);
  g_unlink (first);
  g_assert_true (wait_for_forms (kiosk, bundled, 15000));

  kiosk_test_kiosk_free (kiosk);
  g_rmdir (forms_dir);
}

int
main (int argc, char **argv)
{
  /* No accessibility bus for widget tests: parallel tests would share
   * (and race for) one; tests/test_kiosk_atspi.py covers AT-SPI. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  kiosk_i18n_init ();
  g_test_add_func ("/antragskiosk/window/lists-forms", test_lists_forms);
  g_test_add_func ("/antragskiosk/window/form-unavailable", test_form_unavailable);
  g_test_add_func ("/antragskiosk/window/destination-without-key", test_destination_without_key);
  g_test_add_func ("/antragskiosk/window/arabic-rtl", test_arabic_rtl);
  g_test_add_func ("/antragskiosk/window/out-of-service", test_out_of_service);
  g_test_add_func ("/antragskiosk/window/broken-key-out-of-service", test_broken_key_out_of_service);
  g_test_add_func ("/antragskiosk/window/refuses-close", test_refuses_close);
  g_test_add_func ("/antragskiosk/window/text-size-and-contrast", test_text_size_and_contrast);
  g_test_add_func ("/antragskiosk/window/touch-targets", test_touch_targets);
  g_test_add_func ("/antragskiosk/window/keyboard", test_keyboard);
  g_test_add_func ("/antragskiosk/window/keyboard-off", test_keyboard_off);
  g_test_add_func ("/antragskiosk/window/shortcuts-capture", test_shortcuts_capture);
  g_test_add_func ("/antragskiosk/window/forms-reload", test_forms_reload);
  return g_test_run ();
}
