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
    assert "nudges.core.network" in edges["nudges.training.sgd"]
    assert "nudges.core.activations" in edges["nudges.core.costs"]
    assert "nudges.core.costs" not in edges["nudges.core.activations"]
    assert "nudges.engines.compiled" in edges["nudges.engines.choose"]  # imported inside a function


def test_no_import_cycle():
    edges = graph()
    cycles = [c for name in edges if (c := cycle_from(name, edges))]
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


# The subpackages, lowest first: each may import only its own modules and those listed before
# it (nudges/__init__.py and __main__.py sit on top of all of them).
LAYERS = ("core", "data", "engines", "training", "files", "explain", "sweeps", "sklearn", "web",
          "notebook", "cli")


def layer_of(module: str) -> int | None:
    """The position in LAYERS of the subpackage module sits in; None for the package's top."""
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_sits_in_a_layer():
    loose = [name for name in graph() if name.count(".") == 1 and layer_of(name) is None
             and name not in ("nudges.__main__",)]
    assert not loose, f"modules outside the subpackages: {loose}"


def test_no_import_runs_back_up():
    edges = graph()
    upward = [f"{a} -> {b}" for a, targets in edges.items() for b in targets
              if layer_of(a) is not None and layer_of(b) is not None
              and layer_of(b) > layer_of(a)]                           # type: ignore[operator]
    assert not upward, "\n".join(sorted(upward))


def test_each_subpackage_says_its_job():
    for name in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert doc and len(doc.splitlines()) <= 4, name
