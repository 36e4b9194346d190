"""Validation at the public entry points: say what was expected and what arrived.

Code behind these checks trusts its inputs.
"""

from __future__ import annotations

import dataclasses
import numbers
import typing
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import InvalidInput


def check_choice(what: str, value: str, known: Sequence[str]) -> str:
    """value itself if it is one of `known`, else InvalidInput listing them."""
    if value not in known:
        raise InvalidInput(f"unknown {what} {value!r}; known: {', '.join(known)}")
    return value


def check_dtype(dtype: object, known: Sequence[str] = ("float32", "float64")) -> np.dtype:
    """np.dtype(dtype) if it is one of the known floating types."""
    try:
        name = np.dtype(dtype).name  # type: ignore[call-overload]
    except TypeError:
        name = repr(dtype)
    return np.dtype(check_choice("dtype", name, known))


MAX_PARAMETERS = 50_000_000  # weights and biases: 400 MB as float64 (--max-parameters)
MAX_LAYERS = 100             # layers of weights


def check_sizes(sizes: Sequence[int], max_parameters: int | None = None) -> list[int]:
    """Layer sizes: at least an input and an output layer, each a positive integer, at most
    MAX_LAYERS layers of weights and (unless None) max_parameters weights and biases in all.
    The command line and file loading cap the parameters (MAX_PARAMETERS unless raised), so
    a typo or a crafted file cannot ask for gigabytes; Network itself builds what it is asked,
    and says how much memory was missing if it cannot."""
    try:
        values = [int(s) for s in sizes]
    except (TypeError, ValueError):
        raise InvalidInput(f"layer sizes must be integers, got {sizes!r}") from None
    if len(values) < 2 or any(v < 1 or v != s for v, s in zip(values, sizes)):
        raise InvalidInput(f"layer sizes must be at least two positive integers "
                           f"(e.g. [784, 30, 10]), got {_brief(sizes)}")
    if len(values) - 1 > MAX_LAYERS:
        raise InvalidInput(f"{len(values) - 1:,} layers of weights asked for; nudges builds at "
                           f"most {MAX_LAYERS}")
    n = count_parameters(values)
    if max_parameters is not None and n > max_parameters:
        raise InvalidInput(
            f"layers {_brief(values)} have {n:,} weights and biases, over the limit of "
            f"{max_parameters:,} ({8 * n / 2**30:,.3g} GiB as float64, several times that to "
            "train); use smaller layers, or raise the limit (--max-parameters N; "
            "max_parameters= in Python)")
    return values


def count_parameters(sizes: Sequence[int]) -> int:
    """Weights and biases of a network with these layer sizes: Σ (n_in + 1) · n_out."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def check_seed(seed: int) -> int:
    """A seed for np.random.default_rng: an integer from 0 to 2**128 - 1."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) \
            or not 0 <= seed < 2**128:
        raise InvalidInput(f"seed must be an integer from 0 to 2**128 - 1, got {_brief(seed)}")
    return int(seed)


def _brief(value: object) -> str:
    text = "-".join(map(str, value)) if isinstance(value, list) else repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text):,} characters)"


def check_number(what: str, value: float, *, low: float = 0.0, inclusive: bool = False) -> float:
    """A finite number above `low` (or at least `low` when inclusive)."""
    ok = np.isfinite(value) and (value >= low if inclusive else value > low)
    if not ok:
        sign = ">=" if inclusive else ">"
        raise InvalidInput(f"{what} must be a finite number {sign} {low:g}, got {value!r}")
    return float(value)


def as_batch(x: object, n_in: int, dtype: np.dtype) -> np.ndarray:
    """x as a C-contiguous (n, n_in) array of `dtype`; one example (n_in,) becomes a row."""
    arr = _as_array("x", x)
    if arr.dtype.kind not in "biuf":
        raise InvalidInput(f"x must hold numbers, got an array of dtype {arr.dtype}")
    if arr.ndim == 1 and arr.shape[0] == n_in:
        arr = arr[None, :]                                        # (1, n_in)
    if arr.ndim != 2 or arr.shape[1] != n_in or arr.shape[0] == 0:
        raise InvalidInput(f"x must have shape (n, {n_in}) with n >= 1, got {arr.shape}")
    with np.errstate(over="ignore", invalid="ignore"):          # too big for dtype: inf, below
        arr = np.ascontiguousarray(arr, dtype=dtype)
    if not np.isfinite(arr).all():
        raise InvalidInput(f"x contains NaN or inf (or values too large for {dtype}); "
                           "scale pixels to [0, 1] first")
    return arr


def _as_array(what: str, value: object) -> np.ndarray:
    """np.asarray(value), or InvalidInput for ragged nested lists and other non-arrays."""
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as e:
        raise InvalidInput(f"{what} must be a rectangular array of numbers: {e}") from None


def as_targets(y: object, n_out: int, n: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """(one-hot targets (n, n_out) of dtype, integer labels (n,)) from labels or one-hot rows.

    Accepted where the meaning is plain: n labels (n,) or (n, 1); n one-hot rows (n, n_out);
    for one example (n = 1) also a single label () or a single one-hot row (n_out,).
    """
    arr = _as_array("y", y)
    if n == 1 and (arr.ndim == 0 or (arr.ndim == 1 and arr.shape[0] == n_out != 1
                                     and _is_one_hot(arr[None, :]))):
        arr = arr.reshape(1, -1) if arr.ndim == 1 else arr.reshape(1)
    if arr.ndim == 2 and arr.shape == (n, n_out) and n_out != 1:
        labels = _one_hot_labels(arr)
    elif arr.ndim in (1, 2) and arr.shape[0] == n and arr.size == n:
        labels = _as_labels(arr.reshape(n), n_out)
    else:
        raise InvalidInput(f"y must be {n} integer labels in 0..{n_out - 1} (shape ({n},)) "
                           f"or one-hot rows of shape ({n}, {n_out}), got shape {arr.shape}")
    targets = np.zeros((n, n_out), dtype=dtype)
    targets[np.arange(n), labels] = 1
    return targets, labels


def _is_one_hot(arr: np.ndarray) -> bool:
    """Whether every row of a 2-D array holds one 1 and zeros elsewhere."""
    if arr.dtype.kind not in "biuf":
        return False
    return bool(((arr == 0) | (arr == 1)).all() and (arr.sum(axis=1) == 1).all())


def _one_hot_labels(arr: np.ndarray) -> np.ndarray:
    """The column of the 1 in each one-hot row, or InvalidInput naming the first bad row."""
    if not _is_one_hot(arr):
        ok = np.zeros(len(arr), bool)
        if arr.dtype.kind in "biuf":
            ok = ((arr == 0) | (arr == 1)).all(axis=1) & (arr.sum(axis=1) == 1)
        i = int(np.argmin(ok))
        raise InvalidInput(f"y of shape {arr.shape} must be one-hot rows (one 1, the rest 0), "
                           f"but row {i} is not; or give integer labels of shape ({len(arr)},)")
    return np.asarray(arr.argmax(axis=1))


def _as_labels(arr: np.ndarray, n_out: int) -> np.ndarray:
    """Integer labels in 0..n_out-1 (floats that are whole numbers count as integers)."""
    if arr.dtype.kind == "f":
        if not (np.isfinite(arr).all() and (arr == np.round(arr)).all()):
            raise InvalidInput(f"labels must be integers, got {arr.dtype} with NaN, inf or "
                               "fractions")
    elif arr.dtype.kind not in "iu":
        raise InvalidInput(f"labels must be integers, got dtype {arr.dtype}")
    bad = (arr < 0) | (arr >= n_out)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInput(f"labels must be in 0..{n_out - 1}, got {arr[i]} at index {i}")
    return arr.astype(np.int64, copy=False)


TYPES: dict[type, tuple[type, str]] = {int: (numbers.Integral, "an integer"),
                                       float: (numbers.Real, "a number"), str: (str, "a name")}


def check_types(settings: Any) -> None:
    """InvalidInput naming the first field of a dataclass whose value is not of its declared
    type: an integer (not a bool) for int, a real number (not a bool or text) for float, text
    for str, and None only where the field allows it."""
    hints = typing.get_type_hints(type(settings))
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        kinds = typing.get_args(hints[f.name]) or (hints[f.name],)
        if value is None and type(None) in kinds:
            continue
        kind, words = TYPES[next(k for k in kinds if k is not type(None))]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise InvalidInput(f"{f.name} must be {words}, got {value!r}")
