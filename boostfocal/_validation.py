"""Input checks shared by the losses and the engine adapters.

Every check raises ``TypeError`` (wrong kind of object) or ``ValueError`` (right kind, bad
value) with a message that names the argument and says what was expected.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._numeric import MARGIN_LIMIT

HESSIAN_POLICIES = ("bounded", "exact", "weighted", "clip")

#: Largest accepted ``gamma``.  Up to it, loss, gradient and exact Hessian (binary and
#: multiclass), the initial score and the recovered posterior match 40-digit mpmath references to
#: a relative 1e-12 (tests/test_gamma_range.py); the error grows about linearly with ``gamma``
#: beyond it (the posterior's sensitivity to the margin is about ``gamma + 1``), and from
#: ``gamma`` ~ 1e15 on the initial score is 0 and the posterior 0.5.
GAMMA_MAX = 1000.0


def check_gamma(gamma: Any) -> float:
    """``gamma`` must be a real number in ``[0, GAMMA_MAX]`` (see :data:`GAMMA_MAX`)."""
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"gamma must be a real number >= 0 and <= {GAMMA_MAX:g}, got {type(gamma).__name__}")
    g = float(gamma)
    if not math.isfinite(g) or g < 0 or g > GAMMA_MAX:
        raise ValueError(
            f"gamma must be a number >= 0 and <= {GAMMA_MAX:g} (the range where boostfocal's float64 results "
            f"keep their accuracy), got {gamma!r}"
        )
    return g


def check_binary_alpha(alpha: Any) -> float | None:
    """``alpha`` must be None or a real number strictly between 0 and 1."""
    if alpha is None:
        return None
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(
            f"alpha must be None or a float in (0, 1) for a binary loss, got {type(alpha).__name__}"
            + (" (use bf.balanced_alpha(y) to compute balanced weights)" if isinstance(alpha, str) else "")
        )
    a = float(alpha)
    if not (0.0 < a < 1.0):
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    return a


def check_num_class(num_class: Any) -> int:
    """``num_class`` must be an integer >= 2."""
    if isinstance(num_class, bool) or not isinstance(num_class, numbers.Integral):
        raise TypeError(f"num_class must be an integer >= 2, got {type(num_class).__name__}")
    if num_class < 2:
        raise ValueError(f"num_class must be >= 2, got {num_class}")
    return int(num_class)


def check_multiclass_alpha(alpha: Any, num_class: int) -> tuple[float, ...] | None:
    """``alpha`` must be None or ``num_class`` finite positive numbers."""
    if alpha is None:
        return None
    if isinstance(alpha, (str, bytes)) or isinstance(alpha, numbers.Number):
        raise TypeError(
            f"alpha must be None or a sequence of {num_class} positive floats for a multiclass "
            f"loss, got {alpha!r}" + (" (use bf.balanced_alpha(y, num_class))" if isinstance(alpha, str) else "")
        )
    try:
        a = np.asarray(alpha, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"alpha must be a sequence of {num_class} positive floats, got {alpha!r}") from None
    if a.ndim != 1 or a.shape[0] != num_class:
        raise ValueError(f"alpha must have length num_class={num_class}, got shape {a.shape}")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError(f"alpha must contain finite values > 0, got {a.tolist()}")
    return tuple(float(v) for v in a)


def check_hessian(hessian: Any) -> str:
    """``hessian`` must name one of :data:`HESSIAN_POLICIES`."""
    if not isinstance(hessian, str):
        raise TypeError(f"hessian must be one of {HESSIAN_POLICIES}, got {type(hessian).__name__}")
    if hessian not in HESSIAN_POLICIES:
        raise ValueError(f"hessian must be one of {HESSIAN_POLICIES}, got {hessian!r}")
    return hessian


def _refuse_complex(arr: NDArray[Any], name: str) -> None:
    """Complex numbers are refused before any cast (numpy would drop the imaginary part with only a
    ``ComplexWarning``)."""
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} holds complex values (dtype {arr.dtype}): real numbers are expected")


def _as_numeric_1d(values: Any, name: str) -> NDArray[Any]:
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D with one entry per sample, got shape {arr.shape}")
    if arr.dtype == bool:
        arr = arr.astype(np.int64)
    _refuse_complex(arr, name)
    if not (np.issubdtype(arr.dtype, np.number)):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    return arr


def check_binary_labels(y: Any, name: str = "y") -> NDArray[np.float64]:
    """Binary labels: 1-D, every value 0 or 1 (bool accepted). Returns float64."""
    arr = _as_numeric_1d(y, name).astype(np.float64, copy=False)
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    bad = (arr != 0.0) & (arr != 1.0)
    if bad.any():
        vals = np.unique(arr[bad])[:5].tolist()
        raise ValueError(f"{name} must contain only 0 and 1 for a binary loss, found {vals}")
    return arr


def check_multiclass_labels(y: Any, num_class: int | None, name: str = "y") -> NDArray[np.intp]:
    """Multiclass labels: 1-D integers (or integer-valued floats) in ``0 .. num_class-1``
    (``num_class`` None: any non-negative integers)."""
    arr = _as_numeric_1d(y, name)
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite labels")
        if np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must contain integer class indices, found non-integer values")
    if num_class is None:
        if arr.min() < 0:
            raise ValueError(
                f"{name} must contain non-negative integer class indices, found values from {arr.min()} to {arr.max()}"
            )
        return arr.astype(np.intp, copy=False)
    if arr.min() < 0 or arr.max() >= num_class:
        raise ValueError(
            f"{name} must contain class indices in 0..{num_class - 1} (num_class={num_class}), "
            f"found values from {arr.min()} to {arr.max()}"
        )
    return arr.astype(np.intp, copy=False)


def check_class_totals(totals: NDArray[np.float64], name: str = "sample_weight") -> NDArray[np.float64]:
    """Per-class weight totals must be finite (the weights of one class must not sum past the
    float64 range) and positive (every class present with a non-zero weight)."""
    if not np.all(np.isfinite(totals)):
        big = np.flatnonzero(~np.isfinite(totals)).tolist()
        raise ValueError(
            f"{name} of class {big} sums to infinity (beyond the float64 range); divide the weights by a constant"
        )
    empty = np.flatnonzero(totals <= 0)
    if empty.size:
        raise ValueError(
            f"y has no (or zero-weight) samples of class {empty.tolist()}: the loss-minimising "
            "constant score would be infinite"
        )
    return totals


def check_sample_weight(sample_weight: Any, n: int, name: str = "sample_weight") -> NDArray[np.float64] | None:
    """None, or ``n`` finite non-negative weights. Returns float64 or None."""
    if sample_weight is None:
        return None
    w = _as_numeric_1d(sample_weight, name).astype(np.float64, copy=False)
    if w.shape[0] != n:
        raise ValueError(f"{name} has {w.shape[0]} entries but y has {n}")
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if np.any(w < 0):
        raise ValueError(f"{name} must be non-negative")
    return w


def _finite_margins(raw: NDArray[np.float64], name: str) -> NDArray[np.float64]:
    """Reject NaN; clip to ``+-MARGIN_LIMIT`` (so +-inf and +-1e308 behave as their limits)."""
    if raw.size == 0:
        return raw
    lo, hi = raw.min(), raw.max()  # NaN propagates into both
    if not (-MARGIN_LIMIT <= lo and hi <= MARGIN_LIMIT):
        if np.isnan(lo) or np.isnan(hi):
            raise ValueError(f"{name} contains NaN margins")
        raw = np.clip(raw, -MARGIN_LIMIT, MARGIN_LIMIT)
    return raw


def check_binary_raw(raw: Any, n: int, name: str = "raw") -> NDArray[np.float64]:
    """Binary raw margins: shape ``(n,)`` or ``(n, 1)``; returned as float64 ``(n,)``."""
    arr = np.asarray(raw)
    _refuse_complex(arr, name)
    if not np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
        raise TypeError(f"{name} must be a numeric array of raw margins, got dtype {arr.dtype}")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.shape[0] != n:
        extra = " (a multiclass score matrix was given to a binary loss)" if arr.ndim == 2 and arr.shape[0] == n else ""
        raise ValueError(f"{name} has shape {arr.shape} but a binary loss with {n} labels expects ({n},){extra}")
    return _finite_margins(arr.astype(np.float64, copy=False), name)


def check_multiclass_raw(raw: Any, n: int, num_class: int, name: str = "raw") -> NDArray[np.float64]:
    """Multiclass raw margins: shape ``(n, num_class)``; returned as float64."""
    arr = np.asarray(raw)
    _refuse_complex(arr, name)
    if not np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
        raise TypeError(f"{name} must be a numeric array of raw margins, got dtype {arr.dtype}")
    if arr.shape != (n, num_class):
        raise ValueError(
            f"{name} has shape {arr.shape} but a multiclass loss with num_class={num_class} and "
            f"{n} labels expects ({n}, {num_class})"
        )
    return _finite_margins(arr.astype(np.float64, copy=False), name)


# --------------------------------------------------------------------------------------
# Multilabel losses: an (n, L) 0/1 indicator matrix, one binary problem per column
# --------------------------------------------------------------------------------------


def check_num_labels(num_labels: Any) -> int:
    """``num_labels`` must be an integer >= 1."""
    if isinstance(num_labels, bool) or not isinstance(num_labels, numbers.Integral):
        raise TypeError(f"num_labels must be an integer >= 1, got {type(num_labels).__name__}")
    if num_labels < 1:
        raise ValueError(f"num_labels must be >= 1, got {num_labels}")
    return int(num_labels)


def check_multilabel_alpha(alpha: Any, num_labels: int) -> float | tuple[float, ...] | None:
    """``alpha`` must be None, one real number in (0, 1) shared by every label, or ``num_labels``
    such numbers (one per label).  A number stays a number; a sequence becomes a tuple."""
    if alpha is None:
        return None
    if isinstance(alpha, (str, bytes)) or isinstance(alpha, bool):
        raise TypeError(
            f"alpha must be None, a float in (0, 1) or a sequence of {num_labels} such floats for a "
            f"multilabel loss, got {alpha!r}"
            + (" (use bf.balanced_alpha(Y, multilabel=True) for per-label weights)" if isinstance(alpha, str) else "")
        )
    if isinstance(alpha, numbers.Real):
        return check_binary_alpha(alpha)
    try:
        a = np.asarray(alpha, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"alpha must be None, a float in (0, 1) or a sequence of {num_labels} such floats, got {alpha!r}"
        ) from None
    if a.ndim != 1 or a.shape[0] != num_labels:
        raise ValueError(f"alpha must have one entry per label (num_labels={num_labels}), got shape {a.shape}")
    if not np.all((a > 0.0) & (a < 1.0)):  # NaN fails too
        raise ValueError(f"alpha must contain values strictly between 0 and 1, got {a.tolist()}")
    return tuple(float(x) for x in a)


def check_multilabel_labels(y: Any, num_labels: int, name: str = "y") -> NDArray[np.uint8]:
    """A multilabel target: an ``(n, num_labels)`` matrix of 0 and 1 (bool accepted; with
    ``num_labels = 1`` also ``(n,)``).  Returns a C-ordered uint8 copy.

    A 1-D target of several classes gets an error that points to the multiclass loss.  A column
    holding a single class is valid here (a batch of rows may hold one class); the initial score
    and :func:`boostfocal.balanced_alpha` reject it (:func:`check_label_totals`)."""
    arr = np.asarray(y)
    if arr.dtype == bool:
        arr = arr.astype(np.uint8)
    if not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be a numeric 0/1 indicator matrix, got dtype {arr.dtype}")
    if arr.ndim == 1 and num_labels == 1:
        arr = arr[:, None]
    if arr.ndim == 1:
        classes = np.unique(arr[np.isfinite(arr)] if np.issubdtype(arr.dtype, np.floating) else arr)
        if classes.size > 2 or not np.isin(classes, (0, 1)).all():
            raise ValueError(
                f"{name} is 1-D with the classes {classes[:10].tolist()}: a multilabel loss needs a 2-D 0/1 "
                f"indicator matrix of shape (n, {num_labels}); for one class per row out of several, use "
                "MulticlassFocalLoss"
            )
        raise ValueError(
            f"{name} has shape {arr.shape} but a multilabel loss with num_labels={num_labels} expects a 0/1 "
            f"indicator matrix of shape (n, {num_labels}); for a single binary label use BinaryFocalLoss"
        )
    if arr.ndim != 2 or arr.shape[1] != num_labels:
        raise ValueError(
            f"{name} has shape {arr.shape} but a multilabel loss with num_labels={num_labels} expects (n, {num_labels})"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    if np.issubdtype(arr.dtype, np.floating) and np.isnan(arr).any():
        cols = np.flatnonzero(np.isnan(arr).any(axis=0)).tolist()
        raise ValueError(f"{name} contains NaN labels (columns {cols[:10]}); a multilabel target holds only 0 and 1")
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        cols = np.flatnonzero(bad.any(axis=0)).tolist()
        vals = np.unique(arr[bad])[:5].tolist()
        raise ValueError(
            f"{name} must contain only 0 and 1 (a multilabel indicator matrix), found {vals} in columns {cols[:10]}"
        )
    return np.ascontiguousarray(arr, dtype=np.uint8)


def check_label_totals(totals: NDArray[np.float64], name: str = "y") -> NDArray[np.float64]:
    """Per-label class weight totals ``(L, 2)`` (column 0: negatives, 1: positives) must be finite
    and positive: every label column needs both classes with a non-zero weight."""
    if not np.all(np.isfinite(totals)):
        big = np.flatnonzero(~np.isfinite(totals).all(axis=1)).tolist()
        raise ValueError(
            f"sample_weight of label column {big} sums to infinity (beyond the float64 range); divide the "
            "weights by a constant"
        )
    for label, (neg, pos) in enumerate(totals):
        if not (neg > 0 and pos > 0):
            only = 0 if pos <= 0 else 1
            raise ValueError(
                f"{name} column {label} holds a single class (only {only}s, or the other class has zero weight): "
                "every label needs positive and negative samples, or the loss-minimising constant score is infinite"
            )
    return totals


def check_multilabel_raw(raw: Any, n: int, num_labels: int, name: str = "raw") -> NDArray[np.float64]:
    """Multilabel raw margins: shape ``(n, num_labels)``; returned as float64."""
    arr = np.asarray(raw)
    if not np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
        raise TypeError(f"{name} must be a numeric array of raw margins, got dtype {arr.dtype}")
    if arr.shape != (n, num_labels):
        raise ValueError(
            f"{name} has shape {arr.shape} but a multilabel loss with num_labels={num_labels} and {n} rows "
            f"expects ({n}, {num_labels}): one margin per row and label"
        )
    return _finite_margins(arr.astype(np.float64, copy=False), name)
