"""The catalogue of issue 23, your data: flags of 0, tables read by column name, labels that
are not whole numbers or names, .npz archives that are not what they claim, and data paths
that are not files. Each bad one is refused in one line (exit 1); a 0 is honoured."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
import pytest

from nudges.cli import main
from nudges.core.errors import InvalidInput
from nudges.data.own import load_dataset

from .hostile import one_line

FAST = ["--epochs", "1", "--quiet"]


def table(path: Path, header: str, rows: int = 60, label: object = None) -> Path:
    """A CSV of `rows` rows: two features (the second copies the label's parity), a label."""
    rng = np.random.default_rng(0)
    lines = [header]
    for i in range(rows):
        y = i % 2 if label is None else (label(i) if callable(label) else label)
        lines.append(f"{rng.normal():.3f},{y + rng.normal() / 10:.3f},{y}")
    path.write_text("\n".join(lines) + "\n")
    return path


def error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status = main(list(argv))
    return one_line(capsys.readouterr().err, status)


# -- 0 means 0 -------------------------------------------------------------------------------
@pytest.mark.parametrize("zero", ["0", "0.0", "0e0", "-0"])
def test_validation_size_0_means_no_validation(zero: str, tmp_path: Path) -> None:
    from nudges.cli import build_parser
    from nudges.cli.data_args import load

    path = table(tmp_path / "t.csv", "a,b,y")
    args = build_parser().parse_args(["train", "--data", str(path), "--validation-size", zero])
    data = load(args)
    assert data is not None and len(data.validation[1]) == 0 and len(data.train[1]) == 48


@pytest.mark.parametrize("zero", ["0", "0.0"])
def test_test_size_0_is_honoured_not_defaulted(zero: str, tmp_path: Path, capsys) -> None:
    path = table(tmp_path / "t.csv", "a,b,y")
    line = error(capsys, "train", "--data", str(path), "--test-size", zero, *FAST)
    assert "too few to split into train and test parts" in line


@pytest.mark.parametrize("flags", [["--image-size", "0"], ["--image-size", "0", "--quiet"]])
def test_image_size_0_is_honoured_not_defaulted(flags: list[str], tmp_path: Path,
                                                capsys) -> None:
    PIL = pytest.importorskip("PIL.Image")
    for c in "ab":
        (tmp_path / "pics" / c).mkdir(parents=True)
        for i in range(6):
            picture = PIL.fromarray(np.full((8, 8), 40 * i, np.uint8))
            picture.save(tmp_path / "pics" / c / f"{i}.png")
    line = error(capsys, "train", "--data", str(tmp_path / "pics"), *flags, *FAST)
    assert "--image-size must be from 1 to 256 pixels, got 0" in line


# -- tables carry their column names ----------------------------------------------------------
@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("table-model")
    path = folder / "m.npz"
    assert main(["train", "--data", str(table(folder / "t.csv", "a,b,y")), "--epochs", "30",
                 "--quiet", "--save", str(path)]) == 0
    return path


def reorder(source: Path, out: Path, order: list[int], header: str | None = None) -> Path:
    lines = source.read_text().splitlines()
    rows = [",".join(line.split(",")[j] for j in order) for line in lines]
    if header is not None:
        rows[0] = header
    out.write_text("\n".join(rows) + "\n")
    return out


@pytest.mark.parametrize("order", [[1, 0, 2], [2, 0, 1], [2, 1, 0], [0, 2, 1]])
def test_a_reordered_table_is_read_by_name(order: list[int], model: Path, tmp_path: Path,
                                           capsys) -> None:
    source = model.parent / "t.csv"
    assert main(["evaluate", str(model), "--data", str(source)]) == 0
    expected = capsys.readouterr().out
    moved = reorder(source, tmp_path / "r.csv", order)
    assert main(["evaluate", str(model), "--data", str(moved)]) == 0
    assert capsys.readouterr().out.replace(str(moved), "") == expected.replace(str(source), "")


@pytest.mark.parametrize(("header", "missing"), [
    ("a,c,y", "'b'"), ("x,b,y", "'a'"), ("a,b,label", "'y'"), ("A,B,Y", "'a', 'b', 'y'"),
    (" a,b ,z", "'y'"),
])
def test_a_table_lacking_a_column_is_refused_naming_it(header: str, missing: str,
                                                       model: Path, tmp_path: Path,
                                                       capsys) -> None:
    renamed = reorder(model.parent / "t.csv", tmp_path / "n.csv", [0, 1, 2], header)
    for command in (["evaluate", str(model), "--data", str(renamed)],
                    ["explain", str(model), "--data", str(renamed)]):
        line = error(capsys, *command)
        assert f"lacks the column{'s' if ',' in missing else ''} {missing}" in line


@pytest.mark.parametrize("header", ["a,a,y", "a,b,b", "y,b,y", "a, a,y", "a,a,a"])
def test_duplicate_column_names_are_refused(header: str, model: Path, tmp_path: Path,
                                            capsys) -> None:
    path = table(tmp_path / "d.csv", header)
    for command in (["train", "--data", str(path), *FAST],
                    ["predict", str(model), str(path)],
                    ["evaluate", str(model), "--data", str(path)]):
        assert "more than once; expected each column named once" in error(capsys, *command)


@pytest.mark.parametrize("features", ["a", 3, [1, 2], None.__class__])
def test_the_python_api_checks_features(features: object, tmp_path: Path) -> None:
    path = table(tmp_path / "t.csv", "a,b,y")
    with pytest.raises(InvalidInput, match="features must be a list of column names"):
        load_dataset(path, features=features)


def test_the_python_api_selects_features_by_name(tmp_path: Path) -> None:
    path = table(tmp_path / "t.csv", "a,b,y")
    straight = load_dataset(path, features=("a", "b"))
    swapped = load_dataset(path, features=("b", "a"))
    np.testing.assert_array_equal(straight.train[0][:, ::-1], swapped.train[0])


# -- labels -----------------------------------------------------------------------------------
LABELS: dict[str, tuple[object, str]] = {
    "--5": (lambda i: "--5" if i == 7 else i % 2, "mix whole numbers"),
    "+-5": (lambda i: "+-5" if i == 7 else i % 2, "mix whole numbers"),
    "² among numbers": (lambda i: "²" if i == 7 else i % 2, "mix whole numbers"),
    "30 digits": (lambda i: "9" * 30 if i == 7 else i % 2, "has more than 18 digits"),
    "19 digits": (lambda i: "1" * 19 if i == 7 else i % 2, "has more than 18 digits"),
    "empty": (lambda i: "" if i == 7 else i % 2, "in row 8 is missing"),
    "nan": (lambda i: "nan" if i == 7 else i % 2, "is missing"),
    "?": (lambda i: "?" if i == 7 else "cat", "is missing"),
    "1.5": (lambda i: "1.5" if i == 7 else i % 2, "is a number with a fraction"),
    "1e3": (lambda i: "1e3" if i == 7 else i % 2, "fraction or exponent"),
    "Arabic-Indic 3": (lambda i: "٣" if i == 7 else i % 2, "not in ASCII digits"),
    "inf": (lambda i: "inf" if i == 7 else i % 2, "fraction or exponent"),
    "a name among numbers": (lambda i: "cat" if i == 7 else i % 2, "mix whole numbers"),
    "a number among names": (lambda i: 3 if i == 7 else "cat", "mix whole numbers"),
}


@pytest.mark.parametrize("case", list(LABELS))
def test_a_label_that_is_not_a_whole_number_or_name_is_one_line(case: str, tmp_path: Path,
                                                                capsys) -> None:
    label, words = LABELS[case]
    path = tmp_path / "t.csv"
    rows = ["a,b,y"] + [f"{i},{i % 3},{label(i)}" for i in range(40)]  # type: ignore[operator]
    path.write_text("\n".join(rows) + "\n")
    assert words in error(capsys, "train", "--data", str(path), *FAST)


@pytest.mark.parametrize(("y", "words"), [
    (np.array([b"\xff\xfe", b"a"] * 20), "not UTF-8"),
    (np.array(["--5", "1"] * 20), "mix whole numbers"),
    (np.array(["9" * 30, "1"] * 20), "more than 18 digits"),
    (np.array([str(i) for i in range(10_001)] * 1), "more than the 10,000 nudges takes"),
    (np.array([0.5, 1.0] * 20), "the labels are floats"),
    (np.array([1 + 2j, 1] * 20), "neither numbers nor names"),
], ids=["bytes not UTF-8", "--5", "30 digits", "10,001 classes", "floats", "complex"])
def test_npz_labels_are_checked(y: np.ndarray, words: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "d.npz"
    np.savez(path, x=np.ones((len(y), 3), np.float32), y=y)
    assert words in error(capsys, "train", "--data", str(path), *FAST)


# -- .npz archives ----------------------------------------------------------------------------
def patched(path: Path, offset_local: int, offset_central: int, value: int) -> Path:
    """The zip with a 2-byte field of every local and central header set to value."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", offset_local), (b"PK\x01\x02", offset_central)):
        start = data.find(signature)
        while start != -1:
            struct.pack_into("<H", data, start + offset, value)
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    return path


def good_npz(path: Path, compressed: bool = False) -> Path:
    save = np.savez_compressed if compressed else np.savez
    save(path, x=np.ones((40, 3), np.float32), y=np.arange(40) % 2)
    return path


NPZ: dict[str, tuple[object, str]] = {
    "encrypted": (lambda p: patched(good_npz(p), 6, 8, 1), "not readable as NumPy arrays"),
    "deflate64": (lambda p: patched(good_npz(p, True), 8, 10, 9), "not readable"),
    "bzip2 claimed": (lambda p: patched(good_npz(p), 8, 10, 12), "not readable"),
    "unknown method": (lambda p: patched(good_npz(p), 8, 10, 99), "not readable"),
    "zero rows": (lambda p: np.savez(p, x=np.ones((0, 3)), y=np.zeros(0, int)), "no examples"),
    "zero features": (lambda p: np.savez(p, x=np.ones((40, 0)), y=np.arange(40) % 2),
                      "no features"),
    "empty x_test": (lambda p: np.savez(p, x=np.ones((40, 3)), y=np.arange(40) % 2,
                                        x_test=np.ones((0, 3)), y_test=np.zeros(0, int)),
                     "x_test has shape (0, 3), no examples"),
    "a bomb": (lambda p: np.savez_compressed(p, x=np.zeros((80 * 2**20 // 8, 1)),
                                            y=np.zeros(80 * 2**20 // 8, np.int64)),
               "packed at most 200 to 1"),
    "truncated": (lambda p: p.write_bytes(good_npz(p).read_bytes()[:300]), "not readable"),
    "empty file": (lambda p: p.write_bytes(b""), "not readable"),
}


@pytest.mark.parametrize("case", list(NPZ))
def test_an_npz_that_is_not_what_it_claims_is_one_line(case: str, tmp_path: Path,
                                                       capsys) -> None:
    make, words = NPZ[case]
    path = tmp_path / "d.npz"
    make(path)  # type: ignore[operator]
    assert words in error(capsys, "train", "--data", str(path), *FAST)


# -- paths that are not files -------------------------------------------------------------------
@pytest.mark.parametrize(("make", "suffix"), [
    (os.mkfifo, ".csv"), (os.mkfifo, ".npz"), (os.mkfifo, ""),
    (lambda p: p.symlink_to("/dev/zero"), ".csv"), (lambda p: p.symlink_to("/dev/null"), ""),
], ids=["FIFO csv", "FIFO npz", "FIFO", "/dev/zero", "/dev/null"])
def test_data_that_is_not_a_file_or_folder_is_one_line(make: object, suffix: str,
                                                       tmp_path: Path, capsys) -> None:
    path = tmp_path / f"data{suffix}"
    make(path)  # type: ignore[operator]
    line = error(capsys, "train", "--data", str(path), *FAST)
    assert "not a regular file or a folder (a FIFO, socket or device)" in line


@pytest.mark.parametrize("name", ["new\nline.csv", "esc\x1b[31m.csv", "bell\a.csv",
                                  "tab\t.csv", "cr\r.csv"])
def test_a_data_name_with_control_characters_is_escaped(name: str, tmp_path: Path,
                                                        capsys) -> None:
    path = tmp_path / name
    path.write_text("a,b,y\n1,2,3.5\n4,5,6\n")
    line = error(capsys, "train", "--data", str(path), *FAST)
    assert not any(c in line for c in "\n\x1b\a\t\r") and "\\" in line


# -- the Python API's parameters ----------------------------------------------------------------
API: dict[str, tuple[dict[str, object], str]] = {
    "path None": ({"path": None}, "path must be a str or pathlib.Path, got NoneType"),
    "path an int": ({"path": 3}, "got int"),
    "path bytes": ({"path": b"t.csv"}, "got bytes"),
    "image_size a string": ({"image_size": "3"}, "image_size must be a whole number"),
    "image_size a float": ({"image_size": 2.5}, "image_size must be a whole number"),
    "image_size True": ({"image_size": True}, "image_size must be a whole number"),
    "dataset a list": ({"dataset": ["a"]}, "dataset must be a name (str) or None"),
    "format a list": ({"format": ["csv"]}, "format must be a name"),
    "label an int": ({"label": 3}, "label must be a name"),
    "seed -1": ({"seed": -1}, "seed (--split-seed) must be a whole number from 0"),
    "seed 1.5": ({"seed": 1.5}, "must be a whole number"),
    "seed 2**128": ({"seed": 2**128}, "must be a whole number"),
    "seed '0'": ({"seed": "0"}, "must be a whole number"),
    "scaling a list": ({"scaling": [1]}, "scaling must be {'mean'"),
    "scaling of text": ({"scaling": {"mean": "x", "std": "y"}}, "lists of numbers"),
    "scaling without std": ({"scaling": {"mean": [0, 0]}}, "scaling must be"),
    "scaling std 0": ({"scaling": {"mean": [0, 0], "std": [1, 0]}}, "finite positive"),
    "scaling std nan": ({"scaling": {"mean": [0, 0], "std": [1, float("nan")]}},
                        "finite positive"),
    "scaling std inf": ({"scaling": {"mean": [0, 0], "std": [1, float("inf")]}},
                        "finite positive"),
    "scaling mean nan": ({"scaling": {"mean": [0, float("nan")], "std": [1, 1]}},
                         "finite mean"),
    "an unknown option": ({"colour": "red"}, "options are"),
}


@pytest.mark.parametrize("case", list(API))
def test_load_dataset_refuses_bad_parameters(case: str, tmp_path: Path) -> None:
    change, words = API[case]
    kwargs = {"path": table(tmp_path / "t.csv", "a,b,y")} | change
    with pytest.raises(InvalidInput) as raised:
        load_dataset(**kwargs)  # type: ignore[arg-type]
    assert words in str(raised.value)


def test_unseen_classes_in_a_given_test_part_are_refused(tmp_path: Path, capsys) -> None:
    path = tmp_path / "d.npz"
    np.savez(path, x=np.ones((40, 3)), y=np.arange(40) % 2, x_test=np.ones((5, 3)),
             y_test=np.array([0, 1, 2, 0, 1]))
    assert "y_test holds the class '2', which y never has" in error(
        capsys, "train", "--data", str(path), *FAST)


def test_split_seed_minus_1_is_one_line(tmp_path: Path, capsys) -> None:
    path = table(tmp_path / "t.csv", "a,b,y")
    line = error(capsys, "train", "--data", str(path), "--split-seed", "-1", *FAST)
    assert "seed (--split-seed) must be a whole number from 0" in line


ESTIMATOR: dict[str, dict[str, object]] = {
    "hidden 30.5": {"hidden_layer_sizes": 30.5},
    "hidden None": {"hidden_layer_sizes": None},
    "hidden '30'": {"hidden_layer_sizes": "30"},
    "hidden [8, True]": {"hidden_layer_sizes": [8, True]},
    "hidden [8.0]": {"hidden_layer_sizes": [8.0]},
    "eta '3'": {"eta": "3"},
    "eta True": {"eta": True},
    "eta None": {"eta": None},
    "batch_size 'auto'": {"batch_size": "auto"},
    "batch_size 2.5": {"batch_size": 2.5},
    "max_iter '5'": {"max_iter": "5"},
    "lmbda [0]": {"lmbda": [0]},
    "momentum '0.5'": {"momentum": "0.5"},
    "beta1 '0.9'": {"beta1": "0.9", "optimizer": "adam"},
}


@pytest.mark.parametrize("case", list(ESTIMATOR))
def test_the_estimator_refuses_bad_hyperparameters_with_value_error(case: str) -> None:
    from nudges.sklearn.estimator import NudgesClassifier

    x = np.random.default_rng(0).normal(size=(40, 3))
    with pytest.raises(ValueError) as raised:
        NudgesClassifier(**ESTIMATOR[case]).fit(x, np.arange(40) % 2)  # type: ignore[arg-type]
    assert isinstance(raised.value, InvalidInput) and "must be" in str(raised.value)


@pytest.mark.parametrize("length", [252, 256, 300, 1000])
def test_a_save_name_too_long_is_one_line(length: int, tmp_path: Path, capsys) -> None:
    path = table(tmp_path / "t.csv", "a,b,y")
    line = error(capsys, "train", "--data", str(path), *FAST, "--save",
                 str(tmp_path / ("x" * (length - 4) + ".npz")))
    assert "the name is too long for this file system" in line


# -- image folders ------------------------------------------------------------------------------
def pictures(root: Path, odd: bytes | None = None) -> Path:
    """Two class folders of six 8x8 PNGs each (one more, named by the bytes `odd`, in a/)."""
    PIL = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    for c in "ab":
        (root / c).mkdir(parents=True)
        for i in range(6):
            ink = np.zeros((8, 8), np.uint8)
            ink[2:6, 2:6] = rng.integers(100, 255, (4, 4))
            PIL.fromarray(ink).save(root / c / f"{i}.png")
    if odd is not None:
        (root / "a" / "0.png").rename(os.fsdecode(os.fsencode(root / "a") + b"/" + odd))
    return root


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.parametrize("odd", [b"\xff\xfe.png", b"caf\xe9.png", b"new\nline.png",
                                 b"esc\x1b[2J.png"])
def test_an_odd_file_name_in_a_class_folder_loads(odd: bytes, tmp_path: Path,
                                                   own_cache: Path) -> None:
    data = load_dataset(pictures(tmp_path / "pics", odd))
    assert len(data.train[1]) + len(data.validation[1]) + len(data.test[1]) == 12


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage", "a FIFO", "a folder"])
def test_a_damaged_cache_file_is_rebuilt(damage: str, tmp_path: Path, own_cache: Path) -> None:
    root = pictures(tmp_path / "pics")
    first = load_dataset(root)
    [cache] = list(own_cache.rglob("*.npz"))
    content = cache.read_bytes()
    cache.unlink()
    if damage == "a FIFO":
        os.mkfifo(cache)
    elif damage == "a folder":
        cache.mkdir()
    else:
        cache.write_bytes({"truncated": content[:len(content) // 2], "empty": b"",
                           "garbage": b"PK\x03\x04" + b"\0" * 100}[damage])
    again = load_dataset(root)
    np.testing.assert_array_equal(first.train[0], again.train[0])
    assert not [p for p in own_cache.rglob("*") if p.name.endswith(".tmp")]


def test_an_unwritable_cache_skips_the_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "/proc/nudges-cache")
    data = load_dataset(pictures(tmp_path / "pics"))
    assert len(data.classes) == 2


@pytest.mark.parametrize("value", ["1e308", "-1e308", "1e39", "3.5e38", "1e31"])
def test_a_huge_finite_value_in_a_csv_is_one_line(value: str, tmp_path: Path,
                                                  capsys) -> None:
    path = table(tmp_path / "t.csv", "a,b,y")
    lines = path.read_text().splitlines()
    lines[5] = value + lines[5][lines[5].index(","):]
    path.write_text("\n".join(lines) + "\n")
    line = error(capsys, "train", "--data", str(path), *FAST)
    assert "example 5 holds a value beyond ±1e+30" in line


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_huge_finite_value_in_an_npz_is_one_line(dtype: type, tmp_path: Path,
                                                   capsys) -> None:
    x = np.ones((40, 3), dtype)
    x[7, 1] = np.finfo(dtype).max
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(40) % 2)
    line = error(capsys, "train", "--data", str(tmp_path / "d.npz"), *FAST)
    assert "x: example 8 holds a value beyond" in line
