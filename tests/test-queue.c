/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include <antragskiosk/queue.h>
#include <antragskiosk/reference.h>

#include "queue-fake.h"

#define DESTINATION_ID "d2a7c9e0-3f4b-4c1d-9e8f-0a1b2c3d4e5f"
#define SUBMISSION_ID  "5bd2cbd1-4bc1-4e3e-a0d4-8d3f0a4a2b11"
#define CASE_ID        "8c8b6a5e-3c3e-4a52-9a2b-8f1b3b7c2d44"
#define DAY_MS         ((gint64) 86400000)

/* ---- log capture: the queue warns (structured) about corrupt files ---- */

static guint corrupt_warnings;
static guint damaged_warnings;   /* a ciphertext that no longer matches its hash */

static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL, *moved = NULL, *damaged_reference = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (strcmp (fields[i].key, "QUEUE_KEPT_AS") == 0)
        moved = fields[i].value;
      else if (strcmp (fields[i].key, "QUEUE_REFERENCE") == 0)
        damaged_reference = fields[i].value;
    }
  if ((log_level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "antragskiosk-queue") == 0
      && damaged_reference != NULL)
    {
      damaged_warnings++;
      return G_LOG_WRITER_HANDLED;
    }
  if ((log_level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "antragskiosk-queue") == 0 && moved != NULL)
    {
      corrupt_warnings++;
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* ---- an SQLite VFS that fails on command ---- */

typedef struct {
  sqlite3_file  base;
  sqlite3_file *real;
} FaultFile;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static sqlite3_io_methods fault_methods;
/* Countdowns: -1 off; otherwise that many calls pass, then every call
 * fails with the code until the countdown is set to -1 again. */
static int write_countdown = -1;
static int sync_countdown = -1;
static int fault_code = SQLITE_FULL;
static guint faults_fired;

static gboolean
fault_fires (int *countdown)
{
  if (*countdown < 0)
    return FALSE;
  if (*countdown == 0)
    {
      faults_fired++;
      return TRUE;
    }
  (*countdown)--;
  return FALSE;
}

#define REAL(f) (((FaultFile *) (f))->real)

static int ff_close (sqlite3_file *f) { return REAL (f)->pMethods->xClose (REAL (f)); }
static int ff_read (sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL (f)->pMethods->xRead (REAL (f), b, n, o); }
static int
ff_write (sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
  if (fault_fires (&write_countdown))
    return fault_code;
  return REAL (f)->pMethods->xWrite (REAL (f), b, n, o);
}
static int ff_truncate (sqlite3_file *f, sqlite3_int64 s) { return REAL (f)->pMethods->xTruncate (REAL (f), s); }
static int
ff_sync (sqlite3_file *f, int flags)
{
  if (fault_fires (&sync_countdown))
    return fault_code == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_FSYNC;
  return REAL (f)->pMethods->xSync (REAL (f), flags);
}
static int ff_size (sqlite3_file *f, sqlite3_int64 *s) { return REAL (f)->pMethods->xFileSize (REAL (f), s); }
static int ff_lock (sqlite3_file *f, int l) { return REAL (f)->pMethods->xLock (REAL (f), l); }
static int ff_unlock (sqlite3_file *f, int l) { return REAL (f)->pMethods->xUnlock (REAL (f), l); }
static int ff_check (sqlite3_file *f, int *r) { return REAL (f)->pMethods->xCheckReservedLock (REAL (f), r); }
static int ff_fcntl (sqlite3_file *f, int op, void *a) { return REAL (f)->pMethods->xFileControl (REAL (f), op, a); }
static int ff_sector (sqlite3_file *f) { return REAL (f)->pMethods->xSectorSize (REAL (f)); }
static int ff_dev (sqlite3_file *f) { return REAL (f)->pMethods->xDeviceCharacteristics (REAL (f)); }
static int ff_shm_map (sqlite3_file *f, int p, int s, int e, void volatile **m) { return REAL (f)->pMethods->xShmMap (REAL (f), p, s, e, m); }
static int ff_shm_lock (sqlite3_file *f, int o, int n, int fl) { return REAL (f)->pMethods->xShmLock (REAL (f), o, n, fl); }
static void ff_shm_barrier (sqlite3_file *f) { REAL (f)->pMethods->xShmBarrier (REAL (f)); }
static int ff_shm_unmap (sqlite3_file *f, int d) { return REAL (f)->pMethods->xShmUnmap (REAL (f), d); }
static int ff_fetch (sqlite3_file *f, sqlite3_int64 o, int n, void **p) { return REAL (f)->pMethods->xFetch (REAL (f), o, n, p); }
static int ff_unfetch (sqlite3_file *f, sqlite3_int64 o, void *p) { return REAL (f)->pMethods->xUnfetch (REAL (f), o, p); }

static int
ff_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  FaultFile *ff = (FaultFile *) file;
  int rc;

  ff->real = (sqlite3_file *) &ff[1];
  rc = real_vfs->xOpen (real_vfs, name, ff->real, flags, out_flags);
  ff->base.pMethods = ff->real->pMethods != NULL ? &fault_methods : NULL;
  return rc;
}

static int ff_delete (sqlite3_vfs *v, const char *n, int s) { return real_vfs->xDelete (real_vfs, n, s); }
static int ff_access (sqlite3_vfs *v, const char *n, int f, int *r) { return real_vfs->xAccess (real_vfs, n, f, r); }
static int ff_fullpath (sqlite3_vfs *v, const char *n, int l, char *o) { return real_vfs->xFullPathname (real_vfs, n, l, o); }
static void *ff_dlopen (sqlite3_vfs *v, const char *n) { return real_vfs->xDlOpen (real_vfs, n); }
static void ff_dlerror (sqlite3_vfs *v, int n, char *m) { real_vfs->xDlError (real_vfs, n, m); }
static void (*ff_dlsym (sqlite3_vfs *v, void *h, const char *s)) (void) { return real_vfs->xDlSym (real_vfs, h, s); }
static void ff_dlclose (sqlite3_vfs *v, void *h) { real_vfs->xDlClose (real_vfs, h); }
static int ff_random (sqlite3_vfs *v, int n, char *o) { return real_vfs->xRandomness (real_vfs, n, o); }
static int ff_sleep (sqlite3_vfs *v, int us) { return real_vfs->xSleep (real_vfs, us); }
static int ff_time (sqlite3_vfs *v, double *t) { return real_vfs->xCurrentTime (real_vfs, t); }
static int ff_lasterror (sqlite3_vfs *v, int n, char *m) { return real_vfs->xGetLastError (real_vfs, n, m); }
static int ff_time64 (sqlite3_vfs *v, sqlite3_int64 *t) { return real_vfs->xCurrentTimeInt64 (real_vfs, t); }

/* Wraps the default VFS and makes the wrapper the default, so that the
 * queue (which opens with the default VFS) goes through it. */
static void
install_fault_vfs (void)
{
  real_vfs = sqlite3_vfs_find (NULL);
  g_assert_nonnull (real_vfs);
  g_assert_cmpint (real_vfs->iVersion, >=, 2);

  fault_methods = (sqlite3_io_methods) {
    .iVersion = 3,
    .xClose = ff_close, .xRead = ff_read, .xWrite = ff_write, .xTruncate = ff_truncate,
    .xSync = ff_sync, .xFileSize = ff_size, .xLock = ff_lock, .xUnlock = ff_unlock,
    .xCheckReservedLock = ff_check, .xFileControl = ff_fcntl, .xSectorSize = ff_sector,
    .xDeviceCharacteristics = ff_dev, .xShmMap = ff_shm_map, .xShmLock = ff_shm_lock,
    .xShmBarrier = ff_shm_barrier, .xShmUnmap = ff_shm_unmap, .xFetch = ff_fetch,
    .xUnfetch = ff_unfetch,
  };
  fault_vfs = (sqlite3_vfs) {
    .iVersion = 2,
    .szOsFile = (int) sizeof (FaultFile) + real_vfs->szOsFile,
    .mxPathname = real_vfs->mxPathname,
    .zName = "kiosk-fault",
    .xOpen = ff_open, .xDelete = ff_delete, .xAccess = ff_access,
    .xFullPathname = ff_fullpath, .xDlOpen = ff_dlopen, .xDlError = ff_dlerror,
    .xDlSym = ff_dlsym, .xDlClose = ff_dlclose, .xRandomness = ff_random,
    .xSleep = ff_sleep, .xCurrentTime = ff_time, .xGetLastError = ff_lasterror,
    .xCurrentTimeInt64 = ff_time64,
  };
  g_assert_cmpint (sqlite3_vfs_register (&fault_vfs, 1), ==, SQLITE_OK);
}

static void
faults_off (void)
{
  write_countdown = -1;
  sync_countdown = -1;
}

/* ---- helpers ---- */

static gint64 fake_now = 1767225600000; /* 2026-01-01T00:00:00Z */

static gint64
fake_clock (gpointer user_data)
{
  return fake_now;
}

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("queue-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

static KioskQueue *
open_queue (const char *dir)
{
  g_autoptr(GError) error = NULL;
  KioskQueue *queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (queue);
  kiosk_queue_set_clock (queue, fake_clock, NULL);
  return queue;
}

/* Enqueues one application whose ciphertexts are queue_fake_jwe (ref, …)
 * and, with @with_attachment, one attachment. Returns the reference. */
static char *
enqueue_fake (KioskQueue  *queue,
              gboolean     with_attachment,
              GError     **error)
{
  g_autofree char *reference = kiosk_queue_new_reference (queue, error);
  g_autofree char *metadata = NULL;
  g_autofree char *data = NULL;
  g_autofree char *attachment_ct = NULL;
  g_autoptr(KioskQueueAttachment) attachment = NULL;
  const KioskQueueAttachment *attachments[1];
  KioskQueueSubmission submission = { 0 };

  if (reference == NULL)
    return NULL;
  metadata = queue_fake_jwe (reference, "metadata", 1200);
  data = queue_fake_jwe (reference, "data", 4096);
  submission.reference = reference;
  submission.form_id = "anwohnerparken";
  submission.form_version = "2.1.0";
  submission.destination_name = "strassenverkehrsamt";
  submission.destination_id = DESTINATION_ID;
  submission.metadata_jwe = metadata;
  submission.data_jwe = data;
  if (with_attachment)
    {
      attachment_ct = queue_fake_jwe (reference, "attachment", 2048);
      attachment = kiosk_queue_attachment_new ("0f8fad5b-d9cb-469f-a165-70867728950e", "form",
                                               "application/pdf", attachment_ct);
      attachments[0] = attachment;
      submission.attachments = attachments;
      submission.n_attachments = 1;
    }
  return kiosk_queue_enqueue (queue, &submission, error);
}

static void
assert_intact (KioskQueue *queue,
               GPtrArray  *references)
{
  g_autoptr(GError) error = NULL;
  KioskQueueCounts counts;

  g_assert_true (kiosk_queue_check (queue, &error));
  g_assert_no_error (error);
  g_assert_true (kiosk_queue_get_counts (queue, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.total, ==, references->len);

  for (guint i = 0; i < references->len; i++)
    {
      const char *reference = references->pdata[i];
      g_autoptr(KioskQueueItem) item = kiosk_queue_get (queue, reference, &error);
      g_autofree char *metadata = queue_fake_jwe (reference, "metadata", 1200);
      g_autofree char *data = queue_fake_jwe (reference, "data", 4096);

      g_assert_no_error (error);
      g_assert_cmpstr (item->metadata_jwe, ==, metadata);
      g_assert_cmpstr (item->data_jwe, ==, data);
    }
}

/* A statement's single integer result through a separate, plain SQLite
 * connection (the real VFS). */
static gint64
raw_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, real_vfs->zName), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static char *
raw_text (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, real_vfs->zName), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* ---- open, migrations, corrupt files ---- */

static void
test_open_fresh (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *sub = g_build_filename (dir, "a", "b", NULL);
  g_autoptr(KioskQueue) queue = open_queue (sub);
  g_autofree char *path = g_build_filename (sub, "queue.db", NULL);
  g_autofree char *mode = NULL;
  GStatBuf st;

  g_assert_cmpstr (kiosk_queue_get_path (queue), ==, path);
  g_assert_null (kiosk_queue_get_recovered_from (queue));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (sub, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  mode = raw_text (path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, KIOSK_QUEUE_SCHEMA_VERSION);

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

static void
test_no_create (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueue) queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_NO_CREATE, &error);
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);

  g_assert_null (queue);
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_OPEN);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  remove_tree (dir);
}

/* Version 0: an empty file (as SQLite creates it). Every migration runs
 * and is logged. */
static void
test_migrate_from_0 (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 0);
  queue = open_queue (dir);
  g_assert_null (kiosk_queue_get_recovered_from (queue));
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 5);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM schema_log WHERE version IN (1, 2, 3, 4, 5)"), ==, 5);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
                                  "AND name IN ('applications_state', 'applications_purged')"), ==, 2);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
                                  "AND name = 'applications_due'"), ==, 0);
  reference = enqueue_fake (queue, TRUE, &error);
  g_assert_no_error (error);

  /* opening again changes nothing */
  g_clear_pointer (&queue, kiosk_queue_close);
  queue = open_queue (dir);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM schema_log"), ==, 5);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM applications"), ==, 1);

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

/* Version 1 as released (frozen here): its rows survive the migration. */
static void
test_migrate_from_1 (void)
{
  static const char v1[] =
    "CREATE TABLE schema_log (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL);"
    "CREATE TABLE applications (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " reference TEXT NOT NULL UNIQUE, form_id TEXT NOT NULL, form_version TEXT NOT NULL,"
    " destination_name TEXT NOT NULL, destination_id TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN ('queued','created','submitted','accepted','rejected','failed')),"
    " attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL, submission_id TEXT,"
    " case_id TEXT, platform_created_ms INTEGER, submitted_ms INTEGER, decided_ms INTEGER,"
    " last_error TEXT, updated_ms INTEGER NOT NULL, purged_ms INTEGER,"
    " n_attachments INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE ciphertexts (app INTEGER PRIMARY KEY REFERENCES applications (seq) ON DELETE CASCADE,"
    " metadata_jwe TEXT NOT NULL CHECK (length (metadata_jwe) > 0),"
    " data_jwe TEXT NOT NULL CHECK (length (data_jwe) > 0));"
    "CREATE TABLE attachments (app INTEGER NOT NULL REFERENCES applications (seq) ON DELETE CASCADE,"
    " position INTEGER NOT NULL, attachment_id TEXT NOT NULL,"
    " purpose TEXT NOT NULL CHECK (purpose IN ('form','attachment','report')),"
    " mime_type TEXT NOT NULL, ciphertext TEXT NOT NULL CHECK (length (ciphertext) > 0),"
    " PRIMARY KEY (app, position));"
    "INSERT INTO schema_log VALUES (1, 1700000000000);"
    "INSERT INTO applications (seq, id, reference, form_id, form_version, destination_name,"
    " destination_id, created_ms, state, attempts, next_attempt_ms, updated_ms)"
    " VALUES (1, '6f1c1d4e-8a3b-4e2f-9c7d-1b2a3c4d5e6f', '322222222U', 'gewerbe', '1',"
    " 'gewerbeamt', '" DESTINATION_ID "', 1700000000000, 'queued', 0, 1700000000000, 1700000000000);"
    "INSERT INTO ciphertexts VALUES (1, 'a.b.c.d.e', 'f.g.h.i.j');"
    "PRAGMA user_version = 1;";
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(KioskQueueItem) item = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, v1, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  queue = open_queue (dir);
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 5);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM schema_log"), ==, 5);
  item = kiosk_queue_get (queue, "32222-2222U", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (item->form_id, ==, "gewerbe");
  g_assert_cmpstr (item->data_jwe, ==, "f.g.h.i.j");
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_QUEUED);
  g_assert_true (kiosk_queue_check (queue, &error));
  g_assert_no_error (error);

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

/* Every row of @sql through a plain connection, one string per row (its
 * columns joined by '|', NULL as "∅"). */
static GPtrArray *
raw_rows (const char *path,
          const char *sql)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, real_vfs->zName), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GString *row = g_string_new (NULL);

      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, i);

          g_string_append_printf (row, "%s%s", i > 0 ? "|" : "", text != NULL ? text : "∅");
        }
      g_ptr_array_add (rows, g_string_free (row, FALSE));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rows;
}

static void
assert_same_rows (GPtrArray *expected,
                  GPtrArray *found)
{
  g_assert_cmpuint (found->len, ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (found->pdata[i], ==, expected->pdata[i]);
}

/* The columns every schema version has, and the ciphertexts (NULL for a
 * tombstone). */
#define V2_ROWS \
  "SELECT a.seq, a.id, a.reference, a.form_id, a.form_version, a.destination_name, " \
  "a.destination_id, a.created_ms, a.state, a.attempts, a.next_attempt_ms, a.submission_id, " \
  "a.case_id, a.platform_created_ms, a.submitted_ms, a.decided_ms, a.last_error, a.updated_ms, " \
  "a.purged_ms, a.n_attachments, c.metadata_jwe, c.data_jwe " \
  "FROM applications a LEFT JOIN ciphertexts c ON c.app = a.seq ORDER BY a.seq"
#define V3_ROWS \
  "SELECT seq, id, reference, form_id, form_version, destination_name, destination_id, " \
  "created_ms, state, attempts, next_attempt_ms, submission_id, case_id, platform_created_ms, " \
  "submitted_ms, decided_ms, last_error, updated_ms, purged_ms, n_attachments, metadata_jwe, " \
  "data_jwe FROM applications ORDER BY seq"
#define ATTACHMENT_ROWS "SELECT app, position, attachment_id, purpose, mime_type, ciphertext " \
  "FROM attachments ORDER BY app, position"

/* SHA-256 of the parts, each preceded by its length as 8 bytes big endian
 * (docs/queue.md), computed with GLib, not with the queue's OpenSSL code;
 * as lower-case hex. */
static char *
expected_hash (const char *first,
               const char *second)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  const char *parts[2] = { first, second };
  char *hex;

  for (guint i = 0; i < 2 && parts[i] != NULL; i++)
    {
      guint64 n = strlen (parts[i]);
      guint8 prefix[8];

      for (guint b = 0; b < 8; b++)
        prefix[b] = (guint8) (n >> (56 - 8 * b));
      g_checksum_update (sum, prefix, 8);
      g_checksum_update (sum, (const guchar *) parts[i], (gssize) n);
    }
  hex = g_strdup (g_checksum_get_string (sum));
  g_checksum_free (sum);
  return hex;
}

static char *
copy_v2_file (const char *dir)
{
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "data", "queue", "queue-v2.db", NULL);
  g_autofree char *contents = NULL;
  char *path = g_build_filename (dir, "queue.db", NULL);
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (source, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents_full (path, contents, (gssize) length, G_FILE_SET_CONTENTS_NONE, 0600, &error));
  g_assert_no_error (error);
  return path;
}

/* Version 2 as the released code wrote it (tests/data/queue/queue-v2.db,
 * see the README there): seven applications in every state, a tombstone,
 * attachments. Every column of every row, every ciphertext and every
 * attachment comes through the table rebuild of 2 → 3 unchanged, and the
 * queue works on the migrated file. */
static void
test_migrate_from_2 (void)
{
  /* queued, queued (retried), created, submitted, accepted (purged),
   * rejected, failed: as make-queue-v2.c wrote them */
  static const struct {
    const char      *reference;
    KioskQueueState  state;
    guint            attempts;
    guint            n_attachments;
    gboolean         purged;
  } expected[] = {
    { "UL9HM5MHQ3", KIOSK_QUEUE_STATE_QUEUED, 0, 0, FALSE },
    { "C7ZUTUWW6D", KIOSK_QUEUE_STATE_QUEUED, 1, 1, FALSE },
    { "FQK36MMMEK", KIOSK_QUEUE_STATE_CREATED, 0, 2, FALSE },
    { "9S9YXRPDEA", KIOSK_QUEUE_STATE_SUBMITTED, 0, 0, FALSE },
    { "7UW3S65XU9", KIOSK_QUEUE_STATE_ACCEPTED, 0, 1, TRUE },
    { "55TADDLADJ", KIOSK_QUEUE_STATE_REJECTED, 0, 0, FALSE },
    { "75VVYRTJNU", KIOSK_QUEUE_STATE_FAILED, 1, 1, FALSE },
  };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = copy_v2_file (dir);
  g_autoptr(GPtrArray) rows_before = NULL;
  g_autoptr(GPtrArray) attachments_before = NULL;
  g_autoptr(GPtrArray) rows_after = NULL;
  g_autoptr(GPtrArray) attachments_after = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *added = NULL;
  KioskQueueCounts counts;

  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 2);
  rows_before = raw_rows (path, V2_ROWS);
  attachments_before = raw_rows (path, ATTACHMENT_ROWS);
  g_assert_cmpuint (rows_before->len, ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (attachments_before->len, ==, 4);

  queue = open_queue (dir);
  g_assert_null (kiosk_queue_get_recovered_from (queue));
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 5);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM schema_log WHERE version = 3"), ==, 1);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                  "AND name = 'ciphertexts'"), ==, 0);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sqlite_schema WHERE name = 'applications_v3'"), ==, 0);
  /* the one UNIQUE index left on applications is the reference's */
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM pragma_index_list ('applications') WHERE \"unique\""), ==, 1);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM pragma_index_list ('applications')"), ==, 3);

  /* 3 → 4: the applications still to be sent (queued, created, failed)
   * got the hash of their ciphertexts, the others none */
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM applications WHERE ciphertext_sha256 IS NOT NULL"), ==,
                   raw_int (path, "SELECT count(*) FROM applications WHERE purged_ms IS NULL "
                                  "AND state IN ('queued','created','failed')"));
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM applications WHERE ciphertext_sha256 IS NOT NULL"), >, 0);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM applications WHERE ciphertext_sha256 IS NOT NULL "
                                  "AND state NOT IN ('queued','created','failed')"), ==, 0);
  {
    g_autofree char *seq = raw_text (path, "SELECT seq FROM applications WHERE ciphertext_sha256 IS NOT NULL LIMIT 1");
    g_autofree char *sql_meta = g_strdup_printf ("SELECT metadata_jwe FROM applications WHERE seq = %s", seq);
    g_autofree char *sql_data = g_strdup_printf ("SELECT data_jwe FROM applications WHERE seq = %s", seq);
    g_autofree char *sql_hash = g_strdup_printf ("SELECT lower (hex (ciphertext_sha256)) FROM applications "
                                                 "WHERE seq = %s", seq);
    g_autofree char *meta = raw_text (path, sql_meta);
    g_autofree char *data = raw_text (path, sql_data);
    g_autofree char *stored = raw_text (path, sql_hash);
    g_autofree char *computed = expected_hash (meta, data);

    g_assert_cmpstr (stored, ==, computed);
  }

  rows_after = raw_rows (path, V3_ROWS);
  attachments_after = raw_rows (path, ATTACHMENT_ROWS);
  assert_same_rows (rows_before, rows_after);
  assert_same_rows (attachments_before, attachments_after);
  g_clear_pointer (&rows_after, g_ptr_array_unref);
  /* the view reads as the table did */
  rows_after = raw_rows (path, V2_ROWS);
  assert_same_rows (rows_before, rows_after);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_assert_true (kiosk_queue_check (queue, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(KioskQueueItem) item = kiosk_queue_get (queue, expected[i].reference, &error);
      g_autofree char *metadata = queue_fake_jwe (expected[i].reference, "metadata", 1200);
      g_autofree char *data = queue_fake_jwe (expected[i].reference, "data", 4096);

      g_assert_no_error (error);
      g_assert_cmpint (item->state, ==, expected[i].state);
      g_assert_cmpuint (item->attempts, ==, expected[i].attempts);
      g_assert_cmpint (item->purged_ms != 0, ==, expected[i].purged);
      g_assert_cmpstr (item->metadata_jwe, ==, expected[i].purged ? NULL : metadata);
      g_assert_cmpstr (item->data_jwe, ==, expected[i].purged ? NULL : data);
      g_assert_cmpuint (item->n_attachments, ==, expected[i].n_attachments);
      g_assert_cmpuint (item->attachments->len, ==, expected[i].purged ? 0 : expected[i].n_attachments);
      for (guint k = 0; k < item->attachments->len; k++)
        {
          KioskQueueAttachment *attachment = item->attachments->pdata[k];
          g_autofree char *kind = g_strdup_printf ("attachment%u", k);
          g_autofree char *ciphertext = queue_fake_jwe (expected[i].reference, kind, 1500);

          g_assert_cmpstr (attachment->ciphertext, ==, ciphertext);
        }
    }

  /* the migrated queue works: status, the due list, a transition, a new
   * enqueue, retention */
  g_assert_true (kiosk_queue_get_counts (queue, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.total, ==, 7);
  g_assert_cmpuint (counts.purged, ==, 1);
  g_assert_cmpuint (counts.by_state[KIOSK_QUEUE_STATE_QUEUED], ==, 2);
  g_assert_cmpint (counts.oldest_pending_created_ms, ==, 1767225600000);
  fake_now = 1767225600000 + DAY_MS;
  due = kiosk_queue_take_due (queue, fake_now, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 3);
  g_assert_true (kiosk_queue_mark_created (queue, expected[0].reference, SUBMISSION_ID, CASE_ID, &error));
  g_assert_no_error (error);
  g_assert_true (kiosk_queue_retry (queue, expected[6].reference, &error));
  g_assert_no_error (error);
  added = enqueue_fake (queue, TRUE, &error);
  g_assert_no_error (error);
  g_assert_false (kiosk_queue_mark_created (queue, expected[3].reference, SUBMISSION_ID, CASE_ID, &error));
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_true (kiosk_queue_purge (queue, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (kiosk_queue_get_counts (queue, &counts, &error));
  g_assert_cmpuint (counts.purged, ==, 2);   /* the rejected one, decided long ago */
  g_assert_cmpuint (counts.total, ==, 8);

  /* opening again migrates nothing */
  g_clear_pointer (&queue, kiosk_queue_close);
  queue = open_queue (dir);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM schema_log"), ==, 5);
  g_assert_true (kiosk_queue_check (queue, &error));
  g_assert_no_error (error);

  g_clear_pointer (&queue, kiosk_queue_close);
  fake_now = 1767225600000;
  remove_tree (dir);
}

/* A version-2 file that breaks a rule of version 3 (an application that
 * is not a tombstone but lost its ciphertexts): the migration is undone,
 * the file stays as it was, and the message says what to do. */
static void
test_migrate_from_2_inconsistent (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = copy_v2_file (dir);
  g_autoptr(GPtrArray) rows_before = NULL;
  g_autoptr(GPtrArray) rows_after = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (raw_int (path, "DELETE FROM ciphertexts WHERE app = 3 RETURNING app"), ==, 3);
  rows_before = raw_rows (path, V2_ROWS);
  queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  g_assert_null (queue);
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "cannot be brought to schema version 3"));
  g_assert_nonnull (strstr (error->message, "left unchanged"));
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 2);
  rows_after = raw_rows (path, V2_ROWS);
  assert_same_rows (rows_before, rows_after);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM attachments"), ==, 4);
  remove_tree (dir);
}

static void
test_too_new (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE future (x); PRAGMA user_version = 99;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  g_assert_null (queue);
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer version"));
  /* left alone */
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 99);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sqlite_schema WHERE name = 'future'"), ==, 1);
  remove_tree (dir);
}

static void
assert_moved_aside (KioskQueue *queue,
                    const char *dir,
                    const char *old_contents,
                    gsize       old_length)
{
  const char *moved = kiosk_queue_get_recovered_from (queue);
  g_autofree char *base = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_nonnull (moved);
  base = g_path_get_basename (moved);
  g_assert_true (g_regex_match_simple ("^queue\\.db\\.damaged-[0-9]{8}T[0-9]{6}Z$", base, 0, 0));
  g_assert_true (g_str_has_prefix (moved, dir));
  g_assert_true (g_file_get_contents (moved, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, old_contents, old_length);
}

static void
test_corrupt_not_a_database (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autofree char *wal = g_build_filename (dir, "queue.db-wal", NULL);
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *moved_wal = NULL;
  char garbage[8192];

  for (gsize i = 0; i < sizeof garbage; i++)
    garbage[i] = (char) ('a' + i % 26);
  g_assert_true (g_file_set_contents (path, garbage, sizeof garbage, NULL));
  g_assert_true (g_file_set_contents (wal, "stale wal", -1, NULL));

  corrupt_warnings = 0;
  queue = open_queue (dir);
  g_assert_cmpuint (corrupt_warnings, ==, 1);
  assert_moved_aside (queue, dir, garbage, sizeof garbage);
  moved_wal = g_strconcat (kiosk_queue_get_recovered_from (queue), "-wal", NULL);
  g_assert_true (g_file_test (moved_wal, G_FILE_TEST_EXISTS));

  /* the fresh queue works */
  reference = enqueue_fake (queue, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (kiosk_queue_check (queue, &error));

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

/* A real queue whose pages were overwritten: quick_check finds it. */
static void
test_corrupt_damaged_pages (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *reference = enqueue_fake (queue, i % 2 == 0, &error);

      g_assert_no_error (error);
      g_assert_nonnull (reference);
    }
  g_clear_pointer (&queue, kiosk_queue_close);

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 16 * 4096);
  /* pages 3…6: b-tree pages of the schema's tables */
  for (gsize i = 2 * 4096; i < 6 * 4096; i++)
    contents[i] = (char) (0xA5 ^ (i * 7));
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  corrupt_warnings = 0;
  queue = open_queue (dir);
  g_assert_cmpuint (corrupt_warnings, ==, 1);
  assert_moved_aside (queue, dir, contents, length);
  g_assert_true (kiosk_queue_check (queue, &error));
  g_assert_no_error (error);

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

/* ---- enqueue and read ---- */

static void
test_enqueue_get (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueueItem) item = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *reference = enqueue_fake (queue, TRUE, &error);
  g_autofree char *shown = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *attachment_ct = NULL;
  KioskQueueAttachment *attachment;

  g_assert_no_error (error);
  g_assert_true (kiosk_reference_is_valid (reference));

  /* as a person types it */
  shown = kiosk_reference_format (reference);
  lower = g_ascii_strdown (shown, -1);
  item = kiosk_queue_get (queue, lower, &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (item->id));
  g_assert_cmpstr (item->reference, ==, reference);
  g_assert_cmpstr (item->form_id, ==, "anwohnerparken");
  g_assert_cmpstr (item->form_version, ==, "2.1.0");
  g_assert_cmpstr (item->destination_name, ==, "strassenverkehrsamt");
  g_assert_cmpstr (item->destination_id, ==, DESTINATION_ID);
  g_assert_cmpint (item->created_ms, ==, fake_now);
  g_assert_cmpint (item->updated_ms, ==, fake_now);
  g_assert_cmpint (item->next_attempt_ms, ==, fake_now);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 0);
  g_assert_null (item->submission_id);
  g_assert_null (item->last_error);
  g_assert_cmpint (item->purged_ms, ==, 0);
  g_assert_cmpuint (item->n_attachments, ==, 1);
  g_assert_cmpuint (item->attachments->len, ==, 1);
  attachment = item->attachments->pdata[0];
  attachment_ct = queue_fake_jwe (reference, "attachment", 2048);
  g_assert_cmpstr (attachment->attachment_id, ==, "0f8fad5b-d9cb-469f-a165-70867728950e");
  g_assert_cmpstr (attachment->purpose, ==, "form");
  g_assert_cmpstr (attachment->mime_type, ==, "application/pdf");
  g_assert_cmpstr (attachment->ciphertext, ==, attachment_ct);

  /* listings carry no ciphertext */
  list = kiosk_queue_list (queue, -1, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_null (((KioskQueueItem *) list->pdata[0])->data_jwe);
  g_assert_null (((KioskQueueItem *) list->pdata[0])->metadata_jwe);
  g_assert_null (((KioskQueueItem *) list->pdata[0])->attachments);

  {
    g_autoptr(GPtrArray) refs = g_ptr_array_new ();

    g_ptr_array_add (refs, reference);
    assert_intact (queue, refs);
  }

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

static void
test_get_unknown (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueueItem) item = kiosk_queue_get (queue, "32222-2222U", &error);

  g_assert_null (item);
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "32222-2222U"));
  g_clear_error (&error);
  item = kiosk_queue_get (queue, "32222-2222V", &error);
  g_assert_null (item);
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID);
  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

static void
test_enqueue_invalid (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autofree char *jwe = queue_fake_jwe ("x", "data", 300);
  KioskQueueSubmission good = {
    .form_id = "f", .form_version = "1", .destination_name = "d",
    .destination_id = DESTINATION_ID, .metadata_jwe = jwe, .data_jwe = jwe,
  };
  /* not five base64url parts: too few, too many, a leading dot, a
   * character outside base64url (standard base64, a space, a newline) */
  static const char *const misshapen[] = {
    "aGVhZGVy.a2V5.aXY.Ym9keQ", "aGVhZGVy.a2V5.aXY.Ym9keQ.dGFn.eA", ".a2V5.aXY.Ym9keQ.dGFn",
    "aGVhZGVy.a2V5.aXY.Ym9k+eQ.dGFn", "aGVhZGVy.a2V5.aXY.Ym9keQ.dGFn ", "aGVhZGVy.a2V5.aXY.Ym9keQ\n.dGFn",
  };
  KioskQueueSubmission cases[6 + G_N_ELEMENTS (misshapen)];
  g_autoptr(KioskQueueAttachment) plain = kiosk_queue_attachment_new (
    "0f8fad5b-d9cb-469f-a165-70867728950e", "form", "application/pdf", "%PDF-1.7 plain");
  const KioskQueueAttachment *plain_list[] = { plain };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    cases[i] = good;
  cases[0].data_jwe = "{\"name\": \"Erika Mustermann\"}";   /* plaintext */
  cases[1].metadata_jwe = "";
  cases[2].destination_id = "not-a-uuid";
  cases[3].form_id = NULL;
  cases[4].reference = "322222222V";                         /* bad check symbol */
  cases[5].attachments = plain_list;
  cases[5].n_attachments = 1;
  for (guint i = 0; i < G_N_ELEMENTS (misshapen); i++)
    cases[6 + i].data_jwe = misshapen[i];

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *reference = kiosk_queue_enqueue (queue, &cases[i], &error);

      g_assert_null (reference);
      g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "nothing was stored"));
      /* the error never repeats the input */
      g_assert_null (strstr (error->message, "Mustermann"));
    }
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM applications"), ==, 0);

  /* a taken reference */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;

    good.reference = "322222222U";
    good.metadata_jwe = "aGVhZGVy..aXY.Ym9keQ.dGFn";   /* no encrypted key (e.g. "dir") */
    first = kiosk_queue_enqueue (queue, &good, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (first, ==, "322222222U");
    second = kiosk_queue_enqueue (queue, &good, &error);
    g_assert_null (second);
    g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_DUPLICATE);
    g_assert_cmpint (raw_int (path, "SELECT count(*) FROM applications"), ==, 1);
  }

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

/* ---- states ---- */

static KioskQueueState
state_of (KioskQueue *queue,
          const char *reference)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueueItem) item = kiosk_queue_get (queue, reference, &error);

  g_assert_no_error (error);
  return item->state;
}

static void
assert_state_error (gboolean   ok,
                    GError   **error)
{
  g_assert_false (ok);
  g_assert_error (*error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_STATE);
  g_clear_error (error);
}

static void
test_transitions (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *a = enqueue_fake (queue, FALSE, &error);
  g_autofree char *b = enqueue_fake (queue, FALSE, &error);
  g_autofree char *c = enqueue_fake (queue, FALSE, &error);
  g_autoptr(KioskQueueItem) item = NULL;

  g_assert_no_error (error);

  /* not allowed from queued */
  assert_state_error (kiosk_queue_mark_submitted (queue, a, &error), &error);
  assert_state_error (kiosk_queue_mark_accepted (queue, a, &error), &error);
  assert_state_error (kiosk_queue_retry (queue, a, &error), &error);
  assert_state_error (kiosk_queue_restart (queue, a, &error), &error);
  g_assert_false (kiosk_queue_mark_created (queue, a, "nope", CASE_ID, &error));
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID);
  g_clear_error (&error);

  /* a: queued → created → submitted → accepted */
  fake_now += 1000;
  g_assert_true (kiosk_queue_mark_created (queue, a, SUBMISSION_ID, CASE_ID, &error));
  g_assert_no_error (error);
  item = kiosk_queue_get (queue, a, &error);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_CREATED);
  g_assert_cmpstr (item->submission_id, ==, SUBMISSION_ID);
  g_assert_cmpstr (item->case_id, ==, CASE_ID);
  g_assert_cmpint (item->platform_created_ms, ==, fake_now);
  g_clear_pointer (&item, kiosk_queue_item_free);
  assert_state_error (kiosk_queue_mark_created (queue, a, SUBMISSION_ID, CASE_ID, &error), &error);
  assert_state_error (kiosk_queue_mark_accepted (queue, a, &error), &error);

  fake_now += 1000;
  g_assert_true (kiosk_queue_mark_submitted (queue, a, &error));
  g_assert_cmpint (state_of (queue, a), ==, KIOSK_QUEUE_STATE_SUBMITTED);
  assert_state_error (kiosk_queue_mark_failed (queue, a, "late", &error), &error);
  fake_now += 1000;
  g_assert_true (kiosk_queue_mark_accepted (queue, a, &error));
  item = kiosk_queue_get (queue, a, &error);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_ACCEPTED);
  g_assert_cmpint (item->submitted_ms, ==, fake_now - 1000);
  g_assert_cmpint (item->decided_ms, ==, fake_now);
  g_clear_pointer (&item, kiosk_queue_item_free);
  assert_state_error (kiosk_queue_mark_rejected (queue, a, "x", &error), &error);

  /* b: created → (platform dropped it) → queued again → … → rejected */
  g_assert_true (kiosk_queue_mark_created (queue, b, SUBMISSION_ID, CASE_ID, &error));
  g_assert_true (kiosk_queue_restart (queue, b, &error));
  item = kiosk_queue_get (queue, b, &error);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_QUEUED);
  g_assert_null (item->submission_id);
  g_assert_null (item->case_id);
  g_clear_pointer (&item, kiosk_queue_item_free);
  g_assert_true (kiosk_queue_mark_created (queue, b, SUBMISSION_ID, CASE_ID, &error));
  g_assert_true (kiosk_queue_mark_submitted (queue, b, &error));
  g_assert_true (kiosk_queue_mark_rejected (queue, b, "Zuständigkeit fehlt", &error));
  g_assert_no_error (error);
  item = kiosk_queue_get (queue, b, &error);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_REJECTED);
  g_assert_cmpstr (item->last_error, ==, "Zuständigkeit fehlt");
  g_clear_pointer (&item, kiosk_queue_item_free);

  /* c: transient failures, then permanent, then staff retry */
  g_assert_true (kiosk_queue_schedule_retry (queue, c, fake_now + 60000, "HTTP 503", &error));
  g_assert_true (kiosk_queue_schedule_retry (queue, c, fake_now + 120000, "timeout", &error));
  item = kiosk_queue_get (queue, c, &error);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 2);
  g_assert_cmpint (item->next_attempt_ms, ==, fake_now + 120000);
  g_assert_cmpstr (item->last_error, ==, "timeout");
  g_clear_pointer (&item, kiosk_queue_item_free);
  g_assert_false (kiosk_queue_mark_failed (queue, c, "", &error));
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (kiosk_queue_mark_created (queue, c, SUBMISSION_ID, CASE_ID, &error));
  g_assert_true (kiosk_queue_mark_failed (queue, c, "HTTP 422: metadata invalid", &error));
  item = kiosk_queue_get (queue, c, &error);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_FAILED);
  g_assert_cmpuint (item->attempts, ==, 3);
  g_assert_cmpstr (item->last_error, ==, "HTTP 422: metadata invalid");
  g_clear_pointer (&item, kiosk_queue_item_free);
  assert_state_error (kiosk_queue_schedule_retry (queue, c, 0, "x", &error), &error);
  fake_now += 5000;
  g_assert_true (kiosk_queue_retry (queue, c, &error));
  g_assert_no_error (error);
  item = kiosk_queue_get (queue, c, &error);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 0);
  g_assert_cmpint (item->next_attempt_ms, ==, fake_now);
  g_assert_null (item->submission_id);
  g_assert_nonnull (item->data_jwe);
  g_clear_pointer (&item, kiosk_queue_item_free);

  /* unknown reference */
  g_assert_false (kiosk_queue_mark_submitted (queue, "32222-2222U", &error));
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (kiosk_queue_check (queue, &error));
  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

static void
test_take_due (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *a = enqueue_fake (queue, TRUE, &error);
  g_autofree char *b = enqueue_fake (queue, FALSE, &error);
  g_autofree char *c = enqueue_fake (queue, FALSE, &error);
  g_autofree char *d = enqueue_fake (queue, FALSE, &error);
  g_autoptr(GPtrArray) due = NULL;
  KioskQueueItem *first;

  g_assert_no_error (error);
  g_assert_true (kiosk_queue_schedule_retry (queue, a, fake_now + 10000, "503", &error));
  g_assert_true (kiosk_queue_mark_created (queue, b, SUBMISSION_ID, CASE_ID, &error));
  g_assert_true (kiosk_queue_mark_failed (queue, c, "422", &error));
  g_assert_no_error (error);

  due = kiosk_queue_take_due (queue, fake_now, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 2);   /* b (created) and d; not a (later), not c (failed) */
  g_assert_cmpstr (((KioskQueueItem *) due->pdata[0])->reference, ==, b);
  g_assert_cmpstr (((KioskQueueItem *) due->pdata[1])->reference, ==, d);
  g_assert_nonnull (((KioskQueueItem *) due->pdata[0])->data_jwe);
  g_clear_pointer (&due, g_ptr_array_unref);

  due = kiosk_queue_take_due (queue, fake_now + 10000, 1, &error);
  g_assert_cmpuint (due->len, ==, 1);
  g_clear_pointer (&due, g_ptr_array_unref);
  due = kiosk_queue_take_due (queue, fake_now + 10000, 0, &error);
  g_assert_cmpuint (due->len, ==, 3);
  first = due->pdata[2];
  g_assert_cmpstr (first->reference, ==, a);
  g_assert_cmpuint (first->attachments->len, ==, 1);

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

static void
test_counts_and_list (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) list = NULL;
  KioskQueueCounts counts;
  gint64 start = fake_now;

  g_assert_true (kiosk_queue_get_counts (queue, &counts, &error));
  g_assert_cmpuint (counts.total, ==, 0);
  g_assert_cmpint (counts.oldest_pending_age_ms, ==, -1);

  for (guint i = 0; i < 10; i++)
    {
      fake_now += 1000;
      g_ptr_array_add (refs, enqueue_fake (queue, FALSE, &error));
      g_assert_no_error (error);
    }
  /* 0, 1: accepted; 2: created; 3: failed; 4: rejected; rest queued */
  for (guint i = 0; i <= 4; i++)
    if (i != 3)
      g_assert_true (kiosk_queue_mark_created (queue, refs->pdata[i], SUBMISSION_ID, CASE_ID, &error));
  for (guint i = 0; i <= 4; i++)
    if (i != 2 && i != 3)
      g_assert_true (kiosk_queue_mark_submitted (queue, refs->pdata[i], &error));
  g_assert_true (kiosk_queue_mark_accepted (queue, refs->pdata[0], &error));
  g_assert_true (kiosk_queue_mark_accepted (queue, refs->pdata[1], &error));
  g_assert_true (kiosk_queue_mark_failed (queue, refs->pdata[3], "422", &error));
  g_assert_true (kiosk_queue_mark_rejected (queue, refs->pdata[4], NULL, &error));
  g_assert_no_error (error);

  fake_now = start + 60000;
  g_assert_true (kiosk_queue_get_counts (queue, &counts, &error));
  g_assert_cmpuint (counts.total, ==, 10);
  g_assert_cmpuint (counts.by_state[KIOSK_QUEUE_STATE_QUEUED], ==, 5);
  g_assert_cmpuint (counts.by_state[KIOSK_QUEUE_STATE_CREATED], ==, 1);
  g_assert_cmpuint (counts.by_state[KIOSK_QUEUE_STATE_SUBMITTED], ==, 0);
  g_assert_cmpuint (counts.by_state[KIOSK_QUEUE_STATE_ACCEPTED], ==, 2);
  g_assert_cmpuint (counts.by_state[KIOSK_QUEUE_STATE_REJECTED], ==, 1);
  g_assert_cmpuint (counts.by_state[KIOSK_QUEUE_STATE_FAILED], ==, 1);
  g_assert_cmpuint (counts.purged, ==, 0);
  /* the oldest pending one is refs[2] (created), enqueued at start + 3 s */
  g_assert_cmpint (counts.oldest_pending_created_ms, ==, start + 3000);
  g_assert_cmpint (counts.oldest_pending_age_ms, ==, 57000);

  list = kiosk_queue_list (queue, -1, 0, 0, &error);
  g_assert_cmpuint (list->len, ==, 10);
  for (guint i = 0; i < 10; i++)   /* newest first */
    g_assert_cmpstr (((KioskQueueItem *) list->pdata[i])->reference, ==, refs->pdata[9 - i]);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = kiosk_queue_list (queue, KIOSK_QUEUE_STATE_QUEUED, 2, 1, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((KioskQueueItem *) list->pdata[0])->reference, ==, refs->pdata[8]);
  g_assert_cmpstr (((KioskQueueItem *) list->pdata[1])->reference, ==, refs->pdata[7]);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = kiosk_queue_list (queue, KIOSK_QUEUE_STATE_FAILED, 0, 0, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((KioskQueueItem *) list->pdata[0])->last_error, ==, "422");

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

/* ---- retention ---- */

static void
test_purge (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *accepted = enqueue_fake (queue, TRUE, &error);
  g_autofree char *submitted = enqueue_fake (queue, TRUE, &error);
  g_autofree char *failed = enqueue_fake (queue, FALSE, &error);
  g_autofree char *queued = enqueue_fake (queue, FALSE, &error);
  g_autoptr(KioskQueueItem) item = NULL;
  KioskQueueRetention retention = { KIOSK_QUEUE_STATE_ACCEPTED, 2, 10 };
  KioskQueueCounts counts;
  guint purged = 99, deleted = 99;
  gint64 t0 = fake_now;

  g_assert_no_error (error);
  g_assert_true (kiosk_queue_mark_created (queue, accepted, SUBMISSION_ID, CASE_ID, &error));
  g_assert_true (kiosk_queue_mark_submitted (queue, accepted, &error));
  g_assert_true (kiosk_queue_mark_accepted (queue, accepted, &error));
  g_assert_true (kiosk_queue_mark_created (queue, submitted, SUBMISSION_ID, CASE_ID, &error));
  g_assert_true (kiosk_queue_mark_submitted (queue, submitted, &error));
  g_assert_true (kiosk_queue_mark_failed (queue, failed, "422", &error));
  g_assert_no_error (error);

  /* day 1: nothing is old enough */
  fake_now = t0 + 1 * DAY_MS;
  g_assert_true (kiosk_queue_purge (queue, &retention, &purged, &deleted, &error));
  g_assert_cmpuint (purged, ==, 0);
  g_assert_cmpuint (deleted, ==, 0);

  /* day 2: the accepted one loses its ciphertexts; the merely submitted
   * one keeps them under purge_after=accepted */
  fake_now = t0 + 2 * DAY_MS;
  g_assert_true (kiosk_queue_purge (queue, &retention, &purged, &deleted, &error));
  g_assert_cmpuint (purged, ==, 1);
  g_assert_cmpuint (deleted, ==, 0);
  item = kiosk_queue_get (queue, accepted, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->purged_ms, ==, fake_now);
  g_assert_null (item->metadata_jwe);
  g_assert_null (item->data_jwe);
  g_assert_cmpuint (item->attachments->len, ==, 0);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_ACCEPTED);
  g_clear_pointer (&item, kiosk_queue_item_free);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM applications WHERE data_jwe IS NOT NULL"), ==, 3);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM attachments"), ==, 1);
  g_assert_true (kiosk_queue_check (queue, &error));
  g_assert_no_error (error);

  /* purge_after=submitted takes the submitted one too, never the failed
   * or queued ones */
  retention.purge_after = KIOSK_QUEUE_STATE_SUBMITTED;
  g_assert_true (kiosk_queue_purge (queue, &retention, &purged, &deleted, &error));
  g_assert_cmpuint (purged, ==, 1);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM applications WHERE data_jwe IS NOT NULL"), ==, 2);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM attachments"), ==, 0);
  g_assert_true (kiosk_queue_get_counts (queue, &counts, &error));
  g_assert_cmpuint (counts.purged, ==, 2);
  g_assert_cmpuint (counts.total, ==, 4);

  /* tombstones stay 10 days after their purge */
  fake_now = t0 + 11 * DAY_MS;
  g_assert_true (kiosk_queue_purge (queue, &retention, &purged, &deleted, &error));
  g_assert_cmpuint (deleted, ==, 0);
  fake_now = t0 + 12 * DAY_MS;
  g_assert_true (kiosk_queue_purge (queue, &retention, &purged, &deleted, &error));
  g_assert_cmpuint (purged, ==, 0);
  g_assert_cmpuint (deleted, ==, 2);
  item = kiosk_queue_get (queue, accepted, &error);
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* a year later the failed and the queued ones are still whole */
  fake_now = t0 + 365 * DAY_MS;
  g_assert_true (kiosk_queue_purge (queue, &retention, &purged, &deleted, &error));
  g_assert_cmpuint (purged + deleted, ==, 0);
  {
    g_autoptr(GPtrArray) refs = g_ptr_array_new ();

    g_ptr_array_add (refs, failed);
    g_ptr_array_add (refs, queued);
    assert_intact (queue, refs);
  }

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

static void
test_retention_keyfile (void)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  KioskQueueRetention retention;

  g_assert_true (kiosk_queue_retention_from_keyfile (NULL, &retention, &error));
  g_assert_cmpint (retention.purge_after, ==, KIOSK_QUEUE_STATE_ACCEPTED);
  g_assert_cmpuint (retention.keep_days, ==, 0);
  g_assert_cmpuint (retention.tombstone_days, ==, 90);

  g_assert_true (g_key_file_load_from_data (keyfile,
                                            "[queue]\npurge_after = submitted\nkeep_days = 7\n"
                                            "tombstone_days = 30\n", -1, 0, NULL));
  g_assert_true (kiosk_queue_retention_from_keyfile (keyfile, &retention, &error));
  g_assert_no_error (error);
  g_assert_cmpint (retention.purge_after, ==, KIOSK_QUEUE_STATE_SUBMITTED);
  g_assert_cmpuint (retention.keep_days, ==, 7);
  g_assert_cmpuint (retention.tombstone_days, ==, 30);

  g_assert_true (g_key_file_load_from_data (keyfile, "[queue]\npurge_after = never\n", -1, 0, NULL));
  g_assert_false (kiosk_queue_retention_from_keyfile (keyfile, &retention, &error));
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "purge_after"));
  g_clear_error (&error);
  g_assert_true (g_key_file_load_from_data (keyfile, "[queue]\nkeep_days = -1\n", -1, 0, NULL));
  g_assert_false (kiosk_queue_retention_from_keyfile (keyfile, &retention, &error));
  g_assert_nonnull (strstr (error->message, "keep_days"));
}

/* The main thread's connection leaves checkpoints to the worker's. */
static void
test_checkpoint (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autofree char *wal = g_build_filename (dir, "queue.db-wal", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueue) ui = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_DEFER_CHECKPOINT, &error);
  g_autoptr(KioskQueue) worker = NULL;
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  GStatBuf st;
  sqlite3 *db = NULL;
  int log_frames = -1, checkpointed = -1;

  g_assert_no_error (error);
  worker = open_queue (dir);
  /* about 9 WAL frames each: 300 enqueues are past SQLite's default
   * threshold (1000 frames) but below the deferred one (4096) */
  for (guint i = 0; i < 300; i++)
    g_ptr_array_add (refs, enqueue_fake (ui, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 1000 * 4096);

  g_assert_true (kiosk_queue_checkpoint (worker, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "SELECT count(*) FROM applications", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &checkpointed),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (log_frames, >, 1000);
  g_assert_cmpint (checkpointed, ==, log_frames);
  assert_intact (worker, refs);

  g_clear_pointer (&ui, kiosk_queue_close);
  g_clear_pointer (&worker, kiosk_queue_close);
  remove_tree (dir);
}

/* ---- faults ---- */

static void
test_locked (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *reference = NULL;
  sqlite3 *other = NULL;

  g_ptr_array_add (refs, enqueue_fake (queue, FALSE, &error));
  g_assert_no_error (error);

  /* another program holds the write lock */
  g_assert_cmpint (sqlite3_open (path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  kiosk_queue_set_busy_timeout (queue, 50);

  reference = enqueue_fake (queue, FALSE, &error);
  g_assert_null (reference);
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "locked"));
  g_assert_nonnull (strstr (error->message, "nothing was stored"));
  g_clear_error (&error);
  g_assert_false (kiosk_queue_mark_failed (queue, refs->pdata[0], "x", &error));
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_LOCKED);
  g_clear_error (&error);
  /* reading goes on in WAL mode */
  assert_intact (queue, refs);

  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);
  g_ptr_array_add (refs, enqueue_fake (queue, FALSE, &error));
  g_assert_no_error (error);
  assert_intact (queue, refs);

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

/* Fails the n-th write (or sync) of an enqueue for every n until an
 * enqueue gets through; after each fault the queue holds exactly what it
 * held before, passes the check, and takes the next enqueue. */
static void
run_fault_series (gboolean   on_sync,
                  int        code,
                  int        expected_error)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  guint failures = 0;
  int n;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;

      g_ptr_array_add (refs, enqueue_fake (queue, TRUE, &error));
      g_assert_no_error (error);
    }

  fault_code = code;
  for (n = 0; n < 64; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *reference = NULL;

      faults_fired = 0;
      if (on_sync)
        sync_countdown = n;
      else
        write_countdown = n;
      reference = enqueue_fake (queue, TRUE, &error);
      faults_off ();
      if (reference != NULL)
        {
          /* this n was past the last write: the enqueue went through */
          g_assert_no_error (error);
          g_assert_cmpuint (faults_fired, ==, 0);
          g_ptr_array_add (refs, g_steal_pointer (&reference));
          break;
        }
      failures++;
      g_assert_cmpuint (faults_fired, >, 0);
      g_assert_error (error, KIOSK_QUEUE_ERROR, expected_error);
      g_assert_nonnull (strstr (error->message, "nothing was stored"));
      if (expected_error == KIOSK_QUEUE_ERROR_FULL)
        g_assert_nonnull (strstr (error->message, "disk is full"));
      g_test_message ("fault at %s call %d: %s", on_sync ? "sync" : "write", n, error->message);

      /* intact, no partial row; and the same connection works again */
      assert_intact (queue, refs);
      {
        g_autoptr(GError) again_error = NULL;

        g_ptr_array_add (refs, enqueue_fake (queue, FALSE, &again_error));
        g_assert_no_error (again_error);
      }
    }
  g_assert_cmpuint (failures, >, 0);
  g_assert_cmpint (n, <, 64);

  /* and after closing and opening again */
  g_clear_pointer (&queue, kiosk_queue_close);
  queue = open_queue (dir);
  assert_intact (queue, refs);

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

static void
test_fault_write_full (void)
{
  run_fault_series (FALSE, SQLITE_FULL, KIOSK_QUEUE_ERROR_FULL);
}

static void
test_fault_write_ioerr (void)
{
  run_fault_series (FALSE, SQLITE_IOERR_WRITE, KIOSK_QUEUE_ERROR_IO);
}

static void
test_fault_sync_ioerr (void)
{
  run_fault_series (TRUE, SQLITE_IOERR_FSYNC, KIOSK_QUEUE_ERROR_IO);
}

/* Faults during transitions and purge leave the row as it was. */
static void
test_fault_transition (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = enqueue_fake (queue, TRUE, &error);
  g_autoptr(KioskQueueItem) item = NULL;

  g_assert_no_error (error);
  fault_code = SQLITE_FULL;
  write_countdown = 0;
  g_assert_false (kiosk_queue_mark_created (queue, reference, SUBMISSION_ID, CASE_ID, &error));
  faults_off ();
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "nothing was changed"));
  g_clear_error (&error);
  item = kiosk_queue_get (queue, reference, &error);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_QUEUED);
  g_assert_null (item->submission_id);
  g_assert_true (kiosk_queue_check (queue, &error));

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

/* ---- real file systems (root only: mount) ---- */

static char *
mount_tmpfs (const char *options)
{
  char *dir = make_dir ();

  if (mount ("tmpfs", dir, "tmpfs", 0, options) != 0)
    {
      g_test_message ("mount: %s", g_strerror (errno));
      g_test_skip ("cannot mount a tmpfs; the injected faults cover this");
      remove_tree (dir);
      g_free (dir);
      return NULL;
    }
  return dir;
}

static void
unmount_tmpfs (char *dir)
{
  g_assert_cmpint (umount2 (dir, MNT_DETACH), ==, 0);
  remove_tree (dir);
  g_free (dir);
}

static void
test_tmpfs_full (void)
{
  char *dir;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  guint n;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root to mount a tmpfs; the injected faults cover this");
      return;
    }
  dir = mount_tmpfs ("size=512k,mode=0700");
  if (dir == NULL)
    return;

  queue = open_queue (dir);
  for (n = 0; n < 1000; n++)
    {
      char *reference = enqueue_fake (queue, TRUE, &error);

      if (reference == NULL)
        break;
      g_ptr_array_add (refs, reference);
    }
  g_assert_cmpuint (n, <, 1000);
  g_assert_cmpuint (refs->len, >, 5);
  g_test_message ("disk full after %u enqueues: %s", refs->len, error->message);
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "The queue’s disk is full; nothing was stored. Free space"));
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);

  /* again, still full, still intact */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *reference = enqueue_fake (queue, TRUE, &error);

      g_assert_null (reference);
      g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_FULL);
      g_clear_error (&error);
    }
  assert_intact (queue, refs);

  /* reopen on the full disk: everything is there */
  g_clear_pointer (&queue, kiosk_queue_close);
  queue = open_queue (dir);
  assert_intact (queue, refs);

  g_clear_pointer (&queue, kiosk_queue_close);
  unmount_tmpfs (dir);
}

static void
test_read_only (void)
{
  char *dir;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  gboolean as_root = geteuid () == 0;

  if (as_root)
    {
      dir = mount_tmpfs ("size=4m,mode=0700");
      if (dir == NULL)
        return;
    }
  else
    dir = make_dir ();

  queue = open_queue (dir);
  g_ptr_array_add (refs, enqueue_fake (queue, TRUE, &error));
  g_assert_no_error (error);
  g_clear_pointer (&queue, kiosk_queue_close);

  if (as_root)
    g_assert_cmpint (mount ("tmpfs", dir, "tmpfs", MS_REMOUNT | MS_RDONLY, NULL), ==, 0);
  else
    {
      g_autofree char *path = g_build_filename (dir, "queue.db", NULL);

      g_assert_cmpint (g_chmod (path, 0400), ==, 0);
      g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
    }

  queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  if (queue != NULL)
    {
      /* opened for reading: writing fails clearly */
      reference = enqueue_fake (queue, FALSE, &error);
      g_assert_null (reference);
    }
  g_assert_nonnull (error);
  g_test_message ("read-only: %s", error->message);
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);
  g_clear_pointer (&queue, kiosk_queue_close);

  if (as_root)
    g_assert_cmpint (mount ("tmpfs", dir, "tmpfs", MS_REMOUNT, NULL), ==, 0);
  else
    g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
  {
    g_autofree char *path = g_build_filename (dir, "queue.db", NULL);

    g_chmod (path, 0600);
  }
  queue = open_queue (dir);
  assert_intact (queue, refs);
  g_clear_pointer (&queue, kiosk_queue_close);

  if (as_root)
    unmount_tmpfs (dir);
  else
    {
      remove_tree (dir);
      g_free (dir);
    }
}

/* ---- crash ---- */

#define CRASH_ROUNDS 200

static void
test_crash (void)
{
  g_autofree char *helper = g_test_build_filename (G_TEST_BUILT, "queue-crash-helper", NULL);
  g_autofree char *dir = make_dir ();
  g_autoptr(GHashTable) reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new ();
  GHashTableIter iter;
  gpointer key;
  guint killed_before_any = 0;
  gint64 started = g_get_monotonic_time ();

  g_assert_true (g_file_test (helper, G_FILE_TEST_IS_EXECUTABLE));

  for (guint round = 0; round < CRASH_ROUNDS; round++)
    {
      const char *argv[] = { helper, dir, NULL };
      g_autoptr(GString) output = g_string_new (NULL);
      g_auto(GStrv) lines = NULL;
      GPid pid;
      int out_fd, status;
      char buffer[4096];
      ssize_t n;
      guint new_refs = 0;

      g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                               G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                               &pid, NULL, &out_fd, NULL, &error));
      g_assert_no_error (error);
      /* One round in four: 0…50 ms after the start, often while it opens
       * (on a busy machine or under ASan opening alone can take longer).
       * The others: 0…50 ms after its first commit, in the middle of an
       * enqueue or its commit. */
      if (round % 4 != 0)
        {
          struct pollfd pfd = { out_fd, POLLIN, 0 };
          gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

          while (strchr (output->str, '\n') == NULL && g_get_monotonic_time () < deadline)
            {
              if (poll (&pfd, 1, 100) > 0)
                {
                  n = read (out_fd, buffer, sizeof buffer);
                  if (n <= 0)
                    break;
                  g_string_append_len (output, buffer, n);
                }
            }
        }
      g_usleep (g_rand_int_range (rand, 0, 50000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_spawn_close_pid (pid);
      if (!(WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL))
        {
          /* it must not have stopped on its own: that is an error */
          g_error ("the crash helper stopped by itself (status %d)", status);
        }

      while ((n = read (out_fd, buffer, sizeof buffer)) > 0)
        g_string_append_len (output, buffer, n);
      close (out_fd);
      /* only whole lines were reported */
      lines = g_strsplit (output->str, "\n", -1);
      for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
        {
          g_assert_true (kiosk_reference_is_valid (lines[i]));
          g_hash_table_add (reported, g_strdup (lines[i]));
          new_refs++;
        }
      if (new_refs == 0)
        killed_before_any++;
    }
  g_test_message ("%u rounds, %u references reported, %u rounds killed before the first, %.1f s",
                  CRASH_ROUNDS, g_hash_table_size (reported), killed_before_any,
                  (g_get_monotonic_time () - started) / 1e6);
  /* It did enqueue under the kills: at least one commit in the rounds
   * that waited for one. */
  g_assert_cmpuint (g_hash_table_size (reported), >=, CRASH_ROUNDS * 3 / 4);

  queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_FULL_CHECK, &error);
  g_assert_no_error (error);
  g_assert_null (kiosk_queue_get_recovered_from (queue));
  g_assert_true (kiosk_queue_check (queue, &error));
  g_assert_no_error (error);

  g_hash_table_iter_init (&iter, reported);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *reference = key;
      g_autoptr(KioskQueueItem) item = kiosk_queue_get (queue, reference, &error);
      g_autofree char *metadata = queue_fake_jwe (reference, "metadata", 1200);
      g_autofree char *data = queue_fake_jwe (reference, "data", 5 * 1024);

      g_assert_no_error (error);
      g_assert_cmpstr (item->metadata_jwe, ==, metadata);
      g_assert_cmpstr (item->data_jwe, ==, data);
    }

  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}


/* ---- damaged files: read-only callers, salvage, ciphertext hashes ---- */

/* The names in @dir, sorted, joined by spaces. */
static char *
dir_listing (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
write_random (char  *contents,
              gsize  offset,
              gsize  n)
{
  for (gsize i = 0; i < n; i++)
    contents[offset + i] = (char) g_test_rand_int_range (0, 256);
}

/* Issue #18: with 16 random bytes in queue.db, the commands that only look
 * (status, queue status/list, receipts) moved the file aside and started an
 * empty queue. Now a read-only or no-create open leaves every byte and
 * every file name as it was, and says the file is damaged. */
static void
test_read_only_damaged (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GPtrArray) references = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;
  gsize length = 0;
  gint64 root;
  static const KioskQueueOpenFlags flags[] = {
    KIOSK_QUEUE_OPEN_READ_ONLY,
    KIOSK_QUEUE_OPEN_READ_ONLY | KIOSK_QUEUE_OPEN_NO_CHECK,
    KIOSK_QUEUE_OPEN_NO_CREATE,
    KIOSK_QUEUE_OPEN_NO_CREATE | KIOSK_QUEUE_OPEN_NO_CHECK,
  };

  for (guint i = 0; i < 40; i++)
    {
      char *reference = enqueue_fake (queue, i % 4 == 0, &error);

      g_assert_no_error (error);
      g_ptr_array_add (references, reference);
    }
  g_clear_pointer (&queue, kiosk_queue_close);
  root = raw_int (path, "SELECT rootpage FROM sqlite_schema WHERE name = 'applications'");
  g_assert_cmpint (root, >, 1);

  for (guint damage = 0; damage < 2; damage++)
    {
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      /* 16 random bytes: into the table's root page, then into the header */
      write_random (contents, damage == 0 ? (gsize) (root - 1) * 4096 : 0, 16);
      g_assert_true (g_file_set_contents (path, contents, length, NULL));
      listing = dir_listing (dir);

      for (guint f = 0; f < G_N_ELEMENTS (flags); f++)
        {
          g_autofree char *after = NULL;
          g_autofree char *now_listing = NULL;
          gsize after_length = 0;
          gboolean saw_damage;

          queue = kiosk_queue_open (dir, flags[f], &error);
          saw_damage = queue == NULL && g_error_matches (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT);
          if (queue == NULL)
            g_assert_nonnull (strstr (error->message, "queue salvage"));
          g_clear_error (&error);
          if (queue != NULL)
            {
              /* reading every row runs into the damage */
              g_autoptr(GPtrArray) items = kiosk_queue_list (queue, -1, 0, 0, &error);

              g_assert_null (items);
              g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT);
              g_clear_error (&error);
              saw_damage = TRUE;
            }
          g_assert_true (saw_damage);
          g_clear_pointer (&queue, kiosk_queue_close);

          g_assert_true (g_file_get_contents (path, &after, &after_length, NULL));
          g_assert_cmpmem (after, after_length, contents, length);
          now_listing = dir_listing (dir);
          g_assert_cmpstr (now_listing, ==, listing);
        }
      g_clear_pointer (&contents, g_free);
      g_clear_pointer (&listing, g_free);
    }
  remove_tree (dir);
}

typedef struct {
  char            *reference;
  gboolean         attachment;
  KioskQueueState  state;
} SalvageRow;

/* TRUE when row @seq of the file at @path reads back exactly as stored
 * (its ciphertexts, its attachment, its state), through a plain SQLite
 * connection. */
static gboolean
raw_row_intact (const char       *path,
                gint64            seq,
                const SalvageRow *row)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *metadata = queue_fake_jwe (row->reference, "metadata", 1200);
  g_autofree char *data = queue_fake_jwe (row->reference, "data", 4096);
  g_autofree char *attachment = queue_fake_jwe (row->reference, "attachment", 2048);
  gboolean ok = FALSE;
  int n_attachments = 0;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, real_vfs->zName) != SQLITE_OK)
    goto out;
  if (sqlite3_prepare_v2 (db, "SELECT reference, metadata_jwe, data_jwe, state FROM applications WHERE seq = ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    goto out;
  sqlite3_bind_int64 (stmt, 1, seq);
  if (sqlite3_step (stmt) != SQLITE_ROW
      || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), row->reference) != 0
      || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), metadata) != 0
      || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), data) != 0
      || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), kiosk_queue_state_to_string (row->state)) != 0)
    goto out;
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (sqlite3_prepare_v2 (db, "SELECT ciphertext FROM attachments WHERE app = ?1 ORDER BY position",
                          -1, &stmt, NULL) != SQLITE_OK)
    goto out;
  sqlite3_bind_int64 (stmt, 1, seq);
  for (int rc = sqlite3_step (stmt); ; rc = sqlite3_step (stmt))
    {
      if (rc == SQLITE_DONE)
        break;
      if (rc != SQLITE_ROW || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), attachment) != 0)
        goto out;
      n_attachments++;
    }
  ok = n_attachments == (row->attachment ? 1 : 0);
out:
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ok;
}

/* Issue #18: a queue of 40 applications (every fourth with an attachment;
 * queued, created and failed) is damaged with 16 random bytes at 1 to 3
 * random places, 40 times. Which rows are intact is known beforehand and
 * independently of the salvage: for each page of the clean file alone,
 * the rows that no longer read back exactly through plain SQLite when that
 * page is overwritten with random bytes. A row none of whose pages was
 * hit is intact; every intact row must come out of the salvage exactly,
 * in its state and not marked damaged; no row whose ciphertext changed
 * may come out unmarked; saved + damaged + lost = 40. */
static void
test_salvage_random (void)
{
  g_autofree char *base_dir = make_dir ();
  g_autofree char *base_path = g_build_filename (base_dir, "queue.db", NULL);
  g_autofree char *probe_path = g_build_filename (base_dir, "probe.db", NULL);
  g_autoptr(KioskQueue) queue = open_queue (base_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *clean = NULL;
  g_autofree gboolean *depends = NULL;   /* [page * N + row] */
  SalvageRow rows[40];
  enum { N = G_N_ELEMENTS (rows), ROUNDS = 40 };
  gsize length = 0, n_pages;
  guint total_intact = 0, total_saved_intact = 0, total_saved = 0, total_lost = 0, total_damaged = 0;
  guint undetected = 0;

  for (guint i = 0; i < N; i++)
    {
      rows[i].attachment = i % 4 == 0;
      rows[i].reference = enqueue_fake (queue, rows[i].attachment, &error);
      g_assert_no_error (error);
      rows[i].state = KIOSK_QUEUE_STATE_QUEUED;
      if (i % 5 == 1)
        {
          g_assert_true (kiosk_queue_mark_created (queue, rows[i].reference, SUBMISSION_ID, CASE_ID, &error));
          rows[i].state = KIOSK_QUEUE_STATE_CREATED;
        }
      else if (i % 5 == 2)
        {
          g_assert_true (kiosk_queue_mark_failed (queue, rows[i].reference, "HTTP 400", &error));
          rows[i].state = KIOSK_QUEUE_STATE_FAILED;
        }
      g_assert_no_error (error);
    }
  g_clear_pointer (&queue, kiosk_queue_close);
  g_assert_cmpint (raw_int (base_path, "SELECT max(seq) FROM applications"), ==, N);
  g_assert_true (g_file_get_contents (base_path, &clean, &length, NULL));
  g_assert_cmpuint (length % 4096, ==, 0);
  n_pages = length / 4096;

  /* which rows depend on which page */
  depends = g_new0 (gboolean, n_pages * N);
  for (gsize page = 0; page < n_pages; page++)
    {
      g_autofree char *probe = g_memdup2 (clean, length);

      write_random (probe, page * 4096, 4096);
      g_assert_true (g_file_set_contents (probe_path, probe, length, NULL));
      for (guint r = 0; r < N; r++)
        depends[page * N + r] = !raw_row_intact (probe_path, r + 1, &rows[r]);
    }
  g_unlink (probe_path);
  for (guint r = 0; r < N; r++)
    g_assert_true (raw_row_intact (base_path, r + 1, &rows[r]));

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autofree char *dir = make_dir ();
      g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
      g_autofree char *damaged = g_memdup2 (clean, length);
      g_autofree gboolean *hit = g_new0 (gboolean, n_pages);
      g_autoptr(KioskQueueSalvage) salvage = NULL;
      g_autoptr(KioskQueue) result = NULL;
      guint spots = 1 + round % 3, intact = 0, saved_intact = 0, present = 0;

      for (guint k = 0; k < spots; k++)
        {
          /* odd rounds: the start of a random page (page headers, cell
           * pointers, overflow links: what SQLite checks); even rounds:
           * anywhere (mostly ciphertext: what the hashes check) */
          gsize offset = round % 2 == 1
            ? (gsize) g_test_rand_int_range (0, (gint32) n_pages) * 4096 + (gsize) g_test_rand_int_range (0, 16)
            : (gsize) g_test_rand_int_range (0, (gint32) (length - 16));

          write_random (damaged, offset, 16);
          hit[offset / 4096] = TRUE;
          hit[(offset + 15) / 4096] = TRUE;
        }
      g_assert_true (g_file_set_contents (path, damaged, length, NULL));
      g_assert_true (kiosk_queue_salvage (dir, NULL, &salvage, &error));
      g_assert_no_error (error);
      if (salvage == NULL)
        undetected++;   /* SQLite sees no damage: the ciphertext hashes must catch what changed */
      else
        {
          g_autofree char *kept = NULL;
          gsize kept_length = 0;

          g_assert_true (g_file_get_contents (salvage->kept_path, &kept, &kept_length, NULL));
          g_assert_cmpmem (kept, kept_length, damaged, length);
          if (!salvage->unknown_rest)
            g_assert_cmpuint (salvage->saved + salvage->damaged + salvage->lost, ==, N);
          total_saved += salvage->saved;
          total_lost += salvage->lost;
          total_damaged += salvage->damaged;
        }

      result = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_FULL_CHECK, &error);
      g_assert_no_error (error);
      g_assert_null (kiosk_queue_get_recovered_from (result));
      g_assert_true (kiosk_queue_check (result, &error));
      g_assert_no_error (error);
      if (salvage == NULL)
        {
          /* the sync worker's view: what changed is never handed out
           * (failed ones are checked once staff retry them) */
          g_autoptr(GPtrArray) due = NULL;

          for (guint r = 0; r < N; r++)
            if (rows[r].state == KIOSK_QUEUE_STATE_FAILED)
              g_assert_true (kiosk_queue_retry (result, rows[r].reference, NULL));
          due = kiosk_queue_take_due (result, G_MAXINT64, 0, &error);

          g_assert_no_error (error);
          for (guint i = 0; i < due->len; i++)
            {
              KioskQueueItem *item = due->pdata[i];
              g_autofree char *data = queue_fake_jwe (item->reference, "data", 4096);
              g_autofree char *metadata = queue_fake_jwe (item->reference, "metadata", 1200);

              g_assert_cmpstr (item->data_jwe, ==, data);
              g_assert_cmpstr (item->metadata_jwe, ==, metadata);
            }
        }
      for (guint r = 0; r < N; r++)
        {
          g_autoptr(KioskQueueItem) item = kiosk_queue_get (result, rows[r].reference, NULL);
          gboolean row_intact = TRUE;

          for (gsize page = 0; page < n_pages; page++)
            if (hit[page] && depends[page * N + r])
              row_intact = FALSE;
          intact += row_intact;
          if (item == NULL)
            {
              if (row_intact)
                g_test_message ("row %u intact but missing; reads in the damaged file: %d; salvage %s saved %u "
                                "damaged %u lost %u unknown %d", r + 1,
                                raw_row_intact (salvage != NULL ? salvage->kept_path : path, r + 1, &rows[r]),
                                salvage != NULL ? "ran" : "did not run",
                                salvage != NULL ? (guint) salvage->saved : 0, salvage != NULL ? (guint) salvage->damaged : 0,
                                salvage != NULL ? (guint) salvage->lost : 0, salvage != NULL ? salvage->unknown_rest : 0);
              g_assert_false (row_intact);
              continue;
            }
          present++;
          if (item->damaged_ms == 0)
            {
              g_autofree char *metadata = queue_fake_jwe (rows[r].reference, "metadata", 1200);
              g_autofree char *data = queue_fake_jwe (rows[r].reference, "data", 4096);

              /* not marked damaged: then exactly as stored, state too */
              g_assert_cmpstr (item->metadata_jwe, ==, metadata);
              g_assert_cmpstr (item->data_jwe, ==, data);
              if (salvage != NULL)
                g_assert_cmpint (item->state, ==, rows[r].state);
              if (salvage != NULL && rows[r].attachment)
                {
                  g_autofree char *attachment = queue_fake_jwe (rows[r].reference, "attachment", 2048);

                  g_assert_cmpuint (item->attachments->len, ==, 1);
                  g_assert_cmpstr (((KioskQueueAttachment *) item->attachments->pdata[0])->ciphertext, ==,
                                   attachment);
                }
              saved_intact += row_intact;
            }
          else
            {
              g_assert_false (row_intact);
              g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_FAILED);
            }
        }
      g_assert_cmpuint (saved_intact, ==, intact);
      total_intact += intact;
      total_saved_intact += saved_intact;
      g_test_message ("round %u: %u spot(s), %u of %u rows intact, %u present after salvage%s", round, spots,
                      intact, N, present, salvage == NULL ? " (no damage SQLite sees)" : "");
      g_clear_pointer (&result, kiosk_queue_close);
      remove_tree (dir);
    }
  g_test_message ("salvage: %u rounds, %u intact rows, %u of them salvaged exactly; %u saved, %u damaged, "
                  "%u lost in all; %u rounds without damage SQLite sees", ROUNDS, total_intact,
                  total_saved_intact, total_saved, total_damaged, total_lost, undetected);
  g_assert_cmpuint (total_saved_intact, ==, total_intact);
  for (guint i = 0; i < N; i++)
    g_free (rows[i].reference);
  remove_tree (base_dir);
}

/* Flips one character of @text (a stored ciphertext) in the file at
 * @path: a flipped byte on disk, below SQLite. The 24 characters around it
 * must be found in one piece (not split by a page boundary). */
static void
flip_in_file (const char *path,
              const char *text)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  for (gsize at = 100; at + 24 < strlen (text); at += 97)
    {
      char *found = memmem (contents, length, text + at, 24);

      if (found != NULL)
        {
          found[10] = found[10] == 'A' ? 'B' : 'A';
          g_assert_true (g_file_set_contents (path, contents, length, NULL));
          return;
        }
    }
  g_assert_not_reached ();
}

/* Issue #18: a flipped byte in a stored ciphertext was sent and answered
 * 422. Now the hash kept at enqueue is checked before sending: the
 * application is not handed out, it is failed and damaged, it cannot be
 * retried, and status counts it until acknowledged. */
static void
test_ciphertext_hash (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(KioskQueueItem) item = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  char *refs[3] = { NULL };
  g_autofree char *description = NULL;
  KioskQueueCounts counts;
  guint records = 9;
  guint64 applications = 0;

  for (guint i = 0; i < 3; i++)
    {
      refs[i] = enqueue_fake (queue, i == 0, &error);
      g_assert_no_error (error);
    }
  g_clear_pointer (&queue, kiosk_queue_close);

  /* one character of the data of refs[1], one of the attachment of refs[0] */
  {
    g_autofree char *data = queue_fake_jwe (refs[1], "data", 4096);
    g_autofree char *attachment = queue_fake_jwe (refs[0], "attachment", 2048);

    flip_in_file (path, data);
    flip_in_file (path, attachment);
  }

  queue = open_queue (dir);   /* SQLite sees nothing wrong */
  g_assert_null (kiosk_queue_get_recovered_from (queue));
  damaged_warnings = 0;
  due = kiosk_queue_take_due (queue, G_MAXINT64, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (damaged_warnings, ==, 2);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpstr (((KioskQueueItem *) due->pdata[0])->reference, ==, refs[2]);
  g_clear_pointer (&due, g_ptr_array_unref);
  due = kiosk_queue_take_due (queue, G_MAXINT64, 0, &error);
  g_assert_cmpuint (due->len, ==, 1);

  for (guint i = 0; i < 2; i++)
    {
      item = kiosk_queue_get (queue, refs[i], &error);
      g_assert_no_error (error);
      g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_FAILED);
      g_assert_cmpint (item->damaged_ms, ==, fake_now);
      g_assert_nonnull (strstr (item->last_error, "damaged"));
      g_clear_pointer (&item, kiosk_queue_item_free);
      g_assert_false (kiosk_queue_retry (queue, refs[i], &error));
      g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_STATE);
      g_clear_error (&error);
    }
  listed = kiosk_queue_list (queue, KIOSK_QUEUE_STATE_FAILED, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpint (((KioskQueueItem *) listed->pdata[0])->damaged_ms, !=, 0);
  g_assert_true (kiosk_queue_get_counts (queue, &counts, &error));
  g_assert_cmpuint (counts.damaged, ==, 2);
  g_assert_cmpuint (counts.damaged_unacknowledged, ==, 2);
  g_assert_true (kiosk_queue_check (queue, &error));
  g_assert_no_error (error);
  description = kiosk_queue_describe_damage (dir, &counts);
  g_assert_nonnull (description);
  g_assert_nonnull (strstr (description, "2 stored applications have a damaged ciphertext"));

  g_assert_true (kiosk_queue_damage_acknowledge (dir, queue, &records, &applications, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (records, ==, 0);
  g_assert_cmpuint (applications, ==, 2);
  g_assert_true (kiosk_queue_get_counts (queue, &counts, &error));
  g_assert_cmpuint (counts.damaged, ==, 2);
  g_assert_cmpuint (counts.damaged_unacknowledged, ==, 0);
  g_clear_pointer (&description, g_free);
  description = kiosk_queue_describe_damage (dir, &counts);
  g_assert_null (description);

  g_clear_pointer (&queue, kiosk_queue_close);
  for (guint i = 0; i < 3; i++)
    g_free (refs[i]);
  remove_tree (dir);
}

/* A writer's open salvages and leaves a record; the record keeps the
 * description (status, clerk panel) until it is acknowledged, and stays
 * when the queue is opened again. */
static void
test_damage_record (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *description = NULL;
  g_autofree char *listing = NULL;
  const KioskQueueSalvage *salvage;
  gsize length = 0;
  gint64 root;
  guint n_records = 0;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *reference = enqueue_fake (queue, FALSE, &error);

      g_assert_no_error (error);
      g_assert_nonnull (reference);
    }
  g_clear_pointer (&queue, kiosk_queue_close);
  root = raw_int (path, "SELECT rootpage FROM sqlite_schema WHERE name = 'applications'");
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  write_random (contents, (gsize) (root - 1) * 4096, 16);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  corrupt_warnings = 0;
  queue = open_queue (dir);
  g_assert_cmpuint (corrupt_warnings, ==, 1);
  salvage = kiosk_queue_get_salvage (queue);
  g_assert_nonnull (salvage);
  g_assert_cmpstr (salvage->kept_path, ==, kiosk_queue_get_recovered_from (queue));
  g_clear_pointer (&queue, kiosk_queue_close);
  queue = open_queue (dir);
  g_assert_null (kiosk_queue_get_salvage (queue));
  g_clear_pointer (&queue, kiosk_queue_close);

  records = kiosk_queue_damage_load (dir);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_nonnull (((KioskQueueSalvage *) records->pdata[0])->kept_path);
  g_assert_true (g_file_test (((KioskQueueSalvage *) records->pdata[0])->kept_path, G_FILE_TEST_EXISTS));
  description = kiosk_queue_describe_damage (dir, NULL);
  g_assert_nonnull (description);
  g_assert_nonnull (strstr (description, "salvaged"));

  g_assert_true (kiosk_queue_damage_acknowledge (dir, NULL, &n_records, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_records, ==, 1);
  g_clear_pointer (&records, g_ptr_array_unref);
  records = kiosk_queue_damage_load (dir);
  g_assert_cmpuint (records->len, ==, 0);
  g_clear_pointer (&description, g_free);
  description = kiosk_queue_describe_damage (dir, NULL);
  g_assert_null (description);
  listing = dir_listing (dir);
  g_assert_true (g_regex_match_simple ("queue-damage\\.acknowledged-[0-9]{8}T[0-9]{6}Z", listing, 0, 0));
  g_assert_true (g_regex_match_simple ("queue\\.db\\.damaged-[0-9]{8}T[0-9]{6}Z( |$)", listing, 0, 0));

  /* an unreadable record is still a record: never back to "ok" silently */
  {
    g_autofree char *record_path = g_build_filename (dir, "queue-damage", NULL);

    g_assert_true (g_file_set_contents (record_path, "\x01garbage[", -1, NULL));
    g_clear_pointer (&records, g_ptr_array_unref);
    records = kiosk_queue_damage_load (dir);
    g_assert_cmpuint (records->len, ==, 1);
    g_assert_null (((KioskQueueSalvage *) records->pdata[0])->kept_path);
  }
  remove_tree (dir);
}

/* Every column of schema 4's applications (the hash too) and of its
 * attachments. */
#define V4_ROWS \
  "SELECT seq, id, reference, form_id, form_version, destination_name, destination_id, " \
  "created_ms, state, attempts, next_attempt_ms, submission_id, case_id, platform_created_ms, " \
  "submitted_ms, decided_ms, last_error, updated_ms, purged_ms, n_attachments, metadata_jwe, " \
  "data_jwe, hex (ciphertext_sha256) FROM applications ORDER BY seq"
#define V4_ATTACHMENT_ROWS "SELECT app, position, attachment_id, purpose, mime_type, ciphertext, " \
  "hex (ciphertext_sha256) FROM attachments ORDER BY app, position"
#define V4_SUBMITTED "Z4DLG4DCUK"   /* written by the schema-4 code (make-queue-v4.c) */

static char *
copy_fixture (const char *dir,
              const char *name)
{
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "data", "queue", name, NULL);
  g_autofree char *contents = NULL;
  char *path = g_build_filename (dir, "queue.db", NULL);
  gsize length = 0;

  g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
  g_assert_true (g_file_set_contents_full (path, contents, (gssize) length, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  return path;
}

/* Version 4 as the released code wrote it (tests/data/queue/queue-v4.db):
 * the read-only open reads it unchanged; a writer's open takes it to 5
 * (the state 'deleted') keeping every row, hash and attachment; a
 * connection that read the old schema before writes the new state
 * without reopening (the schema cookie went up); the CHECK still refuses
 * a state it does not know. */
static void
test_migrate_from_4 (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = copy_fixture (dir, "queue-v4.db");
  g_autoptr(GPtrArray) rows_before = raw_rows (path, V4_ROWS);
  g_autoptr(GPtrArray) attachments_before = raw_rows (path, V4_ATTACHMENT_ROWS);
  g_autoptr(GPtrArray) rows_after = NULL;
  g_autoptr(GPtrArray) attachments_after = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(KioskQueueItem) item = NULL;
  g_autoptr(GError) error = NULL;
  gint64 cookie = raw_int (path, "PRAGMA schema_version");
  KioskQueueCounts counts;
  sqlite3 *early = NULL;
  char *message = NULL;

  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 4);
  g_assert_cmpuint (rows_before->len, ==, 8);
  g_assert_cmpuint (attachments_before->len, ==, 5);

  /* the read-only open reads schema 4 as it is */
  queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (state_of (queue, V4_SUBMITTED), ==, KIOSK_QUEUE_STATE_SUBMITTED);
  g_clear_pointer (&queue, kiosk_queue_close);
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 4);

  /* another connection that has read the schema of version 4 */
  g_assert_cmpint (sqlite3_open_v2 (path, &early, SQLITE_OPEN_READWRITE, real_vfs->zName), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (early, "SELECT count(*) FROM applications", NULL, NULL, NULL), ==, SQLITE_OK);

  queue = open_queue (dir);
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 5);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM schema_log WHERE version = 5"), ==, 1);
  g_assert_cmpint (raw_int (path, "PRAGMA schema_version"), >, cookie);
  rows_after = raw_rows (path, V4_ROWS);
  attachments_after = raw_rows (path, V4_ATTACHMENT_ROWS);
  assert_same_rows (rows_before, rows_after);
  assert_same_rows (attachments_before, attachments_after);
  g_assert_true (kiosk_queue_check (queue, &error));
  g_assert_no_error (error);

  /* submitted → deleted on the migrated file */
  fake_now = 1767398400000;  /* 2026-01-03 */
  g_assert_true (kiosk_queue_mark_deleted (queue, V4_SUBMITTED, "deleted by the Zustelldienst", &error));
  g_assert_no_error (error);
  item = kiosk_queue_get (queue, V4_SUBMITTED, &error);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_DELETED);
  g_assert_cmpstr (item->last_error, ==, "deleted by the Zustelldienst");
  g_assert_cmpint (item->decided_ms, ==, fake_now);
  g_assert_true (kiosk_queue_get_counts (queue, &counts, &error));
  g_assert_cmpuint (counts.by_state[KIOSK_QUEUE_STATE_DELETED], ==, 1);
  g_assert_cmpuint (counts.by_state[KIOSK_QUEUE_STATE_SUBMITTED], ==, 1);

  /* the early connection writes the new state without reopening; the
   * CHECK still refuses what is no state */
  g_assert_cmpint (sqlite3_exec (early, "UPDATE applications SET state = 'deleted' WHERE reference = '9S9YXRPDEA'",
                                 NULL, NULL, &message), ==, SQLITE_OK);
  g_assert_null (message);
  g_assert_cmpint (sqlite3_exec (early, "UPDATE applications SET state = 'lost' WHERE reference = '9S9YXRPDEA'",
                                 NULL, NULL, &message), ==, SQLITE_CONSTRAINT);
  sqlite3_free (message);
  sqlite3_close (early);

  /* opening again migrates nothing */
  g_clear_pointer (&queue, kiosk_queue_close);
  queue = open_queue (dir);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM schema_log"), ==, 5);
  g_assert_cmpint (state_of (queue, "9S9YXRPDEA"), ==, KIOSK_QUEUE_STATE_DELETED);
  g_clear_pointer (&queue, kiosk_queue_close);
  fake_now = 1767225600000;
  remove_tree (dir);
}

/* A schema-4 file whose applications table does not have the states of
 * schema 4 (edited by hand): the step is undone, the file left at 4. */
static void
test_migrate_from_4_unexpected (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = copy_fixture (dir, "queue-v4.db");
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, real_vfs->zName), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = "
                                     "replace (sql, '''rejected'',''failed'')', '''rejected'', ''failed'')') "
                                     "WHERE name = 'applications'; PRAGMA writable_schema = RESET",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = raw_text (path, "SELECT sql FROM sqlite_schema WHERE name = 'applications'");

  queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  g_assert_null (queue);
  g_assert_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "cannot be brought to schema version 5"));
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 4);
  after = raw_text (path, "SELECT sql FROM sqlite_schema WHERE name = 'applications'");
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM applications"), ==, 8);
  remove_tree (dir);
}

/* submitted → deleted: only from submitted; final (no decision, no retry
 * after it); purged like the other final states. */
static void
test_deleted (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(KioskQueue) queue = open_queue (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *a = enqueue_fake (queue, FALSE, &error);
  KioskQueueRetention retention;
  guint n_purged = 0;

  g_assert_no_error (error);
  assert_state_error (kiosk_queue_mark_deleted (queue, a, "gone", &error), &error);
  g_assert_true (kiosk_queue_mark_created (queue, a, SUBMISSION_ID, CASE_ID, &error));
  assert_state_error (kiosk_queue_mark_deleted (queue, a, "gone", &error), &error);
  g_assert_true (kiosk_queue_mark_submitted (queue, a, &error));
  g_assert_true (kiosk_queue_mark_deleted (queue, a, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state_of (queue, a), ==, KIOSK_QUEUE_STATE_DELETED);
  assert_state_error (kiosk_queue_mark_accepted (queue, a, &error), &error);
  assert_state_error (kiosk_queue_mark_rejected (queue, a, "no", &error), &error);
  assert_state_error (kiosk_queue_mark_deleted (queue, a, "again", &error), &error);
  assert_state_error (kiosk_queue_retry (queue, a, &error), &error);
  g_assert_cmpstr (kiosk_queue_state_to_string (KIOSK_QUEUE_STATE_DELETED), ==, "deleted");

  kiosk_queue_retention_init (&retention);   /* after accepted, 0 days */
  fake_now += 1000;
  g_assert_true (kiosk_queue_purge (queue, &retention, &n_purged, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_purged, ==, 1);
  g_assert_true (kiosk_queue_check (queue, &error));
  g_assert_no_error (error);
  g_clear_pointer (&queue, kiosk_queue_close);
  remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);
  install_fault_vfs ();

  g_test_add_func ("/antragskiosk/queue/open-fresh", test_open_fresh);
  g_test_add_func ("/antragskiosk/queue/no-create", test_no_create);
  g_test_add_func ("/antragskiosk/queue/migrate-from-0", test_migrate_from_0);
  g_test_add_func ("/antragskiosk/queue/migrate-from-1", test_migrate_from_1);
  g_test_add_func ("/antragskiosk/queue/migrate-from-2", test_migrate_from_2);
  g_test_add_func ("/antragskiosk/queue/migrate-from-2-inconsistent", test_migrate_from_2_inconsistent);
  g_test_add_func ("/antragskiosk/queue/migrate-from-4", test_migrate_from_4);
  g_test_add_func ("/antragskiosk/queue/migrate-from-4-unexpected", test_migrate_from_4_unexpected);
  g_test_add_func ("/antragskiosk/queue/deleted", test_deleted);
  g_test_add_func ("/antragskiosk/queue/too-new", test_too_new);
  g_test_add_func ("/antragskiosk/queue/corrupt-not-a-database", test_corrupt_not_a_database);
  g_test_add_func ("/antragskiosk/queue/corrupt-damaged-pages", test_corrupt_damaged_pages);
  g_test_add_func ("/antragskiosk/queue/read-only-damaged", test_read_only_damaged);
  g_test_add_func ("/antragskiosk/queue/salvage-random", test_salvage_random);
  g_test_add_func ("/antragskiosk/queue/ciphertext-hash", test_ciphertext_hash);
  g_test_add_func ("/antragskiosk/queue/damage-record", test_damage_record);
  g_test_add_func ("/antragskiosk/queue/enqueue-get", test_enqueue_get);
  g_test_add_func ("/antragskiosk/queue/get-unknown", test_get_unknown);
  g_test_add_func ("/antragskiosk/queue/enqueue-invalid", test_enqueue_invalid);
  g_test_add_func ("/antragskiosk/queue/transitions", test_transitions);
  g_test_add_func ("/antragskiosk/queue/take-due", test_take_due);
  g_test_add_func ("/antragskiosk/queue/counts-and-list", test_counts_and_list);
  g_test_add_func ("/antragskiosk/queue/purge", test_purge);
  g_test_add_func ("/antragskiosk/queue/retention-keyfile", test_retention_keyfile);
  g_test_add_func ("/antragskiosk/queue/checkpoint", test_checkpoint);
  g_test_add_func ("/antragskiosk/queue/locked", test_locked);
  g_test_add_func ("/antragskiosk/queue/fault-write-full", test_fault_write_full);
  g_test_add_func ("/antragskiosk/queue/fault-write-ioerr", test_fault_write_ioerr);
  g_test_add_func ("/antragskiosk/queue/fault-sync-ioerr", test_fault_sync_ioerr);
  g_test_add_func ("/antragskiosk/queue/fault-transition", test_fault_transition);
  g_test_add_func ("/antragskiosk/queue/tmpfs-full", test_tmpfs_full);
  g_test_add_func ("/antragskiosk/queue/read-only", test_read_only);
  g_test_add_func ("/antragskiosk/queue/crash", test_crash);

  return g_test_run ();
}
