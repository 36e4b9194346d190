"""Costs C_x of one training example, and the output error δ^L = ∂C_x/∂z^L they give.

The network's cost is the mean of C_x over the examples, so the 1/n appears once, where the
network turns per-example errors into a gradient, and not here.

    quadratic      C_x = ½ Σ_j (a_j − y_j)²                      δ^L = (a − y) ⊙ σ'(z)
    cross-entropy  C_x = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]  (sigmoid outputs)
                   C_x = −ln a_y                                  (softmax: log-likelihood)
                   both give δ^L = a − y: σ' cancels.

A `Cost` declares its δ^L for each output activation it supports, by name (`deltas`), each one
function of NumPy array code `(a, y, σ'(z)) -> δ^L` that every engine runs (the compiled engine
compiles it with numba). An output it declares nothing for is refused, so no engine can guess
a δ. Cross-entropy is computed from z (softplus and
log-sum-exp), so it stays finite for saturated outputs where ln a would be ln 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import activations
from .activations import Activation, Array, softplus
from .errors import InvalidInput


@dataclass(frozen=True)
class Delta:
    """δ^L = ∂C_x/∂z^L for one output activation, as NumPy array code: `f(a, y, sigma_prime)`,
    where sigma_prime is the output's σ'(z) (None for an output that is not elementwise, like
    softmax, whose δ^L cannot use it); `wish(a, y)` = −∂C_x/∂a^L, what the example asks of its
    outputs (the explanations draw it; None: −δ^L / σ'(z), for an elementwise σ)."""

    f: Callable[..., Array]          # (a, y, sigma_prime) -> δ^L
    wish: Callable[[Array, Array], Array] | None = None


@dataclass(frozen=True)
class Cost:
    """A named per-example cost C_x(z, a, y) and its δ^L for each output it supports."""

    name: str
    value: Callable[[Array, Array, Array, Activation], Array]
    deltas: dict[str, Delta]

    @property
    def outputs(self) -> tuple[str, ...]:
        """The output activations this cost declares a δ^L for."""
        return tuple(self.deltas)

    def fits(self, output: Activation) -> bool:
        """Whether this cost declares a δ^L for `output`."""
        return output.name in self.deltas

    def delta(self, z: Array, a: Array, y: Array, output: Activation) -> Array:
        """δ^L for output weighted inputs z, activations a and one-hot targets y.  (n, k)"""
        sigma_prime = None if output.prime is None else output.prime(z, a)
        return self.deltas[output.name].f(a, y, sigma_prime)

    def wish(self, z: Array, a: Array, y: Array, output: Activation) -> Array:
        """−∂C_x/∂a^L for output z, activations a and one-hot targets y.  (n, k)"""
        declared = self.deltas[output.name]
        if declared.wish is not None:
            return declared.wish(a, y)
        assert output.prime is not None, f"{self.name} declares no wish for {output.name}"
        sigma_prime = output.prime(z, a)
        return -declared.f(a, y, sigma_prime) / np.maximum(sigma_prime, np.finfo(a.dtype).tiny)


# -- quadratic -----------------------------------------------------------------------------
def quadratic(z: Array, a: Array, y: Array, output: Activation) -> Array:
    """C_x = ½‖a − y‖² per row. z, a, y: (n, k). Returns (n,)."""
    c: Array = 0.5 * np.square(a - y).sum(axis=1)
    return c


def quadratic_delta(a: Array, y: Array, sigma_prime: Array) -> Array:
    """δ^L = (a − y) ⊙ σ'(z^L).  (n, k)"""
    return (a - y) * sigma_prime


# -- cross-entropy -------------------------------------------------------------------------
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


def cross_entropy_delta(a: Array, y: Array, sigma_prime: Array | None) -> Array:
    """δ^L = a − y for sigmoid with cross-entropy and for softmax with log-likelihood (σ'
    cancels).  (n, k)"""
    return a - y


def quadratic_wish(a: Array, y: Array) -> Array:
    """−∂C_x/∂a = y − a."""
    return y - a


def sigmoid_cross_entropy_wish(a: Array, y: Array) -> Array:
    """−∂C_x/∂a = (y − a) / (a(1 − a)); a saturated at 0 or 1 stays finite."""
    return (y - a) / np.maximum(a * (1 - a), np.finfo(a.dtype).tiny)


def log_likelihood_wish(a: Array, y: Array) -> Array:
    """−∂C_x/∂a = y / a for C_x = −ln a_y: a wish for the right digit only (softmax then pulls
    the others down through its Jacobian, which gives −δ^L = y − a)."""
    return y / np.maximum(a, np.finfo(a.dtype).tiny)


# -- the registry --------------------------------------------------------------------------
COSTS: dict[str, Cost] = {}


def register(cost: Cost) -> Cost:
    """Add `cost` to COSTS (replacing one of the same name) and return it."""
    COSTS[cost.name] = cost
    return cost


register(Cost("quadratic", quadratic, {"sigmoid": Delta(quadratic_delta, quadratic_wish)}))
register(Cost("cross-entropy", cross_entropy, {
    "sigmoid": Delta(cross_entropy_delta, sigmoid_cross_entropy_wish),
    "softmax": Delta(cross_entropy_delta, log_likelihood_wish)}))


def output_names() -> list[str]:
    """The activations an output layer can use: those some registered cost has a δ^L for."""
    known = activations.ACTIVATIONS
    return [name for name in known if any(c.fits(known[name]) for c in COSTS.values())]


def output_activation(name: str) -> Activation:
    """The output activation called `name`: one that some cost declares a δ^L for."""
    return activations.activation_named(name, output_names(), "output")


def cost_named(name: str, output: str) -> Cost:
    """The cost called `name`, checked against the output activation it will follow."""
    if name not in COSTS:
        raise InvalidInput(f"unknown cost {name!r}; known: {', '.join(COSTS)}")
    cost = COSTS[name]
    if output not in cost.deltas:
        fits = [c for c in COSTS.values() if output in c.deltas]
        raise InvalidInput(
            f"a {output} output layer does not go with the {name} cost "
            f"(use {' or '.join(c.name for c in fits) or 'another output'})")
    return cost
