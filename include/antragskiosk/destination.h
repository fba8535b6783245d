/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "config.h"
#include "keys.h"

G_BEGIN_DECLS

/* What the kiosk knows about a receiving destination (Zustellpunkt,
 * docs/platform.md "Destinations"): the destination document of
 * GET /v1/destinations/{id} (status, encryptionKid, services with their
 * submissionSchemas, metadataVersions) and the destination's public keys
 * (GET …/keys/{kid}), each checked against the trust anchor (x5c chain,
 * use/key_ops/alg, RSA >= 4096, validity) before it is kept.
 *
 * What was verified is cached durably in DATA_DIR/destinations/ID.json
 * exactly as the platform sent it (document and JWKs with their x5c), so
 * that it can be checked again — each load verifies every key anew
 * against the trust anchor at that moment. */

#define KIOSK_DESTINATION_ERROR (kiosk_destination_error_quark ())
GQuark kiosk_destination_error_quark (void);

typedef enum {
  KIOSK_DESTINATION_ERROR_NO_DATA,   /* nothing cached (never fetched) */
  KIOSK_DESTINATION_ERROR_INVALID,   /* not a destination document / damaged cache */
  KIOSK_DESTINATION_ERROR_INACTIVE,  /* status is not "active" */
  KIOSK_DESTINATION_ERROR_KEY,       /* no usable key (missing, untrusted, expired, weak) */
  KIOSK_DESTINATION_ERROR_REFUSED,   /* the destination does not take this service/schema/metadata version */
} KioskDestinationError;

typedef struct {
  char      *identifier;          /* urn:de:fim:leika:leistung:… */
  GPtrArray *submission_schemas;  /* schemaUri strings (may be empty) */
} KioskDestinationService;

typedef struct {
  char      *destination_id;
  char      *status;              /* created, active, inactive, decommissioned */
  char      *encryption_kid;
  GPtrArray *services;            /* KioskDestinationService* */
  GPtrArray *metadata_versions;   /* strings, e.g. "1.3.0" */
  GPtrArray *reply_channels;      /* member names of replyChannels (eMail, deMail, fink, elster) */
  JsonNode  *document;            /* as received */
} KioskDestinationInfo;

/* Reads a destination document. @expected_id (may be NULL) must equal its
 * destinationId. NULL with KIOSK_DESTINATION_ERROR_INVALID otherwise. */
KioskDestinationInfo *kiosk_destination_info_parse (JsonNode     *document,
                                                   const char   *expected_id,
                                                   GError      **error);
void                  kiosk_destination_info_free  (KioskDestinationInfo *info);

/* Whether the destination takes an application of service
 * @service_identifier with data schema @schema_uri (may be NULL: not
 * checked) and metadata version @metadata_version (may be NULL): the
 * destination is active, lists the service, lists the schema among the
 * service's submissionSchemas (when it lists any), and lists the version.
 * FALSE with KIOSK_DESTINATION_ERROR_INACTIVE or _REFUSED and a sentence
 * saying which. */
gboolean kiosk_destination_info_accepts (const KioskDestinationInfo *info,
                                         const char                 *service_identifier,
                                         const char                 *schema_uri,
                                         const char                 *metadata_version,
                                         GError                    **error);

/* The metadata version the kiosk writes for @info: the newest of
 * @supported (NULL-terminated, newest first) that the destination lists,
 * or NULL when none. */
const char *kiosk_destination_info_pick_metadata_version (const KioskDestinationInfo *info,
                                                          const char *const          *supported);

/* The verified state of one destination, from the cache. */
typedef struct {
  KioskDestinationInfo *info;
  KioskKey             *encryption_key;  /* the encryptionKid's key, verified now; NULL: see key_error */
  GError               *key_error;       /* why there is no encryption key */
  JsonNode             *signing_keys;    /* {"keys":[JWK…]} of the verified PS512 keys (may be empty) */
  GHashTable           *served_kids;     /* set of kids the platform served when last asked */
  GHashTable           *retired_kids;    /* set of kids the platform answered 404 for */
  char                 *last_error;      /* why the last refresh failed, or NULL */
  gint64                verified_ms;     /* when the platform's answer was verified (UTC ms) */
} KioskDestinationState;

void kiosk_destination_state_free (KioskDestinationState *state);

/* The cache file of @destination_id under @data_dir. */
char *kiosk_destination_cache_path (const char *data_dir,
                                    const char *destination_id);

/* Loads and re-verifies the cache against the PEM trust anchor in
 * @trust_anchor_file at @now (NULL: now). NULL with _NO_DATA when nothing
 * is cached, _INVALID when the file is damaged; otherwise a state whose
 * encryption_key may be NULL (key_error says why). */
KioskDestinationState *kiosk_destination_cache_load (const char  *data_dir,
                                                     const char  *destination_id,
                                                     const char  *trust_anchor_file,
                                                     GDateTime   *now,
                                                     GError     **error);

/* Stores @document and @keys (kid → JsonNode JWK, as received) with
 * @verified_ms, durably (write, fsync, rename). @retired_kids (may be
 * NULL) lists kids the platform no longer serves (404); @last_error (may
 * be NULL) why the last refresh failed. */
gboolean kiosk_destination_cache_store (const char   *data_dir,
                                        JsonNode     *document,
                                        GHashTable   *keys,
                                        GPtrArray    *retired_kids,
                                        gint64        verified_ms,
                                        const char   *last_error,
                                        GError      **error);

/* The cache file's raw content (document, keys as received), for the
 * sync's refresh; NULL when there is none. */
JsonNode *kiosk_destination_cache_read_raw (const char *data_dir,
                                            const char *destination_id);

/* Verifies a JWK the platform served for @destination_id against the
 * trust anchor (PEM text) for @purpose, RSA >= 4096. */
KioskKey *kiosk_destination_verify_key (JsonNode         *jwk,
                                        const char       *trust_anchor_pem,
                                        gsize             pem_length,
                                        KioskKeyPurpose   purpose,
                                        GDateTime        *now,
                                        const char       *source,
                                        GError          **error);

/* For the kiosk's catalog: whether the destination @destination can take
 * applications now, from what is cached or provisioned offline. The
 * fetched-and-verified key wins over [destination] key_file; without
 * either, FALSE. @reason (may be NULL) receives a sentence for staff and
 * the log (never shown to visitors, who see "out of service"). */
gboolean kiosk_destination_usable (const KioskConfig             *config,
                                   const KioskDestinationConfig  *destination,
                                   char                         **reason);

/* The encryption key to use for @destination now: the cached, verified
 * key when there is one (online data wins), else [destination] key_file
 * checked against the trust anchor, else NULL with
 * KIOSK_DESTINATION_ERROR_KEY and a clear sentence. */
KioskKey *kiosk_destination_encryption_key (const KioskConfig             *config,
                                            const KioskDestinationConfig  *destination,
                                            GError                       **error);

/* The metadata schema version the kiosk writes (jwe.h's
 * KIOSK_METADATA_SCHEMA); a destination must list it. */
#define KIOSK_DESTINATION_METADATA_VERSION "1.3.0"

/* "urn:de:fim:leika:leistung:" + @leika, or + @form_id when the form has
 * no LeiKa key (NULL or "unknown"). Free with g_free. */
char    *kiosk_destination_service_identifier (const char *leika,
                                               const char *form_id);

/* For the kiosk's catalog: whether form @form_id (its LeiKa key @leika
 * and data schema @schema_uri, may be NULL) can be filed now: a
 * destination routes it, a usable encryption key is known
 * (kiosk_destination_usable), and — when the destination's document is
 * cached — the destination lists the service, the schema and the metadata
 * version. FALSE with @reason (may be NULL; for staff and the log, never
 * for visitors, who see "out of service"). */
gboolean kiosk_destination_form_available (const KioskConfig *config,
                                           const char        *form_id,
                                           const char        *leika,
                                           const char        *schema_uri,
                                           char             **reason);

/* The same, every check at @now (NULL: now); @from_platform (may be NULL)
 * says whether the key came from the platform's verified data. */
KioskKey *kiosk_destination_encryption_key_at (const KioskConfig             *config,
                                               const KioskDestinationConfig  *destination,
                                               GDateTime                     *now,
                                               gboolean                      *from_platform,
                                               GError                       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskDestinationInfo, kiosk_destination_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskDestinationState, kiosk_destination_state_free)

G_END_DECLS
