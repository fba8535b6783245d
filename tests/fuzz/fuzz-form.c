/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the form loader, on any bytes. When a definition
 * loads, its schema is generated and an empty and a nonsense answer set are
 * validated, so the expressions the fuzzer builds are evaluated too. */
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/form.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
quiet_log (const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(KioskForm) form = NULL;

  g_log_set_default_handler (quiet_log, NULL);
  form = kiosk_form_load_data ((const char *) data, size, "fuzz.json", &problems, NULL);
  if (problems != NULL)
    for (guint i = 0; i < problems->len; i++)
      g_free (kiosk_form_problem_to_string (g_ptr_array_index (problems, i)));
  if (form != NULL)
    {
      g_autoptr(KioskAnswers) empty = kiosk_answers_new (form);
      g_autoptr(GPtrArray) answer_problems = NULL;
      g_autofree char *json = NULL;
      GString *nonsense = g_string_new ("{");

      json_node_unref (kiosk_form_to_json_schema (form));
      kiosk_answers_validate (empty, "2026-01-01", &answer_problems);
      /* Every top-level field answered with the same odd string. */
      for (guint i = 0; i < form->elements->len; i++)
        {
          const KioskElement *element = g_ptr_array_index (form->elements, i);
          if (kiosk_kind_is_input (element->kind) && element->scope == NULL)
            g_string_append_printf (nonsense, "%s\"%s\": \"1\"", nonsense->len > 1 ? "," : "", element->id);
        }
      g_string_append_c (nonsense, '}');
      json = g_string_free (nonsense, FALSE);
      {
        g_autoptr(KioskAnswers) answers = kiosk_answers_new_from_json (form, json, -1, NULL);
        if (answers != NULL)
          {
            gsize length = 0;
            char *out = kiosk_answers_to_data (answers, "2026-01-01", &length, NULL);

            kiosk_secure_free (out, (gssize) length);
            g_clear_pointer (&answer_problems, g_ptr_array_unref);
            kiosk_answers_validate (answers, "2026-01-01", &answer_problems);
          }
      }
    }
  return 0;
}
