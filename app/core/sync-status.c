/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pass lock (one pass at a time per data directory) and the sync
 * record, DATA_DIR/sync-status.json: what the last pass did, for
 * `antragskiosk-ctl status` however many processes sync. */
#define G_LOG_DOMAIN "antragskiosk-sync"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/sync.h>

#include "json-member-private.h"
#include "sync-private.h"

/* The kiosk's own worker and the sync service (antragskiosk-ctl sync) may
 * both run on one data directory; two passes at once would send the same
 * application twice. A pass holds an exclusive flock() on
 * DATA_DIR/sync.lock; the kernel drops it when the process dies. Returns
 * the descriptor, -1 when another process holds the lock (@error unset),
 * or -1 with @error when the lock file cannot be opened. */
int
_kiosk_sync_take_pass_lock (const char  *data_dir,
                            GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, KIOSK_SYNC_LOCK_FILE, NULL);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  int saved;

  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot open the sync lock %s: %s", path, g_strerror (saved));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) == 0)
    return fd;
  saved = errno;
  close (fd);
  if (saved != EWOULDBLOCK)
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                 "cannot lock %s: %s", path, g_strerror (saved));
  return -1;
}

void
kiosk_sync_record_clear (KioskSyncRecord *record)
{
  g_clear_pointer (&record->last_error, g_free);
  g_clear_pointer (&record->program, g_free);
}

static gint64
member_int (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
           ? json_node_get_int (node) : 0;
}

gboolean
kiosk_sync_record_load (const char       *data_dir,
                        KioskSyncRecord  *record,
                        GError          **error)
{
  g_autofree char *path = g_build_filename (data_dir, KIOSK_SYNC_RECORD_FILE, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  JsonObject *object;
  const char *fault;

  memset (record, 0, sizeof *record);
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;  /* no pass yet */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, contents, (gssize) length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s is not a sync record (damaged?); it is rewritten after the next sync pass", path);
      return FALSE;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  record->last_pass_ms = member_int (object, "last_pass_ms");
  record->last_success_ms = member_int (object, "last_success_ms");
  record->sent = (guint64) MAX (member_int (object, "sent"), 0);
  record->failed = (guint64) MAX (member_int (object, "failed"), 0);
  record->pid = (int) member_int (object, "pid");
  record->last_error = g_strdup (kiosk_json_string_member (object, "last_error"));
  record->program = g_strdup (kiosk_json_string_member (object, "program"));
  record->platform_fault = KIOSK_PLATFORM_OK;
  fault = kiosk_json_string_member (object, "platform_fault");
  for (int f = KIOSK_PLATFORM_OK; fault != NULL && f <= KIOSK_PLATFORM_CANCELLED; f++)
    if (strcmp (fault, kiosk_platform_fault_to_string ((KioskPlatformFault) f)) == 0)
      record->platform_fault = (KioskPlatformFault) f;
  return TRUE;
}

void
_kiosk_sync_record_write (const char             *data_dir,
                          gint64                  now,
                          const KioskSyncSummary *summary,
                          gboolean                queue_ok)
{
  g_autofree char *path = g_build_filename (data_dir, KIOSK_SYNC_RECORD_FILE, NULL);
  g_auto(KioskSyncRecord) previous = { 0 };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  gboolean success = queue_ok && summary->platform_fault == KIOSK_PLATFORM_OK;
  /* Which program: the kiosk or the sync service (antragskiosk-ctl). */
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *program = exe != NULL ? g_path_get_basename (exe)
                                         : g_strdup (g_get_prgname () != NULL ? g_get_prgname () : "?");

  kiosk_sync_record_load (data_dir, &previous, NULL);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "last_pass_ms");
  json_builder_add_int_value (builder, now);
  json_builder_set_member_name (builder, "last_success_ms");
  json_builder_add_int_value (builder, success ? now : previous.last_success_ms);
  json_builder_set_member_name (builder, "platform_fault");
  json_builder_add_string_value (builder, kiosk_platform_fault_to_string (summary->platform_fault));
  json_builder_set_member_name (builder, "last_error");
  if (summary->last_error != NULL)
    json_builder_add_string_value (builder, summary->last_error);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "sent");
  json_builder_add_int_value (builder, (gint64) summary->sent);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_int_value (builder, (gint64) summary->failed);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, getpid ());
  json_builder_set_member_name (builder, "program");
  json_builder_add_string_value (builder, program);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  /* Replaced atomically (rename); no fsync: losing the last record in a
   * power cut costs nothing but one line of status. */
  if (!g_file_set_contents_full (path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_message ("sync: cannot write %s: %s", path, error->message);
}

