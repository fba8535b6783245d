/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <antragskiosk/form.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_WINDOW (kiosk_window_get_type ())
G_DECLARE_FINAL_TYPE (KioskWindow, kiosk_window, KIOSK, WINDOW, GtkApplicationWindow)

/* The kiosk's one window. It borrows @catalog for its lifetime. */
KioskWindow *kiosk_window_new (GtkApplication *application,
                               KioskCatalog   *catalog);

G_END_DECLS
