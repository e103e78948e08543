"""Focal loss and alpha-balanced cross-entropy: value, gradient, Hessian, initial score, posterior.

This module is the only place in boostfocal that holds loss mathematics.  Engine adapters,
estimators, metrics and the tuner all call the objects defined here.

Notation: ``z`` is the raw margin the booster outputs, ``sigma`` the logistic function,
``gamma >= 0`` the focusing parameter and ``alpha`` the class weights.  Sample weights
multiply the loss, the gradient and the Hessian.

References
----------
Lin, Goyal, Girshick, He, Dollar. "Focal Loss for Dense Object Detection", ICCV 2017.
https://arxiv.org/abs/1708.02002

Charoenphakdee, Vongkulbhisal, Chairatanakul, Sugiyama. "On Focal Loss for Class-Posterior
Probability Estimation: A Theoretical Perspective", CVPR 2021. https://arxiv.org/abs/2011.09172
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _validation as v
from ._numeric import Float, log_sigmoid, sigmoid_pieces, softmax_pieces, xlogx_ratio
from ._numeric import sigmoid as _sigmoid
from ._numeric import softmax as _softmax

#: Smallest Hessian (per unit weight) handed out by every policy except ``"exact"``.
HESSIAN_FLOOR = 1e-16

_UNSET: Any = object()
_fast_module: Any = _UNSET


def _fast() -> Any:
    """The compiled kernels (:mod:`boostfocal._fast`) if numba is installed, else None.

    Imported on the first gradient call, not at ``import boostfocal``.  ``BOOSTFOCAL_BACKEND``
    = ``numpy`` forces the reference numpy kernels; ``numba`` makes a missing numba an error.
    """
    global _fast_module
    if _fast_module is _UNSET:
        choice = os.environ.get("BOOSTFOCAL_BACKEND", "auto").lower()
        if choice not in ("auto", "numpy", "numba"):
            raise ValueError(f"BOOSTFOCAL_BACKEND must be auto, numpy or numba, got {choice!r}")
        if choice == "numpy":
            _fast_module = None
        else:
            try:
                from . import _fast as module
            except ImportError:
                if choice == "numba":
                    raise
                module = None
            _fast_module = module
    return _fast_module


def _weighted(g: Float, h: Float, factor: Float | None) -> None:
    """Multiply gradient and Hessian in place by ``factor``: per sample ``(n,)`` (a row of a
    multiclass matrix shares it), or per element (``factor`` shaped like ``g``: multilabel)."""
    if factor is not None:
        f = factor if factor.ndim == g.ndim else factor[:, None]
        g *= f
        h *= f


# --------------------------------------------------------------------------------------
# Kernels (arrays in, arrays out; no validation)
# --------------------------------------------------------------------------------------


def _focal_factor(q: Float, log_q: Float, gamma: float) -> Float | float:
    """``q ** gamma`` computed as ``exp(gamma * log q)``; exact cheaper paths for 0, 1, 2."""
    if gamma == 0.0:
        return 1.0
    if gamma == 1.0:
        return q
    if gamma == 2.0:
        return q * q
    return np.exp(gamma * log_q)


def _apply_policy(exact: Float | None, weighted: Float, policy: str) -> Float:
    """Combine the exact second derivative and the weighted log-loss curvature by ``policy``."""
    if policy == "exact":
        assert exact is not None
        return exact
    if policy == "weighted":
        h = weighted
    elif policy == "bounded":
        assert exact is not None
        h = np.maximum(exact, weighted)
    else:  # "clip"
        assert exact is not None
        h = exact
    return np.maximum(h, HESSIAN_FLOOR)


def _binary_loss(t: Float, gamma: float) -> Float:
    """Per-sample ``f(t) = -(1 - sigma(t))^gamma log sigma(t)`` with ``t = s z``."""
    _, q, log_p, log_q = sigmoid_pieces(t)
    return -_focal_factor(q, log_q, gamma) * log_p


def _binary_grad_hess(t: Float, gamma: float, policy: str) -> tuple[Float, Float]:
    """``f'(t)`` and the policy's ``f''(t)`` for ``f(t) = -(1-sigma(t))^gamma log sigma(t)``.

    With ``p = sigma(t)``, ``q = 1 - p``:

        f'(t)  = q^g (g p log p - q)                         (always < 0)
        f''(t) = p q^g (g log p (q - g p) + q (2g + 1))      (exact; < 0 for hard examples)
        weighted curvature = -p f'(t) = p q^g (q - g p log p) (> 0)
    """
    p, q, log_p, log_q = sigmoid_pieces(t)
    qg = _focal_factor(q, log_q, gamma)
    gp_logp = gamma * p * log_p
    d1 = qg * (gp_logp - q)
    weighted = -p * d1
    exact = None
    if policy != "weighted":
        exact = p * qg * (gamma * log_p * (q - gamma * p) + q * (2.0 * gamma + 1.0))
    return d1, _apply_policy(exact, weighted, policy)


def _multiclass_loss(raw: Float, y: NDArray[np.intp], gamma: float) -> Float:
    """Per-sample ``-(1 - u)^gamma log u`` with ``u = softmax(raw)[y]``."""
    n = raw.shape[0]
    rows = np.arange(n)
    _, log_p, log_om = softmax_pieces(raw)
    log_u = log_p[rows, y]
    log_v = log_om[rows, y]
    return -_focal_factor(np.exp(log_v), log_v, gamma) * log_u


def _multiclass_grad_hess(raw: Float, y: NDArray[np.intp], gamma: float, policy: str) -> tuple[Float, Float]:
    """Gradient and diagonal Hessian of ``-(1-u)^g log u``, ``u = softmax(z)_t``, w.r.t. ``z``.

    With ``v = 1 - u``, ``L = log u``, ``c = g u L / v`` (in ``[-g, 0]``) and the focal weight
    ``W = v^g (1 - c) >= 0``:

        dL/dz_k              = W (p_k - [k = t])
        weighted curvature_k = W p_k (1 - p_k)
        exact d2L/dz_k^2     = weighted_k + v^g B rho_k^2,
            B = g u (L (v - (g - 1) u) + 2 v),  rho_t = 1,  rho_k = p_k / v (k != t)

    This is the exact diagonal ``(f'(u) u^2 + f(u) u) d_k^2 - f(u) u p_k (1 - p_k)``, with
    ``f(u) = d/du [-(1-u)^g log u]`` and ``d_k = [k = t] - p_k``, with the factors
    ``v^(g-2)``, ``v^(g-1)`` combined with ``d_k^2``, ``d_k`` so that ``u -> 1`` gives 0, not NaN.
    ``1 - p_k`` is taken as a sum of the other classes, so deeply wrong rows keep their digits.
    """
    n = raw.shape[0]
    rows = np.arange(n)
    amax = raw.argmax(axis=1)
    shifted = raw - raw[rows, amax][:, None]
    e = np.exp(shifted)
    e_t = e[rows, y]
    e[rows, y] = 0.0
    s_nt = e.sum(axis=1)  # sum over classes other than the true one
    e[rows, y] = e_t
    e[rows, amax] = 0.0
    s_rest = e.sum(axis=1)  # sum over classes other than the arg-max
    e[rows, amax] = 1.0
    s = 1.0 + s_rest
    top = y == amax
    log_u = shifted[rows, y] - np.where(top, np.log1p(s_nt), np.log(s))
    u = e_t / s
    vv = s_nt / s
    p = e / s[:, None]
    om = 1.0 - p
    om[rows, amax] = s_rest / s
    c = gamma * xlogx_ratio(log_u)
    vg = vv**gamma
    w_focal = vg * (1.0 - c)
    grad = p.copy()
    grad[rows, y] = -vv
    grad *= w_focal[:, None]
    weighted = p * om
    weighted[rows, y] = u * vv
    weighted *= w_focal[:, None]
    exact = None
    if policy != "weighted":
        b = gamma * u * (log_u * (vv - (gamma - 1.0) * u) + 2.0 * vv)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            rho = np.where(s_nt[:, None] > 0, e / s_nt[:, None], 0.0)
        rho[rows, y] = 1.0
        exact = weighted + (vg * b)[:, None] * rho * rho
    return grad, _apply_policy(exact, weighted, policy)


def _log_focal_slope(log_p: Float, log_om: Float, gamma: float) -> Float:
    """``log |l'(p)|`` for ``l(p) = -(1-p)^gamma log p``, from ``log p`` and ``log(1-p)``.

    ``|l'(p)| = (1-p)^g / p - g (1-p)^(g-1) log p = (1-p)^g (1/p) (1 - g p log p / (1-p))``, so

        log |l'(p)| = g log(1-p) - log p + log1p(-g * xlogx_ratio(log p)),

    finite for every finite margin, strictly decreasing in p.
    """
    out = -log_p + np.log1p(-gamma * xlogx_ratio(log_p))
    if gamma != 0.0:
        out = out + gamma * log_om
    return out


def _posterior_scores(log_p: Float, log_om: Float, log_alpha: Float | float, gamma: float) -> Float:
    """Unnormalised log posterior ``log P(y=k|x) + const = -log alpha_k - log |l'(p_k)|``.

    Setting the derivative of the expected loss ``sum_k P_k alpha_k l(p_k)`` on the simplex to
    zero gives ``P_k alpha_k |l'(p_k)| = const`` (Charoenphakdee et al. 2021).
    """
    return -log_alpha - _log_focal_slope(log_p, log_om, gamma)


def _binary_posterior_logit(z: Float, log_alpha0: Float | float, log_alpha1: Float | float, gamma: float) -> Float:
    """Log-odds of the recovered binary posterior at margins ``z`` (any shape; the class weights'
    logs broadcast against it):

        log P(y=1|x) / P(y=0|x) = log(alpha_0 / alpha_1) + log |l'(1-p)| - log |l'(p)|,  p = sigma(z)
    """
    lp, lq = log_sigmoid(z), log_sigmoid(-z)
    return _posterior_scores(lp, lq, log_alpha1, gamma) - _posterior_scores(lq, lp, log_alpha0, gamma)


def _binary_init_score(totals: Float, log_alpha: Float, gamma: float) -> float:
    """The constant binary margin minimising ``W_0 a_0 l(1 - sigma(c)) + W_1 a_1 l(sigma(c))``, from
    the class weight totals ``(W_0, W_1)`` and ``log (a_0, a_1)``: ``log pi_1 - log pi_0`` of
    :func:`_optimal_constant`."""
    log_pi = _optimal_constant(totals, log_alpha, gamma)
    return float(log_pi[1] - log_pi[0])


def _optimal_constant(class_weight: Float, log_alpha: Float, gamma: float, *, nested: bool = False) -> Float:
    """Log-probabilities ``log pi`` minimising ``sum_k c_k l(pi_k)`` over the simplex.

    ``class_weight`` holds the total sample weight of each class and ``c_k`` is that times
    ``alpha_k``.  Stationarity: ``log c_k + log|l'(pi_k)| = log mu`` for all k and
    ``sum pi_k = 1``; ``log|l'|`` is strictly decreasing, so an inner bisection finds each
    ``pi_k`` for a given ``mu`` (in logit space) and Brent's method finds ``mu``.  Two classes
    (unless ``nested``): ``pi_1 = sigma(x)``, ``pi_0 = sigma(-x)`` and Brent's method solves the one
    equation ``log c_1 + log|l'(sigma(x))| = log c_0 + log|l'(sigma(-x))|`` for ``x``.  With
    ``gamma = 0`` this is the closed form ``pi_k = alpha_k W_k / sum_j alpha_j W_j``.
    """
    from scipy.optimize import brentq  # imported here: scipy.optimize is slow to import

    log_c = np.log(class_weight) + log_alpha
    lim = 200.0

    def phi(x: Float) -> Float:
        return _log_focal_slope(log_sigmoid(x), log_sigmoid(-x), gamma)

    if log_c.shape == (2,) and not nested:
        # one equation in x, decreasing: one root finder, no inner bisection
        def gap(x: float) -> float:
            both = phi(np.array([x, -x]))
            return float((log_c[1] + both[0]) - (log_c[0] + both[1]))

        if gap(-lim) > 0.0 > gap(lim):
            x = brentq(gap, -lim, lim, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
            return log_sigmoid(np.array([-x, x]))

    def logits_for(log_mu: float) -> Float:
        target = log_mu - log_c
        lo = np.full_like(log_c, -lim)
        hi = np.full_like(log_c, lim)
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            too_small = phi(mid) > target  # phi decreasing: need a larger x
            lo = np.where(too_small, mid, lo)
            hi = np.where(too_small, hi, mid)
        return 0.5 * (lo + hi)

    def excess(log_mu: float) -> float:
        ls = log_sigmoid(logits_for(log_mu))
        return float(np.logaddexp.reduce(ls))  # log sum pi; 0 at the solution, decreasing

    a = float(np.min(log_c + phi(np.array(lim))))
    b = float(np.max(log_c + phi(np.array(-lim))))
    log_mu = brentq(excess, a, b, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    ls = log_sigmoid(logits_for(log_mu))
    return ls - np.logaddexp.reduce(ls)


# --------------------------------------------------------------------------------------
# Public loss objects
# --------------------------------------------------------------------------------------


def _rows(raw: ArrayLike, ndim: int) -> int:
    """Number of rows of ``raw``, which must be ``ndim``-dimensional (binary: 1, multiclass: 2)."""
    shape = np.shape(raw)
    if len(shape) != ndim and not (ndim == 1 and len(shape) == 2 and shape[1] == 1):
        expected = "(n,)" if ndim == 1 else "(n, num_class)"
        raise ValueError(f"raw must have shape {expected}, got {shape}")
    return int(shape[0])


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

    def flat(self, order: str) -> tuple[NDArray[Any], Float | None]:
        """``y`` and :attr:`factor` raveled in memory ``order`` ("C" or "F"), kept for later rounds."""
        cache = self._flat_cache
        if order not in cache:
            f = self.factor
            cache[order] = (np.ravel(self.y, order=order), None if f is None else np.ravel(f, order=order))
        return cache[order]


def _out_like(raw: NDArray[Any], dtype: Any = np.float64) -> tuple[Float, Float]:
    """Two empty arrays shaped like ``raw`` (same memory order, so LightGBM's F-ordered scores
    give F-ordered gradients it can flatten without a copy)."""
    order = "F" if raw.ndim == 2 and raw.flags.f_contiguous and not raw.flags.c_contiguous else "C"
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
    is_multiclass: ClassVar[bool]
    #: True for the multilabel losses: ``(n, L)`` margins and 0/1 labels, one binary problem per
    #: column (``is_multiclass`` is False for them: no softmax, no multiclass Hessian scaling).
    is_multilabel: ClassVar[bool] = False
    _fields: ClassVar[tuple[str, ...]]

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
        return type(other) is type(self) and other._params() == self._params()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self._params().items())))

    # subclasses provide these -------------------------------------------------------
    gamma: float
    hessian: str

    def _prepare(
        self, y: ArrayLike, sample_weight: ArrayLike | None = None, weight_name: str = "sample_weight"
    ) -> _Labels:
        """Checked labels and weights (weights: ``None`` or ``n`` finite non-negative numbers)."""
        yy = self._check_labels(y)
        w = v.check_sample_weight(sample_weight, yy.shape[0], name=weight_name)
        return _Labels(yy, self._alpha_table(), w)

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

    def _alpha_table(self) -> Float:
        raise NotImplementedError

    def _check_raw(self, raw: ArrayLike, n: int) -> Float:
        raise NotImplementedError

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
            kernel = fast.multiclass_grad_hess if self.is_multiclass else fast.binary_grad_hess
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
        """Raw scores per sample: 1 for binary losses, ``num_class`` for multiclass ones."""
        raise NotImplementedError

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
        k = max(self.num_outputs, 2)
        with np.errstate(over="ignore"):
            totals = np.bincount(labels.y, weights=labels.weight, minlength=k).astype(np.float64)
        return v.check_class_totals(totals)

    def link(self, raw: ArrayLike) -> Float:
        """The plain inverse link (sigmoid or softmax of ``raw``).

        This is *not* the class probability of a focal-trained model (use the subclass's ``posterior``);
        it is for ``gamma = 0`` and ``alpha = None`` only, or for comparison.
        """
        raise NotImplementedError


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
    is_multiclass: ClassVar[bool] = False
    _fields: ClassVar[tuple[str, ...]] = ("alpha", "gamma", "hessian")
    alpha: float | None

    def __init__(self, alpha: float | None = 0.25, gamma: float = 2.0, hessian: str = "bounded") -> None:
        self._set(alpha=v.check_binary_alpha(alpha), gamma=v.check_gamma(gamma), hessian=v.check_hessian(hessian))

    @property
    def num_outputs(self) -> int:
        return 1

    def _check_labels(self, y: ArrayLike) -> NDArray[np.uint8]:
        return v.check_binary_labels(y).astype(np.uint8)

    def _alpha_table(self) -> Float:
        return np.ones(2) if self.alpha is None else np.array([1.0 - self.alpha, self.alpha])

    def _check_raw(self, raw: ArrayLike, n: int) -> Float:
        return v.check_binary_raw(raw, n)

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
        return np.log(np.array([1.0 - a, a]))

    def init_score(self, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """The constant raw score minimising the weighted mean training loss.

        Closed form for ``gamma = 0``: ``log(alpha sum w y / ((1 - alpha) sum w (1 - y)))``;
        otherwise found by bisection on the stationarity condition (see ``_optimal_constant``).
        Depends on the data only through the two class weight totals.
        """
        return _binary_init_score(self._class_totals(y, sample_weight), self._log_alpha(), self.gamma)

    def posterior(self, raw: ArrayLike) -> Float:
        """Recovered ``P(y=1 | x)`` from raw margins of a model trained with this loss, ``(n,)``.

        .. math::

            P(y=1|x) = 1 / (1 + \\alpha |l'(p)| / ((1-\\alpha) |l'(1-p)|)), \\quad p = \\sigma(z),
            \\quad |l'(p)| = (1-p)^\\gamma / p - \\gamma (1-p)^{\\gamma-1} \\log p

        (Charoenphakdee et al., 2021).  For ``gamma = 0`` this undoes the alpha weighting:
        ``logit P = z + log((1 - alpha) / alpha)``.
        """
        return _sigmoid(self.posterior_logit(raw))

    def posterior_logit(self, raw: ArrayLike) -> Float:
        """Log-odds ``log(P(y=1|x) / P(y=0|x))`` of the recovered posterior, ``(n,)``:
        ``posterior(raw) = sigmoid(posterior_logit(raw))``, and it is ``> 0`` exactly where the
        posterior exceeds 1/2.

        .. math::

            \\log \\frac{P(y=1|x)}{P(y=0|x)} = \\log \\frac{1-\\alpha}{\\alpha}
            + \\log |l'(1-p)| - \\log |l'(p)|, \\quad p = \\sigma(z)
        """
        la = self._log_alpha()
        return _binary_posterior_logit(v.check_binary_raw(raw, _rows(raw, 1)), la[0], la[1], self.gamma)

    def link(self, raw: ArrayLike) -> Float:
        """Plain ``sigma(raw) = 1 / (1 + exp(-raw))``; not the class probability of a focal model.

        See :meth:`posterior` for that.
        """
        return _sigmoid(v.check_binary_raw(raw, _rows(raw, 1)))


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
    is_multiclass: ClassVar[bool] = True
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

    @property
    def num_outputs(self) -> int:
        return self.num_class

    def _check_labels(self, y: ArrayLike) -> NDArray[np.intp]:
        return v.check_multiclass_labels(y, self.num_class)

    def _alpha_table(self) -> Float:
        return np.ones(self.num_class) if self.alpha is None else np.array(self.alpha, dtype=np.float64)

    def _check_raw(self, raw: ArrayLike, n: int) -> Float:
        return v.check_multiclass_raw(raw, n, self.num_class)

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
        return _softmax(self._posterior_log_scores(raw))

    def _posterior_log_scores(self, raw: ArrayLike) -> Float:
        z = v.check_multiclass_raw(raw, _rows(raw, 2), self.num_class)
        _, log_p, log_om = softmax_pieces(z)
        return _posterior_scores(log_p, log_om, self._log_alpha()[None, :], self.gamma)

    def posterior_logit(self, raw: ArrayLike) -> Float:
        """Log of the recovered class probabilities, ``(n, K)``: ``log posterior(raw)``, computed
        in log space (``-log alpha_k - log |l'(p_k)|`` minus its log-sum-exp over k), so its
        arg-max is the most probable class even where a probability underflows."""
        return softmax_pieces(self._posterior_log_scores(raw))[1]

    def link(self, raw: ArrayLike) -> Float:
        """Plain ``softmax(raw)_k = exp(raw_k) / sum_j exp(raw_j)``; not the class probability of a focal model.

        See :meth:`posterior` for that.
        """
        return _softmax(v.check_multiclass_raw(raw, _rows(raw, 2), self.num_class))


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
    ``is_multiclass`` is False and ``is_multilabel`` True: the margins are not a softmax, and
    :meth:`grad_hess` returns the mathematical Hessian with no multiclass scaling.  :meth:`loss`
    is the per-row sum over labels (the function :meth:`grad_hess` differentiates); the evaluation
    metric is :meth:`mean_loss`, the weighted mean over rows and labels.
    """

    name: ClassVar[str] = "multilabel_focal_loss"
    is_multiclass: ClassVar[bool] = False
    is_multilabel: ClassVar[bool] = True
    _fields: ClassVar[tuple[str, ...]] = ("num_labels", "alpha", "gamma", "hessian")
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

    @property
    def num_outputs(self) -> int:
        return self.num_labels

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

    def _prepare(
        self, y: ArrayLike, sample_weight: ArrayLike | None = None, weight_name: str = "sample_weight"
    ) -> _Labels:
        yy = self._check_labels(y)
        w = v.check_sample_weight(sample_weight, yy.shape[0], name=weight_name)
        return _MultilabelLabels(yy, self._alpha_table(), w)

    def _unchecked_labels(self, y: NDArray[Any], weight: NDArray[Any] | None) -> _Labels | None:
        """As :meth:`_Loss._unchecked_labels`, for an ``(n, L)`` label matrix (None otherwise)."""
        if _fast() is None or np.ndim(y) != 2 or np.shape(y)[1] != self.num_labels:
            return None
        return _MultilabelLabels(y, self._alpha_table(), weight)

    def _check_raw(self, raw: ArrayLike, n: int) -> Float:
        return v.check_multilabel_raw(raw, n, self.num_labels)

    def _rows(self, raw: ArrayLike) -> int:
        shape = np.shape(raw)
        if len(shape) != 2:
            raise ValueError(f"raw must have shape (n, {self.num_labels}) (one margin per row and label), got {shape}")
        return int(shape[0])

    def _label_loss(self, labels: _Labels, raw: Float) -> Float:
        """Per-element ``alpha``-weighted binary focal loss, ``(n, L)``, without the sample weights."""
        out = _binary_loss(labels.sign * raw, self.gamma)
        cw = labels.class_weight
        return out if cw is None else out * cw

    def _loss(self, labels: _Labels, raw: Float) -> Float:
        return self._label_loss(labels, raw).sum(axis=1)

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
        order = "F" if z.flags.f_contiguous and not z.flags.c_contiguous else "C"
        if out is None:
            out = _out_like(z)
        flag = "F_CONTIGUOUS" if order == "F" else "C_CONTIGUOUS"
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
        if w is None:
            return per.mean(axis=0)
        total = w.sum()
        if not total > 0:
            raise ValueError("sample_weight sums to 0: the weighted mean loss is undefined")
        return (w @ per) / total

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

    def mean_loss(self, y: ArrayLike, raw: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """The evaluation metric: the weighted mean focal loss over rows and labels,

        ``sum_i w_i sum_l l_l(y_il, z_il) / (L sum_i w_i)``, the mean of :meth:`mean_label_loss`.
        """
        return float(self.mean_label_loss(y, raw, sample_weight).mean())

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
        return _sigmoid(self.posterior_logit(raw))

    def posterior_logit(self, raw: ArrayLike) -> Float:
        """Log-odds of the recovered posterior of every label, ``(n, L)``:

        ``log(P(y_l=1|x) / P(y_l=0|x)) = log((1-alpha_l)/alpha_l) + log|l'(1-p)| - log|l'(p)|``,
        ``p = sigma(z_l)``; ``posterior(raw) = sigmoid(posterior_logit(raw))``.
        """
        z = v.check_multilabel_raw(raw, self._rows(raw), self.num_labels)
        la = self._log_alpha()
        return _binary_posterior_logit(z, la[:, 0], la[:, 1], self.gamma)

    def link(self, raw: ArrayLike) -> Float:
        """Plain ``sigma(raw) = 1 / (1 + exp(-raw))`` element by element, ``(n, L)``; not the label
        probabilities of a focal model (see :meth:`posterior`)."""
        return _sigmoid(v.check_multilabel_raw(raw, self._rows(raw), self.num_labels))


class MultilabelBalancedCrossEntropy(MultilabelFocalLoss):
    r"""Alpha-balanced log-loss per label: :class:`MultilabelFocalLoss` with ``gamma = 0``.

        .. math::

            L = -\sum_l \left[\alpha_l\, y_l \log \sigma(z_l) + (1-\alpha_l)(1-y_l) \log(1-\sigma(z_l))\right]

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

#: Every public loss class by its ``name``: the tests, metrics, CLI and tuner enrol from here.
LOSSES: dict[str, type[_Loss]] = {
    cls.name: cls
    for cls in (
        BinaryFocalLoss,
        MulticlassFocalLoss,
        BinaryBalancedCrossEntropy,
        MulticlassBalancedCrossEntropy,
        MultilabelFocalLoss,
        MultilabelBalancedCrossEntropy,
    )
}

Loss = _Loss


def balanced_alpha(
    y: ArrayLike,
    num_class: int | None = None,
    sample_weight: ArrayLike | None = None,
    *,
    multilabel: bool = False,
) -> float | tuple[float, ...]:
    """Inverse-frequency class weights from labels.

    Binary (``num_class`` None and labels in {0, 1}): ``alpha = W_0 / (W_0 + W_1)``, so that
    ``alpha W_1 = (1 - alpha) W_0`` — both classes carry the same total weight.  Multiclass
    (``num_class`` given, or labels beyond 1): ``alpha_k = W / (K W_k)`` (scikit-learn's
    ``class_weight="balanced"``).  ``W_k`` is the (weighted) count of class ``k``.  Multilabel
    (``multilabel=True``, ``y`` an ``(n, L)`` 0/1 matrix): the binary weight of each column,
    ``alpha_l = W_0l / (W_0l + W_1l)``, a tuple of ``L`` floats for :class:`MultilabelFocalLoss`.
    """
    if not isinstance(multilabel, (bool, np.bool_)):
        raise TypeError(f"multilabel must be a bool, got {type(multilabel).__name__}")
    if multilabel:
        if num_class is not None:
            raise ValueError("num_class is for multiclass labels; leave it None with multilabel=True")
        shape = np.shape(y)
        if len(shape) != 2:
            raise ValueError(
                f"y has shape {shape} but multilabel=True expects an (n, L) 0/1 indicator matrix"
                + ("; for one class per row out of several, pass num_class instead" if len(shape) == 1 else "")
            )
        totals = MultilabelFocalLoss(shape[1])._label_totals(y, sample_weight)
        with np.errstate(over="ignore"):
            both = totals.sum(axis=1)
        if not np.all(np.isfinite(both)):
            raise ValueError(
                "sample_weight sums to infinity (beyond the float64 range); divide the weights by a constant"
            )
        return tuple(float(t) for t in totals[:, 0] / both)
    if np.ndim(y) == 2 and np.shape(y)[1] > 1:
        raise ValueError(
            f"y has shape {np.shape(y)}: for an (n, L) multilabel indicator matrix pass multilabel=True "
            "(per-label balanced weights)"
        )
    arr = np.asarray(y)
    binary = num_class is None and arr.size > 0 and np.isin(arr, (0, 1)).all()
    if binary:
        yy = v.check_binary_labels(arr).astype(np.intp)
        k = 2
    else:
        k = v.check_num_class(num_class) if num_class is not None else None
        if k is None:
            yy0 = v.check_multiclass_labels(arr, None)
            k = max(int(yy0.max()) + 1, 2)
        yy = v.check_multiclass_labels(arr, k)
    w = v.check_sample_weight(sample_weight, yy.shape[0])
    with np.errstate(over="ignore"):
        totals = np.bincount(yy, weights=w, minlength=k).astype(np.float64)
        v.check_class_totals(totals)
        if not np.isfinite(totals.sum()):
            raise ValueError(
                "sample_weight sums to infinity (beyond the float64 range); divide the weights by a constant"
            )
    if binary:
        return float(totals[0] / totals.sum())
    return tuple(float(t) for t in totals.sum() / (k * totals))


# --------------------------------------------------------------------------------------
# Undoing a positive-class weight (the prior shift)
# --------------------------------------------------------------------------------------


def prior_shift(raw: ArrayLike, scale_pos_weight: float, *, proba: bool = False) -> Float:
    """``P(y=1 | x)`` of a log-loss model trained with positive-class weight ``w``.

    Weighting every positive by ``w`` (XGBoost's and LightGBM's ``scale_pos_weight``) multiplies
    the odds the model learns by ``w``: its margin estimates ``logit P + log w``.  Undoing it is
    a shift of the prior odds (Elkan, "The foundations of cost-sensitive learning", IJCAI 2001):

        P(y=1 | x) = sigmoid(z - log w)

    ``raw`` holds the margins ``z``; with ``proba=True`` it holds the model's probabilities
    ``sigmoid(z)`` instead, and ``z = log p - log(1 - p)`` is taken first.  ``w > 0``, finite.
    """
    if isinstance(scale_pos_weight, bool) or not isinstance(scale_pos_weight, (int, float, np.floating, np.integer)):
        raise TypeError(f"scale_pos_weight must be a number > 0, got {scale_pos_weight!r}")
    w = float(scale_pos_weight)
    if not (np.isfinite(w) and w > 0):
        raise ValueError(f"scale_pos_weight must be a finite number > 0, got {scale_pos_weight!r}")
    z = np.asarray(raw, dtype=np.float64)
    if proba:
        with np.errstate(divide="ignore"):
            z = np.log(z) - np.log1p(-z)
    return _sigmoid(z - np.log(w))


__all__ = [
    "HESSIAN_FLOOR",
    "LOSSES",
    "BinaryBalancedCrossEntropy",
    "BinaryFocalLoss",
    "Loss",
    "MulticlassBalancedCrossEntropy",
    "MulticlassFocalLoss",
    "MultilabelBalancedCrossEntropy",
    "MultilabelFocalLoss",
    "balanced_alpha",
    "prior_shift",
]
