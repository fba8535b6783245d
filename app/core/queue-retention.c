/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Retention: the [queue] settings and the purge of ciphertexts and tombstones. */
#define G_LOG_DOMAIN "antragskiosk-queue"

#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include <antragskiosk/queue.h>
#include "queue-private.h"
#include "config-groups.h"

#define DAY_MS ((gint64) 24 * 60 * 60 * 1000)

/* ---- retention ---- */

void
kiosk_queue_retention_init (KioskQueueRetention *retention)
{
  retention->purge_after = KIOSK_QUEUE_STATE_ACCEPTED;
  retention->keep_days = 0;
  retention->tombstone_days = 90;
}

static gboolean
read_days (GKeyFile    *keyfile,
           const char  *key,
           guint       *days,
           GError     **error)
{
  g_autoptr(GError) local = NULL;
  gint64 value;

  if (!g_key_file_has_key (keyfile, "queue", key, NULL))
    return TRUE;
  value = g_key_file_get_int64 (keyfile, "queue", key, &local);
  if (local != NULL || value < 0 || value > 36500)
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID,
                   _("[queue] %s must be a number of days from 0 to 36500."), key);
      return FALSE;
    }
  *days = (guint) value;
  return TRUE;
}

gboolean
kiosk_queue_retention_from_keyfile (GKeyFile            *keyfile,
                                    KioskQueueRetention *retention,
                                    GError             **error)
{
  KioskQueueRetention result;

  kiosk_queue_retention_init (&result);
  if (keyfile != NULL && g_key_file_has_group (keyfile, "queue"))
    {
      g_autofree char *after = g_key_file_get_string (keyfile, "queue", "purge_after", NULL);

      if (after != NULL)
        {
          g_strstrip (after);
          if (strcmp (after, "submitted") == 0)
            result.purge_after = KIOSK_QUEUE_STATE_SUBMITTED;
          else if (strcmp (after, "accepted") == 0)
            result.purge_after = KIOSK_QUEUE_STATE_ACCEPTED;
          else
            {
              g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID,
                           _("[queue] purge_after must be “submitted” or “accepted”."));
              return FALSE;
            }
        }
      if (!read_days (keyfile, "keep_days", &result.keep_days, error)
          || !read_days (keyfile, "tombstone_days", &result.tombstone_days, error))
        return FALSE;
    }
  *retention = result;
  return TRUE;
}

/* The SELECT of the rows to purge and the UPDATE that purges them, for
 * @purge_after (?1 = cutoff, ?2 = now). */
static void
purge_statements (KioskQueueState   purge_after,
                  const char      **select_sql,
                  const char      **update_sql)
{
  if (purge_after == KIOSK_QUEUE_STATE_SUBMITTED)
    {
      *select_sql = "SELECT seq FROM applications WHERE purged_ms IS NULL "
                    "AND state IN ('submitted','accepted','rejected','deleted') AND submitted_ms <= ?1";
      *update_sql = "UPDATE applications SET purged_ms = ?2, updated_ms = ?2, metadata_jwe = NULL, "
                    "data_jwe = NULL, ciphertext_sha256 = NULL WHERE purged_ms IS NULL "
                    "AND state IN ('submitted','accepted','rejected','deleted') AND submitted_ms <= ?1";
    }
  else
    {
      *select_sql = "SELECT seq FROM applications WHERE purged_ms IS NULL "
                    "AND state IN ('accepted','rejected','deleted') AND decided_ms <= ?1";
      *update_sql = "UPDATE applications SET purged_ms = ?2, updated_ms = ?2, metadata_jwe = NULL, "
                    "data_jwe = NULL, ciphertext_sha256 = NULL WHERE purged_ms IS NULL "
                    "AND state IN ('accepted','rejected','deleted') AND decided_ms <= ?1";
    }
}

/* Deletes the attachments of the rows @select_sql chooses. */
static int
purge_attachments (KioskQueue *queue,
                   const char *select_sql,
                   gint64      cutoff)
{
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  stmt = _kiosk_queue_statement (queue, select_sql, &rc);
  if (stmt == NULL)
    return rc;
  sqlite3_bind_int64 (stmt, 1, cutoff);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (seqs, seq);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rc;

  for (guint i = 0; i < seqs->len; i++)
    {
      stmt = _kiosk_queue_statement (queue, "DELETE FROM attachments WHERE app = ?1", &rc);
      if (stmt == NULL)
        return rc;
      sqlite3_bind_int64 (stmt, 1, g_array_index (seqs, gint64, i));
      rc = _kiosk_queue_step_done (stmt);
      if (rc != SQLITE_OK)
        return rc;
    }
  return SQLITE_OK;
}

/* Runs @sql with ?1 = @cutoff (and ?2 = @now when it has it); *@changed
 * gets the number of rows it changed. */
static int
purge_run (KioskQueue *queue,
           const char *sql,
           gint64      cutoff,
           gint64      now,
           guint      *changed)
{
  int rc;
  sqlite3_stmt *stmt = _kiosk_queue_statement (queue, sql, &rc);

  if (stmt == NULL)
    return rc;
  sqlite3_bind_int64 (stmt, 1, cutoff);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, now);
  rc = _kiosk_queue_step_done (stmt);
  if (rc == SQLITE_OK)
    *changed = (guint) sqlite3_changes (queue->db);
  return rc;
}

gboolean
kiosk_queue_purge (KioskQueue                *queue,
                   const KioskQueueRetention *retention,
                   guint                     *n_purged,
                   guint                     *n_deleted,
                   GError                   **error)
{
  KioskQueueRetention defaults;
  const char *select_sql;
  const char *update_sql;
  gint64 now, cutoff, tombstone_cutoff;
  int rc;
  guint purged = 0, deleted = 0;

  g_return_val_if_fail (queue != NULL, FALSE);

  if (retention == NULL)
    {
      kiosk_queue_retention_init (&defaults);
      retention = &defaults;
    }
  if (retention->purge_after != KIOSK_QUEUE_STATE_SUBMITTED
      && retention->purge_after != KIOSK_QUEUE_STATE_ACCEPTED)
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_INVALID,
                   _("Ciphertexts can be purged after “submitted” or “accepted” only; nothing was changed."));
      return FALSE;
    }

  now = kiosk_queue_now_ms (queue);
  cutoff = now - (gint64) retention->keep_days * DAY_MS;
  tombstone_cutoff = now - (gint64) retention->tombstone_days * DAY_MS;
  purge_statements (retention->purge_after, &select_sql, &update_sql);

  rc = _kiosk_queue_begin_write (queue);
  if (rc == SQLITE_OK)
    rc = purge_attachments (queue, select_sql, cutoff);
  if (rc == SQLITE_OK)
    rc = purge_run (queue, update_sql, cutoff, now, &purged);
  /* The tombstone goes with its row; ON DELETE CASCADE would take any
   * leftover child rows too. */
  if (rc == SQLITE_OK)
    rc = purge_run (queue, "DELETE FROM applications WHERE purged_ms IS NOT NULL AND purged_ms <= ?1",
                    tombstone_cutoff, now, &deleted);
  if (rc == SQLITE_OK)
    rc = _kiosk_queue_commit (queue);
  if (rc != SQLITE_OK)
    {
      _kiosk_queue_rollback (queue);
      _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_CHANGE);
      return FALSE;
    }

  g_debug ("Queue retention: %u ciphertexts purged, %u tombstones deleted", purged, deleted);
  if (n_purged != NULL)
    *n_purged = purged;
  if (n_deleted != NULL)
    *n_deleted = deleted;
  return TRUE;
}

/* [queue]: retention (docs/queue.md). */
void
kiosk_queue_check_config (KioskConfigCheck *check,
                          const char       *group)
{
  static const char *const queue_keys[] = { "purge_after", "keep_days", "tombstone_days", NULL };

  kiosk_config_check_unknown_keys (check, group, queue_keys, NULL);
  g_free (kiosk_config_check_choice (check, group, "purge_after",
                                     (const char *const[]) { "submitted", "accepted", NULL }));
  for (gsize i = 1; queue_keys[i] != NULL; i++)
    {
      guint days;

      kiosk_config_check_number (check, group, queue_keys[i], 0, 36500, " of days", &days);
    }
}
