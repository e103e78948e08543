"""The tuner's search, headline, weights, categorical columns and parameter checks.

* the regularisation search: every row gets the same candidates, chosen on the inner validation
  split (the chosen candidate has the best validation score); the ``scale_pos_weight`` row gets its
  own search on top, which keeps it from diverging where LightGBM's fit with the plain ratio does;
* the plan: :func:`tuning.plan` counts the fits :func:`tune` runs, before running any;
* the headline comparison: focal row and baseline chosen inside each fold on the inner validation
  split (not the best means over the test folds), with the Nadeau-Bengio corrected t-test and its
  power computed by hand here;
* sample weights reach training, early stopping and the scores (integer weights = repeated rows
  for every score), and balanced alpha / scale_pos_weight use weighted totals;
* text and boolean columns are categorical for both engines; identifier-like columns are refused;
* engine parameters are checked before any fit (unknown names, reserved keys, bad values).
"""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

pytest.importorskip("lightgbm")
pytest.importorskip("xgboost")

from scipy import stats

from boostfocal import tuning
from boostfocal.datasets import make_fraud

SMALL = {"n_estimators": 15, "early_stopping_rounds": 5, "n_jobs": 1, "progress": False}


@pytest.fixture(scope="module")
def fraud() -> tuple[np.ndarray, np.ndarray]:
    return make_fraud(3_000, positive_rate=0.04, random_state=0)


@pytest.fixture(scope="module")
def searched(fraud: tuple[np.ndarray, np.ndarray]) -> tuning.TuneResult:
    X, y = fraud
    return tuning.tune(X, y, gammas=(2.0,), alphas=(None,), cv=3, random_state=1, **SMALL)


# --------------------------------------------------------------------------------------
# Regularisation search
# --------------------------------------------------------------------------------------


def test_every_row_gets_the_same_search_chosen_on_validation(searched: tuning.TuneResult) -> None:
    candidates = [dict(c) for c in tuning.DEFAULT_REGULARIZATION]
    # the default search of scale_pos_weight, started at margin 0 (LightGBM: boost_from_average=False)
    own = [{**c, "boost_from_average": False} for c in tuning.DEFAULT_SCALE_POS_WEIGHT_SEARCH]
    assert searched.settings["regularization"] == candidates
    assert searched.settings["scale_pos_weight_search"] == own
    assert {r.kind for r in searched.rows} == {"focal", "log-loss", "balanced CE", "scale_pos_weight"}
    for r in searched.rows:
        row_candidates = own if r.kind == "scale_pos_weight" else candidates
        chosen, val = r.extra["regularization"], r.extra["validation_scores"]
        assert len(chosen) == len(val) == 3
        for f, (choice, scores) in enumerate(zip(chosen, val, strict=True)):
            assert len(scores) == len(row_candidates)
            assert choice == row_candidates[int(np.nanargmax(scores))]  # the best on the inner validation split
            assert r.extra["validation_score"][f] == np.nanmax(scores)
    # the snippet trains with the candidate chosen most often
    params = searched.best_params()
    assert {k: params[k] for k in candidates[0]} in candidates


def test_search_equals_the_chosen_fixed_run(fraud: tuple[np.ndarray, np.ndarray], searched: tuning.TuneResult) -> None:
    """Each row's fold scores are those of the same fit with the chosen candidate fixed: the search
    adds a choice on the inner validation split and nothing else."""
    X, y = fraud
    candidates = [dict(c) for c in tuning.DEFAULT_REGULARIZATION]
    own = searched.settings["scale_pos_weight_search"]
    small = {**SMALL, "regularization": None}
    fixed = [tuning.tune(X, y, gammas=(2.0,), alphas=(None,), cv=3, random_state=1, **small, **c) for c in candidates]
    # the scale_pos_weight row with each candidate of its own search alone
    fixed_spw = [
        tuning.tune(X, y, gammas=(), alphas=(), cv=3, random_state=1, scale_pos_weight_search=[o], **small) for o in own
    ]
    for row in searched.rows:
        runs, options = (fixed_spw, own) if row.kind == "scale_pos_weight" else (fixed, candidates)
        for f, choice in enumerate(row.extra["regularization"]):
            ref = next(r for r in runs[options.index(choice)].rows if r.name == row.name)
            assert ref.name == row.name
            for m in [*tuning.METRICS, "best_iteration"]:
                assert row.scores[m][f] == ref.scores[m][f], (row.name, f, m)


def test_a_fixed_parameter_leaves_the_default_search(fraud: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = fraud
    res = tuning.tune(X, y, gammas=(2.0,), alphas=(None,), baselines=False, cv=2, min_child_weight=5.0, **SMALL)
    assert res.settings["regularization"] == [{"reg_lambda": 0.0}, {"reg_lambda": 1.0}]
    assert res.best_params()["min_child_weight"] == 5.0
    aliased = tuning.tune(X, y, gammas=(2.0,), alphas=(), cv=2, min_sum_hessian_in_leaf=5.0, lambda_l2=2.0, **SMALL)
    assert aliased.settings["regularization"] == []  # both searched parameters fixed under their aliases
    with pytest.raises(ValueError, match="set it in one place"):
        tuning.tune(X, y, regularization=({"min_child_weight": 1.0},), min_child_weight=5.0, **SMALL)


# --------------------------------------------------------------------------------------
# Headline comparison
# --------------------------------------------------------------------------------------


def _chosen_by_hand(rows: list[Any], fold: int) -> Any:
    """The row with the highest validation PR-AUC in ``fold``; ties to the earlier row."""
    best = rows[0]
    for r in rows[1:]:
        if r.extra["validation_score"][fold] > best.extra["validation_score"][fold]:
            best = r
    return best


def test_headline_chooses_inside_each_fold(searched: tuning.TuneResult) -> None:
    """Per fold, the focal row (gamma > 0) and the baseline with the best inner-validation score;
    the differences are those two rows' test scores on that fold; the corrected test by hand."""
    comp = searched.comparison
    assert comp is not None
    focal_rows = [r for r in searched.rows if r.kind == "focal" and r.gamma > 0]
    base_rows = [r for r in searched.rows if r.kind in ("log-loss", "balanced CE", "scale_pos_weight")]
    by_name = {r.name: r for r in searched.rows}
    d = []
    for f, chosen in enumerate(comp.folds):
        focal, base = _chosen_by_hand(focal_rows, f), _chosen_by_hand(base_rows, f)
        assert chosen["focal"] == focal.name and chosen["baseline"] == base.name
        diff = (
            by_name[chosen["focal"]].scores["average_precision"][f]
            - by_name[chosen["baseline"]].scores["average_precision"][f]
        )
        assert chosen["difference"] == diff
        d.append(diff)
    d_arr = np.asarray(d)
    ratio = np.mean([te.size / (fi.size + va.size) for fi, va, te in searched.splits])
    assert ratio == pytest.approx(0.5, rel=0.01)  # 3 folds: test 1/3, training 2/3
    se = math.sqrt((1 / 3 + ratio) * d_arr.var(ddof=1))
    t = d_arr.mean() / se
    assert comp.differences == tuple(d)
    assert comp.corrected_se == pytest.approx(se)
    assert comp.t == pytest.approx(t)
    assert comp.dof == 2
    assert comp.p_value == pytest.approx(2 * stats.t.sf(abs(t), 2))
    assert comp.wins == int((d_arr > 0).sum())
    word = "better" if comp.p_value < 0.05 and d_arr.mean() > 0 else ("worse" if comp.p_value < 0.05 else "not")
    assert word in comp.verdict and comp.verdict in searched.headline()
    data = searched.to_dict()["comparison"]
    assert data["verdict"] == comp.verdict and data["p_value"] == pytest.approx(comp.p_value)
    assert data["folds"] == [dict(f) for f in comp.folds]
    # balanced CE (focal gamma=0) is a baseline, and the headline says so
    assert "balanced CE = focal gamma=0" in searched.headline()


def _hand_result(rows: list[Any], n_folds: int = 3, settings: dict[str, Any] | None = None) -> tuning.TuneResult:
    from boostfocal.tuning._result import TuneResult

    idx = np.arange(12 * n_folds)
    splits = [(idx[: 6 * n_folds], idx[6 * n_folds : 8 * n_folds], idx[8 * n_folds :]) for _ in range(n_folds)]
    return TuneResult(rows, "average_precision", "lightgbm", np.array([0, 1]), settings or {}, splits)


def _row(kind: str, gamma: Any, test: list[float], val: list[float]) -> Any:
    from boostfocal.tuning._result import ConfigResult

    return ConfigResult(kind, gamma, None, scores={"average_precision": test}, extra={"validation_score": val})


def test_headline_is_not_the_best_of_the_test_means() -> None:
    """The winner's curse: the focal row with the best mean over the test folds is not the one the
    headline compares; it compares the rows chosen on each fold's inner validation split."""
    rows = [
        # a lucky row: best on the test folds, worst on validation
        _row("focal", 1.0, [0.60, 0.62, 0.61], [0.30, 0.31, 0.29]),
        _row("focal", 2.0, [0.50, 0.49, 0.51], [0.40, 0.41, 0.42]),
        _row("log-loss", None, [0.52, 0.50, 0.50], [0.38, 0.40, 0.39]),
        _row("balanced CE", 0.0, [0.51, 0.55, 0.49], [0.39, 0.39, 0.40]),
    ]
    res = _hand_result(rows)
    assert res.best_focal is rows[0]  # the best mean: a description only
    comp = res.comparison
    assert comp is not None
    assert [f["focal"] for f in comp.folds] == ["focal gamma=2 alpha=none"] * 3
    assert [f["baseline"] for f in comp.folds] == ["balanced CE", "log-loss", "balanced CE"]
    assert comp.differences == (0.50 - 0.51, 0.49 - 0.50, 0.51 - 0.49)
    assert [f["difference"] for f in comp.folds] == list(comp.differences)
    assert res.times_chosen() == {
        "focal gamma=1 alpha=none": 0,
        "focal gamma=2 alpha=none": 3,
        "log-loss": 1,
        "balanced CE": 2,
    }


def test_power_of_the_test_against_a_direct_computation() -> None:
    """Not significant: the smallest detectable difference is t_{0.975, J-1} times the corrected se,
    and the repeats advised are the fewest at which the observed mean passes that bound."""
    d = np.array([0.02, -0.01, 0.03])
    ratio = 0.5
    var = d.var(ddof=1)
    se = math.sqrt((1 / 3 + ratio) * var)
    assert tuning.minimum_detectable_difference(var, 3, ratio) == pytest.approx(stats.t.ppf(0.975, 2) * se, rel=1e-12)

    def detectable(j: int) -> float:
        return stats.t.ppf(0.975, j - 1) * math.sqrt((1 / j + ratio) * var)

    m = d.mean()
    floor = stats.norm.ppf(0.975) * math.sqrt(ratio * var)
    assert m < floor  # out of reach of any number of repeats at this variance
    assert tuning.repeats_needed(m, var, 3, ratio) is None
    big = 1.5 * floor
    r = tuning.repeats_needed(big, var, 3, ratio)
    assert r is not None and r > 1
    assert big > detectable(3 * r) and big <= detectable(3 * (r - 1))

    rows = [
        _row("focal", 2.0, list(0.5 + d), [0.4, 0.4, 0.4]),
        _row("log-loss", None, [0.5, 0.5, 0.5], [0.3, 0.3, 0.3]),
    ]
    comp = _hand_result(rows, settings={"folds_per_repeat": 3}).comparison
    assert comp is not None and not comp.significant
    test_ratio = 4 / 8  # the hand-made splits: 4 test rows per fold, 8 training rows
    assert comp.minimum_detectable == pytest.approx(
        stats.t.ppf(0.975, 2) * math.sqrt((1 / 3 + test_ratio) * var), rel=1e-9
    )
    assert f"at least {comp.minimum_detectable:.4f}" in comp.summary()
    assert "no number of repeats" in comp.summary()
    # a clearer difference, still not significant on 3 folds: the repeats that would reach it
    rows[0] = _row("focal", 2.0, [0.55, 0.53, 0.57], [0.4, 0.4, 0.4])
    comp = _hand_result(rows, settings={"folds_per_repeat": 3}).comparison
    assert comp is not None and not comp.significant
    dd = np.array([0.05, 0.03, 0.07])
    r = comp.repeats_needed
    assert r is not None
    assert dd.mean() > stats.t.ppf(0.975, 3 * r - 1) * math.sqrt((1 / (3 * r) + test_ratio) * dd.var(ddof=1))
    assert dd.mean() <= stats.t.ppf(0.975, 3 * (r - 1) - 1) * math.sqrt(
        (1 / (3 * (r - 1)) + test_ratio) * dd.var(ddof=1)
    )
    assert f"--repeats {r}" in comp.summary()


def test_nadeau_bengio_edge_cases() -> None:
    se, t, p = tuning.nadeau_bengio([0.25, 0.25, 0.25], 0.5)
    assert se == 0.0 and t == math.inf and p == 0.0
    assert tuning.nadeau_bengio([0.0, 0.0], 0.5)[2] == 1.0
    # the correction: more overlap (larger n_test/n_train) means a larger standard error
    assert tuning.nadeau_bengio([0.1, -0.05, 0.2], 1.0)[0] > tuning.nadeau_bengio([0.1, -0.05, 0.2], 0.1)[0]


def test_repeats_give_more_folds(fraud: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = fraud
    res = tuning.tune(X, y, gammas=(2.0,), alphas=(None,), cv=2, repeats=2, regularization=None, **SMALL)
    assert res.settings["n_splits"] == 4 and res.settings["folds_per_repeat"] == 2
    assert res.comparison is not None and res.comparison.dof == 3 and res.comparison.folds_per_repeat == 2


# --------------------------------------------------------------------------------------
# Sample weights
# --------------------------------------------------------------------------------------


def test_weighted_scores_equal_repeated_rows() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.2).astype(int)
    p1 = np.clip(0.3 * y + rng.random(400) * 0.7, 0, 1)
    proba = np.column_stack([1 - p1, p1])
    w = rng.integers(0, 4, size=400).astype(float)
    rep = np.repeat(np.arange(400), w.astype(int))
    for m in tuning.METRICS:
        weighted = tuning._metrics.score(m, y, proba, 0.5, sample_weight=w)
        repeated = tuning._metrics.score(m, y[rep], proba[rep], 0.5)
        assert weighted == pytest.approx(repeated, rel=1e-10), m


def test_average_precision_matches_sklearn_with_weights() -> None:
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(1)
    y = rng.random(2000) < 0.1
    s = np.round(rng.random(2000) + 0.3 * y, 2)
    w = rng.random(2000)
    assert tuning.average_precision(y, s, w) == pytest.approx(average_precision_score(y, s, sample_weight=w), rel=1e-12)


@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_sample_weight_reaches_training_early_stopping_and_scores(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = make_fraud(2_000, positive_rate=0.05, random_state=2)
    w = np.random.default_rng(0).uniform(0.5, 2.0, size=y.size)
    focal_cls, builtin_cls = tuning._engines.estimator_classes(engine)
    seen: list[dict[str, Any]] = []

    def spy(cls: type) -> type:
        class Spy(cls):  # type: ignore[valid-type, misc]
            def fit(self, X: Any, y: Any, **kwargs: Any) -> Any:
                ev = kwargs.get("eval_sample_weight") or kwargs.get("sample_weight_eval_set")
                seen.append({"w": kwargs.get("sample_weight"), "eval_w": ev, "n": len(y)})
                return super().fit(X, y, **kwargs)

        return Spy

    monkeypatch.setattr(tuning._engines, "estimator_classes", lambda e: (spy(focal_cls), spy(builtin_cls)))
    res = tuning.tune(
        X, y, engine=engine, sample_weight=w, gammas=(2.0,), alphas=("balanced",), cv=2, regularization=None, **SMALL
    )
    seen = [s for s in seen if s["n"] != 40]  # not check_params's 40-row probe of the engine parameters
    assert seen and all(s["w"] is not None and s["eval_w"] is not None for s in seen)
    for fit, val, _ in res.splits:
        assert any(np.array_equal(s["w"], w[fit]) for s in seen)
        assert any(np.array_equal(s["eval_w"][0], w[val]) for s in seen)
    # balanced alpha and scale_pos_weight from weighted class totals of the inner training split
    fit0 = res.splits[0][0]
    wpos, wneg = w[fit0][y[fit0] == 1].sum(), w[fit0][y[fit0] == 0].sum()
    spw = res.baseline("scale_pos_weight")
    assert spw is not None
    power = spw.extra["regularization"][0]["scale_pos_weight_power"]  # the ratio or its square root
    assert spw.extra["scale_pos_weight"][0] == pytest.approx((wneg / wpos) ** power)
    assert res.baseline("balanced CE").extra["alpha"][0] == pytest.approx(wneg / (wneg + wpos))
    # and the test scores are weighted: unweighted ones differ
    plain = tuning.tune(X, y, engine=engine, gammas=(2.0,), alphas=("balanced",), cv=2, regularization=None, **SMALL)
    assert plain.baseline("log-loss").scores["log_loss"] != res.baseline("log-loss").scores["log_loss"]
    assert res.settings["sample_weight"] is True


def test_sample_weight_is_not_an_engine_parameter(fraud: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = fraud
    for key in ("weight", "eval_set", "init_score", "num_threads", "nthread", "seed", "num_iterations", "callbacks"):
        with pytest.raises(ValueError, match=f"{key}.*set by tune"):
            tuning.tune(X, y, **{**SMALL, key: 1})


# --------------------------------------------------------------------------------------
# Categorical columns
# --------------------------------------------------------------------------------------


def _frame_with_text(n: int = 3_000) -> tuple[Any, np.ndarray]:
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    colour = rng.choice(["red", "green", "blue", "black"], size=n)
    flag = rng.random(n) < 0.3
    x = rng.normal(size=n)
    logit = -3.0 + 2.5 * (colour == "black") + 1.5 * flag + 0.5 * x
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    df = pd.DataFrame({"colour": colour, "flag": flag, "x": x, "code": rng.integers(0, 5, size=n)})
    df.loc[::50, "colour"] = None
    return df, y


@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_text_and_bool_columns_are_categorical(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    df, y = _frame_with_text()
    focal_cls, builtin_cls = tuning._engines.estimator_classes(engine)
    dtypes: list[dict[str, str]] = []

    class Spy(builtin_cls):  # type: ignore[valid-type, misc]
        def fit(self, X: Any, y: Any, **kwargs: Any) -> Any:
            if hasattr(X, "dtypes"):  # not check_params's numeric probe
                dtypes.append({c: str(t) for c, t in X.dtypes.items()})
            return super().fit(X, y, **kwargs)

    monkeypatch.setattr(tuning._engines, "estimator_classes", lambda e: (focal_cls, Spy))
    res = tuning.tune(
        df,
        y,
        engine=engine,
        categorical_features=["code"],
        gammas=(2.0,),
        alphas=(None,),
        cv=2,
        regularization=None,
        **SMALL,
    )
    assert res.settings["categorical_features"] == ["colour", "flag", "code"]
    assert dtypes and all(
        d == {"colour": "category", "flag": "category", "x": "float64", "code": "category"} for d in dtypes
    )
    assert res.baseline("log-loss").mean("roc_auc") > 0.7  # the categories carry the signal
    if engine == "xgboost":
        assert res.settings["engine_params"]["enable_categorical"] is True


def test_identifier_column_is_refused() -> None:
    df, y = _frame_with_text()
    df["customer"] = [f"c{i}" for i in range(len(df))]
    with pytest.raises(ValueError, match=r"'customer'.*identifier"):
        tuning.tune(df, y, **SMALL)
    with pytest.raises(ValueError, match="categorical_features: no column"):
        tuning.tune(df.drop(columns="customer"), y, categorical_features=["nope"], **SMALL)


def _coded_table(n: int = 3_000) -> tuple[np.ndarray, np.ndarray]:
    """Column 1 holds category codes whose effect is not monotone in the code (only a
    categorical split, or several ordinal ones, separate code 3 from the rest)."""
    rng = np.random.default_rng(4)
    code = rng.integers(0, 7, size=n).astype(float)
    x = rng.normal(size=n)
    y = (rng.random(n) < np.where(code == 3, 0.5, 0.02)).astype(int)
    code[::40] = np.nan
    return np.column_stack([x, code]), y


@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_numpy_category_codes_need_no_pandas(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An array with ``categorical_features`` (indices) stays an array and the engine gets the
    indices (LightGBM ``categorical_feature``, XGBoost ``feature_types``)."""
    X, y = _coded_table()
    focal_cls, builtin_cls = tuning._engines.estimator_classes(engine)
    seen: list[Any] = []

    class Spy(builtin_cls):  # type: ignore[valid-type, misc]
        def fit(self, X: Any, y: Any, **kwargs: Any) -> Any:
            if len(y) > 100:  # not check_params's probe
                seen.append((type(X), kwargs.get("categorical_feature"), self.get_params().get("feature_types")))
            return super().fit(X, y, **kwargs)

    monkeypatch.setattr(tuning._engines, "estimator_classes", lambda e: (focal_cls, Spy))
    res = tuning.tune(
        X,
        y,
        engine=engine,
        categorical_features=[1],
        gammas=(2.0,),
        alphas=(None,),
        cv=2,
        regularization=None,
        **SMALL,
    )
    assert res.settings["categorical_features"] == ["1"]
    assert seen and all(t is np.ndarray for t, _, _ in seen)
    if engine == "lightgbm":
        assert all(cats == [1] for _, cats, _ in seen)
    else:
        assert all(types == ["q", "c"] for _, _, types in seen)
    assert res.baseline("log-loss").mean("roc_auc") > 0.8  # code 3 carries the signal


_WITHOUT_PANDAS = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is blocked")
sys.meta_path.insert(0, Block())
import numpy as np
import boostfocal as bf
rng = np.random.default_rng(4)
code = rng.integers(0, 7, size=2000).astype(float)
y = (rng.random(2000) < np.where(code == 3, 0.5, 0.02)).astype(int)
X = np.column_stack([rng.normal(size=2000), code])
res = bf.tune(X, y, engine=sys.argv[1], categorical_features=[1], gammas=(2.0,), alphas=(None,), cv=2,
              regularization=None, n_estimators=30, n_jobs=1, progress=False)
print(res.settings["categorical_features"], "pandas" in sys.modules)
"""


@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_numpy_category_codes_without_pandas(engine: str) -> None:
    """The CLI's text columns arrive as category codes in an array: the tuner needs no pandas."""
    out = subprocess.run(
        [sys.executable, "-c", _WITHOUT_PANDAS, engine], capture_output=True, text=True, timeout=300, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("\n")[-2] == "['1'] False"


@pytest.mark.parametrize(
    ("values", "match"),
    [(-1.0, "category codes"), (0.5, "category codes"), (np.inf, "category codes")],
)
def test_numpy_category_codes_are_checked(values: float, match: str) -> None:
    X, y = _coded_table(500)
    X[7, 1] = values
    with pytest.raises(ValueError, match=match):
        tuning.tune(X, y, categorical_features=[1], **SMALL)
    with pytest.raises(ValueError, match="not a column index"):
        tuning.tune(X, y, categorical_features=[2], **SMALL)
    ids = np.column_stack([X[:, 0], np.arange(X.shape[0], dtype=float)])
    with pytest.raises(ValueError, match="identifier"):
        tuning.tune(ids, y, categorical_features=[1], **SMALL)


# --------------------------------------------------------------------------------------
# Engine parameters checked before any fit
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "params", "error", "match"),
    [
        ("lightgbm", {"num_leavs": 31}, ValueError, "unknown LightGBM parameter 'num_leavs'.*num_leaves"),
        ("xgboost", {"num_leaves": 31}, ValueError, "unknown XGBoost parameter num_leaves"),
        ("lightgbm", {"learning_rate": 0.0}, ValueError, "learning_rate"),
        ("xgboost", {"learning_rate": -0.1}, ValueError, "learning_rate"),
        ("xgboost", {"learning_rate": float("nan")}, ValueError, "learning_rate"),
        ("lightgbm", {"min_child_weight": float("inf")}, ValueError, "min_child_weight"),
        ("lightgbm", {"num_leaves": "abc"}, ValueError, "num_leaves"),
        ("xgboost", {"max_depth": "abc"}, ValueError, "max_depth"),
        ("lightgbm", {"min_child_weight": -1.0}, ValueError, "min_sum_hessian"),
        ("lightgbm", {"num_iterations": 10}, ValueError, "n_estimators argument"),
        ("lightgbm", {"nthread": 2}, ValueError, "n_jobs argument"),
        ("lightgbm", {"sample_weight": [1.0]}, ValueError, "sample_weight argument"),
        ("xgboost", {"objective": "binary:logistic"}, ValueError, "objective"),
        ("xgboost", {"scale_pos_weight": 3.0}, ValueError, "scale_pos_weight"),
    ],
)
def test_check_params(engine: str, params: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        tuning.check_params(engine, params)


def test_check_params_returns_the_parameters_used() -> None:
    assert tuning.check_params("lightgbm", {"num_leaves": 15}) == {
        "learning_rate": 0.1,
        "verbose": -1,
        "num_leaves": 15,
    }
    assert tuning.check_params("xgboost", {"eta": 0.3}) == {"eta": 0.3}
    assert tuning.check_params("lightgbm", None) == {"learning_rate": 0.1, "verbose": -1}


def test_bad_engine_parameter_fails_before_any_fit(
    fraud: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = fraud
    calls: list[int] = []
    monkeypatch.setattr(tuning._search, "run_fit", lambda *a, **k: calls.append(1))
    with pytest.raises(ValueError, match="num_leaves"):
        tuning.tune(X, y, num_leaves="abc", **SMALL)
    with pytest.raises(ValueError, match="regularization"):
        tuning.tune(X, y, regularization=({"min_child_weight": -1.0}, {}), **SMALL)
    assert not calls


def test_plotting_does_not_import_the_tuner() -> None:
    """plotting.py reads a TuneResult through its public attributes: no import of boostfocal.tuning at
    run time (the tuner imports plotting lazily in TuneResult.plot; there is no import circle)."""
    import ast

    import boostfocal.plotting as plotting

    tree = ast.parse(open(plotting.__file__, encoding="utf-8").read())
    runtime = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("tuning")
        and not any(isinstance(p, ast.If) and node in ast.walk(p) for p in tree.body)
    ]
    assert runtime == []


def test_progress_without_tqdm_warns_and_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """tqdm comes with the engines' extras; without it the tuner runs with no bar and says so."""
    monkeypatch.setitem(sys.modules, "tqdm", None)  # `from tqdm import tqdm` now raises ImportError
    with pytest.warns(UserWarning, match="tqdm is not installed"):
        bar = tuning._search.Progress(total=3, enabled=True)
    bar.update(1)
    bar.close()
    assert not bar.enabled


def test_a_collapsed_baseline_is_named_in_the_headline() -> None:
    """A baseline far below the best one (a diverged fit) is flagged, in text and JSON, with how
    often the headline chose it inside a fold."""
    rows = [
        _row("focal", 2.0, [0.50, 0.46, 0.44], [0.3, 0.3, 0.3]),
        _row("log-loss", None, [0.47, 0.45, 0.46], [0.3, 0.3, 0.3]),
        _row("scale_pos_weight", None, [0.02, 0.03, 0.01], [0.1, 0.1, 0.1]),
    ]
    res = _hand_result(rows)
    assert res.comparison is not None and {f["baseline"] for f in res.comparison.folds} == {"log-loss"}
    notes = res.collapsed_baselines()
    assert len(notes) == 1 and "scale_pos_weight" in notes[0] and "0.020 against 0.460" in notes[0]
    assert "chose it in 0 of 3 folds" in notes[0]
    assert notes[0] in res.headline()
    rows[2] = _row("scale_pos_weight", None, [0.40, 0.41, 0.42], [0.1, 0.1, 0.1])  # close to the best: no note
    assert _hand_result(rows).collapsed_baselines() == []


def test_scale_pos_weight_search_keeps_it_from_diverging() -> None:
    """LightGBM with scale_pos_weight = n_neg/n_pos alone diverges on this data (PR-AUC 0.13 against
    0.40-0.41 for the other baselines, measured); with its own search no baseline scores under half
    the best one."""
    X, y = make_fraud(8_000, positive_rate=0.01, random_state=0)
    res = tuning.tune(
        X,
        y,
        gammas=(),
        alphas=(),
        n_estimators=100,
        early_stopping_rounds=10,
        learning_rate=0.3,
        cv=3,
        n_jobs=1,
        progress=False,
    )
    means = {r.name: r.mean("average_precision") for r in res.rows}
    assert set(means) == {"log-loss", "balanced CE", "scale_pos_weight"}
    assert min(means.values()) >= 0.5 * max(means.values()), means
    assert res.collapsed_baselines() == []
    spw = res.baseline("scale_pos_weight")
    assert spw is not None and all(c["max_delta_step"] == 1.0 for c in spw.extra["regularization"])
    params = res.best_params(spw)
    power = params["scale_pos_weight"]
    ratio = res.settings["scale_pos_weight_full"]
    assert power in (pytest.approx(ratio, rel=1e-4), pytest.approx(math.sqrt(ratio), rel=1e-4))
    assert "scale_pos_weight_power" not in params


# --------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "rows", "n_fits"),
    [
        # the default: 2 focal rows + 3 baselines, 2 regularisation candidates, scale_pos_weight 2 of its own
        ({}, 5, (4 * 2 + 2) * 2),
        # both searched parameters fixed: no regularisation search; scale_pos_weight keeps its own 2
        ({"min_child_weight": 5.0, "reg_lambda": 2.0}, 5, (4 + 2) * 2),
        ({"regularization": None, "scale_pos_weight_search": None}, 5, 5 * 2),
        ({"gammas": (0.0, 2.0), "alphas": (None, "balanced"), "repeats": 2}, 6, (5 * 2 + 2) * 4),
        ({"baselines": False}, 2, 2 * 2 * 2),
    ],
)
def test_plan_counts_the_fits_tune_runs(
    fraud: tuple[np.ndarray, np.ndarray], kwargs: dict[str, Any], rows: int, n_fits: int
) -> None:
    X, y = fraud
    plan = tuning.plan(y, cv=2, **kwargs)
    assert len(plan.rows) == rows and plan.n_fits == n_fits
    assert f"= {n_fits} fits" in plan.describe()
    if kwargs.get("min_child_weight") == 5.0:
        assert "regularisation candidates" not in plan.describe()
        res = tuning.tune(X, y, cv=2, **{**SMALL, "n_estimators": 5}, **kwargs)
        assert res.settings["n_fits"] == n_fits and len(res.rows) == rows


def test_plan_checks_like_tune(fraud: tuple[np.ndarray, np.ndarray]) -> None:
    _, y = fraud
    with pytest.raises(ValueError, match="set by tune"):
        tuning.plan(y, objective="binary")
    with pytest.raises(ValueError, match="gamma"):
        tuning.plan(y, gammas=(-1.0,))
    with pytest.raises(ValueError, match="scale_pos_weight_power"):
        tuning.plan(y, scale_pos_weight_search=[{"scale_pos_weight_power": 0.0}])
    with pytest.raises(ValueError, match="set it in one place"):
        tuning.plan(y, scale_pos_weight_search=[{"max_delta_step": 2.0}], max_delta_step=1.0)
    # a fixed max_delta_step leaves the default scale_pos_weight search
    assert tuning.plan(y, cv=2, max_delta_step=2.0).n_fits == (4 * 2 + 2) * 2


# --------------------------------------------------------------------------------------
# The prior shift of scale_pos_weight
# --------------------------------------------------------------------------------------


def test_prior_shift() -> None:
    """``sigmoid(z - log w)``, from margins or from probabilities; undoes the weight's odds factor."""
    from boostfocal.losses import prior_shift

    z = np.linspace(-30, 30, 61)
    w = 37.5
    expected = 1.0 / (1.0 + np.exp(-(z - math.log(w))))
    np.testing.assert_allclose(prior_shift(z, w), expected, rtol=1e-12)
    p = 1.0 / (1.0 + np.exp(-z[20:41]))
    np.testing.assert_allclose(prior_shift(p, w, proba=True), expected[20:41], rtol=1e-9)
    # the odds are divided by w: P/(1-P) = (p/(1-p)) / w
    q = prior_shift(p, w, proba=True)
    np.testing.assert_allclose(q / (1 - q), p / (1 - p) / w, rtol=1e-9)
    ends = prior_shift(np.array([0.0, 1.0]), w, proba=True)
    assert ends[0] == pytest.approx(0.0, abs=1e-300) and ends[1] == pytest.approx(1.0)
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="scale_pos_weight"):
            prior_shift(z, bad)
    with pytest.raises(TypeError, match="scale_pos_weight"):
        prior_shift(z, "3")  # type: ignore[arg-type]


@pytest.mark.parametrize("full_search", [False, True])
def test_the_progress_bar_counts_the_planned_fits(
    fraud: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch, full_search: bool
) -> None:
    """The bar's total is the plan's count of fits (configuration x fold x candidate), and it ends
    there: a budgeted search trains more often than that (races, rungs, finishing), and still
    settles each fit once."""
    from boostfocal.tuning import _race

    seen: dict[str, Any] = {"updates": 0, "trainings": 0}

    class Counting(_race.Progress):
        def __init__(self, total: int, enabled: bool) -> None:
            super().__init__(total, False)
            seen["total"] = total

        def update(self, n: int = 1) -> None:
            seen["updates"] += n

    real_fit = tuning._search.run_fit

    def counted_fit(*args: Any, **kwargs: Any) -> Any:
        seen["trainings"] += 1
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(_race, "Progress", Counting)
    monkeypatch.setattr(tuning._search, "run_fit", counted_fit)
    monkeypatch.setattr(tuning._search, "RACE_ROUNDS", 4)
    X, y = fraud
    kw = {**SMALL, "n_estimators": 20, "progress": True}
    gammas = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
    res = tuning.tune(X, y, gammas=gammas, alphas=(None,), cv=2, full_search=full_search, **kw)
    n_fits = tuning.plan(y, gammas=gammas, alphas=(None,), cv=2).n_fits
    # 6 focal rows, log-loss and balanced CE: 2 candidates each; scale_pos_weight: 2 of its own; 2 folds
    assert res.settings["n_fits"] == n_fits == seen["total"] == seen["updates"] == (6 * 2 + 2 * 2 + 2) * 2
    if full_search:
        assert seen["trainings"] == n_fits
    else:
        assert "successive halving" in res.settings["search"]
        assert seen["trainings"] > n_fits
