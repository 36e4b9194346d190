"""The registry is the test: every activation (hidden and output), every cost with each output
it declares, and every optimizer is checked here, parametrised by iterating the registries at
collection time, so an entry added anywhere is verified with no test edited
(nudges.explain.verify)."""

from __future__ import annotations

import pytest

from nudges.core import activations, costs
from nudges.core.activations import ACTIVATIONS, Activation
from nudges.core.costs import COSTS, Cost, Delta
from nudges.engines.reference import ENGINES, compiled_available
from nudges.explain import verify

ENTRIES = verify.entries()
ENGINES_TO_CHECK = [e for e in ENGINES if e != "reference" and
                    (e != "compiled" or compiled_available())]


def ids(entries: list[tuple[str, ...]]) -> list[str]:
    return ["/".join(entry) for entry in entries]


@pytest.mark.parametrize(("hidden",), ENTRIES["hidden"], ids=ids(ENTRIES["hidden"]))
def test_prime_matches_finite_differences(hidden):
    assert verify.prime_error(ACTIVATIONS[hidden]) < verify.PRIME_TOLERANCE


@pytest.mark.parametrize(("cost", "output"), ENTRIES["pairs"], ids=ids(ENTRIES["pairs"]))
def test_delta_matches_finite_differences(cost, output):
    assert verify.delta_error(COSTS[cost], ACTIVATIONS[output]) < verify.DELTA_TOLERANCE


@pytest.mark.parametrize(("hidden",), ENTRIES["hidden"], ids=ids(ENTRIES["hidden"]))
def test_backprop_with_each_hidden_activation_matches_finite_differences(hidden):
    assert verify.network_error(hidden, "sigmoid", "quadratic") < verify.NETWORK_TOLERANCE


@pytest.mark.parametrize(("cost", "output"), ENTRIES["pairs"], ids=ids(ENTRIES["pairs"]))
def test_backprop_with_each_cost_and_output_matches_finite_differences(cost, output):
    assert verify.network_error("tanh", output, cost) < verify.NETWORK_TOLERANCE


def engine_cases() -> list[tuple[str, str, str, str]]:
    """Each entry once, beside a fixed choice of the others: (hidden, output, cost, optimizer)."""
    cases = [(h, "sigmoid", "quadratic", "sgd") for (h,) in ENTRIES["hidden"]]
    cases += [("tanh", o, c, "sgd") for c, o in ENTRIES["pairs"]]
    cases += [("relu", "softmax", "cross-entropy", o) for (o,) in ENTRIES["optimizers"]]
    return list(dict.fromkeys(cases))


@pytest.mark.parametrize("steps", [1, None], ids=["one step", "two epochs"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("engine", ENGINES_TO_CHECK)
@pytest.mark.parametrize("pieces", engine_cases(), ids=ids(engine_cases()))
def test_every_engine_runs_every_entry_like_the_reference(pieces, engine, dtype, steps):
    hidden, output, cost, optimizer = pieces
    error = verify.engine_error(engine, dtype, hidden, output, cost, optimizer, steps)
    assert error < verify.ENGINE_TOLERANCE[dtype]


# -- a wrong entry fails, and no other ----------------------------------------------------------
def half_sigmoid_prime(z, a):
    """σ' halved: wrong on purpose."""
    return 0.5 * a * (1 - a)


def off_delta(a, y, sigma_prime):
    """The quadratic cost's δ^L without σ': wrong on purpose for a sigmoid output."""
    return a - y


@pytest.fixture
def wrong_entries(monkeypatch):
    """A σ' halved and a δ^L that is off, registered in copies of the registries (undone after)."""
    monkeypatch.setattr(activations, "ACTIVATIONS", dict(ACTIVATIONS))
    monkeypatch.setattr(costs, "COSTS", dict(COSTS))
    activations.register(Activation("wrong-sigmoid", activations.sigmoid, half_sigmoid_prime))
    costs.register(Cost("wrong-quadratic", costs.quadratic, {"sigmoid": Delta(off_delta)}))
    yield
    assert "wrong-sigmoid" in activations.ACTIVATIONS


def failing_checks() -> set[str]:
    """Every finite-difference check over today's registries: the entries that fail."""
    failed = set()
    for name, activation in activations.ACTIVATIONS.items():
        if activation.elementwise and (
                verify.prime_error(activation) >= verify.PRIME_TOLERANCE
                or verify.network_error(name, "sigmoid", "quadratic") >= verify.NETWORK_TOLERANCE):
            failed.add(name)
    for cost_name, cost in costs.COSTS.items():
        for output in cost.deltas:
            if (verify.delta_error(cost, activations.ACTIVATIONS[output]) >= verify.DELTA_TOLERANCE
                    or verify.network_error("tanh", output, cost_name)
                    >= verify.NETWORK_TOLERANCE):
                failed.add(f"{cost_name}/{output}")
    return failed


# One worker runs these two, in this order (pyproject: --dist loadgroup), so that the second
# sees the first's wrong entries undone.
@pytest.mark.xdist_group("wrong-entries")
def test_a_wrong_derivative_fails_its_checks_and_no_other(wrong_entries):
    assert failing_checks() == {"wrong-sigmoid", "wrong-quadratic/sigmoid"}


@pytest.mark.xdist_group("wrong-entries")
def test_the_wrong_entries_are_gone_afterwards():
    assert "wrong-sigmoid" not in ACTIVATIONS and "wrong-quadratic" not in COSTS
    assert not failing_checks()
