/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A small driver of the jwe and keys modules for tests/test_jwe_interop.py
 * and for measuring: reads stdin, writes stdout.
 *
 *   jwe-tool encrypt  (--key JWK --trust-anchor PEM | --demo) [--cty CTY] [--time ISO8601]
 *   jwe-tool decrypt  --key PRIVATE_JWK            (plaintext to stdout; cty and kid to stderr)
 *   jwe-tool metadata --schema-uri URI [--sender-reference REF] [--date YYYY-MM-DD]
 *                     [--attachment UUID:PURPOSE:MIME:FILE]…
 *   jwe-tool bench    (--key JWK --trust-anchor PEM | --demo) [--size BYTES] [--count N]
 */
#define G_LOG_DOMAIN "antragskiosk-jwe-tool"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include <antragskiosk/config.h>
#include <antragskiosk/jwe.h>
#include <antragskiosk/keys.h>

static char *opt_key;
static char *opt_anchor;
static char *opt_cty;
static char *opt_time;
static char *opt_schema_uri;
static char *opt_reference;
static char *opt_date;
static char **opt_attachments;
static gboolean opt_demo;
static int opt_size = 4096;
static int opt_count = 10000;

static GOptionEntry entries[] = {
  { "key", 0, 0, G_OPTION_ARG_FILENAME, &opt_key, "JWK file", "FILE" },
  { "trust-anchor", 0, 0, G_OPTION_ARG_FILENAME, &opt_anchor, "PEM root certificate", "FILE" },
  { "demo", 0, 0, G_OPTION_ARG_NONE, &opt_demo, "Use the embedded demo destination's key", NULL },
  { "cty", 0, 0, G_OPTION_ARG_STRING, &opt_cty, "Content type", "CTY" },
  { "time", 0, 0, G_OPTION_ARG_STRING, &opt_time, "Verification time (ISO 8601)", "TIME" },
  { "schema-uri", 0, 0, G_OPTION_ARG_STRING, &opt_schema_uri, "submissionSchema URI", "URI" },
  { "sender-reference", 0, 0, G_OPTION_ARG_STRING, &opt_reference, "Sender reference", "REF" },
  { "date", 0, 0, G_OPTION_ARG_STRING, &opt_date, "Application date", "YYYY-MM-DD" },
  { "attachment", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_attachments, "Attachment", "UUID:PURPOSE:MIME:FILE" },
  { "size", 0, 0, G_OPTION_ARG_INT, &opt_size, "Bench payload size", "BYTES" },
  { "count", 0, 0, G_OPTION_ARG_INT, &opt_count, "Bench messages", "N" },
  { NULL }
};

static GBytes *
read_stdin (void)
{
  GByteArray *data = g_byte_array_new ();
  guint8 buffer[65536];
  ssize_t n;

  for (n = read (STDIN_FILENO, buffer, sizeof buffer); n > 0; n = read (STDIN_FILENO, buffer, sizeof buffer))
    g_byte_array_append (data, buffer, (guint) n);
  return g_byte_array_free_to_bytes (data);
}

static KioskKey *
load_public_key (GError **error)
{
  g_autoptr(GDateTime) when = NULL;

  if (opt_time != NULL)
    {
      when = g_date_time_new_from_iso8601 (opt_time, NULL);
      if (when == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "bad --time");
          return NULL;
        }
    }
  if (opt_demo)
    {
      g_autoptr(KioskConfig) config = kiosk_config_load_demo (NULL, error);
      const KioskDestinationConfig *d;

      if (config == NULL)
        return NULL;
      d = kiosk_config_destination_for_form (config, "any");
      return kiosk_key_load (d->key_file, d->trust_anchor, when, error);
    }
  if (opt_key == NULL || opt_anchor == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--key and --trust-anchor (or --demo) are required");
      return NULL;
    }
  return kiosk_key_load (opt_key, opt_anchor, when, error);
}

static int
do_encrypt (GError **error)
{
  g_autoptr(KioskKey) key = load_public_key (error);
  g_autoptr(GBytes) input = NULL;
  g_autofree char *jwe = NULL;
  gsize length = 0;
  const guint8 *data;

  if (key == NULL)
    return 1;
  input = read_stdin ();
  data = g_bytes_get_data (input, &length);
  jwe = kiosk_jwe_encrypt (key, opt_cty, data, length, error);
  if (jwe == NULL)
    return 1;
  fputs (jwe, stdout);
  return 0;
}

static int
do_decrypt (GError **error)
{
  g_autoptr(KioskKey) key = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autofree char *text = NULL;
  g_autofree char *cty = NULL;
  g_autofree char *kid = NULL;
  guint8 *plain;
  gsize length = 0;

  if (opt_key == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--key is required");
      return 1;
    }
  key = kiosk_key_load_private (opt_key, error);
  if (key == NULL)
    return 1;
  input = read_stdin ();
  text = g_strstrip (g_strndup (g_bytes_get_data (input, NULL), g_bytes_get_size (input)));
  plain = kiosk_jwe_decrypt (key, text, &length, &cty, &kid, error);
  if (plain == NULL)
    return 1;
  fwrite (plain, 1, length, stdout);
  fprintf (stderr, "cty=%s\nkid=%s\n", cty != NULL ? cty : "", kid != NULL ? kid : "");
  kiosk_jwe_free_plaintext (plain, length);
  return 0;
}

static int
do_metadata (GError **error)
{
  g_autoptr(GBytes) input = read_stdin ();
  g_autoptr(GArray) attachments = g_array_new (FALSE, TRUE, sizeof (KioskJweAttachment));
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *json = NULL;
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (input, &length);

  for (gsize i = 0; opt_attachments != NULL && opt_attachments[i] != NULL; i++)
    {
      char **parts = g_strsplit (opt_attachments[i], ":", 4);
      KioskJweAttachment a = { 0 };
      char *contents = NULL;
      gsize size = 0;

      if (g_strv_length (parts) != 4 || !g_file_get_contents (parts[3], &contents, &size, error))
        {
          g_strfreev (parts);
          if (error != NULL && *error == NULL)
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "bad --attachment");
          return 1;
        }
      a.attachment_id = parts[0];
      a.purpose = parts[1];
      a.mime_type = parts[2];
      a.data = (const guint8 *) contents;
      a.length = size;
      g_array_append_val (attachments, a);
      g_ptr_array_add (keep, contents);
      g_ptr_array_add (keep, parts[0]);
      g_ptr_array_add (keep, parts[1]);
      g_ptr_array_add (keep, parts[2]);
      g_ptr_array_add (keep, parts[3]);
      g_free (parts);
    }
  json = kiosk_metadata_build (data, length, opt_schema_uri,
                               (const KioskJweAttachment *) (void *) attachments->data,
                               attachments->len, opt_reference, opt_date, error);
  if (json == NULL)
    return 1;
  fputs (json, stdout);
  return 0;
}

static int
compare_times (const void *a,
               const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static int
do_bench (GError **error)
{
  g_autoptr(KioskKey) key = load_public_key (error);
  g_autofree guint8 *data = NULL;
  g_autofree gint64 *times = NULL;
  gint64 total = 0;

  if (key == NULL || opt_size < 0 || opt_count <= 0)
    return 1;
  data = g_malloc ((gsize) opt_size + 1);
  memset (data, 'a', (gsize) opt_size);
  times = g_new (gint64, opt_count);
  for (int i = 0; i < opt_count; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autofree char *jwe = kiosk_jwe_encrypt (key, NULL, data, (gsize) opt_size, error);

      if (jwe == NULL)
        return 1;
      times[i] = g_get_monotonic_time () - start;
      total += times[i];
    }
  qsort (times, (size_t) opt_count, sizeof (gint64), compare_times);
  printf ("RSA-%u + AES-256-GCM, %d bytes, %d messages: mean %.3f ms, p50 %.3f ms, p99 %.3f ms\n",
          kiosk_key_get_bits (key), opt_size, opt_count, (double) total / opt_count / 1000.0,
          (double) times[opt_count / 2] / 1000.0, (double) times[(opt_count * 99) / 100] / 1000.0);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("encrypt|decrypt|metadata|bench");
  g_autoptr(GError) error = NULL;
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      fprintf (stderr, "jwe-tool: %s\n", error != NULL ? error->message : "one command expected");
      return 2;
    }
  if (strcmp (argv[1], "encrypt") == 0)
    status = do_encrypt (&error);
  else if (strcmp (argv[1], "decrypt") == 0)
    status = do_decrypt (&error);
  else if (strcmp (argv[1], "metadata") == 0)
    status = do_metadata (&error);
  else if (strcmp (argv[1], "bench") == 0)
    status = do_bench (&error);
  else
    {
      fprintf (stderr, "jwe-tool: unknown command %s\n", argv[1]);
      return 2;
    }
  if (status != 0)
    fprintf (stderr, "jwe-tool: %s\n", error != NULL ? error->message : "failed");
  return status;
}
