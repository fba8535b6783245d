/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Wrote queue-v2.db with the queue code of commit 0dc14b5 (schema
 * version 2). Not built: it needs that code. Kept to say how the file was
 * made:
 *   gcc -o make-queue-v2 make-queue-v2.c -Iinclude -Itests -Ibuild \
 *       build/app/core/libantragskiosk-core.a $(pkg-config --cflags --libs \
 *       glib-2.0 gio-2.0 sqlite3 json-glib-1.0 libcrypto)
 *   ./make-queue-v2 DIR     (then DIR/queue.db) */
#include <glib.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/reference.h>
#include "queue-fake.h"
#define DEST "7d3b9a1e-2f4c-4b8d-a6e5-9c0f1e2d3b4a"
static gint64 now_ms = 1767225600000;
static gint64 clk (gpointer d) { return now_ms; }
static char *add (KioskQueue *q, const char *form, guint n_att)
{
  g_autoptr(GError) e = NULL;
  g_autofree char *ref = kiosk_queue_new_reference (q, &e);
  g_autofree char *m = queue_fake_jwe (ref, "metadata", 1200);
  g_autofree char *d = queue_fake_jwe (ref, "data", 4096);
  KioskQueueAttachment *atts[2] = { NULL, NULL };
  KioskQueueSubmission s = { 0 };
  char *out;
  for (guint i = 0; i < n_att; i++) {
    g_autofree char *kind = g_strdup_printf ("attachment%u", i);
    g_autofree char *ct = queue_fake_jwe (ref, kind, 1500);
    atts[i] = kiosk_queue_attachment_new (i == 0 ? "0f8fad5b-d9cb-469f-a165-70867728950e" : "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                                          i == 0 ? "form" : "attachment", i == 0 ? "application/pdf" : "image/png", ct);
  }
  s.reference = ref; s.form_id = form; s.form_version = "2.1.0"; s.destination_name = "strassenverkehrsamt";
  s.destination_id = DEST; s.metadata_jwe = m; s.data_jwe = d;
  s.attachments = (const KioskQueueAttachment *const *) atts; s.n_attachments = n_att;
  out = kiosk_queue_enqueue (q, &s, &e);
  g_assert_no_error (e);
  for (guint i = 0; i < n_att; i++) kiosk_queue_attachment_free (atts[i]);
  now_ms += 60000;
  return out;
}
#define OK(x) G_STMT_START { g_autoptr(GError) e_ = NULL; g_assert_true (x); } G_STMT_END
int main (int argc, char **argv)
{
  g_autoptr(GError) e = NULL;
  KioskQueue *q = kiosk_queue_open (argv[1], KIOSK_QUEUE_OPEN_DEFAULT, &e);
  KioskQueueRetention r;
  g_assert_no_error (e);
  kiosk_queue_set_clock (q, clk, NULL);
  g_autofree char *a = add (q, "anwohnerparken", 0);   /* queued */
  g_autofree char *b = add (q, "anwohnerparken", 1);   /* queued, retried once */
  g_autofree char *c = add (q, "meldebescheinigung", 2); /* created */
  g_autofree char *d = add (q, "sperrmuell", 0);       /* submitted */
  g_autofree char *f = add (q, "sperrmuell", 1);       /* accepted, purged */
  g_autofree char *g = add (q, "gewerbe", 0);          /* rejected */
  g_autofree char *h = add (q, "gewerbe", 1);          /* failed */
  OK (kiosk_queue_schedule_retry (q, b, now_ms + 300000, "HTTP 503 from the platform", &e));
  OK (kiosk_queue_mark_created (q, c, "11111111-2222-4333-8444-555555555555", "66666666-7777-4888-9999-aaaaaaaaaaaa", &e));
  OK (kiosk_queue_mark_created (q, d, "21111111-2222-4333-8444-555555555555", "26666666-7777-4888-9999-aaaaaaaaaaaa", &e));
  OK (kiosk_queue_mark_submitted (q, d, &e));
  OK (kiosk_queue_mark_created (q, f, "31111111-2222-4333-8444-555555555555", "36666666-7777-4888-9999-aaaaaaaaaaaa", &e));
  OK (kiosk_queue_mark_submitted (q, f, &e));
  now_ms += 1000;
  OK (kiosk_queue_mark_accepted (q, f, &e));
  now_ms += 1000;
  kiosk_queue_retention_init (&r);
  OK (kiosk_queue_purge (q, &r, NULL, NULL, &e));
  OK (kiosk_queue_mark_created (q, g, "41111111-2222-4333-8444-555555555555", "46666666-7777-4888-9999-aaaaaaaaaaaa", &e));
  OK (kiosk_queue_mark_submitted (q, g, &e));
  OK (kiosk_queue_mark_rejected (q, g, "Die Anlage fehlt.", &e));
  OK (kiosk_queue_mark_failed (q, h, "The destination key expired", &e));
  g_print ("%s %s %s %s %s %s %s\n", a, b, c, d, f, g, h);
  kiosk_queue_close (q);
  return 0;
}
