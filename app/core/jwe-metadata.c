/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-jwe"

/* The metadata of a FIT-Connect submission (docs/encryption.md): the
 * SHA-512 hashes of the data and the attachments, the submission schema,
 * the sender's reference and the application date (jwe-private.h). */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <openssl/evp.h>

#include "antragskiosk/jwe.h"
#include "jwe-private.h"

char *
kiosk_sha512_hex (const guint8 *data,
                  gsize         length)
{
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  GString *hex;

  if (EVP_Digest (data, length, digest, &digest_length, EVP_sha512 (), NULL) != 1)
    g_error ("SHA-512 is not available from OpenSSL");
  hex = g_string_sized_new (digest_length * 2 + 1);
  for (unsigned int i = 0; i < digest_length; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  return g_string_free (hex, FALSE);
}

static void
add_hash (JsonBuilder  *builder,
          const guint8 *data,
          gsize         length)
{
  g_autofree char *hex = kiosk_sha512_hex (data, length);

  json_builder_set_member_name (builder, "hash");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "sha512");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, hex);
  json_builder_end_object (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static gboolean
date_is_valid (const char *date)
{
  int y, m, d;

  if (strlen (date) != 10 || date[4] != '-' || date[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (date[i]))
      return FALSE;
  y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
  m = (date[5] - '0') * 10 + (date[6] - '0');
  d = (date[8] - '0') * 10 + (date[9] - '0');
  return y >= 1 && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

/* The schema URI, the application date and the sender's reference. */
static gboolean
check_head (const char  *schema_uri,
            const char  *application_date,
            const char  *sender_reference,
            GError     **error)
{
  if (schema_uri == NULL || *schema_uri == '\0' || strchr (schema_uri, ':') == NULL)
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                   "the submission schema must be given as a URI");
      return FALSE;
    }
  if (!date_is_valid (application_date))
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                   "the application date must be a date YYYY-MM-DD");
      return FALSE;
    }
  if (sender_reference != NULL && (*sender_reference == '\0' || !g_utf8_validate (sender_reference, -1, NULL)))
    {
      g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID,
                   "the sender reference must be a non-empty UTF-8 string");
      return FALSE;
    }
  return TRUE;
}

/* Attachment @a, the @number-th (from 1). */
static gboolean
check_attachment (const KioskJweAttachment  *a,
                  guint                      number,
                  GError                   **error)
{
  const char *problem = NULL;

  if (a->attachment_id == NULL || !g_uuid_string_is_valid (a->attachment_id))
    problem = "the attachment id must be a UUID";
  else if (a->purpose == NULL
           || (strcmp (a->purpose, "form") != 0 && strcmp (a->purpose, "attachment") != 0
               && strcmp (a->purpose, "report") != 0))
    problem = "the purpose must be form, attachment or report";
  else if (a->mime_type == NULL || !_kiosk_jwe_cty_is_valid (a->mime_type) || strchr (a->mime_type, '/') == NULL)
    problem = "the MIME type must look like type/subtype";
  else if (a->description != NULL && (*a->description == '\0' || !g_utf8_validate (a->description, -1, NULL)))
    problem = "the description must be a non-empty UTF-8 string";
  else if (a->data == NULL && a->length > 0)
    problem = "no data";
  if (problem == NULL)
    return TRUE;
  g_set_error (error, KIOSK_JWE_ERROR, KIOSK_JWE_ERROR_INVALID, "attachment %u: %s", number, problem);
  return FALSE;
}

/* "contentStructure": the data with its schema, and the attachments. */
static void
add_content_structure (JsonBuilder               *builder,
                       const guint8              *data,
                       gsize                      length,
                       const char                *schema_uri,
                       const KioskJweAttachment  *attachments,
                       guint                      n_attachments)
{
  json_builder_set_member_name (builder, "contentStructure");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  add_hash (builder, data, length);
  json_builder_set_member_name (builder, "submissionSchema");
  json_builder_begin_object (builder);
  add_string (builder, "schemaUri", schema_uri);
  add_string (builder, "mimeType", "application/json");
  json_builder_end_object (builder);
  json_builder_end_object (builder);  /* data */
  json_builder_set_member_name (builder, "attachments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_attachments; i++)
    {
      json_builder_begin_object (builder);
      add_hash (builder, attachments[i].data, attachments[i].length);
      add_string (builder, "purpose", attachments[i].purpose);
      add_string (builder, "mimeType", attachments[i].mime_type);
      add_string (builder, "attachmentId", attachments[i].attachment_id);
      if (attachments[i].description != NULL)
        add_string (builder, "description", attachments[i].description);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);  /* contentStructure */
}

char *
kiosk_metadata_build (const guint8              *data,
                      gsize                      length,
                      const char                *schema_uri,
                      const KioskJweAttachment  *attachments,
                      guint                      n_attachments,
                      const char                *sender_reference,
                      const char                *application_date,
                      GError                   **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *today = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (attachments != NULL || n_attachments == 0, NULL);

  if (application_date == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      today = g_date_time_format (now, "%Y-%m-%d");
      application_date = today;
    }
  if (!check_head (schema_uri, application_date, sender_reference, error))
    return NULL;
  for (guint i = 0; i < n_attachments; i++)
    if (!check_attachment (&attachments[i], i + 1, error))
      return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string (builder, "$schema", KIOSK_METADATA_SCHEMA);
  add_content_structure (builder, data, length, schema_uri, attachments, n_attachments);
  json_builder_set_member_name (builder, "additionalReferenceInfo");
  json_builder_begin_object (builder);
  if (sender_reference != NULL)
    add_string (builder, "senderReference", sender_reference);
  add_string (builder, "applicationDate", application_date);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}
