"""Saving and loading focal models: ``bf.save_model`` / ``bf.load_model`` and the estimators' methods.

Every model kind is saved here and loaded in a *fresh interpreter* (one subprocess for all of
them), whose ``predict_proba``, ``predict`` and ``predict_raw`` must equal the original's bit for
bit (``np.array_equal``), with the same classes (dtype included), loss, initial score, parameters
and best iteration.  The kinds: both engines; estimator and bare Booster; binary and multiclass;
string, object, boolean, float and integer classes; early-stopped models; XGBoost JSON and UBJ;
a LightGBM model on a pandas DataFrame with a categorical column.  Then: the engines themselves
still read the files, a reloaded model saves again to the same bytes, and every misuse fails with
a clear error.  A missing engine skips its cases.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _engine_data import binary_table, multiclass_table, split
from sklearn.exceptions import NotFittedError

import boostfocal as bf
from boostfocal.persistence import FORMAT_VERSION

try:
    import lightgbm as lgb

    from boostfocal import lightgbm as bfl
    from boostfocal.lightgbm import FocalLGBMClassifier
except ImportError:  # pragma: no cover - exercised only without lightgbm
    lgb = bfl = FocalLGBMClassifier = None  # type: ignore[assignment]

try:
    import xgboost as xgb

    from boostfocal import xgboost as bfx
    from boostfocal.xgboost import FocalXGBClassifier
except ImportError:  # pragma: no cover - exercised only without xgboost
    xgb = bfx = FocalXGBClassifier = None  # type: ignore[assignment]

needs_lgb = pytest.mark.skipif(lgb is None, reason="lightgbm not installed")
needs_xgb = pytest.mark.skipif(xgb is None, reason="xgboost not installed")

ROOT = Path(bf.__file__).resolve().parents[1]  # the boostfocal under test, for the subprocess
N, N_TRAIN = 3000, 2000
LGB_PARAMS: dict[str, Any] = {"learning_rate": 0.3, "num_leaves": 15, "verbose": -1}
XGB_PARAMS: dict[str, Any] = {"learning_rate": 0.3, "max_depth": 4, "tree_method": "hist"}


def _quiet_fit(est: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():  # LightGBM 4.7 deprecates eval_set (4.0 has no eval_X)
        warnings.simplefilter("ignore", FutureWarning)
        return est.fit(*args, **kwargs)


def _binary(noise: float = 0.2) -> tuple[np.ndarray, ...]:
    X, y = binary_table(N, seed=5, label_noise=noise)  # noisy labels: early stopping stops early
    return split(X, y, N_TRAIN)


def _multiclass() -> tuple[np.ndarray, ...]:
    X, y = multiclass_table(N, seed=6, label_noise=0.2)
    return split(X, y, N_TRAIN)


# --- the cases: each trains a model, saves it, and returns what the loaded one must reproduce ----


def _expect(est: Any, X: Any, engine: str) -> dict[str, Any]:
    best = est.best_iteration_ if engine == "lightgbm" else getattr(est, "best_iteration", None)
    return {
        "X": X,
        "type": type(est).__name__,
        "proba": est.predict_proba(X),
        "predict": est.predict(X),
        "raw": est.predict_raw(X),
        "classes": est.classes_,
        "params": {k: getattr(est, k) for k in ("gamma", "alpha", "hessian", "probability")},
        "loss": repr(est.loss_),
        "init_score": est.init_score_,
        "n_features_in": est.n_features_in_,
        "best_iteration": best,
    }


def _expect_booster(engine: str, booster: Any, X: Any, loss: bf.Loss, z0: Any, best: int | None) -> dict[str, Any]:
    """What the estimator built around a bare booster predicts: the engine helpers' values (with
    the best iteration after early stopping, as the estimators use it)."""
    if engine == "lightgbm":
        raw = bfl.predict_raw(booster, X, init_score=z0)
        proba = bfl.predict_proba(booster, X, loss, init_score=z0)
    else:
        kw = {} if best is None else {"iteration_range": (0, best + 1)}
        raw = bfx.predict_raw(booster, X, init_score=z0, loss=loss, **kw)
        proba = bfx.predict_proba(booster, X, loss, init_score=z0, **kw)
    k = loss.num_outputs if loss.is_multiclass else 2
    return {
        "X": X,
        "type": "FocalLGBMClassifier" if engine == "lightgbm" else "FocalXGBClassifier",
        "proba": proba,
        "predict": np.arange(k)[np.argmax(proba, axis=1)],
        "raw": raw,
        "classes": np.arange(k),
        "params": {"gamma": loss.gamma, "alpha": loss.alpha, "hessian": loss.hessian, "probability": "posterior"},
        "loss": repr(loss),
        "init_score": z0,
        "n_features_in": X.shape[1],
        "best_iteration": best,
    }


def lgb_estimator_binary_strings_early_stopped(d: Path) -> tuple[dict[str, Any], Any]:
    Xtr, ytr, Xva, yva = _binary()
    names = np.array(["no", "yes"])
    est = FocalLGBMClassifier(gamma=1.5, alpha=0.3, n_estimators=300, n_jobs=1, **LGB_PARAMS)
    _quiet_fit(
        est,
        Xtr,
        names[ytr.astype(int)],
        eval_set=[(Xva, names[yva.astype(int)])],
        callbacks=[lgb.early_stopping(5, verbose=False)],
    )
    assert 0 < est.best_iteration_ < 300  # stopped early
    bf.save_model(est, d / "lgb_binary.txt")
    return _expect(est, Xva, "lightgbm"), d / "lgb_binary.txt"


def lgb_estimator_multiclass_floats_balanced(d: Path) -> tuple[dict[str, Any], Any]:
    Xtr, ytr, Xva, _ = _multiclass()  # float labels 0., 1., 2.
    est = FocalLGBMClassifier(gamma=0.7, alpha="balanced", hessian="exact", n_estimators=30, n_jobs=1, **LGB_PARAMS)
    est.fit(Xtr, ytr)
    est.save_model(d / "lgb_multi.txt")
    return _expect(est, Xva, "lightgbm"), d / "lgb_multi.txt"


def lgb_estimator_pandas_categorical(d: Path) -> tuple[dict[str, Any], Any]:
    pd = pytest.importorskip("pandas")
    frame, y = _pandas_table(pd)
    est = FocalLGBMClassifier(gamma=2.0, alpha=0.25, probability="link", n_estimators=20, n_jobs=1, **LGB_PARAMS)
    est.fit(frame.iloc[:N_TRAIN], y[:N_TRAIN])
    bf.save_model(est, d / "lgb_pandas.txt")
    expected = _expect(est, frame.iloc[N_TRAIN:], "lightgbm")
    expected["feature_names_in"] = est.feature_names_in_
    return expected, d / "lgb_pandas.txt"


def lgb_booster_binary_early_stopped(d: Path) -> tuple[dict[str, Any], Any]:
    Xtr, ytr, Xva, yva = _binary()
    loss = bf.BinaryFocalLoss(alpha=0.3, gamma=2.0)
    z0 = loss.init_score(ytr)
    train = bfl.dataset(Xtr, ytr, loss)
    valid = bfl.dataset(Xva, yva, loss, init_score=z0, reference=train)
    params = {"objective": bfl.objective(loss), "metric": "None", "num_threads": 1, **LGB_PARAMS}
    booster = lgb.train(
        params, train, 300, valid_sets=[valid], feval=bfl.metric(loss), callbacks=[lgb.early_stopping(5, verbose=False)]
    )
    assert 0 < booster.best_iteration < 300
    bf.save_model(booster, d / "lgb_booster_binary.txt", loss=loss, init_score=z0)
    return _expect_booster("lightgbm", booster, Xva, loss, z0, booster.best_iteration), d / "lgb_booster_binary.txt"


def lgb_booster_multiclass(d: Path) -> tuple[dict[str, Any], Any]:
    Xtr, ytr, Xva, _ = _multiclass()
    loss = bf.MulticlassFocalLoss(3, alpha=(0.5, 0.3, 0.2), gamma=1.0)
    z0 = loss.init_score(ytr)
    params = {"objective": bfl.objective(loss), "num_class": 3, "num_threads": 1, **LGB_PARAMS}
    booster = lgb.train(params, bfl.dataset(Xtr, ytr, loss), 20)
    bf.save_model(booster, d / "lgb_booster_multi.txt", loss=loss, init_score=z0)
    # LightGBM's best_iteration is 0 after training without early stopping
    return _expect_booster("lightgbm", booster, Xva, loss, z0, booster.best_iteration), d / "lgb_booster_multi.txt"


def xgb_estimator_binary_strings_early_stopped_json(d: Path) -> tuple[dict[str, Any], Any]:
    Xtr, ytr, Xva, yva = _binary()
    names = np.array(["neg", "pos"])
    est = FocalXGBClassifier(
        gamma=1.5, alpha=0.3, n_estimators=300, early_stopping_rounds=5, n_jobs=1, **XGB_PARAMS
    ).fit(Xtr, names[ytr.astype(int)], eval_set=[(Xva, names[yva.astype(int)])], verbose=False)
    assert 0 < est.best_iteration < est.get_booster().num_boosted_rounds() - 1  # stopped early
    bf.save_model(est, d / "xgb_binary.json")
    return _expect(est, Xva, "xgboost"), d / "xgb_binary.json"


def xgb_estimator_multiclass_objects_ubj(d: Path) -> tuple[dict[str, Any], Any]:
    Xtr, ytr, Xva, _ = _multiclass()
    names = np.array(["cat", "dog", "eel"], dtype=object)  # an object array, as from pandas
    est = FocalXGBClassifier(gamma=2.0, alpha=(0.2, 0.3, 0.5), n_estimators=20, n_jobs=1, **XGB_PARAMS)
    est.fit(Xtr, names[ytr.astype(int)])
    assert est.classes_.dtype == object
    est.save_model(d / "xgb_multi.ubj")
    return _expect(est, Xva, "xgboost"), d / "xgb_multi.ubj"


def xgb_estimator_binary_bools_method(d: Path) -> tuple[dict[str, Any], Any]:
    """Saved with ``est.save_model`` (which in XGBoost itself keeps no focal state) and loaded in
    the subprocess with ``FocalXGBClassifier().load_model``, as a user of XGBoost's API would."""
    Xtr, ytr, Xva, _ = _binary(noise=0.0)
    est = FocalXGBClassifier(gamma=0.5, alpha=0.6, hessian="weighted", n_estimators=20, n_jobs=1, **XGB_PARAMS)
    est.fit(Xtr, ytr == 1.0)
    est.save_model(d / "xgb_method.json")
    return _expect(est, Xva, "xgboost"), ("method", d / "xgb_method.json")


def xgb_booster_binary_early_stopped_json(d: Path) -> tuple[dict[str, Any], Any]:
    Xtr, ytr, Xva, yva = _binary()
    loss = bf.BinaryFocalLoss(alpha=0.3, gamma=2.0)
    z0 = loss.init_score(ytr)
    booster = xgb.train(
        {"nthread": 1, "disable_default_eval_metric": 1, **XGB_PARAMS},
        bfx.dmatrix(Xtr, ytr, loss),
        300,
        obj=bfx.objective(loss),
        custom_metric=bfx.metric(loss),
        evals=[(bfx.dmatrix(Xva, yva, loss, init_score=z0), "valid")],
        early_stopping_rounds=5,
        verbose_eval=False,
    )
    assert 0 < booster.best_iteration < booster.num_boosted_rounds() - 1
    bf.save_model(booster, d / "xgb_booster_binary.json", loss=loss, init_score=z0)
    expected = _expect_booster("xgboost", booster, Xva, loss, z0, booster.best_iteration)
    return expected, d / "xgb_booster_binary.json"


def xgb_booster_multiclass_ubj(d: Path) -> tuple[dict[str, Any], Any]:
    Xtr, ytr, Xva, _ = _multiclass()
    loss = bf.MulticlassBalancedCrossEntropy(3, [1.0, 2.0, 3.0])
    z0 = loss.init_score(ytr)
    params = {"num_class": 3, "nthread": 1, **XGB_PARAMS}
    booster = xgb.train(params, bfx.dmatrix(Xtr, ytr, loss), 20, obj=bfx.objective(loss))
    bf.save_model(booster, d / "xgb_booster_multi.ubj", loss=loss, init_score=z0)
    return _expect_booster("xgboost", booster, Xva, loss, z0, None), d / "xgb_booster_multi.ubj"


def _pandas_table(pd: Any) -> tuple[Any, np.ndarray]:
    X, y = binary_table(N, seed=7)
    colour = np.array(["red", "green", "blue"])[(X[:, 5] > 0).astype(int) + (X[:, 6] > 0.5)]
    frame = pd.DataFrame(X[:, :5], columns=[f"f{i}" for i in range(5)])
    frame["colour"] = pd.Categorical(colour)
    y = np.where(colour == "green", 1.0 - y, y)  # the category matters
    return frame, y


CASES: dict[str, tuple[str, Callable[[Path], tuple[dict[str, Any], Any]]]] = {
    f.__name__: (f.__name__.split("_")[0], f)
    for f in (
        lgb_estimator_binary_strings_early_stopped,
        lgb_estimator_multiclass_floats_balanced,
        lgb_estimator_pandas_categorical,
        lgb_booster_binary_early_stopped,
        lgb_booster_multiclass,
        xgb_estimator_binary_strings_early_stopped_json,
        xgb_estimator_multiclass_objects_ubj,
        xgb_estimator_binary_bools_method,
        xgb_booster_binary_early_stopped_json,
        xgb_booster_multiclass_ubj,
    )
}

LOADER = textwrap.dedent(
    """
    import pickle, sys
    import boostfocal as bf

    with open(sys.argv[1], "rb") as f:
        manifest = pickle.load(f)
    out = {}
    for name, (how, path, X) in manifest.items():
        try:
            if how == "method":
                from boostfocal.xgboost import FocalXGBClassifier
                m = FocalXGBClassifier().load_model(path)
            else:
                m = bf.load_model(path)
            lightgbm = type(m).__name__ == "FocalLGBMClassifier"
            res = {
                "file": bf.__file__,
                "type": type(m).__name__,
                "proba": m.predict_proba(X),
                "predict": m.predict(X),
                "raw": m.predict_raw(X),
                "classes": m.classes_,
                "params": {k: getattr(m, k) for k in ("gamma", "alpha", "hessian", "probability")},
                "loss": repr(m.loss_),
                "init_score": m.init_score_,
                "n_features_in": m.n_features_in_,
                "best_iteration": m.best_iteration_ if lightgbm else getattr(m, "best_iteration", None),
            }
            if hasattr(X, "columns"):
                res["feature_names_in"] = m.feature_names_in_
        except Exception as exc:
            res = {"error": f"{type(exc).__name__}: {exc}"}
        out[name] = res
    with open(sys.argv[2], "wb") as f:
        pickle.dump(out, f)
    """
)


@pytest.fixture(scope="module")
def roundtrips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Every case whose engine is installed: saved here, loaded in one fresh interpreter (the
    rows to predict on travel with the manifest)."""
    d = tmp_path_factory.mktemp("models")
    expected, manifest = {}, {}
    for name, (engine, make) in CASES.items():
        if (lgb if engine == "lgb" else xgb) is None:
            continue
        try:
            exp, target = make(d)
        except pytest.skip.Exception:
            continue
        how, path = target if isinstance(target, tuple) else ("bf", target)
        expected[name] = exp
        manifest[name] = (how, str(path), exp.pop("X"))
    with open(d / "manifest.pkl", "wb") as f:
        pickle.dump(manifest, f)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    subprocess.run(
        [sys.executable, "-c", LOADER, str(d / "manifest.pkl"), str(d / "loaded.pkl")],
        check=True,
        cwd=d,
        env=env,
        timeout=600,
    )
    with open(d / "loaded.pkl", "rb") as f:
        loaded = pickle.load(f)
    return {name: (expected[name], loaded[name]) for name in expected}


@pytest.mark.parametrize(
    "name",
    [pytest.param(name, marks=needs_lgb if engine == "lgb" else needs_xgb) for name, (engine, _) in CASES.items()],
)
def test_loaded_in_a_fresh_process_predicts_the_same(roundtrips: dict[str, Any], name: str) -> None:
    if name not in roundtrips:
        pytest.skip("needs pandas")
    exp, got = roundtrips[name]
    assert "error" not in got, got.get("error")
    assert Path(got["file"]).resolve().parent == Path(bf.__file__).resolve().parent  # the code under test
    assert got["type"] == exp["type"]
    for key in ("proba", "raw", "predict", "classes"):
        assert got[key].dtype == exp[key].dtype, key
        assert got[key].shape == exp[key].shape, key
        assert np.array_equal(got[key], exp[key]), key  # bit for bit
    assert got["params"] == exp["params"]
    assert got["loss"] == exp["loss"]
    assert np.array_equal(got["init_score"], exp["init_score"])
    assert got["n_features_in"] == exp["n_features_in"]
    assert got["best_iteration"] == exp["best_iteration"]
    if "feature_names_in" in exp:
        assert np.array_equal(got["feature_names_in"], exp["feature_names_in"])


# --- in this process -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lgb_est() -> Any:
    if lgb is None:
        pytest.skip("lightgbm not installed")
    Xtr, ytr, Xva, yva = _binary()
    est = FocalLGBMClassifier(gamma=1.5, alpha=0.3, n_estimators=300, n_jobs=1, **LGB_PARAMS)
    names = np.array(["no", "yes"])
    return _quiet_fit(
        est,
        Xtr,
        names[ytr.astype(int)],
        eval_set=[(Xva, names[yva.astype(int)])],
        callbacks=[lgb.early_stopping(5, verbose=False)],
    )


@pytest.fixture(scope="module")
def xgb_est() -> Any:
    if xgb is None:
        pytest.skip("xgboost not installed")
    Xtr, ytr, _, _ = _multiclass()
    est = FocalXGBClassifier(gamma=1.0, alpha=(0.2, 0.3, 0.5), n_estimators=10, n_jobs=1, **XGB_PARAMS)
    return est.fit(Xtr, np.array(["a", "b", "c"])[ytr.astype(int)])


def _model_config(est: Any) -> Any:
    """The objective and model parameters in an XGBoost booster's configuration (the training
    parameters, such as the thread count, are not part of a model file)."""
    learner = json.loads(est.get_booster().save_config())["learner"]
    return learner["objective"], learner["learner_model_param"]


@needs_xgb
def test_xgboost_estimator_methods_keep_the_focal_state(xgb_est: Any, tmp_path: Path) -> None:
    """``est.save_model`` / ``FocalXGBClassifier().load_model`` (XGBoost's own methods, whose
    loaded estimator could not predict: no loss, default gamma/alpha, classes 0..K-1)."""
    X = _multiclass()[2]
    for ext in ("json", "ubj"):
        xgb_est.save_model(tmp_path / f"m.{ext}")
        loaded = FocalXGBClassifier()
        returned = loaded.load_model(tmp_path / f"m.{ext}")
        assert np.array_equal(loaded.predict_proba(X), xgb_est.predict_proba(X))
        assert np.array_equal(loaded.predict(X), xgb_est.predict(X))
        assert loaded.alpha == (0.2, 0.3, 0.5) and loaded.gamma == 1.0
        assert np.array_equal(loaded.classes_, xgb_est.classes_)
        assert _model_config(loaded) == _model_config(xgb_est)  # loading left the booster as saved
        assert returned is loaded
    # into an estimator fitted before: everything replaced
    Xtr, ytr, _, _ = _binary(noise=0.0)
    other = FocalXGBClassifier(gamma=0.0, n_estimators=2, n_jobs=1).fit(Xtr, ytr)
    other.load_model(tmp_path / "m.json")
    assert other.n_estimators == 10 and other.n_classes_ == 3
    assert np.array_equal(other.predict_proba(X), xgb_est.predict_proba(X))


@needs_lgb
def test_lightgbm_loaded_estimator_is_fitted(lgb_est: Any, tmp_path: Path) -> None:
    bf.save_model(lgb_est, tmp_path / "m.txt")
    loaded = FocalLGBMClassifier(gamma=0.1, n_estimators=7).load_model(tmp_path / "m.txt")  # into an estimator
    assert loaded.gamma == 1.5 and loaded.alpha == 0.3 and loaded.n_estimators == 300  # its parameters replaced
    assert loaded.__sklearn_is_fitted__()
    for attr in ("n_features_in_", "n_features_", "best_iteration_", "n_classes_", "n_estimators_", "objective_"):
        assert getattr(loaded, attr) == getattr(lgb_est, attr), attr
    assert np.array_equal(loaded.classes_, lgb_est.classes_)
    assert loaded.booster_.model_to_string() == lgb_est.booster_.model_to_string()
    assert np.array_equal(loaded.feature_importances_, lgb_est.feature_importances_)


@needs_lgb
def test_lightgbm_reads_the_file_as_its_own(lgb_est: Any, tmp_path: Path) -> None:
    """A plain ``lgb.Booster`` loads the file: every tree, LightGBM's own raw scores."""
    X = _binary()[2]
    bf.save_model(lgb_est, tmp_path / "m.txt")
    plain = lgb.Booster(model_file=tmp_path / "m.txt")
    assert plain.current_iteration() == lgb_est.booster_.current_iteration()
    assert np.array_equal(
        plain.predict(X, raw_score=True), lgb_est.booster_.predict(X, raw_score=True, num_iteration=-1)
    )
    # and LightGBM saving it again drops the focal state, leaving a plain model
    plain.save_model(tmp_path / "resaved.txt")
    with pytest.raises(ValueError, match="without boostfocal state"):
        bf.load_model(tmp_path / "resaved.txt")


@needs_lgb
def test_lightgbm_keeps_the_pandas_categories(tmp_path: Path) -> None:
    """The focal line sits before ``pandas_categorical:``, which LightGBM's Python package reads
    from the file's last lines: a line after it would lose the mapping of category codes."""
    pd = pytest.importorskip("pandas")
    frame, y = _pandas_table(pd)
    est = FocalLGBMClassifier(n_estimators=10, n_jobs=1, **LGB_PARAMS).fit(frame, y)
    bf.save_model(est, tmp_path / "m.txt")
    plain = lgb.Booster(model_file=tmp_path / "m.txt")
    assert plain.pandas_categorical == est.booster_.pandas_categorical == [["blue", "green", "red"]]
    shuffled = frame.copy()  # the same colours, coded in another order
    shuffled["colour"] = pd.Categorical(frame["colour"].astype(str), categories=["red", "blue", "green"])
    want = est.booster_.predict(frame, raw_score=True)
    assert np.array_equal(plain.predict(shuffled, raw_score=True), want)
    assert np.array_equal(bf.load_model(tmp_path / "m.txt").predict_raw(shuffled), est.predict_raw(frame))


@needs_xgb
def test_xgboost_reads_the_file_as_its_own(xgb_est: Any, tmp_path: Path) -> None:
    X = _multiclass()[2]
    bf.save_model(xgb_est, tmp_path / "m.json")
    plain = xgb.Booster(model_file=tmp_path / "m.json")
    original = xgb_est.get_booster()
    dm = xgb.DMatrix(X)
    assert np.array_equal(plain.predict(dm, output_margin=True), original.predict(dm, output_margin=True))
    assert original.attr("boostfocal") is None  # saving left the estimator's booster as it was
    clf = xgb.XGBClassifier()
    clf.load_model(tmp_path / "m.json")  # XGBoost's estimator: its own link, no focal state
    assert clf.predict_proba(X).shape == (X.shape[0], 3)


@pytest.mark.parametrize(
    "ext",
    [pytest.param("txt", marks=needs_lgb), pytest.param("json", marks=needs_xgb), pytest.param("ubj", marks=needs_xgb)],
)
def test_a_loaded_model_saves_to_the_same_bytes(lgb_est: Any, xgb_est: Any, ext: str, tmp_path: Path) -> None:
    est = lgb_est if ext == "txt" else xgb_est
    bf.save_model(est, tmp_path / f"a.{ext}")
    bf.save_model(bf.load_model(tmp_path / f"a.{ext}"), tmp_path / f"b.{ext}")
    assert (tmp_path / f"a.{ext}").read_bytes() == (tmp_path / f"b.{ext}").read_bytes()


@needs_lgb
def test_unstorable_parameters_are_left_out_with_a_warning(tmp_path: Path) -> None:
    Xtr, ytr, Xva, _ = _binary(noise=0.0)
    est = FocalLGBMClassifier(n_estimators=5, n_jobs=1, random_state=np.random.RandomState(0), **LGB_PARAMS)
    est.fit(Xtr, ytr)
    with pytest.warns(UserWarning, match="random_state"):
        bf.save_model(est, tmp_path / "m.txt")
    loaded = bf.load_model(tmp_path / "m.txt")
    assert loaded.random_state is None
    assert np.array_equal(loaded.predict_proba(Xva), est.predict_proba(Xva))


def test_import_boostfocal_loads_no_engine() -> None:
    code = "import sys, boostfocal as bf; print('lightgbm' in sys.modules, 'xgboost' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["False", "False"]
    assert {"save_model", "load_model"} <= set(bf.__all__)


# --- errors --------------------------------------------------------------------------------------


@needs_lgb
def test_save_errors(lgb_est: Any, tmp_path: Path) -> None:
    Xtr, ytr, _, _ = _binary(noise=0.0)
    with pytest.raises(NotFittedError):
        bf.save_model(FocalLGBMClassifier(), tmp_path / "m.txt")
    with pytest.raises(TypeError, match="FocalLGBMClassifier or FocalXGBClassifier"):
        bf.save_model(lgb.LGBMClassifier(n_estimators=2, verbose=-1).fit(Xtr, ytr), tmp_path / "m.txt")
    with pytest.raises(TypeError, match="only with a bare Booster"):
        bf.save_model(lgb_est, tmp_path / "m.txt", loss=bf.BinaryFocalLoss())
    with pytest.raises(TypeError, match=r"path must be a str or os\.PathLike"):
        bf.save_model(lgb_est, 3)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        bf.save_model(lgb_est, tmp_path / "no" / "m.txt")
    copy = lgb.Booster(model_str=lgb_est.booster_.model_to_string())  # a copy carries it too
    bf.save_model(copy, tmp_path / "copy.txt", loss=bf.BinaryFocalLoss())
    assert bf.load_model(tmp_path / "copy.txt").init_score_ == lgb_est.init_score_
    booster = lgb.train({"objective": "binary", "verbose": -1}, lgb.Dataset(Xtr, ytr), 2)  # carries nothing
    with pytest.raises(TypeError, match="needs loss"):
        bf.save_model(booster, tmp_path / "m.txt")
    with pytest.raises(TypeError, match="init_score is required"):
        bf.save_model(booster, tmp_path / "m.txt", loss=bf.BinaryFocalLoss())
    with pytest.raises(ValueError, match="already carries the initial score"):
        bf.save_model(lgb_est.booster_, tmp_path / "m.txt", loss=bf.BinaryFocalLoss(), init_score=0.0)
    with pytest.raises(ValueError, match="gives 3 raw score"):
        bf.save_model(booster, tmp_path / "m.txt", loss=bf.MulticlassFocalLoss(3), init_score=np.zeros(3))
    with pytest.raises(ValueError, match=r"init_score: .*scalar"):
        bf.save_model(booster, tmp_path / "m.txt", loss=bf.BinaryFocalLoss(), init_score=[0.0, 1.0])
    with pytest.raises(ValueError, match="init_score must be finite"):
        bf.save_model(booster, tmp_path / "m.txt", loss=bf.BinaryFocalLoss(), init_score=np.inf)
    with pytest.raises(TypeError, match="loss must be a boostfocal loss"):
        bf.save_model(booster, tmp_path / "m.txt", loss="focal", init_score=0.0)
    assert not (tmp_path / "m.txt").exists()  # nothing half-written


@needs_lgb
def test_classes_a_file_cannot_hold(tmp_path: Path) -> None:
    Xtr, ytr, _, _ = _binary(noise=0.0)
    days = np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]")
    est = FocalLGBMClassifier(n_estimators=2, n_jobs=1, **LGB_PARAMS).fit(Xtr, days[ytr.astype(int)])
    with pytest.raises(TypeError, match="dtype datetime64"):
        bf.save_model(est, tmp_path / "m.txt")
    assert not (tmp_path / "m.txt").exists()


@needs_lgb
def test_load_errors(lgb_est: Any, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        bf.load_model(tmp_path / "missing.txt")
    (tmp_path / "junk.bin").write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(ValueError, match="neither a LightGBM model text nor an XGBoost"):
        bf.load_model(tmp_path / "junk.bin")
    lgb_est.booster_.save_model(tmp_path / "plain.txt")
    with pytest.raises(ValueError, match=r"LightGBM model file without boostfocal state .*lgb.Booster\(model_file"):
        bf.load_model(tmp_path / "plain.txt")
    bf.save_model(lgb_est, tmp_path / "m.txt")
    text = (tmp_path / "m.txt").read_text()
    (tmp_path / "newer.txt").write_text(text.replace(f'"version":{FORMAT_VERSION},', '"version":99,'))
    with pytest.raises(ValueError, match=r"format 99.*upgrade boostfocal"):
        bf.load_model(tmp_path / "newer.txt")
    if xgb is not None:
        with pytest.raises(ValueError, match="holds a lightgbm model"):
            FocalXGBClassifier().load_model(tmp_path / "m.txt")


@needs_xgb
def test_load_errors_xgboost(xgb_est: Any, tmp_path: Path) -> None:
    xgb_est.get_booster().save_model(tmp_path / "plain.json")
    with pytest.raises(ValueError, match="XGBoost model file without boostfocal state"):
        bf.load_model(tmp_path / "plain.json")
    xgb.XGBClassifier.save_model(xgb_est, tmp_path / "sk.ubj")  # XGBoost's own method
    with pytest.raises(ValueError, match="without boostfocal state"):
        FocalXGBClassifier().load_model(tmp_path / "sk.ubj")
    booster = xgb_est.get_booster().copy()
    booster.set_attr(boostfocal_init_score=None)  # as a booster that does not carry its initial score
    with pytest.raises(ValueError, match="gives 1 raw score"):
        bf.save_model(booster, tmp_path / "m.json", loss=bf.BinaryFocalLoss(), init_score=0.0)
    with pytest.raises(ValueError, match=r"init_score: .*shape \(3,\)"):
        bf.save_model(booster, tmp_path / "m.json", loss=bf.MulticlassFocalLoss(3), init_score=0.0)


def _same_param(a: Any, b: Any) -> bool:
    """Equal values of the same type (NaN equal to NaN, arrays compared by dtype and values)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, float) and np.isnan(a):
        return bool(np.isnan(b))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same_param(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_param(a[k], b[k]) for k in a)
    return bool(a == b)


@pytest.mark.parametrize(
    "engine", [pytest.param("lightgbm", marks=needs_lgb), pytest.param("xgboost", marks=needs_xgb)]
)
def test_parameters_keep_their_values_and_types(engine: str, tmp_path: Path) -> None:
    """Tuples stay tuples, arrays arrays (dtype included), NaN (XGBoost's ``missing``) NaN, and a
    dict with non-string keys keeps its keys."""
    Xtr, ytr, _, _ = _multiclass()
    alpha = np.array([0.25, 0.5, 0.25], dtype=np.float32)
    if engine == "lightgbm":
        est = FocalLGBMClassifier(alpha=alpha, class_weight={0.0: 1.0, 1.0: 2.0, 2.0: 0.5}, n_estimators=3, n_jobs=1)
        est.set_params(verbose=-1, min_child_samples=np.int64(5), subsample=np.float64(0.9))
    else:
        est = FocalXGBClassifier(alpha=alpha, missing=np.nan, n_estimators=3, n_jobs=1, max_depth=3)
        est.set_params(feature_weights=np.linspace(0.5, 1.0, 8), monotone_constraints=(1, 0, 0, 0, 0, 0, 0, -1))
    est.fit(Xtr, ytr)
    path = tmp_path / ("m.txt" if engine == "lightgbm" else "m.ubj")
    bf.save_model(est, path)
    loaded = bf.load_model(path)
    want, got = est.get_params(deep=False), loaded.get_params(deep=False)
    assert want.keys() == got.keys()
    different = {k: (want[k], got[k]) for k in want if not _same_param(want[k], got[k])}
    # numpy scalars come back as the Python numbers they equal
    assert all(isinstance(w, np.generic) and w == g for w, g in different.values()), different
