# SPDX-License-Identifier: GPL-3.0-or-later
"""antragskiosk-ctl check-config as IT staff use it: one line per problem
("file: [group] key: message", warnings prefixed "warning: "), exit 1 on
errors, 0 otherwise, 2 on a usage error; keys checked against their trust
anchor."""
import base64
import hashlib
import os
import stat
import subprocess
import sys
import tempfile
import unittest

CTL = os.environ["ANTRAGSKIOSK_CTL"]
SRCDIR = os.environ["G_TEST_SRCDIR"]
ROOT = os.environ["ANTRAGSKIOSK_SOURCE_ROOT"]
DEMO_JWK = os.path.join(ROOT, "resources", "demo", "demo-destination.jwk")
DEMO_ROOT = os.path.join(ROOT, "resources", "demo", "demo-root-ca.pem")
UUID_A = "0f9d4c1e-6c51-4f3e-9a43-2a5f7f7e1a01"
UUID_B = "5d2b8a90-1b7c-4e26-8f0a-6c3e9d4b2f02"


def pin_hash(pin, iterations=200000, salt=b"saltsaltsaltsalt"):
    """A [clerk] pin_hash made with Python's hashlib, not with our code."""
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return "pbkdf2-sha256$%d$%s$%s" % (iterations, base64.b64encode(salt).decode(), base64.b64encode(digest).decode())


def ctl(*args, env_extra=None):
    env = dict(os.environ)
    env.pop("ANTRAGSKIOSK_CONFIG", None)
    env.update(env_extra or {})
    return subprocess.run([CTL, *args], capture_output=True, text=True, check=False, env=env)


class CheckConfigTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.TemporaryDirectory()
        subprocess.run(["/usr/bin/python3", os.path.join(SRCDIR, "keys-testca.py"), cls.pki.name, "4096"],
                       check=True)

    @classmethod
    def tearDownClass(cls):
        cls.pki.cleanup()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.realpath(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text, mode=0o600):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def check(self, conf_text, *extra):
        path = self.write("kiosk.conf", conf_text)
        result = ctl("check-config", "--config", path, *extra)
        return result, path

    def test_good(self):
        result, path = self.check(
            f"[kiosk]\nid=t1\nlocation=Rathaus\ndata_dir=data\n"
            f"[destination demo]\ndestination_id={UUID_A}\nkey_file={DEMO_JWK}\n"
            f"trust_anchor={DEMO_ROOT}\nforms=*\n")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stdout, f"OK: {path}\n")

    def test_errors_and_warnings(self):
        self.write("secret", "s3cret\n", mode=0o644)
        result, path = self.check(
            "[kiosk]\nid=t1\nlocaton=x\n"
            "[platform]\ntoken_url=http://127.0.0.1/token\nsubmission_api=https://api.example\n"
            "client_id=c\nclient_secret_file=secret\n"
            f"[destination a]\ndestination_id=nope\nkey_file={DEMO_JWK}\ntrust_anchor={DEMO_ROOT}\nforms=*\n")
        self.assertEqual(result.returncode, 1)
        lines = result.stdout.splitlines()
        self.assertIn(f'{path}: [kiosk] locaton: unknown key; did you mean "location"?', lines)
        self.assertIn(f'{path}: [platform] token_url: "http://127.0.0.1/token" is not an https:// URL; '
                      "the platform is only reached over TLS", lines)
        self.assertIn(f'{path}: [destination a] destination_id: "nope" is not a UUID '
                      "(like 4b5c7214-aa12-4624-955e-0f7deaabc342)", lines)
        self.assertNotIn("OK", result.stdout)

    def test_warnings_only(self):
        secret = self.write("secret", "s3cret\n", mode=0o640)
        result, path = self.check(
            "[kiosk]\nid=t1\n"
            "[platform]\ntoken_url=https://auth.example/token\nsubmission_api=https://api.example\n"
            "client_id=c\nclient_secret_file=secret\n"
            f"[destination a]\ndestination_id={UUID_A}\nkey_file={DEMO_JWK}\ntrust_anchor={DEMO_ROOT}\n"
            "forms=*;no-such-form\n")
        self.assertEqual(result.returncode, 0, result.stdout)
        lines = result.stdout.splitlines()
        self.assertIn(f"warning: {path}: [platform] client_secret_file: {secret} can be read by group or "
                      "others (mode 0640); restrict it with chmod 600", lines)
        self.assertIn(f'warning: {path}: [destination a] forms: there is no form "no-such-form" '
                      "(antragskiosk-ctl forms lists them)", lines)
        self.assertEqual(lines[-1], f"OK: {path}")

    def test_keys(self):
        pki = self.pki.name
        result, path = self.check(
            "[kiosk]\nid=t1\n"
            f"[destination old]\ndestination_id={UUID_A}\nkey_file={pki}/expired.jwk\n"
            f"trust_anchor={pki}/root.pem\nforms=a\n"
            f"[destination foreign]\ndestination_id={UUID_B}\nkey_file={pki}/valid.jwk\n"
            f"trust_anchor={DEMO_ROOT}\nforms=*\n")
        self.assertEqual(result.returncode, 1)
        lines = result.stdout.splitlines()
        expired = [l for l in lines if l.startswith(f"{path}: [destination old] key_file: {pki}/expired.jwk: ")]
        self.assertEqual(len(expired), 1, result.stdout)
        self.assertIn("expired on 2024-12-31 23:59:59 UTC", expired[0])
        self.assertTrue(expired[0].endswith("; the forms routed here are out of service"))
        foreign = [l for l in lines if l.startswith(f"{path}: [destination foreign] key_file: ")]
        self.assertEqual(len(foreign), 1, result.stdout)
        self.assertIn("not signed by the trust anchor", foreign[0])

    def test_key_size(self):
        """Issue #14: FIT-Connect requires RSA 4096. A 2048-bit key_file
        (good in every other way) is refused with its size and the minimum,
        and its forms are out of service; the 4096-bit key passes."""
        pki = self.pki.name
        result, path = self.check(
            "[kiosk]\nid=t1\n"
            f"[destination small]\ndestination_id={UUID_A}\nkey_file={pki}/small.jwk\n"
            f"trust_anchor={pki}/root.pem\nforms=*\n")
        self.assertEqual(result.returncode, 1, result.stdout)
        errors = [l for l in result.stdout.splitlines() if not l.startswith("warning: ")]
        self.assertEqual(errors, [f"{path}: [destination small] key_file: {pki}/small.jwk: the RSA key has "
                                  "2048 bits; FIT-Connect requires at least 4096; the forms routed here are "
                                  "out of service"], result.stdout)
        result, path = self.check(
            "[kiosk]\nid=t1\n"
            f"[destination big]\ndestination_id={UUID_A}\nkey_file={pki}/valid.jwk\n"
            f"trust_anchor={pki}/root.pem\nforms=*\n")
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertEqual(result.stdout, f"OK: {path}\n")

    def test_dropins_and_env(self):
        self.write("kiosk.conf", "[kiosk]\nid=t1\n"
                   f"[destination demo]\ndestination_id={UUID_A}\nkey_file={DEMO_JWK}\n"
                   f"trust_anchor={DEMO_ROOT}\nforms=*\n")
        dropin = self.write("kiosk.conf.d/10-typo.conf", "[kiosk]\nlocatio=x\n")
        path = os.path.join(self.dir, "kiosk.conf")
        result = ctl("check-config", env_extra={"ANTRAGSKIOSK_CONFIG": path})
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, f'{dropin}: [kiosk] locatio: unknown key; did you mean "location"?\n')

    def test_syntax_and_missing_file(self):
        result, path = self.check("[kiosk\nid=t1\n")
        self.assertEqual(result.returncode, 1)
        self.assertTrue(result.stdout.startswith(f"{path}: not a valid configuration file: "), result.stdout)
        missing = ctl("check-config", "--config", os.path.join(self.dir, "none.conf"))
        self.assertEqual(missing.returncode, 1)
        self.assertEqual(missing.stdout, f"{self.dir}/none.conf: the file does not exist\n")

    BASE = ("[kiosk]\nid=t1\n"
            f"[destination demo]\ndestination_id={UUID_A}\nkey_file={DEMO_JWK}\n"
            f"trust_anchor={DEMO_ROOT}\nforms=*\n")

    def test_module_groups_good(self):
        self.write("receipt-mac.key", "0123456789abcdef0123\n", mode=0o600)
        os.mkdir(os.path.join(self.dir, "out"))
        result, path = self.check(
            self.BASE
            + "[sync]\nretry_base_s=10\nretry_cap_s=600\nparallelism=2\nstall_timeout_s=60\n"
            "[printer]\nkind=file\npath=out/receipt.pdf\nformat=pdf\npaper=58mm\ntimeout=20\n"
            "[receipt]\nstatus_url=https://buergerbuero.example/status\nstatus_text=Siehe Website\n"
            "status_text[en]=See the website\nmac_key_file=receipt-mac.key\nmac_length=16\n")
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertEqual(result.stdout, f"OK: {path}\n")

    def test_module_groups_errors(self):
        self.write("receipt-mac.key", "short\n", mode=0o600)
        result, path = self.check(
            self.BASE
            + "[sync]\nparalelism=3\nstall_timeout_s=ten\nabandon_after_s=5\nretry_base_s=100\nretry_cap_s=50\n"
            "[printer]\nkind=escpos\ndevice=usb0\ncodepage=cp85\nnative_qr=yes\nqueue=kasse\n"
            "paper=a4\ntimeout=0\nfont=big\n"
            "[receipt]\nstatus_url=ftp://example/status\nmac_lenght=12\nmac_length=99\n"
            "status_text[de]=Hallo\nmac_key_file=receipt-mac.key\n")
        self.assertEqual(result.returncode, 1)
        lines = result.stdout.splitlines()
        for line in (
                '[sync] paralelism: unknown key; did you mean "parallelism"?',
                '[sync] stall_timeout_s: "ten" is not a whole number of seconds from 1 to 3600',
                '[sync] abandon_after_s: "5" is not a whole number of seconds from 60 to 86400',
                "[sync] retry_cap_s: the longest backoff (retry_cap_s, 50) must not be less than the first "
                "(retry_base_s, 100)",
                '[printer] font: unknown key',
                '[printer] timeout: "0" is not a whole number of seconds from 1 to 300',
                '[printer] codepage: "cp85" is not one of cp858, ascii; did you mean "cp858"?',
                '[printer] native_qr: "yes" must be true or false',
                '[printer] device: "usb0" must be an absolute path (/dev/usb/lp0) or tcp://HOST:PORT',
                "[printer] paper: an ESC/POS printer takes paper=58 or paper=80",
                '[receipt] mac_lenght: unknown key; did you mean "mac_length"?',
                '[receipt] mac_length: "99" is not a whole number of hex digits from 8 to 64',
                '[receipt] status_url: "ftp://example/status" must be an http(s) URL without a fragment, '
                "such as https://buergerbuero.example/status",
                f"[receipt] mac_key_file: {self.dir}/receipt-mac.key holds 5 bytes; the MAC key must be at "
                "least 16 bytes long"):
            self.assertIn(f"{path}: {line}", lines, result.stdout)
        self.assertIn(f"warning: {path}: [printer] queue: has no effect with kind=escpos (it is for kind=cups)",
                      lines)
        self.assertFalse([l for l in lines if "status_text" in l], result.stdout)

    def test_queue_and_clerk_groups(self):
        """[queue] retention and [clerk] pin_hash: unknown keys, values the
        queue and the clerk panel would refuse."""
        result, path = self.check(self.BASE + "[queue]\npurge_after=submitted\nkeep_days=30\ntombstone_days=0\n"
                                  f"[clerk]\npin_hash={pin_hash('4711')}\n")
        self.assertEqual(result.stdout, f"OK: {path}\n")
        self.assertEqual(result.returncode, 0)

        result, path = self.check(self.BASE + "[queue]\npurge_after=acepted\nkeep_days=-1\ntombstone_dayz=9\n"
                                  "[clerk]\npin=4711\npin_hash=4711\n")
        self.assertEqual(result.returncode, 1)
        lines = result.stdout.splitlines()
        for line in (
                '[queue] purge_after: "acepted" is not one of submitted, accepted; did you mean "accepted"?',
                '[queue] keep_days: "-1" is not a whole number of days from 0 to 36500',
                '[queue] tombstone_dayz: unknown key; did you mean "tombstone_days"?',
                '[clerk] pin: unknown key',
                "[clerk] pin_hash: not a PIN hash: it must look like pbkdf2-sha256$ITERATIONS$SALT$HASH; make one "
                "with antragskiosk-ctl hash-pin; the clerk panel cannot be opened"):
            self.assertIn(f"{path}: {line}", lines, result.stdout)
        self.assertEqual(len(lines), 5, result.stdout)

        for stored, message in (
                (pin_hash("4711", iterations=1000),
                 "the hash uses 1000 iterations; the kiosk refuses fewer than 200000 (make a new one with "
                 "antragskiosk-ctl hash-pin)"),
                (pin_hash("4711").replace("$200000$", "$2000000000$"),
                 "the hash uses 2000000000 iterations; more than 10000000 would keep the clerk waiting seconds "
                 "for each PIN (make a new one with antragskiosk-ctl hash-pin)"),
                (pin_hash("4711")[:-4] + "AA==",
                 "the salt has 16 bytes and the hash 31; a salt needs at least 4 bytes and the hash exactly 32"),
                (pin_hash("4711").replace("$", "$x", 1),
                 'the iteration count "x200000" is not a whole number from 1 to 2147483647'),
                (pin_hash("4711")[:-1] + "*",
                 "the salt and the hash must be in standard base64 (A–Z, a–z, 0–9, +, / and = padding)")):
            result, path = self.check(self.BASE + f"[clerk]\npin_hash={stored}\n")
            self.assertEqual(result.stdout.splitlines(),
                             [f"{path}: [clerk] pin_hash: {message}; the clerk panel cannot be opened"])
            self.assertEqual(result.returncode, 1)

    def test_printer_files(self):
        result, path = self.check(self.BASE + "[printer]\nkind=file\npath=nowhere/receipt.pdf\nformat=jpeg\n")
        self.assertEqual(result.returncode, 1)
        lines = result.stdout.splitlines()
        self.assertIn(f"{path}: [printer] path: the directory {self.dir}/nowhere does not exist", lines)
        self.assertIn(f'{path}: [printer] format: "jpeg" is not one of pdf, png, escpos', lines)
        result, path = self.check(self.BASE + "[printer]\nkind=file\n")
        self.assertEqual(result.stdout.splitlines(),
                         [f"{path}: [printer] path: is missing: kind=file needs path=FILE, where the receipt "
                          "is written"])
        result, path = self.check(self.BASE + "[printer]\nkind=escpos\ndevice=/dev/no-such-printer\n"
                                  "native_qr=1\nquery_status=false\npaper=58\n")
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertIn(f"warning: {path}: [printer] device: /dev/no-such-printer does not exist "
                      "(is the printer connected and switched on?)", result.stdout.splitlines())
        result, path = self.check(self.BASE + "[printer]\nkind=cups\nserver=cups.example:99999\n")
        self.assertIn(f'{path}: [printer] server: "cups.example:99999" must be HOST, HOST:PORT '
                      "(port 1 to 65535) or a socket path", result.stdout.splitlines())
        result, path = self.check(self.BASE + "[printer]\nkind=laser\n")
        self.assertEqual(result.stdout.splitlines(),
                         [f'{path}: [printer] kind: "laser" is not one of none, file, cups, escpos'])

    def test_secret_modes(self):
        """The clerk PIN hash, the receipt MAC key and the files holding
        them: a warning for each that group or others may read or change."""
        base = self.BASE + "[receipt]\nmac_key_file=private/mac.key\n"
        mac = self.write("private/mac.key", "0123456789abcdef\n", mode=0o600)
        clerk = self.write("kiosk.conf.d/90-clerk.conf", f"[clerk]\npin_hash={pin_hash('4711')}\n", mode=0o600)
        result, path = self.check(base)
        self.assertEqual(result.stdout, f"OK: {path}, {clerk}\n")

        os.chmod(mac, 0o640)
        os.chmod(clerk, 0o644)
        result, path = self.check(base)
        self.assertEqual(result.returncode, 0, result.stdout)
        lines = result.stdout.splitlines()
        self.assertIn(f"warning: {path}: [receipt] mac_key_file: {mac} can be read by group or others "
                      "(mode 0640); restrict it with chmod 600", lines)
        self.assertIn(f"warning: {clerk}: [clerk] pin_hash: {clerk} holds the clerk PIN hash and can be read by "
                      "group or others (mode 0644); a short PIN is quickly found from its hash: restrict the file "
                      "with chmod 600 (owned by the kiosk's user), or move pin_hash into a drop-in that is", lines)

        os.chmod(clerk, 0o620)      # not readable, but anyone in the group may set a PIN
        result, path = self.check(base)
        self.assertIn(f"warning: {clerk}: [clerk] pin_hash: {clerk} holds the clerk PIN hash and can be changed by "
                      "group or others (mode 0620)", result.stdout)
        os.chmod(clerk, 0o600)

        # the MAC key written into a configuration file others may read
        os.unlink(mac)
        result, path = self.check(self.BASE + "[receipt]\nmac_key=0123456789abcdef\n")
        os.chmod(path, 0o644)
        result = ctl("check-config", "--config", path)
        self.assertIn(f"warning: {path}: [receipt] mac_key: {path} holds the receipt MAC key and can be read by "
                      "group or others (mode 0644); restrict it with chmod 600, or move the key to mac_key_file",
                      result.stdout.splitlines())
        self.assertEqual(result.returncode, 0, result.stdout)

    def test_secret_as_key_file(self):
        """Issue #18: the client secret file named as key_file put the whole
        secret into check-config, status --json and the journal (json-glib
        quotes the token it cannot parse). Now the line says what was
        expected and where, never what is in the file."""
        token = "Zq8vN3secretTOKENx7Kp2"
        secret = self.write("client-secret", token + "\n")
        data = os.path.join(self.dir, "data")
        os.mkdir(data, 0o700)
        result, path = self.check(
            f"[kiosk]\nid=t1\ndata_dir={data}\n"
            f"[destination a]\ndestination_id={UUID_A}\nkey_file={secret}\ntrust_anchor={DEMO_ROOT}\nforms=*\n")
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}: [destination a] key_file: {secret}: not a JSON Web Key (JSON syntax error at "
                      "line 1, column", result.stdout)
        self.assertIn("is this the right file?", result.stdout)
        self.assertNotIn(token, result.stdout + result.stderr)
        status = ctl("status", "--json", "--no-printer", "--config", path)
        self.assertIn("not a JSON Web Key", status.stdout)
        self.assertNotIn(token, status.stdout + status.stderr)

    def test_not_regular_files(self):
        """Issue #18: a FIFO as client_secret_file or key_file hung
        check-config; /dev/zero grew to gigabytes. Both are refused at once
        (the timeout fails the test should a read block)."""
        fifo = os.path.join(self.dir, "fifo")
        os.mkfifo(fifo, 0o600)
        for target, kind in ((fifo, "is a FIFO (named pipe), not a regular file"),
                             ("/dev/zero", "is a character device, not a regular file")):
            path = self.write("kiosk.conf",
                              "[kiosk]\nid=t1\ndata_dir=data\n"
                              "[platform]\ntoken_url=https://auth.example/token\nsubmission_api=https://api.example\n"
                              f"client_id=c\nclient_secret_file={target}\n"
                              f"[destination a]\ndestination_id={UUID_A}\nkey_file={target}\n"
                              f"trust_anchor={DEMO_ROOT}\nforms=*\n")
            result = subprocess.run([CTL, "check-config", "--config", path], capture_output=True, text=True,
                                    check=False, timeout=30)
            self.assertEqual(result.returncode, 1)
            self.assertIn(f"{path}: [platform] client_secret_file: cannot be read: {target} {kind}", result.stdout)
            self.assertIn(f"{path}: [destination a] key_file: {target} {kind}", result.stdout)
        # the receipt MAC key file: check-config refuses it without opening
        # it again in the receipt module
        path = self.write("kiosk.conf", self.BASE + f"[receipt]\nmac_key_file={fifo}\n")
        result = subprocess.run([CTL, "check-config", "--config", path], capture_output=True, text=True,
                                check=False, timeout=30)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}: [receipt] mac_key_file: cannot be read: {fifo} is a FIFO (named pipe), "
                      "not a regular file", result.stdout)

    def test_urls_and_data_dir(self):
        """Issue #18: check-config said OK to a submission_api with a query
        (every application then failed with 404) and did not look at
        data_dir or idle_timeout_s at all."""
        self.write("secret", "s3cret\n")
        data = os.path.join(self.dir, "data")
        os.mkdir(data, 0o700)
        platform = ("[platform]\ntoken_url=https://auth.example/token\nsubmission_api=https://api.example/x?y=1\n"
                    "client_id=c\nclient_secret_file=secret\n")
        dest = f"[destination a]\ndestination_id={UUID_A}\nkey_file={DEMO_JWK}\ntrust_anchor={DEMO_ROOT}\nforms=*\n"
        result, path = self.check(f"[kiosk]\nid=t1\ndata_dir={data}\nidle_timeout_s=-5\n" + platform + dest)
        self.assertEqual(result.returncode, 1)
        lines = result.stdout.splitlines()
        self.assertIn(f"{path}: [platform] submission_api: the URL must not have a ?query: the kiosk appends "
                      "/v1/… to it; give the API's base, such as https://submission-api.example.de", lines)
        self.assertIn(f'{path}: [kiosk] idle_timeout_s: "-5" is not a whole number of seconds from 30 to 3600', lines)
        # the programs refuse it too
        self.assertEqual(ctl("forms", "--config", path).returncode, 1)

        os.chmod(data, 0o777)
        result, path = self.check(f"[kiosk]\nid=t1\ndata_dir={data}\n" + dest)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}: [kiosk] data_dir: {data} can be changed by anyone (mode 0777)", result.stdout)
        for value, message in (("resource:///de/antragskiosk/demo/data", "is a URI"),
                               ("/", "is the root directory")):
            result, path = self.check(f"[kiosk]\nid=t1\ndata_dir={value}\n" + dest)
            self.assertEqual(result.returncode, 1)
            self.assertIn(f"{path}: [kiosk] data_dir: ", result.stdout)
            self.assertIn(message, result.stdout)

    def test_printer_path_link(self):
        """kind=file: the printer refuses a symbolic link to a file (it
        neither replaces the link nor writes through it), so check-config
        does too; a link to a FIFO is written through."""
        target = self.write("real.pdf", "x")
        os.symlink(target, os.path.join(self.dir, "link.pdf"))
        os.mkfifo(os.path.join(self.dir, "printer.fifo"))
        os.symlink(os.path.join(self.dir, "printer.fifo"), os.path.join(self.dir, "fifo-link"))
        result, path = self.check(self.BASE + "[printer]\nkind=file\npath=link.pdf\n")
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}: [printer] path: {self.dir}/link.pdf is a symbolic link to something other than a "
                      "device or FIFO", result.stdout)
        result, path = self.check(self.BASE + "[printer]\nkind=file\npath=fifo-link\nformat=pdf\n")
        self.assertEqual(result.returncode, 0, result.stdout)

    def test_usage(self):
        self.assertEqual(ctl("check-config", "extra").returncode, 2)
        self.assertEqual(ctl("check-config", "--no-such-option").returncode, 2)
        self.assertEqual(ctl("check-config", "--help").returncode, 0)
        self.assertIn("check-config", ctl("--help").stdout)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
