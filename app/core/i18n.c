/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-i18n"

#include "config.h"

#include <locale.h>
#include <libintl.h>
#include <string.h>
#include <glib.h>

#include <antragskiosk/i18n.h>

/* GNU gettext caches translations; this counter invalidates the cache so
 * that a change of LANGUAGE takes effect at once (documented in the GNU
 * gettext manual, "Changing the language at runtime"). */
extern int _nl_msg_cat_cntr;

static char current_language[16] = "de";
static GMutex language_lock;

void
kiosk_i18n_init (void)
{
  const char *localedir = LOCALEDIR;

  /* Messages come from the gettext catalog; LANGUAGE selects the language
   * and needs a locale other than "C" to be honoured. */
  if (setlocale (LC_ALL, "") == NULL || g_strcmp0 (setlocale (LC_MESSAGES, NULL), "C") == 0
      || g_strcmp0 (setlocale (LC_MESSAGES, NULL), "POSIX") == 0)
    setlocale (LC_ALL, "C.UTF-8");

  /* Run from the build tree (tests, the README's commands): use the
   * catalogs built there. */
  if (g_file_test (BUILD_LOCALEDIR, G_FILE_TEST_IS_DIR)
      && !g_file_test (LOCALEDIR "/de/LC_MESSAGES/" GETTEXT_PACKAGE ".mo", G_FILE_TEST_EXISTS))
    localedir = BUILD_LOCALEDIR;
  if (g_getenv ("ANTRAGSKIOSK_LOCALEDIR") != NULL)
    localedir = g_getenv ("ANTRAGSKIOSK_LOCALEDIR");

  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  /* No textdomain(): every lookup names our domain explicitly, and a
   * non-default text domain would make GLib's g_dgettext() decide once,
   * for good, not to translate when the first lookup happens in English. */

  kiosk_i18n_set_language (NULL);
}

void
kiosk_i18n_set_language (const char *lang)
{
  g_mutex_lock (&language_lock);
  if (lang == NULL || *lang == '\0')
    lang = "de";
  g_strlcpy (current_language, lang, sizeof current_language);
  /* English is the source language (the msgids), so "en" stands alone;
   * every other language falls back to German, the kiosk's first language,
   * where a message has no translation yet. */
  if (g_str_equal (lang, "en") || g_str_equal (lang, "de"))
    g_setenv ("LANGUAGE", lang, TRUE);
  else
    {
      g_autofree char *chain = g_strconcat (lang, ":de", NULL);
      g_setenv ("LANGUAGE", chain, TRUE);
    }
  ++_nl_msg_cat_cntr;
  g_mutex_unlock (&language_lock);
}

const char *
kiosk_i18n_get_language (void)
{
  return current_language;
}
