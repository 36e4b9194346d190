"""Saving and loading networks: one .npz file, no pickle, written atomically.

The file holds the parameters as plain arrays (w0, b0, w1, b1, ...) and a `metadata` array of
UTF-8 JSON bytes: the format tag and version, the network's configuration, and whatever the
caller adds (training settings, history, the state needed to resume).

Loading reads the zip and .npy headers itself: object (pickled) arrays are refused before any
of their bytes are parsed, so a crafted file can fail but never run code, and no header can
make it allocate more than the file's own size (times deflate's largest ratio).
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidInput, ModelFileError
from .network import Network, set_parameters

FORMAT = "nudges-model"
VERSION = 1
MEMBER = re.compile(r"(metadata|[wb]\d+|extra_\w+)\.npy")  # what load reads; the rest is ignored
MAX_RATIO = 1100  # deflate expands at most ~1032:1, so a larger claim is a lie (or a bomb)
CORRUPT = (OSError, EOFError, zipfile.BadZipFile, zlib.error, struct.error, ValueError,
           KeyError, TypeError, SyntaxError, RecursionError, OverflowError, NotImplementedError,
           RuntimeError, UnicodeDecodeError)


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
    write_atomically(Path(path), lambda f: np.savez(f, **content))  # type: ignore[arg-type]


def write_atomically(path: Path, write: Any) -> None:
    """Call write(file) on a temporary file beside `path`, fsync it, and rename it to `path`.

    A crash or kill at any moment leaves `path` as it was or complete, never half written
    (at worst a stray hidden .NAME.*.tmp beside it). OSError becomes InvalidInput.
    """
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InvalidInput(f"cannot save to {path}: directory {directory} does not exist")
    try:
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
    except OSError as e:
        raise InvalidInput(f"cannot save to {path}: {e.strerror or e}") from None
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
    weights, biases = _parameters(path, meta["network"], files)
    try:
        net = Network(**meta["network"])
        set_parameters(net, weights, biases)
    except (InvalidInput, TypeError, ValueError, OverflowError) as e:
        raise ModelFileError(f"{path}: the metadata's network is not valid: {e}") from None
    _check_parameters(path, net, files)
    extra = {k.removeprefix("extra_"): v for k, v in files.items() if k.startswith("extra_")}
    return Saved(net, meta, extra)


def _parameters(path: str | PathLike[str], config: dict[str, Any],
                files: dict[str, np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """w0, w1, ... and b0, b1, ..., checked against the sizes in the metadata (before any
    network is built, so lying sizes cannot make it allocate)."""
    sizes = config.get("sizes")
    if not (isinstance(sizes, list) and len(sizes) >= 2
            and all(type(n) is int and n >= 1 for n in sizes)):
        raise ModelFileError(f"{path}: the metadata's layer sizes {sizes!r} are not a list of "
                             "at least two positive integers")
    n = len(sizes) - 1
    if f"w{n}" in files or f"b{n}" in files:
        raise ModelFileError(f"{path}: the arrays do not match the metadata: more layers "
                             f"than its sizes {sizes}")
    for l in range(n):
        want = {f"w{l}": (sizes[l + 1], sizes[l]), f"b{l}": (sizes[l + 1],)}
        for name, shape in want.items():
            if name not in files or files[name].shape != shape:
                got = files[name].shape if name in files else "nothing"
                raise ModelFileError(f"{path}: the arrays do not match the metadata: its sizes "
                                     f"{sizes} need {name} of shape {shape}, the file holds {got}")
    return [files[f"w{l}"] for l in range(n)], [files[f"b{l}"] for l in range(n)]


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a .npz (zip of .npy) file by name, read without np.load or pickle."""
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    size = path.stat().st_size
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if MEMBER.fullmatch(i.filename)]
            if sum(i.compress_size for i in infos) > size:
                raise ModelFileError(f"{path}: corrupt: its zip entries claim more bytes than "
                                     "the file holds")
            return {i.filename[:-4]: _npy(path, i.filename, _member(path, zf, i, size))
                    for i in infos}
    except ModelFileError:
        raise
    except CORRUPT as e:
        raise ModelFileError(f"{path}: not a readable .npz model file "
                             f"(corrupt or truncated?): {e}") from None


def _member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int) -> bytes:
    """The bytes of one zip entry, refusing sizes the file cannot hold."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ModelFileError(f"{path}: {info.filename} uses zip compression method "
                             f"{info.compress_type}; nudges reads stored or deflated entries")
    ratio = 1 if info.compress_type == zipfile.ZIP_STORED else MAX_RATIO
    if info.compress_size > size or info.file_size > ratio * info.compress_size + 1024:
        raise ModelFileError(f"{path}: corrupt: {info.filename} claims {info.file_size:,} "
                             f"bytes, more than the file's {size:,} can hold")
    return zf.read(info)


def _npy(path: Path, name: str, data: bytes) -> np.ndarray:
    """The array in the bytes of one .npy file (format 1.0 or 2.0), plain numbers only."""
    f = io.BytesIO(data)
    version = np.lib.format.read_magic(f)
    if version not in ((1, 0), (2, 0)):
        raise ModelFileError(f"{path}: {name} is .npy format {version}; expected 1.0 or 2.0")
    read_header = getattr(np.lib.format, f"read_array_header_{version[0]}_0")
    shape, fortran, dtype = read_header(f)
    if dtype.hasobject:
        raise ModelFileError(f"{path}: refused, {name} holds pickled objects (a nudges "
                             "model holds plain arrays only; nothing in it was run)")
    if dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None:
        raise ModelFileError(f"{path}: {name} holds {dtype}; a nudges model holds numbers only")
    count = math.prod(shape)
    if any(d < 0 for d in shape) or count * dtype.itemsize != len(data) - f.tell():
        raise ModelFileError(f"{path}: {name} claims shape {shape} of {dtype}, but holds "
                             f"{len(data) - f.tell():,} data bytes (truncated or corrupt)")
    array = np.frombuffer(data, dtype, count=count, offset=f.tell())
    return array.reshape(shape, order="F" if fortran else "C").copy()


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
        for name in (f"w{l}", f"b{l}"):
            if files[name].dtype != net.dtype:
                raise ModelFileError(f"{path}: {name} is stored as {files[name].dtype}, "
                                     f"the metadata says {net.dtype}")
    params = net.weights + net.biases
    if not all(np.isfinite(p).all() for p in params):
        raise ModelFileError(f"{path}: the parameters contain NaN or inf")
