/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-answers"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/i18n.h>
#include <antragskiosk/validate.h>

#include "form-private.h"
#include "json-doc-private.h"

G_DEFINE_QUARK (kiosk-answers-error-quark, kiosk_answers_error)

/* An answer set is a tree of scopes: the root scope holds the answers to
 * every field outside repeatable groups; each instance of a repeatable
 * group is a scope of its own. A scope has one slot per element of the
 * form (indexed by KioskElement.index); only the slots of the elements
 * that belong to it are used. Raw values are what was typed; validation
 * derives the canonical value of each field lazily, because conditions may
 * refer to fields later in the form. */

#define MAX_INSTANCES 100

typedef struct _Scope Scope;

typedef enum {
  STATE_UNKNOWN = 0,
  STATE_BUSY,
  STATE_DONE,
} EvalState;

typedef struct {
  guint8          relevance_state;
  gboolean        relevant;
  guint8          value_state;
  KioskValueType  type;       /* KIOSK_VALUE_NULL when empty or invalid */
  gboolean        boolean;
  double          number;
  char           *string;     /* canonical string value (owned, wiped) */
  char           *error;      /* why the value is invalid (owned) */
} Derived;

struct _Scope {
  Scope              *parent;
  const KioskElement *group;       /* the repeatable group of this instance; NULL for the root */
  guint               n_slots;
  char              **raw;         /* per element: what was typed (owned, wiped) */
  GPtrArray         **instances;   /* per repeatable group element: Scope* */
  Derived            *derived;     /* per element, during a validation run */
};

struct _KioskAnswers {
  KioskForm *form;
  Scope     *root;
};

void
kiosk_secure_free (gpointer data,
                   gssize   length)
{
  if (data == NULL)
    return;
  if (length < 0)
    length = (gssize) strlen (data);
  explicit_bzero (data, (gsize) length);
  g_free (data);
}

static void
secure_str_free (char *s)
{
  kiosk_secure_free (s, -1);
}

static void scope_free (Scope *scope);

static Scope *
scope_new (KioskForm          *form,
           Scope              *parent,
           const KioskElement *group)
{
  Scope *scope = g_new0 (Scope, 1);
  guint n = form->elements->len;

  scope->parent = parent;
  scope->group = group;
  scope->n_slots = n;
  scope->raw = g_new0 (char *, n);
  scope->instances = g_new0 (GPtrArray *, n);
  scope->derived = g_new0 (Derived, n);
  for (guint i = 0; i < n; i++)
    {
      const KioskElement *element = g_ptr_array_index (form->elements, i);

      if (kiosk_element_is_repeatable (element) && element->scope == group)
        {
          scope->instances[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) scope_free);
          for (guint j = 0; j < element->min_occurs; j++)
            g_ptr_array_add (scope->instances[i], scope_new (form, scope, element));
        }
    }
  return scope;
}

static void
derived_clear (Derived *derived)
{
  g_clear_pointer (&derived->string, secure_str_free);
  g_clear_pointer (&derived->error, g_free);
  memset (derived, 0, sizeof *derived);
}

static void
scope_reset_derived (Scope *scope)
{
  for (guint i = 0; i < scope->n_slots; i++)
    {
      derived_clear (&scope->derived[i]);
      if (scope->instances[i] != NULL)
        for (guint j = 0; j < scope->instances[i]->len; j++)
          scope_reset_derived (g_ptr_array_index (scope->instances[i], j));
    }
}

static void
scope_free (Scope *scope)
{
  if (scope == NULL)
    return;
  for (guint i = 0; i < scope->n_slots; i++)
    {
      g_clear_pointer (&scope->raw[i], secure_str_free);
      derived_clear (&scope->derived[i]);
      if (scope->instances[i] != NULL)
        g_ptr_array_unref (scope->instances[i]);
    }
  g_free (scope->raw);
  g_free (scope->instances);
  g_free (scope->derived);
  g_free (scope);
}

KioskAnswers *
kiosk_answers_new (KioskForm *form)
{
  KioskAnswers *answers = g_new0 (KioskAnswers, 1);

  answers->form = kiosk_form_ref (form);
  answers->root = scope_new (form, NULL, NULL);
  return answers;
}

void
kiosk_answers_free (KioskAnswers *answers)
{
  if (answers == NULL)
    return;
  scope_free (answers->root);
  kiosk_form_unref (answers->form);
  g_free (answers);
}

KioskForm *
kiosk_answers_get_form (KioskAnswers *answers)
{
  return answers->form;
}

void
kiosk_answers_clear (KioskAnswers *answers)
{
  scope_free (answers->root);
  answers->root = scope_new (answers->form, NULL, NULL);
}

void
kiosk_answer_problem_free (KioskAnswerProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->path);
  g_free (problem->instances);
  g_free (problem->message);
  g_free (problem);
}

/* Finding scopes. */

/* The scope, from @scope outwards, whose instances hold @element's answers. */
static Scope *
owner_scope (Scope              *scope,
             const KioskElement *element)
{
  while (scope != NULL && scope->group != element->scope)
    scope = scope->parent;
  return scope;
}

/* Walks down from the root to the instance named by @instances (one index
 * per repeatable ancestor of @element). */
static Scope *
scope_for_path (KioskAnswers       *answers,
                const KioskElement *element,
                const guint        *instances,
                guint               n_instances)
{
  Scope *scope = answers->root;

  if (element->scope == NULL)
    return scope;
  if (n_instances < 1)
    return NULL;
  {
    GPtrArray *list = scope->instances[element->scope->index];
    if (list == NULL || instances[0] >= list->len)
      return NULL;
    return g_ptr_array_index (list, instances[0]);
  }
}

/* The UI's and the file reader's way to put answers in. */

gboolean
kiosk_answers_set_value (KioskAnswers       *answers,
                         const KioskElement *field,
                         const guint        *instances,
                         guint               n_instances,
                         const char         *value)
{
  Scope *scope;

  g_return_val_if_fail (kiosk_kind_is_input (field->kind), FALSE);
  scope = scope_for_path (answers, field, instances, n_instances);
  if (scope == NULL)
    return FALSE;
  g_clear_pointer (&scope->raw[field->index], secure_str_free);
  if (value != NULL && *value != '\0')
    scope->raw[field->index] = g_strdup (value);
  return TRUE;
}

const char *
kiosk_answers_get_value (KioskAnswers       *answers,
                         const KioskElement *field,
                         const guint        *instances,
                         guint               n_instances)
{
  Scope *scope = scope_for_path (answers, field, instances, n_instances);

  return scope != NULL ? scope->raw[field->index] : NULL;
}

guint
kiosk_answers_count_instances (KioskAnswers       *answers,
                               const KioskElement *group)
{
  GPtrArray *list;

  g_return_val_if_fail (kiosk_element_is_repeatable (group), 0);
  list = answers->root->instances[group->index];
  return list != NULL ? list->len : 0;
}

gboolean
kiosk_answers_add_instance (KioskAnswers       *answers,
                            const KioskElement *group)
{
  GPtrArray *list;

  g_return_val_if_fail (kiosk_element_is_repeatable (group), FALSE);
  list = answers->root->instances[group->index];
  if (list == NULL || list->len >= group->max_occurs)
    return FALSE;
  g_ptr_array_add (list, scope_new (answers->form, answers->root, group));
  return TRUE;
}

gboolean
kiosk_answers_remove_instance (KioskAnswers       *answers,
                               const KioskElement *group,
                               guint               instance)
{
  GPtrArray *list;

  g_return_val_if_fail (kiosk_element_is_repeatable (group), FALSE);
  list = answers->root->instances[group->index];
  if (list == NULL || instance >= list->len)
    return FALSE;
  g_ptr_array_remove_index (list, instance);
  return TRUE;
}

/* Reading an answers file (docs/forms.md "Answers"). */

/* The shortest decimal text that reads back as @value ("7.1", not
 * "7.0999999999999996" as "%.17g" writes it). */
static void
format_shortest (char *buffer, gsize size, double value)
{
  for (int precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, (gint) size, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        return;
    }
}

static char *
json_value_to_raw (const KioskJson *node)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  switch (node->type)
    {
    case KIOSK_JSON_STRING:
      return g_strndup (node->v.string, node->length);
    case KIOSK_JSON_BOOLEAN:
      return g_strdup (node->v.boolean ? "true" : "false");
    case KIOSK_JSON_INTEGER:
      return g_strdup_printf ("%" G_GINT64_FORMAT, node->v.integer);
    case KIOSK_JSON_DOUBLE:
      format_shortest (buffer, sizeof buffer, node->v.number);
      return g_strdup (buffer);
    case KIOSK_JSON_NULL:
    case KIOSK_JSON_OBJECT:
    case KIOSK_JSON_ARRAY:
    default:
      return NULL;
    }
}

static gboolean
read_object (KioskAnswers  *answers,
             Scope         *scope,
             const KioskJson *object,
             const char    *prefix,
             GError       **error)
{
  for (guint32 m = 0; m < object->length; m++)
    {
      const char *id = object->v.members[m].key;
      const KioskJson *node = &object->v.members[m].value;
      const KioskElement *element = kiosk_form_lookup (answers->form, id);
      g_autofree char *where = g_strconcat (prefix, id, NULL);

      if (element == NULL || element->kind == KIOSK_KIND_PAGE
          || (element->kind == KIOSK_KIND_GROUP && !kiosk_element_is_repeatable (element)))
        {
          g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                       _("“%s”: the form “%s” has no field with this id"), where, answers->form->id);
          return FALSE;
        }
      if (element->kind == KIOSK_KIND_STATIC)
        {
          g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                       _("“%s”: this is a text to read, not a question; remove it from the answers"), where);
          return FALSE;
        }
      if (element->scope != scope->group)
        {
          g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                       element->scope != NULL
                       ? _("“%s”: this field belongs inside the repeatable group “%s”")
                       : _("“%s”: this field does not belong inside a repeatable group%s"),
                       where, element->scope != NULL ? element->scope->id : "");
          return FALSE;
        }

      if (kiosk_element_is_repeatable (element))
        {
          GPtrArray *list = scope->instances[element->index];
          if (!kiosk_json_is_array (node))
            {
              g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                           _("“%s”: a repeatable group takes an array of objects, one per entry"), where);
              return FALSE;
            }
          if (node->length > MAX_INSTANCES)
            {
              g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                           _("“%s”: more than %d entries"), where, MAX_INSTANCES);
              return FALSE;
            }
          g_ptr_array_set_size (list, 0);
          for (guint i = 0; i < node->length; i++)
            {
              const KioskJson *item = &node->v.elements[i];
              g_autofree char *item_prefix = g_strdup_printf ("%s[%u].", where, i + 1);
              Scope *instance;

              if (!kiosk_json_is_object (item))
                {
                  g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                               _("“%s[%u]”: each entry of a repeatable group is an object of answers"), where, i + 1);
                  return FALSE;
                }
              instance = scope_new (answers->form, scope, element);
              g_ptr_array_add (list, instance);
              if (!read_object (answers, instance, item, item_prefix, error))
                return FALSE;
            }
          continue;
        }

      if (node->type == KIOSK_JSON_NULL)
        continue;
      if (node->type == KIOSK_JSON_OBJECT || node->type == KIOSK_JSON_ARRAY)
        {
          g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                       _("“%s”: the answer must be a single value (text, number or true/false)"), where);
          return FALSE;
        }
      g_clear_pointer (&scope->raw[element->index], secure_str_free);
      scope->raw[element->index] = json_value_to_raw (node);
    }
  return TRUE;
}

KioskAnswers *
kiosk_answers_new_from_json (KioskForm   *form,
                             const char  *json,
                             gssize       length,
                             GError     **error)
{
  g_autoptr(KioskAnswers) answers = NULL;
  g_autoptr(KioskJsonDoc) doc = NULL;
  const GPtrArray *problems;
  const KioskJson *root;

  if (length < 0)
    length = (gssize) strlen (json);
  /* Our strict parser (json-doc.c): positions in its messages, and its
   * arena is wiped when it is freed. */
  doc = kiosk_json_doc_parse (json, (gsize) length);
  problems = kiosk_json_doc_get_problems (doc);
  if (problems->len > 0)
    {
      const KioskJsonProblem *first = g_ptr_array_index (problems, 0);
      g_autofree char *where = g_strdup_printf ("%u:%u: %s", first->line, first->column, first->message);

      g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_SYNTAX,
                   _("The answers are not valid JSON: %s"), where);
      return NULL;
    }
  root = kiosk_json_doc_get_root (doc);
  if (!kiosk_json_is_object (root))
    {
      g_set_error_literal (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_STRUCTURE,
                           _("The answers must be a JSON object keyed by field id."));
      return NULL;
    }
  answers = kiosk_answers_new (form);
  if (!read_object (answers, answers->root, root, "", error))
    return NULL;
  return g_steal_pointer (&answers);
}

/* Validation. */

typedef struct {
  KioskAnswers *answers;
  Scope        *scope;
  const char   *today;
} EvalContext;

static gboolean element_relevant (EvalContext *ctx, Scope *scope, const KioskElement *element);
static Derived *field_value (EvalContext *ctx, Scope *scope, const KioskElement *element);

static void
lookup_cb (const char *name,
           KioskValue *out,
           gpointer    user_data)
{
  EvalContext *ctx = user_data;
  const KioskElement *element = kiosk_form_lookup (ctx->answers->form, name);
  Scope *scope;
  Derived *derived;

  out->type = KIOSK_VALUE_NULL;
  if (element == NULL || !kiosk_kind_is_input (element->kind))
    return;
  scope = owner_scope (ctx->scope, element);
  if (scope == NULL)
    return;
  derived = field_value (ctx, scope, element);
  out->type = derived->type;
  out->boolean = derived->boolean;
  out->number = derived->number;
  out->string = derived->string;
}

static guint
count_cb (const char *name,
          gpointer    user_data)
{
  EvalContext *ctx = user_data;
  const KioskElement *element = kiosk_form_lookup (ctx->answers->form, name);
  Scope *scope;

  if (element == NULL || !kiosk_element_is_repeatable (element))
    return 0;
  scope = owner_scope (ctx->scope, element);
  if (scope == NULL || scope->instances[element->index] == NULL)
    return 0;
  return scope->instances[element->index]->len;
}

static gboolean
eval_in_scope (EvalContext     *ctx,
               Scope           *scope,
               const KioskExpr *expr)
{
  EvalContext inner = *ctx;
  KioskExprEnv env;

  inner.scope = scope;
  env.lookup = lookup_cb;
  env.count = count_cb;
  env.today = ctx->today;
  env.user_data = &inner;
  return kiosk_expr_eval_bool (expr, &env);
}

/* Whether @element (in the instance @scope, or an enclosing one) is asked.
 * A repeatable group's own condition is evaluated outside its instances. */
static gboolean
element_relevant (EvalContext        *ctx,
                  Scope              *scope,
                  const KioskElement *element)
{
  Scope *owner = owner_scope (scope, element);
  Derived *derived;

  if (owner == NULL)
    return FALSE;
  derived = &owner->derived[element->index];
  if (derived->relevance_state == STATE_DONE)
    return derived->relevant;
  if (derived->relevance_state == STATE_BUSY)
    return FALSE;   /* a circle; the loader rejects those */
  derived->relevance_state = STATE_BUSY;
  derived->relevant = TRUE;
  /* The parent's owner is found from here outwards: for a repeatable
   * group that is the scope around its instances. */
  if (element->parent != NULL)
    derived->relevant = element_relevant (ctx, owner, element->parent);
  if (derived->relevant && element->relevant != NULL)
    derived->relevant = eval_in_scope (ctx, owner, element->relevant);
  derived->relevance_state = STATE_DONE;
  return derived->relevant;
}

static void
trim (const char *raw, const char **start, gsize *length)
{
  const char *s = raw, *e = raw + strlen (raw);

  while (s < e && g_ascii_isspace (*s))
    s++;
  while (e > s && g_ascii_isspace (e[-1]))
    e--;
  *start = s;
  *length = (gsize) (e - s);
}

/* A number field takes at most this many decimal places (the message
 * that says so names the figure: keep them together). */
#define MAX_NUMBER_DECIMALS 12

/* A text value may have at most this many bytes (UTF-8, after NFC) per
 * character of its max_length: room for a letter with several combining
 * marks in every position, not for a flood of them (docs/forms.md). */
#define TEXT_MAX_BYTES_PER_CHARACTER 16

static gsize
text_max_bytes (const KioskElement *element)
{
  return (gsize) element->max_length * TEXT_MAX_BYTES_PER_CHARACTER;
}

/* The bidi embedding, override and isolate controls (U+202A–U+202E,
 * U+2066–U+2069) make a text show other than it reads; no field takes
 * them. @s is @length bytes of UTF-8 (not yet checked: a byte sequence
 * that is not UTF-8 is found later). */
static gboolean
has_bidi_control (const char *s,
                  gsize       length)
{
  /* All are E2 80 AA–AE or E2 81 A6–A9. */
  for (gsize i = 0; i + 2 < length; i++)
    if ((guchar) s[i] == 0xe2
        && (((guchar) s[i + 1] == 0x80 && (guchar) s[i + 2] >= 0xaa && (guchar) s[i + 2] <= 0xae)
            || ((guchar) s[i + 1] == 0x81 && (guchar) s[i + 2] >= 0xa6 && (guchar) s[i + 2] <= 0xa9)))
      return TRUE;
  return FALSE;
}

/* Parses a decimal number as typed in Germany or in JSON: optional sign,
 * digits, one decimal comma or point. Thousands separators are refused:
 * "1.234" would be ambiguous. */
static gboolean
parse_decimal (const char *raw,
               gboolean    integer_only,
               guint       max_decimals,
               double     *out,
               char      **error)
{
  g_autofree char *copy = NULL;
  const char *s;
  gsize length, i = 0, decimals = 0;
  gboolean digits = FALSE, point = FALSE;

  trim (raw, &s, &length);
  copy = g_strndup (s, length);
  /* "12,50 €", "€ 12,50" */
  if (max_decimals == 2)
    {
      char *euro = strstr (copy, "€");
      if (euro != NULL)
        {
          memmove (euro, euro + strlen ("€"), strlen (euro + strlen ("€")) + 1);
          g_strstrip (copy);
        }
    }
  length = strlen (copy);
  if (i < length && (copy[i] == '-' || copy[i] == '+'))
    i++;
  for (; i < length; i++)
    {
      if (g_ascii_isdigit (copy[i]))
        {
          digits = TRUE;
          if (point)
            decimals++;
        }
      else if ((copy[i] == ',' || copy[i] == '.') && !point && !integer_only)
        {
          point = TRUE;
          copy[i] = '.';
        }
      else
        {
          *error = g_strdup (integer_only
                             ? _("Please enter a whole number, using digits only.")
                             : _("Please enter a number, using digits and at most one decimal comma, without thousands separators."));
          return FALSE;
        }
    }
  if (!digits)
    {
      *error = g_strdup (integer_only ? _("Please enter a whole number, using digits only.")
                                      : _("Please enter a number, using digits."));
      return FALSE;
    }
  if (decimals > max_decimals)
    {
      /* Only a currency amount is limited to cents; a number field to
       * MAX_NUMBER_DECIMALS places. */
      *error = g_strdup (max_decimals == 2 ? _("Please enter an amount with at most two decimal places (cents).")
                                           : _("Please enter a number with at most 12 decimal places."));
      return FALSE;
    }
  *out = g_ascii_strtod (copy, NULL);
  if (!isfinite (*out) || fabs (*out) > 1e15)
    {
      *error = g_strdup (_("This number is too large."));
      return FALSE;
    }
  return TRUE;
}

static char *
format_number_for_message (double value, gboolean currency)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char *s;

  if (currency)
    s = g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.2f", value));
  else
    {
      format_shortest (buffer, sizeof buffer, value);
      s = g_strdup (buffer);
    }
  /* Every kiosk language but English writes a decimal comma. */
  if (!g_str_equal (kiosk_i18n_get_language (), "en"))
    g_strdelimit (s, ".", ',');
  return s;
}

static gboolean
date_add_years (const char *iso, int years, char out[11])
{
  int y, m, d;

  if (sscanf (iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return FALSE;
  y += years;
  /* 29 February plus years in a non-leap year: 1 March (the person
   * reaches their age on the day after 28 February). */
  if (m == 2 && d == 29 && !g_date_is_leap_year ((GDateYear) y))
    {
      m = 3;
      d = 1;
    }
  g_snprintf (out, 11, "%04d-%02d-%02d", y, m, d);
  return TRUE;
}

static int
whole_years_between (const char *birth, const char *today)
{
  int by, bm, bd, ty, tm, td, years;

  if (sscanf (birth, "%4d-%2d-%2d", &by, &bm, &bd) != 3 || sscanf (today, "%4d-%2d-%2d", &ty, &tm, &td) != 3)
    return -1;
  years = ty - by;
  if (tm < bm || (tm == bm && td < bd))
    years--;
  return years;
}

static void
format_date_for_message (const char *iso, char out[11])
{
  /* TT.MM.JJJJ, as DIN 5008 writes it. */
  g_snprintf (out, 11, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

/* Checks the typed value of @element against its kind and constraints and
 * stores the canonical value, or the reason it is invalid. */
static void
derive_value (EvalContext        *ctx,
              Scope              *scope,
              const KioskElement *element,
              Derived            *derived)
{
  const char *raw = scope->raw[element->index];
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  const char *s;
  gsize length;

  derived->type = KIOSK_VALUE_NULL;

  if (element->kind == KIOSK_KIND_CHECKBOX)
    {
      if (raw == NULL)
        {
          derived->type = KIOSK_VALUE_BOOL;
          derived->boolean = FALSE;
          return;
        }
      trim (raw, &s, &length);
      derived->type = KIOSK_VALUE_BOOL;
      if ((length == 4 && g_ascii_strncasecmp (s, "true", 4) == 0) || (length == 1 && s[0] == '1')
          || (length == 2 && g_ascii_strncasecmp (s, "ja", 2) == 0) || (length == 3 && g_ascii_strncasecmp (s, "yes", 3) == 0))
        derived->boolean = TRUE;
      else if ((length == 5 && g_ascii_strncasecmp (s, "false", 5) == 0) || (length == 1 && s[0] == '0')
               || (length == 4 && g_ascii_strncasecmp (s, "nein", 4) == 0) || (length == 2 && g_ascii_strncasecmp (s, "no", 2) == 0)
               || length == 0)
        derived->boolean = FALSE;
      else
        {
          derived->type = KIOSK_VALUE_NULL;
          derived->error = g_strdup (_("Please tick the box or leave it empty."));
        }
      return;
    }

  if (raw == NULL)
    return;
  trim (raw, &s, &length);
  if (length == 0)
    return;

  switch (element->kind)
    {
    case KIOSK_KIND_TEXT:
    case KIOSK_KIND_MULTILINE:
    case KIOSK_KIND_EMAIL:
    case KIOSK_KIND_PHONE:
    case KIOSK_KIND_NAME:
      {
        g_autofree char *text = NULL;
        glong chars;

        /* Bytes as well as characters: a glyph is a base character with
         * its combining marks, so a flood of marks would put megabytes
         * into a short field (and the queue). Checked first, before any
         * work proportional to the input. */
        if (element->max_length >= 0 && length > text_max_bytes (element))
          {
            derived->error = g_strdup (_("This text is too long: it has too many accents or other marks on its letters. "
                                         "Please shorten it."));
            return;
          }
        if (has_bidi_control (s, length))
          {
            derived->error = g_strdup (_("The text contains an invisible character that changes the writing direction; "
                                         "please remove it."));
            return;
          }
        text = g_strndup (s, length);
        if (element->kind == KIOSK_KIND_EMAIL)
          {
            if (!kiosk_validate_email (text, &normalized, &error))
              goto invalid;
          }
        else if (element->kind == KIOSK_KIND_PHONE)
          {
            if (!kiosk_validate_phone (text, &normalized, &error))
              goto invalid;
          }
        else if (element->kind == KIOSK_KIND_NAME)
          {
            if (!kiosk_validate_din91379 (text, KIOSK_DIN_TYPE_A, &normalized, &error))
              goto invalid;
          }
        else
          {
            normalized = kiosk_utf8_nfc (text, -1);
            if (normalized == NULL)
              {
                derived->error = g_strdup (_("The text contains characters that cannot be read; please type it again."));
                return;
              }
            for (const char *p = normalized; *p != '\0'; p = g_utf8_next_char (p))
              {
                gunichar c = g_utf8_get_char (p);
                gboolean allowed_break = element->kind == KIOSK_KIND_MULTILINE && (c == '\n' || c == '\t' || c == '\r');
                if ((g_unichar_iscntrl (c) && !allowed_break) || c == 0x2028 || c == 0x2029)
                  {
                    derived->error = g_strdup (element->kind == KIOSK_KIND_MULTILINE
                                               ? _("The text contains an invisible control character; please remove it.")
                                               : _("Please write this on one line, without line breaks or control characters."));
                    return;
                  }
              }
          }
        chars = kiosk_text_length (normalized);
        if (element->min_length >= 0 && chars < element->min_length)
          {
            derived->error = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "Please enter at least %d character; you entered %ld.",
                                                           "Please enter at least %d characters; you entered %ld.",
                                                           (gulong) element->min_length),
                                              element->min_length, chars);
            return;
          }
        if (element->max_length >= 0 && chars > element->max_length)
          {
            derived->error = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "Please enter at most %d character; you entered %ld.",
                                                           "Please enter at most %d characters; you entered %ld.",
                                                           (gulong) element->max_length),
                                              element->max_length, chars);
            return;
          }
        if (element->max_length >= 0 && strlen (normalized) > text_max_bytes (element))
          {
            derived->error = g_strdup (_("This text is too long: it has too many accents or other marks on its letters. "
                                         "Please shorten it."));
            return;
          }
        if (element->pattern != NULL)
          {
            g_autoptr(GError) match_error = NULL;

            if (!g_regex_match_full (element->pattern, normalized, -1, 0, 0, NULL, &match_error))
              {
                if (match_error != NULL)
                  {
                    /* The pattern reached its match limit (form-loader.c):
                     * a fault of the form, not of the visitor's input, and
                     * never a pass. The administrator learns which field;
                     * the value is not logged. */
                    g_warning ("The pattern of the field \"%s\" (line %u of the form definition of \"%s\") could not "
                               "check a value: %s; the value was refused. Simplify the pattern (see docs/forms.md, "
                               "\"pattern\") and check the form with antragskiosk-ctl check-forms",
                               element->id, element->line, ctx->answers->form->id,
                               g_error_matches (match_error, G_REGEX_ERROR, G_REGEX_ERROR_MATCH)
                               ? "it needed more backtracking steps than the limit" : "the match failed");
                    derived->error = g_strdup (_("This entry cannot be checked because of a fault in the form. "
                                                 "Please ask the staff for help."));
                    return;
                  }
                derived->error = g_strdup (kiosk_text_get (element->pattern_message, NULL));
                return;
              }
          }
        derived->type = KIOSK_VALUE_STRING;
        derived->string = g_steal_pointer (&normalized);
        return;
      }

    case KIOSK_KIND_NUMBER:
    case KIOSK_KIND_INTEGER:
    case KIOSK_KIND_CURRENCY:
      {
        double value = 0;
        gboolean currency = element->kind == KIOSK_KIND_CURRENCY;

        if (!parse_decimal (raw, element->kind == KIOSK_KIND_INTEGER, currency ? 2 : MAX_NUMBER_DECIMALS, &value,
                            &derived->error))
          return;
        if (currency)
          value = round (value * 100.0) / 100.0;
        if (element->has_min && value < element->min)
          {
            g_autofree char *bound = format_number_for_message (element->min, currency);
            derived->error = g_strdup_printf (currency ? _("Please enter an amount of at least %s €.")
                                                       : _("Please enter a number of at least %s."), bound);
            return;
          }
        if (element->has_max && value > element->max)
          {
            g_autofree char *bound = format_number_for_message (element->max, currency);
            derived->error = g_strdup_printf (currency ? _("Please enter an amount of at most %s €.")
                                                       : _("Please enter a number of at most %s."), bound);
            return;
          }
        derived->type = KIOSK_VALUE_NUMBER;
        derived->number = value;
        return;
      }

    case KIOSK_KIND_DATE:
      {
        const char *today = ctx->today;
        char bound[11], shown[11];

        if (!kiosk_validate_date (raw, &normalized, &error))
          goto invalid;
        if (element->not_future && strcmp (normalized, today) > 0)
          {
            derived->error = g_strdup (_("This date may not lie in the future."));
            return;
          }
        if (element->not_past && strcmp (normalized, today) < 0)
          {
            derived->error = g_strdup (_("This date may not lie in the past."));
            return;
          }
        if (element->min_date != NULL && strcmp (normalized, element->min_date) < 0)
          {
            format_date_for_message (element->min_date, shown);
            derived->error = g_strdup_printf (_("Please enter a date on or after %s."), shown);
            return;
          }
        if (element->max_date != NULL && strcmp (normalized, element->max_date) > 0)
          {
            format_date_for_message (element->max_date, shown);
            derived->error = g_strdup_printf (_("Please enter a date on or before %s."), shown);
            return;
          }
        /* Born on @normalized, at least min_age today: birth + min_age <= today. */
        if (element->min_age >= 0 && date_add_years (normalized, element->min_age, bound) && strcmp (bound, today) > 0)
          {
            derived->error = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "The person must be at least %d year old.",
                                                           "The person must be at least %d years old.",
                                                           (gulong) element->min_age),
                                              element->min_age);
            return;
          }
        if (element->max_age >= 0 && whole_years_between (normalized, today) > element->max_age)
          {
            derived->error = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "The person may be at most %d year old.",
                                                           "The person may be at most %d years old.",
                                                           (gulong) element->max_age),
                                              element->max_age);
            return;
          }
        derived->type = KIOSK_VALUE_STRING;
        derived->string = g_steal_pointer (&normalized);
        return;
      }

    case KIOSK_KIND_SELECT:
    case KIOSK_KIND_RADIO:
      {
        g_autofree char *code = g_strndup (s, length);

        if (element->code_list == NULL || kiosk_code_list_lookup (element->code_list, code) == NULL)
          {
            derived->error = g_strdup (_("Please choose one of the offered options."));
            return;
          }
        derived->type = KIOSK_VALUE_STRING;
        derived->string = g_steal_pointer (&code);
        return;
      }

    case KIOSK_KIND_IBAN:
      if (!kiosk_validate_iban (raw, &normalized, &error))
        goto invalid;
      break;
    case KIOSK_KIND_POSTCODE:
      if (!kiosk_validate_postcode (raw, &normalized, &error))
        goto invalid;
      break;
    case KIOSK_KIND_TAXID:
      if (!kiosk_validate_tax_id (raw, &normalized, &error))
        goto invalid;
      break;

    case KIOSK_KIND_CHECKBOX:
    case KIOSK_KIND_PAGE:
    case KIOSK_KIND_GROUP:
    case KIOSK_KIND_STATIC:
    case KIOSK_N_KINDS:
    default:
      return;
    }
  derived->type = KIOSK_VALUE_STRING;
  derived->string = g_steal_pointer (&normalized);
  return;

invalid:
  derived->error = g_strdup (error != NULL ? error->message : _("This input is not valid."));
  if (normalized != NULL)
    secure_str_free (g_steal_pointer (&normalized));
}

/* The value of @element as conditions see it: null unless relevant and
 * valid. */
static Derived *
field_value (EvalContext        *ctx,
             Scope              *scope,
             const KioskElement *element)
{
  Derived *derived = &scope->derived[element->index];

  if (derived->value_state == STATE_DONE || derived->value_state == STATE_BUSY)
    return derived;
  derived->value_state = STATE_BUSY;
  if (element_relevant (ctx, scope, element))
    derive_value (ctx, scope, element, derived);
  derived->value_state = STATE_DONE;
  return derived;
}

static void
add_problem (GPtrArray          *problems,
             const KioskElement *element,
             Scope              *scope,
             const char         *message)
{
  KioskAnswerProblem *problem = g_new0 (KioskAnswerProblem, 1);
  GString *path = g_string_new (NULL);

  problem->element = element;
  problem->message = g_strdup (message);
  if (scope != NULL && scope->group != NULL)
    {
      GPtrArray *list = scope->parent->instances[scope->group->index];
      guint index = 0;

      for (guint i = 0; i < list->len; i++)
        if (g_ptr_array_index (list, i) == scope)
          index = i;
      problem->instances = g_new (guint, 1);
      problem->instances[0] = index;
      problem->n_instances = 1;
      g_string_append_printf (path, "%s[%u].", scope->group->id, index + 1);
    }
  g_string_append (path, element->id);
  problem->path = g_string_free (path, FALSE);
  g_ptr_array_add (problems, problem);
}

static gboolean
is_required (EvalContext        *ctx,
             Scope              *scope,
             const KioskElement *element)
{
  if (element->required)
    return TRUE;
  return element->required_if != NULL && eval_in_scope (ctx, scope, element->required_if);
}

static void
validate_container (EvalContext        *ctx,
                    Scope              *scope,
                    const KioskElement *container,
                    GPtrArray          *problems)
{
  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *element = g_ptr_array_index (container->children, i);

      if (!element_relevant (ctx, scope, element))
        continue;
      if (kiosk_element_is_repeatable (element))
        {
          GPtrArray *list = scope->instances[element->index];

          if (list->len < element->min_occurs)
            {
              g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                       "Please add at least %u entry.",
                                                                       "Please add at least %u entries.",
                                                                       element->min_occurs),
                                                          element->min_occurs);
              add_problem (problems, element, scope, message);
            }
          else if (list->len > element->max_occurs)
            {
              g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                       "Please enter at most %u entry.",
                                                                       "Please enter at most %u entries.",
                                                                       element->max_occurs),
                                                          element->max_occurs);
              add_problem (problems, element, scope, message);
            }
          for (guint j = 0; j < list->len; j++)
            validate_container (ctx, g_ptr_array_index (list, j), element, problems);
          continue;
        }
      if (element->kind == KIOSK_KIND_GROUP)
        {
          validate_container (ctx, scope, element, problems);
          continue;
        }
      if (!kiosk_kind_is_input (element->kind))
        continue;

      {
        Derived *derived = field_value (ctx, scope, element);
        gboolean empty = scope->raw[element->index] == NULL;

        if (derived->error != NULL)
          add_problem (problems, element, scope, derived->error);
        else if (element->kind == KIOSK_KIND_CHECKBOX && !derived->boolean && is_required (ctx, scope, element))
          add_problem (problems, element, scope, _("Please tick this box to continue."));
        else if (element->kind != KIOSK_KIND_CHECKBOX && (empty || derived->type == KIOSK_VALUE_NULL))
          {
            if (is_required (ctx, scope, element))
              add_problem (problems, element, scope,
                           element->kind == KIOSK_KIND_SELECT || element->kind == KIOSK_KIND_RADIO
                           ? _("Please choose an option.") : _("Please fill in this field."));
          }
        else if (element->constraint != NULL && !eval_in_scope (ctx, scope, element->constraint))
          add_problem (problems, element, scope, kiosk_text_get (element->constraint_message, NULL));
      }
    }
}

void
kiosk_date_today (const char *today, char out[11])
{
  g_autoptr(GDateTime) now = NULL;

  if (today != NULL)
    {
      g_strlcpy (out, today, 11);
      return;
    }
  now = g_date_time_new_now_local ();
  g_snprintf (out, 11, "%04d-%02d-%02d", g_date_time_get_year (now), g_date_time_get_month (now),
              g_date_time_get_day_of_month (now));
}

static gboolean
run_validation (KioskAnswers  *answers,
                const char    *today,
                GPtrArray    **problems_out)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_answer_problem_free);
  char day[11];
  EvalContext ctx;

  kiosk_date_today (today, day);
  ctx.answers = answers;
  ctx.scope = answers->root;
  ctx.today = day;
  scope_reset_derived (answers->root);
  for (guint i = 0; i < answers->form->pages->len; i++)
    {
      const KioskElement *page = g_ptr_array_index (answers->form->pages, i);
      if (element_relevant (&ctx, answers->root, page))
        validate_container (&ctx, answers->root, page, problems);
    }
  if (problems_out != NULL)
    *problems_out = g_ptr_array_ref (problems);
  return problems->len == 0;
}

gboolean
kiosk_answers_is_relevant (KioskAnswers       *answers,
                           const KioskElement *element,
                           const guint        *instances,
                           guint               n_instances,
                           const char         *today)
{
  char day[11];
  EvalContext ctx;
  Scope *scope;

  g_return_val_if_fail (answers != NULL && element != NULL, FALSE);
  scope = kiosk_element_is_repeatable (element) ? answers->root
                                                : scope_for_path (answers, element, instances, n_instances);
  if (scope == NULL)
    return FALSE;
  kiosk_date_today (today, day);
  ctx.answers = answers;
  ctx.scope = scope;
  ctx.today = day;
  scope_reset_derived (answers->root);
  return element_relevant (&ctx, scope, element);
}

gboolean
kiosk_answers_validate (KioskAnswers  *answers,
                        const char    *today,
                        GPtrArray    **problems)
{
  return run_validation (answers, today, problems);
}

/* The canonical data JSON, written by hand into one buffer that is wiped
 * whenever it grows, so that no stray copy of the plaintext stays behind
 * in freed memory. */

typedef struct {
  char  *data;
  gsize  length;
  gsize  capacity;
} SecureBuffer;

static void
buffer_reserve (SecureBuffer *buffer, gsize extra)
{
  char *bigger;
  gsize capacity = buffer->capacity;

  if (buffer->length + extra + 1 <= buffer->capacity)
    return;
  while (buffer->length + extra + 1 > capacity)
    capacity = capacity < 256 ? 256 : capacity * 2;
  bigger = g_malloc (capacity);
  if (buffer->data != NULL)
    {
      memcpy (bigger, buffer->data, buffer->length);
      kiosk_secure_free (buffer->data, (gssize) buffer->capacity);
    }
  buffer->data = bigger;
  buffer->capacity = capacity;
}

static void
buffer_append (SecureBuffer *buffer, const char *s, gsize length)
{
  buffer_reserve (buffer, length);
  memcpy (buffer->data + buffer->length, s, length);
  buffer->length += length;
  buffer->data[buffer->length] = '\0';
}

static void
buffer_append_str (SecureBuffer *buffer, const char *s)
{
  buffer_append (buffer, s, strlen (s));
}

static void
buffer_append_json_string (SecureBuffer *buffer, const char *s)
{
  static const char hex[] = "0123456789abcdef";

  buffer_append (buffer, "\"", 1);
  for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
    {
      char escape[7];

      switch (*p)
        {
        case '"':
          buffer_append (buffer, "\\\"", 2);
          break;
        case '\\':
          buffer_append (buffer, "\\\\", 2);
          break;
        case '\n':
          buffer_append (buffer, "\\n", 2);
          break;
        case '\r':
          buffer_append (buffer, "\\r", 2);
          break;
        case '\t':
          buffer_append (buffer, "\\t", 2);
          break;
        default:
          if (*p < 0x20)
            {
              escape[0] = '\\';
              escape[1] = 'u';
              escape[2] = '0';
              escape[3] = '0';
              escape[4] = hex[*p >> 4];
              escape[5] = hex[*p & 0xf];
              buffer_append (buffer, escape, 6);
            }
          else
            buffer_append (buffer, (const char *) p, 1);
        }
    }
  buffer_append (buffer, "\"", 1);
}

static void
buffer_append_key (SecureBuffer *buffer, gboolean *first, const char *key)
{
  if (!*first)
    buffer_append (buffer, ",", 1);
  *first = FALSE;
  buffer_append_json_string (buffer, key);
  buffer_append (buffer, ":", 1);
}

static void
write_container (EvalContext        *ctx,
                 Scope              *scope,
                 const KioskElement *container,
                 SecureBuffer       *buffer,
                 gboolean           *first)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *element = g_ptr_array_index (container->children, i);

      if (!element_relevant (ctx, scope, element))
        continue;
      if (kiosk_element_is_repeatable (element))
        {
          GPtrArray *list = scope->instances[element->index];

          buffer_append_key (buffer, first, element->id);
          buffer_append (buffer, "[", 1);
          for (guint j = 0; j < list->len; j++)
            {
              gboolean inner_first = TRUE;

              if (j > 0)
                buffer_append (buffer, ",", 1);
              buffer_append (buffer, "{", 1);
              write_container (ctx, g_ptr_array_index (list, j), element, buffer, &inner_first);
              buffer_append (buffer, "}", 1);
            }
          buffer_append (buffer, "]", 1);
          continue;
        }
      if (element->kind == KIOSK_KIND_GROUP)
        {
          write_container (ctx, scope, element, buffer, first);
          continue;
        }
      if (!kiosk_kind_is_input (element->kind))
        continue;
      {
        Derived *derived = field_value (ctx, scope, element);

        switch (derived->type)
          {
          case KIOSK_VALUE_NULL:
            break;
          case KIOSK_VALUE_BOOL:
            buffer_append_key (buffer, first, element->id);
            buffer_append_str (buffer, derived->boolean ? "true" : "false");
            break;
          case KIOSK_VALUE_NUMBER:
            buffer_append_key (buffer, first, element->id);
            if (element->kind == KIOSK_KIND_INTEGER)
              g_snprintf (number, sizeof number, "%.0f", derived->number);
            else if (element->kind == KIOSK_KIND_CURRENCY)
              g_ascii_formatd (number, sizeof number, "%.2f", derived->number);
            else
              format_shortest (number, sizeof number, derived->number);
            buffer_append_str (buffer, number);
            break;
          case KIOSK_VALUE_STRING:
          default:
            buffer_append_key (buffer, first, element->id);
            buffer_append_json_string (buffer, derived->string);
            break;
          }
      }
    }
}

char *
kiosk_answers_to_data (KioskAnswers  *answers,
                       const char    *today,
                       gsize         *length,
                       GError       **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  SecureBuffer buffer = { NULL, 0, 0 };
  gboolean first = TRUE;
  char day[11];
  EvalContext ctx;

  kiosk_date_today (today, day);
  if (!run_validation (answers, day, &problems))
    {
      g_set_error (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE, "%u answer needs correcting.", "%u answers need correcting.",
                                problems->len), problems->len);
      return NULL;
    }
  ctx.answers = answers;
  ctx.scope = answers->root;
  ctx.today = day;

  buffer_reserve (&buffer, 4096);
  buffer_append_str (&buffer, "{\"$schema\":");
  buffer_append_json_string (&buffer, answers->form->schema_uri);
  buffer_append_str (&buffer, ",\"form\":{\"id\":");
  buffer_append_json_string (&buffer, answers->form->id);
  buffer_append_str (&buffer, ",\"version\":");
  buffer_append_json_string (&buffer, answers->form->version);
  buffer_append_str (&buffer, "},\"data\":{");
  for (guint i = 0; i < answers->form->pages->len; i++)
    {
      const KioskElement *page = g_ptr_array_index (answers->form->pages, i);
      if (element_relevant (&ctx, answers->root, page))
        write_container (&ctx, answers->root, page, &buffer, &first);
    }
  buffer_append_str (&buffer, "}}");
  scope_reset_derived (answers->root);
  if (length != NULL)
    *length = buffer.length;
  return buffer.data;
}
