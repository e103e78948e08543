"""What the estimators return on every raw-output path, and what they refuse before training.

* every raw-output path (``decision_function``, ``predict(raw_score=True)`` /
  ``predict(output_margin=True)``, ``predict_raw``) includes ``init_score_``; LightGBM's feature
  contributions (``pred_contrib=True``) carry it in the bias column, so each row sums to its
  margin; ``pred_leaf=True`` passes through;
* the initial score and ``alpha="balanced"`` see the weights training applies (LightGBM's
  ``class_weight`` times ``sample_weight``): at ``gamma = 0`` the estimator is
  ``LGBMClassifier(class_weight=...)``, started from its own average;
* labels are checked as scikit-learn's ``type_of_target`` does, before they are encoded;
* built-in engine metrics computed on raw focal margins are refused (binary rank metrics pass);
* clear messages for mismatched lengths, empty data, complex labels, zero-weight eval sets.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from _engine_data import binary_table, multiclass_table, sample_weights

import boostfocal as bf

try:
    import lightgbm as lgb

    from boostfocal import lightgbm as bfl
    from boostfocal.lightgbm import FocalLGBMClassifier
except ImportError:  # pragma: no cover - exercised only without lightgbm
    lgb = bfl = FocalLGBMClassifier = None  # type: ignore[assignment]

try:
    import xgboost as xgb

    from boostfocal.xgboost import FocalXGBClassifier
except ImportError:  # pragma: no cover - exercised only without xgboost
    xgb = FocalXGBClassifier = None  # type: ignore[assignment]

LGB = pytest.mark.skipif(lgb is None, reason="lightgbm not installed")
XGB = pytest.mark.skipif(xgb is None, reason="xgboost not installed")
ENGINES = [pytest.param("lightgbm", marks=LGB), pytest.param("xgboost", marks=XGB)]


def focal(engine: str, n_estimators: int = 10, **kwargs: Any) -> Any:
    if engine == "lightgbm":
        base = {"num_leaves": 15, "n_jobs": 1, "verbose": -1, "random_state": 0, "deterministic": True}
        return FocalLGBMClassifier(**{**base, "n_estimators": n_estimators, **kwargs})
    base = {"max_depth": 4, "n_jobs": 1, "random_state": 0, "tree_method": "hist"}
    return FocalXGBClassifier(**{**base, "n_estimators": n_estimators, **kwargs})


def data(kind: str, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    return binary_table(n) if kind == "binary" else multiclass_table(n)


# --------------------------------------------------------------------------------------
# Raw outputs include the initial score
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "alpha"), [("binary", 0.1), ("binary", None), ("multiclass", None), ("multiclass", (1.0, 3.0, 0.3))]
)
@pytest.mark.parametrize("engine", ENGINES)
def test_every_raw_output_includes_the_init_score(engine: str, kind: str, alpha: Any) -> None:
    X, y = data(kind)
    est = focal(engine, 20, alpha=alpha).fit(X, y)
    raw = est.predict_raw(X)
    assert np.max(np.abs(np.asarray(est.init_score_))) > 0.1  # the init score matters here
    np.testing.assert_allclose(est.decision_function(X), est.loss_.posterior_logit(raw), rtol=0, atol=0)
    link = focal(engine, 20, alpha=alpha, probability="link").fit(X, y)
    np.testing.assert_array_equal(link.decision_function(X), link.predict_raw(X))
    if engine == "lightgbm":
        np.testing.assert_array_equal(est.predict(X, raw_score=True), raw)
        np.testing.assert_array_equal(est.predict_proba(X, raw_score=True), raw)
    else:
        np.testing.assert_array_equal(est.predict(X, output_margin=True), raw)
    # scikit-learn's contract, whatever the class weights: the sign (binary) or arg-max
    # (multiclass) of decision_function is predict's class (the raw margin's is not when alpha
    # moves the posterior's 1/2 point away from margin 0)
    for model in (est, link):
        dec = model.decision_function(X)
        pred_idx = (dec > 0).astype(int) if kind == "binary" else np.argmax(dec, axis=1)
        np.testing.assert_array_equal(model.classes_[pred_idx], model.predict(X))


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
@LGB
def test_lightgbm_contributions_sum_to_the_full_margin(kind: str) -> None:
    """``pred_contrib=True`` (SHAP values): the bias column carries ``init_score_``."""
    X, y = data(kind, 1500)
    est = focal("lightgbm", 15, alpha=0.2 if kind == "binary" else (1.0, 3.0, 0.5)).fit(X, y)
    raw = est.predict_raw(X)
    contrib = est.predict(X, pred_contrib=True)
    assert np.array_equal(est.predict_proba(X, pred_contrib=True), contrib)
    f = X.shape[1]
    if kind == "binary":
        assert contrib.shape == (1500, f + 1)
        np.testing.assert_allclose(contrib.sum(axis=1), raw, rtol=0, atol=1e-9)
        # the booster carries init_score_: its own contributions are the estimator's, and the bias
        # column is the trees' expected value, init_score_ included
        np.testing.assert_array_equal(est.booster_.predict(X, pred_contrib=True), contrib)
        assert abs(contrib[0, -1] - est.init_score_) < abs(est.init_score_)
    else:
        assert contrib.shape == (1500, 3 * (f + 1))
        sums = contrib.reshape(1500, 3, f + 1).sum(axis=2)
        np.testing.assert_allclose(sums, raw, rtol=0, atol=1e-9)
    # sparse input: LightGBM returns sparse contributions; the bias is added there too
    import scipy.sparse as sp

    sparse = est.predict(sp.csr_matrix(X[:50]), pred_contrib=True)
    dense = sparse if kind == "binary" else sp.hstack(sparse)
    np.testing.assert_allclose(dense.toarray(), contrib[:50], rtol=0, atol=1e-12)
    # pred_leaf passes through unchanged
    leaves = est.predict(X, pred_leaf=True)
    np.testing.assert_array_equal(leaves, est.booster_.predict(X, pred_leaf=True))
    np.testing.assert_array_equal(est.predict_proba(X, pred_leaf=True), leaves)


# --------------------------------------------------------------------------------------
# Weights: class_weight and sample_weight in the initial score and alpha="balanced"
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "class_weight", "weighted"),
    [
        ("binary", "balanced", False),
        ("binary", {0.0: 1.0, 1.0: 5.0}, True),
        ("multiclass", "balanced", True),
        ("multiclass", {0: 3.0, 1: 1.0, 2: 0.2}, False),
    ],
)
@LGB
def test_lightgbm_class_weight_at_gamma0_is_lgbmclassifier(kind: str, class_weight: Any, weighted: bool) -> None:
    """``FocalLGBMClassifier(gamma=0, class_weight=...)`` is ``LGBMClassifier(class_weight=...)``
    starting from its own (weighted) average: probabilities equal to float rounding."""
    X, y = data(kind, 4000)
    w = sample_weights(4000) if weighted else None
    params = {"num_leaves": 15, "n_jobs": 1, "verbose": -1, "random_state": 0, "deterministic": True}
    params |= {"force_row_wise": True, "n_estimators": 30, "class_weight": class_weight}
    est = FocalLGBMClassifier(gamma=0.0, alpha=None, **params).fit(X, y, sample_weight=w)
    ref = lgb.LGBMClassifier(**params).fit(X, y, sample_weight=w)
    diff = np.max(np.abs(est.predict_proba(X) - ref.predict_proba(X)))
    assert diff < 1e-6, diff  # 0.39 with init_score_ computed without the class weights
    # the initial score is the loss's own constant for the weights training applies
    from sklearn.utils.class_weight import compute_sample_weight

    w_train = compute_sample_weight(class_weight, y) * (1.0 if w is None else w)
    np.testing.assert_allclose(est.init_score_, est.loss_.init_score(y, w_train), rtol=1e-15)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
@LGB
def test_lightgbm_balanced_alpha_sees_the_class_weights(kind: str) -> None:
    X, y = data(kind, 1500)
    w = sample_weights(1500)
    cw = {0.0: 2.0, 1.0: 0.5} if kind == "binary" else {0: 2.0, 1: 0.5, 2: 1.0}
    est = focal("lightgbm", 5, alpha="balanced", class_weight=cw).fit(X, y, sample_weight=w)
    rows = np.array([cw[k] for k in y]) * w
    expected = bf.balanced_alpha(y.astype(int), None if kind == "binary" else 3, rows)
    assert est.loss_.alpha == pytest.approx(expected, rel=1e-14)


# --------------------------------------------------------------------------------------
# Labels checked before encoding
# --------------------------------------------------------------------------------------

BAD_TARGETS = {
    "nan": lambda y: np.where(np.arange(y.size) == 3, np.nan, y),
    "inf": lambda y: np.where(np.arange(y.size) == 3, np.inf, y),
    "half": lambda y: np.where(np.arange(y.size) == 3, 0.5, y),
    "none": lambda y: np.where(np.arange(y.size) == 3, None, y.astype(object)),
    "continuous": lambda y: np.random.default_rng(0).normal(size=y.size),
    "complex": lambda y: y + 1j,
}


@pytest.mark.parametrize("bad", list(BAD_TARGETS))
@pytest.mark.parametrize("engine", ENGINES)
def test_bad_targets_raise_before_encoding(engine: str, bad: str) -> None:
    X, y = binary_table(300)
    yb = BAD_TARGETS[bad](y)
    est = focal(engine, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning or other warning on the way
        with pytest.raises(ValueError, match=r"\by\b|Input y") as info:
            est.fit(X, yb)
    assert "class" in str(info.value) or "NaN" in str(info.value) or "infinity" in str(info.value)
    assert not hasattr(est, "loss_")


@pytest.mark.parametrize("engine", ENGINES)
def test_length_mismatch_and_empty_data(engine: str) -> None:
    X, y = binary_table(300)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        focal(engine, 3).fit(X, y[:299])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        focal(engine, 3).fit(X, y, sample_weight=np.ones(299))
    with pytest.raises(ValueError, match=r"\by\b is empty"):
        focal(engine, 3).fit(X[:0], y[:0])


# --------------------------------------------------------------------------------------
# Built-in metrics on raw margins
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "how", "name"),
    [
        pytest.param("lightgbm", "param", "binary_logloss", marks=LGB),
        pytest.param("lightgbm", "param", "auc,binary_error", marks=LGB),
        pytest.param("lightgbm", "fit", "binary_logloss", marks=LGB),
        pytest.param("lightgbm", "fit", ["auc", "cross_entropy"], marks=LGB),
        pytest.param("xgboost", "param", "logloss", marks=XGB),
        pytest.param("xgboost", "param", ["auc", "error"], marks=XGB),
    ],
)
def test_builtin_metrics_on_margins_are_refused(engine: str, how: str, name: Any) -> None:
    X, y = binary_table(500)
    if how == "param":
        est = focal(engine, 3, **({"metric": name} if engine == "lightgbm" else {"eval_metric": name}))
        fit_kwargs: dict[str, Any] = {}
    else:
        est, fit_kwargs = focal(engine, 3), {"eval_metric": name}
    with pytest.raises(ValueError, match=rf"boostfocal\.{engine}\.metric\(loss\)"):
        est.fit(X, y, eval_set=[(X, y)], **fit_kwargs)
    assert not hasattr(est, "loss_")


@pytest.mark.parametrize("engine", ENGINES)
def test_rank_metrics_and_the_default_metric_still_work(engine: str) -> None:
    X, y = binary_table(1000)
    Xv, yv = binary_table(300, seed=1)
    Xm, ym = multiclass_table(600)
    if engine == "lightgbm":
        est = focal(engine, 5, metric="auc").fit(X, y, eval_X=(Xv,), eval_y=(yv,), eval_metric="average_precision")
        names = set(est.evals_result_["valid_0"])
        assert names == {"focal_loss", "auc", "average_precision"}
        with pytest.raises(ValueError, match="multi_logloss"):  # no built-in metric for multiclass
            focal(engine, 3, metric="multi_logloss").fit(Xm, ym)
        with pytest.raises(ValueError, match="auc"):
            focal(engine, 3, metric="auc").fit(Xm, ym)
        stop = [lgb.early_stopping(3, verbose=False)]
        default = focal(engine, 200, learning_rate=0.5).fit(X, y, eval_X=(Xv,), eval_y=(yv,), callbacks=stop)
        assert list(default.evals_result_["valid_0"]) == ["focal_loss"]
        assert default.best_iteration_ < 200
        ours = bfl.metric(bf.BinaryFocalLoss(alpha=0.5, gamma=1.0))  # our metric objects keep working
        with_ours = focal(engine, 3).fit(X, y, eval_X=(Xv,), eval_y=(yv,), eval_metric=[ours, "auc"])
        assert set(with_ours.evals_result_["valid_0"]) == {"focal_loss", "auc"}
    else:
        est = focal(engine, 5, eval_metric=["auc", "aucpr"]).fit(X, y, eval_set=[(Xv, yv)], verbose=False)
        assert set(est.evals_result()["validation_0"]) == {"auc", "aucpr"}
        with pytest.raises(ValueError, match="mlogloss"):
            focal(engine, 3, eval_metric="mlogloss").fit(Xm, ym)
        default = focal(engine, 200, learning_rate=0.5, early_stopping_rounds=3)
        default.fit(X, y, eval_set=[(Xv, yv)], verbose=False)
        assert list(default.evals_result()["validation_0"]) == ["focal_loss"]
        assert default.best_iteration < 199
        from boostfocal import xgboost as bfx

        ours = focal(engine, 3, eval_metric=bfx.metric(bf.BinaryFocalLoss(alpha=0.5, gamma=1.0)))
        ours.fit(X, y, eval_set=[(Xv, yv)], verbose=False)
        assert list(ours.evals_result()["validation_0"]) == ["focal_loss"]


@LGB
def test_lgb_train_with_bfl_dataset_refuses_a_margin_metric() -> None:
    X, y = binary_table(500)
    loss = bf.BinaryFocalLoss()
    params = {"objective": bfl.objective(loss), "verbose": -1}
    with pytest.raises(ValueError, match="binary_logloss"):
        lgb.train({**params, "metric": "binary_logloss"}, bfl.dataset(X, y, loss), 2)
    booster = lgb.train({**params, "metric": "auc"}, bfl.dataset(X, y, loss), 2)
    assert booster.current_iteration() == 2
    # a built-in objective with a focal init score: its metrics see probabilities, not refused
    lgb.train({"objective": "binary", "metric": "binary_logloss", "verbose": -1}, bfl.dataset(X, y, loss), 2)


# --------------------------------------------------------------------------------------
# Bad labels through a Dataset; zero-weight eval sets
# --------------------------------------------------------------------------------------


@LGB
def test_bfl_dataset_checks_labels_even_with_an_init_score() -> None:
    """LightGBM turns a NaN label into 0 before the objective sees it; bfl.dataset checks first."""
    X, y = binary_table(300)
    yb = y.copy()
    yb[3] = np.nan
    loss = bf.BinaryFocalLoss()
    with pytest.raises(ValueError, match=r"\by\b"):
        bfl.dataset(X, yb, loss, init_score=0.0)
    with pytest.raises(ValueError, match=r"\by\b"):
        bfl.dataset(X, yb, loss)
    # and a plain lgb.Dataset indeed hands the objective a 0 for it (so the claim is limited to bfl.dataset)
    seen = {}

    class Spy(bfl._Objective):
        def __call__(self, a, b, weight=None):
            seen["label"] = b.get_label()[3]
            return super().__call__(a, b, weight)

    lgb.train({"objective": Spy(loss), "verbose": -1}, lgb.Dataset(X, yb), 1)
    assert seen["label"] == 0.0


@pytest.mark.parametrize("engine", ENGINES)
def test_zero_weight_eval_set_metric_raises_clearly(engine: str) -> None:
    X, y = binary_table(400)
    Xv, yv = binary_table(300, seed=1)
    est = focal(engine, 3)
    with pytest.raises(ValueError, match="weights of an evaluation set sum to 0"):
        if engine == "lightgbm":
            est.fit(X, y, eval_X=(Xv,), eval_y=(yv,), eval_sample_weight=[np.zeros(300)])
        else:
            est.fit(X, y, eval_set=[(Xv, yv)], sample_weight_eval_set=[np.zeros(300)], verbose=False)
