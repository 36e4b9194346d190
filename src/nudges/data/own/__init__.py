"""Your own data: IDX sets, image folders and tables, as the same Dataset as MNIST's.

    data = nudges.load_dataset("letters/", dataset="emnist-letters")
    data = nudges.load_dataset("iris.csv", label="species", test_size=0.2, seed=0)

A loader per format (idx_sets, folders, tables) reads the examples; splits.assemble draws the
parts and standardises tables; the Dataset's recipe says how its inputs were made, so a model
trained on it (recorded.py) makes the inputs of evaluate and predict the same way.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...core.errors import DataError, DataNotFound, InvalidInput, shown
from ..idx import StrPath
from ..mnist import Dataset
from .folders import Progress, load_folder
from .idx_sets import NAMED, is_idx_folder, load_idx_set
from .splits import Examples, assemble
from .tables import load_arrays, load_csv

Loader = Callable[[Path, "Options"], tuple[Examples, str, str]]
LOADERS: dict[str, Loader] = {"idx": load_idx_set, "csv": load_csv, "npz": load_arrays,
                              "npy": load_arrays}   # and "folder": load_folder, with progress
FORMATS = ("idx", "folder", "csv", "npz", "npy")


@dataclasses.dataclass(frozen=True)
class Options:
    """How to read a data set; recorded with a model (all but skip_bad).

    format: one of FORMATS, None to detect. dataset: a named IDX set (NAMED). label: the CSV's
    label column (default: the last). image_size: resize pictures to this square (default:
    fitted the MNIST way for written characters, else 28). validation_size, test_size: a
    fraction below 1 or a count (default 0.1 and 0.2; for IDX sets with test files the last
    10,000 training images validate, or a sixth of sets of 10,000 or fewer). seed: of the split.
    features: the CSV's feature columns by name, in this order (a model's: a reordered table
    is read right, one without a column refused); default: every column but the label.
    """

    format: str | None = None
    dataset: str | None = None
    label: str | None = None
    image_size: int | None = None
    validation_size: float | None = None
    test_size: float | None = None
    seed: int = 0
    skip_bad: bool = False
    features: tuple[str, ...] | None = None

    def recorded(self) -> dict[str, Any]:
        """The options a model keeps (JSON-able)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "skip_bad"}


def detect(path: Path) -> str:
    """The format of `path`: by suffix for files, by contents for folders."""
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".csv", ".npz", ".npy"):
            return suffix[1:]
        raise InvalidInput(f"{path}: not a folder, and nudges cannot tell the format of a "
                           f"{suffix or 'suffix-less'} file; expected a folder, a .csv, .npz or "
                           ".npy file (or name the format with --data-format)")
    if is_idx_folder(path):
        return "idx"
    if (path / "x.npy").is_file():
        return "npy"
    return "folder"


def _format(where: Path, format: str | None) -> str:
    """The format given (checked against the path) or detected."""
    if not where.exists():
        raise DataNotFound(f"{where}: no such {'file' if where.suffix else 'folder'}")
    if not where.is_file() and not where.is_dir():
        raise InvalidInput(f"{shown(where)}: it is not a regular file or a folder (a FIFO, "
                           "socket or device); expected a data file or folder")
    chosen = format or detect(where)
    if chosen not in FORMATS:
        raise InvalidInput(f"unknown format {chosen!r}; known: {', '.join(FORMATS)}")
    if chosen in ("idx", "folder") and not where.is_dir():
        raise InvalidInput(f"{where}: the {chosen} format needs a folder, got a file")
    if chosen in ("csv", "npz") and not where.is_file():
        raise InvalidInput(f"{where}: the {chosen} format needs a file, got a folder")
    return chosen


def load_dataset(path: StrPath, format: str | None = None, *,
                 progress: Progress | None = None, scaling: dict[str, Any] | None = None,
                 **options: Any) -> Dataset:
    """The data set at `path` split into train, validation and test, as load_digits gives.

    format: one of FORMATS ("idx", "folder", "csv", "npz", "npy"), detected when None;
    options: the fields of Options. progress(done, total) is called as a folder converts.
    scaling: standardise with these {"mean", "std"} instead of the training part's (a model's).
    """
    try:
        opts = Options(format=format, **options)
    except TypeError as e:
        raise InvalidInput(f"load_dataset: {e}; options are "
                           f"{', '.join(f.name for f in dataclasses.fields(Options))}") from None
    check_options(path, opts)
    where = Path(path).expanduser()
    try:
        chosen = _format(where, format)
        opts = dataclasses.replace(opts, format=chosen)
        if opts.dataset is not None and opts.dataset not in NAMED:
            raise InvalidInput(f"unknown --dataset {opts.dataset!r}; known: {', '.join(NAMED)}")
        examples, name, what = (load_folder(where, opts, progress) if chosen == "folder"
                                else LOADERS[chosen](where, opts))
    except OSError as e:                         # a folder or file it may not read
        raise DataError(f"{e.filename or where}: cannot read it ({e.strerror or e})") from None
    return assemble(examples, opts, name, what, scaling)


def check_options(path: object, opts: Options) -> None:
    """InvalidInput unless path is a str or os.PathLike of text, format, dataset and label are
    text or None, image_size a whole number or None, and seed a whole number from 0 to
    2**128 - 1 (the sizes are checked where the split is drawn)."""
    if not isinstance(path, str | os.PathLike) or isinstance(os.fspath(path), bytes):
        raise InvalidInput(f"load_dataset: path must be a str or pathlib.Path, got "
                           f"{type(path).__name__}")
    for name in ("format", "dataset", "label"):
        value = getattr(opts, name)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{name} must be a name (str) or None, got {value!r}")
    whole = {"image_size": (opts.image_size, True), "seed": (opts.seed, False)}
    for name, (value, optional) in whole.items():
        if value is None and optional:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or \
                name == "seed" and not 0 <= value < 2**128:
            raise InvalidInput(f"{name}{' (--split-seed)' if name == 'seed' else ''} must be "
                               f"a whole number{' or None' if optional else ''}"
                               f"{' from 0 to 2**128 - 1' if name == 'seed' else ''}, got "
                               f"{value!r}")


__all__ = ["FORMATS", "NAMED", "Options", "detect", "load_dataset"]
