/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test-receipt"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/receipt-item.h>
#include <antragskiosk/receipt.h>
#include <antragskiosk/reference.h>

#include "receipt-testutil.h"

#define STATUS_URL "https://buergerbuero.example/status"
#define REFERENCE "K7M4QX9PR"
#define LOCATION "Bürgerbüro Musterstadt, Rathausstraße 1"
#define TITLE "Anwohnerparkausweis für Straßen im Viertel Ölmühle"
#define MAC_KEY "kiosk-test-key-0123456789"
/* HMAC-SHA256(MAC_KEY, REFERENCE), computed with Python's hmac module */
#define MAC_FULL "255243415487eba560172ecb004fbe4dccf5eeac8e70c84e8e5239e8b2f39fb6"

static KioskReceiptOptions *
make_options (gboolean with_mac)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  KioskReceiptOptions *options;

  g_key_file_set_string (keyfile, "receipt", "status_url", STATUS_URL);
  if (with_mac)
    g_key_file_set_string (keyfile, "receipt", "mac_key", MAC_KEY);
  options = kiosk_receipt_options_new_from_keyfile (keyfile, &error);
  g_assert_no_error (error);
  g_assert_nonnull (options);
  return options;
}

/* [receipt] without status_url: no status page. */
static KioskReceiptOptions *
make_bare_options (gboolean with_mac)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  KioskReceiptOptions *options;

  if (with_mac)
    g_key_file_set_string (keyfile, "receipt", "mac_key", MAC_KEY);
  options = kiosk_receipt_options_new_from_keyfile (keyfile, &error);
  g_assert_no_error (error);
  g_assert_nonnull (options);
  g_assert_null (options->status_url);
  return options;
}

static KioskReceipt *receipt_with (KioskReceiptOptions *options, KioskReceiptState state);

static KioskReceipt *
make_bare_receipt (gboolean with_mac, KioskReceiptState state)
{
  return receipt_with (make_bare_options (with_mac), state);
}

/* A receipt of the test's fixed application, with @options (taken). */
static KioskReceipt *
receipt_with (KioskReceiptOptions *options_taken, KioskReceiptState state)
{
  g_autoptr(KioskReceiptOptions) options = options_taken;
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GDateTime) when = g_date_time_new (zone, 2026, 3, 14, 9, 26, 53);
  g_autoptr(GError) error = NULL;
  KioskReceipt *receipt;

  receipt = kiosk_receipt_new (REFERENCE, TITLE, when, LOCATION, state, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (receipt);
  return receipt;
}

static KioskReceipt *
make_receipt (gboolean with_mac, KioskReceiptState state)
{
  return receipt_with (make_options (with_mac), state);
}

static void
test_payload (void)
{
  g_autoptr(KioskReceipt) plain = make_receipt (FALSE, KIOSK_RECEIPT_STATE_QUEUED);
  g_autoptr(KioskReceipt) sealed = make_receipt (TRUE, KIOSK_RECEIPT_STATE_QUEUED);
  g_autoptr(KioskReceiptOptions) options = make_options (FALSE);
  g_autoptr(KioskReceipt) query = NULL;
  g_autoptr(KioskReceipt) none = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (plain->qr_payload, ==, STATUS_URL "?ref=" REFERENCE);
  /* the default MAC keeps 12 hex digits */
  g_assert_cmpstr (sealed->qr_payload, ==, STATUS_URL "?ref=" REFERENCE "&mac=255243415487");
  g_assert_nonnull (strstr (plain->status_text, STATUS_URL));

  g_free (options->status_url);
  options->status_url = g_strdup ("https://amt.example/s?lang=de");
  query = kiosk_receipt_new ("ABC-234", "T", now, NULL, KIOSK_RECEIPT_STATE_TRANSMITTED, options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (query->qr_payload, ==, "https://amt.example/s?lang=de&ref=ABC-234");

  /* No status page: the QR still carries the reference, bare, and the
   * seal after a '.' in upper case when a key is set. */
  none = kiosk_receipt_new ("ABC", "T", now, NULL, KIOSK_RECEIPT_STATE_QUEUED, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (none->qr_payload, ==, "ABC");
  {
    g_autoptr(KioskReceiptOptions) bare = make_bare_options (TRUE);
    g_autoptr(KioskReceipt) sealed_bare = kiosk_receipt_new (REFERENCE, "T", now, NULL,
                                                             KIOSK_RECEIPT_STATE_QUEUED, bare, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sealed_bare->qr_payload, ==, REFERENCE ".255243415487");
    g_assert_null (sealed_bare->status_url);
  }
}

static void
test_mac (void)
{
  /* RFC 4231, test case 2 */
  g_autoptr(GBytes) jefe = g_bytes_new_static ("Jefe", 4);
  g_autoptr(GBytes) key = g_bytes_new_static (MAC_KEY, strlen (MAC_KEY));
  g_autofree char *full = kiosk_receipt_mac (jefe, "what do ya want for nothing?", 64);
  g_autofree char *short_mac = kiosk_receipt_mac (jefe, "what do ya want for nothing?", 8);
  g_autofree char *ours = kiosk_receipt_mac (key, REFERENCE, 64);

  g_assert_cmpstr (full, ==, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  g_assert_cmpstr (short_mac, ==, "5bdcc146");
  g_assert_cmpstr (ours, ==, MAC_FULL);
}

static void
test_verify (void)
{
  g_autoptr(KioskReceiptOptions) options = make_options (TRUE);
  g_autoptr(KioskReceiptOptions) other = make_options (TRUE);
  g_autoptr(KioskReceiptOptions) keyless = make_options (FALSE);
  g_autoptr(KioskReceiptOptions) bare_sealed = make_bare_options (TRUE);
  g_autoptr(KioskReceiptOptions) bare_other = make_bare_options (TRUE);
  g_autoptr(KioskReceiptOptions) bare_keyless = make_bare_options (FALSE);
  g_autoptr(GError) error = NULL;
  char *reference;

  g_bytes_unref (other->mac_key);
  other->mac_key = g_bytes_new_static ("another-kiosk-key-xyz", 21);
  g_bytes_unref (bare_other->mac_key);
  bare_other->mac_key = g_bytes_new_static ("another-kiosk-key-xyz", 21);

  /* The bare form, sealed (the seal in either case) and unsealed; read by
   * a kiosk without a status page and by one with it alike. */
  {
    struct { const char *payload; KioskReceiptOptions *options; } good[] = {
      { REFERENCE ".255243415487", bare_sealed },
      { REFERENCE ".255243415487", options },
      { REFERENCE ".255243415487", bare_keyless },
      { REFERENCE, bare_keyless },
      { REFERENCE, keyless },
    };
    for (guint i = 0; i < G_N_ELEMENTS (good); i++)
      {
        reference = kiosk_receipt_verify_payload (good[i].payload, good[i].options, &error);
        g_test_message ("good case %u: %s", i, good[i].payload);
        g_assert_no_error (error);
        g_assert_cmpstr (reference, ==, REFERENCE);
        g_free (reference);
      }
  }

  reference = kiosk_receipt_verify_payload (STATUS_URL "?ref=" REFERENCE "&mac=255243415487", options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reference, ==, REFERENCE);
  g_free (reference);

  {
    struct { const char *payload; KioskReceiptOptions *options; int code; } bad[] = {
      { STATUS_URL "?ref=" REFERENCE "&mac=255243415488", options, KIOSK_RECEIPT_ERROR_NOT_GENUINE },
      { STATUS_URL "?ref=K7M4QX9PS&mac=255243415487", options, KIOSK_RECEIPT_ERROR_NOT_GENUINE },
      { STATUS_URL "?ref=" REFERENCE "&mac=255243415487", other, KIOSK_RECEIPT_ERROR_NOT_GENUINE },
      { STATUS_URL "?ref=" REFERENCE, options, KIOSK_RECEIPT_ERROR_NOT_GENUINE },
      /* right digits, wrong length: a shorter seal would be easier to guess */
      { STATUS_URL "?ref=" REFERENCE "&mac=25524341", options, KIOSK_RECEIPT_ERROR_NOT_GENUINE },
      { STATUS_URL "?ref=" REFERENCE "&mac=" MAC_FULL, options, KIOSK_RECEIPT_ERROR_NOT_GENUINE },
      { "https://evil.example/status?ref=" REFERENCE "&mac=255243415487", options, KIOSK_RECEIPT_ERROR_INVALID },
      { STATUS_URL "x?ref=" REFERENCE, keyless, KIOSK_RECEIPT_ERROR_INVALID },
      { STATUS_URL "?ref=k7m4", keyless, KIOSK_RECEIPT_ERROR_INVALID },
      { STATUS_URL "?ref=" REFERENCE "&x=1", keyless, KIOSK_RECEIPT_ERROR_INVALID },
      { STATUS_URL "?mac=255243415487", options, KIOSK_RECEIPT_ERROR_INVALID },
      /* the bare form: the same seal rules */
      { REFERENCE ".255243415488", options, KIOSK_RECEIPT_ERROR_NOT_GENUINE },
      { REFERENCE, options, KIOSK_RECEIPT_ERROR_NOT_GENUINE },
      { REFERENCE ".25524341", options, KIOSK_RECEIPT_ERROR_NOT_GENUINE },
      { REFERENCE ".255243415487", other, KIOSK_RECEIPT_ERROR_NOT_GENUINE },
      { REFERENCE ".255243415487", bare_other, KIOSK_RECEIPT_ERROR_NOT_GENUINE },
      { "K7M4 QX9PR", bare_keyless, KIOSK_RECEIPT_ERROR_INVALID },
      { "k7m4qx9pr", bare_keyless, KIOSK_RECEIPT_ERROR_INVALID },
      { "", bare_keyless, KIOSK_RECEIPT_ERROR_INVALID },
      { ".255243415487", bare_sealed, KIOSK_RECEIPT_ERROR_INVALID },
      /* an address where this kiosk has no status page */
      { STATUS_URL "?ref=" REFERENCE, bare_keyless, KIOSK_RECEIPT_ERROR_INVALID },
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_clear_error (&error);
        reference = kiosk_receipt_verify_payload (bad[i].payload, bad[i].options, &error);
        g_test_message ("case %u: %s", i, bad[i].payload);
        g_assert_null (reference);
        g_assert_error (error, KIOSK_RECEIPT_ERROR, bad[i].code);
      }
  }

  /* without a key, no seal is needed */
  g_clear_error (&error);
  reference = kiosk_receipt_verify_payload (STATUS_URL "?ref=" REFERENCE, keyless, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reference, ==, REFERENCE);
  g_free (reference);
}

/* [receipt] mac_key_file is read as a secret: a regular file, small,
 * never a FIFO (which would block the kiosk and the sync) or /dev/zero
 * (which would fill the memory); its trailing newline is not key. */
static void
test_mac_key_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("receipt-mac-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *good = g_build_filename (dir, "mac.key", NULL);
  const char *bad[] = { fifo, "/dev/zero", dir };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  alarm (20);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GKeyFile) keyfile = g_key_file_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskReceiptOptions) options = NULL;

      g_key_file_set_string (keyfile, "receipt", "mac_key_file", bad[i]);
      options = kiosk_receipt_options_new_from_keyfile (keyfile, &error);
      g_assert_null (options);
      g_assert_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
  alarm (0);
  {
    g_autoptr(GKeyFile) keyfile = g_key_file_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(KioskReceiptOptions) options = NULL;
    g_autofree char *mac = NULL;

    g_assert_true (g_file_set_contents (good, MAC_KEY "\n", -1, NULL));
    g_key_file_set_string (keyfile, "receipt", "mac_key_file", good);
    options = kiosk_receipt_options_new_from_keyfile (keyfile, &error);
    g_assert_no_error (error);
    mac = kiosk_receipt_mac (options->mac_key, REFERENCE, 64);
    g_assert_cmpstr (mac, ==, MAC_FULL);
  }
  remove_tree (dir);
}

static void
test_invalid (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  const char *bad_references[] = { "", "k7m4", "K7M4 QX", "ÄBC", "ABC/../X", "K7M4?x=1",
                                   "ABCDEFGHJKLMNPQRSTUVWXYZ234567890" };
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  KioskReceiptOptions *options;

  for (guint i = 0; i < G_N_ELEMENTS (bad_references); i++)
    {
      KioskReceipt *receipt = kiosk_receipt_new (bad_references[i], "T", now, NULL,
                                                 KIOSK_RECEIPT_STATE_QUEUED, NULL, &error);
      g_assert_null (receipt);
      g_assert_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_null (kiosk_receipt_new ("ABC", "line\nbreak", now, NULL, KIOSK_RECEIPT_STATE_QUEUED, NULL, &error));
  g_assert_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID);
  g_clear_error (&error);

  g_key_file_set_string (keyfile, "receipt", "status_url", "ftp://x.example/");
  options = kiosk_receipt_options_new_from_keyfile (keyfile, &error);
  g_assert_null (options);
  g_assert_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_CONFIG);
  g_clear_error (&error);

  g_key_file_set_string (keyfile, "receipt", "status_url", STATUS_URL);
  g_key_file_set_string (keyfile, "receipt", "mac_key", "short");
  options = kiosk_receipt_options_new_from_keyfile (keyfile, &error);
  g_assert_null (options);
  g_assert_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_CONFIG);
  g_clear_error (&error);

  g_key_file_set_string (keyfile, "receipt", "mac_key", MAC_KEY);
  g_key_file_set_integer (keyfile, "receipt", "mac_length", 4);
  options = kiosk_receipt_options_new_from_keyfile (keyfile, &error);
  g_assert_null (options);
  g_assert_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_CONFIG);
  g_clear_error (&error);

  g_key_file_set_integer (keyfile, "receipt", "mac_length", 16);
  options = kiosk_receipt_options_new_from_keyfile (keyfile, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (options->mac_length, ==, 16);
  kiosk_receipt_options_free (options);
}

/* The module matrix against the QR specification (ISO/IEC 18004): side
 * 17 + 4 × version plus the quiet zone, a light quiet zone, the three
 * finder patterns. */
static void
test_qr_matrix (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQrCode) qr = kiosk_qr_code_new (STATUS_URL "?ref=" REFERENCE, &error);
  guint q = KIOSK_QR_QUIET_ZONE;
  guint width;

  g_assert_no_error (error);
  g_assert_cmpuint (KIOSK_QR_QUIET_ZONE, ==, 4);
  /* 49 bytes at level M need version 4 (ISO/IEC 18004 table 7: version 3-M
   * holds 44 data codewords = 352 bits, 4-M 64; even split into byte and
   * alphanumeric segments the payload takes 395 bits) */
  g_assert_cmpuint (strlen (STATUS_URL "?ref=" REFERENCE), ==, 49);
  g_assert_cmpuint (qr->version, ==, 4);
  width = 17 + 4 * qr->version;
  g_assert_cmpuint (qr->size, ==, width + 2 * q);

  for (guint y = 0; y < qr->size; y++)
    for (guint x = 0; x < qr->size; x++)
      if (x < q || y < q || x >= q + width || y >= q + width)
        g_assert_false (kiosk_qr_code_get (qr, x, y));

  /* finder patterns: dark 7×7 ring, light ring, dark 3×3 centre */
  {
    guint origins[3][2] = { { q, q }, { q + width - 7, q }, { q, q + width - 7 } };
    for (guint f = 0; f < 3; f++)
      for (guint dy = 0; dy < 7; dy++)
        for (guint dx = 0; dx < 7; dx++)
          {
            gboolean ring = dx == 0 || dy == 0 || dx == 6 || dy == 6;
            gboolean centre = dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4;
            g_assert_cmpint (kiosk_qr_code_get (qr, origins[f][0] + dx, origins[f][1] + dy), ==, ring || centre);
          }
  }

  /* a payload too long for version 40-M (2331 bytes) is an error */
  {
    g_autofree char *huge = g_strnfill (3000, 'a');
    KioskQrCode *none = kiosk_qr_code_new (huge, &error);
    g_assert_null (none);
    g_assert_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_QR);
  }
}

static void
test_pixels (void)
{
  g_autoptr(KioskReceipt) receipt = make_receipt (TRUE, KIOSK_RECEIPT_STATE_QUEUED);
  g_autoptr(KioskQrCode) qr = kiosk_qr_code_new (receipt->qr_payload, NULL);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pgm = g_build_filename (dir, "qr.pgm", NULL);
  g_autofree char *decoded = NULL;
  g_autoptr(GBytes) grey = NULL;
  g_autoptr(GBytes) rgba = NULL;
  guint side = 0, scale;
  gsize stride = 0, length = 0;
  const guint8 *pixels;

  g_assert_nonnull (qr);
  scale = kiosk_qr_code_fit_scale (qr, 400);
  g_assert_cmpuint (scale, ==, 400 / qr->size);
  g_assert_cmpuint (kiosk_qr_code_fit_scale (qr, 3), ==, 1);

  rgba = kiosk_qr_code_render_pixels (qr, 5, KIOSK_PIXEL_RGBA8, &side, &stride);
  g_assert_cmpuint (side, ==, qr->size * 5);
  g_assert_cmpuint (stride, ==, side * 4);
  pixels = g_bytes_get_data (rgba, &length);
  g_assert_cmpuint (length, ==, stride * side);
  /* every module is a uniform 5×5 block, opaque, black or white */
  for (guint y = 0; y < side; y++)
    for (guint x = 0; x < side; x++)
      {
        const guint8 *p = pixels + y * stride + 4 * x;
        guint8 expected = kiosk_qr_code_get (qr, x / 5, y / 5) ? 0 : 255;
        g_assert_cmpuint (p[0], ==, expected);
        g_assert_cmpuint (p[1], ==, expected);
        g_assert_cmpuint (p[2], ==, expected);
        g_assert_cmpuint (p[3], ==, 255);
      }

  grey = kiosk_qr_code_render_pixels (qr, 4, KIOSK_PIXEL_GREY8, &side, &stride);
  g_assert_cmpuint (stride, ==, side);
  {
    g_autofree char *header = g_strdup_printf ("P5\n%u %u\n255\n", side, side);
    GString *image = g_string_new (header);
    g_string_append_len (image, g_bytes_get_data (grey, NULL), (gssize) (side * side));
    g_assert_true (g_file_set_contents (pgm, image->str, (gssize) image->len, NULL));
    g_string_free (image, TRUE);
  }
  decoded = zbar_decode (pgm);
  g_assert_cmpstr (decoded, ==, STATUS_URL "?ref=" REFERENCE "&mac=255243415487");
  remove_tree (dir);
}

/* Renders @receipt and writes it to @path (a file of the test's own). */
static gboolean
render_to_file (const KioskReceipt *receipt, KioskReceiptFormat format, KioskPaper paper,
                const KioskEscposOptions *options, const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = kiosk_receipt_render (receipt, format, paper, options, error);

  return bytes != NULL
         && g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), error);
}

typedef struct {
  KioskPaper  paper;
  const char *name;
  double      width_pt;   /* expected page width */
  double      height_pt;  /* 0: roll, any height */
} PaperCase;

static const PaperCase papers[] = {
  { KIOSK_PAPER_58MM, "58", 58 / 25.4 * 72, 0 },
  { KIOSK_PAPER_80MM, "80", 80 / 25.4 * 72, 0 },
  { KIOSK_PAPER_A4, "a4", 595.276, 841.89 },
};

static void
test_pdf (gconstpointer data)
{
  const PaperCase *paper = data;
  g_autoptr(KioskReceipt) receipt = make_receipt (TRUE, KIOSK_RECEIPT_STATE_QUEUED);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "receipt.pdf", NULL);
  g_autofree char *png = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *info = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  double width = 0, height = 0;
  const char *size_line;

  g_assert_true (render_to_file (receipt, KIOSK_RECEIPT_FORMAT_PDF, paper->paper, NULL, pdf, &error));
  g_assert_no_error (error);

  /* the page size, as poppler reads it */
  {
    const char *argv[] = { "pdfinfo", pdf, NULL };
    info = run_tool (argv, NULL);
  }
  g_assert_nonnull (info);
  size_line = strstr (info, "Page size:");
  g_assert_nonnull (size_line);
  g_assert_cmpint (sscanf (size_line, "Page size: %lf x %lf pts", &width, &height), ==, 2);
  g_assert_cmpfloat_with_epsilon (width, paper->width_pt, 0.6);
  if (paper->height_pt > 0)
    g_assert_cmpfloat_with_epsilon (height, paper->height_pt, 0.6);
  else
    g_assert_cmpfloat (height, >, width);
  g_assert_true (g_regex_match_simple ("^Pages: +1$", info, G_REGEX_MULTILINE, 0));

  /* the text, umlauts included, as poppler extracts it */
  {
    const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
    g_autofree char *raw = run_tool (argv, NULL);
    g_autoptr(GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
    g_assert_nonnull (raw);
    /* lines wrap differently on each paper: compare with single spaces */
    text = g_regex_replace_literal (spaces, raw, -1, 0, " ", 0, NULL);
  }
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, REFERENCE));
  g_assert_nonnull (strstr (text, "Bürgerbüro"));
  g_assert_nonnull (strstr (text, "Rathausstraße"));
  g_assert_nonnull (strstr (text, "Ölmühle"));
  g_assert_nonnull (strstr (text, "2026-03-14 09:26"));
  g_assert_nonnull (strstr (text, "will be sent to the authority automatically"));

  png = pdf_to_png (pdf);
  g_assert_nonnull (png);
  decoded = zbar_decode (png);
  g_assert_cmpstr (decoded, ==, STATUS_URL "?ref=" REFERENCE "&mac=255243415487");
  remove_tree (dir);
}

static guint
png_width (GBytes *png)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (png, &length);

  g_assert_cmpuint (length, >, 24);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem (data + 12, 4, "IHDR", 4);
  return (guint) data[16] << 24 | (guint) data[17] << 16 | (guint) data[18] << 8 | data[19];
}

static void
test_png (gconstpointer data)
{
  const PaperCase *paper = data;
  g_autoptr(KioskReceipt) receipt = make_receipt (FALSE, KIOSK_RECEIPT_STATE_TRANSMITTED);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "receipt.png", NULL);
  g_autofree char *decoded = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  guint dpi = paper->paper == KIOSK_PAPER_A4 ? 150 : 203;

  png = kiosk_receipt_render_png (receipt, paper->paper, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (png_width (png), >=, (int) (paper->width_pt / 72 * dpi) - 1);
  g_assert_cmpint (png_width (png), <=, (int) (paper->width_pt / 72 * dpi) + 1);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png), NULL));
  decoded = zbar_decode (path);
  g_assert_cmpstr (decoded, ==, STATUS_URL "?ref=" REFERENCE);
  remove_tree (dir);
}

static void
test_escpos (gconstpointer data)
{
  const PaperCase *paper = data;
  g_autoptr(KioskReceipt) receipt = make_receipt (TRUE, KIOSK_RECEIPT_STATE_QUEUED);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pgm = g_build_filename (dir, "raster.pgm", NULL);
  g_autofree char *decoded = NULL;
  g_autofree char *problem = NULL;
  g_autoptr(GBytes) stream = NULL;
  g_autoptr(GError) error = NULL;
  EscposDoc doc;
  guint dots = paper->paper == KIOSK_PAPER_58MM ? 384 : 576;

  stream = kiosk_receipt_render_escpos (receipt, paper->paper, NULL, &error);
  g_assert_no_error (error);
  escpos_doc_init (&doc);
  if (!escpos_parse (&doc, g_bytes_get_data (stream, NULL), g_bytes_get_size (stream), &problem))
    g_error ("malformed ESC/POS stream: %s", problem);
  g_assert_true (doc.initialised);
  g_assert_cmpint (doc.codepage, ==, 19);   /* Epson: page 19 = PC858 */
  g_assert_true (doc.cut);
  g_assert_cmpuint (doc.feed_lines, >, 0);
  g_assert_null (doc.native_payload);
  g_assert_cmpuint (doc.raster_blocks, >, 0);
  g_assert_cmpuint (doc.raster_width, ==, dots);

  /* CP858 (= CP850 + €): ü 0x81, ß 0xE1, Ö 0x99 (IBM code page table) */
  g_assert_nonnull (g_strstr_len ((char *) doc.text->data, doc.text->len, "B\x81rgerb\x81ro Musterstadt"));
  g_assert_nonnull (g_strstr_len ((char *) doc.text->data, doc.text->len, "Rathausstra\xe1" "e"));
  g_assert_nonnull (g_strstr_len ((char *) doc.text->data, doc.text->len, "\x99lm\x81hle"));
  g_assert_nonnull (g_strstr_len ((char *) doc.text->data, doc.text->len, REFERENCE));
  /* no line is wider than the paper (font A: 12 dots a character) */
  {
    g_autofree char *text = g_strndup ((char *) doc.text->data, doc.text->len);
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      g_assert_cmpuint (strlen (lines[i]), <=, dots / 12);
  }

  escpos_write_pgm (&doc, pgm);
  decoded = zbar_decode (pgm);
  g_assert_cmpstr (decoded, ==, STATUS_URL "?ref=" REFERENCE "&mac=255243415487");
  escpos_doc_clear (&doc);
  remove_tree (dir);
}

/* A terminal without a status page: every receipt still has a QR code,
 * and zbar reads the bare reference (with its seal where a key is set)
 * from the PNG, the PDF and the ESC/POS raster and native code alike. */
static void
test_no_status_page (gconstpointer data)
{
  const PaperCase *paper = data;
  g_autoptr(KioskReceipt) sealed = make_bare_receipt (TRUE, KIOSK_RECEIPT_STATE_QUEUED);
  g_autoptr(KioskReceipt) plain = make_bare_receipt (FALSE, KIOSK_RECEIPT_STATE_TRANSMITTED);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "receipt.pdf", NULL);
  g_autofree char *png_path = g_build_filename (dir, "receipt.png", NULL);
  g_autofree char *pgm = g_build_filename (dir, "raster.pgm", NULL);
  g_autoptr(GError) error = NULL;

  /* PDF, sealed */
  {
    g_autofree char *png = NULL;
    g_autofree char *decoded = NULL;

    g_assert_true (render_to_file (sealed, KIOSK_RECEIPT_FORMAT_PDF, paper->paper, NULL, pdf, &error));
    g_assert_no_error (error);
    png = pdf_to_png (pdf);
    g_assert_nonnull (png);
    decoded = zbar_decode (png);
    g_assert_cmpstr (decoded, ==, REFERENCE ".255243415487");
  }
  /* PNG, unsealed */
  {
    g_autoptr(GBytes) png = kiosk_receipt_render_png (plain, paper->paper, 0, &error);
    g_autofree char *decoded = NULL;

    g_assert_no_error (error);
    g_assert_true (g_file_set_contents (png_path, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png), NULL));
    decoded = zbar_decode (png_path);
    g_assert_cmpstr (decoded, ==, REFERENCE);
  }
  /* ESC/POS: the raster image, then the printer's own QR command */
  if (paper->paper != KIOSK_PAPER_A4)
    {
      KioskEscposOptions native = { KIOSK_ESCPOS_CODEPAGE_CP858, TRUE, TRUE };
      g_autoptr(GBytes) stream = kiosk_receipt_render_escpos (sealed, paper->paper, NULL, &error);
      g_autoptr(GBytes) native_stream = NULL;
      g_autofree char *problem = NULL;
      g_autofree char *decoded = NULL;
      EscposDoc doc;

      g_assert_no_error (error);
      escpos_doc_init (&doc);
      if (!escpos_parse (&doc, g_bytes_get_data (stream, NULL), g_bytes_get_size (stream), &problem))
        g_error ("malformed ESC/POS stream: %s", problem);
      g_assert_cmpuint (doc.raster_blocks, >, 0);
      escpos_write_pgm (&doc, pgm);
      decoded = zbar_decode (pgm);
      g_assert_cmpstr (decoded, ==, REFERENCE ".255243415487");
      escpos_doc_clear (&doc);

      native_stream = kiosk_receipt_render_escpos (plain, paper->paper, &native, &error);
      g_assert_no_error (error);
      escpos_doc_init (&doc);
      if (!escpos_parse (&doc, g_bytes_get_data (native_stream, NULL), g_bytes_get_size (native_stream), &problem))
        g_error ("malformed ESC/POS stream: %s", problem);
      g_assert_cmpstr (doc.native_payload, ==, REFERENCE);
      g_assert_true (doc.native_printed);
      escpos_doc_clear (&doc);
    }
  remove_tree (dir);
}

static void
test_escpos_options (void)
{
  g_autoptr(KioskReceipt) receipt = make_receipt (FALSE, KIOSK_RECEIPT_STATE_TRANSMITTED);
  KioskEscposOptions ascii_native = { KIOSK_ESCPOS_CODEPAGE_ASCII, TRUE, FALSE };
  g_autoptr(GBytes) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  EscposDoc doc;

  stream = kiosk_receipt_render_escpos (receipt, KIOSK_PAPER_58MM, &ascii_native, &error);
  g_assert_no_error (error);
  escpos_doc_init (&doc);
  if (!escpos_parse (&doc, g_bytes_get_data (stream, NULL), g_bytes_get_size (stream), &problem))
    g_error ("malformed ESC/POS stream: %s", problem);
  g_assert_cmpint (doc.codepage, ==, -1);
  g_assert_false (doc.cut);
  g_assert_cmpuint (doc.raster_blocks, ==, 0);
  g_assert_cmpstr (doc.native_payload, ==, STATUS_URL "?ref=" REFERENCE);
  g_assert_cmpint (doc.native_model, ==, '2');
  g_assert_cmpint (doc.native_level, ==, '1');   /* 49: level M */
  g_assert_true (doc.native_printed);
  for (guint i = 0; i < doc.text->len; i++)
    g_assert_cmpuint (doc.text->data[i], <, 0x80);
  g_assert_nonnull (g_strstr_len ((char *) doc.text->data, doc.text->len, "Buergerbuero Musterstadt"));
  g_assert_nonnull (g_strstr_len ((char *) doc.text->data, doc.text->len, "Rathausstrasse"));
  g_assert_nonnull (g_strstr_len ((char *) doc.text->data, doc.text->len, "delivered to the authority"));
  escpos_doc_clear (&doc);

  g_clear_pointer (&stream, g_bytes_unref);
  stream = kiosk_receipt_render_escpos (receipt, KIOSK_PAPER_A4, NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID);
}

static void
test_paper_names (void)
{
  KioskPaper paper;

  g_assert_true (kiosk_paper_from_string ("58", &paper));
  g_assert_cmpint (paper, ==, KIOSK_PAPER_58MM);
  g_assert_true (kiosk_paper_from_string ("A4", &paper));
  g_assert_cmpint (paper, ==, KIOSK_PAPER_A4);
  g_assert_false (kiosk_paper_from_string ("letter", &paper));
  g_assert_cmpstr (kiosk_paper_to_string (KIOSK_PAPER_80MM), ==, "80");
  g_assert_cmpuint (kiosk_paper_escpos_dots (KIOSK_PAPER_58MM), ==, 384);
  g_assert_cmpuint (kiosk_paper_escpos_dots (KIOSK_PAPER_80MM), ==, 576);
}

/* Every free-text value of the data JSON (not a code, date, number or
 * check box) stands in @text: the summary leaves out nothing that is sent. */
static void
assert_text_values_shown (const KioskForm *form, JsonObject *object, const char *text)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *m = members; m != NULL; m = m->next)
    {
      JsonNode *node = json_object_get_member (object, m->data);
      const KioskElement *element = kiosk_form_lookup (form, m->data);

      if (JSON_NODE_HOLDS_ARRAY (node))
        for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
          assert_text_values_shown (form, json_array_get_object_element (json_node_get_array (node), i), text);
      else if (element != NULL && element->code_list == NULL && JSON_NODE_HOLDS_VALUE (node)
               && json_node_get_value_type (node) == G_TYPE_STRING && element->kind != KIOSK_KIND_DATE)
        {
          g_autoptr(GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
          g_autofree char *value = g_regex_replace_literal (spaces, json_node_get_string (node), -1, 0, " ", 0, NULL);

          if (strstr (text, value) == NULL)
            g_error ("the summary lacks the answer to %s", (const char *) m->data);
        }
    }
}

/* The application as a document: every answer of a real fixture, as
 * poppler extracts it from the PDF. */
static void
test_summary (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskCatalog) catalog = kiosk_catalog_new (NULL, &error);
  g_autofree char *fixture_path = g_test_build_filename (G_TEST_DIST, "data", "answers", "gewerbeanmeldung.json", NULL);
  g_autofree char *fixture = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "summary.pdf", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(GDateTime) when = g_date_time_new_utc (2026, 3, 14, 9, 26, 0);
  KioskAnswers *answers;
  KioskForm *form;
  char *data;
  gsize length = 0;
  const KioskCode *gmbh;
  const char *expected[] = {
    "Elbe Elektrotechnik \xc3\x91\xc3\xba\xc3\xb1\x65z & Y\xc4\xb1lmaz GmbH",   /* Ñúñez, Yılmaz */
    "\xc5\x81ukasiewicz",                                                   /* Łukasiewicz */
    "Krak\xc3\xb3w, Polen",
    "\xc4\xb0zmir, T\xc3\xbcrkei",                                            /* İzmir, Türkei */
    "14.03.1987", "30.09.1990",                                          /* German dates (DIN 5008) */
    "25.000,00 \xe2\x82\xac",                                               /* German currency */
    "Vorgangsnummer K7M4Q-X9PRZ \xc2\xb7 14.03.2026 09:26",
    "Gewerbeanmeldung",
  };

  g_assert_no_error (error);
  form = kiosk_catalog_lookup (catalog, "gewerbeanmeldung");
  g_assert_nonnull (form);
  g_assert_true (g_file_get_contents (fixture_path, &fixture, NULL, NULL));
  answers = kiosk_answers_new_from_json (form, fixture, -1, &error);
  g_assert_no_error (error);
  /* the visitor used English: the summary is German all the same */
  kiosk_i18n_set_language ("en");
  document = kiosk_summary_render_pdf (answers, "2026-06-01", "K7M4Q-X9PRZ", when, &error);
  kiosk_i18n_set_language ("de");
  g_assert_no_error (error);
  /* what the summary shows is what is sent: every value of the data JSON */
  data = kiosk_answers_to_data (answers, "2026-06-01", &length, &error);
  g_assert_no_error (error);
  kiosk_answers_free (answers);
  /* (the test writes its fixture's summary to look at it; the kiosk never does) */
  g_assert_true (g_file_set_contents (pdf, g_bytes_get_data (document, NULL), (gssize) g_bytes_get_size (document), NULL));
  {
    const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
    g_autofree char *raw = run_tool (argv, NULL);
    g_autoptr(GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
    g_assert_nonnull (raw);
    text = g_regex_replace_literal (spaces, raw, -1, 0, " ", 0, NULL);
  }
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (text, expected[i]) == NULL)
      g_error ("the summary lacks \"%s\"", expected[i]);
  /* a code is shown by its German label, a ticked checkbox as Ja, each person numbered; German whatever the
   * process's language (this test runs in C/English) */
  gmbh = kiosk_code_list_lookup (kiosk_form_lookup (form, "rechtsform")->code_list, "gmbh");
  g_assert_nonnull (strstr (text, kiosk_text_get (gmbh->label, "de")));
  g_assert_nonnull (strstr (text, "Ja"));
  g_assert_null (strstr (text, "Yes"));
  g_assert_null (strstr (text, "Business registration"));
  g_assert_null (strstr (text, "Reference"));
  g_assert_null (strstr (text, "1987-03-14"));
  g_assert_nonnull (strstr (text, "(1)"));
  g_assert_nonnull (strstr (text, "(2)"));
  g_assert_null (strstr (text, "geschaeftsfuehrer"));
  {
    g_autoptr(JsonParser) parser = json_parser_new ();

    g_assert_true (json_parser_load_from_data (parser, data, (gssize) length, NULL));
    assert_text_values_shown (form, json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                                                   "data"), text);
  }
  kiosk_secure_free (data, (gssize) length);

  remove_tree (dir);
}

/* What a receipt says about its application: for each queue state, the
 * sentence the visitor reads on paper and on the screen (the state
 * sentence of docs/receipts.md). */
static void
test_states (void)
{
  static const struct { KioskQueueState queue; KioskReceiptState receipt; const char *says; } cases[] = {
    { KIOSK_QUEUE_STATE_QUEUED, KIOSK_RECEIPT_STATE_QUEUED, "It will be sent to the authority automatically." },
    { KIOSK_QUEUE_STATE_CREATED, KIOSK_RECEIPT_STATE_QUEUED, "It will be sent to the authority automatically." },
    { KIOSK_QUEUE_STATE_SUBMITTED, KIOSK_RECEIPT_STATE_TRANSMITTED, "has been delivered to the authority." },
    { KIOSK_QUEUE_STATE_ACCEPTED, KIOSK_RECEIPT_STATE_TRANSMITTED, "has been delivered to the authority." },
    { KIOSK_QUEUE_STATE_REJECTED, KIOSK_RECEIPT_STATE_TRANSMITTED, "has been delivered to the authority." },
    { KIOSK_QUEUE_STATE_FAILED, KIOSK_RECEIPT_STATE_FAILED, "could not be sent automatically. Please ask at the counter" },
    { KIOSK_QUEUE_STATE_DELETED, KIOSK_RECEIPT_STATE_DELETED, "did not reach the authority: the platform deleted it" },
  };
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "receipt.pdf", NULL);

  G_STATIC_ASSERT (G_N_ELEMENTS (cases) == KIOSK_QUEUE_N_STATES);
  kiosk_i18n_set_language ("en");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KioskReceipt) receipt = NULL;
      g_autoptr(GBytes) document = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
      const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
      g_autofree char *raw = NULL;
      g_autofree char *text = NULL;

      g_assert_cmpint (kiosk_receipt_state_for_queue (cases[i].queue), ==, cases[i].receipt);
      g_assert_nonnull (strstr (kiosk_receipt_state_text (cases[i].receipt), cases[i].says));
      receipt = make_receipt (FALSE, cases[i].receipt);
      document = kiosk_receipt_render_pdf (receipt, KIOSK_PAPER_80MM, &error);
      g_assert_no_error (error);
      g_assert_true (g_file_set_contents (pdf, g_bytes_get_data (document, NULL),
                                          (gssize) g_bytes_get_size (document), NULL));
      raw = run_tool (argv, NULL);
      text = g_regex_replace_literal (spaces, raw, -1, 0, " ", 0, NULL);
      if (strstr (text, cases[i].says) == NULL)
        g_error ("the receipt for %s does not say \"%s\"", kiosk_queue_state_to_string (cases[i].queue),
                 cases[i].says);
    }
  remove_tree (dir);
}

/* A receipt speaks the language it was made in, wherever and whenever it
 * is rendered: the kiosk prints in a worker thread while it may already
 * speak the next visitor's language (it translated at render time before). */
static gpointer
render_pdf_thread (gpointer data)
{
  return kiosk_receipt_render_pdf (data, KIOSK_PAPER_80MM, NULL);
}

static void
test_language_kept (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "receipt.pdf", NULL);
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
  g_autoptr(KioskReceipt) receipt = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(GBytes) escpos = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  kiosk_i18n_set_language ("tr");
  receipt = make_receipt (FALSE, KIOSK_RECEIPT_STATE_QUEUED);
  kiosk_i18n_set_language ("de");
  document = g_thread_join (g_thread_new ("print", render_pdf_thread, receipt));
  g_assert_nonnull (document);
  g_assert_true (g_file_set_contents (pdf, g_bytes_get_data (document, NULL), (gssize) g_bytes_get_size (document),
                                      NULL));
  text = run_tool (argv, NULL);
  /* the Turkish catalogue's words (resources/po/tr.po), not the German ones */
  g_assert_nonnull (strstr (text, "Al\xc4\xb1nd\xc4\xb1 belgesi"));
  g_assert_nonnull (strstr (text, "Referans numaran\xc4\xb1z"));
  g_assert_nonnull (strstr (text, "L\xc3\xbctfen bu al\xc4\xb1nd\xc4\xb1 belgesini saklay\xc4\xb1n."));
  g_assert_null (strstr (text, "Eingangsbest\xc3\xa4tigung"));
  g_assert_null (strstr (text, "Vorgangsnummer"));
  escpos = kiosk_receipt_render_escpos (receipt, KIOSK_PAPER_80MM, NULL, &error);
  g_assert_no_error (error);
  /* (binary: NUL bytes before the text) */
  g_assert_nonnull (memmem (g_bytes_get_data (escpos, NULL), g_bytes_get_size (escpos), "Referans", 8));
  g_assert_null (memmem (g_bytes_get_data (escpos, NULL), g_bytes_get_size (escpos), "Vorgangsnummer", 14));
  kiosk_i18n_set_language ("en");
  remove_tree (dir);
}

static int
run_ctl (const char *const *args, char **err_out)
{
  const char *ctl = g_getenv ("ANTRAGSKIOSK_CTL");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = -1;

  g_assert_nonnull (ctl);
  g_ptr_array_add (argv, (gpointer) ctl);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, err_out, &status, &error);
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* antragskiosk-ctl receipt against a queue with one application in it. */
static void
test_ctl (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *conf = g_build_filename (dir, "kiosk.conf", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *display = NULL;
  g_autofree char *mac = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GBytes) key = g_bytes_new_static (MAC_KEY, strlen (MAC_KEY));
  g_autoptr(GError) error = NULL;
  const char *formats[] = { "png", "pdf", "escpos" };

  contents = g_strdup_printf ("[kiosk]\nid=test-1\nlocation=B\xc3\xbcrgerb\xc3\xbcro Test\ndata_dir=%s\n\n"
                              "[destination demo]\n"
                              "destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
                              "key_file=resource:///de/antragskiosk/demo/demo-destination.jwk\n"
                              "trust_anchor=resource:///de/antragskiosk/demo/demo-root-ca.pem\n"
                              "forms=*\n\n"
                              "[receipt]\nstatus_url=" STATUS_URL "\nmac_key=" MAC_KEY "\n\n"
                              "[printer]\nkind=none\npaper=58\n", data_dir);
  g_assert_true (g_file_set_contents (conf, contents, -1, NULL));

  {
    g_autoptr(KioskQueue) queue = kiosk_queue_open (data_dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
    KioskQueueSubmission submission = {
      NULL, "gewerbeanmeldung", "1.0.0", "demo", "4b5c7214-aa12-4624-955e-0f7deaabc342",
      "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d", "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.e.f.g.h", NULL, 0,
    };
    g_assert_no_error (error);
    reference = kiosk_queue_enqueue (queue, &submission, &error);
    g_assert_no_error (error);
  }
  g_assert_true (kiosk_reference_is_valid (reference));
  display = kiosk_reference_format (reference);
  mac = kiosk_receipt_mac (key, reference, 12);
  expected = g_strconcat (STATUS_URL "?ref=", reference, "&mac=", mac, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *output = g_strdup_printf ("%s/receipt.%s", dir, formats[i]);
      g_autofree char *err = NULL;
      g_autofree char *image = NULL;
      g_autofree char *decoded = NULL;
      const char *args[] = { "receipt", display, "--format", formats[i], "--output", output,
                             "--config", conf, NULL };

      g_assert_cmpint (run_ctl (args, &err), ==, 0);
      /* (under LeakSanitizer stderr holds its suppression summary) */
      g_assert_null (strstr (err, "antragskiosk-ctl:"));
      if (g_str_equal (formats[i], "pdf"))
        {
          const char *argv[] = { "pdftotext", "-enc", "UTF-8", output, "-", NULL };
          g_autofree char *text = run_tool (argv, NULL);
          g_assert_nonnull (text);
          /* German (the default language), the display reference, the title from the catalog */
          g_assert_nonnull (strstr (text, "Eingangsbest\xc3\xa4tigung"));
          g_assert_nonnull (strstr (text, display));
          g_assert_nonnull (strstr (text, "Gewerbeanmeldung"));
          g_assert_nonnull (strstr (text, "B\xc3\xbcrgerb\xc3\xbcro Test"));
          image = pdf_to_png (output);
        }
      else if (g_str_equal (formats[i], "escpos"))
        {
          g_autofree char *stream = NULL;
          g_autofree char *problem = NULL;
          gsize length = 0;
          EscposDoc doc;

          g_assert_true (g_file_get_contents (output, &stream, &length, NULL));
          escpos_doc_init (&doc);
          if (!escpos_parse (&doc, (const guint8 *) stream, length, &problem))
            g_error ("malformed ESC/POS stream: %s", problem);
          g_assert_cmpuint (doc.raster_width, ==, 384);   /* [printer] paper=58 */
          image = g_strdup_printf ("%s/raster.pgm", dir);
          escpos_write_pgm (&doc, image);
          escpos_doc_clear (&doc);
        }
      else
        image = g_strdup (output);
      decoded = zbar_decode (image);
      g_assert_cmpstr (decoded, ==, expected);
    }

  /* a reference that is not there, and usage errors */
  {
    const char *missing[] = { "receipt", "K7M4Q-X9PRZ", "--output", "/dev/null", "--config", conf, NULL };
    const char *no_output[] = { "receipt", display, "--config", conf, NULL };
    const char *bad_format[] = { "receipt", display, "--format", "gif", "--output", "/dev/null", NULL };
    const char *a4_escpos[] = { "receipt", display, "--format", "escpos", "--paper", "a4", "--output", "/dev/null", NULL };
    g_autofree char *err1 = NULL;
    g_autofree char *err2 = NULL;
    g_autofree char *err3 = NULL;
    g_autofree char *err4 = NULL;

    g_assert_cmpint (run_ctl (missing, &err1), ==, 1);
    g_assert_cmpstr (err1, !=, "");
    g_assert_cmpint (run_ctl (no_output, &err2), ==, 2);
    g_assert_cmpint (run_ctl (bad_format, &err3), ==, 2);
    g_assert_cmpint (run_ctl (a4_escpos, &err4), ==, 2);
  }
  remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Our catalogue in English (C.UTF-8), as the programs start; a test
   * that needs another language sets it. */
  kiosk_i18n_init_cli ();

  g_test_add_func ("/antragskiosk/receipt/payload", test_payload);
  g_test_add_func ("/antragskiosk/receipt/mac", test_mac);
  g_test_add_func ("/antragskiosk/receipt/verify", test_verify);
  g_test_add_func ("/antragskiosk/receipt/mac-key-file", test_mac_key_file);
  g_test_add_func ("/antragskiosk/receipt/invalid", test_invalid);
  g_test_add_func ("/antragskiosk/receipt/qr-matrix", test_qr_matrix);
  g_test_add_func ("/antragskiosk/receipt/pixels", test_pixels);
  g_test_add_func ("/antragskiosk/receipt/paper-names", test_paper_names);
  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autofree char *pdf = g_strdup_printf ("/antragskiosk/receipt/pdf/%s", papers[i].name);
      g_autofree char *png = g_strdup_printf ("/antragskiosk/receipt/png/%s", papers[i].name);

      g_autofree char *bare = g_strdup_printf ("/antragskiosk/receipt/no-status-page/%s", papers[i].name);

      g_test_add_data_func (pdf, &papers[i], test_pdf);
      g_test_add_data_func (png, &papers[i], test_png);
      g_test_add_data_func (bare, &papers[i], test_no_status_page);
      if (papers[i].paper != KIOSK_PAPER_A4)
        {
          g_autofree char *escpos = g_strdup_printf ("/antragskiosk/receipt/escpos/%s", papers[i].name);
          g_test_add_data_func (escpos, &papers[i], test_escpos);
        }
    }
  g_test_add_func ("/antragskiosk/receipt/escpos-options", test_escpos_options);
  g_test_add_func ("/antragskiosk/receipt/ctl", test_ctl);
  g_test_add_func ("/antragskiosk/receipt/summary", test_summary);
  g_test_add_func ("/antragskiosk/receipt/states", test_states);
  g_test_add_func ("/antragskiosk/receipt/language-kept", test_language_kept);
  return g_test_run ();
}
