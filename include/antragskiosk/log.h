/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Logging for the programs (docs/operations.md). Under systemd, stderr is
 * the journal: every message goes there as a structured entry with
 * SYSLOG_IDENTIFIER (@identifier), PRIORITY, GLIB_DOMAIN, MESSAGE and
 * KIOSK_ID (the terminal, once kiosk_log_set_kiosk_id() was called), so
 * that `journalctl -t antragskiosk KIOSK_ID=…` or a log shipper can pick
 * them out. Elsewhere GLib's default writer prints them. Debug messages
 * only with G_MESSAGES_DEBUG. Messages carry technical facts and
 * references, never an answer (docs/architecture.md, privacy). Call once,
 * first thing in main(). */
void kiosk_log_init         (const char *identifier);

/* Adds KIOSK_ID to every later journal entry. Call before starting
 * threads that log. */
void kiosk_log_set_kiosk_id (const char *kiosk_id);

G_END_DECLS
