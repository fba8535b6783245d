# SPDX-License-Identifier: GPL-3.0-or-later
"""One module, one job (docs/architecture.md): the core's modules include
each other without a cycle, and the configuration module includes no header
of a module that reads the configuration (each module checks its own group;
config.c only loads files).

A module is a public header include/antragskiosk/NAME.h; a file of
app/core/ belongs to the module with the longest NAME that its file name
equals or starts with followed by "-" (queue-open.c and queue-private.h
belong to queue, receipt-item.c to receipt-item). A file that includes
another module's public or private header makes an edge between them."""
import os
import re
import shutil
import tempfile
import unittest

ROOT = os.environ.get("ANTRAGSKIOSK_SOURCE_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Public headers that are a second face of one module.
SAME_MODULE = {"config-check": "config"}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"](?:antragskiosk/)?([A-Za-z0-9_-]+)\.h[>"]', re.M)


def module_graph(root):
    """{module: {module it includes: [the file that does]}}"""
    names = sorted((f[:-2] for f in os.listdir(os.path.join(root, "include", "antragskiosk")) if f.endswith(".h")),
                   key=len, reverse=True)

    def owner(stem):
        stem = stem[:-len("-private")] if stem.endswith("-private") else stem
        for name in names:
            if stem == name or stem.startswith(name + "-"):
                return SAME_MODULE.get(name, name)
        return None

    files = [os.path.join(root, "include", "antragskiosk", f) for f in os.listdir(os.path.join(root, "include",
                                                                                           "antragskiosk"))]
    files += [os.path.join(root, "app", "core", f) for f in os.listdir(os.path.join(root, "app", "core"))]
    graph = {}
    for path in files:
        if not path.endswith((".c", ".h")):
            continue
        source = owner(os.path.basename(path)[:-2])
        if source is None:
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for match in INCLUDE.finditer(text):
            header = match.group(1)
            if header == "config" and '"config.h"' in match.group(0):
                continue   # the build's config.h (meson), not the module
            target = owner(header)
            if target is not None and target != source:
                graph.setdefault(source, {}).setdefault(target, []).append(os.path.relpath(path, root))
    return graph


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def describe(graph, component):
    return "; ".join("%s -> %s (%s)" % (a, b, ", ".join(graph[a][b]))
                     for a in component for b in sorted(graph.get(a, {})) if b in component)


class ModuleGraphTest(unittest.TestCase):
    def test_no_cycle_among_core_modules(self):
        graph = module_graph(ROOT)
        found = cycles(graph)
        self.assertEqual(found, [], "\n".join(describe(graph, c) for c in found))

    def test_config_includes_no_module_that_reads_the_configuration(self):
        graph = module_graph(ROOT)
        readers = {m for m, targets in graph.items() if "config" in targets}
        included = set(graph.get("config", {}))
        self.assertEqual(included & readers, set(), {m: graph["config"][m] for m in included & readers})
        # and config.c itself includes only its own module's headers and file.h
        with open(os.path.join(ROOT, "app", "core", "config.c"), encoding="utf-8") as f:
            headers = {m.group(1) for m in INCLUDE.finditer(f.read())
                       if os.path.exists(os.path.join(ROOT, "include", "antragskiosk", m.group(1) + ".h"))
                       or os.path.exists(os.path.join(ROOT, "app", "core", m.group(1) + ".h"))}
        self.assertLessEqual(headers, {"config", "config-private", "config-check", "file"}, headers)

    def test_the_scanner_finds_a_cycle(self):
        """The check can fail: a tree where sync includes config and config
        includes sync is reported, with the files."""
        tree = tempfile.mkdtemp()
        try:
            os.makedirs(os.path.join(tree, "include", "antragskiosk"))
            os.makedirs(os.path.join(tree, "app", "core"))
            for name in ("config", "sync", "sync-status", "file"):
                open(os.path.join(tree, "include", "antragskiosk", name + ".h"), "w").close()
            with open(os.path.join(tree, "app", "core", "config.c"), "w") as f:
                f.write('#include "config.h"\n#include <antragskiosk/file.h>\n#include "antragskiosk/sync.h"\n')
            with open(os.path.join(tree, "app", "core", "sync-engine.c"), "w") as f:
                f.write('#include "config.h"\n#include <antragskiosk/config.h>\n')
            with open(os.path.join(tree, "app", "core", "sync-status.c"), "w") as f:
                f.write('#include <antragskiosk/sync-status.h>\n')
            graph = module_graph(tree)
            self.assertEqual(cycles(graph), [["config", "sync"]])
            self.assertIn("app/core/sync-engine.c", describe(graph, ["config", "sync"]))
            # the build's config.h alone makes no edge; a longer module name wins
            self.assertNotIn("config", graph.get("sync-status", {}))
            self.assertEqual(set(graph), {"config", "sync"})
        finally:
            shutil.rmtree(tree)


if __name__ == "__main__":
    unittest.main()
