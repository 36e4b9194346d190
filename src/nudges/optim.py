"""Optimizers: how a step moves each parameter p once backprop has given its gradient g.

    sgd        p ← p − η g                                   (the video's gradient descent)
    momentum   v ← μ v − η g,  p ← p + v                     (a ball rolling down the cost)
    nesterov   v ← μ v − η g,  p ← p + μ v − η g             (look ahead along v)
    adam       m ← β₁ m + (1 − β₁) g,  s ← β₂ s + (1 − β₂) g²,
               p ← p − η m̂ / (√ŝ + ε),  m̂ = m / (1 − β₁ᵗ),  ŝ = s / (1 − β₂ᵗ)

L2 regularisation (Nielsen's network2) composes with each: the engines add (λ/n) w to the
gradient of every weight (not the biases) before the optimizer sees it.

An optimizer is one class: `slots` names its state arrays (each shaped like its parameter,
saved in checkpoints, so a resumed run is bit-exact), `uses` the Settings it reads besides η,
`update` is its step, NumPy array code run in place by every engine (the compiled engine
compiles the same function with numba, so it must be code numba accepts: in-place array
arithmetic, np.sqrt, math).
Subclassing with a `name` registers it in OPTIMIZERS.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .activations import Array
from .errors import InvalidInput

Constants = tuple[float, float, float]
OPTIMIZERS: dict[str, type[Optimizer]] = {}


class Optimizer:
    """The interface every optimizer implements; subclasses with a `name` are registered."""

    name: ClassVar[str]
    slots: ClassVar[tuple[str, ...]] = ()
    uses: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            OPTIMIZERS[cls.name] = cls

    @staticmethod
    def constants(settings: Any) -> Constants:
        """The three numbers c its update reads (μ, or β₁, β₂, ε), from settings."""
        return (0.0, 0.0, 0.0)


    @staticmethod
    def check(settings: Any, n_train: int) -> None:
        """InvalidInput if the settings it uses cannot work (n_train: the training-set size)."""
        check_decay(settings, n_train)

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, c: Constants, t: int) -> None:
        """One step of p in place; g is the gradient (and may be overwritten); t counts steps
        from 1."""
        raise NotImplementedError


def check_decay(settings: Any, n_train: int) -> None:
    """InvalidInput if w ← (1 − ηλ/n) w − … would grow every weight (the momentum family)."""
    decay, most = settings.eta * settings.lmbda / n_train, 2 * (1 + settings.momentum)
    if decay >= most:
        raise InvalidInput(f"eta * lmbda / n = {decay:g} would make the weight decay blow every "
                           f"weight up; it must be below {most:g} (use a smaller eta or lmbda)")


def check_fraction(what: str, value: float, *, positive: bool = False) -> None:
    """InvalidInput unless 0 <= value < 1 (0 < value < 1 when positive)."""
    if not (isinstance(value, (int, float)) and (0 < value < 1 if positive else 0 <= value < 1)):
        low = "(0, 1)" if positive else "[0, 1)"
        raise InvalidInput(f"{what} must be in {low}, got {value!r}")


class SGD(Optimizer):
    """Plain gradient descent: p ← p − η g."""

    name = "sgd"

    @staticmethod
    def check(settings: Any, n_train: int) -> None:
        check_decay(settings, n_train)
        if settings.momentum:
            raise InvalidInput(f"plain sgd has no momentum, got momentum {settings.momentum!r}; "
                               "use the momentum or nesterov optimizer")

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, c: Constants, t: int) -> None:
        g *= eta                                                  # η g
        p -= g



class Momentum(Optimizer):
    """Momentum: v ← μ v − η g, p ← p + v."""

    name = "momentum"
    slots = ("velocity",)
    uses = ("momentum",)

    @staticmethod
    def constants(settings: Any) -> Constants:
        return (settings.momentum, 0.0, 0.0)

    @staticmethod
    def check(settings: Any, n_train: int) -> None:
        check_decay(settings, n_train)
        check_fraction("momentum", settings.momentum)

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, c: Constants, t: int) -> None:
        v = state[0]
        v *= c[0]                                                 # μ v
        g *= eta
        v -= g                                                    # μ v − η g
        p += v



class Nesterov(Momentum):
    """Nesterov momentum: v ← μ v − η g, p ← p + μ v − η g."""

    name = "nesterov"

    @staticmethod
    def check(settings: Any, n_train: int) -> None:
        check_decay(settings, n_train)
        check_fraction("momentum", settings.momentum, positive=True)

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, c: Constants, t: int) -> None:
        v = state[0]
        v *= c[0]
        g *= eta                                                  # η g
        v -= g                                                    # v = μ v − η g
        p += c[0] * v
        p -= g



class Adam(Optimizer):
    """Adam (Kingma and Ba): moving averages of g and g², bias-corrected, as torch.optim.Adam."""

    name = "adam"
    slots = ("m", "s")
    uses = ("beta1", "beta2", "eps")

    @staticmethod
    def constants(settings: Any) -> Constants:
        return (settings.beta1, settings.beta2, settings.eps)

    @staticmethod
    def check(settings: Any, n_train: int) -> None:
        if settings.momentum:
            raise InvalidInput(f"adam takes beta1, not momentum (got momentum "
                               f"{settings.momentum!r})")
        check_fraction("beta1", settings.beta1)
        check_fraction("beta2", settings.beta2)
        if not (isinstance(settings.eps, (int, float)) and 0 < settings.eps < 1):
            raise InvalidInput(f"eps must be a small positive number like 1e-8, "
                               f"got {settings.eps!r}")

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, c: Constants, t: int) -> None:
        m, s = state
        beta1, beta2, eps = c
        m += (1 - beta1) * (g - m)                                # m ← β₁ m + (1 − β₁) g
        s *= beta2
        s += (1 - beta2) * g * g                                  # s ← β₂ s + (1 − β₂) g²
        step = eta / (1 - beta1 ** t)                             # η / (1 − β₁ᵗ)
        denominator = np.sqrt(s) / math.sqrt(1 - beta2 ** t) + eps  # √ŝ + ε
        p -= step * m / denominator




def get(name: str) -> type[Optimizer]:
    """The optimizer called `name`."""
    if name not in OPTIMIZERS:
        raise InvalidInput(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name]
