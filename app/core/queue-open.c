/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Opening and closing the queue: the connection and its pragmas,
 * read-only opens, integrity checks and the checkpoint. */
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
#include "queue-private.h"

#define DEFAULT_BUSY_TIMEOUT_MS 5000

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

const KioskQueueSalvage *
kiosk_queue_get_salvage (KioskQueue *queue)
{
  g_return_val_if_fail (queue != NULL, NULL);
  return queue->salvage;
}

/* Why the file cannot be used as a queue. */
typedef enum {
  FILE_OK,
  FILE_CORRUPT,
  FILE_ERROR,   /* another error: rc is set */
} FileVerdict;

/* PRAGMA quick_check (integrity_check when @full): FILE_CORRUPT with
 * *@problem saying what is wrong (it names pages and tables, never
 * content), or FILE_ERROR with *@rc_out. */
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

/* Read-only: SQLite changes nothing in the file; temporary tables stay in
 * memory. */
static int
connect_read_only (KioskQueue *queue)
{
  gint64 version = 0;
  g_autofree char *wal = g_strconcat (queue->path, "-wal", NULL);
  int rc;

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
  rc = _kiosk_queue_exec_pragma (queue, "PRAGMA temp_store = MEMORY", NULL);
  /* the first read of the file: "not a database" shows here */
  if (rc == SQLITE_OK)
    rc = _kiosk_queue_read_user_version (queue, &version);
  return rc;
}

/* Read-write: WAL, synchronous = FULL, foreign keys, secure_delete. */
static int
connect_read_write (KioskQueue          *queue,
                    KioskQueueOpenFlags  flags)
{
  g_autofree char *mode = NULL;
  int rc = sqlite3_open_v2 (queue->path, &queue->db, SQLITE_OPEN_READWRITE, NULL);

  if (rc != SQLITE_OK)
    return rc;
  sqlite3_extended_result_codes (queue->db, 1);
  sqlite3_busy_timeout (queue->db, (int) queue->busy_timeout_ms);
  rc = sqlite3_create_function_v2 (queue->db, "kiosk_sha256", -1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   NULL, _kiosk_queue_sql_sha256, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return rc;

  /* The first statement reads the header: "not a database" shows here. */
  rc = _kiosk_queue_exec_pragma (queue, "PRAGMA journal_mode = WAL", &mode);
  if (rc != SQLITE_OK)
    return rc;
  if (mode == NULL || g_ascii_strcasecmp (mode, "wal") != 0)
    {
      /* WAL could not be set up (e.g. a file system without shared memory). */
      return SQLITE_CANTOPEN;
    }
  /* FULL: the WAL is synced at every commit, so a committed enqueue
   * survives a power failure. */
  rc = _kiosk_queue_exec_pragma (queue, "PRAGMA synchronous = FULL", NULL);
  if (rc == SQLITE_OK)
    rc = _kiosk_queue_exec_pragma (queue, "PRAGMA foreign_keys = ON", NULL);
  /* Deleted ciphertext is zeroed where that costs no extra I/O. */
  if (rc == SQLITE_OK)
    rc = _kiosk_queue_exec_pragma (queue, "PRAGMA secure_delete = FAST", NULL);
  if (rc != SQLITE_OK)
    return rc;
  if (flags & KIOSK_QUEUE_OPEN_DEFER_CHECKPOINT)
    sqlite3_wal_autocheckpoint (queue->db, 4096);
  return SQLITE_OK;
}

/* Opens the connection and applies the pragmas. Returns SQLITE_OK,
 * SQLITE_NOTADB/CORRUPT for a file that is not a usable database, or
 * another code. */
static int
connect_db (KioskQueue          *queue,
            KioskQueueOpenFlags  flags,
            char               **problem)
{
  int rc = queue->read_only ? connect_read_only (queue) : connect_read_write (queue, flags);

  if (rc != SQLITE_OK)
    return rc;
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
gboolean
_kiosk_queue_has_sqlite_header (const char *path)
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

/* A salvage that stopped between putting the damaged file aside and
 * putting the fresh queue in its place (the only window in which queue.db
 * is missing and a complete queue.db.salvage exists): finish it. */
static void
finish_interrupted_salvage (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, "queue.db", NULL);
  g_autofree char *fresh = g_build_filename (data_dir, _KIOSK_QUEUE_SALVAGE_NAME, NULL);
  g_autofree char *record = g_build_filename (data_dir, _KIOSK_QUEUE_DAMAGE_RECORD_NAME, NULL);

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
  return _kiosk_queue_open_file (data_dir, "queue.db", flags, error);
}

/* A missing file: an error with _NO_CREATE, otherwise the directory is
 * made (the file itself is created by the caller). */
static gboolean
prepare_directory (KioskQueue           *queue,
                   const char           *data_dir,
                   KioskQueueOpenFlags   flags,
                   GError              **error)
{
  if (g_file_test (queue->path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (flags & KIOSK_QUEUE_OPEN_NO_CREATE)
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_OPEN,
                   _("There is no queue at %s yet (no application was stored on this "
                     "kiosk). Check data_dir in the configuration."), queue->path);
      return FALSE;
    }
  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, KIOSK_QUEUE_ERROR,
                   saved == EROFS || saved == EACCES ? KIOSK_QUEUE_ERROR_READ_ONLY : KIOSK_QUEUE_ERROR_OPEN,
                   _("The queue directory %s cannot be created (%s); the queue was not opened. "
                     "Check data_dir in the configuration and the permissions of its parent."),
                   data_dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* One attempt to connect: SQLITE_OK, or the code with *@problem saying
 * what is wrong with the file when known; -1 with @error set when the
 * file cannot be created. */
static int
try_connect (KioskQueue           *queue,
             KioskQueueOpenFlags   flags,
             char                **problem,
             GError              **error)
{
  if (!queue->read_only && !g_file_test (queue->path, G_FILE_TEST_EXISTS) && !create_file (queue, error))
    return -1;
  if (!_kiosk_queue_has_sqlite_header (queue->path))
    {
      *problem = g_strdup ("not an SQLite database");
      return SQLITE_NOTADB;
    }
  return connect_db (queue, flags, problem);
}

/* Salvages the damaged queue.db of @queue and remembers what the salvage
 * did. */
static gboolean
salvage_for_open (KioskQueue  *queue,
                  const char  *data_dir,
                  const char  *why,
                  GError     **error)
{
  KioskQueueSalvage *salvage = NULL;

  if (!kiosk_queue_salvage (data_dir, why, &salvage, error))
    return FALSE;
  if (salvage != NULL)
    {
      queue->salvage = salvage;
      g_free (queue->recovered_from);
      queue->recovered_from = g_strdup (salvage->kept_path);
    }
  return TRUE;
}

/* Opens @data_dir/@name. Only a queue that may be created (no _NO_CREATE,
 * no _READ_ONLY) and is queue.db itself is salvaged when it is damaged. */
KioskQueue *
_kiosk_queue_open_file (const char           *data_dir,
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
  queue->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, _kiosk_queue_finalize_statement);

  if (!prepare_directory (queue, data_dir, flags, error))
    return NULL;

  for (guint attempt = 0; ; attempt++)
    {
      g_autofree char *problem = NULL;
      int rc = try_connect (queue, flags, &problem, error);
      gboolean damaged = (rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT;

      if (rc < 0)
        return NULL;
      if (rc == SQLITE_OK)
        break;

      close_db (queue);
      if (damaged && attempt == 0 && may_salvage)
        {
          if (!salvage_for_open (queue, data_dir, problem != NULL ? problem : sqlite3_errstr (rc), error))
            return NULL;
          continue;
        }
      if (damaged)
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
      _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_OPEN);
      return NULL;
    }

  if (!_kiosk_queue_migrate (queue, error))
    return NULL;

  return g_steal_pointer (&queue);
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
      _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_CHANGE);
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
      _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_READ);
      return FALSE;
    case FILE_OK:
    default:
      break;
    }

  rc = _kiosk_queue_begin_read (queue);
  if (rc != SQLITE_OK)
    goto failed;
  for (guint i = 0; i < G_N_ELEMENTS (invariants); i++)
    {
      sqlite3_stmt *stmt = _kiosk_queue_statement (queue, invariants[i].sql, &rc);
      g_autofree char *found = NULL;

      if (stmt == NULL)
        goto failed;
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        found = _kiosk_queue_column_text (stmt, 0);
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        goto failed;
      if (found != NULL)
        {
          _kiosk_queue_rollback (queue);
          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT,
                       _("The queue file %s is inconsistent: %s (%s)."),
                       queue->path, _(invariants[i].problem), found);
          return FALSE;
        }
    }
  rc = _kiosk_queue_commit (queue);
  if (rc != SQLITE_OK)
    goto failed;
  return TRUE;

failed:
  _kiosk_queue_rollback (queue);
  _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_READ);
  return FALSE;
}
