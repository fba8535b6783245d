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

/* regel → conditions of our expression language where the script is
 * expressible; conditional requirements in optional groups (docs/fim.md). */

/* ------------------------------------------------------------------ */
/* Rules */

void
fim_collect_rules (Import *import, xmlNodePtr node, Item *owner)
{
  for (xmlNodePtr r = node->children; r != NULL; r = r->next)
    {
      xmlNodePtr ident;
      g_autofree char *id = NULL, *version = NULL, *key = NULL;
      Rule *rule;

      if (!fim_has_name (r, "regel"))
        continue;
      ident = fim_child (r, "identifikation");
      id = fim_node_text (fim_child (ident, "id"), 64);
      version = fim_node_text (fim_child (ident, "version"), 32);
      key = g_strdup_printf ("%s\t%s\t%u", id != NULL ? id : "", version != NULL ? version : "",
                             id == NULL ? fim_line_of (r) : 0);
      rule = g_hash_table_lookup (import->rule_by_id, key);
      if (rule == NULL)
        {
          xmlChar *script;

          rule = g_new0 (Rule, 1);
          rule->id = g_steal_pointer (&id);
          rule->version = g_steal_pointer (&version);
          rule->name = fim_child_text (r, "name");
          rule->type = fim_child_code (r, "typ");
          rule->line = fim_line_of (r);
          rule->message = fim_child_text (r, "freitextRegel");
          if (rule->message == NULL)
            rule->message = fim_child_text (r, "definition");
          if (rule->message == NULL)
            rule->message = fim_child_text (r, "beschreibung");
          if (rule->message == NULL)
            rule->message = g_strdup (rule->name != NULL ? rule->name : "Die Angaben passen nicht zusammen.");
          script = xmlNodeGetContent (fim_child (r, "skript") != NULL ? fim_child (r, "skript") : fim_child (r, "script"));
          rule->script_text = g_string_new (script != NULL ? (const char *) script : "");
          xmlFree (script);
          rule->owners = g_ptr_array_new ();
          g_ptr_array_add (import->rules, rule);
          g_hash_table_insert (import->rule_by_id, g_steal_pointer (&key), rule);
        }
      g_ptr_array_add (rule->owners, owner);
    }
}

/* A tiny JavaScript subset → our expression language (docs/fim.md):
 * || && ! == === != !== < <= > >=, parentheses, string and number
 * literals, true false null undefined, FIM field ids, id.length. */
typedef enum { T_END, T_ID, T_NUM, T_STR, T_OP, T_BAD } TokType;

typedef struct {
  const char *p;
  TokType     type;
  char       *text;
  Import     *import;
  Item       *owner;
  GPtrArray  *referenced;   /* Item* */
  const char *why;
} Lexer;

static void
lex (Lexer *lx)
{
  static const char * const ops[] = { "===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", ".", NULL };
  const char *p = lx->p;

  g_clear_pointer (&lx->text, g_free);
  while (g_ascii_isspace (*p))
    p++;
  if (*p == '\0')
    {
      lx->type = T_END;
      lx->p = p;
      return;
    }
  if (g_ascii_isalpha (*p) || *p == '_' || *p == '$')
    {
      const char *start = p;
      while (g_ascii_isalnum (*p) || *p == '_' || *p == '$')
        p++;
      lx->type = T_ID;
      lx->text = g_strndup (start, p - start);
    }
  else if (g_ascii_isdigit (*p))
    {
      const char *start = p;
      while (g_ascii_isdigit (*p))
        p++;
      if (*p == '.' && g_ascii_isdigit (p[1]))
        for (p++; g_ascii_isdigit (*p); p++)
          ;
      lx->type = T_NUM;
      lx->text = g_strndup (start, p - start);
    }
  else if (*p == '\'' || *p == '"')
    {
      char quote = *p++;
      GString *s = g_string_new (NULL);

      while (*p != '\0' && *p != quote)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          g_string_append_c (s, *p++);
        }
      if (*p != quote)
        {
          g_string_free (s, TRUE);
          lx->type = T_BAD;
          lx->p = p;
          return;
        }
      p++;
      lx->type = T_STR;
      lx->text = g_string_free (s, FALSE);
    }
  else
    {
      lx->type = T_BAD;
      for (guint i = 0; ops[i] != NULL; i++)
        if (g_str_has_prefix (p, ops[i]))
          {
            lx->type = T_OP;
            lx->text = g_strdup (ops[i]);
            p += strlen (ops[i]);
            break;
          }
    }
  lx->p = p;
}

static gboolean
is_op (Lexer *lx, const char *op)
{
  return lx->type == T_OP && strcmp (lx->text, op) == 0;
}

static gboolean
scope_contains (const Item *scope, const Item *item)
{
  for (const Item *i = item; i != NULL; i = i->parent)
    if (i == scope)
      return TRUE;
  return scope == NULL;
}

/* The field with FIM id @id that @owner's rule means: the only one, or the
 * one in the same repeatable group closest to @owner. */
static Item *
resolve_reference (Lexer *lx, const char *id)
{
  Item *best = NULL;
  gsize best_common = 0;
  guint found = 0;

  for (guint i = 0; i < lx->import->fields->len; i++)
    {
      Item *field = g_ptr_array_index (lx->import->fields, i);
      gsize common = 0;

      if (g_strcmp0 (field->fim_id, id) != 0)
        continue;
      if (lx->owner != NULL && field->scope != NULL && !scope_contains (field->scope, lx->owner))
        continue;
      found++;
      if (lx->owner != NULL)
        while (field->key[common] != '\0' && field->key[common] == lx->owner->key[common])
          common++;
      if (best == NULL || common > best_common)
        {
          best = field;
          best_common = common;
        }
    }
  if (found == 0)
    lx->why = "it names an element that is not an input field of the form";
  return best;
}

static gboolean parse_or (Lexer *lx, GString *out);

static gboolean
parse_primary (Lexer *lx, GString *out)
{
  if (is_op (lx, "("))
    {
      lex (lx);
      g_string_append_c (out, '(');
      if (!parse_or (lx, out) || !is_op (lx, ")"))
        return FALSE;
      g_string_append_c (out, ')');
      lex (lx);
      return TRUE;
    }
  if (lx->type == T_NUM)
    {
      g_string_append (out, lx->text);
      lex (lx);
      return TRUE;
    }
  if (lx->type == T_STR)
    {
      g_string_append_c (out, '\'');
      for (const char *p = lx->text; *p != '\0'; p++)
        {
          if (*p == '\'' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '\'');
      lex (lx);
      return TRUE;
    }
  if (lx->type == T_ID)
    {
      if (strcmp (lx->text, "true") == 0 || strcmp (lx->text, "false") == 0 || strcmp (lx->text, "null") == 0)
        g_string_append (out, lx->text);
      else if (strcmp (lx->text, "undefined") == 0)
        g_string_append (out, "null");
      else
        {
          Item *field = resolve_reference (lx, lx->text);

          if (field == NULL)
            return FALSE;
          g_ptr_array_add (lx->referenced, field);
          lex (lx);
          if (is_op (lx, "."))
            {
              lex (lx);
              if (lx->type != T_ID || strcmp (lx->text, "length") != 0)
                {
                  lx->why = "it uses a property other than .length";
                  return FALSE;
                }
              g_string_append_printf (out, "len(%s)", field->key);
            }
          else
            g_string_append (out, field->key);
          if (is_op (lx, "("))
            {
              lx->why = "it calls a function";
              return FALSE;
            }
          if (lx->type == T_ID && strcmp (lx->text, "length") == 0)
            lex (lx);
          return TRUE;
        }
      lex (lx);
      return TRUE;
    }
  if (lx->why == NULL)
    lx->why = "it is not a condition of the supported form (comparisons joined with && || !)";
  return FALSE;
}

static gboolean
parse_unary (Lexer *lx, GString *out)
{
  if (is_op (lx, "!"))
    {
      lex (lx);
      g_string_append (out, "not (");
      if (!parse_unary (lx, out))
        return FALSE;
      g_string_append_c (out, ')');
      return TRUE;
    }
  return parse_primary (lx, out);
}

static gboolean
parse_compare (Lexer *lx, GString *out)
{
  static const char * const from[] = { "===", "!==", "==", "!=", "<=", ">=", "<", ">", NULL };
  static const char * const to[] = { "==", "!=", "==", "!=", "<=", ">=", "<", ">", NULL };

  g_string_append_c (out, '(');
  if (!parse_unary (lx, out))
    return FALSE;
  for (guint i = 0; from[i] != NULL; i++)
    if (is_op (lx, from[i]))
      {
        g_string_append_printf (out, " %s ", to[i]);
        lex (lx);
        if (!parse_unary (lx, out))
          return FALSE;
        break;
      }
  g_string_append_c (out, ')');
  return TRUE;
}

/* @next ( @op @next )*, each @op written as @word. */
static gboolean
parse_chain (Lexer *lx, GString *out, const char *op, const char *word,
             gboolean (*next) (Lexer *, GString *))
{
  if (!next (lx, out))
    return FALSE;
  while (is_op (lx, op))
    {
      lex (lx);
      g_string_append (out, word);
      if (!next (lx, out))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_and (Lexer *lx, GString *out)
{
  return parse_chain (lx, out, "&&", " and ", parse_compare);
}

static gboolean
parse_or (Lexer *lx, GString *out)
{
  return parse_chain (lx, out, "||", " or ", parse_and);
}

/* The body of "function f() { return X; }", "return X;" or "X". */
static char *
script_expression (const char *script)
{
  g_autofree char *s = g_strstrip (g_strdup (script));
  char *body = s;
  gsize n;

  if (g_str_has_prefix (body, "function"))
    {
      char *open = strchr (body, '{');
      char *close = strrchr (body, '}');

      if (open == NULL || close == NULL || close < open)
        return NULL;
      *close = '\0';
      body = open + 1;
    }
  g_strstrip (body);
  if (g_str_has_prefix (body, "return") && !g_ascii_isalnum (body[6]) && body[6] != '_')
    body += 6;
  g_strstrip (body);
  n = strlen (body);
  while (n > 0 && body[n - 1] == ';')
    body[--n] = '\0';
  g_strstrip (body);
  if (*body == '\0' || strchr (body, ';') != NULL || strchr (body, '{') != NULL)
    return NULL;
  return g_strdup (body);
}

void
fim_convert_rule (Import *import, Rule *rule)
{
  g_autofree char *expression = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  Lexer lx = { 0 };
  Item *target = NULL;

  if (rule->type != NULL && strcmp (rule->type, "B") == 0)
    {
      rule->reason = g_strdup ("a calculation (typ B): the form format has no computed fields");
      return;
    }
  if (rule->type != NULL && strcmp (rule->type, "M") == 0)
    {
      rule->reason = g_strdup ("a multiplicity rule (typ M): multiplicities are taken from anzahl only");
      return;
    }
  g_strstrip (rule->script_text->str);
  rule->script_text->len = strlen (rule->script_text->str);
  if (rule->script_text->len == 0 || strcmp (rule->script_text->str, "function script() {}") == 0)
    {
      rule->reason = g_strdup ("the rule is free text without a script; check it by hand");
      return;
    }
  expression = script_expression (rule->script_text->str);
  if (expression == NULL)
    {
      rule->reason = g_strdup ("its script is not a single condition (return …;)");
      return;
    }
  /* The rule of a field checks that field; a rule of a group or of the
   * schema checks the last field it names, once that has a value. */
  for (guint i = 0; i < rule->owners->len && target == NULL; i++)
    {
      Item *owner = g_ptr_array_index (rule->owners, i);
      if (owner != NULL && owner->type == ITEM_FIELD && owner->constraint == NULL)
        target = owner;
    }
  lx.p = expression;
  lx.import = import;
  lx.owner = target;
  lx.referenced = g_ptr_array_new ();
  lex (&lx);
  if (!parse_or (&lx, out) || lx.type != T_END)
    {
      rule->reason = g_strdup (lx.why != NULL ? lx.why : "its script is not a condition of the supported form (comparisons joined with && || !)");
      g_free (lx.text);
      g_ptr_array_unref (lx.referenced);
      return;
    }
  g_free (lx.text);
  if (target == NULL)
    {
      for (guint i = 0; i < lx.referenced->len; i++)
        {
          Item *field = g_ptr_array_index (lx.referenced, i);
          if (field->constraint == NULL
              && (target == NULL || g_ptr_array_find (import->fields, field, NULL)))
            {
              guint a = 0, b = 0;
              if (target != NULL)
                {
                  g_ptr_array_find (import->fields, target, &a);
                  g_ptr_array_find (import->fields, field, &b);
                }
              if (target == NULL || b > a)
                target = field;
            }
        }
    }
  g_ptr_array_unref (lx.referenced);
  if (target == NULL)
    {
      rule->reason = g_strdup ("it names no input field that could carry it");
      return;
    }
  target->constraint = g_string_free (g_steal_pointer (&out), FALSE);
  target->constraint_message = g_strdup (rule->message);
  target->constraint_rule = g_strdup (rule->id != NULL ? rule->id : "?");
  rule->mapped = TRUE;
}

/* ------------------------------------------------------------------ */
/* Conditional requirement of fields in groups of multiplicity 0:1 */

static void
present_set (Item *group, Item *scope, GPtrArray *out)
{
  for (guint i = 0; i < group->children->len; i++)
    {
      Item *c = g_ptr_array_index (group->children, i);

      /* An unticked checkbox has a value (false): only a tick counts. */
      if (c->type == ITEM_FIELD && c->scope == scope && g_strcmp0 (c->kind, "checkbox") == 0)
        g_ptr_array_add (out, g_strdup_printf ("%s == true", c->key));
      else if (c->type == ITEM_FIELD && c->scope == scope)
        g_ptr_array_add (out, g_strdup_printf ("present(%s)", c->key));
      else if (c->type == ITEM_GROUP && c->max > 1)
        g_ptr_array_add (out, g_strdup_printf ("count(%s) > 0", c->key));
      else if (c->type == ITEM_GROUP || c->type == ITEM_PAGE)
        present_set (c, scope, out);
    }
}

void
fim_conditional_requirements (Import *import)
{
  for (guint i = 0; i < import->fields->len; i++)
    {
      Item *field = g_ptr_array_index (import->fields, i);
      g_autoptr(GPtrArray) set = NULL;

      if (!field->required || field->optional == NULL)
        continue;
      set = g_ptr_array_new_with_free_func (g_free);
      present_set (field->optional, field->scope, set);
      if (set->len <= 1)
        field->required = FALSE;
      else if (set->len > MAX_PRESENT_SET)
        {
          field->required = FALSE;
          fim_item_note (import, KIOSK_FIM_NOTE_WARNING, field,
                         "required within an optional group of more than %u fields: not required", MAX_PRESENT_SET);
        }
      else
        {
          g_ptr_array_add (set, NULL);
          field->required = FALSE;
          field->required_if = g_strjoinv (" or ", (char **) set->pdata);
        }
    }
}

