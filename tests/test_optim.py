"""The optimizers against PyTorch's torch.optim on the same weights and batches (float64), and
the structure rules that keep one description of each piece of math."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from nudges import Network
from nudges.core import optimizers
from nudges.engines.reference import Rule, reference_step
from nudges.training.settings import Settings

torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install 'nudges[bench]'")

SOURCES = Path(__file__).parent.parent / "src" / "nudges"
L2_IN_TORCH = {  # torch.optim's own optimizer for each registered one (weight_decay: L2 on w)
    "sgd": lambda groups, eta, h: torch.optim.SGD(groups, lr=eta),
    "momentum": lambda groups, eta, h: torch.optim.SGD(groups, lr=eta, momentum=h["momentum"]),
    "nesterov": lambda groups, eta, h: torch.optim.SGD(groups, lr=eta, momentum=h["momentum"],
                                                       nesterov=True),
    "rmsprop": lambda groups, eta, h: torch.optim.RMSprop(groups, lr=eta, alpha=h["rho"],
                                                          eps=h["eps"]),
    "adam": lambda groups, eta, h: torch.optim.Adam(groups, lr=eta, betas=(h["beta1"],
                                                    h["beta2"]), eps=h["eps"])}
DECOUPLED_IN_TORCH = {  # torch's weight_decay is the optimizer's own, on every parameter
    "adamw": lambda params, eta, h: torch.optim.AdamW(params, lr=eta, betas=(h["beta1"],
                                                      h["beta2"]), eps=h["eps"],
                                                      weight_decay=h["weight_decay"])}


def torch_optimizer(name: str, params: list, eta: float, decay: float, h: dict):
    """torch.optim's own optimizer, L2 (weight_decay) on the weights only, as nudges does."""
    if name in DECOUPLED_IN_TORCH:
        return DECOUPLED_IN_TORCH[name](params, eta, h)
    groups = [{"params": params[:2], "weight_decay": decay},
              {"params": params[2:], "weight_decay": 0.0}]
    return L2_IN_TORCH[name](groups, eta, h)


def torch_steps(params, theirs, x, targets, rows):
    theirs.zero_grad()
    a = torch.from_numpy(x[rows])
    for l in range(2):
        z = a @ params[l].T + params[2 + l]
        a = torch.tanh(z) if l == 0 else torch.log_softmax(z, dim=1)
    (-(torch.from_numpy(targets[rows]) * a).sum(dim=1).mean()).backward()
    theirs.step()


@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
def test_three_hundred_steps_agree_with_torch_optim(name):
    if name not in L2_IN_TORCH and name not in DECOUPLED_IN_TORCH:
        pytest.skip(f"torch.optim has no {name}")
    rng = np.random.default_rng(0)
    x, y = rng.random((300, 8)), rng.integers(0, 3, 300)
    net = Network([8, 6, 3], activation="tanh", output="softmax", cost="cross-entropy",
                  dtype="float64", seed=1)
    params = [torch.tensor(p.copy(), requires_grad=True) for p in net.weights + net.biases]
    optimizer = optimizers.optimizer_named(name)
    h = {hyper.name: hyper.default for hyper in optimizer.hypers}        # as declared
    eta = 0.01 if "eps" in optimizer.uses else 0.1          # the adaptive ones
    decay = 0.0 if name in DECOUPLED_IN_TORCH else 0.02
    rule = Rule(optimizer, eta, decay, optimizer.constants(Settings(eta=eta, optimizer=name,
                                                                    **h)))
    slots = [[np.zeros_like(p) for _ in optimizer.slots] for p in net.weights + net.biases]
    theirs = torch_optimizer(name, params, eta, decay, h)
    targets = np.eye(3)[y]
    for t in range(1, 301):
        rows = rng.choice(300, 10, replace=False)
        assert reference_step(net, x[rows], targets[rows], rule, slots, t)
        torch_steps(params, theirs, x, targets, rows)
    for ours, p in zip(net.weights + net.biases, params, strict=True):
        np.testing.assert_allclose(ours, p.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_no_module_uses_another_modules_private_names():
    """`x._name` where x is not self/cls, and `from .m import _name`: nowhere in the package."""
    attribute = re.compile(r"\b(?!self\b|cls\b)[a-z_]\w*\._[a-z]\w*")
    imported = re.compile(r"from \.+[\w.]* import .*\b_[a-z]\w*")
    found = [f"{path.name}:{n}: {line.strip()}" for path in SOURCES.rglob("*.py")
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if (attribute.search(line) or imported.search(line)) and "#" not in line[:1]]
    assert not found, "\n".join(found)
