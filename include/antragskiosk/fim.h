/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Import of FIM XDatenfelder messages (XDF 2.0 and XDF 3.0.0: Stammdaten-
 * schema and Datenfeldgruppe messages) as kiosk forms (docs/fim.md). The
 * XML is parsed with libxml2 without network access, without external
 * entities or DTD loading (a document with a DOCTYPE is refused), with a
 * depth and a size limit; every error names file:line. Nothing is read
 * but the files given. */

#define KIOSK_FIM_ERROR (kiosk_fim_error_quark ())
GQuark kiosk_fim_error_quark (void);

typedef enum {
  KIOSK_FIM_ERROR_IO,          /* the file cannot be read (size, type, permission) */
  KIOSK_FIM_ERROR_XML,         /* not well-formed XML, a DOCTYPE, too deep */
  KIOSK_FIM_ERROR_NOT_XDF,     /* XML, but no XDatenfelder 2.0/3.0 message we import */
  KIOSK_FIM_ERROR_INVALID,     /* an XDF message missing what a form needs, or too large */
} KioskFimError;

/* Largest XDF or genericode file read (bytes). Published Stammdatenschemata
 * are a few hundred KiB up to a few MiB (every element is written out in
 * full wherever it is used). */
#define KIOSK_FIM_MAX_FILE       (32u * 1024 * 1024)
/* Deepest element nesting of the XML (libxml2's own limit is 256). */
#define KIOSK_FIM_MAX_XML_DEPTH  128
/* Deepest nesting of Datenfeldgruppen taken apart (deeper: an error). */
#define KIOSK_FIM_MAX_GROUP_DEPTH 24
/* Most datenfeld elements in one message. */
#define KIOSK_FIM_MAX_FIELDS     10000
/* The "max" of a repeatable group whose FIM multiplicity is unbounded
 * ("0:*"); the form format's limit (docs/forms.md). */
#define KIOSK_FIM_UNBOUNDED_MAX  100

/* Code lists given as genericode files (--codelists), found by their
 * canonical URI and version. */
typedef struct _KioskFimCodeLists KioskFimCodeLists;

KioskFimCodeLists *kiosk_fim_code_lists_new  (void);
void               kiosk_fim_code_lists_free (KioskFimCodeLists *lists);
/* Adds the genericode document @data (@length bytes); @file names it in
 * messages. FALSE with KIOSK_FIM_ERROR when it is not a genericode code
 * list (the message names file:line). */
gboolean           kiosk_fim_code_lists_add_data (KioskFimCodeLists *lists,
                                                  const char        *data,
                                                  gsize              length,
                                                  const char        *file,
                                                  GError           **error);
/* Adds every regular file named *.xml or *.gc in @dir (not its
 * subdirectories). Each file that cannot be used is one line
 * "FILE[:LINE]: message" in @problems (char*); the others are added.
 * FALSE only when @dir cannot be read. */
gboolean           kiosk_fim_code_lists_add_dir  (KioskFimCodeLists *lists,
                                                  const char        *dir,
                                                  GPtrArray         *problems,
                                                  GError           **error);
guint              kiosk_fim_code_lists_count    (const KioskFimCodeLists *lists);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskFimCodeLists, kiosk_fim_code_lists_free)

typedef enum {
  KIOSK_FIM_NOTE_UNMAPPED,   /* a datenfeld that did not become an input (counted in unmapped) */
  KIOSK_FIM_NOTE_RULE,       /* a regel that did not become a condition */
  KIOSK_FIM_NOTE_WARNING,    /* mapped, but not one to one (what differs) */
} KioskFimNoteKind;

/* One thing the report lists on stderr. */
typedef struct {
  KioskFimNoteKind kind;
  guint  line;         /* in the XDF file; 0 when unknown */
  char  *fim_id;       /* "F60000227", "G…", "R…" (may be NULL) */
  char  *fim_version;  /* may be NULL */
  char  *name;         /* the element's name (may be NULL) */
  char  *message;      /* why: a sentence */
} KioskFimNote;

/* The outcome of importing one XDF message. */
typedef struct {
  char      *file;
  int        xdf_version;  /* 2 or 3 */
  char      *fim_id;       /* S… (Stammdatenschema) or G… (Datenfeldgruppe message) */
  char      *fim_version;
  char      *form_id;      /* lower-case fim_id */
  char      *form_version; /* MAJOR.MINOR.PATCH */
  char      *form_json;    /* the form definition (docs/forms.md), loads without problems */
  char      *map_tsv;      /* key → FIM element table (docs/fim.md, "Data") */
  guint      datenfelder;  /* datenfeld elements in the message */
  guint      fields;       /* of them, mapped to a form element */
  guint      unmapped;     /* of them, not: fields + unmapped == datenfelder */
  guint      groups;       /* datenfeldgruppe elements mapped (page, group or heading) */
  guint      rules;        /* regel elements that became conditions */
  guint      rules_total;  /* regel elements (each identifikation once) */
  GPtrArray *notes;        /* of KioskFimNote*, in document order */
} KioskFimResult;

void kiosk_fim_result_free (KioskFimResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskFimResult, kiosk_fim_result_free)

/* Options of an import. */
typedef struct {
  const KioskFimCodeLists *code_lists;  /* may be NULL */
  const char              *leika;       /* 14-digit LeiKa key, or NULL ("unknown") */
  const char              *lang;        /* language key of the texts: "de" (NULL: "de") */
} KioskFimOptions;

/* Imports the XDF message @data (@length bytes, need not be
 * NUL-terminated; @file names it in messages). NULL with KIOSK_FIM_ERROR
 * whose message starts "FILE:LINE: " when the message cannot be imported. */
KioskFimResult *kiosk_fim_import_data (const char            *data,
                                       gsize                  length,
                                       const char            *file,
                                       const KioskFimOptions *options,
                                       GError               **error);
/* Reads @path with kiosk_file_read() (a regular file of at most
 * KIOSK_FIM_MAX_FILE bytes) and imports it. */
KioskFimResult *kiosk_fim_import_file (const char            *path,
                                       const KioskFimOptions *options,
                                       GError               **error);

/* "FILE: form=ID fields=N unmapped=U groups=G rules=R" */
char *kiosk_fim_result_report_line (const KioskFimResult *result);
/* "FILE:LINE: F… V…  \"name\": not imported: why" and the like. */
char *kiosk_fim_note_to_string (const KioskFimResult *result,
                                const KioskFimNote   *note);

G_END_DECLS
