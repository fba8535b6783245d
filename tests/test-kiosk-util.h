/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the kiosk's widget tests: a temporary configuration (demo
 * destination key, queue in a temporary directory), walking the widget
 * tree, and filling the wizard from tests/data/answers/<id>.json. */
#pragma once

#include <string.h>
#include <gtk/gtk.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/config.h>
#include <antragskiosk/i18n.h>
#include <antragskiosk/queue.h>

#include "kiosk-keyboard.h"
#include "kiosk-window.h"

typedef struct {
  char         *dir;
  KioskConfig  *config;
  KioskQueue   *queue;
  KioskCatalog *catalog;
  KioskWindow  *window;
} KioskTestKiosk;

static inline void
kiosk_test_pump (void)
{
  gint64 end = g_get_monotonic_time () + 50 * 1000;

  while (g_get_monotonic_time () < end)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static inline void
kiosk_test_wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static inline KioskTestKiosk *
kiosk_test_kiosk_new (const char *extra_config)
{
  KioskTestKiosk *kiosk = g_new0 (KioskTestKiosk, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  kiosk->dir = g_dir_make_tmp ("kiosk-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (kiosk->dir, "kiosk.conf", NULL);
  text = g_strdup_printf ("[kiosk]\nid=test\nlocation=Testamt\ndata_dir=%s\n%s\n"
                          "[destination demo]\n"
                          "destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
                          "key_file=resource:///de/antragskiosk/demo/demo-destination.jwk\n"
                          "trust_anchor=resource:///de/antragskiosk/demo/demo-root-ca.pem\n"
                          "forms=*\n",
                          kiosk->dir, extra_config != NULL ? extra_config : "");
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  kiosk->config = kiosk_config_load (path, NULL, &error);
  g_assert_no_error (error);
  kiosk->queue = kiosk_queue_open (kiosk->config->data_dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  kiosk->catalog = kiosk_catalog_new (NULL, &error);
  g_assert_no_error (error);
  kiosk->window = kiosk_window_new (NULL, kiosk->catalog, kiosk->config, kiosk->queue);
  kiosk_window_set_windowed (kiosk->window, TRUE);
  gtk_window_set_default_size (GTK_WINDOW (kiosk->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (kiosk->window));
  kiosk_test_pump ();
  return kiosk;
}

static inline void
kiosk_test_kiosk_free (KioskTestKiosk *kiosk)
{
  gtk_window_destroy (GTK_WINDOW (kiosk->window));
  kiosk_test_pump ();
  kiosk_queue_close (kiosk->queue);
  kiosk_catalog_free (kiosk->catalog);
  kiosk_config_free (kiosk->config);
  {
    g_autoptr(GDir) dir = g_dir_open (kiosk->dir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *file = g_build_filename (kiosk->dir, name, NULL);
        g_unlink (file);
      }
  }
  g_rmdir (kiosk->dir);
  g_free (kiosk->dir);
  g_free (kiosk);
  kiosk_i18n_set_language ("de");
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);
}

/* Depth first: calls @func on every descendant of @widget. */
static inline void
kiosk_test_walk (GtkWidget *widget, void (*func) (GtkWidget *, gpointer), gpointer data)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      func (child, data);
      kiosk_test_walk (child, func, data);
    }
}

static void
find_css_cb (GtkWidget *widget, gpointer data)
{
  gpointer *args = data;

  if (args[1] == NULL && gtk_widget_has_css_class (widget, args[0]) && gtk_widget_get_mapped (widget))
    args[1] = widget;
}

/* The first mapped descendant with CSS class @name. */
static inline GtkWidget *
kiosk_test_find_css (GtkWidget *widget, const char *name)
{
  gpointer args[2] = { (gpointer) name, NULL };

  kiosk_test_walk (widget, find_css_cb, args);
  return args[1];
}

static inline void
kiosk_test_activate (KioskTestKiosk *kiosk, const char *action, GVariant *target)
{
  GtkWidget *widget = GTK_WIDGET (kiosk->window);
  KioskWizard *wizard = kiosk_window_get_wizard (kiosk->window);

  if (g_str_has_prefix (action, "wizard.") && wizard != NULL)
    widget = GTK_WIDGET (wizard);
  else if (g_str_has_prefix (action, "clerk.") && kiosk_window_get_clerk_panel (kiosk->window) != NULL)
    widget = GTK_WIDGET (kiosk_window_get_clerk_panel (kiosk->window));
  g_assert_true (gtk_widget_activate_action_variant (widget, action, target));
  kiosk_test_pump ();
}

static inline JsonObject *
kiosk_test_load_answers (const char *form_id, JsonParser **parser)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strconcat (form_id, ".json", NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "answers", file, NULL);

  *parser = json_parser_new ();
  json_parser_load_from_file (*parser, path, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (*parser));
}

/* The answer for @element in @instance from the test file, or NULL. */
static inline JsonNode *
kiosk_test_answer_for (JsonObject *answers, const KioskElement *element, guint instance)
{
  if (element->scope != NULL)
    {
      JsonArray *array;
      JsonObject *object;
      if (!json_object_has_member (answers, element->scope->id) || instance == KIOSK_FIELD_NO_INSTANCE)
        return NULL;
      array = json_object_get_array_member (answers, element->scope->id);
      if (instance >= json_array_get_length (array))
        return NULL;
      object = json_array_get_object_element (array, instance);
      return json_object_has_member (object, element->id) ? json_object_get_member (object, element->id) : NULL;
    }
  return json_object_has_member (answers, element->id) ? json_object_get_member (answers, element->id) : NULL;
}

static inline char *
kiosk_test_node_text (JsonNode *node)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING: return g_strdup (json_node_get_string (node));
    case G_TYPE_BOOLEAN: return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_INT64: return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE: return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
    default: return NULL;
    }
}

/* Puts @text into the field's input widget as a visitor would. */
static inline void
kiosk_test_set_field (KioskField *field, const char *text)
{
  GtkWidget *input = kiosk_field_get_input (field);
  const KioskElement *element = kiosk_field_get_element (field);

  if (GTK_IS_EDITABLE (input))
    gtk_editable_set_text (GTK_EDITABLE (input), text);
  else if (GTK_IS_TEXT_VIEW (input))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (input)), text, -1);
  else if (GTK_IS_DROP_DOWN (input))
    {
      for (guint i = 0; i < element->code_list->codes->len; i++)
        if (g_strcmp0 (((KioskCode *) g_ptr_array_index (element->code_list->codes, i))->code, text) == 0)
          gtk_drop_down_set_selected (GTK_DROP_DOWN (input), i + 1);
    }
  else if (GTK_IS_CHECK_BUTTON (input))
    {
      gboolean on = g_strcmp0 (text, "true") == 0;
      gtk_check_button_set_active (GTK_CHECK_BUTTON (input), !on);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (input), on);
    }
  else if (GTK_IS_FLOW_BOX (input))
    {
      for (GtkWidget *child = gtk_widget_get_first_child (input); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          GtkWidget *toggle = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
          if (g_strcmp0 (g_object_get_data (G_OBJECT (toggle), "kiosk-code"), text) == 0)
            gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
        }
    }
}

/* Fills the page shown from @answers: adds group instances as needed,
 * then sets every visible field (again, as fields appear). */
static inline void
kiosk_test_fill_page (KioskTestKiosk *kiosk, JsonObject *answers)
{
  KioskWizard *wizard = kiosk_window_get_wizard (kiosk->window);
  KioskForm *form = kiosk_wizard_get_form (wizard);

  for (guint i = 0; i < form->elements->len; i++)
    {
      const KioskElement *element = g_ptr_array_index (form->elements, i);
      GtkWidget *add;
      guint wanted;

      if (!kiosk_element_is_repeatable (element) || !json_object_has_member (answers, element->id))
        continue;
      add = kiosk_wizard_get_add_button (wizard, element->id);
      if (add == NULL)
        continue;
      wanted = json_array_get_length (json_object_get_array_member (answers, element->id));
      while (kiosk_answers_count_instances (kiosk_wizard_get_answers (wizard), element) < wanted)
        {
          add = kiosk_wizard_get_add_button (wizard, element->id);
          g_assert_true (gtk_widget_get_sensitive (add));
          g_signal_emit_by_name (add, "clicked");
          kiosk_test_pump ();
        }
    }
  for (int pass = 0; pass < 3; pass++)
    {
      g_autoptr(GPtrArray) fields = kiosk_wizard_get_fields (wizard);
      for (guint i = 0; i < fields->len; i++)
        {
          KioskField *field = g_ptr_array_index (fields, i);
          JsonNode *node = kiosk_test_answer_for (answers, kiosk_field_get_element (field),
                                                  kiosk_field_get_instance (field));
          g_autofree char *text = node != NULL ? kiosk_test_node_text (node) : NULL;
          if (text != NULL && gtk_widget_get_visible (GTK_WIDGET (field)))
            kiosk_test_set_field (field, text);
        }
      kiosk_test_pump ();
    }
}

static void
count_errors_cb (GtkWidget *widget, gpointer data)
{
  if (KIOSK_IS_FIELD (widget) && kiosk_field_get_error (KIOSK_FIELD (widget)) != NULL
      && gtk_widget_get_mapped (widget))
    (*(guint *) data)++;
}

static inline guint
kiosk_test_count_errors (KioskTestKiosk *kiosk)
{
  guint n = 0;

  kiosk_test_walk (GTK_WIDGET (kiosk->window), count_errors_cb, &n);
  return n;
}

static void
find_keyboard_cb (GtkWidget *widget, gpointer data)
{
  if (*(GtkWidget **) data == NULL && KIOSK_IS_KEYBOARD (widget))
    *(GtkWidget **) data = widget;
}

/* The window's on-screen keyboard (there is always one). */
static inline KioskKeyboard *
kiosk_test_find_keyboard (KioskTestKiosk *kiosk)
{
  GtkWidget *keyboard = NULL;

  kiosk_test_walk (GTK_WIDGET (kiosk->window), find_keyboard_cb, &keyboard);
  g_assert_nonnull (keyboard);
  return KIOSK_KEYBOARD (keyboard);
}

/* The field of element @id on the wizard's page (the first instance), or
 * NULL. */
static inline KioskField *
kiosk_test_field_by_id (KioskWizard *wizard, const char *id)
{
  g_autoptr(GPtrArray) fields = kiosk_wizard_get_fields (wizard);

  for (guint i = 0; i < fields->len; i++)
    if (g_strcmp0 (kiosk_field_get_element (g_ptr_array_index (fields, i))->id, id) == 0)
      return g_ptr_array_index (fields, i);
  return NULL;
}
