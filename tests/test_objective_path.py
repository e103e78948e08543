"""The per-round path the engines call: cached labels, reused float32 buffers, fused checks.

The engines call ``bfl.objective(loss)`` / ``bfx.objective(loss)`` once per boosting round.  That
path caches checked labels and weights, writes float32 gradients (the precision both engines keep)
into buffers reused between rounds, and leaves the NaN check and the +-inf clip to the kernel.
These tests hold it to the public, checked ``loss.grad_hess``.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import boostfocal as bf
from boostfocal import lightgbm as bfl
from boostfocal import xgboost as bfx

ADAPTERS = {"lightgbm": (bfl.objective, bfl.hessian_scale), "xgboost": (bfx.objective, bfx.hessian_scale)}


def _data(multiclass: bool, n: int = 4000, k: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    if multiclass:
        loss = bf.MulticlassFocalLoss(k, alpha=[1.0, 2.0, 0.5, 1.5], gamma=2.0)
        return loss, rng.integers(0, k, n).astype(np.float32), rng.normal(0, 4, (n, k)), rng.uniform(0, 2, n)
    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
    return loss, (rng.random(n) < 0.1).astype(np.float32), rng.normal(-2, 4, n), rng.uniform(0, 2, n)


def _expected(loss: bf.Loss, y, raw, w, scale: float):
    g, h = loss.grad_hess(y, np.asarray(raw, dtype=np.float64), w)
    return g, h * scale


@pytest.mark.parametrize("engine", sorted(ADAPTERS))
@pytest.mark.parametrize("multiclass", [False, True], ids=["binary", "multiclass"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_objective_gives_the_public_numbers_in_float32(engine, multiclass, weighted, backend) -> None:
    make, scale = ADAPTERS[engine]
    loss, y, raw, w = _data(multiclass)
    w = w.astype(np.float32) if weighted else None
    obj = make(loss)
    g, h = obj(y, raw, w)
    eg, eh = _expected(loss, y, raw, w, scale(loss))
    assert g.dtype == np.float32 and h.dtype == np.float32 and g.shape == raw.shape
    # float32 rounding of the same float64 value: equal, or one float32 ulp apart when the two
    # float64 evaluations differ in their last bit across a rounding boundary
    np.testing.assert_allclose(g, eg, rtol=1.2e-7, atol=1e-38)
    np.testing.assert_allclose(h, eh, rtol=1.2e-7, atol=1e-38)


@pytest.mark.parametrize("multiclass", [False, True], ids=["binary", "multiclass"])
def test_float32_margins_are_read_without_loss_of_precision(multiclass, backend) -> None:
    loss, y, raw, _ = _data(multiclass)
    raw32 = raw.astype(np.float32)
    g, h = bfx.objective(loss)(y, raw32)
    eg, eh = _expected(loss, y, raw32.astype(np.float64), None, bfx.hessian_scale(loss))
    np.testing.assert_allclose(g, eg, rtol=1.2e-7, atol=1e-38)
    np.testing.assert_allclose(h, eh, rtol=1.2e-7, atol=1e-38)


def test_lightgbm_f_ordered_multiclass_scores_give_f_ordered_gradients(backend) -> None:
    """LightGBM hands multiclass scores as an F-ordered ``(n, K)`` view of its flat buffer and
    flattens the gradients with ``ravel(order="F")``: F-ordered outputs make that free."""
    loss, y, raw, _ = _data(True)
    flat = np.asfortranarray(raw).ravel(order="F")
    view = flat.reshape(raw.shape, order="F")
    g, h = bfl.objective(loss)(y, view)
    assert g.flags.f_contiguous and not g.flags.c_contiguous
    assert np.shares_memory(g.ravel(order="F"), g)
    eg, eh = _expected(loss, y, raw, None, bfl.hessian_scale(loss))
    np.testing.assert_allclose(g, eg, rtol=1.2e-7, atol=1e-38)
    np.testing.assert_allclose(h, eh, rtol=1.2e-7, atol=1e-38)


def test_output_buffers_are_reused_between_rounds_and_per_thread(backend) -> None:
    loss, y, raw, _ = _data(False)
    obj = bfl.objective(loss)
    g1, h1 = obj(y, raw)
    first = g1.copy()
    g2, h2 = obj(y, raw + 1.0)
    assert g2 is g1 and h2 is h1  # reused
    assert not np.array_equal(first, g2)
    other: dict[str, np.ndarray] = {}
    t = threading.Thread(target=lambda: other.setdefault("g", obj(y, raw)[0]))
    t.start()
    t.join()
    assert other["g"] is not g1  # another thread gets its own buffers
    np.testing.assert_array_equal(other["g"], first)
    g3, _ = obj(y[:100], raw[:100])  # a different size gets new buffers
    assert g3.shape == (100,)


def test_equal_label_arrays_are_checked_once(monkeypatch) -> None:
    """XGBoost's ``get_label()`` returns a new array every round: equal arrays hit the cache."""
    loss, y, raw, w = _data(False)
    obj = bfx.objective(loss)
    calls = []
    original = type(loss)._prepare
    monkeypatch.setattr(type(loss), "_prepare", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    for _ in range(3):
        obj(y.copy(), raw, w.copy())
    assert len(calls) == 1
    y2 = y.copy()
    y2[0] = 1.0 - y2[0]  # changed labels are checked again and used
    g = obj(y2, raw, w)[0].copy()
    assert len(calls) == 2
    obj(y2, raw, None)  # the same labels without weights are another entry
    assert len(calls) == 3
    np.testing.assert_allclose(g, _expected(loss, y2, raw, w, 1.0)[0], rtol=1.2e-7)


def test_label_comparison_covers_every_block() -> None:
    """The cache's equality test compares in blocks: a change in the last block is still seen."""
    from boostfocal._adapter import _COMPARE_BLOCK, _same

    y = np.zeros(2 * _COMPARE_BLOCK + 5, dtype=np.float32)
    assert _same(y, y.copy())
    for i in (0, _COMPARE_BLOCK, y.size - 1):
        changed = y.copy()
        changed[i] = 1.0
        assert not _same(y, changed)
    assert not _same(y, y[:-1].copy())
    assert not _same(y, y.astype(np.float64))


def test_nan_and_infinite_margins_on_the_round_path(backend) -> None:
    loss, y, raw, _ = _data(False)
    obj = bfl.objective(loss)
    for dtype in (np.float64, np.float32):
        bad = raw.astype(dtype)
        bad[7] = np.nan
        with pytest.raises(ValueError, match="preds contains NaN"):
            obj(y, bad)
    inf = raw.copy()
    inf[:2] = [np.inf, -np.inf]
    g, h = obj(y, inf)
    clipped = inf.copy()
    clipped[:2] = [1e300, -1e300]
    eg, eh = _expected(loss, y, clipped, None, 1.0)
    assert np.all(np.isfinite(g)) and np.all(np.isfinite(h))
    np.testing.assert_allclose(g, eg, rtol=1.2e-7, atol=1e-38)
    np.testing.assert_allclose(h, eh, rtol=1.2e-7, atol=1e-38)
    mloss, my, mraw, _ = _data(True)
    mraw[3, 1] = np.nan
    with pytest.raises(ValueError, match="preds contains NaN"):
        bfx.objective(mloss)(my, mraw)


def test_non_numeric_scores_are_a_type_error() -> None:
    loss, y, raw, _ = _data(False)
    with pytest.raises(TypeError, match="preds must be a numeric array"):
        bfl.objective(loss)(y, raw.astype(str))
    with pytest.raises(TypeError, match="preds must be a numeric array"):
        bfl.objective(loss)(y, raw > 0)
    g, _ = bfl.objective(loss)(y, np.round(raw).astype(np.int64))  # integers are margins too
    np.testing.assert_allclose(g, _expected(loss, y, np.round(raw), None, 1.0)[0], rtol=1.2e-7, atol=1e-38)


def test_xgboost_binary_objective_runs_on_the_calling_thread_only(monkeypatch) -> None:
    """XGBoost's bundled OpenMP runtime competes with numba's pool, so its binary objective stays
    serial; the numbers are those of the (multi-threaded) LightGBM objective."""
    pytest.importorskip("numba")
    from boostfocal import _fast, losses

    monkeypatch.setattr(losses, "_fast_module", _fast)
    monkeypatch.setattr(_fast, "SERIAL_BELOW", 1000)  # so that this size would use the pool
    loss, y, raw, w = _data(False)
    g_lgb, h_lgb = (a.copy() for a in bfl.objective(loss)(y, raw, w))
    assert ("binary", _fast.gamma_kind(loss.gamma), True) in _fast._KERNELS  # the pool was used
    g_xgb, h_xgb = bfx.objective(loss)(y, raw, w)
    np.testing.assert_array_equal(g_xgb, g_lgb)
    np.testing.assert_array_equal(h_xgb, h_lgb)
    assert bfx.objective(loss)._threads is False and bfl.objective(loss)._threads is True
    assert bfx.objective(bf.MulticlassFocalLoss(3))._threads is True  # K times the work: keeps the pool
