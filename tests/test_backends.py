"""The compiled (numba) kernels give the same numbers as the numpy reference formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

import boostfocal as bf
from boostfocal import losses

pytest.importorskip("numba")

POLICIES = ("bounded", "exact", "weighted", "clip")
GAMMAS = (0.0, 0.5, 1.0, 2.0, 3.3)


def _both(loss: bf.Loss, y: np.ndarray, raw: np.ndarray, w: np.ndarray | None, monkeypatch: pytest.MonkeyPatch):
    fast = loss.grad_hess(y, raw, w)
    assert losses._kernels._fast() is not None
    monkeypatch.setattr(losses._kernels, "_fast_module", None)
    ref = loss.grad_hess(y, raw, w)
    monkeypatch.undo()
    return fast, ref


def _assert_same(fast: tuple[np.ndarray, ...], ref: tuple[np.ndarray, ...], rtol: float = 1e-13) -> None:
    for a, b in zip(fast, ref, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-300)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("gamma", GAMMAS)
def test_binary_compiled_equals_reference(policy: str, gamma: float, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    n = 5000
    raw = rng.normal(0, 8, n)
    raw[:6] = [1e4, -1e4, 1e300, -1e300, 40.0, -40.0]
    y = (rng.random(n) < 0.3).astype(float)
    w = rng.uniform(0, 3, n)
    loss = bf.BinaryFocalLoss(alpha=0.3, gamma=gamma, hessian=policy)
    _assert_same(*_both(loss, y, raw, w, monkeypatch))
    _assert_same(*_both(bf.BinaryFocalLoss(alpha=None, gamma=gamma, hessian=policy), y, raw, None, monkeypatch))


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("gamma", GAMMAS)
def test_multiclass_compiled_equals_reference(policy: str, gamma: float, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(2)
    n, k = 3000, 5
    raw = rng.normal(0, 8, (n, k))
    raw[0] = [1e4, 0, 0, -1e4, 3]
    raw[1] = [1e300, -1e300, 0, 0, 0]
    raw[2] = [-23.0, 0, 0, 0, 0]  # deeply wrong when y = 0
    y = rng.integers(0, k, n)
    y[:3] = [0, 0, 0]
    w = rng.uniform(0, 3, n)
    loss = bf.MulticlassFocalLoss(k, alpha=[1, 2, 3, 0.5, 1], gamma=gamma, hessian=policy)
    _assert_same(*_both(loss, y, raw, w, monkeypatch))
    _assert_same(*_both(bf.MulticlassFocalLoss(k, gamma=gamma, hessian=policy), y, raw, None, monkeypatch))


def test_float32_margins_use_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    raw = rng.normal(0, 5, 1000).astype(np.float32)
    y = (rng.random(1000) < 0.1).astype(np.float32)
    loss = bf.BinaryFocalLoss()
    _assert_same(*_both(loss, y, raw, None, monkeypatch))
    _assert_same(loss.grad_hess(y, raw), loss.grad_hess(y, raw.astype(np.float64)))


def test_vectorisable_exp_matches_libm_to_one_ulp() -> None:
    from boostfocal import _fast

    rng = np.random.default_rng(4)
    x = -np.concatenate(
        [
            rng.exponential(3.0, 200_000),
            rng.uniform(0.0, 800.0, 200_000),  # through the subnormal range down to 0
            [0.0, 1e-300, 5e-324, 0.5 * np.log(2), 708.0, 709.8, 744.0, 745.1, 745.2, 1e4, 1e300],
        ]
    )
    out = np.empty_like(x)
    _fast.exp_nonpos_array(x, out)
    ref = np.array([math.exp(v) for v in x])  # libm: numpy's own SIMD exp (1.23) is 1 ulp off in places
    normal = ref >= np.finfo(np.float64).tiny
    assert np.all(np.abs(out - ref) <= np.spacing(ref))  # 1 ulp, subnormals included
    assert np.all(out[normal] > 0)
    assert out[-1] == 0.0 and out[-2] == 0.0 and np.all(out >= 0.0)


def test_vectorisable_log1p_matches_libm_to_four_ulp() -> None:
    # 3 ulp without fused multiply-adds; with them one point in 4e6 sampled was 4 ulp off (0.61077947)
    from boostfocal import _fast

    rng = np.random.default_rng(5)
    e = np.concatenate(
        [rng.random(200_000), 10.0 ** rng.uniform(-320, 0, 100_000), [0.0, 5e-324, 1e-17, 1.0, 0.61077947]]
    )
    out = np.empty_like(e)
    _fast.log1p_unit_array(e, out)
    ref = np.log1p(e)
    assert np.all(np.abs(out - ref) <= 4 * np.spacing(ref))
    assert out[-5] == 0.0 and out[-4] == 5e-324  # exact at and near 0


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("gamma", GAMMAS)
def test_multilabel_compiled_equals_reference(policy: str, gamma: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """The multilabel loss runs the binary kernel over the raveled (n, L) arrays."""
    rng = np.random.default_rng(6)
    n, k = 2000, 4
    raw = rng.normal(0, 8, (n, k))
    raw[0] = [1e4, -1e4, 1e300, -np.inf]
    y = (rng.random((n, k)) < [0.02, 0.1, 0.3, 0.5]).astype(float)
    w = rng.uniform(0, 3, n)
    alpha = (0.2, 0.5, 0.8, 0.4)
    loss = bf.MultilabelFocalLoss(k, alpha=alpha, gamma=gamma, hessian=policy)
    # the compiled multilabel path is the compiled binary kernel, column by column, to the bit
    g, h = loss.grad_hess(y, raw, w)
    for j in range(k):
        gb, hb = bf.BinaryFocalLoss(alpha=alpha[j], gamma=gamma, hessian=policy).grad_hess(y[:, j], raw[:, j], w)
        np.testing.assert_array_equal(g[:, j], gb)
        np.testing.assert_array_equal(h[:, j], hb)
    # and the numpy reference to 1e-12 (the exact Hessian near its zero, t ~ -3 here, cancels:
    # measured 1.4e-13 at gamma = 3.3, one element in 8000)
    for margins in (raw, np.asfortranarray(raw), raw.clip(-3e38, 3e38).astype(np.float32)):
        _assert_same(*_both(loss, y, margins, w, monkeypatch), rtol=1e-12)
    for other, weights in (
        (bf.MultilabelFocalLoss(k, alpha=0.3, gamma=gamma, hessian=policy), None),
        (bf.MultilabelFocalLoss(k, gamma=gamma, hessian=policy), w),
    ):
        _assert_same(*_both(other, y, raw, weights, monkeypatch), rtol=1e-12)


def test_multilabel_kernel_writes_into_the_callers_buffers_in_either_order() -> None:
    """Float32 output arrays in the margins' memory order (as the adapters hand them) are written in
    place; buffers of the other order get the same numbers through a copy."""
    rng = np.random.default_rng(7)
    n, k = 500, 3
    y = (rng.random((n, k)) < 0.2).astype(np.uint8)
    loss = bf.MultilabelFocalLoss(k, alpha=(0.2, 0.5, 0.8))
    labels = loss._prepare(y, rng.uniform(0.5, 2, n))
    for z in (rng.normal(0, 4, (n, k)), np.asfortranarray(rng.normal(0, 4, (n, k)))):
        expected = loss._grad_hess(labels, z)
        for order in ("C", "F"):
            out = (np.empty((n, k), np.float32, order=order), np.empty((n, k), np.float32, order=order))
            got = loss._grad_hess(labels, z, out=out)
            assert got[0] is out[0] and got[1] is out[1]
            for a, b in zip(got, expected, strict=True):
                np.testing.assert_allclose(a, b.astype(np.float32), rtol=1e-6)
