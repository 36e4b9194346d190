"""`nudges plot MODEL|HISTORY`: training curves, weight images, confusion matrix, mistakes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidInput
from ..persist import load_saved
from ..training import History
from .common import add_command, add_data_option, load_data
from .evaluate import confusion_matrix

EXAMPLES = """\
  nudges plot book.npz --out figures
  nudges plot book.npz.history.json --out figures --format svg
"""


def register(subparsers: Any) -> None:
    """Add `nudges plot`."""
    p = add_command(subparsers, "plot", run, "draw a saved network's training curves, weights, "
                    "confusion matrix and misclassified test images", EXAMPLES)
    p.add_argument("source", metavar="MODEL|HISTORY",
                   help="a model saved by `nudges train --save`, or its FILE.history.json")
    p.add_argument("--out", metavar="DIR", default="figures", help="folder for the figures")
    p.add_argument("--format", choices=["png", "svg"], default="png", help="figure format")
    add_data_option(p)


def read_history(path: Path) -> History:
    """The History in a FILE.history.json written by `nudges train --save FILE`."""
    try:
        return History.from_dict(json.loads(path.read_text()))
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such history file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as e:
        raise InvalidInput(f"{path}: not a training history written by `nudges train --save` "
                           f"({type(e).__name__}: {e})") from None


def _model_history(path: Path, metadata: dict[str, Any]) -> History | None:
    """The history kept in a model's metadata, else in FILE.history.json beside it, else None."""
    if isinstance(metadata.get("history"), list) and isinstance(metadata.get("training"), dict):
        try:
            return History.from_dict({"settings": metadata["training"],
                                      "epochs": metadata["history"]})
        except (KeyError, TypeError):
            pass
    beside = path.with_name(path.name + ".history.json")
    return read_history(beside) if beside.is_file() else None


def run(args: argparse.Namespace) -> int:
    """Write the figures into --out and list them."""
    from .. import plots
    source, out = Path(args.source), Path(args.out)
    made = []
    history: History | None
    if source.suffix == ".json":
        history, saved = read_history(source), None
    else:
        saved = load_saved(source)
        history = _model_history(source, saved.metadata)
    out.mkdir(parents=True, exist_ok=True)
    if history is not None and history.epochs:
        made.append(plots.save(plots.training_curves(history), out / f"curves.{args.format}"))
    else:
        print(f"nudges: {source} holds no training history; skipping the curves",
              file=sys.stderr)
    if saved is not None:
        made += _model_figures(args, saved.network, out, plots)
    for path in made:
        print(f"Figure: {path}")
    return 0


def _model_figures(args: argparse.Namespace, net: Any, out: Path, plots: Any) -> list[Path]:
    x, y = load_data(args).test
    predicted = net.predict(x)
    m = confusion_matrix(y, predicted, net.sizes[-1])
    print(f"test accuracy {100 * np.trace(m) / len(y):.2f}% on {len(y):,} images")
    fmt = args.format
    return [plots.save(plots.weight_images(net), out / f"weights.{fmt}"),
            plots.save(plots.confusion_figure(m), out / f"confusion.{fmt}"),
            plots.save(plots.misclassified_gallery(x, y, predicted), out / f"misclassified.{fmt}")]
