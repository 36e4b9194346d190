"""What a hyperparameter sweep runs: the settings it may vary, its grid, and its trials.

The settings a sweep may set are derived, never listed by hand: every field of
training.Settings (with its type), every keyword of Network (activation, output, cost, init,
dtype; their choices come from the registries), and `hidden`, the hidden layer sizes (the input
and output sizes come from the data). A trial is one full set of options; its key (canonical
JSON of the options) is what resume matches finished trials by.
"""

from __future__ import annotations

import inspect
import itertools
import json
import math
import os
import re
import reprlib
import stat
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from ..core import activations, costs, optimizers
from ..core.errors import InvalidInput, shown
from ..core.network import DTYPES, INITS, Network
from ..training.settings import SCHEDULES, Settings

SEARCHES = ("grid", "random", "halving")
MAX_TRIALS = 100           # refused above this unless --yes (max_trials=None)
MAX_TRIALS_EVER = 100_000  # refused above this even with --yes: counted before any is built
MAX_SPEC_BYTES = 2**20     # a TOML spec file's size
HIDDEN_DEFAULT = (16, 16)
CHOICES: dict[str, Callable[[], Sequence[str]]] = {   # names whose values a registry lists
    "activation": activations.hidden_names, "output": costs.output_names,
    "cost": lambda: list(costs.COSTS), "optimizer": lambda: list(optimizers.OPTIMIZERS),
    "init": lambda: INITS, "dtype": lambda: DTYPES, "schedule": lambda: SCHEDULES,
}


def _network_options() -> dict[str, Any]:
    """Network's keyword options and defaults, less seed (Settings has it) and the size cap."""
    parameters = inspect.signature(Network.__init__).parameters.values()
    return {p.name: p.default for p in parameters
            if p.kind is p.KEYWORD_ONLY and p.name not in ("seed", "max_parameters")}


def _kinds() -> dict[str, tuple[type, bool]]:
    """For each settable name: (its value type, whether None is allowed)."""
    hints = typing.get_type_hints(Settings)
    kinds: dict[str, tuple[type, bool]] = {"hidden": (tuple, False)}
    kinds |= {name: (str, False) for name in _network_options()}
    for f in fields(Settings):
        args = typing.get_args(hints[f.name]) or (hints[f.name],)
        kinds[f.name] = (next(a for a in args if a is not type(None)), type(None) in args)
    return kinds


KINDS = _kinds()
SETTABLE = tuple(KINDS)
DEFAULTS: dict[str, Any] = ({"hidden": HIDDEN_DEFAULT} | _network_options()
                            | {f.name: f.default for f in fields(Settings)} | {"seed": 0})


@dataclass(frozen=True)
class Trial:
    """One training run of a sweep: its place, its full options, and the values swept."""

    index: int
    options: dict[str, Any]
    swept: dict[str, Any]

    @property
    def key(self) -> str:
        """Canonical JSON of the options: equal keys, equal runs."""
        return json.dumps(self.options, sort_keys=True)

    def label(self) -> str:
        """'eta=0.5 lmbda=1' (the swept values)."""
        return " ".join(f"{k}={show(v)}" for k, v in self.swept.items()) or "(defaults)"


@dataclass(frozen=True)
class Spec:
    """A sweep: grid[name] lists the values to try, fixed[name] the values every trial uses.

    search "grid" runs every combination; "random" draws `trials` combinations, each value of
    each setting with equal chance, from a Generator seeded by `seed`.
    """

    grid: dict[str, list[Any]]
    fixed: dict[str, Any] = field(default_factory=dict)
    search: str = "grid"
    trials: int | None = None
    seed: int = 0

    @property
    def swept(self) -> list[str]:
        """The names with more than one value, in the grid's order."""
        return [name for name, values in self.grid.items() if len(values) > 1]

    def count(self) -> int:
        """How many trials expand() will build, counted without building them."""
        if self.search not in SEARCHES:
            raise InvalidInput(f"unknown search {self.search!r}; known: {', '.join(SEARCHES)}")
        if self.search == "random":
            return check_whole("trials", self.trials, "a random search needs trials, an "
                               "integer >= 1", low=1)
        return math.prod(len(check_values(name, vs)) for name, vs in self.grid.items())

    def expand(self) -> list[Trial]:
        """Every trial, checked: InvalidInput for an unknown name, empty list or bad value,
        or more than MAX_TRIALS_EVER of them (counted first)."""
        check_count(self.count(), MAX_TRIALS_EVER, ever=True)
        check_whole("seed", self.seed, "the search's seed is an integer >= 0", low=0)
        grid = {name: [value(name, v) for v in check_values(name, vs)]
                for name, vs in self.grid.items()}
        fixed = {name: value(name, v) for name, v in self.fixed.items()}
        combos = self._combinations(grid)
        base = DEFAULTS | fixed
        return [Trial(i, base | combo, {k: combo[k] for k in self.swept})
                for i, combo in enumerate(combos)]

    def _combinations(self, grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
        names = list(grid)
        if self.search in ("grid", "halving"):          # halving: the grid's, in rungs
            return [dict(zip(names, vs)) for vs in itertools.product(*grid.values())]
        rng = np.random.default_rng(int(self.seed))
        return [{n: grid[n][rng.integers(len(grid[n]))] for n in names}
                for _ in range(self.count())]


def check_whole(name: str, v: object, expected: str, low: int) -> int:
    """v as an int >= low (an integral float such as 5.0 too), or InvalidInput."""
    if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v) \
            or v != int(v) or v < low:
        raise InvalidInput(f"{expected}, got {brief(v)}")
    return int(v)


def check_values(name: str, values: object) -> list[Any]:
    """values as a non-empty list, for a known setting."""
    if name not in KINDS:
        raise InvalidInput(f"unknown setting {name!r}; a sweep can set: {', '.join(SETTABLE)}")
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        values = [values]
    if not values:
        raise InvalidInput(f"the grid for {name} is empty; give it at least one value")
    return list(values)


def value(name: str, v: object) -> Any:
    """v as the type of setting `name` (ints accepted as floats), or InvalidInput."""
    if name not in KINDS:
        raise InvalidInput(f"unknown setting {name!r}; a sweep can set: {', '.join(SETTABLE)}")
    kind, optional = KINDS[name]
    if v is None and optional:
        return None
    if name == "hidden":
        return hidden(v)
    ok = (isinstance(v, kind) and not isinstance(v, bool)
          or kind is float and isinstance(v, int) and not isinstance(v, bool))
    if not ok:
        raise InvalidInput(f"{name} takes {kind.__name__} values, got {brief(v)}")
    if name in CHOICES and v not in CHOICES[name]():
        raise InvalidInput(f"unknown {name} {brief(v)}; known: {', '.join(CHOICES[name]())}")
    return float(v) if kind is float else v  # type: ignore[arg-type]


def hidden(v: object) -> tuple[int, ...]:
    """Hidden layer sizes from 30, '30-30', [30, 30], or '' and 'none' (no hidden layer):
    whole numbers >= 1 written in ASCII digits; '-5', '8--8' and '²' are refused."""
    if isinstance(v, str) and v.strip().lower() in ("", "none"):
        return ()
    if isinstance(v, str) and re.fullmatch(r"[0-9]{1,12}(-[0-9]{1,12})*", v.strip()):
        sizes = tuple(int(s) for s in v.strip().split("-"))
    elif isinstance(v, int) and not isinstance(v, bool):
        sizes = (v,)
    elif isinstance(v, list | tuple) and all(isinstance(s, int) and not isinstance(s, bool)
                                             for s in v):
        sizes = tuple(v)
    else:
        sizes = (0,)
    if any(s < 1 for s in sizes):
        raise InvalidInput(f"hidden takes layer sizes like 30, '100-30' or [100, 30], got "
                           f"{brief(v)}")
    return sizes


def brief(v: object) -> str:
    """repr(v), cut short: a value nested 10,000 deep is shown in a few characters."""
    return reprlib.repr(v)


def parse_text(name: str, text: str) -> list[Any]:
    """A flag's comma-separated values ('0.1,0.5,3') as values of setting `name`."""
    kind, optional = KINDS[name]
    values: list[Any] = []
    for part in (p.strip() for p in text.split(",")):
        try:
            if optional and part.lower() == "none":
                values.append(None)
            else:
                values.append(value(name, part if kind in (str, tuple) else kind(part)))
        except ValueError as e:
            raise InvalidInput(f"--{name.replace('_', '-')} takes comma-separated "
                               f"{kind.__name__} values, got {text!r}: {e}") from None
    return values


def load_spec(path: str | Path) -> Spec:
    """The Spec a TOML file describes: search, trials, seed, a [grid] and a [fixed] table.
    The file must be a regular file of at most MAX_SPEC_BYTES of UTF-8 TOML."""
    import tomllib  # Python 3.11+

    try:
        text = tomllib.loads(_read_spec(path))
    except tomllib.TOMLDecodeError as e:
        raise InvalidInput(f"{shown(path)} is not valid TOML: {e}") from None
    except RecursionError:
        raise InvalidInput(f"{shown(path)} is nested too deeply to be a sweep spec") from None
    unknown = set(text) - {"search", "trials", "seed", "grid", "fixed"}
    tables = all(isinstance(text.get(t, {}), dict) for t in ("grid", "fixed"))
    if unknown or not tables or not isinstance(text.get("search", "grid"), str):
        got = ", ".join(f"{k} ({type(v).__name__})" for k, v in sorted(text.items()))
        raise InvalidInput(f"{shown(path)}: expected keys search (a string), trials, seed and "
                           f"the tables [grid] and [fixed], got {got}")
    return Spec(dict(text.get("grid", {})), dict(text.get("fixed", {})),
                text.get("search", "grid"), text.get("trials"), text.get("seed", 0))


def _read_spec(path: str | Path) -> str:
    """The text of a spec file: a regular file (not a FIFO or device), read up to a cap."""
    where = f"cannot read the sweep spec {shown(path)}"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError, TypeError) as e:
        raise InvalidInput(f"{where}: {getattr(e, 'strerror', None) or e}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InvalidInput(f"{where}: it is not a regular file (a folder, FIFO or device)")
    with os.fdopen(fd, "rb") as f:
        raw = f.read(MAX_SPEC_BYTES + 1)
    if len(raw) > MAX_SPEC_BYTES:
        raise InvalidInput(f"{where}: it is bigger than {MAX_SPEC_BYTES:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"{where}: it is not UTF-8 text (byte {e.start})") from None


def check_count(trials: Sequence[Trial] | int, max_trials: int | None, ever: bool = False
                ) -> None:
    """InvalidInput if there are more trials (a list, or their count) than max_trials (None:
    no limit); ever: the limit that --yes does not lift."""
    n = trials if isinstance(trials, int) else len(trials)
    if max_trials is None or n <= max_trials:
        return
    if ever:
        raise InvalidInput(f"this sweep has {n:,} trials, more than the {max_trials:,} any "
                           "sweep may have; narrow the grid")
    raise InvalidInput(f"this sweep has {n:,} trials, more than the maximum of "
                       f"{max_trials:,}; pass --yes (or max_trials=None) to run them all, "
                       "or narrow the grid")


def show(v: object) -> str:
    """A value as a flag would give it: 0.5, 30-30, sgd."""
    if isinstance(v, tuple):
        return "-".join(map(str, v)) or "none"
    if v is None:
        return "none"
    return f"{v:g}" if isinstance(v, float) else str(v)

