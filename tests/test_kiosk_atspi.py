#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Walks the AT-SPI tree of the running kiosk (as a screen reader sees it)
on each screen of a visitor's way: welcome, catalog, the first page of
every bundled form, the same page with its errors. Fails on any control
(button, toggle, check box, entry, combo box …) that is showing but has no
accessible name. With [speech] mode=always and a transcript, it also moves
the focus with Tab over the catalog and each first page and checks that
what the kiosk says names the focused control exactly as the AT-SPI tree
does (speech and screen reader cannot drift apart). Run under dbus-run-session and xvfb-run; the
accessibility bus is started by D-Bus activation (at-spi-bus-launcher),
and the kiosk is started without NO_AT_BRIDGE."""
import json
import os
import subprocess
import sys
import tempfile
import time

import pyatspi

kiosk = os.environ.get("ANTRAGSKIOSK_KIOSK")
if not kiosk:
    print("1..0 # SKIP ANTRAGSKIOSK_KIOSK not set")
    sys.exit(0)

CONTROLS = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_ENTRY, pyatspi.ROLE_PASSWORD_TEXT,
    pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_SPIN_BUTTON, pyatspi.ROLE_SLIDER,
    pyatspi.ROLE_LINK, pyatspi.ROLE_MENU_ITEM, pyatspi.ROLE_SWITCH if hasattr(pyatspi, "ROLE_SWITCH") else -1,
}

tmp = tempfile.mkdtemp(prefix="kiosk-atspi-")
conf = os.path.join(tmp, "kiosk.conf")
with open(conf, "w") as f:
    f.write("[kiosk]\nid=atspi\ndata_dir=%s\n[destination demo]\n"
            "destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
            "key_file=resource:///de/antragskiosk/demo/demo-destination.jwk\n"
            "trust_anchor=resource:///de/antragskiosk/demo/demo-root-ca.pem\nforms=*\n"
            "[speech]\nmode=always\ntranscript=%s\n" % (tmp, os.path.join(tmp, "speech.jsonl")))
transcript = os.path.join(tmp, "speech.jsonl")
env = dict(os.environ)
env.pop("NO_AT_BRIDGE", None)
env["ANTRAGSKIOSK_CONFIG"] = conf
env["GTK_A11Y"] = "atspi"
env.pop("G_DEBUG", None)   # the program's own warnings are not this test's subject


# 60 s: under load (two test programs and a sanitizer build at once) the
# registry once took longer than 20 s to answer, and the test failed
# although the kiosk was there.
def find_app(name, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name and name in app.name:
                return app
        time.sleep(0.2)
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
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1)


def showing(node):
    # GTK 4.8 does not keep STATE_SHOWING up to date for the widgets of a
    # page, so every control in the tree is checked, whatever screen it
    # is on (stricter: hidden pages count too); only widgets whose
    # accessible is marked invisible are left out.
    try:
        states = node.getState()
        return not states.contains(pyatspi.STATE_DEFUNCT)
    except Exception:
        return False


def labels_of(node):
    names = []
    try:
        for rel in node.getRelationSet():
            if rel.getRelationType() == pyatspi.RELATION_LABELLED_BY:
                for i in range(rel.getNTargets()):
                    names.append(rel.getTarget(i).name)
    except Exception:
        pass
    return [n for n in names if n]


def check(app, screen, results):
    controls = 0
    unlabelled = []
    for node in walk(app):
        try:
            role = node.getRole()
        except Exception:
            continue
        if role not in CONTROLS or not showing(node):
            continue
        controls += 1
        if not (node.name or "").strip() and not labels_of(node):
            unlabelled.append("%s (%s)" % (node.getRoleName(), node.description or "no description"))
    results.append((screen, controls, unlabelled))
    return controls


def spoken():
    try:
        with open(transcript, encoding="utf-8") as f:
            return [json.loads(line)["text"] for line in f if line.strip()]
    except FileNotFoundError:
        return []


def focused(app):
    for node in walk(app):
        try:
            if node.getState().contains(pyatspi.STATE_FOCUSED):
                return node
        except Exception:
            continue
    return None


def check_speech(app, screen, roles, results, presses=12):
    """Moves the focus with Tab (real key presses, xdotool) and checks that
    each utterance that follows contains the focused control's AT-SPI
    name."""
    checked = 0
    wrong = []
    subprocess.run(["xdotool", "mousemove", "5", "5"], check=True)
    for _ in range(presses):
        before = len(spoken())
        subprocess.run(["xdotool", "key", "Tab"], check=True)
        end = time.time() + 3
        while len(spoken()) == before and time.time() < end:
            time.sleep(0.05)
        time.sleep(0.1)
        node = focused(app)
        try:
            if node is None or node.getRole() not in roles or not (node.name or "").strip():
                continue
        except Exception:
            continue
        said = " ".join(spoken()[before:])
        checked += 1
        if node.name not in said:
            wrong.append("%s: said %r" % (node.name, said[:120]))
    results.append(("%s: speech names the focused control as AT-SPI does" % screen, checked, wrong))


def press(app, name):
    for node in walk(app):
        try:
            if node.name == name and node.getRole() in (pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON) and showing(node):
                action = node.queryAction()
                for i in range(action.nActions):
                    if action.getName(i) in ("click", "press", "activate"):
                        action.doAction(i)
                        time.sleep(0.7)
                        return True
                action.doAction(0)
                time.sleep(0.7)
                return True
        except Exception:
            continue
    return False


proc = subprocess.Popen([kiosk, "--windowed"], env=env)
results = []
try:
    app = find_app("antragskiosk")
    if app is None:
        print("1..1\nnot ok 1 the kiosk does not appear on the AT-SPI bus")
        sys.exit(1)
    time.sleep(1.0)
    check(app, "welcome", results)
    assert press(app, "Deutsch"), "no 'Deutsch' button on the accessibility tree"
    check(app, "catalog", results)
    check_speech(app, "catalog", {pyatspi.ROLE_PUSH_BUTTON}, results)
    root = os.environ.get("ANTRAGSKIOSK_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
    forms_dir = os.path.join(root, "resources", "forms")
    forms = [json.load(open(os.path.join(forms_dir, f), encoding="utf-8"))["title"]["de"]
             for f in sorted(os.listdir(forms_dir)) if f.endswith(".json")]
    tiles = [n.name for n in walk(app) if n.getRole() == pyatspi.ROLE_PUSH_BUTTON and n.name in forms]
    for tile in tiles:
        if not press(app, tile):
            continue
        check(app, "%s: first page" % tile, results)
        check_speech(app, "%s: first page" % tile,
                     {pyatspi.ROLE_ENTRY, pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_CHECK_BOX}, results)
        press(app, "Weiter")
        check(app, "%s: errors" % tile, results)
        press(app, "Abbrechen")
        press(app, "Ja, löschen und abbrechen")
        press(app, "Deutsch")
    if len(tiles) < len(forms):
        results.append(("catalog tiles", len(tiles), ["only %d of %d form tiles found" % (len(tiles), len(forms))]))
finally:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()

print("1..%d" % len(results))
failed = False
for n, (screen, controls, unlabelled) in enumerate(results, 1):
    ok = not unlabelled and controls > 0
    failed |= not ok
    print("%s %d %s: %d controls%s" % ("ok" if ok else "not ok", n, screen, controls,
                                       (", unlabelled: " + "; ".join(unlabelled)) if unlabelled else ""))
sys.exit(1 if failed else 0)
