/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Wrote queue-v4.db with the queue code of commit 6ce2b64 (schema
 * version 4): queue-v2.db migrated by that code, then one more
 * application (submitted, with an attachment) written by it. Not built:
 * it needs that code. Kept to say how the file was made:
 *   cp tests/data/queue/queue-v2.db DIR/queue.db
 *   gcc -o make-queue-v4 make-queue-v4.c -Iinclude -Itests -Ibuild \
 *       build/app/core/libantragskiosk-core.a $(pkg-config --cflags --libs \
 *       glib-2.0 gio-2.0 sqlite3 json-glib-1.0 libcrypto)
 *   ./make-queue-v4 DIR     (then DIR/queue.db) */
#include <glib.h>
#include <antragskiosk/queue.h>
#include "queue-fake.h"
#define DEST "7d3b9a1e-2f4c-4b8d-a6e5-9c0f1e2d3b4a"
static gint64 now_ms = 1767312000000;  /* 2026-01-02T00:00:00Z */
static gint64 clk (gpointer d) { return now_ms; }
int main (int argc, char **argv)
{
  g_autoptr(GError) e = NULL;
  KioskQueue *q = kiosk_queue_open (argv[1], KIOSK_QUEUE_OPEN_DEFAULT, &e);
  g_assert_no_error (e);
  kiosk_queue_set_clock (q, clk, NULL);
  g_autofree char *ref = kiosk_queue_new_reference (q, &e);
  g_autofree char *m = queue_fake_jwe (ref, "metadata", 1200);
  g_autofree char *d = queue_fake_jwe (ref, "data", 4096);
  g_autofree char *ct = queue_fake_jwe (ref, "attachment0", 1500);
  KioskQueueAttachment *att = kiosk_queue_attachment_new ("0f8fad5b-d9cb-469f-a165-70867728950e", "form",
                                                          "application/pdf", ct);
  KioskQueueSubmission s = { 0 };
  s.reference = ref; s.form_id = "meldebescheinigung"; s.form_version = "2.1.0";
  s.destination_name = "strassenverkehrsamt"; s.destination_id = DEST; s.metadata_jwe = m; s.data_jwe = d;
  s.attachments = (const KioskQueueAttachment *const *) &att; s.n_attachments = 1;
  g_autofree char *out = kiosk_queue_enqueue (q, &s, &e);
  g_assert_no_error (e);
  now_ms += 60000;
  g_assert_true (kiosk_queue_mark_created (q, out, "51111111-2222-4333-8444-555555555555",
                                           "56666666-7777-4888-9999-aaaaaaaaaaaa", &e));
  g_assert_true (kiosk_queue_mark_submitted (q, out, &e));
  g_print ("%s\n", out);
  kiosk_queue_attachment_free (att);
  kiosk_queue_close (q);
  return 0;
}
