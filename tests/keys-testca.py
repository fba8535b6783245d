#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Makes a throw-away test PKI for tests/test-keys.c and test-jwe.c, with
python3-cryptography (independent of the code under test).

Usage: keys-testca.py OUTDIR [BITS]

BITS (default 4096, what FIT-Connect requires) is the size of the
destination keys (the leaves); the CA keys are RSA-2048, which the kiosk
does not limit and which keeps the test PKI quick to make.

Writes into OUTDIR (all dates UTC, chosen here so that the tests know them):
  root.pem            test root CA, valid 2024-01-01 .. 2040-01-01
  other-root.pem      another root CA (the "wrong trust anchor")
  valid.jwk           leaf 2025-01-01 .. 2035-06-30 12:00:00, x5c [leaf, root]
  valid-private.jwk   the private half of valid.jwk
  expired.jwk         leaf 2020-01-01 .. 2024-12-31 23:59:59
  notyet.jwk          leaf 2030-01-01 .. 2035-01-01
  wrongroot.jwk       leaf signed by other-root
  mismatch.jwk        x5c of valid.jwk, but n/e of another key
  nowrap.jwk          like valid.jwk, key_ops ["encrypt"]
  noops.jwk           like valid.jwk without key_ops
  nokid.jwk           like valid.jwk without kid
  badalg.jwk          like valid.jwk with alg RSA1_5
  sigkey.jwk          like valid.jwk with use "sig"
  nox5c.jwk           like valid.jwk without x5c
  b64url-x5c.jwk      like valid.jwk with x5c in base64url (wrong encoding)
  chain.jwk           leaf under an intermediate CA, x5c [leaf, intermediate],
                      leaf valid 2025-01-01 .. 2034-03-15, intermediate until 2033-07-01
  signonly.jwk        leaf whose keyUsage is digitalSignature only
  small.jwk           like valid.jwk, but an RSA-2048 leaf (always 2048 bits:
                      too small for FIT-Connect)
"""

import base64
import datetime
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

UTC = datetime.timezone.utc
CA_BITS = 2048


def day(y, m, d, hh=0, mm=0, ss=0):
    return datetime.datetime(y, m, d, hh, mm, ss, tzinfo=UTC)


def b64u_int(i):
    b = i.to_bytes((i.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Antragskiosk Tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def new_key(bits):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def cert(subject_cn, subject_key, issuer_cn, issuer_key, not_before, not_after, ca,
         key_usage=None):
    builder = (x509.CertificateBuilder()
               .subject_name(name(subject_cn))
               .issuer_name(name(issuer_cn))
               .public_key(subject_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(not_before)
               .not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=False, content_commitment=False,
                          key_encipherment=False, data_encipherment=False,
                          key_agreement=False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False), critical=True)
    else:
        ku = key_usage or "keyEncipherment"
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=(ku == "digitalSignature"), content_commitment=False,
                          key_encipherment=(ku == "keyEncipherment"), data_encipherment=False,
                          key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def der_b64(c):
    return base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()


def jwk(key, chain, key_id, **changes):
    pub = key.public_key().public_numbers()
    out = {"kty": "RSA", "kid": key_id, "alg": "RSA-OAEP-256", "use": "enc",
           "key_ops": ["wrapKey"], "n": b64u_int(pub.n), "e": b64u_int(pub.e),
           "x5c": [der_b64(c) for c in chain]}
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def private_jwk(key, kid):
    pub = key.public_key().public_numbers()
    priv = key.private_numbers()
    return {"kty": "RSA", "kid": kid, "alg": "RSA-OAEP-256", "use": "enc",
            "key_ops": ["unwrapKey"], "n": b64u_int(pub.n), "e": b64u_int(pub.e),
            "d": b64u_int(priv.d), "p": b64u_int(priv.p), "q": b64u_int(priv.q),
            "dp": b64u_int(priv.dmp1), "dq": b64u_int(priv.dmq1), "qi": b64u_int(priv.iqmp)}


def main():
    out = sys.argv[1]
    bits = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
    os.makedirs(out, exist_ok=True)

    def write(fname, data):
        with open(os.path.join(out, fname), "w") as f:
            if isinstance(data, str):
                f.write(data)
            else:
                json.dump(data, f, indent=1)

    root_key, other_key, inter_key = new_key(CA_BITS), new_key(CA_BITS), new_key(CA_BITS)
    root = cert("Test Root CA", root_key, "Test Root CA", root_key, day(2024, 1, 1), day(2040, 1, 1), True)
    other = cert("Other Root CA", other_key, "Other Root CA", other_key, day(2024, 1, 1), day(2040, 1, 1), True)
    write("root.pem", root.public_bytes(serialization.Encoding.PEM).decode())
    write("other-root.pem", other.public_bytes(serialization.Encoding.PEM).decode())

    leaf_key, other_leaf_key = new_key(bits), new_key(bits)
    valid = cert("Valid Destination", leaf_key, "Test Root CA", root_key,
                 day(2025, 1, 1), day(2035, 6, 30, 12, 0, 0), False)
    write("valid.jwk", jwk(leaf_key, [valid, root], "test-valid"))
    write("valid-private.jwk", private_jwk(leaf_key, "test-valid"))

    expired = cert("Expired Destination", leaf_key, "Test Root CA", root_key,
                   day(2020, 1, 1), day(2024, 12, 31, 23, 59, 59), False)
    write("expired.jwk", jwk(leaf_key, [expired, root], "test-expired"))
    notyet = cert("Future Destination", leaf_key, "Test Root CA", root_key,
                  day(2030, 1, 1), day(2035, 1, 1), False)
    write("notyet.jwk", jwk(leaf_key, [notyet, root], "test-notyet"))
    wrong = cert("Foreign Destination", leaf_key, "Other Root CA", other_key,
                 day(2025, 1, 1), day(2035, 1, 1), False)
    write("wrongroot.jwk", jwk(leaf_key, [wrong, other], "test-wrongroot"))

    mismatch = jwk(leaf_key, [valid, root], "test-mismatch")
    other_pub = other_leaf_key.public_key().public_numbers()
    mismatch["n"], mismatch["e"] = b64u_int(other_pub.n), b64u_int(other_pub.e)
    write("mismatch.jwk", mismatch)

    write("nowrap.jwk", jwk(leaf_key, [valid, root], "test-nowrap", key_ops=["encrypt"]))
    write("noops.jwk", jwk(leaf_key, [valid, root], "test-noops", key_ops=None))
    write("nokid.jwk", jwk(leaf_key, [valid, root], "x", kid=None))
    write("badalg.jwk", jwk(leaf_key, [valid, root], "test-badalg", alg="RSA1_5"))
    write("sigkey.jwk", jwk(leaf_key, [valid, root], "test-sig", use="sig"))
    write("nox5c.jwk", jwk(leaf_key, [valid, root], "test-nox5c", x5c=None))
    urlsafe = [base64.urlsafe_b64encode(c.public_bytes(serialization.Encoding.DER)).rstrip(b"=").decode()
               for c in (valid, root)]
    write("b64url-x5c.jwk", jwk(leaf_key, [valid, root], "test-b64url", x5c=urlsafe))

    inter = cert("Test Intermediate CA", inter_key, "Test Root CA", root_key,
                 day(2024, 6, 1), day(2033, 7, 1), True)
    chained = cert("Chained Destination", leaf_key, "Test Intermediate CA", inter_key,
                   day(2025, 1, 1), day(2034, 3, 15), False)
    write("chain.jwk", jwk(leaf_key, [chained, inter], "test-chain"))

    signonly = cert("Signing Destination", leaf_key, "Test Root CA", root_key,
                    day(2025, 1, 1), day(2035, 1, 1), False, key_usage="digitalSignature")
    write("signonly.jwk", jwk(leaf_key, [signonly, root], "test-signonly"))

    small_key = new_key(2048)
    small = cert("Small Destination", small_key, "Test Root CA", root_key,
                 day(2025, 1, 1), day(2035, 1, 1), False)
    write("small.jwk", jwk(small_key, [small, root], "test-small"))


if __name__ == "__main__":
    main()
