"""`nudges evaluate MODEL`: accuracy, cost and the confusion matrix on the test set."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..files.models import load_saved
from . import data_args
from .common import add_command, add_data_option, load_data, percent

EXAMPLES = """\
  nudges evaluate book.npz
  nudges evaluate book.npz --data ../shared/data/mnist
  nudges evaluate iris.npz                   # the data it was trained on, split the same way
"""


def register(subparsers: Any) -> None:
    """Add `nudges evaluate`."""
    p = add_command(subparsers, "evaluate", run,
                    "accuracy, cost and confusion matrix of a saved network", EXAMPLES)
    p.add_argument("model", metavar="MODEL", help="a network saved by `nudges train --save`")
    add_data_option(p)


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, n: int = 10) -> np.ndarray:
    """m[i, j] = how many examples of digit i were classified as j.  (n, n) int"""
    return np.bincount(labels * n + predicted, minlength=n * n).reshape(n, n)


def format_confusion(m: np.ndarray, classes: Sequence[str] | None = None) -> str:
    """The matrix as a table: rows are true classes, columns the network's answers."""
    names = [str(c) for c in (classes or range(len(m)))]
    names += [str(j) for j in range(len(names), len(m))]             # outputs with no class
    width = max(5, len(f"{m.max():,}") + 1, *(len(n) + 1 for n in names))
    head = "true\\said" + "".join(f"{n:>{width}}" for n in names)
    label = max(9, *(len(n) for n in names))
    rows = [f"{names[i]:>{label}}" + "".join(f"{v:>{width},}" for v in row)
            for i, row in enumerate(m)]
    return "\n".join([head, *rows])


def run(args: argparse.Namespace) -> int:
    """Print accuracy, cost and the confusion matrix."""
    saved = load_saved(args.model)
    net = saved.network
    data = data_args.load_for_model(args, saved, args.model, lambda: load_data(args))
    data_args.warn_if_seen(args, saved, args.model, data)
    x, y = data.test
    predicted = net.predict(x)
    correct = int((predicted == y).sum())
    print(f"test {percent(correct, len(y))}  cost {net.cost(x, y):.4f}")
    print(format_confusion(confusion_matrix(y, predicted, net.sizes[-1]), data.classes))
    return 0
