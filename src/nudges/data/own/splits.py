"""From what a loader read to a Dataset: seeded stratified splits, and standardised features.

A loader returns Examples (inputs, labels 0..k-1, class names). `assemble` keeps a split the
files give (a test set, say) as given and draws the rest from the training examples: a seeded,
stratified split, so every class keeps its share in each part and a small set still works.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...core.errors import DataError, InvalidInput
from ..mnist import Dataset

MAX_CLASSES = 10_000    # classes in a data set: counted from the labels before names are made


MAX_MAGNITUDE = 1e30    # a feature's largest |value|: its mean and variance stay finite


def check_magnitude(x: np.ndarray, where: str) -> None:
    """DataError for a feature value beyond ±MAX_MAGNITUDE (1e308, or 1e39 that float32
    cannot hold), said once, before any statistics are taken."""
    if not len(x) or x.dtype.kind != "f":        # every int64 is below 1e19: no copy made
        return
    rows = np.abs(x.reshape(len(x), -1)).max(axis=1, initial=0)      # (n,)
    big = np.flatnonzero(rows > MAX_MAGNITUDE)                         # (k,)
    if len(big):
        raise DataError(f"{where}: example {int(big[0]) + 1} holds a value beyond "
                        f"±{MAX_MAGNITUDE:g}; expected features of a sensible size (rescale "
                        "them)")


def check_class_count(count: int, where: str) -> None:
    """DataError if labels call for more than MAX_CLASSES classes (before any is named)."""
    if count > MAX_CLASSES:
        raise DataError(f"{where}: the labels make {count:,} classes, more than the "
                        f"{MAX_CLASSES:,} nudges takes; expected class numbers from 0 (or "
                        "names) for at most that many classes")

Split = tuple[NDArray[np.float32], NDArray[np.int64]]


@dataclasses.dataclass
class Examples:
    """What a loader read: x (n, d) float32, y (n,) int64 in 0..k-1, one name per class.

    shape: one example's shape (rows, cols) or (features,). test: a test split the files give.
    validation_tail: take validation from the end of train (MNIST's convention) not at random.
    standardise: scale each feature by the training part's mean and std (tables).
    recipe: how the inputs were made (an image conversion, say), kept with a trained model.
    """

    x: NDArray[np.float32]
    y: NDArray[np.int64]
    classes: tuple[str, ...]
    shape: tuple[int, ...]
    test: Split | None = None
    validation_tail: bool = False
    standardise: bool = False
    notes: str = ""
    recipe: dict[str, Any] = dataclasses.field(default_factory=dict)  # how inputs were made


def fraction(size: float | int, n: int, what: str) -> float:
    """A split size as a fraction of n: 0 <= size < 1 is a fraction, a whole number a count."""
    if isinstance(size, bool) or not isinstance(size, (int, float)) or not np.isfinite(size):
        raise InvalidInput(f"the {what} size must be a fraction below 1 or a count, got {size!r}")
    if 0 <= size < 1:
        return float(size)
    if size != int(size) or not 0 < size < n:
        raise InvalidInput(f"the {what} size must be a fraction in [0, 1) or a whole count "
                           f"below the {n:,} examples, got {size!r}")
    return float(size) / n


def shares(counts: NDArray[np.intp], fraction: float, room: NDArray[np.intp]
           ) -> NDArray[np.intp]:
    """How many of each class's counts (k,) go to a part of this fraction of all examples:
    round(n * fraction) in all, as near each class's share as whole numbers allow (largest
    remainders first), never more than its room (k,)."""
    exact = counts * fraction                                          # (k,)
    given: NDArray[np.intp] = np.minimum(np.floor(exact).astype(np.intp), room)
    left = int(round(counts.sum() * fraction)) - int(given.sum())
    for c in np.argsort(-(exact - given), kind="stable"):
        if left <= 0:
            break
        if given[c] < room[c]:
            given[c] += 1
            left -= 1
    return given


def stratified(y: NDArray[np.int64], fractions: tuple[float, float], seed: int
               ) -> tuple[NDArray[np.intp], ...]:
    """(train, validation, test) row indices: each class split in these fractions, seeded.

    A part gets round(n * fraction) examples in all, spread over the classes in proportion
    (so 20 examples of 10 classes still give a test set of 4); each class keeps at least one
    training example; the rows of each part are shuffled.
    """
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    n_test = shares(counts, fractions[1], counts - 1)
    n_val = shares(counts, fractions[0], counts - 1 - n_test)
    parts: tuple[list[NDArray[np.intp]], ...] = ([], [], [])
    for c, t, v in zip(classes, n_test, n_val):
        members = rng.permutation(np.flatnonzero(y == c))            # (n_c,)
        test, validation, train = np.split(members, (t, t + v))
        for part, rows in zip(parts, (train, validation, test)):
            part.append(rows)
    return tuple(rng.permutation(np.concatenate(p)) for p in parts)


def default_tail(n: int) -> int:
    """MNIST's convention: the last 10,000 training images, or a sixth of smaller sets."""
    return 10_000 if n > 10_000 else n // 6


def _split(ex: Examples, options: Any) -> tuple[Split, Split, Split]:
    """Train, validation and test as the options and the files say."""
    x, y = ex.x, ex.y
    if ex.validation_tail and ex.test is not None:
        size = (default_tail(len(y)) if options.validation_size is None
                else round(fraction(options.validation_size, len(y), "validation") * len(y)))
        n = len(y) - size
        return (x[:n], y[:n]), (x[n:], y[n:]), ex.test
    val = fraction(0.1 if options.validation_size is None else options.validation_size,
                   len(y), "validation")
    test = 0.0 if ex.test is not None else fraction(
        0.2 if options.test_size is None else options.test_size, len(y), "test")
    train_rows, val_rows, test_rows = stratified(y, (val, test), options.seed)
    given = ex.test if ex.test is not None else (x[test_rows], y[test_rows])
    return (x[train_rows], y[train_rows]), (x[val_rows], y[val_rows]), given


def assemble(ex: Examples, options: Any, name: str, what: str,
             scaling: dict[str, list[float]] | None = None) -> Dataset:
    """The Dataset: splits drawn, features standardised (with `scaling` if given, else with
    the training part's statistics), and the recipe that made it."""
    check_classes(ex.y, ex.classes, what)
    train, validation, test = _split(ex, options)
    if len(test[1]) == 0 or len(train[1]) == 0:
        raise InvalidInput(f"{what}: {len(ex.y):,} examples are too few to split into train "
                           f"and test parts; give more examples or a larger --test-size")
    if ex.standardise:
        scaling = scaling or statistics(train[0])
        train, validation, test = (standardised(s, scaling) for s in (train, validation, test))
    recipe = {"format": options.format, **options.recorded(), **ex.recipe, "scaling": scaling}
    sizes = f"{len(train[1]):,} train, {len(validation[1]):,} validation, {len(test[1]):,} test"
    return Dataset(train, validation, test, f"{what} ({sizes}){ex.notes}", name,
                   ex.classes, ex.shape, recipe)


def check_classes(y: NDArray[np.int64], classes: tuple[str, ...], what: str) -> None:
    """DataError unless there are at least two classes and every label names one."""
    if len(classes) < 2 or len(np.unique(y)) < 2:
        found = ", ".join(classes[int(c)] for c in np.unique(y)[:3]) or "none"
        raise DataError(f"{what}: every example is of one class ({found}); expected at least "
                        "two classes to tell apart")
    if y.min() < 0 or y.max() >= len(classes):
        raise DataError(f"{what}: labels run from {y.min()} to {y.max()}, expected 0 to "
                        f"{len(classes) - 1}")


def statistics(x: NDArray[np.float32]) -> dict[str, list[float]]:
    """Each feature's mean and standard deviation (1 where a feature never varies)."""
    std = x.std(axis=0, dtype=np.float64)
    return {"mean": x.mean(axis=0, dtype=np.float64).tolist(),
            "std": np.where(std > 0, std, 1.0).tolist()}


def standardised(split: Split, scaling: dict[str, list[float]]) -> Split:
    """x scaled to (x - mean) / std, feature by feature. scaling: {"mean": [...], "std":
    [...]}, one finite mean and one finite positive std per feature, or InvalidInput."""
    try:
        mean, std = (np.asarray(scaling[k], dtype=np.float64) for k in ("mean", "std"))
    except (TypeError, KeyError, ValueError, IndexError):
        raise InvalidInput(f"scaling must be {{'mean': [...], 'std': [...]}}, lists of "
                           f"numbers, got {str(scaling)[:80]}") from None
    if mean.shape != std.shape or not np.isfinite(mean).all() \
            or not (np.isfinite(std) & (std > 0)).all():
        raise InvalidInput("scaling must give each feature a finite mean and a finite positive "
                           "standard deviation")
    if split[0].shape[1:] != mean.shape:
        raise InvalidInput(f"the data has {split[0].shape[1]} features, but the scaling "
                           f"given (a model's) is for {mean.size}; expected data with the "
                           "features the model was trained on")
    return ((split[0] - mean) / std).astype(np.float32), split[1]
