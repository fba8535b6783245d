# SPDX-License-Identifier: GPL-3.0-or-later
"""Interoperability of the kiosk's JWEs and metadata with an independent
implementation: python3-jwcrypto decrypts what the kiosk encrypts (and the
other way round), the protected header is exactly what FIT-Connect expects,
and the metadata's sha512 is the hash of the decrypted data.

The kiosk side is tests/jwe-tool (built beside the tests: G_TEST_BUILDDIR);
the keys are a fresh test PKI from tests/keys-testca.py and the committed
demo key pair."""
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from jwcrypto import jwe, jwk

BUILDDIR = os.environ["G_TEST_BUILDDIR"]
SRCDIR = os.environ["G_TEST_SRCDIR"]
ROOT = os.environ["ANTRAGSKIOSK_SOURCE_ROOT"]
TOOL = os.path.join(BUILDDIR, "jwe-tool")
WHEN = "2026-06-01T00:00:00Z"
EXPECTED_ORDER = ["alg", "enc", "kid", "cty"]
# The "$schema" pattern of FIT-Connect's metadata schema 1.x.
SCHEMA_PATTERN = r"^https://schema\.fitko\.de/fit-connect/metadata/1\.\d+\.\d+/metadata\.schema\.json$"


def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def tool(*args, stdin=b""):
    return subprocess.run([TOOL, *args], input=stdin, capture_output=True, check=False)


def jwcrypto_decrypt(compact, private_jwk_path):
    with open(private_jwk_path) as f:
        key = jwk.JWK(**json.load(f))
    token = jwe.JWE()
    token.deserialize(compact, key=key)
    return token


def manual_decrypt(compact, private_jwk_path):
    """RFC 7516 by hand with python3-cryptography: a second independent
    check, and one that accepts an empty payload (jwcrypto does not)."""
    with open(private_jwk_path) as f:
        pem = jwk.JWK(**json.load(f)).export_to_pem(private_key=True, password=None)
    key = serialization.load_pem_private_key(pem, None)
    header, wrapped, iv, ciphertext, tag = compact.split(".")
    cek = key.decrypt(b64url_decode(wrapped),
                      padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    assert len(cek) == 32
    return AESGCM(cek).decrypt(b64url_decode(iv), b64url_decode(ciphertext) + b64url_decode(tag),
                               header.encode("ascii"))


class InteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(TOOL, os.X_OK):
            raise RuntimeError(f"{TOOL} is missing: build first (meson compile)")
        cls.tmp = tempfile.TemporaryDirectory()
        subprocess.run(["/usr/bin/python3", os.path.join(SRCDIR, "keys-testca.py"), cls.tmp.name, "4096"],
                       check=True)
        cls.pub = os.path.join(cls.tmp.name, "valid.jwk")
        cls.priv = os.path.join(cls.tmp.name, "valid-private.jwk")
        cls.root = os.path.join(cls.tmp.name, "root.pem")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def encrypt(self, data, *extra):
        result = tool("encrypt", "--key", self.pub, "--trust-anchor", self.root, "--time", WHEN,
                      *extra, stdin=data)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        return result.stdout.decode("ascii")

    def assert_header(self, compact, kid, cty):
        header_json = b64url_decode(compact.split(".")[0]).decode()
        header = json.loads(header_json, object_pairs_hook=lambda pairs: pairs)
        self.assertEqual([k for k, _ in header], EXPECTED_ORDER)
        self.assertEqual(dict(header), {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": kid, "cty": cty})

    def test_kiosk_to_jwcrypto(self):
        for data in [b"", b"x", "{\"name\":\"J\u00fcrgen M\u00fcller-\u0141\u00f3d\u017a\"}".encode(),
                     os.urandom(100_000)]:
            compact = self.encrypt(data)
            self.assertEqual(compact.count("."), 4)
            self.assert_header(compact, "test-valid", "application/json")
            self.assertEqual(manual_decrypt(compact, self.priv), data)
            if data:  # jwcrypto refuses an empty plaintext as "no recipient matched"
                token = jwcrypto_decrypt(compact, self.priv)
                self.assertEqual(token.payload, data)
                self.assertEqual(token.jose_header["alg"], "RSA-OAEP-256")
                self.assertEqual(token.jose_header["enc"], "A256GCM")
            # 96-bit IV, 128-bit tag, 4096-bit wrapped key.
            parts = compact.split(".")
            self.assertEqual(len(b64url_decode(parts[1])), 512)
            self.assertEqual(len(b64url_decode(parts[2])), 12)
            self.assertEqual(len(b64url_decode(parts[4])), 16)

    def test_cty_attachment(self):
        pdf = b"%PDF-1.7\n" + os.urandom(5000)
        compact = self.encrypt(pdf, "--cty", "application/pdf")
        self.assert_header(compact, "test-valid", "application/pdf")
        self.assertEqual(jwcrypto_decrypt(compact, self.priv).payload, pdf)

    def test_fresh_key_and_iv(self):
        a, b = self.encrypt(b"same"), self.encrypt(b"same")
        self.assertNotEqual(a.split(".")[1], b.split(".")[1])
        self.assertNotEqual(a.split(".")[2], b.split(".")[2])

    def test_metadata_hash_matches_data(self):
        data = json.dumps({"familienname": "M\u00fcller", "vorname": "Anna"},
                          ensure_ascii=False, separators=(",", ":")).encode()
        pdf_path = os.path.join(self.tmp.name, "form.pdf")
        with open(pdf_path, "wb") as f:
            f.write(b"%PDF-1.7 test rendering")
        att_id = "9b2f0c61-3d4e-4a5b-8c7d-6e5f4a3b2c1d"
        meta = tool("metadata", "--schema-uri", "https://schema.example.de/melde/1.0.0.json",
                    "--sender-reference", "K7QX-4MZP", "--date", "2026-11-28",
                    "--attachment", f"{att_id}:form:application/pdf:{pdf_path}", stdin=data)
        self.assertEqual(meta.returncode, 0, meta.stderr.decode())

        # Encrypt both; decrypt both independently; compare the hash.
        data_jwe = self.encrypt(data)
        meta_jwe = self.encrypt(meta.stdout)
        plain_data = jwcrypto_decrypt(data_jwe, self.priv).payload
        metadata = json.loads(jwcrypto_decrypt(meta_jwe, self.priv).payload)

        self.assertRegex(metadata["$schema"], SCHEMA_PATTERN)
        structure = metadata["contentStructure"]
        self.assertEqual(structure["data"]["hash"],
                         {"type": "sha512", "content": hashlib.sha512(plain_data).hexdigest()})
        self.assertEqual(structure["data"]["submissionSchema"],
                         {"schemaUri": "https://schema.example.de/melde/1.0.0.json",
                          "mimeType": "application/json"})
        self.assertEqual(structure["attachments"], [{
            "hash": {"type": "sha512", "content": hashlib.sha512(b"%PDF-1.7 test rendering").hexdigest()},
            "purpose": "form", "mimeType": "application/pdf", "attachmentId": att_id}])
        self.assertEqual(metadata["additionalReferenceInfo"],
                         {"senderReference": "K7QX-4MZP", "applicationDate": "2026-11-28"})
        self.assertEqual(set(metadata), {"$schema", "contentStructure", "additionalReferenceInfo"})

    def test_jwcrypto_to_kiosk(self):
        with open(self.pub) as f:
            public = json.load(f)
        public.pop("x5c")
        key = jwk.JWK(**public)
        payload = "Antrag \u00e4\u00f6\u00fc\u00df".encode()
        token = jwe.JWE(payload, protected=json.dumps(
            {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "test-valid", "cty": "application/json"}))
        token.add_recipient(key)
        result = tool("decrypt", "--key", self.priv, stdin=token.serialize(compact=True).encode())
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertEqual(result.stdout, payload)
        self.assertIn(b"cty=application/json", result.stderr)

    def test_demo_key_pair(self):
        with open(os.path.join(ROOT, "resources", "demo", "demo-destination.jwk")) as f:
            demo = json.load(f)
        result = tool("encrypt", "--demo", stdin=b"{}")
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        compact = result.stdout.decode()
        self.assert_header(compact, demo["kid"], "application/json")
        token = jwcrypto_decrypt(compact, os.path.join(ROOT, "packaging", "dev", "demo-destination-private.jwk"))
        self.assertEqual(token.payload, b"{}")
        # RSA-4096: a 512-byte wrapped key.
        self.assertEqual(len(b64url_decode(compact.split(".")[1])), 512)

    def test_bad_key_refused(self):
        result = tool("encrypt", "--key", os.path.join(self.tmp.name, "expired.jwk"),
                      "--trust-anchor", self.root, "--time", WHEN, stdin=b"secret-marker")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, b"")
        self.assertIn(b"expired on 2024-12-31", result.stderr)
        self.assertNotIn(b"secret-marker", result.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
