"""Image folders: one sub-folder per class (digits/0/*.png, cats/*.jpg), any size or colour.

Each picture becomes a greyscale row: fitted and centred the MNIST way (nudges.data.images) for
sets of written characters, or plainly resized to image_size x image_size. Folders named
train/ and test/, each with the class sub-folders, are kept as given.
The converted rows are kept as bytes in a cache file, keyed by every file's name, size and
time and the conversion, so a second run starts at once; memory stays at one byte a pixel.
(The validation part is drawn from train/, seeded and stratified.)
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ...core.errors import DataError, InvalidInput, shown
from ..images import read_grayscale, to_mnist
from ..mnist import cache_dir
from .splits import Examples

Progress = Callable[[int, int], None]
PARTS = {"train": 0, "test": 2}   # a given split's folder -> its part


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _class_folders(root: Path) -> dict[str, dict[str, Path]]:
    """{part: {class name: folder}}: the given train and test parts, else one "all"."""
    folders = [p for p in _visible(root) if p.is_dir()]
    if not folders:
        raise DataError(f"{root} lacks train-images-idx3-ubyte(.gz) and the other MNIST "
                        "files, and holds no class sub-folders of images (digits/0/*.png, "
                        "digits/1/*.png, ...); expected one or the other")
    names = {p.name for p in folders}
    if names == set(PARTS):
        return {p.name: {c.name: c for c in _visible(p) if c.is_dir()} for p in folders}
    return {"all": {p.name: p for p in folders}}


def _sorted_classes(names: set[str]) -> tuple[str, ...]:
    """Class names in numeric order when they are all numbers, else alphabetical."""
    numeric = all(n.isdigit() for n in names)
    return tuple(sorted(names, key=lambda n: (int(n), n) if numeric else (0, n)))


def list_files(root: Path) -> tuple[list[tuple[Path, int, int]], tuple[str, ...]]:
    """[(file, class index, part index)] and the class names; a class with no files fails."""
    parts = _class_folders(root)
    classes = _sorted_classes({c for part in parts.values() for c in part})
    if len(classes) < 2:
        raise DataError(f"{root}: only one class folder ({', '.join(classes)}); expected at "
                        "least two classes to tell apart")
    files = []
    for part, folders in parts.items():
        for name, folder in folders.items():
            _check_readable(folder)
            found = [p for p in sorted(folder.rglob("*")) if p.is_file()
                     and not any(s.startswith(".") for s in p.relative_to(folder).parts)]
            if not found:
                raise DataError(f"{folder}: class folder {name!r} has no images")
            where = PARTS.get(part, -1)
            files += [(p, classes.index(name), where) for p in found]
    return files, classes


def conversion(classes: tuple[str, ...], image_size: int | None) -> tuple[str, int]:
    """(fit, side): 'mnist' at 28 for written characters (one-letter class names) unless
    image_size is given, else 'resize' to image_size (default 28)."""
    if image_size is not None and not 1 <= image_size <= 256:
        raise InvalidInput(f"--image-size must be from 1 to 256 pixels, got {image_size}")
    if image_size is None and all(len(c) == 1 for c in classes):
        return "mnist", 28
    return "resize", image_size or 28


def picture_row(path: str | Path, fit: str, side: int) -> np.ndarray:
    """The picture at `path` as a network input (side*side,) float32 in [0, 1], on the same
    byte grid as a converted folder (so a prediction sees what training saw)."""
    gray = read_grayscale(path)
    try:
        row = to_mnist(gray) if fit == "mnist" else resized(gray, side)
    except InvalidInput as e:
        raise InvalidInput(f"{path}: {e}") from None
    return np.round(row * 255).astype(np.float32) / np.float32(255)


def resized(gray: np.ndarray, side: int) -> np.ndarray:
    """gray (h, w) in [0, 1] resized (Lanczos, anti-aliased) to (side*side,) float32 in [0, 1].

    The plain resize ("fit": "resize" in a recipe) that made a folder's pictures, or a set such
    as Fashion-MNIST's; the page resizes a drawing with it for such data.
    """
    from PIL import Image
    im = Image.fromarray(np.round(gray * 255).astype(np.uint8))
    return np.asarray(im.resize((side, side), Image.Resampling.LANCZOS),
                      dtype=np.float32).reshape(-1) / 255


def _check_readable(folder: Path) -> None:
    """DataError if a class folder cannot be listed (rather than "has no images")."""
    try:
        os.listdir(folder)
    except OSError as e:
        raise DataError(f"{shown(folder)}: cannot read this class folder "
                        f"({e.strerror or e})") from None


def _cache_path(root: Path, files: list[tuple[Path, int, int]], fit: str, side: int) -> Path:
    """Where the converted rows are kept: named by a hash of every file and the conversion."""
    h = hashlib.sha256(json.dumps([str(root.resolve()), fit, side]).encode())
    for path, label, part in files:
        info = path.stat()
        h.update(f"{path.relative_to(root)}|{info.st_size}|{info.st_mtime_ns}|{label}|{part}\n"
                 .encode("utf-8", "surrogateescape"))        # names need not be UTF-8
    return cache_dir().parent / "datasets" / f"{root.resolve().name}-{h.hexdigest()[:20]}.npz"


def _convert(files: list[tuple[Path, int, int]], fit: str, side: int, skip_bad: bool,
             progress: Progress | None) -> dict[str, np.ndarray]:
    """Rows (n, side*side) uint8, labels, parts, and the names of files skipped as bad."""
    x = np.empty((len(files), side * side), np.uint8)                 # one byte a pixel
    kept = np.ones(len(files), bool)
    skipped = []
    for i, (path, _, _) in enumerate(files):
        try:
            x[i] = np.round(picture_row(path, fit, side) * 255)
        except InvalidInput as e:
            if not skip_bad:
                raise InvalidInput(f"{e} (--skip-bad skips files that are not images)") from None
            kept[i] = False
            skipped.append(str(path))
        if progress is not None:
            progress(i + 1, len(files))
    labels = np.array([f[1] for f in files], np.int64)
    parts = np.array([f[2] for f in files], np.int8)
    return {"x": x[kept], "y": labels[kept], "part": parts[kept],
            "skipped": np.frombuffer(json.dumps(skipped).encode(), np.uint8)}


def _cached(path: Path) -> dict[str, np.ndarray] | None:
    """The arrays of a cache file, or None if it is missing, not a regular file (a FIFO is
    never opened), truncated or unreadable (then rebuilt)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as npz:  # closed always
            return {k: npz[k] for k in ("x", "y", "part", "skipped")}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def _keep(cache: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the cache file whole (a temporary file renamed); a cache that cannot be written
    is skipped: the next run converts again."""
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            np.savez(f, x=arrays["x"], y=arrays["y"], part=arrays["part"],
                     skipped=arrays["skipped"])
        os.replace(tmp, cache)
    except BaseException as e:                   # a signal mid-write leaves no .tmp behind
        tmp.unlink(missing_ok=True)
        if not isinstance(e, OSError):
            raise


def load_folder(root: Path, options: Any, progress: Progress | None = None
                ) -> tuple[Examples, str, str]:
    """(examples, name, description) of the image folder `root`."""
    files, classes = list_files(root)
    fit, side = conversion(classes, options.image_size)
    cache = _cache_path(root, files, fit, side)
    arrays = _cached(cache)
    if arrays is None:
        arrays = _convert(files, fit, side, options.skip_bad, progress)
        _keep(cache, arrays)
    skipped = json.loads(arrays["skipped"].tobytes().decode())
    x = arrays["x"].astype(np.float32) / np.float32(255)              # (n, side*side)
    y, part = arrays["y"], arrays["part"]
    test = (x[part == 2], y[part == 2]) if (part == 2).any() else None
    train = part != 2
    notes = f"; skipped {len(skipped)} bad files: {', '.join(skipped[:3])}" if skipped else ""
    examples = Examples(x[train], y[train], classes, (side, side), test, notes=notes,
                        recipe={"fit": fit, "side": side})
    what = f"{len(files):,} images in {len(classes)} class folders of {root}"
    return examples, root.resolve().name or str(root), what
