"""Small synthetic tables shared by the engine-adapter tests (no engine imported here).

Every maker is deterministic (fixed seed) and cached, so the LightGBM, XGBoost and estimator
tests see the same data without paying for it twice.  Arrays are returned read-only so a test
cannot change a table that another test reuses.
"""

from __future__ import annotations

from functools import cache

import numpy as np

N_FEATURES = 8


def _frozen(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for arr in arrays:
        arr.setflags(write=False)
    return arrays


def _features(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.normal(size=(n, N_FEATURES))


@cache
def binary_table(n: int = 20_000, seed: int = 0, label_noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``X (n, 8)``, labels ``y`` in {0., 1.} (about 30 % positives) from a non-linear logit.

    ``label_noise`` flips that fraction of the labels (makes a model overfit quickly).
    """
    rng = np.random.default_rng(seed)
    X = _features(rng, n)
    logit = 1.2 * X[:, 0] - 0.8 * X[:, 1] + 0.7 * X[:, 2] * X[:, 3] + 0.5 * np.sin(2.0 * X[:, 4]) - 1.0
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.float64)
    if label_noise:
        flip = rng.random(n) < label_noise
        y[flip] = 1.0 - y[flip]
    return _frozen(X, y)  # type: ignore[return-value]


@cache
def multiclass_table(
    n: int = 20_000, k: int = 3, seed: int = 1, label_noise: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """``X (n, 8)``, integer-valued float labels in ``0..k-1`` drawn from a softmax of non-linear scores."""
    rng = np.random.default_rng(seed)
    X = _features(rng, n)
    coef = rng.normal(scale=1.0, size=(N_FEATURES, k))
    scores = X @ coef + 0.8 * np.sin(2.0 * X[:, [0]]) * np.arange(k) - 0.4 * np.arange(k)
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    y = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(0, k - 1).astype(np.float64)
    if label_noise:
        flip = rng.random(n) < label_noise
        y[flip] = rng.integers(0, k, size=int(flip.sum()))
    return _frozen(X, y)  # type: ignore[return-value]


@cache
def rare_table(n: int = 20_000, rate: float = 0.01, seed: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """A binary table with about ``rate`` positives (the intercept is solved for the rate)."""
    rng = np.random.default_rng(seed)
    X = _features(rng, n)
    signal = 1.5 * X[:, 0] + 1.0 * X[:, 1] - 0.8 * X[:, 2] * X[:, 3]
    lo, hi = -30.0, 10.0
    for _ in range(60):  # bisection on the intercept so that the mean probability is ``rate``
        mid = 0.5 * (lo + hi)
        if np.mean(1.0 / (1.0 + np.exp(-(signal + mid)))) > rate:
            hi = mid
        else:
            lo = mid
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(signal + lo)))).astype(np.float64)
    return _frozen(X, y)  # type: ignore[return-value]


@cache
def sample_weights(n: int, seed: int = 3) -> np.ndarray:
    """Positive, uneven sample weights (0.1 to 3)."""
    rng = np.random.default_rng(seed)
    (w,) = _frozen(rng.uniform(0.1, 3.0, size=n))
    return w


def table(kind: str, n: int = 20_000, **kwargs: float) -> tuple[np.ndarray, np.ndarray]:
    """``binary_table`` or ``multiclass_table`` (K = 3) by name."""
    if kind == "binary":
        return binary_table(n, **kwargs)  # type: ignore[arg-type]
    if kind == "multiclass":
        return multiclass_table(n, **kwargs)  # type: ignore[arg-type]
    raise ValueError(kind)


def split(X: np.ndarray, y: np.ndarray, n_train: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First ``n_train`` rows for training, the rest for validation."""
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]
