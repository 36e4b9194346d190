"""What the server holds: the model the page shows, the data, the quick model and everyone's
training runs, one object of each (ServerState), made at startup and kept on the app."""

from __future__ import annotations

from os import PathLike
from typing import Any

from ..core.network import Network
from ..data.mnist import Dataset
from .data_source import DIGITS, DataSource
from .quick import QuickModel, video_network
from .runs import Runs
from .served import Served


class ServerState:
    """The app's state: the served model (Served), the data (DataSource), the quick model's
    startup thread (QuickModel) and the runs; the banner's status is made from them."""

    def __init__(self, model: Network | None = None, data: Dataset | None = None,
                 data_path: str | PathLike[str] | None = None, download: bool = False,
                 hidden: tuple[int, ...] = (16, 16)) -> None:
        self.served = Served(model if model is not None else video_network(
            classes=len(data.classes) if data is not None else len(DIGITS),
            inputs=data.train[0].shape[1] if data is not None else 784, hidden=hidden))
        self.data = DataSource(data, data_path, download)
        self.quick = QuickModel(self.served, self.data, training=model is None)
        self.runs = Runs()

    def open(self) -> None:
        """Load the data and train the quick model, as needed, in a background thread."""
        self.quick.open()

    def close(self) -> None:
        """Stop the quick model and every run, and wait for their threads."""
        self.quick.close()
        self.runs.close()

    def status(self, session: str | None = None) -> dict[str, Any]:
        """For the page's banner: the model's version and note (this session's own choice, if
        it made one: then `own` is true), the data's source and class names, and how to get
        full MNIST if the page shows the sample or no digits (data_hint)."""
        net, version = self.served.current(session)
        own, forgotten = self.served.choice(session)
        dataset = self.data.dataset
        return {"version": version, "sizes": list(net.sizes),
                "model": own if own is not None else self.quick.note, "own": own is not None,
                "forgotten": forgotten, "server_model": self.quick.note,
                "training_quick": self.quick.training, "progress": self.quick.progress,
                "data": self.data.note, "data_ready": dataset is not None,
                "n_test": 0 if dataset is None else len(dataset.test[1]),
                "classes": list(self.data.classes()), **self.data.kind(),
                "data_hint": self.data.hint()}
