/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <antragskiosk/form.h>

#include "json-doc-private.h"

G_BEGIN_DECLS

struct _KioskText {
  guint n_entries;
  struct {
    char lang[8];
    char *text;
  } *entries;
};

KioskText *_kiosk_text_new      (void);
void       _kiosk_text_add      (KioskText *text, const char *lang, const char *value);
void       _kiosk_text_free     (KioskText *text);
void       _kiosk_element_free  (KioskElement *element);
void       _kiosk_code_list_free (KioskCodeList *list);
void       _kiosk_code_free     (KioskCode *code);
KioskForm *_kiosk_form_new      (void);

/* ---- The loader ---------------------------------------------------------
 * A form definition is checked completely, every problem reported with
 * file, line, column and JSON path:
 *   form-loader.c       one load: the JSON text, the document's own members,
 *                       the order of the problems
 *   form-members.c      problems, paths and positions; typed getters
 *   form-elements.c     pages, groups and fields: ids, kinds, keys
 *   form-constraints.c  what a field requires of its value
 *   form-pattern.c      the safety check of a pattern and its match limit
 *   form-codelists.c    the form's code lists
 *   form-expressions.c  expressions: parsing, references, relevance cycles */

#define MAX_GROUP_DEPTH  4
#define MAX_OCCURS       100
#define MAX_ELEMENTS     20000
#define DEFAULT_MAX_LENGTH           200
#define DEFAULT_MAX_LENGTH_MULTILINE 4000

typedef struct {
  guint line;
  guint column;
} Pos;

/* A step of the JSON path to the node being checked; rendered only when a
 * problem is reported. */
typedef struct _PathSeg PathSeg;
struct _PathSeg {
  const PathSeg   *parent;
  const KioskJson *object;  /* the container the step is in */
  const KioskJson *array;
  const char      *key;
  guint            index;
};

typedef struct {
  KioskElement *element;
  const char   *member;
  KioskExpr    *expr;
  Pos           pos;
  char         *path;
} PendingExpr;

typedef struct {
  const char      *file;
  GPtrArray       *problems;
  const KioskJson *root;
  KioskForm       *form;
  GArray          *pending;      /* of PendingExpr */
  GHashTable      *regexes;      /* anchored pattern → GRegex */
  GHashTable      *code_lists;   /* name → KioskCodeList* (borrowed from the form) */
} Loader;


#define MEMBER_SEG(name, parent_seg, obj, k) \
  PathSeg name = { .parent = (parent_seg), .object = (obj), .array = NULL, .key = (k), .index = 0 }
#define ELEMENT_SEG(name, parent_seg, arr, i) \
  PathSeg name = { .parent = (parent_seg), .object = NULL, .array = (arr), .key = NULL, .index = (i) }


/* form-members.c */
/* @s with every control, separator and bidi character written \uXXXX
 * (invalid UTF-8 as \xXX). */
char             *_kiosk_form_escape_controls (const char *s);
void              _kiosk_form_problem_at      (Loader *loader, Pos pos, const char *path,
                                               const char *format, ...) G_GNUC_PRINTF (4, 5);
/* A problem at @node (or, for a missing node, the nearest existing one on
 * @seg's path). */
void              _kiosk_form_problem         (Loader *loader, const KioskJson *node, const PathSeg *seg,
                                               const char *format, ...) G_GNUC_PRINTF (4, 5);
char             *_kiosk_form_path_to_string  (const PathSeg *seg);
Pos               _kiosk_form_node_pos        (Loader *loader, const KioskJson *node, const PathSeg *seg);
void              _kiosk_form_check_keys      (Loader *loader, const KioskJson *object, const PathSeg *seg,
                                               const char * const *allowed, const char *what);
gunichar          _kiosk_form_forbidden_char  (const char *s, glong *position);
/* Typed getters. Each reports a problem and returns a neutral value when
 * the member is missing (and @required) or has the wrong type. */
const KioskJson  *_kiosk_form_get_member      (Loader *loader, const KioskJson *object, const PathSeg *seg,
                                               const char *key, gboolean required, const char *what);
const char       *_kiosk_form_get_string      (Loader *loader, const KioskJson *object, const PathSeg *seg,
                                               const char *key, gboolean required, const char *what);
gboolean          _kiosk_form_get_bool        (Loader *loader, const KioskJson *object, const PathSeg *seg,
                                               const char *key, gboolean fallback);
gboolean          _kiosk_form_get_integer     (Loader *loader, const KioskJson *object, const PathSeg *seg,
                                               const char *key, gint64 min, gint64 max, gint64 *out);
gboolean          _kiosk_form_get_number      (Loader *loader, const KioskJson *object, const PathSeg *seg,
                                               const char *key, double *out);
KioskText        *_kiosk_form_get_text        (Loader *loader, const KioskJson *object, const PathSeg *seg,
                                               const char *key, gboolean required, const char *what);
gboolean          _kiosk_form_is_element_id   (const char *s);
glong             _kiosk_form_character_at    (const char *source, gsize offset);

/* form-pattern.c */
const char       *_kiosk_form_pattern_problem     (const char *p, gsize *offset);
guint             _kiosk_form_pattern_match_limit (gint max_length);

/* form-expressions.c */
KioskExpr        *_kiosk_form_parse_expr        (Loader *loader, KioskElement *element, const KioskJson *object,
                                                 const PathSeg *seg, const char *key);
void              _kiosk_form_check_expressions (Loader *loader);

/* form-elements.c, form-constraints.c, form-codelists.c */
void              _kiosk_form_parse_page              (Loader *loader, const KioskJson *node, const PathSeg *seg);
void              _kiosk_form_parse_field_constraints (Loader *loader, KioskElement *element,
                                                       const KioskJson *object, const PathSeg *seg);
void              _kiosk_form_parse_code_lists        (Loader *loader, const KioskJson *root, const PathSeg *seg);


G_END_DECLS
