"""The plugin's layers import one way (``publishing`` → ``authors`` → ``articles``), never the host, and have no
import loops; no module of the plugin grows past what one reader can hold (docs/architecture.md)."""
from __future__ import annotations

import ast
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ("publishing", "authors", "articles")
# What each layer may import of the project's own packages.
ALLOWED = {"publishing": {"publishing"}, "authors": {"publishing", "authors"}, "articles": set(PLUGIN)}
MAX_LINES = 420


def modules(package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports, at its top level or inside functions, absolute or relative."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


class LayerTests(SimpleTestCase):
    def test_each_layer_imports_only_the_layers_below_it_and_never_the_host(self):
        for layer in PLUGIN:
            for name, path in modules(layer).items():
                for target in imported(name, path):
                    top = target.split(".")[0]
                    if top in (*PLUGIN, "ankasam_site", "tests"):
                        with self.subTest(module=name, imports=target):
                            self.assertIn(top, ALLOWED[layer])

    def test_no_import_loops_between_modules_at_import_time(self):
        """Top-level imports only (a function's import runs later and cannot loop at start-up)."""
        graph = {}
        for layer in PLUGIN:
            for name, path in modules(layer).items():
                tree = ast.parse(path.read_text(encoding="utf-8"))
                top_level = ast.Module(body=[n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))])
                package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                targets = set()
                for node in top_level.body:
                    if isinstance(node, ast.Import):
                        targets.update(alias.name for alias in node.names)
                    else:
                        base = node.module or ""
                        if node.level:
                            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                            base = ".".join([*anchor, base] if base else anchor)
                        targets.add(base)
                        targets.update(f"{base}.{alias.name}" for alias in node.names)
                graph[name] = targets
        known = set(graph)
        edges = {name: {t for t in targets if t in known and t != name} for name, targets in graph.items()}

        def cycle_from(start):
            stack, seen = [(start, [start])], set()
            while stack:
                node, trail = stack.pop()
                for nxt in edges[node]:
                    if nxt == start:
                        return [*trail, start]
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append((nxt, [*trail, nxt]))
            return None

        loops = [loop for name in sorted(edges) if (loop := cycle_from(name)) and not name.endswith("__init__")]
        # A package's __init__ importing its own submodules is how a package presents itself, not a loop.
        loops = [loop for loop in loops if not all(a.startswith(b) or b.startswith(a) for a, b in zip(loop, loop[1:]))]
        self.assertEqual(loops, [])

    def test_no_module_of_the_plugin_is_longer_than_a_reader_can_hold(self):
        for layer in PLUGIN:
            for name, path in modules(layer).items():
                with self.subTest(module=name):
                    self.assertLessEqual(len(path.read_text(encoding="utf-8").splitlines()), MAX_LINES)
