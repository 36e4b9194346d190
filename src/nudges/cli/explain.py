"""`nudges explain MODEL --index N`: what one example wishes, in words and figures."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import InvalidInput
from ..core.network import Network
from ..data.own.recorded import classes_text, read_inputs, recorded
from ..explain import words
from ..explain.wishes import Wishes, agreement, check_one_weight, step_effect, wishes
from ..files.models import load_saved
from . import data_args
from .common import add_command, add_data_option, load_data, output_folder

EXAMPLES = """\
  nudges explain book.npz --index 8                  # a 5 the network calls a 6
  nudges explain book.npz --index 8 --wish 3 --figures figures
  nudges explain book.npz --image my_digit.png --wish 7
"""


def register(subparsers: Any) -> None:
    """Add `nudges explain`."""
    p = add_command(subparsers, "explain", run,
                    "what one example wishes: the nudges backpropagation computes, in words",
                    EXAMPLES)
    p.add_argument("model", metavar="MODEL", help="a network saved by `nudges train --save`")
    p.add_argument("--index", type=int, default=0, help="which test image to explain")
    p.add_argument("--image", metavar="PNG", help="explain this picture instead (needs --wish)")
    p.add_argument("--wish", metavar="CLASS",
                   help="the class wished for, by name or number (default: the test image's "
                        "label)")
    p.add_argument("--top", type=int, default=5, help="how many neurons and weights to list")
    p.add_argument("--batch", type=int, default=1000,
                   help="training images that vote on the chosen weight (averaging)")
    p.add_argument("--eta", type=float, default=None,
                   help="learning rate of the one step shown (default: the model's, else 3)")
    p.add_argument("--figures", metavar="DIR", help="write network, wishes and agreement "
                   "figures here")
    p.add_argument("--format", choices=["png", "svg"], default="png", help="figure format")
    add_data_option(p)


def _wish(text: str | None, classes: tuple[str, ...], n_out: int) -> int | None:
    """The class --wish names (by name, else by number), or None."""
    if text is None or text in classes:
        return None if text is None else classes.index(text)
    if not text.lstrip("-").isdigit() or not 0 <= int(text) < n_out:
        if all(c.isdigit() for c in classes):
            raise InvalidInput(f"--wish must be a digit from 0 to {n_out - 1}, got {text}")
        raise InvalidInput(f"--wish must be a class name ({classes_text(classes, 12)}) or a "
                           f"number from 0 to {n_out - 1}, got {text!r}")
    return int(text)


def _example(args: argparse.Namespace, net: Network, data: Any, info: dict[str, Any]
             ) -> tuple[np.ndarray, int, str]:
    """(x (n_in,), the class wished for, a description) from --image or --index."""
    wished = _wish(args.wish, data.classes, net.sizes[-1])
    if args.image:
        if wished is None:
            raise InvalidInput("--image needs --wish CLASS: the class the picture should be")
        return read_inputs([args.image], info)[0][0], wished, f"{args.image}"
    x, y = data.test
    if not 0 <= args.index < len(y):
        raise InvalidInput(f"--index must be from 0 to {len(y) - 1:,} (the test images), "
                           f"got {args.index}")
    label = int(y[args.index])
    wish = label if wished is None else wished
    kind = "image" if len(data.shape) == 2 else "example"
    return x[args.index], wish, f"test {kind} #{args.index} (labelled {data.classes[label]})"


def input_names(data: Any) -> list[str]:
    """A name for each input: 'pixel (row 15, col 5)' for pictures, the feature's column
    name for a CSV table, else 'input k'."""
    if len(data.shape) == 2:
        return [f"pixel (row {k // data.shape[1]}, col {k % data.shape[1]})"
                for k in range(data.shape[0] * data.shape[1])]
    features = data.recipe.get("features")
    if isinstance(features, list) and len(features) == data.train[0].shape[1]:
        return [f"feature {name!r}" for name in features]
    return [f"input {k}" for k in range(data.train[0].shape[1])]


def _neuron(inputs: list[str], l: int, k: int) -> str:
    """The input's name (input_names) for layer 0, else 'neuron k of layer l'."""
    return inputs[k] if l == 0 else f"neuron {k} of layer {l}"


def _print_sees(w: Wishes, what: str, names: list[str]) -> None:
    outputs = "  ".join(f"{names[j]}:{a:.2f}" for j, a in enumerate(w.output))
    print(f"{what}: the network sees {_said(names[w.prediction], 'a')} "
          f"(a = {w.output[w.prediction]:.3f}).")
    print(f"  output activations  {outputs}")
    print(f"  this example's cost C_x = {w.cost:.4g} (wishing for {_said(names[w.label], 'a')})")


def _said(name: str, article: str) -> str:
    """How a class is named in a sentence: 'a 6', 'an 8', 'the 6', 'digit 6' for digits; else
    in quotes, with its article where the sentence wants one: "an 'Ankle boot'", 'Coat'."""
    if article == "a":
        article = words.article(name)
    if name.isdigit():
        return f"{article} {name}"
    return f"{article} {name!r}" if article in ("a", "an") else repr(name)


def _print_output_wishes(w: Wishes, top: int, names: list[str]) -> None:
    print(f"\n1. The output layer's wishes, −∂C_x/∂a (up for {_said(names[w.label], 'the')}, "
          "down for the others, in proportion to how far each is from its target):")
    order = np.argsort(-np.abs(w.output_wish), kind="stable")
    for j in order[:top]:
        target = 1 if j == w.label else 0
        way = "up  " if w.output_wish[j] > 0 else "down"
        print(f"   {_said(names[j], 'digit')}: {way} {w.output_wish[j]:+.3g}   "
              f"(a = {w.output[j]:.3f}, target {target})")


def _print_hidden_wishes(w: Wishes, top: int) -> None:
    if len(w.deltas) > 1:
        print("\n2. The wishes passed back, −∂C_x/∂a_k = Σ_j w_jk × (−δ_j) over the next layer; "
              "the neurons each layer most wants to change:")
    for l in range(len(w.deltas) - 2, -1, -1):
        wish = w.activation_wishes[l]
        print(f"   layer {l + 1} ({wish.size} neurons):")
        for k in np.argsort(-np.abs(wish), kind="stable")[:top]:
            way = "up  " if wish[k] > 0 else "down"
            a = w.trace.activations[l + 1][0, k]
            print(f"      neuron {k}: {way} {wish[k]:+.3g}   (a = {a:.3f})")


def _print_levers(net: Network, w: Wishes, top: int, inputs: list[str]) -> None:
    last = len(w.deltas) - 1
    lev = w.levers(last, w.label)
    print(f"\n3. The three levers of output neuron {w.label} (δ = ∂C_x/∂z = {lev.delta:+.3g}):")
    if net.output.prime is not None and lev.wish:
        z = w.trace.zs[-1][0]
        slope = float(net.output.prime(z[w.label:w.label + 1], w.output[w.label:w.label + 1])[0])
        print(f"   (δ = −wish × σ'(z) = −({lev.wish:+.3g}) × {slope:.3g}"
              + (": a saturated neuron learns slowly)" if slope < 0.05 else ")"))
    print(f"   its bias: nudge −δ = {lev.bias_nudge:+.3g}")
    print("   its weights, each in proportion to the activation feeding it (fire together, "
          "wire together): nudge = −δ × a_k")
    for k in np.argsort(-np.abs(lev.weight_nudges), kind="stable")[:top]:
        print(f"      from {_neuron(inputs, last, k)} (a = {lev.a_prev[k]:.3f}): "
              f"{lev.weight_nudges[k]:+.3g}")
    if last == 0:
        return
    print("   the previous activations, each in proportion to its weight: wish = −δ × w_jk")
    for k in np.argsort(-np.abs(lev.previous_wishes), kind="stable")[:top]:
        print(f"      {_neuron(inputs, last, k)} (w = {lev.weights[k]:+.2f}): "
              f"{lev.previous_wishes[k]:+.3g}")


def _print_biggest(inputs: list[str], w: Wishes, top: int) -> tuple[int, int]:
    print("\n4. The biggest nudges, and why: nudge_w = −(a_k feeding in) × (δ_j of the neuron "
          "fed), so bright inputs to neurons that must change move most:")
    for l in range(len(w.deltas) - 1, -1, -1):
        for j, k in w.biggest_nudges(l, top):
            a, delta = w.trace.activations[l][0, k], w.deltas[l][j]
            print(f"   layer {l + 1}, w_{j},{k}: {w.nudge_w[l][j, k]:+.3g} = "
                  f"−({_neuron(inputs, l, k)}: a = {a:.3f}) × (δ_{j} = {delta:+.3g})")
        j = int(np.argmax(np.abs(w.nudge_b[l])))
        print(f"   layer {l + 1}, biggest bias nudge: neuron {j}, −δ = {w.nudge_b[l][j]:+.3g}")
    return w.biggest_nudges(0, 1)[0]


def _print_step(net: Network, w: Wishes, data: Any, eta: float) -> None:
    x_test, y_test = data.test
    rows = np.r_[x_test, w.trace.activations[0]], np.r_[y_test, w.label]
    effect = step_effect(net, *rows, len(y_test), eta)
    moved = "; ".join(f"a_{j} {effect.output_before[0, j]:.3f} → {effect.output_after[0, j]:.3f}"
                      for j in dict.fromkeys((w.label, w.prediction)))
    print(f"\n5. One gradient-descent step on this example alone (η = {eta:g}): its cost "
          f"{effect.cost_before:.4g} → {effect.cost_after:.4g}; {moved}.")
    names = data.classes
    change = "  ".join(f"{names[d] if d < len(names) else d}:{c:+.1e}"
                       for d, c in enumerate(effect.digit_change))
    kind = "images" if len(data.shape) == 2 else "examples"
    by = "digit" if all(c.isdigit() for c in names) else "class"
    print(f"   the {len(y_test):,} test {kind}' mean cost, by {by}, changed by: {change}")


def _print_averaging(net: Network, data: Any, j: int, k: int, size: int,
                     inputs: list[str]) -> Any:
    x, y = data.train
    size = max(1, min(size, len(y)))
    ag = agreement(net, x[:size], y[:size], 0)
    up, down = ag.pullers(j, k, 3)
    kind, off = ("images", "dark") if len(data.shape) == 2 else ("examples", "0")
    print(f"\n6. Averaging: the first {size:,} training {kind} vote on w_{j},{k} of layer 1: "
          f"{int(ag.up[j, k]):,} pull it up, {int(ag.down[j, k]):,} down, the rest leave it "
          f"(their {_neuron(inputs, 0, k)} is {off}).")
    print(f"   mean nudge {ag.mean[j, k]:+.3g} (the step SGD takes, per unit η), spread "
          f"{ag.std[j, k]:.3g}; hardest up: {_who(data.classes, y, up)}; hardest down: "
          f"{_who(data.classes, y, down)}")
    voted = ag.agree[~np.isnan(ag.agree)]
    if voted.size:
        print(f"   over all of layer 1's weights, {100 * voted.mean():.0f}% of the {kind} that "
              f"move a weight agree with the sign of the mean nudge")
    return ag


def _who(classes: tuple[str, ...], y: np.ndarray, rows: np.ndarray) -> str:
    if not rows.size:
        return "none"
    return ", ".join(f"#{i} ({_said(classes[y[i]], 'a')})" for i in rows)


def _figures(args: argparse.Namespace, net: Network, w: Wishes, ag: Any, jk: tuple[int, int]
             ) -> None:
    from ..explain import figures
    from ..explain import figures_backprop as pb
    out = Path(args.figures)
    out.mkdir(parents=True, exist_ok=True)
    made = [figures.save(pb.network_diagram(net, w.trace.activations[0], w.label),
                       out / f"network.{args.format}"),
            figures.save(pb.wishes_figure(w), out / f"wishes.{args.format}"),
            figures.save(pb.agreement_figure(ag, *jk), out / f"agreement.{args.format}")]
    print(f"\nFigures: {', '.join(str(p) for p in made)}")


def run(args: argparse.Namespace) -> int:
    """Print what the chosen example sees and wishes; write the figures with --figures."""
    if args.batch < 1:
        raise InvalidInput(f"--batch must be at least 1 image, got {args.batch}")
    if args.figures:
        output_folder(args.figures, "--figures")
    saved = load_saved(args.model)
    net = saved.network
    data = data_args.load_for_model(args, saved, args.model, lambda: load_data(args))
    info = recorded(saved.metadata, args.model)
    x, wish, what = _example(args, net, data, info)
    w = wishes(net, x, wish)
    top = max(1, args.top)
    names = list(data.classes) + [str(j) for j in range(len(data.classes), net.sizes[-1])]
    _print_sees(w, what, names)
    _print_output_wishes(w, top, names)
    _print_hidden_wishes(w, top)
    inputs = input_names(data)
    _print_levers(net, w, top, inputs)
    j, k = _print_biggest(inputs, w, top)
    eta = args.eta if args.eta is not None else _model_eta(saved.metadata)
    _print_step(net, w, data, eta)
    ag = _print_averaging(net, data, j, k, args.batch, inputs)
    print(f"\n7. Check: {check_one_weight(net, x, wish, 0, j, k).words()}")
    if w.cost < 1e-3:
        print("\nThis example is already learned, so its wishes are tiny; try one the network "
              "gets wrong (`nudges plot MODEL` shows them).")
    if args.figures:
        _figures(args, net, w, ag, (j, k))
    return 0


def _model_eta(metadata: dict[str, Any]) -> float:
    """The learning rate the model was trained with, else 3 (the book's)."""
    training = metadata.get("training")
    eta = training.get("eta") if isinstance(training, dict) else None
    return float(eta) if isinstance(eta, (int, float)) and eta > 0 else 3.0
