"""Multilabel focal models on the engines: XGBoost (one model, vector leaves or one tree per label),
LightGBM (one booster per label) and both estimators fitted on a 2-D 0/1 ``y``.

* gamma = 0 with ``alpha=None`` *is* the engine's own logistic loss per label: XGBoost's built-in
  ``binary:logistic`` on the same ``(n, L)`` label matrix and the same ``base_margin`` (both
  ``multi_strategy`` values), LightGBM's ``binary`` on each label's column;
* the recovered posteriors are calibrated on :func:`boostfocal.datasets.make_multilabel_fraud`,
  whose true probabilities are known, and closer to them than the plain sigmoid of the margins;
* the estimators are multilabel estimators as scikit-learn defines them (its multilabel checks
  run here by name), round-trip through ``bf.save_model`` / ``bf.load_model`` in a fresh process,
  carry their initial score inside the booster, and refuse bad targets before training.

Multilabel XGBoost models need XGBoost >= 3.1 (a vector intercept); on an older XGBoost the
XGBoost tests check the refusal and skip the rest.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import boostfocal as bf
from boostfocal.datasets import make_multilabel_fraud

lgb = pytest.importorskip("lightgbm")
xgb = pytest.importorskip("xgboost")

from boostfocal import lightgbm as bfl  # noqa: E402
from boostfocal import xgboost as bfx  # noqa: E402

ROOT = Path(bf.__file__).resolve().parents[1]
RATES = (0.1, 0.05, 0.03)
needs_vector_intercept = pytest.mark.skipif(
    not bfx.VECTOR_INTERCEPT,
    reason=f"multilabel XGBoost models need XGBoost >= 3.1 (vector base_score); installed {xgb.__version__}",
)
STRATEGIES = ["one_output_per_tree", "multi_output_tree"]


def data(n: int = 3000, seed: int = 0, proba: bool = False) -> tuple[Any, ...]:
    out = make_multilabel_fraud(n, positive_rates=RATES, random_state=seed, return_proba=proba)
    return out if proba else out[:2]


def weights(n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.2, 3.0, size=n)


# --------------------------------------------------------------------------------------
# gamma = 0, alpha = None: the engines' own logistic loss per label
# --------------------------------------------------------------------------------------

#: Measured (XGBoost 3.2, 3000 rows, 20 rounds, weighted or not): max |raw diff| 1.43e-6
#: (one_output_per_tree) and 9.5e-7 (multi_output_tree); the gradients are float32 in both, summed
#: in different orders (50 rounds on 2000 rows: 1.2e-6 / 1.4e-6).  The binary equivalence test
#: allows 1e-6 on one output; this allows 2e-6 on three.
XGB_RAW_TOL = 2e-6


@needs_vector_intercept
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_xgboost_gamma0_equals_binary_logistic(strategy: str, weighted: bool, record_error) -> None:
    X, Y = data()
    n, k = Y.shape
    w = weights(n) if weighted else None
    loss = bf.MultilabelFocalLoss(k, alpha=None, gamma=0.0)
    z0 = loss.init_score(Y, w)
    params = {"tree_method": "hist", "max_depth": 3, "multi_strategy": strategy, "nthread": 1}
    ours = xgb.train(params, bfx.dmatrix(X, Y, loss, weight=w), 20, obj=bfx.objective(loss))
    margin = np.tile(z0, (n, 1))
    builtin = xgb.train(
        {**params, "objective": "binary:logistic"}, xgb.DMatrix(X, label=Y, weight=w, base_margin=margin), 20
    )
    raw_ours = bfx.predict_raw(ours, X, loss=loss, init_score=z0)
    raw_builtin = builtin.predict(xgb.DMatrix(X, base_margin=margin), output_margin=True)
    assert raw_ours.shape == raw_builtin.shape == (n, k)
    diff = float(np.max(np.abs(raw_ours - raw_builtin)))
    record_error(f"xgboost multilabel gamma=0 vs binary:logistic ({strategy})", diff)
    assert diff <= XGB_RAW_TOL
    # and the trees moved the margins: the comparison is not between two constants
    assert float(np.std(raw_ours[:, 0])) > 0.1


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_lightgbm_gamma0_equals_binary_per_booster(weighted: bool, record_error) -> None:
    X, Y = data()
    n, k = Y.shape
    w = weights(n) if weighted else None
    loss = bf.MultilabelFocalLoss(k, alpha=None, gamma=0.0)
    params = {"num_leaves": 7, "verbose": -1, "num_threads": 1, "deterministic": True, "force_row_wise": True}
    model = bfl.train_multilabel(params, X, Y, loss, 10, weight=w)
    z0 = loss.init_score(Y, w)
    raw = model.predict_raw(X)
    assert raw.shape == (n, k)
    worst = 0.0
    for label in range(k):
        train = lgb.Dataset(X, label=Y[:, label], weight=w, init_score=np.full(n, z0[label]))
        builtin = lgb.train({**params, "objective": "binary"}, train, 10)
        expected = builtin.predict(X, raw_score=True) + z0[label]
        worst = max(worst, float(np.max(np.abs(raw[:, label] - expected))))
    record_error("lightgbm multilabel gamma=0 vs binary per booster", worst)
    assert worst <= 1e-12


# --------------------------------------------------------------------------------------
# Calibration on known probabilities
# --------------------------------------------------------------------------------------


def cross_entropy(p_true: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Per-label mean of ``-(p log q + (1 - p) log(1 - q))``: the log-loss expected under the true
    probabilities ``p`` (minimised by ``q = p``)."""
    q = np.clip(q, 1e-15, 1 - 1e-15)
    return -(p_true * np.log(q) + (1 - p_true) * np.log1p(-q)).mean(axis=0)


def _fit(engine: str, strategy: str | None, **params: Any) -> Any:
    common = {"n_estimators": 60, "learning_rate": 0.1, **params}
    if engine == "lightgbm":
        return bfl.FocalLGBMClassifier(num_leaves=7, verbose=-1, n_jobs=1, **common)
    return bfx.FocalXGBClassifier(max_depth=3, multi_strategy=strategy, n_jobs=1, **common)


CASES = [("lightgbm", None), *[pytest.param("xgboost", s, marks=needs_vector_intercept) for s in STRATEGIES]]


@pytest.mark.parametrize(("engine", "strategy"), CASES)
def test_recovered_posterior_is_calibrated(engine: str, strategy: str | None) -> None:
    """gamma = 2 with per-label class weights: the recovered posterior is nearer the generator's
    true probabilities than the plain sigmoid (which gamma and alpha distort), and its mean
    matches the true mean of every label."""
    X, Y, _ = data(8000, seed=0, proba=True)
    Xt, _, Pt = data(20000, seed=1, proba=True)
    clf = _fit(engine, strategy, gamma=2.0, alpha=(0.4, 0.3, 0.25)).fit(X, Y)
    posterior = clf.predict_proba(Xt)
    link = clf.loss_.link(clf.predict_raw(Xt))
    ce_post, ce_link, ce_true = cross_entropy(Pt, posterior), cross_entropy(Pt, link), cross_entropy(Pt, Pt)
    assert posterior.shape == (Xt.shape[0], 3)
    assert np.all(ce_post < ce_link), (ce_post, ce_link)
    # the excess over the true probabilities' own log-loss is a fraction of the sigmoid's
    assert np.all(ce_post - ce_true < 0.5 * (ce_link - ce_true)), (ce_post - ce_true, ce_link - ce_true)
    np.testing.assert_allclose(posterior.mean(axis=0), Pt.mean(axis=0), rtol=0.2)


# --------------------------------------------------------------------------------------
# The estimators as scikit-learn multilabel estimators
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("engine", "strategy"), CASES)
def test_estimator_outputs(engine: str, strategy: str | None) -> None:
    X, Y = data(1500)
    clf = _fit(engine, strategy, n_estimators=8).fit(X, Y)
    n, k = Y.shape
    proba = clf.predict_proba(X)
    assert proba.shape == (n, k) and np.all((proba > 0) & (proba < 1))
    np.testing.assert_array_equal(clf.classes_, np.arange(k))
    pred = clf.predict(X)
    assert pred.shape == (n, k) and set(np.unique(pred)) <= {0, 1}
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))
    decision = clf.decision_function(X)
    np.testing.assert_array_equal(pred, (decision > 0).astype(int))
    np.testing.assert_allclose(proba, clf.loss_.posterior(clf.predict_raw(X)), rtol=0, atol=0)
    assert isinstance(clf.loss_, bf.MultilabelFocalLoss) and clf.loss_.num_labels == k
    np.testing.assert_array_equal(clf.init_score_, clf.loss_.init_score(Y))
    link = clf.set_params(probability="link").predict_proba(X)
    np.testing.assert_array_equal(link, clf.loss_.link(clf.predict_raw(X)))


@pytest.mark.parametrize(("engine", "strategy"), CASES)
def test_balanced_alpha_and_sample_weight(engine: str, strategy: str | None) -> None:
    X, Y = data(1500)
    w = weights(Y.shape[0])
    clf = _fit(engine, strategy, n_estimators=5, alpha="balanced").fit(X, Y, sample_weight=w)
    expected = bf.balanced_alpha(Y, sample_weight=w, multilabel=True)
    assert clf.loss_.alpha == expected
    assert clf.loss_.alpha != bf.balanced_alpha(Y, multilabel=True)  # the weights count
    np.testing.assert_array_equal(clf.init_score_, clf.loss_.init_score(Y, w))
    unweighted = _fit(engine, strategy, n_estimators=5, alpha="balanced").fit(X, Y)
    assert not np.allclose(unweighted.predict_raw(X), clf.predict_raw(X))


@pytest.mark.parametrize(("engine", "strategy"), CASES)
def test_initial_score_inside_the_booster(engine: str, strategy: str | None) -> None:
    """The plain engine's raw prediction is the full margin, ``predict_raw`` (alpha None: a non-zero
    initial score of every label)."""
    X, Y = data(1500)
    clf = _fit(engine, strategy, n_estimators=8).fit(X, Y)
    assert np.all(np.abs(clf.init_score_) > 0.5)
    raw = clf.predict_raw(X)
    if engine == "lightgbm":
        for label, booster in enumerate(clf.booster_.boosters):
            assert isinstance(booster, lgb.Booster)
            np.testing.assert_array_equal(booster.predict(X, raw_score=True), raw[:, label])
    else:
        plain = clf.get_booster().predict(xgb.DMatrix(X), output_margin=True)
        np.testing.assert_allclose(plain, raw, rtol=0, atol=1e-5)  # float32 intercept and trees


@pytest.mark.parametrize(("engine", "strategy"), CASES)
def test_estimator_fitted_on_a_frame_has_its_feature_names(engine: str, strategy: str | None) -> None:
    """A DataFrame's columns become ``feature_names_in_`` (LightGBM: its read-only property, read
    from the label boosters); fitted on an array, the estimator has none."""
    pd = pytest.importorskip("pandas")
    if engine == "lightgbm" and not hasattr(lgb.LGBMClassifier, "feature_names_in_"):
        pytest.skip("LightGBM < 4.6's LGBMClassifier has no feature_names_in_ (it has feature_name_)")
    X, Y = data(600)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    clf = _fit(engine, strategy, n_estimators=3).fit(frame, Y)
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    assert clf.n_features_in_ == X.shape[1]
    assert clf.predict_proba(frame).shape == Y.shape
    assert not hasattr(_fit(engine, strategy, n_estimators=3).fit(X, Y), "feature_names_in_")


@needs_vector_intercept
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_xgboost_early_stopping_on_the_multilabel_metric(strategy: str) -> None:
    X, Y = data(3000)
    Xv, Yv = data(2000, seed=5)
    clf = _fit("xgboost", strategy, n_estimators=300, learning_rate=0.3, early_stopping_rounds=5)
    clf.fit(X, Y, eval_set=[(Xv, Yv)], verbose=False)
    assert clf.best_iteration < 299
    curve = clf.evals_result()["validation_0"][clf.loss_.name]
    raw = clf.predict_raw(Xv, iteration_range=(0, clf.best_iteration + 1))
    assert abs(curve[clf.best_iteration] - clf.loss_.mean_loss(Yv, raw)) < 1e-6
    assert curve[clf.best_iteration] == min(curve)


def test_lightgbm_early_stopping_per_label() -> None:
    X, Y = data(3000)
    Xv, Yv = data(2000, seed=5)
    clf = _fit("lightgbm", None, n_estimators=300, learning_rate=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # LightGBM >= 4.7 prefers eval_X / eval_y
        warnings.simplefilter("ignore", DeprecationWarning)
        clf.fit(X, Y, eval_set=[(Xv, Yv)], callbacks=[lgb.early_stopping(5, verbose=False)])
    best = clf.booster_.best_iterations  # each label's own; best_iteration_ is their largest, as an int
    assert len(best) == 3 and all(0 < b < 300 for b in best)
    assert clf.best_iteration_ == max(best) and isinstance(clf.best_iteration_, int)
    for label, booster in enumerate(clf.booster_.boosters):
        binary = clf.loss_.binary_loss(label)
        raw = booster.predict(Xv, raw_score=True, num_iteration=best[label])
        record = clf.evals_result_[f"label_{label}"]["valid_0"][binary.name]
        assert abs(record[best[label] - 1] - float(np.mean(binary.loss(Yv[:, label], raw)))) < 1e-9


@pytest.mark.parametrize(("engine", "strategy"), CASES)
def test_sklearn_multilabel_checks(engine: str, strategy: str | None) -> None:
    """scikit-learn's multilabel checks, by name (test_estimators.py runs the whole suite, which
    includes them since the tags say multilabel): the same predictions for a list, an array and a
    sparse indicator ``y``; ``predict`` an ``(n, L)`` indicator of ``y``'s dtype; ``predict_proba``
    an ``(n, L)`` array of probabilities (scikit-learn accepts it or a list of ``L`` ``(n, 2)``
    arrays; we return the array, as ``OneVsRestClassifier`` and ``MLPClassifier`` do);
    ``decision_function`` ``(n, L)`` floats."""
    from sklearn.utils import estimator_checks as ec

    names = [
        "check_classifiers_multilabel_representation_invariance",
        "check_classifiers_multilabel_output_format_predict",
        "check_classifiers_multilabel_output_format_predict_proba",
        "check_classifiers_multilabel_output_format_decision_function",
    ]
    clf = _fit(engine, strategy, n_estimators=2)
    ran = 0
    for name in names:
        check = getattr(ec, name, None)
        if check is None:  # not in this scikit-learn
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            check(type(clf).__name__, clf)
        ran += 1
    assert ran >= 3


# --------------------------------------------------------------------------------------
# Saving and loading, read in a fresh process
# --------------------------------------------------------------------------------------

_LOADER = r"""
import json, sys
import numpy as np
import boostfocal as bf
spec = json.loads(sys.argv[1])
X = np.load(spec["X"])
out = {}
for name, path in spec["models"].items():
    clf = bf.load_model(path)
    out[name] = {"proba": clf.predict_proba(X).tolist(), "pred": clf.predict(X).tolist(),
                 "classes": clf.classes_.tolist(), "loss": repr(clf.loss_)}
    if name == "lightgbm":
        import lightgbm as lgb
        out[name]["plain"] = [lgb.Booster(model_file=f"{path}/label_{l}.txt").predict(X, raw_score=True).tolist()
                              for l in range(clf.loss_.num_labels)]
    else:
        import xgboost as xgb
        out[name]["plain"] = xgb.Booster(model_file=path).predict(xgb.DMatrix(X), output_margin=True).tolist()
print(json.dumps(out))
"""


def test_save_load_round_trip_in_a_fresh_process(tmp_path: Path) -> None:
    X, Y = data(1500)
    models = {"lightgbm": _fit("lightgbm", None, n_estimators=6, alpha=(0.3, 0.6, 0.8))}
    if bfx.VECTOR_INTERCEPT:
        models["xgb_vector_leaves"] = _fit("xgboost", "multi_output_tree", n_estimators=6, alpha="balanced")
        models["xgb_per_label"] = _fit("xgboost", "one_output_per_tree", n_estimators=6, gamma=1.0)
    paths = {}
    for name, clf in models.items():
        clf.fit(X, Y)
        path = tmp_path / ("lgb_model" if name == "lightgbm" else f"{name}.ubj")
        bf.save_model(clf, path)
        paths[name] = str(path)
    assert sorted(p.name for p in (tmp_path / "lgb_model").iterdir()) == [
        "boostfocal.json",
        "label_0.txt",
        "label_1.txt",
        "label_2.txt",
    ]
    np.save(tmp_path / "X.npy", X)
    spec = json.dumps({"X": str(tmp_path / "X.npy"), "models": paths})
    done = subprocess.run(
        [sys.executable, "-c", _LOADER, spec], capture_output=True, text=True, cwd=ROOT, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    for name, clf in models.items():
        got = loaded[name]
        np.testing.assert_array_equal(np.array(got["proba"]), clf.predict_proba(X))  # bit for bit
        np.testing.assert_array_equal(np.array(got["pred"]), clf.predict(X))
        assert got["classes"] == [0, 1, 2] and got["loss"] == repr(clf.loss_)
        plain = np.array(got["plain"])
        plain = plain.T if name == "lightgbm" else plain
        np.testing.assert_allclose(plain, clf.predict_raw(X), rtol=0, atol=0 if name == "lightgbm" else 1e-5)


def test_lightgbm_multilabel_booster_saved_and_pickled(tmp_path: Path) -> None:
    import pickle

    X, Y = data(1500)
    loss = bf.MultilabelFocalLoss(3, alpha=0.4)
    model = bfl.train_multilabel({"verbose": -1, "num_threads": 1}, X, Y, loss, 5)
    np.testing.assert_array_equal(model.init_score, loss.init_score(Y))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict_proba(X), model.predict_proba(X))
    bf.save_model(model, tmp_path / "m")
    clf = bf.load_model(tmp_path / "m")
    assert isinstance(clf, bfl.FocalLGBMClassifier) and clf.loss_ == loss
    np.testing.assert_array_equal(clf.predict_proba(X), model.predict_proba(X))
    # each label's file is a binary boostfocal model of its own
    one = bf.load_model(tmp_path / "m" / "label_1.txt")
    np.testing.assert_array_equal(one.predict_raw(X), model.predict_raw(X)[:, 1])
    with pytest.raises(ValueError, match="is a file"):
        bf.save_model(model, tmp_path / "m" / "label_1.txt")


# --------------------------------------------------------------------------------------
# Bad input: clear errors before training
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("engine", "strategy"), [("lightgbm", None), ("xgboost", "one_output_per_tree")])
def test_bad_targets_are_refused(engine: str, strategy: str | None) -> None:
    if engine == "xgboost" and not bfx.VECTOR_INTERCEPT:
        pytest.skip("multilabel XGBoost is refused as a whole below 3.1 (test_old_xgboost_refuses_multilabel)")
    X, Y = data(600)
    clf = _fit(engine, strategy, n_estimators=3)
    single = Y.copy()
    single[:, 1] = 0
    with pytest.raises(ValueError, match=r"column 1 holds a single class"):
        clf.fit(X, single)
    bad = Y.copy()
    bad[0, 2] = 2
    with pytest.raises(ValueError, match=r"only 0 and 1 .* found \[2\] in columns \[2\]"):
        clf.fit(X, bad)
    with pytest.raises(TypeError, match="numeric 0/1 indicator"):
        clf.fit(X, np.where(Y == 1, "yes", "no"))
    with pytest.raises(ValueError, match="eval_set y"):
        clf.fit(X, Y, eval_set=[(X, Y[:, :2])])
    if engine == "lightgbm":  # XGBClassifier has no class_weight
        with pytest.raises(ValueError, match="class_weight is not supported with a multilabel y"):
            clf.set_params(class_weight="balanced").fit(X, Y)
    assert not hasattr(clf, "loss_")  # nothing trained, nothing set
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples|Found input variables"):
        _fit(engine, strategy, n_estimators=3).fit(X, Y[:-1])


def test_engine_helpers_refuse_a_1d_multiclass_target() -> None:
    """A 1-D target of several classes given to a multilabel loss: the user meant multiclass."""
    X, Y = data(600)
    y = Y.argmax(axis=1) + Y.any(axis=1)  # classes 0..3
    loss = bf.MultilabelFocalLoss(3)
    with pytest.raises(ValueError, match="use MulticlassFocalLoss"):
        bfl.train_multilabel({"verbose": -1}, X, y, loss, 3)
    if bfx.VECTOR_INTERCEPT:
        with pytest.raises(ValueError, match="use MulticlassFocalLoss"):
            bfx.dmatrix(X, y, loss)
    with pytest.raises(TypeError, match="multilabel loss"):
        bfl.train_multilabel({"verbose": -1}, X, Y, bf.BinaryFocalLoss(), 3)
    with pytest.raises(ValueError, match="must not set the objective"):
        bfl.train_multilabel({"objective": "binary"}, X, Y, loss, 3)


@pytest.mark.skipif(bfx.VECTOR_INTERCEPT, reason="this XGBoost has a vector intercept: multilabel is supported")
def test_old_xgboost_refuses_multilabel() -> None:
    X, Y = data(600)
    loss = bf.MultilabelFocalLoss(3)
    for call in (lambda: bfx.objective(loss), lambda: bfx.dmatrix(X, Y, loss)):
        with pytest.raises(ValueError, match=r"XGBoost >= 3\.1"):
            call()
    clf = bfx.FocalXGBClassifier(n_estimators=3)
    with pytest.raises(ValueError, match=r"XGBoost >= 3\.1 .* installed XGBoost is " + xgb.__version__):
        clf.fit(X, Y)
    assert not hasattr(clf, "loss_")


@needs_vector_intercept
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_xgboost_continued_training(strategy: str) -> None:
    """``xgb_model=`` continues from the full margin the first model carries: its first trees
    predict what the first model predicts, and 8 + 8 trees reach a training loss as low as 16."""
    X, Y = data(1500)
    first = _fit("xgboost", strategy, n_estimators=8).fit(X, Y)
    more = _fit("xgboost", strategy, n_estimators=8).fit(X, Y, xgb_model=first)
    np.testing.assert_allclose(more.predict_raw(X, iteration_range=(0, 8)), first.predict_raw(X), rtol=0, atol=1e-5)
    np.testing.assert_array_equal(more.init_score_, first.init_score_)
    scratch = _fit("xgboost", strategy, n_estimators=16).fit(X, Y)
    loss = first.loss_
    continued, from_scratch = loss.mean_loss(Y, more.predict_raw(X)), loss.mean_loss(Y, scratch.predict_raw(X))
    assert continued < loss.mean_loss(Y, first.predict_raw(X))
    assert abs(continued - from_scratch) <= 0.02 * from_scratch


def test_lightgbm_single_booster_helpers_refuse_a_multilabel_loss() -> None:
    """LightGBM has no multi-output trees: its one-booster helpers point to train_multilabel."""
    X, Y = data(300)
    loss = bf.MultilabelFocalLoss(3)
    for call in (lambda: bfl.objective(loss), lambda: bfl.metric(loss), lambda: bfl.dataset(X, Y, loss)):
        with pytest.raises(ValueError, match="train_multilabel"):
            call()
