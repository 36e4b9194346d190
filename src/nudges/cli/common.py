"""What several subcommands share: the help formatter, data loading, progress, number formats."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..data import Dataset, load_digits
from ..errors import InvalidInput


class Help(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps epilog=EXAMPLES verbatim; every flag shows its default once: "(default: ...)" is
    added unless the help states it already or the default is None (the help says what then)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default is None or "default" in text:
            return text
        return super()._get_help_string(action)


def parse_layers(text: str) -> list[int]:
    """'784,30,10' as [784, 30, 10]; InvalidInput for anything else."""
    try:
        return [int(s) for s in str(text).split(",")]
    except ValueError:
        raise InvalidInput(f"--layers must be comma-separated integers like 784,30,10, "
                           f"got {text!r}") from None


def add_command(subparsers: Any, name: str, func: Callable[[argparse.Namespace], int],
                help: str, examples: str) -> argparse.ArgumentParser:
    """A subcommand parser with the house formatter, a description and copyable examples."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help, description=help, epilog="examples:\n" + examples, formatter_class=Help)
    parser.set_defaults(func=func)
    return parser


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """--data DIR."""
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="folder with the four MNIST-format files (default: $NUDGES_DATA, "
                             "the cache, else the embedded 5,000-digit sample)")
    parser.add_argument("--download", action="store_true",
                        help="if MNIST is not found, download it into the cache (checksummed)")


def load_data(args: argparse.Namespace, quiet: bool = False) -> Dataset:
    """The data set the options name, saying in one line (on stderr) when it is the sample."""
    data = load_digits(args.data, download=args.download)
    if data.name == "mnist-sample" and not quiet:
        print(f"nudges: using {data.source}", file=sys.stderr)
    return data


def percent(correct: int, total: int) -> str:
    """'9,412/10,000 (94.12%)'."""
    return f"{correct:,}/{total:,} ({100 * correct / total:.2f}%)"


def progress(total: int, description: str, enabled: bool) -> Any:
    """A tqdm bar on stderr when enabled, on a terminal, and tqdm is installed; else None."""
    if not enabled or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=description, unit="batch", leave=False, file=sys.stderr)
