/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-clerk"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/pin.h>
#include <antragskiosk/platform.h>
#include <antragskiosk/receipt.h>
#include <antragskiosk/receipt-item.h>
#include <antragskiosk/reference.h>

#include "kiosk-clerk-panel.h"

struct _KioskClerkPanel {
  GtkBox           parent_instance;
  KioskConfig     *config;
  KioskQueue      *queue;
  KioskCatalog    *catalog;
  KioskPrinter    *printer;
  KioskSyncWorker *worker;
  gboolean         has_sync_status;
  gboolean         sync_running;
  gint64           last_success_ms;
  char            *platform_state;
  char            *sync_error;
  guint            failures;
  gint64           locked_until_us;
  gboolean         unlocked;

  GtkStack        *stack;
  GtkPasswordEntry *pin_entry;
  GtkLabel        *pin_message;
  GtkLabel        *status_label;
  GtkLabel        *damage_label;
  GtkBox          *failed_box;
  GtkEntry        *reprint_entry;
  GtkLabel        *action_message;
  GtkCheckButton  *assisted_check;
};

G_DEFINE_FINAL_TYPE (KioskClerkPanel, kiosk_clerk_panel, GTK_TYPE_BOX)

enum {
  SIGNAL_LEAVE,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* ---- status ---- */

static char *
format_age (gint64 ms)
{
  guint minutes = (guint) MIN (ms / 60000, G_MAXUINT);

  if (minutes < 60)
    return g_strdup_printf (_("%u min"), minutes);
  return g_strdup_printf (_("%u h %u min"), minutes / 60, minutes % 60);
}

static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) time = NULL;

  if (ms <= 0)
    return g_strdup (_("never"));
  time = g_date_time_new_from_unix_local (ms / 1000);
  return g_date_time_format (time, "%d.%m.%Y %H:%M");
}

static void
retry_clicked_cb (GtkButton       *button,
                  KioskClerkPanel *self)
{
  const char *reference = g_object_get_data (G_OBJECT (button), "kiosk-reference");
  g_autoptr(GError) error = NULL;

  if (!kiosk_queue_retry (self->queue, reference, &error))
    gtk_label_set_label (self->action_message, error->message);
  else
    {
      gtk_label_set_label (self->action_message, _("The application is queued again."));
      if (self->worker != NULL)
        kiosk_sync_worker_trigger (self->worker);
    }
  kiosk_clerk_panel_refresh (self);
}

/* A damaged queue needs IT staff: a banner until they acknowledge it
 * (antragskiosk-ctl queue acknowledge), with the queue module's own
 * account of what was saved, what was lost and where the old file is. */
static void
refresh_damage (KioskClerkPanel *self, const KioskQueueCounts *counts)
{
  g_autofree char *detail = NULL;
  g_autofree char *text = NULL;

  if (self->config != NULL && self->config->data_dir != NULL)
    detail = kiosk_queue_describe_damage (self->config->data_dir, counts);
  gtk_widget_set_visible (GTK_WIDGET (self->damage_label), detail != NULL);
  if (detail == NULL)
    {
      gtk_label_set_label (self->damage_label, "");
      return;
    }
  text = g_strdup_printf ("%s\n%s", _("The queue of this terminal was damaged. Please tell IT staff now."), detail);
  gtk_label_set_label (self->damage_label, text);
}

/* The three newest applications in @state, each as @format's line
 * (reference · form · last_error): the authority's reason of a
 * rejection, which staff tell the applicant; the deletions, after which
 * staff help the visitor apply again (docs/platform.md, states). */
static void
append_newest (KioskClerkPanel *self,
               GString         *text,
               KioskQueueState  state,
               const char      *format)
{
  g_autoptr(GPtrArray) items = kiosk_queue_list (self->queue, state, 3, 0, NULL);

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      KioskQueueItem *item = g_ptr_array_index (items, i);
      g_autofree char *formatted = kiosk_reference_format (item->reference);
      g_autofree char *line = g_strdup_printf ("%s · %s · %s", formatted != NULL ? formatted : item->reference,
                                               item->form_id, item->last_error != NULL ? item->last_error : "");

      const char *at = strstr (format, "%s");

      /* @format is a translation with one %s: spliced, not a printf format */
      g_string_append_len (text, format, at != NULL ? at - format : (gssize) strlen (format));
      g_string_append (text, at != NULL ? "" : " ");
      g_string_append (text, line);
      g_string_append (text, at != NULL ? at + 2 : "");
      g_string_append_c (text, '\n');
    }
}

/* The applications the Zustelldienst deleted before the authority
 * fetched them: never delivered; the visitor must apply again. */
static void
append_deletions (KioskClerkPanel        *self,
                  GString                *text,
                  const KioskQueueCounts *counts)
{
  g_autofree char *n = g_strdup_printf ("%" G_GUINT64_FORMAT, counts->by_state[KIOSK_QUEUE_STATE_DELETED]);

  g_string_append_printf (text, _("Deleted by the platform before the authority received them: %s "
                                  "(not delivered; help the visitor apply again)"), n);
  g_string_append_c (text, '\n');
  append_newest (self, text, KIOSK_QUEUE_STATE_DELETED, _("Deleted, not delivered: %s"));
}

void
kiosk_clerk_panel_refresh (KioskClerkPanel *self)
{
  KioskQueueCounts counts = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) failed = NULL;
  GString *text = g_string_new (NULL);
  GtkWidget *child;
  gboolean have_counts;

  have_counts = self->queue != NULL && kiosk_queue_get_counts (self->queue, &counts, &error);
  if (have_counts)
    {
      /* Counts as text first: a G_GUINT64_FORMAT inside _() would hide
       * the message from xgettext. */
      g_autofree char *queued = g_strdup_printf ("%" G_GUINT64_FORMAT, counts.by_state[KIOSK_QUEUE_STATE_QUEUED]);
      g_autofree char *created = g_strdup_printf ("%" G_GUINT64_FORMAT, counts.by_state[KIOSK_QUEUE_STATE_CREATED]);
      g_autofree char *submitted = g_strdup_printf ("%" G_GUINT64_FORMAT, counts.by_state[KIOSK_QUEUE_STATE_SUBMITTED]);
      g_autofree char *accepted = g_strdup_printf ("%" G_GUINT64_FORMAT, counts.by_state[KIOSK_QUEUE_STATE_ACCEPTED]);
      g_autofree char *rejected = g_strdup_printf ("%" G_GUINT64_FORMAT, counts.by_state[KIOSK_QUEUE_STATE_REJECTED]);
      g_autofree char *failed_n = g_strdup_printf ("%" G_GUINT64_FORMAT, counts.by_state[KIOSK_QUEUE_STATE_FAILED]);
      g_string_append_printf (text, _("Queue: %s waiting, %s at the platform, %s delivered, %s accepted, "
                                      "%s rejected, %s failed"),
                              queued, created, submitted, accepted, rejected, failed_n);
      g_string_append_c (text, '\n');
      if (counts.oldest_pending_age_ms >= 0)
        {
          g_autofree char *age = format_age (counts.oldest_pending_age_ms);
          g_string_append_printf (text, _("Oldest waiting application: %s"), age);
        }
      else
        g_string_append (text, _("No application is waiting."));
      g_string_append_c (text, '\n');
      if (counts.by_state[KIOSK_QUEUE_STATE_REJECTED] > 0)
        append_newest (self, text, KIOSK_QUEUE_STATE_REJECTED, _("Rejected by the authority: %s"));
      if (counts.by_state[KIOSK_QUEUE_STATE_DELETED] > 0)
        append_deletions (self, text, &counts);
    }
  else
    {
      g_string_append_printf (text, _("Queue unavailable: %s"), error != NULL ? error->message : "");
      g_string_append_c (text, '\n');
    }
  if (self->config == NULL || self->config->token_url == NULL)
    g_string_append (text, _("Platform: none configured; applications stay in the queue."));
  else if (!self->has_sync_status)
    g_string_append (text, _("Platform: no delivery attempt yet."));
  else
    {
      g_autofree char *when = format_time (self->last_success_ms);
      g_string_append_printf (text, _("Platform: %s. Last successful delivery run: %s."), self->platform_state, when);
      if (self->sync_running)
        g_string_append_printf (text, " %s", _("Delivering now …"));
      if (self->sync_error != NULL)
        {
          g_string_append_c (text, '\n');
          g_string_append_printf (text, _("Last error: %s"), self->sync_error);
        }
    }
  g_string_append_c (text, '\n');
  if (self->printer == NULL || kiosk_printer_get_kind (self->printer) == KIOSK_PRINTER_KIND_NONE)
    g_string_append (text, _("Printer: none configured."));
  else
    {
      g_autoptr(KioskPrinterStatus) status = kiosk_printer_query_status (self->printer, NULL);
      g_string_append_printf (text, _("Printer: %s"), status->message);
    }
  gtk_label_set_label (self->status_label, text->str);
  g_string_free (text, TRUE);
  refresh_damage (self, have_counts ? &counts : NULL);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->failed_box))) != NULL)
    gtk_box_remove (self->failed_box, child);
  if (self->queue != NULL)
    failed = kiosk_queue_list (self->queue, KIOSK_QUEUE_STATE_FAILED, 20, 0, NULL);
  for (guint i = 0; failed != NULL && i < failed->len; i++)
    {
      KioskQueueItem *item = g_ptr_array_index (failed, i);
      g_autofree char *formatted = kiosk_reference_format (item->reference);
      g_autofree char *line = g_strdup_printf ("%s · %s · %s", formatted != NULL ? formatted : item->reference,
                                               item->form_id, item->last_error != NULL ? item->last_error : "");
      g_autofree char *retry_name = g_strdup_printf (_("Retry %s"), formatted != NULL ? formatted : item->reference);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *label = gtk_label_new (line);
      GtkWidget *retry;

      if (item->damaged_ms != 0)
        {
          /* Its ciphertext no longer matches what was stored: it can
           * never be sent, so there is nothing to retry. */
          g_autofree char *damaged = g_strdup_printf (_("%s · %s · damaged on this terminal, cannot be sent; "
                                                        "the visitor must apply again"),
                                                      formatted != NULL ? formatted : item->reference, item->form_id);
          GtkWidget *damaged_label = gtk_label_new (damaged);

          gtk_label_set_wrap (GTK_LABEL (damaged_label), TRUE);
          gtk_label_set_xalign (GTK_LABEL (damaged_label), 0);
          gtk_widget_add_css_class (damaged_label, "damaged-application");
          gtk_box_append (self->failed_box, damaged_label);
          continue;
        }
      retry = gtk_button_new_with_label (_("Retry"));

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (retry), GTK_ACCESSIBLE_PROPERTY_LABEL, retry_name, -1);
      g_object_set_data_full (G_OBJECT (retry), "kiosk-reference", g_strdup (item->reference), g_free);
      g_signal_connect (retry, "clicked", G_CALLBACK (retry_clicked_cb), self);
      gtk_box_append (GTK_BOX (row), label);
      gtk_box_append (GTK_BOX (row), retry);
      gtk_box_append (self->failed_box, row);
    }
  if (failed == NULL || failed->len == 0)
    gtk_box_append (self->failed_box, gtk_label_new (_("No failed applications.")));
}

/* ---- actions ---- */

gboolean
kiosk_clerk_panel_try_pin (KioskClerkPanel *self, const char *pin)
{
  g_autofree char *stored = self->config != NULL ? g_key_file_get_value (self->config->keyfile, "clerk", "pin_hash", NULL) : NULL;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GError) error = NULL;

  if (now < self->locked_until_us)
    {
      g_autofree char *text = g_strdup_printf (_("Too many wrong PINs. Try again in %u minutes."),
                                               (guint) ((self->locked_until_us - now) / G_USEC_PER_SEC / 60 + 1));
      gtk_label_set_label (self->pin_message, text);
      return FALSE;
    }
  if (stored == NULL)
    {
      gtk_label_set_label (self->pin_message, _("No clerk PIN is configured ([clerk] pin_hash)."));
      return FALSE;
    }
  if (!kiosk_pin_hash_check (stored, &error))
    {
      /* Not the clerk's fault and no attempt: IT staff fix it
       * (check-config says the same). */
      g_warning ("[clerk] pin_hash: %s", error->message);
      gtk_label_set_label (self->pin_message, _("The configured clerk PIN cannot be used. Please ask IT staff."));
      gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
      return FALSE;
    }
  if (kiosk_pin_verify (stored, pin, NULL))
    {
      self->failures = 0;
      self->unlocked = TRUE;
      gtk_label_set_label (self->pin_message, "");
      gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
      gtk_stack_set_visible_child_name (self->stack, "status");
      g_message ("Clerk panel unlocked");
      kiosk_clerk_panel_refresh (self);
      return TRUE;
    }
  self->failures++;
  g_message ("Wrong clerk PIN (%u in a row)", self->failures);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  if (self->failures >= KIOSK_CLERK_MAX_FAILURES)
    {
      self->failures = 0;
      self->locked_until_us = now + (gint64) KIOSK_CLERK_LOCKOUT_S * G_USEC_PER_SEC;
      gtk_label_set_label (self->pin_message, _("Too many wrong PINs. The panel is locked for 5 minutes."));
    }
  else
    gtk_label_set_label (self->pin_message, _("Wrong PIN."));
  return FALSE;
}

static void
unlock_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  KioskClerkPanel *self = KIOSK_CLERK_PANEL (widget);

  kiosk_clerk_panel_try_pin (self, gtk_editable_get_text (GTK_EDITABLE (self->pin_entry)));
}

static void
pin_activate_cb (GtkPasswordEntry *entry, KioskClerkPanel *self)
{
  kiosk_clerk_panel_try_pin (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
sync_now_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  KioskClerkPanel *self = KIOSK_CLERK_PANEL (widget);

  if (self->worker == NULL)
    gtk_label_set_label (self->action_message, _("No platform is configured: nothing to deliver to."));
  else
    {
      kiosk_sync_worker_trigger (self->worker);
      gtk_label_set_label (self->action_message, _("Delivery started."));
    }
}

static void
refresh_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  kiosk_clerk_panel_refresh (KIOSK_CLERK_PANEL (widget));
}

static void
reprint_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  KioskClerkPanel *self = user_data;
  g_autoptr(GError) error = NULL;

  if (kiosk_printer_print_finish (self->printer, result, &error))
    gtk_label_set_label (self->action_message, _("The receipt has been printed."));
  else
    gtk_label_set_label (self->action_message, error->message);
  g_object_unref (self);
}

/* What the reprint entry holds, as a reference: typed by the clerk (any
 * form the reference module reads, "K7M4Q-X9PRZ" or lower case), or the
 * receipt's QR code as a keyboard-wedge scanner types it — the status URL
 * with ref= (and mac=), or the bare "REF" / "REF.MAC" of a terminal
 * without a status page. A scanned code must be genuine: its seal is
 * checked when this terminal has a MAC key. NULL with the message set. */
static char *
reference_from_input (KioskClerkPanel            *self,
                      const char                 *input,
                      const KioskReceiptOptions  *options)
{
  g_autofree char *text = g_strstrip (g_strdup (input));
  g_autoptr(GError) error = NULL;
  char *reference;

  if (strpbrk (text, ".:/?&=") == NULL)
    return g_steal_pointer (&text);
  reference = kiosk_receipt_verify_payload (text, options, &error);
  if (reference == NULL)
    {
      g_message ("Scanned code refused: %s", error->message);
      gtk_label_set_label (self->action_message,
                           g_error_matches (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_NOT_GENUINE)
                           ? _("This code is not a genuine receipt of this office: its seal does not match.")
                           : _("This code is not a receipt of this office."));
    }
  return reference;
}

static void
reprint_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  KioskClerkPanel *self = KIOSK_CLERK_PANEL (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueueItem) item = NULL;
  g_autoptr(KioskReceiptOptions) options = NULL;
  g_autoptr(KioskReceipt) receipt = NULL;
  g_autofree char *reference = NULL;

  if (self->printer == NULL || kiosk_printer_get_kind (self->printer) == KIOSK_PRINTER_KIND_NONE)
    {
      gtk_label_set_label (self->action_message, _("No printer is configured."));
      return;
    }
  options = kiosk_receipt_options_new_from_config (self->config, &error);
  if (options == NULL)
    {
      /* check-config names the key; the panel only says where to look. */
      g_warning ("[receipt] settings unusable: %s", error->message);
      gtk_label_set_label (self->action_message,
                           _("The receipt settings of this terminal are broken; IT staff can see why with "
                             "“antragskiosk-ctl check-config”."));
      return;
    }
  reference = reference_from_input (self, gtk_editable_get_text (GTK_EDITABLE (self->reprint_entry)), options);
  if (reference == NULL)
    return;
  item = kiosk_queue_get (self->queue, reference, &error);
  if (item == NULL)
    {
      gtk_label_set_label (self->action_message, _("No application with this reference."));
      return;
    }
  /* the clerk's reprint is in German */
  receipt = kiosk_receipt_new_for_item (item, self->catalog, self->config, "de", &error);
  if (receipt == NULL)
    {
      gtk_label_set_label (self->action_message, error->message);
      return;
    }
  gtk_label_set_label (self->action_message, _("Printing …"));
  kiosk_printer_print_async (self->printer, receipt, NULL, reprint_done_cb, g_object_ref (self));
}

static void
reprint_entry_activate_cb (GtkEntry        *entry,
                           KioskClerkPanel *self)
{
  /* A scanner ends its code with Enter. */
  gtk_widget_activate_action (GTK_WIDGET (self), "clerk.reprint", NULL);
}

static void
leave_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  KioskClerkPanel *self = KIOSK_CLERK_PANEL (widget);

  kiosk_clerk_panel_lock (self);
  g_signal_emit (self, signals[SIGNAL_LEAVE], 0);
}

/* ---- type ---- */

static void
kiosk_clerk_panel_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), KIOSK_TYPE_CLERK_PANEL);
  G_OBJECT_CLASS (kiosk_clerk_panel_parent_class)->dispose (object);
}

static void
kiosk_clerk_panel_finalize (GObject *object)
{
  KioskClerkPanel *self = KIOSK_CLERK_PANEL (object);

  g_free (self->platform_state);
  g_free (self->sync_error);
  G_OBJECT_CLASS (kiosk_clerk_panel_parent_class)->finalize (object);
}

static void
kiosk_clerk_panel_class_init (KioskClerkPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiosk_clerk_panel_dispose;
  object_class->finalize = kiosk_clerk_panel_finalize;
  signals[SIGNAL_LEAVE] = g_signal_new ("leave", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_template_from_resource (widget_class, "/de/antragskiosk/kiosk/ui/kiosk-clerk-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskClerkPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, KioskClerkPanel, pin_entry);
  gtk_widget_class_bind_template_child (widget_class, KioskClerkPanel, pin_message);
  gtk_widget_class_bind_template_child (widget_class, KioskClerkPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, KioskClerkPanel, failed_box);
  gtk_widget_class_bind_template_child (widget_class, KioskClerkPanel, reprint_entry);
  gtk_widget_class_bind_template_child (widget_class, KioskClerkPanel, damage_label);
  gtk_widget_class_bind_template_child (widget_class, KioskClerkPanel, action_message);
  gtk_widget_class_bind_template_child (widget_class, KioskClerkPanel, assisted_check);
  gtk_widget_class_bind_template_callback (widget_class, pin_activate_cb);
  gtk_widget_class_install_action (widget_class, "clerk.unlock", NULL, unlock_cb);
  gtk_widget_class_install_action (widget_class, "clerk.sync-now", NULL, sync_now_cb);
  gtk_widget_class_install_action (widget_class, "clerk.refresh", NULL, refresh_cb);
  gtk_widget_class_install_action (widget_class, "clerk.reprint", NULL, reprint_cb);
  gtk_widget_class_install_action (widget_class, "clerk.leave", NULL, leave_cb);
}

static void
kiosk_clerk_panel_init (KioskClerkPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->platform_state = g_strdup ("");
  g_signal_connect (self->reprint_entry, "activate", G_CALLBACK (reprint_entry_activate_cb), self);
}

KioskClerkPanel *
kiosk_clerk_panel_new (KioskConfig  *config,
                       KioskQueue   *queue,
                       KioskCatalog *catalog,
                       KioskPrinter *printer)
{
  KioskClerkPanel *self = g_object_new (KIOSK_TYPE_CLERK_PANEL, NULL);

  self->config = config;
  self->queue = queue;
  self->catalog = catalog;
  self->printer = printer;
  return self;
}

void
kiosk_clerk_panel_set_catalog (KioskClerkPanel *self,
                               KioskCatalog    *catalog)
{
  self->catalog = catalog;
}

void
kiosk_clerk_panel_lock (KioskClerkPanel *self)
{
  self->unlocked = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->reprint_entry), "");
  gtk_label_set_label (self->action_message, "");
  gtk_stack_set_visible_child_name (self->stack, "pin");
}

gboolean
kiosk_clerk_panel_is_unlocked (KioskClerkPanel *self)
{
  return self->unlocked;
}

void
kiosk_clerk_panel_set_sync_status (KioskClerkPanel *self, const KioskSyncStatus *status)
{
  self->has_sync_status = TRUE;
  self->sync_running = status->running;
  self->last_success_ms = status->last_success_ms;
  g_free (self->platform_state);
  self->platform_state = g_strdup (kiosk_platform_fault_to_string (status->platform_fault));
  g_free (self->sync_error);
  self->sync_error = g_strdup (status->last_error);
  if (self->unlocked)
    kiosk_clerk_panel_refresh (self);
}

void
kiosk_clerk_panel_set_sync_worker (KioskClerkPanel *self, KioskSyncWorker *worker)
{
  self->worker = worker;
}

char *
kiosk_clerk_panel_get_status_text (KioskClerkPanel *self)
{
  return g_strdup (gtk_label_get_label (self->status_label));
}

const char *
kiosk_clerk_panel_get_action_message (KioskClerkPanel *self)
{
  return gtk_label_get_label (self->action_message);
}

gboolean
kiosk_clerk_panel_get_assisted (KioskClerkPanel *self)
{
  return gtk_check_button_get_active (self->assisted_check);
}

void
kiosk_clerk_panel_set_assisted (KioskClerkPanel *self, gboolean assisted)
{
  gtk_check_button_set_active (self->assisted_check, assisted);
}
