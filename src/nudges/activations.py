"""Activation functions σ, each with its derivative written in terms of its own output.

Backpropagation needs σ'(z). For every function here σ'(z) is a cheap function of a = σ(z)
(sigmoid: a(1 − a), tanh: 1 − a², ReLU: 1 where a > 0), so the forward pass's activations are
all the backward pass needs and z need not be kept for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import InvalidInput

Array = NDArray[np.floating]


def sigmoid(z: Array) -> Array:
    """σ(z) = 1 / (1 + e^(−z)), elementwise; stable for any z (no overflow for |z| up to 1e4)."""
    e = np.exp(-np.abs(z))                        # in (0, 1], never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype, copy=False)


def sigmoid_prime(a: Array) -> Array:
    """σ'(z) = σ(z)(1 − σ(z)) = a(1 − a)."""
    return a * (1 - a)


def relu(z: Array) -> Array:
    """ReLU(z) = max(0, z), elementwise."""
    return np.maximum(z, 0)


def relu_prime(a: Array) -> Array:
    """ReLU'(z) = 1 where z > 0, else 0; a > 0 exactly where z > 0."""
    return (a > 0).astype(a.dtype)


def tanh(z: Array) -> Array:
    """tanh(z), elementwise."""
    return np.tanh(z)


def tanh_prime(a: Array) -> Array:
    """tanh'(z) = 1 − tanh(z)² = 1 − a²."""
    return 1 - a * a


def softmax(z: Array) -> Array:
    """Row-wise softmax: a[i, j] = exp(z[i, j]) / Σ_k exp(z[i, k]).

    z: (n, k) weighted inputs. Returns (n, k); each row sums to 1.
    Subtracts each row's max first, so a large z cannot overflow.
    """
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    a: Array = e / e.sum(axis=-1, keepdims=True)
    return a


@dataclass(frozen=True)
class Activation:
    """A named squishing function and its derivative as a function of its output a = f(z).

    `prime` is None for softmax: its Jacobian is not elementwise, so it is only used as an
    output layer whose cost (log-likelihood) gives δ = a − y directly.
    """

    name: str
    f: Callable[[Array], Array]
    prime: Callable[[Array], Array] | None


HIDDEN = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime),
    "relu": Activation("relu", relu, relu_prime),
    "tanh": Activation("tanh", tanh, tanh_prime),
}
OUTPUT = {
    "sigmoid": HIDDEN["sigmoid"],
    "softmax": Activation("softmax", softmax, None),
}


def get(name: str, *, output: bool = False) -> Activation:
    """The activation called `name`, from the output or the hidden table."""
    table = OUTPUT if output else HIDDEN
    if name not in table:
        kind = "output" if output else "hidden"
        raise InvalidInput(f"unknown {kind} activation {name!r}; known: {', '.join(table)}")
    return table[name]
