"""nudges.sweep and `nudges sweep`: specs, trials, and real Dask clusters on 127.0.0.1.

Clusters: a LocalCluster of 2 worker processes, and a `dask scheduler` + `dask worker
--nworkers 2` started as separate processes, as a user would. Each sweep is checked against the
same trials run serially in this process; a worker is killed mid-trial, and a client is killed
(SIGKILL) and interrupted (SIGINT) mid-sweep, then resumed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("distributed")

import nudges  # noqa: E402
from nudges.cli import main  # noqa: E402
from nudges.core import activations, costs, optimizers  # noqa: E402
from nudges.core.network import INITS  # noqa: E402
from nudges.data.mnist import load_digits  # noqa: E402
from nudges.sweeps.run import TrialFailed, on_dask, run_trial, serially, sweep  # noqa: E402
from nudges.sweeps.spec import CHOICES, KINDS, SETTABLE, Spec  # noqa: E402
from nudges.training.sgd import Settings  # noqa: E402

from .tiny_data import write_tiny_mnist  # noqa: E402

NET = {"hidden": 8, "activation": "relu", "output": "softmax", "cost": "cross-entropy"}
SPEC = Spec({"eta": [0.5, 3.0], "seed": [0, 1]}, NET | {"epochs": 2})
SLOW = Spec({"eta": [0.1, 0.5, 1.0, 3.0], "seed": [0, 1]}, NET | {"epochs": 60})  # ~0.6 s each
SLOW_FLAGS = ["--hidden", "8", "--activation", "relu", "--output", "softmax", "--cost",
              "cross-entropy", "--epochs", "60", "--eta", "0.1,0.5,1,3", "--seed", "0,1"]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return write_tiny_mnist(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def data(tiny_dir):
    return load_digits(tiny_dir)


def comparable(rows):
    """The rows without their timings, which differ from run to run."""
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


def serial_rows(spec, data):
    return comparable(list(serially(spec.expand(), data)))


@pytest.fixture(scope="module")
def serial(data):
    return serial_rows(SPEC, data)


# -- the spec ------------------------------------------------------------------------------
def test_settable_names_come_from_settings_network_and_registries():
    assert {f.name for f in dataclasses.fields(Settings)} | {
        "hidden", "activation", "output", "cost", "init", "dtype"} == set(SETTABLE)
    assert list(CHOICES["optimizer"]()) == list(optimizers.OPTIMIZERS)
    assert list(CHOICES["cost"]()) == list(costs.COSTS)
    assert CHOICES["activation"]() == activations.hidden_names()
    assert list(CHOICES["init"]()) == list(INITS)
    assert KINDS["eta"] == (float, False) and KINDS["optimizer"] == (str, True)


def test_grid_and_random_search():
    grid = Spec({"eta": [0.1, 1], "lmbda": [0, 1, 5], "hidden": ["30", [100, 30]]}).expand()
    assert len(grid) == 12
    assert grid[-1].swept == {"eta": 1.0, "lmbda": 5.0, "hidden": (100, 30)}
    assert [t.index for t in grid] == list(range(12))
    random = Spec({"eta": [0.1, 1, 10], "seed": [0, 1, 2]}, search="random", trials=5, seed=3)
    assert [t.options for t in random.expand()] == [t.options for t in random.expand()]
    other = dataclasses.replace(random, seed=4).expand()
    assert [t.options for t in other] != [t.options for t in random.expand()]


@pytest.mark.parametrize("toml, flags, message", [
    ("[grid]\nspeed = [1, 2]\n", [], "unknown setting 'speed'"),
    ("[grid]\neta = []\n", [], "the grid for eta is empty"),
    ('[grid]\neta = ["fast"]\n', [], "eta takes float values, got 'fast'"),
    ("", ["--epochs", "2.5"], "--epochs takes comma-separated int values"),
    ("", ["--cost", "no-such-cost"], "unknown cost 'no-such-cost'"),
    ("", ["--eta", "1,2,3", "--seed", "0,1", "--max-trials", "5"], "6 trials, more than"),
    ("", ["--search", "random"], "a random search needs trials"),
    ("search = 'grid'\ncolour = 'red'\n", [], "expected keys search"),
    ("", ["--hidden", "30,100000000"], "trial 1 (hidden=100000000): layers"),
    ("", ["--hidden", "300", "--max-parameters", "1000"], "over the limit of 1,000"),
])
def test_bad_specs_give_one_line_and_exit_1(tmp_path, capsys, tiny_dir, toml, flags, message):
    spec = tmp_path / "spec.toml"
    spec.write_text(toml)
    out = tmp_path / "out"
    status = main(["sweep", "--spec", str(spec), "--data", str(tiny_dir), "--out", str(out),
                   "--workers", "0", *flags])
    err = capsys.readouterr().err
    assert status == 1 and message in err
    assert err.startswith("nudges: error:") and err.count("\n") == 1
    assert not out.exists()


def test_yes_lifts_the_maximum(tmp_path, capsys, tiny_dir):
    args = ["sweep", "--data", str(tiny_dir), "--out", str(tmp_path / "out"), "--workers", "0",
            "--hidden", "4", "--epochs", "1", "--eta", "1,2,3", "--max-trials", "2"]
    assert main(args) == 1
    assert main([*args, "--yes"]) == 0
    assert len((tmp_path / "out" / "results.jsonl").read_text().splitlines()) == 3


def test_a_diverging_trial_is_recorded_and_the_sweep_goes_on(tmp_path, data):
    rows = nudges.sweep({"eta": [0.5, 1e20]}, data, fixed=NET | {"epochs": 2}, workers=0,
                 results=tmp_path / "r.jsonl")
    assert [r["status"] for r in rows] == ["ok", "diverged at epoch 1"]
    assert rows[0]["validation_accuracy"] > 0 and rows[1]["validation_accuracy"] is None


def test_one_trial_is_reproducible(data):
    trial = SPEC.expand()[1]
    assert comparable([run_trial(trial, data)]) == comparable([run_trial(trial, data)])


# -- a LocalCluster of 2 processes ---------------------------------------------------------
@pytest.fixture
def port_8787_taken():
    """Dask's default dashboard port held, as by another cluster or a notebook's: a sweep that
    asked for no dashboard must not need it (Dask would warn, and warnings are errors here)."""
    with socket.socket() as held:
        with contextlib.suppress(OSError):                          # taken already: as well
            held.bind(("", 8787))
            held.listen()
        yield



@pytest.fixture(scope="module")
def local_client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        yield client


def test_local_cluster_gives_the_serial_table(tmp_path, data, serial, port_8787_taken):
    rows = sweep(SPEC, data, workers=2, results=tmp_path / "r.jsonl")
    assert comparable(rows) == serial
    written = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert sorted(r["trial"] for r in written) == [0, 1, 2, 3]


def test_a_worker_killed_mid_trial_is_retried(tmp_path, data, local_client):
    killed = kill_a_busy_worker_soon(local_client)
    rows = sweep(SLOW, data, client=local_client, results=tmp_path / "r.jsonl")
    killed.join()
    assert killed.pid is not None, "no worker was busy to kill"
    assert comparable(rows) == serial_rows(SLOW, data)


def test_a_failing_task_ends_the_sweep_in_one_line(tmp_path, data, local_client):
    broken = dataclasses.replace(SPEC.expand()[0], options={"hidden": "no"})
    with pytest.raises(TrialFailed, match=r"trial 0 \(eta=0.5 seed=0\) failed: .*--resume"):
        list(on_dask(local_client, [broken], data))


class kill_a_busy_worker_soon(threading.Thread):  # noqa: N801 (reads as what it does)
    """Kill (SIGKILL) the process of a worker that is running a trial, once one is."""

    def __init__(self, client):
        super().__init__(daemon=True)
        self.client, self.pid = client, None
        self.start()

    def run(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.pid is None:
            busy = [w for w, keys in self.client.processing().items()
                    if any("run_trial" in str(k) for k in keys)]
            if busy:
                time.sleep(0.3)                         # well into the trial
                self.pid = self.client.run(os.getpid, workers=busy[:1])[busy[0]]
                os.kill(self.pid, signal.SIGKILL)
            time.sleep(0.05)


# -- `dask scheduler` + `dask worker` as separate processes --------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler():
    """The address of a scheduler with 2 single-threaded workers, each its own process."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{free_port()}"
    processes = [
        subprocess.Popen(["dask", "scheduler", "--host", "127.0.0.1", "--port",
                          address.rsplit(":", 1)[1], "--no-dashboard"], stderr=subprocess.DEVNULL),
        subprocess.Popen(["dask", "worker", address, "--nworkers", "2", "--nthreads", "1",
                          "--host", "127.0.0.1", "--no-dashboard"], stderr=subprocess.DEVNULL)]
    try:
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=30)


def test_separate_scheduler_and_workers_give_the_serial_table(tmp_path, data, serial,
                                                               scheduler):
    rows = sweep(SPEC, data, scheduler=scheduler, results=tmp_path / "r.jsonl")
    assert comparable(rows) == serial


def nudges_sweep(*args):
    return subprocess.Popen([sys.executable, "-m", "nudges", "sweep", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def lines_when(path, at_least, process):
    """Wait until `path` holds at_least lines (or the process ends); their count."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= at_least or process.poll() is not None:
            return len(lines)
        time.sleep(0.02)
    raise AssertionError(f"{path} did not reach {at_least} lines in 60 s")


def test_killed_then_interrupted_client_resumes(tmp_path, tiny_dir, data, scheduler):
    out = tmp_path / "out"
    args = ["--data", str(tiny_dir), "--scheduler", scheduler, "--out", str(out), *SLOW_FLAGS]
    results = out / "results.jsonl"
    crashed = nudges_sweep(*args)
    first = lines_when(results, 1, crashed)
    crashed.send_signal(signal.SIGKILL)                       # a crash: nothing cleans up
    crashed.communicate()
    kept = results.read_text().splitlines()
    assert 1 <= len(kept) < 8
    stopped = nudges_sweep(*args, "--resume")
    lines_when(results, len(kept) + 1, stopped)
    stopped.send_signal(signal.SIGINT)                        # Ctrl-C
    _, err = stopped.communicate(timeout=60)
    assert stopped.returncode == 130, err
    assert "trials finished and are kept in" in err and "--resume" in err
    finished = subprocess.run([sys.executable, "-m", "nudges", "sweep", *args, "--resume"],
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    lines = results.read_text().splitlines()
    assert lines[:len(kept)] == kept and len(lines) == 8 and first >= 1
    table = sorted((json.loads(line) for line in lines), key=lambda r: r["trial"])
    assert comparable(table) == serial_rows(SLOW, data)
    assert (out / "results.csv").read_text().count("\n") == 9
