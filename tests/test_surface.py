"""The walk downhill, drawn (nudges.explain.surface): the plane, the grid's costs and both walks."""

from __future__ import annotations

import numpy as np
import pytest

from nudges.core.errors import InvalidInput
from nudges.core.network import Network, flat
from nudges.explain.surface import (
    cost_surface,
    filter_normalised,
    surface_value,
    unflatten,
    walk,
)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((120, 784), dtype=np.float32), rng.integers(0, 10, 120)


@pytest.fixture(scope="module")
def net() -> Network:
    return Network([784, 8, 6, 10], seed=3)


@pytest.fixture(scope="module")
def found(net: Network, data: tuple[np.ndarray, np.ndarray]):  # type: ignore[no-untyped-def]
    return cost_surface(net, *data, eta=3.0, batch_size=10, steps=20, grid=7, seed=5)


def test_the_surface_at_the_current_point_is_the_networks_cost(net, data, found) -> None:
    end = net.copy()
    weights, biases = unflatten(end, found.theta0 + found.sgd.alpha[-1] * found.u
                                + found.sgd.beta[-1] * found.v)
    end.weights = [w.astype(np.float32) for w in weights]
    end.biases = [b.astype(np.float32) for b in biases]
    here = surface_value(net, *data, found, found.sgd.alpha[-1], found.sgd.beta[-1])
    assert here == pytest.approx(end.cost(*data), rel=1e-5)
    assert here == pytest.approx(found.sgd.cost[-1], rel=1e-5)       # SGD's end is in the plane
    assert found.sgd.off_plane[-1] == pytest.approx(0, abs=1e-9)


def test_every_grid_point_is_the_networks_cost_there(net, data, found) -> None:
    at = net.copy()
    for i, j in [(0, 0), (3, 5), (6, 2)]:
        theta = found.theta0 + found.alphas[j] * found.u + found.betas[i] * found.v
        weights, biases = unflatten(at, theta)
        at.weights, at.biases = ([p.astype(np.float32) for p in ps] for ps in (weights, biases))
        assert found.costs[i, j] == pytest.approx(at.cost(*data), rel=1e-5)


def test_both_paths_start_at_the_start_projected_at_the_origin(net, data, found) -> None:
    for path in (found.gd, found.sgd):
        assert (path.alpha[0], path.beta[0], path.off_plane[0]) == (0, 0, 0)
        assert path.cost[0] == pytest.approx(net.cost(*data), rel=1e-6)
        assert len(path.alpha) == 21 and 0 <= path.hidden <= 1
    np.testing.assert_array_equal(found.theta0, flat(net.weights, net.biases))


def test_each_path_point_costs_what_net_cost_says(net, data, found) -> None:
    at = net.copy()
    walks = [walk(net, data[0], np.eye(10, dtype=np.float32)[data[1]], 3.0, 10, 20,
                  np.random.default_rng(5).spawn(2)[0])]
    for t in (0, 7, 20):
        weights, biases = unflatten(at, walks[0][t])
        at.weights, at.biases = ([p.astype(np.float32) for p in ps] for ps in (weights, biases))
        assert found.sgd.cost[t] == pytest.approx(at.cost(*data), rel=1e-5)


def test_the_plane_is_orthonormal_and_the_grid_holds_both_paths(found) -> None:
    assert found.u @ found.u == pytest.approx(1) and found.v @ found.v == pytest.approx(1)
    assert found.u @ found.v == pytest.approx(0, abs=1e-12)
    for path in (found.gd, found.sgd):
        assert found.alphas[0] < path.alpha.min() and path.alpha.max() < found.alphas[-1]
        assert found.betas[0] < path.beta.min() and path.beta.max() < found.betas[-1]
    assert np.ptp(found.alphas) == pytest.approx(np.ptp(found.betas))   # drawn to scale


def test_the_walks_go_downhill_and_the_input_is_untouched(net, data, found) -> None:
    before = flat(net.weights, net.biases)
    assert found.gd.cost[-1] < found.gd.cost[0] and found.sgd.cost[-1] < found.sgd.cost[0]
    cost_surface(net, *data, steps=3, grid=5)
    np.testing.assert_array_equal(flat(net.weights, net.biases), before)


def test_one_seed_gives_one_surface_and_another_seed_another(net, data, found) -> None:
    again = cost_surface(net, *data, eta=3.0, batch_size=10, steps=20, grid=7, seed=5)
    np.testing.assert_array_equal(again.costs, found.costs)
    np.testing.assert_array_equal(again.sgd.alpha, found.sgd.alpha)
    other = cost_surface(net, *data, eta=3.0, batch_size=10, steps=20, grid=7, seed=6)
    assert not np.array_equal(other.sgd.cost, found.sgd.cost)
    np.testing.assert_array_equal(other.gd.cost, found.gd.cost)     # GD takes no random choice


def test_filter_normalised_rows_match_the_weights(net) -> None:
    d = filter_normalised(net, np.random.default_rng(0))
    weights, biases = unflatten(net, d)
    for w, dw in zip(net.weights, weights):
        np.testing.assert_allclose(np.linalg.norm(dw, axis=1), np.linalg.norm(w, axis=1),
                                   rtol=1e-5)
    assert all(not b.any() for b in biases)


@pytest.mark.parametrize("bad", [{"batch_size": 0}, {"batch_size": 121}, {"eta": -1.0},
                                 {"steps": 0}, {"grid": 1}])
def test_bad_settings_say_what_was_expected(net, data, bad) -> None:
    with pytest.raises(InvalidInput):
        cost_surface(net, *data, **bad)


@pytest.mark.parametrize("kind", [
    {"activation": "relu", "output": "softmax", "cost": "cross-entropy", "init": "he"},
    {"activation": "tanh", "output": "sigmoid", "cost": "cross-entropy", "dtype": "float64"}])
def test_the_grid_is_the_cost_for_every_kind_of_network(kind, data) -> None:
    net = Network([784, 8, 6, 10], seed=1, **kind)
    found = cost_surface(net, *data, eta=0.1, steps=5, grid=5, seed=0)
    at = net.copy()
    theta = found.theta0 + found.alphas[4] * found.u + found.betas[1] * found.v
    weights, biases = unflatten(at, theta)
    at.weights, at.biases = ([p.astype(net.dtype) for p in ps] for ps in (weights, biases))
    assert found.costs[1, 4] == pytest.approx(at.cost(*data), rel=1e-5)


def test_an_overflowing_cost_is_refused_not_drawn(net, data, monkeypatch) -> None:
    from nudges.explain import surface
    monkeypatch.setattr(surface, "plane_costs", lambda *args: np.full(25, np.inf))
    with pytest.raises(InvalidInput, match="smaller eta"):
        cost_surface(net, *data, steps=2, grid=5)
