/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clerk panel: PIN hashes (PBKDF2-HMAC-SHA256 checked against the
 * RFC 7914 §11 test vector), the lockout after five wrong PINs, and the
 * status it shows once unlocked. */
#include "config.h"

#include "test-kiosk-util.h"

#include <sqlite3.h>
#include <antragskiosk/reference.h>
#include "kiosk-clerk-panel.h"

static void
test_verify_vector (void)
{
  /* RFC 7914 §11: PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1); the
   * first 32 bytes of the 64-byte result. */
  static const guchar dk[32] = {
    0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91, 0xc2, 0x25, 0x44, 0xb6, 0x05,
    0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde, 0x04, 0x65, 0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc,
  };
  g_autofree char *hash = g_base64_encode (dk, sizeof dk);
  g_autofree char *salt = g_base64_encode ((const guchar *) "salt", 4);
  g_autofree char *stored = g_strdup_printf ("pbkdf2-sha256$1$%s$%s", salt, hash);
  guint iterations = 0;

  g_assert_true (kiosk_pin_verify (stored, "passwd", &iterations));
  g_assert_cmpuint (iterations, ==, 1);
  g_assert_false (kiosk_pin_verify (stored, "passwD", NULL));
  g_assert_false (kiosk_pin_verify ("pbkdf2-sha1$1$c2FsdA==$AAAA", "passwd", NULL));
  g_assert_false (kiosk_pin_verify ("garbage", "passwd", NULL));
}

/* A hash made by Python's hashlib.pbkdf2_hmac (the recipe in
 * docs/kiosk.md), an independent implementation. */
static void
test_verify_python_hash (void)
{
  const char *stored = "pbkdf2-sha256$200000$c2FsdHNhbHRzYWx0$X+nrw7lid0y/KcSdDY3eRI1S2X49AjJny8uutHZwWpA=";

  g_assert_true (kiosk_pin_verify (stored, "4711", NULL));
  g_assert_false (kiosk_pin_verify (stored, "4710", NULL));
}

static void
test_hash_roundtrip (void)
{
  g_autofree char *a = kiosk_pin_hash ("4711", KIOSK_CLERK_PIN_MIN_ITERATIONS);
  g_autofree char *b = kiosk_pin_hash ("4711", KIOSK_CLERK_PIN_MIN_ITERATIONS);
  guint iterations = 0;

  g_assert_true (g_str_has_prefix (a, "pbkdf2-sha256$200000$"));
  g_assert_cmpstr (a, !=, b);   /* a fresh salt each time */
  g_assert_true (kiosk_pin_verify (a, "4711", &iterations));
  g_assert_cmpuint (iterations, ==, 200000);
  g_assert_false (kiosk_pin_verify (a, "4712", NULL));
}

static KioskTestKiosk *
clerk_kiosk (void)
{
  g_autofree char *hash = kiosk_pin_hash ("4711", KIOSK_CLERK_PIN_MIN_ITERATIONS);
  g_autofree char *extra = g_strdup_printf ("[clerk]\npin_hash=%s\n", hash);

  return kiosk_test_kiosk_new (extra);
}

static void
test_lockout (void)
{
  KioskTestKiosk *kiosk = clerk_kiosk ();
  KioskClerkPanel *panel = kiosk_window_get_clerk_panel (kiosk->window);

  kiosk_test_activate (kiosk, "kiosk.clerk", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "clerk");
  for (guint i = 0; i < KIOSK_CLERK_MAX_FAILURES; i++)
    {
      g_test_expect_message ("antragskiosk-clerk", G_LOG_LEVEL_MESSAGE, "Wrong clerk PIN*");
      g_assert_false (kiosk_clerk_panel_try_pin (panel, "0000"));
      g_test_assert_expected_messages ();
    }
  /* Locked: even the right PIN is refused now. */
  g_assert_false (kiosk_clerk_panel_try_pin (panel, "4711"));
  g_assert_false (kiosk_clerk_panel_is_unlocked (panel));
  kiosk_test_kiosk_free (kiosk);
}

/* A hash the panel cannot use (too few iterations, too many, malformed)
 * opens nothing, costs no attempt, and says so; IT staff get a warning. */
static void
test_unusable_hash (void)
{
  const char *hashes[] = {
    "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0$X+nrw7lid0y/KcSdDY3eRI1S2X49AjJny8uutHZwWpA=",
    "pbkdf2-sha256$2000000000$c2FsdHNhbHRzYWx0$X+nrw7lid0y/KcSdDY3eRI1S2X49AjJny8uutHZwWpA=",
    "4711",
  };

  for (guint i = 0; i < G_N_ELEMENTS (hashes); i++)
    {
      g_autofree char *extra = g_strdup_printf ("[clerk]\npin_hash=%s\n", hashes[i]);
      KioskTestKiosk *kiosk = kiosk_test_kiosk_new (extra);
      KioskClerkPanel *panel = kiosk_window_get_clerk_panel (kiosk->window);
      gint64 start = g_get_monotonic_time ();

      kiosk_test_activate (kiosk, "kiosk.clerk", NULL);
      for (guint attempt = 0; attempt < KIOSK_CLERK_MAX_FAILURES + 1; attempt++)
        {
          g_test_expect_message ("antragskiosk-clerk", G_LOG_LEVEL_WARNING, "[clerk] pin_hash: *");
          g_assert_false (kiosk_clerk_panel_try_pin (panel, "4711"));
          g_test_assert_expected_messages ();
        }
      /* Two thousand million iterations would take minutes: not run. */
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
      g_assert_false (kiosk_clerk_panel_is_unlocked (panel));
      kiosk_test_kiosk_free (kiosk);
    }
}

/* A visitor's whole session: the sample answers of wohnberechtigungsschein through
 * the wizard, sent; the receipt is on screen. */
static void
submit_sample (KioskTestKiosk *kiosk)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *answers = kiosk_test_load_answers ("wohnberechtigungsschein", &parser);
  KioskWizard *wizard;

  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("en"));
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string ("wohnberechtigungsschein"));
  wizard = kiosk_window_get_wizard (kiosk->window);
  while (g_str_has_prefix (kiosk_wizard_get_position (wizard), "page:"))
    {
      kiosk_test_fill_page (kiosk, answers);
      kiosk_test_activate (kiosk, "wizard.next", NULL);
    }
  kiosk_test_activate (kiosk, "wizard.next", NULL);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (kiosk_test_find_css (GTK_WIDGET (wizard), "consent")), TRUE);
  kiosk_test_activate (kiosk, "wizard.next", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "receipt");
}

static void
test_status (void)
{
  KioskTestKiosk *kiosk = clerk_kiosk ();
  KioskClerkPanel *panel = kiosk_window_get_clerk_panel (kiosk->window);
  g_autofree char *status = NULL;

  /* One application in the queue first. */
  submit_sample (kiosk);

  /* The gesture ends the visitor's session before the PIN prompt. */
  kiosk_test_activate (kiosk, "kiosk.clerk", NULL);
  g_assert_null (kiosk_window_get_reference (kiosk->window));
  g_test_expect_message ("antragskiosk-clerk", G_LOG_LEVEL_MESSAGE, "Clerk panel unlocked");
  g_assert_true (kiosk_clerk_panel_try_pin (panel, "4711"));
  g_test_assert_expected_messages ();
  status = kiosk_clerk_panel_get_status_text (panel);
  /* The panel speaks German (the session's language was reset). */
  g_test_message ("%s", status);
  g_assert_nonnull (strstr (status, "Warteschlange: 1 wartend, 0 auf der Plattform"));
  g_assert_nonnull (strstr (status, "Ältester wartender Antrag: 0 Min."));
  g_assert_nonnull (strstr (status, "Plattform: keine eingerichtet"));
  g_assert_nonnull (strstr (status, "Drucker: keiner eingerichtet"));
  kiosk_test_activate (kiosk, "clerk.leave", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "welcome");
  g_assert_false (kiosk_clerk_panel_is_unlocked (panel));
  kiosk_test_kiosk_free (kiosk);
}

/* The sample application, handed over to the platform: its reference. */
static char *
submitted_sample (KioskTestKiosk *kiosk)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  const char *reference;

  submit_sample (kiosk);
  items = kiosk_queue_list (kiosk->queue, KIOSK_QUEUE_STATE_QUEUED, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  reference = ((KioskQueueItem *) items->pdata[0])->reference;
  g_assert_true (kiosk_queue_mark_created (kiosk->queue, reference, "11111111-2222-4333-8444-555555555555",
                                           "21111111-2222-4333-8444-555555555555", &error));
  g_assert_true (kiosk_queue_mark_submitted (kiosk->queue, reference, &error));
  g_assert_no_error (error);
  return g_strdup (reference);
}

/* The panel's status text, unlocked with the test PIN. */
static char *
unlocked_status (KioskTestKiosk *kiosk)
{
  KioskClerkPanel *panel = kiosk_window_get_clerk_panel (kiosk->window);
  char *status;

  kiosk_test_activate (kiosk, "kiosk.clerk", NULL);
  g_test_expect_message ("antragskiosk-clerk", G_LOG_LEVEL_MESSAGE, "Clerk panel unlocked");
  g_assert_true (kiosk_clerk_panel_try_pin (panel, "4711"));
  g_test_assert_expected_messages ();
  status = kiosk_clerk_panel_get_status_text (panel);
  g_test_message ("%s", status);
  return status;
}

/* An application the authority rejected: the panel says so with the
 * reason the authority gave (issue #14). */
static void
test_rejection_shown (void)
{
  KioskTestKiosk *kiosk = clerk_kiosk ();
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = submitted_sample (kiosk);
  g_autofree char *status = NULL;
  g_autofree char *formatted = kiosk_reference_format (reference);

  g_assert_true (kiosk_queue_mark_rejected (kiosk->queue, reference, "Antrag abgelehnt: Unterschrift fehlt", &error));
  g_assert_no_error (error);
  status = unlocked_status (kiosk);
  g_assert_nonnull (strstr (status, "1 abgelehnt"));
  g_assert_nonnull (strstr (status, "Von der Behörde abgelehnt: "));
  g_assert_nonnull (strstr (status, formatted));
  g_assert_nonnull (strstr (status, "wohnberechtigungsschein · Antrag abgelehnt: Unterschrift fehlt"));
  kiosk_test_activate (kiosk, "clerk.leave", NULL);
  kiosk_test_kiosk_free (kiosk);
}

/* An application the platform deleted before the authority fetched it:
 * the panel counts it and names it with the reason (issue #14). */
static void
test_deletion_shown (void)
{
  KioskTestKiosk *kiosk = clerk_kiosk ();
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = submitted_sample (kiosk);
  g_autofree char *status = NULL;
  g_autofree char *formatted = kiosk_reference_format (reference);

  g_assert_true (kiosk_queue_mark_deleted (kiosk->queue, reference, "Frist abgelaufen", &error));
  g_assert_no_error (error);
  status = unlocked_status (kiosk);
  g_assert_nonnull (strstr (status, "Von der Plattform gel\xc3\xb6scht, bevor die Beh\xc3\xb6rde sie abgeholt hat: 1"));
  g_assert_nonnull (strstr (status, formatted));
  g_assert_nonnull (strstr (status, "wohnberechtigungsschein \xc2\xb7 Frist abgelaufen"));
  g_assert_null (strstr (status, "abgelehnt: "));
  kiosk_test_activate (kiosk, "clerk.leave", NULL);
  kiosk_test_kiosk_free (kiosk);
}

/* The metadata of the application @reference, decrypted by jwcrypto
 * (tests/decrypt_metadata.py) with the demo destination's private key. */
static JsonObject *
decrypted_metadata (KioskTestKiosk *kiosk, const char *reference, JsonParser **parser)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "decrypt_metadata.py", NULL);
  g_autofree char *db = g_build_filename (kiosk->dir, "queue.db", NULL);
  g_autofree char *key = g_build_filename (g_getenv ("ANTRAGSKIOSK_SOURCE_ROOT"), "packaging", "dev",
                                           "demo-destination-private.jwk", NULL);
  const char *argv[] = { "/usr/bin/python3", script, db, reference, key, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_nonnull (g_getenv ("ANTRAGSKIOSK_SOURCE_ROOT"));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("decrypt_metadata.py failed: %s", err);
  *parser = json_parser_new ();
  json_parser_load_from_data (*parser, out, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (*parser));
}

/* The description of the application document (purpose "form"); fails
 * when there is no such document. */
static const char *
form_description (JsonObject *metadata)
{
  JsonArray *attachments = json_object_get_array_member (json_object_get_object_member (metadata, "contentStructure"),
                                                         "attachments");

  for (guint i = 0; i < json_array_get_length (attachments); i++)
    {
      JsonObject *attachment = json_array_get_object_element (attachments, i);
      if (g_strcmp0 (json_object_get_string_member (attachment, "purpose"), "form") == 0)
        return json_object_has_member (attachment, "description")
               ? json_object_get_string_member (attachment, "description") : NULL;
    }
  g_error ("the metadata names no application document");
  return NULL;
}

/* Assisted mode, ticked on the panel, holds for the next visitor's
 * session: the header says so and the application's metadata records it;
 * the session's end ends it. */
static void
test_assisted (void)
{
  KioskTestKiosk *kiosk = clerk_kiosk ();
  KioskClerkPanel *panel = kiosk_window_get_clerk_panel (kiosk->window);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) parser2 = NULL;
  g_autofree char *reference = NULL;
  JsonObject *metadata;

  kiosk_test_activate (kiosk, "kiosk.clerk", NULL);
  g_test_expect_message ("antragskiosk-clerk", G_LOG_LEVEL_MESSAGE, "Clerk panel unlocked");
  g_assert_true (kiosk_clerk_panel_try_pin (panel, "4711"));
  g_test_assert_expected_messages ();
  g_assert_null (kiosk_test_find_css (GTK_WIDGET (kiosk->window), "assisted"));
  kiosk_clerk_panel_set_assisted (panel, TRUE);
  kiosk_test_activate (kiosk, "clerk.leave", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "welcome");
  g_assert_nonnull (kiosk_test_find_css (GTK_WIDGET (kiosk->window), "assisted"));

  submit_sample (kiosk);
  reference = g_strdup (kiosk_window_get_reference (kiosk->window));
  metadata = decrypted_metadata (kiosk, reference, &parser);
  g_assert_cmpstr (form_description (metadata), ==, KIOSK_SUBMISSION_DESCRIPTION_ASSISTED);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (metadata, "additionalReferenceInfo"),
                                                  "senderReference"), ==, reference);

  /* "Done": the next visitor fills in alone. */
  kiosk_test_activate (kiosk, "kiosk.finish", NULL);
  g_assert_null (kiosk_test_find_css (GTK_WIDGET (kiosk->window), "assisted"));
  g_assert_false (kiosk_clerk_panel_get_assisted (panel));
  submit_sample (kiosk);
  metadata = decrypted_metadata (kiosk, kiosk_window_get_reference (kiosk->window), &parser2);
  g_assert_nonnull (metadata);
  g_assert_null (form_description (metadata));
  kiosk_test_kiosk_free (kiosk);
}

#define SCAN_MAC_KEY "clerk-scan-test-key-7Qw2"

/* What zbarimg reads from @image (NULL when it finds no code). */
static char *
zbar_read (const char *image)
{
  const char *argv[] = { "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", image, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    return NULL;
  return g_strdup (g_strchomp (out));
}

/* Waits until @path exists and the printer has let go of it. */
static void
wait_for_file (const char *path)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!g_file_test (path, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  kiosk_test_pump ();
}

static void
scan_into_panel (KioskTestKiosk *kiosk, const char *code)
{
  GtkWidget *entry = kiosk_test_find_css (GTK_WIDGET (kiosk->window), "reprint-entry");

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), code);
  /* a keyboard-wedge scanner ends with Enter */
  g_signal_emit_by_name (entry, "activate");
  kiosk_test_pump ();
}

/* The counter scans the receipt's QR code, as printed, into the panel's
 * reprint entry: with and without a status page, a genuine code reprints
 * the receipt, a forged seal is refused and nothing is printed. */
static void
test_scan_reprint (gconstpointer data)
{
  gboolean with_status_page = GPOINTER_TO_INT (data);
  g_autofree char *hash = kiosk_pin_hash ("4711", KIOSK_CLERK_PIN_MIN_ITERATIONS);
  g_autofree char *dir = g_dir_make_tmp ("clerk-scan-XXXXXX", NULL);
  g_autofree char *printed = g_build_filename (dir, "receipt.png", NULL);
  g_autofree char *extra = g_strdup_printf ("[clerk]\npin_hash=%s\n[receipt]\nmac_key=" SCAN_MAC_KEY "\n%s"
                                            "[printer]\nkind=file\npath=%s\npaper=80\n",
                                            hash, with_status_page ? "status_url=https://amt.example/status\n" : "",
                                            printed);
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (extra);
  KioskClerkPanel *panel = kiosk_window_get_clerk_panel (kiosk->window);
  g_autofree char *reference = NULL;
  g_autofree char *code = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *mac = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *again = NULL;

  submit_sample (kiosk);
  reference = g_strdup (kiosk_window_get_reference (kiosk->window));
  wait_for_file (printed);
  code = zbar_read (printed);
  g_assert_nonnull (code);
  /* The seal: HMAC-SHA256 of the reference, 12 hex digits (docs/receipts.md). */
  mac = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) SCAN_MAC_KEY, strlen (SCAN_MAC_KEY),
                                   reference, -1);
  mac[12] = '\0';
  if (with_status_page)
    expected = g_strdup_printf ("https://amt.example/status?ref=%s&mac=%s", reference, mac);
  else
    {
      g_autofree char *upper = g_ascii_strup (mac, -1);
      expected = g_strdup_printf ("%s.%s", reference, upper);
    }
  g_assert_cmpstr (code, ==, expected);
  g_assert_cmpint (g_unlink (printed), ==, 0);

  kiosk_test_activate (kiosk, "kiosk.clerk", NULL);
  g_test_expect_message ("antragskiosk-clerk", G_LOG_LEVEL_MESSAGE, "Clerk panel unlocked");
  g_assert_true (kiosk_clerk_panel_try_pin (panel, "4711"));
  g_test_assert_expected_messages ();

  /* A forged seal: the last digit changed. Nothing is printed. */
  forged = g_strdup (code);
  forged[strlen (forged) - 1] = forged[strlen (forged) - 1] == '0' ? '1' : '0';
  g_test_expect_message ("antragskiosk-clerk", G_LOG_LEVEL_MESSAGE, "Scanned code refused*");
  scan_into_panel (kiosk, forged);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (kiosk_clerk_panel_get_action_message (panel), ==,
                   "Dieser Code ist keine echte Quittung dieses Amtes: Sein Siegel stimmt nicht.");
  kiosk_test_pump ();
  g_assert_false (g_file_test (printed, G_FILE_TEST_EXISTS));

  /* The genuine code, as scanned: reprinted, and the reprint carries the
   * same code. */
  scan_into_panel (kiosk, code);
  wait_for_file (printed);
  again = zbar_read (printed);
  g_assert_cmpstr (again, ==, code);
  g_assert_cmpint (g_unlink (printed), ==, 0);

  /* Typed by hand in its display form, hyphen and lower case. */
  {
    g_autofree char *display = kiosk_reference_format (reference);
    g_autofree char *lower = g_ascii_strdown (display, -1);

    scan_into_panel (kiosk, lower);
    wait_for_file (printed);
    g_assert_cmpint (g_unlink (printed), ==, 0);
  }
  kiosk_test_activate (kiosk, "clerk.leave", NULL);
  g_rmdir (dir);
  kiosk_test_kiosk_free (kiosk);
}

static guint damaged_warnings;

/* Counts the queue's warning about a damaged ciphertext (a structured
 * entry with QUEUE_REFERENCE), which G_DEBUG=fatal-warnings would
 * otherwise turn into an abort; everything else goes on as usual. */
static GLogWriterOutput
count_damage_writer (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "QUEUE_REFERENCE") == 0 && (log_level & G_LOG_LEVEL_WARNING))
      {
        damaged_warnings++;
        return G_LOG_WRITER_HANDLED;
      }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* A ciphertext damaged on disk (one character changed, as bit rot would):
 * the queue refuses to send it; the clerk panel shows a banner for IT
 * staff and the application as damaged, without a Retry that could never
 * work. */
static void
test_damaged_queue (void)
{
  KioskTestKiosk *kiosk = clerk_kiosk ();
  KioskClerkPanel *panel = kiosk_window_get_clerk_panel (kiosk->window);
  g_autofree char *db_path = g_build_filename (kiosk->dir, "queue.db", NULL);
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *banner;
  sqlite3 *db = NULL;

  submit_sample (kiosk);
  kiosk_test_activate (kiosk, "kiosk.finish", NULL);
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE applications SET data_jwe = substr (data_jwe, 1, 200) || "
                                     "CASE substr (data_jwe, 201, 1) WHEN 'A' THEN 'B' ELSE 'A' END || "
                                     "substr (data_jwe, 202)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  damaged_warnings = 0;
  due = kiosk_queue_take_due (kiosk->queue, G_MAXINT64, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 0);
  g_assert_cmpuint (damaged_warnings, ==, 1);

  kiosk_test_activate (kiosk, "kiosk.clerk", NULL);
  g_test_expect_message ("antragskiosk-clerk", G_LOG_LEVEL_MESSAGE, "Clerk panel unlocked");
  g_assert_true (kiosk_clerk_panel_try_pin (panel, "4711"));
  g_test_assert_expected_messages ();
  kiosk_test_pump ();
  banner = kiosk_test_find_css (GTK_WIDGET (kiosk->window), "damage-alert");
  g_assert_nonnull (banner);
  g_assert_true (gtk_widget_get_visible (banner));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (banner)), "Bitte verständigen Sie jetzt die IT"));
  g_assert_nonnull (kiosk_test_find_css (GTK_WIDGET (kiosk->window), "damaged-application"));
  kiosk_test_activate (kiosk, "clerk.leave", NULL);
  kiosk_test_kiosk_free (kiosk);
}

int
main (int argc, char **argv)
{
  /* No accessibility bus for widget tests: parallel tests would share
   * (and race for) one; tests/test_kiosk_atspi.py covers AT-SPI. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_log_set_writer_func (count_damage_writer, NULL, NULL);
  gtk_test_init (&argc, &argv, NULL);
  kiosk_i18n_init ();
  g_test_add_func ("/antragskiosk/kiosk-clerk/verify-vector", test_verify_vector);
  g_test_add_func ("/antragskiosk/kiosk-clerk/verify-python-hash", test_verify_python_hash);
  g_test_add_func ("/antragskiosk/kiosk-clerk/hash-roundtrip", test_hash_roundtrip);
  g_test_add_func ("/antragskiosk/kiosk-clerk/lockout", test_lockout);
  g_test_add_func ("/antragskiosk/kiosk-clerk/unusable-hash", test_unusable_hash);
  g_test_add_func ("/antragskiosk/kiosk-clerk/status", test_status);
  g_test_add_func ("/antragskiosk/kiosk-clerk/rejection-shown", test_rejection_shown);
  g_test_add_func ("/antragskiosk/kiosk-clerk/deletion-shown", test_deletion_shown);
  g_test_add_func ("/antragskiosk/kiosk-clerk/assisted", test_assisted);
  g_test_add_func ("/antragskiosk/kiosk-clerk/damaged-queue", test_damaged_queue);
  g_test_add_data_func ("/antragskiosk/kiosk-clerk/scan-reprint/bare", GINT_TO_POINTER (FALSE), test_scan_reprint);
  g_test_add_data_func ("/antragskiosk/kiosk-clerk/scan-reprint/status-page", GINT_TO_POINTER (TRUE), test_scan_reprint);
  return g_test_run ();
}
