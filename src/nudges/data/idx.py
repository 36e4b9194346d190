"""IDX files (the MNIST format): the header, bounded reads, image/label pairs.

Imports only NumPy. Every read is capped by what the header claims, so a lying header fails
without allocating what it claims.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import zlib
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ..core.errors import DataError, DataNotFound

StrPath: TypeAlias = "str | os.PathLike[str]"
Split: TypeAlias = "tuple[NDArray[np.float32], NDArray[np.int64]]"

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20  # read 1 MiB at a time, so a lying header cannot cause a big allocation
IDX_TYPES: dict[int, tuple[str, str]] = {  # type code -> (big-endian dtype, IDX name)
    0x08: (">u1", "unsigned byte"), 0x09: (">i1", "signed byte"), 0x0B: (">i2", "short"),
    0x0C: (">i4", "int"), 0x0D: (">f4", "float"), 0x0E: (">f8", "double"),
}


def read_idx(path: StrPath) -> NDArray[Any]:
    """The array in an IDX file: magic 00 00 TT DD, then DD big-endian uint32 dims, then data.

    TT is the type code (IDX_TYPES), DD the number of dims (1-4). Gzip is detected by the
    first two bytes (1f 8b), not the suffix. Returns shape dims in native byte order. A header
    that claims more than the file holds fails without allocating what it claims: a raw file's
    size is known, and a gzip stream whose trailer (its size mod 2^32) disagrees with the claim
    is decompressed and dropped chunk by chunk up to the claim + 1 bytes, to count what it
    holds. Otherwise the data are read once.
    """
    path, gz = Path(path), False
    try:
        gz = _is_gzip(path)
        with gzip.open(path, "rb") if gz else open(path, "rb") as stream:
            dtype, dims = _read_header(stream, path.name)
            need, start = math.prod(dims) * dtype.itemsize, 4 + 4 * len(dims)
            held = _held(stream, path, gz, start, need)
            if held == need:                     # only then allocate: what is really there
                stream.seek(start)
                data = _read_capped(stream, need + 1)
                held = len(data)
    except (OSError, EOFError, zlib.error) as e:
        what = "starts like gzip (1f 8b) but is not a valid gzip stream" if gz else "unreadable"
        raise DataError(f"{path.name}: {what} ({type(e).__name__}: {e}); "
                        f"expected an IDX file, raw or gzip-compressed") from e
    claim = f"{path.name}: the header's shape {dims} of {dtype.name} needs {need:,} data bytes"
    if held != need:
        more = " (truncated)" if held < need else " or more (trailing bytes)"
        raise DataError(f"{claim}, but the file holds {held:,}{more}")
    return np.frombuffer(data, dtype).reshape(dims).astype(dtype.newbyteorder("="))


def _is_gzip(path: Path) -> bool:
    """Whether path, which must be a non-empty file, starts with the gzip magic bytes 1f 8b."""
    if not path.is_file():
        error, what = (DataError, "not a file") if path.exists() else (DataNotFound, "no such file")
        raise error(f"{path}: {what}; expected an IDX file")
    with open(path, "rb") as f:
        head = f.read(2)
    if not head:
        raise DataError(f"{path.name}: file is empty; expected an IDX header and data")
    return head == GZIP_MAGIC


def _held(stream: io.BufferedIOBase, path: Path, gz: bool, start: int, need: int) -> int:
    """How many data bytes the file holds (at most need + 1), keeping none of them; a gzip
    file whose trailer agrees with the claim is taken at its word (the one read checks it)."""
    if not gz:
        return min(path.stat().st_size - start, need + 1)
    if _gzip_size(path) == (start + need) % 2**32:
        return need
    return _count(stream, need + 1)


def _gzip_size(path: Path) -> int:
    """What a gzip file's trailer says its content's size is, mod 2^32."""
    with open(path, "rb") as f:
        f.seek(-4, 2)
        return int.from_bytes(f.read(4), "little")


def _count(stream: io.BufferedIOBase, cap: int) -> int:
    """How many bytes remain in the stream, counting at most cap, keeping none of them (so a
    gzip file that claims more than it holds fails without allocating its claim)."""
    size = 0
    while size < cap:
        chunk = stream.read(min(cap - size, CHUNK))
        if not chunk:
            break
        size += len(chunk)
    return size


def _read_capped(stream: io.BufferedIOBase, cap: int) -> bytes:
    """At most cap bytes, fewer if the stream ends first; never allocates more than it reads."""
    chunks: list[bytes] = []
    size = 0
    while size < cap:
        chunk = stream.read(min(cap - size, CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _read_header(stream: io.BufferedIOBase, name: str) -> tuple[np.dtype[Any], tuple[int, ...]]:
    """(dtype, dims) from the 4-byte magic number and the 4-byte big-endian dims after it."""
    head = _read_capped(stream, 4)
    if len(head) < 4:
        raise DataError(f"{name}: holds only {len(head)} bytes, expected a 4-byte IDX magic number")
    magic, code, ndim = int.from_bytes(head, "big"), head[2], head[3]
    if head[:2] != b"\0\0":
        raise DataError(f"{name}: bad magic number 0x{magic:08X}, expected 0x0000TTDD "
                        f"(type code TT, DD dims; e.g. 0x00000803: unsigned byte, 3 dims)")
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X} ({n})" for c, (_, n) in IDX_TYPES.items())
        raise DataError(f"{name}: unknown type code 0x{code:02X} in magic number "
                        f"0x{magic:08X}, expected one of {known}")
    if not 1 <= ndim <= 4:
        raise DataError(f"{name}: magic number 0x{magic:08X} claims {ndim} dims, expected 1 to 4")
    raw = _read_capped(stream, 4 * ndim)
    if len(raw) < 4 * ndim:
        raise DataError(f"{name}: header ends after {4 + len(raw)} bytes, "
                        f"expected {4 + 4 * ndim} for {ndim} dims")
    dims = tuple(int.from_bytes(raw[i:i + 4], "big") for i in range(0, 4 * ndim, 4))
    if 0 in dims:
        raise DataError(f"{name}: header claims shape {dims}, expected every dimension >= 1")
    return np.dtype(IDX_TYPES[code][0]), dims


def load_idx_pair(images_path: StrPath, labels_path: StrPath) -> Split:
    """(X, y) from IDX images (n, rows, cols) and labels (n,), both unsigned bytes.

    X: float32 (n, rows*cols) = pixel / 255 in [0, 1]. y: int64 (n,), digits 0 to 9.
    """
    images, labels = read_idx(images_path), read_idx(labels_path)
    names = Path(images_path).name, Path(labels_path).name
    for name, array, ndim in zip(names, (images, labels), (3, 1), strict=True):
        if array.dtype != np.uint8 or array.ndim != ndim:
            raise DataError(f"{name}: holds {array.dtype.name} with {array.ndim} dims, "
                            f"expected 0x{0x0800 + ndim:08X} (unsigned byte, {ndim} dims)")
    if len(images) != len(labels):
        raise DataError(f"{names[0]} holds {len(images):,} images but {names[1]} holds "
                        f"{len(labels):,} labels; expected one label per image")
    bad = np.flatnonzero(labels > 9)
    if bad.size:
        raise DataError(f"{names[1]}: label {labels[bad[0]]} at index {bad[0]}, expected 0 to 9")
    x = images.reshape(len(images), -1).astype(np.float32) / np.float32(255)  # (n, rows*cols)
    return x, labels.astype(np.int64)
