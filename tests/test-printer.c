/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test-printer"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <pwd.h>
#include <grp.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include <antragskiosk/printer.h>
#include <antragskiosk/receipt.h>

#include "../app/core/printer-private.h"
#include "receipt-testutil.h"

#define STATUS_URL "https://buergerbuero.example/status"
#define REFERENCE "Q4ZT-7HKW"
#define MAC_KEY "kiosk-test-key-0123456789"
/* HMAC-SHA256(MAC_KEY, REFERENCE)[:12], computed with Python's hmac module */
#define PAYLOAD STATUS_URL "?ref=" REFERENCE "&mac=" EXPECTED_MAC
#define EXPECTED_MAC "5aa4d6c53120"

static KioskReceipt *
make_receipt (void)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(KioskReceiptOptions) options = NULL;
  g_autoptr(GDateTime) when = g_date_time_new_local (2026, 11, 28, 10, 5, 0);
  g_autoptr(GError) error = NULL;
  KioskReceipt *receipt;

  g_key_file_set_string (keyfile, "receipt", "status_url", STATUS_URL);
  g_key_file_set_string (keyfile, "receipt", "mac_key", MAC_KEY);
  options = kiosk_receipt_options_new_from_keyfile (keyfile, &error);
  g_assert_no_error (error);
  receipt = kiosk_receipt_new (REFERENCE, "Gewerbeanmeldung", when, "Bürgerbüro Süd",
                               KIOSK_RECEIPT_STATE_QUEUED, options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (receipt->qr_payload, ==, PAYLOAD);
  return receipt;
}

static KioskPrinter *
printer_from (const char *text, GError **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  g_key_file_load_from_data (keyfile, text, (gsize) -1, G_KEY_FILE_NONE, &local_error);
  g_assert_no_error (local_error);
  return kiosk_printer_new (keyfile, error);
}

static void
test_config (void)
{
  struct { const char *text; gboolean ok; KioskPrinterKind kind; } cases[] = {
    { "[kiosk]\nlocation=x\n", TRUE, KIOSK_PRINTER_KIND_NONE },
    { "[printer]\nkind=none\n", TRUE, KIOSK_PRINTER_KIND_NONE },
    { "[printer]\nkind=file\npath=/tmp/x.png\n", TRUE, KIOSK_PRINTER_KIND_FILE },
    { "[printer]\nkind=cups\nqueue=bon\nserver=127.0.0.1:8631\n", TRUE, KIOSK_PRINTER_KIND_CUPS },
    { "[printer]\nkind=escpos\ndevice=tcp://192.0.2.7:9100\npaper=58\n", TRUE, KIOSK_PRINTER_KIND_ESCPOS },
    { "[printer]\nkind=escpos\ndevice=/dev/usb/lp0\nnative_qr=true\ncodepage=ascii\n", TRUE, KIOSK_PRINTER_KIND_ESCPOS },
    { "[printer]\nkind=laser\n", FALSE, 0 },
    { "[printer]\nkind=file\n", FALSE, 0 },
    { "[printer]\nkind=escpos\n", FALSE, 0 },
    { "[printer]\nkind=escpos\ndevice=lp0\n", FALSE, 0 },
    { "[printer]\nkind=escpos\ndevice=/dev/usb/lp0\npaper=a4\n", FALSE, 0 },
    { "[printer]\nkind=escpos\ndevice=/dev/usb/lp0\ncodepage=utf8\n", FALSE, 0 },
    { "[printer]\nkind=escpos\ndevice=/dev/usb/lp0\nnative_qr=maybe\n", FALSE, 0 },
    { "[printer]\nkind=cups\nserver=host:99999\n", FALSE, 0 },
    { "[printer]\nkind=cups\npaper=letter\n", FALSE, 0 },
    { "[printer]\nkind=cups\ntimeout=0\n", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskPrinter) printer = printer_from (cases[i].text, &error);

      g_test_message ("case %u: %s", i, cases[i].text);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_cmpint (kiosk_printer_get_kind (printer), ==, cases[i].kind);
        }
      else
        {
          g_assert_null (printer);
          g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_CONFIG);
          g_assert_nonnull (strstr (error->message, "[printer]"));
        }
    }
  {
    g_autoptr(KioskPrinter) printer = printer_from ("[printer]\nkind=escpos\ndevice=/dev/usb/lp0\npaper=58\nnative_qr=true\n", NULL);
    g_assert_cmpint (kiosk_printer_get_paper (printer), ==, KIOSK_PAPER_58MM);
    g_assert_true (kiosk_printer_get_escpos_options (printer)->native_qr);
  }
}

/* Keywords and enums from RFC 8011 (§5.4.11 printer-state, §5.4.12
 * printer-state-reasons). */
static void
test_ipp_states (void)
{
  const char *none[] = { "none", NULL };
  const char *empty[] = { "media-empty-error", NULL };
  const char *needed[] = { "media-needed", NULL };
  const char *low[] = { "media-low-report", NULL };
  const char *offline[] = { "offline-report", NULL };
  const char *cover[] = { "cover-open-warning", NULL };
  const char *jam[] = { "media-jam-error", NULL };
  const char *paused[] = { "paused", NULL };
  const char *empty_and_offline[] = { "offline-report", "media-empty-error", NULL };

  g_assert_cmpint (_kiosk_printer_state_from_ipp (3, none, TRUE), ==, KIOSK_PRINTER_STATE_READY);
  g_assert_cmpint (_kiosk_printer_state_from_ipp (4, none, TRUE), ==, KIOSK_PRINTER_STATE_PRINTING);
  g_assert_cmpint (_kiosk_printer_state_from_ipp (5, paused, TRUE), ==, KIOSK_PRINTER_STATE_OFFLINE);
  g_assert_cmpint (_kiosk_printer_state_from_ipp (3, none, FALSE), ==, KIOSK_PRINTER_STATE_OFFLINE);
  g_assert_cmpint (_kiosk_printer_state_from_ipp (3, empty, TRUE), ==, KIOSK_PRINTER_STATE_OUT_OF_PAPER);
  g_assert_cmpint (_kiosk_printer_state_from_ipp (3, needed, TRUE), ==, KIOSK_PRINTER_STATE_OUT_OF_PAPER);
  g_assert_cmpint (_kiosk_printer_state_from_ipp (3, low, TRUE), ==, KIOSK_PRINTER_STATE_PAPER_LOW);
  g_assert_cmpint (_kiosk_printer_state_from_ipp (3, offline, TRUE), ==, KIOSK_PRINTER_STATE_OFFLINE);
  g_assert_cmpint (_kiosk_printer_state_from_ipp (3, cover, TRUE), ==, KIOSK_PRINTER_STATE_COVER_OPEN);
  g_assert_cmpint (_kiosk_printer_state_from_ipp (3, jam, TRUE), ==, KIOSK_PRINTER_STATE_ERROR);
  g_assert_cmpint (_kiosk_printer_state_from_ipp (3, empty_and_offline, TRUE), ==, KIOSK_PRINTER_STATE_OUT_OF_PAPER);
  g_assert_cmpint (_kiosk_printer_state_from_ipp (3, NULL, TRUE), ==, KIOSK_PRINTER_STATE_READY);
  g_assert_false (kiosk_printer_state_can_print (KIOSK_PRINTER_STATE_OUT_OF_PAPER));
  g_assert_true (kiosk_printer_state_can_print (KIOSK_PRINTER_STATE_PAPER_LOW));
  g_assert_cmpstr (kiosk_printer_state_to_string (KIOSK_PRINTER_STATE_OUT_OF_PAPER), ==, "out-of-paper");
}

/* Status bytes from the Epson ESC/POS reference for DLE EOT n: fixed bits
 * 0x12; n=1 bit 3 offline; n=2 bit 2 cover open, bit 5 paper end, bit 6
 * error; n=4 bits 2-3 near end, bits 5-6 paper end. */
static void
test_dle_eot (void)
{
  g_assert_cmpint (_kiosk_printer_state_from_dle_eot (0x12, 0x12, 0x12), ==, KIOSK_PRINTER_STATE_READY);
  g_assert_cmpint (_kiosk_printer_state_from_dle_eot (0x1a, 0x12, 0x12), ==, KIOSK_PRINTER_STATE_OFFLINE);
  g_assert_cmpint (_kiosk_printer_state_from_dle_eot (0x1a, 0x16, 0x12), ==, KIOSK_PRINTER_STATE_COVER_OPEN);
  g_assert_cmpint (_kiosk_printer_state_from_dle_eot (0x1a, 0x32, 0x72), ==, KIOSK_PRINTER_STATE_OUT_OF_PAPER);
  g_assert_cmpint (_kiosk_printer_state_from_dle_eot (0x12, 0x12, 0x1e), ==, KIOSK_PRINTER_STATE_PAPER_LOW);
  g_assert_cmpint (_kiosk_printer_state_from_dle_eot (0x1a, 0x52, 0x12), ==, KIOSK_PRINTER_STATE_ERROR);
  g_assert_cmpint (_kiosk_printer_state_from_dle_eot (-1, -1, -1), ==, KIOSK_PRINTER_STATE_UNKNOWN);
  /* not a status byte (fixed bits wrong): ignored */
  g_assert_cmpint (_kiosk_printer_state_from_dle_eot (0xff, -1, -1), ==, KIOSK_PRINTER_STATE_UNKNOWN);
  g_assert_cmpint (_kiosk_printer_state_from_dle_eot (0x12, -1, -1), ==, KIOSK_PRINTER_STATE_READY);
}

static void
test_none (void)
{
  g_autoptr(KioskPrinter) printer = kiosk_printer_new (NULL, NULL);
  g_autoptr(KioskReceipt) receipt = make_receipt ();
  g_autoptr(KioskPrinterStatus) status = kiosk_printer_query_status (printer, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (status->state, ==, KIOSK_PRINTER_STATE_NOT_CONFIGURED);
  g_assert_false (kiosk_printer_print (printer, receipt, NULL, &error));
  g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_NOT_CONFIGURED);
}

static void
test_file (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(KioskReceipt) receipt = make_receipt ();
  const char *names[] = { "receipt.pdf", "receipt.png" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *config = g_strdup_printf ("[printer]\nkind=file\npaper=80\npath=%s\n", path);
      g_autoptr(KioskPrinter) printer = printer_from (config, NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *image = NULL;
      g_autofree char *decoded = NULL;

      g_assert_true (kiosk_printer_print (printer, receipt, NULL, &error));
      g_assert_no_error (error);
      image = i == 0 ? pdf_to_png (path) : g_strdup (path);
      g_assert_nonnull (image);
      decoded = zbar_decode (image);
      g_assert_cmpstr (decoded, ==, PAYLOAD);
    }
  {
    g_autoptr(KioskPrinter) printer = printer_from ("[printer]\nkind=file\npath=/nonexistent/dir/r.pdf\n", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_false (kiosk_printer_print (printer, receipt, NULL, &error));
    g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED);
  }
  remove_tree (dir);
}

/* Issue #18 item 3: receipts written to a path (kind = file, `ctl receipt
 * --output`) used to be a temporary file renamed over the path: as root,
 * /dev/full became a PDF. A regular file is still replaced atomically; a
 * device or FIFO is written directly and stays what it was; a symbolic
 * link is written through only to a device or FIFO, never replaced. */
static gpointer
read_fifo (gpointer data)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (data, &contents, &length, NULL));
  return g_bytes_new (contents, length);
}

/* Writes DATA to @path (a FIFO, or a link to @fifo) while a thread reads
 * @fifo; returns what the reader got. The reader may open the FIFO late,
 * and until then no reader is an error: retried. */
static GBytes *
write_while_reading (const char *path, const char *fifo, const char *data, gsize length)
{
  g_autoptr(GError) error = NULL;
  GThread *reader = g_thread_new ("fifo-reader", read_fifo, (gpointer) fifo);
  gboolean ok = FALSE;

  for (int tries = 0; tries < 500 && !ok; tries++)
    {
      g_clear_error (&error);
      ok = kiosk_printer_write_output (path, data, length, &error);
      if (!ok)
        g_usleep (10000);
    }
  g_assert_no_error (error);
  return g_thread_join (reader);
}

static void
assert_type (const char *path, mode_t type)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & S_IFMT, ==, type);
}

static void
test_output_targets (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *file = g_build_filename (dir, "receipt.pdf", NULL);
  g_autofree char *fifo = g_build_filename (dir, "printer.fifo", NULL);
  g_autofree char *link_file = g_build_filename (dir, "link-to-file.pdf", NULL);
  g_autofree char *link_fifo = g_build_filename (dir, "link-to-fifo", NULL);
  g_autofree char *contents = NULL;
  static const char data[] = "%PDF-1.7 receipt\n\x1b@raw bytes\n";
  gsize length = 0;

  alarm (60);
  /* a regular file: replaced with the new content */
  g_assert_true (g_file_set_contents (file, "old", -1, NULL));
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (kiosk_printer_write_output (file, data, sizeof data - 1, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (file, &contents, &length, NULL));
    g_assert_cmpmem (contents, length, data, sizeof data - 1);
    assert_type (file, S_IFREG);
    g_clear_pointer (&contents, g_free);
  }

  /* a FIFO with a reader: the bytes arrive, the FIFO stays */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  {
    g_autoptr(GBytes) got = write_while_reading (fifo, fifo, data, sizeof data - 1);

    g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), data, sizeof data - 1);
    assert_type (fifo, S_IFIFO);
  }
  /* a FIFO nobody reads: refused at once, not blocked */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (kiosk_printer_write_output (fifo, data, sizeof data - 1, &error));
    g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_OFFLINE);
    g_assert_nonnull (strstr (error->message, "no program reads this FIFO"));
    assert_type (fifo, S_IFIFO);
  }

  /* a character device (a pseudo terminal standing in for /dev/usb/lp0):
   * written directly, read back on the other side */
  {
    g_autoptr(GError) error = NULL;
    int master = posix_openpt (O_RDWR | O_NOCTTY);
    const char *slave_name;
    int slave;
    struct termios raw;
    char buffer[256];
    gsize got = 0;

    g_assert_cmpint (master, >=, 0);
    g_assert_cmpint (grantpt (master), ==, 0);
    g_assert_cmpint (unlockpt (master), ==, 0);
    slave_name = ptsname (master);
    slave = open (slave_name, O_RDWR | O_NOCTTY);
    g_assert_cmpint (slave, >=, 0);
    g_assert_cmpint (tcgetattr (slave, &raw), ==, 0);
    cfmakeraw (&raw);
    g_assert_cmpint (tcsetattr (slave, TCSANOW, &raw), ==, 0);
    g_assert_true (kiosk_printer_write_output (slave_name, data, sizeof data - 1, &error));
    g_assert_no_error (error);
    while (got < sizeof data - 1)
      {
        ssize_t n = read (master, buffer + got, sizeof buffer - got);

        g_assert_cmpint (n, >, 0);
        got += (gsize) n;
      }
    g_assert_cmpmem (buffer, got, data, sizeof data - 1);
    assert_type (slave_name, S_IFCHR);
    close (slave);
    close (master);
  }
  /* /dev/full: the device's own error, and it stays a device; /dev/null
   * takes it (with the old rename both failed for want of /dev's write
   * permission, or, as root, replaced the device) */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (kiosk_printer_write_output ("/dev/full", data, sizeof data - 1, &error));
    g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
    assert_type ("/dev/full", S_IFCHR);
    g_clear_error (&error);
    g_assert_true (kiosk_printer_write_output ("/dev/null", data, sizeof data - 1, &error));
    g_assert_no_error (error);
    assert_type ("/dev/null", S_IFCHR);
  }

  /* a link to a regular file: refused; neither the link nor the file changes */
  g_assert_true (g_file_set_contents (file, "old", -1, NULL));
  g_assert_cmpint (symlink (file, link_file), ==, 0);
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (kiosk_printer_write_output (link_file, data, sizeof data - 1, &error));
    g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "is a symbolic link"));
    assert_type (link_file, S_IFLNK);
    g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "old");
    g_clear_pointer (&contents, g_free);
  }
  /* a link to a FIFO (a udev-style name for a device): written through */
  g_assert_cmpint (symlink (fifo, link_fifo), ==, 0);
  {
    g_autoptr(GBytes) got = write_while_reading (link_fifo, fifo, data, sizeof data - 1);

    g_assert_cmpuint (g_bytes_get_size (got), ==, sizeof data - 1);
    assert_type (link_fifo, S_IFLNK);
    assert_type (fifo, S_IFIFO);
  }
  /* a directory: refused */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (kiosk_printer_write_output (dir, data, sizeof data - 1, &error));
    g_assert_nonnull (strstr (error->message, "is a directory"));
  }
  /* kind = file goes the same way: a FIFO nobody reads fails, stays a FIFO */
  {
    g_autofree char *config = g_strdup_printf ("[printer]\nkind=file\npath=%s\nformat=pdf\n", fifo);
    g_autoptr(KioskPrinter) printer = printer_from (config, NULL);
    g_autoptr(KioskReceipt) receipt = make_receipt ();
    g_autoptr(GError) error = NULL;

    g_assert_false (kiosk_printer_print (printer, receipt, NULL, &error));
    g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED);
    assert_type (fifo, S_IFIFO);
  }
  alarm (0);
  remove_tree (dir);
}

/* Parses @stream strictly and checks that its raster decodes to PAYLOAD. */
static void
check_escpos_stream (const guint8 *data, gsize length, const char *dir)
{
  g_autofree char *pgm = g_build_filename (dir, "raster.pgm", NULL);
  g_autofree char *problem = NULL;
  g_autofree char *decoded = NULL;
  EscposDoc doc;

  escpos_doc_init (&doc);
  if (!escpos_parse (&doc, data, length, &problem))
    g_error ("malformed ESC/POS stream: %s", problem);
  g_assert_true (doc.initialised);
  g_assert_true (doc.cut);
  g_assert_cmpuint (doc.raster_width, ==, 384);
  escpos_write_pgm (&doc, pgm);
  decoded = zbar_decode (pgm);
  g_assert_cmpstr (decoded, ==, PAYLOAD);
  escpos_doc_clear (&doc);
}

static void
test_escpos_device (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *device = g_build_filename (dir, "lp0", NULL);
  g_autofree char *config = g_strdup_printf ("[printer]\nkind=escpos\npaper=58\ndevice=%s\n", device);
  g_autoptr(KioskPrinter) printer = printer_from (config, NULL);
  g_autoptr(KioskReceipt) receipt = make_receipt ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  /* a device that is not there: offline, at once */
  g_assert_false (kiosk_printer_print (printer, receipt, NULL, &error));
  g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_OFFLINE);
  g_clear_error (&error);

  /* a plain file stands in for the device node */
  g_assert_true (g_file_set_contents (device, "old contents", -1, NULL));
  g_assert_true (kiosk_printer_print (printer, receipt, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (device, &contents, &length, NULL));
  check_escpos_stream ((const guint8 *) contents, length, dir);
  remove_tree (dir);
}

/* A FIFO as the device (a misconfiguration, or a spooler stand-in): the
 * stream arrives whole and nothing is read back as a status byte. */
static void
test_escpos_fifo (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *fifo = g_build_filename (dir, "lp0", NULL);
  g_autofree char *config = g_strdup_printf ("[printer]\nkind=escpos\npaper=58\ntimeout=2\ndevice=%s\n", fifo);
  g_autoptr(KioskPrinter) printer = printer_from (config, NULL);
  g_autoptr(KioskReceipt) receipt = make_receipt ();
  g_autoptr(GByteArray) received = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint8 buffer[4096];
  ssize_t n;
  int fd;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  fd = open (fifo, O_RDONLY | O_NONBLOCK);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (kiosk_printer_print (printer, receipt, NULL, &error));
  g_assert_no_error (error);
  for (;;)
    {
      n = read (fd, buffer, sizeof buffer);
      if (n <= 0)
        break;
      g_byte_array_append (received, buffer, (guint) n);
    }
  close (fd);
  check_escpos_stream (received->data, received->len, dir);
  remove_tree (dir);
}

/* ------------------------------------------------------------ the stand-in */

typedef struct {
  GMutex          lock;
  GCond           cond;
  GByteArray     *received;
  gssize          drop_after;  /* close the connection after this many bytes; -1 never */
  int             answers[5];  /* answer to DLE EOT n; -1: stay silent */
  gboolean        finished;
  guint           connections;
  char           *problem;
  GSocketService *service;
  guint16         port;
} StandIn;

static gboolean
standin_run (GThreadedSocketService *service,
             GSocketConnection      *connection,
             GObject                *source_object,
             gpointer                user_data)
{
  StandIn *standin = user_data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  guint8 buffer[4096];
  gsize parsed = 0;
  EscposDoc doc;

  escpos_doc_init (&doc);
  g_mutex_lock (&standin->lock);
  standin->connections++;
  g_mutex_unlock (&standin->lock);

  for (;;)
    {
      gssize n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL);
      gboolean drop;

      if (n <= 0)
        break;
      g_mutex_lock (&standin->lock);
      g_byte_array_append (standin->received, buffer, (guint) n);
      drop = standin->drop_after >= 0 && standin->received->len >= (gsize) standin->drop_after;
      /* answer DLE EOT where it stands between commands */
      while (!drop && standin->problem == NULL && parsed < standin->received->len)
        {
          int dle_eot = 0;
          char *problem = NULL;
          gssize used = escpos_parse_one (&doc, standin->received->data + parsed,
                                          standin->received->len - parsed, &dle_eot, &problem);
          if (used < 0)
            standin->problem = problem;
          if (used <= 0)
            break;
          parsed += (gsize) used;
          if (dle_eot > 0 && standin->answers[dle_eot] >= 0)
            {
              guint8 answer = (guint8) standin->answers[dle_eot];
              g_output_stream_write_all (out, &answer, 1, NULL, NULL, NULL);
            }
        }
      g_mutex_unlock (&standin->lock);
      if (drop)
        {
          g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
          break;
        }
    }
  escpos_doc_clear (&doc);
  g_mutex_lock (&standin->lock);
  standin->finished = TRUE;
  g_cond_broadcast (&standin->cond);
  g_mutex_unlock (&standin->lock);
  return TRUE;
}

static StandIn *
standin_new (gssize drop_after, int printer, int offline, int paper)
{
  StandIn *standin = g_new0 (StandIn, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&standin->lock);
  g_cond_init (&standin->cond);
  standin->received = g_byte_array_new ();
  standin->drop_after = drop_after;
  standin->answers[0] = -1;
  standin->answers[1] = printer;
  standin->answers[2] = offline;
  standin->answers[3] = -1;
  standin->answers[4] = paper;
  standin->service = g_threaded_socket_service_new (2);
  g_socket_listener_add_address (G_SOCKET_LISTENER (standin->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  standin->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (standin->service, "run", G_CALLBACK (standin_run), standin);
  g_socket_service_start (standin->service);
  return standin;
}

/* Waits until the connection has ended (the printer side saw EOF). */
static void
standin_wait (StandIn *standin)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  g_mutex_lock (&standin->lock);
  while (!standin->finished && standin->connections > 0)
    if (!g_cond_wait_until (&standin->cond, &standin->lock, deadline))
      break;
  g_assert_true (standin->finished || standin->connections == 0);
  g_mutex_unlock (&standin->lock);
}

static void
standin_free (StandIn *standin)
{
  standin_wait (standin);
  g_socket_service_stop (standin->service);
  g_socket_listener_close (G_SOCKET_LISTENER (standin->service));
  g_object_unref (standin->service);
  g_byte_array_unref (standin->received);
  g_free (standin->problem);
  g_mutex_clear (&standin->lock);
  g_cond_clear (&standin->cond);
  g_free (standin);
}

typedef struct {
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
} PrintResult;

static void
print_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PrintResult *print = user_data;

  print->ok = kiosk_printer_print_finish (NULL, result, &print->error);
  g_main_loop_quit (print->loop);
}

/* Prints asynchronously while the main loop serves the stand-in. */
static gboolean
print_via_loop (KioskPrinter *printer, const KioskReceipt *receipt, GError **error)
{
  PrintResult print = { g_main_loop_new (NULL, FALSE), FALSE, NULL };
  gint64 start = g_get_monotonic_time ();

  kiosk_printer_print_async (printer, receipt, NULL, print_done, &print);
  g_main_loop_run (print.loop);
  g_main_loop_unref (print.loop);
  g_test_message ("printing took %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  if (print.error != NULL)
    g_propagate_error (error, print.error);
  return print.ok;
}

static KioskPrinter *
tcp_printer (guint16 port, gboolean query_status)
{
  g_autofree char *config = g_strdup_printf ("[printer]\nkind=escpos\npaper=58\ntimeout=5\n"
                                             "device=tcp://127.0.0.1:%u\nquery_status=%s\n",
                                             port, query_status ? "true" : "false");
  g_autoptr(GError) error = NULL;
  KioskPrinter *printer = printer_from (config, &error);

  g_assert_no_error (error);
  return printer;
}

static void
test_escpos_tcp (gconstpointer data)
{
  gboolean query_status = GPOINTER_TO_INT (data);
  StandIn *standin = standin_new (-1, 0x12, 0x12, 0x12);
  g_autoptr(KioskPrinter) printer = tcp_printer (standin->port, query_status);
  g_autoptr(KioskReceipt) receipt = make_receipt ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_temp_dir ();

  g_assert_true (print_via_loop (printer, receipt, &error));
  g_assert_no_error (error);
  standin_wait (standin);
  g_assert_null (standin->problem);
  g_assert_cmpuint (standin->connections, ==, 1);
  check_escpos_stream (standin->received->data, standin->received->len, dir);
  if (query_status)
    g_assert_cmpmem (standin->received->data, 3, "\x10\x04\x01", 3);
  else
    g_assert_cmpmem (standin->received->data, 2, "\x1b@", 2);
  standin_free (standin);
  remove_tree (dir);
}

typedef struct {
  KioskPrinter       *printer;
  KioskPrinterStatus *status;
  gint                done;
} StatusJob;

static gpointer
status_thread (gpointer data)
{
  StatusJob *job = data;

  job->status = kiosk_printer_query_status (job->printer, NULL);
  g_atomic_int_set (&job->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
test_escpos_status (void)
{
  StandIn *standin = standin_new (-1, 0x12, 0x12, 0x1e);   /* paper near end */
  g_autoptr(KioskPrinter) printer = tcp_printer (standin->port, TRUE);
  StatusJob job = { printer, NULL, 0 };
  GThread *thread;

  /* the stand-in is served by this thread's main loop: query from another */
  thread = g_thread_new ("status", status_thread, &job);
  while (!g_atomic_int_get (&job.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  g_test_message ("status: %s (%s)", job.status->message, job.status->detail);
  g_assert_cmpint (job.status->state, ==, KIOSK_PRINTER_STATE_PAPER_LOW);
  kiosk_printer_status_free (job.status);
  standin_wait (standin);
  g_assert_cmpuint (standin->received->len, ==, 9);
  g_assert_cmpmem (standin->received->data, 9, "\x10\x04\x01\x10\x04\x02\x10\x04\x04", 9);
  standin_free (standin);
}

static void
test_escpos_out_of_paper (void)
{
  StandIn *standin = standin_new (-1, 0x1a, 0x32, 0x72);
  g_autoptr(KioskPrinter) printer = tcp_printer (standin->port, TRUE);
  g_autoptr(KioskReceipt) receipt = make_receipt ();
  g_autoptr(GError) error = NULL;

  g_assert_false (print_via_loop (printer, receipt, &error));
  g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_OUT_OF_PAPER);
  g_test_message ("error: %s", error->message);
  standin_wait (standin);
  /* nothing but the status requests reached the printer */
  for (guint i = 0; i < standin->received->len; i += 3)
    g_assert_cmpmem (standin->received->data + i, 2, "\x10\x04", 2);
  standin_free (standin);
}

static void
test_escpos_drop (gconstpointer data)
{
  gboolean query_status = GPOINTER_TO_INT (data);
  StandIn *standin = standin_new (200, 0x12, 0x12, 0x12);
  g_autoptr(KioskPrinter) printer = tcp_printer (standin->port, query_status);
  g_autoptr(KioskReceipt) receipt = make_receipt ();
  g_autoptr(GError) error = NULL;

  g_assert_false (print_via_loop (printer, receipt, &error));
  g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED);
  g_test_message ("error: %s", error->message);
  standin_free (standin);
}

static void
test_escpos_refused (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(KioskPrinter) printer = NULL;
  g_autoptr(KioskReceipt) receipt = make_receipt ();
  g_autoptr(KioskPrinterStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  /* a port that was free a moment ago: nobody listens there */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  printer = tcp_printer (port, TRUE);
  g_assert_false (kiosk_printer_print (printer, receipt, NULL, &error));
  g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_OFFLINE);
  status = kiosk_printer_query_status (printer, NULL);
  g_assert_cmpint (status->state, ==, KIOSK_PRINTER_STATE_OFFLINE);
}

/* ------------------------------------------------------------ CUPS */

typedef struct {
  char  *dir;
  GPid   pid;
  guint16 port;
} Cupsd;

static guint16
free_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_socket_listener_close (listener);
  return port;
}

static void
write_file (const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* cupsd goes when the test goes, even when an assertion aborts it. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
cupsd_start (Cupsd *cupsd)
{
  g_autofree char *program = g_find_program_in_path ("cupsd");
  g_autofree char *etc = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *files = NULL;
  g_autofree char *printers = NULL;
  g_autofree char *user_lines = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *files_path = NULL;
  g_autoptr(GError) error = NULL;
  const char *subdirs[] = { "etc", "etc/ppd", "spool", "spool/tmp", "cache", "state", "log",
                            "bin", "bin/backend" };
  gint64 deadline;

  if (program == NULL && g_file_test ("/usr/sbin/cupsd", G_FILE_TEST_IS_EXECUTABLE))
    program = g_strdup ("/usr/sbin/cupsd");
  if (program == NULL)
    {
      g_test_skip ("cupsd is not installed (Debian package cups-daemon)");
      return FALSE;
    }

  cupsd->dir = make_temp_dir ();
  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *path = g_build_filename (cupsd->dir, subdirs[i], NULL);
      g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
    }
  etc = g_build_filename (cupsd->dir, "etc", NULL);
  cupsd->port = free_port ();

  conf = g_strdup_printf ("Listen 127.0.0.1:%u\n"
                          "LogLevel debug\n"
                          "Browsing No\n"
                          "WebInterface No\n"
                          "DefaultAuthType None\n"
                          "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
                          "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n",
                          cupsd->port);
  if (getuid () != 0)
    {
      struct passwd *pw = getpwuid (getuid ());
      struct group *gr = getgrgid (getgid ());
      user_lines = g_strdup_printf ("User %s\nGroup %s\n", pw != NULL ? pw->pw_name : "nobody",
                                    gr != NULL ? gr->gr_name : "nogroup");
    }
  files = g_strdup_printf ("ServerRoot %s/etc\n"
                           "RequestRoot %s/spool\n"
                           "TempDir %s/spool/tmp\n"
                           "CacheDir %s/cache\n"
                           "StateDir %s/state\n"
                           "ErrorLog %s/log/error_log\n"
                           "AccessLog %s/log/access_log\n"
                           "PageLog %s/log/page_log\n"
                           "ServerBin %s/bin\n"
                           "DataDir /usr/share/cups\n"
                           "FileDevice Yes\n"
                           "%s",
                           cupsd->dir, cupsd->dir, cupsd->dir, cupsd->dir, cupsd->dir,
                           cupsd->dir, cupsd->dir, cupsd->dir, cupsd->dir, user_lines != NULL ? user_lines : "");
  printers = g_strdup_printf ("<DefaultPrinter receipt>\n"
                              "Info Receipt stand-in\n"
                              "DeviceURI capture:%s/out.pdf\n"
                              "State Idle\n"
                              "Accepting Yes\n"
                              "</DefaultPrinter>\n"
                              "<Printer empty>\n"
                              "DeviceURI capture:%s/empty.pdf\n"
                              "State Idle\n"
                              "Reason media-empty-error\n"
                              "Accepting Yes\n"
                              "</Printer>\n"
                              "<Printer stopped>\n"
                              "DeviceURI capture:%s/stopped.pdf\n"
                              "State Stopped\n"
                              "Accepting Yes\n"
                              "</Printer>\n",
                              cupsd->dir, cupsd->dir, cupsd->dir);
  write_file (etc, "cupsd.conf", conf);
  write_file (etc, "cups-files.conf", files);
  write_file (etc, "printers.conf", printers);
  write_file (cupsd->dir, "out.pdf", "");
  /* CUPS 2.4 sends nothing to a file: device from a raw queue (there is
   * no filter to write it), so the queue's device is a small backend
   * that copies the job, unchanged, to the path in its device URI. It
   * runs as root when its mode is 0700, as the User otherwise. cupsd
   * finds cups-exec and the notifiers through ServerBin. */
  {
    g_autofree char *backend = g_build_filename (cupsd->dir, "bin", "backend", "capture", NULL);
    g_autofree char *daemon_link = g_build_filename (cupsd->dir, "bin", "daemon", NULL);
    g_autofree char *notifier_link = g_build_filename (cupsd->dir, "bin", "notifier", NULL);

    write_file (cupsd->dir, "bin/backend/capture",
                "#!/bin/sh\n"
                "# Test backend: copy the job to the path after capture: in DEVICE_URI.\n"
                "[ $# -eq 0 ] && exit 0\n"
                "out=\"${DEVICE_URI#capture:}\"\n"
                "if [ $# -ge 6 ]; then cat \"$6\" > \"$out\"; else cat > \"$out\"; fi\n");
    g_chmod (backend, getuid () == 0 ? 0700 : 0755);
    g_assert_cmpint (symlink ("/usr/lib/cups/daemon", daemon_link), ==, 0);
    g_assert_cmpint (symlink ("/usr/lib/cups/notifier", notifier_link), ==, 0);
  }
  {
    g_autofree char *out = g_build_filename (cupsd->dir, "out.pdf", NULL);
    g_chmod (out, 0666);
  }

  conf_path = g_build_filename (etc, "cupsd.conf", NULL);
  files_path = g_build_filename (etc, "cups-files.conf", NULL);
  {
    const char *argv[] = { program, "-f", "-c", conf_path, "-s", files_path, NULL };
    g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                   die_with_parent, NULL, &cupsd->pid, &error);
    g_assert_no_error (error);
  }

  /* wait until it listens */
  deadline = g_get_monotonic_time () + 15 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) connection =
        g_socket_client_connect_to_host (client, "127.0.0.1", cupsd->port, NULL, NULL);
      int status = 0;

      if (connection != NULL)
        return TRUE;
      if (waitpid (cupsd->pid, &status, WNOHANG) == cupsd->pid)
        {
          g_autofree char *log_path = g_build_filename (cupsd->dir, "log", "error_log", NULL);
          g_autofree char *log = NULL;
          g_file_get_contents (log_path, &log, NULL, NULL);
          g_error ("cupsd exited at once (status %d); its log:\n%s", status, log != NULL ? log : "(none)");
        }
      g_usleep (50 * 1000);
    }
  g_error ("cupsd did not listen on 127.0.0.1:%u within 15 s", cupsd->port);
  return FALSE;
}

static void
cupsd_stop (Cupsd *cupsd)
{
  int status = 0;

  if (cupsd->pid > 0)
    {
      kill (cupsd->pid, SIGTERM);
      waitpid (cupsd->pid, &status, 0);
      g_spawn_close_pid (cupsd->pid);
    }
  if (g_getenv ("ANTRAGSKIOSK_KEEP_CUPSD") == NULL)
    remove_tree (cupsd->dir);
  else
    g_test_message ("cupsd directory kept: %s", cupsd->dir);
  g_free (cupsd->dir);
}

static KioskPrinter *
cups_printer (Cupsd *cupsd, const char *queue)
{
  g_autofree char *config = g_strdup_printf ("[printer]\nkind=cups\npaper=80\ntimeout=10\n"
                                             "server=127.0.0.1:%u\n%s%s\n",
                                             cupsd->port, queue != NULL ? "queue=" : "",
                                             queue != NULL ? queue : "");
  g_autoptr(GError) error = NULL;
  KioskPrinter *printer = printer_from (config, &error);

  g_assert_no_error (error);
  return printer;
}

/* A complete PDF in @path: it ends with %%EOF and stopped growing. */
static gboolean
wait_for_pdf (const char *path, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;
  gsize last = 0;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_get_contents (path, &contents, &length, NULL) && length > 0 && length == last
          && g_strrstr_len (contents + (length > 32 ? length - 32 : 0), 32, "%%EOF") != NULL)
        return TRUE;
      last = length;
      g_usleep (100 * 1000);
    }
  return FALSE;
}

static void
test_cups (void)
{
  Cupsd cupsd = { 0 };
  g_autoptr(KioskReceipt) receipt = make_receipt ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *png = NULL;
  g_autofree char *decoded = NULL;

  if (!cupsd_start (&cupsd))
    return;
  out = g_build_filename (cupsd.dir, "out.pdf", NULL);

  /* the default queue, ready */
  {
    g_autoptr(KioskPrinter) printer = cups_printer (&cupsd, NULL);
    g_autoptr(KioskPrinterStatus) status = kiosk_printer_query_status (printer, NULL);

    g_test_message ("status: %s (%s)", status->message, status->detail);
    g_assert_cmpint (status->state, ==, KIOSK_PRINTER_STATE_READY);
    g_assert_true (kiosk_printer_print (printer, receipt, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_true (wait_for_pdf (out, 30));
  png = pdf_to_png (out);
  g_assert_nonnull (png);
  decoded = zbar_decode (png);
  g_assert_cmpstr (decoded, ==, PAYLOAD);

  /* out of paper (printer-state-reasons media-empty-error) */
  {
    g_autoptr(KioskPrinter) printer = cups_printer (&cupsd, "empty");
    g_autoptr(KioskPrinterStatus) status = kiosk_printer_query_status (printer, NULL);

    g_test_message ("status: %s (%s)", status->message, status->detail);
    g_assert_cmpint (status->state, ==, KIOSK_PRINTER_STATE_OUT_OF_PAPER);
    g_assert_false (kiosk_printer_print (printer, receipt, NULL, &error));
    g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_OUT_OF_PAPER);
    g_clear_error (&error);
  }
  /* stopped queue */
  {
    g_autoptr(KioskPrinter) printer = cups_printer (&cupsd, "stopped");
    g_autoptr(KioskPrinterStatus) status = kiosk_printer_query_status (printer, NULL);

    g_test_message ("status: %s (%s)", status->message, status->detail);
    g_assert_cmpint (status->state, ==, KIOSK_PRINTER_STATE_OFFLINE);
    g_assert_false (kiosk_printer_print (printer, receipt, NULL, &error));
    g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_OFFLINE);
    g_clear_error (&error);
  }
  /* a queue that does not exist */
  {
    g_autoptr(KioskPrinter) printer = cups_printer (&cupsd, "nosuchqueue");

    g_assert_false (kiosk_printer_print (printer, receipt, NULL, &error));
    g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_CONFIG);
    g_clear_error (&error);
  }
  cupsd_stop (&cupsd);

  /* the server is gone: offline, not a hang */
  {
    g_autoptr(KioskPrinter) printer = cups_printer (&cupsd, NULL);
    g_autoptr(KioskPrinterStatus) status = kiosk_printer_query_status (printer, NULL);

    g_assert_cmpint (status->state, ==, KIOSK_PRINTER_STATE_OFFLINE);
    g_assert_false (kiosk_printer_print (printer, receipt, NULL, &error));
    g_assert_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_OFFLINE);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/antragskiosk/printer/config", test_config);
  g_test_add_func ("/antragskiosk/printer/ipp-states", test_ipp_states);
  g_test_add_func ("/antragskiosk/printer/dle-eot", test_dle_eot);
  g_test_add_func ("/antragskiosk/printer/none", test_none);
  g_test_add_func ("/antragskiosk/printer/file", test_file);
  g_test_add_func ("/antragskiosk/printer/output-targets", test_output_targets);
  g_test_add_func ("/antragskiosk/printer/escpos-device", test_escpos_device);
  g_test_add_func ("/antragskiosk/printer/escpos-fifo", test_escpos_fifo);
  g_test_add_data_func ("/antragskiosk/printer/escpos-tcp", GINT_TO_POINTER (TRUE), test_escpos_tcp);
  g_test_add_data_func ("/antragskiosk/printer/escpos-tcp-no-status", GINT_TO_POINTER (FALSE), test_escpos_tcp);
  g_test_add_func ("/antragskiosk/printer/escpos-status", test_escpos_status);
  g_test_add_func ("/antragskiosk/printer/escpos-out-of-paper", test_escpos_out_of_paper);
  g_test_add_data_func ("/antragskiosk/printer/escpos-drop", GINT_TO_POINTER (TRUE), test_escpos_drop);
  g_test_add_data_func ("/antragskiosk/printer/escpos-drop-no-status", GINT_TO_POINTER (FALSE), test_escpos_drop);
  g_test_add_func ("/antragskiosk/printer/escpos-refused", test_escpos_refused);
  g_test_add_func ("/antragskiosk/printer/cups", test_cups);
  return g_test_run ();
}
