# SPDX-License-Identifier: GPL-3.0-or-later
"""The project reads nothing from outside its own tree.

A fresh clone has nothing beside it: no sibling design folder (the development
machines' design brief and reference data), no sibling checkout. Every
tracked file that is not documentation is scanned for a path that leaves
the repository: a name of the shared folder, or a relative path that
climbs more directories than the file lies deep. Documentation (Markdown,
docs/, man pages) may mention such paths; nothing that runs may use them."""
import os
import re
import subprocess
import tempfile
import unittest

ROOT = os.environ.get("ANTRAGSKIOSK_SOURCE_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THIS = os.path.relpath(os.path.abspath(__file__), ROOT)

# Names of the folder beside the project, in any spelling a build file,
# script or program would use.
# The folder's name is spelt in pieces here, so that this file does not
# itself name the path it looks for.
FOLDER = "sha" + "red"
UP = ".." + "/"
NAMED = [
    re.compile(re.escape(UP) + r"/*" + FOLDER + r"\b"),
    re.compile(r"""['"]\.\.['"]\s*[/,]\s*['"]""" + FOLDER + r"""['"]"""),
    re.compile(r"\b" + FOLDER + r"/+(data|design)\b"),
    re.compile(r"ANTRAGSKIOSK_SHARED_DATA"),
]
# A relative path's run of "../" components, e.g. ../../x .
CLIMB = re.compile(r"(?<![\w.])(?:\.\./+)+")
# meson: project_source_root() / '..' ; Python: os.path.join(ROOT, '..'),
# Path(...).parent of the root.
ABOVE_ROOT = [
    re.compile(r"(source_root|build_root)\(\)\s*/\s*'\.\.'"),
    re.compile(r"""\b(ROOT|SOURCE_ROOT|TOP|top)\b\s*[,/]\s*['"]\.\.['"]"""),
    re.compile(r"""\$\{?(top|ROOT|SOURCE_ROOT)\}?/\.\."""),
]


def is_documentation(path):
    name = os.path.basename(path)
    return (path.endswith(".md") or path.startswith("docs/") or path.startswith("packaging/man/")
            or name.startswith("LICENSE") or name == "copyright" or name == "changelog")


def tracked_files(root):
    if os.path.isdir(os.path.join(root, ".git")):
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True, check=True)
        return [p for p in out.stdout.decode().split("\0") if p]
    files = []
    for base, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not d.startswith("build")
                   and not d.startswith("obj-") and d != "debian"]
        for n in names:
            files.append(os.path.relpath(os.path.join(base, n), root))
    return files


def problems_in(path, text):
    """Each (line number, what) in @text (of the file at @path, relative to
    the root) that names or reaches a place outside the tree."""
    depth = path.count("/")
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for pattern in NAMED:
            if pattern.search(line):
                found.append((number, "names the folder beside the project: " + line.strip()))
        for pattern in ABOVE_ROOT:
            if pattern.search(line):
                found.append((number, "climbs above the source root: " + line.strip()))
        for match in CLIMB.finditer(line):
            levels = match.group(0).count("..")
            if levels > depth:
                found.append((number, f"{levels} levels up from a file {depth} deep leaves the tree: "
                               + line.strip()))
    return found


class SelfContainedTest(unittest.TestCase):
    def test_scanner_finds_what_it_must(self):
        """The scanner itself: each way of leaving the tree is found, and
        the ordinary ways of staying inside are not."""
        leaving = [
            ("tests/meson.build", f"d = meson.project_source_root() / '..' / '{FOLDER}' / 'data'"),
            ("tests/test-x.c", f'path = g_build_filename (dir, "{UP}{FOLDER}/data/x.txt", NULL);'),
            ("tests/test_x.py", f'LIST = os.path.join(ROOT, "..", "{FOLDER}", "data")'),
            ("packaging/dev/x", 'cp "$top/../other/file" .'),
            ("x.sh", "cat ../../etc/list"),
            ("tests/x.py", 'open("../../../list.txt")'),
            ("app/core/x.c", f'#define LIST "/work/{FOLDER}/data/list"'),
        ]
        for path, line in leaving:
            self.assertTrue(problems_in(path, line), f"not found: {path}: {line}")
        staying = [
            ("packaging/dev/common.sh", 'top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)'),
            ("app/core/queue.c", "/* shared memory */ int shared = 1;"),
            ("tests/test-x.c", '#include "../include/x.h"'),
            ("x.py", "if a .. b: pass"),
        ]
        for path, line in staying:
            self.assertEqual(problems_in(path, line), [], f"false alarm: {path}: {line}")

    def test_no_tracked_file_leaves_the_tree(self):
        files = tracked_files(ROOT)
        self.assertGreater(len(files), 50, "too few files found; is ANTRAGSKIOSK_SOURCE_ROOT right?")
        report = []
        scanned = 0
        for path in files:
            if path == THIS or is_documentation(path):
                continue
            full = os.path.join(ROOT, path)
            if not os.path.isfile(full) or os.path.islink(full):
                continue
            with open(full, "rb") as f:
                data = f.read()
            if b"\0" in data:
                continue
            scanned += 1
            for number, what in problems_in(path, data.decode("utf-8", "replace")):
                report.append(f"{path}:{number}: {what}")
        self.assertGreater(scanned, 50)
        self.assertEqual(report, [], "\n" + "\n".join(report))

    def test_din91379_list_is_in_the_tree(self):
        """The reference list the tests use is the project's own copy, with
        its licence and source beside it."""
        folder = os.path.join(ROOT, "tests", "data", "din91379")
        with open(os.path.join(folder, "latin_list_1.3.txt"), encoding="utf-8") as f:
            entries = [line for line in f if line.strip()]
        # The list's published size (DIN 91379:2022-08, list 1.3): 649
        # letters, 18 + 60 + 6 + 4 non-letters, 20 marks, 69 + 62 + 42 extended.
        self.assertEqual(len(entries), 649 + 18 + 60 + 6 + 4 + 20 + 69 + 62 + 42)
        with open(os.path.join(folder, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        self.assertIn("CC BY 4.0", readme)
        self.assertIn("String-Latin", readme)
        self.assertTrue(os.path.exists(os.path.join(folder, "LICENSE.md")))


if __name__ == "__main__":
    unittest.main()
