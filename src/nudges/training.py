"""Mini-batch stochastic gradient descent: the training loop, for every engine and optimizer.

Each epoch shuffles the training rows with the run's Generator, cuts them into mini-batches and
moves every weight and bias against its batch's mean gradient by the run's optimizer
(nudges.optim; plain SGD by default), with L2 regularisation adding (λ/n) w to every weight's
gradient (n = training-set size, as in Nielsen's network2). An engine (nudges.engines) runs the
step: the readable reference, NumPy or compiled, with the same numbers. Training reports each
epoch through a generator or a callback, and never prints."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, make_dataclass
from typing import Any

import numpy as np

from . import optim, threads
from .activations import Array
from .augment import is_square, random_shifts
from .checks import as_batch, as_targets, check_choice, check_number, check_types
from .engines import Batches, Rule, reference_step
from .errors import InvalidInput, TrainingDiverged
from .network import Network
from .steppers import make_stepper

EVAL_CHUNK = 10_000
SCHEDULES = ("constant", "cosine")


# Every optimizer's hyperparameters as declared; momentum 0 unless given (> 0 picks "momentum")
OptimizerSettings: Any = make_dataclass("OptimizerSettings", [
    (name, "float", field(default=0.0 if name == "momentum" else h.default))
    for name, h in optim.hypers().items()], frozen=True, kw_only=True)


@dataclass(frozen=True, kw_only=True)
class Settings(OptimizerSettings):  # type: ignore[misc]
    """The hyperparameters of a run: the loop's and every optimizer's (momentum, beta1, ...,
    made from their declarations); optimizer None: "sgd", or "momentum" if momentum > 0."""

    epochs: int = 30
    batch_size: int = 10
    eta: float = 3.0
    lmbda: float = 0.0
    seed: int | None = None
    schedule: str = "constant"
    shift: int = 0
    optimizer: str | None = None

    @property
    def optimizer_name(self) -> str:
        """The optimizer this run uses, with None resolved."""
        return optimizer_for(self.optimizer, self.momentum)

    def batches(self, n: int) -> int:
        """Mini-batches per epoch of n examples: ⌈n / batch_size⌉ (the last may be short)."""
        return -(-n // self.batch_size)

    def eta_at(self, epoch: int) -> float:
        """η for epoch (0-based): constant, or cosine decay from eta towards 0."""
        if self.schedule == "constant":
            return self.eta
        return float(self.eta * 0.5 * (1 + np.cos(np.pi * epoch / self.epochs)))

    def check(self, n_train: int) -> Settings:
        """These settings, or InvalidInput naming the first one that cannot work."""
        check_types(self)
        if int(self.epochs) != self.epochs or self.epochs < 1:
            raise InvalidInput(f"epochs must be an integer >= 1, got {self.epochs!r}")
        if int(self.batch_size) != self.batch_size or not 1 <= self.batch_size <= n_train:
            raise InvalidInput(f"batch size must be an integer from 1 to the training-set size "
                               f"{n_train:,}, got {self.batch_size!r}")
        check_number("eta (the learning rate)", self.eta)
        check_number("lmbda (L2 regularisation)", self.lmbda, inclusive=True)
        optim.optimizer_named(self.optimizer_name).check(self, n_train)   # β, ε, decay, …
        check_choice("learning-rate schedule", self.schedule, SCHEDULES)
        if int(self.shift) != self.shift or not 0 <= self.shift <= 4:
            raise InvalidInput(f"shift must be an integer from 0 to 4 pixels, got {self.shift!r}")
        return self


@dataclass(frozen=True)
class EpochReport:
    """What one epoch did. Costs are means over the examples; `seconds` times the SGD steps."""

    epoch: int
    epochs: int
    training_cost: float
    seconds: float
    evaluation_cost: float | None = None
    correct: int | None = None
    total: int | None = None

    @property
    def accuracy(self) -> float | None:
        """Evaluation accuracy in percent, or None without evaluation data."""
        return None if self.total is None else 100 * self.correct / self.total  # type: ignore[operator]


@dataclass
class History:
    """The settings of a run and one report per epoch, in order."""

    settings: Settings
    epochs: list[EpochReport] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {"settings": asdict(self.settings), "epochs": [asdict(e) for e in self.epochs]}

    @classmethod
    def from_dict(cls, d: dict) -> History:  # type: ignore[type-arg]
        """The inverse of to_dict."""
        return cls(Settings(**d["settings"]), [EpochReport(**e) for e in d["epochs"]])


def optimizer_for(optimizer: str | None, momentum: float) -> str:
    """The optimizer a run uses: the one named, else momentum if it has some, else sgd."""
    return optimizer if optimizer is not None else "momentum" if momentum else "sgd"


@dataclass
class State:
    """Where a run is, exactly enough to resume it bit for bit.

    rng shuffles; order is this epoch's permutation and `step` the next mini-batch in it;
    slots[name] holds the optimizer's state array `name` for each parameter (weights, then
    biases: velocity for momentum, m and s for Adam); t counts the steps taken.
    """

    rng: np.random.Generator
    slots: dict[str, list[Array]]
    epoch: int = 0
    step: int = 0
    order: np.ndarray | None = None
    t: int = 0

    @classmethod
    def start(cls, net: Network, seed: int | None, optimizer: str = "sgd") -> State:
        """A fresh run: the optimizer's state at zero and a Generator seeded by `seed`."""
        slots = {name: [np.zeros_like(p) for p in net.weights + net.biases]
                 for name in optim.optimizer_named(optimizer).slots}
        return cls(np.random.default_rng(seed), slots)

    def per_parameter(self, names: tuple[str, ...], net: Network) -> list[list[Array]]:
        """For each parameter of net, its state arrays in the order `names` gives (those not
        yet kept start at zero)."""
        columns = [self.slots.setdefault(name, [np.zeros_like(p) for p in net.weights + net.biases])
                   for name in names]
        return [list(row) for row in zip(*columns)] if columns else []


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
    optimizer = optim.optimizer_named(settings.optimizer_name)
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


def run_epoch(net: Network, x: Array, targets: Array, settings: Settings, state: State,
              on_batch: Callable[[int, int], None] | None = None, engine: str = "auto") -> None:
    """The rest of the current epoch, from state.step, leaving state at the next epoch.

    x: C-contiguous (n, sizes[0]) of net's dtype (as train_epochs passes it). With no on_batch
    and no shifts, the engine runs the rest of the epoch in one call.
    """
    n, size = len(x), settings.batch_size
    if state.order is None:
        state.order = state.rng.permutation(n)
    n_batches, how = settings.batches(n), rule(settings, settings.eta_at(state.epoch), n)
    stepper = make_stepper(net, size, how, engine)
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

    engine: "reference" (the readable step), "numpy", "compiled", or "auto" (nudges.engines).
    """
    x = as_batch(x, net.sizes[0], net.dtype)
    targets, labels = as_targets(y, net.sizes[-1], len(x), net.dtype)
    settings = settings.check(len(x))
    if settings.shift and not is_square(net.sizes[0]):
        raise InvalidInput(f"shift needs square images, but the input layer has {net.sizes[0]}")
    evaluation_set = _prepare(net, evaluation)
    state = state or State.start(net, settings.seed, settings.optimizer_name)
    while state.epoch < settings.epochs:
        start = time.perf_counter()
        run_epoch(net, x, targets, settings, state, on_batch, engine)
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
    nudges.optim (default: sgd, or momentum when momentum > 0). schedule="cosine" decays η; shift=s
    moves each image by up to s pixels; engine="reference": the readable step (nudges.engines).
    """
    settings = Settings(epochs=epochs, batch_size=batch_size, eta=eta, lmbda=lmbda,
                        momentum=momentum, seed=seed, schedule=schedule, shift=shift,
                        optimizer=optimizer, beta1=beta1, beta2=beta2, eps=eps)
    history = History(settings)
    for report in train_epochs(net, x, y, settings, evaluation=evaluation, engine=engine):
        history.epochs.append(report)
        if callback is not None:
            callback(report)
    return history
