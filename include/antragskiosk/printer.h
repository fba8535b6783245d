/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <antragskiosk/config.h>
#include <antragskiosk/receipt.h>

G_BEGIN_DECLS

/* The receipt printer (docs/receipts.md), configured in the [printer]
 * group:
 *
 *   kind      = none | file | cups | escpos       (default none)
 *   paper     = 58 | 80 | a4                      (default 80; escpos: 58 or 80)
 *   timeout   = seconds for connecting and each write (default 10)
 *   # file
 *   path      = /path/receipt.pdf                 (format from the extension:
 *   format    = pdf | png | escpos                 .png, .bin/.escpos, else pdf)
 *   # cups: the PDF goes to a named queue, without a dialog
 *   queue     = NAME                              (default: the CUPS default)
 *   server    = HOST[:PORT] or a socket path      (default: CUPS' own choice)
 *   # escpos: raw ESC/POS to a device or a TCP port
 *   device    = /dev/usb/lp0 | tcp://HOST:9100
 *   native_qr = false                             (GS ( k instead of a raster)
 *   codepage  = cp858 | ascii
 *   query_status = true                           (DLE EOT before and after)
 *
 * Printing blocks for at most about twice the timeout; call it from a
 * worker thread (or use the _async variant) — never from the GTK main
 * thread; the printer must outlive the async call. A failed print never stops a submission: callers show the error
 * and keep the receipt for a reprint. Messages are translated for the
 * visitor's screen. */

#define KIOSK_PRINTER_ERROR (kiosk_printer_error_quark ())
GQuark kiosk_printer_error_quark (void);

typedef enum {
  KIOSK_PRINTER_ERROR_NOT_CONFIGURED, /* kind = none */
  KIOSK_PRINTER_ERROR_CONFIG,         /* [printer] group unusable */
  KIOSK_PRINTER_ERROR_OFFLINE,        /* cannot be reached, stopped, not accepting */
  KIOSK_PRINTER_ERROR_OUT_OF_PAPER,
  KIOSK_PRINTER_ERROR_COVER_OPEN,
  KIOSK_PRINTER_ERROR_FAILED,         /* the job broke off (connection dropped, refused) */
  KIOSK_PRINTER_ERROR_TIMED_OUT,
  KIOSK_PRINTER_ERROR_CANCELLED,
} KioskPrinterError;

typedef enum {
  KIOSK_PRINTER_KIND_NONE,
  KIOSK_PRINTER_KIND_FILE,
  KIOSK_PRINTER_KIND_CUPS,
  KIOSK_PRINTER_KIND_ESCPOS,
} KioskPrinterKind;

typedef enum {
  KIOSK_PRINTER_STATE_UNKNOWN,        /* the printer does not say */
  KIOSK_PRINTER_STATE_READY,
  KIOSK_PRINTER_STATE_PRINTING,
  KIOSK_PRINTER_STATE_PAPER_LOW,      /* works, but paper will run out soon */
  KIOSK_PRINTER_STATE_OFFLINE,
  KIOSK_PRINTER_STATE_OUT_OF_PAPER,
  KIOSK_PRINTER_STATE_COVER_OPEN,
  KIOSK_PRINTER_STATE_ERROR,
  KIOSK_PRINTER_STATE_NOT_CONFIGURED,
} KioskPrinterState;

typedef struct {
  KioskPrinterState  state;
  char              *message;  /* for the screen (translated) */
  char              *detail;   /* for the clerk panel/logs: raw reasons, may be NULL */
} KioskPrinterStatus;

void          kiosk_printer_status_free (KioskPrinterStatus *status);
/* Whether a receipt can be expected to print in @state. */
gboolean      kiosk_printer_state_can_print (KioskPrinterState state);
/* "ready", "offline", "out-of-paper", … (for status --json) */
const char   *kiosk_printer_state_to_string (KioskPrinterState state);

typedef struct _KioskPrinter KioskPrinter;

/* Reads the [printer] group of @keyfile (NULL or no group: kind none).
 * Returns NULL with KIOSK_PRINTER_ERROR_CONFIG naming the key to fix. */
KioskPrinter *kiosk_printer_new              (GKeyFile      *keyfile,
                                              GError       **error);
/* The same from the loaded configuration; a relative path (kind = file)
 * is relative to the file that set it. */
KioskPrinter *kiosk_printer_new_from_config  (const KioskConfig *config,
                                              GError           **error);
void          kiosk_printer_free             (KioskPrinter  *printer);
KioskPrinterKind kiosk_printer_get_kind      (KioskPrinter  *printer);
KioskPaper    kiosk_printer_get_paper        (KioskPrinter  *printer);
/* The ESC/POS choices from the config (for `ctl receipt --format escpos`). */
const KioskEscposOptions *kiosk_printer_get_escpos_options (KioskPrinter *printer);

/* Asks the printer how it is (CUPS: printer-state and
 * printer-state-reasons; ESC/POS: DLE EOT where the printer answers).
 * Never fails: an unreachable printer is STATE_OFFLINE. Blocks up to the
 * timeout. */
KioskPrinterStatus *kiosk_printer_query_status (KioskPrinter  *printer,
                                                GCancellable  *cancellable);

/* Prints @receipt. Returns FALSE with a KIOSK_PRINTER_ERROR whose message a
 * visitor can read (offline, out of paper, connection dropped, …). */
gboolean      kiosk_printer_print            (KioskPrinter        *printer,
                                              const KioskReceipt  *receipt,
                                              GCancellable        *cancellable,
                                              GError             **error);
/* The same in a worker thread; @receipt is copied. */
void          kiosk_printer_print_async      (KioskPrinter        *printer,
                                              const KioskReceipt  *receipt,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean      kiosk_printer_print_finish     (KioskPrinter        *printer,
                                              GAsyncResult        *result,
                                              GError             **error);

/* Sends already rendered bytes (PDF for cups and file, ESC/POS for escpos)
 * — for reprints and tests. */
gboolean      kiosk_printer_send             (KioskPrinter        *printer,
                                              GBytes              *document,
                                              const char          *title,
                                              GCancellable        *cancellable,
                                              GError             **error);

/* Writes @data to @path as a receipt file or a raw printer takes it
 * (`ctl receipt --output`, kind = file):
 *  - a regular file, or none yet: atomically (a temporary file in the same
 *    directory renamed over it, mode 0644 before the umask);
 *  - a character device or a FIFO (/dev/usb/lp0, a pipe to a printer
 *    program): written directly, never replaced or created; a FIFO that no
 *    program reads is an error at once, a device that takes nothing for
 *    30 s times out;
 *  - a symbolic link: written through when it leads to a device or FIFO;
 *    otherwise refused — neither the link nor what it points to is replaced;
 *  - anything else (directory, block device, socket): refused.
 * Returns FALSE with a KIOSK_PRINTER_ERROR naming @path (technical, in
 * English). */
gboolean      kiosk_printer_write_output     (const char          *path,
                                              const void          *data,
                                              gsize                length,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskPrinter, kiosk_printer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskPrinterStatus, kiosk_printer_status_free)

G_END_DECLS
