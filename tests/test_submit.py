# SPDX-License-Identifier: GPL-3.0-or-later
"""`antragskiosk-ctl submit` end to end, checked from outside: every
bundled form's sample is stored encrypted; an independent JOSE
implementation (Debian's python3-jwcrypto) decrypts data and metadata with
the destination's private key; the metadata's sha512 matches the data; the
data equals what `validate` prints. Invalid answers store nothing. And the
plaintext test: a unique marker typed into an answer appears nowhere on
disk (queue.db, -wal, -shm) or in the log output, as UTF-8, UTF-16 or
base64."""
import base64
import hashlib
import json
import os
import sqlite3
import subprocess
import tempfile
import unittest
import uuid

from jwcrypto import jwe, jwk

CTL = os.environ["ANTRAGSKIOSK_CTL"]
SRCDIR = os.environ["G_TEST_SRCDIR"]
ROOT = os.environ["ANTRAGSKIOSK_SOURCE_ROOT"]
PRIVATE_KEY = os.path.join(ROOT, "packaging", "dev", "demo-destination-private.jwk")
DEMO_JWK = os.path.join(ROOT, "resources", "demo", "demo-destination.jwk")
DEMO_ROOT = os.path.join(ROOT, "resources", "demo", "demo-root-ca.pem")
FORMS = ["anwohnerparkausweis", "gewerbeanmeldung", "hundesteuer", "meldebescheinigung", "wohnberechtigungsschein"]


def decrypt(token, key):
    message = jwe.JWE()
    message.deserialize(token, key=key)
    header = json.loads(message.objects["protected"])
    return header, message.payload


class SubmitTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.data_dir = os.path.join(self.tmp.name, "data")
        self.config = os.path.join(self.tmp.name, "kiosk.conf")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(f"""[kiosk]
id=test-kiosk
location=Testamt
data_dir={self.data_dir}

[destination demo]
destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342
key_file={DEMO_JWK}
trust_anchor={DEMO_ROOT}
forms=*
""")
        with open(PRIVATE_KEY, encoding="utf-8") as f:
            self.key = jwk.JWK.from_json(f.read())
        self.env = dict(os.environ, G_MESSAGES_DEBUG="all")

    def tearDown(self):
        self.tmp.cleanup()

    def ctl(self, *args, stdin=None):
        return subprocess.run([CTL, *args], capture_output=True, text=True, input=stdin, env=self.env, check=False)

    def rows(self):
        db = sqlite3.connect(os.path.join(self.data_dir, "queue.db"))
        try:
            cursor = db.execute("SELECT a.seq, a.reference, a.form_id, a.state, c.metadata_jwe, c.data_jwe"
                                " FROM applications a JOIN ciphertexts c ON c.app = a.seq")
            columns = [d[0] for d in cursor.description]
            rows = [dict(zip(columns, row)) for row in cursor]
            for row in rows:
                row["attachments"] = db.execute("SELECT attachment_id, purpose, mime_type, ciphertext FROM attachments"
                                                " WHERE app = ? ORDER BY position", (row["seq"],)).fetchall()
            return rows
        finally:
            db.close()

    def test_samples_encrypted_and_decryptable(self):
        references = {}
        for form in FORMS:
            answers = os.path.join(SRCDIR, "data", "answers", form + ".json")
            run = self.ctl("submit", "--config", self.config, "--form", form, "--answers", answers)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            reference = run.stdout.strip()
            self.assertRegex(reference, r"^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$")
            expected = self.ctl("validate", "--config", self.config, "--form", form, "--answers", answers)
            self.assertEqual(expected.returncode, 0)
            references[reference.replace("-", "")] = (form, expected.stdout.strip().encode())

        rows = self.rows()
        self.assertEqual(len(rows), len(FORMS))
        for row in rows:
            form, expected_data = references[row["reference"]]
            self.assertEqual(row["form_id"], form)
            self.assertEqual(row["state"], "queued")
            data_header, data = decrypt(row["data_jwe"], self.key)
            meta_header, meta = decrypt(row["metadata_jwe"], self.key)
            for header in (data_header, meta_header):
                self.assertEqual(header["alg"], "RSA-OAEP-256")
                self.assertEqual(header["enc"], "A256GCM")
                self.assertEqual(header["cty"], "application/json")
                self.assertEqual(header["kid"], json.loads(open(DEMO_JWK).read())["kid"])
            self.assertEqual(data, expected_data)
            metadata = json.loads(meta)
            content = metadata["contentStructure"]["data"]
            self.assertEqual(content["hash"], {"type": "sha512", "content": hashlib.sha512(data).hexdigest()})
            self.assertEqual(content["submissionSchema"]["schemaUri"], json.loads(data)["$schema"])
            self.assertEqual(metadata["additionalReferenceInfo"]["senderReference"], row["reference"])
            # The summary PDF travels as the "form" attachment, announced in
            # the metadata with the hash of its plaintext.
            self.assertEqual(len(row["attachments"]), 1)
            attachment_id, purpose, mime_type, ciphertext = row["attachments"][0]
            pdf_header, pdf = decrypt(ciphertext, self.key)
            self.assertEqual(pdf_header["cty"], "application/pdf")
            self.assertTrue(pdf.startswith(b"%PDF-"), pdf[:16])
            announced = metadata["contentStructure"]["attachments"]
            self.assertEqual(len(announced), 1)
            self.assertEqual(announced[0]["attachmentId"], attachment_id)
            self.assertEqual(announced[0]["purpose"], "form")
            self.assertEqual(announced[0]["mimeType"], "application/pdf")
            self.assertEqual(announced[0]["hash"], {"type": "sha512", "content": hashlib.sha512(pdf).hexdigest()})
            self.assertEqual((purpose, mime_type), ("form", "application/pdf"))

    def test_summary_is_german_whatever_the_visitor_language(self):
        """The summary PDF is for the authority's staff: German, also when
        the visitor filled the form in Arabic or Turkish (pdftotext reads
        the decrypted attachment)."""
        answers = os.path.join(SRCDIR, "data", "answers", "wohnberechtigungsschein.json")
        for lang in ("ar", "tr", "uk", "en"):
            run = self.ctl("submit", "--config", self.config, "--form", "wohnberechtigungsschein", "--answers", answers,
                           "--lang", lang)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        rows = self.rows()
        self.assertEqual(len(rows), 4)
        with open(os.path.join(ROOT, "resources", "forms", "wohnberechtigungsschein.json"), encoding="utf-8") as f:
            form = json.load(f)
        german_title = form["title"]["de"]
        german_page = form["pages"][0]["title"]["de"]
        for row in rows:
            _, pdf = decrypt(row["attachments"][0][3], self.key)
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                                  check=True).stdout.decode()
            self.assertIn(german_title, text)
            self.assertIn(german_page, text)
            for lang in ("en", "tr", "ar", "uk"):
                self.assertNotIn(form["title"][lang], text, lang)
            # no Arabic or Cyrillic letter from the visitor's language
            self.assertFalse(any("\u0600" <= c <= "\u06ff" or "\u0400" <= c <= "\u04ff" for c in text))

    def test_invalid_answers_store_nothing(self):
        first = self.ctl("submit", "--config", self.config, "--form", "wohnberechtigungsschein",
                         "--answers", os.path.join(SRCDIR, "data", "answers", "wohnberechtigungsschein.json"))
        self.assertEqual(first.returncode, 0)
        bad = self.ctl("submit", "--config", self.config, "--form", "wohnberechtigungsschein", "--answers", "-", "--lang", "en",
                       stdin="{}")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("Please fill in this field.", bad.stdout)
        self.assertEqual(len(self.rows()), 1)
        unknown = self.ctl("submit", "--config", self.config, "--form", "nope", "--answers", "-", stdin="{}")
        self.assertEqual(unknown.returncode, 1)
        usage = self.ctl("submit", "--form", "wohnberechtigungsschein")
        self.assertEqual(usage.returncode, 2)

    def test_answers_not_a_file(self):
        """Issue #18: a FIFO, a device or an oversized --answers file is
        refused at once (the FIFO hung submit) and nothing is stored."""
        with tempfile.TemporaryDirectory() as tmp:
            fifo = os.path.join(tmp, "answers.json")
            os.mkfifo(fifo)
            big = os.path.join(tmp, "big.json")
            with open(big, "w", encoding="utf-8") as f:
                f.write('{"x": "' + "a" * (4 * 1024 * 1024) + '"}')
            for path, needle in ((fifo, "is a FIFO (named pipe), not a regular file"),
                                 ("/dev/zero", "is a character device"),
                                 (big, "this file may have; is it the right file?")):
                run = subprocess.run([CTL, "submit", "--config", self.config, "--form", "wohnberechtigungsschein", "--answers", path],
                                     capture_output=True, text=True, env=self.env, check=False, timeout=60)
                self.assertEqual(run.returncode, 1, run.stderr)
                self.assertIn("cannot read the answers: " + path + " is ", run.stderr)
                self.assertIn(needle, run.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.data_dir, "queue.db")) and self.rows())

    def test_unusable_key_stores_nothing(self):
        """An expired key, one from another trust anchor, or a missing file:
        the form is out of service with a message naming the problem, and
        nothing (not even plaintext) is stored."""
        pki = os.path.join(self.tmp.name, "pki")
        subprocess.run(["/usr/bin/python3", os.path.join(SRCDIR, "keys-testca.py"), pki], check=True)
        answers = os.path.join(SRCDIR, "data", "answers", "wohnberechtigungsschein.json")
        # The unusable key is also logged as a warning (for the journal);
        # here warnings must not abort the program.
        self.env["G_DEBUG"] = "gc-friendly"
        cases = [("expired.jwk", "root.pem", "expired"), ("wrongroot.jwk", "root.pem", "trust"),
                 ("missing.jwk", "root.pem", "missing.jwk")]
        for key_file, anchor, needle in cases:
            with self.subTest(key=key_file):
                data_dir = os.path.join(self.tmp.name, "data-" + key_file)
                config = os.path.join(self.tmp.name, key_file + ".conf")
                with open(config, "w", encoding="utf-8") as f:
                    f.write(f"[kiosk]\nid=t\ndata_dir={data_dir}\n\n[destination d]\n"
                            f"destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
                            f"key_file={os.path.join(pki, key_file)}\ntrust_anchor={os.path.join(pki, anchor)}\nforms=*\n")
                run = self.ctl("submit", "--config", config, "--form", "wohnberechtigungsschein", "--answers", answers)
                self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
                self.assertEqual(run.stdout, "")
                self.assertIn("the application was not stored", run.stderr)
                self.assertIn(needle, run.stderr.lower())
                db = os.path.join(data_dir, "queue.db")
                if os.path.exists(db):
                    connection = sqlite3.connect(db)
                    self.assertEqual(connection.execute("SELECT count(*) FROM applications").fetchone()[0], 0)
                    connection.close()

    def test_no_plaintext_on_disk_or_in_logs(self):
        # Letters only, so that it is valid in name fields too.
        marker = "Zqx" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:12]) + "Wv"
        with open(os.path.join(SRCDIR, "data", "answers", "wohnberechtigungsschein.json"), encoding="utf-8") as f:
            answers = json.load(f)
        # Put the marker into every free-text answer of the sample.
        planted = 0
        for key, value in answers.items():
            # Free text and names (capitalised, no digits); not codes, e-mail or phone.
            if isinstance(value, str) and value[:1].isupper() and not any(c.isdigit() or c in "@+" for c in value):
                answers[key] = value + " " + marker
                planted += 1
        self.assertGreater(planted, 0)
        outputs = []
        for _ in range(3):
            run = self.ctl("submit", "--config", self.config, "--form", "wohnberechtigungsschein", "--answers", "-",
                           stdin=json.dumps(answers))
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            outputs.append((run.stdout + run.stderr).encode())
        # A failing one too: its error output must not echo the answers.
        answers["no_such_field"] = marker
        run = self.ctl("submit", "--config", self.config, "--form", "wohnberechtigungsschein", "--answers", "-",
                       stdin=json.dumps(answers))
        self.assertEqual(run.returncode, 1)
        outputs.append((run.stdout + run.stderr).encode())

        needles = [marker.encode("utf-8"), marker.encode("utf-16-le"), marker.encode("utf-16-be")]
        raw = marker.encode()
        for shift in range(3):
            # The marker inside base64 at each of the three alignments.
            encoded = base64.b64encode(b"\0" * shift + raw)[4 if shift else 0:]
            needles.append(encoded[:len(raw) * 4 // 3 - 4])
            needles.append(base64.urlsafe_b64encode(b"\0" * shift + raw)[4 if shift else 0:][:len(raw) * 4 // 3 - 4])
        blobs = [("log output", b"".join(outputs))]
        for name in sorted(os.listdir(self.data_dir)):
            with open(os.path.join(self.data_dir, name), "rb") as f:
                blobs.append((name, f.read()))
        self.assertTrue(any(name == "queue.db" for name, _ in blobs))
        for name, blob in blobs:
            for needle in needles:
                self.assertNotIn(needle, blob, f"the marker appears in {name}")
        # The test can see a marker where there is one.
        self.assertIn(marker.encode(), json.dumps(answers).encode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
