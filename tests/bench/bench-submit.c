/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Enqueue latency of the whole Submit path (validate, data + metadata,
 * two RSA-4096 JWEs, one durable SQLite transaction) over many
 * submissions, beside what it is made of, measured in the same run on the
 * same disk: a bare one-row WAL + synchronous=FULL insert of the same
 * size, and the bare encryption of the same two payloads. Target: ours
 * ≤ 1.2 × (bare insert + encryption). The bare insert is one row of the
 * same bytes with a UNIQUE key, in an explicit transaction, with prepared
 * statements; both databases are checkpointed every 100 rounds outside
 * the timed part (as the sync worker does for the queue). The summary PDF
 * attachment is measured separately (it is rendering, not queueing).
 * Usage: bench-submit [N] (default 10000). */
#include "config.h"

#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/config.h>
#include <antragskiosk/i18n.h>
#include <antragskiosk/jwe.h>
#include <antragskiosk/keys.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/submission.h>

#include "bench-common.h"

#define FORM "wohnberechtigungsschein"

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  for (const char *name = dir != NULL ? g_dir_read_name (dir) : NULL; name != NULL; name = g_dir_read_name (dir))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* The comparison: a bare one-row durable insert of @size bytes. */
typedef struct {
  sqlite3      *db;
  sqlite3_stmt *begin;
  sqlite3_stmt *commit;
  sqlite3_stmt *insert;
  char         *blob;
  gsize         size;
} Bare;

static void
bare_open (Bare *bare, const char *dir, gsize size)
{
  g_autofree char *path = g_build_filename (dir, "bare.db", NULL);

  bare->size = size;
  bare->blob = g_malloc (size);
  memset (bare->blob, 'x', size);
  g_assert (sqlite3_open (path, &bare->db) == SQLITE_OK);
  sqlite3_exec (bare->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                          "CREATE TABLE t (id INTEGER PRIMARY KEY, ref TEXT UNIQUE, payload TEXT)", NULL, NULL, NULL);
  sqlite3_prepare_v2 (bare->db, "BEGIN IMMEDIATE", -1, &bare->begin, NULL);
  sqlite3_prepare_v2 (bare->db, "COMMIT", -1, &bare->commit, NULL);
  sqlite3_prepare_v2 (bare->db, "INSERT INTO t (ref, payload) VALUES (?, ?)", -1, &bare->insert, NULL);
}

static double
bare_insert (Bare *bare, gsize i)
{
  char ref[32];
  double t0 = bench_now_ms ();

  g_snprintf (ref, sizeof ref, "R%" G_GSIZE_FORMAT, i);
  /* prepared statements, as the queue keeps them */
  g_assert_cmpint (sqlite3_step (bare->begin), ==, SQLITE_DONE);
  sqlite3_reset (bare->begin);
  sqlite3_bind_text (bare->insert, 1, ref, -1, SQLITE_STATIC);
  sqlite3_bind_text (bare->insert, 2, bare->blob, (int) bare->size, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (bare->insert), ==, SQLITE_DONE);
  sqlite3_reset (bare->insert);
  g_assert_cmpint (sqlite3_step (bare->commit), ==, SQLITE_DONE);
  sqlite3_reset (bare->commit);
  return bench_now_ms () - t0;
}

static void
bare_close (Bare *bare)
{
  sqlite3_finalize (bare->insert);
  sqlite3_finalize (bare->begin);
  sqlite3_finalize (bare->commit);
  sqlite3_close (bare->db);
  g_free (bare->blob);
}

int
main (int argc, char **argv)
{
  gsize n = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-submit-XXXXXX", &error);
  g_autofree char *data_dir = g_build_filename (dir, "queue", NULL);
  g_autofree char *answers_path = g_build_filename (ANTRAGSKIOSK_SOURCE_DIR, "tests", "data", "answers", FORM ".json", NULL);
  g_autofree char *answers_json = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskCatalog) catalog = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(KioskQueue) worker = NULL;
  g_autoptr(KioskSubmitter) submitter = NULL;
  g_autoptr(KioskAnswers) answers = NULL;
  g_autoptr(KioskKey) key = NULL;
  double *ours = g_new (double, n), *encrypt = g_new (double, n), *bare_samples = g_new (double, n);
  double *queue_part = g_new (double, n);
  char *metadata;
  Bare bare;
  double pdf[50];
  gsize data_length = 0, payload = 0;
  char *data;
  KioskForm *form;

  kiosk_i18n_init ();
  g_assert_no_error (error);
  config = kiosk_config_load_demo (NULL, &error);
  g_assert_no_error (error);
  g_free (config->data_dir);
  config->data_dir = g_strdup (data_dir);
  catalog = kiosk_catalog_new (NULL, &error);
  form = kiosk_catalog_lookup (catalog, FORM);
  g_assert_true (g_file_get_contents (answers_path, &answers_json, NULL, &error));
  answers = kiosk_answers_new_from_json (form, answers_json, -1, &error);
  g_assert_no_error (error);
  /* As the kiosk opens it: checkpoints are left to the sync worker. */
  queue = kiosk_queue_open (data_dir, KIOSK_QUEUE_OPEN_DEFER_CHECKPOINT, &error);
  g_assert_no_error (error);
  worker = kiosk_queue_open (data_dir, KIOSK_QUEUE_OPEN_NO_CHECK, &error);
  g_assert_no_error (error);
  submitter = kiosk_submitter_new (config, queue);
  kiosk_submitter_set_summary_pdf (submitter, FALSE);
  key = kiosk_key_load (((KioskDestinationConfig *) config->destinations->pdata[0])->key_file,
                        ((KioskDestinationConfig *) config->destinations->pdata[0])->trust_anchor, NULL, &error);
  g_assert_no_error (error);

  /* Each round measures, one after the other, the bare encryption of the
   * same two payloads (data and a metadata document of its real size), a
   * bare durable insert of the same number of bytes, and a whole Submit:
   * interleaved, so that the disk's ups and downs hit all three alike. */
  data = kiosk_answers_to_data (answers, NULL, &data_length, &error);
  metadata = kiosk_metadata_build ((const guint8 *) data, data_length, form->schema_uri, NULL, 0,
                                   "K7M4QX9PRZ", NULL, &error);
  {
    g_autofree char *a = kiosk_jwe_encrypt (key, NULL, (const guint8 *) data, data_length, NULL);
    g_autofree char *b = kiosk_jwe_encrypt (key, NULL, (const guint8 *) metadata, strlen (metadata), NULL);
    payload = strlen (a) + strlen (b);
  }
  bare_open (&bare, dir, payload);
  for (gsize i = 0; i < n; i++)
    {
      double t0 = bench_now_ms ();
      char *a = kiosk_jwe_encrypt (key, NULL, (const guint8 *) data, data_length, NULL);
      char *b = kiosk_jwe_encrypt (key, NULL, (const guint8 *) metadata, strlen (metadata), NULL);
      char *reference;

      encrypt[i] = bench_now_ms () - t0;
      bare_samples[i] = bare_insert (&bare, i);

      /* the queue's share of a Submit alone: a reference and the enqueue
       * of the same ciphertexts (the submitter does exactly these two
       * calls; everything else it does is validation and encoding) */
      {
        KioskQueueSubmission submission = {
          .form_id = FORM, .form_version = "1.0.0", .destination_name = "demo",
          .destination_id = "d2a7c9e0-3f4b-4c1d-9e8f-0a1b2c3d4e5f", .metadata_jwe = b, .data_jwe = a,
        };
        char *stored;

        t0 = bench_now_ms ();
        reference = kiosk_queue_new_reference (queue, &error);
        g_assert_no_error (error);
        submission.reference = reference;
        stored = kiosk_queue_enqueue (queue, &submission, &error);
        queue_part[i] = bench_now_ms () - t0;
        g_assert_no_error (error);
        g_free (stored);
        g_free (reference);
      }
      g_free (a);
      g_free (b);

      t0 = bench_now_ms ();
      reference = kiosk_submitter_submit (submitter, answers, NULL, NULL, &error);
      ours[i] = bench_now_ms () - t0;
      g_assert_no_error (error);
      g_free (reference);
      if (i % 100 == 99)
        {
          /* the sync worker's checkpoint, and the same for the bare
           * database: outside the timed part on both sides */
          g_assert_true (kiosk_queue_checkpoint (worker, &error));
          g_assert_cmpint (sqlite3_wal_checkpoint_v2 (bare.db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL),
                           ==, SQLITE_OK);
        }
    }
  bare_close (&bare);
  kiosk_secure_free (data, (gssize) data_length);
  g_free (metadata);

  kiosk_submitter_set_summary_pdf (submitter, TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (pdf); i++)
    {
      double t0 = bench_now_ms ();
      char *reference = kiosk_submitter_submit (submitter, answers, NULL, NULL, &error);
      pdf[i] = bench_now_ms () - t0;
      g_free (reference);
      g_assert_no_error (error);
    }

  {
    double bare_p50 = bench_percentile (bare_samples, n, 50), bare_p99 = bench_percentile (bare_samples, n, 99);
    double enc_p50 = bench_percentile (encrypt, n, 50), enc_p99 = bench_percentile (encrypt, n, 99);
    double ours_p50 = bench_percentile (ours, n, 50), ours_p99 = bench_percentile (ours, n, 99);
    char note[128];

    bench_row ("submit", "bare WAL+FULL one-row insert, p50", bare_p50, "ms", "same disk, same run");
    bench_row ("submit", "bare WAL+FULL one-row insert, p99", bare_p99, "ms", "");
    bench_row ("submit", "bare encryption of data + metadata, p50", enc_p50, "ms", "RSA-4096 + A256GCM, twice");
    bench_row ("submit", "bare encryption of data + metadata, p99", enc_p99, "ms", "");
    g_snprintf (note, sizeof note, "%.2f x (insert + encryption); target <= 1.2", ours_p50 / (bare_p50 + enc_p50));
    bench_row ("submit", "Submit: validate+encrypt+enqueue, p50", ours_p50, "ms", note);
    g_snprintf (note, sizeof note, "%.2f x (insert + encryption)", ours_p99 / (bare_p99 + enc_p99));
    bench_row ("submit", "Submit: validate+encrypt+enqueue, p99", ours_p99, "ms", note);
    g_snprintf (note, sizeof note, "%.2f x the bare insert; Submit minus this minus encryption (validation, data, metadata): %.3f ms",
                bench_percentile (queue_part, n, 50) / bare_p50,
                ours_p50 - bench_percentile (queue_part, n, 50) - enc_p50);
    bench_row ("submit", "its queue part: new_reference + enqueue, p50", bench_percentile (queue_part, n, 50), "ms", note);
    bench_row ("submit", "Submit with summary PDF attachment, p50", bench_median (pdf, G_N_ELEMENTS (pdf)), "ms", "50 runs");
    bench_row ("submit", "ciphertext bytes per application", (double) payload, "B", "data + metadata JWE");
  }

  kiosk_queue_close (g_steal_pointer (&worker));
  kiosk_queue_close (g_steal_pointer (&queue));
  remove_tree (dir);
  g_free (ours);
  g_free (encrypt);
  g_free (bare_samples);
  g_free (queue_part);
  return 0;
}
