"""The tour's lesson network on the server: a network of the shown model's shape, seeded and
untrained, that the learner moves forward one step, ten steps or an epoch (nudges.explain.lesson).

A lesson is named by (seed, steps), so a page, a reload and a link all name the same network;
the server keeps a few lessons and advances the nearest one (LRU, shared by every session,
since the same name is the same network). The tour's requests carry `lesson` to ask for it
instead of the trained model.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from ..core.errors import InvalidInput
from ..core.network import Network
from ..explain.lesson import Lesson, teaching_example
from . import schemas
from .api import STEP_ROWS, data_of, heavy_slot, model_of
from .data_source import DataSource

MAX_LESSON_EPOCHS = 5         # a lesson goes this far; past it the trained model teaches better
KEPT = 16                     # lessons kept (each holds a small network and one-hot targets)
LESSON_VERSIONS = itertools.count(-1, -1)   # versions below 0: never a trained model's

router = APIRouter(prefix="/api")


class LessonRef(schemas.Strict):
    """The lesson network `steps` mini-batch steps after starting, untrained, from `seed`."""

    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    steps: int = Field(default=0, ge=0, le=250_000)


class OnLesson(schemas.Strict):
    """A request about the lesson network, or (lesson null) the model the session sees."""

    lesson: LessonRef | None = None


class LessonTourRequest(schemas.TourRequest):
    lesson: LessonRef | None = None


class LessonAverageRequest(schemas.AverageRequest):
    lesson: LessonRef | None = None


class LessonStepRequest(schemas.AverageStepRequest):
    lesson: LessonRef | None = None


class Lessons:
    """The lessons kept, by (the model's shape and functions, seed), most recent last."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[str, int], tuple[Lesson, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, source: DataSource, like: Network, ref: LessonRef) -> tuple[Lesson, int]:
        """The lesson `ref` names (advanced from a kept one when it can be), and its version."""
        data = source.pictures()
        per_epoch = -(-len(data.train[1]) // 10)
        if ref.steps > MAX_LESSON_EPOCHS * per_epoch:
            raise InvalidInput(f"a lesson goes up to {MAX_LESSON_EPOCHS} epochs "
                               f"({MAX_LESSON_EPOCHS * per_epoch:,} steps), got {ref.steps:,}")
        key = (repr(like.config), ref.seed)
        with self._lock:
            lesson, version = self._kept.pop(key, (None, 0))
            if lesson is None or lesson.steps > ref.steps:
                held_out = (data.test[0][:STEP_ROWS], data.test[1][:STEP_ROWS])
                lesson, version = Lesson.start(like, data.train, held_out, ref.seed), 0
            if lesson.steps < ref.steps or not version:
                lesson.advance(ref.steps - lesson.steps)
                version = next(LESSON_VERSIONS)
            self._kept[key] = (lesson, version)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
            return lesson, version


def lessons_of(request: Request) -> Lessons:
    return request.app.state.lessons  # type: ignore[no-any-return]


def network_for(request: Request, ref: LessonRef | None) -> tuple[Network, int]:
    """The lesson network `ref` names (a copy: the lesson moves on), else the session's model."""
    like, version = model_of(request)
    if ref is None:
        return like, version
    lesson, version = lessons_of(request).get(data_of(request), like, ref)
    return lesson.net.copy(), version


def lesson_view(lesson: Lesson) -> dict[str, Any]:
    """Where the lesson is: steps, epochs, and the held-out cost curve up to now."""
    curve = [list(point) for point in lesson.curve]
    if curve[-1][0] != lesson.steps:
        curve.append([lesson.steps, lesson.held_out_cost()])
    x, y = lesson.held_out
    return {"seed": lesson.seed, "steps": lesson.steps, "steps_per_epoch": lesson.steps_per_epoch,
            "batch": lesson.settings.batch_size, "eta": lesson.settings.eta,
            "epochs": lesson.steps / lesson.steps_per_epoch, "held_out": len(y),
            "accuracy": lesson.net.accuracy(x, y), "curve": curve}


@router.post("/lesson", dependencies=[Depends(heavy_slot)])
def lesson(body: LessonRef, request: Request) -> dict[str, Any]:
    """The lesson network `steps` steps in: its place, its cost curve, and the test example
    the tour teaches with (one it gets wrong or is unsure of)."""
    like, _ = model_of(request)
    found, version = lessons_of(request).get(data_of(request), like, body)
    x, y = data_of(request).pictures().test
    index, why = teaching_example(found.net, x, y, STEP_ROWS)
    return {"version": version, **lesson_view(found), "example": index, "example_why": why}


@router.post("/tour/example")
def tour_example(body: OnLesson, request: Request) -> dict[str, Any]:
    """The test example the tour teaches with on the lesson network or the trained model."""
    net, version = network_for(request, body.lesson)
    x, y = data_of(request).pictures().test
    index, why = teaching_example(net, x, y, STEP_ROWS)
    return {"version": version, "example": index, "example_why": why}
