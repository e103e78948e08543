"""Binary focal loss and alpha-balanced binary cross-entropy."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _validation as v
from .._numeric import Float
from ._base import _Labels, _Loss
from ._kernels import _binary_grad_hess, _binary_init_score, _binary_loss
from ._kinds import BinaryOutput, OutputKind

__all__ = ["BinaryBalancedCrossEntropy", "BinaryFocalLoss"]


class BinaryFocalLoss(_Loss):
    r"""Binary focal loss (Lin et al., 2017) on the raw margin ``z``.

    .. math::

        L(y=1, z) = -\alpha (1-p)^\gamma \log p, \qquad
        L(y=0, z) = -(1-\alpha) p^\gamma \log(1-p), \qquad p = \sigma(z)

    With ``s = 2y - 1``, ``t = s z``, ``a`` the sample's class weight, ``p = sigma(t)``,
    ``q = 1 - p``:

    .. math::

        \partial L / \partial z = a\, s\, q^\gamma (\gamma p \log p - q), \qquad
        \partial^2 L / \partial z^2 = a\, p\, q^\gamma (\gamma \log p\, (q - \gamma p) + q (2\gamma + 1))

    Parameters
    ----------
    alpha : float in (0, 1) or None, default 0.25
        Weight of the positive class; the negative class gets ``1 - alpha``.  ``None`` weights
        both classes 1.  The paper's best setting was ``alpha=0.25, gamma=2``.
    gamma : float in [0, 1000], default 2.0
        Focusing parameter.  ``gamma = 0`` is alpha-weighted cross-entropy.
    hessian : {"bounded", "exact", "weighted", "clip"}, default "bounded"
        What is returned as the second derivative.  For ``gamma > 0`` the exact one is negative
        for badly predicted samples (``t < -2.8`` at ``gamma = 2``) and a Newton booster divides
        by Hessian sums, so the default never returns a non-positive value:

        - ``"bounded"``: ``max(exact, weighted)``, floored at ``1e-16``.  ``weighted`` is the
          log-loss curvature ``p (1 - p)`` scaled by the same focal weight that scales the
          log-loss gradient, ``W = |dL/dz| / |p - y|``, i.e. ``-p f'(t)``.  Exact where the
          exact curvature is the larger (easy samples), the positive log-loss-like curvature
          where it is not (hard samples, where the exact one goes negative).
        - ``"exact"``: the true second derivative, negative where the mathematics says so.
        - ``"weighted"``: the weighted log-loss curvature alone (floored at ``1e-16``).
        - ``"clip"``: the exact value floored at ``1e-16`` (the common blog-post fix).

        In ``benchmarks/hessian_policy.py`` (fraud-style tables, 3 seeds, gamma 0.5 to 3) only
        ``"bounded"`` was stable with both engines' default parameters: ``"exact"`` and ``"clip"``
        diverged with LightGBM at ``gamma <= 1`` (margins in the thousands, PR-AUC 0.02-0.56
        against 0.40-0.69) and all four were within noise with XGBoost (its ``lambda=1``);
        ``"weighted"`` learns fastest early but ends with the highest validation loss.

        All four agree for ``gamma = 0`` (up to the 1e-16 floor, reached for ``|z| > 37``).
        Sample weights multiply the result, so a zero weight
        gives a zero Hessian, as in the engines' built-in objectives.
    """

    name: ClassVar[str] = "focal_loss"
    _fields: ClassVar[tuple[str, ...]] = ("alpha", "gamma", "hessian")
    alpha: float | None

    def __init__(self, alpha: float | None = 0.25, gamma: float = 2.0, hessian: str = "bounded") -> None:
        self._set(alpha=v.check_binary_alpha(alpha), gamma=v.check_gamma(gamma), hessian=v.check_hessian(hessian))

    @cached_property
    def kind(self) -> OutputKind:
        return BinaryOutput()

    def _check_labels(self, y: ArrayLike) -> NDArray[np.uint8]:
        return v.check_binary_labels(y).astype(np.uint8)

    def _alpha_table(self) -> Float:
        return np.ones(2) if self.alpha is None else np.array([1.0 - self.alpha, self.alpha])

    def _loss(self, labels: _Labels, raw: Float) -> Float:
        out = _binary_loss(labels.sign * raw, self.gamma)
        cw = labels.class_weight
        return out if cw is None else out * cw

    def _reference_grad_hess(self, labels: _Labels, z: Float) -> tuple[Float, Float]:
        sign = labels.sign
        d1, d2 = _binary_grad_hess(sign * z, self.gamma, self.hessian)
        d1 *= sign
        return d1, d2

    def _log_alpha(self) -> Float:
        a = 0.5 if self.alpha is None else self.alpha
        log_alpha: Float = np.log(np.array([1.0 - a, a]))
        return log_alpha

    def init_score(self, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """The constant raw score minimising the weighted mean training loss.

        Closed form for ``gamma = 0``: ``log(alpha sum w y / ((1 - alpha) sum w (1 - y)))``;
        otherwise found by bisection on the stationarity condition (see ``_optimal_constant``).
        Depends on the data only through the two class weight totals.
        """
        return _binary_init_score(self._class_totals(y, sample_weight), self._log_alpha(), self.gamma)

    def posterior(self, raw: ArrayLike) -> Float:
        r"""Recovered ``P(y=1 | x)`` from raw margins of a model trained with this loss, ``(n,)``.

        .. math::

            P(y=1|x) = 1 / (1 + \alpha |l'(p)| / ((1-\alpha) |l'(1-p)|)), \quad p = \sigma(z),
            \quad |l'(p)| = (1-p)^\gamma / p - \gamma (1-p)^{\gamma-1} \log p

        (Charoenphakdee et al., 2021).  For ``gamma = 0`` this undoes the alpha weighting:
        ``logit P = z + log((1 - alpha) / alpha)``.
        """
        return super().posterior(raw)

    def posterior_logit(self, raw: ArrayLike) -> Float:
        r"""Log-odds ``log(P(y=1|x) / P(y=0|x))`` of the recovered posterior, ``(n,)``:
        ``posterior(raw) = sigmoid(posterior_logit(raw))``, and it is ``> 0`` exactly where the
        posterior exceeds 1/2.

        .. math::

            \log \frac{P(y=1|x)}{P(y=0|x)} = \log \frac{1-\alpha}{\alpha}
            + \log |l'(1-p)| - \log |l'(p)|, \quad p = \sigma(z)
        """
        return super().posterior_logit(raw)

    def link(self, raw: ArrayLike) -> Float:
        """Plain ``sigma(raw) = 1 / (1 + exp(-raw))``; not the class probability of a focal model.

        See :meth:`posterior` for that.
        """
        return super().link(raw)


class BinaryBalancedCrossEntropy(BinaryFocalLoss):
    r"""Alpha-balanced binary cross-entropy: :class:`BinaryFocalLoss` with ``gamma = 0``.

    .. math::

        L = -\alpha\, y \log \sigma(z) - (1-\alpha)(1-y) \log(1-\sigma(z))

    Gradient ``a (sigma(z) - y)``, Hessian ``a sigma(z)(1 - sigma(z))`` with ``a`` the sample's
    class weight.  ``alpha = bf.balanced_alpha(y)`` gives inverse-frequency weighting.
    """

    name: ClassVar[str] = "balanced_cross_entropy"
    _fields: ClassVar[tuple[str, ...]] = ("alpha",)

    def __init__(self, alpha: float | None) -> None:
        super().__init__(alpha=alpha, gamma=0.0, hessian="exact")
