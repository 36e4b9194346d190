"""Activation functions σ: each one object that every engine is derived from.

Backpropagation needs σ'(z). For every elementwise σ here σ'(z) is a cheap function of its own
output a = σ(z) (sigmoid: a(1 − a), tanh: 1 − a², ReLU: 1 where a > 0), so the forward pass's
activations are all the backward pass needs and z need not be kept for it.

An `Activation` carries its math three ways, all in this file:

- `f`, `prime`: the readable reference (NumPy, allocating), which the reference engine trains with;
- `f_`, `prime_`: the same σ and σ' in place (the NumPy engine); left out, they are derived
  from `f` and `prime`;
- `kernel`: scalar functions in plain Python that the compiled engine compiles with numba
  (`Kernel.f` for one z, or `Kernel.row` for a whole row, as softmax needs, and `Kernel.prime`
  for one a); None says "no compiled kernel", and the compiled engine then refuses the network
  (engine="auto" falls back to NumPy), never substituting another function.

Adding an activation is one `register(Activation(...))`; the CLI, the page, the error messages
and the tests' parametrisations list ACTIVATIONS.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import InvalidInput

Array = NDArray[np.floating]


@dataclass(frozen=True)
class Kernel:
    """Scalar forms for the compiled engine: `f(z) -> a` or `row(z)` (a row, in place), and
    `prime(a) -> σ'` (None for a σ whose Jacobian is not diagonal, like softmax)."""

    f: Callable[[float], float] | None = None
    row: Callable[[Array], None] | None = None
    prime: Callable[[float], float] | None = None


@dataclass(frozen=True)
class Activation:
    """A named squishing function σ and its derivative as a function of its output a = σ(z).

    `prime` is None when σ is not elementwise (softmax): such a σ serves only as an output layer,
    with a cost that declares its δ^L for it.
    """

    name: str
    f: Callable[[Array], Array]
    prime: Callable[[Array], Array] | None
    f_: Callable[[Array], None] | None = None
    prime_: Callable[[Array, Array], None] | None = None
    kernel: Kernel | None = None

    @property
    def elementwise(self) -> bool:
        """Whether σ acts on each z alone, so that it can serve a hidden layer."""
        return self.prime is not None

    def apply_(self, z: Array) -> None:
        """z ← σ(z), in place: `f_` if given, else the reference's result copied in."""
        if self.f_ is not None:
            self.f_(z)
        else:
            np.copyto(z, self.f(z))

    def prime_into(self, a: Array, out: Array) -> None:
        """out ← σ'(z) from a, in place: `prime_` if given, else the reference's result."""
        assert self.prime is not None, f"{self.name} is not elementwise"
        if self.prime_ is not None:
            self.prime_(a, out)
        else:
            np.copyto(out, self.prime(a))


# -- sigmoid -------------------------------------------------------------------------------
def sigmoid(z: Array) -> Array:
    """σ(z) = 1 / (1 + e^(−z)), elementwise; stable for any z (no overflow for |z| up to 1e4)."""
    e = np.exp(-np.abs(z))                        # in (0, 1], never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype, copy=False)


def sigmoid_prime(a: Array) -> Array:
    """σ'(z) = σ(z)(1 − σ(z)) = a(1 − a)."""
    return a * (1 - a)


def sigmoid_(z: Array) -> None:
    """z ← σ(z) = 1 / (1 + e^(−z)), in place (e^(−z) = inf gives 0: run under errstate)."""
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1
    np.reciprocal(z, out=z)


def sigmoid_prime_(a: Array, out: Array) -> None:
    """out ← a(1 − a)."""
    np.subtract(1, a, out=out)
    out *= a


def sigmoid_scalar(z: float) -> float:
    """σ(z) for one z."""
    return 1 / (1 + math.exp(-z))


def sigmoid_prime_scalar(a: float) -> float:
    """a(1 − a) for one a."""
    return a * (1 - a)


# -- ReLU ----------------------------------------------------------------------------------
def relu(z: Array) -> Array:
    """ReLU(z) = max(0, z), elementwise."""
    return np.maximum(z, 0)


def relu_prime(a: Array) -> Array:
    """ReLU'(z) = 1 where z > 0, else 0; a > 0 exactly where z > 0."""
    return (a > 0).astype(a.dtype)


def relu_(z: Array) -> None:
    """z ← max(z, 0), in place."""
    np.maximum(z, 0, out=z)


def relu_prime_(a: Array, out: Array) -> None:
    """out ← 1 where a > 0, else 0."""
    np.greater(a, 0, out=out)


def relu_scalar(z: float) -> float:
    """max(z, 0) for one z."""
    return z if z > 0 else z * 0


def relu_prime_scalar(a: float) -> float:
    """1 if a > 0 else 0, in a's type."""
    return a * 0 + 1 if a > 0 else a * 0


# -- tanh ----------------------------------------------------------------------------------
def tanh(z: Array) -> Array:
    """tanh(z), elementwise."""
    return np.tanh(z)


def tanh_prime(a: Array) -> Array:
    """tanh'(z) = 1 − tanh(z)² = 1 − a²."""
    return 1 - a * a


def tanh_(z: Array) -> None:
    """z ← tanh(z), in place."""
    np.tanh(z, out=z)


def tanh_prime_(a: Array, out: Array) -> None:
    """out ← 1 − a²."""
    np.multiply(a, a, out=out)
    np.subtract(1, out, out=out)


def tanh_scalar(z: float) -> float:
    """tanh(z) for one z."""
    return math.tanh(z)


def tanh_prime_scalar(a: float) -> float:
    """1 − a² for one a."""
    return 1 - a * a


# -- softmax -------------------------------------------------------------------------------
def softmax(z: Array) -> Array:
    """Row-wise softmax: a[i, j] = exp(z[i, j]) / Σ_k exp(z[i, k]).

    z: (n, k) weighted inputs. Returns (n, k); each row sums to 1.
    Subtracts each row's max first, so a large z cannot overflow.
    """
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    a: Array = e / e.sum(axis=-1, keepdims=True)
    return a


def softmax_(z: Array) -> None:
    """Each row of z ← its softmax, in place (the row's max subtracted first)."""
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)


def softmax_row(z: Array) -> None:
    """One row z ← softmax(z), in place, element by element."""
    top = z[0]
    for j in range(len(z)):
        top = max(top, z[j])
    total = z[0] * 0
    for j in range(len(z)):
        z[j] = math.exp(z[j] - top)
        total += z[j]
    for j in range(len(z)):
        z[j] /= total


# -- the registry --------------------------------------------------------------------------
ACTIVATIONS: dict[str, Activation] = {}


def register(activation: Activation) -> Activation:
    """Add `activation` to ACTIVATIONS (replacing one of the same name) and return it."""
    ACTIVATIONS[activation.name] = activation
    return activation


register(Activation("sigmoid", sigmoid, sigmoid_prime, sigmoid_, sigmoid_prime_,
                    Kernel(f=sigmoid_scalar, prime=sigmoid_prime_scalar)))
register(Activation("relu", relu, relu_prime, relu_, relu_prime_,
                    Kernel(f=relu_scalar, prime=relu_prime_scalar)))
register(Activation("tanh", tanh, tanh_prime, tanh_, tanh_prime_,
                    Kernel(f=tanh_scalar, prime=tanh_prime_scalar)))
register(Activation("softmax", softmax, None, softmax_, kernel=Kernel(row=softmax_row)))


def hidden_names() -> list[str]:
    """The activations a hidden layer can use: the elementwise ones."""
    return [name for name, a in ACTIVATIONS.items() if a.elementwise]


def output_names() -> list[str]:
    """The activations an output layer can use: those some registered cost has a δ^L for."""
    from .costs import COSTS
    return [name for name in ACTIVATIONS if any(c.fits(ACTIVATIONS[name]) for c in COSTS.values())]


def get(name: str, *, output: bool = False) -> Activation:
    """The activation called `name`, from the output or the hidden choices."""
    known = output_names() if output else hidden_names()
    if name not in known:
        kind = "output" if output else "hidden"
        raise InvalidInput(f"unknown {kind} activation {name!r}; known: {', '.join(known)}")
    return ACTIVATIONS[name]
