"""Your own data on the command line: the flags that say how to read --data PATH, and loading
the data a saved model was trained on (its recorded recipe), checked against the model."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.errors import InvalidInput, NudgesError
from ..data.mnist import Dataset, load_mnist, load_sample
from ..data.own import FORMATS, NAMED, Options, load_dataset, overlap
from ..data.own.recorded import check_fits, recorded
from ..files.models import Saved

FLAGS = {"data_format": "format", "dataset": "dataset", "label": "label",
         "image_size": "image_size", "validation_size": "validation_size",
         "test_size": "test_size", "split_seed": "seed", "skip_bad": "skip_bad"}
RELOADED = ("dataset", "label", "image_size", "validation_size", "test_size", "seed")
SPLITS = ("validation_size", "test_size", "split_seed")


def _size(text: str) -> float:
    """A split size: a fraction below 1 or a count; checked by the library."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction like 0.2 or a count like "
                                         f"500, got {text!r}") from None


def add_options(parser: argparse.ArgumentParser) -> None:
    """The flags for reading your own data (with --data PATH)."""
    g = parser.add_argument_group("your own data (with --data PATH)")
    braces = "{" + ",".join(FORMATS) + "}"
    what = "how to read --data (default: detected: a .csv/.npz/.npy file, a folder of IDX files, "
    try:
        g.add_argument("--data-format", "--format", dest="data_format", metavar=braces,
                       help=what + "or one sub-folder of images per class)")
    except argparse.ArgumentError:     # --format already names the figures' format here
        g.add_argument("--data-format", dest="data_format", metavar=braces,
                       help=what + "or one sub-folder of images per class)")
    g.add_argument("--dataset", metavar="{" + ",".join(NAMED) + "}",
                   help="which IDX set this is (class names, EMNIST's transposed images and "
                        "1-26 letters); default: told from the file or folder names")
    g.add_argument("--label", metavar="COLUMN", help="the CSV's label column (default: last)")
    g.add_argument("--image-size", type=int, metavar="N", help="resize pictures to N x N "
                   "(default: fitted and centred like MNIST for one-character class names, "
                   "else 28)")
    g.add_argument("--validation-size", type=_size, metavar="SIZE", help="a fraction or count "
                   "(default: 0.1; IDX sets with test files: the last 10,000 training images)")
    g.add_argument("--test-size", type=_size, metavar="SIZE",
                   help="a fraction or count, when the data has no test part (default: 0.2)")
    g.add_argument("--split-seed", type=int, metavar="N", help="seed of the stratified "
                   "split (default: 0)")
    g.add_argument("--skip-bad", action="store_true",
                   help="skip files that are not readable images (and say how many)")


def given(args: argparse.Namespace) -> dict[str, Any]:
    """The Options the flags set (those given)."""
    return {option: getattr(args, flag) for flag, option in FLAGS.items() if is_given(args, flag)}


def is_given(args: argparse.Namespace, flag: str) -> bool:
    """Whether a flag was given: not given is None (or False for a switch), so 0 is given."""
    value = getattr(args, flag, None)
    return value is not None and value is not False


def _bar(quiet: bool) -> Callable[[int, int], None]:
    """progress(done, total) drawing a tqdm bar of converted images on a terminal."""
    bars: list[Any] = []

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(_tqdm(total, quiet))
        if bars[0] is not None:
            bars[0].update(1)
            if done == total:
                bars[0].close()
    return update


def _tqdm(total: int, quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc="converting images", unit="image", leave=False,
                file=sys.stderr)


def load(args: argparse.Namespace, quiet: bool = False) -> Dataset | None:
    """The data set --data names, read as the flags say; None without --data (MNIST's)."""
    options = given(args)
    if args.data is None:
        if options:
            flags = ", ".join(f"--{f.replace('_', '-')}" for f in FLAGS if is_given(args, f))
            raise InvalidInput(f"{flags} need --data PATH: the data to read")
        return None
    return load_dataset(args.data, progress=_bar(quiet), **options)


def load_recorded(args: argparse.Namespace, info: dict[str, Any], quiet: bool = False
                  ) -> Dataset | None:
    """The data a model recorded (its path, unless --data names another), read with its
    recipe and scaling, flags overriding; None for a model trained on MNIST's default data."""
    path = args.data or info.get("path")
    if path is None or info["format"] == "mnist":
        return load(args, quiet)
    recipe = info["recipe"]
    options = {k: recipe[k] for k in RELOADED if recipe.get(k) is not None}
    if recipe.get("set") in NAMED and "dataset" not in options:
        options["dataset"] = recipe["set"]
    if recipe.get("format") == "csv" and isinstance(recipe.get("features"), list):
        options["features"] = tuple(recipe["features"])      # by name: reordered is fine
        options["label"] = recipe.get("label_column", options.get("label"))
    if args.data is None:                       # the very data it trained on
        options["format"] = recipe["format"]
        options["label"] = recipe.get("label_column", options.get("label"))
    options |= given(args)
    known = {f.name for f in dataclasses.fields(Options)}
    return load_dataset(path, progress=_bar(quiet), scaling=recipe.get("scaling"),
                        **{k: v for k, v in options.items() if k in known})


def load_for_model(args: argparse.Namespace, saved: Saved, model: str,
                   default: Callable[[], Dataset]) -> Dataset:
    """The data to evaluate or explain `saved` on, refused in one line if it does not fit."""
    info = recorded(saved.metadata, model)
    data = load_recorded(args, info) or default()
    check_fits(model, saved.network, info, data)
    return data


def load_resumed(args: argparse.Namespace, fingerprint: dict[str, Any], checkpoint: str
                 ) -> Dataset | None:
    """The data a checkpoint trained on, by its recipe; None for MNIST's (found as before)."""
    info = recorded({"checkpoint": {"data": fingerprint}}, checkpoint)
    return None if info["format"] == "mnist" else load_recorded(args, info, args.quiet)


def _elsewhere(args: argparse.Namespace, fingerprint: dict[str, Any]) -> bool:
    """Whether the data to score on may differ from the model's own test part: other data
    (--data naming another path) or its own data split another way (a split flag)."""
    if any(getattr(args, flag, None) is not None for flag in SPLITS):
        return True
    if args.data is None:
        return False
    return str(Path(args.data).expanduser().resolve()) != fingerprint.get("path")


def training_data(args: argparse.Namespace, saved: Saved, model: str) -> Dataset | None:
    """The data `saved` trained on, found again by its fingerprint (CRC-32 checked), when the
    data to score it on may hold some of it: always for the embedded sample (drawn from MNIST's
    test files); else only for other data or another split. None when not found."""
    fingerprint = overlap.fingerprint(saved.metadata)
    if fingerprint is None:
        return None
    if fingerprint["name"] != overlap.SAMPLE_NAME and not _elsewhere(args, fingerprint):
        return None
    info, path = recorded(saved.metadata, model), fingerprint.get("path")
    plain = argparse.Namespace(data=None, **{flag: None for flag in FLAGS})
    try:
        if fingerprint["name"] == overlap.SAMPLE_NAME:
            found: Dataset | None = load_sample()
        elif info["format"] == "mnist":
            found = load_mnist(path)
        else:
            found = load_recorded(plain, info, quiet=True)
    except NudgesError:
        return None                               # moved or changed: nothing to compare
    return found if found is not None and overlap.matches(found, fingerprint) else None


def warn_if_seen(args: argparse.Namespace, saved: Saved, model: str, data: Dataset) -> None:
    """Say in one line on stderr how many of data's test examples `saved` trained on, if any."""
    trained = training_data(args, saved, model)
    if trained is None:
        return
    count = overlap.seen(trained.train[0], data.test[0])
    if count:
        fingerprint = overlap.fingerprint(saved.metadata) or {}
        print(overlap.warning(count, len(data.test[1]), model, fingerprint,
                              len(data.shape) == 2), file=sys.stderr)


def fitted(args: argparse.Namespace, opts: dict[str, Any], data: Dataset) -> dict[str, Any]:
    """`nudges train`'s options made to fit the data: the preset's layers with the data's input
    size and class count at their ends (unless --layers), and no shifted pictures for data
    that are not pictures (unless --shift)."""
    made = dict(opts)
    if args.layers is None:
        made["layers"] = layers_for(opts["layers"], data)
    if len(data.shape) != 2 and getattr(args, "shift", None) is None:
        made["shift"] = 0
    return made


def layers_for(layers: str, data: Dataset) -> str:
    """'784,30,10' with the first size made the data's inputs and the last its classes."""
    sizes = [int(s) for s in str(layers).split(",")]
    sizes[0], sizes[-1] = data.train[0].shape[1], len(data.classes)
    return ",".join(map(str, sizes))
