"""The sessions' playgrounds: at most SESSIONS of them, each used by one request at a time.

Each browser session (its X-Nudges-Session header) has its own Playground and its own uploaded
points; the least recently configured are forgotten first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..core.errors import InvalidInput, NudgesError
from ..explain.playground import Split
from .playground import Config, Playground
from .runs import Busy

SESSIONS = 32                 # playgrounds kept; the least recently used is forgotten


class Unconfigured(NudgesError):
    """The session has not configured a playground yet (answered 404)."""


class Playgrounds:
    """The sessions' playgrounds (at most SESSIONS), and the points given at startup."""

    def __init__(self, points: Split | None = None) -> None:
        self.points = points
        self.uploads: dict[str, Split] = {}
        self._all: dict[str, Playground] = {}
        self._lock = threading.Lock()

    def configure(self, session: str, config: Config) -> Playground:
        """A fresh playground for this session (replacing its old one)."""
        uploaded = self.uploads.get(session, self.points)
        if config.data == "csv" and uploaded is None:
            raise InvalidInput("data 'csv' needs points: upload a CSV of x,y,label rows first "
                               "(or start with nudges serve --playground --data points.csv)")
        playground = Playground(config, uploaded)
        with self._lock:
            self._all.pop(session, None)
            self._all[session] = playground
            while len(self._all) > SESSIONS:
                self._all.pop(next(iter(self._all)))
        return playground

    def upload(self, session: str, points: Split) -> None:
        with self._lock:
            self.uploads.pop(session, None)
            self.uploads[session] = points
            while len(self.uploads) > SESSIONS:
                self.uploads.pop(next(iter(self.uploads)))

    def get(self, session: str) -> Playground:
        with self._lock:
            playground = self._all.get(session)
        if playground is None:
            raise Unconfigured("this session has no playground yet; POST /api/playground/"
                               "configure first")
        return playground


@contextmanager
def locked(playground: Playground, wait: float = 5.0) -> Iterator[Playground]:
    """The playground, its lock held (Busy, 429, if another request holds it past `wait`)."""
    if not playground.lock.acquire(timeout=wait):
        raise Busy("this playground is busy with another request; try again")
    try:
        yield playground
    finally:
        playground.lock.release()
