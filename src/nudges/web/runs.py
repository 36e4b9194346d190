"""Training runs in background threads, one per page session: start, pause, step, stop.

A run drives train.run_epoch one epoch at a time; after every mini-batch its on_batch hook
records a point on the cost curve (at most a few per second), then waits while the run is
paused. Stopping raises Cancelled from that hook, so a run ends within one mini-batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import optimizers
from ..core.checks import as_batch, as_targets
from ..core.errors import NudgesError
from ..core.network import Network
from ..data.mnist import Dataset
from ..training.settings import Settings, State
from ..training.sgd import measure, run_epoch
from .follow import FOLLOW_SECONDS, next_batch

PROBE = 1000           # validation rows behind each point of the live cost curve
CHUNK = 1000           # rows per measurement, so stopping never waits for a whole test set
RECORD_EVERY = 0.25    # seconds between points while running, at the most
POINTS = 300           # points over a whole run, at the least
MAX_POINTS = 600       # then every other point is dropped and points come half as often
SLOW = 0.02            # seconds between mini-batches in slow motion
MAX_RUNS = 2           # runs training at once, over all sessions
KEEP = 64              # sessions whose runs are kept (least recently used forgotten)


class Busy(NudgesError):
    """Too many runs are training at once."""


class NoRun(NudgesError):
    """The session has no run."""


class Cancelled(Exception):
    """Raised inside a run's on_batch hook to stop it."""


@dataclass(frozen=True)
class Split:
    """Rows checked and converted once: inputs, one-hot targets and labels."""

    x: np.ndarray
    targets: np.ndarray
    labels: np.ndarray

    @classmethod
    def of(cls, net: Network, x: np.ndarray, y: np.ndarray) -> Split:
        x = as_batch(x, net.sizes[0], net.dtype)
        return cls(x, *as_targets(y, net.sizes[-1], len(x), net.dtype))


def probe_rows(data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The first PROBE validation rows (test rows if there is no validation split)."""
    x, y = data.validation if len(data.validation[1]) else data.test
    return x[:PROBE], y[:PROBE]


class Run:
    """Trains `net` in place on data.train with `settings`; reports points and epochs."""

    def __init__(self, net: Network, settings: Settings, data: Dataset, name: str,
                 publish: Callable[[Run], None] | None = None, slow: bool = False,
                 follow: bool = False) -> None:
        self.net, self.name, self.publish = net, name, publish
        self.train = Split.of(net, *data.train)
        self.settings = settings.check(len(self.train.x))
        self.probe = Split.of(net, *probe_rows(data))
        self.test = Split.of(net, *data.test)
        self.state, self.message, self.seen = "running", "", 0
        self.points: list[list[float]] = []
        self.epochs: list[dict[str, float]] = []
        self._cond = threading.Condition()
        self._paused, self._permits, self._cancel = False, 0, False
        self.slow, self.follow = slow, follow                     # follow: a step a second
        self.batch: dict[str, Any] | None = None                   # the next step's, to show
        self._every, self._last = RECORD_EVERY, 0.0
        self._spacing, self._last_seen = max(1, self.total // POINTS), 0
        self._gap = 0.0                              # seconds: measuring takes <= 1/5 of the time
        self._thread = threading.Thread(target=self.work, name=f"nudges-{name}", daemon=True)

    @property
    def total(self) -> int:
        """Examples in the whole run."""
        return self.settings.epochs * len(self.train.x)

    def start(self) -> Run:
        """Record the untrained point and start the thread."""
        self._record()
        self._thread.start()
        return self

    def run_here(self) -> None:
        """Record the untrained point and train in this thread, until done or stopped."""
        self._record()
        self.work()

    def work(self) -> None:
        """Train to the end, or until stopped; never raises (the outcome goes in state)."""
        state = State.start(self.net, self.settings.seed, self.settings.optimizer_name)
        self._state = state
        try:
            while state.epoch < self.settings.epochs:
                run_epoch(self.net, self.train.x, self.train.targets, self.settings, state,
                          self._on_batch)
                self._end_epoch(state.epoch)
            self._finish("done", f"finished {self.settings.epochs} epochs")
        except Cancelled:
            self._finish("stopped", "stopped")
        except NudgesError as e:
            self._finish("failed", str(e))
        except Exception as e:  # a thread has no caller to raise to: the page shows it
            self._finish("failed", f"{type(e).__name__}: {e}")

    def _on_batch(self, step: int, n_batches: int) -> None:
        self.seen += min(self.settings.batch_size, len(self.train.x) -
                         (step - 1) * self.settings.batch_size)
        since = time.monotonic() - self._last
        if since >= self._gap and (since >= self._every
                                   or self.seen - self._last_seen >= self._spacing):
            self._record()
            time.sleep(0.001)                        # let the server's threads answer
        if self.slow:
            time.sleep(SLOW)
        if self.follow:
            self._show_next(step < n_batches)
        self._gate()

    def _show_next(self, more: bool) -> None:
        """The next step's batch for the page (none at an epoch's end, before the next
        shuffle), then FOLLOW_SECONDS to look at it, or less if stopped."""
        batch = next_batch(self.net, self.train.x, self.train.labels, self._state,
                           self.settings.batch_size) if more else None
        with self._cond:
            self.batch = batch
            self._cond.wait_for(lambda: self._cancel, FOLLOW_SECONDS)

    def _gate(self) -> None:
        """Wait while paused; let one more mini-batch through per `step`; raise when stopped."""
        with self._cond:
            while self._paused and self._permits == 0 and not self._cancel:
                self._cond.wait()
            if self._cancel:
                raise Cancelled
            if self._permits:
                self._permits -= 1
                self._last, self._gap = 0.0, 0.0     # record the stepped batch at once

    def _measure(self, split: Split) -> tuple[float, float]:
        """(mean cost, accuracy in %) over split, a chunk at a time, checking for a stop."""
        cost, correct = 0.0, 0
        for start in range(0, len(split.x), CHUNK):
            if self._cancel:
                raise Cancelled
            part = slice(start, start + CHUNK)
            c, k = measure(self.net, split.x[part], split.targets[part], split.labels[part])
            cost, correct = cost + c * len(split.x[part]), correct + k
        return cost / len(split.x), 100 * correct / len(split.x)

    def _record(self) -> None:
        start = time.monotonic()
        cost, accuracy = self._measure(self.probe)
        self._gap = 4 * (time.monotonic() - start)
        with self._cond:
            self.points.append([self.seen, round(cost, 6), round(accuracy, 2)])
            if len(self.points) > MAX_POINTS:
                self.points = self.points[::2]
                self._every, self._spacing = 2 * self._every, 2 * self._spacing
        self._last, self._last_seen = time.monotonic(), self.seen
        if self.publish is not None:
            self.publish(self)

    def _end_epoch(self, epoch: int) -> None:
        self._record()
        cost, accuracy = self._measure(self.test)
        with self._cond:
            self.epochs.append({"epoch": epoch, "seen": self.seen, "test_cost": cost,
                                "test_accuracy": accuracy})

    def _finish(self, state: str, message: str) -> None:
        with self._cond:
            self.state, self.message = state, message
        if self.publish is not None:
            self.publish(self)

    def control(self, action: str) -> None:
        """pause, resume, step (one mini-batch, then paused) or stop."""
        with self._cond:
            if action == "stop":
                self._cancel = True
            elif action == "step":
                self._paused, self._permits = True, self._permits + 1
            else:
                self._paused = action == "pause"
            if self.state in ("running", "paused"):
                self.state = "paused" if self._paused else "running"
            self._cond.notify_all()

    @property
    def alive(self) -> bool:
        """Whether the thread is still working."""
        return self._thread.is_alive()

    def join(self, timeout: float = 30.0) -> None:
        """Wait for the thread to end (it must have been started)."""
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def snapshot(self) -> dict[str, Any]:
        """The run's state, curve and epochs, copied under the lock."""
        with self._cond:
            return {"state": self.state, "message": self.message, "seen": self.seen,
                    "total": self.total, "probe": len(self.probe.x),
                    "points": [list(p) for p in self.points],
                    "epochs": list(self.epochs), "sizes": list(self.net.sizes),
                    "settings": self._settings(), "batch": self.batch}

    def _settings(self) -> dict[str, Any]:
        """η, epochs, batch size, pace, the optimizer and the settings it uses."""
        s, optimizer = self.settings, optimizers.optimizer_named(self.settings.optimizer_name)
        return {"eta": s.eta, "epochs": s.epochs, "batch_size": s.batch_size, "slow": self.slow,
                "follow": self.follow,
                "optimizer": optimizer.name, **{n: getattr(s, n) for n in optimizer.uses}}


class Runs:
    """The runs of all sessions: one per session; at most `limit` threads training at once,
    counted over every run ever started (a replaced run counts until its thread has ended);
    the finished runs of the KEEP sessions that used theirs most recently are kept."""

    def __init__(self, limit: int = MAX_RUNS) -> None:
        self.limit = limit
        self._runs: dict[str, Run] = {}           # least recently used first
        self._live: list[Run] = []                # every started run whose thread may work
        self._lock = threading.Lock()             # the dictionaries
        self._starting = threading.Lock()         # one start or replacement at a time

    def start(self, session: str, make: Callable[[], Run]) -> Run:
        """Stop and join the session's old run, then start make() unless `limit` runs are
        training; all under one lock, so concurrent starts cannot pass the bound."""
        with self._starting:
            with self._lock:
                old = self._runs.pop(session, None)
            if old is not None:
                old.control("stop")
                old.join()
            self._live = [r for r in self._live if r.alive]
            if len(self._live) >= self.limit:
                raise Busy(f"{self.limit} networks are training already; stop one first")
            run = make()
            with self._lock:
                self._runs[session] = run
                self._evict(session)
            self._live.append(run)
            return run.start()

    def _evict(self, session: str) -> None:
        """Forget the least recently used finished runs past KEEP (never a live one)."""
        finished = [s for s, r in self._runs.items() if not r.alive and s != session]
        for name in finished[:max(0, len(self._runs) - KEEP)]:
            del self._runs[name]

    def get(self, session: str) -> Run:
        """The session's run (now its most recently used), or NoRun."""
        with self._lock:
            run = self._runs.pop(session, None)
            if run is not None:
                self._runs[session] = run
        if run is None:
            raise NoRun("this page has no training run: it has not started one (press "
                        f"Start), or it was forgotten after {KEEP} other pages used theirs")
        return run

    def live(self) -> int:
        """How many runs' threads are still working (replaced ones included)."""
        with self._starting:
            return sum(r.alive for r in self._live)

    def close(self) -> None:
        """Stop every run and wait for its thread."""
        with self._starting, self._lock:
            runs = list({id(r): r for r in [*self._runs.values(), *self._live]}.values())
        for run in runs:
            run.control("stop")
        for run in runs:
            run.join()
