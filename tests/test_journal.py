# SPDX-License-Identifier: GPL-3.0-or-later
"""Logs under systemd reach the journal as structured entries
(SYSLOG_IDENTIFIER, PRIORITY, GLIB_DOMAIN, KIOSK_ID), checked with a real
systemd-journald and journalctl: the system's own if one runs, else one
started here (as root, which CI is). Run as a service runs it: stdout and
stderr connected to the journal (systemd-cat). And nothing personal: a
marker planted in every free-text answer of a submission, debug output
on, appears in no journal entry of the run."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

CTL = os.environ["ANTRAGSKIOSK_CTL"]
ROOT = os.environ["ANTRAGSKIOSK_SOURCE_ROOT"]
HERE = os.path.dirname(os.path.abspath(__file__))
SOCKET = "/run/systemd/journal/socket"
JOURNALD = "/lib/systemd/systemd-journald"
DEMO_JWK = os.path.join(ROOT, "resources", "demo", "demo-destination.jwk")
DEMO_ROOT = os.path.join(ROOT, "resources", "demo", "demo-root-ca.pem")


def journal_alive():
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.connect(SOCKET)
        return True
    except OSError:
        return False


class JournalTest(unittest.TestCase):
    journald = None

    @classmethod
    def setUpClass(cls):
        if journal_alive():
            return
        if os.geteuid() != 0 or not os.path.exists(JOURNALD):
            raise unittest.SkipTest("no systemd-journald runs and none can be started here (needs root)")
        cls.journald = subprocess.Popen([JOURNALD], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if journal_alive():
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("systemd-journald did not open " + SOCKET)

    @classmethod
    def tearDownClass(cls):
        if cls.journald is not None:
            cls.journald.terminate()
            cls.journald.wait(10)

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.kiosk_id = "journal-test-" + uuid.uuid4().hex[:10]
        self.config = os.path.join(self.tmp.name, "kiosk.conf")
        secret = os.path.join(self.tmp.name, "secret")
        with open(secret, "w") as f:
            f.write("not-used\n")
        os.chmod(secret, 0o600)
        with open(self.config, "w", encoding="utf-8") as f:
            # A platform that is not there: the sync pass logs why it paused.
            f.write(f"[kiosk]\nid={self.kiosk_id}\nlocation=Test\ndata_dir={self.tmp.name}/data\n\n"
                    "[platform]\ntoken_url=https://127.0.0.1:9/token\nsubmission_api=https://127.0.0.1:9\n"
                    f"client_id=kiosk\nclient_secret_file={secret}\n\n"
                    "[destination demo]\ndestination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
                    f"key_file={DEMO_JWK}\ntrust_anchor={DEMO_ROOT}\nforms=*\n")

    def tearDown(self):
        self.tmp.cleanup()

    def run_as_service(self, *args, stdin=None):
        """The program with stdout/stderr on the journal, as systemd starts it."""
        env = dict(os.environ, G_MESSAGES_DEBUG="all")
        env.pop("G_DEBUG", None)  # a service's warnings are logged, not fatal
        process = subprocess.run(["systemd-cat", "--identifier=wrapper", "--", CTL, *args, "--config", self.config],
                                 input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False)
        return process

    def entries(self, **match):
        """The journal's entries matching @match; journald stores them
        asynchronously, so wait for the first, then a little longer."""
        command = ["journalctl", "--no-pager", "-o", "json", *("%s=%s" % kv for kv in match.items())]
        for attempt in range(60):
            out = subprocess.run(command, capture_output=True, text=True, check=False).stdout
            if out.strip() and attempt > 0:
                return [json.loads(line) for line in out.splitlines() if line.strip()]
            time.sleep(0.25)
        return []

    def test_structured_entries(self):
        run = self.run_as_service("sync", "--once")
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)  # the platform is not there
        entries = self.entries(KIOSK_ID=self.kiosk_id)
        self.assertTrue(entries, "no journal entry with KIOSK_ID=" + self.kiosk_id)
        paused = [e for e in entries if "sync paused" in e.get("MESSAGE", "")]
        self.assertTrue(paused, [e.get("MESSAGE") for e in entries])
        entry = paused[0]
        self.assertEqual(entry["SYSLOG_IDENTIFIER"], "antragskiosk-ctl")
        self.assertEqual(entry["GLIB_DOMAIN"], "antragskiosk-sync")
        self.assertEqual(entry["PRIORITY"], "5")  # g_message: notice
        self.assertEqual(entry["_TRANSPORT"], "journal")  # structured, not a stdout line
        # `journalctl -t antragskiosk-ctl` finds it too.
        ids = [e.get("KIOSK_ID") for e in self.entries(SYSLOG_IDENTIFIER="antragskiosk-ctl", KIOSK_ID=self.kiosk_id)]
        self.assertIn(self.kiosk_id, ids)

    def test_no_answers_in_the_journal(self):
        marker = "Zqx" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:12]) + "Wv"
        with open(os.path.join(HERE, "data", "answers", "meldebescheinigung.json"), encoding="utf-8") as f:
            answers = json.load(f)
        planted = 0
        for key, value in answers.items():
            if isinstance(value, str) and value[:1].isupper() and not any(c.isdigit() or c in "@+" for c in value):
                answers[key] = value + " " + marker
                planted += 1
        self.assertGreater(planted, 0)
        good = self.run_as_service("submit", "--form", "meldebescheinigung", "--answers", "-",
                                   stdin=json.dumps(answers))
        answers["no_such_field"] = marker
        bad = self.run_as_service("submit", "--form", "meldebescheinigung", "--answers", "-",
                                  stdin=json.dumps(answers))
        self.assertNotEqual(bad.returncode, 0)
        self.run_as_service("sync", "--once")
        # Every entry these runs wrote, debug included (the submit logs its
        # queue work at debug level; the sync its pass).
        self.assertEqual(good.returncode, 0, good.stdout + good.stderr)
        entries = self.entries(KIOSK_ID=self.kiosk_id)
        # The submit runs did log (the new queue's set-up, at debug level).
        self.assertTrue(any(" submit " in e.get("_CMDLINE", "") for e in entries),
                        [e.get("_CMDLINE") for e in entries])
        dump = json.dumps(entries, ensure_ascii=False)
        self.assertNotIn(marker, dump)
        # The test can see a planted value where there is one.
        self.assertIn(marker, json.dumps(answers))


if __name__ == "__main__":
    unittest.main(verbosity=2)
