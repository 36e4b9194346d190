"""What the guided tour and the averaging table draw, as JSON-ready dicts, from the library.

The averaging table is the video's central picture: a mini-batch's examples as columns, a few
weights and biases as rows, each cell one example's nudge −∂C_x/∂w (explain.example_nudges);
the "average" column is the mini-batch's −∇C (Network.gradient), beside the average over the
whole training set (noise.full_gradient) and the cosine between the two.
A parameter is named as on the page: (layer ≥ 1, j, k) is the weight w_jk into layer `layer`
from neuron k of layer − 1; k = None is the bias b_j.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.activations import Array
from ..core.checks import as_targets
from ..core.network import Network, flat
from ..explain.noise import full_gradient
from ..explain.wishes import Wishes, example_nudges
from .views import rounded, significant

Param = tuple[int, int, int | None]


@dataclass(frozen=True)
class Batch:
    """The mini-batch of the table: its rows of the training set, their pixels and labels."""

    index: np.ndarray
    x: Array
    y: np.ndarray


def flat_index(net: Network, param: Param) -> int:
    """Where `param` sits in the flat vector of noise.full_gradient: all weights, then biases."""
    layer, j, k = param
    if k is not None:
        return sum(w.size for w in net.weights[:layer - 1]) + j * net.sizes[layer - 1] + k
    return sum(w.size for w in net.weights) + sum(net.sizes[1:layer]) + j


def flat_params(net: Network) -> list[Param]:
    """Every parameter's name, in the order of flat_index."""
    names: list[Param] = []
    for l, w in enumerate(net.weights, start=1):
        names += [(l, j, k) for j in range(w.shape[0]) for k in range(w.shape[1])]
    for l, n in enumerate(net.sizes[1:], start=1):
        names += [(l, j, None) for j in range(n)]
    return names


def chosen_rows(net: Network, mean: np.ndarray, picks: list[Param], top: int) -> list[Param]:
    """The learner's picks, then the `top` parameters of largest |mean nudge| not picked, one
    per neuron (so the rows show different neurons, not one neuron's weights over again)."""
    names = flat_params(net)
    biggest: list[Param] = []
    neurons = {(layer, j) for layer, j, _ in picks}
    for i in np.argsort(-np.abs(mean), kind="stable"):
        layer, j, k = names[i]
        if len(biggest) == top:
            break
        if (layer, j) not in neurons and names[i] not in picks:
            biggest.append(names[i])
            neurons.add((layer, j))
    return [*dict.fromkeys(picks), *biggest]


def average_view(net: Network, batch: Batch, train: tuple[Array, np.ndarray],
                 picks: list[Param], top: int) -> dict[str, Any]:
    """The table: examples, rows of nudges, −∇C of the batch and of the whole training set."""
    nudge_w, nudge_b = example_nudges(net, batch.x, batch.y)   # (n, n_out, n_in), (n, n_out)
    grad_w, grad_b = net.gradient(batch.x, batch.y)
    mean = -flat(grad_w, grad_b)                                # the mini-batch's −∇C
    x, y = train
    full = -full_gradient(net, x, as_targets(y, net.sizes[-1], len(y), net.dtype)[0])
    cosine = float(mean @ full / max(np.linalg.norm(mean) * np.linalg.norm(full), 1e-300))
    rows = []
    for layer, j, k in chosen_rows(net, mean, picks, top):
        cells = nudge_b[layer - 1][:, j] if k is None else nudge_w[layer - 1][:, j, k]
        i = flat_index(net, (layer, j, k))
        rows.append({"layer": layer, "j": j, "k": k, "nudges": significant(cells),
                     "average": float(f"{mean[i]:.6g}"), "full": float(f"{full[i]:.6g}")})
    return {"examples": examples_view(net, batch), "rows": rows, "cosine": cosine,
            "n_full": len(y), "batch_cost": net.cost(batch.x, batch.y),
            "norm": float(np.linalg.norm(mean)), "full_norm": float(np.linalg.norm(full))}


def examples_view(net: Network, batch: Batch) -> list[dict[str, Any]]:
    """Each column's head: its row of the training set, pixels, label, prediction and C_x."""
    trace = net.trace(batch.x)
    targets = as_targets(batch.y, net.sizes[-1], len(batch.y), net.dtype)[0]
    costs = net.example_costs(trace, targets)
    predicted = np.argmax(trace.activations[-1], axis=1)
    return [{"index": int(i), "label": int(label), "prediction": int(p), "cost": float(c),
             "pixels": rounded(pixels, 2)}
            for i, label, p, c, pixels in zip(batch.index, batch.y, predicted, costs, batch.x,
                                              strict=True)]


def levers_extra(net: Network, w: Wishes, layer: int, j: int) -> dict[str, Any]:
    """The chain-rule factors of neuron j of page layer `layer`: a_k, σ'(z_j), ∂C/∂a_j, δ_j.

    σ'(z_j) is the layer's own derivative (None for a softmax output: it is not elementwise,
    and the cost then declares δ^L itself). k is the input with the biggest |weight nudge|.
    """
    levers = w.levers(layer - 1, j)
    a = w.trace.activations[layer][0]
    prime = net.layer_activation(layer - 1).prime
    k = int(np.argmax(np.abs(levers.weight_nudges)))
    return {"z": float(w.trace.zs[layer - 1][0][j]), "delta": levers.delta,
            "sigma_prime": None if prime is None else float(
                prime(w.trace.zs[layer - 1][0][j:j + 1], a[j:j + 1])[0]),
            "inputs": significant(levers.a_prev), "k": k, "a_k": float(levers.a_prev[k]),
            "w_jk": float(levers.weights[k]), "nudge_jk": float(levers.weight_nudges[k])}


def passed_back(net: Network, w: Wishes) -> dict[str, Any]:
    """The wish passed back to the last hidden layer, term by term, for its most-wished neuron:

    −∂C/∂a_k^(L−1) = Σ_j w_jk (−δ_j^L). terms[j] = w_jk (−δ_j^L).
    """
    if len(net.weights) < 2:
        return {}
    wishes_k = w.activation_wishes[-2]
    k = int(np.argmax(np.abs(wishes_k)))
    column = net.weights[-1][:, k]                                   # (n_L,)
    minus_delta = -w.deltas[-1]                                      # (n_L,)
    return {"layer": len(net.weights) - 1, "k": k, "wish": float(wishes_k[k]),
            "weights": significant(column), "minus_deltas": significant(minus_delta),
            "terms": significant(column * minus_delta)}


def recursion(w: Wishes) -> list[dict[str, Any]]:
    """For each layer (page layer 1 up): the biggest |wish| and the size ‖wish‖ of its wishes."""
    return [{"layer": l, "biggest": float(np.abs(a).max()), "norm": float(np.linalg.norm(a))}
            for l, a in enumerate(w.activation_wishes, start=1)]
