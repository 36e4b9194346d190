"""Watch it learn at a pace a person can follow (`follow`): one step a second, and before each
step its mini-batch, whose nudges are the library's (example_nudges, Network.gradient)."""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("fastapi")

from nudges.explain.wishes import example_nudges  # noqa: E402

from .test_web_runs import wait_for  # noqa: E402
from .web_helpers import tiny_client, tiny_dataset  # noqa: E402

client = pytest.fixture(scope="module")(tiny_client)
SESSION = "follow-session-1"


def test_each_step_shows_its_batch_and_the_nudges_it_will_average(client):
    start = client.post("/api/train/start", json={"session": SESSION, "hidden": [8],
                                                  "follow": True, "epochs": 2})
    assert start.status_code == 200 and start.json()["settings"]["follow"] is True
    first = wait_for(client, SESSION, lambda r: r["batch"] is not None, timeout=30)["batch"]
    later = wait_for(client, SESSION, lambda r: r["batch"] and r["batch"]["step"] > first["step"],
                     timeout=30)
    assert later["seen"] <= 10 * (later["batch"]["step"] + 1)     # about a step a second
    client.post("/api/train/control", json={"session": SESSION, "action": "pause"})
    time.sleep(1.5)                                                # the shown batch stays
    shown = wait_for(client, SESSION, lambda r: r["state"] == "paused")["batch"]
    net = client.app.state.server_state.runs.get(SESSION).net      # the weights of that step
    x, y = tiny_dataset().train
    rows = [e["index"] for e in shown["examples"]]
    assert len(rows) == 10 and [e["label"] for e in shown["examples"]] == y[rows].tolist()
    nudge_w, nudge_b = example_nudges(net, x[rows], y[rows])
    grad_w, grad_b = net.gradient(x[rows], y[rows])
    for r in shown["rows"]:
        l, j, k = r["layer"] - 1, r["j"], r["k"]
        cells = nudge_b[l][:, j] if k is None else nudge_w[l][:, j, k]
        np.testing.assert_allclose(r["nudges"], cells, rtol=1e-3, atol=1e-7)
        average = -(grad_b[l][j] if k is None else grad_w[l][j, k])
        assert r["average"] == pytest.approx(float(average), rel=1e-4, abs=1e-8)
    assert len({(r["layer"], r["j"]) for r in shown["rows"]}) == len(shown["rows"])
    client.post("/api/train/control", json={"session": SESSION, "action": "stop"})
    stopped = wait_for(client, SESSION, lambda r: r["state"] == "stopped", timeout=10)
    assert stopped["state"] == "stopped"


def test_the_fast_paces_show_no_batch(client):
    client.post("/api/train/start", json={"session": "follow-session-2", "hidden": [4],
                                          "epochs": 1})
    done = wait_for(client, "follow-session-2", lambda r: r["state"] == "done")
    assert done["batch"] is None and done["settings"]["follow"] is False
