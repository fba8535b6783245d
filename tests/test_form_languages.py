# SPDX-License-Identifier: GPL-3.0-or-later
"""Every bundled form speaks every language the kiosk offers.

The welcome screen (ui/kiosk-window.ui) offers one button per language,
each activating the action kiosk.language with the language code as its
target; those codes are the languages a visitor can choose, so every text
of every bundled form (resources/forms/*.json) must exist in each of them
(docs/forms.md, "Languages"). Forms that a town hall drops into its own
forms directory may have fewer and fall back to German; this test reads
the bundled ones only.

A *language map* is, precisely: a JSON object with at least one member,
every key of which is two lower-case ASCII letters (the loader's rule for
a language code, ISO 639-1), and which has a member "de" whose value is a
string. Nothing else in the format has that shape (ids, codes and
conditions are strings; every other object has longer keys), and the
test asserts that it finds the maps it knows must be there.

For each map, and each offered language, the test reports the file and
the JSON path of the map when the text
  - is missing, not a string, or empty (white space only);
  - contains a control character (Unicode category Cc, or U+2028/U+2029)
    or a bidi control (U+061C, U+200E, U+200F, U+202A-U+202E,
    U+2066-U+2069): the loader refuses those, and text direction is the
    renderer's job;
  - is in the wrong script: a text that contains letters at all must
    contain at least one letter of its language's script (Arabic for
    "ar", Cyrillic for "uk", Latin for "de", "en", "tr"), and none of
    another of those scripts (German terms in brackets are Latin, which
    "ar" and "uk" texts may contain). Texts without any letter (a
    postcode, a fee such as "25000,00") are fine in every language;
  - a "tr" text identical to the German one although the German has a
    word of at least four letters and the English text differs from it:
    an untranslated copy (for "ar" and "uk" the script rule catches
    that). What German and English write alike ("IBAN", a breed such as
    "Border Collie") Turkish may write alike too.
Example values shown in an empty field (a street name, a house number, a
number plate, an IBAN, an e-mail address, a German court) are typed in
Latin letters whatever the language; the ones listed in EXAMPLES may stand
unchanged in every language and are exempt from the script rules.
"""
import glob
import json
import os
import re
import unicodedata
import unittest
import xml.etree.ElementTree as ET

ROOT = os.environ.get("ANTRAGSKIOSK_SOURCE_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMS = sorted(glob.glob(os.path.join(ROOT, "resources", "forms", "*.json")))

LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Example values (placeholders) that are deliberately the same in every
# language: what the visitor types is Latin whatever the language.
EXAMPLES = {"Musterstraße", "12a", "B-AB 1234", "DE00 0000 0000 0000 0000 00", "name@example.de",
            "Amtsgericht Dresden"}


def offered_languages():
    """The codes of the welcome screen's language buttons, in their order."""
    tree = ET.parse(os.path.join(ROOT, "ui", "kiosk-window.ui"))
    codes = []
    for obj in tree.iter("object"):
        props = {p.get("name"): (p.text or "").strip() for p in obj.findall("property")}
        if props.get("action-name") == "kiosk.language":
            target = props.get("action-target", "")
            m = re.fullmatch(r"'([a-z]{2})'", target)
            assert m, "language button with target %r" % target
            codes.append(m.group(1))
    return codes


def catalog_languages():
    """resources/po/LINGUAS plus English, the language of the msgids."""
    with open(os.path.join(ROOT, "resources", "po", "LINGUAS"), encoding="utf-8") as f:
        return ["en"] + [w for line in f for w in line.split("#")[0].split()]


def is_language_map(node):
    return (isinstance(node, dict) and len(node) > 0
            and all(LANGUAGE_CODE.match(k) for k in node)
            and isinstance(node.get("de"), str))


def language_maps(node, path="$"):
    """(JSON path, map) of every language map in the tree, in file order."""
    if is_language_map(node):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from language_maps(value, "%s.%s" % (path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from language_maps(value, "%s[%d]" % (path, i))


def script_of(ch):
    """'arabic', 'cyrillic', 'latin' or None for a letter (else None)."""
    if not unicodedata.category(ch).startswith("L"):
        return None
    name = unicodedata.name(ch, "")
    for script in ("ARABIC", "CYRILLIC", "LATIN"):
        if name.startswith(script):
            return script.lower()
    return "other"


SCRIPT = {"ar": "arabic", "uk": "cyrillic", "de": "latin", "en": "latin", "tr": "latin"}


def text_problems(lang, text, german, english=None):
    """The problems of one text, as short phrases."""
    if not isinstance(text, str):
        return ["is not a string"]
    if not text.strip():
        return ["is empty"]
    problems = []
    for ch in text:
        if unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029":
            problems.append("contains the control character U+%04X" % ord(ch))
        elif ch in BIDI_CONTROLS:
            problems.append("contains the bidi control U+%04X" % ord(ch))
    if text == german and text in EXAMPLES:
        return problems
    scripts = {script_of(ch) for ch in text} - {None}
    wanted = SCRIPT.get(lang)
    if wanted is not None and scripts:
        if wanted not in scripts:
            problems.append("has no %s letter (%s text in the wrong script?)" % (wanted.capitalize(), lang))
        others = scripts - {wanted, "latin"} if wanted != "latin" else scripts - {"latin"}
        if others:
            problems.append("contains %s letters" % ", ".join(sorted(s.capitalize() for s in others)))
    if (lang == "tr" and text == german and english != german
            and re.search(r"[^\W\d_]{4,}", german)):
        problems.append("is the German text, untranslated")
    return problems


class FormLanguagesTest(unittest.TestCase):
    def test_offered_languages(self):
        offered = offered_languages()
        for lang in ("de", "en", "tr", "ar", "uk"):
            self.assertIn(lang, offered)
        self.assertEqual(len(offered), len(set(offered)), offered)
        # Each offered language has its catalogue for the kiosk's own texts.
        self.assertLessEqual(set(offered), set(catalog_languages()))
        # check-forms warns about the same languages (kiosk_i18n_languages).
        with open(os.path.join(ROOT, "app", "core", "i18n.c"), encoding="utf-8") as f:
            table = re.search(r"kiosk_i18n_languages\[\] = \{([^}]*)\}", f.read())
        self.assertIsNotNone(table)
        self.assertEqual(set(re.findall(r'"(\w+)"', table.group(1))), set(offered))

    def test_rule_finds_the_maps(self):
        """The rule is not vacuous: a title and a code-list label are maps,
        an element (whose "id" is two letters) is not."""
        sample = {"title": {"de": "T", "en": "T"},
                  "items": [{"id": "x", "kind": "text", "label": {"de": "L"}}],
                  "code_lists": {"l": {"values": [{"code": "a", "label": {"de": "A", "tr": "A"}}]}},
                  "only_id": {"id": "x"}}
        paths = [p for p, _ in language_maps(sample)]
        self.assertEqual(paths, ["$.title", "$.items[0].label", "$.code_lists.l.values[0].label"])
        self.assertEqual(text_problems("ar", "Hundesteuer", "Hundesteuer"),
                         ["has no Arabic letter (ar text in the wrong script?)"])
        self.assertEqual(text_problems("tr", "Hundesteuer", "Hundesteuer", "Dog tax"), ["is the German text, untranslated"])
        self.assertEqual(text_problems("tr", "Border Collie", "Border Collie", "Border Collie"), [])
        self.assertEqual(text_problems("uk", "Musterstraße", "Musterstraße"), [])
        self.assertEqual(text_problems("uk", "Собака", "Hund"), [])
        self.assertEqual(text_problems("uk", "Собака ضريبة", "Hund"), ["contains Arabic letters"])
        self.assertEqual(text_problems("uk", "12345", "12345"), [])
        self.assertEqual(text_problems("ar", "\u200fضريبة", "x"), ["contains the bidi control U+200F"])
        self.assertEqual(text_problems("uk", "Податок (Hundesteuer)", "Hundesteuer"), [])

    def test_bundled_forms(self):
        self.assertEqual([os.path.basename(f) for f in FORMS],
                         ["anwohnerparkausweis.json", "gewerbeanmeldung.json", "hundesteuer.json",
                          "meldebescheinigung.json", "wohnberechtigungsschein.json"])
        offered = offered_languages()
        failures = []
        for path in FORMS:
            with open(path, encoding="utf-8") as f:
                form = json.load(f)
            name = os.path.relpath(path, ROOT)
            maps = list(language_maps(form))
            self.assertTrue(any(p == "$.title" for p, _ in maps), name)
            self.assertGreater(len(maps), 40, name)
            for json_path, text_map in maps:
                for lang in offered:
                    if lang not in text_map:
                        failures.append("%s: %s: no %s text" % (name, json_path, lang))
                        continue
                    for problem in text_problems(lang, text_map[lang], text_map["de"], text_map.get("en")):
                        failures.append("%s: %s.%s %s" % (name, json_path, lang, problem))
        if failures:
            shown = failures[:200]
            if len(failures) > len(shown):
                shown.append("… and %d more" % (len(failures) - len(shown)))
            self.fail("%d problems in the bundled forms' texts:\n%s" % (len(failures), "\n".join(shown)))


if __name__ == "__main__":
    unittest.main()
