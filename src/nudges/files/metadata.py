"""What a file may say: bounded JSON, and each saved record checked field by field.

Model metadata, checkpoints and history files are JSON that anyone can edit. Before any of it
is used, `parse_json` bounds its size and nesting, and the readers here check every field's
type and range against the dataclass it becomes (Settings, EpochReport), so a crafted file
fails in one line (InvalidInput, or the `error` class the caller passes) instead of deep in
the code that trusts it. Fields a reader does not know are left alone, so newer writers can
add metadata without breaking older readers.
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..core.errors import InvalidInput
from ..training.settings import EpochReport, History, Settings

MAX_JSON_BYTES = 16 << 20     # a 1,000-epoch history is about 200 KB
MAX_DEPTH = 32                # nudges writes at most 5 levels
MAX_EXAMPLES = 10_000_000     # training examples a checkpoint may claim (MNIST has 60,000)
MAX_TEXT = 4096               # characters in any one string field
TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,), "float": (int, float), "str": (str,), "int | None": (int, type(None)),
    "float | None": (int, float, type(None)), "str | None": (str, type(None))}


def parse_json(data: bytes | str, what: str, error: type[InvalidInput] = InvalidInput) -> Any:
    """The value in `data`, or `error` if it is over MAX_JSON_BYTES, nested deeper than
    MAX_DEPTH, holds an integer too long to convert, or is not JSON."""
    if len(data) > MAX_JSON_BYTES:
        raise error(f"{what} is {len(data):,} bytes of JSON; nudges reads at most "
                    f"{MAX_JSON_BYTES:,}")
    try:
        value = json.loads(data)
    except RecursionError:
        raise error(f"{what} is nested too deeply (nudges reads at most {MAX_DEPTH} "
                    "levels)") from None
    except ValueError as e:                  # JSONDecodeError, UnicodeDecodeError, long ints
        raise error(f"{what} is not valid JSON: {e}") from None
    if _depth(value) > MAX_DEPTH:
        raise error(f"{what} is nested too deeply (nudges reads at most {MAX_DEPTH} levels)")
    return value


def _depth(value: Any, level: int = 1) -> int:
    if level > MAX_DEPTH or not isinstance(value, (dict, list)):
        return level if isinstance(value, (dict, list)) else level - 1
    items = value.values() if isinstance(value, dict) else value
    return max((_depth(v, level + 1) for v in items), default=level)


def expect(value: Any, kind: str, what: str, error: type[InvalidInput] = InvalidInput,
           low: float | None = None, high: float | None = None) -> Any:
    """`value` if it is of `kind` (a key of TYPES; bool is never a number), finite, and
    within [low, high]; else `error` naming `what`."""
    ok = (not isinstance(value, bool) and isinstance(value, TYPES[kind])
          and not (isinstance(value, str) and len(value) > MAX_TEXT))
    if ok and isinstance(value, (int, float)):
        ok = (math.isfinite(value) and (low is None or value >= low)
              and (high is None or value <= high))
    if not ok:
        bounds = "" if low is None else f" from {low:g}" + ("" if high is None else f" to {high:g}")
        raise error(f"{what} = {_short(value)} is not {kind}{bounds}")
    return value


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def settings_from(raw: Any, what: str, n_train: int | None = None,
                  error: type[InvalidInput] = InvalidInput) -> Settings:
    """Settings from saved JSON: known fields only, each of its declared type, and the whole
    checked by Settings.check (against n_train examples when known)."""
    known = {f.name: str(f.type) for f in fields(Settings)}
    if not isinstance(raw, dict) or not set(raw) <= set(known):
        extra = sorted(set(raw) - set(known)) if isinstance(raw, dict) else _short(raw)
        raise error(f"{what}: the training settings are missing or unknown to this nudges: "
                    f"{extra}")
    for name, value in raw.items():
        expect(value, known[name], f"{what}: training setting {name}", error)
    try:
        return Settings(**raw).check(n_train or MAX_EXAMPLES)
    except InvalidInput as e:
        raise error(f"{what}: {e}") from None


def reports_from(raw: Any, what: str, error: type[InvalidInput] = InvalidInput
                 ) -> list[EpochReport]:
    """EpochReports from saved JSON: a list of dicts with EpochReport's fields, in range."""
    if not isinstance(raw, list):
        raise error(f"{what}: the history is {_short(raw)}, expected a list of epoch reports")
    return [_report(e, f"{what}: history entry {i}", error) for i, e in enumerate(raw)]


def _report(raw: Any, what: str, error: type[InvalidInput]) -> EpochReport:
    known = {f.name: str(f.type) for f in fields(EpochReport)}
    required = {"epoch", "epochs", "training_cost", "seconds"}
    if not isinstance(raw, dict) or not required <= set(raw) <= set(known):
        raise error(f"{what} is {_short(raw)}, expected a dict with {', '.join(known)}")
    for name, value in raw.items():
        expect(value, known[name], f"{what}: {name}", error, low=0)
    report = EpochReport(**raw)
    if report.epoch < 1 or (report.correct or 0) > (report.total or 0) or (
            (report.correct is None) != (report.total is None)):
        raise error(f"{what}: epoch {report.epoch}, {report.correct} correct of "
                    f"{report.total} do not add up")
    return report


def read_history(path: Path) -> History:
    """The History in a FILE.history.json written by `nudges train --save FILE`."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_JSON_BYTES + 1)
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such history file") from None
    except OSError as e:
        raise InvalidInput(f"{path}: cannot read the history file: {e.strerror or e}") from None
    raw = parse_json(data, str(path))
    if not isinstance(raw, dict) or set(raw) != {"settings", "epochs"}:
        raise InvalidInput(f"{path}: not a training history written by `nudges train --save` "
                           "(expected a dict of settings and epochs)")
    return History(settings_from(raw["settings"], str(path)), reports_from(raw["epochs"],
                                                                           str(path)))
