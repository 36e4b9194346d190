import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nudges.core import activations, costs
from nudges.core.errors import InvalidInput

finite_z = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 8)),
                  elements=st.floats(-500, 500))


@given(finite_z)
def test_softmax_rows_sum_to_one(z):
    np.testing.assert_allclose(activations.softmax(z).sum(axis=1), 1.0)


@given(finite_z)
def test_sigmoid_is_in_unit_interval_and_matches_the_formula(z):
    a = activations.sigmoid(z)
    assert ((a >= 0) & (a <= 1)).all()
    with np.errstate(over="ignore"):
        # to 1e-12 relative wherever σ(z) is a normal float32 (e^(−z) is capped at e^88)
        np.testing.assert_allclose(a, 1 / (1 + np.exp(-z)), rtol=1e-12, atol=1e-37)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_and_softmax_are_stable_for_huge_z(dtype):
    z = np.array([[-1e4, 0.0, 1e4]], dtype=dtype)
    a = activations.sigmoid(z)
    np.testing.assert_allclose(a, np.array([[0.0, 0.5, 1.0]], dtype=dtype), rtol=0, atol=1e-37)
    assert a.dtype == dtype
    np.testing.assert_allclose(activations.softmax(z), [[0, 0, 1]])


def test_unknown_names_list_the_known_ones():
    with pytest.raises(InvalidInput, match=", ".join(activations.hidden_names())):
        activations.activation_named("no-such-activation")
    with pytest.raises(InvalidInput, match="output activation 'relu'; known: sigmoid, softmax"):
        costs.output_activation("relu")
