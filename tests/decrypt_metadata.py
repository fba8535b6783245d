# SPDX-License-Identifier: GPL-3.0-or-later
"""Prints the decrypted FIT-Connect metadata of one queued application,
decrypted by an independent JOSE implementation (Debian's python3-jwcrypto)
with the destination's private key. Used by the kiosk's widget tests.

    decrypt_metadata.py QUEUE_DB REFERENCE PRIVATE_JWK"""
import sqlite3
import sys

from jwcrypto import jwe, jwk


def main():
    db_path, reference, key_path = sys.argv[1:4]
    with open(key_path, encoding="utf-8") as f:
        key = jwk.JWK.from_json(f.read())
    db = sqlite3.connect(db_path)
    try:
        row = db.execute("SELECT c.metadata_jwe FROM applications a JOIN ciphertexts c ON c.app = a.seq"
                         " WHERE a.reference = ?", (reference,)).fetchone()
    finally:
        db.close()
    if row is None:
        sys.exit("no application %s in %s" % (reference, db_path))
    message = jwe.JWE()
    message.deserialize(row[0], key=key)
    sys.stdout.write(message.payload.decode("utf-8"))


if __name__ == "__main__":
    main()
