"""Figures: valid PNG and SVG files of the promised size, drawing the library's numbers."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from nudges.core.errors import InvalidInput  # noqa: E402
from nudges.core.network import Network  # noqa: E402
from nudges.explain import figures, figures_backprop  # noqa: E402
from nudges.explain.wishes import agreement, gradient_noise, wishes  # noqa: E402
from nudges.training.sgd import train  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, after checking the signature."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def expected(name: str) -> tuple[int, int]:
    width, height = figures.SIZES[name]
    return round(width * figures.DPI), round(height * figures.DPI)


@pytest.fixture(scope="module")
def digits():
    """A 784-20-10 network trained briefly on random 'digits' (a bright block per class)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, size=300)
    x = rng.random((300, 784)).astype(np.float32) * 0.3
    for d in range(10):
        x[y == d, d * 70:d * 70 + 60] = 1.0
    net = Network([784, 20, 10], seed=0)
    history = train(net, x[:200], y[:200], epochs=2, evaluation=(x[200:], y[200:]), seed=0)
    return net, x, y, history


def check_png(fig, tmp_path: Path, name: str) -> Path:
    path = figures.save(fig, tmp_path / f"{name}.png")
    assert path.stat().st_size > 1000
    assert png_size(path) == expected(name)
    return path


def test_training_curves(digits, tmp_path):
    _, _, _, history = digits
    fig = figures.training_curves(history)
    cost_ax = fig.axes[0]
    np.testing.assert_allclose(cost_ax.lines[0].get_ydata(),
                               [r.training_cost for r in history.epochs])
    check_png(fig, tmp_path, "curves")


def test_weight_images(digits, tmp_path):
    net, *_ = digits
    fig = figures.weight_images(net)
    shown = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(shown, net.weights[0][0].reshape(28, 28))
    check_png(fig, tmp_path, "weights")


def test_network_diagram(digits, tmp_path):
    net, x, y, _ = digits
    check_png(figures_backprop.network_diagram(net, x[0], int(y[0])), tmp_path, "network")
    wide = Network([784, 50, 40, 10], seed=0)              # more neurons than MAX_SHOWN
    check_png(figures_backprop.network_diagram(wide, x[1]), tmp_path, "network")


def test_wishes_figure_draws_the_wishes(digits, tmp_path):
    net, x, y, _ = digits
    w = wishes(net, x[0], int(y[0]))
    fig = figures_backprop.wishes_figure(w)
    heights = [bar.get_height() for bar in fig.axes[0].patches]
    np.testing.assert_allclose(heights, w.output_wish, rtol=1e-6)
    hidden = [bar.get_height() for bar in fig.axes[1].patches]
    np.testing.assert_allclose(hidden, w.activation_wishes[0], rtol=1e-6)
    j = int(np.argmax(np.abs(w.deltas[0])))
    nudges = [ax.images[0].get_array() for ax in fig.axes if ax.images][1]
    np.testing.assert_allclose(nudges, w.nudge_w[0][j].reshape(28, 28))
    check_png(fig, tmp_path, "wishes")


def test_agreement_figure(digits, tmp_path):
    net, x, y, _ = digits
    ag = agreement(net, x[:100], y[:100], 0)
    fig = figures_backprop.agreement_figure(ag, 3, 5)
    heights = sorted(bar.get_height() for bar in fig.axes[0].patches)
    nudges = ag.nudges_of(3, 5)
    np.testing.assert_allclose(heights, np.sort(nudges[nudges != 0]), rtol=1e-6)
    check_png(fig, tmp_path, "agreement")


def test_noise_figure(digits, tmp_path):
    net, x, y, _ = digits
    rows = gradient_noise(net, x, y, batch_sizes=(1, 10, 300), repeats=3, rng=0)
    fig = figures.noise_figure(rows, len(y))
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [r.cosine_mean for r in rows])
    check_png(fig, tmp_path, "noise")


def test_confusion_and_gallery(digits, tmp_path):
    net, x, y, _ = digits
    predicted = net.predict(x)
    m = np.bincount(y * 10 + predicted, minlength=100).reshape(10, 10)
    fig = figures.confusion_figure(m)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert str(m[0, 0]) in texts
    check_png(fig, tmp_path, "confusion")
    predicted[:3] = (y[:3] + 1) % 10                        # at least three mistakes
    gallery = figures.misclassified_gallery(x, y, predicted)
    assert f"#0: {y[0]} → {predicted[0]}" in {ax.get_title() for ax in gallery.axes}
    check_png(gallery, tmp_path, "gallery")
    check_png(figures.misclassified_gallery(x, y, y), tmp_path, "gallery")   # none wrong


def test_svg_and_bad_names(digits, tmp_path):
    net, x, y, _ = digits
    path = figures.save(figures_backprop.network_diagram(net, x[0]), tmp_path / "net.svg")
    assert b"<svg" in path.read_bytes()[:1000]
    with pytest.raises(InvalidInput, match="png or .svg"):
        figures.save(figures.confusion_figure(np.eye(10, dtype=int)), tmp_path / "c.jpg")
    with pytest.raises(InvalidInput, match="does not exist"):
        figures.save(figures.confusion_figure(np.eye(10, dtype=int)), tmp_path / "no" / "c.png")
