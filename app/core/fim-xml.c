/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-fim"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <antragskiosk/file.h>
#include <antragskiosk/fim.h>
#include <antragskiosk/form.h>

#include "fim-private.h"

/* Text clean-up and the hardened libxml2 reader of the FIM importer: no
 * network, no external entities, no DTD, a depth limit; element access. */

/* ------------------------------------------------------------------ */
/* Text */

static gboolean
is_forbidden_char (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029
         || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
         || c == 0xfeff || c == 0x200e || c == 0x200f;
}

/* @s with white space runs (line breaks and tabs included) made one space,
 * trimmed, control and bidi characters dropped, at most @max characters.
 * NULL for NULL or empty. libxml2 gives valid UTF-8. */
char *
fim_clean_text (const char *s,
                glong       max)
{
  GString *out;
  gboolean space = FALSE;
  glong n = 0;

  if (s == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (const char *p = s; *p != '\0' && n < max; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      if (g_unichar_isspace (c) || c == 0x2028 || c == 0x2029)
        {
          space = out->len > 0;
          continue;
        }
      if (is_forbidden_char (c))
        continue;
      if (space)
        {
          g_string_append_c (out, ' ');
          n++;
          space = FALSE;
        }
      g_string_append_unichar (out, c);
      n++;
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* XML */

typedef struct {
  const char *file;
  GString    *first;     /* the first error, "FILE:LINE: message" */
  gboolean    doctype;
  guint       doctype_line;
} XmlErrors;

static void
xml_error_handler (void *user_data, xmlErrorPtr err)
{
  xmlParserCtxtPtr ctxt = user_data;
  XmlErrors *errors = ctxt != NULL ? ctxt->_private : NULL;
  g_autofree char *message = NULL;

  if (errors == NULL || err == NULL || err->level < XML_ERR_ERROR || errors->first != NULL)
    return;
  message = fim_clean_text (err->message != NULL ? err->message : "error", 300);
  errors->first = g_string_new (NULL);
  g_string_printf (errors->first, "%s:%d: the XML is not well-formed: %s",
                   errors->file, err->line > 0 ? err->line : 1, message != NULL ? message : "error");
}

static void
refuse_internal_subset (void          *ctx,
                        const xmlChar *name,
                        const xmlChar *external_id,
                        const xmlChar *system_id)
{
  xmlParserCtxtPtr ctxt = ctx;
  XmlErrors *errors = ctxt->_private;

  errors->doctype = TRUE;
  errors->doctype_line = ctxt->input != NULL ? (guint) ctxt->input->line : 0;
  xmlStopParser (ctxt);
}

static guint
xml_depth (xmlNodePtr node, guint depth, guint limit)
{
  guint deepest = depth;

  if (depth > limit)
    return depth;
  for (xmlNodePtr child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      {
        guint d = xml_depth (child, depth + 1, limit);
        deepest = MAX (deepest, d);
        if (deepest > limit)
          break;
      }
  return deepest;
}

/* Parses @data without network, external entities or DTD; a document with
 * a DOCTYPE is refused (XDatenfelder and genericode never have one, and
 * entity declarations are how XML bombs work). */
xmlDocPtr
fim_parse_xml (const char  *data,
               gsize        length,
               const char  *file,
               GError     **error)
{
  XmlErrors errors = { file, NULL, FALSE, 0 };
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc;

  if (length > KIOSK_FIM_MAX_FILE || length > G_MAXINT)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_IO,
                   "%s: the file is larger than %u MiB", file, KIOSK_FIM_MAX_FILE / (1024 * 1024));
      return NULL;
    }
  xmlInitParser ();
  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML, "%s: out of memory for the XML parser", file);
      return NULL;
    }
  ctxt->_private = &errors;
  ctxt->sax->internalSubset = refuse_internal_subset;
  ctxt->sax->serror = xml_error_handler;
  ctxt->sax->error = NULL;
  ctxt->sax->warning = NULL;
  ctxt->vctxt.error = NULL;
  ctxt->vctxt.warning = NULL;
  /* The structured handler of the SAX block gets the context's userData,
   * which is the context itself. */
  ctxt->userData = ctxt;
  doc = xmlCtxtReadMemory (ctxt, data, (int) length, file, NULL, XML_PARSE_NONET);
  if (errors.doctype)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML,
                   "%s:%u: the document has a DOCTYPE; XDatenfelder and genericode files have none, "
                   "and entity declarations are not read", file, MAX (errors.doctype_line, 1));
      if (errors.first != NULL)
        g_string_free (errors.first, TRUE);
      xmlFreeDoc (doc);
      xmlFreeParserCtxt (ctxt);
      return NULL;
    }
  if (doc == NULL || !ctxt->wellFormed || errors.first != NULL)
    {
      if (errors.first != NULL)
        g_set_error_literal (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML, errors.first->str);
      else
        g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML, "%s:%d: the XML is not well-formed",
                     file, ctxt->input != NULL && ctxt->input->line > 0 ? ctxt->input->line : 1);
      if (errors.first != NULL)
        g_string_free (errors.first, TRUE);
      xmlFreeDoc (doc);
      xmlFreeParserCtxt (ctxt);
      return NULL;
    }
  xmlFreeParserCtxt (ctxt);
  if (xmlDocGetRootElement (doc) == NULL)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML, "%s:1: the document has no element", file);
      xmlFreeDoc (doc);
      return NULL;
    }
  if (xml_depth (xmlDocGetRootElement (doc), 1, KIOSK_FIM_MAX_XML_DEPTH) > KIOSK_FIM_MAX_XML_DEPTH)
    {
      g_set_error (error, KIOSK_FIM_ERROR, KIOSK_FIM_ERROR_XML,
                   "%s:1: elements are nested more than %u deep", file, KIOSK_FIM_MAX_XML_DEPTH);
      xmlFreeDoc (doc);
      return NULL;
    }
  return doc;
}

gboolean
fim_has_name (xmlNodePtr  node,
              const char *local)
{
  return node != NULL && node->type == XML_ELEMENT_NODE && strcmp ((const char *) node->name, local) == 0;
}

/* The first element child named @local (any namespace: XÖV code types
 * have unqualified children, genericode's are unqualified). */
xmlNodePtr
fim_child (xmlNodePtr  node,
           const char *local)
{
  if (node == NULL)
    return NULL;
  for (xmlNodePtr c = node->children; c != NULL; c = c->next)
    if (fim_has_name (c, local))
      return c;
  return NULL;
}

xmlNodePtr
fim_first_element (xmlNodePtr node)
{
  for (xmlNodePtr c = node != NULL ? node->children : NULL; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      return c;
  return NULL;
}

char *
fim_node_text (xmlNodePtr node, glong max)
{
  xmlChar *content;
  char *text;

  if (node == NULL)
    return NULL;
  content = xmlNodeGetContent (node);
  text = fim_clean_text ((const char *) content, max);
  xmlFree (content);
  return text;
}

char *
fim_child_text (xmlNodePtr node, const char *local)
{
  return fim_node_text (fim_child (node, local), MAX_TEXT);
}

/* The code of an XÖV code element: <x:feldart><code>input</code></x:feldart>. */
char *
fim_child_code (xmlNodePtr node, const char *local)
{
  xmlNodePtr c = fim_child (node, local);

  if (c == NULL)
    return NULL;
  if (fim_child (c, "code") != NULL)
    return fim_node_text (fim_child (c, "code"), 200);
  return fim_node_text (c, 200);
}

char *
fim_attribute (xmlNodePtr node, const char *name)
{
  xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  char *text;

  if (value == NULL)
    return NULL;
  text = fim_clean_text ((const char *) value, MAX_TEXT);
  xmlFree (value);
  return text;
}

guint
fim_line_of (xmlNodePtr node)
{
  long line = node != NULL ? xmlGetLineNo (node) : 0;
  return line > 0 ? (guint) line : 0;
}

