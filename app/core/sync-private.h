/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "antragskiosk/destination.h"
#include "antragskiosk/form.h"
#include "antragskiosk/platform.h"
#include "antragskiosk/queue.h"
#include "antragskiosk/sync.h"

G_BEGIN_DECLS

/* Shared by the files of the sync module (sync-settings.c, sync-engine.c,
 * sync-status.c, sync-worker.c); not public. */

/* The pass lock, DATA_DIR/KIOSK_SYNC_LOCK_FILE (sync-status.c): an
 * exclusive flock() that the kernel drops when the process dies. Returns
 * the descriptor (close it to release the lock), -1 when another process
 * holds the lock (@error unset), or -1 with @error when the lock file
 * cannot be opened. */
int  _kiosk_sync_take_pass_lock (const char  *data_dir,
                                 GError     **error);

/* Replaces DATA_DIR/KIOSK_SYNC_RECORD_FILE after a pass (under the pass
 * lock) with what @summary says, @now (ms since the epoch, the queue's
 * clock) as the pass's time and, when @queue_ok and no platform-wide
 * fault, as the last success. Technical facts only: the last error names
 * a reference at most, never an answer. A write failure is logged. */
void _kiosk_sync_record_write   (const char             *data_dir,
                                 gint64                  now,
                                 const KioskSyncSummary *summary,
                                 gboolean                queue_ok);

/* The destinations' documents and keys as the sync keeps them fresh
 * (sync-destinations.c). */
typedef struct _KioskSyncDestinations KioskSyncDestinations;

KioskSyncDestinations *_kiosk_sync_destinations_new  (const KioskConfig *config,
                                                      KioskPlatform     *platform);
void                   _kiosk_sync_destinations_free (KioskSyncDestinations *self);

/* The verified, cached state of @destination_id, or NULL when none is
 * known (no trust_anchor, never fetched). Owned by @self; valid until the
 * next refresh or key fetch. */
KioskDestinationState *_kiosk_sync_destinations_get  (KioskSyncDestinations *self,
                                                      const char            *destination_id);

/* Fetches every destination whose data is missing, older than an hour,
 * or whose last refresh failed (all of them with @force), with the keys
 * the waiting applications were encrypted to; drives @self's platform
 * until done. FALSE when any failed: @message (free it) says the first
 * failure, @fault is set when it concerns the whole platform. */
gboolean _kiosk_sync_destinations_refresh (KioskSyncDestinations *self,
                                           KioskQueue            *queue,
                                           gint64                 now_ms,
                                           gboolean               force,
                                           KioskPlatformFault    *fault,
                                           char                 **message);

/* Asks for key @kid of @destination_id at the next refresh (an application
 * was encrypted to a key that is neither current nor known). */
void _kiosk_sync_destinations_ask_kid (KioskSyncDestinations *self,
                                       const char            *destination_id,
                                       const char            *kid);

/* Called when a signature key fetch ended: @stored TRUE when the key
 * verified and is now among the destination's signing keys. */
typedef void (*KioskSyncKeyDone) (gboolean                     stored,
                                  const KioskPlatformResponse *response,
                                  gpointer                     user_data);

/* Starts fetching signature key @kid of @destination_id (asynchronous,
 * on the platform's loop). FALSE (nothing started, @done not called)
 * when the destination has no trust anchor or no cached document. */
gboolean _kiosk_sync_destinations_fetch_signing_key (KioskSyncDestinations *self,
                                                     const char            *destination_id,
                                                     const char            *kid,
                                                     KioskSyncKeyDone       done,
                                                     gpointer               user_data);

/* ---- the engine's state, shared by sync-engine.c and sync-poll.c ---- */

typedef enum {
  STEP_CHECK,           /* created, picked up again: read the event log first */
  STEP_CREATE,
  STEP_UPLOAD,
  STEP_SUBMIT,
  STEP_CONFLICT_CHECK,  /* 409 on submit: the event log decides */
  STEP_STATUS,          /* submitted: accepted or rejected yet? */
} Step;

typedef struct {
  gint64 next_ms;
  gint64 interval_ms;
} PollState;

struct _KioskSyncEngine {
  const KioskConfig *config;
  KioskQueue        *queue;
  KioskSyncSettings  settings;
  KioskPlatform     *platform;
  KioskCatalog      *catalog;
  GRand             *rand;
  GHashTable        *polls;          /* reference → PollState* */
  JsonNode          *jwks;           /* the platform's signature keys, or NULL */
  gint64             jwks_loaded_ms; /* when; 0 not yet */
  gboolean           jwks_absent;    /* the platform publishes none (404) */
  KioskSyncDestinations *destinations;
  gint               cancelled;      /* atomic */

  /* per pass */
  KioskSyncSummary  *summary;
  GHashTable        *handled;        /* references taken in this pass */
  gint64             pass_start_ms;
  gint64             slow_until_ms;  /* Retry-After: no new request before */
  GQueue             deferred;       /* Op* waiting for slow_until_ms */
  guint              in_flight;
  guint              n_stuck;        /* taken, not in flight, maybe still due */
  gboolean           paused;
  guint              consecutive_transient;
  GError            *queue_error;    /* the first queue failure */
};

typedef struct {
  KioskSyncEngine *engine;
  KioskQueueItem  *item;
  Step             step;
  guint            attachment;
  KioskEventLog    events;         /* STEP_STATUS: the pages read so far */
  gboolean         events_started;
  GHashTable      *kids_tried;     /* an authority's keys fetched for this poll */
  gboolean         key_stored;     /* one of them verified: read the log again */
  guint            events_offset;  /* the next page's offset */
} Op;

/* Event log page size (the API's maximum). */
#define EVENT_PAGE 500

/* sync-engine.c's helpers that sync-poll.c uses (see there). */
void     _kiosk_sync_set_last_error   (KioskSyncEngine             *engine,
                                       const char                  *message);
void     _kiosk_sync_op_done          (Op                          *op);
void     _kiosk_sync_queue_failed     (Op                          *op,
                                       GError                      *error);
gint64   _kiosk_sync_now_ms           (KioskSyncEngine             *engine);
void     _kiosk_sync_schedule_retry   (Op                          *op,
                                       gint64                       delay_ms,
                                       const char                  *message);
void     _kiosk_sync_pause_pass       (KioskSyncEngine             *engine,
                                       const KioskPlatformResponse *response,
                                       const char                  *message);
void     _kiosk_sync_fail_permanently (Op                          *op,
                                       const char                  *message);
void     _kiosk_sync_handle_fault     (Op                          *op,
                                       const KioskPlatformResponse *response);
gboolean _kiosk_sync_has_type         (GPtrArray                   *types,
                                       const char                  *type);
void     _kiosk_sync_service_of       (KioskSyncEngine             *engine,
                                       const KioskQueueItem        *item,
                                       char                       **name,
                                       char                       **identifier);
void     _kiosk_sync_step_run         (Op                          *op);

/* sync-poll.c */
void     _kiosk_sync_on_status_response     (Op                          *op,
                                             const KioskPlatformResponse *response);
gboolean _kiosk_sync_refused_by_destination (Op                          *op);
void     _kiosk_sync_collect_status_polls   (KioskSyncEngine             *engine,
                                             GQueue                      *pending);
void     _kiosk_sync_refresh_destinations   (KioskSyncEngine             *engine,
                                             gboolean                     force);

G_END_DECLS
