/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <antragskiosk/config.h>
#include <antragskiosk/form.h>
#include <antragskiosk/pin.h>
#include <antragskiosk/printer.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/sync.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_CLERK_PANEL (kiosk_clerk_panel_get_type ())
G_DECLARE_FINAL_TYPE (KioskClerkPanel, kiosk_clerk_panel, KIOSK, CLERK_PANEL, GtkBox)

/* The least PBKDF2 iterations a configured PIN hash must use. */
#define KIOSK_CLERK_PIN_MIN_ITERATIONS KIOSK_PIN_MIN_ITERATIONS
#define KIOSK_CLERK_MAX_FAILURES 5
#define KIOSK_CLERK_LOCKOUT_S (5 * 60)

/* The clerk panel: PIN first ([clerk] pin_hash, lockout after 5 wrong
 * PINs), then status and actions. Borrows everything. Emits "leave". */
KioskClerkPanel *kiosk_clerk_panel_new (KioskConfig  *config,
                                        KioskQueue   *queue,
                                        KioskCatalog *catalog,
                                        KioskPrinter *printer);
/* Back to the PIN page, the PIN entry emptied. */
/* The forms after a reload (borrowed). */
void      kiosk_clerk_panel_set_catalog (KioskClerkPanel *self, KioskCatalog *catalog);
void      kiosk_clerk_panel_lock        (KioskClerkPanel *self);
/* Tries @pin as if typed; TRUE when it unlocked the panel. */
gboolean  kiosk_clerk_panel_try_pin     (KioskClerkPanel *self, const char *pin);
gboolean  kiosk_clerk_panel_is_unlocked (KioskClerkPanel *self);
/* The last sync status (from the sync worker), or NULL: queue counts only. */
void      kiosk_clerk_panel_set_sync_status (KioskClerkPanel *self, const KioskSyncStatus *status);
void      kiosk_clerk_panel_set_sync_worker (KioskClerkPanel *self, KioskSyncWorker *worker);
/* Re-reads the queue and the printer. */
void      kiosk_clerk_panel_refresh     (KioskClerkPanel *self);
/* The status text shown (tests). */
char     *kiosk_clerk_panel_get_status_text (KioskClerkPanel *self);
/* The line under the actions (printing, not found, not genuine …) (tests). */
const char *kiosk_clerk_panel_get_action_message (KioskClerkPanel *self);
gboolean  kiosk_clerk_panel_get_assisted (KioskClerkPanel *self);
void      kiosk_clerk_panel_set_assisted (KioskClerkPanel *self, gboolean assisted);

G_END_DECLS
