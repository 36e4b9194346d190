"""Validation at the public entry points: say what was expected and what arrived.

Code behind these checks trusts its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def check_sizes(sizes: Sequence[int]) -> list[int]:
    """Layer sizes: at least an input and an output layer, each a positive integer."""
    try:
        values = [int(s) for s in sizes]
    except (TypeError, ValueError):
        raise InvalidInput(f"layer sizes must be integers, got {sizes!r}") from None
    if len(values) < 2 or any(v < 1 or v != s for v, s in zip(values, sizes)):
        raise InvalidInput(f"layer sizes must be at least two positive integers "
                           f"(e.g. [784, 30, 10]), got {list(sizes)!r}")
    return values


def check_number(what: str, value: float, *, low: float = 0.0, inclusive: bool = False) -> float:
    """A finite number above `low` (or at least `low` when inclusive)."""
    ok = np.isfinite(value) and (value >= low if inclusive else value > low)
    if not ok:
        sign = ">=" if inclusive else ">"
        raise InvalidInput(f"{what} must be a finite number {sign} {low:g}, got {value!r}")
    return float(value)


def as_batch(x: object, n_in: int, dtype: np.dtype) -> np.ndarray:
    """x as a C-contiguous (n, n_in) array of `dtype`; one example of shape (n_in,) becomes a row."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise InvalidInput(f"x must hold numbers, got an array of dtype {arr.dtype}")
    if arr.ndim == 1 and arr.shape[0] == n_in:
        arr = arr[None, :]                                        # (1, n_in)
    if arr.ndim != 2 or arr.shape[1] != n_in or arr.shape[0] == 0:
        raise InvalidInput(f"x must have shape (n, {n_in}) with n >= 1, got {arr.shape}")
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if not np.isfinite(arr).all():
        raise InvalidInput("x contains NaN or inf; scale pixels to [0, 1] first")
    return arr


def as_targets(y: object, n_out: int, n: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """(one-hot targets (n, n_out) of dtype, integer labels (n,)) from labels or one-hot rows."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape == (n, n_out) and _is_one_hot(arr):
        labels = arr.argmax(axis=1)
    elif arr.ndim == 1 and arr.shape[0] == n:
        labels = _as_labels(arr, n_out)
    else:
        raise InvalidInput(f"y must be {n} integer labels in 0..{n_out - 1} (shape ({n},)) "
                           f"or one-hot rows of shape ({n}, {n_out}), got shape {arr.shape}")
    targets = np.zeros((n, n_out), dtype=dtype)
    targets[np.arange(n), labels] = 1
    return targets, labels


def _is_one_hot(arr: np.ndarray) -> bool:
    return bool(np.isin(arr, (0, 1)).all() and (arr.sum(axis=1) == 1).all())


def _as_labels(arr: np.ndarray, n_out: int) -> np.ndarray:
    if arr.dtype.kind == "f" and np.isfinite(arr).all() and (arr == np.round(arr)).all():
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise InvalidInput(f"labels must be integers, got dtype {arr.dtype}")
    bad = (arr < 0) | (arr >= n_out)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInput(f"labels must be in 0..{n_out - 1}, got {arr[i]} at index {i}")
    return arr.astype(np.int64, copy=False)
