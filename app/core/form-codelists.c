/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-form"

/* The code lists of a form ("code_lists", form-private.h). */

#include "config.h"

#include "form-private.h"

/* One value of a code list: {"code", "label"}. */
static void
parse_code (Loader          *loader,
            KioskCodeList   *list,
            const KioskJson *value_object,
            const PathSeg   *value_seg)
{
  static const char * const value_keys[] = { "code", "label", NULL };
  KioskCode *code;
  const char *s;

  if (!kiosk_json_is_object (value_object))
    {
      _kiosk_form_problem (loader, value_object, value_seg,
                           "a code list value must be an object with \"code\" and \"label\", not %s",
                           kiosk_json_type_name (value_object));
      return;
    }
  _kiosk_form_check_keys (loader, value_object, value_seg, value_keys, "a code list value");
  s = _kiosk_form_get_string (loader, value_object, value_seg, "code", TRUE, "a code list value");
  if (s == NULL)
    return;
  if (g_hash_table_contains (list->by_code, s))
    {
      MEMBER_SEG (code_seg, value_seg, value_object, "code");
      _kiosk_form_problem (loader, kiosk_json_get (value_object, "code"), &code_seg,
                           "the code \"%s\" appears twice in the code list \"%s\"", s, list->name);
      return;
    }
  code = g_new0 (KioskCode, 1);
  code->code = g_strdup (s);
  code->label = _kiosk_form_get_text (loader, value_object, value_seg, "label", TRUE, "a code list value");
  if (code->label == NULL)
    {
      code->label = _kiosk_text_new ();
      _kiosk_text_add (code->label, "de", code->code);
    }
  g_ptr_array_add (list->codes, code);
  g_hash_table_insert (list->by_code, code->code, code);
}

/* The code list @name: its head, then its values. */
static void
parse_code_list (Loader          *loader,
                 const char      *name,
                 const KioskJson *list_object,
                 const PathSeg   *list_seg)
{
  static const char * const list_keys[] = { "uri", "version", "values", NULL };
  MEMBER_SEG (values_seg, list_seg, list_object, "values");
  const KioskJson *values;
  KioskCodeList *list;

  if (!_kiosk_form_is_element_id (name))
    _kiosk_form_problem (loader, list_object, list_seg,
                         "\"%s\" is not a usable code list name: use lower case letters, digits and \"_\"", name);
  if (!kiosk_json_is_object (list_object))
    {
      _kiosk_form_problem (loader, list_object, list_seg, "a code list must be an object with \"values\", not %s",
                           kiosk_json_type_name (list_object));
      return;
    }
  _kiosk_form_check_keys (loader, list_object, list_seg, list_keys, "a code list");
  list = g_new0 (KioskCodeList, 1);
  list->name = g_strdup (name);
  list->codes = g_ptr_array_new_with_free_func ((GDestroyNotify) _kiosk_code_free);
  list->by_code = g_hash_table_new (g_str_hash, g_str_equal);
  list->uri = g_strdup (_kiosk_form_get_string (loader, list_object, list_seg, "uri", FALSE, "a code list"));
  list->version = g_strdup (_kiosk_form_get_string (loader, list_object, list_seg, "version", FALSE, "a code list"));
  g_ptr_array_add (loader->form->code_lists, list);
  g_hash_table_insert (loader->code_lists, list->name, list);

  values = _kiosk_form_get_member (loader, list_object, list_seg, "values", TRUE, "a code list");
  if (values == NULL)
    return;
  if (!kiosk_json_is_array (values) || values->length == 0)
    {
      _kiosk_form_problem (loader, values, &values_seg, "\"values\" must be a non-empty array of {\"code\", \"label\"}");
      return;
    }
  for (guint i = 0; i < values->length; i++)
    {
      ELEMENT_SEG (value_seg, &values_seg, values, i);
      parse_code (loader, list, &values->v.elements[i], &value_seg);
    }
}

void
_kiosk_form_parse_code_lists (Loader          *loader,
                              const KioskJson *root,
                              const PathSeg   *seg)
{
  const KioskJson *lists = kiosk_json_get (root, "code_lists");
  MEMBER_SEG (lists_seg, seg, root, "code_lists");

  if (lists == NULL)
    return;
  if (!kiosk_json_is_object (lists))
    {
      _kiosk_form_problem (loader, lists, &lists_seg, "\"code_lists\" must be an object of named code lists, not %s",
                           kiosk_json_type_name (lists));
      return;
    }
  for (guint32 m = 0; m < lists->length; m++)
    {
      MEMBER_SEG (list_seg, &lists_seg, lists, lists->v.members[m].key);
      parse_code_list (loader, lists->v.members[m].key, &lists->v.members[m].value, &list_seg);
    }
}
