"""Dask support: initial score from a Dask collection, lazy probabilities, both engines on a real cluster.

Runs on ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` (real worker processes,
so everything shipped to the workers is pickled).  Each training partition is scattered to its own
worker, so both engines really train distributed (two machines talking over sockets), not on one
worker that happens to hold all the data.

Engine tolerance.  With integer-valued features (fewer distinct values than bins) both engines
bin identically on one machine and on two, and a shallow tree setting avoids LightGBM's
distributed leaf-count estimate; the *built-in* objectives then give Dask models equal to the
local ones to the last bit (measured: 0.0 for both engines, binary and multiclass).  Our objectives
are held to ``max(2 * that, 1e-8)`` (float64 LightGBM) or ``1e-5`` (float32 XGBoost margins), and
the measured figures are printed in the terminal summary.  With continuous features the engines
themselves differ between Dask and local (measured, 20 rounds: LightGBM built-in up to 1.8 in raw
score, XGBoost built-in up to 0.73; ours 0.25-0.54), so that setting cannot test our code.

Worker-death tests start their own cluster and kill a worker process on purpose; they take about
45 s more and are skipped unless ``BOOSTFOCAL_DASK_FAILURE_TESTS=1`` (they passed in 4 of 4 runs).

References: LightGBM Dask API, https://lightgbm.readthedocs.io/en/stable/Python-API.html#dask-api;
XGBoost Dask tutorial, https://xgboost.readthedocs.io/en/stable/tutorials/dask.html.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")

from dask.delayed import Delayed  # noqa: E402

import boostfocal as bf  # noqa: E402
from boostfocal import dask as bfd  # noqa: E402

N_ROWS = 6000
N_FEATURES = 5
K = 3
ROUNDS = 15
RUN_FAILURE_TESTS = os.environ.get("BOOSTFOCAL_DASK_FAILURE_TESTS") == "1"


def _engine(name: str) -> Any:
    """``lightgbm.dask`` / ``xgboost.dask`` (with the engine), skipping if the extra is missing."""
    if name == "lightgbm":
        pytest.importorskip("pyarrow")  # lightgbm.dask needs it through dask.dataframe
        pytest.importorskip("lightgbm")
        return pytest.importorskip("lightgbm.dask")
    pytest.importorskip("xgboost")
    return pytest.importorskip("xgboost.dask")


# --------------------------------------------------------------------------------------
# Cluster and data
# --------------------------------------------------------------------------------------


def _start_cluster() -> tuple[Any, Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=50
    )
    return cluster, distributed.Client(cluster)


@contextlib.contextmanager
def _this_module_pickled_by_value() -> Iterator[None]:
    """Ship this module's helpers (``_explode``, ``KillingObjective``, ...) to the workers by value."""
    if __name__ in cloudpickle.list_registry_pickle_by_value():
        yield
        return
    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)
    try:
        yield
    finally:
        cloudpickle.unregister_pickle_by_value(module)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A two-process cluster shared by the module."""
    with _this_module_pickled_by_value():
        cluster, cl = _start_cluster()
        try:
            yield cl
        finally:
            cl.close()
            cluster.close()


def _make_data(kind: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Imbalanced labels, integer features in 0..31, positive sample weights."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 32, size=(N_ROWS, N_FEATURES)).astype(np.float64)
    s = (X - 16.0) / 8.0
    if kind == "binary":
        z = s[:, 0] - 0.5 * s[:, 1] ** 2 + 0.5 * s[:, 2] - 2.0
        y = (rng.random(N_ROWS) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    else:
        z = 1.5 * s[:, :K] + np.array([0.0, -1.0, -2.0])
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        y = (p.cumsum(axis=1) > rng.random(N_ROWS)[:, None]).argmax(axis=1).astype(np.float64)
    w = rng.uniform(0.5, 2.0, size=N_ROWS)
    return X, y, w


def _placed(cl: Any, arr: np.ndarray, workers: list[str]) -> Any:
    """A Dask array with one row partition per worker, scattered there (distributed training for sure).

    ``hash=False``: scattered keys are otherwise content hashes, and the binary and multiclass data
    share ``X`` and ``w``; releasing one set would then take the other's partitions with it.
    """
    pieces = np.array_split(arr, len(workers))
    futures = [cl.scatter(piece, workers=[wk], hash=False) for piece, wk in zip(pieces, workers, strict=True)]
    return da.concatenate(
        [da.from_delayed(f, shape=p.shape, dtype=p.dtype) for f, p in zip(futures, pieces, strict=True)]
    )


class Data:
    """Local arrays and their Dask twins (same values, two partitions on two workers)."""

    def __init__(self, cl: Any, kind: str) -> None:
        self.kind = kind
        self.X, self.y, self.w = _make_data(kind)
        workers = sorted(cl.scheduler_info()["workers"])
        self.Xd, self.yd, self.wd = (_placed(cl, a, workers) for a in (self.X, self.y, self.w))

    def focal(self) -> bf.Loss:
        if self.kind == "binary":
            return bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
        return bf.MulticlassFocalLoss(K, alpha=(1.0, 2.0, 3.0), gamma=2.0)

    def balanced(self) -> bf.Loss:
        """gamma = 0 with class weights: equal to the built-in objective with weights ``w * alpha_y``."""
        if self.kind == "binary":
            return bf.BinaryBalancedCrossEntropy(alpha=0.3)
        return bf.MulticlassBalancedCrossEntropy(K, alpha=(1.0, 2.0, 0.5))


@pytest.fixture(scope="module", params=["binary", "multiclass"])
def data(request: pytest.FixtureRequest, client: Any) -> Data:
    return Data(client, request.param)


def _alpha_of_rows(loss: bf.Loss, y: np.ndarray) -> np.ndarray:
    if loss.is_multiclass:
        return np.asarray(loss.alpha)[y.astype(int)]
    return np.where(y == 1, loss.alpha, 1.0 - loss.alpha)


def _max_diff(a: Any, b: Any) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


# --------------------------------------------------------------------------------------
# Initial score and aligned margins
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_init_score_equals_core_on_the_gathered_data(client: Any, data: Data, weighted: bool) -> None:
    losses = [data.focal(), data.balanced()]
    losses.append(bf.BinaryFocalLoss(alpha=None, gamma=0.5) if data.kind == "binary" else bf.MulticlassFocalLoss(K))
    w, wd = (data.w, data.wd) if weighted else (None, None)
    for loss in losses:
        lazy = bfd.class_totals(loss, data.yd, wd)
        assert isinstance(lazy, Delayed)  # nothing computed yet
        k = max(loss.num_outputs, 2)
        expected_totals = np.bincount(data.y.astype(int), weights=w, minlength=k)
        np.testing.assert_allclose(lazy.compute(), expected_totals, rtol=1e-13)
        got = bfd.init_score(loss, data.yd, wd)
        np.testing.assert_allclose(got, loss.init_score(data.y, w), rtol=1e-12, atol=1e-13)
        # with an explicit client, and from numpy input (handled locally)
        np.testing.assert_allclose(bfd.init_score(loss, data.yd, wd, client=client), got, rtol=0, atol=0)
        np.testing.assert_allclose(bfd.init_score(loss, data.y, w), got, rtol=1e-12, atol=1e-13)


def test_init_score_from_dask_series_and_rechunked_weights(client: Any) -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    _, y, w = _make_data("multiclass", seed=3)
    loss = bf.MulticlassFocalLoss(K, gamma=1.5)
    ys = dd.from_pandas(pd.Series(y), npartitions=3)
    ws = dd.from_pandas(pd.Series(w), npartitions=3)
    np.testing.assert_allclose(bfd.init_score(loss, ys, ws), loss.init_score(y, w), rtol=1e-12, atol=1e-13)
    # a one-column DataFrame of labels works too
    np.testing.assert_allclose(bfd.init_score(loss, ys.to_frame()), loss.init_score(y), rtol=1e-12, atol=1e-13)
    # weights chunked differently from the labels are rechunked to match (arrays)
    yd = da.from_array(y, chunks=2000)
    wd = da.from_array(w, chunks=1500)
    np.testing.assert_allclose(bfd.init_score(loss, yd, wd), loss.init_score(y, w), rtol=1e-12, atol=1e-13)


def test_init_score_errors_are_clear(client: Any) -> None:
    y = np.r_[np.zeros(50), np.ones(50)]
    loss = bf.BinaryFocalLoss()
    only_zeros = da.zeros(100, chunks=50)
    with pytest.raises(ValueError, match=r"no .*samples of class"):
        bfd.init_score(loss, only_zeros)
    bad = da.from_array(np.r_[y[:-1], 2.0], chunks=50)  # invalid label in the second partition only
    with pytest.raises(ValueError, match="y"):
        bfd.init_score(loss, bad)
    with pytest.raises(ValueError, match="shape"):
        bfd.init_score(loss, da.from_array(y, chunks=50), da.ones(99, chunks=50))
    with pytest.raises(ValueError, match="sample_weight"):  # negative weight found on a worker
        bfd.init_score(loss, da.from_array(y, chunks=50), da.from_array(np.r_[np.ones(99), -1.0], chunks=50))
    with pytest.raises(TypeError, match="loss"):
        bfd.init_score("focal", da.from_array(y, chunks=50))
    with pytest.raises(ValueError, match="one-dimensional"):
        bfd.class_totals(loss, da.ones((100, 2), chunks=50))


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_constant_margin_is_aligned_with_x(kind: str) -> None:
    loss = bf.BinaryFocalLoss() if kind == "binary" else bf.MulticlassFocalLoss(K)
    value = -1.5 if kind == "binary" else np.array([-0.5, -1.0, -2.0])
    X = da.ones((1000, 4), chunks=((300, 700), (2, 2)))
    m = bfd.constant_margin(loss, value, X)
    expected_shape = (1000,) if kind == "binary" else (1000, K)
    assert m.shape == expected_shape
    assert m.chunks[0] == X.chunks[0]
    if kind == "multiclass":
        assert m.chunks[1] == (K,)
    np.testing.assert_array_equal(m.compute(), np.broadcast_to(value, expected_shape))
    # unknown chunk sizes (e.g. after boolean indexing) are followed block by block
    Xu = X[X[:, 0] > 0]
    mu = bfd.constant_margin(loss, value, Xu)
    assert np.isnan(mu.chunks[0][0])
    assert mu.compute().shape == expected_shape
    # a 1-D collection (y) works as the template too
    assert bfd.constant_margin(loss, value, da.ones(1000, chunks=300)).chunks[0] == (300, 300, 300, 100)
    with pytest.raises(ValueError, match="init_score must"):
        bfd.constant_margin(loss, np.zeros(K + 1) if kind == "multiclass" else np.zeros(2), X)
    with pytest.raises(TypeError, match="like"):
        bfd.constant_margin(loss, value, np.ones((3, 2)))


def test_constant_margin_for_dataframes() -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    pdf = pd.DataFrame(np.arange(20.0).reshape(10, 2), columns=["a", "b"], index=np.arange(100, 110))
    df = dd.from_pandas(pdf, npartitions=3)
    m = bfd.constant_margin(bf.BinaryFocalLoss(), 0.25, df)
    assert m.npartitions == df.npartitions and m.divisions == df.divisions
    out = m.compute()
    assert isinstance(out, pd.Series) and (out.index == pdf.index).all() and (out == 0.25).all()
    mm = bfd.constant_margin(bf.MulticlassFocalLoss(K), [1.0, 2.0, 3.0], df).compute()
    assert isinstance(mm, pd.DataFrame) and mm.shape == (10, K)
    np.testing.assert_array_equal(mm.to_numpy(), np.tile([1.0, 2.0, 3.0], (10, 1)))


# --------------------------------------------------------------------------------------
# LightGBM
# --------------------------------------------------------------------------------------

LGB_PARAMS = {
    "n_estimators": ROUNDS,
    "learning_rate": 0.2,
    "num_leaves": 4,
    "min_child_samples": 20,
    "deterministic": True,
    "seed": 7,
    "verbose": -1,
}


def _lgb_fit_both(client: Any, data: Data, objective: Any, init_value: Any, loss: bf.Loss, weight: Any = None):
    """The same model trained locally and on Dask; returns (local raw, dask raw, dask model)."""
    lgb = pytest.importorskip("lightgbm")
    lgbd = _engine("lightgbm")
    w, wd = (data.w, data.wd) if weight is None else weight
    from boostfocal._adapter import constant_margin as local_margin

    local = lgb.LGBMClassifier(objective=objective, **LGB_PARAMS)
    local.fit(data.X, data.y, sample_weight=w, init_score=local_margin(loss, init_value, N_ROWS))
    dmodel = lgbd.DaskLGBMClassifier(client=client, objective=objective, **LGB_PARAMS)
    dmodel.fit(data.Xd, data.yd, sample_weight=wd, init_score=bfd.constant_margin(loss, init_value, data.Xd))
    raw_local = local.booster_.predict(data.X, raw_score=True)
    raw_dask = dmodel.booster_.predict(data.X, raw_score=True)
    return raw_local, raw_dask, dmodel


def test_lightgbm_dask_equals_local(client: Any, data: Data, record_error: Any) -> None:
    from boostfocal import lightgbm as bfl

    loss = data.focal()
    z0 = bfd.init_score(loss, data.yd, data.wd)
    builtin = "binary" if data.kind == "binary" else "multiclass"
    rl, rd, _ = _lgb_fit_both(client, data, builtin, z0, loss)
    engine_tol = _max_diff(rl, rd)
    record_error(f"dask lightgbm {data.kind}: built-in objective max|raw dask - local|", engine_tol)
    rl, rd, dmodel = _lgb_fit_both(client, data, bfl.objective(loss), z0, loss)
    ours = _max_diff(rl, rd)
    record_error(f"dask lightgbm {data.kind}: focal objective max|raw dask - local|", ours)
    assert ours <= max(2.0 * engine_tol, 1e-8)
    assert np.ptp(rd) > 0.1  # the trees did learn something

    # the lazy helper: raw scores + init score -> posterior, equal to the core helper on the same booster
    proba = bfd.predict_proba(dmodel, data.Xd, loss, init_score=z0)
    assert isinstance(proba, da.Array) and proba.chunks[0] == data.Xd.chunks[0]
    expected = bfl.predict_proba(dmodel.booster_, data.X, loss, init_score=z0)
    np.testing.assert_allclose(proba.compute(), expected, rtol=0, atol=1e-15)
    local_proba = loss.posterior(rl + np.asarray(z0))
    local_proba = np.column_stack([1 - local_proba, local_proba]) if not loss.is_multiclass else local_proba
    assert _max_diff(proba.compute(), local_proba) <= max(2.0 * engine_tol, 1e-8)
    raw = bfd.predict_raw(dmodel, data.Xd, loss, init_score=z0).compute()
    np.testing.assert_allclose(raw, rd + np.asarray(z0), rtol=0, atol=1e-15)
    # LightGBM's own predict_proba returns raw scores without the init score here (engine behaviour)
    with pytest.warns(UserWarning, match="raw scores"):
        own = dmodel.predict_proba(data.Xd).compute()
    np.testing.assert_allclose(own, rd, rtol=0, atol=1e-12)


def test_lightgbm_dask_gamma0_equals_builtin(client: Any, data: Data, record_error: Any) -> None:
    from boostfocal import lightgbm as bfl

    loss = data.balanced()
    z0 = bfd.init_score(loss, data.yd, data.wd)
    a = _alpha_of_rows(loss, data.y)
    folded = (data.w * a, data.wd * da.from_array(a, chunks=data.wd.chunks))
    builtin = "binary" if data.kind == "binary" else "multiclass"
    _, rd_builtin, _ = _lgb_fit_both(client, data, builtin, z0, loss, weight=folded)
    _, rd_ours, _ = _lgb_fit_both(client, data, bfl.objective(loss), z0, loss)
    diff = _max_diff(rd_builtin, rd_ours)
    record_error(f"dask lightgbm {data.kind}: gamma=0 ours vs built-in on Dask, max|raw|", diff)
    # float64 throughout; w * alpha (built-in) and alpha * w (ours) round differently in the last bit
    assert diff <= 1e-7


# --------------------------------------------------------------------------------------
# XGBoost
# --------------------------------------------------------------------------------------

XGB_PARAMS = {"tree_method": "hist", "max_depth": 3, "eta": 0.2, "seed": 7}


def _xgb_params(loss: bf.Loss, builtin: bool) -> dict[str, Any]:
    params = dict(XGB_PARAMS)
    if loss.is_multiclass:
        params["num_class"] = loss.num_outputs
    if builtin:
        params["objective"] = "multi:softprob" if loss.is_multiclass else "binary:logistic"
    else:
        params["disable_default_eval_metric"] = True
    return params


def _xgb_train_both(client: Any, data: Data, loss: bf.Loss, init_value: Any, builtin: bool, weight: Any = None):
    """``xgb.train`` and ``xgboost.dask.train`` on the same data; returns (local raw, dask raw, dask output)."""
    xgb = pytest.importorskip("xgboost")
    xgbd = _engine("xgboost")
    from boostfocal import xgboost as bfx
    from boostfocal._adapter import constant_margin as local_margin

    w, wd = (data.w, data.wd) if weight is None else weight
    params = _xgb_params(loss, builtin)
    kwargs = {} if builtin else {"obj": bfx.objective(loss), "custom_metric": bfx.metric(loss)}
    margin = local_margin(loss, init_value, N_ROWS)
    dlocal = xgb.DMatrix(data.X, label=data.y, weight=w, base_margin=margin)
    local = xgb.train(params, dlocal, ROUNDS, **kwargs)
    dtrain = xgbd.DaskDMatrix(
        client, data.Xd, data.yd, weight=wd, base_margin=bfd.constant_margin(loss, init_value, data.Xd)
    )
    out = xgbd.train(client, params, dtrain, ROUNDS, evals=[(dtrain, "train")], verbose_eval=False, **kwargs)
    dpred = xgb.DMatrix(data.X, base_margin=margin)
    return local.predict(dpred, output_margin=True), out["booster"].predict(dpred, output_margin=True), out


def test_xgboost_dask_train_equals_local(client: Any, data: Data, record_error: Any) -> None:
    from boostfocal import xgboost as bfx

    loss = data.focal()
    z0 = bfd.init_score(loss, data.yd, data.wd)
    rl, rd, _ = _xgb_train_both(client, data, loss, z0, builtin=True)
    engine_tol = _max_diff(rl, rd)
    record_error(f"dask xgboost {data.kind}: built-in objective max|margin dask - local|", engine_tol)
    rl, rd, out = _xgb_train_both(client, data, loss, z0, builtin=False)
    ours = _max_diff(rl, rd)
    record_error(f"dask xgboost {data.kind}: focal objective max|margin dask - local|", ours)
    assert ours <= max(2.0 * engine_tol, 1e-5)
    assert np.ptp(rd) > 0.1
    history = out["history"]["train"][loss.name]
    assert len(history) == ROUNDS and history[-1] < history[0]

    proba = bfd.predict_proba(out, data.Xd, loss, init_score=z0)
    assert isinstance(proba, da.Array)
    expected = bfx.predict_proba(out["booster"], data.X, loss, init_score=z0)
    np.testing.assert_allclose(proba.compute(), expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        bfd.predict_raw(out["booster"], data.Xd, loss, init_score=z0).compute(), rd, rtol=0, atol=1e-6
    )


def test_xgboost_dask_gamma0_equals_builtin(client: Any, data: Data, record_error: Any) -> None:
    loss = data.balanced()
    z0 = bfd.init_score(loss, data.yd, data.wd)
    a = _alpha_of_rows(loss, data.y)
    folded = (data.w * a, data.wd * da.from_array(a, chunks=data.wd.chunks))
    _, rd_builtin, _ = _xgb_train_both(client, data, loss, z0, builtin=True, weight=folded)
    _, rd_ours, _ = _xgb_train_both(client, data, loss, z0, builtin=False)
    diff = _max_diff(rd_builtin, rd_ours)
    record_error(f"dask xgboost {data.kind}: gamma=0 ours vs built-in on Dask, max|margin|", diff)
    assert diff <= 1e-5  # float32 margins in XGBoost


def test_dask_xgb_classifier_with_our_objective(client: Any, data: Data, record_error: Any) -> None:
    xgb = pytest.importorskip("xgboost")
    xgbd = _engine("xgboost")
    from boostfocal import xgboost as bfx
    from boostfocal._adapter import constant_margin as local_margin

    loss = data.focal()
    z0 = bfd.init_score(loss, data.yd, data.wd)
    kwargs = {"n_estimators": ROUNDS, "max_depth": 3, "learning_rate": 0.2, "tree_method": "hist", "random_state": 7}
    local = xgb.XGBClassifier(objective=bfx.objective(loss), eval_metric=bfx.metric(loss), **kwargs)
    local.fit(data.X, data.y, sample_weight=data.w, base_margin=local_margin(loss, z0, N_ROWS))
    margin_d = bfd.constant_margin(loss, z0, data.Xd)
    model = xgbd.DaskXGBClassifier(objective=bfx.objective(loss), eval_metric=bfx.metric(loss), **kwargs)
    model.client = client
    model.fit(
        data.Xd,
        data.yd,
        sample_weight=data.wd,
        base_margin=margin_d,
        eval_set=[(data.Xd, data.yd)],
        sample_weight_eval_set=[data.wd],
        base_margin_eval_set=[margin_d],
        verbose=False,
    )
    assert len(model.evals_result()["validation_0"][loss.name]) == ROUNDS
    expected = bfx.predict_proba(local.get_booster(), data.X, loss, init_score=z0)
    got = bfd.predict_proba(model, data.Xd, loss, init_score=z0).compute()
    diff = _max_diff(got, expected)
    record_error(f"dask xgboost {data.kind}: DaskXGBClassifier vs XGBClassifier, max|posterior|", diff)
    assert diff <= 1e-5


def test_xgboost_metric_is_the_global_weighted_mean(client: Any, record_error: Any) -> None:
    """Partitions of 1 000 and 5 000 rows: XGBoost averages per-worker means, ours all-reduces sums."""
    xgb = pytest.importorskip("xgboost")
    xgbd = _engine("xgboost")
    from boostfocal import xgboost as bfx

    X, y, w = _make_data("binary", seed=2)
    workers = sorted(client.scheduler_info()["workers"])
    cut = 1000

    def uneven(a: np.ndarray) -> Any:
        pieces = [a[:cut], a[cut:]]
        futures = [client.scatter(p, workers=[wk], hash=False) for p, wk in zip(pieces, workers, strict=True)]
        return da.concatenate(
            [da.from_delayed(f, shape=p.shape, dtype=p.dtype) for f, p in zip(futures, pieces, strict=True)]
        )

    Xd, yd, wd = uneven(X), uneven(y), uneven(w)
    loss = bf.BinaryFocalLoss()
    z0 = bfd.init_score(loss, yd, wd)
    dtrain = xgbd.DaskDMatrix(client, Xd, yd, weight=wd, base_margin=bfd.constant_margin(loss, z0, Xd))
    params = _xgb_params(loss, builtin=False)
    histories = {}
    for name, metric in (("global", bfd.xgboost_metric(loss)), ("per-worker", bfx.metric(loss))):
        out = xgbd.train(
            client, params, dtrain, 5, obj=bfx.objective(loss), custom_metric=metric, evals=[(dtrain, "train")]
        )
        histories[name] = out["history"]["train"][loss.name][-1]
    raw = out["booster"].predict(xgb.DMatrix(X, base_margin=np.full(N_ROWS, z0)), output_margin=True)
    per_row = loss.loss(y, raw)
    exact = float(np.dot(per_row, w) / w.sum())
    mean_of_means = 0.5 * (
        np.dot(per_row[:cut], w[:cut]) / w[:cut].sum() + np.dot(per_row[cut:], w[cut:]) / w[cut:].sum()
    )
    record_error(
        "dask xgboost: xgboost_metric relative error vs global weighted mean", abs(histories["global"] / exact - 1)
    )
    record_error(
        "dask xgboost: bfx.metric relative error vs global weighted mean", abs(histories["per-worker"] / exact - 1)
    )
    # XGBoost writes a custom metric into its history through "%f" (6 decimals): 0.027129 here
    assert histories["global"] == pytest.approx(exact, rel=1e-4)
    assert histories["per-worker"] == pytest.approx(mean_of_means, rel=1e-4)  # the engine's averaging
    assert abs(histories["per-worker"] / exact - 1) > 2e-3  # which is not the global value here
    # outside a cluster it is the ordinary metric, in both call conventions
    dm = xgb.DMatrix(X, label=y, weight=w)
    metric = bfd.xgboost_metric(loss)
    assert metric(raw, dm) == (loss.name, pytest.approx(bfx.metric(loss)(raw, dm)[1], rel=1e-12))
    assert metric(y, raw, sample_weight=w) == pytest.approx(exact, rel=1e-12)
    assert metric.__name__ == loss.name and pickle.loads(pickle.dumps(metric)) == metric


# --------------------------------------------------------------------------------------
# Prediction helpers
# --------------------------------------------------------------------------------------


def _explode(block: np.ndarray) -> np.ndarray:
    raise RuntimeError("this block was computed")


@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_predict_proba_is_lazy_and_checks_eagerly(client: Any, engine: str) -> None:
    X, y, _ = _make_data("binary", seed=5)
    loss = bf.BinaryFocalLoss()
    z0 = loss.init_score(y)
    if engine == "lightgbm":
        lgb = pytest.importorskip("lightgbm")
        from boostfocal import lightgbm as bfl

        booster = lgb.train({"objective": bfl.objective(loss), "verbose": -1}, bfl.dataset(X, y, loss), 3)
    else:
        xgb = pytest.importorskip("xgboost")
        from boostfocal import xgboost as bfx

        booster = xgb.train({"max_depth": 2}, bfx.dmatrix(X, y, loss), 3, obj=bfx.objective(loss))
    X_bad = da.from_array(X, chunks=(2000, N_FEATURES)).map_blocks(_explode, dtype=np.float64, meta=np.empty((0, 0)))
    proba = bfd.predict_proba(booster, X_bad, loss, init_score=z0)  # builds the graph only
    assert proba.shape == (N_ROWS, 2) and proba.chunks[0] == (2000, 2000, 2000)
    with pytest.raises(RuntimeError, match="this block was computed"):
        proba.compute()
    raw = bfd.predict_raw(booster, X_bad, loss, init_score=z0)
    assert raw.shape == (N_ROWS,)
    # mismatches are reported before anything is computed
    with pytest.raises(ValueError, match="expects 3"):
        bfd.predict_proba(booster, X_bad, bf.MulticlassFocalLoss(3), init_score=np.zeros(3))
    with pytest.raises(TypeError, match="init_score is required"):
        bfd.predict_proba(booster, X_bad, loss)
    with pytest.raises(ValueError, match="method"):
        bfd.predict_proba(booster, X_bad, loss, init_score=z0, method="sigmoid")
    with pytest.raises(TypeError, match="model must be"):
        bfd.predict_proba(object(), X_bad, loss, init_score=z0)
    with pytest.raises(TypeError, match="X must be"):
        bfd.predict_proba(booster, X, loss, init_score=z0)
    # link vs posterior on real data, chunks spanning several column blocks
    Xd = da.from_array(X, chunks=(2500, 2))
    link = bfd.predict_proba(booster, Xd, loss, init_score=z0, method="link").compute()
    post = bfd.predict_proba(booster, Xd, loss, init_score=z0).compute()
    raw_np = bfd.predict_raw(booster, Xd, loss, init_score=z0).compute()
    np.testing.assert_allclose(link[:, 1], bf.sigmoid(raw_np), rtol=1e-14)
    np.testing.assert_allclose(post[:, 1], loss.posterior(raw_np), rtol=1e-14)


@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_train_and_predict_on_dask_dataframes(client: Any, engine: str) -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, y, w = _make_data("multiclass", seed=11)
    loss = bf.MulticlassFocalLoss(K, gamma=1.0)
    pdf = pd.DataFrame(X, columns=[f"f{i}" for i in range(N_FEATURES)])
    df = dd.from_pandas(pdf, npartitions=2)
    ys = dd.from_pandas(pd.Series(y), npartitions=2)
    ws = dd.from_pandas(pd.Series(w), npartitions=2)
    z0 = bfd.init_score(loss, ys, ws)
    margin = bfd.constant_margin(loss, z0, df)
    if engine == "lightgbm":
        lgbd = _engine("lightgbm")
        from boostfocal import lightgbm as bfl

        model = lgbd.DaskLGBMClassifier(client=client, objective=bfl.objective(loss), **LGB_PARAMS)
        model.fit(df, ys, sample_weight=ws, init_score=margin)
        expected = bfl.predict_proba(model.booster_, pdf, loss, init_score=z0)
    else:
        xgbd = _engine("xgboost")
        from boostfocal import xgboost as bfx

        dtrain = xgbd.DaskDMatrix(client, df, ys, weight=ws, base_margin=margin)
        model = xgbd.train(client, _xgb_params(loss, False), dtrain, ROUNDS, obj=bfx.objective(loss))
        expected = bfx.predict_proba(model["booster"], pdf, loss, init_score=z0)
    proba = bfd.predict_proba(model, df, loss, init_score=z0)
    assert isinstance(proba, da.Array)
    got = proba.compute()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-12)


# --------------------------------------------------------------------------------------
# Multilabel: a 2-D 0/1 Y (init score, margins, both engines)
# --------------------------------------------------------------------------------------

N_LABELS = 3
ML_ROWS = 2000


class MultilabelData:
    """Integer features, three labels (rates about 35, 20 and 8 %), weights; local and on two workers."""

    def __init__(self, cl: Any) -> None:
        rng = np.random.default_rng(11)
        self.X = rng.integers(0, 32, size=(ML_ROWS, N_FEATURES)).astype(np.float64)
        s = (self.X - 16.0) / 8.0
        z = s[:, :N_LABELS] + 0.5 * s[:, [3]] - np.array([0.5, 1.2, 2.2])
        self.Y = (rng.random((ML_ROWS, N_LABELS)) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
        self.w = rng.uniform(0.5, 2.0, size=ML_ROWS)
        workers = sorted(cl.scheduler_info()["workers"])
        self.Xd, self.Yd, self.wd = (_placed(cl, a, workers) for a in (self.X, self.Y, self.w))
        self.loss = bf.MultilabelFocalLoss(N_LABELS, alpha=(0.3, 0.6, 0.8), gamma=2.0)


@pytest.fixture(scope="module")
def ml_data(client: Any) -> MultilabelData:
    return MultilabelData(client)


def test_multilabel_init_score_and_constant_margin(client: Any, ml_data: MultilabelData) -> None:
    """Per-label weight totals ``(L, 2)`` on the cluster; the initial score equals the core's on the
    gathered labels, from a Dask array or DataFrame; the margin is ``(n, L)``, aligned with X."""
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    d, loss = ml_data, ml_data.loss
    totals = bfd.class_totals(loss, d.Yd, d.wd).compute()
    np.testing.assert_allclose(totals[:, 1], d.w @ d.Y, rtol=1e-13)
    np.testing.assert_allclose(totals[:, 0], d.w @ (1.0 - d.Y), rtol=1e-13)
    for w, wd in ((None, None), (d.w, d.wd)):
        z0 = bfd.init_score(loss, d.Yd, wd)
        assert z0.shape == (N_LABELS,)
        np.testing.assert_allclose(z0, loss.init_score(d.Y, w), rtol=1e-12, atol=1e-13)
    frame = dd.from_pandas(pd.DataFrame(d.Y, columns=list("abc")), npartitions=3)
    np.testing.assert_allclose(bfd.init_score(loss, frame), loss.init_score(d.Y), rtol=1e-12, atol=1e-13)
    z0 = bfd.init_score(loss, d.Yd, d.wd)
    m = bfd.constant_margin(loss, z0, d.Xd)
    assert m.shape == (ML_ROWS, N_LABELS) and m.chunks[0] == d.Xd.chunks[0]
    np.testing.assert_array_equal(m.compute(), np.tile(z0, (ML_ROWS, 1)))
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        bfd.class_totals(loss, d.Yd[:, :2])
    no_positives = d.Y.copy()
    no_positives[:, 1] = 0.0
    with pytest.raises(ValueError, match="class"):
        bfd.init_score(loss, da.from_array(no_positives, chunks=(700, N_LABELS)))
    with pytest.raises(ValueError, match="init_score must"):
        bfd.constant_margin(loss, z0[:2], d.Xd)


def test_xgboost_dask_multilabel_train_and_predict(client: Any, ml_data: MultilabelData, record_error: Any) -> None:
    """``xgboost.dask.train`` on a 2-D label (one tree per label and round) equals ``xgb.train``;
    ``predict_proba`` gives each label's posterior; the metric is the global mean over rows and labels."""
    xgb = pytest.importorskip("xgboost")
    xgbd = _engine("xgboost")
    from boostfocal import xgboost as bfx

    if not bfx.VECTOR_INTERCEPT:
        pytest.skip("multilabel XGBoost models need XGBoost >= 3.1")
    d, loss = ml_data, ml_data.loss
    z0 = bfd.init_score(loss, d.Yd, d.wd)
    params = {**XGB_PARAMS, "disable_default_eval_metric": True}
    kwargs = {"obj": bfx.objective(loss), "custom_metric": bfd.xgboost_metric(loss)}
    margin = np.tile(z0, (ML_ROWS, 1))
    local = xgb.train(params, xgb.DMatrix(d.X, label=d.Y, weight=d.w, base_margin=margin), ROUNDS, **kwargs)
    dtrain = xgbd.DaskDMatrix(client, d.Xd, d.Yd, weight=d.wd, base_margin=bfd.constant_margin(loss, z0, d.Xd))
    out = xgbd.train(client, params, dtrain, ROUNDS, evals=[(dtrain, "train")], verbose_eval=False, **kwargs)
    raw_local = bfx.predict_raw(local, d.X, loss=loss, init_score=z0)
    raw = bfd.predict_raw(out, d.Xd, loss, init_score=z0).compute()
    assert raw.shape == (ML_ROWS, N_LABELS) and np.ptp(raw) > 0.1
    diff = _max_diff(raw, raw_local)
    record_error("dask xgboost multilabel: focal objective max|margin dask - local|", diff)
    assert diff <= 1e-5
    proba = bfd.predict_proba(out, d.Xd, loss, init_score=z0).compute()
    np.testing.assert_allclose(proba, loss.posterior(raw), rtol=0, atol=1e-15)
    history = out["history"]["train"][loss.name]
    assert abs(history[-1] - loss.mean_loss(d.Y, raw, d.w)) < 2e-6  # XGBoost prints 6 decimals


def test_lightgbm_dask_multilabel_one_model_per_label(client: Any, ml_data: MultilabelData) -> None:
    """LightGBM has no multi-output trees: one ``DaskLGBMClassifier`` per label (its binary loss
    and initial score), combined in a ``MultilabelBooster``; ``predict_proba`` on Dask equals its
    local one.  A single LightGBM model with a multilabel loss is refused by name."""
    lgbd = _engine("lightgbm")
    from boostfocal import lightgbm as bfl

    d, loss = ml_data, ml_data.loss
    z0 = bfd.init_score(loss, d.Yd, d.wd)
    boosters = []
    for label in range(N_LABELS):
        binary = loss.binary_loss(label)
        model = lgbd.DaskLGBMClassifier(client=client, objective=bfl.objective(binary), **LGB_PARAMS)
        model.fit(d.Xd, d.Yd[:, label], sample_weight=d.wd, init_score=bfd.constant_margin(binary, z0[label], d.Xd))
        boosters.append(bfl.embed_init_score(model.booster_, binary, z0[label]))
    multilabel = bfl.MultilabelBooster(boosters, loss)
    proba = bfd.predict_proba(multilabel, d.Xd, loss)
    assert isinstance(proba, da.Array) and proba.shape == (ML_ROWS, N_LABELS)
    np.testing.assert_allclose(proba.compute(), multilabel.predict_proba(d.X), rtol=0, atol=1e-15)
    assert np.ptp(multilabel.predict_raw(d.X)) > 0.1
    with pytest.raises(ValueError, match="one model per label"):
        bfd.predict_proba(model, d.Xd, loss, init_score=z0)
    with pytest.raises(ValueError, match="init_score"):
        bfd.predict_proba(multilabel, d.Xd, loss, init_score=z0 + 1.0)


@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_multilabel_estimators_predict_on_dask(client: Any, ml_data: MultilabelData, engine: str) -> None:
    """A multilabel ``FocalLGBMClassifier`` / ``FocalXGBClassifier`` fitted locally scores a Dask
    collection: ``predict_proba`` equals the estimator's."""
    _engine(engine)
    d = ml_data
    if engine == "lightgbm":
        from boostfocal.lightgbm import FocalLGBMClassifier

        est = FocalLGBMClassifier(n_estimators=ROUNDS, num_leaves=4, verbose=-1, n_jobs=1)
    else:
        from boostfocal import xgboost as bfx

        if not bfx.VECTOR_INTERCEPT:
            pytest.skip("multilabel XGBoost models need XGBoost >= 3.1")
        est = bfx.FocalXGBClassifier(n_estimators=ROUNDS, max_depth=2, n_jobs=1)
    est.fit(d.X, d.Y.astype(int))
    got = bfd.predict_proba(est, d.Xd, est.loss_).compute()
    np.testing.assert_allclose(got, est.predict_proba(d.X), rtol=0, atol=1e-12)


# --------------------------------------------------------------------------------------
# Packaging: the core never imports dask; everything shipped pickles
# --------------------------------------------------------------------------------------


def test_core_package_does_not_import_dask() -> None:
    code = (
        "import sys, boostfocal, boostfocal.losses\n"
        "import importlib.util\n"
        "for m in ('boostfocal.lightgbm', 'boostfocal.xgboost'):\n"
        "    if importlib.util.find_spec(m.split('.')[1]) is not None:\n"
        "        __import__(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed') or m == 'boostfocal.dask')\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    importing_dask = re.compile(
        r"^\s*(import|from)\s+(dask|distributed|\.dask|boostfocal\.dask)\b|['\"]\.?dask['\"]", re.M
    )
    for path in Path(bf.__file__).parent.glob("*.py"):  # the top-level modules (boostfocal.dask is a package)
        assert not importing_dask.search(path.read_text(encoding="utf-8")), path.name


def test_shipped_objects_pickle() -> None:
    loss = bf.MulticlassFocalLoss(K, alpha=(1.0, 2.0, 3.0))
    assert pickle.loads(cloudpickle.dumps(loss)) == loss
    y = da.from_array(np.array([0, 1, 2, 2, 1, 0, 2, 2, 1, 0]), chunks=5)
    totals = bfd.class_totals(loss, y, da.from_array(np.arange(1.0, 11.0), chunks=5))
    shipped = pickle.loads(cloudpickle.dumps(totals))
    np.testing.assert_array_equal(shipped.compute(), totals.compute())
    np.testing.assert_array_equal(totals.compute(), [1 + 6 + 10, 2 + 5 + 9, 3 + 4 + 7 + 8])
    for name in ("lightgbm", "xgboost"):
        pytest.importorskip(name)
        module = __import__(f"boostfocal.{name}", fromlist=["objective"])
        for factory in (module.objective, module.metric):
            obj = factory(loss)
            assert pickle.loads(pickle.dumps(obj)) == obj


# --------------------------------------------------------------------------------------
# A worker process that dies (skipped by default: kills processes, ~25 s)
# --------------------------------------------------------------------------------------


class KillingObjective:
    """Wraps an objective; the first worker process to reach call ``after`` exits at once (``os._exit``).

    A marker file created with ``O_EXCL`` makes sure only one process dies.
    """

    def __init__(self, inner: Any, after: int, marker: str) -> None:
        self.inner, self.after, self.marker, self.calls = inner, after, marker, 0

    def __call__(self, a: Any, b: Any, sample_weight: Any = None) -> Any:
        self.calls += 1
        if self.calls == self.after and _claim(self.marker):
            os._exit(1)
        return self.inner(a, b, sample_weight)


def _claim(marker: str) -> bool:
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _die_once(block: np.ndarray, marker: str) -> np.ndarray:
    if _claim(marker):
        os._exit(1)
    return block


def _run_with_timeout(fn: Any, seconds: float) -> tuple[str, Any, float]:
    """Run ``fn`` in a thread: ("ok", result) / ("raised", exception) / ("hung", None), and the seconds."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["ok"] = fn()
        except BaseException as exc:  # reported to the test
            box["raised"] = exc

    start = time.perf_counter()
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    elapsed = time.perf_counter() - start
    if thread.is_alive():
        return "hung", None, elapsed
    kind = "ok" if "ok" in box else "raised"
    return kind, box[kind], elapsed


@pytest.fixture
def fragile_client() -> Iterator[Any]:
    """A separate two-process cluster for tests that kill a worker.

    ``no-workers-timeout`` turns a task pinned to a dead worker (LightGBM pins each training task to
    one worker address) into an error instead of an endless wait.
    """
    with _this_module_pickled_by_value():
        with dask.config.set({"distributed.scheduler.no-workers-timeout": "20s"}):
            cluster, cl = _start_cluster()
        try:
            yield cl
        finally:
            cl.close()
            cluster.close()


def _recomputable(kind: str = "binary") -> tuple[Any, Any, Any, np.ndarray, np.ndarray]:
    X, y, w = _make_data(kind)
    return (
        da.from_array(X, chunks=(N_ROWS // 2, N_FEATURES)),
        da.from_array(y, chunks=N_ROWS // 2),
        da.from_array(w, chunks=N_ROWS // 2),
        y,
        w,
    )


@pytest.mark.skipif(not RUN_FAILURE_TESTS, reason="kills worker processes; set BOOSTFOCAL_DASK_FAILURE_TESTS=1")
def test_worker_death_during_init_score_and_predict_is_recovered(fragile_client: Any) -> None:
    """Our own computations are ordinary Dask tasks: a dead worker's partition is recomputed elsewhere."""
    Xd, yd, wd, y, w = _recomputable()
    loss = bf.BinaryFocalLoss()
    marker = tempfile.mktemp(prefix="boostfocal-die-")
    y_dying = yd.map_blocks(_die_once, marker, dtype=yd.dtype, meta=np.empty(0))
    kind, value, _ = _run_with_timeout(lambda: bfd.init_score(loss, y_dying, wd), 60)
    assert kind == "ok", (kind, value)
    assert os.path.exists(marker)  # a worker really died
    np.testing.assert_allclose(value, loss.init_score(y, w), rtol=1e-12)

    xgb = pytest.importorskip("xgboost")
    from boostfocal import xgboost as bfx

    X = Xd.compute()
    booster = xgb.train({"max_depth": 2}, bfx.dmatrix(X, y, loss), 3, obj=bfx.objective(loss))
    marker = tempfile.mktemp(prefix="boostfocal-die-")
    X_dying = Xd.map_blocks(_die_once, marker, dtype=Xd.dtype, meta=np.empty((0, 0)))
    proba = bfd.predict_proba(booster, X_dying, loss, init_score=value)
    kind, got, _ = _run_with_timeout(proba.compute, 60)
    assert kind == "ok", (kind, got)
    assert os.path.exists(marker)
    np.testing.assert_allclose(got, bfx.predict_proba(booster, X, loss, init_score=value), rtol=0, atol=1e-15)


@pytest.mark.skipif(not RUN_FAILURE_TESTS, reason="kills worker processes; set BOOSTFOCAL_DASK_FAILURE_TESTS=1")
@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_worker_death_mid_training_raises_promptly(fragile_client: Any, engine: str) -> None:
    """One worker exits at its 5th objective call.  Measured: the surviving worker's collective call
    fails (LightGBM ``Socket recv error``; XGBoost ``Ring Allreduce failed``) and the client gets that
    error within about 2-6 s; the nanny restarts the dead worker and the cluster stays usable."""
    Xd, yd, wd, _, _ = _recomputable()
    loss = bf.BinaryFocalLoss()
    z0 = bfd.init_score(loss, yd, wd)
    marker = tempfile.mktemp(prefix="boostfocal-kill-")
    if engine == "lightgbm":
        lgbd = _engine("lightgbm")
        from boostfocal import lightgbm as bfl

        model = lgbd.DaskLGBMClassifier(
            client=fragile_client, objective=KillingObjective(bfl.objective(loss), 5, marker), **LGB_PARAMS
        )

        def fit() -> Any:
            return model.fit(Xd, yd, sample_weight=wd, init_score=bfd.constant_margin(loss, z0, Xd))
    else:
        xgbd = _engine("xgboost")
        from boostfocal import xgboost as bfx

        def fit() -> Any:
            dtrain = xgbd.DaskDMatrix(fragile_client, Xd, yd, weight=wd, base_margin=bfd.constant_margin(loss, z0, Xd))
            obj = KillingObjective(bfx.objective(loss), 5, marker)
            return xgbd.train(fragile_client, _xgb_params(loss, False), dtrain, ROUNDS, obj=obj)

    kind, value, elapsed = _run_with_timeout(fit, 90)
    assert os.path.exists(marker)  # a worker really died
    assert kind == "raised", f"training {kind} after {elapsed:.1f}s: {value!r}"
    assert isinstance(value, Exception) and elapsed < 60
    print(f"\n{engine}: worker died; fit raised after {elapsed:.1f}s: {type(value).__name__}: {str(value)[:160]}")
    # the cluster is still usable afterwards (on the surviving worker, then the restarted one)
    kind, value, _ = _run_with_timeout(lambda: bfd.init_score(loss, yd, wd), 60)
    assert kind == "ok" and np.isclose(value, z0)
