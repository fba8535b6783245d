# SPDX-License-Identifier: GPL-3.0-or-later
"""Every request and answer body of the local platform, checked against
FITKO's own OpenAPI document of the Submission API (a verbatim copy in
tests/platform/fitko/, see its README): the kiosk's real traffic (submit,
sync, decisions, a key rotation) and the error answers.

Debian 12 has no OpenAPI validator package, so the document's component
schemas (OpenAPI 3.0 Schema Objects) are turned into JSON Schema here —
the only difference that matters is "nullable" — and checked with
python3-jsonschema."""
import os
import sys

# This directory holds platform.py, which must not shadow the standard
# library's "platform": put it last on the path, never first.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE] + [HERE]

import copy  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import unittest  # noqa: E402
import uuid  # noqa: E402

import jsonschema  # noqa: E402
import yaml  # noqa: E402

from client import Platform  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
SPEC_FILE = os.path.join(HERE, "fitko", "submission-api-1.1.3.yaml")
DEST = "4b5c7214-aa12-4624-955e-0f7deaabc342"
CTL = os.environ.get("ANTRAGSKIOSK_CTL")


def to_json_schema(node):
    """OpenAPI 3.0 Schema Object → JSON Schema (draft 4 keywords): a
    "nullable": true schema also admits null."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items() if k not in ("nullable", "example", "examples")}
    if node.get("nullable") is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def load_spec():
    with open(SPEC_FILE, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    converted = copy.deepcopy(spec)
    converted["components"]["schemas"] = to_json_schema(spec["components"]["schemas"])
    return spec, converted


def template_regex(template):
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


class OpenApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spec, cls.converted = load_spec()
        cls.resolver = jsonschema.RefResolver.from_schema(cls.converted)
        cls.routes = [(template_regex(t), t, ops) for t, ops in cls.spec["paths"].items()]

    def validator(self, schema):
        return jsonschema.Draft4Validator(to_json_schema(schema), resolver=self.resolver,
                                          format_checker=jsonschema.FormatChecker())

    def operation(self, method, path):
        for regex, template, ops in self.routes:
            if regex.match(path) and method.lower() in ops:
                return template, ops[method.lower()]
        return None, None

    def check_entry(self, entry):
        """Problems of one recorded request/answer pair, as sentences."""
        problems = []
        where = "%s %s → %s" % (entry["method"], entry["path"], entry["status"])
        template, op = self.operation(entry["method"], entry["path"])
        if op is None:
            return ["%s: not an operation of the Submission API" % where]
        # Request bodies of accepted requests (a test's deliberately bad
        # requests are answered 4xx; their answers are checked below).
        if entry.get("requestBody") and (entry.get("requestContentType") or "").startswith("application/json") \
                and 200 <= entry["status"] < 300:
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema is None:
                problems.append("%s: the operation takes no JSON body" % where)
            else:
                for e in self.validator(schema).iter_errors(json.loads(entry["requestBody"])):
                    problems.append("%s: request body at /%s: %s" % (where, "/".join(map(str, e.path)), e.message))
        answer = op.get("responses", {}).get(str(entry["status"]))
        if answer is None:
            return problems + ["%s: status %s is not documented for %s" % (where, entry["status"], template)]
        body = entry.get("responseBody") or ""
        content = answer.get("content") or {}
        if not body:
            if content:
                problems.append("%s: the answer should have a body (%s)" % (where, ", ".join(content)))
            return problems
        ctype = entry.get("responseContentType") or ""
        if ctype not in content:
            return problems + ["%s: answered %s, the document says %s" % (where, ctype, ", ".join(content) or "none")]
        for e in self.validator(content[ctype]["schema"]).iter_errors(json.loads(body)):
            problems.append("%s: answer body at /%s: %s" % (where, "/".join(map(str, e.path)), e.message))
        return problems

    # -- the checker itself must be able to fail

    def test_checker_catches_a_wrong_body(self):
        entry = {"method": "POST", "path": "/v1/submissions", "status": 201,
                 "requestContentType": "application/json",
                 "requestBody": json.dumps({"destinationId": DEST, "announcedAttachments": "not-a-list",
                                            "serviceType": {"name": "x", "identifier": "urn:x:y"}}),
                 "responseContentType": "application/json",
                 "responseBody": json.dumps({"submissionId": "no-uuid", "destinationId": DEST})}
        problems = self.check_entry(entry)
        self.assertTrue(any("announcedAttachments" in p for p in problems), problems)
        self.assertTrue(any("caseId" in p for p in problems), problems)
        self.assertTrue(any("uuid" in p for p in problems), problems)
        # a 200 where the document says 202
        entry = {"method": "PUT", "path": "/v1/submissions/" + str(uuid.uuid4()), "status": 200,
                 "responseContentType": "application/json", "responseBody": "{}"}
        self.assertTrue(any("not documented" in p for p in self.check_entry(entry)))

    # -- the platform's real traffic

    @unittest.skipUnless(CTL, "needs ANTRAGSKIOSK_CTL (run through meson)")
    def test_every_body_matches_the_document(self):
        with tempfile.TemporaryDirectory() as tmp:
            dest2 = str(uuid.uuid4())
            platform = Platform(os.path.join(tmp, "platform"), "--record-bodies", "--page-size", "2",
                                "--authority-destination", dest2).start()
            try:
                self.drive(platform, tmp, dest2)
                entries = [e for e in platform.requests() if e["path"] != "/token"]
            finally:
                platform.stop()
        routes = {(e["method"], re.sub(r"[0-9a-f-]{36}", "{id}", e["path"])) for e in entries}
        for needed in [("GET", "/v1/destinations/{id}"), ("POST", "/v1/submissions"),
                       ("PUT", "/v1/submissions/{id}"), ("PUT", "/v1/submissions/{id}/attachments/{id}"),
                       ("GET", "/v1/cases/{id}/events"), ("GET", "/.well-known/jwks.json")]:
            self.assertIn(needed, routes)
        self.assertTrue(any(e["status"] >= 400 for e in entries))
        # the event logs were read page by page (page size 2)
        self.assertTrue(any(e["path"].endswith("/events") and "offset=2" in e.get("query", "") for e in entries))
        # the authority's signature key was fetched
        self.assertTrue(any("/keys/authority-sig-" in e["path"] for e in entries))
        problems = [p for e in entries for p in self.check_entry(e)]
        self.assertEqual(problems, [], "\n".join(problems))

    def drive(self, platform, tmp, dest2):
        config = platform.write_kiosk_config(os.path.join(tmp, "kiosk.conf"))
        with open(config, encoding="utf-8") as f:
            text = f.read().replace("[kiosk]\n", "[kiosk]\ndata_dir=%s\n" % os.path.join(tmp, "queue"), 1)
        with open(config, "w", encoding="utf-8") as f:
            f.write(text + "\n[sync]\nstatus_poll_s=1\n")
        env = dict(os.environ, G_DEBUG="")
        answers = os.path.join(tmp, "answers.json")

        def ctl(*args):
            return subprocess.run([CTL, *args, "--config", config], capture_output=True, text=True, env=env,
                                  check=False, timeout=120)

        with open(answers, "w", encoding="utf-8") as f:
            json.dump(MELDEBESCHEINIGUNG, f)
        for _ in range(3):
            result = ctl("submit", "--form", "meldebescheinigung", "--answers", answers)
            self.assertEqual(result.returncode, 0, result.stderr)
        result = ctl("sync", "--once")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        cases = [s["caseId"] for s in platform.submissions()]
        platform.accept(cases[0])
        platform.reject(cases[1], "Unterschrift fehlt")
        platform.accept(cases[2], signer="unknown")
        # the kiosk reads the (paged) event logs and the authority's key
        subprocess.run([CTL, "queue", "list", "--config", config], env=env, check=False, capture_output=True)
        self.poll(ctl)
        # error answers
        client = platform_client_class()(platform)
        client.login()
        client.json("GET", "/v1/destinations/" + str(uuid.uuid4()))
        client.json("GET", "/v1/destinations/%s/keys/no-such-key-id" % DEST)
        client.json("GET", "/v1/destinations/" + dest2)
        client.json("POST", "/v1/submissions", {"destinationId": DEST})
        client.json("PUT", "/v1/submissions/%s" % uuid.uuid4(), {"encryptedMetadata": "a.b.c.d.e"})
        client.json("GET", "/v1/cases/%s/events" % uuid.uuid4())
        client.token = "expired"
        client.json("GET", "/v1/destinations/" + DEST)

    def poll(self, ctl):
        import time
        time.sleep(1.1)
        result = ctl("sync", "--once")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


def platform_client_class():
    """The platform tests' HTTP client (tests/platform/test_platform.py, by
    path: tests/test_platform.py has the same module name)."""
    import importlib.util
    module = sys.modules.get("platform_tests")
    if module is None:
        spec = importlib.util.spec_from_file_location("platform_tests", os.path.join(HERE, "test_platform.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module.Client


MELDEBESCHEINIGUNG = None


def load_answers():
    global MELDEBESCHEINIGUNG
    path = os.path.join(ROOT, "tests", "data", "answers", "meldebescheinigung.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            MELDEBESCHEINIGUNG = json.load(f)


load_answers()

if __name__ == "__main__":
    unittest.main(verbosity=2)
