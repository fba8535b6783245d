/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/config.h>
#include <antragskiosk/file.h>
#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>

#include "ctl-private.h"

/* The form commands: forms, check-forms, validate, schema. */

static char *opt_forms_dir = NULL;
static char *opt_config = NULL;

#define CONFIG_OPTION \
  { "config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config, "Read the configuration from FILE (its [kiosk] forms_dir)", "FILE" }

/* The bundled forms plus the forms directory: --forms-dir, or the
 * configuration's [kiosk] forms_dir. */
KioskCatalog *
_kiosk_ctl_open_catalog (const char *config_path,
                         const char *forms_dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  KioskCatalog *catalog;

  if (forms_dir == NULL)
    {
      config = kiosk_config_load (config_path, NULL, &error);
      if (config == NULL)
        {
          _kiosk_ctl_error ("cannot use the configuration: %s (see 'antragskiosk-ctl check-config')", error->message);
          return NULL;
        }
    }
  /* With the configuration: the forms as the kiosk has them in service
   * (a broken file's last good version included); with --forms-dir: that
   * directory alone. */
  catalog = config != NULL ? kiosk_catalog_new_for_config (config, FALSE, &error)
                           : kiosk_catalog_new (forms_dir, &error);

  if (catalog == NULL)
    _kiosk_ctl_error ("cannot load the forms: %s", error->message);
  return catalog;
}

static KioskCatalog *
open_catalog (void)
{
  return _kiosk_ctl_open_catalog (opt_config, opt_forms_dir);
}

KioskForm *
_kiosk_ctl_lookup_form (KioskCatalog *catalog,
                        const char   *form_id)
{
  KioskForm *form = kiosk_catalog_lookup (catalog, form_id);

  if (form == NULL)
    _kiosk_ctl_error ("there is no form \"%s\" (see 'antragskiosk-ctl forms')", form_id);
  return form;
}

char *
_kiosk_ctl_read_input (const char *file,
                       gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (strcmp (file, "-") == 0)
    {
      /* A pipe is what standard input is for; only the size is bounded. */
      GString *buffer = g_string_sized_new (4096);
      char chunk[4096];
      ssize_t n;

      for (;;)
        {
          n = read (STDIN_FILENO, chunk, sizeof chunk);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0 || buffer->len + (gsize) n > KIOSK_FILE_MAX_ANSWERS)
            break;
          g_string_append_len (buffer, chunk, n);
        }
      if (n != 0)
        {
          if (n < 0)
            _kiosk_ctl_error ("cannot read standard input: %s", g_strerror (errno));
          else
            _kiosk_ctl_error ("standard input has more than the %u MiB an answer set may have; is it the right input?",
                              KIOSK_FILE_MAX_ANSWERS / (1024 * 1024));
          {
            gsize used = buffer->len;

            kiosk_secure_free (g_string_free (buffer, FALSE), (gssize) used);
          }
          explicit_bzero (chunk, sizeof chunk);
          return NULL;
        }
      explicit_bzero (chunk, sizeof chunk);
      *length = buffer->len;
      return g_string_free (buffer, FALSE);
    }
  /* Only a regular file of bounded size: a FIFO or device given as
   * --answers is refused at once instead of hanging the command. */
  if (!kiosk_file_read (file, KIOSK_FILE_MAX_ANSWERS, &contents, length, &error))
    _kiosk_ctl_error ("cannot read the answers: %s", error->message);
  return contents;
}

gboolean
_kiosk_ctl_check_date (const char *option,
                       const char *value)
{
  int y, m, d;

  if (value == NULL)
    return TRUE;
  if (strlen (value) == 10 && sscanf (value, "%4d-%2d-%2d", &y, &m, &d) == 3
      && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return TRUE;
  _kiosk_ctl_error ("%s needs a date written YYYY-MM-DD", option);
  return FALSE;
}

void
_kiosk_ctl_print_answer_problems (GPtrArray *problems)
{
  for (guint i = 0; i < problems->len; i++)
    {
      KioskAnswerProblem *problem = g_ptr_array_index (problems, i);
      printf ("%s: %s\n", problem->path, problem->message);
    }
}

int
_kiosk_ctl_forms (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "forms-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_forms_dir, "Also load the forms in DIR (instead of the configured directory)", "DIR" },
    CONFIG_OPTION,
    { NULL }
  };
  g_autoptr(KioskCatalog) catalog = NULL;
  GPtrArray *forms;

  if (!_kiosk_ctl_parse_options (&argc, &argv, "", "List the available forms: id, version and title, one per line.", entries))
    return 2;
  if (argc > 1)
    {
      _kiosk_ctl_error ("forms takes no arguments (try 'forms --help')");
      return 2;
    }
  catalog = open_catalog ();
  if (catalog == NULL)
    return 1;
  forms = kiosk_catalog_get_forms (catalog);
  for (guint i = 0; i < forms->len; i++)
    {
      KioskForm *form = g_ptr_array_index (forms, i);
      printf ("%s\t%s\t%s\n", form->id, form->version, kiosk_text_get (form->title, NULL));
    }
  return 0;
}

static void
print_problems (GPtrArray *problems)
{
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      g_autofree char *line = kiosk_form_problem_to_string (g_ptr_array_index (problems, i));
      printf ("%s\n", line);
    }
}

static const char *
language_name (const char *lang)
{
  static const struct { const char *code, *name; } names[] = {
    { "de", "German" }, { "en", "English" }, { "tr", "Turkish" }, { "ar", "Arabic" }, { "uk", "Ukrainian" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].code, lang))
      return names[i].name;
  return lang;
}

/* A warning, not a problem: a form that lacks a language the kiosk
 * offers is shown in German there, text by text. One line per language:
 * how many texts lack it and the first few. */
static void
print_language_warnings (KioskForm *form)
{
  for (guint l = 1; kiosk_i18n_languages[l] != NULL; l++)
    {
      const char *lang = kiosk_i18n_languages[l];
      g_autoptr(GPtrArray) missing = kiosk_form_texts_missing_language (form, lang);
      g_autoptr(GString) examples = g_string_new (NULL);

      if (missing->len == 0)
        continue;
      for (guint i = 0; i < missing->len && i < 3; i++)
        g_string_append_printf (examples, "%s%s", i > 0 ? ", " : "", (const char *) g_ptr_array_index (missing, i));
      printf ("%s: warning: %u text%s without %s (%s), e.g. %s%s; visitors who choose %s see German there\n",
              form->file, missing->len, missing->len == 1 ? "" : "s", language_name (lang), lang,
              examples->str, missing->len > 3 ? ", …" : "", language_name (lang));
    }
}

int
_kiosk_ctl_check_forms (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "forms-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_forms_dir, "Also check the forms in DIR (instead of the configured directory)", "DIR" },
    CONFIG_OPTION,
    { NULL }
  };
  gboolean ok = TRUE;

  if (!_kiosk_ctl_parse_options (&argc, &argv, "[PATH…]",
                                 "Check form definition files (default: the bundled forms and the forms directory).\n"
                                 "Prints one 'file:line:col: path: message' line per problem; exit 1 if any.\n"
                                 "A form that lacks a language the kiosk offers gets a 'file: warning: …' line\n"
                                 "per language (exit status unchanged).", entries))
    return 2;

  if (argc > 1)
    {
      for (int i = 1; i < argc; i++)
        {
          g_autoptr(GPtrArray) problems = NULL;
          g_autoptr(KioskForm) form = kiosk_form_load_file (argv[i], &problems, NULL);

          if (form == NULL)
            ok = FALSE;
          print_problems (problems);
          if (form != NULL)
            print_language_warnings (form);
        }
    }
  else
    {
      g_autoptr(KioskCatalog) catalog = open_catalog ();
      GPtrArray *problems;

      if (catalog == NULL)
        return 1;
      problems = kiosk_catalog_get_problems (catalog);
      print_problems (problems);
      ok = problems->len == 0;
      {
        GPtrArray *forms = kiosk_catalog_get_forms (catalog);

        for (guint i = 0; i < forms->len; i++)
          print_language_warnings (g_ptr_array_index (forms, i));
      }
    }
  return ok ? 0 : 1;
}

int
_kiosk_ctl_validate (int argc, char **argv)
{
  g_autofree char *form_id = NULL;
  g_autofree char *answers_file = NULL;
  g_autofree char *lang = NULL;
  g_autofree char *today = NULL;
  GOptionEntry entries[] = {
    { "form", 0, 0, G_OPTION_ARG_STRING, &form_id, "The form's id", "ID" },
    { "answers", 0, 0, G_OPTION_ARG_FILENAME, &answers_file, "The answers (JSON object keyed by field id; - for stdin)", "FILE" },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &lang, "Language of the messages (de, en, …; default de)", "LANG" },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today, "Validate as if today were DATE (YYYY-MM-DD)", "DATE" },
    { "forms-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_forms_dir, "Also load the forms in DIR (instead of the configured directory)", "DIR" },
    CONFIG_OPTION,
    { NULL }
  };
  g_autoptr(KioskCatalog) catalog = NULL;
  g_autoptr(KioskAnswers) answers = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  KioskForm *form;
  char *data;

  if (!_kiosk_ctl_parse_options (&argc, &argv, "--form ID --answers FILE",
                                 "Validate an answer set exactly as the kiosk does. Prints the field errors (exit 1)\n"
                                 "or the canonical data JSON (exit 0).", entries))
    return 2;
  if (form_id == NULL || answers_file == NULL || argc > 1)
    {
      _kiosk_ctl_error ("validate needs --form ID and --answers FILE (try 'validate --help')");
      return 2;
    }
  if (!_kiosk_ctl_check_date ("--today", today))
    return 2;
  kiosk_i18n_set_language (lang);

  catalog = open_catalog ();
  if (catalog == NULL)
    return 1;
  form = _kiosk_ctl_lookup_form (catalog, form_id);
  if (form == NULL)
    return 1;
  contents = _kiosk_ctl_read_input (answers_file, &length);
  if (contents == NULL)
    return 1;
  answers = kiosk_answers_new_from_json (form, contents, (gssize) length, &error);
  kiosk_secure_free (g_steal_pointer (&contents), (gssize) length);
  if (answers == NULL)
    {
      _kiosk_ctl_error ("%s: %s", answers_file, error->message);
      return 1;
    }
  if (!kiosk_answers_validate (answers, today, &problems))
    {
      _kiosk_ctl_print_answer_problems (problems);
      return 1;
    }
  data = kiosk_answers_to_data (answers, today, &length, &error);
  if (data == NULL)
    {
      _kiosk_ctl_error ("%s", error->message);
      return 1;
    }
  fwrite (data, 1, length, stdout);
  fputc ('\n', stdout);
  kiosk_secure_free (data, (gssize) length);
  return 0;
}

int
_kiosk_ctl_schema (int argc, char **argv)
{
  g_autofree char *form_id = NULL;
  GOptionEntry entries[] = {
    { "form", 0, 0, G_OPTION_ARG_STRING, &form_id, "The form's id", "ID" },
    { "forms-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_forms_dir, "Also load the forms in DIR (instead of the configured directory)", "DIR" },
    CONFIG_OPTION,
    { NULL }
  };
  g_autoptr(KioskCatalog) catalog = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) schema = NULL;
  g_autofree char *text = NULL;
  KioskForm *form;

  if (!_kiosk_ctl_parse_options (&argc, &argv, "--form ID",
                                 "Print the JSON Schema (draft 2020-12) of a form's submitted data.", entries))
    return 2;
  if (form_id == NULL || argc > 1)
    {
      _kiosk_ctl_error ("schema needs --form ID (try 'schema --help')");
      return 2;
    }
  catalog = open_catalog ();
  if (catalog == NULL)
    return 1;
  form = _kiosk_ctl_lookup_form (catalog, form_id);
  if (form == NULL)
    return 1;
  schema = kiosk_form_to_json_schema (form);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, schema);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  return 0;
}
