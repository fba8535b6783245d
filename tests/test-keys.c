/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test-keys"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <antragskiosk/keys.h>

#include "testca.h"

/* The test PKI (tests/keys-testca.py); its dates are fixed there. */
static char *ca_dir;

static char *
ca_file (const char *name)
{
  return g_build_filename (ca_dir, name, NULL);
}

static GDateTime *
at (int year, int month, int day)
{
  return g_date_time_new_utc (year, month, day, 12, 0, 0);
}

static KioskKey *
load (const char  *jwk,
      const char  *anchor,
      GDateTime   *when,
      GError     **error)
{
  g_autofree char *jwk_path = ca_file (jwk);
  g_autofree char *anchor_path = ca_file (anchor);

  return kiosk_key_load (jwk_path, anchor_path, when, error);
}

static void
assert_fails (const char *jwk,
              const char *anchor,
              GDateTime  *when,
              int         code,
              const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskKey) key = load (jwk, anchor, when, &error);

  g_assert_null (key);
  g_assert_error (error, KIOSK_KEYS_ERROR, code);
  if (strstr (error->message, fragment) == NULL)
    g_error ("message for %s lacks \"%s\": %s", jwk, fragment, error->message);
  /* Every message names the key file. */
  g_assert_nonnull (strstr (error->message, jwk));
}

static void
test_valid (void)
{
  g_autoptr(GDateTime) when = at (2026, 6, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskKey) key = load ("valid.jwk", "root.pem", when, &error);
  g_autofree char *not_after = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_cmpstr (kiosk_key_get_kid (key), ==, "test-valid");
  g_assert_cmpuint (kiosk_key_get_bits (key), ==, 4096);
  g_assert_false (kiosk_key_has_private (key));
  /* The earliest notAfter of leaf (2035-06-30 12:00) and root (2040). */
  not_after = g_date_time_format (kiosk_key_get_not_after (key), "%Y-%m-%d %H:%M:%S");
  g_assert_cmpstr (not_after, ==, "2035-06-30 12:00:00");
  g_assert_nonnull (strstr (kiosk_key_get_subject (key), "CN=Valid Destination"));
}

static void
test_intermediate (void)
{
  g_autoptr(GDateTime) when = at (2026, 6, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskKey) key = load ("chain.jwk", "root.pem", when, &error);
  g_autofree char *not_after = NULL;

  g_assert_no_error (error);
  /* The intermediate (2033-07-01) expires before the leaf (2034-03-15). */
  not_after = g_date_time_format (kiosk_key_get_not_after (key), "%Y-%m-%d");
  g_assert_cmpstr (not_after, ==, "2033-07-01");
}

static void
test_expired (void)
{
  g_autoptr(GDateTime) when = at (2026, 6, 1);
  g_autoptr(GDateTime) later = at (2036, 1, 1);

  assert_fails ("expired.jwk", "root.pem", when, KIOSK_KEYS_ERROR_EXPIRED,
                "expired on 2024-12-31 23:59:59 UTC");
  /* The valid key, checked after its end. */
  assert_fails ("valid.jwk", "root.pem", later, KIOSK_KEYS_ERROR_EXPIRED,
                "expired on 2035-06-30 12:00:00 UTC");
}

static void
test_not_yet_valid (void)
{
  g_autoptr(GDateTime) when = at (2026, 6, 1);
  g_autoptr(GDateTime) earlier = at (2024, 12, 1);

  assert_fails ("notyet.jwk", "root.pem", when, KIOSK_KEYS_ERROR_NOT_YET_VALID,
                "not valid before 2030-01-01");
  assert_fails ("valid.jwk", "root.pem", earlier, KIOSK_KEYS_ERROR_NOT_YET_VALID,
                "not valid before 2025-01-01");
}

static void
test_wrong_root (void)
{
  g_autoptr(GDateTime) when = at (2026, 6, 1);

  assert_fails ("wrongroot.jwk", "root.pem", when, KIOSK_KEYS_ERROR_UNTRUSTED,
                "not signed by the trust anchor");
  /* A good key against the wrong trust anchor. */
  assert_fails ("valid.jwk", "other-root.pem", when, KIOSK_KEYS_ERROR_UNTRUSTED,
                "not signed by the trust anchor");
  /* An intermediate chain without its root in the anchor. */
  assert_fails ("chain.jwk", "other-root.pem", when, KIOSK_KEYS_ERROR_UNTRUSTED,
                "trust anchor");
}

static void
test_mismatch (void)
{
  g_autoptr(GDateTime) when = at (2026, 6, 1);

  assert_fails ("mismatch.jwk", "root.pem", when, KIOSK_KEYS_ERROR_MISMATCH,
                "different public key");
}

static void
test_key_ops (void)
{
  g_autoptr(GDateTime) when = at (2026, 6, 1);

  assert_fails ("nowrap.jwk", "root.pem", when, KIOSK_KEYS_ERROR_UNSUITABLE,
                "\"key_ops\" lacks \"wrapKey\"");
  assert_fails ("noops.jwk", "root.pem", when, KIOSK_KEYS_ERROR_UNSUITABLE,
                "\"key_ops\" is missing");
  assert_fails ("signonly.jwk", "root.pem", when, KIOSK_KEYS_ERROR_UNSUITABLE,
                "keyEncipherment");
}

static void
test_members (void)
{
  g_autoptr(GDateTime) when = at (2026, 6, 1);

  assert_fails ("nokid.jwk", "root.pem", when, KIOSK_KEYS_ERROR_SYNTAX, "no \"kid\"");
  assert_fails ("badalg.jwk", "root.pem", when, KIOSK_KEYS_ERROR_UNSUITABLE,
                "\"alg\" is \"RSA1_5\"");
  assert_fails ("sigkey.jwk", "root.pem", when, KIOSK_KEYS_ERROR_UNSUITABLE, "\"use\" is \"sig\"");
  assert_fails ("nox5c.jwk", "root.pem", when, KIOSK_KEYS_ERROR_UNTRUSTED, "no \"x5c\"");
  assert_fails ("b64url-x5c.jwk", "root.pem", when, KIOSK_KEYS_ERROR_SYNTAX, "not base64url");
  /* The private JWK is refused as an encryption key. */
  assert_fails ("valid-private.jwk", "root.pem", when, KIOSK_KEYS_ERROR_UNSUITABLE, "PRIVATE");
}

/* Issue #14: FIT-Connect requires RSA 4096 for a destination's keys; a
 * key_file of 2048 bits (with a chain that is good in every other way) is
 * refused with its size and the minimum, as an encryption key and as a
 * signature key; the 4096-bit key of the same PKI passes (test_valid). */
static void
test_too_small (void)
{
  g_autoptr(GDateTime) when = at (2026, 6, 1);
  g_autofree char *path = ca_file ("small.jwk");
  g_autofree char *root = ca_file ("root.pem");
  g_autofree char *json = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *sig_json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskKey) sig_key = NULL;
  g_autoptr(KioskKey) good = load ("valid.jwk", "root.pem", when, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (kiosk_key_get_bits (good), ==, KIOSK_KEYS_MIN_RSA_BITS);
  g_assert_cmpuint (KIOSK_KEYS_MIN_RSA_BITS, ==, 4096);

  assert_fails ("small.jwk", "root.pem", when, KIOSK_KEYS_ERROR_UNSUITABLE,
                "small.jwk: the RSA key has 2048 bits; FIT-Connect requires at least 4096");

  /* The same key as a destination's signature key (PS512, use sig). */
  g_assert_true (g_file_get_contents (path, &json, NULL, NULL));
  g_assert_true (g_file_get_contents (root, &pem, NULL, NULL));
  {
    g_auto(GStrv) a = g_strsplit (json, "\"RSA-OAEP-256\"", -1);
    g_autofree char *b = g_strjoinv ("\"PS512\"", a);
    g_auto(GStrv) c = g_strsplit (b, "\"enc\"", -1);
    g_autofree char *d = g_strjoinv ("\"sig\"", c);
    g_auto(GStrv) e = g_strsplit (d, "\"wrapKey\"", -1);

    g_assert_cmpuint (g_strv_length (a), ==, 2);
    g_assert_cmpuint (g_strv_length (e), ==, 2);
    sig_json = g_strjoinv ("\"verify\"", e);
  }
  sig_key = kiosk_key_new_checked (sig_json, -1, pem, -1, KIOSK_KEY_PURPOSE_VERIFY, when, "sig.jwk", &error);
  g_assert_null (sig_key);
  g_assert_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNSUITABLE);
  g_assert_cmpstr (error->message, ==, "sig.jwk: the RSA key has 2048 bits; FIT-Connect requires at least 4096");
}

static void
test_syntax (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *root = ca_file ("root.pem");
  KioskKey *key;
  static const struct { const char *json; int code; const char *fragment; } cases[] = {
    { "not json", KIOSK_KEYS_ERROR_SYNTAX, "not a JSON Web Key (JSON syntax error at line 1, column" },
    { "[1,2]", KIOSK_KEYS_ERROR_SYNTAX, "not an object" },
    { "{\"kid\":\"a\"}", KIOSK_KEYS_ERROR_SYNTAX, "\"kty\" is missing" },
    { "{\"kty\":\"EC\",\"kid\":\"a\"}", KIOSK_KEYS_ERROR_UNSUITABLE, "RSA key" },
    { "{\"kty\":\"RSA\",\"kid\":\"a\",\"alg\":\"RSA-OAEP-256\",\"key_ops\":[\"wrapKey\"],"
      "\"n\":\"a+b\",\"e\":\"AQAB\",\"x5c\":[]}", KIOSK_KEYS_ERROR_SYNTAX, "\"n\" is not base64url" },
    { "{\"kty\":\"RSA\",\"kid\":\"a\",\"alg\":\"RSA-OAEP-256\",\"key_ops\":[\"wrapKey\"],"
      "\"n\":\"AQAB\",\"e\":\"AQAB\",\"x5c\":[]}", KIOSK_KEYS_ERROR_UNSUITABLE,
      "has 17 bits; FIT-Connect requires at least 4096" },
  };

  g_assert_true (g_file_get_contents (root, &pem, NULL, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_clear_error (&error);
      key = kiosk_key_new_from_data (cases[i].json, -1, pem, -1, NULL, "case.jwk", &error);
      g_assert_null (key);
      g_assert_error (error, KIOSK_KEYS_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": \"%s\" not in: %s", i, cases[i].fragment, error->message);
    }

  /* A trust anchor that is not PEM. */
  g_clear_error (&error);
  {
    g_autofree char *jwk = NULL;
    g_autofree char *jwk_path = ca_file ("valid.jwk");

    g_assert_true (g_file_get_contents (jwk_path, &jwk, NULL, NULL));
    key = kiosk_key_new_from_data (jwk, -1, "no certificate here", -1, NULL, "case.jwk", &error);
    g_assert_null (key);
    g_assert_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX);
  }

  /* Missing files. */
  g_clear_error (&error);
  key = kiosk_key_load ("/nonexistent/key.jwk", root, NULL, &error);
  g_assert_null (key);
  g_assert_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/key.jwk"));
}

/* Issue #18: a client secret file named as key_file (or trust_anchor) by
 * mistake: the error says what was expected and where, and never quotes
 * the file. json-glib's own message would quote the token. */
static void
test_secret_not_quoted (void)
{
  static const struct { const char *content; const char *fragment; } cases[] = {
    { "Zq8vN3secretTOKENx7Kp2\n", "JSON syntax error at line 1, column" },
    { "{\"client\": \"a\",\n \"b\": Zq8vN3secretTOKENx7Kp2}\n", "JSON syntax error at line 2, column" },
    { "\"Zq8vN3secretTOKENx7Kp2\"", "the JSON is not an object" },
    { "{\"kty\": \"Zq8vN3secretTOKENx7Kp2 with spaces\", \"kid\": \"a\"}", "\"kty\" is not \"RSA\"" },
    { "{\"kty\": \"RSA\", \"kid\": \"a\", \"alg\": \"Zq8vN3secretTOKENx7Kp2Zq8vN3\"}", "\"alg\" is not" },
  };
  g_autofree char *dir = g_dir_make_tmp ("keys-XXXXXX", NULL);
  g_autofree char *secret = g_build_filename (dir, "client-secret", NULL);
  g_autofree char *root = ca_file ("root.pem");
  g_autofree char *jwk = ca_file ("valid.jwk");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskKey) key = NULL;

      g_assert_true (g_file_set_contents (secret, cases[i].content, -1, NULL));
      key = kiosk_key_load (secret, root, NULL, &error);
      g_assert_null (key);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": \"%s\" not in: %s", i, cases[i].fragment, error->message);
      g_assert_nonnull (strstr (error->message, secret));
      g_assert_null (strstr (error->message, "Zq8vN3"));
    }

  /* the same file as the trust anchor */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KioskKey) key = NULL;

    g_assert_true (g_file_set_contents (secret, "Zq8vN3secretTOKENx7Kp2\n", -1, NULL));
    key = kiosk_key_load (jwk, secret, NULL, &error);
    g_assert_null (key);
    g_assert_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX);
    g_assert_null (strstr (error->message, "Zq8vN3"));
  }
  g_unlink (secret);
  g_rmdir (dir);
}

/* Issue #18: a FIFO as key_file or trust_anchor used to block for ever,
 * /dev/zero to grow without bound; both are refused at once, as is a
 * file larger than a key can be. alarm() fails the test if a read hangs. */
static void
test_not_regular (void)
{
  g_autofree char *dir = g_dir_make_tmp ("keys-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "key.fifo", NULL);
  g_autofree char *big = g_build_filename (dir, "big.jwk", NULL);
  g_autofree char *root = ca_file ("root.pem");
  g_autofree char *jwk = ca_file ("valid.jwk");
  g_autofree char *padding = NULL;
  struct { const char *jwk; const char *anchor; const char *fragment; } cases[] = {
    { fifo, root, "FIFO" },
    { jwk, fifo, "FIFO" },
    { "/dev/zero", root, "character device" },
    { jwk, "/dev/zero", "character device" },
    { big, root, "more than" },
  };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  padding = g_strnfill (300 * 1024, ' ');
  g_assert_true (g_file_set_contents (big, padding, -1, NULL));
  alarm (20);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskKey) key = kiosk_key_load (cases[i].jwk, cases[i].anchor, NULL, &error);

      g_assert_null (key);
      g_assert_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_IO);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": \"%s\" not in: %s", i, cases[i].fragment, error->message);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KioskKey) key = kiosk_key_load_private (fifo, &error);

    g_assert_null (key);
    g_assert_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_IO);
  }
  alarm (0);
  g_unlink (fifo);
  g_unlink (big);
  g_rmdir (dir);
}

static void
test_private (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ca_file ("valid-private.jwk");
  g_autoptr(KioskKey) key = kiosk_key_load_private (path, &error);

  g_assert_no_error (error);
  g_assert_true (kiosk_key_has_private (key));
  g_assert_cmpstr (kiosk_key_get_kid (key), ==, "test-valid");
  g_assert_null (kiosk_key_get_not_after (key));
}

static void
test_demo_key (void)
{
  /* The committed demo key verifies against the committed demo root, as
   * the embedded resources and as files; its certificate runs 10 years. */
  const char *root = g_getenv ("ANTRAGSKIOSK_SOURCE_ROOT");
  g_autofree char *jwk = NULL;
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskKey) key = NULL;
  g_autoptr(KioskKey) embedded = NULL;
  g_autoptr(GDateTime) when = at (2027, 1, 1);

  if (root == NULL)
    {
      g_test_skip ("ANTRAGSKIOSK_SOURCE_ROOT not set");
      return;
    }
  jwk = g_build_filename (root, "resources", "demo", "demo-destination.jwk", NULL);
  pem = g_build_filename (root, "resources", "demo", "demo-root-ca.pem", NULL);
  key = kiosk_key_load (jwk, pem, when, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kiosk_key_get_bits (key), ==, 4096);
  g_assert_cmpint (g_date_time_get_year (kiosk_key_get_not_after (key)), >=, 2036);

  embedded = kiosk_key_load ("resource:///de/antragskiosk/demo/demo-destination.jwk",
                             "resource:///de/antragskiosk/demo/demo-root-ca.pem", when, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kiosk_key_get_kid (embedded), ==, kiosk_key_get_kid (key));
}

static void
test_threads_share_key (void)
{
  /* A key is reference counted atomically. */
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) when = at (2026, 6, 1);
  g_autoptr(KioskKey) key = load ("valid.jwk", "root.pem", when, &error);
  KioskKey *again;

  g_assert_no_error (error);
  again = kiosk_key_ref (key);
  g_assert_true (again == key);
  kiosk_key_unref (again);
  g_assert_cmpstr (kiosk_key_get_kid (key), ==, "test-valid");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  ca_dir = testca_make (4096);

  g_test_add_func ("/antragskiosk/keys/valid", test_valid);
  g_test_add_func ("/antragskiosk/keys/intermediate", test_intermediate);
  g_test_add_func ("/antragskiosk/keys/expired", test_expired);
  g_test_add_func ("/antragskiosk/keys/not-yet-valid", test_not_yet_valid);
  g_test_add_func ("/antragskiosk/keys/wrong-root", test_wrong_root);
  g_test_add_func ("/antragskiosk/keys/mismatched-key", test_mismatch);
  g_test_add_func ("/antragskiosk/keys/key-ops", test_key_ops);
  g_test_add_func ("/antragskiosk/keys/members", test_members);
  g_test_add_func ("/antragskiosk/keys/too-small", test_too_small);
  g_test_add_func ("/antragskiosk/keys/syntax", test_syntax);
  g_test_add_func ("/antragskiosk/keys/secret-not-quoted", test_secret_not_quoted);
  g_test_add_func ("/antragskiosk/keys/not-regular", test_not_regular);
  g_test_add_func ("/antragskiosk/keys/private", test_private);
  g_test_add_func ("/antragskiosk/keys/demo-key", test_demo_key);
  g_test_add_func ("/antragskiosk/keys/ref", test_threads_share_key);

  status = g_test_run ();
  testca_remove (ca_dir);
  g_free (ca_dir);
  return status;
}
