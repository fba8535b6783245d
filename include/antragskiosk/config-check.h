/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "antragskiosk/config.h"

G_BEGIN_DECLS

/* Checking one group of the configuration (docs/configuration.md).
 *
 * The configuration module reads the files and the [kiosk], [platform] and
 * [destination NAME] groups; every other group belongs to the module that
 * reads it, and that module checks it: one function per group, listed in
 * the table in app/core/config-groups.c, called by
 * kiosk_config_check_files() (`antragskiosk-ctl check-config`, the start of
 * the kiosk and the sync service). The functions below are what such a
 * checker uses: they read values as the modules read them and report each
 * problem with the file that set the key, so that every message names the
 * file, group and key to fix. No function quotes a value of a key that
 * may hold a secret; the checker decides what it quotes. */

typedef struct _KioskConfigCheck KioskConfigCheck;

/* A group's checker. It is only called when the group exists. */
typedef void (*KioskConfigGroupCheckFunc) (KioskConfigCheck *check,
                                           const char       *group);

const KioskConfig *kiosk_config_check_get_config  (KioskConfigCheck *check);
GKeyFile          *kiosk_config_check_get_keyfile (KioskConfigCheck *check);
/* The time the check is for (key expiry). */
GDateTime         *kiosk_config_check_get_now     (KioskConfigCheck *check);

/* The file that set @group/@key, else the last file with @group, else
 * NULL (the embedded default). @key may be NULL. */
const char *kiosk_config_check_origin   (KioskConfigCheck *check,
                                         const char       *group,
                                         const char       *key);

/* Reports a problem at @group/@key (@key may be NULL), in the file that set
 * it (kiosk_config_check_origin). @warning: it works but should be fixed. */
void        kiosk_config_check_add      (KioskConfigCheck *check,
                                         gboolean          warning,
                                         const char       *group,
                                         const char       *key,
                                         const char       *format,
                                         ...) G_GNUC_PRINTF (5, 6);

/* The value, trimmed; NULL when absent, or empty or unreadable (both
 * reported). */
char       *kiosk_config_check_string   (KioskConfigCheck *check,
                                         const char       *group,
                                         const char       *key);
/* As kiosk_config_check_string, a relative path taken relative to the
 * directory of the file that set it. */
char       *kiosk_config_check_path     (KioskConfigCheck *check,
                                         const char       *group,
                                         const char       *key);
/* A whole number in [@min, @max] (@unit, e.g. " of seconds", completes the
 * message). FALSE when absent or wrong (reported). */
gboolean    kiosk_config_check_number   (KioskConfigCheck *check,
                                         const char       *group,
                                         const char       *key,
                                         guint             min,
                                         guint             max,
                                         const char       *unit,
                                         guint            *value);
/* true, false, 1 or 0, as GKeyFile reads booleans. FALSE when absent or
 * wrong (reported). */
gboolean    kiosk_config_check_boolean  (KioskConfigCheck *check,
                                         const char       *group,
                                         const char       *key,
                                         gboolean         *value);
/* One of @choices; NULL when absent or wrong (reported, with a suggestion
 * for a near miss). */
char       *kiosk_config_check_choice   (KioskConfigCheck  *check,
                                         const char        *group,
                                         const char        *key,
                                         const char *const *choices);
/* An error for every key of @group not in @known_keys, with a suggestion
 * for a near miss; KEY[LOCALE] is known when KEY is in @localised (may be
 * NULL). */
void        kiosk_config_check_unknown_keys (KioskConfigCheck  *check,
                                             const char        *group,
                                             const char *const *known_keys,
                                             const char *const *localised);
/* A warning when the secret file @path may be read or changed by anyone but
 * its owner: "PATH@holds can be read by group or others (mode 0644);
 * @advice". Reported at @group/@key; nothing when @path is NULL or gone. */
void        kiosk_config_check_private_mode (KioskConfigCheck *check,
                                             const char       *group,
                                             const char       *key,
                                             const char       *path,
                                             const char       *holds,
                                             const char       *advice);

G_END_DECLS
