"""Backpropagation against central finite differences, float64, every activation/cost pair."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudges import Network
from nudges.explain.gradcheck import check_weight, numeric_derivative
from tests.test_network import ALL_COMBINATIONS


def numerical_gradients(net, x, y, h=1e-5):
    grads = []
    for params in (net.weights, net.biases):
        grads.append([np.array([numeric_derivative(net, x, y, p, i, h)
                                for i in np.ndindex(p.shape)]).reshape(p.shape)
                      for p in params])
    return grads


def assert_close(analytic, numeric):
    # relative error below 1e-6, with an absolute floor for derivatives that are ~0
    err = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-4)
    assert err.max() < 1e-6, err.max()


@pytest.mark.parametrize(("hidden", "output", "cost"), ALL_COMBINATIONS)
@settings(max_examples=8, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=1, max_size=3), n=st.integers(1, 4),
       seed=st.integers(0, 2**16))
def test_backprop_matches_finite_differences(hidden, output, cost, sizes, n, seed):
    n_out = 3 if output == "softmax" else 2
    net = Network([4, *sizes, n_out], activation=hidden, output=output, cost=cost,
                  dtype="float64", seed=seed)
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4)) + 0.01                # keep ReLU away from its kink at z = 0
    y = rng.integers(0, n_out, n)
    grad_w, grad_b = net.gradient(x, y)
    num_w, num_b = numerical_gradients(net, x, y)
    for analytic, numeric in zip(grad_w + grad_b, num_w + num_b):
        assert_close(analytic, numeric)


def test_check_weight_reports_both_derivatives():
    net = Network([3, 2, 2], dtype="float64", seed=0)
    x, y = np.array([[0.2, 0.4, 0.9]]), np.array([1])
    check = check_weight(net, x, y, layer=0, j=1, k=2)
    assert check.backprop == pytest.approx(net.gradient(x, y)[0][0][1, 2])
    assert check.relative_error < 1e-7
