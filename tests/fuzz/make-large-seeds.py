#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes seeds of close to 1 MiB (below libFuzzer's -max_len=1048576) for a
fuzz target into DIR, so that every run starts from inputs as large as the
limit: a form with a long code list (form, json), a long expression (expr),
long values for a pattern (pattern). Generated, not kept in the tree.

  make-large-seeds.py NAME DIR
"""
import json
import os
import sys

LIMIT = 1024 * 1024


def codes_form(n):
    values = [{"code": "c%d" % i, "label": {"de": "%d" % i}} for i in range(n)]
    form = {"format": 1, "id": "gross", "version": "1.0.0", "leika": "unknown",
            "schema_uri": "urn:test:gross", "category": "sonstiges", "title": {"de": "Groß"},
            "code_lists": {"liste": {"values": values}},
            "pages": [{"id": "p", "title": {"de": "Seite"}, "items": [
                {"id": "wahl", "kind": "select", "label": {"de": "Wahl"}, "code_list": "liste"}]}]}
    return json.dumps(form, ensure_ascii=False, separators=(",", ":")).encode()


def largest(make, low, high):
    """make(n) for the largest n in [low, high] whose result fits LIMIT."""
    while low < high:
        mid = (low + high + 1) // 2
        if len(make(mid)) <= LIMIT:
            low = mid
        else:
            high = mid - 1
    return make(low)


def seeds(name):
    if name in ("form", "json"):
        return {"large-codes.json": largest(codes_form, 1, 100000)}
    if name == "expr":
        return {"large-sum": largest(lambda n: b" + ".join(b"x%d" % i for i in range(n)), 1, 200000),
                "large-or": largest(lambda n: b" or ".join(b"a == %d" % i for i in range(n)), 1, 200000)}
    if name == "pattern":
        return {"large-value": b"(?:[^x]|x)*\0" + b"a" * 100000,
                "large-marks": largest(lambda n: b"[a-z\\x{301}]*\0" + "á".encode() * n, 1, LIMIT),
                "large-over": largest(lambda n: b"(a|a)*b\0" + b"a" * n + b"cb", 1, LIMIT)}
    return {}


def main():
    name, directory = sys.argv[1:3]
    os.makedirs(directory, exist_ok=True)
    for file, data in seeds(name).items():
        assert len(data) <= LIMIT
        with open(os.path.join(directory, file), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
