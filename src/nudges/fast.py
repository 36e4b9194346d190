"""The training step of train.sgd_step with no allocation per step: same math, in place.

`sgd_step` (forward, backward, gradient_from, update) is the readable reference; this module
does the same arithmetic into buffers allocated once per epoch, so a mini-batch of 10 costs
little more than its matrix products:

- one gather per batch, `np.take(x, batch, axis=0, out=...)`, from the contiguous data set;
- z = a Wᵀ + b into the buffer that then holds a = σ(z) (σ applied in place: backprop needs
  only a, since σ'(z) is a function of a);
- η/n folded into δ (small) instead of into ∂C/∂W (large), so each weight update is one
  matrix product into a buffer and one in-place subtraction.

Results equal the reference's within float32 (or float64) rounding, not bit for bit: η/n is
applied before the product instead of after, and σ(z) for z < 0 is 1/(1 + e^(−z)) rather
than e^z/(1 + e^z). The caller runs steps under np.errstate(over="ignore"): e^(−z) may
overflow to inf, which correctly gives σ = 0.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .activations import Array
from .errors import TrainingDiverged
from .network import Network

if TYPE_CHECKING:
    from .compiled import CompiledStepper

COMPILED_MAX_BATCH = 64   # above this, BLAS's blocked products beat the compiled loops


def sigmoid_(z: Array) -> None:
    """z ← σ(z) = 1 / (1 + e^(−z)), in place."""
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1
    np.reciprocal(z, out=z)


def relu_(z: Array) -> None:
    """z ← max(z, 0), in place."""
    np.maximum(z, 0, out=z)


def tanh_(z: Array) -> None:
    """z ← tanh(z), in place."""
    np.tanh(z, out=z)


def softmax_(z: Array) -> None:
    """Each row of z ← its softmax, in place (the row's max subtracted first)."""
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)


def times_sigmoid_prime(delta: Array, a: Array, scratch: Array) -> None:
    """δ ← δ ⊙ a(1 − a)."""
    np.subtract(1, a, out=scratch)
    scratch *= a
    delta *= scratch


def times_relu_prime(delta: Array, a: Array, scratch: Array) -> None:
    """δ ← δ ⊙ [a > 0]."""
    np.greater(a, 0, out=scratch)
    delta *= scratch


def times_tanh_prime(delta: Array, a: Array, scratch: Array) -> None:
    """δ ← δ ⊙ (1 − a²)."""
    np.multiply(a, a, out=scratch)
    np.subtract(1, scratch, out=scratch)
    delta *= scratch


ACTIVATE: dict[str, Callable[[Array], None]] = {
    "sigmoid": sigmoid_, "relu": relu_, "tanh": tanh_, "softmax": softmax_}
TIMES_PRIME: dict[str, Callable[[Array, Array, Array], None]] = {
    "sigmoid": times_sigmoid_prime, "relu": times_relu_prime, "tanh": times_tanh_prime}


@dataclass
class Workspace:
    """Buffers for training steps on mini-batches of up to len(inputs) rows.

    inputs (n, sizes[0]); targets (n, sizes[-1]); acts[l], deltas[l], scratch[l]: (n, sizes[l+1]);
    grad_w[l], grad_b[l] shaped like the parameters (they hold η ∂C/∂w and η ∂C/∂b): views of
    one flat buffer, `gradient`, so that one call checks them all.
    """

    inputs: Array
    targets: Array
    acts: list[Array]
    deltas: list[Array]
    scratch: list[Array]
    grad_w: list[Array]
    grad_b: list[Array]
    gradient: Array

    @classmethod
    def allocate(cls, net: Network, size: int) -> Workspace:
        """Buffers for `net` and mini-batches of `size` rows."""
        def rows(n: int) -> Array:
            return np.zeros((size, n), dtype=net.dtype)
        hidden, shapes = net.sizes[1:], [p.shape for p in net.weights + net.biases]
        gradient = np.zeros(sum(int(np.prod(shape)) for shape in shapes), dtype=net.dtype)
        ends = np.cumsum([int(np.prod(shape)) for shape in shapes])
        views = [gradient[end - int(np.prod(shape)):end].reshape(shape)
                 for shape, end in zip(shapes, ends, strict=True)]
        n_layers = len(net.weights)
        return cls(rows(net.sizes[0]), rows(net.sizes[-1]), [rows(n) for n in hidden],
                   [rows(n) for n in hidden], [rows(n) for n in hidden],
                   views[:n_layers], views[n_layers:], gradient)

    def head(self, m: int) -> Workspace:
        """Views of the first m rows (for the last, shorter mini-batch); gradients shared."""
        return Workspace(self.inputs[:m], self.targets[:m], [a[:m] for a in self.acts],
                         [d[:m] for d in self.deltas], [s[:m] for s in self.scratch],
                         self.grad_w, self.grad_b, self.gradient)


class Stepper:
    """Runs sgd_step's arithmetic for one network with one set of buffers."""

    def __init__(self, net: Network, size: int, l2: bool = False) -> None:
        self.net, self.full = net, Workspace.allocate(net, size)
        self.spare = [np.zeros_like(w) for w in net.weights] if l2 else []   # for λ w
        names = [net.layer_activation(k).name for k in range(len(net.weights))]
        self.activate = [ACTIVATE[name] for name in names]
        self.times_prime = [TIMES_PRIME.get(name) for name in names]
        self.quadratic = net.cost_function.name == "quadratic"
        self.weights_t = [w.T for w in net.weights]                 # views, (n_in, n_out)

    def gather(self, x: Array, targets: Array, batch: np.ndarray) -> Workspace:
        """Copy the batch's rows of x and targets into the buffers (one gather each)."""
        ws = self.full if len(batch) == len(self.full.inputs) else self.full.head(len(batch))
        np.take(x, batch, axis=0, out=ws.inputs, mode="clip")
        np.take(targets, batch, axis=0, out=ws.targets, mode="clip")
        return ws

    def forward(self, ws: Workspace) -> None:
        """acts[l] ← σ(a^(l−1) Wᵀ + b) for every layer, in the buffers."""
        a = ws.inputs
        for w_t, b, out, activate in zip(self.weights_t, self.net.biases, ws.acts, self.activate,
                                            strict=True):
            np.matmul(a, w_t, out=out)                               # z (n, n_out)
            out += b
            activate(out)                                            # a = σ(z)
            a = out

    def backward(self, ws: Workspace) -> None:
        """deltas[l] ← δ^l: the output error, then δ^l = (δ^(l+1) W^(l+1)) ⊙ σ'(z^l)."""
        last = len(ws.deltas) - 1
        np.subtract(ws.acts[last], ws.targets, out=ws.deltas[last])  # a − y
        if self.quadratic:
            self.times_prime[last](ws.deltas[last], ws.acts[last], ws.scratch[last])  # type: ignore[misc]
        for k in range(last - 1, -1, -1):                          # layer k+1, downwards
            np.matmul(ws.deltas[k + 1], self.net.weights[k + 1], out=ws.deltas[k])  # (n, n_k)
            self.times_prime[k](ws.deltas[k], ws.acts[k], ws.scratch[k])  # type: ignore[misc]

    def check(self, ws: Workspace) -> None:
        """TrainingDiverged if η∂C/∂W or η∂C/∂b holds NaN or inf.

        A NaN or inf anywhere in the forward or backward pass reaches them, and so does a
        product δᵀa that overflowed although δ and a are finite. One call over the flat
        buffer that holds every gradient: each NumPy call costs ~1.5 µs at these sizes.
        """
        if not np.isfinite(ws.gradient).all():
            raise TrainingDiverged("the gradient became NaN or inf")

    def gradients(self, ws: Workspace, eta: float) -> None:
        """grad_w[l] ← η ∂C/∂W^l = (η/n) δ^lᵀ a^(l−1), grad_b[l] ← η ∂C/∂b^l; δ scaled in place."""
        scale = eta / len(ws.inputs)
        a = ws.inputs
        for delta, grad_w, grad_b, out in zip(ws.deltas, ws.grad_w, ws.grad_b, ws.acts,
                                              strict=True):
            delta *= scale                                           # (η/n) δ  (n, n_out)
            np.matmul(delta.T, a, out=grad_w)                        # (n_out, n_in)
            np.add.reduce(delta, axis=0, out=grad_b)                 # (n_out,)
            a = out

    def update(self, ws: Workspace, decay: float, momentum: float,
               velocity_w: list[Array], velocity_b: list[Array]) -> None:
        """w ← w − η(∂C/∂w + (λ/n) w), or with momentum v ← μv − η(…), w ← w + v; in place."""
        for k, (w, g, v) in enumerate(zip(self.net.weights, ws.grad_w, velocity_w, strict=True)):
            if decay:
                g += np.multiply(w, decay, out=self.spare[k])        # η(∂C/∂w + (λ/n) w)
            apply_step(w, g, v, momentum)
        for b, g, v in zip(self.net.biases, ws.grad_b, velocity_b, strict=True):
            apply_step(b, g, v, momentum)

    def step(self, x: Array, targets: Array, batch: np.ndarray, eta: float, decay: float,
             momentum: float, velocity_w: list[Array], velocity_b: list[Array]) -> None:
        """One SGD step on rows `batch` of x; decay = ηλ/n_train. Raises TrainingDiverged
        before touching the parameters if the gradient would hold NaN or inf."""
        ws = self.gather(x, targets, batch)
        self.forward(ws)
        self.backward(ws)
        self.gradients(ws, eta)
        self.check(ws)
        self.update(ws, decay, momentum, velocity_w, velocity_b)

    def steps(self, x: Array, targets: Array, order: np.ndarray, size: int, first: int,
              stop: int, eta: float, decay: float, momentum: float, velocity_w: list[Array],
              velocity_b: list[Array]) -> int:
        """Steps first, …, stop − 1 of an epoch, step s on rows order[s·size:(s+1)·size]; the
        number that finished: stop − first, or fewer if the next one would diverge (that one
        leaves every parameter untouched)."""
        for s in range(first, stop):
            try:
                self.step(x, targets, order[s * size:(s + 1) * size], eta, decay, momentum,
                          velocity_w, velocity_b)
            except TrainingDiverged:
                return s - first
        return stop - first


def compiled_available() -> bool:
    """Whether numba and SciPy (its BLAS for np.dot) are installed: the `fast` extra."""
    return all(importlib.util.find_spec(name) is not None for name in ("numba", "scipy"))


def make_stepper(net: Network, size: int, l2: bool = False) -> Stepper | CompiledStepper:
    """The compiled stepper for batches of up to COMPILED_MAX_BATCH rows when the `fast`
    extra is installed, else the NumPy one (the reference, and the faster for big batches)."""
    if size <= COMPILED_MAX_BATCH and compiled_available():
        from .compiled import CompiledStepper
        return CompiledStepper(net, size, l2)
    return Stepper(net, size, l2)


def apply_step(p: Array, eta_g: Array, v: Array, momentum: float) -> None:
    """p ← p − η g, or with momentum v ← μ v − η g, p ← p + v; all in place."""
    if momentum:
        v *= momentum
        v -= eta_g
        p += v
    else:
        p -= eta_g
