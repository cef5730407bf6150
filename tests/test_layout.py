"""The package's shape: imports flow one way, interfaces stay behind the façade, modules and
functions stay short enough to read. Read from the source with ``ast``; nothing is imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"

# Lower layers never import higher ones. Within a layer, packages may use each other as long as
# no import circle forms (checked separately).
LAYERS = {
    "errors": 0, "records": 0, "settings": 0, "text": 0,
    "models": 1, "storage": 1, "testing": 1, "lexicon": 1,
    "ingestion": 2,
    "retrieval": 3,
    "answering": 4,
    "briefing": 5,
    "assistant": 6, "__init__": 6,
    "ui": 7, "evaluation": 7, "cli": 7,
}  # fmt: skip
INTERFACES = {"ui", "evaluation", "cli"}
# What an interface may import: the façade, the records, settings and errors it hands on, the pure
# text vocabulary (language, normalisation) and the other interfaces.
FACADE = {"assistant", "__init__", "records", "settings", "errors", "text"} | INTERFACES
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {_module_name(p): ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _imports(tree: ast.Module) -> set[str]:
    """The project modules a module imports, anywhere in it (functions included)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "assistant":
            base = node.module
            for alias in node.names:  # ``from assistant.models import e5_materialise`` names a module
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "assistant"}
    return found


def _top(module: str) -> str:
    """The layer key of a module: its subpackage, or its own name at the top (``assistant`` is the
    package itself, the public API)."""
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


GRAPH = {name: _imports(tree) - {name} for name, tree in MODULES.items()}


def test_every_module_has_a_layer() -> None:
    assert {_top(m) for m in MODULES} <= set(LAYERS)


def test_no_import_circle() -> None:
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = path[path.index(module) :] + [module]
            pytest.fail("import circle: " + " -> ".join(cycle))
        if module in done:
            return
        for target in GRAPH.get(module, ()):
            # The package itself re-exports the public API: importing it is importing the façade.
            visit(target, [*path, module])
        done.add(module)

    for module in MODULES:
        if module != "assistant":  # the public API imports everything by design
            visit(module, [])


def test_nothing_imports_upward() -> None:
    upward = [
        f"{source} imports {target}"
        for source, targets in GRAPH.items()
        for target in targets
        if LAYERS[_top(target)] > LAYERS[_top(source)]
    ]
    assert upward == []


def test_interfaces_import_only_the_facade_records_settings_and_errors() -> None:
    reaching = [
        f"{source} imports {target}"
        for source, targets in GRAPH.items()
        if _top(source) in INTERFACES
        for target in targets
        if _top(target) not in FACADE
    ]
    assert reaching == []


def test_no_module_over_400_lines() -> None:
    long = {p.name: n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_over_60_lines() -> None:
    long = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, tree in MODULES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []
