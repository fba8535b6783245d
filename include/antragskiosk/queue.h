/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The durable outbox (docs/queue.md): queue.db in the kiosk's data_dir, an
 * SQLite database in WAL mode with synchronous=FULL. It holds ciphertext
 * only: the application's metadata and data as compact JWEs, attachments
 * as compact JWEs, and bookkeeping (ids, form id, destination, states,
 * times, the platform's ids, the last error). No plain column holds
 * anything a citizen typed.
 *
 * Threads: a KioskQueue is one SQLite connection; use it from one thread at
 * a time. The kiosk's main thread and the sync worker each open their own;
 * WAL lets them work side by side.
 *
 * Times are UTC milliseconds since the Unix epoch, from the queue's clock
 * (g_get_real_time unless kiosk_queue_set_clock() says otherwise).
 *
 * States:
 *
 *   queued ──mark_created──► created ──mark_submitted──► submitted ──► accepted
 *     ▲  │                     │  │                                └─► rejected
 *     │  └──────mark_failed────┴──┴──► failed
 *     └─────────────retry──────────────┘
 *   (created ──restart──► queued: the platform dropped an unfinished submission)
 *
 * Every write is one transaction: on any error nothing of it is stored and
 * the queue is as it was before the call. */

#define KIOSK_QUEUE_ERROR (kiosk_queue_error_quark ())
GQuark kiosk_queue_error_quark (void);

typedef enum {
  KIOSK_QUEUE_ERROR_FULL,         /* the disk is full (SQLITE_FULL, ENOSPC) */
  KIOSK_QUEUE_ERROR_READ_ONLY,    /* the file or file system is read-only, or no permission */
  KIOSK_QUEUE_ERROR_LOCKED,       /* another connection held the lock past the busy timeout */
  KIOSK_QUEUE_ERROR_CORRUPT,      /* the file is damaged (seen during use, after open) */
  KIOSK_QUEUE_ERROR_IO,           /* the disk reported an I/O error */
  KIOSK_QUEUE_ERROR_OPEN,         /* the directory or file cannot be opened or created */
  KIOSK_QUEUE_ERROR_TOO_NEW,      /* written by a newer program version; left untouched */
  KIOSK_QUEUE_ERROR_NOT_FOUND,    /* no application with that reference */
  KIOSK_QUEUE_ERROR_STATE,        /* the transition is not allowed from the current state */
  KIOSK_QUEUE_ERROR_DUPLICATE,    /* the reference is taken already */
  KIOSK_QUEUE_ERROR_INVALID,      /* a malformed argument (reference, UUID, empty ciphertext) */
  KIOSK_QUEUE_ERROR_FAILED,       /* anything else SQLite reports */
} KioskQueueError;

typedef enum {
  KIOSK_QUEUE_STATE_QUEUED,     /* stored, not yet known to the platform */
  KIOSK_QUEUE_STATE_CREATED,    /* submission created at the platform (ids stored) */
  KIOSK_QUEUE_STATE_SUBMITTED,  /* handed over completely */
  KIOSK_QUEUE_STATE_ACCEPTED,   /* the authority accepted it */
  KIOSK_QUEUE_STATE_REJECTED,   /* the authority rejected it */
  KIOSK_QUEUE_STATE_FAILED,     /* a permanent error; waits for staff (retry) */
} KioskQueueState;

#define KIOSK_QUEUE_N_STATES (KIOSK_QUEUE_STATE_FAILED + 1)

/* "queued", "created", … (the names stored and printed). */
const char *kiosk_queue_state_to_string   (KioskQueueState  state);
/* The inverse; FALSE for an unknown name. */
gboolean    kiosk_queue_state_from_string (const char      *name,
                                           KioskQueueState *state);

/* The current schema version (PRAGMA user_version of a fresh queue). */
#define KIOSK_QUEUE_SCHEMA_VERSION 3

typedef enum {
  KIOSK_QUEUE_OPEN_DEFAULT     = 0,       /* create if missing; PRAGMA quick_check */
  KIOSK_QUEUE_OPEN_FULL_CHECK  = 1 << 0,  /* PRAGMA integrity_check instead */
  KIOSK_QUEUE_OPEN_NO_CHECK    = 1 << 1,  /* skip the check (benchmarks) */
  KIOSK_QUEUE_OPEN_NO_CREATE   = 1 << 2,  /* fail with _OPEN when queue.db is missing */
  /* For the kiosk's main thread: leave WAL checkpoints (an extra fsync of
   * queue.db) to another connection — the sync worker calls
   * kiosk_queue_checkpoint() — unless the WAL grows past 4096 pages
   * (16 MiB); SQLite's default is 1000 pages. */
  KIOSK_QUEUE_OPEN_DEFER_CHECKPOINT = 1 << 3,
} KioskQueueOpenFlags;

typedef struct _KioskQueue KioskQueue;

/* An encrypted attachment (FIT-Connect announcedAttachments). */
typedef struct {
  char *attachment_id;  /* UUIDv4 */
  char *purpose;        /* "form", "attachment" or "report" */
  char *mime_type;      /* of the plaintext, e.g. "application/pdf" */
  char *ciphertext;     /* compact JWE; NULL in listings and after purge */
} KioskQueueAttachment;

KioskQueueAttachment *kiosk_queue_attachment_new  (const char *attachment_id,
                                                   const char *purpose,
                                                   const char *mime_type,
                                                   const char *ciphertext);
void                  kiosk_queue_attachment_free (KioskQueueAttachment *attachment);

/* What the caller hands to kiosk_queue_enqueue(): already encrypted. */
typedef struct {
  const char *reference;         /* canonical public reference, or NULL: the queue picks one */
  const char *form_id;
  const char *form_version;
  const char *destination_name;  /* NAME of the [destination NAME] group */
  const char *destination_id;    /* UUID */
  const char *metadata_jwe;      /* compact JWE, not empty */
  const char *data_jwe;          /* compact JWE, not empty */
  const KioskQueueAttachment *const *attachments;  /* may be NULL */
  guint       n_attachments;
} KioskQueueSubmission;

/* One application as stored. Ciphertext fields are NULL in listings
 * (kiosk_queue_list) and in tombstones (purged_ms != 0). Times are 0 when
 * not (yet) set. */
typedef struct {
  char            *id;                  /* UUIDv4 */
  char            *reference;           /* canonical public reference */
  char            *form_id;
  char            *form_version;
  char            *destination_name;
  char            *destination_id;
  gint64           created_ms;
  KioskQueueState  state;
  guint            attempts;
  gint64           next_attempt_ms;
  char            *submission_id;       /* NULL until created */
  char            *case_id;             /* NULL until created */
  gint64           platform_created_ms; /* when mark_created ran */
  gint64           submitted_ms;
  gint64           decided_ms;          /* accepted or rejected */
  char            *last_error;          /* NULL or a technical message without personal data */
  gint64           updated_ms;
  gint64           purged_ms;           /* != 0: a tombstone, the ciphertexts are gone */
  guint            n_attachments;
  char            *metadata_jwe;
  char            *data_jwe;
  GPtrArray       *attachments;         /* KioskQueueAttachment*, NULL in listings */
} KioskQueueItem;

void kiosk_queue_item_free (KioskQueueItem *item);

/* Per-state counts. Tombstones count in their state and in @purged. */
typedef struct {
  guint64 total;
  guint64 by_state[KIOSK_QUEUE_N_STATES];
  guint64 purged;
  /* Age of the oldest application not yet handed over (queued or
   * created), -1 when there is none. */
  gint64  oldest_pending_age_ms;
  gint64  oldest_pending_created_ms;  /* 0 when there is none */
} KioskQueueCounts;

/* When ciphertexts go and tombstones go ([queue] group of the config). */
typedef struct {
  /* SUBMITTED: once handed over (submitted, accepted or rejected) for
   * @keep_days; ACCEPTED: once the authority decided (accepted or
   * rejected) for @keep_days. Failed, queued and created rows are never
   * purged. */
  KioskQueueState purge_after;
  guint           keep_days;
  /* A purged row (reference, form, states, times) stays this long after
   * the purge, then it is deleted. */
  guint           tombstone_days;
} KioskQueueRetention;

/* The defaults: after accepted, 0 days; tombstones 90 days. */
void     kiosk_queue_retention_init          (KioskQueueRetention *retention);
/* Reads [queue] purge_after (submitted | accepted), keep_days and
 * tombstone_days from @keyfile (NULL or a missing key: the default).
 * Returns FALSE with KIOSK_QUEUE_ERROR_INVALID naming the key. */
gboolean kiosk_queue_retention_from_keyfile  (GKeyFile            *keyfile,
                                              KioskQueueRetention *retention,
                                              GError             **error);

/* Opens (or creates, with mode 0600 in a 0700 directory) @data_dir/queue.db,
 * applies the pragmas, checks the file and migrates the schema to
 * KIOSK_QUEUE_SCHEMA_VERSION.
 *
 * A file that is not an SQLite database or fails the check is not used:
 * it is renamed, with its -wal and -shm files, to
 * queue.db.corrupt-YYYYMMDDTHHMMSSZ (UTC), a warning is logged (file names
 * only) and a fresh queue is started; kiosk_queue_get_recovered_from()
 * then says where the old file went. A queue written by a newer program
 * version is left alone: NULL and KIOSK_QUEUE_ERROR_TOO_NEW. A locked,
 * read-only or full disk gives NULL and the matching error. */
KioskQueue *kiosk_queue_open       (const char           *data_dir,
                                    KioskQueueOpenFlags   flags,
                                    GError              **error);
/* Closes the connection (NULL is allowed). */
void        kiosk_queue_close      (KioskQueue *queue);

/* The path of queue.db. */
const char *kiosk_queue_get_path   (KioskQueue *queue);
/* NULL normally; after kiosk_queue_open() moved a corrupt file aside, the
 * path it was moved to. Tell a person: the old file needs a look. */
const char *kiosk_queue_get_recovered_from (KioskQueue *queue);

/* How long a call waits for another connection's lock before failing with
 * KIOSK_QUEUE_ERROR_LOCKED (default 5000 ms). */
void        kiosk_queue_set_busy_timeout (KioskQueue *queue,
                                          guint       timeout_ms);

/* Replaces the clock (for tests): @clock returns UTC milliseconds. NULL
 * restores the real clock. */
typedef gint64 (*KioskQueueClock) (gpointer user_data);
void        kiosk_queue_set_clock  (KioskQueue      *queue,
                                    KioskQueueClock  clock,
                                    gpointer         user_data);
gint64      kiosk_queue_now_ms     (KioskQueue *queue);

/* A fresh reference not yet used in this queue, for callers that must put
 * the reference into the ciphertext (metadata senderReference) before
 * enqueueing. */
char       *kiosk_queue_new_reference (KioskQueue  *queue,
                                       GError     **error);

/* Stores one application and its attachments in one transaction, state
 * queued, due now. Returns the canonical reference (newly allocated) only
 * after COMMIT returned: then the application is on disk. With
 * @submission->reference NULL a fresh reference is chosen (another one on
 * the rare collision); a given reference that is taken fails with
 * KIOSK_QUEUE_ERROR_DUPLICATE. On error nothing is stored. */
char       *kiosk_queue_enqueue    (KioskQueue                 *queue,
                                    const KioskQueueSubmission *submission,
                                    GError                    **error);

/* One application with its ciphertexts and attachments (tombstones
 * without). @reference may be in any form kiosk_reference_normalize()
 * reads. NULL and KIOSK_QUEUE_ERROR_NOT_FOUND when there is none. */
KioskQueueItem *kiosk_queue_get    (KioskQueue  *queue,
                                    const char  *reference,
                                    GError     **error);

/* Applications without ciphertexts, newest first. @state: a
 * KioskQueueState or -1 for all. @limit 0: no limit. Returns a
 * GPtrArray of KioskQueueItem (free with g_ptr_array_unref) or NULL on
 * error. */
GPtrArray  *kiosk_queue_list       (KioskQueue  *queue,
                                    int          state,
                                    guint        limit,
                                    guint        offset,
                                    GError     **error);

/* Counts per state and the age of the oldest pending application. */
gboolean    kiosk_queue_get_counts (KioskQueue        *queue,
                                    KioskQueueCounts  *counts,
                                    GError           **error);

/* For the sync worker: up to @limit (0: no limit) queued or created
 * applications with next_attempt_ms <= @now_ms, soonest due first, with
 * their ciphertexts and attachments. Nothing is changed. */
GPtrArray  *kiosk_queue_take_due   (KioskQueue  *queue,
                                    gint64       now_ms,
                                    guint        limit,
                                    GError     **error);

/* queued → created: stores the platform's @submission_id and @case_id
 * (UUIDs) in the same transaction as the state change. */
gboolean    kiosk_queue_mark_created   (KioskQueue  *queue,
                                        const char  *reference,
                                        const char  *submission_id,
                                        const char  *case_id,
                                        GError     **error);
/* created → submitted. */
gboolean    kiosk_queue_mark_submitted (KioskQueue  *queue,
                                        const char  *reference,
                                        GError     **error);
/* submitted → accepted. */
gboolean    kiosk_queue_mark_accepted  (KioskQueue  *queue,
                                        const char  *reference,
                                        GError     **error);
/* submitted → rejected; @reason (may be NULL) goes to last_error. */
gboolean    kiosk_queue_mark_rejected  (KioskQueue  *queue,
                                        const char  *reference,
                                        const char  *reason,
                                        GError     **error);
/* queued or created → failed with @reason (required; no personal data).
 * Counts as an attempt. */
gboolean    kiosk_queue_mark_failed    (KioskQueue  *queue,
                                        const char  *reference,
                                        const char  *reason,
                                        GError     **error);
/* created → queued, forgetting submission_id and case_id (the platform
 * deletes unfinished submissions after a day; start a new one). */
gboolean    kiosk_queue_restart        (KioskQueue  *queue,
                                        const char  *reference,
                                        GError     **error);
/* A transient failure of a queued or created application: attempts + 1,
 * next attempt at @next_attempt_ms, last_error = @error_text. The state
 * stays. */
gboolean    kiosk_queue_schedule_retry (KioskQueue  *queue,
                                        const char  *reference,
                                        gint64       next_attempt_ms,
                                        const char  *error_text,
                                        GError     **error);
/* Staff: failed → queued, attempts 0, due now, the platform ids
 * forgotten (a fresh submission is created). last_error is kept until the
 * next attempt. */
gboolean    kiosk_queue_retry          (KioskQueue  *queue,
                                        const char  *reference,
                                        GError     **error);

/* Applies @retention (NULL: the defaults) at the queue's current time in
 * one transaction: deletes ciphertexts and attachments of confirmed
 * applications (they become tombstones) and deletes tombstones older than
 * tombstone_days. @n_purged and @n_deleted (may be NULL) receive the
 * counts. */
gboolean    kiosk_queue_purge          (KioskQueue                *queue,
                                        const KioskQueueRetention *retention,
                                        guint                     *n_purged,
                                        guint                     *n_deleted,
                                        GError                   **error);

/* Copies the WAL's committed pages into queue.db (a PASSIVE checkpoint:
 * never waits for readers or writers). For the sync worker when it is
 * idle, so that the main thread's enqueues need not pay for it. */
gboolean    kiosk_queue_checkpoint     (KioskQueue  *queue,
                                        GError     **error);

/* PRAGMA integrity_check plus the queue's own invariants: every row that
 * is not a tombstone has both ciphertexts and all its attachments, no
 * tombstone has any. FALSE with KIOSK_QUEUE_ERROR_CORRUPT and the first
 * problem otherwise. */
gboolean    kiosk_queue_check          (KioskQueue  *queue,
                                        GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskQueue, kiosk_queue_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskQueueItem, kiosk_queue_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskQueueAttachment, kiosk_queue_attachment_free)

G_END_DECLS
