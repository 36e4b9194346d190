"""Screenshots of the web page for the docs and the README: the tour, the averaging table, a phone.

    python docs/figures/make_web_figures.py [--out docs/figures] [--data ../shared/data/mnist]
    python docs/figures/make_web_figures.py --out /tmp/audit --audit    # every view, 3 sizes

Trains the video's 784-16-16-10 network for one epoch (batch 10, η 3, seed 0) on the digits
found (--data, NUDGES_DATA, the cache or the embedded sample), serves it on a free local port,
and drives Debian's Chromium (/usr/bin/chromium) with Playwright. The figures are the viewport
(what a person sees without scrolling), saved as 256-colour PNGs to stay small. --audit
instead saves every view, full page, at 1440x900, 1152x720 and 390x844.
"""

from __future__ import annotations

import argparse
import io
import socket
import threading
import time
from pathlib import Path

import numpy as np
import uvicorn
from PIL import Image
from playwright.sync_api import sync_playwright

from nudges import Network, load_digits, train
from nudges.web import create_app

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
LAPTOP, PHONE, TALL = (1152, 720), (390, 844), (1152, 1000)    # TALL: a tour step whole
SIZES = {"1440": (1440, 900), "1152": LAPTOP, "phone": PHONE}
SHOTS = [  # name, viewport, address, what to wait for
    ("web-tour", LAPTOP, "#tour/3?seed=0&steps=0", "#tour-figure .factors"),
    ("web-tour-2", TALL, "#tour/2?seed=0&steps=0", "#tour-figure .hbars"),
    ("web-tour-8", TALL, "#tour/8?seed=0&steps=0", "#tour-text .claim"),
    ("web-tour-8-trained", TALL, "#tour/8?model=trained", "#tour-text .claim"),
    ("web-average", LAPTOP, "#average", "#average-table td.average"),
    ("web-phone-tour", PHONE, "#tour/2?seed=0&steps=0", "#tour-figure .hbars"),
    ("web-phone-tour-8", PHONE, "#tour/8?seed=0&steps=0", "#tour-text .claim"),
    ("web-phone-nudges", PHONE, "#nudges", "#wish-summary b"),
]
VIEWS = {"tour": "#tour-figure .hbars", "see": "#net circle.neuron",
         "nudges": "#wish-summary b", "average": "#average-table td.average",
         "learn": "#learn-status", "noise": "#noise-table tr"}


def serve(app) -> tuple[uvicorn.Server, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}/"


def open_page(browser, url: str, viewport: tuple[int, int], where: str, ready: str):
    """A fresh page at `where`, once `ready` is there (a wish chosen in the nudges view, the
    noise measured in its view, the step applied in the averaging table)."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(url + where)
    page.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'",
                           timeout=30_000)
    if where == "#nudges":
        page.click("#targets button[data-digit='7']")
    if where == "#noise":
        page.click("#measure")
    page.wait_for_selector(ready, timeout=60_000)
    if where == "#average":
        page.click("#average-step")
        page.wait_for_function("document.getElementById('average-step-summary').textContent"
                               ".includes('→')")
    page.wait_for_timeout(400)
    return page


def small_png(png: bytes, path: Path) -> None:
    """Save a screenshot as a 256-colour PNG: the page's flat colours survive, the size falls."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def shoot(browser, url: str, out: Path) -> None:
    for name, viewport, where, ready in SHOTS:
        page = open_page(browser, url, viewport, where, ready)
        small_png(page.screenshot(), out / f"{name}.png")
        page.close()


THREE = [(0.3, 0.24), (0.58, 0.18), (0.7, 0.3), (0.5, 0.46), (0.72, 0.6), (0.62, 0.8),
         (0.3, 0.8)]                                      # one stroke, as fractions of the pad


def draw(page, points: list[tuple[float, float]]) -> None:
    box = page.locator("#pad").bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for point in at[1:]:
        page.mouse.move(*point, steps=6)
    page.mouse.up()


def views(browser, url: str, out: Path, wrong: int) -> None:
    """The other views at 1280x800: a drawn 3, test digit `wrong` (which the network gets
    wrong) wished for its label, four epochs of training, the gradient noise."""
    page = open_page(browser, url, (1280, 800), "#see", VIEWS["see"])
    page.click("#clear")
    draw(page, THREE)
    page.wait_for_function("document.getElementById('predicted-digit').textContent !== '?'")
    page.wait_for_timeout(400)
    small_png(page.screenshot(), out / "web-layers.png")
    page.click("nav [data-view=nudges]")
    page.evaluate("(i) => import('/static/pad.js').then(pad => pad.loadExample(i))", wrong)
    page.wait_for_function("document.getElementById('prediction-note').textContent !== ''")
    page.wait_for_selector("#wish-summary b")
    page.wait_for_timeout(400)
    small_png(page.screenshot(), out / "web-nudges.png")
    for _ in range(3):                                  # the backward pass, stage 3 of 6
        page.click("#bw-step")
    page.wait_for_function("document.getElementById('bw-text').textContent"
                           ".startsWith('Stage 3')")
    page.wait_for_timeout(400)
    small_png(page.screenshot(), out / "web-backward.png")
    page.click("nav [data-view=learn]")
    page.fill("#epochs", "4")
    page.select_option("#pace", "fast")
    page.click("#start")
    page.wait_for_function("document.getElementById('learn-status').textContent"
                           ".startsWith('done')", timeout=300_000)
    page.wait_for_timeout(400)
    small_png(page.screenshot(), out / "web-learn.png")
    page.close()
    page = open_page(browser, url, (1280, 800), "#noise", VIEWS["noise"])
    small_png(page.screenshot(), out / "web-noise.png")
    page.close()


def audit(browser, url: str, out: Path) -> None:
    for size, viewport in SIZES.items():
        for view, ready in VIEWS.items():
            page = open_page(browser, url, viewport, f"#{view}", ready)
            page.screenshot(path=str(out / f"{view}-{size}.png"), full_page=True)
            page.close()


def first_wrong(net: Network, data) -> int:
    """The first test digit the network gets wrong."""
    x, y = data.test
    return int(np.flatnonzero(net.predict(x) != y)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--data", default=None)
    parser.add_argument("--audit", action="store_true", help="every view at three sizes")
    args = parser.parse_args()
    data = load_digits(args.data)
    net = Network([784, 16, 16, 10], seed=0)
    train(net, *data.train, epochs=1, batch_size=10, eta=3.0, seed=0)
    server, url = serve(create_app(net, data))
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            if args.audit:
                audit(browser, url, args.out)
            else:
                shoot(browser, url, args.out)
                views(browser, url, args.out, first_wrong(net, data))
            browser.close()
    finally:
        server.should_exit = True


if __name__ == "__main__":
    main()
