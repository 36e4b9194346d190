"""The walk downhill, drawn: POST /api/surface, a slice of the cost surface through the lesson
network's parameters with the paths of gradient descent and of mini-batch SGD on it
(nudges.explain.surface). The lesson network has the shown model's shape, seeded and untrained."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Request
from pydantic import Field, model_validator

from ..core.network import Network
from ..explain.surface import Path, Surface, cost_surface, surface_value
from .api import data_of, heavy_slot, model_of
from .choices import bounds, defaults
from .schemas import Eta, Strict

router = APIRouter(prefix="/api")
MAX_WORK = 60_000        # steps x examples: the gradient-descent walk's rows, bounding its time
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]


class SurfaceRequest(Strict):
    """Both walks from the lesson network (seed): `steps` steps at learning rate eta, SGD on
    mini-batches of batch_size; on `examples` training examples; the cost on a grid x grid."""

    eta: Eta = 3.0
    batch_size: int = Field(default=10, ge=1, le=1000)
    steps: int = Field(default=100, ge=1, le=200)
    examples: int = Field(default=500, ge=10, le=1000)
    grid: int = Field(default=25, ge=5, le=41)
    seed: Seed = 0

    @model_validator(mode="after")
    def _fits(self) -> SurfaceRequest:
        if self.batch_size > self.examples:
            raise ValueError(f"batch_size ({self.batch_size}) must be at most examples "
                             f"({self.examples})")
        if self.steps * self.examples > MAX_WORK:
            raise ValueError(f"steps x examples must be at most {MAX_WORK:,} (gradient descent "
                             f"steps on every example), got {self.steps * self.examples:,}")
        return self


def surface_config() -> dict[str, Any]:
    """The inputs' bounds and defaults, for the page."""
    return {"limits": {name: bounds(SurfaceRequest, name) for name in
                       ("eta", "batch_size", "steps", "examples", "grid")},
            "defaults": defaults(SurfaceRequest), "max_work": MAX_WORK}


@router.get("/surface")
def surface_limits() -> dict[str, Any]:
    """What POST /api/surface accepts."""
    return surface_config()


@router.post("/surface", dependencies=[Depends(heavy_slot)])
def surface(body: SurfaceRequest, request: Request) -> dict[str, Any]:
    """The cost on the plane through the lesson network's start, SGD's end point and a
    filter-normalised random direction; both walks drawn on it, with their true costs and how
    far they leave the plane. Heavy work: it takes one of the app's slots."""
    model, version = model_of(request)
    x, y = data_of(request).loaded().train
    rows = np.sort(np.random.default_rng(body.seed).choice(len(y), min(body.examples, len(y)),
                                                            replace=False))
    net = Network(**{**model.config, "seed": body.seed})                 # type: ignore[arg-type]
    found = cost_surface(net, x[rows], y[rows], eta=body.eta, batch_size=body.batch_size,
                         steps=body.steps, grid=body.grid, seed=body.seed)
    end = (float(found.sgd.alpha[-1]), float(found.sgd.beta[-1]))
    return {"version": version, "sizes": list(net.sizes), **body.model_dump(),
            "examples": len(rows), **grid_view(found),
            "current": {"alpha": end[0], "beta": end[1], "cost": float(found.sgd.cost[-1]),
                        "surface_cost": surface_value(net, x[rows], y[rows], found, *end)}}


def grid_view(found: Surface) -> dict[str, Any]:
    """The grid and both walks as JSON lists."""
    return {"alphas": found.alphas.tolist(), "betas": found.betas.tolist(),
            "costs": found.costs.tolist(), "gd": path_view(found.gd),
            "sgd": path_view(found.sgd)}


def path_view(path: Path) -> dict[str, Any]:
    """One walk as JSON: its points on the plane, true costs, distances off the plane."""
    return {"alpha": path.alpha.tolist(), "beta": path.beta.tolist(),
            "cost": path.cost.tolist(), "off_plane": path.off_plane.tolist(),
            "hidden": path.hidden, "end_off_plane": float(path.off_plane[-1]),
            "distance": float(np.hypot(path.alpha[-1], path.beta[-1]) ** 2
                              + path.off_plane[-1] ** 2) ** 0.5}
