"""Checkpoints: a network saved with everything needed to resume its training bit for bit.

A checkpoint is an ordinary model file (nudges.files.models, format version 1) with more in it:

    metadata  training    the Settings (asdict)
              history     one dict per finished epoch (EpochReport)
              data        the data set's name
              checkpoint  {"epoch", "step", "rng": the Generator's bit_generator.state,
                           "data": {"name", "path", "n_train", "crc32"}}
              (and "t", the optimizer's step count)
    arrays    SLOT_w0, SLOT_b0, ...   each state array the optimizer declares (State.slots:
                                      velocity_w0 for momentum, m_w0 and s_w0 for Adam)
              order                   this epoch's permutation, when mid-epoch

Any nudges reads it as a network; `load_checkpoint` also rebuilds the run. The data's size
and CRC-32 let a resumed run check that it trains on the very same examples.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from os import PathLike
from typing import Any

import numpy as np

from ..core import optimizers
from ..core.checks import MAX_PARAMETERS
from ..core.errors import InvalidInput, ModelFileError
from ..core.network import Network
from ..training.settings import History, Settings, State
from .metadata import MAX_EXAMPLES, expect, reports_from, settings_from
from .models import Saved, load_saved, save

BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


@dataclass
class Checkpoint:
    """A run to resume: the network, its settings, where it is, what it did, and its data."""

    network: Network
    settings: Settings
    state: State
    history: History
    data: dict[str, Any]


def save_checkpoint(path: str | PathLike[str], checkpoint: Checkpoint) -> None:
    """Write the checkpoint to `path` atomically (see persist.save)."""
    state, n_layers = checkpoint.state, len(checkpoint.network.weights)
    arrays: dict[str, np.ndarray] = {}
    for name in optimizers.optimizer_named(checkpoint.settings.optimizer_name).slots:
        kept = state.per_parameter((name,), checkpoint.network)
        arrays |= {parameter_name(name, i, n_layers): row[0] for i, row in enumerate(kept)}
    if state.order is not None:
        arrays["order"] = state.order
    where = {"epoch": state.epoch, "step": state.step, "t": state.t,
             "rng": state.rng.bit_generator.state, "data": checkpoint.data}
    save(checkpoint.network, path, arrays=arrays, training=asdict(checkpoint.settings),
         data=checkpoint.data["name"], history=[asdict(e) for e in checkpoint.history.epochs],
         checkpoint=where)


def parameter_name(slot: str, i: int, n_layers: int) -> str:
    """The array name of parameter i's state `slot`: velocity_w0, ..., velocity_b0, ..."""
    return f"{slot}_w{i}" if i < n_layers else f"{slot}_b{i - n_layers}"


def load_checkpoint(path: str | PathLike[str], *,
                    max_parameters: int = MAX_PARAMETERS) -> Checkpoint:
    """The run saved at `path`; ModelFileError if the file has no (valid) training state."""
    saved = load_saved(path, max_parameters=max_parameters)
    where = saved.metadata.get("checkpoint")
    if not isinstance(where, dict):
        raise ModelFileError(f"{path}: holds a network but no training state to resume "
                             "(saved by Network.save or an older nudges); train it afresh")
    data = _data(path, where.get("data"))
    settings = settings_from(saved.metadata.get("training"), f"{path}: the checkpoint",
                             data["n_train"], ModelFileError)
    history = History(settings, reports_from(saved.metadata.get("history"),
                                             f"{path}: the checkpoint", ModelFileError))
    state = _state(path, saved, where, optimizers.optimizer_named(settings.optimizer_name).slots)
    return Checkpoint(saved.network, settings, state, history, data)


def check_resumable(checkpoint: Checkpoint, fingerprint: dict[str, Any]) -> None:
    """InvalidInput unless the data matches the checkpoint's and its state fits that data."""
    saved = checkpoint.data
    if (fingerprint["n_train"], fingerprint["crc32"]) != (saved["n_train"], saved["crc32"]):
        raise InvalidInput(
            f"this run trained on {saved['name']} ({saved['n_train']:,} training examples, "
            f"CRC-32 {saved['crc32']:08x}), but the data found now is {fingerprint['name']} "
            f"({fingerprint['n_train']:,}, CRC-32 {fingerprint['crc32']:08x}); "
            f"pass --data with the folder it trained on")
    state, n = checkpoint.state, saved["n_train"]
    n_batches = checkpoint.settings.batches(n)
    if state.order is not None and (len(state.order) != n
                                    or not np.array_equal(np.sort(state.order), np.arange(n))):
        raise ModelFileError(f"the checkpoint's shuffling order is not a permutation of {n:,}")
    if not 0 <= state.step <= n_batches or (state.step and state.order is None):
        raise ModelFileError(f"the checkpoint's mini-batch {state.step} does not fit "
                             f"{n_batches:,} mini-batches per epoch")


def _data(path: str | PathLike[str], raw: Any) -> dict[str, Any]:
    """The fingerprint of the data the run trained on, each field checked."""
    if not isinstance(raw, dict):
        raise ModelFileError(f"{path}: the checkpoint does not say which data it trained on")
    what = f"{path}: the checkpoint's data"
    expect(raw.get("name"), "str", f"{what} name", ModelFileError)
    expect(raw.get("path"), "str | None", f"{what} path", ModelFileError)
    expect(raw.get("n_train"), "int", f"{what} n_train", ModelFileError, 1, MAX_EXAMPLES)
    expect(raw.get("crc32"), "int", f"{what} crc32", ModelFileError, 0, 2**32 - 1)
    return raw


def _state(path: str | PathLike[str], saved: Saved, where: dict[str, Any],
           slots: tuple[str, ...]) -> State:
    """The State: Generator, optimizer state and shuffling order, checked against the net."""
    epoch, step, t = where.get("epoch"), where.get("step"), where.get("t", 0)
    if not all(type(n) is int and n >= 0 for n in (epoch, step, t)):
        raise ModelFileError(f"{path}: the checkpoint's epoch {epoch!r}, mini-batch {step!r} "
                             f"and step count {t!r} are not counts")
    net, arrays = saved.network, saved.arrays
    params = net.weights + net.biases
    kept = {name: [_velocity(path, arrays, parameter_name(name, i, len(net.weights)), p)
                   for i, p in enumerate(params)] for name in slots}
    order = arrays.get("order")
    if order is not None and (order.ndim != 1 or order.dtype.kind not in "iu"):
        raise ModelFileError(f"{path}: the checkpoint's order is {order.dtype} {order.shape}, "
                             "expected a 1-D integer permutation")
    order = None if order is None else order.astype(np.intp)
    return State(_generator(path, where.get("rng")), kept, epoch, step,  # type: ignore[arg-type]
                 order, t)


def _velocity(path: str | PathLike[str], arrays: dict[str, np.ndarray], name: str,
              like: np.ndarray) -> np.ndarray:
    v = arrays.get(name)
    if v is None or v.shape != like.shape or v.dtype != like.dtype or not np.isfinite(v).all():
        got = "nothing" if v is None else f"{v.dtype} {v.shape}"
        raise ModelFileError(f"{path}: the checkpoint's {name} must be finite {like.dtype} "
                             f"{like.shape}, got {got}")
    return v


def _generator(path: str | PathLike[str], raw: object) -> np.random.Generator:
    """A Generator in the saved bit_generator.state (a JSON-able dict)."""
    name = raw.get("bit_generator") if isinstance(raw, dict) else None
    if name not in BIT_GENERATORS:
        raise ModelFileError(f"{path}: the checkpoint's random state names bit generator "
                             f"{name!r}; expected one of {', '.join(BIT_GENERATORS)}")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = raw
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, AttributeError) as e:
        raise ModelFileError(f"{path}: the checkpoint's random state is corrupt: "
                             f"{type(e).__name__}: {e}") from None
    return np.random.Generator(bit_generator)
