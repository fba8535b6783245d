/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SQLite helpers of the queue: errors a person can act on, cached
 * statements, transactions, columns and pragmas. */
#define G_LOG_DOMAIN "antragskiosk-queue"

#include "config.h"

#include <errno.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include <antragskiosk/queue.h>
#include "queue-private.h"

/* ---- errors ---- */

static const char *
consequence_text (_KioskQueueConsequence consequence)
{
  switch (consequence)
    {
    case _KIOSK_QUEUE_DID_STORE:
      return _("nothing was stored");
    case _KIOSK_QUEUE_DID_CHANGE:
      return _("nothing was changed");
    case _KIOSK_QUEUE_DID_OPEN:
      return _("the queue was not opened");
    case _KIOSK_QUEUE_DID_READ:
    default:
      return _("nothing could be read");
    }
}

static KioskQueueError
classify (int rc,
          int sys_errno)
{
  if (sys_errno == ENOSPC || sys_errno == EDQUOT)
    return KIOSK_QUEUE_ERROR_FULL;
  if (sys_errno == EROFS || sys_errno == EACCES || sys_errno == EPERM)
    {
      if ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY)
        return KIOSK_QUEUE_ERROR_READ_ONLY;
    }
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return KIOSK_QUEUE_ERROR_FULL;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return KIOSK_QUEUE_ERROR_READ_ONLY;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return KIOSK_QUEUE_ERROR_LOCKED;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return KIOSK_QUEUE_ERROR_CORRUPT;
    case SQLITE_IOERR:
      return KIOSK_QUEUE_ERROR_IO;
    case SQLITE_CANTOPEN:
      return KIOSK_QUEUE_ERROR_OPEN;
    default:
      return KIOSK_QUEUE_ERROR_FAILED;
    }
}

/* Turns an SQLite result code into a GError a person can act on. */
void
_kiosk_queue_set_sqlite_error (KioskQueue              *queue,
                               GError                 **error,
                               int                      rc,
                               _KioskQueueConsequence   consequence)
{
  int sys_errno = queue->db != NULL ? sqlite3_system_errno (queue->db) : 0;
  KioskQueueError code = classify (rc, sys_errno);
  const char *what = consequence_text (consequence);
  const char *detail = sqlite3_errstr (rc);

  /* SQLite often says only "cannot open" (e.g. the -shm file cannot be
   * created): ask the file system whether it is read-only. */
  if ((code == KIOSK_QUEUE_ERROR_OPEN || code == KIOSK_QUEUE_ERROR_IO || code == KIOSK_QUEUE_ERROR_FAILED)
      && access (queue->data_dir, W_OK) != 0 && (errno == EROFS || errno == EACCES))
    code = KIOSK_QUEUE_ERROR_READ_ONLY;

  switch (code)
    {
    case KIOSK_QUEUE_ERROR_FULL:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue’s disk is full; %s. Free space on the file system that "
                     "holds %s, then try again."), what, queue->data_dir);
      break;
    case KIOSK_QUEUE_ERROR_READ_ONLY:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue cannot be written: %s is read-only or not writable for "
                     "this user; %s. Check the file system and the owner of the files there."),
                   queue->data_dir, what);
      break;
    case KIOSK_QUEUE_ERROR_LOCKED:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue is locked by another program and stayed locked for %u ms; "
                     "%s. Try again; if it persists, find the process that holds %s open."),
                   queue->busy_timeout_ms, what, queue->path);
      break;
    case KIOSK_QUEUE_ERROR_CORRUPT:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue file %s is damaged; %s. Run “antragskiosk-ctl queue salvage” "
                     "(the kiosk and antragskiosk-ctl sync also do it when they start): it "
                     "carries every readable application into a fresh queue and keeps the "
                     "damaged file."), queue->path, what);
      break;
    case KIOSK_QUEUE_ERROR_IO:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue’s disk reported an input/output error (%s%s%s); %s. Check "
                     "the disk (kernel log) and try again."),
                   detail, sys_errno != 0 ? ": " : "", sys_errno != 0 ? g_strerror (sys_errno) : "",
                   what);
      break;
    case KIOSK_QUEUE_ERROR_OPEN:
      g_set_error (error, KIOSK_QUEUE_ERROR, code,
                   _("The queue file %s cannot be opened (%s); %s. Check that the directory "
                     "exists and is writable for this user."),
                   queue->path, sys_errno != 0 ? g_strerror (sys_errno) : detail, what);
      break;
    default:
      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_FAILED,
                   _("The queue reported an error (%s); %s."), detail, what);
      break;
    }
}

/* ---- statements ---- */

/* A prepared statement for @sql (a string literal: its address is the
 * key), reset and unbound. */
sqlite3_stmt *
_kiosk_queue_statement (KioskQueue  *queue,
                        const char  *sql,
                        int         *rc_out)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (queue->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      *rc_out = SQLITE_OK;
      return stmt;
    }
  rc = sqlite3_prepare_v3 (queue->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  *rc_out = rc;
  if (rc != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      return NULL;
    }
  g_hash_table_insert (queue->statements, (gpointer) sql, stmt);
  return stmt;
}

void
_kiosk_queue_finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

/* Runs a statement without results; the statement is reset afterwards. */
int
_kiosk_queue_step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int
exec_simple (KioskQueue *queue,
             const char *sql)
{
  int rc;
  sqlite3_stmt *stmt = _kiosk_queue_statement (queue, sql, &rc);

  if (stmt == NULL)
    return rc;
  return _kiosk_queue_step_done (stmt);
}

int
_kiosk_queue_begin_write (KioskQueue *queue)
{
  return exec_simple (queue, "BEGIN IMMEDIATE");
}

int
_kiosk_queue_begin_read (KioskQueue *queue)
{
  return exec_simple (queue, "BEGIN DEFERRED");
}

int
_kiosk_queue_commit (KioskQueue *queue)
{
  return exec_simple (queue, "COMMIT");
}

void
_kiosk_queue_rollback (KioskQueue *queue)
{
  if (!sqlite3_get_autocommit (queue->db))
    {
      int rc = sqlite3_exec (queue->db, "ROLLBACK", NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        g_debug ("ROLLBACK: %s", sqlite3_errstr (rc));
    }
}

gint64
_kiosk_queue_column_ms (sqlite3_stmt *stmt,
                        int           column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, column);
}

char *
_kiosk_queue_column_text (sqlite3_stmt *stmt,
                          int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}
int
_kiosk_queue_exec_pragma (KioskQueue  *queue,
                          const char  *sql,
                          char       **result)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (queue->db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          if (result != NULL)
            *result = _kiosk_queue_column_text (stmt, 0);
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  return rc;
}

int
_kiosk_queue_read_user_version (KioskQueue *queue,
                                gint64     *version)
{
  g_autofree char *text = NULL;
  int rc = _kiosk_queue_exec_pragma (queue, "PRAGMA user_version", &text);

  if (rc == SQLITE_OK)
    *version = text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
  return rc;
}
