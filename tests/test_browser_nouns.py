"""No text on any view says "digit" unless the data is digits: in headless Chromium, on
pictures of clothes (Fashion-MNIST's classes) and on a CSV table, every view, every tour step
and every accessible name take their nouns from the data ("picture", "row", the class names)."""

from __future__ import annotations

import re

import pytest

from .test_browser import LAPTOP, serve
from .test_web_tables import write_table
from .web_helpers import tiny_dataset

pytestmark = pytest.mark.browser
CLOTHES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
           "Bag", "Ankle boot")
WORDS = """(() => {
  const shown = document.body.innerText;
  const named = [...document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')]
    .filter(e => e.offsetParent !== null || e.closest('svg'))
    .map(e => ['aria-label', 'title', 'alt', 'placeholder'].map(a => e.getAttribute(a) || '')
      .join(' '));
  return shown + ' ' + named.join(' ');
})()"""


def served(model, data):
    from nudges.web import create_app
    yield from serve(create_app(model, data))


@pytest.fixture(scope="module")
def clothes():
    from nudges.core.network import Network
    yield from served(Network([784, 16, 10], seed=0), tiny_dataset(200, 50, 60, classes=CLOTHES))


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    from nudges.core.network import Network
    from nudges.data.own import load_dataset
    data = load_dataset(write_table(tmp_path_factory.mktemp("t") / "boxes.csv"), label="kind")
    yield from served(Network([4, 5, 3], seed=0), data)


def said(fresh, url: str, views: list[str]) -> dict[str, str]:
    """Every view's visible text and accessible names, by view."""
    tab = fresh(url + "#see", LAPTOP)
    tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?' || "
                          "document.body.classList.contains('table')")
    texts = {}
    for view in views:
        tab.evaluate(f"location.hash = '#{view}'")
        tab.wait_for_timeout(900)
        if view == "nudges":
            tab.click("#targets button >> nth=1")
            tab.wait_for_timeout(600)
        texts[view] = tab.evaluate(WORDS)
    return texts


def digit_words(texts: dict[str, str]) -> dict[str, list[str]]:
    return {view: re.findall(r".{0,40}digit.{0,20}", text, flags=re.IGNORECASE)
            for view, text in texts.items() if re.search("digit", text, flags=re.IGNORECASE)}


def test_pictures_of_clothes_are_never_called_digits(fresh, clothes):
    views = [*(f"tour/{n}?seed=0&steps=5" for n in range(1, 11)), "see", "nudges", "average",
             "learn", "noise"]
    texts = said(fresh, clothes, views)
    assert not digit_words(texts)
    assert "training pictures" in texts["tour/6?seed=0&steps=5"]
    assert any(name in texts["nudges"] for name in CLOTHES)


def test_a_table_is_never_called_digits(fresh, table):
    texts = said(fresh, table, ["see", "learn", "noise"])
    assert not digit_words(texts)
    assert "length" in texts["see"]            # the table's own words: its columns
