"""Make nudges' embedded digit sample from MNIST's test files (run once; the output is committed).

    python scripts/make_sample.py ../shared/data/mnist src/nudges/sample/mnist-sample.npz

500 images of each digit drawn from MNIST's 10,000 *test* images (numpy default_rng(20261201)),
so that a model trained on MNIST's 60,000 training images is never evaluated on digits it learned.
The .npz holds `images` (5000, 28, 28) uint8, `labels` (5000,) uint8 and `index` (5000,) int32,
the position of each image in t10k-images-idx3-ubyte. Prints the file's SHA-256 for data.py.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

from nudges.data import TEST_IMAGES, TEST_LABELS, find_data_dir
from nudges.idx import read_idx

PER_DIGIT = 500
SEED = 20261201


def main(source: str, out: str) -> None:
    folder = find_data_dir(source)
    assert folder is not None, f"no MNIST files in {source}"
    images = read_idx(next(folder.glob(TEST_IMAGES + "*")))
    labels = read_idx(next(folder.glob(TEST_LABELS + "*")))
    rng = np.random.default_rng(SEED)
    index = np.sort(np.concatenate([rng.choice(np.flatnonzero(labels == d), PER_DIGIT,
                                               replace=False) for d in range(10)]))
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez_compressed(f, images=images[index].astype(np.uint8),
                            labels=labels[index].astype(np.uint8), index=index.astype(np.int32))
    print(path, path.stat().st_size, "bytes, sha256", hashlib.sha256(path.read_bytes()).hexdigest())


if __name__ == "__main__":
    main(*sys.argv[1:3])
