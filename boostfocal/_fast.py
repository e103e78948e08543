"""Compiled (numba) kernels for the per-round gradient and Hessian: one fused pass over the data.

This module is the one sanctioned second copy of loss mathematics in boostfocal: a mirror of the
formulas of :mod:`boostfocal.losses` (``_binary_grad_hess`` and ``_multiclass_grad_hess``, which
remain the reference and the fallback), held to them by ``tests/test_backends.py`` (the same
numbers to 1e-13 relative, 1e-12 where the exact Hessian cancels near its zero, for every Hessian
policy and several gammas) and by the ``backend`` test fixture, which runs the derivative,
extreme-margin and reference-value tests on both.  A formula changed in one place must be changed
in the other.  The multilabel loss has no kernel of its own: it runs :func:`binary_grad_hess` over
its raveled ``(n, L)`` arrays, each element's class weight folded into its weight.

The kernels evaluate those formulas element by element, in parallel over rows, with sample
weights, class weights, the engine's Hessian scale, the NaN check, the label and weight checks (a
first pass) and the ``+-MARGIN_LIMIT`` clip fused in, writing into caller-supplied output arrays
(float64, or float32 for the engines, which keep gradients in float32 anyway).  Margins may be
float32 or float64; all arithmetic is float64.

``exp`` and ``log1p`` are evaluated by the branch-free polynomials below rather than libm calls,
so that LLVM vectorises the loops (libm's scalar ``exp``/``log1p`` took about 70 % of the scalar
kernel's time).  They are accurate to 1 and 4 ulp on the ranges used (tested against numpy over the
whole range, subnormals included).

Used automatically when numba is installed (``pip install boostfocal[fast]``); set
``BOOSTFOCAL_BACKEND=numpy`` to disable.
"""

from __future__ import annotations

import math
import threading
from typing import Any, Literal, TypedDict

import numba as nb
import numpy as np

from ._numeric import MARGIN_LIMIT

POLICY_CODES = {"bounded": 0, "exact": 1, "weighted": 2, "clip": 3}


def gamma_kind(gamma: float) -> int:
    """0, 1 and 2 for those gammas (``q**gamma`` by multiplication, exact), 3 for any other."""
    return int(gamma) if gamma in (0.0, 1.0, 2.0) else 3


_INV_LN2 = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # Cody-Waite split of log(2): k * _LN2_HI is exact for |k| < 2^11
_LN2_LO = 1.90821492927058770002e-10
_BLOCK = 2048  # rows per task of the multiclass kernel (one scratch row per task)
#: Below this many margins the kernels run on one thread: starting the thread pool costs more
#: than the work (tens of microseconds on a quiet machine, milliseconds on a busy one).
SERIAL_BELOW = 100_000

#: numpy error model: no per-division exception branch; "contract": fused multiply-adds (one rounding
#: instead of two, and a shorter dependency chain)
class _JitOptions(TypedDict):
    cache: bool
    error_model: Literal["python", "numpy"]
    fastmath: set[str]


_jit: _JitOptions = {"cache": True, "error_model": "numpy", "fastmath": {"contract"}}


_ROUND = 6755399441055744.0  # 1.5 * 2^52: x + _ROUND rounds x to an integer held in the low mantissa bits
_ROUND_BITS = int(np.float64(_ROUND).view(np.int64))
_EXP_TAIL = (  # 1/j! for j = 2..13
    0.5,
    0.16666666666666666,
    0.041666666666666664,
    0.008333333333333333,
    0.001388888888888889,
    0.0001984126984126984,
    2.48015873015873e-05,
    2.7557319223985893e-06,
    2.755731922398589e-07,
    2.505210838544172e-08,
    2.08767569878681e-09,
    1.6059043836821613e-10,
)


@nb.njit(inline="always", **_jit)
def exp_nonpos(x: float) -> float:
    """``exp(x)`` for ``x <= 0`` (gradual underflow to 0 below -745).

    ``x = k log 2 + r`` with ``|r| <= log(2)/2`` (Cody-Waite), ``exp(r) = 1 + r + r^2 Q(r)`` with
    ``Q`` the rest of the Taylor polynomial of degree 13 (truncation < 2e-17 relative), and ``2^k``
    applied as two exact powers of two so that subnormal results are rounded once.  ``k`` is
    rounded by the ``1.5 * 2^52`` shift and read from the bits (no float-to-int conversion, which
    AVX2 lacks), and ``Q`` is evaluated by Estrin's scheme (a dependency chain of 4 multiply-adds
    rather than 12): both for speed, the loops being latency-bound.
    """
    x = max(x, -800.0)
    shifted = x * _INV_LN2 + _ROUND
    k = shifted - _ROUND
    ki = np.float64(shifted).view(np.int64) - _ROUND_BITS
    r = (x - k * _LN2_HI) - k * _LN2_LO
    r2 = r * r
    r4 = r2 * r2
    c = _EXP_TAIL
    b0 = (c[0] + c[1] * r) + (c[2] + c[3] * r) * r2
    b1 = (c[4] + c[5] * r) + (c[6] + c[7] * r) * r2
    b2 = (c[8] + c[9] * r) + (c[10] + c[11] * r) * r2
    p = 1.0 + (r + r2 * ((b0 + b1 * r4) + b2 * (r4 * r4)))
    k1 = max(ki, -1020)
    s1: float = np.int64((k1 + 1023) << 52).view(np.float64)
    s2: float = np.int64((ki - k1 + 1023) << 52).view(np.float64)
    return p * s1 * s2


@nb.njit(inline="always", **_jit)
def log1p_unit(e: float) -> float:
    """``log(1 + e)`` for ``0 <= e <= 1``: ``2 atanh(r)``, ``r = e / (2 + e) <= 1/3``.

    ``atanh(r) = r sum_j r^(2j) / (2j + 1)``, 17 terms (truncation < 2e-17 relative); every term
    is positive, so there is no cancellation.  The first three terms by Horner's rule, the small
    tail by Estrin's scheme (see :func:`exp_nonpos`).
    """
    c = 2.0 / (2.0 + e)
    r = 0.5 * e * c
    r2 = r * r
    r4 = r2 * r2
    r8 = r4 * r4
    b0 = (1.0 / 7.0 + 1.0 / 9.0 * r2) + (1.0 / 11.0 + 1.0 / 13.0 * r2) * r4
    b1 = (1.0 / 15.0 + 1.0 / 17.0 * r2) + (1.0 / 19.0 + 1.0 / 21.0 * r2) * r4
    b2 = (1.0 / 23.0 + 1.0 / 25.0 * r2) + (1.0 / 27.0 + 1.0 / 29.0 * r2) * r4
    b3 = 1.0 / 31.0 + 1.0 / 33.0 * r2
    tail = (b0 + b1 * r8) + (b2 + b3 * r8) * (r8 * r8)
    s = 1.0 + r2 * (1.0 / 3.0 + r2 * (1.0 / 5.0 + r2 * tail))
    return e * c * s  # = 2 r s, exact for subnormal e


@nb.njit(**_jit)
def exp_nonpos_array(x, out):  # type: ignore[no-untyped-def]
    """Elementwise :func:`exp_nonpos` (for the tests)."""
    for i in range(x.shape[0]):
        out[i] = exp_nonpos(x[i])


@nb.njit(**_jit)
def log1p_unit_array(x, out):  # type: ignore[no-untyped-def]
    """Elementwise :func:`log1p_unit` (for the tests)."""
    for i in range(x.shape[0]):
        out[i] = log1p_unit(x[i])


@nb.njit(inline="always", **_jit)
def _pow_gamma(q: float, log_q: float, gamma: float, kind: int) -> float:
    """``q**gamma`` for ``0 <= q <= 1``; ``kind`` (from :func:`gamma_kind`) is a compile-time
    constant, so each kernel holds one branch (the loop vectorises for the integer ones)."""
    if kind == 0:
        return 1.0
    if kind == 1:
        return q
    if kind == 2:
        return q * q
    return exp_nonpos(gamma * log_q)  # log_q <= 0


@nb.njit(inline="always", **_jit)
def _policy(exact: float, weighted: float, code: int, floor: float) -> float:
    """The Hessian policy ``code`` (:data:`POLICY_CODES`), written as selects so the loop
    vectorises with ``code`` a runtime value."""
    h = exact if exact > weighted else weighted  # bounded
    h = weighted if code == 2 else h
    h = exact if code == 3 else h
    h = h if h > floor else floor
    return exact if code == 1 else h


@nb.njit(inline="always", **_jit)
def _clip(x: float) -> float:
    return min(max(x, -MARGIN_LIMIT), MARGIN_LIMIT)


_KERNELS: dict[tuple[str, int, bool], Any] = {}
_COMPILING = threading.Lock()


def _kernel(which: str, kind: int, parallel: bool) -> Any:
    """The kernel specialised for one gamma kind, multi-threaded or not.

    ``kind`` is a closure constant, so each compiled loop holds one branch of :func:`_pow_gamma`
    and LLVM vectorises the binary loop (with a runtime branch on gamma it took twice as long).
    numba caches each one on disk: its cache key includes the closure constants (``kind`` and
    ``parallel``), but not the ``parallel=`` option itself, hence ``parallel`` in the closure.
    Each is compiled on its first call (only the kernels a run uses) and releases the GIL, so
    that fits on threads compute their gradients at the same time.
    """
    key = (which, kind, parallel)
    if key not in _KERNELS:
        with _COMPILING:  # fits on threads: one compilation (or cache load) per kernel
            if key not in _KERNELS:
                factory = _binary_factory if which == "binary" else _multiclass_factory
                kernel = nb.njit(parallel=key[2], nogil=True, **_jit)(factory(kind, key[2]))
                _KERNELS[key] = kernel
    return _KERNELS[key]


def binary_grad_hess(z, y, alpha, weight, gamma, kind, code, floor, hess_scale, grad, hess, threads=True):  # type: ignore[no-untyped-def]
    """Binary focal gradient/Hessian into ``grad``/``hess``; returns the number of NaN margins,
    or -1 (before computing anything) when a label is not 0 or 1 or a weight is negative or not
    finite.

    ``y`` holds 0/1 (any numeric dtype), ``alpha`` the two class weights ``(1 - alpha, alpha)``, ``weight``
    the sample weights or None, ``kind`` :func:`gamma_kind` and ``code`` the Hessian policy.
    ``threads=False`` runs on the calling thread only; otherwise inputs of ``SERIAL_BELOW``
    margins or more run on numba's thread pool.
    """
    kernel = _kernel("binary", kind, threads and z.size >= SERIAL_BELOW)
    return kernel(z, y, alpha, weight, gamma, code, floor, hess_scale, grad, hess)


def multiclass_grad_hess(z, y, alpha, weight, gamma, kind, code, floor, hess_scale, grad, hess, threads=True):  # type: ignore[no-untyped-def]
    """Multiclass focal gradient/diagonal Hessian into ``grad``/``hess`` (see ``_multiclass_grad_hess``).

    ``z``, ``grad`` and ``hess`` are ``(n, K)``, C- or F-ordered (LightGBM hands F-ordered
    scores); ``y`` holds class indices (integers, or integer-valued floats), ``alpha`` the ``K``
    class weights; the rest as for :func:`binary_grad_hess`.  Returns the number of rows with a
    NaN margin, or -1 (before computing anything) for a label outside ``0..K-1`` or a bad weight.
    """
    kernel = _kernel("multiclass", kind, threads and z.size >= SERIAL_BELOW)
    return kernel(z, y, alpha, weight, gamma, code, floor, hess_scale, grad, hess)


def _binary_factory(kind: int, parallel: bool) -> Any:
    """The binary loop (see :func:`binary_grad_hess`) as a Python function for ``nb.njit``."""

    def kernel(z, y, alpha, weight, gamma, code, floor, hess_scale, grad, hess):  # type: ignore[no-untyped-def]
        assert parallel or not parallel  # puts ``parallel`` in the closure (numba's cache key)
        n = z.shape[0]
        two_g1 = 2.0 * gamma + 1.0
        a0 = alpha[0]
        a1 = alpha[1]
        bad = 0
        invalid = 0
        # a first pass counts NaN margins, and labels or weights the checks reject (the adapters
        # may hand the engine's own arrays unchecked); in the main loop such counts stopped LLVM
        # interleaving it, which cost 35 % of its time
        for i in nb.prange(n):
            bad += np.int64(z[i] != z[i])
            yi = y[i]
            invalid += np.int64((yi != 0) & (yi != 1))
            if weight is not None:
                wi = weight[i]
                invalid += np.int64((wi != wi) | (wi < 0.0) | (wi == math.inf))
        if invalid:
            return -1
        for i in nb.prange(n):
            zi = np.float64(z[i])
            yi = y[i]
            s = 1.0 if yi else -1.0
            t = s * _clip(zi)
            a = abs(t)
            e = exp_nonpos(-a)
            l1 = log1p_unit(e)
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
            qg = _pow_gamma(q, log_q, gamma, kind)
            d1 = qg * (gamma * p * log_p - q)
            weighted = -p * d1
            exact = p * qg * (gamma * log_p * (q - gamma * p) + q * two_g1)
            h = _policy(exact, weighted, code, floor)
            f = a1 if yi else a0
            if weight is not None:
                f *= weight[i]
            grad[i] = s * d1 * f
            hess[i] = h * f * hess_scale
        return bad

    return kernel


def _multiclass_factory(kind: int, parallel: bool) -> Any:
    """The multiclass loop (see :func:`multiclass_grad_hess`) as a Python function for ``nb.njit``."""

    def kernel(z, y, alpha, weight, gamma, code, floor, hess_scale, grad, hess):  # type: ignore[no-untyped-def]
        assert parallel or not parallel  # puts ``parallel`` in the closure (numba's cache key)
        n, k = z.shape
        invalid = 0
        for i in nb.prange(n):  # labels and weights first: a bad label must not index alpha
            t = y[i]
            invalid += np.int64((t < 0) | (t >= k) | (math.floor(t) != t))  # NaN: the last
            if weight is not None:
                wi = weight[i]
                invalid += np.int64((wi != wi) | (wi < 0.0) | (wi == math.inf))
        if invalid:
            return -1
        n_blocks = (n + _BLOCK - 1) // _BLOCK
        bad = 0
        for b in nb.prange(n_blocks):
            ez = np.empty(k)  # this row's exp(z - max)
            zr = np.empty(k)  # this row's clipped margins
            block_bad = 0
            for i in range(b * _BLOCK, min(n, (b + 1) * _BLOCK)):
                t = np.intp(y[i])
                nan_row = False
                for j in range(k):
                    zij = np.float64(z[i, j])
                    if zij != zij:
                        nan_row = True
                    zr[j] = _clip(zij)
                if nan_row:
                    block_bad += 1
                amax = 0
                m = zr[0]
                for j in range(1, k):
                    if zr[j] > m:
                        m = zr[j]
                        amax = j
                s_nt = 0.0
                s_rest = 0.0
                for j in range(k):
                    e = exp_nonpos(zr[j] - m)
                    ez[j] = e
                    if j != t:
                        s_nt += e
                    if j != amax:
                        s_rest += e
                s = 1.0 + s_rest
                if t == amax:
                    log_u = (zr[t] - m) - math.log1p(s_nt)
                else:
                    log_u = (zr[t] - m) - math.log(s)
                u = ez[t] / s
                v = s_nt / s
                if log_u < 0.0:
                    xr = exp_nonpos(log_u) * log_u / -math.expm1(log_u)
                else:
                    xr = -1.0
                c = gamma * xr
                vg = v**gamma if kind == 3 else _pow_gamma(v, 0.0, gamma, kind)
                w_focal = vg * (1.0 - c)
                bb = gamma * u * (log_u * (v - (gamma - 1.0) * u) + 2.0 * v)
                f = alpha[t]
                if weight is not None:
                    f *= weight[i]
                for j in range(k):
                    e = ez[j]
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
                    exact = weighted + vg * bb * rho * rho
                    grad[i, j] = w_focal * gj * f
                    hess[i, j] = _policy(exact, weighted, code, floor) * f * hess_scale
            bad += block_bad
        return bad

    return kernel
