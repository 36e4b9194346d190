"""nudges.data.mnist: IDX parsing and validation, finding MNIST, downloading (mocked), the
sample."""

from __future__ import annotations

import dataclasses
import gzip
import importlib.resources
import io
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudges.core.errors import DataError, DataNotFound, InvalidInput
from nudges.data import mnist
from nudges.data.idx import read_idx
from nudges.data.mnist import (
    MIRRORS,
    MNIST_SHA256,
    SAMPLE,
    TEST_IMAGES,
    TEST_LABELS,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    Dataset,
    cache_dir,
    find_data_dir,
    load_digits,
    load_idx_pair,
    load_mnist,
    load_sample,
)

CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(np.int16): 0x0B,
         np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D, np.dtype(np.float64): 0x0E}


def idx_bytes(array: np.ndarray, code: int | None = None) -> bytes:
    """IDX encoding: magic 00 00 TT DD, DD big-endian uint32 dims, big-endian data."""
    code = CODES[array.dtype] if code is None else code
    dims = b"".join(d.to_bytes(4, "big") for d in array.shape)
    big_endian = array.astype(array.dtype.newbyteorder(">"))
    return bytes([0, 0, code, array.ndim]) + dims + big_endian.tobytes()


def write(path: Path, payload: bytes, gz: bool = False) -> Path:
    path.write_bytes(gzip.compress(payload) if gz else payload)
    return path


def make_digits_dir(directory: Path, n_train: int = 12, n_test: int = 5, gz: bool = True,
                    skip: tuple[str, ...] = (), seed: int = 0) -> dict[str, np.ndarray]:
    """Four tiny MNIST-format files (4x3 images) in directory; returns the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {TRAIN_IMAGES: rng.integers(0, 256, (n_train, 4, 3), dtype=np.uint8),
              TRAIN_LABELS: rng.integers(0, 10, n_train, dtype=np.uint8),
              TEST_IMAGES: rng.integers(0, 256, (n_test, 4, 3), dtype=np.uint8),
              TEST_LABELS: rng.integers(0, 10, n_test, dtype=np.uint8)}
    directory.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        if stem not in skip:
            write(directory / (f"{stem}.gz" if gz else stem), idx_bytes(array), gz)
    return arrays


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """NUDGES_DATA and the cache both point at empty folders, so the user's copies are unseen."""
    monkeypatch.setenv("NUDGES_DATA", str(tmp_path / "env"))
    monkeypatch.setattr(mnist, "cache_dir", lambda: tmp_path / "cache")
    return tmp_path


# --- read_idx -------------------------------------------------------------------------------

@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("dtype", list(CODES))
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (2, 1, 3, 2)])
def test_read_idx_round_trip(tmp_path: Path, dtype: np.dtype, shape: tuple[int, ...],
                             gz: bool) -> None:
    array = (np.arange(np.prod(shape)) * 7 - 20).astype(dtype).reshape(shape)
    got = read_idx(write(tmp_path / "a.idx", idx_bytes(array), gz))
    assert got.shape == shape and got.dtype == dtype and got.dtype.isnative
    np.testing.assert_array_equal(got, array)


def test_gzip_is_detected_by_content_not_suffix(tmp_path: Path) -> None:
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    gz_no_suffix = write(tmp_path / "images", idx_bytes(array), gz=True)
    raw_with_suffix = write(tmp_path / "images.gz", idx_bytes(array), gz=False)
    np.testing.assert_array_equal(read_idx(gz_no_suffix), array)
    np.testing.assert_array_equal(read_idx(raw_with_suffix), array)


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(("payload", "message"), [
    (b"\x12\x34\x08\x01\0\0\0\x01\x07", "bad magic number 0x12340801, expected 0x0000TTDD"),
    (b"\0\0\x0a\x01\0\0\0\x01\x07", "unknown type code 0x0A in magic number 0x00000A01"),
    (b"\0\0\x08\x00\x07", "claims 0 dims, expected 1 to 4"),
    (b"\0\0\x08\x05" + b"\0\0\0\x01" * 5 + b"\x07", "claims 5 dims, expected 1 to 4"),
    (b"\0\0\x08\x03\0\0\0\x02\0\0", "header ends after 10 bytes, expected 16 for 3 dims"),
    (b"\0\0\x08\x02\0\0\0\x02\0\0\0\x00", r"shape \(2, 0\), expected every dimension >= 1"),
    (b"\0\0", "holds only 2 bytes, expected a 4-byte IDX magic number"),
])
def test_read_idx_rejects_bad_headers(tmp_path: Path, payload: bytes, message: str,
                                      gz: bool) -> None:
    with pytest.raises(DataError, match=message):
        read_idx(write(tmp_path / "bad.gz", payload, gz))


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_rejects_truncated_data(tmp_path: Path, gz: bool) -> None:
    payload = idx_bytes(np.zeros((2, 3), np.int16))[:-1]
    with pytest.raises(DataError, match=r"\(2, 3\) of int16 needs 12 data bytes, but the file "
                                        r"holds 11 \(truncated\)"):
        read_idx(write(tmp_path / "x", payload, gz))


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_rejects_trailing_bytes(tmp_path: Path, gz: bool) -> None:
    payload = idx_bytes(np.zeros((2, 3), np.uint8)) + b"\0\0\0"
    with pytest.raises(DataError, match="needs 6 data bytes, but the file holds 7 or more"):
        read_idx(write(tmp_path / "x", payload, gz))


def test_read_idx_rejects_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="x.idx: file is empty"):
        read_idx(write(tmp_path / "x.idx", b""))


@pytest.mark.parametrize("payload", [
    b"\x1f\x8b" + b"this is not deflate data at all",
    gzip.compress(idx_bytes(np.zeros((20, 20), np.uint8)), mtime=0)[:-30],
    gzip.compress(idx_bytes(np.zeros(3, np.uint8)), mtime=0)[:-4] + b"\xff\xff\xff\xff",
], ids=["not deflate", "cut short", "wrong size"])   # ids the same in every process (xdist)
def test_read_idx_rejects_broken_gzip(tmp_path: Path, payload: bytes) -> None:
    with pytest.raises(DataError, match="starts like gzip .* not a valid gzip stream"):
        read_idx(write(tmp_path / "x.gz", payload))


def test_read_idx_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DataNotFound, match="no such file"):
        read_idx(tmp_path / "nope.gz")
    with pytest.raises(DataError, match="not a file"):
        read_idx(tmp_path)


@pytest.mark.parametrize(("header", "gz"), [
    (b"\0\0\x08\x01" + (2**31).to_bytes(4, "big"), False),          # 2^31 bytes claimed
    (b"\0\0\x0e\x01" + (2**31).to_bytes(4, "big"), True),           # 2^31 doubles claimed
    (b"\0\0\x08\x04" + (1000).to_bytes(4, "big") * 4, True),        # 10^12 bytes claimed
])
def test_read_idx_huge_claim_fails_fast_without_allocating(tmp_path: Path, header: bytes,
                                                           gz: bool) -> None:
    path = write(tmp_path / "liar", header + b"\x01" * (20 - len(header)), gz)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(DataError, match="truncated"):
        read_idx(path)
    elapsed, (_, peak) = time.perf_counter() - start, tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0 and peak < 8 * 2**20


blobs = st.binary(max_size=200) | st.builds(
    lambda code, dims, rest: bytes([0, 0, code, len(dims)])
    + b"".join(d.to_bytes(4, "big") for d in dims) + rest,
    st.sampled_from([*CODES.values(), 0x0A, 0xFF]), st.lists(st.integers(0, 4), max_size=5),
    st.binary(max_size=200))


@settings(max_examples=300, deadline=None)
@given(blob=blobs, gz=st.booleans())
def test_read_idx_returns_an_array_or_raises_data_error(
        tmp_path_factory: pytest.TempPathFactory, blob: bytes, gz: bool) -> None:
    path = write(tmp_path_factory.getbasetemp() / "fuzz.idx", blob, gz)
    try:
        assert isinstance(read_idx(path), np.ndarray)
    except DataError:
        pass


# --- load_idx_pair --------------------------------------------------------------------------

@pytest.mark.parametrize("gz", [False, True])
def test_load_idx_pair_scales_and_flattens(tmp_path: Path, gz: bool) -> None:
    images = np.array([[[0, 255], [51, 102]], [[1, 2], [3, 4]], [[9, 8], [7, 6]]], np.uint8)
    labels = np.array([3, 0, 9], np.uint8)
    x, y = load_idx_pair(write(tmp_path / "i", idx_bytes(images), gz),
                         write(tmp_path / "l", idx_bytes(labels), gz))
    assert x.dtype == np.float32 and x.shape == (3, 4) and y.dtype == np.int64
    np.testing.assert_allclose(x, images.reshape(3, 4) / 255, rtol=1e-6)
    assert x[0].tolist() == np.float32([0.0, 1.0, 0.2, 0.4]).tolist()   # 51/255, 102/255
    np.testing.assert_array_equal(y, [3, 0, 9])


def test_load_idx_pair_rejects_count_mismatch(tmp_path: Path) -> None:
    images = write(tmp_path / "i", idx_bytes(np.zeros((3, 2, 2), np.uint8)))
    labels = write(tmp_path / "l", idx_bytes(np.zeros(2, np.uint8)))
    with pytest.raises(DataError, match="i holds 3 images but l holds 2 labels"):
        load_idx_pair(images, labels)


def test_load_idx_pair_rejects_label_10(tmp_path: Path) -> None:
    images = write(tmp_path / "i", idx_bytes(np.zeros((4, 2, 2), np.uint8)))
    labels = write(tmp_path / "l", idx_bytes(np.array([1, 9, 10, 3], np.uint8)))
    with pytest.raises(DataError, match="l: label 10 at index 2, expected 0 to 9"):
        load_idx_pair(images, labels)


@pytest.mark.parametrize(("images", "labels", "message"), [
    (np.zeros(3, np.uint8), np.zeros(3, np.uint8),
     r"i: holds uint8 with 1 dims, expected 0x00000803 \(unsigned byte, 3 dims\)"),
    (np.zeros((3, 2, 2), np.float32), np.zeros(3, np.uint8), "i: holds float32 with 3 dims"),
    (np.zeros((3, 2, 2), np.uint8), np.zeros((3, 1), np.uint8),
     r"l: holds uint8 with 2 dims, expected 0x00000801 \(unsigned byte, 1 dims\)"),
])
def test_load_idx_pair_rejects_wrong_kinds(tmp_path: Path, images: np.ndarray,
                                           labels: np.ndarray, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_idx_pair(write(tmp_path / "i", idx_bytes(images)),
                      write(tmp_path / "l", idx_bytes(labels)))


# --- finding a folder and load_mnist --------------------------------------------------------

@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_from_a_folder(tmp_path: Path, gz: bool) -> None:
    arrays = make_digits_dir(tmp_path / "fashion", gz=gz)
    ds = load_mnist(tmp_path / "fashion", validation_size=4)
    assert ds.name == "fashion"
    assert ds.source == f"fashion from {tmp_path / 'fashion'} (8 train, 4 validation, 5 test)"
    assert [len(s[1]) for s in (ds.train, ds.validation, ds.test)] == [8, 4, 5]
    assert ds.train[0].shape == (8, 12) and ds.train[0].dtype == np.float32
    np.testing.assert_array_equal(ds.validation[1], arrays[TRAIN_LABELS][8:])
    np.testing.assert_allclose(ds.test[0] * 255, arrays[TEST_IMAGES].reshape(5, 12), atol=1e-4)


def test_gz_copy_is_preferred_over_raw(tmp_path: Path) -> None:
    raw = make_digits_dir(tmp_path, gz=False, seed=1)
    gz = make_digits_dir(tmp_path, gz=True, seed=2)
    assert not np.array_equal(raw[TEST_LABELS], gz[TEST_LABELS])
    np.testing.assert_array_equal(load_mnist(tmp_path, validation_size=2).test[1],
                                  gz[TEST_LABELS])


@pytest.mark.parametrize("size", [-1, 12, 100, 2.5])
def test_load_mnist_rejects_bad_validation_size(tmp_path: Path, size: Any) -> None:
    make_digits_dir(tmp_path)
    with pytest.raises(InvalidInput, match="validation_size must be 0 to 11 for 12"):
        load_mnist(tmp_path, validation_size=size)


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(DataNotFound, match="no such folder; expected a folder holding the four"):
        find_data_dir(tmp_path / "absent")


def test_missing_file_is_listed(tmp_path: Path) -> None:
    make_digits_dir(tmp_path, skip=(TEST_LABELS,))
    with pytest.raises(DataNotFound, match=r"lacks t10k-labels-idx1-ubyte\(\.gz\);") as info:
        load_mnist(tmp_path)
    assert TRAIN_IMAGES not in str(info.value).split(";")[0]


def test_nudges_data_env_var_is_used(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_digits_dir(nowhere / "mine")
    monkeypatch.setenv("NUDGES_DATA", str(nowhere / "mine"))
    assert find_data_dir() == nowhere / "mine"
    assert load_mnist(validation_size=2).name == "mine"


def test_nudges_data_may_hold_an_mnist_subfolder(nowhere: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    make_digits_dir(nowhere / "root" / "mnist")
    monkeypatch.setenv("NUDGES_DATA", str(nowhere / "root"))
    assert find_data_dir() == nowhere / "root" / "mnist"


def test_explicit_path_beats_env_var(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_digits_dir(nowhere / "env")
    make_digits_dir(nowhere / "explicit")
    assert find_data_dir(nowhere / "explicit") == nowhere / "explicit"
    assert load_mnist(nowhere / "explicit", validation_size=2).name == "explicit"
    (nowhere / "empty").mkdir()
    with pytest.raises(DataNotFound, match="empty lacks train-images"):
        find_data_dir(nowhere / "empty")        # named but empty: no silent fallback


def test_cache_is_searched_after_env_var(nowhere: Path) -> None:
    assert find_data_dir() is None
    make_digits_dir(nowhere / "cache")
    assert find_data_dir() == nowhere / "cache"


def test_cache_dir_honours_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if sys.platform != "linux":
        pytest.skip("XDG_CACHE_HOME is a Linux convention")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "nudges" / "mnist"
    monkeypatch.setitem(sys.modules, "pooch", None)          # without pooch too
    assert cache_dir() == tmp_path / "nudges" / "mnist"


def test_load_mnist_without_data_says_where_it_looked(nowhere: Path) -> None:
    with pytest.raises(DataNotFound, match="full MNIST not found in .*env.*cache"):
        load_mnist()


# --- downloads (pooch mocked: no network) ---------------------------------------------------

def test_download_fetches_the_missing_files(nowhere: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    make_digits_dir(nowhere / "mirror")
    fetched = []

    def fake_fetch(stem: str, directory: Path) -> Path:
        fetched.append(stem)
        directory.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy(nowhere / "mirror" / f"{stem}.gz", directory))

    monkeypatch.setattr(mnist, "_fetch", fake_fetch)
    ds = load_mnist(download=True, validation_size=2)
    assert sorted(fetched) == sorted(mnist.MNIST_FILES)
    assert ds.source.startswith(f"cache from {nowhere / 'cache'}")
    load_mnist(download=True, validation_size=2)              # now cached: nothing fetched
    assert len(fetched) == 4


def test_download_that_leaves_files_missing_raises(nowhere: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mnist, "_fetch", lambda stem, directory: directory / stem)
    with pytest.raises(DataNotFound, match="cache: no such folder; expected a folder holding"):
        load_mnist(download=True)


def test_failed_download_raises_and_load_digits_does_not_fall_back(
        nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user asked for MNIST: a failed download is an error, not a quiet sample (issue 10)."""
    def offline(stem: str, directory: Path) -> Path:
        raise DataNotFound("cannot download MNIST: no network")

    monkeypatch.setattr(mnist, "_fetch", offline)
    with pytest.raises(DataNotFound, match="no network"):
        load_mnist(download=True)
    with pytest.raises(DataNotFound, match="no network"):
        load_digits(download=True)
    assert load_digits().name == "mnist-sample"


def test_fetch_passes_mirror_and_checksum_to_pooch(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    pooch = pytest.importorskip("pooch")
    calls = []

    def retrieve(url: str, known_hash: str, **kwargs: Any) -> str:
        calls.append((url, known_hash, kwargs))
        return str(tmp_path / kwargs["fname"])

    monkeypatch.setattr(pooch, "retrieve", retrieve)
    assert mnist._fetch(TRAIN_IMAGES, tmp_path) == tmp_path / f"{TRAIN_IMAGES}.gz"
    url, known_hash, kwargs = calls[0]
    assert url == f"{MIRRORS[0]}{TRAIN_IMAGES}.gz"
    assert known_hash == f"sha256:{MNIST_SHA256[TRAIN_IMAGES]}"
    assert kwargs["path"] == tmp_path and isinstance(kwargs["progressbar"], bool)


def test_fetch_network_error_is_one_line(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    pooch = pytest.importorskip("pooch")

    def retrieve(url: str, known_hash: str, **kwargs: Any) -> str:
        raise ConnectionError(f"cannot reach\n{url}")

    monkeypatch.setattr(pooch, "retrieve", retrieve)
    with pytest.raises(DataNotFound, match="cannot download MNIST") as info:
        mnist._fetch(TEST_LABELS, tmp_path)
    message = str(info.value)
    assert "\n" not in message and all(m in message for m in MIRRORS)


def test_fetch_without_pooch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pooch", None)
    with pytest.raises(DataNotFound, match=r"pip install 'nudges\[download\]'"):
        mnist._fetch(TEST_LABELS, tmp_path)


# --- the embedded sample and load_digits ----------------------------------------------------

def test_load_sample_is_a_fixed_shuffled_split() -> None:
    ds, again = load_sample(), load_sample()
    assert ds.name == "mnist-sample"
    assert ds.source == f"{SAMPLE} (4,000 train, 500 validation, 500 test)"
    for (x, y), n in zip((ds.train, ds.validation, ds.test), (4000, 500, 500), strict=True):
        assert x.shape == (n, 784) and x.dtype == np.float32 and y.dtype == np.int64
        assert 0 <= x.min() and x.max() <= 1 and set(y.tolist()) == set(range(10))
    np.testing.assert_array_equal(ds.train[0], again.train[0])
    all_labels = np.concatenate([ds.train[1], ds.validation[1], ds.test[1]])
    assert np.bincount(all_labels).tolist() == [500] * 10


def sample_file() -> dict[str, np.ndarray]:
    path = importlib.resources.files("nudges").joinpath("sample", mnist.SAMPLE_FILE)
    with np.load(io.BytesIO(path.read_bytes()), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def test_the_sample_is_mnist_test_digits_only(mnist_dir: Path) -> None:
    """Each shipped digit is, pixel for pixel, the MNIST test image its index names: none is
    among the 60,000 training images that a model trained on MNIST learned from."""
    sample = sample_file()
    images = read_idx(next(mnist_dir.glob(TEST_IMAGES + "*")))
    labels = read_idx(next(mnist_dir.glob(TEST_LABELS + "*")))
    index = sample["index"]
    assert len(np.unique(index)) == 5000 and index.min() >= 0 and index.max() < 10_000
    np.testing.assert_array_equal(sample["images"], images[index])
    np.testing.assert_array_equal(sample["labels"], labels[index])


def test_a_changed_sample_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mnist, "SAMPLE_SHA256", "0" * 64)
    with pytest.raises(DataError, match="has changed: its SHA-256 is not 0000"):
        load_sample()


def test_a_missing_sample_says_what_to_do_in_the_users_words(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path,
                                                              nowhere: Path) -> None:
    monkeypatch.setattr(mnist, "sample_path", lambda: tmp_path / "none.npz")
    for load in (load_sample, load_digits):
        with pytest.raises(DataNotFound) as raised:
            load()
        said = str(raised.value)
        assert all(word in said for word in ("--data DIR", "NUDGES_DATA", "--download"))
        assert not any(word in said for word in ("scripts/", "wheel", "clone"))


def test_the_sample_is_tracked_in_git_byte_for_byte_what_make_sample_makes(
        mnist_dir: Path, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch",
                              "src/nudges/sample/" + mnist.SAMPLE_FILE],
                             cwd=root, capture_output=True, text=True)
    if tracked.returncode == 128 and "not a git repository" in tracked.stderr:
        pytest.skip("not a git checkout (an installed copy): nothing to compare with git")
    assert tracked.returncode == 0, tracked.stderr
    made = mnist.make_sample(mnist_dir, tmp_path / mnist.SAMPLE_FILE)
    assert made.read_bytes() == (root / "src/nudges/sample" / mnist.SAMPLE_FILE).read_bytes()


def test_make_sample_needs_mnist(nowhere: Path, tmp_path: Path) -> None:
    with pytest.raises(DataNotFound, match="making the sample needs full MNIST"):
        mnist.make_sample(None, tmp_path / "s.npz")
    assert not (tmp_path / "s.npz").exists()


def test_load_digits_falls_back_to_the_sample_with_a_reason(nowhere: Path) -> None:
    ds = load_digits()
    assert ds.name == "mnist-sample" and len(ds.train[1]) == 4000
    assert ds.source.startswith(f"{SAMPLE} (4,000 train, 500 validation, 500 test): "
                                f"full MNIST not found in {nowhere / 'env'}")
    assert "set NUDGES_DATA or pass --data" in ds.source


def test_load_digits_prefers_mnist_when_found(nowhere: Path) -> None:
    make_digits_dir(nowhere / "cache", n_train=10_005)
    assert load_digits().name == "cache"


def test_load_digits_does_not_fall_back_from_an_explicit_path(nowhere: Path) -> None:
    with pytest.raises(DataNotFound, match="no such folder"):
        load_digits(nowhere / "typo")


def test_importing_data_does_not_import_pooch() -> None:
    code = "import sys, nudges.data.mnist; assert 'pooch' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_dataset_is_frozen_and_holds_splits() -> None:
    split = (np.zeros((1, 2), np.float32), np.zeros(1, np.int64))
    ds = Dataset(split, split, split, "s", "n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.source = "t"  # type: ignore[misc]


# --- the real files -------------------------------------------------------------------------

@pytest.mark.mnist
def test_full_mnist(mnist_dir: Path) -> None:
    ds = load_mnist(mnist_dir)
    assert ds.name == "mnist" and ds.source.startswith(f"MNIST from {mnist_dir} (50,000 train")
    for (x, y), n in zip((ds.train, ds.validation, ds.test), (50_000, 10_000, 10_000),
                         strict=True):
        assert x.shape == (n, 784) and x.dtype == np.float32 and y.shape == (n,)
        assert x.min() == 0.0 and x.max() == 1.0
    assert np.bincount(ds.test[1]).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028,
                                                974, 1009]
    train_labels = np.concatenate([ds.train[1], ds.validation[1]])
    assert np.bincount(train_labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918,
                                                  6265, 5851, 5949]
