"""The endpoints of the guided tour and the averaging table: checked like the others (schemas,
then InvalidInput for what only the model or the data can tell), computed by the library.
Their router sits beside api.router in the app (server.create_app); they use api's helpers."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import APIRouter, Depends, Request

from ..core.errors import InvalidInput
from ..core.network import Network
from ..explain.wishes import step_effect, wishes
from . import lessons, schemas, views
from .api import (
    STEP_ROWS,
    check_label,
    check_neuron,
    data_of,
    heavy_slot,
    to_input,
)
from .data_source import DataSource
from .lesson_api import LessonAverageRequest, LessonStepRequest, LessonTourRequest, network_for

router = APIRouter(prefix="/api")


@router.post("/tour")
def tour(body: LessonTourRequest, request: Request) -> dict[str, Any]:
    """One example's wishes, the levers of the output neuron it wishes up (or `neuron`), and
    the wish passed back to the last hidden layer, term by term (on the lesson network when
    the body names one)."""
    net, version = network_for(request, body.lesson)
    check_label(data_of(request), net, body.label)
    x = to_input(data_of(request), body.image)
    layer, j = len(net.sizes) - 1, body.label
    if body.neuron is not None:
        layer, j = body.neuron.layer, body.neuron.index
        check_neuron(net, layer, j)
    w = wishes(net, x, body.label)
    view = views.wishes_view(net, w, (layer, j))
    view["neuron"].update(lessons.levers_extra(net, w, layer, j))
    return {"version": version, **views.forward_view(net, x), **view,
            "passed_back": lessons.passed_back(net, w), "recursion": lessons.recursion(w)}


def _batch(data: DataSource, rows: list[int] | None, count: int, seed: int) -> lessons.Batch:
    x, y = data.pictures().train
    if rows is None:
        index = np.sort(np.random.default_rng(seed).choice(len(y), min(count, len(y)), False))
    else:
        index = np.asarray(rows, dtype=np.int64)
        if index.max() >= len(y):
            raise InvalidInput(f"rows must be training examples from 0 to {len(y) - 1}, got "
                               f"{int(index.max())}")
    return lessons.Batch(index, x[index], y[index])


def _check_parameter(net: Network, p: schemas.Parameter) -> lessons.Param:
    check_neuron(net, p.layer, p.j)
    n_in = net.sizes[p.layer - 1]
    if p.k is not None and p.k >= n_in:
        raise InvalidInput(f"layer {p.layer} has {n_in} inputs (k from 0 to {n_in - 1}), "
                           f"got k {p.k}")
    return (p.layer, p.j, p.k)


@router.post("/average", dependencies=[Depends(heavy_slot)])
def average(body: LessonAverageRequest, request: Request) -> dict[str, Any]:
    """The averaging table: each example's nudges to a few parameters, their average (the
    mini-batch's −∇C) and the whole training set's average, with the cosine between them.
    A pass over the whole training set: heavy work, so it takes one of the app's slots."""
    data = data_of(request)
    net, version = network_for(request, body.lesson)
    picks = [_check_parameter(net, p) for p in body.picks]
    batch = _batch(data, body.rows, body.count, body.seed)
    return {"version": version,
            **lessons.average_view(net, batch, data.pictures().train, picks, body.top)}


@router.post("/average/step")
def average_step(body: LessonStepRequest, request: Request) -> dict[str, Any]:
    """One step on the mini-batch `rows` (on a copy): its cost, and the held-out test digits'
    cost, before and after."""
    data = data_of(request)
    net, version = network_for(request, body.lesson)
    batch = _batch(data, body.rows, len(body.rows), 0)
    x_test, y_test = data.pictures().test
    x_test, y_test = x_test[:STEP_ROWS], y_test[:STEP_ROWS]
    effect = step_effect(net, np.vstack([batch.x, x_test]), np.concatenate([batch.y, y_test]),
                         list(range(len(batch.y))), body.eta)
    return {"version": version, "eta": effect.eta, "rows": batch.index.tolist(),
            "cost_before": effect.cost_before, "cost_after": effect.cost_after,
            "held_out": len(y_test), "held_out_before": net.cost(x_test, y_test),
            "held_out_after": effect.network.cost(x_test, y_test)}
