"""`nudges serve [MODEL]`: the web page, on this machine, at http://127.0.0.1:8000/."""

from __future__ import annotations

import argparse
import errno
import socket
from typing import Any

from ..core.errors import InvalidInput, shown
from ..data.mnist import Dataset
from ..data.own.recorded import check_fits, recorded
from ..explain.playground import load_csv
from ..files.models import Saved, load_saved
from ..sweeps import spec
from . import data_args
from .common import add_command, add_data_option

EXAMPLES = """\
  nudges serve                          # trains a quick model first (a few seconds)
  nudges serve book.npz                 # a saved model
  nudges serve --port 8080 --data ../shared/data/mnist
  nudges serve --data /usr/share/datasets/fashion-mnist   # clothes: 10 named classes
  nudges serve fashion.npz              # a model trained on --data: served with that data
  nudges serve --data iris.csv --label species   # a table: rows typed or from the test set
  nudges serve --playground             # opens on the playground: 2-D points, every weight
  nudges serve --playground --data points.csv    # its points: rows of x,y,label
"""


def register(subparsers: Any) -> None:
    """Add `nudges serve`."""
    p = add_command(subparsers, "serve", run,
                    "open the web page: draw a digit, see every layer, the nudges, "
                    "and a network learning", EXAMPLES)
    p.add_argument("model", metavar="MODEL", nargs="?", default=None,
                   help="a network saved by `nudges train --save` (default: train a quick "
                        "one in the background)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on; 0.0.0.0 shows the page to your network")
    p.add_argument("--port", type=int, default=8000, help="port to listen on")
    p.add_argument("--hidden", metavar="SIZES", help="the quick model's hidden layers, as train "
                   "and sweep spell them: 30, or 100-30 (default: the video's 16-16)")
    p.add_argument("--playground", action="store_true",
                   help="open on the playground (2-D points, a small network, every weight); "
                        "--data then names a CSV of x,y,label rows for it")
    add_data_option(p)


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; print the URL to open first."""
    check_address(args.host, args.port)
    uvicorn, create_app = _web()
    points = load_csv(args.data) if args.playground and args.data else None
    if points is not None:                 # --data is the playground's; MNIST as ever
        args = argparse.Namespace(**{**vars(args), "data": None})
    saved = load_saved(args.model) if args.model else None
    hidden = quick_hidden(args.hidden, saved is not None)
    data = served_data(args, saved)
    app = create_app(saved.network if saved else None, data, download=args.download,
                     hosts=[args.host], points=points, hidden=hidden)   # misfits: one line
    port = check_port(args.host, args.port)          # --port 0: a free port, chosen now
    host = f"[{args.host}]" if ":" in args.host else args.host
    view = "#playground" if args.playground else ""
    print(f"nudges: open http://{host}:{port}/{view} in a browser (Ctrl-C stops the server)",
          flush=True)
    from ..web.limits import IDLE_SECONDS, MAX_CONNECTIONS

    uvicorn.run(app, host=args.host, port=port, log_level="warning",
                timeout_keep_alive=IDLE_SECONDS, limit_concurrency=MAX_CONNECTIONS)
    return 0


def quick_hidden(text: str | None, loaded: bool) -> tuple[int, ...]:
    """--hidden as sizes (the video's 16-16 if not given); refused beside a MODEL."""
    if text is None:
        return (16, 16)
    if loaded:
        raise InvalidInput("--hidden shapes the quick model; a MODEL has its own layers: "
                           "drop one of them")
    return spec.hidden(text)


def check_address(host: str, port: int) -> None:
    """InvalidInput unless --port is 0 to 65535 (0: any free port) and --host names an
    address (an empty one would mean every address: that takes 0.0.0.0, said out loud)."""
    if not 0 <= port <= 65535:
        raise InvalidInput(f"--port must be from 0 to 65535, got {port}")
    if not host.strip() or any(not c.isprintable() or c.isspace() for c in host):
        raise InvalidInput(f"--host must name an address, such as 127.0.0.1 or (for every "
                           f"address) 0.0.0.0; got {shown(host)!r}")


def served_data(args: argparse.Namespace, saved: Saved | None) -> Dataset | None:
    """The data --data names (read as the flags say), or the data the saved model recorded,
    checked against it; None for MNIST found as ever (loaded by the page's server)."""
    if saved is None:
        return data_args.load(args)
    info = recorded(saved.metadata, args.model)
    data = data_args.load_recorded(args, info)
    if data is not None:
        check_fits(args.model, saved.network, info, data)
    return data


def check_port(host: str, port: int) -> int:
    """The port to listen on (port itself, or a free one for 0), or InvalidInput at once if
    nothing can listen on host:port (another server has it), before it is promised."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as uvicorn does
        try:
            probe.bind((host, port))
        except OSError as e:
            taken = e.errno == errno.EADDRINUSE
            raise InvalidInput(
                f"port {port} on {host} is already in use (another program is listening "
                f"there); pass --port with a free one, e.g. --port {port + 1}" if taken else
                f"cannot listen on {host}:{port}: {e.strerror or e}; check --host and "
                "--port") from None
        return int(probe.getsockname()[1])


def _web() -> tuple[Any, Any]:
    """uvicorn and nudges.web.create_app, or InvalidInput naming the extra to install."""
    try:
        import uvicorn

        from ..web import create_app
    except ImportError as e:
        raise InvalidInput(f"the web page needs the `web` extra ({e.name} is missing): "
                           f"pip install 'nudges[web]'") from None
    return uvicorn, create_app
