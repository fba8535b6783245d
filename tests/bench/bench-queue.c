/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The queue's figures.
 *
 * 1. Enqueue latency over 10,000 applications: encrypt (data ~4 KiB and
 *    metadata, two compact JWEs with the demo destination key) and the
 *    durable enqueue, beside a bare SQLite one-row insert of 4 KiB into a
 *    one-table database with the same settings (WAL, synchronous=FULL) in
 *    the same directory, interleaved in the same run (and, for context, a
 *    bare insert of the same ciphertext bytes as one row). Target:
 *    encrypt + enqueue <= 1.2 x (bare insert + encrypt).
 *    Both bare databases are checkpointed outside the timed part at the
 *    same moments as the queue (every 100), so that neither side pays for
 *    checkpoints inside its samples.
 * 2. With 100,000 applications in the queue: status (counts per state and
 *    the oldest pending age) and list, as antragskiosk-ctl runs them (open
 *    without the integrity check, query, close), and the sync worker's
 *    due list and the clerk panel's failed list. Target: < 50 ms each.
 *
 *   bench-queue [DIR]     (default: a new directory under $TMPDIR)
 *
 * The directory decides the disk that is measured; it is removed at the
 * end (unless ANTRAGSKIOSK_BENCH_KEEP is set). */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include <antragskiosk/jwe.h>
#include <antragskiosk/keys.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/reference.h>

#include "bench-common.h"

#define DEMO_JWK "resource:///de/antragskiosk/demo/demo-destination.jwk"
#define DEMO_ROOT "resource:///de/antragskiosk/demo/demo-root-ca.pem"
#define ENQUEUES 10000
#define PAYLOAD 4096
#define ROWS 100000
#define QUERY_RUNS 21

static void
check_sqlite (int rc, sqlite3 *db, const char *what)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    g_error ("%s: %s", what, db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

static sqlite3 *
open_bare (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "bare.db", NULL);
  sqlite3 *db = NULL;

  check_sqlite (sqlite3_open (path, &db), db, "open bare.db");
  check_sqlite (sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                                  "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
                              NULL, NULL, NULL), db, "set up bare.db");
  return db;
}

/* 100,000 applications in all: the rest of them added in one transaction
 * straight into the tables, in a realistic mix: most are tombstones of
 * accepted applications (purged), some accepted or submitted with their
 * ciphertexts (of the sizes the enqueues stored: they decide how much of a
 * row stays in its table page), a few queued, created or failed. Writes
 * schema 3 or, to compare with the previous release, schema 2. */
static void
fill (const char *dir, guint existing, gsize metadata_size, gsize data_size)
{
  g_autofree char *path = g_build_filename (dir, "queue.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *app = NULL, *ct = NULL, *version = NULL;
  static const char *const states[] = { "accepted", "accepted", "accepted", "accepted", "accepted",
                                        "accepted", "rejected", "submitted", "queued", "failed" };
  g_autofree char *metadata_filler = g_strnfill (metadata_size, 'm');
  g_autofree char *data_filler = g_strnfill (data_size, 'd');
  gint64 t0 = g_get_real_time () / 1000 - (gint64) 30 * 86400000;
  gboolean inline_ciphertexts;

  check_sqlite (sqlite3_open (path, &db), db, "open queue.db");
  check_sqlite (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &version, NULL), db, "prepare");
  check_sqlite (sqlite3_step (version), db, "user_version");
  inline_ciphertexts = sqlite3_column_int (version, 0) >= 3;
  sqlite3_finalize (version);
  check_sqlite (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), db, "begin");
  check_sqlite (sqlite3_prepare_v2 (db,
                  inline_ciphertexts
                  ? "INSERT INTO applications (id, reference, form_id, form_version, destination_name,"
                    " destination_id, created_ms, state, attempts, next_attempt_ms, submission_id, case_id,"
                    " submitted_ms, decided_ms, updated_ms, purged_ms, metadata_jwe, data_jwe)"
                    " VALUES (?1, ?2, 'meldebescheinigung', '1.0.0', 'buergeramt',"
                    " 'd2a7c9e0-3f4b-4c1d-9e8f-0a1b2c3d4e5f', ?3, ?4, 1, ?3, ?5, ?5, ?3, ?6, ?3, ?7, ?8, ?9)"
                  : "INSERT INTO applications (id, reference, form_id, form_version, destination_name,"
                    " destination_id, created_ms, state, attempts, next_attempt_ms, submission_id, case_id,"
                    " submitted_ms, decided_ms, updated_ms, purged_ms)"
                    " VALUES (?1, ?2, 'meldebescheinigung', '1.0.0', 'buergeramt',"
                    " 'd2a7c9e0-3f4b-4c1d-9e8f-0a1b2c3d4e5f', ?3, ?4, 1, ?3, ?5, ?5, ?3, ?6, ?3, ?7)",
                  -1, &app, NULL), db, "prepare");
  if (!inline_ciphertexts)
    check_sqlite (sqlite3_prepare_v2 (db, "INSERT INTO ciphertexts VALUES (?1, ?2, ?3)", -1, &ct, NULL),
                  db, "prepare");
  for (guint i = existing; i < ROWS; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *reference = kiosk_reference_generate ();
      const char *state = states[i % G_N_ELEMENTS (states)];
      gboolean decided = strcmp (state, "accepted") == 0 || strcmp (state, "rejected") == 0;
      gboolean purged = decided && i % 7 != 0;
      gint64 created = t0 + i * 20;

      sqlite3_bind_text (app, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (app, 2, reference, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (app, 3, created);
      sqlite3_bind_text (app, 4, state, -1, SQLITE_STATIC);
      sqlite3_bind_text (app, 5, strcmp (state, "queued") == 0 ? NULL : id, -1, SQLITE_STATIC);
      if (decided)
        sqlite3_bind_int64 (app, 6, created + 60000);
      else
        sqlite3_bind_null (app, 6);
      if (purged)
        sqlite3_bind_int64 (app, 7, created + 120000);
      else
        sqlite3_bind_null (app, 7);
      if (inline_ciphertexts)
        {
          sqlite3_bind_text (app, 8, purged ? NULL : metadata_filler, -1, SQLITE_STATIC);
          sqlite3_bind_text (app, 9, purged ? NULL : data_filler, -1, SQLITE_STATIC);
        }
      if (sqlite3_step (app) != SQLITE_DONE)
        {
          /* a reference collision: take the next round */
          sqlite3_reset (app);
          i--;
          continue;
        }
      sqlite3_reset (app);
      if (!purged && !inline_ciphertexts)
        {
          sqlite3_bind_int64 (ct, 1, sqlite3_last_insert_rowid (db));
          sqlite3_bind_text (ct, 2, metadata_filler, -1, SQLITE_STATIC);
          sqlite3_bind_text (ct, 3, data_filler, -1, SQLITE_STATIC);
          check_sqlite (sqlite3_step (ct), db, "insert ciphertext");
          sqlite3_reset (ct);
        }
    }
  sqlite3_finalize (app);
  sqlite3_finalize (ct);
  check_sqlite (sqlite3_exec (db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL), db, "commit");
  sqlite3_close (db);
}

static void
remove_dir (const char *dir)
{
  static const char *const names[] = { "queue.db", "queue.db-wal", "queue.db-shm",
                                       "bare.db", "bare.db-wal", "bare.db-shm" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskKey) key = kiosk_key_load (DEMO_JWK, DEMO_ROOT, NULL, &error);
  g_autofree char *dir = NULL;
  g_autofree double *bare = g_new (double, ENQUEUES);
  g_autofree double *bare_same = g_new (double, ENQUEUES);
  g_autofree double *encrypt = g_new (double, ENQUEUES);
  g_autofree double *enqueue = g_new (double, ENQUEUES);
  g_autofree double *both = g_new (double, ENQUEUES);
  g_autofree double *floor_sum = g_new (double, ENQUEUES);
  g_autofree double *floor_same_sum = g_new (double, ENQUEUES);
  g_autofree char *bare_body = g_strnfill (PAYLOAD, 'b');
  double status_ms[QUERY_RUNS], list_all_ms[QUERY_RUNS], list_100_ms[QUERY_RUNS], counts_ms[QUERY_RUNS];
  double due_ms[QUERY_RUNS], failed_ms[QUERY_RUNS];
  gsize metadata_size = 0, data_size = 0;
  double check_ms;
  guint8 data[PAYLOAD];
  KioskQueue *queue, *worker;
  sqlite3 *bare_db;
  sqlite3_stmt *bare_insert = NULL;
  char note[160];
  double p50_bare, p50_encrypt, p50_both, p50_floor, p50_floor_same;

  if (key == NULL)
    g_error ("%s", error->message);
  if (argc > 1)
    {
      dir = g_build_filename (argv[1], "bench-queue-XXXXXX", NULL);
      if (g_mkdtemp (dir) == NULL)
        g_error ("cannot create a directory in %s", argv[1]);
    }
  else
    {
      dir = g_dir_make_tmp ("bench-queue-XXXXXX", &error);
      if (dir == NULL)
        g_error ("%s", error->message);
    }
  fprintf (stderr, "bench-queue: measuring in %s\n", dir);

  /* the plaintext: a 4 KiB data JSON-like text */
  for (gsize i = 0; i < sizeof data; i++)
    data[i] = (guint8) ("{\"name\":\"Mustermann\"} "[i % 22]);

  /* as the kiosk runs it: the main thread's connection defers WAL
   * checkpoints to the sync worker's connection, which checkpoints when
   * idle (here: every 100 enqueues, outside the timed part) */
  queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_DEFER_CHECKPOINT, &error);
  if (queue == NULL)
    g_error ("%s", error->message);
  worker = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_NO_CHECK, &error);
  if (worker == NULL)
    g_error ("%s", error->message);
  bare_db = open_bare (dir);
  check_sqlite (sqlite3_prepare_v2 (bare_db, "INSERT INTO t (body) VALUES (?1)", -1, &bare_insert, NULL),
                bare_db, "prepare");

  /* Interleaved, so that both see the same disk and machine state. */
  for (guint i = 0; i < ENQUEUES; i++)
    {
      g_autofree char *data_jwe = NULL;
      g_autofree char *metadata_jwe = NULL;
      g_autofree char *metadata = NULL;
      g_autofree char *reference = NULL;
      g_autofree char *stored = NULL;
      KioskQueueSubmission submission = { 0 };
      double start;

      start = bench_now_ms ();
      sqlite3_bind_text (bare_insert, 1, bare_body, -1, SQLITE_STATIC);
      check_sqlite (sqlite3_step (bare_insert), bare_db, "bare insert");
      sqlite3_reset (bare_insert);
      bare[i] = bench_now_ms () - start;

      /* the reference goes into the metadata, so the queue chooses it
       * first; that is queue work and counts as enqueue time */
      start = bench_now_ms ();
      reference = kiosk_queue_new_reference (queue, &error);
      if (reference == NULL)
        g_error ("%s", error->message);
      enqueue[i] = bench_now_ms () - start;

      start = bench_now_ms ();
      metadata = kiosk_metadata_build (data, sizeof data, "urn:example:schema", NULL, 0, reference,
                                       "2026-11-28", &error);
      data_jwe = kiosk_jwe_encrypt (key, NULL, data, sizeof data, &error);
      if (data_jwe == NULL || metadata == NULL)
        g_error ("encryption failed: %s", error != NULL ? error->message : "metadata");
      metadata_jwe = kiosk_jwe_encrypt (key, NULL, (const guint8 *) metadata, strlen (metadata), &error);
      if (metadata_jwe == NULL)
        g_error ("%s", error->message);
      encrypt[i] = bench_now_ms () - start;

      /* the floor for the same bytes: both ciphertexts as one bare row */
      {
        g_autofree char *joined = g_strconcat (metadata_jwe, data_jwe, NULL);

        start = bench_now_ms ();
        sqlite3_bind_text (bare_insert, 1, joined, -1, SQLITE_STATIC);
        check_sqlite (sqlite3_step (bare_insert), bare_db, "bare insert");
        sqlite3_reset (bare_insert);
        bare_same[i] = bench_now_ms () - start;
      }

      start = bench_now_ms ();
      submission.reference = reference;
      submission.form_id = "meldebescheinigung";
      submission.form_version = "1.0.0";
      submission.destination_name = "buergeramt";
      submission.destination_id = "d2a7c9e0-3f4b-4c1d-9e8f-0a1b2c3d4e5f";
      submission.metadata_jwe = metadata_jwe;
      submission.data_jwe = data_jwe;
      stored = kiosk_queue_enqueue (queue, &submission, &error);
      if (stored == NULL)
        g_error ("%s", error->message);
      enqueue[i] += bench_now_ms () - start;
      both[i] = encrypt[i] + enqueue[i];
      if (i % 100 == 99)
        {
          /* the sync worker's checkpoint, and the same for the bare
           * database: outside the timed part on both sides */
          if (!kiosk_queue_checkpoint (worker, &error))
            g_error ("%s", error->message);
          check_sqlite (sqlite3_wal_checkpoint_v2 (bare_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL),
                        bare_db, "checkpoint bare.db");
        }
      metadata_size = strlen (metadata_jwe);
      data_size = strlen (data_jwe);
      floor_sum[i] = bare[i] + encrypt[i];
      floor_same_sum[i] = bare_same[i] + encrypt[i];
    }
  sqlite3_finalize (bare_insert);
  sqlite3_close (bare_db);
  kiosk_queue_close (queue);
  kiosk_queue_close (worker);

  p50_bare = bench_median (bare, ENQUEUES);
  bench_row ("queue", "bare SQLite 4 KiB insert, WAL+FULL, p50", p50_bare, "ms", "floor, same disk, same run");
  bench_row ("queue", "bare SQLite 4 KiB insert, WAL+FULL, p99", bench_percentile (bare, ENQUEUES, 99), "ms", "");
  g_snprintf (note, sizeof note, "the ciphertext bytes of one enqueue as one bare row; p99 %.3f ms",
              bench_percentile (bare_same, ENQUEUES, 99));
  bench_row ("queue", "bare SQLite insert of the same ~8 KiB, p50", bench_median (bare_same, ENQUEUES), "ms", note);
  p50_encrypt = bench_median (encrypt, ENQUEUES);
  bench_row ("queue", "encrypt data + metadata (2 JWE), p50", p50_encrypt, "ms", "");
  bench_row ("queue", "enqueue (one transaction, durable), p50", bench_median (enqueue, ENQUEUES), "ms", "");
  bench_row ("queue", "enqueue (one transaction, durable), p99", bench_percentile (enqueue, ENQUEUES, 99), "ms", "");
  p50_floor = bench_median (floor_sum, ENQUEUES);
  p50_floor_same = bench_median (floor_same_sum, ENQUEUES);
  p50_both = bench_median (both, ENQUEUES);
  g_snprintf (note, sizeof note, "%.2f x (bare 4 KiB insert + encrypt = %.3f ms); target <= 1.2; "
              "%.2f x (bare insert of the same bytes + encrypt = %.3f ms)",
              p50_both / p50_floor, p50_floor, p50_both / p50_floor_same, p50_floor_same);
  bench_row ("queue", "encrypt + enqueue, p50", p50_both, "ms", note);
  g_snprintf (note, sizeof note, "bare insert + encrypt p99 = %.3f ms", bench_percentile (floor_sum, ENQUEUES, 99));
  bench_row ("queue", "encrypt + enqueue, p99", bench_percentile (both, ENQUEUES, 99), "ms", note);

  /* 100,000 rows */
  fill (dir, ENQUEUES, metadata_size, data_size);
  for (guint run = 0; run < QUERY_RUNS; run++)
    {
      KioskQueueCounts counts;
      g_autoptr(GPtrArray) items = NULL;
      double start = bench_now_ms ();

      /* as `antragskiosk-ctl queue status` does it */
      queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_NO_CHECK | KIOSK_QUEUE_OPEN_NO_CREATE, &error);
      if (queue == NULL || !kiosk_queue_get_counts (queue, &counts, &error))
        g_error ("%s", error->message);
      kiosk_queue_close (queue);
      status_ms[run] = bench_now_ms () - start;
      if (counts.total != ROWS)
        g_error ("expected %d rows, found %" G_GUINT64_FORMAT, ROWS, counts.total);

      queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_NO_CHECK | KIOSK_QUEUE_OPEN_NO_CREATE, &error);
      if (queue == NULL)
        g_error ("%s", error->message);
      start = bench_now_ms ();
      if (!kiosk_queue_get_counts (queue, &counts, &error))
        g_error ("%s", error->message);
      counts_ms[run] = bench_now_ms () - start;

      start = bench_now_ms ();
      items = kiosk_queue_list (queue, -1, 100, 0, &error);
      if (items == NULL || items->len != 100)
        g_error ("list failed");
      list_100_ms[run] = bench_now_ms () - start;
      g_clear_pointer (&items, g_ptr_array_unref);

      start = bench_now_ms ();
      items = kiosk_queue_list (queue, -1, 0, 0, &error);
      if (items == NULL || items->len != ROWS)
        g_error ("list failed");
      list_all_ms[run] = bench_now_ms () - start;
      g_clear_pointer (&items, g_ptr_array_unref);

      /* the sync worker's refill: 64 due of 10,000 pending, with their
       * ciphertexts */
      start = bench_now_ms ();
      items = kiosk_queue_take_due (queue, g_get_real_time () / 1000, 64, &error);
      if (items == NULL || items->len != 64)
        g_error ("take_due failed");
      due_ms[run] = bench_now_ms () - start;
      g_clear_pointer (&items, g_ptr_array_unref);

      /* the clerk panel: the newest 20 failed */
      start = bench_now_ms ();
      items = kiosk_queue_list (queue, KIOSK_QUEUE_STATE_FAILED, 20, 0, &error);
      if (items == NULL || items->len != 20)
        g_error ("list failed");
      failed_ms[run] = bench_now_ms () - start;
      kiosk_queue_close (queue);
    }
  bench_row ("queue", "status at 100k rows: open + counts + close", bench_median (status_ms, QUERY_RUNS), "ms", "target < 50");
  bench_row ("queue", "status at 100k rows: counts query only", bench_median (counts_ms, QUERY_RUNS), "ms", "target < 50");
  bench_row ("queue", "list at 100k rows: newest 100", bench_median (list_100_ms, QUERY_RUNS), "ms", "target < 50");
  bench_row ("queue", "list at 100k rows: all 100,000", bench_median (list_all_ms, QUERY_RUNS), "ms", "target < 50");
  bench_row ("queue", "take_due at 100k rows: 64 of 10,000 due", bench_median (due_ms, QUERY_RUNS), "ms",
             "sync worker refill, with ciphertexts");
  bench_row ("queue", "list at 100k rows: newest 20 failed", bench_median (failed_ms, QUERY_RUNS), "ms", "clerk panel");

  /* what the kiosk pays at start-up: open with PRAGMA quick_check */
  {
    double start = bench_now_ms ();

    queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
    if (queue == NULL)
      g_error ("%s", error->message);
    check_ms = bench_now_ms () - start;
    kiosk_queue_close (queue);
    bench_row ("queue", "open with quick_check at 100k rows (once)", check_ms, "ms", "kiosk start-up");
  }

  /* ANTRAGSKIOSK_BENCH_KEEP=1 keeps the 100k-row queue, e.g. to time
   * antragskiosk-ctl queue status/list against it. */
  if (g_getenv ("ANTRAGSKIOSK_BENCH_KEEP") != NULL)
    fprintf (stderr, "bench-queue: kept %s\n", dir);
  else
    remove_dir (dir);
  return 0;
}
