/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "config.h"

G_BEGIN_DECLS

/* The FIT-Connect Submission API client (docs/sync.md, PLATFORM.md):
 * OAuth 2.0 client credentials, create submission, upload attachments,
 * submit, read a case's event log. Asynchronous on one libcurl multi
 * handle: requests are started with the kiosk_platform_* calls below and
 * their callbacks run from kiosk_platform_iterate(), on the thread that
 * calls it. A KioskPlatform belongs to one thread; only
 * kiosk_platform_cancel() may be called from another.
 *
 * TLS is always verified (the system store, or [platform] ca_file): there
 * is no option to turn it off. Connections are reused (at most
 * @parallelism per host), HTTP/2 is used where the server offers it,
 * responses are bounded (KIOSK_PLATFORM_MAX_RESPONSE), stalled transfers
 * time out. */

#define KIOSK_PLATFORM_ERROR (kiosk_platform_error_quark ())
GQuark kiosk_platform_error_quark (void);

typedef enum {
  KIOSK_PLATFORM_ERROR_NOT_CONFIGURED,  /* no [platform] group */
  KIOSK_PLATFORM_ERROR_SECRET,          /* the client secret file cannot be read or is empty */
  KIOSK_PLATFORM_ERROR_FAILED,          /* libcurl could not be set up */
  KIOSK_PLATFORM_ERROR_CA_FILE,         /* [platform] ca_file cannot be read or holds no certificate */
} KioskPlatformError;

/* The largest [platform] ca_file accepted (a PEM bundle; Debian's whole
 * system store is about 220 KiB). */
#define KIOSK_PLATFORM_MAX_CA_FILE (1024u * 1024)

/* Reads the client secret in @path: a regular file (never a FIFO or a
 * device) of at most KIOSK_FILE_MAX_SECRET bytes holding the secret on one
 * line (surrounding white space ignored). Returns it, to be wiped with
 * explicit_bzero() before g_free(), or NULL with KIOSK_PLATFORM_ERROR_SECRET
 * (a sentence naming the file, never quoting it). check-config and the
 * platform client both read it through here. */
char          *kiosk_platform_read_client_secret (const char  *path,
                                                  GError     **error);

/* Checks [platform] ca_file @path: a regular file of at most
 * KIOSK_PLATFORM_MAX_CA_FILE bytes holding at least one PEM certificate.
 * FALSE with KIOSK_PLATFORM_ERROR_CA_FILE otherwise. */
gboolean       kiosk_platform_check_ca_file      (const char  *path,
                                                  GError     **error);

/* Bigger response bodies are refused (the transfer fails, transient). */
#define KIOSK_PLATFORM_MAX_RESPONSE (1024 * 1024)

/* What a failure means for the sender (PLATFORM.md's fault table). */
typedef enum {
  KIOSK_PLATFORM_OK,           /* 2xx */
  KIOSK_PLATFORM_TRANSIENT,    /* 5xx, 408, timeout, reset, stalled, invalid or oversized answer: back off */
  KIOSK_PLATFORM_SLOW_DOWN,    /* 429, 503: honour retry_after_ms when >= 0 */
  KIOSK_PLATFORM_AUTH,         /* 401 after one refresh, or the token endpoint refused us */
  KIOSK_PLATFORM_PERMANENT,    /* 400, 403, 404, 422 … with the platform's reason: mark failed */
  KIOSK_PLATFORM_CONFLICT,     /* 409 */
  KIOSK_PLATFORM_UNTRUSTED,    /* the server's certificate is not trusted: configuration error */
  KIOSK_PLATFORM_UNREACHABLE,  /* DNS failure, connection refused, no route: network down */
  KIOSK_PLATFORM_CANCELLED,    /* kiosk_platform_cancel() */
} KioskPlatformFault;

/* "ok", "transient", "slow-down", "auth", "permanent", "conflict",
 * "untrusted", "unreachable", "cancelled". */
const char *kiosk_platform_fault_to_string     (KioskPlatformFault fault);
/* TRUE for faults that concern every item alike (auth, untrusted,
 * unreachable): the sync pass pauses instead of trying the next item. */
gboolean    kiosk_platform_fault_is_platform_wide (KioskPlatformFault fault);

/* The outcome of one request. */
typedef struct {
  KioskPlatformFault fault;
  long      status;          /* HTTP status; 0 when no answer came */
  int       curl_code;       /* CURLcode; 0 on a completed transfer */
  gint64    retry_after_ms;  /* from Retry-After (seconds or HTTP date); -1 when none */
  gboolean  token_failed;    /* the token could not be obtained (fault says why) */
  char     *message;         /* NULL on success; a technical sentence, the platform's reason */
  JsonNode *body;            /* the parsed JSON answer of a success, or NULL */
} KioskPlatformResponse;

void kiosk_platform_response_clear (KioskPlatformResponse *response);

/* Classification without the network (also for tests): fills @response
 * (fault, status, curl_code, retry_after_ms, message; body stays NULL)
 * from a libcurl result @curl_code, the HTTP @status, the Retry-After
 * header value (may be NULL), the answer's @body (@body_len bytes; may be
 * NULL) and @now_ms (UTC ms, for an HTTP date). @curl_message may give
 * libcurl's error text. A 2xx answer with a body that is not JSON is
 * TRANSIENT ("invalid JSON"). */
void   kiosk_platform_classify          (int                    curl_code,
                                         const char            *curl_message,
                                         long                   status,
                                         const char            *retry_after,
                                         const char            *body,
                                         gsize                  body_len,
                                         gint64                 now_ms,
                                         KioskPlatformResponse *response);

/* Retry-After as a delay in ms from @now_ms: "120" (seconds) or an HTTP
 * date ("Wed, 21 Oct 2015 07:28:00 GMT"; a date in the past gives 0).
 * -1 when @value is NULL or neither. */
gint64 kiosk_platform_parse_retry_after (const char *value,
                                         gint64      now_ms);

typedef struct {
  guint parallelism;         /* transfers at once and connections per host (>= 1) */
  guint connect_timeout_s;   /* TCP + TLS connect */
  guint stall_timeout_s;     /* a transfer slower than 1 byte/s this long is aborted */
  guint request_timeout_s;   /* whole request; 0: none */
} KioskPlatformOptions;

/* Defaults: parallelism 4, connect 10 s, stall 30 s, request 300 s. */
void kiosk_platform_options_init (KioskPlatformOptions *options);

typedef struct _KioskPlatform KioskPlatform;

/* A client for @config's [platform] group (the config is copied from, not
 * kept). Reads the client secret file and checks ca_file now (as above).
 * NULL with KIOSK_PLATFORM_ERROR_NOT_CONFIGURED when there is no platform,
 * _SECRET or _CA_FILE when those files cannot be used. */
KioskPlatform *kiosk_platform_new  (const KioskConfig          *config,
                                    const KioskPlatformOptions *options,
                                    GError                    **error);
void           kiosk_platform_free (KioskPlatform *platform);

/* Runs when a request finished; @response is valid during the call only
 * (steal body/message if needed). */
typedef void (*KioskPlatformCallback) (KioskPlatform               *platform,
                                       const KioskPlatformResponse *response,
                                       gpointer                     user_data);

/* POST /v1/submissions. The answer's body carries submissionId, caseId. */
void kiosk_platform_create_submission (KioskPlatform         *platform,
                                       const char            *destination_id,
                                       const char *const     *attachment_ids,
                                       guint                  n_attachments,
                                       const char            *service_name,
                                       const char            *service_identifier,
                                       KioskPlatformCallback  callback,
                                       gpointer               user_data);
/* PUT /v1/submissions/{submission_id}/attachments/{attachment_id}, application/jose. */
void kiosk_platform_upload_attachment (KioskPlatform         *platform,
                                       const char            *submission_id,
                                       const char            *attachment_id,
                                       const char            *jwe,
                                       KioskPlatformCallback  callback,
                                       gpointer               user_data);
/* PUT /v1/submissions/{submission_id} {encryptedMetadata, encryptedData}. */
void kiosk_platform_submit            (KioskPlatform         *platform,
                                       const char            *submission_id,
                                       const char            *metadata_jwe,
                                       const char            *data_jwe,
                                       KioskPlatformCallback  callback,
                                       gpointer               user_data);
/* GET /v1/cases/{case_id}/events. */
void kiosk_platform_get_events        (KioskPlatform         *platform,
                                       const char            *case_id,
                                       KioskPlatformCallback  callback,
                                       gpointer               user_data);

/* GET /v1/cases/{case_id}/events?offset=&limit= (one page; the answer's
 * totalCount says whether more follow). */
void kiosk_platform_get_events_page   (KioskPlatform         *platform,
                                       const char            *case_id,
                                       guint                  offset,
                                       guint                  limit,
                                       KioskPlatformCallback  callback,
                                       gpointer               user_data);
/* GET /v1/destinations/{destination_id}: status, encryptionKid, services,
 * metadataVersions, replyChannels (destination.h reads it). */
void kiosk_platform_get_destination   (KioskPlatform         *platform,
                                       const char            *destination_id,
                                       KioskPlatformCallback  callback,
                                       gpointer               user_data);
/* GET /v1/destinations/{destination_id}/keys/{kid}: a public JWK with x5c. */
void kiosk_platform_get_destination_key (KioskPlatform         *platform,
                                         const char            *destination_id,
                                         const char            *kid,
                                         KioskPlatformCallback  callback,
                                         gpointer               user_data);

/* Requests started and not yet finished (waiting for a token included). */
guint    kiosk_platform_get_n_active (KioskPlatform *platform);
/* Drives the transfers: waits up to @timeout_ms for activity, then runs
 * the callbacks of finished requests. */
void     kiosk_platform_iterate      (KioskPlatform *platform,
                                      int            timeout_ms);
/* Thread-safe: every transfer in progress (and every later one)
 * finishes with KIOSK_PLATFORM_CANCELLED. */
void     kiosk_platform_cancel       (KioskPlatform *platform);
/* Forgets the cached token (tests, or after the credentials changed). */
void     kiosk_platform_forget_token (KioskPlatform *platform);

typedef struct {
  guint64 requests;            /* API and token requests completed */
  guint64 token_requests;
  guint64 connections;         /* new connections libcurl opened */
} KioskPlatformStats;

void     kiosk_platform_get_stats    (KioskPlatform      *platform,
                                      KioskPlatformStats *stats);

/* GET {submission_api}/.well-known/jwks.json: the platform's public
 * signature keys (a JWK set) for its event tokens. */
void kiosk_platform_get_jwks          (KioskPlatform         *platform,
                                       KioskPlatformCallback  callback,
                                       gpointer               user_data);

/* Reads an event log answer ({"eventLog": [SET, …]}): appends the event
 * type names (the part after …/events/, e.g. "submit-submission") of the
 * tokens whose subject is "submission:@submission_id" (or that have no
 * subject) to @types. With @jwks (may be NULL: not checked) a token whose
 * signature does not verify (kiosk_jws_verify_ps512, jws.h) is skipped
 * and counted in @n_unverified (may be NULL). For a rejection
 * @reject_reason (may be NULL) receives the event's problem text if any.
 * FALSE when the answer is not an event log. */
gboolean kiosk_platform_parse_events (JsonNode    *body,
                                      const char  *submission_id,
                                      JsonNode    *jwks,
                                      GPtrArray   *types,
                                      char       **reject_reason,
                                      guint       *n_unverified);

/* How the event log of one submission is checked (FIT-Connect: the
 * Zustelldienst signs its own events with its JWKS; accept-submission and
 * reject-submission are written by the receiving authority, signed with
 * the destination's signature key, issuer = the destinationId). */
typedef struct {
  const char *submission_id;     /* sub must be "submission:<id>" (others' tokens are skipped) */
  const char *case_id;           /* txn must be "case:<id>" when present; NULL: not checked */
  const char *destination_id;    /* iss of the authority's events */
  JsonNode   *platform_jwks;     /* the Zustelldienst's keys ({"keys":[…]}) */
  JsonNode   *destination_keys;  /* the destination's verified PS512 keys ({"keys":[…]}) */
} KioskEventCheck;

/* The result of kiosk_platform_check_events. */
typedef struct {
  GPtrArray *types;          /* event types that passed every check, in log order */
  char      *reject_reason;  /* problems of a verified reject-submission, or NULL */
  GPtrArray *rejected;       /* sentences: tokens ignored (signature, issuer, subject or case wrong) */
  GPtrArray *missing_kids;   /* kids of authority events whose key is not in destination_keys yet */
  gint64     total_count;    /* the answer's totalCount (or the number of tokens) */
  guint      n_tokens;       /* tokens in this page */
} KioskEventLog;

void     kiosk_event_log_init  (KioskEventLog *log);
void     kiosk_event_log_clear (KioskEventLog *log);

/* Checks one page of an event log answer ({"eventLog": […], "totalCount"})
 * against @check and appends to @log. An event is applied only when its
 * signature verifies with the right key, its issuer (for the authority's
 * events), subject and case match; any other is listed in log->rejected
 * and never applied. FALSE when the answer is not an event log. */
gboolean kiosk_platform_check_events (JsonNode             *body,
                                      const KioskEventCheck *check,
                                      KioskEventLog        *log);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskPlatform, kiosk_platform_free)

G_END_DECLS
