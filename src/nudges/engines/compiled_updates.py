"""An optimizer's update as a function of single numbers, written by code from its one text.

`Optimizer.update` is NumPy array code that moves p and its state in place (nudges.core.optimizers
says the form). The compiled engine runs it on one element at a time, where nothing is an array and
nothing can change in place, so this module rewrites its syntax tree:

    x op= e                        →  x = x op e
    Other.update(p, g, state, …)   →  p, state = <Other's rewrite>(p, g, state, …)
    the end                        →  return p, (the names unpacked from state)   or p, state
    a number meeting an element    →  R(number)

The last is NumPy's rule, made explicit. In `eta * g`, NumPy rounds the Python float η to g's
dtype and multiplies in float32 when g is float32; numba would instead widen g to float64, as it
types every Python number as a float64 or int64. So where a side that holds only numbers (η, h,
t, `1 - h[0]`, math.sqrt(…)) meets a side that holds an element (p, g, the state, and what is
computed from them), the number side is wrapped in R, which the generated module binds to the
type the update computes in (nudges.engines.compiled.update_type: the network's dtype for SGD,
float64 for an optimizer with state). The numbers themselves are still computed in float64, as
Python computes them. The arithmetic is otherwise untouched, so the compiled step is the same
text the reference engine runs, rounded as NumPy rounds it.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from typing import Any

from ..core.errors import InvalidInput


def scalar_name(optimizer: type[Any]) -> str:
    """The name of the rewrite of optimizer's update."""
    return f"{optimizer.name}_update_each"


def scalar_sources(optimizer: type[Any]) -> list[str]:
    """The source of optimizer's update rewritten for single numbers (named scalar_name), after
    the rewrites of the updates it calls."""
    return list(rewritten(optimizer, optimizer.update))  # type: ignore[arg-type]


@functools.lru_cache(maxsize=256)
def rewritten(optimizer: type[Any], update: Any) -> tuple[str, ...]:
    """scalar_sources, once per optimizer and update function (a stepper is made each epoch
    that η changes, and reading and parsing the source took 0.4-2 ms)."""
    function = definition(update)
    assert isinstance(function, ast.FunctionDef)
    rewriter = Rewriter(optimizer.name, update.__globals__)
    function.body = [rewriter.visit(line) for line in function.body
                     if not is_docstring(line)] + [rewriter.ending()]
    function.name, function.decorator_list, function.returns = scalar_name(optimizer), [], None
    for argument in function.args.args:
        argument.annotation = None
    text = ast.unparse(ast.fix_missing_locations(function))
    return (*[source for callee in rewriter.callees for source in scalar_sources(callee)], text)


def why_not(optimizer: type[Any]) -> str | None:
    """Why optimizer's update cannot be rewritten (its source is not on file, as for code
    typed into `python -c`, or it is not in the form), or None when it can."""
    try:
        scalar_sources(optimizer)
    except InvalidInput as e:
        return str(e)
    except (OSError, TypeError):
        return (f"the {optimizer.name} optimizer's update has no source file to compile "
                "(define it in a file or a notebook cell)")
    return None


def rounding(node: ast.expr) -> ast.Call:
    """R(node): a number rounded to the elements' dtype."""
    return ast.Call(ast.Name("R", ast.Load()), [node], [])


def definition(function: Any) -> ast.stmt:
    """The syntax tree of the statement that defines `function`, read from its source file
    (OSError or TypeError where it has none)."""
    return ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]


def is_docstring(line: ast.stmt) -> bool:
    return isinstance(line, ast.Expr) and isinstance(line.value, ast.Constant)


class Rewriter(ast.NodeTransformer):
    """The rewrite of one update's statements (see the module's docstring)."""

    def __init__(self, name: str, names: dict[str, Any]) -> None:
        self.name, self.names = name, names
        self.unpacked: list[str] | None = None
        self.callees: list[type[Any]] = []
        self.elements = {"p", "g", "state"}       # names that hold an element, not a number

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.Assign:
        if not isinstance(node.target, ast.Name):
            raise self.refused(node, "only a name may change in place (p -= …, v *= …)")
        self.generic_visit(node)
        return ast.Assign([ast.Name(node.target.id, ast.Store())], self.rounded(
            ast.BinOp(ast.Name(node.target.id, ast.Load()), node.op, node.value)))

    def visit_Assign(self, node: ast.Assign) -> ast.Assign:
        target = node.targets[0]
        if isinstance(node.value, ast.Name) and node.value.id == "state":
            if not isinstance(target, ast.Tuple):
                raise self.refused(node, "unpack the state (v, = state), do not alias it")
            self.unpacked = [ast.unparse(e) for e in target.elts]
        elif any(isinstance(t, ast.Subscript) for t in ast.walk(target)):
            raise self.refused(node, "change arrays with -=, +=, *= or /=, not p[...] = …")
        self.generic_visit(node)
        if self.holds_element(node.value):
            self.elements |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.BinOp:
        self.generic_visit(node)
        return self.rounded(node)

    def visit_Call(self, node: ast.Call) -> ast.Call:
        """np.f(element, number): the number rounded, as for an operator."""
        self.generic_visit(node)
        if any(self.holds_element(a) for a in node.args):
            node.args = [a if self.holds_element(a) else rounding(a) for a in node.args]
        return node

    def rounded(self, node: ast.BinOp) -> ast.BinOp:
        """node with its number side in R(…) when its other side holds an element."""
        left, right = self.holds_element(node.left), self.holds_element(node.right)
        if left and not right:
            node.right = rounding(node.right)
        elif right and not left:
            node.left = rounding(node.left)
        return node

    def holds_element(self, node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in self.elements for n in ast.walk(node))

    def visit_Subscript(self, node: ast.Subscript) -> ast.Subscript:
        if isinstance(node.value, ast.Name) and node.value.id == "state":
            raise self.refused(node, "unpack the state (v, = state) instead of indexing it")
        return node

    def visit_Expr(self, node: ast.Expr) -> ast.stmt:
        call = node.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and
                call.func.attr == "update" and isinstance(call.func.value, ast.Name)):
            raise self.refused(node, "a statement that is a call must be another optimizer's "
                                     "update(p, g, state, eta, h, t)")
        callee = self.names[call.func.value.id]
        self.callees.append(callee)
        call.func = ast.Name(scalar_name(callee), ast.Load())
        return ast.Assign([ast.Tuple([ast.Name("p", ast.Store()), ast.Name("state", ast.Store())],
                                     ast.Store())], call)

    def ending(self) -> ast.Return:
        """return p, (the unpacked state) or p, state."""
        state = ("state" if self.unpacked is None
                 else "(" + "".join(f"{name}, " for name in self.unpacked) + ")")
        return ast.parse(f"return p, {state}").body[0]  # type: ignore[return-value]

    def refused(self, node: ast.AST, why: str) -> InvalidInput:
        return InvalidInput(f"the {self.name} optimizer's update cannot run in the compiled "
                            f"engine: {why}; got `{ast.unparse(node)}`")
