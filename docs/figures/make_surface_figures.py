"""Screenshots of the walk downhill (#surface) for the docs, at 1280x800 and on a phone.

    NUDGES_DATA=../shared/data/mnist python docs/figures/make_surface_figures.py [--out DIR]

Serves an untrained 784-16-16-10 network (the view needs only its shape: it walks a fresh,
seeded lesson network of that shape) on the digits found (--data, NUDGES_DATA, the cache or
the embedded sample), opens #surface in Debian's Chromium (/usr/bin/chromium) with
Playwright, waits for both paths, and saves the viewport as 256-colour PNGs.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from make_web_figures import ARGS, serve  # this folder's other figure script
from PIL import Image
from playwright.sync_api import sync_playwright

from nudges import Network, load_digits
from nudges.web import create_app

SHOTS = {"web-surface": (1280, 800), "web-phone-surface": (390, 844)}


def shoot(browser, url: str, out: Path, name: str, viewport: tuple[int, int]) -> None:
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(url + "#surface")
    page.wait_for_selector("#surface-chart polyline.sgd", timeout=120_000)
    if viewport[0] < 600:                        # a phone: the figure, not the controls
        page.evaluate("document.querySelector('.surface-card').scrollIntoView()")
    page.wait_for_timeout(300)
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    image.quantize(256, method=Image.Quantize.FASTOCTREE).save(out / f"{name}.png", optimize=True)
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--data", default=None, help="a folder holding MNIST's files")
    args = parser.parse_args()
    app = create_app(Network([784, 16, 16, 10], seed=0), load_digits(args.data))
    server, url = serve(app)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, viewport in SHOTS.items():
            shoot(browser, url, args.out, name, viewport)
        browser.close()
    server.should_exit = True


if __name__ == "__main__":
    main()
