"""`nudges evaluate MODEL`: accuracy, cost and the confusion matrix on the test set."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..persist import load
from .common import add_command, add_data_option, load_data, percent

EXAMPLES = """\
  nudges evaluate book.npz
  nudges evaluate book.npz --data ../shared/data/mnist
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


def format_confusion(m: np.ndarray) -> str:
    """The matrix as a table: rows are true digits, columns the network's answers."""
    width = max(5, len(f"{m.max():,}") + 1)
    head = "true\\said" + "".join(f"{j:>{width}}" for j in range(len(m)))
    rows = [f"{i:>9}" + "".join(f"{v:>{width},}" for v in row) for i, row in enumerate(m)]
    return "\n".join([head, *rows])


def run(args: argparse.Namespace) -> int:
    """Print accuracy, cost and the confusion matrix."""
    net = load(args.model)
    x, y = load_data(args).test
    predicted = net.predict(x)
    correct = int((predicted == y).sum())
    print(f"test {percent(correct, len(y))}  cost {net.cost(x, y):.4f}")
    print(format_confusion(confusion_matrix(y, predicted, net.sizes[-1])))
    return 0
