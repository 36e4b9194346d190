"""`nudges noise MODEL`: mini-batch gradients against the full gradient, measured."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import InvalidInput
from ..explain.wishes import NoiseRow, gradient_noise
from ..files.models import load_saved
from . import data_args
from .common import add_command, add_data_option, load_data, output_file, output_folder

EXAMPLES = """\
  nudges noise book.npz
  nudges noise book.npz --subset 10000 --repeats 50 --out noise.png
  nudges noise book.npz --batch-sizes 1,10,100,1000,10000 --figures figures
"""


def register(subparsers: Any) -> None:
    """Add `nudges noise`."""
    p = add_command(subparsers, "noise", run,
                    "how well mini-batch gradients approximate the full gradient, and their cost",
                    EXAMPLES)
    p.add_argument("model", metavar="MODEL", help="a network saved by `nudges train --save`")
    p.add_argument("--batch-sizes", default="1,10,100,1000", help="mini-batch sizes to compare")
    p.add_argument("--repeats", type=int, default=20, help="random mini-batches per size")
    p.add_argument("--subset", type=int, default=None, help="use only the first N training "
                   "images as the full set (default: all of them)")
    p.add_argument("--seed", type=int, default=0, help="seed for drawing the mini-batches")
    p.add_argument("--figures", metavar="DIR", help="write the plot as DIR/noise.FORMAT")
    p.add_argument("--out", metavar="FILE", help="write the plot to FILE (.png or .svg)")
    p.add_argument("--format", choices=["png", "svg"], default="png",
                   help="figure format for --figures")
    add_data_option(p)


def _sizes(text: str, n: int) -> list[int]:
    """The batch sizes of --batch-sizes, those above n dropped, and n (the full set) added."""
    try:
        sizes = [int(s) for s in str(text).split(",")]
    except ValueError:
        raise InvalidInput(f"--batch-sizes must be comma-separated integers like 1,10,100, "
                           f"got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise InvalidInput(f"--batch-sizes must be positive, got {text!r}")
    return sorted({s for s in sizes if s < n} | {n})


def table(rows: list[NoiseRow], n: int) -> str:
    """The rows as a table, with the angle to the full gradient and the speed-up."""
    full = next(r for r in rows if r.batch_size == n).seconds
    lines = ["batch size   cosine (mean ± std)   angle   ‖g_B‖/‖g‖   ms per gradient   "
             "speed-up"]
    for r in rows:
        angle = np.degrees(np.arccos(np.clip(r.cosine_mean, -1, 1)))
        note = "   (the full gradient)" if r.batch_size == n else ""
        lines.append(f"{r.batch_size:>10,}   {r.cosine_mean:>7.3f} ± {r.cosine_std:<6.3f}      "
                     f"{angle:>4.0f}°   {r.norm_ratio:>9.2f}   {1e3 * r.seconds:>15.3f}   "
                     f"{full / max(r.seconds, 1e-12):>7.0f}x{note}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the table; write the plot with --figures or --out."""
    if args.out:
        output_file(args.out, "--out")
    if args.figures:
        output_folder(args.figures, "--figures")
    saved = load_saved(args.model)
    net = saved.network
    data = data_args.load_for_model(args, saved, args.model, lambda: load_data(args))
    x, y = data.train
    if args.subset is not None:
        if args.subset < 1:
            raise InvalidInput(f"--subset must be at least 1, got {args.subset}")
        x, y = x[:args.subset], y[:args.subset]
    n = len(y)
    rows = gradient_noise(net, x, y, _sizes(args.batch_sizes, n), args.repeats, args.seed)
    print(f"Mini-batch gradients against the gradient of all {n:,} training images "
          f"({args.repeats} random mini-batches per size):")
    print(table(rows, n))
    mid = min(rows[:-1] or rows, key=lambda r: abs(np.log(r.batch_size / 100)))  # near 100
    print(f"\nA mini-batch of {mid.batch_size:,} points on average "
          f"{np.degrees(np.arccos(np.clip(mid.cosine_mean, -1, 1))):.0f}° away from the "
          f"full gradient's direction, at 1/{rows[-1].seconds / max(mid.seconds, 1e-12):.0f} "
          "of its cost: not the actual gradient, but an approximation and a big speed-up.")
    for path in _plot_paths(args):
        from ..explain import figures
        figures.save(figures.noise_figure(rows, n), path)
        print(f"Figure: {path}")
    return 0


def _plot_paths(args: argparse.Namespace) -> list[Path]:
    paths = [Path(args.out)] if args.out else []
    if args.figures:
        Path(args.figures).mkdir(parents=True, exist_ok=True)
        paths.append(Path(args.figures) / f"noise.{args.format}")
    return paths
