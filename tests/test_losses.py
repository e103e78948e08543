"""Properties of the loss objects: derivatives, extremes, Hessian policies, invariants, initial score.

The pattern is scikit-learn's ``sklearn/_loss/tests/test_loss.py``: every enrolled loss (see
``conftest.LOSS_INSTANCES``) runs through the same checks; gradients are compared with a
4th-order central difference of ``.loss`` and exact Hessians with a central difference of the
gradient, one column at a time for multiclass losses.
"""

from __future__ import annotations

import copy
import itertools
import pickle
import warnings

import mpmath as mp
import numpy as np
import pytest
from _multilabel import MULTILABEL_INSTANCES
from conftest import LOSS_INSTANCES, exact_version, random_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.optimize import brentq, minimize, minimize_scalar
from scipy.special import logsumexp
from sklearn.metrics import log_loss

import boostfocal as bf
from boostfocal.losses import HESSIAN_FLOOR

FAST = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

EPS = np.finfo(np.float64).eps
GAMMAS = [0.0, 0.5, 1.0, 2.0, 5.0, 0.37, 1.63, 2.91]
POLICIES = ["bounded", "exact", "weighted", "clip"]


# --------------------------------------------------------------------------------------
# Numerical derivatives
# --------------------------------------------------------------------------------------

STEP = 1e-3
RTOL = 1e-6
STENCIL = (-2, -1, 1, 2)


def _stencil_inputs(y, raw, w, columns):
    """All perturbed copies of ``raw`` stacked into one batch (one call per derivative check)."""
    blocks = []
    for j in columns:
        for k in STENCIL:
            shifted = raw.copy()
            if j is None:
                shifted += k * STEP
            else:
                shifted[:, j] += k * STEP
            blocks.append(shifted)
    reps = len(blocks)
    return np.concatenate([y] * reps), np.concatenate(blocks), None if w is None else np.tile(w, reps)


def _central_difference(values, n, n_cols):
    """4th-order central difference from the stacked evaluations; also a rounding bound.

    The loss and gradient are evaluated to a few ulps and the stencil divides their rounding
    errors by ``h``, hence the absolute tolerance ``C eps max|f| / h``.  The truncation error,
    ``h^4 f^(5) / 30``, is far below ``RTOL`` for ``h = 1e-3``.
    """
    f = values.reshape(n_cols, len(STENCIL), n)
    fm2, fm1, fp1, fp2 = f[:, 0], f[:, 1], f[:, 2], f[:, 3]
    deriv = (fm2 - 8.0 * fm1 + 8.0 * fp1 - fp2) / (12.0 * STEP)
    atol = 64.0 * EPS * np.max(np.abs(f), axis=1) / STEP
    return deriv.T, atol.T  # (n, n_cols)


def numerical_grad(loss, y, raw, w):
    """Numerical gradient of ``loss.loss`` (and its absolute tolerance), shaped like ``raw``."""
    n = raw.shape[0]
    columns = range(raw.shape[1]) if loss.is_multiclass else [None]
    yy, rr, ww = _stencil_inputs(y, raw, w, columns)
    d, atol = _central_difference(loss.loss(yy, rr, ww), n, len(columns))
    return (d, atol) if loss.is_multiclass else (d[:, 0], atol[:, 0])


def numerical_hess(loss, y, raw, w):
    """Numerical diagonal Hessian: difference of the analytic gradient, one column at a time."""
    n = raw.shape[0]
    if not loss.is_multiclass:
        yy, rr, ww = _stencil_inputs(y, raw, w, [None])
        d, atol = _central_difference(loss.grad_hess(yy, rr, ww)[0], n, 1)
        return d[:, 0], atol[:, 0]
    k = raw.shape[1]
    yy, rr, ww = _stencil_inputs(y, raw, w, range(k))
    g = loss.grad_hess(yy, rr, ww)[0].reshape(k, len(STENCIL), n, k)
    own = np.stack([g[j, :, :, j] for j in range(k)])  # column j of the gradient, perturbing column j
    return _central_difference(own.reshape(-1), n, k)


def assert_matches_numerical(actual, numerical, atol, record, name):
    """``|actual - numerical| <= RTOL |actual| + atol`` everywhere; records the max relative error.

    The relative error is recorded only where the relative term dominates the tolerance
    (elsewhere the difference quotient has no relative accuracy to measure against).
    """
    err = np.abs(actual - numerical)
    ok = err <= RTOL * np.abs(actual) + atol
    assert ok.all(), (
        f"{name}: max excess {np.max(err - RTOL * np.abs(actual) - atol):.3e}\n"
        f"actual={actual[~ok]}\nnumerical={numerical[~ok]}\natol={atol[~ok]}"
    )
    meaningful = (RTOL * np.abs(actual) >= atol) & (actual != 0)
    if meaningful.any():
        record(name, np.max(err[meaningful] / np.abs(actual[meaningful])))


def check_derivatives(loss, y, raw, w, record, tag):
    exact = exact_version(loss)
    g, h = exact.grad_hess(y, raw, w)
    g_policy, _ = loss.grad_hess(y, raw, w)
    np.testing.assert_array_equal(g_policy, g)  # the gradient does not depend on the policy
    g_num, g_tol = numerical_grad(loss, y, raw, w)
    assert_matches_numerical(g, g_num, g_tol, record, f"grad vs 4th-order central difference ({tag})")
    h_num, h_tol = numerical_hess(exact, y, raw, w)
    assert_matches_numerical(h, h_num, h_tol, record, f"exact hess vs difference of grad ({tag})")


def test_derivatives_of_enrolled_losses(loss, backend, rng, record_error):
    y, raw = random_data(loss, 200, rng, scale=30.0)
    w = rng.uniform(0.1, 10.0, size=y.shape[0])
    for weights in (None, w):
        check_derivatives(loss, y, raw, weights, record_error, "binary" if not loss.is_multiclass else "multiclass")


@pytest.mark.parametrize("gamma", GAMMAS)
def test_binary_derivatives_on_a_margin_grid(gamma, backend, record_error):
    z = np.linspace(-30.0, 30.0, 241)
    raw = np.concatenate([z, z])
    y = np.repeat([0, 1], z.size)
    for alpha in (None, 0.25, 0.9):
        loss = bf.BinaryFocalLoss(alpha=alpha, gamma=gamma, hessian="exact")
        check_derivatives(loss, y, raw, None, record_error, "binary")


@pytest.mark.parametrize("num_class", range(2, 11))
def test_multiclass_derivatives_for_every_num_class(num_class, backend, rng, record_error):
    alpha = rng.uniform(0.1, 3.0, size=num_class)
    y, raw = random_data(bf.MulticlassFocalLoss(num_class), 60, rng, scale=30.0)
    raw[:10] = rng.uniform(-3, 3, size=(10, num_class))  # also the region of well-mixed classes
    w = rng.uniform(0.1, 10.0, size=y.shape[0])
    for gamma in (0.0, 0.5, 1.0, 2.0, 5.0, 1.37):
        for a in (None, alpha):
            loss = bf.MulticlassFocalLoss(num_class, alpha=a, gamma=gamma)
            check_derivatives(loss, y, raw, w, record_error, "multiclass")


gamma_st = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]), st.floats(0.0, 6.0))
margin_st = st.floats(-30.0, 30.0, allow_nan=False)
weight_st = st.floats(0.01, 100.0)


@FAST
@given(
    gamma=gamma_st,
    alpha=st.one_of(st.none(), st.floats(0.01, 0.99)),
    data=st.data(),
)
def test_binary_derivatives_hypothesis(gamma, alpha, data, backend, record_error):
    n = data.draw(st.integers(1, 20))
    raw = data.draw(hnp.arrays(np.float64, n, elements=margin_st))
    y = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    w = data.draw(st.one_of(st.none(), hnp.arrays(np.float64, n, elements=weight_st)))
    loss = bf.BinaryFocalLoss(alpha=alpha, gamma=gamma, hessian="exact")
    check_derivatives(loss, y, raw, w, record_error, "binary")


@FAST
@given(gamma=gamma_st, num_class=st.integers(2, 10), data=st.data())
def test_multiclass_derivatives_hypothesis(gamma, num_class, data, backend, record_error):
    n = data.draw(st.integers(1, 8))
    raw = data.draw(hnp.arrays(np.float64, (n, num_class), elements=margin_st))
    y = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, num_class - 1)))
    alpha = data.draw(st.one_of(st.none(), st.lists(st.floats(0.05, 5.0), min_size=num_class, max_size=num_class)))
    w = data.draw(st.one_of(st.none(), hnp.arrays(np.float64, n, elements=weight_st)))
    loss = bf.MulticlassFocalLoss(num_class, alpha=alpha, gamma=gamma, hessian="exact")
    check_derivatives(loss, y, raw, w, record_error, "multiclass")


# --------------------------------------------------------------------------------------
# Extreme margins
# --------------------------------------------------------------------------------------

EXTREMES = [1e4, 1e300, np.inf]
LIMIT_GAMMAS = [0.0, 0.3, 0.5, 0.99, 1.0, 1.5, 1.99, 2.0, 5.0]


@pytest.mark.parametrize("gamma", LIMIT_GAMMAS)
@pytest.mark.parametrize("alpha", [None, 0.25])
def test_binary_extreme_margins_reach_the_analytic_limits(alpha, gamma, backend):
    a1, a0 = (1.0, 1.0) if alpha is None else (alpha, 1.0 - alpha)
    for hessian, big in itertools.product(POLICIES, EXTREMES):
        loss = bf.BinaryFocalLoss(alpha=alpha, gamma=gamma, hessian=hessian)
        y = np.array([1, 0, 1, 0])
        raw = np.array([big, -big, -big, big])  # two confidently right, two confidently wrong
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no overflow/invalid warnings either
            value = loss.loss(y, raw)
            g, h = loss.grad_hess(y, raw)
        assert np.isfinite(value).all() and np.isfinite(g).all() and np.isfinite(h).all()
        # confidently right: no loss, no gradient, no curvature (up to the documented floor)
        np.testing.assert_array_equal(value[:2], 0.0)
        np.testing.assert_array_equal(g[:2], 0.0)
        # confidently wrong: the gradient saturates at -a s (s = 2y - 1)
        np.testing.assert_allclose(g[2:], [-a1, a0], rtol=1e-15)
        # the loss grows like a |z| (infinite margins count as 1e300)
        assert value[2] >= a1 * min(big, 1e300) * (1 - 1e-15) and value[3] >= a0 * min(big, 1e300) * (1 - 1e-15)
        if hessian == "exact":
            np.testing.assert_array_equal(h, 0.0)
        else:
            assert np.all(h > 0)
            np.testing.assert_allclose(h, HESSIAN_FLOOR * np.array([a1, a0, a1, a0]), rtol=1e-15)


@pytest.mark.parametrize("gamma", LIMIT_GAMMAS)
def test_multiclass_extreme_margins_reach_the_analytic_limits(gamma, backend):
    alpha = (0.5, 2.0, 3.0, 1.5)
    for hessian, big in itertools.product(POLICIES, EXTREMES):
        loss = bf.MulticlassFocalLoss(4, alpha=alpha, gamma=gamma, hessian=hessian)
        raw = np.array(
            [
                [big, 0.0, -big, 0.0],  # y=0, confidently right
                [big, -big, 0.0, 1.0],  # y=1, confidently wrong, class 0 wins
                [-big, 0.0, big, -big],  # y=0, confidently wrong, class 2 wins
                [0.0, 0.0, 0.0, big],  # y=3 right, the others tied far below
            ]
        )
        y = np.array([0, 1, 0, 3])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            value = loss.loss(y, raw)
            g, h = loss.grad_hess(y, raw)
        assert np.isfinite(value).all() and np.isfinite(g).all() and np.isfinite(h).all()
        np.testing.assert_array_equal(value[[0, 3]], 0.0)
        np.testing.assert_array_equal(g[[0, 3]], 0.0)
        # confidently wrong: grad_t -> -alpha_t, the winning wrong class -> +alpha_t, the rest -> 0
        np.testing.assert_allclose(g[1], [alpha[1], -alpha[1], 0, 0], rtol=1e-15, atol=0)
        np.testing.assert_allclose(g[2], [-alpha[0], 0, alpha[0], 0], rtol=1e-15, atol=0)
        assert value[1] >= alpha[1] * min(big, 1e300) and value[2] >= alpha[0] * min(big, 1e300)
        if hessian == "exact":
            np.testing.assert_array_equal(h, 0.0)
        else:
            np.testing.assert_allclose(h, HESSIAN_FLOOR * np.asarray(alpha)[y][:, None] * np.ones(4), rtol=1e-15)


@pytest.mark.parametrize("gamma", [0.1, 0.5, 0.99, 1.5, 1.99])
def test_binary_small_gamma_near_certainty_follows_the_asymptotic_forms(gamma, backend):
    # t -> +inf: q = e^-t, log p = -q, so f'(t) ~ -(1+g) q^(1+g) and f''(t) ~ (1+g)^2 q^(1+g)
    t = np.array([40.0, 100.0, 300.0])
    loss = bf.BinaryFocalLoss(alpha=None, gamma=gamma, hessian="exact")
    g, h = loss.grad_hess(np.ones(3), t)
    value = loss.loss(np.ones(3), t)
    q_pow = np.exp(-(1.0 + gamma) * t)
    np.testing.assert_allclose(value, q_pow, rtol=1e-13)
    np.testing.assert_allclose(g, -(1.0 + gamma) * q_pow, rtol=1e-13)
    np.testing.assert_allclose(h, (1.0 + gamma) ** 2 * q_pow, rtol=1e-13)


@pytest.mark.parametrize("hessian", POLICIES)
def test_multiclass_small_gamma_as_u_goes_to_one_is_finite(hessian, backend):
    for gamma in (0.0, 0.1, 0.5, 0.99, 1.0, 1.5, 1.99):
        _check_small_gamma_u_to_one(gamma, hessian)


def _check_small_gamma_u_to_one(gamma, hessian):
    # u -> 1: (1-u)^(gamma-2) and (1-u)^(gamma-1) blow up for gamma < 2 unless combined with d_k
    d = np.array([5.0, 20.0, 36.0, 37.0, 40.0, 100.0, 700.0, 800.0, 1e4, 1e300])
    raw = np.zeros((d.size, 3))
    raw[:, 1] = d
    y = np.ones(d.size, dtype=int)
    loss = bf.MulticlassFocalLoss(3, gamma=gamma, hessian=hessian)
    value = loss.loss(y, raw)
    g, h = loss.grad_hess(y, raw)
    assert np.isfinite(value).all() and np.isfinite(g).all() and np.isfinite(h).all()
    assert np.all(value >= 0) and np.all(np.diff(value) <= 0)
    # gradient: log-loss gradient times the focal weight W = v^g (1 - g u log u / v) ~ (1 + g) v^g
    v = 2.0 * np.exp(-d) / (1.0 + 2.0 * np.exp(-d))
    with np.errstate(under="ignore"):
        expected_other = (1.0 + gamma) * v**gamma * np.exp(-d) / (1.0 + 2.0 * np.exp(-d))
    big = d >= 40.0  # where the asymptotic form is exact to double precision (corrections O(v))
    np.testing.assert_allclose(g[big, 0], expected_other[big], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=1e-15)  # softmax gradients sum to 0
    assert np.all(g[:, 1] <= 0) and np.all(g[:, [0, 2]] >= 0)
    if hessian != "exact":
        assert np.all(h > 0)


def test_compiled_kernels_give_the_same_numbers_on_all_threads(backend, rng, monkeypatch):
    """Serial (small inputs) and multi-threaded kernels, on 1 and on all threads, agree bit for bit."""
    if backend != "numba":
        pytest.skip("thread count only matters for the compiled kernels")
    import numba

    from boostfocal import _fast

    losses = [
        bf.BinaryFocalLoss(alpha=0.3, gamma=1.7),
        bf.BinaryFocalLoss(alpha=0.3, gamma=2.0),
        bf.MulticlassFocalLoss(4, alpha=[1, 2, 3, 4], gamma=0.7),
        bf.MulticlassFocalLoss(4, gamma=2.0, hessian="exact"),
    ]
    for loss in losses:
        y, raw = random_data(loss, 20_000, rng)
        w = rng.uniform(0, 2, size=y.shape[0])
        monkeypatch.setattr(_fast, "SERIAL_BELOW", 10**12)
        serial = loss.grad_hess(y, raw, w)
        monkeypatch.setattr(_fast, "SERIAL_BELOW", 0)
        one = loss.grad_hess(y, raw, w)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        try:
            many = loss.grad_hess(y, raw, w)
        finally:
            numba.set_num_threads(1)
        for a, b, c in zip(serial, one, many, strict=True):
            np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(a, c)


def test_per_sample_results_do_not_depend_on_the_rest_of_the_batch(loss, backend, rng):
    y, raw = random_data(loss, 40, rng)
    value = loss.loss(y, raw)
    g, h = loss.grad_hess(y, raw)
    for i in (0, 7, 39):
        one_v = loss.loss(y[i : i + 1], raw[i : i + 1])
        one_g, one_h = loss.grad_hess(y[i : i + 1], raw[i : i + 1])
        np.testing.assert_array_equal(one_v[0], value[i])
        np.testing.assert_array_equal(one_g[0], g[i])
        np.testing.assert_array_equal(one_h[0], h[i])


def test_float32_input_equals_the_upcast_float64_input(loss, backend, rng):
    y, raw = random_data(loss, 100, rng)
    raw32 = raw.astype(np.float32)
    raw32.flat[:4] = np.array([3e38, -3e38, np.inf, -np.inf], dtype=np.float32)
    raw64 = raw32.astype(np.float64)
    np.testing.assert_array_equal(loss.loss(y, raw32), loss.loss(y, raw64))
    for a, b in zip(loss.grad_hess(y, raw32), loss.grad_hess(y, raw64), strict=True):
        assert a.dtype == np.float64
        np.testing.assert_array_equal(a, b)
        assert np.isfinite(a).all()
    np.testing.assert_array_equal(loss.posterior(raw32), loss.posterior(raw64))


def test_nan_margins_raise(loss, rng):
    y, raw = random_data(loss, 5, rng)
    raw.flat[3] = np.nan
    for method in ("loss", "grad_hess", "posterior", "link"):
        func = getattr(loss, method)
        args = (raw,) if method in ("posterior", "link") else (y, raw)
        with pytest.raises(ValueError, match="raw"):
            func(*args)


def test_nan_in_plain_links_raises():
    with pytest.raises(ValueError, match="raw"):
        bf.sigmoid(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="raw"):
        bf.softmax(np.array([[0.0, np.nan]]))


def _large_margin_batch(loss, big):
    if loss.is_multiclass:
        raw = np.zeros((4, loss.num_class))
        raw[0, 0] = big
        raw[1, 0] = -big
        raw[2, 1] = big
        raw[3] = -big
        return np.zeros(4, dtype=int), raw
    return np.array([1, 1, 0, 0]), np.array([big, -big, big, -big])


def _call_everything(loss, y, raw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        loss.loss(y, raw)
        loss.grad_hess(y, raw)
        loss.posterior(raw)
        loss.link(raw)


def test_no_floating_point_warnings_at_large_margins(loss, backend):
    for big in (30.0, 700.0, 800.0, 1e4, 1e300, np.inf):
        _call_everything(loss, *_large_margin_batch(loss, big))


def test_numpy_multiclass_hessian_does_not_warn_at_margins_near_745(monkeypatch):
    """Margins of ~709-745, where ``exp(-d)`` is subnormal, must not make the numpy multiclass
    Hessian emit ``RuntimeWarning: overflow encountered in divide``: ``rho = e / s_nt`` is also
    evaluated for the entry ``np.where`` discards, and an engine calling the objective every round
    would flood its log."""
    from boostfocal import losses

    monkeypatch.setattr(losses._kernels, "_fast_module", None)
    loss = bf.MulticlassFocalLoss(3, gamma=2.0)
    for big in (709.0, 720.0, 745.0):
        _call_everything(loss, *_large_margin_batch(loss, big))  # warnings are errors there


def test_multiclass_finite_margins_near_float_max_behave_as_clipped(backend):
    """A finite raw row whose range overflows float64 (here 2e308) gives the finite loss, gradient
    and Hessian of the same row clipped to +-1e300 (``_numeric`` promises finite results for every
    finite input), without floating-point warnings: the clip applies whether or not another entry
    of the batch is infinite."""
    loss = bf.MulticlassFocalLoss(3, gamma=2.0)
    raw = np.array([[1e308, -1e308, 0.0]])
    clipped = np.array([[1e300, -1e300, 0.0]])
    y = np.array([1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        g, h = loss.grad_hess(y, raw)
        value = loss.loss(y, raw)
    assert np.isfinite(g).all() and np.isfinite(h).all() and np.isfinite(value).all()
    np.testing.assert_array_equal(value, loss.loss(y, clipped))
    for a, b in zip((g, h), loss.grad_hess(y, clipped), strict=True):
        np.testing.assert_array_equal(a, b)


def test_binary_hessian_is_finite_for_finite_margins_near_float_max(backend):
    """``gamma * log p`` overflows for finite margins ``|z| > 1.8e308 / gamma``, and ``0 * -inf``
    would make the exact Hessian NaN (passed on by the "bounded" policy, since np.maximum
    propagates NaN, while a NaN comparison in the compiled kernel gives the floor).  Such margins
    must give the values of the margins clipped to +-1e300, on both backends alike."""
    raw = np.array([-1e308, 1e308])
    y = np.array([1, 0])
    for hessian in ("exact", "bounded"):
        loss = bf.BinaryFocalLoss(gamma=2.0, hessian=hessian)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            g, h = loss.grad_hess(y, raw)
        assert np.isfinite(h).all(), (hessian, h)
        g_clip, h_clip = loss.grad_hess(y, np.array([-1e300, 1e300]))
        np.testing.assert_array_equal(g, g_clip)
        np.testing.assert_array_equal(h, h_clip)
        # confidently wrong: saturated gradient -a s, curvature 0 (exact) or the floor times a
        np.testing.assert_array_equal(g, [-0.25, 0.75])
        expected_h = [0.0, 0.0] if hessian == "exact" else HESSIAN_FLOOR * np.array([0.25, 0.75])
        np.testing.assert_allclose(h, expected_h, rtol=1e-15, atol=0)


# --------------------------------------------------------------------------------------
# Hessian policies
# --------------------------------------------------------------------------------------

extreme_margin_st = st.one_of(
    st.floats(-40.0, 40.0),
    st.sampled_from([-1e300, -1e4, -745.0, -700.0, 700.0, 745.0, 1e4, 1e300, -np.inf, np.inf]),
    st.floats(-1e6, 1e6),
)


def _policy_hessians(make, y, raw, w):
    return {p: make(p).grad_hess(y, raw, w)[1] for p in POLICIES}


def _check_policies(hs, w_eff):
    bounded = hs["bounded"]
    assert np.all(bounded > 0), bounded
    assert np.all(hs["weighted"] > 0) and np.all(hs["clip"] > 0)
    assert np.all(bounded >= hs["exact"])
    assert np.all(bounded >= hs["weighted"])
    assert np.all(hs["clip"] >= hs["exact"])
    np.testing.assert_allclose(bounded, np.maximum(np.maximum(hs["exact"], hs["weighted"]), HESSIAN_FLOOR * w_eff))


@FAST
@given(
    gamma=gamma_st,
    alpha=st.one_of(st.none(), st.floats(0.01, 0.99)),
    data=st.data(),
)
def test_binary_default_hessian_is_always_positive(gamma, alpha, data, backend):
    n = data.draw(st.integers(1, 30))
    raw = data.draw(hnp.arrays(np.float64, n, elements=extreme_margin_st))
    y = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    w = data.draw(st.one_of(st.none(), hnp.arrays(np.float64, n, elements=st.floats(1e-6, 1e6))))
    assert np.all(bf.BinaryFocalLoss(alpha=alpha, gamma=gamma).grad_hess(y, raw, w)[1] > 0)
    hs = _policy_hessians(lambda p: bf.BinaryFocalLoss(alpha=alpha, gamma=gamma, hessian=p), y, raw, w)
    a = np.ones(n) if alpha is None else np.where(y == 1, alpha, 1 - alpha)
    _check_policies(hs, a * (1.0 if w is None else w))


@FAST
@given(gamma=gamma_st, num_class=st.integers(2, 8), data=st.data())
def test_multiclass_default_hessian_is_always_positive(gamma, num_class, data, backend):
    n = data.draw(st.integers(1, 12))
    raw = data.draw(hnp.arrays(np.float64, (n, num_class), elements=extreme_margin_st))
    y = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, num_class - 1)))
    alpha = data.draw(st.one_of(st.none(), st.lists(st.floats(0.05, 5.0), min_size=num_class, max_size=num_class)))
    w = data.draw(st.one_of(st.none(), hnp.arrays(np.float64, n, elements=st.floats(1e-6, 1e6))))
    with np.errstate(over="ignore"):  # see test_no_floating_point_warnings_at_large_margins
        assert np.all(bf.MulticlassFocalLoss(num_class, alpha=alpha, gamma=gamma).grad_hess(y, raw, w)[1] > 0)
        hs = _policy_hessians(
            lambda p: bf.MulticlassFocalLoss(num_class, alpha=alpha, gamma=gamma, hessian=p), y, raw, w
        )
    a = np.ones(n) if alpha is None else np.asarray(alpha)[y]
    _check_policies(hs, (a * (1.0 if w is None else w))[:, None])


def _exact_binary_hessian(gamma, t):
    loss = bf.BinaryFocalLoss(alpha=None, gamma=gamma, hessian="exact")
    return loss.grad_hess(np.ones_like(t), t)[1]


def _closed_form_hessian_root(gamma: float) -> float:
    """The ``t < 0`` where the closed-form exact Hessian of ``f(t) = -(1-p)^g log p`` changes sign,
    found by a bracketing root finder in 40-digit arithmetic, independently of the library:
    ``f''(t) = p q^g (g log p (q - g p) + q (2g + 1))`` and ``p q^g > 0``, so it is the root of
    ``g log p (q - g p) + q (2g + 1)``, negative as ``t -> -inf`` (``~ g t``) and positive at 0."""
    with mp.workdps(40):
        g = mp.mpf(gamma)

        def bracket_term(t):
            p = 1 / (1 + mp.exp(-t))
            q = 1 / (1 + mp.exp(t))
            return g * (-mp.log1p(mp.exp(-t))) * (q - g * p) + q * (2 * g + 1)

        return float(mp.findroot(bracket_term, (mp.mpf(-60), mp.mpf(0)), solver="anderson"))


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0, 5.0])
def test_exact_hessian_is_negative_exactly_below_the_closed_form_root(gamma, backend):
    t0 = _closed_form_hessian_root(gamma)
    root = brentq(lambda t: _exact_binary_hessian(gamma, np.array([t]))[0], -60.0, 0.0, xtol=1e-14)
    assert root == pytest.approx(t0, abs=1e-9)
    hard = np.linspace(-700.0, t0 - 1e-6, 2000)
    easy = np.linspace(t0 + 1e-6, 40.0, 2000)
    assert np.all(_exact_binary_hessian(gamma, hard) < 0)
    assert np.all(_exact_binary_hessian(gamma, easy) > 0)
    # and the same through the y=0 branch (t = -z) with the class weight 1 - alpha
    neg = bf.BinaryFocalLoss(alpha=0.25, gamma=gamma, hessian="exact")
    h0 = neg.grad_hess(np.zeros(hard.size), -hard)[1]
    np.testing.assert_allclose(h0, 0.75 * _exact_binary_hessian(gamma, hard), rtol=1e-14)
    # the default never is
    assert np.all(bf.BinaryFocalLoss(gamma=gamma).grad_hess(np.ones(hard.size), hard)[1] > 0)


def test_documented_sign_change_of_the_gamma_2_hessian():
    """``BinaryFocalLoss``'s docstring says the exact Hessian is negative for ``t < -2.8`` at
    ``gamma = 2``: the closed-form root, rounded to one decimal."""
    assert round(_closed_form_hessian_root(2.0), 1) == -2.8
    assert "``t < -2.8`` at ``gamma = 2``" in (bf.BinaryFocalLoss.__doc__ or "")


def test_multiclass_exact_hessian_is_negative_for_a_hard_true_class():
    loss = bf.MulticlassFocalLoss(3, gamma=2.0, hessian="exact")
    raw = np.array([[-6.0, 0.0, 0.0], [6.0, 0.0, 0.0]])
    h = loss.grad_hess(np.array([0, 0]), raw)[1]
    assert h[0, 0] < 0  # true class badly predicted
    assert np.all(h[1] > 0)
    assert np.all(bf.MulticlassFocalLoss(3, gamma=2.0).grad_hess(np.array([0, 0]), raw)[1] > 0)


@pytest.mark.parametrize("num_class", [None, 2, 5])
def test_all_policies_agree_at_gamma_zero(num_class, backend, rng):
    def make(policy):
        if num_class is None:
            return bf.BinaryFocalLoss(alpha=0.3, gamma=0.0, hessian=policy)
        return bf.MulticlassFocalLoss(num_class, alpha=np.linspace(0.5, 2, num_class), gamma=0.0, hessian=policy)

    y, raw = random_data(make("exact"), 500, rng, scale=45.0)
    w = rng.uniform(0.5, 2.0, size=y.shape[0])
    exact = make("exact").grad_hess(y, raw, w)[1]
    above_floor = exact > 2 * HESSIAN_FLOOR * np.max(w) * 2.0
    assert above_floor.mean() > 0.5
    for policy in ("bounded", "weighted", "clip"):
        h = make(policy).grad_hess(y, raw, w)[1]
        # identical wherever the curvature is above the documented 1e-16 floor (|margin| < ~37)
        np.testing.assert_array_equal(h[above_floor], exact[above_floor])
        assert np.all(h >= exact)


# --------------------------------------------------------------------------------------
# gamma = 0 is weighted log-loss; balanced cross-entropy is focal loss with gamma = 0
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [None, 0.25, 0.8])
def test_binary_gamma_zero_is_weighted_log_loss(alpha, backend, rng):
    n = 400
    y = rng.integers(0, 2, size=n)
    z = rng.uniform(-30, 30, size=n)
    w = rng.uniform(0.1, 5.0, size=n)
    a = np.ones(n) if alpha is None else np.where(y == 1, alpha, 1 - alpha)
    loss = bf.BinaryFocalLoss(alpha=alpha, gamma=0.0, hessian="exact")
    expected = a * w * np.where(y == 1, np.logaddexp(0.0, -z), np.logaddexp(0.0, z))
    np.testing.assert_allclose(loss.loss(y, z, w), expected, rtol=1e-13)
    # p - y without cancellation: sigma(z) for y=0, -sigma(-z) for y=1
    p_minus_y = np.where(y == 1, -1.0 / (1.0 + np.exp(z)), 1.0 / (1.0 + np.exp(-z)))
    g, h = loss.grad_hess(y, z, w)
    np.testing.assert_allclose(g, a * w * p_minus_y, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(h, a * w * np.exp(-np.logaddexp(0.0, z) - np.logaddexp(0.0, -z)), rtol=1e-12)
    # and scikit-learn's log_loss (moderate margins so that its probability input keeps its digits)
    m = np.abs(z) < 10
    pm = bf.sigmoid(z[m])
    sk = log_loss(y[m], pm, sample_weight=(a * w)[m], labels=[0, 1])
    assert loss.loss(y[m], z[m], w[m]).sum() / (a * w)[m].sum() == pytest.approx(sk, rel=1e-12)


@pytest.mark.parametrize("num_class", [2, 3, 7])
def test_multiclass_gamma_zero_is_weighted_softmax_log_loss(num_class, backend, rng):
    n = 300
    alpha = rng.uniform(0.2, 3.0, size=num_class)
    y, raw = random_data(bf.MulticlassFocalLoss(num_class), n, rng)
    w = rng.uniform(0.1, 5.0, size=n)
    loss = bf.MulticlassFocalLoss(num_class, alpha=alpha, gamma=0.0, hessian="exact")
    rows = np.arange(n)
    a = alpha[y]
    # -log p_t = log1p(sum_{k != t} exp(z_k - z_t)), exact also when p_t is close to 1
    diff = np.exp(raw - raw[rows, y][:, None])
    diff[rows, y] = 0.0
    np.testing.assert_allclose(loss.loss(y, raw, w), a * w * np.log1p(diff.sum(axis=1)), rtol=1e-12)
    p = np.exp(raw - logsumexp(raw, axis=1, keepdims=True))
    # 1 - p_k as the sum of the other classes (no cancellation when p_k is close to 1)
    one_minus_p = np.stack([np.delete(p, k, axis=1).sum(axis=1) for k in range(num_class)], axis=1)
    p_minus_onehot = np.where(np.eye(num_class, dtype=bool)[y], -one_minus_p, p)
    g, h = loss.grad_hess(y, raw, w)
    np.testing.assert_allclose(g, (a * w)[:, None] * p_minus_onehot, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(h, (a * w)[:, None] * p * one_minus_p, rtol=1e-12, atol=1e-300)
    m = np.ptp(raw, axis=1) < 20
    sk = log_loss(y[m], bf.softmax(raw[m]), sample_weight=(a * w)[m], labels=list(range(num_class)))
    assert loss.loss(y[m], raw[m], w[m]).sum() / (a * w)[m].sum() == pytest.approx(sk, rel=1e-12)


def _focal_twin(balanced):
    if balanced.is_multiclass:
        return bf.MulticlassFocalLoss(balanced.num_class, alpha=balanced.alpha, gamma=0.0, hessian="exact")
    return bf.BinaryFocalLoss(alpha=balanced.alpha, gamma=0.0, hessian="exact")


@pytest.mark.parametrize(
    "balanced",
    [
        bf.BinaryBalancedCrossEntropy(0.25),
        bf.BinaryBalancedCrossEntropy(None),
        bf.BinaryBalancedCrossEntropy(0.97),
        bf.MulticlassBalancedCrossEntropy(3, [1.0, 2.0, 3.0]),
        bf.MulticlassBalancedCrossEntropy(5, None),
    ],
    ids=repr,
)
def test_balanced_cross_entropy_equals_focal_with_gamma_zero(balanced, backend, rng):
    twin = _focal_twin(balanced)
    assert balanced.gamma == 0.0 and balanced.hessian == "exact"
    y, raw = random_data(balanced, 300, rng, scale=50.0)
    w = rng.uniform(0.0, 3.0, size=y.shape[0])
    np.testing.assert_array_equal(balanced.loss(y, raw, w), twin.loss(y, raw, w))
    for a, b in zip(balanced.grad_hess(y, raw, w), twin.grad_hess(y, raw, w), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(balanced.posterior(raw), twin.posterior(raw))
    np.testing.assert_array_equal(balanced.init_score(y, w + 0.1), twin.init_score(y, w + 0.1))


def test_focal_to_cross_entropy_ratio_is_the_modulating_factor(loss, rng):
    y, raw = random_data(loss, 300, rng, scale=15.0)
    ce = _focal_twin(exact_version(loss)) if loss.gamma != 0 else loss
    if loss.is_multiclass:
        p = bf.softmax(raw)
        one_minus_pt = np.where(np.eye(loss.num_class, dtype=bool)[y], 0.0, p).sum(axis=1)
    else:
        one_minus_pt = bf.sigmoid(-(2 * y - 1) * raw)
    np.testing.assert_allclose(loss.loss(y, raw) / ce.loss(y, raw), one_minus_pt**loss.gamma, rtol=1e-11)


def test_sample_weights_multiply(loss, backend, rng):
    y, raw = random_data(loss, 100, rng)
    w = rng.uniform(0.0, 5.0, size=y.shape[0])
    w[:3] = 0.0
    np.testing.assert_array_equal(loss.loss(y, raw, w), w * loss.loss(y, raw))
    g, h = loss.grad_hess(y, raw)
    gw, hw = loss.grad_hess(y, raw, w)
    wb = w if g.ndim == 1 else w[:, None]
    np.testing.assert_allclose(gw, wb * g, rtol=4 * EPS, atol=0)  # (a w) g and a (w g) may differ by an ulp
    np.testing.assert_allclose(hw, wb * h, rtol=4 * EPS, atol=0)
    np.testing.assert_array_equal(gw[:3], 0.0)
    # unit weights are no weights; an integer weight 2 is the sample counted twice
    np.testing.assert_array_equal(loss.loss(y, raw, np.ones(y.shape[0])), loss.loss(y, raw))
    y2 = np.concatenate([y, y[:1]])
    raw2 = np.concatenate([raw, raw[:1]])
    w2 = np.ones(y.shape[0])
    w2[0] = 2.0
    assert loss.loss(y, raw, w2).sum() == pytest.approx(loss.loss(y2, raw2).sum(), rel=1e-14)


def test_binary_column_vector_equals_flat(binary_loss, backend, rng):
    y, raw = random_data(binary_loss, 50, rng)
    np.testing.assert_array_equal(binary_loss.loss(y, raw[:, None]), binary_loss.loss(y, raw))
    g1, h1 = binary_loss.grad_hess(y, raw[:, None])
    g, h = binary_loss.grad_hess(y, raw)
    assert g1.shape == h1.shape == (50, 1)
    np.testing.assert_array_equal(g1[:, 0], g)
    np.testing.assert_array_equal(h1[:, 0], h)
    np.testing.assert_array_equal(binary_loss.loss(y[:, None], raw), binary_loss.loss(y, raw))
    np.testing.assert_array_equal(binary_loss.posterior(raw[:, None]), binary_loss.posterior(raw))


def test_shapes_dtypes_and_inputs_left_alone(loss, backend, rng):
    y, raw = random_data(loss, 30, rng)
    y_copy, raw_copy = y.copy(), raw.copy()
    w = rng.uniform(0.5, 2.0, size=30)
    w_copy = w.copy()
    value = loss.loss(y, raw, w)
    g, h = loss.grad_hess(y, raw, w)
    post = loss.posterior(raw)
    assert value.shape == (30,) and value.dtype == np.float64
    assert g.shape == h.shape == raw.shape and g.dtype == h.dtype == np.float64
    assert post.shape == raw.shape
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(raw, raw_copy)
    np.testing.assert_array_equal(w, w_copy)
    assert np.all(value >= 0)
    # a second call does not see the first call's buffers
    g2, _ = loss.grad_hess(y, raw, w)
    g2 += 1.0
    np.testing.assert_array_equal(loss.grad_hess(y, raw, w)[0], g)


def test_binary_label_symmetry(backend):
    z = np.linspace(-30, 30, 301)
    for gamma in GAMMAS:
        pos = bf.BinaryFocalLoss(alpha=0.2, gamma=gamma, hessian="exact")
        neg = bf.BinaryFocalLoss(alpha=0.8, gamma=gamma, hessian="exact")
        np.testing.assert_allclose(pos.loss(np.ones(z.size), z), neg.loss(np.zeros(z.size), -z), rtol=1e-14)
        gp, hp = pos.grad_hess(np.ones(z.size), z)
        gn, hn = neg.grad_hess(np.zeros(z.size), -z)
        np.testing.assert_allclose(gp, -gn, rtol=1e-14)
        np.testing.assert_allclose(hp, hn, rtol=1e-14)


def test_multiclass_is_invariant_to_a_constant_added_to_a_row(multiclass_loss, backend, rng):
    y, raw = random_data(multiclass_loss, 100, rng, scale=20.0)
    raw = np.round(raw * 8) / 8  # multiples of 1/8: adding 1000.25 is exact
    shifted = raw + 1000.25
    np.testing.assert_array_equal(multiclass_loss.loss(y, shifted), multiclass_loss.loss(y, raw))
    for a, b in zip(multiclass_loss.grad_hess(y, shifted), multiclass_loss.grad_hess(y, raw), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(multiclass_loss.posterior(shifted), multiclass_loss.posterior(raw))


def test_binary_two_class_multiclass_agree(backend, rng):
    """Binary loss on z equals the K=2 softmax loss on (0, z) with alpha (1 - alpha, alpha)."""
    z = rng.uniform(-30, 30, size=200)
    y = rng.integers(0, 2, size=200)
    raw2 = np.stack([np.zeros_like(z), z], axis=1)
    for gamma in GAMMAS:
        b = bf.BinaryFocalLoss(alpha=0.3, gamma=gamma, hessian="exact")
        m = bf.MulticlassFocalLoss(2, alpha=(0.7, 0.3), gamma=gamma, hessian="exact")
        np.testing.assert_allclose(b.loss(y, z), m.loss(y, raw2), rtol=1e-12)
        gb, hb = b.grad_hess(y, z)
        gm, hm = m.grad_hess(y, raw2)
        np.testing.assert_allclose(gb, gm[:, 1], rtol=1e-11, atol=1e-300)
        np.testing.assert_allclose(hb, hm[:, 1], rtol=1e-10, atol=1e-300)
        np.testing.assert_allclose(b.posterior(z), m.posterior(raw2)[:, 1], rtol=1e-11)
        if gamma in (0.0, 0.37, 5.0):
            np.testing.assert_allclose(b.init_score(y), np.diff(m.init_score(y))[0], rtol=1e-9, atol=1e-11)


# --------------------------------------------------------------------------------------
# Initial score
# --------------------------------------------------------------------------------------


def _mean_loss(loss, y, w, const):
    n = y.shape[0]
    raw = np.tile(np.asarray(const, dtype=float), (n, 1)) if loss.is_multiclass else np.full(n, float(const))
    total = loss.loss(y, raw, w).sum()
    return total / (n if w is None else w.sum())


def _assert_is_coordinatewise_minimum(loss, y, w, init):
    f0 = _mean_loss(loss, y, w, init)
    if loss.is_multiclass:
        for k in range(loss.num_class):
            for delta in (-1e-3, 1e-3):
                moved = np.array(init, dtype=float)
                moved[k] += delta
                assert f0 <= _mean_loss(loss, y, w, moved), (k, delta)
    else:
        assert f0 <= _mean_loss(loss, y, w, init - 1e-3)
        assert f0 <= _mean_loss(loss, y, w, init + 1e-3)


def test_init_score_of_enrolled_losses_is_the_minimiser(loss, rng):
    y, _ = random_data(loss, 2000, rng)
    w = rng.uniform(0.1, 3.0, size=y.shape[0])
    for weights in (None, w):
        init = loss.init_score(y, weights)
        if loss.is_multiclass:
            assert init.shape == (loss.num_class,)
            assert logsumexp(init) == pytest.approx(0.0, abs=1e-12)  # returned as log-probabilities
        else:
            assert isinstance(init, float)
        _assert_is_coordinatewise_minimum(loss, y, weights, init)
        # the gradient of the total loss vanishes there
        n = y.shape[0]
        raw = np.tile(init, (n, 1)) if loss.is_multiclass else np.full(n, init)
        g = loss.grad_hess(y, raw, weights)[0].sum(axis=0)
        scale = np.abs(loss.grad_hess(y, raw, weights)[0]).sum(axis=0)
        assert np.all(np.abs(g) <= 1e-9 * scale)


@settings(FAST, max_examples=12)
@given(
    gamma=gamma_st,
    alpha=st.one_of(st.none(), st.floats(0.02, 0.98)),
    frac=st.floats(0.001, 0.999),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_binary_init_score_matches_minimize_scalar(gamma, alpha, frac, weighted, seed):
    rng = np.random.default_rng(seed)
    n = 2000
    y = (rng.random(n) < frac).astype(int)
    y[:2] = [0, 1]
    w = rng.exponential(size=n) if weighted else None
    loss = bf.BinaryFocalLoss(alpha=alpha, gamma=gamma)
    init = loss.init_score(y, w)
    _assert_is_coordinatewise_minimum(loss, y, w, init)
    # at a constant score the weighted loss is a two-point problem: one sample per class with the
    # class's total weight
    totals = np.bincount(y, weights=w, minlength=2)
    y2 = np.array([0, 1])
    res = minimize_scalar(lambda c: _mean_loss(loss, y2, totals, c), bracket=(init - 1, init + 1), tol=1e-12)
    assert init == pytest.approx(res.x, abs=1e-6)
    assert _mean_loss(loss, y2, totals, init) <= res.fun * (1 + 8 * EPS)
    # and the root of the summed gradient, which pins it down to ~1e-10
    root = brentq(lambda c: loss.grad_hess(y2, np.full(2, c), totals)[0].sum(), init - 1, init + 1, xtol=1e-14)
    assert init == pytest.approx(root, abs=1e-9)


@settings(FAST, max_examples=12)
@given(
    gamma=gamma_st,
    num_class=st.integers(2, 6),
    weighted=st.booleans(),
    with_alpha=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_multiclass_init_score_is_the_minimiser(gamma, num_class, weighted, with_alpha, seed):
    rng = np.random.default_rng(seed)
    n = 1000
    prior = rng.dirichlet(np.full(num_class, 0.7))
    y = rng.choice(num_class, size=n, p=prior)
    y[:num_class] = np.arange(num_class)
    w = rng.exponential(size=n) if weighted else None
    alpha = rng.uniform(0.1, 4.0, size=num_class) if with_alpha else None
    loss = bf.MulticlassFocalLoss(num_class, alpha=alpha, gamma=gamma)
    init = loss.init_score(y, w)
    assert logsumexp(init) == pytest.approx(0.0, abs=1e-12)
    _assert_is_coordinatewise_minimum(loss, y, w, init)


def test_multiclass_init_score_matches_scipy_minimize(rng):
    y = rng.choice(4, size=3000, p=[0.02, 0.08, 0.3, 0.6])
    w = rng.exponential(size=3000)
    for gamma, alpha in [(2.0, None), (0.5, [2.0, 1.0, 0.5, 0.25]), (5.0, [1.0, 1.0, 3.0, 1.0])]:
        loss = bf.MulticlassFocalLoss(4, alpha=alpha, gamma=gamma)
        init = loss.init_score(y, w)

        def objective(free, loss=loss):
            return _mean_loss(loss, y, w, np.concatenate([[0.0], free]))

        res = minimize(objective, init[1:] - init[0], method="Nelder-Mead", options=dict(xatol=1e-9, fatol=1e-15))
        np.testing.assert_allclose(init[1:] - init[0], res.x, atol=1e-5)
        assert objective(init[1:] - init[0]) <= res.fun + 1e-14


def test_init_score_depends_only_on_the_class_totals(rng):
    for loss in (bf.BinaryFocalLoss(alpha=0.2, gamma=1.5), bf.MulticlassFocalLoss(3, alpha=[1, 2, 3], gamma=0.7)):
        y, _ = random_data(loss, 500, rng)
        w = rng.uniform(0.1, 3.0, size=y.shape[0])
        init = loss.init_score(y, w)
        # scaling all weights, or shuffling the rows, changes nothing
        np.testing.assert_allclose(loss.init_score(y, 7.5 * w), init, atol=1e-12)
        order = rng.permutation(y.shape[0])
        np.testing.assert_allclose(loss.init_score(y[order], w[order]), init, atol=1e-12)


def test_two_class_init_score_solves_the_nested_problem():
    """Two classes take one root finder on ``x`` (``pi = sigmoid(+-x)``) instead of the nested
    solve (bisection for each ``pi_k`` inside Brent's method on ``mu``): both give the same
    minimiser, to a few ulps, over gammas, class weights and imbalances."""
    from boostfocal.losses import _optimal_constant

    for gamma in (0.0, 0.5, 2.0, 5.0, 50.0, 1000.0):
        for log_alpha in (np.log([0.5, 0.5]), np.log([0.75, 0.25]), np.log([1e-4, 1.0 - 1e-4])):
            for totals in ([99.0, 1.0], [297000.0, 3.0], [5e4, 5e4], [1.0, 1e-6], [1e-9, 1.0]):
                w = np.array(totals)
                fast = _optimal_constant(w, log_alpha, gamma)
                nested = _optimal_constant(w, log_alpha, gamma, nested=True)
                np.testing.assert_allclose(fast, nested, rtol=1e-13, atol=1e-15)
                np.testing.assert_allclose(np.logaddexp.reduce(fast), 0.0, atol=1e-15)  # a distribution


@pytest.mark.parametrize("alpha", [None, 0.05, 0.9])
def test_binary_balanced_init_score_closed_form(alpha, rng):
    y = (rng.random(5000) < 0.03).astype(int)
    w = rng.uniform(0.1, 2.0, size=5000)
    loss = bf.BinaryBalancedCrossEntropy(alpha)
    a = 0.5 if alpha is None else alpha
    for weights in (None, w):
        ww = np.ones(5000) if weights is None else weights
        expected = np.log(a * np.sum(ww * y) / ((1 - a) * np.sum(ww * (1 - y))))
        assert loss.init_score(y, weights) == pytest.approx(expected, abs=1e-12)
        assert bf.BinaryFocalLoss(alpha=alpha, gamma=0.0).init_score(y, weights) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("num_class", [2, 3, 8])
def test_multiclass_gamma_zero_init_score_closed_form(num_class, rng):
    y = rng.choice(num_class, size=5000, p=rng.dirichlet(np.ones(num_class)))
    y[:num_class] = np.arange(num_class)
    w = rng.uniform(0.1, 2.0, size=5000)
    alpha = rng.uniform(0.2, 5.0, size=num_class)
    for a in (None, alpha):
        aa = np.ones(num_class) if a is None else a
        loss = bf.MulticlassBalancedCrossEntropy(num_class, a)
        totals = np.bincount(y, weights=w, minlength=num_class)
        expected = np.log(aa * totals / np.sum(aa * totals))
        init = loss.init_score(y, w)
        np.testing.assert_allclose(init - init.mean(), expected - expected.mean(), atol=1e-12)  # up to a constant
        np.testing.assert_allclose(init, expected, atol=1e-12)  # and as log-probabilities exactly


def test_balanced_alpha_equalises_the_classes(rng):
    y = (rng.random(1000) < 0.1).astype(int)
    w = rng.uniform(0.2, 3.0, size=1000)
    for weights in (None, w):
        ww = np.ones(1000) if weights is None else weights
        alpha = bf.balanced_alpha(y, sample_weight=weights)
        assert 0 < alpha < 1
        assert alpha * np.sum(ww * y) == pytest.approx((1 - alpha) * np.sum(ww * (1 - y)), rel=1e-12)
        assert bf.BinaryBalancedCrossEntropy(alpha).init_score(y, weights) == pytest.approx(0.0, abs=1e-12)
    ym = rng.choice(4, size=1000, p=[0.05, 0.15, 0.3, 0.5])
    for weights in (None, w):
        ww = np.ones(1000) if weights is None else weights
        alpha = bf.balanced_alpha(ym, num_class=4, sample_weight=weights)
        totals = np.bincount(ym, weights=ww, minlength=4)
        np.testing.assert_allclose(np.asarray(alpha) * totals, ww.sum() / 4, rtol=1e-12)
        init = bf.MulticlassBalancedCrossEntropy(4, alpha).init_score(ym, weights)
        np.testing.assert_allclose(init, -np.log(4), atol=1e-12)


# --------------------------------------------------------------------------------------
# The loss objects themselves
# --------------------------------------------------------------------------------------


def test_every_registered_loss_is_enrolled():
    enrolled = {type(loss) for loss in LOSS_INSTANCES + MULTILABEL_INSTANCES}
    assert set(bf.LOSSES.values()) <= enrolled
    for name, cls in bf.LOSSES.items():
        assert cls.name == name


def test_pickle_round_trip(loss, rng):
    again = pickle.loads(pickle.dumps(loss))
    assert again == loss and hash(again) == hash(loss) and type(again) is type(loss)
    y, raw = random_data(loss, 20, rng)
    np.testing.assert_array_equal(again.grad_hess(y, raw)[1], loss.grad_hess(y, raw)[1])
    assert copy.deepcopy(loss) == loss


def test_repr_is_readable_and_round_trips(loss):
    text = repr(loss)
    assert text.startswith(type(loss).__name__ + "(")
    assert "alpha=" in text
    assert eval(text, {**vars(bf), "np": np}) == loss


def test_equality_and_hash_follow_the_parameters(loss):
    params = {f: getattr(loss, f) for f in type(loss)._fields}
    twin = type(loss)(**params)
    assert twin == loss and hash(twin) == hash(loss) and twin is not loss
    assert len({loss, twin}) == 1
    assert loss != object()
    if "gamma" in params:
        other = type(loss)(**{**params, "gamma": params["gamma"] + 0.5})
        assert other != loss
    other_alpha = 0.123 if not loss.is_multiclass else tuple(np.linspace(0.5, 1.5, loss.num_class))
    assert type(loss)(**{**params, "alpha": other_alpha}) != loss


def test_equal_parameters_in_different_forms_are_equal():
    assert bf.MulticlassFocalLoss(3, alpha=[1, 2, 3]) == bf.MulticlassFocalLoss(3, alpha=np.array([1.0, 2.0, 3.0]))
    assert bf.BinaryFocalLoss(gamma=2) == bf.BinaryFocalLoss(gamma=2.0)
    assert bf.MulticlassFocalLoss(np.int64(4)) == bf.MulticlassFocalLoss(4)
    assert bf.BinaryFocalLoss(alpha=0.5, gamma=0.0, hessian="exact") != bf.BinaryBalancedCrossEntropy(0.5)


def test_loss_objects_are_immutable(loss):
    before = repr(loss)
    for attr in ("alpha", "gamma", "hessian", "num_class", "new_attribute"):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(loss, attr, 0.5)
    assert repr(loss) == before


def test_loss_attributes_cannot_be_deleted(loss):
    """Immutability covers deletion too: ``del loss.gamma`` must raise and leave the loss whole."""
    before = repr(loss)
    for attr in type(loss)._fields:
        with pytest.raises(AttributeError, match="immutable"):
            delattr(loss, attr)
    assert repr(loss) == before
