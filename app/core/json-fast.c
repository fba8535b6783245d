/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json-fast-private.h"

/* The form loader's fast pass (docs/architecture.md, "Form loading"):
 * one strict RFC 8259 pass over text already checked to be UTF-8 that
 * builds the json-glib tree the loader walks, and on the way notes where
 * each object starts and refuses duplicate keys — what json-glib's parser
 * signals gave the slow pass, at a third of the cost. It gives up (NULL)
 * on anything it does not take, even valid JSON it could parse (escaped
 * NUL, lone surrogates, integers beyond 64 bits, very deep nesting): then
 * json-glib's parser runs and the slow pass reports. */

#define MAX_DEPTH 256

typedef struct {
  const char *p;
  const char *end;
  guint       line;
  guint       column;     /* of col_mark */
  const char *col_mark;   /* column counted up to here */
  GHashTable *object_pos; /* JsonObject → packed (line << 20 | column) */
  GString    *buffer;     /* unescaped strings */
  guint       depth;
} Parser;

static void
skip_ws (Parser *ps)
{
  while (ps->p < ps->end)
    {
      char c = *ps->p;

      if (c == ' ' || c == '\t' || c == '\r')
        ps->p++;
      else if (c == '\n')
        {
          ps->p++;
          ps->line++;
          ps->column = 1;
          ps->col_mark = ps->p;
        }
      else
        break;
    }
}

/* The column of ps->p: characters since the line start, plus one. */
static guint
column_here (Parser *ps)
{
  for (const char *q = ps->col_mark; q < ps->p; q++)
    ps->column += (*q & 0xC0) != 0x80;
  ps->col_mark = ps->p;
  return ps->column;
}

static int
hex4 (const char *s)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (s[i]);
      if (d < 0)
        return -1;
      value = value * 16 + d;
    }
  return value;
}

/* A string at ps->p (the opening quote). Returns a pointer valid until the
 * next call: into a NUL-free copy in ps->buffer. */
static const char *
parse_string (Parser *ps,
              gsize  *length_out)
{
  const char *start = ++ps->p;

  /* The common case: no escapes. */
  while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' && (guchar) *ps->p >= 0x20)
    ps->p++;
  if (ps->p >= ps->end || (guchar) *ps->p < 0x20)
    return NULL;
  g_string_truncate (ps->buffer, 0);
  g_string_append_len (ps->buffer, start, ps->p - start);
  while (*ps->p != '"')
    {
      if (*ps->p == '\\')
        {
          int u, low;

          if (ps->end - ps->p < 2)
            return NULL;
          ps->p++;
          switch (*ps->p++)
            {
            case '"': g_string_append_c (ps->buffer, '"'); break;
            case '\\': g_string_append_c (ps->buffer, '\\'); break;
            case '/': g_string_append_c (ps->buffer, '/'); break;
            case 'b': g_string_append_c (ps->buffer, '\b'); break;
            case 'f': g_string_append_c (ps->buffer, '\f'); break;
            case 'n': g_string_append_c (ps->buffer, '\n'); break;
            case 'r': g_string_append_c (ps->buffer, '\r'); break;
            case 't': g_string_append_c (ps->buffer, '\t'); break;
            case 'u':
              if (ps->end - ps->p < 4)
                return NULL;
              u = hex4 (ps->p);
              ps->p += 4;
              if (u <= 0 || (u >= 0xDC00 && u <= 0xDFFF))
                return NULL;  /* NUL or a lone low surrogate */
              if (u >= 0xD800 && u <= 0xDBFF)
                {
                  if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u')
                    return NULL;
                  low = hex4 (ps->p + 2);
                  if (low < 0xDC00 || low > 0xDFFF)
                    return NULL;
                  ps->p += 6;
                  u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
                }
              g_string_append_unichar (ps->buffer, (gunichar) u);
              break;
            default:
              return NULL;
            }
        }
      else if ((guchar) *ps->p < 0x20)
        return NULL;
      else
        g_string_append_c (ps->buffer, *ps->p++);
      if (ps->p >= ps->end)
        return NULL;
    }
  ps->p++;  /* the closing quote */
  *length_out = ps->buffer->len;
  return ps->buffer->str;
}

static JsonNode *parse_value (Parser *ps);

static JsonNode *
parse_number (Parser *ps)
{
  const char *start = ps->p;
  gboolean integer = TRUE;
  char text[64];
  char *end = NULL;
  JsonNode *node;

  if (*ps->p == '-')
    ps->p++;
  if (ps->p >= ps->end || !g_ascii_isdigit (*ps->p))
    return NULL;
  if (*ps->p == '0')
    ps->p++;
  else
    while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
      ps->p++;
  if (ps->p < ps->end && *ps->p == '.')
    {
      integer = FALSE;
      ps->p++;
      if (ps->p >= ps->end || !g_ascii_isdigit (*ps->p))
        return NULL;
      while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
        ps->p++;
    }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E'))
    {
      integer = FALSE;
      ps->p++;
      if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
        ps->p++;
      if (ps->p >= ps->end || !g_ascii_isdigit (*ps->p))
        return NULL;
      while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
        ps->p++;
    }
  if ((gsize) (ps->p - start) >= sizeof text)
    return NULL;
  memcpy (text, start, ps->p - start);
  text[ps->p - start] = '\0';
  node = json_node_alloc ();
  errno = 0;
  if (integer)
    {
      gint64 value = g_ascii_strtoll (text, &end, 10);

      if (errno != 0 || *end != '\0')
        {
          json_node_free (node);
          return NULL;  /* beyond 64 bits: json-glib decides */
        }
      return json_node_init_int (node, value);
    }
  {
    double value = g_ascii_strtod (text, &end);

    if (errno != 0 || *end != '\0')
      {
        json_node_free (node);
        return NULL;
      }
    return json_node_init_double (node, value);
  }
}

static gboolean
literal (Parser     *ps,
         const char *word,
         gsize       length)
{
  if ((gsize) (ps->end - ps->p) < length || memcmp (ps->p, word, length) != 0)
    return FALSE;
  ps->p += length;
  return TRUE;
}

static JsonNode *
parse_object (Parser *ps)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_init_object (json_node_alloc (), object);
  guint line = ps->line, column = column_here (ps);

  json_object_unref (object);  /* the node holds it */
  g_hash_table_insert (ps->object_pos, object, GSIZE_TO_POINTER (((gsize) line << 20) | (column & 0xFFFFF)));
  ps->p++;  /* { */
  skip_ws (ps);
  if (ps->p < ps->end && *ps->p == '}')
    {
      ps->p++;
      return node;
    }
  for (;;)
    {
      g_autofree char *name = NULL;
      const char *text;
      gsize length = 0;
      JsonNode *value;
      guint size;

      if (ps->p >= ps->end || *ps->p != '"')
        goto fail;
      text = parse_string (ps, &length);
      if (text == NULL)
        goto fail;
      name = g_strndup (text, length);
      skip_ws (ps);
      if (ps->p >= ps->end || *ps->p != ':')
        goto fail;
      ps->p++;
      skip_ws (ps);
      value = parse_value (ps);
      if (value == NULL)
        goto fail;
      size = json_object_get_size (object);
      json_object_set_member (object, name, value);
      if (json_object_get_size (object) == size)
        goto fail;  /* a duplicate key: the slow pass names it */
      skip_ws (ps);
      if (ps->p < ps->end && *ps->p == ',')
        {
          ps->p++;
          skip_ws (ps);
          continue;
        }
      if (ps->p < ps->end && *ps->p == '}')
        {
          ps->p++;
          return node;
        }
      goto fail;
    }
fail:
  json_node_unref (node);
  return NULL;
}

static JsonNode *
parse_array (Parser *ps)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_init_array (json_node_alloc (), array);

  json_array_unref (array);
  ps->p++;  /* [ */
  skip_ws (ps);
  if (ps->p < ps->end && *ps->p == ']')
    {
      ps->p++;
      return node;
    }
  for (;;)
    {
      JsonNode *value = parse_value (ps);

      if (value == NULL)
        break;
      json_array_add_element (array, value);
      skip_ws (ps);
      if (ps->p < ps->end && *ps->p == ',')
        {
          ps->p++;
          skip_ws (ps);
          continue;
        }
      if (ps->p < ps->end && *ps->p == ']')
        {
          ps->p++;
          return node;
        }
      break;
    }
  json_node_unref (node);
  return NULL;
}

static JsonNode *
parse_value (Parser *ps)
{
  JsonNode *node = NULL;

  if (ps->p >= ps->end || ++ps->depth > MAX_DEPTH)
    return NULL;
  switch (*ps->p)
    {
    case '{':
      node = parse_object (ps);
      break;
    case '[':
      node = parse_array (ps);
      break;
    case '"':
      {
        gsize length = 0;
        const char *text = parse_string (ps, &length);

        if (text != NULL)
          node = json_node_init_string (json_node_alloc (), text);
      }
      break;
    case 't':
      if (literal (ps, "true", 4))
        node = json_node_init_boolean (json_node_alloc (), TRUE);
      break;
    case 'f':
      if (literal (ps, "false", 5))
        node = json_node_init_boolean (json_node_alloc (), FALSE);
      break;
    case 'n':
      if (literal (ps, "null", 4))
        node = json_node_init_null (json_node_alloc ());
      break;
    default:
      node = parse_number (ps);
      break;
    }
  ps->depth--;
  return node;
}

JsonNode *
_kiosk_json_fast_parse (const char *data,
                        gsize       length,
                        GHashTable *object_pos)
{
  Parser ps = { data, data + length, 1, 1, data, object_pos, NULL, 0 };
  JsonNode *root;

  ps.buffer = g_string_sized_new (256);
  skip_ws (&ps);
  root = parse_value (&ps);
  skip_ws (&ps);
  /* It held strings of the text, answers perhaps: wipe before freeing. */
  memset (ps.buffer->str, 0, ps.buffer->allocated_len);
  g_string_free (ps.buffer, TRUE);
  if (root != NULL && ps.p != ps.end)
    g_clear_pointer (&root, json_node_unref);
  if (root == NULL)
    g_hash_table_remove_all (object_pos);
  return root;
}
