"""The house line budget (STYLE.md): modules ≤ 300 lines, functions ≤ 30 lines."""

import ast
from pathlib import Path

import pytest

SOURCES = sorted((Path(__file__).parent.parent / "src" / "nudges").rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_module_and_function_budget(path):
    text = path.read_text()
    assert len(text.splitlines()) <= 300, f"{path.name} has {len(text.splitlines())} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= 30, f"{path.name}: {node.name} has {length} lines"
