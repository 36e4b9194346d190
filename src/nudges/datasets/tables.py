"""Tables: a CSV file with a header (numeric features, one label column), or arrays x and y
in a .npz file or a folder of .npy files (x.npy, y.npy; x_test.npy, y_test.npy if given).

Labels are integers or names; the classes are their sorted distinct values. Features are
standardised later (splits.assemble) with the training part's statistics; unsigned-byte
arrays of images are taken as pixels / 255 instead.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, InvalidInput, shown
from .splits import Examples

MISSING = {"", "na", "n/a", "nan", "null", "none", "?"}


def encode_labels(raw: np.ndarray, where: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """(y (n,) int64 from 0, class names) from integer or name labels; floats refused."""
    if raw.dtype.kind == "f":
        raise DataError(f"{where}: the labels are floats ({raw.dtype}); expected whole "
                        "numbers or class names")
    if raw.dtype.kind in "US":
        raw = np.char.strip(raw.astype(str))
        numbers = np.char.lstrip(raw, "+-")
        if raw.size and np.char.isdigit(numbers).all():
            raw = raw.astype(np.int64)
        else:
            _refuse_float_labels(raw, where)
    elif raw.dtype.kind not in "iub":
        raise DataError(f"{where}: labels of type {raw.dtype} are neither numbers nor names")
    values, y = np.unique(raw, return_inverse=True)
    return y.astype(np.int64).reshape(-1), tuple(str(v) for v in values)


def _refuse_float_labels(raw: np.ndarray, where: str) -> None:
    for i, text in enumerate(raw):
        try:
            float(text)
        except ValueError:
            continue
        raise DataError(f"{where}: label {str(text)!r} in row {i + 1} is a number with a "
                        "fraction; expected whole numbers or class names")


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and the rows, each row as long as the header."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise DataError(f"{path}: not a readable CSV file ({type(e).__name__}: {e})") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if len(rows) < 2:
        raise DataError(f"{path}: holds {len(rows)} rows; expected a header and data rows")
    header = [h.strip() for h in rows[0]]
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise DataError(f"{shown(path)}: the header names {', '.join(map(repr, twice))} more "
                        "than once; expected each column named once")
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(f"{path}: line {i} has {len(row)} cells but the header has "
                            f"{len(header)}; expected one cell per column")
    return header, rows[1:]


def _column(path: Path, header: list[str], label: str | None) -> int:
    """The label column's index: --label by name, else the last column."""
    if label is None:
        return len(header) - 1
    if label not in header:
        raise InvalidInput(f"{path}: no column named {label!r} for --label; the columns are "
                           f"{', '.join(header)}")
    return header.index(label)


def _numbers(path: Path, name: str, cells: np.ndarray) -> np.ndarray:
    """A feature column as float64, or DataError naming the row of a missing or bad cell."""
    try:
        values = cells.astype(np.float64)
    except ValueError:
        values = None
    if values is not None and np.isfinite(values).all():
        return values
    for i, cell in enumerate(cells):
        text = str(cell).strip()
        line = f"{path}: column {name!r}, line {i + 2}"
        if text.lower() in MISSING:
            raise DataError(f"{line}: missing value ({text!r}); expected a number in every "
                            "cell (fill or drop the row)")
        try:
            number = float(text)
        except ValueError:
            raise DataError(f"{line}: {text!r} is not a number; features must be "
                            "numeric") from None
        if not np.isfinite(number):
            raise DataError(f"{line}: {text!r} is not finite; expected finite numbers")
    raise AssertionError("unreachable: some cell failed")


def load_csv(path: Path, options: Any) -> tuple[Examples, str, str]:
    """(examples, name, description) of a CSV table with a header."""
    header, rows = _read_csv(path)
    target = _column(path, header, options.label)
    cells = np.array(rows, dtype=str)                                 # (n, columns)
    features = _feature_columns(path, header, target, options.features)
    if not features:
        raise DataError(f"{path}: only the label column {header[target]!r}; expected features")
    x = np.stack([_numbers(path, header[j], cells[:, j]) for j in features], axis=1)
    y, classes = encode_labels(cells[:, target], f"{path}: column {header[target]!r}")
    examples = Examples(x.astype(np.float32), y, classes, (len(features),), standardise=True,
                        recipe={"label_column": header[target],
                                "features": [header[j] for j in features]})
    counted = f"{len(features)} feature{'s' if len(features) > 1 else ''}"
    return examples, path.stem, f"{path.name}: {counted}, label {header[target]!r}"


def _feature_columns(path: Path, header: list[str], target: int,
                     names: Sequence[str] | None) -> list[int]:
    """The feature columns' indices: every column but the label, or `names` in their order
    (InvalidInput naming the columns the table lacks)."""
    if names is None:
        return [j for j in range(len(header)) if j != target]
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise InvalidInput(f"features must be a list of column names, got {names!r}")
    missing = [n for n in names if n not in header or header.index(n) == target]
    if missing:
        raise InvalidInput(f"{shown(path)}: lacks the column{'s' if len(missing) > 1 else ''} "
                           f"{', '.join(map(repr, missing))} that the model was trained on; "
                           f"expected the columns {', '.join(names)} (in any order)")
    return [header.index(n) for n in names]


def feature_rows(path: Path, recipe: dict[str, Any]) -> np.ndarray:
    """Rows (n, features) of a CSV file with the model's feature columns, for predict."""
    header, rows = _read_csv(path)
    names = recipe.get("features") or header                       # .npz models: every column
    missing = [n for n in names if n not in header]
    if missing:
        raise InvalidInput(f"{path}: lacks the columns {', '.join(missing)} that the model "
                           f"was trained on; expected {', '.join(names)}")
    cells = np.array(rows, dtype=str)
    return np.stack([_numbers(path, n, cells[:, header.index(n)]) for n in names], axis=1)


def _arrays(path: Path) -> dict[str, np.ndarray]:
    """x, y (and x_test, y_test) from a .npz file, a folder of .npy files, or x.npy."""
    if path.is_file() and path.suffix == ".npy":
        path = path.parent
    try:
        if path.is_dir():                        # mapped first: a header cannot claim more
            return {k: np.array(np.load(path / f"{k}.npy", allow_pickle=False, mmap_mode="c"))
                    for k in ("x", "y", "x_test", "y_test") if (path / f"{k}.npy").is_file()}
        _check_declared(path)
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in ("x", "y", "x_test", "y_test") if k in npz}
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise DataError(f"{path}: not readable as NumPy arrays without pickle "
                        f"({type(e).__name__}: {e})") from None


def _check_declared(path: Path) -> None:
    """DataError unless each .npy in the .npz declares no more bytes than it holds, so that a
    lying header fails before np.load allocates what it claims."""
    with zipfile.ZipFile(path) as zf:
        for info in [i for i in zf.infolist() if i.filename.endswith(".npy")]:
            with zf.open(info) as f:
                version = np.lib.format.read_magic(f)
                read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                        else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read(f)
            need = int(np.prod(shape, dtype=object)) * dtype.itemsize
            if need > info.file_size:
                raise DataError(f"{path}: {info.filename} declares shape {shape} of {dtype} "
                                f"({need:,} bytes) but holds {info.file_size:,}")


def _checked(path: Path, x: np.ndarray, y: np.ndarray, part: str) -> None:
    if x.ndim < 2 or y.ndim != 1 or len(x) != len(y):
        raise DataError(f"{path}: x{part} has shape {x.shape} and y{part} {y.shape}; expected "
                        "(n, features...) and (n,)")
    if x.dtype.kind not in "iuf" or not np.isfinite(x).all():
        raise DataError(f"{path}: x{part} holds {x.dtype} with NaN, inf or non-numbers; "
                        "expected finite numbers")


def load_arrays(path: Path, options: Any) -> tuple[Examples, str, str]:
    """(examples, name, description) of arrays x, y (and x_test, y_test if given)."""
    a = _arrays(path)
    if "x" not in a or "y" not in a:
        raise DataError(f"{path}: holds {', '.join(a) or 'nothing'}; expected arrays x and y")
    _checked(path, a["x"], a["y"], "")
    given = "x_test" in a and "y_test" in a
    if given:
        _checked(path, a["x_test"], a["y_test"], "_test")
    labels = np.concatenate([a["y"], a["y_test"]]) if given else a["y"]
    y, classes = encode_labels(labels, f"{path}: y")
    pixels = a["x"].dtype == np.uint8
    x = [(v.reshape(len(v), -1) / (255 if pixels else 1)).astype(np.float32)
         for v in ([a["x"], a["x_test"]] if given else [a["x"]])]
    n = len(a["y"])
    test = (x[1], y[n:]) if given else None
    examples = Examples(x[0], y[:n], classes, tuple(a["x"].shape[1:]), test,
                        standardise=not pixels)
    return examples, path.stem, f"arrays in {path}"
