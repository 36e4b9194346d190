"""What "Watch it learn" offers: kinds of network and optimizers, read from the core's registries.

A kind is a friendly preset (the video's sigmoid network, a modern ReLU one). Each is checked on
import by the lookups Network itself makes (activations.activation_named, costs.cost_named
against the cost's `deltas`), so a preset can never name an activation, output or cost that
nudges has not registered. The optimizers are nudges.core.optimizers.OPTIMIZERS, each with the
Settings it `uses`, so a newly registered one appears in the menu, with inputs for its settings,
without a change here.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from ..core import activations, costs
from ..core import optimizers as optim
from ..core.checks import check_choice
from ..core.network import INITS
from ..training.settings import Settings

MOMENTUM = 0.9       # the page's μ: Settings' default 0 is plain gradient descent
SHOWN = {            # the optimizer settings the page has inputs for: label, input step
    "momentum": ("momentum μ", 0.05),
    "beta1": ("β₁ (average of g)", 0.05),
    "beta2": ("β₂ (average of g²)", 0.001),
}                    # eps is accepted, but left at Settings' 1e-8 by the page


@dataclass(frozen=True)
class Kind:
    """A kind of network the page offers: its menu label, its Network arguments, the learning
    rate and batch size that suit it with plain SGD (the page fills them in when it is chosen),
    and η for optimizers whose step does not follow from that one (Adam)."""

    label: str
    network: dict[str, str]
    eta: float
    batch_size: int
    etas: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """InvalidInput if the preset names anything the core has not registered."""
        output = costs.output_activation(self.network["output"])
        activations.activation_named(self.network["activation"])
        costs.cost_named(self.network["cost"], output.name)
        check_choice("init", self.network["init"], INITS)
        for name in self.etas:
            optim.optimizer_named(name)

    def eta_for(self, optimizer: str) -> float:
        """The η that suits this kind with `optimizer`: the kind's own for it if it gives one;
        with momentum μ, η (1 − μ), the same step once v has built up (v → −η g / (1 − μ));
        else the kind's η for plain SGD."""
        if optimizer in self.etas:
            return self.etas[optimizer]
        scale = 1 - MOMENTUM if "momentum" in optim.optimizer_named(optimizer).uses else 1
        return float(f"{self.eta * scale:.3g}")

    def offer(self, name: str) -> dict[str, Any]:
        """What the page gets: the preset, and η for each registered optimizer."""
        return {"name": name, "label": self.label, "network": self.network, "eta": self.eta,
                "batch_size": self.batch_size,
                "etas": {o: self.eta_for(o) for o in optim.OPTIMIZERS}}


KINDS = {
    "sigmoid": Kind("sigmoid + quadratic (the video)", network={
        "activation": "sigmoid", "output": "sigmoid", "cost": "quadratic", "init": "scaled"},
        eta=3.0, batch_size=10, etas={"adam": 0.01}),
    "relu": Kind("ReLU + softmax + cross-entropy", network={
        "activation": "relu", "output": "softmax", "cost": "cross-entropy", "init": "he"},
        eta=0.1, batch_size=32, etas={"adam": 0.001}),
}
DEFAULT_KIND = "sigmoid"
DEFAULT_OPTIMIZER = "sgd"


def optimizer_settings() -> list[str]:
    """Every Settings field some optimizer uses besides η (momentum, beta1, ...), in order."""
    return list(dict.fromkeys(name for o in optim.OPTIMIZERS.values() for name in o.uses))


def setting_default(name: str) -> float:
    """What an optimizer setting is when a request leaves it out: Settings' default, but μ 0.9."""
    return MOMENTUM if name == "momentum" else float(getattr(Settings(), name))


def optimizers() -> list[dict[str, Any]]:
    """The optimizers the page offers: name, its update rule (the docstring's first line), and
    the settings it uses that the page has inputs for."""
    return [{"name": name, "about": (inspect.getdoc(o) or name).splitlines()[0],
             "uses": [s for s in o.uses if s in SHOWN]} for name, o in optim.OPTIMIZERS.items()]


def shown_settings() -> list[dict[str, Any]]:
    """The inputs for optimizer settings: name, label, default, and the step of its arrows."""
    return [{"name": name, "label": SHOWN[name][0], "default": setting_default(name),
             "step": SHOWN[name][1]} for name in optimizer_settings() if name in SHOWN]


def hyper_field(h: optim.Hyper) -> Any:
    """A request field for an optimizer's hyperparameter: its declared bounds, None its default."""
    low: dict[str, Any] = {"ge": h.low} if h.ends[0] == "[" else {"gt": h.low}
    high: dict[str, Any] = ({} if h.high == math.inf else
                            {"le": h.high} if h.ends[1] == "]" else {"lt": h.high})
    return (float | None, Field(default=None, **low, **high))


def bounds(model: type[BaseModel], name: str) -> dict[str, float]:
    """A numeric field's bounds as pydantic checks them, e.g. {"gt": 0, "le": 100}."""
    found: dict[str, float] = {}
    for rule in model.model_fields[name].metadata:
        for key in ("gt", "ge", "lt", "le"):
            if getattr(rule, key, None) is not None:
                found[key] = getattr(rule, key)
    return found


def defaults(model: type[BaseModel]) -> dict[str, Any]:
    """The values a request gets for the fields it leaves out."""
    return {name: f.get_default(call_default_factory=True)
            for name, f in model.model_fields.items() if not f.is_required()}
