"""Tests of :func:`boostfocal.tune` and its result object.

What is pinned here:

* the folds never leak: spying estimators record which rows each model is fitted on, early-stopped
  on and scored on; the test fold is never among the first two, ``alpha="balanced"`` is computed
  from the inner training split alone, and so is ``scale_pos_weight`` (the ratio and its square root);
* on ``make_fraud`` the table has every ``(gamma, alpha)`` configuration and every baseline, the
  best row is the best of its column, and two runs with the same ``random_state`` are identical;
* both engines, multiclass labels (macro scores, no ``scale_pos_weight`` row, scalar alphas
  skipped with a warning), the metrics against scikit-learn, the snippet trains, bad input fails
  before training.

Sizes are tiny (a few thousand rows, ~15 trees, 2-3 folds) to keep the file fast.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

pytest.importorskip("lightgbm")
pytest.importorskip("xgboost")

import boostfocal as bf
from boostfocal import tuning
from boostfocal.datasets import make_fraud

SMALL = {"n_estimators": 15, "early_stopping_rounds": 5, "n_jobs": 1, "progress": False, "regularization": None}
GAMMAS = (0.0, 2.0)
ALPHAS = (None, 0.25, "balanced")


@pytest.fixture(scope="module")
def fraud() -> tuple[np.ndarray, np.ndarray]:
    return make_fraud(4_000, positive_rate=0.03, random_state=0)


@pytest.fixture(scope="module")
def result(fraud: tuple[np.ndarray, np.ndarray]) -> tuning.TuneResult:
    X, y = fraud
    return tuning.tune(X, y, gammas=GAMMAS, alphas=ALPHAS, cv=3, random_state=7, **SMALL)


def _comparable(res: tuning.TuneResult) -> dict[str, Any]:
    """Everything in the result except the timings."""
    d = res.to_dict()
    for row in [*d["rows"], d["best"]]:
        row.pop("fit_time", None)
    return d


# --------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------


def test_table_has_every_configuration_and_baseline(result: tuning.TuneResult) -> None:
    configs = {(r.gamma, r.alpha) for r in result.rows if r.kind in (tuning.FOCAL, tuning.BALANCED)}
    assert configs == {(g, a) for g in GAMMAS for a in ALPHAS}
    kinds = [r.kind for r in result.rows]
    for baseline in ("log-loss", "balanced CE", "scale_pos_weight"):
        assert kinds.count(baseline) == 1
    # gamma=0, alpha="balanced" is the balanced-CE baseline: one row, not two
    assert len(result.rows) == len(GAMMAS) * len(ALPHAS) - 1 + 3
    for r in result.rows:
        for m in [*tuning.METRICS, "best_iteration", "fit_time"]:
            assert len(r.scores[m]) == 3, (r.name, m)
            assert all(math.isfinite(v) for v in r.scores[m]), (r.name, m)
        assert 1 <= r.mean("best_iteration") <= SMALL["n_estimators"]


def test_best_row_is_the_best_of_its_column(result: tuning.TuneResult) -> None:
    means = [r.mean("average_precision") for r in result.rows]
    assert result.best.mean("average_precision") == max(means)
    assert result.ranked()[0] is result.best
    ranked = [r.mean("average_precision") for r in result.ranked()]
    assert ranked == sorted(ranked, reverse=True)
    lowest_loss = result.ranked("log_loss")[0]
    assert lowest_loss.mean("log_loss") == min(r.mean("log_loss") for r in result.rows)
    text = result.format_table()
    starred = [ln for ln in text.splitlines() if ln.startswith("*")]
    assert len(starred) == 1 and f"{result.best.mean('average_precision'):.3f}" in starred[0]


def test_table_dataframe(result: tuning.TuneResult) -> None:
    pytest.importorskip("pandas")
    table = result.table
    assert len(table) == len(result.rows)
    assert table["best"].sum() == 1
    best = table[table["best"]].iloc[0]
    assert best["average_precision"] == table["average_precision"].max()
    assert best["rank"] == 1
    assert {"average_precision_std", "roc_auc", "recall_at_precision", "log_loss", "brier"} <= set(table.columns)


def test_same_random_state_gives_identical_results(
    fraud: tuple[np.ndarray, np.ndarray], result: tuning.TuneResult
) -> None:
    X, y = fraud
    again = tuning.tune(X, y, gammas=GAMMAS, alphas=ALPHAS, cv=3, random_state=7, **SMALL)
    assert _comparable(again) == _comparable(result)
    for (a_fit, a_val, a_test), (b_fit, b_val, b_test) in zip(again.splits, result.splits, strict=True):
        np.testing.assert_array_equal(a_fit, b_fit)
        np.testing.assert_array_equal(a_val, b_val)
        np.testing.assert_array_equal(a_test, b_test)


def test_splits_are_stratified_and_disjoint(fraud: tuple[np.ndarray, np.ndarray], result: tuning.TuneResult) -> None:
    _, y = fraud
    tests = np.concatenate([test for _, _, test in result.splits])
    np.testing.assert_array_equal(np.sort(tests), np.arange(y.size))  # every row tested exactly once
    for fit, val, test in result.splits:
        assert not set(fit) & set(test) and not set(val) & set(test) and not set(fit) & set(val)
        assert fit.size + val.size + test.size == y.size
        for part in (fit, val, test):
            assert abs(y[part].mean() - y.mean()) < 0.01


def test_json_round_trip(result: tuning.TuneResult, tmp_path: Any) -> None:
    """The file holds every fold score, the comparison's per-fold choices and the settings, exactly."""
    path = tmp_path / "r.json"
    text = result.to_json(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == json.loads(text)
    assert data["best"]["name"] == result.best.name
    by_name = {r.name: r for r in result.rows}
    assert [d["name"] for d in data["rows"]] == [r.name for r in result.ranked()]
    for d in data["rows"]:
        row = by_name[d["name"]]
        for m in tuning.METRICS:
            assert d[m]["folds"] == row.scores[m]  # floats survive the file exactly
            assert d[m]["mean"] == row.mean(m)
        assert d["extra"]["validation_score"] == row.extra["validation_score"]
    comp = result.comparison
    assert comp is not None
    assert data["comparison"]["folds"] == [dict(f) for f in comp.folds]
    assert data["comparison"]["p_value"] == comp.p_value
    assert data["comparison"]["minimum_detectable_difference"] == comp.minimum_detectable
    assert data["settings"]["random_state"] == 7
    assert data["settings"]["early_stopping_metric"] == "average_precision"
    # GAMMAS x ALPHAS - 1 (balanced CE) + 3 baselines = 8 rows, 1 candidate each, scale_pos_weight 2: 9 x 3 folds
    assert data["settings"]["n_fits"] == 27


def test_snippet_trains_the_winner(
    fraud: tuple[np.ndarray, np.ndarray], result: tuning.TuneResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = fraud
    monkeypatch.chdir(tmp_path)  # the program saves its model in the working folder
    for row in (result.best, result.baseline("scale_pos_weight"), result.baseline("log-loss")):
        code = result.snippet(row, data="# data given")
        namespace: dict[str, Any] = {"X": X, "y": y}
        exec(code, namespace)
        proba = np.asarray(namespace["proba"])
        assert proba.shape == (len(X),) and np.all((proba >= 0) & (proba <= 1))
    est = result.best_estimator()
    assert est.get_params()["n_estimators"] == max(1, round(result.best.mean("best_iteration")))


def test_plot(result: tuning.TuneResult) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = result.plot()
    labels = [h.get_label() for h in ax.get_legend().legend_handles]
    assert {"focal, alpha=none", "focal, alpha=0.25", "focal, alpha=balanced"} <= set(labels)
    assert sum("(baseline)" in lab for lab in labels) == 3
    assert "gamma" in ax.get_xlabel()
    result.plot("log_loss", ax=ax)
    plt.close("all")


def test_tuning_module_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, boostfocal.tuning, boostfocal.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------------------
# No leaks: spy on every estimator the tuner builds
# --------------------------------------------------------------------------------------


def _ids(X: Any) -> set[int]:
    return {int(v) for v in np.asarray(X)[:, 0]}


def _spy_classes(engine: str) -> tuple[type, type, list[dict[str, Any]]]:
    focal_cls, builtin_cls = tuning._engines.estimator_classes(engine)
    log: list[dict[str, Any]] = []

    class _Spy:
        kind: ClassVar[str]

        def fit(self, X: Any, y: Any, **kwargs: Any) -> Any:
            evals = list(kwargs.get("eval_X") or ()) + [Xv for Xv, _ in kwargs.get("eval_set") or []]
            self.spy_open(X, y, evals)
            out = super().fit(X, y, **kwargs)  # type: ignore[misc]
            self.spy_close()
            return out

        def spy_open(self, X: Any, y: Any, evals: list[Any]) -> None:
            record: dict[str, Any] = {"kind": self.kind, "fit": _ids(X), "y_fit": np.asarray(y), "eval": set()}
            for Xv in evals:
                record["eval"] |= _ids(Xv)
            record["predict"] = set()
            log.append(record)
            self._spy_record = record

        def spy_close(self) -> None:
            record = self._spy_record
            if self.kind == "focal":
                record["alpha"] = self.loss_.alpha  # type: ignore[attr-defined]
                record["alpha_param"] = self.alpha  # type: ignore[attr-defined]
            else:
                record["scale_pos_weight"] = self.get_params().get("scale_pos_weight")  # type: ignore[attr-defined]

        def predict(self, X: Any, *args: Any, **kwargs: Any) -> Any:
            self._spy_record["predict"] |= _ids(X)
            return super().predict(X, *args, **kwargs)  # type: ignore[misc]

        def predict_proba(self, X: Any, *args: Any, **kwargs: Any) -> Any:
            self._spy_record["predict"] |= _ids(X)
            return super().predict_proba(X, *args, **kwargs)  # type: ignore[misc]

    class SpyFocal(_Spy, focal_cls):  # type: ignore[valid-type, misc]
        kind = "focal"

    class SpyBuiltin(_Spy, builtin_cls):  # type: ignore[valid-type, misc]
        kind = "builtin"

    return SpyFocal, SpyBuiltin, log


@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_test_fold_never_used_for_early_stopping_or_balanced_weights(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    X0, y = make_fraud(3_000, positive_rate=0.04, random_state=1)
    X = np.column_stack([np.arange(y.size, dtype=float), X0])  # column 0 identifies the row
    spy_focal, spy_builtin, log = _spy_classes(engine)
    monkeypatch.setattr(tuning._engines, "estimator_classes", lambda e: (spy_focal, spy_builtin))
    binned_fit = tuning._binned.lgb_fit

    def on_binned_folds(binned: Any, fold: Any, est: Any, *args: Any) -> None:  # LightGBM's fits in the tuner
        est.spy_open(binned.X[fold.fit], binned.y[fold.fit], [binned.X[fold.val]])
        binned_fit(binned, fold, est, *args)
        est.spy_close()

    monkeypatch.setattr(tuning._binned, "lgb_fit", on_binned_folds)
    # with the default regularisation search: two fits per row and fold, neither sees the test fold
    small = {k: x for k, x in SMALL.items() if k != "regularization"}
    res = tuning.tune(X, y, engine=engine, gammas=(0.0, 2.0), alphas=(None, "balanced"), cv=3, random_state=3, **small)
    log[:] = [rec for rec in log if rec["y_fit"].size != 40]  # not check_params's 40-row probe
    # 5 rows x 2 regularisation candidates, scale_pos_weight 2 of its own, 3 folds
    assert len(log) == res.settings["n_fits"] == (5 * 2 + 2) * 3
    everything = set(range(y.size))
    tested: list[frozenset[int]] = []
    spw_powers: set[float] = set()
    for rec in log:
        fit, ev, pred = rec["fit"], rec["eval"], rec["predict"]
        test = everything - fit - ev  # the test fold (the partition of the folds is checked below)
        assert ev and not fit & ev, "early stopping needs its own inner validation split"
        assert pred <= ev | test, "predicted on its training rows"
        ids = np.array(sorted(fit))
        np.testing.assert_array_equal(rec["y_fit"], y[ids])
        if rec["kind"] == "focal" and rec["alpha_param"] == "balanced":
            # computed from the inner training labels, not the outer fold or the whole data
            assert rec["alpha"] == pytest.approx(bf.balanced_alpha(y[ids]), rel=1e-12)
        if rec["kind"] == "builtin" and rec["scale_pos_weight"] is not None:
            # n_neg / n_pos of the inner training labels, or its square root
            n_pos = int(y[ids].sum())
            ratio = (ids.size - n_pos) / n_pos
            power = math.log(rec["scale_pos_weight"]) / math.log(ratio)
            assert min(abs(power - 1.0), abs(power - 0.5)) < 1e-12
            spw_powers.add(round(power, 6))
        if pred & test:  # the kept model of its (fold, row): scored on its whole test fold
            assert pred >= test
            tested.append(frozenset(test))
    assert len(tested) == 6 * 3, "one kept model per (fold, row) is scored on the test fold, no other"
    assert spw_powers == {1.0, 0.5}
    folds = set(tested)
    assert len(folds) == 3 and sum(len(f) for f in folds) == y.size  # the test folds partition the rows
    # the balanced alpha of each fold is recorded in the result too, and differs between folds
    balanced = res.baseline("balanced CE")
    assert balanced is not None and len(set(balanced.extra["alpha"])) > 1


def test_no_early_stopping_means_no_inner_split(fraud: tuple[np.ndarray, np.ndarray]) -> None:
    """Without early stopping, a search or a headline to choose for, nothing is held out; the
    headline's choice of focal row and baseline inside each fold needs the inner split."""
    X, y = fraud
    small = {**SMALL, "early_stopping_rounds": None, "n_estimators": 8}
    res = tuning.tune(X, y, gammas=(2.0,), alphas=(None,), baselines=False, cv=2, **small)
    for fit, val, test in res.splits:
        assert val.size == 0 and fit.size + test.size == y.size
    assert all(r.mean("best_iteration") == 8 for r in res.rows)
    assert res.comparison is None
    with_baselines = tuning.tune(X, y, gammas=(2.0,), alphas=(None,), scale_pos_weight_search=None, cv=2, **small)
    for fit, val, test in with_baselines.splits:
        assert val.size > 0 and fit.size + val.size + test.size == y.size
    assert with_baselines.comparison is not None


# --------------------------------------------------------------------------------------
# Engines, multiclass, early-stopping criteria
# --------------------------------------------------------------------------------------


def test_xgboost_engine(fraud: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = fraud
    res = tuning.tune(X, y, engine="xgboost", gammas=(0.0, 2.0), alphas=(None, "balanced"), cv=2, **SMALL)
    assert {r.kind for r in res.rows} == {"focal", "log-loss", "balanced CE", "scale_pos_weight"}
    assert res.best.mean("average_precision") == max(r.mean("average_precision") for r in res.rows)
    assert "XGBClassifier(" in res.snippet()
    # focal gamma=0, alpha=None is log-loss: same model as the built-in objective, to float32 noise
    plain = next(r for r in res.rows if r.kind == "focal" and r.gamma == 0.0 and r.alpha is None)
    ref = res.baseline("log-loss")
    assert ref is not None
    np.testing.assert_allclose(plain.scores["log_loss"], ref.scores["log_loss"], rtol=1e-6)
    assert plain.scores["best_iteration"] == ref.scores["best_iteration"]


def test_gamma_zero_no_alpha_matches_builtin_logloss_lightgbm(result: tuning.TuneResult) -> None:
    plain = next(r for r in result.rows if r.kind == "focal" and r.gamma == 0.0 and r.alpha is None)
    ref = result.baseline("log-loss")
    assert ref is not None
    np.testing.assert_allclose(plain.scores["log_loss"], ref.scores["log_loss"], rtol=1e-6)
    assert plain.scores["best_iteration"] == ref.scores["best_iteration"]


def test_multiclass() -> None:
    X, y2 = make_fraud(3_000, positive_rate=0.05, random_state=2)
    y = np.where(y2 == 1, 2, (X[:, 5] > 0.5).astype(int))  # three classes, one rare
    labels = np.array(["low", "mid", "rare"])[y]
    with pytest.warns(UserWarning, match="skipped"):
        res = tuning.tune(X, labels, gammas=(0.0, 2.0), alphas=(None, 0.25, "balanced"), cv=2, **SMALL)
    kinds = [r.kind for r in res.rows]
    assert "scale_pos_weight" not in kinds and "balanced CE" in kinds and "log-loss" in kinds
    assert all(r.alpha != 0.25 for r in res.rows)
    assert list(res.classes) == ["low", "mid", "rare"]
    balanced = res.baseline("balanced CE")
    assert balanced is not None and all(len(a) == 3 for a in balanced.extra["alpha"])
    for r in res.rows:
        assert 0.0 < r.mean("average_precision") <= 1.0
        assert math.isfinite(r.mean("log_loss")) and math.isfinite(r.mean("brier"))
    assert "shape (n, 3)" in res.snippet()
    res_x = tuning.tune(X, labels, engine="xgboost", gammas=(2.0,), alphas=("balanced",), cv=2, **SMALL)
    assert {r.kind for r in res_x.rows} == {"focal", "log-loss", "balanced CE"}


@pytest.mark.parametrize(
    ("criterion", "curves"),
    [
        # each model's own training loss: the focal loss's metric, LightGBM's binary log-loss
        ("objective", {"focal": "focal_loss", "builtin": "binary_logloss"}),
        # the log-loss of the recovered posterior, for every model
        ("log_loss", {"focal": "valid_log_loss", "builtin": "valid_log_loss"}),
    ],
)
def test_other_early_stopping_criteria(
    fraud: tuple[np.ndarray, np.ndarray], criterion: str, curves: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every model keeps the trees at the minimum of the criterion's validation curve (observed on
    the fitted estimators)."""
    X, y = fraud
    fitted: list[Any] = []
    focal_cls, builtin_cls = tuning._engines.estimator_classes("lightgbm")

    def keep(cls: type) -> type:
        class Kept(cls):  # type: ignore[valid-type, misc]
            def fit(self, *args: Any, **kwargs: Any) -> Any:
                fitted.append(self)
                return super().fit(*args, **kwargs)

        Kept.__name__ = cls.__name__
        return Kept

    monkeypatch.setattr(tuning._engines, "estimator_classes", lambda e: (keep(focal_cls), keep(builtin_cls)))
    binned_fit = tuning._binned.lgb_fit

    def on_binned_folds(binned: Any, fold: Any, est: Any, *args: Any) -> None:  # LightGBM's fits in the tuner
        fitted.append(est)
        binned_fit(binned, fold, est, *args)

    monkeypatch.setattr(tuning._binned, "lgb_fit", on_binned_folds)
    small = {**SMALL, "n_estimators": 40}
    res = tuning.tune(X, y, gammas=(2.0,), alphas=(0.25,), cv=2, early_stopping_metric=criterion, **small)
    assert res.settings["early_stopping_metric"] == criterion
    fitted[:] = [est for est in fitted if getattr(est, "evals_result_", None)]  # not the parameter probe
    assert len(fitted) == res.settings["n_fits"]
    stopped_early = 0
    for est in fitted:
        kind = "focal" if isinstance(est, focal_cls) else "builtin"
        recorded = est.evals_result_["valid_0"]
        name = next(k for k in recorded if curves[kind] in k)
        curve = np.asarray(recorded[name])
        # LightGBM records no value for the round in which a callback stops training (the last
        # round trained, or the round limit): that round is not the best unless it is the limit
        if est.best_iteration_ == curve.size + 1:
            assert est.best_iteration_ == small["n_estimators"], (kind, name)
        else:
            assert est.best_iteration_ == int(np.argmin(curve)) + 1, (kind, name)
            stopped_early += 1
    assert stopped_early > 0  # the criterion stopped some fits, not only the round limit


def test_custom_scoring_callable(fraud: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = fraud

    def top_decile_recall(y_true: np.ndarray, proba: np.ndarray) -> float:
        cut = np.quantile(proba[:, 1], 0.9)
        return float((proba[y_true == 1, 1] >= cut).mean())

    res = tuning.tune(X, y, gammas=(2.0,), alphas=(None,), cv=2, scoring=top_decile_recall, **SMALL)
    assert res.scoring == "top_decile_recall"
    assert res.best.mean("top_decile_recall") == max(r.mean("top_decile_recall") for r in res.rows)
    assert "top_decile_recall" in res.format_table()


# --------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------


def test_average_precision_matches_sklearn() -> None:
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(0)
    for n, ties in [(50, False), (500, True), (3000, True)]:
        y = rng.random(n) < 0.1
        y[0] = True
        s = rng.random(n) + y * 0.3
        if ties:
            s = np.round(s, 1)
        assert tuning.average_precision(y, s) == pytest.approx(average_precision_score(y, s), rel=1e-12)


def test_recall_at_precision() -> None:
    y = np.array([1, 1, 0, 1, 0, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    assert tuning.recall_at_precision(y, s, 1.0) == 0.5  # top two are both positive
    assert tuning.recall_at_precision(y, s, 0.75) == 0.75  # top four: 3 of 4 positive
    assert tuning.recall_at_precision(y, s, 0.5) == 1.0
    assert tuning.recall_at_precision(np.zeros(5), np.arange(5.0), 0.5) == 0.0
    assert tuning.recall_at_precision([0, 1], [0.9, 0.1], 0.9) == 0.0  # never reaches 0.9


def test_probability_metrics() -> None:
    y = np.array([0, 1, 1, 0])
    p1 = np.array([0.1, 0.8, 0.6, 0.3])
    proba = np.column_stack([1 - p1, p1])
    assert tuning._metrics.score("brier", y, proba, 0.5) == pytest.approx(np.mean((p1 - y) ** 2))
    expected = -np.mean(np.log([0.9, 0.8, 0.6, 0.7]))
    assert tuning._metrics.score("log_loss", y, proba, 0.5) == pytest.approx(expected)
    y3 = np.array([0, 1, 2])
    proba3 = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    onehot = np.eye(3)
    expected3 = np.mean(np.sum((proba3 - onehot) ** 2, axis=1))
    assert tuning._metrics.score("brier", y3, proba3, 0.5) == pytest.approx(expected3)


# --------------------------------------------------------------------------------------
# Bad input fails before any training
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"engine": "catboost"}, "engine must be one of"),
        ({"gammas": (-1.0,)}, "gamma"),
        ({"alphas": ("sometimes",)}, "alpha"),
        ({"alphas": (1.5,)}, "alpha"),
        ({"cv": 1}, "cv must be at least 2"),
        ({"cv": 500}, "rarest class"),
        ({"objective": "binary"}, "set by tune"),
        ({"scoring": "accuracy"}, "unknown metric"),
        ({"n_estimators": 0}, "n_estimators"),
        ({"gammas": (), "alphas": (), "baselines": False}, "nothing to tune"),
    ],
)
def test_bad_arguments(fraud: tuple[np.ndarray, np.ndarray], kwargs: dict[str, Any], match: str) -> None:
    X, y = fraud
    args = {**SMALL, **kwargs}
    with pytest.raises(ValueError, match=match):
        tuning.tune(X, y, **args)


def test_bad_data() -> None:
    X, y = make_fraud(500, positive_rate=0.1, random_state=0)
    with pytest.raises(ValueError, match="single class"):
        tuning.tune(X, np.zeros(500), **SMALL)
    with pytest.raises(ValueError, match="rows"):
        tuning.tune(X[:10], y, **SMALL)
    with pytest.raises(ValueError, match="missing"):
        tuning.tune(X, np.where(np.arange(500) == 3, np.nan, y.astype(float)), **SMALL)
    with pytest.raises(ValueError, match="identifier"):
        tuning.tune(np.array([[f"id{i}", 1.0] for i in range(500)], dtype=object), y, **SMALL)
    with pytest.raises(ValueError, match="sample_weight"):
        tuning.tune(X, y, sample_weight=np.ones(499), **SMALL)
    with pytest.raises(ValueError, match="sample_weight"):
        tuning.tune(X, y, sample_weight=np.where(y == 1, 0.0, 1.0), **SMALL)


def test_progress_bar_writes_to_the_given_stream() -> None:
    import io

    stream = io.StringIO()
    bar = tuning._search.Progress(4, True, stream=stream, delay=0.0, interval=0.05)
    for _ in range(4):
        bar.update()
    bar.close()
    text = stream.getvalue()
    assert "4/4" in text
    silent = io.StringIO()
    quiet = tuning._search.Progress(4, False, stream=silent, delay=0.0, interval=0.05)
    quiet.update()
    quiet.close()
    assert silent.getvalue() == ""


def test_progress_bar_moves_during_a_long_fit() -> None:
    """The timer redraws the bar while no fit finishes: the elapsed time shown advances."""
    import io
    import re
    import time

    stream = io.StringIO()
    bar = tuning._search.Progress(3, True, stream=stream, delay=0.0, interval=0.05)
    time.sleep(1.3)  # a "fit" that takes 1.3 s: no update() meanwhile
    drawn = stream.getvalue()
    bar.close()
    clocks = re.findall(r"0/3 \[(\d\d:\d\d)<", drawn)
    assert len(clocks) >= 5, drawn
    assert clocks[-1] != clocks[0]  # 00:00 ... 00:01
