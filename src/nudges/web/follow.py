"""Watch it learn at a pace a person can follow: one mini-batch step a second, and before each
step its mini-batch: the examples, each one's nudges to a few parameters (one per neuron) and
their average, −∇C of the batch, which plain SGD moves by η times (explain.example_nudges at
the weights the step starts from; their mean is Network.gradient's negative, as tested).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.network import Network, flat
from ..explain.wishes import example_nudges
from ..training.settings import State
from .lessons import Batch, chosen_rows, examples_view, flat_index
from .views import significant

FOLLOW_SECONDS = 1.0       # between steps at the pace a person can follow
ROWS = 4                   # parameters shown, one per neuron


def next_batch(net: Network, x: np.ndarray, labels: np.ndarray, state: State,
               size: int) -> dict[str, Any] | None:
    """The mini-batch the next step will take (None before the epoch's shuffle): its examples
    and, for the ROWS parameters of largest |average nudge|, every example's nudge."""
    if state.order is None:
        return None
    index = np.asarray(state.order[state.step * size:(state.step + 1) * size])
    batch = Batch(index, x[index], labels[index])
    nudge_w, nudge_b = example_nudges(net, batch.x, batch.y)   # (n, n_out, n_in), (n, n_out)
    mean = flat([w.mean(axis=0) for w in nudge_w],             # their average: the batch's −∇C
                [b.mean(axis=0) for b in nudge_b])
    rows = []
    for layer, j, k in chosen_rows(net, mean, [], ROWS):
        cells = nudge_b[layer - 1][:, j] if k is None else nudge_w[layer - 1][:, j, k]
        rows.append({"layer": layer, "j": j, "k": k, "nudges": significant(cells),
                     "average": float(f"{mean[flat_index(net, (layer, j, k))]:.6g}")})
    return {"step": state.t + 1, "examples": examples_view(net, batch), "rows": rows}
