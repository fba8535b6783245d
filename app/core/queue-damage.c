/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Damage records (queue-damage): written by a salvage, read by
 * monitoring, renamed when staff acknowledge them. */
#define G_LOG_DOMAIN "antragskiosk-queue"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include <antragskiosk/file.h>
#include <antragskiosk/queue.h>
#include "queue-private.h"

#define MAX_DAMAGE_RECORD (1024 * 1024)

/* ---- damage records ---- */

void
kiosk_queue_salvage_free (KioskQueueSalvage *salvage)
{
  if (salvage == NULL)
    return;
  g_free (salvage->kept_path);
  g_free (salvage->problem);
  g_free (salvage);
}

gboolean
_kiosk_queue_append_damage_record (const char               *data_dir,
                                   const KioskQueueSalvage  *salvage,
                                   const char               *group,
                                   GError                  **error)
{
  g_autofree char *path = g_build_filename (data_dir, _KIOSK_QUEUE_DAMAGE_RECORD_NAME, NULL);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;
  gsize length = 0;

  if (kiosk_file_read (path, MAX_DAMAGE_RECORD, &contents, &length, NULL))
    g_key_file_load_from_data (keyfile, contents, length, G_KEY_FILE_NONE, NULL);
  g_key_file_set_int64 (keyfile, group, "time_ms", salvage->time_ms);
  g_key_file_set_string (keyfile, group, "kept_file", salvage->kept_path);
  g_key_file_set_string (keyfile, group, "problem", salvage->problem != NULL ? salvage->problem : "");
  g_key_file_set_uint64 (keyfile, group, "saved", salvage->saved);
  g_key_file_set_uint64 (keyfile, group, "damaged", salvage->damaged);
  g_key_file_set_uint64 (keyfile, group, "lost", salvage->lost);
  g_key_file_set_uint64 (keyfile, group, "attachments_lost", salvage->attachments_lost);
  g_key_file_set_boolean (keyfile, group, "unknown_rest", salvage->unknown_rest);
  g_free (contents);
  contents = g_key_file_to_data (keyfile, &length, NULL);
  if (!g_file_set_contents_full (path, contents, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT
                                 | G_FILE_SET_CONTENTS_DURABLE, 0600, &local))
    {
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_READ_ONLY,
                   _("The damage record %s cannot be written (%s); the damaged queue was left as it "
                     "was. Check that %s is writable and has space."), path, local->message, data_dir);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
kiosk_queue_damage_load (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, _KIOSK_QUEUE_DAMAGE_RECORD_NAME, NULL);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_queue_salvage_free);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!kiosk_file_read (path, MAX_DAMAGE_RECORD, &contents, &length, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        goto unreadable;
      return g_steal_pointer (&records);
    }
  if (!g_key_file_load_from_data (keyfile, contents, length, G_KEY_FILE_NONE, &error))
    goto unreadable;
  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      KioskQueueSalvage *record = g_new0 (KioskQueueSalvage, 1);

      record->time_ms = g_key_file_get_int64 (keyfile, groups[i], "time_ms", NULL);
      record->kept_path = g_key_file_get_string (keyfile, groups[i], "kept_file", NULL);
      record->problem = g_key_file_get_string (keyfile, groups[i], "problem", NULL);
      record->saved = g_key_file_get_uint64 (keyfile, groups[i], "saved", NULL);
      record->damaged = g_key_file_get_uint64 (keyfile, groups[i], "damaged", NULL);
      record->lost = g_key_file_get_uint64 (keyfile, groups[i], "lost", NULL);
      record->attachments_lost = g_key_file_get_uint64 (keyfile, groups[i], "attachments_lost", NULL);
      record->unknown_rest = g_key_file_get_boolean (keyfile, groups[i], "unknown_rest", NULL);
      g_ptr_array_add (records, record);
    }
  if (records->len == 0)
    {
      g_set_error (&error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND, "it holds no record");
      goto unreadable;
    }
  return g_steal_pointer (&records);

unreadable:
  {
    KioskQueueSalvage *record = g_new0 (KioskQueueSalvage, 1);

    record->problem = g_strdup_printf ("the damage record %s cannot be read (%s); look at it and at the "
                                       "queue.db.damaged-* files in %s, then run antragskiosk-ctl queue "
                                       "acknowledge", path, error->message, data_dir);
    record->unknown_rest = TRUE;
    g_ptr_array_set_size (records, 0);
    g_ptr_array_add (records, record);
    return g_steal_pointer (&records);
  }
}

/* Marks the damaged applications of @queue as acknowledged, in one
 * transaction; *@n_applications gets how many. */
static gboolean
acknowledge_applications (KioskQueue  *queue,
                          guint64     *n_applications,
                          GError     **error)
{
  sqlite3_stmt *stmt;
  int rc = _kiosk_queue_begin_write (queue);

  if (rc != SQLITE_OK)
    goto failed;
  stmt = _kiosk_queue_statement (queue, "UPDATE damaged_applications SET acknowledged_ms = ?1 "
                                        "WHERE acknowledged_ms IS NULL", &rc);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, kiosk_queue_now_ms (queue));
  rc = _kiosk_queue_step_done (stmt);
  if (rc != SQLITE_OK)
    goto failed;
  *n_applications = (guint64) sqlite3_changes (queue->db);
  rc = _kiosk_queue_commit (queue);
  if (rc != SQLITE_OK)
    goto failed;
  return TRUE;

failed:
  _kiosk_queue_rollback (queue);
  _kiosk_queue_set_sqlite_error (queue, error, rc, _KIOSK_QUEUE_DID_CHANGE);
  return FALSE;
}

gboolean
kiosk_queue_damage_acknowledge (const char  *data_dir,
                                KioskQueue  *queue,
                                guint       *n_records,
                                guint64     *n_applications,
                                GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, _KIOSK_QUEUE_DAMAGE_RECORD_NAME, NULL);
  g_autoptr(GPtrArray) records = kiosk_queue_damage_load (data_dir);
  guint64 applications = 0;

  g_return_val_if_fail (data_dir != NULL, FALSE);

  if (queue != NULL && !acknowledge_applications (queue, &applications, error))
    return FALSE;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
      g_autofree char *base = g_strconcat (path, ".acknowledged", NULL);
      g_autofree char *target = _kiosk_queue_unique_name (base, stamp);

      if (g_rename (path, target) != 0)
        {
          int saved = errno;

          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_READ_ONLY,
                       _("The damage record %s cannot be renamed (%s); nothing was acknowledged. "
                         "Check that %s is writable for this user."), path, g_strerror (saved), data_dir);
          return FALSE;
        }
      _kiosk_queue_sync_directory (data_dir);
    }
  else
    g_ptr_array_set_size (records, 0);
  if (n_records != NULL)
    *n_records = records->len;
  if (n_applications != NULL)
    *n_applications = applications;
  return TRUE;
}

char *
kiosk_queue_describe_damage (const char             *data_dir,
                             const KioskQueueCounts *counts)
{
  g_autoptr(GPtrArray) records = kiosk_queue_damage_load (data_dir);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    {
      const KioskQueueSalvage *record = records->pdata[i];
      g_autoptr(GDateTime) time = record->time_ms > 0 ? g_date_time_new_from_unix_utc (record->time_ms / 1000) : NULL;
      g_autofree char *when = time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M UTC") : NULL;

      if (text->len > 0)
        g_string_append_c (text, ' ');
      if (record->kept_path == NULL)
        {
          g_string_append (text, record->problem);
          g_string_append_c (text, '.');
          continue;
        }
      g_string_append_printf (text, "The queue file was damaged%s%s (%s) and was salvaged: %" G_GUINT64_FORMAT
                              " application%s saved, %" G_GUINT64_FORMAT " damaged (never sent), %"
                              G_GUINT64_FORMAT " lost%s%s; the damaged file is kept at %s.",
                              when != NULL ? " on " : "", when != NULL ? when : "",
                              record->problem != NULL ? record->problem : "no detail",
                              record->saved, record->saved == 1 ? "" : "s", record->damaged, record->lost,
                              record->unknown_rest ? " or more (part of the file could not be read)" : "",
                              record->attachments_lost > 0 ? ", attachments lost too" : "",
                              record->kept_path);
    }
  if (counts != NULL && counts->damaged_unacknowledged > 0)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_printf (text, "%" G_GUINT64_FORMAT " stored application%s %s a damaged ciphertext and "
                              "cannot be sent; the citizen%s must submit again (antragskiosk-ctl queue "
                              "list --state failed).",
                              counts->damaged_unacknowledged, counts->damaged_unacknowledged == 1 ? "" : "s",
                              counts->damaged_unacknowledged == 1 ? "has" : "have",
                              counts->damaged_unacknowledged == 1 ? "" : "s");
    }
  if (text->len == 0)
    return NULL;
  g_string_append (text, " When this has been dealt with, run antragskiosk-ctl queue acknowledge.");
  return g_string_free (g_steal_pointer (&text), FALSE);
}
