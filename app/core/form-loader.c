/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-form"

#include "config.h"

#include <string.h>

#include <antragskiosk/file.h>
#include <antragskiosk/form.h>

#include "form-private.h"

/* The loader checks a form definition completely and reports every problem
 * with file, line, column and JSON path. Our own parser (json-doc.c) reads
 * the text and knows where every value and key starts; problems found in
 * the tree take their line and column from there. */

static gboolean
is_form_id (const char *s)
{
  gsize n = strlen (s);

  if (n == 0 || n > 64 || !g_ascii_islower (s[0]))
    return FALSE;
  for (gsize i = 1; i < n; i++)
    if (!g_ascii_islower (s[i]) && !g_ascii_isdigit (s[i]) && s[i] != '_' && s[i] != '-')
      return FALSE;
  return TRUE;
}

static const char * const categories[] = {
  "meldewesen", "verkehr", "steuern", "abfall", "gewerbe", "soziales", "sonstiges", NULL
};

static void
parse_form_id (Loader          *loader,
               const KioskJson *object)
{
  const char *s = _kiosk_form_get_string (loader, object, NULL, "id", TRUE, "the form");
  MEMBER_SEG (seg, NULL, object, "id");

  if (s != NULL && !is_form_id (s))
    _kiosk_form_problem (loader, kiosk_json_get (object, "id"), &seg,
                         "\"%s\" is not a usable form id: lower case letters, digits, \"_\" and \"-\", starting with a "
                         "letter, at most 64 characters", s);
  else
    loader->form->id = g_strdup (s);
}

static void
parse_form_version (Loader          *loader,
                    const KioskJson *object)
{
  const char *s = _kiosk_form_get_string (loader, object, NULL, "version", TRUE, "the form");
  g_auto(GStrv) parts = NULL;
  gboolean ok;

  if (s == NULL)
    return;
  parts = g_strsplit (s, ".", -1);
  ok = g_strv_length (parts) == 3;
  for (guint i = 0; ok && parts[i] != NULL; i++)
    {
      guint64 unused;
      ok = parts[i][0] != '\0' && g_ascii_string_to_unsigned (parts[i], 10, 0, 99999, &unused, NULL);
    }
  if (!ok)
    {
      MEMBER_SEG (seg, NULL, object, "version");
      _kiosk_form_problem (loader, kiosk_json_get (object, "version"), &seg,
                           "\"version\" must look like MAJOR.MINOR.PATCH, e.g. \"1.0.0\"");
    }
  loader->form->version = g_strdup (s);
}

static void
parse_form_leika (Loader          *loader,
                  const KioskJson *object)
{
  const char *s = _kiosk_form_get_string (loader, object, NULL, "leika", TRUE, "the form");
  gboolean digits;

  if (s == NULL)
    return;
  digits = strlen (s) == 14;
  for (gsize i = 0; digits && i < 14; i++)
    digits = g_ascii_isdigit (s[i]);
  if (digits)
    loader->form->leika = g_strdup (s);
  else if (strcmp (s, "unknown") != 0)
    {
      MEMBER_SEG (seg, NULL, object, "leika");
      _kiosk_form_problem (loader, kiosk_json_get (object, "leika"), &seg,
                           "\"leika\" must be the 14-digit LeiKa key of the service, or \"unknown\"");
    }
}

static void
parse_form_schema_uri (Loader          *loader,
                       const KioskJson *object)
{
  const char *s = _kiosk_form_get_string (loader, object, NULL, "schema_uri", TRUE, "the form");

  if (s == NULL)
    return;
  if (!g_uri_is_valid (s, G_URI_FLAGS_NONE, NULL) || (!g_str_has_prefix (s, "https://") && !g_str_has_prefix (s, "urn:")))
    {
      MEMBER_SEG (seg, NULL, object, "schema_uri");
      _kiosk_form_problem (loader, kiosk_json_get (object, "schema_uri"), &seg,
                           "\"schema_uri\" must be an absolute https:// or urn: URI");
    }
  loader->form->schema_uri = g_strdup (s);
}

static void
parse_form_category (Loader          *loader,
                     const KioskJson *object)
{
  const char *s = _kiosk_form_get_string (loader, object, NULL, "category", TRUE, "the form");

  if (s != NULL && !g_strv_contains (categories, s))
    {
      g_autofree char *list = g_strjoinv (", ", (char **) categories);
      MEMBER_SEG (seg, NULL, object, "category");
      _kiosk_form_problem (loader, kiosk_json_get (object, "category"), &seg,
                           "unknown category \"%s\"; use one of %s", s, list);
    }
  else
    loader->form->category = g_strdup (s);
}

static void
parse_pages (Loader          *loader,
             const KioskJson *object)
{
  const KioskJson *pages = _kiosk_form_get_member (loader, object, NULL, "pages", TRUE, "the form");
  MEMBER_SEG (pages_seg, NULL, object, "pages");

  if (pages == NULL)
    return;
  if (!kiosk_json_is_array (pages) || pages->length == 0)
    {
      _kiosk_form_problem (loader, pages, &pages_seg, "\"pages\" must be a non-empty array of pages");
      return;
    }
  for (guint i = 0; i < pages->length; i++)
    {
      ELEMENT_SEG (page_seg, &pages_seg, pages, i);
      _kiosk_form_parse_page (loader, &pages->v.elements[i], &page_seg);
    }
}

static void
parse_form (Loader          *loader,
            const KioskJson *root)
{
  static const char * const form_keys[] = { "format", "id", "version", "leika", "schema_uri", "category",
    "title", "description", "code_lists", "pages", NULL };
  KioskForm *form = loader->form;
  gint64 format = 0;

  if (root == NULL || !kiosk_json_is_object (root))
    {
      _kiosk_form_problem (loader, root, NULL, "a form definition must be a JSON object, not %s",
                           root != NULL ? kiosk_json_type_name (root) : "empty");
      return;
    }
  _kiosk_form_check_keys (loader, root, NULL, form_keys, "the form");

  if (_kiosk_form_get_member (loader, root, NULL, "format", TRUE, "the form") != NULL
      && _kiosk_form_get_integer (loader, root, NULL, "format", 1, 1, &format))
    (void) format;
  parse_form_id (loader, root);
  parse_form_version (loader, root);
  parse_form_leika (loader, root);
  parse_form_schema_uri (loader, root);
  parse_form_category (loader, root);
  form->title = _kiosk_form_get_text (loader, root, NULL, "title", TRUE, "the form");
  form->description = _kiosk_form_get_text (loader, root, NULL, "description", FALSE, "the form");
  _kiosk_form_parse_code_lists (loader, root, NULL);
  parse_pages (loader, root);

  _kiosk_form_check_expressions (loader);
}

static gint
problem_compare (gconstpointer a,
                 gconstpointer b)
{
  const KioskFormProblem *pa = *(KioskFormProblem * const *) a;
  const KioskFormProblem *pb = *(KioskFormProblem * const *) b;

  if (pa->line != pb->line)
    return pa->line < pb->line ? -1 : 1;
  if (pa->column != pb->column)
    return pa->column < pb->column ? -1 : 1;
  return 0;
}

static void
pending_clear (PendingExpr *pending)
{
  g_free (pending->path);
}

/* One load: parse (json-doc.c), then check the tree. */
static KioskForm *
load (const char  *data,
      gsize        length,
      const char  *file,
      GPtrArray  **problems_out,
      GError     **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_form_problem_free);
  g_autoptr(GArray) pending = g_array_new (FALSE, TRUE, sizeof (PendingExpr));
  g_autoptr(GHashTable) regexes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_regex_unref);
  g_autoptr(GHashTable) code_lists = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(KioskForm) form = _kiosk_form_new ();
  g_autoptr(KioskJsonDoc) doc = NULL;
  g_autofree char *basename = NULL;
  const GPtrArray *syntax;
  Loader loader = { 0 };

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  g_array_set_clear_func (pending, (GDestroyNotify) pending_clear);
  /* A file name is text an administrator chose: escaped like the rest. */
  basename = _kiosk_form_escape_controls (file != NULL ? file : "<form>");
  loader.file = basename;
  loader.problems = problems;
  loader.form = form;
  loader.pending = pending;
  loader.regexes = regexes;
  loader.code_lists = code_lists;
  form->file = g_strdup (basename);

  if (length == 0)
    _kiosk_form_problem_at (&loader, (Pos) { 1, 1 }, "$", "the file is empty; a form definition is a JSON object");
  else
    {
      doc = kiosk_json_doc_parse (data, length);
      loader.root = kiosk_json_doc_get_root (doc);
      syntax = kiosk_json_doc_get_problems (doc);
      for (guint i = 0; i < syntax->len; i++)
        {
          const KioskJsonProblem *json = g_ptr_array_index (syntax, i);

          _kiosk_form_problem_at (&loader, (Pos) { json->line, json->column }, json->path,
                                  loader.root == NULL ? "not valid JSON: %s" : "%s", json->message);
        }
      /* The tree of a text with duplicate keys is not what its author
       * meant; check it once they are gone. */
      if (problems->len == 0)
        parse_form (&loader, loader.root);
    }

  if (problems->len > 0)
    {
      g_autofree char *first = NULL;

      g_ptr_array_sort (problems, problem_compare);
      first = kiosk_form_problem_to_string (g_ptr_array_index (problems, 0));
      if (loader.root == NULL)
        g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_SYNTAX,
                     "%s", ((KioskFormProblem *) g_ptr_array_index (problems, 0))->message);
      else
        g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_INVALID,
                     "%s (%u _kiosk_form_problem%s in all)", first, problems->len, problems->len == 1 ? "" : "s");
      if (problems_out != NULL)
        *problems_out = g_steal_pointer (&problems);
      return NULL;
    }

  if (problems_out != NULL)
    *problems_out = g_steal_pointer (&problems);
  return g_steal_pointer (&form);
}

KioskForm *
kiosk_form_load_file (const char  *path,
                      GPtrArray  **problems,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  /* Only a regular file, opened without blocking and never read past the
   * limit: a FIFO or device in the forms directory is that file's _kiosk_form_problem,
   * not a hang of every command that reads the directory. */
  if (!kiosk_file_read (path, KIOSK_FILE_MAX_FORM, &contents, &length, &local_error))
    {
      if (problems != NULL)
        {
          KioskFormProblem *_kiosk_form_problem = g_new0 (KioskFormProblem, 1);
          g_autofree char *message = NULL;

          _kiosk_form_problem->file = _kiosk_form_escape_controls (path);
          _kiosk_form_problem->path = g_strdup ("$");
          if (g_error_matches (local_error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_NOT_REGULAR))
            message = g_strdup_printf ("cannot read the file: %s (a form definition must be a regular file: "
                                       "remove this entry or put the form file in its place)", local_error->message);
          else if (g_error_matches (local_error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_TOO_LARGE))
            message = g_strdup_printf ("cannot read the file: %s (a form definition may have at most %u MiB; "
                                       "split the form or shorten its code lists)",
                                       local_error->message, KIOSK_FILE_MAX_FORM / (1024 * 1024));
          else
            message = g_strdup_printf ("cannot read the file: %s", local_error->message);
          _kiosk_form_problem->message = _kiosk_form_escape_controls (message);
          *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_form_problem_free);
          g_ptr_array_add (*problems, _kiosk_form_problem);
        }
      g_set_error (error, KIOSK_FORM_ERROR, KIOSK_FORM_ERROR_IO, "%s", local_error->message);
      return NULL;
    }
  return kiosk_form_load_data (contents, length, path, problems, error);
}

KioskForm *
kiosk_form_load_data (const char  *data,
                      gsize        length,
                      const char  *file,
                      GPtrArray  **problems,
                      GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  return load (data, length, file, problems, error);
}
