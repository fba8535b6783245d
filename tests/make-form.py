#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes large or hostile form definitions for tests and measurements, so
that none has to be kept in the tree.

  make-form.py codes N FILE      a form with one select field over a code
                                 list of N codes
  make-form.py pattern P FILE    a form with a repeatable group (max 100) of
                                 one text field with the pattern P
"""
import json
import sys


def base(pages, code_lists=None):
    form = {
        "format": 1, "id": "gross", "version": "1.0.0", "leika": "unknown",
        "schema_uri": "urn:test:gross", "category": "sonstiges",
        "title": {"de": "Groß"}, "pages": pages,
    }
    if code_lists:
        form["code_lists"] = code_lists
    return form


def codes(n):
    values = [{"code": "c%d" % i, "label": {"de": "%d" % i}} for i in range(n)]
    return base([{"id": "p", "title": {"de": "Seite"}, "items": [
        {"id": "wahl", "kind": "select", "label": {"de": "Wahl"}, "code_list": "liste"}]}],
        {"liste": {"values": values}})


def pattern(p):
    return base([{"id": "p", "title": {"de": "Seite"}, "items": [
        {"id": "gruppe", "kind": "group", "label": {"de": "Gruppe"}, "min": 0, "max": 100, "items": [
            {"id": "feld", "kind": "text", "label": {"de": "Feld"}, "max_length": 200,
             "pattern": p, "pattern_message": {"de": "Falsch"}}]}]}])


def main():
    kind, arg, path = sys.argv[1:4]
    form = codes(int(arg)) if kind == "codes" else pattern(arg)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(form, f, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main()
