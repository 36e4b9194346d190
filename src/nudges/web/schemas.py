"""What the page may send: every request body and its limits, checked before any work is done.

Pydantic rejects a wrong type, a NaN, a value out of range or a list too long with a 422 and a
message naming the field; the limits here bound the work any one request can ask for.
page_config() hands the same limits, defaults, kinds of network and optimizers (choices.py) to
the page (/api/config), so its inputs and menus are built from what the server checks.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from ..core import optimizers as optim
from ..core.errors import InvalidInput
from ..training.settings import Settings
from .choices import (
    DEFAULT_KIND,
    DEFAULT_OPTIMIZER,
    KINDS,
    bounds,
    defaults,
    hyper_field,
    optimizer_settings,
    optimizers,
    setting_default,
    shown_settings,
)

MAX_SIDE = 280                          # the drawing, at most 280x280 pixels
MAX_HIDDEN_LAYERS = 4
MAX_NEURONS = 512
MAX_EPOCHS = 100
MAX_STEPS = 50
MAX_ETA = 100
MAX_BATCH = 1000                        # examples in one mini-batch, to train or to measure
MAX_NOISE_WORK = 25_000                 # repeats x batch sizes in one /api/noise request
MAX_FEATURES = 4096                     # values in one table row
MAX_TABLE = 32                          # examples (columns) in the averaging table
SESSION = re.compile(r"[A-Za-z0-9_-]{8,64}")


Pixel = Annotated[float, Field(ge=0, le=1)]
Eta = Annotated[float, Field(gt=0, le=MAX_ETA)]
Label = Annotated[int, Field(ge=0, lt=MAX_NEURONS)]     # below the model's classes: api.check_label


class NoSuchClass(InvalidInput):
    """A label the model has no output for (answered 422, as a label out of range always was)."""


class Strict(BaseModel):
    """No unknown fields, no NaN or infinity anywhere, and no coercion: "28" is not 28, true
    is not 1 (strict mode; JSON integers still count as floats)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class Image(Strict):
    """A grayscale picture, row by row, in [0, 1].

    centre=True: a drawing of any size up to 280x280, made MNIST-like (fitted into 20x20 and
    centred by mass in 28x28). centre=False: already a 28x28 MNIST input, used as it is.
    """

    width: int = Field(ge=1, le=MAX_SIDE)
    height: int = Field(ge=1, le=MAX_SIDE)
    pixels: list[Pixel] = Field(max_length=MAX_SIDE * MAX_SIDE)
    centre: bool = True

    @model_validator(mode="after")
    def _shape(self) -> Image:
        if len(self.pixels) != self.width * self.height:
            raise ValueError(f"pixels must hold width x height = {self.width * self.height} "
                             f"values, got {len(self.pixels)}")
        if not self.centre and (self.width, self.height) != (28, 28):
            raise ValueError(f"an image with centre=false must be 28x28, "
                             f"got {self.width}x{self.height}")
        return self


class Neuron(Strict):
    """Neuron `index` of layer `layer` (1 = the first hidden layer, as in the drawing)."""

    layer: int = Field(ge=1, le=MAX_HIDDEN_LAYERS + 1)
    index: int = Field(ge=0, lt=MAX_NEURONS)


class BadRow(InvalidInput):
    """A table's row that does not fit the data (answered 422, as a schema error is)."""


class ForwardRequest(Strict):
    """Run one input through the network: a picture (image), or for a table a row of feature
    values in the data's own units (row) or a row of the test set (test_index); exactly one."""

    image: Image | None = None
    row: list[float] | None = Field(default=None, min_length=1, max_length=MAX_FEATURES)
    test_index: int | None = Field(default=None, ge=0, le=10**7)

    @model_validator(mode="after")
    def _one(self) -> ForwardRequest:
        given = [name for name in ("image", "row", "test_index")
                 if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"send exactly one of image, row or test_index, got "
                             f"{', '.join(given) or 'none'}")
        return self


class WishRequest(Strict):
    """One example's wishes when the network should have said `label`."""

    image: Image
    label: Label
    neuron: Neuron | None = None


class StepRequest(Strict):
    """Apply `steps` steps of gradient descent on this one example, to a copy of the model."""

    image: Image
    label: Label
    eta: Eta = 3.0
    steps: int = Field(default=1, ge=1, le=MAX_STEPS)


class TourRequest(WishRequest):
    """The tour's numbers for one example: its wishes, levers and the wish passed back."""


class Parameter(Strict):
    """A weight w_jk into layer `layer` from neuron k of layer − 1, or (k null) the bias b_j."""

    layer: int = Field(ge=1, le=MAX_HIDDEN_LAYERS + 1)
    j: int = Field(ge=0, lt=MAX_NEURONS)
    k: int | None = Field(default=None, ge=0, lt=28 * 28)


def _distinct(rows: list[int] | None) -> list[int] | None:
    if rows is not None and len(set(rows)) != len(rows):
        raise ValueError(f"rows must be distinct training examples, got {rows}")
    return rows


class AverageRequest(Strict):
    """The averaging table: `count` training digits drawn by `seed`, or the `rows` given; the
    `picks` first, then the `top` parameters of largest mean nudge."""

    rows: list[Annotated[int, Field(ge=0)]] | None = Field(default=None, min_length=1,
                                                           max_length=MAX_TABLE)
    count: int = Field(default=10, ge=1, le=MAX_TABLE)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    picks: list[Parameter] = Field(default=[], max_length=8)
    top: int = Field(default=6, ge=0, le=12)

    _rows = field_validator("rows")(_distinct)


class AverageStepRequest(Strict):
    """One step of gradient descent, w ← w − η ∂C_B/∂w, on the training digits `rows`."""

    rows: list[Annotated[int, Field(ge=0)]] = Field(min_length=1, max_length=MAX_TABLE)
    eta: Eta = 3.0

    _rows = field_validator("rows")(_distinct)


class NoiseRequest(Strict):
    """Mini-batch against full gradients, `repeats` random batches of each size, for the
    model or (fresh) an untrained network of its shape."""

    batch_sizes: list[int] = Field(default=[1, 10, 100, 1000], min_length=1, max_length=6)
    repeats: int = Field(default=20, ge=1, le=50)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    fresh: bool = False

    @field_validator("batch_sizes")
    @classmethod
    def _sizes(cls, sizes: list[int]) -> list[int]:
        if any(not 1 <= s <= MAX_BATCH for s in sizes):
            raise ValueError(f"each batch size must be from 1 to {MAX_BATCH}, got {sizes}")
        return sizes

    @model_validator(mode="after")
    def _work(self) -> NoiseRequest:
        work = self.repeats * sum(self.batch_sizes)
        if work > MAX_NOISE_WORK:
            raise ValueError(f"repeats x the sum of batch sizes is {work:,} example gradients; "
                             f"at most {MAX_NOISE_WORK:,} per request (fewer repeats or smaller "
                             "batch sizes)")
        return self


class SessionRequest(Strict):
    """Names the page's training session (an id the page makes up, kept per tab)."""

    session: str

    @field_validator("session")
    @classmethod
    def _session(cls, value: str) -> str:
        if not SESSION.fullmatch(value):
            raise ValueError("session must be 8 to 64 letters, digits, '-' or '_'")
        return value


OptimizerSettings = create_model("OptimizerSettings", __base__=Strict,  # as optimizers declare
                                 **{name: hyper_field(h) for name, h in optim.hypers().items()})


class TrainRequest(SessionRequest, OptimizerSettings):  # type: ignore[misc,valid-type]
    """A fresh network to train: its layers, kind, optimizer and settings (choices.setting_default
    fills those it uses), and the pace (slow: 50 steps a second; follow: 1, with its batch)."""

    hidden: list[Annotated[int, Field(ge=1, le=MAX_NEURONS)]] = Field(
        default=[16, 16], max_length=MAX_HIDDEN_LAYERS)
    kind: str = DEFAULT_KIND
    eta: Eta = KINDS[DEFAULT_KIND].eta
    batch_size: int = Field(default=KINDS[DEFAULT_KIND].batch_size, ge=1, le=MAX_BATCH)
    epochs: int = Field(default=3, ge=1, le=MAX_EPOCHS)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    slow: bool = False
    follow: bool = False
    optimizer: str = DEFAULT_OPTIMIZER

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {value!r}")
        return value

    @field_validator("optimizer")
    @classmethod
    def _optimizer(cls, value: str) -> str:
        return optim.optimizer_named(value).name                  # the library's message if unknown

    def settings(self, n_train: int) -> Settings:
        """The run's Settings, checked: InvalidInput with the library's message for values that
        cannot work (nesterov with μ 0, adam given momentum), or for a setting the optimizer
        does not use."""
        chosen = optim.optimizer_named(self.optimizer)
        given = {name: getattr(self, name) for name in optimizer_settings()
                 if getattr(self, name) is not None}
        settings = Settings(epochs=self.epochs, batch_size=min(self.batch_size, n_train),
                            eta=self.eta, seed=self.seed, optimizer=chosen.name,
                            **{**{n: setting_default(n) for n in chosen.uses}, **given})
        settings.check(n_train)
        unused = [name for name in given if name not in chosen.uses]
        if unused:
            raise InvalidInput(f"the {chosen.name} optimizer does not use {', '.join(unused)}; "
                               f"leave {'it' if len(unused) == 1 else 'them'} out or choose "
                               f"another optimizer")
        return settings


class ControlRequest(SessionRequest):
    """Pause, resume, step (one mini-batch) or stop the session's run."""

    action: Literal["pause", "resume", "step", "stop"]


def page_config() -> dict[str, Any]:
    """The limits, defaults, network kinds and optimizers the page offers, read from the models
    above and the registries, so that the page's inputs and the server's checks cannot disagree."""
    return {
        "limits": {"side": bounds(Image, "width"),
                   "hidden_layers": {"ge": 0, "le": MAX_HIDDEN_LAYERS},
                   "neurons": {"ge": 1, "le": MAX_NEURONS},
                   "eta": bounds(TrainRequest, "eta"),
                   "batch_size": bounds(TrainRequest, "batch_size"),
                   "epochs": bounds(TrainRequest, "epochs"),
                   **{name: bounds(TrainRequest, name) for name in optimizer_settings()},
                   "steps": bounds(StepRequest, "steps"),
                   "repeats": bounds(NoiseRequest, "repeats"),
                   "noise_batch_size": {"ge": 1, "le": MAX_BATCH},
                   "table_count": bounds(AverageRequest, "count")},
        "defaults": {"train": defaults(TrainRequest), "step": defaults(StepRequest),
                     "noise": defaults(NoiseRequest), "average": defaults(AverageRequest),
                     "pace": "slow"},          # the page starts slow: a person sees epoch 1
        "kinds": [kind.offer(name) for name, kind in KINDS.items()],
        "optimizers": optimizers(),
        "optimizer_settings": shown_settings(),
    }
