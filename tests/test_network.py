import numpy as np
import pytest

from nudges import InvalidInput, Network
from nudges.core import activations, costs
from nudges.core.network import set_parameters
from nudges.training.settings import Settings, State
from nudges.training.sgd import train_step

ALL_COMBINATIONS = [(h, o, c) for h in activations.hidden_names()     # from the registries
                    for c, cost in costs.COSTS.items() for o in cost.deltas]


def test_shapes_follow_the_video():
    net = Network([784, 16, 16, 10], seed=0)
    assert [w.shape for w in net.weights] == [(16, 784), (16, 16), (10, 16)]
    assert [b.shape for b in net.biases] == [(16,), (16,), (10,)]
    assert all(w.dtype == np.float32 for w in net.weights + net.biases)


def test_same_seed_same_parameters_and_different_seed_differs():
    a, b, c = (Network([5, 4, 3], seed=s) for s in (1, 1, 2))
    assert all((x == y).all() for x, y in zip(a.weights, b.weights))
    assert not (a.weights[0] == c.weights[0]).all()


@pytest.mark.parametrize(("init", "std"), [("scaled", 1 / 20), ("normal", 1.0), ("he", 0.0707)])
def test_initialisations_have_their_spread(init, std):
    net = Network([400, 200, 10], init=init, seed=0, dtype="float64")
    assert net.weights[0].std() == pytest.approx(std, rel=0.03)


def test_forward_keeps_every_layer_and_matches_the_formula():
    net = Network([3, 2, 2], seed=0, dtype="float64")
    x = np.array([[0.1, 0.2, 0.3]])
    trace = net.trace(x)
    z1 = x @ net.weights[0].T + net.biases[0]
    np.testing.assert_allclose(trace.zs[0], z1)
    np.testing.assert_allclose(trace.activations[1], 1 / (1 + np.exp(-z1)))
    np.testing.assert_allclose(trace.activations[-1], net.feedforward(x))


def test_one_sgd_step_worked_by_hand():
    # One sigmoid neuron, w = (0.5, -0.5), b = 0, input (1, 0), target 1, quadratic cost, η = 1.
    net = Network([2, 1], seed=0, dtype="float64")
    set_parameters(net, [np.array([[0.5, -0.5]])], [np.array([0.0])])
    a = 0.6224593312018546                       # σ(0.5)
    delta = (a - 1) * a * (1 - a)                # (a − y) σ'(z) = −0.0887235...
    assert delta == pytest.approx(-0.08872346, abs=1e-8)
    grad_w, grad_b = net.gradient(np.array([[1.0, 0.0]]), np.array([0]))
    np.testing.assert_allclose(grad_w[0], [[delta, 0.0]])
    state = State.start(net, seed=0)
    train_step(net, np.array([[1.0, 0.0]]), np.array([[1.0]]), Settings(eta=1.0), 1, state)
    np.testing.assert_allclose(net.weights[0], [[0.5 - delta, -0.5]])
    np.testing.assert_allclose(net.biases[0], [-delta])


def test_gradient_is_the_mean_over_examples():
    net = Network([4, 3, 2], seed=0, dtype="float64")
    rng = np.random.default_rng(0)
    x, y = rng.random((6, 4)), rng.integers(0, 2, 6)
    per_example = [net.gradient(x[i], y[i:i + 1]) for i in range(6)]
    mean_w = np.mean([g[0][0] for g in per_example], axis=0)
    np.testing.assert_allclose(net.gradient(x, y)[0][0], mean_w, rtol=1e-12)


def test_predict_accuracy_and_cost():
    net = Network([2, 2], seed=0, dtype="float64")
    set_parameters(net, [np.array([[5.0, 0.0], [0.0, 5.0]])], [np.zeros(2)])
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    y = np.array([0, 1, 1])
    np.testing.assert_array_equal(net.predict(x), [0, 1, 0])
    assert net.correct(x, y) == 2 and net.accuracy(x, y) == pytest.approx(2 / 3)
    a, b = 1 / (1 + np.exp(-5.0)), 0.5
    per_example = [0.5 * ((a - 1) ** 2 + b ** 2), 0.5 * ((a - 1) ** 2 + b ** 2),
                   0.5 * (a ** 2 + (b - 1) ** 2)]
    assert net.cost(x, y) == pytest.approx(np.mean(per_example))


def test_one_hot_labels_are_accepted_and_equal_integer_labels():
    net = Network([3, 4], seed=0)
    x = np.eye(3, dtype=np.float32)
    y = np.array([0, 3, 1])
    assert net.cost(x, y) == net.cost(x, np.eye(4)[y])


@pytest.mark.parametrize("sizes", [[784], [784, 0, 10], [784, -3, 10], [784, 2.5, 10], "784"])
def test_bad_sizes_are_refused(sizes):
    with pytest.raises(InvalidInput, match="layer sizes"):
        Network(sizes)


def test_bad_inputs_say_what_was_expected():
    net = Network([4, 3], seed=0)
    with pytest.raises(InvalidInput, match=r"shape \(n, 4\).*got \(2, 5\)"):
        net.predict(np.zeros((2, 5)))
    with pytest.raises(InvalidInput, match="NaN"):
        net.predict(np.full((1, 4), np.nan))
    with pytest.raises(InvalidInput, match=r"labels must be in 0..2, got 7 at index 1"):
        net.cost(np.zeros((2, 4)), np.array([0, 7]))
    with pytest.raises(InvalidInput, match="unknown dtype 'float16'"):
        Network([4, 3], dtype="float16")


def test_one_example_as_a_vector_is_one_row():
    net = Network([4, 3], seed=0)
    assert net.predict(np.ones(4)).shape == (1,)
