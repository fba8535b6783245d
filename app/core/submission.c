/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-submission"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/destination.h>
#include <antragskiosk/i18n.h>
#include <antragskiosk/jwe.h>
#include <antragskiosk/keys.h>
#include <antragskiosk/receipt.h>
#include <antragskiosk/submission.h>

G_DEFINE_QUARK (kiosk-submission-error-quark, kiosk_submission_error)

typedef struct {
  KioskKey *key;        /* NULL when it could not be loaded */
  GError   *error;      /* why not */
  gint64    loaded_us;  /* monotonic time of the load */
} CachedKey;

/* The sync service may fetch a new key (rotation) or the first one at any
 * time: a loaded key is looked up again after this long. */
#define KEY_RELOAD_US (60 * G_USEC_PER_SEC)

struct _KioskSubmitter {
  const KioskConfig *config;
  KioskQueue        *queue;
  GHashTable        *keys;   /* destination name → CachedKey* */
  gboolean           summary_pdf;
  gboolean           assisted;
};

static void
cached_key_free (CachedKey *cached)
{
  g_clear_pointer (&cached->key, kiosk_key_unref);
  g_clear_error (&cached->error);
  g_free (cached);
}

KioskSubmitter *
kiosk_submitter_new (const KioskConfig *config,
                     KioskQueue        *queue)
{
  KioskSubmitter *submitter = g_new0 (KioskSubmitter, 1);

  submitter->config = config;
  submitter->queue = queue;
  submitter->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cached_key_free);
  submitter->summary_pdf = TRUE;
  return submitter;
}

void
kiosk_submitter_free (KioskSubmitter *submitter)
{
  if (submitter == NULL)
    return;
  g_hash_table_unref (submitter->keys);
  g_free (submitter);
}

/* The destination's key, loaded and verified once; its validity is
 * checked against the clock at every use, since a kiosk runs for months. */
static KioskKey *
destination_key (KioskSubmitter               *submitter,
                 const KioskDestinationConfig *destination,
                 GError                      **error)
{
  CachedKey *cached = g_hash_table_lookup (submitter->keys, destination->name);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GDateTime *not_after;

  if (cached == NULL || g_get_monotonic_time () - cached->loaded_us > KEY_RELOAD_US)
    {
      g_autofree char *before = cached != NULL && cached->error != NULL ? g_strdup (cached->error->message) : NULL;

      cached = g_new0 (CachedKey, 1);
      cached->loaded_us = g_get_monotonic_time ();
      /* The key fetched from the platform and verified wins over the
       * key_file provisioned offline (destination.h). */
      cached->key = kiosk_destination_encryption_key (submitter->config, destination, &cached->error);
      if (cached->key == NULL && g_strcmp0 (before, cached->error->message) != 0)
        g_warning ("The encryption key of destination “%s” cannot be used, so its forms are out of service: %s",
                   destination->name, cached->error->message);
      g_hash_table_replace (submitter->keys, g_strdup (destination->name), cached);
    }
  if (cached->key == NULL)
    {
      g_set_error (error, KIOSK_SUBMISSION_ERROR, KIOSK_SUBMISSION_ERROR_KEY,
                   "%s", cached->error->message);
      return NULL;
    }
  not_after = kiosk_key_get_not_after (cached->key);
  if (not_after != NULL && g_date_time_compare (now, not_after) > 0)
    {
      g_autofree char *when = g_date_time_format_iso8601 (not_after);
      g_set_error (error, KIOSK_SUBMISSION_ERROR, KIOSK_SUBMISSION_ERROR_KEY,
                   "the encryption key of destination “%s” expired on %s; install the destination's current key",
                   destination->name, when);
      return NULL;
    }
  return cached->key;
}

static const KioskDestinationConfig *
destination_for (KioskSubmitter  *submitter,
                 const char      *form_id,
                 GError         **error)
{
  const KioskDestinationConfig *destination = kiosk_config_destination_for_form (submitter->config, form_id);

  if (destination == NULL)
    g_set_error (error, KIOSK_SUBMISSION_ERROR, KIOSK_SUBMISSION_ERROR_NO_DESTINATION,
                 "no [destination] in the configuration takes the form “%s”; add it to a destination's forms", form_id);
  return destination;
}

void
kiosk_submitter_set_summary_pdf (KioskSubmitter *submitter,
                                 gboolean        enabled)
{
  submitter->summary_pdf = enabled;
}

void
kiosk_submitter_set_assisted (KioskSubmitter *submitter,
                              gboolean        assisted)
{
  submitter->assisted = assisted;
}

gboolean
kiosk_submitter_check_form (KioskSubmitter  *submitter,
                            const char      *form_id,
                            GError         **error)
{
  const KioskDestinationConfig *destination = destination_for (submitter, form_id, error);

  return destination != NULL && destination_key (submitter, destination, error) != NULL;
}

char *
kiosk_submitter_submit (KioskSubmitter  *submitter,
                        KioskAnswers    *answers,
                        const char      *today,
                        GPtrArray      **problems,
                        GError         **error)
{
  KioskForm *form = kiosk_answers_get_form (answers);
  const KioskDestinationConfig *destination;
  g_autofree char *reference = NULL;
  g_autofree char *data_jwe = NULL;
  g_autofree char *metadata_jwe = NULL;
  g_autofree char *pdf_jwe = NULL;
  g_autofree char *attachment_id = NULL;
  KioskQueueSubmission submission = { 0 };
  KioskJweAttachment pdf_attachment = { 0 };
  KioskQueueAttachment *queue_attachment = NULL;
  const KioskQueueAttachment *attachments[1];
  GBytes *pdf = NULL;
  char *data = NULL, *metadata = NULL, *stored = NULL;
  gsize data_length = 0;
  KioskKey *key;
  char day[11];

  kiosk_date_today (today, day);
  /* Building the data validates the whole set; only when that fails is it
   * validated once more, to hand the problems to the caller. */
  data = kiosk_answers_to_data (answers, day, &data_length, NULL);
  if (data == NULL)
    {
      kiosk_answers_validate (answers, day, problems);
      g_set_error_literal (error, KIOSK_ANSWERS_ERROR, KIOSK_ANSWERS_ERROR_INVALID,
                           _("Some answers need correcting; nothing was sent."));
      return NULL;
    }
  destination = destination_for (submitter, form->id, error);
  key = destination != NULL ? destination_key (submitter, destination, error) : NULL;
  if (key != NULL)
    reference = kiosk_queue_new_reference (submitter->queue, error);
  if (reference == NULL)
    goto out;

  /* The application as a document (purpose "form"): rendered in memory,
   * hashed into the metadata, encrypted like the data. */
  if (submitter->summary_pdf || submitter->assisted)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      /* For the authority's staff: German whatever language the visitor
       * used, without switching the process's language (summary-pdf.c). */
      pdf = kiosk_summary_render_pdf (answers, day, reference, now, error);
      if (pdf == NULL)
        goto out;
      pdf_attachment.attachment_id = attachment_id = g_uuid_string_random ();
      pdf_attachment.purpose = "form";
      pdf_attachment.mime_type = KIOSK_JWE_CTY_PDF;
      pdf_attachment.data = g_bytes_get_data (pdf, &pdf_attachment.length);
      pdf_attachment.description = submitter->assisted ? KIOSK_SUBMISSION_DESCRIPTION_ASSISTED : NULL;
      pdf_jwe = kiosk_jwe_encrypt (key, KIOSK_JWE_CTY_PDF, pdf_attachment.data, pdf_attachment.length, error);
      if (pdf_jwe == NULL)
        goto out;
      queue_attachment = kiosk_queue_attachment_new (attachment_id, "form", KIOSK_JWE_CTY_PDF, pdf_jwe);
    }

  metadata = kiosk_metadata_build ((const guint8 *) data, data_length, form->schema_uri,
                                   pdf != NULL ? &pdf_attachment : NULL, pdf != NULL ? 1 : 0,
                                   reference, day, error);
  if (metadata != NULL)
    data_jwe = kiosk_jwe_encrypt (key, KIOSK_JWE_CTY_JSON, (const guint8 *) data, data_length, error);
  if (data_jwe != NULL)
    metadata_jwe = kiosk_jwe_encrypt (key, KIOSK_JWE_CTY_JSON, (const guint8 *) metadata, strlen (metadata), error);
  if (metadata_jwe == NULL)
    goto out;

  submission.reference = reference;
  submission.form_id = form->id;
  submission.form_version = form->version;
  submission.destination_name = destination->name;
  submission.destination_id = destination->destination_id;
  submission.metadata_jwe = metadata_jwe;
  submission.data_jwe = data_jwe;
  if (queue_attachment != NULL)
    {
      attachments[0] = queue_attachment;
      submission.attachments = attachments;
      submission.n_attachments = 1;
    }
  stored = kiosk_queue_enqueue (submitter->queue, &submission, error);

out:
  kiosk_secure_free (data, (gssize) data_length);
  kiosk_secure_free (metadata, -1);
  g_clear_pointer (&pdf, g_bytes_unref);
  g_clear_pointer (&queue_attachment, kiosk_queue_attachment_free);
  return stored;
}
