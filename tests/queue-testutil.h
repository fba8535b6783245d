/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the queue's test programs (test-queue, test-queue-migrate,
 * test-queue-damage, test-queue-faults): the log capture, a fixed clock,
 * temporary directories, enqueueing fake ciphertexts (queue-fake.h) and
 * checking them, plain SQLite connections to the file. Each program calls
 * queue_test_init() first. */

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include <antragskiosk/queue.h>

#include "queue-fake.h"

#define DESTINATION_ID "d2a7c9e0-3f4b-4c1d-9e8f-0a1b2c3d4e5f"
#define SUBMISSION_ID  "5bd2cbd1-4bc1-4e3e-a0d4-8d3f0a4a2b11"
#define CASE_ID        "8c8b6a5e-3c3e-4a52-9a2b-8f1b3b7c2d44"
#define DAY_MS         ((gint64) 86400000)

/* ---- log capture: the queue warns (structured) about corrupt files ---- */

static guint corrupt_warnings;
static guint damaged_warnings;   /* a ciphertext that no longer matches its hash */

static inline GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL, *moved = NULL, *damaged_reference = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (strcmp (fields[i].key, "QUEUE_KEPT_AS") == 0)
        moved = fields[i].value;
      else if (strcmp (fields[i].key, "QUEUE_REFERENCE") == 0)
        damaged_reference = fields[i].value;
    }
  if ((log_level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "antragskiosk-queue") == 0
      && damaged_reference != NULL)
    {
      damaged_warnings++;
      return G_LOG_WRITER_HANDLED;
    }
  if ((log_level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "antragskiosk-queue") == 0 && moved != NULL)
    {
      corrupt_warnings++;
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* The VFS of the plain connections (raw_int() and friends): SQLite's
 * default as the program starts, before test-queue-faults wraps it. */
static sqlite3_vfs *real_vfs;

/* ---- helpers ---- */

static gint64 fake_now = 1767225600000; /* 2026-01-01T00:00:00Z */

static inline gint64
fake_clock (gpointer user_data)
{
  return fake_now;
}

static inline char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("queue-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static inline void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

static inline KioskQueue *
open_queue (const char *dir)
{
  g_autoptr(GError) error = NULL;
  KioskQueue *queue = kiosk_queue_open (dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (queue);
  kiosk_queue_set_clock (queue, fake_clock, NULL);
  return queue;
}

/* Enqueues one application whose ciphertexts are queue_fake_jwe (ref, …)
 * and, with @with_attachment, one attachment. Returns the reference. */
static inline char *
enqueue_fake (KioskQueue  *queue,
              gboolean     with_attachment,
              GError     **error)
{
  g_autofree char *reference = kiosk_queue_new_reference (queue, error);
  g_autofree char *metadata = NULL;
  g_autofree char *data = NULL;
  g_autofree char *attachment_ct = NULL;
  g_autoptr(KioskQueueAttachment) attachment = NULL;
  const KioskQueueAttachment *attachments[1];
  KioskQueueSubmission submission = { 0 };

  if (reference == NULL)
    return NULL;
  metadata = queue_fake_jwe (reference, "metadata", 1200);
  data = queue_fake_jwe (reference, "data", 4096);
  submission.reference = reference;
  submission.form_id = "anwohnerparken";
  submission.form_version = "2.1.0";
  submission.destination_name = "strassenverkehrsamt";
  submission.destination_id = DESTINATION_ID;
  submission.metadata_jwe = metadata;
  submission.data_jwe = data;
  if (with_attachment)
    {
      attachment_ct = queue_fake_jwe (reference, "attachment", 2048);
      attachment = kiosk_queue_attachment_new ("0f8fad5b-d9cb-469f-a165-70867728950e", "form",
                                               "application/pdf", attachment_ct);
      attachments[0] = attachment;
      submission.attachments = attachments;
      submission.n_attachments = 1;
    }
  return kiosk_queue_enqueue (queue, &submission, error);
}

static inline void
assert_intact (KioskQueue *queue,
               GPtrArray  *references)
{
  g_autoptr(GError) error = NULL;
  KioskQueueCounts counts;

  g_assert_true (kiosk_queue_check (queue, &error));
  g_assert_no_error (error);
  g_assert_true (kiosk_queue_get_counts (queue, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.total, ==, references->len);

  for (guint i = 0; i < references->len; i++)
    {
      const char *reference = references->pdata[i];
      g_autoptr(KioskQueueItem) item = kiosk_queue_get (queue, reference, &error);
      g_autofree char *metadata = queue_fake_jwe (reference, "metadata", 1200);
      g_autofree char *data = queue_fake_jwe (reference, "data", 4096);

      g_assert_no_error (error);
      g_assert_cmpstr (item->metadata_jwe, ==, metadata);
      g_assert_cmpstr (item->data_jwe, ==, data);
    }
}

/* A statement's single integer result through a separate, plain SQLite
 * connection (the real VFS). */
static inline gint64
raw_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, real_vfs->zName), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static inline char *
raw_text (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, real_vfs->zName), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static inline KioskQueueState
state_of (KioskQueue *queue,
          const char *reference)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueueItem) item = kiosk_queue_get (queue, reference, &error);

  g_assert_no_error (error);
  return item->state;
}

/* What every queue test program does first: GTest, the log capture, the
 * real VFS. */
static inline void
queue_test_init (int    *argc,
                 char ***argv)
{
  g_test_init (argc, argv, NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);
  real_vfs = sqlite3_vfs_find (NULL);
}
