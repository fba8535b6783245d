/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-receipt"

/* The receipt of a queued application (receipt-item.h): what the kiosk,
 * the clerk panel and antragskiosk-ctl print, built in one place. */

#include "config.h"

#include <glib.h>

#include <antragskiosk/receipt-item.h>

KioskReceiptState
kiosk_receipt_state_for_queue (KioskQueueState state)
{
  switch (state)
    {
    case KIOSK_QUEUE_STATE_SUBMITTED:
    case KIOSK_QUEUE_STATE_ACCEPTED:
    case KIOSK_QUEUE_STATE_REJECTED:
      return KIOSK_RECEIPT_STATE_TRANSMITTED;
    case KIOSK_QUEUE_STATE_FAILED:
      return KIOSK_RECEIPT_STATE_FAILED;
    case KIOSK_QUEUE_STATE_DELETED:
      return KIOSK_RECEIPT_STATE_DELETED;
    case KIOSK_QUEUE_STATE_QUEUED:
    case KIOSK_QUEUE_STATE_CREATED:
    default:
      return KIOSK_RECEIPT_STATE_QUEUED;
    }
}

KioskReceipt *
kiosk_receipt_new_for_item (const KioskQueueItem  *item,
                            KioskCatalog          *catalog,
                            const KioskConfig     *config,
                            const char            *lang,
                            GError               **error)
{
  g_autoptr(KioskReceiptOptions) options = NULL;
  g_autoptr(GDateTime) created = NULL;
  KioskForm *form;
  const char *title = NULL;

  g_return_val_if_fail (item != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  options = kiosk_receipt_options_new_from_config (config, error);
  if (options == NULL)
    return NULL;
  /* the form's title in the receipt's language; its id if the form is gone */
  form = catalog != NULL ? kiosk_catalog_lookup (catalog, item->form_id) : NULL;
  if (form != NULL)
    title = kiosk_text_get (form->title, lang);
  if (title == NULL)
    title = item->form_id;
  created = g_date_time_new_from_unix_local (item->created_ms / 1000);
  return kiosk_receipt_new (item->reference, title, created, config->location,
                            kiosk_receipt_state_for_queue (item->state), options, error);
}
