"""ONNX export and the engines' missing values (``bf.to_onnx``, run in onnxruntime).

ONNX tree ensembles take only NaN as missing.  The engines also read other values as missing:
XGBoost ``missing=v``, LightGBM ``zero_as_missing=True``, and an XGBoost model trained on a scipy
sparse matrix (absent entries are missing) then scored on dense rows; and LightGBM reads NaN as
0 on a feature that had no missing values in training.  The graph maps those values before the
trees, so ``"probabilities"`` equals ``predict_proba`` within float32 rounding (1e-5) for each
convention, both engines, binary and 3 classes; a control shows the same model exported without
the convention differs by far more.
"""

from __future__ import annotations

import numpy as np
import pytest

import boostfocal as bf

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxmltools")
sparse = pytest.importorskip("scipy.sparse")

try:
    import lightgbm as lgb

    from boostfocal import lightgbm as bfl
except ImportError:  # pragma: no cover - exercised only without lightgbm
    lgb = bfl = None  # type: ignore[assignment]

try:
    import xgboost as xgb

    from boostfocal import xgboost as bfx
except ImportError:  # pragma: no cover - exercised only without xgboost
    xgb = bfx = None  # type: ignore[assignment]

needs_lgb = pytest.mark.skipif(lgb is None, reason="lightgbm not installed")
needs_xgb = pytest.mark.skipif(xgb is None, reason="xgboost not installed")
TOL = 1e-5  # float32 graph against float64 predict_proba
N = 1500
KINDS = [2, 3]


def _run(model, X):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    label, proba = session.run(["label", "probabilities"], {"X": np.asarray(X, dtype=np.float32)})
    return label, proba


def _table(k: int, marker: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Float32-valued features; about 30 % of columns 1 and 2 hold ``marker`` (the missing value),
    and whether a value is missing moves the label, so the trees' default branches matter."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, 5)).astype(np.float32).astype(np.float64)
    gone = rng.random((N, 2)) < 0.3
    signal = X[:, 0] + 1.5 * gone[:, 0] - 1.2 * gone[:, 1] + 0.8 * np.where(gone[:, 1], 0.0, X[:, 2])
    signal += 0.5 * rng.normal(size=N)
    X[:, 1:3][gone] = marker
    y = (signal > 0.8).astype(int) if k == 2 else np.digitize(signal, [-0.3, 1.0])
    return X, y


def _check(model, X, expected_proba, expected_label=None, **export) -> float:
    """The graph's probabilities and labels against the model's; returns max |dp|."""
    label, proba = _run(bf.to_onnx(model, **export), X)
    err = float(np.abs(proba - expected_proba).max())
    assert err < TOL, err
    if expected_label is not None:
        assert np.array_equal(label, expected_label)
    return err


def _lgb(k: int, **params):
    return bfl.FocalLGBMClassifier(
        n_estimators=40, learning_rate=0.2, num_leaves=8, min_child_samples=5, verbose=-1, n_jobs=1, **params
    )


def _xgb(k: int, **params):
    return bfx.FocalXGBClassifier(n_estimators=40, learning_rate=0.2, max_depth=3, n_jobs=1, **params)


@needs_xgb
@pytest.mark.parametrize("k", KINDS)
def test_xgboost_missing_value_is_read_as_missing(k: int) -> None:
    """``FocalXGBClassifier(missing=-999)``: the graph maps -999 (and NaN) to NaN before the trees."""
    X, y = _table(k, -999.0)
    model = _xgb(k, missing=-999.0).fit(X, y)
    X_test = X.copy()
    X_test[::7, 3] = np.nan  # NaN is missing too, in XGBoost and in the graph
    err = _check(model, X_test, model.predict_proba(X_test), model.predict(X_test))
    print(f"\nxgboost missing=-999 k={k}: max |dp| = {err:.2e}")


@needs_xgb
@pytest.mark.parametrize("k", KINDS)
def test_xgboost_bare_booster_takes_missing_as_an_argument(k: int) -> None:
    """A Booster does not know the ``missing`` of its DMatrix: ``to_onnx(..., missing=-999)``
    gives predict_proba; without it the -999 rows go the other way (control)."""
    X, y = _table(k, -999.0)
    loss = bf.BinaryFocalLoss(alpha=0.3) if k == 2 else bf.MulticlassFocalLoss(3, gamma=1.0)
    z0 = loss.init_score(y)
    params = {"max_depth": 3, "nthread": 1, "disable_default_eval_metric": 1, **({"num_class": k} if k > 2 else {})}
    dtrain = bfx.dmatrix(X, y, loss, init_score=z0, missing=-999.0)
    booster = xgb.train(params, dtrain, 30, obj=bfx.objective(loss))
    expected = bfx.predict_proba(booster, xgb.DMatrix(X, missing=-999.0), loss, init_score=z0)
    err = _check(booster, X, expected, loss=loss, init_score=z0, missing=-999.0)
    print(f"\nxgboost booster missing=-999 k={k}: max |dp| = {err:.2e}")
    _, wrong = _run(bf.to_onnx(booster, loss=loss, init_score=z0), X)
    assert np.abs(wrong - expected).max() > 0.05


@needs_xgb
@pytest.mark.parametrize("k", KINDS)
def test_xgboost_trained_on_a_sparse_matrix_scored_dense(k: int, tmp_path) -> None:
    """Fitted on a CSR matrix (absent entries missing): the booster records it, and the dense graph
    equals ``predict_proba`` on the sparse rows, also after a model file round trip and for the
    bare booster; XGBoost itself scores the dense zeros differently (control)."""
    X, y = _table(k, 0.0)
    csr = sparse.csr_matrix(X)
    assert csr.nnz < X.size  # the zeros are absent entries
    model = _xgb(k).fit(csr, y)
    expected = model.predict_proba(csr)
    assert np.abs(model.predict_proba(X) - expected).max() > 0.05  # zeros as values: another model
    err = _check(model, X, expected, model.predict(csr))
    print(f"\nxgboost sparse k={k}: max |dp| = {err:.2e}")
    bf.save_model(model, tmp_path / "model.json")
    _check(bf.load_model(tmp_path / "model.json"), X, expected)
    _check(model.get_booster(), X, expected, loss=model.loss_)
    _check(model, X, expected, missing=0.0)  # saying so is accepted
    dense = _xgb(k).fit(X, y)  # trained dense: zeros are values, and stay so in the graph
    _check(dense, X, dense.predict_proba(X))


@needs_xgb
@pytest.mark.parametrize("k", KINDS)
def test_xgboost_booster_trained_on_a_sparse_dmatrix_takes_missing_zero(k: int) -> None:
    """A booster from ``xgb.train`` on a sparse DMatrix records nothing: ``missing=0.0`` says it."""
    X, y = _table(k, 0.0)
    loss = bf.BinaryFocalLoss(alpha=0.3) if k == 2 else bf.MulticlassFocalLoss(3, gamma=1.0)
    z0 = loss.init_score(y)
    params = {"max_depth": 3, "nthread": 1, "disable_default_eval_metric": 1, **({"num_class": k} if k > 2 else {})}
    booster = xgb.train(params, bfx.dmatrix(sparse.csr_matrix(X), y, loss, init_score=z0), 30, obj=bfx.objective(loss))
    expected = bfx.predict_proba(booster, sparse.csr_matrix(X), loss, init_score=z0)
    err = _check(booster, X, expected, loss=loss, init_score=z0, missing=0.0)
    print(f"\nxgboost booster on sparse k={k}: max |dp| = {err:.2e}")


@needs_lgb
@pytest.mark.parametrize("k", KINDS)
def test_lightgbm_zero_as_missing_is_read_from_the_model(k: int) -> None:
    """``zero_as_missing=True``: zeros and NaN take the default branch; the graph maps both to NaN."""
    X, y = _table(k, 0.0)
    model = _lgb(k, zero_as_missing=True).fit(X, y)
    X_test = X.copy()
    X_test[::5, 1] = np.nan  # NaN is missing too
    X_test[1::5, 3] = 0.0  # a zero where training had none
    err = _check(model, X_test, model.predict_proba(X_test), model.predict(X_test))
    print(f"\nlightgbm zero_as_missing k={k}: max |dp| = {err:.2e}")
    plain = _lgb(k).fit(X, y)  # control: the same data without the convention predicts differently
    assert np.abs(plain.predict_proba(X_test) - model.predict_proba(X_test)).max() > 0.05


@needs_lgb
@pytest.mark.parametrize("k", KINDS)
@pytest.mark.parametrize("use_missing", [True, False])
def test_lightgbm_nan_on_a_feature_without_missing_values_is_zero(k: int, use_missing: bool) -> None:
    """LightGBM reads NaN as 0 on a feature whose splits have no missing type (no NaN in
    training, or ``use_missing=False``); the graph maps NaN to 0 there and keeps NaN elsewhere."""
    X, y = _table(k, np.nan)
    X[:, 0] = np.round(X[:, 0] * 4) / 4  # exact zeros in column 0, which had no NaN
    model = _lgb(k, use_missing=use_missing).fit(X, y)
    X_test = X.copy()
    X_test[::3, 0] = np.nan
    expected = model.predict_proba(X_test)
    zeroed = X_test.copy()
    zeroed[::3, 0] = 0.0
    np.testing.assert_array_equal(model.predict_proba(zeroed), expected)  # the engine's own reading
    err = _check(model, X_test, expected, model.predict(X_test))
    print(f"\nlightgbm NaN as 0 (use_missing={use_missing}) k={k}: max |dp| = {err:.2e}")


@needs_lgb
def test_lightgbm_trained_on_a_sparse_matrix_scored_dense() -> None:
    """LightGBM reads absent sparse entries as zeros (not missing): the dense graph equals it as is."""
    X, y = _table(2, 0.0)
    model = _lgb(2).fit(sparse.csr_matrix(X), y)
    err = _check(model, X, model.predict_proba(sparse.csr_matrix(X)))
    print(f"\nlightgbm sparse: max |dp| = {err:.2e}")


@needs_lgb
@needs_xgb
def test_missing_argument_is_checked() -> None:
    X, y = _table(2, -999.0)
    with pytest.raises(ValueError, match="LightGBM"):
        bf.to_onnx(_lgb(2).fit(X, y), missing=-999.0)
    model = _xgb(2, missing=-999.0).fit(X, y)
    with pytest.raises(ValueError, match="missing"):
        bf.to_onnx(model, missing=0.0)
    with pytest.raises(TypeError, match="missing"):
        bf.to_onnx(model, missing="-999")
    bf.to_onnx(model, missing=-999.0)  # its own value is accepted
