# SPDX-License-Identifier: GPL-3.0-or-later
"""`antragskiosk-ctl sync` against the local test platform
(tests/platform/platform.py, docs/platform.md), checked from outside:

(a) 200 applications queued while the platform is down: sync says they wait
    (unreachable), nothing is lost; the platform comes up: all arrive exactly
    once, their data (decrypted by the platform with jwcrypto) equal to what
    `antragskiosk-ctl validate` prints.
(b) every injected fault: the expected reaction (backoff seen in `queue list
    --json` and in the platform's request times, Retry-After honoured, stalls
    time out, dropped and invalid answers retried, one token refresh after a
    401, a 409 on submit resolved from the event log without a second submit,
    an untrusted certificate sends nothing), failed items carry the platform's
    reason, never a duplicate.
(c) the sync process killed with SIGKILL at random moments, at least 100
    times, while draining: at the end every application is submitted exactly
    once at the platform."""
import collections
import datetime
import json
import sys
import os
import random
import re
import signal
import socket
import subprocess
import tempfile
import time
import unittest

CTL = os.environ["ANTRAGSKIOSK_CTL"]
ROOT = os.environ["ANTRAGSKIOSK_SOURCE_ROOT"]
SRCDIR = os.environ["G_TEST_SRCDIR"]
PLATFORM = os.path.join(ROOT, "tests", "platform", "platform.py")
PRIVATE_KEY = os.path.join(ROOT, "packaging", "dev", "demo-destination-private.jwk")
DEMO_JWK = os.path.join(ROOT, "resources", "demo", "demo-destination.jwk")
DEMO_ROOT = os.path.join(ROOT, "resources", "demo", "demo-root-ca.pem")
ANSWERS = os.path.join(SRCDIR, "data", "answers")
FORMS = ["anwohnerparkausweis", "gewerbeanmeldung", "hundesteuer", "meldebescheinigung", "wohnberechtigungsschein"]
KILLS = int(os.environ.get("SYNC_CRASH_KILLS", "100"))
# Every bundled form has a LeiKa key the local platform's destination lists.
SENDABLE = FORMS


def services_except(form_id):
    """--service options for the local platform: every bundled form's
    service but @form_id's (a destination that does not offer it)."""
    options = []
    for form in FORMS:
        if form == form_id:
            continue
        with open(os.path.join(ROOT, "resources", "forms", form + ".json"), encoding="utf-8") as f:
            definition = json.load(f)
        options += ["--service", "urn:de:fim:leika:leistung:%s=%s" % (definition["leika"], definition["schema_uri"])]
    return options

# tests/platform holds platform.py, which would shadow the standard
# library's "platform": append it, never prepend.
sys.path.append(os.path.join(ROOT, "tests", "platform"))
from client import Platform  # noqa: E402

CLIENT_ID = "sync-test-kiosk"
SUBMIT_PATH = r"^/v1/submissions/[0-9a-f-]{36}$"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()


class SyncTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The platform checks every decrypted application against its
        # form's JSON Schema, as printed by `antragskiosk-ctl schema`.
        cls.schemas = tempfile.TemporaryDirectory(prefix="sync-schemas-")
        for form in FORMS:
            result = subprocess.run([CTL, "schema", "--form", form], capture_output=True, text=True, check=True)
            with open(os.path.join(cls.schemas.name, form + ".json"), "w", encoding="utf-8") as f:
                f.write(result.stdout)

    @classmethod
    def tearDownClass(cls):
        cls.schemas.cleanup()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.data_dir = os.path.join(self.tmp.name, "data")
        self.config = os.path.join(self.tmp.name, "kiosk.conf")
        self.secret = os.path.join(self.tmp.name, "client-secret")
        with open(self.secret, "w", encoding="utf-8") as f:
            f.write("test-secret\n")
        os.chmod(self.secret, 0o600)
        self.env = dict(os.environ)
        self.env.pop("G_MESSAGES_DEBUG", None)
        self.platform = None
        self.expected = {}
        self.sync_extra = ""
        # Generous by default, so that a busy machine (the platform decrypts
        # RSA-4096 for every submission) is not taken for a stalled one; the
        # stall test sets its own.
        self.stall_timeout = 15
        # Short backoff steps keep the tests quick; a test whose check
        # depends on "not due yet" takes longer ones.
        self.retry_base, self.retry_cap = 2, 8

    def tearDown(self):
        if self.platform is not None:
            self.platform.stop()
        self.tmp.cleanup()

    def write_config(self, url, ca, sync="", trust_anchor=None):
        # The platform's trust anchors: the demo root (the demo destination's
        # encryption key) and its authority's root (the destination's
        # signature key for accept/reject).
        trust_anchor = trust_anchor or (os.path.join(self.platform.state_dir, "trust-anchors.pem")
                                        if self.platform is not None else DEMO_ROOT)
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(f"""[kiosk]
id=sync-test
data_dir={self.data_dir}

[platform]
token_url={url}/token
submission_api={url}
client_id={CLIENT_ID}
client_secret_file={self.secret}
ca_file={ca}

[destination demo]
destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342
key_file={DEMO_JWK}
trust_anchor={trust_anchor}
forms=*

[sync]
retry_base_s={self.retry_base}
retry_cap_s={self.retry_cap}
stall_timeout_s={self.stall_timeout}
connect_timeout_s=3
{sync}
""")

    def start_platform(self, *extra):
        """The real local platform (tests/platform/platform.py) in its own
        process, with the demo destination's key and the forms' schemas;
        the kiosk's config points at it and trusts the CA it announces."""
        self.platform = Platform(os.path.join(self.tmp.name, "platform"), "--destination-key", PRIVATE_KEY,
                                 "--schemas", self.schemas.name, *extra,
                                 client_id=CLIENT_ID, client_secret="test-secret").start()
        self.write_config(self.platform.url, self.platform.ca_file, self.sync_extra)
        return self.platform

    def ctl(self, *args, timeout=120):
        return subprocess.run([CTL, *args], capture_output=True, text=True, env=self.env, check=False,
                              timeout=timeout)

    def expected_data(self, form):
        if form not in self.expected:
            result = self.ctl("validate", "--form", form, "--answers", os.path.join(ANSWERS, form + ".json"))
            self.assertEqual(result.returncode, 0, result.stderr)
            self.expected[form] = json.loads(result.stdout)
        return self.expected[form]

    def submit(self, n, forms=SENDABLE):
        references = {}
        for i in range(n):
            form = forms[i % len(forms)]
            result = self.ctl("submit", "--config", self.config, "--form", form,
                              "--answers", os.path.join(ANSWERS, form + ".json"))
            self.assertEqual(result.returncode, 0, result.stderr)
            references[result.stdout.strip().replace("-", "")] = form
        return references

    def sync_once(self, expect_rc=None):
        result = self.ctl("sync", "--once", "--config", self.config)
        if expect_rc is not None:
            self.assertEqual(result.returncode, expect_rc, result.stdout + result.stderr)
        return result

    def summary(self, result):
        match = re.search(r"^sent (\d+), failed (\d+), waiting (\d+)(.*)$", result.stdout, re.M)
        self.assertIsNotNone(match, result.stdout + result.stderr)
        return int(match[1]), int(match[2]), int(match[3]), match[4]

    def queue(self):
        result = self.ctl("queue", "list", "--json", "--limit", "0", "--config", self.config)
        self.assertEqual(result.returncode, 0, result.stderr)
        return {item["reference"].replace("-", ""): item for item in json.loads(result.stdout)}

    def drain(self, rounds=30):
        """--once until nothing waits (sleeping until the next attempt)."""
        for _ in range(rounds):
            result = self.sync_once()
            sent, failed, waiting, why = self.summary(result)
            if waiting == 0:
                return
            time.sleep(1)
        self.fail("still waiting after %d passes: %s" % (rounds, result.stdout))

    def assert_exactly_once(self, references, check_data=True):
        """Every reference submitted exactly once at the platform."""
        submitted = self.platform_submitted()
        for reference, form in references.items():
            self.assertEqual(len(submitted.get(reference, [])), 1,
                             f"{reference}: {len(submitted.get(reference, []))} submitted submissions")
            if check_data:
                self.assertEqual(submitted[reference][0]["data"], self.expected_data(form))
        extra = set(submitted) - set(references)
        self.assertEqual(extra, set())

    def platform_submitted(self):
        """reference → list of the platform's submitted (or accepted or
        rejected) submissions for it, with the data the platform decrypted."""
        result = {}
        for s in self.platform.submissions():
            if s["status"] in ("submitted", "accepted", "rejected"):
                result.setdefault((s["senderReference"] or "").replace("-", ""), []).append(s)
        return result

    def request_log(self):
        """(arrival time, method, path, status) of every API request the
        platform saw, in arrival order; status -1: the connection was cut."""
        return [(r["time"], r["method"], r["path"], r["status"]) for r in self.platform.requests()]

    def tokens_issued(self):
        return len([1 for t, m, p, st in self.request_log() if (m, p, st) == ("POST", "/token", 200)])

    def submit_requests(self):
        """submissionId → how many `PUT /v1/submissions/{id}` (submit)
        requests reached the platform for it."""
        return collections.Counter(p.rsplit("/", 1)[1] for t, m, p, st in self.request_log()
                                   if m == "PUT" and re.search(SUBMIT_PATH, p))

    def assert_submitted_once(self):
        """No submission was submitted twice: one submit request each."""
        counts = self.submit_requests()
        for submissions in self.platform_submitted().values():
            for s in submissions:
                self.assertEqual(counts[s["submissionId"]], 1, s["submissionId"])

    # ---- (a) ----

    def test_down_then_up(self):
        port = free_port()
        self.write_config(f"https://127.0.0.1:{port}", DEMO_ROOT)
        references = self.submit(200)
        result = self.sync_once(expect_rc=1)
        sent, failed, waiting, why = self.summary(result)
        self.assertEqual((sent, failed, waiting), (0, 0, 200))
        self.assertIn("unreachable", why)
        items = self.queue()
        self.assertEqual(len(items), 200)
        self.assertTrue(all(i["state"] == "queued" and i["attempts"] == 0 for i in items.values()))

        # the platform comes up at the very address the kiosk could not reach
        self.start_platform("--port", str(port))
        result = self.sync_once(expect_rc=0)
        self.assertEqual(self.summary(result)[:3], (200, 0, 0), result.stdout + result.stderr)
        items = self.queue()
        self.assertTrue(all(i["state"] == "submitted" for i in items.values()))
        self.assert_exactly_once(references)

    # ---- (b) one test per fault ----

    def due_in(self, item):
        return parse_time(item["next_attempt"]) - time.time()

    def wait_until_due(self):
        items = [i for i in self.queue().values() if i["state"] in ("queued", "created")]
        if items:
            time.sleep(max(0, max(parse_time(i["next_attempt"]) for i in items) - time.time()) + 1.1)

    def times_of(self, method, pattern):
        return [t for t, m, p, st in self.request_log() if m == method and re.search(pattern, p)]

    def test_5xx_backoff(self):
        # base 6: the first retry after 3–6 s, so that the second pass below
        # comes before it even on a slow machine
        self.retry_base, self.retry_cap = 6, 24
        self.start_platform()
        references = self.submit(2)
        self.platform.add_fault(method="POST", path=r"^/v1/submissions$", action="status", count=2, status=500, detail="database on fire")
        started = time.time()      # the failures come after this
        result = self.sync_once(expect_rc=0)
        self.assertEqual(self.summary(result)[:3], (0, 0, 2), result.stdout)
        self.assertIn("next attempt", result.stdout)
        items = self.queue()
        for item in items.values():
            self.assertEqual((item["state"], item["attempts"]), ("queued", 1))
            self.assertIn("HTTP 500", item["last_error"])
            self.assertIn("database on fire", item["last_error"])
            # retry_base_s=6: the first retry after 3–6 s (whole seconds in the listing)
            self.assertGreaterEqual(self.due_in(item), 3 - 1 - (time.time() - started))
            self.assertLessEqual(self.due_in(item), 6 + 1)
        # not due yet: nothing is sent again
        result = self.sync_once(expect_rc=0)
        self.assertEqual(self.summary(result)[:3], (0, 0, 2))
        self.assertEqual(len(self.times_of("POST", r"^/v1/submissions$")), 2)
        self.wait_until_due()
        result = self.sync_once(expect_rc=0)
        self.assertEqual(self.summary(result)[:3], (2, 0, 0), result.stdout)
        creates = self.times_of("POST", r"^/v1/submissions$")
        self.assertEqual(len(creates), 4)
        self.assertGreaterEqual(min(creates[2:]) - max(creates[:2]), 3 - 1)
        self.assert_exactly_once(references)

    def test_second_5xx_waits_longer(self):
        self.start_platform()
        self.submit(1)
        self.platform.add_fault(method="POST", path=r"^/v1/submissions$", action="status", count=3, status=502)
        longest, shortest = [], []
        for attempt in range(3):
            before = time.time()
            self.sync_once(expect_rc=0)
            after = time.time()
            item = next(iter(self.queue().values()))
            self.assertEqual(item["attempts"], attempt + 1)
            # the failure came between before and after: bounds that a
            # slow pass does not shift
            longest.append(parse_time(item["next_attempt"]) - before)
            shortest.append(parse_time(item["next_attempt"]) - after)
            self.wait_until_due()
        # base 2, cap 8: after n failures d = min(8, 2·2^(n-1)), delay in [d/2, d]
        # (± 1 s: the listing has whole seconds)
        self.assertLessEqual(shortest[0], 2 + 1)
        self.assertGreaterEqual(longest[1], 2 - 1)
        self.assertGreaterEqual(longest[2], 4 - 1)
        self.assertLessEqual(shortest[2], 8 + 1)
        self.drain()

    def test_429_retry_after(self):
        self.start_platform()
        references = self.submit(3)
        self.platform.add_fault(method="POST", path=r"^/v1/submissions$", action="status", count=1, status=429, retry_after=3)
        result = self.sync_once(expect_rc=0)
        log = self.request_log()
        t429 = next(t for t, m, p, st in log if st == 429)
        later = [t for t, m, p, st in log if t > t429 + 0.1]   # arrived after the 429 went out
        self.assertTrue(later, "the other applications were not sent after the wait")
        self.assertGreaterEqual(min(later) - t429, 2.9, "a request came before Retry-After")
        sent, failed, waiting, why = self.summary(result)
        self.assertEqual((sent, failed, waiting), (2, 0, 1), result.stdout)
        waiting_item = [i for i in self.queue().values() if i["state"] == "queued"][0]
        self.assertIn("HTTP 429", waiting_item["last_error"])
        self.drain()
        self.assert_exactly_once(references)

    def test_long_retry_after_ends_pass(self):
        self.sync_extra = "parallelism=1"
        self.start_platform()
        self.submit(2)
        self.platform.add_fault(method="POST", path=r"^/v1/submissions$", action="status", count=1, status=503, retry_after=120)
        result = self.sync_once(expect_rc=0)
        sent, failed, waiting, why = self.summary(result)
        self.assertEqual((sent, failed, waiting), (0, 0, 2), result.stdout)
        self.assertIn("slow-down", why)
        self.assertEqual(len(self.times_of("POST", r"^/v1/submissions$")), 1)
        item = [i for i in self.queue().values() if i["attempts"] == 1][0]
        self.assertGreaterEqual(self.due_in(item), 110)

    def test_stall_times_out(self):
        self.stall_timeout = 2
        self.start_platform()
        references = self.submit(1)
        # the submit is processed, then the answer stalls past stall_timeout_s=2
        self.platform.add_fault(method="PUT", path=r"^/v1/submissions/[0-9a-f-]+$", action="stall", count=1, ms=12000)
        started = time.time()
        result = self.sync_once(expect_rc=0)
        self.assertLess(time.time() - started, 10, "the stalled transfer was not cut")
        self.assertEqual(self.summary(result)[:3], (0, 0, 1), result.stdout)
        item = next(iter(self.queue().values()))
        self.assertEqual(item["state"], "created")
        self.assertRegex(item["last_error"], "(?i)timed? ?out")
        self.drain()
        # resolved from the event log: never a second submit
        self.assert_exactly_once(references)
        # the platform logs the stalled request once its 12 s are over
        deadline = time.time() + 30
        while self.submit_requests()[item["submission_id"]] == 0 and time.time() < deadline:
            time.sleep(0.5)
        self.assertEqual(self.submit_requests()[item["submission_id"]], 1)
        self.assert_submitted_once()

    def test_dropped_connection(self):
        self.start_platform()
        references = self.submit(2)
        self.platform.add_fault(method="POST", path=r"^/v1/submissions$", action="drop", count=1)
        self.platform.add_fault(method="PUT", path=r"^/v1/submissions/[0-9a-f-]+$", action="drop", count=1)
        result = self.sync_once(expect_rc=0)
        sent, failed, waiting, why = self.summary(result)
        self.assertEqual(failed, 0)
        self.assertGreaterEqual(waiting, 1, result.stdout)
        self.drain()
        self.assert_exactly_once(references)

    def test_invalid_json(self):
        self.start_platform()
        references = self.submit(1)
        self.platform.add_fault(method="POST", path=r"^/v1/submissions$", action="invalid_json", count=1)
        result = self.sync_once(expect_rc=0)
        self.assertEqual(self.summary(result)[:3], (0, 0, 1), result.stdout)
        self.assertIn("not valid JSON", next(iter(self.queue().values()))["last_error"])
        self.drain()
        self.assert_exactly_once(references)

    def test_401_refresh_once(self):
        self.start_platform()
        references = self.submit(4)
        self.platform.revoke(after=5)           # the first token stops working after 5 calls
        result = self.sync_once(expect_rc=0)
        self.assertEqual(self.summary(result)[:3], (4, 0, 0), result.stdout + result.stderr)
        self.assertEqual(self.tokens_issued(), 2)
        # the requests in flight with the revoked token (parallelism 4) all
        # get their 401; one refresh serves them all
        self.assertGreaterEqual(len([1 for t, m, p, st in self.request_log() if st == 401]), 1)
        self.assertLessEqual(len([1 for t, m, p, st in self.request_log() if st == 401]), 4)
        self.assert_exactly_once(references)

    def test_401_always_is_platform_wide(self):
        self.start_platform()
        self.submit(3)
        self.platform.add_fault(method="POST", path=r"^/v1/submissions$", action="status", count=100, status=401)
        result = self.sync_once(expect_rc=1)
        sent, failed, waiting, why = self.summary(result)
        self.assertEqual((sent, failed, waiting), (0, 0, 3))
        self.assertIn("auth", why)
        # one refresh, then the pass stops instead of hammering
        self.assertLessEqual(self.tokens_issued(), 2)
        self.assertLessEqual(len(self.times_of("POST", r"^/v1/submissions$")), 2 * 4)
        self.assertTrue(all(i["attempts"] == 0 for i in self.queue().values()))

    def test_409_on_submit(self):
        self.start_platform()
        references = self.submit(2)
        # the platform takes the submit, then answers 409 (as after a lost answer)
        self.platform.add_fault(method="PUT", path=r"^/v1/submissions/[0-9a-f-]+$", action="conflict", count=2)
        result = self.sync_once(expect_rc=0)
        self.assertEqual(self.summary(result)[:3], (2, 0, 0), result.stdout + result.stderr)
        self.assertEqual(len(self.times_of("PUT", r"^/v1/submissions/[0-9a-f-]+$")), 2)
        self.assertEqual(len(self.times_of("GET", r"/events$")), 2)
        self.assert_exactly_once(references)
        self.assert_submitted_once()

    def test_permanent_failure_carries_reason(self):
        self.start_platform(*services_except("wohnberechtigungsschein"))
        good = self.submit(2, forms=["anwohnerparkausweis", "hundesteuer"])
        bad = self.submit(1, forms=["wohnberechtigungsschein"])   # a service the destination does not list
        self.platform.add_fault(method="PUT", path=r"/attachments/", action="status", count=1, status=400,
                                title="Bad Request", detail="attachment too large for this destination")
        result = self.sync_once(expect_rc=0)
        sent, failed, waiting, why = self.summary(result)
        self.assertEqual((sent, failed, waiting), (1, 2, 0), result.stdout)
        items = self.queue()
        failed_items = [i for i in items.values() if i["state"] == "failed"]
        reasons = sorted(i["last_error"] for i in failed_items)
        self.assertIn("HTTP 400: Bad Request: attachment too large for this destination", reasons)
        self.assertEqual(items[list(bad)[0]]["state"], "failed")
        # refused before anything was sent, with the reason
        self.assertIn("does not offer the service", items[list(bad)[0]]["last_error"])
        self.assertEqual(len(self.platform.submissions()), 2)   # the good two only: nothing created for it
        # staff retry → sent (the 400 was a one-off)
        retried = [r for r, i in items.items() if i["state"] == "failed" and r in good][0]
        self.assertEqual(self.ctl("queue", "retry", retried, "--config", self.config).returncode, 0)
        self.sync_once(expect_rc=0)
        self.assert_exactly_once(good)

    def test_untrusted_certificate(self):
        # the kiosk trusts the platform's CA (ca_file), but the server shows
        # a certificate from a second CA
        self.start_platform("--untrusted-cert")
        self.submit(2)
        result = self.sync_once(expect_rc=1)
        sent, failed, waiting, why = self.summary(result)
        self.assertEqual((sent, failed, waiting), (0, 0, 2))
        self.assertIn("untrusted", why)
        self.assertIn("not trusted", result.stderr)
        self.assertEqual(self.request_log(), [])
        self.assertEqual(self.platform.submissions(), [])
        # the kiosk broke the handshake off (no request went through it)
        stats = self.platform.stats()
        self.assertGreaterEqual(stats["handshakeFailures"], 1)
        self.assertEqual(stats["connections"], 0)
        self.assertTrue(all(i["attempts"] == 0 for i in self.queue().values()))

    def test_status_accepted_and_rejected(self):
        self.sync_extra = "status_poll_s=1"
        self.start_platform()
        references = self.submit(2)
        self.sync_once(expect_rc=0)
        submitted = self.platform_submitted()
        (r1, s1), (r2, s2) = sorted(submitted.items())
        self.platform.accept(s1[0]["caseId"])
        self.platform.reject(s2[0]["caseId"], "Unterschrift fehlt")
        time.sleep(1.2)
        result = self.sync_once(expect_rc=0)
        self.assertIn("accepted 1, rejected 1", result.stdout)
        items = self.queue()
        self.assertEqual(items[r1]["state"], "accepted")
        self.assertEqual(items[r2]["state"], "rejected")
        self.assertIn("Unterschrift fehlt", items[r2]["last_error"])
        self.assertEqual(set(references), {r1, r2})

    def test_forged_event_not_believed(self):
        """A created application whose case log holds a submit event with a
        bad signature is sent, not marked submitted on the forged word."""
        self.start_platform()
        references = self.submit(1)
        self.platform.add_fault(method="PUT", path=r"^/v1/submissions/[0-9a-f-]+$", action="status", count=1, status=500)
        self.sync_once(expect_rc=0)
        item = next(iter(self.queue().values()))
        self.assertEqual(item["state"], "created")
        case_id = next(s["caseId"] for s in self.platform.submissions()
                       if s["submissionId"] == item["submission_id"])
        # a submit event with the platform's kid whose signature does not verify
        self.platform.admin("POST", "cases/%s/forged-event" % case_id, {"type": "submit-submission"})
        self.wait_until_due()
        self.sync_once(expect_rc=0)
        self.assertEqual(self.queue()[list(references)[0]]["state"], "submitted")
        self.assertEqual(self.submit_requests()[item["submission_id"]], 2)   # the 500, then the real one
        self.assert_exactly_once(references)

    # ---- (c) ----

    def test_crash_kill_while_draining(self):
        self.sync_extra = "parallelism=4"
        self.start_platform()
        # a drain that lasts long enough to be hit: every request waits 30 ms
        self.platform.add_fault(action="delay", ms=30, count=-1)
        references = self.submit(150)
        rng = random.Random(int(os.environ.get("SYNC_CRASH_SEED", str(int(time.time())))))
        kills = 0
        while kills < KILLS:
            args = [CTL, "sync", "--config", self.config]
            if kills % 2:
                args.insert(2, "--once")
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)
            time.sleep(rng.uniform(0.01, 0.3))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
            if kills % 25 == 0:
                # the queue and the platform may refuse nothing in between
                self.assertEqual(self.ctl("queue", "status", "--config", self.config).returncode, 0)
        before = self.queue()
        in_flight = sum(1 for i in before.values() if i["state"] in ("queued", "created"))
        self.drain()
        self.assert_exactly_once(references)
        self.assertTrue(all(i["state"] == "submitted" for i in self.queue().values()))
        # the kills did hit applications half way (submissions created and
        # then abandoned by a killed process)
        created = len(self.platform.submissions())
        self.assertGreater(created, len(references))
        print(f"{kills} kills; {in_flight} were still pending after them; "
              f"{created} submissions created at the platform for {len(references)}",
              file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
