# SPDX-License-Identifier: GPL-3.0-or-later
"""antragskiosk-ctl queue status|list|retry|purge as IT staff use them.

Rows are stored with tests/queue-crash-helper (the real enqueue path, fake
ciphertexts); what the commands print is compared with the database read
through Python's own sqlite3 module, and the references with an
independent implementation of the check symbol (GF(32), x^5 + x^2 + 1)."""
import json
import os
import sqlite3
import subprocess
import tempfile
import unittest

CTL = os.environ["ANTRAGSKIOSK_CTL"]
HELPER = os.path.join(os.environ["G_TEST_BUILDDIR"], "queue-crash-helper")
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def gf32_times_x(u):
    u <<= 1
    return u ^ 0x25 if u & 0x20 else u


def reference_ok(text):
    """A display-form reference XXXXX-XXXXX whose weighted sum is zero."""
    if len(text) != 11 or text[5] != "-":
        return False
    total = 0
    for ch in text.replace("-", ""):
        if ch not in ALPHABET:
            return False
        total = gf32_times_x(total) ^ ALPHABET.index(ch)
    return total == 0


def ctl(*args):
    return subprocess.run([CTL, "queue", *args], capture_output=True, text=True, check=False)


class QueueCliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.data = os.path.join(self.tmp.name, "data")
        self.db = os.path.join(self.data, "queue.db")
        self.conf = self.write_conf("kiosk.conf", "submitted", 0, 30)

    def tearDown(self):
        self.tmp.cleanup()

    def write_conf(self, name, purge_after, keep_days, tombstone_days):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("[kiosk]\nid=test\ndata_dir=%s\n\n[queue]\npurge_after=%s\nkeep_days=%d\n"
                    "tombstone_days=%d\n" % (self.data, purge_after, keep_days, tombstone_days))
        return path

    def store(self, count, state="queued"):
        result = subprocess.run([HELPER, self.data, str(count), state], capture_output=True,
                                text=True, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        refs = result.stdout.split()
        self.assertEqual(len(refs), count)
        return refs

    def fill(self):
        self.refs = {}
        for state, count in (("queued", 3), ("failed", 2), ("accepted", 2), ("submitted", 1),
                             ("rejected", 1), ("created", 1)):
            self.refs[state] = self.store(count, state)

    def query(self, sql, *args):
        with sqlite3.connect(self.db) as con:
            return con.execute(sql, args).fetchall()

    def test_usage(self):
        self.assertEqual(ctl().returncode, 2)
        self.assertEqual(ctl("--help").returncode, 0)
        self.assertEqual(ctl("frobnicate").returncode, 2)
        self.assertEqual(ctl("status", "extra", "--config", self.conf).returncode, 2)
        self.assertEqual(ctl("retry", "--config", self.conf).returncode, 2)
        self.assertEqual(ctl("purge", "--json", "--config", self.conf).returncode, 2)
        self.assertEqual(ctl("status", "--no-such-option").returncode, 2)
        bad_state = ctl("list", "--state", "lost", "--config", self.conf)
        self.assertEqual(bad_state.returncode, 2)
        self.assertIn("unknown state", bad_state.stderr)
        for sub in ("status", "list", "retry", "purge"):
            self.assertEqual(ctl(sub, "--help").returncode, 0)
            self.assertIn("--config", ctl(sub, "--help").stdout)

    def test_missing_config(self):
        result = ctl("status", "--config", os.path.join(self.tmp.name, "nope.conf"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("configuration", result.stderr)

    def test_no_queue_yet(self):
        result = ctl("status", "--json", "--config", self.conf)
        self.assertEqual(result.returncode, 0, result.stderr)
        status = json.loads(result.stdout)
        self.assertEqual(status["total"], 0)
        self.assertIsNone(status["oldest_pending_age_s"])
        self.assertFalse(os.path.exists(self.db), "status must not create a queue")
        result = ctl("list", "--json", "--config", self.conf)
        self.assertEqual((result.returncode, json.loads(result.stdout)), (0, []))

    def test_status(self):
        self.fill()
        result = ctl("status", "--json", "--config", self.conf)
        self.assertEqual(result.returncode, 0, result.stderr)
        status = json.loads(result.stdout)
        expected = {s: len(r) for s, r in self.refs.items()}
        expected.setdefault("queued", 0)
        expected.setdefault("deleted", 0)      # every state is listed (tests/test_delete_submission.py: 1)
        self.assertEqual(status["by_state"], expected)
        self.assertEqual(status["total"], 10)
        self.assertEqual(dict(self.query("SELECT state, count(*) FROM applications GROUP BY state")),
                         {k: v for k, v in expected.items() if v})
        # pending = queued or created; they were stored moments ago
        self.assertIsInstance(status["oldest_pending_age_s"], int)
        self.assertGreaterEqual(status["oldest_pending_age_s"], 0)
        self.assertLess(status["oldest_pending_age_s"], 600)
        text = ctl("status", "--config", self.conf)
        self.assertEqual(text.returncode, 0)
        self.assertRegex(text.stdout, r"failed\s+2")
        self.assertRegex(text.stdout, r"total\s+10")
        self.assertRegex(text.stdout, r"(?m)^\s+deleted\s+0$")

    def test_list(self):
        self.fill()
        result = ctl("list", "--json", "--limit", "0", "--config", self.conf)
        self.assertEqual(result.returncode, 0, result.stderr)
        items = json.loads(result.stdout)
        self.assertEqual(len(items), 10)
        for item in items:
            self.assertTrue(reference_ok(item["reference"]), item["reference"])
            # no ciphertext, nothing long
            for key, value in item.items():
                self.assertFalse(isinstance(value, str) and len(value) > 200, key)
            for key in ("form_id", "state", "created", "updated", "attempts", "last_error"):
                self.assertIn(key, item)
        # newest first, exactly the rows of the database
        db_refs = [r for (r,) in self.query("SELECT reference FROM applications ORDER BY seq DESC")]
        self.assertEqual([i["reference"].replace("-", "") for i in items], db_refs)
        # every reference the helper reported
        printed = sorted(r for refs in self.refs.values() for r in refs)
        self.assertEqual(sorted(db_refs), printed)

        failed = json.loads(ctl("list", "--json", "--state", "failed", "--config", self.conf).stdout)
        self.assertEqual(sorted(i["reference"].replace("-", "") for i in failed), sorted(self.refs["failed"]))
        self.assertEqual({i["last_error"] for i in failed}, {"HTTP 422: test"})
        self.assertEqual(len(json.loads(ctl("list", "--json", "--limit", "2", "--config", self.conf).stdout)), 2)

        text = ctl("list", "--limit", "0", "--config", self.conf)
        self.assertEqual(text.returncode, 0)
        for ref in printed:
            self.assertIn(ref[:5] + "-" + ref[5:], text.stdout)

    def test_retry(self):
        self.fill()
        ref = self.refs["failed"][0]
        typed = " " + (ref[:5] + "-" + ref[5:]).lower() + " "
        result = ctl("retry", typed, "--config", self.conf)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.query("SELECT state, attempts FROM applications WHERE reference = ?", ref),
                         [("queued", 0)])
        again = ctl("retry", ref, "--config", self.conf)
        self.assertEqual(again.returncode, 1)
        self.assertIn("not failed", again.stderr)
        bogus = ctl("retry", "OOOOO-00000", "--config", self.conf)
        self.assertEqual(bogus.returncode, 1)
        # the core's messages follow the kiosk's language (German by default)
        self.assertRegex(bogus.stderr, r"(never contains|enthält nie) .O.")
        unknown = ctl("retry", "32222-2222U", "--config", self.conf)
        self.assertEqual(unknown.returncode, 1)
        self.assertRegex(unknown.stderr, r"(no application|keinen Antrag) 32222-2222U")

    def test_purge(self):
        self.fill()
        confirmed = self.refs["submitted"] + self.refs["accepted"] + self.refs["rejected"]
        result = ctl("purge", "--config", self.conf)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("4 applications", result.stdout)
        with_ct = {r for (r,) in self.query(
            "SELECT a.reference FROM applications a JOIN ciphertexts c ON c.app = a.seq")}
        self.assertEqual(with_ct & set(confirmed), set())
        self.assertEqual(len(with_ct), 6)
        self.assertEqual(self.query("SELECT count(*) FROM applications")[0][0], 10)
        status = json.loads(ctl("status", "--json", "--config", self.conf).stdout)
        self.assertEqual(status["purged"], 4)
        self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])

        # tombstones kept 0 days: gone at the next purge
        now = self.write_conf("now.conf", "accepted", 0, 0)
        result = ctl("purge", "--config", now)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.query("SELECT count(*) FROM applications")[0][0], 6)
        self.assertEqual(self.query("SELECT count(*) FROM applications WHERE purged_ms IS NOT NULL"), [(0,)])

        bad = self.write_conf("bad.conf", "never", 0, 0)
        result = ctl("purge", "--config", bad)
        self.assertEqual(result.returncode, 1)
        self.assertIn("purge_after", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
