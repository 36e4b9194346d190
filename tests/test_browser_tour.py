"""The tour in headless Chromium, on the 5,000-digit sample: it starts on an untrained lesson
network whose wishes can be seen, its sentences agree with its numbers as the network learns,
its address carries its state through a reload, and it fits a phone with no serious
accessibility violation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from .test_browser import LAPTOP, PHONE, serve

pytestmark = pytest.mark.browser
VIEWS = ("see", "nudges", "average", "learn", "noise")


@pytest.fixture(scope="module")
def served():
    """The page's model and data, and its address."""
    from nudges.core.network import Network
    from nudges.data.mnist import load_sample
    from nudges.training.sgd import train
    from nudges.web import create_app
    data = load_sample()
    net = Network([784, 16, 16, 10], seed=0)
    train(net, *data.train, epochs=3, seed=0)
    for url in serve(create_app(net, data)):
        yield {"url": url, "net": net, "data": data}


@pytest.fixture(scope="module")
def server(served):
    return served["url"]


def at_step(tab, step: int) -> None:
    """Wait until tour step `step` is drawn with its numbers."""
    tab.wait_for_function("(n) => document.getElementById('tour-count').textContent === "
                          "`step ${n} of 10` && document.querySelector('#tour-figure')"
                          ".children.length > 0 && !document.getElementById('tour-text')"
                          ".textContent.startsWith('Loading')", arg=step)


def test_the_default_tour_starts_untrained_with_wishes_that_can_be_seen(server, fresh):
    tab = fresh(server + "#tour/2")
    at_step(tab, 2)
    assert "untrained" in tab.inner_text("#lesson-where")
    longest = tab.evaluate("Math.max(...[...document.querySelectorAll('#tour-figure .hbar i')]"
                           ".map(i => Number(i.dataset.rel)))")
    assert longest > 0.5            # √ rule: a bar past half its track is a wish over 0.25
    assert "strongest wish" in tab.inner_text("#tour-text")
    assert tab.inner_text("#tour-example-why") == "chosen: the network gets it wrong"


def claim_agrees(tab) -> float:
    cosine, kind = tab.evaluate("(() => { const c = document.querySelector('#tour-text "
                                ".claim'); return [Number(c.dataset.cosine), c.dataset.claim]; "
                                "})()")
    expected = ("good" if cosine >= 0.5 else "rough" if cosine >= 0.2 else "noise"
                if cosine >= 0 else "against")
    assert kind == expected, (cosine, kind)
    assert f"cos = {cosine:.3f}" in tab.inner_text("#tour-text")
    assert f"{cosine:.3f}" in tab.inner_text("#tour-formula")
    return cosine


def test_step_8_says_what_the_cosine_says_at_the_start_and_after_3_epochs(server, fresh):
    tab = fresh(server + "#tour/8")
    at_step(tab, 8)
    early = claim_agrees(tab)
    for _ in range(3):
        before = tab.inner_text("#lesson-where")
        tab.click("#lesson-epoch")
        tab.wait_for_function("(b) => document.getElementById('lesson-where').innerText !== b",
                              arg=before)
    at_step(tab, 8)
    tab.wait_for_function("document.getElementById('lesson-where').innerText.includes('1,200')")
    assert "steps=1200" in tab.evaluate("location.hash")
    late = claim_agrees(tab)
    assert early != late


def test_an_address_carries_the_tours_state_through_a_reload(server, fresh):
    tab = fresh(server + "#tour/3?seed=2&steps=30&x=17")
    at_step(tab, 3)
    assert tab.input_value("#tour-example") == "17"
    assert "30 mini-batch steps" in tab.inner_text("#lesson-where")
    assert "seed 2" in tab.inner_text("#lesson-where")
    text = tab.inner_text("#tour-text")
    tab.reload()
    at_step(tab, 3)
    assert tab.evaluate("location.hash") == "#tour/3?seed=2&steps=30&x=17"
    assert tab.inner_text("#tour-text") == text and tab.input_value("#tour-example") == "17"
    tab.check("#lesson-trained")                    # the trained model instead
    tab.wait_for_function("location.hash.includes('model=trained') && document"
                          ".getElementById('lesson-where').textContent.includes('trained model')")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_every_step_and_view_fits_and_has_no_serious_axe_violation(server, fresh, viewport):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    tab = fresh(server + "#tour/1", viewport)
    problems = []
    for step in range(1, 11):
        tab.evaluate(f"location.hash = '#tour/{step}?seed=0&steps=40'")
        at_step(tab, step)
        problems += check_page(tab, axe, f"tour step {step}", viewport)
    for view in VIEWS:
        tab.click(f"nav [data-view={view}]")
        tab.wait_for_timeout(600)
        problems += check_page(tab, axe, view, viewport)
    assert not problems, problems


def check_page(tab, axe, where: str, viewport: dict) -> list:
    width = tab.evaluate("document.documentElement.scrollWidth")
    found = [(where, "wider than the screen", width)] if width > viewport["width"] else []
    violations = axe.run(tab).response["violations"]
    return found + [(where, v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                    for v in violations if v["impact"] in ("serious", "critical")]


# The backward pass is shown, for the digit on the pad: the answer it shows is about that digit
# (an answer about the digit before may arrive after the pad has moved on).
SETTLED = """() => {
  const panel = document.getElementById('bw-text');
  const pad = document.getElementById('pad-hint').textContent.match(/#(\\d+)/);
  return panel.textContent.includes('6 stages') && pad !== null && panel.dataset.example === pad[1];
}"""


def test_each_stage_of_the_backward_pass_shows_the_librarys_numbers(served, fresh,
                                                                     tmp_path):
    from nudges.explain.wishes import example_nudges, wishes
    tab = fresh(served["url"] + "#nudges")
    tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    shown = tab.text_content("#pad-hint")
    tab.click("#random")
    tab.wait_for_function("(was) => document.getElementById('pad-hint').textContent !== was",
                          arg=shown)                                 # the new digit is on the pad
    tab.click("#targets button[data-digit='4']")
    tab.wait_for_function(SETTLED)
    index = int(tab.get_attribute("#bw-text", "data-example"))
    x = np.round(served["data"].test[0][index], 3)[None]          # the pixels the page sent
    net, seen = served["net"], set()
    w = wishes(net, x, 4)
    nudge_w, nudge_b = example_nudges(net, x, np.array([4]))
    for stage in range(1, 7):
        tab.click("#bw-step")
        tab.wait_for_function("(n) => document.getElementById('bw-text').textContent"
                              ".startsWith(`Stage ${n} of 6`)", arg=stage)
        for shown in tab.eval_on_selector_all("#bw-text .bw-number", "ns => ns.map(n => "
                                              "({...n.dataset}))"):
            layer, j, k, value = (int(shown["layer"]), int(shown["j"]), shown["k"],
                                  float(shown["value"]))
            expected = (w.output_wish[j] if layer == 3 and k == "" else
                        w.activation_wishes[layer - 1][j] if k == "" else
                        nudge_b[layer - 1][0, j] if k == "b" else
                        nudge_w[layer - 1][0, j, int(k)])
            assert value == pytest.approx(float(expected), rel=2e-3, abs=1e-5), (stage, shown)
            seen.add((layer, k == "", k == "b"))
        assert tab.locator("#net circle.bw-on").count() > 0          # its neurons highlighted
    assert {(3, True, False), (2, True, False), (1, True, False), (3, False, True),
            (1, False, False)} <= seen
    tab.click("#bw-back")
    tab.wait_for_function("document.getElementById('bw-text').textContent"
                          ".startsWith('Stage 5 of 6')")


def test_presenter_mode_labels_are_16_px_at_1280x720(server, fresh):
    tab = fresh(server + "?present#nudges", {"width": 1280, "height": 720})
    tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    tab.click("#random")
    tab.click("#targets button[data-digit='2']")
    tab.wait_for_function("document.querySelector('#net text.out .wish') !== null")
    assert tab.get_attribute("#presenter", "aria-pressed") == "true"
    smallest = tab.evaluate("""Math.min(...[...document.querySelectorAll('#net text, #net tspan')]
        .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))""")
    assert smallest >= 16


@pytest.mark.parametrize("what", ["net", "lesson-curve"])
def test_figures_save_as_svg_and_png(server, fresh, what):
    tab = fresh(server + ("#nudges" if what == "net" else "#tour/1"))
    tab.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    if what == "net":
        tab.click("#random")
        tab.click("#targets button[data-digit='2']")
        tab.wait_for_function("document.querySelector('#net text.out .wish') !== null")
    else:
        tab.wait_for_function("document.querySelector('#lesson-curve polyline') !== null")
    with tab.expect_download() as svg_file:
        tab.click(f"[data-export='{what}'][data-format='svg']")
    text = Path(svg_file.value.path()).read_text(encoding="utf-8")
    assert svg_file.value.suggested_filename == f"nudges-{what}.svg"
    assert text.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in text
    assert ("circle" if what == "net" else "polyline") in text and "fill:" in text
    with tab.expect_download() as png_file:
        tab.click(f"[data-export='{what}'][data-format='png']")
    png = Path(png_file.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
