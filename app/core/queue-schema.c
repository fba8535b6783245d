/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The queue's schema and its migrations (schema 0 → KIOSK_QUEUE_SCHEMA_VERSION). */
#define G_LOG_DOMAIN "antragskiosk-queue"

#include "config.h"

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include <antragskiosk/queue.h>
#include "queue-private.h"

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

  /* 4 → 5: the state 'deleted' (the Zustelldienst deleted a submitted
   * application before the authority fetched it). Only the state column's
   * CHECK changes, and it becomes weaker: every row stays valid, so the
   * table's text in sqlite_schema is edited (SQLite's documented way for
   * changes that do not touch stored rows: "ALTER TABLE", "Making Other
   * Kinds Of Table Schema Changes") instead of rebuilding the whole table
   * as 2 → 3 did (seconds, and twice the file's size on disk).
   * widen_finish() checks the edit, bumps the schema cookie (other
   * connections reload the schema) and reloads this connection's. */
  "PRAGMA writable_schema = ON;"
  "UPDATE sqlite_schema SET sql = replace (sql, '''rejected'',''failed'')', "
  "                                       '''rejected'',''failed'',''deleted'')')"
  "  WHERE type = 'table' AND name = 'applications';",
};

/* The step that edits sqlite_schema (4 → 5). */
#define WIDEN_STEP 4

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == KIOSK_QUEUE_SCHEMA_VERSION);

/* A read-only queue is only looked at: schema 3 is read as it is (an
 * empty damaged_applications in the connection's own temp schema stands in
 * for the table of schema 4); older files need the kiosk first. SQLITE_OK,
 * an error code, or -1 with @error set. */
static int
migrate_read_only (KioskQueue  *queue,
                   gint64       version,
                   GError     **error)
{
  int rc;

  if (version < 3)
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_OPEN,
                   _("The queue file %s has schema version %d, older than this program "
                     "reads without changing it; it was left untouched. Start the kiosk or "
                     "run “antragskiosk-ctl sync --once” once to bring it up to date."),
                   queue->path, (int) version);
      return -1;
    }
  if (version == 3)
    {
      rc = sqlite3_exec (queue->db, "CREATE TEMP TABLE damaged_applications ("
                                    "app INTEGER PRIMARY KEY, damaged_ms INTEGER NOT NULL, "
                                    "acknowledged_ms INTEGER, reason TEXT NOT NULL)", NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        return rc;
    }
  queue->schema_version = version;
  return SQLITE_OK;
}

/* After the 4 → 5 edit of sqlite_schema: the state CHECK of
 * `applications` must now name 'deleted' (else the file's table is not
 * the one schema 4 made: *@problem, and the step is undone); the schema
 * cookie goes up by one so that every other connection reads the new
 * schema, and this connection's is reloaded. writable_schema is off
 * again on every path. */
static int
widen_finish (KioskQueue  *queue,
              char       **problem)
{
  g_autofree char *cookie = NULL;
  g_autofree char *bump = NULL;
  g_autofree char *widened = NULL;
  int rc = _kiosk_queue_exec_pragma (queue, "SELECT count (*) FROM sqlite_schema WHERE type = 'table' AND "
                                            "name = 'applications' AND "
                                            "instr (sql, '''rejected'',''failed'',''deleted'')') > 0",
                                     &widened);

  if (rc == SQLITE_OK && g_strcmp0 (widened, "1") != 0)
    {
      rc = SQLITE_CONSTRAINT_CHECK;
      *problem = g_strdup ("the states of its applications table are not the ones of schema version 4");
    }
  if (rc == SQLITE_OK)
    rc = _kiosk_queue_exec_pragma (queue, "PRAGMA schema_version", &cookie);
  if (rc == SQLITE_OK)
    {
      bump = g_strdup_printf ("PRAGMA schema_version = %" G_GINT64_FORMAT,
                              g_ascii_strtoll (cookie != NULL ? cookie : "0", NULL, 10) + 1);
      rc = sqlite3_exec (queue->db, bump, NULL, NULL, NULL);
    }
  sqlite3_exec (queue->db, "PRAGMA writable_schema = RESET", NULL, NULL, NULL);
  return rc;
}

/* The SQL of step @version (4 → 5 with its check and cookie). A library
 * built defensive would refuse writable_schema: off for that step, then
 * as it was. */
static int
run_step (KioskQueue  *queue,
          gint64       version,
          char       **problem)
{
  int defensive = 0, rc, finished;

  if (version != WIDEN_STEP)
    return sqlite3_exec (queue->db, migrations[version], NULL, NULL, NULL);
  sqlite3_db_config (queue->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
  sqlite3_db_config (queue->db, SQLITE_DBCONFIG_DEFENSIVE, 0, (int *) NULL);
  rc = sqlite3_exec (queue->db, migrations[version], NULL, NULL, NULL);
  finished = widen_finish (queue, problem);
  sqlite3_db_config (queue->db, SQLITE_DBCONFIG_DEFENSIVE, defensive, (int *) NULL);
  return rc != SQLITE_OK ? rc : finished;
}

/* One step, from *@version to *@version + 1, in its own transaction with
 * PRAGMA user_version and a row in schema_log. Another connection may be
 * migrating at the same moment: the version is read again under the write
 * lock, and *@done is set when it is up to date already. */
static int
migrate_step (KioskQueue  *queue,
              gint64      *version,
              gboolean    *done,
              char       **problem)
{
  g_autofree char *set_version = NULL;
  g_autofree char *log_row = NULL;
  g_autofree char *dangling = NULL;
  int rc = sqlite3_exec (queue->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return rc;
  rc = _kiosk_queue_read_user_version (queue, version);
  if (rc != SQLITE_OK)
    return rc;
  if (*version >= KIOSK_QUEUE_SCHEMA_VERSION)
    {
      *done = TRUE;
      return sqlite3_exec (queue->db, "COMMIT", NULL, NULL, NULL);
    }
  rc = run_step (queue, *version, problem);
  if (rc != SQLITE_OK)
    return rc;
  rc = _kiosk_queue_exec_pragma (queue, "PRAGMA foreign_key_check", &dangling);
  if (rc == SQLITE_OK && dangling != NULL)
    {
      rc = SQLITE_CONSTRAINT_FOREIGNKEY;
      *problem = g_strdup_printf ("a row of %s refers to a missing row", dangling);
    }
  if (rc != SQLITE_OK)
    return rc;
  set_version = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, *version + 1);
  rc = sqlite3_exec (queue->db, set_version, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return rc;
  log_row = g_strdup_printf ("INSERT INTO schema_log (version, applied_ms) VALUES (%" G_GINT64_FORMAT
                             ", %" G_GINT64_FORMAT ")", *version + 1, kiosk_queue_now_ms (queue));
  rc = sqlite3_exec (queue->db, log_row, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_exec (queue->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return rc;
  g_debug ("queue schema migrated to version %" G_GINT64_FORMAT, *version + 1);
  (*version)++;
  return SQLITE_OK;
}

/* A step may rebuild a table (2 → 3): dropping the old one must not
 * cascade to the rows that refer to it. foreign_keys cannot change
 * inside a transaction; each step checks the keys before it commits. */
static int
migrate_steps (KioskQueue  *queue,
               gint64      *version,
               char       **problem)
{
  gboolean done = FALSE;
  int rc;

  if (*version < KIOSK_QUEUE_SCHEMA_VERSION)
    {
      rc = _kiosk_queue_exec_pragma (queue, "PRAGMA foreign_keys = OFF", NULL);
      if (rc != SQLITE_OK)
        return rc;
    }
  while (*version < KIOSK_QUEUE_SCHEMA_VERSION && !done)
    {
      rc = migrate_step (queue, version, &done, problem);
      if (rc != SQLITE_OK)
        return rc;
    }
  return _kiosk_queue_exec_pragma (queue, "PRAGMA foreign_keys = ON", NULL);
}

/* Undoes the step from @version and sets the error for @rc (*@problem:
 * what broke a rule of the schema, when known). */
static void
migrate_failed (KioskQueue  *queue,
                int          rc,
                char       **problem,
                gint64       version,
                GError     **error)
{
  if ((rc & 0xff) == SQLITE_CONSTRAINT && *problem == NULL)
    *problem = g_strdup (sqlite3_errmsg (queue->db));
  _kiosk_queue_rollback (queue);
  _kiosk_queue_exec_pragma (queue, "PRAGMA foreign_keys = ON", NULL);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      /* The old file breaks a rule of the new schema (e.g. a row without
       * its ciphertexts): the step was undone, the file is as it was. */
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT,
                   _("The queue file %s is inconsistent (%s) and cannot be brought to "
                     "schema version %d; it was left unchanged and the queue was not opened. "
                     "Keep the file for a person to look at, and move it aside to start a "
                     "fresh queue."),
                   queue->path, *problem, (int) version + 1);
      return;
    }
  _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_OPEN);
}

gboolean
_kiosk_queue_migrate (KioskQueue  *queue,
                      GError     **error)
{
  g_autofree char *problem = NULL;
  gint64 version = 0;
  int rc = _kiosk_queue_read_user_version (queue, &version);

  if (rc == SQLITE_OK && queue->read_only && version <= KIOSK_QUEUE_SCHEMA_VERSION)
    {
      rc = migrate_read_only (queue, version, error);
      if (rc < 0)
        return FALSE;
      if (rc == SQLITE_OK)
        return TRUE;
    }
  else if (rc == SQLITE_OK && version > KIOSK_QUEUE_SCHEMA_VERSION)
    {
      g_autofree char *found = g_strdup_printf ("%" G_GINT64_FORMAT, version);

      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_TOO_NEW,
                   _("The queue file %s was written by a newer version of Antragskiosk "
                     "(schema %s, this version knows %d); it was left untouched. Install "
                     "the newer version again."),
                   queue->path, found, KIOSK_QUEUE_SCHEMA_VERSION);
      return FALSE;
    }
  else if (rc == SQLITE_OK)
    rc = migrate_steps (queue, &version, &problem);
  if (rc != SQLITE_OK)
    {
      migrate_failed (queue, rc, &problem, version, error);
      return FALSE;
    }
  queue->schema_version = KIOSK_QUEUE_SCHEMA_VERSION;
  return TRUE;
}
