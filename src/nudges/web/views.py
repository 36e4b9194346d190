"""What the page draws, as JSON-ready dicts: the library computes, the page only draws.

Layers are numbered as on the page: 0 is the input, l >= 1 is fed by net.weights[l - 1].
Edges are [j, k, value] lists for the weight from neuron k of layer l - 1 to neuron j of layer
l. Only the strongest edges travel, so a 512-neuron layer costs no more to draw than a small one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.activations import Array
from ..core.network import Network, Trace
from ..explain.noise import NoiseRow
from ..explain.wishes import StepEffect, Wishes

EDGES = 400            # most edges drawn between two layers
INPUT_EDGES = 96       # most lines drawn from input pixels to the first hidden layer
NUDGE_EDGES = 24       # biggest weight nudges highlighted per layer
IMAGES = 16            # first-layer weight images shown while training
DIGITS = 4             # decimals (or significant digits) sent; the page shows fewer


def rounded(a: Array | float, digits: int = DIGITS) -> Any:
    """An array (or number) as plain lists of floats, rounded for a small payload."""
    return np.round(np.asarray(a, dtype=np.float64), digits).tolist()


def significant(a: Array, digits: int = DIGITS) -> list[float]:
    """A 1-D array as floats with `digits` significant digits: tiny nudges keep their shape."""
    return [float(f"{v:.{digits}g}") for v in np.asarray(a, dtype=np.float64).ravel()]


def top_edges(matrix: Array, count: int) -> list[list[float]]:
    """[j, k, matrix[j, k]] for the `count` entries of largest |value|, largest first."""
    flat = np.abs(matrix).ravel()
    count = min(count, flat.size)
    chosen = np.argpartition(-flat, count - 1)[:count]
    chosen = chosen[np.argsort(-flat[chosen], kind="stable")]
    n_in = matrix.shape[1]
    return [[int(i // n_in), int(i % n_in), float(f"{matrix.flat[i]:.{DIGITS}g}")]
            for i in chosen]


def model_view(net: Network, version: int) -> dict[str, Any]:
    """The network's shape and its strongest edges into each layer after the first hidden one.

    (The lines into the first hidden layer depend on the input: see input_edges.)
    """
    return {"version": version, "sizes": list(net.sizes), "config": net.config,
            "edges": [[], []] + [top_edges(w, EDGES) for w in net.weights[1:]],
            "max_weight": [0.0] + [float(np.abs(w).max()) for w in net.weights]}


def input_edges(w: Array, x: Array) -> list[list[float]]:
    """The pixels that drive each first-layer neuron most: [j, k, w_jk] by |w_jk a_k|.

    w: (n_1, 784) first-layer weights; x: (784,) the input. At most INPUT_EDGES lines, shared
    evenly among the neurons (at least one each for the first INPUT_EDGES neurons).
    """
    per_neuron = max(1, min(6, INPUT_EDGES // len(w)))
    contribution = np.abs(w * x)                                     # (n_1, 784)
    edges = []
    for j in range(min(len(w), INPUT_EDGES)):
        for k in np.argsort(-contribution[j], kind="stable")[:per_neuron]:
            if contribution[j, k] > 0:
                edges.append([j, int(k), round(float(w[j, k]), DIGITS)])
    return edges


def forward_view(net: Network, x: Array) -> dict[str, Any]:
    """Every layer's activations for one input x (784,), the prediction and the input edges."""
    trace = net.trace(x)
    output = trace.activations[-1][0]
    return {"input": rounded(x, 3), "activations": [rounded(a[0]) for a in trace.activations],
            "prediction": int(np.argmax(output)), "input_edges": input_edges(net.weights[0], x),
            "gates": gates(net, trace)}


def gates(net: Network, trace: Trace) -> list[list[float] | None]:
    """σ′(z) of every neuron of the first example, by page layer: None for the input and for a
    layer whose σ is not elementwise (softmax), whose gate is not one number per neuron."""
    found: list[list[float] | None] = [None]
    for l in range(1, len(net.sizes)):
        prime = net.layer_activation(l - 1).prime
        found.append(None if prime is None else significant(prime(trace.zs[l - 1][0],
                                                                  trace.activations[l][0])))
    return found


def wishes_view(net: Network, w: Wishes, neuron: tuple[int, int] | None) -> dict[str, Any]:
    """The example's wishes for every layer, its biggest weight nudges, and one neuron's levers.

    neuron: (page layer >= 1, index), or None for the first hidden neuron with the biggest wish.
    """
    layer, j = neuron if neuron is not None else (1, int(np.argmax(
        np.abs(w.activation_wishes[0]))))
    return {"label": w.label, "cost": w.cost, "prediction": w.prediction,
            "output_wish": significant(w.output_wish),
            "activation_wishes": [[]] + [significant(a) for a in w.activation_wishes],
            "bias_nudges": [[]] + [significant(b) for b in w.nudge_b],
            "nudge_edges": [[]] + [top_edges(n, NUDGE_EDGES) for n in w.nudge_w],
            "neuron": neuron_view(w, layer, j)}


def neuron_view(w: Wishes, layer: int, j: int) -> dict[str, Any]:
    """Neuron j of page layer `layer`: its incoming weights and their nudges, as an image.

    An input of 784 values is a 28x28 picture; any other is a single row.
    """
    levers = w.levers(layer - 1, j)
    n_in = len(levers.weights)
    side = int(round(np.sqrt(n_in)))
    shape = [side, side] if side * side == n_in and n_in >= 64 else [1, n_in]
    return {"layer": layer, "index": j, "shape": shape, "wish": levers.wish,
            "bias_nudge": levers.bias_nudge, "weights": significant(levers.weights),
            "nudges": significant(levers.weight_nudges),
            "previous_wishes": significant(levers.previous_wishes)}


def step_view(first: StepEffect, last: StepEffect, steps: int) -> dict[str, Any]:
    """Before the first of `steps` steps and after the last: the example and the other digits."""
    before, after = first.digit_cost_before, last.digit_cost_after
    change = np.where(first.digit_counts > 0, after - before, 0.0)
    return {"steps": steps, "eta": first.eta,
            "cost_before": first.cost_before, "cost_after": last.cost_after,
            "output_before": rounded(first.output_before[0]),
            "output_after": rounded(last.output_after[0]),
            "digit_change": significant(change), "digit_counts": first.digit_counts.tolist()}


def noise_view(rows: list[NoiseRow], n: int) -> dict[str, Any]:
    """One row per batch size: cosine with the full gradient over n examples, time per batch."""
    return {"n": n, "rows": [{"batch_size": r.batch_size, "cosine_mean": r.cosine_mean,
                              "cosine_std": r.cosine_std, "norm_ratio": r.norm_ratio,
                              "seconds": r.seconds, "repeats": r.repeats} for r in rows]}


def weight_images(net: Network, count: int = IMAGES) -> dict[str, Any]:
    """The first `count` first-layer neurons' incoming weights, each scaled to [-1, 1].

    Scaled per neuron so that every pattern shows, as the video does; 2 decimals suffice.
    """
    w = net.weights[0][:count].astype(np.float64)                    # (count, 784)
    scale = np.maximum(np.abs(w).max(axis=1, keepdims=True), 1e-12)
    side = int(round(np.sqrt(w.shape[1])))
    return {"side": side, "values": rounded(w / scale, 2)}
