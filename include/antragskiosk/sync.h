/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "config.h"
#include "destination.h"
#include "platform.h"
#include "queue.h"

G_BEGIN_DECLS

/* The sync engine (docs/sync.md): delivers queued applications to the
 * platform exactly once. Per application, resumable at every step from
 * what the queue stored:
 *
 *   queued  ── POST /v1/submissions ──► mark_created (ids stored)
 *   created ── PUT each attachment ── PUT submit ──► mark_submitted
 *   created, picked up again (after a crash or a fault): the case's event
 *           log is read first; a submit-submission event means it was
 *           handed over already (mark_submitted, nothing resent); a
 *           submission older than abandon_after_s (or unknown to the
 *           platform) is abandoned (restart) and created anew.
 *   submitted ── GET events (with backoff) ──► accepted / rejected
 *
 * Faults (KioskPlatformFault): transient → schedule_retry with exponential
 * backoff and jitter; slow-down → Retry-After honoured and the pass ends;
 * permanent → mark_failed with the platform's reason; 409 on submit → the
 * event log decides; auth, untrusted, unreachable (platform-wide) → the
 * pass pauses, the applications stay as they are. */

#define KIOSK_SYNC_ERROR (kiosk_sync_error_quark ())
GQuark kiosk_sync_error_quark (void);

typedef enum {
  KIOSK_SYNC_ERROR_INVALID,   /* a [sync] key has a bad value */
} KioskSyncError;

/* The [sync] group of the configuration (docs/configuration.md). */
typedef struct {
  guint retry_base_s;       /* first backoff step (30) */
  guint retry_cap_s;        /* longest backoff (1800) */
  guint parallelism;        /* applications in flight at once (4) */
  guint poll_interval_s;    /* the worker's timer between passes (300) */
  guint status_poll_s;      /* first status poll after submit, doubling (600) */
  guint status_poll_cap_s;  /* longest status poll interval (21600) */
  guint connect_timeout_s;  /* (10) */
  guint stall_timeout_s;    /* a transfer stalled this long is aborted (30) */
  guint abandon_after_s;    /* a created, unsubmitted submission this old is created anew (72000 = 20 h) */
} KioskSyncSettings;

void     kiosk_sync_settings_init         (KioskSyncSettings *settings);
/* Reads [sync] from @keyfile (NULL or missing keys: defaults). FALSE with
 * KIOSK_SYNC_ERROR_INVALID naming the key on a bad value or unknown key. */
gboolean kiosk_sync_settings_from_keyfile (GKeyFile          *keyfile,
                                           KioskSyncSettings *settings,
                                           GError           **error);

/* The range of [sync] @key (for check-config): FALSE for an unknown key. */
gboolean kiosk_sync_setting_range         (const char *key,
                                           guint      *min,
                                           guint      *max);
/* The [sync] keys, NULL-terminated (static). */
const char *const *kiosk_sync_setting_names (void);

/* The delay before the next attempt after @attempts earlier failed
 * attempts (0 for the first retry): d = min(cap, base · 2^attempts), and
 * the delay is d/2 + @random01 · d/2 (equal jitter; @random01 in [0, 1)).
 * So the first retry comes after base/2 … base. */
gint64   kiosk_sync_backoff_ms            (const KioskSyncSettings *settings,
                                           guint                    attempts,
                                           double                   random01);

/* What one pass did. */
typedef struct {
  guint   sent;            /* handed over (submitted) in this pass */
  guint   failed;          /* marked failed in this pass (the platform's reason in last_error) */
  guint   retried;         /* given a later attempt in this pass (transient, slow-down, conflict) */
  guint   accepted;        /* status polls that found a decision */
  guint   rejected;
  guint   deleted;         /* deleted by the Zustelldienst before the authority fetched them */
  guint   waiting;         /* queued or created after the pass */
  guint   waiting_due;     /* of those, due now (not tried: the pass paused) */
  gint64  next_due_ms;     /* the earliest next attempt of a waiting one; 0 none */
  KioskPlatformFault platform_fault;  /* OK, or what paused the pass */
  gint64  resume_after_ms; /* slow-down: not before this time; 0 otherwise */
  char   *last_error;      /* the platform-wide fault, else the last item's error; NULL if none */
  guint64 requests;        /* HTTP requests made in this pass (token included) */
  gboolean busy;           /* nothing done: another process is in a pass on this queue */
} KioskSyncSummary;

void kiosk_sync_summary_clear (KioskSyncSummary *summary);

/* Files in the data directory: the lock that lets one pass at a time run
 * on a queue (the kiosk's worker and the sync service may share it), and
 * the record of the last pass, which `antragskiosk-ctl status` reads. */
#define KIOSK_SYNC_LOCK_FILE   "sync.lock"
#define KIOSK_SYNC_RECORD_FILE "sync-status.json"

typedef struct {
  gint64             last_pass_ms;     /* 0: no pass yet */
  gint64             last_success_ms;  /* end of the last pass without a platform-wide or queue fault; 0 never */
  KioskPlatformFault platform_fault;   /* of the last pass */
  char              *last_error;       /* of the last pass, or NULL */
  guint64            sent, failed;     /* in the last pass */
  int                pid;              /* of the process that made it */
  char              *program;
} KioskSyncRecord;

/* Reads DATA_DIR/sync-status.json; TRUE with a zeroed record when there
 * is none yet. */
gboolean kiosk_sync_record_load  (const char       *data_dir,
                                  KioskSyncRecord  *record,
                                  GError          **error);
void     kiosk_sync_record_clear (KioskSyncRecord  *record);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KioskSyncRecord, kiosk_sync_record_clear)

typedef struct _KioskSyncEngine KioskSyncEngine;

/* An engine for @config (borrowed; must outlive the engine) using @queue
 * (borrowed; this thread only). @settings NULL: read from the [sync]
 * group. Loads the form catalog (service names and LeiKa keys). NULL and
 * KIOSK_PLATFORM_ERROR_NOT_CONFIGURED when no platform is configured. */
KioskSyncEngine *kiosk_sync_engine_new          (const KioskConfig       *config,
                                                 KioskQueue              *queue,
                                                 const KioskSyncSettings *settings,
                                                 GError                 **error);
void             kiosk_sync_engine_free         (KioskSyncEngine *engine);

/* One pass: every application due at the start of the pass is taken
 * through as far as it goes (bounded parallelism), then due status polls.
 * Returns FALSE only when the queue itself fails (@error set); platform
 * faults are in @summary (clear it with kiosk_sync_summary_clear). While
 * another process is in a pass on the same data directory, nothing is
 * done and summary->busy is set. Each pass ends by writing the record
 * (KIOSK_SYNC_RECORD_FILE). */
gboolean         kiosk_sync_engine_run_pass     (KioskSyncEngine  *engine,
                                                 KioskSyncSummary *summary,
                                                 GError          **error);
/* Thread-safe: ends a running pass soon (transfers aborted, nothing
 * marked); every later pass returns at once. */
void             kiosk_sync_engine_cancel       (KioskSyncEngine *engine);
KioskPlatform   *kiosk_sync_engine_get_platform (KioskSyncEngine *engine);

/* ---- the worker thread for the kiosk ---- */

/* What the clerk panel shows; delivered on the worker's main context. */
typedef struct {
  gboolean           running;          /* a pass is in progress */
  KioskQueueCounts   counts;
  guint64            sent_total;       /* since the worker started */
  guint64            failed_total;
  gint64             last_success_ms;  /* end of the last pass without a platform-wide fault; 0 never */
  gint64             last_pass_ms;
  KioskPlatformFault platform_fault;   /* of the last pass */
  char              *last_error;       /* of the last pass, or NULL */
  gint64             next_pass_ms;
} KioskSyncStatus;

typedef void (*KioskSyncStatusFunc) (const KioskSyncStatus *status,
                                     gpointer               user_data);

typedef struct _KioskSyncWorker KioskSyncWorker;

/* A worker for @config (borrowed; must outlive the worker). @func runs
 * on @context (NULL: the default main context) after each pass and when a
 * pass starts. */
KioskSyncWorker *kiosk_sync_worker_new     (const KioskConfig   *config,
                                            GMainContext        *context,
                                            KioskSyncStatusFunc  func,
                                            gpointer             user_data);
/* Starts the thread, which opens its own queue connection and engine, and
 * watches GNetworkMonitor (a pass when the network comes back). A first
 * pass runs at once. */
void             kiosk_sync_worker_start   (KioskSyncWorker *worker);
/* Thread-safe: a pass soon (right after an enqueue). If a pass is
 * running, another one follows it; never two at once. */
void             kiosk_sync_worker_trigger (KioskSyncWorker *worker);
/* Cancels a running pass and joins the thread. */
void             kiosk_sync_worker_stop    (KioskSyncWorker *worker);
void             kiosk_sync_worker_free    (KioskSyncWorker *worker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskSyncEngine, kiosk_sync_engine_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskSyncWorker, kiosk_sync_worker_free)

/* The metadata schema version the kiosk writes (jwe.h's
 * KIOSK_METADATA_SCHEMA); a destination must list it in metadataVersions. */
#define KIOSK_SYNC_METADATA_VERSION KIOSK_DESTINATION_METADATA_VERSION

/* Fetches the destinations' documents and keys now (@force: all of them,
 * else only stale ones) and caches what verifies (destination.h). FALSE
 * with a sentence when any failed (the cached data stays in use). */
gboolean kiosk_sync_engine_refresh_destinations (KioskSyncEngine  *engine,
                                                 gboolean          force,
                                                 GError          **error);

G_END_DECLS
