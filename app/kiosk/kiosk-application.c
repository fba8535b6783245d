/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-application"

#include "config.h"

#include <glib/gi18n.h>

#include <antragskiosk/config.h>
#include <antragskiosk/form.h>
#include <antragskiosk/log.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/sync.h>

#include "kiosk-application.h"
#include "kiosk-window.h"

struct _KioskApplication {
  GtkApplication  parent_instance;
  KioskCatalog   *catalog;
  KioskConfig    *config;
  KioskQueue     *queue;
  KioskSyncWorker *sync_worker;
  gboolean        windowed;
};

G_DEFINE_FINAL_TYPE (KioskApplication, kiosk_application, GTK_TYPE_APPLICATION)

static void
sync_status_cb (const KioskSyncStatus *status,
                gpointer               user_data)
{
  KioskApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window != NULL)
    kiosk_window_set_sync_status (KIOSK_WINDOW (window), status);
}

static void
kiosk_application_activate (GApplication *application)
{
  KioskApplication *self = KIOSK_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GError) error = NULL;

  /* Single instance: a second start only raises the existing window. */
  if (window == NULL)
    {
      /* Any failure here ends in the out-of-service screen, never a crash. */
      self->config = kiosk_config_load (NULL, NULL, &error);
      if (self->config == NULL)
        g_warning ("The configuration cannot be used: %s", error->message);
      g_clear_error (&error);
      if (self->config != NULL)
        {
          kiosk_log_set_kiosk_id (self->config->kiosk_id);
          self->catalog = kiosk_catalog_new_for_config (self->config, TRUE, &error);
          if (self->catalog == NULL)
            g_warning ("The forms cannot be loaded: %s", error->message);
          g_clear_error (&error);
          self->queue = kiosk_queue_open (self->config->data_dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
          if (self->queue == NULL)
            g_warning ("The queue cannot be opened: %s", error->message);
        }
      window = GTK_WINDOW (kiosk_window_new (GTK_APPLICATION (self), self->catalog, self->config, self->queue));
      kiosk_window_set_windowed (KIOSK_WINDOW (window), self->windowed);
      kiosk_window_watch_forms (KIOSK_WINDOW (window));
      /* Background delivery when a platform is configured (its own
       * thread, queue connection and HTTP client). */
      if (self->config != NULL && self->config->token_url != NULL && self->queue != NULL)
        {
          self->sync_worker = kiosk_sync_worker_new (self->config, NULL, sync_status_cb, self);
          kiosk_window_set_sync_worker (KIOSK_WINDOW (window), self->sync_worker);
          kiosk_sync_worker_start (self->sync_worker);
        }
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

  if (self->sync_worker != NULL)
    kiosk_sync_worker_stop (self->sync_worker);
  g_clear_pointer (&self->sync_worker, kiosk_sync_worker_free);
  g_clear_pointer (&self->catalog, kiosk_catalog_free);
  g_clear_pointer (&self->queue, kiosk_queue_close);
  g_clear_pointer (&self->config, kiosk_config_free);
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
