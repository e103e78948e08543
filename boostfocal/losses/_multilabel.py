"""Multilabel focal loss and alpha-balanced log-loss per label: ``L`` independent binary problems."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _validation as v
from .._numeric import Float
from ._base import _kernel_input, _Labels, _Loss, _MultilabelLabels, _out_like
from ._binary import BinaryFocalLoss
from ._kernels import HESSIAN_FLOOR, _binary_grad_hess, _binary_init_score, _binary_loss, _fast
from ._kinds import IndependentOutputs, OutputKind

__all__ = ["MultilabelBalancedCrossEntropy", "MultilabelFocalLoss"]


class MultilabelFocalLoss(_Loss):
    r"""Multilabel focal loss: one binary focal loss per label on ``(n, L)`` raw margins ``z``.

    ``y`` is an ``(n, L)`` 0/1 indicator matrix (a row may hold any number of ones).  Label ``l``
    is its own binary problem on the column ``z[:, l]``, with the shared ``gamma`` and its own
    class weight ``alpha_l``; the loss of a row is the sum over its labels:

    .. math::

        L(y_i, z_i) = \sum_{l=1}^{L} \ell_l(y_{il}, z_{il}), \qquad
        \ell_l(1, z) = -\alpha_l (1-p)^\gamma \log p, \quad
        \ell_l(0, z) = -(1-\alpha_l) p^\gamma \log(1-p), \quad p = \sigma(z)

    Each column's derivatives are :class:`BinaryFocalLoss`'s (computed by the same kernels, element
    by element): with ``s = 2 y_il - 1``, ``t = s z_il``, ``a`` the element's class weight,
    ``p = sigma(t)``, ``q = 1 - p``,

    .. math::

        \partial L / \partial z_{il} = a\, s\, q^\gamma (\gamma p \log p - q), \qquad
        \partial^2 L / \partial z_{il}^2 = a\, p\, q^\gamma (\gamma \log p\, (q - \gamma p) + q (2\gamma + 1))

    and the Hessian is diagonal (labels do not interact).  The initial score is the binary one of
    each column, ``(L,)``; the recovered posterior is the binary one of each column, ``(n, L)``
    (Charoenphakdee et al., 2021).  With ``L = 1`` this is :class:`BinaryFocalLoss` on ``z[:, 0]``.

    Parameters
    ----------
    num_labels : int >= 1
        ``L``, the number of label columns.
    alpha : None, float in (0, 1), or sequence of ``num_labels`` floats in (0, 1), default None
        Weight of the positive class of each label (a float: the same for every label); the
        negatives of label ``l`` get ``1 - alpha_l``.  ``None`` weights both classes 1.  For
        per-label inverse frequencies use ``alpha=bf.balanced_alpha(Y, multilabel=True)``.
    gamma : float in [0, 1000], default 2.0
        Focusing parameter, shared by the labels.  ``gamma = 0`` is alpha-weighted log-loss per label.
    hessian : {"bounded", "exact", "weighted", "clip"}, default "bounded"
        As for :class:`BinaryFocalLoss`, element by element.

    Notes
    -----
    ``kind`` is :class:`~boostfocal.losses.IndependentOutputs`: the margins are not a softmax, and
    :meth:`grad_hess` returns the mathematical Hessian with no multiclass scaling.  :meth:`loss`
    is the per-row sum over labels (the function :meth:`grad_hess` differentiates); the evaluation
    metric is :meth:`mean_loss`, the weighted mean over rows and labels.
    """

    name: ClassVar[str] = "multilabel_focal_loss"
    _fields: ClassVar[tuple[str, ...]] = ("num_labels", "alpha", "gamma", "hessian")
    _labels_type: ClassVar[type[_Labels]] = _MultilabelLabels
    num_labels: int
    alpha: float | tuple[float, ...] | None

    def __init__(
        self,
        num_labels: int,
        alpha: float | ArrayLike | None = None,
        gamma: float = 2.0,
        hessian: str = "bounded",
    ) -> None:
        n_labels = v.check_num_labels(num_labels)
        self._set(
            num_labels=n_labels,
            alpha=v.check_multilabel_alpha(alpha, n_labels),
            gamma=v.check_gamma(gamma),
            hessian=v.check_hessian(hessian),
        )

    @cached_property
    def kind(self) -> OutputKind:
        return IndependentOutputs(self.num_labels)

    def _positive_alpha(self) -> Float:
        """``alpha_l`` of each label, ``(L,)`` (0.5 for None: only their ratio to 1 - alpha_l matters
        where this is used)."""
        a = 0.5 if self.alpha is None else self.alpha
        return np.broadcast_to(np.asarray(a, dtype=np.float64), (self.num_labels,))

    def _alpha_table(self) -> Float:
        if self.alpha is None:
            return np.ones((self.num_labels, 2))
        a = self._positive_alpha()
        return np.stack([1.0 - a, a], axis=1)

    def _log_alpha(self) -> Float:
        a = self._positive_alpha()
        return np.log(np.stack([1.0 - a, a], axis=1))

    def _check_labels(self, y: ArrayLike) -> NDArray[np.uint8]:
        return v.check_multilabel_labels(y, self.num_labels)

    def _unchecked_labels(self, y: NDArray[Any], weight: NDArray[Any] | None) -> _Labels | None:
        """As :meth:`_Loss._unchecked_labels`, for an ``(n, L)`` label matrix (None otherwise)."""
        if _fast() is None or np.ndim(y) != 2 or np.shape(y)[1] != self.num_labels:
            return None
        return _MultilabelLabels(y, self._alpha_table(), weight)

    def _label_loss(self, labels: _Labels, raw: Float) -> Float:
        """Per-element ``alpha``-weighted binary focal loss, ``(n, L)``, without the sample weights."""
        out = _binary_loss(labels.sign * raw, self.gamma)
        cw = labels.class_weight
        return out if cw is None else out * cw

    def _loss(self, labels: _Labels, raw: Float) -> Float:
        row_sums: Float = self._label_loss(labels, raw).sum(axis=1)
        return row_sums

    def _reference_grad_hess(self, labels: _Labels, z: Float) -> tuple[Float, Float]:
        sign = labels.sign
        d1, d2 = _binary_grad_hess(sign * z, self.gamma, self.hessian)
        d1 *= sign
        return d1, d2

    def _grad_hess(
        self,
        labels: _Labels,
        raw: NDArray[Any],
        hess_scale: float = 1.0,
        out: tuple[NDArray[Any], NDArray[Any]] | None = None,
        name: str = "raw",
        threads: bool = True,
    ) -> tuple[NDArray[Any], NDArray[Any]]:
        """As :meth:`_Loss._grad_hess`.  The compiled path is the binary kernel run over the raveled
        ``(n, L)`` arrays, each element's class weight times its sample weight passed as its weight."""
        fast = _fast()
        if fast is None:
            return super()._grad_hess(labels, raw, hess_scale, out, name, threads)
        assert isinstance(labels, _MultilabelLabels)
        z = _kernel_input(raw)
        order: Literal["C", "F"] = "F" if z.flags.f_contiguous and not z.flags.c_contiguous else "C"
        if out is None:
            out = _out_like(z)
        flag: Literal["C_CONTIGUOUS", "F_CONTIGUOUS"] = "F_CONTIGUOUS" if order == "F" else "C_CONTIGUOUS"
        target = out if all(a.flags[flag] for a in out) else _out_like(z, out[0].dtype)
        y_flat, factor_flat = labels.flat(order)
        bad = fast.binary_grad_hess(
            z.ravel(order),
            y_flat,
            _UNIT_CLASS_WEIGHTS,
            factor_flat,
            self.gamma,
            fast.gamma_kind(self.gamma),
            fast.POLICY_CODES[self.hessian],
            HESSIAN_FLOOR,
            hess_scale,
            target[0].ravel(order),
            target[1].ravel(order),
            threads,
        )
        if bad < 0:  # labels or weights the checks reject (see _unchecked_labels)
            self._prepare(labels.y, labels.weight, weight_name="weight")  # raises, naming them
            raise ValueError("invalid labels or weights")  # unreachable: the checks agree
        if bad:
            raise ValueError(f"{name} contains NaN margins")
        if target is not out:
            out[0][...] = target[0]
            out[1][...] = target[1]
        return out

    def binary_loss(self, label: int) -> BinaryFocalLoss:
        """The :class:`BinaryFocalLoss` of label ``label``'s column: the same ``gamma`` and Hessian
        policy, ``alpha = alpha_label`` (None if this loss has none).  Its loss, derivatives,
        initial score and posterior on ``z[:, label]`` are this loss's for that column (one booster
        per label, as on LightGBM, trains with it)."""
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label < self.num_labels:
            raise ValueError(f"label must be an integer in [0, {self.num_labels}), got {label!r}")
        alpha = None if self.alpha is None else float(self._positive_alpha()[label])
        return BinaryFocalLoss(alpha=alpha, gamma=self.gamma, hessian=self.hessian)

    def _label_totals(self, y: ArrayLike, sample_weight: ArrayLike | None) -> Float:
        """Class weight totals of each label, ``(L, 2)``: ``(sum_i w_i (1 - y_il), sum_i w_i y_il)``."""
        labels = self._prepare(y, sample_weight)
        with np.errstate(over="ignore"):  # summed as the binary loss sums them (_class_totals)
            totals = np.array([np.bincount(col, weights=labels.weight, minlength=2) for col in labels.y.T])
        return v.check_label_totals(totals.astype(np.float64))

    def _label_means(self, labels: _Labels, raw: Float) -> Float:
        """Weighted mean loss of each label, ``(L,)``, from checked labels and margins."""
        per = self._label_loss(labels, raw)
        w = labels.weight
        means: Float
        if w is None:
            means = per.mean(axis=0)
            return means
        total = w.sum()
        if not total > 0:
            raise ValueError("sample_weight sums to 0: the weighted mean loss is undefined")
        means = (w @ per) / total
        return means

    def label_loss(self, y: ArrayLike, raw: ArrayLike, sample_weight: ArrayLike | None = None) -> Float:
        """Per-element loss ``w_i l_l(y_il, z_il)``, ``(n, L)`` (:meth:`loss` is its row sum).

        ``l_l(1, z) = -alpha_l (1 - sigma(z))^gamma log sigma(z)``,
        ``l_l(0, z) = -(1 - alpha_l) sigma(z)^gamma log(1 - sigma(z))``.
        """
        labels = self._prepare(y, sample_weight)
        out = self._label_loss(labels, self._check_raw(raw, labels.y.shape[0]))
        return out if labels.weight is None else out * labels.weight[:, None]

    def mean_label_loss(self, y: ArrayLike, raw: ArrayLike, sample_weight: ArrayLike | None = None) -> Float:
        """Weighted mean loss of each label, ``(L,)``: ``sum_i w_i l_l(y_il, z_il) / sum_i w_i``."""
        labels = self._prepare(y, sample_weight)
        return self._label_means(labels, self._check_raw(raw, labels.y.shape[0]))

    def init_score(self, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Float:
        """The constant raw scores ``(L,)`` minimising the weighted mean training loss: for each
        label the binary initial score of its column (:meth:`BinaryFocalLoss.init_score`).

        Closed form for ``gamma = 0``: ``c_l = log(alpha_l sum_i w_i y_il / ((1 - alpha_l) sum_i w_i (1 - y_il)))``;
        otherwise the binary stationarity condition is solved per column.  Every column needs
        both classes.
        """
        totals = self._label_totals(y, sample_weight)
        la = self._log_alpha()
        return np.array([_binary_init_score(t, a, self.gamma) for t, a in zip(totals, la, strict=True)])

    def posterior(self, raw: ArrayLike) -> Float:
        """Recovered ``P(y_l = 1 | x)`` of every label, ``(n, L)``: column ``l`` is
        :meth:`BinaryFocalLoss.posterior` of ``z[:, l]`` with ``alpha_l``,

        ``P = 1 / (1 + alpha_l |l'(p)| / ((1 - alpha_l) |l'(1 - p)|))``, ``p = sigma(z_l)``
        (Charoenphakdee et al., 2021).  For ``gamma = 0``: ``sigma(z_l + log((1 - alpha_l) / alpha_l))``.
        """
        return super().posterior(raw)

    def posterior_logit(self, raw: ArrayLike) -> Float:
        """Log-odds of the recovered posterior of every label, ``(n, L)``:

        ``log(P(y_l=1|x) / P(y_l=0|x)) = log((1-alpha_l)/alpha_l) + log|l'(1-p)| - log|l'(p)|``,
        ``p = sigma(z_l)``; ``posterior(raw) = sigmoid(posterior_logit(raw))``.
        """
        return super().posterior_logit(raw)

    def link(self, raw: ArrayLike) -> Float:
        """Plain ``sigma(raw) = 1 / (1 + exp(-raw))`` element by element, ``(n, L)``; not the label
        probabilities of a focal model (see :meth:`posterior`)."""
        return super().link(raw)


class MultilabelBalancedCrossEntropy(MultilabelFocalLoss):
    r"""Alpha-balanced log-loss per label: :class:`MultilabelFocalLoss` with ``gamma = 0``.

    .. math::

        L = -\sum_l \left[\alpha_l\, y_l \log \sigma(z_l) + (1-\alpha_l)(1-y_l) \log(1-\sigma(z_l)) \right]

    Gradient ``a_l (sigma(z_l) - y_l)``, Hessian ``a_l sigma(z_l)(1 - sigma(z_l))`` with ``a_l`` the
    element's class weight.  ``alpha = bf.balanced_alpha(Y, multilabel=True)`` gives per-label
    inverse-frequency weighting.
    """

    name: ClassVar[str] = "multilabel_balanced_cross_entropy"
    _fields: ClassVar[tuple[str, ...]] = ("num_labels", "alpha")

    def __init__(self, num_labels: int, alpha: float | ArrayLike | None) -> None:
        super().__init__(num_labels=num_labels, alpha=alpha, gamma=0.0, hessian="exact")


#: Class weights ``(1, 1)`` for the compiled binary kernel when the multilabel loss passes each
#: element's class weight inside its per-element weight.
_UNIT_CLASS_WEIGHTS = np.ones(2)
