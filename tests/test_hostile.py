"""Regression catalogue of issue 10 ("what an attacker and a careless user still break"), in
process: saving (§1), crafted files (§3), ordinary mistakes (§4) and a new user's first
commands (§6). Each case is one bad input or condition that must end in one line, exit 1,
with nothing of ours or the user's destroyed. Signals, memory limits, real processes and the
web server: test_hostile_processes.py and test_web_hostile.py."""

from __future__ import annotations

import http.server
import json
import os
import socket
import stat
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nudges.data.mnist
from nudges import Network
from nudges.cli import main
from nudges.core.errors import InvalidInput, ModelFileError
from nudges.files.atomic import check_target, new_file_mode, write_atomically
from nudges.files.checkpoints import load_checkpoint
from nudges.files.metadata import MAX_DEPTH, MAX_JSON_BYTES, parse_json, read_history
from nudges.files.models import load, save

from .hostile import checkpoint, members, metadata_of, npy, rewrite, tiny_dir, with_metadata
from .tiny_data import TINY

__all__ = ["checkpoint", "tiny_dir"]   # fixtures


def error_line(capsys: pytest.CaptureFixture[str], rc: int) -> str:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert rc == 1 and len(lines) == 1 and lines[0].startswith("nudges: error: "), (rc, err)
    return lines[0]


def train_args(tiny: Path, *more: str) -> list[str]:
    return ["train", "--data", str(tiny), *TINY, "--epochs", "1", "--quiet", *more]


# --- §1 saving never destroys what is not ours, nor loses the result ------------------------

def fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "fifo")
    return tmp_path / "fifo"


def unix_socket(tmp_path: Path) -> Path:
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()
    return path


def folder(tmp_path: Path) -> Path:
    (tmp_path / "folder.npz").mkdir()
    return tmp_path / "folder.npz"


def link_to_dev_null(tmp_path: Path) -> Path:
    (tmp_path / "m.npz").symlink_to("/dev/null")
    return tmp_path / "m.npz"


def long_name(tmp_path: Path) -> Path:
    return tmp_path / ("n" * 250 + ".npz")   # fits NAME_MAX, but not with .NAME.XXXX.tmp


NOT_OURS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "/dev/null": (lambda tmp_path: Path("/dev/null"), "it is a device"),
    "a link to /dev/null": (link_to_dev_null, "it is a device"),
    "a FIFO": (fifo, "it is a FIFO"),
    "a socket": (unix_socket, "it is a socket"),
    "a folder": (folder, "it is a folder"),
    "no such folder": (lambda tmp_path: tmp_path / "nowhere" / "m.npz", "does not exist"),
    "a 250-byte name": (long_name, "name is too long"),
    "a read-only file system": (lambda tmp_path: Path("/proc/m.npz"), "cannot save"),
    "a file as folder": (lambda tmp_path: Path("/etc/hostname/m.npz"), "does not exist"),
}


@pytest.mark.parametrize("case", NOT_OURS)
def test_save_targets_are_refused_before_training(case: str, tmp_path: Path, tiny_dir: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    make, message = NOT_OURS[case]
    target = make(tmp_path)
    before = os.stat(target, follow_symlinks=False) if os.path.lexists(target) else None
    line = error_line(capsys, main(train_args(tiny_dir, "--save", str(target))))
    assert message in line and "Epoch" not in capsys.readouterr().out
    if before is not None:                       # the device, FIFO, ... is still itself
        after = os.stat(target, follow_symlinks=False)
        assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
    with pytest.raises(InvalidInput, match=message):
        save(Network([4, 3]), target)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)   # never replaced, whatever the case


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real" / "model.npz"
    real.parent.mkdir()
    link = tmp_path / "link.npz"
    link.symlink_to(real)                        # dangling: the file does not exist yet
    save(Network([4, 3], seed=1), link)
    assert link.is_symlink() and real.is_file()
    np.testing.assert_array_equal(load(link).weights[0], Network([4, 3], seed=1).weights[0])
    assert not list(tmp_path.glob(".*.tmp")) and not list(real.parent.glob(".*.tmp"))


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o664])
def test_an_existing_file_keeps_its_mode(mode: int, tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    save(Network([4, 3]), path)
    path.chmod(mode)
    save(Network([4, 3], seed=2), path)
    assert stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_new_files_get_the_umask_mode(umask: int, tmp_path: Path, tiny_dir: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    old = os.umask(umask)
    try:
        assert new_file_mode() == 0o666 & ~umask
        assert main(train_args(tiny_dir, "--save", str(tmp_path / "m.npz"))) == 0
    finally:
        os.umask(old)
    for path in (tmp_path / "m.npz", tmp_path / "m.npz.history.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    save(Network([4, 3], seed=3), path)
    before = path.read_bytes()

    def fail(f: Any) -> None:
        f.write(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, fail)
    assert path.read_bytes() == before and not list(tmp_path.glob(".*.tmp"))


def test_check_target_follows_links_and_tries_a_real_file(tmp_path: Path) -> None:
    (tmp_path / "a.npz").symlink_to(tmp_path / "b.npz")
    assert check_target(tmp_path / "a.npz") == tmp_path / "b.npz"
    assert list(tmp_path.iterdir()) == [tmp_path / "a.npz"]     # the probe is gone


# --- §3 crafted files: one line, never a traceback ------------------------------------------

def deep(depth: int) -> bytes:
    return ('{"format": "nudges-model", "version": 1, "x": ' + "[" * depth + "]" * depth
            + "}").encode()


def edit(change: Callable[[dict[str, Any]], None]) -> Callable[[Path, Path], Path]:
    return lambda path, out: with_metadata(path, out, change)


def rng_key(name: str, key: list[int]) -> Callable[[dict[str, Any]], None]:
    def change(meta: dict[str, Any]) -> None:
        state = np.random.Generator(getattr(np.random, name)(0)).bit_generator.state
        state["state"]["key"] = key
        meta["checkpoint"]["rng"] = json.loads(json.dumps(state, default=lambda a: a.tolist()))
    return change


def set_in(*keys: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(meta: dict[str, Any]) -> None:
        target = meta
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


CRAFTED: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "metadata nested 200,000 deep": (lambda p, o: rewrite(p, o, deep(200_000)),
                                     "nested too deeply"),
    "metadata nested 100 deep": (lambda p, o: rewrite(p, o, deep(100)), "nested too deeply"),
    "a 5,000-digit integer": (lambda p, o: rewrite(p, o, metadata_text(p).replace(
        b'"epoch": 1,', b'"epoch": ' + b"9" * 5000 + b",", 1)), "not valid JSON"),
    "metadata over 16 MiB": (lambda p, o: rewrite(p, o, metadata_text(p)[:-1] + b', "x": "'
                                                  + b"x" * MAX_JSON_BYTES + b'"}'),
                             "more than nudges reads"),
    "data path a number": (edit(set_in("checkpoint", "data", "path", value=5)), "path = 5"),
    "data path a list": (edit(set_in("checkpoint", "data", "path", value=[1])), "path = list"),
    "data path a dict": (edit(set_in("checkpoint", "data", "path", value={})), "path = dict"),
    "data name a number": (edit(set_in("checkpoint", "data", "name", value=1)), "name = 1"),
    "n_train huge": (edit(set_in("checkpoint", "data", "n_train", value=10**15)), "n_train"),
    "crc32 negative": (edit(set_in("checkpoint", "data", "crc32", value=-1)), "crc32"),
    "MT19937 with a short key": (edit(rng_key("MT19937", [1, 2, 3])), "random state"),
    "Philox with a short key": (edit(rng_key("Philox", [1])), "random state"),
    "PCG64 state a string": (edit(set_in("checkpoint", "rng", "state", value="x")),
                             "random state"),
    "batch_size 0": (edit(set_in("training", "batch_size", value=0)), "batch size"),
    "batch_size true": (edit(set_in("training", "batch_size", value=True)), "batch_size"),
    "eta NaN-like string": (edit(set_in("training", "eta", value="NaN")), "eta"),
    "eta negative": (edit(set_in("training", "eta", value=-1.0)), "eta"),
    "epochs huge float": (edit(set_in("training", "epochs", value=1e300)), "epochs"),
    "unknown setting": (edit(set_in("training", "speed", value=1)), "speed"),
    "history not a list": (edit(set_in("history", value={"a": 1})), "history"),
    "history entry a string": (edit(set_in("history", value=["x"])), "history entry 0"),
    "history cost a string": (edit(lambda m: m["history"][0].update(training_cost="low")),
                              "training_cost"),
    "history correct > total": (edit(lambda m: m["history"][0].update(correct=10**6)),
                                "do not add up"),
    "network seed negative": (edit(set_in("network", "seed", value=-1)), "seed"),
    "network activation a list": (edit(set_in("network", "activation", value=["relu"])),
                                  "activation"),
    "sizes 16-4000000-10": (edit(set_in("network", "sizes", value=[16, 4_000_000, 10])),
                            "over the limit"),
    "1,001 layers": (edit(set_in("network", "sizes", value=[16] * 1002)), "at most 100"),
    "format version a bool": (edit(set_in("version", value=True)), "format version"),
    "extra member too big": (lambda p, o: rewrite(p, o, extra_junk=npy(
        np.zeros(2_000_000, np.uint8))), "extra arrays declare more"),
    "w0 of another shape": (lambda p, o: rewrite(p, o, w0=npy(np.zeros((9, 9), np.float32))),
                            "the file declares \\(9, 9\\)"),
    "a w member beyond the sizes": (lambda p, o: rewrite(p, o, w7=npy(np.zeros(3, np.float32))),
                                    "more layers than its sizes"),
}


def metadata_text(path: Path) -> bytes:
    return json.dumps(metadata_of(path)).encode()


@pytest.mark.parametrize("case", CRAFTED)
def test_crafted_checkpoints_fail_in_one_line(case: str, checkpoint: Path, tmp_path: Path,
                                              tiny_dir: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    build, message = CRAFTED[case]
    path = build(checkpoint, tmp_path / "crafted.npz")
    with pytest.raises(ModelFileError, match=message):
        load_checkpoint(path)
    line = error_line(capsys, main(["train", "--resume", str(path), "--data", str(tiny_dir)]))
    assert str(path) in line


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1, 10_000, 300_000])
def test_json_depth_is_bounded(depth: int) -> None:
    text = "[" * depth + "]" * depth
    if depth <= MAX_DEPTH:
        assert parse_json(text, "x") == json.loads(text)
    else:
        with pytest.raises(InvalidInput, match="nested too deeply"):
            parse_json(text, "x")


BAD_HISTORIES: dict[str, tuple[Any, str]] = {
    "not JSON": ("{", "not valid JSON"),
    "a list": ([], "not a training history"),
    "settings missing": ({"epochs": []}, "not a training history"),
    "epochs a dict": ({"settings": {}, "epochs": {}}, "expected a list"),
    "cost a string": ({"settings": {}, "epochs": [
        {"epoch": 1, "epochs": 1, "training_cost": "x", "seconds": 1}]}, "training_cost"),
    "epoch missing": ({"settings": {}, "epochs": [{"epochs": 1}]}, "expected a dict"),
    "eta a list": ({"settings": {"eta": [1]}, "epochs": []}, "eta"),
    "deep nesting": ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
    "huge integer": ('{"settings": {"epochs": ' + "1" * 5000 + '}, "epochs": []}',
                     "not valid JSON"),
}


@pytest.mark.parametrize("case", BAD_HISTORIES)
def test_bad_history_files_fail_in_one_line(case: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    content, message = BAD_HISTORIES[case]
    path = tmp_path / "m.npz.history.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(InvalidInput, match=message):
        read_history(path)
    line = error_line(capsys, main(["plot", str(path), "--out", str(tmp_path / "figs")]))
    assert message.split("\\")[0] in line or "history" in line


def test_a_good_history_file_still_reads(checkpoint: Path) -> None:
    history = read_history(checkpoint.with_name(checkpoint.name + ".history.json"))
    assert len(history.epochs) == 1 and history.settings.momentum == 0.5


def test_resume_writes_back_only_valid_history(checkpoint: Path, tmp_path: Path,
                                               tiny_dir: Path) -> None:
    """A checkpoint that --resume accepts is written back in a form it accepts again."""
    path = tmp_path / "run.npz"
    path.write_bytes(checkpoint.read_bytes())
    assert main(["train", "--resume", str(path), "--epochs", "2", "--data", str(tiny_dir),
                 "--quiet"]) == 0
    assert len(load_checkpoint(path).history.epochs) == 2
    assert len(read_history(path.with_name(path.name + ".history.json")).epochs) == 2


# --- §4 ordinary mistakes: one line ---------------------------------------------------------

MISTAKES: dict[str, tuple[list[str], str]] = {
    "--seed=-1": (["--seed=-1"], "seed must be an integer from 0"),
    "--seed 2**128": (["--seed", str(2**128)], "seed must be an integer from 0"),
    "a layer of 10^30": (["--layers", f"16,{10**30},10"], "over the limit"),
    "a layer of 10^8": (["--layers", "16,100000000,10"], "over the limit of 50,000,000"),
    "1,000 hidden layers": (["--layers", ",".join(["16"] + ["2"] * 1000 + ["10"])],
                            "at most 100"),
    "100 layers, compiled": (["--layers", ",".join(["16"] + ["2"] * 99 + ["10"]), "--engine",
                              "compiled"], "the compiled engine builds at most 8 layers"),
    "layers 0": (["--layers", "16,0,10"], "positive integers"),
    "--max-parameters too low": (["--max-parameters", "10"], "over the limit of 10"),
}


@pytest.mark.parametrize("case", MISTAKES)
def test_train_mistakes_are_one_line(case: str, tiny_dir: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    flags, message = MISTAKES[case]
    assert message in error_line(capsys, main(train_args(tiny_dir, *flags)))


def test_the_deepest_network_allowed_trains(tiny_dir: Path) -> None:
    """100 layers of weights, the limit: trained (by NumPy; numba spent over 10 minutes and
    1.2 GB compiling them), not refused and not stuck."""
    layers = ",".join(["16"] + ["2"] * 99 + ["10"])
    assert main(train_args(tiny_dir, "--layers", layers)) == 0


def test_max_parameters_raises_the_limit(tiny_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    args = train_args(tiny_dir, "--layers", "16,40,10", "--save", str(path))
    assert main([*args, "--max-parameters", "1000"]) == 1      # 16-40-10: 1,090 parameters
    assert main([*args, "--max-parameters", "1090"]) == 0 and load(path).sizes == [16, 40, 10]


def test_load_takes_a_parameter_limit_too(tmp_path: Path) -> None:
    """max_parameters= of nudges.load (and load_checkpoint) lowers or raises the file limit."""
    path = tmp_path / "m.npz"
    save(Network([16, 40, 10], seed=0), path)                   # 1,090 parameters
    with pytest.raises(ModelFileError, match="over the limit of 1,000"):
        load(path, max_parameters=1000)
    with pytest.raises(ModelFileError, match="over the limit of 1,000"):
        load_checkpoint(path, max_parameters=1000)
    assert load(path, max_parameters=1090).sizes == [16, 40, 10]


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "net.npz"
    save(Network([784, 8, 10], seed=0), path)
    return path


@pytest.mark.parametrize(("command", "message"), [
    (["explain", "{model}", "--batch", "0"], "--batch must be at least 1"),
    (["explain", "{model}", "--batch", "-5"], "--batch must be at least 1"),
    (["explain", "{model}", "--figures", "{file}"], "is a file"),
    (["explain", "{model}", "--figures", "/proc/figs"], "cannot write there"),
    (["noise", "{model}", "--figures", "{file}"], "is a file"),
    (["noise", "{model}", "--out", "{dir}"], "it is a folder"),
    (["noise", "{model}", "--out", "/proc/n.png"], "cannot save"),
    (["plot", "{model}", "--out", "{file}"], "is a file"),
    (["plot", "{model}", "--out", "/proc/figs"], "cannot write there"),
    (["evaluate", "{model}", "--data", "{file}"], "not a folder"),
])
def test_output_and_input_mistakes_are_caught_first(
        command: list[str], message: str, model: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("mine")
    (tmp_path / "dir").mkdir()
    names = {"model": model, "file": tmp_path / "file", "dir": tmp_path / "dir"}
    assert message in error_line(capsys, main([c.format(**names) for c in command]))
    assert (tmp_path / "file").read_text() == "mine"


def test_seed_is_checked_by_the_network_too() -> None:
    for seed in (-1, 2**128, 1.5, True):
        with pytest.raises(InvalidInput, match="seed"):
            Network([4, 3], seed=seed)  # type: ignore[arg-type]


# --- §6 what a new user meets ---------------------------------------------------------------

def test_a_failed_download_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pooch")
    with socket.socket() as s:                   # a port nobody listens on: no network
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("NUDGES_DATA", str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    monkeypatch.setattr(nudges.data.mnist, "cache_dir", lambda: tmp_path / "cache")
    monkeypatch.setattr(nudges.data.mnist, "MIRRORS", (f"http://127.0.0.1:{port}/",))
    line = error_line(capsys, main(["train", "--download", "--epochs", "1"]))
    assert "cannot download MNIST" in line and "no network" in line and len(line) < 400


class WrongBytes(http.server.BaseHTTPRequestHandler):
    """A mirror that answers every file with the same 100 bytes, which match no checksum."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(bytes(100))

    def log_message(self, *args: Any) -> None:
        pass


def test_a_download_that_fails_its_checksum_is_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pooch")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), WrongBytes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        (tmp_path / "empty").mkdir()
        monkeypatch.setenv("NUDGES_DATA", str(tmp_path / "empty"))
        monkeypatch.setattr(nudges.data.mnist, "cache_dir", lambda: tmp_path / "cache")
        mirror = f"http://127.0.0.1:{server.server_address[1]}/"
        monkeypatch.setattr(nudges.data.mnist, "MIRRORS", (mirror,))
        rc = main(["train", "--download", "--epochs", "1"])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert rc == 1 and last.startswith("nudges: error: cannot download MNIST from "), err
    assert f"{mirror}train-images-idx3-ubyte.gz (the checksum did not match)" in last
    assert "Traceback" not in err and err.count("nudges: error:") == 1
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]  # nothing kept


def test_the_sample_note_is_one_short_line_once(sample_only: None,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--layers", "784,4,10", "--epochs", "1"]) == 0
    captured = capsys.readouterr()
    notes = [line for line in captured.err.splitlines() if "sample" in line]
    assert len(notes) == 1 and len(notes[0]) < 130, captured.err
    assert "not found" not in captured.out and len(captured.out.splitlines()[0]) < 160


def test_nudges_data_naming_a_missing_folder_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NUDGES_DATA", str(tmp_path / "missing"))
    monkeypatch.setattr(nudges.data.mnist, "cache_dir", lambda: tmp_path / "cache")
    assert main(["evaluate", str(model)]) == 0
    err = capsys.readouterr().err
    assert f"NUDGES_DATA names {tmp_path / 'missing'}, which does not exist" in err
    assert "--download" in err and len(err.splitlines()) == 1
    assert nudges.data.mnist.nudges_data_problem() is not None


def test_figures_and_models_get_ordinary_modes(tmp_path: Path, model: Path,
                                               sample_only: None) -> None:
    old = os.umask(0o022)
    try:
        assert main(["plot", str(model), "--out", str(tmp_path / "figs")]) == 0
    finally:
        os.umask(old)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "figs").iterdir()}
    assert modes == {0o644}


def test_members_helper_round_trips(model: Path, tmp_path: Path) -> None:
    """The catalogue's tampering tool changes only what it is asked to."""
    copy = rewrite(model, tmp_path / "copy.npz", method=zipfile.ZIP_DEFLATED)
    assert members(copy).keys() == members(model).keys()
    np.testing.assert_array_equal(load(copy).weights[1], load(model).weights[1])
