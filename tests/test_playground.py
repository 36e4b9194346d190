"""nudges.explain.playground: the 2-D data sets are deterministic for a seed, with the class counts
asked for, and bad arguments are refused with a message."""

from __future__ import annotations

import numpy as np
import pytest

from nudges.core.errors import InvalidInput
from nudges.explain.playground import (
    FEATURES,
    SHAPES,
    TWO_CLASSES,
    class_counts,
    load_csv,
    make_points,
    read_csv,
    split,
    with_features,
)

CASES = [(shape, k) for shape in SHAPES for k in ((2,) if shape in TWO_CLASSES else (2, 3, 5))]


@pytest.mark.parametrize(("shape", "classes"), CASES)
def test_each_set_is_deterministic_for_a_seed(shape: str, classes: int) -> None:
    x, y = make_points(shape, n=333, classes=classes, noise=0.1, seed=7)
    again = make_points(shape, n=333, classes=classes, noise=0.1, seed=7)
    other = make_points(shape, n=333, classes=classes, noise=0.1, seed=8)
    assert x.shape == (333, 2) and y.shape == (333,)
    assert np.array_equal(x, again[0]) and np.array_equal(y, again[1])
    assert not np.array_equal(x, other[0])


@pytest.mark.parametrize(("shape", "classes"), CASES)
@pytest.mark.parametrize("n", [50, 333, 2000])
def test_the_class_counts_are_as_asked(shape: str, classes: int, n: int) -> None:
    _, y = make_points(shape, n=n, classes=classes, seed=0)
    counts = np.bincount(y, minlength=classes)
    assert counts.tolist() == class_counts(n, classes).tolist()
    assert counts.sum() == n and counts.max() - counts.min() <= 1


@pytest.mark.parametrize(("shape", "classes"), CASES)
def test_the_points_lie_near_the_unit_square(shape: str, classes: int) -> None:
    x, _ = make_points(shape, n=500, classes=classes, noise=0.0, seed=1)
    assert np.isfinite(x).all() and np.abs(x).max() <= 1.6


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"shape": "donut"}, "unknown data set 'donut'"),
    ({"n": 49}, "points must be from 50 to 2,000, got 49"),
    ({"n": 2001}, "got 2001"),
    ({"classes": 6}, "classes must be from 2 to 5, got 6"),
    ({"classes": 1}, "got 1"),
    ({"shape": "xor", "classes": 3}, "xor has 2 classes"),
    ({"noise": -0.1}, "noise must be from 0 to 1.0"),
    ({"seed": -1}, "seed"),
])
def test_bad_arguments_say_what_was_expected(kwargs: dict, words: str) -> None:
    args = {"shape": "spiral", "n": 100, "classes": 3, "noise": 0.1, **kwargs}
    shape = args.pop("shape")
    with pytest.raises(InvalidInput, match=words):
        make_points(shape, **args)


def test_the_split_is_stratified_and_disjoint() -> None:
    x, y = make_points("blobs", n=300, classes=3, seed=0)
    (x_train, y_train), (x_test, y_test) = split(x, y, 0.3, seed=0)
    assert len(y_train) + len(y_test) == 300
    assert np.bincount(y_test).tolist() == [30, 30, 30]
    rows = {tuple(p) for p in x_train} & {tuple(p) for p in x_test}
    assert not rows
    with pytest.raises(InvalidInput, match="test fraction must be from 0.05 to 0.9"):
        split(x, y, 0.95)


def test_features_add_columns_in_a_fixed_order() -> None:
    x = np.array([[0.5, -0.25]])
    assert with_features(x, ()).tolist() == x.tolist()
    out = with_features(x, ("xy", "x2"))                 # asked out of order
    assert out.tolist() == [[0.5, -0.25, 0.25, -0.125]]
    assert with_features(x, tuple(FEATURES)).shape == (1, 7)
    with pytest.raises(InvalidInput, match="unknown feature 'z3'"):
        with_features(x, ("z3",))
    with pytest.raises(InvalidInput, match="once"):
        with_features(x, ("xy", "xy"))


def rows(n: int, labels: tuple[str, ...] = ("0", "1")) -> str:
    return "".join(f"{i * 0.1},{-i},{labels[i % len(labels)]}\n" for i in range(n))


def test_a_csv_with_a_header_and_named_labels_reads() -> None:
    x, y = read_csv("x,y,kind\n" + rows(60, ("cat", "dog", "eel")))
    assert x.shape == (60, 2) and np.abs(x).max() == pytest.approx(1.0)
    assert np.bincount(y).tolist() == [20, 20, 20]


@pytest.mark.parametrize(("text", "words"), [
    (rows(10), "50 to 2,000 rows of x,y,label, got 10"),
    (rows(60, ("a",)), "2 to 5 distinct labels, got 1"),
    (rows(60, tuple("abcdef")), "got 6"),
    (rows(55) + "1,2\n", "CSV row 56: expected x,y,label"),
    (rows(55) + "1,two,0\n", "CSV row 56"),
    (rows(55) + "nan,1,0\n", "NaN or inf"),
    ("x" * 300_000, "at most"),
])
def test_bad_csvs_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        read_csv(text)


def test_load_csv_reads_a_file_and_names_a_missing_one(tmp_path) -> None:
    path = tmp_path / "points.csv"
    path.write_text(rows(80))
    assert len(load_csv(str(path))[1]) == 80
    with pytest.raises(InvalidInput, match="cannot read the points file"):
        load_csv(str(tmp_path / "missing.csv"))
