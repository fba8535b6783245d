/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <antragskiosk/config.h>
#include <antragskiosk/form.h>
#include <antragskiosk/printer.h>
#include <antragskiosk/queue.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_RECEIPT_PAGE (kiosk_receipt_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskReceiptPage, kiosk_receipt_page, KIOSK, RECEIPT_PAGE, GtkBox)

/* The receipt screen: the reference, its QR code, where the application
 * is, how to check its status and whether the receipt was printed.
 * "Done" activates the window's "kiosk.finish". */
KioskReceiptPage *kiosk_receipt_page_new         (void);
/* Shows the receipt of the application @reference, just enqueued in
 * @queue: the same receipt a reprint would give (built from the stored
 * row with @catalog and @config, all borrowed), printed on @printer (may
 * be NULL: no printer) in the background. */
void              kiosk_receipt_page_show        (KioskReceiptPage *self,
                                                  KioskQueue       *queue,
                                                  KioskCatalog     *catalog,
                                                  KioskConfig      *config,
                                                  KioskPrinter     *printer,
                                                  const char       *reference);
/* Reads the application's state from @queue again and says it. */
void              kiosk_receipt_page_update_state (KioskReceiptPage *self,
                                                   KioskQueue       *queue);
/* Forgets the receipt: a print under way is cancelled, every label and
 * the code emptied. */
void              kiosk_receipt_page_clear       (KioskReceiptPage *self);
/* The reference shown, or NULL. */
const char       *kiosk_receipt_page_get_reference (KioskReceiptPage *self);
/* Labels in the current language. */
void              kiosk_receipt_page_retranslate (KioskReceiptPage *self);
/* Puts the focus on "Done". */
void              kiosk_receipt_page_focus_done  (KioskReceiptPage *self);

G_END_DECLS
