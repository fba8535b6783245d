# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the local test platform (docs/platform.md), with http.client/ssl
as the client and jwcrypto as an independent sender."""
import os
import sys

# This directory holds platform.py, which must not shadow the standard
# library's "platform": put it last on the path, never first.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE] + [HERE]

import hashlib
import http.client
import base64
import json
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import uuid

from client import PYTHON, SCRIPT, Platform  # noqa: E402

from jwcrypto import jwe, jwk, jws  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEST = "4b5c7214-aa12-4624-955e-0f7deaabc342"
LEIKA = "urn:de:fim:leika:leistung:99115004012000"
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://schema.example/forms/test/1.0.0.json",
    "type": "object", "required": ["$schema", "name"],
    "properties": {"$schema": {"const": "https://schema.example/forms/test/1.0.0.json"},
                   "name": {"type": "string", "minLength": 1}},
    "additionalProperties": False,
}


def public_key():
    with open(os.path.join(ROOT, "resources", "demo", "demo-destination.jwk"), encoding="utf-8") as f:
        return jwk.JWK.from_json(f.read())


PUBLIC = public_key()
KID = PUBLIC.export_public(as_dict=True)["kid"]


def encrypt(payload, cty="application/json", kid=KID, key=PUBLIC):
    header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": kid}
    if cty:
        header["cty"] = cty
    token = jwe.JWE(payload, protected=json.dumps(header))
    token.add_recipient(key)
    return token.serialize(compact=True)


def application(reference, name="Erika Mustermann", attachments=(), bad_hash=False):
    data = json.dumps({"$schema": SCHEMA["$id"], "name": name}).encode()
    metadata = {"contentStructure": {
        "data": {"hash": {"type": "sha512", "content": hashlib.sha512(data + (b"x" if bad_hash else b"")).hexdigest()},
                 "submissionSchema": {"schemaUri": SCHEMA["$id"], "mimeType": "application/json"}},
        "attachments": [{"hash": {"type": "sha512", "content": hashlib.sha512(b).hexdigest()}, "purpose": "form",
                         "mimeType": "application/pdf", "attachmentId": a} for a, b in attachments]},
        "additionalReferenceInfo": {"senderReference": reference}}
    return {"encryptedMetadata": encrypt(json.dumps(metadata).encode()), "encryptedData": encrypt(data)}


class Client:
    def __init__(self, platform, context=None):
        self.platform = platform
        self.context = context or ssl.create_default_context(cafile=platform.ca_file)
        self.connection = None
        self.token = None

    def request(self, method, path, body=None, headers=None, auth=True):
        if self.connection is None:
            self.connection = http.client.HTTPSConnection("127.0.0.1", self.platform.port, context=self.context,
                                                          timeout=30)
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        if auth and self.token:
            headers["Authorization"] = "Bearer " + self.token
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
        except Exception:
            self.connection.close()
            self.connection = None
            raise
        return response.status, response, raw

    def json(self, method, path, body=None, **kw):
        status, response, raw = self.request(method, path, body, **kw)
        return status, (json.loads(raw) if raw else None), response

    def login(self, secret="test-secret"):
        status, body, _ = self.json("POST", "/token", body=(
            "grant_type=client_credentials&client_id=antragskiosk-test&client_secret=" + secret).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"}, auth=False)
        if status == 200:
            self.token = body["access_token"]
        return status, body

    def create(self, announced=()):
        return self.json("POST", "/v1/submissions", {"destinationId": DEST, "announcedAttachments": list(announced),
                                                     "serviceType": {"name": "Test", "identifier": LEIKA}})

    def close(self):
        if self.connection is not None:
            self.connection.close()


class PlatformTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="platform-test-")
        schemas = os.path.join(cls.tmp.name, "schemas")
        os.mkdir(schemas)
        with open(os.path.join(schemas, "test.json"), "w", encoding="utf-8") as f:
            json.dump(SCHEMA, f)
        cls.platform = Platform(os.path.join(cls.tmp.name, "state"), "--schemas", schemas).start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.platform.stop()
        assert rc == 0, rc
        cls.tmp.cleanup()

    def setUp(self):
        self.platform.clear_faults()
        self.client = Client(self.platform)
        self.assertEqual(self.client.login()[0], 200)

    def tearDown(self):
        self.client.close()

    def submit_one(self, reference, attachments=()):
        status, created, _ = self.client.create([a for a, _ in attachments])
        self.assertEqual(status, 201, created)
        sid = created["submissionId"]
        for aid, blob in attachments:
            status, _, _ = self.client.request("PUT", "/v1/submissions/%s/attachments/%s" % (sid, aid),
                                               encrypt(blob, cty=None).encode(),
                                               {"Content-Type": "application/jose"})
            self.assertEqual(status, 204)
        status, body, _ = self.client.json("PUT", "/v1/submissions/" + sid, application(reference, attachments=attachments))
        return created, status, body

    def test_token(self):
        c = Client(self.platform)
        self.assertEqual(c.login("wrong")[0], 401)
        status, body = c.login()
        self.assertEqual(status, 200)
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 1800)
        status, _, response = c.json("GET", "/v1/destinations/" + DEST, auth=False)
        self.assertEqual(status, 401)
        c.token = "nonsense"
        self.assertEqual(c.json("GET", "/v1/destinations/" + DEST)[0], 401)
        c.close()

    def test_destination_and_key(self):
        status, body, _ = self.client.json("GET", "/v1/destinations/" + DEST)
        self.assertEqual((status, body["status"], body["encryptionKid"]), (200, "active", KID))
        status, key, _ = self.client.json("GET", "/v1/destinations/%s/keys/%s" % (DEST, KID))
        self.assertEqual(status, 200)
        self.assertIn("x5c", key)
        self.assertNotIn("d", key)
        self.assertEqual(self.client.json("GET", "/v1/destinations/" + str(uuid.uuid4()))[0], 404)

    def test_round_trip_and_events(self):
        ref = "REF-" + uuid.uuid4().hex[:8]
        attachment = (str(uuid.uuid4()), b"%PDF-1.4 test")
        created, status, body = self.submit_one(ref, [attachment])
        # 202 with a SubmissionReduced (FITKO's Submission API 1.x)
        self.assertEqual((status, body["submissionId"], body["attachments"]),
                         (202, created["submissionId"], [attachment[0]]), body)
        status, info, _ = self.client.json("GET", "/v1/submissions/" + created["submissionId"])
        self.assertEqual(info["status"], "submitted")
        # a second submit is a 409
        status, body, _ = self.client.json("PUT", "/v1/submissions/" + created["submissionId"], application(ref))
        self.assertEqual(status, 409)
        self.assertEqual(body["title"], "Conflict")
        stored = [s for s in self.platform.submissions() if s["senderReference"] == ref]
        self.assertEqual(len(stored), 1)
        self.assertEqual(stored[0]["data"]["name"], "Erika Mustermann")
        self.assertEqual(stored[0]["status"], "submitted")
        # events: PS512 SETs verifiable with the published JWKS
        status, jwks, _ = self.client.json("GET", "/.well-known/jwks.json", auth=False)
        keys = jwk.JWKSet.from_json(json.dumps(jwks))
        self.platform.reject(created["caseId"], "Unterlagen fehlen")
        status, log, _ = self.client.json("GET", "/v1/cases/%s/events" % created["caseId"])
        self.assertEqual(status, 200)
        types = []
        for token in log["eventLog"]:
            signed = jws.JWS()
            signed.deserialize(token)
            header = signed.jose_header
            self.assertEqual((header["alg"], header["typ"]), ("PS512", "secevent+jwt"))
            claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))   # read, then verified
            if any(t.endswith(("/accept-submission", "/reject-submission")) for t in claims["events"]):
                # the authority's decision: signed with the destination's
                # signature key (served under its kid, x5c to the authority
                # root), issuer the destinationId — not the platform's JWKS
                self.assertIsNone(keys.get_key(header["kid"]))
                status, served, _ = self.client.json("GET", "/v1/destinations/%s/keys/%s" % (DEST, header["kid"]))
                self.assertEqual((status, served["alg"], served["key_ops"]), (200, "PS512", ["verify"]))
                signed.verify(jwk.JWK(**served), alg="PS512")
                self.assertEqual(claims["iss"], DEST)
            else:
                signed.verify(keys.get_key(header["kid"]), alg="PS512")
            self.assertEqual(json.loads(signed.payload), claims)
            self.assertEqual(claims["sub"], "submission:" + created["submissionId"])
            self.assertEqual(claims["txn"], "case:" + created["caseId"])
            types += [t.rsplit("/", 1)[1] for t in claims["events"]]
            if "reject-submission" in types[-1]:
                reason = list(claims["events"].values())[0]["problems"][0]["detail"]
                self.assertEqual(reason, "Unterlagen fehlen")
        self.assertEqual(types, ["create-submission", "submit-submission", "reject-submission"])
        # dump CLI
        out = subprocess.run([PYTHON, SCRIPT, "dump", "--db", self.platform.db], check=True,
                             capture_output=True, text=True).stdout
        self.assertIn(ref, [s["senderReference"] for s in json.loads(out)["submissions"]])

    def test_accept(self):
        created, status, _ = self.submit_one("ACC-1")
        self.assertEqual(status, 202)
        self.platform.accept(created["caseId"])
        status, info, _ = self.client.json("GET", "/v1/submissions/" + created["submissionId"])
        self.assertEqual(info["status"], "accepted")

    def test_rejections(self):
        # missing announced attachment
        status, created, _ = self.client.create([str(uuid.uuid4())])
        status, body, _ = self.client.json("PUT", "/v1/submissions/" + created["submissionId"], application("R1"))
        self.assertEqual(status, 422)
        self.assertIn("attachment missing", body["detail"])
        # The Zustelldienst cannot decrypt: what it cannot see is taken (202)
        # and the receiving authority rejects it with the reason, signed
        # with the destination's key.
        for payload, detail in (
                (application("R2", bad_hash=True), "hash"),
                (application("R3", name=""), "does not validate"),
                (dict(application("R4"), encryptedData=encrypt(b"{}", cty=None)), "cty"),
                (dict(application("R5"), encryptedData=encrypt(b"{}", kid="other")), "kid"),
                (dict(application("R6"), encryptedData="a.b.c.d.e"), "protected header")):
            status, created, _ = self.client.create()
            status, body, _ = self.client.json("PUT", "/v1/submissions/" + created["submissionId"], payload)
            self.assertEqual(status, 202, (detail, body))
            status, log, _ = self.client.json("GET", "/v1/cases/%s/events" % created["caseId"])
            last = json.loads(base64.urlsafe_b64decode(log["eventLog"][-1].split(".")[1] + "=="))
            event = last["events"].get("https://schema.fitko.de/fit-connect/events/reject-submission")
            self.assertIsNotNone(event, (detail, last))
            self.assertEqual(last["iss"], DEST)
            self.assertIn(detail, event["problems"][0]["detail"])
        # what is not a JWE at all, the Zustelldienst itself refuses
        status, created, _ = self.client.create()
        status, body, _ = self.client.json("PUT", "/v1/submissions/" + created["submissionId"],
                                           dict(application("R7"), encryptedData="not a jwe"))
        self.assertEqual(status, 400)
        self.assertEqual(set(body), {"type", "title", "status", "detail"})
        status, body, _ = self.client.json("POST", "/v1/submissions", {
            "destinationId": DEST, "announcedAttachments": [], "serviceType": {"name": "x", "identifier": "nope"}})
        self.assertEqual(status, 422)
        self.assertEqual({s["senderReference"]: s["status"] for s in self.platform.submissions()
                          if s["senderReference"] in ("R2", "R3", "R4")},
                         {"R2": "rejected", "R3": "rejected", "R4": "rejected"})

    def test_fault_status_retry_after_and_counts(self):
        self.platform.add_fault(method="POST", path="^/v1/submissions$", action="status", status=503,
                                retry_after=7, count=2, after=1)
        statuses = []
        for _ in range(4):
            status, body, response = self.client.create()
            statuses.append(status)
            if status == 503:
                self.assertEqual(response.getheader("Retry-After"), "7")
        self.assertEqual(statuses, [201, 503, 503, 201])
        self.platform.add_fault(path="^/v1/destinations/", action="status", status=429, retry_after=1)
        self.assertEqual(self.client.json("GET", "/v1/destinations/" + DEST)[0], 429)
        self.platform.add_fault(method="GET", action="status", status=500)
        self.assertEqual(self.client.json("GET", "/v1/destinations/" + DEST)[0], 500)

    def test_fault_delay(self):
        self.platform.add_fault(method="GET", path="/v1/destinations/", action="delay", ms=400)
        start = time.monotonic()
        self.assertEqual(self.client.json("GET", "/v1/destinations/" + DEST)[0], 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.4)

    def test_fault_stall(self):
        """stall: processed first, then the answer is held back."""
        self.platform.add_fault(method="POST", path="^/v1/submissions$", action="stall", ms=3000)
        before = {s["submissionId"] for s in self.platform.submissions()}
        c = Client(self.platform)
        c.login()
        c.close()
        c.connection = http.client.HTTPSConnection("127.0.0.1", self.platform.port, context=c.context, timeout=1)
        start = time.monotonic()
        with self.assertRaises((socket.timeout, TimeoutError)):
            c.create()
        self.assertLess(time.monotonic() - start, 2.5)
        # the submission exists although the client never heard the answer
        self.assertEqual(len({s["submissionId"] for s in self.platform.submissions()} - before), 1)
        c.close()

    def test_forged_event(self):
        created, status, _ = self.submit_one("FORGED-1")
        self.assertEqual(status, 202)
        self.platform.admin("POST", "cases/%s/forged-event" % created["caseId"], {"type": "accept-submission"})
        status, log, _ = self.client.json("GET", "/v1/cases/%s/events" % created["caseId"])
        self.assertEqual(len(log["eventLog"]), 3)
        status, jwks, _ = self.client.json("GET", "/.well-known/jwks.json", auth=False)
        keys = jwk.JWKSet.from_json(json.dumps(jwks))
        verified = []
        for token in log["eventLog"]:
            signed = jws.JWS()
            signed.deserialize(token)
            try:
                signed.verify(keys.get_key(signed.jose_header["kid"]), alg="PS512")
                verified.append(True)
            except jws.InvalidJWSSignature:
                verified.append(False)
        self.assertEqual(verified, [True, True, False])
        self.assertIn("accept-submission", json.loads(signed.objects["payload"])["events"].popitem()[0])
        # the platform's own state is untouched
        status, info, _ = self.client.json("GET", "/v1/submissions/" + created["submissionId"])
        self.assertEqual(info["status"], "submitted")
        with self.assertRaises(RuntimeError):
            self.platform.admin("POST", "cases/%s/forged-event" % uuid.uuid4(), {})

    def test_fault_drop_and_close(self):
        self.platform.add_fault(method="POST", path="^/v1/submissions$", action="drop")
        with self.assertRaises((http.client.IncompleteRead, ConnectionError, ssl.SSLError)):
            self.client.create()
        # the request was processed: a submission exists that the client never heard of
        self.platform.add_fault(method="GET", action="close")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError, ssl.SSLError)):
            self.client.json("GET", "/v1/destinations/" + DEST)
        self.assertEqual(self.client.json("GET", "/v1/destinations/" + DEST)[0], 200)
        statuses = [r["status"] for r in self.platform.requests() if r["fault"] is not None]
        self.assertIn(-1, statuses)

    def test_fault_invalid_json_and_conflict(self):
        self.platform.add_fault(method="POST", path="^/v1/submissions$", action="invalid_json")
        status, response, raw = self.client.request("POST", "/v1/submissions", json.dumps({
            "destinationId": DEST, "announcedAttachments": [],
            "serviceType": {"name": "Test", "identifier": LEIKA}}).encode(), {"Content-Type": "application/json"})
        self.assertEqual(status, 201)
        with self.assertRaises(ValueError):
            json.loads(raw)
        self.platform.add_fault(method="PUT", path="^/v1/submissions/[^/]+$", action="conflict")
        created, status, body = self.submit_one("CONFLICT-1")
        self.assertEqual(status, 409)
        stored = [s for s in self.platform.submissions() if s["senderReference"] == "CONFLICT-1"]
        self.assertEqual([s["status"] for s in stored], ["submitted"])

    def test_revoke_after(self):
        self.platform.revoke(after=2)
        statuses = [self.client.json("GET", "/v1/destinations/" + DEST)[0] for _ in range(4)]
        self.assertEqual(statuses, [200, 200, 401, 401])
        self.assertEqual(self.client.login()[0], 200)
        self.assertEqual(self.client.json("GET", "/v1/destinations/" + DEST)[0], 200)

    def test_token_expiry(self):
        with Platform(None, "--token-expiry", "1") as p:
            c = Client(p)
            self.assertEqual(c.login()[1]["expires_in"], 1)
            self.assertEqual(c.json("GET", "/v1/destinations/" + DEST)[0], 200)
            time.sleep(1.2)
            self.assertEqual(c.json("GET", "/v1/destinations/" + DEST)[0], 401)
            c.close()

    def test_keep_alive_and_stats(self):
        self.platform.reset_log()
        c = Client(self.platform)
        c.login()
        for _ in range(20):
            self.assertEqual(c.json("GET", "/v1/destinations/" + DEST)[0], 200)
        c.close()
        stats = self.platform.stats()
        self.assertEqual(stats["requests"], 21)
        self.assertEqual(stats["handshakes"], 1)
        self.assertEqual(len({r["connection"] for r in self.platform.requests()}), 1)
        times = [r["time"] for r in self.platform.requests()]
        self.assertEqual(times, sorted(times))

    def test_untrusted_cert(self):
        with Platform(None, "--untrusted-cert") as p:
            context = ssl.create_default_context(cafile=p.ca_file)
            with self.assertRaises(ssl.SSLCertVerificationError):
                with socket.create_connection(("127.0.0.1", p.port)) as raw:
                    context.wrap_socket(raw, server_hostname="127.0.0.1")
            # the server's handler thread counts the broken-off handshake
            # a moment after the client gave up
            for _ in range(50):
                if p.stats()["handshakeFailures"] >= 1:
                    break
                time.sleep(0.1)
            self.assertEqual(p.stats()["handshakeFailures"], 1)
            self.assertEqual(p.stats()["requests"], 0)

    def test_bad_fault_spec(self):
        with self.assertRaises(RuntimeError):
            self.platform.add_fault(action="explode")


if __name__ == "__main__":
    unittest.main(verbosity=2)
