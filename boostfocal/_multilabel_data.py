"""The multilabel generator of :mod:`boostfocal.datasets` (:func:`make_multilabel_fraud`)."""

from __future__ import annotations

import math
import numbers
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .datasets import (
    _CHANNEL_LOG_AMOUNT,
    _CHANNEL_P,
    _amounts,
    _check_int,
    _check_random_state,
    _check_real,
    _choice,
    _hours,
)

# ---------------------------------------------------------------------------------------------
# Multilabel generator
# ---------------------------------------------------------------------------------------------

_ML_N_SHARED = 3  # shared_1 .. shared_3
_ML_N_SPECIFIC = 2  # specific_<l>_1, specific_<l>_2 for each label l
_ML_SIGNAL = 2.5  # standard deviation of the non-constant part of every label's true logit
_ML_REFERENCE_ROWS = 200_000  # fixed sample on which the intercepts and the shared scale are set
_ML_REFERENCE_SEED = 20_261_203


def _ml_features(rng: np.random.Generator, n: int, n_labels: int, n_noise: int) -> NDArray[np.float64]:
    """The feature matrix of :func:`make_multilabel_fraud`, independent of the labels."""
    channel = _choice(rng, _CHANNEL_P, n)
    log_amt = np.log(40.0) + _CHANNEL_LOG_AMOUNT[channel] + 0.9 * rng.standard_normal(n)
    hour = _hours(rng, n, 0.0)
    shared = rng.standard_normal((n, _ML_N_SHARED))
    specific = rng.standard_normal((n, _ML_N_SPECIFIC * n_labels))
    noise = rng.standard_normal((n, n_noise))
    return np.column_stack([_amounts(log_amt), hour, channel, shared, specific, noise])


def _ml_shared_score(X: NDArray[np.float64]) -> NDArray[np.float64]:
    """The risk every label shares, before scaling: card-not-present channels, large amounts,
    night hours, two shared features and the interaction of the first with the third."""
    amount, hour, channel = X[:, 0], X[:, 1], X[:, 2]
    s1, s2, s3 = X[:, 3], X[:, 4], X[:, 5]
    night = (hour < 6.0).astype(np.float64)
    log_amt = np.log(amount)
    score: NDArray[np.float64] = (
        0.9 * (channel >= 2) + 0.5 * (log_amt - np.log(40.0)) + 0.6 * night + 0.8 * s1 - 0.6 * s2 + 0.5 * s1 * s3
    )
    return score


def _ml_specific_score(X: NDArray[np.float64], label: int) -> NDArray[np.float64]:
    """Label ``label``'s own signal, of unit variance: ``(a + 0.7 a b) / sqrt(1.49)`` for its two
    features ``a``, ``b`` (a main effect and an interaction)."""
    col = 3 + _ML_N_SHARED + _ML_N_SPECIFIC * label
    a, b = X[:, col], X[:, col + 1]
    return (a + 0.7 * a * b) / math.sqrt(1.49)


@lru_cache(maxsize=32)
def _ml_calibration(n_labels: int, rates: tuple[float, ...], shared_signal: float) -> tuple[float, float, NDArray[Any]]:
    """Mean and standard deviation of the shared score, and the intercept of each label, set once
    on a fixed reference sample (the same for every ``random_state``), so that the probability
    function is fixed and the expected share of positives of label ``l`` is ``rates[l]``."""
    from scipy.optimize import brentq
    from scipy.special import expit

    X = _ml_features(np.random.default_rng(_ML_REFERENCE_SEED), _ML_REFERENCE_ROWS, n_labels, 0)
    shared = _ml_shared_score(X)
    mu, sd = float(shared.mean()), float(shared.std())
    intercepts = []
    for label, rate in enumerate(rates):
        part = _ml_part(X, label, (shared - mu) / sd, shared_signal)
        intercepts.append(brentq(lambda b, part=part, rate=rate: float(expit(b + part).mean()) - rate, -60.0, 60.0))
    return mu, sd, np.array(intercepts)


def _ml_part(X: NDArray[np.float64], label: int, shared_std: NDArray[np.float64], rho: float) -> NDArray[np.float64]:
    """The non-constant part of label ``label``'s true logit."""
    return _ML_SIGNAL * (math.sqrt(rho) * shared_std + math.sqrt(1.0 - rho) * _ml_specific_score(X, label))


def make_multilabel_fraud(
    n_samples: int = 100_000,
    n_labels: int = 3,
    positive_rates: float | Any = None,
    *,
    n_noise: int = 4,
    shared_signal: float = 0.5,
    random_state: int | np.random.Generator | None = None,
    as_frame: bool = False,
    return_proba: bool = False,
) -> tuple[Any, ...]:
    """Generate a fraud-style multilabel table: several rare outcomes per row, known probabilities.

    Think of a transaction that may end in several kinds of chargeback (fraud, merchant dispute,
    account takeover): each label is its own imbalanced binary problem, the labels share part of
    their signal (risky channel, large amount, night hours) and each has signal of its own. Given
    the features, every label is drawn independently with a known probability
    ``P(y_l = 1 | x) = sigmoid(b_l + 2.5 (sqrt(rho) s(x) + sqrt(1 - rho) u_l(x)))``, which can be
    returned (``return_proba=True``) to measure calibration exactly.

    Parameters
    ----------
    n_samples : int, default=100_000
        Number of rows, >= 1.
    n_labels : int, default=3
        Number of label columns ``L``, >= 1.
    positive_rates : float, sequence of ``n_labels`` floats, or None, default=None
        Expected share of positives of each label, each in (0, 0.5]. A float applies to every
        label; None gives ``0.02, 0.01, 0.005, ...`` (halving from label to label).
    n_noise : int, default=4
        Number of pure-noise standard-normal features, >= 0.
    shared_signal : float, default=0.5
        ``rho`` in [0, 1]: the share of each label's logit variance that is shared by all labels
        (0: independent labels with label-specific signal only; 1: one risk score drives them all).
    random_state : int, numpy.random.Generator or None, default=None
        Seed or generator, as for :func:`make_fraud`.
    as_frame : bool, default=False
        If True, ``X`` is a pandas DataFrame (``channel`` as int64) and ``Y`` (and ``P``) are
        DataFrames with columns ``label_1 .. label_L``.
    return_proba : bool, default=False
        If True, also return the true probabilities ``P``.

    Returns
    -------
    X : ndarray of shape (n_samples, 6 + 2 n_labels + n_noise), float64, or DataFrame
        Columns ``amount`` (heavy-tailed, > 0), ``hour`` in [0, 24), ``channel`` (integer codes 0-3:
        chip, contactless, online, phone), ``shared_1 .. shared_3``, ``specific_<l>_1``,
        ``specific_<l>_2`` for each label ``l = 1 .. L``, ``noise_1 ..``.
    Y : ndarray of shape (n_samples, n_labels), int64, or DataFrame
        The 0/1 indicator matrix.
    P : ndarray of shape (n_samples, n_labels), float64, or DataFrame
        Only with ``return_proba=True``: ``P(y_l = 1 | x)``, from which ``Y`` was drawn.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range; the message names the argument.

    Notes
    -----
    The features do not depend on the labels: ``channel`` (45/27/23/5 %), a log-normal
    ``amount`` (median about 40, higher on card-not-present channels), ``hour`` (a day-time bump
    and a flat background) and independent standard normals. The shared score is
    ``s = standardised(0.9 [online or phone] + 0.5 log(amount / 40) + 0.6 [hour < 6] + 0.8 shared_1
    - 0.6 shared_2 + 0.5 shared_1 shared_3)``; label ``l``'s own score is
    ``u_l = (a + 0.7 a b) / sqrt(1.49)`` with ``a, b`` its two ``specific`` features (unit variance).
    The standardisation and the intercepts ``b_l`` (set so that the mean probability of label ``l``
    is its positive rate) are computed once on a fixed reference sample of 200 000 rows, so the
    probability function is the same for every ``random_state`` and the realised rate of label
    ``l`` is ``positive_rates[l]`` up to sampling error. Both scores hold interactions, which trees
    find and a linear model does not.

    Examples
    --------
    >>> from boostfocal.datasets import make_multilabel_fraud
    >>> X, Y, P = make_multilabel_fraud(20_000, random_state=0, return_proba=True)
    >>> X.shape, Y.shape, P.shape
    ((20000, 16), (20000, 3), (20000, 3))
    >>> bool(abs(Y[:, 0].mean() - 0.02) < 0.005)
    True
    """
    n = _check_int(n_samples, "n_samples", 1)
    n_labels_ = _check_int(n_labels, "n_labels", 1)
    n_nse = _check_int(n_noise, "n_noise", 0)
    rho = _check_real(shared_signal, "shared_signal", 0.0, 1.0, low_open=False, high_open=False)
    rates = _check_rates(positive_rates, n_labels_)
    for flag, name in ((as_frame, "as_frame"), (return_proba, "return_proba")):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be a bool, got {type(flag).__name__}")
    rng = _check_random_state(random_state)

    mu, sd, intercepts = _ml_calibration(n_labels_, rates, rho)
    X = _ml_features(rng, n, n_labels_, n_nse)
    shared = (_ml_shared_score(X) - mu) / sd
    logits = np.column_stack([intercepts[l_] + _ml_part(X, l_, shared, rho) for l_ in range(n_labels_)])
    P = 1.0 / (1.0 + np.exp(-logits))
    Y = (rng.random((n, n_labels_)) < P).astype(np.int64)

    if not as_frame:
        return (X, Y, P) if return_proba else (X, Y)

    import pandas as pd

    names = (
        ["amount", "hour", "channel"]
        + [f"shared_{j + 1}" for j in range(_ML_N_SHARED)]
        + [f"specific_{l_ + 1}_{j + 1}" for l_ in range(n_labels_) for j in range(_ML_N_SPECIFIC)]
        + [f"noise_{j + 1}" for j in range(n_nse)]
    )
    label_names = [f"label_{l_ + 1}" for l_ in range(n_labels_)]
    frame = pd.DataFrame(X, columns=names, copy=False).astype({"channel": np.int64})
    out = (frame, pd.DataFrame(Y, columns=label_names))
    return (*out, pd.DataFrame(P, columns=label_names)) if return_proba else out


def _check_rates(positive_rates: Any, n_labels: int) -> tuple[float, ...]:
    """``positive_rates``: None (halving from 0.02), one rate, or ``n_labels`` rates in (0, 0.5]."""
    if positive_rates is None:
        return tuple(0.02 * 0.5**j for j in range(n_labels))
    if not isinstance(positive_rates, bool) and isinstance(positive_rates, numbers.Real):
        rate = _check_real(positive_rates, "positive_rates", 0.0, 0.5, low_open=True, high_open=False)
        return (rate,) * n_labels
    if isinstance(positive_rates, (str, bytes, bool)) or not hasattr(positive_rates, "__len__"):
        raise TypeError(
            f"positive_rates must be None, a float in (0, 0.5] or a sequence of n_labels such floats, "
            f"got {type(positive_rates).__name__}"
        )
    if len(positive_rates) != n_labels:
        raise ValueError(f"positive_rates has {len(positive_rates)} entries but n_labels={n_labels}")
    return tuple(
        _check_real(r, f"positive_rates[{j}]", 0.0, 0.5, low_open=True, high_open=False)
        for j, r in enumerate(positive_rates)
    )
