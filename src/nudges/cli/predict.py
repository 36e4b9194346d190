"""`nudges predict MODEL FILE...`: the class and the output activations for each picture (or
each row of a CSV or .npy file, for a model trained on a table)."""

from __future__ import annotations

import argparse
from typing import Any

from ..core.errors import InvalidInput
from ..data.own.recorded import read_inputs, recorded
from ..files.models import load_saved
from .common import add_command

EXAMPLES = """\
  nudges predict book.npz my_seven.png
  nudges predict book.npz digits/*.png
  nudges predict letters.npz my_letter.png          # a model trained on EMNIST letters
  nudges predict iris.npz rows.csv                  # a table model: one line per row
"""


def register(subparsers: Any) -> None:
    """Add `nudges predict`."""
    p = add_command(subparsers, "predict", run,
                    "classify pictures (any size; converted as the training images were) "
                    "or table rows", EXAMPLES)
    p.add_argument("model", metavar="MODEL", help="a network saved by `nudges train --save`")
    p.add_argument("images", metavar="FILE", nargs="+", help="PNG (or other) image files; "
                   "for a model trained on a table, CSV files with its feature columns (or "
                   ".npy rows)")


def run(args: argparse.Namespace) -> int:
    """Print one line per picture or row: its name, the class, the output activations."""
    saved = load_saved(args.model)
    net, info = saved.network, recorded(saved.metadata, args.model)
    rows, names = read_inputs(args.images, info)                      # (n, n_in)
    if rows.shape[1] != net.sizes[0]:
        raise InvalidInput(f"{args.images[0]}: gives {rows.shape[1]} inputs, but {args.model} "
                           f"takes {net.sizes[0]}; expected data like its training data")
    classes = list(info["classes"]) + [str(j) for j in range(len(info["classes"]),
                                                             net.sizes[-1])]
    outputs = net.feedforward(rows)                                   # (n, n_out)
    for name, a in zip(names, outputs):
        values = " ".join(f"{c}:{v:.3f}" for c, v in zip(classes, a))
        print(f"{name}: {classes[int(a.argmax())]}   {values}")
    return 0
