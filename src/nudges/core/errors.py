"""The one exception family that nudges raises for things a user can cause."""

from __future__ import annotations

import os


class NudgesError(Exception):
    """Base of every error nudges raises on purpose; the CLI prints it in one line."""


class InvalidInput(NudgesError, ValueError):
    """An argument, array, file or setting is not what nudges expects."""


class DataError(InvalidInput):
    """A data file or directory is missing, truncated or not in the expected format."""


class DataNotFound(DataError):
    """No copy of a data set could be found (or downloaded) where nudges looked."""


class ModelFileError(InvalidInput):
    """A saved model file is missing, corrupt, tampered with or from a newer format."""


class TrainingDiverged(NudgesError, ArithmeticError):
    """The cost or a gradient became NaN or infinite during training."""


def shown(name: object) -> str:
    """A user's file name (or any text) for one line: control characters escaped (\\n, \\x1b),
    so a name cannot split an error line or reach the terminal as an escape sequence."""
    text = os.fsdecode(name) if isinstance(name, bytes | os.PathLike) else str(name)
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace")
                   .decode("ascii") for c in text)
