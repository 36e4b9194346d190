"""The catalogue of issue 23, sweeps: outputs it does not own, results files that are not a
sweep's, and specs and flags that are not what they claim. Each is refused in one line with
exit 1 before any trial runs, and nothing the sweep does not own is changed."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nudges.cli import main
from nudges.core.errors import InvalidInput
from nudges.sweeps import results
from nudges.sweeps.run import sweep

from .hostile import one_line
from .tiny_data import write_tiny_mnist

FLAGS = ["--workers", "0", "--hidden", "4", "--epochs", "1", "--output", "softmax",
         "--cost", "cross-entropy"]
ROW = {"trial": 0, "eta": 1.0, "status": "ok", "validation_accuracy": 50.0,
       "test_accuracy": 40.0, "training_cost": 1.0, "seconds": 0.1, "key": "k", "history": []}


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_mnist(tmp_path_factory.mktemp("tiny"))


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The one error line of `nudges sweep ARGV` (checking exit 1, and that no trial ran)."""
    status = main(["sweep", *argv])
    out, err = capsys.readouterr()
    assert "trials:" not in out
    return one_line(err, status)


def victim(tmp_path: Path) -> Path:
    path = tmp_path / "precious.txt"
    path.write_text("mine")
    return path


def someone_elses(name: str) -> Callable[[Path, Path], None]:
    return lambda out, _: (out.mkdir(), (out / name).write_text("not a sweep's"))


def owned_with(name: str, make: Callable[[Path, Path], None]) -> Callable[[Path, Path], None]:
    """A folder a sweep owns (its results.jsonl) where `name` is made by make(path, victim)."""
    def build(out: Path, precious: Path) -> None:
        out.mkdir()
        (out / "results.jsonl").write_text("")
        make(out / name, precious)
    return build


def fifo(path: Path, _: Path) -> None:
    os.mkfifo(path)


def folder(path: Path, _: Path) -> None:
    path.mkdir()


def link_to_victim(path: Path, precious: Path) -> None:
    path.symlink_to(precious)


def dangling(path: Path, precious: Path) -> None:
    path.symlink_to(precious.parent / "made-by-the-link")


OUTS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "someone's results.csv": (someone_elses("results.csv"), "not a sweep's"),
    "someone's figure": (someone_elses("sweep-curves.png"), "not a sweep's"),
    "someone's notes": (someone_elses("notes.txt"), "not a sweep's"),
    "a hidden file": (someone_elses(".keep"), "not a sweep's"),
    "out is a file": (lambda out, _: out.write_text("x"), "it is a file, not a folder"),
    "out is a FIFO": (lambda out, _: os.mkfifo(out), "it is a FIFO, not a folder"),
    "out is a dangling link": (dangling, "it is a link, not a folder"),
    "out links to a file": (link_to_victim, "it is a link, not a folder"),
    "results.csv a folder": (owned_with("results.csv", folder), "it is a folder"),
    "results.csv a FIFO": (owned_with("results.csv", fifo), "it is a FIFO"),
    "results.csv a link": (owned_with("results.csv", link_to_victim), "it is a link"),
    "results.csv dangling": (owned_with("results.csv", dangling), "it is a link"),
    "curves a folder": (owned_with("sweep-curves.png", folder), "it is a folder"),
    "curves a link": (owned_with("sweep-curves.png", link_to_victim), "it is a link"),
    "heatmap a folder": (owned_with("sweep-heatmap-eta-seed.png", folder), "it is a folder"),
    "heatmap a link": (owned_with("sweep-heatmap-eta-seed.png", link_to_victim), "a link"),
    "results a folder": (lambda out, _: (out.mkdir(), (out / "results.jsonl").mkdir()),
                         "it is a folder"),
    "results a FIFO": (lambda out, _: (out.mkdir(), os.mkfifo(out / "results.jsonl")),
                       "it is a FIFO"),
    "results a link": (lambda out, v: (out.mkdir(), link_to_victim(out / "results.jsonl", v)),
                       "it is a link"),
    "results dangling": (lambda out, v: (out.mkdir(), dangling(out / "results.jsonl", v)),
                         "it is a link"),
    "results to /dev/null": (lambda out, _: (out.mkdir(), (out / "results.jsonl")
                                             .symlink_to("/dev/null")), "it is a link"),
}


@pytest.mark.parametrize("resume", [False, True], ids=["fresh", "resume"])
@pytest.mark.parametrize("case", list(OUTS))
def test_an_output_the_sweep_does_not_own_is_refused(case: str, resume: bool, tmp_path: Path,
                                                     tiny_dir: Path, capsys) -> None:
    make, words = OUTS[case]
    out, precious = tmp_path / "out", victim(tmp_path)
    make(out, precious)
    before = sorted(os.listdir(out)) if out.is_dir() and not out.is_symlink() else None
    mark = out / "results.jsonl"
    if not resume and mark.is_file() and not mark.is_symlink():
        words = "already holds results"
    line = refused(capsys, "--data", str(tiny_dir), "--out", str(out), "--eta", "1,2",
                   "--seed", "0,1", *FLAGS, *(["--resume"] if resume else []))
    assert words in line
    assert precious.read_text() == "mine" and not (tmp_path / "made-by-the-link").exists()
    if before is not None:
        assert sorted(os.listdir(out)) == before


@pytest.mark.parametrize(("out", "words"), [
    ("/dev/null", "it is a device, not a folder"),
    ("/proc/nudges-sweep", "cannot be written"),
    ("/proc", "cannot be written"),
    ("/etc", "not a sweep's"),
    ("/dev", "not a sweep's"),
    ("/nonexistent/folder/out", "is not a folder"),
    ("x" * 300, "the name is too long"),
    ("x" * 300 + "/out", "the name is too long"),
    ("a/" * 2100, "the name is too long"),
    ("bad\nname/out", "bad\\nname is not a folder"),
    ("\x1b[31mred/out", "\\x1b[31mred is not a folder"),
])
def test_an_output_that_cannot_be_a_sweep_folder_is_one_line(out: str, words: str,
                                                             tiny_dir: Path, capsys) -> None:
    line = refused(capsys, "--data", str(tiny_dir), "--out", out, "--eta", "1", *FLAGS)
    assert words in line and "\x1b" not in line


def test_a_planted_partial_link_is_not_followed(tmp_path: Path, tiny_dir: Path, capsys) -> None:
    out, precious = tmp_path / "out", victim(tmp_path)
    out.mkdir()
    args = ["sweep", "--data", str(tiny_dir), "--out", str(out), "--eta", "1", *FLAGS]
    assert main(args) == 0
    (out / "results.csv.partial").symlink_to(precious)
    assert main([*args, "--resume"]) == 0
    assert precious.read_text() == "mine" and (out / "results.csv").is_file()
    assert not (out / "results.csv").is_symlink()
    capsys.readouterr()


def test_an_empty_folder_is_taken_and_marked(tmp_path: Path, tiny_dir: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert main(["sweep", "--data", str(tiny_dir), "--out", str(out), "--eta", "9e9",
                 "--quiet", *FLAGS]) == 0
    assert {"results.jsonl", "results.csv"} <= set(os.listdir(out))
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]
    capsys.readouterr()


def row(**change: object) -> str:
    return json.dumps({k: v for k, v in (ROW | change).items() if v != "<absent>"})


LINES: dict[str, tuple[bytes, str]] = {
    "a list": (b"[1, 2]\n", "got list"),
    "a number": (b"3\n", "got int"),
    "a string": (b'"row"\n', "got str"),
    "null": (b"null\n", "got NoneType"),
    "key missing": (row(key="<absent>").encode() + b"\n", "expected a sweep's row"),
    "key a list": (row(key=["k"]).encode() + b"\n", "expected a sweep's row"),
    "key a number": (row(key=7).encode() + b"\n", "expected a sweep's row"),
    "status missing": (row(status="<absent>").encode() + b"\n", "expected a sweep's row"),
    "status a number": (row(status=1).encode() + b"\n", "expected a sweep's row"),
    "accuracy a string": (row(validation_accuracy="93").encode() + b"\n", "sweep's row"),
    "accuracy a bool": (row(validation_accuracy=True).encode() + b"\n", "sweep's row"),
    "accuracy a list": (row(validation_accuracy=[1]).encode() + b"\n", "sweep's row"),
    "test accuracy missing": (row(test_accuracy=None).encode() + b"\n", "sweep's row"),
    "cost a string": (row(training_cost="1").encode() + b"\n", "sweep's row"),
    "history an object": (row(history={}).encode() + b"\n", "sweep's row"),
    "history of numbers": (row(history=[1]).encode() + b"\n", "sweep's row"),
    "epoch a string": (row(history=[{"epoch": "1"}]).encode() + b"\n", "sweep's row"),
    "epoch cost a string": (row(history=[{"epoch": 1, "training_cost": "x"}]).encode()
                            + b"\n", "sweep's row"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000 + b"\n", "line 1 is not JSON"),
    "garbage mid-file": (b"{oops\n" + row().encode() + b"\n", "line 1 is not JSON"),
    "not UTF-8": (b"\xff\xfe" + row().encode() + b"\n", "not UTF-8"),
    "Latin-1 key": (b'{"key": "caf\xe9"}\n', "not UTF-8"),
    "a NUL byte": (b"\0\n", "line 1 is not JSON"),
}


@pytest.mark.parametrize("case", list(LINES))
def test_a_results_line_that_is_not_a_row_is_one_line(case: str, tmp_path: Path,
                                                      tiny_dir: Path, capsys) -> None:
    text, words = LINES[case]
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.jsonl").write_bytes(text)
    line = refused(capsys, "--data", str(tiny_dir), "--out", str(out), "--eta", "1", *FLAGS,
                   "--resume")
    assert words in line
    assert (out / "results.jsonl").read_bytes() == text


def test_a_last_line_cut_short_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text(row() + "\n" + row(key="k2")[:20])
    assert list(results.read_rows(path)) == ["k"]


def test_a_results_file_over_the_cap_is_refused(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text(row() + "\n")
    monkeypatch.setattr(results, "MAX_RESULTS_BYTES", 10)
    with pytest.raises(InvalidInput, match="more than the 10 a sweep's results may have"):
        results.read_rows(path)


API_RESULTS: dict[str, tuple[Callable[[Path, Path], None], bool, str]] = {
    "a folder": (folder, True, "it is a folder"),
    "a FIFO": (fifo, True, "it is a FIFO"),
    "a dangling link": (dangling, False, "it is a link"),
    "a dangling link, resumed": (dangling, True, "it is a link"),
    "a link to a file": (link_to_victim, True, "it is a link"),
    "someone's file": (lambda p, _: p.write_text("{}"), False, "already holds results"),
}


@pytest.mark.parametrize("case", list(API_RESULTS))
def test_the_python_api_refuses_a_results_file_it_does_not_own(case: str, tmp_path: Path
                                                               ) -> None:
    make, resume, words = API_RESULTS[case]
    path, precious = tmp_path / "r.jsonl", victim(tmp_path)
    make(path, precious)
    with pytest.raises(InvalidInput, match=words):
        sweep({"eta": [1.0]}, None, results=path, resume=resume, workers=0)
    assert precious.read_text() == "mine" and not (tmp_path / "made-by-the-link").exists()


THOUSAND = ",".join(str(i) for i in range(1, 1001))
FLAG_CASES: dict[str, tuple[list[str], str]] = {
    "a billion-trial grid": (["--eta", THOUSAND, "--lmbda", THOUSAND, "--seed", THOUSAND],
                             "1,000,000,000 trials, more than the maximum of 100"),
    "a billion-trial grid, --yes": (["--eta", THOUSAND, "--lmbda", THOUSAND, "--seed",
                                     THOUSAND, "--yes"], "more than the 100,000 any sweep"),
    "a billion random trials": (["--eta", "1,2", "--search", "random", "--trials",
                                 "1000000000"], "1,000,000,000 trials, more than the max"),
    "a billion random trials, --yes": (["--eta", "1,2", "--search", "random", "--trials",
                                        "1000000000", "--yes"], "any sweep may have"),
    "zero random trials": (["--search", "random", "--trials", "0"], "an integer >= 1, got 0"),
    "negative random trials": (["--search", "random", "--trials", "-3"], "got -3"),
    "a negative search seed": (["--search", "random", "--trials", "2", "--search-seed", "-1"],
                               "the search's seed is an integer >= 0, got -1"),
    "hidden -5": (["--hidden", "-5"], "hidden takes layer sizes"),
    "hidden 8--8": (["--hidden", "8--8"], "hidden takes layer sizes"),
    "hidden +5": (["--hidden", "+5"], "hidden takes layer sizes"),
    "hidden 0": (["--hidden", "0"], "hidden takes layer sizes"),
    "hidden 8-": (["--hidden", "8-"], "hidden takes layer sizes"),
    "hidden ²": (["--hidden", "²"], "hidden takes layer sizes"),
    "hidden ٣ (Arabic-Indic)": (["--hidden", "٣"], "hidden takes layer sizes"),
    "hidden 3.5": (["--hidden", "3.5"], "hidden takes layer sizes"),
    "hidden 30 digits": (["--hidden", "9" * 30], "hidden takes layer sizes"),
    "hidden with spaces inside": (["--hidden", "8 - 8"], "hidden takes layer sizes"),
    "seed ²": (["--seed", "²"], "--seed takes comma-separated int values"),
    "eta word": (["--eta", "fast"], "--eta takes comma-separated float values"),
    "an empty value": (["--eta", "1,,2"], "--eta takes comma-separated float values"),
    "an unknown activation": (["--activation", "tanh2"], "unknown activation 'tanh2'"),
    "an escape in a choice": (["--activation", "\x1b[2J"], "unknown activation"),
}


@pytest.mark.parametrize("case", list(FLAG_CASES))
def test_a_bad_flag_is_counted_or_parsed_before_anything_runs(case: str, tmp_path: Path,
                                                              capsys) -> None:
    flags, words = FLAG_CASES[case]
    out = tmp_path / "out"
    line = refused(capsys, "--data", str(tmp_path / "never-loaded"), "--out", str(out),
                   "--workers", "0", *flags)
    assert words in line and "\x1b" not in line and not out.exists()


SPECS: dict[str, tuple[bytes, str]] = {
    "fixed an int": (b"fixed = 3\n", "expected keys search"),
    "fixed a string": (b'fixed = "eta"\n', "expected keys search"),
    "fixed a list": (b"fixed = [1, 2]\n", "expected keys search"),
    "grid a list": (b"grid = [1]\n", "expected keys search"),
    "search a list": (b'search = ["grid"]\n', "expected keys search"),
    "search a table": (b"[search]\nx = 1\n", "expected keys search"),
    "trials a string": (b'search = "random"\ntrials = "5"\n', "got '5'"),
    "trials inf": (b'search = "random"\ntrials = inf\n', "got inf"),
    "trials nan": (b'search = "random"\ntrials = nan\n', "got nan"),
    "trials 1e10": (b'search = "random"\ntrials = 1e10\n', "10,000,000,000 trials"),
    "trials 2.5": (b'search = "random"\ntrials = 2.5\n', "got 2.5"),
    "trials a table": (b'search = "random"\n[trials]\nn = 5\n', "got {'n': 5}"),
    "trials true": (b'search = "random"\ntrials = true\n', "got True"),
    "seed -1": (b'search = "random"\ntrials = 2\nseed = -1\n', "got -1"),
    "seed 0.5": (b'search = "random"\ntrials = 2\nseed = 0.5\n', "got 0.5"),
    "seed a string": (b'search = "random"\ntrials = 2\nseed = "0"\n', "got '0'"),
    "seed 1e400": (b'search = "random"\ntrials = 2\nseed = 1e400\n', "got inf"),
    "an array 10,000 deep": (b"[grid]\neta = " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
                             "nested too deeply"),
    "an array 50 deep": (b"[grid]\neta = " + b"[" * 50 + b"1" + b"]" * 50 + b"\n",
                         "eta takes float values"),
    "a grid of a billion": (b"[grid]\n" + b"".join(
        f"{n} = [{THOUSAND}]\n".encode() for n in ("eta", "lmbda", "seed")),
        "1,000,000,000 trials"),
    "hidden -5 in TOML": (b'[grid]\nhidden = ["-5"]\n', "hidden takes layer sizes"),
    "hidden a bool": (b"[fixed]\nhidden = true\n", "hidden takes layer sizes"),
    "hidden 30.5": (b"[fixed]\nhidden = 30.5\n", "hidden takes layer sizes"),
    "hidden nested": (b"[fixed]\nhidden = [[8]]\n", "hidden takes layer sizes"),
    "not UTF-8": (b"[grid]\neta = [1]\n# \xff\n", "not UTF-8"),
    "not TOML": (b"[grid\n", "is not valid TOML"),
}


@pytest.mark.parametrize("case", list(SPECS))
def test_a_bad_spec_file_is_one_line(case: str, tmp_path: Path, capsys) -> None:
    text, words = SPECS[case]
    spec, out = tmp_path / "spec.toml", tmp_path / "out"
    spec.write_bytes(text)
    line = refused(capsys, "--spec", str(spec), "--data", str(tmp_path / "never-loaded"),
                   "--out", str(out), "--workers", "0")
    assert words in line and not out.exists()


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: os.mkfifo(p), "not a regular file"),
    (lambda p: p.mkdir(), "not a regular file"),
    (lambda p: p.symlink_to("/dev/zero"), "not a regular file"),
    (lambda p: p.symlink_to("/dev/null"), "not a regular file"),
    (lambda p: p.write_bytes(b"#" * (2**20 + 1)), "bigger than 1,048,576 bytes"),
    (lambda p: None, "No such file"),
], ids=["FIFO", "folder", "/dev/zero", "/dev/null", "too big", "missing"])
def test_a_spec_that_is_not_a_regular_file_is_one_line(make: Callable[[Path], None],
                                                       words: str, tmp_path: Path,
                                                       capsys) -> None:
    spec = tmp_path / "spec.toml"
    make(spec)
    line = refused(capsys, "--spec", str(spec), "--out", str(tmp_path / "out"))
    assert words in line


@pytest.mark.parametrize(("flag", "address"), [
    ("--scheduler", "foo"), ("--scheduler", "tcp://"), ("--scheduler", "tcp://:abc"),
    ("--scheduler", "tcp://127.0.0.1:99999"), ("--scheduler", "http://x:80"),
    ("--scheduler", "tcp://[::1:8786"), ("--scheduler", ""), ("--scheduler", "ucx://x:1"),
    ("--scheduler", "inproc://x"), ("--scheduler", "tcp://:8786"),
    ("--scheduler", "tcp://h:8786/path"), ("--scheduler", "tcp://h\n:1"),
    ("--dashboard", ":abc"), ("--dashboard", ":99999"), ("--dashboard", "x"),
    ("--dashboard", "tcp://h:1"),
])
def test_a_bad_dask_address_is_one_line(flag: str, address: str, tmp_path: Path,
                                        capsys) -> None:
    out = tmp_path / "out"
    line = refused(capsys, "--data", str(tmp_path / "never-loaded"), "--out", str(out),
                   "--eta", "1", flag, address)
    assert f"{flag} takes an address like" in line and not out.exists()


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    from nudges.sweeps.run import connect

    with socket_closed() as port, pytest.raises(InvalidInput, match="cannot reach the Dask"):
        with connect(f"tcp://127.0.0.1:{port}", timeout="1s"):
            pass


def socket_closed() -> Any:
    """A context giving a local port that nothing listens on."""
    import contextlib
    import socket

    @contextlib.contextmanager
    def closed() -> Any:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        yield port
    return closed()


@pytest.mark.parametrize(("flags", "words"), [
    (["--beta1", "1"], "beta1"), (["--beta1", "-0.1"], "beta1"), (["--beta2", "1.5"], "beta2"),
    (["--eps", "nan"], "eps must be in (0, 1), got nan"), (["--eps", "0"], "eps"),
    (["--eps", "inf"], "eps"), (["--optimizer", "sgd,adam", "--beta1", "1"], "beta1"),
])
def test_settings_the_optimizer_does_not_use_are_still_checked(flags: list[str], words: str,
                                                               tmp_path: Path, tiny_dir: Path,
                                                               capsys) -> None:
    out = tmp_path / "out"
    line = refused(capsys, "--data", str(tiny_dir), "--out", str(out), *FLAGS, *flags)
    assert words in line and "trial 0" in line and not out.exists()
