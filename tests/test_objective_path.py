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
from boostfocal import _engine_xgboost as xgbe
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
    """A caller handing a new but equal label array every round hits the cache."""
    loss, y, raw, w = _data(False)
    y = y.astype(np.float64)
    obj = bfl.objective(loss)
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


@pytest.mark.parametrize("multiclass", [False, True], ids=["binary", "multiclass"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_xgbclassifier_label_vectors_reach_the_kernel_unchanged(multiclass, weighted, backend, monkeypatch) -> None:
    """``XGBClassifier`` hands the objective a new float32 copy of its labels (and weights) every
    round.  With the compiled kernels they are neither checked in Python nor cached and compared:
    the kernel reads them and checks them; the numbers are bit for bit those of the cached path
    (the same values as float64 arrays, checked once)."""
    loss, y, raw, w = _data(multiclass)
    raw = raw.astype(np.float32)
    w32 = w.astype(np.float32) if weighted else None
    w64 = None if w32 is None else w32.astype(np.float64)
    cached = bfx.objective(loss)
    eg, eh = (a.copy() for a in cached(y.astype(np.float64), raw, w64))
    assert len(cached._cache) == 1
    prepared: list[int] = []
    original = type(loss)._prepare
    monkeypatch.setattr(type(loss), "_prepare", lambda self, *a, **k: prepared.append(1) or original(self, *a, **k))
    obj = bfx.objective(loss)
    for _ in range(2):
        g, h = obj(y.copy(), raw, None if w32 is None else w32.copy())
        np.testing.assert_array_equal(g, eg)
        np.testing.assert_array_equal(h, eh)
    if backend == "numba":
        assert prepared == [] and obj._cache == []
    bad = y.copy()
    bad[-1] = 7.0  # not a class of either loss: the kernel's check names y
    with pytest.raises(ValueError, match=r"\by\b"):
        obj(bad, raw, w32)


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

    monkeypatch.setattr(losses._kernels, "_fast_module", _fast)
    monkeypatch.setattr(_fast, "SERIAL_BELOW", 1000)  # so that this size would use the pool
    loss, y, raw, w = _data(False)
    g_lgb, h_lgb = (a.copy() for a in bfl.objective(loss)(y, raw, w))
    assert ("binary", _fast.gamma_kind(loss.gamma), True) in _fast._KERNELS  # the pool was used
    g_xgb, h_xgb = bfx.objective(loss)(y, raw, w)
    np.testing.assert_array_equal(g_xgb, g_lgb)
    np.testing.assert_array_equal(h_xgb, h_lgb)
    assert bfx.objective(loss)._threads is False and bfl.objective(loss)._threads is True
    assert bfx.objective(bf.MulticlassFocalLoss(3))._threads is True  # K times the work: keeps the pool


# --------------------------------------------------------------------------------------
# XGBoost's DMatrix labels and weights, read in place
# --------------------------------------------------------------------------------------


def _dmatrix(multiclass: bool, weighted: bool):
    xgb = pytest.importorskip("xgboost")
    loss, y, raw, w = _data(multiclass)
    w = w.astype(np.float32) if weighted else None
    return xgb, loss, y, raw.astype(np.float32), w, xgb.DMatrix(np.zeros((y.size, 1)), label=y, weight=w)


def test_dmatrix_label_views_are_xgboost_s_own_arrays() -> None:
    xgb, _, y, _, w, data = _dmatrix(False, True)
    label, weight = xgbe.float_info_view(data, "label"), xgbe.float_info_view(data, "weight")
    assert label is not None and weight is not None
    np.testing.assert_array_equal(label, y)
    np.testing.assert_array_equal(weight, w)
    assert xgbe.float_info_view(data, "label").ctypes.data == label.ctypes.data  # the same memory: no copy
    unweighted = xgb.DMatrix(np.zeros((3, 1)), label=[0, 1, 0])
    assert xgbe.float_info_view(unweighted, "weight").shape == (0,)


@pytest.mark.parametrize("multiclass", [False, True], ids=["binary", "multiclass"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_objective_on_a_dmatrix_reads_its_labels_in_place(multiclass, weighted, backend, monkeypatch) -> None:
    """With the compiled kernels the objective neither copies the DMatrix labels (``get_label``)
    nor checks them in Python (``_prepare``): the kernel checks them; the numbers are the public
    ones.  The numpy backend copies them through the cache."""
    xgb, loss, y, raw, w, data = _dmatrix(multiclass, weighted)
    eg, eh = _expected(loss, y, raw, w, bfx.hessian_scale(loss))
    if backend == "numba":
        prepared: list[int] = []
        original = type(loss)._prepare
        monkeypatch.setattr(type(loss), "_prepare", lambda self, *a, **k: prepared.append(1) or original(self, *a, **k))
        monkeypatch.setattr(xgb.DMatrix, "get_label", lambda self: pytest.fail("get_label copies the labels"))
    obj = bfx.objective(loss)
    for _ in range(2):
        g, h = obj(raw, data)
        np.testing.assert_allclose(g, eg, rtol=1.2e-7, atol=1e-38)
        np.testing.assert_allclose(h, eh, rtol=1.2e-7, atol=1e-38)
    if backend == "numba":
        assert prepared == [] and obj._cache == []


def test_changed_dmatrix_labels_are_used_next_round(backend) -> None:
    _, loss, y, raw, w, data = _dmatrix(False, True)
    obj = bfx.objective(loss)
    obj(raw, data)
    flipped = 1.0 - y
    data.set_label(flipped)
    data.set_weight(2.0 * w)
    g, h = obj(raw, data)
    eg, eh = _expected(loss, flipped, raw, 2.0 * w, 1.0)
    np.testing.assert_allclose(g, eg, rtol=1.2e-7, atol=1e-38)
    np.testing.assert_allclose(h, eh, rtol=1.2e-7, atol=1e-38)


def test_without_the_c_api_the_objective_copies_the_labels(monkeypatch) -> None:
    _, loss, y, raw, w, data = _dmatrix(True, True)
    monkeypatch.setattr(xgbe, "float_info_view", lambda data, field: None)
    g, h = bfx.objective(loss)(raw, data)
    eg, eh = _expected(loss, y, raw, w, 2.0)
    np.testing.assert_allclose(g, eg, rtol=1.2e-7, atol=1e-38)
    np.testing.assert_allclose(h, eh, rtol=1.2e-7, atol=1e-38)


@pytest.mark.parametrize(
    ("multiclass", "label", "message"),
    [
        (False, 2.0, "only 0 and 1"),
        (False, -1.0, "only 0 and 1"),
        (False, 0.5, "only 0 and 1"),
        (True, 4.0, r"0\.\.3"),
        (True, -1.0, r"0\.\.3"),
        (True, 1.5, "integer"),
    ],
)
def test_bad_dmatrix_labels_are_the_public_errors(multiclass, label, message, backend) -> None:
    """XGBoost itself rejects NaN and infinite labels; labels outside the loss reach the kernel,
    which reports them before computing anything, and the error is the public API's."""
    _, loss, y, raw, _, data = _dmatrix(multiclass, False)
    bad = y.copy()
    bad[-1] = label  # in the last element: the kernel checks every row
    data.set_label(bad)
    with pytest.raises(ValueError, match=rf"\by\b.*{message}"):
        bfx.objective(loss)(raw, data)


@pytest.mark.parametrize("multiclass", [False, True], ids=["binary", "multiclass"])
@pytest.mark.parametrize(
    ("label", "weight", "message"),
    [
        (np.nan, 1.0, r"\by\b"),
        (np.inf, 1.0, r"\by\b"),
        (None, -1e-9, r"\bweight\b.*non-negative"),
        (None, np.nan, r"\bweight\b.*NaN"),
        (None, np.inf, r"\bweight\b.*infinite"),
    ],
    ids=["nan-label", "inf-label", "negative-weight", "nan-weight", "inf-weight"],
)
def test_kernels_check_unchecked_labels_and_weights(multiclass, label, weight, message) -> None:
    """What XGBoost's DMatrix already refuses, the kernels' first pass still catches (any row)."""
    pytest.importorskip("numba")
    from boostfocal import _fast, losses

    loss, y, raw, w = _data(multiclass)
    y, w = y.copy(), w.astype(np.float32)
    for row in (0, y.size - 1):
        yy, ww = y.copy(), w.copy()
        if label is not None:
            yy[row] = label
        ww[row] = weight
        old = losses._kernels._fast_module
        losses._kernels._fast_module = _fast
        try:
            labels = loss._unchecked_labels(yy, ww)
            with pytest.raises(ValueError, match=message):
                loss._grad_hess(labels, raw, out=losses._out_like(raw, np.float32))
        finally:
            losses._kernels._fast_module = old
