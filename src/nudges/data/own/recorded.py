"""What a saved model records about its training data, and the check that new data fits it.

A model saved by `nudges train` keeps, beside its training data's fingerprint (name, path,
size, CRC-32; nudges.files.checkpoints), a description: format, one example's shape, the class
names and the recipe (the loading options, the image conversion, the features' scaling):

    metadata["checkpoint"]["data"]["dataset"] = {"format", "shape", "classes", "recipe"}

A model without one (saved from Python, or by an older nudges) is taken as MNIST's.
"""

from __future__ import annotations

import math
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ...core.errors import InvalidInput, ModelFileError
from ...core.network import Network
from ..images import read_image
from ..mnist import Dataset
from .folders import picture_row
from .splits import standardised
from .tables import feature_rows

MNIST_INFO: dict[str, Any] = {"format": "mnist", "shape": [28, 28],
                              "classes": list("0123456789"), "recipe": {"format": "mnist"}}


def describe(data: Dataset) -> dict[str, Any]:
    """The description of `data` that a model keeps (JSON-able)."""
    return {"format": data.recipe.get("format", "mnist"), "shape": list(data.shape),
            "classes": list(data.classes), "recipe": data.recipe}


def recorded(metadata: dict[str, Any], path: str | PathLike[str]) -> dict[str, Any]:
    """The model's description of its training data (validated), plus "path": the data's
    folder or file when it was named; MNIST's description when the model has none."""
    where = metadata.get("checkpoint")
    data = where.get("data") if isinstance(where, dict) else None
    info = data.get("dataset") if isinstance(data, dict) else None
    if info is None:
        return dict(MNIST_INFO, path=data.get("path") if isinstance(data, dict) else None)
    _validate(info, path)
    return dict(info, path=data.get("path") if isinstance(data, dict) else None)


def _validate(info: Any, path: str | PathLike[str]) -> None:
    """ModelFileError unless info is a well-formed description."""
    bad = f"{path}: the metadata's description of the training data"
    if not isinstance(info, dict) or not isinstance(info.get("recipe"), dict):
        raise ModelFileError(f"{bad} is not a mapping with a recipe")
    shape, classes = info.get("shape"), info.get("classes")
    if not (isinstance(shape, list) and shape and all(type(n) is int and n > 0 for n in shape)):
        raise ModelFileError(f"{bad} has shape {shape!r}; expected positive whole numbers")
    if not (isinstance(classes, list) and len(classes) >= 2
            and all(isinstance(c, str) for c in classes)):
        raise ModelFileError(f"{bad} has classes {classes!r}; expected two or more names")
    scaling = info["recipe"].get("scaling")
    if scaling is not None:
        _validate_scaling(scaling, math.prod(shape), bad)


def _validate_scaling(scaling: Any, n: int, bad: str) -> None:
    try:
        mean, std = (np.asarray(scaling[k], dtype=np.float64) for k in ("mean", "std"))
    except (TypeError, KeyError, ValueError):
        raise ModelFileError(f"{bad} has a scaling that is not lists of mean and std") from None
    if mean.shape != (n,) or std.shape != (n,) or not (np.isfinite(mean).all()
                                                       and (std > 0).all()
                                                       and np.isfinite(std).all()):
        raise ModelFileError(f"{bad} has a scaling that is not {n} finite means and positive "
                             "standard deviations")


def classes_text(classes: list[str] | tuple[str, ...], most: int = 6) -> str:
    """'A, B, C, … (26)'."""
    shown = ", ".join(classes[:most])
    return f"{shown}, … ({len(classes)})" if len(classes) > most else shown


def check_fits(model: str | PathLike[str], net: Network, info: dict[str, Any],
               data: Dataset) -> None:
    """InvalidInput, in one line, unless `data` has the inputs and classes `net` was trained on."""
    n_inputs = data.train[0].shape[1]
    if net.sizes[0] != n_inputs:
        raise InvalidInput(f"{model} takes {net.sizes[0]} inputs (trained on "
                           f"{info['format']} data of shape {tuple(info['shape'])}), but "
                           f"{data.name} has {n_inputs} (shape {data.shape}); give it data "
                           "like its training data")
    if list(data.classes) != list(info["classes"]) or net.sizes[-1] < len(data.classes):
        raise InvalidInput(f"{model} was trained on the classes {classes_text(info['classes'])}"
                           f", but {data.name} has {classes_text(data.classes)}; give it data "
                           "with the same classes")


def read_inputs(paths: list[str], info: dict[str, Any]) -> tuple[np.ndarray, list[str]]:
    """Network inputs (n, d) from pictures or table rows, made as the model's training
    inputs were (conversion, scaling), and a name for each row ('a.png', 'rows.csv row 2')."""
    recipe = info["recipe"]
    if info["format"] not in ("csv", "npz", "npy"):
        if recipe.get("fit") is None:                       # MNIST's: nudges.data.images as ever
            return np.stack([read_image(p) for p in paths]), list(paths)
        return (np.stack([picture_row(p, recipe["fit"], recipe["side"]) for p in paths]),
                list(paths))
    blocks, names = [], []
    for path in paths:
        rows = _table_rows(Path(path), recipe)
        blocks.append(rows)
        names += [f"{path} row {i + 1}" for i in range(len(rows))]
    x = np.concatenate(blocks)
    if recipe.get("scaling") is not None:
        x = standardised((x, np.zeros(len(x), np.int64)), recipe["scaling"])[0]
    return x.astype(np.float32), names


def _table_rows(path: Path, recipe: dict[str, Any]) -> np.ndarray:
    """The rows of a .npy file, or of a CSV file with the model's feature columns."""
    if path.suffix.lower() == ".npy":
        try:
            rows = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as e:
            raise InvalidInput(f"{path}: not a readable .npy file ({e})") from None
        if rows.dtype.kind not in "iuf" or not np.isfinite(rows).all():
            raise InvalidInput(f"{path}: holds {rows.dtype} with NaN, inf or non-numbers")
        return np.asarray(rows, np.float64).reshape(-1, rows.shape[-1] if rows.ndim else 1)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file; expected a CSV file of rows to classify")
    return feature_rows(path, recipe)
