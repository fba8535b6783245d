/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gi18n.h>

#include <antragskiosk/i18n.h>
#include <antragskiosk/log.h>

#include "ctl-private.h"

typedef struct {
  const char      *name;
  KioskCtlCommand  run;
  const char      *summary;
} KioskCtlEntry;

/* One line per subcommand, in the order --help lists them. */
static const KioskCtlEntry commands[] = {
  { "forms",        _kiosk_ctl_forms,        "List the available forms (id, version, title)" },
  { "check-forms",  _kiosk_ctl_check_forms,  "Check form definition files; one file:line:col: message per problem" },
  { "validate",     _kiosk_ctl_validate,     "Validate an answers file; print the canonical data JSON" },
  { "schema",       _kiosk_ctl_schema,       "Print a form's JSON Schema (draft 2020-12)" },
  { "import-fim",   _kiosk_ctl_import_fim,   "Import FIM XDatenfelder 2.0/3.0 schemas as forms; one report line per file" },
  { "check-config", _kiosk_ctl_check_config, "Check the configuration; one file: [group] key: message per problem" },
  { "hash-pin",     _kiosk_ctl_hash_pin,     "Read the clerk PIN and print its [clerk] pin_hash drop-in" },
  { "receipt",      _kiosk_ctl_receipt,      "Render or reprint the receipt of a queued or sent application" },
  { "queue",        _kiosk_ctl_queue,        "Queue status, list, retry and purge of stored applications" },
  { "status",       _kiosk_ctl_status,       "The kiosk's health for monitoring: queue, sync, printer, keys, forms, alerts (--json)" },
  { "sync",         _kiosk_ctl_sync,         "Send queued applications to the platform (--once: one pass and a summary)" },
  { "destinations", _kiosk_ctl_destinations, "Each destination: services, key id and expiry, last verified (--refresh, --json)" },
  { "submit",       _kiosk_ctl_submit,       "Validate, encrypt and queue an application; print its reference" },
};

void
_kiosk_ctl_error (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "antragskiosk-ctl: %s\n", message);
}

gboolean
_kiosk_ctl_parse_options (int           *argc,
                          char        ***argv,
                          const char    *parameter_string,
                          const char    *summary,
                          GOptionEntry  *entries)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter_string);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      _kiosk_ctl_error ("%s %s: %s (try '%s --help')",
                        "antragskiosk-ctl", (*argv)[0], error->message, (*argv)[0]);
      return FALSE;
    }
  return TRUE;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: antragskiosk-ctl COMMAND [OPTIONS…]\n\n"
                "Administer an Antragskiosk terminal without its screen.\n\n"
                "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-14s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nOptions:\n"
                "  --help         Show this help; COMMAND --help shows a command's options\n"
                "  --version      Show the version\n"
                "\nExit status: 0 success, 1 problems found or the operation failed, 2 usage error.\n");
}

int
main (int argc, char **argv)
{
  /* English throughout for IT staff, whatever the shell's locale
   * (docs/operations.md, "Language"); first, before anything translates */
  kiosk_i18n_init_cli ();
  kiosk_log_init ("antragskiosk-ctl");
  /* stdout is for results that scripts read; every log message, debug
   * included, goes to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("antragskiosk-ctl %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (argv[1], commands[i].name) == 0)
        return commands[i].run (argc - 1, argv + 1);
    }

  _kiosk_ctl_error ("unknown command '%s' (try 'antragskiosk-ctl --help')", argv[1]);
  return 2;
}
