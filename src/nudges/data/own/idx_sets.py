"""IDX sets of any shape and class count: MNIST, Fashion-MNIST, KMNIST, EMNIST and others.

A folder holds train images and labels and, usually, test images and labels, each IDX file
raw or gzipped, named like MNIST's (train-images-idx3-ubyte, t10k-labels-idx1-ubyte) with an
optional prefix (emnist-letters-train-images-idx3-ubyte). EMNIST stores each image transposed
and labels its letters 1 to 26; both are undone here, so every set comes out upright from 0.
"""

from __future__ import annotations

import dataclasses
import re
import string
from pathlib import Path
from typing import Any

import numpy as np

from ...core.errors import DataError, DataNotFound, InvalidInput
from ..idx import read_idx
from ..mnist import MNIST_TEST_COUNTS
from .splits import Examples, check_class_count

DIGITS = tuple(string.digits)
UPPER, LOWER = tuple(string.ascii_uppercase), tuple(string.ascii_lowercase)
MERGED = DIGITS + UPPER + tuple("abdefghnqrt")   # EMNIST balanced and bymerge: 47 classes
FILE = re.compile(r"(?P<prefix>.*?)(?P<part>train|t10k|test)-(?P<kind>images|labels)"
                  r"-idx\d-ubyte(?:\.gz)?")


@dataclasses.dataclass(frozen=True)
class Named:
    """A known IDX set: its class names, and how its files differ from MNIST's."""

    classes: tuple[str, ...]
    transposed: bool = False     # EMNIST: each image is stored transposed
    first_label: int = 0         # EMNIST letters: labelled 1 to 26
    characters: bool = True      # written characters: pictures are fitted the MNIST way
    title: str = ""              # how to write its name (default: the key)


NAMED: dict[str, Named] = {
    "mnist": Named(DIGITS, title="MNIST"),
    "fashion-mnist": Named(("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                            "Shirt", "Sneaker", "Bag", "Ankle boot"), characters=False,
                           title="Fashion-MNIST"),
    "kmnist": Named(("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
                    title="KMNIST"),
    "emnist-digits": Named(DIGITS, transposed=True),
    "emnist-mnist": Named(DIGITS, transposed=True),
    "emnist-letters": Named(UPPER, transposed=True, first_label=1),
    "emnist-balanced": Named(MERGED, transposed=True),
    "emnist-bymerge": Named(MERGED, transposed=True),
    "emnist-byclass": Named(DIGITS + UPPER + LOWER, transposed=True),
}


def is_idx_folder(path: Path) -> bool:
    """Whether the folder holds IDX files named like MNIST's."""
    return path.is_dir() and any(FILE.fullmatch(p.name) for p in path.iterdir())


def _groups(directory: Path) -> dict[str, dict[str, Path]]:
    """{prefix: {"train-images": path, ...}}; a .gz copy wins over a raw one."""
    groups: dict[str, dict[str, Path]] = {}
    for path in sorted(directory.iterdir(), key=lambda p: not p.name.endswith(".gz")):
        match = FILE.fullmatch(path.name)
        if match and path.is_file():
            part = "train" if match["part"] == "train" else "test"
            groups.setdefault(match["prefix"], {}).setdefault(f"{part}-{match['kind']}", path)
    return groups


def _choose(directory: Path, dataset: str | None) -> tuple[str, dict[str, Path]]:
    """The prefix and files of the set to load: the one there is, or the one --dataset names."""
    groups = _groups(directory)
    if dataset is not None and f"{dataset}-" in groups:
        return f"{dataset}-", groups[f"{dataset}-"]
    if len(groups) > 1:
        sets = ", ".join(p.rstrip("-") or "(no prefix)" for p in groups)
        raise InvalidInput(f"{directory} holds several IDX sets ({sets}); "
                           "name one with --dataset")
    if not groups:
        raise DataNotFound(f"{directory}: no IDX files named like train-images-idx3-ubyte(.gz)")
    prefix, files = next(iter(groups.items()))
    missing = [f"{prefix}{r}" for r in ("train-images", "train-labels") if r not in files]
    missing += [f"{prefix}test-{k}" for k in ("images", "labels")
                if ("test-images" in files or "test-labels" in files) and f"test-{k}" not in files]
    if missing:
        raise DataNotFound(f"{directory} lacks {', '.join(missing)} (IDX, raw or .gz)")
    return prefix, files


def _identify(directory: Path, prefix: str, dataset: str | None,
              test_labels: np.ndarray | None) -> str | None:
    """The known set's name: --dataset, else the files' prefix, the folder's name, or
    MNIST's test-label counts; None for a set nudges does not know."""
    if dataset is not None:
        if dataset not in NAMED:
            raise InvalidInput(f"unknown --dataset {dataset!r}; known: {', '.join(NAMED)}")
        return dataset
    if prefix.rstrip("-") in NAMED:
        return prefix.rstrip("-")
    folder = directory.resolve().name.lower()
    for name in ("fashion-mnist", "kmnist"):
        if name.split("-")[0] in folder:
            return name
    counts = None if test_labels is None else tuple(np.bincount(test_labels, minlength=10))
    return "mnist" if counts == MNIST_TEST_COUNTS else None


def _pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images (n, ...), labels (n,)) read and checked against each other."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim < 2:
        raise DataError(f"{images_path.name}: holds {images.dtype.name} with {images.ndim} "
                        "dims, expected unsigned bytes (0x08) of shape (n, rows, cols)")
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DataError(f"{labels_path.name}: holds {labels.dtype.name} with {labels.ndim} "
                        "dims, expected integer labels (n,)")
    if len(images) != len(labels):
        raise DataError(f"{images_path.name} holds {len(images):,} images but "
                        f"{labels_path.name} holds {len(labels):,} labels; expected one "
                        "label per image")
    return images, labels.astype(np.int64)


def _inputs(images: np.ndarray, named: Named | None) -> np.ndarray:
    """(n, d) float32 = pixel / 255, upright."""
    if named is not None and named.transposed and images.ndim == 3:
        images = images.transpose(0, 2, 1)                            # (n, rows, cols)
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255)  # (n, r*c)


def _labels(y: np.ndarray, named: Named | None, name: str,
            classes: tuple[str, ...] | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """Labels from 0, and the class names: the set's, the training labels' (`classes`, for
    test labels), else the label numbers 0 to the largest."""
    first = named.first_label if named else 0
    if named is None and classes is None and len(y):
        check_class_count(int(y.max()) + 1, name)
    classes = named.classes if named else classes or tuple(
        str(c) for c in range(int(y.max()) + 1))
    bad = np.flatnonzero((y < first) | (y >= first + len(classes)))
    if bad.size:
        raise DataError(f"{name}: label {y[bad[0]]} at index {bad[0]}, expected {first} to "
                        f"{first + len(classes) - 1}")
    return y - first, classes


def load_idx_set(directory: Path, options: Any) -> tuple[Examples, str, str]:
    """(examples, name, description) of the IDX set in `directory`."""
    prefix, files = _choose(directory, options.dataset)
    x, y = _pair(files["train-images"], files["train-labels"])
    test = _pair(files["test-images"], files["test-labels"]) if "test-images" in files else None
    if test is not None and x.shape[1:] != test[0].shape[1:]:
        raise DataError(f"{directory}: training images are {x.shape[1:]} but test images "
                        f"{test[0].shape[1:]}; expected the same shape")
    name = _identify(directory, prefix, options.dataset, None if test is None else test[1])
    named = NAMED.get(name) if name else None
    y, classes = _labels(y, named, files["train-labels"].name)
    shape = (x.shape[2], x.shape[1]) if named and named.transposed and x.ndim == 3 else x.shape[1:]
    given = None
    if test is not None:
        test_y, _ = _labels(test[1], named, files["test-labels"].name, classes)
        given = (_inputs(test[0], named), test_y)
    digit_like = tuple(shape) == (28, 28) and (named is None or named.characters)
    fit = "mnist" if digit_like else "resize"
    recipe = {"set": name, "fit": fit, "side": int(shape[-1])}
    examples = Examples(_inputs(x, named), y, classes, tuple(shape), given,
                        validation_tail=True, recipe=recipe)
    label = (named.title or name) if named and name else directory.resolve().name
    return examples, name or directory.resolve().name, f"{label} from {directory}"
