"""The model the page shows: the server's, or the one a session chose for itself ("Use it").

A model is swapped whole, never changed in place, so a request that has taken one keeps a
consistent network; every model shown gets a version of its own, so the page knows when what it
drew is stale. One lock guards the swaps and the sessions' choices.
"""

from __future__ import annotations

import itertools
import threading

from ..core.network import Network

CHOSEN = 64                   # sessions whose own chosen model ("Use it") the server keeps:
                              # the least recently used is forgotten (and the page told so)
FORGOTTEN = 4096              # sessions remembered as having had their model forgotten


class Served:
    """The server's model and its version (a new one whenever the model shown changes), and
    each session's own chosen model, the least recently used forgotten past CHOSEN."""

    def __init__(self, model: Network) -> None:
        self.model, self.version = model, 1
        self._versions = itertools.count(2)    # every model shown gets a version of its own
        self.chosen: dict[str, tuple[Network, int, str]] = {}    # session: (net, version, note)
        self.forgotten: dict[str, bool] = {}     # sessions whose chosen model was forgotten
        self._lock = threading.Lock()

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

    def choice(self, session: str | None) -> tuple[str | None, bool]:
        """This session's own model's note (None if it sees the server's), and whether it had
        chosen one that was forgotten since."""
        own = self.chosen.get(session or "")
        return (own[2] if own else None), session in self.forgotten and own is None
