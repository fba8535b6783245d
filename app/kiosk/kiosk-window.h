/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <antragskiosk/config.h>
#include <antragskiosk/form.h>
#include <antragskiosk/queue.h>

#include <antragskiosk/sync.h>

#include "kiosk-catalog-page.h"
#include "kiosk-clerk-panel.h"
#include "kiosk-speech.h"
#include "kiosk-wizard.h"

G_BEGIN_DECLS

#define KIOSK_TYPE_WINDOW (kiosk_window_get_type ())
G_DECLARE_FINAL_TYPE (KioskWindow, kiosk_window, KIOSK, WINDOW, GtkApplicationWindow)

/* The kiosk's one window: welcome, catalog, wizard, receipt and the
 * out-of-service screen. It borrows @catalog, @config and @queue for its
 * lifetime; with @config or @queue NULL, or no form that can be taken, it
 * shows only the out-of-service screen. */
KioskWindow *kiosk_window_new          (GtkApplication *application,
                                        KioskCatalog   *catalog,
                                        KioskConfig    *config,
                                        KioskQueue     *queue);
/* Form updates (docs/operations.md): watches the configuration's forms
 * directory; after a change settles, and when no visitor is at the
 * terminal, the forms are loaded anew (broken files keep their last good
 * version) and the window offers them. */
void         kiosk_window_watch_forms  (KioskWindow *self);
/* Offers the forms of @catalog (borrowed) from now on; not during a
 * session. */
void         kiosk_window_set_catalog  (KioskWindow *self, KioskCatalog *catalog);
/* Development: close and the escape keys work again. */
void         kiosk_window_set_windowed (KioskWindow *self, gboolean windowed);
/* The date that validation measures against (ISO; NULL: today). */
void         kiosk_window_set_today    (KioskWindow *self, const char *today);
/* Idle timeout and the warning before it, in milliseconds (tests). */
void         kiosk_window_set_idle_timeout (KioskWindow *self, guint timeout_ms, guint warning_ms);
/* "welcome", "catalog", "wizard", "receipt", "out-of-service". */
const char  *kiosk_window_get_screen   (KioskWindow *self);
/* The wizard of the session, or NULL. */
KioskWizard *kiosk_window_get_wizard   (KioskWindow *self);
/* The reference shown on the receipt screen, or NULL. */
const char  *kiosk_window_get_reference (KioskWindow *self);
/* Whether the idle warning is showing. */
gboolean     kiosk_window_get_idle_warning (KioskWindow *self);
/* Ends the session as the idle timeout does: everything wiped, welcome. */
void         kiosk_window_wipe         (KioskWindow *self);
/* Forms on offer (those kiosk_submitter_check_form accepted). */
guint        kiosk_window_count_forms  (KioskWindow *self);

/* Speech output ([speech], docs/accessibility.md): off, a "Read aloud"
 * button in the header, or always on. FALSE with an error (and speech
 * off) when the transcript file cannot be opened. */
gboolean     kiosk_window_set_speech   (KioskWindow               *self,
                                        const KioskSpeechSettings *settings,
                                        GError                   **error);
/* The speech engine in use, or NULL (off). */
KioskSpeech *kiosk_window_get_speech   (KioskWindow *self);
/* The catalog screen (for marking a form out of service). */
KioskCatalogPage *kiosk_window_get_catalog_page (KioskWindow *self);
/* The clerk panel (NULL when out of service for lack of config/queue). */
KioskClerkPanel *kiosk_window_get_clerk_panel (KioskWindow *self);
/* The background delivery (borrowed): "sync now", a pass after each
 * submit, and its status for the clerk panel; after each pass the receipt
 * screen reads its application's state again from the queue. */
void         kiosk_window_set_sync_worker (KioskWindow *self, KioskSyncWorker *worker);
void         kiosk_window_set_sync_status (KioskWindow *self, const KioskSyncStatus *status);

G_END_DECLS
