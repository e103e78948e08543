"""Synthetic data sets for trying imbalanced-learning objectives.

:func:`make_fraud` draws a table that behaves like card-fraud data (heavy imbalance, heavy-tailed
amounts, risky categories, noisy labels, a few easy frauds and many hard ones) rather than like the
well-separated Gaussian blobs of ``sklearn.datasets.make_classification``.
:func:`make_multilabel_fraud` draws several rare outcomes per row (say, chargeback types) with
shared and label-specific signal and known true probabilities. Both need numpy only; pandas is
imported only when ``as_frame=True``.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["make_fraud", "make_multilabel_fraud"]

#: Days the ``time`` column of :func:`make_fraud` spans.
FRAUD_PERIOD_DAYS = 30

# ---------------------------------------------------------------------------------------------
# Fixed structure of the generative story (the same for every seed, so the story is stable).
# ---------------------------------------------------------------------------------------------

#: Names of the first three categorical columns; further ones are called ``cat_4``, ``cat_5``, ...
_CATEGORICAL_NAMES = ("merchant_category", "country", "channel")

# merchant_category: 20 codes with Zipf-like popularity; codes 4, 11 and 17 (electronics, gift
# cards / digital goods, jewellery) are where fraudsters cash out.
_N_MERCHANT = 20
_MERCHANT_P = np.asarray(1.0 / np.arange(1, _N_MERCHANT + 1) ** 0.9, dtype=np.float64)
_MERCHANT_P /= _MERCHANT_P.sum()
_RISKY_MERCHANTS = np.array([4, 11, 17])
# Typical log-amount per merchant code, spread between about 10 and 120 currency units.
_MERCHANT_LOG_AMOUNT = np.log(10.0) + np.log(12.0) * ((7 * np.arange(_N_MERCHANT)) % _N_MERCHANT) / (_N_MERCHANT - 1)

# country: 0 is the card's home country; 1..8 ordinary foreign countries; 9..11 high-risk ones.
_N_COUNTRY = 12
_COUNTRY_P = np.concatenate([[0.85], 0.14 * np.full(8, 1 / 8), 0.01 * np.full(3, 1 / 3)])
_FOREIGN_P = np.concatenate([np.full(8, 0.4 / 8), np.full(3, 0.6 / 3)])  # where foreign frauds are
_FOREIGN_P = np.concatenate([[0.0], _FOREIGN_P])

# channel: 0 chip & PIN, 1 contactless, 2 online (card not present), 3 manual / phone order.
_N_CHANNEL = 4
_CHANNEL_P = np.array([0.45, 0.27, 0.23, 0.05])
_CHANNEL_LOG_AMOUNT = np.array([0.0, -0.6, 0.3, 0.5])
_CHANNEL_P_EASY = np.array([0.05, 0.05, 0.70, 0.20])
_CHANNEL_P_HARD = np.array([0.40, 0.22, 0.30, 0.08])

# Extra categorical columns (cat_4, ...): 8 Zipf-like levels; for frauds level 5 is over-represented.
_N_EXTRA_LEVELS = 8
_EXTRA_P = 1.0 / np.arange(1, _N_EXTRA_LEVELS + 1)
_EXTRA_P /= _EXTRA_P.sum()
_EXTRA_RISKY_LEVEL = 5

# Easy and hard fraud patterns (see the make_fraud docstring).
_EASY_SHIFT = 2.0  # shift of every v_j, in standard deviations
_EASY_FOREIGN = 0.7
_EASY_RISKY_MERCHANT = 0.6
_EASY_NIGHT = 0.6
_EASY_TEST_AMOUNT = 0.4  # tiny card-testing amounts
_EASY_BIG_AMOUNT = 0.6  # large cash-out amounts
_HARD_SHIFT = 0.6
_HARD_SCALE = 2.0
_HARD_SAME_SIGN = 0.9
_HARD_FOREIGN = 0.3
_HARD_RISKY_MERCHANT = 0.2
_HARD_CNP_LOG_AMOUNT = 0.6

# Share of "missed" frauds that is matched by genuine transactions labelled as fraud.
_FALSE_FRAUD_RATIO = 0.25


# ---------------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------------


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_real(value: Any, name: str, low: float, high: float, *, low_open: bool, high_open: bool) -> float:
    interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in {interval}, got {type(value).__name__}")
    v = float(value)
    ok = math.isfinite(v) and (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    if not ok:
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return v


def _check_random_state(random_state: Any) -> np.random.Generator:
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise TypeError(
            f"random_state must be None, a non-negative integer or a numpy.random.Generator, "
            f"got {type(random_state).__name__}"
        )
    if random_state < 0:
        raise ValueError(f"random_state must be a non-negative integer, got {random_state!r}")
    return np.random.default_rng(int(random_state))


def _column_names(n_categorical: int, n_informative: int, n_redundant: int, n_noise: int) -> list[str]:
    cats = [_CATEGORICAL_NAMES[j] if j < len(_CATEGORICAL_NAMES) else f"cat_{j + 1}" for j in range(n_categorical)]
    return (
        ["amount", "hour"]
        + cats
        + [f"v{j + 1}" for j in range(n_informative)]
        + [f"redundant_{j + 1}" for j in range(n_redundant)]
        + [f"noise_{j + 1}" for j in range(n_noise)]
    )


# ---------------------------------------------------------------------------------------------
# Pieces of the generative story
# ---------------------------------------------------------------------------------------------


def _choice(rng: np.random.Generator, p: NDArray[np.float64], size: int) -> NDArray[np.int64]:
    """Categorical draw with probabilities ``p`` (inverse-CDF; faster than ``rng.choice`` for big ``size``)."""
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    return np.searchsorted(cdf, rng.random(size), side="right").astype(np.int64)


def _hours(rng: np.random.Generator, size: int, night_prob: float | NDArray[np.float64]) -> NDArray[np.float64]:
    """Time of day in [0, 24): a day-time bump, a flat background, and (with ``night_prob``) a night bump."""
    u = rng.random(size)
    day = rng.normal(13.5, 3.5, size)
    flat = rng.uniform(0.0, 24.0, size)
    night = rng.normal(2.5, 1.8, size)
    h = np.where(u < 0.85, day, flat)
    h = np.where(rng.random(size) < night_prob, night, h)
    return np.mod(h, 24.0)


def _amounts(log_amount: NDArray[np.float64]) -> NDArray[np.float64]:
    """exp(log-amount), rounded to cents, at least one cent."""
    return np.maximum(np.round(np.exp(log_amount), 2), 0.01)


def _easy_frauds(rng: np.random.Generator, e_idx: NDArray[np.intp], cols: dict[str, Any]) -> None:
    """Step 3 of the story, in place on ``cols``: easy frauds, far from the genuine transactions."""
    ne = e_idx.size
    channel, country, merchant, log_amt, hour, v = (
        cols[c] for c in ("channel", "country", "merchant", "log_amt", "hour", "v")
    )
    sign = np.where(np.arange(v.shape[1]) % 2 == 0, 1.0, -1.0)
    channel[e_idx] = _choice(rng, _CHANNEL_P_EASY, ne)
    foreign = rng.random(ne) < _EASY_FOREIGN
    country[e_idx] = np.where(foreign, _choice(rng, _FOREIGN_P, ne), 0)
    risky = rng.random(ne) < _EASY_RISKY_MERCHANT
    m = np.where(risky, _RISKY_MERCHANTS[rng.integers(0, _RISKY_MERCHANTS.size, ne)], _choice(rng, _MERCHANT_P, ne))
    merchant[e_idx] = m
    u = rng.random(ne)
    log_amt[e_idx] = np.where(
        u < _EASY_TEST_AMOUNT,
        rng.normal(np.log(2.0), 0.5, ne),
        np.where(
            u < _EASY_TEST_AMOUNT + _EASY_BIG_AMOUNT,
            rng.normal(np.log(450.0), 0.7, ne),
            _MERCHANT_LOG_AMOUNT[m] + _CHANNEL_LOG_AMOUNT[channel[e_idx]] + 0.9 * rng.standard_normal(ne),
        ),
    )
    hour[e_idx] = _hours(rng, ne, _EASY_NIGHT)
    v[e_idx] += _EASY_SHIFT * sign


def _hard_frauds(rng: np.random.Generator, h_idx: NDArray[np.intp], cols: dict[str, Any]) -> None:
    """Step 4 of the story, in place on ``cols``: hard frauds, signal in small shifts and interactions."""
    nh = h_idx.size
    channel, country, merchant, log_amt, hour, v = (
        cols[c] for c in ("channel", "country", "merchant", "log_amt", "hour", "v")
    )
    k = v.shape[1]
    sign = np.where(np.arange(k) % 2 == 0, 1.0, -1.0)
    ch = _choice(rng, _CHANNEL_P_HARD, nh)
    channel[h_idx] = ch
    foreign = rng.random(nh) < _HARD_FOREIGN
    country[h_idx] = np.where(foreign, _choice(rng, _COUNTRY_P[1:], nh) + 1, 0)
    risky = rng.random(nh) < _HARD_RISKY_MERCHANT
    m = np.where(risky, _RISKY_MERCHANTS[rng.integers(0, _RISKY_MERCHANTS.size, nh)], merchant[h_idx])
    merchant[h_idx] = m
    cnp = ch >= 2  # card not present
    log_amt[h_idx] = (
        _MERCHANT_LOG_AMOUNT[m] + _CHANNEL_LOG_AMOUNT[ch] + _HARD_CNP_LOG_AMOUNT * cnp + 0.95 * rng.standard_normal(nh)
    )
    hour[h_idx] = _hours(rng, nh, np.where(foreign, 0.6, 0.05))
    half = (k + 1) // 2
    vh = v[h_idx]
    vh[:, :half] += _HARD_SHIFT * sign[:half]
    vh[:, half:] *= _HARD_SCALE
    for a in range(half, k - 1, 2):  # consecutive pairs in the second half share their sign
        same = rng.random(nh) < _HARD_SAME_SIGN
        vh[:, a + 1] = np.abs(vh[:, a + 1]) * np.where(same, np.sign(vh[:, a]), -np.sign(vh[:, a]))
    v[h_idx] = vh


def _noisy_labels(rng: np.random.Generator, fraud: NDArray[np.bool_], noise: float, p_true: float) -> NDArray[np.int64]:
    """Step 6 of the story: a share ``noise`` of the frauds labelled 0, and genuine rows labelled 1
    at the rate ``q`` that gives a quarter as many false frauds as missed ones."""
    y = fraud.copy()
    if noise > 0.0:
        f_idx = np.flatnonzero(fraud)
        y[f_idx[rng.random(f_idx.size) < noise]] = False
        q = _FALSE_FRAUD_RATIO * noise * p_true / (1.0 - p_true)
        g_idx = np.flatnonzero(~fraud)
        y[g_idx[rng.random(g_idx.size) < q]] = True
    labels: NDArray[np.int64] = y.astype(np.int64)
    return labels


# ---------------------------------------------------------------------------------------------
# Public generator
# ---------------------------------------------------------------------------------------------


def _other_columns(
    rng: np.random.Generator,
    n: int,
    n_cat: int,
    f_idx: NDArray[np.intp],
    v: NDArray[np.float64],
    n_red: int,
    n_nse: int,
) -> tuple[list[NDArray[Any]], NDArray[np.float64], NDArray[np.float64]]:
    """Step 5 of :func:`make_fraud`: extra categorical columns (frauds favour one level), redundant
    combinations of the informative columns, and pure noise."""
    extra = []
    for _ in range(max(n_cat - len(_CATEGORICAL_NAMES), 0)):
        c = _choice(rng, _EXTRA_P, n)
        if f_idx.size:
            c[f_idx] = np.where(rng.random(f_idx.size) < 0.3, _EXTRA_RISKY_LEVEL, c[f_idx])
        extra.append(c)
    if n_red:
        w = rng.standard_normal((v.shape[1], n_red))
        w /= np.linalg.norm(w, axis=0)
        redundant = v @ w + 0.3 * rng.standard_normal((n, n_red))
    else:
        redundant = np.empty((n, 0))
    return extra, redundant, rng.standard_normal((n, n_nse))


@overload
def make_fraud(
    n_samples: int = ...,
    positive_rate: float = ...,
    *,
    n_informative: int = ...,
    n_redundant: int = ...,
    n_noise: int = ...,
    n_categorical: int = ...,
    label_noise: float = ...,
    easy_fraction: float = ...,
    random_state: int | np.random.Generator | None = ...,
    as_frame: Literal[False] = ...,
    time_column: bool = ...,
    return_proba: Literal[False] = ...,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]: ...


@overload
def make_fraud(
    n_samples: int = ...,
    positive_rate: float = ...,
    *,
    n_informative: int = ...,
    n_redundant: int = ...,
    n_noise: int = ...,
    n_categorical: int = ...,
    label_noise: float = ...,
    easy_fraction: float = ...,
    random_state: int | np.random.Generator | None = ...,
    as_frame: Literal[True],
    time_column: bool = ...,
    return_proba: Literal[False] = ...,
) -> tuple[pd.DataFrame, pd.Series]: ...


@overload
def make_fraud(
    n_samples: int = ...,
    positive_rate: float = ...,
    *,
    n_informative: int = ...,
    n_redundant: int = ...,
    n_noise: int = ...,
    n_categorical: int = ...,
    label_noise: float = ...,
    easy_fraction: float = ...,
    random_state: int | np.random.Generator | None = ...,
    as_frame: bool = ...,
    time_column: bool = ...,
    return_proba: Literal[True],
) -> tuple[Any, Any, NDArray[np.float64]]: ...


def make_fraud(
    n_samples: int = 100_000,
    positive_rate: float = 0.002,
    *,
    n_informative: int = 8,
    n_redundant: int = 4,
    n_noise: int = 8,
    n_categorical: int = 3,
    label_noise: float = 0.05,
    easy_fraction: float = 0.3,
    random_state: int | np.random.Generator | None = None,
    as_frame: bool = False,
    time_column: bool = False,
    return_proba: bool = False,
) -> tuple[NDArray[np.float64], NDArray[np.int64]] | tuple[pd.DataFrame, pd.Series] | tuple[Any, Any, Any]:
    """Generate a synthetic, card-fraud-like binary classification table.

    Unlike ``sklearn.datasets.make_classification``, the positives are rare, most of them overlap
    the negatives, the signal lives partly in interactions (so trees beat linear models), the
    amounts are heavy-tailed, some features are integer-coded categories, and the labels are noisy
    in the way chargeback labels are: some frauds are never reported.

    Parameters
    ----------
    n_samples : int, default=100_000
        Number of rows (transactions), >= 1.
    positive_rate : float, default=0.002
        Expected share of rows labelled ``y = 1``, in (0, 1). Each observed label is 1 with exactly
        this probability, so the realised rate is Binomial(n_samples, positive_rate) / n_samples.
    n_informative : int, default=8
        Number of informative continuous features ``v1 .. vk`` (think: anonymised PCA components of
        behavioural signals), >= 0.
    n_redundant : int, default=4
        Number of redundant features: random linear combinations of ``v1 .. vk`` plus a little
        Gaussian noise, >= 0. Must be 0 when ``n_informative`` is 0.
    n_noise : int, default=8
        Number of pure-noise standard-normal features, independent of everything, >= 0.
    n_categorical : int, default=3
        Number of integer-coded categorical columns, >= 0: the first three are ``merchant_category``
        (20 codes), ``country`` (12 codes) and ``channel`` (4 codes); further ones are ``cat_4``,
        ``cat_5``, ... (8 codes each). Merchant, country and channel exist in the story whatever
        this number is; columns left out act as unobserved causes.
    label_noise : float, default=0.05
        Fraction of true frauds that carry the label 0 (never reported), in [0, 0.5). In addition,
        genuine transactions are labelled 1 (e.g. a wrongly disputed purchase) in a number equal to
        a quarter of the missed frauds, so the noise is asymmetric. The true fraud rate is raised to
        keep the expected observed rate at ``positive_rate``.
    easy_fraction : float, default=0.3
        Share of true frauds drawn from the distinct, "easy" pattern, in [0, 1]; the rest follow the
        "hard" pattern that is only slightly shifted from the genuine transactions.
    random_state : int, numpy.random.Generator or None, default=None
        Seed or generator. The same integer gives the same arrays; a Generator is used (and
        advanced) in place; None draws fresh entropy.
    as_frame : bool, default=False
        If True, return a pandas DataFrame (categorical columns as int64, the rest float64) and an
        int64 Series named ``is_fraud``.
    time_column : bool, default=False
        Add a last column ``time``: when the transaction happened, in seconds over
        ``FRAUD_PERIOD_DAYS`` (30) days, uniform.  The fraud patterns drift with it, as fraudsters
        adapt: the share of easy frauds among the frauds falls linearly from
        ``1.5 * easy_fraction`` at the start to ``0.5 * easy_fraction`` at the end (clipped to
        [0, 1]), so a model trained on the past meets more hard frauds than it learnt from.
    return_proba : bool, default=False
        Also return ``P(y = 1 | x)``, the true probability of the observed label given the
        row, by Bayes' rule on the generative story (label noise included; needs
        ``n_categorical >= 3``, the story's merchant, country and channel columns).  A model's
        calibrated probability estimates it; the Bayes rule of :mod:`boostfocal.metrics` on it
        is the cost-optimal decision.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64, or DataFrame
        ``n_features = 2 + n_categorical + n_informative + n_redundant + n_noise`` columns, in this
        order: ``amount``, ``hour``, the categorical columns (integer-valued), ``v1 .. vk``,
        ``redundant_1 ..``, ``noise_1 ..``.
    y : ndarray of shape (n_samples,), int64, or Series
        Observed labels in {0, 1} (1 = reported fraud), including label noise.

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. a float ``n_samples``).
    ValueError
        If an argument is out of range; the message names the argument.

    Notes
    -----
    The generative story, per transaction:

    1. **True class.** The transaction is a fraud with probability
       ``p = positive_rate / (1 - 0.75 * label_noise)``. A fraud follows the *easy* pattern with
       probability ``easy_fraction`` and the *hard* pattern otherwise.
    2. **Genuine transactions.** Channel (chip 45 %, contactless 27 %, online 23 %, phone 5 %),
       merchant category (Zipf-like) and country (home 85 %) are drawn independently. The amount is
       log-normal, ``log(amount) ~ N(mu[merchant] + c[channel], 0.9^2)``: heavy right tail, median
       about 40. The hour is a day-time bump ``N(13.5, 3.5^2)`` (85 %) or uniform over the day,
       wrapped to [0, 24). ``v1 .. vk`` are independent standard normals.
    3. **Easy frauds** (card testing and cash-out bursts) are far from the genuine ones: mostly
       online or phone (90 %), foreign (70 %, often high-risk countries 9-11), risky merchants
       4, 11, 17 (60 %), at night (60 %), with either tiny test amounts (~2, 40 %) or large ones
       (~450, 60 %), and every ``v_j`` shifted by ``2 * s_j`` (``s_j`` = +1, -1, +1, ...).
    4. **Hard frauds** mimic genuine behaviour and are only slightly shifted at the margins:
       channel, country (foreign 30 % instead of 15 %) and merchant (20 % moved to a risky code)
       are mildly tilted; the first half of ``v`` is shifted by ``0.6 * s_j``; the second half has
       twice the spread and its consecutive pairs share their sign 90 % of the time (an XOR-like
       interaction with no mean shift); amounts are +0.6 in log scale only for card-not-present
       channels; night hours are likely only for foreign transactions. Much of their signal is in
       interactions, which trees find and a linear model does not.
    5. **Other columns.** ``redundant_j = v @ w_j + N(0, 0.3^2)`` with unit-norm random ``w_j``;
       ``noise_j ~ N(0, 1)``; extra categoricals are Zipf-like, with level 5 over-represented
       among frauds.
    6. **Labels.** A share ``label_noise`` of the frauds is labelled 0; genuine transactions are
       labelled 1 with a probability giving a quarter as many false frauds as missed ones. The
       expected share of ``y = 1`` is then exactly ``positive_rate``.

    Difficulty, measured on a stratified 70/30 split of 100 000 rows (mean over 6 seeds): at
    ``positive_rate=0.01`` LightGBM with default parameters reaches an average precision of about
    0.56 (ROC-AUC 0.95) and logistic regression about 0.39. At the default rate 0.002 (about 140
    training positives) a lightly regularised LightGBM (``reg_lambda=1``) reaches about 0.41, but
    LightGBM's *defaults* (no L2 penalty, ``min_sum_hessian_in_leaf=1e-3``) diverge: leaf values
    of hundreds or thousands and an average precision near 0.03. That failure of plain log-loss
    boosting at extreme imbalance is real, not an artefact of this generator.

    Examples
    --------
    >>> from boostfocal.datasets import make_fraud
    >>> X, y = make_fraud(20_000, positive_rate=0.01, random_state=0)
    >>> X.shape, X.dtype, y.dtype
    ((20000, 25), dtype('float64'), dtype('int64'))
    >>> bool(0.005 < y.mean() < 0.015)
    True
    >>> X_df, y_s = make_fraud(1_000, random_state=0, as_frame=True)  # doctest: +SKIP
    >>> list(X_df.columns[:5])  # doctest: +SKIP
    ['amount', 'hour', 'merchant_category', 'country', 'channel']
    """
    n = _check_int(n_samples, "n_samples", 1)
    rate = _check_real(positive_rate, "positive_rate", 0.0, 1.0, low_open=True, high_open=True)
    k = _check_int(n_informative, "n_informative", 0)
    n_red = _check_int(n_redundant, "n_redundant", 0)
    n_nse = _check_int(n_noise, "n_noise", 0)
    n_cat = _check_int(n_categorical, "n_categorical", 0)
    noise = _check_real(label_noise, "label_noise", 0.0, 0.5, low_open=False, high_open=True)
    easy = _check_real(easy_fraction, "easy_fraction", 0.0, 1.0, low_open=False, high_open=False)
    if not isinstance(as_frame, (bool, np.bool_)):
        raise TypeError(f"as_frame must be a bool, got {type(as_frame).__name__}")
    if not isinstance(time_column, (bool, np.bool_)):
        raise TypeError(f"time_column must be a bool, got {type(time_column).__name__}")
    if not isinstance(return_proba, (bool, np.bool_)):
        raise TypeError(f"return_proba must be a bool, got {type(return_proba).__name__}")
    if return_proba and n_cat < 3:
        raise ValueError(f"return_proba needs n_categorical >= 3 (merchant, country, channel), got {n_cat}")
    if k == 0 and n_red > 0:
        raise ValueError(f"n_redundant must be 0 when n_informative is 0 (nothing to combine), got {n_red}")
    p_true = rate / (1.0 - (1.0 - _FALSE_FRAUD_RATIO) * noise)
    if p_true >= 1.0:
        raise ValueError(
            f"positive_rate={rate!r} is too high for label_noise={noise!r}: the true fraud rate "
            f"positive_rate / (1 - 0.75 * label_noise) = {p_true:.3f} must be below 1"
        )
    rng = _check_random_state(random_state)

    # 1. True class and pattern.
    fraud = rng.random(n) < p_true
    f_idx = np.flatnonzero(fraud)
    when = None
    if time_column:  # drawn only when asked: the table without it is unchanged
        when = rng.random(n) * FRAUD_PERIOD_DAYS * 86_400.0
        easy_at = np.clip(easy * (1.5 - when[f_idx] / (FRAUD_PERIOD_DAYS * 86_400.0)), 0.0, 1.0)
        is_easy = rng.random(f_idx.size) < easy_at
    else:
        is_easy = rng.random(f_idx.size) < easy
    e_idx, h_idx = f_idx[is_easy], f_idx[~is_easy]
    ne, nh = e_idx.size, h_idx.size

    # 2. Genuine behaviour for every row; fraud rows are overwritten below.
    channel = _choice(rng, _CHANNEL_P, n)
    merchant = _choice(rng, _MERCHANT_P, n)
    country = _choice(rng, _COUNTRY_P, n)
    log_amt = _MERCHANT_LOG_AMOUNT[merchant] + _CHANNEL_LOG_AMOUNT[channel] + 0.9 * rng.standard_normal(n)
    hour = _hours(rng, n, 0.0)
    v = rng.standard_normal((n, k))

    # 3-4. Easy and hard frauds overwrite their rows.
    cols = {"channel": channel, "country": country, "merchant": merchant, "log_amt": log_amt, "hour": hour, "v": v}
    if ne:
        _easy_frauds(rng, e_idx, cols)
    if nh:
        _hard_frauds(rng, h_idx, cols)

    extra, redundant, noise_cols = _other_columns(rng, n, n_cat, f_idx, v, n_red, n_nse)  # 5.

    y_int = _noisy_labels(rng, fraud, noise, p_true)  # 6. missed frauds and fewer false frauds

    cats = [merchant, country, channel][:n_cat] + extra
    X = np.column_stack([_amounts(log_amt), hour, *cats, v, redundant, noise_cols, *([] if when is None else [when])])
    X = np.ascontiguousarray(X, dtype=np.float64)

    proba = None
    if return_proba:
        from ._fraud_truth import true_probability

        proba = true_probability(X, n_cat, k, p_true, easy, noise, when is not None)
    if not as_frame:
        return (X, y_int) if proba is None else (X, y_int, proba)

    import pandas as pd

    names = _column_names(n_cat, k, n_red, n_nse) + (["time"] if when is not None else [])
    frame = pd.DataFrame(X, columns=names, copy=False)
    frame = frame.astype({name: np.int64 for name in names[2 : 2 + n_cat]})
    series = pd.Series(y_int, name="is_fraud")
    return (frame, series) if proba is None else (frame, series, proba)


from ._multilabel_data import make_multilabel_fraud  # noqa: E402  (re-exported: one public module)
