/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "antragskiosk/destination.h"
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

G_END_DECLS
