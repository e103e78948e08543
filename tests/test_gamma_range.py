"""The accepted range of ``gamma``: ``[0, GAMMA_MAX]`` (``GAMMA_MAX = 1000``).

At the bound, loss, gradient and exact Hessian (binary and multiclass), the initial score and the
recovered posterior still match mpmath references (40+ digits) to a relative 1e-12; measured
there: 6.6e-14 (binary), 5.2e-14 (multiclass), 1.4e-13 (initial score), 1.5e-13 (posterior), and
``posterior(init_score(y))`` equals the class frequencies to 7e-14.  The error grows about
linearly with ``gamma`` beyond it (the round trip is 1.3e-12 at 1e4, 1e-7 at 1e9, and from
``gamma`` ~ 1e15 on the initial score is 0 and the posterior 0.5), so larger values are refused.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from test_reference import ORACLE_RTOL, _compare, check_binary_against_oracle, check_multiclass_against_oracle

import boostfocal as bf
from boostfocal._validation import GAMMA_MAX

G = GAMMA_MAX


def test_the_bound_is_1000():
    assert G == 1000.0


@pytest.mark.parametrize("z", [-700.0, -40.0, -15.0, -5.0, -1.0, 0.0, 0.3, 2.5])
@pytest.mark.parametrize("y", [0, 1])
def test_binary_at_the_bound_matches_mpmath(y, z, record_error):
    check_binary_against_oracle(y, z, 0.25, G, record_error)


@pytest.mark.parametrize(
    ("y", "raw", "alpha"),
    [(1, [0.0, 5.0, -3.0], None), (0, [0.0, 23.0, 0.0], [2.0, 1.0, 1.0]), (2, [1.0, -1.0, 0.5, 2.0], None)],
)
def test_multiclass_at_the_bound_matches_mpmath(y, raw, alpha, record_error):
    check_multiclass_against_oracle(y, raw, alpha, G, record_error)


def _mp_slope(log_p, log_om, g):
    """|l'(p)| = (1-p)^g / p - g (1-p)^(g-1) log p (mpmath)."""
    return mp.exp(g * log_om - log_p) - g * mp.exp((g - 1) * log_om) * log_p


def _mp_posterior(z, alpha, gamma):
    with mp.workdps(60):
        g, a, zm = mp.mpf(gamma), mp.mpf(alpha), mp.mpf(z)
        lp, lq = -mp.log1p(mp.exp(-zm)), -mp.log1p(mp.exp(zm))
        return 1 / (1 + a * _mp_slope(lp, lq, g) / ((1 - a) * _mp_slope(lq, lp, g)))


def _mp_init_score(w1, w0, alpha, gamma):
    """Root of ``w1 a f'(z) - w0 (1-a) f'(-z)`` (increasing in z), by bisection at 60 digits."""
    with mp.workdps(60):
        g, a = mp.mpf(gamma), mp.mpf(alpha)

        def fprime(t):  # f'(t) = q^g (g p log p - q)
            p, q = 1 / (1 + mp.exp(-t)), 1 / (1 + mp.exp(t))
            return q**g * (g * p * -mp.log1p(mp.exp(-t)) - q)

        lo, hi = mp.mpf(-60), mp.mpf(60)
        for _ in range(260):
            mid = (lo + hi) / 2
            if w1 * a * fprime(mid) - w0 * (1 - a) * fprime(-mid) < 0:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2


@pytest.mark.parametrize("gamma", [5.0, 100.0, G])
def test_init_score_and_posterior_match_mpmath_up_to_the_bound(gamma, record_error):
    worst = 0.0
    for n1, n0, a in [(1, 99, 0.25), (1, 999, 0.5), (30, 70, 0.9), (1, 1e6, 0.25)]:
        loss = bf.BinaryFocalLoss(alpha=a, gamma=gamma)
        z0 = loss.init_score(np.array([1, 0]), np.array([n1, n0], dtype=float))
        ref = float(_mp_init_score(n1, n0, a, gamma))
        worst = max(worst, abs(z0 - ref) / abs(ref))
    assert worst <= ORACLE_RTOL
    record_error(f"init_score at gamma={gamma:g} vs mpmath, max relative error", worst)
    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=gamma)
    zs = np.array([-30.0, -1.0, -0.01, -1e-3, 0.0, 1e-3, 0.01, 1.0, 30.0])
    got = loss.posterior(zs)
    ref = np.array([float(_mp_posterior(z, 0.25, gamma)) for z in zs])
    _compare(got, ref, f"posterior at gamma={gamma:g}", record_error)  # relative 1e-12 (underflow: both tiny)


@pytest.mark.parametrize("gamma", [5.0, 100.0, G])
def test_posterior_of_the_init_score_is_the_class_frequency(gamma):
    """End to end at the bound: the constant model's recovered posterior is the prior."""
    w = np.array([5.0, 1.0, 100.0])
    loss = bf.MulticlassFocalLoss(3, alpha=(1.0, 2.0, 0.5), gamma=gamma)
    prior = loss.posterior(loss.init_score(np.arange(3), w)[None, :])[0]
    np.testing.assert_allclose(prior, w / w.sum(), rtol=ORACLE_RTOL)
    binary = bf.BinaryFocalLoss(alpha=0.25, gamma=gamma)
    p1 = binary.posterior(np.array([binary.init_score(np.array([1, 0]), np.array([1.0, 999.0]))]))[0]
    np.testing.assert_allclose(p1, 1e-3, rtol=ORACLE_RTOL)


@pytest.mark.parametrize("gamma", [G * (1 + 1e-12), 1e4, 1e15, 1e300])
def test_gamma_beyond_the_bound_is_refused(gamma):
    for make in (
        lambda: bf.BinaryFocalLoss(gamma=gamma),
        lambda: bf.MulticlassFocalLoss(3, gamma=gamma),
    ):
        with pytest.raises(ValueError, match=r"gamma must be a number >= 0 and <= 1000 "):
            make()
    assert bf.BinaryFocalLoss(gamma=G).gamma == G  # the bound itself is accepted
