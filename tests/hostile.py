"""Shared pieces of the regression catalogue of issue 10 (tests/test_hostile*.py): a trained
checkpoint to tamper with, ways to tamper with it, and running `nudges` for real."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nudges.cli import main

from .tiny_data import TINY, write_tiny_mnist

ROOT = Path(__file__).resolve().parent.parent


def npy(array: np.ndarray) -> bytes:
    """The .npy bytes of an array."""
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def members(path: Path) -> dict[str, bytes]:
    """Each zip member's bytes by name."""
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rewrite(path: Path, out: Path, metadata: bytes | None = None,
            method: int = zipfile.ZIP_STORED, **arrays: bytes) -> Path:
    """A copy of the model at `path` with its metadata's JSON text and/or members replaced
    (arrays: name -> .npy bytes)."""
    content = members(path)
    if metadata is not None:
        content["metadata.npy"] = npy(np.frombuffer(metadata, dtype=np.uint8))
    content |= {f"{name}.npy": data for name, data in arrays.items()}
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in content.items():
            zf.writestr(name, data)
    return out


def metadata_of(path: Path) -> dict[str, Any]:
    raw = np.load(io.BytesIO(members(path)["metadata.npy"]))
    return dict(json.loads(raw.tobytes()))


def with_metadata(path: Path, out: Path, change: Any) -> Path:
    """A copy whose metadata is change(metadata) (a function editing the dict in place)."""
    meta = metadata_of(path)
    change(meta)
    return rewrite(path, out, json.dumps(meta).encode())


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60,
            **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """`python -m nudges ARGS` in a real process."""
    return subprocess.run([sys.executable, "-m", "nudges", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})},
                          **kwargs)


def one_line(err: str, rc: int, code: int = 1) -> str:
    """The single `nudges: error:` line of a failed command, after checking its status."""
    lines = err.strip().splitlines()
    assert rc == code and len(lines) == 1 and lines[0].startswith("nudges: error: "), (rc, err)
    return lines[0]


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_mnist(tmp_path_factory.mktemp("tiny-mnist"))


@pytest.fixture(scope="session")
def checkpoint(tmp_path_factory: pytest.TempPathFactory, tiny_dir: Path) -> Path:
    """A checkpoint of one epoch on the tiny data (momentum: it has optimizer state)."""
    path = tmp_path_factory.mktemp("checkpoint") / "run.npz"
    assert main(["train", "--data", str(tiny_dir), *TINY, "--epochs", "1", "--momentum",
                 "0.5", "--eta", "0.5", "--save", str(path), "--quiet"]) == 0
    return path
