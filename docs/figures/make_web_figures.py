"""Screenshots of the web page for the README: the tour, the averaging table, a phone.

    python docs/figures/make_web_figures.py [--out docs/figures] [--data ../shared/data/mnist]

Trains the video's 784-16-16-10 network for one epoch on the digits found (NUDGES_DATA, the
cache or the embedded sample), serves it on a free local port, and drives Debian's Chromium
(/usr/bin/chromium) with Playwright at laptop (1152x720) and phone (390x844) sizes.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from nudges import Network, load_digits, train
from nudges.web import create_app

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SHOTS = [  # name, viewport, address, what to wait for
    ("web-tour", (1152, 720), "#tour/3", "#tour-figure .factors"),
    ("web-tour-table", (1152, 720), "#tour/7", "#tour-figure table"),
    ("web-average", (1152, 720), "#average", "#average-table td.average"),
    ("web-phone-tour", (390, 844), "#tour/2", "#tour-figure .hbars"),
    ("web-phone-nudges", (390, 844), "#nudges", "#wish-summary b"),
]


def serve(app) -> tuple[uvicorn.Server, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}/"


def shoot(browser, url: str, out: Path) -> None:
    for name, (width, height), where, ready in SHOTS:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url + where)
        page.wait_for_selector(ready, timeout=30_000)
        if where == "#nudges":
            page.click("#targets button[data-digit='7']")
            page.wait_for_selector("#wish-summary b")
        page.wait_for_timeout(300)
        page.screenshot(path=str(out / f"{name}.png"))
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()
    data = load_digits(args.data)
    net = Network([784, 16, 16, 10], seed=0)
    train(net, *data.train, epochs=1, batch_size=10, eta=3.0, seed=0)
    server, url = serve(create_app(net, data))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            shoot(browser, url, args.out)
            browser.close()
    finally:
        server.should_exit = True


if __name__ == "__main__":
    main()
