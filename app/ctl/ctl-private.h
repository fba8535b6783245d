/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each subcommand of antragskiosk-ctl lives in app/ctl/ctl-<name>.c and is
 * dispatched from the table in ctl-main.c. It receives the arguments after
 * the subcommand name (argv[0] is the subcommand) and returns the exit
 * status: 0 success, 1 the thing checked has problems / the operation
 * failed, 2 usage error. Usage errors print one line to stderr that says
 * what is wrong and to try --help. */
typedef int (*KioskCtlCommand) (int argc, char **argv);

/* Parses @entries from argv (GOptionContext, with --help), printing a
 * usage error and returning FALSE on failure. */
gboolean _kiosk_ctl_parse_options (int           *argc,
                                   char        ***argv,
                                   const char    *parameter_string,
                                   const char    *summary,
                                   GOptionEntry  *entries);

/* Prints "antragskiosk-ctl: <message>" to stderr. */
void     _kiosk_ctl_error         (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* The form catalog for a command: bundled forms plus @forms_dir, or the
 * configured forms directory when @forms_dir is NULL. Prints the problem
 * and returns NULL when the configuration or the forms cannot be used. */
struct _KioskCatalog;
struct _KioskCatalog *_kiosk_ctl_open_catalog (const char *config_path,
                                               const char *forms_dir);

/* The form @form_id of @catalog; prints the problem when there is none. */
struct _KioskForm *_kiosk_ctl_lookup_form (struct _KioskCatalog *catalog,
                                           const char           *form_id);
/* The whole of @file ("-": standard input); prints the problem and
 * returns NULL when it cannot be read. */
char     *_kiosk_ctl_read_input   (const char *file,
                                   gsize      *length);
/* TRUE when @value is NULL or a real date YYYY-MM-DD; else prints a usage
 * error naming @option. */
gboolean  _kiosk_ctl_check_date   (const char *option,
                                   const char *value);
/* One "path: message" line per KioskAnswerProblem on stdout. */
void      _kiosk_ctl_print_answer_problems (GPtrArray *problems);

int _kiosk_ctl_forms        (int argc, char **argv);
int _kiosk_ctl_check_forms  (int argc, char **argv);
int _kiosk_ctl_validate     (int argc, char **argv);
int _kiosk_ctl_schema       (int argc, char **argv);
int _kiosk_ctl_import_fim   (int argc, char **argv);
int _kiosk_ctl_check_config (int argc, char **argv);
int _kiosk_ctl_hash_pin     (int argc, char **argv);
int _kiosk_ctl_receipt      (int argc, char **argv);
int _kiosk_ctl_queue        (int argc, char **argv);
int _kiosk_ctl_submit       (int argc, char **argv);
int _kiosk_ctl_sync         (int argc, char **argv);
int _kiosk_ctl_status       (int argc, char **argv);
int _kiosk_ctl_destinations (int argc, char **argv);

G_END_DECLS
