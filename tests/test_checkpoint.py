"""Nothing lost: atomic checkpoints, Ctrl-C saves, and --resume continues bit for bit."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nudges import Network
from nudges.cli import main, train_run
from nudges.core.errors import ModelFileError
from nudges.core.optimizers import OPTIMIZERS
from nudges.data.mnist import data_fingerprint
from nudges.files.checkpoints import (
    Checkpoint,
    check_resumable,
    load_checkpoint,
    save_checkpoint,
)
from nudges.files.models import load, load_saved, save
from nudges.training.settings import History, Settings, State
from nudges.training.sgd import train_epochs

from .tiny_data import TINY, write_tiny_mnist

FULL = [*TINY, "--momentum", "0.5", "--lmbda", "0.5", "--schedule", "cosine", "--shift", "1",
        "--seed", "5", "--epochs", "3", "--quiet"]   # every part of State in play
N_BATCHES = 20                                       # 200 examples, batches of 10


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_mnist(tmp_path_factory.mktemp("data") / "tiny")


@pytest.fixture(scope="module")
def uninterrupted(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("whole") / "whole.npz"
    assert main(["train", "--data", str(tiny), *FULL, "--save", str(path)]) == 0
    return path


def assert_same_run(a: Path, b: Path) -> None:
    """The two files hold the same parameters, momentum and random state, bit for bit."""
    one, two = load_saved(a), load_saved(b)
    for p, q in zip(one.network.weights + one.network.biases,
                    two.network.weights + two.network.biases, strict=True):
        np.testing.assert_array_equal(p, q)
    assert one.arrays.keys() == two.arrays.keys()
    for name in one.arrays:
        np.testing.assert_array_equal(one.arrays[name], two.arrays[name])
    assert one.metadata["checkpoint"] == two.metadata["checkpoint"]
    costs = [[(e["training_cost"], e["correct"]) for e in saved.metadata["history"]]
             for saved in (one, two)]
    assert costs[0] == costs[1]


class CtrlCAt:
    """Stands in for the progress bar: its update() after mini-batch n presses Ctrl-C."""

    def __init__(self, *steps: int, presses: int = 1) -> None:
        self.steps, self.presses, self.count = set(steps), presses, 0

    def __call__(self, total: int, description: str, enabled: bool) -> CtrlCAt:
        return self

    def reset(self, total: int) -> None:
        pass

    def update(self, n: int) -> None:
        self.count += n
        if self.count in self.steps:
            for _ in range(self.presses):
                signal.raise_signal(signal.SIGINT)

    def close(self) -> None:
        pass


# --- the library: State in and out of a file ------------------------------------------------

class Stop(Exception):
    pass


def test_a_checkpoint_round_trips_the_whole_state(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.random((50, 9)), rng.integers(0, 3, 50)
    net = Network([9, 5, 3], activation="relu", output="softmax", cost="cross-entropy", seed=2)
    settings = Settings(epochs=3, batch_size=7, eta=0.3, momentum=0.8, seed=4, shift=1)
    state = State.start(net, settings.seed)

    def stop_at_11(step: int, n_batches: int) -> None:
        if state.epoch == 1 and step == 4:
            raise Stop

    with pytest.raises(Stop):
        list(train_epochs(net, x, y, settings, state=state, on_batch=stop_at_11))
    history = History(settings)
    fingerprint = data_fingerprint(x.astype(np.float32), y, "blobs")
    save_checkpoint(tmp_path / "c.npz", Checkpoint(net, settings, state, history, fingerprint))
    back = load_checkpoint(tmp_path / "c.npz")
    check_resumable(back, fingerprint)
    assert (back.settings, back.state.epoch, back.state.step) == (settings, 1, 4)
    assert back.state.rng.bit_generator.state == state.rng.bit_generator.state
    np.testing.assert_array_equal(back.state.order, state.order)
    assert back.state.slots.keys() == state.slots.keys() == {"velocity"}
    for ours, theirs in ((state.slots["velocity"], back.state.slots["velocity"]),):
        for v, w in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(v, w)
    list(train_epochs(net, x, y, settings, state=state))
    list(train_epochs(back.network, x, y, settings, state=back.state))
    for p, q in zip(net.weights + net.biases, back.network.weights + back.network.biases,
                    strict=True):
        np.testing.assert_array_equal(p, q)


def test_a_checkpoint_is_a_model_file_for_any_reader(uninterrupted: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    saved = load_saved(uninterrupted)
    assert saved.metadata["version"] == 1 and saved.metadata["data"] == "tiny"
    assert {"velocity_w0", "velocity_b1"} <= saved.arrays.keys()
    assert load(uninterrupted).sizes == [16, 8, 10]
    history = json.loads(Path(f"{uninterrupted}.history.json").read_text())
    assert len(history["epochs"]) == 3


# --- resuming through the command line ------------------------------------------------------

@pytest.mark.parametrize("stop_after", [N_BATCHES, N_BATCHES + 7, 2 * N_BATCHES + 19])
def test_ctrl_c_then_resume_gives_the_same_weights(
        stop_after: int, tiny: Path, uninterrupted: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "run.npz"
    monkeypatch.setattr(train_run, "progress", CtrlCAt(stop_after))
    assert main(["train", "--data", str(tiny), *FULL, "--save", str(path)]) == 130
    err = capsys.readouterr().err.splitlines()
    epoch, step = divmod(stop_after, N_BATCHES)
    where = (f"after mini-batch {step} of {N_BATCHES} in epoch {epoch + 1}" if step
             else f"after epoch {epoch}")
    assert err[-2:] == [f"nudges: interrupted {where} of 3",
                        f"resume with: nudges train --resume {path}"]
    state = load_checkpoint(path).state
    assert (state.epoch, state.step) == (epoch, step)
    monkeypatch.setattr(train_run, "progress", CtrlCAt())
    assert main(["train", "--resume", str(path), "--quiet"]) == 0
    assert_same_run(path, uninterrupted)


def test_resume_after_epoch_k_with_more_epochs(tiny: Path, tmp_path: Path) -> None:
    flags = ["train", "--data", str(tiny), *TINY, "--momentum", "0.9", "--seed", "3", "--quiet"]
    assert main([*flags, "--epochs", "4", "--save", str(tmp_path / "whole.npz")]) == 0
    assert main([*flags, "--epochs", "1", "--save", str(tmp_path / "part.npz")]) == 0
    assert main(["train", "--resume", str(tmp_path / "part.npz"), "--epochs", "2",
                 "--save", str(tmp_path / "more.npz")]) == 0
    assert load_checkpoint(tmp_path / "part.npz").state.epoch == 1            # left alone
    assert main(["train", "--resume", str(tmp_path / "more.npz"), "--epochs", "4"]) == 0
    for p, q in zip(load(tmp_path / "more.npz").weights, load(tmp_path / "whole.npz").weights,
                    strict=True):
        np.testing.assert_array_equal(p, q)


def test_ctrl_c_without_save_writes_a_file_here(
        tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(train_run, "progress", CtrlCAt(3))
    assert main(["train", "--data", str(tiny), *TINY, "--epochs", "2"]) == 130
    assert "resume with: nudges train --resume nudges-interrupted.npz" in capsys.readouterr().err
    assert load_checkpoint(tmp_path / "nudges-interrupted.npz").state.step == 3


def test_a_second_ctrl_c_stops_at_once_and_keeps_the_old_file(
        tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "run.npz"
    flags = ["train", "--data", str(tiny), *TINY, "--save", str(path), "--quiet"]
    assert main([*flags, "--epochs", "1"]) == 0
    before = path.read_bytes()
    monkeypatch.setattr(train_run, "progress", CtrlCAt(5, presses=2))
    assert main([*flags, "--epochs", "2"]) == 130
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"nudges: interrupted again: stopped without saving; {path} keeps its last checkpoint")
    assert path.read_bytes() == before
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_checkpoint_every_n_epochs(tiny: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "run.npz"
    assert main(["train", "--data", str(tiny), *TINY, "--epochs", "5", "--save", str(path),
                 "--checkpoint-every", "2"]) == 0
    saved = [line.split(" to ")[0] for line in capsys.readouterr().err.splitlines()]
    assert saved == ["Saved checkpoint 2/5", "Saved checkpoint 4/5", "Saved the network"]


def resume_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["train", "--resume", *argv]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("nudges: error: ")
    return err[0]


def test_resume_refuses_flags_that_disagree(uninterrupted: Path, tiny: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    f = str(uninterrupted)
    line = resume_error(capsys, f, "--epochs", "4", "--eta", "1", "--layers", "16,9,10")
    assert "--eta 1.0 (saved: 3.0)" in line and "--layers [16, 9, 10] (saved: [16, 8, 10])" in line
    assert "drop them (only --epochs may change)" in line
    assert "--preset book" in resume_error(capsys, f, "--epochs", "4", "--preset", "book")
    assert "--activation relu (saved: sigmoid)" in resume_error(
        capsys, f, "--epochs", "4", "--activation", "relu")
    assert "already trained 3 of 3 epochs; pass --epochs N with N > 3" in resume_error(capsys, f)
    assert "already trained 3 of 2" in resume_error(capsys, f, "--epochs", "2")


def test_resume_accepts_flags_that_agree_and_moved_data(
        uninterrupted: Path, tiny: Path, tmp_path: Path) -> None:
    moved = shutil.copytree(tiny, tmp_path / "moved")
    assert main(["train", "--resume", str(uninterrupted), "--epochs", "4", "--eta", "3",
                 "--batch-size", "10", "--data", str(moved), "--quiet",
                 "--save", str(tmp_path / "more.npz")]) == 0
    assert load_checkpoint(tmp_path / "more.npz").state.epoch == 4


def test_resume_refuses_other_data(uninterrupted: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    other = write_tiny_mnist(tmp_path / "other")
    labels = bytearray((other / "train-labels-idx1-ubyte").read_bytes())
    labels[8] = (labels[8] + 1) % 10                              # the first training label
    (other / "train-labels-idx1-ubyte").write_bytes(bytes(labels))
    line = resume_error(capsys, str(uninterrupted), "--epochs", "4", "--data", str(other))
    assert "this run trained on tiny (200 training examples" in line
    assert "pass --data with the folder it trained on" in line


def test_resume_needs_a_training_state(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       ) -> None:
    save(Network([16, 8, 10], seed=0), tmp_path / "plain.npz")
    assert "holds a network but no training state to resume" in resume_error(
        capsys, str(tmp_path / "plain.npz"))


def rewrite(path: Path, to: Path, checkpoint: dict | None = None, **arrays: object) -> Path:
    """A copy of a checkpoint file with parts of its state replaced."""
    with np.load(path) as npz:
        content = {k: npz[k] for k in npz.files}
    meta = json.loads(content["metadata"].tobytes())
    meta["checkpoint"] |= checkpoint or {}
    content["metadata"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    for name, value in arrays.items():
        if value is None:
            content.pop(f"extra_{name}")
        else:
            content[f"extra_{name}"] = value  # type: ignore[assignment]
    np.savez(to, **content)
    return to


@pytest.mark.parametrize(("checkpoint", "arrays", "message"), [
    ({"rng": {"bit_generator": "os.system"}}, {}, "names bit generator 'os.system'"),
    ({"rng": {"bit_generator": "PCG64", "state": "?"}}, {}, "random state is corrupt"),
    ({"epoch": -1}, {}, "are not counts"),
    ({"step": "3"}, {}, "are not counts"),
    ({"step": 500}, {"order": np.arange(200)}, "mini-batch 500 does not fit 20"),
    ({"step": 3}, {}, "mini-batch 3 does not fit"),
    ({"step": 3}, {"order": np.zeros(200, int)}, "not a permutation of 200"),
    ({"step": 3}, {"order": np.arange(10)}, "not a permutation of 200"),
    ({"step": 3}, {"order": np.arange(200.0)}, "expected a 1-D integer permutation"),
    ({}, {"velocity_w0": np.zeros((3, 3), np.float32)}, "velocity_w0 must be finite"),
    ({}, {"velocity_b1": None}, "velocity_b1 must be finite .* got nothing"),
    ({}, {"velocity_w1": np.full((10, 8), np.inf, np.float32)}, "velocity_w1 must be finite"),
    ({"data": None}, {}, "does not say which data"),
])
def test_resume_refuses_a_corrupt_state(checkpoint: dict, arrays: dict, message: str,
                                        uninterrupted: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    bad = rewrite(uninterrupted, tmp_path / "bad.npz", checkpoint, **arrays)
    assert re.search(message, resume_error(capsys, str(bad), "--epochs", "5"))
    assert load(bad).sizes == [16, 8, 10]                    # still a network for evaluate
    with pytest.raises(ModelFileError):
        c = load_checkpoint(bad)
        check_resumable(c, c.data)


def test_bad_settings_in_a_checkpoint(uninterrupted: Path, tmp_path: Path) -> None:
    with np.load(uninterrupted) as npz:
        content = {k: npz[k] for k in npz.files}
    meta = json.loads(content["metadata"].tobytes())
    for training in ({"epochs": "3"}, {"eta": None}, {"warp": 9}, {"epochs": True}):
        meta2 = meta | {"training": meta["training"] | training}
        content["metadata"] = np.frombuffer(json.dumps(meta2).encode(), np.uint8)
        np.savez(tmp_path / "bad.npz", **content)
        with pytest.raises(ModelFileError, match="training setting|unknown to this nudges"):
            load_checkpoint(tmp_path / "bad.npz")
    meta2 = meta | {"history": [{"epoch": 1}]}
    content["metadata"] = np.frombuffer(json.dumps(meta2).encode(), np.uint8)
    np.savez(tmp_path / "bad.npz", **content)
    with pytest.raises(ModelFileError, match="history"):
        load_checkpoint(tmp_path / "bad.npz")


# --- real signals, in a subprocess ----------------------------------------------------------

def nudges(*argv: str) -> subprocess.Popen:
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "nudges", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def test_sigint_saves_and_says_how_to_resume(tiny: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "run.npz"
    flags = [*TINY, "--momentum", "0.5", "--seed", "2"]
    process = nudges("train", "--data", str(tiny), *flags, "--epochs", "100000",
                     "--save", str(path))
    assert process.stdout is not None
    while not process.stdout.readline().startswith("Epoch 2/"):
        assert process.poll() is None
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    lines = err.splitlines()
    assert lines[-2].startswith("nudges: interrupted after ") and lines[-2].endswith("of 100000")
    assert lines[-1] == f"resume with: nudges train --resume {path}"
    state = load_checkpoint(path).state
    more = str(state.epoch + 2)
    assert main(["train", "--resume", str(path), "--epochs", more, "--quiet"]) == 0
    whole = tmp_path / "whole.npz"
    assert main(["train", "--data", str(tiny), *flags, "--epochs", more, "--quiet",
                 "--save", str(whole)]) == 0
    for p, q in zip(load(path).weights, load(whole).weights, strict=True):
        np.testing.assert_array_equal(p, q)


def test_sigkill_at_any_moment_leaves_a_whole_file(tiny: Path, tmp_path: Path) -> None:
    """Kill training 20 times at random moments (many of them mid-save); resume each time."""
    path, rng = tmp_path / "run.npz", np.random.default_rng(2024)
    flags = ["--layers", "16,8,10", "--batch-size", "100", "--seed", "1"]
    epochs_seen = [0]
    for _ in range(20):
        argv = (["train", "--resume", str(path)] if path.exists() else
                ["train", "--data", str(tiny), *flags, "--epochs", "1000000",
                 "--save", str(path)])
        process = subprocess.Popen([sys.executable, "-m", "nudges", *argv, "--quiet",
                                    "--checkpoint-every", "1"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.2))
        process.kill()
        process.wait()
        if path.exists():
            checkpoint = load_checkpoint(path)               # whole, or this raises
            assert checkpoint.state.step == 0 and checkpoint.state.epoch >= epochs_seen[-1]
            epochs_seen.append(checkpoint.state.epoch)
        history = Path(f"{path}.history.json")
        if history.exists():
            json.loads(history.read_text())                  # also whole
    assert epochs_seen[-1] > 20
    whole = tmp_path / "whole.npz"
    assert main(["train", "--data", str(tiny), *flags, "--epochs", str(epochs_seen[-1]),
                 "--quiet", "--save", str(whole)]) == 0
    for p, q in zip(load(path).weights, load(whole).weights, strict=True):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_resume_is_bit_exact_for_every_optimizer(tmp_path, optimizer):
    """Stopped mid-epoch, saved, loaded and finished: the same weights as one unbroken run."""
    rng = np.random.default_rng(1)
    x, y = rng.random((50, 9)), rng.integers(0, 3, 50)
    settings = Settings(epochs=2, batch_size=7, eta=0.05, seed=4, optimizer=optimizer,
                        momentum=0.8 if "momentum" in OPTIMIZERS[optimizer].uses else 0.0,
                        lmbda=0.1)
    def net() -> Network:
        return Network([9, 5, 3], activation="tanh", output="softmax", cost="cross-entropy",
                       seed=2)
    whole = net()
    list(train_epochs(whole, x, y, settings))
    broken, state = net(), State.start(net(), settings.seed, settings.optimizer_name)

    def stop(step: int, n_batches: int) -> None:
        if state.epoch == 1 and step == 3:
            raise Stop
    with pytest.raises(Stop):
        list(train_epochs(broken, x, y, settings, state=state, on_batch=stop))
    fingerprint = data_fingerprint(x.astype(np.float32), y, "blobs")
    save_checkpoint(tmp_path / "c.npz", Checkpoint(broken, settings, state, History(settings),
                                                   fingerprint))
    back = load_checkpoint(tmp_path / "c.npz")
    assert back.state.t == state.t == settings.batches(50) + 3
    list(train_epochs(back.network, x, y, back.settings, state=back.state))
    for ours, theirs in zip(back.network.weights + back.network.biases,
                            whole.weights + whole.biases, strict=True):
        np.testing.assert_array_equal(ours, theirs)
