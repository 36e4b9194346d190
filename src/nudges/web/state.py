"""What the server holds: the model the page shows, the digits, and everyone's training runs.

Without a model, a quick one is trained in the background at startup (the video's network, on
whatever data is found), and each improvement is published as it comes, so the page works at
once and watches the quick model get better. The model is swapped whole, never changed in place,
so a request that has taken it keeps a consistent network.
"""

from __future__ import annotations

import itertools
import math
import threading
from os import PathLike
from typing import Any

from ..data import Dataset, load_digits
from ..errors import InvalidInput, NudgesError
from ..network import Network
from ..training import Settings
from .runs import Run, Runs

QUICK_EXAMPLES = 100_000      # the quick model sees about this many examples (2 to 30 epochs)
CHOSEN = 64                   # sessions whose own chosen model ("Use it") the server keeps:
                              # the least recently used is forgotten (and the page told so)
FORGOTTEN = 4096              # sessions remembered as having had their model forgotten
NAMES = {"mnist": "MNIST", "mnist-sample": "the MNIST sample"}
FULL_MNIST = ("For all 70,000 MNIST digits, restart with `nudges serve --download` (about 12 MB, "
              "checksummed) or `nudges serve --data DIR` (or NUDGES_DATA=DIR), DIR holding "
              "MNIST's four files.")


class NotReady(NudgesError):
    """The digits are still loading, or could not be loaded."""


class NeedsPictures(InvalidInput):
    """A view that draws pictures (the pad, the tour, the nudges, the averaging table) asked
    of a table (answered 422)."""


DIGITS = tuple("0123456789")   # the classes while MNIST loads (the only data loaded late)


def video_network(seed: int = 0, classes: int = 10, inputs: int = 784,
                  hidden: tuple[int, ...] = (16, 16)) -> Network:
    """The video's 784-16-16-10 sigmoid network with the quadratic cost (with one output per
    class of other 28x28 pictures, one input per feature of a table, or other hidden layers)."""
    return Network([inputs, *hidden, classes], seed=seed)


def is_table(data: Dataset | None) -> bool:
    """Whether data is a table (one example is a row of features), not pictures."""
    return data is not None and len(data.shape) == 1


def feature_names(data: Dataset) -> tuple[str, ...]:
    """A table's column names as its recipe records them, else "feature 1", "feature 2", …"""
    names = data.recipe.get("features")
    n = data.shape[0]
    if isinstance(names, list) and len(names) == n:
        return tuple(str(name) for name in names)
    return tuple(f"feature {i + 1}" for i in range(n))


def data_hint(data: Dataset | None, note: str) -> str:
    """What the page says, in plain sight, about the digits: how to get full MNIST when it
    shows the embedded sample or has no digits; nothing while loading or with other data."""
    if data is None:
        return f"{note[0].upper()}{note[1:]}. {FULL_MNIST}" if note.startswith("no data") else ""
    if data.name != "mnist-sample":
        return ""
    return f"These are the 5,000 MNIST digits that ship with nudges. {FULL_MNIST}"


def quick_settings(n_train: int) -> Settings:
    """SGD as in the book (batch 10, η = 3) for about QUICK_EXAMPLES examples; with fewer
    than 10 training examples, one batch of them all."""
    epochs = min(30, max(2, math.ceil(QUICK_EXAMPLES / max(1, n_train))))
    return Settings(epochs=epochs, batch_size=max(1, min(10, n_train)), eta=3.0, seed=0)


class Hub:
    """The served model (with a version that changes when it does), the data and the runs."""

    def __init__(self, model: Network | None = None, data: Dataset | None = None,
                 data_path: str | PathLike[str] | None = None, download: bool = False,
                 hidden: tuple[int, ...] = (16, 16)) -> None:
        self.model = model if model is not None else video_network(
            classes=len(data.classes) if data is not None else len(DIGITS),
            inputs=data.train[0].shape[1] if data is not None else 784, hidden=hidden)
        self.version = 1
        self._versions = itertools.count(2)    # every model shown gets a version of its own
        self.training_quick = model is None
        self.quick_progress = 0.0
        self.model_note = "loaded" if model is not None else "untrained: training a quick model…"
        self.data, self.data_path, self.download = data, data_path, download
        self.data_note = "loading the data…" if data is None else data.source
        self.runs = Runs()
        self.chosen: dict[str, tuple[Network, int, str]] = {}    # session: (net, version, note)
        self.forgotten: dict[str, bool] = {}     # sessions whose chosen model was forgotten
        self._quick: Run | None = None
        self._closing = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._startup, name="nudges-startup", daemon=True)

    # -- lifecycle -------------------------------------------------------------------------
    def open(self) -> None:
        """Load the data and train the quick model, as needed, in a background thread."""
        if self.data is None or self.training_quick:
            self._thread.start()

    def close(self) -> None:
        """Stop the quick model and every run, and wait for their threads."""
        with self._lock:
            self._closing = True
            quick = self._quick
        if quick is not None:
            quick.control("stop")
        if self._thread.ident is not None:
            self._thread.join(30)
        self.runs.close()

    def _startup(self) -> None:
        if self.data is None:
            try:
                data = load_digits(self.data_path, download=self.download)
            except Exception as e:  # NudgesError, or anything a thread cannot raise to anyone
                reason = str(e) if isinstance(e, NudgesError) else f"{type(e).__name__}: {e}"
                self.data_note = f"no data: {reason}"
                self._quick_done(f"untrained: no data to train on ({reason})")
                return
            self.data, self.data_note = data, data.source
        if self.training_quick:
            try:
                self._train_quick(self.data)
            except Exception as e:  # a thread has no caller to raise to: the page says why
                reason = str(e) if isinstance(e, NudgesError) else f"{type(e).__name__}: {e}"
                self._quick_done(f"untrained: the quick model could not train ({reason})")

    def _train_quick(self, data: Dataset) -> None:
        net = self.model.copy()
        run = Run(net, quick_settings(len(data.train[1])), data, "quick", publish=self._publish)
        with self._lock:
            if self._closing:
                return
            self._quick = run
        run.run_here()
        accuracy = f", {run.epochs[-1]['test_accuracy']:.1f}% right on the test set" \
            if run.epochs else ""
        name = NAMES.get(data.name, data.name)
        self._quick_done(f"quick model, {len(run.epochs)} epochs on {name}{accuracy}")

    def _publish(self, run: Run) -> None:
        if self.training_quick:
            self.set_model(run.net.copy())
            self.quick_progress = run.seen / run.total

    def _quick_done(self, note: str) -> None:
        if self.training_quick:
            self.training_quick, self.model_note = False, note

    # -- access ----------------------------------------------------------------------------
    def set_model(self, net: Network) -> None:
        """Serve net from now on."""
        with self._lock:
            self.model, self.version = net, next(self._versions)

    def use(self, session: str, net: Network, note: str) -> None:
        """Show net to this session only, from now on (the least recently used choice is
        forgotten past CHOSEN sessions); every other visitor keeps the server's model."""
        with self._lock:
            self.chosen.pop(session, None)
            self.forgotten.pop(session, None)
            self.chosen[session] = (net, next(self._versions), note)
            while len(self.chosen) > CHOSEN:
                self.forgotten[next(iter(self.chosen))] = True
                self.chosen.pop(next(iter(self.chosen)))
            while len(self.forgotten) > FORGOTTEN:
                self.forgotten.pop(next(iter(self.forgotten)))

    def forget(self, session: str) -> None:
        """Show this session the server's model again."""
        with self._lock:
            self.chosen.pop(session, None)
            self.forgotten.pop(session, None)

    def current(self, session: str | None = None) -> tuple[Network, int]:
        """The model this session sees (its own choice, now its most recently used, else the
        server's) and its version."""
        with self._lock:
            own = self.chosen.pop(session, None) if session is not None else None
            if own is not None and session is not None:
                self.chosen[session] = own
                return own[0], own[1]
            return self.model, self.version

    def classes(self) -> tuple[str, ...]:
        """The name of each class (label 0, 1, …): the data's, or the digits' while MNIST loads."""
        return self.data.classes if self.data is not None else DIGITS

    def kind(self) -> dict[str, Any]:
        """What the page may draw: {"kind": "pictures"} or {"kind": "table", "features": the
        column names}."""
        if self.data is None or not is_table(self.data):
            return {"kind": "pictures", "features": []}
        return {"kind": "table", "features": list(feature_names(self.data))}

    def digits(self) -> Dataset:
        """The data set, or NotReady saying why not."""
        if self.data is None:
            raise NotReady(f"the data is not available yet ({self.data_note})")
        return self.data

    def pictures(self) -> Dataset:
        """The data set if it is pictures; NeedsPictures for a table, NotReady while loading."""
        data = self.digits()
        if is_table(data):
            raise NeedsPictures(f"this view needs picture data; {data.name} is a table of "
                                f"{data.shape[0]} features (send a row to /api/forward)")
        return data

    def status(self, session: str | None = None) -> dict[str, Any]:
        """For the page's banner: the model's version and note (this session's own choice, if
        it made one: then `own` is true), the data's source and class names, and how to get
        full MNIST if the page shows the sample or no digits (data_hint)."""
        net, version = self.current(session)
        own = self.chosen.get(session or "")
        test = 0 if self.data is None else len(self.data.test[1])
        return {"version": version, "sizes": list(net.sizes),
                "model": own[2] if own else self.model_note, "own": own is not None,
                "forgotten": session in self.forgotten and own is None,
                "server_model": self.model_note,
                "training_quick": self.training_quick, "progress": self.quick_progress,
                "data": self.data_note, "data_ready": self.data is not None, "n_test": test,
                "classes": list(self.classes()), **self.kind(),
                "data_hint": data_hint(self.data, self.data_note)}
