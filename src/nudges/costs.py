"""Costs C_x of one training example, and the output error δ^L = ∂C_x/∂z^L they give.

The network's cost is the mean of C_x over the examples, so the 1/n appears once, where the
network turns per-example errors into a gradient, and not here.

    quadratic      C_x = ½ Σ_j (a_j − y_j)²                      δ^L = (a − y) ⊙ σ'(z)
    cross-entropy  C_x = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]  (sigmoid outputs)
                   C_x = −ln a_y                                  (softmax: log-likelihood)
                   both give δ^L = a − y: σ' cancels.

Cross-entropy is computed from z (softplus and log-sum-exp), so it stays finite for saturated
outputs where ln a would be ln 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import Activation, Array
from .errors import InvalidInput


def quadratic(z: Array, a: Array, y: Array, output: Activation) -> Array:
    """C_x = ½‖a − y‖² per row. z, a, y: (n, k). Returns (n,)."""
    c: Array = 0.5 * np.square(a - y).sum(axis=1)
    return c


def quadratic_delta(a: Array, y: Array, output: Activation) -> Array:
    """δ^L = (a − y) ⊙ σ'(z^L), with σ' taken from a.  (n, k)"""
    assert output.prime is not None, "quadratic cost needs an elementwise output"
    return (a - y) * output.prime(a)


def softplus(z: Array) -> Array:
    """ln(1 + e^z), elementwise, without overflow."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def cross_entropy(z: Array, a: Array, y: Array, output: Activation) -> Array:
    """Cross-entropy per row, from z for stability. Returns (n,).

    Sigmoid outputs: −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = softplus(z) − y z, summed over j.
    Softmax outputs: the log-likelihood −ln a_y = logsumexp(z) − z_y (y one-hot).
    """
    if output.name == "softmax":
        m = z.max(axis=1, keepdims=True)                          # (n, 1)
        logsumexp = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))   # (n,)
        c: Array = logsumexp - (y * z).sum(axis=1)
        return c
    c = (softplus(z) - y * z).sum(axis=1)
    return c


def cross_entropy_delta(a: Array, y: Array, output: Activation) -> Array:
    """δ^L = a − y for sigmoid with cross-entropy and for softmax with log-likelihood.  (n, k)"""
    return a - y


@dataclass(frozen=True)
class Cost:
    """A named per-example cost, its output error, and the output activations it pairs with."""

    name: str
    value: Callable[[Array, Array, Array, Activation], Array]
    delta: Callable[[Array, Array, Activation], Array]
    outputs: tuple[str, ...]


COSTS = {
    "quadratic": Cost("quadratic", quadratic, quadratic_delta, ("sigmoid",)),
    "cross-entropy": Cost("cross-entropy", cross_entropy, cross_entropy_delta,
                          ("sigmoid", "softmax")),
}


def get(name: str, output: str) -> Cost:
    """The cost called `name`, checked against the output activation it will follow."""
    if name not in COSTS:
        raise InvalidInput(f"unknown cost {name!r}; known: {', '.join(COSTS)}")
    cost = COSTS[name]
    if output not in cost.outputs:
        fits = [c for c in COSTS.values() if output in c.outputs]
        raise InvalidInput(
            f"a {output} output layer does not go with the {name} cost "
            f"(use {' or '.join(c.name for c in fits)})")
    return cost
