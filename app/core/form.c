/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-form"

#include "config.h"

#include <string.h>

#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>

#include "form-private.h"

G_DEFINE_QUARK (kiosk-form-error-quark, kiosk_form_error)

static const char * const kind_names[KIOSK_N_KINDS] = {
  [KIOSK_KIND_PAGE] = "page",
  [KIOSK_KIND_GROUP] = "group",
  [KIOSK_KIND_TEXT] = "text",
  [KIOSK_KIND_MULTILINE] = "multiline",
  [KIOSK_KIND_NUMBER] = "number",
  [KIOSK_KIND_INTEGER] = "integer",
  [KIOSK_KIND_CURRENCY] = "currency",
  [KIOSK_KIND_DATE] = "date",
  [KIOSK_KIND_SELECT] = "select",
  [KIOSK_KIND_RADIO] = "radio",
  [KIOSK_KIND_CHECKBOX] = "checkbox",
  [KIOSK_KIND_EMAIL] = "email",
  [KIOSK_KIND_PHONE] = "phone",
  [KIOSK_KIND_IBAN] = "iban",
  [KIOSK_KIND_POSTCODE] = "postcode",
  [KIOSK_KIND_TAXID] = "taxid",
  [KIOSK_KIND_NAME] = "name",
  [KIOSK_KIND_STATIC] = "static",
};

const char *
kiosk_kind_to_string (KioskKind kind)
{
  g_return_val_if_fail (kind < KIOSK_N_KINDS, NULL);
  return kind_names[kind];
}

gboolean
kiosk_kind_is_input (KioskKind kind)
{
  return kind != KIOSK_KIND_PAGE && kind != KIOSK_KIND_GROUP && kind != KIOSK_KIND_STATIC;
}

gboolean
kiosk_kind_is_container (KioskKind kind)
{
  return kind == KIOSK_KIND_PAGE || kind == KIOSK_KIND_GROUP;
}

KioskText *
_kiosk_text_new (void)
{
  return g_new0 (KioskText, 1);
}

void
_kiosk_text_add (KioskText  *text,
                 const char *lang,
                 const char *value)
{
  text->entries = g_renew (typeof (*text->entries), text->entries, text->n_entries + 1);
  g_strlcpy (text->entries[text->n_entries].lang, lang, sizeof text->entries[0].lang);
  text->entries[text->n_entries].text = g_strdup (value);
  text->n_entries++;
}

void
_kiosk_text_free (KioskText *text)
{
  if (text == NULL)
    return;
  for (guint i = 0; i < text->n_entries; i++)
    g_free (text->entries[i].text);
  g_free (text->entries);
  g_free (text);
}

const char *
kiosk_text_get (const KioskText *text,
                const char      *lang)
{
  const char *german = NULL;

  if (text == NULL)
    return NULL;
  if (lang == NULL)
    lang = kiosk_i18n_get_language ();
  for (guint i = 0; i < text->n_entries; i++)
    {
      if (strcmp (text->entries[i].lang, lang) == 0)
        return text->entries[i].text;
      if (strcmp (text->entries[i].lang, "de") == 0)
        german = text->entries[i].text;
    }
  /* The loader guarantees a German entry. */
  return german != NULL ? german : (text->n_entries > 0 ? text->entries[0].text : "");
}

gboolean
kiosk_text_has_language (const KioskText *text,
                         const char      *lang)
{
  if (text == NULL || lang == NULL)
    return FALSE;
  for (guint i = 0; i < text->n_entries; i++)
    if (strcmp (text->entries[i].lang, lang) == 0)
      return TRUE;
  return FALSE;
}

static void
note_missing (GPtrArray       *missing,
              const KioskText *text,
              const char      *lang,
              char            *where)
{
  if (text != NULL && !kiosk_text_has_language (text, lang))
    g_ptr_array_add (missing, where);
  else
    g_free (where);
}

GPtrArray *
kiosk_form_texts_missing_language (KioskForm  *form,
                                   const char *lang)
{
  GPtrArray *missing = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (form != NULL && lang != NULL, missing);

  note_missing (missing, form->title, lang, g_strdup ("$.title"));
  note_missing (missing, form->description, lang, g_strdup ("$.description"));
  for (guint i = 0; i < form->code_lists->len; i++)
    {
      const KioskCodeList *list = g_ptr_array_index (form->code_lists, i);

      for (guint c = 0; c < list->codes->len; c++)
        {
          const KioskCode *code = g_ptr_array_index (list->codes, c);

          note_missing (missing, code->label, lang,
                        g_strdup_printf ("code list \"%s\", code \"%s\": label", list->name, code->code));
        }
    }
  for (guint i = 0; i < form->elements->len; i++)
    {
      const KioskElement *element = g_ptr_array_index (form->elements, i);
      const struct { const KioskText *text; const char *what; } texts[] = {
        { element->label, "label" },
        { element->help, "help" },
        { element->placeholder, "placeholder" },
        { element->constraint_message, "constraint_message" },
        { element->pattern_message, "pattern_message" },
      };

      for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
        note_missing (missing, texts[t].text, lang,
                      g_strdup_printf ("element \"%s\": %s", element->id, texts[t].what));
    }
  return missing;
}

const KioskCode *
kiosk_code_list_lookup (const KioskCodeList *list,
                        const char          *code)
{
  if (list->by_code != NULL)
    return g_hash_table_lookup (list->by_code, code);
  for (guint i = 0; i < list->codes->len; i++)
    {
      const KioskCode *entry = g_ptr_array_index (list->codes, i);
      if (strcmp (entry->code, code) == 0)
        return entry;
    }
  return NULL;
}

static void
code_free (KioskCode *code)
{
  g_free (code->code);
  _kiosk_text_free (code->label);
  g_free (code);
}

void
_kiosk_code_list_free (KioskCodeList *list)
{
  if (list == NULL)
    return;
  g_free (list->name);
  g_free (list->uri);
  g_free (list->version);
  g_clear_pointer (&list->by_code, g_hash_table_unref);
  if (list->codes != NULL)
    g_ptr_array_free (list->codes, TRUE);
  g_free (list);
}

/* Frees one element, not its children: the form owns every element
 * through its flat element array. */
void
_kiosk_element_free (KioskElement *element)
{
  if (element == NULL)
    return;
  g_free (element->id);
  _kiosk_text_free (element->label);
  _kiosk_text_free (element->help);
  _kiosk_text_free (element->placeholder);
  if (element->children != NULL)
    g_ptr_array_free (element->children, TRUE);
  g_clear_pointer (&element->relevant, kiosk_expr_free);
  g_clear_pointer (&element->required_if, kiosk_expr_free);
  g_clear_pointer (&element->constraint, kiosk_expr_free);
  _kiosk_text_free (element->constraint_message);
  g_clear_pointer (&element->pattern, g_regex_unref);
  g_free (element->pattern_source);
  _kiosk_text_free (element->pattern_message);
  g_free (element->min_date);
  g_free (element->max_date);
  g_free (element);
}

KioskForm *
_kiosk_form_new (void)
{
  KioskForm *form = g_new0 (KioskForm, 1);

  g_ref_count_init (&form->ref_count);
  form->code_lists = g_ptr_array_new_with_free_func ((GDestroyNotify) _kiosk_code_list_free);
  form->pages = g_ptr_array_new ();
  form->elements = g_ptr_array_new_with_free_func ((GDestroyNotify) _kiosk_element_free);
  form->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  return form;
}

KioskForm *
kiosk_form_ref (KioskForm *form)
{
  g_ref_count_inc (&form->ref_count);
  return form;
}

void
kiosk_form_unref (KioskForm *form)
{
  if (form == NULL || !g_ref_count_dec (&form->ref_count))
    return;
  g_free (form->file);
  g_free (form->id);
  g_free (form->version);
  g_free (form->leika);
  g_free (form->schema_uri);
  g_free (form->category);
  _kiosk_text_free (form->title);
  _kiosk_text_free (form->description);
  g_hash_table_unref (form->by_id);
  g_ptr_array_free (form->pages, TRUE);
  g_ptr_array_free (form->elements, TRUE);
  g_ptr_array_free (form->code_lists, TRUE);
  g_free (form);
}

const KioskElement *
kiosk_form_lookup (const KioskForm *form,
                   const char      *id)
{
  return g_hash_table_lookup (form->by_id, id);
}

void
kiosk_form_problem_free (KioskFormProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->file);
  g_free (problem->path);
  g_free (problem->message);
  g_free (problem);
}

char *
kiosk_form_problem_to_string (const KioskFormProblem *problem)
{
  return g_strdup_printf ("%s:%u:%u: %s: %s",
                          problem->file != NULL ? problem->file : "<form>",
                          problem->line, problem->column,
                          problem->path != NULL ? problem->path : "$",
                          problem->message);
}

void
_kiosk_code_free (KioskCode *code)
{
  code_free (code);
}
