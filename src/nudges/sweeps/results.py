"""Where a sweep writes: a folder it owns, and each file in it written whole.

What is accepted, and what is refused in one line before any trial runs:

- the folder (`nudges sweep --out DIR`) may not exist yet (its parent must be a folder that can
  be written, and its name short enough), or be an empty folder, or a folder whose own
  results.jsonl marks it as a sweep's. A folder holding anything else, a file, a device
  (/dev/null), a FIFO, a link to nothing, or a folder that cannot be written is refused;
- each file the sweep writes (results.jsonl, results.csv, the figures) must be absent or a
  regular file, never a link (a sweep makes no links, so any link there is not its own);
- the results file is created with O_EXCL and opened with O_NOFOLLOW; results.csv and the
  figures go to a unique temporary name in the same folder (O_EXCL: no link is followed) and
  are renamed into place, which replaces the name, never what a link there pointed to;
- the results file read by --resume must be a regular file of at most MAX_RESULTS_BYTES, in
  UTF-8, each complete line one row (see check_row); only a last line cut short by a crash is
  skipped.
"""

from __future__ import annotations

import itertools
import json
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from ..core.errors import InvalidInput, shown
from ..files.atomic import new_file_mode, replace_whole

RESULTS, TABLE, CURVES = "results.jsonl", "results.csv", "sweep-curves.png"
MAX_RESULTS_BYTES = 256 * 2**20
NAME_MAX, PATH_MAX = 255, 4000   # bytes of one name, and of a whole path
Row = dict[str, Any]


def figure_names(swept: Sequence[str]) -> list[str]:
    """The figures a sweep of `swept` draws: a heatmap per swept pair, then the curves."""
    return [f"sweep-heatmap-{x}-{y}.png" for x, y in itertools.combinations(swept, 2)] + [CURVES]


def kind(path: Path) -> str:
    """What is at path, in words: 'a folder', 'a FIFO', 'a link'... (never following it)."""
    mode = os.lstat(path).st_mode
    kinds = ((stat.S_ISLNK, "a link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
             (stat.S_ISREG, "a file"))
    return next((what for test, what in kinds if test(mode)), "not a regular file")


def check_folder(out: Path, names: Sequence[str], resume: bool) -> None:
    """InvalidInput unless a sweep may write `names` into out (see the module's rules)."""
    where = f"cannot write the sweep to {shown(out)}"
    longest = max((len(os.fsencode(part)) for part in out.parts), default=0)
    if longest > NAME_MAX or len(os.fsencode(out)) > PATH_MAX:
        raise InvalidInput(f"{where}: the name is too long for a folder (a part of "
                           f"{longest} bytes; at most {NAME_MAX} a part, {PATH_MAX} in all)")
    if os.path.lexists(out) and not out.is_dir():
        raise InvalidInput(f"{where}: it is {kind(out)}, not a folder")
    if not out.exists():
        _check_new(out, where)
        return
    _check_writable(out, where)
    entries = sorted(os.listdir(out))
    if entries and RESULTS not in entries:
        listed = ", ".join(shown(e) for e in entries[:3]) + (", ..." if len(entries) > 3 else "")
        raise InvalidInput(f"{where}: it holds files that are not a sweep's ({listed}) and no "
                           f"{RESULTS}; choose a new or empty folder")
    for name in names:
        check_file(out / name, resume=resume or name != RESULTS)


def _check_new(out: Path, where: str) -> None:
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise InvalidInput(f"{where}: {shown(parent)} is not a folder")
    _check_writable(parent, where)


def _check_writable(folder: Path, where: str) -> None:
    """Try a real temporary file in folder (permissions, read-only mounts, /proc)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".nudges-", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError as e:
        raise InvalidInput(f"{where}: {shown(folder)} cannot be written "
                           f"({e.strerror or e})") from None


def check_file(path: Path, resume: bool = True) -> None:
    """InvalidInput unless path is absent, or a regular file (not a link) when resume."""
    if not os.path.lexists(path):
        return
    if stat.S_ISLNK(os.lstat(path).st_mode) or not path.is_file():
        raise InvalidInput(f"cannot write the sweep's {shown(path)}: it is {kind(path)}, not a "
                           "regular file the sweep wrote; move it away or choose another folder")
    if not resume:
        raise InvalidInput(f"{shown(path)} already holds results; pass --resume (resume=True) "
                           "to go on with them, or choose another results file")


def claim(out: Path) -> None:
    """Make the folder (checked by check_folder) and its results file, marking it a sweep's."""
    try:
        out.mkdir(exist_ok=True)
        fd = os.open(out / RESULTS, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        os.close(fd)
    except FileExistsError:
        return
    except OSError as e:
        raise InvalidInput(f"cannot write the sweep to {shown(out)}: {e.strerror or e}") from None


def append_line(path: Path, line: str) -> None:
    """Add one line to the results file (never through a link), flushed to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    with os.fdopen(fd, "a") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


def write_whole(path: Path, write: Callable[[IO[bytes]], Any]) -> Path:
    """write(file) on a unique temporary file beside path, renamed to path once complete."""
    try:
        replace_whole(path, write, new_file_mode())
    except OSError as e:
        raise InvalidInput(f"cannot write {shown(path)}: {e.strerror or e}") from None
    return path


def read_rows(path: Path) -> dict[str, Row]:
    """The rows of a results file by key (see the module's rules), or InvalidInput."""
    where = f"cannot resume from {shown(path)}"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise InvalidInput(f"{where}: it is {kind(path)}, not a regular file ({e.strerror})"
                           ) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RESULTS_BYTES:
        os.close(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput(f"{where}: it is {kind(path)}, not a regular file")
        raise InvalidInput(f"{where}: it has {info.st_size:,} bytes, more than the "
                           f"{MAX_RESULTS_BYTES:,} a sweep's results may have")
    with os.fdopen(fd, "rb") as f:
        raw = f.read(MAX_RESULTS_BYTES + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"{where}: it is not UTF-8 text (byte {e.start})") from None
    return _rows(text, where)


def _rows(text: str, where: str) -> dict[str, Row]:
    lines = text.split("\n")
    rows: dict[str, Row] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):
            if number == len(lines):   # the last line, without its newline: cut short
                continue
            raise InvalidInput(f"{where}: line {number} is not JSON") from None
        check_row(row, f"{where}: line {number}")
        rows[row["key"]] = row
    return rows


NUMBERS = ("validation_accuracy", "test_accuracy", "training_cost")
EPOCH = {"epoch": int, "training_cost": float, "validation_cost": float,
         "validation_accuracy": float}


def check_row(row: object, where: str) -> None:
    """InvalidInput unless row is a sweep's row: an object with a string key and status, its
    metrics numbers or null (a test accuracy wherever there is a validation accuracy), and
    its history a list of epochs."""
    expected = ("expected a sweep's row: an object with a string key and status, numbers or "
                "null for the accuracies and cost, and a list of epochs as history")
    ok = (isinstance(row, dict) and isinstance(row.get("key"), str)
          and isinstance(row.get("status"), str)
          and all(_number_or_none(row.get(n)) for n in NUMBERS)
          and (row.get("validation_accuracy") is None or _number(row.get("test_accuracy")))
          and isinstance(row.get("history", []), list)
          and all(_epoch(e) for e in row.get("history", [])))
    if not ok:
        got = type(row).__name__ if not isinstance(row, dict) else "an object that is not one"
        raise InvalidInput(f"{where}: {expected}; got {got}")


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _number_or_none(v: object) -> bool:
    return v is None or _number(v)


def _epoch(entry: object) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("epoch"), int)
            and all(_number_or_none(entry.get(k)) for k in EPOCH if k != "epoch"))
