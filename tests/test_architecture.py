"""The package's shape (ARCHITECTURE.md): no import cycles between bulletin's modules (imports
inside functions and for type checking included), no private name imported from another
module, and the core free of the command line."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "bulletin"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("bulletin", *path.relative_to(PACKAGE).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, str | None]]:
    """(module imported, name taken from it or None) for every import in the file."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                full = f"{module}.{alias.name}"
                found.append((full, None) if full in modules else (module, alias.name))
    return found


def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {m for m, _ in _imports(name, path, modules) if m in modules and m != name}
        for name, path in modules.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_the_walk_sees_the_imports() -> None:
    edges = graph()
    assert "bulletin.diagnostics.errors" in edges["bulletin.build"]
    assert "bulletin.printing.pdf" in edges["bulletin.build"]  # (an import inside a function)
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_no_private_name_is_imported_from_another_module() -> None:
    modules = _modules()
    private = [
        f"{name} imports {module}.{taken}"
        for name, path in modules.items()
        for module, taken in _imports(name, path, modules)
        if taken and taken.startswith("_") and not taken.startswith("__") and module != name
    ]
    assert private == []


def test_the_core_does_not_import_the_command_line() -> None:
    edges = graph()
    core = ("bulletin.diagnostics.errors", "bulletin.diagnostics.i18n", "bulletin.build")
    for name in (*core, "bulletin.diagnostics.report"):
        modules = _modules()
        imported = {m for m, _ in _imports(name, modules[name], modules)}
        assert "click" not in imported and "bulletin.cli" not in edges[name], name
