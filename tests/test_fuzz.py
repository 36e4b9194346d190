"""Properties on arbitrary input: the loaders, the checks and the image reader either give
valid results or raise the library's error: never another exception, a warning, a hang, or an
allocation that a lying header asked for. (read_idx's own fuzzing is in test_data.py.)"""

from __future__ import annotations

import io
import json
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays, scalar_dtypes

from nudges import Network
from nudges.core.checks import as_batch, as_targets
from nudges.core.errors import DataError, InvalidInput, ModelFileError
from nudges.data.idx import load_idx_pair
from nudges.files.models import load, load_saved, save

from .tiny_data import idx_bytes

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def valid_model_bytes() -> bytes:
    buffer = io.BytesIO()
    net = Network([6, 4, 3], activation="relu", output="softmax", cost="cross-entropy", seed=0)
    content = {"w0": net.weights[0], "w1": net.weights[1], "b0": net.biases[0],
               "b1": net.biases[1], "metadata": np.frombuffer(json.dumps(
                   {"format": "nudges-model", "version": 1, "network": net.config}).encode(),
                   np.uint8)}
    np.savez(buffer, **content)
    return buffer.getvalue()


VALID = valid_model_bytes()


def load_or_refuse(path: Path, data: bytes) -> None:
    """Load `data` as a model file: a valid network, or ModelFileError; nothing else."""
    path.write_bytes(data)
    try:
        net = load(path)
    except ModelFileError:
        return
    assert all(np.isfinite(p).all() for p in net.weights + net.biases)
    for l, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        assert w.shape == (net.sizes[l + 1], net.sizes[l]) and b.shape == (net.sizes[l + 1],)
        assert w.dtype == b.dtype == net.dtype


@FUZZ
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes_as_a_model(tmp_path: Path, data: bytes) -> None:
    load_or_refuse(tmp_path / "fuzz.npz", data)


@FUZZ
@given(position=st.integers(0, len(VALID) - 1), value=st.integers(1, 255))
def test_a_valid_model_with_a_flipped_byte(tmp_path: Path, position: int, value: int) -> None:
    data = bytearray(VALID)
    data[position] ^= value
    load_or_refuse(tmp_path / "flip.npz", bytes(data))


@FUZZ
@given(cut=st.integers(0, len(VALID) - 1))
def test_a_truncated_valid_model(tmp_path: Path, cut: int) -> None:
    with pytest.raises(ModelFileError):
        load_or_refuse(tmp_path / "cut.npz", VALID[:cut])
        load(tmp_path / "cut.npz")                       # ... it must not load, either


@FUZZ
@given(position=st.integers(0, len(VALID)), extra=st.binary(min_size=1, max_size=64))
def test_a_valid_model_with_inserted_bytes(tmp_path: Path, position: int, extra: bytes) -> None:
    load_or_refuse(tmp_path / "insert.npz", VALID[:position] + extra + VALID[position:])


def npy_claiming(shape: tuple[int, ...], payload: bytes = b"\0" * 16) -> bytes:
    """A .npy v1.0 file of uint8 whose header claims `shape`, followed by `payload`."""
    header = repr({"descr": "|u1", "fortran_order": False, "shape": shape}).encode()
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + payload


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in members.items():   # dated 1980: the same bytes (and test ids) each run
            zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, method)
    return buffer.getvalue()


def lie_about_size(data: bytes, size: int) -> bytes:
    """The zip with every entry's uncompressed size replaced (local and central headers)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = out.find(signature)
        while start != -1:
            out[start + offset:start + offset + 4] = struct.pack("<I", size)
            start = out.find(signature, start + 4)
    return bytes(out)


@pytest.mark.parametrize(("data", "message"), [
    (zip_of({"metadata.npy": npy_claiming((10**12,))}), "claims shape"),
    (zip_of({"w0.npy": npy_claiming((2**31, 2**31))}), "no metadata"),   # metadata read first
    (zip_of({"w0.npy": npy_claiming((-1, 5))}), "no metadata"),
    (lie_about_size(zip_of({"metadata.npy": npy_claiming((16,))}), 2**32 - 1), "claims"),
    (lie_about_size(zip_of({"metadata.npy": npy_claiming((16,))}, zipfile.ZIP_DEFLATED),
                    2**32 - 1), "claims"),
    (zip_of({"metadata.npy": b"\x93NUMPY\x03\x00" + b"\0" * 60}), "format|npy"),
    (zip_of({"metadata.npy": b"\x93NUMPY\x01\x00\xff\xff" + b"{" * 200}), "readable"),
    (zip_of({"metadata.npy": npy_claiming((4,)).replace(b"|u1", b"<U1")}), "numbers only"),
    (zip_of({"metadata.npy": npy_claiming((16,))}, zipfile.ZIP_BZIP2), "compression method"),
])
def test_lying_headers_fail_fast_without_allocating(tmp_path: Path, data: bytes,
                                                    message: str) -> None:
    (tmp_path / "liar.npz").write_bytes(data)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(ModelFileError, match=message):
        load(tmp_path / "liar.npz")
    elapsed, (_, peak) = time.perf_counter() - start, tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0 and peak < 4 * 2**20


def test_overlapping_entries_are_refused(tmp_path: Path) -> None:
    """Two directory entries pointing at one stored member: more bytes claimed than held."""
    data = bytearray(zip_of({"w0.npy": npy_claiming((16,)), "b0.npy": npy_claiming((16,))}))
    second = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    data[second + 42:second + 46] = b"\0\0\0\0"                # b0's local header = w0's
    (tmp_path / "overlap.npz").write_bytes(bytes(data))
    with pytest.raises(ModelFileError):
        load(tmp_path / "overlap.npz")


# --- a save/load round trip over random networks ------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False, width=32)
networks = st.fixed_dictionaries({
    "sizes": st.lists(st.integers(1, 9), min_size=2, max_size=4),
    "hidden": st.sampled_from(["sigmoid", "relu", "tanh"]),
    "head": st.sampled_from([("sigmoid", "quadratic"), ("sigmoid", "cross-entropy"),
                             ("softmax", "cross-entropy")]),
    "dtype": st.sampled_from(["float32", "float64"]),
    "seed": st.integers(0, 2**63),
    "fill": st.one_of(st.none(), finite),
})


@FUZZ
@given(spec=networks, extra=arrays(scalar_dtypes().filter(lambda d: d.kind in "biuf"),
                                   array_shapes(min_dims=0, max_dims=3, max_side=4)),
       note=st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5),
                            max_size=3))
def test_save_load_round_trip(tmp_path: Path, spec: dict, extra: np.ndarray, note: dict) -> None:
    output, cost = spec["head"]
    net = Network(spec["sizes"], activation=spec["hidden"], output=output, cost=cost,
                  dtype=spec["dtype"], seed=spec["seed"])
    if spec["fill"] is not None:                       # extremes: ±0, subnormals, ±3.4e38
        net.weights[0][...] = spec["fill"]
    save(net, tmp_path / "net.npz", arrays={"extra": extra}, note=note)
    saved = load_saved(tmp_path / "net.npz")
    assert saved.network.config == net.config and saved.metadata["note"] == note
    for p, q in zip(net.weights + net.biases, saved.network.weights + saved.network.biases,
                    strict=True):
        assert p.dtype == q.dtype and p.shape == q.shape and p.tobytes() == q.tobytes()
    assert saved.arrays["extra"].dtype == extra.dtype
    assert saved.arrays["extra"].tobytes() == extra.tobytes()
    saved.network.weights[0] += 0                     # loaded arrays are writable


# --- the checks at the entry points -------------------------------------------------------

anything = arrays(scalar_dtypes(), array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                max_side=5))


@settings(max_examples=300, deadline=None)
@given(x=anything)
def test_as_batch_takes_numbers_or_says_why(x: np.ndarray) -> None:
    try:
        batch = as_batch(x, 5, np.dtype(np.float32))
    except InvalidInput:
        return
    assert batch.dtype == np.float32 and batch.ndim == 2 and batch.shape[1] == 5
    assert len(batch) >= 1 and np.isfinite(batch).all() and batch.flags.c_contiguous


@settings(max_examples=300, deadline=None)
@given(y=anything | st.lists(st.integers(-3, 12), max_size=5) | st.integers(-2, 12),
       n=st.integers(1, 5))
def test_as_targets_takes_labels_or_one_hot_or_says_why(y: object, n: int) -> None:
    try:
        targets, labels = as_targets(y, 4, n, np.dtype(np.float64))
    except InvalidInput:
        return
    assert targets.shape == (n, 4) and labels.shape == (n,)
    assert ((labels >= 0) & (labels < 4)).all()
    np.testing.assert_array_equal(targets.argmax(axis=1), labels)
    np.testing.assert_array_equal(targets.sum(axis=1), 1)


# --- IDX pairs and images -----------------------------------------------------------------

idx_blobs = st.binary(max_size=120) | st.builds(
    lambda code, dims, rest: bytes([0, 0, code, len(dims)])
    + b"".join(d.to_bytes(4, "big") for d in dims) + rest,
    st.sampled_from([0x08, 0x09, 0x0D]), st.lists(st.integers(1, 4), max_size=4),
    st.binary(max_size=120))


@FUZZ
@given(images=idx_blobs, labels=idx_blobs | st.lists(st.integers(0, 12), max_size=8).map(
    lambda v: idx_bytes(np.array(v, np.uint8))))
def test_load_idx_pair_gives_digits_or_data_error(tmp_path: Path, images: bytes,
                                                  labels: bytes) -> None:
    (tmp_path / "images").write_bytes(images)
    (tmp_path / "labels").write_bytes(labels)
    try:
        x, y = load_idx_pair(tmp_path / "images", tmp_path / "labels")
    except DataError:
        return
    assert len(x) == len(y) and x.dtype == np.float32 and ((0 <= x) & (x <= 1)).all()
    assert y.dtype == np.int64 and ((0 <= y) & (y <= 9)).all()


def image_bytes(fmt: str) -> bytes:
    from PIL import Image
    pixels = np.zeros((12, 10), np.uint8)
    pixels[2:10, 4:6] = 255
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt)
    return buffer.getvalue()


@FUZZ
@given(fmt=st.sampled_from(["PNG", "BMP", "GIF", "TIFF", "JPEG"]), data=st.data())
def test_a_damaged_image_reads_or_is_refused(tmp_path: Path, fmt: str,
                                             data: st.DataObject) -> None:
    from nudges.data.images import read_image
    raw = bytearray(image_bytes(fmt))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(raw)))
    (tmp_path / "digit").write_bytes(bytes(raw[:cut]))
    try:
        row = read_image(tmp_path / "digit")
    except InvalidInput:
        return
    assert row.shape == (784,) and row.dtype == np.float32 and np.isfinite(row).all()
