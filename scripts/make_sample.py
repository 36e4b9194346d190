"""Remake nudges' sample of 5,000 MNIST test digits (nudges.data.mnist.make_sample), which git
tracks at src/nudges/sample/ (tests/test_data.py checks that the tracked file is what this
makes).

    python scripts/make_sample.py ../shared/data/mnist            # into src/nudges/sample/
    python scripts/make_sample.py ../shared/data/mnist OUT.npz

500 images of each digit drawn from MNIST's 10,000 *test* images (default_rng(20261201)), so that
a model trained on MNIST's 60,000 training images is never evaluated on digits it learned. The
.npz holds `images` (5000, 28, 28) uint8, `labels` (5000,) uint8 and `index` (5000,) int32, the
position of each image in t10k-images-idx3-ubyte; load_sample checks its arrays' SHA-256.
"""

from __future__ import annotations

import sys

from nudges.data.mnist import load_sample, make_sample


def main(source: str, out: str | None = None) -> None:
    path = make_sample(source, out)
    if out is None:
        load_sample()                      # the checksum: the same 5,000 digits as every copy
    print(f"{path}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(*sys.argv[1:3])
