/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The condition language of form definitions (docs/forms.md, section
 * "Expressions"). An expression is parsed once, when its form is loaded,
 * into an immutable tree that can be evaluated any number of times, from
 * any thread. Parsing never crashes and never recurses without bound, on
 * any input. */

#define KIOSK_EXPR_ERROR (kiosk_expr_error_quark ())
GQuark kiosk_expr_error_quark (void);

typedef enum {
  KIOSK_EXPR_ERROR_SYNTAX,     /* not a valid expression */
  KIOSK_EXPR_ERROR_TOO_LONG,   /* longer than KIOSK_EXPR_MAX_LENGTH bytes */
  KIOSK_EXPR_ERROR_TOO_DEEP,   /* nested deeper than KIOSK_EXPR_MAX_DEPTH */
  KIOSK_EXPR_ERROR_FUNCTION,   /* unknown function or wrong number of arguments */
} KioskExprError;

#define KIOSK_EXPR_MAX_LENGTH 4096
#define KIOSK_EXPR_MAX_DEPTH  64

typedef enum {
  KIOSK_VALUE_NULL,
  KIOSK_VALUE_BOOL,
  KIOSK_VALUE_NUMBER,
  KIOSK_VALUE_STRING,
} KioskValueType;

/* A value during evaluation. @string is borrowed: it belongs to whoever
 * produced the value (the lookup callback's owner, or the expression). */
typedef struct {
  KioskValueType type;
  gboolean boolean;
  double number;
  const char *string;
} KioskValue;

typedef struct _KioskExpr KioskExpr;

/* Parses @source. On failure returns NULL, sets @error with a message that
 * says what is wrong in plain words ("expected ')' after the arguments of
 * count"), and stores the byte offset of the problem in *error_offset (may
 * be NULL). */
KioskExpr   *kiosk_expr_parse            (const char *source,
                                          gsize      *error_offset,
                                          GError    **error);
void         kiosk_expr_free             (KioskExpr *expr);
const char  *kiosk_expr_get_source       (const KioskExpr *expr);

typedef enum {
  KIOSK_EXPR_REF_VALUE,   /* an identifier used as a value: a field */
  KIOSK_EXPR_REF_COUNT,   /* the argument of count(): a repeatable group */
} KioskExprRefKind;

/* Called for every identifier the expression refers to, with the byte
 * offset of the identifier in the source. @name stays valid as long as
 * the expression. Return FALSE and set @error to
 * reject it (the loader checks for dangling references this way). */
typedef gboolean (*KioskExprRefFunc) (const char        *name,
                                      KioskExprRefKind   kind,
                                      gsize              offset,
                                      gpointer           user_data,
                                      GError           **error);

gboolean     kiosk_expr_check_refs       (const KioskExpr  *expr,
                                          KioskExprRefFunc  func,
                                          gpointer          user_data,
                                          GError          **error);

/* Called for every comparison of an identifier with a string literal
 * (`x == 'a'`, `'a' != x`, `x in ['a', 'b']`: once per literal), so the
 * loader can check that a code-list field is compared with one of its
 * codes. */
typedef gboolean (*KioskExprLiteralFunc) (const char  *name,
                                          const char  *literal,
                                          gsize        offset,
                                          gpointer     user_data,
                                          GError     **error);

gboolean     kiosk_expr_check_literals   (const KioskExpr      *expr,
                                          KioskExprLiteralFunc  func,
                                          gpointer              user_data,
                                          GError              **error);

/* The evaluation environment. @lookup fills @out with the current value
 * of field @name (KIOSK_VALUE_NULL when empty, invalid or not relevant);
 * the strings it hands out must stay valid for the whole evaluation (a
 * comparison holds two at once); @count returns the number of instances of repeatable group @name;
 * @today is today's date as ISO "YYYY-MM-DD" (for age() and today()). */
typedef struct {
  void       (*lookup) (const char *name, KioskValue *out, gpointer user_data);
  guint      (*count)  (const char *name, gpointer user_data);
  const char  *today;
  gpointer     user_data;
} KioskExprEnv;

/* Evaluates @expr and returns its truth: TRUE only for boolean true, a
 * non-zero number or a non-empty string. Type mismatches at run time
 * (`'a' + 1`) yield null, never a crash. */
gboolean     kiosk_expr_eval_bool        (const KioskExpr    *expr,
                                          const KioskExprEnv *env);

/* Evaluates @expr and returns its value as JSON text ("null", "true",
 * "3.5", "\"abc\""), newly allocated. For tests and debugging. */
char        *kiosk_expr_eval_to_json     (const KioskExpr    *expr,
                                          const KioskExprEnv *env);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskExpr, kiosk_expr_free)

G_END_DECLS
