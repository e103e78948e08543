"""Softmax focal loss and alpha-balanced softmax cross-entropy."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _validation as v
from .._numeric import Float
from ._base import _Labels, _Loss
from ._kernels import _multiclass_grad_hess, _multiclass_loss, _optimal_constant
from ._kinds import OutputKind, SoftmaxOutput

__all__ = ["MulticlassBalancedCrossEntropy", "MulticlassFocalLoss"]


class MulticlassFocalLoss(_Loss):
    r"""Softmax focal loss over ``num_class`` classes on the raw margins ``z`` (shape ``(n, K)``).

    .. math::

        p = \mathrm{softmax}(z), \quad u = p_t, \quad L = -\alpha_t (1-u)^\gamma \log u

    With ``g(u) = gamma (1-u)^(gamma-1) log u - (1-u)^gamma / u``, ``d_k = [k=t] - p_k``:

    .. math::

        \partial L / \partial z_k = \alpha_t\, g(u)\, u\, d_k, \qquad
        \partial^2 L / \partial z_k^2 = \alpha_t [(g'(u) u^2 + g(u) u) d_k^2 - g(u) u p_k (1-p_k)]

    (the exact diagonal of the Hessian).  The gradient is the log-loss gradient ``p - onehot``
    times the focal weight ``W = (1-u)^gamma (1 - gamma u log u / (1-u))``.

    Parameters
    ----------
    num_class : int >= 2
    alpha : None or sequence of ``num_class`` positive floats, default None
        Per-class weights; ``None`` weights every class 1.
    gamma : float in [0, 1000], default 2.0
    hessian : {"bounded", "exact", "weighted", "clip"}, default "bounded"
        As for :class:`BinaryFocalLoss`; ``weighted`` is ``W p_k (1 - p_k)``.  The Hessian is the
        mathematical diagonal: the engine adapters apply the engines' own multiclass scaling
        (LightGBM ``K/(K-1)``, XGBoost ``2``) so that ``gamma = 0`` reproduces the built-in
        objectives.
    """

    name: ClassVar[str] = "multiclass_focal_loss"
    _fields: ClassVar[tuple[str, ...]] = ("num_class", "alpha", "gamma", "hessian")
    num_class: int
    alpha: tuple[float, ...] | None

    def __init__(
        self,
        num_class: int,
        alpha: ArrayLike | None = None,
        gamma: float = 2.0,
        hessian: str = "bounded",
    ) -> None:
        k = v.check_num_class(num_class)
        self._set(
            num_class=k,
            alpha=v.check_multiclass_alpha(alpha, k),
            gamma=v.check_gamma(gamma),
            hessian=v.check_hessian(hessian),
        )

    @cached_property
    def kind(self) -> OutputKind:
        return SoftmaxOutput(self.num_class)

    def _check_labels(self, y: ArrayLike) -> NDArray[np.intp]:
        return v.check_multiclass_labels(y, self.num_class)

    def _alpha_table(self) -> Float:
        return np.ones(self.num_class) if self.alpha is None else np.array(self.alpha, dtype=np.float64)

    def _loss(self, labels: _Labels, raw: Float) -> Float:
        out = _multiclass_loss(raw, labels.y, self.gamma)
        cw = labels.class_weight
        return out if cw is None else out * cw

    def _reference_grad_hess(self, labels: _Labels, z: Float) -> tuple[Float, Float]:
        return _multiclass_grad_hess(z, labels.y, self.gamma, self.hessian)

    def _log_alpha(self) -> Float:
        return np.zeros(self.num_class) if self.alpha is None else np.log(np.asarray(self.alpha))

    def init_score(self, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Float:
        """The constant raw scores ``(K,)`` minimising the weighted mean training loss.

        Returned as log-probabilities (``logsumexp = 0``); any constant may be added.  For
        ``gamma = 0``: ``log(alpha_k W_k / sum_j alpha_j W_j)`` with ``W_k`` the class weight
        totals; otherwise the stationarity condition is solved by nested bisection.
        """
        totals = self._class_totals(y, sample_weight)
        return _optimal_constant(totals, self._log_alpha(), self.gamma)

    def posterior(self, raw: ArrayLike) -> Float:
        """Recovered class probabilities ``(n, K)`` of a model trained with this loss.

        ``P(y=k|x) ∝ 1 / (alpha_k |l'(p_k)|)``, ``p = softmax(z)``, normalised over k
        (Charoenphakdee et al., 2021).  For ``gamma = 0``: ``softmax(z - log alpha)``.
        """
        return super().posterior(raw)

    def posterior_logit(self, raw: ArrayLike) -> Float:
        """Log of the recovered class probabilities, ``(n, K)``: ``log posterior(raw)``, computed
        in log space (``-log alpha_k - log |l'(p_k)|`` minus its log-sum-exp over k), so its
        arg-max is the most probable class even where a probability underflows."""
        return super().posterior_logit(raw)

    def link(self, raw: ArrayLike) -> Float:
        """Plain ``softmax(raw)_k = exp(raw_k) / sum_j exp(raw_j)``; not the class probability of a focal model.

        See :meth:`posterior` for that.
        """
        return super().link(raw)


class MulticlassBalancedCrossEntropy(MulticlassFocalLoss):
    r"""Alpha-balanced softmax cross-entropy: :class:`MulticlassFocalLoss` with ``gamma = 0``.

    .. math::

        L = -\alpha_t \log \mathrm{softmax}(z)_t

    Gradient ``alpha_t (p - onehot)``, Hessian diagonal ``alpha_t p_k (1 - p_k)``.
    ``alpha = bf.balanced_alpha(y, num_class)`` gives inverse-frequency weighting.
    """

    name: ClassVar[str] = "multiclass_balanced_cross_entropy"
    _fields: ClassVar[tuple[str, ...]] = ("num_class", "alpha")

    def __init__(self, num_class: int, alpha: ArrayLike | None) -> None:
        super().__init__(num_class=num_class, alpha=alpha, gamma=0.0, hessian="exact")
