"""Posterior recovery: ``loss.posterior`` inverts the focal link; ``sigmoid``/``softmax`` do not.

Focal loss is not a proper scoring rule: the raw score that minimises the expected loss for a
true class probability ``q`` is pushed towards 0.5, so ``sigmoid(raw)`` is not ``q``.  DESIGN.md
section 4 gives the inverse map.  These tests find the population-optimal raw score for known
``q`` numerically (scipy, from ``.loss`` alone) and check that ``posterior`` maps it back to ``q``;
then fit a model on synthetic data with known probabilities and compare calibration errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit, logit, logsumexp

import boostfocal as bf

Q_GRID = [1e-4, 1e-3, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.999]


def binary_optimal_raw(loss: bf.Loss, q: float) -> float:
    """argmin_z q L(1, z) + (1 - q) L(0, z), from loss values only."""
    y = np.array([1, 0])
    w = np.array([q, 1.0 - q])

    def expected(z: float) -> float:
        return float(loss.loss(y, np.array([z, z]), w).sum())

    start = float(logit(q))
    res = minimize_scalar(expected, bracket=(start - 1.0, start + 1.0), tol=1e-14)
    return float(res.x)


@pytest.mark.parametrize("alpha", [None, 0.25, 0.9])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 3.3, 5.0])
def test_binary_posterior_inverts_the_focal_link(gamma, alpha, record_error):
    loss = bf.BinaryFocalLoss(alpha=alpha, gamma=gamma)
    z_opt = np.array([binary_optimal_raw(loss, q) for q in Q_GRID])
    q = np.array(Q_GRID)
    recovered = loss.posterior(z_opt)
    np.testing.assert_allclose(recovered, q, rtol=1e-6, atol=1e-6)
    record_error("posterior(optimal raw) vs q, binary, max relative error", np.max(np.abs(recovered - q) / q))
    if gamma > 0:
        # the naive link is wrong by far more than the optimiser's tolerance: focal pushes towards 0.5
        naive = bf.sigmoid(z_opt)
        assert np.max(np.abs(naive - q)) > 0.01
        off_centre = np.abs(q - 0.5) > 0.1
        if alpha is None:
            assert np.all(np.abs(naive[off_centre] - 0.5) < np.abs(q[off_centre] - 0.5))


@pytest.mark.parametrize(
    "q",
    [[0.2, 0.3, 0.5], [0.001, 0.5, 0.499], [0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.05, 0.05]],
    ids=lambda q: f"K{len(q)}-{min(q)}",
)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
def test_multiclass_posterior_inverts_the_focal_link(q, gamma, record_error):
    q = np.array(q)
    k = q.size
    y = np.arange(k)
    for alpha in (None, np.linspace(0.5, 2.0, k)):
        loss = bf.MulticlassFocalLoss(k, alpha=alpha, gamma=gamma)

        def expected(free, loss=loss):
            raw = np.tile(np.concatenate([[0.0], free]), (k, 1))  # class 0 pinned at 0
            value = loss.loss(y, raw, q).sum()
            grad = (q[:, None] * loss.grad_hess(y, raw)[0]).sum(axis=0)[1:]
            return float(value), grad

        res = minimize(expected, np.log(q[1:] / q[0]), jac=True, method="BFGS", options={"gtol": 1e-13})
        # a minimum of the expected loss by its values alone, whatever the gradient said
        for j in range(k - 1):
            for delta in (-1e-4, 1e-4):
                moved = res.x.copy()
                moved[j] += delta
                assert expected(moved)[0] >= res.fun
        recovered = loss.posterior(np.concatenate([[0.0], res.x])[None, :])[0]
        np.testing.assert_allclose(recovered, q, rtol=1e-6, atol=1e-6)
        record_error("posterior(optimal raw) vs q, multiclass, max relative error", np.max(np.abs(recovered - q) / q))
        if gamma > 0:
            naive = bf.softmax(np.concatenate([[0.0], res.x]))
            assert np.max(np.abs(naive - q) / q) > 0.01


@pytest.mark.parametrize("alpha", [None, 0.02, 0.25, 0.5, 0.9])
def test_binary_gamma_zero_posterior_undoes_alpha(alpha):
    z = np.linspace(-30, 30, 121)
    loss = bf.BinaryFocalLoss(alpha=alpha, gamma=0.0)
    a = 0.5 if alpha is None else alpha
    shifted = z + np.log((1 - a) / a)
    np.testing.assert_allclose(loss.posterior(z), expit(shifted), rtol=1e-12, atol=1e-300)
    moderate = np.abs(shifted) < 10  # where logit of a float64 probability keeps its digits
    np.testing.assert_allclose(logit(loss.posterior(z[moderate])), shifted[moderate], rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(
        bf.BinaryBalancedCrossEntropy(alpha).posterior(z), expit(z + np.log((1 - a) / a)), rtol=1e-12
    )


def test_multiclass_gamma_zero_posterior_undoes_alpha(rng):
    raw = rng.uniform(-20, 20, size=(50, 4))
    alpha = np.array([0.5, 1.0, 2.0, 4.0])
    loss = bf.MulticlassFocalLoss(4, alpha=alpha, gamma=0.0)
    expected = np.exp(raw - np.log(alpha) - logsumexp(raw - np.log(alpha), axis=1, keepdims=True))
    np.testing.assert_allclose(loss.posterior(raw), expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(bf.MulticlassFocalLoss(4, gamma=0.0).posterior(raw), bf.softmax(raw), rtol=1e-12)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
def test_posterior_logit_is_the_log_odds_of_the_posterior(gamma, rng):
    """Binary: sigmoid(posterior_logit) is the posterior and gamma = 0 gives z + log((1-a)/a) even
    where the posterior rounds to 0 or 1; multiclass: exp(posterior_logit) is the posterior."""
    z = np.concatenate([[-1e4], np.linspace(-40, 40, 161), [1e4]])
    loss = bf.BinaryFocalLoss(alpha=0.1, gamma=gamma)
    d = loss.posterior_logit(z)
    np.testing.assert_allclose(expit(d), loss.posterior(z), rtol=1e-13, atol=1e-300)
    assert np.all(np.diff(d) > 0)  # increasing in the margin, so it ranks as the posterior does
    if gamma == 0.0:
        np.testing.assert_allclose(d, z + np.log(0.9 / 0.1), rtol=1e-13)
    raw = rng.uniform(-30, 30, size=(200, 4))
    mloss = bf.MulticlassFocalLoss(4, alpha=[0.5, 1.0, 2.0, 4.0], gamma=gamma)
    log_post = mloss.posterior_logit(raw)
    np.testing.assert_allclose(np.exp(log_post), mloss.posterior(raw), rtol=1e-12, atol=1e-300)
    np.testing.assert_array_equal(np.argmax(log_post, axis=1), np.argmax(mloss.posterior(raw), axis=1))


def test_posterior_of_the_initial_score_is_the_class_prior(loss, rng):
    """init_score minimises sum_k W_k alpha_k l(pi_k); posterior inverts exactly that map, so it
    must return the (weighted) class frequencies."""
    k = max(loss.num_outputs, 2)
    y = rng.choice(k, size=4000, p=rng.dirichlet(np.ones(k)))
    y[:k] = np.arange(k)
    w = rng.uniform(0.2, 3.0, size=y.shape[0])
    totals = np.bincount(y, weights=w, minlength=k)
    prior = totals / totals.sum()
    init = loss.init_score(y, w)
    if loss.is_multiclass:
        np.testing.assert_allclose(loss.posterior(init[None, :])[0], prior, rtol=1e-8)
    else:
        np.testing.assert_allclose(loss.posterior(np.array([init]))[0], prior[1], rtol=1e-8)


def test_posterior_shape_range_and_limits(loss, rng):
    k = loss.num_outputs
    if loss.is_multiclass:
        raw = rng.uniform(-40, 40, size=(200, k))
        raw[0, 0], raw[1, 1], raw[2, :] = 1e300, np.inf, -np.inf
        p = loss.posterior(raw)
        assert p.shape == raw.shape
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-13)
        assert p[0, 0] == pytest.approx(1.0) and p[1, 1] == pytest.approx(1.0)
        # a tied row: P_k proportional to 1 / alpha_k (all p_k equal, so |l'(p_k)| is common)
        inv_alpha = 1.0 / (np.ones(k) if loss.alpha is None else np.asarray(loss.alpha))
        np.testing.assert_allclose(p[2], inv_alpha / inv_alpha.sum(), rtol=1e-13)
        np.testing.assert_allclose(loss.link(raw[3:]), bf.softmax(raw[3:]), rtol=1e-15)
    else:
        raw = np.sort(np.concatenate([rng.uniform(-40, 40, size=200), [-np.inf, -1e300, 1e300, np.inf]]))
        p = loss.posterior(raw)
        assert p.shape == raw.shape
        assert np.all(np.diff(p) >= 0)  # monotone in the margin
        assert p[0] == pytest.approx(0.0, abs=1e-300) and p[-1] == pytest.approx(1.0)
        np.testing.assert_array_equal(loss.link(raw), bf.sigmoid(raw))
    assert np.all((p >= 0) & (p <= 1)) and np.isfinite(p).all()


def test_binary_posterior_symmetry_without_alpha():
    z = np.linspace(-30, 30, 241)
    for gamma in (0.0, 0.5, 2.0, 5.0):
        loss = bf.BinaryFocalLoss(alpha=None, gamma=gamma)
        np.testing.assert_allclose(loss.posterior(z) + loss.posterior(-z), 1.0, rtol=1e-14)
        assert loss.posterior(np.array([0.0]))[0] == pytest.approx(0.5, abs=1e-15)


def test_plain_links():
    z = np.linspace(-700, 700, 1401)
    np.testing.assert_allclose(bf.sigmoid(z), expit(z), rtol=1e-15, atol=0)
    np.testing.assert_allclose(bf.sigmoid(-z), 1 - bf.sigmoid(z), atol=1e-16)
    assert bf.sigmoid(np.array([np.inf]))[0] == 1.0 and bf.sigmoid(np.array([-np.inf]))[0] == 0.0
    raw = np.array([[1.0, 2.0, 3.0], [1e300, 0.0, -1e300], [np.inf, 0.0, 0.0]])
    p = bf.softmax(raw)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    np.testing.assert_allclose(p[1:], [[1, 0, 0], [1, 0, 0]])
    np.testing.assert_allclose(bf.softmax(np.array([1.0, 2.0, 3.0])), p[0])


# --------------------------------------------------------------------------------------
# Calibration on data with known probabilities
# --------------------------------------------------------------------------------------


def expected_calibration_error(pred: np.ndarray, y: np.ndarray, n_bins: int = 20) -> float:
    """ECE with equal-mass bins of the predicted probability."""
    order = np.argsort(pred, kind="stable")
    return float(sum(len(b) / len(pred) * abs(pred[b].mean() - y[b].mean()) for b in np.array_split(order, n_bins)))


def _synthetic(rng, n, intercept, slope):
    x = rng.standard_normal(n)
    p = expit(intercept + slope * x)
    return x, p, (rng.random(n) < p).astype(np.int64)


def _bin_index(edges, x):
    return np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)


@pytest.mark.parametrize(("gamma", "alpha"), [(2.0, 0.25), (1.0, None)])
def test_binary_posterior_is_calibrated_where_sigmoid_is_not(gamma, alpha, record_error):
    """x ~ N(0,1), P(y=1|x) = sigmoid(-4.2 + 1.2 x) (~2.7 % positives), 200k rows to fit and 200k
    fresh rows to evaluate.  Model: a constant raw score per quantile bin of x, each the focal-loss
    minimiser on its bin (``init_score``)."""
    rng = np.random.default_rng(7)
    n = 200_000
    x, _, y = _synthetic(rng, n, -4.2, 1.2)
    x_test, p_test, y_test = _synthetic(rng, n, -4.2, 1.2)
    loss = bf.BinaryFocalLoss(alpha=alpha, gamma=gamma)
    n_bins = 20
    edges = np.quantile(x, np.linspace(0, 1, n_bins + 1))
    idx = _bin_index(edges, x)
    per_bin = np.array([loss.init_score(y[idx == b]) for b in range(n_bins)])
    raw_test = per_bin[_bin_index(edges, x_test)]

    post = loss.posterior(raw_test)
    naive = bf.sigmoid(raw_test)
    ece_post = expected_calibration_error(post, y_test)
    ece_naive = expected_calibration_error(naive, y_test)
    print(
        f"\n[calibration] binary gamma={gamma} alpha={alpha}: positives {y.mean():.4f}, "
        f"ECE posterior {ece_post:.5f}, ECE sigmoid {ece_naive:.5f}"
    )
    record_error(f"ECE of posterior (binary, gamma={gamma}, alpha={alpha})", ece_post)
    record_error(f"ECE of sigmoid   (binary, gamma={gamma}, alpha={alpha})", ece_naive)
    assert ece_post < 0.005
    assert ece_naive > 0.01 and ece_naive > 3 * ece_post
    # the recovered probabilities also beat the naive ones on log-loss and track the truth
    eps = 1e-15

    def log_loss(p):
        return -np.mean(y_test * np.log(np.clip(p, eps, 1)) + (1 - y_test) * np.log(np.clip(1 - p, eps, 1)))

    assert log_loss(post) < log_loss(naive)
    assert np.mean(np.abs(post - p_test)) < np.mean(np.abs(naive - p_test))


def test_multiclass_posterior_is_calibrated_where_softmax_is_not(record_error):
    """Three classes with known softmax probabilities in x; per-bin constant model as above."""
    rng = np.random.default_rng(11)
    n = 150_000
    coef = np.array([[0.0, 0.0], [-2.5, 1.0], [-3.5, -1.2]])  # class 0 is the majority

    def draw(m):
        x = rng.standard_normal(m)
        logits = coef[:, 0] + coef[:, 1] * x[:, None]
        p = np.exp(logits - logsumexp(logits, axis=1, keepdims=True))
        y = (rng.random(m)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
        return x, p, y

    x, _, y = draw(n)
    x_test, _, y_test = draw(n)
    loss = bf.MulticlassFocalLoss(3, alpha=[0.25, 1.0, 1.0], gamma=2.0)
    n_bins = 15
    edges = np.quantile(x, np.linspace(0, 1, n_bins + 1))
    idx = _bin_index(edges, x)
    per_bin = np.array([loss.init_score(y[idx == b]) for b in range(n_bins)])
    raw_test = per_bin[_bin_index(edges, x_test)]
    post = loss.posterior(raw_test)
    naive = bf.softmax(raw_test)
    onehot = np.eye(3)[y_test]
    ece_post = np.mean([expected_calibration_error(post[:, k], onehot[:, k]) for k in range(3)])
    ece_naive = np.mean([expected_calibration_error(naive[:, k], onehot[:, k]) for k in range(3)])
    print(f"\n[calibration] multiclass gamma=2: classwise ECE posterior {ece_post:.5f}, softmax {ece_naive:.5f}")
    record_error("classwise ECE of posterior (multiclass, gamma=2)", ece_post)
    record_error("classwise ECE of softmax   (multiclass, gamma=2)", ece_naive)
    assert ece_post < 0.005
    assert ece_naive > 0.01 and ece_naive > 3 * ece_post
