/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <antragskiosk/config.h>
#include <antragskiosk/form.h>

G_BEGIN_DECLS

typedef struct _KioskFormsWatch KioskFormsWatch;

/* Whether a visitor is at the terminal (then a reload waits). */
typedef gboolean (*KioskFormsWatchBusyFunc)   (gpointer user_data);
/* A new catalog, owned by the watch until the next one or its end. */
typedef void     (*KioskFormsWatchLoadedFunc) (KioskCatalog *catalog, gpointer user_data);

/* Form updates (docs/operations.md): watches the forms directory of
 * @config (borrowed); after a change settles, and when @busy says no
 * visitor is at the terminal, loads the forms anew (broken files keep
 * their last good version) and hands them to @loaded. Returns NULL (after
 * a warning) when the directory cannot be watched or @config names none. */
KioskFormsWatch *kiosk_forms_watch_new  (KioskConfig               *config,
                                         KioskFormsWatchBusyFunc    busy,
                                         KioskFormsWatchLoadedFunc  loaded,
                                         gpointer                   user_data);
/* Stops watching; frees the catalog it loaded last. */
void             kiosk_forms_watch_free (KioskFormsWatch *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskFormsWatch, kiosk_forms_watch_free)

G_END_DECLS
