"""`nudges gradcheck`: backprop against central finite differences on a small random network."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..core import activations, costs
from ..core.network import Network
from ..explain.gradcheck import check_network
from .common import add_command, parse_layers

EXAMPLES = """\
  nudges gradcheck
  nudges gradcheck --layers 6,5,4,3 --activation relu --output softmax --cost cross-entropy
"""


def register(subparsers: Any) -> None:
    """Add `nudges gradcheck`."""
    p = add_command(subparsers, "gradcheck", run,
                    "compare backprop with finite differences on a small float64 network",
                    EXAMPLES)
    p.add_argument("--layers", default="8,6,5,4", help="layer sizes of the small network")
    p.add_argument("--activation", choices=activations.hidden_names(), default="sigmoid",
                   help="hidden activation")
    p.add_argument("--output", choices=costs.output_names(), default="sigmoid",
                   help="output activation")
    p.add_argument("--cost", choices=list(costs.COSTS), default="quadratic",
                   help="cost per example")
    p.add_argument("--examples", type=int, default=5, help="rows in the random batch")
    p.add_argument("--seed", type=int, default=0, help="seed for the network and the batch")


def run(args: argparse.Namespace) -> int:
    """Print the largest relative error per layer; exit 1 if any is above 1e-6."""
    sizes = parse_layers(args.layers)
    net = Network(sizes, activation=args.activation, output=args.output, cost=args.cost,
                  dtype="float64", seed=args.seed)
    rng = np.random.default_rng(args.seed)
    x = rng.random((max(1, args.examples), sizes[0]))
    y = rng.integers(0, sizes[-1], size=len(x))
    print(f"{'-'.join(map(str, sizes))} {args.activation}/{args.output}/{args.cost}, "
          f"{len(x)} examples, central differences h = 1e-5, float64")
    worst = 0.0
    for l, (err_w, err_b) in enumerate(check_network(net, x, y)):
        print(f"layer {l + 1}: weights {err_w:.1e}  biases {err_b:.1e}  (largest relative error)")
        worst = max(worst, err_w, err_b)
    verdict = "agree" if worst < 1e-6 else "DISAGREE"
    print(f"backprop and finite differences {verdict} (worst {worst:.1e}, threshold 1e-6)")
    return 0 if worst < 1e-6 else 1
