"""Successive halving: stop a sweep's losers early (`nudges sweep --search halving`).

Every trial of the grid first trains for a few epochs (the first rung); the best third, by
validation accuracy, trains again for three times as many, and so on until the survivors reach
the epochs asked for (Jamieson and Talwalkar, 2016, in its synchronous form). With 27 epochs the
rungs are 3, 9 and 27: 27 trials cost 27·3 + 9·9 + 3·27 = 243 epochs instead of the grid's 729.

A trial at a rung is the same trial with `epochs` set to the rung's (a fresh run: a cosine
schedule then decays over the rung's epochs), so it has its own key: the results file holds one
row per trial and rung, and --resume skips every (trial, rung) already finished, as the grid's
does. The table keeps each trial's row from the last rung it reached, with that rung and
"stopped" (the rung's epochs where it was stopped, or None for those that finished).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..core.errors import InvalidInput
from .spec import Trial

KEEP = 3            # each rung keeps the best 1/KEEP of its trials, and trains KEEP× longer
Row = dict[str, Any]


def rungs(epochs: int, keep: int = KEEP) -> list[int]:
    """The epochs of each rung, the last = epochs: 27 → [3, 9, 27]; 10 → [1, 3, 10]; at most
    3 rungs, none under 1 epoch."""
    out = [epochs]
    while len(out) < 3 and out[0] // keep >= 1:
        out.insert(0, out[0] // keep)
    return out


def at(trial: Trial, epochs: int) -> Trial:
    """The trial trained for `epochs` epochs."""
    return Trial(trial.index, trial.options | {"epochs": epochs}, trial.swept)


def best(trials: Sequence[Trial], rows: Mapping[str, Row], epochs: int,
         keep: int = KEEP) -> list[Trial]:
    """The best ⌈n/keep⌉ of trials by validation accuracy at `epochs` (failed ones last),
    in trial order."""
    def score(t: Trial) -> float:
        accuracy = rows[at(t, epochs).key]["validation_accuracy"]
        return -1.0 if accuracy is None else accuracy
    ranked = sorted(trials, key=lambda t: (-score(t), t.index))
    chosen = {t.index for t in ranked[:-(-len(trials) // keep)]}
    return [t for t in trials if t.index in chosen]


def check(trials: Sequence[Trial], swept: Sequence[str]) -> int:
    """The epochs of the last rung, or InvalidInput where epochs is swept."""
    if "epochs" in swept:
        raise InvalidInput("a halving search sets each rung's epochs itself; give --epochs one "
                           "value, the epochs of its last rung")
    return int(trials[0].options["epochs"]) if trials else 1


def halving(trials: Sequence[Trial], swept: Sequence[str], done: dict[str, Row],
            run: Callable[[list[Trial]], bool], keep: int = KEEP) -> list[Row]:
    """Run the rungs; `run(todo)` trains the trials not yet in `done`, adding their rows to it,
    and returns False when interrupted (the table then holds what finished). The table: one
    row per trial, from the last rung it reached, in trial order."""
    budgets, alive = rungs(check(trials, swept), keep), list(trials)
    reached: dict[int, tuple[int, int]] = {}                # trial index: (rung, its epochs)
    for rung, epochs in enumerate(budgets, 1):
        todo = [at(t, epochs) for t in alive if at(t, epochs).key not in done]
        if not run(todo):
            break
        reached |= {t.index: (rung, epochs) for t in alive}
        if rung < len(budgets):
            alive = best(alive, done, epochs, keep)
    table = []
    for t in trials:
        if t.index in reached:
            rung, epochs = reached[t.index]
            stopped = None if epochs == budgets[-1] else epochs
            table.append(done[at(t, epochs).key] | {"trial": t.index, "rung": rung,
                                                    "stopped": stopped})
    return table


def cost(n_trials: int, epochs: int, keep: int = KEEP) -> tuple[int, int]:
    """(epochs a halving search trains, epochs the grid trains) for n_trials trials."""
    alive, total = n_trials, 0
    budgets = rungs(epochs, keep)
    for rung, e in enumerate(budgets, 1):
        total += alive * e
        alive = -(-alive // keep) if rung < len(budgets) else alive
    return total, n_trials * epochs
