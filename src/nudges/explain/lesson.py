"""The lesson network: a network of a given shape that starts untrained and learns one
mini-batch at a time, so that a learner sees backpropagation where it still has work to do.

Every step is the readable reference step (training.train_step), in the order a seeded shuffle
gives, so (shape, seed, steps) names one network: replaying the same number of steps from the
same seed gives the same weights. The held-out cost is recorded at fixed step counts (every step
up to 10, every 10th up to 100, then every 100th), so the curve does not depend on how the
steps were asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.activations import Array
from ..core.checks import as_batch, as_targets
from ..core.errors import InvalidInput
from ..core.network import Network
from ..training.settings import Settings, State
from ..training.sgd import train_step

LESSON_ETA, LESSON_BATCH = 3.0, 10       # the video's and the book's: η = 3, batches of 10


def recorded(t: int) -> bool:
    """Whether the curve keeps the held-out cost after step t."""
    return t <= 10 or (t <= 100 and t % 10 == 0) or t % 100 == 0


@dataclass
class Lesson:
    """A seeded network of `like`'s shape and functions, trained from scratch step by step.

    train: (x (n, n_in), y (n,)) to learn from; held_out: examples whose cost makes the curve.
    curve: [(steps, held-out cost)], from (0, cost of the untrained network).
    """

    net: Network
    seed: int
    train: tuple[Array, Array]
    held_out: tuple[Array, np.ndarray]
    settings: Settings
    state: State
    curve: list[tuple[int, float]] = field(default_factory=list)

    @classmethod
    def start(cls, like: Network, train: tuple[Array, np.ndarray],
              held_out: tuple[Array, np.ndarray], seed: int) -> Lesson:
        """The untrained lesson network (seeded with `seed`, as is its shuffle)."""
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise InvalidInput(f"a lesson's seed must be an integer ≥ 0, got {seed!r}")
        config = like.config
        net = Network(like.sizes, activation=str(config["activation"]),
                      output=str(config["output"]), cost=str(config["cost"]),
                      init=str(config["init"]), dtype=str(config["dtype"]), seed=seed)
        x = as_batch(train[0], net.sizes[0], net.dtype)
        targets = as_targets(train[1], net.sizes[-1], len(x), net.dtype)[0]
        settings = Settings(epochs=1, batch_size=min(LESSON_BATCH, len(x)), eta=LESSON_ETA,
                            seed=seed).check(len(x))
        lesson = cls(net, seed, (x, targets), held_out, settings,
                     State.start(net, seed, "sgd"))
        lesson.curve.append((0, lesson.held_out_cost()))
        return lesson

    @property
    def steps(self) -> int:
        """Mini-batch steps taken so far."""
        return self.state.t

    @property
    def steps_per_epoch(self) -> int:
        return self.settings.batches(len(self.train[0]))

    def held_out_cost(self) -> float:
        return self.net.cost(*self.held_out)

    def advance(self, steps: int) -> None:
        """Take `steps` more mini-batch steps (a new shuffle at each epoch's start)."""
        x, targets = self.train
        size, state = self.settings.batch_size, self.state
        for _ in range(steps):
            if state.order is None:
                state.order = state.rng.permutation(len(x))
            rows = state.order[state.step * size:(state.step + 1) * size]
            train_step(self.net, x[rows], targets[rows], self.settings, len(x), state)
            state.step += 1
            if state.step == self.steps_per_epoch:
                state.epoch, state.step, state.order = state.epoch + 1, 0, None
            if recorded(state.t):
                self.curve.append((state.t, self.held_out_cost()))


def teaching_example(net: Network, x: Array, y: np.ndarray, limit: int = 500) -> tuple[int, str]:
    """The first of the first `limit` examples on which backprop has something to show, and
    why: one the network gets "wrong", else one it is "unsure" of (its right output under
    0.5), either with some output at least 0.25 from its target, so the output wishes are
    visible on the absolute scale; else the one of "highest cost".
    """
    x, y = x[:limit], np.asarray(y[:limit])
    if len(y) == 0:
        raise InvalidInput("there are no examples to choose from")
    trace = net.trace(as_batch(x, net.sizes[0], net.dtype))
    targets = as_targets(y, net.sizes[-1], len(y), net.dtype)[0]
    a = trace.activations[-1]                                        # (n, n_L)
    right = a[np.arange(len(y)), y]
    visible = np.abs(targets - a).max(axis=1) >= 0.25
    for reason, chosen in (("wrong", np.argmax(a, axis=1) != y), ("unsure", right < 0.5)):
        found = np.flatnonzero(chosen & visible)
        if len(found):
            return int(found[0]), reason
    return int(np.argmax(net.example_costs(trace, targets))), "highest cost"
