"""The compiled engine's rewrite of an optimizer's update for single numbers (nudges.
compiled_updates): what it writes, and the updates it refuses, each with the reason."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from nudges.core import optimizers
from nudges.core.errors import InvalidInput
from nudges.engines.compiled_updates import scalar_sources, why_not


def test_momentum_is_rewritten_as_values():
    assert scalar_sources(optimizers.Momentum)[-1] == (
        "def momentum_update_each(p, g, state, eta, h, t):\n"
        "    v, = state\n"
        "    g = g * R(eta)\n"
        "    v = v * R(h[0])\n"
        "    v = v - g\n"
        "    p = p + v\n"
        "    return (p, (v,))")


def test_adamw_calls_the_rewrite_of_adam():
    sources = scalar_sources(optimizers.AdamW)
    assert sources[0].startswith("def adam_update_each(")
    assert "p, state = adam_update_each(p, g, state, eta, h, t)" in sources[-1]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
def test_every_rewrite_equals_the_update_on_numbers(name, dtype):
    """The rewrite, run on one element, moves it exactly as the in-place update moves an array:
    in float32 too, where R rounds each number that meets an element as NumPy does."""
    optimizer = optimizers.OPTIMIZERS[name]
    namespace = {"np": np, "math": math, "R": dtype}
    for source in scalar_sources(optimizer):
        exec(source, namespace)                                        # noqa: S102
    rng = np.random.default_rng(0)
    p, g = rng.normal(size=5).astype(dtype), rng.normal(size=5).astype(dtype)
    state = [rng.random(5).astype(dtype) for _ in optimizer.slots]
    h = tuple(x.default for x in optimizer.hypers)
    each = namespace[f"{name}_update_each"]
    moved = [each(p[i], g[i], tuple(s[i] for s in state), 0.1, h, 3) for i in range(5)]
    optimizer.update(p, g, state, 0.1, h, 3)
    assert [m[0] for m in moved] == list(p)
    assert all(m[0].dtype == dtype for m in moved)
    for k, s in enumerate(state):
        assert [m[1][k] for m in moved] == list(s)


def test_a_number_is_rounded_only_where_it_meets_an_element():
    """1 − β₂ᵗ and the step size stay float64 numbers; R wraps them where they meet m and s."""
    adam = scalar_sources(optimizers.Adam)[-1]
    assert "root = math.sqrt(1 - beta2 ** t)" in adam
    assert "step = eta * root / (1 - beta1 ** t)" in adam
    assert "p = p - R(step) * m / (np.sqrt(s) + R(eps * root))" in adam


def refusal(body: str, folder: Path) -> str | None:
    """why_not for an optimizer whose update is `body`, defined in a file in folder (so that
    its source can be read)."""
    namespace: dict[str, object] = {"optim": optimizers, "np": np}
    source = ("class Odd(optim.Optimizer):\n    slots = ('s',)\n"
              f"    @staticmethod\n    def update(p, g, state, eta, h, t):\n{body}\n")
    path = folder / "odd.py"
    path.write_text(source)
    exec(compile(source, str(path), "exec"), namespace)                # noqa: S102
    odd = namespace["Odd"]
    odd.name = "odd"                                                   # type: ignore[attr-defined]
    return why_not(odd)                                                # type: ignore[arg-type]


@pytest.mark.parametrize(("body", "says"), [
    ("        p[...] = p - eta * g", "not p[...] ="),
    ("        s = state[0]\n        s += g", "unpack the state"),
    ("        p -= eta * state[0]", "unpack the state"),
    ("        s = state\n        s += g", "do not alias it"),
    ("        np.copyto(p, p - eta * g)", "another optimizer's update"),
])
def test_updates_not_in_the_form_are_refused_with_the_reason(body, says, tmp_path):
    assert says in (refusal(body, tmp_path) or "")


def typed_optimizer() -> type[optimizers.Optimizer]:
    """An optimizer defined where no file holds its source, as in `python -c`."""
    namespace: dict[str, object] = {"optim": optimizers}
    exec("class Typed(optim.Optimizer):\n    @staticmethod\n"             # noqa: S102
         "    def update(p, g, state, eta, h, t):\n        p -= eta * g\n", namespace)
    typed = namespace["Typed"]
    typed.name = "typed"                                               # type: ignore[attr-defined]
    return typed                                                       # type: ignore[return-value]


def test_an_update_typed_where_no_file_holds_it_is_refused():
    assert "no source file" in (why_not(typed_optimizer()) or "")


def test_a_refused_update_trains_with_numpy_under_auto_and_is_an_error_for_compiled():
    from nudges import Network
    from nudges.engines.choose import make_stepper
    from nudges.engines.reference import Rule
    typed = typed_optimizer()
    net = Network([4, 3, 2], seed=0)
    rule = Rule(typed, 0.1, 0.0, ())                                   # type: ignore[arg-type]
    assert type(make_stepper(net, 10, rule, "auto")).__name__ == "NumpyStepper"
    with pytest.raises(InvalidInput, match="no source file.*use engine 'numpy'"):
        make_stepper(net, 10, rule, "compiled")
