/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "config.h"

#include "expr.h"

G_BEGIN_DECLS

/* Form definitions (docs/forms.md): loading, checking, the in-memory model,
 * and the catalog of available forms. A loaded KioskForm is immutable and
 * may be shared between threads. */

#define KIOSK_FORM_ERROR (kiosk_form_error_quark ())
GQuark kiosk_form_error_quark (void);

typedef enum {
  KIOSK_FORM_ERROR_SYNTAX,     /* not JSON */
  KIOSK_FORM_ERROR_INVALID,    /* JSON, but not a valid form; see the problems */
  KIOSK_FORM_ERROR_NOT_FOUND,  /* no form with that id */
  KIOSK_FORM_ERROR_IO,
} KioskFormError;

typedef enum {
  KIOSK_KIND_PAGE,
  KIOSK_KIND_GROUP,
  KIOSK_KIND_TEXT,
  KIOSK_KIND_MULTILINE,
  KIOSK_KIND_NUMBER,
  KIOSK_KIND_INTEGER,
  KIOSK_KIND_CURRENCY,
  KIOSK_KIND_DATE,
  KIOSK_KIND_SELECT,
  KIOSK_KIND_RADIO,
  KIOSK_KIND_CHECKBOX,
  KIOSK_KIND_EMAIL,
  KIOSK_KIND_PHONE,
  KIOSK_KIND_IBAN,
  KIOSK_KIND_POSTCODE,
  KIOSK_KIND_TAXID,
  KIOSK_KIND_NAME,
  KIOSK_KIND_STATIC,
  KIOSK_N_KINDS
} KioskKind;

/* "text", "iban", … as written in form files; "page" for pages. */
const char   *kiosk_kind_to_string     (KioskKind kind);
gboolean      kiosk_kind_is_input      (KioskKind kind);  /* has a value */
gboolean      kiosk_kind_is_container  (KioskKind kind);  /* page or group */

/* A language map ({"de": …, "en": …}); German always present. */
typedef struct _KioskText KioskText;

/* The text in @lang, falling back to German. @lang NULL means the current
 * language (kiosk_i18n_get_language()). Never NULL for a non-NULL @text. */
const char   *kiosk_text_get           (const KioskText *text, const char *lang);
/* Whether @text has its own entry in @lang (no fallback). */
gboolean      kiosk_text_has_language  (const KioskText *text, const char *lang);

typedef struct {
  char      *code;
  KioskText *label;
} KioskCode;

typedef struct {
  char      *name;
  char      *uri;       /* may be NULL */
  char      *version;   /* may be NULL */
  GPtrArray *codes;     /* of KioskCode*, in definition order */
  GHashTable *by_code;  /* code → KioskCode* (borrowed from codes); NULL: look up in codes */
} KioskCodeList;

/* The entry for @code, or NULL; constant time for a loaded form. */
const KioskCode *kiosk_code_list_lookup (const KioskCodeList *list, const char *code);

typedef struct _KioskElement KioskElement;

struct _KioskElement {
  KioskKind      kind;
  char          *id;
  guint          index;        /* position in the form's element array */
  KioskText     *label;        /* title of a page, label otherwise */
  KioskText     *help;         /* may be NULL */
  KioskText     *placeholder;  /* may be NULL */
  KioskElement  *parent;       /* NULL for pages */
  KioskElement  *page;         /* the page this element is on (itself for a page) */
  KioskElement  *scope;        /* the nearest enclosing repeatable group, or NULL */
  GPtrArray     *children;     /* of KioskElement*, pages and groups only */

  guint          min_occurs;   /* groups; 1 otherwise */
  guint          max_occurs;

  KioskExpr     *relevant;     /* NULL: always relevant */
  gboolean       required;     /* unconditionally required */
  KioskExpr     *required_if;  /* conditionally required, or NULL */
  KioskExpr     *constraint;   /* NULL when none */
  KioskText     *constraint_message;

  gint           min_length;   /* -1 when not set */
  gint           max_length;   /* -1 when not set (a default applies for text kinds) */
  GRegex        *pattern;      /* anchored; NULL when none */
  char          *pattern_source;
  KioskText     *pattern_message;
  gboolean       has_min, has_max;
  double         min, max;
  KioskCodeList *code_list;    /* select/radio */
  gboolean       not_future, not_past;
  char          *min_date, *max_date;   /* ISO or NULL */
  gint           min_age, max_age;      /* -1 when not set */

  guint          line, column; /* where it is defined in its file */
};

static inline gboolean
kiosk_element_is_repeatable (const KioskElement *element)
{
  return element->kind == KIOSK_KIND_GROUP && element->max_occurs > 1;
}

typedef struct _KioskForm KioskForm;

struct _KioskForm {
  char       *file;          /* where it was loaded from (for messages) */
  char       *id;
  char       *version;
  char       *leika;         /* 14 digits, or NULL when "unknown" */
  char       *schema_uri;
  char       *category;
  KioskText  *title;
  KioskText  *description;   /* may be NULL */
  GPtrArray  *code_lists;    /* of KioskCodeList* */
  GPtrArray  *pages;         /* of KioskElement* */
  GPtrArray  *elements;      /* every element, depth first, definition order */
  GHashTable *by_id;         /* id → KioskElement* */
  grefcount   ref_count;
};

/* One problem found while loading: where and what. */
typedef struct {
  char  *file;
  guint  line, column;   /* 1-based; 0 when unknown */
  char  *path;           /* JSON path, "$.pages[1].items[3].required" */
  char  *message;        /* a sentence saying what to fix */
} KioskFormProblem;

void          kiosk_form_problem_free  (KioskFormProblem *problem);
/* "file:line:col: path: message" */
char         *kiosk_form_problem_to_string (const KioskFormProblem *problem);

/* Loads a form definition from @data (@length bytes, need not be
 * NUL-terminated). @file names it in messages. Returns NULL on failure and
 * sets @error; if @problems is not NULL it receives every problem found
 * (a GPtrArray of KioskFormProblem*), so a caller can list them all. */
KioskForm    *kiosk_form_load_data     (const char  *data,
                                        gsize        length,
                                        const char  *file,
                                        GPtrArray  **problems,
                                        GError     **error);
/* Reads @path with kiosk_file_read(): only a regular file of at most
 * KIOSK_FILE_MAX_FORM bytes (file.h); a FIFO, device, directory or larger
 * file is refused at once, without blocking (KIOSK_FORM_ERROR_IO, and one
 * problem naming it). */
KioskForm    *kiosk_form_load_file     (const char  *path,
                                        GPtrArray  **problems,
                                        GError     **error);

KioskForm    *kiosk_form_ref           (KioskForm *form);
void          kiosk_form_unref         (KioskForm *form);

const KioskElement *kiosk_form_lookup  (const KioskForm *form, const char *id);
/* The form's JSON Schema (draft 2020-12) for its canonical data. */
JsonNode     *kiosk_form_to_json_schema (const KioskForm *form);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskForm, kiosk_form_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskFormProblem, kiosk_form_problem_free)

/* The catalog: the bundled forms (compiled in) plus those in a forms
 * directory, where a file with the same id replaces the bundled form. A
 * broken file in the directory never takes a form out of service: the
 * last good version of that file stays (from @keep_dir, where each file
 * that loads is copied when @update_keep), else the bundled version; the
 * problems are listed in kiosk_catalog_get_problems() and the kept
 * versions in kiosk_catalog_get_kept(). A copy whose file left the
 * directory is deleted (the form was withdrawn). */
/* Where each text of @form (title, description, every element's label,
 * help, placeholder and messages, every code label) lacks @lang: a
 * GPtrArray of newly allocated descriptions such as "$.title" or
 * "element \"familienname\": help", in definition order. Empty when
 * every text has it. */
GPtrArray    *kiosk_form_texts_missing_language (KioskForm *form, const char *lang);

typedef struct _KioskCatalog KioskCatalog;

/* The name of @keep_dir inside the data directory. */
#define KIOSK_CATALOG_KEEP_DIR "forms-in-service"

KioskCatalog *kiosk_catalog_new_full   (const char  *forms_dir,
                                        const char  *keep_dir,
                                        gboolean     update_keep,
                                        GError     **error);
/* The catalog of a configuration: its forms_dir, with the kept copies in
 * DATA_DIR/forms-in-service (updated only with @update_keep: the kiosk
 * and the sync service do; a look from antragskiosk-ctl does not). */
KioskCatalog *kiosk_catalog_new_for_config (const KioskConfig  *config,
                                            gboolean            update_keep,
                                            GError            **error);
/* Without kept copies. */
KioskCatalog *kiosk_catalog_new        (const char *forms_dir, GError **error);
void          kiosk_catalog_free       (KioskCatalog *catalog);
/* Forms sorted by category, then German title. Array of KioskForm*. */
GPtrArray    *kiosk_catalog_get_forms  (KioskCatalog *catalog);
KioskForm    *kiosk_catalog_lookup     (KioskCatalog *catalog, const char *id);
GPtrArray    *kiosk_catalog_get_problems (KioskCatalog *catalog);
/* char*: "FILE: broken; the last good version (form ID, version V) stays in service" */
GPtrArray    *kiosk_catalog_get_kept   (KioskCatalog *catalog);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskCatalog, kiosk_catalog_free)

G_END_DECLS
