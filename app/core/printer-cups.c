/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-printer"

/* Receipts through CUPS: the queue's state over IPP, and one Print-Job
 * request per receipt (printer-private.h). */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include <cups/cups.h>
#include <cups/ipp.h>

#include "printer-private.h"

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
      _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_OFFLINE, _("The receipt printer is offline."), detail);
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
      _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_CONFIG, _("No receipt printer is set up."),
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
      result_status = _kiosk_printer_status_new (status == IPP_STATUS_ERROR_NOT_FOUND ? KIOSK_PRINTER_STATE_NOT_CONFIGURED
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
  return _kiosk_printer_status_new (result, detail);
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

gboolean
_kiosk_printer_cups_print (KioskPrinter  *printer,
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
    return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_CONFIG, _("No receipt printer is set up."), status->detail);
  if (!kiosk_printer_state_can_print (status->state))
    return _kiosk_printer_fail (error, _kiosk_printer_state_error (status->state), status->message, status->detail);
  if (!_kiosk_printer_check_cancelled (cancellable, error))
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
      return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_FAILED, _("The receipt could not be printed."), detail);
    }
  response = cupsDoIORequest (http, request, resource, fd, -1);
  close (fd);
  if (response == NULL || cupsLastError () > IPP_STATUS_OK_CONFLICTING)
    {
      ipp_status_t ipp_status = cupsLastError ();

      ippDelete (response);
      detail = g_strdup_printf ("queue %s: print job: %s", queue, cupsLastErrorString ());
      if (ipp_status == IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS)
        return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_OFFLINE, _("The receipt printer is offline."), detail);
      return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_FAILED, _("The receipt could not be printed."), detail);
    }
  attribute = ippFindAttribute (response, "job-id", IPP_TAG_INTEGER);
  job = attribute != NULL ? ippGetInteger (attribute, 0) : 0;
  ippDelete (response);
  g_debug ("receipt sent to CUPS queue %s as job %d", queue, job);
  return TRUE;
}

/* The state of the configured CUPS queue. */
KioskPrinterStatus *
_kiosk_printer_cups_query_status (KioskPrinter *printer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CupsHttp) http = cups_connect (printer, &error);
  g_autofree char *queue = NULL;

  if (http == NULL)
    return _kiosk_printer_status_new (KIOSK_PRINTER_STATE_OFFLINE, error->message);
  queue = cups_queue (printer, http, &error);
  if (queue == NULL)
    return _kiosk_printer_status_new (KIOSK_PRINTER_STATE_NOT_CONFIGURED, error->message);
  return cups_status (printer, http, queue);
}
