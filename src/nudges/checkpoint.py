"""Checkpoints: a network saved with everything needed to resume its training bit for bit.

A checkpoint is an ordinary model file (nudges.persist, format version 1) with more in it:

    metadata  training    the Settings (asdict)
              history     one dict per finished epoch (EpochReport)
              data        the data set's name
              checkpoint  {"epoch", "step", "rng": the Generator's bit_generator.state,
                           "data": {"name", "path", "n_train", "crc32"}}
    arrays    velocity_w0, velocity_b0, ...   the momentum terms (State.velocity_w/_b)
              order                           this epoch's permutation, when mid-epoch

Any nudges reads it as a network; `load_checkpoint` also rebuilds the run. The data's size
and CRC-32 let a resumed run check that it trains on the very same examples.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass, fields
from os import PathLike
from typing import Any

import numpy as np

from .errors import InvalidInput, ModelFileError
from .network import Network
from .persist import Saved, load_saved, save
from .train import EpochReport, History, Settings, State

BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


@dataclass
class Checkpoint:
    """A run to resume: the network, its settings, where it is, what it did, and its data."""

    network: Network
    settings: Settings
    state: State
    history: History
    data: dict[str, Any]


def data_fingerprint(x: np.ndarray, y: np.ndarray, name: str,
                     path: str | None = None) -> dict[str, Any]:
    """What identifies a training set: its name, folder, size and CRC-32 of inputs and labels."""
    crc = zlib.crc32(np.ascontiguousarray(x).data)
    crc = zlib.crc32(np.ascontiguousarray(y, dtype=np.int64).data, crc)
    return {"name": name, "path": path, "n_train": int(len(x)), "crc32": crc}


def save_checkpoint(path: str | PathLike[str], checkpoint: Checkpoint) -> None:
    """Write the checkpoint to `path` atomically (see persist.save)."""
    state = checkpoint.state
    arrays = {f"velocity_w{l}": v for l, v in enumerate(state.velocity_w)}
    arrays |= {f"velocity_b{l}": v for l, v in enumerate(state.velocity_b)}
    if state.order is not None:
        arrays["order"] = state.order
    where = {"epoch": state.epoch, "step": state.step, "rng": state.rng.bit_generator.state,
             "data": checkpoint.data}
    save(checkpoint.network, path, arrays=arrays, training=asdict(checkpoint.settings),
         data=checkpoint.data["name"], history=[asdict(e) for e in checkpoint.history.epochs],
         checkpoint=where)


def load_checkpoint(path: str | PathLike[str]) -> Checkpoint:
    """The run saved at `path`; ModelFileError if the file has no (valid) training state."""
    saved = load_saved(path)
    where = saved.metadata.get("checkpoint")
    if not isinstance(where, dict):
        raise ModelFileError(f"{path}: holds a network but no training state to resume "
                             "(saved by Network.save or an older nudges); train it afresh")
    settings = _settings(path, saved.metadata.get("training"))
    history = _history(path, settings, saved.metadata.get("history"))
    data = where.get("data")
    if not (isinstance(data, dict) and isinstance(data.get("n_train"), int)
            and isinstance(data.get("crc32"), int) and isinstance(data.get("name"), str)):
        raise ModelFileError(f"{path}: the checkpoint does not say which data it trained on")
    return Checkpoint(saved.network, settings, _state(path, saved, where), history, data)


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


def _settings(path: str | PathLike[str], raw: object) -> Settings:
    """Settings from the metadata, each field of the type the dataclass declares (a field
    missing from an older file takes its default)."""
    types = {"int": (int,), "float": (int, float), "str": (str,), "int | None": (int, type(None))}
    if not isinstance(raw, dict) or not set(raw) <= {f.name for f in fields(Settings)}:
        raise ModelFileError(f"{path}: the checkpoint's training settings are missing or "
                             f"unknown to this nudges: {raw!r}")
    for f in (f for f in fields(Settings) if f.name in raw):
        value = raw[f.name]
        if isinstance(value, bool) or not isinstance(value, types[str(f.type)]):
            raise ModelFileError(f"{path}: training setting {f.name} = {value!r} is not "
                                 f"of type {f.type}")
    return Settings(**raw)


def _history(path: str | PathLike[str], settings: Settings, raw: Any) -> History:
    try:
        return History(settings, [EpochReport(**e) for e in raw])
    except TypeError:
        raise ModelFileError(f"{path}: the checkpoint's history is not a list of epoch "
                             "reports") from None


def _state(path: str | PathLike[str], saved: Saved, where: dict[str, Any]) -> State:
    """The State: Generator, velocities and shuffling order, checked against the network."""
    epoch, step = where.get("epoch"), where.get("step")
    if not (type(epoch) is int and type(step) is int and epoch >= 0 and step >= 0):
        raise ModelFileError(f"{path}: the checkpoint's epoch {epoch!r} and mini-batch "
                             f"{step!r} are not counts")
    net, arrays = saved.network, saved.arrays
    velocities = [_velocity(path, arrays, f"velocity_w{l}", w) for l, w in enumerate(net.weights)]
    velocities_b = [_velocity(path, arrays, f"velocity_b{l}", b) for l, b in enumerate(net.biases)]
    order = arrays.get("order")
    if order is not None and (order.ndim != 1 or order.dtype.kind not in "iu"):
        raise ModelFileError(f"{path}: the checkpoint's order is {order.dtype} {order.shape}, "
                             "expected a 1-D integer permutation")
    order = None if order is None else order.astype(np.intp)
    return State(_generator(path, where.get("rng")), velocities, velocities_b, epoch, step, order)


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
    except (TypeError, ValueError, KeyError, OverflowError) as e:
        raise ModelFileError(f"{path}: the checkpoint's random state is corrupt: {e}") from None
    return np.random.Generator(bit_generator)
