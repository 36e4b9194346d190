"""The package's structure: no import cycle among its modules, counting imports inside
functions too (a lazy import must not hide a circle); only those under `if TYPE_CHECKING:`,
which never run, are not edges."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "src" / "nudges"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in tree, in functions too, except under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            found += [i for n in node.orelse for i in imports(ast.Module([n], []))]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        else:
            found += imports(node)
    return found


def top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """The package modules that `path` imports, at import time or in a function: `from .m
    import f` needs m; `from . import m` needs m itself, not the package it sits in."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in imports(ast.parse(path.read_text())):
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
    assert "nudges.costs" not in edges["nudges.activations"]
    assert "nudges.compiled" in edges["nudges.steppers"]           # imported inside a function


def test_no_import_cycle():
    edges = graph()
    cycles = [c for name in edges if (c := cycle_from(name, edges))]
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)
