"""nudges.sklearn.estimator: the estimator passes scikit-learn's own checks, trains exactly as
nudges does, and saves without pickle."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import nudges  # noqa: E402
from nudges import InvalidInput, ModelFileError, Network  # noqa: E402
from nudges.core import activations, costs, optimizers  # noqa: E402
from nudges.sklearn.estimator import SETTINGS, NudgesClassifier  # noqa: E402

PAIRS = [(output, cost) for cost in costs.COSTS for output in costs.COSTS[cost].deltas]


def small(**changes) -> NudgesClassifier:
    """A classifier that fits the checks' small tables in milliseconds."""
    return NudgesClassifier(**{"hidden_layer_sizes": (8,), "max_iter": 10, **changes})


def for_optimizer(name: str) -> NudgesClassifier:
    momentum = 0.6 if "momentum" in optimizers.OPTIMIZERS[name].uses else 0.0
    adaptive = "eps" in optimizers.OPTIMIZERS[name].uses            # divides by √s: a small η
    return small(optimizer=name, eta=0.01 if adaptive else 1.0, momentum=momentum)


# One estimator per optimizer and per (output, cost) pair, from the registries, and one that
# stops early. Every check passes, so no expected_failed_checks are listed.
ESTIMATORS = ([for_optimizer(name) for name in optimizers.OPTIMIZERS]
              + [small(output=o, cost=c, eta=0.5, dtype="float64") for o, c in PAIRS]
              + [small(activation="relu", init="he", eta=0.3, early_stopping=True)])


@parametrize_with_checks(ESTIMATORS)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def table(n: int = 90, n_features: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose class (0, 1, 2) is the index of their largest of the first 3 features."""
    x = np.random.default_rng(seed).normal(size=(n, n_features))
    return x, x[:, :3].argmax(axis=1)


def test_an_integer_random_state_trains_exactly_as_nudges_train():
    x, y = table()
    names = np.array(["cat", "dog", "emu"])[y]
    est = small(activation="tanh", optimizer="momentum", momentum=0.5, eta=0.3,
                random_state=7).fit(x, names)
    net = Network([5, 8, 3], activation="tanh", seed=7)
    history = nudges.train(net, x, y, epochs=10, eta=0.3, optimizer="momentum", momentum=0.5,
                           seed=7)
    for ours, theirs in zip(est.network_.weights + est.network_.biases,
                            net.weights + net.biases, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert est.loss_curve_ == [e.training_cost for e in history.epochs]
    assert est.n_iter_ == 10 and est.n_features_in_ == 5


def test_labels_can_be_any_values():
    x, y = table()
    for classes in (np.array([-4, 7, 1000]), np.array(["no", "maybe", "yes"]),
                    np.array([-1.0, 2.0, 9.0])):
        est = small(max_iter=30, eta=1.0, random_state=0).fit(x, classes[y])
        assert list(est.classes_) == sorted(classes)
        assert set(est.predict(x)) <= set(classes)
        assert est.score(x, classes[y]) > 0.9
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        small().fit(x, y + 0.5)                   # fractions are a regression target


def test_the_same_seed_gives_the_same_model_and_another_a_different_one():
    x, y = table()
    a, b, c = (small(random_state=s).fit(x, y).predict_proba(x) for s in (3, 3, 4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    drawn = small(random_state=np.random.RandomState(0)).fit(x, y)
    assert drawn.network_.seed == np.random.RandomState(0).randint(np.iinfo(np.int32).max)
    with pytest.raises(InvalidInput, match="random_state must be None, an integer"):
        small(random_state="seven").fit(x, y)


def test_probabilities_sum_to_one_for_every_output_layer():
    x, y = table()
    for output, cost in PAIRS:
        est = small(output=output, cost=cost, eta=0.5, random_state=0).fit(x, y)
        proba = est.predict_proba(x)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
        np.testing.assert_array_equal(est.classes_[proba.argmax(axis=1)], est.predict(x))


def test_partial_fit_epochs_are_fit_epochs():
    x, y = table()
    fitted = small(max_iter=4, schedule="cosine", random_state=1).fit(x, y)
    stepped = small(max_iter=4, schedule="cosine", random_state=1)
    for _ in range(4):
        stepped.partial_fit(x, y, classes=[0, 1, 2])
    np.testing.assert_array_equal(stepped.predict_proba(x), fitted.predict_proba(x))
    assert stepped.loss_curve_ == fitted.loss_curve_ and stepped.n_iter_ == 4


def test_partial_fit_needs_the_classes_first_and_keeps_to_them():
    x, y = table()
    est = small(random_state=0)
    with pytest.raises(InvalidInput, match="classes must be passed on the first call"):
        est.partial_fit(x, y)
    est.partial_fit(x[:10], y[:10], classes=[0, 1, 2, 3])       # a class not seen yet is fine
    assert est.predict_proba(x).shape == (90, 4)
    with pytest.raises(InvalidInput, match="labels the classifier was not set up for, e.g. 5"):
        est.partial_fit(x, np.where(y == 2, 5, y))
    with pytest.raises(InvalidInput, match="not the same as on the first call"):
        est.partial_fit(x, y, classes=[0, 1, 2])


def test_warm_start_goes_on_from_the_fitted_weights():
    x, y = table()
    est = small(max_iter=3, random_state=2).fit(x, y)
    six = small(max_iter=6, random_state=2).fit(x, y)
    est.set_params(warm_start=True).fit(x, y)
    np.testing.assert_array_equal(est.predict_proba(x), six.predict_proba(x))
    assert est.loss_curve_ == six.loss_curve_
    cold = small(max_iter=3, random_state=2).fit(x, y)
    np.testing.assert_array_equal(cold.fit(x, y).predict_proba(x),
                                  small(max_iter=3, random_state=2).fit(x, y).predict_proba(x))
    with pytest.raises(InvalidInput, match="not set up for"):
        est.fit(x, y + 1)


def test_early_stopping_keeps_the_best_epoch_and_stops():
    x, y = table(200)
    est = small(max_iter=30, early_stopping=True, validation_fraction=0.25,
                n_iter_no_change=3, tol=0.0, random_state=5).fit(x, y)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ == len(est.loss_curve_) < 30
    assert est.best_validation_score_ == max(scores) and scores[-4] == max(scores)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=5,
                                                      stratify=y)
    assert est.score(x_val, y_val) == max(scores)
    assert 1 < scores.index(max(scores)) < est.n_iter_ - 1           # kept, not the last
    best = small(max_iter=scores.index(max(scores)) + 1, random_state=5)
    np.testing.assert_array_equal(best.fit(x_train, y_train).predict_proba(x),
                                  est.predict_proba(x))


@pytest.mark.parametrize(("change", "names"), [
    ({"activation": "no-such-activation"}, activations.hidden_names()),
    ({"output": "no-such-activation"}, costs.output_names()),
    ({"cost": "no-such-cost"}, list(costs.COSTS)),
    ({"optimizer": "no-such-optimizer"}, list(optimizers.OPTIMIZERS)),
])
def test_unknown_choices_get_the_librarys_message_naming_the_registry(change, names):
    with pytest.raises(InvalidInput, match="known: " + ", ".join(names)):
        small(**change).fit(*table())


@pytest.mark.parametrize(("change", "message"), [
    ({"max_iter": 0}, "epochs must be an integer >= 1, got 0"),
    ({"eta": -1.0}, "eta .the learning rate. must be a finite number > 0"),
    ({"batch_size": 0}, "batch size must be an integer from 1"),
    ({"optimizer": "sgd", "momentum": 0.5}, "plain sgd has no momentum"),
    ({"hidden_layer_sizes": (4, 0)}, "layer sizes must be at least two positive integers"),
    ({"early_stopping": True, "validation_fraction": 1.5}, r"validation_fraction must be in"),
    ({"early_stopping": True, "n_iter_no_change": 0}, "n_iter_no_change must be an integer"),
])
def test_bad_settings_are_refused_in_one_line(change, message):
    with pytest.raises(InvalidInput, match=message):
        small(**change).fit(*table())


def test_a_single_class_is_refused():
    x, y = table()
    with pytest.raises(InvalidInput, match="needs at least 2 classes.*1 class: 'only'"):
        small().fit(x, np.full(len(x), "only"))


def test_the_hyperparameters_are_the_librarys():
    """Every Settings field (but epochs = max_iter and seed = random_state) and every option
    of a Network's config is a hyperparameter, with the library's default."""
    params = NudgesClassifier().get_params()
    for name in SETTINGS:
        assert params[name] == getattr(nudges.Settings(), name), name
    defaults = inspect.signature(Network).parameters
    for name in Network([2, 2], seed=0).config.keys() - {"sizes", "seed"}:
        assert params[name] == defaults[name].default, name
    assert params["max_iter"] == nudges.Settings().epochs


def test_feature_names_are_kept_and_checked():
    pd = pytest.importorskip("pandas")
    x, y = table()
    frame = pd.DataFrame(x, columns=list("abcde"))
    est = small(random_state=0).fit(frame, y)
    assert list(est.feature_names_in_) == list("abcde")
    with pytest.raises(ValueError, match="feature names"):
        est.predict(frame.rename(columns={"a": "z"}))


def test_pipeline_and_grid_search_with_two_jobs():
    x, y = table(120)
    pipe = make_pipeline(StandardScaler(), small(random_state=0))
    grid = GridSearchCV(pipe, {"nudgesclassifier__eta": [0.3, 1.0],
                               "nudgesclassifier__optimizer": ["sgd", "adam"]},
                        cv=3, n_jobs=2, error_score="raise").fit(x, y)
    assert len(grid.cv_results_["params"]) == 4
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    assert grid.best_score_ > 0.7 and grid.score(x, y) > 0.8


def test_save_and_load_round_trip_without_pickle(tmp_path):
    pd = pytest.importorskip("pandas")
    x, y = table()
    names = np.array(["cat", "dog", "emu"])[y]
    est = small(output="softmax", cost="cross-entropy", eta=0.5, random_state=3)
    est.fit(pd.DataFrame(x, columns=list("abcde")), names)
    path = tmp_path / "model.npz"
    est.save(path)
    again = NudgesClassifier.load(path)
    frame = pd.DataFrame(x, columns=list("abcde"))
    np.testing.assert_array_equal(again.predict_proba(frame), est.predict_proba(frame))
    assert list(again.predict(frame)) == list(est.predict(frame))
    assert again.get_params() == est.get_params()
    assert list(again.feature_names_in_) == list("abcde")
    assert again.loss_curve_ == est.loss_curve_ and again.n_iter_ == est.n_iter_
    assert nudges.load(path).config == est.network_.config         # any nudges reads it
    again.partial_fit(frame, names)                                 # and it trains on
    assert again.n_iter_ == est.n_iter_ + 1


def test_numeric_classes_keep_their_dtype_and_plain_models_are_refused(tmp_path):
    x, y = table()
    est = small(random_state=0).fit(x, np.array([10, 20, 30], dtype=np.int16)[y])
    est.save(tmp_path / "model.npz")
    again = NudgesClassifier.load(tmp_path / "model.npz")
    assert again.classes_.dtype == np.int16 and list(again.classes_) == [10, 20, 30]
    nudges.save(Network([5, 3], seed=0), tmp_path / "plain.npz")
    with pytest.raises(ModelFileError, match="not one NudgesClassifier saved"):
        NudgesClassifier.load(tmp_path / "plain.npz")
    with pytest.raises(NotFittedError):
        small().save(tmp_path / "unfitted.npz")


def test_a_pickle_holds_plain_data_and_resumes_training_exactly():
    import pickle
    x, y = table()
    est = small(optimizer="adam", eta=0.01, random_state=0).partial_fit(x, y, classes=[0, 1, 2])
    data = pickle.dumps(est)
    for inner in (b"nudges.core.network", b"nudges.training.sgd", b"nudges.core.activations",
                  b"nudges.core.costs"):
        assert inner not in data                 # only the estimator's own class is named
    again = pickle.loads(data)
    for model in (est, again):
        model.partial_fit(x, y)                  # Adam's moments and the shuffling go on
    np.testing.assert_array_equal(again.predict_proba(x), est.predict_proba(x))


def test_skops_needs_to_trust_only_the_estimator(tmp_path):
    sio = pytest.importorskip("skops.io")
    x, y = table()
    est = small(random_state=0).fit(x, y)
    sio.dump(est, tmp_path / "model.skops")
    assert sio.get_untrusted_types(file=tmp_path / "model.skops") == [
        "nudges.sklearn.estimator.NudgesClassifier"]
    again = sio.load(tmp_path / "model.skops",
                     trusted=["nudges.sklearn.estimator.NudgesClassifier"])
    np.testing.assert_array_equal(again.predict_proba(x), est.predict_proba(x))
