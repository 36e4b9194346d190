"""What several subcommands share: the help formatter, data loading, progress, number formats."""

from __future__ import annotations

import argparse
import codecs
import io
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.errors import InvalidInput
from ..data.mnist import Dataset, load_digits, nudges_data_problem
from ..files.atomic import check_target
from ..sweeps import spec
from . import data_args


class Help(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps epilog=EXAMPLES verbatim; every flag shows its default once: "(default: ...)" is
    added unless the help states it already or the default is None (the help says what then)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default is None or "default" in text:
            return text
        return super()._get_help_string(action)


def tolerate_narrow_encodings() -> None:
    """On a terminal that cannot show η or ✓ (PYTHONIOENCODING=ascii, say), print '?' for
    them rather than fail."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        if codecs.lookup(encoding).name != "utf-8" and isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit meets no closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass                                     # not a real file (a test's capture)


def output_folder(path: str, flag: str) -> Path:
    """The folder `flag` names, created if missing; InvalidInput now (before any long work)
    if it is a file or cannot be written to."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"{flag} {path} is a file; expected a folder to write figures into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise InvalidInput(f"{flag} {path}: cannot write there ({e.strerror or e})") from None
    return folder


def output_file(path: str, flag: str) -> Path:
    """The file `flag` names, checked now as a save to it will be (nudges.files.atomic)."""
    try:
        check_target(path)
    except InvalidInput as e:
        raise InvalidInput(f"{flag}: {e}") from None
    return Path(path)


def parse_layers(text: str) -> list[int]:
    """'784,30,10' as [784, 30, 10]; InvalidInput for anything else."""
    try:
        return [int(s) for s in str(text).split(",")]
    except ValueError:
        raise InvalidInput(f"--layers must be comma-separated integers like 784,30,10, "
                           f"got {text!r}") from None


def with_hidden(layers: str, hidden: str, given_layers: str | None) -> str:
    """'784,100,30,10' from the preset's layers and --hidden 100-30 (the data sets the ends)."""
    if given_layers is not None:
        raise InvalidInput("give either --hidden (the hidden layers) or --layers (every layer), "
                           "not both")
    sizes = spec.hidden(hidden)
    ends = str(layers).split(",")
    return ",".join([ends[0], *map(str, sizes), ends[-1]])


def add_command(subparsers: Any, name: str, func: Callable[[argparse.Namespace], int],
                help: str, examples: str) -> argparse.ArgumentParser:
    """A subcommand parser with the house formatter, a description and copyable examples."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help, description=help, epilog="examples:\n" + examples, formatter_class=Help)
    parser.set_defaults(func=func)
    return parser


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """--data PATH, and the flags that say how to read it (cli.data_args)."""
    parser.add_argument("--data", metavar="PATH", default=None,
                        help="a folder of MNIST-format (IDX) files, a folder with one "
                             "sub-folder of images per class, or a .csv/.npz/.npy file "
                             "(default: $NUDGES_DATA, the cache, else the embedded "
                             "5,000-digit sample)")
    parser.add_argument("--download", action="store_true",
                        help="if MNIST is not found, download it into the cache (checksummed)")
    data_args.add_options(parser)


def load_data(args: argparse.Namespace, quiet: bool = False) -> Dataset:
    """The data set the options name, saying in one line (on stderr) when it is the sample."""
    own = data_args.load(args, quiet)
    if own is not None:
        return own
    data = load_digits(args.data, download=args.download)
    if data.name == "mnist-sample" and not quiet:
        note_sample()
    return data


def note_sample() -> None:
    """The one short line saying that the embedded sample stands in for MNIST, and why."""
    why = nudges_data_problem() or ("full MNIST not found (pass --data DIR, set NUDGES_DATA, "
                                    "or add --download)")
    print(f"nudges: {why}; using the embedded 5,000-digit sample", file=sys.stderr)


def short_source(data: Dataset) -> str:
    """Where the data came from, without the reason for falling back to the sample."""
    return data.source.partition(": ")[0] if data.name == "mnist-sample" else data.source


def percent(correct: int, total: int) -> str:
    """'9,412/10,000 (94.12%)'."""
    return f"{correct:,}/{total:,} ({100 * correct / total:.2f}%)"


def progress(total: int | None, description: str, enabled: bool) -> Any:
    """A tqdm bar on stderr when enabled, on a terminal, and tqdm is installed; else None."""
    if not enabled or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=description, unit="batch", leave=False, file=sys.stderr)
