/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test"

/* The queue's schema migrations: from an empty file, from schema 1 (frozen
 * here), from the files the released code of schemas 2 and 4 wrote
 * (tests/data/queue/), files a step must refuse, and a file newer than
 * this code. */

#include "queue-testutil.h"

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

int
main (int argc, char **argv)
{
  queue_test_init (&argc, &argv);

  g_test_add_func ("/antragskiosk/queue/migrate-from-0", test_migrate_from_0);
  g_test_add_func ("/antragskiosk/queue/migrate-from-1", test_migrate_from_1);
  g_test_add_func ("/antragskiosk/queue/migrate-from-2", test_migrate_from_2);
  g_test_add_func ("/antragskiosk/queue/migrate-from-2-inconsistent", test_migrate_from_2_inconsistent);
  g_test_add_func ("/antragskiosk/queue/migrate-from-4", test_migrate_from_4);
  g_test_add_func ("/antragskiosk/queue/migrate-from-4-unexpected", test_migrate_from_4_unexpected);
  g_test_add_func ("/antragskiosk/queue/too-new", test_too_new);

  return g_test_run ();
}
