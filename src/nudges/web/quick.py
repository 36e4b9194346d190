"""The quick model: without a model, the server trains one in the background at startup (the
video's network, on whatever data is found) and publishes each improvement as it comes, so the
page works at once and watches the quick model get better.
"""

from __future__ import annotations

import math
import threading

from ..core.network import Network
from ..data.mnist import Dataset
from ..training.settings import Settings
from .data_source import DataSource, reason_of
from .runs import Run
from .served import Served

QUICK_EXAMPLES = 100_000      # the quick model sees about this many examples (2 to 30 epochs)
NAMES = {"mnist": "MNIST", "mnist-sample": "the MNIST sample"}


def video_network(seed: int = 0, classes: int = 10, inputs: int = 784,
                  hidden: tuple[int, ...] = (16, 16)) -> Network:
    """The video's 784-16-16-10 sigmoid network with the quadratic cost (with one output per
    class of other 28x28 pictures, one input per feature of a table, or other hidden layers)."""
    return Network([inputs, *hidden, classes], seed=seed)


def quick_settings(n_train: int) -> Settings:
    """SGD as in the book (batch 10, η = 3) for about QUICK_EXAMPLES examples; with fewer
    than 10 training examples, one batch of them all."""
    epochs = min(30, max(2, math.ceil(QUICK_EXAMPLES / max(1, n_train))))
    return Settings(epochs=epochs, batch_size=max(1, min(10, n_train)), eta=3.0, seed=0)


class QuickModel:
    """The startup thread that loads the data and (if `training`) trains the served model
    onwards, publishing each improvement; its progress (0 to 1) and the server model's note."""

    def __init__(self, served: Served, data: DataSource, training: bool) -> None:
        self.served, self.data, self.training = served, data, training
        self.progress = 0.0
        self.note = "untrained: training a quick model…" if training else "loaded"
        self._run: Run | None = None
        self._closing = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._startup, name="nudges-startup", daemon=True)

    def open(self) -> None:
        """Load the data and train the quick model, as needed, in a background thread."""
        if self.data.dataset is None or self.training:
            self._thread.start()

    def close(self) -> None:
        """Stop the quick model and wait for the thread."""
        with self._lock:
            self._closing = True
            run = self._run
        if run is not None:
            run.control("stop")
        self.join(30)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to end (if it was started)."""
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def _startup(self) -> None:
        try:
            data = self.data.load()
        except Exception as e:  # the note says why (DataSource.load)
            self._done(f"untrained: no data to train on ({reason_of(e)})")
            return
        if self.training:
            try:
                self._train(data)
            except Exception as e:  # a thread has no caller to raise to: the page says why
                self._done(f"untrained: the quick model could not train ({reason_of(e)})")

    def _train(self, data: Dataset) -> None:
        net = self.served.model.copy()
        run = Run(net, quick_settings(len(data.train[1])), data, "quick", publish=self._publish)
        with self._lock:
            if self._closing:
                return
            self._run = run
        run.run_here()
        accuracy = f", {run.epochs[-1]['test_accuracy']:.1f}% right on the test set" \
            if run.epochs else ""
        name = NAMES.get(data.name, data.name)
        self._done(f"quick model, {len(run.epochs)} epochs on {name}{accuracy}")

    def _publish(self, run: Run) -> None:
        if self.training:
            self.served.set_model(run.net.copy())
            self.progress = run.seen / run.total

    def _done(self, note: str) -> None:
        if self.training:
            self.training, self.note = False, note
