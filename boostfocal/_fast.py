"""Compiled (numba) kernels for the per-round gradient and Hessian: one fused pass over the data.

These evaluate exactly the formulas of :mod:`boostfocal.losses` (``_binary_grad_hess`` and
``_multiclass_grad_hess``, which remain the reference and the fallback) element by element,
in parallel over rows, with sample weights, class weights and the engine's Hessian scale fused
in.  The tests assert both paths give the same numbers.  Used automatically when numba is
installed (``pip install boostfocal[fast]``); set ``BOOSTFOCAL_BACKEND=numpy`` to disable.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

POLICY_CODES = {"bounded": 0, "exact": 1, "weighted": 2, "clip": 3}


@nb.njit(inline="always", cache=True)
def _pow_gamma(q: float, log_q: float, gamma: float) -> float:
    if gamma == 0.0:
        return 1.0
    if gamma == 1.0:
        return q
    if gamma == 2.0:
        return q * q
    return math.exp(gamma * log_q)


@nb.njit(inline="always", cache=True)
def _policy(exact: float, weighted: float, code: int, floor: float) -> float:
    if code == 1:
        return exact
    if code == 2:
        h = weighted
    elif code == 0:
        h = exact if exact > weighted else weighted
    else:
        h = exact
    return h if h > floor else floor


@nb.njit(parallel=True, cache=True)
def binary_grad_hess(z, sign, class_weight, weight, gamma, code, floor, hess_scale):  # type: ignore[no-untyped-def]
    """Binary focal gradient/Hessian; ``class_weight``/``weight`` of size 0 mean "none"."""
    n = z.shape[0]
    grad = np.empty(n, dtype=np.float64)
    hess = np.empty(n, dtype=np.float64)
    has_cw = class_weight.shape[0] > 0
    has_w = weight.shape[0] > 0
    two_g1 = 2.0 * gamma + 1.0
    for i in nb.prange(n):
        s = sign[i]
        t = s * z[i]
        a = abs(t)
        e = math.exp(-a)
        l1 = math.log1p(e)
        inv = 1.0 / (1.0 + e)
        if t >= 0.0:
            p = inv
            q = e * inv
            log_p = -l1
            log_q = -a - l1
        else:
            p = e * inv
            q = inv
            log_p = t - l1
            log_q = -l1
        qg = _pow_gamma(q, log_q, gamma)
        d1 = qg * (gamma * p * log_p - q)
        weighted = -p * d1
        exact = p * qg * (gamma * log_p * (q - gamma * p) + q * two_g1)
        h = _policy(exact, weighted, code, floor)
        f = 1.0
        if has_cw:
            f *= class_weight[i]
        if has_w:
            f *= weight[i]
        grad[i] = s * d1 * f
        hess[i] = h * f * hess_scale
    return grad, hess


@nb.njit(parallel=True, cache=True)
def multiclass_grad_hess(z, y, class_weight, weight, gamma, code, floor, hess_scale):  # type: ignore[no-untyped-def]
    """Multiclass focal gradient/diagonal Hessian, row by row (see ``_multiclass_grad_hess``)."""
    n, k = z.shape
    grad = np.empty((n, k), dtype=np.float64)
    hess = np.empty((n, k), dtype=np.float64)
    has_cw = class_weight.shape[0] > 0
    has_w = weight.shape[0] > 0
    for i in nb.prange(n):
        t = y[i]
        amax = 0
        m = z[i, 0]
        for j in range(1, k):
            if z[i, j] > m:
                m = z[i, j]
                amax = j
        s_nt = 0.0
        s_rest = 0.0
        for j in range(k):
            e = math.exp(z[i, j] - m)
            grad[i, j] = e  # scratch: exp(z - max)
            if j != t:
                s_nt += e
            if j != amax:
                s_rest += e
        s = 1.0 + s_rest
        e_t = grad[i, t]
        if t == amax:
            log_u = (z[i, t] - m) - math.log1p(s_nt)
        else:
            log_u = (z[i, t] - m) - math.log(s)
        u = e_t / s
        v = s_nt / s
        if log_u < 0.0:
            xr = math.exp(log_u) * log_u / -math.expm1(log_u)
        else:
            xr = -1.0
        c = gamma * xr
        if gamma == 0.0:
            vg = 1.0
        elif gamma == 1.0:
            vg = v
        elif gamma == 2.0:
            vg = v * v
        else:
            vg = v**gamma
        w_focal = vg * (1.0 - c)
        b = gamma * u * (log_u * (v - (gamma - 1.0) * u) + 2.0 * v)
        f = 1.0
        if has_cw:
            f *= class_weight[i]
        if has_w:
            f *= weight[i]
        for j in range(k):
            e = grad[i, j]
            if j == t:
                gj = -v
                pom = u * v
                rho = 1.0
            else:
                pj = e / s
                gj = pj
                om = s_rest / s if j == amax else 1.0 - pj
                pom = pj * om
                rho = e / s_nt if s_nt > 0.0 else 0.0
            weighted = w_focal * pom
            exact = weighted + vg * b * rho * rho
            grad[i, j] = w_focal * gj * f
            hess[i, j] = _policy(exact, weighted, code, floor) * f * hess_scale
    return grad, hess
