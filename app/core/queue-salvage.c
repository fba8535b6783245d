/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The row-by-row salvage of a damaged queue file into a fresh queue. */
#define G_LOG_DOMAIN "antragskiosk-queue"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include <antragskiosk/queue.h>
#include <antragskiosk/reference.h>
#include "queue-private.h"

#define SALVAGE_LOCK_NAME "queue.salvage-lock"

/* ---- salvage of a damaged file ---- */

/* NULL when the file at @path is an SQLite database that passes
 * integrity_check; otherwise what is wrong (no content, only pages and
 * tables). Opened read-only: nothing is changed. */
static char *
file_problem (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *problem = NULL;
  int rc;

  if (!_kiosk_queue_has_sqlite_header (path))
    return g_strdup ("not an SQLite database");
  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check(1)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          const char *result = (const char *) sqlite3_column_text (stmt, 0);

          if (result == NULL || strcmp (result, "ok") != 0)
            problem = g_strndup (result != NULL ? result : "no result", 200);
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK && rc != SQLITE_DONE && problem == NULL)
    problem = g_strdup (sqlite3_errstr (rc));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return problem;
}

typedef struct {
  sqlite3           *src;
  sqlite3_stmt      *next;      /* seq of the next row at or after ?1 */
  sqlite3_stmt      *row;       /* one row by seq */
  sqlite3_stmt      *attachments;
  sqlite3_stmt      *damage;    /* schema 4: its damaged_applications row */
  gboolean           has_hash;
  KioskQueue        *fresh;
  KioskQueueSalvage *result;
  GHashTable        *attempted;  /* seq (gint64 *) → itself */
  gint64             found_max;  /* the highest seq of a row that could be read */
  gint64             known_max;  /* … or that an index knows */
  GHashTable        *unreadable; /* seq (gint64 *) of ids whose read failed */
} Salvager;

static const char salvage_row_columns[] =
  "seq, id, reference, form_id, form_version, destination_name, destination_id, created_ms, "
  "state, attempts, next_attempt_ms, submission_id, case_id, platform_created_ms, submitted_ms, "
  "decided_ms, last_error, updated_ms, purged_ms, n_attachments, metadata_jwe, data_jwe";
#define SALVAGE_N_ROW_COLUMNS 22

static const char *
value_text (sqlite3_value *value)
{
  return sqlite3_value_type (value) == SQLITE_TEXT ? (const char *) sqlite3_value_text (value) : NULL;
}

static gboolean
valid_state_name (const char *name)
{
  return kiosk_queue_state_from_string (name, NULL);
}

/* One row of the damaged file on its way into the fresh queue. */
typedef struct {
  gint64          seq;
  sqlite3_value  *values[SALVAGE_N_ROW_COLUMNS + 1];
  int             n_columns;
  GPtrArray      *attachments;      /* sqlite3_value *, width per attachment */
  guint           width;            /* columns read per attachment */
  char           *reason;           /* why it is damaged, or NULL */
  const char     *state;
  gboolean        pending;
  gboolean        purged;
  gint64          n_attachments;
  gint64          damaged_ms;       /* a damage recorded in the old file */
  gint64          acknowledged_ms;
  char           *old_reason;
} SalvageRow;

static void
add_seq (GHashTable *set,
         gint64      seq)
{
  gint64 *key = g_new (gint64, 1);

  *key = seq;
  g_hash_table_add (set, key);
}

/* Reads the row into @row->values: SQLITE_ROW, SQLITE_DONE (no such row)
 * or the error of the read (the id is remembered as unreadable). */
static int
salvage_read_row (Salvager   *s,
                  SalvageRow *row)
{
  int rc;

  sqlite3_reset (s->row);
  sqlite3_bind_int64 (s->row, 1, row->seq);
  rc = sqlite3_step (s->row);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (s->row);
      if (rc != SQLITE_DONE)
        add_seq (s->unreadable, row->seq);   /* counted at the end */
      return rc;
    }
  for (int i = 0; i < row->n_columns; i++)
    row->values[i] = sqlite3_value_dup (sqlite3_column_value (s->row, i));
  sqlite3_reset (s->row);
  s->found_max = MAX (s->found_max, row->seq);
  return rc;
}

/* Its state, reference and ciphertexts: sets @row->reason when one of
 * them is damaged. */
static void
salvage_check_row (Salvager   *s,
                   SalvageRow *row)
{
  sqlite3_value **values = row->values;

  row->state = value_text (values[8]);
  row->purged = sqlite3_value_type (values[18]) != SQLITE_NULL;
  row->n_attachments = sqlite3_value_int64 (values[19]);
  if (!valid_state_name (row->state))
    {
      row->reason = g_strdup ("its state is unreadable");
      row->state = "failed";
    }
  row->pending = strcmp (row->state, "queued") == 0 || strcmp (row->state, "created") == 0
                 || strcmp (row->state, "failed") == 0;

  if (row->reason == NULL && (value_text (values[2]) == NULL || !kiosk_reference_is_valid (value_text (values[2]))))
    row->reason = g_strdup ("its reference is unreadable");
  if (row->reason == NULL && !row->purged)
    {
      const char *metadata = value_text (values[20]);
      const char *data = value_text (values[21]);

      if (!_kiosk_queue_looks_like_compact_jwe (metadata) || !_kiosk_queue_looks_like_compact_jwe (data))
        row->reason = g_strdup ("a ciphertext is not a compact JWE any more");
      else if (s->has_hash && sqlite3_value_type (values[22]) != SQLITE_NULL
               && !_kiosk_queue_hash_matches (sqlite3_value_blob (values[22]), sqlite3_value_bytes (values[22]),
                                              metadata, data))
        row->reason = g_strdup ("a ciphertext no longer matches its SHA-256");
    }
}

/* Its attachments, into @row->attachments; a damaged or missing one sets
 * @row->reason, a missing one counts as lost. */
static void
salvage_read_attachments (Salvager   *s,
                          SalvageRow *row)
{
  gint64 found;
  int rc;

  if (row->purged || row->n_attachments <= 0)
    return;
  sqlite3_reset (s->attachments);
  sqlite3_bind_int64 (s->attachments, 1, row->seq);
  while ((rc = sqlite3_step (s->attachments)) == SQLITE_ROW)
    {
      const char *ciphertext = (const char *) sqlite3_column_text (s->attachments, 4);

      for (guint i = 0; i < row->width; i++)
        g_ptr_array_add (row->attachments, sqlite3_value_dup (sqlite3_column_value (s->attachments, (int) i)));
      if (row->reason == NULL && !_kiosk_queue_looks_like_compact_jwe (ciphertext))
        row->reason = g_strdup ("an attachment is not a compact JWE any more");
      else if (row->reason == NULL && s->has_hash
               && sqlite3_column_type (s->attachments, 5) != SQLITE_NULL
               && !_kiosk_queue_hash_matches (sqlite3_column_blob (s->attachments, 5),
                                              sqlite3_column_bytes (s->attachments, 5), ciphertext, NULL))
        row->reason = g_strdup ("an attachment no longer matches its SHA-256");
    }
  sqlite3_reset (s->attachments);
  if (rc != SQLITE_DONE)
    {
      g_ptr_array_set_size (row->attachments, 0);
      if (row->reason == NULL)
        row->reason = g_strdup ("its attachments are unreadable");
    }
  found = row->attachments->len / row->width;
  if (found < row->n_attachments)
    {
      s->result->attachments_lost += (guint64) (row->n_attachments - found);
      if (row->reason == NULL)
        row->reason = g_strdup ("an attachment is missing");
    }
}

/* A damage recorded in the old file stays. */
static void
salvage_read_old_damage (Salvager   *s,
                         SalvageRow *row)
{
  if (s->damage == NULL)
    return;
  sqlite3_reset (s->damage);
  sqlite3_bind_int64 (s->damage, 1, row->seq);
  if (sqlite3_step (s->damage) == SQLITE_ROW)
    {
      row->damaged_ms = sqlite3_column_int64 (s->damage, 0);
      row->acknowledged_ms = sqlite3_column_int64 (s->damage, 1);
      row->old_reason = _kiosk_queue_column_text (s->damage, 2);
    }
  sqlite3_reset (s->damage);
}

/* The application's row in the fresh queue (a damaged pending one as
 * failed, with the reason). */
static int
salvage_insert_application (Salvager   *s,
                            SalvageRow *row)
{
  sqlite3_stmt *insert = NULL;
  guint8 digest[_KIOSK_QUEUE_HASH_LENGTH];
  int rc = sqlite3_prepare_v2 (s->fresh->db,
                               "INSERT INTO applications (seq, id, reference, form_id, form_version, "
                               "destination_name, destination_id, created_ms, state, attempts, "
                               "next_attempt_ms, submission_id, case_id, platform_created_ms, submitted_ms, "
                               "decided_ms, last_error, updated_ms, purged_ms, n_attachments, metadata_jwe, "
                               "data_jwe, ciphertext_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                               "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
                               -1, &insert, NULL);

  if (rc == SQLITE_OK)
    {
      for (int i = 0; i < SALVAGE_N_ROW_COLUMNS; i++)
        sqlite3_bind_value (insert, i + 1, row->values[i]);
      sqlite3_bind_text (insert, 9, row->state, -1, SQLITE_TRANSIENT);
      if (row->reason != NULL && row->pending)
        {
          sqlite3_bind_text (insert, 9, "failed", -1, SQLITE_STATIC);
          sqlite3_bind_text (insert, 17, _KIOSK_QUEUE_DAMAGED_REASON, -1, SQLITE_STATIC);
        }
      if (s->has_hash)
        sqlite3_bind_value (insert, 23, row->values[22]);
      else if (!row->purged && row->pending && row->reason == NULL)
        {
          /* schema 3: the hash of what is stored now, as the 3 → 4 migration does */
          _kiosk_queue_ciphertext_hash (value_text (row->values[20]), value_text (row->values[21]), digest);
          sqlite3_bind_blob (insert, 23, digest, _KIOSK_QUEUE_HASH_LENGTH, SQLITE_STATIC);
        }
      rc = _kiosk_queue_step_done (insert);
    }
  sqlite3_finalize (insert);
  return rc;
}

static int
salvage_insert_attachments (Salvager   *s,
                            SalvageRow *row)
{
  int rc = SQLITE_OK;

  for (guint i = 0; rc == SQLITE_OK && i < row->attachments->len; i += row->width)
    {
      sqlite3_value **a = (sqlite3_value **) row->attachments->pdata + i;
      const char *ciphertext = (const char *) sqlite3_value_text (a[4]);
      sqlite3_stmt *insert = NULL;
      guint8 digest[_KIOSK_QUEUE_HASH_LENGTH];

      rc = sqlite3_prepare_v2 (s->fresh->db,
                               "INSERT INTO attachments (app, position, attachment_id, purpose, mime_type, "
                               "ciphertext, ciphertext_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                               -1, &insert, NULL);
      if (rc != SQLITE_OK)
        break;
      sqlite3_bind_int64 (insert, 1, row->seq);
      for (int c = 0; c < 5; c++)
        sqlite3_bind_value (insert, c + 2, a[c]);
      if (s->has_hash)
        sqlite3_bind_value (insert, 7, a[5]);
      else if (row->pending && row->reason == NULL && ciphertext != NULL)
        {
          _kiosk_queue_ciphertext_hash (ciphertext, NULL, digest);
          sqlite3_bind_blob (insert, 7, digest, _KIOSK_QUEUE_HASH_LENGTH, SQLITE_STATIC);
        }
      rc = _kiosk_queue_step_done (insert);
      sqlite3_finalize (insert);
    }
  return rc;
}

/* Its damaged_applications row: the old one, or a new one when the
 * salvage found it damaged. */
static int
salvage_insert_damage (Salvager   *s,
                       SalvageRow *row)
{
  sqlite3_stmt *insert = NULL;
  int rc = sqlite3_prepare_v2 (s->fresh->db,
                               "INSERT INTO damaged_applications (app, damaged_ms, acknowledged_ms, reason) "
                               "VALUES (?1, ?2, ?3, ?4)", -1, &insert, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (insert, 1, row->seq);
      sqlite3_bind_int64 (insert, 2, row->damaged_ms != 0 ? row->damaged_ms : s->result->time_ms);
      if (row->damaged_ms != 0 && row->acknowledged_ms != 0)
        sqlite3_bind_int64 (insert, 3, row->acknowledged_ms);
      sqlite3_bind_text (insert, 4, row->damaged_ms != 0 && row->old_reason != NULL ? row->old_reason : row->reason,
                         -1, SQLITE_TRANSIENT);
      rc = _kiosk_queue_step_done (insert);
    }
  sqlite3_finalize (insert);
  return rc;
}

/* One row at a time: a row the fresh queue refuses is lost alone. */
static void
salvage_write_row (Salvager   *s,
                   SalvageRow *row)
{
  int rc = sqlite3_exec (s->fresh->db, "SAVEPOINT salvage_row", NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    rc = salvage_insert_application (s, row);
  if (rc == SQLITE_OK)
    rc = salvage_insert_attachments (s, row);
  if (rc == SQLITE_OK && ((row->reason != NULL && row->pending) || row->damaged_ms != 0))
    rc = salvage_insert_damage (s, row);

  if (rc == SQLITE_OK)
    {
      sqlite3_exec (s->fresh->db, "RELEASE salvage_row", NULL, NULL, NULL);
      if (row->reason != NULL && row->pending)
        s->result->damaged++;
      else
        s->result->saved++;
    }
  else
    {
      g_debug ("salvage: row %" G_GINT64_FORMAT " refused by the fresh queue: %s", row->seq, sqlite3_errstr (rc));
      sqlite3_exec (s->fresh->db, "ROLLBACK TO salvage_row", NULL, NULL, NULL);
      sqlite3_exec (s->fresh->db, "RELEASE salvage_row", NULL, NULL, NULL);
      s->result->lost++;
    }
}

/* Writes row @seq of the damaged file (and its attachments) into the
 * fresh queue. Returns the result of reading the row: SQLITE_ROW (it was
 * handled: saved, saved as damaged or, when the fresh queue refused it,
 * counted as lost), SQLITE_DONE (no such row) or the error of the read
 * (counted as lost). */
static int
salvage_row (Salvager *s,
             gint64    seq)
{
  SalvageRow row = { 0 };
  int rc;

  row.seq = seq;
  row.n_columns = SALVAGE_N_ROW_COLUMNS + (s->has_hash ? 1 : 0);
  row.width = 5 + (s->has_hash ? 1 : 0);
  if (!g_hash_table_contains (s->attempted, &seq))
    add_seq (s->attempted, seq);
  rc = salvage_read_row (s, &row);
  if (rc != SQLITE_ROW)
    return rc;

  row.attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) sqlite3_value_free);
  salvage_check_row (s, &row);
  salvage_read_attachments (s, &row);
  salvage_read_old_damage (s, &row);
  salvage_write_row (s, &row);

  for (int i = 0; i < row.n_columns; i++)
    sqlite3_value_free (row.values[i]);
  g_ptr_array_unref (row.attachments);
  g_free (row.reason);
  g_free (row.old_reason);
  return SQLITE_ROW;
}

/* max(seq) of the damaged file, or FALSE when it cannot be read. */
static gboolean
salvage_max_seq (Salvager *s,
                 gint64   *max_seq)
{
  sqlite3_stmt *max = NULL;
  gboolean have_max = FALSE;

  if (sqlite3_prepare_v2 (s->src, "SELECT max(seq) FROM applications", -1, &max, NULL) == SQLITE_OK)
    {
      int rc = sqlite3_step (max);

      if (rc == SQLITE_ROW)
        {
          have_max = TRUE;
          *max_seq = sqlite3_column_type (max, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64 (max, 0);
        }
    }
  sqlite3_finalize (max);
  return have_max;
}

/* By row id: the next row after each one read; where SQLite reports the
 * B-tree as corrupt, row by row, and after 4096 unreadable ids in a row in
 * growing steps. */
static void
salvage_walk_ids (Salvager *s)
{
  gint64 max_seq = 0, x = 1, step = 1;
  gboolean have_max = salvage_max_seq (s, &max_seq);
  guint failures = 0;

  for (;;)
    {
      int rc;

      if ((have_max && x > max_seq) || x <= 0 || x > ((gint64) 1 << 53))
        break;
      sqlite3_reset (s->next);
      sqlite3_bind_int64 (s->next, 1, x);
      rc = sqlite3_step (s->next);
      if (rc == SQLITE_ROW)
        {
          gint64 seq = sqlite3_column_int64 (s->next, 0);

          sqlite3_reset (s->next);
          salvage_row (s, seq);
          x = seq + 1;
          failures = 0;
          step = 1;
          continue;
        }
      sqlite3_reset (s->next);
      if (rc == SQLITE_DONE)
        break;
      /* the path to x is damaged: try x itself, then the next id */
      s->result->unknown_rest = TRUE;
      salvage_row (s, x);
      if (++failures > 4096)
        {
          step *= 2;
          s->result->unknown_rest = TRUE;
        }
      x += step;
    }
  if (!have_max)
    s->result->unknown_rest = TRUE;
}

/* The indexes are B-trees of their own and hold every row's seq: a row
 * they know that the walk did not reach is read by its id, and counted
 * as lost when that fails too. A scan that runs into damage is also
 * made from the other end. */
static void
salvage_walk_indexes (Salvager *s)
{
  static const char *const scans[] = {
    "SELECT seq FROM applications INDEXED BY applications_state WHERE state >= '' "
    "ORDER BY state, created_ms, next_attempt_ms, seq",
    "SELECT seq FROM applications INDEXED BY applications_state WHERE state >= '' "
    "ORDER BY state DESC, created_ms DESC, next_attempt_ms DESC, seq DESC",
    "SELECT seq FROM applications WHERE reference >= '' ORDER BY reference",
    "SELECT seq FROM applications WHERE reference >= '' ORDER BY reference DESC",
  };
  g_autoptr(GArray) known = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < G_N_ELEMENTS (scans); i++)
    {
      sqlite3_stmt *stmt = NULL;
      int rc = sqlite3_prepare_v2 (s->src, scans[i], -1, &stmt, NULL);

      while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 seq = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (known, seq);
        }
      if (rc != SQLITE_DONE)
        s->result->unknown_rest = TRUE;
      sqlite3_finalize (stmt);
    }
  for (guint i = 0; i < known->len; i++)
    {
      gint64 seq = g_array_index (known, gint64, i);

      s->known_max = MAX (s->known_max, seq);
      if (g_hash_table_contains (s->attempted, &seq))
        continue;
      if (salvage_row (s, seq) == SQLITE_DONE)
        s->result->lost++;   /* the index has it, the table does not give it */
    }
}

/* When anything was damaged, a damaged interior page may hide rows from
 * the walk and from max(seq) alike: every id up to the highest one seen
 * (and 1024 beyond) not read yet is asked for by itself. */
static void
salvage_probe_ids (Salvager *s)
{
  /* bounded by rows actually read (a damaged page may claim any id),
   * and by ten million ids in all */
  gint64 last = s->found_max + 1024;

  if (!s->result->unknown_rest)
    return;
  for (gint64 seq = 1; seq <= last && seq <= 10000000; seq++)
    {
      if (g_hash_table_contains (s->attempted, &seq))
        continue;
      if (salvage_row (s, seq) == SQLITE_ROW)
        last = MAX (last, s->found_max + 1024);
    }
}

/* An id that could not be read is a lost row when a row read or an
 * index shows that ids went that far; beyond, it is only the unknown
 * rest. */
static void
salvage_count_unreadable (Salvager *s)
{
  GHashTableIter iter;
  gpointer key;
  gint64 bound = MAX (s->found_max, s->known_max);

  g_hash_table_iter_init (&iter, s->unreadable);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (*(gint64 *) key <= bound)
      s->result->lost++;
}

/* Walks the applications of the damaged file by row id: the next row
 * after each one read; where SQLite reports the B-tree as corrupt, row by
 * row (each unreadable id counts as lost), and after 4096 unreadable ids
 * in a row in growing steps (the count is then a lower bound). */
static void
salvage_walk (Salvager *s)
{
  salvage_walk_ids (s);
  salvage_walk_indexes (s);
  salvage_probe_ids (s);
  salvage_count_unreadable (s);
}

static void
salvage_copy (const char        *src_path,
              KioskQueue        *fresh,
              KioskQueueSalvage *result)
{
  Salvager s = { NULL };
  g_autofree char *row_sql = NULL;
  gint64 version = 0;
  int rc;

  s.fresh = fresh;
  s.result = result;
  s.attempted = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  s.unreadable = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  if (!_kiosk_queue_has_sqlite_header (src_path)
      || sqlite3_open_v2 (src_path, &s.src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      result->unknown_rest = TRUE;
      sqlite3_close (s.src);
      return;
    }
  sqlite3_extended_result_codes (s.src, 1);
  /* SQLite checks each cell's size against its page: more damage is
   * reported as SQLITE_CORRUPT instead of being read as data */
  sqlite3_exec (s.src, "PRAGMA cell_size_check = ON; PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
  {
    sqlite3_stmt *stmt = NULL;

    rc = sqlite3_prepare_v2 (s.src, "PRAGMA user_version", -1, &stmt, NULL);
    if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
      version = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
  }
  /* schemas 3 and 4 keep the ciphertexts in the row; older files are
   * migrated by a writer long before they could be damaged in use */
  s.has_hash = version >= 4;
  row_sql = g_strdup_printf ("SELECT %s%s FROM applications WHERE seq = ?1", salvage_row_columns,
                             s.has_hash ? ", ciphertext_sha256" : "");
  if (version < 3
      || sqlite3_prepare_v2 (s.src, "SELECT seq FROM applications WHERE seq >= ?1 ORDER BY seq LIMIT 1",
                             -1, &s.next, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (s.src, row_sql, -1, &s.row, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (s.src, s.has_hash
                             ? "SELECT position, attachment_id, purpose, mime_type, ciphertext, ciphertext_sha256 "
                               "FROM attachments WHERE app = ?1 ORDER BY position"
                             : "SELECT position, attachment_id, purpose, mime_type, ciphertext "
                               "FROM attachments WHERE app = ?1 ORDER BY position",
                             -1, &s.attachments, NULL) != SQLITE_OK)
    {
      /* the schema itself is unreadable: nothing can be found */
      result->unknown_rest = TRUE;
      goto out;
    }
  if (s.has_hash
      && sqlite3_prepare_v2 (s.src, "SELECT damaged_ms, acknowledged_ms, reason FROM damaged_applications "
                             "WHERE app = ?1", -1, &s.damage, NULL) != SQLITE_OK)
    s.damage = NULL;

  salvage_walk (&s);

out:
  sqlite3_finalize (s.next);
  sqlite3_finalize (s.row);
  sqlite3_finalize (s.attachments);
  sqlite3_finalize (s.damage);
  sqlite3_close (s.src);
  g_hash_table_unref (s.attempted);
  g_hash_table_unref (s.unreadable);
}

char *
_kiosk_queue_unique_name (const char *base,
                          const char *stamp)
{
  char *target = g_strdup_printf ("%s-%s", base, stamp);

  for (guint n = 2; g_file_test (target, G_FILE_TEST_EXISTS); n++)
    {
      g_free (target);
      target = g_strdup_printf ("%s-%s-%u", base, stamp, n);
    }
  return target;
}

static void
remove_with_side_files (const char *path)
{
  static const char *const suffixes[] = { "-wal", "-shm", "" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

void
_kiosk_queue_sync_directory (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* Renames @path and its -wal and -shm files to @target (and its -wal,
 * -shm): the side files first, so that a leftover -wal is never replayed
 * into a fresh queue.db. */
static gboolean
move_files (const char  *path,
            const char  *target,
            GError     **error)
{
  static const char *const suffixes[] = { "-wal", "-shm", "" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      if (g_rename (from, to) != 0 && (errno != ENOENT || *suffixes[i] == '\0'))
        {
          int saved = errno;

          g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_READ_ONLY,
                       _("The queue file %s is damaged and cannot be moved aside (%s); "
                         "the queue was not opened. Move it away by hand."),
                       path, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

/* One salvage at a time (the kiosk and the sync service start together):
 * the descriptor that holds the lock, or -1 with @error set. */
static int
lock_salvage (const char  *data_dir,
              const char  *lock_path,
              GError     **error)
{
  int lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) != 0)
    {
      int saved = errno;

      if (lock_fd >= 0)
        close (lock_fd);
      g_set_error (error, KIOSK_QUEUE_ERROR, saved == EROFS || saved == EACCES ? KIOSK_QUEUE_ERROR_READ_ONLY
                   : KIOSK_QUEUE_ERROR_OPEN,
                   _("The damaged queue in %s cannot be salvaged: %s cannot be locked (%s); nothing "
                     "was changed. Check that the directory is writable for this user."),
                   data_dir, lock_path, g_strerror (saved));
      return -1;
    }
  return lock_fd;
}

/* The salvage's record, with its time and the name the damaged file at
 * @path will be kept as. */
static KioskQueueSalvage *
salvage_result_new (const char *path,
                    const char *problem,
                    const char *found)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *base = g_strconcat (path, ".damaged", NULL);
  KioskQueueSalvage *result = g_new0 (KioskQueueSalvage, 1);

  result->time_ms = g_date_time_to_unix (now) * 1000 + g_date_time_get_microsecond (now) / 1000;
  result->problem = g_strdup (problem != NULL ? problem : found);
  result->kept_path = _kiosk_queue_unique_name (base, stamp);
  return result;
}

/* The fresh queue, built beside the damaged one at @path (a leftover of an
 * interrupted salvage is our own partial copy), in one transaction, and
 * closed. */
static gboolean
salvage_build_fresh (const char         *data_dir,
                     const char         *path,
                     const char         *fresh_path,
                     KioskQueueSalvage  *result,
                     GError            **error)
{
  g_autoptr(KioskQueue) fresh = NULL;
  int rc;

  remove_with_side_files (fresh_path);
  fresh = _kiosk_queue_open_file (data_dir, _KIOSK_QUEUE_SALVAGE_NAME, KIOSK_QUEUE_OPEN_NO_CHECK, error);
  if (fresh == NULL)
    return FALSE;
  if (_kiosk_queue_begin_write (fresh) != SQLITE_OK)
    {
      _kiosk_queue_set_sqlite_error (fresh, error, sqlite3_errcode (fresh->db), _KIOSK_QUEUE_DID_CHANGE);
      return FALSE;
    }
  salvage_copy (path, fresh, result);
  rc = _kiosk_queue_commit (fresh);
  if (rc != SQLITE_OK)
    {
      _kiosk_queue_rollback (fresh);
      _kiosk_queue_set_sqlite_error (fresh, error, rc, _KIOSK_QUEUE_DID_CHANGE);
      return FALSE;
    }
  /* closing the last connection checkpoints the WAL into the file */
  g_clear_pointer (&fresh, kiosk_queue_close);
  return TRUE;
}

/* The record first: from here on monitoring says what happened even if
 * the renames below are interrupted (the next writer finishes them). Then
 * the damaged file is put aside and the fresh queue in its place. */
static gboolean
salvage_put_in_place (const char               *data_dir,
                      const char               *path,
                      const char               *fresh_path,
                      const KioskQueueSalvage  *result,
                      GError                  **error)
{
  g_autofree char *group = g_path_get_basename (result->kept_path);

  if (!_kiosk_queue_append_damage_record (data_dir, result, group, error))
    return FALSE;
  if (!move_files (path, result->kept_path, error))
    return FALSE;
  if (g_rename (fresh_path, path) != 0)
    {
      int saved = errno;

      g_set_error (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_READ_ONLY,
                   _("The salvaged queue %s cannot be put in place of %s (%s). Rename it by hand; "
                     "the damaged file is kept as %s."), fresh_path, path, g_strerror (saved),
                   result->kept_path);
      return FALSE;
    }
  _kiosk_queue_sync_directory (data_dir);
  return TRUE;
}

gboolean
kiosk_queue_salvage (const char         *data_dir,
                     const char         *problem,
                     KioskQueueSalvage **salvage_out,
                     GError            **error)
{
  g_autofree char *path = g_build_filename (data_dir, "queue.db", NULL);
  g_autofree char *fresh_path = g_build_filename (data_dir, _KIOSK_QUEUE_SALVAGE_NAME, NULL);
  g_autofree char *lock_path = g_build_filename (data_dir, SALVAGE_LOCK_NAME, NULL);
  g_autofree char *found = NULL;
  g_autoptr(KioskQueueSalvage) result = NULL;
  gboolean ok = FALSE;
  int lock_fd;

  g_return_val_if_fail (data_dir != NULL, FALSE);
  g_return_val_if_fail (salvage_out != NULL, FALSE);
  *salvage_out = NULL;

  lock_fd = lock_salvage (data_dir, lock_path, error);
  if (lock_fd < 0)
    return FALSE;

  /* intact now (another process salvaged it meanwhile), or gone: nothing to do */
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    found = file_problem (path);
  if (found == NULL)
    ok = TRUE;
  else
    {
      result = salvage_result_new (path, problem, found);
      ok = salvage_build_fresh (data_dir, path, fresh_path, result, error)
           && salvage_put_in_place (data_dir, path, fresh_path, result, error);
      if (!ok)
        remove_with_side_files (fresh_path);
    }
  if (ok && result != NULL)
    {
      g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                        "QUEUE_FILE", path,
                        "QUEUE_KEPT_AS", result->kept_path,
                        "QUEUE_PROBLEM", result->problem,
                        "MESSAGE", "The queue file %s was damaged (%s). %" G_GUINT64_FORMAT " applications were "
                        "carried into a fresh queue, %" G_GUINT64_FORMAT " of them damaged (never sent), %"
                        G_GUINT64_FORMAT " rows could not be read%s; the damaged file is kept as %s. "
                        "antragskiosk-ctl status stays critical until antragskiosk-ctl queue acknowledge.",
                        path, result->problem, result->saved + result->damaged, result->damaged, result->lost,
                        result->unknown_rest ? " (part of the file could not be walked: maybe more)" : "",
                        result->kept_path);
      *salvage_out = g_steal_pointer (&result);
    }
  flock (lock_fd, LOCK_UN);
  close (lock_fd);
  return ok;
}
