"""Backprop against an independent framework: PyTorch autograd in float64, for every registered
activation and cost that torch has (skips without torch; an entry torch lacks skips by name)."""

import numpy as np
import pytest

from nudges import Network
from tests.test_network import ALL_COMBINATIONS

torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install 'nudges[bench]'")
F = torch.nn.functional

ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh,
               "softplus": F.softplus, "silu": F.silu, "softmax": lambda z: torch.softmax(z, 1)}
COSTS = {  # per-example C_x(a, one-hot t, output name)
    "quadratic": lambda a, t, out: 0.5 * ((a - t) ** 2).sum(dim=1),
    "cross-entropy": lambda a, t, out: -(t * torch.log(a)).sum(dim=1) if out == "softmax" else
    -(t * torch.log(a) + (1 - t) * torch.log(1 - a)).sum(dim=1)}


def torch_cost(net, weights, biases, x, y):
    """The same network and mean cost, written with torch operations."""
    a = torch.from_numpy(x)
    for l, (w, b) in enumerate(zip(weights, biases)):
        a = ACTIVATIONS[net.layer_activation(l).name](a @ w.T + b)
    t = F.one_hot(torch.from_numpy(y), a.shape[1]).double()
    return COSTS[net.cost_function.name](a, t, net.output.name).mean()


@pytest.mark.parametrize(("hidden", "output", "cost"), ALL_COMBINATIONS)
def test_gradient_matches_torch_autograd(hidden, output, cost):
    missing = [name for name in (hidden, output) if name not in ACTIVATIONS]
    missing += [] if cost in COSTS else [cost]
    if missing:
        pytest.skip(f"torch has no {', '.join(missing)}")
    net = Network([12, 7, 5, 4], activation=hidden, output=output, cost=cost, dtype="float64",
                  seed=3)
    rng = np.random.default_rng(3)
    x, y = rng.random((9, 12)), rng.integers(0, 4, 9)
    weights = [torch.tensor(w, requires_grad=True) for w in net.weights]
    biases = [torch.tensor(b, requires_grad=True) for b in net.biases]
    c = torch_cost(net, weights, biases, x, y)
    c.backward()
    assert net.cost(x, y) == pytest.approx(c.item(), rel=1e-12)
    grad_w, grad_b = net.gradient(x, y)
    for ours, theirs in zip(grad_w + grad_b, weights + biases):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)
