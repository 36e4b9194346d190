"""The web app's JSON endpoints through the ASGI test client: good inputs, and bad ones that
must get a 4xx with a message, never a 500. A tiny network and tiny data keep it fast."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("PIL")

from nudges.core import activations, costs, optimizers  # noqa: E402
from nudges.core.errors import InvalidInput  # noqa: E402
from nudges.core.network import Network  # noqa: E402
from nudges.web import api, choices, schemas, views  # noqa: E402
from nudges.web.runs import PROBE  # noqa: E402

from .web_helpers import (  # noqa: E402
    drawing,
    error_of,
    tiny_client,
)

client = pytest.fixture(scope="module")(tiny_client)
STATIC = Path(api.__file__).parent / "static"
SCRIPTS = sorted(p.name for p in STATIC.glob("*.js"))
ENTRY_POINTS = {"main.js", "widget.js"}        # the page's, and the notebook widgets' (widgets.py)
SVG_NAMESPACE = '"http://www.w3.org/2000/svg"'


# -- the page -------------------------------------------------------------------------------
def test_page_and_its_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "nudges" in page.text
    assert '<script type="module" src="/static/main.js"></script>' in page.text
    for name in (*SCRIPTS, "style.css", "index.html"):
        response = client.get(f"/static/{name}")
        text = response.text.replace(SVG_NAMESPACE, "")       # a name, never fetched
        assert text and "http://" not in text and "https://" not in text   # nothing from outside
        if name.endswith(".js"):                   # browsers run modules of a script type only
            assert "javascript" in response.headers["content-type"]
        assert response.headers["cache-control"] == "no-cache"    # no stale module mixed in


def test_every_module_imported_is_shipped_and_every_shipped_one_imported():
    imported = set(ENTRY_POINTS)
    for name in SCRIPTS:
        imported |= set(re.findall(r'from "\./([\w-]+\.js)";', (STATIC / name).read_text()))
    assert imported == set(SCRIPTS)


# -- what the page offers: limits, defaults, kinds, from the server --------------------------
@pytest.fixture(scope="module")
def config(client) -> dict:
    return client.get("/api/config").json()


def test_config_states_the_limits_the_requests_check(config):
    limits = config["limits"]
    assert limits["hidden_layers"] == {"ge": 0, "le": schemas.MAX_HIDDEN_LAYERS}
    assert limits["neurons"] == {"ge": 1, "le": schemas.MAX_NEURONS}
    assert limits["epochs"] == {"ge": 1, "le": schemas.MAX_EPOCHS}
    assert limits["steps"] == {"ge": 1, "le": schemas.MAX_STEPS}
    assert limits["side"] == {"ge": 1, "le": schemas.MAX_SIDE}
    assert limits["eta"] == {"gt": 0, "le": schemas.MAX_ETA}
    assert config["sizes"] == {"step_rows": api.STEP_ROWS, "probe_rows": PROBE,
                               "weight_images": views.IMAGES, "slow_batches_per_second": 50}


def test_the_limits_are_allowed_and_one_past_them_is_refused(client, config):
    limits, session = config["limits"], "limits-session"
    widest = [limits["neurons"]["le"]] * limits["hidden_layers"]["le"]
    schemas.TrainRequest(session=session, hidden=widest, eta=limits["eta"]["le"],
                         batch_size=limits["batch_size"]["le"], epochs=limits["epochs"]["le"])
    for past in ({"hidden": widest + [1]}, {"hidden": [limits["neurons"]["le"] + 1]},
                 {"eta": limits["eta"]["gt"]}, {"epochs": limits["epochs"]["le"] + 1},
                 {"batch_size": limits["batch_size"]["le"] + 1}):
        error_of(client.post("/api/train/start", json={"session": session, **past}), 422)
    steps = limits["steps"]["le"]
    error_of(client.post("/api/step", json={"image": drawing(), "label": 1,
                                            "steps": steps + 1}), 422)
    for past in ({"repeats": limits["repeats"]["le"] + 1},
                 {"batch_sizes": [limits["noise_batch_size"]["le"] + 1]}):
        error_of(client.post("/api/noise", json=past), 422)
    side = limits["side"]["le"] + 1
    wide = {"width": side, "height": 1, "pixels": [0.5] * side}
    error_of(client.post("/api/forward", json={"image": wide}), 422)


def test_the_page_defaults_are_the_requests_defaults(client, config):
    defaults = config["defaults"]
    assert defaults["train"] == {k: v for k, v in schemas.TrainRequest(session="s" * 8)
                                 .model_dump().items() if k != "session"}
    step = client.post("/api/step", json={"image": drawing(), "label": 2, **defaults["step"]})
    assert step.status_code == 200 and step.json()["eta"] == defaults["step"]["eta"]
    noise = {**defaults["noise"], "repeats": 1}
    assert client.post("/api/noise", json=noise).status_code == 200


def test_each_kind_offered_builds_and_trains_with_its_settings(config):
    assert [k["name"] for k in config["kinds"]] == list(schemas.KINDS)
    assert config["defaults"]["train"]["kind"] in schemas.KINDS
    for kind in config["kinds"]:
        assert kind["label"] and kind["eta"] == kind["etas"]["sgd"]
        Network([784, 4, 10], seed=0, **kind["network"])
        assert list(kind["etas"]) == list(optimizers.OPTIMIZERS)
        for optimizer, eta in kind["etas"].items():
            schemas.TrainRequest(session="s" * 8, kind=kind["name"], eta=eta,
                                 batch_size=kind["batch_size"], optimizer=optimizer)


def test_each_kind_names_only_what_the_registries_hold():
    for kind in choices.KINDS.values():
        net = kind.network
        assert net["activation"] in activations.hidden_names()
        assert net["output"] in costs.output_names()
        assert net["output"] in costs.COSTS[net["cost"]].deltas


@pytest.mark.parametrize("change, message", [
    ({"activation": "softmax"}, "unknown hidden activation 'softmax'"),
    ({"activation": "no-such-activation"}, "unknown hidden activation 'no-such-activation'"),
    ({"output": "relu"}, "unknown output activation 'relu'"),
    ({"output": "softmax", "cost": "quadratic"}, "does not go with the quadratic cost"),
    ({"cost": "no-such-cost"}, "unknown cost 'no-such-cost'"),
    ({"init": "xavier"}, "unknown init 'xavier'"),
])
def test_a_kind_naming_something_unregistered_cannot_be_made(change, message):
    network = {**choices.KINDS["sigmoid"].network, **change}
    with pytest.raises(InvalidInput, match=message):
        choices.Kind("a preset", network, eta=1.0, batch_size=10)
    with pytest.raises(InvalidInput, match="unknown optimizer 'no-such-optimizer'"):
        choices.Kind("a preset", choices.KINDS["sigmoid"].network, 1.0, 10,
                     {"no-such-optimizer": 0.1})


def test_config_offers_exactly_the_registered_optimizers(config):
    offered = config["optimizers"]
    assert [o["name"] for o in offered] == list(optimizers.OPTIMIZERS)
    assert config["defaults"]["train"]["optimizer"] == "sgd"
    shown = {s["name"]: s for s in config["optimizer_settings"]}
    for o in offered:
        assert o["about"] and o["uses"] == [s for s in optimizers.OPTIMIZERS[o["name"]].uses
                                            if s in shown]
    assert shown["momentum"]["default"] == choices.MOMENTUM == 0.9
    assert shown["beta1"]["default"] == 0.9 and shown["beta2"]["default"] == 0.999
    every = choices.optimizer_settings()          # each setting any optimizer uses is a field
    assert set(every) <= set(schemas.TrainRequest.model_fields) and set(shown) <= set(every)
    for name in every:
        assert config["limits"][name] == schemas.bounds(schemas.TrainRequest, name) != {}
        assert config["defaults"]["train"][name] is None    # left out: the optimizer's default


def test_unknown_paths_get_json_errors(client):
    assert "Not Found" in error_of(client.get("/api/nothing"), 404)
    assert error_of(client.get("/api/forward"), 405)


# -- the model ------------------------------------------------------------------------------
def test_status_and_model(client):
    status = client.get("/api/status").json()
    assert status["sizes"] == [784, 8, 6, 10] and status["data_ready"]
    assert status["n_test"] == 60 and not status["training_quick"]
    model = client.get("/api/model").json()
    assert model["sizes"] == [784, 8, 6, 10] and model["version"] == status["version"]
    assert model["edges"][:2] == [[], []]
    assert len(model["edges"][2]) == 6 * 8 and len(model["edges"][3]) == 10 * 6
    j, k, w = model["edges"][2][0]
    assert 0 <= j < 6 and 0 <= k < 8 and abs(w) == pytest.approx(model["max_weight"][2], 1e-3)


def test_forward_a_drawing(client):
    result = client.post("/api/forward", json={"image": drawing()}).json()
    assert [len(a) for a in result["activations"]] == [784, 8, 6, 10]
    assert len(result["input"]) == 784 and 0 <= min(result["input"]) <= max(result["input"]) <= 1
    assert result["prediction"] == int(np.argmax(result["activations"][-1]))
    assert result["input_edges"] and all(0 <= j < 8 and 0 <= k < 784
                                         for j, k, _ in result["input_edges"])


def test_forward_a_test_digit_as_it_is(client):
    digit = client.get("/api/example", params={"index": 3}).json()
    assert digit["index"] == 3 and 0 <= digit["label"] <= 9 and len(digit["pixels"]) == 784
    image = {"width": 28, "height": 28, "pixels": digit["pixels"], "centre": False}
    result = client.post("/api/forward", json={"image": image}).json()
    np.testing.assert_allclose(result["input"], digit["pixels"], atol=1e-3)


def test_a_mistake_is_a_digit_the_model_gets_wrong(client):
    digit = client.get("/api/mistake", params={"seed": 1}).json()
    image = {"width": 28, "height": 28, "pixels": digit["pixels"], "centre": False}
    assert client.post("/api/forward", json={"image": image}).json()["prediction"] \
        != digit["label"]


# -- wishes and steps -----------------------------------------------------------------------
def test_wishes_for_every_layer_and_a_chosen_neuron(client):
    body = {"image": drawing(), "label": 3, "neuron": {"layer": 1, "index": 2}}
    w = client.post("/api/wishes", json=body).json()
    assert w["label"] == 3 and w["cost"] > 0 and len(w["output_wish"]) == 10
    assert [len(a) for a in w["activation_wishes"]] == [0, 8, 6, 10]
    assert w["activation_wishes"][3] == w["output_wish"]
    assert [len(e) for e in w["nudge_edges"]] == [0, 24, 24, 24]
    neuron = w["neuron"]
    assert (neuron["layer"], neuron["index"], neuron["shape"]) == (1, 2, [28, 28])
    assert len(neuron["nudges"]) == len(neuron["weights"]) == 784
    deeper = client.post("/api/wishes", json={**body, "neuron": {"layer": 2, "index": 5}})
    assert deeper.json()["neuron"]["shape"] == [1, 8]


def test_wishes_choose_a_neuron_when_none_is_given(client):
    w = client.post("/api/wishes", json={"image": drawing(), "label": 0}).json()
    wishes = np.abs(w["activation_wishes"][1])
    assert w["neuron"]["layer"] == 1 and w["neuron"]["index"] == int(np.argmax(wishes))


@pytest.mark.parametrize("steps", [1, 3])
def test_a_step_lowers_this_examples_cost(client, steps):
    body = {"image": drawing(), "label": 7, "eta": 3.0, "steps": steps}
    s = client.post("/api/step", json=body).json()
    assert s["steps"] == steps and s["cost_after"] < s["cost_before"]
    assert len(s["output_before"]) == len(s["output_after"]) == 10
    assert s["output_after"][7] > s["output_before"][7]
    assert len(s["digit_change"]) == 10 and sum(s["digit_counts"]) == 60


# -- gradient noise -------------------------------------------------------------------------
def test_noise_keeps_batch_sizes_the_data_can_fill(client):
    result = client.post("/api/noise", json={"repeats": 3}).json()
    assert result["n"] == 200 and not result["fresh"]
    assert [r["batch_size"] for r in result["rows"]] == [1, 10, 100]
    assert all(-1 <= r["cosine_mean"] <= 1 and r["norm_ratio"] > 0 for r in result["rows"])
    fresh = client.post("/api/noise", json={"repeats": 2, "batch_sizes": [200],
                                            "fresh": True}).json()
    assert fresh["fresh"] and fresh["rows"][0]["cosine_mean"] == pytest.approx(1)


# -- bad inputs: 4xx and a message, never a 500 -----------------------------------------------
BAD_IMAGES = {
    "too few pixels": {"width": 28, "height": 28, "pixels": [0.5] * 100},
    "above 1": {"width": 2, "height": 1, "pixels": [0.5, 1.5]},
    "negative": {"width": 2, "height": 1, "pixels": [-0.1, 0.5]},
    "zero width": {"width": 0, "height": 1, "pixels": []},
    "too wide": {"width": 1000, "height": 1, "pixels": [0.5] * 1000},
    "not a list": {"width": 1, "height": 1, "pixels": "white"},
    "a string pixel": {"width": 2, "height": 1, "pixels": [0.5, "x"]},
    "raw but not 28x28": {**drawing(), "centre": False},
    "unknown field": {**drawing(), "colour": "red"},
    "missing pixels": {"width": 28, "height": 28},
}


@pytest.mark.parametrize("name", BAD_IMAGES)
def test_bad_images_are_refused(client, name):
    for path, extra in (("forward", {}), ("wishes", {"label": 1}), ("step", {"label": 1})):
        error_of(client.post(f"/api/{path}", json={"image": BAD_IMAGES[name], **extra}), 422)


def test_nan_and_infinity_are_refused(client):
    for bad in ("NaN", "Infinity", "-Infinity"):
        text = json.dumps({"image": drawing(4)}).replace("[0.0", f"[{bad}", 1)
        response = client.post("/api/forward", content=text,
                               headers={"content-type": "application/json"})
        assert "finite" in error_of(response, 422)


def test_a_blank_drawing_says_so(client):
    blank = {"width": 8, "height": 8, "pixels": [0.0] * 64}
    assert "blank" in error_of(client.post("/api/forward", json={"image": blank}), 400)


@pytest.mark.parametrize("body, status", [
    ({"label": 10}, 422), ({"label": -1}, 422), ({"label": "three"}, 422),
    ({"label": 1, "neuron": {"layer": 3, "index": 99}}, 400),
    ({"label": 1, "neuron": {"layer": 4, "index": 0}}, 400),
    ({"label": 1, "neuron": {"layer": 0, "index": 0}}, 422),
    ({"label": 1, "neuron": {"layer": 1}}, 422),
])
def test_bad_wishes_are_refused(client, body, status):
    error_of(client.post("/api/wishes", json={"image": drawing(), **body}), status)


@pytest.mark.parametrize("body", [
    {"eta": 0}, {"eta": 101}, {"eta": -1}, {"steps": 0}, {"steps": 51}, {"label": 12},
])
def test_bad_steps_are_refused(client, body):
    error_of(client.post("/api/step", json={"image": drawing(), "label": 1, **body}), 422)


@pytest.mark.parametrize("body", [
    {"batch_sizes": []}, {"batch_sizes": [0]}, {"batch_sizes": [1001]},
    {"batch_sizes": [1] * 7}, {"repeats": 0}, {"repeats": 51}, {"seed": -1},
])
def test_bad_noise_requests_are_refused(client, body):
    error_of(client.post("/api/noise", json=body), 422)


@pytest.mark.parametrize("query, status", [
    ({"index": 60}, 400), ({"index": -1}, 422), ({}, 422), ({"index": "first"}, 422),
])
def test_bad_example_indices_are_refused(client, query, status):
    error_of(client.get("/api/example", params=query), status)


def test_malformed_bodies_are_refused(client):
    json_type = {"content-type": "application/json"}
    error_of(client.post("/api/forward", content=b"{not json", headers=json_type), 422)
    error_of(client.post("/api/forward", content=b"", headers=json_type), 422)
    error_of(client.post("/api/forward", content=b"[1, 2]", headers=json_type), 422)


def test_huge_payloads_are_refused_before_parsing(client):
    huge = b'{"image": {"pixels": [' + b"0.5," * 600_000 + b'0.5]}}'
    assert "too large" in error_of(client.post("/api/forward", content=huge,
                                               headers={"content-type": "application/json"}), 413)

    def chunks():                                # no Content-Length: counted as it arrives
        yield b'{"image": {"pixels": ['
        for _ in range(300):
            yield b"0.5," * 2000
    assert "too large" in error_of(client.post("/api/forward", content=chunks(),
                                               headers={"content-type": "application/json"}), 413)
