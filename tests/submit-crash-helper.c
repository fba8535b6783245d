/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test"

/* For tests/test_submit_crash.py:
 *
 *   submit-crash-helper CONFIG FORM ANSWERS.json
 *
 * submits the answers through the real Submit path (validate, encrypt,
 * enqueue) in an endless loop and prints each reference on stdout as soon
 * as kiosk_submitter_submit() returned it, flushing each line. The test
 * kills it with SIGKILL at random moments. */

#include "config.h"

#include <stdio.h>
#include <glib.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/config.h>
#include <antragskiosk/i18n.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/submission.h>

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskCatalog) catalog = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(KioskSubmitter) submitter = NULL;
  g_autoptr(KioskAnswers) answers = NULL;
  g_autofree char *json = NULL;
  KioskForm *form;

  kiosk_i18n_init ();
  if (argc != 4)
    {
      g_printerr ("usage: %s CONFIG FORM ANSWERS.json\n", argv[0]);
      return 2;
    }
  config = kiosk_config_load (argv[1], NULL, &error);
  if (config != NULL)
    catalog = kiosk_catalog_new_for_config (config, FALSE, &error);
  if (catalog == NULL || !g_file_get_contents (argv[3], &json, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  form = kiosk_catalog_lookup (catalog, argv[2]);
  if (form == NULL)
    return 1;
  answers = kiosk_answers_new_from_json (form, json, -1, &error);
  if (answers != NULL)
    queue = kiosk_queue_open (config->data_dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  if (queue == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  submitter = kiosk_submitter_new (config, queue);
  for (;;)
    {
      g_autofree char *reference = kiosk_submitter_submit (submitter, answers, NULL, NULL, &error);

      if (reference == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      printf ("%s\n", reference);
      fflush (stdout);
    }
}
