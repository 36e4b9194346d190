"""Small 2-D data sets for the playground: points (x, y) with a class each, made from a seed.

    x, y = make_points("spiral", n=600, classes=3, noise=0.1, seed=0)   # (600, 2), (600,)
    train, test = split(x, y, test_fraction=0.3, seed=0)
    inputs = with_features(train[0], ("x2", "xy"))                      # (n, 2 + 2)

Every set lies in the square [−1, 1]² (up to the noise), with class i given
n // k points (+1 for the first n % k classes), so the counts are exactly as asked. The same
arguments give the same points, bit for bit. A CSV of `x,y,label` rows (load_csv) is moved into
the same square. The optional input features are TensorFlow Playground's: x², y², xy and
sin(πx), sin(πy), off unless named; the network then has one input neuron per column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

import numpy as np

from ..core.checks import check_choice, check_seed
from ..core.errors import InvalidInput

Split = tuple[np.ndarray, np.ndarray]
MIN_POINTS, MAX_POINTS = 50, 2000
MIN_CLASSES, MAX_CLASSES = 2, 5
MAX_NOISE = 1.0
MAX_CSV_BYTES = 256 * 1024
FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x2": lambda x, y: x * x, "y2": lambda x, y: y * y, "xy": lambda x, y: x * y,
    "sinx": lambda x, y: np.sin(np.pi * x), "siny": lambda x, y: np.sin(np.pi * y),
}
FEATURE_LABELS = {"x2": "x²", "y2": "y²", "xy": "xy", "sinx": "sin πx", "siny": "sin πy"}


def class_counts(n: int, classes: int) -> np.ndarray:
    """Points per class: n // k each, one more for the first n % k.  (k,)"""
    return np.array([n // classes + (i < n % classes) for i in range(classes)])


def _labels(n: int, classes: int) -> np.ndarray:
    return np.repeat(np.arange(classes), class_counts(n, classes))                # (n,)


def _two_blobs(n: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    y = _labels(n, 2)
    centres = np.array([[-0.5, -0.5], [0.5, 0.5]])
    points: np.ndarray = centres[y] + rng.normal(0, 0.2, (n, 2))
    return points


def _blobs(n: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    y = _labels(n, classes)
    angles = 2 * np.pi * np.arange(classes) / classes + np.pi / 4
    centres = 0.6 * np.stack([np.cos(angles), np.sin(angles)], axis=1)            # (k, 2)
    points: np.ndarray = centres[y] + rng.normal(0, 0.15, (n, 2))
    return points


def _xor(n: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    y = _labels(n, 2)
    corner = rng.uniform(0.05, 1, (n, 2))                       # |x|, |y|
    sign_x = rng.choice([-1.0, 1.0], n)
    sign_y = np.where(y == 0, sign_x, -sign_x)     # class 0: signs agree; class 1: they differ
    points: np.ndarray = corner * np.stack([sign_x, sign_y], axis=1)
    return points


def _circles(n: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    y = _labels(n, classes)
    radius = (y + 0.5) / classes                                # ring i at (i + ½) / k
    angle = rng.uniform(0, 2 * np.pi, n)
    points: np.ndarray = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return points


def _moons(n: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    y = _labels(n, 2)
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t) - 0.5, np.sin(t) - 0.25], axis=1)
    lower = np.stack([0.5 - np.cos(t), 0.25 - np.sin(t)], axis=1)
    return 0.65 * np.where(y[:, None] == 0, upper, lower)


def _spiral(n: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    y = _labels(n, classes)
    r = rng.uniform(0.05, 1, n)                                 # distance from the centre
    angle = 2 * np.pi * y / classes + 1.75 * np.pi * r          # each arm turns ⅞ of a turn
    points: np.ndarray = r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return points


SHAPES: dict[str, Callable[[int, int, np.random.Generator], np.ndarray]] = {
    "two-blobs": _two_blobs, "blobs": _blobs, "xor": _xor, "circles": _circles,
    "moons": _moons, "spiral": _spiral,
}
TWO_CLASSES = ("two-blobs", "xor", "moons")       # shapes with exactly two classes


def check_points(shape: str, n: int, classes: int, noise: float) -> None:
    """InvalidInput unless the shape is known and n, classes and noise are in range."""
    check_choice("data set", shape, tuple(SHAPES))
    if not MIN_POINTS <= n <= MAX_POINTS:
        raise InvalidInput(f"points must be from {MIN_POINTS} to {MAX_POINTS:,}, got {n}")
    if not MIN_CLASSES <= classes <= MAX_CLASSES:
        raise InvalidInput(f"classes must be from {MIN_CLASSES} to {MAX_CLASSES}, got {classes}")
    if shape in TWO_CLASSES and classes != 2:
        raise InvalidInput(f"{shape} has 2 classes, got classes={classes}; for more, use "
                           "blobs, circles or spiral")
    if not 0 <= noise <= MAX_NOISE:
        raise InvalidInput(f"noise must be from 0 to {MAX_NOISE}, got {noise}")


def make_points(shape: str, *, n: int = 400, classes: int = 2, noise: float = 0.1,
                seed: int = 0) -> Split:
    """n points of `shape` with k = classes classes: x (n, 2) float64, y (n,) int64.

    noise: the standard deviation of Gaussian noise added to each coordinate. Class i has
    class_counts(n, k)[i] points; the rows are shuffled by the seed.
    """
    check_points(shape, n, classes, noise)
    rng = np.random.default_rng(check_seed(seed))
    x = SHAPES[shape](n, classes, rng) + rng.normal(0, noise, (n, 2))             # (n, 2)
    y = _labels(n, classes)
    order = rng.permutation(n)
    return x[order], y[order]


def split(x: np.ndarray, y: np.ndarray, test_fraction: float = 0.3, seed: int = 0
          ) -> tuple[Split, Split]:
    """(train, test): a stratified split, each class giving round(test_fraction · count) rows
    to the test set (at least one to each side); rows keep their order."""
    if not 0.05 <= test_fraction <= 0.9:
        raise InvalidInput(f"test fraction must be from 0.05 to 0.9, got {test_fraction}")
    rng = np.random.default_rng(check_seed(seed))
    test = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        take = min(max(1, round(test_fraction * len(rows))), len(rows) - 1)
        test[rng.choice(rows, take, replace=False)] = True
    return (x[~test], y[~test]), (x[test], y[test])


def check_features(names: Sequence[str]) -> tuple[str, ...]:
    """The names, each known and each once, in FEATURES' order; InvalidInput otherwise."""
    for name in names:
        check_choice("feature", name, tuple(FEATURES))
    if len(set(names)) != len(names):
        raise InvalidInput(f"each feature may be named once, got {list(names)}")
    return tuple(name for name in FEATURES if name in names)


def with_features(x: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The network's inputs: the columns x, y, then each named feature.  (n, 2 + len(names))"""
    columns = [x[:, 0], x[:, 1]] + [FEATURES[name](x[:, 0], x[:, 1])
                                    for name in check_features(names)]
    return np.stack(columns, axis=1)


def read_csv(text: str, max_points: int = MAX_POINTS) -> Split:
    """x (n, 2) and labels (n,) from CSV text of `x,y,label` rows (a header row is allowed).

    Labels are 0..k−1 with 2 ≤ k ≤ 5, or any k distinct names (numbered in sorted order).
    The points are moved into [−1, 1]²: centred on their mean, divided by their largest |value|.
    """
    if len(text) > MAX_CSV_BYTES:
        raise InvalidInput(f"the CSV is {len(text):,} characters; at most {MAX_CSV_BYTES:,}")
    rows = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)]
    if rows and not _numeric(rows[0][:2]):
        rows = rows[1:]                                                      # a header
    if not MIN_POINTS <= len(rows) <= max_points:
        raise InvalidInput(f"the CSV must hold {MIN_POINTS} to {max_points:,} rows of "
                           f"x,y,label, got {len(rows)}")
    for i, row in enumerate(rows):
        if len(row) != 3 or not _numeric(row[:2]):
            raise InvalidInput(f"CSV row {i + 1}: expected x,y,label (two numbers and a "
                               f"label), got {','.join(row)[:60]!r}")
    x = np.array([[float(r[0]), float(r[1])] for r in rows])                  # (n, 2)
    if not np.isfinite(x).all():
        raise InvalidInput("the CSV holds NaN or inf coordinates; expected finite numbers")
    return _centred(x), _label_numbers([r[2].strip() for r in rows])


def load_csv(path: str) -> Split:
    """read_csv of the file at path (UTF-8); InvalidInput if it cannot be read."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read(MAX_CSV_BYTES + 1)
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInput(f"cannot read the points file {path}: {e}") from None
    return read_csv(text)


def _numeric(cells: Sequence[str]) -> bool:
    try:
        [float(c) for c in cells]
    except ValueError:
        return False
    return len(cells) == 2


def _centred(x: np.ndarray) -> np.ndarray:
    x = x - x.mean(axis=0)
    scale = float(np.abs(x).max())
    return x / scale if scale > 0 else x


def _label_numbers(labels: list[str]) -> np.ndarray:
    names = sorted(set(labels), key=lambda s: (not s.isdigit(), int(s) if s.isdigit() else 0, s))
    if not MIN_CLASSES <= len(names) <= MAX_CLASSES:
        raise InvalidInput(f"the CSV must hold {MIN_CLASSES} to {MAX_CLASSES} distinct labels, "
                           f"got {len(names)}")
    number = {name: i for i, name in enumerate(names)}
    return np.array([number[label] for label in labels], dtype=np.int64)
