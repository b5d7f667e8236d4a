"""The architecture holds: imports point down the layers, no import cycles, cheap imports stay cheap.

The layer table lives in one place, docs/architecture.md ("Layers"); this test reads it
from there. Rules (see that page):

* a module may import modules of its own layer and of lower layers, never of a higher
  one; imports inside functions count, imports under ``if TYPE_CHECKING:`` do not, and
  ``importlib.import_module`` with a name in a string is not an import;
* no import cycle among the imports a module runs when it is imported (its top-level
  imports);
* ``import riskkit`` loads no scikit-learn, scipy.stats or pandas, and scoring with a
  saved and loaded ``Scorecard`` loads no scikit-learn.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
import subprocess
import sys
from collections.abc import Collection, Iterator
from functools import cache
from pathlib import Path

import attrs
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "riskkit"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


@attrs.frozen
class Import:
    """One import of a riskkit module by another."""

    module: str  # the importing module, e.g. "riskkit.scoring._grades"
    line: int
    target: str  # the imported module, e.g. "riskkit.errors"
    top_level: bool  # runs when the importing module is imported (not inside a function)


# --------------------------------------------------------------------------- the package's modules


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    out: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _where(module: str) -> str:
    return modules()[module].relative_to(ROOT).as_posix()


# --------------------------------------------------------------------------- the layer table


@cache
def layer_table() -> dict[str, int]:
    """``{entry: layer}`` from the rows ``| L<n> | name | `module`, `package`, ... | ... |`` of docs/architecture.md.

    An entry is a module or package under ``riskkit`` (``errors``, ``scoring``) and covers
    its submodules; ``riskkit`` itself stands for ``riskkit/__init__.py``.
    """
    table: dict[str, int] = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not re.fullmatch(r"L\d", cells[0]):
            continue
        for entry in re.findall(r"`([A-Za-z_][\w.]*)`", cells[2]):
            assert entry not in table, f"docs/architecture.md puts {entry} in two layers"
            table[entry] = int(cells[0][1:])
    assert table, "docs/architecture.md has no layer table (rows '| L0 | base | `errors`, ... |')"
    return table


def layer_of(module: str) -> int | None:
    """The layer of a dotted module name: its own entry, else its nearest package's; None if unlisted."""
    table = layer_table()
    if module == "riskkit":
        return table.get("riskkit")
    parts = module.split(".")[1:]
    for n in range(len(parts), 0, -1):
        entry = ".".join(parts[:n])
        if entry in table:
            return table[entry]
    return None


# --------------------------------------------------------------------------- the imports


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, known: Collection[str]) -> None:
        self.module = module
        self.is_package = is_package
        self.known = known  # the package's module names
        self.depth = 0  # function nesting
        self.found: list[Import] = []

    def _add(self, node: ast.stmt, target: str) -> None:
        self.found.append(Import(self.module, node.lineno, target, self.depth == 0))

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):  # typing only: not an import at run time
            for stmt in node.orelse:
                self.visit(stmt)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "riskkit" or alias.name.startswith("riskkit."):
                self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            package = self.module if self.is_package else self.module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{node.module}" if node.module else package
        else:
            base = node.module or ""
        if base != "riskkit" and not base.startswith("riskkit."):
            return
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            # `from riskkit import scoring` imports the package riskkit.scoring; `from riskkit.scoring
            # import Scaling` imports riskkit.scoring (its __init__)
            self._add(node, submodule if submodule in self.known else base)


def parse_imports(source: str, module: str, is_package: bool, known: Collection[str]) -> tuple[Import, ...]:
    """The riskkit imports in ``source``, the text of ``module``."""
    collector = _Collector(module, is_package, known)
    collector.visit(ast.parse(source))
    return tuple(dict.fromkeys(collector.found))  # `from m import a, b` is one import of m


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    path = modules()[module]
    return parse_imports(path.read_text(encoding="utf-8"), module, path.name == "__init__.py", modules())


def all_imports() -> Iterator[Import]:
    for module in modules():
        yield from imports_of(module)


def test_the_import_reader_resolves_and_skips_what_it_should() -> None:
    source = """
from __future__ import annotations
from typing import TYPE_CHECKING
import numpy
import riskkit.errors
from riskkit import finance, RiskkitError
from riskkit.scoring import Scaling, _grades
from . import _base
from ..policy._engine import CreditPolicy
if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio
else:
    from riskkit import records
def f():
    from riskkit.metrics import validate
"""
    known = {
        "riskkit",
        "riskkit.errors",
        "riskkit.finance",
        "riskkit.records",
        "riskkit.scoring",
        "riskkit.scoring._grades",
        "riskkit.signals",
        "riskkit.signals._base",
        "riskkit.policy._engine",
    }
    found = parse_imports(source, "riskkit.signals._x", False, known)
    assert [(i.line, i.target, i.top_level) for i in found] == [
        (5, "riskkit.errors", True),
        (6, "riskkit.finance", True),
        (6, "riskkit", True),  # a name of riskkit/__init__.py, not a submodule
        (7, "riskkit.scoring", True),
        (7, "riskkit.scoring._grades", True),
        (8, "riskkit.signals._base", True),
        (9, "riskkit.policy._engine", True),
        (13, "riskkit.records", True),
        (15, "riskkit.metrics", False),
    ]
    assert _cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1, "d": 1}, "d": {}, "e": {"e": 1}}) == [
        ["a", "b", "c", "a"],
        ["e", "e"],
    ]


# --------------------------------------------------------------------------- (a) layers


def test_every_module_is_in_the_layer_table() -> None:
    unlisted = [f"{_where(m)} ({m})" for m in modules() if layer_of(m) is None]
    assert not unlisted, (
        "modules missing from the layer table of docs/architecture.md (add each to one layer):\n  "
        + "\n  ".join(unlisted)
    )


def test_imports_point_down_the_layers() -> None:
    violations = []
    for imp in all_imports():
        own, target = layer_of(imp.module), layer_of(imp.target)
        if own is None:
            continue  # reported by test_every_module_is_in_the_layer_table
        if target is None:
            violations.append(
                f"{_where(imp.module)}:{imp.line}: {imp.module} -> {imp.target} (not in the layer table)"
            )
        elif target > own:
            where = "" if imp.top_level else " (inside a function)"
            violations.append(
                f"{_where(imp.module)}:{imp.line}: {imp.module} (L{own}) -> {imp.target} (L{target}){where}"
            )
    assert not violations, (
        f"{len(violations)} imports go up the layers of docs/architecture.md (a lower layer never imports "
        "a higher one; move the code, pass the object in, or import under TYPE_CHECKING for annotations):\n  "
        + "\n  ".join(violations)
    )


# --------------------------------------------------------------------------- (b) cycles


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle (first node repeated at the end) per strongly connected component that has one."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(v: str) -> None:  # Tarjan; the package is small enough for recursion
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
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
            if len(component) > 1 or v in graph[v]:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)

    cycles = []
    for component in components:
        members = set(component)
        start = component[0]
        # shortest path from start back to start inside the component
        previous: dict[str, str] = {}
        frontier = [start]
        while frontier and start not in previous:
            nxt = []
            for v in frontier:
                for w in sorted(graph[v]):
                    if w in members and w not in previous:
                        previous[w] = v
                        nxt.append(w)
            frontier = nxt
        path = [start]
        v = previous[start]
        while v != start:
            path.append(v)
            v = previous[v]
        path.append(start)
        cycles.append(path[::-1])
    return sorted(cycles)


def test_no_import_cycles_at_module_level() -> None:
    graph: dict[str, dict[str, int]] = {m: {} for m in modules()}
    for imp in all_imports():
        if imp.top_level and imp.target in graph and imp.target != imp.module:
            graph[imp.module].setdefault(imp.target, imp.line)
    cycles = _cycles(graph)
    shown = [
        " -> ".join(f"{a} ({_where(a)}:{graph[a][b]})" for a, b in itertools.pairwise(cycle))
        + f" -> {cycle[-1]}"
        for cycle in cycles
    ]
    assert not cycles, f"{len(cycles)} import cycles among top-level imports:\n  " + "\n  ".join(shown)


# --------------------------------------------------------------------------- (c), (d) laziness


def _run(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter; its standard output, line by line."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()


def _loaded(*prefixes: str) -> str:
    """Code printing, as a JSON list, the loaded modules named by ``prefixes`` or under them."""
    return (
        "\nimport json as _json, sys as _sys\n"
        f"print(_json.dumps(sorted(m for m in _sys.modules if any(m == p or m.startswith(p + '.') for p in {prefixes!r}))))\n"
    )


def test_import_riskkit_loads_no_heavy_dependency() -> None:
    loaded = json.loads(_run("import riskkit" + _loaded("sklearn", "scipy.stats", "pandas"))[-1])
    assert loaded == [], f"`import riskkit` loaded {loaded}"


def test_scoring_a_loaded_scorecard_imports_no_sklearn(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    import numpy as np

    import riskkit
    from riskkit.datasets import load_german_credit

    X, y = load_german_credit()
    card = riskkit.Scorecard().fit(X, y)
    path = tmp_path / "card.json"
    riskkit.save(card, path)

    code = (
        "import json, riskkit\n"
        "from riskkit.datasets import load_german_credit\n"
        f"card = riskkit.load({str(path)!r})\n"
        "X, _ = load_german_credit()\n"
        "print(json.dumps(card.score(X).score.tolist()))\n"
    )
    scores, modules_line = _run(code + _loaded("sklearn"))[-2:]
    np.testing.assert_array_equal(np.array(json.loads(scores)), card.score(X).score)
    loaded = json.loads(modules_line)
    assert loaded == [], f"loading a saved Scorecard and scoring with it imported {loaded}"
