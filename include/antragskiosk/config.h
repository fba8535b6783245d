/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The kiosk's configuration (docs/configuration.md): a GKeyFile at
 * /etc/antragskiosk/kiosk.conf plus /etc/antragskiosk/kiosk.conf.d/NAME.conf
 * drop-ins (sorted by name, later files win key by key); `--config FILE` or
 * the environment variable ANTRAGSKIOSK_CONFIG replaces that lookup with
 * one file (its drop-ins: FILE.d/NAME.conf). With no file at all, an embedded
 * demo default is used (queue under $XDG_DATA_HOME/antragskiosk, a demo
 * destination key meant only for demos, no platform: submissions stay
 * queued). A loaded KioskConfig is immutable. */

#define KIOSK_CONFIG_ERROR (kiosk_config_error_quark ())
GQuark kiosk_config_error_quark (void);

typedef enum {
  KIOSK_CONFIG_ERROR_IO,
  KIOSK_CONFIG_ERROR_SYNTAX,
  KIOSK_CONFIG_ERROR_INVALID,
} KioskConfigError;

typedef struct {
  char   *name;            /* NAME of [destination NAME] */
  char   *destination_id;  /* UUID */
  char   *key_file;        /* path of the destination's encryption JWK */
  char   *trust_anchor;    /* path of the PEM root certificate */
  char  **forms;           /* form ids routed here (NULL-terminated); "*" means
                            * every form that no other destination lists */
} KioskDestinationConfig;

/* [kiosk] idle_timeout_s: seconds without input before a session is wiped. */
#define KIOSK_CONFIG_IDLE_TIMEOUT_MIN_S      30
#define KIOSK_CONFIG_IDLE_TIMEOUT_MAX_S      3600
#define KIOSK_CONFIG_IDLE_TIMEOUT_DEFAULT_S  120

typedef struct {
  /* [kiosk] */
  char     *kiosk_id;
  char     *location;
  char     *data_dir;        /* holds queue.db: an absolute path other than /,
                              * a directory or creatable, not writable by others */
  char     *forms_dir;       /* extra/overriding form files; may not exist */
  guint     idle_timeout_s;  /* 30–3600, default 120 */
  gboolean  onscreen_keyboard; /* default TRUE */
  /* [platform]; token_url NULL when no platform is configured */
  char     *token_url;
  char     *submission_api;
  char     *client_id;
  char     *client_secret_file;
  char     *ca_file;         /* may be NULL: system trust store */
  /* [destination NAME] groups, in file order: KioskDestinationConfig* */
  GPtrArray *destinations;
  /* the files that were read, in order (empty for the demo default) */
  GPtrArray *files;
  gboolean   is_demo;
  /* The merged key file, for modules that read their own groups
   * ([queue], [sync], [printer], [receipt], [clerk] …). */
  GKeyFile *keyfile;
} KioskConfig;

/* One problem: where and what. */
typedef struct {
  char *file;      /* may be NULL for the embedded default */
  char *group;     /* may be NULL */
  char *key;       /* may be NULL */
  char *message;   /* a sentence saying what to fix */
  gboolean warning; /* TRUE: works, but should be fixed (e.g. secret file too open) */
} KioskConfigProblem;

void          kiosk_config_problem_free (KioskConfigProblem *problem);
/* "file: [group] key: message" */
char         *kiosk_config_problem_to_string (const KioskConfigProblem *problem);

/* Loads the configuration. @path: NULL for the default lookup (environment
 * variable, then /etc, then the embedded demo default), or a file. Returns
 * NULL and sets @error when it cannot be used; @problems (may be NULL)
 * receives every problem found, warnings included. */
KioskConfig  *kiosk_config_load          (const char  *path,
                                          GPtrArray  **problems,
                                          GError     **error);
void          kiosk_config_free          (KioskConfig *config);

/* The destination that receives form @form_id, or NULL. */
const KioskDestinationConfig *
              kiosk_config_destination_for_form (const KioskConfig *config,
                                                 const char        *form_id);

/* The default lookup with another system configuration directory than
 * SYSCONFDIR (for tests): ANTRAGSKIOSK_CONFIG, then
 * @sysconfdir/antragskiosk/kiosk.conf and kiosk.conf.d/NAME.conf, then the
 * embedded demo default. */
KioskConfig  *kiosk_config_load_lookup   (const char  *sysconfdir,
                                          GPtrArray  **problems,
                                          GError     **error);

/* The embedded demo default, whatever files exist. */
KioskConfig  *kiosk_config_load_demo     (GPtrArray  **problems,
                                          GError     **error);

/* The file that set @group/@key (the last one that did), or NULL when the
 * key is not set or comes from the embedded default. */
const char   *kiosk_config_get_origin    (const KioskConfig *config,
                                          const char        *group,
                                          const char        *key);

/* The value of @group/@key as a path: a relative path is taken relative to
 * the directory of the file that set it (as for every path in the
 * configuration). NULL when not set. For modules reading their own groups. */
char         *kiosk_config_get_path      (const KioskConfig *config,
                                          const char        *group,
                                          const char        *key);

/* Checks what the configuration points to, at time @now (NULL: now):
 * every destination's key_file and trust_anchor (readable; the JWK verified
 * completely with kiosk_key_load, a warning when its certificate expires
 * within 30 days), client_secret_file (readable, not empty; a warning when
 * group or others may read it) and ca_file; and the keys of [sync],
 * [printer] and [receipt] (unknown keys, types, ranges, files), with a
 * warning when group or others may read the receipt MAC key or the file
 * that sets [clerk] pin_hash. kiosk_config_load does not do this, so that
 * one bad key only puts its forms out of service. Appends
 * KioskConfigProblem* to @problems; returns FALSE when one is an error. */
gboolean      kiosk_config_check_files   (const KioskConfig  *config,
                                          GDateTime          *now,
                                          GPtrArray          *problems);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskConfig, kiosk_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskConfigProblem, kiosk_config_problem_free)

G_END_DECLS
