"""What bounds the server's work: body size, heavy requests at once, and the hosts it answers.

BodyLimit reads the whole body first (at most `limit` bytes, whatever Content-Length claims),
then replays it to the app, so no handler ever sees a huge payload. HeavyWork lets a few
heavy requests compute at once and turns the rest away (429, Retry-After) at once, so that
light requests keep their threads. allowed_hosts lists the Host headers to answer (against
DNS rebinding: a page on attacker.example whose name now points at 127.0.0.1).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from typing import Any

from ..core.errors import NudgesError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


HEAVY_SLOTS = 2          # heavy requests computing at once; more get 429
IDLE_SECONDS = 5         # a kept-alive connection that sends nothing for this long is closed
MAX_CONNECTIONS = 200    # open connections and requests at once; beyond them, 503 at once
RETRY_AFTER = 2          # seconds, in the 429's Retry-After header
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")
ANY_ADDRESS = ("0.0.0.0", "::", "")


class Overloaded(NudgesError):
    """Too many heavy requests at once (HTTP 429 with Retry-After)."""


class HeavyWork:
    """At most `slots` heavy requests at once; one more raises Overloaded without waiting."""

    def __init__(self, slots: int = HEAVY_SLOTS) -> None:
        self._free = threading.BoundedSemaphore(slots)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for the block, or raise Overloaded at once."""
        if not self._free.acquire(blocking=False):
            raise Overloaded("the server is busy with other heavy requests; try again in "
                             f"{RETRY_AFTER} seconds")
        try:
            yield
        finally:
            self._free.release()


def allowed_hosts(hosts: Sequence[str]) -> list[str]:
    """Host names to answer: this machine's loopback names and `hosts` (the --host value);
    for 0.0.0.0 or :: (every interface, the user's choice) also this machine's names."""
    names = [*LOCAL_HOSTS, *(f"[{h}]" if ":" in h else h for h in hosts)]
    if any(h in ANY_ADDRESS for h in hosts):
        names += [socket.gethostname(), socket.getfqdn()]
        try:
            names += [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)]
        except OSError:
            pass
    return sorted(set(names))


class BodyLimit:
    """Wraps `app`; a body over `limit` bytes gets 413 {"error": ...}."""

    def __init__(self, app: App, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        claimed = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not claimed.isdigit() or int(claimed) > self.limit:
            await self._refuse(send)
            return
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return                                   # the client went away
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await self._refuse(send)
                return
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _refuse(self, send: Send) -> None:
        text = json.dumps({"error": f"request body too large: the limit is "
                                    f"{self.limit:,} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(text)).encode())]})
        await send({"type": "http.response.body", "body": text})


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives `body` once, then defers to the real one (for disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}
    return replay


def log_once(default: Callable[[dict[str, Any]], None]
             ) -> Callable[[Any, dict[str, Any]], None]:
    """An event loop's exception handler that passes on the first error of each kind of
    message ('socket.accept() out of system resource', when the open-file limit is reached)
    and drops the repeats, so that a flood of failed accepts logs one line, not one per try."""
    seen: set[str] = set()

    def handler(loop: Any, context: dict[str, Any]) -> None:
        kind = str(context.get("message", ""))
        if "accept" in kind and kind in seen:
            return
        seen.add(kind)
        default(context)
    return handler
