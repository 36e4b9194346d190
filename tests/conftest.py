"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

NO_MNIST = ("full MNIST not found: set NUDGES_DATA to a folder with the four MNIST files "
            "(e.g. ../shared/data/mnist)")


def pytest_sessionstart(session: pytest.Session) -> None:
    """A clone holds no data files, so no sample: make it from the MNIST that NUDGES_DATA names
    (nudges.data.make_sample), once, before any test loads it."""
    from nudges.data import find_data_dir, make_sample, sample_path
    from nudges.errors import DataNotFound

    try:
        if not sample_path().is_file() and find_data_dir() is not None:
            make_sample()
    except DataNotFound:
        pass                       # no MNIST: the tests that need the sample are skipped, below


NO_SAMPLE = "is not in this copy of nudges"      # load_sample's message when the file is absent


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A test that failed only because the sample could not be made (no MNIST here) is
    reported as skipped, with the reason that says how to get MNIST."""
    from nudges.data import sample_path

    report = (yield).get_result()
    said = str(report.longrepr) + "".join(text for _, text in report.sections)   # and its output
    if report.failed and NO_SAMPLE in said and not sample_path().is_file():
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0,
                           "Skipped: the sample is made from full MNIST: " + NO_MNIST)


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
