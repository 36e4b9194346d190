"""The NumPy engine's in-place forms: each activation's and each δ^L's own array code, rewritten by
code to write into buffers (nudges.engines.in_place), equal to it bit for bit."""

import tracemalloc

import numpy as np
import pytest

from nudges import Network
from nudges.core.activations import ACTIVATIONS, sigmoid
from nudges.core.costs import COSTS
from nudges.engines.in_place import in_place
from nudges.engines.numpy_engine import NumpyStepper
from nudges.engines.reference import Batches
from nudges.training.settings import Settings
from nudges.training.sgd import rule

FUNCTIONS = [(f"{name}.{part}", getattr(activation, part))
             for name, activation in ACTIVATIONS.items() for part in ("f", "prime")
             if getattr(activation, part) is not None]


def weighted_inputs(dtype) -> np.ndarray:
    """z of every size an activation meets: 0, ±tiny, ±1, ±88 (σ's limit) and ±1e4."""
    z = np.random.default_rng(0).standard_normal((40, 9)).astype(dtype) * 20
    z[0] = [0, 1e-30, -1e-30, 1, -1, 88, -88, 1e4, -1e4]
    return z


def run(form, arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(the result, the out buffer it was given)."""
    out = np.full_like(arrays[0], np.nan)
    temps = [np.full_like(out, np.nan) for _ in range(form.temps)]
    return form.function(*arrays, out, temps), out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "function"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_each_form_equals_the_array_code_bit_for_bit(name, function, dtype):
    z = weighted_inputs(dtype)
    activation = ACTIVATIONS[name.split(".")[0]]
    with np.errstate(over="ignore"):
        arrays = [z] if function is activation.f else [z, activation.f(z)]
        before = [a.copy() for a in arrays]
        want = function(*arrays)
        got, out = run(in_place(function), arrays)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want, strict=True)
    for array, kept in zip(arrays, before, strict=True):
        np.testing.assert_array_equal(array, kept)                  # inputs untouched
    if in_place(function).source:
        assert got is out                                           # written into the buffer


PAIRS = [(f"{name}/{output}", cost, output) for name, cost in COSTS.items()
         for output in cost.deltas]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "cost", "output"), PAIRS, ids=[p[0] for p in PAIRS])
def test_each_delta_equals_the_array_code_bit_for_bit(name, cost, output, dtype):
    activation, delta = ACTIVATIONS[output], cost.deltas[output].f
    z = weighted_inputs(dtype)
    with np.errstate(over="ignore"):
        a = activation.f(z)
    y = np.eye(z.shape[1], dtype=dtype)[np.arange(len(z)) % z.shape[1]]
    sigma_prime = None if activation.prime is None else activation.prime(z, a)
    got, out = run(in_place(delta), [a, y, sigma_prime])
    np.testing.assert_array_equal(got, delta(a, y, sigma_prime), strict=True)
    assert got is out and in_place(delta).source                   # both built-ins rewrite


@pytest.mark.parametrize("name", ["sigmoid", "relu", "tanh", "softplus"])
def test_the_built_in_elementwise_activations_are_rewritten(name):
    for function in (ACTIVATIONS[name].f, ACTIVATIONS[name].prime):
        assert in_place(function).source, f"{function.__name__} would make new arrays"


def test_sigmoid_is_its_own_ufuncs_in_order_into_one_buffer():
    lines = in_place(sigmoid).source.splitlines()
    assert lines == ["def sigmoid_into(z, out, temps):",
                     "    __numpy__.negative(z, out)",
                     "    __numpy__.minimum(out, EXPONENT_LIMIT, out=out)",   # NumPy 2.4 wants it
                     "    __numpy__.exp(out, out)",
                     "    __numpy__.add(1, out, out)",
                     "    __numpy__.true_divide(1, out, out)",
                     "    return out"]
    assert in_place(ACTIVATIONS["softplus"].f).temps == 1   # its two halves, then their sum


def calls_another(z):
    return z * sigmoid(z)


def not_a_ufunc(z):
    return np.where(z > 0, z, 0.0)


def two_lines(z):
    e = np.exp(z)
    return e / (1 + e)


def keyword(z):
    return np.clip(z, a_min=0, a_max=1)


def uses_out(z, out):
    return np.exp(z) + out


def power(z):
    return z ** 3


def just_z(z):
    return z


SCALE = np.ones(3)


def global_array(z):
    return z * SCALE


@pytest.mark.parametrize("function", [calls_another, not_a_ufunc, two_lines, keyword, uses_out,
                                      power, just_z, global_array, lambda z: np.exp(z), np.exp])
def test_other_code_runs_as_written(function):
    form = in_place(function)
    assert form.source == "" and form.temps == 0
    z = weighted_inputs(np.float64)[:, :3] / 100
    arrays = [z, z] if function is uses_out else [z]
    got, out = run(form, arrays)
    np.testing.assert_array_equal(got, function(*arrays))
    assert np.isnan(out).all()                                      # its buffer left alone


def test_a_numpy_step_makes_no_array_of_a_layer_s_size():
    net = Network([784, 100, 10], seed=0, dtype=np.float64)
    x = np.random.default_rng(0).random((2000, 784))
    targets = np.eye(10)[np.random.default_rng(1).integers(0, 10, 2000)]
    stepper = NumpyStepper(net, 1000, rule(Settings(), 3.0, len(x)))
    batches = Batches(x, targets, np.arange(2000), 1000)
    stepper.steps(batches, 0, 1, [], 0)                            # buffers warm
    tracemalloc.start()
    try:
        stepper.steps(batches, 1, 2, [], 1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1000 * 10 * 8, f"{peak} bytes"                    # not even δ^L (80,000)
