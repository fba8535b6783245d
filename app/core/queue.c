/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-queue"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include <antragskiosk/queue.h>
#include <antragskiosk/reference.h>

G_DEFINE_QUARK (kiosk-queue-error-quark, kiosk_queue_error)

#define DEFAULT_BUSY_TIMEOUT_MS 5000
#define MAX_ERROR_TEXT 1000
#define DAY_MS ((gint64) 24 * 60 * 60 * 1000)

struct _KioskQueue {
  sqlite3         *db;
  char            *data_dir;
  char            *path;
  char            *recovered_from;
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
                   _("The queue file %s is damaged; %s. Restart the kiosk: it moves the "
                     "damaged file aside and starts a fresh queue."), queue->path, what);
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
  g_free (queue);
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

/* Moves @path and its -wal and -shm files aside. Returns the new path of
 * the main file. */
static char *
move_aside (const char  *path,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *target = g_strdup_printf ("%s.corrupt-%s", path, stamp);
  static const char *const suffixes[] = { "-wal", "-shm" };

  for (guint n = 2; g_file_test (target, G_FILE_TEST_EXISTS); n++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, n);
    }
  /* The side files first: a leftover -wal beside a fresh queue.db would
   * be replayed into it. */
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      if (g_rename (from, to) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_READ_ONLY,
                       _("The queue file %s is damaged and cannot be moved aside (%s); "
                         "the queue was not opened. Move it away by hand."),
                       path, g_strerror (saved));
          return NULL;
        }
    }
  if (g_rename (path, target) != 0)
    {
      int saved = errno;

      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_READ_ONLY,
                   _("The queue file %s is damaged and cannot be moved aside (%s); "
                     "the queue was not opened. Move it away by hand."),
                   path, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&target);
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

  rc = sqlite3_open_v2 (queue->path, &queue->db, SQLITE_OPEN_READWRITE, NULL);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_extended_result_codes (queue->db, 1);
  sqlite3_busy_timeout (queue->db, (int) queue->busy_timeout_ms);

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

KioskQueue *
kiosk_queue_open (const char           *data_dir,
                  KioskQueueOpenFlags   flags,
                  GError              **error)
{
  g_autoptr(KioskQueue) queue = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  queue = g_new0 (KioskQueue, 1);
  queue->data_dir = g_strdup (data_dir);
  queue->path = g_build_filename (data_dir, "queue.db", NULL);
  queue->busy_timeout_ms = DEFAULT_BUSY_TIMEOUT_MS;
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
      g_autofree char *moved = NULL;
      int rc;

      if (!g_file_test (queue->path, G_FILE_TEST_EXISTS) && !create_file (queue, error))
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

      if (((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) && attempt == 0)
        {
          close_db (queue);
          moved = move_aside (queue->path, error);
          if (moved == NULL)
            return NULL;
          g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                            "QUEUE_FILE", queue->path,
                            "QUEUE_MOVED_TO", moved,
                            "QUEUE_PROBLEM", problem != NULL ? problem : sqlite3_errstr (rc),
                            "MESSAGE", "The queue file %s is damaged (%s); it was moved to %s "
                            "and a fresh queue was started. Applications in it were not sent.",
                            queue->path, problem != NULL ? problem : sqlite3_errstr (rc), moved);
          queue->recovered_from = g_steal_pointer (&moved);
          continue;
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
  "a.decided_ms, a.last_error, a.updated_ms, a.purged_ms, a.n_attachments"

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
  return item;
}

/* Adds the ciphertexts and attachments of @item (row @seq). */
static int
load_ciphertexts (KioskQueue     *queue,
                  KioskQueueItem *item,
                  gint64          seq)
{
  int rc;
  sqlite3_stmt *stmt;

  item->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_queue_attachment_free);
  stmt = statement (queue, "SELECT metadata_jwe, data_jwe FROM applications WHERE seq = ?1", &rc);
  if (stmt == NULL)
    return rc;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      item->metadata_jwe = column_text (stmt, 0);
      item->data_jwe = column_text (stmt, 1);
      rc = SQLITE_DONE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rc;

  stmt = statement (queue, "SELECT attachment_id, purpose, mime_type, ciphertext FROM attachments "
                           "WHERE app = ?1 ORDER BY position", &rc);
  if (stmt == NULL)
    return rc;
  sqlite3_bind_int64 (stmt, 1, seq);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (item->attachments,
                     kiosk_queue_attachment_new ((const char *) sqlite3_column_text (stmt, 0),
                                                 (const char *) sqlite3_column_text (stmt, 1),
                                                 (const char *) sqlite3_column_text (stmt, 2),
                                                 (const char *) sqlite3_column_text (stmt, 3)));
  sqlite3_reset (stmt);
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
  stmt = statement (queue, "SELECT " ITEM_COLUMNS " FROM applications a WHERE a.reference = ?1", &rc);
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
  rc = load_ciphertexts (queue, item, seq);
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
    stmt = statement (queue, "SELECT " ITEM_COLUMNS " FROM applications a "
                             "ORDER BY a.seq DESC LIMIT ?2 OFFSET ?3", &rc);
  else
    /* The rows of one state are chosen from the state index alone (it
     * holds seq); only those shown are read. */
    stmt = statement (queue, "SELECT " ITEM_COLUMNS " FROM applications a WHERE a.seq IN "
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

GPtrArray *
kiosk_queue_take_due (KioskQueue  *queue,
                      gint64       now_ms,
                      guint        limit,
                      GError     **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_queue_item_free);
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (queue != NULL, NULL);

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

      stmt = statement (queue, "SELECT " ITEM_COLUMNS " FROM applications a WHERE a.seq = ?1", &rc);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, seq);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        g_ptr_array_add (items, item_from_row (stmt, &seq));
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        goto failed;
      rc = load_ciphertexts (queue, items->pdata[i], seq);
      if (rc != SQLITE_OK)
        goto failed;
    }
  rc = commit (queue);
  if (rc != SQLITE_OK)
    goto failed;
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
  gint64 now, seq;
  int rc;

  g_return_val_if_fail (queue != NULL, NULL);
  g_return_val_if_fail (submission != NULL, NULL);

  if (!check_submission (submission, error))
    return NULL;

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
                        "next_attempt_ms, updated_ms, n_attachments, metadata_jwe, data_jwe) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', 0, ?7, ?7, ?8, ?9, ?10)", &rc);
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

      stmt = statement (queue, "INSERT INTO attachments (app, position, attachment_id, purpose, "
                               "mime_type, ciphertext) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &rc);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, seq);
      sqlite3_bind_int64 (stmt, 2, i);
      sqlite3_bind_text (stmt, 3, a->attachment_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, a->purpose, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, a->mime_type, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, a->ciphertext, -1, SQLITE_STATIC);
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
  gboolean found = FALSE;
  gint64 seq = 0, now;
  int rc, n_params;

  g_return_val_if_fail (queue != NULL, FALSE);

  canonical = canonical_reference (reference, error);
  if (canonical == NULL)
    return FALSE;

  rc = begin_write (queue);
  if (rc != SQLITE_OK)
    goto failed;
  stmt = statement (queue, "SELECT seq, state FROM applications WHERE reference = ?1", &rc);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, canonical, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      found = TRUE;
      seq = sqlite3_column_int64 (stmt, 0);
      kiosk_queue_state_from_string ((const char *) sqlite3_column_text (stmt, 1), &state);
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
                   "data_jwe = NULL WHERE purged_ms IS NULL "
                   "AND state IN ('submitted','accepted','rejected') AND submitted_ms <= ?1";
    }
  else
    {
      select_sql = "SELECT seq FROM applications WHERE purged_ms IS NULL "
                   "AND state IN ('accepted','rejected') AND decided_ms <= ?1";
      update_sql = "UPDATE applications SET purged_ms = ?2, updated_ms = ?2, metadata_jwe = NULL, "
                   "data_jwe = NULL WHERE purged_ms IS NULL "
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
