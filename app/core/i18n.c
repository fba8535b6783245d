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

const char *const kiosk_i18n_languages[] = { "de", "en", "tr", "ar", "uk", NULL };

static char current_language[16] = "de";
static GMutex language_lock;

/* The text domains of the libraries whose messages end up inside ours:
 * the C library (strerror), GLib and GIO (file errors, the option parser's
 * --help), json-glib (parser errors). They stay in English whatever
 * language our own catalog speaks: LANGUAGE, which selects our language,
 * would otherwise select theirs too, and put German system errors into
 * English messages. A domain bound to a directory under /dev/null (which
 * can never hold a catalog) is not translated. */
static const char *const english_domains[] = { "libc", "glib20", "json-glib-1.0", NULL };
#define NO_CATALOG_DIR "/dev/null/no-catalog"

static void
keep_libraries_english (void)
{
  /* GLib binds "glib20" to its catalog on its own first translation, which
   * would undo ours: make it happen now (g_format_size translates). */
  g_free (g_format_size (0));
  for (gsize i = 0; english_domains[i] != NULL; i++)
    bindtextdomain (english_domains[i], NO_CATALOG_DIR);
}

static void
bind_catalog (void)
{
  const char *localedir = LOCALEDIR;

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
  keep_libraries_english ();
}

void
kiosk_i18n_init_cli (void)
{
  /* English throughout, whatever LANG, LC_ALL or LANGUAGE the shell has:
   * not the user's locale (C.UTF-8: English texts, dates and numbers,
   * UTF-8 text), our catalog in English until a command asks for a
   * visitor's language. LANGUAGE is honoured in C.UTF-8 (not in "C"). */
  setlocale (LC_ALL, "C.UTF-8");
  bind_catalog ();
  kiosk_i18n_set_language ("en");
}

void
kiosk_i18n_init (void)
{
  /* Messages come from the gettext catalog; LANGUAGE selects the language
   * and needs a locale other than "C" to be honoured. */
  if (setlocale (LC_ALL, "") == NULL || g_strcmp0 (setlocale (LC_MESSAGES, NULL), "C") == 0
      || g_strcmp0 (setlocale (LC_MESSAGES, NULL), "POSIX") == 0)
    setlocale (LC_ALL, "C.UTF-8");
  bind_catalog ();
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
