# SPDX-License-Identifier: GPL-3.0-or-later
"""Destinations as FIT-Connect has them (issue #14), end to end with the
real programs and the local platform (tests/platform/): a kiosk that knows
only the destination id and the trust anchor fetches, verifies and caches
the key, queues offline with it and learns the authority's decision; the
decision counts only when signed with the destination's own key; key
rotation; a weak, an expired, a retired key; a service or schema the
destination does not list is refused before anything is sent."""
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

CTL = os.environ["ANTRAGSKIOSK_CTL"]
ROOT = os.environ["ANTRAGSKIOSK_SOURCE_ROOT"]
SRCDIR = os.environ["G_TEST_SRCDIR"]
ANSWERS = os.path.join(SRCDIR, "data", "answers")
LEIKA = {"meldebescheinigung": "urn:de:fim:leika:leistung:99115003012000",
         "hundesteuer": "urn:de:fim:leika:leistung:99102013104000"}

sys.path.append(os.path.join(ROOT, "tests", "platform"))
from client import Platform  # noqa: E402


class DestinationTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dest = str(uuid.uuid4())
        self.config = os.path.join(self.tmp.name, "kiosk.conf")
        self.data_dir = os.path.join(self.tmp.name, "data")
        self.env = dict(os.environ)
        self.env.pop("G_MESSAGES_DEBUG", None)
        self.platform = None

    def tearDown(self):
        if self.platform is not None:
            self.platform.stop()
        self.tmp.cleanup()

    def start(self, *extra, key_file=None):
        """The platform with one destination whose keys the authority issues
        under its own root; the kiosk configured with the destination id and
        that root only (no key_file unless given)."""
        self.platform = Platform(os.path.join(self.tmp.name, "platform"), "--authority-destination", self.dest,
                                 *extra).start()
        self.platform.write_kiosk_config(self.config)
        with open(self.config, encoding="utf-8") as f:
            text = f.read()
        head = text[:text.index("[destination demo]")]
        head = head.replace("[kiosk]\n", "[kiosk]\ndata_dir=%s\n" % self.data_dir, 1)
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(head + "[destination stadt]\ndestination_id=%s\ntrust_anchor=%s\nforms=*\n%s\n"
                    "[sync]\nstatus_poll_s=1\nretry_base_s=1\nretry_cap_s=2\n"
                    % (self.dest, os.path.join(self.platform.state_dir, "authority-root.pem"),
                       "key_file=%s\n" % key_file if key_file else ""))

    def ctl(self, *args):
        return subprocess.run([CTL, *args, "--config", self.config], capture_output=True, text=True, env=self.env,
                              check=False, timeout=120)

    def submit(self, form="meldebescheinigung", expect_ok=True):
        result = self.ctl("submit", "--form", form, "--answers", os.path.join(ANSWERS, form + ".json"))
        if expect_ok:
            self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def sync(self):
        result = self.ctl("sync", "--once")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result

    def queue(self):
        result = self.ctl("queue", "list", "--json", "--limit", "0")
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def destinations(self, *args):
        result = self.ctl("destinations", "--json", *args)
        return result, json.loads(result.stdout)[0]

    def case_of(self, item):
        return next(s["caseId"] for s in self.platform.submissions() if s["submissionId"] == item["submission_id"])

    # ---- the Done-when of issue #14

    def test_trust_anchor_only_fetch_cache_offline_accept(self):
        self.start()
        # nothing known yet: refused with a clear message, nothing stored
        result = self.submit(expect_ok=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("no usable encryption key", result.stderr)
        self.assertEqual(self.queue(), [])
        result, before = self.destinations()
        self.assertEqual((result.returncode, before["usable"]), (1, False), result.stdout)
        # online: fetched, verified, cached
        result, info = self.destinations("--refresh")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual((info["keySource"], info["keyBits"], info["status"]), ("platform", 4096, "active"))
        self.assertIn(LEIKA["meldebescheinigung"], [s["identifier"] for s in info["services"]])
        self.assertIn("1.3.0", info["metadataVersions"])
        cache = os.path.join(self.data_dir, "destinations", self.dest + ".json")
        with open(cache, encoding="utf-8") as f:
            cached = json.load(f)
        self.assertEqual(cached["destination"]["encryptionKid"], info["keyInUse"])
        self.assertIn("x5c", cached["keys"][info["keyInUse"]])     # kept as received
        # offline: the platform does not answer at all; the kiosk queues
        self.platform.add_fault(action="close", count=-1)
        reference = self.submit().stdout.strip()
        self.ctl("sync", "--once")
        self.assertEqual(self.queue()[0]["state"], "queued")
        # back online: delivered, then the authority accepts
        self.platform.clear_faults()
        self.sync()
        item = self.queue()[0]
        self.assertEqual((item["reference"], item["state"]), (reference, "submitted"))
        self.platform.accept(self.case_of(item))
        time.sleep(1.2)
        self.assertIn("accepted 1", self.sync().stdout)
        self.assertEqual(self.queue()[0]["state"], "accepted")
        status = json.loads(self.ctl("status", "--json").stdout)
        self.assertIn(self.dest, json.dumps(status))

    def test_rejected_with_reason(self):
        self.start()
        self.destinations("--refresh")
        self.submit()
        self.sync()
        self.platform.reject(self.case_of(self.queue()[0]), "Unterschrift fehlt")
        time.sleep(1.2)
        self.assertIn("rejected 1", self.sync().stdout)
        item = self.queue()[0]
        self.assertEqual(item["state"], "rejected")
        self.assertIn("Unterschrift fehlt", item["last_error"])
        self.assertIn("rejected", self.ctl("queue", "status").stdout)
        listed = self.ctl("queue", "list").stdout
        self.assertIn("rejected", listed)
        self.assertIn("Unterschrift fehlt", listed)
        status = json.loads(self.ctl("status", "--json").stdout)
        self.assertEqual(status["queue"]["by_state"]["rejected"], 1)

    def test_accept_signed_by_another_key_is_not_applied(self):
        self.start()
        self.destinations("--refresh")
        self.submit()
        self.sync()
        case = self.case_of(self.queue()[0])
        # the platform's own event key, and a key the destination does not serve
        self.platform.accept(case, signer="platform")
        self.platform.accept(case, signer="unknown")
        time.sleep(1.2)
        result = self.sync()
        self.assertNotIn("accepted", result.stdout)
        self.assertEqual(self.queue()[0]["state"], "submitted")
        self.assertIn("ignored", result.stderr)
        # the real decision still counts
        self.platform.accept(case)
        time.sleep(2.5)
        self.sync()
        self.assertEqual(self.queue()[0]["state"], "accepted")

    def test_key_rotation(self):
        self.start()
        _, first = self.destinations("--refresh")
        old_kid = first["keyInUse"]
        before = self.submit().stdout.strip()                     # encrypted to the old key
        rotated = self.platform.rotate(self.dest)                 # the old key is still served
        self.assertEqual(rotated["previousKid"], old_kid)
        self.sync()                                                # refreshes: picks up the new kid
        _, after = self.destinations()
        self.assertEqual(after["keyInUse"], rotated["encryptionKid"])
        self.submit()                                              # encrypted to the new key
        self.sync()
        states = {i["reference"]: i["state"] for i in self.queue()}
        self.assertEqual(sorted(states.values()), ["submitted", "submitted"], states)
        self.assertEqual(len(self.platform.submissions()), 2)
        # an application encrypted to a key the destination no longer serves
        # fails with a clear, clerk-visible reason instead of looping
        stale = self.submit().stdout.strip()
        self.platform.rotate(self.dest, retire_old=True)
        self.destinations("--refresh")
        self.sync()
        item = next(i for i in self.queue() if i["reference"] == stale)
        self.assertEqual(item["state"], "failed")
        self.assertIn("key-retired", item["last_error"])
        self.assertIn(before, states)

    def test_weak_key_refused(self):
        self.start()
        self.platform.rotate(self.dest, bits=2048, retire_old=True)
        result, info = self.destinations("--refresh")
        self.assertEqual(result.returncode, 1)
        self.assertFalse(info["usable"])
        self.assertIn("has 2048 bits; FIT-Connect requires at least 4096", result.stderr + json.dumps(info))
        result = self.submit(expect_ok=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(self.queue(), [])

    def test_expired_key_refused(self):
        self.start()
        self.platform.rotate(self.dest, expired=True, retire_old=True)
        result, info = self.destinations("--refresh")
        self.assertEqual(result.returncode, 1)
        self.assertIn("expired", result.stderr + json.dumps(info))
        self.assertNotEqual(self.submit(expect_ok=False).returncode, 0)

    def test_service_not_listed_refused_before_sending(self):
        self.start("--service", LEIKA["hundesteuer"])
        self.destinations("--refresh")
        self.submit("meldebescheinigung")
        result = self.sync()
        item = self.queue()[0]
        self.assertEqual(item["state"], "failed")
        self.assertIn("does not offer the service " + LEIKA["meldebescheinigung"], item["last_error"])
        self.assertEqual(self.platform.submissions(), [])
        self.assertIn("failed 1", result.stdout)

    def test_schema_not_listed_refused_before_sending(self):
        self.start("--service", LEIKA["meldebescheinigung"] + "=https://schema.example/other/1.0.0.json")
        self.destinations("--refresh")
        self.submit("meldebescheinigung")
        self.sync()
        item = self.queue()[0]
        self.assertEqual(item["state"], "failed")
        self.assertIn("does not accept the data schema", item["last_error"])
        self.assertEqual(self.platform.submissions(), [])

    def test_metadata_version_not_listed_refused(self):
        self.start("--metadata-version", "1.0.0")
        self.destinations("--refresh")
        self.submit()
        self.sync()
        item = self.queue()[0]
        self.assertEqual(item["state"], "failed")
        self.assertIn("metadata version 1.3.0", item["last_error"])


class IndependentPlatformChaosTest(unittest.TestCase):
    """The Done-when "against an independent platform that follows FITKO's
    spec (not ours), with faults and SIGKILLs of the sync, every application
    arrives exactly once and ends accepted/rejected as the authority
    decided": tests/platform/fitko_reference.py (no code shared with
    platform.py, never decrypts, a share of requests failing or cut off
    after taking effect, an authority that decides by content), and the
    real sync service killed with SIGKILL again and again."""

    N = int(os.environ.get("DESTINATION_CHAOS_APPLICATIONS", "12"))
    FAULT_PERCENT = int(os.environ.get("DESTINATION_CHAOS_FAULT_PERCENT", "15"))

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dest = str(uuid.uuid4())
        self.seed = int(os.environ.get("DESTINATION_CHAOS_SEED", str(random.randrange(1 << 30))))
        self.reference = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ROOT, "tests", "platform", "fitko_reference.py"),
             os.path.join(self.tmp.name, "ref"), self.dest, str(self.seed), str(self.FAULT_PERCENT)],
            stdout=subprocess.PIPE, text=True)
        line = self.reference.stdout.readline().split()
        self.assertEqual(line[0], "READY", line)
        self.url, ca, anchor = line[1], line[2], line[3]
        self.config = os.path.join(self.tmp.name, "kiosk.conf")
        secret = os.path.join(self.tmp.name, "secret")
        with open(secret, "w", encoding="utf-8") as f:
            f.write("ref-secret\n")
        os.chmod(secret, 0o600)
        with open(self.config, "w", encoding="utf-8") as f:
            f.write("[kiosk]\nid=chaos\ndata_dir=%s\n\n[platform]\ntoken_url=%s/token\nsubmission_api=%s\n"
                    "client_id=kiosk\nclient_secret_file=%s\nca_file=%s\n\n"
                    "[destination ref]\ndestination_id=%s\ntrust_anchor=%s\nforms=*\n\n"
                    "[sync]\nretry_base_s=1\nretry_cap_s=2\nstatus_poll_s=1\nstatus_poll_cap_s=2\n"
                    "poll_interval_s=1\nconnect_timeout_s=3\nstall_timeout_s=5\n"
                    % (os.path.join(self.tmp.name, "data"), self.url, self.url, secret, ca, self.dest, anchor))
        self.env = dict(os.environ)
        self.env.pop("G_MESSAGES_DEBUG", None)
        self.env["G_DEBUG"] = ""

    def tearDown(self):
        self.reference.send_signal(signal.SIGTERM)
        self.reference.wait(timeout=30)
        self.tmp.cleanup()

    def ctl(self, *args):
        return subprocess.run([CTL, *args, "--config", self.config], capture_output=True, text=True,
                              env=self.env, check=False, timeout=120)

    def state(self):
        import ssl
        import urllib.request
        context = ssl.create_default_context(cafile=os.path.join(self.tmp.name, "ref", "ref-ca.pem"))
        with urllib.request.urlopen(self.url + "/__state", context=context, timeout=30) as answer:
            return json.load(answer)["submissions"]

    def test_exactly_once_as_the_authority_decided(self):
        rnd = random.Random(self.seed)
        with open(os.path.join(ANSWERS, "meldebescheinigung.json"), encoding="utf-8") as f:
            answers = json.load(f)
        # the key first (online), then every application while the sync is not running
        for _ in range(20):
            if self.ctl("destinations", "--refresh").returncode == 0:
                break
        expected = {}
        for i in range(self.N):
            name = ("Richter" if i % 3 == 0 else "Schmidt") + "-" + chr(ord("a") + i % 26) * (1 + i // 26)
            path = os.path.join(self.tmp.name, "a%d.json" % i)
            with open(path, "w", encoding="utf-8") as f:
                json.dump(dict(answers, familienname=name), f)
            result = self.ctl("submit", "--form", "meldebescheinigung", "--answers", path)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            expected[result.stdout.strip()] = "rejected" if name.startswith("R") else "accepted"
        kills, deadline = 0, time.monotonic() + float(os.environ.get("DESTINATION_CHAOS_SECONDS", "300"))
        final = {}
        min_kills = 4
        while time.monotonic() < deadline:
            service = subprocess.Popen([CTL, "sync", "--config", self.config], env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # the first runs are cut short, so that a fast machine cannot
            # finish the whole delivery before the service was killed a few
            # times in the middle of it
            time.sleep(rnd.uniform(0.2, 0.8) if kills < min_kills else rnd.uniform(0.2, 2.5))
            service.send_signal(signal.SIGKILL)
            service.wait()
            kills += 1
            items = json.loads(self.ctl("queue", "list", "--json", "--limit", "0").stdout)
            final = {i["reference"]: i["state"] for i in items}
            if kills >= min_kills and all(s in ("accepted", "rejected", "failed") for s in final.values()):
                break
        msg = "seed %d, %d kills: %s" % (self.seed, kills, final)
        print("chaos: seed %d, %d applications, %d%% faults, %d SIGKILLs" % (self.seed, self.N, self.FAULT_PERCENT, kills),
              file=sys.stderr)
        self.assertGreater(kills, 3, msg)
        self.assertEqual(final, expected, msg)
        # exactly once at the platform: one submitted submission per application
        arrived = [s for s in self.state() if s["submitted"]]
        self.assertEqual(len(arrived), self.N, msg)
        decided = sorted(s["decision"][1].replace("-", "") for s in arrived if s["decision"] is not None)
        self.assertEqual(decided, sorted(r.replace("-", "") for r in expected), msg)   # every senderReference once


if __name__ == "__main__":
    unittest.main(verbosity=2)
