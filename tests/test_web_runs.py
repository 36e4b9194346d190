"""The web app's background work: training runs (start, pause, step, stop, the cap), the
quick model at startup, missing data, and `nudges serve`."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("PIL")

from nudges import InvalidInput, Network, save  # noqa: E402
from nudges.cli import main  # noqa: E402
from nudges.core import optimizers  # noqa: E402
from nudges.training.sgd import Settings  # noqa: E402
from nudges.web import create_app  # noqa: E402
from nudges.web.choices import KINDS, MOMENTUM  # noqa: E402

from .web_helpers import (  # noqa: E402
    TestClient,
    drawing,
    error_of,
    our_threads,
    tiny_client,
    tiny_dataset,
)

SESSION = "test-session-1"


client = pytest.fixture(scope="module")(tiny_client)


# -- training runs --------------------------------------------------------------------------
def wait_for(client, session: str, done, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = client.get("/api/train/status", params={"session": session,
                                                      "images": True}).json()
        if done(run) or time.monotonic() > deadline:
            return run
        time.sleep(0.02)


def test_a_run_trains_to_the_end_and_can_be_used(client):
    body = {"session": SESSION, "hidden": [5], "epochs": 2, "batch_size": 10, "eta": 3.0}
    started = client.post("/api/train/start", json=body).json()
    assert started["sizes"] == [784, 5, 10] and started["points"][0][0] == 0
    run = wait_for(client, SESSION, lambda r: r["state"] == "done")
    assert run["state"] == "done" and run["seen"] == run["total"] == 400
    assert len(run["epochs"]) == 2 and run["points"][-1][1] < run["points"][0][1]
    assert run["weight_images"]["side"] == 28 and len(run["weight_images"]["values"]) == 5
    version = client.get("/api/status").json()["version"]
    status = client.post("/api/train/use", json={"session": SESSION}).json()
    assert status["version"] != version and status["sizes"] == [784, 5, 10]
    assert "trained on this page" in status["model"] and status["own"]
    mine = {"X-Nudges-Session": SESSION}                # this session's views, and no other's
    assert client.get("/api/model", headers=mine).json()["sizes"] == [784, 5, 10]
    assert client.get("/api/model").json()["sizes"] == [784, 8, 6, 10]


def test_pause_step_resume_and_stop(client):
    body = {"session": "pausing-session", "hidden": [4], "epochs": 3, "batch_size": 1,
            "slow": True}
    client.post("/api/train/start", json=body)
    control = {"session": "pausing-session"}
    paused = client.post("/api/train/control", json={**control, "action": "pause"}).json()
    assert paused["state"] == "paused"
    seen = wait_for(client, "pausing-session", lambda r: False, timeout=0.3)["seen"]
    assert wait_for(client, "pausing-session", lambda r: False, timeout=0.2)["seen"] == seen
    client.post("/api/train/control", json={**control, "action": "step"})
    stepped = wait_for(client, "pausing-session", lambda r: r["seen"] > seen)
    assert stepped["seen"] == seen + 1 and stepped["state"] == "paused"
    resumed = client.post("/api/train/control", json={**control, "action": "resume"}).json()
    assert resumed["state"] == "running"
    client.post("/api/train/control", json={**control, "action": "stop"})
    assert wait_for(client, "pausing-session", lambda r: r["state"] == "stopped")["state"] \
        == "stopped"


def test_one_run_per_session_and_a_global_cap(client):
    slow = {"hidden": [4], "epochs": 5, "batch_size": 1, "slow": True}
    sessions = ["capped-session-a", "capped-session-b", "capped-session-c"]
    for session in sessions[:2]:
        assert client.post("/api/train/start", json={"session": session, **slow}).status_code \
            == 200
    again = client.post("/api/train/start", json={"session": sessions[0], **slow})
    assert again.status_code == 200                     # replaces its own run
    assert "stop one first" in error_of(
        client.post("/api/train/start", json={"session": sessions[2], **slow}), 429)
    for session in sessions[:2]:
        client.post("/api/train/control", json={"session": session, "action": "stop"})
        wait_for(client, session, lambda r: r["state"] == "stopped")


@pytest.mark.parametrize("body", [
    {"hidden": [0]}, {"hidden": [513]}, {"hidden": [8] * 5}, {"hidden": "16,16"},
    {"eta": 0}, {"eta": 100.5}, {"batch_size": 0}, {"batch_size": 1001}, {"epochs": 0},
    {"epochs": 101}, {"kind": "tanh"}, {"session": "short"}, {"session": "bad session!"},
    {"session": None},
])
def test_bad_runs_are_refused(client, body):
    error_of(client.post("/api/train/start", json={"session": "refused-session", **body}), 422)


def test_controls_need_a_run_and_a_known_action(client):
    assert "Start" in error_of(client.post("/api/train/control", json={
        "session": "never-started", "action": "pause"}), 404)
    error_of(client.post("/api/train/control", json={"session": SESSION, "action": "go"}), 422)
    error_of(client.get("/api/train/status", params={"session": "never-started"}), 404)
    error_of(client.get("/api/train/status", params={"session": "../etc"}), 422)
    error_of(client.post("/api/train/use", json={"session": "never-started"}), 404)


# -- optimizers: every registered one, with the settings it uses ------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("optimizer", optimizers.OPTIMIZERS)
def test_each_optimizer_trains_each_kind_at_the_suggested_eta(client, optimizer, kind):
    session = f"optim-{optimizer}-{kind}"
    body = {"session": session, "hidden": [8], "epochs": 2, "kind": kind,
            "optimizer": optimizer, "eta": KINDS[kind].eta_for(optimizer),
            "batch_size": KINDS[kind].batch_size}
    assert client.post("/api/train/start", json=body).status_code == 200
    run = wait_for(client, session, lambda r: r["state"] != "running",
                   timeout=120)              # numba's first compile of this network: ~15 s
    assert run["state"] == "done", run["message"]
    assert run["points"][-1][1] < run["points"][0][1]               # the cost fell
    settings = run["settings"]
    assert settings["optimizer"] == optimizer and settings["eta"] == body["eta"]
    assert set(settings) - {"eta", "epochs", "batch_size", "slow", "follow", "optimizer"} \
        == set(optimizers.OPTIMIZERS[optimizer].uses)


def test_adam_runs_with_the_betas_it_is_given(client):
    body = {"session": "adam-session", "hidden": [6], "epochs": 1, "optimizer": "adam",
            "eta": 0.01, "beta1": 0.8, "beta2": 0.99}
    started = client.post("/api/train/start", json=body).json()
    assert started["settings"]["optimizer"] == "adam"
    run = wait_for(client, "adam-session", lambda r: r["state"] != "running")
    assert run["state"] == "done" and run["seen"] == 200
    assert run["settings"] == {"eta": 0.01, "epochs": 1, "batch_size": 10, "slow": False,
                               "follow": False, "optimizer": "adam", "beta1": 0.8, "beta2": 0.99,
                               "eps": Settings().eps}
    momentum = client.post("/api/train/start", json={**body, "optimizer": "nesterov",
                                                       "beta1": None, "beta2": None}).json()
    assert momentum["settings"]["optimizer"] == "nesterov"
    assert momentum["settings"]["momentum"] == MOMENTUM              # left out: the page's μ
    client.post("/api/train/control", json={"session": "adam-session", "action": "stop"})
    wait_for(client, "adam-session", lambda r: r["state"] != "running")


def library_message(**settings) -> str:
    """What Settings.check says about these settings, on 200 training rows."""
    with pytest.raises(InvalidInput) as refused:
        Settings(**settings).check(200)
    return str(refused.value)


@pytest.mark.parametrize("body, message", [
    ({"optimizer": "sgd", "momentum": 0.9}, library_message(optimizer="sgd", momentum=0.9)),
    ({"optimizer": "adam", "momentum": 0.5}, library_message(optimizer="adam", momentum=0.5)),
    ({"optimizer": "nesterov", "momentum": 0}, library_message(optimizer="nesterov")),
    ({"optimizer": "sgd", "beta1": 0.9},
     "the sgd optimizer does not use beta1; leave it out or choose another optimizer"),
    ({"optimizer": "momentum", "beta1": 0.9, "eps": 1e-7},
     "the momentum optimizer does not use beta1, eps; leave them out or choose another "
     "optimizer"),
])
def test_settings_an_optimizer_cannot_use_are_refused_with_a_message(client, body, message):
    session = "optim-refused"
    slow = {"session": session, "hidden": [4], "epochs": 5, "batch_size": 1, "slow": True}
    assert client.post("/api/train/start", json=slow).status_code == 200
    assert error_of(client.post("/api/train/start", json={**slow, **body}), 400) == message
    assert client.get("/api/train/status", params={"session": session}).json()["state"] \
        == "running"                                   # refused before the old run stops
    client.post("/api/train/control", json={"session": session, "action": "stop"})
    wait_for(client, session, lambda r: r["state"] == "stopped")


def test_an_unknown_optimizer_gets_the_librarys_message(client):
    with pytest.raises(InvalidInput) as refused:
        optimizers.optimizer_named("no-such-optimizer")
    response = client.post("/api/train/start", json={"session": "optim-unknown",
                                                      "optimizer": "no-such-optimizer"})
    assert error_of(response, 422) == f"optimizer: {refused.value}"


@pytest.mark.parametrize("body", [
    {"momentum": 1}, {"momentum": -0.1}, {"beta1": 1.5}, {"beta2": -1}, {"eps": 0},
    {"eps": 1}, {"beta1": "high"}, {"optimizer": None}, {"optimizer": "ADAM"},
])
def test_optimizer_settings_out_of_bounds_are_refused(client, body):
    error_of(client.post("/api/train/start", json={"session": "optim-bounds",
                                                   "optimizer": "adam", **body}), 422)


# -- startup: the quick model, missing data ------------------------------------------------
def test_a_quick_model_is_trained_and_published_in_the_background():
    with TestClient(create_app(None, tiny_dataset()), base_url="http://127.0.0.1") as client:
        first = client.get("/api/status").json()
        assert first["sizes"] == [784, 16, 16, 10]
        deadline = time.monotonic() + 30
        while client.get("/api/status").json()["training_quick"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        status = client.get("/api/status").json()
        assert status["version"] > first["version"] and status["progress"] == 1
        assert status["model"].startswith("quick model, 30 epochs on tiny")
    assert not our_threads()


def test_the_model_is_untrained_until_the_quick_one_is_ready_and_the_sample_says_so():
    from dataclasses import replace

    from nudges.web.state import ServerState
    sample = ServerState(None, replace(tiny_dataset(), name="mnist-sample")).status()   # not opened
    assert sample["training_quick"] and sample["model"].startswith("untrained")
    assert "5,000 MNIST digits" in sample["data_hint"]
    assert "nudges serve --download" in sample["data_hint"]
    loaded = ServerState(Network([784, 8, 10], seed=0), tiny_dataset()).status()
    assert loaded["model"] == "loaded" and loaded["data_hint"] == ""


def test_missing_data_is_a_503_with_the_reason(monkeypatch):
    import nudges.web.data_source
    from nudges.core.errors import DataNotFound

    def missing(*args, **kwargs):
        raise DataNotFound("no MNIST anywhere")
    monkeypatch.setattr(nudges.web.data_source, "load_digits", missing)
    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        deadline = time.monotonic() + 10
        while client.get("/api/status").json()["training_quick"]:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        status = client.get("/api/status").json()
        assert not status["data_ready"] and "no MNIST anywhere" in status["data"]
        assert "no MNIST anywhere" in status["data_hint"]          # on the page, not a tooltip
        assert "nudges serve --download" in status["data_hint"]
        assert status["model"].startswith("untrained: no data")
        assert "no MNIST anywhere" in error_of(client.get("/api/example?index=0"), 503)
        error_of(client.post("/api/train/start", json={"session": SESSION}), 503)
        assert client.post("/api/forward", json={"image": drawing()}).status_code == 200
    assert not our_threads()


def test_a_model_the_page_cannot_draw_is_refused():
    with pytest.raises(InvalidInput, match="28x28 inputs"):
        create_app(Network([16, 8, 10], seed=0), tiny_dataset())


# -- the command ----------------------------------------------------------------------------
def test_serve_prints_the_url_and_runs_uvicorn(monkeypatch, capsys, tmp_path):
    import uvicorn
    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(app=app, **kw))
    path = tmp_path / "net.npz"
    save(Network([784, 8, 10], seed=0), path)
    assert main(["serve", str(path), "--port", "8123"]) == 0
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out
    assert calls["host"] == "127.0.0.1" and calls["port"] == 8123
    assert calls["app"].state.server_state.served.model.sizes == [784, 8, 10]


def test_serve_reports_bad_arguments_in_one_line(monkeypatch, capsys, tmp_path):
    import uvicorn
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: pytest.fail("must not serve"))
    assert main(["serve", str(tmp_path / "missing.npz")]) == 1
    assert main(["serve", "--data", str(tmp_path / "nowhere")]) == 1
    assert main(["serve", "--port", "70000"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("nudges: error: ") for line in err)


def test_serve_hidden_shapes_the_quick_model_as_train_and_sweep_spell_it(served, capsys,
                                                                         tmp_path, sample_only):
    assert main(["serve", "--hidden", "30-12", "--port", "8124"]) == 0
    assert served["app"].state.server_state.served.model.sizes == [784, 30, 12, 10]
    path = tmp_path / "net.npz"
    save(Network([784, 8, 10], seed=0), path)
    assert main(["serve", str(path), "--hidden", "30"]) == 1
    assert "--hidden shapes the quick model" in capsys.readouterr().err
