"""The ASGI app behind `nudges serve`: JSON endpoints over the library, and the page itself.

    app = create_app(model=None, data=None)       # uvicorn.run(app, host="127.0.0.1")

The page (static/) only draws; every number comes from these endpoints. A user's mistake is
answered with 4xx and {"error": "what was expected, what arrived"}, never a 500.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from os import PathLike
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from ..core.errors import InvalidInput, NudgesError
from ..core.network import Network
from ..data.mnist import Dataset
from ..engines import threads
from ..explain.playground import Split
from . import api, lesson_api, lessons_api, playground_api, surface_api
from .data_source import DIGITS, NeedsPictures, NotReady
from .lesson_api import Lessons
from .limits import RETRY_AFTER, BodyLimit, HeavyWork, Overloaded, allowed_hosts, log_once
from .playgrounds import Playgrounds, Unconfigured
from .runs import Busy, NoRun
from .schemas import BadRow, NoSuchClass
from .state import ServerState

STATIC = Path(__file__).parent / "static"
MAX_BODY = 1 << 20                         # 1 MiB: a 280x280 drawing is about 0.5 MiB of JSON
STATUS = {NoSuchClass: 422, BadRow: 422, NeedsPictures: 422, Busy: 429, Overloaded: 429,
          NoRun: 404, NotReady: 503, Unconfigured: 404}


def create_app(model: Network | None = None, data: Dataset | None = None, *,
               data_path: str | PathLike[str] | None = None, download: bool = False,
               hosts: Sequence[str] = ("127.0.0.1",), points: Split | None = None,
               hidden: Sequence[int] = (16, 16)) -> FastAPI:
    """The web app for `model` (a quick one is trained at startup if None) and `data`.

    data: 28x28 pictures of any classes (MNIST's digits, Fashion-MNIST's clothes, EMNIST's
    letters) or a table (a CSV or .npz read by nudges.load_dataset), the model one output
    per class. data=None loads the digits at startup from
    data_path, $NUDGES_DATA, the cache (downloading MNIST into it if `download`), or the
    embedded sample. Background work starts and stops with the app's lifespan. Requests whose
    Host header is not localhost, 127.0.0.1, [::1] or one of `hosts` (the address served on)
    get 400. points: the playground's own data (x (n, 2), labels (n,)), offered as "csv".
    hidden: the quick model's hidden layers (the video's 16-16 unless given).
    """
    check_servable(model, data)
    state = ServerState(model, data, data_path, download, tuple(hidden))
    app = FastAPI(title="nudges", lifespan=_lifespan(state), docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.server_state, app.state.heavy = state, HeavyWork()
    app.state.lessons, app.state.playgrounds = Lessons(), Playgrounds(points)
    for module in (api, lessons_api, lesson_api, surface_api, playground_api):
        app.include_router(module.router)
    app.mount("/static", Revalidated(directory=STATIC), name="static")
    app.add_api_route("/", index, include_in_schema=False)
    _add_error_handlers(app)
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(hosts))
    return app


def check_servable(model: Network | None, data: Dataset | None) -> None:
    """InvalidInput, in one line, unless the page can show them: 28x28 pictures or a table
    (other picture sizes are not served yet), and a model with one input per pixel or
    feature and one output per class."""
    if data is not None and len(data.shape) != 1 and tuple(data.shape) != (28, 28):
        raise InvalidInput(f"the page shows 28x28 pictures or tables; {data.name} is pictures "
                           f"of shape {tuple(data.shape)}, which it does not serve yet (train, "
                           "evaluate, predict and explain take it on the command line)")
    if model is None:
        return
    sizes = "-".join(map(str, model.sizes))
    n_in = 784 if data is None else math.prod(data.shape)
    if model.sizes[0] != n_in:
        what = "28x28 inputs (784)" if data is None or len(data.shape) != 1 else \
            f"the {n_in} features of {data.name}"
        raise InvalidInput(f"the page shows {what}; this network is {sizes}")
    classes = DIGITS if data is None else data.classes
    if model.sizes[-1] != len(classes):
        what = "MNIST's ten digits" if data is None else \
            f"the {len(classes)} classes of {data.name}"
        raise InvalidInput(f"this network ({sizes}) has {model.sizes[-1]} outputs, but the page "
                           f"shows {what}; serve it with the data it was trained on "
                           "(--data PATH)")


def _lifespan(state: ServerState) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Background work starts and stops with the app, every thread's products on one BLAS
    thread (or OPENBLAS_NUM_THREADS): the quick model, the runs and the requests share cores."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(log_once(loop.default_exception_handler))
        with threads.pinned(None):
            state.open()
            try:
                yield
            finally:
                state.close()
    return lifespan


class Revalidated(StaticFiles):
    """Static files that a browser checks (by ETag) before reusing, so that the page's
    modules never mix an old copy with a new one."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


def index() -> FileResponse:
    """The page."""
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


def _add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NudgesError, _nudges_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _nudges_error(request: Request, exc: Exception) -> Response:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    response = _error(status, str(exc))
    if status == 429:
        response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    """422 with one line per problem: where it is and what is wrong (never the input itself)."""
    problems = []
    for e in exc.errors()[:5]:                              # type: ignore[attr-defined]
        where = ".".join(str(part) for part in e.get("loc", ()) if part != "body")
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")  # our own message
        problems.append(f"{where}: {msg}" if where else msg)
    return _error(422, "; ".join(problems) or "invalid request")


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    return _error(status, str(getattr(exc, "detail", "error")))
