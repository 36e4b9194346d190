"""Small random shifts of square images: more training digits for free.

A digit moved by a pixel or two is still the same digit, so shifting each training image at
random every epoch shows the network variations it would otherwise never see.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..core.activations import Array


def random_shifts(x: Array, max_shift: int, rng: np.random.Generator) -> Array:
    """Each row of x (n, side²), a square image, moved by up to max_shift pixels each way.

    Pixels shifted in from outside are 0 (background). Returns a new (n, side²) array.
    """
    n, side, m = len(x), int(round(np.sqrt(x.shape[1]))), max_shift
    padded = np.zeros((n, side + 2 * m, side + 2 * m), x.dtype)       # a margin of m zeros
    padded[:, m:m + side, m:m + side] = x.reshape(n, side, side)
    dy, dx = rng.integers(0, 2 * m + 1, size=(2, n))                  # each window's corner
    windows = sliding_window_view(padded, (side, side), axis=(1, 2))  # (n, 2m+1, 2m+1, side, side)
    shifted: Array = windows[np.arange(n), dy, dx].reshape(n, side * side)
    return shifted


def is_square(n_in: int) -> bool:
    """Whether n_in pixels can be a square image."""
    side = int(round(np.sqrt(n_in)))
    return side * side == n_in
