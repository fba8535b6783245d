/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test"

/* For the queue's crash test (tests/test-queue-faults.c) and the CLI test:
 *
 *   queue-crash-helper DATA_DIR [COUNT [STATE]]
 *
 * enqueues COUNT applications (default: forever) with fake ciphertexts of
 * about 5 KiB (tests/queue-fake.h) and prints each reference on stdout
 * as soon as its enqueue committed, flushing each line. With STATE
 * (created, submitted, accepted, rejected, failed) every application is
 * moved there after enqueueing. Exit 1 on the first error. */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include <antragskiosk/queue.h>

#include "queue-fake.h"

static const char *const submission_id = "5bd2cbd1-4bc1-4e3e-a0d4-8d3f0a4a2b11";
static const char *const case_id = "8c8b6a5e-3c3e-4a52-9a2b-8f1b3b7c2d44";

static gboolean
move_to (KioskQueue       *queue,
         const char       *reference,
         KioskQueueState   target,
         GError          **error)
{
  if (target == KIOSK_QUEUE_STATE_QUEUED)
    return TRUE;
  if (target == KIOSK_QUEUE_STATE_FAILED)
    return kiosk_queue_mark_failed (queue, reference, "HTTP 422: test", error);
  if (!kiosk_queue_mark_created (queue, reference, submission_id, case_id, error))
    return FALSE;
  if (target == KIOSK_QUEUE_STATE_CREATED)
    return TRUE;
  if (!kiosk_queue_mark_submitted (queue, reference, error))
    return FALSE;
  if (target == KIOSK_QUEUE_STATE_ACCEPTED)
    return kiosk_queue_mark_accepted (queue, reference, error);
  if (target == KIOSK_QUEUE_STATE_REJECTED)
    return kiosk_queue_mark_rejected (queue, reference, "rejected by the test", error);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  KioskQueueState target = KIOSK_QUEUE_STATE_QUEUED;
  gint64 count = -1;

  if (argc < 2 || argc > 4)
    {
      fprintf (stderr, "usage: %s DATA_DIR [COUNT [STATE]]\n", argv[0]);
      return 2;
    }
  if (argc >= 3)
    count = g_ascii_strtoll (argv[2], NULL, 10);
  if (argc >= 4 && !kiosk_queue_state_from_string (argv[3], &target))
    {
      fprintf (stderr, "unknown state %s\n", argv[3]);
      return 2;
    }

  queue = kiosk_queue_open (argv[1], KIOSK_QUEUE_OPEN_DEFAULT, &error);
  if (queue == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }

  for (gint64 i = 0; count < 0 || i < count; i++)
    {
      g_autofree char *reference = kiosk_queue_new_reference (queue, &error);
      g_autofree char *metadata = NULL;
      g_autofree char *data = NULL;
      g_autofree char *stored = NULL;
      KioskQueueSubmission submission = { 0 };

      if (reference == NULL)
        break;
      metadata = queue_fake_jwe (reference, "metadata", 1200);
      data = queue_fake_jwe (reference, "data", 5 * 1024);
      submission.reference = reference;
      submission.form_id = "meldebescheinigung";
      submission.form_version = "1.0.0";
      submission.destination_name = "buergeramt";
      submission.destination_id = "d2a7c9e0-3f4b-4c1d-9e8f-0a1b2c3d4e5f";
      submission.metadata_jwe = metadata;
      submission.data_jwe = data;
      stored = kiosk_queue_enqueue (queue, &submission, &error);
      if (stored == NULL)
        break;
      if (!move_to (queue, stored, target, &error))
        break;
      /* committed: only now may anyone rely on it */
      fputs (stored, stdout);
      fputc ('\n', stdout);
      fflush (stdout);
    }

  if (error != NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}
