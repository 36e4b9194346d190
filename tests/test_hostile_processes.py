"""Regression catalogue of issue 10 in real processes: signals (§1), memory limits (§2, under
resource.setrlimit), a closed pipe, an ASCII terminal, a port in use (§4, §6). Each runs
`python -m nudges` and reads its exit status, its stderr, and the files it left."""

from __future__ import annotations

import gzip
import io
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nudges import Network
from nudges.cli import COMMANDS
from nudges.data.mnist import TRAIN_IMAGES
from nudges.files.checkpoints import load_checkpoint
from nudges.files.metadata import read_history
from nudges.files.models import load, save

from .hostile import checkpoint, metadata_of, npy, one_line, run_cli, tiny_dir
from .tiny_data import TINY, write_tiny_mnist

__all__ = ["checkpoint", "tiny_dir"]   # fixtures

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals and rlimits: Linux")
QUIET_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def start(*args: str, env: dict[str, str] | None = None, **kwargs: object
          ) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "nudges", *args], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **QUIET_ENV, **(env or {})}, **kwargs)


def wait_for_line(stream: object, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()  # type: ignore[attr-defined]
        if text in line:
            return str(line)
        assert line, f"the stream ended before {text!r}"
    raise AssertionError(f"no {text!r} within {timeout} s")


# --- §1 signals ------------------------------------------------------------------------------

@pytest.mark.parametrize(("signum", "status", "words"), [
    (signal.SIGTERM, 143, "stopped by SIGTERM"), (signal.SIGINT, 130, "interrupted")])
def test_a_signal_mid_training_saves_and_exits(signum: int, status: int, words: str,
                                               tiny_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "run.npz"
    proc = start("train", "--data", str(tiny_dir), *TINY, "--epochs", "100000", "--save",
                 str(path))
    wait_for_line(proc.stdout, "Epoch 2/")
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    assert "Traceback" not in err and words in err and "resume with" in err
    run = load_checkpoint(path)
    assert 2 <= run.state.epoch < 100000 and len(run.history.epochs) >= 2


@pytest.mark.parametrize("more", [
    (), (signal.SIGINT,), (signal.SIGTERM,), (signal.SIGINT, signal.SIGTERM, signal.SIGINT)],
    ids=["one Ctrl-C", "Ctrl-C twice", "Ctrl-C then SIGTERM", "four signals"])
def test_signals_during_the_final_save_never_lose_it(more: tuple[int, ...], tiny_dir: Path,
                                                      tmp_path: Path) -> None:
    """The issue's case (it lost the file 5 times in 6): Ctrl-C right after the last epoch
    line, while a big network saves, then `more` signals once the save's temporary file
    exists (the save is under way): the save completes, and the run ends 130 saying so."""
    path = tmp_path / "big.npz"
    proc = start("train", "--data", str(tiny_dir), "--layers", "16,200000,10", "--dtype",
                 "float64", "--momentum", "0.5", "--batch-size", "100", "--epochs", "1",
                 "--eta", "0.1", "--save", str(path))
    wait_for_line(proc.stdout, "Epoch 1/1")
    proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".big.npz.*.tmp")) and proc.poll() is None:
        assert time.monotonic() < deadline, "no save began"
    for signum in more:
        if proc.poll() is None:
            proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    assert last == f"nudges: interrupted after the last epoch; saved to {path}", err
    assert load_checkpoint(path).network.sizes == [16, 200000, 10]
    assert len(read_history(tmp_path / "big.npz.history.json").epochs) == 1
    assert not list(tmp_path.glob(".*.tmp"))


def test_one_signal_after_the_last_epoch_still_saves(tiny_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "big.npz"
    proc = start("train", "--data", str(tiny_dir), "--layers", "16,200000,10", "--dtype",
                 "float64", "--batch-size", "100", "--epochs", "1", "--eta", "0.1",
                 "--save", str(path))
    wait_for_line(proc.stdout, "Epoch 1/1")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143 and "Traceback" not in err, err
    assert "after the last epoch; saved to" in err and load(path).sizes == [16, 200000, 10]


def test_ctrl_c_in_a_long_command_is_one_line(tmp_path: Path) -> None:
    model = tmp_path / "m.npz"
    save(Network([784, 300, 10], seed=0), model)      # seconds of work: Ctrl-C lands inside
    (tmp_path / "empty").mkdir()
    proc = start("noise", str(model), "--repeats", "50", "--batch-sizes", "1,2,3,4,5,6,7,8",
                 env={"NUDGES_DATA": str(tmp_path / "empty"),
                      "XDG_CACHE_HOME": str(tmp_path / "cache")})
    wait_for_line(proc.stderr, "sample")          # main() is running: the data note is out
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.strip() == "nudges: interrupted", err


def test_ctrl_c_in_gradcheck_is_one_line() -> None:
    proc = start("gradcheck", "--layers", "784,300,10", "--examples", "100",
                 env={"PYTHONUNBUFFERED": "1"})
    wait_for_line(proc.stdout, "central differences")   # the header: the check has begun
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.strip() == "nudges: interrupted", err


@pytest.mark.parametrize(("signum", "statuses"), [
    (signal.SIGINT, {0}), (signal.SIGTERM, {143, -signal.SIGTERM})])
def test_stopping_the_server_is_quiet(signum: int, statuses: set[int], tmp_path: Path) -> None:
    """Ctrl-C is how `nudges serve` is meant to stop (its first line says so): status 0.
    SIGTERM shuts it down as gracefully, then ends it by that signal (143 in a shell)."""
    pytest.importorskip("uvicorn")
    model = tmp_path / "m.npz"
    save(Network([784, 8, 10], seed=0), model)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = start("serve", str(model), "--port", str(port), env={"PYTHONUNBUFFERED": "1"})
    wait_for_line(proc.stdout, f"open http://127.0.0.1:{port}/")
    wait_until_listening(port)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in statuses and "Traceback" not in err and "Error" not in err, err


def wait_until_listening(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listened on port {port} within {timeout} s")


# --- §2 memory: small files must not cost huge memory ----------------------------------------

LIMITED = """
import resource, sys
from nudges.cli import main
with open("/proc/self/status") as f:
    size = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize:"))
limit = size + {extra} * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.exit(main(sys.argv[1:]))
"""


def run_limited(args: list[str], extra_mib: int = 200) -> subprocess.CompletedProcess[str]:
    """`nudges ARGS` allowed only `extra_mib` MiB of address space beyond its start-up."""
    return subprocess.run([sys.executable, "-c", LIMITED.format(extra=extra_mib), *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **QUIET_ENV})


def zeros_member(zf: zipfile.ZipFile, name: str, shape: tuple[int, ...], dtype: str) -> None:
    """A deflated .npy member of zeros, written in chunks (big when read, small on disk)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": np.dtype(dtype).str,
                                                  "fortran_order": False, "shape": shape})
    with zf.open(name, "w", force_zip64=True) as f:
        f.write(header.getvalue())
        left, chunk = int(np.prod(shape)) * np.dtype(dtype).itemsize, bytes(1 << 22)
        while left:
            f.write(chunk[:min(left, len(chunk))])
            left -= min(left, len(chunk))


def test_a_small_file_declaring_a_huge_network_is_one_line(tmp_path: Path) -> None:
    """Metadata and arrays agree on 16-3,000,000-10 (81 M parameters, 324 MB), in 0.3 MB."""
    small, path, n = tmp_path / "small.npz", tmp_path / "huge.npz", 3_000_000
    save(Network([16, 8, 10], seed=0), small)
    meta = metadata_of(small)
    meta["network"]["sizes"] = [16, n, 10]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.npy", npy(np.frombuffer(json.dumps(meta).encode(), np.uint8)))
        for name, shape in (("w0", (n, 16)), ("b0", (n,)), ("w1", (10, n)), ("b1", (10,))):
            zeros_member(zf, f"{name}.npy", shape, "float32")
    assert path.stat().st_size < 2**20
    result = run_limited(["evaluate", str(path)])
    assert "over the limit of 50,000,000" in one_line(result.stderr, result.returncode)


def test_an_extra_compressed_member_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    save(Network([16, 8, 10], seed=0), path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zeros_member(zf, "extra_junk.npy", (400_000_000,), "uint8")
    assert path.stat().st_size < 2**20
    result = run_limited(["evaluate", str(path)])
    assert "extra arrays declare more" in one_line(result.stderr, result.returncode)


def test_a_gzip_idx_claiming_more_images_than_it_holds_is_one_line(tmp_path: Path) -> None:
    data = write_tiny_mnist(tmp_path / "data")
    claim = 400_000
    header = bytes([0, 0, 8, 3]) + b"".join(n.to_bytes(4, "big") for n in (claim, 28, 28))
    with gzip.open(data / f"{TRAIN_IMAGES}.gz", "wb", compresslevel=1) as f:
        f.write(header)
        left = claim * 784 - 1                      # one byte short
        chunk = bytes(1 << 22)
        while left:
            f.write(chunk[:min(left, len(chunk))])
            left -= min(left, len(chunk))
    (data / TRAIN_IMAGES).unlink()
    assert (data / f"{TRAIN_IMAGES}.gz").stat().st_size < 4 * 2**20
    model = tmp_path / "m.npz"
    save(Network([784, 8, 10], seed=0), model)
    result = run_limited(["evaluate", str(model), "--data", str(data)], extra_mib=150)
    line = one_line(result.stderr, result.returncode)
    assert "needs 313,600,000 data bytes, but the file holds 313,599,999" in line


def lying_npy(rows: int = 1_000_000) -> bytes:
    """A .npy whose header claims (rows, 784) float32 (3.1 GB) over 1,000 bytes of data."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False,
                                                  "shape": (rows, 784)})
    return header.getvalue() + bytes(1000)


def labels_npy() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.arange(10) % 2)
    return buffer.getvalue()


@pytest.mark.parametrize(("layout", "message"), [
    ("folder of .npy", "mmap length is greater than file size"),
    (".npz", "declares shape (1000000, 784) of float32 (3,136,000,000 bytes) but holds")])
def test_a_table_whose_header_lies_is_one_line(layout: str, message: str,
                                               tmp_path: Path) -> None:
    """`--data` arrays (.npy, .npz) that claim 3.1 GB in a few KB fail without allocating."""
    if layout == ".npz":
        data = tmp_path / "liar.npz"
        with zipfile.ZipFile(data, "w") as zf:
            zf.writestr("x.npy", lying_npy())
            zf.writestr("y.npy", labels_npy())
    else:
        data = tmp_path / "liar"
        data.mkdir()
        (data / "x.npy").write_bytes(lying_npy())
        (data / "y.npy").write_bytes(labels_npy())
    result = run_limited(["train", "--data", str(data), "--epochs", "1"], extra_mib=150)
    assert message in one_line(result.stderr, result.returncode)


def test_running_out_of_memory_is_one_line_with_the_amount(tiny_dir: Path) -> None:
    result = run_limited(["train", "--data", str(tiny_dir), "--layers", "16,3000000,10",
                          "--max-parameters", "100000000", "--epochs", "1"])
    line = one_line(result.stderr, result.returncode)
    assert "not enough memory" in line and "MiB" in line


# --- §4, §6 pipes, terminals, ports, usage ---------------------------------------------------

@pytest.mark.parametrize("command", [
    "evaluate {model} --data {data}", "explain {model} --batch 20 --data {data}", "gradcheck",
    "noise {model} --repeats 2 --data {data}", "train --layers 16,8,10 --epochs 2 --data {data}"])
def test_a_closed_pipe_ends_quietly(command: str, tiny_dir: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.npz"
    save(Network([16, 8, 10], seed=0), model)
    proc = start(*command.format(model=model, data=tiny_dir).split())
    assert proc.stdout is not None
    proc.stdout.close()                           # `| head -0`: nobody reads
    assert proc.stderr is not None
    with proc.stderr:
        err = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 141 and err == "", err


def test_head_dash_1_ends_quietly(tiny_dir: Path, tmp_path: Path) -> None:
    """The issue's own pipeline: `nudges evaluate MODEL --data DIR | head -1`."""
    model = tmp_path / "m.npz"
    save(Network([16, 8, 10], seed=0), model)
    command = (f"set -o pipefail; {shlex.quote(sys.executable)} -m nudges evaluate "
               f"{shlex.quote(str(model))} --data {shlex.quote(str(tiny_dir))} | head -1")
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                            timeout=60, env={**os.environ, **QUIET_ENV})
    assert result.returncode in (0, 141) and result.stderr == "", result.stderr
    assert result.stdout.startswith("test ") and len(result.stdout.splitlines()) == 1


def capabilities_without_reading_everything() -> list[str]:
    """A prefix that runs a command without root's power to read any folder (root only)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root, and setpriv (util-linux) is missing to drop that")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def test_an_unreadable_data_folder_is_one_line(tmp_path: Path) -> None:
    model = tmp_path / "m.npz"
    save(Network([784, 8, 10], seed=0), model)
    (tmp_path / "locked").mkdir(mode=0)
    try:
        result = subprocess.run(
            [*capabilities_without_reading_everything(), sys.executable, "-m", "nudges",
             "evaluate", str(model), "--data", str(tmp_path / "locked")],
            capture_output=True, text=True, timeout=60, env={**os.environ, **QUIET_ENV})
    finally:
        (tmp_path / "locked").chmod(0o755)
    line = one_line(result.stderr, result.returncode)
    assert str(tmp_path / "locked") in line, line


def test_an_ascii_terminal_gets_question_marks(tiny_dir: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.npz"
    save(Network([16, 8, 10], seed=0), model)
    env = {"PYTHONIOENCODING": "ascii", **QUIET_ENV}
    result = run_cli("noise", str(model), "--data", str(tiny_dir), "--repeats", "2", env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "?" in result.stdout and "cosine" in result.stdout
    helped = run_cli("train", "--help", env=env)
    assert helped.returncode == 0 and "?" in helped.stdout


@pytest.mark.parametrize("command", [c.__name__.rsplit(".", 1)[1] for c in COMMANDS])
def test_every_command_runs_on_an_ascii_terminal(command: str, tiny_dir: Path,
                                                 tmp_path: Path) -> None:
    """Each subcommand's help, and a short real run of those that need only a model and
    data, on a terminal that cannot show η, ± or ✓."""
    env = {"PYTHONIOENCODING": "ascii", **QUIET_ENV}
    helped = run_cli(command, "--help", env=env)
    assert helped.returncode == 0 and helped.stderr == "", helped.stderr
    model = tmp_path / "m.npz"
    save(Network([16, 8, 10], seed=0), model)
    data = ["--data", str(tiny_dir)]
    runs = {"evaluate": [str(model), *data], "explain": [str(model), "--batch", "20", *data],
            "gradcheck": [], "plot": [str(model), "--out", str(tmp_path / "figs"), *data],
            "train": [*TINY, "--epochs", "1", *data]}
    if command in runs:
        result = run_cli(command, *runs[command], env=env)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


def test_a_port_in_use_is_one_line_at_once(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    model = tmp_path / "m.npz"
    save(Network([784, 8, 10], seed=0), model)
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        started = time.monotonic()
        result = run_cli("serve", str(model), "--port", str(port))
    assert time.monotonic() - started < 30
    line = one_line(result.stderr, result.returncode)
    assert f"port {port}" in line and "already in use" in line and "--port" in line
    assert "open http" not in result.stdout


def test_usage_errors_keep_argparse_convention() -> None:
    """README: a flag argparse cannot parse gets its usage block and exit status 2."""
    result = run_cli("train", "--eta", "fast")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith("argument --eta: invalid float value: 'fast'")
    assert result.stderr.startswith("usage: nudges train")
    result = run_cli("train", "--no-such-flag")
    assert result.returncode == 2 and "unrecognized arguments: --no-such-flag" in result.stderr
