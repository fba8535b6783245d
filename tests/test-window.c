/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kiosk window under a real (headless X) display: it lists every
 * bundled form by its title, in the visitor's language. */
#include "config.h"

#include <gtk/gtk.h>

#include <antragskiosk/i18n.h>

#include "kiosk-window.h"

static GPtrArray *
row_titles (GtkWidget *widget)
{
  GPtrArray *titles = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *list = NULL;

  /* Find the list box of forms. */
  for (GtkWidget *w = widget; w != NULL;)
    {
      if (GTK_IS_LIST_BOX (w))
        {
          list = w;
          break;
        }
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          if (w != NULL)
            w = gtk_widget_get_next_sibling (w);
        }
    }
  g_assert_nonnull (list);
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
      GtkWidget *title = gtk_widget_get_first_child (box);
      g_ptr_array_add (titles, g_strdup (gtk_label_get_label (GTK_LABEL (title))));
    }
  return titles;
}

static void
test_lists_forms (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskCatalog) catalog = kiosk_catalog_new (NULL, &error);
  g_autoptr(GPtrArray) titles = NULL;
  GtkWidget *window;
  GPtrArray *forms;

  g_assert_no_error (error);
  kiosk_i18n_set_language ("en");
  window = GTK_WIDGET (kiosk_window_new (NULL, catalog));
  gtk_window_present (GTK_WINDOW (window));
  titles = row_titles (window);
  forms = kiosk_catalog_get_forms (catalog);
  g_assert_cmpuint (titles->len, ==, forms->len);
  g_assert_cmpuint (titles->len, >=, 5);
  for (guint i = 0; i < forms->len; i++)
    g_assert_cmpstr (g_ptr_array_index (titles, i), ==,
                     kiosk_text_get (((KioskForm *) g_ptr_array_index (forms, i))->title, "en"));
  gtk_window_destroy (GTK_WINDOW (window));
  kiosk_i18n_set_language ("de");
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  kiosk_i18n_init ();
  g_test_add_func ("/antragskiosk/window/lists-forms", test_lists_forms);
  return g_test_run ();
}
