"""The package's layout is its architecture: stages import downward, and say so in names.

Every module under ``src/poletype`` is parsed (not imported) and its ``import`` statements
read. Three rules follow from docs/architecture.md:

- a layer imports only itself and the layers below it (``LAYERS``, lowest first);
- no import hides in a function, except the few lazy ones listed in ``LAZY`` (the
  screening side that ``import poletype`` must not load, and optional extras);
- a name another module imports has no leading underscore (private means "this file").

And no cycle between modules, not even through a function-level import.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "poletype"

LAYERS: list[set[str]] = [
    {"errors"},
    {"_read", "_construct"},
    {"rulefile", "model", "verdict"},
    {"_engine"},
    {"_rules"},
    {"_scale"},
    {"_screening"},
    {"_analysis"},
    {"_render"},
    {"_api"},
    {"_server"},
    {"_cli"},
    {"cli"},
    {"__init__", "__main__"},
]
"""Each module's layer is its subpackage (``_engine``) or, at the top, its own name."""

LAZY: dict[str, set[str]] = {
    "poletype.cli": {
        "poletype._cli.screen",
        "poletype._render.map",
        "poletype._render.schemas",
        "poletype._screening.template",
    },
    "poletype._cli.serve": {"poletype._server._run"},
    "poletype._cli.inputs": {
        "poletype._analysis.frames",
        "poletype._screening.tabular",
    },
    "poletype._cli.research": {
        "poletype._analysis",
        "poletype._analysis.manifest",
        "poletype._analysis.plots",
        "poletype._analysis.sweep",
    },
    "poletype._engine.justify": {"poletype._engine.codes"},
}
"""Function-level imports that are allowed, and why.

The CLI imports the screening side (spreadsheets, what-if search, HTML) only for the
commands that use it, so ``poletype classify`` does not pay for it; the map needs the
optional ``matplotlib``, ``serve`` the optional ``server`` extra (FastAPI), ``schema``
the JSON Schemas (built from every model). The case tables (``_analysis.frames``, the
spreadsheet readers), the CSV writer and the research tools (fit, plots, sweeps,
manifests; pandas, polars and matplotlib behind them) load only in the commands and
options that use them. ``_engine.justify`` reads the words of codes (``data/codes.yaml``,
parsed when ``_engine.codes`` is imported) only when a sentence shows a code, so that
``import poletype`` reads no words (``tests/test_model.py``). ``poletype/__init__`` loads
the screening and research names through its lazy ``__getattr__`` (``importlib``, not an
import statement).
"""


@dataclass(frozen=True)
class Import:
    importer: str
    module: str
    names: tuple[str, ...]
    in_function: bool
    type_checking: bool
    line: int


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(("poletype", *parts))


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            func = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            checking = type_checking or (
                isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            )
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                if child.module.startswith("poletype"):
                    names = tuple(a.name for a in child.names)
                    found.append(Import(name, child.module, names, func, checking, child.lineno))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("poletype"):
                        found.append(Import(name, alias.name, (), func, checking, child.lineno))
            visit(child, func, checking)

    visit(tree, False, False)
    return found


def _target(imp: Import, modules: dict[str, Path], name: str) -> str:
    """The module an imported name comes from (``from poletype._engine import logic``)."""
    candidate = f"{imp.module}.{name}"
    return candidate if candidate in modules else imp.module


def _layer(module: str) -> int:
    parts = module.split(".")
    unit = parts[1] if len(parts) > 1 else "__init__"
    for rank, layer in enumerate(LAYERS):
        if unit in layer:
            return rank
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/architecture.md")


MODULES = _modules()
IMPORTS = [imp for name, path in MODULES.items() for imp in _imports(name, path)]


def _edges() -> set[tuple[str, str]]:
    edges = set()
    for imp in IMPORTS:
        if imp.type_checking:
            continue
        targets = {_target(imp, MODULES, n) for n in imp.names} or {imp.module}
        edges |= {(imp.importer, t) for t in targets if t != imp.importer}
    return edges


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        _layer(module)


@pytest.mark.parametrize("imp", IMPORTS, ids=lambda i: f"{i.importer}:{i.line}")
def test_a_layer_imports_only_downward(imp: Import) -> None:
    targets = {_target(imp, MODULES, n) for n in imp.names} or {imp.module}
    for target in targets:
        assert _layer(target) <= _layer(imp.importer), (
            f"{imp.importer} (line {imp.line}) imports {target}, a higher layer"
        )


def test_no_import_hides_in_a_function() -> None:
    lazy = {(i.importer, i.module) for i in IMPORTS if i.in_function}
    allowed = {(k, v) for k, vs in LAZY.items() for v in vs}
    assert lazy <= allowed, sorted(lazy - allowed)
    assert allowed <= lazy, f"LAZY lists imports that are gone: {sorted(allowed - lazy)}"


def test_no_private_name_crosses_a_module() -> None:
    crossing = [
        f"{i.importer}:{i.line} imports {n} from {i.module}"
        for i in IMPORTS
        for n in i.names
        if n.startswith("_") and _target(i, MODULES, n) == i.module
    ]
    assert not crossing, crossing


def test_no_private_attribute_of_another_module() -> None:
    """``from poletype._rules import loader`` then ``loader._schema_errors`` is crossing too."""
    crossing = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {
            a.asname or a.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("poletype")
            for a in node.names
            if f"{node.module}.{a.name}" in MODULES
        }
        crossing += [
            f"{name}:{node.lineno} reads {node.value.id}.{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ]
    assert not crossing, crossing


def test_no_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for importer, target in _edges():
        graph[importer].add(target)
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError(" -> ".join(cycle))
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_the_subpackages_are_packaged() -> None:
    """pyproject.toml lists every subpackage, or a wheel would ship without it."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for init in PACKAGE.glob("*/__init__.py"):
        assert f'"poletype.{init.parent.name}"' in pyproject, init.parent.name


def test_no_module_is_over_600_lines() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600
        and not name.endswith("parsetab")
    }
    assert not long, long
