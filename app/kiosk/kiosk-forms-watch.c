/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-forms-watch"

#include "config.h"

#include <gio/gio.h>

#include "kiosk-forms-watch.h"

/* A copied form file arrives in several events: reload this long after
 * the last, and as often while a visitor is at the terminal. */
#define FORMS_SETTLE_MS 2000

struct _KioskFormsWatch {
  KioskConfig               *config;
  GFileMonitor              *monitor;
  guint                      reload_source;
  KioskCatalog              *catalog;  /* the last one loaded */
  KioskFormsWatchBusyFunc    busy;
  KioskFormsWatchLoadedFunc  loaded;
  gpointer                   user_data;
};

static gboolean
reload_cb (gpointer data)
{
  KioskFormsWatch *watch = data;
  g_autoptr(GError) error = NULL;
  KioskCatalog *catalog;

  /* Never under a visitor's hands: after the session. */
  if (watch->busy (watch->user_data))
    return G_SOURCE_CONTINUE;
  watch->reload_source = 0;
  catalog = kiosk_catalog_new_for_config (watch->config, TRUE, &error);
  if (catalog == NULL)
    {
      g_warning ("The forms directory changed, but the forms cannot be loaded: %s; the forms in service stay",
                 error->message);
      return G_SOURCE_REMOVE;
    }
  watch->loaded (catalog, watch->user_data);
  g_clear_pointer (&watch->catalog, kiosk_catalog_free);
  watch->catalog = catalog;
  return G_SOURCE_REMOVE;
}

static void
changed_cb (GFileMonitor      *monitor,
            GFile             *file,
            GFile             *other,
            GFileMonitorEvent  event,
            gpointer           data)
{
  KioskFormsWatch *watch = data;

  g_clear_handle_id (&watch->reload_source, g_source_remove);
  watch->reload_source = g_timeout_add (FORMS_SETTLE_MS, reload_cb, watch);
}

KioskFormsWatch *
kiosk_forms_watch_new (KioskConfig               *config,
                       KioskFormsWatchBusyFunc    busy,
                       KioskFormsWatchLoadedFunc  loaded,
                       gpointer                   user_data)
{
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GError) error = NULL;
  KioskFormsWatch *watch;
  GFileMonitor *monitor;

  if (config == NULL || config->forms_dir == NULL)
    return NULL;
  dir = g_file_new_for_path (config->forms_dir);
  /* A directory that does not exist yet is watched for its creation. */
  monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (monitor == NULL)
    {
      g_warning ("Form updates in %s are taken only at the next start: %s", config->forms_dir, error->message);
      return NULL;
    }
  watch = g_new0 (KioskFormsWatch, 1);
  watch->config = config;
  watch->monitor = monitor;
  watch->busy = busy;
  watch->loaded = loaded;
  watch->user_data = user_data;
  g_signal_connect (monitor, "changed", G_CALLBACK (changed_cb), watch);
  return watch;
}

void
kiosk_forms_watch_free (KioskFormsWatch *watch)
{
  if (watch == NULL)
    return;
  g_clear_handle_id (&watch->reload_source, g_source_remove);
  g_signal_handlers_disconnect_by_data (watch->monitor, watch);
  g_clear_object (&watch->monitor);
  g_clear_pointer (&watch->catalog, kiosk_catalog_free);
  g_free (watch);
}
