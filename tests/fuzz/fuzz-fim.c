/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the FIM importer (XDF message → form) and the
 * genericode reader, on any bytes. Whatever the importer returns must load
 * as a form without a problem, and its report must account for every
 * datenfeld element of the message (counted here independently). */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/fim.h>
#include <antragskiosk/form.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char code_list[] =
  "<gc:CodeList xmlns:gc=\"http://docs.oasis-open.org/codelist/ns/genericode/1.0/\"><Identification>"
  "<ShortName>staat</ShortName><Version>2023</Version><CanonicalUri>urn:de:test:codeliste:staat</CanonicalUri>"
  "</Identification><ColumnSet><Column Id=\"code\"/><Column Id=\"name\"/><Key Id=\"k\"><ColumnRef Ref=\"code\"/></Key>"
  "</ColumnSet><SimpleCodeList><Row><Value><SimpleValue>000</SimpleValue></Value><Value><SimpleValue>deutsch</SimpleValue>"
  "</Value></Row><Row><Value><SimpleValue>163</SimpleValue></Value><Value><SimpleValue>türkisch</SimpleValue></Value></Row>"
  "</SimpleCodeList></gc:CodeList>";

static void
quiet_log (const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
}

static void
quiet_xml (void *ctx, const char *msg, ...)
{
}

static guint
count_datenfelder (xmlNodePtr node)
{
  guint n = 0;

  for (xmlNodePtr c = node->children; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      n += (strcmp ((const char *) c->name, "datenfeld") == 0) + count_datenfelder (c);
  return n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static KioskFimCodeLists *lists;
  g_autoptr(KioskFimCodeLists) fuzzed = kiosk_fim_code_lists_new ();
  g_autoptr(KioskFimResult) result = NULL;
  KioskFimOptions options = { NULL, NULL, "de" };

  g_log_set_default_handler (quiet_log, NULL);
  xmlSetGenericErrorFunc (NULL, quiet_xml);
  if (lists == NULL)
    {
      lists = kiosk_fim_code_lists_new ();
      g_assert_true (kiosk_fim_code_lists_add_data (lists, code_list, strlen (code_list), "staat.xml", NULL));
    }
  options.code_lists = lists;

  kiosk_fim_code_lists_add_data (fuzzed, (const char *) data, size, "fuzz.xml", NULL);
  result = kiosk_fim_import_data ((const char *) data, size, "fuzz.xml", &options, NULL);
  if (result != NULL)
    {
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(KioskForm) form = kiosk_form_load_data (result->form_json, strlen (result->form_json),
                                                        "fuzz.json", &problems, NULL);
      xmlDocPtr doc;

      if (form == NULL)
        {
          KioskFormProblem *first = g_ptr_array_index (problems, 0);
          g_error ("the imported form does not load: %s: %s", first->path, first->message);
        }
      g_assert_cmpuint (result->fields + result->unmapped, ==, result->datenfelder);
      for (guint i = 0; i < result->notes->len; i++)
        g_free (kiosk_fim_note_to_string (result, g_ptr_array_index (result->notes, i)));
      g_free (kiosk_fim_result_report_line (result));
      json_node_unref (kiosk_form_to_json_schema (form));
      {
        g_autoptr(KioskAnswers) empty = kiosk_answers_new (form);
        g_autoptr(GPtrArray) answer_problems = NULL;
        kiosk_answers_validate (empty, "2026-01-01", &answer_problems);
      }
      /* The datenfeld elements of the message's top element, counted on a
       * tree of our own. */
      doc = xmlReadMemory ((const char *) data, (int) size, "fuzz.xml", NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
      g_assert_nonnull (doc);
      for (xmlNodePtr c = xmlDocGetRootElement (doc)->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && (strcmp ((const char *) c->name, "stammdatenschema") == 0
                                            || strcmp ((const char *) c->name, "datenfeldgruppe") == 0))
          {
            g_assert_cmpuint (count_datenfelder (c), ==, result->datenfelder);
            break;
          }
      xmlFreeDoc (doc);
    }
  return 0;
}
