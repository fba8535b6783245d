/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared between the queue's files (queue*.c), not public: the
 * connection's struct and the helpers more than one file uses. */

#include <glib.h>
#include <sqlite3.h>

#include <antragskiosk/queue.h>

G_BEGIN_DECLS

#define _KIOSK_QUEUE_DAMAGE_RECORD_NAME "queue-damage"
#define _KIOSK_QUEUE_SALVAGE_NAME "queue.db.salvage"
#define _KIOSK_QUEUE_HASH_LENGTH 32

/* The reason stored with an application whose ciphertext is damaged. */
#define _KIOSK_QUEUE_DAMAGED_REASON "the stored ciphertext is damaged (it no longer matches the SHA-256 kept " \
                                    "when it was stored); it is never sent: ask the citizen to submit it again"

struct _KioskQueue {
  sqlite3         *db;
  char            *data_dir;
  char            *path;
  char            *recovered_from;
  KioskQueueSalvage *salvage;
  gint64           schema_version;
  gboolean         read_only;
  guint            busy_timeout_ms;
  KioskQueueClock  clock;
  gpointer         clock_data;
  GHashTable      *statements;   /* const char *sql (static) → sqlite3_stmt* */
};

/* ---- queue-sql.c ---- */

/* What did not happen when a call failed: the end of its message. */
typedef enum {
  _KIOSK_QUEUE_DID_READ,
  _KIOSK_QUEUE_DID_STORE,
  _KIOSK_QUEUE_DID_CHANGE,
  _KIOSK_QUEUE_DID_OPEN,
} _KioskQueueConsequence;

/* Turns an SQLite result code into a GError a person can act on. */
void          _kiosk_queue_set_sqlite_error  (KioskQueue              *queue,
                                              GError                 **error,
                                              int                      rc,
                                              _KioskQueueConsequence   consequence);

/* A prepared statement for @sql (a string literal: its address is the
 * key), reset and unbound; NULL with *@rc_out set when it cannot be
 * prepared. Owned by @queue. */
sqlite3_stmt *_kiosk_queue_statement         (KioskQueue   *queue,
                                              const char   *sql,
                                              int          *rc_out);

/* The GDestroyNotify of queue->statements (sqlite3_finalize). */
void          _kiosk_queue_finalize_statement (gpointer     data);

/* Runs a statement without results; the statement is reset afterwards.
 * SQLITE_OK or the error. */
int           _kiosk_queue_step_done         (sqlite3_stmt *stmt);

/* BEGIN IMMEDIATE, BEGIN DEFERRED, COMMIT; ROLLBACK when a transaction is
 * open. */
int           _kiosk_queue_begin_write       (KioskQueue   *queue);
int           _kiosk_queue_begin_read        (KioskQueue   *queue);
int           _kiosk_queue_commit            (KioskQueue   *queue);
void          _kiosk_queue_rollback          (KioskQueue   *queue);

/* A column as milliseconds (0 for NULL) or as a copy of its text. */
gint64        _kiosk_queue_column_ms         (sqlite3_stmt *stmt,
                                              int           column);
char         *_kiosk_queue_column_text       (sqlite3_stmt *stmt,
                                              int           column);

/* Runs @sql (a pragma) with a statement of its own; *@result (may be NULL)
 * gets the first column of the first row. */
int           _kiosk_queue_exec_pragma       (KioskQueue   *queue,
                                              const char   *sql,
                                              char        **result);
int           _kiosk_queue_read_user_version (KioskQueue   *queue,
                                              gint64       *version);

/* ---- queue-ciphertext.c ---- */

/* The hash of an application's two ciphertexts, or of one attachment's
 * (@second NULL). */
void          _kiosk_queue_ciphertext_hash   (const char   *first,
                                              const char   *second,
                                              guint8        digest[_KIOSK_QUEUE_HASH_LENGTH]);

/* TRUE when @first, @second (as in _kiosk_queue_ciphertext_hash()) match
 * the stored hash (a BLOB of 32 bytes) or when no hash is stored. */
gboolean      _kiosk_queue_hash_matches      (const void   *stored,
                                              int           stored_length,
                                              const char   *first,
                                              const char   *second);

/* SQL: kiosk_sha256 (text, …), registered on each writing connection. */
void          _kiosk_queue_sql_sha256        (sqlite3_context  *context,
                                              int               argc,
                                              sqlite3_value   **argv);

/* Five base64url parts: a compact JWE (not a cryptographic check). */
gboolean      _kiosk_queue_looks_like_compact_jwe (const char *text);

/* ---- queue-schema.c ---- */

/* Brings the file to KIOSK_QUEUE_SCHEMA_VERSION (a read-only queue is
 * only looked at) and sets queue->schema_version. */
gboolean      _kiosk_queue_migrate           (KioskQueue   *queue,
                                              GError      **error);

/* ---- queue-open.c ---- */

/* Opens @data_dir/@name. Only a queue that may be created (no _NO_CREATE,
 * no _READ_ONLY) and is queue.db itself is salvaged when it is damaged. */
KioskQueue   *_kiosk_queue_open_file         (const char           *data_dir,
                                              const char           *name,
                                              KioskQueueOpenFlags   flags,
                                              GError              **error);

/* TRUE when the file at @path is empty or starts like an SQLite database. */
gboolean      _kiosk_queue_has_sqlite_header (const char   *path);

/* ---- queue.c ---- */

/* Canonical reference from what a caller passed, or NULL with
 * KIOSK_QUEUE_ERROR_INVALID. */
char         *_kiosk_queue_canonical_reference (const char  *reference,
                                                GError     **error);

/* KIOSK_QUEUE_ERROR_NOT_FOUND for @reference. */
void          _kiosk_queue_set_not_found     (GError     **error,
                                              const char  *reference);

/* ---- queue-salvage.c ---- */

/* @base-@stamp, or @base-@stamp-N for the first N from 2 that is free. */
char         *_kiosk_queue_unique_name       (const char   *base,
                                              const char   *stamp);

/* fsync() of the directory @dir (errors ignored). */
void          _kiosk_queue_sync_directory    (const char   *dir);

/* ---- queue-damage.c ---- */

/* Appends the record of @salvage as group @group to @data_dir/queue-damage. */
gboolean      _kiosk_queue_append_damage_record (const char               *data_dir,
                                                 const KioskQueueSalvage  *salvage,
                                                 const char               *group,
                                                 GError                  **error);

G_END_DECLS
