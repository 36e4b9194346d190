"""The command line end to end, through main([...]) as a user would type it."""

import json
import re

import numpy as np
import pytest

from nudges import load
from nudges.cli import main
from nudges.core import optimizers
from nudges.files.models import load_saved

FAST = ["--epochs", "2", "--layers", "784,12,10"]


@pytest.fixture
def model(tmp_path, sample_only):
    path = tmp_path / "net.npz"
    assert main(["train", *FAST, "--quiet", "--save", str(path)]) == 0
    return path


def test_default_train_uses_the_sample_and_says_so(sample_only, capsys):
    assert main(["train", "--epochs", "1"]) == 0
    out, err = capsys.readouterr()
    assert "using the embedded 5,000-digit sample" in err
    assert "Training 784-16-16-10 (sigmoid, sigmoid output, quadratic cost)" in out
    assert "Epoch 1/1  cost 0." in out and "test " in out and "/500 (" in out


def test_train_saves_a_model_and_its_history(model, capsys):
    net = load(model)
    assert net.sizes == [784, 12, 10]
    history = json.loads(model.with_name(model.name + ".history.json").read_text())
    assert history["settings"]["epochs"] == 2 and len(history["epochs"]) == 2
    assert history["epochs"][-1]["total"] == 500


def test_flags_override_the_preset(sample_only, capsys):
    assert main(["train", "--preset", "book", "--epochs", "1", "--eta", "0.5"]) == 0
    assert "Training 784-30-10" in capsys.readouterr().out


def test_another_optimizer_replaces_the_presets(sample_only, tmp_path, capsys):
    """--preset best uses momentum 0.9; --optimizer adam drops it and keeps the rest."""
    model = tmp_path / "adam.npz"
    assert main(["train", "--preset", "best", "--optimizer", "adam", "--eta", "0.001",
                 "--epochs", "1", "--layers", "784,20,10", "--quiet", "--save", str(model)]) == 0
    settings = load_saved(model).metadata["training"]
    assert settings["optimizer"] == "adam" and settings["momentum"] == 0.0
    assert settings["lmbda"] == 5.0 and settings["schedule"] == "cosine"    # the preset's rest
    assert main(["train", "--preset", "best", "--optimizer", "adam", "--momentum", "0.5",
                 "--epochs", "1"]) == 1
    assert "does not use --momentum" in capsys.readouterr().err


def test_same_seed_same_output(sample_only, capsys):
    runs = []
    for _ in range(2):
        main(["train", *FAST, "--seed", "7"])
        runs.append([line.rsplit("  ", 1)[0] for line in capsys.readouterr().out.splitlines()])
    assert runs[0] == runs[1]


def test_evaluate_prints_accuracy_and_confusion(model, capsys):
    assert main(["evaluate", str(model)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("test ") and "/500 (" in out[0]
    matrix = np.array([[int(v.replace(",", "")) for v in row.split()[1:]] for row in out[2:12]])
    assert matrix.shape == (10, 10) and matrix.sum() == 500


def test_predict_reads_a_png(model, tmp_path, capsys):
    from PIL import Image

    from nudges.data.mnist import load_sample
    x, y = load_sample().test
    picture = (255 - x[0].reshape(28, 28) * 255).astype(np.uint8)   # black ink on white
    Image.fromarray(picture).resize((112, 112)).save(tmp_path / "digit.png")
    assert main(["predict", str(model), str(tmp_path / "digit.png")]) == 0
    line = capsys.readouterr().out.strip()
    digit = int(line.split(": ")[1].split()[0])
    assert digit == load(model).predict(x[:1])[0] == y[0]
    assert line.count(":") == 11


def test_gradcheck_agrees(capsys):
    assert main(["gradcheck"]) == 0
    out = capsys.readouterr().out
    assert "layer 3: weights" in out and "agree" in out


@pytest.mark.parametrize("argv", [
    ["train", "--layers", "784,x,10"], ["train", "--layers", "100,10", "--epochs", "1"],
    ["train", "--eta", "-1"], ["train", "--output", "softmax"], ["evaluate", "missing.npz"],
    ["train", "--data", "/nonexistent"], ["predict", "missing.npz", "x.png"],
])
def test_user_errors_are_one_line_and_exit_1(argv, sample_only, capsys):
    assert main(argv) == 1
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("nudges: error: ") and len(last) > 30


def test_help_has_examples(capsys):
    for command in ["train", "evaluate", "predict", "gradcheck"]:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = capsys.readouterr().out
        assert "examples:" in out and f"nudges {command}" in out


@pytest.mark.parametrize("engine", ["reference", "auto"])
def test_train_with_adam_saves_its_state_and_resumes(tmp_path, sample_only, capsys, engine):
    path = tmp_path / "adam.npz"
    assert main(["train", *FAST, "--optimizer", "adam", "--eta", "0.003", "--beta2", "0.99",
                 "--engine", engine, "--save", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out
    assert main(["train", "--resume", str(path), "--epochs", "3", "--engine", engine]) == 0
    assert "Epoch 3/3" in capsys.readouterr().out
    assert json.loads(path.with_name(path.name + ".history.json").read_text())[
        "settings"]["optimizer"] == "adam"


@pytest.mark.parametrize(("flags", "message"), [
    (["--beta1", "0.8"], "the sgd optimizer does not use --beta1; drop it"),
    (["--optimizer", "momentum", "--momentum", "0.5", "--eps", "1e-6"],
     "the momentum optimizer does not use --eps"),
    (["--optimizer", "no-such-optimizer"],
     "unknown optimizer 'no-such-optimizer'; known: " + ", ".join(optimizers.OPTIMIZERS)),
])
def test_optimizer_flags_are_checked_in_one_line(sample_only, capsys, flags, message):
    assert main(["train", *FAST, *flags]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("command", ["train", "evaluate", "predict", "gradcheck", "explain",
                                     "noise", "plot", "serve"])
def test_help_states_each_default_once(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: None)" not in text
    for entry in re.split(r" (?=-{1,2}[a-z][\w-]* )", text):
        assert entry.count("default") <= 1, entry


def test_hidden_names_the_hidden_layers_as_sweep_does(sample_only, tmp_path, capsys):
    path = tmp_path / "h.npz"
    assert main(["train", "--hidden", "20-12", "--epochs", "1", "--quiet",
                 "--save", str(path)]) == 0
    assert load(path).sizes == [784, 20, 12, 10]
    assert main(["train", "--hidden", "20", "--layers", "784,20,10", "--epochs", "1"]) == 1
    assert "either --hidden" in capsys.readouterr().err


def test_ctrl_c_while_nudges_is_imported_is_one_line(monkeypatch, capsys):
    import builtins

    import nudges_launcher  # the console script's entry point
    real = builtins.__import__

    def interrupted(name, *args, **kwargs):
        if name == "nudges.cli":
            raise KeyboardInterrupt
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", interrupted)
    assert nudges_launcher.main() == 130
    assert capsys.readouterr().err == "nudges: interrupted\n"


def test_the_console_script_runs_the_cli(monkeypatch, capsys):
    import nudges_launcher
    monkeypatch.setattr("sys.argv", ["nudges", "--version"])
    with pytest.raises(SystemExit) as done:
        nudges_launcher.main()
    assert done.value.code == 0 and capsys.readouterr().out.startswith("nudges ")
