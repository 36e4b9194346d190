"""The page's server with a table (issue 12, page slice 2): /api/config and /api/status say
"table" and name the features; /api/forward takes a typed row (standardised with the recorded
scaling, as `nudges predict` does) or a test row, checked strictly (422); the views that draw
pictures answer 422; `nudges serve --data rows.csv` and a model trained on it serve the page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from nudges import load_dataset  # noqa: E402
from nudges.cli import main  # noqa: E402
from nudges.core.errors import InvalidInput  # noqa: E402
from nudges.core.network import Network  # noqa: E402
from nudges.web import create_app  # noqa: E402

from .web_helpers import TestClient, drawing, error_of, our_threads  # noqa: E402

FEATURES = ("length", "width", "height", "mass")
KINDS = ("small", "medium", "large")
SESSION = "tables-session-1"


def write_table(path: Path, n: int = 90) -> Path:
    """A CSV of 4 features in very different units and a named class column."""
    rng = np.random.default_rng(0)
    labels = np.arange(n) % 3
    x = rng.normal(size=(n, 4)) + labels[:, None] * 2
    x = x * [1, 10, 100, 1000] + [5, 50, 500, 5000]
    lines = [",".join([*FEATURES, "kind"])]
    lines += [",".join([*(f"{v:.3f}" for v in row), KINDS[y]]) for row, y in zip(x, labels)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    return load_dataset(write_table(tmp_path_factory.mktemp("table") / "boxes.csv"),
                        label="kind")


@pytest.fixture(scope="module")
def net():
    return Network([4, 5, 3], seed=0)


@pytest.fixture(scope="module")
def client(table, net):
    with TestClient(create_app(net, table), base_url="http://127.0.0.1") as c:
        yield c
    assert not our_threads()


def test_the_kind_features_and_classes_are_reported(client, table):
    assert set(table.classes) == set(KINDS)
    for answer in (client.get("/api/config").json(), client.get("/api/status").json()):
        assert answer["kind"] == "table" and answer["features"] == list(FEATURES)
        assert answer["classes"] == list(table.classes)


def test_a_typed_row_is_standardised_as_predict_does(client, table, net):
    row = [5.5, 61.0, 640.0, 7100.0]
    result = client.post("/api/forward", json={"row": row}).json()
    scaling = table.recipe["scaling"]
    x = ((np.array(row) - scaling["mean"]) / scaling["std"]).astype(np.float32)
    np.testing.assert_allclose(result["input"], x, atol=1e-3)
    np.testing.assert_allclose(result["activations"][-1], net.feedforward(x[None, :])[0],
                               atol=1e-4)
    assert result["prediction"] == int(net.predict(x[None, :])[0]) and result["row"] == row


def test_a_test_row_comes_back_in_the_data_s_units(client, table, net):
    result = client.post("/api/forward", json={"test_index": 3}).json()
    x_test, y_test = table.test
    assert result["label"] == int(y_test[3])
    assert result["prediction"] == int(net.predict(x_test[3:4])[0])
    scaling = table.recipe["scaling"]
    np.testing.assert_allclose(result["row"], x_test[3] * scaling["std"] + scaling["mean"],
                               rtol=1e-4)
    assert 1000 < result["row"][3] < 20_000                   # mass, in its own units


@pytest.mark.parametrize("body, words", [
    ({"row": [1.0, 2.0, 3.0]}, "row must hold 4 numbers (one per feature: length, width, "
                               "height, mass), got 3"),
    ({"row": [1.0] * 5}, "got 5"),
    ({"row": []}, "row"),
    ({"row": [1.0, "2", 3.0, 4.0]}, "row.1"),
    ({"row": [1.0, True, 3.0, 4.0]}, "row.1"),
    ({"row": [1e308, 1.0, 1.0, 1.0]}, "too large"),
    ({"test_index": 10**6}, "test_index must be from 0 to"),
    ({"test_index": -1}, "test_index"),
    ({"row": [1.0] * 4, "test_index": 0}, "exactly one of image, row or test_index"),
    ({}, "exactly one"),
    ({"image": drawing()}, "this view needs picture data; boxes is a table of 4 features"),
])
def test_a_bad_row_is_422(client, body, words):
    assert words in error_of(client.post("/api/forward", json=body), 422)


def test_nan_and_infinity_are_refused(client):
    for text in ('{"row": [NaN, 1, 1, 1]}', '{"row": [1, Infinity, 1, 1]}'):
        response = client.post("/api/forward", content=text,
                               headers={"Content-Type": "application/json"})
        assert "row" in error_of(response, 422)


@pytest.mark.parametrize("method, path, body", [
    ("post", "wishes", {"image": drawing(), "label": 0}),
    ("post", "step", {"image": drawing(), "label": 0}),
    ("post", "tour", {"image": drawing(), "label": 0}),
    ("post", "average", {}),
    ("get", "example?index=0", None),
    ("get", "mistake", None),
])
def test_the_picture_views_say_they_need_pictures(client, method, path, body):
    sent = {"json": body} if body is not None else {}
    response = getattr(client, method)(f"/api/{path}", **sent)
    assert "needs picture data" in error_of(response, 422)


def test_watch_it_learn_builds_a_network_for_the_table(client):
    run = client.post("/api/train/start", json={"session": SESSION, "hidden": [6],
                                                "epochs": 1}).json()
    assert run["sizes"] == [4, 6, 3] and "weight_images" not in run
    client.post("/api/train/control", json={"session": SESSION, "action": "stop"})


def test_the_quick_model_is_built_for_the_table(table):
    app = create_app(None, table)
    assert app.state.server_state.served.model.sizes == [4, 16, 16, 3]


def test_a_model_for_other_inputs_is_refused_in_one_line(table):
    with pytest.raises(InvalidInput, match=r"the page shows the 4 features of boxes; this "
                                           r"network is 784-8-3"):
        create_app(Network([784, 8, 3], seed=0), table)


# -- the command ----------------------------------------------------------------------------
def test_serve_a_csv(served, tmp_path, capsys):
    csv = write_table(tmp_path / "boxes.csv")
    assert main(["serve", "--data", str(csv), "--label", "kind", "--port", "8126"]) == 0
    state = served["app"].state.server_state
    assert state.data.kind() == {"kind": "table", "features": list(FEATURES)}
    assert state.served.model.sizes == [4, 16, 16, 3] and state.quick.training


def test_serve_a_model_trained_on_a_csv(served, tmp_path, capsys):
    csv, model = write_table(tmp_path / "boxes.csv"), tmp_path / "boxes.npz"
    assert main(["train", "--data", str(csv), "--label", "kind", "--layers", "4,5,3",
                 "--epochs", "1", "--engine", "numpy", "--quiet", "--save", str(model)]) == 0
    assert main(["serve", str(model), "--port", "8127"]) == 0
    state = served["app"].state.server_state
    assert state.served.model.sizes == [4, 5, 3] and not state.quick.training
    assert state.data.kind()["features"] == list(FEATURES)
