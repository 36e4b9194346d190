"""Hyperparameter sweeps: each trial one task on a Dask cluster (or in a plain loop).

The data reaches each worker once (scattered to all, then handed to every task by reference).
A trial trains with one BLAS thread (nudges.engines.threads.pinned), evaluates on the validation
split after every epoch and on the test split at the end, and returns a small row: its swept values,
its status ("ok" or "diverged at epoch E"), its metrics and history. Rows are appended to a
JSON-lines file as they arrive, so a sweep that crashed or was stopped resumes by skipping the
trials whose key it already holds. The same spec and seeds give the same rows, whichever worker
ran a trial.
Needs the `cluster` extra (dask[distributed], threadpoolctl) for anything but the plain loop.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..core import optimizers
from ..core.checks import check_sizes
from ..core.errors import InvalidInput, NudgesError, TrainingDiverged, shown
from ..core.network import Network
from ..data.mnist import Dataset, load_digits
from ..engines import threads
from ..training.settings import EpochReport, Settings
from ..training.sgd import train_epochs
from . import results as sweep_out
from .halving import halving
from .spec import Spec, Trial, check_count, show

Row = dict[str, Any]
SETTINGS = [f for f in Settings.__dataclass_fields__]


class TrialFailed(NudgesError):
    """A trial's task ended without a row: an error in it, or its workers died too often."""


def build(options: Mapping[str, Any], data: Dataset) -> tuple[Network, Settings]:
    """The network (sizes from the data and options["hidden"]) and settings of a trial."""
    sizes = [data.train[0].shape[1], *options["hidden"], len(data.classes)]
    net = Network(sizes, activation=options["activation"], output=options["output"],
                  cost=options["cost"], init=options["init"], dtype=options["dtype"],
                  seed=options["seed"])
    return net, Settings(**{name: options[name] for name in SETTINGS})


def check_trials(trials: Sequence[Trial], data: Dataset,
                 max_parameters: int | None = None) -> None:
    """InvalidInput, naming the trial, for options that cannot train on data, or layers over
    max_parameters weights and biases (None: no limit), before any run."""
    for trial in trials:
        try:
            check_sizes([data.train[0].shape[1], *trial.options["hidden"], len(data.classes)],
                        max_parameters)
            net, settings = build(trial.options | {"hidden": ()}, data)
            settings.check(len(data.train[0]))
            check_unused(settings, len(data.train[0]))
        except InvalidInput as e:
            raise InvalidInput(f"trial {trial.index} ({trial.label()}): {e}") from None


def check_unused(settings: Settings, n_train: int) -> None:
    """The constants of the optimizers a trial does not use (beta1 for sgd, say), checked as
    those optimizers check them, as `nudges train` refuses them: a sweep's table shows them."""
    for other in optimizers.OPTIMIZERS.values():
        if other.uses and "momentum" not in other.uses and \
                other.name != settings.optimizer_name:
            plain: dict[str, Any] = {"optimizer": other.name, "momentum": 0.0}
            other.check(replace(settings, **plain), n_train)


def run_trial(trial: Trial, data: Dataset) -> Row:
    """Train one trial with one BLAS thread (or OPENBLAS_NUM_THREADS); its row (see the
    module's docstring)."""
    start = time.perf_counter()
    net, settings = build(trial.options, data)
    reports: list[EpochReport] = []
    status = "ok"
    with threads.pinned(None), np.errstate(over="ignore", invalid="ignore"):
        try:
            for report in train_epochs(net, *data.train, settings, evaluation=data.validation):
                reports.append(report)
        except TrainingDiverged:
            status = f"diverged at epoch {len(reports) + 1}"
        bad = [r.epoch for r in reports if not math.isfinite(r.training_cost)]
        status = f"diverged at epoch {bad[0]}" if bad and status == "ok" else status
        test = 100 * net.correct(*data.test) / len(data.test[0]) if status == "ok" else None
    return _row(trial, status, reports, test, time.perf_counter() - start)


def _row(trial: Trial, status: str, reports: list[EpochReport], test: float | None,
         seconds: float) -> Row:
    last = reports[-1] if reports and status == "ok" else None
    history = [{"epoch": r.epoch, "training_cost": _finite(r.training_cost),
                "validation_cost": _finite(r.evaluation_cost),
                "validation_accuracy": r.accuracy} for r in reports]
    return {"trial": trial.index, **{k: plain(v) for k, v in trial.swept.items()},
            "status": status, "validation_accuracy": None if last is None else last.accuracy,
            "test_accuracy": test,
            "training_cost": None if last is None else _finite(last.training_cost),
            "seconds": round(seconds, 3), "key": trial.key, "history": history}


def plain(v: object) -> object:
    """A swept value as the table shows it: numbers and names as they are, layers '30-30'."""
    return show(v) if isinstance(v, tuple) else v


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def serially(trials: Sequence[Trial], data: Dataset) -> Iterator[Row]:
    """Each trial's row, in order, in this process: the plain loop."""
    for trial in trials:
        yield run_trial(trial, data)


def on_dask(client: Any, trials: Sequence[Trial], data: Dataset) -> Iterator[Row]:
    """Each trial's row as its task finishes on client's cluster; stopping the iteration
    (Ctrl-C, an error, close()) cancels the tasks not yet finished."""
    from distributed import as_completed

    if not trials:
        return
    [shared] = client.scatter([data], broadcast=True, hash=False)   # once per worker
    futures = [client.submit(run_trial, trial, shared, pure=False) for trial in trials]
    trial_of = {future.key: trial for future, trial in zip(futures, trials)}
    try:
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            yield _result(future, trial_of[future.key])
            future.release()
    finally:
        client.cancel([f for f in futures if not f.done()])


def _result(future: Any, trial: Trial) -> Row:
    """The task's row, or TrialFailed saying why it has none (its workers kept dying, say)."""
    try:
        return future.result()  # type: ignore[no-any-return]
    except Exception as e:   # any failure of a task ends the sweep, in one line
        raise TrialFailed(f"trial {trial.index} ({trial.label()}) failed: {type(e).__name__}: "
                          f"{e}; the trials that finished are kept, --resume retries the rest"
                          ) from e


@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None,
            dashboard: str | None = ":8787", timeout: str = "20s") -> Iterator[Any]:
    """A Client of the cluster at `scheduler`, or of a new LocalCluster of `workers` processes
    (default: one per core), one thread and one BLAS thread each, closed on exit. dashboard:
    the address it serves its dashboard at; None: any free port (Dask's scheduler serves HTTP
    even without a dashboard, on :8787 unless told, and only warns when that is taken)."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        check_address(scheduler, "--scheduler", SCHEMES)
        try:
            client = Client(scheduler, timeout=timeout)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as e:
            raise InvalidInput(f"cannot reach the Dask scheduler at {shown(scheduler)}: "
                               f"{shown(e)}") from None
        with client:
            yield client
        return
    if dashboard is not None:
        check_address(dashboard, "--dashboard", ("",), low=0)
    env = {f"{name}_NUM_THREADS": "1" for name in ("OMP", "OPENBLAS", "MKL", "NUMBA")}
    n = workers or len(os.sched_getaffinity(0))
    with LocalCluster(n_workers=n, threads_per_worker=1,  # type: ignore[no-untyped-call]
                      processes=True, dashboard_address=dashboard or ":0", env=env,
                      silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


SCHEMES = ("tcp", "tls", "ws", "wss")
ADDRESS = re.compile(r"(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s/:\[\]]*)"
                     r":(?P<port>[0-9]{1,5})")


def check_address(text: str, flag: str, schemes: Sequence[str], low: int = 1) -> None:
    """InvalidInput unless text is [SCHEME://]HOST:PORT (a scheme of `schemes`, a port from
    `low` to 65535, an IPv6 host in brackets; only --dashboard may leave HOST empty)."""
    match = ADDRESS.fullmatch(text)
    ok = (match is not None and (match["scheme"] or "") in (*schemes, "")
          and low <= int(match["port"]) <= 65535 and (bool(match["host"]) or low == 0))
    if not ok:
        known = f" (scheme one of {', '.join(schemes)})" if any(schemes) else ""
        raise InvalidInput(f"{flag} takes an address like "
                           f"{'tcp://HOST:8786' if any(schemes) else ':8787'}{known}, with a "
                           f"port up to 65535; got {shown(text)!r}")


@dataclass
class Results:
    """The JSON-lines file of a sweep's rows, appended as trials finish."""

    path: Path

    def finished(self) -> dict[str, Row]:
        """The rows already written, by key; a last line cut short by a crash is ignored,
        anything else that is not a row is InvalidInput (see nudges.sweeps.results)."""
        return sweep_out.read_rows(self.path)

    def append(self, row: Row) -> None:
        """Add one row, flushed to disk before returning (never through a link)."""
        sweep_out.append_line(self.path, json.dumps(row))


def write_csv(path: str | Path, rows: Sequence[Row]) -> None:
    """The table without keys and histories, one row per trial, atomically."""
    import csv
    import io

    columns = [c for c in (rows[0] if rows else {}) if c not in ("key", "history")]
    text = io.StringIO()
    writer = csv.DictWriter(text, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    sweep_out.write_whole(Path(path), lambda f: f.write(text.getvalue().encode()))


def table(trials: Sequence[Trial], rows: Mapping[str, Row]) -> list[Row]:
    """The rows of `trials` that have finished, in trial order, numbered as in `trials`."""
    return [rows[t.key] | {"trial": t.index} | {k: plain(v) for k, v in t.swept.items()}
            for t in trials if t.key in rows]


def start(spec: Spec, results: str | Path, *, resume: bool = False,
          max_trials: int | None = 100) -> tuple[list[Trial], Results, dict[str, Row]]:
    """The spec's trials, its results file, and the rows it holds (resume) or InvalidInput."""
    check_count(spec.count(), max_trials)
    trials = spec.expand()
    path = Path(results)
    sweep_out.check_file(path, resume)
    if not path.parent.is_dir():
        raise InvalidInput(f"cannot write results to {shown(path)}: {shown(path.parent)} "
                           "is not a folder")
    return trials, Results(path), Results(path).finished() if resume else {}


def sweep(grid: Mapping[str, Any] | Spec, data: Dataset | None = None, *,
          fixed: Mapping[str, Any] | None = None, results: str | Path = "sweep.jsonl",
          resume: bool = False, scheduler: str | None = None, workers: int | None = None,
          client: Any = None, max_trials: int | None = 100) -> list[Row]:
    """Train every trial of a grid (or Spec) on Dask; the table of rows, in trial order.

    grid: {"eta": [0.1, 0.5], "lmbda": [0, 5]}; fixed: {"epochs": 5, "hidden": 30}. Runs on
    `client`, else the cluster at `scheduler`, else a LocalCluster of `workers` processes
    (workers=0: a plain loop here). data: load_digits() when None. A Spec whose search is
    "halving" runs by successive halving (nudges.sweeps.halving).
    """
    spec = grid if isinstance(grid, Spec) else Spec(dict(grid), dict(fixed or {}))
    trials, file, done = start(spec, results, resume=resume, max_trials=max_trials)
    data = data if data is not None else load_digits()
    check_trials(trials, data)

    def run(todo: list[Trial]) -> bool:
        with _runner(client, scheduler, workers, todo, data) as rows:
            for row in rows:
                file.append(row)
                done[row["key"]] = row
        return True

    if spec.search == "halving":
        return halving(trials, list(spec.swept), done, run)
    run([t for t in trials if t.key not in done])
    return table(trials, done)


@contextmanager
def _runner(client: Any, scheduler: str | None, workers: int | None,
            todo: Sequence[Trial], data: Dataset) -> Iterator[Iterator[Row]]:
    if client is not None:
        yield on_dask(client, todo, data)
    elif not todo or workers == 0 and scheduler is None:
        yield serially(todo, data)
    else:
        with connect(scheduler, workers, dashboard=None) as own:
            yield on_dask(own, todo, data)
