/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Binds the message catalog (installed, or the build tree's when run
 * uninstalled) and selects the process locale (the environment's). Call
 * once, first thing in main(). Messages are English in the source; German
 * is complete. The messages of the C library, GLib and json-glib stay
 * English in every language (they go to logs and to IT staff). */
/* The languages the kiosk offers a visitor (the welcome screen's
 * buttons), German first; NULL-terminated. Bundled forms have every text
 * in each of them; check-forms warns about a town hall's form that lacks
 * one (docs/forms.md, "Languages"). */
extern const char *const kiosk_i18n_languages[];

void         kiosk_i18n_init          (void);

/* The same for antragskiosk-ctl, which speaks English to IT staff whatever
 * LANG/LC_ALL/LANGUAGE say (docs/operations.md, "Language"): the C.UTF-8
 * locale, our catalog in English ("en") until a command switches it with
 * kiosk_i18n_set_language() for visitor-facing output (validate --lang,
 * receipt --lang, submit's language), which leaves the libraries' messages
 * English. */
void         kiosk_i18n_init_cli      (void);

/* Switches the language of every message produced from now on ("de", "en",
 * "tr", "ar", "uk", …). The kiosk switches per visitor session, so this
 * works at run time, not only at start-up. NULL or "" means German. */
void         kiosk_i18n_set_language  (const char *lang);

/* The language last set ("de" by default). */
const char  *kiosk_i18n_get_language  (void);

G_END_DECLS
