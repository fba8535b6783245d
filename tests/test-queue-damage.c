/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test"

/* Damaged files: a file that is no database and overwritten pages (moved
 * aside), random bytes (read-only opens leave them alone, a writer's open
 * salvages what is intact), a flipped byte in a ciphertext (the hashes),
 * and the damage record. */

#include "queue-testutil.h"

/* ---- corrupt files: moved aside ---- */

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

int
main (int argc, char **argv)
{
  queue_test_init (&argc, &argv);

  g_test_add_func ("/antragskiosk/queue/corrupt-not-a-database", test_corrupt_not_a_database);
  g_test_add_func ("/antragskiosk/queue/corrupt-damaged-pages", test_corrupt_damaged_pages);
  g_test_add_func ("/antragskiosk/queue/read-only-damaged", test_read_only_damaged);
  g_test_add_func ("/antragskiosk/queue/salvage-random", test_salvage_random);
  g_test_add_func ("/antragskiosk/queue/ciphertext-hash", test_ciphertext_hash);
  g_test_add_func ("/antragskiosk/queue/damage-record", test_damage_record);

  return g_test_run ();
}
