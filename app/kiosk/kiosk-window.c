/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-window.h"

struct _KioskWindow {
  GtkApplicationWindow  parent_instance;
  KioskCatalog         *catalog;
  GtkListBox           *form_list;
};

G_DEFINE_FINAL_TYPE (KioskWindow, kiosk_window, GTK_TYPE_APPLICATION_WINDOW)

static GtkWidget *
form_row_new (KioskForm *form)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *title = gtk_label_new (kiosk_text_get (form->title, NULL));
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_widget_add_css_class (title, "form-title");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_box_append (GTK_BOX (box), title);
  if (form->description != NULL)
    {
      GtkWidget *description = gtk_label_new (kiosk_text_get (form->description, NULL));
      gtk_label_set_xalign (GTK_LABEL (description), 0);
      gtk_label_set_wrap (GTK_LABEL (description), TRUE);
      gtk_widget_add_css_class (description, "form-description");
      gtk_box_append (GTK_BOX (box), description);
    }
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  kiosk_text_get (form->title, NULL), -1);
  return row;
}

static void
kiosk_window_populate (KioskWindow *self)
{
  GPtrArray *forms;

  if (self->catalog == NULL)
    return;
  forms = kiosk_catalog_get_forms (self->catalog);
  for (guint i = 0; i < forms->len; i++)
    gtk_list_box_append (self->form_list, form_row_new (g_ptr_array_index (forms, i)));
}

static void
kiosk_window_class_init (KioskWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/de/antragskiosk/kiosk/ui/kiosk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, form_list);
}

static void
kiosk_window_init (KioskWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

KioskWindow *
kiosk_window_new (GtkApplication *application,
                  KioskCatalog   *catalog)
{
  KioskWindow *self = g_object_new (KIOSK_TYPE_WINDOW, "application", application, NULL);

  self->catalog = catalog;
  kiosk_window_populate (self);
  return self;
}
