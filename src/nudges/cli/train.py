"""`nudges train`: build a network, train it by mini-batch SGD, print one line per epoch."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..data import Dataset
from ..errors import InvalidInput
from ..network import Network
from ..persist import write_atomically
from ..train import EpochReport, History, Settings, sgd
from .common import add_command, add_data_option, load_data, percent, progress

PRESETS: dict[str, dict[str, Any]] = {
    "video": dict(layers="784,16,16,10", activation="sigmoid", output="sigmoid",
                  cost="quadratic", epochs=30, batch_size=10, eta=3.0),
    "book": dict(layers="784,30,10", activation="sigmoid", output="sigmoid",
                 cost="quadratic", epochs=30, batch_size=10, eta=3.0),
    "best": dict(layers="784,400,10", activation="relu", output="softmax", cost="cross-entropy",
                 init="he", epochs=24, batch_size=100, eta=0.1, momentum=0.9, lmbda=5.0,
                 schedule="cosine", shift=2),
}
DEFAULTS: dict[str, Any] = dict(PRESETS["video"], init="scaled", lmbda=0.0, momentum=0.0,
                                schedule="constant", shift=0, seed=0, dtype="float32")

EXAMPLES = """\
  nudges train                                          # the video's network, ~1 minute
  nudges train --preset book --data ../shared/data/mnist --save book.npz
  nudges train --preset best --save best.npz
  nudges train --layers 784,100,10 --activation relu --output softmax --cost cross-entropy \\
      --init he --eta 0.1 --momentum 0.9 --epochs 10 --batch-size 100
"""


def register(subparsers: Any) -> None:
    """Add `nudges train`."""
    p = add_command(subparsers, "train", run, "train a network on handwritten digits", EXAMPLES)
    p.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help="a tested set of options; other flags override it "
                        "(video: 784-16-16-10 as in the video; book: Nielsen's chapter 1; "
                        "best: ReLU, softmax, momentum, L2, shifts; default: video)")
    _add_network_options(p)
    _add_training_options(p)
    add_data_option(p)
    p.add_argument("--save", metavar="FILE", help="write the trained network here (.npz); "
                   "its history goes beside it as FILE.history.json")
    p.add_argument("--quiet", action="store_true", help="print only the final line")


def _add_network_options(p: argparse.ArgumentParser) -> None:
    d = DEFAULTS
    p.add_argument("--layers", help=f"layer sizes, input first (default: {d['layers']})")
    p.add_argument("--activation", choices=["sigmoid", "relu", "tanh"],
                   help=f"hidden activation (default: {d['activation']})")
    p.add_argument("--output", choices=["sigmoid", "softmax"],
                   help=f"output activation (default: {d['output']})")
    p.add_argument("--cost", choices=["quadratic", "cross-entropy"],
                   help=f"cost per example (default: {d['cost']})")
    p.add_argument("--init", choices=["scaled", "normal", "he"],
                   help=f"weight initialisation (default: {d['init']})")
    p.add_argument("--dtype", choices=["float32", "float64"], help="default: float32")


def _add_training_options(p: argparse.ArgumentParser) -> None:
    d = DEFAULTS
    p.add_argument("--epochs", type=int, help=f"passes over the training set "
                   f"(default: {d['epochs']})")
    p.add_argument("--batch-size", type=int, help=f"mini-batch size (default: {d['batch_size']})")
    p.add_argument("--eta", type=float, help=f"learning rate η (default: {d['eta']})")
    p.add_argument("--lmbda", type=float, help="L2 regularisation λ (default: 0)")
    p.add_argument("--momentum", type=float, help="momentum μ in [0, 1) (default: 0)")
    p.add_argument("--schedule", choices=["constant", "cosine"],
                   help="learning-rate schedule (default: constant)")
    p.add_argument("--shift", type=int, help="random shifts of up to this many pixels "
                   "(default: 0)")
    p.add_argument("--seed", type=int, help="seed for initialisation and shuffling (default: 0)")


def options(args: argparse.Namespace) -> dict[str, Any]:
    """Defaults, overridden by the preset, overridden by the flags given."""
    chosen = dict(DEFAULTS) | PRESETS.get(args.preset or "video", {})
    given = {k: v for k, v in vars(args).items() if k in DEFAULTS and v is not None}
    return chosen | given


def build(opts: dict[str, Any]) -> tuple[Network, Settings]:
    """The network and training settings that `opts` describe."""
    sizes = _parse_layers(opts["layers"])
    net = Network(sizes, activation=opts["activation"], output=opts["output"],
                  cost=opts["cost"], init=opts["init"], dtype=opts["dtype"], seed=opts["seed"])
    settings = Settings(opts["epochs"], opts["batch_size"], opts["eta"], opts["lmbda"],
                        opts["momentum"], opts["seed"], opts["schedule"], opts["shift"])
    return net, settings


def check_fits(net: Network, data: Dataset) -> None:
    """InvalidInput unless the first and last layers fit the data's pixels and classes."""
    n_pixels, n_classes = data.train[0].shape[1], int(data.train[1].max()) + 1
    if net.sizes[0] != n_pixels or net.sizes[-1] < n_classes:
        raise InvalidInput(
            f"the layers {'-'.join(map(str, net.sizes))} do not fit the data: it has "
            f"{n_pixels} pixels per image and {n_classes} classes, so the first layer must "
            f"have {n_pixels} neurons and the last {n_classes}")


def _parse_layers(text: str) -> list[int]:
    try:
        return [int(s) for s in str(text).split(",")]
    except ValueError:
        raise InvalidInput(f"--layers must be comma-separated integers like 784,30,10, "
                           f"got {text!r}") from None


def run(args: argparse.Namespace) -> int:
    """Train, print per-epoch lines, save the model and its history."""
    opts = options(args)
    net, settings = build(opts)
    data = load_data(args, quiet=args.quiet)
    check_fits(net, data)
    if not args.quiet:
        print(f"Training {'-'.join(map(str, net.sizes))} ({net.hidden.name}, "
              f"{net.output.name} output, {net.cost_function.name} cost) on {data.source}")
    history = History(settings)
    n_batches = -(-len(data.train[0]) // settings.batch_size)
    for report in _epochs(net, data, settings, args.quiet, n_batches):
        history.epochs.append(report)
        if not args.quiet:
            print(epoch_line(report), flush=True)
    if args.quiet:
        print(epoch_line(history.epochs[-1]))
    if args.save:
        _save(net, history, Path(args.save), data.name)
    return 0


def _epochs(net: Network, data: Any, settings: Settings, quiet: bool, n_batches: int) -> Any:
    bar = progress(n_batches, "epoch", enabled=not quiet)
    on_batch = None if bar is None else _updater(bar)
    try:
        yield from sgd(net, *data.train, settings, evaluation=data.test, on_batch=on_batch)
    finally:
        if bar is not None:
            bar.close()


def _updater(bar: Any) -> Any:
    def on_batch(step: int, total: int) -> None:
        if step == 1:
            bar.reset(total)
        bar.update(1)
    return on_batch


def epoch_line(r: EpochReport) -> str:
    """'Epoch 3/30  cost 0.041  test 9,412/10,000 (94.12%)  2.1 s'."""
    test = "" if r.total is None else f"  test {percent(r.correct or 0, r.total)}"
    return f"Epoch {r.epoch}/{r.epochs}  cost {r.training_cost:.4f}{test}  {r.seconds:.1f} s"


def _save(net: Network, history: History, path: Path, data_name: str) -> None:
    net.save(path, training=history.to_dict()["settings"], data=data_name,
             history=history.to_dict()["epochs"])
    history_path = path.with_name(path.name + ".history.json")
    text = json.dumps(history.to_dict(), indent=1).encode()
    write_atomically(history_path, lambda f: f.write(text))
    print(f"Saved the network to {path} and its history to {history_path}", file=sys.stderr)
