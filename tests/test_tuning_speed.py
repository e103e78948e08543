"""The tuner's savings change no number, and its budgeted search says what it cut.

* exact savings: the tuner (test fold scored only for the kept candidate, fits on threads) gives
  the table of a straightforward reference path, on both engines: every candidate of every
  (fold, row) fitted on its own, the best on the inner validation split kept (ties: the earlier),
  its test fold scored here with scikit-learn's metrics;
* racing: a raced row's numbers are those of its kept candidate trained to the end;
* successive halving over the focal rows: in every fold the best third of them finish, the others
  are marked stopped early (NaN scores, never chosen) and the table says so;
* without an inner validation split nothing is raced;
* the fast average precision equals scikit-learn's to 1e-12, weighted, with ties.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

pytest.importorskip("lightgbm")
pytest.importorskip("xgboost")

from sklearn.metrics import average_precision_score, log_loss, roc_auc_score

from boostfocal import tuning
from boostfocal.datasets import make_fraud
from boostfocal.tuning import _search

FAST = {"n_estimators": 60, "early_stopping_rounds": 5, "progress": False, "cv": 3, "random_state": 3}


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = make_fraud(2_500, positive_rate=0.05, random_state=7)
    w = np.random.default_rng(1).uniform(0.5, 2.0, y.size)
    return X, y, w


def _spied_tune(monkeypatch: pytest.MonkeyPatch, X: Any, y: Any, **kw: Any) -> tuple[Any, dict[str, Any]]:
    """``tune(X, y, **kw)`` and the arguments its fit loop received (settings, rows, candidates, folds)."""
    seen: dict[str, Any] = {}
    real = tuning._tune.run_all

    def spy(settings: Any, rows: Any, candidates: Any, spw_search: Any, folds: Any, *args: Any) -> Any:
        seen.update(settings=settings, rows=rows, candidates=candidates, spw_search=spw_search, folds=folds)
        return real(settings, rows, candidates, spw_search, folds, *args)

    monkeypatch.setattr(tuning._tune, "run_all", spy)
    return tuning.tune(X, y, **kw), seen


def _reference_scores(
    seen: dict[str, Any], X: Any, y: Any, w: Any, f: int, r: int, only: int | None = None
) -> tuple[int, dict[str, float]]:
    """The straightforward path for one (fold, row): fit every candidate to the end, keep the best
    on the inner validation split (ties: the earlier), score its test fold with scikit-learn."""
    s, row, fold = seen["settings"], seen["rows"][r], seen["folds"][f]
    cands = _search.row_candidates(row, seen["candidates"], seen["spw_search"])
    fits = {c: _search.run_fit(s, row, cands[c], fold, X, y, w) for c in range(len(cands)) if only in (None, c)}
    higher = tuning._metrics.greater_is_better(s.scoring_name)
    best = None
    for c, fit in fits.items():
        v = fit.val_score
        if best is None or (
            not np.isnan(v)
            and (np.isnan(fits[best].val_score) or (v > fits[best].val_score if higher else v < fits[best].val_score))
        ):
            best = c
    assert best is not None
    kept = fits[best]
    yt, wt = y[fold.test], w[fold.test]
    proba = tuning._engines.predict_proba(kept.est, s.engine, row.kind, X[fold.test], kept.spw)
    p = proba[:, 1]
    return best, {
        "average_precision": average_precision_score(yt, p, sample_weight=wt),
        "roc_auc": roc_auc_score(yt, p, sample_weight=wt),
        "log_loss": log_loss(yt, proba, sample_weight=wt),
        "brier": float(np.average((p - yt) ** 2, weights=wt)),
        "best_iteration": float(tuning._engines.best_iteration(kept.est, s.engine, s.n_estimators)),
    }


@pytest.mark.filterwarnings("ignore:The y_prob values do not sum to one")  # XGBoost's float32 probabilities
@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_the_tuner_gives_the_reference_table(
    engine: str, data: tuple[np.ndarray, np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y, w = data
    res, seen = _spied_tune(
        monkeypatch, X, y, engine=engine, gammas=(2.0,), sample_weight=w, n_jobs=2, full_search=True, **FAST
    )
    assert res.settings["search"].startswith("Full search")
    assert not res.table_caption().startswith(("Budgeted", "Full"))
    for r, row in enumerate(res.rows):
        for f in range(len(res.splits)):
            best, ref = _reference_scores(seen, X, y, w, f, r)
            if "regularization" in row.extra:
                cands = _search.row_candidates(seen["rows"][r], seen["candidates"], seen["spw_search"])
                assert row.extra["regularization"][f] == dict(cands[best])
            for m, value in ref.items():
                assert row.scores[m][f] == pytest.approx(value, rel=1e-12, abs=1e-15), (row.name, f, m)


def test_a_raced_row_is_its_kept_candidate_trained_to_the_end(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y, w = data
    monkeypatch.setattr(_search, "RACE_ROUNDS", 8)
    res, seen = _spied_tune(monkeypatch, X, y, gammas=(2.0,), sample_weight=w, n_jobs=2, **FAST)
    assert seen["settings"].race_rounds == 8
    assert res.settings["search"].startswith("Budgeted search: each row's regularisation candidates raced to 8 rounds")
    assert res.table_caption().startswith("Budgeted search: each row's")
    longer = 0
    for r, row in enumerate(res.rows):
        cands = _search.row_candidates(seen["rows"][r], seen["candidates"], seen["spw_search"])
        assert len(cands) == 2
        for f in range(len(res.splits)):
            c = cands.index(next(cd for cd in cands if dict(cd) == row.extra["regularization"][f]))
            _, ref = _reference_scores(seen, X, y, w, f, r, only=c)
            longer += ref["best_iteration"] > 8
            for m, value in ref.items():
                assert row.scores[m][f] == pytest.approx(value, rel=1e-12, abs=1e-15), (row.name, f, m)
    assert longer > 0  # some kept candidates were trained on past the race


def test_successive_halving_marks_the_rows_it_stops(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y, _ = data
    monkeypatch.setattr(_search, "RACE_ROUNDS", 6)
    gammas = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
    res = tuning.tune(X, y, gammas=gammas, n_jobs=2, **{**FAST, "n_estimators": 40})
    assert "successive halving (eta = 3) over the 6 focal rows at 6, 18 rounds" in res.settings["search"]
    focal = [r for r in res.rows if r.kind == "focal" and r.gamma > 0]
    for f in range(len(res.splits)):
        marks = [r.extra["stopped_early"][f] for r in focal]
        finished = [r for r, m in zip(focal, marks, strict=True) if m is None]
        # 6 rows -> 2 after the rung at 6 rounds -> 1 after the rung at 18 rounds
        assert sorted(m for m in marks if m is not None) == [6, 6, 6, 6, 18]
        assert len(finished) == 1 and np.isfinite(finished[0].scores["average_precision"][f])
        for r, m in zip(focal, marks, strict=True):
            if m is not None:
                assert np.isnan(r.scores["average_precision"][f]) and np.isnan(r.extra["validation_score"][f])
        chosen = tuning._stats.choose_in_fold(res.rows, f, res.scoring)
        assert chosen is not None and (not chosen.is_focal or chosen.extra.get("stopped_early", [None])[f] is None)
    table = res.table
    assert set(table.loc[table["stopped_early"].notna(), "gamma"]) <= set(gammas)
    marks_json = [r.get("extra", {}).get("stopped_early") for r in json.loads(res.to_json())["rows"]]
    assert sum(m is not None for marks in marks_json if marks for m in marks) == 5 * len(res.splits)
    text = res.format_table()
    assert "stopped early" in text.splitlines()[0] and "stopped" in text.splitlines()[-1]
    full = tuning.tune(X, y, gammas=gammas, n_jobs=2, full_search=True, **{**FAST, "n_estimators": 40})
    assert all("stopped_early" not in r.extra for r in full.rows)
    assert "stopped" not in full.format_table()


def test_full_search_must_be_a_bool(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    X, y, _ = data
    with pytest.raises(TypeError, match="full_search"):
        tuning.tune(X, y, full_search=1, **FAST)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(4))
def test_average_precision_equals_sklearn_weighted_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 5_000
    y = (rng.random(n) < 0.03).astype(int)
    s = np.round(rng.normal(size=n) + 2 * y, 1)  # rounded: many ties
    w = rng.uniform(0.0, 3.0, n)
    assert tuning.average_precision(y, s, w) == pytest.approx(average_precision_score(y, s, sample_weight=w), rel=1e-12)
    assert tuning.average_precision(y, s) == pytest.approx(average_precision_score(y, s), rel=1e-12)


def test_without_an_inner_split_nothing_is_raced(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No early stopping, no candidates to choose among, no headline: no inner validation split,
    so there is nothing to race on and every row is trained to the end."""
    X, y, _ = data
    monkeypatch.setattr(_search, "RACE_ROUNDS", 4)
    kw = {**FAST, "n_estimators": 10, "early_stopping_rounds": None, "regularization": None}
    res = tuning.tune(X, y, gammas=(0.5, 1.0, 1.5, 2.0, 3.0, 4.0), baselines=False, n_jobs=1, **kw)
    assert all(len(v) == 0 for _, v, _ in res.splits)
    assert res.settings["search"].startswith("Full search")
    assert all(r.scores["best_iteration"] == [10.0] * 3 for r in res.rows)
    assert all(np.isfinite(r.scores["average_precision"]).all() for r in res.rows)


@pytest.mark.parametrize("alpha", [None, "balanced"])
def test_a_tuner_fit_without_the_unused_focal_metric_grows_the_same_trees(
    alpha: Any, data: tuple[np.ndarray, np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A focal LightGBM fit the tuner early-stops on its own score skips the estimator's focal
    metric (computed every round, unused); the trees, the round kept and the score are those of the
    fit that computes it."""
    from boostfocal.lightgbm import FocalLGBMClassifier

    X, y, w = data
    _, seen = _spied_tune(monkeypatch, X, y, gammas=(2.0,), sample_weight=w, n_jobs=1, full_search=True, **FAST)
    s, fold = seen["settings"], seen["folds"][0]
    row = next(r for r in seen["rows"] if r.kind == "focal")
    row = _search.Row(row.kind, row.gamma, alpha)
    cand = seen["candidates"][0]
    lean = _search.run_fit(s, row, cand, fold, X, y, w)
    assert list(lean.est.evals_result_["valid_0"]) == ["valid_average_precision"]
    # the estimator's default: its focal metric first, on every round
    monkeypatch.setattr(FocalLGBMClassifier, "_bf_loss_metric", property(lambda self: True, lambda self, v: None))
    full = _search.run_fit(s, row, cand, fold, X, y, w)
    assert len(full.est.evals_result_["valid_0"]) == 2
    assert (
        full.est.evals_result_["valid_0"]["valid_average_precision"]
        == lean.est.evals_result_["valid_0"]["valid_average_precision"]
    )
    assert full.best_iteration == lean.best_iteration and 0 < lean.best_iteration < s.n_estimators
    assert full.val_score == lean.val_score
    assert full.est.booster_.dump_model()["tree_info"] == lean.est.booster_.dump_model()["tree_info"]
    np.testing.assert_array_equal(full.est.predict_proba(X), lean.est.predict_proba(X))
