"""The network: layers of neurons, each a weighted sum of the previous layer squished by σ.

    z^l = a^(l−1) W^lᵀ + b^l      a^l = σ(z^l)          (batches are rows)

`weights[l]` has shape (n_out, n_in), so `weights[l][j, k]` is the video's w_jk, the weight from
neuron k of one layer to neuron j of the next; `biases[l]` has shape (n_out,).
Backpropagation runs the same recursion backwards, for the whole mini-batch at once:

    δ^L = ∂C_x/∂z^L (from the cost)      δ^l = (δ^(l+1) W^(l+1)) ⊙ σ'(z^l)
    ∂C/∂W^l = δ^lᵀ a^(l−1) / n           ∂C/∂b^l = Σ_rows δ^l / n
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from . import activations, costs
from .activations import Activation, Array
from .checks import (
    as_batch,
    as_targets,
    check_choice,
    check_dtype,
    check_seed,
    check_sizes,
    count_parameters,
)
from .errors import InvalidInput

INITS = ("scaled", "normal", "he")
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class Trace:
    """Everything a forward pass computed, layer by layer.

    zs[l]: (n, sizes[l+1]) weighted inputs of layer l+1.
    activations[0]: the input (n, sizes[0]); activations[l+1] = σ(zs[l]).
    """

    zs: list[Array]
    activations: list[Array]


def layer(a_prev: Array, w: Array, b: Array, activation: Activation) -> tuple[Array, Array]:
    """One layer: z = a_prev Wᵀ + b, a = σ(z).  a_prev (n, n_in), w (n_out, n_in) -> (n, n_out)"""
    z = a_prev @ w.T + b                                         # (n, n_out)
    return z, activation.f(z)


def init_parameters(sizes: Sequence[int], init: str, dtype: np.dtype,
                    rng: np.random.Generator) -> tuple[list[Array], list[Array]]:
    """Random weights and biases for consecutive layer sizes.

    scaled: w ~ N(0, 1/n_in), b ~ N(0, 1) (Nielsen's network2, the default);
    normal: w, b ~ N(0, 1) (the book's chapter 1);  he: w ~ N(0, 2/n_in), b = 0 (for ReLU).
    """
    check_choice("init", init, INITS)
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        w = rng.standard_normal((n_out, n_in))                   # (n_out, n_in)
        if init == "scaled":
            w /= np.sqrt(n_in)
        elif init == "he":
            w *= np.sqrt(2 / n_in)
        b = np.zeros(n_out) if init == "he" else rng.standard_normal(n_out)
        weights.append(w.astype(dtype))
        biases.append(b.astype(dtype))
    return weights, biases


class Network:
    """A fully connected feedforward network trained by backpropagation.

    >>> net = Network([784, 16, 16, 10], seed=0)        # the video's network
    >>> net.weights[0].shape, net.biases[0].shape
    ((16, 784), (16,))
    """

    def __init__(self, sizes: Sequence[int], *, activation: str = "sigmoid",
                 output: str = "sigmoid", cost: str = "quadratic", init: str = "scaled",
                 dtype: str = "float32", seed: int | None = None) -> None:
        self.sizes = check_sizes(sizes)
        self.hidden = activations.activation_named(activation)
        self.output = costs.output_activation(output)
        self.cost_function = costs.cost_named(cost, output)
        self.dtype = check_dtype(dtype, DTYPES)
        self.init = init
        self.seed = (int(cast(int, np.random.SeedSequence().entropy)) if seed is None
                     else check_seed(seed))
        check_choice("init", init, INITS)
        try:
            self.weights, self.biases = init_parameters(
                self.sizes, init, self.dtype, np.random.default_rng(self.seed))
        except (MemoryError, ValueError) as e:          # numpy: too big to allocate
            n = count_parameters(self.sizes)
            raise InvalidInput(f"not enough memory for {n:,} weights and biases "
                               f"({8 * n / 2**30:,.3g} GiB while drawing them): {e}") from None

    def __repr__(self) -> str:
        return (f"Network({self.sizes}, activation={self.hidden.name!r}, "
                f"output={self.output.name!r}, cost={self.cost_function.name!r}, "
                f"dtype={self.dtype.name!r})")

    @property
    def config(self) -> dict[str, object]:
        """The constructor arguments that rebuild this network's shape and behaviour."""
        return {"sizes": list(self.sizes), "activation": self.hidden.name,
                "output": self.output.name, "cost": self.cost_function.name,
                "init": self.init, "dtype": self.dtype.name, "seed": self.seed}

    def layer_activation(self, l: int) -> Activation:
        """σ of layer l+1 (weights[l] feeds it): the output activation for the last layer."""
        return self.output if l == len(self.weights) - 1 else self.hidden

    # -- forward ---------------------------------------------------------------------------
    def trace(self, x: Array) -> Trace:
        """Every layer's z and a for a batch x of shape (n, sizes[0]) (or one example)."""
        return self.run(as_batch(x, self.sizes[0], self.dtype))

    def run(self, x: Array) -> Trace:
        """trace(x) for an x already checked by as_batch (the code behind the entry points:
        training, evaluation, the explanations), so large data is not checked twice."""
        zs: list[Array] = []
        acts: list[Array] = [x]
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            z, a = layer(acts[-1], w, b, self.layer_activation(l))
            zs.append(z)
            acts.append(a)
        return Trace(zs, acts)

    def feedforward(self, x: Array) -> Array:
        """The output activations a^L, (n, sizes[-1]): the same layers, keeping no z."""
        a = as_batch(x, self.sizes[0], self.dtype)
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            a = layer(a, w, b, self.layer_activation(l))[1]
        return a

    def predict(self, x: Array) -> np.ndarray:
        """The digit each row is classified as: argmax_j a^L_j.  (n,) int"""
        labels: np.ndarray = np.argmax(self.feedforward(x), axis=1)
        return labels

    def correct(self, x: Array, y: np.ndarray) -> int:
        """How many rows of x are classified as their label y."""
        labels = as_targets(y, self.sizes[-1], len(np.atleast_2d(x)), self.dtype)[1]
        return int((self.predict(x) == labels).sum())

    def accuracy(self, x: Array, y: np.ndarray) -> float:
        """The fraction of rows of x classified as their label y, in [0, 1]."""
        return self.correct(x, y) / len(np.atleast_2d(x))

    def cost(self, x: Array, y: np.ndarray) -> float:
        """The network's cost C = (1/n) Σ_x C_x over the rows of x (labels or one-hot y)."""
        trace = self.trace(x)
        targets = as_targets(y, self.sizes[-1], len(trace.zs[-1]), self.dtype)[0]
        return float(self.example_costs(trace, targets).mean())

    def example_costs(self, trace: Trace, targets: Array) -> Array:
        """C_x for each row of a forward pass, against one-hot targets.  (n,)"""
        return self.cost_function.value(trace.zs[-1], trace.activations[-1], targets,
                                        self.output)

    # -- backward --------------------------------------------------------------------------
    def backward(self, trace: Trace, targets: Array) -> list[Array]:
        """δ^l = ∂C_x/∂z^l for every layer and row, last layer first in the recursion.

        targets: one-hot (n, sizes[-1]). Returns deltas[l] of shape (n, sizes[l+1]).
        """
        delta = self.cost_function.delta(trace.zs[-1], trace.activations[-1], targets,
                                         self.output)
        deltas = [delta]
        hidden_prime = cast(Callable[[Array, Array], Array], self.hidden.prime)  # elementwise
        for l in range(len(self.weights) - 2, -1, -1):
            prime = hidden_prime(trace.zs[l], trace.activations[l + 1])   # σ'(z^l)
            delta = (delta @ self.weights[l + 1]) * prime       # (n, sizes[l+1])
            deltas.append(delta)
        return deltas[::-1]

    def gradient(self, x: Array, y: np.ndarray) -> tuple[list[Array], list[Array]]:
        """∂C/∂W and ∂C/∂b of the mean cost over the rows of x: lists shaped like the parameters."""
        trace = self.trace(x)
        targets = as_targets(y, self.sizes[-1], len(trace.zs[-1]), self.dtype)[0]
        return self.gradient_from(trace, self.backward(trace, targets))

    def gradient_from(self, trace: Trace, deltas: list[Array]) -> tuple[list[Array], list[Array]]:
        """Average the examples' wishes: ∂C/∂W^l = δ^lᵀ a^(l−1) / n, ∂C/∂b^l = mean of δ^l."""
        n = len(deltas[0])
        grad_w: list[Array]
        grad_w = [d.T @ a / n for d, a in zip(deltas, trace.activations)]  # (n_out, n_in)
        grad_b: list[Array] = [d.mean(axis=0) for d in deltas]             # (n_out,)
        return grad_w, grad_b

    # -- copies ----------------------------------------------------------------------------
    def copy(self) -> Network:
        """An independent network with the same configuration and parameters."""
        clone = object.__new__(Network)
        clone.__dict__.update(self.__dict__)
        clone.weights = [w.copy() for w in self.weights]
        clone.biases = [b.copy() for b in self.biases]
        return clone


def flat(weights: list[Array], biases: list[Array]) -> np.ndarray:
    """Every weight, then every bias (or their gradients or nudges), as one float64 vector:
    the order of noise.full_gradient, the page's parameter lists and the cost surface's θ."""
    return np.concatenate([p.ravel() for p in weights + biases]).astype(np.float64)


def set_parameters(net: Network, weights: list[Array], biases: list[Array]) -> None:
    """Replace net's parameters, checking shapes and converting to its dtype."""
    for l, (w, b) in enumerate(zip(weights, biases)):
        n_out, n_in = net.sizes[l + 1], net.sizes[l]
        if np.shape(w) != (n_out, n_in) or np.shape(b) != (n_out,):
            raise InvalidInput(f"layer {l}: expected weights ({n_out}, {n_in}) and biases "
                               f"({n_out},), got {np.shape(w)} and {np.shape(b)}")
    net.weights = [np.asarray(w, dtype=net.dtype) for w in weights]
    net.biases = [np.asarray(b, dtype=net.dtype) for b in biases]
