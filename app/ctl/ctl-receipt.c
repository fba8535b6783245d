/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include <antragskiosk/config.h>
#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>
#include <antragskiosk/printer.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/receipt.h>
#include <antragskiosk/receipt-item.h>

#include "ctl-private.h"

/* receipt REF: renders the receipt of a queued or sent application, as the
 * kiosk printed it, to a file (--output) or to the configured printer
 * (--print: a reprint). Nothing personal is read: the queue's plain
 * columns (reference, form, state, time) are enough. */

int
_kiosk_ctl_receipt (int argc, char **argv)
{
  g_autofree char *opt_config = NULL;
  g_autofree char *opt_format = NULL;
  g_autofree char *opt_paper = NULL;
  g_autofree char *opt_output = NULL;
  g_autofree char *opt_lang = NULL;
  gboolean opt_print = FALSE;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &opt_format, "pdf, png or escpos", "FORMAT" },
    { "paper", 0, 0, G_OPTION_ARG_STRING, &opt_paper, "58, 80 or a4 (default: [printer] paper, else 80)", "PAPER" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
      "Write the receipt to FILE (replaced atomically), or straight to a device or FIFO such as /dev/usb/lp0", "FILE" },
    { "print", 0, 0, G_OPTION_ARG_NONE, &opt_print, "Send it to the configured printer instead (a reprint)", NULL },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &opt_lang, "Language of the receipt (default de)", "LANG" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config, "Use FILE (and FILE.d/*.conf) as the configuration", "FILE" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(KioskCatalog) catalog = NULL;
  g_autoptr(KioskPrinter) printer = NULL;
  g_autoptr(KioskReceiptOptions) options = NULL;
  g_autoptr(KioskReceipt) receipt = NULL;
  KioskQueueItem *item = NULL;
  KioskReceiptFormat format = KIOSK_RECEIPT_FORMAT_PDF;
  KioskPaper paper;
  int status = 1;

  if (!_kiosk_ctl_parse_options (&argc, &argv, "REF",
                                 "Render the receipt of a queued or sent application (docs/receipts.md): "
                                 "to FILE with --output, or to the configured printer with --print.",
                                 entries))
    return 2;
  if (argc != 2)
    {
      _kiosk_ctl_error ("receipt takes one reference (try 'receipt --help')");
      return 2;
    }
  if ((opt_output == NULL) == !opt_print)
    {
      _kiosk_ctl_error ("receipt needs either --output FILE or --print (try 'receipt --help')");
      return 2;
    }
  if (opt_output != NULL)
    {
      if (opt_format == NULL || g_str_equal (opt_format, "pdf"))
        format = KIOSK_RECEIPT_FORMAT_PDF;
      else if (g_str_equal (opt_format, "png"))
        format = KIOSK_RECEIPT_FORMAT_PNG;
      else if (g_str_equal (opt_format, "escpos"))
        format = KIOSK_RECEIPT_FORMAT_ESCPOS;
      else
        {
          _kiosk_ctl_error ("--format must be pdf, png or escpos (try 'receipt --help')");
          return 2;
        }
    }
  if (opt_paper != NULL && !kiosk_paper_from_string (opt_paper, &paper))
    {
      _kiosk_ctl_error ("--paper must be 58, 80 or a4 (try 'receipt --help')");
      return 2;
    }
  if (opt_paper != NULL && format == KIOSK_RECEIPT_FORMAT_ESCPOS && paper == KIOSK_PAPER_A4)
    {
      _kiosk_ctl_error ("ESC/POS receipts are for 58 or 80 mm paper (try 'receipt --help')");
      return 2;
    }

  kiosk_i18n_set_language (opt_lang != NULL ? opt_lang : "de");

  config = kiosk_config_load (opt_config, NULL, &error);
  if (config == NULL)
    {
      _kiosk_ctl_error ("the configuration cannot be used: %s (antragskiosk-ctl check-config says more)",
                        error->message);
      return 1;
    }
  /* the [receipt] settings are checked before anything else is opened */
  options = kiosk_receipt_options_new_from_config (config, &error);
  if (options == NULL)
    {
      _kiosk_ctl_error ("%s", error->message);
      return 1;
    }
  printer = kiosk_printer_new_from_config (config, &error);
  if (printer == NULL)
    {
      _kiosk_ctl_error ("%s", error->message);
      return 1;
    }
  if (opt_paper == NULL)
    {
      paper = kiosk_printer_get_paper (printer);
      if (format == KIOSK_RECEIPT_FORMAT_ESCPOS && paper == KIOSK_PAPER_A4)
        paper = KIOSK_PAPER_80MM;
    }

  queue = kiosk_queue_open (config->data_dir, KIOSK_QUEUE_OPEN_READ_ONLY, &error);
  if (queue == NULL)
    {
      _kiosk_ctl_error ("the queue in %s cannot be opened: %s", config->data_dir, error->message);
      return 1;
    }
  item = kiosk_queue_get (queue, argv[1], &error);
  if (item == NULL)
    {
      _kiosk_ctl_error ("%s", error->message);
      return 1;
    }

  /* without a catalog the receipt names the form by its id */
  catalog = kiosk_catalog_new_for_config (config, FALSE, NULL);
  receipt = kiosk_receipt_new_for_item (item, catalog, config, NULL, &error);
  if (receipt == NULL)
    {
      _kiosk_ctl_error ("%s", error->message);
      goto out;
    }

  if (opt_print)
    {
      if (!kiosk_printer_print (printer, receipt, NULL, &error))
        {
          _kiosk_ctl_error ("%s", error->message);
          goto out;
        }
      printf ("%s: sent to the printer\n", receipt->reference_display);
    }
  else
    {
      g_autoptr(GBytes) bytes = kiosk_receipt_render (receipt, format, paper,
                                                      kiosk_printer_get_escpos_options (printer), &error);
      gsize length = 0;
      const void *data;

      if (bytes == NULL)
        {
          _kiosk_ctl_error ("%s", error->message);
          goto out;
        }
      /* a regular file atomically; a device or FIFO (a raw printer)
       * directly, never replaced; a symbolic link to a file refused */
      data = g_bytes_get_data (bytes, &length);
      if (!kiosk_printer_write_output (opt_output, data, length, &error))
        {
          _kiosk_ctl_error ("the receipt was not written: %s", error->message);
          goto out;
        }
    }
  status = 0;

out:
  kiosk_queue_item_free (item);
  return status;
}
