/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Binds the message catalog (installed, or the build tree's when run
 * uninstalled) and selects the process locale. Call once, first thing in
 * main(). Messages are English in the source; German is complete. */
void         kiosk_i18n_init          (void);

/* Switches the language of every message produced from now on ("de", "en",
 * "tr", "ar", "uk", …). The kiosk switches per visitor session, so this
 * works at run time, not only at start-up. NULL or "" means German. */
void         kiosk_i18n_set_language  (const char *lang);

/* The language last set ("de" by default). */
const char  *kiosk_i18n_get_language  (void);

G_END_DECLS
