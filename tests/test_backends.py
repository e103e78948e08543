"""The compiled (numba) kernels give the same numbers as the numpy reference formulas."""

from __future__ import annotations

import numpy as np
import pytest

import boostfocal as bf
from boostfocal import losses

pytest.importorskip("numba")

POLICIES = ("bounded", "exact", "weighted", "clip")
GAMMAS = (0.0, 0.5, 1.0, 2.0, 3.3)


def _both(loss: bf.Loss, y: np.ndarray, raw: np.ndarray, w: np.ndarray | None, monkeypatch: pytest.MonkeyPatch):
    fast = loss.grad_hess(y, raw, w)
    assert losses._fast() is not None
    monkeypatch.setattr(losses, "_fast_module", None)
    ref = loss.grad_hess(y, raw, w)
    monkeypatch.undo()
    return fast, ref


def _assert_same(fast: tuple[np.ndarray, ...], ref: tuple[np.ndarray, ...]) -> None:
    for a, b in zip(fast, ref, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-300)


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
