/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kiosk's sync worker: a thread with its own queue connection and
 * engine that runs a pass when triggered, on its timer and when the
 * network comes back, and reports each pass on the main context. */
#define G_LOG_DOMAIN "antragskiosk-sync"

#include "config.h"

#include <gio/gio.h>
#include <glib.h>

#include <antragskiosk/sync.h>

struct _KioskSyncWorker {
  const KioskConfig   *config;
  GMainContext        *context;
  KioskSyncStatusFunc  func;
  gpointer             user_data;
  GThread             *thread;
  GMutex               mutex;
  GCond                cond;
  gboolean             triggered;
  gboolean             stopping;
  KioskSyncEngine     *engine;     /* while the thread runs; cancel only */
  GNetworkMonitor     *monitor;
  gulong               network_handler;
  gboolean             network_available;
};

typedef struct {
  KioskSyncWorker *worker;
  KioskSyncStatus  status;
} StatusReport;

static gboolean
deliver_status (gpointer data)
{
  StatusReport *report = data;

  if (report->worker->func != NULL)
    report->worker->func (&report->status, report->worker->user_data);
  return G_SOURCE_REMOVE;
}

static void
status_report_free (gpointer data)
{
  StatusReport *report = data;

  g_free (report->status.last_error);
  g_free (report);
}

static void
report (KioskSyncWorker       *worker,
        const KioskSyncStatus *status)
{
  StatusReport *copy = g_new0 (StatusReport, 1);

  copy->worker = worker;
  copy->status = *status;
  copy->status.last_error = g_strdup (status->last_error);
  g_main_context_invoke_full (worker->context, G_PRIORITY_DEFAULT, deliver_status, copy, status_report_free);
}

/* The thread's own queue connection (in @queue) and engine; NULL with
 * @error. */
static KioskSyncEngine *
worker_open (KioskSyncWorker    *worker,
             KioskSyncSettings  *settings,
             KioskQueue        **queue,
             GError            **error)
{
  if (!kiosk_sync_settings_from_keyfile (worker->config->keyfile, settings, error))
    return NULL;
  *queue = kiosk_queue_open (worker->config->data_dir, KIOSK_QUEUE_OPEN_DEFAULT, error);
  if (*queue == NULL)
    return NULL;
  return kiosk_sync_engine_new (worker->config, *queue, settings, error);
}

/* Waits for a trigger, the time of the next pass (@next_pass_ms; 0: at
 * once) or a stop. FALSE on a stop (the engine is forgotten then). */
static gboolean
worker_wait (KioskSyncWorker *worker,
             gint64           next_pass_ms)
{
  gint64 deadline_us, wait_ms;

  g_mutex_lock (&worker->mutex);
  wait_ms = next_pass_ms > 0 ? next_pass_ms - g_get_real_time () / 1000 : 0;
  deadline_us = g_get_monotonic_time () + MAX (wait_ms, 0) * 1000;
  while (!worker->triggered && !worker->stopping)
    if (!g_cond_wait_until (&worker->cond, &worker->mutex, deadline_us))
      break;
  worker->triggered = FALSE;
  if (worker->stopping)
    {
      worker->engine = NULL;
      g_mutex_unlock (&worker->mutex);
      return FALSE;
    }
  g_mutex_unlock (&worker->mutex);
  return TRUE;
}

/* The next pass: the timer, the next due application, or after a
 * platform-wide fault a backoff of its own (the network monitor and
 * triggers come earlier). */
static gint64
next_pass_ms (const KioskSyncSettings *settings,
              const KioskSyncSummary  *summary,
              guint                    paused_passes)
{
  gint64 now = g_get_real_time () / 1000;
  gint64 next = now + (gint64) settings->poll_interval_s * 1000;

  if (summary->next_due_ms > 0 && summary->platform_fault == KIOSK_PLATFORM_OK)
    next = MIN (next, MAX (summary->next_due_ms, now + 1000));
  if (paused_passes > 0)
    next = now + kiosk_sync_backoff_ms (settings, paused_passes - 1, g_random_double ());
  if (summary->resume_after_ms > 0)
    next = MAX (next, summary->resume_after_ms);
  return next;
}

/* A finished pass in @status: the totals, the last pass, the last
 * success (no platform-wide fault and @pass_ok) and the count of passes
 * paused in a row. */
static void
update_status (KioskSyncStatus        *status,
               const KioskSyncSummary *summary,
               gboolean                pass_ok,
               guint                  *paused_passes)
{
  status->sent_total += summary->sent;
  status->failed_total += summary->failed;
  status->last_pass_ms = g_get_real_time () / 1000;
  status->platform_fault = summary->platform_fault;
  g_free (status->last_error);
  status->last_error = g_strdup (summary->last_error);
  if (summary->platform_fault == KIOSK_PLATFORM_OK && pass_ok)
    {
      status->last_success_ms = status->last_pass_ms;
      *paused_passes = 0;
    }
  else
    (*paused_passes)++;
}

/* One pass, reported when it starts and when it ends. FALSE when the
 * sync service was in a pass on this queue (nothing done). */
static gboolean
worker_pass (KioskSyncWorker         *worker,
             KioskSyncEngine         *engine,
             KioskQueue              *queue,
             const KioskSyncSettings *settings,
             KioskSyncStatus         *status,
             guint                   *paused_passes)
{
  KioskSyncSummary summary;
  g_autoptr(GError) pass_error = NULL;

  status->running = TRUE;
  report (worker, status);
  if (!kiosk_sync_engine_run_pass (engine, &summary, &pass_error))
    {
      g_free (summary.last_error);
      summary.last_error = g_strdup (pass_error->message);
    }
  status->running = FALSE;
  if (summary.busy)
    {
      /* The sync service is in a pass on this queue; look again at
       * the next timer tick. */
      kiosk_queue_get_counts (queue, &status->counts, NULL);
      status->next_pass_ms = g_get_real_time () / 1000 + (gint64) settings->poll_interval_s * 1000;
      report (worker, status);
      kiosk_sync_summary_clear (&summary);
      return FALSE;
    }
  update_status (status, &summary, pass_error == NULL, paused_passes);
  kiosk_queue_get_counts (queue, &status->counts, NULL);
  status->next_pass_ms = next_pass_ms (settings, &summary, *paused_passes);
  report (worker, status);
  kiosk_sync_summary_clear (&summary);
  return TRUE;
}

/* Idle: the checkpoint the kiosk's connection leaves to us, and the
 * retention, hourly. */
static void
worker_idle (KioskQueue                *queue,
             const KioskQueueRetention *retention,
             gint64                    *last_purge)
{
  kiosk_queue_checkpoint (queue, NULL);
  if (g_get_monotonic_time () - *last_purge > G_TIME_SPAN_HOUR)
    {
      kiosk_queue_purge (queue, retention, NULL, NULL, NULL);
      *last_purge = g_get_monotonic_time ();
    }
}

static gpointer
worker_thread (gpointer data)
{
  KioskSyncWorker *worker = data;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(KioskSyncEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  KioskSyncStatus status = { 0 };
  KioskSyncSettings settings;
  guint paused_passes = 0;
  gint64 last_purge = 0;
  KioskQueueRetention retention;

  kiosk_queue_retention_init (&retention);
  kiosk_queue_retention_from_keyfile (worker->config->keyfile, &retention, NULL);
  engine = worker_open (worker, &settings, &queue, &error);
  if (engine == NULL)
    {
      g_warning ("sync worker: %s", error->message);
      status.platform_fault = KIOSK_PLATFORM_OK;
      status.last_error = g_strdup (error->message);
      report (worker, &status);
      g_free (status.last_error);
      return NULL;
    }
  g_mutex_lock (&worker->mutex);
  worker->engine = engine;
  worker->triggered = TRUE;  /* a first pass at once */
  g_mutex_unlock (&worker->mutex);

  while (worker_wait (worker, status.next_pass_ms))
    if (worker_pass (worker, engine, queue, &settings, &status, &paused_passes))
      worker_idle (queue, &retention, &last_purge);
  g_free (status.last_error);
  return NULL;
}

KioskSyncWorker *
kiosk_sync_worker_new (const KioskConfig   *config,
                       GMainContext        *context,
                       KioskSyncStatusFunc  func,
                       gpointer             user_data)
{
  KioskSyncWorker *worker = g_new0 (KioskSyncWorker, 1);

  worker->config = config;
  worker->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref (g_main_context_default ());
  worker->func = func;
  worker->user_data = user_data;
  g_mutex_init (&worker->mutex);
  g_cond_init (&worker->cond);
  return worker;
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  KioskSyncWorker *worker = user_data;

  if (available && !worker->network_available)
    {
      g_debug ("network back: a sync pass");
      kiosk_sync_worker_trigger (worker);
    }
  worker->network_available = available;
}

void
kiosk_sync_worker_start (KioskSyncWorker *worker)
{
  g_return_if_fail (worker->thread == NULL);

  worker->stopping = FALSE;
  worker->monitor = g_object_ref (g_network_monitor_get_default ());
  worker->network_available = g_network_monitor_get_network_available (worker->monitor);
  worker->network_handler = g_signal_connect (worker->monitor, "network-changed",
                                              G_CALLBACK (on_network_changed), worker);
  worker->thread = g_thread_new ("antragskiosk-sync", worker_thread, worker);
}

void
kiosk_sync_worker_trigger (KioskSyncWorker *worker)
{
  g_mutex_lock (&worker->mutex);
  worker->triggered = TRUE;
  g_cond_signal (&worker->cond);
  g_mutex_unlock (&worker->mutex);
}

void
kiosk_sync_worker_stop (KioskSyncWorker *worker)
{
  if (worker->thread == NULL)
    return;
  g_mutex_lock (&worker->mutex);
  worker->stopping = TRUE;
  if (worker->engine != NULL)
    kiosk_sync_engine_cancel (worker->engine);
  g_cond_signal (&worker->cond);
  g_mutex_unlock (&worker->mutex);
  g_thread_join (worker->thread);
  worker->thread = NULL;
  if (worker->monitor != NULL)
    {
      g_signal_handler_disconnect (worker->monitor, worker->network_handler);
      g_clear_object (&worker->monitor);
    }
}

void
kiosk_sync_worker_free (KioskSyncWorker *worker)
{
  if (worker == NULL)
    return;
  kiosk_sync_worker_stop (worker);
  g_mutex_clear (&worker->mutex);
  g_cond_clear (&worker->cond);
  g_main_context_unref (worker->context);
  g_free (worker);
}

