"""A tiny MNIST-format folder (4x4 images) that `nudges train --data` can train on in ms."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nudges.data.mnist import TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS

N_TRAIN = 200                    # after load_mnist's 10,000 validation images
TINY = ["--layers", "16,8,10", "--batch-size", "10"]   # a network that fits this data


def idx_bytes(array: np.ndarray) -> bytes:
    """IDX encoding of an unsigned-byte array: magic 00 00 08 DD, big-endian dims, data."""
    dims = b"".join(d.to_bytes(4, "big") for d in array.shape)
    return bytes([0, 0, 0x08, array.ndim]) + dims + array.astype(np.uint8).tobytes()


def tiny_arrays(n_train: int = N_TRAIN + 10_000, n_test: int = 50,
                seed: int = 0) -> dict[str, np.ndarray]:
    """Images whose brightest quadrant says the label's parity: learnable, barely."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for images, labels, n in ((TRAIN_IMAGES, TRAIN_LABELS, n_train),
                              (TEST_IMAGES, TEST_LABELS, n_test)):
        arrays[labels] = rng.integers(0, 10, n, dtype=np.uint8)
        pixels = rng.integers(0, 128, (n, 4, 4), dtype=np.uint8)
        pixels[:, :2, :2] += (arrays[labels] * 12).astype(np.uint8)[:, None, None]
        arrays[images] = pixels
    return arrays


def write_tiny_mnist(directory: Path, **changes: bytes) -> Path:
    """The four files in `directory` (raw IDX); `changes` replaces a file's bytes by name."""
    directory.mkdir(parents=True, exist_ok=True)
    for stem, array in tiny_arrays().items():
        (directory / stem).write_bytes(changes.get(stem, idx_bytes(array)))
    return directory
