# SPDX-License-Identifier: GPL-3.0-or-later
"""One name for one thing: the public reference of an application is
called the same on every screen, receipt, PDF and clerk panel, in every
language (docs/receipts.md names the terms).

Every text a visitor or clerk can see comes from the gettext catalogues
(resources/po/*.po, English msgids): each message that speaks of the
reference must use the language's one term, and no other name for it
may appear anywhere."""
import os
import re
import unittest

ROOT = os.environ.get("ANTRAGSKIOSK_SOURCE_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PO = os.path.join(ROOT, "resources", "po")

# The term for the reference, per language (a pattern for the inflected
# forms), and names that must not be used for it.
TERMS = {
    "en": (r"\breference\b", [r"\bcase number\b", r"\bfile number\b", r"\btracking number\b",
                              r"\breference number\b", r"\bprocess number\b"]),
    "de": (r"Vorgangsnummer", [r"Aktenzeichen", r"Referenz", r"Bearbeitungsnummer", r"Antragsnummer",
                               r"Vorgangs-Nr"]),
    "tr": (r"[Rr]eferans numara", [r"dosya numara", r"başvuru numara", r"takip numara"]),
    "ar": (r"المرجعي", [r"رقم الملف", r"رقم القضية", r"رقم التتبع"]),
    "uk": (r"[Нн]омер\w*(?: \w+)? заяви", [r"референс", r"номер справи", r"номер відстеження"]),
}


def read_po(path):
    """The (msgid, msgstr) pairs of a .po file, header left out."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    pairs = []
    for m in re.finditer(r'^msgid ((?:".*"\n)+)(?:msgid_plural (?:".*"\n)+)?((?:msgstr(?:\[\d\])? (?:".*"\n)+)+)',
                         text, re.M):
        msgid = "".join(re.findall(r'"(.*)"', m.group(1)))
        msgstr = "".join(re.findall(r'"(.*)"', m.group(2)))
        if msgid:
            pairs.append((msgid, msgstr))
    return pairs


def speaks_of_reference(msgid):
    return re.search(TERMS["en"][0], msgid, re.I) is not None


class TermsTest(unittest.TestCase):
    def test_catalogues_found(self):
        for lang in ("de", "tr", "ar", "uk"):
            self.assertGreater(len(read_po(os.path.join(PO, lang + ".po"))), 100, lang)

    def test_english_source(self):
        msgids = [m for m, _ in read_po(os.path.join(PO, "de.po"))]
        self.assertGreater(sum(speaks_of_reference(m) for m in msgids), 10)
        for msgid in msgids:
            for other in TERMS["en"][1]:
                self.assertIsNone(re.search(other, msgid, re.I), f"msgid uses “{other}”: {msgid}")

    def test_one_term_per_language(self):
        problems = []
        for lang in ("de", "tr", "ar", "uk"):
            term, others = TERMS[lang]
            for msgid, msgstr in read_po(os.path.join(PO, lang + ".po")):
                if not msgstr:
                    continue
                for other in others:
                    if re.search(other, msgstr, re.I):
                        problems.append(f"{lang}: “{msgstr}” says {other}")
                if speaks_of_reference(msgid) and not re.search(term, msgstr):
                    problems.append(f"{lang}: “{msgid}” → “{msgstr}” lacks the term {term}")
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

    def test_checker_catches_a_second_name(self):
        """The check itself: the receipt screen's old wording would fail it."""
        term, others = TERMS["de"]
        old = "Bewahren Sie dieses Aktenzeichen auf: Am Schalter erfahren Sie damit, wie weit Ihr Antrag ist."
        self.assertTrue(any(re.search(o, old) for o in others))
        self.assertIsNone(re.search(term, old))


if __name__ == "__main__":
    unittest.main()
