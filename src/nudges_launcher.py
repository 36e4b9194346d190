"""The `nudges` command's entry point, outside the package: importing nudges (NumPy and the
rest) takes a moment, and Ctrl-C then must still end in one line, not a traceback.

The console script imports only this module, then main() imports nudges.cli.
"""

from __future__ import annotations

import sys


def main() -> int:
    """nudges.cli.main(), or 130 and one line when interrupted while nudges is imported."""
    try:
        from nudges.cli import main as cli
    except KeyboardInterrupt:
        print("nudges: interrupted", file=sys.stderr)
        return 130
    return cli()
