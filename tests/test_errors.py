"""Bad input, end to end: each gets one line `nudges: error: ...` and exit status 1 from the
command line, and an exception of the nudges family (a ValueError where the input was wrong)
from the library. Plus divergence and the numerics that must not overflow."""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from nudges import Network
from nudges.cli import main
from nudges.core.activations import ACTIVATIONS, hidden_names
from nudges.core.costs import COSTS
from nudges.core.errors import (
    DataError,
    DataNotFound,
    InvalidInput,
    ModelFileError,
    NudgesError,
    TrainingDiverged,
)
from nudges.data.mnist import TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS
from nudges.files.models import load, save
from nudges.training.settings import Settings
from nudges.training.sgd import train, train_epochs

from .tiny_data import N_TRAIN, TINY, idx_bytes, tiny_arrays, write_tiny_mnist


def one_error_line(capsys: pytest.CaptureFixture[str], rc: int) -> str:
    """The single stderr line of a failed command, after checking the status and format."""
    err = capsys.readouterr().err
    assert rc == 1, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nudges: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_mnist(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "net.npz"
    save(Network([16, 8, 10], seed=0), path)
    return path


# --- data -----------------------------------------------------------------------------------

ARRAYS = tiny_arrays()
IMAGES, LABELS = ARRAYS[TRAIN_IMAGES], ARRAYS[TRAIN_LABELS]
BAD_DATA = {
    "bad magic": ({TRAIN_IMAGES: b"\x12\x34\x56\x78" + idx_bytes(IMAGES)[4:]}, "bad magic number"),
    "truncated": ({TRAIN_IMAGES: idx_bytes(IMAGES)[:-7]}, "but the file holds"),
    "dims disagree with length": ({TRAIN_LABELS: idx_bytes(LABELS) + b"\0\0"}, "trailing bytes"),
    "counts differ": ({TRAIN_LABELS: idx_bytes(LABELS[:-1])}, "images but .* labels"),
    "label 10": ({TEST_LABELS: idx_bytes(np.full(50, 10, np.uint8))}, "label 10 at index 0"),
    "empty file": ({TEST_IMAGES: b""}, "file is empty"),
    "float images": ({TRAIN_IMAGES: b"\0\0\x0d" + idx_bytes(IMAGES)[3:16]
                      + IMAGES.astype(">f4").tobytes()}, "holds float32 with 3 dims"),
    "header cut short": ({TRAIN_LABELS: b"\0\0\x08\x01\0"}, "header ends"),
    "claims 2^32 items": ({TRAIN_LABELS: b"\0\0\x08\x02" + b"\xff" * 8 + b"\1"}, "needs"),
}


@pytest.mark.parametrize("case", BAD_DATA, ids=list(BAD_DATA))
def test_bad_data_files(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changes, message = BAD_DATA[case]
    directory = write_tiny_mnist(tmp_path / "digits", **changes)
    line = one_error_line(capsys, main(["train", "--data", str(directory), *TINY]))
    assert any(stem in line for stem in changes) and re.search(message, line)


def test_a_gzip_that_is_not_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_tiny_mnist(tmp_path)
    (directory / f"{TRAIN_LABELS}.gz").write_bytes(b"\x1f\x8b" + b"not gzip at all")
    line = one_error_line(capsys, main(["train", "--data", str(directory), *TINY]))
    assert "starts like gzip (1f 8b) but is not a valid gzip stream" in line


def test_a_truncated_gzip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_tiny_mnist(tmp_path)
    (directory / f"{TRAIN_IMAGES}.gz").write_bytes(gzip.compress(idx_bytes(IMAGES))[:-100])
    assert "not a valid gzip stream" in one_error_line(
        capsys, main(["train", "--data", str(directory), *TINY]))


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "nowhere", "no such folder"),
    (lambda d: d, "lacks train-images-idx3-ubyte"),
    (lambda d: (d / "file.txt").write_text("x") and d / "file.txt", "not a folder"),
])
def test_missing_data(make, message, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = make(tmp_path)
    assert message in one_error_line(capsys, main(["train", "--data", str(path), *TINY]))
    with pytest.raises(DataNotFound):
        from nudges.data.mnist import load_mnist
        load_mnist(path)


# --- arrays given to the library ------------------------------------------------------------

NET = Network([4, 3, 2], seed=0)
X = np.random.default_rng(0).random((5, 4))
Y = np.array([0, 1, 1, 0, 1])


@pytest.mark.parametrize(("x", "message"), [
    (np.array([[np.nan, 0, 0, 0]]), "NaN or inf"),
    (np.array([[np.inf, 0, 0, 0]]), "NaN or inf"),
    (np.full((1, 4), 1e300), "too large for float32"),
    (np.zeros((5, 3)), r"shape \(n, 4\)"),
    (np.zeros((5, 4, 1)), r"shape \(n, 4\)"),
    (np.zeros((0, 4)), "n >= 1"),
    (np.zeros(3), r"got \(3,\)"),
    (np.array([["a", "b", "c", "d"]]), "must hold numbers"),
    (np.zeros((2, 4), complex), "must hold numbers"),
    ([[0, 0, 0, 0], [0, 0]], "rectangular"),
    (None, "must hold numbers"),
])
def test_bad_inputs(x: object, message: str) -> None:
    for call in (NET.feedforward, NET.predict, NET.trace):
        with pytest.raises(InvalidInput, match=message) as info:
            call(x)
        assert isinstance(info.value, ValueError)


def test_one_example_of_shape_n_in_is_a_row() -> None:
    assert NET.feedforward(X[0]).shape == (1, 2)
    assert NET.predict(X[0])[0] == NET.predict(X[:1])[0]
    assert NET.cost(X[0], 1) == NET.cost(X[:1], [1])                     # a scalar label
    assert NET.cost(X[0], [0, 1]) == NET.cost(X[:1], [1])                # a one-hot row


@pytest.mark.parametrize("y", [
    Y, Y.astype(np.uint8), Y.astype(np.float64), np.eye(2)[Y], np.eye(2, dtype=bool)[Y] * 1,
    Y[:, None],
])
def test_labels_and_one_hot_are_both_accepted(y: np.ndarray) -> None:
    assert NET.cost(X, y) == NET.cost(X, Y)
    assert NET.accuracy(X, y) == NET.accuracy(X, Y)


@pytest.mark.parametrize(("y", "message"), [
    (np.full((5, 2), 0.5), "must be one-hot rows"),                  # soft targets: ambiguous
    (np.eye(2)[Y] * 2, "must be one-hot rows"),
    (np.array([0, 1, 2, 0, 1]), r"labels must be in 0..1, got 2 at index 2"),
    (np.array([0, 1, -1, 0, 1]), "got -1"),
    (np.array([0, 1, 0.5, 0, 1]), "NaN, inf or fractions"),
    (np.array([0, 1, np.nan, 0, 1]), "NaN, inf or fractions"),
    (np.array([0, 1, 1e300, 0, 1]), "labels must be in"),
    (np.array(list("01010")), "labels must be integers"),
    (np.array([True, False] * 2 + [True]), "labels must be integers"),
    (np.zeros(4, int), r"got shape \(4,\)"),
    (np.zeros((5, 3)), r"got shape \(5, 3\)"),
    (np.zeros((5, 2, 1)), r"got shape \(5, 2, 1\)"),
    ([[0, 1], [1]], "rectangular"),
])
def test_bad_labels(y: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        NET.cost(X, y)
    with pytest.raises(InvalidInput, match=message):
        train(NET.copy(), X, y, epochs=1, batch_size=5)


# --- hyperparameters ------------------------------------------------------------------------

BAD_FLAGS = {
    "input layer": (["--layers", "784,8,10"], "do not fit the data: it has 16 pixels"),
    "output layer": (["--layers", "16,8,5"], "the last 10"),
    "zero size": (["--layers", "16,0,10"], "positive integers"),
    "negative size": (["--layers", "16,-3,10"], "positive integers"),
    "one layer": (["--layers", "16"], "at least two"),
    "not numbers": (["--layers", "16,x,10"], "comma-separated integers"),
    "eta 0": (["--eta", "0"], "eta .* must be a finite number > 0, got 0.0"),
    "eta < 0": (["--eta", "-1"], "eta .* > 0, got -1.0"),
    "eta nan": (["--eta", "nan"], "eta .* got nan"),
    "batch 0": (["--batch-size", "0"], f"from 1 to the training-set size {N_TRAIN}, got 0"),
    "batch too big": (["--batch-size", str(N_TRAIN + 1)], "training-set size 200, got 201"),
    "epochs 0": (["--epochs", "0"], "epochs must be an integer >= 1, got 0"),
    "epochs < 0": (["--epochs", "-2"], "epochs must be an integer >= 1, got -2"),
    "activation": (["--activation", "no-such-activation"], "unknown hidden activation "
                   "'no-such-activation'; known: " + ", ".join(hidden_names())),
    "output": (["--output", "relu"], "unknown output activation 'relu'; known: sigmoid, softmax"),
    "cost": (["--cost", "no-such-cost"],
             "unknown cost 'no-such-cost'; known: quadratic, cross-entropy"),
    "softmax + quadratic": (["--output", "softmax"], "a softmax output layer does not go with "
                            r"the quadratic cost \(use cross-entropy\)"),
    "init": (["--init", "zeros"], "unknown init 'zeros'; known: scaled, normal, he"),
    "dtype": (["--dtype", "float16"], "unknown dtype 'float16'; known: float32, float64"),
    "schedule": (["--schedule", "step"], "unknown learning-rate schedule 'step'"),
    "momentum": (["--momentum", "1"], r"momentum must be in \[0, 1\)"),
    "lmbda": (["--lmbda", "-1"], "lmbda .* >= 0"),
    "decay blows up": (["--eta", "100", "--lmbda", "10"], "eta \\* lmbda / n = 5 would"),
    "shift": (["--shift", "5"], "shift must be an integer from 0 to 4"),
    "checkpoint without save": (["--checkpoint-every", "2"], "needs N >= 1 and --save"),
}


@pytest.mark.parametrize("case", BAD_FLAGS, ids=list(BAD_FLAGS))
def test_bad_hyperparameters(case: str, tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flags, message = BAD_FLAGS[case]
    line = one_error_line(capsys, main(["train", "--data", str(tiny), *TINY, *flags]))
    assert re.search(message, line), line


def test_save_where_it_cannot(tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              ) -> None:
    for target, message in ((tmp_path / "no" / "net.npz", "does not exist"),
                            (tmp_path, "it is a folder")):
        rc = main(["train", "--data", str(tiny), *TINY, "--save", str(target)])
        assert message in one_error_line(capsys, rc)
    rc = main(["train", "--data", str(tiny), *TINY, "--save", str(tmp_path / "n.npz"),
               "--checkpoint-every", "0"])
    assert "N >= 1" in one_error_line(capsys, rc)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(epochs=0), "epochs"), (dict(epochs=2.5), "epochs"), (dict(batch_size=6), "batch size"),
    (dict(batch_size=0), "batch size"), (dict(eta=0.0), "eta"), (dict(eta=float("inf")), "eta"),
    (dict(momentum=-0.1), "momentum"), (dict(schedule="step"), "schedule"),
    (dict(shift=5), "shift must be an integer from 0 to 4"),
])
def test_bad_settings_in_the_library(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        train(NET.copy(), X, Y, **{"batch_size": 5, **kwargs})


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(sizes=[4, 0, 2]), "positive integers"), (dict(sizes=[4]), "at least two"),
    (dict(sizes="abc"), "integers"), (dict(sizes=[4, 2.5, 2]), "positive integers"),
    (dict(activation="softmax"), "unknown hidden activation 'softmax'"),
    (dict(output="tanh"), "known: sigmoid, softmax"),
    (dict(output="softmax"), "does not go with the quadratic cost"),
    (dict(cost="mse"), "known: quadratic, cross-entropy"),
    (dict(dtype="int32"), "unknown dtype"), (dict(init="xavier"), "unknown init"),
])
def test_bad_network_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Network(**{"sizes": [4, 3, 2], **kwargs})


# --- models ---------------------------------------------------------------------------------

def members(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as npz:
        return {k: npz[k] for k in npz.files}


def meta_bytes(meta: dict) -> np.ndarray:
    return np.frombuffer(json.dumps(meta).encode(), np.uint8)


def tamper(model: Path, tmp_path: Path, **changes: object) -> Path:
    """A copy of the model with members replaced (None removes one); metadata as a dict."""
    content = members(model)
    meta = json.loads(content["metadata"].tobytes())
    if isinstance(changes.get("metadata"), dict):
        changes["metadata"] = meta_bytes(meta | changes["metadata"])  # type: ignore[operator]
    for name, value in changes.items():
        if value is None:
            del content[name]
        else:
            content[name] = value  # type: ignore[assignment]
    path = tmp_path / f"bad{len(list(tmp_path.glob('bad*.npz')))}.npz"
    np.savez(path, **content)
    return path


class Payload:
    """Unpickling this creates `marker`: proof that a loader ran code from the file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (open, (str(self.marker), "w"))


Build = Callable[[Path, Path], Path]          # (model, tmp_path) -> a bad copy


def broken(name: str, damage: Callable[[bytes], bytes] | None) -> Build:
    """A builder of a damaged copy of the model's bytes, written as tmp_path / name."""
    def build(model: Path, tmp_path: Path) -> Path:
        path = tmp_path / name
        if damage is not None:
            path.write_bytes(damage(model.read_bytes()))
        return path
    return build


def flip(raw: bytes) -> bytes:
    return raw[:200] + bytes([raw[200] ^ 0xFF]) + raw[201:]                  # inside w0's data


def plain_npy(raw: bytes) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(3))
    return buffer.getvalue()


def with_network(**changes: object) -> Build:
    def build(model: Path, tmp_path: Path) -> Path:
        config = json.loads(members(model)["metadata"].tobytes())["network"]
        return tamper(model, tmp_path, metadata={"network": config | changes})
    return build


def changed(**members_: object) -> Build:
    return lambda model, tmp_path: tamper(model, tmp_path, **members_)


def pickled(model: Path, tmp_path: Path) -> Path:
    return tamper(model, tmp_path, w0=np.array([Payload(tmp_path / "ran")], dtype=object))


BAD_MODELS = {
    "missing": (broken("missing.npz", None), "no such model file"),
    "empty": (broken("empty.npz", lambda raw: b""), "not a readable .npz"),
    "truncated": (broken("cut.npz", lambda raw: raw[:len(raw) // 2]), "not a readable .npz"),
    "not a zip": (broken("text.npz", lambda raw: b"weights: 0.1 0.2\n"), "not a readable"),
    "a plain .npy": (broken("plain.npz", plain_npy), "not a readable .npz"),
    "a flipped byte": (broken("flip.npz", flip), "corrupt|CRC|not a readable"),
    "wrong shape": (changed(w0=np.zeros((8, 15), np.float32)), "need w0 of shape \\(8, 16\\)"),
    "missing layer": (changed(w1=None), "need w1"),
    "wrong dtype": (changed(b0=np.zeros(8)), "b0 is stored as float64"),
    "sizes lie": (with_network(sizes=[16, 10**9, 10]), "over the limit of 50,000,000"),
    "unknown activation": (with_network(activation="no-such-activation"),
                           "unknown hidden activation"),
    "NaN weights": (changed(w1=np.full((10, 8), np.nan, np.float32)), "NaN or inf"),
    "newer format": (changed(metadata={"version": 2}), "format version 2 is not supported"),
    "another format": (changed(metadata={"format": "keras"}), "format tag"),
    "no metadata": (changed(metadata=None), "no metadata"),
    "metadata not JSON": (changed(metadata=np.frombuffer(b"{oops", np.uint8)), "not valid JSON"),
    "pickled objects": (pickled, "refused, w0.npy holds pickled objects"),
}


@pytest.mark.parametrize("case", BAD_MODELS)
def test_bad_model_files(case: str, model: Path, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    build, message = BAD_MODELS[case]
    path = build(model, tmp_path)
    for command in (["evaluate", str(path)], ["train", "--resume", str(path)]):
        assert re.search(message, one_error_line(capsys, main(command)))
    with pytest.raises(ModelFileError, match=message) as info:
        load(path)
    assert isinstance(info.value, ValueError)
    assert not (tmp_path / "ran").exists()


def test_the_pickle_payload_is_live_but_never_run(model: Path, tmp_path: Path) -> None:
    path = pickled(model, tmp_path)
    with pytest.raises(ModelFileError):
        load(path)
    assert not (tmp_path / "ran").exists()
    with np.load(path, allow_pickle=True) as npz:     # the control: np.load with pickles
        npz["w0"][0].close()                          # ... runs it: open(marker, "w")
    assert (tmp_path / "ran").exists()


def test_predict_with_a_bad_model_or_image(model: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.png").write_text("not an image")
    for image, message in ((tmp_path / "none.png", "no such image file"),
                           (tmp_path / "empty.png", "the file is empty"),
                           (tmp_path / "notes.png", "not an image Pillow can read")):
        line = one_error_line(capsys, main(["predict", str(model), str(image)]))
        assert str(image) in line and message in line
    assert "no such model" in one_error_line(
        capsys, main(["predict", str(tmp_path / "none.npz"), str(tmp_path / "notes.png")]))


# --- divergence -----------------------------------------------------------------------------

def diverging() -> tuple[Network, np.ndarray, np.ndarray, Settings]:
    """ReLU and a huge η: the activations, then the gradient, overflow in epoch 1."""
    rng = np.random.default_rng(0)
    net = Network([16, 32, 32, 10], activation="relu", output="softmax", cost="cross-entropy",
                  init="he", seed=0)
    return net, rng.random((200, 16)), rng.integers(0, 10, 200), Settings(
        epochs=5, batch_size=10, eta=1e6, seed=0)


def test_divergence_stops_at_the_step_and_keeps_the_last_good_weights() -> None:
    net, x, y, settings = diverging()
    before: list[list[np.ndarray]] = []

    def snapshot(step: int, n_batches: int) -> None:
        before.append([p.copy() for p in net.weights + net.biases])

    with pytest.raises(TrainingDiverged, match="epoch 1, mini-batch 3: .*smaller eta"
                       r" \(now 1e\+06\)") as info:
        list(train_epochs(net, x, y, settings, on_batch=snapshot))
    assert isinstance(info.value, NudgesError) and not isinstance(info.value, ValueError)
    assert len(before) == 2                                  # steps 1 and 2 finished
    for kept, good in zip(net.weights + net.biases, before[-1], strict=True):
        assert np.isfinite(kept).all()
        np.testing.assert_array_equal(kept, good)


@pytest.mark.parametrize("compiled", [True, False])
def test_divergence_keeps_finite_weights_when_the_gradient_product_overflows(
        compiled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    import nudges.engines.reference
    if compiled and not nudges.engines.reference.compiled_available():
        pytest.skip("the compiled step needs the `fast` extra (numba, scipy)")
    monkeypatch.setattr(nudges.engines.reference, "compiled_available", lambda: compiled)
    rng = np.random.default_rng(0)
    x, y = rng.random((200, 16)), rng.integers(0, 10, 200)
    net = Network([16, 64, 64, 64, 10], activation="relu", output="sigmoid",
                  cost="cross-entropy", init="he", seed=2)
    with pytest.raises(TrainingDiverged, match="epoch 1, mini-batch"):
        list(train_epochs(net, x, y, Settings(epochs=1, batch_size=10, eta=1e4, seed=2)))
    assert all(np.isfinite(p).all() for p in net.weights + net.biases)


def test_divergence_in_the_cli_keeps_the_previous_file(
        tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "net.npz"
    flags = ["train", "--data", str(tiny), *TINY, "--save", str(path), "--activation", "relu",
             "--output", "softmax", "--cost", "cross-entropy", "--init", "he"]
    assert main([*flags, "--epochs", "1", "--quiet"]) == 0
    good = path.read_bytes()
    capsys.readouterr()
    rc = main([*flags, "--layers", "16,32,32,10", "--eta", "1e9", "--epochs", "3",
               "--checkpoint-every", "1"])
    line = one_error_line(capsys, rc)
    assert "training diverged at epoch 1, mini-batch" in line and "smaller eta" in line
    assert path.read_bytes() == good
    assert all(np.isfinite(p).all() for p in load(path).weights)


def test_runaway_weight_decay_is_refused_up_front() -> None:
    with pytest.raises(InvalidInput, match="weight decay"):       # w ← (1 − ηλ/n) w grows
        train(Network([4, 3, 2], activation="tanh", seed=0), X, Y, eta=10, lmbda=2, epochs=1,
              batch_size=5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_and_costs_do_not_overflow(dtype: type) -> None:
    z = np.array([[-1e4, -100, 0, 100, 1e4], [1e4, 1e4, -1e4, 0, 3]], dtype)   # warnings: errors
    y = np.eye(5, dtype=dtype)[[0, 2]]
    for activation in ACTIVATIONS.values():
        a = activation.f(z)
        assert a.dtype == dtype and np.isfinite(a).all()
        if activation.prime is not None:
            assert np.isfinite(activation.prime(z, a)).all()
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].f(z)[0, [0, -1]], [0, 1], rtol=0, atol=1e-37)
    for cost in COSTS.values():
        for name in cost.outputs:
            a = ACTIVATIONS[name].f(z)
            value = cost.value(z, a, y, ACTIVATIONS[name])
            assert value.dtype == dtype and np.isfinite(value).all()
            assert np.isfinite(cost.delta(z, a, y, ACTIVATIONS[name])).all()
    ce = COSTS["cross-entropy"].value(z, ACTIVATIONS["softmax"].f(z), y, ACTIVATIONS["softmax"])
    np.testing.assert_allclose(ce, [2e4, 2e4 + np.log(2)], rtol=1e-6)   # −ln a_y, exactly


def test_every_error_is_in_the_family() -> None:
    for error in (InvalidInput, DataError, DataNotFound, ModelFileError):
        assert issubclass(error, NudgesError) and issubclass(error, ValueError)
    assert issubclass(TrainingDiverged, NudgesError)
