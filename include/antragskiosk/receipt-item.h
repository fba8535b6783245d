/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <antragskiosk/config.h>
#include <antragskiosk/form.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/receipt.h>

G_BEGIN_DECLS

/* The receipt of a stored application (docs/receipts.md), the one way the
 * kiosk, the clerk panel's reprint and `antragskiosk-ctl receipt` build
 * it. Kept apart from receipt.h so that the receipt itself needs neither
 * the queue nor the form catalog. */

/* Where a queue state puts an application on its receipt: queued, created
 * and failed are stored here (KIOSK_RECEIPT_STATE_QUEUED); submitted,
 * accepted and rejected have been delivered (_TRANSMITTED). */
KioskReceiptState kiosk_receipt_state_for_queue (KioskQueueState state);

/* Builds the receipt of @item from its plain columns only (reference, form
 * id, time, state; nothing personal): the form's title in @lang (NULL: the
 * current language) from @catalog (NULL, or a form no longer there: the
 * form id), @config's [kiosk] location, its [receipt] options (MAC, status
 * URL) and the item's created_ms as local time. Texts on the receipt are
 * translated with the current locale. Returns NULL with @error set when
 * the [receipt] settings are unusable (KIOSK_RECEIPT_ERROR_CONFIG) or the
 * receipt cannot be built (kiosk_receipt_new()). */
KioskReceipt     *kiosk_receipt_new_for_item    (const KioskQueueItem  *item,
                                                 KioskCatalog          *catalog,
                                                 const KioskConfig     *config,
                                                 const char            *lang,
                                                 GError               **error);

G_END_DECLS
