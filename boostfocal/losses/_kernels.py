"""The loss kernels: arrays in, arrays out, no validation.

Binary and softmax focal loss, their gradients and Hessians under each Hessian policy, the
posterior-recovery scores and the loss-minimising constant.  The compiled versions live in
:mod:`boostfocal._fast`; :func:`_fast` chooses between them and these numpy references.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._numeric import Float, log_sigmoid, sigmoid_pieces, softmax_pieces, xlogx_ratio

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
            module: Any  # boostfocal._fast, or None
            try:
                from .. import _fast as module
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
    log_pi: Float = ls - np.logaddexp.reduce(ls)
    return log_pi
