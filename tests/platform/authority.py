# SPDX-License-Identifier: GPL-3.0-or-later
"""The receiving authority's side of the local platform.

In FIT-Connect the Zustelldienst only relays: accept-submission and
reject-submission are written by the receiving system and signed with the
*destination's* signature key (issuer = the destinationId; the public key is
served at /v1/destinations/{id}/keys/{kid} with an x5c chain to the
Verwaltungs-PKI root).  This module plays that receiving system: it has its
own test PKI root (``authority-root.pem`` in the state directory, standing
in for the Verwaltungs-PKI), a PS512 signature key per platform run
(RSA-4096, certificate under that root), and it can issue destination
encryption keys under the same root (for key rotation and the
revoked/expired/weak-key cases).
"""

import base64
import datetime
import json
import os
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwcrypto import jwk, jws


def _b64(n):
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _write(path, data, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class Authority:
    def __init__(self, state_dir):
        self.state_dir = state_dir
        self.root_pem_path = os.path.join(state_dir, "authority-root.pem")
        key_path = os.path.join(state_dir, "authority-root.key")
        if os.path.exists(key_path) and os.path.exists(self.root_pem_path):
            with open(key_path, "rb") as f:
                self.root_key = serialization.load_pem_private_key(f.read(), None)
            with open(self.root_pem_path, "rb") as f:
                self.root = x509.load_pem_x509_certificate(f.read())
        else:
            self.root_key = ec.generate_private_key(ec.SECP384R1())
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Antragskiosk test Verwaltungs-PKI root")])
            now = datetime.datetime.now(datetime.timezone.utc)
            self.root = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                         .public_key(self.root_key.public_key()).serial_number(x509.random_serial_number())
                         .not_valid_before(now - datetime.timedelta(days=1))
                         .not_valid_after(now + datetime.timedelta(days=3650))
                         .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                         .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                        critical=True)
                         .sign(self.root_key, hashes.SHA384()))
            _write(key_path, self.root_key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
            _write(self.root_pem_path, self.root.public_bytes(serialization.Encoding.PEM), 0o644)
        self.signing_private, self.signing_public = self._load_or_issue("authority-signing", "sig")

    def _load_or_issue(self, name, use):
        path = os.path.join(self.state_dir, name + ".json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                saved = json.load(f)
            return jwk.JWK(**saved["private"]), saved["public"]
        private, public = self.issue(use)
        _write(path, json.dumps({"private": json.loads(private.export_private()), "public": public}).encode())
        return private, public

    def issue(self, use, bits=4096, valid_days=365, expired=False, kid=None):
        """A new RSA key and its public JWK with x5c [leaf, root].  use "enc"
        (RSA-OAEP-256, wrapKey) or "sig" (PS512, verify)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        kid = kid or "%s-%s" % ("authority-sig" if use == "sig" else "dest-enc", uuid.uuid4().hex[:12])
        now = datetime.datetime.now(datetime.timezone.utc)
        start = now - datetime.timedelta(days=10 if expired else 1)
        end = now - datetime.timedelta(days=1) if expired else now + datetime.timedelta(days=valid_days)
        usage = (x509.KeyUsage(True, False, False, False, False, False, False, False, False) if use == "sig" else
                 x509.KeyUsage(False, False, True, False, False, False, False, False, False))
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Destination key " + kid)]))
                .issuer_name(self.root.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(usage, critical=True)
                .sign(self.root_key, hashes.SHA384()))
        numbers = key.public_key().public_numbers()
        public = {"kty": "RSA", "kid": kid, "n": _b64(numbers.n), "e": _b64(numbers.e),
                  "x5c": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii")
                          for c in (cert, self.root)]}
        if use == "sig":
            public.update(alg="PS512", use="sig", key_ops=["verify"])
        else:
            public.update(alg="RSA-OAEP-256", use="enc", key_ops=["wrapKey"])
        private = jwk.JWK.from_pem(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
        private = jwk.JWK(**dict(json.loads(private.export_private()), kid=kid))
        return private, public

    def root_pem(self):
        return self.root.public_bytes(serialization.Encoding.PEM)

    def sign_decision(self, claims, signer=None):
        """A SET signed PS512 with the destination's signature key (or
        @signer, a (private JWK, kid) pair, for tests of a wrong key)."""
        private, kid = signer or (self.signing_private, self.signing_public["kid"])
        token = jws.JWS(claims.encode())
        token.add_signature(private, alg="PS512", protected=json.dumps(
            {"alg": "PS512", "kid": kid, "typ": "secevent+jwt"}))
        return token.serialize(compact=True)
