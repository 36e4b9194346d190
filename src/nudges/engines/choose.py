"""Picking an engine: the stepper that runs a network's steps (the engines are in
nudges.engines.reference, nudges.engines.numpy_engine and nudges.engines.compiled).

    auto   compiled for mini-batches of up to COMPILED_MAX_BATCH rows when numba is installed
           and the network has at most COMPILED_MAX_LAYERS layers of weights, and the
           optimizer's update can be rewritten for it (nudges.engines.compiled_updates); else numpy
"""

from __future__ import annotations

from ..core.checks import check_choice
from ..core.errors import InvalidInput
from ..core.network import Network
from . import reference
from .compiled_updates import why_not
from .numpy_engine import NumpyStepper
from .reference import ENGINES, ReferenceStepper, Rule, Stepper

COMPILED_MAX_BATCH = 64   # above this, BLAS's blocked products beat the compiled loops
COMPILED_MAX_LAYERS = 8   # numba's first compile for a depth: 20 s at 8 layers, 2 min at 16


def make_stepper(net: Network, size: int, rule: Rule, engine: str = "auto") -> Stepper:
    """The stepper of `engine` for net and mini-batches of up to `size` rows."""
    check_choice("engine", engine, ("auto", *ENGINES))
    if engine == "reference":
        return ReferenceStepper(net, rule)
    deep = len(net.weights) > COMPILED_MAX_LAYERS
    if engine == "compiled" and deep:
        raise InvalidInput(f"the compiled engine builds at most {COMPILED_MAX_LAYERS} layers of "
                           f"weights (compiling takes minutes beyond), got {len(net.weights)}; "
                           "use engine 'numpy' or 'auto' (which uses NumPy for these)")
    unfit = why_not(rule.optimizer)
    if engine == "compiled" and unfit:
        raise InvalidInput(f"{unfit}; use engine 'numpy' or 'auto' (which uses NumPy for it)")
    if engine == "compiled" or (engine == "auto" and size <= COMPILED_MAX_BATCH and not deep
                                and not unfit):
        if reference.compiled_available():
            from .compiled import CompiledStepper  # numba: an optional dependency
            return CompiledStepper(net, size, rule)
        if engine == "compiled":
            raise InvalidInput("the compiled engine needs numba (pip install 'nudges[fast]')")
    return NumpyStepper(net, size, rule)
