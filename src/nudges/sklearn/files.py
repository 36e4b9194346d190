"""How a NudgesClassifier is written down: a nudges .npz file, or plain data for pickle/skops.

save_classifier writes the project's model file (nudges.files.models: plain arrays and JSON, read
back without pickle) with the estimator's metadata beside the network:

    metadata  sklearn  {"params": get_params() as JSON, "classes", "classes_dtype",
                        "loss_curve", "n_iter", "feature_names_in" (for named columns)}

plain_state and restore_state are what pickling (and skops.io) sees: the network as its
config and arrays, the training state as its Generator's state and arrays, so that no nudges
object but the estimator itself is in the pickle.
"""

from __future__ import annotations

from os import PathLike
from typing import Any

import numpy as np

from ..core.errors import ModelFileError
from ..core.network import Network, set_parameters
from ..files.models import load_saved, save
from ..training.settings import State


def save_classifier(est: Any, path: str | PathLike[str]) -> None:
    """Write the fitted classifier `est` to `path` as a nudges model file, atomically."""
    meta = {"params": {k: plain(v) for k, v in est.get_params().items()},
            "classes": plain(est.classes_), "classes_dtype": est.classes_.dtype.str,
            "loss_curve": est.loss_curve_, "n_iter": est.n_iter_}
    if hasattr(est, "feature_names_in_"):
        meta["feature_names_in"] = [str(name) for name in est.feature_names_in_]
    save(est.network_, path, sklearn=meta)


def load_classifier(cls: Any, path: str | PathLike[str]) -> Any:
    """The classifier of class `cls` saved at `path`; ModelFileError if it is not one."""
    saved = load_saved(path)
    meta, net = saved.metadata.get("sklearn"), saved.network
    if not isinstance(meta, dict):
        raise ModelFileError(f"{path}: a nudges model, but not one NudgesClassifier saved "
                             "(no sklearn metadata); read it with nudges.load")
    try:
        params = dict(meta["params"])
        if isinstance(params.get("hidden_layer_sizes"), list):
            params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
        est = cls(**params)
        est.classes_ = classes_from(meta["classes"], meta["classes_dtype"])
        est.loss_curve_, est.n_iter_ = list(meta["loss_curve"]), int(meta["n_iter"])
        if "feature_names_in" in meta:
            est.feature_names_in_ = np.asarray(meta["feature_names_in"], dtype=object)
    except (KeyError, TypeError, ValueError) as e:
        raise ModelFileError(f"{path}: the classifier's metadata is not valid: {e}") from None
    if len(est.classes_) != net.sizes[-1]:
        raise ModelFileError(f"{path}: {len(est.classes_)} classes for "
                             f"{net.sizes[-1]} output neurons")
    est.network_, est.n_features_in_ = net, net.sizes[0]
    return est


def plain(value: Any) -> Any:
    """value as JSON can hold it: NumPy scalars and arrays as Python numbers and lists,
    tuples as lists, anything else (a RandomState) as None."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value if value is None or isinstance(value, (str, int, float, bool)) else None


def classes_from(values: list[Any], dtype: str) -> np.ndarray:
    """The saved classes_ array: numbers, strings or Python objects (strings) as saved."""
    kind = np.dtype(dtype).kind
    if kind not in "biufUO" or not isinstance(values, list):
        raise ValueError(f"classes of dtype {dtype!r} cannot be restored")
    return np.asarray(values, dtype=object if kind == "O" else dtype)


def plain_state(state: dict[str, Any]) -> dict[str, Any]:
    """An estimator's __dict__ with its Network and training State as dicts of plain data."""
    state = dict(state)
    if isinstance(state.get("network_"), Network):
        net = state["network_"]
        state["network_"] = {"config": net.config, "weights": net.weights, "biases": net.biases}
    if isinstance(state.get("_state"), State):
        run = state["_state"]
        state["_state"] = {"rng": run.rng.bit_generator.state, "slots": run.slots,
                           "epoch": run.epoch, "step": run.step, "order": run.order, "t": run.t}
    return state


def restore_state(state: dict[str, Any]) -> dict[str, Any]:
    """The inverse of plain_state."""
    state = dict(state)
    if isinstance(state.get("network_"), dict):
        saved = state["network_"]
        net = Network(**saved["config"])
        set_parameters(net, saved["weights"], saved["biases"])
        state["network_"] = net
    if isinstance(state.get("_state"), dict):
        run = dict(state["_state"])
        rng = np.random.default_rng()                  # PCG64, as State.start makes it
        rng.bit_generator.state = run.pop("rng")
        state["_state"] = State(rng, **run)
    return state
