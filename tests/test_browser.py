"""The page in real headless Chromium: draw, see the nudges, watch it learn, measure the noise.

Needs Debian's `chromium` (/usr/bin/chromium) and the Python `playwright` package; Playwright's
own browser downloads are not used. Screenshots of each view go to $NUDGES_ARTIFACTS/browser
(default: a pytest temporary folder) and are checked not to be blank.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = os.environ.get("NUDGES_CHROMIUM", "/usr/bin/chromium")
if not shutil.which(CHROMIUM):
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests need playwright (pip install playwright)")
pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")
pytest.importorskip("PIL")

from PIL import Image  # noqa: E402

from nudges import Network, optim  # noqa: E402
from nudges.web import choices, create_app, schemas  # noqa: E402

from .web_helpers import our_threads, tiny_dataset  # noqa: E402

pytestmark = pytest.mark.browser
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync", "--disable-extensions", "--mute-audio"]
TIMEOUT = 15_000     # ms


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server():
    import uvicorn
    app = create_app(Network([784, 16, 16, 10], seed=1), tiny_dataset(300, 100, 100))
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none",
                            lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/"
    srv.should_exit = True
    thread.join(20)
    assert not thread.is_alive()
    assert not our_threads()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    base = os.environ.get("NUDGES_ARTIFACTS")
    folder = Path(base) / "browser" if base else tmp_path_factory.mktemp("browser")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def page(browser, server):
    """One page for the module's tests, in order, as a person would use it."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.set_default_timeout(TIMEOUT)
    tab.goto(server)
    tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    yield tab
    context.close()
    assert not errors, errors


def screenshot(page, artifacts: Path, name: str) -> Path:
    """Save the page and check it is not blank: many colours, and light and dark pixels."""
    path = artifacts / f"web-{name}.png"
    png = page.screenshot(path=str(path), full_page=True)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.float64)
    assert pixels.std() > 20, f"{path} looks blank"
    assert len(np.unique(pixels.reshape(-1, 3)[::7], axis=0)) > 50, f"{path} looks blank"
    return path


def outputs(page) -> list[str]:
    return page.evaluate("[...document.querySelectorAll('#net text.out .value')]"
                         ".map(t => t.textContent)")


def canvas_ink(page, selector: str) -> float:
    """The mean brightness of a canvas, 0 to 255."""
    return page.evaluate("""(selector) => {
        const c = document.querySelector(selector);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let sum = 0;
        for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
        return sum / (d.length / 4);
    }""", selector)


def draw(page, points: list[tuple[float, float]]) -> None:
    """One stroke through points given as fractions of the pad, with mouse events."""
    box = page.locator("#pad").bounding_box()

    def at(x: float, y: float) -> tuple[float, float]:
        return box["x"] + x * box["width"], box["y"] + y * box["height"]
    page.mouse.move(*at(*points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*at(*point), steps=5)
    page.mouse.up()


SEVEN = [(0.25, 0.22), (0.72, 0.22), (0.6, 0.45), (0.5, 0.65), (0.45, 0.82)]


def test_draw_a_digit_and_see_every_layer_change(page, artifacts):
    assert len(page.locator("#net circle.neuron").all()) == 16 + 16 + 10
    before = outputs(page)                          # the test digit loaded at start
    page.click("#clear")
    page.wait_for_function("document.getElementById('predicted-digit').textContent === '?'")
    draw(page, SEVEN)
    page.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    page.wait_for_function("(before) => [...document.querySelectorAll('#net text.out .value')]"
                           ".map(t => t.textContent).join() !== before.join()", arg=before)
    assert outputs(page) != before and page.inner_text("#predicted-digit") in "0123456789"
    assert canvas_ink(page, "#seen") > 5             # the centred 28x28 input is drawn
    assert page.locator("#net line").count() > 20   # edges by weight
    page.click("#undo")
    page.wait_for_function("document.getElementById('predicted-digit').textContent === '?'")
    draw(page, SEVEN)
    page.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    screenshot(page, artifacts, "layers")


def test_pick_a_wish_and_see_the_nudges(page, artifacts):
    page.click("nav [data-view=nudges]")
    page.click("#targets button[data-digit='3']")
    page.wait_for_function("document.getElementById('wish-summary').textContent"
                           ".includes('cost')")
    assert page.locator("#net line[filter]").count() > 10         # biggest nudges glow
    assert page.locator("#net polygon").count() > 5                # wish arrows
    assert canvas_ink(page, "#neuron-nudges") > 1                  # the 28x28 heatmap
    page.locator("#net circle.neuron[data-layer='2'][data-index='4']").click()
    page.wait_for_function("document.getElementById('neuron-summary').textContent"
                           ".includes('neuron 4 of hidden layer 2')")
    page.click("#step")
    page.wait_for_function("document.querySelectorAll('#step-outputs rect').length >= 20")
    assert "→" in page.inner_text("#step-summary")
    screenshot(page, artifacts, "nudges")


def test_the_form_offers_what_the_server_allows(page):
    page.click("nav [data-view=learn]")
    kinds = page.eval_on_selector_all("#kind option", "options => options.map(o => o.value)")
    assert kinds == list(schemas.KINDS)
    assert page.get_attribute("#epochs", "max") == str(schemas.MAX_EPOCHS)
    assert str(schemas.MAX_NEURONS) in page.get_attribute("#hidden", "title")
    page.select_option("#kind", "relu")
    assert float(page.input_value("#eta")) == schemas.KINDS["relu"].eta
    page.select_option("#kind", schemas.DEFAULT_KIND)
    names = page.eval_on_selector_all("#optimizer option", "options => options.map(o => o.value)")
    assert names == list(optim.OPTIMIZERS) and page.input_value("#optimizer") == "sgd"
    for name in names:
        page.select_option("#optimizer", name)
        shown = page.eval_on_selector_all("#optimizer-settings label:not([hidden])",
                                          "labels => labels.map(l => l.dataset.setting)")
        assert shown == [s for s in optim.OPTIMIZERS[name].uses if s in choices.SHOWN]
        assert all(page.is_visible(f"#setting-{s}") for s in shown)
        assert float(page.input_value("#eta")) == schemas.KINDS[schemas.DEFAULT_KIND].eta_for(name)
    assert not page.is_visible("#setting-momentum")              # adam: β₁ and β₂ only
    page.select_option("#optimizer", "momentum")
    assert float(page.input_value("#setting-momentum")) == choices.MOMENTUM
    page.select_option("#optimizer", "sgd")
    assert not page.is_visible("#optimizer-settings label")


def test_start_training_and_see_the_cost_curve_move(page, artifacts):
    page.click("nav [data-view=learn]")
    page.fill("#epochs", "3")
    page.select_option("#pace", "slow")
    page.click("#start")
    page.wait_for_function("document.querySelector('#cost-chart polyline') !== null")
    first = page.get_attribute("#cost-chart polyline", "points").split()
    page.wait_for_function("(n) => document.querySelector('#cost-chart polyline')"
                           ".getAttribute('points').split(' ').length > n + 3", arg=len(first))
    page.click("#pause")
    page.wait_for_function("document.getElementById('pause').textContent === 'Resume'")
    page.click("#pause")
    page.wait_for_function("document.getElementById('learn-status').textContent"
                           ".startsWith('done')", timeout=30_000)
    points = page.get_attribute("#cost-chart polyline", "points").split()
    assert len(points) > len(first)
    assert float(points[-1].split(",")[1]) > float(points[0].split(",")[1])  # cost fell
    assert canvas_ink(page, "#weight-images canvas") > 5
    screenshot(page, artifacts, "learn")


def test_choose_adam_and_train(page, artifacts):
    page.click("nav [data-view=learn]")
    page.select_option("#kind", "relu")
    page.select_option("#optimizer", "adam")
    assert float(page.input_value("#eta")) == schemas.KINDS["relu"].eta_for("adam")
    page.fill("#setting-beta1", "0.85")
    page.fill("#epochs", "2")
    page.select_option("#pace", "fast")
    page.click("#start")                          # the sgd run before it ended 'done' too
    page.wait_for_function("document.getElementById('learn-status').textContent"
                           ".startsWith('done 784-16-16-10 (adam)')", timeout=30_000)
    settings = page.evaluate("fetch('/api/train/status?session=' + "
                             "sessionStorage.getItem('nudges-session'))"
                             ".then(r => r.json()).then(run => run.settings)")
    assert settings["optimizer"] == "adam" and settings["beta1"] == 0.85
    assert settings["beta2"] == choices.setting_default("beta2") and "momentum" not in settings
    screenshot(page, artifacts, "learn-adam")


def test_measure_gradient_noise(page, artifacts):
    page.click("nav [data-view=noise]")
    page.click("#measure")
    page.wait_for_function("document.querySelectorAll('#noise-table tr').length === 4")
    assert page.locator("#noise-chart circle").count() == 6        # 3 sizes, 2 networks
    screenshot(page, artifacts, "noise")
