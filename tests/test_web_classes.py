"""The page's server with 28x28 pictures of any classes (issue 12): class names in /api/config
and /api/status, labels checked against the model's classes, networks sized by the data, and
`nudges serve` with --data or a model trained on such data (tables: test_web_tables.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from nudges.cli import main  # noqa: E402
from nudges.core.errors import InvalidInput  # noqa: E402
from nudges.core.network import Network  # noqa: E402
from nudges.data.mnist import Dataset  # noqa: E402
from nudges.web import create_app  # noqa: E402
from nudges.web.state import ServerState  # noqa: E402

from .tiny_data import idx_bytes  # noqa: E402
from .web_helpers import TestClient, drawing, error_of, our_threads, tiny_dataset  # noqa: E402

ANIMALS = ("cat", "dog", "cow", "owl")
SESSION = "classes-session-1"


@pytest.fixture(scope="module")
def client():
    app = create_app(Network([784, 8, 4], seed=0), tiny_dataset(200, 50, 60, classes=ANIMALS))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    assert not our_threads()


def test_the_class_names_are_reported(client):
    assert client.get("/api/config").json()["classes"] == list(ANIMALS)
    status = client.get("/api/status").json()
    assert status["classes"] == list(ANIMALS) and status["sizes"] == [784, 8, 4]


def test_a_forward_pass_gives_one_output_per_class(client):
    result = client.post("/api/forward", json={"image": drawing()}).json()
    assert len(result["activations"][-1]) == 4 and 0 <= result["prediction"] < 4


@pytest.mark.parametrize("path, extra", [("wishes", {}), ("step", {}), ("tour", {})])
def test_every_label_below_the_class_count_is_taken(client, path, extra):
    result = client.post(f"/api/{path}", json={"image": drawing(), "label": 3, **extra})
    assert result.status_code == 200, result.text


@pytest.mark.parametrize("path", ["wishes", "step", "tour"])
@pytest.mark.parametrize("label", [4, 9, 511])
def test_a_label_the_model_has_no_output_for_is_422(client, path, label):
    message = error_of(client.post(f"/api/{path}", json={"image": drawing(), "label": label}),
                       422)
    assert f"from 0 to 3 (the model's 4 classes: cat, dog, cow, owl), got {label}" in message


def test_a_label_past_any_network_is_refused_by_the_schema(client):
    assert "label" in error_of(client.post("/api/wishes", json={"image": drawing(),
                                                                "label": 512}), 422)


def test_watch_it_learn_builds_a_network_for_the_classes(client):
    run = client.post("/api/train/start", json={"session": SESSION, "hidden": [5],
                                                "epochs": 1}).json()
    assert run["sizes"] == [784, 5, 4]
    client.post("/api/train/control", json={"session": SESSION, "action": "stop"})


def test_the_quick_model_has_an_output_per_class():
    assert ServerState(None, tiny_dataset(classes=ANIMALS)).served.model.sizes == [784, 16, 16, 4]
    assert ServerState(None, None).served.model.sizes == [784, 16, 16, 10]  # MNIST, loaded later
    assert ServerState(None, None).data.classes() == tuple("0123456789")


def test_a_model_whose_outputs_are_not_the_classes_is_refused():
    with pytest.raises(InvalidInput, match=r"784-8-10\) has 10 outputs, but the page shows "
                                           r"the 4 classes of tiny"):
        create_app(Network([784, 8, 10], seed=0), tiny_dataset(classes=ANIMALS))
    with pytest.raises(InvalidInput, match="has 4 outputs, but the page shows MNIST's ten"):
        create_app(Network([784, 8, 4], seed=0))


def test_pictures_of_another_size_are_refused_in_one_line():
    rng = np.random.default_rng(0)
    split = (rng.random((30, 4), dtype=np.float32), rng.integers(0, 3, 30))
    big = Dataset(split, split, split, "pictures", "photos", classes=("a", "b", "c"),
                  shape=(2, 2))
    with pytest.raises(InvalidInput, match=r"photos is pictures of shape \(2, 2\), which it "
                                           "does not serve yet"):
        create_app(None, big)


def test_a_drawing_is_resized_as_the_data_s_pictures_were():
    from dataclasses import replace

    from nudges.data.images import to_mnist
    from nudges.data.own.folders import resized
    clothes = replace(tiny_dataset(classes=ANIMALS),
                      recipe={"format": "idx", "fit": "resize", "side": 28})
    picture = drawing()
    gray = np.asarray(picture["pixels"]).reshape(56, 56)
    for data, made in ((clothes, resized(gray, 28)),
                       (tiny_dataset(classes=ANIMALS), to_mnist(gray))):
        with TestClient(create_app(Network([784, 8, 4], seed=0), data),
                        base_url="http://127.0.0.1") as c:
            seen = c.post("/api/forward", json={"image": picture}).json()["input"]
        np.testing.assert_allclose(seen, made, atol=1e-3)
    assert np.abs(resized(gray, 28) - to_mnist(gray)).max() > 0.2     # the two differ


def test_resized_keeps_a_plain_grey_and_the_range():
    from nudges.data.own.folders import resized
    flat = resized(np.full((50, 70), 0.4), 28)
    assert flat.shape == (784,) and flat.dtype == np.float32
    np.testing.assert_allclose(flat, np.round(0.4 * 255) / 255, atol=1e-6)
    ramp = resized(np.tile(np.linspace(0, 1, 90), (90, 1)), 28).reshape(28, 28)
    assert 0 <= ramp.min() < 0.05 and 0.95 < ramp.max() <= 1 and (np.diff(ramp[14]) >= 0).all()


# -- the command ----------------------------------------------------------------------------
def write_letters(directory: Path, per_class: int = 4) -> Path:
    """EMNIST-letters-shaped 28x28 IDX files: images stored transposed, labels 1 to 26."""
    directory.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for part, n in (("train", per_class), ("test", 2)):
        labels = np.repeat(np.arange(1, 27), n).astype(np.uint8)
        images = rng.integers(0, 60, (len(labels), 28, 28)).astype(np.uint8)
        images[:, 4:24, 12] = 255                              # a bar: ink to centre
        images[:, 24, :] = (labels * 9)[:, None]               # tells the letters apart
        (directory / f"emnist-letters-{part}-images-idx3-ubyte").write_bytes(
            idx_bytes(images.transpose(0, 2, 1)))
        (directory / f"emnist-letters-{part}-labels-idx1-ubyte").write_bytes(idx_bytes(labels))
    return directory


def test_serve_data_shows_its_classes(served, tmp_path, capsys):
    letters = write_letters(tmp_path / "letters")
    assert main(["serve", "--data", str(letters), "--port", "8124"]) == 0
    state = served["app"].state.server_state
    assert state.data.classes() == tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert state.served.model.sizes == [784, 16, 16, 26] and state.quick.training


def test_serve_a_model_trained_on_letters_finds_its_data(served, tmp_path, capsys):
    letters, model = write_letters(tmp_path / "letters"), tmp_path / "letters.npz"
    assert main(["train", "--data", str(letters), "--preset", "book", "--epochs", "1",
                 "--engine", "numpy", "--quiet", "--save", str(model)]) == 0
    assert main(["serve", str(model), "--port", "8125"]) == 0
    state = served["app"].state.server_state
    assert state.served.model.sizes == [784, 30, 26] and state.data.classes()[-1] == "Z"
    assert state.data.dataset is not None and not state.quick.training
