"""The fast training loop (nudges.fast, and nudges.compiled where numba is installed) does the
reference step's arithmetic: train.sgd_step, built on Network.forward/backward/gradient_from."""

from __future__ import annotations

import importlib
import sys
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest

from nudges import Network, TrainingDiverged
from nudges.checks import as_targets
from nudges.fast import Stepper, compiled_available, make_stepper
from nudges.train import Settings, State, run_epoch, sgd_step

train = importlib.import_module("nudges.train")   # not nudges.train(), the function
KINDS = ["numpy"] + (["compiled"] if compiled_available() else [])
NETS = [("sigmoid", "sigmoid", "quadratic"), ("relu", "softmax", "cross-entropy"),
        ("tanh", "sigmoid", "cross-entropy")]
TOLERANCE = {"float64": {"rtol": 1e-12, "atol": 1e-13}, "float32": {"rtol": 1e-4, "atol": 2e-6}}


def use(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make run_epoch use the NumPy stepper or the compiled one."""
    def stepper(net: Network, size: int, l2: bool = False):  # type: ignore[no-untyped-def]
        if kind == "numpy":
            return Stepper(net, size, l2)
        from nudges.compiled import CompiledStepper
        return CompiledStepper(net, size, l2)
    monkeypatch.setattr(train, "make_stepper", stepper)


def reference_epoch(net: Network, x: np.ndarray, targets: np.ndarray, settings: Settings,
                    state: State) -> None:
    """One epoch of sgd_step, drawing the same permutation and shifts as run_epoch."""
    order, step_settings = state.rng.permutation(len(x)), replace(
        settings, eta=settings.eta_at(state.epoch))
    for start in range(0, len(x), settings.batch_size):
        batch = order[start:start + settings.batch_size]
        inputs = x[batch]
        if settings.shift:
            inputs = train.random_shifts(inputs, settings.shift, state.rng)
        sgd_step(net, inputs, targets[batch], step_settings, len(x), state)
    state.epoch += 1


def problem(dtype: str, net_kind: tuple[str, str, str], n_in: int = 16, n: int = 103):
    rng = np.random.default_rng(0)
    x = rng.random((n, n_in)).astype(dtype)
    targets = as_targets(rng.integers(0, 5, n), 5, n, np.dtype(dtype))[0]
    activation, output, cost = net_kind
    net = Network([n_in, 7, 6, 5], activation=activation, output=output, cost=cost,
                  dtype=dtype, seed=3)
    return net, x, targets


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("net_kind", NETS)
@pytest.mark.parametrize("lmbda, momentum", [(0.0, 0.0), (0.5, 0.0), (0.0, 0.6), (0.5, 0.6)])
def test_same_weights_as_the_reference_step(kind, dtype, net_kind, lmbda, momentum,
                                            monkeypatch):
    """Two epochs (103 rows in batches of 10: the last is partial), cosine η, L2, momentum."""
    use(kind, monkeypatch)
    fast, x, targets = problem(dtype, net_kind)
    slow = fast.copy()
    weights = list(fast.weights)
    settings = Settings(epochs=2, batch_size=10, eta=0.5, lmbda=lmbda, momentum=momentum,
                        schedule="cosine")
    fast_state, slow_state = State.start(fast, 7), State.start(slow, 7)
    for _ in range(2):
        run_epoch(fast, x, targets, settings, fast_state)
        reference_epoch(slow, x, targets, settings, slow_state)
    assert all(w is v for w, v in zip(fast.weights, weights, strict=True))   # in place
    for mine, theirs in zip(fast.weights + fast.biases + fast_state.velocity_w,
                            slow.weights + slow.biases + slow_state.velocity_w, strict=True):
        np.testing.assert_allclose(mine, theirs, **TOLERANCE[dtype])


@pytest.mark.parametrize("kind", KINDS)
def test_shifted_images_match_the_reference(kind, monkeypatch):
    use(kind, monkeypatch)
    fast, x, targets = problem("float64", NETS[0], n_in=16)
    slow = fast.copy()
    settings = Settings(epochs=1, batch_size=8, eta=1.0, shift=1)
    run_epoch(fast, x, targets, settings, State.start(fast, 1))
    reference_epoch(slow, x, targets, settings, State.start(slow, 1))
    for mine, theirs in zip(fast.weights + fast.biases, slow.weights + slow.biases, strict=True):
        np.testing.assert_allclose(mine, theirs, **TOLERANCE["float64"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("net_kind", [NETS[1]])
def test_divergence_stops_before_the_bad_update(kind, net_kind, monkeypatch):
    """Same step as the reference; the weights are those after the last good step."""
    use(kind, monkeypatch)
    net, x, targets = problem("float64", net_kind)
    settings = Settings(epochs=1, batch_size=10, eta=1e200)
    snapshots: list[list[np.ndarray]] = []
    def keep(step: int, n_batches: int) -> None:
        snapshots.append([p.copy() for p in net.weights + net.biases])
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged) as caught:
        run_epoch(net, x, targets, settings, State.start(net, 0), keep)
    assert f"mini-batch {len(snapshots) + 1}" in str(caught.value)
    assert "epoch 1" in str(caught.value)
    last_good = snapshots[-1] if snapshots else None
    if last_good is not None:
        for p, q in zip(net.weights + net.biases, last_good, strict=True):
            np.testing.assert_array_equal(p, q)
    reference, state = problem("float64", net_kind)[0], State.start(net, 0)
    order, steps = state.rng.permutation(len(x)), 0
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged):
        for start in range(0, len(x), 10):
            batch = order[start:start + 10]
            sgd_step(reference, x[batch], targets[batch], settings, len(x), state)
            steps += 1
    assert steps == len(snapshots)


def test_numpy_path_without_numba(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)            # as if not installed
    net = Network([4, 3, 2], seed=0)
    assert isinstance(make_stepper(net, 10), Stepper)
    assert isinstance(make_stepper(net, 1000), Stepper)


def test_an_epoch_does_not_copy_the_data_set():
    """Peak traced memory of an epoch: the buffers, far below the 20 MB data set."""
    rng = np.random.default_rng(0)
    x = rng.random((25_000, 200), dtype=np.float32)
    targets = as_targets(rng.integers(0, 10, len(x)), 10, len(x), np.dtype("float32"))[0]
    net = Network([200, 30, 10], seed=0)
    for size in (10, 1000):
        run_epoch(net, x[:size], targets[:size], Settings(epochs=1, batch_size=size, eta=0.1),
                  State.start(net, 0))                  # compiles (or loads) first, untraced
        state = State.start(net, 0)
        state.order = state.rng.permutation(len(x))
        tracemalloc.start()
        run_epoch(net, x, targets, Settings(epochs=1, batch_size=size, eta=0.1), state)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < x.nbytes / 10, f"batch {size}: peak {peak:,} bytes"


@pytest.mark.parametrize("kind", KINDS)
def test_one_call_epoch_diverges_where_the_step_by_step_one_does(kind, monkeypatch):
    """Without on_batch the rest of the epoch runs in one call: same step, same weights."""
    use(kind, monkeypatch)
    nets, messages = [], []
    for on_batch in (None, lambda step, n_batches: None):
        net, x, targets = problem("float64", NETS[1])
        state = State.start(net, 0)
        with np.errstate(all="ignore"), pytest.raises(TrainingDiverged) as caught:
            run_epoch(net, x, targets, Settings(epochs=1, batch_size=10, eta=1e200), state,
                      on_batch)
        nets.append(net)
        messages.append(str(caught.value))
        assert f"mini-batch {state.step + 1}" in messages[-1]
    assert messages[0] == messages[1]
    for p, q in zip(nets[0].weights + nets[0].biases, nets[1].weights + nets[1].biases,
                    strict=True):
        np.testing.assert_array_equal(p, q)
