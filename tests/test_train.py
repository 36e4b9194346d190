import numpy as np
import pytest

from nudges import InvalidInput, Network
from nudges.core.network import set_parameters
from nudges.training.augment import random_shifts
from nudges.training.settings import History, Settings, State
from nudges.training.sgd import train, train_epochs, train_step


@pytest.fixture(scope="module")
def digits():
    from nudges.data.mnist import load_sample
    return load_sample()


def small_run(digits, seed=0, **kw):
    net = Network([784, 20, 10], seed=seed)
    x, y = digits.train
    history = train(net, x[:1000], y[:1000], epochs=2, batch_size=10, eta=3.0,
                    evaluation=digits.test, seed=seed, **kw)
    return net, history


def test_same_seed_gives_the_same_run_bit_for_bit(digits):
    (net_a, hist_a), (net_b, hist_b) = small_run(digits), small_run(digits)
    for w_a, w_b in zip(net_a.weights + net_a.biases, net_b.weights + net_b.biases):
        np.testing.assert_array_equal(w_a, w_b)
    strip = [{**e, "seconds": 0} for e in hist_a.to_dict()["epochs"]]
    assert strip == [{**e, "seconds": 0} for e in hist_b.to_dict()["epochs"]]
    net_c, _ = small_run(digits, seed=1)
    assert not np.array_equal(net_a.weights[0], net_c.weights[0])


def test_cost_falls_and_accuracy_rises_on_real_digits(digits):
    net = Network([784, 30, 10], seed=0)
    x, y = digits.train
    before = net.cost(*digits.test), net.accuracy(*digits.test)
    history = train(net, x, y, epochs=3, batch_size=10, eta=3.0, evaluation=digits.test, seed=0)
    costs = [e.training_cost for e in history.epochs]
    assert costs[-1] < costs[0] < before[0]
    assert history.epochs[-1].accuracy > 85 > 100 * before[1]
    assert history.epochs[-1].correct == net.correct(*digits.test)


def test_reports_come_per_epoch_through_the_callback(digits):
    seen = []
    _, history = small_run(digits, callback=seen.append)
    assert [e.epoch for e in seen] == [1, 2] and seen == history.epochs
    assert seen[0].total == len(digits.test[1]) and seen[0].seconds > 0
    assert History.from_dict(history.to_dict()) == history


def test_momentum_and_l2_step_worked_by_hand():
    net = Network([1, 1], seed=0, dtype="float64")
    set_parameters(net, [np.array([[2.0]])], [np.array([0.0])])
    x, t = np.array([[1.0]]), np.array([[1.0]])
    settings = Settings(eta=0.5, lmbda=4.0, momentum=0.5)
    state = State.start(net, seed=0)
    g1 = net.gradient(x, [0])[0][0][0, 0]
    train_step(net, x, t, settings, 8, state)      # v = −η (g + λ/n w) = −0.5 (g1 + 1)
    v1 = -0.5 * (g1 + 0.5 * 2.0)
    assert net.weights[0][0, 0] == pytest.approx(2.0 + v1)
    g2 = net.gradient(x, [0])[0][0][0, 0]
    w1 = net.weights[0][0, 0]
    train_step(net, x, t, settings, 8, state)      # v = μ v − η (g + λ/n w)
    assert net.weights[0][0, 0] == pytest.approx(w1 + 0.5 * v1 - 0.5 * (g2 + 0.5 * w1))


def test_each_epoch_visits_every_example_once():
    net = Network([3, 2], seed=0, dtype="float64")
    x = np.eye(3)
    seen = []
    state = State.start(net, seed=0)
    gen = train_epochs(net, x, np.array([0, 1, 0]), Settings(epochs=1, batch_size=2, eta=1.0),
              state=state, on_batch=lambda step, n: seen.append((step, n)))
    list(gen)
    assert seen == [(1, 2), (2, 2)] and state.epoch == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("epochs", 0, "epochs must be an integer >= 1"),
    ("batch_size", 0, "batch size must be an integer from 1 to the training-set size 3"),
    ("batch_size", 4, "batch size must be an integer from 1"),
    ("eta", 0.0, "eta"), ("eta", -1.0, "eta"), ("eta", float("nan"), "eta"),
    ("momentum", 1.0, "momentum must be in"), ("lmbda", -1.0, "lmbda"),
    ("schedule", "step", "known: constant, cosine"), ("shift", 9, "shift"),
])
def test_bad_settings_are_refused(field, value, message):
    net = Network([4, 2], seed=0)
    settings = Settings(**{"epochs": 1, "batch_size": 1, "eta": 1.0, field: value})
    with pytest.raises(InvalidInput, match=message):
        next(train_epochs(net, np.zeros((3, 4)), np.zeros(3, dtype=int), settings))


def test_random_shifts_move_the_image_and_keep_its_ink():
    rng = np.random.default_rng(0)
    image = np.zeros((1, 16))
    image[0, 5] = 1.0                            # pixel (1, 1) of a 4x4 image
    moved = random_shifts(np.repeat(image, 50, axis=0), 1, rng)
    assert (moved.sum(axis=1) == 1).all()        # a 1-pixel shift keeps an inner pixel
    assert len({int(np.argmax(row)) for row in moved}) == 9


def test_cosine_schedule_decays_eta():
    s = Settings(epochs=4, eta=1.0, schedule="cosine")
    assert [round(s.eta_at(e), 4) for e in range(4)] == [1.0, 0.8536, 0.5, 0.1464]


@pytest.mark.parametrize(("schedule", "made"), [("constant", 1), ("cosine", 3)])
def test_a_run_makes_its_stepper_once_unless_eta_changes(schedule, made, monkeypatch):
    import nudges.training.sgd as loop
    calls = []
    real = loop.make_stepper
    monkeypatch.setattr(loop, "make_stepper", lambda *a, **k: calls.append(a) or real(*a, **k))
    net = Network([4, 3, 2], seed=0)
    x, y = np.random.default_rng(0).random((12, 4)), np.arange(12) % 2
    list(train_epochs(net, x, y, Settings(epochs=3, batch_size=4, eta=0.5, schedule=schedule)))
    assert len(calls) == made
