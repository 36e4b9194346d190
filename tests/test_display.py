"""Rich display in notebooks: each object's _repr_html_ says its numbers and draws them."""

from __future__ import annotations

import base64
import re
import struct
import zlib

import numpy as np
import pytest

import nudges
from nudges.explain import display, svg


@pytest.fixture(scope="module")
def trained():
    """A 16-8-10 network trained for 2 epochs on 300 random 4x4 'images', with its history."""
    rng = np.random.default_rng(0)
    x, y = rng.random((300, 16)).astype(np.float32), rng.integers(0, 10, 300)
    net = nudges.Network([16, 8, 10], seed=0)
    history = nudges.train(net, x, y, epochs=2, evaluation=(x[:50], y[:50]), seed=0)
    return net, history, x, y


def decode_png(url: str) -> np.ndarray:
    """The RGB pixels of the 8-bit PNG that svg.png wrote."""
    data = base64.b64decode(url.split(",", 1)[1])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat_length = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41:41 + idat_length])
    rows = np.frombuffer(raw, np.uint8).reshape(height, 1 + 3 * width)
    assert not rows[:, 0].any()                                    # filter type 0 on every row
    return rows[:, 1:].reshape(height, width, 3)


def test_png_holds_the_pixels():
    pixels = np.linspace(0, 1, 28 * 28)
    rgb = decode_png(svg.gray_png(pixels, 28))
    np.testing.assert_array_equal(rgb[..., 0].ravel(), np.round(255 * pixels))
    heat = decode_png(svg.heat_png(np.array([1.0, -1.0, 0.0, 0.25] * 16), 8))
    assert tuple(heat[0, 0]) == (74, 163, 255) and tuple(heat[0, 1]) == (255, 90, 78)
    assert tuple(heat[0, 2]) == (12, 12, 12)


def test_network_says_its_shape_and_lights_its_neurons(trained):
    net, *_ = trained
    html = net._repr_html_()
    assert "Network 16-8-10" in html and f"{8 * 16 + 8 + 10 * 8 + 10:,} parameters" in html
    assert html.count("<circle") == 16 + 8 + 10 and "sees a" not in html
    x = np.zeros(16, dtype=np.float32)
    lit = display.network(net, x).html
    seen = int(net.predict(x[None])[0])
    assert f"the network sees a <b>{seen}</b>" in lit
    output = net.feedforward(x[None])[0]
    assert f"{seen}  {output[seen]:.2f}" in lit


def test_a_big_layer_is_cut_and_a_picture_input_drawn():
    net = nudges.Network([784, 40, 10], seed=0)
    html = display.network_html(net, np.ones(784, dtype=np.float32))
    assert "hidden 40 (16 shown)" in html and html.count("<circle") == 16 + 10
    assert html.count("data:image/png;base64,") == 1


def test_history_reports_the_last_epoch_and_draws_curves(trained):
    _, history, *_ = trained
    html = history._repr_html_()
    last = history.epochs[-1]
    assert f"training cost {last.training_cost:.4g}" in html
    assert f"({last.accuracy:.2f}%)" in html and html.count("<polyline") == 3
    empty = nudges.History(nudges.Settings(epochs=3))._repr_html_()
    assert "no epoch yet" in empty and "<svg" not in empty


def test_wishes_draw_one_bar_per_output_and_hidden_neuron(trained):
    net, _, x, y = trained
    w = nudges.wishes(net, x[0], int(y[0]))
    html = w._repr_html_()
    assert f"wished for: <b>{int(y[0])}</b>" in html and f"{w.cost:.4g}" in html
    assert html.count("<rect") == 10 + 8
    assert f"wish {w.output_wish[3]:+.3f}" in html


def test_agreement_and_noise_tables(trained):
    net, _, x, y = trained
    a = nudges.agreement(net, x, y, 1)
    html = a._repr_html_()
    assert f"{len(x):,} examples vote on the 80 weights into layer 2" in html
    j, k = np.unravel_index(np.argmax(np.abs(a.mean)), a.mean.shape)
    assert f"w<sub>{j},{k}</sub></td><td>{a.mean[j, k]:+.3g}" in html
    rows = nudges.gradient_noise(net, x, y, (1, 300), repeats=2, rng=0)
    assert isinstance(rows, list) and len(rows) == 2
    table = rows._repr_html_()
    assert "<td>300</td><td>1.000 ± 0.000" in table
    assert len(re.findall(r"<tr>", table)) == 3
