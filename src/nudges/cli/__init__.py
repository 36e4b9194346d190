"""The `nudges` command: a thin argparse layer over the library.

Each subcommand lives in its own module with `register(subparsers)` that adds its parser and
sets `func`, a function from the parsed Namespace to an exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..core.errors import NudgesError, shown
from . import evaluate, explain, gradcheck, noise, plot, predict, serve, sweep, train
from .common import Help, silence_stdout, tolerate_narrow_encodings

COMMANDS = [train, evaluate, predict, gradcheck, explain, noise, plot, serve, sweep]

EXAMPLES = """\
examples:
  nudges train                                  # the video's 784-16-16-10 network
  nudges train --preset book --data ../shared/data/mnist --save book.npz
  nudges evaluate book.npz
  nudges predict book.npz my_digit.png
  nudges gradcheck
  nudges explain book.npz --index 8 --figures figures
  nudges noise book.npz
  nudges plot book.npz --out figures
  nudges serve book.npz
  nudges sweep --eta 0.1,0.5,1,3 --lmbda 0,1,5 --hidden 30 --epochs 5
"""


def build_parser() -> argparse.ArgumentParser:
    """The parser for `nudges` and every subcommand."""
    parser = argparse.ArgumentParser(
        prog="nudges", formatter_class=Help, epilog=EXAMPLES,
        description="See what backpropagation is really doing, on handwritten digits.")
    parser.add_argument("--version", action="version", version=f"nudges {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status: 1 for a user's error or too little
    memory, in one line; 130 for Ctrl-C; 141, silently, when the reader of stdout goes away."""
    tolerate_narrow_encodings()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except NudgesError as e:
        print(f"nudges: error: {shown(str(e))}", file=sys.stderr)
        return 1
    except MemoryError as e:
        print(f"nudges: error: not enough memory: {e or 'an allocation failed'}; use smaller "
              "layers or less data, or free some memory", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nudges: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:                      # `nudges ... | head`: the reader has gone
        silence_stdout()
        return 141
