"""The walk downhill (#surface) in real headless Chromium: both paths drawn from one start,
η recomputes them, keyboard reachable, no overflow on a phone, no serious axe violation."""

from __future__ import annotations

import pytest

from .test_browser import serve
from .web_helpers import tiny_dataset

pytestmark = pytest.mark.browser
LAPTOP, PHONE = {"width": 1280, "height": 720}, {"width": 390, "height": 844}
SGD = "#surface-chart polyline.sgd"


@pytest.fixture(scope="module")
def server():
    from nudges import Network
    from nudges.web import create_app
    yield from serve(create_app(Network([784, 16, 16, 10], seed=1), tiny_dataset(300, 50, 50)))


@pytest.fixture
def opened(fresh, server):
    """A function opening a fresh page at #surface (a laptop's viewport unless given), once
    both paths are drawn; no console error in any by the end (test_browser's `fresh`)."""
    def open_at(viewport: dict = LAPTOP):
        page = fresh(server + "#surface", viewport)
        page.set_default_timeout(30_000)
        page.wait_for_selector(SGD)
        return page
    return open_at


def drawn(page) -> dict:
    return page.evaluate("""() => ({
        gd: document.querySelector('#surface-chart polyline.gd').getAttribute('points'),
        sgd: document.querySelector('#surface-chart polyline.sgd').getAttribute('points'),
        start: [...document.querySelectorAll('#surface-chart .surface-start')].length,
        sentence: document.getElementById('surface-sentence').textContent,
        hidden: document.getElementById('surface-hidden').textContent})""")


def test_both_paths_start_together_and_eta_changes_them(opened):
    tab = opened()
    assert tab.get_attribute("#tab-surface", "aria-selected") == "true"
    before = drawn(tab)
    assert before["gd"].split()[0] == before["sgd"].split()[0] and before["start"] == 1
    assert "η = 3" in before["sentence"] and "went up on" in before["sentence"]
    assert "What the projection hides" in before["hidden"] and "%" in before["hidden"]
    tab.fill("#surface-eta", "0.5")
    tab.dispatch_event("#surface-eta", "change")
    tab.wait_for_function("document.getElementById('surface-sentence').textContent"
                          ".includes('η = 0.5')")
    after = drawn(tab)
    assert after["sgd"] != before["sgd"] and after["gd"] != before["gd"]
    assert after["gd"].split()[0] == after["sgd"].split()[0]


def test_the_view_is_reached_and_driven_with_the_keyboard(opened, server):
    tab = opened()
    tab.goto(server + "#noise")
    tab.focus("#tab-noise")
    tab.keyboard.press("ArrowRight")
    assert tab.get_attribute("#tab-surface", "aria-selected") == "true"
    for _ in range(8):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.id") == "surface-eta":
            break
    assert tab.evaluate("document.activeElement.id") == "surface-eta"


def test_no_overflow_on_a_phone(opened):
    tab = opened(PHONE)
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = tab.locator("#surface-chart").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_no_serious_accessibility_violation(opened, viewport):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    found = axe.run(opened(viewport)).response["violations"]
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found
           if v["impact"] in ("serious", "critical")]
    assert not bad, bad


def test_the_address_carries_the_walks_settings_through_a_reload(fresh, server):
    tab = fresh(server + "#surface?eta=0.5&batch=20&steps=40&examples=200")
    tab.set_default_timeout(30_000)
    tab.wait_for_selector(SGD)
    assert [tab.input_value(f"#surface-{k}") for k in ("eta", "batch", "steps", "examples")] \
        == ["0.5", "20", "40", "200"]
    assert "after 40 steps at η = 0.5" in tab.inner_text("#surface-sentence")
    tab.fill("#surface-steps", "30")
    tab.dispatch_event("#surface-steps", "change")
    tab.wait_for_function("location.hash.includes('steps=30')")
    tab.reload()
    tab.wait_for_function("document.getElementById('surface-sentence').textContent"
                          ".includes('after 30 steps')")
