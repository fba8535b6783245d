#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""WCAG 2.1 AA for the kiosk's colours: every text/background pair that
resources/style.css declares in its "contrast:" comment must reach 4.5:1
(relative luminance and contrast ratio as defined in WCAG 2.1, §1.4.3),
and every colour that the CSS sets with `color:` must appear in a pair as
the foreground, so that no text colour escapes the check."""
import os
import re
import sys

root = os.environ.get("ANTRAGSKIOSK_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
css = open(os.path.join(root, "resources", "style.css"), encoding="utf-8").read()

colours = {name: value for name, value in re.findall(r"@define-color\s+(\w+)\s+#([0-9a-fA-F]{6})\s*;", css)}
assert len(colours) >= 6, "no @define-color found"

comment = re.search(r"/\*\s*contrast:(.*?)\*/", css, re.S)
assert comment, "no contrast: comment in style.css"
pairs = [tuple(p.strip().split(" on ")) for p in re.split(r"[;\n]", comment.group(1).replace("*", "")) if " on " in p]
assert pairs, "no pairs"


def luminance(hexcolour):
    channels = [int(hexcolour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ratio(fg, bg):
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


# The formula itself against known values: black on white is 21:1,
# #777777 on white about 4.48:1 (fails AA).
assert abs(ratio("000000", "ffffff") - 21.0) < 1e-9
assert 4.47 < ratio("777777", "ffffff") < 4.49

failures = []
print("1..%d" % (len(pairs) + 1))
for n, (fg, bg) in enumerate(pairs, 1):
    assert fg in colours and bg in colours, (fg, bg)
    r = ratio(colours[fg], colours[bg])
    ok = r >= 4.5
    print("%s %d %s on %s: %.2f:1" % ("ok" if ok else "not ok", n, fg, bg, r))
    if not ok:
        failures.append((fg, bg, r))

foregrounds = {fg for fg, _ in pairs}
used = set(re.findall(r"(?<![-\w])color:\s*@(\w+)", css))
missing = used - foregrounds
print("%s %d every text colour is checked%s" % ("ok" if not missing else "not ok", len(pairs) + 1,
                                                 (": missing " + ", ".join(sorted(missing))) if missing else ""))
sys.exit(1 if failures or missing else 0)
