/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The form engine's figures: loading and checking the bundled forms, and a
 * generated 2,000-field form: load, validate a full answer set, build the
 * canonical data; time (median of runs) and peak memory (of a fresh child
 * process, above an idle one). For scale beside it: json-glib parsing the
 * same file (which the loader no longer does), in the same run. Target: load + validate of the
 * 2,000-field form under 20 ms. */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>

#include "bench-common.h"

#define RUNS 25
#define FIELDS 2000
#define PER_PAGE 100

/* A form with @FIELDS fields of mixed kinds on 20 pages, with conditions,
 * and a complete valid answer set for it. */
static void
generate (GString *form, GString *answers)
{
  static const char *kinds[] = { "text", "name", "integer", "currency", "date", "select", "email",
                                 "postcode", "iban", "checkbox", "phone", "multiline", "number", "taxid" };
  static const char *values[] = { "\"Musterstraße 1\"", "\"Zoë Ñúñez-O'Brien\"", "\"42\"", "\"12,50\"", "\"01.02.1985\"",
                                  "\"b\"", "\"max@example.de\"", "\"01067\"", "\"DE89 3704 0044 0532 0130 00\"", "true",
                                  "\"+49 30 1234567\"", "\"Zeile eins\\nZeile zwei\"", "\"3,5\"", "\"65929970489\"" };

  g_string_append (form, "{\"format\": 1, \"id\": \"gross\", \"version\": \"1.0.0\", \"leika\": \"unknown\",\n"
                         " \"schema_uri\": \"urn:bench:gross\", \"category\": \"sonstiges\",\n"
                         " \"title\": {\"de\": \"Großes Formular\", \"en\": \"Large form\"},\n"
                         " \"code_lists\": {\"abc\": {\"values\": [{\"code\": \"a\", \"label\": {\"de\": \"A\"}},"
                         " {\"code\": \"b\", \"label\": {\"de\": \"B\"}}, {\"code\": \"c\", \"label\": {\"de\": \"C\"}}]}},\n"
                         " \"pages\": [\n");
  g_string_append (answers, "{");
  for (int page = 0; page < FIELDS / PER_PAGE; page++)
    {
      g_string_append_printf (form, "%s  {\"id\": \"seite_%d\", \"title\": {\"de\": \"Seite %d\", \"en\": \"Page %d\"}, \"items\": [\n",
                              page > 0 ? ",\n" : "", page, page + 1, page + 1);
      for (int i = 0; i < PER_PAGE; i++)
        {
          int n = page * PER_PAGE + i;
          int k = n % (int) G_N_ELEMENTS (kinds);
          const char *kind = kinds[k];

          g_string_append_printf (form, "%s    {\"id\": \"f%d\", \"kind\": \"%s\", \"label\": {\"de\": \"Feld %d\", \"en\": \"Field %d\"}",
                                  i > 0 ? ",\n" : "", n, kind, n, n);
          if (strcmp (kind, "select") == 0)
            g_string_append (form, ", \"code_list\": \"abc\"");
          if (strcmp (kind, "date") == 0)
            g_string_append (form, ", \"not_future\": true, \"min_age\": 18");
          if (strcmp (kind, "integer") == 0 || strcmp (kind, "currency") == 0)
            g_string_append (form, ", \"min\": 0, \"max\": 100000");
          if (strcmp (kind, "text") == 0)
            g_string_append (form, ", \"max_length\": 80, \"pattern\": \"[^<>]+\", \"pattern_message\": {\"de\": \"Keine spitzen Klammern.\"}");
          if (strcmp (kind, "checkbox") != 0)
            g_string_append (form, ", \"required\": true");
          /* Every tenth field is conditional on the select field before it. */
          if (n % 10 == 9 && n >= 14)
            g_string_append_printf (form, ", \"relevant\": \"f%d in ['a', 'b']\"", (n / 14) * 14 + 5 < n ? (n / 14) * 14 + 5 : (n / 14) * 14 - 9);
          g_string_append (form, "}");
          g_string_append_printf (answers, "%s\"f%d\": %s", n > 0 ? ", " : "", n, values[k]);
        }
      g_string_append (form, "\n  ]}");
    }
  g_string_append (form, "\n]}\n");
  g_string_append (answers, "}");
}

/* The peak resident memory of a fresh process doing @mode, in KiB: the
 * child reports its own VmHWM (ru_maxrss from wait4 would carry the
 * parent's high-water mark over the exec). */
static long
child_peak_kib (const char *self, const char *mode)
{
  const char *argv[] = { self, "--child", mode, NULL };
  g_autofree char *out = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL) || out == NULL)
    return -1;
  return (long) g_ascii_strtoll (out, NULL, 10);
}

static void
print_own_peak (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  line = strstr (status, "VmHWM:");
  if (line != NULL)
    printf ("%ld\n", g_ascii_strtoll (line + strlen ("VmHWM:"), NULL, 10));
}

static int
child (const char *mode)
{
  g_autoptr(GString) form_text = g_string_new (NULL);
  g_autoptr(GString) answers_text = g_string_new (NULL);

  generate (form_text, answers_text);
  if (strcmp (mode, "generated") == 0)
    {
      g_autoptr(KioskForm) form = kiosk_form_load_data (form_text->str, form_text->len, "gross.json", NULL, NULL);
      g_autoptr(KioskAnswers) answers = kiosk_answers_new_from_json (form, answers_text->str, -1, NULL);
      g_autofree char *data = kiosk_answers_to_data (answers, "2026-06-15", NULL, NULL);
      print_own_peak ();
      return data != NULL ? 0 : 1;
    }
  if (strcmp (mode, "bundled") == 0)
    {
      g_autoptr(KioskCatalog) catalog = kiosk_catalog_new (NULL, NULL);
      print_own_peak ();
      return catalog != NULL ? 0 : 1;
    }
  print_own_peak ();   /* "idle": the baseline */
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GString) form_text = g_string_new (NULL);
  g_autoptr(GString) answers_text = g_string_new (NULL);
  double load[RUNS], validate[RUNS], data_time[RUNS], total[RUNS], parse[RUNS], bundled[RUNS];
  g_autoptr(KioskForm) check_form = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  long idle, peak_generated, peak_bundled;

  if (argc == 3 && strcmp (argv[1], "--child") == 0)
    return child (argv[2]);

  kiosk_i18n_init ();
  generate (form_text, answers_text);

  /* The generated form must really be valid, or the figures mean nothing. */
  check_form = kiosk_form_load_data (form_text->str, form_text->len, "gross.json", &problems, &error);
  if (check_form == NULL)
    {
      g_printerr ("the generated form does not load: %s\n", error->message);
      return 1;
    }
  {
    g_autoptr(KioskAnswers) answers = kiosk_answers_new_from_json (check_form, answers_text->str, -1, &error);
    g_autoptr(GPtrArray) answer_problems = NULL;
    if (answers == NULL || !kiosk_answers_validate (answers, "2026-06-15", &answer_problems))
      {
        g_printerr ("the generated answers do not validate (%s)\n",
                    answers == NULL ? error->message : ((KioskAnswerProblem *) answer_problems->pdata[0])->message);
        return 1;
      }
  }

  for (int r = 0; r < RUNS; r++)
    {
      double t0, t1, t2, t3;
      g_autoptr(JsonParser) parser = json_parser_new ();

      t0 = bench_now_ms ();
      json_parser_load_from_data (parser, form_text->str, (gssize) form_text->len, NULL);
      parse[r] = bench_now_ms () - t0;

      t0 = bench_now_ms ();
      {
        g_autoptr(KioskForm) form = kiosk_form_load_data (form_text->str, form_text->len, "gross.json", NULL, NULL);
        g_autoptr(KioskAnswers) answers = NULL;
        g_autofree char *data = NULL;

        t1 = bench_now_ms ();
        answers = kiosk_answers_new_from_json (form, answers_text->str, -1, NULL);
        kiosk_answers_validate (answers, "2026-06-15", NULL);
        t2 = bench_now_ms ();
        data = kiosk_answers_to_data (answers, "2026-06-15", NULL, NULL);
        t3 = bench_now_ms ();
      }
      load[r] = t1 - t0;
      validate[r] = t2 - t1;
      data_time[r] = t3 - t2;
      total[r] = t2 - t0;

      t0 = bench_now_ms ();
      kiosk_catalog_free (kiosk_catalog_new (NULL, NULL));
      bundled[r] = bench_now_ms () - t0;
    }

  idle = child_peak_kib (argv[0], "idle");
  peak_generated = child_peak_kib (argv[0], "generated");
  peak_bundled = child_peak_kib (argv[0], "bundled");

  bench_row ("forms", "bundled forms: load + check all", bench_median (bundled, RUNS), "ms", "");
  bench_row ("forms", "bundled forms: peak memory above idle", (double) (peak_bundled - idle) / 1024.0, "MiB", "");
  bench_row ("forms", "2000 fields: load + check", bench_median (load, RUNS), "ms", "");
  bench_row ("forms", "2000 fields: json-glib parse alone", bench_median (parse, RUNS), "ms", "for scale, same run");
  bench_row ("forms", "2000 fields: read + validate answers", bench_median (validate, RUNS), "ms", "");
  bench_row ("forms", "2000 fields: load + validate", bench_median (total, RUNS), "ms", "target < 20 ms");
  bench_row ("forms", "2000 fields: canonical data JSON", bench_median (data_time, RUNS), "ms", "");
  bench_row ("forms", "2000 fields: peak memory above idle", (double) (peak_generated - idle) / 1024.0, "MiB", "");
  return 0;
}
