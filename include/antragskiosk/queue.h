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
  KIOSK_QUEUE_STATE_DELETED,    /* the Zustelldienst deleted it before the authority
                                 * fetched it (delete-submission): never delivered */
} KioskQueueState;

#define KIOSK_QUEUE_N_STATES (KIOSK_QUEUE_STATE_DELETED + 1)

/* "queued", "created", … (the names stored and printed). */
const char *kiosk_queue_state_to_string   (KioskQueueState  state);
/* The inverse; FALSE for an unknown name. */
gboolean    kiosk_queue_state_from_string (const char      *name,
                                           KioskQueueState *state);

/* The current schema version (PRAGMA user_version of a fresh queue). */
#define KIOSK_QUEUE_SCHEMA_VERSION 5

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
  /* For commands that only look (status, list, receipts): the file is
   * opened read-only and never created, moved, migrated or repaired. A
   * damaged file gives KIOSK_QUEUE_ERROR_CORRUPT and stays as it is; a
   * file of schema 3 (before the ciphertext hashes) is read as it is.
   * Implies _NO_CREATE. */
  KIOSK_QUEUE_OPEN_READ_ONLY   = 1 << 4,
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
  /* != 0: a stored ciphertext no longer matched the SHA-256 kept at
   * enqueue (or was unreadable when a damaged file was salvaged); the
   * application is failed and is never sent. */
  gint64           damaged_ms;
  gint64           damage_acknowledged_ms;  /* != 0: staff ran queue acknowledge */
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
  guint64 damaged;                    /* applications with a damaged ciphertext (in failed) */
  guint64 damaged_unacknowledged;     /* … that no one acknowledged yet */
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
 * A file that is not an SQLite database or fails the check is salvaged
 * (kiosk_queue_salvage()) when the queue may be created (no _NO_CREATE,
 * no _READ_ONLY: the kiosk, antragskiosk-ctl sync and submit): every
 * readable application is carried into a fresh queue, the damaged file is
 * kept as queue.db.damaged-YYYYMMDDTHHMMSSZ, a warning is logged (file
 * names and counts only) and a damage record is written for monitoring;
 * kiosk_queue_get_salvage() then tells what happened. With _NO_CREATE or
 * _READ_ONLY a damaged file gives NULL and KIOSK_QUEUE_ERROR_CORRUPT and
 * is left exactly as it is. A queue written by a newer program version is
 * left alone: NULL and KIOSK_QUEUE_ERROR_TOO_NEW. A locked, read-only or
 * full disk gives NULL and the matching error. */
KioskQueue *kiosk_queue_open       (const char           *data_dir,
                                    KioskQueueOpenFlags   flags,
                                    GError              **error);
/* The flags for a command that only looks (status, queue status, list):
 * _READ_ONLY, with PRAGMA quick_check while queue.db is at most 16 MiB
 * (a few milliseconds; a kiosk's file is mostly small tombstones), with
 * _NO_CHECK above (quick_check of a 400 MB file takes half a second; the
 * kiosk and the sync service check at their start). */
#define KIOSK_QUEUE_MONITOR_CHECK_MAX_BYTES (16 * 1024 * 1024)
KioskQueueOpenFlags kiosk_queue_monitor_flags (const char *data_dir);

/* Closes the connection (NULL is allowed). */
void        kiosk_queue_close      (KioskQueue *queue);

/* The path of queue.db. */
const char *kiosk_queue_get_path   (KioskQueue *queue);
/* NULL normally; after kiosk_queue_open() salvaged a damaged file, the
 * path the damaged file is kept at. Tell a person: the old file needs a
 * look. */
const char *kiosk_queue_get_recovered_from (KioskQueue *queue);

/* What a salvage did. Counts only: no content of any application. */
typedef struct {
  char    *kept_path;      /* where the damaged file is kept (never deleted) */
  char    *problem;        /* what the check said (pages and tables, no content) */
  gint64   time_ms;        /* when it was salvaged */
  guint64  saved;          /* applications carried over intact */
  guint64  damaged;        /* carried over, but a ciphertext is damaged: failed, never sent */
  guint64  lost;           /* rows of applications that could not be read at all */
  guint64  attachments_lost;  /* attachments that could not be read */
  gboolean unknown_rest;   /* part of the file could not be walked: the count of lost
                            * applications is a lower bound */
  gboolean acknowledged;   /* (records) staff acknowledged it */
} KioskQueueSalvage;

void kiosk_queue_salvage_free (KioskQueueSalvage *salvage);

/* NULL normally; after kiosk_queue_open() salvaged a damaged file, what
 * the salvage did (owned by @queue). */
const KioskQueueSalvage *kiosk_queue_get_salvage (KioskQueue *queue);

/* For an administrator (antragskiosk-ctl queue salvage) and for
 * kiosk_queue_open(): reads every application and attachment of the
 * damaged @data_dir/queue.db that can still be read (row by row, skipping
 * what SQLite reports as corrupt; each ciphertext checked against its
 * SHA-256), writes them with their states into a fresh queue built beside
 * it, keeps the damaged file (with its -wal and -shm) as
 * queue.db.damaged-YYYYMMDDTHHMMSSZ, puts the fresh queue in its place
 * and appends a record to @data_dir/queue-damage (kiosk_queue_damage_load()),
 * which keeps monitoring critical until kiosk_queue_damage_acknowledge().
 * @problem (may be NULL) is what the check said. Holds a lock file so that
 * two processes never salvage at once; when another process salvaged in
 * the meantime and queue.db is intact now, nothing is done and
 * *@salvage_out is NULL. Returns FALSE with a KIOSK_QUEUE_ERROR when the
 * fresh queue cannot be written (then queue.db is as it was). */
gboolean kiosk_queue_salvage (const char         *data_dir,
                              const char         *problem,
                              KioskQueueSalvage **salvage_out,
                              GError            **error);

/* The damage records of @data_dir not yet acknowledged (an array of
 * KioskQueueSalvage, empty when there is none). A record that cannot be
 * read is reported as one record with kept_path NULL and the reason in
 * problem: monitoring never goes back to "ok" because the record is
 * unreadable. */
GPtrArray *kiosk_queue_damage_load (const char *data_dir);

/* Staff have looked: the damage records are renamed to
 * queue-damage.acknowledged-YYYYMMDDTHHMMSSZ (kept) and damaged
 * applications in @queue (may be NULL) are marked acknowledged. The kept
 * damaged files stay. @n_records and @n_applications (may be NULL)
 * receive what was acknowledged. */
gboolean kiosk_queue_damage_acknowledge (const char  *data_dir,
                                         KioskQueue  *queue,
                                         guint       *n_records,
                                         guint64     *n_applications,
                                         GError     **error);

/* For the clerk panel and status: NULL when nothing needs a person;
 * otherwise one English sentence for staff about the queue's damage (the
 * damage records not yet acknowledged and @counts' damaged
 * applications, may be NULL). */
char *kiosk_queue_describe_damage (const char             *data_dir,
                                   const KioskQueueCounts *counts);

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
 * their ciphertexts and attachments. Each ciphertext is checked against
 * the SHA-256 kept at enqueue: an application whose ciphertext no longer
 * matches is not returned but becomes failed and damaged (never sent; a
 * warning is logged with its reference). Nothing else is changed. */
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
/* submitted → deleted: the Zustelldienst deleted the submission before
 * the authority fetched it (its delete-submission event); @reason (may be
 * NULL) goes to last_error. Final: the visitor must apply again. */
gboolean    kiosk_queue_mark_deleted   (KioskQueue  *queue,
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
 * next attempt. A damaged application cannot be retried
 * (KIOSK_QUEUE_ERROR_STATE). */
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
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskQueueSalvage, kiosk_queue_salvage_free)

G_END_DECLS
