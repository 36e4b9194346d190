"""Optimizers: how a step moves each parameter p once backprop has given its gradient g.

    sgd        p ← p − η g                                   (the video's gradient descent)
    momentum   v ← μ v − η g,  p ← p + v                     (a ball rolling down the cost)
    nesterov   v ← μ v − η g,  p ← p + μ v − η g             (look ahead along v)
    adam       m ← β₁ m + (1 − β₁) g,  s ← β₂ s + (1 − β₂) g²,
               p ← p − η m̂ / (√ŝ + ε),  m̂ = m / (1 − β₁ᵗ),  ŝ = s / (1 − β₂ᵗ)
    rmsprop    s ← ρ s + (1 − ρ) g²,  p ← p − η g / (√s + ε)
    adamw      p ← (1 − η λ_w) p, then adam's step           (decoupled weight decay)

L2 regularisation (Nielsen's network2) composes with each: the engines add (λ/n) w to the
gradient of every weight (not the biases) before the optimizer sees it.

An optimizer is one class, and owns its settings: `hypers` declares each hyperparameter once
(name, default, bounds, help), and the checks, the CLI's flags and the page's inputs are made
from those declarations; `slots` names its state arrays (any number, each shaped like its
parameter and saved in checkpoints by name, so a resumed run is bit-exact); `update` is its
step, NumPy array code that moves p and its state in place. Every engine runs that one text:
the reference and NumPy engines as it is, and the compiled engine as a function of single
numbers that nudges.engines.compiled_updates writes from it (each `x op= e` becoming `x = x op e`,
and each number that meets an element rounded to the element's dtype, as NumPy rounds it),
which numba runs in one loop over the elements. So an update is written in that form:
- it binds its state by unpacking (`m, s = state`) or hands it whole to another optimizer's
  update (`Adam.update(p, g, state, eta, h, t)`);
- it changes p and the state only by `-=`, `+=`, `*=` or `/=`;
- it uses arithmetic, np.sqrt and math, nothing that needs a whole array.
It reads its hyperparameters as `h`, in declared order, always float64.
Subclassing with a `name` registers it in OPTIMIZERS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .activations import Array
from .errors import InvalidInput

Constants = tuple[float, ...]
OPTIMIZERS: dict[str, type[Optimizer]] = {}


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter: its name (a training setting), default, bounds and help. `ends`
    says which bounds are allowed: "[)" is low <= value < high, "()" low < value < high."""

    name: str
    default: float
    low: float
    high: float
    help: str
    ends: str = "[)"

    def check(self, value: object) -> float:
        """value as a float, or InvalidInput saying the bounds."""
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        inside = number is not None and math.isfinite(number) and (
            (self.low <= number if self.ends[0] == "[" else self.low < number) and
            (number <= self.high if self.ends[1] == "]" else number < self.high))
        if not inside:
            raise InvalidInput(f"{self.name} must be in {self.ends[0]}{self.low:g}, "
                               f"{self.high:g}{self.ends[1]}, got {value!r} ({self.help})")
        return float(number)  # type: ignore[arg-type]


MOMENTUM = Hyper("momentum", 0.9, 0, 1, "momentum μ: how much of the last step to keep")
BETA1 = Hyper("beta1", 0.9, 0, 1, "Adam's β₁: the decay of the moving average of g")
BETA2 = Hyper("beta2", 0.999, 0, 1, "Adam's β₂: the decay of the moving average of g²")
EPS = Hyper("eps", 1e-8, 0, 1, "ε, added to √s so that no step divides by 0", "()")


class Optimizer:
    """The interface every optimizer implements; subclasses with a `name` are registered."""

    name: ClassVar[str]
    hypers: ClassVar[tuple[Hyper, ...]] = ()
    uses: ClassVar[tuple[str, ...]] = ()          # the hypers' names: the settings it reads
    slots: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.uses = tuple(h.name for h in cls.hypers)
        if "name" in cls.__dict__:
            OPTIMIZERS[cls.name] = cls

    @classmethod
    def constants(cls, settings: Any) -> Constants:
        """Its hyperparameters' values in `settings`, in declared order, as float64."""
        return tuple(float(getattr(settings, h.name)) for h in cls.hypers)

    @classmethod
    def check(cls, settings: Any, n_train: int) -> None:
        """InvalidInput if a setting it uses is out of its bounds, or if momentum is given to
        an optimizer without it (n_train: the training-set size)."""
        for h in cls.hypers:
            h.check(getattr(settings, h.name))
        if "momentum" not in cls.uses and settings.momentum:
            raise InvalidInput(f"plain {cls.name} has no momentum, got momentum "
                               f"{settings.momentum!r}; use the momentum or nesterov optimizer")

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, h: Constants, t: int) -> None:
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
    Hyper(what, 0.5, 0, 1, "a fraction", "()" if positive else "[)").check(value)


class SGD(Optimizer):
    """Plain gradient descent: p ← p − η g."""

    name = "sgd"

    @classmethod
    def check(cls, settings: Any, n_train: int) -> None:
        super().check(settings, n_train)
        check_decay(settings, n_train)

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, h: Constants, t: int) -> None:
        g *= eta                                                  # η g (g is the step's own)
        p -= g                                                    # p − η g


class Momentum(SGD):
    """Momentum: v ← μ v − η g, p ← p + v (SGD's decay check holds for it too)."""

    name = "momentum"
    hypers = (Hyper("momentum", 0.9, 0, 1, MOMENTUM.help),)
    slots = ("velocity",)

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, h: Constants, t: int) -> None:
        v, = state
        g *= eta                                                  # η g
        v *= h[0]                                                 # μ v
        v -= g                                                    # μ v − η g
        p += v


class Nesterov(Momentum):
    """Nesterov momentum: v ← μ v − η g, p ← p + μ v − η g."""

    name = "nesterov"
    hypers = (Hyper("momentum", 0.9, 0, 1, MOMENTUM.help, "()"),)

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, h: Constants, t: int) -> None:
        v, = state
        g *= eta                                                  # η g
        v *= h[0]
        v -= g                                                    # v = μ v − η g
        p += h[0] * v
        p -= g


class Adam(Optimizer):
    """Adam (Kingma and Ba): moving averages of g and g², bias-corrected, as torch.optim.Adam."""

    name = "adam"
    hypers: ClassVar[tuple[Hyper, ...]] = (BETA1, BETA2, EPS)
    slots = ("m", "s")

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, h: Constants, t: int) -> None:
        beta1, beta2, eps = h[0], h[1], h[2]
        m, s = state
        m += (1 - beta1) * (g - m)                                # m ← β₁ m + (1 − β₁) g
        s *= beta2
        s += (1 - beta2) * g * g                                  # s ← β₂ s + (1 − β₂) g²
        root = math.sqrt(1 - beta2 ** t)                          # √(1 − β₂ᵗ)
        step = eta * root / (1 - beta1 ** t)
        p -= step * m / (np.sqrt(s) + eps * root)                 # = η m̂ / (√ŝ + ε)


class RMSprop(Optimizer):
    """RMSprop (Hinton): divide by a moving root mean square of g, as torch.optim.RMSprop."""

    name = "rmsprop"
    hypers = (Hyper("rho", 0.9, 0, 1, "RMSprop's ρ: the decay of the moving average of g²"),
              EPS)
    slots = ("s",)

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, h: Constants, t: int) -> None:
        s, = state
        s *= h[0]
        s += (1 - h[0]) * g * g                                   # s ← ρ s + (1 − ρ) g²
        p -= eta * g / (np.sqrt(s) + h[1])


class AdamW(Adam):
    """AdamW (Loshchilov and Hutter): Adam with decoupled weight decay, as torch.optim.AdamW:
    p ← (1 − η λ_w) p before Adam's step (every parameter; L2's λ still adds to g)."""

    name = "adamw"
    hypers = (BETA1, BETA2, EPS, Hyper("weight_decay", 0.01, 0, math.inf,
                                       "AdamW's λ_w: each step shrinks p by η λ_w p"))
    slots = ("m", "s")

    @staticmethod
    def update(p: Array, g: Array, state: list[Array], eta: float, h: Constants, t: int) -> None:
        p *= 1 - eta * h[3]
        Adam.update(p, g, state, eta, h, t)


def hypers() -> dict[str, Hyper]:
    """Every registered optimizer's hyperparameters by name (the first declaration of a name
    that several share, like eps), for the flags, inputs and axes made from them."""
    found: dict[str, Hyper] = {}
    for optimizer in OPTIMIZERS.values():
        for h in optimizer.hypers:
            found.setdefault(h.name, h)
    return found


def optimizer_named(name: str) -> type[Optimizer]:
    """The optimizer called `name`."""
    if name not in OPTIMIZERS:
        raise InvalidInput(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name]
