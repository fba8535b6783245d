/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk"

#include "config.h"

#include <glib/gi18n.h>

#include <antragskiosk/form.h>

#include "kiosk-application.h"
#include "kiosk-window.h"

struct _KioskApplication {
  GtkApplication  parent_instance;
  KioskCatalog   *catalog;
  gboolean        windowed;
};

G_DEFINE_FINAL_TYPE (KioskApplication, kiosk_application, GTK_TYPE_APPLICATION)

static void
kiosk_application_activate (GApplication *application)
{
  KioskApplication *self = KIOSK_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GError) error = NULL;

  /* Single instance: a second start only raises the existing window. */
  if (window == NULL)
    {
      g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (css, "/de/antragskiosk/kiosk/resources/style.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      self->catalog = kiosk_catalog_new (NULL, &error);
      if (self->catalog == NULL)
        g_warning ("The bundled forms cannot be loaded: %s", error->message);
      window = GTK_WINDOW (kiosk_window_new (GTK_APPLICATION (self), self->catalog));
      if (!self->windowed)
        gtk_window_fullscreen (window);
    }
  gtk_window_present (window);
}

static int
kiosk_application_handle_local_options (GApplication *application,
                                        GVariantDict *options)
{
  KioskApplication *self = KIOSK_APPLICATION (application);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("antragskiosk %s\n", PACKAGE_VERSION);
      return 0;
    }
  self->windowed = g_variant_dict_contains (options, "windowed");
  return -1;
}

static void
kiosk_application_finalize (GObject *object)
{
  KioskApplication *self = KIOSK_APPLICATION (object);

  g_clear_pointer (&self->catalog, kiosk_catalog_free);
  G_OBJECT_CLASS (kiosk_application_parent_class)->finalize (object);
}

static void
kiosk_application_class_init (KioskApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = kiosk_application_finalize;
  application_class->activate = kiosk_application_activate;
  application_class->handle_local_options = kiosk_application_handle_local_options;
}

static void
kiosk_application_init (KioskApplication *self)
{
  const GOptionEntry entries[] = {
    { "windowed", 0, 0, G_OPTION_ARG_NONE, NULL, "Run in a normal window (development)", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, "Show the version", NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

KioskApplication *
kiosk_application_new (void)
{
  return g_object_new (KIOSK_TYPE_APPLICATION,
                       "application-id", "de.antragskiosk.Kiosk",
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}
