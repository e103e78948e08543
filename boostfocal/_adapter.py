"""Engine-neutral pieces of the adapters: label caching, shape checks, metric reduction.

No mathematics lives here: every number comes from a loss object's methods.  Objects defined
here are small classes (never closures) so that they pickle and can be shipped to Dask workers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _validation as v
from .losses import Loss, _Labels

Float = NDArray[np.float64]


class _LossAdapter:
    """Holds a loss and the labels it last prepared, so each boosting round skips re-validation.

    Labels are checked once per label array (by identity); raw scores are shape-checked on every
    call (a cheap test) so that a binary loss handed ``(n, K)`` scores, or a multiclass loss handed
    a binary booster's ``(n,)`` scores, fails with both shapes in the message.
    """

    _what = "objective"

    def __init__(self, loss: Loss) -> None:
        if not isinstance(loss, Loss):
            raise TypeError(
                f"loss must be a boostfocal loss object (e.g. bf.BinaryFocalLoss()), got {type(loss).__name__}"
            )
        self.loss = loss
        self._cache: tuple[Any, _Labels] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"loss": self.loss}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.loss = state["loss"]
        self._cache = None

    def __repr__(self) -> str:
        return f"{type(self).__module__}.{type(self).__name__}({self.loss!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.loss == self.loss  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.loss))

    def _labels(self, y: Any) -> _Labels:
        cached = self._cache
        if cached is not None and cached[0] is y:
            return cached[1]
        labels = self.loss._prepare(y)
        self._cache = (y, labels)
        return labels

    def _scores(self, preds: ArrayLike, n: int) -> Float:
        loss = self.loss
        arr = np.asarray(preds)
        if loss.is_multiclass:
            k = loss.num_outputs
            if arr.shape != (n, k):
                raise ValueError(
                    f"the engine passed raw scores of shape {arr.shape} for {n} labels, but {loss!r} expects "
                    f"({n}, {k}); set num_class={k} in the engine parameters"
                    + (
                        " (a flattened layout from an engine older than LightGBM 4 / XGBoost 2)"
                        if arr.ndim == 1 and arr.size == n * k
                        else ""
                    )
                )
            return v.check_multiclass_raw(arr, n, k, name="preds")
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.shape != (n,):
            raise ValueError(
                f"the engine passed raw scores of shape {arr.shape} for {n} labels, but the binary loss {loss!r} "
                f"expects ({n},); use MulticlassFocalLoss for a multiclass booster"
            )
        return v.check_binary_raw(arr, n, name="preds")

    def _grad_hess(self, y: Any, preds: ArrayLike, weight: Any, hess_scale: float = 1.0) -> tuple[Float, Float]:
        labels = self._labels(y)
        n = labels.y.shape[0]
        z = self._scores(preds, n)
        w = v.check_sample_weight(weight, n, name="weight") if weight is not None and np.size(weight) > 0 else None
        return self.loss._grad_hess(labels, z, w, hess_scale)

    def _mean_loss(self, y: Any, preds: ArrayLike, weight: Any) -> float:
        labels = self._labels(y)
        n = labels.y.shape[0]
        per_sample = self.loss._loss(labels, self._scores(preds, n))
        if weight is None or np.size(weight) == 0:
            return float(per_sample.mean())
        w = v.check_sample_weight(weight, n, name="weight")
        return float(np.dot(per_sample, w) / w.sum())  # type: ignore[union-attr]

    @property
    def __name__(self) -> str:  # XGBoost's scikit-learn wrapper names a metric by __name__
        return self.loss.name


def constant_margin(loss: Loss, value: float | ArrayLike, n: int) -> Float:
    """An ``(n,)`` or ``(n, K)`` array holding the constant initial raw score ``value`` on every row."""
    if loss.is_multiclass:
        arr = np.asarray(value, dtype=np.float64)
        if arr.shape != (loss.num_outputs,):
            raise ValueError(f"init_score must have shape ({loss.num_outputs},) for {loss!r}, got {arr.shape}")
        return np.tile(arr, (n, 1))
    if np.ndim(value) != 0:
        raise ValueError(f"init_score must be a scalar for the binary loss {loss!r}, got shape {np.shape(value)}")
    return np.full(n, float(value))  # type: ignore[arg-type]


def margins_to_proba(loss: Loss, raw: Float, method: str) -> Float:
    """Class probabilities ``(n, n_classes)`` from raw margins that already include the init score."""
    if method == "posterior":
        p = loss.posterior(raw)
    elif method == "link":
        p = loss.link(raw)
    else:
        raise ValueError(f"method must be 'posterior' or 'link', got {method!r}")
    if not loss.is_multiclass:
        return np.column_stack([1.0 - p, p])
    return p


def resolve_loss(
    y_encoded: NDArray[np.intp], n_classes: int, gamma: float, alpha: Any, hessian: str, sample_weight: Any
) -> Loss:
    """The loss an estimator trains with, given encoded labels; ``alpha="balanced"`` resolved here."""
    from .losses import BinaryFocalLoss, MulticlassFocalLoss, balanced_alpha

    if n_classes < 2:
        raise ValueError("y has 1 class: a classifier needs at least two")
    binary = n_classes == 2
    if isinstance(alpha, str):
        if alpha != "balanced":
            raise ValueError(f"alpha must be None, a number, a sequence or 'balanced', got {alpha!r}")
        alpha = balanced_alpha(y_encoded, None if binary else n_classes, sample_weight)
    if binary:
        return BinaryFocalLoss(alpha=alpha, gamma=gamma, hessian=hessian)
    return MulticlassFocalLoss(n_classes, alpha=alpha, gamma=gamma, hessian=hessian)
