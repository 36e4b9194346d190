"""A scikit-learn classifier that is a nudges network trained by nudges (the `sklearn` extra).

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from nudges.sklearn.estimator import NudgesClassifier
    model = make_pipeline(StandardScaler(), NudgesClassifier(hidden_layer_sizes=(30,)))
    model.fit(X_train, y_train).score(X_test, y_test)

Its hyperparameters are the library's own, with the library's defaults and checks: those of
Network (activation, output, cost, init, dtype) and of the training Settings (max_iter is
`epochs`; batch_size, eta, lmbda, optimizer, ...), so the registries name every choice and an
unknown one gets the library's message. With an integer random_state r, fit trains exactly as
nudges.train(Network(sizes, seed=r, ...), X, labels, seed=r, ...) does. The fitted network is
`network_`, so nudges' explanations work on it. Labels may be any values (classes_ holds them
sorted; output neuron j stands for classes_[j]).

Saving stays pickle-free: `save(path)` writes a nudges .npz model with the estimator's
metadata, and `NudgesClassifier.load(path)` reads it back without unpickling anything. Like
any estimator it can also be pickled (GridSearchCV's workers need that); its pickle holds plain
data and names this one class (nudges.sklearn.files.plain_state), so skops.io needs to trust only
it. Loading a pickle runs code from the file: load only pickles you made.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Iterator
from dataclasses import fields
from itertools import islice
from os import PathLike
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..core import optimizers
from ..core.checks import check_number
from ..core.errors import InvalidInput
from ..core.network import Network
from ..core.optimizers import check_fraction
from ..training.settings import EpochReport, Settings, State
from ..training.sgd import train_epochs
from .files import load_classifier, plain_state, restore_state, save_classifier

NETWORK = {name: p.default for name, p in inspect.signature(Network).parameters.items()}
SETTINGS = [f.name for f in fields(Settings) if f.name not in ("epochs", "seed")]
HYPERS = list(optimizers.hypers())            # every optimizer's hyperparameters: parameters here
SEED_LIMIT = 2**32


def whole(v: object) -> bool:
    """Whether v is an integer (a bool is not)."""
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


class NudgesClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A multilayer perceptron classifier: nudges' network and mini-batch SGD, as an estimator.

    hidden_layer_sizes: the hidden layers' sizes (() for none); the input and output layers
    come from the data (n_features_in_ and len(classes_)). max_iter: epochs per fit (each
    partial_fit call is one epoch); batch_size is clipped to the number of training rows.
    early_stopping: hold out validation_fraction of the rows (train_test_split, stratified
    where both parts can hold every class, random_state the network's seed mod 2³²), stop when
    their accuracy has not risen by more than tol for n_iter_no_change epochs; keep the best
    weights.
    warm_start: fit goes on from the fitted weights. random_state: an int (same int, same
    model), a RandomState or Generator (an int is drawn from it), or None (fresh entropy).
    engine: nudges' training engine ("auto", "reference", "numpy", "compiled").

    Fitted: network_ (nudges.Network), classes_, n_features_in_, feature_names_in_ (for
    named columns), loss_curve_ (training cost with the L2 term after each epoch), n_iter_,
    and with early stopping validation_scores_ and best_validation_score_.
    """

    def __init__(self, hidden_layer_sizes: Any = (30,), *,
                 activation: str = NETWORK["activation"], output: str = NETWORK["output"],
                 cost: str = NETWORK["cost"], init: str = NETWORK["init"],
                 dtype: str = NETWORK["dtype"], max_iter: int = Settings.epochs,
                 batch_size: int = Settings.batch_size, eta: float = Settings.eta,
                 lmbda: float = Settings.lmbda, optimizer: str | None = Settings.optimizer,
                 schedule: str = Settings.schedule, shift: int = Settings.shift,
                 early_stopping: bool = False, validation_fraction: float = 0.1,
                 n_iter_no_change: int = 10, tol: float = 1e-4, warm_start: bool = False,
                 random_state: Any = None, engine: str = "auto", **hypers: float) -> None:
        self.hidden_layer_sizes, self.activation = hidden_layer_sizes, activation
        self.output, self.cost, self.init, self.dtype = output, cost, init, dtype
        self.max_iter = max_iter
        self.batch_size, self.eta, self.lmbda, self.optimizer = batch_size, eta, lmbda, optimizer
        for name in HYPERS:                 # momentum, beta1, ...: as the optimizers declare
            setattr(self, name, hypers.pop(name, getattr(Settings, name)))
        if hypers:
            raise TypeError(f"unexpected keyword argument {next(iter(hypers))!r}")
        self.schedule, self.shift, self.early_stopping = schedule, shift, early_stopping
        self.validation_fraction, self.n_iter_no_change = validation_fraction, n_iter_no_change
        self.tol, self.warm_start, self.random_state = tol, warm_start, random_state
        self.engine = engine

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> NudgesClassifier:
        """Train for max_iter epochs (fewer with early stopping) on the rows of X, labels y."""
        return self._fit(X, y, None, incremental=False)

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> NudgesClassifier:
        """One epoch over the rows of X. The first call needs `classes`, every label there is.

        With schedule="cosine", η follows the cosine over max_iter calls, then starts again.
        """
        return self._fit(X, y, classes, incremental=True)

    def _fit(self, X: Any, y: Any, classes: Any, incremental: bool) -> NudgesClassifier:
        first = not hasattr(self, "network_") or not (incremental or self.warm_start)
        x, y = validate_data(self, X, y, reset=first, dtype=(np.float64, np.float32))
        check_classification_targets(y)
        if first:
            self._start(x, y, classes, incremental)
        labels = self._labels(y, classes)
        if self.early_stopping and not incremental:
            return self._fit_early_stopping(x, labels)
        settings = self._settings(len(x))
        epoch = self.n_iter_ % settings.epochs if incremental else 0
        for report in islice(self._epochs(x, labels, settings, epoch), 1 if incremental else None):
            self._record(report)
        return self

    def _start(self, x: np.ndarray, y: np.ndarray, classes: Any, incremental: bool) -> None:
        """A fresh network for these features and classes, and a fresh training state."""
        if incremental and classes is None:
            raise InvalidInput("classes must be passed on the first call to partial_fit "
                               "(every label the data will hold)")
        self.classes_ = np.unique(y if classes is None else np.asarray(classes))
        if len(self.classes_) < 2:
            raise InvalidInput(f"a classifier needs at least 2 classes to learn, but y holds "
                               f"1 class: {self.classes_.tolist()[0]!r}")
        self.network_ = Network([x.shape[1], *self._hidden(), len(self.classes_)],
                                activation=self.activation, output=self.output,
                                cost=self.cost, init=self.init, dtype=self.dtype,
                                seed=seed_from(self.random_state))
        self._state = State.start(self.network_, self.network_.seed, self._optimizer_name())
        self.loss_curve_: list[float] = []
        self.n_iter_ = 0

    def _hidden(self) -> list[int]:
        """hidden_layer_sizes as a list: an integer, or a list or tuple of integers."""
        hidden = self.hidden_layer_sizes
        if whole(hidden):
            return [hidden]
        if isinstance(hidden, list | tuple) and all(whole(h) for h in hidden):
            return list(hidden)
        raise InvalidInput(f"hidden_layer_sizes must be an integer or a list of integers, "
                           f"like (30,) or [100, 30], got {hidden!r}")

    def _optimizer_name(self) -> str:
        return Settings(optimizer=self.optimizer, momentum=self.momentum).optimizer_name

    def _labels(self, y: np.ndarray, classes: Any) -> np.ndarray:
        """y as indices into classes_, refusing labels (or classes) the fitted model lacks."""
        if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise InvalidInput(f"classes={np.unique(classes).tolist()!r} is not the same as "
                               f"on the first call to partial_fit, {self.classes_.tolist()!r}")
        known = np.isin(y, self.classes_)
        if not known.all():
            raise InvalidInput(f"y holds labels the classifier was not set up for, e.g. "
                               f"{y[~known].tolist()[0]!r}; its classes are "
                               f"{self.classes_.tolist()!r}")
        return np.searchsorted(self.classes_, y)

    def _settings(self, n: int) -> Settings:
        """The training settings these hyperparameters stand for, checked for n rows."""
        chosen = {name: getattr(self, name) for name in SETTINGS}
        if isinstance(self.batch_size, numbers.Integral) and self.batch_size > n:
            chosen["batch_size"] = n                       # clipped, as MLPClassifier does
        return Settings(epochs=self.max_iter, seed=None, **chosen).check(n)

    def _epochs(self, x: np.ndarray, labels: np.ndarray, settings: Settings, epoch: int,
                evaluation: tuple[np.ndarray, np.ndarray] | None = None
                ) -> Iterator[EpochReport]:
        """The run's epochs from `epoch` of the schedule on, as train_epochs yields them."""
        if not hasattr(self, "_state"):                 # loaded from a file: a fresh state
            self._state = State.start(self.network_, self.network_.seed, self._optimizer_name())
        self._state.epoch = epoch
        return train_epochs(self.network_, x, labels, settings, evaluation=evaluation,
                   state=self._state, engine=self.engine)

    def _record(self, report: EpochReport) -> None:
        self.loss_curve_.append(report.training_cost)
        self.n_iter_ += 1

    def _fit_early_stopping(self, x: np.ndarray, labels: np.ndarray) -> NudgesClassifier:
        """Train on all but a held-out part; keep the weights that scored best on it."""
        check_fraction("validation_fraction", self.validation_fraction, positive=True)
        check_number("tol", self.tol, inclusive=True)
        patience = self.n_iter_no_change
        if not isinstance(patience, numbers.Integral) or patience < 1:
            raise InvalidInput(f"n_iter_no_change must be an integer >= 1, got {patience!r}")
        x, x_val, labels, labels_val = self._split(x, labels)
        self.validation_scores_: list[float] = []
        best, stale, kept = -np.inf, 0, self.network_.copy()
        for report in self._epochs(x, labels, self._settings(len(x)), 0, (x_val, labels_val)):
            self._record(report)
            assert report.correct is not None and report.total is not None   # evaluated
            score = report.correct / report.total
            self.validation_scores_.append(score)
            stale = 0 if score > best + self.tol else stale + 1
            if score > best:
                best, kept = score, self.network_.copy()
            if stale >= patience:
                break
        self.network_.weights, self.network_.biases = kept.weights, kept.biases
        self.best_validation_score_ = best
        return self

    def _split(self, x: np.ndarray, labels: np.ndarray) -> list[np.ndarray]:
        """(x, x_val, labels, labels_val): validation_fraction held out, stratified if it can."""
        seed = int(self.network_.seed) % SEED_LIMIT
        n_val, k = math.ceil(len(x) * self.validation_fraction), len(self.classes_)  # as sklearn
        can = np.bincount(labels, minlength=k).min() >= 2 and k <= n_val <= len(x) - k
        stratify = labels if can else None
        try:
            parts: list[np.ndarray] = train_test_split(
                x, labels, test_size=self.validation_fraction, random_state=seed,
                stratify=stratify)
        except ValueError as e:
            raise InvalidInput(f"cannot hold out validation_fraction="
                               f"{self.validation_fraction!r} of {len(x)} rows: {e}") from None
        return parts

    # -- predicting ------------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Each row's output activations a^L scaled to sum to 1 (softmax's already do).  (n, k)"""
        check_is_fitted(self)
        x = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        a = self.network_.feedforward(x).astype(np.float64)
        a += np.finfo(np.float64).tiny               # all of a row's sigmoids 0: equal shares
        proba: np.ndarray = a / a.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """The class of each row: classes_[argmax_j a^L_j].  (n,)"""
        proba = self.predict_proba(X)                # NotFittedError before fit
        labels: np.ndarray = self.classes_[np.argmax(proba, axis=1)]
        return labels

    # -- saving ----------------------------------------------------------------------------
    def save(self, path: str | PathLike[str]) -> None:
        """Write the fitted model to `path` as a nudges .npz file (no pickle), atomically.

        Any nudges reads it as a network (nudges.load); `NudgesClassifier.load` also restores
        the classes, feature names, hyperparameters and loss curve. The optimizer's state is
        not kept: partial_fit after loading starts it afresh.
        """
        check_is_fitted(self)
        save_classifier(self, path)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> NudgesClassifier:
        """The classifier saved at `path` by save(); ModelFileError if it is not one."""
        est: NudgesClassifier = load_classifier(cls, path)
        return est

    def __getstate__(self) -> dict[str, Any]:
        """For pickle and skops.io: plain data (numbers, strings, arrays) and this class."""
        return plain_state(super().__getstate__())

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(restore_state(state))


def seed_from(random_state: Any) -> int | None:
    """The network's (and the shuffling's) seed: an int itself, one drawn from a RandomState
    or Generator, or None (the Network draws fresh entropy)."""
    if random_state is None or isinstance(random_state, numbers.Integral):
        return None if random_state is None else int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(SEED_LIMIT))
    raise InvalidInput(f"random_state must be None, an integer, a numpy RandomState or "
                       f"Generator, got {random_state!r}")


def with_hypers(init: Any) -> inspect.Signature:
    """init's signature with **hypers spelled out, one keyword per declared hyperparameter
    (scikit-learn's get_params, clone and repr read the parameters from the signature)."""
    signature = inspect.signature(init)
    kept = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    return signature.replace(parameters=kept + [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=getattr(Settings, name),
                          annotation="float") for name in HYPERS])


NudgesClassifier.__init__.__signature__ = with_hypers(  # type: ignore[attr-defined]
    NudgesClassifier.__init__)
