"""Engines: three ways to run the same training step, all derived from the same descriptions.

    reference  Network.trace, backward and gradient_from, then the optimizer's update: the
               readable step, with fresh NumPy arrays each time (this module)
    numpy      the same arithmetic into buffers allocated once per epoch
               (nudges.engines.numpy_engine)
    compiled   the same arithmetic, a whole epoch in one numba call, numba compiling the
               registries' own functions (nudges.engines.compiled; the `fast` extra)
    auto       compiled for small mini-batches when numba is installed, else numpy
               (nudges.engines.choose.make_stepper picks)

This module is the interface; it imports none of the engines that implement it.

Each engine's stepper has one method, `steps(batches, first, stop, slots, t)`: it runs steps
first, …, stop − 1 of an epoch and returns how many finished. A step whose update would not
be finite (some |∂C/∂p| ≥ the largest float / η, or NaN) is not taken: the count stops there
and every parameter keeps its value.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..core.activations import Array
from ..core.network import Network
from ..core.optimizers import Constants, Optimizer

ENGINES = ("reference", "numpy", "compiled")


@dataclass(frozen=True)
class Batches:
    """An epoch's mini-batches: step s takes rows order[s·size:(s+1)·size] of x and targets."""

    x: Array
    targets: Array
    order: np.ndarray
    size: int

    def rows(self, s: int) -> np.ndarray:
        """The row indices of step s."""
        return self.order[s * self.size:(s + 1) * self.size]


@dataclass(frozen=True)
class Rule:
    """How a step moves the parameters: the optimizer, η, λ/n (L2, weights only) and the
    optimizer's constants (see Optimizer.constants)."""

    optimizer: type[Optimizer]
    eta: float
    decay: float
    constants: Constants

    def limit(self, dtype: np.dtype) -> float:
        """The bound on |∂C/∂p| below which η ∂C/∂p is finite in dtype."""
        return float(np.finfo(dtype).max) / self.eta

    def apply(self, params: list[Array], grads: list[Array], slots: list[list[Array]],
              t: int) -> None:
        """Move each parameter by the optimizer's update (slots[i]: parameter i's state)."""
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self.optimizer.update(p, g, slots[i] if slots else [], self.eta, self.constants, t)


class Stepper(Protocol):
    """What every engine provides."""

    def steps(self, batches: Batches, first: int, stop: int, slots: list[list[Array]],
              t: int) -> int:
        """Steps first, …, stop − 1 (t steps taken before them); how many finished."""


def reference_step(net: Network, x: Array, targets: Array, rule: Rule,
                   slots: list[list[Array]], t: int) -> bool:
    """One step of gradient descent on the rows of x (one-hot targets), as the math says it.

    slots[i]: the optimizer's state arrays for parameter i (net.weights + net.biases); t: this
    step's number, from 1. False, with every parameter untouched, if the step would not be
    finite.
    """
    trace = net.run(x)
    grad_w, grad_b = net.gradient_from(trace, net.backward(trace, targets))
    grads = [g + rule.decay * w for g, w in zip(grad_w, net.weights)] + grad_b  # + (λ/n) w
    limit = rule.limit(net.dtype)
    if not all(np.abs(g).max() < limit for g in grads):         # NaN fails too
        return False
    rule.apply(net.weights + net.biases, grads, slots, t)
    return True


class ReferenceStepper:
    """The reference engine: reference_step, one mini-batch at a time."""

    def __init__(self, net: Network, rule: Rule) -> None:
        self.net, self.rule = net, rule

    def steps(self, batches: Batches, first: int, stop: int, slots: list[list[Array]],
              t: int) -> int:
        """Steps first, …, stop − 1; how many finished."""
        for s in range(first, stop):
            rows = batches.rows(s)
            if not reference_step(self.net, batches.x[rows], batches.targets[rows], self.rule,
                                  slots, t + s - first + 1):
                return s - first
        return stop - first


def compiled_available() -> bool:
    """Whether numba and SciPy (its BLAS for np.dot) are installed: the `fast` extra."""
    return all(importlib.util.find_spec(name) is not None for name in ("numba", "scipy"))
