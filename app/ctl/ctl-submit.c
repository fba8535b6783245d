/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/config.h>
#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>
#include <antragskiosk/log.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/reference.h>
#include <antragskiosk/submission.h>

#include "ctl-private.h"

/* submit: the kiosk's Submit button without the screen. It validates
 * exactly as the kiosk does, encrypts, enqueues and prints the public
 * reference; invalid answers print the field errors and store nothing. */

/* The answers in @answers_file for the form @form_id, read as the kiosk
 * would; NULL (reported) when any of it cannot be used. */
static KioskAnswers *
read_answers (KioskConfig *config,
              const char  *config_path,
              const char  *form_id,
              const char  *answers_file)
{
  g_autoptr(KioskCatalog) catalog = NULL;
  g_autoptr(GError) error = NULL;
  KioskAnswers *answers;
  KioskForm *form;
  char *contents;
  gsize length = 0;

  catalog = _kiosk_ctl_open_catalog (config_path, config->forms_dir);
  if (catalog == NULL)
    return NULL;
  form = _kiosk_ctl_lookup_form (catalog, form_id);
  if (form == NULL)
    return NULL;
  contents = _kiosk_ctl_read_input (answers_file, &length);
  if (contents == NULL)
    return NULL;
  answers = kiosk_answers_new_from_json (form, contents, (gssize) length, &error);
  kiosk_secure_free (contents, (gssize) length);
  if (answers == NULL)
    _kiosk_ctl_error ("%s: %s", answers_file, error->message);
  return answers;
}

/* Encrypts and stores valid @answers; prints the public reference. */
static int
store (KioskConfig  *config,
       KioskAnswers *answers,
       const char   *today)
{
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(KioskSubmitter) submitter = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *shown = NULL;

  queue = kiosk_queue_open (config->data_dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  if (queue == NULL)
    {
      _kiosk_ctl_error ("cannot open the queue in %s: %s", config->data_dir, error->message);
      return 1;
    }
  if (kiosk_queue_get_recovered_from (queue) != NULL)
    _kiosk_ctl_error ("warning: the queue file was damaged and has been moved to %s; a new queue was started",
                      kiosk_queue_get_recovered_from (queue));
  submitter = kiosk_submitter_new (config, queue);
  reference = kiosk_submitter_submit (submitter, answers, today, NULL, &error);
  if (reference == NULL)
    {
      _kiosk_ctl_error ("the application was not stored: %s", error->message);
      return 1;
    }
  /* As the receipt shows it; every command also reads it without dashes. */
  shown = kiosk_reference_format (reference);
  printf ("%s\n", shown);
  return 0;
}

int
_kiosk_ctl_submit (int argc, char **argv)
{
  g_autofree char *form_id = NULL;
  g_autofree char *answers_file = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *lang = NULL;
  g_autofree char *today = NULL;
  GOptionEntry entries[] = {
    { "form", 0, 0, G_OPTION_ARG_STRING, &form_id, "The form's id", "ID" },
    { "answers", 0, 0, G_OPTION_ARG_FILENAME, &answers_file, "The answers (JSON object keyed by field id; - for stdin)", "FILE" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, "Read the configuration from FILE", "FILE" },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &lang, "Language of the messages (de, en, …; default de)", "LANG" },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today, "Validate as if today were DATE (YYYY-MM-DD), for tests", "DATE" },
    { NULL }
  };
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskAnswers) answers = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;

  if (!_kiosk_ctl_parse_options (&argc, &argv, "--form ID --answers FILE",
                                 "Validate an application exactly as the kiosk does, encrypt it for its destination and\n"
                                 "store it in the queue. Prints the public reference (exit 0), or the field errors (exit 1,\n"
                                 "nothing stored).", entries))
    return 2;
  if (form_id == NULL || answers_file == NULL || argc > 1)
    {
      _kiosk_ctl_error ("submit needs --form ID and --answers FILE (try 'submit --help')");
      return 2;
    }
  if (!_kiosk_ctl_check_date ("--today", today))
    return 2;
  kiosk_i18n_set_language (lang);

  config = kiosk_config_load (config_path, NULL, &error);
  if (config == NULL)
    {
      _kiosk_ctl_error ("cannot use the configuration: %s (see 'antragskiosk-ctl check-config')", error->message);
      return 1;
    }
  kiosk_log_set_kiosk_id (config->kiosk_id);
  answers = read_answers (config, config_path, form_id, answers_file);
  if (answers == NULL)
    return 1;
  /* Invalid answers never touch the queue, not even to open it. */
  if (!kiosk_answers_validate (answers, today, &problems))
    {
      _kiosk_ctl_print_answer_problems (problems);
      return 1;
    }
  return store (config, answers, today);
}
