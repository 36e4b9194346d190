"""The house line budget (STYLE.md): modules ≤ 300 lines, functions ≤ 30 lines.

Python functions are found with ast. The page's JavaScript modules have no parser here, so a
function is a line that starts `function name(` (or `const name = (...) => {`) and runs to the
brace that closes the one it opens; braces inside strings and comments are not expected.
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "nudges"
SOURCES = sorted(PACKAGE.rglob("*.py"))
SCRIPTS = sorted(PACKAGE.rglob("*.js"))
JS_FUNCTION = re.compile(r"^\s*(?:export\s+)?(?:async\s+)?function\s*\*?\s*(\w+)\s*\("
                         r"|^\s*(?:export\s+)?const\s+(\w+)\s*=\s*(?:async\s*)?\([^)]*\)\s*=>\s*\{\s*$")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_module_and_function_budget(path):
    text = path.read_text()
    assert len(text.splitlines()) <= 300, f"{path.name} has {len(text.splitlines())} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= 30, f"{path.name}: {node.name} has {length} lines"


def js_functions(text: str) -> list[tuple[str, int]]:
    """(name, lines) of each function a JS module declares, by matching its braces."""
    lines = [re.sub(r"(^|\s)//.*$", "", line) for line in text.splitlines()]
    found = []
    for start, line in enumerate(lines):
        match = JS_FUNCTION.match(line)
        if not match:
            continue
        depth, seen = 0, False
        for end in range(start, len(lines)):
            depth += lines[end].count("{") - lines[end].count("}")
            seen = seen or "{" in lines[end]
            if seen and depth <= 0:
                break
        assert seen and depth == 0, f"unbalanced braces after line {start + 1}"
        found.append((match.group(1) or match.group(2), end - start + 1))
    return found


def test_the_js_function_finder():
    text = ("function a(x) {\n  if (x) { return `${x}`; }\n}\n"
            "export async function b() { return 1; }\n"
            "const c = (y) => {\n  // a comment with a } brace\n  return y;\n};\n")
    assert js_functions(text) == [("a", 3), ("b", 1), ("c", 4)]


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_script_module_and_function_budget(path):
    text = path.read_text()
    assert len(text.splitlines()) <= 300, f"{path.name} has {len(text.splitlines())} lines"
    for name, length in js_functions(text):
        assert length <= 30, f"{path.name}: {name} has {length} lines"

