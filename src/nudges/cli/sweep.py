"""`nudges sweep`: a grid or random search over training settings, each trial a Dask task.

One flag per settable setting (derived from training.Settings, Network and the registries, in
nudges.sweeps.spec), each taking comma-separated values; a TOML spec file or a preset gives the
rest. Rows go to OUT/results.jsonl as trials finish; OUT/results.csv and the figures are
written at the end (and after Ctrl-C, for what finished).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..core.checks import MAX_PARAMETERS
from ..core.errors import InvalidInput
from ..sweeps import halving
from ..sweeps import results as sweep_out
from ..sweeps import run as sweeping
from ..sweeps.results import RESULTS, TABLE, figure_names
from ..sweeps.spec import (
    CHOICES,
    DEFAULTS,
    KINDS,
    MAX_TRIALS,
    SEARCHES,
    Spec,
    Trial,
    check_count,
    load_spec,
    parse_text,
    show,
)
from .common import add_command, add_data_option, load_data, short_source

PRESETS: dict[str, Spec] = {   # Nielsen's chapter 3: training cost for three η
    "book": Spec({"eta": [0.025, 0.25, 2.5]},
                 {"hidden": 30, "activation": "sigmoid", "output": "sigmoid",
                  "cost": "cross-entropy", "lmbda": 5.0, "batch_size": 10, "epochs": 30}),
}

EXAMPLES = """\
  nudges sweep --eta 0.1,0.5,1,3 --lmbda 0,1,5 --hidden 30 --epochs 5
  nudges sweep --spec sweep.toml --out runs/first          # [grid] and [fixed] tables
  nudges sweep --optimizer sgd,adam --eta 0.001,0.01,0.1 --seed 0,1,2 --yes
  nudges sweep --eta 0.01,0.1,1,10 --batch-size 10,100 --search random --trials 5
  nudges sweep --eta 0.01,0.03,0.1 --lmbda 0,1,5 --epochs 9 --search halving   # rungs 1, 3, 9
  nudges sweep --preset book --data ../shared/data/mnist   # the book's three learning rates
  nudges sweep --eta 0.1,1 --scheduler tcp://10.0.0.5:8786 # an existing Dask cluster
  nudges sweep --eta 0.1,0.5,1,3 --lmbda 0,1,5 --hidden 30 --epochs 5 --resume
"""


def register(subparsers: Any) -> None:
    """Add `nudges sweep`."""
    p = add_command(subparsers, "sweep", run, "train many settings at once, on Dask", EXAMPLES)
    for name in KINDS:
        known = f" from {{{','.join(CHOICES[name]())}}}" if name in CHOICES else ""
        p.add_argument(f"--{name.replace('_', '-')}", metavar="V,V,...", default=None,
                       help=f"{name} values to try{known} (default: {show(DEFAULTS[name])})")
    p.add_argument("--spec", metavar="FILE", help="TOML file: search, trials, seed, [grid], "
                   "[fixed]; flags override it (default: none)")
    p.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help="book: Nielsen's chapter-3 comparison of η = 0.025, 0.25, 2.5")
    p.add_argument("--search", choices=SEARCHES, default=None, help="every combination, "
                   "--trials drawn at random, or every combination by successive halving: "
                   "the best third of each rung trains 3x longer (default: grid)")
    p.add_argument("--trials", type=int, default=None, help="how many a random search draws")
    p.add_argument("--search-seed", type=int, default=None, help="seed of the random draw "
                   "(default: 0)")
    _add_running_options(p)
    add_data_option(p)


def _add_running_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=None, help="worker processes of the local "
                   "cluster; 0 runs a plain loop here (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="use the Dask cluster at ADDRESS, e.g. tcp://HOST:8786 (default: a "
                        "local cluster)")
    p.add_argument("--dashboard", metavar="ADDRESS", default=":8787",
                   help="where the local cluster serves its dashboard")
    p.add_argument("--out", metavar="DIR", default="sweep", help="folder for results.jsonl, "
                   "results.csv and the figures")
    p.add_argument("--resume", action="store_true", help="skip the trials OUT already holds")
    p.add_argument("--max-trials", type=int, default=MAX_TRIALS,
                   help="refuse bigger sweeps unless --yes")
    p.add_argument("--yes", action="store_true", help="run however many trials there are")
    p.add_argument("--max-parameters", metavar="N", type=int, default=MAX_PARAMETERS,
                   help="refuse trials whose network has more weights and biases than this")
    p.add_argument("--top", type=int, default=5, help="learning curves of this many best")
    p.add_argument("--quiet", action="store_true", help="print only the summary")


def spec_from(args: argparse.Namespace) -> Spec:
    """The spec file or preset, with each setting given as a flag moved into the grid."""
    base = load_spec(args.spec) if args.spec else PRESETS.get(args.preset or "", Spec({}))
    flags = {name: parse_text(name, getattr(args, name))
             for name in KINDS if getattr(args, name) is not None}
    fixed = {k: v for k, v in base.fixed.items() if k not in flags}
    search = args.search or base.search
    trials = args.trials if args.trials is not None else base.trials
    seed = args.search_seed if args.search_seed is not None else base.seed
    return Spec(base.grid | flags, fixed, search, trials, seed)


def run(args: argparse.Namespace) -> int:
    """Check the spec, run the trials that are not done, write the table and figures."""
    spec, out = spec_from(args), Path(args.out)
    check_count(spec.count(), None if args.yes else args.max_trials)
    _check_running(args)
    trials = spec.expand()
    sweep_out.check_folder(out, [RESULTS, TABLE, *figure_names(spec.swept)], args.resume)
    results = sweeping.Results(out / RESULTS)
    done = results.finished() if args.resume else {}    # read before the data is loaded
    data = load_data(args, quiet=args.quiet)
    sweeping.check_trials(trials, data, args.max_parameters)
    sweep_out.claim(out)                                # nothing was written before this
    if spec.search == "halving":
        status, rows = _halve(args, trials, data, results, done, list(spec.swept))
    else:
        todo = [t for t in trials if t.key not in done]
        _say(f"{len(trials)} trials: {len(trials) - len(todo)} already done, {len(todo)} to "
             f"run, on {short_source(data)}", args.quiet)
        status = _run_trials(args, todo, data, results, done, len(trials))
        rows = sweeping.table(trials, done)
    _finish(args, out, spec, rows)
    return status


def _check_running(args: argparse.Namespace) -> None:
    """--workers, --scheduler and --dashboard, checked before anything is loaded or written."""
    if args.workers is not None and args.workers < 0:
        raise InvalidInput(f"--workers must be 0 or more, got {args.workers}")
    if args.scheduler is not None:
        sweeping.check_address(args.scheduler, "--scheduler", sweeping.SCHEMES)
    if args.dashboard is not None:
        sweeping.check_address(args.dashboard, "--dashboard", ("",), low=0)


def _halve(args: argparse.Namespace, trials: list[Trial], data: Any,
           results: sweeping.Results, done: dict[str, Any], swept: list[str]
           ) -> tuple[int, list[dict[str, Any]]]:
    """Successive halving over the trials (nudges.sweeps.halving), each rung run as a grid."""
    status = 0

    def rung(todo: list[Trial]) -> bool:
        nonlocal status
        if todo:
            _say(f"rung of {todo[0].options['epochs']} epochs: {len(todo)} trials to run, on "
                 f"{short_source(data)}", args.quiet)
        status = _run_trials(args, todo, data, results, done, len(todo))
        return status == 0

    rows = halving.halving(trials, swept, done, rung)
    used, grid = halving.cost(len(trials), halving.check(trials, swept))
    _say(f"successive halving: {used} epochs of training where the grid takes {grid}; "
         f"{sum(r['stopped'] is not None for r in rows)} trials stopped early", args.quiet)
    return status, rows


def _run_trials(args: argparse.Namespace, todo: list[Trial], data: Any,
                results: sweeping.Results, done: dict[str, Any], total: int) -> int:
    """Run todo, appending each row as it arrives; 130 (what finished kept) on Ctrl-C."""
    progress = Progress(total, total - len(todo), {t.key: t for t in todo})
    try:
        with _rows(args, todo, data) as rows:
            for row in rows:
                results.append(row)
                done[row["key"]] = row
                _say(progress.line(row), args.quiet)
    except KeyboardInterrupt:
        print(f"nudges: interrupted: {progress.finished} of {total} trials finished and are "
              f"kept in {results.path}; the rest were cancelled. Go on with the same command "
              "and --resume", file=sys.stderr)
        return 130
    return 0


@contextmanager
def _rows(args: argparse.Namespace, todo: list[Trial], data: Any) -> Iterator[Iterator[Any]]:
    """The rows of todo from the chosen runner: a plain loop, or a Dask cluster."""
    if not todo or args.workers == 0 and args.scheduler is None:
        yield sweeping.serially(todo, data)
        return
    with sweeping.connect(args.scheduler, args.workers, args.dashboard) as client:
        _dashboard(client)
        yield sweeping.on_dask(client, todo, data)


def _dashboard(client: Any) -> None:
    """Say where the cluster's dashboard is (it needs bokeh on the scheduler's machine)."""
    import importlib.util

    where = (f"Dask dashboard at {client.dashboard_link}" if importlib.util.find_spec("bokeh")
             else f"Dask scheduler at {client.scheduler.address} (pip install bokeh for its "
                  "dashboard)")
    print(f"nudges: {where}", file=sys.stderr)


class Progress:
    """Lines '[3/12] eta=0.5  validation 93.10%  best 94.20% (eta=3)  ETA 1 min 20 s'."""

    def __init__(self, total: int, finished: int, trials: dict[str, Trial]) -> None:
        self.total, self.finished, self.trials = total, finished, trials
        self.start, self.ran = time.perf_counter(), 0
        self.best: tuple[float, str] | None = None

    def line(self, row: dict[str, Any]) -> str:
        """Count row and describe it, the best so far and the time left."""
        self.finished, self.ran = self.finished + 1, self.ran + 1
        label = self.trials[row["key"]].label()
        accuracy = row["validation_accuracy"]
        if accuracy is not None and (self.best is None or accuracy > self.best[0]):
            self.best = (accuracy, label)
        left = (time.perf_counter() - self.start) / self.ran * (self.total - self.finished)
        result = row["status"] if accuracy is None else f"validation {accuracy:.2f}%"
        best = "" if self.best is None else f"  best {self.best[0]:.2f}% ({self.best[1]})"
        return (f"[{self.finished}/{self.total}] {label}  {result}{best}  "
                f"ETA {duration(left)}")


def duration(seconds: float) -> str:
    """'1 min 20 s', '4 s'."""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _finish(args: argparse.Namespace, out: Path, spec: Spec, rows: list[dict[str, Any]]
            ) -> None:
    """results.csv, the figures (when matplotlib is there), and the best trials."""
    sweeping.write_csv(out / TABLE, rows)
    written = [out / RESULTS, out / TABLE]
    try:
        from ..sweeps import plots as sweep_plots
    except ImportError:
        sweep_plots = None   # type: ignore[assignment]
    if sweep_plots is not None and rows:
        written += sweep_plots.draw(rows, spec.swept, out, top=args.top)
    ranked = sorted((r for r in rows if r["validation_accuracy"] is not None),
                    key=lambda r: -r["validation_accuracy"])
    for r in ranked[:args.top]:
        values = " ".join(f"{k}={show(r[k])}" for k in spec.swept)
        print(f"validation {r['validation_accuracy']:.2f}%  test {r['test_accuracy']:.2f}%  "
              f"trial {r['trial']} {values}")
    for r in rows:
        if r["status"] != "ok":
            print(f"trial {r['trial']}: {r['status']}")
    print("Wrote " + ", ".join(map(str, written)))


def _say(text: str, quiet: bool) -> None:
    if not quiet:
        print(text, flush=True)
