"""Getting examples in: MNIST (found, downloaded or the embedded sample), IDX files,
pictures, and your own data sets (own/)."""

from .idx import load_idx_pair
from .mnist import (
    MIRRORS,
    MNIST_SHA256,
    MNIST_TEST_COUNTS,
    SAMPLE,
    TEST_IMAGES,
    TEST_LABELS,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    Dataset,
    cache_dir,
    find_data_dir,
    load_digits,
    load_mnist,
    load_sample,
    make_sample,
    nudges_data_problem,
)

__all__ = [
    "Dataset", "MIRRORS", "MNIST_SHA256", "MNIST_TEST_COUNTS", "SAMPLE", "TEST_IMAGES",
    "TEST_LABELS", "TRAIN_IMAGES", "TRAIN_LABELS", "cache_dir", "find_data_dir", "load_digits",
    "load_idx_pair", "load_mnist", "load_sample", "make_sample", "nudges_data_problem",
]
