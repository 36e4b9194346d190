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
    from nudges.core.errors import DataNotFound
    from nudges.data.mnist import find_data_dir, nudges_data_problem

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
    import nudges.data.mnist

    empty = tmp_path / "no-mnist"
    empty.mkdir()
    monkeypatch.setenv("NUDGES_DATA", str(empty))
    monkeypatch.setattr(nudges.data.mnist, "cache_dir", lambda: tmp_path / "no-cache")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The app `nudges serve` would run, and the rest of uvicorn.run's arguments (it is replaced:
    nothing listens)."""
    import uvicorn
    calls: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(app=app, **kw))
    return calls


@pytest.fixture(scope="module")
def browser() -> Any:
    """Debian's Chromium through Playwright (its own browser downloads are not used), for a
    module's browser tests; skipped, saying why, without them."""
    import shutil
    chromium = os.environ.get("NUDGES_CHROMIUM", "/usr/bin/chromium")
    if not shutil.which(chromium):
        pytest.skip(f"browser tests need Chromium at {chromium} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="browser tests need playwright (pip install playwright)")
    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--no-first-run",
            "--disable-sync", "--disable-extensions", "--mute-audio"]
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=args)
        yield launched
        launched.close()


LAPTOP = {"width": 1152, "height": 720}
TIMEOUT = 15_000     # ms a page may take for anything


@pytest.fixture
def fresh(browser: Any) -> Any:
    """open_page(url, viewport=LAPTOP): new pages in contexts of their own (their own
    sessionStorage: their own session); the test fails on any page error or console error."""
    contexts, errors = [], []

    def open_page(url: str, viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(viewport=viewport or LAPTOP)
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.set_default_timeout(TIMEOUT)
        tab.goto(url)
        return tab
    yield open_page
    for context in contexts:
        context.close()
    assert not errors, errors
