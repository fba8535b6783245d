#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A local FIT-Connect Submission API for tests and demos (docs/platform.md).

HTTPS on 127.0.0.1 with a test CA made at start, OAuth client credentials,
destinations and keys, create / attachments / submit / events (PS512 SETs),
independent decryption and checks of every submission (jwcrypto,
jsonschema), SQLite storage, scriptable faults and a request log under
/__admin/.  Run with Debian's /usr/bin/python3."""
import os
import sys

# Run as a script, this directory is sys.path[0] and this file would shadow
# the standard library's "platform" (which uuid imports): drop it.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import argparse
import base64
import datetime
import hashlib
import io
import ipaddress
import itertools
import json
import re
import signal
import socket
import sqlite3
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from jwcrypto import jwe, jwk, jws

sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from authority import Authority  # noqa: E402  (next to this file)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEMO_DESTINATION = "4b5c7214-aa12-4624-955e-0f7deaabc342"
DEMO_PRIVATE = os.path.join(ROOT, "packaging", "dev", "demo-destination-private.jwk")
DEMO_PUBLIC = os.path.join(ROOT, "resources", "demo", "demo-destination.jwk")
EVENTS = "https://schema.fitko.de/fit-connect/events/"
UUID_RE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
LEIKA_RE = re.compile(r"urn:de:fim:leika:leistung:[0-9]{14}")
PROBLEM = "https://schema.fitko.de/fit-connect/submission-api/problems/"
METADATA_VERSIONS = ["1.3.0", "1.2.0", "1.1.0", "1.0.0"]
DEMO_REGION = "DE000000000000"


def bundled_services():
    """The services the bundled forms name (their LeiKa key and data
    schema): what the demo destination offers."""
    services = {}
    forms = os.path.join(ROOT, "resources", "forms")
    for name in sorted(os.listdir(forms)) if os.path.isdir(forms) else []:
        if not name.endswith(".json"):
            continue
        with open(os.path.join(forms, name), encoding="utf-8") as f:
            form = json.load(f)
        leika, schema = form.get("leika"), form.get("schema_uri")
        if not leika or not re.fullmatch(r"[0-9]{14}", leika):
            continue
        services.setdefault("urn:de:fim:leika:leistung:" + leika, []).append(schema)
    return services


def parse_service(spec):
    """--service URN[=SCHEMA_URI,...]"""
    urn, _, schemas = spec.partition("=")
    return urn, [s for s in schemas.split(",") if s]


# ---------------------------------------------------------------- certificates

def _write(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def make_ca(directory, name):
    """A CA (EC P-256, valid 2 days) and a server certificate for
    127.0.0.1 / localhost signed by it.  Returns (ca.pem, cert, key)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Antragskiosk %s test CA" % name)])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = tuple(os.path.join(directory, name + s) for s in ("ca.pem", "server.pem", "server.key"))
    _write(paths[0], ca.public_bytes(serialization.Encoding.PEM))
    _write(paths[1], cert.public_bytes(serialization.Encoding.PEM))
    _write(paths[2], key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()), 0o600)
    return paths


def b64url_json(segment):
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


class Problem(Exception):
    def __init__(self, status, title, detail, headers=()):
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers


def problem(status, title, detail):
    raise Problem(status, title, detail)


# ---------------------------------------------------------------- faults

class Fault:
    ACTIONS = ("status", "delay", "stall", "drop", "close", "invalid_json", "conflict")

    def __init__(self, spec, ident):
        self.id = ident
        self.spec = dict(spec)
        self.method = spec.get("method", "*").upper()
        self.path = re.compile(spec.get("path", ".*"))
        self.action = spec.get("action", "status")
        if self.action not in self.ACTIONS:
            raise ValueError("unknown action %r" % self.action)
        if self.action == "status" and not isinstance(spec.get("status"), int):
            raise ValueError("action status needs an integer 'status'")
        self.count = int(spec.get("count", 1))
        self.after = int(spec.get("after", 0))

    def take(self, method, path):
        if self.count == 0 or (self.method != "*" and method != self.method) or not self.path.search(path):
            return False
        if self.after > 0:
            self.after -= 1
            return False
        if self.count > 0:
            self.count -= 1
        return True

    def describe(self):
        return dict(self.spec, id=self.id, remaining=self.count, after=self.after)


# ---------------------------------------------------------------- the platform

class Platform:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.client_id, self.client_secret = args.client_id, args.client_secret
        self.token_expiry = args.token_expiry
        self.page_size = args.page_size
        self.record_bodies = args.record_bodies
        self.tokens = {}            # token → (expires at, serial)
        self.token_serial = 0
        self.revoked_upto = 0       # tokens with serial <= this are invalid
        self.revoke_after = None
        self.faults, self.fault_ids = [], itertools.count(1)
        self.requests, self.request_seq = [], itertools.count(1)
        self.connections = 0
        self.all_handshakes = 0
        self.handshake_failures = 0
        self.base_url = None
        self.destinations = {}      # id → {"private", "public", "kid", "keys", "privates", "retired"}
        # The receiving authority: holds the private keys and signs its
        # decisions with the destination's signature key (authority.py).
        self.authority = Authority(args.state_dir)
        self.services = bundled_services() if not args.service else {}
        for urn, schemas in (parse_service(s) for s in args.service or []):
            self.services.setdefault(urn, []).extend(u for u in schemas if u not in self.services[urn])
        self.metadata_versions = args.metadata_version or list(METADATA_VERSIONS)
        for spec in args.destination_key or ["%s=%s" % (DEMO_DESTINATION, DEMO_PRIVATE)]:
            self.add_destination(spec)
        for dest_id in args.authority_destination or []:
            self.add_authority_destination(dest_id.lower())
        with open(os.path.join(args.state_dir, "trust-anchors.pem"), "wb") as f:
            with open(os.path.join(ROOT, "resources", "demo", "demo-root-ca.pem"), "rb") as demo:
                f.write(demo.read())
            f.write(self.authority.root_pem())
        self.schemas = {}
        if args.schemas:
            self.load_schemas(args.schemas)
        # The Zustelldienst's own event key (RSA-4096, PS512, x5c), published
        # in /.well-known/jwks.json; kept in the state directory.
        signing_file = os.path.join(args.state_dir, "signing.jwk")
        if os.path.exists(signing_file):
            with open(signing_file, encoding="utf-8") as f:
                saved = json.load(f)
            self.signer, self.signer_public = jwk.JWK(**saved["private"]), saved["public"]
        else:
            self.signer, self.signer_public = self.authority.issue(
                "sig", kid="platform-set-" + uuid.uuid4().hex[:8])
            _write(signing_file, json.dumps({"private": json.loads(self.signer.export_private()),
                                             "public": self.signer_public}).encode(), 0o600)
        self.signer_kid = self.signer_public["kid"]
        self.db = sqlite3.connect(args.db, check_same_thread=False, isolation_level=None)
        self.db.executescript("""
            PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS submissions (
              submission_id TEXT PRIMARY KEY, case_id TEXT NOT NULL UNIQUE, destination_id TEXT NOT NULL,
              status TEXT NOT NULL, created_at REAL NOT NULL, submitted_at REAL, decided_at REAL,
              service_type TEXT, announced TEXT NOT NULL, sender_reference TEXT,
              metadata TEXT, data TEXT, reject_reason TEXT);
            CREATE INDEX IF NOT EXISTS submissions_reference ON submissions (sender_reference);
            CREATE TABLE IF NOT EXISTS attachments (
              submission_id TEXT NOT NULL, attachment_id TEXT NOT NULL, size INTEGER NOT NULL, data BLOB,
              PRIMARY KEY (submission_id, attachment_id));
            CREATE TABLE IF NOT EXISTS events (case_id TEXT NOT NULL, seq INTEGER NOT NULL, claims TEXT NOT NULL,
              token TEXT, PRIMARY KEY (case_id, seq));
        """)

    # -- configuration

    def add_destination(self, spec):
        dest_id, _, rest = spec.rpartition("=") if re.match(UUID_RE + "=", spec) else ("", "", spec)
        dest_id = dest_id or DEMO_DESTINATION
        private_file, _, public_file = rest.partition(":")
        with open(private_file, encoding="utf-8") as f:
            private = jwk.JWK.from_json(f.read())
        kid = private.export_public(as_dict=True).get("kid")
        public = None
        if public_file:
            with open(public_file, encoding="utf-8") as f:
                public = json.load(f)
        elif os.path.exists(DEMO_PUBLIC):
            with open(DEMO_PUBLIC, encoding="utf-8") as f:
                demo = json.load(f)
            if demo.get("kid") == kid and demo.get("n") == private.export_public(as_dict=True)["n"]:
                public = demo
        if public is None:
            public = private.export_public(as_dict=True)
            public.update(alg="RSA-OAEP-256", use="enc", key_ops=["wrapKey"])
        self.destinations[dest_id] = {"private": private, "public": public, "kid": kid, "keys": {kid: public},
                                      "privates": {kid: private}, "retired": set(), "status": "active"}

    def add_authority_destination(self, dest_id, bits=4096, expired=False):
        """A destination whose encryption key the authority issues under its
        own root (key rotation, expired and weak keys can be made)."""
        private, public = self.authority.issue("enc", bits=bits, expired=expired)
        dest = self.destinations.setdefault(dest_id, {"keys": {}, "privates": {}, "retired": set(),
                                                      "status": "active"})
        dest.update(private=private, public=public, kid=public["kid"])
        dest["keys"][public["kid"]] = public
        dest["privates"][public["kid"]] = private
        return public["kid"]

    def destination_document(self, dest_id, dest):
        return {"destinationId": dest_id, "status": dest["status"], "encryptionKid": dest["kid"],
                "services": [{"identifier": urn, "regions": [DEMO_REGION],
                              "submissionSchemas": [{"schemaUri": u, "mimeType": "application/json"}
                                                    for u in schemas]}
                             for urn, schemas in sorted(self.services.items())],
                "metadataVersions": self.metadata_versions,
                "replyChannels": {"eMail": {"usePgp": False}}}

    def load_schemas(self, directory):
        import jsonschema
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            self.schemas[name[:-5]] = validator
            if "$id" in schema:
                self.schemas[schema["$id"]] = validator

    # -- bookkeeping

    def log_request(self, entry):
        with self.lock:
            entry["seq"] = next(self.request_seq)
            self.requests.append(entry)

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault.take(method, path):
                    return fault
        return None

    def sign(self, submission_id, case_id, event, body=None):
        """The claims of an event; signed (PS512) only when first read,
        which keeps RSA signatures off the submit path."""
        return json.dumps({
            "iss": self.base_url, "iat": int(time.time()), "jti": str(uuid.uuid4()),
            "sub": "submission:" + submission_id, "txn": "case:" + case_id,
            "events": {EVENTS + event: body or {}}}, separators=(",", ":"))

    def signed(self, claims):
        token = jws.JWS(claims.encode())
        token.add_signature(self.signer, alg="PS512", protected=json.dumps(
            {"alg": "PS512", "kid": self.signer_kid, "typ": "secevent+jwt"}))
        return token.serialize(compact=True)

    def add_event(self, case_id, claims):
        # caller holds self.lock
        seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE case_id = ?",
                              (case_id,)).fetchone()[0]
        self.db.execute("INSERT INTO events (case_id, seq, claims) VALUES (?, ?, ?)", (case_id, seq, claims))

    def event_log(self, case_id):
        with self.lock:
            rows = self.db.execute("SELECT seq, claims, token FROM events WHERE case_id = ? ORDER BY seq",
                                   (case_id,)).fetchall()
        log = []
        for seq, claims, token in rows:
            if token is None:
                token = self.signed(claims)
                with self.lock:
                    self.db.execute("UPDATE events SET token = ? WHERE case_id = ? AND seq = ? AND token IS NULL",
                                    (token, case_id, seq))
            log.append(token)
        return log

    # -- authentication

    def issue_token(self, body):
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client", "error_description": "unknown client or wrong secret"}
        token = base64.urlsafe_b64encode(os.urandom(24)).decode().rstrip("=")
        with self.lock:
            self.token_serial += 1
            self.tokens[token] = (time.time() + self.token_expiry, self.token_serial)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": self.token_expiry}

    def check_token(self, authorization):
        if not authorization.startswith("Bearer "):
            raise Problem(401, "Unauthorized", "no bearer token", (("WWW-Authenticate", "Bearer"),))
        with self.lock:
            entry = self.tokens.get(authorization[7:].strip())
            if entry is None or entry[1] <= self.revoked_upto:
                raise Problem(401, "Unauthorized", "unknown or revoked token",
                              (("WWW-Authenticate", 'Bearer error="invalid_token"'),))
            if entry[0] < time.time():
                raise Problem(401, "Unauthorized", "token expired",
                              (("WWW-Authenticate", 'Bearer error="invalid_token"'),))
            if self.revoke_after is not None:
                if self.revoke_after <= 0:
                    self.revoked_upto, self.revoke_after = self.token_serial, None
                    raise Problem(401, "Unauthorized", "token revoked",
                                  (("WWW-Authenticate", 'Bearer error="invalid_token"'),))
                self.revoke_after -= 1

    # -- the API

    def route(self, method, path, headers, body, query=None):
        """Returns (status, JSON object or None)."""
        query = query or {}
        if method == "POST" and path == "/token":
            return self.issue_token(body)
        if method == "GET" and path == "/.well-known/jwks.json":
            return 200, {"keys": [self.signer_public]}
        if not path.startswith("/v1/"):
            problem(404, "Not Found", "no such resource")
        self.check_token(headers.get("Authorization", ""))
        m = re.fullmatch(r"/v1/destinations/(%s)(?:/keys/([^/]+))?" % UUID_RE, path)
        if m and method == "GET":
            dest = self.destinations.get(m[1].lower())
            if dest is None:
                problem(404, "Not Found", "unknown destination")
            if m[2] is None:
                return 200, self.destination_document(m[1].lower(), dest)
            if m[2] == self.authority.signing_public["kid"]:
                return 200, self.authority.signing_public
            if m[2] not in dest["keys"] or m[2] in dest["retired"]:
                problem(404, "Not Found", "unknown key id")
            return 200, dest["keys"][m[2]]
        if path == "/v1/submissions" and method == "POST":
            return self.create(body)
        m = re.fullmatch(r"/v1/submissions/(%s)(?:/attachments/(%s))?" % (UUID_RE, UUID_RE), path)
        if m and method == "PUT" and m[2]:
            return self.put_attachment(m[1].lower(), m[2].lower(), headers, body)
        if m and method == "PUT":
            return self.submit(m[1].lower(), body)
        if m and method == "GET" and not m[2]:
            row = self.row(m[1].lower())
            return 200, {"destinationId": row["destination_id"], "submissionId": row["submission_id"],
                         "caseId": row["case_id"], "status": row["status"],
                         "announcedAttachments": json.loads(row["announced"]),
                         "serviceType": json.loads(row["service_type"])}
        m = re.fullmatch(r"/v1/cases/(%s)/events" % UUID_RE, path)
        if m and method == "GET":
            log = self.event_log(m[1].lower())
            if not log:
                problem(404, "Not Found", "unknown case")
            try:
                offset = int((query.get("offset") or ["0"])[0])
                limit = min(int((query.get("limit") or [str(self.page_size)])[0]), self.page_size)
            except ValueError:
                problem(400, "Bad Request", "offset and limit must be integers")
            if offset < 0 or limit < 1:
                problem(400, "Bad Request", "offset >= 0 and limit >= 1")
            page = log[offset:offset + limit]
            return 200, {"count": len(page), "offset": offset, "totalCount": len(log), "eventLog": page}
        problem(404 if method in ("GET", "PUT", "POST") else 405, "Not Found", "no such resource")

    @staticmethod
    def parse_json(body):
        try:
            value = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            problem(400, "Bad Request", "the body is not JSON")
        if not isinstance(value, dict):
            problem(400, "Bad Request", "the body is not a JSON object")
        return value

    def row(self, submission_id):
        with self.lock:
            cursor = self.db.execute("SELECT * FROM submissions WHERE submission_id = ?", (submission_id,))
            values = cursor.fetchone()
            if values is None:
                problem(404, "Not Found", "unknown submission")
            return dict(zip([d[0] for d in cursor.description], values))

    def create(self, body):
        request = self.parse_json(body)
        dest_id = request.get("destinationId")
        announced = request.get("announcedAttachments", [])
        service = request.get("serviceType")
        if not isinstance(dest_id, str) or not isinstance(announced, list) or not isinstance(service, dict):
            problem(400, "Bad Request", "destinationId, announcedAttachments and serviceType are required")
        if dest_id.lower() not in self.destinations:
            problem(404, "Not Found", "unknown destination")
        if not all(isinstance(a, str) and re.fullmatch(UUID_RE, a) for a in announced) \
                or len(set(announced)) != len(announced) or len(announced) > 100:
            problem(422, "Unprocessable Entity", "announcedAttachments must be distinct UUIDs (at most 100)")
        if not isinstance(service.get("name"), str) or not LEIKA_RE.fullmatch(str(service.get("identifier"))):
            problem(422, "Unprocessable Entity", "serviceType needs a name and a LeiKa identifier")
        submission_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
        event = self.sign(submission_id, case_id, "create-submission")
        with self.lock:
            self.db.execute("BEGIN")
            self.db.execute("INSERT INTO submissions (submission_id, case_id, destination_id, status, created_at, "
                            "service_type, announced) VALUES (?, ?, ?, 'incomplete', ?, ?, ?)",
                            (submission_id, case_id, dest_id.lower(), time.time(), json.dumps(service),
                             json.dumps([a.lower() for a in announced])))
            self.add_event(case_id, event)
            self.db.execute("COMMIT")
        return 201, {"destinationId": dest_id.lower(), "submissionId": submission_id, "caseId": case_id}

    def decrypt(self, token, dest, what):
        if not isinstance(token, str) or token.count(".") != 4:
            problem(422, "Unprocessable Entity", "%s is not a compact JWE" % what)
        try:
            header = b64url_json(token.split(".", 1)[0])
        except ValueError:
            problem(422, "Unprocessable Entity", "%s: the protected header is not base64url JSON" % what)
        for name, want in (("alg", "RSA-OAEP-256"), ("enc", "A256GCM")):
            if header.get(name) != want:
                problem(422, "Unprocessable Entity", "%s: header %s must be %r, is %r"
                        % (what, name, want, header.get(name)))
        private = dest["privates"].get(header.get("kid"))
        if private is None or header.get("kid") in dest["retired"]:
            problem(422, "Unprocessable Entity", "%s: header kid %r is not a key of the destination"
                    % (what, header.get("kid")))
        if what != "attachment" and header.get("cty") != "application/json":
            problem(422, "Unprocessable Entity", "%s: header cty must be 'application/json'" % what)
        try:
            message = jwe.JWE()
            message.deserialize(token, key=private)
            return message.payload
        except Exception as e:  # jwcrypto raises several kinds
            problem(422, "Unprocessable Entity", "%s does not decrypt with the destination key (%s)"
                    % (what, type(e).__name__))

    @staticmethod
    def check_compact_jwe(token, what):
        """What a Zustelldienst can check without the key: five base64url
        parts (OpenAPI: pattern ^[a-zA-Z0-9-_=.]+$)."""
        if not isinstance(token, str) or token.count(".") != 4 or not re.fullmatch(r"[A-Za-z0-9_=.-]+", token):
            problem(400, "Bad Request", "%s is not a compact JWE" % what)

    def put_attachment(self, submission_id, attachment_id, headers, body):
        row = self.row(submission_id)
        if attachment_id not in json.loads(row["announced"]):
            problem(422, "Unprocessable Entity", "attachment was not announced")
        if row["status"] != "incomplete":
            problem(409, "Conflict", "the submission is already submitted")
        if headers.get("Content-Type", "").split(";")[0].strip() != "application/jose":
            problem(415, "Unsupported Media Type", "Content-Type must be application/jose")
        token = body.decode("ascii", "replace").strip()
        self.check_compact_jwe(token, "the attachment")
        with self.lock:   # kept encrypted: only the authority can read it
            self.db.execute("INSERT OR REPLACE INTO attachments VALUES (?, ?, ?, ?)",
                            (submission_id, attachment_id, len(token), token.encode("ascii")))
        return 204, None

    def submit(self, submission_id, body):
        """The Zustelldienst's part: it cannot decrypt (end-to-end
        encryption), so it checks only what it can see, stores the
        submission, answers 202, and hands it to the receiving authority."""
        row = self.row(submission_id)
        if row["status"] != "incomplete":
            problem(409, "Conflict", "the submission is already submitted")
        request = self.parse_json(body)
        with self.lock:
            uploaded = {r[0] for r in self.db.execute(
                "SELECT attachment_id FROM attachments WHERE submission_id = ?", (submission_id,))}
        missing = [a for a in json.loads(row["announced"]) if a not in uploaded]
        if missing:
            problem(422, "Unprocessable Entity", "announced attachment missing: " + ", ".join(missing))
        self.check_compact_jwe(request.get("encryptedMetadata"), "encryptedMetadata")
        self.check_compact_jwe(request.get("encryptedData"), "encryptedData")
        event = self.sign(submission_id, row["case_id"], "submit-submission")
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            changed = self.db.execute(
                "UPDATE submissions SET status = 'submitted', submitted_at = ? "
                "WHERE submission_id = ? AND status = 'incomplete'", (time.time(), submission_id)).rowcount
            if changed:
                self.add_event(row["case_id"], event)
            self.db.execute("COMMIT")
        if not changed:
            problem(409, "Conflict", "the submission is already submitted")
        self.authority_receive(row, request)
        with self.lock:
            attachments = [r[0] for r in self.db.execute(
                "SELECT attachment_id FROM attachments WHERE submission_id = ? ORDER BY attachment_id",
                (submission_id,))]
        return 202, {"destinationId": row["destination_id"], "submissionId": submission_id,
                     "caseId": row["case_id"], "attachments": attachments,
                     "serviceType": json.loads(row["service_type"])}

    # -- the receiving authority

    def authority_receive(self, row, request):
        """The authority fetches the submission, decrypts and checks it; a
        problem becomes its reject-submission (signed with the destination's
        key), never an HTTP error of the Zustelldienst."""
        found = {}
        try:
            self.authority_read(row, request, found)
        except Problem as p:
            with self.lock:
                self.db.execute("UPDATE submissions SET metadata = ?, data = ?, sender_reference = ? "
                                "WHERE submission_id = ?", (found.get("metadata"), found.get("data"),
                                                            found.get("reference"), row["submission_id"]))
            self.decide(row["case_id"], False, p.detail)
            return
        with self.lock:
            self.db.execute("UPDATE submissions SET metadata = ?, data = ?, sender_reference = ? "
                            "WHERE submission_id = ?", (found["metadata"], found["data"], found["reference"],
                                                        row["submission_id"]))

    def authority_read(self, row, request, found):
        dest = self.destinations[row["destination_id"]]
        metadata_bytes = self.decrypt(request.get("encryptedMetadata"), dest, "encryptedMetadata")
        try:
            metadata = json.loads(metadata_bytes)
            found["metadata"] = metadata_bytes.decode("utf-8")
            found["reference"] = (metadata.get("additionalReferenceInfo") or {}).get("senderReference")
            structure = metadata["contentStructure"]
            digest = structure["data"]["hash"]
        except (ValueError, KeyError, TypeError, AttributeError):
            problem(422, "Unprocessable Entity", "metadata is not JSON with contentStructure.data.hash")
        data_bytes = self.decrypt(request.get("encryptedData"), dest, "encryptedData")
        found["data"] = data_bytes.decode("utf-8", "replace")
        if not isinstance(digest, dict) or digest.get("type") != "sha512" \
                or digest.get("content") != hashlib.sha512(data_bytes).hexdigest():
            problem(422, "Unprocessable Entity", "metadata contentStructure.data.hash does not match the data")
        with self.lock:
            uploaded = {r[0]: r[1] for r in self.db.execute(
                "SELECT attachment_id, data FROM attachments WHERE submission_id = ?", (row["submission_id"],))}
        for entry in structure.get("attachments", []) or []:
            aid = str(entry.get("attachmentId", "")).lower() if isinstance(entry, dict) else ""
            if aid not in uploaded:
                problem(422, "Unprocessable Entity", "metadata names an attachment that was not uploaded")
            plain = self.decrypt(uploaded[aid].decode("ascii"), dest, "attachment")
            if (entry.get("hash") or {}).get("content") != hashlib.sha512(plain).hexdigest():
                problem(422, "Unprocessable Entity", "attachment %s does not match its metadata hash" % aid)
        try:
            data = json.loads(data_bytes)
        except ValueError:
            problem(422, "Unprocessable Entity", "the data is not JSON")
        if self.schemas:
            uri = data.get("$schema") if isinstance(data, dict) else None
            if uri not in self.schemas:
                uri = ((structure.get("data") or {}).get("submissionSchema") or {}).get("schemaUri")
            validator = self.schemas.get(uri)
            if validator is None:
                problem(422, "Unprocessable Entity", "no schema known for the data (%r)" % uri)
            error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(e.path))), None)
            if error is not None:
                problem(422, "Unprocessable Entity", "the data does not validate against %s at /%s: %s"
                        % (uri, "/".join(str(p) for p in error.path), error.message))

    # -- admin

    def decide(self, case_id, accept, reason, signer="destination"):
        """The authority's decision: a SET with iss = the destinationId,
        signed with the destination's signature key (signer "destination"),
        or, for tests of a client's checks, with the platform's own key
        ("platform") or an unknown key ("unknown")."""
        with self.lock:
            found = self.db.execute("SELECT submission_id, status, destination_id FROM submissions "
                                    "WHERE case_id = ?", (case_id,)).fetchone()
        if found is None:
            problem(404, "Not Found", "unknown case")
        if found[1] != "submitted":
            problem(409, "Conflict", "the case is %s, not submitted" % found[1])
        body = None if accept else {"problems": [{"type": PROBLEM + "rejected", "title": "Abgelehnt",
                                                  "detail": reason or "rejected"}]}
        claims = json.loads(self.sign(found[0], case_id, "accept-submission" if accept else "reject-submission",
                                      body))
        claims["iss"] = found[2]
        claims = json.dumps(claims, separators=(",", ":"))
        if signer == "platform":
            token = self.signed(claims)
        elif signer == "unknown":
            other = jwk.JWK.generate(kty="RSA", size=2048, kid="unknown-" + uuid.uuid4().hex[:8])
            token = self.authority.sign_decision(claims, (other, other.export_public(as_dict=True)["kid"]))
        else:
            token = self.authority.sign_decision(claims)
        with self.lock:
            self.db.execute("BEGIN")
            if signer == "destination":
                self.db.execute("UPDATE submissions SET status = ?, decided_at = ?, reject_reason = ? "
                                "WHERE case_id = ?", ("accepted" if accept else "rejected", time.time(),
                                                      None if accept else reason, case_id))
            seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE case_id = ?",
                                  (case_id,)).fetchone()[0]
            self.db.execute("INSERT INTO events (case_id, seq, claims, token) VALUES (?, ?, ?, ?)",
                            (case_id, seq, claims, token))
            self.db.execute("COMMIT")
        return 200, {"caseId": case_id, "status": "accepted" if accept else "rejected"}

    def forge_event(self, case_id, event_type):
        """Append to a case's log an event token whose signature does not
        verify (a correctly signed token with one signature byte changed):
        a client must not believe it."""
        with self.lock:
            found = self.db.execute("SELECT submission_id FROM submissions WHERE case_id = ?",
                                    (case_id,)).fetchone()
        if found is None:
            problem(404, "Not Found", "unknown case")
        claims = self.sign(found[0], case_id, event_type)
        token = self.signed(claims)
        head, payload, signature = token.split(".")
        raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
        raw[len(raw) // 2] ^= 0x01
        token = ".".join((head, payload, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")))
        with self.lock:
            seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE case_id = ?",
                                  (case_id,)).fetchone()[0]
            self.db.execute("INSERT INTO events (case_id, seq, claims, token) VALUES (?, ?, ?, ?)",
                            (case_id, seq, claims, token))
        return 200, {"caseId": case_id, "seq": seq}

    def delete_submission(self, case_id, signer="platform"):
        """The Zustelldienst deletes a submitted submission the authority
        has not decided (FIT-Connect: e.g. its retention ran out before the
        authority fetched it): status `deleted`, its data and attachments
        gone, and a `delete-submission` SET issued by the Zustelldienst
        (iss the base URL, signed with its own key, as create and submit).
        For tests of a client's checks, signer "destination" (the
        authority's key) or "unknown" (a key nobody serves) only append
        such a token, the submission untouched."""
        with self.lock:
            found = self.db.execute("SELECT submission_id, status FROM submissions WHERE case_id = ?",
                                    (case_id,)).fetchone()
        if found is None:
            problem(404, "Not Found", "unknown case")
        if found[1] != "submitted":
            problem(409, "Conflict", "the case is %s, not submitted" % found[1])
        if signer not in ("platform", "destination", "unknown"):
            problem(400, "Bad Request", "signer must be platform, destination or unknown")
        claims = self.sign(found[0], case_id, "delete-submission")
        token = None
        if signer == "destination":
            token = self.authority.sign_decision(claims)
        elif signer == "unknown":
            other = jwk.JWK.generate(kty="RSA", size=2048, kid="unknown-" + uuid.uuid4().hex[:8])
            token = self.authority.sign_decision(claims, (other, other.export_public(as_dict=True)["kid"]))
        with self.lock:
            self.db.execute("BEGIN")
            if signer == "platform":
                self.db.execute("UPDATE submissions SET status = 'deleted', decided_at = ?, metadata = NULL, "
                                "data = NULL WHERE case_id = ?", (time.time(), case_id))
                self.db.execute("DELETE FROM attachments WHERE submission_id = ?", (found[0],))
            seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE case_id = ?",
                                  (case_id,)).fetchone()[0]
            self.db.execute("INSERT INTO events (case_id, seq, claims, token) VALUES (?, ?, ?, ?)",
                            (case_id, seq, claims, token))
            self.db.execute("COMMIT")
        return 200, {"caseId": case_id, "status": "deleted" if signer == "platform" else found[1], "seq": seq}

    def admin_destination(self, dest_id, action, request):
        """rotate {"bits": 4096, "expired": false, "retire_old": false}: a
        new encryption key becomes encryptionKid; the old one is still
        served unless retire_old.  status {"status": "inactive"}."""
        dest = self.destinations.get(dest_id)
        if dest is None:
            problem(404, "Not Found", "unknown destination")
        if action == "status":
            with self.lock:
                dest["status"] = request.get("status", "active")
            return 200, {"status": dest["status"]}
        old = dest["kid"]
        kid = self.add_authority_destination(dest_id, int(request.get("bits", 4096)), bool(request.get("expired")))
        if request.get("retire_old"):
            with self.lock:
                dest["retired"].add(old)
        return 200, {"encryptionKid": kid, "previousKid": old}

    def stats(self):
        with self.lock:
            by_status, by_route = {}, {}
            for r in self.requests:
                by_status[str(r["status"])] = by_status.get(str(r["status"]), 0) + 1
                route = r["method"] + " " + re.sub(UUID_RE, "{id}", r["path"])
                by_route[route] = by_route.get(route, 0) + 1
            counts = dict(self.db.execute("SELECT status, COUNT(*) FROM submissions GROUP BY status"))
            return {"requests": len(self.requests), "connections": self.connections,
                    "handshakes": self.connections, "allHandshakes": self.all_handshakes, "handshakeFailures": self.handshake_failures,
                    "byStatus": by_status, "byRoute": by_route, "submissions": counts}

    def admin(self, method, path, body):
        if path == "/__admin/faults":
            if method == "GET":
                with self.lock:
                    return 200, {"faults": [f.describe() for f in self.faults]}
            if method == "DELETE":
                with self.lock:
                    self.faults.clear()
                return 200, {"faults": []}
            if method == "POST":
                try:
                    specs = json.loads(body)
                    specs = specs if isinstance(specs, list) else [specs]
                    faults = [Fault(s, next(self.fault_ids)) for s in specs]
                except (ValueError, TypeError, AttributeError, re.error) as e:
                    problem(400, "Bad Request", "bad fault: %s" % e)
                with self.lock:
                    self.faults.extend(faults)
                return 200, {"ids": [f.id for f in faults]}
        if path == "/__admin/revoke" and method == "POST":
            after = int((json.loads(body or b"{}") or {}).get("after", 0))
            with self.lock:
                self.revoke_after = after
            return 200, {"after": after}
        m = re.fullmatch(r"/__admin/cases/(%s)/(accept|reject)" % UUID_RE, path)
        if m and method == "POST":
            request = json.loads(body or b"{}") or {}
            return self.decide(m[1].lower(), m[2] == "accept", request.get("reason"),
                               request.get("signer", "destination"))
        m = re.fullmatch(r"/__admin/destinations/(%s)/(rotate|status)" % UUID_RE, path)
        if m and method == "POST":
            return self.admin_destination(m[1].lower(), m[2], json.loads(body or b"{}") or {})
        m = re.fullmatch(r"/__admin/cases/(%s)/delete" % UUID_RE, path)
        if m and method == "POST":
            return self.delete_submission(m[1].lower(), (json.loads(body or b"{}") or {}).get("signer", "platform"))
        m = re.fullmatch(r"/__admin/cases/(%s)/forged-event" % UUID_RE, path)
        if m and method == "POST":
            return self.forge_event(m[1].lower(), (json.loads(body or b"{}") or {}).get("type", "submit-submission"))
        if path == "/__admin/submissions" and method == "GET":
            with self.lock:
                return 200, {"submissions": dump_rows(self.db)}
        if path == "/__admin/requests" and method == "GET":
            with self.lock:
                return 200, {"requests": list(self.requests)}
        if path == "/__admin/stats" and method == "GET":
            return 200, self.stats()
        if path == "/__admin/reset-log" and method == "POST":
            with self.lock:
                self.requests.clear()
                self.connections = self.all_handshakes = self.handshake_failures = 0
            return 200, {}
        problem(404, "Not Found", "no such admin resource")


def _json_or_text(text):
    """What the authority decrypted: JSON when it is, else the text."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def dump_rows(db):
    cursor = db.execute("SELECT submission_id, case_id, destination_id, status, created_at, submitted_at, "
                        "decided_at, sender_reference, metadata, data, reject_reason, announced "
                        "FROM submissions ORDER BY created_at")
    return [{"submissionId": r[0], "caseId": r[1], "destinationId": r[2], "status": r[3], "createdAt": r[4],
             "submittedAt": r[5], "decidedAt": r[6], "senderReference": r[7],
             "metadata": _json_or_text(r[8]), "data": _json_or_text(r[9]),
             "rejectReason": r[10], "announcedAttachments": json.loads(r[11])} for r in cursor]


# ---------------------------------------------------------------- HTTP

def make_handler(platform, context):
    connection_ids = itertools.count(1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "antragskiosk-test-platform"
        sys_version = ""
        timeout = 120

        def log_message(self, *args):
            pass

        def setup(self):
            # TLS per connection in the worker thread, so a slow or failing
            # handshake never blocks accept() and handshakes can be counted.
            raw = self.request
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            raw.settimeout(self.timeout)
            with platform.lock:
                self.connection_id = next(connection_ids)
            self.counted = False
            try:
                self.request = context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                with platform.lock:
                    platform.handshake_failures += 1
                self.tls_failed = True
                self.rfile, self.wfile = io.BytesIO(), io.BytesIO()
                return
            self.tls_failed = False
            with platform.lock:
                platform.all_handshakes += 1
            super().setup()

        def handle(self):
            if self.tls_failed:
                return
            try:
                super().handle()
            except (ConnectionError, ssl.SSLError, OSError, socket.timeout):
                self.close_connection = True

        def send(self, status, obj=None, headers=(), raw=None, content_type=None):
            body = raw if raw is not None else (json.dumps(obj).encode() if obj is not None else b"")
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            if body or content_type:
                self.send_header("Content-Type", content_type or (
                    "application/problem+json" if status >= 400 and "title" in (obj or {}) else "application/json"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.last_answer = (status, body, content_type or ("application/problem+json" if status >= 400
                                                                and "title" in (obj or {}) else "application/json"))
            return status

        def problem_body(self, p):
            return {"type": PROBLEM + re.sub(r"\W+", "-", p.title.lower()), "title": p.title,
                    "status": p.status, "detail": p.detail}

        def handle_any(self):
            arrived = time.time()
            path = urlsplit(self.path).path
            length = int(self.headers.get("Content-Length") or 0)
            if length > 600 * 1024 * 1024:
                self.close_connection = True
                self.send(413, {"title": "Payload Too Large", "detail": "body too large"})
                return
            body = self.rfile.read(length) if length else b""
            if path.startswith("/__admin/"):
                try:
                    status, obj = platform.admin(self.command, path, body)
                except Problem as p:
                    status, obj = p.status, self.problem_body(p)
                except (ValueError, TypeError, AttributeError) as e:
                    status, obj = 400, {"title": "Bad Request", "detail": str(e)}
                self.send(status, obj)
                return
            if not self.counted:
                # A TLS connection counts once it carries an API request
                # (connections of the admin API do not).
                self.counted = True
                with platform.lock:
                    platform.connections += 1
            entry = {"time": arrived, "method": self.command, "path": path, "connection": self.connection_id,
                     "status": None, "fault": None}
            status = -1
            self.last_answer = None
            try:
                status = self.dispatch(path, body, entry)
            finally:
                entry["status"] = status
                if platform.record_bodies:
                    entry["query"] = urlsplit(self.path).query
                    entry["requestContentType"] = self.headers.get("Content-Type")
                    entry["requestBody"] = body.decode("utf-8", "replace")
                    if self.last_answer is not None:
                        entry["responseContentType"] = self.last_answer[2]
                        entry["responseBody"] = self.last_answer[1].decode("utf-8", "replace")
                entry["durationMs"] = round((time.time() - arrived) * 1000, 3)
                platform.log_request(entry)

        def dispatch(self, path, body, entry):
            fault = platform.take_fault(self.command, path)
            if fault is not None:
                entry["fault"] = fault.id
            action = fault.action if fault else None
            if action == "close":
                self.close_connection = True
                self.request.shutdown(socket.SHUT_RDWR)
                return -1
            if action == "status":
                headers = []
                if "retry_after" in fault.spec:
                    headers.append(("Retry-After", str(fault.spec["retry_after"])))
                return self.send(fault.spec["status"], self.problem_body(Problem(
                    fault.spec["status"], fault.spec.get("title", "Injected fault"),
                    fault.spec.get("detail", "injected by a test"))), headers)
            if action == "delay":
                time.sleep(float(fault.spec.get("ms", 1000)) / 1000)
            headers = ()
            if action in ("drop", "conflict") and not fault.spec.get("process", True):
                status, obj = 200, {}
            else:
                try:
                    status, obj = platform.route(self.command, path, self.headers, body,
                                                 parse_qs(urlsplit(self.path).query))
                except Problem as p:
                    status, obj, headers = p.status, self.problem_body(p), p.headers
            if action == "stall":
                # processed; the answer is held back (the client sees a
                # stalled transfer for a request that did take effect)
                time.sleep(float(fault.spec.get("ms", 1000)) / 1000)
            if action == "drop":
                data = json.dumps(obj).encode() if obj is not None else b'{"dropped": true}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data) + 64))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                try:
                    self.request.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return -1
            if action == "invalid_json":
                return self.send(status, raw=b'{"submissionId": "truncated', content_type="application/json")
            if action == "conflict":
                return self.send(409, self.problem_body(Problem(409, "Conflict", "injected 409")))
            return self.send(status, obj, headers)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True


def serve(args):
    os.makedirs(args.state_dir, exist_ok=True)
    args.state_dir = os.path.abspath(args.state_dir)
    args.db = os.path.abspath(args.db or os.path.join(args.state_dir, "platform.sqlite"))
    ca, cert, key = make_ca(args.state_dir, "")
    if args.untrusted_cert:
        _, cert, key = make_ca(args.state_dir, "untrusted-")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])
    platform = Platform(args)
    server = Server(("127.0.0.1", args.port), make_handler(platform, context))
    platform.base_url = "https://127.0.0.1:%d" % server.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("READY %s %s" % (platform.base_url, ca), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        with platform.lock:
            platform.db.close()
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="platform.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the platform")
    s.add_argument("--state-dir", required=True)
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--destination-key", action="append", metavar="[DEST_ID=]PRIVATE.jwk[:PUBLIC.jwk]")
    s.add_argument("--schemas", metavar="DIR")
    s.add_argument("--client-id", default="antragskiosk-test")
    s.add_argument("--client-secret", default="test-secret")
    s.add_argument("--token-expiry", type=int, default=1800)
    s.add_argument("--untrusted-cert", action="store_true")
    s.add_argument("--db", metavar="FILE")
    s.add_argument("--service", action="append", metavar="URN[=SCHEMA_URI,...]",
                   help="a service the destinations offer (default: the bundled forms' services)")
    s.add_argument("--metadata-version", action="append", metavar="VERSION")
    s.add_argument("--authority-destination", action="append", metavar="DEST_ID",
                   help="a destination whose encryption key the authority issues (rotation, expiry)")
    s.add_argument("--page-size", type=int, default=500, help="event log page size (the API's maximum: 500)")
    s.add_argument("--record-bodies", action="store_true",
                   help="keep every request and answer body in /__admin/requests (for the OpenAPI test)")
    d = sub.add_parser("dump", help="print the stored submissions as JSON")
    d.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    if args.command == "dump":
        db = sqlite3.connect("file:%s?mode=ro" % os.path.abspath(args.db), uri=True)
        json.dump({"submissions": dump_rows(db)}, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
