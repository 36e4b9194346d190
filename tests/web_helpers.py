"""What the web tests share: tiny data, a drawing, the test client, error checks."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator

import numpy as np

with warnings.catch_warnings():            # starlette >= 1 prefers httpx2 and says so on import
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from nudges.core.network import Network  # noqa: E402
from nudges.data.mnist import Dataset  # noqa: E402

__all__ = ["TestClient", "drawing", "error_of", "our_threads", "tiny_client", "tiny_dataset"]


def tiny_dataset(n_train: int = 200, n_validation: int = 50, n_test: int = 60,
                 seed: int = 0, classes: tuple[str, ...] = tuple("0123456789")) -> Dataset:
    """Rows of 784 random pixels in [0, 1] with random labels, one of `classes` (digits
    unless named): enough to exercise the page."""
    rng = np.random.default_rng(seed)

    def split(n: int) -> tuple[np.ndarray, np.ndarray]:
        return (rng.random((n, 784), dtype=np.float32),
                rng.integers(0, len(classes), n).astype(np.int64))
    what = "digits" if classes == tuple("0123456789") else "pictures"
    return Dataset(split(n_train), split(n_validation), split(n_test), f"tiny random {what}",
                   "tiny", classes=classes)


def drawing(side: int = 56) -> dict:
    """A ring drawn on a black square: a 0, as the page would send it."""
    yy, xx = np.mgrid[:side, :side] / side
    ring = np.abs(np.hypot(yy - 0.5, (xx - 0.5) * 1.4) - 0.3) < 0.06
    return {"width": side, "height": side, "pixels": ring.astype(float).ravel().tolist()}


def our_threads() -> list[threading.Thread]:
    """The server's background threads that are still alive."""
    return [t for t in threading.enumerate() if t.name.startswith("nudges-")]


def error_of(response, status: int | tuple[int, ...]) -> str:
    """The response's error message, after checking its status."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.text)
    message = response.json()["error"]
    assert isinstance(message, str) and message
    return message


def tiny_client() -> Iterator[TestClient]:
    """A test client of the app over a tiny network and tiny data; checks no thread outlives it.

    Each test module makes it a fixture: `client = pytest.fixture(scope="module")(tiny_client)`.
    """
    from nudges.web import create_app
    app = create_app(Network([784, 8, 6, 10], seed=0), tiny_dataset())
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    assert not our_threads()
