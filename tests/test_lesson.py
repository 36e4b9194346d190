"""nudges.explain.lesson: the tour's lesson network learns from scratch, one reference step at a
time, replayably, and picks examples on which backprop has something to show."""

from __future__ import annotations

import numpy as np
import pytest

from nudges.core.checks import as_targets
from nudges.core.errors import InvalidInput
from nudges.core.network import Network
from nudges.explain.lesson import LESSON_ETA, Lesson, recorded, teaching_example

from .web_helpers import tiny_dataset


@pytest.fixture(scope="module")
def data():
    return tiny_dataset(95, 10, 40)          # 95 training rows: 10 steps an epoch, the last of 5


def start(data, seed: int = 3) -> Lesson:
    like = Network([784, 8, 10], seed=0)
    return Lesson.start(like, data.train, data.test, seed)


def test_it_starts_untrained_from_its_seed_with_the_models_shape(data):
    lesson = start(data)
    fresh = Network([784, 8, 10], seed=3)
    assert lesson.net.sizes == [784, 8, 10] and lesson.steps == 0
    for w, v in zip(lesson.net.weights, fresh.weights):
        np.testing.assert_array_equal(w, v)
    assert lesson.curve == [(0, fresh.cost(*data.test))]


def test_one_step_is_a_hand_worked_gradient_descent_step(data):
    lesson, fresh = start(data), Network([784, 8, 10], seed=3)
    order = np.random.default_rng(3).permutation(95)   # State.start's shuffle, from the seed
    lesson.advance(1)
    rows = order[:10]
    grad_w, grad_b = fresh.gradient(data.train[0][rows], data.train[1][rows])
    for w, w0, g in zip(lesson.net.weights, fresh.weights, grad_w):
        np.testing.assert_allclose(w, w0 - LESSON_ETA * g, rtol=1e-5, atol=1e-6)
    for b, b0, g in zip(lesson.net.biases, fresh.biases, grad_b):
        np.testing.assert_allclose(b, b0 - LESSON_ETA * g, rtol=1e-5, atol=1e-6)


def test_the_same_name_is_the_same_network_however_the_steps_were_asked_for(data):
    whole, piecemeal = start(data), start(data)
    whole.advance(23)                                  # across two epoch boundaries
    for steps in (1, 9, 3, 10):
        piecemeal.advance(steps)
    for a, b in zip(whole.net.weights + whole.net.biases,
                    piecemeal.net.weights + piecemeal.net.biases):
        np.testing.assert_array_equal(a, b)
    assert whole.curve == piecemeal.curve and whole.state.epoch == 2 == piecemeal.state.epoch
    assert [t for t, _ in whole.curve] == [t for t in range(24) if recorded(t)]


def test_the_curve_keeps_fixed_step_counts():
    kept = [t for t in range(1001) if recorded(t)]
    assert kept[:11] == list(range(11)) and 20 in kept and 15 not in kept
    assert 300 in kept and 310 not in kept and kept[-1] == 1000


def test_a_seed_must_be_a_whole_number(data):
    for seed in (-1, 1.5, True):
        with pytest.raises(InvalidInput, match="seed must be an integer"):
            Lesson.start(Network([784, 8, 10], seed=0), data.train, data.test, seed)


def test_the_teaching_example_is_one_the_network_gets_wrong():
    net = Network([2, 3], seed=0, output="softmax", cost="cross-entropy")
    net.weights[0][:] = 0
    net.biases[0][:] = [3.0, 0.0, 0.0]                 # always says 0, with a ≈ 0.91
    x = np.zeros((4, 2), dtype=np.float32)
    assert teaching_example(net, x, np.array([0, 0, 2, 1])) == (2, "wrong")
    assert teaching_example(net, x[:2], np.array([0, 0])) == (0, "highest cost")
    net.biases[0][:] = [0.3, 0.0, 0.0]                 # right on 0, but unsure (a ≈ 0.4)
    assert teaching_example(net, x[:2], np.array([0, 1])) == (1, "wrong")
    assert teaching_example(net, x[:2], np.array([0, 0])) == (0, "unsure")
    with pytest.raises(InvalidInput, match="no examples"):
        teaching_example(net, x[:0], np.array([], dtype=np.int64))


def test_targets_are_one_hot_rows(data):
    lesson = start(data)
    expected = as_targets(data.train[1], 10, 95, lesson.net.dtype)[0]
    np.testing.assert_array_equal(lesson.train[1], expected)
