/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-form"

/* The pages, groups and fields of a form: ids, kinds and the keys each
 * kind takes (form-private.h). */

#include "config.h"

#include <string.h>

#include "form-private.h"

static const char * const page_keys[] = { "id", "title", "help", "relevant", "items", NULL };
static const char * const group_keys[] = { "id", "kind", "label", "help", "relevant", "items", "min", "max", NULL };
static const char * const static_keys[] = { "id", "kind", "label", "help", "relevant", NULL };

static const char * const *
keys_for_kind (KioskKind kind)
{
  static const char * const text_keys[] = { "id", "kind", "label", "help", "relevant", "placeholder", "required",
    "constraint", "constraint_message", "min_length", "max_length", "pattern", "pattern_message", NULL };
  static const char * const numeric_keys[] = { "id", "kind", "label", "help", "relevant", "placeholder", "required",
    "constraint", "constraint_message", "min", "max", NULL };
  static const char * const date_keys[] = { "id", "kind", "label", "help", "relevant", "placeholder", "required",
    "constraint", "constraint_message", "not_future", "not_past", "min_date", "max_date", "min_age", "max_age", NULL };
  static const char * const choice_keys[] = { "id", "kind", "label", "help", "relevant", "required",
    "constraint", "constraint_message", "code_list", NULL };
  static const char * const fixed_keys[] = { "id", "kind", "label", "help", "relevant", "placeholder", "required",
    "constraint", "constraint_message", NULL };
  static const char * const checkbox_keys[] = { "id", "kind", "label", "help", "relevant", "required",
    "constraint", "constraint_message", NULL };

  switch (kind)
    {
    case KIOSK_KIND_PAGE:
      return page_keys;
    case KIOSK_KIND_GROUP:
      return group_keys;
    case KIOSK_KIND_STATIC:
      return static_keys;
    case KIOSK_KIND_TEXT:
    case KIOSK_KIND_MULTILINE:
    case KIOSK_KIND_EMAIL:
    case KIOSK_KIND_PHONE:
    case KIOSK_KIND_NAME:
      return text_keys;
    case KIOSK_KIND_NUMBER:
    case KIOSK_KIND_INTEGER:
    case KIOSK_KIND_CURRENCY:
      return numeric_keys;
    case KIOSK_KIND_DATE:
      return date_keys;
    case KIOSK_KIND_SELECT:
    case KIOSK_KIND_RADIO:
      return choice_keys;
    case KIOSK_KIND_CHECKBOX:
      return checkbox_keys;
    case KIOSK_KIND_IBAN:
    case KIOSK_KIND_POSTCODE:
    case KIOSK_KIND_TAXID:
      return fixed_keys;
    case KIOSK_N_KINDS:
    default:
      break;
    }
  g_assert_not_reached ();
}

static gboolean
kind_from_string (const char *s, KioskKind *out)
{
  for (int k = KIOSK_KIND_GROUP; k < KIOSK_N_KINDS; k++)
    if (strcmp (s, kiosk_kind_to_string (k)) == 0)
      {
        *out = k;
        return TRUE;
      }
  return FALSE;
}

static void parse_items (Loader *loader, KioskElement *container, const KioskJson *object, const PathSeg *seg, guint depth);

static void
register_element (Loader          *loader,
                  KioskElement    *element,
                  const KioskJson *id_node,
                  const PathSeg   *id_seg)
{
  KioskElement *other;

  element->index = loader->form->elements->len;
  g_ptr_array_add (loader->form->elements, element);
  if (element->id == NULL)
    return;
  other = g_hash_table_lookup (loader->form->by_id, element->id);
  if (other != NULL)
    {
      _kiosk_form_problem (loader, id_node, id_seg,
                           "the id \"%s\" is already used at line %u; every element needs its own id (it is the key in the submitted data)",
                           element->id, other->line);
      return;
    }
  g_hash_table_insert (loader->form->by_id, element->id, element);
}

/* The kind of the item @object, or FALSE (reported where it is unknown). */
static gboolean
parse_kind (Loader          *loader,
            const KioskJson *object,
            const PathSeg   *seg,
            KioskKind       *kind,
            const char     **kind_name)
{
  *kind_name = _kiosk_form_get_string (loader, object, seg, "kind", TRUE, "an item");
  if (*kind_name != NULL && !kind_from_string (*kind_name, kind))
    {
      MEMBER_SEG (kind_seg, seg, object, "kind");
      _kiosk_form_problem (loader, kiosk_json_get (object, "kind"), &kind_seg,
                           "unknown kind \"%s\"; use one of group, text, multiline, number, integer, currency, date, "
                           "select, radio, checkbox, email, phone, iban, postcode, taxid, name, static", *kind_name);
      return FALSE;
    }
  return *kind_name != NULL;
}

/* A new element of @kind in @parent, at the position of @node, with its id
 * registered. */
static KioskElement *
add_element (Loader          *loader,
             KioskElement    *parent,
             const KioskJson *node,
             const PathSeg   *seg,
             KioskKind        kind)
{
  KioskElement *element = g_new0 (KioskElement, 1);
  const char *id;
  Pos pos = _kiosk_form_node_pos (loader, node, seg);
  MEMBER_SEG (id_seg, seg, node, "id");

  element->kind = kind;
  element->parent = parent;
  element->page = parent->page;
  element->scope = kiosk_element_is_repeatable (parent) ? parent : parent->scope;
  element->min_occurs = element->max_occurs = 1;
  element->line = pos.line;
  element->column = pos.column;

  id = _kiosk_form_get_string (loader, node, seg, "id", TRUE, "an item");
  if (id != NULL && !_kiosk_form_is_element_id (id))
    _kiosk_form_problem (loader, kiosk_json_get (node, "id"), &id_seg,
                         "\"%s\" is not a usable element id: write it in lower case letters, digits and \"_\", starting "
                         "with a letter, at most 64 characters, and not one of the words and/or/not/in/true/false/null",
                         id);
  else if (id != NULL)
    element->id = g_strdup (id);
  register_element (loader, element, kiosk_json_get (node, "id"), &id_seg);
  g_ptr_array_add (parent->children, element);
  return element;
}

/* A group's "min" and "max", and its items. */
static void
parse_group (Loader          *loader,
             KioskElement    *element,
             const KioskJson *object,
             const PathSeg   *seg,
             guint            depth)
{
  gint64 value;

  if (_kiosk_form_get_integer (loader, object, seg, "min", 0, MAX_OCCURS, &value))
    element->min_occurs = (guint) value;
  if (_kiosk_form_get_integer (loader, object, seg, "max", 1, MAX_OCCURS, &value))
    element->max_occurs = (guint) value;
  if (element->min_occurs > element->max_occurs)
    _kiosk_form_problem (loader, object, seg, "\"min\" (%u) is larger than \"max\" (%u)",
                         element->min_occurs, element->max_occurs);
  if ((kiosk_json_get (object, "min") != NULL) && !(kiosk_json_get (object, "max") != NULL))
    element->max_occurs = MAX (element->max_occurs, element->min_occurs);
  if (kiosk_element_is_repeatable (element) && element->scope != NULL)
    _kiosk_form_problem (loader, object, seg,
                         "a repeatable group (max > 1) may not stand inside the repeatable group \"%s\"; "
                         "make one of them non-repeatable", element->scope->id != NULL ? element->scope->id : "?");
  if (depth >= MAX_GROUP_DEPTH)
    _kiosk_form_problem (loader, object, seg, "groups nest at most %d levels deep; flatten this group", MAX_GROUP_DEPTH);
  else
    {
      element->children = g_ptr_array_new ();
      parse_items (loader, element, object, seg, depth + 1);
    }
}

static void
parse_element (Loader          *loader,
               KioskElement    *parent,
               const KioskJson *node,
               const PathSeg   *seg,
               guint            depth)
{
  char what[64];
  KioskElement *element;
  const char *kind_name;
  KioskKind kind = KIOSK_KIND_TEXT;

  if (!kiosk_json_is_object (node))
    {
      _kiosk_form_problem (loader, node, seg, "an item must be an object with \"id\", \"kind\" and \"label\", not %s",
                           kiosk_json_type_name (node));
      return;
    }
  if (loader->form->elements->len >= MAX_ELEMENTS)
    {
      _kiosk_form_problem (loader, node, seg, "the form has more than %d elements; split it", MAX_ELEMENTS);
      return;
    }
  if (!parse_kind (loader, node, seg, &kind, &kind_name))
    return;
  element = add_element (loader, parent, node, seg, kind);

  /* Only for messages; no printf per element on the way of a good form. */
  if (kind == KIOSK_KIND_GROUP)
    g_strlcpy (what, "a group", sizeof what);
  else
    {
      g_strlcpy (what, "a field of kind \"", sizeof what);
      g_strlcat (what, kind_name, sizeof what);
      g_strlcat (what, "\"", sizeof what);
    }
  _kiosk_form_check_keys (loader, node, seg, keys_for_kind (kind), what);
  element->label = _kiosk_form_get_text (loader, node, seg, "label", TRUE, what);
  element->help = _kiosk_form_get_text (loader, node, seg, "help", FALSE, what);
  element->relevant = _kiosk_form_parse_expr (loader, element, node, seg, "relevant");
  _kiosk_form_parse_field_constraints (loader, element, node, seg);
  if (kind == KIOSK_KIND_GROUP)
    parse_group (loader, element, node, seg, depth);
}

static void
parse_items (Loader          *loader,
             KioskElement    *container,
             const KioskJson *object,
             const PathSeg   *seg,
             guint            depth)
{
  const KioskJson *node = _kiosk_form_get_member (loader, object, seg, "items", TRUE,
                                           container->kind == KIOSK_KIND_PAGE ? "a page" : "a group");
  const KioskJson *items;
  MEMBER_SEG (items_seg, seg, object, "items");

  if (node == NULL)
    return;
  if (!kiosk_json_is_array (node))
    {
      _kiosk_form_problem (loader, node, &items_seg, "\"items\" must be an array of fields and groups, not %s", kiosk_json_type_name (node));
      return;
    }
  items = node;
  if (items->length == 0)
    _kiosk_form_problem (loader, node, &items_seg, "\"items\" is empty; a %s needs at least one field",
                         container->kind == KIOSK_KIND_PAGE ? "page" : "group");
  for (guint i = 0; i < items->length; i++)
    {
      ELEMENT_SEG (item_seg, &items_seg, items, i);
      parse_element (loader, container, &items->v.elements[i], &item_seg, depth);
    }
}

void
_kiosk_form_parse_page (Loader          *loader,
                        const KioskJson *node,
                        const PathSeg   *seg)
{
  KioskElement *page;
  const KioskJson *object;
  const char *id;
  MEMBER_SEG (id_seg, seg, NULL, "id");

  if (!kiosk_json_is_object (node))
    {
      _kiosk_form_problem (loader, node, seg, "a page must be an object with \"id\", \"title\" and \"items\", not %s",
                           kiosk_json_type_name (node));
      return;
    }
  object = node;
  id_seg.object = object;

  page = g_new0 (KioskElement, 1);
  page->kind = KIOSK_KIND_PAGE;
  page->page = page;
  page->min_occurs = page->max_occurs = 1;
  page->min_length = page->max_length = page->min_age = page->max_age = -1;
  page->children = g_ptr_array_new ();
  {
    Pos pos = _kiosk_form_node_pos (loader, node, seg);
    page->line = pos.line;
    page->column = pos.column;
  }
  id = _kiosk_form_get_string (loader, object, seg, "id", TRUE, "a page");
  if (id != NULL && !_kiosk_form_is_element_id (id))
    _kiosk_form_problem (loader, kiosk_json_get (object, "id"), &id_seg,
                         "\"%s\" is not a usable page id: write it in lower case letters, digits and \"_\", starting with a letter", id);
  else if (id != NULL)
    page->id = g_strdup (id);
  register_element (loader, page, kiosk_json_get (object, "id"), &id_seg);
  g_ptr_array_add (loader->form->pages, page);

  _kiosk_form_check_keys (loader, object, seg, page_keys, "a page");
  page->label = _kiosk_form_get_text (loader, object, seg, "title", TRUE, "a page");
  page->help = _kiosk_form_get_text (loader, object, seg, "help", FALSE, "a page");
  page->relevant = _kiosk_form_parse_expr (loader, page, object, seg, "relevant");
  parse_items (loader, page, object, seg, 1);
}
