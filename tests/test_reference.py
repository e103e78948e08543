"""Loss, gradient and exact Hessian against high-precision references.

1. ``tests/data/focal_reference.json``: 210 points (150 binary, 60 multiclass) whose loss,
   gradient and exact Hessian were computed with 40-digit mpmath derivatives of the textbook
   formula (a copy of the shared test vectors; the tests never read outside ``tests/``).
2. An independent mpmath oracle (the textbook loss, differentiated by ``mpmath.diff`` at a working
   precision chosen so that even values of 1e-290 keep their digits): random points drawn by
   hypothesis, and the extreme-but-representable regions a finite difference cannot resolve
   (confidently right samples with tiny gradients, deeply wrong multiclass samples).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import boostfocal as bf

REF_RTOL = 1e-12  # the bound; measured maximum is ~1e-14
ORACLE_RTOL = 1e-12
TINY = 1e-290  # below this float64 results are (near-)subnormal and lose relative precision

ORACLE = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _rel_err(actual, expected):
    actual = np.atleast_1d(np.asarray(actual, dtype=float))
    expected = np.atleast_1d(np.asarray(expected, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected == 0, np.abs(actual), np.abs(actual - expected) / np.abs(expected))


# --------------------------------------------------------------------------------------
# Reference vectors
# --------------------------------------------------------------------------------------


def test_reference_file_is_complete(reference_vectors):
    assert len(reference_vectors["binary"]) == 150
    assert len(reference_vectors["multiclass"]) == 60
    gammas = {p["gamma"] for p in reference_vectors["binary"] + reference_vectors["multiclass"]}
    assert min(gammas) == 0.0 and max(gammas) == 5.0
    hess = [h for p in reference_vectors["multiclass"] for h in p["hess"]]
    assert -8.768067944826734e-09 in hess


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_reference_vectors(kind, reference_vectors, backend, record_error):
    failures = []
    worst = {"loss": 0.0, "grad": 0.0, "hess": 0.0}
    for i, point in enumerate(reference_vectors[kind]):
        y = np.array([point["y"]])
        raw = np.array([point["raw"]], dtype=float)
        if kind == "binary":
            loss = bf.BinaryFocalLoss(alpha=point["alpha"], gamma=point["gamma"], hessian="exact")
        else:
            loss = bf.MulticlassFocalLoss(raw.shape[1], alpha=point["alpha"], gamma=point["gamma"], hessian="exact")
        g, h = loss.grad_hess(y, raw)
        got = {"loss": loss.loss(y, raw)[0], "grad": g[0], "hess": h[0]}
        for name, value in got.items():
            err = float(np.max(_rel_err(value, point[name])))
            worst[name] = max(worst[name], err)
            if not err <= REF_RTOL:
                failures.append(f"{kind}[{i}] {name}: got {value}, expected {point[name]} (rel {err:.2e}); {point}")
        # the gradient does not depend on the Hessian policy, and the default policy is positive
        # and never below the exact value
        gb, hb = type(loss)(**{**{f: getattr(loss, f) for f in type(loss)._fields}, "hessian": "bounded"}).grad_hess(
            y, raw
        )
        np.testing.assert_array_equal(gb, g)
        assert np.all(hb > 0) and np.all(hb >= h)
    for name, value in worst.items():
        record_error(f"{name} vs reference vectors ({kind}), max relative error", value)
    assert not failures, "\n".join(failures)


def test_the_hard_multiclass_reference_point(reference_vectors, backend):
    """The deeply wrong multiclass reference point, whose exact Hessian (-8.768067944826734e-09
    among its entries) is negative in every column: the default policy must make it positive."""
    (point,) = [p for p in reference_vectors["multiclass"] if -8.768067944826734e-09 in p["hess"]]
    loss = bf.MulticlassFocalLoss(len(point["raw"]), alpha=point["alpha"], gamma=point["gamma"], hessian="exact")
    g, h = loss.grad_hess(np.array([point["y"]]), np.array([point["raw"]]))
    np.testing.assert_allclose(h[0], point["hess"], rtol=REF_RTOL, atol=0)
    np.testing.assert_allclose(g[0], point["grad"], rtol=REF_RTOL, atol=0)
    assert np.all(h[0] < 0)
    # the default policy replaces the negative curvature by a positive one
    assert np.all(
        bf.MulticlassFocalLoss(len(point["raw"]), gamma=point["gamma"]).grad_hess(
            np.array([point["y"]]), np.array([point["raw"]])
        )[1]
        > 0
    )


# --------------------------------------------------------------------------------------
# mpmath oracle
# --------------------------------------------------------------------------------------


def _dps_for(*values) -> int:
    """Enough digits that mpmath.diff's absolute error sits 30 digits below the smallest value."""
    smallest = min(
        (abs(float(v)) for v in np.ravel(np.concatenate([np.ravel(x) for x in values])) if v != 0), default=1.0
    )
    return 40 + max(0, int(-math.log10(max(smallest, 1e-320))))


def mp_binary(y: int, z: float, alpha: float | None, gamma: float, dps: int):
    """Textbook binary focal loss and its first two derivatives in ``z`` (mpmath)."""
    with mp.workdps(dps):
        a = mp.mpf(1) if alpha is None else (mp.mpf(alpha) if y == 1 else 1 - mp.mpf(alpha))
        s = 1 if y == 1 else -1
        g = mp.mpf(gamma)

        def f(zz):
            t = s * zz
            q = 1 / (1 + mp.exp(t))  # 1 - sigma(t)
            log_p = -mp.log1p(mp.exp(-t))  # log sigma(t)
            return -a * q**g * log_p

        zm = mp.mpf(z)
        return float(f(zm)), float(mp.diff(f, zm, 1)), float(mp.diff(f, zm, 2))


def mp_multiclass(y: int, raw, alpha, gamma: float, dps: int):
    """Textbook softmax focal loss, its gradient and the diagonal of its Hessian (mpmath)."""
    k = len(raw)
    with mp.workdps(dps):
        a = mp.mpf(1) if alpha is None else mp.mpf(alpha[y])
        g = mp.mpf(gamma)

        def f(zz):
            r = mp.fsum(mp.exp(zz[j] - zz[y]) for j in range(k) if j != y)  # (1 - u) / u
            log_u = -mp.log1p(r)
            return -a * (r / (1 + r)) ** g * log_u

        z = [mp.mpf(v) for v in raw]
        grad, hess = [], []
        for j in range(k):

            def fj(x, j=j):
                zz = list(z)
                zz[j] = x
                return f(zz)

            grad.append(float(mp.diff(fj, z[j], 1)))
            hess.append(float(mp.diff(fj, z[j], 2)))
        return float(f(z)), np.array(grad), np.array(hess)


def _compare(actual, expected, what, record=None):
    actual = np.atleast_1d(actual)
    expected = np.atleast_1d(expected)
    meaningful = np.abs(expected) > TINY
    err = _rel_err(actual[meaningful], expected[meaningful])
    assert np.all(err <= ORACLE_RTOL), f"{what}: got {actual}, mpmath {expected}, rel {err}"
    # below TINY: both must be tiny (subnormal or zero), never of a different order
    assert np.all(np.abs(actual[~meaningful]) <= 1e3 * TINY), f"{what}: got {actual}, mpmath {expected}"
    if record is not None and err.size:
        record(f"{what} vs mpmath oracle, max relative error", err.max())


def check_binary_against_oracle(y, z, alpha, gamma, record=None):
    loss = bf.BinaryFocalLoss(alpha=alpha, gamma=gamma, hessian="exact")
    value = loss.loss(np.array([y]), np.array([z]))[0]
    g, h = loss.grad_hess(np.array([y]), np.array([z]))
    ref = mp_binary(y, z, alpha, gamma, _dps_for([value, g[0], h[0]]))
    for name, got, exp in zip(("loss", "grad", "hess"), (value, g[0], h[0]), ref, strict=True):
        _compare(got, exp, f"{name} (binary)", record)


def check_multiclass_against_oracle(y, raw, alpha, gamma, record=None):
    k = len(raw)
    loss = bf.MulticlassFocalLoss(k, alpha=alpha, gamma=gamma, hessian="exact")
    raw2 = np.array([raw], dtype=float)
    value = loss.loss(np.array([y]), raw2)[0]
    g, h = loss.grad_hess(np.array([y]), raw2)
    ref = mp_multiclass(y, raw, alpha, gamma, _dps_for([value], g, h))
    for name, got, exp in zip(("loss", "grad", "hess"), (value, g[0], h[0]), ref, strict=True):
        _compare(got, exp, f"{name} (multiclass)", record)


gamma_st = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]), st.floats(0.0, 6.0))


@ORACLE
@given(
    y=st.integers(0, 1),
    z=st.one_of(st.floats(-40.0, 40.0), st.floats(-700.0, 700.0)),
    alpha=st.one_of(st.none(), st.floats(0.01, 0.99)),
    gamma=gamma_st,
)
def test_binary_matches_mpmath(y, z, alpha, gamma, backend, record_error):
    check_binary_against_oracle(y, z, alpha, gamma, record_error)


@ORACLE
@given(
    data=st.data(),
    num_class=st.integers(2, 5),
    gamma=gamma_st,
    spread=st.sampled_from([10.0, 40.0, 300.0]),
)
def test_multiclass_matches_mpmath(data, num_class, gamma, spread, backend, record_error):
    raw = data.draw(st.lists(st.floats(-spread, spread), min_size=num_class, max_size=num_class))
    y = data.draw(st.integers(0, num_class - 1))
    alpha = data.draw(st.one_of(st.none(), st.lists(st.floats(0.05, 5.0), min_size=num_class, max_size=num_class)))
    check_multiclass_against_oracle(y, raw, alpha, gamma, record_error)


@pytest.mark.parametrize("gamma", [0.1, 0.5, 1.5, 1.99, 3.7])
def test_near_certainty_and_deeply_wrong_regions_match_mpmath(gamma, backend, record_error):
    """Where u -> 1 (the (1-u)^(gamma-2) factors of the textbook Hessian blow up for gamma < 2) and
    where u -> 0 (deeply wrong samples, u ~ 1e-10 .. 1e-100): full relative precision."""
    for z in (15.0, 40.0, 300.0, 700.0):
        for y, s in ((1, 1.0), (0, -1.0)):
            check_binary_against_oracle(y, s * z, 0.25, gamma, record_error)  # confidently right
            check_binary_against_oracle(y, -s * z, 0.25, gamma, record_error)  # confidently wrong
    for d in (23.0, 60.0, 230.0):
        check_multiclass_against_oracle(1, [0.0, d, 0.0], None, gamma, record_error)  # u -> 1
        check_multiclass_against_oracle(1, [0.0, d, 0.5 * d, -d], [1.0, 2.0, 0.5, 3.0], gamma, record_error)
        check_multiclass_against_oracle(0, [0.0, d, 0.0], [2.0, 1.0, 1.0], gamma, record_error)  # u ~ e^-d
        check_multiclass_against_oracle(2, [d, -d, 0.0, 0.5 * d], None, gamma, record_error)
