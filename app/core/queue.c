/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-queue"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <openssl/evp.h>

#include <antragskiosk/file.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/reference.h>

G_DEFINE_QUARK (kiosk-queue-error-quark, kiosk_queue_error)

#define DEFAULT_BUSY_TIMEOUT_MS 5000
#define MAX_ERROR_TEXT 1000
#define DAY_MS ((gint64) 24 * 60 * 60 * 1000)
#define DAMAGE_RECORD_NAME "queue-damage"
#define SALVAGE_NAME "queue.db.salvage"
#define SALVAGE_LOCK_NAME "queue.salvage-lock"
#define MAX_DAMAGE_RECORD (1024 * 1024)

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

static const char *const state_names[KIOSK_QUEUE_N_STATES] = {
  "queued", "created", "submitted", "accepted", "rejected", "failed",
};

const char *
kiosk_queue_state_to_string (KioskQueueState state)
{
  if ((guint) state >= KIOSK_QUEUE_N_STATES)
    return "unknown";
  return state_names[state];
}

gboolean
kiosk_queue_state_from_string (const char      *name,
                               KioskQueueState *state)
{
  for (guint i = 0; name != NULL && i < KIOSK_QUEUE_N_STATES; i++)
    {
      if (strcmp (name, state_names[i]) == 0)
        {
          if (state != NULL)
            *state = (KioskQueueState) i;
          return TRUE;
        }
    }
  return FALSE;
}

/* ---- schema ---- */

/* migrations[i] takes the schema from version i to i + 1. Append only;
 * never change a released step. Each runs in its own transaction together
 * with PRAGMA user_version and a row in schema_log. */
static const char *const migrations[] = {
  /* 0 → 1: the tables. The ciphertexts live apart from the bookkeeping so
   * that status and listings never touch them. */
  "CREATE TABLE schema_log ("
  "  version     INTEGER PRIMARY KEY,"
  "  applied_ms  INTEGER NOT NULL);"
  "CREATE TABLE applications ("
  "  seq                 INTEGER PRIMARY KEY,"
  "  id                  TEXT NOT NULL UNIQUE,"
  "  reference           TEXT NOT NULL UNIQUE,"
  "  form_id             TEXT NOT NULL,"
  "  form_version        TEXT NOT NULL,"
  "  destination_name    TEXT NOT NULL,"
  "  destination_id      TEXT NOT NULL,"
  "  created_ms          INTEGER NOT NULL,"
  "  state               TEXT NOT NULL CHECK (state IN ('queued','created','submitted',"
  "                                                     'accepted','rejected','failed')),"
  "  attempts            INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_ms     INTEGER NOT NULL,"
  "  submission_id       TEXT,"
  "  case_id             TEXT,"
  "  platform_created_ms INTEGER,"
  "  submitted_ms        INTEGER,"
  "  decided_ms          INTEGER,"
  "  last_error          TEXT,"
  "  updated_ms          INTEGER NOT NULL,"
  "  purged_ms           INTEGER,"
  "  n_attachments       INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE ciphertexts ("
  "  app           INTEGER PRIMARY KEY REFERENCES applications (seq) ON DELETE CASCADE,"
  "  metadata_jwe  TEXT NOT NULL CHECK (length (metadata_jwe) > 0),"
  "  data_jwe      TEXT NOT NULL CHECK (length (data_jwe) > 0));"
  "CREATE TABLE attachments ("
  "  app            INTEGER NOT NULL REFERENCES applications (seq) ON DELETE CASCADE,"
  "  position       INTEGER NOT NULL,"
  "  attachment_id  TEXT NOT NULL,"
  "  purpose        TEXT NOT NULL CHECK (purpose IN ('form','attachment','report')),"
  "  mime_type      TEXT NOT NULL,"
  "  ciphertext     TEXT NOT NULL CHECK (length (ciphertext) > 0),"
  "  PRIMARY KEY (app, position));",

  /* 1 → 2: indexes for status (counts, oldest pending), the sync worker's
   * due list, and purge. */
  "CREATE INDEX applications_state ON applications (state, created_ms);"
  "CREATE INDEX applications_due ON applications (next_attempt_ms)"
  "  WHERE state IN ('queued','created');"
  "CREATE INDEX applications_purged ON applications (purged_ms)"
  "  WHERE purged_ms IS NOT NULL;",

  /* 2 → 3: fewer B-trees written per enqueue (six WAL pages instead of
   * nine). The ciphertexts move into the application's row (after the
   * bookkeeping columns, so that listings never read their overflow
   * pages), the id loses its UNIQUE index (a random UUIDv4 that nothing
   * looks up), and the due index is folded into the state index. A CHECK
   * makes "a row has both ciphertexts unless it is a tombstone" part of
   * the schema. `ciphertexts` stays as a read-only view for tools that read
   * the file. migrate() runs this with foreign_keys off: dropping the old
   * table must not cascade to the attachments. */
  "CREATE TABLE applications_v3 ("
  "  seq                 INTEGER PRIMARY KEY,"
  "  id                  TEXT NOT NULL,"
  "  reference           TEXT NOT NULL UNIQUE,"
  "  form_id             TEXT NOT NULL,"
  "  form_version        TEXT NOT NULL,"
  "  destination_name    TEXT NOT NULL,"
  "  destination_id      TEXT NOT NULL,"
  "  created_ms          INTEGER NOT NULL,"
  "  state               TEXT NOT NULL CHECK (state IN ('queued','created','submitted',"
  "                                                     'accepted','rejected','failed')),"
  "  attempts            INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_ms     INTEGER NOT NULL,"
  "  submission_id       TEXT,"
  "  case_id             TEXT,"
  "  platform_created_ms INTEGER,"
  "  submitted_ms        INTEGER,"
  "  decided_ms          INTEGER,"
  "  last_error          TEXT,"
  "  updated_ms          INTEGER NOT NULL,"
  "  purged_ms           INTEGER,"
  "  n_attachments       INTEGER NOT NULL DEFAULT 0,"
  "  metadata_jwe        TEXT CHECK (metadata_jwe <> ''),"
  "  data_jwe            TEXT CHECK (data_jwe <> ''),"
  "  CHECK ((purged_ms IS NULL) = (metadata_jwe IS NOT NULL AND data_jwe IS NOT NULL)));"
  "INSERT INTO applications_v3"
  "  SELECT a.seq, a.id, a.reference, a.form_id, a.form_version, a.destination_name,"
  "         a.destination_id, a.created_ms, a.state, a.attempts, a.next_attempt_ms,"
  "         a.submission_id, a.case_id, a.platform_created_ms, a.submitted_ms, a.decided_ms,"
  "         a.last_error, a.updated_ms, a.purged_ms, a.n_attachments,"
  "         CASE WHEN a.purged_ms IS NULL THEN c.metadata_jwe END,"
  "         CASE WHEN a.purged_ms IS NULL THEN c.data_jwe END"
  "  FROM applications a LEFT JOIN ciphertexts c ON c.app = a.seq ORDER BY a.seq;"
  "DROP TABLE ciphertexts;"
  "DROP TABLE applications;"
  "ALTER TABLE applications_v3 RENAME TO applications;"
  "CREATE INDEX applications_state ON applications (state, created_ms, next_attempt_ms);"
  "CREATE INDEX applications_purged ON applications (purged_ms)"
  "  WHERE purged_ms IS NOT NULL;"
  "CREATE VIEW ciphertexts (app, metadata_jwe, data_jwe) AS"
  "  SELECT seq, metadata_jwe, data_jwe FROM applications WHERE purged_ms IS NULL;",

  /* 3 → 4: the SHA-256 of each stored ciphertext, kept at enqueue and
   * checked before sending (a flipped byte is reported, never sent), and
   * the applications found damaged. ADD COLUMN appends after the
   * ciphertexts (no rebuild, the file is not rewritten); only the sync
   * worker reads the hash, together with the ciphertexts. Applications
   * still to be sent (queued, created, failed) get the hash of what is
   * stored now: damage from before the upgrade cannot be told any more,
   * damage after it is caught. Those handed over are never sent again and
   * get none. The damaged ones live in a table of their own so that
   * listings keep reading only the front of each row. kiosk_sha256() is
   * an SQL function of this connection (connect_db). */
  "ALTER TABLE applications ADD COLUMN ciphertext_sha256 BLOB;"
  "ALTER TABLE attachments ADD COLUMN ciphertext_sha256 BLOB;"
  "CREATE TABLE damaged_applications ("
  "  app              INTEGER PRIMARY KEY REFERENCES applications (seq) ON DELETE CASCADE,"
  "  damaged_ms       INTEGER NOT NULL,"
  "  acknowledged_ms  INTEGER,"
  "  reason           TEXT NOT NULL);"
  "UPDATE applications SET ciphertext_sha256 = kiosk_sha256 (metadata_jwe, data_jwe)"
  "  WHERE purged_ms IS NULL AND state IN ('queued','created','failed');"
  "UPDATE attachments SET ciphertext_sha256 = kiosk_sha256 (ciphertext)"
  "  WHERE app IN (SELECT seq FROM applications"
  "                WHERE purged_ms IS NULL AND state IN ('queued','created','failed'));",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == KIOSK_QUEUE_SCHEMA_VERSION);

/* ---- errors ---- */

typedef enum {
  DID_READ,
  DID_STORE,
  DID_CHANGE,
  DID_OPEN,
} Consequence;

static const char *
consequence_text (Consequence consequence)
{
  switch (consequence)
    {
    case DID_STORE:
      return _("nothing was stored");
    case DID_CHANGE:
      return _("nothing was changed");
    case DID_OPEN:
      return _("the queue was not opened");
    case DID_READ:
    default:
      return _("nothing could be read");
    }
}

static KioskQueueError
classify (int rc,
          int sys_errno)
{
  if (sys_errno == ENOSPC || sys_errno == EDQUOT)
    return KIOSK_QUEUE_ERROR_FULL;
  if (sys_errno == EROFS || sys_errno == EACCES || sys_errno == EPERM)
    {
      if ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY)
        return KIOSK_QUEUE_ERROR_READ_ONLY;
    }
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return KIOSK_QUEUE_ERROR_FULL;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return KIOSK_QUEUE_ERROR_READ_ONLY;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return KIOSK_QUEUE_ERROR_LOCKED;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return KIOSK_QUEUE_ERROR_CORRUPT;
    case SQLITE_IOERR:
      return KIOSK_QUEUE_ERROR_IO;
    case SQLITE_CANTOPEN:
      return KIOSK_QUEUE_ERROR_OPEN;
    default:
      return KIOSK_QUEUE_ERROR_FAILED;
    }
}

/* Turns an SQLite result code into a GError a person can act on. */
static void
set_sqlite_error (KioskQueue   *queue,
                  GError      **error,
                  int           rc,
                  Consequence   consequence)
{
  int sys_errno = queue->db != NULL ? sqlite3_system_errno (queue->db) : 0;
  KioskQueueError code = classify (rc, sys_errno);
  const char *what = consequence_text (consequence);
  const char *detail = sqlite3_errstr (rc);

  /* SQLite often says only "cannot open" (e.g. the -shm file cannot be
   * created): ask the file system whether it is read-only. */
  if ((code == KIOSK_QUEUE_ERROR_OPEN || code == KIOSK_QUEUE_ERROR_IO || code == KIOSK_QUEUE_ERROR_FAILED)
      && access (queue->data_dir, W_OK) != 0 && (errno == EROFS || errno == EACCES))
    code = KIOSK_QUEUE_ERROR_READ_ONLY;

  switch (code)
    {
    case KIOSK_QUEUE_ERROR_FULL:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue’s disk is full; %s. Free space on the file system that "
                     "holds %s, then try again."), what, queue->data_dir);
      break;
    case KIOSK_QUEUE_ERROR_READ_ONLY:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue cannot be written: %s is read-only or not writable for "
                     "this user; %s. Check the file system and the owner of the files there."),
                   queue->data_dir, what);
      break;
    case KIOSK_QUEUE_ERROR_LOCKED:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue is locked by another program and stayed locked for %u ms; "
                     "%s. Try again; if it persists, find the process that holds %s open."),
                   queue->busy_timeout_ms, what, queue->path);
      break;
    case KIOSK_QUEUE_ERROR_CORRUPT:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue file %s is damaged; %s. Run “antragskiosk-ctl queue salvage” "
                     "(the kiosk and antragskiosk-ctl sync also do it when they start): it "
                     "carries every readable application into a fresh queue and keeps the "
                     "damaged file."), queue->path, what);
      break;
    case KIOSK_QUEUE_ERROR_IO:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue’s disk reported an input/output error (%s%s%s); %s. Check "
                     "the disk (kernel log) and try again."),
                   detail, sys_errno != 0 ? ": " : "", sys_errno != 0 ? g_strerror (sys_errno) : "",
                   what);
      break;
    case KIOSK_QUEUE_ERROR_OPEN:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue file %s cannot be opened (%s); %s. Check that the directory "
                     "exists and is writable for this user."),
                   queue->path, sys_errno != 0 ? g_strerror (sys_errno) : detail, what);
      break;
    default:
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_FAILED,
                   _("The queue reported an error (%s); %s."), detail, what);
      break;
    }
}

/* ---- statements ---- */

/* A prepared statement for @sql (a string literal: its address is the
 * key), reset and unbound. */
static sqlite3_stmt *
statement (KioskQueue  *queue,
           const char  *sql,
           int         *rc_out)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (queue->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      *rc_out = SQLITE_OK;
      return stmt;
    }
  rc = sqlite3_prepare_v3 (queue->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  *rc_out = rc;
  if (rc != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      return NULL;
    }
  g_hash_table_insert (queue->statements, (gpointer) sql, stmt);
  return stmt;
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

/* Runs a statement without results; the statement is reset afterwards. */
static int
step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int
exec_simple (KioskQueue *queue,
             const char *sql)
{
  int rc;
  sqlite3_stmt *stmt = statement (queue, sql, &rc);

  if (stmt == NULL)
    return rc;
  return step_done (stmt);
}

static int
begin_write (KioskQueue *queue)
{
  return exec_simple (queue, "BEGIN IMMEDIATE");
}

static int
begin_read (KioskQueue *queue)
{
  return exec_simple (queue, "BEGIN DEFERRED");
}

static int
commit (KioskQueue *queue)
{
  return exec_simple (queue, "COMMIT");
}

static void
rollback (KioskQueue *queue)
{
  if (!sqlite3_get_autocommit (queue->db))
    {
      int rc = sqlite3_exec (queue->db, "ROLLBACK", NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        g_debug ("ROLLBACK: %s", sqlite3_errstr (rc));
    }
}

static gint64
column_ms (sqlite3_stmt *stmt,
           int           column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, column);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

/* ---- ciphertext hashes ---- */

#define HASH_LENGTH 32

/* SHA-256 over the parts, each preceded by its length (8 bytes, big
 * endian), so that no two different lists of parts hash alike. */
static void
hash_parts (const char *const *parts,
            const gsize       *lengths,
            guint              n_parts,
            guint8             digest[HASH_LENGTH])
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  unsigned int n = HASH_LENGTH;

  if (ctx == NULL || EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL) != 1)
    g_error ("OpenSSL cannot compute SHA-256 (out of memory)");
  for (guint i = 0; i < n_parts; i++)
    {
      guint8 prefix[8];
      guint64 length = lengths[i];

      for (guint b = 0; b < 8; b++)
        prefix[b] = (guint8) (length >> (56 - 8 * b));
      EVP_DigestUpdate (ctx, prefix, sizeof prefix);
      EVP_DigestUpdate (ctx, parts[i], lengths[i]);
    }
  EVP_DigestFinal_ex (ctx, digest, &n);
  EVP_MD_CTX_free (ctx);
}

/* The hash of an application's two ciphertexts, or of one attachment's
 * (@second NULL). */
static void
ciphertext_hash (const char *first,
                 const char *second,
                 guint8      digest[HASH_LENGTH])
{
  const char *parts[2] = { first, second };
  gsize lengths[2] = { strlen (first), second != NULL ? strlen (second) : 0 };

  hash_parts (parts, lengths, second != NULL ? 2 : 1, digest);
}

/* TRUE when @text (@first, @second as in ciphertext_hash) matches the
 * stored hash (a BLOB of 32 bytes) or when no hash is stored (an
 * application stored before schema 4 and already handed over). */
static gboolean
hash_matches (const void *stored,
              int         stored_length,
              const char *first,
              const char *second)
{
  guint8 digest[HASH_LENGTH];

  if (stored == NULL)
    return TRUE;
  if (stored_length != HASH_LENGTH || first == NULL)
    return FALSE;
  ciphertext_hash (first, second, digest);
  return memcmp (digest, stored, HASH_LENGTH) == 0;
}

/* SQL: kiosk_sha256 (text, …) → the hash of the texts as hash_parts()
 * computes it; NULL when an argument is NULL. Used by the 3 → 4 migration. */
static void
sql_sha256 (sqlite3_context  *context,
            int               argc,
            sqlite3_value   **argv)
{
  const char *parts[2];
  gsize lengths[2];
  guint8 digest[HASH_LENGTH];

  if (argc < 1 || argc > 2)
    {
      sqlite3_result_error (context, "kiosk_sha256 takes one or two texts", -1);
      return;
    }
  for (int i = 0; i < argc; i++)
    {
      if (sqlite3_value_type (argv[i]) == SQLITE_NULL)
        {
          sqlite3_result_null (context);
          return;
        }
      parts[i] = (const char *) sqlite3_value_text (argv[i]);
      lengths[i] = (gsize) sqlite3_value_bytes (argv[i]);
      if (parts[i] == NULL)
        {
          sqlite3_result_error_nomem (context);
          return;
        }
    }
  hash_parts (parts, lengths, (guint) argc, digest);
  sqlite3_result_blob (context, digest, HASH_LENGTH, SQLITE_TRANSIENT);
}

/* ---- small types ---- */

KioskQueueAttachment *
kiosk_queue_attachment_new (const char *attachment_id,
                            const char *purpose,
                            const char *mime_type,
                            const char *ciphertext)
{
  KioskQueueAttachment *attachment = g_new0 (KioskQueueAttachment, 1);

  attachment->attachment_id = g_strdup (attachment_id);
  attachment->purpose = g_strdup (purpose);
  attachment->mime_type = g_strdup (mime_type);
  attachment->ciphertext = g_strdup (ciphertext);
  return attachment;
}

void
kiosk_queue_attachment_free (KioskQueueAttachment *attachment)
{
  if (attachment == NULL)
    return;
  g_free (attachment->attachment_id);
  g_free (attachment->purpose);
  g_free (attachment->mime_type);
  g_free (attachment->ciphertext);
  g_free (attachment);
}

void
kiosk_queue_item_free (KioskQueueItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->reference);
  g_free (item->form_id);
  g_free (item->form_version);
  g_free (item->destination_name);
  g_free (item->destination_id);
  g_free (item->submission_id);
  g_free (item->case_id);
  g_free (item->last_error);
  g_free (item->metadata_jwe);
  g_free (item->data_jwe);
  g_clear_pointer (&item->attachments, g_ptr_array_unref);
  g_free (item);
}

void
kiosk_queue_retention_init (KioskQueueRetention *retention)
{
  retention->purge_after = KIOSK_QUEUE_STATE_ACCEPTED;
  retention->keep_days = 0;
  retention->tombstone_days = 90;
}

static gboolean
read_days (GKeyFile    *keyfile,
           const char  *key,
           guint       *days,
           GError     **error)
{
  g_autoptr(GError) local = NULL;
  gint64 value;

  if (!g_key_file_has_key (keyfile, "queue", key, NULL))
    return TRUE;
  value = g_key_file_get_int64 (keyfile, "queue", key, &local);
  if (local != NULL || value < 0 || value > 36500)
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID,
                   _("[queue] %s must be a number of days from 0 to 36500."), key);
      return FALSE;
    }
  *days = (guint) value;
  return TRUE;
}

gboolean
kiosk_queue_retention_from_keyfile (GKeyFile            *keyfile,
                                    KioskQueueRetention *retention,
                                    GError             **error)
{
  KioskQueueRetention result;

  kiosk_queue_retention_init (&result);
  if (keyfile != NULL && g_key_file_has_group (keyfile, "queue"))
    {
      g_autofree char *after = g_key_file_get_string (keyfile, "queue", "purge_after", NULL);

      if (after != NULL)
        {
          g_strstrip (after);
          if (strcmp (after, "submitted") == 0)
            result.purge_after = KIOSK_QUEUE_STATE_SUBMITTED;
          else if (strcmp (after, "accepted") == 0)
            result.purge_after = KIOSK_QUEUE_STATE_ACCEPTED;
          else
            {
              g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID,
                           _("[queue] purge_after must be “submitted” or “accepted”."));
              return FALSE;
            }
        }
      if (!read_days (keyfile, "keep_days", &result.keep_days, error)
          || !read_days (keyfile, "tombstone_days", &result.tombstone_days, error))
        return FALSE;
    }
  *retention = result;
  return TRUE;
}

/* ---- clock ---- */

gint64
kiosk_queue_now_ms (KioskQueue *queue)
{
  if (queue->clock != NULL)
    return queue->clock (queue->clock_data);
  return g_get_real_time () / 1000;
}

void
kiosk_queue_set_clock (KioskQueue      *queue,
                       KioskQueueClock  clock,
                       gpointer         user_data)
{
  g_return_if_fail (queue != NULL);
  queue->clock = clock;
  queue->clock_data = user_data;
}

void
kiosk_queue_set_busy_timeout (KioskQueue *queue,
                              guint       timeout_ms)
{
  g_return_if_fail (queue != NULL);
  queue->busy_timeout_ms = timeout_ms;
  sqlite3_busy_timeout (queue->db, (int) MIN (timeout_ms, (guint) G_MAXINT));
}

const char *
kiosk_queue_get_path (KioskQueue *queue)
{
  g_return_val_if_fail (queue != NULL, NULL);
  return queue->path;
}

const char *
kiosk_queue_get_recovered_from (KioskQueue *queue)
{
  g_return_val_if_fail (queue != NULL, NULL);
  return queue->recovered_from;
}

/* ---- open ---- */

static void
close_db (KioskQueue *queue)
{
  g_hash_table_remove_all (queue->statements);
  if (queue->db != NULL)
    {
      int rc = sqlite3_close (queue->db);

      if (rc != SQLITE_OK)
        g_debug ("sqlite3_close: %s", sqlite3_errstr (rc));
      queue->db = NULL;
    }
}

void
kiosk_queue_close (KioskQueue *queue)
{
  if (queue == NULL)
    return;
  close_db (queue);
  g_hash_table_unref (queue->statements);
  g_free (queue->data_dir);
  g_free (queue->path);
  g_free (queue->recovered_from);
  kiosk_queue_salvage_free (queue->salvage);
  g_free (queue);
}

void
kiosk_queue_salvage_free (KioskQueueSalvage *salvage)
{
  if (salvage == NULL)
    return;
  g_free (salvage->kept_path);
  g_free (salvage->problem);
  g_free (salvage);
}

const KioskQueueSalvage *
kiosk_queue_get_salvage (KioskQueue *queue)
{
  g_return_val_if_fail (queue != NULL, NULL);
  return queue->salvage;
}

/* Why the file cannot be used as a queue, or NULL when it can. The result
 * of the check names pages and tables, never content. */
typedef enum {
  FILE_OK,
  FILE_CORRUPT,
  FILE_ERROR,   /* another error: rc is set */
} FileVerdict;

static FileVerdict
run_check (KioskQueue  *queue,
           gboolean     full,
           int         *rc_out,
           char       **problem)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (queue->db, full ? "PRAGMA integrity_check(1)" : "PRAGMA quick_check(1)",
                               -1, &stmt, NULL);
  FileVerdict verdict = FILE_OK;

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          const char *result = (const char *) sqlite3_column_text (stmt, 0);

          if (result == NULL || strcmp (result, "ok") != 0)
            {
              verdict = FILE_CORRUPT;
              *problem = g_strndup (result != NULL ? result : "no result", 200);
            }
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);
  if (verdict == FILE_OK && rc != SQLITE_OK && rc != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
        {
          *problem = g_strdup (sqlite3_errstr (rc));
          return FILE_CORRUPT;
        }
      *rc_out = rc;
      return FILE_ERROR;
    }
  return verdict;
}

static int
exec_pragma (KioskQueue  *queue,
             const char  *sql,
             char       **result)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (queue->db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          if (result != NULL)
            *result = column_text (stmt, 0);
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  return rc;
}

static int
read_user_version (KioskQueue *queue,
                   gint64     *version)
{
  g_autofree char *text = NULL;
  int rc = exec_pragma (queue, "PRAGMA user_version", &text);

  if (rc == SQLITE_OK)
    *version = text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
  return rc;
}

static gboolean
migrate (KioskQueue  *queue,
         GError     **error)
{
  g_autofree char *problem = NULL;
  gint64 version = 0;
  int rc = read_user_version (queue, &version);

  if (rc != SQLITE_OK)
    goto failed;
  if (queue->read_only && version <= KIOSK_QUEUE_SCHEMA_VERSION)
    {
      /* Nothing is changed: schema 3 is read as it is (an empty
       * damaged_applications in the connection's own temp schema stands in
       * for the table of schema 4); older files need the kiosk first. */
      if (version < 3)
        {
          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_OPEN,
                       _("The queue file %s has schema version %d, older than this program "
                         "reads without changing it; it was left untouched. Start the kiosk or "
                         "run “antragskiosk-ctl sync --once” once to bring it up to date."),
                       queue->path, (int) version);
          return FALSE;
        }
      if (version == 3)
        {
          rc = sqlite3_exec (queue->db, "CREATE TEMP TABLE damaged_applications ("
                                        "app INTEGER PRIMARY KEY, damaged_ms INTEGER NOT NULL, "
                                        "acknowledged_ms INTEGER, reason TEXT NOT NULL)", NULL, NULL, NULL);
          if (rc != SQLITE_OK)
            goto failed;
        }
      queue->schema_version = version;
      return TRUE;
    }
  if (version > KIOSK_QUEUE_SCHEMA_VERSION)
    {
      g_autofree char *found = g_strdup_printf ("%" G_GINT64_FORMAT, version);

      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_TOO_NEW,
                   _("The queue file %s was written by a newer version of Antragskiosk "
                     "(schema %s, this version knows %d); it was left untouched. Install "
                     "the newer version again."),
                   queue->path, found, KIOSK_QUEUE_SCHEMA_VERSION);
      return FALSE;
    }

  /* A step may rebuild a table (2 → 3): dropping the old one must not
   * cascade to the rows that refer to it. foreign_keys cannot change
   * inside a transaction; each step checks the keys before it commits. */
  if (version < KIOSK_QUEUE_SCHEMA_VERSION)
    {
      rc = exec_pragma (queue, "PRAGMA foreign_keys = OFF", NULL);
      if (rc != SQLITE_OK)
        goto failed;
    }
  while (version < KIOSK_QUEUE_SCHEMA_VERSION)
    {
      g_autofree char *set_version = NULL;
      g_autofree char *log_row = NULL;
      g_autofree char *dangling = NULL;

      /* Another connection may be migrating at the same moment: decide
       * under the write lock. */
      rc = sqlite3_exec (queue->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        goto failed;
      rc = read_user_version (queue, &version);
      if (rc != SQLITE_OK)
        goto failed;
      if (version >= KIOSK_QUEUE_SCHEMA_VERSION)
        {
          rc = sqlite3_exec (queue->db, "COMMIT", NULL, NULL, NULL);
          if (rc != SQLITE_OK)
            goto failed;
          break;
        }
      rc = sqlite3_exec (queue->db, migrations[version], NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        goto failed;
      rc = exec_pragma (queue, "PRAGMA foreign_key_check", &dangling);
      if (rc == SQLITE_OK && dangling != NULL)
        {
          rc = SQLITE_CONSTRAINT_FOREIGNKEY;
          problem = g_strdup_printf ("a row of %s refers to a missing row", dangling);
        }
      if (rc != SQLITE_OK)
        goto failed;
      set_version = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, version + 1);
      rc = sqlite3_exec (queue->db, set_version, NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        goto failed;
      log_row = g_strdup_printf ("INSERT INTO schema_log (version, applied_ms) VALUES (%" G_GINT64_FORMAT
                                 ", %" G_GINT64_FORMAT ")", version + 1, kiosk_queue_now_ms (queue));
      rc = sqlite3_exec (queue->db, log_row, NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        goto failed;
      rc = sqlite3_exec (queue->db, "COMMIT", NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        goto failed;
      g_debug ("queue schema migrated to version %" G_GINT64_FORMAT, version + 1);
      version++;
    }
  rc = exec_pragma (queue, "PRAGMA foreign_keys = ON", NULL);
  if (rc != SQLITE_OK)
    goto failed;
  queue->schema_version = KIOSK_QUEUE_SCHEMA_VERSION;
  return TRUE;

failed:
  if ((rc & 0xff) == SQLITE_CONSTRAINT && problem == NULL)
    problem = g_strdup (sqlite3_errmsg (queue->db));
  rollback (queue);
  exec_pragma (queue, "PRAGMA foreign_keys = ON", NULL);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      /* The old file breaks a rule of the new schema (e.g. a row without
       * its ciphertexts): the step was undone, the file is as it was. */
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT,
                   _("The queue file %s is inconsistent (%s) and cannot be brought to "
                     "schema version %d; it was left unchanged and the queue was not opened. "
                     "Keep the file for a person to look at, and move it aside to start a "
                     "fresh queue."),
                   queue->path, problem, (int) version + 1);
      return FALSE;
    }
  set_sqlite_error (queue, error, rc, DID_OPEN);
  return FALSE;
}

/* Renames @path and its -wal and -shm files to @target (and its -wal,
 * -shm): the side files first, so that a leftover -wal is never replayed
 * into a fresh queue.db. */
static gboolean
move_files (const char  *path,
            const char  *target,
            GError     **error)
{
  static const char *const suffixes[] = { "-wal", "-shm", "" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      if (g_rename (from, to) != 0 && (errno != ENOENT || *suffixes[i] == '\0'))
        {
          int saved = errno;

          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_READ_ONLY,
                       _("The queue file %s is damaged and cannot be moved aside (%s); "
                         "the queue was not opened. Move it away by hand."),
                       path, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

/* Opens the connection and applies the pragmas. Returns SQLITE_OK,
 * SQLITE_NOTADB/CORRUPT for a file that is not a usable database, or
 * another code. */
static int
connect_db (KioskQueue          *queue,
            KioskQueueOpenFlags  flags,
            char               **problem)
{
  g_autofree char *mode = NULL;
  int rc;

  if (queue->read_only)
    {
      gint64 version = 0;

      /* Read-only: SQLite changes nothing in the file; temporary tables
       * stay in memory. */
      g_autofree char *wal = g_strconcat (queue->path, "-wal", NULL);

      if (g_file_test (wal, G_FILE_TEST_EXISTS))
        rc = sqlite3_open_v2 (queue->path, &queue->db, SQLITE_OPEN_READONLY, NULL);
      else
        {
          /* No -wal: no connection has the file open (the last one to
           * close removes it). A read-only connection would create the
           * -wal and -shm and leave them behind; immutable reads the file
           * alone. A writer that starts meanwhile writes to its WAL, not
           * to this file, until a checkpoint. */
          g_autofree char *escaped = g_uri_escape_string (queue->path, "/", FALSE);
          g_autofree char *uri = g_strconcat ("file:", escaped, "?immutable=1", NULL);

          rc = sqlite3_open_v2 (uri, &queue->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
        }
      if (rc != SQLITE_OK)
        return rc;
      sqlite3_extended_result_codes (queue->db, 1);
      sqlite3_busy_timeout (queue->db, (int) queue->busy_timeout_ms);
      rc = exec_pragma (queue, "PRAGMA temp_store = MEMORY", NULL);
      /* the first read of the file: "not a database" shows here */
      if (rc == SQLITE_OK)
        rc = read_user_version (queue, &version);
      if (rc != SQLITE_OK)
        return rc;
      goto check;
    }

  rc = sqlite3_open_v2 (queue->path, &queue->db, SQLITE_OPEN_READWRITE, NULL);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_extended_result_codes (queue->db, 1);
  sqlite3_busy_timeout (queue->db, (int) queue->busy_timeout_ms);
  rc = sqlite3_create_function_v2 (queue->db, "kiosk_sha256", -1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   NULL, sql_sha256, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return rc;

  /* The first statement reads the header: "not a database" shows here. */
  rc = exec_pragma (queue, "PRAGMA journal_mode = WAL", &mode);
  if (rc != SQLITE_OK)
    return rc;
  if (mode == NULL || g_ascii_strcasecmp (mode, "wal") != 0)
    {
      /* WAL could not be set up (e.g. a file system without shared memory). */
      return SQLITE_CANTOPEN;
    }
  /* FULL: the WAL is synced at every commit, so a committed enqueue
   * survives a power failure. */
  rc = exec_pragma (queue, "PRAGMA synchronous = FULL", NULL);
  if (rc == SQLITE_OK)
    rc = exec_pragma (queue, "PRAGMA foreign_keys = ON", NULL);
  /* Deleted ciphertext is zeroed where that costs no extra I/O. */
  if (rc == SQLITE_OK)
    rc = exec_pragma (queue, "PRAGMA secure_delete = FAST", NULL);
  if (rc != SQLITE_OK)
    return rc;
  if (flags & KIOSK_QUEUE_OPEN_DEFER_CHECKPOINT)
    sqlite3_wal_autocheckpoint (queue->db, 4096);

check:
  if (!(flags & KIOSK_QUEUE_OPEN_NO_CHECK))
    {
      int check_rc = SQLITE_OK;

      switch (run_check (queue, (flags & KIOSK_QUEUE_OPEN_FULL_CHECK) != 0, &check_rc, problem))
        {
        case FILE_CORRUPT:
          return SQLITE_CORRUPT;
        case FILE_ERROR:
          return check_rc;
        case FILE_OK:
        default:
          break;
        }
    }
  return SQLITE_OK;
}

/* TRUE when the file at @path is empty or starts like an SQLite database.
 * Checked before SQLite opens it, so that SQLite never touches (replays,
 * checkpoints or deletes) the -wal beside a file that is something else. */
static gboolean
has_sqlite_header (const char *path)
{
  static const char magic[16] = "SQLite format 3";
  char header[16];
  ssize_t n;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    return TRUE;   /* SQLite will report why it cannot open it */
  n = read (fd, header, sizeof header);
  close (fd);
  if (n == 0)
    return TRUE;
  return n == (ssize_t) sizeof header && memcmp (header, magic, sizeof magic) == 0;
}

static gboolean
create_file (KioskQueue  *queue,
             GError     **error)
{
  int fd = g_open (queue->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0 && errno != EEXIST)
    {
      int saved = errno;

      g_set_error (error, KIOSK_QUEUE_ERROR,
                   saved == EROFS || saved == EACCES || saved == EPERM ? KIOSK_QUEUE_ERROR_READ_ONLY
                   : saved == ENOSPC || saved == EDQUOT ? KIOSK_QUEUE_ERROR_FULL
                   : KIOSK_QUEUE_ERROR_OPEN,
                   _("The queue file %s cannot be created (%s); the queue was not opened. "
                     "Check that the directory is writable for this user and the disk has space."),
                   queue->path, g_strerror (saved));
      return FALSE;
    }
  if (fd >= 0)
    close (fd);
  return TRUE;
}

KioskQueueOpenFlags
kiosk_queue_monitor_flags (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, "queue.db", NULL);
  GStatBuf st;

  if (g_stat (path, &st) == 0 && st.st_size > KIOSK_QUEUE_MONITOR_CHECK_MAX_BYTES)
    return KIOSK_QUEUE_OPEN_READ_ONLY | KIOSK_QUEUE_OPEN_NO_CHECK;
  return KIOSK_QUEUE_OPEN_READ_ONLY;
}

static KioskQueue *queue_open_file (const char *data_dir, const char *name,
                                     KioskQueueOpenFlags flags, GError **error);

/* A salvage that stopped between putting the damaged file aside and
 * putting the fresh queue in its place (the only window in which queue.db
 * is missing and a complete queue.db.salvage exists): finish it. */
static void
finish_interrupted_salvage (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, "queue.db", NULL);
  g_autofree char *fresh = g_build_filename (data_dir, SALVAGE_NAME, NULL);
  g_autofree char *record = g_build_filename (data_dir, DAMAGE_RECORD_NAME, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS) && g_file_test (fresh, G_FILE_TEST_EXISTS)
      && g_file_test (record, G_FILE_TEST_EXISTS))
    {
      if (g_rename (fresh, path) == 0)
        g_warning ("The salvage of the damaged queue in %s was interrupted; its fresh queue "
                   "was put in place now.", data_dir);
    }
}

KioskQueue *
kiosk_queue_open (const char           *data_dir,
                  KioskQueueOpenFlags   flags,
                  GError              **error)
{
  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (flags & KIOSK_QUEUE_OPEN_READ_ONLY)
    flags |= KIOSK_QUEUE_OPEN_NO_CREATE;
  else if (!(flags & KIOSK_QUEUE_OPEN_NO_CREATE))
    finish_interrupted_salvage (data_dir);
  return queue_open_file (data_dir, "queue.db", flags, error);
}

/* Opens @data_dir/@name. Only a queue that may be created (no _NO_CREATE,
 * no _READ_ONLY) and is queue.db itself is salvaged when it is damaged. */
static KioskQueue *
queue_open_file (const char           *data_dir,
                 const char           *name,
                 KioskQueueOpenFlags   flags,
                 GError              **error)
{
  g_autoptr(KioskQueue) queue = NULL;
  gboolean may_salvage = !(flags & (KIOSK_QUEUE_OPEN_NO_CREATE | KIOSK_QUEUE_OPEN_READ_ONLY))
                         && strcmp (name, "queue.db") == 0;

  queue = g_new0 (KioskQueue, 1);
  queue->data_dir = g_strdup (data_dir);
  queue->path = g_build_filename (data_dir, name, NULL);
  queue->busy_timeout_ms = DEFAULT_BUSY_TIMEOUT_MS;
  queue->read_only = (flags & KIOSK_QUEUE_OPEN_READ_ONLY) != 0;
  queue->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, finalize_statement);

  if (!g_file_test (queue->path, G_FILE_TEST_EXISTS))
    {
      if (flags & KIOSK_QUEUE_OPEN_NO_CREATE)
        {
          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_OPEN,
                       _("There is no queue at %s yet (no application was stored on this "
                         "kiosk). Check data_dir in the configuration."), queue->path);
          return NULL;
        }
      if (g_mkdir_with_parents (data_dir, 0700) != 0)
        {
          int saved = errno;

          g_set_error (error, KIOSK_QUEUE_ERROR,
                       saved == EROFS || saved == EACCES ? KIOSK_QUEUE_ERROR_READ_ONLY : KIOSK_QUEUE_ERROR_OPEN,
                       _("The queue directory %s cannot be created (%s); the queue was not opened. "
                         "Check data_dir in the configuration and the permissions of its parent."),
                       data_dir, g_strerror (saved));
          return NULL;
        }
    }

  for (guint attempt = 0; ; attempt++)
    {
      g_autofree char *problem = NULL;
      int rc;

      if (!queue->read_only && !g_file_test (queue->path, G_FILE_TEST_EXISTS) && !create_file (queue, error))
        return NULL;
      if (!has_sqlite_header (queue->path))
        {
          rc = SQLITE_NOTADB;
          problem = g_strdup ("not an SQLite database");
        }
      else
        rc = connect_db (queue, flags, &problem);
      if (rc == SQLITE_OK)
        break;

      close_db (queue);
      if (((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) && attempt == 0 && may_salvage)
        {
          KioskQueueSalvage *salvage = NULL;
          const char *why = problem != NULL ? problem : sqlite3_errstr (rc);

          if (!kiosk_queue_salvage (data_dir, why, &salvage, error))
            return NULL;
          if (salvage != NULL)
            {
              queue->salvage = salvage;
              g_free (queue->recovered_from);
              queue->recovered_from = g_strdup (salvage->kept_path);
            }
          continue;
        }
      if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
        {
          /* Left exactly as it is: this caller only looks, or writes
           * without the right to replace the file (retry, purge). */
          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT,
                       _("The queue file %s is damaged (%s); it was left untouched. Run "
                         "“antragskiosk-ctl queue salvage” (the kiosk and antragskiosk-ctl sync "
                         "also do it when they start): it carries every readable application "
                         "into a fresh queue and keeps the damaged file."),
                       queue->path, problem != NULL ? problem : sqlite3_errstr (rc));
          return NULL;
        }
      set_sqlite_error (queue, error, rc, DID_OPEN);
      return NULL;
    }

  if (!migrate (queue, error))
    return NULL;

  return g_steal_pointer (&queue);
}

/* ---- reading rows ---- */

#define ITEM_COLUMNS \
  "a.seq, a.id, a.reference, a.form_id, a.form_version, a.destination_name, " \
  "a.destination_id, a.created_ms, a.state, a.attempts, a.next_attempt_ms, "  \
  "a.submission_id, a.case_id, a.platform_created_ms, a.submitted_ms, "       \
  "a.decided_ms, a.last_error, a.updated_ms, a.purged_ms, a.n_attachments, "  \
  "d.damaged_ms, d.acknowledged_ms"
/* The damaged ones are a small table of their own (schema 4). */
#define ITEM_FROM "applications a LEFT JOIN damaged_applications d ON d.app = a.seq"

static KioskQueueItem *
item_from_row (sqlite3_stmt *stmt,
               gint64       *seq)
{
  KioskQueueItem *item = g_new0 (KioskQueueItem, 1);
  KioskQueueState state = KIOSK_QUEUE_STATE_FAILED;

  *seq = sqlite3_column_int64 (stmt, 0);
  item->id = column_text (stmt, 1);
  item->reference = column_text (stmt, 2);
  item->form_id = column_text (stmt, 3);
  item->form_version = column_text (stmt, 4);
  item->destination_name = column_text (stmt, 5);
  item->destination_id = column_text (stmt, 6);
  item->created_ms = column_ms (stmt, 7);
  kiosk_queue_state_from_string ((const char *) sqlite3_column_text (stmt, 8), &state);
  item->state = state;
  item->attempts = (guint) sqlite3_column_int64 (stmt, 9);
  item->next_attempt_ms = column_ms (stmt, 10);
  item->submission_id = column_text (stmt, 11);
  item->case_id = column_text (stmt, 12);
  item->platform_created_ms = column_ms (stmt, 13);
  item->submitted_ms = column_ms (stmt, 14);
  item->decided_ms = column_ms (stmt, 15);
  item->last_error = column_text (stmt, 16);
  item->updated_ms = column_ms (stmt, 17);
  item->purged_ms = column_ms (stmt, 18);
  item->n_attachments = (guint) sqlite3_column_int64 (stmt, 19);
  item->damaged_ms = column_ms (stmt, 20);
  item->damage_acknowledged_ms = column_ms (stmt, 21);
  return item;
}

/* Adds the ciphertexts and attachments of @item (row @seq). With
 * @intact non-NULL (schema 4 only) each ciphertext is checked against its
 * stored hash and *@intact says whether all matched. */
static int
load_ciphertexts (KioskQueue     *queue,
                  KioskQueueItem *item,
                  gint64          seq,
                  gboolean       *intact)
{
  int rc;
  sqlite3_stmt *stmt;

  item->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_queue_attachment_free);
  if (intact != NULL)
    {
      *intact = TRUE;
      stmt = statement (queue, "SELECT metadata_jwe, data_jwe, ciphertext_sha256 FROM applications "
                               "WHERE seq = ?1", &rc);
    }
  else
    stmt = statement (queue, "SELECT metadata_jwe, data_jwe FROM applications WHERE seq = ?1", &rc);
  if (stmt == NULL)
    return rc;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      item->metadata_jwe = column_text (stmt, 0);
      item->data_jwe = column_text (stmt, 1);
      if (intact != NULL && item->metadata_jwe != NULL
          && !hash_matches (sqlite3_column_blob (stmt, 2), sqlite3_column_bytes (stmt, 2),
                            item->metadata_jwe, item->data_jwe != NULL ? item->data_jwe : ""))
        *intact = FALSE;
      rc = SQLITE_DONE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rc;

  if (intact != NULL)
    stmt = statement (queue, "SELECT attachment_id, purpose, mime_type, ciphertext, ciphertext_sha256 "
                             "FROM attachments WHERE app = ?1 ORDER BY position", &rc);
  else
    stmt = statement (queue, "SELECT attachment_id, purpose, mime_type, ciphertext FROM attachments "
                             "WHERE app = ?1 ORDER BY position", &rc);
  if (stmt == NULL)
    return rc;
  sqlite3_bind_int64 (stmt, 1, seq);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *ciphertext = (const char *) sqlite3_column_text (stmt, 3);

      if (intact != NULL && (ciphertext == NULL
                             || !hash_matches (sqlite3_column_blob (stmt, 4), sqlite3_column_bytes (stmt, 4),
                                               ciphertext, NULL)))
        *intact = FALSE;
      g_ptr_array_add (item->attachments,
                       kiosk_queue_attachment_new ((const char *) sqlite3_column_text (stmt, 0),
                                                   (const char *) sqlite3_column_text (stmt, 1),
                                                   (const char *) sqlite3_column_text (stmt, 2),
                                                   ciphertext));
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE && intact != NULL && item->attachments->len != item->n_attachments)
    *intact = FALSE;
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Canonical reference from what a caller passed, or NULL with
 * KIOSK_QUEUE_ERROR_INVALID. */
static char *
canonical_reference (const char  *reference,
                     GError     **error)
{
  g_autoptr(GError) local = NULL;
  char *canonical;

  if (reference == NULL)
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID, _("No reference was given."));
      return NULL;
    }
  canonical = kiosk_reference_normalize (reference, &local);
  if (canonical == NULL)
    g_set_error_literal (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID, local->message);
  return canonical;
}

static void
set_not_found (GError     **error,
               const char  *reference)
{
  g_autofree char *shown = kiosk_reference_format (reference);

  g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_NOT_FOUND,
               _("There is no application %s in this kiosk’s queue. It may have been sent "
                 "and removed after the retention time, or it was submitted at another kiosk."),
               shown);
}

KioskQueueItem *
kiosk_queue_get (KioskQueue  *queue,
                 const char  *reference,
                 GError     **error)
{
  g_autofree char *canonical = NULL;
  g_autoptr(KioskQueueItem) item = NULL;
  sqlite3_stmt *stmt;
  gint64 seq = 0;
  int rc;

  g_return_val_if_fail (queue != NULL, NULL);

  canonical = canonical_reference (reference, error);
  if (canonical == NULL)
    return NULL;

  rc = begin_read (queue);
  if (rc != SQLITE_OK)
    goto failed;
  stmt = statement (queue, "SELECT " ITEM_COLUMNS " FROM " ITEM_FROM " WHERE a.reference = ?1", &rc);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, canonical, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    item = item_from_row (stmt, &seq);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    goto failed;
  if (item == NULL)
    {
      rollback (queue);
      set_not_found (error, canonical);
      return NULL;
    }
  rc = load_ciphertexts (queue, item, seq, NULL);
  if (rc != SQLITE_OK)
    goto failed;
  rc = commit (queue);
  if (rc != SQLITE_OK)
    goto failed;
  return g_steal_pointer (&item);

failed:
  rollback (queue);
  set_sqlite_error (queue, error, rc, DID_READ);
  return NULL;
}

GPtrArray *
kiosk_queue_list (KioskQueue  *queue,
                  int          state,
                  guint        limit,
                  guint        offset,
                  GError     **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_queue_item_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (queue != NULL, NULL);
  g_return_val_if_fail (state >= -1 && state < KIOSK_QUEUE_N_STATES, NULL);

  if (state < 0)
    stmt = statement (queue, "SELECT " ITEM_COLUMNS " FROM " ITEM_FROM " "
                             "ORDER BY a.seq DESC LIMIT ?2 OFFSET ?3", &rc);
  else
    /* The rows of one state are chosen from the state index alone (it
     * holds seq); only those shown are read. */
    stmt = statement (queue, "SELECT " ITEM_COLUMNS " FROM " ITEM_FROM " WHERE a.seq IN "
                             "(SELECT seq FROM applications WHERE state = ?1 "
                             "ORDER BY seq DESC LIMIT ?2 OFFSET ?3) ORDER BY a.seq DESC", &rc);
  if (stmt == NULL)
    goto failed;
  if (state >= 0)
    sqlite3_bind_text (stmt, 1, state_names[state], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, limit == 0 ? -1 : (gint64) limit);
  sqlite3_bind_int64 (stmt, 3, offset);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq;

      g_ptr_array_add (items, item_from_row (stmt, &seq));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    goto failed;
  return g_steal_pointer (&items);

failed:
  set_sqlite_error (queue, error, rc, DID_READ);
  return NULL;
}

gboolean
kiosk_queue_get_counts (KioskQueue        *queue,
                        KioskQueueCounts  *counts,
                        GError           **error)
{
  sqlite3_stmt *stmt;
  int rc;
  gint64 oldest = 0;

  g_return_val_if_fail (queue != NULL, FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  memset (counts, 0, sizeof *counts);
  counts->oldest_pending_age_ms = -1;

  /* One read transaction: the numbers belong together. */
  rc = begin_read (queue);
  if (rc != SQLITE_OK)
    goto failed;

  stmt = statement (queue, "SELECT state, count(*) FROM applications GROUP BY state", &rc);
  if (stmt == NULL)
    goto failed;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KioskQueueState state;
      guint64 n = (guint64) sqlite3_column_int64 (stmt, 1);

      if (kiosk_queue_state_from_string ((const char *) sqlite3_column_text (stmt, 0), &state))
        counts->by_state[state] = n;
      counts->total += n;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    goto failed;

  stmt = statement (queue, "SELECT count(*) FROM applications WHERE purged_ms IS NOT NULL", &rc);
  if (stmt == NULL)
    goto failed;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    counts->purged = (guint64) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    goto failed;

  stmt = statement (queue, "SELECT count(*), count(*) FILTER (WHERE acknowledged_ms IS NULL) "
                           "FROM damaged_applications", &rc);
  if (stmt == NULL)
    goto failed;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      counts->damaged = (guint64) sqlite3_column_int64 (stmt, 0);
      counts->damaged_unacknowledged = (guint64) sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    goto failed;

  /* min() per state walks one end of the (state, created_ms) index. */
  for (KioskQueueState s = KIOSK_QUEUE_STATE_QUEUED; s <= KIOSK_QUEUE_STATE_CREATED; s++)
    {
      stmt = statement (queue, "SELECT min(created_ms) FROM applications WHERE state = ?1", &rc);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_text (stmt, 1, state_names[s], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        {
          gint64 t = sqlite3_column_int64 (stmt, 0);

          if (oldest == 0 || t < oldest)
            oldest = t;
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        goto failed;
    }
  rc = commit (queue);
  if (rc != SQLITE_OK)
    goto failed;

  if (oldest != 0)
    {
      counts->oldest_pending_created_ms = oldest;
      counts->oldest_pending_age_ms = MAX (kiosk_queue_now_ms (queue) - oldest, 0);
    }
  return TRUE;

failed:
  rollback (queue);
  set_sqlite_error (queue, error, rc, DID_READ);
  return FALSE;
}

#define DAMAGED_REASON "the stored ciphertext is damaged (it no longer matches the SHA-256 kept " \
                       "when it was stored); it is never sent: ask the citizen to submit it again"

/* queued or created → failed, recorded as damaged, in one transaction. */
static gboolean
mark_damaged (KioskQueue  *queue,
              const char  *reference,
              GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 now = kiosk_queue_now_ms (queue);
  int rc = begin_write (queue);

  if (rc != SQLITE_OK)
    goto failed;
  stmt = statement (queue, "UPDATE applications SET state = 'failed', attempts = attempts + 1, "
                           "last_error = ?2, updated_ms = ?3 "
                           "WHERE reference = ?1 AND state IN ('queued','created')", &rc);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, reference, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, DAMAGED_REASON, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now);
  rc = step_done (stmt);
  if (rc != SQLITE_OK)
    goto failed;
  stmt = statement (queue, "INSERT OR IGNORE INTO damaged_applications (app, damaged_ms, reason) "
                           "SELECT seq, ?2, ?3 FROM applications WHERE reference = ?1", &rc);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, reference, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_text (stmt, 3, "ciphertext hash mismatch", -1, SQLITE_STATIC);
  rc = step_done (stmt);
  if (rc != SQLITE_OK)
    goto failed;
  rc = commit (queue);
  if (rc != SQLITE_OK)
    goto failed;
  return TRUE;

failed:
  rollback (queue);
  set_sqlite_error (queue, error, rc, DID_CHANGE);
  return FALSE;
}

GPtrArray *
kiosk_queue_take_due (KioskQueue  *queue,
                      gint64       now_ms,
                      guint        limit,
                      GError     **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_queue_item_free);
  g_autoptr(GPtrArray) damaged = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_queue_item_free);
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (queue != NULL, NULL);
  g_return_val_if_fail (!queue->read_only, NULL);

  rc = begin_read (queue);
  if (rc != SQLITE_OK)
    goto failed;
  /* First the rows, from the state index alone (it holds state,
   * created_ms, next_attempt_ms and seq: the pending entries are read and
   * sorted, no row is), then the @limit rows themselves. */
  stmt = statement (queue, "SELECT seq FROM applications "
                           "WHERE state IN ('queued','created') AND next_attempt_ms <= ?1 "
                           "ORDER BY next_attempt_ms, seq LIMIT ?2", &rc);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, now_ms);
  sqlite3_bind_int64 (stmt, 2, limit == 0 ? -1 : (gint64) limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (seqs, seq);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    goto failed;
  for (guint i = 0; i < seqs->len; i++)
    {
      gint64 seq = g_array_index (seqs, gint64, i);
      KioskQueueItem *item = NULL;
      gboolean intact = TRUE;

      stmt = statement (queue, "SELECT " ITEM_COLUMNS " FROM " ITEM_FROM " WHERE a.seq = ?1", &rc);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, seq);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        item = item_from_row (stmt, &seq);
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        goto failed;
      rc = load_ciphertexts (queue, item, seq, &intact);
      g_ptr_array_add (intact ? items : damaged, item);
      if (rc != SQLITE_OK)
        goto failed;
    }
  rc = commit (queue);
  if (rc != SQLITE_OK)
    goto failed;

  /* A ciphertext that no longer matches its hash is never sent: the
   * platform would refuse it (422) or, worse, the authority would get
   * something it cannot decrypt. The application waits for staff. */
  for (guint i = 0; i < damaged->len; i++)
    {
      KioskQueueItem *item = damaged->pdata[i];
      g_autoptr(GError) mark_error = NULL;

      if (!mark_damaged (queue, item->reference, &mark_error))
        g_warning ("A damaged application could not be marked as damaged: %s", mark_error->message);
      g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                        "QUEUE_REFERENCE", item->reference,
                        "MESSAGE", "The stored ciphertext of application %s no longer matches the "
                        "SHA-256 kept when it was stored (damaged on disk); it was not sent and is "
                        "failed now. Ask the citizen to submit it again; see docs/queue.md.",
                        item->reference);
    }
  return g_steal_pointer (&items);

failed:
  rollback (queue);
  set_sqlite_error (queue, error, rc, DID_READ);
  return NULL;
}

/* ---- enqueue ---- */

/* A compact JWE: five base64url parts (the second, the encrypted key, may
 * be empty for other algorithms). Catches plaintext handed over by
 * mistake; it is not a cryptographic check. */
static gboolean
looks_like_compact_jwe (const char *text)
{
  static const char base64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char *p = text;
  guint parts = 0;

  if (text == NULL || *text == '.')
    return FALSE;
  /* strspn: a quarter of the time of a loop per character (the data
   * JWE alone is ~6 KiB, an attachment may be far more) */
  for (;;)
    {
      p += strspn (p, base64url);
      parts++;
      if (*p != '.')
        break;
      p++;
    }
  return *p == '\0' && parts == 5;
}

static gboolean
non_empty (const char *text)
{
  return text != NULL && *text != '\0' && strlen (text) <= 256;
}

static gboolean
check_submission (const KioskQueueSubmission  *submission,
                  GError                     **error)
{
  const char *problem = NULL;

  if (!non_empty (submission->form_id) || !non_empty (submission->form_version))
    problem = _("the form id or version is missing or too long");
  else if (!non_empty (submission->destination_name))
    problem = _("the destination name is missing or too long");
  else if (submission->destination_id == NULL || !g_uuid_string_is_valid (submission->destination_id))
    problem = _("the destination id is not a UUID");
  else if (!looks_like_compact_jwe (submission->metadata_jwe) || !looks_like_compact_jwe (submission->data_jwe))
    problem = _("the metadata or the data is not a compact JWE (only ciphertext may be stored)");
  else if (submission->reference != NULL && !kiosk_reference_is_valid (submission->reference))
    problem = _("the given reference is not a valid canonical reference");
  else if (submission->n_attachments > 100)
    problem = _("more than 100 attachments");
  else if (submission->n_attachments > 0 && submission->attachments == NULL)
    problem = _("the attachments are missing");

  for (guint i = 0; problem == NULL && i < submission->n_attachments; i++)
    {
      const KioskQueueAttachment *a = submission->attachments[i];

      if (a == NULL || a->attachment_id == NULL || !g_uuid_string_is_valid (a->attachment_id))
        problem = _("an attachment id is not a UUID");
      else if (a->purpose == NULL
               || (strcmp (a->purpose, "form") != 0 && strcmp (a->purpose, "attachment") != 0
                   && strcmp (a->purpose, "report") != 0))
        problem = _("an attachment purpose is not form, attachment or report");
      else if (!non_empty (a->mime_type))
        problem = _("an attachment has no MIME type");
      else if (!looks_like_compact_jwe (a->ciphertext))
        problem = _("an attachment is not a compact JWE (only ciphertext may be stored)");
    }

  if (problem != NULL)
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID,
                   _("The application cannot be queued: %s; nothing was stored."), problem);
      return FALSE;
    }
  return TRUE;
}

/* 1 when @reference is in the table, 0 when not, -rc on error. */
static int
reference_taken (KioskQueue *queue,
                 const char *reference)
{
  int rc;
  sqlite3_stmt *stmt = statement (queue, "SELECT 1 FROM applications WHERE reference = ?1", &rc);

  if (stmt == NULL)
    return -rc;
  sqlite3_bind_text (stmt, 1, reference, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  return -rc;
}

char *
kiosk_queue_new_reference (KioskQueue  *queue,
                           GError     **error)
{
  g_return_val_if_fail (queue != NULL, NULL);

  for (;;)
    {
      g_autofree char *reference = kiosk_reference_generate ();
      int taken = reference_taken (queue, reference);

      if (taken < 0)
        {
          set_sqlite_error (queue, error, -taken, DID_READ);
          return NULL;
        }
      if (taken == 0)
        return g_steal_pointer (&reference);
    }
}

char *
kiosk_queue_enqueue (KioskQueue                 *queue,
                     const KioskQueueSubmission *submission,
                     GError                    **error)
{
  g_autofree char *reference = NULL;
  g_autofree char *id = NULL;
  sqlite3_stmt *stmt;
  guint8 digest[HASH_LENGTH];
  gint64 now, seq;
  int rc;

  g_return_val_if_fail (queue != NULL, NULL);
  g_return_val_if_fail (submission != NULL, NULL);

  if (!check_submission (submission, error))
    return NULL;
  ciphertext_hash (submission->metadata_jwe, submission->data_jwe, digest);

  rc = begin_write (queue);
  if (rc != SQLITE_OK)
    goto failed;

  /* The UNIQUE index on reference decides; no lookup beforehand. */
  reference = submission->reference != NULL ? g_strdup (submission->reference) : kiosk_reference_generate ();
  id = g_uuid_string_random ();
  now = kiosk_queue_now_ms (queue);
  for (;;)
    {
      stmt = statement (queue,
                        "INSERT INTO applications (id, reference, form_id, form_version, "
                        "destination_name, destination_id, created_ms, state, attempts, "
                        "next_attempt_ms, updated_ms, n_attachments, metadata_jwe, data_jwe, "
                        "ciphertext_sha256) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', 0, ?7, ?7, ?8, ?9, ?10, ?11)", &rc);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, reference, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, submission->form_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, submission->form_version, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, submission->destination_name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, submission->destination_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 7, now);
      sqlite3_bind_int64 (stmt, 8, submission->n_attachments);
      sqlite3_bind_text (stmt, 9, submission->metadata_jwe, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 10, submission->data_jwe, -1, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 11, digest, HASH_LENGTH, SQLITE_STATIC);
      rc = step_done (stmt);
      if (rc != SQLITE_CONSTRAINT_UNIQUE
          || strstr (sqlite3_errmsg (queue->db), "applications.reference") == NULL)
        break;
      /* the reference is taken (the statement alone was undone) */
      if (submission->reference != NULL)
        {
          g_autofree char *shown = kiosk_reference_format (submission->reference);

          rollback (queue);
          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_DUPLICATE,
                       _("The reference %s is used already; nothing was stored. Encrypt "
                         "the application again with a new reference."), shown);
          return NULL;
        }
      /* 45 random bits: a collision is rare; take another one */
      g_free (reference);
      reference = kiosk_reference_generate ();
    }
  if (rc != SQLITE_OK)
    goto failed;
  seq = sqlite3_last_insert_rowid (queue->db);

  for (guint i = 0; i < submission->n_attachments; i++)
    {
      const KioskQueueAttachment *a = submission->attachments[i];

      guint8 attachment_digest[HASH_LENGTH];

      ciphertext_hash (a->ciphertext, NULL, attachment_digest);
      stmt = statement (queue, "INSERT INTO attachments (app, position, attachment_id, purpose, "
                               "mime_type, ciphertext, ciphertext_sha256) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &rc);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, seq);
      sqlite3_bind_int64 (stmt, 2, i);
      sqlite3_bind_text (stmt, 3, a->attachment_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, a->purpose, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, a->mime_type, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, a->ciphertext, -1, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 7, attachment_digest, HASH_LENGTH, SQLITE_TRANSIENT);
      rc = step_done (stmt);
      if (rc != SQLITE_OK)
        goto failed;
    }

  rc = commit (queue);
  if (rc != SQLITE_OK)
    goto failed;
  return g_steal_pointer (&reference);

failed:
  rollback (queue);
  set_sqlite_error (queue, error, rc, DID_STORE);
  return NULL;
}

/* ---- transitions ---- */

#define FROM(s) (1u << (s))

/* One edge of the state diagram: the states it starts from, the name of
 * its target for messages, and the UPDATE, with ?1 = seq, ?2 = now,
 * ?3 = text1, ?4 = text2, ?5 = number. */
typedef struct {
  guint       from_mask;
  const char *target;
  const char *update;
} Edge;

static const Edge edge_created = {
  FROM (KIOSK_QUEUE_STATE_QUEUED), "created",
  "UPDATE applications SET state = 'created', submission_id = ?3, case_id = ?4, "
  "platform_created_ms = ?2, updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_submitted = {
  FROM (KIOSK_QUEUE_STATE_CREATED), "submitted",
  "UPDATE applications SET state = 'submitted', submitted_ms = ?2, "
  "last_error = NULL, updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_accepted = {
  FROM (KIOSK_QUEUE_STATE_SUBMITTED), "accepted",
  "UPDATE applications SET state = 'accepted', decided_ms = ?2, updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_rejected = {
  FROM (KIOSK_QUEUE_STATE_SUBMITTED), "rejected",
  "UPDATE applications SET state = 'rejected', decided_ms = ?2, last_error = ?3, "
  "updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_failed = {
  FROM (KIOSK_QUEUE_STATE_QUEUED) | FROM (KIOSK_QUEUE_STATE_CREATED), "failed",
  "UPDATE applications SET state = 'failed', attempts = attempts + 1, last_error = ?3, "
  "updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_restart = {
  FROM (KIOSK_QUEUE_STATE_CREATED), "queued",
  "UPDATE applications SET state = 'queued', submission_id = NULL, case_id = NULL, "
  "platform_created_ms = NULL, next_attempt_ms = ?2, updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_schedule_retry = {
  FROM (KIOSK_QUEUE_STATE_QUEUED) | FROM (KIOSK_QUEUE_STATE_CREATED), "retried",
  "UPDATE applications SET attempts = attempts + 1, next_attempt_ms = ?5, last_error = ?3, "
  "updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_retry = {
  FROM (KIOSK_QUEUE_STATE_FAILED), "queued",
  "UPDATE applications SET state = 'queued', attempts = 0, next_attempt_ms = ?2, "
  "submission_id = NULL, case_id = NULL, platform_created_ms = NULL, updated_ms = ?2 "
  "WHERE seq = ?1",
};

/* Moves the application @reference along @edge in one transaction: checks
 * that its state is one the edge starts from, then runs the edge's UPDATE. */
static gboolean
transition (KioskQueue  *queue,
            const char  *reference,
            const Edge  *edge,
            const char  *text1,
            const char  *text2,
            gint64       number,
            GError     **error)
{
  g_autofree char *canonical = NULL;
  sqlite3_stmt *stmt;
  KioskQueueState state = KIOSK_QUEUE_STATE_FAILED;
  gboolean found = FALSE, damaged = FALSE;
  gint64 seq = 0, now;
  int rc, n_params;

  g_return_val_if_fail (queue != NULL, FALSE);

  canonical = canonical_reference (reference, error);
  if (canonical == NULL)
    return FALSE;

  rc = begin_write (queue);
  if (rc != SQLITE_OK)
    goto failed;
  stmt = statement (queue, "SELECT a.seq, a.state, d.damaged_ms FROM applications a "
                           "LEFT JOIN damaged_applications d ON d.app = a.seq WHERE a.reference = ?1", &rc);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, canonical, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      found = TRUE;
      seq = sqlite3_column_int64 (stmt, 0);
      kiosk_queue_state_from_string ((const char *) sqlite3_column_text (stmt, 1), &state);
      damaged = sqlite3_column_type (stmt, 2) != SQLITE_NULL;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    goto failed;
  if (!found)
    {
      rollback (queue);
      set_not_found (error, canonical);
      return FALSE;
    }
  if (damaged && edge == &edge_retry)
    {
      g_autofree char *shown = kiosk_reference_format (canonical);

      rollback (queue);
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_STATE,
                   _("The application %s is damaged on disk and can never be sent; nothing was "
                     "changed. Ask the citizen to submit it again."), shown);
      return FALSE;
    }
  if (!(edge->from_mask & FROM (state)))
    {
      g_autofree char *shown = kiosk_reference_format (canonical);

      rollback (queue);
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_STATE,
                   _("The application %s is %s; it cannot become %s. Nothing was changed."),
                   shown, state_names[state], edge->target);
      return FALSE;
    }

  now = kiosk_queue_now_ms (queue);
  stmt = statement (queue, edge->update, &rc);
  if (stmt == NULL)
    goto failed;
  n_params = sqlite3_bind_parameter_count (stmt);
  sqlite3_bind_int64 (stmt, 1, seq);
  if (n_params >= 2)
    sqlite3_bind_int64 (stmt, 2, now);
  if (n_params >= 3)
    sqlite3_bind_text (stmt, 3, text1, -1, SQLITE_STATIC);
  if (n_params >= 4)
    sqlite3_bind_text (stmt, 4, text2, -1, SQLITE_STATIC);
  if (n_params >= 5)
    sqlite3_bind_int64 (stmt, 5, number);
  rc = step_done (stmt);
  if (rc != SQLITE_OK)
    goto failed;
  rc = commit (queue);
  if (rc != SQLITE_OK)
    goto failed;
  return TRUE;

failed:
  rollback (queue);
  set_sqlite_error (queue, error, rc, DID_CHANGE);
  return FALSE;
}

static char *
clip_error_text (const char *text)
{
  const char *end;

  if (text == NULL)
    return NULL;
  if (strlen (text) <= MAX_ERROR_TEXT)
    return g_utf8_make_valid (text, -1);
  end = g_utf8_find_prev_char (text, text + MAX_ERROR_TEXT);
  return g_utf8_make_valid (text, end != NULL ? end - text : 0);
}

gboolean
kiosk_queue_mark_created (KioskQueue  *queue,
                          const char  *reference,
                          const char  *submission_id,
                          const char  *case_id,
                          GError     **error)
{
  if (submission_id == NULL || case_id == NULL
      || !g_uuid_string_is_valid (submission_id) || !g_uuid_string_is_valid (case_id))
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID,
                   _("The platform’s submission id or case id is not a UUID; nothing was changed."));
      return FALSE;
    }
  return transition (queue, reference, &edge_created, submission_id, case_id, 0, error);
}

gboolean
kiosk_queue_mark_submitted (KioskQueue *queue, const char *reference, GError **error)
{
  return transition (queue, reference, &edge_submitted, NULL, NULL, 0, error);
}

gboolean
kiosk_queue_mark_accepted (KioskQueue *queue, const char *reference, GError **error)
{
  return transition (queue, reference, &edge_accepted, NULL, NULL, 0, error);
}

gboolean
kiosk_queue_mark_rejected (KioskQueue  *queue,
                           const char  *reference,
                           const char  *reason,
                           GError     **error)
{
  g_autofree char *clipped = clip_error_text (reason);

  return transition (queue, reference, &edge_rejected, clipped, NULL, 0, error);
}

gboolean
kiosk_queue_mark_failed (KioskQueue  *queue,
                         const char  *reference,
                         const char  *reason,
                         GError     **error)
{
  g_autofree char *clipped = clip_error_text (reason);

  if (clipped == NULL || *clipped == '\0')
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID,
                   _("A failed application needs a reason; nothing was changed."));
      return FALSE;
    }
  return transition (queue, reference, &edge_failed, clipped, NULL, 0, error);
}

gboolean
kiosk_queue_restart (KioskQueue *queue, const char *reference, GError **error)
{
  return transition (queue, reference, &edge_restart, NULL, NULL, 0, error);
}

gboolean
kiosk_queue_schedule_retry (KioskQueue  *queue,
                            const char  *reference,
                            gint64       next_attempt_ms,
                            const char  *error_text,
                            GError     **error)
{
  g_autofree char *clipped = clip_error_text (error_text);

  return transition (queue, reference, &edge_schedule_retry, clipped, NULL, next_attempt_ms, error);
}

gboolean
kiosk_queue_retry (KioskQueue *queue, const char *reference, GError **error)
{
  return transition (queue, reference, &edge_retry, NULL, NULL, 0, error);
}

/* ---- retention ---- */

gboolean
kiosk_queue_purge (KioskQueue                *queue,
                   const KioskQueueRetention *retention,
                   guint                     *n_purged,
                   guint                     *n_deleted,
                   GError                   **error)
{
  KioskQueueRetention defaults;
  const char *select_sql;
  const char *update_sql;
  sqlite3_stmt *stmt;
  gint64 now, cutoff, tombstone_cutoff;
  int rc;
  guint purged = 0, deleted = 0;

  g_return_val_if_fail (queue != NULL, FALSE);

  if (retention == NULL)
    {
      kiosk_queue_retention_init (&defaults);
      retention = &defaults;
    }
  if (retention->purge_after != KIOSK_QUEUE_STATE_SUBMITTED
      && retention->purge_after != KIOSK_QUEUE_STATE_ACCEPTED)
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID,
                   _("Ciphertexts can be purged after “submitted” or “accepted” only; nothing was changed."));
      return FALSE;
    }

  now = kiosk_queue_now_ms (queue);
  cutoff = now - (gint64) retention->keep_days * DAY_MS;
  tombstone_cutoff = now - (gint64) retention->tombstone_days * DAY_MS;

  if (retention->purge_after == KIOSK_QUEUE_STATE_SUBMITTED)
    {
      select_sql = "SELECT seq FROM applications WHERE purged_ms IS NULL "
                   "AND state IN ('submitted','accepted','rejected') AND submitted_ms <= ?1";
      update_sql = "UPDATE applications SET purged_ms = ?2, updated_ms = ?2, metadata_jwe = NULL, "
                   "data_jwe = NULL, ciphertext_sha256 = NULL WHERE purged_ms IS NULL "
                   "AND state IN ('submitted','accepted','rejected') AND submitted_ms <= ?1";
    }
  else
    {
      select_sql = "SELECT seq FROM applications WHERE purged_ms IS NULL "
                   "AND state IN ('accepted','rejected') AND decided_ms <= ?1";
      update_sql = "UPDATE applications SET purged_ms = ?2, updated_ms = ?2, metadata_jwe = NULL, "
                   "data_jwe = NULL, ciphertext_sha256 = NULL WHERE purged_ms IS NULL "
                   "AND state IN ('accepted','rejected') AND decided_ms <= ?1";
    }

  rc = begin_write (queue);
  if (rc != SQLITE_OK)
    goto failed;

  {
    g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));

    stmt = statement (queue, select_sql, &rc);
    if (stmt == NULL)
      goto failed;
    sqlite3_bind_int64 (stmt, 1, cutoff);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 seq = sqlite3_column_int64 (stmt, 0);

        g_array_append_val (seqs, seq);
      }
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE)
      goto failed;

    for (guint i = 0; i < seqs->len; i++)
      {
        stmt = statement (queue, "DELETE FROM attachments WHERE app = ?1", &rc);
        if (stmt == NULL)
          goto failed;
        sqlite3_bind_int64 (stmt, 1, g_array_index (seqs, gint64, i));
        rc = step_done (stmt);
        if (rc != SQLITE_OK)
          goto failed;
      }
  }

  stmt = statement (queue, update_sql, &rc);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, cutoff);
  sqlite3_bind_int64 (stmt, 2, now);
  rc = step_done (stmt);
  if (rc != SQLITE_OK)
    goto failed;
  purged = (guint) sqlite3_changes (queue->db);

  /* The tombstone goes with its row; ON DELETE CASCADE would take any
   * leftover child rows too. */
  stmt = statement (queue, "DELETE FROM applications WHERE purged_ms IS NOT NULL AND purged_ms <= ?1", &rc);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, tombstone_cutoff);
  rc = step_done (stmt);
  if (rc != SQLITE_OK)
    goto failed;
  deleted = (guint) sqlite3_changes (queue->db);

  rc = commit (queue);
  if (rc != SQLITE_OK)
    goto failed;

  g_debug ("Queue retention: %u ciphertexts purged, %u tombstones deleted", purged, deleted);
  if (n_purged != NULL)
    *n_purged = purged;
  if (n_deleted != NULL)
    *n_deleted = deleted;
  return TRUE;

failed:
  rollback (queue);
  set_sqlite_error (queue, error, rc, DID_CHANGE);
  return FALSE;
}

gboolean
kiosk_queue_checkpoint (KioskQueue  *queue,
                        GError     **error)
{
  int rc;

  g_return_val_if_fail (queue != NULL, FALSE);

  rc = sqlite3_wal_checkpoint_v2 (queue->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (queue, error, rc, DID_CHANGE);
      return FALSE;
    }
  return TRUE;
}

/* ---- check ---- */

gboolean
kiosk_queue_check (KioskQueue  *queue,
                   GError     **error)
{
  static const struct {
    const char *sql;
    const char *problem;
  } invariants[] = {
    { "SELECT a.reference FROM applications a "
      "WHERE a.purged_ms IS NULL AND (a.metadata_jwe IS NULL OR a.data_jwe IS NULL) LIMIT 1",
      N_("an application has no ciphertext") },
    { "SELECT a.reference FROM applications a "
      "WHERE a.purged_ms IS NOT NULL AND (a.metadata_jwe IS NOT NULL OR a.data_jwe IS NOT NULL) LIMIT 1",
      N_("a purged application still has its ciphertext") },
    { "SELECT a.reference FROM applications a WHERE "
      "a.seq NOT IN (SELECT app FROM damaged_applications) AND "
      "(SELECT count(*) FROM attachments t WHERE t.app = a.seq) != "
      "CASE WHEN a.purged_ms IS NULL THEN a.n_attachments ELSE 0 END LIMIT 1",
      N_("an application has the wrong number of attachments") },
    { "SELECT 'attachment ' || t.app FROM attachments t LEFT JOIN applications a ON a.seq = t.app "
      "WHERE a.seq IS NULL LIMIT 1",
      N_("an attachment has no application") },
  };
  g_autofree char *problem = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (queue != NULL, FALSE);

  switch (run_check (queue, TRUE, &rc, &problem))
    {
    case FILE_CORRUPT:
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT,
                   _("The queue file %s fails the integrity check: %s"), queue->path, problem);
      return FALSE;
    case FILE_ERROR:
      set_sqlite_error (queue, error, rc, DID_READ);
      return FALSE;
    case FILE_OK:
    default:
      break;
    }

  rc = begin_read (queue);
  if (rc != SQLITE_OK)
    goto failed;
  for (guint i = 0; i < G_N_ELEMENTS (invariants); i++)
    {
      sqlite3_stmt *stmt = statement (queue, invariants[i].sql, &rc);
      g_autofree char *found = NULL;

      if (stmt == NULL)
        goto failed;
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        found = column_text (stmt, 0);
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        goto failed;
      if (found != NULL)
        {
          rollback (queue);
          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT,
                       _("The queue file %s is inconsistent: %s (%s)."),
                       queue->path, _(invariants[i].problem), found);
          return FALSE;
        }
    }
  rc = commit (queue);
  if (rc != SQLITE_OK)
    goto failed;
  return TRUE;

failed:
  rollback (queue);
  set_sqlite_error (queue, error, rc, DID_READ);
  return FALSE;
}

/* ---- salvage of a damaged file ---- */

/* NULL when the file at @path is an SQLite database that passes
 * integrity_check; otherwise what is wrong (no content, only pages and
 * tables). Opened read-only: nothing is changed. */
static char *
file_problem (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *problem = NULL;
  int rc;

  if (!has_sqlite_header (path))
    return g_strdup ("not an SQLite database");
  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check(1)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          const char *result = (const char *) sqlite3_column_text (stmt, 0);

          if (result == NULL || strcmp (result, "ok") != 0)
            problem = g_strndup (result != NULL ? result : "no result", 200);
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK && rc != SQLITE_DONE && problem == NULL)
    problem = g_strdup (sqlite3_errstr (rc));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return problem;
}

typedef struct {
  sqlite3           *src;
  sqlite3_stmt      *next;      /* seq of the next row at or after ?1 */
  sqlite3_stmt      *row;       /* one row by seq */
  sqlite3_stmt      *attachments;
  sqlite3_stmt      *damage;    /* schema 4: its damaged_applications row */
  gboolean           has_hash;
  KioskQueue        *fresh;
  KioskQueueSalvage *result;
  GHashTable        *attempted;  /* seq (gint64 *) → itself */
  gint64             found_max;  /* the highest seq of a row that could be read */
  gint64             known_max;  /* … or that an index knows */
  GHashTable        *unreadable; /* seq (gint64 *) of ids whose read failed */
} Salvager;

static const char salvage_row_columns[] =
  "seq, id, reference, form_id, form_version, destination_name, destination_id, created_ms, "
  "state, attempts, next_attempt_ms, submission_id, case_id, platform_created_ms, submitted_ms, "
  "decided_ms, last_error, updated_ms, purged_ms, n_attachments, metadata_jwe, data_jwe";
#define SALVAGE_N_ROW_COLUMNS 22

static const char *
value_text (sqlite3_value *value)
{
  return sqlite3_value_type (value) == SQLITE_TEXT ? (const char *) sqlite3_value_text (value) : NULL;
}

static gboolean
valid_state_name (const char *name)
{
  return kiosk_queue_state_from_string (name, NULL);
}

/* Writes row @seq of the damaged file (and its attachments) into the
 * fresh queue. Returns the result of reading the row: SQLITE_ROW (it was
 * handled: saved, saved as damaged or, when the fresh queue refused it,
 * counted as lost), SQLITE_DONE (no such row) or the error of the read
 * (counted as lost). */
static int
salvage_row (Salvager *s,
             gint64    seq)
{
  sqlite3_value *values[SALVAGE_N_ROW_COLUMNS + 1] = { NULL };
  g_autoptr(GPtrArray) attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) sqlite3_value_free);
  g_autofree char *reason = NULL;
  sqlite3_stmt *insert = NULL;
  gint64 damaged_ms = 0, acknowledged_ms = 0;
  g_autofree char *old_reason = NULL;
  gboolean pending, purged;
  const char *state;
  gint64 n_attachments;
  int rc, n_columns = SALVAGE_N_ROW_COLUMNS + (s->has_hash ? 1 : 0);
  guint8 digest[HASH_LENGTH];

  if (!g_hash_table_contains (s->attempted, &seq))
    {
      gint64 *key = g_new (gint64, 1);

      *key = seq;
      g_hash_table_add (s->attempted, key);
    }
  sqlite3_reset (s->row);
  sqlite3_bind_int64 (s->row, 1, seq);
  rc = sqlite3_step (s->row);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (s->row);
      if (rc != SQLITE_DONE)
        {
          gint64 *key = g_new (gint64, 1);

          *key = seq;
          g_hash_table_add (s->unreadable, key);   /* counted at the end */
        }
      return rc;
    }
  for (int i = 0; i < n_columns; i++)
    values[i] = sqlite3_value_dup (sqlite3_column_value (s->row, i));
  sqlite3_reset (s->row);
  s->found_max = MAX (s->found_max, seq);

  state = value_text (values[8]);
  purged = sqlite3_value_type (values[18]) != SQLITE_NULL;
  n_attachments = sqlite3_value_int64 (values[19]);
  if (!valid_state_name (state))
    {
      reason = g_strdup ("its state is unreadable");
      state = "failed";
    }
  pending = strcmp (state, "queued") == 0 || strcmp (state, "created") == 0 || strcmp (state, "failed") == 0;

  if (reason == NULL && (value_text (values[2]) == NULL || !kiosk_reference_is_valid (value_text (values[2]))))
    reason = g_strdup ("its reference is unreadable");
  if (reason == NULL && !purged)
    {
      const char *metadata = value_text (values[20]);
      const char *data = value_text (values[21]);

      if (!looks_like_compact_jwe (metadata) || !looks_like_compact_jwe (data))
        reason = g_strdup ("a ciphertext is not a compact JWE any more");
      else if (s->has_hash && sqlite3_value_type (values[22]) != SQLITE_NULL
               && !hash_matches (sqlite3_value_blob (values[22]), sqlite3_value_bytes (values[22]),
                                 metadata, data))
        reason = g_strdup ("a ciphertext no longer matches its SHA-256");
    }

  /* its attachments */
  if (!purged && n_attachments > 0)
    {
      sqlite3_reset (s->attachments);
      sqlite3_bind_int64 (s->attachments, 1, seq);
      while ((rc = sqlite3_step (s->attachments)) == SQLITE_ROW)
        {
          const char *ciphertext = (const char *) sqlite3_column_text (s->attachments, 4);

          for (int i = 0; i < 5 + (s->has_hash ? 1 : 0); i++)
            g_ptr_array_add (attachments, sqlite3_value_dup (sqlite3_column_value (s->attachments, i)));
          if (reason == NULL && !looks_like_compact_jwe (ciphertext))
            reason = g_strdup ("an attachment is not a compact JWE any more");
          else if (reason == NULL && s->has_hash
                   && sqlite3_column_type (s->attachments, 5) != SQLITE_NULL
                   && !hash_matches (sqlite3_column_blob (s->attachments, 5),
                                     sqlite3_column_bytes (s->attachments, 5), ciphertext, NULL))
            reason = g_strdup ("an attachment no longer matches its SHA-256");
        }
      sqlite3_reset (s->attachments);
      if (rc != SQLITE_DONE)
        {
          g_ptr_array_set_size (attachments, 0);
          if (reason == NULL)
            reason = g_strdup ("its attachments are unreadable");
        }
      {
        guint width = 5 + (s->has_hash ? 1 : 0);
        gint64 found = attachments->len / width;

        if (found < n_attachments)
          {
            s->result->attachments_lost += (guint64) (n_attachments - found);
            if (reason == NULL)
              reason = g_strdup ("an attachment is missing");
          }
      }
    }

  /* a damage recorded in the old file stays */
  if (s->damage != NULL)
    {
      sqlite3_reset (s->damage);
      sqlite3_bind_int64 (s->damage, 1, seq);
      if (sqlite3_step (s->damage) == SQLITE_ROW)
        {
          damaged_ms = sqlite3_column_int64 (s->damage, 0);
          acknowledged_ms = sqlite3_column_int64 (s->damage, 1);
          old_reason = column_text (s->damage, 2);
        }
      sqlite3_reset (s->damage);
    }

  /* one row at a time: a row the fresh queue refuses is lost alone */
  rc = sqlite3_exec (s->fresh->db, "SAVEPOINT salvage_row", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (s->fresh->db,
                             "INSERT INTO applications (seq, id, reference, form_id, form_version, "
                             "destination_name, destination_id, created_ms, state, attempts, "
                             "next_attempt_ms, submission_id, case_id, platform_created_ms, submitted_ms, "
                             "decided_ms, last_error, updated_ms, purged_ms, n_attachments, metadata_jwe, "
                             "data_jwe, ciphertext_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                             "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
                             -1, &insert, NULL);
  if (rc == SQLITE_OK)
    {
      for (int i = 0; i < SALVAGE_N_ROW_COLUMNS; i++)
        sqlite3_bind_value (insert, i + 1, values[i]);
      sqlite3_bind_text (insert, 9, state, -1, SQLITE_TRANSIENT);
      if (reason != NULL && pending)
        {
          sqlite3_bind_text (insert, 9, "failed", -1, SQLITE_STATIC);
          sqlite3_bind_text (insert, 17, DAMAGED_REASON, -1, SQLITE_STATIC);
        }
      if (s->has_hash)
        sqlite3_bind_value (insert, 23, values[22]);
      else if (!purged && pending && reason == NULL)
        {
          /* schema 3: the hash of what is stored now, as the 3 → 4 migration does */
          ciphertext_hash (value_text (values[20]), value_text (values[21]), digest);
          sqlite3_bind_blob (insert, 23, digest, HASH_LENGTH, SQLITE_STATIC);
        }
      rc = step_done (insert);
    }
  sqlite3_finalize (insert);
  insert = NULL;
  for (guint i = 0, width = 5 + (s->has_hash ? 1 : 0); rc == SQLITE_OK && i < attachments->len; i += width)
    {
      sqlite3_value **a = (sqlite3_value **) attachments->pdata + i;
      const char *ciphertext = (const char *) sqlite3_value_text (a[4]);

      rc = sqlite3_prepare_v2 (s->fresh->db,
                               "INSERT INTO attachments (app, position, attachment_id, purpose, mime_type, "
                               "ciphertext, ciphertext_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                               -1, &insert, NULL);
      if (rc != SQLITE_OK)
        break;
      sqlite3_bind_int64 (insert, 1, seq);
      for (int c = 0; c < 5; c++)
        sqlite3_bind_value (insert, c + 2, a[c]);
      if (s->has_hash)
        sqlite3_bind_value (insert, 7, a[5]);
      else if (pending && reason == NULL && ciphertext != NULL)
        {
          ciphertext_hash (ciphertext, NULL, digest);
          sqlite3_bind_blob (insert, 7, digest, HASH_LENGTH, SQLITE_STATIC);
        }
      rc = step_done (insert);
      sqlite3_finalize (insert);
      insert = NULL;
    }
  if (rc == SQLITE_OK && ((reason != NULL && pending) || damaged_ms != 0))
    {
      rc = sqlite3_prepare_v2 (s->fresh->db,
                               "INSERT INTO damaged_applications (app, damaged_ms, acknowledged_ms, reason) "
                               "VALUES (?1, ?2, ?3, ?4)", -1, &insert, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_int64 (insert, 1, seq);
          sqlite3_bind_int64 (insert, 2, damaged_ms != 0 ? damaged_ms : s->result->time_ms);
          if (damaged_ms != 0 && acknowledged_ms != 0)
            sqlite3_bind_int64 (insert, 3, acknowledged_ms);
          sqlite3_bind_text (insert, 4, damaged_ms != 0 && old_reason != NULL ? old_reason : reason, -1,
                             SQLITE_TRANSIENT);
          rc = step_done (insert);
        }
      sqlite3_finalize (insert);
    }

  if (rc == SQLITE_OK)
    {
      sqlite3_exec (s->fresh->db, "RELEASE salvage_row", NULL, NULL, NULL);
      if (reason != NULL && pending)
        s->result->damaged++;
      else
        s->result->saved++;
    }
  else
    {
      g_debug ("salvage: row %" G_GINT64_FORMAT " refused by the fresh queue: %s", seq, sqlite3_errstr (rc));
      sqlite3_exec (s->fresh->db, "ROLLBACK TO salvage_row", NULL, NULL, NULL);
      sqlite3_exec (s->fresh->db, "RELEASE salvage_row", NULL, NULL, NULL);
      s->result->lost++;
    }
  for (int i = 0; i < n_columns; i++)
    sqlite3_value_free (values[i]);
  return SQLITE_ROW;
}

/* Walks the applications of the damaged file by row id: the next row
 * after each one read; where SQLite reports the B-tree as corrupt, row by
 * row (each unreadable id counts as lost), and after 4096 unreadable ids
 * in a row in growing steps (the count is then a lower bound). */
static void
salvage_walk (Salvager *s)
{
  sqlite3_stmt *max = NULL;
  gint64 max_seq = 0, x = 1, step = 1;
  gboolean have_max = FALSE;
  guint failures = 0;

  if (sqlite3_prepare_v2 (s->src, "SELECT max(seq) FROM applications", -1, &max, NULL) == SQLITE_OK)
    {
      int rc = sqlite3_step (max);

      if (rc == SQLITE_ROW)
        {
          have_max = TRUE;
          max_seq = sqlite3_column_type (max, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64 (max, 0);
        }
    }
  sqlite3_finalize (max);

  for (;;)
    {
      int rc;

      if ((have_max && x > max_seq) || x <= 0 || x > ((gint64) 1 << 53))
        break;
      sqlite3_reset (s->next);
      sqlite3_bind_int64 (s->next, 1, x);
      rc = sqlite3_step (s->next);
      if (rc == SQLITE_ROW)
        {
          gint64 seq = sqlite3_column_int64 (s->next, 0);

          sqlite3_reset (s->next);
          salvage_row (s, seq);
          x = seq + 1;
          failures = 0;
          step = 1;
          continue;
        }
      sqlite3_reset (s->next);
      if (rc == SQLITE_DONE)
        break;
      /* the path to x is damaged: try x itself, then the next id */
      s->result->unknown_rest = TRUE;
      salvage_row (s, x);
      if (++failures > 4096)
        {
          step *= 2;
          s->result->unknown_rest = TRUE;
        }
      x += step;
    }
  if (!have_max)
    s->result->unknown_rest = TRUE;

  /* The indexes are B-trees of their own and hold every row's seq: a row
   * they know that the walk did not reach is read by its id, and counted
   * as lost when that fails too. A scan that runs into damage is also
   * made from the other end. */
  {
    static const char *const scans[] = {
      "SELECT seq FROM applications INDEXED BY applications_state WHERE state >= '' "
      "ORDER BY state, created_ms, next_attempt_ms, seq",
      "SELECT seq FROM applications INDEXED BY applications_state WHERE state >= '' "
      "ORDER BY state DESC, created_ms DESC, next_attempt_ms DESC, seq DESC",
      "SELECT seq FROM applications WHERE reference >= '' ORDER BY reference",
      "SELECT seq FROM applications WHERE reference >= '' ORDER BY reference DESC",
    };
    g_autoptr(GArray) known = g_array_new (FALSE, FALSE, sizeof (gint64));

    for (guint i = 0; i < G_N_ELEMENTS (scans); i++)
      {
        sqlite3_stmt *stmt = NULL;
        int rc = sqlite3_prepare_v2 (s->src, scans[i], -1, &stmt, NULL);

        while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
          {
            gint64 seq = sqlite3_column_int64 (stmt, 0);

            g_array_append_val (known, seq);
          }
        if (rc != SQLITE_DONE)
          s->result->unknown_rest = TRUE;
        sqlite3_finalize (stmt);
      }
    for (guint i = 0; i < known->len; i++)
      {
        gint64 seq = g_array_index (known, gint64, i);

        s->known_max = MAX (s->known_max, seq);
        if (g_hash_table_contains (s->attempted, &seq))
          continue;
        if (salvage_row (s, seq) == SQLITE_DONE)
          s->result->lost++;   /* the index has it, the table does not give it */
      }
  }

  /* When anything was damaged, a damaged interior page may hide rows from
   * the walk and from max(seq) alike: every id up to the highest one seen
   * (and 1024 beyond) not read yet is asked for by itself. */
  if (s->result->unknown_rest)
    {
      /* bounded by rows actually read (a damaged page may claim any id),
       * and by ten million ids in all */
      gint64 last = s->found_max + 1024;

      for (gint64 seq = 1; seq <= last && seq <= 10000000; seq++)
        {
          if (g_hash_table_contains (s->attempted, &seq))
            continue;
          if (salvage_row (s, seq) == SQLITE_ROW)
            last = MAX (last, s->found_max + 1024);
        }
    }

  /* An id that could not be read is a lost row when a row read or an
   * index shows that ids went that far; beyond, it is only the unknown
   * rest. */
  {
    GHashTableIter iter;
    gpointer key;
    gint64 bound = MAX (s->found_max, s->known_max);

    g_hash_table_iter_init (&iter, s->unreadable);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (*(gint64 *) key <= bound)
        s->result->lost++;
  }
}

static void
salvage_copy (const char        *src_path,
              KioskQueue        *fresh,
              KioskQueueSalvage *result)
{
  Salvager s = { NULL };
  g_autofree char *row_sql = NULL;
  gint64 version = 0;
  int rc;

  s.fresh = fresh;
  s.result = result;
  s.attempted = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  s.unreadable = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  if (!has_sqlite_header (src_path)
      || sqlite3_open_v2 (src_path, &s.src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      result->unknown_rest = TRUE;
      sqlite3_close (s.src);
      return;
    }
  sqlite3_extended_result_codes (s.src, 1);
  /* SQLite checks each cell's size against its page: more damage is
   * reported as SQLITE_CORRUPT instead of being read as data */
  sqlite3_exec (s.src, "PRAGMA cell_size_check = ON; PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
  {
    sqlite3_stmt *stmt = NULL;

    rc = sqlite3_prepare_v2 (s.src, "PRAGMA user_version", -1, &stmt, NULL);
    if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
      version = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
  }
  /* schemas 3 and 4 keep the ciphertexts in the row; older files are
   * migrated by a writer long before they could be damaged in use */
  s.has_hash = version >= 4;
  row_sql = g_strdup_printf ("SELECT %s%s FROM applications WHERE seq = ?1", salvage_row_columns,
                             s.has_hash ? ", ciphertext_sha256" : "");
  if (version < 3
      || sqlite3_prepare_v2 (s.src, "SELECT seq FROM applications WHERE seq >= ?1 ORDER BY seq LIMIT 1",
                             -1, &s.next, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (s.src, row_sql, -1, &s.row, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (s.src, s.has_hash
                             ? "SELECT position, attachment_id, purpose, mime_type, ciphertext, ciphertext_sha256 "
                               "FROM attachments WHERE app = ?1 ORDER BY position"
                             : "SELECT position, attachment_id, purpose, mime_type, ciphertext "
                               "FROM attachments WHERE app = ?1 ORDER BY position",
                             -1, &s.attachments, NULL) != SQLITE_OK)
    {
      /* the schema itself is unreadable: nothing can be found */
      result->unknown_rest = TRUE;
      goto out;
    }
  if (s.has_hash
      && sqlite3_prepare_v2 (s.src, "SELECT damaged_ms, acknowledged_ms, reason FROM damaged_applications "
                             "WHERE app = ?1", -1, &s.damage, NULL) != SQLITE_OK)
    s.damage = NULL;

  salvage_walk (&s);

out:
  sqlite3_finalize (s.next);
  sqlite3_finalize (s.row);
  sqlite3_finalize (s.attachments);
  sqlite3_finalize (s.damage);
  sqlite3_close (s.src);
  g_hash_table_unref (s.attempted);
  g_hash_table_unref (s.unreadable);
}

static char *
unique_name (const char *base,
             const char *stamp)
{
  char *target = g_strdup_printf ("%s-%s", base, stamp);

  for (guint n = 2; g_file_test (target, G_FILE_TEST_EXISTS); n++)
    {
      g_free (target);
      target = g_strdup_printf ("%s-%s-%u", base, stamp, n);
    }
  return target;
}

static void
remove_with_side_files (const char *path)
{
  static const char *const suffixes[] = { "-wal", "-shm", "" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

static void
sync_directory (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

static gboolean
append_damage_record (const char               *data_dir,
                      const KioskQueueSalvage  *salvage,
                      const char               *group,
                      GError                  **error)
{
  g_autofree char *path = g_build_filename (data_dir, DAMAGE_RECORD_NAME, NULL);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;
  gsize length = 0;

  if (kiosk_file_read (path, MAX_DAMAGE_RECORD, &contents, &length, NULL))
    g_key_file_load_from_data (keyfile, contents, length, G_KEY_FILE_NONE, NULL);
  g_key_file_set_int64 (keyfile, group, "time_ms", salvage->time_ms);
  g_key_file_set_string (keyfile, group, "kept_file", salvage->kept_path);
  g_key_file_set_string (keyfile, group, "problem", salvage->problem != NULL ? salvage->problem : "");
  g_key_file_set_uint64 (keyfile, group, "saved", salvage->saved);
  g_key_file_set_uint64 (keyfile, group, "damaged", salvage->damaged);
  g_key_file_set_uint64 (keyfile, group, "lost", salvage->lost);
  g_key_file_set_uint64 (keyfile, group, "attachments_lost", salvage->attachments_lost);
  g_key_file_set_boolean (keyfile, group, "unknown_rest", salvage->unknown_rest);
  g_free (contents);
  contents = g_key_file_to_data (keyfile, &length, NULL);
  if (!g_file_set_contents_full (path, contents, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT
                                 | G_FILE_SET_CONTENTS_DURABLE, 0600, &local))
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_READ_ONLY,
                   _("The damage record %s cannot be written (%s); the damaged queue was left as it "
                     "was. Check that %s is writable and has space."), path, local->message, data_dir);
      return FALSE;
    }
  return TRUE;
}

gboolean
kiosk_queue_salvage (const char         *data_dir,
                     const char         *problem,
                     KioskQueueSalvage **salvage_out,
                     GError            **error)
{
  g_autofree char *path = g_build_filename (data_dir, "queue.db", NULL);
  g_autofree char *fresh_path = g_build_filename (data_dir, SALVAGE_NAME, NULL);
  g_autofree char *lock_path = g_build_filename (data_dir, SALVAGE_LOCK_NAME, NULL);
  g_autofree char *found = NULL;
  g_autofree char *base = NULL;
  g_autofree char *stamp = NULL;
  g_autoptr(KioskQueueSalvage) result = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(KioskQueue) fresh = NULL;
  gboolean ok = FALSE;
  int lock_fd;

  g_return_val_if_fail (data_dir != NULL, FALSE);
  g_return_val_if_fail (salvage_out != NULL, FALSE);
  *salvage_out = NULL;

  /* one salvage at a time (the kiosk and the sync service start together) */
  lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) != 0)
    {
      int saved = errno;

      if (lock_fd >= 0)
        close (lock_fd);
      g_set_error (error, KIOSK_QUEUE_ERROR, saved == EROFS || saved == EACCES ? KIOSK_QUEUE_ERROR_READ_ONLY
                   : KIOSK_QUEUE_ERROR_OPEN,
                   _("The damaged queue in %s cannot be salvaged: %s cannot be locked (%s); nothing "
                     "was changed. Check that the directory is writable for this user."),
                   data_dir, lock_path, g_strerror (saved));
      return FALSE;
    }

  /* intact now (another process salvaged it meanwhile), or gone: nothing to do */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      ok = TRUE;
      goto out;
    }
  found = file_problem (path);
  if (found == NULL)
    {
      ok = TRUE;
      goto out;
    }

  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  result = g_new0 (KioskQueueSalvage, 1);
  result->time_ms = g_date_time_to_unix (now) * 1000 + g_date_time_get_microsecond (now) / 1000;
  result->problem = g_strdup (problem != NULL ? problem : found);
  base = g_strconcat (path, ".damaged", NULL);
  result->kept_path = unique_name (base, stamp);

  /* the fresh queue, built beside the damaged one (a leftover of an
   * interrupted salvage is our own partial copy) */
  remove_with_side_files (fresh_path);
  fresh = queue_open_file (data_dir, SALVAGE_NAME, KIOSK_QUEUE_OPEN_NO_CHECK, error);
  if (fresh == NULL)
    goto out;
  if (begin_write (fresh) != SQLITE_OK)
    {
      set_sqlite_error (fresh, error, sqlite3_errcode (fresh->db), DID_CHANGE);
      goto out;
    }
  salvage_copy (path, fresh, result);
  {
    int rc = commit (fresh);

    if (rc != SQLITE_OK)
      {
        rollback (fresh);
        set_sqlite_error (fresh, error, rc, DID_CHANGE);
        goto out;
      }
  }
  /* closing the last connection checkpoints the WAL into the file */
  g_clear_pointer (&fresh, kiosk_queue_close);

  /* the record first: from here on monitoring says what happened even
   * if the renames below are interrupted (the next writer finishes them) */
  {
    g_autofree char *group = g_path_get_basename (result->kept_path);

    if (!append_damage_record (data_dir, result, group, error))
      goto out;
  }
  if (!move_files (path, result->kept_path, error))
    goto out;
  if (g_rename (fresh_path, path) != 0)
    {
      int saved = errno;

      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_READ_ONLY,
                   _("The salvaged queue %s cannot be put in place of %s (%s). Rename it by hand; "
                     "the damaged file is kept as %s."), fresh_path, path, g_strerror (saved),
                   result->kept_path);
      goto out;
    }
  sync_directory (data_dir);
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                    "QUEUE_FILE", path,
                    "QUEUE_KEPT_AS", result->kept_path,
                    "QUEUE_PROBLEM", result->problem,
                    "MESSAGE", "The queue file %s was damaged (%s). %" G_GUINT64_FORMAT " applications were "
                    "carried into a fresh queue, %" G_GUINT64_FORMAT " of them damaged (never sent), %"
                    G_GUINT64_FORMAT " rows could not be read%s; the damaged file is kept as %s. "
                    "antragskiosk-ctl status stays critical until antragskiosk-ctl queue acknowledge.",
                    path, result->problem, result->saved + result->damaged, result->damaged, result->lost,
                    result->unknown_rest ? " (part of the file could not be walked: maybe more)" : "",
                    result->kept_path);
  *salvage_out = g_steal_pointer (&result);
  ok = TRUE;

out:
  if (!ok)
    {
      g_clear_pointer (&fresh, kiosk_queue_close);
      remove_with_side_files (fresh_path);
    }
  flock (lock_fd, LOCK_UN);
  close (lock_fd);
  return ok;
}

/* ---- damage records ---- */

GPtrArray *
kiosk_queue_damage_load (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, DAMAGE_RECORD_NAME, NULL);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_queue_salvage_free);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!kiosk_file_read (path, MAX_DAMAGE_RECORD, &contents, &length, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        goto unreadable;
      return g_steal_pointer (&records);
    }
  if (!g_key_file_load_from_data (keyfile, contents, length, G_KEY_FILE_NONE, &error))
    goto unreadable;
  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      KioskQueueSalvage *record = g_new0 (KioskQueueSalvage, 1);

      record->time_ms = g_key_file_get_int64 (keyfile, groups[i], "time_ms", NULL);
      record->kept_path = g_key_file_get_string (keyfile, groups[i], "kept_file", NULL);
      record->problem = g_key_file_get_string (keyfile, groups[i], "problem", NULL);
      record->saved = g_key_file_get_uint64 (keyfile, groups[i], "saved", NULL);
      record->damaged = g_key_file_get_uint64 (keyfile, groups[i], "damaged", NULL);
      record->lost = g_key_file_get_uint64 (keyfile, groups[i], "lost", NULL);
      record->attachments_lost = g_key_file_get_uint64 (keyfile, groups[i], "attachments_lost", NULL);
      record->unknown_rest = g_key_file_get_boolean (keyfile, groups[i], "unknown_rest", NULL);
      g_ptr_array_add (records, record);
    }
  if (records->len == 0)
    {
      g_set_error (&error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND, "it holds no record");
      goto unreadable;
    }
  return g_steal_pointer (&records);

unreadable:
  {
    KioskQueueSalvage *record = g_new0 (KioskQueueSalvage, 1);

    record->problem = g_strdup_printf ("the damage record %s cannot be read (%s); look at it and at the "
                                       "queue.db.damaged-* files in %s, then run antragskiosk-ctl queue "
                                       "acknowledge", path, error->message, data_dir);
    record->unknown_rest = TRUE;
    g_ptr_array_set_size (records, 0);
    g_ptr_array_add (records, record);
    return g_steal_pointer (&records);
  }
}

gboolean
kiosk_queue_damage_acknowledge (const char  *data_dir,
                                KioskQueue  *queue,
                                guint       *n_records,
                                guint64     *n_applications,
                                GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, DAMAGE_RECORD_NAME, NULL);
  g_autoptr(GPtrArray) records = kiosk_queue_damage_load (data_dir);
  guint64 applications = 0;

  g_return_val_if_fail (data_dir != NULL, FALSE);

  if (queue != NULL)
    {
      sqlite3_stmt *stmt;
      int rc = begin_write (queue);

      if (rc != SQLITE_OK)
        goto failed;
      stmt = statement (queue, "UPDATE damaged_applications SET acknowledged_ms = ?1 "
                               "WHERE acknowledged_ms IS NULL", &rc);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, kiosk_queue_now_ms (queue));
      rc = step_done (stmt);
      if (rc != SQLITE_OK)
        goto failed;
      applications = (guint64) sqlite3_changes (queue->db);
      rc = commit (queue);
      if (rc != SQLITE_OK)
        goto failed;
      if (FALSE)
        {
failed:
          rollback (queue);
          set_sqlite_error (queue, error, rc, DID_CHANGE);
          return FALSE;
        }
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
      g_autofree char *base = g_strconcat (path, ".acknowledged", NULL);
      g_autofree char *target = unique_name (base, stamp);

      if (g_rename (path, target) != 0)
        {
          int saved = errno;

          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_READ_ONLY,
                       _("The damage record %s cannot be renamed (%s); nothing was acknowledged. "
                         "Check that %s is writable for this user."), path, g_strerror (saved), data_dir);
          return FALSE;
        }
      sync_directory (data_dir);
    }
  else
    g_ptr_array_set_size (records, 0);
  if (n_records != NULL)
    *n_records = records->len;
  if (n_applications != NULL)
    *n_applications = applications;
  return TRUE;
}

char *
kiosk_queue_describe_damage (const char             *data_dir,
                             const KioskQueueCounts *counts)
{
  g_autoptr(GPtrArray) records = kiosk_queue_damage_load (data_dir);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    {
      const KioskQueueSalvage *record = records->pdata[i];
      g_autoptr(GDateTime) time = record->time_ms > 0 ? g_date_time_new_from_unix_utc (record->time_ms / 1000) : NULL;
      g_autofree char *when = time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M UTC") : NULL;

      if (text->len > 0)
        g_string_append_c (text, ' ');
      if (record->kept_path == NULL)
        {
          g_string_append (text, record->problem);
          g_string_append_c (text, '.');
          continue;
        }
      g_string_append_printf (text, "The queue file was damaged%s%s (%s) and was salvaged: %" G_GUINT64_FORMAT
                              " application%s saved, %" G_GUINT64_FORMAT " damaged (never sent), %"
                              G_GUINT64_FORMAT " lost%s%s; the damaged file is kept at %s.",
                              when != NULL ? " on " : "", when != NULL ? when : "",
                              record->problem != NULL ? record->problem : "no detail",
                              record->saved, record->saved == 1 ? "" : "s", record->damaged, record->lost,
                              record->unknown_rest ? " or more (part of the file could not be read)" : "",
                              record->attachments_lost > 0 ? ", attachments lost too" : "",
                              record->kept_path);
    }
  if (counts != NULL && counts->damaged_unacknowledged > 0)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_printf (text, "%" G_GUINT64_FORMAT " stored application%s %s a damaged ciphertext and "
                              "cannot be sent; the citizen%s must submit again (antragskiosk-ctl queue "
                              "list --state failed).",
                              counts->damaged_unacknowledged, counts->damaged_unacknowledged == 1 ? "" : "s",
                              counts->damaged_unacknowledged == 1 ? "has" : "have",
                              counts->damaged_unacknowledged == 1 ? "" : "s");
    }
  if (text->len == 0)
    return NULL;
  g_string_append (text, " When this has been dealt with, run antragskiosk-ctl queue acknowledge.");
  return g_string_free (g_steal_pointer (&text), FALSE);
}
