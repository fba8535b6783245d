# SPDX-License-Identifier: GPL-3.0-or-later
"""Prints one closing line for the whole suite, from the test logs of each
build directory given: 'N passed, N failed, N skipped'. A skipped test is
not a passed one. Exits 1 when anything failed or no test ran."""
import json
import sys

passed = failed = skipped = 0
for build in sys.argv[1:]:
    try:
        with open(f"{build}/meson-logs/testlog.json", encoding="utf-8") as log:
            for line in log:
                result = json.loads(line)["result"]
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                else:
                    failed += 1
    except FileNotFoundError:
        print(f"{build}: no test log (the build failed?)", file=sys.stderr)
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or not passed else 0)
