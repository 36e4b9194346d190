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
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from . import activations, costs, optim
from .errors import InvalidInput
from .network import DTYPES, INITS, Network
from .training import SCHEDULES, Settings

SEARCHES = ("grid", "random")
MAX_TRIALS = 100
HIDDEN_DEFAULT = (16, 16)
CHOICES: dict[str, Callable[[], Sequence[str]]] = {   # names whose values a registry lists
    "activation": activations.hidden_names, "output": costs.output_names,
    "cost": lambda: list(costs.COSTS), "optimizer": lambda: list(optim.OPTIMIZERS),
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

    def expand(self) -> list[Trial]:
        """Every trial, checked: InvalidInput for an unknown name, empty list or bad value."""
        grid = {name: [value(name, v) for v in check_values(name, vs)]
                for name, vs in self.grid.items()}
        fixed = {name: value(name, v) for name, v in self.fixed.items()}
        if self.search not in SEARCHES:
            raise InvalidInput(f"unknown search {self.search!r}; known: {', '.join(SEARCHES)}")
        combos = self._combinations(grid)
        base = DEFAULTS | fixed
        return [Trial(i, base | combo, {k: combo[k] for k in self.swept})
                for i, combo in enumerate(combos)]

    def _combinations(self, grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
        names = list(grid)
        if self.search == "grid":
            return [dict(zip(names, vs)) for vs in itertools.product(*grid.values())]
        if self.trials is None or int(self.trials) != self.trials or self.trials < 1:
            raise InvalidInput(f"a random search needs trials, an integer >= 1, "
                               f"got {self.trials!r}")
        rng = np.random.default_rng(self.seed)
        return [{n: grid[n][rng.integers(len(grid[n]))] for n in names}
                for _ in range(self.trials)]


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
        raise InvalidInput(f"{name} takes {kind.__name__} values, got {v!r}")
    if name in CHOICES and v not in CHOICES[name]():
        raise InvalidInput(f"unknown {name} {v!r}; known: {', '.join(CHOICES[name]())}")
    return float(v) if kind is float else v  # type: ignore[arg-type]


def hidden(v: object) -> tuple[int, ...]:
    """Hidden layer sizes from 30, '30-30', [30, 30] or '' (none)."""
    try:
        if isinstance(v, str):
            sizes = tuple(int(s) for s in v.split("-") if s.strip())
        else:
            sizes = (int(v),) if isinstance(v, int) else tuple(int(s) for s in v)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        sizes = (0,)
    if any(s < 1 for s in sizes) or isinstance(v, bool | float):
        raise InvalidInput(f"hidden takes layer sizes like 30, '100-30' or [100, 30], got {v!r}")
    return sizes


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
    """The Spec a TOML file describes: search, trials, seed, a [grid] and a [fixed] table."""
    import tomllib  # Python 3.11+

    try:
        with open(path, "rb") as f:
            text = tomllib.load(f)
    except OSError as e:
        raise InvalidInput(f"cannot read the sweep spec {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise InvalidInput(f"{path} is not valid TOML: {e}") from None
    unknown = set(text) - {"search", "trials", "seed", "grid", "fixed"}
    if unknown or not isinstance(text.get("grid", {}), dict):
        raise InvalidInput(f"{path}: expected keys search, trials, seed and the tables [grid] "
                           f"and [fixed], got {', '.join(sorted(text))}")
    return Spec(dict(text.get("grid", {})), dict(text.get("fixed", {})),
                text.get("search", "grid"), text.get("trials"), text.get("seed", 0))


def check_count(trials: Sequence[Trial], max_trials: int | None) -> None:
    """InvalidInput if there are more trials than max_trials (None: no limit)."""
    if max_trials is not None and len(trials) > max_trials:
        raise InvalidInput(f"this sweep has {len(trials):,} trials, more than the maximum of "
                           f"{max_trials:,}; pass --yes (or max_trials=None) to run them all, "
                           "or narrow the grid")


def show(v: object) -> str:
    """A value as a flag would give it: 0.5, 30-30, sgd."""
    if isinstance(v, tuple):
        return "-".join(map(str, v)) or "none"
    if v is None:
        return "none"
    return f"{v:g}" if isinstance(v, float) else str(v)

