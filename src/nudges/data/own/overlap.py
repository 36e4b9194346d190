"""Whether a test set holds examples a model trained on: compared row by row, by content.

The embedded sample is drawn from MNIST's test files, so a model trained on it and scored on
MNIST's test set has learned from 4,000 of its 10,000 images; a model trained on one split of a
table and scored on another split of it has learned from part of that test set. The training
inputs are found again from what the model recorded (its data's fingerprint: name, path, size,
CRC-32), and only trusted when their CRC-32 matches.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..mnist import Dataset, data_fingerprint

SAMPLE_NAME = "mnist-sample"


def fingerprint(metadata: dict[str, Any]) -> dict[str, Any] | None:
    """The training data's fingerprint a saved model keeps ({"name", "path", "n_train",
    "crc32", ...}), or None for a model saved without one (from Python, say)."""
    where = metadata.get("checkpoint")
    data = where.get("data") if isinstance(where, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return None
    return data


def matches(train: Dataset, recorded: dict[str, Any]) -> bool:
    """Whether `train`'s training part is the one the fingerprint describes (size and CRC-32)."""
    x, y = train.train
    found = data_fingerprint(x, y, recorded["name"], recorded.get("path"))
    return bool(found["n_train"] == recorded.get("n_train")
                and found["crc32"] == recorded.get("crc32"))


def _digests(x: NDArray[Any]) -> list[bytes]:
    """A 16-byte BLAKE2 digest of each row's float32 bytes (rows equal in value, equal here)."""
    rows = np.ascontiguousarray(x, dtype=np.float32).reshape(len(x), -1)      # (n, d)
    return [hashlib.blake2b(row.tobytes(), digest_size=16).digest() for row in rows]


def seen(train_x: NDArray[Any], test_x: NDArray[Any]) -> int:
    """How many rows of test_x (n, d) are also rows of train_x (m, d), value for value."""
    if train_x.shape[1:] != test_x.shape[1:]:
        return 0
    known = set(_digests(train_x))
    return sum(d in known for d in _digests(test_x))


def warning(count: int, total: int, model: str, recorded: dict[str, Any], pictures: bool) -> str:
    """The one line saying that a score counts examples the model trained on."""
    kind = "images" if pictures else "examples"
    what = ("the embedded 5,000-digit sample, drawn from MNIST's test files"
            if recorded["name"] == SAMPLE_NAME else recorded["name"])
    return (f"nudges: warning: {count:,} of the {total:,} test {kind} were in {model}'s training "
            f"data ({what}), so this score overstates how it does on data it has not seen")
