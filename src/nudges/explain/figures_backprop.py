"""Figures of backpropagation on one example: the network lit up, its wishes, their average.

network_diagram draws the network as the video does; wishes_figure the desired changes of every
layer and the Hebbian picture of one neuron's weight nudges; agreement_figure how a batch of
examples votes on each weight. Sizes, colours and saving are those of nudges.explain.figures.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from ..core.activations import Array
from ..core.network import Network
from .figures import BACKGROUND, DOWN, TARGET, UP, as_square, gray_image, make_figure, signed_image
from .wishes import Agreement, Wishes

MAX_SHOWN = 32


def _shown(a: Array) -> np.ndarray:
    """Indices of the neurons to draw: all, or the MAX_SHOWN most active, in order."""
    if a.size <= MAX_SHOWN:
        return np.arange(a.size)
    return np.sort(np.argsort(-np.abs(a), kind="stable")[:MAX_SHOWN])


def _heights(count: int) -> Array:
    """Vertical positions of `count` neurons, first at the top, centred on 0.5."""
    spacing = min(0.9 / max(count - 1, 1), 0.085)
    return 0.5 + ((count - 1) / 2 - np.arange(count)) * spacing


def _edges(ax: Any, w: Array, x0: float, y0: Array, y1: Array) -> None:
    """Lines from (x0, y0[k]) to (x0 + 1, y1[j]): blue w_jk > 0, red < 0, thick when |w| big."""
    from matplotlib.collections import LineCollection
    size = np.abs(w).ravel() / (np.abs(w).max() or 1.0)                    # (n_out·n_in,)
    j, k = np.divmod(np.arange(w.size), w.shape[1])
    order = np.argsort(size, kind="stable")                                # strong on top
    segments = np.stack([np.c_[np.full(w.size, x0), y0[k]],
                         np.c_[np.full(w.size, x0 + 1), y1[j]]], axis=1)[order]
    colors = np.array([[0.16, 0.5, 0.83], [0.84, 0.27, 0.17]])[(w.ravel() < 0)[order].astype(int)]
    rgba = np.c_[colors, 0.08 + 0.8 * size[order]]
    lines = LineCollection(cast(Any, segments), colors=rgba,   # an (n, 2, 2) array of segments
                           linewidths=0.2 + 2.6 * size[order])
    ax.add_collection(lines)


def network_diagram(net: Network, x: Array, label: int | None = None) -> Any:
    """The network on one input: the image, neurons lit by activation, edges by weight."""
    acts = [a[0] for a in net.trace(x).activations]
    fig = make_figure("network", layout=None)
    fig.set_facecolor(BACKGROUND)
    gray_image(fig.add_axes((0.02, 0.3, 0.17, 0.4)), acts[0], "")
    ax = fig.add_axes((0.19, 0.02, 0.79, 0.86))
    ax.set_axis_off()
    layers = len(acts) - 1
    ax.set(xlim=(-0.02, layers + 0.45), ylim=(0, 1))
    shown = [_shown(a) for a in acts[1:]]
    ys = [_heights(len(s)) for s in shown]
    fan = np.linspace(0.72, 0.39, len(ys[0]))                     # beside the image
    ax.plot(np.c_[np.zeros(len(fan)), np.ones(len(fan))].T, np.c_[fan, ys[0]].T,
            color="white", alpha=0.18, lw=0.6)
    fig.text(0.105, 0.27, f"the input: {acts[0].size} pixels, each weighed\nby every neuron "
             "of the first layer", color="#9aa4ad", ha="center", va="top", fontsize=9)
    for l in range(1, layers):
        _edges(ax, net.weights[l][np.ix_(shown[l], shown[l - 1])], l, ys[l - 1], ys[l])
    for l, (s, y) in enumerate(zip(shown, ys, strict=True)):
        a = acts[l + 1][s]
        ax.scatter(np.full(len(s), l + 1), y, s=min(260, 5200 / len(s)), zorder=3,
                   c=np.clip(a / max(1.0, float(acts[l + 1].max())), 0, 1), cmap="gray",
                   vmin=0, vmax=1, edgecolors="#9aa4ad", linewidths=0.8)
        more = "" if len(s) == acts[l + 1].size else f" ({len(s)} most active shown)"
        name = "output" if l == layers - 1 else f"hidden layer {l + 1}"
        ax.text(l + 1, 1.0, f"{name}: {acts[l + 1].size} neurons{more}", color="white",
                ha="center", va="bottom", fontsize=9)
    _outputs(ax, acts[-1], ys[-1], layers, label)
    return fig


def _outputs(ax: Any, a: Array, y: Array, layers: int, label: int | None) -> None:
    """Digit names and activations beside the output neurons; the answer ringed in yellow."""
    said = int(np.argmax(a))
    ax.scatter([layers], [y[said]], s=420, facecolors="none", edgecolors="#ffd400", lw=2.5,
               zorder=4)
    for digit, (value, height) in enumerate(zip(a, y, strict=True)):
        color = TARGET if digit == label else ("#ffd400" if digit == said else "white")
        ax.text(layers + 0.06, height, f"{digit}  {value:.2f}", color=color, va="center",
                fontsize=10, fontweight="bold" if digit in (said, label) else "normal")
    truth = "" if label is None else f"; the label is {label}"
    ax.figure.suptitle(f"The network sees a {said} (a = {a[said]:.2f}){truth}.   Brightness = "
                       "activation; edges: blue w > 0, red w < 0, thicker = larger |w|",
                       color="white", fontsize=12)


def _bars(ax: Any, wish: Array, title: str, mark: int | None = None) -> None:
    """Desired changes as bars: blue up, red down; `mark` gets a black outline."""
    colors = np.where(wish >= 0, UP, DOWN)
    bars = ax.bar(np.arange(wish.size), wish, color=colors, width=0.8)
    if mark is not None:
        bars[mark].set_edgecolor("black")
        bars[mark].set_linewidth(2)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)


def wishes_figure(w: Wishes, neuron: int | None = None) -> Any:
    """One example's wishes, layer by layer, and the Hebbian picture of one neuron's nudges.

    neuron: the first hidden layer's neuron to show (default: the largest |δ_j|, whose weights
    get the largest nudges).
    """
    layers = len(w.deltas)
    j = int(np.argmax(np.abs(w.deltas[0]))) if neuron is None else neuron
    fig = make_figure("wishes")
    grid = fig.add_gridspec(2, 1, height_ratios=[1, 1.25])
    top = grid[0].subgridspec(1, layers, width_ratios=[1] + [2] * (layers - 1))
    out = fig.add_subplot(top[0])
    _bars(out, w.output_wish, f"Output layer: the wish −∂C/∂a (label {w.label})", w.label)
    out.set_xticks(range(w.output_wish.size))
    out.set_xlabel(f"digit (the network says {w.prediction}, "
                   f"a = {w.output[w.prediction]:.2f}; cost C_x = {w.cost:.3g})")
    for i, l in enumerate(range(layers - 2, -1, -1)):
        ax = fig.add_subplot(top[i + 1])
        _bars(ax, w.activation_wishes[l], f"Hidden layer {l + 1}: wishes passed back, "
              "Σ_j w_jk × (−δ_j)", j if l == 0 else None)
        ax.set_xlabel("neuron" + (f"  (outlined: neuron {j})" if l == 0 else ""))
    _hebbian(fig, grid[1], w, j)
    fig.suptitle("What one example wishes: blue = increase, red = decrease", fontsize=13)
    return fig


def _hebbian(fig: Any, place: Any, w: Wishes, j: int) -> None:
    """The input, neuron j's weight nudges −δ_j a_k, and its weights, side by side."""
    axes = [fig.add_subplot(cell) for cell in place.subgridspec(1, 3)]
    gray_image(axes[0], w.trace.activations[0][0], f"The input, a {w.label}: a_k of each pixel")
    shown = signed_image(axes[1], w.nudge_w[0][j], f"Nudges to neuron {j}'s weights: −δ_{j} × a_k\n"
                    "(only lit pixels' weights change)")
    fig.colorbar(shown, ax=axes[1], shrink=0.8)
    shown = signed_image(axes[2], w.weights[0][j], f"Neuron {j}'s weights now")
    fig.colorbar(shown, ax=axes[2], shrink=0.8)


def agreement_figure(ag: Agreement, j: int, k: int) -> Any:
    """How the examples vote on w_jk, and on every incoming weight of neuron j."""
    nudges = ag.nudges_of(j, k)
    fig = make_figure("agreement")
    votes, agree, mean = fig.subplots(1, 3, width_ratios=[1.4, 1, 1])
    moving = np.sort(nudges[nudges != 0])[::-1]
    votes.bar(np.arange(moving.size), moving, width=1.0, color=np.where(moving > 0, UP, DOWN))
    votes.axhline(ag.mean[j, k], color="black", lw=1.5, ls="--",
                  label=f"mean over all {ag.n:,}: {ag.mean[j, k]:.2g} (the step)")
    votes.set(xlabel=f"the {moving.size:,} examples that move it, strongest up first "
              f"({ag.n - moving.size:,} leave it alone)", ylabel="nudge −∂C_x/∂w")
    votes.set_title(f"Each example's nudge to w_{j},{k}: {int(ag.up[j, k]):,} up, "
                    f"{int(ag.down[j, k]):,} down", fontsize=10)
    if moving.size:
        votes.set_yscale("symlog", linthresh=float(np.abs(moving).max()) * 1e-3)
    votes.legend(fontsize=9, loc="upper right")
    _neuron_maps(fig, agree, mean, ag, j, k)
    fig.suptitle("Averaging made visible: every example pulls each weight its own way; "
                 "gradient descent follows the mean (ringed: w_jk)", fontsize=12)
    return fig


def _neuron_maps(fig: Any, agree: Any, mean: Any, ag: Agreement, j: int, k: int) -> None:
    """Neuron j's agreement and mean nudge per incoming weight, with w_jk ringed."""
    from matplotlib import colormaps
    cmap = colormaps["viridis"].with_extremes(bad="#dddddd")
    shown = agree.imshow(as_square(ag.agree[j]), cmap=cmap, vmin=0, vmax=1)
    agree.set_title(f"Neuron {j}: share of the moving examples\nthat agree with the mean's "
                    "sign (gray: none)", fontsize=10)
    fig.colorbar(shown, ax=agree, shrink=0.8)
    shown = signed_image(mean, ag.mean[j], f"Neuron {j}: the mean nudge −∂C/∂w\n(what SGD applies)")
    fig.colorbar(shown, ax=mean, shrink=0.8)
    side = as_square(ag.agree[j]).shape[1]
    for ax in (agree, mean):
        ax.plot(k % side, k // side, "o", mfc="none", mec="#ff00ff", ms=9, mew=2)
        ax.set_xticks([])
        ax.set_yticks([])
