"""Your own data (nudges.data.own): IDX sets of any shape, image folders, CSV and NumPy tables,
through the library and the CLI (train, evaluate, predict, explain), and each bad input's line.

Every data set here is built in a temporary folder in milliseconds; networks are tiny.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nudges
from nudges.cli import main
from nudges.core.errors import DataError, InvalidInput
from nudges.data.mnist import load_mnist
from nudges.data.own import load_dataset
from nudges.data.own.splits import stratified

from .tiny_data import idx_bytes, write_tiny_mnist

PIL = pytest.importorskip("PIL.Image")
FAST = ["--epochs", "2", "--batch-size", "10", "--engine", "numpy", "--quiet"]
SIDE = 8


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Converted image folders are cached under this test's own folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def one_error_line(capsys: pytest.CaptureFixture[str], rc: int) -> str:
    out, err = capsys.readouterr()
    assert rc == 1 and err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("nudges: error: ")
    return err.strip()


def letter_l(rng: np.random.Generator) -> np.ndarray:
    """An upright 'L' (SIDE x SIDE): a bar down column 1, a bar along row 6."""
    image = rng.integers(0, 30, (SIDE, SIDE))
    image[1:7, 1] = 255
    image[6, 1:6] = 255
    return image


def write_emnist_letters(directory: Path, per_class: int = 6) -> Path:
    """EMNIST-letters-shaped IDX files: images stored transposed, labels 1 to 26."""
    directory.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for part, n in (("train", per_class), ("test", 2)):
        labels = np.repeat(np.arange(1, 27), n).astype(np.uint8)
        images = np.stack([letter_l(rng) for _ in labels])
        images[:, 0, :] = (labels * 9)[:, None]            # row 0 tells the letters apart
        stored = images.transpose(0, 2, 1)                  # how EMNIST stores them
        (directory / f"emnist-letters-{part}-images-idx3-ubyte").write_bytes(idx_bytes(stored))
        (directory / f"emnist-letters-{part}-labels-idx1-ubyte").write_bytes(idx_bytes(labels))
    return directory


def test_emnist_letters_come_out_upright_with_letter_names(tmp_path: Path) -> None:
    data = load_dataset(write_emnist_letters(tmp_path / "letters"))
    assert data.classes == tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ") and data.shape == (SIDE, SIDE)
    first = data.test[0][data.test[1] == 0][0].reshape(SIDE, SIDE)
    assert (first[1:7, 1] == 1).all() and (first[6, 1:6] == 1).all()   # the L stands upright
    assert first[1, 5] < 0.2                                            # not lying on its back
    assert np.array_equal(np.bincount(data.test[1]), np.full(26, 2))    # 1-26 became 0-25
    assert data.recipe["set"] == "emnist-letters" and data.name == "emnist-letters"


def test_emnist_letters_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    folder = write_emnist_letters(tmp_path / "letters")
    model = tmp_path / "letters.npz"
    assert main(["train", "--data", str(folder), "--preset", "book", *FAST,
                 "--save", str(model)]) == 0
    assert nudges.load(model).sizes == [SIDE * SIDE, 30, 26]     # sizes from the data
    capsys.readouterr()
    assert main(["evaluate", str(model)]) == 0                    # finds its data itself
    out = capsys.readouterr().out
    assert re.search(r"test \d+/52 ", out) and re.search(r"true\\said +A +B +C", out)
    picture = tmp_path / "l.png"
    PIL.fromarray(np.kron(letter_l(np.random.default_rng(1)), np.ones((4, 4))).astype(
        np.uint8)).save(picture)
    assert main(["predict", str(model), str(picture)]) == 0
    assert re.fullmatch(r"\S+l\.png: [A-Z]   A:0\.\d{3} B:.* Z:0\.\d{3}\n",
                        capsys.readouterr().out)
    assert main(["explain", str(model), "--index", "0", "--wish", "L"]) == 0
    out = capsys.readouterr().out
    assert "test image #0 (labelled" in out and "wishing for an 'L'" in out


def test_an_mnist_folder_loads_as_load_mnist_does(tmp_path: Path) -> None:
    folder = write_tiny_mnist(tmp_path / "tiny")
    ours, theirs = load_dataset(folder), load_mnist(folder)
    for a, b in zip((ours.train, ours.validation, ours.test),
                    (theirs.train, theirs.validation, theirs.test)):
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert ours.source == theirs.source and ours.classes == tuple("0123456789")


def test_idx_label_count_differs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_emnist_letters(tmp_path / "letters")
    labels = folder / "emnist-letters-train-labels-idx1-ubyte"
    labels.write_bytes(idx_bytes(np.ones(5, np.uint8)))
    line = one_error_line(capsys, main(["train", "--data", str(folder), *FAST]))
    assert "holds 156 images but emnist-letters-train-labels-idx1-ubyte holds 5 labels" in line


def test_a_named_set_needs_a_known_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    folder = write_emnist_letters(tmp_path / "letters")
    line = one_error_line(capsys, main(["train", "--data", str(folder), "--dataset", "emnist"]))
    assert "unknown --dataset 'emnist'; known: mnist, fashion-mnist, kmnist" in line


# --- image folders ----------------------------------------------------------------------------

SHAPES = {"box": lambda d, s: d.rectangle((s // 4, s // 4, 3 * s // 4, 3 * s // 4), fill="black"),
          "dot": lambda d, s: d.ellipse((s // 3, s // 3, 2 * s // 3, 2 * s // 3), fill="black"),
          "bar": lambda d, s: d.rectangle((s // 2 - 2, 2, s // 2 + 2, s - 3), fill="black")}


def write_folder(root: Path, per_class: int = 12, classes: dict | None = None) -> Path:
    """One sub-folder per class of pictures in mixed sizes and modes (RGB, L, RGBA)."""
    from PIL import ImageDraw
    for i, (name, draw) in enumerate((classes or SHAPES).items()):
        (root / name).mkdir(parents=True)
        for k in range(per_class):
            size = 20 + 7 * (k % 4)
            im = PIL.new(("RGB", "L", "RGBA")[(i + k) % 3], (size, size + k % 3), "white")
            draw(ImageDraw.Draw(im), size)
            im.save(root / name / f"{k}.png")
    return root


def test_an_image_folder_trains_evaluates_predicts_and_explains(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_folder(tmp_path / "shapes")
    model = tmp_path / "shapes.npz"
    assert main(["train", "--data", str(root), "--image-size", "12", "--layers", "144,10,3",
                 "--epochs", "3", "--batch-size", "5", "--eta", "1", "--engine", "numpy", "--quiet",
                 "--save", str(model)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(model)]) == 0
    assert re.search(r"true\\said +bar +box +dot", capsys.readouterr().out)
    assert main(["predict", str(model), str(root / "dot" / "3.png")]) == 0
    assert re.search(r"3\.png: (bar|box|dot)   bar:0\.\d+ box:0\.\d+ dot:0\.\d+",
                     capsys.readouterr().out)
    assert main(["explain", str(model), "--index", "1", "--wish", "dot"]) == 0
    assert "wishing for a 'dot'" in capsys.readouterr().out


def test_a_folder_converts_once_then_comes_from_the_cache(
        tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_folder(tmp_path / "shapes", per_class=5)
    first = load_dataset(root, image_size=10)
    assert len(list(own_cache.rglob("*.npz"))) == 1
    monkeypatch.setattr("nudges.data.own.folders.picture_row", pytest.fail)   # not called
    again = load_dataset(root, image_size=10)
    assert np.array_equal(first.train[0], again.train[0]) and first.shape == (10, 10)


def test_digit_folders_are_fitted_the_mnist_way(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "digits", per_class=4,
                        classes={"1": SHAPES["bar"], "0": SHAPES["dot"]})
    data = load_dataset(root)
    assert data.recipe["fit"] == "mnist" and data.train[0].shape[1] == 784
    assert data.classes == ("0", "1")
    ink = data.train[0][0].reshape(28, 28)
    assert ink[:4].max() == 0 and ink[14, 14] > 0.5             # white on black, centred


def test_given_train_and_test_folders_are_kept(tmp_path: Path) -> None:
    write_folder(tmp_path / "set" / "train", per_class=6)
    write_folder(tmp_path / "set" / "test", per_class=2)
    data = load_dataset(tmp_path / "set", image_size=6)
    assert len(data.test[1]) == 6 and len(data.train[1]) + len(data.validation[1]) == 18


def test_progress_is_reported_for_each_image(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "shapes", per_class=3)
    seen: list[tuple[int, int]] = []
    load_dataset(root, image_size=6, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 9) for i in range(1, 10)]


def test_bad_files_are_named_and_skipped_only_when_asked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_folder(tmp_path / "shapes", per_class=6)
    (root / "box" / "notes.txt").write_text("not a picture")
    line = one_error_line(capsys, main(["train", "--data", str(root), *FAST]))
    assert "notes.txt: not an image Pillow can read" in line and "--skip-bad" in line
    assert main(["train", "--data", str(root), "--skip-bad", *FAST]) == 0


@pytest.mark.parametrize(("make", "message"), [
    (lambda r: r.mkdir(), "holds no class sub-folders of images"),
    (lambda r: (r / "a").mkdir(parents=True) or (r / "b").mkdir() or write_folder(r / "c"),
     "class folder 'a' has no images"),
    (lambda r: write_folder(r, classes={"only": SHAPES["box"]}), "only one class folder"),
])
def test_bad_folders(make, message, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "root"
    make(root)
    assert message in one_error_line(capsys, main(["train", "--data", str(root), *FAST]))


# --- tables -----------------------------------------------------------------------------------

def write_iris(path: Path) -> Path:
    """scikit-learn's bundled iris table, as a CSV file with a header."""
    sklearn = pytest.importorskip("sklearn.datasets")
    iris = sklearn.load_iris()
    header = ",".join(["sepal_length", "sepal_width", "petal_length", "petal_width", "species"])
    rows = [",".join([*map(str, x), iris.target_names[y]]) for x, y in zip(iris.data,
                                                                          iris.target)]
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_a_csv_trains_and_records_its_scaling(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    csv = write_iris(tmp_path / "iris.csv")
    model = tmp_path / "iris.npz"
    assert main(["train", "--data", str(csv), "--preset", "book", "--epochs", "30",
                 "--engine", "numpy", "--quiet", "--save", str(model)]) == 0
    accuracy = float(re.search(r"\((\d+\.\d+)%\)", capsys.readouterr().out).group(1))
    assert accuracy >= 80
    data = load_dataset(csv)
    with zipfile.ZipFile(model) as zf:
        meta = json.loads(np.load(zf.open("metadata.npy")).tobytes())
    recorded = meta["checkpoint"]["data"]["dataset"]
    assert recorded["classes"] == ["setosa", "versicolor", "virginica"]
    raw_train_mean = np.asarray(recorded["recipe"]["scaling"]["mean"])
    assert np.allclose(data.train[0].mean(axis=0), 0, atol=1e-5)
    assert raw_train_mean.shape == (4,) and 5 < raw_train_mean[0] < 6.5   # cm, not z-scores
    rows = tmp_path / "rows.csv"
    rows.write_text("petal_width,sepal_length,sepal_width,petal_length\n0.2,5.1,3.5,1.4\n"
                    "2.3,6.7,3.0,5.2\n")
    assert main(["predict", str(model), str(rows)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{rows} row 1: setosa ") and "row 2: virginica " in lines[1]


def test_a_model_refuses_data_that_does_not_fit(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "iris.npz"
    assert main(["train", "--data", str(write_iris(tmp_path / "iris.csv")), *FAST,
                 "--save", str(model)]) == 0
    capsys.readouterr()
    other = tmp_path / "other.csv"
    other.write_text("a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40)))
    line = one_error_line(capsys, main(["evaluate", str(model), "--data", str(other)]))
    assert "other.csv: lacks the columns 'sepal_length', 'sepal_width'" in line   # by name
    same_width = tmp_path / "same.csv"
    same_width.write_text("a,b,c,d,label\n" + "".join(f"{i},1,2,3,{i % 2}\n" for i in range(30)))
    line = one_error_line(capsys, main(["evaluate", str(model), "--data", str(same_width)]))
    assert "lacks the columns" in line and "'species'" in line      # renamed: refused
    letters = write_emnist_letters(tmp_path / "letters")
    line = one_error_line(capsys, main(["evaluate", str(model), "--data", str(letters)]))
    assert f"{model} takes 4 inputs (trained on csv data of shape (4,)), but" in line
    renamed = tmp_path / "renamed.csv"
    renamed.write_text((tmp_path / "iris.csv").read_text().replace("setosa", "rose"))
    line = one_error_line(capsys, main(["evaluate", str(model), "--data", str(renamed)]))
    assert "trained on the classes setosa, versicolor, virginica, but" in line


BAD_CSV = {
    "missing value": ("a,b,y\n1,,0\n2,3,1\n", "column 'b', line 2: missing value"),
    "non-numeric": ("a,b,y\n1,red,0\n2,3,1\n", "'red' is not a number"),
    "single class": ("a,y\n1,0\n2,0\n3,0\n", "every example is of one class"),
    "float labels": ("a,y\n1,0.5\n2,1.5\n", "label '0.5' in row 1 is a number with a fraction"),
    "NaN": ("a,y\n1,0\nnan,1\n", "missing value ('nan')"),
    "infinite": ("a,y\n1,0\ninf,1\n", "'inf' is not finite"),
    "ragged": ("a,b,y\n1,2\n", "line 2 has 2 cells but the header has 3"),
}


@pytest.mark.parametrize("case", BAD_CSV, ids=list(BAD_CSV))
def test_bad_csv(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, message = BAD_CSV[case]
    path = tmp_path / "t.csv"
    path.write_text(text)
    line = one_error_line(capsys, main(["train", "--data", str(path), *FAST]))
    assert message in line, line


def test_a_label_column_that_does_not_exist(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    csv = write_iris(tmp_path / "iris.csv")
    line = one_error_line(capsys, main(["train", "--data", str(csv), "--label", "kind"]))
    assert "no column named 'kind' for --label; the columns are sepal_length," in line


def test_npz_and_npy_pairs(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 3)), np.repeat([0, 1, 2], 20)
    np.savez(tmp_path / "d.npz", x=x, y=y, x_test=x[:9], y_test=y[::7][:9])
    data = load_dataset(tmp_path / "d.npz")
    assert len(data.test[1]) == 9 and data.classes == ("0", "1", "2")
    (tmp_path / "pair").mkdir()
    np.save(tmp_path / "pair" / "x.npy", (x * 40 + 100).clip(0, 255).astype(np.uint8))
    np.save(tmp_path / "pair" / "y.npy", np.array(["a", "b", "c"])[y])
    data = load_dataset(tmp_path / "pair")
    assert data.classes == ("a", "b", "c") and data.train[0].max() <= 1   # bytes are pixels
    np.save(tmp_path / "pair" / "y.npy", y + 0.5)
    with pytest.raises(DataError, match="the labels are floats"):
        load_dataset(tmp_path / "pair")


def test_npz_refuses_pickles(tmp_path: Path) -> None:
    np.savez(tmp_path / "p.npz", x=np.array([{"a": 1}], dtype=object), y=np.array([0]))
    with pytest.raises(DataError, match="without pickle"):
        load_dataset(tmp_path / "p.npz")


# --- splits -----------------------------------------------------------------------------------

def test_splits_are_seeded_and_stratified() -> None:
    y = np.repeat([0, 1, 2], [50, 30, 20])
    train, validation, test = stratified(y, (0.1, 0.2), seed=3)
    assert sorted(np.concatenate([train, validation, test])) == list(range(100))
    assert list(np.bincount(y[test])) == [10, 6, 4]
    assert list(np.bincount(y[validation])) == [5, 3, 2]
    again = stratified(y, (0.1, 0.2), seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((train, validation, test), again))
    assert not np.array_equal(test, stratified(y, (0.1, 0.2), seed=4)[2])


def test_small_sets_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text("a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(12)))
    data = load_dataset(path, validation_size=2, test_size=4)
    assert [len(s[1]) for s in (data.train, data.validation, data.test)] == [6, 2, 4]
    with pytest.raises(InvalidInput, match="a whole count below the 12 examples"):
        load_dataset(path, test_size=12)


def test_few_examples_of_many_classes_still_make_every_part() -> None:
    y = np.repeat(np.arange(10), 2)                   # 2 of each: 0.2 of each class rounds to 0
    train, validation, test = stratified(y, (0.1, 0.2), seed=0)
    assert (len(train), len(validation), len(test)) == (14, 2, 4)
    assert set(y[train]) == set(range(10))              # every class keeps a training example


# --- every format through the CLI -------------------------------------------------------------

def write_table(kind: str, root: Path) -> tuple[Path, Path]:
    """iris as a CSV file, a .npz file or a folder of .npy files; and a file of rows to predict
    (CSV rows with the model's columns, or .npy rows)."""
    sklearn = pytest.importorskip("sklearn.datasets")
    iris = sklearn.load_iris()
    root.mkdir()
    rows = root / "rows.npy"
    np.save(rows, iris.data[[0, 120]])
    if kind == "csv":
        rows = root / "rows.csv"
        rows.write_text("petal_width,sepal_length,sepal_width,petal_length\n0.2,5.1,3.5,1.4\n"
                        "2.3,6.7,3.0,5.2\n")
        return write_iris(root / "iris.csv"), rows
    if kind == "npz":
        np.savez(root / "iris.npz", x=iris.data, y=iris.target)
        return root / "iris.npz", rows
    (root / "pair").mkdir()
    np.save(root / "pair" / "x.npy", iris.data)
    np.save(root / "pair" / "y.npy", iris.target_names[iris.target])
    return root / "pair", rows


@pytest.mark.parametrize("kind", ["csv", "npz", "npy"])
def test_tables_train_evaluate_predict_explain_noise_and_plot(
        kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, rows = write_table(kind, tmp_path / "t")
    model = tmp_path / "table.npz"
    assert main(["train", "--data", str(data), "--preset", "book", "--epochs", "30",
                 "--engine", "numpy", "--quiet", "--save", str(model)]) == 0
    assert nudges.load(model).sizes == [4, 30, 3]
    capsys.readouterr()
    assert main(["evaluate", str(model)]) == 0
    out = capsys.readouterr().out
    assert float(re.search(r"test \d+/30 \((\d+\.\d+)%\)", out).group(1)) >= 80
    names = ["setosa", "versicolor", "virginica"] if kind != "npz" else ["0", "1", "2"]
    assert re.search(r"true\\said +" + " +".join(names), out)
    assert main(["predict", str(model), str(rows)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{rows} row 1: {names[0]} ") and f"row 2: {names[2]} " in lines[1]
    assert main(["explain", str(model), "--index", "2"]) == 0
    out = capsys.readouterr().out
    assert "test example #2 (labelled" in out and "pixel" not in out
    assert ("feature 'petal_length'" in out) == (kind == "csv")
    assert main(["noise", str(model)]) == 0
    assert main(["plot", str(model), "--out", str(tmp_path / "figures")]) == 0
    made = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert made == ["confusion.png", "curves.png", "weights.png"]     # no pictures to show


def test_the_format_can_be_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = write_iris(tmp_path / "iris.csv").rename(tmp_path / "iris.txt")
    line = one_error_line(capsys, main(["train", "--data", str(csv), *FAST]))
    assert "cannot tell the format of a .txt file" in line and "--data-format" in line
    assert main(["train", "--data", str(csv), "--data-format", "csv", *FAST]) == 0
    line = one_error_line(capsys, main(["train", "--data", str(csv), "--data-format", "idx",
                                        *FAST]))
    assert "the idx format needs a folder, got a file" in line


@pytest.mark.parametrize(("folder", "first"), [("KMNIST", ("o", "ki", "su")),
                                              ("my-emnist", tuple("012"))])
def test_other_sets_are_told_by_their_folder_or_counts(folder: str, first: tuple[str, ...],
                                                       tmp_path: Path) -> None:
    data = load_dataset(write_tiny_mnist(tmp_path / folder))
    assert data.classes[:3] == first and len(data.classes) == 10


def test_a_folder_named_for_fashion_mnist_has_clothing_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_tiny_mnist(tmp_path / "fashion-mnist")
    data = load_dataset(folder)
    assert data.classes[:3] == ("T-shirt/top", "Trouser", "Pullover") and data.name == \
        "fashion-mnist"
    model = tmp_path / "f.npz"
    assert main(["train", "--data", str(folder), *FAST, "--save", str(model)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(model)]) == 0
    assert re.search(r"true\\said +T-shirt/top +Trouser +Pullover", capsys.readouterr().out)


def test_a_small_idx_set_validates_on_a_sixth(tmp_path: Path) -> None:
    data = load_dataset(write_emnist_letters(tmp_path / "letters"))   # 156 training images
    assert len(data.validation[1]) == 26 and len(data.train[1]) == 130


# --- bad input: one line, nothing half-written ------------------------------------------------

def test_a_damaged_picture_is_named_and_nothing_is_written(
        tmp_path: Path, own_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_folder(tmp_path / "shapes", per_class=6)
    damaged = root / "dot" / "2.png"
    damaged.write_bytes(damaged.read_bytes()[:60])                   # cut off mid-file
    model = tmp_path / "m.npz"
    line = one_error_line(capsys, main(["train", "--data", str(root), *FAST,
                                        "--save", str(model)]))
    assert f"{damaged}: not an image Pillow can read" in line and "--skip-bad" in line
    assert not model.exists() and not list(own_cache.rglob("*.npz"))     # no model, no cache
    assert not list(tmp_path.rglob("*.tmp"))
    assert main(["train", "--data", str(root), "--skip-bad", *FAST[:-1]]) == 0
    assert "skipped 1 bad files: " in capsys.readouterr().out


def test_every_bad_table_leaves_no_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    model = tmp_path / "m.npz"
    for case, (text, message) in BAD_CSV.items():
        (tmp_path / "t.csv").write_text(text)
        rc = main(["train", "--data", str(tmp_path / "t.csv"), *FAST, "--save", str(model)])
        assert message in one_error_line(capsys, rc), case
        assert not model.exists() and not (tmp_path / "m.npz.history.json").exists(), case


# --- a folder of many pictures: a progress bar, bounded memory -------------------------------

def write_many(root: Path, n: int, side: int = 32) -> Path:
    """n small greyscale PNGs (side x side) in ten class folders."""
    rng = np.random.default_rng(0)
    for c in range(10):
        (root / f"class{c}").mkdir(parents=True)
    for i in range(n):
        pixels = rng.integers(0, 255, (side, side), dtype=np.uint8)
        PIL.fromarray(pixels).save(root / f"class{i % 10}" / f"{i}.png")
    return root


def test_a_large_folder_converts_in_bounded_memory(tmp_path: Path) -> None:
    import tracemalloc
    root = write_many(tmp_path / "many", 3000, side=48)
    load_dataset(write_many(tmp_path / "warm", 20), image_size=8)   # imports, not pictures
    seen: list[int] = []
    tracemalloc.start()
    try:
        data = load_dataset(root, image_size=8, progress=lambda done, total: seen.append(done))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == list(range(1, 3001)) and data.shape == (8, 8)
    decoded = 3000 * 48 * 48 * 4                       # every picture kept as float32: 28 MB
    assert peak < decoded / 4, f"peak {peak:,} bytes converting 3,000 pictures"


class Terminal:
    """A stderr that says it is a terminal, so the CLI draws its progress bars."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_the_cli_draws_a_bar_while_a_folder_converts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tqdm")
    root = write_folder(tmp_path / "shapes", per_class=5)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["train", "--data", str(root), "--image-size", "8", "--epochs", "1",
                 "--engine", "numpy"]) == 0
    assert re.search(r"converting images: +\d+%.*/15 ", terminal.text), terminal.text


def test_a_preset_with_shifts_trains_a_table_without_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "t.csv"                             # 3 features: no square picture
    csv.write_text("a,b,c,y\n" + "".join(f"{i % 7},{i % 5},{i % 3},{i % 2}\n"
                                          for i in range(200)))
    assert main(["train", "--data", str(csv), "--preset", "best", "--epochs", "2",
                 "--engine", "numpy", "--quiet"]) == 0                # best shifts pictures
    line = one_error_line(capsys, main(["train", "--data", str(csv), "--preset", "best",
                                        "--shift", "2", *FAST]))
    assert "shift needs square images, but the input layer has 3" in line
