/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib-unix.h>

#include <antragskiosk/config.h>
#include <antragskiosk/log.h>
#include <antragskiosk/platform.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/sync.h>

#include "ctl-private.h"

/* sync: the kiosk's sync worker without the screen. --once runs one pass
 * (everything due now) and prints a summary line; without it, it runs as
 * a service until SIGTERM or SIGINT. */

static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (ms / 1000);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}

static void
print_summary (const KioskSyncSummary *summary)
{
  g_autoptr(GString) line = g_string_new (NULL);

  if (summary->busy)
    {
      printf ("another process is syncing this queue (the kiosk or the sync service); nothing done, "
              "%u waiting\n", summary->waiting);
      fflush (stdout);
      return;
    }
  g_string_append_printf (line, "sent %u, failed %u, waiting %u", summary->sent, summary->failed, summary->waiting);
  if (summary->waiting > 0)
    {
      if (summary->platform_fault != KIOSK_PLATFORM_OK)
        g_string_append_printf (line, " (%s: %s)", kiosk_platform_fault_to_string (summary->platform_fault),
                                summary->last_error != NULL ? summary->last_error : "");
      else if (summary->resume_after_ms > 0)
        {
          g_autofree char *when = format_time (summary->resume_after_ms);
          g_string_append_printf (line, " (slow-down: the platform asked to wait until %s: %s)", when,
                                  summary->last_error != NULL ? summary->last_error : "");
        }
      else if (summary->next_due_ms > 0)
        {
          g_autofree char *when = format_time (summary->next_due_ms);
          g_string_append_printf (line, " (next attempt %s; last error: %s)", when,
                                  summary->last_error != NULL ? summary->last_error : "none");
        }
    }
  else if (summary->platform_fault != KIOSK_PLATFORM_OK)
    g_string_append_printf (line, " (%s: %s)", kiosk_platform_fault_to_string (summary->platform_fault),
                            summary->last_error != NULL ? summary->last_error : "");
  if (summary->accepted > 0 || summary->rejected > 0)
    g_string_append_printf (line, "; accepted %u, rejected %u", summary->accepted, summary->rejected);
  if (summary->deleted > 0)
    g_string_append_printf (line, "; deleted by the platform %u", summary->deleted);
  printf ("%s\n", line->str);
  fflush (stdout);
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_status (const KioskSyncStatus *status, gpointer user_data)
{
  if (status->running)
    return;
  if (status->last_error != NULL && status->platform_fault != KIOSK_PLATFORM_OK)
    g_message ("sync paused (%s): %s", kiosk_platform_fault_to_string (status->platform_fault), status->last_error);
  g_message ("sync: %" G_GUINT64_FORMAT " sent, %" G_GUINT64_FORMAT " failed since start; "
             "%" G_GUINT64_FORMAT " queued, %" G_GUINT64_FORMAT " created, %" G_GUINT64_FORMAT " submitted",
             status->sent_total, status->failed_total,
             status->counts.by_state[KIOSK_QUEUE_STATE_QUEUED],
             status->counts.by_state[KIOSK_QUEUE_STATE_CREATED],
             status->counts.by_state[KIOSK_QUEUE_STATE_SUBMITTED]);
}

int
_kiosk_ctl_sync (int argc, char **argv)
{
  g_autofree char *config_path = NULL;
  gboolean once = FALSE;
  GOptionEntry entries[] = {
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, "One pass: send what is due now, print a summary, exit", NULL },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, "Read the configuration from FILE", "FILE" },
    { NULL }
  };
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  KioskSyncSettings settings;

  if (!_kiosk_ctl_parse_options (&argc, &argv, NULL,
                                 "Send queued applications to the platform, as the kiosk's sync worker does.\n"
                                 "--once: one pass, then a line 'sent N, failed N, waiting N (why)'; exit 0 after\n"
                                 "a clean pass, 1 when a platform-wide fault (network, authentication, untrusted\n"
                                 "certificate) stopped it. Without --once: runs until SIGTERM.", entries))
    return 2;
  if (argc > 1)
    {
      _kiosk_ctl_error ("sync takes no arguments (try 'sync --help')");
      return 2;
    }
  config = kiosk_config_load (config_path, NULL, &error);
  if (config == NULL)
    {
      _kiosk_ctl_error ("cannot use the configuration: %s (see 'antragskiosk-ctl check-config')", error->message);
      return 1;
    }
  kiosk_log_set_kiosk_id (config->kiosk_id);
  if (!kiosk_sync_settings_from_keyfile (config->keyfile, &settings, &error))
    {
      _kiosk_ctl_error ("%s", error->message);
      return 1;
    }

  if (once)
    {
      g_autoptr(KioskQueue) queue = NULL;
      g_autoptr(KioskSyncEngine) engine = NULL;
      KioskSyncSummary summary;
      gboolean ok;

      queue = kiosk_queue_open (config->data_dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
      if (queue == NULL)
        {
          _kiosk_ctl_error ("cannot open the queue in %s: %s", config->data_dir, error->message);
          return 1;
        }
      engine = kiosk_sync_engine_new (config, queue, &settings, &error);
      if (engine == NULL)
        {
          _kiosk_ctl_error ("%s", error->message);
          return 1;
        }
      ok = kiosk_sync_engine_run_pass (engine, &summary, &error);
      print_summary (&summary);
      if (!ok)
        _kiosk_ctl_error ("the queue failed: %s", error->message);
      else if (summary.platform_fault != KIOSK_PLATFORM_OK)
        _kiosk_ctl_error ("%s", summary.last_error != NULL ? summary.last_error : "the platform failed");
      kiosk_queue_checkpoint (queue, NULL);
      {
        int status = ok && summary.platform_fault == KIOSK_PLATFORM_OK ? 0 : 1;
        kiosk_sync_summary_clear (&summary);
        return status;
      }
    }

  /* The service: the same worker the kiosk runs. */
  {
    g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_autoptr(KioskSyncWorker) worker = NULL;
    g_autoptr(KioskPlatform) probe = kiosk_platform_new (config, NULL, &error);
    guint term, interrupt;

    if (probe == NULL)
      {
        _kiosk_ctl_error ("%s", error->message);
        return 1;
      }
    worker = kiosk_sync_worker_new (config, NULL, on_status, NULL);
    term = g_unix_signal_add (SIGTERM, on_signal, loop);
    interrupt = g_unix_signal_add (SIGINT, on_signal, loop);
    kiosk_sync_worker_start (worker);
    g_main_loop_run (loop);
    kiosk_sync_worker_stop (worker);
    g_source_remove (term);
    g_source_remove (interrupt);
    return 0;
  }
}
