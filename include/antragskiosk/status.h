/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "config.h"

G_BEGIN_DECLS

/* The terminal's health for monitoring (antragskiosk-ctl status,
 * docs/operations.md): version, queue depth by state, the oldest pending
 * application, the last sync pass (from any process), the printer, the
 * destination keys' expiry, forms and configuration problems, and alerts
 * derived from them. Nothing personal: counts, times, technical messages,
 * references at most. */

/* Alert thresholds (docs/operations.md). */
#define KIOSK_STATUS_PENDING_WARNING_S   (4 * 3600)   /* an application waits this long */
#define KIOSK_STATUS_PENDING_CRITICAL_S  (24 * 3600)
#define KIOSK_STATUS_SYNC_STALE_S        3600         /* no successful pass while applications wait */
#define KIOSK_STATUS_KEY_WARNING_DAYS    30

typedef enum {
  KIOSK_STATUS_OK,
  KIOSK_STATUS_WARNING,
  KIOSK_STATUS_CRITICAL,
} KioskStatusLevel;

const char *kiosk_status_level_to_string (KioskStatusLevel level);

typedef struct {
  gboolean query_printer;  /* ask the printer (may take the printer's timeout); TRUE */
} KioskStatusOptions;

void      kiosk_status_options_init (KioskStatusOptions *options);

/* Collects the status of the kiosk that @config describes, at @now (NULL:
 * now). @config_problems: what kiosk_config_load() reported (may be
 * NULL). Never fails: what cannot be read is reported inside. @level_out
 * (may be NULL) receives the worst alert's level. */
JsonNode *kiosk_status_collect      (const KioskConfig        *config,
                                     GPtrArray                *config_problems,
                                     GDateTime                *now,
                                     const KioskStatusOptions *options,
                                     KioskStatusLevel         *level_out);

G_END_DECLS
