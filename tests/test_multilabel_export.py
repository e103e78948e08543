"""Multilabel models outside ``fit``/``predict``: SHAP and ONNX on both engines.

* SHAP: ``shap.TreeExplainer`` on the multilabel estimators; ``base_values + values.sum`` equals
  ``predict_raw`` (each label's margin, initial score included).  LightGBM's model is one booster
  per label (:class:`boostfocal.lightgbm.MultilabelBooster`); XGBoost's one model with one tree
  per label and round (XGBoost has no contributions for vector-leaf trees).
* ONNX: ``bf.to_onnx`` on the estimators (LightGBM; XGBoost with either ``multi_strategy``), a
  bare ``MultilabelBooster`` and a bare XGBoost booster; ``"probabilities"`` equals
  ``predict_proba`` (per label) within float32 rounding (1e-5), ``"label"`` equals ``predict``;
  and the probability part alone equals ``loss.posterior`` for margins to +-50.

Multilabel XGBoost models need XGBoost >= 3.1 (a vector intercept).
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any

import numpy as np
import pytest

import boostfocal as bf

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxmltools")
lgb = pytest.importorskip("lightgbm")
xgb = pytest.importorskip("xgboost")

from boostfocal import lightgbm as bfl  # noqa: E402
from boostfocal import xgboost as bfx  # noqa: E402
from boostfocal.export import _probability_model  # noqa: E402

needs_vector_intercept = pytest.mark.skipif(
    not bfx.VECTOR_INTERCEPT, reason=f"multilabel XGBoost models need XGBoost >= 3.1; installed {xgb.__version__}"
)
CASES = [
    ("lightgbm", None),
    pytest.param("xgboost", "one_output_per_tree", marks=needs_vector_intercept),
    pytest.param("xgboost", "multi_output_tree", marks=needs_vector_intercept),
]
TOL = 1e-5  # float32 graph against float64 predict_proba
SHAP_TOL = 1e-5  # XGBoost holds its model in float32
N_LABELS = 3


def _session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def _run(model, X):
    return _session(model).run(["label", "probabilities"], {"X": np.asarray(X, dtype=np.float32)})


@cache
def _table(n: int = 1200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Float32-valued features with NaN in column 2; three labels with rates from about 10 to 40 %."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5)).astype(np.float32).astype(np.float64)
    X[rng.random(n) < 0.1, 2] = np.nan
    z = X[:, :N_LABELS] * [1.0, -0.8, 0.6] + 0.5 * X[:, [3]] + rng.normal(scale=0.7, size=(n, N_LABELS))
    Y = (np.nan_to_num(z) > [[0.3, 0.8, 1.3]]).astype(int)
    return X, Y


@cache
def _fitted(engine: str, strategy: str | None) -> Any:
    X, Y = _table()
    common: dict[str, Any] = {"n_estimators": 30, "learning_rate": 0.2, "alpha": (0.3, 0.6, 0.8), "gamma": 2.0}
    if engine == "lightgbm":
        model = bfl.FocalLGBMClassifier(num_leaves=8, verbose=-1, n_jobs=1, **common)
    else:
        model = bfx.FocalXGBClassifier(max_depth=3, multi_strategy=strategy, n_jobs=1, **common)
    return model.fit(X[:900], Y[:900])


def _test_rows() -> np.ndarray:
    return _table()[0][900:]


# --- ONNX ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, (0.1, 0.5, 0.9)])
def test_multilabel_posterior_graph_equals_loss_posterior_for_margins_to_50(gamma, alpha) -> None:
    loss = bf.MultilabelFocalLoss(N_LABELS, alpha=alpha, gamma=gamma)
    rng = np.random.default_rng(0)
    grid = np.linspace(-50.0, 50.0, 2001)
    z = np.column_stack([grid, rng.permutation(grid), rng.normal(scale=5.0, size=grid.size)]).astype(np.float32)
    proba, scores = _session(_probability_model(loss)).run(["probabilities", "scores"], {"margin": z})
    z64 = z.astype(np.float64)
    np.testing.assert_allclose(proba, loss.posterior(z64), rtol=0, atol=TOL)
    np.testing.assert_allclose(scores, loss.posterior_logit(z64), rtol=1e-4, atol=1e-4)
    link = _session(_probability_model(loss, "link"))
    np.testing.assert_allclose(link.run(["probabilities"], {"margin": z})[0], loss.link(z64), rtol=0, atol=TOL)


@pytest.mark.parametrize(("engine", "strategy"), CASES)
def test_multilabel_estimator_graph_equals_predict_proba_and_predict(engine: str, strategy: str | None) -> None:
    model = _fitted(engine, strategy)
    X = _test_rows()
    label, proba = _run(bf.to_onnx(model), X)
    expected = model.predict_proba(X)
    assert proba.shape == expected.shape == (len(X), N_LABELS)
    err = float(np.abs(proba - expected).max())
    print(f"\n{engine} {strategy}: max |dp| per label = {err:.2e}")
    assert err < TOL
    assert label.dtype == np.int64
    np.testing.assert_array_equal(label, model.predict(X))
    _, link = _run(bf.to_onnx(model, method="link"), X)
    np.testing.assert_allclose(link, model.loss_.link(model.predict_raw(X)), rtol=0, atol=TOL)


def test_bare_lightgbm_multilabel_booster_exports() -> None:
    """``train_multilabel``'s MultilabelBooster, early-stopped per label (each booster at its own
    best iteration): its own loss and initial scores; another loss or an init_score is refused."""
    X, Y = _table()
    loss = bf.MultilabelFocalLoss(N_LABELS, alpha=0.4, gamma=1.0)
    params = {"num_leaves": 8, "learning_rate": 0.3, "verbose": -1, "num_threads": 1}
    booster = bfl.train_multilabel(
        params, X[:700], Y[:700], loss, 60, valid_sets=[(X[700:900], Y[700:900])],
        callbacks=[lgb.early_stopping(2, verbose=False)], keep_training_booster=True,
    )  # fmt: skip
    assert any(0 < b.best_iteration < b.current_iteration() for b in booster.boosters)
    X_test = _test_rows()
    label, proba = _run(bf.to_onnx(booster), X_test)
    expected = booster.predict_proba(X_test)
    assert float(np.abs(proba - expected).max()) < TOL
    np.testing.assert_array_equal(label, (expected > 0.5).astype(np.int64))
    with pytest.raises(ValueError, match="loss"):
        bf.to_onnx(booster, loss=bf.MultilabelFocalLoss(N_LABELS, gamma=3.0))
    with pytest.raises(ValueError, match="init_score"):
        bf.to_onnx(booster, init_score=np.zeros(N_LABELS))


@needs_vector_intercept
def test_bare_xgboost_multilabel_booster_exports_with_its_loss() -> None:
    """The estimator's booster carries its ``(L,)`` initial score in its intercept: exported with
    ``loss=`` alone it gives the estimator's probabilities."""
    model = _fitted("xgboost", "one_output_per_tree")
    X = _test_rows()
    _, proba = _run(bf.to_onnx(model.get_booster(), loss=model.loss_), X)
    assert float(np.abs(proba - model.predict_proba(X)).max()) < TOL


# --- SHAP ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("engine", "strategy"), CASES[:2])
def test_multilabel_shap_values_add_up_to_each_labels_margin(engine: str, strategy: str | None) -> None:
    shap = pytest.importorskip("shap")
    model = _fitted(engine, strategy)
    X = _test_rows()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # shap's own deprecation notices
        explanation = shap.TreeExplainer(model)(X)
    values, base = np.asarray(explanation.values), np.asarray(explanation.base_values)
    assert values.shape == (len(X), X.shape[1], N_LABELS)
    raw = model.predict_raw(X)
    err = float(np.abs(base + values.sum(axis=1) - raw).max())
    print(f"\n{engine}: max |base + sum(values) - predict_raw| = {err:.2e}")
    assert err < SHAP_TOL


@needs_vector_intercept
def test_shap_refuses_xgboost_vector_leaves_by_name() -> None:
    """XGBoost computes no contributions for vector-leaf trees (``multi_strategy="multi_output_tree"``):
    SHAP stops with a clear error rather than explaining something else (README says so)."""
    shap = pytest.importorskip("shap")
    model = _fitted("xgboost", "multi_output_tree")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception, match=r"(?i)vector.leaf|multi-target"):
            shap.TreeExplainer(model)(_test_rows()[:20])
