# SPDX-License-Identifier: GPL-3.0-or-later
"""A second, independent FIT-Connect Zustelldienst for the exactly-once test.

Written from FITKO's OpenAPI document alone (fitko/submission-api-1.1.3.yaml),
sharing no code with platform.py: it relays and never decrypts (end-to-end
encryption) — create 201 SubmissionCreated, attachments 204, submit 202
SubmissionReduced, paged event logs — and is unreliable on purpose: a seeded
share of requests is answered 500 or 503 (Retry-After) without effect, or
processed and then cut off before the answer.  A separate receiving
authority (a thread holding the destination's private key) picks up each
submitted application, decrypts it and decides: it rejects those whose data
carries a name starting with "R" (problems: title/detail), accepts the
rest, and signs the decision with the destination's signature key
(iss = destinationId).  The key material comes from authority.py (setup
only).

    fitko_reference.py STATE_DIR DESTINATION_ID SEED FAULT_PERCENT
prints "READY <url> <ca.pem> <trust-anchor.pem>" and serves until SIGTERM;
GET /__state (no token) answers what arrived and what was decided.
"""
import os
import sys

# This directory holds platform.py, which must not shadow the standard
# library's "platform": put it last on the path, never first.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE] + [HERE]

import datetime  # noqa: E402
import hashlib  # noqa: E402
import ipaddress  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import ssl  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from urllib.parse import parse_qs, urlsplit  # noqa: E402

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from jwcrypto import jwe, jws  # noqa: E402

from authority import Authority  # noqa: E402  (key material only)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EVENT = "https://schema.fitko.de/fit-connect/events/"
ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def tls_files(state):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "reference Zustelldienst")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    pem, key_pem = os.path.join(state, "ref-ca.pem"), os.path.join(state, "ref-key.pem")
    with open(pem, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_pem, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return pem, key_pem


def bundled_services():
    services = []
    for name in sorted(os.listdir(os.path.join(ROOT, "resources", "forms"))):
        with open(os.path.join(ROOT, "resources", "forms", name), encoding="utf-8") as f:
            form = json.load(f)
        if re.fullmatch(r"[0-9]{14}", form.get("leika", "")):
            services.append({"identifier": "urn:de:fim:leika:leistung:" + form["leika"], "regions": ["DE11"],
                             "submissionSchemas": [{"schemaUri": form["schema_uri"], "mimeType": "application/json"}]})
    return services


class Service:
    def __init__(self, state, destination, seed, fault_percent):
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        self.fault_percent = fault_percent
        self.destination = destination
        self.authority = Authority(state)
        self.enc_private, self.enc_public = self.authority.issue("enc")
        self.set_private, self.set_public = self.authority.issue("sig", kid="zustelldienst-" + secrets.token_hex(4))
        self.tokens = set()
        self.submissions = {}     # id → dict
        self.events = {}          # case id → [token]
        self.decisions = {}       # submission id → ("accepted"|"rejected", senderReference)
        self.work = []            # submitted, for the authority
        self.anchor = os.path.join(state, "ref-trust-anchor.pem")
        with open(self.anchor, "wb") as f:
            f.write(self.authority.root_pem())

    # -- events

    def sign(self, private, kid, claims):
        token = jws.JWS(json.dumps(claims).encode())
        token.add_signature(private, alg="PS512", protected=json.dumps(
            {"alg": "PS512", "kid": kid, "typ": "secevent+jwt"}))
        return token.serialize(compact=True)

    def event(self, sub, kind, body=None, issuer="zustelldienst"):
        claims = {"iss": issuer if issuer != "zustelldienst" else "https://reference.invalid",
                  "iat": int(time.time()), "jti": str(uuid.uuid4()), "sub": "submission:" + sub["submissionId"],
                  "txn": "case:" + sub["caseId"], "events": {EVENT + kind: body or {}}}
        if issuer == "zustelldienst":
            token = self.sign(self.set_private, self.set_public["kid"], claims)
        else:
            token = self.sign(self.authority.signing_private, self.authority.signing_public["kid"], claims)
        self.events.setdefault(sub["caseId"], []).append(token)

    # -- the receiving authority (its own thread)

    def authority_loop(self):
        while True:
            time.sleep(0.2)
            with self.lock:
                work, self.work = self.work, []
            for sid in work:
                self.decide(sid)

    def decide(self, sid):
        with self.lock:
            sub = self.submissions[sid]
        try:
            meta = jwe.JWE()
            meta.deserialize(sub["encryptedMetadata"], key=self.enc_private)
            data = jwe.JWE()
            data.deserialize(sub["encryptedData"], key=self.enc_private)
            metadata, content = json.loads(meta.payload), json.loads(data.payload)
            reference = metadata["additionalReferenceInfo"]["senderReference"]
            digest = metadata["contentStructure"]["data"]["hash"]["content"]
            ok = digest == hashlib.sha512(data.payload).hexdigest()
        except Exception as e:  # noqa: BLE001 (the authority rejects what it cannot read)
            reference, ok, content = None, False, {"error": type(e).__name__}
        names = [v for k, v in _walk(content) if k in ("vorname", "name", "familienname")]
        accept = ok and not any(isinstance(n, str) and n.startswith("R") for n in names)
        with self.lock:
            if accept:
                self.event(sub, "accept-submission", issuer=self.destination)
            else:
                self.event(sub, "reject-submission", {"problems": [{
                    "type": "https://schema.fitko.de/fit-connect/events/problems/reference",
                    "title": "Antrag abgelehnt", "detail": "Name beginnt mit R" if ok else "nicht lesbar"}]},
                    issuer=self.destination)
            self.decisions[sid] = ("accepted" if accept else "rejected", reference)

    # -- the API

    def route(self, method, path, query, body):
        if method == "GET" and path == "/.well-known/jwks.json":
            return 200, {"keys": [self.set_public]}
        m = re.fullmatch(r"/v1/destinations/(%s)(?:/keys/([^/]+))?" % ID, path)
        if m and method == "GET" and m[1] == self.destination:
            if m[2] is None:
                return 200, {"destinationId": self.destination, "status": "active",
                             "encryptionKid": self.enc_public["kid"], "services": bundled_services(),
                             "metadataVersions": ["1.3.0"], "replyChannels": {"eMail": {"usePgp": False}}}
            for key in (self.enc_public, self.authority.signing_public):
                if key["kid"] == m[2]:
                    return 200, key
            return 404, None
        if method == "POST" and path == "/v1/submissions":
            request = json.loads(body)
            if request.get("destinationId") != self.destination:
                return 404, None
            sub = {"submissionId": str(uuid.uuid4()), "caseId": str(uuid.uuid4()),
                   "destinationId": self.destination, "serviceType": request["serviceType"],
                   "announced": request.get("announcedAttachments", []), "attachments": {}, "submitted": False}
            with self.lock:
                self.submissions[sub["submissionId"]] = sub
                self.event(sub, "create-submission")
            return 201, {k: sub[k] for k in ("destinationId", "submissionId", "caseId")}
        m = re.fullmatch(r"/v1/submissions/(%s)(?:/attachments/(%s))?" % (ID, ID), path)
        if m and method == "PUT":
            with self.lock:
                sub = self.submissions.get(m[1])
                if sub is None:
                    return 404, None
                if sub["submitted"]:
                    return 409, None
                if m[2]:
                    if m[2] not in sub["announced"]:
                        return 422, None
                    sub["attachments"][m[2]] = body
                    return 204, None
                if set(sub["announced"]) - set(sub["attachments"]):
                    return 422, None
                request = json.loads(body)
                sub.update(encryptedMetadata=request["encryptedMetadata"], encryptedData=request["encryptedData"],
                           submitted=True)
                self.event(sub, "submit-submission")
                self.work.append(m[1])
                return 202, {"destinationId": sub["destinationId"], "submissionId": m[1], "caseId": sub["caseId"],
                             "attachments": sorted(sub["attachments"]), "serviceType": sub["serviceType"]}
        m = re.fullmatch(r"/v1/cases/(%s)/events" % ID, path)
        if m and method == "GET":
            with self.lock:
                log = list(self.events.get(m[1], []))
            if not log:
                return 404, None
            offset, limit = int(query.get("offset", ["0"])[0]), min(int(query.get("limit", ["100"])[0]), 2)
            return 200, {"count": len(log[offset:offset + limit]), "offset": offset, "totalCount": len(log),
                         "eventLog": log[offset:offset + limit]}
        return 404, None

    def fault(self):
        with self.lock:
            roll = self.random.randrange(100)
        if roll >= self.fault_percent:
            return None
        return ("500", "503", "cut")[roll % 3]


def _walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def handler(service):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, obj=None, headers=()):
            data = json.dumps(obj).encode() if obj is not None else b""
            if status >= 400 and obj is None:
                obj = {"type": "about:blank", "title": "Error", "status": status}
                data = json.dumps(obj).encode()
            self.send_response(status)
            for h in headers:
                self.send_header(*h)
            if data:
                self.send_header("Content-Type", "application/problem+json" if status >= 400 else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def any(self):
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if url.path == "/__state":
                with service.lock:
                    subs = [{"submissionId": s, "submitted": v["submitted"], "decision": service.decisions.get(s)}
                            for s, v in service.submissions.items()]
                return self.answer(200, {"submissions": subs})
            if url.path == "/token":
                form = parse_qs(body.decode())
                if form.get("grant_type") != ["client_credentials"] or form.get("client_secret") != ["ref-secret"]:
                    return self.answer(401, {"error": "invalid_client"})
                token = secrets.token_urlsafe(24)
                with service.lock:
                    service.tokens.add(token)
                return self.answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 1800})
            if url.path.startswith("/v1/"):
                with service.lock:
                    known = self.headers.get("Authorization", "")[7:] in service.tokens
                if not known:
                    return self.answer(401, None)
            fault = service.fault() if url.path.startswith("/v1/") else None
            if fault == "500":
                return self.answer(500, None)
            if fault == "503":
                return self.answer(503, None, [("Retry-After", "1")])
            status, obj = service.route(self.command, url.path, parse_qs(url.query), body)
            if fault == "cut":
                self.close_connection = True
                self.request.shutdown(socket.SHUT_RDWR)
                return None
            return self.answer(status, obj)

        do_GET = do_POST = do_PUT = any

    return Handler


def main():
    state, destination, seed, fault_percent = sys.argv[1], sys.argv[2].lower(), int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(state, exist_ok=True)
    service = Service(state, destination, seed, fault_percent)
    ca, key = tls_files(state)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(service))
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(ca, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=service.authority_loop, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    print("READY https://127.0.0.1:%d %s %s" % (server.server_address[1], ca, service.anchor), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
