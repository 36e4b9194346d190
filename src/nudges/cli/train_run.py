"""The loop of `nudges train`: epochs, checkpoints, Ctrl-C, and the final save.

Ctrl-C (or SIGTERM) sets a flag; the step in progress finishes, and the next on_batch call (or
the end of the epoch) raises _Interrupted, so the network and State are saved consistent with
each other (state.step already counts the finished step). A second Ctrl-C stops at once,
without saving, unless a save is in progress: that one always completes. The file on disk
holds a complete checkpoint at every moment (saves are atomic).
"""

from __future__ import annotations

import json
import shlex
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np

from ..core.network import Network
from ..data.mnist import Dataset, data_fingerprint
from ..data.own.recorded import describe
from ..files.atomic import write_atomically
from ..files.checkpoints import Checkpoint, save_checkpoint
from ..training.settings import EpochReport, History, Settings, State
from ..training.sgd import train_epochs
from .common import percent, progress

INTERRUPTED_FILE = "nudges-interrupted.npz"   # where Ctrl-C saves when no --save was given
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class Job:
    """A run to train: from scratch or resumed, with where and how often to save it."""

    network: Network
    settings: Settings
    state: State
    history: History
    data: Dataset
    data_path: str | None
    save_path: Path | None
    checkpoint_every: int | None = None
    quiet: bool = False
    engine: str = "auto"
    fingerprint: dict[str, Any] = field(default_factory=dict)


class _Interrupted(Exception):
    """Raised from on_batch (or between epochs) once Ctrl-C has asked training to stop."""


class StopOnCtrlC:
    """While active, the first SIGINT (Ctrl-C) or SIGTERM (kill, systemd, containers) sets
    `signum`; a second one raises KeyboardInterrupt, except during a save (`saving()`), which
    always completes: the file is then whole, old or new, whatever arrives."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.in_save = False
        self.previous: dict[int, Any] = {}

    @property
    def requested(self) -> bool:
        """Whether a signal has asked training to stop."""
        return self.signum is not None

    def __enter__(self) -> StopOnCtrlC:
        if threading.current_thread() is threading.main_thread():
            self.previous = {s: signal.signal(s, self._handle) for s in STOP_SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    @contextmanager
    def saving(self) -> Iterator[None]:
        """A block that signals cannot cut short (they are noted and acted on after it)."""
        self.in_save = True
        try:
            yield
        finally:
            self.in_save = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None and not self.in_save:
            raise KeyboardInterrupt
        self.signum = self.signum or signum


def run(job: Job) -> int:
    """Train the job to its last epoch, saving as asked; 130 if Ctrl-C stopped it, 143 if
    SIGTERM did (after saving, like the first Ctrl-C)."""
    with StopOnCtrlC() as stop:
        try:
            try:
                _train(job, stop)
            except _Interrupted:
                return _save_interrupted(job, stop)
            if job.quiet and job.history.epochs:
                print(epoch_line(job.history.epochs[-1]))
            if job.save_path is not None:
                with stop.saving():
                    save(job, job.save_path, "the network")
        except KeyboardInterrupt:
            where = f"; {job.save_path} keeps its last checkpoint" if job.save_path else ""
            print(f"nudges: interrupted again: stopped without saving{where}", file=sys.stderr)
            return 130
    if stop.signum is not None:
        saved = f"; saved to {job.save_path}" if job.save_path else ""
        print(f"nudges: {_name(stop.signum)} after the last epoch{saved}", file=sys.stderr)
        return 128 + stop.signum
    return 0


def _name(signum: int) -> str:
    return "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"


def _train(job: Job, stop: StopOnCtrlC) -> None:
    """Run the epochs, printing a line for each and checkpointing every N."""
    every, settings = job.checkpoint_every, job.settings
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # NaN/inf: checked
        for report in _epochs(job, stop):
            job.history.epochs.append(report)
            if not job.quiet:
                print(epoch_line(report), flush=True)
            last = report.epoch >= settings.epochs
            if stop.requested and not last:
                raise _Interrupted
            if every and report.epoch % every == 0 and not last and job.save_path:
                with stop.saving():
                    save(job, job.save_path, f"checkpoint {report.epoch}/{settings.epochs}")


def _epochs(job: Job, stop: StopOnCtrlC) -> Any:
    """train_epochs' reports, with a progress bar and the Ctrl-C check after every mini-batch."""
    bar = progress(None, "epoch", enabled=not job.quiet)   # its total: at the first batch

    def on_batch(step: int, total: int) -> None:
        if bar is not None:
            if step == 1:
                bar.reset(total)
            bar.update(1)
        if stop.requested and step < total:     # after the last, stop at the epoch's end
            raise _Interrupted

    try:
        yield from train_epochs(job.network, *job.data.train, job.settings,
                                evaluation=job.data.test, state=job.state, on_batch=on_batch,
                                engine=job.engine)
    finally:
        if bar is not None:
            bar.close()


def save(job: Job, path: Path, what: str) -> None:
    """Write the network with its training state to `path`, its history beside it."""
    if not job.fingerprint:
        job.fingerprint = data_fingerprint(*job.data.train, job.data.name, job.data_path)
        job.fingerprint["dataset"] = describe(job.data)   # format, shape, classes, recipe
    save_checkpoint(path, Checkpoint(job.network, job.settings, job.state, job.history,
                                     job.fingerprint))
    history_path = path.with_name(path.name + ".history.json")
    text = json.dumps(job.history.to_dict(), indent=1).encode()
    write_atomically(history_path, lambda f: f.write(text))
    if not job.quiet or what == "the network":
        print(f"Saved {what} to {path} and its history to {history_path}", file=sys.stderr)


def _save_interrupted(job: Job, stop: StopOnCtrlC) -> int:
    """Save where Ctrl-C (or SIGTERM) stopped, say where that was and how to go on; 130
    (143)."""
    path = job.save_path or Path(INTERRUPTED_FILE)
    with stop.saving():
        save(job, path, "the network and its training state")
    state, settings = job.state, job.settings
    n_batches = settings.batches(len(job.data.train[0]))
    where = (f"after mini-batch {state.step:,} of {n_batches:,} in epoch {state.epoch + 1}"
             if state.step else f"after epoch {state.epoch}")
    signum = stop.signum or signal.SIGINT
    print(f"nudges: {_name(signum)} {where} of {settings.epochs}\n"
          f"resume with: nudges train --resume {shlex.quote(str(path))}", file=sys.stderr)
    return 128 + signum


def epoch_line(r: EpochReport) -> str:
    """'Epoch 3/30  cost 0.041  test 9,412/10,000 (94.12%)  2.1 s'."""
    test = "" if r.total is None else f"  test {percent(r.correct or 0, r.total)}"
    return f"Epoch {r.epoch}/{r.epochs}  cost {r.training_cost:.4f}{test}  {r.seconds:.1f} s"
