"""The tour's lesson network on the server (/api/lesson, and `lesson` in the tour's requests):
its numbers are nudges.explain.lesson's and the library's, replayed from (seed, steps)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("fastapi")

from nudges.core.network import Network  # noqa: E402
from nudges.explain.lesson import Lesson  # noqa: E402
from nudges.explain.wishes import wishes  # noqa: E402
from nudges.web.api import STEP_ROWS  # noqa: E402

from .web_helpers import error_of, tiny_client, tiny_dataset  # noqa: E402

client = pytest.fixture(scope="module")(tiny_client)


def replayed(steps: int, seed: int = 0) -> Lesson:
    """The lesson the server should hold: tiny_client's model's shape, its data."""
    data = tiny_dataset()
    held_out = (data.test[0][:STEP_ROWS], data.test[1][:STEP_ROWS])
    lesson = Lesson.start(Network([784, 8, 6, 10], seed=0), data.train, held_out, seed)
    lesson.advance(steps)
    return lesson


def test_a_lesson_starts_untrained_and_its_curve_is_the_held_out_cost(client):
    view = client.post("/api/lesson", json={"seed": 0, "steps": 0}).json()
    assert view["steps"] == 0 and view["epochs"] == 0 and view["batch"] == 10
    assert view["curve"] == [[0, pytest.approx(replayed(0).curve[0][1], rel=1e-6)]]
    assert view["steps_per_epoch"] == 20 and view["held_out"] == 60


def test_a_lesson_moves_on_and_replays_the_same_numbers(client):
    ahead = client.post("/api/lesson", json={"seed": 0, "steps": 25}).json()
    back = client.post("/api/lesson", json={"seed": 0, "steps": 7}).json()    # replayed
    again = client.post("/api/lesson", json={"seed": 0, "steps": 25}).json()  # advanced
    lesson = replayed(25)
    assert again["curve"] == ahead["curve"] and back["curve"] == ahead["curve"][:8]
    expected = [*lesson.curve, (25, lesson.held_out_cost())]     # and where it is now
    assert [t for t, _ in ahead["curve"]] == [t for t, _ in expected]
    np.testing.assert_allclose([c for _, c in ahead["curve"]], [c for _, c in expected],
                               rtol=1e-6)
    assert ahead["accuracy"] == pytest.approx(lesson.net.accuracy(*lesson.held_out))
    assert ahead["version"] != back["version"] and ahead["version"] < 0


def test_the_tour_numbers_are_the_lesson_networks(client):
    data, lesson = tiny_dataset(), replayed(12, seed=5)
    x, label = data.test[0][3], int(data.test[1][3])
    body = {"image": {"width": 28, "height": 28, "pixels": x.tolist(), "centre": False},
            "label": label, "lesson": {"seed": 5, "steps": 12}}
    shown = client.post("/api/tour", json=body).json()
    w = wishes(lesson.net, x, label)
    np.testing.assert_allclose(shown["output_wish"], w.output_wish, rtol=1e-3, atol=1e-7)
    assert shown["cost"] == pytest.approx(w.cost, rel=1e-5)
    trained = client.post("/api/tour", json={**body, "lesson": None}).json()
    assert trained["cost"] != pytest.approx(shown["cost"])


def test_the_chosen_example_is_one_the_lesson_gets_wrong(client):
    view = client.post("/api/lesson", json={"seed": 0, "steps": 0}).json()
    data, lesson = tiny_dataset(), replayed(0)
    index = view["example"]
    assert view["example_why"] == "wrong"
    assert lesson.net.predict(data.test[0][index:index + 1])[0] != data.test[1][index]
    assert client.post("/api/tour/example", json={"lesson": None}).json()["example_why"] in (
        "wrong", "unsure", "highest cost")


@pytest.mark.parametrize(("body", "message"), [
    ({"seed": 0, "steps": 10_000}, "a lesson goes up to 5 epochs (100 steps)"),
    ({"seed": -1, "steps": 0}, "seed"),
    ({"seed": 0, "steps": "3"}, "steps"),
    ({"seed": 0, "steps": 0, "eta": 3}, "eta"),
])
def test_bad_lessons_are_refused_with_a_message(client, body, message):
    assert message in error_of(client.post("/api/lesson", json=body), (400, 422))
