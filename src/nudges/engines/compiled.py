"""The compiled engine (the `fast` extra): a whole epoch of steps in one numba call.

For a small mini-batch the NumPy step pays more for its ~30 calls than for its arithmetic; here
one compiled call runs every step left in the epoch: the same BLAS products (np.dot with `out`,
which numba sends to BLAS through SciPy) and the elementwise work.

Nothing here knows an activation, a cost or an optimizer, and nothing is written twice: numba
compiles the registries' own NumPy functions (Activation.f and .prime, Delta.f,
Optimizer.update). `build(pieces)` writes a module that binds them to the names the template
(nudges.engines.compiled_loops) uses and copies the template in unchanged; the file's name is a hash
of that text and of every function's source, so numba's on-disk cache serves the next process and
a changed function can never meet a stale compilation. Every plain function a piece calls
(SiLU calls sigmoid) is made callable from compiled code, and the two helpers NumPy has but
numba lacks, `row_max` and `row_sum`, are supplied here.

Results equal the reference within rounding: numba's e^x and sums may round differently.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
import os
import sys
import tempfile
import threading
import tokenize
import types
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numba import njit
from numba.extending import overload, register_jitable

from ..core import activations, costs, optimizers
from ..core.activations import Array, row_max, row_sum
from ..core.network import Network
from .compiled_loops import TEMPLATE
from .compiled_updates import scalar_name, scalar_sources
from .reference import Batches, Rule

BUILDING = threading.Lock()   # one thread generates and imports a module; others wait
Pieces = tuple[str, str, str, str, str]   # hidden, output, cost, optimizer, dtype


@overload(row_max)
def row_max_compiled(z: Any) -> Callable[[Any], Any]:
    """row_max for numba, which has no max(axis=...)."""
    def impl(z: Any) -> Any:
        top = np.empty((z.shape[0], 1), z.dtype)
        for i in range(z.shape[0]):
            top[i, 0] = z[i].max()
        return top
    return impl


@overload(row_sum)
def row_sum_compiled(z: Any) -> Callable[[Any], Any]:
    """row_sum for numba, which has no keepdims."""
    def impl(z: Any) -> Any:
        return z.sum(axis=1).reshape((z.shape[0], 1))
    return impl


def functions(pieces: Pieces) -> dict[str, Callable[..., Any]]:
    """The registries' functions for one network, by the name the template calls them."""
    hidden, output, cost, _, _ = pieces
    known = activations.ACTIVATIONS          # looked up now: a test may register entries
    pieces_used = {"hidden_f": known[hidden].f, "hidden_prime": known[hidden].prime,
                   "output_f": known[output].f, "output_prime": known[output].prime,
                   "output_delta": costs.COSTS[cost].deltas[output].f}
    return {name: f for name, f in pieces_used.items() if f is not None}   # softmax: no σ'


def helpers(function: Callable[..., Any], seen: dict[int, Callable[..., Any]]) -> None:
    """Every plain Python function `function` calls through its globals, recursively, into seen
    (by id), so that each can be made callable from compiled code."""
    for name in getattr(function, "__code__", types.SimpleNamespace(co_names=())).co_names:
        called = getattr(function, "__globals__", {}).get(name)
        if isinstance(called, types.FunctionType) and id(called) not in seen \
                and called not in (row_max, row_sum):
            seen[id(called)] = called
            helpers(called, seen)


@functools.cache
def jitable(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` made callable from compiled code (once per process), as it is."""
    return register_jitable(function)


def bind(function: Callable[..., Any]) -> Any:
    """A piece as numba calls it: the Python function, compiled (and its helpers callable)."""
    seen: dict[int, Callable[..., Any]] = {}
    helpers(function, seen)
    for called in seen.values():
        jitable(called)
    return njit(error_model="numpy", nogil=True)(function)


def source_of(function: Callable[..., Any]) -> str:
    """A function's source, or where it has none on file (a notebook cell), its bytecode and
    constants, so that a changed function never meets a stale compilation."""
    code = getattr(function, "__code__", None)
    name = f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', '')}"
    try:
        return inspect.getsource(function)
    except (OSError, TypeError, SyntaxError, tokenize.TokenError):   # no file, or not Python
        return name if code is None else f"{name} {code.co_code.hex()} {code.co_consts!r}"


def module_source(pieces: Pieces) -> str:
    """The generated module: the pieces bound to the template's names, then the template."""
    bindings = "".join(f"{name} = bind(functions(PIECES)[{name!r}])\n"
                       for name in functions(pieces))
    template = "\n\n".join(("@njit(**JIT)\n" if f.__name__ == "steps" else "@njit(**INLINED)\n")
                           + inspect.getsource(f) for f in TEMPLATE)
    return ("# Generated by nudges.engines.compiled for one network's pieces; rebuilt when they "
            "change.\n"
            "import math\n\nimport numpy as np\nfrom numba import njit\n\n"
            "from nudges.engines.compiled import bind, functions\n\n"
            "JIT = {'cache': True, 'nogil': True, 'error_model': 'numpy'}\n"
            "INLINED = {**JIT, 'inline': 'always'}\n"
            f"PIECES = {pieces!r}\n{bindings}\n\n{template}\n\n"
            f"{update_source(optimizers.OPTIMIZERS[pieces[3]], pieces[4])}\n"
            f"{layer_source(activations.ACTIVATIONS[pieces[1]].elementwise)}")


def layer_source(elementwise: bool) -> str:
    """The output layer's σ and δ^L one number at a time when its σ is elementwise, else on
    whole rows (softmax)."""
    how = "each" if elementwise else "rows"
    return f"output_layer = output_{how}\noutput_layer_delta = delta_{how}\n"


def update_source(optimizer: type[optimizers.Optimizer], dtype: str) -> str:
    """The optimizer's update rewritten for single numbers (nudges.engines.compiled_updates), and
    `update_each`: one loop that hands it each element (p[i], g[i] and its state) and stores
    what it returns, so the update runs with no temporary arrays. η and h stay float64; R, which
    rounds a number where it meets an element, is the elements' type (update_type)."""
    n_slots, kind = len(optimizer.slots), update_type(optimizer, dtype)
    rewritten = "".join(f"@njit(**INLINED)\n{text}\n\n\n" for text in scalar_sources(optimizer))
    state = "".join(f"R(state[{k}, i]), " for k in range(n_slots))
    stores = "".join(f"        state[{k}, i] = moved[{k}]\n" for k in range(n_slots))
    return (f"R = np.{kind}   # an element's type, and the rounding of a number that meets one\n"
            f"{rewritten}optimizer_update = {scalar_name(optimizer)}\n\n\n@njit(**INLINED)\n"
            "def update_each(p, g, state, eta, hyper, t):\n"
            "    t = float(t)   # so that β ** t is one pow, computed once, not once per i\n"
            "    for i in range(len(p)):\n"
            f"        p[i], moved = optimizer_update(R(p[i]), R(g[i]), ({state}), eta, hyper, t)\n"
            f"{stores}")


def update_type(optimizer: type[optimizers.Optimizer], dtype: str) -> str:
    """The type an update computes in: the network's dtype, rounded as NumPy rounds (SGD); or
    float64 for an optimizer with state, whose moving averages (v, m, s) decay into float32's
    subnormal range (below 1.2e-38), where each operation is some 60x slower: 79,510 Adam
    updates took 2.7 ms with subnormal state against 45 µs (float64 numbers stay normal there)."""
    return dtype if not optimizer.slots else "float64"


def generated_dir() -> Path:
    """Where generated modules (and numba's cache of them) go: the user's cache folder."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for directory in (base / "nudges" / "compiled",
                      Path(tempfile.gettempdir()) / f"nudges-compiled-{os.getuid()}"):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(directory, os.W_OK):
            return directory
    raise OSError("no writable folder for the compiled engine's generated code")


def build(pieces: Pieces) -> ModuleType:
    """The generated module for these pieces (written and imported once per process; under a
    lock, so that two threads starting to train at once never see it half imported)."""
    with BUILDING:
        used = functions(pieces).values()
        seen: dict[int, Callable[..., Any]] = {}
        for function in used:
            helpers(function, seen)
        return generated(pieces, tuple(used), tuple(seen.values()))


@functools.cache
def generated(pieces: Pieces, used: tuple[Callable[..., Any], ...],
              called: tuple[Callable[..., Any], ...]) -> ModuleType:
    """The module for one network's pieces (and the functions they are today), imported."""
    text = module_source(pieces)
    sources = [source_of(f) for f in used + called]
    digest = hashlib.sha256("\n".join([text, *sources]).encode()).hexdigest()[:20]
    name = f"nudges_compiled_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    path = generated_dir() / f"{name}.py"
    if not path.is_file() or path.read_text() != text:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class CompiledStepper:
    """The engines' stepper interface over the generated, compiled `steps`."""

    def __init__(self, net: Network, size: int, rule: Rule) -> None:
        def rows(n: int) -> Array:
            return np.zeros((size, n), dtype=net.dtype)
        pieces = (net.hidden.name, net.output.name, net.cost_function.name,
                  rule.optimizer.name, net.dtype.name)
        self.steps_function = build(pieces).steps
        grad_w, grad_b = [np.zeros_like(w) for w in net.weights], [np.zeros_like(b) for b in
                                                                   net.biases]
        self.net = (tuple(net.weights), tuple(net.biases),                  # the same arrays
                    tuple(p.reshape(-1) for p in net.weights + net.biases))
        hidden = net.sizes[1:]
        self.buffers = (rows(net.sizes[0]), rows(net.sizes[-1]), tuple(rows(n) for n in hidden),
                        tuple(rows(n) for n in hidden), tuple(rows(n) for n in hidden),
                        tuple(grad_w), tuple(grad_b), tuple(g.reshape(-1) for g in grad_w + grad_b))
        limit = min(rule.limit(net.dtype), float(np.finfo(net.dtype).max))
        self.rule = (float(rule.eta), float(rule.decay), limit,          # float64, as given
                     tuple(float(c) for c in rule.constants))
        n_slots = len(rule.optimizer.slots)
        self.state = tuple(np.zeros((n_slots, p.size), net.dtype) for p in self.net[2])

    def steps(self, batches: Batches, first: int, stop: int, slots: list[list[Array]],
              t: int) -> int:
        """Steps first, …, stop − 1, all in one compiled call; how many finished."""
        for rows, arrays in zip(self.state, slots):       # in: one row per state array
            for row, array in zip(rows, arrays, strict=True):
                row[:] = array.reshape(-1)
        done = int(self.steps_function(
            (batches.x, batches.targets), batches.order, (batches.size, first, stop, t),
            self.net, self.buffers, self.state, self.rule))
        for rows, arrays in zip(self.state, slots):       # and out, into the run's State
            for row, array in zip(rows, arrays, strict=True):
                array.reshape(-1)[:] = row
        return done
