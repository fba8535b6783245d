/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test"

/* The queue under faults: SQLite's writes and syncs failing on command (a
 * VFS that wraps the default one), a full and a read-only file system, a
 * process killed while it enqueues (queue-crash-helper). After each the
 * queue holds exactly what it held before and works on. */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <antragskiosk/reference.h>

#include "queue-testutil.h"

/* ---- an SQLite VFS that fails on command ---- */

typedef struct {
  sqlite3_file  base;
  sqlite3_file *real;
} FaultFile;

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

/* ---- injected faults ---- */

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

int
main (int argc, char **argv)
{
  queue_test_init (&argc, &argv);
  install_fault_vfs ();

  g_test_add_func ("/antragskiosk/queue/fault-write-full", test_fault_write_full);
  g_test_add_func ("/antragskiosk/queue/fault-write-ioerr", test_fault_write_ioerr);
  g_test_add_func ("/antragskiosk/queue/fault-sync-ioerr", test_fault_sync_ioerr);
  g_test_add_func ("/antragskiosk/queue/fault-transition", test_fault_transition);
  g_test_add_func ("/antragskiosk/queue/tmpfs-full", test_tmpfs_full);
  g_test_add_func ("/antragskiosk/queue/read-only", test_read_only);
  g_test_add_func ("/antragskiosk/queue/crash", test_crash);

  return g_test_run ();
}
