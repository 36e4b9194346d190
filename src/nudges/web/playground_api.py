"""The playground's endpoints (/api/playground/…): configure, step, frame, a point, a batch.

Every request names its browser session (the X-Nudges-Session header) and sees only that
session's playground. Work is bounded: the points, the network's size, the grid, the steps
and the seconds one request may take. The choices offered are read from the registries.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field

from ..core import activations, costs, optimizers
from ..core.errors import InvalidInput
from ..core.network import INITS
from ..explain import playground
from ..files.models import save
from .api import session_of
from .playground import Config, Playground
from .playgrounds import Playgrounds, locked
from .schemas import Strict

router = APIRouter(prefix="/api/playground")
MAX_HIDDEN, MAX_WIDTH = 4, 16
MAX_STEPS = 5000                 # steps in one request
SECONDS = 0.1                    # and at most this long, so that a frame comes back soon
GRID, MAX_GRID = 48, 96          # the region map's side
NODE_GRID, MAX_NODE_GRID = 20, 40
MAX_ROWS = 200                   # points in one batch
WEIGHT_REF, NUDGE_REF = 4.0, 0.25   # the diagram's absolute scales: the thickest line


class ConfigRequest(Strict):
    """A playground's configuration (see Config); bounds here, the choices checked by the
    registries themselves when the network is built."""

    data: str = Field(default="spiral", max_length=20)
    classes: int = Field(default=3, ge=playground.MIN_CLASSES, le=playground.MAX_CLASSES)
    points: int = Field(default=600, ge=playground.MIN_POINTS, le=playground.MAX_POINTS)
    noise: float = Field(default=0.05, ge=0, le=playground.MAX_NOISE)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    test: float = Field(default=0.3, ge=0.05, le=0.9)
    features: list[Annotated[str, Field(max_length=8)]] = Field(default=[], max_length=5)
    hidden: list[Annotated[int, Field(ge=1, le=MAX_WIDTH)]] = Field(default=[8, 8],
                                                                    max_length=MAX_HIDDEN)
    activation: str = Field(default="tanh", max_length=20)
    output: str = Field(default="softmax", max_length=20)
    cost: str = Field(default="cross-entropy", max_length=20)
    init: str = Field(default="scaled", max_length=20)
    optimizer: str = Field(default="adam", max_length=20)
    eta: float = Field(default=0.03, gt=0, le=10)
    batch: int = Field(default=10, ge=1, le=500)
    lmbda: float = Field(default=0.0, ge=0, le=10)

    def config(self) -> Config:
        return Config(**{**self.model_dump(), "features": tuple(self.features),
                         "hidden": tuple(self.hidden)})


class StepRequest(Strict):
    steps: int = Field(default=1, ge=1, le=MAX_STEPS)
    epoch: bool = False                    # to the end of this epoch instead
    grid: int = Field(default=GRID, ge=4, le=MAX_GRID)
    node_grid: int = Field(default=NODE_GRID, ge=4, le=MAX_NODE_GRID)


class PointRequest(Strict):
    which: Literal["train", "test"] = "train"
    index: int = Field(ge=0, le=playground.MAX_POINTS)


class BatchRequest(Strict):
    rows: list[Annotated[int, Field(ge=0, le=playground.MAX_POINTS)]] | None = Field(
        default=None, min_length=1, max_length=MAX_ROWS)
    size: int = Field(default=10, ge=1, le=MAX_ROWS)       # drawn at random when no rows
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    weight: list[Annotated[int, Field(ge=0, le=MAX_WIDTH)]] = Field(  # (layer, j, k)
        default=[0, 0, 0], min_length=3, max_length=3)
    apply: bool = False                                    # then take the step


class UploadRequest(Strict):
    csv: str = Field(max_length=playground.MAX_CSV_BYTES)


def playgrounds(request: Request) -> Playgrounds:
    return request.app.state.playgrounds  # type: ignore[no-any-return]


def session(request: Request) -> str:
    """The request's session; InvalidInput if it names none."""
    name = session_of(request)
    if name is None:
        raise InvalidInput("the playground needs an X-Nudges-Session header (8 to 64 "
                                      "letters, digits, '-' or '_')")
    return name


def mine(request: Request) -> Playground:
    return playgrounds(request).get(session(request))


@router.get("/options")
def options(request: Request) -> dict[str, Any]:
    """What the page may choose, from the registries, with the defaults and the limits."""
    return {"shapes": list(playground.SHAPES), "two_classes": list(playground.TWO_CLASSES),
            "features": playground.FEATURE_LABELS, "activations": activations.hidden_names(),
            "outputs": costs.output_names(), "inits": list(INITS),
            "costs": {name: list(c.outputs) for name, c in costs.COSTS.items()},
            "optimizers": list(optimizers.OPTIMIZERS), "defaults": asdict(Config()),
            "csv": playgrounds(request).points is not None,
            "limits": {"hidden": MAX_HIDDEN, "width": MAX_WIDTH, "steps": MAX_STEPS,
                       "points": [playground.MIN_POINTS, playground.MAX_POINTS],
                       "classes": [playground.MIN_CLASSES, playground.MAX_CLASSES],
                       "rows": MAX_ROWS},
            "scales": {"weight": WEIGHT_REF, "nudge": NUDGE_REF}}


@router.post("/configure")
def configure(body: ConfigRequest, request: Request) -> dict[str, Any]:
    """A fresh run for this session: its points and its first frame."""
    mine_now = playgrounds(request).configure(session(request), body.config())
    with locked(mine_now) as p:
        return {**p.frame(GRID, NODE_GRID), **p.points()}


@router.post("/step")
def step(body: StepRequest, request: Request) -> dict[str, Any]:
    """`steps` steps (or to the epoch's end), at most SECONDS long; then a frame."""
    with locked(mine(request)) as p:
        taken = p.to_epoch_end(SECONDS) if body.epoch else p.advance(body.steps, SECONDS)
        return {"taken": taken, **p.frame(body.grid, body.node_grid)}


@router.get("/frame")
def frame(request: Request, grid: int = Query(default=GRID, ge=4, le=MAX_GRID),
          node_grid: int = Query(default=NODE_GRID, ge=4, le=MAX_NODE_GRID)) -> dict[str, Any]:
    """The current frame, with the points."""
    with locked(mine(request)) as p:
        return {**p.frame(grid, node_grid), **p.points()}


@router.post("/point")
def point(body: PointRequest, request: Request) -> dict[str, Any]:
    """One point's backprop: its cost, wishes and every nudge."""
    with locked(mine(request)) as p:
        return p.backprop(body.which, body.index)


@router.post("/batch")
def batch(body: BatchRequest, request: Request) -> dict[str, Any]:
    """A mini-batch's nudges on one weight, their average, the full gradient, the cosine;
    with apply, then the step on that batch and the new frame."""
    with locked(mine(request)) as p:
        rows = body.rows
        if rows is None:
            rng = np.random.default_rng(body.seed)
            rows = sorted(rng.choice(len(p.y_train), min(body.size, len(p.y_train)),
                                     replace=False).tolist())
        view = p.batch(rows, (body.weight[0], body.weight[1], body.weight[2]))
        if body.apply:
            p.apply(rows)
            view["frame"] = p.frame(GRID, NODE_GRID)
        return view


@router.post("/upload")
def upload(body: UploadRequest, request: Request) -> dict[str, Any]:
    """Keep this session's points from a CSV of x,y,label rows (configure with data "csv")."""
    x, y = playground.read_csv(body.csv)
    playgrounds(request).upload(session(request), (x, y))
    return {"points": len(y), "classes": int(y.max()) + 1}


@router.get("/model")
def model(request: Request) -> Response:
    """The trained network as a nudges model file (nudges.load; nudges evaluate and predict
    with a CSV of x, y (and the features' columns) and label)."""
    with locked(mine(request)) as p:
        folder = tempfile.mkdtemp(prefix="nudges-playground-")
        path = Path(folder) / "playground.npz"
        try:
            save(p.net, path, playground={**asdict(p.config), **p.counters()},
                 checkpoint={"data": {"dataset": p.description()}})
            content = path.read_bytes()
        finally:
            path.unlink(missing_ok=True)
            os.rmdir(folder)
    return Response(content, media_type="application/octet-stream", headers={
        "Content-Disposition": 'attachment; filename="playground.npz"'})
