/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include <antragskiosk/config.h>
#include <antragskiosk/form.h>
#include <antragskiosk/printer.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/receipt.h>
#include <antragskiosk/sync.h>

#include "ctl-private.h"

/* check-config: every problem of the configuration, one per line:
 *   FILE: [GROUP] KEY: MESSAGE           (an error)
 *   warning: FILE: [GROUP] KEY: MESSAGE  (works, but should be fixed)
 * then, on success, one line saying which files were read. Exit 1 when
 * there is an error, else 0. */

static void
add_problem (GPtrArray  *problems,
             gboolean    warning,
             const char *group,
             const char *key,
             const char *file,
             char       *message)
{
  KioskConfigProblem *problem = g_new0 (KioskConfigProblem, 1);

  problem->file = g_strdup (file);
  problem->group = g_strdup (group);
  problem->key = g_strdup (key);
  problem->message = message;
  problem->warning = warning;
  g_ptr_array_add (problems, problem);
}

/* Routed forms that do not exist, and forms no destination takes. */
static void
check_routing (KioskConfig *config,
               GPtrArray   *problems)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskCatalog) catalog = kiosk_catalog_new (config->forms_dir, &error);
  GPtrArray *forms;

  if (catalog == NULL)
    {
      add_problem (problems, TRUE, "kiosk", "forms_dir", kiosk_config_get_origin (config, "kiosk", "forms_dir"),
                   g_strdup_printf ("the forms cannot be loaded, so the routing is not checked: %s",
                                    error->message));
      return;
    }
  for (guint i = 0; i < config->destinations->len; i++)
    {
      KioskDestinationConfig *destination = g_ptr_array_index (config->destinations, i);
      g_autofree char *group = g_strconcat ("destination ", destination->name, NULL);

      for (gsize j = 0; destination->forms[j] != NULL; j++)
        if (strcmp (destination->forms[j], "*") != 0
            && kiosk_catalog_lookup (catalog, destination->forms[j]) == NULL)
          add_problem (problems, TRUE, group, "forms", kiosk_config_get_origin (config, group, "forms"),
                       g_strdup_printf ("there is no form \"%s\" (antragskiosk-ctl forms lists them)",
                                        destination->forms[j]));
    }
  forms = kiosk_catalog_get_forms (catalog);
  for (guint i = 0; i < forms->len; i++)
    {
      KioskForm *form = g_ptr_array_index (forms, i);

      if (kiosk_config_destination_for_form (config, form->id) == NULL)
        add_problem (problems, TRUE, NULL, NULL,
                     config->files->len > 0 ? g_ptr_array_index (config->files, 0) : NULL,
                     g_strdup_printf ("no destination takes form \"%s\": it is out of service "
                                      "(add it to a destination's forms=)", form->id));
    }
}

static gboolean
has_error_in (GPtrArray  *problems,
              const char *group)
{
  for (guint i = 0; i < problems->len; i++)
    {
      KioskConfigProblem *problem = g_ptr_array_index (problems, i);

      if (!problem->warning && g_strcmp0 (problem->group, group) == 0)
        return TRUE;
    }
  return FALSE;
}

/* A module's refusal as an error of its @group, in the main file (the
 * module does not say which file); its "[group] " prefix is dropped. */
static void
add_module_error (KioskConfig *config,
                  GPtrArray   *problems,
                  const char  *group,
                  GError      *error)
{
  g_autofree char *prefix = g_strdup_printf ("[%s] ", group);
  const char *message = error->message;

  if (has_error_in (problems, group))
    return;
  if (g_str_has_prefix (message, prefix))
    message += strlen (prefix);
  add_problem (problems, FALSE, group, NULL,
               config->files->len > 0 ? g_ptr_array_index (config->files, 0) : NULL,
               g_strdup (message));
}

/* The modules that read [sync], [printer], [receipt] and [queue] are asked too: if
 * one refuses what the checks above let pass, say so, so that check-config
 * never says OK to a configuration a program would refuse. */
static void
check_modules (KioskConfig *config,
               GPtrArray   *problems)
{
  g_autoptr(GError) sync_error = NULL;
  g_autoptr(GError) printer_error = NULL;
  g_autoptr(GError) receipt_error = NULL;
  g_autoptr(GError) queue_error = NULL;
  g_autoptr(KioskPrinter) printer = NULL;
  g_autoptr(KioskReceiptOptions) receipt = NULL;
  KioskSyncSettings settings;
  KioskQueueRetention retention;

  /* A group that already has an error is not handed to its module: the
   * module's message would be dropped anyway, and a file the checks
   * refused (a FIFO as mac_key_file) must not be opened by it. */
  if (!has_error_in (problems, "sync")
      && !kiosk_sync_settings_from_keyfile (config->keyfile, &settings, &sync_error))
    add_module_error (config, problems, "sync", sync_error);
  if (!has_error_in (problems, "printer"))
    {
      printer = kiosk_printer_new_from_config (config, &printer_error);
      if (printer == NULL)
        add_module_error (config, problems, "printer", printer_error);
    }
  if (!has_error_in (problems, "receipt"))
    {
      receipt = kiosk_receipt_options_new_from_config (config, &receipt_error);
      if (receipt == NULL)
        add_module_error (config, problems, "receipt", receipt_error);
    }
  if (!has_error_in (problems, "queue")
      && !kiosk_queue_retention_from_keyfile (config->keyfile, &retention, &queue_error))
    add_module_error (config, problems, "queue", queue_error);
}

int
_kiosk_ctl_check_config (int argc, char **argv)
{
  g_autofree char *opt_config = NULL;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config,
      "Check FILE (and FILE.d/*.conf) instead of the default lookup", "FILE" },
    { NULL }
  };
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  guint n_errors = 0;

  if (!_kiosk_ctl_parse_options (&argc, &argv, "",
                                 "Check the configuration (docs/configuration.md): every problem with "
                                 "file, group and key, the destinations' keys and certificates, the "
                                 "platform's secret file, and the routing of forms. Exit status 1 when "
                                 "there is an error.", entries))
    return 2;
  if (argc > 1)
    {
      _kiosk_ctl_error ("check-config takes no arguments (try 'check-config --help')");
      return 2;
    }

  config = kiosk_config_load (opt_config, &problems, &error);
  if (problems == NULL)
    problems = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_config_problem_free);
  if (config != NULL)
    {
      kiosk_config_check_files (config, NULL, problems);
      check_routing (config, problems);
      check_modules (config, problems);
    }

  for (guint i = 0; i < problems->len; i++)
    {
      KioskConfigProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *line = kiosk_config_problem_to_string (problem);

      printf ("%s%s\n", problem->warning ? "warning: " : "", line);
      if (!problem->warning)
        n_errors++;
    }
  if (config == NULL && n_errors == 0)
    {
      /* Not expected: every failure comes with a problem. */
      printf ("%s\n", error != NULL ? error->message : "the configuration cannot be loaded");
      return 1;
    }
  if (n_errors > 0)
    return 1;

  if (config->is_demo)
    printf ("OK: the built-in demo configuration (no configuration file found)\n");
  else
    {
      printf ("OK:");
      for (guint i = 0; i < config->files->len; i++)
        printf ("%s %s", i > 0 ? "," : "", (const char *) g_ptr_array_index (config->files, i));
      printf ("\n");
    }
  return 0;
}
