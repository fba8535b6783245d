/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <antragskiosk/fim.h>

#include "ctl-private.h"

/* import-fim: FIM XDatenfelder messages → kiosk forms (docs/fim.md). */

static char *opt_output = NULL;
static char *opt_codelists = NULL;
static char *opt_lang = NULL;
static char **opt_leika = NULL;

static gboolean
is_leika (const char *s)
{
  if (strlen (s) != 14)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* The LeiKa key for the schema @fim_id: "--leika S…=KEY", or "--leika KEY"
 * when only one file is imported. */
static const char *
leika_for (const char *fim_id, gboolean single)
{
  for (guint i = 0; opt_leika != NULL && opt_leika[i] != NULL; i++)
    {
      const char *eq = strchr (opt_leika[i], '=');

      if (eq == NULL && single)
        return opt_leika[i];
      if (eq != NULL && fim_id != NULL && strncmp (opt_leika[i], fim_id, eq - opt_leika[i]) == 0
          && fim_id[eq - opt_leika[i]] == '\0')
        return eq + 1;
    }
  return NULL;
}

static gboolean
write_file (const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    {
      _kiosk_ctl_error ("cannot write %s: %s", path, error->message);
      return FALSE;
    }
  return TRUE;
}

int
_kiosk_ctl_import_fim (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output, "Write the forms into DIR (created if missing)", "DIR" },
    { "codelists", 0, 0, G_OPTION_ARG_FILENAME, &opt_codelists, "Genericode files (*.xml, *.gc) of the code lists the schemas refer to", "DIR" },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &opt_lang, "Language of the XDF texts (de, the only one XDatenfelder has)", "de" },
    { "leika", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_leika, "LeiKa key of the service: KEY (one file) or SCHEMA-ID=KEY; repeatable", "[S…=]KEY" },
    { NULL }
  };
  g_autoptr(KioskFimCodeLists) lists = kiosk_fim_code_lists_new ();
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) written = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int status = 0;
  int files;

  if (!_kiosk_ctl_parse_options (&argc, &argv, "FILE…",
                                 "Import FIM XDatenfelder 2.0/3.0 Stammdatenschema and Datenfeldgruppe messages as forms:\n"
                                 "one DIR/<form-id>.json per message (and DIR/<form-id>.fim.tsv, the key → FIM element table).\n"
                                 "Ends with one line per file: FILE: form=ID fields=N unmapped=U groups=G rules=R;\n"
                                 "what was not imported is listed on stderr.",
                                 entries))
    return 2;
  if (argc < 2)
    {
      _kiosk_ctl_error ("import-fim: name at least one XDF file (try 'antragskiosk-ctl import-fim --help')");
      return 2;
    }
  if (opt_output == NULL)
    {
      _kiosk_ctl_error ("import-fim: --output DIR is required (try 'antragskiosk-ctl import-fim --help')");
      return 2;
    }
  if (opt_lang != NULL && strcmp (opt_lang, "de") != 0)
    {
      _kiosk_ctl_error ("import-fim: --lang %s: XDatenfelder texts are German; only --lang de is possible", opt_lang);
      return 2;
    }
  files = argc - 1;
  for (guint i = 0; opt_leika != NULL && opt_leika[i] != NULL; i++)
    {
      const char *eq = strchr (opt_leika[i], '=');
      const char *key = eq != NULL ? eq + 1 : opt_leika[i];

      if (!is_leika (key))
        {
          _kiosk_ctl_error ("import-fim: --leika %s: a LeiKa key has 14 digits", opt_leika[i]);
          return 2;
        }
      if (eq == NULL && files != 1)
        {
          _kiosk_ctl_error ("import-fim: --leika KEY without a schema id needs exactly one file; write --leika S…=KEY");
          return 2;
        }
    }
  if (opt_codelists != NULL)
    {
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;

      if (!kiosk_fim_code_lists_add_dir (lists, opt_codelists, problems, &error))
        {
          _kiosk_ctl_error ("import-fim: --codelists %s: %s", opt_codelists, error->message);
          return 1;
        }
      for (guint i = 0; i < problems->len; i++)
        {
          fprintf (stderr, "%s (code list not used)\n", (char *) g_ptr_array_index (problems, i));
          status = 1;
        }
    }
  if (g_mkdir_with_parents (opt_output, 0755) != 0 || !g_file_test (opt_output, G_FILE_TEST_IS_DIR))
    {
      _kiosk_ctl_error ("import-fim: cannot create the directory %s: %s", opt_output, g_strerror (errno));
      return 1;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskFimResult) result = NULL;
      g_autofree char *json_name = NULL, *map_name = NULL;
      KioskFimOptions options = { lists, NULL, "de" };
      const char *previous;

      /* The LeiKa key needs the schema id: a first look without one. */
      result = kiosk_fim_import_file (argv[i], &options, &error);
      if (result != NULL && leika_for (result->fim_id, files == 1) != NULL)
        {
          options.leika = leika_for (result->fim_id, files == 1);
          g_clear_pointer (&result, kiosk_fim_result_free);
          result = kiosk_fim_import_file (argv[i], &options, &error);
        }
      if (result == NULL)
        {
          fprintf (stderr, "antragskiosk-ctl: %s\n", error->message);
          g_ptr_array_add (reports, g_strdup_printf ("%s: not imported", argv[i]));
          status = 1;
          continue;
        }
      for (guint n = 0; n < result->notes->len; n++)
        {
          g_autofree char *line = kiosk_fim_note_to_string (result, g_ptr_array_index (result->notes, n));
          fprintf (stderr, "%s\n", line);
        }
      if (options.leika == NULL)
        fprintf (stderr, "%s: warning: no LeiKa key (--leika %s=KEY): the form's leika is \"unknown\", "
                         "and a platform that needs the service's key refuses its submissions\n",
                 argv[i], result->fim_id);
      previous = g_hash_table_lookup (written, result->form_id);
      if (previous != NULL)
        fprintf (stderr, "%s: warning: form %s was written from %s already; this file replaces it\n",
                 argv[i], result->form_id, previous);
      g_hash_table_insert (written, g_strdup (result->form_id), g_strdup (argv[i]));
      json_name = g_strconcat (result->form_id, ".json", NULL);
      map_name = g_strconcat (result->form_id, ".fim.tsv", NULL);
      if (!write_file (opt_output, json_name, result->form_json)
          || !write_file (opt_output, map_name, result->map_tsv))
        {
          g_ptr_array_add (reports, g_strdup_printf ("%s: not imported", argv[i]));
          status = 1;
          continue;
        }
      g_ptr_array_add (reports, kiosk_fim_result_report_line (result));
    }
  fflush (stderr);
  for (guint i = 0; i < reports->len; i++)
    printf ("%s\n", (char *) g_ptr_array_index (reports, i));
  return status;
}
