"""Pictures for `predict`: any size, mode, bit depth or alpha becomes the same MNIST row; what
is not a picture of a digit gets a one-line reason."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from nudges.core.errors import InvalidInput
from nudges.data.images import read_image, to_mnist

Image = pytest.importorskip("PIL.Image")


def ink(height: int = 60, width: int = 40) -> np.ndarray:
    """A '7'-ish stroke, 1 = ink, 0 = paper, at any size (drawn in relative coordinates)."""
    picture = np.zeros((height, width))
    picture[int(0.15 * height):int(0.25 * height), int(0.2 * width):int(0.8 * width)] = 1
    for r in range(int(0.25 * height), int(0.85 * height)):
        c = int(0.8 * width - (r - 0.25 * height) * 0.4 * width / (0.6 * height))
        picture[r, max(c - max(1, width // 12), 0):c + 1] = 1
    return picture


REFERENCE = to_mnist(ink())


def saved(tmp_path: Path, name: str, image: object, **options: object) -> Path:
    path = tmp_path / name
    image.save(path, **options)  # type: ignore[attr-defined]
    return path


def variants(tmp_path: Path) -> dict[str, Path]:
    """The same digit stored every way a user's file might store it."""
    a = ink()
    gray = (a * 255).astype(np.uint8)                              # white ink on black
    paper = 255 - gray                                             # black ink on white
    rgb = np.stack([paper, paper, paper], axis=-1)
    rgb[..., 2] = np.maximum(rgb[..., 2], 40)                      # bluish ink, still dark
    rgba = np.zeros((*a.shape, 4), np.uint8)
    rgba[..., 3] = gray                                            # black ink, clear paper
    return {
        "L white on black": saved(tmp_path, "l.png", Image.fromarray(gray)),
        "L black on white": saved(tmp_path, "paper.png", Image.fromarray(paper)),
        "RGB": saved(tmp_path, "rgb.png", Image.fromarray(rgb)),
        "RGBA, transparent paper": saved(tmp_path, "rgba.png", Image.fromarray(rgba)),
        "LA": saved(tmp_path, "la.png", Image.fromarray(paper).convert("LA")),
        "P (palette)": saved(tmp_path, "p.png", Image.fromarray(rgb).convert("P")),
        "1 (bilevel)": saved(tmp_path, "one.png", Image.fromarray(paper).convert("1")),
        "16-bit PNG": saved(tmp_path, "i16.png", Image.fromarray(paper.astype(np.uint16) * 257)),
        "32-bit TIFF": saved(tmp_path, "i32.tif", Image.fromarray(gray.astype(np.int32) * 99)),
        "float TIFF": saved(tmp_path, "f.tif", Image.fromarray(a.astype(np.float32))),
        "CMYK JPEG": saved(tmp_path, "cmyk.jpg", Image.fromarray(rgb).convert("CMYK"),
                           quality=95),
        "GIF": saved(tmp_path, "d.gif", Image.fromarray(gray)),
        "BMP": saved(tmp_path, "d.bmp", Image.fromarray(rgb)),
        "8x the size": saved(tmp_path, "big.png", Image.fromarray(paper).resize((320, 480))),
        "half the size": saved(tmp_path, "small.png", Image.fromarray(paper).resize((20, 30))),
    }


CASES = ["L white on black", "L black on white", "RGB", "RGBA, transparent paper", "LA",
         "P (palette)", "1 (bilevel)", "16-bit PNG", "32-bit TIFF", "float TIFF", "CMYK JPEG",
         "GIF", "BMP", "8x the size", "half the size"]


@pytest.mark.parametrize("case", CASES)
def test_any_mode_and_size_gives_the_same_digit(case: str, tmp_path: Path) -> None:
    row = read_image(variants(tmp_path)[case])
    assert row.shape == (784,) and row.dtype == np.float32
    assert 0 <= row.min() and row.max() == pytest.approx(1, abs=0.02)
    resampled = "size" in case                       # the other variants hold the same pixels
    assert np.abs(row - REFERENCE).mean() < (0.08 if resampled else 0.01), case
    centre = np.argwhere(row.reshape(28, 28) > 0.1).mean(axis=0)
    assert np.allclose(centre, 13.5, atol=2.5)


def test_a_huge_picture_is_shrunk_not_refused(tmp_path: Path) -> None:
    paper = 255 - (ink(3000, 2000) * 255).astype(np.uint8)
    path = saved(tmp_path, "huge.png", Image.fromarray(paper))
    assert np.abs(read_image(path) - REFERENCE).mean() < 0.08


def png_with_size(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "none.png", "no such image file"),
    (lambda d: d, "no such image file"),
    (lambda d: written(d / "e.png", b""), "the file is empty"),
    (lambda d: written(d / "t.png", b"a digit, honest"), "not an image Pillow can read"),
    (lambda d: written(d / "w0.png", png_with_size(0, 5)), "not an image Pillow can read"),
    (lambda d: written(d / "cut.png", png_with_size(50, 50)), "not an image Pillow can read"),
    (lambda d: saved(d, "blank.png", Image.new("L", (30, 30), 255)), "blank: no ink found"),
    (lambda d: saved(d, "gray.png", Image.new("RGB", (30, 30), (128, 128, 128))), "blank"),
    (lambda d: saved(d, "clear.png", Image.new("RGBA", (9, 9), (0, 0, 0, 0))), "blank"),
    (lambda d: saved(d, "nan.tif", Image.fromarray(np.full((5, 5), np.nan, np.float32))),
     "NaN or inf"),
])
def test_what_is_not_a_digit_is_refused(make, message: str, tmp_path: Path) -> None:
    path = make(tmp_path)
    with pytest.raises(InvalidInput, match=message) as info:
        read_image(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_a_decompression_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         ) -> None:
    path = saved(tmp_path, "bomb.png", Image.fromarray((255 - ink() * 255).astype(np.uint8)))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1500)            # 2,400 pixels: > limit
    with pytest.raises(InvalidInput, match="40x60 pixels is too large"):
        read_image(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)            # > 2x: Pillow refuses
    with pytest.raises(InvalidInput, match="too large"):
        read_image(path)


def test_to_mnist_checks_its_array() -> None:
    for bad, message in ((np.zeros(5), "2-D"), (np.zeros((0, 4)), "2-D"),
                         (np.full((3, 3), np.inf), "NaN or inf")):
        with pytest.raises(InvalidInput, match=message):
            to_mnist(bad)
