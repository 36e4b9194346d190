"""nudges.explain.words: the article a class name takes, and what an example is called."""

from __future__ import annotations

import pytest

from nudges.explain.words import article, example_noun, with_article


@pytest.mark.parametrize(("name", "said"), [
    ("8", "an 8"), ("1", "a 1"), ("7", "a 7"), ("11", "an 11"), ("18", "an 18"), ("80", "an 80"),
    ("12", "a 12"), ("111", "a 111"), ("11000", "an 11000"), ("0", "a 0"),
    ("A", "an A"), ("F", "an F"), ("B", "a B"), ("u", "a u"), ("x", "an x"),
    ("Ankle boot", "an Ankle boot"), ("Coat", "a Coat"), ("T-shirt/top", "a T-shirt/top"),
])
def test_the_article_is_the_one_said_aloud(name: str, said: str) -> None:
    assert with_article(name) == said and article(name) == said.split()[0]


def test_an_example_is_a_digit_only_when_the_classes_are_the_ten_digits() -> None:
    digits = tuple("0123456789")
    assert example_noun(digits, "pictures") == "digit"
    assert example_noun(("T-shirt/top", "Trouser"), "pictures") == "picture"
    assert example_noun(tuple("01234"), "pictures") == "picture"
    assert example_noun(digits, "table") == "row"
