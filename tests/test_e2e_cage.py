#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End to end, as a person at the terminal: the real kiosk binary in the
real kiosk compositor (cage, as an unprivileged user) on a headless X
server (Xvfb; cage's X11 backend shows its output there), driven only by
synthetic input (xdotool: clicks and key presses). The test finds what to
click the way a person looks at the screen: from the accessibility tree
(pyatspi), which gives each control's name and place. It picks a form in
the catalog (search, tile), fills it in, goes through review and consent,
submits; the local platform (tests/platform/platform.py over HTTPS)
receives the application from the kiosk's own sync worker; the QR code on
the receipt screen, from a screenshot, decodes with zbar to the
application's reference. Screenshots of each step are left in
TESTDIR/e2e-screens for reviewers.

The form is one IT staff drop into the forms directory (so the forms-dir
path is part of the run): a short form with a name, an e-mail address, a
choice and a confirmation. Values are typed as ASCII: cage's X11 backend
applies its own (US) keymap to the key codes xdotool sends.

Run as root (CI) it creates a system user for cage, which refuses root;
run as a normal user it runs cage as that user."""
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
USER = "antragskiosk-e2e"
TITLE = "Testantrag Ende zu Ende"
ANSWERS = [("Familienname", "Mustermann"), ("Vornamen", "Erika"), ("E-Mail-Adresse", "erika@example.org")]
CHOICE = "Abholung im Buergerbuero"
CONFIRM = "Ich versichere, dass meine Angaben richtig sind."

FORM = {
    "format": 1, "id": "e2e-testantrag", "version": "1.0.0", "leika": "99115003012000",
    "schema_uri": "https://schema.antragskiosk.de/forms/e2e-testantrag/1.0.0.json", "category": "sonstiges",
    "title": {"de": TITLE, "en": "End-to-end test application"},
    "description": {"de": "Ein kurzer Antrag für den Ende-zu-Ende-Test.", "en": "A short form for the end-to-end test."},
    "code_lists": {"weg": {"values": [
        {"code": "abholung", "label": {"de": CHOICE, "en": "Collection"}},
        {"code": "post", "label": {"de": "Zusendung per Post", "en": "By post"}}]}},
    "pages": [
        {"id": "person", "title": {"de": "Angaben zur Person", "en": "Personal details"}, "items": [
            {"id": "familienname", "kind": "name", "label": {"de": "Familienname", "en": "Surname"}, "required": True},
            {"id": "vornamen", "kind": "name", "label": {"de": "Vornamen", "en": "Given names"}, "required": True},
            {"id": "email", "kind": "email", "label": {"de": "E-Mail-Adresse", "en": "E-mail address"},
             "required": True}]},
        {"id": "abschluss", "title": {"de": "Abschluss", "en": "Completion"}, "items": [
            {"id": "weg", "kind": "radio", "label": {"de": "Wie erhalten Sie die Antwort?", "en": "How?"},
             "required": True, "code_list": "weg"},
            {"id": "richtigkeit", "kind": "checkbox", "label": {"de": CONFIRM, "en": "I confirm."},
             "required": True}]},
    ],
}


def tap(ok, n, text):
    print("%s %d %s" % ("ok" if ok else "not ok", n, text), flush=True)


# ---------------------------------------------------------------- the driver
# Runs as the kiosk's user inside its own D-Bus session (the accessibility
# bus belongs to it): starts cage with the kiosk, then acts like a visitor.

def driver(workdir, display, kiosk):
    import pyatspi

    shots = os.path.join(workdir, "screens")
    os.makedirs(shots, exist_ok=True)
    env = dict(os.environ, DISPLAY=display, WLR_BACKENDS="x11", WLR_X11_OUTPUTS="1", WLR_RENDERER="pixman",
               WLR_LIBINPUT_NO_DEVICES="1", XKB_DEFAULT_LAYOUT="us", GDK_BACKEND="wayland",
               ANTRAGSKIOSK_CONFIG=os.path.join(workdir, "kiosk.conf"), GTK_A11Y="atspi")
    env.pop("NO_AT_BRIDGE", None)
    env.pop("G_DEBUG", None)  # the program's own warnings are not this test's subject
    log = open(os.path.join(workdir, "cage.log"), "w")
    cage = subprocess.Popen(["cage", "-d", "--", kiosk], env=env, stdout=log, stderr=subprocess.STDOUT)
    step = [0]
    result = {"steps": []}

    def shot(name):
        step[0] += 1
        path = os.path.join(shots, "%02d-%s.png" % (step[0], name))
        subprocess.run(["import", "-display", display, "-window", "root", path], check=False)
        return path

    def xdo(*args):
        subprocess.run(["xdotool", *args], env=dict(os.environ, DISPLAY=display), check=True)

    def app():
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            a = desktop.getChildAtIndex(i)
            if a is not None and a.name and "antragskiosk" in a.name:
                return a
        return None

    def walk(node, depth=0):
        if node is None or depth > 60:
            return
        yield node
        try:
            n = node.childCount
        except Exception:
            return
        for i in range(n):
            try:
                yield from walk(node.getChildAtIndex(i), depth + 1)
            except Exception:
                continue

    def on_screen(node):
        try:
            e = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        except Exception:
            return None
        return (e.x, e.y, e.width, e.height) if e.width > 0 and e.height > 0 and e.y >= 0 else None

    def find(name, roles, timeout=20, exact=True):
        end = time.time() + timeout
        while time.time() < end:
            a = app()
            for node in walk(a):
                try:
                    if node.getRoleName() not in roles:
                        continue
                    node_name = node.name or ""
                    if not node_name:
                        # Named by a label (GtkAccessible's labelled-by relation).
                        for rel in node.getRelationSet():
                            if rel.getRelationType() == pyatspi.RELATION_LABELLED_BY:
                                node_name = " ".join(rel.getTarget(i).name or "" for i in range(rel.getNTargets()))
                    if (node_name == name) if exact else (name in node_name):
                        box = on_screen(node)
                        if box is not None:
                            return node, box
                except Exception:
                    continue
            time.sleep(0.3)
        raise AssertionError("no %s named %r on the screen" % ("/".join(roles), name))

    def click(name, roles=("push button",), exact=True):
        _, (x, y, w, h) = find(name, roles, exact=exact)
        xdo("mousemove", str(x + w // 2), str(y + h // 2), "click", "1")
        time.sleep(0.8)
        result["steps"].append("clicked " + name)

    def type_into(name, text):
        _, (x, y, w, h) = find(name, ("entry", "text"), exact=False)
        xdo("mousemove", str(x + w // 2), str(y + h // 2), "click", "1")
        time.sleep(0.3)
        xdo("type", "--delay", "40", text)
        time.sleep(0.3)
        result["steps"].append("typed into " + name)

    try:
        end = time.time() + 60
        while app() is None and time.time() < end:
            time.sleep(0.3)
        if app() is None:
            raise AssertionError("the kiosk does not appear on the accessibility bus")
        find("Deutsch", ("push button",), timeout=30)
        shot("welcome")
        click("Deutsch")
        shot("catalog")
        type_into("Anträge suchen", "Ende zu Ende")
        click(TITLE, ("push button",), exact=False)
        shot("form-page-1")
        # Next with nothing typed: the wizard refuses and says why.
        click("Weiter")
        shot("form-page-1-errors")
        for label, value in ANSWERS:
            type_into(label, value)
        shot("form-page-1-filled")
        click("Weiter")
        click(CHOICE, ("toggle button", "radio button", "push button"))
        click(CONFIRM, ("check box",), exact=False)
        shot("form-page-2-filled")
        click("Weiter")
        shot("review")
        # The review shows what was typed.
        find("Mustermann", ("label",), exact=False)
        click("Weiter")
        shot("consent")
        click("Ich habe den Datenschutzhinweis gelesen", ("check box",), exact=False)
        click("Antrag absenden")
        find("Fertig", ("push button",), timeout=30)
        time.sleep(1.0)
        result["receipt_screen"] = shot("receipt")
        result["ok"] = True
    except Exception as error:  # report, with a screenshot of where it stopped
        result["ok"] = False
        result["error"] = repr(error)
        try:
            result["on_screen"] = ["%s %r %s" % (node.getRoleName(), node.name, on_screen(node))
                                   for node in walk(app()) if on_screen(node)]
        except Exception:
            pass
        result["last_screen"] = shot("failed")
    finally:
        with open(os.path.join(workdir, "driver.json"), "w") as f:
            json.dump(result, f, indent=1)
        cage.terminate()
        try:
            cage.wait(15)
        except subprocess.TimeoutExpired:
            cage.kill()
        log.close()


# ---------------------------------------------------------------- the test

def main():
    sys.path.append(os.path.join(HERE, "platform"))  # at the end: not the stdlib's platform
    from client import Platform

    kiosk = os.environ["ANTRAGSKIOSK_KIOSK"]
    build_dir = os.environ.get("ANTRAGSKIOSK_TEST_OUTDIR", tempfile.gettempdir())
    for tool in ("cage", "Xvfb", "xdotool", "zbarimg", "import", "dbus-run-session"):
        if shutil.which(tool) is None:
            print("1..1\nnot ok 1 %s is not installed (packaging/dev/common.sh installs it)" % tool)
            return 1

    workdir = tempfile.mkdtemp(prefix="kiosk-e2e-")
    os.chmod(workdir, 0o755)
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                            "--shell", "/usr/sbin/nologin", USER], check=True)
        user = pwd.getpwnam(USER)
    else:
        user = pwd.getpwuid(os.getuid())
    run_dir = os.path.join(workdir, "run")
    data_dir = os.path.join(workdir, "data")
    forms_dir = os.path.join(workdir, "forms")
    for d in (run_dir, data_dir, forms_dir):
        os.makedirs(d)
    with open(os.path.join(forms_dir, "e2e-testantrag.json"), "w", encoding="utf-8") as f:
        json.dump(FORM, f, ensure_ascii=False)

    platform_dir = os.path.join(workdir, "platform")
    os.makedirs(platform_dir)
    xvfb = None
    n = 0
    failed = False
    try:
        # The destination lists the test form's service and data schema (a
        # kiosk refuses to send what the destination does not list).
        with Platform(platform_dir, "--service", "urn:de:fim:leika:leistung:%s=%s"
                      % (FORM["leika"], FORM["schema_uri"])) as platform:
            conf = os.path.join(workdir, "kiosk.conf")
            platform.write_kiosk_config(conf, secret_file=os.path.join(workdir, "client-secret"))
            with open(conf, encoding="utf-8") as f:
                text = f.read()
            text = text.replace("[kiosk]\n", "[kiosk]\ndata_dir=%s\nforms_dir=%s\nonscreen_keyboard=false\n"
                                % (data_dir, forms_dir), 1)
            text += "\n[sync]\npoll_interval_s=2\n"
            with open(conf, "w", encoding="utf-8") as f:
                f.write(text)
            shutil.copy(platform.ca_file, os.path.join(workdir, "platform-ca.pem"))
            with open(conf, encoding="utf-8") as f:
                text = f.read().replace(platform.ca_file, os.path.join(workdir, "platform-ca.pem"))
            with open(conf, "w", encoding="utf-8") as f:
                f.write(text)
            for path in (run_dir, data_dir, os.path.join(workdir, "client-secret"), conf,
                         os.path.join(workdir, "platform-ca.pem"), workdir):
                if os.geteuid() == 0:
                    os.chown(path, user.pw_uid, user.pw_gid)
            os.chmod(run_dir, 0o700)

            read, write = os.pipe()
            xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x768x24",
                                     "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
            os.close(write)
            with os.fdopen(read) as r:
                display = ":" + r.readline().strip()

            inner = ["/usr/bin/python3",
                     os.path.abspath(__file__), "--driver", workdir, display, kiosk]
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": workdir, "XDG_RUNTIME_DIR": run_dir,
                   "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "GSETTINGS_BACKEND": "memory"}
            command = ["dbus-run-session", "--", *inner]
            if os.geteuid() == 0:
                command = ["runuser", "-u", USER, "--", "env", *("%s=%s" % kv for kv in env.items()), *command]
            # Its output (and that of the daemons D-Bus starts) is not TAP: to stderr.
            subprocess.run(command, env=env if os.geteuid() != 0 else None, timeout=300, check=False,
                           stdout=sys.stderr.fileno())

            with open(os.path.join(workdir, "driver.json")) as f:
                result = json.load(f)
            screens = os.path.join(build_dir, "e2e-screens")
            shutil.rmtree(screens, ignore_errors=True)
            shutil.copytree(os.path.join(workdir, "screens"), screens)

            n += 1
            tap(result.get("ok"), n, "a visitor picks the form, fills it in and submits it on the kiosk in cage "
                + ("(%s)" % result.get("error") if not result.get("ok") else "(%d steps)" % len(result["steps"])))
            failed |= not result.get("ok")
            if not result.get("ok"):
                for line in result.get("on_screen", []):
                    print("# on screen: " + line)
                with open(os.path.join(workdir, "cage.log")) as f:
                    sys.stdout.write("# " + f.read().replace("\n", "\n# ") + "\n")
                return 1

            # The queue holds it, encrypted, under the reference the receipt shows.
            db = sqlite3.connect(os.path.join(data_dir, "queue.db"))
            references = [r[0] for r in db.execute("SELECT reference FROM applications WHERE form_id = ?",
                                                   (FORM["id"],))]
            db.close()
            n += 1
            tap(len(references) == 1, n, "the queue holds exactly one application of the form: %s" % references)
            failed |= len(references) != 1

            decoded = subprocess.run(["zbarimg", "--quiet", "--raw", os.path.join(screens, os.path.basename(
                result["receipt_screen"]))], capture_output=True, text=True, check=False).stdout.strip()
            n += 1
            ok = bool(references) and references[0] in decoded
            tap(ok, n, "the receipt's QR code on the screen decodes to the reference (%r)" % decoded)
            failed |= not ok

            # The kiosk's own sync worker hands it over to the platform.
            received = []
            end = time.time() + 60
            while time.time() < end:
                received = [s for s in platform.submissions() if references and s.get("senderReference") == references[0]]
                if received and received[0].get("status") not in (None, "incomplete"):
                    break
                time.sleep(0.5)
            n += 1
            ok = bool(received) and received[0].get("status") not in (None, "incomplete")
            tap(ok, n, "the platform received it, decrypted and checked: %s" %
                ([{k: s.get(k) for k in ("status", "senderReference")} for s in received]))
            failed |= not ok
            if ok:
                data = received[0].get("data")
                data = json.loads(data) if isinstance(data, str) else data
                n += 1
                text = json.dumps(data, ensure_ascii=False)
                ok = "Mustermann" in text and "erika@example.org" in text
                tap(ok, n, "the authority gets what was typed")
                failed |= not ok
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--driver":
        driver(sys.argv[2], sys.argv[3], sys.argv[4])
        sys.exit(0)
    sys.exit(main())
