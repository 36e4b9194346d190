"""Screenshots of the playground for the docs, and its frame rate while training.

    python docs/figures/make_playground_figures.py [--out docs/figures] [--seconds 10]

Serves the page (the video's network, untrained: the playground does not use it) on a free local
port and drives Debian's Chromium (/usr/bin/chromium) with Playwright, at 1280x800 and 390x844:
spirals of 3 classes being learned by a 2-8-8-3 tanh network (Adam, η 0.03, batch 10, seed 0),
and one point's nudges. Then it trains at full speed and at 10 steps a frame for --seconds each,
counting the frames the page draws while another client asks /api/status every 50 ms, and
prints the frame rate and the status latency (median, 95th percentile, worst).
"""

from __future__ import annotations

import argparse
import io
import socket
import statistics
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from PIL import Image
from playwright.sync_api import sync_playwright

from nudges import Network
from nudges.web import create_app

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SPIRALS = ("#playground/data=spiral&classes=3&points=600&noise=0.05&seed=0&test=0.3"
           "&features=&hidden=8,8&activation=tanh&output=softmax&cost=cross-entropy"
           "&init=scaled&optimizer=adam&eta=0.03&batch=10&lmbda=0")
TEST = ("() => { const m = document.getElementById('pg-counters').textContent"
        ".match(/([\\d.]+)% test/); return m ? parseFloat(m[1]) : 0; }")
STEP = "() => Number(document.getElementById('pg-net').dataset.step)"


def serve() -> tuple[uvicorn.Server, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(Network([784, 16, 16, 10], seed=0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}/"


def small_png(png: bytes, path: Path) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"wrote {path}")


def open_tab(browser, url: str, size: tuple[int, int]):
    tab = browser.new_page(viewport={"width": size[0], "height": size[1]})
    tab.goto(url + SPIRALS)
    tab.wait_for_selector("#pg-net line")
    return tab


def learning(tab, accuracy: float) -> None:
    """Run 10 steps a frame until the test accuracy reaches `accuracy`, then pause."""
    tab.select_option("#pg-speed", "10")
    tab.click("#pg-run")
    tab.wait_for_function(f"({TEST})() >= {accuracy}", timeout=120_000)
    tab.click("#pg-run")
    tab.wait_for_timeout(300)


def shots(browser, url: str, out: Path) -> None:
    tab = open_tab(browser, url, (1280, 800))
    learning(tab, 75)
    tab.evaluate("window.scrollTo(0, 0)")
    small_png(tab.screenshot(), out / "playground-spirals.png")
    tab.locator("#pg-regions circle[data-which='train'][data-index='5']").click()
    tab.wait_for_function("document.getElementById('pg-point-summary').textContent"
                          ".includes('cost C =')")
    tab.locator(".pg-figure-card").scroll_into_view_if_needed()
    figure = tab.locator(".pg-figure-card").bounding_box()
    point = tab.locator(".pg-point-card").bounding_box()
    clip = {"x": figure["x"], "y": figure["y"], "width": figure["width"],
            "height": point["y"] + point["height"] - figure["y"]}
    small_png(tab.screenshot(clip=clip, full_page=True), out / "playground-nudges.png")
    phone = open_tab(browser, url, (390, 844))
    learning(phone, 75)
    phone.locator(".pg-figure-card").scroll_into_view_if_needed()
    small_png(phone.screenshot(), out / "playground-phone.png")


def measure(browser, url: str, speed: str, seconds: float) -> None:
    """Frames drawn per second while training, and /api/status latency meanwhile."""
    tab = open_tab(browser, url, (1280, 800))
    tab.select_option("#pg-speed", speed)
    latencies: list[float] = []
    done = threading.Event()

    def ask() -> None:
        with httpx.Client(base_url=url) as client:
            while not done.is_set():
                start = time.perf_counter()
                client.get("api/status").raise_for_status()
                latencies.append(1000 * (time.perf_counter() - start))
                time.sleep(0.05)
    watcher = threading.Thread(target=ask)
    tab.click("#pg-run")
    tab.wait_for_function(f"({STEP})() > 0")
    watcher.start()
    tab.evaluate("""() => { const net = document.getElementById('pg-net');
        window.__frames = 0; new MutationObserver(() => window.__frames++)
        .observe(net, {attributes: true, attributeFilter: ['data-step']}); }""")
    tab.wait_for_timeout(seconds * 1000)
    frames = tab.evaluate("window.__frames")
    done.set()
    watcher.join()
    tab.click("#pg-run")
    ordered = sorted(latencies)
    print(f"speed {speed} steps a frame: {frames / seconds:.1f} frames/s, step "
          f"{tab.evaluate(STEP):,}; /api/status over {len(ordered)} requests: median "
          f"{statistics.median(ordered):.1f} ms, p95 {ordered[int(0.95 * len(ordered))]:.1f} ms, "
          f"worst {ordered[-1]:.1f} ms")
    tab.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--no-shots", action="store_true", help="only measure")
    args = parser.parse_args()
    server, url = serve()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        if not args.no_shots:
            shots(browser, url, args.out)
        for speed in ("5000", "10"):
            measure(browser, url, speed, args.seconds)
        browser.close()
    server.should_exit = True


if __name__ == "__main__":
    main()
