"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

# scikit-learn's estimator checks skip their array-API cases unless SciPy is told to support it
# (its own skip reason, "SCIPY_ARRAY_API is not set", names a path in the venv): run them instead.
# SciPy reads the variable when it is first imported, which is after this file is.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

NO_MNIST = ("full MNIST not found: set NUDGES_DATA to a folder with the four MNIST files "
            "(e.g. ../shared/data/mnist)")


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder $NUDGES_DATA names (or its mnist/), if it holds full MNIST; else skip."""
    from nudges.data import find_data_dir, nudges_data_problem
    from nudges.errors import DataNotFound

    env = os.environ.get("NUDGES_DATA")
    for candidate in (Path(env), Path(env) / "mnist") if env else ():
        try:
            found = find_data_dir(candidate)
        except DataNotFound:
            continue
        if found is not None:
            return found
    pytest.skip(nudges_data_problem() or NO_MNIST)


@pytest.fixture
def sample_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make full MNIST unfindable, so loaders fall back to the embedded sample."""
    import nudges.data

    empty = tmp_path / "no-mnist"
    empty.mkdir()
    monkeypatch.setenv("NUDGES_DATA", str(empty))
    monkeypatch.setattr(nudges.data, "cache_dir", lambda: tmp_path / "no-cache")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The app `nudges serve` would run, and the rest of uvicorn.run's arguments (it is replaced:
    nothing listens)."""
    import uvicorn
    calls: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(app=app, **kw))
    return calls
