"""The wishes and nudges of nudges.explain.wishes, tied to the math: gradients and finite
differences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nudges.core.errors import DataNotFound, InvalidInput
from nudges.core.network import Network, Trace
from nudges.explain.wishes import (
    agreement,
    check_one_weight,
    example_nudges,
    gradient_noise,
    nudge_norms,
    step_effect,
    wishes,
)

HIDDEN = ("sigmoid", "relu", "tanh")
OUTPUTS = (("sigmoid", "quadratic"), ("sigmoid", "cross-entropy"), ("softmax", "cross-entropy"))
COMBOS = [(h, o, c) for h, (o, c) in itertools.product(HIDDEN, OUTPUTS)]


def small(hidden: str, output: str, cost: str, seed: int = 0) -> Network:
    return Network([6, 5, 4, 3], activation=hidden, output=output, cost=cost,
                   dtype="float64", seed=seed)


def batch(n: int = 7, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 6)), rng.integers(0, 3, size=n)


@pytest.mark.parametrize(("hidden", "output", "cost"), COMBOS)
def test_example_nudges_average_to_the_negative_gradient(hidden, output, cost):
    net = small(hidden, output, cost)
    x, y = batch()
    nudge_w, nudge_b = example_nudges(net, x, y)
    grad_w, grad_b = net.gradient(x, y)
    for l in range(3):
        assert nudge_w[l].shape == (7, *net.weights[l].shape)
        assert nudge_b[l].shape == (7, net.sizes[l + 1])
        np.testing.assert_allclose(nudge_w[l].mean(axis=0), -grad_w[l], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(nudge_b[l].mean(axis=0), -grad_b[l], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("hidden", "output", "cost"), COMBOS)
def test_each_nudge_is_minus_previous_activation_times_delta(hidden, output, cost):
    net = small(hidden, output, cost)
    x, y = batch()
    nudge_w, nudge_b = example_nudges(net, x, y)
    for i in range(len(x)):
        w = wishes(net, x[i], int(y[i]))
        for l in range(3):
            a_prev, delta = w.trace.activations[l][0], w.deltas[l]
            for j, k in np.ndindex(net.weights[l].shape):
                assert w.nudge_w[l][j, k] == pytest.approx(-a_prev[k] * delta[j], abs=1e-15)
            np.testing.assert_allclose(w.nudge_w[l], nudge_w[l][i], rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(w.nudge_b[l], -delta)
            np.testing.assert_allclose(w.nudge_b[l], nudge_b[l][i], rtol=1e-12, atol=1e-15)


def _cost_from(net: Network, a: np.ndarray, layer: int, label: int) -> float:
    """C_x with the activations of layer `layer` (0 = input) replaced by a, run forward."""
    zs, acts = [np.zeros((1, 1))], [a[None, :]]
    for l in range(layer, len(net.weights)):
        zs.append(acts[-1] @ net.weights[l].T + net.biases[l])
        acts.append(net.layer_activation(l).f(zs[-1]))
    targets = np.eye(net.sizes[-1])[[label]]
    if layer == len(net.weights):                      # the output itself: C_x(a^L)
        return _output_cost(net, a, targets[0])
    return float(net.example_costs(Trace(zs, acts), targets)[0])


def _output_cost(net: Network, a: np.ndarray, y: np.ndarray) -> float:
    if net.cost_function.name == "quadratic":
        return float(0.5 * np.sum((a - y) ** 2))
    if net.output.name == "softmax":
        return float(-np.log(a[y.argmax()]))
    return float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))


@pytest.mark.parametrize(("hidden", "output", "cost"), COMBOS)
def test_each_wish_is_minus_the_derivative_of_the_cost_by_the_activation(hidden, output, cost):
    net = small(hidden, output, cost, seed=3)
    x, y = batch(1, seed=4)
    w = wishes(net, x[0], int(y[0]))
    h = 1e-6
    for l in range(1, 4):                             # every non-input layer
        a = w.trace.activations[l][0]
        numeric = np.empty_like(a)
        for k in range(a.size):
            up, down = a.copy(), a.copy()
            up[k] += h
            down[k] -= h
            plus, minus = _cost_from(net, up, l, w.label), _cost_from(net, down, l, w.label)
            numeric[k] = (plus - minus) / (2 * h)
        np.testing.assert_allclose(w.activation_wishes[l - 1], -numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(w.activation_wishes[-1], w.output_wish)


def test_quadratic_output_wish_is_target_minus_activation():
    net = small("sigmoid", "sigmoid", "quadratic")
    x, _ = batch(1)
    w = wishes(net, x, 2)
    np.testing.assert_allclose(w.output_wish, np.eye(3)[2] - w.output)
    assert w.cost == pytest.approx(net.cost(x, np.array([2])))


def test_levers_of_one_neuron_add_up_to_the_wishes_passed_back():
    net = small("tanh", "sigmoid", "quadratic")
    x, y = batch(1)
    w = wishes(net, x[0], int(y[0]))
    for l in (1, 2):
        parts = [w.levers(l, j) for j in range(net.sizes[l + 1])]
        passed_back = sum(p.previous_wishes for p in parts)
        np.testing.assert_allclose(passed_back, w.activation_wishes[l - 1])
        for j, p in enumerate(parts):
            np.testing.assert_allclose(p.weight_nudges, -p.delta * p.a_prev)
            np.testing.assert_allclose(p.previous_wishes, -p.delta * net.weights[l][j])
            assert p.bias_nudge == -p.delta == w.nudge_b[l][j]
    j, k = w.biggest_nudges(0, 1)[0]
    assert abs(w.nudge_w[0][j, k]) == np.abs(w.nudge_w[0]).max()


def test_nudge_norms_match_the_full_nudges():
    net = small("relu", "softmax", "cross-entropy")
    x, y = batch(9)
    nudge_w, _ = example_nudges(net, x, y)
    norms = nudge_norms(net, x, y)
    expected = np.stack([np.linalg.norm(n.reshape(9, -1), axis=1) for n in nudge_w], axis=1)
    np.testing.assert_allclose(norms, expected, rtol=1e-12)


def test_agreement_counts_and_moments_match_the_nudges():
    net = small("sigmoid", "sigmoid", "cross-entropy")
    x, y = batch(40)
    x[:, 2] = 0                                        # an input nobody moves
    x[:20, 3] = 0
    nudge_w, _ = example_nudges(net, x, y)
    for layer in range(3):
        ag = agreement(net, x, y, layer)
        nudges = nudge_w[layer]
        np.testing.assert_array_equal(ag.up, (nudges > 0).sum(axis=0))
        np.testing.assert_array_equal(ag.down, (nudges < 0).sum(axis=0))
        np.testing.assert_allclose(ag.mean, nudges.mean(axis=0), atol=1e-15)
        np.testing.assert_allclose(ag.std, nudges.std(axis=0), rtol=1e-6, atol=1e-12)
        same = (np.sign(nudges) == np.sign(nudges.mean(axis=0))) & (nudges != 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = same.sum(axis=0) / (nudges != 0).sum(axis=0)
        np.testing.assert_allclose(ag.agree, expected)
    ag = agreement(net, x, y, 0)
    assert np.isnan(ag.agree[:, 2]).all()
    up, down = ag.pullers(1, 4, count=3)
    column = nudge_w[0][:, 1, 4]
    assert list(up) == list(np.argsort(-column)[:len(up)]) and (column[up] > 0).all()
    assert list(down) == list(np.argsort(column)[:len(down)]) and (column[down] < 0).all()
    np.testing.assert_allclose(ag.nudges_of(1, 4), column)


def test_full_batch_cosine_is_one_and_norm_ratio_one():
    net = small("sigmoid", "sigmoid", "quadratic")
    x, y = batch(50)
    rows = gradient_noise(net, x, y, batch_sizes=(1, 5, 50), repeats=4, rng=0)
    assert [r.batch_size for r in rows] == [1, 5, 50]
    assert rows[-1].cosine_mean == pytest.approx(1, abs=1e-12)
    assert rows[-1].norm_ratio == pytest.approx(1, abs=1e-12)
    assert all(-1 <= r.cosine_mean <= 1 and r.seconds >= 0 and r.repeats == 4 for r in rows)
    again = gradient_noise(net, x, y, batch_sizes=(1, 5, 50), repeats=4,
                           rng=np.random.default_rng(0))
    assert [r.cosine_mean for r in again] == [r.cosine_mean for r in rows]


def test_cosine_rises_with_batch_size_on_real_digits():
    from nudges.data.mnist import load_sample
    try:
        x, y = load_sample().train
    except DataNotFound as e:
        pytest.skip(f"the MNIST sample is not available: {e}")
    net = Network([784, 30, 10], seed=0)
    rows = gradient_noise(net, x, y, batch_sizes=(1, 10, 100, 1000, len(y)), repeats=20, rng=0)
    cosines = [r.cosine_mean for r in rows]
    assert cosines == sorted(cosines), cosines
    assert cosines[0] < 0.9 and cosines[-1] == pytest.approx(1, abs=1e-5)


def test_one_step_lowers_the_example_cost_on_a_copy():
    net = small("sigmoid", "sigmoid", "quadratic")
    before = [w.copy() for w in net.weights]
    x, y = batch(30)
    effect = step_effect(net, x, y, 4, eta=0.5)
    assert effect.cost_after < effect.cost_before
    assert all((w == b).all() for w, b in zip(net.weights, before, strict=True))
    grad_w, _ = net.gradient(x[4], y[4:5])
    np.testing.assert_allclose(effect.network.weights[0], net.weights[0] - 0.5 * grad_w[0])
    assert effect.digit_counts.sum() == 29
    assert effect.output_before.shape == effect.output_after.shape == (1, 3)
    others = np.delete(np.arange(30), 4)
    costs = [net.cost(x[others][y[others] == d], y[others][y[others] == d]) for d in range(3)]
    np.testing.assert_allclose(effect.digit_cost_before, costs)
    batch_effect = step_effect(net, x, y, [0, 1, 2], eta=0.5)
    assert batch_effect.cost_after < batch_effect.cost_before
    assert batch_effect.digit_counts.sum() == 27


def test_check_one_weight_agrees_even_for_a_float32_network():
    net = Network([6, 5, 3], seed=0)                          # float32
    x, y = batch(1)
    result = check_one_weight(net, x[0], int(y[0]), 0, 2, 3)
    assert result.relative_error < 1e-7
    assert "agree" in result.words() and "w_2,3" in result.words()
    x[0, 3] = 0
    zero = check_one_weight(net, x[0], int(y[0]), 0, 2, 3)
    assert zero.backprop == 0 and "exactly 0" in zero.words()


def test_saturated_cross_entropy_wish_stays_finite():
    net = Network([6, 3], output="sigmoid", cost="cross-entropy", seed=0)
    net.weights[0][:] = 100
    w = wishes(net, np.ones(6, dtype=np.float32), 0)
    assert np.isfinite(w.output_wish).all()


@pytest.mark.parametrize("call", [
    lambda net, x, y: wishes(net, x[:2], 0),
    lambda net, x, y: wishes(net, x[0], 3),
    lambda net, x, y: wishes(net, x[0], True),
    lambda net, x, y: wishes(net, x[0, :5], 0),
    lambda net, x, y: example_nudges(net, x, y[:3]),
    lambda net, x, y: agreement(net, x, y, 3),
    lambda net, x, y: agreement(net, x, y, 0).pullers(5, 0),
    lambda net, x, y: gradient_noise(net, x, y, batch_sizes=(8,)),
    lambda net, x, y: gradient_noise(net, x, y, repeats=0),
    lambda net, x, y: step_effect(net, x, y, 7, 1.0),
    lambda net, x, y: step_effect(net, x, y, [1, 1], 1.0),
    lambda net, x, y: step_effect(net, x, y, 0, -1.0),
    lambda net, x, y: check_one_weight(net, x[0], 0, 0, 5, 0),
    lambda net, x, y: check_one_weight(net, x[0], 0, 0, 0, 0, h=0),
    lambda net, x, y: wishes(net, x[0], 0).levers(3, 0),
])
def test_bad_input_raises_invalid_input(call):
    x, y = batch(7)
    with pytest.raises(InvalidInput):
        call(small("sigmoid", "sigmoid", "quadratic"), x, y)
