"""The notebook widgets: traitlets in, traitlets out; and once rendered in Chromium."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

pytest.importorskip("anywidget", reason="the widgets need the notebook extra: "
                    "pip install 'nudges[notebook]'")

import nudges  # noqa: E402
from nudges.notebook.widgets import Draw, Learn, Nudges  # noqa: E402
from nudges.web import bundle  # noqa: E402

from .widget_host import host_page  # noqa: E402

CHROMIUM = os.environ.get("NUDGES_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def digits():
    """The embedded sample, cut small: 600 training, 100 validation and 100 test digits."""
    d = nudges.load_sample()
    return nudges.Dataset(tuple(a[:600] for a in d.train), tuple(a[:100] for a in d.validation),
                          tuple(a[:100] for a in d.test), "test subset", "mnist-sample")


@pytest.fixture(scope="module")
def net():
    return nudges.Network([784, 12, 10], seed=0)


def test_the_bundle_holds_each_page_module_once_after_its_imports():
    sources = bundle.sources("widget.js")
    names = list(sources)
    assert names[-1] == "widget.js" and {"diagram.js", "pad.js", "chart.js"} <= set(names)
    for name, text in sources.items():
        for dep in bundle.IMPORT.findall(text):
            assert names.index(dep[1]) < names.index(name)
    esm = Draw._esm
    assert json.dumps(sources["diagram.js"]) in esm and "export default" in esm


def test_draw_puts_a_drawing_through_the_network(net, digits):
    x = digits.test[0][0]
    w = Draw(net, x)
    np.testing.assert_allclose(w.result["activations"][-1], net.feedforward(x)[0], atol=1e-4)
    assert w.result["prediction"] == int(net.predict(x[None])[0])
    w.image = {"width": 4, "height": 4, "pixels": [0.0] * 5 + [1.0] * 2 + [0.0] * 9}
    assert w.error == "" and len(w.result["input"]) == 784
    w.image = {"width": 4, "height": 4, "pixels": [0.0] * 16}
    assert "blank" in w.error
    w.image = {"width": 5, "height": 4, "pixels": [1.0] * 16}
    assert "needs 20 pixels, got 16" in w.error
    w.image = {}
    assert w.result == {} and w.error == ""


def test_nudges_follow_the_wished_digit_and_neuron(net, digits):
    x, y = digits.test[0][0], int(digits.test[1][0])
    w = Nudges(net, x, y, others=(digits.test[0][1:], digits.test[1][1:]))
    assert w.target == y and w.result["label"] == y
    wished = nudges.wishes(net, x, (y + 1) % 10)
    w.target = (y + 1) % 10
    np.testing.assert_allclose(w.result["output_wish"], wished.output_wish, rtol=1e-3)
    w.neuron = [2, 3]
    assert w.result["neuron"]["layer"] == 2 and w.result["neuron"]["index"] == 3
    w.neuron = [3, 0]
    assert "neuron layer must be from 1" in w.error
    w.neuron = []
    step = w.step()
    assert step["cost_after"] < step["cost_before"] and sum(step["digit_counts"]) == 99
    assert w.step_result == step
    w.handle(w, {"action": "nonsense"}, [])
    assert "no action 'nonsense'" in w.error


def test_learn_trains_and_reports_curves(digits):
    net = nudges.Network([784, 12, 10], seed=1)
    before = net.weights[0].copy()
    w = Learn(net, digits, epochs=2, batch_size=20, eta=3.0, seed=0)
    assert w.run == {} and len(w.images["values"]) == 12
    w.start(background=False)
    assert w.run["state"] == "done" and w.run["seen"] == 2 * 600
    assert [e["epoch"] for e in w.run["epochs"]] == [1, 2]
    assert not np.array_equal(before, net.weights[0])
    with pytest.raises(nudges.InvalidInput, match="batch size"):
        Learn(net, digits, batch_size=10_000)


def test_learn_pauses_steps_and_stops_from_the_buttons(digits):
    w = Learn(nudges.Network([784, 12, 10], seed=2), digits, epochs=50, seed=0)
    w.handle(w, {"action": "start"}, [])
    w.handle(w, {"action": "pause"}, [])
    seen = w.current.seen
    w.handle(w, {"action": "step"}, [])
    w.handle(w, {"action": "stop"}, [])
    w.wait(30)
    assert not w.current.alive and w.run["state"] == "stopped"
    assert w.current.seen <= seen + 2 * 10 and w.error == ""


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}")
def test_the_widgets_render_in_chromium(net, digits):
    """Each widget's _esm and _css in a minimal anywidget host; drawing sends a picture."""
    sync_api = pytest.importorskip("playwright.sync_api")
    x, y = digits.test[0][0], int(digits.test[1][0])
    nudging = Nudges(net, x, y)
    nudging.step()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        errors: list[str] = []

        def show(widget):                   # a fresh page each time: no window left over
            page = browser.new_page(viewport={"width": 1152, "height": 720})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.set_content(host_page(widget))
            page.wait_for_function("window.rendered", timeout=15_000)
            assert page.evaluate("window.rendered") == "ok", errors
            assert page.locator("svg.net circle.neuron").count() == 12 + 10
            return page

        show(Draw(net, x))
        page = show(nudging)
        assert page.locator(".targets button[aria-pressed=true]").inner_text() == str(y)
        assert page.locator("svg.chart rect").count() > 10           # the step's bars
        page = show(Draw(net))
        box = page.locator("canvas.pad").bounding_box()
        page.mouse.move(box["x"] + 140, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + 140, box["y"] + 240, steps=8)
        page.mouse.up()
        image = page.evaluate("window.model.get('image')")
        browser.close()
    assert not errors
    assert image["width"] == image["height"] == 56 and max(image["pixels"]) > 0.5
    drawn = Draw(net)
    drawn.image = image                                      # what the kernel then computes
    assert drawn.error == "" and len(drawn.result["activations"]) == 3
