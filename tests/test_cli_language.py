# SPDX-License-Identifier: GPL-3.0-or-later
"""antragskiosk-ctl speaks English to IT staff whatever the shell's locale
(issue #12; docs/operations.md, "Language"): its help, GLib's option
parser, system errors (strerror) and our own messages, under LANG, LC_ALL
and LANGUAGE all German. Only what a command is asked to produce in a
visitor's language (validate --lang …) uses our catalog in that language,
and the messages around it stay English.

German must really be available for this to mean anything: GLib's and the
C library's German catalogs must be installed (else the test is skipped),
and a German locale is built with localedef into a temporary directory
(LOCPATH) when the system has none, so that setlocale() could honour it."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

CTL = os.environ["ANTRAGSKIOSK_CTL"]
SRCDIR = os.environ["G_TEST_SRCDIR"]
DE_CATALOGS = ["/usr/share/locale/de/LC_MESSAGES/glib20.mo", "/usr/share/locale/de/LC_MESSAGES/libc.mo"]
# Words of GLib's and the C library's German catalogs (glib20.mo, libc.mo)
# for the texts these commands print: "Usage:", "Help Options:",
# "Unknown option", "No such file or directory", "Permission denied",
# "Failed to open file".
GERMAN = re.compile(r"Aufruf|Hilfeoptionen|Anwendungsoptionen|Unbekannte Option|nicht gefunden|"
                    r"Keine Berechtigung|konnte nicht|Datei oder Verzeichnis")


def german_locale(tmp):
    """LOCPATH for a de_DE.UTF-8 locale: none when the system has one."""
    probe = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout.lower()
    if "de_de.utf8" in probe:
        return None
    localedef = shutil.which("localedef")
    if localedef is None:
        return None
    target = os.path.join(tmp, "de_DE.UTF-8")
    result = subprocess.run([localedef, "-i", "de_DE", "-f", "UTF-8", target],
                            capture_output=True, text=True, check=False)
    return tmp if result.returncode in (0, 1) and os.path.isdir(target) else None


class CliLanguageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.env = dict(os.environ)
        cls.env.pop("ANTRAGSKIOSK_CONFIG", None)
        cls.env.update({"LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8", "LC_MESSAGES": "de_DE.UTF-8",
                        "LANGUAGE": "de"})
        locpath = german_locale(cls.tmp.name)
        if locpath is not None:
            cls.env["LOCPATH"] = locpath
            # glibc keeps the LOCPATH list it splits with argz_add_sep for
            # the process's life: LeakSanitizer (build-asan) reports it.
            # Our suppressions plus that one glibc frame, for these runs.
            supp = os.path.join(cls.tmp.name, "lsan.supp")
            with open(supp, "w") as out:
                with open(os.path.join(SRCDIR, "lsan.supp")) as ours:
                    out.write(ours.read())
                out.write("\nleak:argz_add_sep\n")
            options = [o for o in cls.env.get("LSAN_OPTIONS", "").split(":") if o and not o.startswith("suppressions=")]
            cls.env["LSAN_OPTIONS"] = ":".join(options + ["suppressions=" + supp])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def ctl(self, *args, stdin=None):
        return subprocess.run([CTL, *args], capture_output=True, text=True, input=stdin, check=False, env=self.env)

    def assert_english(self, result, *needles):
        text = result.stdout + result.stderr
        self.assertIsNone(GERMAN.search(text), text)
        for needle in needles:
            self.assertIn(needle, text)

    def test_german_is_available(self):
        """The environment really is German for a program that lets it:
        Python's gettext finds GLib's German catalog for it."""
        import gettext
        german = gettext.translation("glib20", "/usr/share/locale", languages=["de"])
        self.assertEqual(german.gettext("Usage:"), "Aufruf:")

    def test_help(self):
        self.assert_english(self.ctl("--help"), "Usage: antragskiosk-ctl COMMAND")
        # GLib's option parser (glib20) for a command's --help
        result = self.ctl("check-config", "--help")
        self.assertEqual(result.returncode, 0)
        self.assert_english(result, "Usage:", "Help Options:", "Application Options:")

    def test_option_error(self):
        result = self.ctl("check-config", "--no-such-option")
        self.assertEqual(result.returncode, 2)
        self.assert_english(result, "Unknown option --no-such-option")

    def test_system_errors(self):
        """strerror and GLib's file errors inside our messages."""
        conf = os.path.join(self.tmp.name, "kiosk.conf")
        with open(conf, "w") as f:
            f.write("[kiosk]\nid=t1\ndata_dir=data\n"
                    "[platform]\ntoken_url=https://auth.example/token\nsubmission_api=https://api.example\n"
                    "client_id=c\nclient_secret_file=/nonexistent/secret\n")
        result = self.ctl("check-config", "--config", conf)
        self.assertEqual(result.returncode, 1)
        self.assert_english(result, "/nonexistent/secret: No such file or directory")

        result = self.ctl("validate", "--form", "wohnberechtigungsschein", "--answers", "/nonexistent/answers.json")
        self.assertEqual(result.returncode, 1)
        self.assert_english(result, "No such file or directory")

    def test_visitor_language_on_request(self):
        """validate --lang de gives the visitor's German messages from our
        catalog; the system error around it stays English."""
        with open(os.path.join(SRCDIR, "data", "answers", "wohnberechtigungsschein.json"), encoding="utf-8") as f:
            bad = json.load(f)
        postcode = [k for k, v in bad.items() if isinstance(v, str) and re.fullmatch(r"\d{5}", v)][0]
        bad[postcode] = "1234"
        de = self.ctl("validate", "--form", "wohnberechtigungsschein", "--answers", "-", "--lang", "de", stdin=json.dumps(bad))
        en = self.ctl("validate", "--form", "wohnberechtigungsschein", "--answers", "-", "--lang", "en", stdin=json.dumps(bad))
        self.assertEqual(de.returncode, 1)
        self.assertEqual(en.returncode, 1)
        self.assertNotEqual(de.stdout, en.stdout)
        missing = self.ctl("validate", "--form", "wohnberechtigungsschein", "--lang", "de", "--answers", "/nonexistent/a.json")
        self.assert_english(missing, "No such file or directory")


if __name__ == "__main__":
    unittest.main(verbosity=2)
