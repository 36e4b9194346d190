"""Turning any picture of a digit into an MNIST input: 28x28, white ink on black, centred.

MNIST's recipe: fit the digit's bounding box into 20x20 keeping its aspect ratio, anti-aliased,
then place it in a 28x28 field so that its centre of mass is at the centre. Pillow (the
`images` extra) does the reading and resampling.
"""

from __future__ import annotations

import struct
import warnings
import zlib
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import InvalidInput

SIDE, BOX = 28, 20
MAX_SIDE = 1024          # bigger pictures are shrunk before anything else: a digit needs no more
MAX_PIXELS = 89_478_485  # Pillow's own decompression-bomb limit, if it has none set
UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, IndexError,
              KeyError, TypeError, ZeroDivisionError, MemoryError)  # Pillow on corrupt files


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise InvalidInput("reading images needs Pillow: pip install 'nudges[images]'") from None
    return Image


def read_image(path: str | PathLike[str]) -> np.ndarray:
    """The image at `path` as an MNIST input row (784,) float32 in [0, 1].

    Any size (shrunk to at most MAX_SIDE pixels a side first), mode, bit depth or alpha.
    """
    gray = read_grayscale(path)
    try:
        return to_mnist(gray)
    except InvalidInput as e:
        raise InvalidInput(f"{path}: {e}") from None


def read_grayscale(path: str | PathLike[str]) -> np.ndarray:
    """The image at `path` as a 2-D grayscale array (h, w) in [0, 1], 1 = white paper.

    Any size (shrunk to at most MAX_SIDE pixels a side first), mode, bit depth or alpha.
    """
    image_module = _pil()
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such image file")
    if path.stat().st_size == 0:
        raise InvalidInput(f"{path}: the file is empty (0 bytes); expected an image")
    try:
        with warnings.catch_warnings():          # Pillow warns of damaged metadata and big
            warnings.simplefilter("ignore")      # images: judged by what it reads, and _shrunk
            with image_module.open(path) as im:
                return _grayscale(_shrunk(im, image_module))
    except InvalidInput as e:
        raise InvalidInput(f"{path}: {e}") from None
    except image_module.DecompressionBombError as e:
        raise InvalidInput(f"{path}: too large to be a picture of a digit ({e})") from None
    except UNREADABLE as e:
        raise InvalidInput(f"{path}: not an image Pillow can read ({e})") from None


def _shrunk(im: Any, image_module: Any) -> Any:
    """im loaded, shrunk to fit MAX_SIDE x MAX_SIDE; InvalidInput if empty or too large."""
    if im.width == 0 or im.height == 0:
        raise InvalidInput("the image is empty (0 pixels)")
    limit = image_module.MAX_IMAGE_PIXELS or MAX_PIXELS
    if im.width * im.height > limit:
        raise InvalidInput(f"{im.width}x{im.height} pixels is too large (more than "
                           f"{limit:,}); shrink the picture first")
    im.thumbnail((MAX_SIDE, MAX_SIDE), image_module.Resampling.BOX)   # no-op when small
    im.load()
    return im


def _grayscale(im: Any) -> np.ndarray:
    """Luminance in [0, 1] for any mode: alpha composited onto white, 16-bit scaled down."""
    if im.width == 0 or im.height == 0:
        raise InvalidInput("the image is empty (0 pixels)")
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        a = np.asarray(im if im.mode in ("I", "F") else im.convert("F"), dtype=np.float64)
        if not np.isfinite(a).all():
            raise InvalidInput("the image contains NaN or inf")
        return a / 65535 if im.mode.startswith("I;16") else a / max(a.max(), 1.0)
    rgba = np.asarray(im.convert("RGBA"), dtype=np.float64) / 255       # (h, w, 4)
    luminance = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
    alpha = rgba[..., 3]
    return np.asarray(luminance * alpha + (1 - alpha))                   # over white


def to_mnist(gray: np.ndarray) -> np.ndarray:
    """A 2-D grayscale picture in [0, 1] as a 784-row in MNIST's form.

    Dark ink on a light background is inverted first (judged by the border's brightness).
    """
    gray = np.asarray(gray, dtype=np.float64)
    if gray.ndim != 2 or gray.size == 0:
        raise InvalidInput(f"expected a 2-D grayscale image, got shape {gray.shape}")
    if not np.isfinite(gray).all():
        raise InvalidInput("the image contains NaN or inf")
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    ink = 1 - gray if border.mean() > 0.5 else gray
    ink = ink - ink.min() if ink.min() > 0.05 else ink
    if ink.max() < 0.05:
        raise InvalidInput("the image is blank: no ink found")
    return centre(_fit_box(ink / ink.max())).reshape(-1).astype(np.float32)


def _fit_box(ink: np.ndarray) -> np.ndarray:
    """The ink's bounding box scaled (anti-aliased) so its longer side is 20 pixels."""
    rows, cols = np.nonzero(ink > 0.05)
    crop = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    image_module = _pil()
    im = image_module.fromarray((crop * 255).astype(np.uint8))
    return np.asarray(im.resize(size, image_module.Resampling.LANCZOS), dtype=np.float64) / 255


def centre(digit: np.ndarray) -> np.ndarray:
    """digit placed in a 28x28 field with its centre of mass at the field's centre."""
    h, w = digit.shape
    mass = digit.sum()
    cy = (digit.sum(axis=1) @ np.arange(h)) / mass
    cx = (digit.sum(axis=0) @ np.arange(w)) / mass
    top = int(np.clip(round(SIDE / 2 - 0.5 - cy), 0, SIDE - h))
    left = int(np.clip(round(SIDE / 2 - 0.5 - cx), 0, SIDE - w))
    field = np.zeros((SIDE, SIDE))
    field[top:top + h, left:left + w] = digit
    return np.clip(field, 0, 1)
