"""Rich display in a notebook: networks, training histories, wishes, votes and gradient noise.

Jupyter, JupyterLab, VS Code and Colab show an object's `_repr_html_`; the classes' methods
call the builders here, which return HTML with inline SVG (nudges.explain.svg), so no plotting
library is needed. `network(net, x)` draws a network lit by one example:

    nudges.explain.display.network(net, data.test[0][0])      # a notebook cell shows it
"""

from __future__ import annotations

import numpy as np

from ..core.network import Network
from ..training.settings import History
from .noise import NoiseRow, NoiseTable
from .svg import DIM, HI, NEG, POS, bars, chart, esc, gray_png, image, line, square_side, svg, text
from .wishes import Agreement, Wishes

SHOWN = 16        # neurons drawn per layer; the rest are counted
EDGES = 48        # strongest edges drawn between two drawn layers
BOX = ('<div style="display:inline-block;border:1px solid #8a94a655;border-radius:6px;'
       'padding:6px 10px;line-height:1.4">')


class HTML:
    """Ready-made HTML that a notebook shows as such (and a console as its text)."""

    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def box(title: str, *parts: str) -> str:
    """A bordered block: a bold title line, then the parts."""
    return f"{BOX}<b>{title}</b><br>{''.join(parts)}</div>"


def network(net: Network, x: np.ndarray | None = None) -> HTML:
    """The network's shape and, with an example x (n_in,), its neurons lit by it."""
    return HTML(network_html(net, x))


def network_html(net: Network, x: np.ndarray | None = None) -> str:
    """A one-line summary and the diagram: neurons lit by x, edges coloured by weight sign."""
    n_params = sum(w.size + b.size for w, b in zip(net.weights, net.biases))
    sizes = "-".join(map(str, net.sizes))
    about = (f"{esc(net.hidden.name)} hidden, {esc(net.output.name)} output, "
             f"{esc(net.cost_function.name)} cost · {n_params:,} parameters · "
             f"{net.dtype.name} · seed {net.seed}")
    acts = None if x is None else [a[0] for a in net.trace(x).activations]
    seen = "" if acts is None else f"<br>the network sees a <b>{int(np.argmax(acts[-1]))}</b>"
    return box(f"Network {sizes}", about, seen, "<br>", diagram(net, acts))


def layout(sizes: list[int], width: float, height: float) -> list[list[tuple[float, float]]]:
    """Where each drawn neuron of each layer sits: at most SHOWN per layer, in one column."""
    columns = len(sizes)
    places = []
    for l, n in enumerate(sizes):
        x = 70 + (width - 130) * l / max(columns - 1, 1)
        shown = min(n, SHOWN)
        gap = (height - 40) / max(shown, 1)
        places.append([(x, 20 + gap * (i + 0.5)) for i in range(shown)])
    return places


def diagram(net: Network, acts: list[np.ndarray] | None, width: float = 520,
            height: float = 250) -> str:
    """The network as SVG: the input picture (or neurons), every layer's neurons, edges."""
    places = layout(list(net.sizes), width, height)
    side = square_side(net.sizes[0])
    body = ""
    for l, w in enumerate(net.weights):
        if l == 0 and side:
            continue                                   # a picture has no drawn input neurons
        body += edges(w, places[l], places[l + 1])
    for l, layer in enumerate(places):
        name = "input" if l == 0 else "output" if l == len(places) - 1 else "hidden"
        cut = f" ({SHOWN} shown)" if len(layer) < net.sizes[l] and not (l == 0 and side) else ""
        body += text(layer[0][0], height - 4, f"{name} {net.sizes[l]}{cut}", "middle")
        if l == 0 and side:
            body += picture(layer[0][0], height / 2, side, None if acts is None else acts[0])
            continue
        body += neurons(layer, None if acts is None else acts[l], net.sizes[l])
    labels = output_labels(places[-1], None if acts is None else acts[-1])
    return svg(width, height, body + labels, "the network's layers")


def picture(x: float, y: float, side: int, pixels: np.ndarray | None) -> str:
    """The input picture centred on (x, y), or an empty frame naming its size."""
    if pixels is not None:
        return image(x - 60, y - 60, 120, gray_png(pixels, side))
    return (f'<rect x="{x - 60:.1f}" y="{y - 60:.1f}" width="120" height="120" fill="none" '
            f'stroke="{DIM}"/>' + text(x, y + 4, f"{side}×{side} pixels", "middle"))


def edges(w: np.ndarray, left: list[tuple[float, float]], right: list[tuple[float, float]]
          ) -> str:
    """The EDGES strongest weights between the drawn neurons: blue positive, red negative."""
    part = np.asarray(w[:len(right), :len(left)], dtype=np.float64)   # (drawn out, drawn in)
    order = np.argsort(-np.abs(part), axis=None, kind="stable")[:EDGES]
    top = max(float(np.abs(part).max()), 1e-300)
    out = ""
    for i in order:
        j, k = divmod(int(i), part.shape[1])
        rel = abs(part[j, k]) / top
        (x1, y1), (x2, y2) = left[k], right[j]
        out += line(x1, y1, x2, y2, POS if part[j, k] >= 0 else NEG, 0.4 + 2 * rel,
                    0.15 + 0.6 * rel)
    return out


def neurons(layer: list[tuple[float, float]], a: np.ndarray | None, n: int) -> str:
    """Circles lit by activation (brightest = the layer's largest)."""
    lit = np.zeros(n) if a is None else np.maximum(a, 0) / max(1.0, float(np.max(a)))
    r = min(7.0, (layer[1][1] - layer[0][1]) * 0.4) if len(layer) > 1 else 7.0
    out = ""
    for i, (x, y) in enumerate(layer):
        tip = f"neuron {i}" + ("" if a is None else f": a = {a[i]:.3f}")
        out += (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{HI}" '
                f'fill-opacity="{lit[i]:.3f}" stroke="{DIM}"><title>{tip}</title></circle>')
    return out


def output_labels(layer: list[tuple[float, float]], a: np.ndarray | None) -> str:
    """Each output neuron's index and, when lit, its activation."""
    return "".join(text(x + 11, y + 4, f"{i}" + ("" if a is None else f"  {a[i]:.2f}"))
                   for i, (x, y) in enumerate(layer))


def history_html(history: History) -> str:
    """The run's settings, its last epoch in words, and the cost and accuracy curves."""
    s, epochs = history.settings, history.epochs
    head = (f"{esc(s.optimizer_name)}, η = {s.eta:g}, batch {s.batch_size}, "
            f"{s.epochs} epochs, seed {s.seed}")
    if not epochs:
        return box("Training history", head, "<br>no epoch yet")
    last, xs = epochs[-1], [e.epoch for e in epochs]
    said = f"<br>after epoch {last.epoch}: training cost {last.training_cost:.4g}"
    if last.accuracy is not None:
        said += f", evaluation {last.correct:,}/{last.total:,} ({last.accuracy:.2f}%)"
    said += f"; {sum(e.seconds for e in epochs):.2f} s of training<br>"
    costs = [(xs, [e.training_cost for e in epochs], POS, "training")]
    if last.evaluation_cost is not None:
        costs.append((xs, [e.evaluation_cost or np.nan for e in epochs], HI, "evaluation"))
    figures = chart(costs, "cost by epoch")
    if last.accuracy is not None:
        figures += chart([(xs, [e.accuracy or np.nan for e in epochs], HI, "evaluation")],
                         "accuracy (%) by epoch")
    return box("Training history", head, said, figures)


def wishes_html(w: Wishes) -> str:
    """The input, the output layer's wishes as bars, and each hidden layer's wishes."""
    a = w.output
    head = (f"wished for: <b>{w.label}</b> · the network sees a <b>{w.prediction}</b> "
            f"(a = {a[w.prediction]:.3f}) · cost C<sub>x</sub> = {w.cost:.4g}<br>")
    x = w.trace.activations[0][0]
    side = square_side(len(x))
    shown = svg(64, 64, image(0, 0, 64, gray_png(x, side)), "the input") if side else ""
    tips = [f"digit {j}: a = {a[j]:.3f}, wish {v:+.3f}" for j, v in enumerate(w.output_wish)]
    parts = [shown, bars(list(w.output_wish), range(len(a)), "output wishes −∂C/∂a", tips=tips)]
    for l, wish in enumerate(w.activation_wishes[:-1]):
        parts.append(bars(list(wish), range(len(wish)), f"hidden layer {l + 1}: "
                          "Σ_j w_jk (−δ_j)", height=90))
    return box("One example's wishes", head, *parts)


def agreement_html(agreement: Agreement, count: int = 5) -> str:
    """How the examples vote: the share agreeing with the mean, and the biggest mean nudges."""
    a = agreement
    agree = a.agree[np.isfinite(a.agree)]
    head = (f"{a.n:,} examples vote on the {a.mean.size:,} weights into layer {a.layer + 1}; "
            f"{np.mean(agree) * 100 if agree.size else float('nan'):.1f}% of the examples "
            "that push a weight push it the way the mean goes")
    hist = np.histogram(agree, bins=10, range=(0, 1))[0]
    votes = bars(list(hist), [f"{10 * i}" for i in range(10)], "weights by % of examples "
                 "agreeing with the mean", height=100)
    order = np.argsort(-np.abs(a.mean), axis=None, kind="stable")[:count]
    rows = "".join(f"<tr><td>w<sub>{j},{k}</sub></td><td>{a.mean[j, k]:+.3g}</td>"
                   f"<td>{a.std[j, k]:.3g}</td><td>{a.up[j, k]}</td><td>{a.down[j, k]}</td></tr>"
                   for j, k in (divmod(int(i), a.mean.shape[1]) for i in order))
    table = ("<table><tr><th>weight</th><th>mean nudge</th><th>spread</th><th>up</th>"
             f"<th>down</th></tr>{rows}</table>")
    return box("Averaging the nudges", head, "<br>", votes, table)


def noise_html(rows: list[NoiseRow]) -> str:
    """One row per batch size, and the cosine with the full gradient against the batch size."""
    body = "".join(f"<tr><td>{r.batch_size:,}</td><td>{r.cosine_mean:.3f} ± {r.cosine_std:.3f}"
                   f"</td><td>{r.norm_ratio:.3g}</td><td>{1000 * r.seconds:.3g}</td></tr>"
                   for r in rows)
    table = ("<table><tr><th>batch</th><th>cos(g<sub>B</sub>, g)</th><th>‖g<sub>B</sub>‖/‖g‖"
             f"</th><th>ms</th></tr>{body}</table>")
    logs = [float(np.log10(r.batch_size)) for r in rows]
    curve = chart([(logs, [r.cosine_mean for r in rows], POS, "cosine")],
                  "cosine with the full gradient, by log₁₀ batch size", y_range=(0, 1))
    return box("Mini-batch gradients against the full gradient",
               f"{rows[0].repeats if rows else 0} random batches per size", table, curve)


# The math's classes know nothing of HTML: their rich display is attached here, from this side.
Network._repr_html_ = network_html            # type: ignore[attr-defined]
History._repr_html_ = history_html            # type: ignore[attr-defined]
Wishes._repr_html_ = wishes_html              # type: ignore[attr-defined]
Agreement._repr_html_ = agreement_html        # type: ignore[attr-defined]
NoiseTable._repr_html_ = noise_html           # type: ignore[attr-defined]
