"""`nudges predict MODEL IMAGE...`: the digit and ten output activations for each picture."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..images import read_image
from ..persist import load
from .common import add_command

EXAMPLES = """\
  nudges predict book.npz my_seven.png
  nudges predict book.npz digits/*.png
"""


def register(subparsers: Any) -> None:
    """Add `nudges predict`."""
    p = add_command(subparsers, "predict", run,
                    "classify pictures of digits (any size; converted the MNIST way)", EXAMPLES)
    p.add_argument("model", metavar="MODEL", help="a network saved by `nudges train --save`")
    p.add_argument("images", metavar="IMAGE", nargs="+", help="PNG (or other) image files")


def run(args: argparse.Namespace) -> int:
    """Print one line per image: its name, the digit, the output activations."""
    net = load(args.model)
    rows = np.stack([read_image(path) for path in args.images])      # (n, 784)
    outputs = net.feedforward(rows)                                   # (n, 10)
    for path, a in zip(args.images, outputs):
        values = " ".join(f"{j}:{v:.3f}" for j, v in enumerate(a))
        print(f"{path}: {int(a.argmax())}   {values}")
    return 0
