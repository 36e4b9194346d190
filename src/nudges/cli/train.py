"""`nudges train`: build a network, train it by mini-batch SGD, print one line per epoch."""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from ..core import activations, costs, optimizers
from ..core.checks import MAX_PARAMETERS, check_sizes
from ..core.errors import InvalidInput
from ..core.network import DTYPES, INITS, Network
from ..data.mnist import Dataset, data_fingerprint, load_digits, load_sample
from ..engines import threads
from ..engines.reference import ENGINES
from ..files.atomic import check_target
from ..files.checkpoints import Checkpoint, check_resumable, load_checkpoint
from ..training.settings import SCHEDULES, History, Settings, State, optimizer_for
from . import common, data_args, train_run
from .common import add_command, add_data_option, load_data, parse_layers, with_hidden

PRESETS: dict[str, dict[str, Any]] = {
    "video": dict(layers="784,16,16,10", activation="sigmoid", output="sigmoid",
                  cost="quadratic", epochs=30, batch_size=10, eta=3.0),
    "book": dict(layers="784,30,10", activation="sigmoid", output="sigmoid",
                 cost="quadratic", epochs=30, batch_size=10, eta=3.0),
    "quick": dict(layers="784,100,10", activation="relu", output="softmax", cost="cross-entropy",
                  init="he", epochs=2, batch_size=50, optimizer="adam", eta=0.004,
                  schedule="cosine"),
    "best": dict(layers="784,400,10", activation="relu", output="softmax", cost="cross-entropy",
                 init="he", epochs=36, batch_size=100, eta=0.1, momentum=0.9, lmbda=5.0,
                 schedule="cosine", shift=2),
    "fashion": dict(layers="784,256,10", activation="relu", output="softmax",
                    cost="cross-entropy", init="he", epochs=15, batch_size=100, eta=0.1,
                    momentum=0.9, lmbda=5.0, schedule="cosine", shift=0),
}
DEFAULTS: dict[str, Any] = dict(PRESETS["video"], init="scaled", lmbda=0.0,
                                schedule="constant", shift=0, seed=0, dtype="float32",
                                optimizer=None,
                                **{name: getattr(Settings, name) for name in optimizers.hypers()})

SETTINGS = [f.name for f in fields(Settings)]

EXAMPLES = """\
  nudges train                                          # the video's 784-16-16-10 network
  nudges train --preset book --data ../shared/data/mnist --save book.npz
  nudges train --preset quick --data ../shared/data/mnist   # 97% in about 2 s
  nudges train --preset best --save best.npz
  nudges train --layers 784,100,10 --activation relu --output softmax --cost cross-entropy \\
      --init he --eta 0.1 --momentum 0.9 --epochs 10 --batch-size 100
  nudges train --preset book --optimizer adam --eta 0.001 --beta1 0.9 --beta2 0.999
  nudges train --preset book --save book.npz --checkpoint-every 5   # Ctrl-C saves too
  nudges train --resume book.npz                       # go on where it stopped
  nudges train --resume book.npz --epochs 40           # train a finished run longer
"""


def register(subparsers: Any) -> None:
    """Add `nudges train`."""
    p = add_command(subparsers, "train", run, "train a network on handwritten digits", EXAMPLES)
    p.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help="a tested set of options; other flags override it "
                        "(video: 784-16-16-10 as in the video; book: Nielsen's chapter 1; "
                        "quick: 784-100-10 ReLU, softmax, Adam, 2 epochs, 97%% in about 2 s "
                        "on MNIST; best: ReLU, softmax, momentum, L2, shifts; fashion: "
                        "784-256-10 like best, 15 epochs, no shifts, for Fashion-MNIST; "
                        "default: video)")
    _add_network_options(p)
    _add_training_options(p)
    add_data_option(p)
    p.add_argument("--save", metavar="FILE", help="write the trained network here (.npz), "
                   "with what --resume needs; its history goes beside it as "
                   "FILE.history.json (default: not saved; Ctrl-C saves to "
                   f"{train_run.INTERRUPTED_FILE})")
    p.add_argument("--checkpoint-every", metavar="N", type=int, default=None,
                   help="also save to FILE after every N epochs, atomically (default: only "
                        "at the end)")
    p.add_argument("--resume", metavar="FILE", default=None,
                   help="continue the run saved in FILE with its saved settings and data; "
                        "--epochs may raise the total; saves back to FILE unless --save "
                        "names another (default: a new run)")
    _add_speed_options(p)
    p.add_argument("--max-parameters", metavar="N", type=int, default=MAX_PARAMETERS,
                   help="refuse networks with more weights and biases than this (a guard "
                        "against a typo asking for gigabytes; raise it on purpose)")
    p.add_argument("--quiet", action="store_true", help="print only the final line")


def _add_speed_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=("auto", *ENGINES), default="auto",
                   help="what runs the training step: the readable reference, NumPy buffers, "
                        "or compiled (numba); auto: compiled for batches up to 64, else NumPy")
    p.add_argument("--threads", metavar="N", type=int, default=None,
                   help="BLAS threads for everything (default: one for a mini-batch's products, "
                        "more for large ones while cores are free; see nudges.engines.threads)")


def _add_network_options(p: argparse.ArgumentParser) -> None:
    d = DEFAULTS
    p.add_argument("--hidden", metavar="SIZES", help="hidden layer sizes as in nudges sweep: 30, "
                   "or 100-30 for two; the data sets the ends (default: the preset's)")
    p.add_argument("--layers", help="every layer's size, input first, e.g. 784,30,10 (the older "
                                    f"spelling of --hidden; default: {d['layers']})")
    p.add_argument("--activation", metavar=braces(activations.hidden_names()),
                   help=f"hidden activation (default: {d['activation']})")
    p.add_argument("--output", metavar=braces(costs.output_names()),
                   help=f"output activation (default: {d['output']})")
    p.add_argument("--cost", metavar=braces(list(costs.COSTS)),
                   help=f"cost per example (default: {d['cost']})")
    p.add_argument("--init", metavar=braces(INITS),
                   help=f"weight initialisation (default: {d['init']})")
    p.add_argument("--dtype", metavar=braces(DTYPES),
                   help="floating-point type of weights and data (default: float32)")


def _add_training_options(p: argparse.ArgumentParser) -> None:
    d = DEFAULTS
    p.add_argument("--epochs", type=int, help=f"passes over the training set "
                   f"(default: {d['epochs']})")
    p.add_argument("--batch-size", type=int, help=f"mini-batch size (default: {d['batch_size']})")
    p.add_argument("--eta", type=float, help=f"learning rate η (default: {d['eta']})")
    p.add_argument("--lmbda", type=float, help="L2 regularisation λ (default: 0)")
    p.add_argument("--optimizer", metavar=braces(list(optimizers.OPTIMIZERS)),
                   help="how a step moves the parameters (default: sgd, or momentum when "
                        "--momentum is given)")
    for name, hyper in optimizers.hypers().items():            # as each optimizer declares them
        users = ", ".join(o.name for o in optimizers.OPTIMIZERS.values() if name in o.uses)
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, type=float,
                       help=f"{hyper.help} ({users}; default: {d[name]:g})")
    p.add_argument("--schedule", metavar=braces(SCHEDULES),
                   help="learning-rate schedule (default: constant)")
    p.add_argument("--shift", type=int, help="random shifts of up to this many pixels "
                   "(default: 0)")
    p.add_argument("--seed", type=int, help="seed for initialisation and shuffling (default: 0)")


def braces(names: Any) -> str:
    """'{a,b,c}': the choices, shown as argparse shows them; checked by the library, which
    says in one line what it knows."""
    return "{" + ",".join(names) + "}"


def options(args: argparse.Namespace) -> dict[str, Any]:
    """Defaults, overridden by the preset, overridden by the flags given."""
    chosen = dict(DEFAULTS) | PRESETS.get(args.preset or "video", {})
    given = {k: v for k, v in vars(args).items() if k in DEFAULTS and v is not None}
    if getattr(args, "hidden", None) is not None:
        given["layers"] = with_hidden(chosen["layers"], args.hidden, args.layers)
    if given.get("optimizer") is not None:   # a preset's momentum does not bind another optimizer
        kept = set(optimizers.optimizer_named(given["optimizer"]).uses) | given.keys()
        for name in {n for o in optimizers.OPTIMIZERS.values() for n in o.uses} - kept:
            chosen[name] = DEFAULTS[name]
    return chosen | given


def build(opts: dict[str, Any], max_parameters: int = MAX_PARAMETERS
          ) -> tuple[Network, Settings]:
    """The network and training settings that `opts` describe."""
    sizes = check_sizes(parse_layers(opts["layers"]), max_parameters)
    try:
        net = Network(sizes, activation=opts["activation"], output=opts["output"],
                      cost=opts["cost"], init=opts["init"], dtype=opts["dtype"],
                      seed=opts["seed"])
    except MemoryError as e:
        raise InvalidInput(f"layers {'-'.join(map(str, sizes))} need more memory than is "
                           f"free ({e}); use fewer or smaller layers") from None
    settings = Settings(**{f: opts[f] for f in SETTINGS})
    return net, settings


def check_fits(net: Network, data: Dataset) -> None:
    """InvalidInput unless the first and last layers fit the data's pixels and classes."""
    n_pixels, n_classes = data.train[0].shape[1], len(data.classes)
    if net.sizes[0] != n_pixels or net.sizes[-1] < n_classes:
        raise InvalidInput(
            f"the layers {'-'.join(map(str, net.sizes))} do not fit the data: it has "
            f"{n_pixels} {'pixels per image' if len(data.shape) == 2 else 'features'} and "
            f"{n_classes} classes, so the first layer must "
            f"have {n_pixels} neurons and the last {n_classes}")


def run(args: argparse.Namespace) -> int:
    """Train (or resume), print per-epoch lines, save the model and its history."""
    try:
        job = resume(args) if args.resume else start(args)
    except KeyboardInterrupt:
        print("nudges: interrupted before training started; nothing to save", file=sys.stderr)
        return 130
    net = job.network
    if not args.quiet:
        what = (f"{'-'.join(map(str, net.sizes))} ({net.hidden.name}, {net.output.name} "
                f"output, {net.cost_function.name} cost) on {common.short_source(job.data)}")
        print(f"Resuming {what} from {args.resume} at {_position(job)}" if args.resume
              else f"Training {what}")
    with threads.flag(args.threads):
        return train_run.run(job)


def refuse_unused(args: argparse.Namespace, optimizer: str) -> None:
    """InvalidInput for an optimizer's flag (--beta1, --momentum, ...) given to another."""
    chosen = optimizers.optimizer_named(optimizer)
    flags = {name for optimizer in optimizers.OPTIMIZERS.values() for name in optimizer.uses}
    unused = sorted(f"--{name.replace('_', '-')}" for name in flags - set(chosen.uses)
                    if getattr(args, name, None) is not None)
    if unused:
        raise InvalidInput(f"the {chosen.name} optimizer does not use {', '.join(unused)}; "
                           f"drop {'it' if len(unused) == 1 else 'them'} or choose --optimizer")


def start(args: argparse.Namespace) -> train_run.Job:
    """A new run from the flags: network, settings, data, and where to save."""
    save_path = _save_path(args.save, args.checkpoint_every)
    opts = options(args)
    check_sizes(parse_layers(opts["layers"]), args.max_parameters)   # the flags, before the
    refuse_unused(args, optimizer_for(opts["optimizer"], opts["momentum"]))   # data loads
    data = load_data(args, quiet=args.quiet)
    fitted = data_args.fitted(args, opts, data)   # the data's ends; no shifts for a table
    net, settings = build(fitted, args.max_parameters)   # once; train_epochs checks settings
    check_fits(net, data)
    data_path = None if args.data is None else str(Path(args.data).expanduser().resolve())
    return train_run.Job(net, settings, State.start(net, settings.seed, settings.optimizer_name),
                         History(settings), data, data_path, save_path, args.checkpoint_every,
                         args.quiet, args.engine)


def resume(args: argparse.Namespace) -> train_run.Job:
    """The run saved in args.resume, checked against the flags and the data found now."""
    checkpoint = load_checkpoint(args.resume, max_parameters=args.max_parameters)
    _refuse_conflicts(args, checkpoint)
    settings, state = checkpoint.settings, checkpoint.state
    if args.epochs is not None:
        settings = replace(settings, epochs=args.epochs)
    if state.epoch >= settings.epochs:
        raise InvalidInput(f"{args.resume} has already trained {state.epoch} of "
                           f"{settings.epochs} epochs; pass --epochs N with N > {state.epoch} "
                           "to train it longer")
    save_path = _save_path(args.save or args.resume, args.checkpoint_every)
    data, data_path = _resume_data(args, checkpoint)
    check_resumable(checkpoint, data_fingerprint(*data.train, data.name, data_path))
    check_fits(checkpoint.network, data)
    history = History(settings, checkpoint.history.epochs)
    return train_run.Job(checkpoint.network, settings, state, history, data, data_path,
                         save_path, args.checkpoint_every, args.quiet, args.engine)


def _refuse_conflicts(args: argparse.Namespace, checkpoint: Checkpoint) -> None:
    """InvalidInput naming each flag that disagrees with the saved run (--epochs may)."""
    net, settings = checkpoint.network, checkpoint.settings
    saved = {k: v for k, v in vars(settings).items() if k in DEFAULTS} | {
        k: v for k, v in net.config.items() if k in DEFAULTS} | {"layers": net.sizes}
    given = {k: v for k, v in vars(args).items()
             if k in DEFAULTS and k != "epochs" and v is not None}
    if "layers" in given:
        given["layers"] = parse_layers(given["layers"])
    clashes = [f"--{k.replace('_', '-')} {v} (saved: {saved[k]})"
               for k, v in given.items() if v != saved[k]]
    if args.preset is not None:
        clashes.append(f"--preset {args.preset}")
    if clashes:
        raise InvalidInput(f"--resume goes on with the saved settings; these flags disagree: "
                           f"{', '.join(clashes)}; drop them (only --epochs may change)")


def _resume_data(args: argparse.Namespace, checkpoint: Checkpoint) -> tuple[Dataset, str | None]:
    """The data the run trained on: --data if given, else the saved folder or the sample."""
    path = args.data or checkpoint.data.get("path")
    own = data_args.load_resumed(args, checkpoint.data, args.resume)
    if own is not None and path is not None:
        return own, str(Path(path).expanduser().resolve())
    if path is None and checkpoint.data["name"] == "mnist-sample":
        return load_sample(), None
    data = load_digits(path, download=args.download)
    if data.name == "mnist-sample" and not args.quiet:
        common.note_sample()
    return data, None if path is None else str(Path(path).expanduser().resolve())


def _save_path(save: str | None, every: int | None) -> Path | None:
    """Where to save, checked now rather than after hours of training."""
    if every is not None and (save is None or every < 1):
        raise InvalidInput("--checkpoint-every N needs N >= 1 and --save FILE to write to, "
                           f"got N = {every} and {'no --save' if save is None else save}")
    if save is None:
        return None
    path = Path(save)
    check_target(path)
    check_target(path.with_name(path.name + ".history.json"))
    return path


def _position(job: train_run.Job) -> str:
    """'epoch 3, mini-batch 1,201 of 5,000' (where a resumed run goes on)."""
    n_batches = job.settings.batches(len(job.data.train[0]))
    return (f"epoch {job.state.epoch + 1} of {job.settings.epochs}, mini-batch "
            f"{job.state.step + 1:,} of {n_batches:,}")
