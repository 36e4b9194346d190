"""Figures of a sweep: a heatmap of validation accuracy for each swept pair, and the learning
curves of the best trials. Imports matplotlib (the `plots` extra); draws from the table's rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .results import figure_names, write_whole  # noqa: E402

Row = dict[str, Any]


def draw(rows: Sequence[Row], swept: Sequence[str], out: Path, top: int = 5) -> list[Path]:
    """Write sweep-heatmap-A-B.png for each swept pair and sweep-curves.png; their paths."""
    *maps, last = figure_names(swept)
    paths = [heatmap(rows, x, y, out / name)
             for (x, y), name in zip(itertools.combinations(swept, 2), maps)]
    return paths + [curves(rows, swept, out / last, top)]


def _values(rows: Sequence[Row], name: str) -> list[Any]:
    seen: list[Any] = []
    for r in rows:
        if r[name] not in seen:
            seen.append(r[name])
    return sorted(seen, key=lambda v: (isinstance(v, str), v))


def heatmap(rows: Sequence[Row], x: str, y: str, path: Path) -> Path:
    """Validation accuracy over x (columns) and y (rows): the best trial of each cell (the
    other swept settings vary within a cell); × marks a cell whose every trial diverged."""
    xs, ys = _values(rows, x), _values(rows, y)
    grid = np.full((len(ys), len(xs)), np.nan)
    tried = np.zeros_like(grid, dtype=bool)
    for r in rows:
        i, j = ys.index(r[y]), xs.index(r[x])
        tried[i, j] = True
        if r["validation_accuracy"] is not None:
            grid[i, j] = np.fmax(grid[i, j], r["validation_accuracy"])
    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * len(xs), 1.2 + 0.6 * len(ys)), dpi=120)
    image = ax.imshow(grid, cmap="viridis", aspect="auto", origin="lower")
    for (i, j), v in np.ndenumerate(grid):
        text = "×" if tried[i, j] and np.isnan(v) else "" if np.isnan(v) else f"{v:.1f}"
        shade = "white" if np.isnan(v) or v < np.nanmean(grid) else "black"
        ax.text(j, i, text, ha="center", va="center", fontsize=8, color=shade)
    ax.set_xticks(range(len(xs)), [_text(v) for v in xs])
    ax.set_yticks(range(len(ys)), [_text(v) for v in ys])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    others = len(rows) > len(xs) * len(ys)
    ax.set_title("validation accuracy (%)" + (", best of each cell" if others else ""),
                 fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.8)
    return _save(fig, path)


def curves(rows: Sequence[Row], swept: Sequence[str], path: Path, top: int) -> Path:
    """Training cost and validation accuracy per epoch of the `top` best trials."""
    finished = [r for r in rows if r["validation_accuracy"] is not None]
    best = sorted(finished, key=lambda r: -r["validation_accuracy"])[:top]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=120)
    for r in sorted(best, key=lambda r: r["trial"]):
        epochs = [h["epoch"] for h in r["history"]]
        label = " ".join(f"{k}={_text(r[k])}" for k in swept) or f"trial {r['trial']}"
        left.plot(epochs, [h["training_cost"] for h in r["history"]], label=label)
        right.plot(epochs, [h["validation_accuracy"] for h in r["history"]], label=label)
    left.set(xlabel="epoch", ylabel="training cost", title="cost on the training data")
    right.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy on validation data")
    left.set_yscale("log")
    for ax in (left, right):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.legend(fontsize=7, loc="lower right")
    for ax in (left, right):
        ax.title.set_fontsize(10)
        ax.grid(alpha=0.3)
    return _save(fig, path)


def _text(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    try:
        return write_whole(path, lambda f: fig.savefig(f, format="png"))
    finally:
        plt.close(fig)
