"""Activation functions σ: each one object, written once, that every engine is derived from.

An `Activation` is two functions of NumPy array code:

- `f(z)`: a = σ(z), for a batch z of weighted inputs (n, k);
- `prime(z, a)`: σ'(z), given z and a = σ(z) (so sigmoid may say a(1 − a) and SiLU may use z);
  None when σ is not elementwise (softmax), which then serves only an output layer, with a
  cost that declares its δ^L for it.

The reference engine calls them as they are; the NumPy engine writes their results into its
buffers; the compiled engine hands the same functions to numba, which compiles NumPy array code
(nudges.engines.compiled). So an entry must be NumPy code that numba accepts: ufuncs, np.where,
arithmetic, and the helpers `row_max` and `row_sum` below (numba has no `max(axis=...)`; the
compiled engine supplies those two). Any plain function an entry calls is compiled with it.

Adding an activation is one `register(Activation(...))`; the CLI, the page, the error messages
and the tests (finite differences, the engines against each other, PyTorch) list ACTIVATIONS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import InvalidInput

Array = NDArray[np.floating]


@dataclass(frozen=True)
class Activation:
    """A named squishing function a = σ(z) and its derivative σ'(z) = prime(z, a)."""

    name: str
    f: Callable[[Array], Array]
    prime: Callable[[Array, Array], Array] | None

    @property
    def elementwise(self) -> bool:
        """Whether σ acts on each z alone, so that it can serve a hidden layer."""
        return self.prime is not None


def row_max(z: Array) -> Array:
    """The largest z of each row, as a column.  (n, k) -> (n, 1)"""
    top: Array = z.max(axis=-1, keepdims=True)
    return top


def row_sum(z: Array) -> Array:
    """The sum of each row, as a column.  (n, k) -> (n, 1)"""
    total: Array = z.sum(axis=-1, keepdims=True)
    return total


EXPONENT_LIMIT = np.float32(88)
"""The largest exponent sigmoid takes: e^88 ≈ 1.7e38 is still a float32. It is a float32 itself
because numba, which compiles sigmoid one number at a time, types a bare 88 as an int64 and
would then take e^ in float64; NumPy rounds a bare 88 to z's dtype, and a float32 88 with z's
dtype gives that same dtype in both."""


def sigmoid(z: Array) -> Array:
    """σ(z) = 1 / (1 + e^(−z)), elementwise. e^(−z) is taken at most e^88, so that it cannot
    overflow: σ(z) for z < −88 is below 1e-38 (float32's smallest normal number) anyway."""
    return 1 / (1 + np.exp(np.minimum(-z, EXPONENT_LIMIT)))


def sigmoid_prime(z: Array, a: Array) -> Array:
    """σ'(z) = σ(z)(1 − σ(z)) = a(1 − a)."""
    return a * (1 - a)


def relu(z: Array) -> Array:
    """ReLU(z) = max(0, z), elementwise."""
    return np.maximum(z, 0)


def relu_prime(z: Array, a: Array) -> Array:
    """ReLU'(z) = 1 where z > 0, else 0: the sign of max(z, 0)."""
    return np.sign(np.maximum(z, 0))


def tanh(z: Array) -> Array:
    """tanh(z), elementwise."""
    return np.tanh(z)


def tanh_prime(z: Array, a: Array) -> Array:
    """tanh'(z) = 1 − tanh(z)² = 1 − a²."""
    return 1 - a * a


def softplus(z: Array) -> Array:
    """softplus(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^(−|z|)), elementwise: no overflow."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_prime(z: Array, a: Array) -> Array:
    """softplus'(z) = σ(z) = 1 − e^(−a) (as e^a = 1 + e^z), written −expm1(−a) for small a."""
    return -np.expm1(-a)


def silu(z: Array) -> Array:
    """SiLU (swish) z σ(z), elementwise."""
    return z * sigmoid(z)


def silu_prime(z: Array, a: Array) -> Array:
    """SiLU'(z) = σ(z) + z σ(z)(1 − σ(z)) = σ(z)(1 + z(1 − σ(z))): it needs z, not just a."""
    s = sigmoid(z)
    return s * (1 + z * (1 - s))


def softmax(z: Array) -> Array:
    """Row-wise softmax: a[i, j] = exp(z[i, j]) / Σ_k exp(z[i, k]).

    z: (n, k) weighted inputs. Returns (n, k); each row sums to 1.
    Subtracts each row's max first, so a large z cannot overflow.
    """
    e = np.exp(z - row_max(z))
    return e / row_sum(e)


# -- the registry --------------------------------------------------------------------------
ACTIVATIONS: dict[str, Activation] = {}


def register(activation: Activation) -> Activation:
    """Add `activation` to ACTIVATIONS (replacing one of the same name) and return it."""
    ACTIVATIONS[activation.name] = activation
    return activation


register(Activation("sigmoid", sigmoid, sigmoid_prime))
register(Activation("relu", relu, relu_prime))
register(Activation("tanh", tanh, tanh_prime))
register(Activation("softplus", softplus, softplus_prime))
register(Activation("silu", silu, silu_prime))
register(Activation("softmax", softmax, None))


def hidden_names() -> list[str]:
    """The activations a hidden layer can use: the elementwise ones."""
    return [name for name, a in ACTIVATIONS.items() if a.elementwise]


def activation_named(name: str, known: list[str] | None = None, kind: str = "hidden"
                     ) -> Activation:
    """The activation called `name`, one of `known` (default: the hidden choices; the output
    choices are costs.output_names(), as costs.output_activation asks)."""
    known = hidden_names() if known is None else known
    if name not in known:
        raise InvalidInput(f"unknown {kind} activation {name!r}; known: {', '.join(known)}")
    return ACTIVATIONS[name]
