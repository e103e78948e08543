r"""The kind of output a loss has: one margin, ``K`` softmax margins, or ``L`` independent margins.

Each loss has one :class:`OutputKind` (``loss.kind``).  The kind owns what depends only on the
shape of the model's output, not on the loss's parameters: the shape of the raw margins, the
constant initial score tiled over rows, the plain link, how the recovered posterior is normalised
(Charoenphakdee et al., CVPR 2021), the probability columns ``predict_proba`` returns, and the
class predicted from them.  Engine adapters, persistence, export and the estimators ask the kind
instead of testing booleans.

=========================  ==========  ===================  ======================  ==============
kind                       margins     initial score        link                    proba columns
=========================  ==========  ===================  ======================  ==============
:class:`BinaryOutput`      ``(n,)``    a float              :math:`\sigma(z)`       ``(n, 2)``
:class:`SoftmaxOutput`     ``(n, K)``  ``(K,)``             softmax over ``K``      ``(n, K)``
:class:`IndependentOutputs`  ``(n, L)``  ``(L,)``             :math:`\sigma` per label  ``(n, L)``
=========================  ==========  ===================  ======================  ==============
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _validation as v
from .._numeric import Float, sigmoid, softmax, softmax_pieces
from ._kernels import _binary_posterior_logit, _posterior_scores

__all__ = ["BinaryOutput", "IndependentOutputs", "OutputKind", "SoftmaxOutput"]


@dataclass(frozen=True)
class OutputKind:
    """What a model with this kind of output predicts per row.

    Attributes
    ----------
    outputs : int
        Raw margins per row (the booster's ``num_class`` / number of targets; 1 for binary).
    """

    outputs: int
    #: The kind's name in messages and model files: "binary", "softmax" or "independent".
    name: ClassVar[str]
    #: The compiled gradient kernel of ``boostfocal._fast`` this kind trains with.
    kernel: ClassVar[str] = "binary_grad_hess"
    #: Whether the margins of a row form a vector (``(n, K)`` / ``(n, L)``), not one number.
    vector: ClassVar[bool] = True
    #: Dimensions of the label array: 1 (a class per row) or 2 (an ``(n, L)`` 0/1 matrix).
    label_ndim: ClassVar[int] = 1

    # --- shapes ---------------------------------------------------------------------------------
    @property
    def columns(self) -> int:
        """Columns of :meth:`proba_columns`: the number of classes (binary: 2) or of labels."""
        return self.outputs

    def shape(self, n: int) -> tuple[int, ...]:
        """The shape of the raw margins of ``n`` rows."""
        return (n, self.outputs)

    def engine_hint(self, shape: tuple[int, ...], n: int) -> str:
        """What to change when an engine hands margins of ``shape`` for ``n`` rows (for messages)."""
        return ""

    def rows(self, raw: ArrayLike) -> int:
        """Rows of ``raw``, which must have this kind's number of dimensions."""
        shape = np.shape(raw)
        if len(shape) != 2:
            raise ValueError(f"raw must have shape (n, num_class), got {shape} (num_class={self.outputs})")
        return int(shape[0])

    def check_raw(self, raw: ArrayLike, n: int, name: str = "raw") -> Float:
        """``raw`` as float64 of this kind's shape for ``n`` rows (NaN refused, +-inf clipped)."""
        raise NotImplementedError

    def tile(self, value: float | ArrayLike, n: int) -> Float:
        """The constant initial raw score ``value`` on each of ``n`` rows: ``(n,)`` or ``(n, outputs)``."""
        arr = np.asarray(value, dtype=np.float64)
        if arr.shape != (self.outputs,):
            raise ValueError(f"init_score must have shape ({self.outputs},) for {self.describe()}, got {arr.shape}")
        return np.tile(arr, (n, 1))

    def init_row(self, value: float | ArrayLike) -> Float:
        """The constant initial score as a 1-D array of ``outputs`` values (shape checked)."""
        return np.atleast_1d(self.tile(value, 1)[0])

    def init_value(self, value: float | ArrayLike) -> float | Float:
        """The initial score in the form a fitted model holds it: a float (binary) or ``(outputs,)``."""
        return np.array(self.init_row(value), dtype=np.float64)

    def init_json(self, value: float | ArrayLike) -> float | list[float]:
        """The initial score as JSON data: a float or a list of floats (finite, shape checked)."""
        row = self.init_row(value)
        if not np.all(np.isfinite(row)):
            raise ValueError(f"init_score must be finite, got {value!r}")
        return [float(x) for x in row]

    def zeros(self) -> float | Float:
        """A zero initial score of this kind."""
        return self.init_value(np.zeros(self.outputs) if self.vector else 0.0)

    def squeeze(self, raw: NDArray[Any]) -> NDArray[Any]:
        """An engine's raw scores in this kind's shape (binary ``(n, 1)`` becomes ``(n,)``)."""
        return raw

    def describe(self) -> str:
        """A short phrase naming the kind, for messages."""
        return f"{self.name} output of {self.outputs}"

    # --- probabilities --------------------------------------------------------------------------
    def link(self, raw: ArrayLike) -> Float:
        """The plain inverse link of the margins (not the posterior of a focal model)."""
        raise NotImplementedError

    def posterior_logit(self, raw: ArrayLike, log_alpha: Float, gamma: float) -> Float:
        """The recovered posterior in log-odds (binary, independent) or log-probability (softmax)
        form, from margins, the class weights' logs and ``gamma`` (see the losses' ``posterior``)."""
        raise NotImplementedError

    def posterior(self, raw: ArrayLike, log_alpha: Float, gamma: float) -> Float:
        """The recovered class (or label) probabilities: :meth:`posterior_logit` through the link."""
        return sigmoid(self.posterior_logit(raw, log_alpha, gamma))

    def proba_columns(self, p: Float) -> Float:
        """``predict_proba``'s array from the link's or posterior's output (binary: ``(n, 2)``)."""
        return p

    def predict(self, proba: Float, classes: NDArray[Any]) -> NDArray[Any]:
        """Predicted classes from :meth:`proba_columns` (the most probable of ``classes``)."""
        predicted: NDArray[Any] = classes[np.argmax(proba, axis=1)]
        return predicted

    def hessian_scale(self, engine: str) -> float:
        """The factor an engine's own objective of this kind puts on the Hessian (1 but for softmax)."""
        return 1.0


@dataclass(frozen=True)
class BinaryOutput(OutputKind):
    r"""One margin per row: ``P(y=1|x)`` from :math:`\sigma(z)`; ``predict_proba`` is ``(n, 2)``."""

    outputs: int = 1
    name: ClassVar[str] = "binary"
    vector: ClassVar[bool] = False

    @property
    def columns(self) -> int:
        return 2

    def shape(self, n: int) -> tuple[int, ...]:
        return (n,)

    def engine_hint(self, shape: tuple[int, ...], n: int) -> str:
        return "; use MulticlassFocalLoss for a multiclass booster"

    def rows(self, raw: ArrayLike) -> int:
        shape = np.shape(raw)
        if len(shape) != 1 and not (len(shape) == 2 and shape[1] == 1):
            raise ValueError(f"raw must have shape (n,), got {shape}")
        return int(shape[0])

    def check_raw(self, raw: ArrayLike, n: int, name: str = "raw") -> Float:
        return v.check_binary_raw(raw, n, name=name)

    def tile(self, value: float | ArrayLike, n: int) -> Float:
        if np.ndim(value) != 0:
            raise ValueError(f"init_score must be a scalar for a binary loss, got shape {np.shape(value)}")
        return np.full(n, float(value))  # type: ignore[arg-type]

    def init_value(self, value: float | ArrayLike) -> float | Float:
        return float(self.init_row(value)[0])

    def init_json(self, value: float | ArrayLike) -> float | list[float]:
        return float(super().init_json(value)[0])  # type: ignore[index]

    def squeeze(self, raw: NDArray[Any]) -> NDArray[Any]:
        return raw[:, 0] if raw.ndim == 2 and raw.shape[1] == 1 else raw

    def describe(self) -> str:
        return "a binary loss"

    def link(self, raw: ArrayLike) -> Float:
        return sigmoid(self.check_raw(raw, self.rows(raw)))

    def posterior_logit(self, raw: ArrayLike, log_alpha: Float, gamma: float) -> Float:
        z = self.check_raw(raw, self.rows(raw))
        return _binary_posterior_logit(z, log_alpha[0], log_alpha[1], gamma)

    def proba_columns(self, p: Float) -> Float:
        return np.column_stack([1.0 - p, p])


@dataclass(frozen=True)
class SoftmaxOutput(OutputKind):
    """``K`` margins per row, one class per row: ``softmax(z)``; ``predict_proba`` is ``(n, K)``."""

    name: ClassVar[str] = "softmax"
    kernel: ClassVar[str] = "multiclass_grad_hess"

    def describe(self) -> str:
        return f"a multiclass loss of {self.outputs} classes"

    def engine_hint(self, shape: tuple[int, ...], n: int) -> str:
        k = self.outputs
        flat = len(shape) == 1 and shape[0] == n * k
        return f"; set num_class={k} in the engine parameters" + (
            " (a flattened layout from an engine older than LightGBM 4 / XGBoost 2)" if flat else ""
        )

    def check_raw(self, raw: ArrayLike, n: int, name: str = "raw") -> Float:
        return v.check_multiclass_raw(raw, n, self.outputs, name=name)

    def link(self, raw: ArrayLike) -> Float:
        return softmax(self.check_raw(raw, self.rows(raw)))

    def _log_scores(self, raw: ArrayLike, log_alpha: Float, gamma: float) -> Float:
        z = self.check_raw(raw, self.rows(raw))
        _, log_p, log_om = softmax_pieces(z)
        return _posterior_scores(log_p, log_om, log_alpha[None, :], gamma)

    def posterior_logit(self, raw: ArrayLike, log_alpha: Float, gamma: float) -> Float:
        """Log of the recovered class probabilities, normalised in log space (its arg-max is the
        most probable class even where a probability underflows)."""
        return softmax_pieces(self._log_scores(raw, log_alpha, gamma))[1]

    def posterior(self, raw: ArrayLike, log_alpha: Float, gamma: float) -> Float:
        return softmax(self._log_scores(raw, log_alpha, gamma))

    def hessian_scale(self, engine: str) -> float:
        """LightGBM's ``multiclass`` uses ``K/(K-1) p(1-p)``, XGBoost's ``multi:softprob`` ``2 p(1-p)``:
        following them makes ``gamma = 0`` reproduce the built-in objectives (tested)."""
        k = self.outputs
        return {"lightgbm": k / (k - 1.0), "xgboost": 2.0}[engine]


@dataclass(frozen=True)
class IndependentOutputs(OutputKind):
    r"""``L`` margins per row, one binary problem per label: :math:`\sigma(z_l)` each;
    ``predict_proba`` is ``(n, L)`` and ``predict`` the 0/1 matrix of labels above 1/2."""

    name: ClassVar[str] = "independent"
    label_ndim: ClassVar[int] = 2

    def describe(self) -> str:
        return f"a multilabel loss of {self.outputs} labels"

    def rows(self, raw: ArrayLike) -> int:
        shape = np.shape(raw)
        if len(shape) != 2:
            raise ValueError(f"raw must have shape (n, {self.outputs}) (one margin per row and label), got {shape}")
        return int(shape[0])

    def check_raw(self, raw: ArrayLike, n: int, name: str = "raw") -> Float:
        return v.check_multilabel_raw(raw, n, self.outputs, name=name)

    def link(self, raw: ArrayLike) -> Float:
        return sigmoid(self.check_raw(raw, self.rows(raw)))

    def posterior_logit(self, raw: ArrayLike, log_alpha: Float, gamma: float) -> Float:
        z = self.check_raw(raw, self.rows(raw))
        return _binary_posterior_logit(z, log_alpha[:, 0], log_alpha[:, 1], gamma)

    def squeeze(self, raw: NDArray[Any]) -> NDArray[Any]:
        """One label's ``(n,)`` scores (an engine's single target) as ``(n, 1)``."""
        return raw[:, None] if raw.ndim == 1 and self.outputs == 1 else raw

    def predict(self, proba: Float, classes: NDArray[Any]) -> NDArray[Any]:
        return (proba > 0.5).astype(np.int64)

    def label_matrix(self, y: Any) -> Any:
        """Labels as ``(n, L)``: XGBoost hands them flattened (its C API's label vector)."""
        k = self.outputs
        if k > 1 and np.ndim(y) == 1 and np.size(y) % k == 0:
            return np.asarray(y).reshape(-1, k)
        return y
