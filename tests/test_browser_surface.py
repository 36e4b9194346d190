"""The walk downhill (#surface) in real headless Chromium: both paths drawn from one start,
η recomputes them, keyboard reachable, no overflow on a phone, no serious axe violation."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest

CHROMIUM = os.environ.get("NUDGES_CHROMIUM", "/usr/bin/chromium")
if not shutil.which(CHROMIUM):
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests need playwright (pip install playwright)")
uvicorn = pytest.importorskip("uvicorn")

from nudges import Network  # noqa: E402
from nudges.web import create_app  # noqa: E402

from .web_helpers import our_threads, tiny_dataset  # noqa: E402

pytestmark = pytest.mark.browser
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-extensions", "--mute-audio"]
LAPTOP, PHONE = {"width": 1280, "height": 720}, {"width": 390, "height": 844}
SGD = "#surface-chart polyline.sgd"


@pytest.fixture(scope="module")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(Network([784, 16, 16, 10], seed=1), tiny_dataset(300, 50, 50))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                        ws="none", lifespan="on"))
    thread = threading.Thread(target=srv.run, name="uvicorn-surface", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/"
    srv.should_exit = True
    thread.join(20)
    assert not our_threads()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def opened(browser, server):
    """A function opening a fresh page at #surface (a laptop's viewport unless given), once
    both paths are drawn; no console error in any by the end."""
    contexts, errors = [], []

    def open_at(viewport: dict = LAPTOP):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.set_default_timeout(30_000)
        page.goto(server + "#surface")
        page.wait_for_selector(SGD)
        return page
    yield open_at
    for context in contexts:
        context.close()
    assert not errors, errors


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
