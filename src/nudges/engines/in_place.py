"""An activation's (or a cost's δ^L) array code rewritten by code to write into buffers.

An activation is NumPy array code (nudges.core.activations): `1 / (1 + np.exp(np.minimum(-z,
L)))` makes three new arrays (NumPy writes the last two operations into the temporary they
are given). On a mini-batch of 1000 rows a new array is 100,000 numbers, which the allocator
may hand back to the system between steps and fault back in on the next: σ took 0.6-0.8 ms
inside a training step against 0.3 ms into a buffer. So the NumPy engine runs each entry's
`f` and `prime`, and the cost's δ^L, as the same ufuncs in the same order, into buffers
(`in_place(sigmoid).source`):

    def sigmoid_into(z, out, temps):
        __numpy__.negative(z, out)
        __numpy__.minimum(out, EXPONENT_LIMIT, out=out)
        __numpy__.exp(out, out)
        __numpy__.add(1, out, out)
        __numpy__.true_divide(1, out, out)
        return out

Each operation writes into the buffer of its first operand that is itself an operation (else
into a spare one), and the outermost into `out`; so sigmoid needs no spare and softplus one.
The ufuncs and their inputs are the array code's, so the results are equal bit for bit (the
tests check every registered activation). A function whose body is not one `return` of
`+ - * /`, unary minus and float ufuncs on its arguments and numbers (SiLU calls sigmoid,
softmax calls row_max, `z ** 3` is left to NumPy's own choice of ufunc) runs as it is
written, into new arrays.
"""

from __future__ import annotations

import ast
import functools
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.activations import Array
from .compiled_updates import definition, is_docstring

KEYWORD_OUT = {"maximum", "minimum"}   # NumPy 2.4 deprecates their positional `out` (the
                                       # others take it positionally: 0.3 µs less a call)
RESERVED = re.compile(r"out|temps|t[0-9]+|__numpy__")
OPERATORS: dict[type[ast.AST], str] = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply",
                                       ast.Div: "true_divide", ast.USub: "negative"}


class Unsupported(Exception):
    """The function is not in the form this module rewrites."""


@dataclass(frozen=True)
class InPlace:
    """function(*arrays, out, temps) -> the result (in out, or a new array); temps: how many
    spare buffers shaped like out it needs; source: the generated code ("" when the function
    runs as written)."""

    function: Callable[..., Array]
    temps: int
    source: str = ""


@functools.lru_cache(maxsize=256)
def in_place(function: Callable[..., Array]) -> InPlace:
    """The rewrite of `function` (an activation's f or prime, a cost's δ^L), or `function`
    itself, run as it is, for one that is not in the form."""
    try:
        return rewrite(function)
    except (Unsupported, OSError, TypeError, SyntaxError):
        return InPlace(lambda *args: function(*args[:-2]), 0)


def rewrite(function: Callable[..., Array]) -> InPlace:
    """The generated function (see the module's docstring); Unsupported if not in the form."""
    arrays, expression = parts(function)
    writer = Writer(set(arrays), function.__globals__)
    if writer.operation(expression) is None:
        raise Unsupported("returns an argument or a number")
    writer.compute(expression, "out")
    spares = [f"    {', '.join(f't{k}' for k in range(writer.temps))}, = temps"]
    source = "\n".join([f"def {function.__name__}_into({', '.join(arrays)}, out, temps):",
                        *(spares if writer.temps else []), *writer.lines, "    return out"])
    namespace: dict[str, Any] = {}
    exec(source, dict(function.__globals__, __numpy__=np), namespace)  # noqa: S102
    return InPlace(namespace[f"{function.__name__}_into"], writer.temps, source)


def parts(function: Callable[..., Array]) -> tuple[list[str], ast.expr]:
    """The names of function's arguments and the expression it returns; Unsupported unless its
    def is a docstring and one `return`, and it uses none of the names the rewrite writes."""
    tree = definition(function)
    if not isinstance(tree, ast.FunctionDef) or tree.name != function.__name__:
        raise Unsupported("not a def")
    body = [line for line in tree.body if not is_docstring(line)]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        raise Unsupported("not one return")
    names = {n.id if isinstance(n, ast.Name) else n.arg for n in ast.walk(tree)
             if isinstance(n, ast.Name | ast.arg)}
    if any(RESERVED.fullmatch(name) for name in names):
        raise Unsupported("uses a name the rewrite writes (out, temps, t0, …)")
    return [argument.arg for argument in tree.args.args], body[0].value


class Writer:
    """Writes `np.<ufunc>(operands..., buffer)` lines for an expression, innermost first."""

    def __init__(self, arrays: set[str], names: dict[str, Any]) -> None:
        self.arrays, self.names = arrays, names
        self.lines: list[str] = []
        self.free: list[str] = []
        self.temps = 0

    def operation(self, node: ast.expr) -> tuple[str, list[ast.expr]] | None:
        """(ufunc name, operands) when node is an operator or a float ufunc on arrays; None for
        an argument or a number; Unsupported otherwise."""
        if isinstance(node, ast.Name) and node.id in self.arrays:
            return None
        if isinstance(node, ast.BinOp | ast.UnaryOp):
            operands = [node.left, node.right] if isinstance(node, ast.BinOp) else [node.operand]
            name = OPERATORS.get(type(node.op))
            if name is None:
                raise Unsupported(f"operator {type(node.op).__name__}")
        elif isinstance(node, ast.Call) and not node.keywords:
            name, operands = self.ufunc(node.func), list(node.args)
        else:
            self.number(node)
            return None
        if not any(self.operation(operand) is not None or self.is_array(operand)
                   for operand in operands):
            self.number(node)
            return None
        return name, operands

    def ufunc(self, node: ast.expr) -> str:
        """The name in numpy of the float ufunc that node (a name or a.b.c) names."""
        found = self.resolve(node)
        if not isinstance(found, np.ufunc) or found.nout != 1 or (
                "f" * found.nin + "->f" not in found.types):
            raise Unsupported(f"{ast.unparse(node)} is not a float ufunc")
        name = str(found.__name__)
        if getattr(np, name, None) is not found:
            raise Unsupported(f"{name} is not numpy's")
        return name

    def resolve(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Name) and node.id in self.names:
            return self.names[node.id]
        if isinstance(node, ast.Attribute):
            return getattr(self.resolve(node.value), node.attr, None)
        raise Unsupported(f"calls {ast.unparse(node)}")

    def is_array(self, node: ast.expr) -> bool:
        return any(isinstance(n, ast.Name) and n.id in self.arrays for n in ast.walk(node))

    def number(self, node: ast.expr) -> None:
        """Unsupported unless node is made of numbers only (constants, global numbers)."""
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and not isinstance(self.names.get(n.id), numbers.Number):
                raise Unsupported(f"{n.id} is neither an argument nor a number")
            if isinstance(n, ast.Call):
                raise Unsupported("a call on numbers")
        return None

    def compute(self, node: ast.expr, buffer: str | None) -> str:
        """Lines that compute node (an operation) into buffer (a spare one if None), its first
        operand that is an operation into the same buffer; the name of the buffer."""
        name, operands = self.operation(node)  # type: ignore[misc]
        texts, spares, claimed = [], [], False
        for operand in operands:
            if self.operation(operand) is None:
                texts.append(ast.unparse(operand))
                continue
            texts.append(self.compute(operand, None if claimed else buffer))
            if claimed:
                spares.append(texts[-1])
            buffer, claimed = buffer if claimed else texts[-1], True
        buffer = buffer or self.spare()
        out = f"out={buffer}" if name in KEYWORD_OUT else buffer
        self.lines.append(f"    __numpy__.{name}({', '.join(texts)}, {out})")
        self.free += spares
        return buffer

    def spare(self) -> str:
        if self.free:
            return self.free.pop()
        self.temps += 1
        return f"t{self.temps - 1}"
