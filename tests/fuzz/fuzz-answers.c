/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: a visitor's answers, on any bytes. The first byte
 * chooses one of the bundled forms, the rest is its answer set as JSON (as
 * `antragskiosk-ctl validate --answers` reads it). Each set is validated
 * and written as the canonical data, and every top-level field's canonical
 * value goes through the display formatter for the visitor and for the
 * authority: the parsers of every field kind (dates, numbers with their
 * separators, IBAN, names, codes) and the expressions that depend on them.
 * The seed corpus holds the sample answer sets (tests/data/answers/). */
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/display.h>
#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
quiet_log (const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
}

static KioskCatalog *catalog;

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GPtrArray *forms;
  KioskForm *form;
  g_autoptr(KioskAnswers) answers = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  gsize length = 0;
  char *out;

  if (catalog == NULL)
    {
      g_log_set_default_handler (quiet_log, NULL);
      kiosk_i18n_init_cli ();
      catalog = kiosk_catalog_new (NULL, NULL);
    }
  forms = kiosk_catalog_get_forms (catalog);
  if (size < 1 || forms->len == 0)
    return 0;
  form = g_ptr_array_index (forms, data[0] % forms->len);
  answers = kiosk_answers_new_from_json (form, (const char *) data + 1, (gssize) size - 1, NULL);
  if (answers == NULL)
    return 0;
  kiosk_answers_validate (answers, "2026-06-15", &problems);
  out = kiosk_answers_to_data (answers, "2026-06-15", &length, NULL);
  if (out != NULL)
    kiosk_secure_free (out, (gssize) length);
  for (guint i = 0; i < form->elements->len; i++)
    {
      const KioskElement *element = g_ptr_array_index (form->elements, i);
      char *canonical;

      if (!kiosk_kind_is_input (element->kind) || element->scope != NULL)
        continue;
      canonical = kiosk_answers_get_canonical (answers, element, NULL, 0, "2026-06-15");
      kiosk_display_free (kiosk_display_value (element, canonical, KIOSK_DISPLAY_FOR_VISITOR));
      kiosk_display_free (kiosk_display_value (element, canonical, KIOSK_DISPLAY_FOR_AUTHORITY));
      kiosk_display_free (canonical);
    }
  return 0;
}
