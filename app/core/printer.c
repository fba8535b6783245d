/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-printer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <cups/cups.h>
#include <cups/ipp.h>

#include <antragskiosk/file.h>
#include <antragskiosk/printer.h>

#include "printer-private.h"

G_DEFINE_QUARK (kiosk-printer-error-quark, kiosk_printer_error)

#define STATUS_TIMEOUT_MS 1000


/* ------------------------------------------------------------ status */

void
kiosk_printer_status_free (KioskPrinterStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->message);
  g_free (status->detail);
  g_free (status);
}

gboolean
kiosk_printer_state_can_print (KioskPrinterState state)
{
  return state == KIOSK_PRINTER_STATE_READY || state == KIOSK_PRINTER_STATE_PRINTING
         || state == KIOSK_PRINTER_STATE_PAPER_LOW || state == KIOSK_PRINTER_STATE_UNKNOWN;
}

const char *
kiosk_printer_state_to_string (KioskPrinterState state)
{
  switch (state)
    {
    case KIOSK_PRINTER_STATE_READY: return "ready";
    case KIOSK_PRINTER_STATE_PRINTING: return "printing";
    case KIOSK_PRINTER_STATE_PAPER_LOW: return "paper-low";
    case KIOSK_PRINTER_STATE_OFFLINE: return "offline";
    case KIOSK_PRINTER_STATE_OUT_OF_PAPER: return "out-of-paper";
    case KIOSK_PRINTER_STATE_COVER_OPEN: return "cover-open";
    case KIOSK_PRINTER_STATE_ERROR: return "error";
    case KIOSK_PRINTER_STATE_NOT_CONFIGURED: return "not-configured";
    case KIOSK_PRINTER_STATE_UNKNOWN:
    default: return "unknown";
    }
}

static const char *
state_message (KioskPrinterState state)
{
  switch (state)
    {
    case KIOSK_PRINTER_STATE_READY: return _("The receipt printer is ready.");
    case KIOSK_PRINTER_STATE_PRINTING: return _("The receipt printer is printing.");
    case KIOSK_PRINTER_STATE_PAPER_LOW: return _("The receipt printer is ready; its paper is running low.");
    case KIOSK_PRINTER_STATE_OFFLINE: return _("The receipt printer is offline.");
    case KIOSK_PRINTER_STATE_OUT_OF_PAPER: return _("The receipt printer is out of paper.");
    case KIOSK_PRINTER_STATE_COVER_OPEN: return _("The receipt printer's cover is open.");
    case KIOSK_PRINTER_STATE_ERROR: return _("The receipt printer reports a fault.");
    case KIOSK_PRINTER_STATE_NOT_CONFIGURED: return _("No receipt printer is set up.");
    case KIOSK_PRINTER_STATE_UNKNOWN:
    default: return _("The receipt printer does not report its state.");
    }
}

static KioskPrinterError
state_error (KioskPrinterState state)
{
  switch (state)
    {
    case KIOSK_PRINTER_STATE_OUT_OF_PAPER: return KIOSK_PRINTER_ERROR_OUT_OF_PAPER;
    case KIOSK_PRINTER_STATE_COVER_OPEN: return KIOSK_PRINTER_ERROR_COVER_OPEN;
    case KIOSK_PRINTER_STATE_NOT_CONFIGURED: return KIOSK_PRINTER_ERROR_NOT_CONFIGURED;
    case KIOSK_PRINTER_STATE_ERROR: return KIOSK_PRINTER_ERROR_FAILED;
    case KIOSK_PRINTER_STATE_OFFLINE:
    default: return KIOSK_PRINTER_ERROR_OFFLINE;
    }
}

static KioskPrinterStatus *
status_new (KioskPrinterState state, const char *detail)
{
  KioskPrinterStatus *status = g_new0 (KioskPrinterStatus, 1);

  status->state = state;
  status->message = g_strdup (state_message (state));
  status->detail = g_strdup (detail);
  return status;
}

static gboolean
reason_is (const char *reason, const char *base)
{
  gsize length = strlen (base);

  if (strncmp (reason, base, length) != 0)
    return FALSE;
  reason += length;
  return *reason == '\0' || g_str_equal (reason, "-report") || g_str_equal (reason, "-warning")
         || g_str_equal (reason, "-error");
}

KioskPrinterState
_kiosk_printer_state_from_ipp (int                state,
                               const char *const *reasons,
                               gboolean           accepting)
{
  gboolean out_of_paper = FALSE, cover = FALSE, offline = FALSE, fault = FALSE, low = FALSE;

  for (guint i = 0; reasons != NULL && reasons[i] != NULL; i++)
    {
      const char *reason = reasons[i];

      if (reason_is (reason, "media-empty") || reason_is (reason, "media-needed"))
        out_of_paper = TRUE;
      else if (reason_is (reason, "cover-open") || reason_is (reason, "door-open")
               || reason_is (reason, "interlock-open"))
        cover = TRUE;
      else if (reason_is (reason, "offline") || reason_is (reason, "shutdown")
               || reason_is (reason, "timed-out"))
        offline = TRUE;
      else if (reason_is (reason, "media-jam") || reason_is (reason, "input-tray-missing")
               || (g_str_has_suffix (reason, "-error") && !g_str_has_prefix (reason, "cups-")))
        fault = TRUE;
      else if (reason_is (reason, "media-low"))
        low = TRUE;
    }
  if (out_of_paper)
    return KIOSK_PRINTER_STATE_OUT_OF_PAPER;
  if (cover)
    return KIOSK_PRINTER_STATE_COVER_OPEN;
  if (offline || state == IPP_PSTATE_STOPPED || !accepting)
    return KIOSK_PRINTER_STATE_OFFLINE;
  if (fault)
    return KIOSK_PRINTER_STATE_ERROR;
  if (low)
    return KIOSK_PRINTER_STATE_PAPER_LOW;
  if (state == IPP_PSTATE_PROCESSING)
    return KIOSK_PRINTER_STATE_PRINTING;
  if (state == IPP_PSTATE_IDLE)
    return KIOSK_PRINTER_STATE_READY;
  return KIOSK_PRINTER_STATE_UNKNOWN;
}

/* A DLE EOT answer has bits 1 and 4 set, bits 0 and 7 clear. */
static gboolean
dle_eot_valid (int byte)
{
  return byte >= 0 && (byte & 0x93) == 0x12;
}

KioskPrinterState
_kiosk_printer_state_from_dle_eot (int printer,
                                   int offline,
                                   int paper)
{
  gboolean any = FALSE;

  if (dle_eot_valid (paper))
    {
      any = TRUE;
      if (paper & 0x60)
        return KIOSK_PRINTER_STATE_OUT_OF_PAPER;
    }
  if (dle_eot_valid (offline))
    {
      any = TRUE;
      if (offline & 0x20)
        return KIOSK_PRINTER_STATE_OUT_OF_PAPER;
      if (offline & 0x04)
        return KIOSK_PRINTER_STATE_COVER_OPEN;
      if (offline & 0x40)
        return KIOSK_PRINTER_STATE_ERROR;
    }
  if (dle_eot_valid (printer))
    {
      any = TRUE;
      if (printer & 0x08)
        return KIOSK_PRINTER_STATE_OFFLINE;
    }
  if (!any)
    return KIOSK_PRINTER_STATE_UNKNOWN;
  if (dle_eot_valid (paper) && (paper & 0x0c))
    return KIOSK_PRINTER_STATE_PAPER_LOW;
  return KIOSK_PRINTER_STATE_READY;
}

void
kiosk_printer_free (KioskPrinter *printer)
{
  if (printer == NULL)
    return;
  g_free (printer->path);
  g_free (printer->queue);
  g_free (printer->server_host);
  g_free (printer->device);
  g_free (printer);
}

KioskPrinterKind
kiosk_printer_get_kind (KioskPrinter *printer)
{
  g_return_val_if_fail (printer != NULL, KIOSK_PRINTER_KIND_NONE);
  return printer->kind;
}

KioskPaper
kiosk_printer_get_paper (KioskPrinter *printer)
{
  g_return_val_if_fail (printer != NULL, KIOSK_PAPER_80MM);
  return printer->paper;
}

const KioskEscposOptions *
kiosk_printer_get_escpos_options (KioskPrinter *printer)
{
  g_return_val_if_fail (printer != NULL, NULL);
  return &printer->escpos;
}

static gboolean
fail (GError **error, KioskPrinterError code, const char *message, const char *detail)
{
  /* The detail names hosts, queues, system errors: nothing personal. */
  if (detail != NULL)
    g_message ("printer: %s (%s)", message, detail);
  g_set_error_literal (error, KIOSK_PRINTER_ERROR, code, message);
  return FALSE;
}

static gboolean
check_cancelled (GCancellable *cancellable, GError **error)
{
  if (g_cancellable_is_cancelled (cancellable))
    return fail (error, KIOSK_PRINTER_ERROR_CANCELLED, _("Printing was cancelled."), NULL);
  return TRUE;
}

/* ------------------------------------------------------------ CUPS */

typedef struct _http_s CupsHttp;
static void
cups_http_close (CupsHttp *http)
{
  httpClose (http);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CupsHttp, cups_http_close)

static int
cups_timeout_cb (http_t *http, void *user_data)
{
  return 0;   /* give up */
}

static http_t *
cups_connect (KioskPrinter *printer, GError **error)
{
  const char *host = printer->server_host != NULL ? printer->server_host : cupsServer ();
  int port = printer->server_host != NULL ? printer->server_port : ippPort ();
  http_t *http;

  http = httpConnect2 (host, port, NULL, AF_UNSPEC, cupsEncryption (), 1,
                       (int) printer->timeout * 1000, NULL);
  if (http == NULL)
    {
      g_autofree char *detail = g_strdup_printf ("cannot connect to the print service at %s: %s",
                                                 host, cupsLastErrorString ());
      fail (error, KIOSK_PRINTER_ERROR_OFFLINE, _("The receipt printer is offline."), detail);
      return NULL;
    }
  httpSetTimeout (http, printer->timeout, cups_timeout_cb, NULL);
  return http;
}

static char *
cups_queue (KioskPrinter *printer, http_t *http, GError **error)
{
  const char *name;

  if (printer->queue != NULL)
    return g_strdup (printer->queue);
  name = cupsGetDefault2 (http);
  if (name == NULL)
    {
      fail (error, KIOSK_PRINTER_ERROR_CONFIG, _("No receipt printer is set up."),
            "[printer] queue is not set and CUPS has no default printer");
      return NULL;
    }
  return g_strdup (name);
}

static KioskPrinterStatus *
cups_status (KioskPrinter *printer, http_t *http, const char *queue)
{
  static const char *const attributes[] = {
    "printer-state", "printer-state-reasons", "printer-is-accepting-jobs",
  };
  char uri[HTTP_MAX_URI];
  ipp_t *request, *response;
  ipp_attribute_t *attribute;
  int state = 0;
  gboolean accepting = TRUE;
  g_autoptr(GPtrArray) reasons = g_ptr_array_new ();
  g_autofree char *detail = NULL;
  KioskPrinterState result;

  httpAssembleURIf (HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", NULL, "localhost", 0,
                    "/printers/%s", queue);
  request = ippNewRequest (IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 (int) G_N_ELEMENTS (attributes), NULL, attributes);
  response = cupsDoRequest (http, request, "/");
  if (response == NULL || cupsLastError () > IPP_STATUS_OK_CONFLICTING)
    {
      ipp_status_t status = cupsLastError ();
      KioskPrinterStatus *result_status;

      detail = g_strdup_printf ("queue %s: %s", queue, cupsLastErrorString ());
      ippDelete (response);
      result_status = status_new (status == IPP_STATUS_ERROR_NOT_FOUND ? KIOSK_PRINTER_STATE_NOT_CONFIGURED
                                                                       : KIOSK_PRINTER_STATE_OFFLINE,
                                  detail);
      return result_status;
    }

  attribute = ippFindAttribute (response, "printer-state", IPP_TAG_ENUM);
  if (attribute != NULL)
    state = ippGetInteger (attribute, 0);
  attribute = ippFindAttribute (response, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
  if (attribute != NULL)
    accepting = ippGetBoolean (attribute, 0);
  attribute = ippFindAttribute (response, "printer-state-reasons", IPP_TAG_KEYWORD);
  for (int i = 0; attribute != NULL && i < ippGetCount (attribute); i++)
    g_ptr_array_add (reasons, (gpointer) ippGetString (attribute, i, NULL));
  g_ptr_array_add (reasons, NULL);

  result = _kiosk_printer_state_from_ipp (state, (const char *const *) reasons->pdata, accepting);
  {
    g_autofree char *joined = g_strjoinv (",", (char **) reasons->pdata);
    detail = g_strdup_printf ("queue %s: printer-state %d, accepting %s, reasons %s", queue, state,
                              accepting ? "yes" : "no", *joined != '\0' ? joined : "none");
  }
  ippDelete (response);
  return status_new (result, detail);
}

static gssize
write_all_fd (int fd, const char *data, gsize length)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t written = write (fd, data + done, length - done);
      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        return -1;
      done += (gsize) written;
    }
  return (gssize) done;
}

static gboolean
cups_print (KioskPrinter  *printer,
            GBytes        *document,
            const char    *title,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(CupsHttp) http = NULL;
  g_autofree char *queue = NULL;
  g_autoptr(KioskPrinterStatus) status = NULL;
  g_autofree char *detail = NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (document, &length);
  g_autofree char *resource = NULL;
  char uri[HTTP_MAX_URI];
  ipp_t *request, *response;
  ipp_attribute_t *attribute;
  int fd;
  int job;

  http = cups_connect (printer, error);
  if (http == NULL)
    return FALSE;
  queue = cups_queue (printer, http, error);
  if (queue == NULL)
    return FALSE;
  status = cups_status (printer, http, queue);
  if (status->state == KIOSK_PRINTER_STATE_NOT_CONFIGURED)
    return fail (error, KIOSK_PRINTER_ERROR_CONFIG, _("No receipt printer is set up."), status->detail);
  if (!kiosk_printer_state_can_print (status->state))
    return fail (error, state_error (status->state), status->message, status->detail);
  if (!check_cancelled (cancellable, error))
    return FALSE;

  /* One IPP Print-Job request with the PDF as its document (RFC 8011
   * §4.2.1); raw queues pass it on unchanged. */
  httpAssembleURIf (HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", NULL, "localhost", 0,
                    "/printers/%s", queue);
  resource = g_strdup_printf ("/printers/%s", queue);
  request = ippNewRequest (IPP_OP_PRINT_JOB);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser ());
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", NULL, title);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL, CUPS_FORMAT_PDF);
  /* The document goes through an anonymous in-memory file: nothing is
   * written to disk. cupsDoIORequest() consumes @request. */
  fd = memfd_create ("antragskiosk-receipt", MFD_CLOEXEC);
  if (fd < 0 || write_all_fd (fd, data, length) < 0 || lseek (fd, 0, SEEK_SET) != 0)
    {
      detail = g_strdup_printf ("memfd: %s", g_strerror (errno));
      if (fd >= 0)
        close (fd);
      ippDelete (request);
      return fail (error, KIOSK_PRINTER_ERROR_FAILED, _("The receipt could not be printed."), detail);
    }
  response = cupsDoIORequest (http, request, resource, fd, -1);
  close (fd);
  if (response == NULL || cupsLastError () > IPP_STATUS_OK_CONFLICTING)
    {
      ipp_status_t ipp_status = cupsLastError ();

      ippDelete (response);
      detail = g_strdup_printf ("queue %s: print job: %s", queue, cupsLastErrorString ());
      if (ipp_status == IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS)
        return fail (error, KIOSK_PRINTER_ERROR_OFFLINE, _("The receipt printer is offline."), detail);
      return fail (error, KIOSK_PRINTER_ERROR_FAILED, _("The receipt could not be printed."), detail);
    }
  attribute = ippFindAttribute (response, "job-id", IPP_TAG_INTEGER);
  job = attribute != NULL ? ippGetInteger (attribute, 0) : 0;
  ippDelete (response);
  g_debug ("receipt sent to CUPS queue %s as job %d", queue, job);
  return TRUE;
}

/* ------------------------------------------------------------ ESC/POS */

typedef struct {
  GSocketClient     *client;
  GSocketConnection *connection;
  GSocket           *socket;    /* owned by connection */
  int                fd;        /* device; -1 for TCP */
  gboolean           readable;  /* the device can answer */
  guint              timeout_ms;
} Channel;

static void
channel_close (Channel *channel)
{
  if (channel->connection != NULL)
    g_io_stream_close (G_IO_STREAM (channel->connection), NULL, NULL);
  g_clear_object (&channel->connection);
  g_clear_object (&channel->client);
  if (channel->fd >= 0)
    close (channel->fd);
  channel->fd = -1;
}

static gboolean
dropped (GError **error, const char *detail)
{
  return fail (error, KIOSK_PRINTER_ERROR_FAILED,
               _("The connection to the receipt printer broke off; the receipt is incomplete."), detail);
}

static gboolean
gio_failure (GError **error, GError *io_error)
{
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return fail (error, KIOSK_PRINTER_ERROR_CANCELLED, _("Printing was cancelled."), NULL);
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return fail (error, KIOSK_PRINTER_ERROR_TIMED_OUT, _("The receipt printer did not respond in time."),
                 io_error->message);
  return dropped (error, io_error->message);
}

static gboolean
channel_open (KioskPrinter *printer, Channel *channel, GCancellable *cancellable, GError **error)
{
  memset (channel, 0, sizeof *channel);
  channel->fd = -1;
  channel->timeout_ms = printer->timeout * 1000;

  if (printer->device_is_tcp)
    {
      g_autoptr(GError) local_error = NULL;

      channel->client = g_socket_client_new ();
      g_socket_client_set_timeout (channel->client, printer->timeout);
      channel->connection = g_socket_client_connect_to_uri (channel->client, printer->device, 9100,
                                                            cancellable, &local_error);
      if (channel->connection == NULL)
        {
          channel_close (channel);
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return fail (error, KIOSK_PRINTER_ERROR_CANCELLED, _("Printing was cancelled."), NULL);
          return fail (error, KIOSK_PRINTER_ERROR_OFFLINE, _("The receipt printer is offline."),
                       local_error->message);
        }
      channel->socket = g_socket_connection_get_socket (channel->connection);
      g_socket_set_timeout (channel->socket, printer->timeout);
      channel->readable = TRUE;
      return TRUE;
    }
  else
    {
      struct stat info;
      int saved;

      channel->fd = open (printer->device, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      if (channel->fd >= 0)
        channel->readable = TRUE;
      else
        channel->fd = open (printer->device, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      saved = errno;
      if (channel->fd < 0)
        {
          g_autofree char *detail = g_strdup_printf ("%s: %s", printer->device, g_strerror (saved));
          return fail (error, KIOSK_PRINTER_ERROR_OFFLINE, _("The receipt printer is offline."), detail);
        }
      /* A FIFO opened read-write would read back our own bytes as
       * "status"; holding its read end also means no SIGPIPE. */
      if (fstat (channel->fd, &info) == 0 && S_ISFIFO (info.st_mode))
        channel->readable = FALSE;
      if (fstat (channel->fd, &info) == 0 && S_ISREG (info.st_mode))
        {
          /* a plain file stands in for a device: it cannot answer */
          channel->readable = FALSE;
          if (ftruncate (channel->fd, 0) != 0)
            {
              g_autofree char *detail = g_strdup_printf ("%s: %s", printer->device, g_strerror (errno));
              channel_close (channel);
              return fail (error, KIOSK_PRINTER_ERROR_FAILED, _("The receipt could not be printed."), detail);
            }
        }
      return TRUE;
    }
}

static int
poll_fd (Channel *channel, short events, guint timeout_ms, GCancellable *cancellable)
{
  GPollFD fds[2] = { { channel->fd, (gushort) events, 0 } };
  guint n = 1;
  int result;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &fds[1]))
    n = 2;
  do
    result = g_poll (fds, n, (int) timeout_ms);
  while (result < 0 && errno == EINTR);
  if (n == 2)
    g_cancellable_release_fd (cancellable);
  if (result > 0 && n == 2 && fds[1].revents != 0)
    return -2;
  if (result > 0 && (fds[0].revents & (G_IO_ERR | G_IO_HUP | G_IO_NVAL)) && !(fds[0].revents & events))
    return -3;
  return result;
}

static gboolean
channel_write_all (Channel *channel, const guint8 *data, gsize length,
                   GCancellable *cancellable, GError **error)
{
  if (channel->socket != NULL)
    {
      while (length > 0)
        {
          g_autoptr(GError) local_error = NULL;
          gssize written = g_socket_send (channel->socket, (const char *) data, length,
                                          cancellable, &local_error);
          if (written < 0)
            return gio_failure (error, local_error);
          data += written;
          length -= (gsize) written;
        }
      return TRUE;
    }

  while (length > 0)
    {
      ssize_t written = write (channel->fd, data, length);
      if (written < 0 && (errno == EAGAIN || errno == EINTR))
        {
          int ready = poll_fd (channel, G_IO_OUT, channel->timeout_ms, cancellable);
          if (ready == -2)
            return fail (error, KIOSK_PRINTER_ERROR_CANCELLED, _("Printing was cancelled."), NULL);
          if (ready == 0)
            return fail (error, KIOSK_PRINTER_ERROR_TIMED_OUT,
                         _("The receipt printer did not respond in time."), "device write timed out");
          if (ready < 0)
            return dropped (error, "device hung up");
          continue;
        }
      if (written < 0)
        return dropped (error, g_strerror (errno));
      data += written;
      length -= (gsize) written;
    }
  return TRUE;
}

/* One answer byte: ≥ 0 the byte, -1 no answer in time (not an error),
 * -2 the connection is gone (@error set). */
static int
channel_read_byte (Channel *channel, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  guint8 byte = 0;

  if (!channel->readable)
    return -1;
  if (channel->socket != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      gssize received;

      if (!g_socket_condition_timed_wait (channel->socket, G_IO_IN, (gint64) timeout_ms * 1000,
                                          cancellable, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            return -1;
          gio_failure (error, local_error);
          return -2;
        }
      received = g_socket_receive (channel->socket, (char *) &byte, 1, cancellable, &local_error);
      if (received < 0)
        {
          gio_failure (error, local_error);
          return -2;
        }
      if (received == 0)
        {
          dropped (error, "the printer closed the connection");
          return -2;
        }
      return byte;
    }
  else
    {
      int ready = poll_fd (channel, G_IO_IN, timeout_ms, cancellable);
      ssize_t received;

      if (ready == 0)
        return -1;
      if (ready == -2)
        {
          fail (error, KIOSK_PRINTER_ERROR_CANCELLED, _("Printing was cancelled."), NULL);
          return -2;
        }
      if (ready < 0)
        {
          dropped (error, "device hung up");
          return -2;
        }
      received = read (channel->fd, &byte, 1);
      if (received == 1)
        return byte;
      if (received < 0 && errno == EAGAIN)
        return -1;
      /* a device that cannot be read does not answer; not an error */
      channel->readable = FALSE;
      return -1;
    }
}

/* Discards answers already waiting (stray status bytes). */
static gboolean
channel_drain (Channel *channel, GCancellable *cancellable, GError **error)
{
  for (guint i = 0; i < 64; i++)
    {
      int byte = channel_read_byte (channel, 0, cancellable, error);
      if (byte == -2)
        return FALSE;
      if (byte == -1)
        return TRUE;
    }
  return TRUE;
}

/* DLE EOT 1, 2, 4. Returns FALSE only when the connection is gone. */
static gboolean
escpos_query (Channel *channel, KioskPrinterStatus **status, GCancellable *cancellable, GError **error)
{
  int answers[3] = { -1, -1, -1 };
  static const guint8 requests[3] = { 1, 2, 4 };
  char detail[64];

  if (!channel->readable)
    {
      *status = status_new (KIOSK_PRINTER_STATE_UNKNOWN, "the device does not answer");
      return TRUE;
    }
  if (!channel_drain (channel, cancellable, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      guint8 command[3] = { 0x10, 0x04, requests[i] };

      if (!channel_write_all (channel, command, sizeof command, cancellable, error))
        return FALSE;
      answers[i] = channel_read_byte (channel, MIN (channel->timeout_ms, STATUS_TIMEOUT_MS),
                                      cancellable, error);
      if (answers[i] == -2)
        return FALSE;
      if (answers[i] == -1)
        break;   /* it does not answer: do not wait three times */
    }
  g_snprintf (detail, sizeof detail, "DLE EOT answers %d %d %d", answers[0], answers[1], answers[2]);
  *status = status_new (_kiosk_printer_state_from_dle_eot (answers[0], answers[1], answers[2]), detail);
  return TRUE;
}

static gboolean
escpos_print (KioskPrinter  *printer,
              GBytes        *document,
              GCancellable  *cancellable,
              GError       **error)
{
  Channel channel;
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (document, &length);
  gboolean ok = FALSE;

  if (!channel_open (printer, &channel, cancellable, error))
    return FALSE;

  if (printer->query_status)
    {
      g_autoptr(KioskPrinterStatus) status = NULL;

      if (!escpos_query (&channel, &status, cancellable, error))
        goto out;
      if (!kiosk_printer_state_can_print (status->state))
        {
          fail (error, state_error (status->state), status->message, status->detail);
          goto out;
        }
    }
  if (!channel_write_all (&channel, data, length, cancellable, error))
    goto out;

  /* A printer that went away while the stream was in the socket buffers
   * shows up only now: ask again (or, without status, watch for the
   * connection closing for a moment). */
  if (printer->query_status)
    {
      g_autoptr(KioskPrinterStatus) status = NULL;

      if (!escpos_query (&channel, &status, cancellable, error))
        goto out;
      if (status->state == KIOSK_PRINTER_STATE_OUT_OF_PAPER || status->state == KIOSK_PRINTER_STATE_COVER_OPEN)
        {
          fail (error, state_error (status->state), status->message, status->detail);
          goto out;
        }
    }
  else if (channel.socket != NULL && channel_read_byte (&channel, 200, cancellable, error) == -2)
    goto out;
  ok = TRUE;

out:
  channel_close (&channel);
  return ok;
}

/* ------------------------------------------------------------ public */

KioskPrinterStatus *
kiosk_printer_query_status (KioskPrinter  *printer,
                            GCancellable  *cancellable)
{
  g_return_val_if_fail (printer != NULL, NULL);

  switch (printer->kind)
    {
    case KIOSK_PRINTER_KIND_FILE:
      return status_new (KIOSK_PRINTER_STATE_READY, printer->path);

    case KIOSK_PRINTER_KIND_CUPS:
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(CupsHttp) http = cups_connect (printer, &error);
        g_autofree char *queue = NULL;

        if (http == NULL)
          return status_new (KIOSK_PRINTER_STATE_OFFLINE, error->message);
        queue = cups_queue (printer, http, &error);
        if (queue == NULL)
          return status_new (KIOSK_PRINTER_STATE_NOT_CONFIGURED, error->message);
        return cups_status (printer, http, queue);
      }

    case KIOSK_PRINTER_KIND_ESCPOS:
      {
        g_autoptr(GError) error = NULL;
        KioskPrinterStatus *status = NULL;
        Channel channel;

        if (!channel_open (printer, &channel, cancellable, &error))
          return status_new (KIOSK_PRINTER_STATE_OFFLINE, error->message);
        if (!escpos_query (&channel, &status, cancellable, &error))
          status = status_new (KIOSK_PRINTER_STATE_OFFLINE, error->message);
        channel_close (&channel);
        return status;
      }

    case KIOSK_PRINTER_KIND_NONE:
    default:
      return status_new (KIOSK_PRINTER_STATE_NOT_CONFIGURED, NULL);
    }
}

/* ------------------------------------------------------------ output files */

#define OUTPUT_WRITE_TIMEOUT_MS 30000

/* Writes to a device or FIFO as it is (a raw printer is used this way):
 * never created, truncated or replaced. */
static gboolean
write_direct (const char  *path,
              const guint8 *data,
              gsize        length,
              GError     **error)
{
  struct stat st;
  gsize done = 0;
  int fd = open (path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

  if (fd < 0)
    {
      int saved = errno;

      if (saved == ENXIO)
        g_set_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_OFFLINE,
                     "%s: no program reads this FIFO (or the device is not there)", path);
      else
        g_set_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED,
                     "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  /* what was opened must still be a device or FIFO: never write into the
   * middle of a regular file that took its place */
  if (fstat (fd, &st) != 0 || !(S_ISCHR (st.st_mode) || S_ISFIFO (st.st_mode)))
    {
      close (fd);
      g_set_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED,
                   "%s changed while it was opened; try again", path);
      return FALSE;
    }
  while (done < length)
    {
      ssize_t n = write (fd, data + done, length - done);

      if (n > 0)
        {
          done += (gsize) n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          struct pollfd pfd = { .fd = fd, .events = POLLOUT };
          int ready = poll (&pfd, 1, OUTPUT_WRITE_TIMEOUT_MS);

          if (ready > 0 || (ready < 0 && errno == EINTR))
            continue;
          close (fd);
          g_set_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_TIMED_OUT,
                       "%s did not take the data within %d s", path, OUTPUT_WRITE_TIMEOUT_MS / 1000);
          return FALSE;
        }
      {
        int saved = n < 0 ? errno : EIO;

        close (fd);
        g_set_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED,
                     "%s: %s", path, g_strerror (saved));
        return FALSE;
      }
    }
  if (close (fd) != 0 && errno != EINTR)
    {
      int saved = errno;

      g_set_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED,
                   "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
kiosk_printer_write_output (const char    *path,
                            const void    *data,
                            gsize          length,
                            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  struct stat st;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (lstat (path, &st) != 0)
    {
      int saved = errno;

      if (saved != ENOENT)
        {
          g_set_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED,
                       "%s: %s", path, g_strerror (saved));
          return FALSE;
        }
    }
  else if (S_ISLNK (st.st_mode))
    {
      struct stat target;

      /* a link to a printer device (a udev name such as
       * /dev/receipt-printer) is written through; any other link is left
       * alone: neither it nor what it points to is replaced */
      if (stat (path, &target) == 0 && (S_ISCHR (target.st_mode) || S_ISFIFO (target.st_mode)))
        return write_direct (path, data, length, error);
      g_set_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED,
                   "%s is a symbolic link; it is neither replaced nor followed to a file: "
                   "give the path of the file itself (or remove the link)", path);
      return FALSE;
    }
  else if (S_ISCHR (st.st_mode) || S_ISFIFO (st.st_mode))
    return write_direct (path, data, length, error);
  else if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED,
                   "%s is %s; give the path of a file, a printer device or a FIFO",
                   path, kiosk_file_describe_type (st.st_mode));
      return FALSE;
    }

  /* A regular file (or none yet): a temporary file renamed over it, so
   * that a reader never sees half a receipt. */
  if (!g_file_set_contents_full (path, data, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, &local_error))
    {
      g_set_error (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_FAILED,
                   "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
kiosk_printer_send (KioskPrinter  *printer,
                    GBytes        *document,
                    const char    *title,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (printer != NULL, FALSE);
  g_return_val_if_fail (document != NULL, FALSE);

  if (!check_cancelled (cancellable, error))
    return FALSE;
  switch (printer->kind)
    {
    case KIOSK_PRINTER_KIND_FILE:
      {
        g_autoptr(GError) local_error = NULL;
        gsize length = 0;
        const char *data = g_bytes_get_data (document, &length);

        if (!kiosk_printer_write_output (printer->path, data, length, &local_error))
          return fail (error, local_error->code == KIOSK_PRINTER_ERROR_TIMED_OUT
                              ? KIOSK_PRINTER_ERROR_TIMED_OUT : KIOSK_PRINTER_ERROR_FAILED,
                       _("The receipt could not be printed."), local_error->message);
        return TRUE;
      }
    case KIOSK_PRINTER_KIND_CUPS:
      return cups_print (printer, document, title != NULL ? title : "Antragskiosk", cancellable, error);
    case KIOSK_PRINTER_KIND_ESCPOS:
      return escpos_print (printer, document, cancellable, error);
    case KIOSK_PRINTER_KIND_NONE:
    default:
      return fail (error, KIOSK_PRINTER_ERROR_NOT_CONFIGURED, _("No receipt printer is set up."), NULL);
    }
}

gboolean
kiosk_printer_print (KioskPrinter        *printer,
                     const KioskReceipt  *receipt,
                     GCancellable        *cancellable,
                     GError             **error)
{
  g_autoptr(GBytes) document = NULL;
  g_autoptr(GError) render_error = NULL;
  g_autofree char *title = NULL;
  KioskReceiptFormat format;

  g_return_val_if_fail (printer != NULL, FALSE);
  g_return_val_if_fail (receipt != NULL, FALSE);

  switch (printer->kind)
    {
    case KIOSK_PRINTER_KIND_FILE:
      format = printer->file_format;
      break;
    case KIOSK_PRINTER_KIND_CUPS:
      format = KIOSK_RECEIPT_FORMAT_PDF;
      break;
    case KIOSK_PRINTER_KIND_ESCPOS:
      format = KIOSK_RECEIPT_FORMAT_ESCPOS;
      break;
    case KIOSK_PRINTER_KIND_NONE:
    default:
      return fail (error, KIOSK_PRINTER_ERROR_NOT_CONFIGURED, _("No receipt printer is set up."), NULL);
    }
  document = kiosk_receipt_render (receipt, format, printer->paper, &printer->escpos, &render_error);
  if (document == NULL)
    return fail (error, KIOSK_PRINTER_ERROR_FAILED, _("The receipt could not be printed."),
                 render_error->message);
  /* The job title is the public reference: nothing personal. */
  title = g_strconcat ("Antragskiosk ", receipt->reference, NULL);
  return kiosk_printer_send (printer, document, title, cancellable, error);
}

typedef struct {
  KioskPrinter *printer;
  KioskReceipt *receipt;
} PrintData;

static void
print_data_free (PrintData *data)
{
  kiosk_receipt_free (data->receipt);
  g_free (data);
}

static void
print_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PrintData *data = task_data;
  GError *error = NULL;

  if (kiosk_printer_print (data->printer, data->receipt, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
kiosk_printer_print_async (KioskPrinter        *printer,
                           const KioskReceipt  *receipt,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PrintData *data;

  g_return_if_fail (printer != NULL);
  g_return_if_fail (receipt != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiosk_printer_print_async);
  g_task_set_return_on_cancel (task, FALSE);
  data = g_new0 (PrintData, 1);
  data->printer = printer;
  data->receipt = kiosk_receipt_copy (receipt);
  g_task_set_task_data (task, data, (GDestroyNotify) print_data_free);
  g_task_run_in_thread (task, print_thread);
}

gboolean
kiosk_printer_print_finish (KioskPrinter  *printer,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
