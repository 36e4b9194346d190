"""Mini-batch stochastic gradient descent: the training loop, for every engine and optimizer.

Each epoch shuffles the training rows with the run's Generator, cuts them into mini-batches and
moves every weight and bias against its batch's mean gradient by the run's optimizer
(nudges.core.optimizers; plain SGD by default), with L2 regularisation adding (λ/n) w to every
weight's gradient (n = training-set size, as in Nielsen's network2). An engine
(nudges.engines.reference) runs the step: the readable reference, NumPy or compiled, with the same
numbers. Training reports each epoch through a generator or a callback, and never prints."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np

from ..core import optimizers
from ..core.activations import Array
from ..core.checks import as_batch, as_targets
from ..core.errors import InvalidInput, TrainingDiverged
from ..core.network import Network
from ..engines import threads
from ..engines.choose import make_stepper
from ..engines.reference import Batches, Rule, Stepper, reference_step
from .augment import is_square, random_shifts
from .settings import EpochReport, History, Settings, State

EVAL_CHUNK = 10_000
def measure(net: Network, x: Array, targets: Array, labels: np.ndarray) -> tuple[float, int]:
    """(mean cost, number classified correctly) over all rows, in chunks to bound memory.

    Diverging weights give an inf or NaN cost here, silently; the next step raises for them.
    """
    with np.errstate(over="ignore", invalid="ignore"), \
            threads.limited(min(len(x), EVAL_CHUNK), net.sizes):   # large products: may share
        return _measure(net, x, targets, labels)


def _measure(net: Network, x: Array, targets: Array, labels: np.ndarray) -> tuple[float, int]:
    total_cost, correct = 0.0, 0
    for start in range(0, len(x), EVAL_CHUNK):
        part = slice(start, start + EVAL_CHUNK)
        trace = net.run(x[part])
        total_cost += float(net.example_costs(trace, targets[part]).sum(dtype=np.float64))
        correct += int((trace.activations[-1].argmax(axis=1) == labels[part]).sum())
    return total_cost / len(x), correct


def l2_penalty(net: Network, lmbda: float, n: int) -> float:
    """The regularisation term (λ / 2n) Σ w² that L2 adds to the cost."""
    return 0.0 if lmbda == 0 else lmbda / (2 * n) * sum(float((w * w).sum()) for w in net.weights)


def rule(settings: Settings, eta: float, n_train: int) -> Rule:
    """How steps with learning rate eta move the parameters: optimizer, η, λ/n, constants."""
    optimizer = optimizers.optimizer_named(settings.optimizer_name)
    return Rule(optimizer, eta, settings.lmbda / n_train, optimizer.constants(settings))


def train_step(net: Network, x: Array, targets: Array, settings: Settings, n_train: int,
               state: State) -> None:
    """One step of the readable reference on one mini-batch (rows of x, one-hot targets), with
    the settings' η (no schedule). TrainingDiverged, every parameter untouched, if the step
    would not be finite."""
    how = rule(settings, settings.eta, n_train)
    if not reference_step(net, x, targets, how, state.per_parameter(how.optimizer.slots, net),
                          state.t + 1):
        raise TrainingDiverged("the gradient became NaN or inf")
    state.t += 1


class Steppers:
    """A run's engine stepper, made once, and again only when the step's rule changes (a
    schedule changes η each epoch)."""

    def __init__(self, net: Network, size: int, engine: str) -> None:
        self.net, self.size, self.engine = net, size, engine
        self.made: tuple[Rule, Stepper] | None = None

    def for_rule(self, how: Rule) -> Stepper:
        """The stepper that steps by `how`."""
        if self.made is None or self.made[0] != how:
            self.made = (how, make_stepper(self.net, self.size, how, self.engine))
        return self.made[1]


def run_epoch(net: Network, x: Array, targets: Array, settings: Settings, state: State,
              on_batch: Callable[[int, int], None] | None = None, engine: str = "auto",
              steppers: Steppers | None = None) -> None:
    """The rest of the current epoch, from state.step, leaving state at the next epoch.

    x: C-contiguous (n, sizes[0]) of net's dtype (as train_epochs passes it). With no on_batch
    and no shifts, the engine runs the rest of the epoch in one call. steppers: the run's own,
    so that its stepper is made once (else one is made for this epoch).
    """
    n, size = len(x), settings.batch_size
    if state.order is None:
        state.order = state.rng.permutation(n)
    n_batches, how = settings.batches(n), rule(settings, settings.eta_at(state.epoch), n)
    stepper = (steppers or Steppers(net, size, engine)).for_rule(how)
    slots = state.per_parameter(how.optimizer.slots, net)
    with np.errstate(over="ignore", invalid="ignore"), \
            threads.limited(size, net.sizes):   # e^(−z) → inf gives σ = 0; NaN: checked
        whole = Batches(x, targets, state.order, size)
        while state.step < n_batches:
            batches, first = whole, state.step
            stop = n_batches if on_batch is None and not settings.shift else first + 1
            if settings.shift:
                batches, first, stop = _shifted_batch(x, targets, settings, state)
            done = stepper.steps(batches, first, stop, slots, state.t)
            state.step, state.t = state.step + done, state.t + done
            if done < stop - first:
                raise _diverged(settings, state)
            if on_batch is not None:
                on_batch(state.step, n_batches)
    state.epoch, state.step, state.order = state.epoch + 1, 0, None


def _shifted_batch(x: Array, targets: Array, settings: Settings, state: State
                   ) -> tuple[Batches, int, int]:
    """The next mini-batch as randomly shifted copies: (its rows 0..m−1 as batch 0, 0, 1)."""
    size = settings.batch_size
    batch = state.order[state.step * size:][:size]                  # type: ignore[index]
    inputs = random_shifts(x[batch], settings.shift, state.rng)
    return Batches(inputs, targets[batch], np.arange(len(batch)), size), 0, 1


def _diverged(settings: Settings, state: State) -> TrainingDiverged:
    return TrainingDiverged(
        f"training diverged at epoch {state.epoch + 1}, mini-batch {state.step + 1}: the "
        f"gradient became NaN or inf; the weights are kept from the step before; try a smaller "
        f"eta (now {settings.eta:g})")


def train_epochs(net: Network, x: Array, y: np.ndarray, settings: Settings, *,
                 evaluation: tuple[Array, np.ndarray] | None = None, state: State | None = None,
                 on_batch: Callable[[int, int], None] | None = None, engine: str = "auto"
                 ) -> Iterator[EpochReport]:
    """Train net in place, yielding an EpochReport after each epoch (from state.epoch on).

    engine: "reference" (the readable step), "numpy", "compiled", or "auto"
    (nudges.engines.reference)."""
    x = as_batch(x, net.sizes[0], net.dtype)
    targets, labels = as_targets(y, net.sizes[-1], len(x), net.dtype)
    settings = settings.check(len(x))
    if settings.shift and not is_square(net.sizes[0]):
        raise InvalidInput(f"shift needs square images, but the input layer has {net.sizes[0]}")
    evaluation_set = _prepare(net, evaluation)
    state = state or State.start(net, settings.seed, settings.optimizer_name)
    steppers = Steppers(net, settings.batch_size, engine)
    while state.epoch < settings.epochs:
        start = time.perf_counter()
        run_epoch(net, x, targets, settings, state, on_batch, steppers=steppers)
        seconds = time.perf_counter() - start
        cost = measure(net, x, targets, labels)[0] + l2_penalty(net, settings.lmbda, len(x))
        report = EpochReport(state.epoch, settings.epochs, cost, seconds)
        if evaluation_set is not None:
            eval_cost, correct = measure(net, *evaluation_set)
            report = EpochReport(state.epoch, settings.epochs, cost, seconds,
                                 eval_cost, correct, len(evaluation_set[0]))
        yield report


def _prepare(net: Network, data: tuple[Array, np.ndarray] | None
             ) -> tuple[Array, Array, np.ndarray] | None:
    if data is None:
        return None
    x = as_batch(data[0], net.sizes[0], net.dtype)
    return (x, *as_targets(data[1], net.sizes[-1], len(x), net.dtype))


def train(net: Network, x: Array, y: np.ndarray, *, epochs: int = 30, batch_size: int = 10,
          eta: float = 3.0, lmbda: float = 0.0, momentum: float = 0.0,
          optimizer: str | None = None, beta1: float = 0.9, beta2: float = 0.999,
          eps: float = 1e-8, evaluation: tuple[Array, np.ndarray] | None = None,
          seed: int | None = None, schedule: str = "constant", shift: int = 0,
          engine: str = "auto", callback: Callable[[EpochReport], None] | None = None
          ) -> History:
    """Train net in place by mini-batch SGD and return the history of every epoch.

    x: (n, sizes[0]) inputs; y: (n,) integer labels (or one-hot rows). The same seed (and the
    same network seed) gives the same weights and history, bit for bit. optimizer: a name in
    nudges.core.optimizers (default: sgd, or momentum when momentum > 0). schedule="cosine" decays
    η; shift=s moves each image by up to s pixels; engine="reference": the readable step
    (nudges.engines.reference)."""
    settings = Settings(epochs=epochs, batch_size=batch_size, eta=eta, lmbda=lmbda,
                        momentum=momentum, seed=seed, schedule=schedule, shift=shift,
                        optimizer=optimizer, beta1=beta1, beta2=beta2, eps=eps)
    history = History(settings)
    for report in train_epochs(net, x, y, settings, evaluation=evaluation, engine=engine):
        history.epochs.append(report)
        if callback is not None:
            callback(report)
    return history
