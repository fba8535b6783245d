/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-answers"

/* The canonical data JSON of an answer set (answers-private.h). */

#include "config.h"

#include <string.h>

#include <antragskiosk/answers.h>

#include "answers-private.h"

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

/* What the data JSON holds for @derived, unquoted (@number is the
 * buffer a number is written into); NULL when it is empty or invalid. */
static const char *
canonical_text (const KioskElement *element,
                const Derived      *derived,
                char               *number,
                gsize               size)
{
  switch (derived->type)
    {
    case KIOSK_VALUE_NULL:
      return NULL;
    case KIOSK_VALUE_BOOL:
      return derived->boolean ? "true" : "false";
    case KIOSK_VALUE_NUMBER:
      if (element->kind == KIOSK_KIND_INTEGER)
        g_snprintf (number, size, "%.0f", derived->number);
      else if (element->kind == KIOSK_KIND_CURRENCY)
        g_ascii_formatd (number, size, "%.2f", derived->number);
      else
        _kiosk_answers_format_shortest (number, size, derived->number);
      return number;
    case KIOSK_VALUE_STRING:
    default:
      return derived->string;
    }
}

static void
write_container (EvalContext        *ctx,
                 Scope              *scope,
                 const KioskElement *container,
                 SecureBuffer       *buffer,
                 gboolean           *first)
{
  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *element = g_ptr_array_index (container->children, i);

      if (!_kiosk_answers_element_relevant (ctx, scope, element))
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
        Derived *derived = _kiosk_answers_field_value (ctx, scope, element);
        char number[G_ASCII_DTOSTR_BUF_SIZE];
        const char *text = canonical_text (element, derived, number, sizeof number);

        if (text == NULL)
          continue;
        buffer_append_key (buffer, first, element->id);
        if (derived->type == KIOSK_VALUE_STRING)
          buffer_append_json_string (buffer, text);
        else
          buffer_append_str (buffer, text);
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
  if (!_kiosk_answers_run_validation (answers, day, &problems))
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
      if (_kiosk_answers_element_relevant (&ctx, answers->root, page))
        write_container (&ctx, answers->root, page, &buffer, &first);
    }
  buffer_append_str (&buffer, "}}");
  _kiosk_answers_reset_derived (answers->root);
  if (length != NULL)
    *length = buffer.length;
  return buffer.data;
}

char *
kiosk_answers_get_canonical (KioskAnswers       *answers,
                             const KioskElement *element,
                             const guint        *instances,
                             guint               n_instances,
                             const char         *today)
{
  char day[11];
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  EvalContext ctx;
  Derived *derived;

  g_return_val_if_fail (answers != NULL && element != NULL, NULL);
  if (!kiosk_kind_is_input (element->kind))
    return NULL;
  if (!_kiosk_answers_begin_eval_at (&ctx, answers, element, instances, n_instances, today, day))
    return NULL;
  derived = _kiosk_answers_field_value (&ctx, ctx.scope, element);
  return g_strdup (canonical_text (element, derived, number, sizeof number));
}
