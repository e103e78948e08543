"""The exact JSON codec of boostfocal's model files: values, class labels, losses, parameters.

Floats are written with ``repr`` (exact); tuples, arrays, non-finite floats and dicts with
non-string keys are tagged so that :func:`decode` rebuilds them.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ._adapter import check_loss
from .losses import LOSSES, Loss

LOSS_CLASSES = {cls.__name__: cls for cls in LOSSES.values()}


class Unencodable(TypeError):
    pass


def encode(value: Any) -> Any:
    """``value`` as JSON data, exactly: floats by ``repr``, tuples, arrays, non-finite floats and
    dicts with non-string keys tagged (``{"__tuple__": [...]}`` ...) so :func:`decode` rebuilds
    them.  Raises ``Unencodable`` for anything else (callables, random states, ...)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biufU":
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else {"__float__": repr(float(value))}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not any(k.startswith("__") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"__dict__": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufU":
        return {
            "__ndarray__": [encode(v) for v in value.ravel().tolist()],
            "dtype": value.dtype.str,
            "shape": list(value.shape),
        }
    raise Unencodable(type(value).__name__)


def decode(data: Any) -> Any:
    """Inverse of :func:`encode`."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if data.keys() == {"__float__"}:
        return float(data["__float__"])
    if data.keys() == {"__tuple__"}:
        return tuple(decode(v) for v in data["__tuple__"])
    if data.keys() == {"__dict__"}:
        return {decode(k): decode(v) for k, v in data["__dict__"]}
    if data.keys() == {"__ndarray__", "dtype", "shape"}:
        values = [decode(v) for v in data["__ndarray__"]]
        return np.array(values, dtype=np.dtype(data["dtype"])).reshape(data["shape"])
    return {k: decode(v) for k, v in data.items()}


def encode_classes(classes: Any) -> dict[str, Any]:
    """The class labels and their dtype.  Integers, floats, booleans and strings (numpy dtypes,
    or an object array of such Python values) are stored; anything else is refused."""
    arr = np.asarray(classes)
    kind = arr.dtype.kind
    if arr.ndim != 1:
        raise ValueError(f"classes_ must be 1-D, got shape {arr.shape}")
    if kind in "biufU":
        values = arr.tolist()
    elif kind == "O":
        values = [v.item() if isinstance(v, np.generic) else v for v in arr]
        bad = [v for v in values if not isinstance(v, (str, int, float))]
        if bad:
            raise TypeError(
                f"classes_ holds a {type(bad[0]).__name__} label ({bad[0]!r}): boostfocal model files store "
                "integer, float, boolean or string labels only; refit with such labels"
            )
    else:
        raise TypeError(
            f"classes_ has dtype {arr.dtype}: boostfocal model files store integer, float, boolean or "
            "string labels only; refit with such labels"
        )
    if any(isinstance(v, float) and not math.isfinite(v) for v in values):
        raise ValueError("classes_ holds a non-finite label, which a model file cannot store")
    return {"dtype": arr.dtype.str, "values": values}


def decode_classes(data: dict[str, Any]) -> np.ndarray:
    dtype = np.dtype(data["dtype"])
    if dtype.kind == "O":
        out = np.empty(len(data["values"]), dtype=object)
        out[:] = data["values"]
        return out
    return np.array(data["values"], dtype=dtype)


def encode_loss(loss: Any, name: str = "loss") -> dict[str, Any]:
    check_loss(loss, name)
    cls = type(loss)
    if LOSS_CLASSES.get(cls.__name__) is not cls:
        raise TypeError(
            f"{name} is a {cls.__name__}; only boostfocal's own loss classes ({', '.join(LOSS_CLASSES)}) can be saved"
        )
    return {"class": cls.__name__, "params": encode(loss._params())}


def decode_loss(data: dict[str, Any]) -> Loss:
    cls = LOSS_CLASSES.get(data["class"])
    if cls is None:
        raise ValueError(f"the model file names an unknown loss class {data['class']!r}")
    return cls(**decode(data["params"]))


def encode_params(params: dict[str, Any]) -> dict[str, Any]:
    """The estimator's parameters as JSON; those JSON cannot hold (callables, random states)
    are left out with a warning (the loaded estimator has their defaults, which only matters
    for refitting)."""
    out, dropped = {}, []
    for key, value in params.items():
        try:
            out[key] = encode(value)
        except Unencodable:
            dropped.append(key)
    if dropped:
        warnings.warn(
            f"parameters {dropped} cannot be written to a model file and are left out (a loaded "
            "estimator predicts the same; it would refit with their default values)",
            UserWarning,
            stacklevel=3,
        )
    return out
