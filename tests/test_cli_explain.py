"""`nudges explain`, `nudges noise` and `nudges plot` end to end, on the 5,000-digit sample."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import nudges.data.mnist  # noqa: E402
from nudges.cli import main  # noqa: E402
from nudges.core.errors import DataNotFound  # noqa: E402
from nudges.explain import figures  # noqa: E402


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def assert_figure(path: Path, name: str) -> None:
    width, height = figures.SIZES[name]
    assert png_size(path) == (round(width * figures.DPI), round(height * figures.DPI))


@pytest.fixture(scope="module")
def sample():
    try:
        return nudges.data.mnist.load_sample()
    except DataNotFound as e:
        pytest.skip(f"the MNIST sample is not available: {e}")


@pytest.fixture(autouse=True)
def only_the_cached_sample(sample, monkeypatch, tmp_path_factory):
    """No full MNIST anywhere: the commands fall back to the (cached) sample."""
    empty = tmp_path_factory.mktemp("empty")
    monkeypatch.setenv("NUDGES_DATA", str(empty))
    monkeypatch.setenv("XDG_CACHE_HOME", str(empty))
    monkeypatch.setattr(nudges.data.mnist, "cache_dir", lambda: empty / "cache")
    monkeypatch.setattr(nudges.data.mnist, "load_sample", lambda: sample)


@pytest.fixture(scope="module")
def model(sample, tmp_path_factory):
    """A 784-16-10 network trained for one epoch on the sample, saved with its history."""
    path = tmp_path_factory.mktemp("model") / "small.npz"
    empty = tmp_path_factory.mktemp("nothing")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NUDGES_DATA", str(empty))
        mp.setattr(nudges.data.mnist, "cache_dir", lambda: empty / "cache")
        mp.setattr(nudges.data.mnist, "load_sample", lambda: sample)
        assert main(["train", "--layers", "784,16,10", "--epochs", "1", "--quiet",
                     "--save", str(path)]) == 0
    return path


def test_explain_in_words_and_figures(model, tmp_path, capsys):
    assert main(["explain", str(model), "--index", "3", "--top", "3",
                 "--figures", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for words in ("the network sees a", "output layer's wishes", "wishes passed back",
                  "three levers", "fire together, wire together", "biggest nudges",
                  "One gradient-descent step", "Averaging", "they agree"):
        assert words in out, words
    for name, size in (("network", "network"), ("wishes", "wishes"), ("agreement", "agreement")):
        assert_figure(tmp_path / f"{name}.png", size)


def test_explain_a_picture_with_a_wish(model, sample, tmp_path, capsys):
    image = pytest.importorskip("PIL.Image")
    x, y = sample.test
    path = tmp_path / "digit.png"
    image.fromarray((x[0].reshape(28, 28) * 255).astype(np.uint8)).save(path)
    assert main(["explain", str(model), "--image", str(path), "--wish", "3"]) == 0
    assert "wishing for a 3" in capsys.readouterr().out


def test_explain_says_an_8(model, sample, tmp_path, capsys):
    image = pytest.importorskip("PIL.Image")
    x, y = sample.test
    path = tmp_path / "eight.png"
    image.fromarray((x[int(np.flatnonzero(y == 8)[0])].reshape(28, 28) * 255)
                    .astype(np.uint8)).save(path)
    assert main(["explain", str(model), "--image", str(path), "--wish", "8"]) == 0
    out = capsys.readouterr().out
    assert "wishing for an 8" in out and "a 8" not in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--wish", "12"], "--wish must be a digit"),
    (["--index", "100000"], "--index must be from 0"),
    (["--image", "nothing.png"], "needs --wish"),
])
def test_explain_errors_are_one_line(model, capsys, argv, message):
    assert main(["explain", str(model), *argv]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("nudges: error:") and message in err


def test_noise_table_and_plot(model, tmp_path, capsys):
    out_file = tmp_path / "noise.png"
    assert main(["noise", str(model), "--subset", "600", "--batch-sizes", "1,10,100,5000",
                 "--repeats", "4", "--out", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "(the full gradient)" in out and "speed-up" in out
    full = next(line for line in out.splitlines() if "(the full gradient)" in line)
    assert full.split()[0] == "600" and full.split()[1] == "1.000"
    assert_figure(out_file, "noise")
    assert main(["noise", str(model), "--batch-sizes", "ten"]) == 1
    assert "comma-separated" in capsys.readouterr().err


def test_plot_model_and_history(model, tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["plot", str(model), "--out", str(out)]) == 0
    assert "test accuracy" in capsys.readouterr().out
    for name, size in (("curves", "curves"), ("weights", "weights"),
                       ("confusion", "confusion"), ("misclassified", "gallery")):
        assert_figure(out / f"{name}.png", size)
    history = Path(f"{model}.history.json")
    assert main(["plot", str(history), "--out", str(tmp_path / "h"), "--format", "svg"]) == 0
    assert (tmp_path / "h" / "curves.svg").read_bytes().find(b"<svg") >= 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"epochs": []}))
    assert main(["plot", str(bad), "--out", str(tmp_path / "never")]) == 1
    assert not (tmp_path / "never").exists()
    assert capsys.readouterr().err.startswith("nudges: error:")


@pytest.mark.parametrize("command", ["explain", "noise", "plot"])
def test_help_has_examples(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"nudges {command} " in capsys.readouterr().out.split("examples:")[1]
