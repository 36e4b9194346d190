"""What a run is: its settings (the loop's and every optimizer's, made from their
declarations), the report of each epoch, its history, and the state that resumes it bit for bit."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, make_dataclass
from typing import Any

import numpy as np

from ..core import optimizers
from ..core.activations import Array
from ..core.checks import check_choice, check_number, check_types
from ..core.errors import InvalidInput
from ..core.network import Network

SCHEDULES = ("constant", "cosine")


# Every optimizer's hyperparameters as declared; momentum 0 unless given (> 0 picks "momentum")
OptimizerSettings: Any = make_dataclass("OptimizerSettings", [
    (name, "float", field(default=0.0 if name == "momentum" else h.default))
    for name, h in optimizers.hypers().items()], frozen=True, kw_only=True)


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
        optimizers.optimizer_named(self.optimizer_name).check(self, n_train)   # β, ε, decay, …
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
                 for name in optimizers.optimizer_named(optimizer).slots}
        return cls(np.random.default_rng(seed), slots)

    def per_parameter(self, names: tuple[str, ...], net: Network) -> list[list[Array]]:
        """For each parameter of net, its state arrays in the order `names` gives (those not
        yet kept start at zero)."""
        columns = [self.slots.setdefault(name, [np.zeros_like(p) for p in net.weights + net.biases])
                   for name in names]
        return [list(row) for row in zip(*columns)] if columns else []
