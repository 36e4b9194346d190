"""The package's structure: no import cycle among its modules at import time.

Imports inside functions (a lazy import of an optional extra, or of a module that imports this
one) and under `if TYPE_CHECKING:` do not run when a module is imported, so they are not edges.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "src" / "nudges"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """The package modules that `path` imports when it is imported: `from .m import f` needs
    m; `from . import m` needs m itself, not the package it sits in (already importing)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            submodules = {f"{target}.{a.name}" for a in node.names} & modules
            found |= submodules or {target}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("nudges")}
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: top_level_imports(path, set(modules)) & modules.keys() - {name}
            for name, path in modules.items()}


def cycle_from(start: str, edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle through start, as a path start -> ... -> start, or None."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in edges[node]:
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_the_graph_is_read():
    edges = graph()
    assert "nudges.network" in edges["nudges.training"]
    assert "nudges.activations" in edges["nudges.costs"]
    assert "nudges.costs" not in edges["nudges.activations"]      # imported inside a function


def test_no_import_cycle():
    edges = graph()
    cycles = [c for name in edges if (c := cycle_from(name, edges))]
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)
