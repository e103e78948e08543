"""The multilabel focal loss: per label the binary focal loss of ``sigmoid(z[:, l])``.

Every enrolled multilabel loss (``_multilabel.MULTILABEL_INSTANCES``) runs through the checks of
``test_losses.py``: derivatives against a 4th-order central difference (one column at a time),
extremes, weights, shapes, pickling.  Beyond them: the 40-digit reference points of the binary loss
placed in the columns of multilabel problems, equality with :class:`BinaryFocalLoss` column by
column, the initial score against an independent root solve, ``gamma = 0`` against hand-written
log-loss derivatives, the recovered posterior against the known probabilities of
``make_multilabel_fraud``, and the input checks.
"""

from __future__ import annotations

import collections
import itertools
import pickle
import warnings

import numpy as np
import pytest
from _multilabel import MULTILABEL_INSTANCES, exact_twin, random_multilabel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.optimize import brentq, minimize
from scipy.special import logit
from test_losses import _central_difference, _stencil_inputs, assert_matches_numerical

import boostfocal as bf
from boostfocal.datasets import make_multilabel_fraud
from boostfocal.losses import HESSIAN_FLOOR

y2 = np.array([0, 1])  # the two-point problem of a constant score: one row per class

FAST = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
EPS = np.finfo(np.float64).eps
POLICIES = ["bounded", "exact", "weighted", "clip"]
REF_RTOL = 1e-12


def loss_id(loss: object) -> str:
    return repr(loss).replace(" ", "")


@pytest.fixture(params=MULTILABEL_INSTANCES, ids=loss_id)
def loss(request: pytest.FixtureRequest) -> bf.MultilabelFocalLoss:
    return request.param


def _class_weights(loss: bf.MultilabelFocalLoss, y: np.ndarray) -> np.ndarray:
    """Each element's class weight ``alpha_l`` (positives) or ``1 - alpha_l`` (negatives)."""
    if loss.alpha is None:
        return np.ones(y.shape)
    a = np.broadcast_to(np.asarray(loss.alpha, dtype=float), (loss.num_labels,))
    return np.where(y == 1, a, 1.0 - a)


def _column_loss(loss: bf.MultilabelFocalLoss, label: int, hessian: str | None = None) -> bf.BinaryFocalLoss:
    """The binary loss of column ``label``."""
    a = loss.alpha if loss.alpha is None or isinstance(loss.alpha, float) else loss.alpha[label]
    return bf.BinaryFocalLoss(alpha=a, gamma=loss.gamma, hessian=hessian or loss.hessian)


# --------------------------------------------------------------------------------------
# Derivatives
# --------------------------------------------------------------------------------------


def numerical_grad(loss, y, raw, w):
    """Numerical gradient of the row loss, one column at a time (shaped like ``raw``)."""
    n, k = raw.shape
    yy, rr, ww = _stencil_inputs(y, raw, w, range(k))
    return _central_difference(loss.loss(yy, rr, ww), n, k)


def numerical_hess(loss, y, raw, w):
    """Numerical diagonal Hessian: central difference of the analytic gradient's own column."""
    n, k = raw.shape
    yy, rr, ww = _stencil_inputs(y, raw, w, range(k))
    g = loss.grad_hess(yy, rr, ww)[0].reshape(k, 4, n, k)
    own = np.stack([g[j, :, :, j] for j in range(k)])
    return _central_difference(own.reshape(-1), n, k)


def check_derivatives(loss, y, raw, w, record):
    exact = exact_twin(loss)
    g, h = exact.grad_hess(y, raw, w)
    np.testing.assert_array_equal(loss.grad_hess(y, raw, w)[0], g)  # the gradient ignores the policy
    g_num, g_tol = numerical_grad(loss, y, raw, w)
    assert_matches_numerical(g, g_num, g_tol, record, "grad vs 4th-order central difference (multilabel)")
    h_num, h_tol = numerical_hess(exact, y, raw, w)
    assert_matches_numerical(h, h_num, h_tol, record, "exact hess vs difference of grad (multilabel)")


def test_derivatives_of_enrolled_losses(loss, backend, rng, record_error):
    y, raw = random_multilabel(loss, 120, rng)
    w = rng.uniform(0.1, 10.0, size=y.shape[0])
    for weights in (None, w):
        check_derivatives(loss, y, raw, weights, record_error)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0, 0.37, 2.91])
def test_derivatives_on_a_margin_grid_with_per_label_alpha(gamma, backend, record_error):
    """Margins from -30 to 30 and +-40, +-1e4 in every column, both labels, four label weights."""
    z = np.concatenate([np.linspace(-30.0, 30.0, 121), [-1e4, -40.0, 40.0, 1e4]])
    n = 2 * z.size
    raw = np.column_stack([np.concatenate([z, z])] * 4)
    raw[:, 1] = -raw[:, 1]
    raw[:, 3] = np.roll(raw[:, 3], 7)
    y = np.zeros((n, 4), dtype=int)
    y[z.size :, [0, 1]] = 1
    y[::2, 2] = 1
    y[1::3, 3] = 1
    for alpha in (None, 0.25, (0.1, 0.5, 0.9, 0.3)):
        check_derivatives(
            bf.MultilabelFocalLoss(4, alpha=alpha, gamma=gamma, hessian="exact"), y, raw, None, record_error
        )


@FAST
@given(gamma=st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]), st.floats(0.0, 6.0)), data=st.data())
def test_derivatives_hypothesis(gamma, data, backend, record_error):
    k = data.draw(st.integers(1, 5))
    n = data.draw(st.integers(1, 10))
    raw = data.draw(hnp.arrays(np.float64, (n, k), elements=st.floats(-30.0, 30.0)))
    y = data.draw(hnp.arrays(np.int64, (n, k), elements=st.integers(0, 1)))
    alpha = data.draw(
        st.one_of(st.none(), st.floats(0.01, 0.99), st.lists(st.floats(0.01, 0.99), min_size=k, max_size=k))
    )
    w = data.draw(st.one_of(st.none(), hnp.arrays(np.float64, n, elements=st.floats(0.01, 100.0))))
    check_derivatives(bf.MultilabelFocalLoss(k, alpha=alpha, gamma=gamma, hessian="exact"), y, raw, w, record_error)


def _reference_groups(points):
    """The binary reference points grouped by (gamma, alpha is None): one multilabel row each."""
    groups = collections.defaultdict(list)
    for p in points:
        groups[(p["gamma"], p["alpha"] is None)].append(p)
    return groups


def test_binary_reference_vectors_per_label(reference_vectors, backend, record_error):
    """Each group of 40-digit binary reference points with one gamma becomes the columns of one
    row of a multilabel problem (alpha None, or each column its point's alpha), and the row again
    with its columns reversed: every column must give its point's loss, gradient and exact
    Hessian to 1e-12, whatever the other columns hold."""
    failures = []
    worst = 0.0
    for (gamma, no_alpha), group in _reference_groups(reference_vectors["binary"]).items():
        for order in (group, group[::-1]):
            k = len(order)
            y = np.array([[p["y"] for p in order]])
            raw = np.array([[p["raw"] for p in order]], dtype=float)
            alpha = None if no_alpha else tuple(p["alpha"] for p in order)
            loss = bf.MultilabelFocalLoss(k, alpha=alpha, gamma=gamma, hessian="exact")
            g, h = loss.grad_hess(y, raw)
            got = {"loss": loss.label_loss(y, raw)[0], "grad": g[0], "hess": h[0]}
            for name, values in got.items():
                expected = np.array([p[name] for p in order])
                with np.errstate(divide="ignore", invalid="ignore"):
                    err = np.where(expected == 0, np.abs(values), np.abs(values - expected) / np.abs(expected))
                worst = max(worst, float(err.max()))
                for j in np.flatnonzero(~(err <= REF_RTOL)):
                    failures.append(f"{name} column {j}: got {values[j]}, expected {expected[j]}; {order[j]}")
            assert loss.loss(y, raw)[0] == pytest.approx(got["loss"].sum(), rel=1e-15)
            # the default policy is positive and never below the exact value
            hb = bf.MultilabelFocalLoss(k, alpha=alpha, gamma=gamma).grad_hess(y, raw)[1]
            assert np.all(hb > 0) and np.all(hb >= h)
    record_error("multilabel loss/grad/hess vs binary reference vectors, max relative error", worst)
    assert not failures, "\n".join(failures)


def test_float32_margins_equal_the_upcast_float64_ones(loss, backend, rng):
    y, raw = random_multilabel(loss, 60, rng)
    raw32 = raw.astype(np.float32)
    raw32[:2, 0] = np.array([3e38, -np.inf], dtype=np.float32)
    raw32[2, -1] = np.float32(1e4)
    raw64 = raw32.astype(np.float64)
    np.testing.assert_array_equal(loss.loss(y, raw32), loss.loss(y, raw64))
    for a, b in zip(loss.grad_hess(y, raw32), loss.grad_hess(y, raw64), strict=True):
        assert a.dtype == np.float64 and np.isfinite(a).all()
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loss.posterior(raw32), loss.posterior(raw64))


# --------------------------------------------------------------------------------------
# Extremes, policies
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.99, 1.0, 2.0, 5.0])
def test_extreme_margins_reach_the_analytic_limits(gamma, backend):
    alpha = (0.25, 0.6)
    for hessian, big in itertools.product(POLICIES, [1e4, 1e300, np.inf]):
        loss = bf.MultilabelFocalLoss(2, alpha=alpha, gamma=gamma, hessian=hessian)
        y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
        raw = np.array([[big, -big], [-big, big], [-big, -big], [big, big]])  # rows 0, 1 right; 2, 3 wrong
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            value = loss.label_loss(y, raw)
            g, h = loss.grad_hess(y, raw)
            post = loss.posterior(raw)
        a = _class_weights(loss, y)
        assert np.isfinite(value).all() and np.isfinite(g).all() and np.isfinite(h).all() and np.isfinite(post).all()
        np.testing.assert_array_equal(value[:2], 0.0)
        np.testing.assert_array_equal(g[:2], 0.0)
        # confidently wrong: the gradient saturates at -a s, the loss grows like a |z|
        np.testing.assert_allclose(g[2:], -a[2:] * (2 * y[2:] - 1), rtol=1e-15)
        assert np.all(value[2:] >= a[2:] * min(big, 1e300) * (1 - 1e-15))
        if hessian == "exact":
            np.testing.assert_array_equal(h, 0.0)
        else:
            np.testing.assert_allclose(h, HESSIAN_FLOOR * a, rtol=1e-15)


def test_no_floating_point_warnings_at_large_margins(loss, backend):
    k = loss.num_labels
    y = np.tile([[1], [0], [1], [0]], (1, k))
    for big in (30.0, 700.0, 745.0, 800.0, 1e4, 1e300, np.inf):
        raw = np.tile(np.array([[big], [-big], [-big], [big]]), (1, k))
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            loss.loss(y, raw)
            loss.grad_hess(y, raw)
            loss.posterior(raw)
            loss.posterior_logit(raw)
            loss.link(raw)


@FAST
@given(gamma=st.floats(0.0, 6.0), k=st.integers(1, 4), data=st.data())
def test_default_hessian_is_always_positive(gamma, k, data, backend):
    n = data.draw(st.integers(1, 12))
    margin = st.one_of(st.floats(-40.0, 40.0), st.sampled_from([-1e300, -1e4, -745.0, 700.0, 1e4, np.inf]))
    raw = data.draw(hnp.arrays(np.float64, (n, k), elements=margin))
    y = data.draw(hnp.arrays(np.int64, (n, k), elements=st.integers(0, 1)))
    alpha = data.draw(st.one_of(st.none(), st.lists(st.floats(0.01, 0.99), min_size=k, max_size=k)))
    w = data.draw(st.one_of(st.none(), hnp.arrays(np.float64, n, elements=st.floats(1e-6, 1e6))))
    hs = {p: bf.MultilabelFocalLoss(k, alpha=alpha, gamma=gamma, hessian=p).grad_hess(y, raw, w)[1] for p in POLICIES}
    assert np.all(hs["bounded"] > 0) and np.all(hs["weighted"] > 0) and np.all(hs["clip"] > 0)
    assert np.all(hs["bounded"] >= hs["exact"]) and np.all(hs["bounded"] >= hs["weighted"])
    assert np.all(hs["clip"] >= hs["exact"])


def test_exact_hessian_is_negative_only_for_hard_elements():
    loss = bf.MultilabelFocalLoss(2, gamma=2.0, hessian="exact")
    y = np.array([[1, 0], [1, 0]])
    raw = np.array([[-6.0, 6.0], [6.0, -6.0]])  # row 0: both labels badly wrong; row 1: both right
    h = loss.grad_hess(y, raw)[1]
    assert np.all(h[0] < 0) and np.all(h[1] > 0)
    assert np.all(bf.MultilabelFocalLoss(2, gamma=2.0).grad_hess(y, raw)[1] > 0)


# --------------------------------------------------------------------------------------
# Column by column it is the binary loss
# --------------------------------------------------------------------------------------


def test_every_column_is_the_binary_loss_of_its_label(loss, backend, rng):
    y, raw = random_multilabel(loss, 200, rng)
    w = rng.uniform(0.0, 3.0, size=y.shape[0])
    g, h = loss.grad_hess(y, raw, w)
    per = loss.label_loss(y, raw, w)
    post = loss.posterior(raw)
    logit = loss.posterior_logit(raw)
    for j in range(loss.num_labels):
        b = _column_loss(loss, j)
        np.testing.assert_array_equal(per[:, j], b.loss(y[:, j], raw[:, j], w))
        gb, hb = b.grad_hess(y[:, j], raw[:, j], w)
        np.testing.assert_array_equal(g[:, j], gb)
        np.testing.assert_array_equal(h[:, j], hb)
        np.testing.assert_array_equal(post[:, j], b.posterior(raw[:, j]))
        np.testing.assert_array_equal(logit[:, j], b.posterior_logit(raw[:, j]))
        np.testing.assert_array_equal(loss.link(raw)[:, j], b.link(raw[:, j]))
    np.testing.assert_allclose(loss.loss(y, raw, w), per.sum(axis=1), rtol=1e-15)


@pytest.mark.parametrize("alpha", [None, 0.25, 0.9])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 3.7])
def test_one_label_equals_the_binary_loss(alpha, gamma, backend, rng):
    y = (rng.random(300) < 0.2).astype(int)
    z = rng.uniform(-40, 40, size=300)
    w = rng.uniform(0.0, 2.0, size=300)
    b = bf.BinaryFocalLoss(alpha=alpha, gamma=gamma)
    m = bf.MultilabelFocalLoss(1, alpha=alpha, gamma=gamma)
    np.testing.assert_array_equal(m.loss(y[:, None], z[:, None], w), b.loss(y, z, w))
    np.testing.assert_array_equal(m.loss(y, z[:, None], w), b.loss(y, z, w))  # (n,) labels when L = 1
    gm, hm = m.grad_hess(y[:, None], z[:, None], w)
    gb, hb = b.grad_hess(y, z[:, None], w)
    assert gm.shape == hm.shape == (300, 1)
    np.testing.assert_array_equal(gm, gb)
    np.testing.assert_array_equal(hm, hb)
    np.testing.assert_array_equal(m.init_score(y[:, None], w + 0.1), [b.init_score(y, w + 0.1)])
    np.testing.assert_array_equal(m.posterior(z[:, None])[:, 0], b.posterior(z))
    np.testing.assert_array_equal(m.posterior_logit(z[:, None])[:, 0], b.posterior_logit(z))
    assert m.mean_loss(y[:, None], z[:, None], w) == pytest.approx(np.dot(b.loss(y, z), w) / w.sum(), rel=1e-14)


@pytest.mark.parametrize("k", [1, 3, 6])
def test_gamma_zero_without_alpha_is_log_loss_per_label(k, backend, rng):
    n = 300
    y = (rng.random((n, k)) < 0.3).astype(int)
    z = rng.uniform(-35, 35, size=(n, k))
    w = rng.uniform(0.1, 5.0, size=n)
    loss = bf.MultilabelFocalLoss(k, alpha=None, gamma=0.0)
    np.testing.assert_allclose(
        loss.label_loss(y, z, w), w[:, None] * np.where(y == 1, np.logaddexp(0, -z), np.logaddexp(0, z)), rtol=1e-13
    )
    p_minus_y = np.where(y == 1, -1.0 / (1.0 + np.exp(z)), 1.0 / (1.0 + np.exp(-z)))  # no cancellation
    g, h = loss.grad_hess(y, z, w)
    np.testing.assert_allclose(g, w[:, None] * p_minus_y, rtol=1e-12, atol=1e-300)
    pq = np.exp(-np.logaddexp(0.0, z) - np.logaddexp(0.0, -z))  # p (1 - p)
    above = pq > 2 * HESSIAN_FLOOR
    np.testing.assert_allclose(h[above], (w[:, None] * pq)[above], rtol=1e-12)  # bounded = exact above the floor
    np.testing.assert_allclose(loss.link(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(loss.posterior(z), loss.link(z), rtol=1e-14)  # nothing to undo


def test_balanced_cross_entropy_is_focal_with_gamma_zero(backend, rng):
    for balanced in (
        bf.MultilabelBalancedCrossEntropy(3, (0.9, 0.8, 0.95)),
        bf.MultilabelBalancedCrossEntropy(2, None),
    ):
        twin = bf.MultilabelFocalLoss(balanced.num_labels, alpha=balanced.alpha, gamma=0.0, hessian="exact")
        assert balanced.gamma == 0.0 and balanced.hessian == "exact" and balanced != twin
        y, raw = random_multilabel(balanced, 200, rng, scale=50.0)
        w = rng.uniform(0.0, 3.0, size=200)
        np.testing.assert_array_equal(balanced.loss(y, raw, w), twin.loss(y, raw, w))
        for a, b in zip(balanced.grad_hess(y, raw, w), twin.grad_hess(y, raw, w), strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(balanced.posterior(raw), twin.posterior(raw))
        np.testing.assert_array_equal(balanced.init_score(y, w + 0.1), twin.init_score(y, w + 0.1))


def test_focal_to_cross_entropy_ratio_is_the_modulating_factor(loss, rng):
    y, raw = random_multilabel(loss, 200, rng, scale=15.0)
    ce = bf.MultilabelFocalLoss(loss.num_labels, alpha=loss.alpha, gamma=0.0)
    one_minus_pt = bf.sigmoid(-(2 * y - 1) * raw)
    np.testing.assert_allclose(loss.label_loss(y, raw) / ce.label_loss(y, raw), one_minus_pt**loss.gamma, rtol=1e-11)


# --------------------------------------------------------------------------------------
# Weights, shapes, the metric
# --------------------------------------------------------------------------------------


def test_sample_weights_multiply(loss, backend, rng):
    y, raw = random_multilabel(loss, 100, rng)
    w = rng.uniform(0.0, 5.0, size=100)
    w[:3] = 0.0
    np.testing.assert_array_equal(loss.loss(y, raw, w), w * loss.loss(y, raw))
    g, h = loss.grad_hess(y, raw)
    gw, hw = loss.grad_hess(y, raw, w)
    np.testing.assert_allclose(gw, w[:, None] * g, rtol=4 * EPS, atol=0)
    np.testing.assert_allclose(hw, w[:, None] * h, rtol=4 * EPS, atol=0)
    np.testing.assert_array_equal(gw[:3], 0.0)
    np.testing.assert_array_equal(hw[:3], 0.0)
    np.testing.assert_array_equal(loss.loss(y, raw, np.ones(100)), loss.loss(y, raw))
    # an integer weight 2 is the row counted twice
    w2 = np.ones(100)
    w2[0] = 2.0
    doubled = loss.loss(np.concatenate([y, y[:1]]), np.concatenate([raw, raw[:1]])).sum()
    assert loss.loss(y, raw, w2).sum() == pytest.approx(doubled, rel=1e-14)


def test_the_metric_is_the_weighted_mean_over_rows_and_labels(loss, rng):
    y, raw = random_multilabel(loss, 150, rng)
    w = rng.uniform(0.0, 4.0, size=150)
    per_label = loss.mean_label_loss(y, raw, w)
    assert per_label.shape == (loss.num_labels,)
    for j in range(loss.num_labels):
        b = _column_loss(loss, j)
        assert per_label[j] == pytest.approx(np.dot(b.loss(y[:, j], raw[:, j]), w) / w.sum(), rel=1e-13)
    assert loss.mean_loss(y, raw, w) == pytest.approx(
        loss.loss(y, raw, w).sum() / (loss.num_labels * w.sum()), rel=1e-13
    )
    assert loss.mean_loss(y, raw) == pytest.approx(loss.loss(y, raw).mean() / loss.num_labels, rel=1e-13)
    with pytest.raises(ValueError, match="sums to 0"):
        loss.mean_loss(y, raw, np.zeros(150))


def test_shapes_dtypes_and_inputs_left_alone(loss, backend, rng):
    y, raw = random_multilabel(loss, 30, rng)
    y_copy, raw_copy = y.copy(), raw.copy()
    w = rng.uniform(0.5, 2.0, size=30)
    w_copy = w.copy()
    value = loss.loss(y, raw, w)
    g, h = loss.grad_hess(y, raw, w)
    assert value.shape == (30,) and value.dtype == np.float64 and np.all(value >= 0)
    assert g.shape == h.shape == raw.shape and g.dtype == h.dtype == np.float64
    assert loss.posterior(raw).shape == loss.posterior_logit(raw).shape == loss.link(raw).shape == raw.shape
    assert loss.label_loss(y, raw).shape == raw.shape
    assert loss.num_outputs == loss.num_labels and loss.is_multilabel and not loss.is_multiclass
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(raw, raw_copy)
    np.testing.assert_array_equal(w, w_copy)
    g2, _ = loss.grad_hess(y, raw, w)
    g2 += 1.0
    np.testing.assert_array_equal(loss.grad_hess(y, raw, w)[0], g)
    # labels as bool, float and Fortran-ordered margins give the same numbers
    np.testing.assert_array_equal(loss.grad_hess(y.astype(bool), np.asfortranarray(raw), w)[0], g)
    np.testing.assert_array_equal(loss.loss(y.astype(float), raw, w), value)


def test_rows_do_not_depend_on_the_rest_of_the_batch(loss, backend, rng):
    y, raw = random_multilabel(loss, 40, rng)
    value = loss.loss(y, raw)
    g, h = loss.grad_hess(y, raw)
    for i in (0, 7, 39):
        np.testing.assert_array_equal(loss.loss(y[i : i + 1], raw[i : i + 1])[0], value[i])
        gi, hi = loss.grad_hess(y[i : i + 1], raw[i : i + 1])
        np.testing.assert_array_equal(gi[0], g[i])
        np.testing.assert_array_equal(hi[0], h[i])


def test_nan_margins_raise(loss, backend, rng):
    y, raw = random_multilabel(loss, 5, rng)
    raw[3, -1] = np.nan
    for method in ("loss", "grad_hess", "label_loss", "mean_loss", "posterior", "posterior_logit", "link"):
        args = (raw,) if method in ("posterior", "posterior_logit", "link") else (y, raw)
        with pytest.raises(ValueError, match="raw"):
            getattr(loss, method)(*args)


def test_pickle_repr_equality_and_immutability(loss):
    again = pickle.loads(pickle.dumps(loss))
    assert again == loss and hash(again) == hash(loss) and type(again) is type(loss)
    assert eval(repr(loss), {**vars(bf), "np": np}) == loss
    params = {f: getattr(loss, f) for f in type(loss)._fields}
    assert type(loss)(**params) == loss
    assert type(loss)(**{**params, "alpha": 0.123}) != loss
    if "gamma" in params:
        assert type(loss)(**{**params, "gamma": params["gamma"] + 0.5}) != loss
    for attr in ("alpha", "gamma", "num_labels"):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(loss, attr, 0.5)
        with pytest.raises(AttributeError, match="immutable"):
            delattr(loss, attr)
    assert bf.MultilabelFocalLoss(3, alpha=[0.1, 0.2, 0.3]) == bf.MultilabelFocalLoss(
        3, alpha=np.array([0.1, 0.2, 0.3])
    )
    assert bf.MultilabelFocalLoss(np.int64(2), gamma=2) == bf.MultilabelFocalLoss(2, gamma=2.0)


# --------------------------------------------------------------------------------------
# Initial score
# --------------------------------------------------------------------------------------


def test_init_score_is_the_binary_root_of_each_column(loss, rng):
    y, _ = random_multilabel(loss, 2000, rng)
    w = rng.uniform(0.1, 3.0, size=2000)
    for weights in (None, w) if loss.num_labels <= 2 else (w,):
        init = loss.init_score(y, weights)
        assert init.shape == (loss.num_labels,) and init.dtype == np.float64
        ww = np.ones(2000) if weights is None else weights
        for j in range(loss.num_labels):
            b = _column_loss(loss, j)
            assert init[j] == b.init_score(y[:, j], weights)
            # independently: the root of the column's summed gradient (two-point problem)
            totals = np.array([ww @ (1 - y[:, j]), ww @ y[:, j]])
            root = brentq(lambda c, b=b, t=totals: b.grad_hess(y2, np.full(2, c), t)[0].sum(), -60, 60, xtol=1e-14)
            assert init[j] == pytest.approx(root, abs=1e-9)
        # the gradient of the total loss vanishes in every column at the initial score
        raw = np.tile(init, (2000, 1))
        g = loss.grad_hess(y, raw, weights)[0]
        assert np.all(np.abs(g.sum(axis=0)) <= 1e-9 * np.abs(g).sum(axis=0))


def test_gamma_zero_init_score_closed_form(rng):
    y = (rng.random((5000, 3)) < [0.01, 0.1, 0.5]).astype(int)
    w = rng.uniform(0.1, 2.0, size=5000)
    for alpha in (None, 0.3, (0.05, 0.5, 0.9)):
        a = np.broadcast_to(0.5 if alpha is None else np.asarray(alpha), (3,))
        expected = np.log(a * (w @ y) / ((1 - a) * (w @ (1 - y))))
        np.testing.assert_allclose(
            bf.MultilabelFocalLoss(3, alpha=alpha, gamma=0.0).init_score(y, w), expected, atol=1e-12
        )


def test_balanced_alpha_per_label(rng):
    y = (rng.random((3000, 4)) < [0.01, 0.05, 0.2, 0.6]).astype(int)
    w = rng.uniform(0.2, 3.0, size=3000)
    for weights in (None, w):
        ww = np.ones(3000) if weights is None else weights
        alpha = bf.balanced_alpha(y, sample_weight=weights, multilabel=True)
        assert isinstance(alpha, tuple) and len(alpha) == 4
        for j in range(4):
            assert alpha[j] == pytest.approx(bf.balanced_alpha(y[:, j], sample_weight=weights), rel=1e-15)
        a = np.asarray(alpha)
        np.testing.assert_allclose(a * (ww @ y), (1 - a) * (ww @ (1 - y)), rtol=1e-12)  # classes equalised
        init = bf.MultilabelBalancedCrossEntropy(4, alpha).init_score(y, weights)
        np.testing.assert_allclose(init, 0.0, atol=1e-12)


# --------------------------------------------------------------------------------------
# Recovered posterior on data with known probabilities
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def known():
    """Two samples of ``make_multilabel_fraud`` with their true probabilities."""
    train = make_multilabel_fraud(
        30_000, n_labels=3, positive_rates=(0.05, 0.02, 0.01), random_state=3, return_proba=True
    )
    test = make_multilabel_fraud(
        30_000, n_labels=3, positive_rates=(0.05, 0.02, 0.01), random_state=4, return_proba=True
    )
    return train, test


@pytest.mark.parametrize(("gamma", "alpha"), [(2.0, 0.25), (4.0, (0.5, 0.3, 0.7))])
def test_posterior_of_the_focal_minimiser_is_the_true_probability(gamma, alpha, known):
    """At a point with true probability ``p``, the expected focal loss is minimised by the binary
    initial score of class weights ``(1 - p, p)``; the posterior of that margin must give ``p``
    back (and the plain sigmoid must not, for gamma > 0)."""
    _, (_, _, P) = known
    p = np.quantile(P, [0.0, 0.5, 0.99, 1.0], axis=0)  # from the smallest to the largest probability
    loss = bf.MultilabelFocalLoss(3, alpha=alpha, gamma=gamma)
    z = np.empty_like(p)
    for j in range(3):
        b = _column_loss(loss, j)
        z[:, j] = [b.init_score(y2, [1.0 - pi, pi]) for pi in p[:, j]]
    np.testing.assert_allclose(loss.posterior(z), p, rtol=1e-9)
    assert np.max(np.abs(loss.link(z) - p)) > 0.01


@pytest.mark.parametrize(("gamma", "alpha"), [(1.0, None), (2.0, 0.25), (3.0, (0.5, 0.3, 0.7))])
def test_recovered_posterior_is_calibrated_on_known_probabilities(gamma, alpha, known, record_error):
    """A model trained with the loss: per label ``z = a_l + b_l logit(P_l)`` (two parameters a
    label, the true log-odds as the one feature), fitted by minimising the mean multilabel loss with
    its own gradient.  The focal-optimal margin is not linear in ``logit P`` (the fit shrinks the
    slope to about ``1 / (1 + gamma)``), so calibration is not built in.  On a second sample the
    recovered posterior must be close to the true probabilities (mean ``|prediction - P|``, a tenth
    of the plain sigmoid's) and its log-loss lower than the sigmoid's and within 1 % of the log-loss
    of ``P`` itself."""
    (_, Y, P), (_, Y_test, P_test) = known
    loss = bf.MultilabelFocalLoss(3, alpha=alpha, gamma=gamma)
    x, x_test = logit(P), logit(P_test)

    def objective(theta):
        a, b = theta[:3], theta[3:]
        z = a + b * x
        g = loss.grad_hess(Y, z)[0] / Y.shape[0]
        return loss.loss(Y, z).mean(), np.concatenate([g.sum(axis=0), (g * x).sum(axis=0)])

    fit = minimize(objective, np.r_[np.zeros(3), np.ones(3)], jac=True, method="L-BFGS-B")
    assert fit.success, fit.message
    z_test = fit.x[:3] + fit.x[3:] * x_test
    post, plain = loss.posterior(z_test), loss.link(z_test)

    def ece(q):
        return np.abs(q - P_test).mean(axis=0)

    def log_loss(q):
        return -(Y_test * np.log(q) + (1 - Y_test) * np.log1p(-q)).mean(axis=0)

    print(
        f"gamma={gamma} alpha={alpha}: slopes {fit.x[3:].round(3)}; mean |p - P| posterior {ece(post)}, "
        f"sigmoid {ece(plain)}; log-loss posterior {log_loss(post)}, sigmoid {log_loss(plain)}, P {log_loss(P_test)}"
    )
    record_error(f"multilabel posterior mean |p - P| on known P (gamma={gamma}, alpha={alpha})", ece(post).max())
    assert np.all(ece(post) < 0.1 * ece(plain))
    assert np.all(log_loss(post) < log_loss(plain))
    assert np.all(log_loss(post) < 1.01 * log_loss(P_test))


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------

_Y = np.array([[0, 1, 0], [1, 0, 1], [0, 0, 1], [1, 1, 0]])
_Z = np.zeros((4, 3))


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: bf.MultilabelFocalLoss(0), ValueError, "num_labels"),
        (lambda: bf.MultilabelFocalLoss(2.0), TypeError, "num_labels"),
        (lambda: bf.MultilabelFocalLoss(True), TypeError, "num_labels"),
        (lambda: bf.MultilabelFocalLoss(3, alpha=(0.1, 0.2)), ValueError, "alpha.*num_labels=3"),
        (lambda: bf.MultilabelFocalLoss(3, alpha=(0.1, 0.2, 1.0)), ValueError, "alpha"),
        (lambda: bf.MultilabelFocalLoss(3, alpha=(0.1, np.nan, 0.5)), ValueError, "alpha"),
        (lambda: bf.MultilabelFocalLoss(3, alpha=1.5), ValueError, "alpha"),
        (lambda: bf.MultilabelFocalLoss(3, alpha="balanced"), TypeError, r"balanced_alpha\(Y, multilabel=True\)"),
        (lambda: bf.MultilabelFocalLoss(3, alpha=True), TypeError, "alpha"),
        (lambda: bf.MultilabelFocalLoss(3, alpha=[[0.1, 0.2, 0.3]]), ValueError, "alpha"),
        (lambda: bf.MultilabelFocalLoss(3, gamma=-1.0), ValueError, "gamma"),
        (lambda: bf.MultilabelFocalLoss(3, hessian="newton"), ValueError, "hessian"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(np.array([0, 1, 2, 1]), _Z), ValueError, "MulticlassFocalLoss"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(np.array([0, 1, 0, 1]), _Z), ValueError, r"y has shape \(4,\)"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(_Y[:, :2], _Z), ValueError, r"y has shape \(4, 2\)"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(np.where(_Y, 2, 0), _Z), ValueError, r"only 0 and 1.*\[2\]"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(np.where(_Y, np.nan, 0.0), _Z), ValueError, "y contains NaN"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(_Y.astype(str), _Z), TypeError, "y must be a numeric"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(_Y[:0], _Z[:0]), ValueError, "y is empty"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(_Y, _Z[:, :2]), ValueError, r"raw has shape \(4, 2\).*\(4, 3\)"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(_Y, _Z[:, 0]), ValueError, r"raw has shape \(4,\)"),
        (lambda: bf.MultilabelFocalLoss(3).loss(_Y, _Z[:3]), ValueError, "raw"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(_Y, _Z.astype(str)), TypeError, "raw"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(_Y, _Z, np.ones(3)), ValueError, "sample_weight"),
        (lambda: bf.MultilabelFocalLoss(3).grad_hess(_Y, _Z, -np.ones(4)), ValueError, "sample_weight"),
        (lambda: bf.MultilabelFocalLoss(3).posterior(_Z[:, 0]), ValueError, r"raw must have shape \(n, 3\)"),
        (lambda: bf.MultilabelFocalLoss(3).link(np.zeros((4, 4))), ValueError, "raw"),
        (
            lambda: bf.MultilabelFocalLoss(3).init_score(np.column_stack([_Y[:, :2], np.zeros(4)])),
            ValueError,
            "y column 2 holds a single class",
        ),
        (
            lambda: bf.MultilabelFocalLoss(3).init_score(np.column_stack([np.ones(4), _Y[:, 1:]])),
            ValueError,
            "y column 0 holds a single class",
        ),
        (lambda: bf.MultilabelFocalLoss(3).init_score(_Y, [1.0, 0.0, 1.0, 0.0]), ValueError, "y column"),
        (
            lambda: bf.balanced_alpha(np.column_stack([_Y[:, :2], np.ones(4)]), multilabel=True),
            ValueError,
            "y column 2 holds a single class",
        ),
        (lambda: bf.balanced_alpha(_Y), ValueError, "multilabel=True"),
        (lambda: bf.balanced_alpha(_Y, num_class=3, multilabel=True), ValueError, "num_class"),
        (lambda: bf.balanced_alpha(np.array([0, 1, 2]), multilabel=True), ValueError, "num_class instead"),
        (lambda: bf.balanced_alpha(_Y, multilabel="yes"), TypeError, "multilabel"),
    ],
)
def test_bad_input_raises_naming_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_engine_labels_checked_by_the_kernel_raise_the_same_errors(backend, rng):
    """The unchecked fast path an adapter takes with the engine's own (n, L) label matrix still
    rejects bad labels and weights, with the checks' messages."""
    loss = bf.MultilabelFocalLoss(3, alpha=(0.2, 0.5, 0.8))
    z = rng.normal(size=(4, 3))
    for y, w, match in [  # float32, as XGBoost's DMatrix.get_label() and get_weight() give them
        (np.where(_Y, 2.0, 0.0).astype(np.float32), None, "only 0 and 1"),
        (np.where(_Y, np.nan, 0.0).astype(np.float32), None, "NaN"),
        (_Y.astype(np.float32), np.array([1.0, np.nan, 1.0, 1.0], dtype=np.float32), "weight"),
        (_Y.astype(np.float32), np.array([1.0, -1.0, 1.0, 1.0], dtype=np.float32), "weight"),
    ]:
        labels = loss._unchecked_labels(y, w)
        if labels is None:  # the numpy backend always checks first
            with pytest.raises(ValueError, match=match):
                loss._prepare(y, w, weight_name="weight")
            continue
        with pytest.raises(ValueError, match=match):
            loss._grad_hess(labels, z)
    good = loss._unchecked_labels(_Y.astype(np.float32), np.ones(4, dtype=np.float32))
    if good is not None:
        for a, b in zip(loss._grad_hess(good, z), loss.grad_hess(_Y, z, np.ones(4)), strict=True):
            np.testing.assert_array_equal(a, b)
