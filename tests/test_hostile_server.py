"""The catalogue of issue 23, the server: runs started and replaced at once by many requests,
heavy endpoints beyond their slots, sessions evicting each other, idle and half-sent clients,
failed accepts, tiny data for the quick model, and odd --host and --port values."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("uvicorn")

from nudges.cli import main  # noqa: E402
from nudges.core.network import Network  # noqa: E402
from nudges.files.models import save  # noqa: E402
from nudges.web import create_app  # noqa: E402
from nudges.web.limits import HEAVY_SLOTS, IDLE_SECONDS, MAX_CONNECTIONS, log_once  # noqa: E402
from nudges.web.quick import quick_settings  # noqa: E402
from nudges.web.runs import KEEP, MAX_RUNS, NoRun, Runs  # noqa: E402
from nudges.web.served import CHOSEN  # noqa: E402
from nudges.web.state import ServerState  # noqa: E402

from .hostile import one_line  # noqa: E402
from .web_helpers import TestClient, our_threads, tiny_dataset  # noqa: E402

SESSION = "one-session-0001"


@pytest.fixture(scope="module")
def client() -> Any:
    app = create_app(Network([784, 8, 10], seed=0), tiny_dataset(400, 50, 50))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    assert not our_threads()


def start(client: Any, session: str) -> int:
    return int(client.post("/api/train/start", json={"session": session, "hidden": [8],
                                                      "epochs": 50, "slow": True}).status_code)


def stop_all(client: Any, sessions: list[str]) -> None:
    for session in set(sessions):
        client.post("/api/train/control", json={"session": session, "action": "stop"})
    runs = client.app.state.server_state.runs
    deadline = time.monotonic() + 30
    while runs.live() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert runs.live() == 0, "a run kept training after every session stopped"


@pytest.mark.parametrize(("crowd", "distinct"), [(30, 1), (30, 3), (40, 40), (60, 2)])
def test_starts_at_once_never_pass_the_bound(crowd: int, distinct: int, client: Any) -> None:
    """The issue's attack: 30 simultaneous starts for one session all got 200 and 15-20 runs
    trained on after "stop". Now a replaced run is stopped and joined first."""
    sessions = [f"crowd-{distinct}-{i % distinct:04d}" for i in range(crowd)]
    barrier, most = threading.Barrier(crowd), [0]
    runs = client.app.state.server_state.runs

    def go(session: str) -> int:
        barrier.wait()
        code = start(client, session)
        most[0] = max(most[0], sum(r.alive for r in runs._live))  # noqa: SLF001
        return code
    try:
        with ThreadPoolExecutor(crowd) as pool:
            codes = list(pool.map(go, sessions))
        assert set(codes) <= {200, 429} and codes.count(200) >= min(distinct, MAX_RUNS)
        assert runs.live() <= MAX_RUNS and most[0] <= MAX_RUNS
    finally:
        stop_all(client, sessions)


@pytest.mark.parametrize("path", ["/api/mistake", "/api/mistake?seed=7"])
def test_mistake_takes_a_heavy_slot(path: str, client: Any) -> None:
    with ExitStack() as held:
        for _ in range(HEAVY_SLOTS):
            held.enter_context(client.app.state.heavy.slot())
        response = client.get(path)
        assert response.status_code == 429 and "busy" in response.json()["error"]
        assert client.get("/api/status").status_code == 200
    assert client.get(path).status_code in (200, 400)


def server_state() -> ServerState:
    return ServerState(Network([784, 8, 10], seed=0), tiny_dataset(20, 5, 5))


@pytest.mark.parametrize("others", [1, CHOSEN // 2, CHOSEN - 1])
def test_a_chosen_model_survives_fewer_than_chosen_other_sessions(others: int) -> None:
    state = server_state()
    mine = Network([784, 4, 10], seed=1)
    state.served.use(SESSION, mine, "mine")
    for i in range(others):
        state.served.use(f"other-{i:06d}", Network([784, 4, 10], seed=2), "theirs")
    assert state.served.current(SESSION)[0] is mine and not state.status(SESSION)["forgotten"]


@pytest.mark.parametrize("others", [CHOSEN, 2 * CHOSEN])
def test_a_forgotten_model_is_said_so(others: int) -> None:
    state = server_state()
    state.served.use(SESSION, Network([784, 4, 10], seed=1), "mine")
    for i in range(others):
        state.served.use(f"other-{i:06d}", Network([784, 4, 10], seed=2), "theirs")
    status = state.status(SESSION)
    assert state.served.current(SESSION)[0] is state.served.model
    assert status["forgotten"] and not status["own"]


def test_using_a_chosen_model_keeps_it_least_likely_to_go() -> None:
    state = server_state()
    mine = Network([784, 4, 10], seed=1)
    state.served.use(SESSION, mine, "mine")
    for i in range(3 * CHOSEN):
        state.served.use(f"other-{i:06d}", Network([784, 4, 10], seed=2), "theirs")
        if i % (CHOSEN // 2) == 0:
            state.served.current(SESSION)       # the page asks, as it does every few seconds
    assert state.served.current(SESSION)[0] is mine


class Finished:
    """A stand-in for a run whose thread has ended."""

    alive = False

    def start(self) -> Finished:
        return self

    def control(self, action: str) -> None:
        pass

    def join(self, timeout: float = 30) -> None:
        pass


@pytest.mark.parametrize("others", [KEEP - 1, 3 * KEEP])
def test_a_finished_run_is_kept_while_its_page_reads_it(others: int) -> None:
    runs = Runs()
    mine = runs.start(SESSION, Finished)
    for i in range(others):
        runs.start(f"other-{i:06d}", Finished)
        if i % (KEEP // 2) == 0:
            runs.get(SESSION)
    assert runs.get(SESSION) is mine


def test_a_forgotten_run_says_why() -> None:
    runs = Runs()
    runs.start(SESSION, Finished)
    for i in range(KEEP + 1):
        runs.start(f"other-{i:06d}", Finished)
    with pytest.raises(NoRun, match=f"forgotten after {KEEP} other pages"):
        runs.get(SESSION)


@pytest.mark.parametrize("n_train", range(1, 10))
def test_the_quick_model_trains_on_tiny_data(n_train: int) -> None:
    settings = quick_settings(n_train)
    assert settings.batch_size <= n_train and settings.check(n_train) is not None
    state = ServerState(None, tiny_dataset(n_train, 3, 3))
    state.open()
    state.quick.join(60)
    assert not state.quick.training and state.quick.note.startswith("quick model"), \
        state.quick.note
    state.close()


def test_failed_accepts_are_logged_once() -> None:
    calls: list[str] = []
    handler = log_once(lambda context: calls.append(context["message"]))
    for _ in range(1000):
        handler(None, {"message": "socket.accept() out of system resource"})
    handler(None, {"message": "something else"})
    handler(None, {"message": "something else"})
    assert calls == ["socket.accept() out of system resource", "something else",
                     "something else"]


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "net.npz"
    save(Network([784, 8, 10], seed=0), path)
    return path


def test_port_0_prints_the_port_it_listens_on(model: Path, monkeypatch, capsys) -> None:
    import uvicorn
    calls: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(kw))
    assert main(["serve", str(model), "--port", "0"]) == 0
    out = capsys.readouterr().out
    assert calls["port"] > 0 and f"http://127.0.0.1:{calls['port']}/" in out
    assert calls["timeout_keep_alive"] == IDLE_SECONDS
    assert calls["limit_concurrency"] == MAX_CONNECTIONS


@pytest.mark.parametrize("host", ["", " ", "\n", "a b", "\x1b[2J", "127.0.0.1\t"])
def test_a_host_that_names_no_address_is_one_line(host: str, model: Path, capsys) -> None:
    status = main(["serve", str(model), "--host", host])
    line = one_line(capsys.readouterr().err, status)
    assert "--host must name an address" in line and "\x1b" not in line


@pytest.mark.parametrize("port", ["-1", "65536", "99999999999"])
def test_a_port_out_of_range_is_one_line(port: str, model: Path, capsys) -> None:
    status = main(["serve", str(model), "--port", port])
    assert "--port must be from 0 to 65535" in one_line(capsys.readouterr().err, status)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A real `nudges serve --port 0` process; its base URL's host and port."""
    path = tmp_path_factory.mktemp("served") / "net.npz"
    save(Network([784, 8, 10], seed=0), path)
    proc = subprocess.Popen([sys.executable, "-m", "nudges", "serve", str(path), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = int(re.search(r"127\.0\.0\.1:(\d+)/", proc.stdout.readline())[1])  # type: ignore[index]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err


def get(port: str | int, path: str = "/api/status", timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", int(port)), timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                  .encode())
        return b"".join(iter(lambda: s.recv(65536), b""))


def test_an_idle_kept_alive_client_is_dropped(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), 30) as s:
        s.sendall(b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert s.recv(65536).startswith(b"HTTP/1.1 200")
        start = time.monotonic()
        while s.recv(65536):
            pass
        assert time.monotonic() - start < IDLE_SECONDS + 5


def test_half_sent_requests_beyond_the_limit_get_a_clear_503(served: int) -> None:
    held = []
    try:
        for _ in range(MAX_CONNECTIONS + 10):
            s = socket.create_connection(("127.0.0.1", served), 10)
            s.sendall(b"GET /api/status HTTP/1.1\r\nHost: 127.0")     # and then nothing
            held.append(s)
        start = time.monotonic()
        answer = get(served)
        assert answer.startswith(b"HTTP/1.1 503") and time.monotonic() - start < 5
    finally:
        for s in held:
            s.close()
    deadline = time.monotonic() + 10
    while not get(served).startswith(b"HTTP/1.1 200"):
        assert time.monotonic() < deadline, "the server did not recover"
        time.sleep(0.1)

