# ruff: noqa: F811  (the fixtures imported from test_browser are used as arguments)
"""The playground in real headless Chromium: spirals learned at full speed, a point's nudges,
the same address replaying the same run in another session, export, a phone, the keyboard and
axe. Needs what tests/test_browser.py needs (Chromium at /usr/bin/chromium, playwright)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .test_browser import LAPTOP, PHONE, artifacts, screenshot, serve  # noqa: F401  (the artifacts fixture)
from .web_helpers import tiny_dataset

pytestmark = pytest.mark.browser
SPIRALS = ("#playground/data=spiral&classes=3&points=600&noise=0.05&seed=0&test=0.3"
           "&features=&hidden=8,8&activation=tanh&output=softmax&cost=cross-entropy"
           "&init=scaled&optimizer=adam&eta=0.03&batch=10&lmbda=0")
ACCURACY = ("() => { const m = document.getElementById('pg-counters').textContent"
            ".match(/([\\d.]+)% test/); return m && parseFloat(m[1]); }")
STEP = "() => Number(document.getElementById('pg-net').dataset.step)"


@pytest.fixture(scope="module")
def server():
    from nudges import Network
    from nudges.web import create_app
    yield from serve(create_app(Network([784, 16, 16, 10], seed=1), tiny_dataset(300, 100, 100)))


def opened(fresh, server, address=SPIRALS, viewport=None):
    tab = fresh(server + address, viewport)
    tab.wait_for_selector("#pg-net line")
    return tab


def test_spirals_learn_to_90_percent_at_full_speed_within_30_s(fresh, server, artifacts):
    tab = opened(fresh, server)
    assert tab.input_value("#pg-activation") == "tanh" and tab.input_value("#pg-hidden") == "8,8"
    assert tab.input_value("#pg-classes") == "3" and tab.input_value("#pg-speed") == "5000"
    start = time.monotonic()
    tab.click("#pg-run")
    tab.wait_for_function(f"({ACCURACY})() >= 90", timeout=30_000)
    assert time.monotonic() - start < 30
    tab.click("#pg-run")                                     # pause
    assert tab.get_attribute("#pg-run", "aria-pressed") == "false"
    assert tab.locator("#pg-net line").count() == 2 * 8 + 8 * 8 + 8 * 3   # every weight
    assert tab.locator("#pg-net image").count() == 8 + 8 + 3              # every neuron's map
    assert tab.locator("#pg-regions circle[data-which]").count() == 600
    screenshot(tab, artifacts, "playground-spirals")


def test_a_clicked_point_shows_its_nudges(fresh, server, artifacts):
    tab = opened(fresh, server)
    tab.click("#pg-step10")
    tab.wait_for_function(f"({STEP})() === 10")
    tab.locator("#pg-regions circle[data-which='train'][data-index='5']").click()
    tab.wait_for_function("document.getElementById('pg-point-summary').textContent"
                          ".includes('cost C =')")
    assert "train point #5" in tab.inner_text("#pg-point-summary")
    assert "nudge −∂C/∂w" in tab.inner_text("#pg-legend")
    assert tab.locator("#pg-wishes rect").count() == 3
    tab.click("#pg-draw-batch")
    tab.wait_for_function("document.getElementById('pg-batch-summary').textContent"
                          ".includes('cosine')")
    tab.click("#pg-apply")
    tab.wait_for_function("document.getElementById('pg-batch-summary').textContent"
                          ".includes('training cost (from')")
    tab.wait_for_function(f"({STEP})() === 11")       # the counter follows the step
    screenshot(tab, artifacts, "playground-nudges")


def test_the_same_address_replays_the_same_run_in_another_session(fresh, server):
    files = []
    for _ in range(2):
        tab = opened(fresh, server)
        for _ in range(3):
            before = tab.evaluate(STEP)
            tab.click("#pg-step10")
            tab.wait_for_function(f"({STEP})() === {before + 10}")   # sessions do not mix
        with tab.expect_download() as download:
            tab.click("#pg-model")
        files.append(Path(download.value.path()).read_bytes())
    assert files[0] == files[1] and files[0][:2] == b"PK"


def test_the_exported_model_and_figure(fresh, server, tmp_path):
    from nudges import load
    tab = opened(fresh, server)
    with tab.expect_download() as download:
        tab.click("#pg-model")
    path = tmp_path / "playground.npz"
    download.value.save_as(path)
    assert load(path).sizes == [2, 8, 8, 3]
    with tab.expect_download() as png:
        tab.click("#pg-png")
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with tab.expect_download() as svg:
        tab.click("#pg-svg")
    assert b"<svg" in Path(svg.value.path()).read_bytes()[:200]


def test_on_a_phone_nothing_overflows(fresh, server, artifacts):
    tab = opened(fresh, server, viewport=PHONE)
    tab.click("#pg-step10")
    tab.wait_for_function(f"({STEP})() === 10")
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(tab, artifacts, "playground-phone")


def test_every_control_is_reached_by_keyboard(fresh, server):
    tab = opened(fresh, server)
    controls = tab.evaluate("""[...document.querySelectorAll(
        '#playground-view button, #playground-view input, #playground-view select')]
        .filter(c => c.tabIndex < 0).map(c => c.id)""")
    assert controls == []
    tab.focus("#pg-step")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.id") == "pg-step10"
    tab.keyboard.press("Enter")
    tab.wait_for_function(f"({STEP})() === 10")
    tab.focus("#pg-index")
    tab.keyboard.type("3")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Enter")                                  # Show its nudges
    tab.wait_for_function("document.getElementById('pg-point-summary').textContent"
                          ".includes('point #3')")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_no_serious_accessibility_violation(fresh, server, viewport):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    tab = opened(fresh, server, viewport=viewport)
    tab.click("#pg-show")
    tab.wait_for_function("document.getElementById('pg-point-summary').textContent"
                          ".includes('cost')")
    found = axe.run(tab).response["violations"]
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found
           if v["impact"] in ("serious", "critical")]
    assert not bad, bad


def test_labels_are_readable_at_1280x720(fresh, server):
    tab = opened(fresh, server, viewport={"width": 1280, "height": 720})
    tab.click("#pg-show")
    tab.wait_for_function("document.getElementById('pg-point-summary').textContent"
                          ".includes('cost')")
    smallest = tab.evaluate("""Math.min(...[...document.querySelectorAll(
        '#pg-net text, #pg-regions text')].map(t => parseFloat(getComputedStyle(t).fontSize)
        * t.getScreenCTM().a))""")
    assert smallest >= 11, smallest          # px, as the other views


def test_picked_points_are_the_batch_averaged(fresh, server):
    tab = opened(fresh, server)
    tab.click("#pg-pick")
    for index in (2, 7, 11):
        tab.dispatch_event(f"#pg-regions circle[data-which='train'][data-index='{index}']",
                           "click")                    # points may overlap: this very one
    tab.wait_for_function("document.getElementById('pg-draw-batch').textContent"
                          ".includes('3 picked')")
    assert tab.locator("#pg-regions rect[stroke='#fff']").count() == 3
    tab.click("#pg-draw-batch")
    tab.wait_for_function("document.getElementById('pg-batch-summary').textContent"
                          ".startsWith('3 training points')")
    assert tab.locator("#pg-batch-chart rect").count() >= 3
