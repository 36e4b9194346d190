"""The tour's and the averaging table's endpoints, and per-session "Use it": their numbers are
the library's (−∇C, the chain rule, the step), and a mistake gets a 4xx with a message."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("fastapi")

from nudges.core.network import Network, flat  # noqa: E402
from nudges.web import lessons  # noqa: E402

from .web_helpers import drawing, error_of, tiny_client, tiny_dataset  # noqa: E402

client = pytest.fixture(scope="module")(tiny_client)


@pytest.fixture(scope="module")
def net() -> Network:
    return Network([784, 8, 6, 10], seed=0)                      # tiny_client's model


def test_the_average_column_is_minus_the_gradient_of_the_batch(client, net):
    table = client.post("/api/average", json={"count": 7, "seed": 3, "top": 5}).json()
    rows = [e["index"] for e in table["examples"]]
    assert len(rows) == 7 == len(set(rows))
    x, y = tiny_dataset().train
    grad_w, grad_b = net.gradient(x[rows], y[rows])
    full_w, full_b = net.gradient(x, y)
    assert [e["label"] for e in table["examples"]] == y[rows].tolist()
    for r in table["rows"]:
        grad, full = (grad_b, full_b) if r["k"] is None else (grad_w, full_w)
        at = (r["layer"] - 1, r["j"]) if r["k"] is None else (r["layer"] - 1, r["j"], r["k"])
        assert r["average"] == pytest.approx(-grad[at[0]][at[1:]], rel=1e-5, abs=1e-9)
        assert r["full"] == pytest.approx(-full[at[0]][at[1:]], rel=1e-4, abs=1e-8)
        assert np.mean(r["nudges"]) == pytest.approx(r["average"], rel=1e-3, abs=1e-7)
    g, f = (flat(*grads) for grads in ((grad_w, grad_b), (full_w, full_b)))
    assert table["cosine"] == pytest.approx(g @ f / np.linalg.norm(g) / np.linalg.norm(f), 1e-4)
    sizes = [abs(r["average"]) for r in table["rows"]]
    assert sizes == sorted(sizes, reverse=True)                  # the biggest mean nudges
    assert sizes[0] == pytest.approx(np.abs(g).max(), rel=1e-5)


def test_picked_rows_come_first_and_the_same_seed_gives_the_same_batch(client):
    body = {"picks": [{"layer": 1, "j": 2, "k": 400}, {"layer": 3, "j": 9}], "top": 2}
    first, again = (client.post("/api/average", json=body).json() for _ in range(2))
    assert [(r["layer"], r["j"], r["k"]) for r in first["rows"][:2]] == [(1, 2, 400), (3, 9, None)]
    assert len(first["rows"]) == 4 and first == again
    other = client.post("/api/average", json={**body, "seed": 1}).json()
    assert [e["index"] for e in other["examples"]] != [e["index"] for e in first["examples"]]


def test_flat_index_names_every_parameter_once(net):
    names = lessons.flat_params(net)
    assert len(names) == len(set(names)) == sum(w.size + b.size
                                                for w, b in zip(net.weights, net.biases))
    assert [lessons.flat_index(net, p) for p in names[::97]] == list(range(len(names)))[::97]


def test_the_step_lowers_the_batch_cost_and_reports_the_held_out_digits(client, net):
    rows = [3, 14, 15, 92, 65]
    step = client.post("/api/average/step", json={"rows": rows, "eta": 0.5}).json()
    x, y = tiny_dataset().train
    x_test, y_test = tiny_dataset().test
    assert step["cost_before"] == pytest.approx(net.cost(x[rows], y[rows]), rel=1e-5)
    assert step["cost_after"] < step["cost_before"]
    assert step["held_out"] == len(y_test)
    assert step["held_out_before"] == pytest.approx(net.cost(x_test, y_test), rel=1e-5)


def test_the_tour_gives_the_chain_rule_factors_and_the_wish_passed_back(client):
    tour = client.post("/api/tour", json={"image": drawing(), "label": 4}).json()
    n = tour["neuron"]
    assert (n["layer"], n["index"]) == (3, 4)                    # the output it wishes up
    assert n["sigma_prime"] * -n["wish"] == pytest.approx(n["delta"], rel=1e-4)
    assert n["a_k"] * n["delta"] == pytest.approx(-n["nudge_jk"], rel=1e-4)
    assert abs(n["nudge_jk"]) == pytest.approx(max(map(abs, n["nudges"])), rel=1e-3)
    p = tour["passed_back"]
    assert sum(p["terms"]) == pytest.approx(p["wish"], rel=1e-3, abs=1e-6)
    assert p["wish"] == pytest.approx(tour["activation_wishes"][2][p["k"]], rel=1e-3)
    assert [r["layer"] for r in tour["recursion"]] == [1, 2, 3]


@pytest.mark.parametrize(("path", "body", "status", "words"), [
    ("average", {"rows": [1, 1]}, 422, "distinct"),
    ("average", {"rows": [10**6]}, 400, "from 0 to 199"),
    ("average", {"rows": []}, 422, "rows"),
    ("average", {"count": 33}, 422, "count"),
    ("average", {"picks": [{"layer": 2, "j": 0, "k": 700}]}, 400, "k from 0 to 7"),
    ("average", {"picks": [{"layer": 3, "j": 10}]}, 400, "0 to 9"),
    ("average", {"picks": [{"layer": 9, "j": 0}]}, 422, "layer"),
    ("average", {"top": "many"}, 422, "top"),
    ("average", {"seed": -1}, 422, "seed"),
    ("average", {"extra": 1}, 422, "extra"),
    ("average/step", {"rows": [1], "eta": 0}, 422, "eta"),
    ("average/step", {}, 422, "rows"),
    ("average/step", {"rows": [200]}, 400, "from 0 to 199"),
    ("tour", {"image": drawing(), "label": 10}, 422, "label"),
    ("tour", {"image": drawing(), "label": 1, "neuron": {"layer": 2, "index": 7}}, 400,
     "6 neurons"),
])
def test_mistakes_get_a_message_never_a_500(client, path, body, status, words):
    assert words in error_of(client.post(f"/api/{path}", json=body), status)


def test_use_it_changes_only_the_session_that_asked(client):
    mine, other = {"X-Nudges-Session": "session-mine"}, {"X-Nudges-Session": "session-other"}
    start = {"session": "session-mine", "hidden": [5], "epochs": 1}
    assert client.post("/api/train/start", json=start).status_code == 200
    for _ in range(200):
        if client.get("/api/train/status?session=session-mine").json()["state"] == "done":
            break
    before = client.get("/api/model", headers=other).json()
    used = client.post("/api/train/use", json={"session": "session-mine"}).json()
    assert used["own"] and used["sizes"] == [784, 5, 10]
    assert client.get("/api/model", headers=mine).json()["sizes"] == [784, 5, 10]
    assert client.get("/api/model", headers=other).json() == before
    assert client.get("/api/model").json() == before
    assert not client.get("/api/status", headers=other).json()["own"]
    back = client.post("/api/train/unuse", json={"session": "session-mine"}).json()
    assert not back["own"] and back["sizes"] == [784, 8, 6, 10]
    assert client.get("/api/model", headers=mine).json()["sizes"] == [784, 8, 6, 10]
    assert "header" in error_of(client.get("/api/model", headers={"X-Nudges-Session": "no"}),
                                400)


def test_the_table_is_heavy_work_and_waits_for_a_free_slot(client):
    from contextlib import ExitStack

    from nudges.web.limits import HEAVY_SLOTS
    with ExitStack() as held:
        for _ in range(HEAVY_SLOTS):                  # every slot taken: a pass over the
            held.enter_context(client.app.state.heavy.slot())   # training set must wait
        assert "busy" in error_of(client.post("/api/average", json={}), 429)
        assert client.post("/api/average/step", json={"rows": [1, 2]}).status_code == 200
    assert client.post("/api/average", json={}).status_code == 200
