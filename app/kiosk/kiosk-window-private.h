/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's parts shared between kiosk-window.c (screens, session,
 * idle timer, wipe) and kiosk-window-access.c (the kiosk's keys and
 * speech). Not public. */
#pragma once

#include <antragskiosk/printer.h>
#include <antragskiosk/submission.h>

#include "kiosk-catalog-page.h"
#include "kiosk-clerk-panel.h"
#include "kiosk-forms-watch.h"
#include "kiosk-keyboard.h"
#include "kiosk-receipt-page.h"
#include "kiosk-speaker.h"
#include "kiosk-window.h"

G_BEGIN_DECLS

struct _KioskWindow {
  GtkApplicationWindow  parent_instance;
  KioskCatalog         *catalog;
  KioskFormsWatch      *forms_watch;
  KioskConfig          *config;
  KioskQueue           *queue;
  KioskSubmitter       *submitter;
  KioskPrinter         *printer;
  GPtrArray            *forms;         /* KioskForm* on offer */
  GHashTable           *out_of_service; /* form id -> why (for staff), as last logged */
  gboolean              catalog_current; /* the catalog page shows self->catalog as it stands */
  gboolean              windowed;
  char                 *today;
  guint                 text_size;     /* 0, 1, 2 */
  gboolean              high_contrast;
  gboolean              assisted;      /* this session: staff fill in for a visitor */

  guint                 idle_timeout_ms;
  guint                 idle_warning_ms;
  gint64                last_activity_us;
  guint                 idle_source;
  guint                 inhibit_cookie;

  GtkStack             *stack;
  GtkWidget            *header;
  GtkButton            *text_size_button;
  GtkButton            *contrast_button;
  GtkLabel             *assisted_label;
  KioskCatalogPage     *catalog_page;
  GtkBox               *wizard_box;
  KioskWizard          *wizard;
  KioskReceiptPage     *receipt_page;
  GtkWidget            *idle_warning;
  GtkLabel             *idle_label;
  GtkButton            *more_time_button;
  GtkWidget            *cancel_confirm;
  GtkLabel             *cancel_label;
  GtkButton            *cancel_yes;
  GtkButton            *cancel_no;
  GtkLabel             *out_of_service_label;
  KioskKeyboard        *keyboard;
  GtkWidget            *logo;
  KioskClerkPanel      *clerk_panel;
  KioskSyncWorker      *sync_worker;
  guint                 logo_source;
  guint                 reveal_tick;   /* tick callback: brings the focused field into view */
  guint                 reveal_frames;

  /* Keys and speech (kiosk-window-access.c) */
  KioskSpeaker         *speaker;       /* NULL: [speech] mode=off */
  KioskSpeechMode       speech_mode;
  GtkButton            *speech_button;
  GtkWidget            *help_card;
  GtkLabel             *help_label;
  GtkFlowBox           *language_box;
  GtkWidget            *content;       /* everything under the cards */
  guint                 idle_spoken_s; /* the countdown last read aloud */
};

/* The kiosk's own keys (capture phase): Escape, the help and repeat
 * keys, and the desktop's ways out swallowed. */
void _kiosk_window_add_shortcuts      (KioskWindow *self);
/* Labels of the parts for keys and speech, in the current language. */
void _kiosk_window_retranslate_access (KioskWindow *self);
/* Speech follows a screen change / the session's end / the idle warning. */
void _kiosk_window_speak_screen       (KioskWindow *self, GtkWidget *screen);
void _kiosk_window_speech_session_end (KioskWindow *self);
void _kiosk_window_speak_idle         (KioskWindow *self, guint seconds_left, const char *text);
/* Follows @wizard's pages and messages. */
void _kiosk_window_speech_follow      (KioskWindow *self, KioskWizard *wizard);
/* While the cancel question or the idle warning shows, Tab and the arrow
 * keys stay on its buttons (nothing under it takes the focus). */
void _kiosk_window_watch_cards        (KioskWindow *self);
/* Installs the actions "kiosk.read-aloud" and "kiosk.help". */
void _kiosk_window_class_init_access  (GtkWidgetClass *widget_class);

G_END_DECLS
