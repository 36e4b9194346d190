"""A model scored on examples it trained on says so (nudges.data.own.overlap): the embedded
sample is drawn from MNIST's test files, so a model trained on it and scored on MNIST's test set
has learned from 4,000 of its 10,000 images; a table split another way overlaps its training part.
"""

from __future__ import annotations

import importlib.resources
import io
from pathlib import Path

import numpy as np
import pytest

from nudges.cli import main
from nudges.data.mnist import MNIST_TEST_COUNTS, TEST_IMAGES, TEST_LABELS, load_sample
from nudges.data.own.overlap import seen

from .test_datasets import write_iris
from .tiny_data import idx_bytes, tiny_arrays, write_tiny_mnist

TINY_NET = ["--layers", "784,10,10", "--epochs", "1", "--batch-size", "50", "--engine", "numpy",
            "--quiet"]
WARNED = ("test images were in {model}'s training data (the embedded 5,000-digit sample, "
          "drawn from MNIST's test files)")


def test_seen_counts_rows_equal_in_value() -> None:
    rng = np.random.default_rng(0)
    train = rng.random((50, 6)).astype(np.float32)
    test = np.concatenate([train[[3, 7, 7]], rng.random((4, 6)).astype(np.float32)])
    assert seen(train, test) == 3 and seen(train[:3], test) == 0
    assert seen(train, test.astype(np.float64)) == 3


def write_mnist_like_test_set(folder: Path) -> Path:
    """MNIST's four files where the t10k files hold the sample's 5,000 digits at their own
    t10k positions (blank images elsewhere), with MNIST's test-label counts, so nudges takes
    the folder for MNIST; the training files are tiny."""
    raw = importlib.resources.files("nudges").joinpath("sample",
                                                       "mnist-sample.npz").read_bytes()
    with np.load(io.BytesIO(raw)) as npz:
        images, labels, index = npz["images"], npz["labels"], npz["index"]
    t10k = np.zeros((10_000, 28, 28), np.uint8)
    t10k[index] = images
    rest = np.setdiff1d(np.arange(10_000), index)
    missing = np.array(MNIST_TEST_COUNTS) - np.bincount(labels, minlength=10)
    t10k_labels = np.zeros(10_000, np.uint8)
    t10k_labels[index] = labels
    t10k_labels[rest] = np.repeat(np.arange(10), missing)
    train = {k: v for k, v in tiny_arrays(n_train=60, n_test=1).items()
             if k not in (TEST_IMAGES, TEST_LABELS)}
    train = {k: (np.kron(v, np.ones((1, 7, 7), np.uint8)) if v.ndim == 3 else v)
             for k, v in train.items()}                              # 4x4 -> 28x28
    write_tiny_mnist(folder, **{k: idx_bytes(v) for k, v in train.items()},
                     **{TEST_IMAGES: idx_bytes(t10k), TEST_LABELS: idx_bytes(t10k_labels)})
    return folder


@pytest.fixture
def sample_model(sample_only: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A tiny network trained on the embedded sample."""
    model = tmp_path / "sample.npz"
    assert main(["train", *TINY_NET, "--save", str(model)]) == 0
    capsys.readouterr()
    return model


def test_a_sample_model_scored_on_mnist_test_says_so(
        sample_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mnist = write_mnist_like_test_set(tmp_path / "mnist")
    assert main(["evaluate", str(sample_model), "--data", str(mnist)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("test ") and "/10,000 (" in out
    assert err == "nudges: warning: 4,000 of the 10,000 " + WARNED.format(model=sample_model) + \
        ", so this score overstates how it does on data it has not seen\n"
    assert main(["plot", str(sample_model), "--data", str(mnist), "--out",
                 str(tmp_path / "figures")]) == 0
    assert "4,000 of the 10,000 " + WARNED.format(model=sample_model) in capsys.readouterr().err


def test_a_sample_model_scored_on_the_sample_is_not_warned(
        sample_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(sample_model)]) == 0       # the sample's own 500 test digits
    assert "warning" not in capsys.readouterr().err
    assert len(set(map(bytes, load_sample().test[0])) & set(map(bytes, load_sample().train[0]))) \
        == 0


def test_a_table_split_another_way_says_how_much_overlaps(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    csv = write_iris(tmp_path / "iris.csv")
    model = tmp_path / "iris.npz"
    assert main(["train", "--data", str(csv), "--epochs", "2", "--engine", "numpy", "--quiet",
                 "--save", str(model)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(model)]) == 0 and "warning" not in capsys.readouterr().err
    assert main(["evaluate", str(model), "--data", str(csv)]) == 0
    assert "warning" not in capsys.readouterr().err           # the same data, split the same
    assert main(["evaluate", str(model), "--split-seed", "1"]) == 0
    err = capsys.readouterr().err
    count = int(err.split("warning: ")[1].split(" of the 30 test examples were in")[0])
    assert 10 <= count < 30 and "training data (iris)" in err


@pytest.mark.mnist
def test_on_full_mnist_the_sample_model_is_warned_and_an_mnist_model_is_not(
        mnist_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    mnist_model = tmp_path / "mnist.npz"
    monkeypatch.setenv("NUDGES_DATA", str(mnist_dir))
    assert main(["train", *TINY_NET, "--save", str(mnist_model)]) == 0
    empty = tmp_path / "no-mnist"
    empty.mkdir()
    monkeypatch.setenv("NUDGES_DATA", str(empty))
    monkeypatch.setattr("nudges.data.mnist.cache_dir", lambda: tmp_path / "no-cache")
    sample_model = tmp_path / "sample.npz"
    assert main(["train", *TINY_NET, "--save", str(sample_model)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(sample_model), "--data", str(mnist_dir)]) == 0
    assert "4,000 of the 10,000 " + WARNED.format(model=sample_model) in capsys.readouterr().err
    assert main(["evaluate", str(mnist_model)]) == 0          # MNIST's model on the sample
    err = capsys.readouterr().err
    assert "embedded 5,000-digit sample" in err and "warning" not in err
