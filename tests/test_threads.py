"""The thread policy: its choices, the user's choice respected, the limits restored after."""

import asyncio
import sys

import numpy as np
import pytest

from nudges.core.errors import InvalidInput
from nudges.core.network import Network
from nudges.engines import threads
from nudges.training.settings import Settings
from nudges.training.sgd import train_epochs

threadpoolctl = pytest.importorskip("threadpoolctl")

IDLE, BUSY = threads.Machine(cores=2, load=0.0), threads.Machine(cores=2, load=2.0)


def blas_threads() -> list[int]:
    return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]


@pytest.fixture
def automatic(monkeypatch):
    """No thread count in the environment, and BLAS on 2 threads before the test."""
    for name in threads.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        yield


@pytest.mark.parametrize("rows", [1, 10, 32, 100, 500])
def test_a_mini_batch_runs_on_one_thread_even_on_an_idle_machine(rows):
    assert threads.choose(rows, [784, 100, 10], IDLE) == 1
    assert threads.choose(100, [784, 400, 10], IDLE) == 1         # the best preset's step


def test_large_products_take_the_free_cores_and_no_more():
    assert threads.choose(10_000, [784, 100, 10], IDLE) == 2
    assert threads.choose(10_000, [784, 100, 10], threads.Machine(cores=2, load=1.0)) == 2
    assert threads.choose(10_000, [784, 100, 10], BUSY) == 1
    assert threads.choose(10_000, [784, 100, 10], threads.Machine(cores=8, load=0.0)) == 8
    assert threads.choose(10_000, [784, 100, 10], threads.Machine(cores=8, load=30.0)) == 1


def test_explicit_counts_come_from_the_environment():
    assert threads.explicit({}) is None
    assert threads.explicit({"OPENBLAS_NUM_THREADS": "3"}) == 3
    assert threads.explicit({"OMP_NUM_THREADS": " 2 "}) == 2
    assert threads.explicit({"OPENBLAS_NUM_THREADS": "", "MKL_NUM_THREADS": "1"}) == 1
    assert threads.explicit({"OPENBLAS_NUM_THREADS": "lots"}) is None


def test_limited_sets_the_choice_and_restores_the_limits(automatic):
    with threads.limited(10, [784, 100, 10], IDLE) as n:
        assert n == 1 and set(blas_threads()) == {1}
    assert set(blas_threads()) == {2}


def test_an_explicit_setting_is_left_alone(automatic, monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    with threads.limited(10, [784, 100, 10], IDLE) as n:
        assert n is None and set(blas_threads()) == {2}


def test_pinned_wins_over_limited_and_nests(automatic):
    with threads.pinned(2):
        with threads.pinned(1), threads.limited(10, [784, 100, 10], IDLE) as n:
            assert n is None and set(blas_threads()) == {2}   # the outer block set the limits
        assert set(blas_threads()) == {2}
    with threads.pinned(None):                                # no variable set: one thread
        assert set(blas_threads()) == {1}
    assert set(blas_threads()) == {2}
    with threads.limited(10, [784, 100, 10], IDLE) as n:     # no pin is left behind
        assert n == 1


def test_pinned_refuses_a_count_below_one():
    with pytest.raises(InvalidInput, match="threads must be an integer >= 1, got 0"):
        with threads.pinned(0):
            pass


def test_without_threadpoolctl_nothing_changes(automatic, monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)    # import fails
    with threads.limited(10, [784, 100, 10], IDLE) as n, threads.pinned(1):
        assert n is None
    assert set(blas_threads()) == {2}


def test_training_steps_run_on_one_thread_and_restore_after(automatic):
    rng = np.random.default_rng(0)
    x, y = rng.random((200, 16), dtype=np.float32), rng.integers(0, 10, 200)
    seen: list[int] = []
    net = Network([16, 8, 10], seed=0)
    settings = Settings(epochs=1, batch_size=10, eta=0.5, seed=0)
    list(train_epochs(net, x, y, settings, on_batch=lambda step, n: seen.extend(blas_threads())))
    assert seen and set(seen) == {1}
    assert set(blas_threads()) == {2}


def test_the_cli_pins_the_threads_it_is_given(automatic, sample_only, monkeypatch):
    from nudges.cli import main, train_run

    seen: list[int] = []
    real = train_run.run
    monkeypatch.setattr(train_run, "run", lambda job: seen.extend(blas_threads()) or real(job))
    assert main(["train", "--epochs", "1", "--layers", "784,8,10", "--quiet",
                 "--threads", "1"]) == 0
    assert set(seen) == {1} and set(blas_threads()) == {2}


def test_the_server_runs_on_one_thread_while_it_lives(automatic):
    """Through the app's lifespan, in this thread as under `nudges serve` (threadpoolctl lets
    only the thread that first set OpenBLAS's limits change them)."""
    pytest.importorskip("fastapi")
    from nudges.web import create_app

    from .web_helpers import tiny_dataset

    app = create_app(Network([784, 8, 6, 10], seed=0), tiny_dataset())
    seen: list = []

    async def serve():
        async with app.router.lifespan_context(app):
            seen.append(set(blas_threads()))
            with threads.limited(10_000, [784, 100, 10], IDLE) as n:
                seen.append(n)                       # the server's pin wins
    asyncio.run(serve())
    assert seen == [{1}, None] and set(blas_threads()) == {2}
