# SPDX-License-Identifier: GPL-3.0-or-later
"""Start and drive tests/platform/platform.py from a test (docs/platform.md).

    with Platform(state_dir) as p:
        p.add_fault(method="PUT", path="^/v1/submissions/[^/]+$", action="status", status=503, retry_after=2)
        ... p.url, p.ca_file, p.token_url, p.stats(), p.requests(), p.submissions()
"""
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "platform.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


class Platform:
    def __init__(self, state_dir=None, *extra, client_id="antragskiosk-test", client_secret="test-secret"):
        self._tmp = None
        if state_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="platform-")
            state_dir = self._tmp.name
        self.state_dir = state_dir
        self.client_id, self.client_secret = client_id, client_secret
        self.extra = list(extra)
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [PYTHON, SCRIPT, "serve", "--state-dir", self.state_dir, "--client-id", self.client_id,
             "--client-secret", self.client_secret, *self.extra],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline().split()
        if len(line) != 3 or line[0] != "READY":
            self.stop()
            raise RuntimeError("platform did not start: %r" % line)
        self.url, self.ca_file = line[1], line[2]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.token_url = self.url + "/token"
        self.db = os.path.join(self.state_dir, "platform.sqlite")
        # The admin API is reached through the *real* CA even with
        # --untrusted-cert: the test itself may always talk to it.
        self.admin_context = ssl.create_default_context(cafile=os.path.join(
            self.state_dir, "untrusted-ca.pem") if "--untrusted-cert" in self.extra else self.ca_file)
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdout:
            self.process.stdout.close()
        rc = self.process.returncode if self.process else None
        self.process = None
        return rc

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def admin(self, method, path, body=None):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.admin_context, timeout=30)
        try:
            data = json.dumps(body).encode() if body is not None else None
            connection.request(method, "/__admin/" + path.lstrip("/"), body=data,
                               headers={"Content-Type": "application/json"} if data else {})
            response = connection.getresponse()
            result = json.loads(response.read() or b"null")
            if response.status >= 400:
                raise RuntimeError("admin %s %s: %d %s" % (method, path, response.status, result))
            return result
        finally:
            connection.close()

    def add_fault(self, **fault):
        return self.admin("POST", "faults", fault)["ids"][0]

    def clear_faults(self):
        self.admin("DELETE", "faults")

    def revoke(self, after=0):
        self.admin("POST", "revoke", {"after": after})

    def accept(self, case_id, signer="destination"):
        return self.admin("POST", "cases/%s/accept" % case_id, {"signer": signer})

    def reject(self, case_id, reason, signer="destination"):
        return self.admin("POST", "cases/%s/reject" % case_id, {"reason": reason, "signer": signer})

    def rotate(self, destination_id, **kwargs):
        """A new encryption key for an --authority-destination (see
        platform.py admin_destination)."""
        return self.admin("POST", "destinations/%s/rotate" % destination_id, kwargs)

    def requests(self):
        return self.admin("GET", "requests")["requests"]

    def stats(self):
        return self.admin("GET", "stats")

    def submissions(self):
        return self.admin("GET", "submissions")["submissions"]

    def reset_log(self):
        self.admin("POST", "reset-log")

    def write_kiosk_config(self, path, secret_file=None, destination_key=None, trust_anchor=None):
        """A kiosk.conf with [platform] pointing here and the demo destination."""
        root = os.path.dirname(os.path.dirname(HERE))
        secret_file = secret_file or os.path.join(self.state_dir, "client-secret")
        with open(secret_file, "w", encoding="utf-8") as f:
            f.write(self.client_secret + "\n")
        os.chmod(secret_file, 0o600)
        with open(path, "w", encoding="utf-8") as f:
            f.write("[kiosk]\nid=test\nlocation=Test\n\n[platform]\n"
                    "token_url=%s\nsubmission_api=%s\nclient_id=%s\nclient_secret_file=%s\nca_file=%s\n\n"
                    "[destination demo]\ndestination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
                    "key_file=%s\ntrust_anchor=%s\nforms=*\n"
                    % (self.token_url, self.url, self.client_id, secret_file, self.ca_file,
                       destination_key or os.path.join(root, "resources", "demo", "demo-destination.jwk"),
                       trust_anchor or os.path.join(self.state_dir, "trust-anchors.pem")))
        return path
