/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-form"

/* Reading the tree of a form definition (form-private.h): the problems
 * the loader reports, with file, line, column and JSON path, and the typed
 * getters that report a member of the wrong type. */

#include "config.h"

#include <string.h>

#include <antragskiosk/suggest.h>

#include "form-private.h"

static gboolean
is_forbidden_char (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029
         || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* @s with every control, separator and bidi character written \uXXXX
 * (invalid UTF-8 as \xXX). */
char *
_kiosk_form_escape_controls (const char *s)
{
  GString *out;

  if (s == NULL)
    return NULL;
  out = g_string_sized_new (strlen (s));
  for (const char *p = s; *p != '\0';)
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02X", (guchar) *p);
          p++;
          continue;
        }
      if (is_forbidden_char (c))
        g_string_append_printf (out, "\\u%04X", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}

void
_kiosk_form_problem_at (Loader     *loader,
                        Pos         pos,
                        const char *path,
                        const char *format,
                        ...)
{
  KioskFormProblem *_kiosk_form_problem = g_new0 (KioskFormProblem, 1);
  g_autofree char *message = NULL;
  va_list args;

  _kiosk_form_problem->file = g_strdup (loader->file);
  _kiosk_form_problem->line = pos.line;
  _kiosk_form_problem->column = pos.column;
  /* Keys and values quoted in a path or message are the author's text:
   * no control or bidi character of theirs reaches a terminal or a log. */
  _kiosk_form_problem->path = _kiosk_form_escape_controls (path);
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  _kiosk_form_problem->message = _kiosk_form_escape_controls (message);
  g_ptr_array_add (loader->problems, _kiosk_form_problem);
}

/* Paths and positions of nodes. */

static void
render_path (GString *out, const PathSeg *seg)
{
  if (seg == NULL)
    {
      g_string_append_c (out, '$');
      return;
    }
  render_path (out, seg->parent);
  if (seg->key != NULL)
    g_string_append_printf (out, ".%s", seg->key);
  else
    g_string_append_printf (out, "[%u]", seg->index);
}

char *
_kiosk_form_path_to_string (const PathSeg *seg)
{
  GString *out = g_string_new (NULL);

  render_path (out, seg);
  return g_string_free (out, FALSE);
}

/* Where @node starts; for a missing node (NULL), where the nearest
 * existing node on @seg's path starts. */
Pos
_kiosk_form_node_pos (Loader          *loader,
                      const KioskJson *node,
                      const PathSeg   *seg)
{
  for (; node == NULL && seg != NULL; seg = seg->parent)
    {
      if (seg->object != NULL && seg->key != NULL)
        node = kiosk_json_get (seg->object, seg->key);
      else if (seg->array != NULL && seg->index < seg->array->length)
        node = &seg->array->v.elements[seg->index];
    }
  if (node == NULL)
    node = loader->root;
  if (node == NULL)
    return (Pos) { 1, 1 };
  return (Pos) { node->line, node->column };
}

void
_kiosk_form_problem (Loader          *loader,
                     const KioskJson *node,
                     const PathSeg   *seg,
                     const char      *format,
                     ...)
{
  g_autofree char *path = _kiosk_form_path_to_string (seg);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  _kiosk_form_problem_at (loader, _kiosk_form_node_pos (loader, node, seg), path, "%s", message);
}

/* Every key some element takes (for "does not apply to"). */
static const char * const all_element_keys[] = {
  "id", "kind", "label", "title", "help", "relevant", "items", "min", "max",
  "placeholder", "required", "constraint", "constraint_message", "min_length",
  "max_length", "pattern", "pattern_message", "code_list", "not_future",
  "not_past", "min_date", "max_date", "min_age", "max_age", NULL
};

/* Every key of @object must be one of @allowed; an unknown key is
 * reported where it stands, with the closest allowed key if there is one. */
void
_kiosk_form_check_keys (Loader             *loader,
                        const KioskJson    *object,
                        const PathSeg      *seg,
                        const char * const *allowed,
                        const char         *what)
{
  for (guint32 m = 0; m < object->length; m++)
    {
      const KioskJsonMember *member = &object->v.members[m];
      const char *key = member->key;
      const char *suggestion;
      Pos pos = { member->key_line, member->key_column };
      MEMBER_SEG (member_seg, seg, object, key);
      g_autofree char *path = NULL;

      if (g_strv_contains (allowed, key))
        continue;
      suggestion = kiosk_suggest_word (key, allowed, 2);
      path = _kiosk_form_path_to_string (&member_seg);
      if (suggestion != NULL)
        _kiosk_form_problem_at (loader, pos, path, "unknown key \"%s\" in %s (did you mean \"%s\"?)", key, what, suggestion);
      else if (g_strv_contains (all_element_keys, key))
        _kiosk_form_problem_at (loader, pos, path, "key \"%s\" does not apply to %s; remove it", key, what);
      else
        _kiosk_form_problem_at (loader, pos, path, "unknown key \"%s\" in %s; see docs/forms.md for the keys it takes", key, what);
    }
}

/* Control characters (C0, DEL, C1), the line and paragraph separators and
 * the bidi embedding/override/isolate controls have no place in a form's
 * strings: a title with ESC would drive the terminal `forms` prints to, and
 * a bidi override would show a text other than the one checked. Returns the
 * first such character and its 1-based character position, else 0. */
gunichar
_kiosk_form_forbidden_char (const char *s,
                            glong      *position)
{
  glong n = 0;

  /* The JSON parser hands over valid UTF-8 only. */
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      n++;
      if (is_forbidden_char (c))
        {
          *position = n;
          return c;
        }
    }
  return 0;
}

/* Typed getters. Each reports a _kiosk_form_problem and returns a neutral value when
 * the member is missing (and @required) or has the wrong type. */

const KioskJson *
_kiosk_form_get_member (Loader          *loader,
                        const KioskJson *object,
                        const PathSeg   *seg,
                        const char      *key,
                        gboolean         required,
                        const char      *what)
{
  const KioskJson *node = kiosk_json_get (object, key);

  if (node == NULL && required)
    _kiosk_form_problem (loader, NULL, seg, "%s needs the key \"%s\"", what, key);
  return node;
}

const char *
_kiosk_form_get_string (Loader          *loader,
                        const KioskJson *object,
                        const PathSeg   *seg,
                        const char      *key,
                        gboolean         required,
                        const char      *what)
{
  const KioskJson *node = _kiosk_form_get_member (loader, object, seg, key, required, what);
  gunichar bad;
  glong position = 0;
  MEMBER_SEG (member_seg, seg, object, key);

  if (node == NULL)
    return NULL;
  if (!kiosk_json_is_string (node))
    {
      _kiosk_form_problem (loader, node, &member_seg, "\"%s\" must be a string, not %s", key, kiosk_json_type_name (node));
      return NULL;
    }
  if (*node->v.string == '\0')
    {
      _kiosk_form_problem (loader, node, &member_seg, "\"%s\" must not be empty", key);
      return NULL;
    }
  bad = _kiosk_form_forbidden_char (node->v.string, &position);
  if (bad != 0)
    {
      _kiosk_form_problem (loader, node, &member_seg,
                           "\"%s\" contains the control character U+%04X at character %ld; remove it (form strings may not "
                           "contain control characters, line breaks or bidi controls)", key, bad, position);
      return NULL;
    }
  return node->v.string;
}

gboolean
_kiosk_form_get_bool (Loader          *loader,
                      const KioskJson *object,
                      const PathSeg   *seg,
                      const char      *key,
                      gboolean         fallback)
{
  const KioskJson *node = kiosk_json_get (object, key);
  MEMBER_SEG (member_seg, seg, object, key);

  if (node == NULL)
    return fallback;
  if (node->type != KIOSK_JSON_BOOLEAN)
    {
      _kiosk_form_problem (loader, node, &member_seg, "\"%s\" must be true or false, not %s", key, kiosk_json_type_name (node));
      return fallback;
    }
  return node->v.boolean;
}

gboolean
_kiosk_form_get_integer (Loader          *loader,
                         const KioskJson *object,
                         const PathSeg   *seg,
                         const char      *key,
                         gint64           min,
                         gint64           max,
                         gint64          *out)
{
  const KioskJson *node = kiosk_json_get (object, key);
  MEMBER_SEG (member_seg, seg, object, key);

  if (node == NULL)
    return FALSE;
  if (node->type != KIOSK_JSON_INTEGER)
    {
      _kiosk_form_problem (loader, node, &member_seg, "\"%s\" must be a whole number, not %s", key, kiosk_json_type_name (node));
      return FALSE;
    }
  if (node->v.integer < min || node->v.integer > max)
    {
      _kiosk_form_problem (loader, node, &member_seg, "\"%s\" must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
                           key, min, max);
      return FALSE;
    }
  *out = node->v.integer;
  return TRUE;
}

gboolean
_kiosk_form_get_number (Loader          *loader,
                        const KioskJson *object,
                        const PathSeg   *seg,
                        const char      *key,
                        double          *out)
{
  const KioskJson *node = kiosk_json_get (object, key);
  MEMBER_SEG (member_seg, seg, object, key);

  if (node == NULL)
    return FALSE;
  if (node->type != KIOSK_JSON_INTEGER && node->type != KIOSK_JSON_DOUBLE)
    {
      _kiosk_form_problem (loader, node, &member_seg, "\"%s\" must be a number, not %s", key, kiosk_json_type_name (node));
      return FALSE;
    }
  *out = kiosk_json_get_number (node);
  return TRUE;
}

static gboolean
is_language_code (const char *s)
{
  return strlen (s) == 2 && g_ascii_islower (s[0]) && g_ascii_islower (s[1]);
}

/* Whether the entry @lang: @value of a language map is a usable text
 * (reported where it is not). */
static gboolean
text_entry_ok (Loader          *loader,
               const char      *lang,
               const KioskJson *value,
               const PathSeg   *lang_seg)
{
  gunichar bad;
  glong position = 0;

  if (!is_language_code (lang))
    {
      _kiosk_form_problem (loader, value, lang_seg,
                           "\"%s\" is not a language code; use two lower-case letters (ISO 639-1) such as \"de\" or "
                           "\"en\"", lang);
      return FALSE;
    }
  if (!kiosk_json_is_string (value))
    {
      _kiosk_form_problem (loader, value, lang_seg, "the %s text must be a string, not %s", lang,
                           kiosk_json_type_name (value));
      return FALSE;
    }
  bad = _kiosk_form_forbidden_char (value->v.string, &position);
  if (bad != 0)
    {
      _kiosk_form_problem (loader, value, lang_seg,
                           "the %s text contains the control character U+%04X at character %ld; remove it (form texts "
                           "may not contain control characters such as escape sequences, line breaks or tabs, nor bidi "
                           "controls)", lang, bad, position);
      return FALSE;
    }
  return TRUE;
}

/* Whether no text of @text is blank (reported where one is). */
static gboolean
texts_not_blank (Loader          *loader,
                 const KioskText *text,
                 const KioskJson *map,
                 const PathSeg   *member_seg)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < text->n_entries; i++)
    {
      const char *s = text->entries[i].text;
      while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
      if (*s == '\0')
        {
          MEMBER_SEG (lang_seg, member_seg, map, text->entries[i].lang);
          _kiosk_form_problem (loader, kiosk_json_get (map, text->entries[i].lang), &lang_seg,
                               "the %s text is empty; write the text or remove the entry", text->entries[i].lang);
          ok = FALSE;
        }
    }
  return ok;
}

KioskText *
_kiosk_form_get_text (Loader          *loader,
                      const KioskJson *object,
                      const PathSeg   *seg,
                      const char      *key,
                      gboolean         required,
                      const char      *what)
{
  const KioskJson *map = _kiosk_form_get_member (loader, object, seg, key, required, what);
  KioskText *text;
  gboolean ok = TRUE;
  MEMBER_SEG (member_seg, seg, object, key);

  if (map == NULL)
    return NULL;
  if (!kiosk_json_is_object (map))
    {
      _kiosk_form_problem (loader, map, &member_seg,
                           "\"%s\" must be a language map like {\"de\": \"…\", \"en\": \"…\"}, not %s",
                           key, kiosk_json_type_name (map));
      return NULL;
    }
  if (kiosk_json_get (map, "de") == NULL)
    {
      _kiosk_form_problem (loader, map, &member_seg,
                           "\"%s\" needs a German text (key \"de\"); other languages fall back to it", key);
      ok = FALSE;
    }
  text = _kiosk_text_new ();
  for (guint32 m = 0; m < map->length; m++)
    {
      const char *lang = map->v.members[m].key;
      const KioskJson *value = &map->v.members[m].value;
      MEMBER_SEG (lang_seg, &member_seg, map, lang);

      if (text_entry_ok (loader, lang, value, &lang_seg))
        _kiosk_text_add (text, lang, value->v.string);
      else
        ok = FALSE;
    }
  if (!texts_not_blank (loader, text, map, &member_seg))
    ok = FALSE;
  if (!ok)
    {
      _kiosk_text_free (text);
      return NULL;
    }
  return text;
}

gboolean
_kiosk_form_is_element_id (const char *s)
{
  static const char * const reserved[] = { "and", "or", "not", "in", "true", "false", "null", NULL };
  gsize n = strlen (s);

  if (n == 0 || n > 64 || !g_ascii_islower (s[0]) || g_strv_contains (reserved, s))
    return FALSE;
  for (gsize i = 1; i < n; i++)
    if (!g_ascii_islower (s[i]) && !g_ascii_isdigit (s[i]) && s[i] != '_')
      return FALSE;
  return TRUE;
}

/* The 1-based character position of byte @offset in @source, as a form
 * author counts it. */
glong
_kiosk_form_character_at (const char *source,
                          gsize       offset)
{
  gsize length = strlen (source);

  return g_utf8_pointer_to_offset (source, source + MIN (offset, length)) + 1;
}
