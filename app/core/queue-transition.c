/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The queue's state changes: one edge of the state diagram per call. */
#define G_LOG_DOMAIN "antragskiosk-queue"

#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include <antragskiosk/queue.h>
#include <antragskiosk/reference.h>
#include "queue-private.h"

#define MAX_ERROR_TEXT 1000

/* ---- transitions ---- */

#define FROM(s) (1u << (s))

/* One edge of the state diagram: the states it starts from, the name of
 * its target for messages, and the UPDATE, with ?1 = seq, ?2 = now,
 * ?3 = text1, ?4 = text2, ?5 = number. */
typedef struct {
  guint       from_mask;
  const char *target;
  const char *update;
} Edge;

static const Edge edge_created = {
  FROM (KIOSK_QUEUE_STATE_QUEUED), "created",
  "UPDATE applications SET state = 'created', submission_id = ?3, case_id = ?4, "
  "platform_created_ms = ?2, updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_submitted = {
  FROM (KIOSK_QUEUE_STATE_CREATED), "submitted",
  "UPDATE applications SET state = 'submitted', submitted_ms = ?2, "
  "last_error = NULL, updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_accepted = {
  FROM (KIOSK_QUEUE_STATE_SUBMITTED), "accepted",
  "UPDATE applications SET state = 'accepted', decided_ms = ?2, updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_rejected = {
  FROM (KIOSK_QUEUE_STATE_SUBMITTED), "rejected",
  "UPDATE applications SET state = 'rejected', decided_ms = ?2, last_error = ?3, "
  "updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_deleted = {
  FROM (KIOSK_QUEUE_STATE_SUBMITTED), "deleted",
  "UPDATE applications SET state = 'deleted', decided_ms = ?2, last_error = ?3, "
  "updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_failed = {
  FROM (KIOSK_QUEUE_STATE_QUEUED) | FROM (KIOSK_QUEUE_STATE_CREATED), "failed",
  "UPDATE applications SET state = 'failed', attempts = attempts + 1, last_error = ?3, "
  "updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_restart = {
  FROM (KIOSK_QUEUE_STATE_CREATED), "queued",
  "UPDATE applications SET state = 'queued', submission_id = NULL, case_id = NULL, "
  "platform_created_ms = NULL, next_attempt_ms = ?2, updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_schedule_retry = {
  FROM (KIOSK_QUEUE_STATE_QUEUED) | FROM (KIOSK_QUEUE_STATE_CREATED), "retried",
  "UPDATE applications SET attempts = attempts + 1, next_attempt_ms = ?5, last_error = ?3, "
  "updated_ms = ?2 WHERE seq = ?1",
};
static const Edge edge_retry = {
  FROM (KIOSK_QUEUE_STATE_FAILED), "queued",
  "UPDATE applications SET state = 'queued', attempts = 0, next_attempt_ms = ?2, "
  "submission_id = NULL, case_id = NULL, platform_created_ms = NULL, updated_ms = ?2 "
  "WHERE seq = ?1",
};

/* The application @canonical: its seq, state and whether it is damaged.
 * SQLITE_OK (*@found says whether there is one) or the error. */
static int
find_application (KioskQueue      *queue,
                  const char      *canonical,
                  gboolean        *found,
                  gint64          *seq,
                  KioskQueueState *state,
                  gboolean        *damaged)
{
  int rc;
  sqlite3_stmt *stmt = _kiosk_queue_statement (queue, "SELECT a.seq, a.state, d.damaged_ms FROM applications a "
                                                      "LEFT JOIN damaged_applications d ON d.app = a.seq WHERE a.reference = ?1", &rc);

  if (stmt == NULL)
    return rc;
  sqlite3_bind_text (stmt, 1, canonical, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *found = TRUE;
      *seq = sqlite3_column_int64 (stmt, 0);
      kiosk_queue_state_from_string ((const char *) sqlite3_column_text (stmt, 1), state);
      *damaged = sqlite3_column_type (stmt, 2) != SQLITE_NULL;
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* TRUE when @edge may not be taken from @state (or a damaged application
 * retried): the transaction is rolled back and @error set. */
static gboolean
edge_refused (KioskQueue       *queue,
              const char       *canonical,
              const Edge       *edge,
              KioskQueueState   state,
              gboolean          damaged,
              GError          **error)
{
  g_autofree char *shown = NULL;

  if (damaged && edge == &edge_retry)
    {
      shown = kiosk_reference_format (canonical);
      _kiosk_queue_rollback (queue);
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_STATE,
                   _("The application %s is damaged on disk and can never be sent; nothing was "
                     "changed. Ask the citizen to submit it again."), shown);
      return TRUE;
    }
  if (!(edge->from_mask & FROM (state)))
    {
      shown = kiosk_reference_format (canonical);
      _kiosk_queue_rollback (queue);
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_STATE,
                   _("The application %s is %s; it cannot become %s. Nothing was changed."),
                   shown, kiosk_queue_state_to_string (state), edge->target);
      return TRUE;
    }
  return FALSE;
}

/* Runs the edge's UPDATE for row @seq. */
static int
run_edge (KioskQueue *queue,
          const Edge *edge,
          gint64      seq,
          const char *text1,
          const char *text2,
          gint64      number)
{
  gint64 now = kiosk_queue_now_ms (queue);
  int rc, n_params;
  sqlite3_stmt *stmt = _kiosk_queue_statement (queue, edge->update, &rc);

  if (stmt == NULL)
    return rc;
  n_params = sqlite3_bind_parameter_count (stmt);
  sqlite3_bind_int64 (stmt, 1, seq);
  if (n_params >= 2)
    sqlite3_bind_int64 (stmt, 2, now);
  if (n_params >= 3)
    sqlite3_bind_text (stmt, 3, text1, -1, SQLITE_STATIC);
  if (n_params >= 4)
    sqlite3_bind_text (stmt, 4, text2, -1, SQLITE_STATIC);
  if (n_params >= 5)
    sqlite3_bind_int64 (stmt, 5, number);
  return _kiosk_queue_step_done (stmt);
}

/* Moves the application @reference along @edge in one transaction: checks
 * that its state is one the edge starts from, then runs the edge's UPDATE. */
static gboolean
transition (KioskQueue  *queue,
            const char  *reference,
            const Edge  *edge,
            const char  *text1,
            const char  *text2,
            gint64       number,
            GError     **error)
{
  g_autofree char *canonical = NULL;
  KioskQueueState state = KIOSK_QUEUE_STATE_FAILED;
  gboolean found = FALSE, damaged = FALSE;
  gint64 seq = 0;
  int rc;

  g_return_val_if_fail (queue != NULL, FALSE);

  canonical = _kiosk_queue_canonical_reference (reference, error);
  if (canonical == NULL)
    return FALSE;

  rc = _kiosk_queue_begin_write (queue);
  if (rc == SQLITE_OK)
    rc = find_application (queue, canonical, &found, &seq, &state, &damaged);
  if (rc == SQLITE_OK && !found)
    {
      _kiosk_queue_rollback (queue);
      _kiosk_queue_set_not_found (error, canonical);
      return FALSE;
    }
  if (rc == SQLITE_OK && edge_refused (queue, canonical, edge, state, damaged, error))
    return FALSE;
  if (rc == SQLITE_OK)
    rc = run_edge (queue, edge, seq, text1, text2, number);
  if (rc == SQLITE_OK)
    rc = _kiosk_queue_commit (queue);
  if (rc != SQLITE_OK)
    {
      _kiosk_queue_rollback (queue);
      _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_CHANGE);
      return FALSE;
    }
  return TRUE;
}

static char *
clip_error_text (const char *text)
{
  const char *end;

  if (text == NULL)
    return NULL;
  if (strlen (text) <= MAX_ERROR_TEXT)
    return g_utf8_make_valid (text, -1);
  end = g_utf8_find_prev_char (text, text + MAX_ERROR_TEXT);
  return g_utf8_make_valid (text, end != NULL ? end - text : 0);
}

gboolean
kiosk_queue_mark_created (KioskQueue  *queue,
                          const char  *reference,
                          const char  *submission_id,
                          const char  *case_id,
                          GError     **error)
{
  if (submission_id == NULL || case_id == NULL
      || !g_uuid_string_is_valid (submission_id) || !g_uuid_string_is_valid (case_id))
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID,
                   _("The platform’s submission id or case id is not a UUID; nothing was changed."));
      return FALSE;
    }
  return transition (queue, reference, &edge_created, submission_id, case_id, 0, error);
}

gboolean
kiosk_queue_mark_submitted (KioskQueue *queue, const char *reference, GError **error)
{
  return transition (queue, reference, &edge_submitted, NULL, NULL, 0, error);
}

gboolean
kiosk_queue_mark_accepted (KioskQueue *queue, const char *reference, GError **error)
{
  return transition (queue, reference, &edge_accepted, NULL, NULL, 0, error);
}

/* @edge with @reason (may be NULL, clipped) as last_error. */
static gboolean
transition_with_reason (KioskQueue  *queue,
                        const char  *reference,
                        const Edge  *edge,
                        const char  *reason,
                        GError     **error)
{
  g_autofree char *clipped = clip_error_text (reason);

  return transition (queue, reference, edge, clipped, NULL, 0, error);
}

gboolean
kiosk_queue_mark_rejected (KioskQueue *queue, const char *reference, const char *reason, GError **error)
{
  return transition_with_reason (queue, reference, &edge_rejected, reason, error);
}

gboolean
kiosk_queue_mark_deleted (KioskQueue *queue, const char *reference, const char *reason, GError **error)
{
  return transition_with_reason (queue, reference, &edge_deleted, reason, error);
}

gboolean
kiosk_queue_mark_failed (KioskQueue  *queue,
                         const char  *reference,
                         const char  *reason,
                         GError     **error)
{
  g_autofree char *clipped = clip_error_text (reason);

  if (clipped == NULL || *clipped == '\0')
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID,
                   _("A failed application needs a reason; nothing was changed."));
      return FALSE;
    }
  return transition (queue, reference, &edge_failed, clipped, NULL, 0, error);
}

gboolean
kiosk_queue_restart (KioskQueue *queue, const char *reference, GError **error)
{
  return transition (queue, reference, &edge_restart, NULL, NULL, 0, error);
}

gboolean
kiosk_queue_schedule_retry (KioskQueue  *queue,
                            const char  *reference,
                            gint64       next_attempt_ms,
                            const char  *error_text,
                            GError     **error)
{
  g_autofree char *clipped = clip_error_text (error_text);

  return transition (queue, reference, &edge_schedule_retry, clipped, NULL, next_attempt_ms, error);
}

gboolean
kiosk_queue_retry (KioskQueue *queue, const char *reference, GError **error)
{
  return transition (queue, reference, &edge_retry, NULL, NULL, 0, error);
}
