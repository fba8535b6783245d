/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test"

/* Opening the queue and its everyday operations: enqueue and read, the
 * states, the due list, counts and listings, retention, checkpoints,
 * another program's lock. The migrations are in test-queue-migrate.c,
 * damaged files in test-queue-damage.c, injected faults, full and
 * read-only file systems and crashes in test-queue-faults.c. */

#include <antragskiosk/reference.h>

#include "queue-testutil.h"

/* ---- open ---- */

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

/* ---- another program holds the lock ---- */

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

int
main (int argc, char **argv)
{
  queue_test_init (&argc, &argv);

  g_test_add_func ("/antragskiosk/queue/open-fresh", test_open_fresh);
  g_test_add_func ("/antragskiosk/queue/no-create", test_no_create);
  g_test_add_func ("/antragskiosk/queue/deleted", test_deleted);
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

  return g_test_run ();
}
