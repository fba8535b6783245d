# SPDX-License-Identifier: GPL-3.0-or-later
"""A small in-process FIT-Connect Submission API stand-in for test_sync.py:
HTTPS on loopback with a test CA made at test time (openssl), OAuth token,
JWKS and PS512-signed event tokens (jwcrypto), create / attachments / submit
/ events, decryption of what arrives with jwcrypto and the demo
destination's private key, a request log with times, and scriptable faults.

It exists so that the sync tests run while the full platform
(tests/platform/, docs/platform.md) is being written; it implements only
what the kiosk uses."""
import base64
import hashlib
import json
import os
import re
import socket
import ssl
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jwcrypto import jwe, jwk, jws

EVENTS = "https://schema.fitko.de/fit-connect/events/"


def make_ca(directory, name):
    """A CA and a server certificate for 127.0.0.1 signed by it."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    ca_key, ca = os.path.join(directory, name + "-ca.key"), os.path.join(directory, name + "-ca.pem")
    key, csr, cert = (os.path.join(directory, name + suffix) for suffix in ("-server.key", ".csr", "-server.pem"))
    ext = os.path.join(directory, name + ".ext")
    with open(ext, "w", encoding="ascii") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
        "-subj", "/CN=" + name + " test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
        "-days", "2", "-extfile", ext)
    return ca, cert, key


class Fault:
    """One scripted fault: for requests matching @method and @path (a
    regular expression), skip the first @after of them, then act on the
    next @count."""

    def __init__(self, method, path, action, count=1, after=0, **args):
        self.method, self.path, self.action, self.count, self.after, self.args = \
            method, re.compile(path), action, count, after, args

    def take(self, method, path):
        if method != self.method or not self.path.search(path) or self.count <= 0:
            return False
        if self.after > 0:
            self.after -= 1
            return False
        self.count -= 1
        return True


class StandIn:
    def __init__(self, directory, private_key_file, cert=None):
        self.lock = threading.Lock()
        self.submissions = {}      # submissionId → dict
        self.requests = []         # (arrival time, method, path, status)
        self.faults = []
        self.tokens_issued = 0
        self.token_calls_left = None   # 401 after N calls with one token
        self.publish_jwks = True
        self.latency = 0
        with open(private_key_file, encoding="utf-8") as f:
            self.key = jwk.JWK.from_json(f.read())
        self.signer = jwk.JWK.generate(kty="RSA", size=2048, kid="standin-sig-1")
        if cert is None:
            self.ca, certfile, keyfile = make_ca(directory, "standin")
        else:
            self.ca, certfile, keyfile = cert
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def reply(self, status, obj=None, headers=(), raw=None):
                body = raw if raw is not None else (json.dumps(obj).encode() if obj is not None else b"")
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                if obj is not None or raw is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                standin.log(self.arrived, self.command, self.path, status)

            def handle_any(self):
                try:
                    self.handle_request()
                except (ConnectionError, ssl.SSLError, OSError):
                    self.close_connection = True   # the client went away (timeout, killed)

            def handle_request(self):
                self.arrived = time.time()
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length) if length else b""
                if standin.latency:
                    time.sleep(standin.latency)
                fault = standin.take_fault(self.command, self.path)
                if fault is not None and fault.action == "status":
                    headers = []
                    if "retry_after" in fault.args:
                        headers.append(("Retry-After", str(fault.args["retry_after"])))
                    return self.reply(fault.args["status"],
                                      {"title": fault.args.get("title", "Injected"),
                                       "detail": fault.args.get("detail", "injected fault")}, headers)
                status, obj = standin.route(self.command, self.path, self.headers, body)
                if fault is not None and fault.action == "delay":
                    # processed; the answer stalls
                    time.sleep(fault.args.get("seconds", 10))
                if fault is not None and fault.action == "drop":
                    # Headers and half the body, then the connection goes.
                    data = json.dumps(obj).encode() if obj is not None else b"{}"
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data) + 100))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    standin.log(self.arrived, self.command, self.path, -1)
                    self.close_connection = True
                    self.request.shutdown(socket.SHUT_RDWR)
                    return None
                if fault is not None and fault.action == "invalid_json":
                    return self.reply(status, raw=b'{"submissionId": "broken')
                if fault is not None and fault.action == "conflict":
                    # processed, but the answer is a 409
                    return self.reply(409, {"title": "Conflict", "detail": "injected 409 after processing"})
                return self.reply(status, obj)

            do_GET = do_POST = do_PUT = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = "https://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def log(self, arrived, method, path, status):
        with self.lock:
            self.requests.append((arrived, method, path, status))

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault.take(method, path):
                    return fault
        return None

    def add_fault(self, *args, **kwargs):
        with self.lock:
            self.faults.append(Fault(*args, **kwargs))

    # ---- the API ----

    def sign(self, submission_id, case_id, event, body=None):
        token = jws.JWS(json.dumps({"iss": self.url, "iat": int(time.time()), "jti": str(uuid.uuid4()),
                                    "sub": "submission:" + submission_id, "txn": "case:" + case_id,
                                    "events": {EVENTS + event: body or {}}}).encode())
        token.add_signature(self.signer, alg="PS512",
                            protected=json.dumps({"alg": "PS512", "kid": "standin-sig-1", "typ": "secevent+jwt"}))
        return token.serialize(compact=True)

    def route(self, method, path, headers, body):
        if method == "POST" and path == "/token":
            form = dict(p.split("=", 1) for p in body.decode().split("&"))
            if form.get("grant_type") != "client_credentials" or "scope" in form or not form.get("client_secret"):
                return 400, {"error": "invalid_request"}
            with self.lock:
                self.tokens_issued += 1
                token = "token-%d" % self.tokens_issued
                self.current_token = token
            return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 1800}
        if method == "GET" and path == "/.well-known/jwks.json":
            if not self.publish_jwks:
                return 404, {"title": "Not Found"}
            return 200, {"keys": [json.loads(self.signer.export_public())]}
        authorization = headers.get("Authorization", "")
        with self.lock:
            valid = authorization == "Bearer " + getattr(self, "current_token", "-")
            if valid and self.token_calls_left is not None:
                if self.token_calls_left <= 0:
                    valid = False
                    self.token_calls_left = None      # the next token works
                    self.current_token = "-"
                else:
                    self.token_calls_left -= 1
        if not valid:
            return 401, {"title": "Unauthorized"}
        if method == "POST" and path == "/v1/submissions":
            request = json.loads(body)
            if not re.fullmatch(r"urn:de:fim:leika:leistung:\d{14}", request["serviceType"]["identifier"]):
                return 422, {"title": "Unprocessable Entity",
                             "detail": "serviceType.identifier is not a LeiKa key"}
            submission_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
            with self.lock:
                self.submissions[submission_id] = {
                    "case": case_id, "request": request, "attachments": {}, "submitted": False,
                    "submits": 0, "events": [self.sign(submission_id, case_id, "create-submission")]}
            return 201, {"submissionId": submission_id, "caseId": case_id}
        match = re.fullmatch(r"/v1/submissions/([0-9a-f-]{36})(/attachments/([0-9a-f-]{36}))?", path)
        if method == "PUT" and match:
            with self.lock:
                submission = self.submissions.get(match[1])
            if submission is None:
                return 404, {"title": "Not Found", "detail": "no such submission"}
            if match[3] is not None:
                if match[3] not in submission["request"]["announcedAttachments"]:
                    return 422, {"title": "Unprocessable Entity", "detail": "attachment not announced"}
                if submission["submitted"]:
                    return 409, {"title": "Conflict", "detail": "already submitted"}
                submission["attachments"][match[3]] = body.decode()
                return 204, None
            if submission["submitted"]:
                return 409, {"title": "Conflict", "detail": "already submitted"}
            missing = set(submission["request"]["announcedAttachments"]) - set(submission["attachments"])
            if missing:
                return 422, {"title": "Unprocessable Entity", "detail": "announced attachment missing"}
            request = json.loads(body)
            metadata = json.loads(self.decrypt(request["encryptedMetadata"]))
            data = self.decrypt(request["encryptedData"])
            if metadata["contentStructure"]["data"]["hash"]["content"] != hashlib.sha512(data).hexdigest():
                return 422, {"title": "Unprocessable Entity", "detail": "the data does not match the metadata hash"}
            with self.lock:
                submission.update(submitted=True, metadata=metadata, data=json.loads(data),
                                  reference=metadata.get("additionalReferenceInfo", {}).get("senderReference"))
                submission["submits"] += 1
                submission["events"].append(self.sign(match[1], submission["case"], "submit-submission"))
            return 200, {"submissionId": match[1], "caseId": submission["case"]}
        match = re.fullmatch(r"/v1/cases/([0-9a-f-]{36})/events", path)
        if method == "GET" and match:
            with self.lock:
                log = [e for s in self.submissions.values() if s["case"] == match[1] for e in s["events"]]
            if not log:
                return 404, {"title": "Not Found"}
            return 200, {"eventLog": log}
        return 404, {"title": "Not Found"}

    def decrypt(self, token):
        message = jwe.JWE()
        message.deserialize(token, key=self.key)
        return message.payload

    def decide(self, submission_id, accept, reason=None):
        with self.lock:
            s = self.submissions[submission_id]
            body = None if accept else {"problems": [{"title": "Abgelehnt", "detail": reason}]}
            s["events"].append(self.sign(submission_id, s["case"],
                                         "accept-submission" if accept else "reject-submission", body))

    # ---- for assertions ----

    def submitted(self):
        """senderReference → list of submitted submissions."""
        result = {}
        with self.lock:
            for submission_id, s in self.submissions.items():
                if s["submitted"]:
                    result.setdefault(s["reference"], []).append(dict(s, id=submission_id))
        return result

    def request_log(self):
        with self.lock:
            return list(self.requests)
