"""Figures of what the network learned and what backpropagation does, as PNG or SVG.

Every function returns a matplotlib Figure built without pyplot (so no display and no global
state), of the fixed size SIZES[name] inches at DPI; `save(fig, path)` writes it. matplotlib is
imported only when a figure is made (pip install 'nudges[plots]'). The numbers come from
nudges.explain.wishes and nudges.explain.noise; this module only draws them. The figures of one
example's trip through the network (diagram, wishes, agreement) are in
nudges.explain.figures_backprop."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..core.activations import Array
from ..core.errors import InvalidInput
from ..core.network import Network
from ..training.settings import History
from .noise import NoiseRow

DPI = 100
SIZES = {"curves": (10, 4), "weights": (10, 7), "network": (12, 7), "wishes": (13, 8),
         "agreement": (13, 4.2), "noise": (11, 4.2), "confusion": (7, 6), "gallery": (10, 6.4)}
UP, DOWN, TARGET = "#2a7fd4", "#d6452b", "#2ca02c"       # positive blue, negative red
FORMATS = ("png", "svg")
BACKGROUND = "#14181d"


def make_figure(name: str, layout: Literal["constrained", "tight"] | None = "constrained") -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise InvalidInput("figures need matplotlib: pip install 'nudges[plots]'") from None
    return Figure(figsize=SIZES[name], dpi=DPI, layout=layout)


def save(fig: Any, path: str | PathLike[str]) -> Path:
    """Write fig to path as PNG or SVG (chosen by the suffix); returns the path."""
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise InvalidInput(f"figure files must end in .png or .svg, got {path.name!r}")
    if not path.parent.is_dir():
        raise InvalidInput(f"cannot write {path}: directory {path.parent} does not exist")
    fig.savefig(path, format=kind, dpi=DPI)
    return path


def as_square(v: Array) -> Array:
    """A row of pixels as a square image (side, side), or a (1, n) strip if n is not square."""
    side = int(round(np.sqrt(v.size)))
    return v.reshape(side, side) if side * side == v.size else v.reshape(1, -1)


def signed_image(ax: Any, v: Array, title: str) -> Any:
    """v as an image in blue (positive) and red (negative), symmetric around white 0."""
    limit = float(np.abs(v).max()) or 1.0
    shown = ax.imshow(as_square(v), cmap="RdBu", vmin=-limit, vmax=limit)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    return shown


def gray_image(ax: Any, v: Array, title: str) -> None:
    ax.imshow(as_square(v), cmap="gray", vmin=0, vmax=1)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


def training_curves(history: History) -> Any:
    """Cost per epoch (training and test) and test accuracy per epoch."""
    fig = make_figure("curves")
    cost_ax, acc_ax = fig.subplots(1, 2)
    epochs = [r.epoch for r in history.epochs]
    cost_ax.plot(epochs, [r.training_cost for r in history.epochs], "o-", label="training")
    test = [r for r in history.epochs if r.evaluation_cost is not None]
    if test:
        cost_ax.plot([r.epoch for r in test], [r.evaluation_cost for r in test], "s-",
                     label="test")
        acc_ax.plot([r.epoch for r in test], [r.accuracy for r in test], "s-", color="C1")
        best = max(test, key=lambda r: r.accuracy or 0)
        acc_ax.plot([best.epoch], [best.accuracy], "*", ms=14, color="C3",
                    label=f"best {best.accuracy:.2f}% (epoch {best.epoch})")
        acc_ax.plot([test[-1].epoch], [test[-1].accuracy], "o", ms=9, mfc="none", color="k",
                    label=f"final {test[-1].accuracy:.2f}%")
        acc_ax.legend(loc="lower right")
    s = history.settings
    cost_ax.set(title=f"Cost C per epoch (η = {s.eta:g}, mini-batches of {s.batch_size})",
                xlabel="epoch", ylabel="mean cost C")
    cost_ax.legend()
    acc_ax.set(title="Test accuracy per epoch", xlabel="epoch", ylabel="% classified correctly")
    for ax in (cost_ax, acc_ax):
        ax.grid(alpha=0.3)
    return fig


def weight_images(net: Network, count: int = 40) -> Any:
    """The first layer's incoming weights of (up to `count`) hidden neurons as images."""
    weights = net.weights[0][:count]                                  # (shown, n_in)
    cols = int(np.ceil(np.sqrt(len(weights) * 1.5)))
    rows = int(np.ceil(len(weights) / cols))
    fig = make_figure("weights")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for j, ax in enumerate(axes):
        if j < len(weights):
            shown = signed_image(ax, weights[j], f"neuron {j}")
        else:
            ax.set_axis_off()
    fig.colorbar(shown, ax=axes.tolist(), shrink=0.6, ticks=[],
                 label="negative  ←  weight (each neuron scaled to its own range)  →  positive")
    fig.suptitle(f"What each of the first {len(weights)} hidden neurons looks for: the weights "
                 "from every pixel (blue +, red −)")
    return fig


def noise_figure(rows: Sequence[NoiseRow], n_full: int | None = None) -> Any:
    """Cosine similarity with the full gradient, and seconds per gradient, by batch size."""
    fig = make_figure("noise")
    cos_ax, time_ax = fig.subplots(1, 2)
    sizes = np.array([r.batch_size for r in rows])
    cosine = np.array([r.cosine_mean for r in rows])
    cos_ax.errorbar(sizes, cosine, yerr=[r.cosine_std for r in rows], fmt="o-", capsize=4,
                    label="mean ± std over random mini-batches")
    cos_ax.axhline(1, color="gray", ls="--", lw=1, label="the full gradient")
    for size, value in zip(sizes, cosine, strict=True):
        cos_ax.annotate(f"{value:.2f}", (size, value), textcoords="offset points",
                        xytext=(6, -14), fontsize=9)
    full = "the full gradient" if n_full is None else f"the gradient of all {n_full:,}"
    cos_ax.set(xscale="log", ylim=(min(0.0, float(cosine.min()) - 0.1), 1.1),
               xlim=(sizes.min() / 2, sizes.max() * 3), xlabel="mini-batch size",
               ylabel="cosine similarity", title=f"Mini-batch gradient against {full}")
    cos_ax.legend(loc="upper left", fontsize=9)
    ms = np.array([r.seconds for r in rows]) * 1e3
    time_ax.plot(sizes, ms, "s-", color="C1")
    for size, value in zip(sizes, ms, strict=True):
        time_ax.annotate(f"{value:.3g} ms", (size, value), textcoords="offset points",
                         xytext=(6, 6), fontsize=9)
    time_ax.set(xscale="log", yscale="log", xlabel="mini-batch size",
                xlim=(sizes.min() / 2, sizes.max() * 3), ylim=(ms.min() / 2, ms.max() * 3),
                ylabel="milliseconds per gradient (median)",
                title="…and what each gradient costs")
    for ax in (cos_ax, time_ax):
        ax.grid(alpha=0.3, which="both")
    fig.suptitle("Not the actual gradient, but a good approximation, and a big speed-up")
    return fig


def confusion_figure(m: np.ndarray, classes: Sequence[str] | None = None) -> Any:
    """m[i, j] = examples of class i classified as j; the mistakes coloured, the diagonal gray.

    classes: the names on the axes (default: the numbers 0, 1, ...)."""
    from matplotlib import colormaps
    fig = make_figure("confusion")
    ax = fig.subplots()
    off = m.astype(float)
    np.fill_diagonal(off, np.nan)
    cmap = colormaps["Reds"].with_extremes(bad="#d9e8d9", under="white")
    ax.imshow(off, cmap=cmap, vmin=0.5, vmax=max(float(np.nanmax(off)), 1.0))
    top = max(float(np.nanmax(off)), 1.0)
    for (i, j), count in np.ndenumerate(m):
        if count or i == j:
            dark = i != j and count > 0.6 * top
            ax.text(j, i, f"{count:,}", ha="center", va="center", fontsize=8,
                    color="white" if dark else "black", fontweight="bold" if i == j else None)
    n = len(m)
    names = [str(c) for c in (classes or range(n))][:n]
    names += [str(j) for j in range(len(names), n)]
    ax.set(xticks=range(n), yticks=range(n), xlabel="the network's answer",
           ylabel="true digit" if classes is None else "true class")
    ax.set_xticklabels(names, rotation=90 if max(map(len, names)) > 2 else 0)
    ax.set_yticklabels(names)
    total = int(m.sum())
    ax.set_title(f"Confusion matrix: {int(np.trace(m)):,} of {total:,} right "
                 f"({100 * np.trace(m) / max(total, 1):.2f}%); red = mistakes", fontsize=11)
    return fig


def misclassified_gallery(x: Array, y: np.ndarray, predicted: np.ndarray,
                          count: int = 32) -> Any:
    """The first `count` rows of x whose prediction is wrong, with the label and the answer."""
    wrong = np.flatnonzero(predicted != y)
    fig = make_figure("gallery")
    cols = 8
    rows = max(1, int(np.ceil(min(count, max(len(wrong), 1)) / cols)))
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, i in zip(axes, list(wrong[:len(axes)]) + [None] * len(axes), strict=False):
        if i is None:
            ax.set_axis_off()
            continue
        gray_image(ax, x[i], "")
        ax.set_title(f"#{i}: {y[i]} → {predicted[i]}", fontsize=10, color=DOWN)
    fig.suptitle(f"{len(wrong):,} of {len(y):,} images are misclassified; the first "
                 f"{min(len(wrong), len(axes))} (index: true digit → the network's answer)")
    return fig
