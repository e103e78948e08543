"""Numerically stable primitives: log-sigmoid, sigmoid, softmax and their pieces.

Everything here works on float64 arrays and stays finite for any finite input,
including margins of +-1e300.  ``log sigma(t)`` is never computed as ``log(sigma(t))``:
with ``e = exp(-|t|)`` (which cannot overflow),

    log sigma(t)  = min(t, 0) - log1p(e)
    log sigma(-t) = min(-t, 0) - log1p(e)

and ``sigma(t)``, ``sigma(-t)`` are ``1/(1+e)`` and ``e/(1+e)`` in the order the sign of
``t`` dictates, so both a probability and its complement keep full relative precision.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Float = NDArray[np.float64]

#: Margins are clipped to this magnitude before use, so +-inf behave as their limits.
MARGIN_LIMIT = 1e300


def sigmoid_pieces(t: Float) -> tuple[Float, Float, Float, Float]:
    """Return ``(sigma(t), sigma(-t), log sigma(t), log sigma(-t))`` from one exp and one log1p."""
    e = np.exp(-np.abs(t))
    l1 = np.log1p(e)
    inv = 1.0 / (1.0 + e)
    small = e * inv
    pos = t >= 0
    p = np.where(pos, inv, small)
    q = np.where(pos, small, inv)
    log_p = np.minimum(t, 0.0) - l1
    log_q = np.minimum(-t, 0.0) - l1
    return p, q, log_p, log_q


def log_sigmoid(t: Float) -> Float:
    """``log sigma(t) = -log(1 + exp(-t))``, stable for any finite ``t``."""
    return np.minimum(t, 0.0) - np.log1p(np.exp(-np.abs(t)))


def softmax_pieces(raw: Float) -> tuple[Float, Float, Float]:
    """Row-wise softmax pieces of an ``(n, K)`` array.

    Returns ``(p, log_p, log_one_minus_p)``, each ``(n, K)``.  ``1 - p_k`` is computed as
    the sum of the other classes' probabilities (never as ``1 - p_k`` when ``p_k`` is close
    to 1), so ``log(1 - p_k)`` keeps full relative precision for confidently predicted rows.
    """
    n, k = raw.shape
    rows = np.arange(n)
    amax = raw.argmax(axis=1)
    m = raw[rows, amax]
    shifted = raw - m[:, None]
    e = np.exp(shifted)
    e[rows, amax] = 0.0
    rest = e.sum(axis=1)  # sum over classes other than the arg-max, exact-ish
    # log of that sum without underflow: log-sum-exp over the non-max entries
    masked = shifted.copy()
    masked[rows, amax] = -np.inf
    m2 = masked.max(axis=1)
    if k > 1:
        with np.errstate(invalid="ignore"):
            log_rest = m2 + np.log(np.exp(masked - m2[:, None]).sum(axis=1))
    else:  # pragma: no cover - K = 1 is rejected before this point
        log_rest = np.full(n, -np.inf)
    log_s = np.logaddexp(0.0, log_rest)  # log(1 + rest)
    e[rows, amax] = 1.0
    s = 1.0 + rest
    p = e / s[:, None]
    log_p = shifted - log_s[:, None]
    # log(1 - p_k) = log(S - e_k) - log S; S - e_k needs care only at the arg-max
    with np.errstate(divide="ignore"):
        log_om = np.log(np.maximum(s[:, None] - e, 0.0)) - log_s[:, None]
    log_om[rows, amax] = log_rest - log_s
    return p, log_p, log_om


def sigmoid(raw: NDArray[np.floating] | float) -> Float:
    """The plain logistic link ``sigma(z) = 1 / (1 + exp(-z))``, computed stably.

    This is the probability of a model trained with plain log-loss.  For a model trained
    with focal loss it is *not* the class probability: use ``loss.posterior(raw)``.
    """
    z = np.clip(np.asarray(raw, dtype=np.float64), -MARGIN_LIMIT, MARGIN_LIMIT)
    if np.isnan(z).any():
        raise ValueError("raw contains NaN")
    return sigmoid_pieces(z)[0]


def softmax(raw: NDArray[np.floating]) -> Float:
    """The plain softmax link ``p_k = exp(z_k) / sum_j exp(z_j)`` over the last axis, stably.

    ``raw`` has shape ``(n, K)`` (or ``(K,)`` for a single row).  For a model trained with
    focal loss this is *not* the class probability: use ``loss.posterior(raw)``.
    """
    z = np.asarray(raw, dtype=np.float64)
    if z.ndim not in (1, 2):
        raise ValueError(f"raw must have shape (n, K) or (K,), got {z.shape}")
    if np.isnan(z).any():
        raise ValueError("raw contains NaN")
    z = np.clip(z, -MARGIN_LIMIT, MARGIN_LIMIT)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    out: Float = e / e.sum(axis=-1, keepdims=True)
    return out


def xlogx_ratio(log_u: Float) -> Float:
    """``u log(u) / (1 - u)`` as a function of ``log u <= 0``; its limit at ``u = 1`` is ``-1``.

    Bounded in ``[-1, 0]``; computed from ``log u`` so that it stays exact when ``1 - u``
    underflows.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.exp(log_u) * log_u / -np.expm1(log_u)
    return np.where(log_u < 0.0, r, -1.0)
