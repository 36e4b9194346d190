"""Small random shifts of square images: more training digits for free.

A digit moved by a pixel or two is still the same digit, so shifting each training image at
random every epoch shows the network variations it would otherwise never see.
"""

from __future__ import annotations

import numpy as np

from ..core.activations import Array


def random_shifts(x: Array, max_shift: int, rng: np.random.Generator) -> Array:
    """Each row of x (n, side²), a square image, moved by up to max_shift pixels each way.

    Pixels shifted in from outside are 0 (background). Returns a new (n, side²) array.
    """
    n, side = len(x), int(round(np.sqrt(x.shape[1])))
    images = x.reshape(n, side, side)
    padded = np.pad(images, ((0, 0), (max_shift, max_shift), (max_shift, max_shift)))
    dy, dx = rng.integers(0, 2 * max_shift + 1, size=(2, n))          # offsets into padding
    rows = dy[:, None, None] + np.arange(side)[None, :, None]         # (n, side, 1)
    cols = dx[:, None, None] + np.arange(side)[None, None, :]         # (n, 1, side)
    shifted: Array = padded[np.arange(n)[:, None, None], rows, cols].reshape(n, side * side)
    return shifted


def is_square(n_in: int) -> bool:
    """Whether n_in pixels can be a square image."""
    side = int(round(np.sqrt(n_in)))
    return side * side == n_in
