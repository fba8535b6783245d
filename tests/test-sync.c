/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test"

#include "config.h"

#include <string.h>
#include <curl/curl.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <antragskiosk/destination.h>
#include <antragskiosk/jws.h>
#include <antragskiosk/keys.h>
#include <antragskiosk/platform.h>
#include <antragskiosk/sync.h>

/* Backoff, fault classification, Retry-After, [sync] settings and event
 * logs, without the network. Expected values are worked out by hand from
 * PLATFORM.md's fault table and the documented formula. */

static void
test_backoff_defaults (void)
{
  KioskSyncSettings s;

  kiosk_sync_settings_init (&s);
  g_assert_cmpuint (s.retry_base_s, ==, 30);
  g_assert_cmpuint (s.retry_cap_s, ==, 1800);
  g_assert_cmpuint (s.parallelism, ==, 4);
  /* First retry: between 15 and 30 s ("within a minute"). */
  g_assert_cmpint (kiosk_sync_backoff_ms (&s, 0, 0.0), ==, 15000);
  g_assert_cmpint (kiosk_sync_backoff_ms (&s, 0, 0.999999), <=, 30000);
  g_assert_cmpint (kiosk_sync_backoff_ms (&s, 0, 0.5), ==, 22500);
  /* 30, 60, 120, 240, 480, 960, 1800 (capped) seconds before jitter. */
  g_assert_cmpint (kiosk_sync_backoff_ms (&s, 1, 0.0), ==, 30000);
  g_assert_cmpint (kiosk_sync_backoff_ms (&s, 2, 0.0), ==, 60000);
  g_assert_cmpint (kiosk_sync_backoff_ms (&s, 5, 0.0), ==, 480000);
  g_assert_cmpint (kiosk_sync_backoff_ms (&s, 6, 0.0), ==, 900000);
  g_assert_cmpint (kiosk_sync_backoff_ms (&s, 6, 0.999999), <=, 1800000);
  g_assert_cmpint (kiosk_sync_backoff_ms (&s, 6, 0.999999), >, 1799000);
  /* Never past the cap, however many attempts (no overflow either). */
  for (guint n = 7; n < 200; n += 7)
    {
      gint64 d = kiosk_sync_backoff_ms (&s, n, 0.999999);
      g_assert_cmpint (d, <=, 1800000);
      g_assert_cmpint (d, >=, 900000);
    }
}

static void
test_backoff_jitter_spread (void)
{
  KioskSyncSettings s;
  GRand *rand = g_rand_new_with_seed (42);
  gint64 low = G_MAXINT64, high = 0;

  kiosk_sync_settings_init (&s);
  s.retry_base_s = 2;
  s.retry_cap_s = 10;
  for (int i = 0; i < 1000; i++)
    {
      gint64 d = kiosk_sync_backoff_ms (&s, 3, g_rand_double (rand));  /* 2·8 = 16 → cap 10 */
      low = MIN (low, d);
      high = MAX (high, d);
    }
  g_assert_cmpint (low, >=, 5000);
  g_assert_cmpint (high, <, 10000);
  /* Jitter really spreads the clients out. */
  g_assert_cmpint (high - low, >, 4000);
  g_rand_free (rand);
}

static void
test_settings_keyfile (void)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  KioskSyncSettings s;

  g_assert_true (kiosk_sync_settings_from_keyfile (NULL, &s, &error));
  g_assert_cmpuint (s.poll_interval_s, ==, 300);
  g_assert_true (g_key_file_load_from_data (keyfile,
                                            "[sync]\nretry_base_s=5\nretry_cap_s=60\nparallelism=8\nstall_timeout_s=2\n",
                                            -1, 0, NULL));
  g_assert_true (kiosk_sync_settings_from_keyfile (keyfile, &s, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (s.retry_base_s, ==, 5);
  g_assert_cmpuint (s.retry_cap_s, ==, 60);
  g_assert_cmpuint (s.parallelism, ==, 8);
  g_assert_cmpuint (s.stall_timeout_s, ==, 2);
  g_assert_cmpuint (s.abandon_after_s, ==, 72000);

  g_key_file_set_value (keyfile, "sync", "parallelism", "0");
  g_assert_false (kiosk_sync_settings_from_keyfile (keyfile, &s, &error));
  g_assert_error (error, KIOSK_SYNC_ERROR, KIOSK_SYNC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "parallelism"));
  g_clear_error (&error);

  g_key_file_set_value (keyfile, "sync", "parallelism", "4");
  g_key_file_set_value (keyfile, "sync", "retry_cap_s", "3");
  g_assert_false (kiosk_sync_settings_from_keyfile (keyfile, &s, &error));
  g_assert_nonnull (strstr (error->message, "retry_cap_s"));
  g_clear_error (&error);

  g_key_file_set_value (keyfile, "sync", "retry_cap_s", "60");
  g_key_file_set_value (keyfile, "sync", "retry_bse_s", "3");
  g_assert_false (kiosk_sync_settings_from_keyfile (keyfile, &s, &error));
  g_assert_nonnull (strstr (error->message, "retry_bse_s"));
  g_clear_error (&error);
}

static void
test_retry_after (void)
{
  /* 2015-10-21T07:28:00Z = 1445412480 s. */
  gint64 now = G_GINT64_CONSTANT (1445412480000) - 30000;

  g_assert_cmpint (kiosk_platform_parse_retry_after (NULL, now), ==, -1);
  g_assert_cmpint (kiosk_platform_parse_retry_after ("", now), ==, -1);
  g_assert_cmpint (kiosk_platform_parse_retry_after ("120", now), ==, 120000);
  g_assert_cmpint (kiosk_platform_parse_retry_after (" 0 ", now), ==, 0);
  g_assert_cmpint (kiosk_platform_parse_retry_after ("12x", now), ==, -1);
  g_assert_cmpint (kiosk_platform_parse_retry_after ("-5", now), ==, -1);
  g_assert_cmpint (kiosk_platform_parse_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT", now), ==, 30000);
  /* A date in the past: now. */
  g_assert_cmpint (kiosk_platform_parse_retry_after ("Wed, 21 Oct 2015 07:27:00 GMT", now), ==, 0);
  g_assert_cmpint (kiosk_platform_parse_retry_after ("soon", now), ==, -1);
}

typedef struct {
  int         curl_code;
  long        status;
  const char *retry_after;
  const char *body;
  KioskPlatformFault fault;
  gint64      retry_after_ms;
  const char *message_part;   /* NULL: no message expected */
  gboolean    platform_wide;
} Case;

static void
test_classify (void)
{
  static const Case cases[] = {
    { CURLE_OK, 200, NULL, "{\"a\":1}", KIOSK_PLATFORM_OK, -1, NULL, FALSE },
    { CURLE_OK, 201, NULL, "{\"submissionId\":\"x\"}", KIOSK_PLATFORM_OK, -1, NULL, FALSE },
    { CURLE_OK, 204, NULL, "", KIOSK_PLATFORM_OK, -1, NULL, FALSE },
    { CURLE_OK, 200, NULL, "{\"a\":", KIOSK_PLATFORM_TRANSIENT, -1, "not valid JSON", FALSE },
    { CURLE_OK, 500, NULL, "oops", KIOSK_PLATFORM_TRANSIENT, -1, "HTTP 500: oops", FALSE },
    { CURLE_OK, 502, NULL, NULL, KIOSK_PLATFORM_TRANSIENT, -1, "HTTP 502", FALSE },
    { CURLE_OK, 408, NULL, NULL, KIOSK_PLATFORM_TRANSIENT, -1, "HTTP 408", FALSE },
    { CURLE_OK, 429, "7", NULL, KIOSK_PLATFORM_SLOW_DOWN, 7000, "HTTP 429", FALSE },
    { CURLE_OK, 503, "2", NULL, KIOSK_PLATFORM_SLOW_DOWN, 2000, "HTTP 503", FALSE },
    { CURLE_OK, 503, NULL, NULL, KIOSK_PLATFORM_SLOW_DOWN, -1, "HTTP 503", FALSE },
    { CURLE_OK, 401, NULL, NULL, KIOSK_PLATFORM_AUTH, -1, "HTTP 401", TRUE },
    { CURLE_OK, 409, NULL, NULL, KIOSK_PLATFORM_CONFLICT, -1, "HTTP 409", FALSE },
    { CURLE_OK, 400, NULL, "{\"title\":\"Bad Request\",\"detail\":\"destinationId missing\"}",
      KIOSK_PLATFORM_PERMANENT, -1, "HTTP 400: Bad Request: destinationId missing", FALSE },
    { CURLE_OK, 404, NULL, "{\"title\":\"Not Found\"}", KIOSK_PLATFORM_PERMANENT, -1, "HTTP 404: Not Found", FALSE },
    { CURLE_OK, 422, NULL, "{\"type\":\"about:blank\",\"title\":\"Unprocessable\",\"detail\":\"metadata hash does not match\"}",
      KIOSK_PLATFORM_PERMANENT, -1, "metadata hash does not match", FALSE },
    { CURLE_OK, 422, NULL, "schema violation\nsecond line", KIOSK_PLATFORM_PERMANENT, -1, "HTTP 422: schema violation", FALSE },
    { CURLE_COULDNT_CONNECT, 0, NULL, NULL, KIOSK_PLATFORM_UNREACHABLE, -1, "", TRUE },
    { CURLE_COULDNT_RESOLVE_HOST, 0, NULL, NULL, KIOSK_PLATFORM_UNREACHABLE, -1, "", TRUE },
    { CURLE_OPERATION_TIMEDOUT, 0, NULL, NULL, KIOSK_PLATFORM_TRANSIENT, -1, "", FALSE },
    { CURLE_RECV_ERROR, 0, NULL, NULL, KIOSK_PLATFORM_TRANSIENT, -1, "", FALSE },
    { CURLE_SEND_ERROR, 0, NULL, NULL, KIOSK_PLATFORM_TRANSIENT, -1, "", FALSE },
    { CURLE_GOT_NOTHING, 0, NULL, NULL, KIOSK_PLATFORM_TRANSIENT, -1, "", FALSE },
    { CURLE_PARTIAL_FILE, 0, NULL, NULL, KIOSK_PLATFORM_TRANSIENT, -1, "", FALSE },
    { CURLE_WRITE_ERROR, 0, NULL, NULL, KIOSK_PLATFORM_TRANSIENT, -1, "", FALSE },
    { CURLE_SSL_CONNECT_ERROR, 0, NULL, NULL, KIOSK_PLATFORM_TRANSIENT, -1, "", FALSE },
    { CURLE_PEER_FAILED_VERIFICATION, 0, NULL, NULL, KIOSK_PLATFORM_UNTRUSTED, -1, "not trusted", TRUE },
    { CURLE_SSL_CACERT_BADFILE, 0, NULL, NULL, KIOSK_PLATFORM_UNTRUSTED, -1, "not trusted", TRUE },
    /* a 200 that libcurl did not finish is no success */
    { CURLE_RECV_ERROR, 200, NULL, "{}", KIOSK_PLATFORM_TRANSIENT, -1, "", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      KioskPlatformResponse response;

      kiosk_platform_classify (c->curl_code, NULL, c->status, c->retry_after,
                               c->body, c->body != NULL ? strlen (c->body) : 0, 0, &response);
      g_test_message ("case %" G_GSIZE_FORMAT ": curl %d, HTTP %ld → %s (%s)", i, c->curl_code, c->status,
                      kiosk_platform_fault_to_string (response.fault), response.message);
      g_assert_cmpstr (kiosk_platform_fault_to_string (response.fault), ==, kiosk_platform_fault_to_string (c->fault));
      g_assert_cmpint (response.retry_after_ms, ==, c->retry_after_ms);
      g_assert_cmpint (kiosk_platform_fault_is_platform_wide (response.fault), ==, c->platform_wide);
      if (c->message_part == NULL)
        g_assert_null (response.message);
      else
        {
          g_assert_nonnull (response.message);
          g_assert_nonnull (strstr (response.message, c->message_part));
        }
      if (c->fault == KIOSK_PLATFORM_OK && c->body != NULL && *c->body != '\0')
        g_assert_nonnull (response.body);
      kiosk_platform_response_clear (&response);
    }
  g_assert_false (kiosk_platform_fault_is_platform_wide (KIOSK_PLATFORM_PERMANENT));
  g_assert_false (kiosk_platform_fault_is_platform_wide (KIOSK_PLATFORM_SLOW_DOWN));
  g_assert_false (kiosk_platform_fault_is_platform_wide (KIOSK_PLATFORM_CONFLICT));
}

static char *
b64url (const char *text)
{
  char *b64 = g_base64_encode ((const guchar *) text, strlen (text));
  GString *out = g_string_new (NULL);

  for (const char *p = b64; *p != '\0'; p++)
    {
      if (*p == '+')
        g_string_append_c (out, '-');
      else if (*p == '/')
        g_string_append_c (out, '_');
      else if (*p != '=')
        g_string_append_c (out, *p);
    }
  g_free (b64);
  return g_string_free (out, FALSE);
}

static char *
make_set (const char *sub, const char *event, const char *event_body)
{
  g_autofree char *header = b64url ("{\"alg\":\"PS512\",\"typ\":\"secevent+jwt\"}");
  g_autofree char *payload_json = g_strdup_printf ("{\"iss\":\"x\",\"sub\":\"%s\",\"events\":{"
                                                   "\"https://schema.fitko.de/fit-connect/events/%s\":%s}}",
                                                   sub, event, event_body);
  g_autofree char *payload = b64url (payload_json);

  return g_strdup_printf ("%s.%s.c2ln", header, payload);
}

static void
test_events (void)
{
  const char *mine = "11111111-2222-4333-8444-555555555555";
  g_autofree char *sub_mine = g_strconcat ("submission:", mine, NULL);
  g_autofree char *e1 = make_set (sub_mine, "create-submission", "{}");
  g_autofree char *e2 = make_set (sub_mine, "submit-submission", "{}");
  g_autofree char *e3 = make_set ("submission:99999999-2222-4333-8444-555555555555", "accept-submission", "{}");
  g_autofree char *e4 = make_set (sub_mine, "reject-submission",
                                  "{\"problems\":[{\"title\":\"Unvollständig\",\"detail\":\"Anlage fehlt\"}]}");
  g_autofree char *json = g_strdup_printf ("{\"eventLog\":[\"%s\",\"%s\",\"%s\",\"%s\",\"not a jwt\"]}", e1, e2, e3, e4);
  g_autoptr(JsonNode) body = json_from_string (json, NULL);
  g_autoptr(JsonNode) wrong = json_from_string ("{\"events\":[]}", NULL);
  g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *reason = NULL;

  g_assert_nonnull (body);
  g_assert_true (kiosk_platform_parse_events (body, mine, NULL, types, &reason, NULL));
  g_assert_cmpuint (types->len, ==, 3);  /* the other submission's accept is not ours */
  g_assert_cmpstr (types->pdata[0], ==, "create-submission");
  g_assert_cmpstr (types->pdata[1], ==, "submit-submission");
  g_assert_cmpstr (types->pdata[2], ==, "reject-submission");
  g_assert_cmpstr (reason, ==, "Unvollständig: Anlage fehlt");
  g_assert_false (kiosk_platform_parse_events (wrong, mine, NULL, types, NULL, NULL));
}

/* A PS512 event token and the signer's public JWK set, made with an
 * independent implementation (python3-jwcrypto 1.x: JWK.generate(kty=RSA,
 * size=2048), JWS.add_signature(alg=PS512)). */
static const char vector_jwks[] =
  "{\"keys\": [{\"e\": \"AQAB\", \"kid\": \"platform-sig-1\", \"kty\": \"RSA\", \"n\": \"3QYl"
  "rGo46hHvNxbcka0mYbiy6Qr79TmMy9h5xVFMooYNKAjZW6DJSrPlvVB_KfOy-Acq1PKUxMZYxG5_mvt0H-fbs0so5E"
  "YU9eXZIYN2_OJqbgwBqwOz0Skh0Se7pFS7WlvOxoC8Ir1y9SecWLd1yAc2_XgWjDAxcVrwmpAWPrCaT3BlHnXgmw8G"
  "ZxavCnObyJEnnXrWUg48nl5WLdisX8L5mzIOJt8R6jn-JbrtnsD0fHAbfz8JfuS14SIbN0j3xEC-3YkUdE9EQLke3h"
  "fkK6vJ0PUS_B0ciAm0pjTq-K4CHv6-doCO7Fs9kePqAikLhtleddxszrqfwbwjUveWvw\"}]}";
static const char vector_set[] =
  "eyJhbGciOiAiUFM1MTIiLCAia2lkIjogInBsYXRmb3JtLXNpZy0xIiwgInR5cCI6ICJzZWNldmVudCtqd3QifQ.eyJ"
  "pc3MiOiJodHRwczovL3Rlc3QucGxhdGZvcm0iLCJzdWIiOiJzdWJtaXNzaW9uOjExMTExMTExLTIyMjItNDMzMy04N"
  "DQ0LTU1NTU1NTU1NTU1NSIsInR4biI6ImNhc2U6YWFhYWFhYWEtMjIyMi00MzMzLTg0NDQtNTU1NTU1NTU1NTU1Iiw"
  "iZXZlbnRzIjp7Imh0dHBzOi8vc2NoZW1hLmZpdGtvLmRlL2ZpdC1jb25uZWN0L2V2ZW50cy9zdWJtaXQtc3VibWlzc"
  "2lvbiI6e319fQ.OdbVwFTKEgrONyCHjIJf4CRr9pVor4agb019A-1YF4_7bd3536z3G4W4caWek5juNV2koPp3yvMi"
  "vYFDp4vOFlrmvBPcuyM2Aukgpf6pWF_hzvnBI-JLZ4WSY3-Jv5vDxeMrhQlxF7QXdOSRtwa7SHEydO0etdMjrs8Un1"
  "Z90pwQ_FZ-8UyrYz6eFdvIgU9uqsnixHLsjitM4hJXryLdjmBmGpFuryCuge9-3AKA7XiVxG3iOtGh2ZxjGnTIMeHS"
  "9VdPlPBrGCB2T8JplIZCDYcpKdxB5273e_AIW-QgypO3Q67QEqMZdK7X6T3IbbI4v7KKktSvBENfxFYNOxI-Ew";

static void
test_set_signature (void)
{
  g_autoptr(JsonNode) jwks = json_from_string (vector_jwks, NULL);
  g_autoptr(JsonNode) other = json_from_string ("{\"keys\":[]}", NULL);
  g_autofree char *tampered = g_strdup (vector_set);
  g_autofree char *body = g_strdup_printf ("{\"eventLog\":[\"%s\",\"%s\"]}", vector_set, "");
  g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  char *payload;
  guint n_unverified = 0;

  g_assert_nonnull (jwks);
  g_assert_true (kiosk_jws_verify_ps512 (vector_set, jwks));
  g_assert_false (kiosk_jws_verify_ps512 (vector_set, other));
  /* One changed character in the payload (the claims), then in the signature. */
  payload = strchr (tampered, '.') + 10;
  *payload = *payload == 'A' ? 'B' : 'A';
  g_assert_false (kiosk_jws_verify_ps512 (tampered, jwks));
  g_free (tampered);
  tampered = g_strdup (vector_set);
  tampered[strlen (tampered) - 5] = tampered[strlen (tampered) - 5] == 'A' ? 'B' : 'A';
  g_assert_false (kiosk_jws_verify_ps512 (tampered, jwks));
  g_assert_false (kiosk_jws_verify_ps512 ("a.b", jwks));

  /* In an event log: the verified token counts, the forged one does not. */
  g_free (body);
  body = g_strdup_printf ("{\"eventLog\":[\"%s\",\"%s\"]}", vector_set, tampered);
  {
    g_autoptr(JsonNode) log = json_from_string (body, NULL);
    g_assert_true (kiosk_platform_parse_events (log, "11111111-2222-4333-8444-555555555555", jwks, types,
                                                NULL, &n_unverified));
  }
  g_assert_cmpuint (types->len, ==, 1);
  g_assert_cmpstr (types->pdata[0], ==, "submit-submission");
  g_assert_cmpuint (n_unverified, ==, 1);
}

/* The worker on its thread against a platform that is down (a closed
 * port): a first pass at once, its status delivered on the main context,
 * another pass on trigger, never two at once, a clean stop. */
typedef struct {
  GMainLoop *loop;
  guint      started;
  guint      finished;
  gboolean   overlap;
  gboolean   running;
  KioskPlatformFault fault;
  char      *error;
  GThread   *main_thread;
} WorkerSeen;

static void
on_worker_status (const KioskSyncStatus *status, gpointer user_data)
{
  WorkerSeen *seen = user_data;

  g_assert_true (g_thread_self () == seen->main_thread);
  if (status->running)
    {
      if (seen->running)
        seen->overlap = TRUE;
      seen->running = TRUE;
      seen->started++;
      return;
    }
  seen->running = FALSE;
  seen->finished++;
  seen->fault = status->platform_fault;
  g_free (seen->error);
  seen->error = g_strdup (status->last_error);
  g_main_loop_quit (seen->loop);
}

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("the worker did not report in time");
  return G_SOURCE_REMOVE;
}

static void
test_worker_offline (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-sync-XXXXXX", &error);
  g_autofree char *secret = g_build_filename (dir, "secret", NULL);
  g_autofree char *conf = g_build_filename (dir, "kiosk.conf", NULL);
  g_autofree char *text = NULL;
  g_autoptr(KioskConfig) config = NULL;
  KioskSyncWorker *worker;
  WorkerSeen seen = { 0 };
  guint timeout;
  int port;

  /* A port nobody listens on: bind, note it, close. */
  {
    g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_true (g_socket_bind (socket, address, TRUE, &error));
    bound = g_socket_get_local_address (socket, &error);
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    g_socket_close (socket, NULL);
  }
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (secret, "s3cret\n", -1, NULL));
  text = g_strdup_printf ("[kiosk]\nid=t\ndata_dir=%s/data\n\n"
                          "[platform]\ntoken_url=https://127.0.0.1:%d/token\nsubmission_api=https://127.0.0.1:%d\n"
                          "client_id=c\nclient_secret_file=%s\n\n"
                          "[destination demo]\ndestination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
                          "key_file=resource:///de/antragskiosk/demo/demo-destination.jwk\n"
                          "trust_anchor=resource:///de/antragskiosk/demo/demo-root-ca.pem\nforms=*\n\n"
                          "[sync]\nretry_base_s=60\n",
                          dir, port, port, secret);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  config = kiosk_config_load (conf, NULL, &error);
  g_assert_no_error (error);

  seen.loop = g_main_loop_new (NULL, FALSE);
  seen.main_thread = g_thread_self ();
  timeout = g_timeout_add_seconds (30, on_timeout, NULL);
  worker = kiosk_sync_worker_new (config, NULL, on_worker_status, &seen);
  kiosk_sync_worker_start (worker);
  g_main_loop_run (seen.loop);
  g_assert_cmpuint (seen.finished, ==, 1);
  g_assert_cmpint (seen.fault, ==, KIOSK_PLATFORM_UNREACHABLE);
  g_assert_nonnull (seen.error);
  g_assert_nonnull (strstr (seen.error, "onnect"));

  /* The next pass would come after the backoff (30–60 s); a trigger
   * brings it now, twice in a row still one pass after the other. */
  kiosk_sync_worker_trigger (worker);
  kiosk_sync_worker_trigger (worker);
  g_main_loop_run (seen.loop);
  g_assert_cmpuint (seen.finished, >=, 2);
  g_assert_false (seen.overlap);
  kiosk_sync_worker_stop (worker);
  kiosk_sync_worker_free (worker);
  g_source_remove (timeout);
  /* Reports still in flight to the main context. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (seen.overlap);
  g_main_loop_unref (seen.loop);
  g_free (seen.error);
  {
    g_autofree char *queue_db = g_build_filename (dir, "data", "queue.db", NULL);
    g_autofree char *wal = g_strconcat (queue_db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (queue_db, "-shm", NULL);
    g_autofree char *data = g_build_filename (dir, "data", NULL);
    g_unlink (wal);
    g_unlink (shm);
    g_unlink (queue_db);
    g_rmdir (data);
  }
  g_unlink (secret);
  g_unlink (conf);
  g_rmdir (dir);
}

/* ---- destinations (destination.h) ------------------------------------- */

#define DEST_ID "4b5c7214-aa12-4624-955e-0f7deaabc342"
#define LEIKA_MELDE "urn:de:fim:leika:leistung:99115003012000"
#define SCHEMA_MELDE "https://schema.antragskiosk.de/forms/meldebescheinigung/1.0.0.json"

/* A destination document as FITKO's OpenAPI 1.1.3 describes it
 * (PublicDestination), written by hand. */
static const char destination_document[] =
  "{\"destinationId\":\"" DEST_ID "\",\"status\":\"active\","
  "\"encryptionKid\":\"antragskiosk-demo-destination-2026\","
  "\"services\":[{\"identifier\":\"" LEIKA_MELDE "\",\"regions\":[\"DE11\"],"
  "\"submissionSchemas\":[{\"schemaUri\":\"" SCHEMA_MELDE "\",\"mimeType\":\"application/json\"}]},"
  "{\"identifier\":\"urn:de:fim:leika:leistung:99102013104000\",\"regions\":[\"DE11\"],\"submissionSchemas\":[]}],"
  "\"metadataVersions\":[\"1.0.0\",\"1.3.0\"],\"replyChannels\":{\"eMail\":{\"usePgp\":false}}}";

static void
test_destination_document (void)
{
  g_autoptr(JsonNode) node = json_from_string (destination_document, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskDestinationInfo) info = kiosk_destination_info_parse (node, DEST_ID, &error);
  const char *supported[] = { "1.3.0", "1.2.0", NULL };
  const char *newer_only[] = { "2.0.0", NULL };

  g_assert_no_error (error);
  g_assert_cmpstr (info->encryption_kid, ==, "antragskiosk-demo-destination-2026");
  g_assert_cmpuint (info->services->len, ==, 2);
  g_assert_cmpuint (info->reply_channels->len, ==, 1);
  g_assert_cmpstr (kiosk_destination_info_pick_metadata_version (info, supported), ==, "1.3.0");
  g_assert_null (kiosk_destination_info_pick_metadata_version (info, newer_only));

  g_assert_true (kiosk_destination_info_accepts (info, LEIKA_MELDE, SCHEMA_MELDE, "1.3.0", &error));
  g_assert_no_error (error);
  /* a service without listed schemas takes any schema */
  g_assert_true (kiosk_destination_info_accepts (info, "urn:de:fim:leika:leistung:99102013104000",
                                                 "https://x.example/any.json", "1.3.0", NULL));
  g_assert_false (kiosk_destination_info_accepts (info, "urn:de:fim:leika:leistung:99050012104000", NULL, NULL,
                                                  &error));
  g_assert_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "does not offer the service urn:de:fim:leika:leistung:99050012104000"));
  g_clear_error (&error);
  g_assert_false (kiosk_destination_info_accepts (info, LEIKA_MELDE, "https://x.example/other.json", NULL, &error));
  g_assert_nonnull (strstr (error->message, "does not accept the data schema"));
  g_clear_error (&error);
  g_assert_false (kiosk_destination_info_accepts (info, LEIKA_MELDE, NULL, "1.2.0", &error));
  g_assert_nonnull (strstr (error->message, "metadata version 1.2.0"));
  g_clear_error (&error);

  /* another destination's document, and one without services */
  g_assert_null (kiosk_destination_info_parse (node, "00000000-0000-4000-8000-000000000000", &error));
  g_assert_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr(JsonNode) bare = json_from_string ("{\"destinationId\":\"" DEST_ID "\",\"status\":\"active\","
                                                 "\"encryptionKid\":\"k\"}", NULL);
    g_assert_null (kiosk_destination_info_parse (bare, NULL, &error));
    g_assert_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INVALID);
    g_clear_error (&error);
  }
  /* an inactive destination takes nothing */
  g_free (info->status);
  info->status = g_strdup ("inactive");
  g_assert_false (kiosk_destination_info_accepts (info, LEIKA_MELDE, NULL, NULL, &error));
  g_assert_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INACTIVE);
}

/* A kiosk configured with the destination id and trust anchor only: no
 * key, so the forms are out of service; once the platform's answer is
 * cached (the demo destination's real 4096-bit key with its x5c), the
 * key comes from the cache, re-verified against the trust anchor. */
static void
test_destination_cache_and_usable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-dest-XXXXXX", &error);
  g_autofree char *conf = g_build_filename (dir, "kiosk.conf", NULL);
  g_autofree char *text = g_strdup_printf ("[kiosk]\nid=t\ndata_dir=%s/data\n\n"
                                           "[destination stadt]\ndestination_id=" DEST_ID "\n"
                                           "trust_anchor=resource:///de/antragskiosk/demo/demo-root-ca.pem\nforms=*\n",
                                           dir);
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) json_node_unref);
  g_autoptr(JsonNode) document = json_from_string (destination_document, NULL);
  g_autoptr(KioskDestinationState) state = NULL;
  g_autoptr(KioskKey) key = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *jwk = NULL;
  g_autofree char *cache = NULL;
  const KioskDestinationConfig *destination;
  gboolean from_platform = FALSE;
  gsize length;

  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  config = kiosk_config_load (conf, NULL, &error);
  g_assert_no_error (error);
  destination = config->destinations->pdata[0];
  g_assert_null (destination->key_file);

  g_assert_false (kiosk_destination_usable (config, destination, &reason));
  g_assert_nonnull (strstr (reason, "no usable encryption key for destination “stadt” yet"));
  g_assert_false (kiosk_destination_form_available (config, "meldebescheinigung", "99115003012000", NULL, NULL));
  g_assert_null (kiosk_destination_encryption_key (config, destination, &error));
  g_assert_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_KEY);
  g_clear_error (&error);

  /* what the platform served, cached as received */
  g_assert_true (kiosk_keys_read_file ("resource:///de/antragskiosk/demo/demo-destination.jwk", &jwk, &length, &error));
  g_hash_table_insert (keys, g_strdup ("antragskiosk-demo-destination-2026"), json_from_string (jwk, NULL));
  g_assert_true (kiosk_destination_cache_store (config->data_dir, document, keys, NULL, 1234, NULL, &error));
  g_assert_no_error (error);
  cache = kiosk_destination_cache_path (config->data_dir, DEST_ID);
  g_assert_true (g_file_test (cache, G_FILE_TEST_IS_REGULAR));

  state = kiosk_destination_cache_load (config->data_dir, DEST_ID, destination->trust_anchor, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (state->encryption_key);
  g_assert_cmpuint (kiosk_key_get_bits (state->encryption_key), ==, 4096);
  g_assert_cmpint (state->verified_ms, ==, 1234);
  g_clear_pointer (&reason, g_free);
  g_assert_true (kiosk_destination_usable (config, destination, &reason));
  key = kiosk_destination_encryption_key_at (config, destination, NULL, &from_platform, &error);
  g_assert_nonnull (key);
  g_assert_true (from_platform);

  /* the catalog's question: a listed service and schema are available,
   * another service or schema, or a form without a LeiKa key, are not */
  g_assert_true (kiosk_destination_form_available (config, "meldebescheinigung", "99115003012000", SCHEMA_MELDE,
                                                   NULL));
  g_clear_pointer (&reason, g_free);
  g_assert_false (kiosk_destination_form_available (config, "gewerbeanmeldung", "99050012104000", NULL, &reason));
  g_assert_nonnull (strstr (reason, "does not offer the service urn:de:fim:leika:leistung:99050012104000"));
  g_clear_pointer (&reason, g_free);
  g_assert_false (kiosk_destination_form_available (config, "meldebescheinigung", "99115003012000",
                                                    "https://x.example/other.json", &reason));
  g_assert_nonnull (strstr (reason, "data schema"));
  g_clear_pointer (&reason, g_free);
  g_assert_false (kiosk_destination_form_available (config, "sperrmuell", "unknown", NULL, &reason));
  g_assert_nonnull (strstr (reason, "urn:de:fim:leika:leistung:sperrmuell"));
  g_clear_pointer (&reason, g_free);

  /* after the certificate's end the cached key is not used (re-verified) */
  {
    g_autoptr(GDateTime) later = g_date_time_new_utc (2040, 1, 1, 0, 0, 0);
    g_autoptr(KioskDestinationState) old = kiosk_destination_cache_load (config->data_dir, DEST_ID,
                                                                         destination->trust_anchor, later, &error);
    g_assert_no_error (error);
    g_assert_null (old->encryption_key);
    g_assert_error (old->key_error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_EXPIRED);
  }
  /* a cache whose key is not the document's encryptionKid gives no key */
  g_hash_table_remove_all (keys);
  g_hash_table_insert (keys, g_strdup ("other"), json_from_string (jwk, NULL));
  g_assert_true (kiosk_destination_cache_store (config->data_dir, document, keys, NULL, 1, NULL, &error));
  g_clear_pointer (&state, kiosk_destination_state_free);
  state = kiosk_destination_cache_load (config->data_dir, DEST_ID, destination->trust_anchor, NULL, &error);
  g_assert_null (state->encryption_key);
  g_assert_nonnull (state->key_error);
  g_assert_false (kiosk_destination_usable (config, destination, NULL));

  g_unlink (cache);
  {
    g_autofree char *cache_dir = g_path_get_dirname (cache);
    g_rmdir (cache_dir);
    g_rmdir (config->data_dir);
  }
  g_unlink (conf);
  g_rmdir (dir);
}

/* kiosk_platform_check_events with the test vector (a submit event of
 * the Zustelldienst): applied with the platform's keys, ignored without
 * them, with another case, or with another submission. */
static void
test_check_events (void)
{
  g_autoptr(JsonNode) jwks = json_from_string (vector_jwks, NULL);
  g_autofree char *body = g_strdup_printf ("{\"eventLog\":[\"%s\"],\"totalCount\":3}", vector_set);
  g_autoptr(JsonNode) log_node = json_from_string (body, NULL);
  g_autoptr(JsonNode) payload = kiosk_jws_decode_payload (vector_set);
  const char *txn = json_object_get_string_member (json_node_get_object (payload), "txn");
  KioskEventCheck check = { .submission_id = "11111111-2222-4333-8444-555555555555",
                            .case_id = txn + strlen ("case:"), .destination_id = DEST_ID,
                            .platform_jwks = jwks };
  KioskEventLog log;

  kiosk_event_log_init (&log);
  g_assert_true (kiosk_platform_check_events (log_node, &check, &log));
  g_assert_cmpuint (log.types->len, ==, 1);
  g_assert_cmpstr (log.types->pdata[0], ==, "submit-submission");
  g_assert_cmpint (log.total_count, ==, 3);
  g_assert_cmpuint (log.n_tokens, ==, 1);
  kiosk_event_log_clear (&log);

  check.platform_jwks = NULL;
  kiosk_event_log_init (&log);
  g_assert_true (kiosk_platform_check_events (log_node, &check, &log));
  g_assert_cmpuint (log.types->len, ==, 0);
  g_assert_cmpuint (log.rejected->len, ==, 1);
  kiosk_event_log_clear (&log);

  check.platform_jwks = jwks;
  check.case_id = "99999999-2222-4333-8444-555555555555";
  kiosk_event_log_init (&log);
  g_assert_true (kiosk_platform_check_events (log_node, &check, &log));
  g_assert_cmpuint (log.types->len, ==, 0);
  g_assert_cmpstr (log.rejected->pdata[0], ==, "an event of another case");
  kiosk_event_log_clear (&log);

  check.submission_id = "99999999-2222-4333-8444-555555555555";
  kiosk_event_log_init (&log);
  g_assert_true (kiosk_platform_check_events (log_node, &check, &log));
  g_assert_cmpuint (log.types->len + log.rejected->len, ==, 0);  /* another submission's: skipped */
  kiosk_event_log_clear (&log);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/antragskiosk/sync/backoff-defaults", test_backoff_defaults);
  g_test_add_func ("/antragskiosk/sync/backoff-jitter", test_backoff_jitter_spread);
  g_test_add_func ("/antragskiosk/sync/settings", test_settings_keyfile);
  g_test_add_func ("/antragskiosk/sync/retry-after", test_retry_after);
  g_test_add_func ("/antragskiosk/sync/classify", test_classify);
  g_test_add_func ("/antragskiosk/sync/events", test_events);
  g_test_add_func ("/antragskiosk/sync/set-signature", test_set_signature);
  g_test_add_func ("/antragskiosk/sync/worker-offline", test_worker_offline);
  g_test_add_func ("/antragskiosk/sync/destination-document", test_destination_document);
  g_test_add_func ("/antragskiosk/sync/destination-cache", test_destination_cache_and_usable);
  g_test_add_func ("/antragskiosk/sync/check-events", test_check_events);
  return g_test_run ();
}
