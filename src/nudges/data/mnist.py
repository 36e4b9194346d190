"""MNIST-format digits: find or download MNIST (IDX files, read by nudges.data.idx), or fall back
to the embedded sample.

Imports only NumPy; pooch (downloads) is imported when needed. The sample is package data
(nudges/sample/mnist-sample.npz: 5,000 digits from MNIST's test files, see its README).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.resources
import importlib.util
import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import DataError, DataNotFound, InvalidInput
from .idx import Split, StrPath, load_idx_pair, read_idx

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
MNIST_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)  # each raw or .gz
MNIST_SHA256 = {  # of the .gz files on the mirrors; checked on download only
    TRAIN_IMAGES: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    TRAIN_LABELS: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    TEST_IMAGES: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    TEST_LABELS: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaaf2ef0b27d8f9ea1",
}
MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
           "https://storage.googleapis.com/cvdf-datasets/mnist/")
MNIST_TEST_COUNTS = (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009)  # tells MNIST apart
SAMPLE = "the embedded 5,000-image MNIST sample"
SAMPLE_FILE = "mnist-sample.npz"  # in the package folder nudges/sample
# The sample's SHA-256, of its arrays' bytes (images, labels, index) rather than of the zip, which
# another zlib would compress to other bytes
SAMPLE_SHA256 = "fd2705671539dc23c14f929e243ac8d2e47e735d418ca46bd861017768a4f887"
SAMPLE_SEED, SAMPLE_PER_DIGIT = 20261201, 500
EXPECTED_FILES = "the four MNIST files " + ", ".join(f"{f}(.gz)" for f in MNIST_FILES)


@dataclasses.dataclass(frozen=True, eq=False)
class Dataset:
    """Three splits, each (X float32 (n, rows*cols) = pixels / 255 in [0, 1], y int64 (n,)).

    source: one line saying where the data came from. name: "mnist", "mnist-sample", or the
    folder's name for other MNIST-format data (Fashion-MNIST, say). classes: one name per
    label; shape: one example's shape before flattening; recipe: how nudges.data.own made the
    inputs (format, conversion, scaling), recorded with a model so its inputs are made alike.
    """

    train: Split
    validation: Split
    test: Split
    source: str
    name: str
    classes: tuple[str, ...] = tuple("0123456789")
    shape: tuple[int, ...] = (28, 28)
    recipe: dict[str, Any] = dataclasses.field(default_factory=lambda: {"format": "mnist"})


def cache_dir() -> Path:
    """Where downloads go: pooch.os_cache("nudges")/mnist, else $XDG_CACHE_HOME or ~/.cache."""
    try:
        import pooch
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base) / "nudges" / "mnist"
    return Path(pooch.os_cache("nudges")) / "mnist"


def _copies(directory: Path) -> dict[str, Path]:
    """The MNIST files in directory, by name without .gz; the .gz copy wins over the raw one."""
    found = {s: [p for p in (directory / f"{s}.gz", directory / s) if p.is_file()]
             for s in MNIST_FILES}
    return {stem: paths[0] for stem, paths in found.items() if paths}


def _search_path() -> list[Path]:
    """Folders to look in without an explicit path: $NUDGES_DATA, its mnist/, the cache."""
    env = os.environ.get("NUDGES_DATA")
    named = [Path(env).expanduser(), Path(env).expanduser() / "mnist"] if env else []
    return [*named, cache_dir()]


def nudges_data_problem() -> str | None:
    """What is wrong with $NUDGES_DATA, in one sentence with the way out, or None when it is
    unset or names a folder."""
    env = os.environ.get("NUDGES_DATA")
    if not env or Path(env).expanduser().is_dir():
        return None
    what = "is not a folder" if Path(env).expanduser().exists() else "does not exist"
    return (f"NUDGES_DATA names {env}, which {what}: set NUDGES_DATA or pass --data to a "
            "folder holding the four MNIST files, or --download them")


def find_data_dir(path: StrPath | None = None) -> Path | None:
    """The first folder holding the four MNIST files: path, else $NUDGES_DATA, else cache_dir().

    Returns None if none does. An explicit path that lacks files raises DataNotFound
    (listing them) instead of falling back.
    """
    if path is None:
        return next((d for d in _search_path() if len(_copies(d)) == len(MNIST_FILES)), None)
    directory = Path(path).expanduser()
    if not directory.is_dir():
        what = "not a folder" if directory.exists() else "no such folder"
        raise DataNotFound(f"{directory}: {what}; expected a folder holding {EXPECTED_FILES}")
    missing = [f"{f}(.gz)" for f in MNIST_FILES if f not in _copies(directory)]
    if missing:
        raise DataNotFound(f"{directory} lacks {', '.join(missing)}; expected all four MNIST files")
    return directory


def _fetch(stem: str, directory: Path) -> Path:
    """Download stem.gz (one MNIST file) into directory with pooch, trying each mirror in turn."""
    try:
        import pooch
    except ImportError:
        raise DataNotFound(f"cannot download {stem}.gz: pooch is not installed; "
                           f"pip install 'nudges[download]'") from None
    progress = importlib.util.find_spec("tqdm") is not None  # pooch's bar needs tqdm
    reasons: list[str] = []
    pooch.get_logger().setLevel("WARNING")   # its "Downloading ..." lines: the bar says it
    for mirror in MIRRORS:
        try:
            return Path(pooch.retrieve(f"{mirror}{stem}.gz", f"sha256:{MNIST_SHA256[stem]}",
                                       fname=f"{stem}.gz", path=directory, progressbar=progress))
        except Exception as e:  # requests, OSError, checksum mismatch: try the next mirror
            reasons.append(f"{mirror}{stem}.gz ({_why(e)})")
    raise DataNotFound(f"cannot download MNIST from {' or '.join(reasons)}; check the "
                       "network, or pass --data DIR with the four MNIST files")


def _why(error: Exception) -> str:
    """Why a download failed, in a few words (pooch and requests say it in hundreds)."""
    text, name = " ".join(str(error).split()), type(error).__name__
    if "hash" in text.lower() and "match" in text.lower():
        return "the checksum did not match"
    if isinstance(error, OSError) or "connect" in (text + name).lower():
        return f"no network: {name}"
    return f"{name}: {text[:80]}"


def load_mnist(path: StrPath | None = None, *, download: bool = False,
               validation_size: int = 10_000) -> Dataset:
    """MNIST-format digits: train = the first n - validation_size training images,
    validation = the last validation_size, test = the t10k files.

    Looks where find_data_dir looks; if nothing is found and download is true, fetches the
    missing .gz files into cache_dir() (sha256 checked; any failure raises DataNotFound).
    Works for any folder of MNIST-format files (e.g. Fashion-MNIST).
    """
    directory = find_data_dir(path)
    if directory is None:
        if not download:
            places = ", ".join(str(d) for d in _search_path())
            raise DataNotFound(f"full MNIST not found in {places}; " + (
                nudges_data_problem() or "set NUDGES_DATA or pass --data (or --download)"))
        directory = cache_dir()
        for stem in (f for f in MNIST_FILES if f not in _copies(directory)):
            _fetch(stem, directory)
        find_data_dir(directory)  # DataNotFound unless all four arrived
    return _load_folder(directory, validation_size)


def _load_folder(directory: Path, validation_size: int) -> Dataset:
    """Dataset from a folder that holds the four files."""
    files = _copies(directory)
    x, y = load_idx_pair(files[TRAIN_IMAGES], files[TRAIN_LABELS])
    test = load_idx_pair(files[TEST_IMAGES], files[TEST_LABELS])
    if x.shape[1] != test[0].shape[1]:
        raise DataError(f"{directory}: training images have {x.shape[1]} pixels but test "
                        f"images have {test[0].shape[1]}; expected the same size")
    if not isinstance(validation_size, int) or not 0 <= validation_size < len(y):
        raise InvalidInput(f"validation_size must be 0 to {len(y) - 1:,} for {len(y):,} "
                           f"training images, got {validation_size!r}")
    n_train = len(y) - validation_size
    train, validation = (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
    is_mnist = tuple(np.bincount(test[1], minlength=10)) == MNIST_TEST_COUNTS
    name = "mnist" if is_mnist else (directory.resolve().name or str(directory))
    what = f"{'MNIST' if is_mnist else name} from {directory}"
    return Dataset(train, validation, test, _describe(what, train, validation, test), name)


def _describe(what: str, train: Split, validation: Split, test: Split) -> str:
    """'what (50,000 train, 10,000 validation, 10,000 test)'."""
    sizes = (len(train[1]), len(validation[1]), len(test[1]))
    return f"{what} ({sizes[0]:,} train, {sizes[1]:,} validation, {sizes[2]:,} test)"


def load_sample() -> Dataset:
    """The 5,000 real MNIST digits (500 per digit, all from MNIST's test files) that nudges
    ships, shuffled with default_rng(0) and split 4,000 train / 500 validation / 500 test;
    X float32 in [0, 1]. DataError if the file is not the one nudges was built with.
    """
    path = sample_path()
    if not path.is_file():
        raise DataNotFound(f"{SAMPLE} is missing from this installation of nudges (reinstall "
                           "nudges), so there are no digits to train on: pass --data DIR, set "
                           "NUDGES_DATA=DIR to a folder with MNIST, or use --download")
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in ("images", "labels", "index")}
    if _content_sha256(arrays) != SAMPLE_SHA256:
        raise DataError(f"{SAMPLE} ({path}) has changed: its SHA-256 is not {SAMPLE_SHA256}; "
                        "reinstall nudges or make it again")
    pixels, labels = arrays["images"].reshape(-1, 784), arrays["labels"]
    order = np.random.default_rng(0).permutation(len(labels))  # fixed: same split every time
    x = (pixels[order] / 255).astype(np.float32)
    y = labels[order].astype(np.int64)
    train, validation, test = ((x[a:b], y[a:b]) for a, b in ((0, 4000), (4000, 4500), (4500, 5000)))
    return Dataset(train, validation, test, _describe(SAMPLE, train, validation, test),
                   "mnist-sample")


def sample_path() -> Path:
    """Where the package keeps the sample (a file in the installed nudges/sample folder)."""
    return Path(str(importlib.resources.files("nudges").joinpath("sample", SAMPLE_FILE)))


def make_sample(source: StrPath | None = None, out: StrPath | None = None) -> Path:
    """Write the sample (to sample_path() unless `out`) from the MNIST test files that
    find_data_dir(source) finds: SAMPLE_PER_DIGIT images of each digit drawn with
    default_rng(SAMPLE_SEED), sorted by their index in t10k-images. DataNotFound without MNIST.
    """
    folder = find_data_dir(source)
    if folder is None:
        raise DataNotFound("making the sample needs full MNIST: pass its folder or set "
                           "NUDGES_DATA")
    images, labels = (read_idx(next(folder.glob(stem + "*")))
                      for stem in (TEST_IMAGES, TEST_LABELS))
    rng = np.random.default_rng(SAMPLE_SEED)
    index = np.sort(np.concatenate([rng.choice(np.flatnonzero(labels == d), SAMPLE_PER_DIGIT,
                                               replace=False) for d in range(10)]))
    arrays = {"images": images[index].astype(np.uint8), "labels": labels[index].astype(np.uint8),
              "index": index.astype(np.int32)}
    path = Path(out) if out is not None else sample_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays)
    return path


def _content_sha256(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in ("images", "labels", "index"):
        digest.update(np.ascontiguousarray(arrays[name]).tobytes())
    return digest.hexdigest()


def load_digits(path: StrPath | None = None, *, download: bool = False) -> Dataset:
    """load_mnist(path, download=download); if path is None, download is false and MNIST is
    not found, the sample from load_sample(), with the reason for falling back at the end of
    its source. A failed download raises DataNotFound (the user asked for MNIST).
    """
    try:
        return load_mnist(path, download=download)
    except DataNotFound as missing:
        if path is not None or download:     # asked for this data: no quiet fallback
            raise
        reason = str(missing)
    try:
        sample = load_sample()
    except DataNotFound as e:
        raise DataNotFound(str(e)) from e
    return dataclasses.replace(sample, source=f"{sample.source}: {reason}")


def data_fingerprint(x: np.ndarray, y: np.ndarray, name: str,
                     path: str | None = None) -> dict[str, Any]:
    """What identifies a training set: its name, folder, size and CRC-32 of inputs and labels."""
    crc = zlib.crc32(np.ascontiguousarray(x).data)
    crc = zlib.crc32(np.ascontiguousarray(y, dtype=np.int64).data, crc)
    return {"name": name, "path": path, "n_train": int(len(x)), "crc32": crc}
