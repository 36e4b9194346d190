"""Verify a registry entry: its derivatives against finite differences (float64), and every
engine against the readable reference (one step and two epochs, float64 and float32).

Each check returns the largest error it found, so a test (or a user who has just registered
an activation, a cost or an optimizer) compares it with the tolerance beside it:

    verify.prime_error(activations.ACTIVATIONS["silu"]) < PRIME_TOLERANCE
    verify.engine_error("compiled", "float32", hidden="silu") < ENGINE_TOLERANCE["float32"]

A wrong σ' or δ^L fails the finite differences; the engine checks then prove that every engine
runs the description it was given (they cannot tell a wrong description from a right one).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import activations, costs, optimizers
from ..core.activations import Activation, Array
from ..core.checks import as_targets
from ..core.costs import Cost
from ..core.network import Network
from ..training.settings import Settings, State
from ..training.sgd import run_epoch
from .gradcheck import check_network, relative_errors

PRIME_TOLERANCE = DELTA_TOLERANCE = NETWORK_TOLERANCE = 1e-6
ENGINE_TOLERANCE = {"float64": 1e-9, "float32": 1e-3}
H = 1e-6


def prime_error(activation: Activation) -> float:
    """σ'(z) = prime(z, f(z)) against (f(z + h) − f(z − h)) / 2h on a grid of z in [−4, 4]."""
    assert activation.prime is not None, f"{activation.name} is not elementwise"
    z = np.linspace(-4, 4, 42).reshape(6, 7) + 0.0123          # no z at ReLU's kink
    numeric = (activation.f(z + H) - activation.f(z - H)) / (2 * H)
    return float(relative_errors(activation.prime(z, activation.f(z)), numeric).max())


def delta_error(cost: Cost, output: Activation) -> float:
    """δ^L = cost.delta against ∂C_x/∂z^L by central differences of cost.value, per example."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 5))                                  # (n, k)
    y = np.eye(5)[rng.integers(0, 5, 4)]

    def c(zz: Array) -> Array:
        return cost.value(zz, output.f(zz), y, output)           # (n,)
    numeric = np.zeros_like(z)
    for j in range(z.shape[1]):
        step = np.zeros_like(z)
        step[:, j] = H
        numeric[:, j] = (c(z + step) - c(z - step)) / (2 * H)
    return float(relative_errors(cost.delta(z, output.f(z), y, output), numeric).max())


def network_error(hidden: str, output: str, cost: str) -> float:
    """Backprop's ∂C/∂W, ∂C/∂b against finite differences of the network's cost (float64)."""
    net = Network([5, 4, 3], activation=hidden, output=output, cost=cost, dtype="float64",
                  seed=1)
    x = np.random.default_rng(2).random((6, 5))
    return max(max(pair) for pair in check_network(net, x, np.arange(6) % 3))


def settings_for(optimizer: str, epochs: int = 2) -> Settings:
    """Settings that train every entry: the optimizer's declared defaults, a small η for the
    adaptive ones (those with state besides a velocity), L2, a partial last mini-batch."""
    declared = optimizers.OPTIMIZERS[optimizer]              # looked up now: users register more
    hypers: dict[str, Any] = {h.name: h.default for h in declared.hypers}
    eta = 0.01 if len(declared.slots) > 1 or "eps" in hypers else 0.5
    return Settings(epochs=epochs, batch_size=10, eta=eta, lmbda=0.5, schedule="cosine",
                    optimizer=optimizer, **hypers)


def trained(engine: str, dtype: str, pieces: tuple[str, str, str, str], steps: int | None
            ) -> list[Array]:
    """The parameters after two epochs (or `steps` steps) of `engine` on a fixed problem."""
    hidden, output, cost, optimizer = pieces
    rng = np.random.default_rng(0)
    x = rng.random((43, 8)).astype(dtype)
    net = Network([8, 7, 6, 5], activation=hidden, output=output, cost=cost, dtype=dtype, seed=3)
    targets = as_targets(rng.integers(0, 5, 43), 5, 43, net.dtype)[0]
    settings = settings_for(optimizer)
    state = State.start(net, 7, optimizer)
    if steps is not None:                        # one step: an epoch of one mini-batch
        x, targets = x[:settings.batch_size * steps], targets[:settings.batch_size * steps]
    for _ in range(settings.epochs if steps is None else 1):
        run_epoch(net, x, targets, settings, state, engine=engine)
    return net.weights + net.biases


def engine_error(engine: str, dtype: str, hidden: str = "sigmoid", output: str = "sigmoid",
                 cost: str = "quadratic", optimizer: str = "sgd", steps: int | None = None
                 ) -> float:
    """The largest relative difference between `engine`'s parameters and the reference's."""
    pieces = (hidden, output, cost, optimizer)
    ours, reference = trained(engine, dtype, pieces, steps), trained("reference", dtype, pieces,
                                                                    steps)
    return max(float((np.abs(a - b) / (np.abs(b) + 1e-3)).max())
               for a, b in zip(ours, reference, strict=True))


def entries() -> dict[str, list[tuple[str, ...]]]:
    """Every registry entry as the checks take it: hidden activations, (cost, output) pairs
    (each output with each cost that declares it), optimizers."""
    return {"hidden": [(name,) for name in activations.hidden_names()],
            "pairs": [(c, o) for c, cost in costs.COSTS.items() for o in cost.deltas],
            "optimizers": [(name,) for name in optimizers.OPTIMIZERS]}
