r"""The true probability of a :func:`boostfocal.datasets.make_fraud` row: Bayes' rule on its story.

A row is genuine (G), an easy fraud (E) or a hard fraud (H), with prior weights ``1 - p``,
``p e`` and ``p (1 - e)`` (``p`` the true fraud rate, ``e`` the easy share, which drifts with the
``time`` column when there is one).  Given the class, the columns the story draws independently
have the densities of the generator; the redundant and noise columns have the same density
in every class and cancel.  Then

.. math::

    P(F \mid x) = \frac{p\,(e f_E(x) + (1 - e) f_H(x))}{p\,(e f_E(x) + (1 - e) f_H(x)) + (1 - p) f_G(x)},
    \qquad P(y = 1 \mid x) = (1 - \eta)\,P(F \mid x) + q\,(1 - P(F \mid x)),

with ``eta`` the share of frauds labelled 0 and ``q`` the rate of genuine rows labelled 1.
Amounts are rounded to cents in the table; their density is taken at the rounded value (the
rounding is the same for every class).
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from . import datasets as d


def _log_normal_pdf(x: NDArray[np.float64], mu: Any, sd: float) -> NDArray[np.float64]:
    log_pdf: NDArray[np.float64] = -0.5 * ((x - mu) / sd) ** 2 - math.log(sd * math.sqrt(2 * math.pi))
    return log_pdf


def _wrapped_normal(h: NDArray[np.float64], mu: float, sd: float) -> NDArray[np.float64]:
    return cast("NDArray[np.float64]", sum(np.exp(_log_normal_pdf(h + 24.0 * k, mu, sd)) for k in (-2, -1, 0, 1, 2)))


def _log_hour(h: NDArray[np.float64], night: Any) -> NDArray[np.float64]:
    """Log density of ``_hours(night_prob=night)``: a day bump (85 %) or flat, replaced by a night bump."""
    base = 0.85 * _wrapped_normal(h, 13.5, 3.5) + 0.15 / 24.0
    log_density: NDArray[np.float64] = np.log((1.0 - night) * base + night * _wrapped_normal(h, 2.5, 1.8))
    return log_density


def _log_v(v: NDArray[np.float64], easy: bool, hard: bool) -> NDArray[np.float64]:
    k = v.shape[1]
    sign = np.where(np.arange(k) % 2 == 0, 1.0, -1.0)
    out: NDArray[np.float64]
    if easy:
        out = np.sum(_log_normal_pdf(v, d._EASY_SHIFT * sign, 1.0), axis=1)
        return out
    if not hard:
        out = np.sum(_log_normal_pdf(v, 0.0, 1.0), axis=1)
        return out
    half = (k + 1) // 2
    out = np.sum(_log_normal_pdf(v[:, :half], d._HARD_SHIFT * sign[:half], 1.0), axis=1)
    out += np.sum(_log_normal_pdf(v[:, half:], 0.0, d._HARD_SCALE), axis=1)
    for a in range(half, k - 1, 2):  # the pair's second member: folded, then the sign of the first 90 % of the time
        same = np.sign(v[:, a + 1]) == np.sign(v[:, a])
        out += math.log(2.0) + np.log(np.where(same, d._HARD_SAME_SIGN, 1.0 - d._HARD_SAME_SIGN))
    return out


def true_probability(
    X: NDArray[np.float64],
    n_categorical: int,
    n_informative: int,
    p_true: float,
    easy: float,
    noise: float,
    timed: bool,
) -> NDArray[np.float64]:
    """``P(y = 1 | x)`` for the rows ``X`` of :func:`~boostfocal.datasets.make_fraud` (see the
    module docstring); needs the three story columns merchant, country and channel in ``X``."""
    amount_log = np.log(X[:, 0])
    hour = X[:, 1]
    merchant, country, channel = (X[:, 2 + j].astype(np.int64) for j in range(3))
    v = X[:, 2 + n_categorical : 2 + n_categorical + n_informative]
    extra = [X[:, 2 + j].astype(np.int64) for j in range(3, n_categorical)]
    mu = d._MERCHANT_LOG_AMOUNT[merchant] + d._CHANNEL_LOG_AMOUNT[channel]
    risky = np.isin(merchant, d._RISKY_MERCHANTS) / d._RISKY_MERCHANTS.size
    home = (country == 0).astype(np.float64)
    foreign_p = d._COUNTRY_P[country] / d._COUNTRY_P[1:].sum() * (1.0 - home)

    log_g = (
        np.log(d._CHANNEL_P[channel] * d._MERCHANT_P[merchant] * d._COUNTRY_P[country])
        + _log_normal_pdf(amount_log, mu, 0.9)
        + _log_hour(hour, 0.0)
        + _log_v(v, False, False)
    )
    e_amount = (
        d._EASY_TEST_AMOUNT * np.exp(_log_normal_pdf(amount_log, math.log(2.0), 0.5))
        + d._EASY_BIG_AMOUNT * np.exp(_log_normal_pdf(amount_log, math.log(450.0), 0.7))
        + (1.0 - d._EASY_TEST_AMOUNT - d._EASY_BIG_AMOUNT) * np.exp(_log_normal_pdf(amount_log, mu, 0.9))
    )
    log_e = (
        np.log(d._CHANNEL_P_EASY[channel])
        + np.log(d._EASY_RISKY_MERCHANT * risky + (1 - d._EASY_RISKY_MERCHANT) * d._MERCHANT_P[merchant])
        + np.log((1 - d._EASY_FOREIGN) * home + d._EASY_FOREIGN * d._FOREIGN_P[country])
        + np.log(e_amount)
        + _log_hour(hour, d._EASY_NIGHT)
        + _log_v(v, True, False)
    )
    log_h = (
        np.log(d._CHANNEL_P_HARD[channel])
        + np.log(d._HARD_RISKY_MERCHANT * risky + (1 - d._HARD_RISKY_MERCHANT) * d._MERCHANT_P[merchant])
        + np.log((1 - d._HARD_FOREIGN) * home + d._HARD_FOREIGN * foreign_p)
        + _log_normal_pdf(amount_log, mu + d._HARD_CNP_LOG_AMOUNT * (channel >= 2), 0.95)
        + _log_hour(hour, np.where(home == 1, 0.05, 0.6))
        + _log_v(v, False, True)
    )
    for c in extra:  # frauds: level 5 with probability 0.3, else the Zipf-like draw
        log_g = log_g + np.log(d._EXTRA_P[c])
        fraud_c = np.log(0.3 * (c == d._EXTRA_RISKY_LEVEL) + 0.7 * d._EXTRA_P[c])
        log_e, log_h = log_e + fraud_c, log_h + fraud_c
    e = np.full(X.shape[0], easy)
    if timed:
        e = np.clip(easy * (1.5 - X[:, -1] / (d.FRAUD_PERIOD_DAYS * 86_400.0)), 0.0, 1.0)
    with np.errstate(divide="ignore"):
        log_f = np.logaddexp(np.log(e) + log_e, np.log1p(-e) + log_h) + math.log(p_true)
    p_fraud = 1.0 / (1.0 + np.exp(log_g + math.log1p(-p_true) - log_f))
    q = d._FALSE_FRAUD_RATIO * noise * p_true / (1.0 - p_true)
    p_label: NDArray[np.float64] = (1.0 - noise) * p_fraud + q * (1.0 - p_fraud)
    return p_label
