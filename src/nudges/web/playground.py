"""Each browser session's playground: 2-D points, a small network, and its training so far.

The training is the library's own (nudges.training.sgd's State, rule and steppers); a frame, a
point's backprop and a batch's average are computed by nudges.explain.wishes and Network, so the
page only draws. The same configuration gives the same points, weights and steps, bit for bit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..core.checks import as_targets
from ..core.errors import InvalidInput
from ..core.network import Network, flat
from ..engines.choose import make_stepper
from ..engines.reference import Batches
from ..explain.playground import Split, check_features, make_points, split, with_features
from ..explain.wishes import example_nudges, wishes
from ..training.settings import Settings, State
from ..training.sgd import measure, rule, train_step

HISTORY = 300                 # points kept on the curves (thinned by half when full)
CHUNK = 50                    # steps between clock checks


@dataclass(frozen=True)
class Config:
    """Everything that decides a run: the data, the network and the optimizer."""

    data: str = "spiral"
    classes: int = 3
    points: int = 600
    noise: float = 0.05
    seed: int = 0
    test: float = 0.3
    features: tuple[str, ...] = ()
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    output: str = "softmax"
    cost: str = "cross-entropy"
    init: str = "scaled"
    optimizer: str = "adam"
    eta: float = 0.03
    batch: int = 10
    lmbda: float = 0.0


def rounded(a: np.ndarray, digits: int = 4) -> Any:
    """An array as nested lists of floats rounded to `digits` decimals (for JSON)."""
    return np.round(np.asarray(a, dtype=np.float64), digits).tolist()


@dataclass
class Playground:
    """One session's run: its config, points (train/test, with features), network and state."""

    config: Config
    uploaded: Split | None = None
    history: list[dict[str, float | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        c = self.config
        features = check_features(c.features)
        x, y = self.uploaded if c.data == "csv" and self.uploaded is not None else \
            make_points(c.data, n=c.points, classes=c.classes, noise=c.noise, seed=c.seed)
        (self.x_train, self.y_train), (self.x_test, self.y_test) = split(x, y, c.test, c.seed)
        self.k = int(y.max()) + 1
        self.extent = max(1.0, float(np.ceil(np.abs(x).max() * 10.5) / 10))
        self.net = Network([2 + len(features), *c.hidden, self.k], activation=c.activation,
                           output=c.output, cost=c.cost, init=c.init, dtype="float64",
                           seed=c.seed)
        self.inputs_train = with_features(self.x_train, features)        # (n, n_in)
        self.inputs_test = with_features(self.x_test, features)
        self.targets = as_targets(self.y_train, self.k, len(self.y_train), self.net.dtype)[0]
        self.settings = Settings(batch_size=c.batch, eta=c.eta, lmbda=c.lmbda,
                                 optimizer=c.optimizer, seed=c.seed).check(len(self.y_train))
        self.state = State.start(self.net, c.seed, c.optimizer)
        self.record()

    # -- training --------------------------------------------------------------------------
    @property
    def n_batches(self) -> int:
        return self.settings.batches(len(self.y_train))

    def advance(self, steps: int, seconds: float) -> int:
        """Up to `steps` mini-batch steps (fewer if `seconds` pass first); how many were taken.
        The steps are those nudges.train takes: each epoch shuffles by the run's Generator."""
        n, done, deadline = len(self.y_train), 0, time.monotonic() + seconds
        how = rule(self.settings, self.settings.eta, n)
        stepper = make_stepper(self.net, self.settings.batch_size, how, "reference")
        slots = self.state.per_parameter(how.optimizer.slots, self.net)
        while done < steps and time.monotonic() < deadline:
            s = self.state
            if s.order is None:
                s.order = s.rng.permutation(n)
            first = s.step
            stop = min(self.n_batches, first + steps - done, first + CHUNK)
            batches = Batches(self.inputs_train, self.targets, s.order, self.settings.batch_size)
            taken = stepper.steps(batches, first, stop, slots, s.t)
            s.step, s.t, done = first + taken, s.t + taken, done + taken
            if taken < stop - first:
                raise InvalidInput(f"training diverged at step {s.t + 1}: the gradient became "
                                   f"NaN or inf; try a smaller η (now {self.settings.eta:g})")
            if s.step == self.n_batches:
                s.epoch, s.step, s.order = s.epoch + 1, 0, None
        self.record()
        return done

    def to_epoch_end(self, seconds: float) -> int:
        """The rest of the current epoch (a whole one from its start)."""
        return self.advance(self.n_batches - self.state.step, seconds)

    def record(self) -> None:
        """Add the train and test cost and accuracy now to the curves."""
        test = as_targets(self.y_test, self.k, len(self.y_test), self.net.dtype)[0]
        train_cost, train_right = measure(self.net, self.inputs_train, self.targets, self.y_train)
        test_cost, test_right = measure(self.net, self.inputs_test, test, self.y_test)
        self.history.append({"step": self.state.t, "train_cost": finite(train_cost),
                             "train_accuracy": train_right / len(self.y_train),
                             "test_cost": finite(test_cost),
                             "test_accuracy": test_right / len(self.y_test)})
        if len(self.history) > HISTORY:
            self.history[:] = self.history[:1] + self.history[2::2]

    # -- what the page draws ---------------------------------------------------------------
    def plane(self, grid: int) -> np.ndarray:
        """grid × grid points over [−extent, extent]², row by row from the top.  (grid², 2)"""
        ticks = np.linspace(-self.extent, self.extent, grid)
        yy, xx = np.meshgrid(ticks[::-1], ticks, indexing="ij")
        return np.stack([xx.ravel(), yy.ravel()], axis=1)

    def regions(self, grid: int) -> tuple[np.ndarray, np.ndarray]:
        """The predicted class (grid²,) at each plane point, and the output that won."""
        out = self.net.feedforward(with_features(self.plane(grid), self.config.features))
        return np.argmax(out, axis=1), np.max(out, axis=1)

    def node_maps(self, grid: int) -> list[Any]:
        """Each hidden and output neuron's activation over the plane: [layer][neuron] (grid²,)."""
        trace = self.net.run(with_features(self.plane(grid), self.config.features))
        return [rounded(a.T, 2) for a in trace.activations[1:]]

    def counters(self) -> dict[str, Any]:
        s = self.state
        return {"step": s.t, "epoch": s.epoch, "batch_in_epoch": s.step,
                "batches_per_epoch": self.n_batches}

    def frame(self, grid: int, node_grid: int) -> dict[str, Any]:
        """Every weight and bias, the region map, each neuron's map, the curves, the counters."""
        classes, confidence = self.regions(grid)
        return {"config": {**asdict(self.config), "features": list(self.config.features)},
                "sizes": list(self.net.sizes), "extent": self.extent, "classes": self.k,
                "weights": [rounded(w) for w in self.net.weights],
                "biases": [rounded(b) for b in self.net.biases],
                "grid": grid, "regions": "".join(map(str, classes.tolist())),
                "confidence": rounded(confidence, 2), "node_grid": node_grid,
                "node_maps": self.node_maps(node_grid), "history": self.history,
                **self.counters()}

    def description(self) -> dict[str, Any]:
        """What a saved model records of its data (nudges.data.own.recorded): a table of the
        columns x, y and the features, labels 0..k−1, used as they are (scaling 1), so that
        `nudges evaluate`/`predict` read a CSV with those columns and a label column."""
        columns = ["x", "y", *self.config.features]
        return {"format": "csv", "shape": [len(columns)],
                "classes": [str(j) for j in range(self.k)],
                "recipe": {"format": "csv", "label_column": "label", "features": columns,
                           "scaling": {"mean": [0.0] * len(columns),
                                       "std": [1.0] * len(columns)}}}

    def points(self) -> dict[str, Any]:
        """The train and test points and their labels."""
        return {"train": rounded(self.x_train), "train_labels": self.y_train.tolist(),
                "test": rounded(self.x_test), "test_labels": self.y_test.tolist()}

    # -- explanations ----------------------------------------------------------------------
    def example(self, which: str, index: int) -> tuple[np.ndarray, int, np.ndarray]:
        """Training or test point `index`: its input row (n_in,), label and (x, y)."""
        xs, inputs, ys = (self.x_train, self.inputs_train, self.y_train) if which == "train" \
            else (self.x_test, self.inputs_test, self.y_test)
        if not 0 <= index < len(ys):
            raise InvalidInput(f"index must be from 0 to {len(ys) - 1} (the {which} points), "
                               f"got {index}")
        return inputs[index], int(ys[index]), xs[index]

    def backprop(self, which: str, index: int) -> dict[str, Any]:
        """One point's cost, output wishes, every nudge and the wishes passed back
        (nudges.explain.wishes.wishes)."""
        x, label, xy = self.example(which, index)
        w = wishes(self.net, x, label)
        return {"which": which, "index": index, "point": rounded(xy), "label": label,
                "prediction": w.prediction, "cost": w.cost, "output": rounded(w.output),
                "output_wish": rounded(w.output_wish),
                "activations": [rounded(a[0]) for a in w.trace.activations],
                "wishes": [rounded(a) for a in w.activation_wishes],
                "nudge_w": [rounded(n, 6) for n in w.nudge_w],
                "nudge_b": [rounded(n, 6) for n in w.nudge_b]}

    def batch(self, rows: list[int], weight: tuple[int, int, int]) -> dict[str, Any]:
        """Each row's nudge on one weight (layer, j, k), their mean (= −∂C/∂w of the batch),
        the full training set's, and the cosine between the whole batch and full gradients."""
        layer, j, k = self.check_weight(weight)
        if any(not 0 <= r < len(self.y_train) for r in rows):
            raise InvalidInput(f"rows must be training points 0 to {len(self.y_train) - 1}")
        x, y = self.inputs_train[rows], self.y_train[rows]
        nudge_w, _ = example_nudges(self.net, x, y)
        grad_w, grad_b = self.net.gradient(x, y)
        full_w, full_b = self.net.gradient(self.inputs_train, self.y_train)
        batch, full = flat(grad_w, grad_b), flat(full_w, full_b)
        cosine = float(batch @ full / (np.linalg.norm(batch) * np.linalg.norm(full) or 1.0))
        return {"rows": rows, "weight": [layer, j, k],
                "nudges": rounded(nudge_w[layer][:, j, k], 6),
                "average": float(-grad_w[layer][j, k]), "full": float(-full_w[layer][j, k]),
                "cosine": cosine, "average_w": [rounded(-g, 6) for g in grad_w],
                "labels": y.tolist(), "points": rounded(self.x_train[rows])}

    def check_weight(self, weight: tuple[int, int, int]) -> tuple[int, int, int]:
        layer, j, k = weight
        if not 0 <= layer < len(self.net.weights):
            raise InvalidInput(f"weight layer must be from 0 to {len(self.net.weights) - 1}, "
                               f"got {layer}")
        n_out, n_in = self.net.weights[layer].shape
        if not (0 <= j < n_out and 0 <= k < n_in):
            raise InvalidInput(f"weights[{layer}] has shape ({n_out}, {n_in}); got j={j}, k={k}")
        return layer, j, k

    def apply(self, rows: list[int]) -> None:
        """One step of the run's optimizer on these training rows (training.train_step)."""
        train_step(self.net, self.inputs_train[rows], self.targets[rows], self.settings,
                 len(self.y_train), self.state)
        self.record()


def finite(value: float) -> float | None:
    """value, or None (JSON null) for an infinite or NaN cost of diverging weights."""
    return value if np.isfinite(value) else None

