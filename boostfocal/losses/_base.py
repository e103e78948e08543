"""The base of every loss: checked labels, immutability, and the public checked methods."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _validation as v
from .._numeric import Float
from ._kernels import HESSIAN_FLOOR, _fast, _weighted
from ._kinds import IndependentOutputs, OutputKind, SoftmaxOutput


@dataclass(frozen=True)
class _Labels:
    """Labels and sample weights checked and converted once, reused on every boosting round.

    The compiled kernels read ``y``, ``alpha`` and ``weight``; the per-row arrays the numpy
    kernels and the metric need are derived on first use and kept (not rebuilt every round).
    """

    y: NDArray[Any]  # class index of each sample: uint8 0/1 (binary) or intp (multiclass)
    alpha: Float  # weight of each class: (1 - alpha, alpha) binary, (K,) multiclass; ones for None
    weight: Float | None  # sample weights (float64) or None

    @cached_property
    def sign(self) -> Float:
        """``2 y - 1`` as float64 (binary labels)."""
        return 2.0 * self.y - 1.0

    @cached_property
    def class_weight(self) -> Float | None:
        """Each sample's class weight (``alpha[y]``), or None when every class weighs 1."""
        return None if np.all(self.alpha == 1.0) else self.alpha[self.y]

    @cached_property
    def factor(self) -> Float | None:
        """Each sample's class weight times its sample weight, or None when all are 1."""
        cw = self.class_weight
        if self.weight is None:
            return cw
        return self.weight if cw is None else cw * self.weight


@dataclass(frozen=True)
class _MultilabelLabels(_Labels):
    """:class:`_Labels` of a multilabel loss: ``y`` is the ``(n, L)`` uint8 indicator matrix and
    ``alpha`` the ``(L, 2)`` table of class weights (column 0 negatives, 1 positives).  The class
    weight and the factor are per element, ``(n, L)``; :meth:`flat` gives the raveled arrays the
    compiled binary kernel reads."""

    @cached_property
    def class_weight(self) -> Float | None:
        """Each element's class weight ``alpha[l, y_il]``, ``(n, L)``, or None when all are 1."""
        if np.all(self.alpha == 1.0):
            return None
        return np.where(self.y == 1, self.alpha[:, 1], self.alpha[:, 0])

    @cached_property
    def factor(self) -> Float | None:
        """Each element's class weight times its row's sample weight, ``(n, L)``, or None when all are 1."""
        cw = self.class_weight
        if self.weight is None:
            return cw
        w = self.weight[:, None]
        return np.ascontiguousarray(np.broadcast_to(w, self.y.shape)) if cw is None else cw * w

    @cached_property
    def _flat_cache(self) -> dict[str, tuple[NDArray[Any], Float | None]]:
        return {}

    def flat(self, order: Literal["C", "F"]) -> tuple[NDArray[Any], Float | None]:
        """``y`` and :attr:`factor` raveled in memory ``order`` ("C" or "F"), kept for later rounds."""
        cache = self._flat_cache
        if order not in cache:
            f = self.factor
            cache[order] = (np.ravel(self.y, order=order), None if f is None else np.ravel(f, order=order))
        return cache[order]


def _out_like(raw: NDArray[Any], dtype: Any = np.float64) -> tuple[NDArray[Any], NDArray[Any]]:
    """Two empty arrays shaped like ``raw`` (same memory order, so LightGBM's F-ordered scores
    give F-ordered gradients it can flatten without a copy)."""
    order: Literal["C", "F"] = "F" if raw.ndim == 2 and raw.flags.f_contiguous and not raw.flags.c_contiguous else "C"
    return np.empty(raw.shape, dtype=dtype, order=order), np.empty(raw.shape, dtype=dtype, order=order)


def _kernel_input(raw: NDArray[Any]) -> NDArray[Any]:
    """``raw`` as a float32/float64 array contiguous in C or F order (what the kernels take)."""
    if raw.dtype != np.float32 and raw.dtype != np.float64:
        raw = raw.astype(np.float64)
    if not (raw.flags.c_contiguous or raw.flags.f_contiguous):
        raw = np.ascontiguousarray(raw)
    return raw


class _Loss:
    """Base of every loss: immutability, equality, repr, and the public checked methods.

    A loss defines the per-sample ``L(y, z)`` of the raw margin ``z`` (its class docstring gives the
    formula and derivatives); :meth:`loss` returns ``w L``, :meth:`grad_hess` ``w dL/dz`` and the
    second derivative under the Hessian policy, ``init_score`` ``argmin_c sum_i w_i L(y_i, c)``.
    """

    name: ClassVar[str]
    _fields: ClassVar[tuple[str, ...]]
    #: The container of checked labels and weights the kernels read (multilabel: its own).
    _labels_type: ClassVar[type[_Labels]] = _Labels

    @cached_property
    def kind(self) -> OutputKind:
        """The kind of output (:mod:`boostfocal.losses._kinds`): shapes, link, probability columns."""
        raise NotImplementedError

    @property
    def is_multiclass(self) -> bool:
        """Whether the margins are a softmax over classes (``kind`` is a :class:`SoftmaxOutput`)."""
        return isinstance(self.kind, SoftmaxOutput)

    @property
    def is_multilabel(self) -> bool:
        """Whether the margins are independent labels (``kind`` is an :class:`IndependentOutputs`)."""
        return isinstance(self.kind, IndependentOutputs)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; create a new loss instead")

    def __delattr__(self, key: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; create a new loss instead")

    def _set(self, **params: Any) -> None:
        for key, value in params.items():
            object.__setattr__(self, key, value)

    def _params(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self._fields}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={val!r}" for k, val in self._params().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._params() == self._params()

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self._params().items())))

    # subclasses provide these -------------------------------------------------------
    gamma: float
    hessian: str
    alpha: float | tuple[float, ...] | None

    def _prepare(
        self, y: ArrayLike, sample_weight: ArrayLike | None = None, weight_name: str = "sample_weight"
    ) -> _Labels:
        """Checked labels and weights (weights: ``None`` or ``n`` finite non-negative numbers)."""
        yy = self._check_labels(y)
        w = v.check_sample_weight(sample_weight, yy.shape[0], name=weight_name)
        return self._labels_type(yy, self._alpha_table(), w)

    def _unchecked_labels(self, y: NDArray[Any], weight: NDArray[Any] | None) -> _Labels | None:
        """An engine's own label and weight arrays (``weight`` None or of ``y``'s length) wrapped
        for the compiled kernels *without* checking or copying them: the kernels check every label
        and weight in their first pass and :meth:`_grad_hess` then raises :meth:`_prepare`'s
        error.  None when the numpy backend is in use (it needs :meth:`_prepare`'s arrays)."""
        if _fast() is None:
            return None
        return _Labels(y, self._alpha_table(), weight)

    def _check_labels(self, y: ArrayLike) -> NDArray[Any]:
        raise NotImplementedError

    def init_score(self, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float | Float:
        """The constant raw score(s) ``z0 = argmin_c sum_i w_i L(y_i, c)`` minimising the weighted
        mean training loss (each loss class gives its solution)."""
        raise NotImplementedError

    def _alpha_table(self) -> Float:
        raise NotImplementedError

    def _check_raw(self, raw: ArrayLike, n: int) -> Float:
        return self.kind.check_raw(raw, n)

    def _loss(self, labels: _Labels, raw: Float) -> Float:
        raise NotImplementedError

    def _reference_grad_hess(self, labels: _Labels, z: Float) -> tuple[Float, Float]:
        """Unweighted gradient and Hessian from the numpy reference kernels."""
        raise NotImplementedError

    def _grad_hess(
        self,
        labels: _Labels,
        raw: NDArray[Any],
        hess_scale: float = 1.0,
        out: tuple[NDArray[Any], NDArray[Any]] | None = None,
        name: str = "raw",
        threads: bool = True,
    ) -> tuple[NDArray[Any], NDArray[Any]]:
        """Weighted gradient and Hessian (Hessian times ``hess_scale``), written into ``out``
        (fresh float64 arrays if None).  ``raw`` has the right shape; NaN raises, +-inf is clipped.

        Uses the compiled kernel when numba is installed, else the numpy reference kernels.
        """
        fast = _fast()
        if fast is not None:
            z = _kernel_input(raw)
            if out is None:
                out = _out_like(z)
            kernel = getattr(fast, self.kind.kernel)
            bad = kernel(
                z,
                labels.y,
                labels.alpha,
                labels.weight,
                self.gamma,
                fast.gamma_kind(self.gamma),
                fast.POLICY_CODES[self.hessian],
                HESSIAN_FLOOR,
                hess_scale,
                out[0],
                out[1],
                threads,
            )
            if bad < 0:  # labels or weights the checks reject (see _unchecked_labels)
                self._prepare(labels.y, labels.weight, weight_name="weight")  # raises, naming them
                raise ValueError("invalid labels or weights")  # unreachable: the checks agree
            if bad:
                raise ValueError(f"{name} contains NaN margins")
            return out
        z = v._finite_margins(np.asarray(raw, dtype=np.float64), name)
        g, h = self._reference_grad_hess(labels, z)
        _weighted(g, h, labels.factor)
        if hess_scale != 1.0:
            h *= hess_scale
        if out is None:
            return g, h
        out[0][...] = g
        out[1][...] = h
        return out

    def _log_alpha(self) -> Float:
        raise NotImplementedError

    @property
    def num_outputs(self) -> int:
        """Raw scores per sample: 1 for binary losses, ``num_class`` / ``num_labels`` otherwise."""
        return self.kind.outputs

    # public, checked API ------------------------------------------------------------
    def loss(self, y: ArrayLike, raw: ArrayLike, sample_weight: ArrayLike | None = None) -> Float:
        """Per-sample loss ``w_i L(y_i, raw_i)``, shape ``(n,)`` (``w_i = 1`` without ``sample_weight``).

        ``L`` is the formula of the class docstring.
        """
        labels = self._prepare(y, sample_weight)
        out = self._loss(labels, self._check_raw(raw, labels.y.shape[0]))
        return out if labels.weight is None else out * labels.weight

    def grad_hess(self, y: ArrayLike, raw: ArrayLike, sample_weight: ArrayLike | None = None) -> tuple[Float, Float]:
        """``(w_i dL/draw, w_i d2L/draw^2)``, each shaped like ``raw`` (multiclass: the diagonal Hessian).

        The derivatives are given in the class docstring; the second one is returned as the
        ``hessian`` policy says (``"bounded"`` by default: never below 1e-16 for a positive weight).
        """
        labels = self._prepare(y, sample_weight)
        g, h = self._grad_hess(labels, self._check_raw(raw, labels.y.shape[0]))
        if np.ndim(raw) == 2 and g.ndim == 1:  # (n, 1) in, (n, 1) out
            return g[:, None], h[:, None]
        return g, h

    def _class_totals(self, y: ArrayLike, sample_weight: ArrayLike | None) -> Float:
        labels = self._prepare(y, sample_weight)
        k = self.kind.columns
        with np.errstate(over="ignore"):
            totals = np.bincount(labels.y, weights=labels.weight, minlength=k).astype(np.float64)
        return v.check_class_totals(totals)

    def _mean(self, labels: _Labels, raw: Float, weight_name: str = "sample_weight") -> float:
        """The evaluation metric from checked labels and margins: the weighted mean loss per row
        (multilabel: per row and label), ``sum_i w_i L(y_i, z_i) / sum_i w_i`` (divided by ``L``)."""
        per_sample = self._loss(labels, raw) / (self.num_outputs if self.is_multilabel else 1)
        w = labels.weight
        if w is None:
            return float(per_sample.mean())
        total = w.sum()
        if not total > 0:
            raise ValueError(f"{weight_name} sums to 0: the weighted mean loss is undefined")
        return float(np.dot(per_sample, w) / total)

    def mean_loss(self, y: ArrayLike, raw: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """The evaluation metric: the weighted mean loss ``sum_i w_i L(y_i, z_i) / sum_i w_i``
        (multilabel: divided by ``L`` as well, the mean over rows and labels)."""
        labels = self._prepare(y, sample_weight)
        return self._mean(labels, self._check_raw(raw, labels.y.shape[0]))

    def link(self, raw: ArrayLike) -> Float:
        """The plain inverse link (sigmoid or softmax of ``raw``: :meth:`OutputKind.link`).

        This is *not* the class probability of a focal-trained model (use :meth:`posterior`);
        it is for ``gamma = 0`` and ``alpha = None`` only, or for comparison.
        """
        return self.kind.link(raw)

    def posterior(self, raw: ArrayLike) -> Float:
        """The recovered class probabilities (each loss class gives the formula)."""
        return self.kind.posterior(raw, self._log_alpha(), self.gamma)

    def posterior_logit(self, raw: ArrayLike) -> Float:
        """The recovered posterior as log-odds or log-probabilities (each loss class gives the formula)."""
        return self.kind.posterior_logit(raw, self._log_alpha(), self.gamma)
