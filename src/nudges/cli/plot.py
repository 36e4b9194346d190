"""`nudges plot MODEL|HISTORY`: training curves, weight images, confusion matrix, mistakes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import InvalidInput
from ..files.metadata import read_history, reports_from, settings_from
from ..files.models import load_saved
from ..training.settings import History
from . import data_args
from .common import add_command, add_data_option, load_data, output_folder
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


def _model_history(path: Path, metadata: dict[str, Any]) -> History | None:
    """The history kept in a model's metadata, else in FILE.history.json beside it, else None."""
    if isinstance(metadata.get("history"), list) and isinstance(metadata.get("training"), dict):
        try:
            return History(settings_from(metadata["training"], str(path)),
                           reports_from(metadata["history"], str(path)))
        except InvalidInput:
            pass                                 # a bad history in the model: try the file
    beside = path.with_name(path.name + ".history.json")
    return read_history(beside) if beside.is_file() else None


def run(args: argparse.Namespace) -> int:
    """Write the figures into --out and list them."""
    from ..explain import figures as plots
    source, made = Path(args.source), []
    history: History | None
    if source.suffix == ".json":
        history, saved = read_history(source), None
    else:
        saved = load_saved(source)
        history = _model_history(source, saved.metadata)
    out = output_folder(args.out, "--out")          # made once the source has been read
    if history is not None and history.epochs:
        made.append(plots.save(plots.training_curves(history), out / f"curves.{args.format}"))
    else:
        print(f"nudges: {source} holds no training history; skipping the curves",
              file=sys.stderr)
    if saved is not None:
        made += _model_figures(args, saved, out, plots)
    for path in made:
        print(f"Figure: {path}")
    return 0


def _model_figures(args: argparse.Namespace, saved: Any, out: Path, plots: Any) -> list[Path]:
    net = saved.network
    data = data_args.load_for_model(args, saved, args.source, lambda: load_data(args))
    data_args.warn_if_seen(args, saved, args.source, data)
    x, y = data.test
    predicted = net.predict(x)
    m = confusion_matrix(y, predicted, net.sizes[-1])
    print(f"test accuracy {100 * np.trace(m) / len(y):.2f}% on {len(y):,} images")
    fmt = args.format
    made = [plots.save(plots.weight_images(net), out / f"weights.{fmt}"),
            plots.save(plots.confusion_figure(m, data.classes), out / f"confusion.{fmt}")]
    if len(data.shape) == 2:                                 # pictures, not table rows
        made.append(plots.save(plots.misclassified_gallery(x, y, predicted),
                               out / f"misclassified.{fmt}"))
    return made
