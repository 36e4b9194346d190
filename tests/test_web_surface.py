"""POST /api/surface: the walk downhill on the lesson network, checked and bounded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nudges.core.network import Network
from nudges.explain.surface import cost_surface

from .web_helpers import error_of, tiny_client, tiny_dataset

client = pytest.fixture(scope="module")(tiny_client)
SMALL = {"steps": 15, "examples": 60, "grid": 6, "batch_size": 10, "eta": 3.0, "seed": 2}


def test_the_limits_and_defaults_are_offered(client: Any) -> None:
    offered = client.get("/api/surface").json()
    assert offered["limits"]["eta"] == {"gt": 0, "le": 100}
    assert offered["defaults"]["examples"] == 500 and offered["max_work"] > 0


def test_the_surface_is_the_lesson_networks_and_its_current_point_its_cost(client: Any) -> None:
    r = client.post("/api/surface", json=SMALL).json()
    assert r["sizes"] == [784, 8, 6, 10] and len(r["costs"]) == 6 == len(r["costs"][0])
    assert r["current"]["surface_cost"] == pytest.approx(r["current"]["cost"], rel=1e-5)
    for path in ("gd", "sgd"):
        assert r[path]["alpha"][0] == 0 == r[path]["beta"][0] and len(r[path]["cost"]) == 16
    assert r["gd"]["cost"][0] == r["sgd"]["cost"][0]
    x, y = tiny_dataset().train
    rows = np.sort(np.random.default_rng(2).choice(len(y), 60, replace=False))
    lesson = Network([784, 8, 6, 10], seed=2)
    again = cost_surface(lesson, x[rows], y[rows], steps=15, grid=6, seed=2)
    np.testing.assert_allclose(r["costs"], again.costs)
    assert r["sgd"]["cost"][0] == pytest.approx(lesson.cost(x[rows], y[rows]))


def test_eta_changes_the_paths_and_a_seed_repeats_them(client: Any) -> None:
    first = client.post("/api/surface", json=SMALL).json()
    assert client.post("/api/surface", json=SMALL).json()["sgd"] == first["sgd"]
    slower = client.post("/api/surface", json={**SMALL, "eta": 0.5}).json()
    assert slower["sgd"]["cost"][-1] != first["sgd"]["cost"][-1]


@pytest.mark.parametrize(("body", "words"), [
    ({"eta": 0}, "eta"), ({"eta": 101}, "eta"), ({"steps": 0}, "steps"),
    ({"steps": 201}, "steps"), ({"grid": 42}, "grid"), ({"examples": 5}, "examples"),
    ({"examples": 20, "batch_size": 21}, "at most examples"),
    ({"steps": 200, "examples": 1000}, "steps x examples"), ({"seed": -1}, "seed"),
    ({"eta": "3"}, "eta"), ({"what": 1}, "what")])
def test_bad_input_is_refused_with_a_message(client: Any, body: dict[str, Any],
                                             words: str) -> None:
    assert words in error_of(client.post("/api/surface", json=body), 422)


def test_a_slot_is_taken(client: Any) -> None:
    heavy = client.app.state.heavy
    with heavy.slot(), heavy.slot():
        assert "busy" in error_of(client.post("/api/surface", json=SMALL), 429)
