"""Saving and loading networks: one .npz file, no pickle, written atomically.

The file holds the parameters as plain arrays (w0, b0, w1, b1, ...) and a `metadata` array of
UTF-8 JSON bytes: the format tag and version, the network's configuration, and whatever the
caller adds (training settings, history, the state needed to resume). It is read with
allow_pickle=False, so loading a crafted file can fail but never run code.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidInput, ModelFileError
from .network import Network, set_parameters

FORMAT = "nudges-model"
VERSION = 1


@dataclass
class Saved:
    """What a model file holds: the network, its metadata, and any extra arrays (state)."""

    network: Network
    metadata: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def save(net: Network, path: str | PathLike[str], *, arrays: dict[str, np.ndarray] | None = None,
         **metadata: Any) -> None:
    """Write net (and extra arrays and JSON metadata) to `path` atomically.

    The data go to a temporary file in the same directory, which is fsynced and then renamed
    over `path`, so a crash leaves either the old file or the new one, never half of one.
    """
    meta = {"format": FORMAT, "version": VERSION, "network": net.config, **metadata}
    content = {f"w{l}": w for l, w in enumerate(net.weights)}
    content |= {f"b{l}": b for l, b in enumerate(net.biases)}
    content |= {f"extra_{k}": v for k, v in (arrays or {}).items()}
    content["metadata"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    write_atomically(Path(path), lambda f: np.savez(f, **content))


def write_atomically(path: Path, write: Any) -> None:
    """Call write(file) on a temporary file beside `path`, fsync it, and rename it to `path`."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InvalidInput(f"cannot save to {path}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return                                   # not every platform opens directories
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load(path: str | PathLike[str]) -> Network:
    """The network saved at `path`; ModelFileError if the file is missing, corrupt or tampered."""
    return load_saved(path).network


def load_saved(path: str | PathLike[str]) -> Saved:
    """Everything saved at `path`: the network, its metadata and its extra arrays."""
    files = _read_npz(Path(path))
    meta = _metadata(path, files)
    try:
        net = Network(**meta["network"])
        n = len(net.weights)
        set_parameters(net, [files[f"w{l}"] for l in range(n)],
                       [files[f"b{l}"] for l in range(n)])
    except (InvalidInput, KeyError, TypeError) as e:
        raise ModelFileError(f"{path}: the arrays do not match the metadata: {e}") from None
    _check_parameters(path, net, files)
    extra = {k.removeprefix("extra_"): v for k, v in files.items() if k.startswith("extra_")}
    return Saved(net, meta, extra)


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path}: not a .npz model file (corrupt or truncated?)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except ValueError as e:
        if "pickle" in str(e):
            raise ModelFileError(f"{path}: refused, it contains pickled objects "
                                 "(a nudges model holds plain arrays only)") from None
        raise ModelFileError(f"{path}: not a nudges model (.npz) file: {e}") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise ModelFileError(f"{path}: not a readable .npz model file "
                             f"(corrupt or truncated?): {e}") from None


def _metadata(path: str | PathLike[str], files: dict[str, np.ndarray]) -> dict[str, Any]:
    raw = files.get("metadata")
    if raw is None or raw.dtype != np.uint8 or raw.ndim != 1:
        raise ModelFileError(f"{path}: not a nudges model (no metadata)")
    try:
        meta = json.loads(raw.tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFileError(f"{path}: the metadata is not valid JSON: {e}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a nudges model (format tag {FORMAT!r} missing)")
    version = meta.get("version")
    if not isinstance(version, int) or not 1 <= version <= VERSION:
        raise ModelFileError(f"{path}: format version {version!r} is not supported "
                             f"(this nudges reads 1 to {VERSION}; a newer nudges wrote it?)")
    if not isinstance(meta.get("network"), dict):
        raise ModelFileError(f"{path}: the metadata has no network configuration")
    return meta


def _check_parameters(path: str | PathLike[str], net: Network,
                      files: dict[str, np.ndarray]) -> None:
    for l in range(len(net.weights)):
        stored = files[f"w{l}"].dtype, files[f"b{l}"].dtype
        if stored != (net.dtype, net.dtype):
            raise ModelFileError(f"{path}: layer {l} is stored as {stored[0]}, "
                                 f"the metadata says {net.dtype}")
    params = net.weights + net.biases
    if not all(np.isfinite(p).all() for p in params):
        raise ModelFileError(f"{path}: the parameters contain NaN or inf")
