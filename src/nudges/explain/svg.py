"""Small SVG and PNG pieces for the notebook display (nudges.explain.display): no matplotlib, no
Pillow.

Colours work on light and dark notebook themes: text is `currentColor`, marks are mid-tones
(blue for positive or up, red for negative or down, as on the web page).
"""

from __future__ import annotations

import base64
import html
import struct
import zlib
from collections.abc import Sequence

import numpy as np

POS, NEG, HI, DIM = "#3d8fe0", "#e5533f", "#d99a00", "#8a94a6"
FONT = "font-family:system-ui,sans-serif;font-size:11px"


def esc(value: object) -> str:
    """Text made safe for HTML and SVG."""
    return html.escape(str(value), quote=True)


def svg(width: float, height: float, body: str, label: str) -> str:
    """An inline <svg> of width x height user units, with an accessible label."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
            f'width="{width:g}" height="{height:g}" role="img" aria-label="{esc(label)}" '
            f'style="{FONT};max-width:100%;height:auto">{body}</svg>')


def text(x: float, y: float, content: object, anchor: str = "start", fill: str = "currentColor",
         extra: str = "") -> str:
    """A line of text at (x, y)."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f'{esc(content)}</text>')


def line(x1: float, y1: float, x2: float, y2: float, colour: str, width: float = 1.0,
         opacity: float = 1.0) -> str:
    """A straight line."""
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="{width:.2f}" stroke-opacity="{opacity:.3f}"/>')


def rect(x: float, y: float, width: float, height: float, fill: str, title: str = "") -> str:
    """A filled rectangle, with a tooltip if `title` is given (negative sizes flip it)."""
    x, width = (x + width, -width) if width < 0 else (x, width)
    y, height = (y + height, -height) if height < 0 else (y, height)
    tip = f"<title>{esc(title)}</title>" if title else ""
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'fill="{fill}">{tip}</rect>')


def image(x: float, y: float, size: float, url: str) -> str:
    """A picture (a data: URL) drawn size x size, its pixels kept sharp."""
    return (f'<image href="{url}" x="{x:.1f}" y="{y:.1f}" width="{size:.1f}" height="{size:.1f}" '
            f'style="image-rendering:pixelated"/>')


def png(rgb: np.ndarray) -> str:
    """An (h, w, 3) uint8 picture as a data:image/png URL (zlib and struct only)."""
    h, w, _ = rgb.shape
    rows = b"".join(b"\x00" + rgb[r].astype(np.uint8).tobytes() for r in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)       # 8-bit RGB
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def gray_png(pixels: np.ndarray, side: int) -> str:
    """Values in [0, 1] (side * side,) as a grayscale picture, white ink on black."""
    g = np.clip(np.asarray(pixels, dtype=np.float64).reshape(side, side), 0, 1)
    return png(np.repeat((255 * g).round()[:, :, None], 3, axis=2).astype(np.uint8))


def heat_png(values: np.ndarray, side: int) -> str:
    """Signed values (side * side,) as blue (positive) and red (negative), as the page draws
    them: brightness √(|v| / max|v|)."""
    v = np.asarray(values, dtype=np.float64).reshape(side, side)
    t = np.sqrt(np.abs(v) / max(float(np.abs(v).max()), 1e-300))[:, :, None]
    colour = np.where(v[:, :, None] >= 0, [74, 163, 255], [255, 90, 78])
    return png((12 + (colour - 12) * t).round().astype(np.uint8))


def square_side(n: int) -> int | None:
    """The side of an n-pixel square picture (n >= 64), or None if n is not one."""
    side = int(round(np.sqrt(n)))
    return side if side * side == n and n >= 64 else None


def chart(series: Sequence[tuple[Sequence[float], Sequence[float], str, str]], title: str,
          width: float = 300, height: float = 150, y_range: tuple[float, float] | None = None
          ) -> str:
    """Curves (xs, ys, colour, name) in one frame, with the y range and x range labelled."""
    xs = [x for s in series for x in s[0]]
    ys = [y for s in series for y in s[1] if np.isfinite(y)]
    if not xs or not ys:
        return ""
    lo, hi = y_range or (min(ys), max(ys))
    hi = hi if hi > lo else lo + 1
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    left, right, top, bottom = 44, width - 8, 18, height - 20

    def at(x: float, y: float) -> str:
        return (f"{left + (right - left) * (x - x0) / (x1 - x0):.1f},"
                f"{bottom - (bottom - top) * (y - lo) / (hi - lo):.1f}")

    body = text(4, 11, title) + line(left, bottom, right, bottom, DIM) + line(
        left, top, left, bottom, DIM)
    body += text(left - 4, top + 4, f"{hi:.3g}", "end") + text(left - 4, bottom, f"{lo:.3g}", "end")
    body += text(left, height - 6, f"{x0:g}") + text(right, height - 6, f"{x1:g}", "end")
    for s_xs, s_ys, colour, name in series:
        points = " ".join(at(x, y) for x, y in zip(s_xs, s_ys) if np.isfinite(y))
        body += (f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2">'
                 f"<title>{esc(name)}</title></polyline>")
    for i, (*_, colour, name) in enumerate(series[::-1] if len(series) > 1 else ()):
        body += text(right - 70 * i, 11, name, "end", colour)
    return svg(width, height, body, title)


def bars(values: Sequence[float], labels: Sequence[object], title: str, width: float = 300,
         height: float = 120, highlight: int | None = None, tips: Sequence[str] = ()) -> str:
    """Signed bars about a middle line: blue up for positive values, red down for negative."""
    top_value = max(max((abs(v) for v in values), default=0.0), 1e-300)
    n, mid, half = len(values), (height - 18) / 2 + 14, (height - 34) / 2
    step = (width - 8) / max(n, 1)
    body = text(4, 11, title) + line(4, mid, width - 4, mid, DIM)
    for i, v in enumerate(values):
        x = 4 + i * step
        colour = HI if i == highlight else POS if v >= 0 else NEG
        body += rect(x + step * 0.15, mid, step * 0.7, -half * v / top_value, colour,
                     tips[i] if tips else f"{labels[i]}: {v:+.4g}")
        body += text(x + step / 2, height - 2, labels[i], "middle") if n <= 16 else ""
    return svg(width, height, body, title)
