"""Every engine computes the reference step: the readable Network.trace/backward/gradient_from
and the optimizer's update (nudges.engines.reference), for every entry of every registry."""

from __future__ import annotations

import sys
import tracemalloc

import numpy as np
import pytest

from nudges import Network, TrainingDiverged
from nudges.core import activations, costs, optimizers
from nudges.core.activations import Activation
from nudges.core.checks import as_targets
from nudges.core.costs import Cost, Delta
from nudges.engines.choose import make_stepper
from nudges.engines.numpy_engine import NumpyStepper
from nudges.engines.reference import Rule, compiled_available
from nudges.training.settings import Settings, State
from nudges.training.sgd import run_epoch

FAST = ["numpy"] + (["compiled"] if compiled_available() else [])
TOLERANCE = {"float64": {"rtol": 1e-10, "atol": 1e-12}, "float32": {"rtol": 1e-4, "atol": 2e-5}}


def problem(dtype: str, hidden: str, output: str, cost: str, n_in: int = 16, n: int = 103):
    rng = np.random.default_rng(0)
    x = rng.random((n, n_in)).astype(dtype)
    targets = as_targets(rng.integers(0, 5, n), 5, n, np.dtype(dtype))[0]
    net = Network([n_in, 7, 6, 5], activation=hidden, output=output, cost=cost, dtype=dtype,
                  seed=3)
    return net, x, targets


def trained(engine: str, dtype: str, hidden: str, output: str, cost: str, settings: Settings):
    net, x, targets = problem(dtype, hidden, output, cost)
    state = State.start(net, 7, settings.optimizer_name)
    for _ in range(settings.epochs):
        run_epoch(net, x, targets, settings, state, engine=engine)
    return net, state


@pytest.mark.parametrize("engine", FAST)
def test_shifted_images_match_the_reference(engine):
    settings = Settings(epochs=1, batch_size=8, eta=1.0, shift=1)
    nets = [trained(e, "float64", "sigmoid", "sigmoid", "quadratic", settings)[0]
            for e in ("reference", engine)]
    for mine, theirs in zip(nets[1].weights + nets[1].biases, nets[0].weights + nets[0].biases,
                            strict=True):
        np.testing.assert_allclose(mine, theirs, **TOLERANCE["float64"])


@pytest.mark.parametrize("engine", ["reference", *FAST])
@pytest.mark.parametrize("on_batch", [None, lambda step, n_batches: None])
def test_divergence_stops_before_the_bad_update(engine, on_batch):
    """Every engine stops at the same mini-batch, with the weights of the step before."""
    steps_done, weights = [], []
    for kind in ("reference", engine):
        net, x, targets = problem("float64", "relu", "softmax", "cross-entropy")
        snapshots = []
        def keep(step, n_batches, net=net, snapshots=snapshots):
            snapshots.append([p.copy() for p in net.weights + net.biases])
        state = State.start(net, 0)
        with np.errstate(all="ignore"), pytest.raises(TrainingDiverged) as caught:
            run_epoch(net, x, targets, Settings(epochs=1, batch_size=10, eta=1e200), state,
                      keep if on_batch else None, engine=kind)
        message = str(caught.value)
        assert f"mini-batch {state.step + 1}" in message and "epoch 1" in message
        if snapshots:
            for p, q in zip(net.weights + net.biases, snapshots[-1], strict=True):
                np.testing.assert_array_equal(p, q)
        steps_done.append(state.step)
        weights.append(net.weights + net.biases)
    assert steps_done[0] == steps_done[1]


def test_numpy_path_without_numba(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)            # as if not installed
    net = Network([4, 3, 2], seed=0)
    rule = Rule(optimizers.SGD, 1.0, 0.0, ())
    assert isinstance(make_stepper(net, 10, rule), NumpyStepper)
    assert isinstance(make_stepper(net, 1000, rule), NumpyStepper)


def test_an_epoch_does_not_copy_the_data_set():
    """Peak traced memory of an epoch: the buffers and a layer's temporaries, far below the
    20 MB data set."""
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
        assert peak < x.nbytes / 5, f"batch {size}: peak {peak:,} bytes"   # a copy: 20 MB


@pytest.fixture
def registered(monkeypatch):
    """A user's activation and cost, each one registration, removed afterwards."""
    monkeypatch.setattr(activations, "ACTIVATIONS", dict(activations.ACTIVATIONS))
    monkeypatch.setattr(costs, "COSTS", dict(costs.COSTS))
    # softsign: a = z / (1 + |z|), σ'(z) = (1 − |a|)²
    activations.register(Activation("softsign", lambda z: z / (1 + np.abs(z)),
                                     lambda z, a: (1 - np.abs(a)) ** 2))
    # the quartic cost C_x = ¼ Σ (a − y)⁴: δ^L = (a − y)³ σ'(z)
    costs.register(Cost("quartic", lambda z, a, y, out: 0.25 * ((a - y) ** 4).sum(axis=1),
                        {"sigmoid": Delta(lambda a, y, sigma_prime: (a - y) ** 3 * sigma_prime)}))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_users_activation_and_cost_are_verified_and_every_engine_runs_them(registered, dtype):
    from nudges.explain import verify
    assert verify.prime_error(activations.ACTIVATIONS["softsign"]) < verify.PRIME_TOLERANCE
    quartic, sigmoid = costs.COSTS["quartic"], activations.ACTIVATIONS["sigmoid"]
    assert verify.delta_error(quartic, sigmoid) < verify.DELTA_TOLERANCE
    assert verify.network_error("softsign", "sigmoid", "quartic") < verify.NETWORK_TOLERANCE
    for engine in FAST:
        error = verify.engine_error(engine, dtype, "softsign", "sigmoid", "quartic", "momentum")
        assert error < verify.ENGINE_TOLERANCE[dtype]
