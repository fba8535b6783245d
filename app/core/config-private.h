/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared between the files of the configuration module: config.c (files,
 * drop-ins, [kiosk]), config-check.c (the helpers every group's checker
 * uses), config-platform.c, config-destination.c and config-groups.c (the
 * table of the groups other modules own). */
#pragma once

#include <glib.h>

#include "antragskiosk/config.h"
#include "antragskiosk/config-check.h"

#define KIOSK_CONFIG_EMBEDDED_NAME "built-in demo configuration"

typedef struct {
  KioskConfig  pub;
  /* "group\x1fkey" → the file that set the value (NULL: embedded) */
  GHashTable  *origins;
  /* group → the last file that had the group */
  GHashTable  *group_origins;
} KioskConfigPrivate;

/* The problems found while loading or checking. */
struct _KioskConfigCheck {
  KioskConfigPrivate *priv;
  GPtrArray          *problems;   /* KioskConfigProblem* */
  guint               n_errors;
  gboolean            syntax;     /* a file is not a key file at all */
  GDateTime          *now;        /* kiosk_config_check_files only */
};

void        _kiosk_config_add_problem_at (KioskConfigCheck *check,
                                          gboolean          warning,
                                          const char       *file,
                                          const char       *group,
                                          const char       *key,
                                          const char       *format,
                                          ...) G_GNUC_PRINTF (6, 7);
const char *_kiosk_config_origin_of      (KioskConfigPrivate *priv,
                                          const char         *group,
                                          const char         *key);
const char *_kiosk_config_group_origin_of (KioskConfigPrivate *priv,
                                           const char         *group);
char       *_kiosk_config_origin_key     (const char *group,
                                          const char *key);
char       *_kiosk_config_resolve_path   (const char *value,
                                          const char *origin);
gboolean    _kiosk_config_strv_has       (const char *const *strv,
                                          const char        *word);
const char *_kiosk_config_did_you_mean   (const char        *word,
                                          const char *const *candidates);
gboolean    _kiosk_config_is_name        (const char *text,
                                          gsize       max_length);

/* [platform] (config-platform.c) */
extern const char *const _kiosk_config_platform_keys[];
void        _kiosk_config_load_platform  (KioskConfigCheck *check);
void        _kiosk_config_check_platform_files (KioskConfigCheck *check);

/* [destination NAME] (config-destination.c) */
extern const char *const _kiosk_config_destination_keys[];
void        _kiosk_config_destination_free (KioskDestinationConfig *destination);
void        _kiosk_config_load_destination (KioskConfigCheck *check,
                                            const char       *group,
                                            const char       *name,
                                            GHashTable       *routed,
                                            GHashTable       *ids);
void        _kiosk_config_check_destination_files (KioskConfigCheck             *check,
                                                   const KioskDestinationConfig *destination);

/* The groups other modules own (config-groups.c). */
typedef struct {
  const char                *group;
  KioskConfigGroupCheckFunc  check;
} KioskConfigModuleGroup;

extern const KioskConfigModuleGroup _kiosk_config_module_groups[];
