/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-receipt-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <antragskiosk/receipt-item.h>
#include <antragskiosk/receipt.h>
#include <antragskiosk/reference.h>

#include "kiosk-receipt-page.h"

struct _KioskReceiptPage {
  GtkBox        parent_instance;
  char         *reference;
  KioskPrinter *printer;           /* borrowed, while a print is under way */
  GCancellable *print_cancellable;
  GtkLabel     *receipt_title;
  GtkLabel     *receipt_state;
  GtkLabel     *receipt_reference;
  GtkPicture   *receipt_qr;
  GtkLabel     *receipt_hint;
  GtkLabel     *receipt_print;
  GtkButton    *receipt_done;
};

G_DEFINE_FINAL_TYPE (KioskReceiptPage, kiosk_receipt_page, GTK_TYPE_BOX)

static void
print_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  KioskReceiptPage *self;

  /* Cancelled when the session ended (or the page went): @user_data
   * may be gone. */
  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    return;
  self = KIOSK_RECEIPT_PAGE (user_data);
  if (kiosk_printer_print_finish (self->printer, result, &error))
    gtk_label_set_label (self->receipt_print, _("Your receipt has been printed. Please take it with you."));
  else
    {
      g_autofree char *text = g_strdup_printf (_("The receipt could not be printed (%s). Please photograph the code or "
                                                 "write down the reference; the counter can print it for you."),
                                               error->message);
      gtk_label_set_label (self->receipt_print, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->receipt_qr), "qr-large");
    }
}

static void
show_qr (KioskReceiptPage *self, const char *payload)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQrCode) qr = kiosk_qr_code_new (payload, &error);
  guint scale, side = 0;
  gsize stride = 0;
  g_autoptr(GBytes) pixels = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  if (qr == NULL)
    return;
  scale = kiosk_qr_code_fit_scale (qr, 360);
  pixels = kiosk_qr_code_render_pixels (qr, scale, KIOSK_PIXEL_RGBA8, &side, &stride);
  texture = gdk_memory_texture_new (side, side, GDK_MEMORY_R8G8B8A8, pixels, stride);
  gtk_picture_set_paintable (self->receipt_qr, GDK_PAINTABLE (texture));
}

void
kiosk_receipt_page_show (KioskReceiptPage *self,
                         KioskQueue       *queue,
                         KioskCatalog     *catalog,
                         KioskConfig      *config,
                         KioskPrinter     *printer,
                         const char       *reference)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueueItem) item = NULL;
  g_autoptr(KioskReceipt) receipt = NULL;
  g_autofree char *formatted = kiosk_reference_format (reference);

  kiosk_receipt_page_clear (self);
  self->reference = g_strdup (reference);
  gtk_label_set_label (self->receipt_reference, formatted != NULL ? formatted : reference);
  /* Just enqueued: stored here, not yet delivered (the sync worker's
   * next report updates it, see kiosk_receipt_page_update_state()). */
  gtk_label_set_label (self->receipt_state, kiosk_receipt_state_text (KIOSK_RECEIPT_STATE_QUEUED));
  /* The same receipt as a reprint at the counter or antragskiosk-ctl
   * receipt would give: built from the stored row, in the visitor's
   * language. Without one (broken [receipt] settings) the screen still
   * shows the reference and a QR code of it. */
  item = kiosk_queue_get (queue, reference, &error);
  if (item != NULL)
    receipt = kiosk_receipt_new_for_item (item, catalog, config, NULL, &error);
  if (receipt == NULL)
    g_warning ("No receipt for the visitor: %s", error->message);
  g_clear_error (&error);
  show_qr (self, receipt != NULL && receipt->qr_payload != NULL ? receipt->qr_payload : reference);
  gtk_label_set_label (self->receipt_hint, receipt != NULL && receipt->status_text != NULL
                                           ? receipt->status_text
                                           : _("Keep this reference: the counter can tell you how your application is progressing."));
  gtk_widget_remove_css_class (GTK_WIDGET (self->receipt_qr), "qr-large");
  if (printer != NULL && receipt != NULL && kiosk_printer_get_kind (printer) != KIOSK_PRINTER_KIND_NONE)
    {
      gtk_label_set_label (self->receipt_print, _("Your receipt is being printed …"));
      self->printer = printer;
      self->print_cancellable = g_cancellable_new ();
      kiosk_printer_print_async (printer, receipt, self->print_cancellable, print_done_cb, self);
    }
  else
    {
      gtk_label_set_label (self->receipt_print, _("This terminal has no printer. Please photograph the code or write down the reference."));
      gtk_widget_add_css_class (GTK_WIDGET (self->receipt_qr), "qr-large");
    }
}

void
kiosk_receipt_page_update_state (KioskReceiptPage *self,
                                 KioskQueue       *queue)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueueItem) item = NULL;

  if (self->reference == NULL || queue == NULL)
    return;
  item = kiosk_queue_get (queue, self->reference, &error);
  if (item == NULL)
    {
      g_warning ("The receipt screen cannot read its application's state: %s", error->message);
      return;
    }
  /* the same sentence as the printed receipt's */
  gtk_label_set_label (self->receipt_state, kiosk_receipt_state_text (kiosk_receipt_state_for_queue (item->state)));
}

void
kiosk_receipt_page_clear (KioskReceiptPage *self)
{
  g_cancellable_cancel (self->print_cancellable);
  g_clear_object (&self->print_cancellable);
  self->printer = NULL;
  g_clear_pointer (&self->reference, g_free);
  gtk_label_set_label (self->receipt_reference, "");
  gtk_label_set_label (self->receipt_state, "");
  gtk_picture_set_paintable (self->receipt_qr, NULL);
}

const char *
kiosk_receipt_page_get_reference (KioskReceiptPage *self)
{
  return self->reference;
}

void
kiosk_receipt_page_retranslate (KioskReceiptPage *self)
{
  gtk_label_set_label (self->receipt_title, _("Thank you!"));
  gtk_button_set_label (self->receipt_done, _("Done"));
}

void
kiosk_receipt_page_focus_done (KioskReceiptPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->receipt_done));
}

static void
kiosk_receipt_page_dispose (GObject *object)
{
  KioskReceiptPage *self = KIOSK_RECEIPT_PAGE (object);

  g_cancellable_cancel (self->print_cancellable);
  g_clear_object (&self->print_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), KIOSK_TYPE_RECEIPT_PAGE);
  G_OBJECT_CLASS (kiosk_receipt_page_parent_class)->dispose (object);
}

static void
kiosk_receipt_page_finalize (GObject *object)
{
  KioskReceiptPage *self = KIOSK_RECEIPT_PAGE (object);

  g_clear_pointer (&self->reference, g_free);
  G_OBJECT_CLASS (kiosk_receipt_page_parent_class)->finalize (object);
}

static void
kiosk_receipt_page_class_init (KioskReceiptPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiosk_receipt_page_dispose;
  object_class->finalize = kiosk_receipt_page_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/de/antragskiosk/kiosk/ui/kiosk-receipt-page.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskReceiptPage, receipt_title);
  gtk_widget_class_bind_template_child (widget_class, KioskReceiptPage, receipt_state);
  gtk_widget_class_bind_template_child (widget_class, KioskReceiptPage, receipt_reference);
  gtk_widget_class_bind_template_child (widget_class, KioskReceiptPage, receipt_qr);
  gtk_widget_class_bind_template_child (widget_class, KioskReceiptPage, receipt_hint);
  gtk_widget_class_bind_template_child (widget_class, KioskReceiptPage, receipt_print);
  gtk_widget_class_bind_template_child (widget_class, KioskReceiptPage, receipt_done);
}

static void
kiosk_receipt_page_init (KioskReceiptPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

KioskReceiptPage *
kiosk_receipt_page_new (void)
{
  return g_object_new (KIOSK_TYPE_RECEIPT_PAGE, NULL);
}
