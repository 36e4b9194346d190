"""Tables: a CSV file with a header (numeric features, one label column), or arrays x and y
in a .npz file or a folder of .npy files (x.npy, y.npy; x_test.npy, y_test.npy if given).

Labels are integers or names; the classes are their sorted distinct values. Features are
standardised later (splits.assemble) with the training part's statistics; unsigned-byte
arrays of images are taken as pixels / 255 instead.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...core.errors import DataError, InvalidInput, shown
from .splits import Examples, check_class_count, check_magnitude

MISSING = {"", "na", "n/a", "nan", "null", "none", "?"}


def encode_labels(raw: np.ndarray, where: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """(y (n,) int64 from 0, class names) from integer or name labels.

    Accepted: integers (an int array, or text of ASCII digits with one optional sign, at most
    MAX_DIGITS digits), or names (text that is not a number). Refused in one line: floats,
    numbers with a fraction or exponent, empty or missing labels, integers mixed with names,
    bytes that are not UTF-8, and labels of any other type."""
    if raw.dtype.kind == "f":
        raise DataError(f"{where}: the labels are floats ({raw.dtype}); expected whole "
                        "numbers or class names")
    if raw.dtype.kind == "S":
        raw = _decoded(raw, where)
    if raw.dtype.kind == "U":
        raw = _text_labels(np.char.strip(raw), where)
    elif raw.dtype.kind not in "iub":
        raise DataError(f"{where}: labels of type {raw.dtype} are neither numbers nor names")
    values, y = np.unique(raw, return_inverse=True)
    check_class_count(len(values), where)
    return y.astype(np.int64).reshape(-1), tuple(str(v) for v in values)


INTEGER = re.compile(r"[+-]?[0-9]+")
MAX_DIGITS = 18                     # an int64 holds every integer of 18 digits
PROBLEMS = (("missing", "is missing"), ("long", f"has more than {MAX_DIGITS} digits"),
            ("number", "is a number with a fraction or exponent, or not in ASCII digits"))


def _decoded(raw: np.ndarray, where: str) -> np.ndarray:
    try:
        return np.array([b.decode("utf-8") for b in raw.ravel()], dtype=str)
    except UnicodeDecodeError as e:
        raise DataError(f"{where}: a label's bytes are not UTF-8 text ({shown(e.object)}); "
                        "expected whole numbers or class names") from None


def _text_labels(raw: np.ndarray, where: str) -> np.ndarray:
    """Text labels as int64 if all are integers, else as they are (names); see encode_labels."""
    values = [str(v) for v in np.unique(raw)]
    kinds = {v: _label_kind(v) for v in values}
    for kind, problem in PROBLEMS:
        bad = next((v for v in values if kinds[v] == kind), None)
        if bad is not None:
            row = int(np.flatnonzero(raw == bad)[0]) + 1
            raise DataError(f"{where}: label {shown(bad)!r} in row {row} {problem}; "
                            "expected whole numbers or class names")
    integers = [v for v in values if kinds[v] == "integer"]
    if integers and len(integers) < len(values):
        name = next(v for v in values if kinds[v] == "name")
        raise DataError(f"{where}: the labels mix whole numbers ({shown(integers[0])!r}) and "
                        f"names ({shown(name)!r}); expected one or the other")
    return raw.astype(np.int64) if integers else raw


def _label_kind(text: str) -> str:
    """'missing', 'integer', 'long' (too many digits), 'number' (not whole) or 'name'."""
    if text.lower() in MISSING:
        return "missing"
    if INTEGER.fullmatch(text):
        return "integer" if len(text.lstrip("+-")) <= MAX_DIGITS else "long"
    try:
        float(text)
    except ValueError:
        return "name"
    return "number"


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
    if options.features is not None:
        _check_has(path, header, [*_names(options.features), *filter(None, [options.label])])
    target = _column(path, header, options.label)
    cells = np.array(rows, dtype=str)                                 # (n, columns)
    features = _feature_columns(path, header, target, options.features)
    if not features:
        raise DataError(f"{path}: only the label column {header[target]!r}; expected features")
    x = np.stack([_numbers(path, header[j], cells[:, j]) for j in features], axis=1)
    check_magnitude(x, shown(path))
    y, classes = encode_labels(cells[:, target], f"{path}: column {header[target]!r}")
    examples = Examples(x.astype(np.float32), y, classes, (len(features),), standardise=True,
                        recipe={"label_column": header[target],
                                "features": [header[j] for j in features]})
    counted = f"{len(features)} feature{'s' if len(features) > 1 else ''}"
    return examples, path.stem, f"{path.name}: {counted}, label {header[target]!r}"


def _names(names: object) -> list[str]:
    if isinstance(names, str) or not isinstance(names, list | tuple) or \
            not all(isinstance(n, str) for n in names):
        raise InvalidInput(f"features must be a list of column names, got {names!r}")
    return list(names)


def _check_has(path: Path, header: list[str], names: list[str]) -> None:
    """InvalidInput naming the columns (the model's) that the table lacks."""
    missing = [n for n in names if n not in header]
    if missing:
        raise InvalidInput(f"{shown(path)}: lacks the column{'s' if len(missing) > 1 else ''} "
                           f"{', '.join(map(repr, missing))} that the model was trained on; "
                           f"expected the columns {', '.join(names)} (in any order)")


def _feature_columns(path: Path, header: list[str], target: int,
                     names: Sequence[str] | None) -> list[int]:
    """The feature columns' indices: every column but the label, or `names` in their order."""
    if names is None:
        return [j for j in range(len(header)) if j != target]
    if header[target] in names:
        raise InvalidInput(f"{shown(path)}: the label column {header[target]!r} is one of the "
                           "model's features; expected another label column (--label)")
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
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, RuntimeError,
            NotImplementedError) as e:       # RuntimeError: encrypted; NotImplemented: deflate64
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
            _check_member_size(path, info, need)


MAX_MEMBER_BYTES = 4 * 2**30    # an array in a .npz, unpacked
MAX_RATIO = 200                 # unpacked / packed bytes, above SMALL_MEMBER_BYTES
SMALL_MEMBER_BYTES = 64 * 2**20


def _check_member_size(path: Path, info: zipfile.ZipInfo, need: int) -> None:
    """DataError for an array over MAX_MEMBER_BYTES, or one packed more than MAX_RATIO times
    smaller than it unpacks (past SMALL_MEMBER_BYTES): counted before anything is read."""
    ratio = need / max(1, info.compress_size)
    if need > MAX_MEMBER_BYTES or need > SMALL_MEMBER_BYTES and ratio > MAX_RATIO:
        raise DataError(f"{shown(path)}: {info.filename} unpacks to {need:,} bytes from "
                        f"{info.compress_size:,}; nudges reads arrays of at most "
                        f"{MAX_MEMBER_BYTES:,} bytes, packed at most {MAX_RATIO} to 1 past "
                        f"{SMALL_MEMBER_BYTES:,}")


def _checked(path: Path, x: np.ndarray, y: np.ndarray, part: str) -> None:
    if x.ndim >= 1 and (len(x) == 0 or 0 in x.shape[1:]):
        raise DataError(f"{path}: x{part} has shape {x.shape}, no examples or no features; "
                        "expected at least one of each")
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
    for part in ("x", "x_test") if given else ("x",):
        check_magnitude(a[part], f"{shown(path)}: {part}")
    labels = np.concatenate([a["y"], a["y_test"]]) if given else a["y"]
    y, classes = encode_labels(labels, f"{path}: y")
    pixels = a["x"].dtype == np.uint8
    x = [(v.reshape(len(v), -1) / (255 if pixels else 1)).astype(np.float32)
         for v in ([a["x"], a["x_test"]] if given else [a["x"]])]
    n = len(a["y"])
    unseen = sorted(set(y[n:].tolist()) - set(y[:n].tolist()))
    if unseen:
        raise DataError(f"{shown(path)}: y_test holds the class {classes[unseen[0]]!r}, which y "
                        "never has; expected test classes that the training part has")
    test = (x[1], y[n:]) if given else None
    examples = Examples(x[0], y[:n], classes, tuple(a["x"].shape[1:]), test,
                        standardise=not pixels)
    return examples, path.stem, f"arrays in {path}"
