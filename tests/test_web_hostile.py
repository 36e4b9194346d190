"""Regression catalogue of issue 10, §5: the web server under a hostile page or a heavy user,
against a real uvicorn on 127.0.0.1 (a free port): foreign Host headers (DNS rebinding), heavy
requests beyond the pool (429 + Retry-After while light ones still answer), work bounded per
request (422), at most two training runs however many start at once, and no coercion."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import pytest

pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from nudges.core.network import Network  # noqa: E402
from nudges.web import create_app  # noqa: E402
from nudges.web.limits import HEAVY_SLOTS, RETRY_AFTER, HeavyWork, Overloaded  # noqa: E402
from nudges.web.runs import MAX_RUNS  # noqa: E402
from nudges.web.schemas import MAX_NOISE_WORK  # noqa: E402

from .test_browser import serve  # noqa: E402
from .web_helpers import drawing, our_threads, tiny_dataset  # noqa: E402


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(Network([784, 8, 10], seed=0), tiny_dataset(400, 50, 50))


@pytest.fixture(scope="module")
def url(app: Any) -> Iterator[str]:
    yield from serve(app)
    deadline = time.monotonic() + 10
    while our_threads() and time.monotonic() < deadline:
        time.sleep(0.05)


def post(url: str, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(url + path, json=body, headers=headers, timeout=30)


FOREIGN = ["attacker.example", "attacker.example:8000", "127.0.0.1.attacker.example",
           "localhost.attacker.example", "10.0.0.1", "", "[::2]"]


@pytest.mark.parametrize("host", FOREIGN)
def test_foreign_hosts_get_400_and_change_nothing(host: str, url: str, app: Any) -> None:
    before = app.state.server_state.status()
    for path, body in (("api/train/start", {"session": "rebinding1"}),
                       ("api/train/use", {"session": "rebinding1"})):
        assert post(url, path, body, host=host).status_code == 400
    assert httpx.get(url + "api/status", headers={"host": host}).status_code == 400
    assert app.state.server_state.status() == before


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_local_hosts_are_answered(host: str, url: str) -> None:
    port = url.rsplit(":", 1)[1].strip("/")
    response = httpx.get(url + "api/status", headers={"host": f"{host}:{port}"})
    assert response.status_code == 200


def test_the_served_host_is_answered(tiny_app_hosts: Any) -> None:
    from starlette.testclient import TestClient
    with TestClient(tiny_app_hosts, base_url="http://192.168.7.7:8000") as client:
        assert client.get("/api/status").status_code == 200
    with TestClient(tiny_app_hosts, base_url="http://192.168.7.8:8000") as client:
        assert client.get("/api/status").status_code == 400


@pytest.fixture
def tiny_app_hosts() -> Any:
    return create_app(Network([784, 4, 10], seed=0), tiny_dataset(50, 10, 10),
                      hosts=["192.168.7.7"])


NOISE = {"batch_sizes": [10, 100], "repeats": 2}


def test_heavy_requests_beyond_the_pool_get_429_and_light_ones_answer(url: str,
                                                                      app: Any) -> None:
    with ExitStack() as held:
        for _ in range(HEAVY_SLOTS):              # the pool is busy: every slot taken
            held.enter_context(app.state.heavy.slot())
        for path, body in (("api/noise", NOISE),
                           ("api/step", {"image": drawing(), "label": 3})):
            response = post(url, path, body)
            assert response.status_code == 429, response.text
            assert response.headers["retry-after"] == str(RETRY_AFTER)
            assert "busy" in response.json()["error"]
        assert httpx.get(url + "api/status").status_code == 200
        assert post(url, "api/forward", {"image": drawing()}).status_code == 200
    assert post(url, "api/noise", NOISE).status_code == 200      # freed again


def test_forty_heavy_requests_leave_status_answering(url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's flood: 40 POST /api/noise at once. The pool's requests are held mid-work
    (a gate in the noise computation) while /api/status and /api/forward are asked: they are
    answered before any heavy one finishes, and every request beyond the pool is 429 with
    Retry-After. Then the gate opens and the pool's requests complete."""
    import nudges.web.api as api
    gate, inside, lock = threading.Event(), [0], threading.Lock()
    real = api.gradient_noise

    def held(*args: Any, **kwargs: Any) -> Any:
        with lock:
            inside[0] += 1
        assert gate.wait(60), "the gate was never opened"
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "gradient_noise", held)
    with ThreadPoolExecutor(40) as pool:
        futures = [pool.submit(post, url, "api/noise", NOISE) for _ in range(40)]
        try:
            until(lambda: sum(f.done() for f in futures) >= 40 - HEAVY_SLOTS
                  and inside[0] >= HEAVY_SLOTS)
            light = [httpx.get(url + "api/status", timeout=30) for _ in range(5)]
            light.append(post(url, "api/forward", {"image": drawing()}))
            still_held = sum(not f.done() for f in futures)  # after the light ones answered
        finally:
            gate.set()
        responses = [f.result() for f in futures]
    assert still_held == HEAVY_SLOTS and inside[0] == HEAVY_SLOTS
    assert [r.status_code for r in light] == [200] * 6
    refused = [r for r in responses if r.status_code != 200]
    assert len(refused) == 40 - HEAVY_SLOTS and all(
        r.status_code == 429 and r.headers["retry-after"] == str(RETRY_AFTER) for r in refused)


def until(condition: Any, timeout: float = 60) -> None:
    """Wait for condition() (a guard against hanging, not a measure of speed)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.01)


def test_concurrent_heavy_requests_are_bounded(url: str) -> None:
    body = {"batch_sizes": [100, 200, 300], "repeats": 40}
    with ThreadPoolExecutor(12) as pool:
        codes = [r.status_code for r in pool.map(lambda _: post(url, "api/noise", body),
                                                 range(12))]
    assert set(codes) <= {200, 429} and 1 <= codes.count(200) and codes.count(429) >= 1


def test_heavy_work_refuses_at_once_and_frees_its_slot() -> None:
    heavy = HeavyWork(1)
    with heavy.slot():
        start = time.monotonic()
        with pytest.raises(Overloaded):
            with heavy.slot():
                pass
        assert time.monotonic() - start < 1
    with heavy.slot():
        pass


@pytest.mark.parametrize("body", [
    {"batch_sizes": [1000] * 6, "repeats": 50},
    {"batch_sizes": [1000, 1000], "repeats": 13},
])
def test_each_requests_work_is_bounded(body: dict[str, Any], url: str) -> None:
    response = post(url, "api/noise", body)
    assert response.status_code == 422 and f"at most {MAX_NOISE_WORK:,}" in response.text


@pytest.mark.parametrize("crowd", [30, 100])
def test_at_most_two_runs_however_many_start_at_once(crowd: int, url: str, app: Any) -> None:
    sessions = [f"crowd-{crowd}-{i:04d}" for i in range(crowd)]
    barrier = threading.Barrier(len(sessions))

    def start(session: str) -> int:
        barrier.wait()
        return post(url, "api/train/start", {"session": session, "hidden": [8],
                                             "epochs": 50, "slow": True}).status_code
    try:
        with ThreadPoolExecutor(len(sessions)) as pool:
            codes = list(pool.map(start, sessions))
        assert codes.count(200) == MAX_RUNS and codes.count(429) == len(sessions) - MAX_RUNS
        alive = [r for r in app.state.server_state.runs._runs.values() if r.alive]  # noqa: SLF001
        assert len(alive) <= MAX_RUNS
    finally:
        for session in sessions:
            if post(url, "api/train/control", {"session": session,
                                               "action": "stop"}).status_code == 200:
                app.state.server_state.runs.get(session).join()  # stopped: the next may start


COERCED: dict[str, tuple[str, dict[str, Any]]] = {
    "label true": ("api/wishes", {"image": drawing(), "label": True}),
    "label '3'": ("api/wishes", {"image": drawing(), "label": "3"}),
    "label 3.0": ("api/wishes", {"image": drawing(), "label": 3.0}),
    "width '56'": ("api/forward", {"image": {**drawing(), "width": "56"}}),
    "string pixels": ("api/forward", {"image": {**drawing(), "pixels": ["0"] * 56 * 56}}),
    "centre 'yes'": ("api/forward", {"image": {**drawing(), "centre": "yes"}}),
    "centre 1": ("api/forward", {"image": {**drawing(), "centre": 1}}),
    "steps '2'": ("api/step", {"image": drawing(), "label": 1, "steps": "2"}),
    "repeats 2.5": ("api/noise", {"batch_sizes": [10], "repeats": 2.5}),
    "batch sizes as strings": ("api/noise", {"batch_sizes": ["10"], "repeats": 2}),
    "fresh 'false'": ("api/noise", {"batch_sizes": [10], "repeats": 2, "fresh": "false"}),
    "epochs '3'": ("api/train/start", {"session": "coerce01", "epochs": "3"}),
    "hidden '16'": ("api/train/start", {"session": "coerce01", "hidden": ["16"]}),
    "slow 0": ("api/train/start", {"session": "coerce01", "slow": 0}),
    "follow 'yes'": ("api/train/start", {"session": "coerce01", "follow": "yes"}),
    "session a number": ("api/train/start", {"session": 12345678}),
    "batch_size 10.0": ("api/train/start", {"session": "coerce01", "batch_size": 10.0}),
    "action 1": ("api/train/control", {"session": "coerce01", "action": 1}),
    "neuron index '2'": ("api/wishes", {"image": drawing(), "label": 3,
                                        "neuron": {"layer": 1, "index": "2"}}),
    "tour label '3'": ("api/tour", {"image": drawing(), "label": "3"}),
    "average rows as strings": ("api/average", {"rows": ["1", "2"]}),
    "average count true": ("api/average", {"count": True}),
    "pick j 1.0": ("api/average", {"picks": [{"layer": 1, "j": 1.0}]}),
    "average step eta '3'": ("api/average/step", {"rows": [1, 2], "eta": "3"}),
    "surface steps '50'": ("api/surface", {"steps": "50"}),
    "surface batch over examples": ("api/surface", {"examples": 20, "batch_size": 21}),
    "lesson steps '5'": ("api/lesson", {"seed": 0, "steps": "5"}),
    "lesson seed -1": ("api/lesson", {"seed": -1, "steps": 0}),
    "lesson seed 2.0": ("api/lesson", {"seed": 2.0, "steps": 0}),
    "lesson steps true": ("api/lesson", {"seed": 0, "steps": True}),
    "lesson steps past the cap": ("api/lesson", {"seed": 0, "steps": 10**9}),
    "lesson with an unknown field": ("api/lesson", {"seed": 0, "steps": 0, "eta": 9}),
    "lesson as a list": ("api/tour/example", {"lesson": [0, 5]}),
    "tour lesson steps '5'": ("api/tour", {"image": drawing(), "label": 3,
                                           "lesson": {"seed": 0, "steps": "5"}}),
    "average lesson seed 'x'": ("api/average", {"lesson": {"seed": "x", "steps": 0}}),
    "average step lesson -3": ("api/average/step", {"rows": [1, 2],
                                                    "lesson": {"seed": 0, "steps": -3}}),
    "an unknown field": ("api/forward", {"image": drawing(), "colour": "red"}),
}


@pytest.mark.parametrize("case", COERCED)
def test_what_the_page_did_not_mean_is_refused(case: str, url: str) -> None:
    path, body = COERCED[case]
    response = post(url, path, body)
    assert response.status_code == 422, response.text
    assert "error" in response.json()


def test_integers_still_count_as_floats(url: str) -> None:
    assert post(url, "api/step", {"image": drawing(), "label": 1, "eta": 3}).status_code == 200


BAD_BODIES: dict[str, bytes] = {
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "an image nested 50,000 deep": b'{"image": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    "a 5,000-digit batch size": b'{"batch_sizes": [' + b"9" * 5000 + b'], "repeats": 2}',
    "not UTF-8": b"\xff\xfe\xfd",
    "1e400 for a width": b'{"image": {"width": 1e400, "height": 28, "pixels": []}}',
    "NaN alone": b"NaN",
    "a list, not an object": b"[1, 2, 3]",
}


@pytest.mark.parametrize("case", BAD_BODIES)
@pytest.mark.parametrize("path", ["api/forward", "api/noise", "api/train/start"])
def test_crafted_bodies_are_refused_in_one_json_line(case: str, path: str, url: str) -> None:
    response = httpx.post(url + path, content=BAD_BODIES[case], timeout=30,
                          headers={"content-type": "application/json"})
    assert response.status_code in (400, 422), response.text
    assert set(response.json()) == {"error"} and len(response.json()["error"]) < 400


PLAYGROUND = {"X-Nudges-Session": "hostile-playground"}
BAD_PLAYGROUND: dict[str, tuple[str, dict[str, Any], int, str]] = {
    "an unknown data set": ("configure", {"data": "donut"}, 400, "unknown data set 'donut'"),
    "xor with 3 classes": ("configure", {"data": "xor", "classes": 3}, 400, "xor has 2"),
    "6 classes": ("configure", {"classes": 6}, 422, "classes"),
    "10 points": ("configure", {"points": 10}, 422, "points"),
    "a million points": ("configure", {"points": 10**6}, 422, "points"),
    "5 hidden layers": ("configure", {"hidden": [4] * 5}, 422, "hidden"),
    "a layer of 17": ("configure", {"hidden": [17]}, 422, "hidden"),
    "an unknown activation": ("configure", {"activation": "no-such-activation"}, 400,
                              "no-such-activation"),
    "an output that is not one": ("configure", {"output": "relu"}, 400, "relu"),
    "a cost that does not fit": ("configure", {"output": "softmax", "cost": "quadratic"}, 400,
                                 "quadratic"),
    "an unknown optimizer": ("configure", {"optimizer": "lion"}, 400, "lion"),
    "η 0": ("configure", {"eta": 0}, 422, "eta"),
    "η 1e6": ("configure", {"eta": 1e6}, 422, "eta"),
    "a batch bigger than the data": ("configure", {"points": 50, "batch": 400}, 400,
                                     "batch size"),
    "an unknown feature": ("configure", {"features": ["z3"]}, 400, "unknown feature"),
    "csv without an upload": ("configure", {"data": "csv"}, 400, "upload a CSV"),
    "a million steps": ("step", {"steps": 10**6}, 422, "steps"),
    "a grid of 10,000": ("step", {"grid": 10_000}, 422, "grid"),
    "a point past the end": ("point", {"which": "test", "index": 1999}, 400, "index must be"),
    "a weight that is not there": ("batch", {"weight": [0, 15, 0]}, 400, "shape"),
    "a batch row past the end": ("batch", {"rows": [1999]}, 400, "rows must be"),
    "a batch of 1,000 rows": ("batch", {"rows": list(range(1000))}, 422, "rows"),
    "a CSV of 9 rows": ("upload", {"csv": "1,2,0\n" * 9}, 400, "got 9"),
    "a CSV of one class": ("upload", {"csv": "1,2,0\n" * 60}, 400, "distinct labels"),
    "a CSV with text for x": ("upload", {"csv": "a,2,0\n" * 60}, 400, "CSV row"),
    "a CSV of a megabyte": ("upload", {"csv": "1,2,0\n" * 200_000}, 413, "too large"),
}


@pytest.mark.parametrize("case", BAD_PLAYGROUND)
def test_bad_playground_configs_and_uploads_get_4xx(case: str, url: str) -> None:
    path, body, status, words = BAD_PLAYGROUND[case]
    assert post(url, "api/playground/configure", {}, **PLAYGROUND).status_code == 200
    response = post(url, f"api/playground/{path}", body, **PLAYGROUND)
    assert response.status_code == status, response.text
    assert words in response.json()["error"] and len(response.json()["error"]) < 400


def test_a_playground_needs_a_session_and_a_configuration(url: str) -> None:
    response = post(url, "api/playground/configure", {})
    assert response.status_code == 400 and "X-Nudges-Session" in response.json()["error"]
    response = post(url, "api/playground/step", {}, **{"X-Nudges-Session": "never-configured"})
    assert response.status_code == 404 and "configure first" in response.json()["error"]
