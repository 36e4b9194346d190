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
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..core.checks import MAX_PARAMETERS, check_sizes
from ..core.errors import InvalidInput, ModelFileError
from ..core.network import Network, set_parameters
from .atomic import write_atomically
from .metadata import MAX_EXAMPLES, MAX_JSON_BYTES, expect, parse_json

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


def load(path: str | PathLike[str], *, max_parameters: int = MAX_PARAMETERS) -> Network:
    """The network saved at `path`; ModelFileError if the file is missing, corrupt or tampered,
    or holds more than max_parameters weights and biases (checks.MAX_PARAMETERS)."""
    return load_saved(path, max_parameters=max_parameters).network


def load_saved(path: str | PathLike[str], *, max_parameters: int = MAX_PARAMETERS) -> Saved:
    """Everything saved at `path`: the network, its metadata and its extra arrays.

    The metadata is read first and checked (bounded JSON, layer sizes, parameter count);
    every other member's declared shape is then checked against it before its bytes are read.
    """
    meta, files = _read_npz(Path(path), max_parameters)
    n = len(meta["network"]["sizes"]) - 1
    weights, biases = [files[f"w{l}"] for l in range(n)], [files[f"b{l}"] for l in range(n)]
    try:
        net = Network(**meta["network"])
        set_parameters(net, weights, biases)
    except (InvalidInput, TypeError, ValueError, OverflowError, MemoryError) as e:
        raise ModelFileError(f"{path}: the metadata's network is not valid: {e}") from None
    _check_parameters(path, net, files)
    extra = {k.removeprefix("extra_"): v for k, v in files.items() if k.startswith("extra_")}
    return Saved(net, meta, extra)


def _shapes(path: Path, config: dict[str, Any], max_parameters: int) -> dict[str, tuple[int, ...]]:
    """The shape of each w{l} and b{l} that the metadata's layer sizes call for (checked
    before anything else is read, so lying sizes cannot make it allocate)."""
    for key in ("activation", "output", "cost", "init", "dtype"):
        if key in config:
            expect(config[key], "str", f"{path}: the metadata's network {key}", ModelFileError)
    expect(config.get("seed", 0), "int", f"{path}: the metadata's seed", ModelFileError, low=0)
    sizes = config.get("sizes")
    if not (isinstance(sizes, list) and all(type(n) is int for n in sizes)):
        raise ModelFileError(f"{path}: the metadata's layer sizes are not a list of integers")
    try:
        check_sizes(sizes, max_parameters)
    except InvalidInput as e:
        raise ModelFileError(f"{path}: the metadata's {e}") from None
    shapes: dict[str, tuple[int, ...]] = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        shapes |= {f"w{l}": (n_out, n_in), f"b{l}": (n_out,)}
    return shapes


def _read_npz(path: Path, max_parameters: int) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The metadata and the arrays of a .npz (zip of .npy) file, read without np.load or
    pickle: the metadata first, then each member whose declared shape it allows."""
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    size = path.stat().st_size
    try:
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename[:-4]: i for i in zf.infolist() if MEMBER.fullmatch(i.filename)}
            if sum(i.compress_size for i in infos.values()) > size:
                raise ModelFileError(f"{path}: corrupt: its zip entries claim more bytes than "
                                     "the file holds")
            if "metadata" not in infos:
                raise ModelFileError(f"{path}: not a nudges model (no metadata)")
            meta = _metadata(path, _npy(path, "metadata", _member(path, zf, infos["metadata"],
                                                                  size, MAX_JSON_BYTES)))
            _check_declared(path, zf, infos, _shapes(path, meta["network"], max_parameters),
                            _extra_budget(meta))
            return meta, {name: _npy(path, name, _member(path, zf, info, size))
                          for name, info in infos.items() if name != "metadata"}
    except ModelFileError:
        raise
    except CORRUPT as e:
        raise ModelFileError(f"{path}: not a readable .npz model file "
                             f"(corrupt or truncated?): {e}") from None


def _extra_budget(meta: dict[str, Any]) -> int:
    """Bytes the extra arrays may declare: room for three optimizer states of float64 (of
    the parameters' element count, added by _check_declared) and a shuffling order."""
    data = (meta.get("checkpoint") or {}).get("data") if isinstance(
        meta.get("checkpoint"), dict) else None
    n_train = data.get("n_train") if isinstance(data, dict) else None
    n = n_train if type(n_train) is int and 0 < n_train <= MAX_EXAMPLES else 0
    return 8 * n + (1 << 20)


def _check_declared(path: Path, zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo],
                    shapes: dict[str, tuple[int, ...]], budget: int) -> None:
    """ModelFileError unless each parameter member declares the shape the metadata calls
    for and the extra members together declare no more than their budget."""
    budget += 3 * 8 * sum(math.prod(s) for s in shapes.values())
    for name, info in infos.items():
        if name == "metadata":
            continue
        with zf.open(info) as f:
            shape, _, dtype = _header(path, info.filename, f)
        if name in shapes or not name.startswith("extra_"):
            want = shapes.get(name)
            if shape != want:
                raise ModelFileError(
                    f"{path}: the arrays do not match the metadata: its sizes need {name} of "
                    f"shape {want if want else 'nothing (more layers than its sizes)'}, the "
                    f"file declares {shape}")
            continue
        budget -= math.prod(shape) * dtype.itemsize
        if budget < 0:
            raise ModelFileError(f"{path}: its extra arrays declare more bytes than a "
                                 "checkpoint of this network needs (corrupt or crafted)")
    missing = sorted(set(shapes) - set(infos))
    if missing:
        raise ModelFileError(f"{path}: the arrays do not match the metadata: its sizes need "
                             f"{', '.join(missing)}, the file holds nothing by that name")


def _member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int,
            limit: int | None = None) -> bytes:
    """The bytes of one zip entry, refusing sizes the file cannot hold (or over `limit`)."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ModelFileError(f"{path}: {info.filename} uses zip compression method "
                             f"{info.compress_type}; nudges reads stored or deflated entries")
    ratio = 1 if info.compress_type == zipfile.ZIP_STORED else MAX_RATIO
    if info.compress_size > size or info.file_size > ratio * info.compress_size + 1024 or (
            limit is not None and info.file_size > limit + 1024):
        raise ModelFileError(f"{path}: corrupt: {info.filename} claims {info.file_size:,} "
                             f"bytes, more than {'nudges reads' if limit else 'the file can hold'}")
    return zf.read(info)


def _header(path: Path, name: str, f: Any) -> tuple[tuple[int, ...], bool, np.dtype[Any]]:
    """(shape, fortran order, dtype) from a .npy header (format 1.0 or 2.0), numbers only."""
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
    if any(d < 0 for d in shape):
        raise ModelFileError(f"{path}: {name} claims the impossible shape {shape}")
    return shape, fortran, dtype


def _npy(path: Path, name: str, data: bytes) -> np.ndarray:
    """The array in the bytes of one .npy file (format 1.0 or 2.0), plain numbers only."""
    f = io.BytesIO(data)
    shape, fortran, dtype = _header(path, name, f)
    count = math.prod(shape)
    if count * dtype.itemsize != len(data) - f.tell():
        raise ModelFileError(f"{path}: {name} claims shape {shape} of {dtype}, but holds "
                             f"{len(data) - f.tell():,} data bytes (truncated or corrupt)")
    array = np.frombuffer(data, dtype, count=count, offset=f.tell())
    return array.reshape(shape, order="F" if fortran else "C").copy()


def _metadata(path: str | PathLike[str], raw: np.ndarray) -> dict[str, Any]:
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ModelFileError(f"{path}: not a nudges model (no metadata)")
    meta = parse_json(raw.tobytes(), f"{path}: the metadata", ModelFileError)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a nudges model (format tag {FORMAT!r} missing)")
    version = meta.get("version")
    if type(version) is not int or not 1 <= version <= VERSION:
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
