"""The data the page shows: given at startup, or loaded in the background (the digits).

Until it is loaded, the page knows the class names of MNIST (DIGITS) and that it draws
pictures; a view that needs the examples themselves is answered NotReady (503) with the reason.
"""

from __future__ import annotations

from os import PathLike
from typing import Any

from ..core.errors import InvalidInput, NudgesError
from ..data.mnist import Dataset, load_digits

DIGITS = tuple("0123456789")   # the classes while MNIST loads (the only data loaded late)
FULL_MNIST = ("For all 70,000 MNIST digits, restart with `nudges serve --download` (about 12 MB, "
              "checksummed) or `nudges serve --data DIR` (or NUDGES_DATA=DIR), DIR holding "
              "MNIST's four files.")


class NotReady(NudgesError):
    """The digits are still loading, or could not be loaded."""


class NeedsPictures(InvalidInput):
    """A view that draws pictures (the pad, the tour, the nudges, the averaging table) asked
    of a table (answered 422)."""


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


def reason_of(error: Exception) -> str:
    """Why something failed, in one line: a NudgesError's message, else the exception's type
    and message (a background thread has no caller to raise to: the page says why)."""
    return str(error) if isinstance(error, NudgesError) else f"{type(error).__name__}: {error}"


class DataSource:
    """The data set (None until loaded), where it came from (its note), and what the page may
    ask of it."""

    def __init__(self, dataset: Dataset | None = None,
                 path: str | PathLike[str] | None = None, download: bool = False) -> None:
        self.dataset, self.path, self.download = dataset, path, download
        self.note = "loading the data…" if dataset is None else dataset.source

    def load(self) -> Dataset:
        """The data set, loaded now with load_digits (path, download) if it was not given;
        if that fails, the note says why ("no data: …") and the error is raised."""
        if self.dataset is None:
            try:
                dataset = load_digits(self.path, download=self.download)
            except Exception as e:  # NudgesError, or anything a thread cannot raise to anyone
                self.note = f"no data: {reason_of(e)}"
                raise
            self.dataset, self.note = dataset, dataset.source
        return self.dataset

    def loaded(self) -> Dataset:
        """The data set, or NotReady saying why it is not loaded (yet)."""
        if self.dataset is None:
            raise NotReady(f"the data is not available yet ({self.note})")
        return self.dataset

    def pictures(self) -> Dataset:
        """The data set if it is pictures; NeedsPictures for a table, NotReady while loading."""
        data = self.loaded()
        if is_table(data):
            raise NeedsPictures(f"this view needs picture data; {data.name} is a table of "
                                f"{data.shape[0]} features (send a row to /api/forward)")
        return data

    def classes(self) -> tuple[str, ...]:
        """The name of each class (label 0, 1, …): the data's, or the digits' while MNIST loads."""
        return self.dataset.classes if self.dataset is not None else DIGITS

    def kind(self) -> dict[str, Any]:
        """What the page may draw: {"kind": "pictures"} or {"kind": "table", "features": the
        column names}."""
        if self.dataset is None or not is_table(self.dataset):
            return {"kind": "pictures", "features": []}
        return {"kind": "table", "features": list(feature_names(self.dataset))}

    def hint(self) -> str:
        """data_hint for this data and note: how to get full MNIST, if the page should say."""
        return data_hint(self.dataset, self.note)
