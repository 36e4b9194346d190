"""What backpropagation is really doing, one example at a time: wishes, nudges and their average.

One training example x wants its output a^L to move towards its target y. That wish passes back
through the network: each neuron's desired change is the sum, over the next layer, of
(weight × that neuron's desired change through its σ'). For every weight the example's nudge is

    nudge_w[j, k] = −∂C_x/∂w_jk = −a_k^(l−1) δ_j^l        nudge_b[j] = −δ_j^l

so the biggest nudges connect the brightest previous neurons to the neurons that most need to
change ("fire together, wire together"). Gradient descent moves every weight by the mean nudge
over a mini-batch: the gradient is the average of the examples' wishes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.activations import Array
from ..core.checks import as_batch, as_targets
from ..core.errors import InvalidInput
from ..core.network import Network, Trace, set_parameters
from .gradcheck import check_weight
from .noise import NoiseRow, StepEffect, gradient_noise, step_effect

__all__ = ["Agreement", "Levers", "NoiseRow", "OneWeight", "StepEffect", "Wishes", "agreement",
           "check_one_weight", "example_nudges", "gradient_noise", "nudge_norms",
           "step_effect", "wishes"]


@dataclass(frozen=True)
class Levers:
    """The three levers of neuron j of layer l+1 for one example, and the wish they serve.

    wish = −∂C_x/∂a_j; delta = δ_j = ∂C_x/∂z_j. bias_nudge = −δ_j.
    weight_nudges[k] = −δ_j a_k (n_in,): strongest from the brightest previous neurons.
    previous_wishes[k] = −δ_j w_jk (n_in,): what this neuron asks of each previous activation.
    """

    layer: int
    j: int
    wish: float
    delta: float
    bias_nudge: float
    weight_nudges: Array
    previous_wishes: Array
    a_prev: Array
    weights: Array


@dataclass(frozen=True)
class Wishes:
    """One example's wishes for every activation, weight and bias of one network.

    Layers are numbered as net.weights: index l is layer l+1 (l = 0 is the first hidden layer).
    output_wish = −∂C_x/∂a^L (n_L,); activation_wishes[l] = −∂C_x/∂a^(l+1) (n_(l+1),), the
    last equal to output_wish; deltas[l] = δ^(l+1) = ∂C_x/∂z (n_(l+1),); nudge_w[l] =
    −outer(δ^(l+1), a^l) (n_out, n_in); nudge_b[l] = −δ^(l+1) (n_out,); cost = C_x.
    weights: a copy of the network's weights, for the levers.
    """

    label: int
    trace: Trace
    output_wish: Array
    activation_wishes: list[Array]
    deltas: list[Array]
    nudge_w: list[Array]
    nudge_b: list[Array]
    cost: float
    weights: list[Array]

    @property
    def output(self) -> Array:
        """The output activations a^L.  (n_L,)"""
        output: Array = self.trace.activations[-1][0]
        return output

    @property
    def prediction(self) -> int:
        """The digit the network sees: argmax_j a^L_j."""
        return int(np.argmax(self.output))

    def levers(self, layer: int, j: int) -> Levers:
        """Neuron j of weights[layer]: its bias, incoming weights and previous activations."""
        _check_index("layer", layer, len(self.deltas))
        _check_index("neuron j", j, len(self.deltas[layer]))
        delta = self.deltas[layer][j]
        weights = self.weights[layer][j]                                  # (n_in,)
        return Levers(layer, j, float(self.activation_wishes[layer][j]), float(delta),
                      float(-delta), self.nudge_w[layer][j], -delta * weights,
                      self.trace.activations[layer][0], weights)

    def biggest_nudges(self, layer: int, count: int = 5) -> list[tuple[int, int]]:
        """The (j, k) of the `count` weights of weights[layer] with the largest |nudge|."""
        _check_index("layer", layer, len(self.nudge_w))
        size = np.abs(self.nudge_w[layer]).ravel()
        order = np.argsort(-size, kind="stable")[:max(0, count)]
        n_in = self.nudge_w[layer].shape[1]
        return [(int(i) // n_in, int(i) % n_in) for i in order]


def _check_index(what: str, value: object, size: int) -> int:
    """value as an int in 0..size−1, else InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidInput(f"{what} must be an integer from 0 to {size - 1}, got {value!r}")
    if not 0 <= value < size:
        raise InvalidInput(f"{what} must be from 0 to {size - 1}, got {value}")
    return int(value)


def output_wish(net: Network, z: Array, a: Array, targets: Array) -> Array:
    """−∂C_x/∂a^L for each row (n, n_L), as the cost declares it (costs.Delta.wish).

    quadratic: y − a.  sigmoid cross-entropy: (y − a) / (a(1 − a)).
    softmax log-likelihood (C_x = −ln a_y): y / a, a wish for the right digit only (softmax
    then pulls the others down through its Jacobian, which gives −δ^L = y − a).
    """
    return net.cost_function.wish(z, a, targets, net.output)


def wishes(net: Network, x: Array, label: int) -> Wishes:
    """Everything one example x wants: −∂C_x/∂a^l, δ^l = ∂C_x/∂z^l and −∂C_x/∂W^l, −∂C_x/∂b^l.

    x: (n_in,) or (1, n_in); label: the digit wished for, 0..n_L−1.
    The wish passed back: −∂C_x/∂a_k^(l−1) = Σ_j w_jk (−δ_j^l).
    """
    x = as_batch(x, net.sizes[0], net.dtype)
    if len(x) != 1:
        raise InvalidInput(f"x must be one example, shape ({net.sizes[0]},) or "
                           f"(1, {net.sizes[0]}), got {len(x)} rows")
    label = _check_index("label (the digit wished for)", label, net.sizes[-1])
    trace = net.run(x)
    targets = as_targets(np.array([label]), net.sizes[-1], 1, net.dtype)[0]   # (1, n_L)
    deltas = net.backward(trace, targets)                                      # (1, n_l) each
    passed_back = [-(d @ w)[0] for d, w in zip(deltas[1:], net.weights[1:], strict=True)]  # (n_l,)
    wish_l = output_wish(net, trace.zs[-1], trace.activations[-1], targets)[0]
    pairs = zip(deltas, trace.activations[:-1], strict=True)
    return Wishes(label, trace, wish_l, [*passed_back, wish_l], [d[0] for d in deltas],
                  [-np.outer(d[0], a[0]) for d, a in pairs],              # (n_out, n_in)
                  [-d[0] for d in deltas], float(net.example_costs(trace, targets)[0]),
                  [w.copy() for w in net.weights])


def _deltas(net: Network, x: Array, y: np.ndarray) -> tuple[Trace, list[Array]]:
    """The forward pass and δ^l of every row, after checking x and y."""
    x = as_batch(x, net.sizes[0], net.dtype)
    targets = as_targets(y, net.sizes[-1], len(x), net.dtype)[0]
    trace = net.run(x)
    return trace, net.backward(trace, targets)


def example_nudges(net: Network, x: Array, y: np.ndarray) -> tuple[list[Array], list[Array]]:
    """Each example's own nudge: `nudge_w[l][i] = −outer(δ_i, a_i^(l))`, `nudge_b[l][i] = −δ_i`.

    x: (n, n_in), y: (n,) labels. Returns lists of (n, n_out, n_in) and (n, n_out) per layer;
    their mean over axis 0 is −net.gradient(x, y). Memory n·Σ n_out·n_in: see nudge_norms.
    """
    trace, deltas = _deltas(net, x, y)
    pairs = zip(deltas, trace.activations[:-1], strict=True)
    nudge_w = [-np.einsum("ij,ik->ijk", d, a) for d, a in pairs]         # (n, n_out, n_in)
    return nudge_w, [-d for d in deltas]


def nudge_norms(net: Network, x: Array, y: np.ndarray) -> Array:
    """`‖nudge_w[l][i]‖_F = ‖δ_i‖ ‖a_i‖` for each example i and layer l.  (n, L)

    The norm of an outer product is the product of the norms, so no (n, n_out, n_in) array
    is built.
    """
    trace, deltas = _deltas(net, x, y)
    return np.stack([np.linalg.norm(d, axis=1) * np.linalg.norm(a, axis=1)
                     for d, a in zip(deltas, trace.activations[:-1], strict=True)], axis=1)


@dataclass(frozen=True)
class Agreement:
    """How the examples of a batch vote on each weight of weights[layer]; the mean is the step.

    up, down (n_out, n_in): how many examples push each weight up, down (the others leave it
    alone: in the first layer, a dark pixel k gives a_k = 0). agree (n_out, n_in): the fraction
    of those that push whose nudge has the sign of the mean nudge; NaN where none push.
    mean = −∂C/∂W (n_out, n_in); std: the spread of all n nudges.
    deltas (n, n_out) and inputs a^l (n, n_in) give any example's nudge −δ_ij a_ik on demand.
    """

    layer: int
    agree: Array
    up: np.ndarray
    down: np.ndarray
    mean: Array
    std: Array
    deltas: Array
    inputs: Array

    @property
    def n(self) -> int:
        """How many examples voted."""
        return len(self.deltas)

    def nudges_of(self, j: int, k: int) -> Array:
        """Every example's nudge to w_jk: −δ_ij a_ik.  (n,)"""
        _check_index("neuron j", j, self.deltas.shape[1])
        _check_index("input k", k, self.inputs.shape[1])
        return -self.deltas[:, j] * self.inputs[:, k]

    def pullers(self, j: int, k: int, count: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the examples pulling w_jk hardest up and hardest down (≤ count each)."""
        nudges = self.nudges_of(j, k)
        order = np.argsort(nudges, kind="stable")
        down = order[:count][nudges[order[:count]] < 0]
        up = order[::-1][:count][nudges[order[::-1][:count]] > 0]
        return up, down


def agreement(net: Network, x: Array, y: np.ndarray, layer: int) -> Agreement:
    """The vote of the rows of x on every weight of weights[layer], without (n, n_out, n_in).

    sign(−δ_ij a_ik) counts come from matrix products of sign indicators; the moments from
    E[nudge] = −δᵀa / n and E[nudge²] = (δ²)ᵀ(a²) / n, in float64.
    """
    _check_index("layer", layer, len(net.weights))
    trace, deltas = _deltas(net, x, y)
    d, a = deltas[layer].astype(np.float64), trace.activations[layer].astype(np.float64)
    n = len(d)
    up = (d < 0).T.astype(int) @ (a > 0) + (d > 0).T.astype(int) @ (a < 0)     # (n_out, n_in)
    down = (d > 0).T.astype(int) @ (a > 0) + (d < 0).T.astype(int) @ (a < 0)
    mean = -(d.T @ a) / n                                                       # (n_out, n_in)
    std = np.sqrt(np.maximum((d * d).T @ (a * a) / n - mean * mean, 0))
    voters = up + down
    agreeing = np.where(mean > 0, up, np.where(mean < 0, down, 0))
    agree = np.divide(agreeing, voters, out=np.full(mean.shape, np.nan), where=voters > 0)
    return Agreement(layer, agree, up, down, mean, std, deltas[layer], trace.activations[layer])


@dataclass(frozen=True)
class OneWeight:
    """∂C/∂w_jk of weights[layer] by backprop and by (C(w + h) − C(w − h)) / 2h, in float64."""

    layer: int
    j: int
    k: int
    h: float
    backprop: float
    numeric: float

    @property
    def relative_error(self) -> float:
        """|backprop − numeric| / max(|backprop| + |numeric|, 1e-12)."""
        scale = max(abs(self.backprop) + abs(self.numeric), 1e-12)
        return abs(self.backprop - self.numeric) / scale

    def words(self) -> str:
        """The comparison as one sentence."""
        n, j, k = self.layer, self.j, self.k
        what = (f"For the weight w_{j},{k} into layer {n + 1} (from neuron {k} of layer {n} "
                f"to neuron {j} of layer {n + 1}), backpropagation says ∂C/∂w = "
                f"{self.backprop:.6g} and the finite difference (C(w + h) − C(w − h)) / 2h "
                f"with h = {self.h:g} says {self.numeric:.6g}")
        if self.backprop == 0 and self.numeric == 0:
            return what + ": both exactly 0, this weight's input is 0 for these examples."
        err = self.relative_error
        if err < 1e-6:
            verdict = "they agree"
        elif err < 1e-3:
            verdict = "they roughly agree (a larger h or float32 rounding?)"
        else:
            verdict = "they DISAGREE: backpropagation or the cost is wrong"
        return f"{what}: relative error {err:.1e}, {verdict}."


def float64_copy(net: Network) -> Network:
    """An independent float64 network with net's configuration and parameters."""
    clone = Network(**{**net.config, "dtype": "float64"})  # type: ignore[arg-type]
    set_parameters(clone, net.weights, net.biases)
    return clone


def check_one_weight(net: Network, x: Array, y: np.ndarray | int, layer: int, j: int, k: int,
                     h: float = 1e-5) -> OneWeight:
    """Backprop's ∂C/∂w_jk of weights[layer] next to its central difference, on a float64 copy.

    x: one example (n_in,) or rows (n, n_in); y: its label (int) or labels (n,).
    """
    _check_index("layer", layer, len(net.weights))
    _check_index("neuron j", j, net.sizes[layer + 1])
    _check_index("input k", k, net.sizes[layer])
    if not (isinstance(h, (int, float)) and 0 < h < 1):
        raise InvalidInput(f"h must be a small positive number like 1e-5, got {h!r}")
    x = as_batch(x, net.sizes[0], np.dtype(np.float64))
    labels = np.atleast_1d(np.asarray(y))
    as_targets(labels, net.sizes[-1], len(x), np.dtype(np.float64))
    check = check_weight(float64_copy(net), x, labels, layer, j, k, h)
    return OneWeight(layer, j, k, float(h), check.backprop, check.numeric)
