"""The compiled engine (the `fast` extra): a whole epoch of steps in one numba call.

For a small mini-batch the NumPy step pays more for its ~30 calls than for its arithmetic; here
one compiled call runs every step left in the epoch: the same BLAS products (np.dot with
`out`, which numba sends to BLAS through SciPy), and the elementwise work (gather, bias, σ, σ',
δ^L, the update) in explicit loops, which LLVM vectorises.

Nothing here knows an activation, a cost or an optimizer. The loops of nudges.compiled_loops
(the template) call four dispatchers, `activate`, `times_prime`, `output_errors` and `update`,
by a code. `build()` writes a module that holds the template, a copy of each kernel loop
specialised to each registered scalar kernel (Activation.kernel, Delta.kernel,
Optimizer.kernel), and dispatchers from code to copy; numba compiles it. The file's name is a
hash of that source and every kernel's, so numba's on-disk cache serves the next process and a
changed kernel can never meet a stale compilation. A network with a piece that has no kernel is
refused (engines.missing_kernels).

Results equal the reference within rounding: numba's e^x and sums may round differently.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from .activations import ACTIVATIONS, Array
from .compiled_loops import (
    TEMPLATE,
    map_with_bias,
    output_errors_of,
    rows_with_bias,
    steps,
    times_prime_of,
    update_with,
)
from .costs import COSTS
from .engines import Batches, Rule
from .network import Network
from .optim import OPTIMIZERS

BUILDING = threading.Lock()   # one thread generates and imports the module; others wait

# -- the generated module --------------------------------------------------------------------
def kernels() -> dict[str, list[tuple[str, Callable[..., Any]]]]:
    """Every registered kernel, by kind, in code order: (whose it is, the function). A code
    is an index here; an activation's code also indexes "prime" (a None there: no σ'), an
    optimizer's "per_step"."""
    table: dict[str, list[tuple[str, Callable[..., Any]]]] = {
        "activate": [], "prime": [], "output_delta": [], "update": [], "per_step": []}
    for name, a in ACTIVATIONS.items():
        if a.kernel is not None:
            table["activate"].append((name, a.kernel.f or a.kernel.row))  # type: ignore[arg-type]
            table["prime"].append((name, a.kernel.prime))                 # type: ignore[arg-type]
    for cost in COSTS.values():
        for output, delta in cost.deltas.items():
            if delta.kernel is not None:
                table["output_delta"].append((f"{cost.name}/{output}", delta.kernel))
    for optimizer in OPTIMIZERS.values():
        if optimizer.kernel is not None:
            table["update"].append((optimizer.name, optimizer.kernel))
            table["per_step"].append((optimizer.name, optimizer.per_step))
    return table


def source_of(function: Callable[..., Any] | None) -> str:
    """A function's source (or, for a builtin like math.tanh, its qualified name)."""
    if function is None:
        return "None"
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', '')}"


def specialise(loop: Callable[..., Any], suffix: int, kernels: dict[str, str]) -> str:
    """The source of `loop` with its kernel parameters replaced by calls to named kernels:
    numba compiles each loop around one kernel (inlined, vectorised) and can cache it."""
    source = inspect.getsource(loop)
    kept = [p for p in inspect.signature(loop).parameters if p not in kernels]
    body = source.split("\n", 1)[1]
    for parameter, name in kernels.items():
        body = re.sub(rf"\b{parameter}\(", f"{name}(", body)
    return f"@njit(**INLINED)\ndef {loop.__name__}_{suffix}({', '.join(kept)}):\n{body}"


def dispatchers(table: dict[str, list[tuple[str, Callable[..., Any]]]]) -> str:
    """The specialised loops, and the four dispatchers that pick one by code."""
    primes = {what: i for i, (what, f) in enumerate(table["prime"]) if f is not None}
    loops: list[str] = []
    calls: dict[str, dict[int, str]] = {
        "activate(out, b, code)": {}, "times_prime(d, a, code)": {},
        "output_errors(d, out, targets, rows, code)": {},
        "update(params, grads, first, second, hyper, t, n_slots, code)": {}}
    heads = list(calls)
    for i, (what, _f) in enumerate(table["activate"]):
        rowwise = ACTIVATIONS[what].kernel.f is None  # type: ignore[union-attr]
        loop = rows_with_bias if rowwise else map_with_bias
        loops.append(specialise(loop, i, {"row" if rowwise else "f": f"activate_{i}"}))
        calls[heads[0]][i] = f"{loop.__name__}_{i}(out, b)"
    for i in primes.values():
        loops.append(specialise(times_prime_of, i, {"prime": f"prime_{i}"}))
        calls[heads[1]][i] = f"times_prime_of_{i}(d, a)"
    for i, (what, _f) in enumerate(table["output_delta"]):
        output = what.split("/", 1)[1]
        prime = f"prime_{primes[output]}" if output in primes else "no_prime"
        loops.append(specialise(output_errors_of, i,
                                {"delta": f"output_delta_{i}", "prime": prime}))
        calls[heads[2]][i] = f"output_errors_of_{i}(d, out, targets, rows)"
    for i in range(len(table["update"])):
        loops.append(specialise(update_with, i, {"kernel": f"update_{i}",
                                                 "per_step": f"per_step_{i}"}))
        calls[heads[3]][i] = f"update_with_{i}(params, grads, first, second, hyper, t, n_slots)"
    return "\n\n".join(loops + [dispatcher(head, branches) for head, branches in calls.items()])


def dispatcher(head: str, branches: dict[int, str]) -> str:
    """A function that runs branches[code] (an unknown code raises)."""
    body = "".join(f"    if code == {i}:\n        {call}\n        return\n"
                   for i, call in branches.items())
    return f"@njit(**INLINED)\ndef {head}:\n{body}    raise ValueError('no kernel for this code')\n"


def bind(function: Callable[..., Any] | None) -> Any:
    """A kernel as numba calls it: the Python function, compiled."""
    from numba import njit
    return None if function is None else njit(error_model="numpy", nogil=True)(function)


def module_source(table: dict[str, list[tuple[str, Callable[..., Any]]]]) -> str:
    """The generated module: the kernels bound, the template compiled, the dispatchers."""
    bindings = "".join(f"{name}_{i} = bind(TABLE[{name!r}][{i}][1])\n"
                       for name, entries in table.items() for i in range(len(entries)))
    template = "\n\n".join(("@njit(**JIT)\n" if f is steps else "@njit(**INLINED)\n")
                             + inspect.getsource(f) for f in TEMPLATE)
    return ("# Generated by nudges.compiled from the registries; rebuilt when they change.\n"
            "import math\n\nimport numpy as np\nfrom numba import njit\n\n"
            "from nudges.compiled import bind, kernels\n\n"
            "JIT = {'cache': True, 'nogil': True, 'error_model': 'numpy'}\n"
            "INLINED = {**JIT, 'inline': 'always'}\n"
            f"TABLE = kernels()\n{bindings}\n\n{template}\n\n{dispatchers(table)}")


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


def build() -> ModuleType:
    """The generated module for today's registries (written and imported once per process;
    under a lock, so that two threads starting to train at once, as two runs on the web page
    do, never see the module half imported)."""
    with BUILDING:
        return generated(tuple((kind, tuple(entries)) for kind, entries in kernels().items()))


@functools.cache
def generated(key: tuple[tuple[str, tuple[tuple[str, Callable[..., Any]], ...]], ...]
              ) -> ModuleType:
    """The module for one kernel table (key: kernels() as tuples), written if new, imported."""
    table = {kind: list(entries) for kind, entries in key}
    text = module_source(table)
    sources = [source_of(f) for entries in table.values() for _, f in entries]
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
        self.steps_function = build().steps
        codes = {kind: [what for what, _ in entries] for kind, entries in kernels().items()}
        layers = [net.layer_activation(k).name for k in range(len(net.weights))]
        self.codes = (np.array([codes["activate"].index(a) for a in layers], dtype=np.int64),
                      codes["output_delta"].index(f"{net.cost_function.name}/{net.output.name}"),
                      codes["update"].index(rule.optimizer.name), len(rule.optimizer.slots))
        grad_w, grad_b = [np.zeros_like(w) for w in net.weights], [np.zeros_like(b) for b in
                                                                   net.biases]
        self.net = (tuple(net.weights), tuple(net.biases),                  # the same arrays
                    tuple(p.reshape(-1) for p in net.weights + net.biases))
        self.buffers = (rows(net.sizes[0]), tuple(rows(n) for n in net.sizes[1:]),
                        tuple(rows(n) for n in net.sizes[1:]), tuple(grad_w), tuple(grad_b),
                        tuple(g.reshape(-1) for g in grad_w + grad_b))
        limit = min(rule.limit(net.dtype), float(np.finfo(net.dtype).max))
        self.hyper = np.array([rule.eta, rule.decay, *rule.constants, limit], dtype=net.dtype)
        self.unused = [np.zeros_like(p) for p in net.weights + net.biases]  # slots it lacks
        self.kept: tuple[list[list[Array]] | None, Any] = (None, None)  # slots, state(slots)

    def state(self, slots: list[list[Array]]) -> tuple[Any, Any]:
        """(first slot, second slot), each flat per parameter; `unused` stands in for none."""
        return tuple(tuple((slots[i][j] if slots and j < len(slots[i]) else self.unused[i])
                           .reshape(-1) for i in range(len(self.unused)))
                     for j in (0, 1))  # type: ignore[return-value]

    def steps(self, batches: Batches, first: int, stop: int, slots: list[list[Array]],
              t: int) -> int:
        """Steps first, …, stop − 1, all in one compiled call; how many finished."""
        if self.kept[0] is not slots:                 # one epoch passes the same slots
            self.kept = (slots, self.state(slots))
        return int(self.steps_function(
            (batches.x, batches.targets), batches.order, (batches.size, first, stop, t),
            self.net, self.buffers, self.kept[1], self.hyper, self.codes))
