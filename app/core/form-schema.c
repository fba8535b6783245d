/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-form"

#include "config.h"

#include <string.h>

#include <antragskiosk/form.h>

#include "form-private.h"

/* The JSON Schema (draft 2020-12) of a form's canonical data: exactly what
 * kiosk_answers_to_data() writes, so that the receiving authority (and our
 * tests, with an independent validator) can check submissions. Conditions
 * are not expressed in the schema: a field that is required only under a
 * condition, or only relevant under one, is optional here. Length limits
 * count user-perceived characters, JSON Schema counts code points, so only
 * minimum lengths (which hold either way) are stated. */

static gboolean
always_relevant_within (const KioskElement *element,
                        const KioskElement *scope_root)
{
  for (const KioskElement *e = element; e != NULL && e != scope_root; e = e->parent)
    if (e->relevant != NULL)
      return FALSE;
  return TRUE;
}

static void
add_annotations (JsonBuilder        *builder,
                 const KioskElement *element)
{
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, kiosk_text_get (element->label, "de"));
  if (element->help != NULL)
    {
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, kiosk_text_get (element->help, "de"));
    }
}

static void
add_member_string (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_string_pattern (JsonBuilder *builder,
                    const char  *pattern)
{
  add_member_string (builder, "type", "string");
  add_member_string (builder, "pattern", pattern);
}

/* text, multiline, name, email, phone. */
static void
add_text_schema (JsonBuilder        *builder,
                 const KioskElement *element)
{
  add_member_string (builder, "type", "string");
  json_builder_set_member_name (builder, "minLength");
  json_builder_add_int_value (builder, MAX (element->min_length, 1));
  if (element->pattern_source != NULL)
    {
      g_autofree char *anchored = g_strdup_printf ("^(?:%s)$", element->pattern_source);
      add_member_string (builder, "pattern", anchored);
    }
  if (element->kind == KIOSK_KIND_EMAIL)
    add_member_string (builder, "format", "email");
  if (element->kind == KIOSK_KIND_PHONE)
    add_member_string (builder, "pattern", "^\\+?[0-9]{3,17}$");
}

/* number, integer, currency. */
static void
add_number_schema (JsonBuilder        *builder,
                   const KioskElement *element)
{
  add_member_string (builder, "type", element->kind == KIOSK_KIND_INTEGER ? "integer" : "number");
  if (element->has_min)
    {
      json_builder_set_member_name (builder, "minimum");
      json_builder_add_double_value (builder, element->min);
    }
  if (element->has_max)
    {
      json_builder_set_member_name (builder, "maximum");
      json_builder_add_double_value (builder, element->max);
    }
}

/* select, radio: the codes of the code list. */
static void
add_choice_schema (JsonBuilder        *builder,
                   const KioskElement *element)
{
  add_member_string (builder, "type", "string");
  json_builder_set_member_name (builder, "enum");
  json_builder_begin_array (builder);
  for (guint i = 0; i < element->code_list->codes->len; i++)
    json_builder_add_string_value (builder, ((KioskCode *) g_ptr_array_index (element->code_list->codes, i))->code);
  json_builder_end_array (builder);
}

static void
add_checkbox_schema (JsonBuilder        *builder,
                     const KioskElement *element)
{
  add_member_string (builder, "type", "boolean");
  if (element->required && element->required_if == NULL)
    {
      json_builder_set_member_name (builder, "const");
      json_builder_add_boolean_value (builder, TRUE);
    }
}

/* The kinds whose canonical value is a string of a fixed form. */
static const char * const fixed_patterns[KIOSK_N_KINDS] = {
  [KIOSK_KIND_DATE] = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
  [KIOSK_KIND_IBAN] = "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$",
  [KIOSK_KIND_POSTCODE] = "^[0-9]{5}$",
  [KIOSK_KIND_TAXID] = "^[1-9][0-9]{10}$",
};

static void
add_field_schema (JsonBuilder        *builder,
                  const KioskElement *element)
{
  json_builder_begin_object (builder);
  add_annotations (builder, element);
  switch (element->kind)
    {
    case KIOSK_KIND_TEXT:
    case KIOSK_KIND_MULTILINE:
    case KIOSK_KIND_NAME:
    case KIOSK_KIND_EMAIL:
    case KIOSK_KIND_PHONE:
      add_text_schema (builder, element);
      break;
    case KIOSK_KIND_NUMBER:
    case KIOSK_KIND_INTEGER:
    case KIOSK_KIND_CURRENCY:
      add_number_schema (builder, element);
      break;
    case KIOSK_KIND_SELECT:
    case KIOSK_KIND_RADIO:
      add_choice_schema (builder, element);
      break;
    case KIOSK_KIND_CHECKBOX:
      add_checkbox_schema (builder, element);
      break;
    case KIOSK_KIND_DATE:
    case KIOSK_KIND_IBAN:
    case KIOSK_KIND_POSTCODE:
    case KIOSK_KIND_TAXID:
      add_string_pattern (builder, fixed_patterns[element->kind]);
      if (element->kind == KIOSK_KIND_DATE)
        add_member_string (builder, "format", "date");
      break;
    case KIOSK_KIND_PAGE:
    case KIOSK_KIND_GROUP:
    case KIOSK_KIND_STATIC:
    case KIOSK_N_KINDS:
    default:
      g_assert_not_reached ();
    }
  json_builder_end_object (builder);
}

static void add_object_schema (JsonBuilder *builder, const KioskElement *scope_root, GPtrArray *containers);

/* Adds the properties of every field under @container that lands in the
 * same JSON object, and collects the ids that are always present. */
static void
add_properties (JsonBuilder        *builder,
                const KioskElement *scope_root,
                const KioskElement *container,
                GPtrArray          *required)
{
  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *element = g_ptr_array_index (container->children, i);

      if (kiosk_element_is_repeatable (element))
        {
          g_autoptr(GPtrArray) containers = g_ptr_array_new ();

          json_builder_set_member_name (builder, element->id);
          json_builder_begin_object (builder);
          add_annotations (builder, element);
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, "array");
          json_builder_set_member_name (builder, "minItems");
          json_builder_add_int_value (builder, element->min_occurs);
          json_builder_set_member_name (builder, "maxItems");
          json_builder_add_int_value (builder, element->max_occurs);
          json_builder_set_member_name (builder, "items");
          g_ptr_array_add (containers, (gpointer) element);
          add_object_schema (builder, element, containers);
          json_builder_end_object (builder);
          if (always_relevant_within (element, scope_root))
            g_ptr_array_add (required, element->id);
        }
      else if (element->kind == KIOSK_KIND_GROUP)
        add_properties (builder, scope_root, element, required);
      else if (kiosk_kind_is_input (element->kind))
        {
          json_builder_set_member_name (builder, element->id);
          add_field_schema (builder, element);
          if (always_relevant_within (element, scope_root)
              && (element->kind == KIOSK_KIND_CHECKBOX || (element->required && element->required_if == NULL)))
            g_ptr_array_add (required, element->id);
        }
    }
}

static void
add_object_schema (JsonBuilder        *builder,
                   const KioskElement *scope_root,
                   GPtrArray          *containers)
{
  g_autoptr(GPtrArray) required = g_ptr_array_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "object");
  json_builder_set_member_name (builder, "additionalProperties");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);
  for (guint i = 0; i < containers->len; i++)
    add_properties (builder, scope_root, g_ptr_array_index (containers, i), required);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "required");
  json_builder_begin_array (builder);
  for (guint i = 0; i < required->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (required, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

JsonNode *
kiosk_form_to_json_schema (const KioskForm *form)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "$schema");
  json_builder_add_string_value (builder, "https://json-schema.org/draft/2020-12/schema");
  json_builder_set_member_name (builder, "$id");
  json_builder_add_string_value (builder, form->schema_uri);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, kiosk_text_get (form->title, "de"));
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "object");
  json_builder_set_member_name (builder, "additionalProperties");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "required");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "$schema");
  json_builder_add_string_value (builder, "form");
  json_builder_add_string_value (builder, "data");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "$schema");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "const");
  json_builder_add_string_value (builder, form->schema_uri);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "form");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "object");
  json_builder_set_member_name (builder, "additionalProperties");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "required");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "id");
  json_builder_add_string_value (builder, "version");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "const");
  json_builder_add_string_value (builder, form->id);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "const");
  json_builder_add_string_value (builder, form->version);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "data");
  add_object_schema (builder, NULL, form->pages);

  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
