"""The tour in headless Chromium, on the 5,000-digit sample: it starts on an untrained lesson
network whose wishes can be seen, its sentences agree with its numbers as the network learns,
its address carries its state through a reload, and it fits a phone with no serious
accessibility violation."""

from __future__ import annotations

import pytest

from .test_browser import ARGS, CHROMIUM, LAPTOP, PHONE, TIMEOUT, serve, sync_api

pytestmark = pytest.mark.browser
VIEWS = ("see", "nudges", "average", "learn", "noise")


@pytest.fixture(scope="module")
def server():
    from nudges.data import load_sample
    from nudges.network import Network
    from nudges.training import train
    from nudges.web import create_app
    data = load_sample()
    net = Network([784, 16, 16, 10], seed=0)
    train(net, *data.train, epochs=3, seed=0)
    yield from serve(create_app(net, data))


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_tab(browser):
    contexts, errors = [], []

    def open_page(url: str, viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or LAPTOP)
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.set_default_timeout(TIMEOUT)
        tab.goto(url)
        return tab
    yield open_page
    for context in contexts:
        context.close()
    assert not errors, errors


def at_step(tab, step: int) -> None:
    """Wait until tour step `step` is drawn with its numbers."""
    tab.wait_for_function("(n) => document.getElementById('tour-count').textContent === "
                          "`step ${n} of 9` && document.querySelector('#tour-figure')"
                          ".children.length > 0 && !document.getElementById('tour-text')"
                          ".textContent.startsWith('Loading')", arg=step)


def test_the_default_tour_starts_untrained_with_wishes_that_can_be_seen(server, open_tab):
    tab = open_tab(server + "#tour/2")
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


def test_step_8_says_what_the_cosine_says_at_the_start_and_after_3_epochs(server, open_tab):
    tab = open_tab(server + "#tour/8")
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


def test_an_address_carries_the_tours_state_through_a_reload(server, open_tab):
    tab = open_tab(server + "#tour/3?seed=2&steps=30&x=17")
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
def test_every_step_and_view_fits_and_has_no_serious_axe_violation(server, open_tab, viewport):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    tab = open_tab(server + "#tour/1", viewport)
    problems = []
    for step in range(1, 10):
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
