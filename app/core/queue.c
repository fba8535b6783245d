/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The queue's core API: states, small types, the clock, reading
 * applications (get, list, counts, take_due) and enqueue. */
#define G_LOG_DOMAIN "antragskiosk-queue"

#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include <antragskiosk/queue.h>
#include <antragskiosk/reference.h>
#include "queue-private.h"

G_DEFINE_QUARK (kiosk-queue-error-quark, kiosk_queue_error)

static const char *const state_names[KIOSK_QUEUE_N_STATES] = {
  "queued", "created", "submitted", "accepted", "rejected", "failed", "deleted",
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

/* ---- reading rows ---- */

#define ITEM_COLUMNS \
  "a.seq, a.id, a.reference, a.form_id, a.form_version, a.destination_name, " \
  "a.destination_id, a.created_ms, a.state, a.attempts, a.next_attempt_ms, "  \
  "a.submission_id, a.case_id, a.platform_created_ms, a.submitted_ms, "       \
  "a.decided_ms, a.last_error, a.updated_ms, a.purged_ms, a.n_attachments, "  \
  "d.damaged_ms, d.acknowledged_ms"
/* The damaged ones are a small table of their own (schema 4). */
#define ITEM_FROM "applications a LEFT JOIN damaged_applications d ON d.app = a.seq"

static KioskQueueItem *
item_from_row (sqlite3_stmt *stmt,
               gint64       *seq)
{
  KioskQueueItem *item = g_new0 (KioskQueueItem, 1);
  KioskQueueState state = KIOSK_QUEUE_STATE_FAILED;

  *seq = sqlite3_column_int64 (stmt, 0);
  item->id = _kiosk_queue_column_text (stmt, 1);
  item->reference = _kiosk_queue_column_text (stmt, 2);
  item->form_id = _kiosk_queue_column_text (stmt, 3);
  item->form_version = _kiosk_queue_column_text (stmt, 4);
  item->destination_name = _kiosk_queue_column_text (stmt, 5);
  item->destination_id = _kiosk_queue_column_text (stmt, 6);
  item->created_ms = _kiosk_queue_column_ms (stmt, 7);
  kiosk_queue_state_from_string ((const char *) sqlite3_column_text (stmt, 8), &state);
  item->state = state;
  item->attempts = (guint) sqlite3_column_int64 (stmt, 9);
  item->next_attempt_ms = _kiosk_queue_column_ms (stmt, 10);
  item->submission_id = _kiosk_queue_column_text (stmt, 11);
  item->case_id = _kiosk_queue_column_text (stmt, 12);
  item->platform_created_ms = _kiosk_queue_column_ms (stmt, 13);
  item->submitted_ms = _kiosk_queue_column_ms (stmt, 14);
  item->decided_ms = _kiosk_queue_column_ms (stmt, 15);
  item->last_error = _kiosk_queue_column_text (stmt, 16);
  item->updated_ms = _kiosk_queue_column_ms (stmt, 17);
  item->purged_ms = _kiosk_queue_column_ms (stmt, 18);
  item->n_attachments = (guint) sqlite3_column_int64 (stmt, 19);
  item->damaged_ms = _kiosk_queue_column_ms (stmt, 20);
  item->damage_acknowledged_ms = _kiosk_queue_column_ms (stmt, 21);
  return item;
}

/* Adds the ciphertexts and attachments of @item (row @seq). With
 * @intact non-NULL (schema 4 only) each ciphertext is checked against its
 * stored hash and *@intact says whether all matched. */
static int
load_ciphertexts (KioskQueue     *queue,
                  KioskQueueItem *item,
                  gint64          seq,
                  gboolean       *intact)
{
  int rc;
  sqlite3_stmt *stmt;

  item->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_queue_attachment_free);
  if (intact != NULL)
    {
      *intact = TRUE;
      stmt = _kiosk_queue_statement (queue, "SELECT metadata_jwe, data_jwe, ciphertext_sha256 FROM applications "
                                            "WHERE seq = ?1", &rc);
    }
  else
    stmt = _kiosk_queue_statement (queue, "SELECT metadata_jwe, data_jwe FROM applications WHERE seq = ?1", &rc);
  if (stmt == NULL)
    return rc;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      item->metadata_jwe = _kiosk_queue_column_text (stmt, 0);
      item->data_jwe = _kiosk_queue_column_text (stmt, 1);
      if (intact != NULL && item->metadata_jwe != NULL
          && !_kiosk_queue_hash_matches (sqlite3_column_blob (stmt, 2), sqlite3_column_bytes (stmt, 2),
                                         item->metadata_jwe, item->data_jwe != NULL ? item->data_jwe : ""))
        *intact = FALSE;
      rc = SQLITE_DONE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rc;

  if (intact != NULL)
    stmt = _kiosk_queue_statement (queue, "SELECT attachment_id, purpose, mime_type, ciphertext, ciphertext_sha256 "
                                          "FROM attachments WHERE app = ?1 ORDER BY position", &rc);
  else
    stmt = _kiosk_queue_statement (queue, "SELECT attachment_id, purpose, mime_type, ciphertext FROM attachments "
                                          "WHERE app = ?1 ORDER BY position", &rc);
  if (stmt == NULL)
    return rc;
  sqlite3_bind_int64 (stmt, 1, seq);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *ciphertext = (const char *) sqlite3_column_text (stmt, 3);

      if (intact != NULL && (ciphertext == NULL
                             || !_kiosk_queue_hash_matches (sqlite3_column_blob (stmt, 4), sqlite3_column_bytes (stmt, 4),
                                                            ciphertext, NULL)))
        *intact = FALSE;
      g_ptr_array_add (item->attachments,
                       kiosk_queue_attachment_new ((const char *) sqlite3_column_text (stmt, 0),
                                                   (const char *) sqlite3_column_text (stmt, 1),
                                                   (const char *) sqlite3_column_text (stmt, 2),
                                                   ciphertext));
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE && intact != NULL && item->attachments->len != item->n_attachments)
    *intact = FALSE;
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Canonical reference from what a caller passed, or NULL with
 * KIOSK_QUEUE_ERROR_INVALID. */
char *
_kiosk_queue_canonical_reference (const char  *reference,
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

void
_kiosk_queue_set_not_found (GError     **error,
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

  canonical = _kiosk_queue_canonical_reference (reference, error);
  if (canonical == NULL)
    return NULL;

  rc = _kiosk_queue_begin_read (queue);
  if (rc != SQLITE_OK)
    goto failed;
  stmt = _kiosk_queue_statement (queue, "SELECT " ITEM_COLUMNS " FROM " ITEM_FROM " WHERE a.reference = ?1", &rc);
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
      _kiosk_queue_rollback (queue);
      _kiosk_queue_set_not_found (error, canonical);
      return NULL;
    }
  rc = load_ciphertexts (queue, item, seq, NULL);
  if (rc != SQLITE_OK)
    goto failed;
  rc = _kiosk_queue_commit (queue);
  if (rc != SQLITE_OK)
    goto failed;
  return g_steal_pointer (&item);

failed:
  _kiosk_queue_rollback (queue);
  _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_READ);
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
    stmt = _kiosk_queue_statement (queue, "SELECT " ITEM_COLUMNS " FROM " ITEM_FROM " "
                                          "ORDER BY a.seq DESC LIMIT ?2 OFFSET ?3", &rc);
  else
    /* The rows of one state are chosen from the state index alone (it
     * holds seq); only those shown are read. */
    stmt = _kiosk_queue_statement (queue, "SELECT " ITEM_COLUMNS " FROM " ITEM_FROM " WHERE a.seq IN "
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
  _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_READ);
  return NULL;
}

static int
count_states (KioskQueue       *queue,
              KioskQueueCounts *counts)
{
  int rc;
  sqlite3_stmt *stmt = _kiosk_queue_statement (queue, "SELECT state, count(*) FROM applications GROUP BY state", &rc);

  if (stmt == NULL)
    return rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KioskQueueState state;
      guint64 n = (guint64) sqlite3_column_int64 (stmt, 1);

      if (kiosk_queue_state_from_string ((const char *) sqlite3_column_text (stmt, 0), &state))
        counts->by_state[state] = n;
      counts->total += n;
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
count_purged_and_damaged (KioskQueue       *queue,
                          KioskQueueCounts *counts)
{
  int rc;
  sqlite3_stmt *stmt = _kiosk_queue_statement (queue, "SELECT count(*) FROM applications WHERE purged_ms IS NOT NULL",
                                               &rc);

  if (stmt == NULL)
    return rc;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    counts->purged = (guint64) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return rc;

  stmt = _kiosk_queue_statement (queue, "SELECT count(*), count(*) FILTER (WHERE acknowledged_ms IS NULL) "
                                        "FROM damaged_applications", &rc);
  if (stmt == NULL)
    return rc;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      counts->damaged = (guint64) sqlite3_column_int64 (stmt, 0);
      counts->damaged_unacknowledged = (guint64) sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* min() per state walks one end of the (state, created_ms) index. */
static int
oldest_pending (KioskQueue *queue,
                gint64     *oldest)
{
  for (KioskQueueState s = KIOSK_QUEUE_STATE_QUEUED; s <= KIOSK_QUEUE_STATE_CREATED; s++)
    {
      int rc;
      sqlite3_stmt *stmt = _kiosk_queue_statement (queue, "SELECT min(created_ms) FROM applications WHERE state = ?1",
                                                   &rc);

      if (stmt == NULL)
        return rc;
      sqlite3_bind_text (stmt, 1, state_names[s], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        {
          gint64 t = sqlite3_column_int64 (stmt, 0);

          if (*oldest == 0 || t < *oldest)
            *oldest = t;
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        return rc;
    }
  return SQLITE_OK;
}

gboolean
kiosk_queue_get_counts (KioskQueue        *queue,
                        KioskQueueCounts  *counts,
                        GError           **error)
{
  int rc;
  gint64 oldest = 0;

  g_return_val_if_fail (queue != NULL, FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  memset (counts, 0, sizeof *counts);
  counts->oldest_pending_age_ms = -1;

  /* One read transaction: the numbers belong together. */
  rc = _kiosk_queue_begin_read (queue);
  if (rc == SQLITE_OK)
    rc = count_states (queue, counts);
  if (rc == SQLITE_OK)
    rc = count_purged_and_damaged (queue, counts);
  if (rc == SQLITE_OK)
    rc = oldest_pending (queue, &oldest);
  if (rc == SQLITE_OK)
    rc = _kiosk_queue_commit (queue);
  if (rc != SQLITE_OK)
    {
      _kiosk_queue_rollback (queue);
      _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_READ);
      return FALSE;
    }

  if (oldest != 0)
    {
      counts->oldest_pending_created_ms = oldest;
      counts->oldest_pending_age_ms = MAX (kiosk_queue_now_ms (queue) - oldest, 0);
    }
  return TRUE;
}

/* queued or created → failed, recorded as damaged, in one transaction. */
static gboolean
mark_damaged (KioskQueue  *queue,
              const char  *reference,
              GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 now = kiosk_queue_now_ms (queue);
  int rc = _kiosk_queue_begin_write (queue);

  if (rc != SQLITE_OK)
    goto failed;
  stmt = _kiosk_queue_statement (queue, "UPDATE applications SET state = 'failed', attempts = attempts + 1, "
                                        "last_error = ?2, updated_ms = ?3 "
                                        "WHERE reference = ?1 AND state IN ('queued','created')", &rc);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, reference, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, _KIOSK_QUEUE_DAMAGED_REASON, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now);
  rc = _kiosk_queue_step_done (stmt);
  if (rc != SQLITE_OK)
    goto failed;
  stmt = _kiosk_queue_statement (queue, "INSERT OR IGNORE INTO damaged_applications (app, damaged_ms, reason) "
                                        "SELECT seq, ?2, ?3 FROM applications WHERE reference = ?1", &rc);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, reference, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_text (stmt, 3, "ciphertext hash mismatch", -1, SQLITE_STATIC);
  rc = _kiosk_queue_step_done (stmt);
  if (rc != SQLITE_OK)
    goto failed;
  rc = _kiosk_queue_commit (queue);
  if (rc != SQLITE_OK)
    goto failed;
  return TRUE;

failed:
  _kiosk_queue_rollback (queue);
  _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_CHANGE);
  return FALSE;
}

/* The seqs of the due applications, from the state index alone (it holds
 * state, created_ms, next_attempt_ms and seq: the pending entries are read
 * and sorted, no row is). */
static int
due_seqs (KioskQueue *queue,
          gint64      now_ms,
          guint       limit,
          GArray     *seqs)
{
  int rc;
  sqlite3_stmt *stmt = _kiosk_queue_statement (queue, "SELECT seq FROM applications "
                                                      "WHERE state IN ('queued','created') AND next_attempt_ms <= ?1 "
                                                      "ORDER BY next_attempt_ms, seq LIMIT ?2", &rc);

  if (stmt == NULL)
    return rc;
  sqlite3_bind_int64 (stmt, 1, now_ms);
  sqlite3_bind_int64 (stmt, 2, limit == 0 ? -1 : (gint64) limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (seqs, seq);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The rows @seqs with their ciphertexts, into @items, or into @damaged
 * when a ciphertext does not match its hash. */
static int
due_items (KioskQueue *queue,
           GArray     *seqs,
           GPtrArray  *items,
           GPtrArray  *damaged)
{
  for (guint i = 0; i < seqs->len; i++)
    {
      gint64 seq = g_array_index (seqs, gint64, i);
      KioskQueueItem *item = NULL;
      gboolean intact = TRUE;
      sqlite3_stmt *stmt;
      int rc;

      stmt = _kiosk_queue_statement (queue, "SELECT " ITEM_COLUMNS " FROM " ITEM_FROM " WHERE a.seq = ?1", &rc);
      if (stmt == NULL)
        return rc;
      sqlite3_bind_int64 (stmt, 1, seq);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        item = item_from_row (stmt, &seq);
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        return rc;
      rc = load_ciphertexts (queue, item, seq, &intact);
      g_ptr_array_add (intact ? items : damaged, item);
      if (rc != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

GPtrArray *
kiosk_queue_take_due (KioskQueue  *queue,
                      gint64       now_ms,
                      guint        limit,
                      GError     **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_queue_item_free);
  g_autoptr(GPtrArray) damaged = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_queue_item_free);
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  g_return_val_if_fail (queue != NULL, NULL);
  g_return_val_if_fail (!queue->read_only, NULL);

  /* First the rows, from the state index alone, then the @limit rows
   * themselves. */
  rc = _kiosk_queue_begin_read (queue);
  if (rc == SQLITE_OK)
    rc = due_seqs (queue, now_ms, limit, seqs);
  if (rc == SQLITE_OK)
    rc = due_items (queue, seqs, items, damaged);
  if (rc == SQLITE_OK)
    rc = _kiosk_queue_commit (queue);
  if (rc != SQLITE_OK)
    {
      _kiosk_queue_rollback (queue);
      _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_READ);
      return NULL;
    }

  /* A ciphertext that no longer matches its hash is never sent: the
   * platform would refuse it (422) or, worse, the authority would get
   * something it cannot decrypt. The application waits for staff. */
  for (guint i = 0; i < damaged->len; i++)
    {
      KioskQueueItem *item = damaged->pdata[i];
      g_autoptr(GError) mark_error = NULL;

      if (!mark_damaged (queue, item->reference, &mark_error))
        g_warning ("A damaged application could not be marked as damaged: %s", mark_error->message);
      g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                        "QUEUE_REFERENCE", item->reference,
                        "MESSAGE", "The stored ciphertext of application %s no longer matches the "
                        "SHA-256 kept when it was stored (damaged on disk); it was not sent and is "
                        "failed now. Ask the citizen to submit it again; see docs/queue.md.",
                        item->reference);
    }
  return g_steal_pointer (&items);
}

/* ---- enqueue ---- */

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
  else if (!_kiosk_queue_looks_like_compact_jwe (submission->metadata_jwe) || !_kiosk_queue_looks_like_compact_jwe (submission->data_jwe))
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
      else if (!_kiosk_queue_looks_like_compact_jwe (a->ciphertext))
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
  sqlite3_stmt *stmt = _kiosk_queue_statement (queue, "SELECT 1 FROM applications WHERE reference = ?1", &rc);

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
          _kiosk_queue_set_sqlite_error (queue, error, -taken, _KIOSK_QUEUE_DID_READ);
          return NULL;
        }
      if (taken == 0)
        return g_steal_pointer (&reference);
    }
}

/* One INSERT of the application's row under @reference. */
static int
insert_application (KioskQueue                 *queue,
                    const KioskQueueSubmission *submission,
                    const char                 *id,
                    const char                 *reference,
                    gint64                      now,
                    const guint8               *digest)
{
  int rc;
  sqlite3_stmt *stmt = _kiosk_queue_statement (queue,
                                               "INSERT INTO applications (id, reference, form_id, form_version, "
                                               "destination_name, destination_id, created_ms, state, attempts, "
                                               "next_attempt_ms, updated_ms, n_attachments, metadata_jwe, data_jwe, "
                                               "ciphertext_sha256) "
                                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', 0, ?7, ?7, ?8, ?9, ?10, ?11)", &rc);

  if (stmt == NULL)
    return rc;
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
  sqlite3_bind_blob (stmt, 11, digest, _KIOSK_QUEUE_HASH_LENGTH, SQLITE_STATIC);
  return _kiosk_queue_step_done (stmt);
}

static int
insert_attachments (KioskQueue                 *queue,
                    const KioskQueueSubmission *submission,
                    gint64                      seq)
{
  for (guint i = 0; i < submission->n_attachments; i++)
    {
      const KioskQueueAttachment *a = submission->attachments[i];
      guint8 attachment_digest[_KIOSK_QUEUE_HASH_LENGTH];
      sqlite3_stmt *stmt;
      int rc;

      _kiosk_queue_ciphertext_hash (a->ciphertext, NULL, attachment_digest);
      stmt = _kiosk_queue_statement (queue, "INSERT INTO attachments (app, position, attachment_id, purpose, "
                                            "mime_type, ciphertext, ciphertext_sha256) "
                                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &rc);
      if (stmt == NULL)
        return rc;
      sqlite3_bind_int64 (stmt, 1, seq);
      sqlite3_bind_int64 (stmt, 2, i);
      sqlite3_bind_text (stmt, 3, a->attachment_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, a->purpose, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, a->mime_type, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, a->ciphertext, -1, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 7, attachment_digest, _KIOSK_QUEUE_HASH_LENGTH, SQLITE_TRANSIENT);
      rc = _kiosk_queue_step_done (stmt);
      if (rc != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

char *
kiosk_queue_enqueue (KioskQueue                 *queue,
                     const KioskQueueSubmission *submission,
                     GError                    **error)
{
  g_autofree char *reference = NULL;
  g_autofree char *id = NULL;
  guint8 digest[_KIOSK_QUEUE_HASH_LENGTH];
  gint64 now;
  int rc;

  g_return_val_if_fail (queue != NULL, NULL);
  g_return_val_if_fail (submission != NULL, NULL);

  if (!check_submission (submission, error))
    return NULL;
  _kiosk_queue_ciphertext_hash (submission->metadata_jwe, submission->data_jwe, digest);

  rc = _kiosk_queue_begin_write (queue);
  if (rc != SQLITE_OK)
    goto failed;

  /* The UNIQUE index on reference decides; no lookup beforehand. */
  reference = submission->reference != NULL ? g_strdup (submission->reference) : kiosk_reference_generate ();
  id = g_uuid_string_random ();
  now = kiosk_queue_now_ms (queue);
  for (;;)
    {
      rc = insert_application (queue, submission, id, reference, now, digest);
      if (rc != SQLITE_CONSTRAINT_UNIQUE
          || strstr (sqlite3_errmsg (queue->db), "applications.reference") == NULL)
        break;
      /* the reference is taken (the statement alone was undone) */
      if (submission->reference != NULL)
        {
          g_autofree char *shown = kiosk_reference_format (submission->reference);

          _kiosk_queue_rollback (queue);
          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_DUPLICATE,
                       _("The reference %s is used already; nothing was stored. Encrypt "
                         "the application again with a new reference."), shown);
          return NULL;
        }
      /* 45 random bits: a collision is rare; take another one */
      g_free (reference);
      reference = kiosk_reference_generate ();
    }
  if (rc == SQLITE_OK)
    rc = insert_attachments (queue, submission, sqlite3_last_insert_rowid (queue->db));
  if (rc == SQLITE_OK)
    rc = _kiosk_queue_commit (queue);
  if (rc == SQLITE_OK)
    return g_steal_pointer (&reference);

failed:
  _kiosk_queue_rollback (queue);
  _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_STORE);
  return NULL;
}
