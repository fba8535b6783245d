# SPDX-License-Identifier: GPL-3.0-or-later
"""Crash test of the Submit path: a loop of real submissions (validate,
encrypt, enqueue) is killed with SIGKILL at random moments, at least 200
times. Afterwards every submission that reported success is in the queue
and decrypts (with jwcrypto, the destination's private key) to the
expected data, the database passes integrity_check, and no partial row
exists (an application without its ciphertexts or with missing
attachments)."""
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

from jwcrypto import jwe, jwk

BUILDDIR = os.environ["G_TEST_BUILDDIR"]
SRCDIR = os.environ["G_TEST_SRCDIR"]
ROOT = os.environ["ANTRAGSKIOSK_SOURCE_ROOT"]
CTL = os.environ["ANTRAGSKIOSK_CTL"]
HELPER = os.path.join(BUILDDIR, "submit-crash-helper")
KILLS = int(os.environ.get("CRASH_KILLS", "200"))
FORM = "wohnberechtigungsschein"


class SubmitCrashTest(unittest.TestCase):
    def test_killed_submissions(self):
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = os.path.join(tmp, "data")
            config = os.path.join(tmp, "kiosk.conf")
            with open(config, "w", encoding="utf-8") as f:
                f.write(f"""[kiosk]
id=crash-test
data_dir={data_dir}

[destination demo]
destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342
key_file={ROOT}/resources/demo/demo-destination.jwk
trust_anchor={ROOT}/resources/demo/demo-root-ca.pem
forms=*
""")
            answers = os.path.join(SRCDIR, "data", "answers", FORM + ".json")
            expected = subprocess.run([CTL, "validate", "--form", FORM, "--answers", answers],
                                      capture_output=True, check=True).stdout.strip()
            reported = []
            rng = random.Random(os.environ.get("CRASH_SEED", "antragskiosk"))
            for _ in range(KILLS):
                helper = subprocess.Popen([HELPER, config, FORM, answers], stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE)
                # Random moments: a third during start-up (key loading,
                # opening the queue, the first transaction), the rest while
                # it submits in a loop (longer, for slow sanitizer builds).
                time.sleep(rng.choice([rng.uniform(0, 0.05), rng.uniform(0.05, 0.3), rng.uniform(0.05, 0.3)]))
                helper.send_signal(signal.SIGKILL)
                out, err = helper.communicate()
                self.assertEqual(helper.returncode, -signal.SIGKILL, err.decode())
                # A line is complete only when its newline arrived.
                lines = out.decode().split("\n")[:-1]
                reported.extend(lines)
            self.assertGreater(len(reported), KILLS // 4, "the helper hardly ever got to submit")

            db = sqlite3.connect(os.path.join(data_dir, "queue.db"))
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            rows = {ref: (seq, n) for seq, ref, n in db.execute("SELECT seq, reference, n_attachments FROM applications")}
            self.assertEqual(len(set(reported)), len(reported), "a reference was reported twice")
            missing = [r for r in reported if r not in rows]
            self.assertEqual(missing, [], "reported as stored but not in the queue")
            # No partial row anywhere (also among the unreported ones).
            orphans = db.execute("SELECT count(*) FROM applications a LEFT JOIN ciphertexts c ON c.app = a.seq"
                                 " WHERE c.app IS NULL").fetchone()[0]
            self.assertEqual(orphans, 0)
            short = db.execute("SELECT count(*) FROM applications a WHERE a.n_attachments !="
                               " (SELECT count(*) FROM attachments t WHERE t.app = a.seq)").fetchone()[0]
            self.assertEqual(short, 0)

            with open(os.path.join(ROOT, "packaging", "dev", "demo-destination-private.jwk"), encoding="utf-8") as f:
                key = jwk.JWK.from_json(f.read())
            # Decrypt every reported application (a sample of at most 60 to
            # keep the test quick: the RSA private operation is slow).
            for reference in rng.sample(reported, min(60, len(reported))):
                seq, _ = rows[reference]
                metadata_jwe, data_jwe = db.execute("SELECT metadata_jwe, data_jwe FROM ciphertexts WHERE app = ?",
                                                    (seq,)).fetchone()
                data = jwe.JWE()
                data.deserialize(data_jwe, key=key)
                self.assertEqual(data.payload, expected)
                meta = jwe.JWE()
                meta.deserialize(metadata_jwe, key=key)
                metadata = json.loads(meta.payload)
                self.assertEqual(metadata["contentStructure"]["data"]["hash"]["content"],
                                 hashlib.sha512(data.payload).hexdigest())
                self.assertEqual(metadata["additionalReferenceInfo"]["senderReference"], reference)
            db.close()
            print(f"{KILLS} kills, {len(reported)} submissions reported, {len(rows)} stored")


if __name__ == "__main__":
    unittest.main(verbosity=2)
