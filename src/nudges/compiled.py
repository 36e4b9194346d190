"""The training step compiled with numba (the optional `fast` extra): nudges.fast in one call.

Imported only when numba is installed; nudges.fast.Stepper stays the readable reference that
this must equal (within rounding: numba's e^x and sums may round differently from NumPy's).
For a small mini-batch the NumPy step pays more for its ~30 calls than for its arithmetic;
here one compiled call does a whole step, or (`steps`) every step left in the epoch: the same
BLAS products (np.dot with `out`, which numba sends to BLAS through SciPy), and the
elementwise work (gather, bias, σ, σ', δ, the update) in explicit loops over rows and
columns, which LLVM vectorises (numba's whole-row slice assignments and array expressions
were 2-3x slower at these sizes).

Each function takes the layers as tuples of arrays: weights[k] (n_out, n_in), biases[k],
acts[k] and deltas[k] (size, n_out) buffers of which a step uses the first m rows, grad_w[k]
shaped like weights[k]; codes[k] names σ of layer k+1 (CODES).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
from numba import njit as _njit

from .activations import Array
from .errors import TrainingDiverged
from .network import Network

# numba's overloads for njit() do not accept **options; the jitted kernels stay untyped (see
# [[tool.mypy.overrides]] in pyproject.toml), so only CompiledStepper's signatures are checked.
njit = cast(Callable[..., Any], _njit)

CODES = {"sigmoid": 0, "relu": 1, "tanh": 2, "softmax": 3}
JIT: dict[str, bool] = {"cache": True, "nogil": True}


@njit(**JIT)
def _activate(z, code):
    """Row z (n_out,) ← σ(z), in place."""
    if code == 0:
        for j in range(len(z)):
            z[j] = 1 / (1 + np.exp(-z[j]))
    elif code == 1:
        for j in range(len(z)):
            z[j] = max(z[j], 0)
    elif code == 2:
        for j in range(len(z)):
            z[j] = np.tanh(z[j])
    else:
        top = z.max()
        total = z.dtype.type(0)
        for j in range(len(z)):
            z[j] = np.exp(z[j] - top)
            total += z[j]
        for j in range(len(z)):
            z[j] /= total


@njit(**JIT)
def _prime(a, one, code):
    """σ'(z) from a = σ(z), for an elementwise σ; `one` is 1 in a's dtype."""
    if code == 0:
        return a * (one - a)
    if code == 1:
        return one if a > 0 else one - one
    return one - a * a


@njit(**JIT)
def _gather(x, rows, inputs):
    """inputs[i] ← x[rows[i]] for each i < len(rows), one element at a time (vectorised)."""
    for i in range(len(rows)):
        row = rows[i]
        for q in range(x.shape[1]):
            inputs[i, q] = x[row, q]


@njit(**JIT)
def _forward(inputs, weights, biases, acts, codes):
    """acts[k][:m] ← σ(a^(k−1) W^kᵀ + b^k) for every layer; a^0 = inputs (m, n_in)."""
    a, m = inputs, len(inputs)
    for k in range(len(weights)):
        out, b = acts[k][:m], biases[k]
        np.dot(a, weights[k].T, out)                                  # z (m, n_out)
        for i in range(m):
            for j in range(len(b)):
                out[i, j] += b[j]
            _activate(out[i], codes[k])
        a = out


@njit(**JIT)
def _backward(targets, rows, weights, acts, deltas, codes, quadratic):
    """deltas[k][:m] ← δ^(k+1); True if every δ and hidden a is finite (the gradient then is)."""
    last, m = len(weights) - 1, len(rows)
    one, finite = acts[0].dtype.type(1), True
    out, d = acts[last], deltas[last]
    for i in range(m):
        for j in range(d.shape[1]):
            d[i, j] = out[i, j] - targets[rows[i], j]                 # a − y
            if quadratic:
                d[i, j] *= _prime(out[i, j], one, codes[last])
            finite &= np.isfinite(d[i, j])
    for k in range(last - 1, -1, -1):
        d, a = deltas[k][:m], acts[k]
        np.dot(deltas[k + 1][:m], weights[k + 1], d)                  # δ W  (m, n_k)
        for i in range(m):
            for j in range(d.shape[1]):
                d[i, j] *= _prime(a[i, j], one, codes[k])
                finite &= np.isfinite(d[i, j]) and np.isfinite(a[i, j])
    return finite


@njit(**JIT)
def _all_finite(g):
    """Whether every entry of g is finite (a branch-free loop LLVM vectorises)."""
    ok = True
    flat = g.ravel()
    for i in range(flat.size):
        ok &= np.abs(flat[i]) < np.inf
    return ok


@njit(**JIT)
def _gradients(inputs, acts, deltas, grad_w, grad_b, scale):
    """grad_w[k] ← (η/n) δᵀ a, grad_b[k] ← (η/n) Σ δ; True if all are finite."""
    a, m, finite = inputs, len(inputs), True
    for k in range(len(deltas)):
        d, g, g_b = deltas[k][:m], grad_w[k], grad_b[k]
        g_b[:] = 0
        for i in range(m):
            for j in range(len(g_b)):
                d[i, j] *= scale                                      # (η/n) δ
                g_b[j] += d[i, j]                                     # η ∂C/∂b  (n_out,)
        np.dot(d.T, a, g)                                             # η ∂C/∂W  (n_out, n_in)
        finite &= _all_finite(g) and _all_finite(g_b)
        a = acts[k][:m]
    return finite


@njit(**JIT)
def _update(weights, biases, grad_w, grad_b, velocity_w, velocity_b, decay,
            momentum):
    """W ← W − η(∂C/∂W + (λ/n) W), b ← b − η ∂C/∂b (with momentum as in sgd_step)."""
    for k in range(len(weights)):
        w, b, g, g_b, v_w, v_b = (weights[k], biases[k], grad_w[k], grad_b[k],
                                  velocity_w[k], velocity_b[k])
        for j in range(len(b)):
            if momentum:
                v_b[j] = momentum * v_b[j] - g_b[j]
                b[j] += v_b[j]
            else:
                b[j] -= g_b[j]
            for q in range(w.shape[1]):
                step_q = g[j, q] + decay * w[j, q] if decay else g[j, q]
                if momentum:
                    v_w[j, q] = momentum * v_w[j, q] - step_q
                    w[j, q] += v_w[j, q]
                else:
                    w[j, q] -= step_q


@njit(**JIT)
def step(x, targets, rows, weights, biases, inputs, acts, deltas, grad_w,
         grad_b, codes, quadratic, velocity_w, velocity_b, eta, decay, momentum):
    """One SGD step on rows `rows` of x; False (parameters untouched) if it would diverge.

    inputs, acts, deltas: buffers of at least len(rows) rows; eta (float64), decay = ηλ/n_train
    and momentum μ in the arrays' dtype. Every gradient is checked before any parameter moves.
    """
    m = len(rows)
    _gather(x, rows, inputs)                                          # the one gather
    _forward(inputs[:m], weights, biases, acts, codes)
    if not _backward(targets, rows, weights, acts, deltas, codes, quadratic):
        return False
    if not _gradients(inputs[:m], acts, deltas, grad_w, grad_b, x.dtype.type(eta / m)):
        return False
    _update(weights, biases, grad_w, grad_b, velocity_w, velocity_b, decay, momentum)
    return True


@njit(**JIT)
def steps(x, targets, order, size, first, stop, weights, biases,
          inputs, acts, deltas, grad_w, grad_b, codes, quadratic, velocity_w, velocity_b, eta,
          decay, momentum):
    """Steps first, …, stop − 1 of an epoch, step s on rows order[s·size:(s+1)·size]; the
    number that finished (stop − first, or fewer if the next one would diverge)."""
    for s in range(first, stop):
        if not step(x, targets, order[s * size:(s + 1) * size], weights, biases, inputs, acts,
                    deltas, grad_w, grad_b, codes, quadratic, velocity_w, velocity_b, eta,
                    decay, momentum):
            return s - first
    return stop - first


class CompiledStepper:
    """fast.Stepper's interface over the compiled step: same arithmetic, one call per run."""

    def __init__(self, net: Network, size: int, l2: bool = False) -> None:
        def rows(n: int) -> Array:
            return np.zeros((size, n), dtype=net.dtype)
        self.weights, self.biases = tuple(net.weights), tuple(net.biases)   # the same arrays
        self.buffers = (rows(net.sizes[0]), tuple(rows(n) for n in net.sizes[1:]),
                        tuple(rows(n) for n in net.sizes[1:]),
                        tuple(np.zeros_like(w) for w in net.weights),
                        tuple(np.zeros_like(b) for b in net.biases))
        self.codes = np.array([CODES[net.layer_activation(k).name]
                               for k in range(len(net.weights))])
        self.quadratic = net.cost_function.name == "quadratic"
        self.number = net.dtype.type

    def steps(self, x: Array, targets: Array, order: np.ndarray, size: int, first: int,
              stop: int, eta: float, decay: float, momentum: float, velocity_w: list[Array],
              velocity_b: list[Array]) -> int:
        """fast.Stepper.steps, all in one compiled call."""
        return int(steps(x, targets, order, size, first, stop, self.weights, self.biases,
                         *self.buffers, self.codes, self.quadratic, tuple(velocity_w),
                         tuple(velocity_b), float(eta), self.number(decay),
                         self.number(momentum)))

    def step(self, x: Array, targets: Array, batch: np.ndarray, eta: float, decay: float,
             momentum: float, velocity_w: list[Array], velocity_b: list[Array]) -> None:
        """One SGD step on rows `batch` of x; TrainingDiverged, parameters untouched, if the
        gradient would hold NaN or inf."""
        if not self.steps(x, targets, batch, len(batch), 0, 1, eta, decay, momentum,
                          velocity_w, velocity_b):
            raise TrainingDiverged("the gradient became NaN or inf")
