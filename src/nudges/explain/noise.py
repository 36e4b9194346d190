"""Mini-batches against the full gradient, and what one step of one example does.

The video: a mini-batch gradient is "not the actual gradient, but a good approximation, and a
big speed-up". gradient_noise measures both halves, as the cosine similarity

    cos(g_B, g) = g_B · g / (‖g_B‖ ‖g‖)

between the gradient g_B of random mini-batches and the gradient g of the whole set, and the
seconds each costs. step_effect applies one step w ← w − η ∂C_B/∂w to a copy of the network.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from ..core.activations import Array
from ..core.checks import as_batch, as_targets, check_number
from ..core.errors import InvalidInput
from ..core.network import Network, flat

CHUNK = 10_000


@dataclass(frozen=True)
class NoiseRow:
    """Mini-batches of one size against the full gradient, over `repeats` random draws.

    cosine_mean, cosine_std: of cos(g_B, g). norm_ratio: mean of ‖g_B‖ / ‖g‖.
    seconds: median time of one mini-batch gradient (forward and backward; the median, as
    other programs sharing the CPU make a few draws slow).
    """

    batch_size: int
    cosine_mean: float
    cosine_std: float
    norm_ratio: float
    seconds: float
    repeats: int


class NoiseTable(list[NoiseRow]):
    """gradient_noise's rows, one per batch size: a list that a notebook shows as a table."""


def _batch_gradient(net: Network, x: Array, targets: Array) -> np.ndarray:
    """∂C/∂(W, b) of the mean cost over the rows of x, flattened.  (n_parameters,)"""
    trace = net.run(x)
    return flat(*net.gradient_from(trace, net.backward(trace, targets)))


def full_gradient(net: Network, x: Array, targets: Array) -> np.ndarray:
    """The gradient over every row of x, in chunks of CHUNK rows to bound memory, flattened."""
    total = np.zeros(sum(w.size + b.size for w, b in zip(net.weights, net.biases, strict=True)))
    for start in range(0, len(x), CHUNK):
        part = slice(start, start + CHUNK)
        total += _batch_gradient(net, x[part], targets[part]) * len(x[part])
    return total / len(x)


def gradient_noise(net: Network, x: Array, y: np.ndarray,
                   batch_sizes: Sequence[int] = (1, 10, 100, 1000), repeats: int = 20,
                   rng: np.random.Generator | int | None = None) -> NoiseTable:
    """For each batch size, how close `repeats` random mini-batch gradients come to the full one.

    x: (n, n_in), y: (n,) labels; the full gradient uses every row. Batches are drawn without
    replacement with rng (a Generator or a seed); a batch of all n rows has cosine 1.
    """
    x = as_batch(x, net.sizes[0], net.dtype)
    targets = as_targets(y, net.sizes[-1], len(x), net.dtype)[0]
    sizes = _check_sizes(batch_sizes, len(x))
    repeats = _check_sizes(repeats, np.inf, "repeats")[0]  # type: ignore[arg-type]
    rng = np.random.default_rng(rng)
    g = full_gradient(net, x, targets)
    g_norm = np.linalg.norm(g)
    rows = NoiseTable()
    for size in sizes:
        cosines, ratios, seconds = [], [], []
        for _ in range(repeats):
            batch = rng.choice(len(x), size=size, replace=False)
            x_b, targets_b = x[batch], targets[batch]
            start = time.perf_counter()
            g_b = _batch_gradient(net, x_b, targets_b)
            seconds.append(time.perf_counter() - start)
            b_norm = np.linalg.norm(g_b)
            cosines.append(g_b @ g / max(b_norm * g_norm, 1e-300))
            ratios.append(b_norm / max(cast(float, g_norm), 1e-300))
        rows.append(NoiseRow(size, float(np.mean(cosines)), float(np.std(cosines)),
                             float(np.mean(ratios)), float(np.median(seconds)), int(repeats)))
    return rows


def _check_sizes(values: Sequence[int], n: float, what: str = "batch sizes") -> list[int]:
    """Integers from 1 to n (the number of examples), else InvalidInput."""
    sizes = list(np.atleast_1d(np.asarray(values)))
    bad = [s for s in sizes if isinstance(s, (bool, np.bool_))
           or not isinstance(s, (int, np.integer)) or not 1 <= s <= n]
    if not sizes or bad:
        most = "" if n == np.inf else f" to the number of examples {int(n):,}"
        raise InvalidInput(f"{what} must be integers from 1{most}, got {values!r}")
    return [int(s) for s in sizes]


@dataclass(frozen=True)
class StepEffect:
    """One SGD step w ← w − η ∂C_B/∂w on the examples `rows`, on a copy of the network.

    cost_before/after: mean C_x of those examples. output_before/after: their a^L (m, n_L).
    digit_cost_before/after (n_L,): mean C_x of the other rows of x, by label (NaN where a
    digit has none); digit_counts (n_L,). network: the copy after the step.
    """

    rows: np.ndarray
    eta: float
    cost_before: float
    cost_after: float
    output_before: Array
    output_after: Array
    digit_cost_before: np.ndarray
    digit_cost_after: np.ndarray
    digit_counts: np.ndarray
    network: Network

    @property
    def digit_change(self) -> np.ndarray:
        """How the mean cost of each other digit changed (negative: it improved).  (n_L,)"""
        change: np.ndarray = self.digit_cost_after - self.digit_cost_before
        return change


def _example_costs(net: Network, x: Array, targets: Array) -> np.ndarray:
    """C_x of every row, in chunks.  (n,) float64"""
    parts = [net.example_costs(net.run(x[s:s + CHUNK]), targets[s:s + CHUNK])
             for s in range(0, len(x), CHUNK)]
    return np.concatenate(parts).astype(np.float64)


def step_effect(net: Network, x: Array, y: np.ndarray, index_or_rows: int | Sequence[int],
                eta: float) -> StepEffect:
    """Step a copy of net on rows `index_or_rows` of x and compare costs before and after.

    x: (n, n_in), y: (n,) labels; index_or_rows: one row index or several (a mini-batch).
    The other rows of x, grouped by label, show what the step did to the other digits.
    """
    x = as_batch(x, net.sizes[0], net.dtype)
    targets, labels = as_targets(y, net.sizes[-1], len(x), net.dtype)
    rows = _check_rows(index_or_rows, len(x))
    eta = check_number("eta (the learning rate)", eta)
    after = net.copy()
    grad_w, grad_b = after.gradient(x[rows], targets[rows])
    for p, g in zip(after.weights + after.biases, grad_w + grad_b, strict=True):
        p -= eta * g
    others = np.setdiff1d(np.arange(len(x)), rows)
    before_costs, after_costs = (_example_costs(m, x, targets) for m in (net, after))
    counts = np.bincount(labels[others], minlength=net.sizes[-1])
    return StepEffect(rows, eta, float(before_costs[rows].mean()), float(after_costs[rows].mean()),
                      net.feedforward(x[rows]), after.feedforward(x[rows]),
                      _by_digit(before_costs[others], labels[others], counts),
                      _by_digit(after_costs[others], labels[others], counts), counts, after)


def _by_digit(costs: np.ndarray, labels: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Mean cost per label, NaN for labels with no rows."""
    sums = np.bincount(labels, weights=costs, minlength=len(counts))
    means: np.ndarray = np.divide(sums, counts, out=np.full(len(counts), np.nan), where=counts > 0)
    return means


def _check_rows(index_or_rows: int | Sequence[int], n: int) -> np.ndarray:
    """Row indices as a non-empty int array of distinct values in 0..n−1."""
    rows = np.atleast_1d(np.asarray(index_or_rows))
    if (rows.ndim != 1 or rows.size == 0 or rows.dtype.kind not in "iu"
            or rows.min() < 0 or rows.max() >= n or len(np.unique(rows)) != len(rows)):
        raise InvalidInput(f"index_or_rows must be one row index or distinct row indices from "
                           f"0 to {n - 1}, got {index_or_rows!r}")
    return rows.astype(np.int64)
