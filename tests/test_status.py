# SPDX-License-Identifier: GPL-3.0-or-later
"""`antragskiosk-ctl status` as monitoring sees it, against real parts: a
real queue filled by `ctl submit`, the real local platform
(tests/platform/platform.py) drained by `ctl sync --once`, destination keys
made here with python3-cryptography (one that expires soon, one that has
expired), a forms directory whose file is replaced by a broken one. Also
the sync pass lock: while another process holds it, `ctl sync` sends
nothing."""
import datetime
import fcntl
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

CTL = os.environ["ANTRAGSKIOSK_CTL"]
ROOT = os.environ["ANTRAGSKIOSK_SOURCE_ROOT"]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.join(HERE, "platform"))  # at the end: tests/platform/platform.py is not the stdlib's
from client import Platform  # noqa: E402

SAMPLE = os.path.join(HERE, "data", "answers", "meldebescheinigung.json")
DEMO_JWK = os.path.join(ROOT, "resources", "demo", "demo-destination.jwk")
DEMO_ROOT = os.path.join(ROOT, "resources", "demo", "demo-root-ca.pem")
_spec = importlib.util.spec_from_file_location("keys_testca", os.path.join(HERE, "keys-testca.py"))
testca = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(testca)


class StatusTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.data_dir = os.path.join(self.tmp.name, "data")
        self.forms_dir = os.path.join(self.tmp.name, "forms")
        self.config = os.path.join(self.tmp.name, "kiosk.conf")
        self.write_config()

    def tearDown(self):
        self.tmp.cleanup()

    def write_config(self, platform=None, destinations=None, extra=""):
        if platform is not None:
            platform.write_kiosk_config(self.config)
            with open(self.config, encoding="utf-8") as f:
                text = f.read()
        else:
            text = ("[kiosk]\nid=test\nlocation=Test\n\n[destination demo]\n"
                    "destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
                    f"key_file={DEMO_JWK}\ntrust_anchor={DEMO_ROOT}\nforms=*\n")
        text = text.replace("[kiosk]\n", f"[kiosk]\ndata_dir={self.data_dir}\nforms_dir={self.forms_dir}\n", 1)
        if destinations is not None:
            text = text[:text.index("[destination demo]")] + destinations
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(text + extra)

    def platform(self):
        # Its state (CA, client secret) outlives it: the tests sync after it stopped.
        state = os.path.join(self.tmp.name, "platform")
        os.makedirs(state, exist_ok=True)
        return Platform(state)

    def ctl(self, *args, check=True):
        result = subprocess.run([CTL, *args, "--config", self.config], capture_output=True, text=True,
                                check=False, timeout=120)
        if check and result.returncode != 0:
            self.fail("%s: exit %d\n%s%s" % (args, result.returncode, result.stdout, result.stderr))
        return result

    def status(self):
        result = self.ctl("status", "--json", "--no-printer")
        return json.loads(result.stdout)

    def submit(self):
        return self.ctl("submit", "--form", "meldebescheinigung", "--answers", SAMPLE).stdout.strip()

    def alerts(self, status, component=None):
        return [a for a in status["alerts"] if component is None or a["component"] == component]

    def snapshot(self):
        """Every file name in data_dir with its bytes' SHA-256."""
        import hashlib
        result = {}
        for name in sorted(os.listdir(self.data_dir)):
            with open(os.path.join(self.data_dir, name), "rb") as f:
                result[name] = hashlib.sha256(f.read()).hexdigest()
        return result

    def test_damaged_queue(self):
        """Issue #18: 16 random bytes in queue.db. The commands that only look
        leave every file as it was and say critical; a salvage keeps the
        damaged file; status stays critical until acknowledged."""
        import sqlite3
        for _ in range(40):
            self.submit()
        path = os.path.join(self.data_dir, "queue.db")
        db = sqlite3.connect("file:%s?immutable=1" % path, uri=True)  # creates no -wal, -shm
        root = db.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'applications'").fetchone()[0]
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        db.close()
        for name in ("queue.db-wal", "queue.db-shm"):
            self.assertFalse(os.path.exists(os.path.join(self.data_dir, name)))
        with open(path, "r+b") as f:
            f.seek((root - 1) * page_size)
            f.write(os.urandom(16))
        before = self.snapshot()

        for args in (("status", "--json", "--no-printer"), ("queue", "status", "--json"), ("queue", "status"),
                     ("queue", "list"), ("queue", "list", "--json"), ("queue", "retry", "22222-22222"),
                     ("queue", "purge"), ("status", "--no-printer")):
            result = self.ctl(*args, check=False)
            self.assertEqual(self.snapshot(), before, args)
            if args[0] == "status":
                self.assertEqual(result.returncode, 0, result.stderr)
            else:
                self.assertEqual(result.returncode, 1, (args, result.stdout, result.stderr))
        status = self.status()
        self.assertEqual(status["level"], "critical")
        self.assertTrue(status["queue"]["damaged"])
        self.assertTrue(any("damaged" in a["message"] and a["level"] == "critical"
                            for a in self.alerts(status, "queue")), status["alerts"])
        queue_status = json.loads(self.ctl("queue", "status", "--json", check=False).stdout)
        self.assertTrue(queue_status["damaged"])

        # the administrator salvages; the damaged file is kept byte for byte
        # (and the salvage is logged as a warning: not fatal here)
        result = subprocess.run([CTL, "queue", "salvage", "--config", self.config], capture_output=True,
                                text=True, check=False, timeout=120, env=dict(os.environ, G_DEBUG="gc-friendly"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("Kept:", result.stdout)
        self.assertIn("was damaged", result.stdout)
        kept = [n for n in os.listdir(self.data_dir) if n.startswith("queue.db.damaged-") and "-wal" not in n
                and "-shm" not in n]
        self.assertEqual(len(kept), 1, os.listdir(self.data_dir))
        self.assertEqual(self.snapshot()[kept[0]], before["queue.db"])
        status = self.status()
        self.assertFalse(status["queue"]["damaged"])
        self.assertEqual(status["level"], "critical")
        records = status["queue"]["damage_records"]
        self.assertEqual(len(records), 1)
        self.assertEqual(records[0]["saved"] + records[0]["damaged"] + records[0]["lost"], 40, records)
        self.assertEqual(status["queue"]["total"], records[0]["saved"] + records[0]["damaged"])
        self.assertTrue(records[0]["kept_file"].endswith(kept[0]))
        # still critical later, from another process
        self.assertEqual(self.status()["level"], "critical")

        self.ctl("queue", "acknowledge")
        status = self.status()
        self.assertEqual(status["queue"]["damage_records"], [])
        self.assertFalse(any("salvaged" in a["message"] for a in self.alerts(status, "queue")), status["alerts"])
        self.assertIn(kept[0], os.listdir(self.data_dir))


    def test_fresh_kiosk(self):
        version = subprocess.run([CTL, "--version"], capture_output=True, text=True, check=True).stdout
        status = self.status()
        self.assertIn(status["version"], version)
        self.assertEqual(status["kiosk"]["id"], "test")
        self.assertEqual(status["kiosk"]["config_files"], [self.config])
        self.assertFalse(status["queue"]["exists"])
        self.assertFalse(os.path.exists(os.path.join(self.data_dir, "queue.db")), "status must not create the queue")
        self.assertEqual(status["queue"]["pending"], 0)
        self.assertIsNone(status["sync"]["last_pass"])
        self.assertEqual(status["forms"]["in_service"], 5)
        self.assertEqual(status["forms"]["problems"], [])
        self.assertEqual(status["destinations"][0]["kid"], "antragskiosk-demo-destination-2026")
        self.assertGreater(status["destinations"][0]["key_days_left"], 300)
        self.assertEqual(status["level"], "ok", status["alerts"])
        # The summary for people says the same.
        text = self.ctl("status", "--no-printer").stdout
        self.assertIn("): ok", text.splitlines()[0])
        self.assertIn("Forms: 5 in service", text)

    def test_queue_without_platform(self):
        first = self.submit()
        self.submit()
        status = self.status()
        self.assertTrue(status["queue"]["exists"])
        self.assertEqual(status["queue"]["by_state"]["queued"], 2)
        self.assertEqual(status["queue"]["pending"], 2)
        self.assertGreaterEqual(status["queue"]["oldest_pending_age_s"], 0)
        self.assertFalse(status["sync"]["platform_configured"])
        self.assertEqual(status["level"], "warning")
        self.assertIn("no platform is configured", self.alerts(status, "sync")[0]["message"])
        # Nothing personal in the status: no answer of the sample appears.
        with open(SAMPLE, encoding="utf-8") as f:
            answers = json.load(f)
        dump = json.dumps(status, ensure_ascii=False)
        for value in answers.values():
            if isinstance(value, str) and len(value) > 3:
                self.assertNotIn(value, dump)
        self.assertNotIn(first, dump)

    def test_sync_record_and_lock(self):
        with self.platform() as platform:
            self.write_config(platform)
            self.submit()
            self.submit()
            lock_path = os.path.join(self.data_dir, "sync.lock")
            # Another process in a pass: nothing is sent.
            with open(lock_path, "a+") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                out = self.ctl("sync", "--once").stdout
                self.assertIn("another process is syncing", out)
                self.assertEqual(platform.submissions(), [])
            self.assertIsNone(self.status()["sync"]["last_pass"])

            out = self.ctl("sync", "--once").stdout
            self.assertIn("sent 2", out)
            self.assertEqual(len(platform.submissions()), 2)
            status = self.status()
            sync = status["sync"]
            self.assertTrue(sync["platform_configured"])
            self.assertIsNotNone(sync["last_success"])
            self.assertEqual(sync["last_pass"], sync["last_success"])
            self.assertEqual(sync["platform_fault"], "ok")
            self.assertEqual(sync["by"], "antragskiosk-ctl")
            self.assertLess(sync["last_success_age_s"], 120)
            self.assertEqual(status["queue"]["by_state"]["submitted"], 2)
            self.assertEqual(status["level"], "ok", status["alerts"])
            last_success = sync["last_success"]

        # The platform is gone: the next pass fails, the last success stays.
        time.sleep(1.1)
        self.submit()
        self.assertEqual(self.ctl("sync", "--once", check=False).returncode, 1)
        sync = self.status()["sync"]
        self.assertEqual(sync["last_success"], last_success)
        self.assertNotEqual(sync["last_pass"], last_success)
        self.assertEqual(sync["platform_fault"], "unreachable")
        self.assertIsNotNone(sync["last_error"])

    def test_failed_and_stale(self):
        with self.platform() as platform:
            self.write_config(platform)
            self.submit()
            # The platform refuses the submission for good: a clerk must act.
            platform.add_fault(method="POST", path="^/v1/submissions$", action="status", status=422)
            self.ctl("sync", "--once")
        status = self.status()
        self.assertEqual(status["queue"]["by_state"]["failed"], 1)
        self.assertTrue(any("failed permanently" in a["message"] for a in self.alerts(status, "queue")),
                        status["alerts"])
        self.assertEqual(status["level"], "warning")

    def test_keys_expiring_and_expired(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        # FIT-Connect: the destination key is RSA-4096 (a smaller key_file is refused).
        root_key, leaf_key = testca.new_key(testca.CA_BITS), testca.new_key(4096)
        root = testca.cert("Test Root CA", root_key, "Test Root CA", root_key,
                           now - datetime.timedelta(days=400), now + datetime.timedelta(days=4000), True)
        soon = testca.cert("Soon", leaf_key, "Test Root CA", root_key,
                           now - datetime.timedelta(days=300), now + datetime.timedelta(days=10, hours=12), False)
        gone = testca.cert("Gone", leaf_key, "Test Root CA", root_key,
                           now - datetime.timedelta(days=300), now - datetime.timedelta(days=2), False)
        root_pem = os.path.join(self.tmp.name, "root.pem")
        with open(root_pem, "w") as f:
            f.write(root.public_bytes(testca.serialization.Encoding.PEM).decode())
        for name, certificate in (("soon", soon), ("gone", gone)):
            with open(os.path.join(self.tmp.name, name + ".jwk"), "w") as f:
                json.dump(testca.jwk(leaf_key, [certificate, root], "test-" + name), f)
        self.write_config(destinations=(
            "[destination soon]\ndestination_id=11111111-2222-4333-8444-555555555555\n"
            f"key_file={self.tmp.name}/soon.jwk\ntrust_anchor={root_pem}\nforms=wohnberechtigungsschein\n\n"
            "[destination gone]\ndestination_id=11111111-2222-4333-8444-666666666666\n"
            f"key_file={self.tmp.name}/gone.jwk\ntrust_anchor={root_pem}\nforms=*\n"))
        status = self.status()
        soon_status, gone_status = status["destinations"]
        self.assertEqual(soon_status["kid"], "test-soon")
        self.assertEqual(soon_status["key_days_left"], 10)
        self.assertIsNone(soon_status["problem"])
        self.assertIsNone(gone_status["key_not_after"])
        self.assertIn("expired", gone_status["problem"])
        messages = [a["level"] + ": " + a["message"] for a in self.alerts(status, "keys")]
        self.assertTrue(any(m.startswith("warning: ") and "\"soon\" expires in 10 days" in m for m in messages),
                        messages)
        self.assertTrue(any(m.startswith("critical: ") and "\"gone\" cannot be used" in m for m in messages),
                        messages)
        self.assertEqual(status["level"], "critical")

    def test_broken_form_update_keeps_last_good(self):
        os.makedirs(self.forms_dir)
        with open(os.path.join(ROOT, "resources", "forms", "wohnberechtigungsschein.json"), encoding="utf-8") as f:
            form = json.load(f)
        form["version"] = "9.9.9"
        path = os.path.join(self.forms_dir, "wohnberechtigungsschein.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(form, f, ensure_ascii=False)
        with self.platform() as platform:
            self.write_config(platform)
            # The sync service (like the kiosk) puts the file into service and keeps a copy.
            self.ctl("sync", "--once")
        self.assertTrue(os.path.exists(os.path.join(self.data_dir, "forms-in-service", "wohnberechtigungsschein.json")))
        with open(path, "w", encoding="utf-8") as f:
            f.write('{"id": "wohnberechtigungsschein", "format": 1, "version": "10.0.0", "pages": [')
        status = self.status()
        versions = {f["id"]: f["version"] for f in status["forms"]["list"]}
        self.assertEqual(versions["wohnberechtigungsschein"], "9.9.9")
        self.assertEqual(status["forms"]["in_service"], 5)
        self.assertEqual(len(status["forms"]["kept_previous"]), 1)
        self.assertIn("version 9.9.9", status["forms"]["kept_previous"][0])
        self.assertTrue(status["forms"]["problems"][0].startswith(path + ":"), status["forms"]["problems"])
        self.assertEqual(self.alerts(status, "forms")[0]["level"], "warning")
        # The kiosk's own view (`forms`) is the same.
        self.assertIn("wohnberechtigungsschein\t9.9.9", self.ctl("forms").stdout.replace("  ", "\t"))

    def test_broken_config(self):
        with open(self.config, "a", encoding="utf-8") as f:
            f.write("[kiosk\n")
        result = self.ctl("status", "--json", check=False)
        self.assertEqual(result.returncode, 1)
        status = json.loads(result.stdout)
        self.assertEqual(status["level"], "critical")
        self.assertIn("configuration cannot be loaded", status["alerts"][0]["message"])
        self.assertIn("check-config", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
