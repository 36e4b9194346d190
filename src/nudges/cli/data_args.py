"""Your own data on the command line: the flags that say how to read --data PATH, and loading
the data a saved model was trained on (its recorded recipe), checked against the model."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from typing import Any

from ..data import Dataset
from ..datasets import FORMATS, NAMED, Options, load_dataset
from ..datasets.recorded import check_fits, recorded
from ..errors import InvalidInput
from ..persist import Saved

FLAGS = {"data_format": "format", "dataset": "dataset", "label": "label",
         "image_size": "image_size", "validation_size": "validation_size",
         "test_size": "test_size", "split_seed": "seed", "skip_bad": "skip_bad"}
RELOADED = ("dataset", "label", "image_size", "validation_size", "test_size", "seed")


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
    return {option: getattr(args, flag) for flag, option in FLAGS.items()
            if getattr(args, flag, None) not in (None, False)}


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
            flags = ", ".join(f"--{f.replace('_', '-')}" for f in FLAGS if getattr(args, f, None))
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


def layers_for(layers: str, data: Dataset) -> str:
    """'784,30,10' with the first size made the data's inputs and the last its classes."""
    sizes = [int(s) for s in str(layers).split(",")]
    sizes[0], sizes[-1] = data.train[0].shape[1], len(data.classes)
    return ",".join(map(str, sizes))
