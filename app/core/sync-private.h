/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

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

G_END_DECLS
