/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: field patterns with long values. The input is
 * PATTERN, a NUL byte, VALUE: the pattern goes into a form (the loader's
 * backtracking check and the compilation under a match limit), the value
 * into a multiline field with that pattern (max_length 100000), and the
 * answer set is validated. A pattern the loader accepts must match or fail
 * within the match limit: a slow input shows as a libFuzzer timeout. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <glib.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/form.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
quiet_log (const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
}

/* @s (@length bytes) as the content of a JSON string. */
static void
append_json_string (GString *out, const char *s, gsize length)
{
  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) s[i];

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  const char *nul = memchr (text, '\0', size);
  gsize pattern_length = nul != NULL ? (gsize) (nul - text) : MIN (size, 64);
  const char *value = text + MIN (pattern_length + 1, size);
  gsize value_length = size - (gsize) (value - text);
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(KioskForm) form = NULL;
  g_autoptr(KioskAnswers) answers = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *value_copy = NULL;

  g_log_set_default_handler (quiet_log, NULL);
  /* A value that reaches the match limit is refused with a warning for the
   * administrator: expected here, so warnings must not abort the run even
   * under G_DEBUG=fatal-warnings (as meson test sets it); criticals and
   * errors still do. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  if (pattern_length == 0 || !g_utf8_validate (text, (gssize) pattern_length, NULL))
    return 0;
  g_string_append (json, "{\"format\": 1, \"id\": \"f\", \"version\": \"1.0.0\", \"leika\": \"unknown\","
                   " \"schema_uri\": \"urn:fuzz:f\", \"category\": \"sonstiges\", \"title\": {\"de\": \"F\"},"
                   " \"pages\": [{\"id\": \"p\", \"title\": {\"de\": \"P\"}, \"items\": ["
                   "{\"id\": \"t\", \"kind\": \"multiline\", \"label\": {\"de\": \"T\"}, \"max_length\": 100000,"
                   " \"pattern_message\": {\"de\": \"M\"}, \"pattern\": \"");
  append_json_string (json, text, pattern_length);
  g_string_append (json, "\"}]}]}");
  form = kiosk_form_load_data (json->str, json->len, "fuzz.json", NULL, NULL);
  if (form == NULL)
    return 0;
  answers = kiosk_answers_new (form);
  value_copy = g_strndup (value, value_length);
  if (kiosk_answers_set_value (answers, kiosk_form_lookup (form, "t"), NULL, 0, value_copy))
    kiosk_answers_validate (answers, "2026-01-01", &problems);
  return 0;
}
