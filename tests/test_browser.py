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

from nudges import Network  # noqa: E402
from nudges.core import optimizers  # noqa: E402
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
def app():
    return create_app(Network([784, 16, 16, 10], seed=1), tiny_dataset(300, 100, 100))


@pytest.fixture(scope="module")
def server(app):
    yield from serve(app)


def serve(app):
    """Run app with uvicorn on a free local port; yield its address; stop it."""
    import uvicorn
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
    page.click("nav [data-view=see]")
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
    assert names == list(optimizers.OPTIMIZERS) and page.input_value("#optimizer") == "sgd"
    for name in names:
        page.select_option("#optimizer", name)
        shown = page.eval_on_selector_all("#optimizer-settings label:not([hidden])",
                                          "labels => labels.map(l => l.dataset.setting)")
        assert shown == [s for s in optimizers.OPTIMIZERS[name].uses if s in choices.SHOWN]
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
    page.evaluate("""window.noiseSaid = [];
        new MutationObserver(() => noiseSaid.push(document.getElementById('noise-status')
          .textContent + ' | ' + document.getElementById('noise-progress').value))
          .observe(document.getElementById('noise-status'), {childList: true});""")
    page.click("#measure")
    page.wait_for_function("document.querySelectorAll('#noise-table tr').length === 4")
    assert page.locator("#noise-chart circle").count() == 6        # 3 sizes, 2 networks
    said = page.evaluate("noiseSaid")                 # a long measurement shows progress
    assert [line for line in said if "of 6)" in line][-1].endswith("(6 of 6)… | 5"), said
    assert "batches of 100" in " ".join(said) and "a fresh network" in " ".join(said)
    assert page.is_hidden("#noise-progress")
    screenshot(page, artifacts, "noise")


# -- the tour, the averaging table, honest scales, sessions, every screen ----------------------
PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1152, "height": 720}


def walk_the_tour(tab, artifacts: Path, size: str) -> None:
    tab.wait_for_function("document.querySelector('#tour-formula').textContent.length > 10")
    titles = []
    for step in range(1, 11):
        tab.wait_for_function("(n) => document.getElementById('tour-count').textContent"
                              " === `step ${n} of 10`", arg=step)
        tab.wait_for_function("document.querySelector('#tour-figure').children.length > 0"
                              " && /\\d\\.\\d/.test(document.getElementById('tour-formula')"
                              ".textContent)")
        assert tab.evaluate("location.hash").startswith(f"#tour/{step}?seed=0&steps=0")
        titles.append(tab.inner_text("#tour-title"))
        next_box = tab.locator("#tour-next").bounding_box()
        assert next_box["y"] + next_box["height"] <= tab.viewport_size["height"]  # in reach
        assert next_box["height"] >= 24 and next_box["width"] >= 24
        if step in (3, 7):
            screenshot(tab, artifacts, f"tour-{step}-{size}")
        if step < 10:
            tab.click("#tour-next") if step % 2 else tab.keyboard.press("ArrowRight")
    assert len(set(titles)) == 10 and tab.is_disabled("#tour-next")
    tab.keyboard.press("ArrowLeft")
    tab.wait_for_function("document.getElementById('tour-count').textContent === 'step 9 of 10'")


def test_walk_the_tour_on_a_laptop(server, fresh, artifacts):
    tab = fresh(server)                                # the tour is the first tab
    assert tab.get_attribute("#tab-tour", "aria-selected") == "true"
    walk_the_tour(tab, artifacts, "laptop")
    tab.goto(server + "#tour/4")                       # a deep link to a step
    tab.wait_for_function("document.getElementById('tour-count').textContent === 'step 4 of 10'")
    tab.wait_for_function("document.getElementById('tour-formula').textContent.includes('Σ')")
    tab.click("#tour-link")                            # to the full view
    assert tab.get_attribute("#tab-nudges", "aria-selected") == "true"


def test_walk_the_tour_on_a_phone(server, fresh, artifacts):
    tab = fresh(server + "#tour/1", PHONE)
    walk_the_tour(tab, artifacts, "phone")
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_average_column_is_minus_the_gradient(server, app, fresh, artifacts):
    tab = fresh(server + "#average")
    tab.wait_for_selector("#average-table td.average")
    rows = tab.eval_on_selector_all("#average-table th.example", "ths => ths.map("
                                    "th => Number(th.dataset.index))")
    cells = tab.eval_on_selector_all("#average-table tbody tr[data-layer]", """
      trs => trs.map(tr => ({
        layer: Number(tr.dataset.layer), j: Number(tr.dataset.j),
        k: tr.dataset.k === '' ? null : Number(tr.dataset.k),
        average: Number(tr.querySelector('td.average').dataset.value),
        nudges: [...tr.querySelectorAll('td.nudge')].map(td => Number(td.dataset.value))}))""")
    net = app.state.server_state.served.current()[0]
    x, y = app.state.server_state.data.loaded().train
    grad_w, grad_b = net.gradient(x[rows], y[rows])
    assert len(rows) == 10 and len(cells) >= 6
    for c in cells:
        grad = grad_b[c["layer"] - 1][c["j"]] if c["k"] is None \
            else grad_w[c["layer"] - 1][c["j"], c["k"]]
        assert c["average"] == pytest.approx(-grad, rel=1e-5, abs=1e-8)    # float32 rounding
        assert np.mean(c["nudges"]) == pytest.approx(c["average"], rel=2e-3, abs=1e-7)
    screenshot(tab, artifacts, "average")
    tab.click("#average-step")
    tab.wait_for_function("document.getElementById('average-step-summary').textContent"
                          ".includes('→')")
    tab.click("#average-batch")                         # another mini-batch, other columns
    tab.wait_for_function("(first) => document.querySelector('#average-table th.example')"
                          ".dataset.index !== String(first)", arg=rows[0])


def columns(tab) -> list[int]:
    return tab.eval_on_selector_all("#average-table th.example",
                                    "ths => ths.map(th => Number(th.dataset.index))")


def row_names(tab) -> list[str]:
    return tab.eval_on_selector_all("#average-table tbody tr[data-layer]", "trs => trs.map("
                                    "tr => [tr.dataset.layer, tr.dataset.j, tr.dataset.k].join())")


def test_the_learner_picks_the_digits_and_pins_rows(server, fresh):
    tab = fresh(server + "#average")
    tab.wait_for_selector("#average-table td.average")
    tab.fill("#average-rows", "5, 7, 9")
    tab.press("#average-rows", "Enter")
    tab.wait_for_function("document.querySelectorAll('#average-table th.example').length === 3")
    assert columns(tab) == [5, 7, 9] and "yours" in tab.inner_text("#average-summary")
    third = row_names(tab)[2]
    tab.locator("#average-table tbody tr[data-layer] button.pin").nth(2).click()
    tab.wait_for_function("""(name) => {
        const tr = document.querySelector('#average-table tbody tr[data-layer]');
        return [tr.dataset.layer, tr.dataset.j, tr.dataset.k].join() === name
          && tr.querySelector('button.pin').getAttribute('aria-pressed') === 'true'; }""",
                          arg=third)                    # pinned rows come first
    tab.click("#average-batch")                          # a random batch again: still pinned
    tab.wait_for_function("document.querySelectorAll('#average-table th.example').length === 10")
    assert row_names(tab)[0] == third and columns(tab) != [5, 7, 9]
    assert tab.get_attribute("#average-table tbody tr[data-layer] button.pin",
                             "aria-pressed") == "true"
    tab.fill("#average-rows", "5, seven")
    tab.press("#average-rows", "Enter")
    tab.wait_for_function("document.getElementById('average-summary').textContent"
                          ".includes('whole numbers from 0')")   # says what it expected


@pytest.fixture(scope="module")
def confident_server():
    """A network that says 3, fairly sure, whatever it sees: its output biases are ±2."""
    net = Network([784, 16, 16, 10], seed=1)
    net.weights[-1] *= 0.1
    net.biases[-1][:] = -2
    net.biases[-1][3] = 2
    yield from serve(create_app(net, tiny_dataset(300, 100, 100)))


def widest_nudge(tab) -> float:
    return tab.evaluate("Math.max(0, ...[...document.querySelectorAll('#net line[filter]')]"
                        ".map(l => Number(l.getAttribute('stroke-width'))))")


def wish_for(tab, digit: int) -> None:
    tab.click(f"#targets button[data-digit='{digit}']")
    tab.wait_for_function("(d) => document.getElementById('wish-summary').textContent"
                          ".includes('cost') && document.querySelector('#net text.out .wish')"
                          " !== null && document.querySelector(`#targets [aria-pressed=true]`)"
                          ".dataset.digit === String(d)", arg=digit)
    tab.wait_for_timeout(200)


def test_nudges_are_drawn_on_an_absolute_scale(confident_server, fresh, artifacts):
    tab = fresh(confident_server + "#nudges")
    tab.wait_for_function("document.getElementById('predicted-digit').textContent === '3'")
    wish_for(tab, 3)                                  # right, and fairly sure of it
    right = widest_nudge(tab)
    assert "absolute scale" in tab.inner_text("#magnitude")
    wish_for(tab, 5)                                  # wrong
    wrong = widest_nudge(tab)
    assert right < wrong
    assert "✗" in tab.text_content("#net")           # 3 predicted, 5 wished: marked wrong
    assert "it is a 5" in tab.inner_text("#prediction-note")
    wish_for(tab, 3)
    tab.check("#rescale")                             # the toggle says it is on
    tab.wait_for_function("document.getElementById('magnitude').textContent"
                          ".startsWith('RESCALED')")
    assert widest_nudge(tab) > right
    screenshot(tab, artifacts, "nudges-rescaled")


def test_use_it_changes_only_this_browser(server, fresh):
    mine, theirs = fresh(server + "#learn"), fresh(server + "#see")
    for tab in (mine, theirs):
        tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    their_banner = theirs.inner_text("#banner")
    mine.fill("#hidden", "5")
    mine.fill("#epochs", "1")
    mine.select_option("#pace", "fast")
    mine.click("#start")
    mine.wait_for_function("document.getElementById('learn-status').textContent"
                           ".startsWith('done')", timeout=30_000)
    mine.click("#use")
    mine.wait_for_function("document.getElementById('banner').textContent.includes('yours')")
    mine.click("nav [data-view=see]")
    mine.wait_for_function("document.querySelectorAll('#net circle.neuron').length === 15")
    theirs.reload()
    theirs.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    assert theirs.locator("#net circle.neuron").count() == 42 and \
        theirs.inner_text("#banner") == their_banner
    mine.click("nav [data-view=learn]")
    mine.click("#unuse")                               # the way back
    mine.wait_for_function("!document.getElementById('banner').textContent.includes('yours')")
    mine.click("nav [data-view=see]")
    mine.wait_for_function("document.querySelectorAll('#net circle.neuron').length === 42")


def test_tabs_are_a_tablist_with_arrow_keys(server, fresh):
    tab = fresh(server)
    tab.focus("#tab-tour")
    tab.keyboard.press("ArrowRight")
    assert tab.get_attribute("#tab-see", "aria-selected") == "true"
    assert tab.evaluate("document.activeElement.id") == "tab-see"
    tab.keyboard.press("End")
    assert tab.get_attribute("#tab-playground", "aria-selected") == "true"
    tab.keyboard.press("ArrowRight")                   # wraps round
    assert tab.get_attribute("#tab-tour", "aria-selected") == "true"


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_diagram_text_and_neurons_are_big_enough(server, fresh, artifacts, viewport):
    tab = fresh(server + "#nudges", viewport)
    tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    bottom = tab.evaluate("document.getElementById('targets').getBoundingClientRect().bottom"
                          " + window.scrollY")
    assert bottom <= viewport["height"]                # the digit to wish for: above the fold
    wish_for(tab, 2)
    smallest = tab.evaluate("""Math.min(...[...document.querySelectorAll('#net text, #net tspan')]
        .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))""")
    assert smallest >= 11
    circle = tab.locator("#net circle.neuron").first.bounding_box()
    assert circle["width"] >= 24
    output = tab.locator("#net circle.neuron[data-layer='3'][data-index='2']").bounding_box()
    assert 0 <= output["x"] and output["x"] + output["width"] <= viewport["width"]  # in sight
    screenshot(tab, artifacts, f"nudges-{viewport['width']}")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_no_serious_accessibility_violation_on_any_view(server, fresh, viewport):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    tab = fresh(server, viewport)
    tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    for view in ("tour", "see", "nudges", "average", "learn", "noise"):
        tab.click(f"nav [data-view={view}]")
        if view == "nudges":
            tab.click("#targets button[data-digit='2']")
        tab.wait_for_timeout(400)
        found = axe.run(tab).response["violations"]
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found
               if v["impact"] in ("serious", "critical")]
        assert not bad, (view, bad)


def test_neurons_are_chosen_with_the_keyboard(server, fresh):
    tab = fresh(server + "#nudges")
    tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    wish_for(tab, 4)
    tab.focus("#net circle.neuron[data-layer='2'][data-index='5']")
    tab.keyboard.press("Enter")
    tab.wait_for_function("document.getElementById('neuron-summary').textContent"
                          ".includes('neuron 5 of hidden layer 2')")
    assert tab.get_attribute("#net circle[data-layer='2'][data-index='5']",
                             "aria-pressed") == "true"
    assert tab.locator("#neuron-factors .factor").count() >= 3   # a_k, σ'(z), w_jk, ∂C/∂a
    tab.focus("#net circle.neuron[data-layer='3'][data-index='2']")
    tab.keyboard.press("Enter")                        # an output neuron: its inputs named
    tab.wait_for_function("document.getElementById('neuron-summary').textContent"
                          ".includes('neuron 2 of output')")
    assert tab.locator("#neuron-inputs .hbar").count() == 16
    names = tab.eval_on_selector_all("#neuron-inputs .hbar .name", "ns => ns.map(n => "
                                     "n.textContent)")
    assert names == [f"from {k}" for k in range(16)]
    assert "hidden layer 2" in tab.inner_text("#neuron-inputs")


def test_every_canvas_and_chart_has_an_accessible_name(server, fresh):
    tab = fresh(server)
    tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    for view in ("tour", "see", "nudges", "average", "learn", "noise"):
        tab.click(f"nav [data-view={view}]")
        if view == "nudges":
            wish_for(tab, 2)
        tab.wait_for_timeout(300)
        unnamed = tab.evaluate("""[...document.querySelectorAll('canvas, svg, [role=img]')]
            .filter(el => !(el.getAttribute('aria-label') || '').trim()
                          && !el.getAttribute('aria-labelledby'))
            .map(el => el.id || el.className.baseVal || el.className || el.tagName)""")
        assert not unnamed, (view, unnamed)
    assert tab.locator("#weight-images canvas[aria-label]").count() == 16


@pytest.fixture
def no_digits_server():
    """A server without a model whose digits cannot be found."""
    import nudges.web.data_source
    from nudges.core.errors import DataNotFound

    def missing(*args, **kwargs):
        raise DataNotFound("full MNIST not found in /nowhere")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nudges.web.data_source, "load_digits", missing)
        yield from serve(create_app())


def test_without_digits_the_page_says_why_in_plain_sight(no_digits_server, fresh):
    tab = fresh(no_digits_server + "#learn")
    tab.wait_for_function("!document.getElementById('data-hint').hidden")
    hint = tab.inner_text("#data-hint")
    assert "/nowhere" in hint and "nudges serve --download" in hint
    assert "untrained" in tab.inner_text("#banner")
    for button in ("#start", "#random", "#mistake", "#measure"):
        assert tab.is_disabled(button)
        assert "waiting for the data" in tab.get_attribute(button, "title")


@pytest.fixture(scope="module")
def sample_server():
    """A server whose digits are (named as) the embedded sample: the page says how to get
    full MNIST."""
    from dataclasses import replace
    data = replace(tiny_dataset(300, 100, 100), name="mnist-sample")
    yield from serve(create_app(Network([784, 16, 16, 10], seed=1), data))


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_full_mnist_hint_is_on_the_page_and_keeps_the_controls_in_sight(sample_server, fresh,
                                                                             viewport):
    tab = fresh(sample_server + "#nudges", viewport)
    tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    assert tab.is_visible("#data-hint summary")
    assert "5,000 MNIST digits" in tab.inner_text("#data-hint summary")
    wide = viewport is LAPTOP                          # a phone keeps the rest one tap away
    assert tab.evaluate("document.getElementById('data-hint').open") == wide
    if not wide:
        tab.click("#data-hint summary")
    assert "nudges serve --download" in tab.inner_text("#data-hint")
    if not wide:
        tab.click("#data-hint summary")
    bottom = tab.evaluate("document.getElementById('targets').getBoundingClientRect().bottom"
                          " + window.scrollY")
    assert bottom <= viewport["height"]


def test_charts_keep_readable_text_on_a_phone(server, fresh):
    tab = fresh(server + "#noise", PHONE)
    tab.wait_for_function("document.getElementById('predicted-digit') !== null")
    tab.click("#measure")
    tab.wait_for_function("document.querySelectorAll('#noise-table tr').length === 4")
    smallest = tab.evaluate("""Math.min(...[...document.querySelectorAll('#noise-chart text')]
        .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))""")
    assert smallest >= 11
    tab.click("nav [data-view=learn]")
    width = tab.evaluate("document.getElementById('cost-chart').getBoundingClientRect().width")
    assert 12 * width / 600 >= 11                      # the curves' 12-unit labels
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# -- pictures of other classes (issue 12) ---------------------------------------------------
ANIMALS = ("cat", "dog", "cow", "Ankle boot")


@pytest.fixture(scope="module")
def named_server():
    """A server whose 28x28 pictures are of four named classes, one a long name."""
    data = tiny_dataset(300, 100, 100, classes=ANIMALS)
    yield from serve(create_app(Network([784, 16, 16, 4], seed=1), data))


def test_the_page_names_the_classes(named_server, fresh, artifacts):
    tab = fresh(named_server + "#nudges")
    tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    assert tab.eval_on_selector_all("#targets button", "bs => bs.map(b => b.textContent)") \
        == list(ANIMALS)
    tab.wait_for_function("document.querySelectorAll('#net text.out .digit').length === 4")
    assert tab.eval_on_selector_all("#net text.out .digit", "ts => ts.map(t => t.textContent)") \
        == list(ANIMALS)
    assert tab.inner_text("#predicted-digit") in ANIMALS
    tab.click("#targets button[data-digit='3']")
    tab.wait_for_function("document.getElementById('wish-summary').textContent"
                          ".includes('Ankle boot up by')")
    right = tab.evaluate("Math.max(...[...document.querySelectorAll('#net text.out')]"
                         ".map(t => t.getBBox().x + t.getBBox().width))")
    assert right <= 1000                                  # the names fit in the diagram
    screenshot(tab, artifacts, "named-classes")


# -- a table (issue 12) ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def table_server(tmp_path_factory):
    """A server for a CSV table: 4 named features, 3 named classes."""
    from nudges import load_dataset

    from .test_web_tables import write_table
    data = load_dataset(write_table(tmp_path_factory.mktemp("table") / "boxes.csv"),
                        label="kind")
    yield from serve(create_app(Network([4, 6, 3], seed=1), data))


def test_a_table_shows_its_rows_and_hides_the_pad(table_server, fresh, artifacts):
    tab = fresh(table_server)
    tab.wait_for_function("document.getElementById('row-label').textContent"
                          ".startsWith('test row 0: a ')")
    labels = tab.eval_on_selector_all("#row-fields label span", "s => s.map(e => e.textContent)")
    assert labels == ["length", "width", "height", "mass"]
    assert float(tab.input_value("#row-fields input[data-feature='3']")) > 1000   # its units
    assert tab.inner_text("#predicted-digit") in ("small", "medium", "large")
    assert not tab.is_visible("#pad") and not tab.is_visible("#tab-tour")
    assert not tab.is_visible("#tab-nudges") and tab.is_visible("#tab-learn")
    assert tab.eval_on_selector_all("#net text.feature", "ts => ts.length") == 4
    tab.fill("#row-fields input[data-feature='0']", "40")
    tab.wait_for_function("document.getElementById('row-label').textContent === "
                          "'typed values'")
    tab.click("#row-another")
    tab.wait_for_function("document.getElementById('row-label').textContent"
                          ".startsWith('test row 1: a ')")
    screenshot(tab, artifacts, "table")
