/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A parsed JSON text (docs/architecture.md, "Form loading"): a strict
 * RFC 8259 parser of our own for form definitions and answer sets. Every
 * value knows where it starts; duplicate keys and every syntax error are
 * reported with line, column, JSON path and a sentence that says what to
 * fix. The whole tree lives in one arena that is wiped before it is
 * freed (answers are personal data). Values are read-only views. */

typedef enum {
  KIOSK_JSON_NULL,
  KIOSK_JSON_BOOLEAN,
  KIOSK_JSON_INTEGER,   /* fits gint64 */
  KIOSK_JSON_DOUBLE,    /* has a fraction or an exponent */
  KIOSK_JSON_STRING,    /* valid UTF-8 without NUL */
  KIOSK_JSON_OBJECT,
  KIOSK_JSON_ARRAY,
} KioskJsonType;

typedef struct _KioskJson       KioskJson;
typedef struct _KioskJsonMember KioskJsonMember;

struct _KioskJson {
  KioskJsonType type;
  guint32       line;     /* where the value starts, from 1 */
  guint32       column;   /* in characters, from 1 */
  guint32       length;   /* bytes of a string, members, elements */
  union {
    gboolean               boolean;
    gint64                 integer;
    double                 number;
    const char            *string;
    const KioskJsonMember *members;   /* in the order of the text */
    const KioskJson       *elements;
  } v;
  const guint32 *sorted;  /* large objects: member indexes sorted by key */
};

struct _KioskJsonMember {
  const char *key;        /* NUL-terminated, no NUL inside */
  guint32     key_length;
  guint32     key_line;
  guint32     key_column;
  KioskJson   value;
};

typedef struct {
  guint line;
  guint column;
  char *path;     /* "$.pages[0].id" */
  char *message;  /* a sentence: what is wrong and what to do */
} KioskJsonProblem;

typedef struct _KioskJsonDoc KioskJsonDoc;

/* Never NULL. Without problems the root is the whole value; a syntax error
 * (or invalid UTF-8) is one problem and no root; duplicate keys are one
 * problem each, the tree is still built (the first value of a key is the
 * one kiosk_json_get() finds). */
KioskJsonDoc           *kiosk_json_doc_parse         (const char         *data,
                                                      gsize               length);
void                    kiosk_json_doc_free          (KioskJsonDoc       *doc);
const KioskJson        *kiosk_json_doc_get_root      (const KioskJsonDoc *doc);
/* Of KioskJsonProblem, in the order of the text. */
const GPtrArray        *kiosk_json_doc_get_problems  (const KioskJsonDoc *doc);

/* The member @key of @object (an object node), or NULL. */
const KioskJson        *kiosk_json_get               (const KioskJson    *object,
                                                      const char         *key);
/* The member itself (with the key's position), or NULL. */
const KioskJsonMember  *kiosk_json_get_member        (const KioskJson    *object,
                                                      const char         *key);
/* A number of either kind as a double. */
double                  kiosk_json_get_number        (const KioskJson    *node);
/* "an object", "a string", … for messages. */
const char             *kiosk_json_type_name         (const KioskJson    *node);

static inline gboolean
kiosk_json_is_string (const KioskJson *node)
{
  return node != NULL && node->type == KIOSK_JSON_STRING;
}

static inline gboolean
kiosk_json_is_object (const KioskJson *node)
{
  return node != NULL && node->type == KIOSK_JSON_OBJECT;
}

static inline gboolean
kiosk_json_is_array (const KioskJson *node)
{
  return node != NULL && node->type == KIOSK_JSON_ARRAY;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskJsonDoc, kiosk_json_doc_free)

G_END_DECLS
