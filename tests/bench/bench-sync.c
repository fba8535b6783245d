/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drains N queued applications (default 10000) to the local test platform
 * (tests/platform/platform.py, started here with the demo destination's
 * private key) with the sync engine, and beside it, in the same run and
 * against the same server, the same requests (token, create, attachment,
 * submit) made by a bare keep-alive libcurl loop: the limit. Reports
 * applications per second, HTTP requests per application, connections
 * opened, and the ratio (target >= 0.9).
 * Usage: bench-sync [N] [BARE_N] (BARE_N default max(200, N/10)). */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <curl/curl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/config.h>
#include <antragskiosk/i18n.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/submission.h>
#include <antragskiosk/sync.h>

#include "bench-common.h"

#define FORM "meldebescheinigung"

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  for (const char *name = dir != NULL ? g_dir_read_name (dir) : NULL; name != NULL; name = g_dir_read_name (dir))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

typedef struct {
  GPid  pid;
  char *base;     /* https://127.0.0.1:PORT */
  char *ca;
} Platform;

/* Starts the platform and reads its "READY URL CA" line. */
static void
platform_start (Platform *platform, const char *state_dir)
{
  /* ANTRAGSKIOSK_PLATFORM: another platform script with the same CLI. */
  g_autofree char *script = g_getenv ("ANTRAGSKIOSK_PLATFORM") != NULL
                            ? g_strdup (g_getenv ("ANTRAGSKIOSK_PLATFORM"))
                            : g_build_filename (ANTRAGSKIOSK_SOURCE_DIR, "tests", "platform", "platform.py", NULL);
  g_autofree char *key = g_build_filename (ANTRAGSKIOSK_SOURCE_DIR, "packaging", "dev", "demo-destination-private.jwk", NULL);
  const char *argv[] = { "/usr/bin/python3", script, "serve", "--state-dir", state_dir, "--destination-key", key,
                         "--client-id", "bench-kiosk", "--client-secret", "bench-secret", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) out = NULL;
  g_autofree char *line = NULL;
  g_auto(GStrv) words = NULL;
  int fd = -1;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                 &platform->pid, NULL, &fd, NULL, &error))
    g_error ("cannot start the platform: %s", error->message);
  out = g_io_channel_unix_new (fd);
  g_io_channel_set_close_on_unref (out, TRUE);
  while (g_io_channel_read_line (out, &line, NULL, NULL, NULL) == G_IO_STATUS_NORMAL)
    {
      if (g_str_has_prefix (line, "READY "))
        break;
      g_clear_pointer (&line, g_free);
    }
  if (line == NULL)
    g_error ("the platform did not say READY");
  g_strstrip (line);
  words = g_strsplit (line, " ", 0);
  g_assert (g_strv_length (words) >= 3);
  platform->base = g_strdup (words[1]);
  platform->ca = g_strdup (words[2]);
}

static void
platform_stop (Platform *platform)
{
  kill (platform->pid, SIGTERM);
  g_spawn_close_pid (platform->pid);
}

static char *
write_config (const char *dir, const char *data_dir, const Platform *platform)
{
  g_autofree char *secret = g_build_filename (dir, "client-secret", NULL);
  char *path = g_build_filename (dir, "kiosk.conf", NULL);
  g_autofree char *text = g_strdup_printf (
    "[kiosk]\nid=bench\ndata_dir=%s\n\n"
    "[platform]\ntoken_url=%s/token\nsubmission_api=%s\nclient_id=bench-kiosk\n"
    "client_secret_file=%s\nca_file=%s\n\n"
    "[destination demo]\ndestination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
    "key_file=resource:///de/antragskiosk/demo/demo-destination.jwk\n"
    "trust_anchor=resource:///de/antragskiosk/demo/demo-root-ca.pem\nforms=*\n",
    data_dir, platform->base, platform->base, secret, platform->ca);

  g_assert (g_file_set_contents (secret, "bench-secret\n", -1, NULL));
  g_chmod (secret, 0600);
  g_assert (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
fill_queue (KioskConfig *config, const char *data_dir, gsize n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskCatalog) catalog = kiosk_catalog_new (NULL, &error);
  g_autofree char *path = g_build_filename (ANTRAGSKIOSK_SOURCE_DIR, "tests", "data", "answers", FORM ".json", NULL);
  g_autofree char *json = NULL;
  g_autoptr(KioskAnswers) answers = NULL;
  g_autoptr(KioskQueue) queue = kiosk_queue_open (data_dir, KIOSK_QUEUE_OPEN_DEFER_CHECKPOINT, &error);
  g_autoptr(KioskSubmitter) submitter = NULL;
  char *saved = config->data_dir;

  g_assert_no_error (error);
  g_assert (g_file_get_contents (path, &json, NULL, NULL));
  answers = kiosk_answers_new_from_json (kiosk_catalog_lookup (catalog, FORM), json, -1, &error);
  g_assert_no_error (error);
  config->data_dir = (char *) data_dir;
  submitter = kiosk_submitter_new (config, queue);
  for (gsize i = 0; i < n; i++)
    {
      char *reference = kiosk_submitter_submit (submitter, answers, NULL, NULL, &error);
      g_assert_no_error (error);
      g_free (reference);
    }
  config->data_dir = saved;
  kiosk_queue_checkpoint (queue, NULL);
}

/* ---- the bare loop: one easy handle, keep-alive, one request after the other ---- */

typedef struct {
  CURL              *easy;
  GString           *answer;
  const char        *ca;
  char              *token;
  guint64            requests;
  long               connections;
} Bare;

static size_t
bare_write (char *data, size_t size, size_t nmemb, void *user_data)
{
  g_string_append_len (user_data, data, (gssize) (size * nmemb));
  return size * nmemb;
}

/* The platform's admin API (docs/platform.md) on a connection of its own,
 * which the platform does not count: POST reset-log, GET stats. */
static JsonNode *
platform_admin (const Platform *platform, const char *method, const char *path)
{
  g_autofree char *url = g_strdup_printf ("%s/__admin/%s", platform->base, path);
  GString *answer = g_string_new (NULL);
  CURL *easy = curl_easy_init ();
  JsonNode *node;
  long status = 0;
  CURLcode rc;

  curl_easy_setopt (easy, CURLOPT_URL, url);
  curl_easy_setopt (easy, CURLOPT_CAINFO, platform->ca);
  curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, method);
  if (strcmp (method, "POST") == 0)
    curl_easy_setopt (easy, CURLOPT_POSTFIELDS, "{}");
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, bare_write);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, answer);
  rc = curl_easy_perform (easy);
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (easy);
  if (rc != CURLE_OK || status != 200)
    g_error ("platform admin %s %s: %s, HTTP %ld", method, path, curl_easy_strerror (rc), status);
  node = json_from_string (answer->str, NULL);
  g_string_free (answer, TRUE);
  g_assert (node != NULL && JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

/* What the platform saw since the last reset: TLS connections that carried
 * an API request, and API requests. Then resets its counters. */
static void
platform_counts (const Platform *platform, gint64 *connections, gint64 *requests)
{
  g_autoptr(JsonNode) stats = platform_admin (platform, "GET", "stats");
  g_autoptr(JsonNode) reset = NULL;

  *connections = json_object_get_int_member (json_node_get_object (stats), "connections");
  *requests = json_object_get_int_member (json_node_get_object (stats), "requests");
  reset = platform_admin (platform, "POST", "reset-log");
}

static long
bare_request (Bare *bare, const char *method, const char *url, const char *content_type, const char *body)
{
  struct curl_slist *headers = NULL;
  long status = 0;
  CURLcode rc;

  g_string_truncate (bare->answer, 0);
  if (bare->token != NULL)
    {
      g_autofree char *authorization = g_strdup_printf ("Authorization: Bearer %s", bare->token);
      headers = curl_slist_append (headers, authorization);
    }
  if (content_type != NULL)
    {
      g_autofree char *header = g_strdup_printf ("Content-Type: %s", content_type);
      headers = curl_slist_append (headers, header);
    }
  headers = curl_slist_append (headers, "Expect:");
  curl_easy_setopt (bare->easy, CURLOPT_URL, url);
  curl_easy_setopt (bare->easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (bare->easy, CURLOPT_CUSTOMREQUEST, method);
  if (body != NULL)
    {
      curl_easy_setopt (bare->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen (body));
      curl_easy_setopt (bare->easy, CURLOPT_POSTFIELDS, body);
    }
  else
    curl_easy_setopt (bare->easy, CURLOPT_HTTPGET, 1L);
  rc = curl_easy_perform (bare->easy);
  curl_easy_getinfo (bare->easy, CURLINFO_RESPONSE_CODE, &status);
  {
    long connects = 0;
    curl_easy_getinfo (bare->easy, CURLINFO_NUM_CONNECTS, &connects);
    bare->connections += connects;
  }
  curl_slist_free_all (headers);
  bare->requests++;
  if (rc != CURLE_OK)
    g_error ("bare loop: %s", curl_easy_strerror (rc));
  return status;
}

static const char *
member (JsonNode *node, const char *name)
{
  return json_object_get_string_member (json_node_get_object (node), name);
}

/* One connection of the bare loop: its own easy handle and token, the
 * items @first, @first + @step, … one after the other. */
typedef struct {
  const Platform *platform;
  GPtrArray      *items;
  guint           first, step;
  guint64         requests;
  long            connections;
} BareThread;

static gpointer
bare_thread (gpointer data)
{
  BareThread *thread = data;
  const Platform *platform = thread->platform;
  g_autofree char *token_url = g_strdup_printf ("%s/token", platform->base);
  g_autofree char *create_url = g_strdup_printf ("%s/v1/submissions", platform->base);
  Bare bare = { 0 };

  bare.easy = curl_easy_init ();
  bare.answer = g_string_new (NULL);
  curl_easy_setopt (bare.easy, CURLOPT_CAINFO, platform->ca);
  curl_easy_setopt (bare.easy, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt (bare.easy, CURLOPT_WRITEFUNCTION, bare_write);
  curl_easy_setopt (bare.easy, CURLOPT_WRITEDATA, bare.answer);

  g_assert_cmpint (bare_request (&bare, "POST", token_url, "application/x-www-form-urlencoded",
                                 "grant_type=client_credentials&client_id=bench-kiosk&client_secret=bench-secret"), ==, 200);
  {
    g_autoptr(JsonNode) node = json_from_string (bare.answer->str, NULL);
    bare.token = g_strdup (member (node, "access_token"));
  }
  for (guint i = thread->first; i < thread->items->len; i += thread->step)
    {
      KioskQueueItem *item = thread->items->pdata[i];
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) request = NULL;
      g_autoptr(JsonNode) answer = NULL;
      g_autofree char *body = NULL;
      g_autofree char *submit_url = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "destinationId");
      json_builder_add_string_value (builder, item->destination_id);
      json_builder_set_member_name (builder, "announcedAttachments");
      json_builder_begin_array (builder);
      for (guint a = 0; a < item->attachments->len; a++)
        json_builder_add_string_value (builder, ((KioskQueueAttachment *) item->attachments->pdata[a])->attachment_id);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "serviceType");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, "Meldebescheinigung");
      json_builder_set_member_name (builder, "identifier");
      json_builder_add_string_value (builder, "urn:de:fim:leika:leistung:99115003012000");
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      request = json_builder_get_root (builder);
      body = json_to_string (request, FALSE);
      g_assert_cmpint (bare_request (&bare, "POST", create_url, "application/json", body), ==, 201);
      answer = json_from_string (bare.answer->str, NULL);
      submit_url = g_strdup_printf ("%s/v1/submissions/%s", platform->base, member (answer, "submissionId"));
      for (guint a = 0; a < item->attachments->len; a++)
        {
          KioskQueueAttachment *attachment = item->attachments->pdata[a];
          g_autofree char *url = g_strdup_printf ("%s/attachments/%s", submit_url, attachment->attachment_id);
          long status = bare_request (&bare, "PUT", url, "application/jose", attachment->ciphertext);
          g_assert_cmpint (status / 100, ==, 2);
        }
      g_free (body);
      body = g_strdup_printf ("{\"encryptedMetadata\":\"%s\",\"encryptedData\":\"%s\"}", item->metadata_jwe, item->data_jwe);
      g_assert_cmpint (bare_request (&bare, "PUT", submit_url, "application/json", body) / 100, ==, 2);
    }
  thread->requests = bare.requests;
  thread->connections = bare.connections;
  curl_easy_cleanup (bare.easy);
  g_string_free (bare.answer, TRUE);
  g_free (bare.token);
  return NULL;
}

/* The bare loop over the queue in @data_dir on @n_connections keep-alive
 * connections at once (one thread each); applications per second. */
static double
bare_drain (const Platform *platform, const char *data_dir, guint n_connections,
            guint64 *requests, long *connections)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueue) queue = kiosk_queue_open (data_dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  g_autoptr(GPtrArray) items = kiosk_queue_take_due (queue, G_MAXINT64, 0, &error);
  g_autofree BareThread *threads = g_new0 (BareThread, n_connections);
  g_autofree GThread **handles = g_new0 (GThread *, n_connections);
  double t0, elapsed;

  g_assert_no_error (error);
  g_ptr_array_set_free_func (items, (GDestroyNotify) kiosk_queue_item_free);
  t0 = bench_now_ms ();
  for (guint t = 0; t < n_connections; t++)
    {
      threads[t] = (BareThread) { platform, items, t, n_connections, 0, 0 };
      handles[t] = g_thread_new ("bare", bare_thread, &threads[t]);
    }
  *requests = 0;
  *connections = 0;
  for (guint t = 0; t < n_connections; t++)
    {
      g_thread_join (handles[t]);
      *requests += threads[t].requests;
      *connections += threads[t].connections;
    }
  elapsed = bench_now_ms () - t0;
  return (double) items->len / (elapsed / 1000.0);
}

int
main (int argc, char **argv)
{
  gsize n = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  gsize bare_n = argc > 2 ? g_ascii_strtoull (argv[2], NULL, 10) : MAX (200, n / 10);
  gsize half_a = bare_n / 2, half_b = bare_n - bare_n / 2;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-sync-XXXXXX", &error);
  g_autofree char *state = g_build_filename (dir, "platform", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "queue", NULL);
  g_autofree char *bare1_dir = g_build_filename (dir, "bare-1", NULL);
  g_autofree char *bare_a_dir = g_build_filename (dir, "bare-a", NULL);
  g_autofree char *bare_b_dir = g_build_filename (dir, "bare-b", NULL);
  g_autofree char *config_path = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(KioskSyncEngine) engine = NULL;
  KioskSyncSettings settings;
  KioskSyncSummary summary;
  KioskPlatformStats stats;
  Platform platform = { 0 };
  double t0, fill_ms, ours, rate1, rate_a, rate_b, rate_p;
  guint64 requests1 = 0, requests_a = 0, requests_b = 0;
  long connections1 = 0, connections_a = 0, connections_b = 0;
  gint64 server_connections = 0, server_requests = 0;
  gint64 connections1_server = 0, requests1_server = 0;
  gint64 connections_a_server = 0, requests_a_server = 0, connections_b_server = 0, requests_b_server = 0;
  g_autofree char *measure = NULL;
  guint p;
  char note[200];

  kiosk_i18n_init ();
  g_assert_no_error (error);
  g_mkdir (state, 0700);
  platform_start (&platform, state);
  config_path = write_config (dir, data_dir, &platform);
  config = kiosk_config_load (config_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (kiosk_sync_settings_from_keyfile (config->keyfile, &settings, NULL));
  p = settings.parallelism;

  t0 = bench_now_ms ();
  fill_queue (config, data_dir, n);
  fill_queue (config, bare1_dir, bare_n);
  fill_queue (config, bare_a_dir, half_a);
  fill_queue (config, bare_b_dir, half_b);
  fill_ms = bench_now_ms () - t0;
  g_printerr ("queued %" G_GSIZE_FORMAT " + 2 × %" G_GSIZE_FORMAT " applications in %.1f s\n", n, bare_n,
              fill_ms / 1000);

  /* The limits: the bare loop on one connection, then on as many as the
   * engine uses, half of it before the engine's drain and half after, so
   * that a drift of the machine shows. */
  platform_counts (&platform, &server_connections, &server_requests);
  rate1 = bare_drain (&platform, bare1_dir, 1, &requests1, &connections1);
  platform_counts (&platform, &connections1_server, &requests1_server);
  rate_a = bare_drain (&platform, bare_a_dir, p, &requests_a, &connections_a);
  platform_counts (&platform, &connections_a_server, &requests_a_server);

  queue = kiosk_queue_open (data_dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  engine = kiosk_sync_engine_new (config, queue, NULL, &error);
  g_assert_no_error (error);
  t0 = bench_now_ms ();
  g_assert_true (kiosk_sync_engine_run_pass (engine, &summary, &error));
  ours = (double) summary.sent / ((bench_now_ms () - t0) / 1000.0);
  kiosk_platform_get_stats (kiosk_sync_engine_get_platform (engine), &stats);
  platform_counts (&platform, &server_connections, &server_requests);
  if (summary.sent != n)
    g_printerr ("only %u of %" G_GSIZE_FORMAT " sent: %s\n", summary.sent, n, summary.last_error);

  rate_b = bare_drain (&platform, bare_b_dir, p, &requests_b, &connections_b);
  platform_counts (&platform, &connections_b_server, &requests_b_server);
  rate_p = (double) (half_a + half_b) / ((double) half_a / rate_a + (double) half_b / rate_b);

  g_snprintf (note, sizeof note, "%u applications, parallelism %u", summary.sent, p);
  bench_row ("sync", "drain: applications per second", ours, "1/s", note);
  g_snprintf (note, sizeof note, "counted by the platform, token included (the client counted %.2f)",
              (double) stats.requests / (double) MAX (summary.sent, 1));
  bench_row ("sync", "HTTP requests per application", (double) server_requests / (double) MAX (summary.sent, 1),
             "", note);
  g_snprintf (note, sizeof note, "whole drain, TLS handshakes counted by the platform (libcurl: %ld)",
              (long) stats.connections);
  bench_row ("sync", "TLS connections opened", (double) server_connections, "", note);
  g_snprintf (note, sizeof note, "%" G_GSIZE_FORMAT " applications, %.2f requests each, %" G_GINT64_FORMAT
              " connection(s) (platform's count; libcurl: %ld)",
              bare_n, (double) requests1_server / (double) bare_n, connections1_server, connections1);
  bench_row ("sync", "bare keep-alive libcurl loop, 1 connection: applications per second", rate1, "1/s", note);
  g_snprintf (note, sizeof note, "%" G_GSIZE_FORMAT " applications: %.1f/s before the engine, %.1f/s after; "
              "%.2f requests each, %" G_GINT64_FORMAT " connection(s) (platform's count; libcurl: %ld)",
              half_a + half_b, rate_a, rate_b,
              (double) (requests_a_server + requests_b_server) / (double) (half_a + half_b),
              connections_a_server + connections_b_server, connections_a + connections_b);
  measure = g_strdup_printf ("bare keep-alive libcurl loop, %u connections: applications per second", p);
  bench_row ("sync", measure, rate_p, "1/s", note);
  g_snprintf (note, sizeof note, "target >= 0.9");
  bench_row ("sync", "engine / bare loop with the same parallelism", ours / rate_p, "", note);
  bench_row ("sync", "engine / bare loop on 1 connection", ours / rate1, "", "for comparison");

  kiosk_sync_summary_clear (&summary);
  g_clear_pointer (&engine, kiosk_sync_engine_free);
  g_clear_pointer (&queue, kiosk_queue_close);
  platform_stop (&platform);
  remove_tree (dir);
  return 0;
}
