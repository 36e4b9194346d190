import numpy as np
import pytest

from nudges.core import activations, costs
from nudges.core.errors import InvalidInput

SIGMOID = activations.activation_named("sigmoid")
SOFTMAX = costs.output_activation("softmax")


def test_quadratic_is_half_squared_distance():
    a = np.array([[0.5, 0.25]])
    y = np.array([[1.0, 0.0]])
    np.testing.assert_allclose(costs.quadratic(np.zeros_like(a), a, y, SIGMOID), [0.15625])


def test_cross_entropy_from_z_matches_the_textbook_formula():
    z = np.array([[0.3, -1.2, 2.0]])
    y = np.array([[0.0, 0.0, 1.0]])
    a = activations.sigmoid(z)
    textbook = -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum(axis=1)
    np.testing.assert_allclose(costs.cross_entropy(z, a, y, SIGMOID), textbook)
    soft = activations.softmax(z)
    np.testing.assert_allclose(costs.cross_entropy(z, soft, y, SOFTMAX), -np.log(soft[:, 2]))


@pytest.mark.parametrize("output", [SIGMOID, SOFTMAX])
def test_cross_entropy_is_finite_for_saturated_outputs(output):
    z = np.array([[-1e4, 1e4], [1e4, -1e4]], dtype=np.float32)
    y = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    c = costs.cross_entropy(z, output.f(z), y, output)
    assert np.isfinite(c).all()
    assert c[0] > 1e3 and c[1] == pytest.approx(0, abs=1e-6)


def test_softmax_with_quadratic_cost_is_refused():
    with pytest.raises(InvalidInput, match="softmax output layer does not go with the quadratic"):
        costs.cost_named("quadratic", "softmax")


def test_unknown_cost_lists_the_known_ones():
    with pytest.raises(InvalidInput, match="known: quadratic, cross-entropy"):
        costs.cost_named("no-such-cost", "sigmoid")
