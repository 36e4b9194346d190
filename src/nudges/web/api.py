"""The JSON endpoints. Each checks its input (schemas), bounds its work, and calls the library.

Handlers are plain `def`s, so FastAPI runs them in worker threads and the NumPy work never
blocks the event loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from fastapi import APIRouter, Depends, Query, Request

from ..core.errors import InvalidInput
from ..core.network import Network
from ..data.images import to_mnist
from ..data.mnist import Dataset
from ..data.own.folders import resized
from ..data.own.splits import standardised
from ..explain import words
from ..explain.noise import gradient_noise
from ..explain.wishes import step_effect, wishes
from . import schemas, views
from .choices import KINDS
from .data_source import DataSource, feature_names, is_table
from .lessons import levers_extra
from .runs import PROBE, SLOW, Run
from .state import ServerState

router = APIRouter(prefix="/api")
STEP_ROWS = 500          # test digits that show what one example's step does to the others
NOISE_ROWS = 10_000      # training digits behind the "full" gradient


def state_of(request: Request) -> ServerState:
    """The app's ServerState."""
    return request.app.state.server_state  # type: ignore[no-any-return]


def data_of(request: Request) -> DataSource:
    """The app's data (ServerState.data)."""
    return state_of(request).data


def heavy_slot(request: Request) -> Iterator[None]:
    """A dependency for heavy endpoints: one of the app's few slots (HeavyWork) for the
    request's duration, or 429 at once."""
    with request.app.state.heavy.slot():
        yield


def session_of(request: Request) -> str | None:
    """The page's session (its X-Nudges-Session header), which may have chosen its own model."""
    session = request.headers.get("x-nudges-session")
    if session is not None and not schemas.SESSION.fullmatch(session):
        raise InvalidInput("the X-Nudges-Session header must be 8 to 64 letters, digits, "
                           "'-' or '_'")
    return session


def model_of(request: Request) -> tuple[Network, int]:
    """The model this request's session sees, and its version."""
    return state_of(request).served.current(session_of(request))


def to_input(data: DataSource, image: schemas.Image) -> np.ndarray:
    """The picture as the network's input row (784,), made as the data's pictures were:
    fitted and centred the MNIST way, or (a recipe with "fit": "resize", Fashion-MNIST's)
    resized whole; used as it is if centre is false. NeedsPictures (422) for a table."""
    if data.dataset is not None:
        data.pictures()
    gray = np.asarray(image.pixels, dtype=np.float64).reshape(image.height, image.width)
    if not image.centre:
        return gray.reshape(-1).astype(np.float32)
    recipe = data.dataset.recipe if data.dataset is not None else {}
    if recipe.get("fit") == "resize":                  # made as the data's pictures were
        return resized(gray, 28)
    return to_mnist(gray)


@router.get("/config")
def config(request: Request) -> dict[str, Any]:
    """What the page offers but does not decide: the request limits and defaults, the kinds
    of network, the class names (label 0, 1, …) and how much work stands behind the numbers
    it shows."""
    data = data_of(request)
    classes, kind = list(data.classes()), data.kind()
    return {**schemas.page_config(), "classes": classes, **kind,
            "noun": words.example_noun(classes, kind["kind"]),
            "articles": [words.article(name) for name in classes],
            "sizes": {"step_rows": STEP_ROWS, "probe_rows": PROBE,
                      "weight_images": views.IMAGES,
                      "slow_batches_per_second": round(1 / SLOW)}}


@router.get("/status")
def status(request: Request) -> dict[str, Any]:
    """The model's version and note, and where the digits came from."""
    return state_of(request).status(session_of(request))


@router.get("/model")
def model(request: Request) -> dict[str, Any]:
    """The network's sizes and its strongest edges."""
    net, version = model_of(request)
    return views.model_view(net, version)


@router.post("/forward")
def forward(body: schemas.ForwardRequest, request: Request) -> dict[str, Any]:
    """Every layer's activations for one picture or table row, and the class it sees."""
    net, version = model_of(request)
    data = data_of(request)
    if body.image is not None:
        return {"version": version, **views.forward_view(net, to_input(data, body.image))}
    x, shown = table_input(data, body.row, body.test_index)
    return {"version": version, **views.forward_view(net, x), **shown}


def table_input(source: DataSource, row: list[float] | None, index: int | None
                ) -> tuple[np.ndarray, dict[str, Any]]:
    """The network's input (features,) for a row in the data's units, standardised with the
    recorded scaling as `nudges predict` does, or for test row `index`; and what the page
    shows of it: the row in the data's units (and the test row's label). BadRow (422) for
    pictures, a row of the wrong length or an index past the test set."""
    data = source.loaded()
    if not is_table(data):
        raise schemas.BadRow(f"{data.name} is pictures; send an image, not a row")
    if row is not None:
        return typed_row(data, row), {"row": row}
    x_test, y_test = data.test
    if index is None or index >= len(y_test):
        raise schemas.BadRow(f"test_index must be from 0 to {len(y_test) - 1} (the test set), "
                             f"got {index}")
    x, scaling = x_test[index].astype(np.float64), data.recipe.get("scaling")
    if scaling is not None:
        x = x * np.asarray(scaling["std"]) + np.asarray(scaling["mean"])   # the data's units
    return x_test[index], {"row": views.rounded(x, 6), "label": int(y_test[index]),
                           "test_index": index}


def typed_row(data: Dataset, row: list[float]) -> np.ndarray:
    """A row typed in the data's units as the network's input (features,), standardised as
    `nudges predict` does; BadRow unless it has one finite value per feature."""
    n, scaling = data.shape[0], data.recipe.get("scaling")
    if len(row) != n:
        raise schemas.BadRow(f"row must hold {n} numbers (one per feature: "
                             f"{', '.join(feature_names(data))}), got {len(row)}")
    raw: np.ndarray = np.asarray(row, dtype=np.float64)[None, :]               # (1, n)
    mean, std = (0.0, 1.0) if scaling is None else (np.asarray(scaling["mean"]),
                                                     np.asarray(scaling["std"]))
    if not (np.abs((raw - mean) / std) < 1e30).all():                  # float32 holds it
        raise schemas.BadRow("row holds a value too large for the network once standardised; "
                             "expected values near the data's")
    x = raw if scaling is None else standardised((raw, np.zeros(1, np.int64)), scaling)[0]
    return np.asarray(x[0], dtype=np.float32)


@router.post("/wishes")
def wishes_of(body: schemas.WishRequest, request: Request) -> dict[str, Any]:
    """One example's wishes and nudges when the answer should have been `label`."""
    net, version = model_of(request)
    check_label(data_of(request), net, body.label)
    x = to_input(data_of(request), body.image)
    neuron = None
    if body.neuron is not None:
        neuron = (body.neuron.layer, body.neuron.index)
        check_neuron(net, *neuron)
    w = wishes(net, x, body.label)
    view = views.wishes_view(net, w, neuron)
    chosen = view["neuron"]
    chosen.update(levers_extra(net, w, chosen["layer"], chosen["index"]))
    return {"version": version, **views.forward_view(net, x), **view}


def check_label(data: DataSource, net: Network, label: int) -> None:
    """NoSuchClass (422) unless the model has an output for `label`; the message names the
    classes."""
    if label >= net.sizes[-1]:
        classes = data.classes()
        names = f": {', '.join(classes)}" if len(classes) <= 12 else ""
        raise schemas.NoSuchClass(f"label must be from 0 to {net.sizes[-1] - 1} (the model's "
                                  f"{net.sizes[-1]} classes{names}), got {label}")


def check_neuron(net: Network, layer: int, index: int) -> None:
    """InvalidInput unless neuron `index` of page layer `layer` (1 = first hidden) exists."""
    if not 1 <= layer < len(net.sizes):
        raise InvalidInput(f"neuron.layer must be from 1 to {len(net.sizes) - 1}, got {layer}")
    if not 0 <= index < net.sizes[layer]:
        raise InvalidInput(f"layer {layer} has {net.sizes[layer]} neurons (0 to "
                           f"{net.sizes[layer] - 1}), got neuron.index {index}")


@router.post("/step", dependencies=[Depends(heavy_slot)])
def step(body: schemas.StepRequest, request: Request) -> dict[str, Any]:
    """`steps` steps of gradient descent on this example alone, on a copy of the model."""
    data = data_of(request)
    net, version = model_of(request)
    check_label(data, net, body.label)
    x_test, y_test = data.pictures().test
    x = to_input(data, body.image)
    rows = np.vstack([x[None, :], x_test[:STEP_ROWS]])               # (1 + m, 784)
    labels = np.concatenate([[body.label], y_test[:STEP_ROWS]])
    first = last = step_effect(net, rows, labels, 0, body.eta)
    for _ in range(body.steps - 2):
        last = step_effect(last.network, x[None, :], np.array([body.label]), 0, body.eta)
    if body.steps > 1:
        last = step_effect(last.network, rows, labels, 0, body.eta)
    return {"version": version, **views.step_view(first, last, body.steps)}


@router.get("/example")
def example(request: Request, index: int = Query(ge=0, le=10**7)) -> dict[str, Any]:
    """Test digit number `index`: its 784 pixels and its label."""
    x, y = data_of(request).pictures().test
    if index >= len(y):
        raise InvalidInput(f"index must be from 0 to {len(y) - 1} (the test set), got {index}")
    return {"index": index, "label": int(y[index]), "pixels": views.rounded(x[index], 3)}


@router.get("/mistake", dependencies=[Depends(heavy_slot)])
def mistake(request: Request, seed: int = Query(default=0, ge=0, le=2**32 - 1)
            ) -> dict[str, Any]:
    """A random test digit that the model gets wrong (by seed), with its label. Predicts the
    whole test set: heavy work, so it takes one of the app's slots."""
    net, _ = model_of(request)
    x, y = data_of(request).pictures().test
    wrong = np.flatnonzero(net.predict(x) != y)
    if not len(wrong):
        raise InvalidInput("the model classifies every test example correctly")
    index = int(np.random.default_rng(seed).choice(wrong))
    return example(request, index)


@router.post("/noise", dependencies=[Depends(heavy_slot)])
def noise(body: schemas.NoiseRequest, request: Request) -> dict[str, Any]:
    """Mini-batch gradients against the gradient over up to NOISE_ROWS training digits."""
    net, _ = model_of(request)
    if body.fresh:
        net = Network(**{**net.config, "seed": body.seed})  # type: ignore[arg-type]
    x, y = data_of(request).loaded().train
    total, (x, y) = len(y), (x[:NOISE_ROWS], y[:NOISE_ROWS])
    sizes = [s for s in body.batch_sizes if s <= len(y)] or [len(y)]
    rows = gradient_noise(net, x, y, sizes, body.repeats, np.random.default_rng(body.seed))
    return {"fresh": body.fresh, "n_train": total, **views.noise_view(rows, len(y))}


@router.post("/train/start")
def train_start(body: schemas.TrainRequest, request: Request) -> dict[str, Any]:
    """Train a fresh network in the background; replaces this session's previous run."""
    state = state_of(request)
    data = state.data.loaded()
    settings = body.settings(len(data.train[1]))        # refused before the old run stops
    sizes = [data.train[0].shape[1], *body.hidden, len(data.classes)]
    net = Network(sizes, seed=body.seed, **KINDS[body.kind].network)
    run = state.runs.start(body.session, lambda: Run(net, settings, data, f"run-{body.session}",
                                                       slow=body.slow, follow=body.follow))
    return _run_view(run, images=not is_table(data))


@router.post("/train/control")
def train_control(body: schemas.ControlRequest, request: Request) -> dict[str, Any]:
    """Pause, resume, step or stop this session's run."""
    run = state_of(request).runs.get(body.session)
    run.control(body.action)
    return _run_view(run, images=False)


@router.get("/train/status")
def train_status(request: Request, session: str = Query(pattern=r"^[A-Za-z0-9_-]{8,64}$"),
                 images: bool = False) -> dict[str, Any]:
    """This session's run: its state, cost curve, epochs and (if asked) weight images."""
    state = state_of(request)
    return _run_view(state.runs.get(session), images and not is_table(state.data.dataset))


@router.post("/train/use")
def train_use(body: schemas.SessionRequest, request: Request) -> dict[str, Any]:
    """Show this session's trained network in the other views."""
    state = state_of(request)
    run = state.runs.get(body.session)
    state.served.use(body.session, run.net.copy(), f"trained on this page: "
                     f"{'-'.join(map(str, run.net.sizes))}, {run.seen:,} examples (yours only)")
    return state.status(body.session)


@router.post("/train/unuse")
def train_unuse(body: schemas.SessionRequest, request: Request) -> dict[str, Any]:
    """Show this session the server's model again."""
    state_of(request).served.forget(body.session)
    return state_of(request).status(body.session)


def _run_view(run: Run, images: bool) -> dict[str, Any]:
    view = run.snapshot()
    if images:
        view["weight_images"] = views.weight_images(run.net)
    return view
