"""Checking backpropagation against finite differences: the learner's proof that it is right.

For a parameter p, the central difference (C(p + h) − C(p − h)) / 2h approximates ∂C/∂p with an
error of order h²; in float64 with h = 1e-5 backprop and it agree to about 1e-8 or better.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.activations import Array
from ..core.checks import as_targets
from ..core.network import Network


@dataclass(frozen=True)
class WeightCheck:
    """One parameter's derivative by backprop and by finite differences."""

    backprop: float
    numeric: float

    @property
    def relative_error(self) -> float:
        """|backprop − numeric| / max(|backprop| + |numeric|, 1e-12)."""
        return abs(self.backprop - self.numeric) / max(abs(self.backprop) + abs(self.numeric),
                                                       1e-12)


def numeric_derivative(net: Network, x: Array, y: np.ndarray, param: Array,
                       index: tuple[int, ...], h: float = 1e-5) -> float:
    """(C(p + h) − C(p − h)) / 2h for the entry `index` of `param` (one of net's arrays)."""
    saved = param[index]
    try:
        param[index] = saved + h
        plus = net.cost(x, y)
        param[index] = saved - h
        minus = net.cost(x, y)
    finally:
        param[index] = saved
    return (plus - minus) / (2 * h)


def check_weight(net: Network, x: Array, y: np.ndarray, layer: int, j: int, k: int,
                 h: float = 1e-5) -> WeightCheck:
    """Backprop's ∂C/∂w_jk of weights[layer] next to its central finite difference."""
    grad_w = net.gradient(x, y)[0]
    numeric = numeric_derivative(net, x, y, net.weights[layer], (j, k), h)
    return WeightCheck(float(grad_w[layer][j, k]), numeric)


def relative_errors(analytic: Array, numeric: Array) -> Array:
    """Elementwise |a − n| / max(|a| + |n|, 1e-12)."""
    errors: Array = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric),
                                                            1e-12)
    return errors


def check_network(net: Network, x: Array, y: np.ndarray, h: float = 1e-5
                  ) -> list[tuple[float, float]]:
    """For each layer, the largest relative error of (weights, biases) over every entry.

    Meant for small float64 networks: it evaluates the cost twice per parameter.
    """
    as_targets(y, net.sizes[-1], len(np.atleast_2d(x)), net.dtype)
    grad_w, grad_b = net.gradient(x, y)
    result = []
    for l in range(len(net.weights)):
        errors = []
        for param, grad in ((net.weights[l], grad_w[l]), (net.biases[l], grad_b[l])):
            numeric = np.array([numeric_derivative(net, x, y, param, i, h)
                                for i in np.ndindex(param.shape)]).reshape(param.shape)
            errors.append(float(relative_errors(grad, numeric).max()))
        result.append((errors[0], errors[1]))
    return result
