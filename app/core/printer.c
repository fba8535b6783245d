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

#include <antragskiosk/file.h>
#include <antragskiosk/printer.h>

#include "printer-private.h"

G_DEFINE_QUARK (kiosk-printer-error-quark, kiosk_printer_error)

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

KioskPrinterError
_kiosk_printer_state_error (KioskPrinterState state)
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

KioskPrinterStatus *
_kiosk_printer_status_new (KioskPrinterState state, const char *detail)
{
  KioskPrinterStatus *status = g_new0 (KioskPrinterStatus, 1);

  status->state = state;
  status->message = g_strdup (state_message (state));
  status->detail = g_strdup (detail);
  return status;
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

gboolean
_kiosk_printer_fail (GError **error, KioskPrinterError code, const char *message, const char *detail)
{
  /* The detail names hosts, queues, system errors: nothing personal. */
  if (detail != NULL)
    g_message ("printer: %s (%s)", message, detail);
  g_set_error_literal (error, KIOSK_PRINTER_ERROR, code, message);
  return FALSE;
}

gboolean
_kiosk_printer_check_cancelled (GCancellable *cancellable, GError **error)
{
  if (g_cancellable_is_cancelled (cancellable))
    return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_CANCELLED, _("Printing was cancelled."), NULL);
  return TRUE;
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
      return _kiosk_printer_status_new (KIOSK_PRINTER_STATE_READY, printer->path);

    case KIOSK_PRINTER_KIND_CUPS:
      return _kiosk_printer_cups_query_status (printer);

    case KIOSK_PRINTER_KIND_ESCPOS:
      return _kiosk_printer_escpos_query_status (printer, cancellable);

    case KIOSK_PRINTER_KIND_NONE:
    default:
      return _kiosk_printer_status_new (KIOSK_PRINTER_STATE_NOT_CONFIGURED, NULL);
    }
}

/* ------------------------------------------------------------ output files */

#define OUTPUT_WRITE_TIMEOUT_MS 30000

/* Writes to a device or FIFO as it is (a raw printer is used this way):
 * never created, truncated or replaced. */
static gboolean
write_direct (const char    *path,
              const guint8  *data,
              gsize          length,
              GError       **error)
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

  if (!_kiosk_printer_check_cancelled (cancellable, error))
    return FALSE;
  switch (printer->kind)
    {
    case KIOSK_PRINTER_KIND_FILE:
      {
        g_autoptr(GError) local_error = NULL;
        gsize length = 0;
        const char *data = g_bytes_get_data (document, &length);

        if (!kiosk_printer_write_output (printer->path, data, length, &local_error))
          return _kiosk_printer_fail (error, local_error->code == KIOSK_PRINTER_ERROR_TIMED_OUT
                                             ? KIOSK_PRINTER_ERROR_TIMED_OUT : KIOSK_PRINTER_ERROR_FAILED,
                                      _("The receipt could not be printed."), local_error->message);
        return TRUE;
      }
    case KIOSK_PRINTER_KIND_CUPS:
      return _kiosk_printer_cups_print (printer, document, title != NULL ? title : "Antragskiosk", cancellable, error);
    case KIOSK_PRINTER_KIND_ESCPOS:
      return _kiosk_printer_escpos_print (printer, document, cancellable, error);
    case KIOSK_PRINTER_KIND_NONE:
    default:
      return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_NOT_CONFIGURED, _("No receipt printer is set up."), NULL);
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
      return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_NOT_CONFIGURED, _("No receipt printer is set up."), NULL);
    }
  document = kiosk_receipt_render (receipt, format, printer->paper, &printer->escpos, &render_error);
  if (document == NULL)
    return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_FAILED, _("The receipt could not be printed."),
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
