"""Mini-batch stochastic gradient descent.

Each epoch shuffles the training rows with the run's Generator, cuts them into mini-batches, and
steps every weight and bias against the mean gradient of its batch:

    v ← μ v − η (∂C/∂w + (λ/n) w)      w ← w + v        (μ = 0: plain SGD, w ← w − η ∂C/∂w)

λ is L2 regularisation on the weights only (n = training-set size, as in Nielsen's network2),
μ momentum. Training reports each epoch through a generator or a callback, and never prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import numpy as np

from .activations import Array
from .augment import is_square, random_shifts
from .checks import as_batch, as_targets, check_choice, check_number
from .errors import InvalidInput, TrainingDiverged
from .fast import apply_step, make_stepper
from .network import Network

EVAL_CHUNK = 10_000
SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class Settings:
    """The hyperparameters of a training run."""

    epochs: int = 30
    batch_size: int = 10
    eta: float = 3.0
    lmbda: float = 0.0
    momentum: float = 0.0
    seed: int | None = None
    schedule: str = "constant"
    shift: int = 0

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
        if int(self.epochs) != self.epochs or self.epochs < 1:
            raise InvalidInput(f"epochs must be an integer >= 1, got {self.epochs!r}")
        if int(self.batch_size) != self.batch_size or not 1 <= self.batch_size <= n_train:
            raise InvalidInput(f"batch size must be an integer from 1 to the training-set size "
                               f"{n_train:,}, got {self.batch_size!r}")
        check_number("eta (the learning rate)", self.eta)
        check_number("lmbda (L2 regularisation)", self.lmbda, inclusive=True)
        if not 0 <= self.momentum < 1:
            raise InvalidInput(f"momentum must be in [0, 1), got {self.momentum!r}")
        if self.eta * self.lmbda / n_train >= 2 * (1 + self.momentum):  # w ← (1 − ηλ/n) w − …
            raise InvalidInput(f"eta * lmbda / n = {self.eta * self.lmbda / n_train:g} would make "
                               f"the weight decay blow every weight up; it must be below "
                               f"{2 * (1 + self.momentum):g} (use a smaller eta or lmbda)")
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


@dataclass
class State:
    """Where a run is, exactly enough to resume it bit for bit.

    rng shuffles; order is this epoch's permutation and `step` the next mini-batch in it;
    velocity_w/velocity_b are the momentum terms.
    """

    rng: np.random.Generator
    velocity_w: list[Array]
    velocity_b: list[Array]
    epoch: int = 0
    step: int = 0
    order: np.ndarray | None = None

    @classmethod
    def start(cls, net: Network, seed: int | None) -> State:
        """A fresh run: zero velocities and a Generator seeded by `seed`."""
        return cls(np.random.default_rng(seed), [np.zeros_like(w) for w in net.weights],
                   [np.zeros_like(b) for b in net.biases])


def measure(net: Network, x: Array, targets: Array, labels: np.ndarray) -> tuple[float, int]:
    """(mean cost, number classified correctly) over all rows, in chunks to bound memory.

    Diverging weights give an inf or NaN cost here, silently; the next step raises for them.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return _measure(net, x, targets, labels)


def _measure(net: Network, x: Array, targets: Array, labels: np.ndarray) -> tuple[float, int]:
    total_cost, correct = 0.0, 0
    for start in range(0, len(x), EVAL_CHUNK):
        part = slice(start, start + EVAL_CHUNK)
        trace = net._forward(x[part])
        total_cost += float(net.example_costs(trace, targets[part]).sum(dtype=np.float64))
        correct += int((trace.activations[-1].argmax(axis=1) == labels[part]).sum())
    return total_cost / len(x), correct


def l2_penalty(net: Network, lmbda: float, n: int) -> float:
    """The regularisation term (λ / 2n) Σ w² that L2 adds to the cost."""
    return 0.0 if lmbda == 0 else lmbda / (2 * n) * sum(float((w * w).sum()) for w in net.weights)


def sgd_step(net: Network, x: Array, targets: Array, settings: Settings, n_train: int,
             state: State) -> None:
    """One step of gradient descent on one mini-batch (rows of x, one-hot targets).

    Raises TrainingDiverged, with every parameter untouched, if a step η ∂C/∂p is NaN or inf.
    """
    trace = net._forward(x)
    grad_w, grad_b = net.gradient_from(trace, net.backward(trace, targets))
    eta_grad_w = [settings.eta * g for g in grad_w]                   # η ∂C/∂W
    eta_grad_b = [settings.eta * g for g in grad_b]                   # η ∂C/∂b
    if not all(np.isfinite(g.sum()) for g in eta_grad_w + eta_grad_b):
        raise TrainingDiverged("the gradient became NaN or inf")
    decay = settings.eta * settings.lmbda / n_train                  # η λ / n
    for w, g, v in zip(net.weights, eta_grad_w, state.velocity_w, strict=True):
        apply_step(w, g + decay * w if decay else g, v, settings.momentum)
    for b, g, v in zip(net.biases, eta_grad_b, state.velocity_b, strict=True):
        apply_step(b, g, v, settings.momentum)


def run_epoch(net: Network, x: Array, targets: Array, settings: Settings, state: State,
              on_batch: Callable[[int, int], None] | None = None) -> None:
    """The rest of the current epoch, from state.step, leaving state at the next epoch.

    x: C-contiguous (n, sizes[0]) of net's dtype (as sgd passes it); each step gathers its rows
    into buffers reused across steps (nudges.fast), the same arithmetic as sgd_step. With no
    on_batch and no shifts, the stepper runs the rest of the epoch in one call.
    """
    n, size = len(x), settings.batch_size
    if state.order is None:
        state.order = state.rng.permutation(n)
    n_batches = settings.batches(n)
    eta = settings.eta_at(state.epoch)
    stepper = make_stepper(net, size, l2=settings.lmbda > 0)
    with np.errstate(over="ignore", invalid="ignore"):  # e^(−z) → inf gives σ = 0; NaN: check
        while state.step < n_batches:
            inputs, labels, order, first = x, targets, state.order, state.step
            stop = n_batches if on_batch is None and not settings.shift else first + 1
            if settings.shift:
                inputs, labels, order, first, stop = _shifted_batch(x, targets, settings, state)
            done = stepper.steps(inputs, labels, order, size, first, stop, eta,
                                 eta * settings.lmbda / n, settings.momentum,
                                 state.velocity_w, state.velocity_b)
            state.step += done
            if done < stop - first:
                raise _diverged(settings, state)
            if on_batch is not None:
                on_batch(state.step, n_batches)
    state.epoch, state.step, state.order = state.epoch + 1, 0, None


def _shifted_batch(x: Array, targets: Array, settings: Settings, state: State
                   ) -> tuple[Array, Array, np.ndarray, int, int]:
    """The next mini-batch as randomly shifted copies: (inputs, targets, rows 0..m−1, 0, 1)."""
    size = settings.batch_size
    batch = state.order[state.step * size:][:size]                  # type: ignore[index]
    inputs = random_shifts(x[batch], settings.shift, state.rng)
    return inputs, targets[batch], np.arange(len(batch)), 0, 1


def _diverged(settings: Settings, state: State) -> TrainingDiverged:
    return TrainingDiverged(
        f"training diverged at epoch {state.epoch + 1}, mini-batch {state.step + 1}: the "
        f"gradient became NaN or inf; the weights are kept from the step before; try a smaller "
        f"eta (now {settings.eta:g})")


def sgd(net: Network, x: Array, y: np.ndarray, settings: Settings, *,
        evaluation: tuple[Array, np.ndarray] | None = None, state: State | None = None,
        on_batch: Callable[[int, int], None] | None = None) -> Iterator[EpochReport]:
    """Train net in place, yielding an EpochReport after each epoch (from state.epoch on)."""
    x = as_batch(x, net.sizes[0], net.dtype)
    targets, labels = as_targets(y, net.sizes[-1], len(x), net.dtype)
    settings = settings.check(len(x))
    if settings.shift and not is_square(net.sizes[0]):
        raise InvalidInput(f"shift needs square images, but the input layer has {net.sizes[0]}")
    evaluation_set = _prepare(net, evaluation)
    state = state or State.start(net, settings.seed)
    while state.epoch < settings.epochs:
        start = time.perf_counter()
        run_epoch(net, x, targets, settings, state, on_batch)
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
          evaluation: tuple[Array, np.ndarray] | None = None, seed: int | None = None,
          schedule: str = "constant", shift: int = 0,
          callback: Callable[[EpochReport], None] | None = None) -> History:
    """Train net in place by mini-batch SGD and return the history of every epoch.

    x: (n, sizes[0]) inputs; y: (n,) integer labels (or one-hot rows). The same seed (and the
    same network seed) gives the same weights and history, bit for bit. schedule="cosine"
    decays η over the epochs; shift=s moves each training image by up to s pixels at random.
    """
    settings = Settings(epochs, batch_size, eta, lmbda, momentum, seed, schedule, shift)
    history = History(settings)
    for report in sgd(net, x, y, settings, evaluation=evaluation):
        history.epochs.append(report)
        if callback is not None:
            callback(report)
    return history
