# SPDX-License-Identifier: GPL-3.0-or-later
"""antragskiosk-ctl's form commands as IT staff use them: exit codes,
output formats and error messages."""
import base64
import hashlib
import json
import os
import pty
import re
import select
import signal
import subprocess
import termios
import time
import tempfile
import unittest

CTL = os.environ["ANTRAGSKIOSK_CTL"]
SRCDIR = os.environ["G_TEST_SRCDIR"]
ROOT = os.environ["ANTRAGSKIOSK_SOURCE_ROOT"]
BUNDLED = ["anwohnerparkausweis", "gewerbeanmeldung", "hundesteuer", "meldebescheinigung", "wohnberechtigungsschein"]


def ctl(*args, stdin=None):
    return subprocess.run([CTL, *args], capture_output=True, text=True, input=stdin, check=False)


class CtlTest(unittest.TestCase):
    def test_help_version_usage(self):
        self.assertEqual(ctl("--help").returncode, 0)
        self.assertIn("check-forms", ctl("--help").stdout)
        version = ctl("--version")
        self.assertEqual(version.returncode, 0)
        self.assertRegex(version.stdout, r"^antragskiosk-ctl \d+\.\d+\.\d+\n$")
        self.assertEqual(ctl().returncode, 2)
        unknown = ctl("frobnicate")
        self.assertEqual(unknown.returncode, 2)
        self.assertIn("unknown command", unknown.stderr)
        self.assertEqual(ctl("validate", "--form", "x").returncode, 2)
        self.assertEqual(ctl("schema").returncode, 2)
        self.assertEqual(ctl("forms", "--no-such-option").returncode, 2)
        self.assertEqual(ctl("validate", "--help").returncode, 0)

    def test_forms(self):
        result = ctl("forms")
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        ids = [line.split("\t")[0] for line in lines]
        self.assertEqual(sorted(ids), BUNDLED)
        for line in lines:
            form_id, version, title = line.split("\t")
            self.assertRegex(version, r"^\d+\.\d+\.\d+$")
            self.assertTrue(title)

    def test_check_forms_bundled(self):
        result = ctl("check-forms")
        self.assertEqual((result.returncode, result.stdout), (0, ""))
        files = [os.path.join(ROOT, "resources", "forms", f + ".json") for f in BUNDLED]
        result = ctl("check-forms", *files)
        self.assertEqual((result.returncode, result.stdout), (0, ""))

    def test_check_forms_language_warnings(self):
        """A town hall's form that lacks a language the kiosk offers gets a
        warning per language (how many texts, which), and check-forms still
        exits 0: the kiosk shows German there. The count is the number of
        language maps in the file without that language, counted here."""
        def strip(node, langs, counter):
            if isinstance(node, dict):
                if node and all(re.fullmatch("[a-z]{2}", k) for k in node) and isinstance(node.get("de"), str):
                    for lang in langs:
                        node.pop(lang, None)
                    counter[0] += 1
                    return
                for value in node.values():
                    strip(value, langs, counter)
            elif isinstance(node, list):
                for value in node:
                    strip(value, langs, counter)

        with tempfile.TemporaryDirectory() as tmp:
            for form in BUNDLED:
                with open(os.path.join(ROOT, "resources", "forms", form + ".json"), encoding="utf-8") as f:
                    data = json.load(f)
                counter = [0]
                strip(data, ["tr", "uk"], counter)
                path = os.path.join(tmp, form + ".json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(data, f, ensure_ascii=False)
                result = ctl("check-forms", path)
                self.assertEqual(result.returncode, 0, result.stdout)
                lines = result.stdout.splitlines()
                self.assertEqual(len(lines), 2, lines)
                for line, (name, code) in zip(lines, [("Turkish", "tr"), ("Ukrainian", "uk")]):
                    self.assertTrue(line.startswith(path + ": warning: "), line)
                    self.assertIn(f"{counter[0]} texts without {name} ({code})", line)
                    self.assertIn("$.title", line)
            # German only: English, Turkish, Arabic and Ukrainian are named
            with open(os.path.join(ROOT, "resources", "forms", "wohnberechtigungsschein.json"), encoding="utf-8") as f:
                data = json.load(f)
            strip(data, ["en", "tr", "ar", "uk"], [0])
            os.makedirs(os.path.join(tmp, "dir"))
            with open(os.path.join(tmp, "dir", "wohnberechtigungsschein.json"), "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False)
            result = ctl("check-forms", "--forms-dir", os.path.join(tmp, "dir"))
            self.assertEqual(result.returncode, 0, result.stdout)
            warned = [l for l in result.stdout.splitlines() if ": warning: " in l]
            self.assertEqual([re.search(r"\((\w\w)\)", l).group(1) for l in warned], ["en", "tr", "ar", "uk"])

    def test_check_forms_broken(self):
        with tempfile.TemporaryDirectory() as tmp:
            good = os.path.join(ROOT, "resources", "forms", "wohnberechtigungsschein.json")
            with open(good, encoding="utf-8") as f:
                text = f.read()
            broken = os.path.join(tmp, "broken.json")
            # Two independent mistakes: a typo in a key and an unknown kind.
            text = text.replace('"required"', '"requird"', 1).replace('"kind": "date"', '"kind": "datum"', 1)
            with open(broken, "w", encoding="utf-8") as f:
                f.write(text)
            notjson = os.path.join(tmp, "notjson.json")
            with open(notjson, "w", encoding="utf-8") as f:
                f.write('{\n  "id": "x",\n  "pages": [\n}\n')
            result = ctl("check-forms", good, broken, notjson, os.path.join(tmp, "missing.json"))
            self.assertEqual(result.returncode, 1)
            lines = result.stdout.splitlines()
            pattern = re.compile(r"^(.+):(\d+):(\d+): (\$\S*): (.+)$")
            for line in lines:
                self.assertRegex(line, pattern)
            self.assertTrue(any("broken.json" in l and 'did you mean "required"' in l for l in lines), lines)
            self.assertTrue(any("broken.json" in l and 'unknown kind "datum"' in l for l in lines), lines)
            self.assertTrue(any(l.startswith(notjson + ":4:") and "not valid JSON" in l for l in lines), lines)
            self.assertTrue(any("missing.json" in l and "cannot read" in l for l in lines), lines)
            self.assertFalse(any(l.startswith(good) for l in lines))
            # The line number of the typo is the line where it stands.
            typo_line = next(l for l in lines if "requird" in l)
            number = int(pattern.match(typo_line).group(2))
            self.assertIn('"requird"', text.splitlines()[number - 1])

    def test_example_form(self):
        """The Sperrmüll form is not bundled (no verifiable LeiKa key) but kept
        as an example under packaging/examples/forms: it checks clean, its
        sample answers validate from a forms directory, and it is not among
        the bundled forms."""
        examples = os.path.join(ROOT, "packaging", "examples", "forms")
        example = os.path.join(examples, "sperrmuell.json")
        checked = ctl("check-forms", example)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertNotIn("sperrmuell", ctl("forms").stdout)
        answers = os.path.join(SRCDIR, "data", "answers", "sperrmuell.json")
        ok = ctl("validate", "--forms-dir", examples, "--form", "sperrmuell", "--answers", answers)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertEqual(json.loads(ok.stdout)["form"]["id"], "sperrmuell")

    def test_validate(self):
        answers = os.path.join(SRCDIR, "data", "answers", "wohnberechtigungsschein.json")
        ok = ctl("validate", "--form", "wohnberechtigungsschein", "--answers", answers)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        data = json.loads(ok.stdout)
        self.assertEqual(data["form"]["id"], "wohnberechtigungsschein")

        with open(answers, encoding="utf-8") as f:
            sample = json.load(f)
        # Break one answer of each of two kinds the form certainly has.
        sample_text = json.dumps(sample)
        bad = json.loads(sample_text)
        postcode_keys = [k for k, v in bad.items() if isinstance(v, str) and re.fullmatch(r"\d{5}", v)]
        self.assertTrue(postcode_keys, "the sample has a postcode")
        bad[postcode_keys[0]] = "1234"
        for lang, needle in (("de", "5"), ("en", "5")):
            result = ctl("validate", "--form", "wohnberechtigungsschein", "--answers", "-", "--lang", lang, stdin=json.dumps(bad))
            self.assertEqual(result.returncode, 1)
            self.assertTrue(result.stdout.startswith(postcode_keys[0] + ": "), result.stdout)
            self.assertIn(needle, result.stdout)
        de = ctl("validate", "--form", "wohnberechtigungsschein", "--answers", "-", "--lang", "de", stdin=json.dumps(bad)).stdout
        en = ctl("validate", "--form", "wohnberechtigungsschein", "--answers", "-", "--lang", "en", stdin=json.dumps(bad)).stdout
        self.assertNotEqual(de, en)

        unknown = ctl("validate", "--form", "wohnberechtigungsschein", "--answers", "-", stdin='{"no_such_field": 1}')
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("no_such_field", unknown.stderr)
        self.assertEqual(ctl("validate", "--form", "nope", "--answers", answers).returncode, 1)
        self.assertEqual(ctl("validate", "--form", "wohnberechtigungsschein", "--answers", "/nonexistent").returncode, 1)
        self.assertEqual(ctl("validate", "--form", "wohnberechtigungsschein", "--answers", answers, "--today", "31.12.2026").returncode, 2)

    def test_special_files(self):
        """Issue #18: a FIFO, a device or an oversized file among the forms
        or given as --answers is refused at once and named; the other
        forms still load. Each command would block on the FIFO without
        the fix; the timeout turns that into a failure."""
        with tempfile.TemporaryDirectory() as tmp:
            forms = os.path.join(tmp, "forms")
            os.mkdir(forms)
            with open(os.path.join(ROOT, "resources", "forms", "wohnberechtigungsschein.json"), encoding="utf-8") as f:
                good = f.read().replace('"id": "wohnberechtigungsschein"', '"id": "wohnberechtigungsschein_neu"', 1)
            self.assertIn("wohnberechtigungsschein_neu", good)
            with open(os.path.join(forms, "a-good.json"), "w", encoding="utf-8") as f:
                f.write(good)
            os.mkfifo(os.path.join(forms, "b-fifo.json"))
            os.symlink("/dev/zero", os.path.join(forms, "c-zero.json"))
            with open(os.path.join(forms, "d-big.json"), "w", encoding="utf-8") as f:
                f.write(good + " " * (4 * 1024 * 1024))

            # The catalog's warnings about broken files are this test's
            # subject, not fatal.
            env = dict(os.environ, G_DEBUG="gc-friendly")

            def run(*args, stdin=None):
                return subprocess.run([CTL, *args], capture_output=True, text=True, input=stdin,
                                      check=False, timeout=60, env=env)

            checked = run("check-forms", "--forms-dir", forms)
            self.assertEqual(checked.returncode, 1)
            # (the good form's missing languages are warnings, not problems)
            lines = [l for l in checked.stdout.splitlines() if ": warning: " not in l]
            self.assertEqual(len(lines), 3, lines)
            self.assertIn("b-fifo.json is a FIFO (named pipe), not a regular file", lines[0])
            self.assertIn("c-zero.json is a character device, not a regular file", lines[1])
            self.assertIn("a form definition may have at most 4 MiB", lines[2])
            listed = run("forms", "--forms-dir", forms)
            self.assertEqual(listed.returncode, 0, listed.stderr)
            self.assertIn("wohnberechtigungsschein_neu\t", listed.stdout)
            self.assertIn("b-fifo.json is broken", listed.stderr)
            direct = run("check-forms", os.path.join(forms, "b-fifo.json"))
            self.assertEqual(direct.returncode, 1)

            fifo = os.path.join(forms, "b-fifo.json")
            big = os.path.join(tmp, "big-answers.json")
            with open(big, "w", encoding="utf-8") as f:
                f.write('{"x": "' + "a" * (4 * 1024 * 1024) + '"}')
            for path, needle in ((fifo, "is a FIFO (named pipe), not a regular file"),
                                 ("/dev/zero", "is a character device"),
                                 (big, "this file may have; is it the right file?")):
                result = run("validate", "--forms-dir", forms, "--form", "wohnberechtigungsschein", "--answers", path)
                self.assertEqual(result.returncode, 1, result.stderr)
                self.assertIn("cannot read the answers: " + path + " is ", result.stderr)
                self.assertIn(needle, result.stderr)
            piped = run("validate", "--forms-dir", forms, "--form", "wohnberechtigungsschein", "--answers", "-",
                        stdin='{"x": "' + "a" * (4 * 1024 * 1024) + '"}')
            self.assertEqual(piped.returncode, 1)
            self.assertIn("standard input has more than the 4 MiB an answer set may have", piped.stderr)

    def test_large_code_list(self):
        """Issue #18: 100000 codes took 26 s to check (quadratic)."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "gross.json")
            subprocess.run(["/usr/bin/python3", os.path.join(SRCDIR, "make-form.py"), "codes", "100000", path],
                           check=True)
            start = time.monotonic()
            result = subprocess.run([CTL, "check-forms", path], capture_output=True, text=True, check=False,
                                    timeout=120)
            elapsed = time.monotonic() - start
            # no problem (a generated German-only form: language warnings only)
            problems = [l for l in result.stdout.splitlines() if ": warning: " not in l]
            self.assertEqual((result.returncode, problems), (0, []))
            self.assertLess(elapsed, 10, "a linear check takes well under a second")

    def test_regex_bomb(self):
        """Issue #18: a nested-star pattern in a repeatable group passed
        check-forms and made one validate take 45 s."""
        with tempfile.TemporaryDirectory() as tmp:
            bomb = os.path.join(tmp, "bomb.json")
            subprocess.run(["/usr/bin/python3", os.path.join(SRCDIR, "make-form.py"), "pattern", "(?:[a-z]+ ?)*", bomb],
                           check=True)
            result = ctl("check-forms", bomb)
            self.assertEqual(result.returncode, 1)
            self.assertRegex(result.stdout, r'^' + re.escape(bomb) + r':1:\d+: \$\.pages\[0\]\.items\[0\]\.items\[0\]'
                             r'\.pattern: "pattern" repeats without bound a group that itself contains an unbounded repeat'
                             r' \(the quantifier at character 13\)')
            # Overlapping alternatives pass the load-time check; the match
            # limit bounds them: 100 instances of a value that would take
            # 2^38 steps each.
            overlap = os.path.join(tmp, "overlap.json")
            subprocess.run(["/usr/bin/python3", os.path.join(SRCDIR, "make-form.py"), "pattern", "(a|a)*b", overlap],
                           check=True)
            forms = os.path.join(tmp, "forms")
            os.mkdir(forms)
            os.rename(overlap, os.path.join(forms, "overlap.json"))
            answers = json.dumps({"gruppe": [{"feld": "a" * 38 + "cb"} for _ in range(100)]})
            start = time.monotonic()
            # The warning to the administrator is expected, not fatal.
            result = subprocess.run([CTL, "validate", "--forms-dir", forms, "--form", "gross", "--answers", "-",
                                     "--lang", "en"], input=answers, capture_output=True, text=True, check=False,
                                    timeout=120, env=dict(os.environ, G_DEBUG="gc-friendly"))
            elapsed = time.monotonic() - start
            self.assertEqual(result.returncode, 1)
            self.assertLess(elapsed, 10)
            lines = result.stdout.splitlines()
            self.assertEqual(len(lines), 100)
            self.assertEqual(sorted(lines), sorted(f"gruppe[{i}].feld: This entry cannot be checked because of a fault "
                                                   "in the form. Please ask the staff for help." for i in range(1, 101)))
            self.assertIn('The pattern of the field "feld"', result.stderr)
            self.assertNotIn("a" * 38, result.stderr)

    def test_hash_pin(self):
        """The clerk PIN's drop-in: checked with Python's hashlib (an
        independent PBKDF2), a fresh salt each time, and accepted by
        check-config."""
        made = ctl("hash-pin", stdin="4711 09\n")
        self.assertEqual(made.returncode, 0, made.stderr)
        lines = made.stdout.splitlines()
        self.assertEqual(lines[0], "[clerk]")
        self.assertEqual(len(lines), 2)
        self.assertNotIn("4711", made.stdout + made.stderr)
        scheme, iterations, salt, digest = lines[1].removeprefix("pin_hash=").split("$")
        self.assertEqual((scheme, iterations), ("pbkdf2-sha256", "600000"))
        self.assertEqual(len(base64.b64decode(salt, validate=True)), 16)
        self.assertEqual(base64.b64decode(digest, validate=True),
                         hashlib.pbkdf2_hmac("sha256", b"4711 09", base64.b64decode(salt), 600000))
        self.assertNotEqual(ctl("hash-pin", stdin="4711 09\n").stdout, made.stdout)

        lower = ctl("hash-pin", "--iterations", "200000", stdin="123456")
        self.assertEqual(lower.returncode, 0, lower.stderr)
        self.assertIn("$200000$", lower.stdout)
        self.assertEqual(lower.stderr, "")
        short = ctl("hash-pin", stdin="4711\n")
        self.assertEqual(short.returncode, 0)
        self.assertIn("warning: a PIN of 4 characters is guessed quickly", short.stderr)

        for args, stdin, code, message in (
                (["--iterations", "1000"], "123456\n", 2, "--iterations must be from 200000"),
                (["--iterations", "20000000"], "123456\n", 2, "to 10000000 (more makes the clerk wait"),
                ([], "123\n", 1, "the PIN must be 4 to 64 characters long"),
                ([], "", 1, "no PIN given"),
                (["extra"], "123456\n", 2, "hash-pin takes no arguments")):
            result = ctl("hash-pin", *args, stdin=stdin)
            self.assertEqual(result.returncode, code, result.stderr)
            self.assertIn(message, result.stderr)
            self.assertEqual(result.stdout, "")

        # Not UTF-8: a lead byte before the line end (read past the end
        # once; ASan and valgrind runs of this test would say so).
        raw = subprocess.run([CTL, "hash-pin"], input=b"abc\xf0\n", capture_output=True, check=False)
        self.assertEqual(raw.returncode, 1)
        self.assertIn(b"the PIN must be 4 to 64 characters long", raw.stderr)

        with tempfile.TemporaryDirectory() as tmp:
            conf = os.path.join(tmp, "kiosk.conf")
            with open(conf, "w") as f:
                f.write("[kiosk]\nid=t1\n" + made.stdout)
            os.chmod(conf, 0o600)
            checked = ctl("check-config", "--config", conf)
            self.assertNotIn("[clerk]", checked.stdout)

    def test_hash_pin_terminal(self):
        """On a terminal: asked twice without echo, and the echo comes
        back also when the program is interrupted at the prompt."""
        for interrupt in (False, True):
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(CTL, [CTL, "hash-pin"])
            seen = [b""]

            def wait_for(text):
                deadline = time.monotonic() + 20
                while text not in seen[0]:
                    self.assertLess(time.monotonic(), deadline, f"no {text!r} in {seen[0]!r}")
                    if select.select([fd], [], [], 0.5)[0]:
                        seen[0] += os.read(fd, 1024)

            try:
                wait_for(b"Clerk PIN: ")
                self.assertFalse(termios.tcgetattr(fd)[3] & termios.ECHO, "echo is on at the prompt")
                if interrupt:
                    os.kill(pid, signal.SIGINT)
                    _, status = os.waitpid(pid, 0)
                    self.assertTrue(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT)
                else:
                    os.write(fd, b"246810\n")
                    wait_for(b"Again: ")
                    self.assertFalse(termios.tcgetattr(fd)[3] & termios.ECHO, "echo is on at the prompt")
                    os.write(fd, b"246810\n")
                    wait_for(b"pin_hash=pbkdf2-sha256$600000$")
                    _, status = os.waitpid(pid, 0)
                    self.assertEqual(os.WEXITSTATUS(status), 0)
                    self.assertNotIn(b"246810", seen[0])   # never echoed
                self.assertTrue(termios.tcgetattr(fd)[3] & termios.ECHO, "echo stayed off")
            finally:
                os.close(fd)
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass

    def test_schema(self):
        result = ctl("schema", "--form", "gewerbeanmeldung")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(json.loads(result.stdout)["$schema"], "https://json-schema.org/draft/2020-12/schema")
        missing = ctl("schema", "--form", "nope")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("nope", missing.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
