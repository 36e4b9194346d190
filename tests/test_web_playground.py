"""The playground's endpoints: their numbers are the library's (net.predict, example_nudges,
net.gradient, nudges.train), a configuration replays bit for bit, and sessions are isolated."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

pytest.importorskip("fastapi")

from nudges import Network, example_nudges, load, train  # noqa: E402
from nudges.explain.playground import make_points, split, with_features  # noqa: E402

from .web_helpers import error_of, tiny_client  # noqa: E402

client = pytest.fixture(scope="module")(tiny_client)
CONFIG = {"data": "spiral", "classes": 3, "points": 300, "noise": 0.05, "seed": 3,
          "hidden": [6, 5], "activation": "tanh", "output": "softmax", "cost": "cross-entropy",
          "optimizer": "adam", "eta": 0.03, "batch": 10, "features": ["xy"]}


def headers(session: str) -> dict[str, str]:
    return {"X-Nudges-Session": session}


def configure(client: Any, session: str, **change: Any) -> dict[str, Any]:
    response = client.post("/api/playground/configure", json={**CONFIG, **change},
                           headers=headers(session))
    assert response.status_code == 200, response.text
    return response.json()


def step(client: Any, session: str, **body: Any) -> dict[str, Any]:
    response = client.post("/api/playground/step", json=body, headers=headers(session))
    assert response.status_code == 200, response.text
    return response.json()


def model(client: Any, session: str, tmp_path) -> Network:
    response = client.get("/api/playground/model", headers=headers(session))
    assert response.status_code == 200
    path = tmp_path / f"{session}.npz"
    path.write_bytes(response.content)
    return load(path)


def mine(client: Any, session: str) -> Any:
    return client.app.state.playgrounds.get(session)


def test_the_region_map_is_net_predict_at_each_grid_point(client, tmp_path) -> None:
    configure(client, "regions01")
    frame = step(client, "regions01", steps=200, grid=9)
    net = model(client, "regions01", tmp_path)
    ticks = np.linspace(-frame["extent"], frame["extent"], 9)
    plane = np.array([[x, y] for y in ticks[::-1] for x in ticks])       # rows from the top
    predicted = net.predict(with_features(plane, CONFIG["features"]))
    assert [int(c) for c in frame["regions"]] == predicted.tolist()
    assert frame["sizes"] == [3, 6, 5, 3] and len(frame["node_maps"][0][0]) == 20 * 20


def test_a_points_nudges_are_example_nudges(client) -> None:
    configure(client, "point001")
    step(client, "point001", steps=30)
    answer = client.post("/api/playground/point", json={"which": "test", "index": 4},
                         headers=headers("point001")).json()
    p = mine(client, "point001")
    x, label = p.inputs_test[4], int(p.y_test[4])
    nudge_w, nudge_b = example_nudges(p.net, x[None, :], np.array([label]))
    for l in range(3):
        np.testing.assert_allclose(answer["nudge_w"][l], nudge_w[l][0], atol=1e-6)
        np.testing.assert_allclose(answer["nudge_b"][l], nudge_b[l][0], atol=1e-6)
    assert answer["label"] == label and answer["cost"] == pytest.approx(
        p.net.cost(x[None, :], np.array([label])))
    np.testing.assert_allclose(answer["wishes"][-1], answer["output_wish"])


def test_a_batchs_average_is_net_gradient_of_that_batch(client) -> None:
    configure(client, "batch001")
    rows = [3, 1, 4, 15, 9, 26]
    answer = client.post("/api/playground/batch", json={"rows": rows, "weight": [1, 2, 4]},
                         headers=headers("batch001")).json()
    p = mine(client, "batch001")
    grad_w, _ = p.net.gradient(p.inputs_train[rows], p.y_train[rows])
    full_w, _ = p.net.gradient(p.inputs_train, p.y_train)
    for l in range(3):
        np.testing.assert_allclose(answer["average_w"][l], -grad_w[l], atol=1e-6)
    assert answer["average"] == pytest.approx(-grad_w[1][2, 4])
    assert np.mean(answer["nudges"]) == pytest.approx(answer["average"], abs=1e-6)
    assert answer["full"] == pytest.approx(-full_w[1][2, 4]) and -1 <= answer["cosine"] <= 1


def test_applying_a_batch_takes_that_step(client) -> None:
    configure(client, "apply001")
    before = mine(client, "apply001").net.weights[0].copy()
    answer = client.post("/api/playground/batch", json={"size": 8, "seed": 1, "apply": True},
                         headers=headers("apply001")).json()
    assert answer["frame"]["step"] == 1 and len(answer["rows"]) == 8
    assert not np.array_equal(before, mine(client, "apply001").net.weights[0])


def test_the_same_config_replays_to_the_same_weights_bit_for_bit(client, tmp_path) -> None:
    nets = []
    for session in ("replay01", "replay02"):
        configure(client, session)
        step(client, session, steps=1)
        step(client, session, steps=17)
        step(client, session, epoch=True)
        step(client, session, steps=100)
        nets.append(model(client, session, tmp_path))
    for a, b in zip(nets[0].weights + nets[0].biases, nets[1].weights + nets[1].biases):
        assert np.array_equal(a, b)


def test_whole_epochs_are_the_steps_nudges_train_takes(client, tmp_path) -> None:
    configure(client, "train001", features=[])
    frame = step(client, "train001", epoch=True)
    step(client, "train001", epoch=True)
    mine_now = model(client, "train001", tmp_path)
    x, y = make_points("spiral", n=300, classes=3, noise=0.05, seed=3)
    (x_train, y_train), _ = split(x, y, 0.3, 3)
    net = Network([2, 6, 5, 3], activation="tanh", output="softmax", cost="cross-entropy",
                  dtype="float64", seed=3)
    train(net, x_train, y_train, epochs=2, batch_size=10, eta=0.03, optimizer="adam", seed=3,
          engine="reference")
    assert frame["epoch"] == 1
    for a, b in zip(net.weights + net.biases, mine_now.weights + mine_now.biases):
        assert np.array_equal(a, b)


def test_sessions_are_isolated(client) -> None:
    configure(client, "alone001")
    configure(client, "alone002", hidden=[4])
    step(client, "alone001", steps=25)
    assert step(client, "alone002", steps=1)["step"] == 1
    assert step(client, "alone001", steps=1)["step"] == 26
    assert mine(client, "alone002").net.sizes == [3, 4, 3]
    response = client.post("/api/playground/step", json={}, headers=headers("stranger1"))
    assert "no playground yet" in error_of(response, 404)


def test_an_uploaded_csv_is_this_sessions_data(client) -> None:
    text = "x,y,label\n" + "".join(f"{np.cos(i)},{np.sin(i)},{'ab'[i % 2]}\n"
                                   for i in range(80))
    assert client.post("/api/playground/upload", json={"csv": text},
                       headers=headers("upload01")).json() == {"points": 80, "classes": 2}
    frame = configure(client, "upload01", data="csv", features=[])
    assert frame["classes"] == 2 and len(frame["train"]) + len(frame["test"]) == 80
    response = client.post("/api/playground/configure", json={**CONFIG, "data": "csv"},
                           headers=headers("upload02"))
    assert "upload a CSV" in error_of(response, 400)


def test_the_options_come_from_the_registries(client) -> None:
    from nudges.core import activations, costs, optimizers
    options = client.get("/api/playground/options").json()
    assert options["activations"] == activations.hidden_names()
    assert list(options["costs"]) == list(costs.COSTS)
    assert options["optimizers"] == list(optimizers.OPTIMIZERS)


def test_the_exported_model_reads_back(client, tmp_path) -> None:
    configure(client, "export01")
    step(client, "export01", steps=5)
    net = model(client, "export01", tmp_path)
    assert net.sizes == [3, 6, 5, 3] and net.hidden.name == "tanh"
    assert io.BytesIO(client.get("/api/playground/model",
                                 headers=headers("export01")).content).read(2) == b"PK"


def test_serve_playground_refuses_a_bad_points_file_in_one_line(tmp_path, capsys) -> None:
    from nudges.cli import main
    bad = tmp_path / "points.csv"
    bad.write_text("1,2,0\n" * 9)
    assert main(["serve", "--playground", "--data", str(bad)]) == 1
    assert "50 to 2,000 rows of x,y,label, got 9" in capsys.readouterr().err
    assert main(["serve", "--playground", "--data", str(tmp_path / "none.csv")]) == 1
    assert "cannot read the points file" in capsys.readouterr().err


def test_nudges_evaluate_reads_the_exported_model(client, tmp_path, capsys) -> None:
    from nudges.cli import main
    configure(client, "evaluate1", features=[])
    step(client, "evaluate1", epoch=True)
    net = model(client, "evaluate1", tmp_path)
    p = mine(client, "evaluate1")
    table = tmp_path / "points.csv"
    lines = [f"{float(a)!r},{float(b)!r},{label}\n" for (a, b), label in zip(p.x_test, p.y_test)]
    table.write_text("x,y,label\n" + "".join(lines))
    assert main(["evaluate", str(tmp_path / "evaluate1.npz"), "--data", str(table),
                 "--label", "label"]) == 0
    assert "test" in capsys.readouterr().out and net.sizes == [2, 6, 5, 3]
