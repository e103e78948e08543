"""Time-ordered and grouped folds of bf.tune (issue #25, point 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from boostfocal import tune
from boostfocal.datasets import make_fraud
from boostfocal.tuning import _splits

SMALL = {
    "n_estimators": 12,
    "early_stopping_rounds": 4,
    "n_jobs": 1,
    "progress": False,
    "regularization": None,
    "gammas": (2.0,),
    "scale_pos_weight_search": None,
}


@pytest.fixture(scope="module")
def frame() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = make_fraud(3_000, positive_rate=0.05, random_state=3, as_frame=True)
    rng = np.random.default_rng(0)
    X["when"] = np.sort(rng.uniform(0, 30 * 86_400, len(X)))[rng.permutation(len(X))]  # seconds, shuffled rows
    X["card"] = rng.integers(0, 400, len(X))
    return X, y.to_numpy()


def test_expanding_windows_with_a_gap_in_rows_and_in_time() -> None:
    rng = np.random.default_rng(1)
    t = rng.uniform(0, 100 * 86_400, 1_000)
    y = (rng.random(1_000) < 0.2).astype(np.intp)
    for gap in (("rows", 0.0), ("rows", 50.0), ("seconds", 2 * 86_400.0)):
        folds = _splits.time_splits(t, y, 4, gap)
        assert len(folds) == 4
        tests = [te for _, te in folds]
        assert sum(te.size for te in tests) == 800  # the last 4 of 5 periods are tested once each
        for k, (train, test) in enumerate(folds):
            assert t[train].max() < t[test].min()  # the past only
            if k:
                prev_train = folds[k - 1][0]
                assert set(prev_train) <= set(train)  # expanding
            before = np.sum(t < t[test].min())
            if gap[0] == "rows":
                assert train.size == before - gap[1]
            else:
                assert t[train].max() < t[test].min() - gap[1]
                assert np.all(t[np.setdiff1d(np.flatnonzero(t < t[test].min() - gap[1]), train)] >= t[test].min())
    assert _splits.parse_gap("2d") == ("seconds", 172_800.0)
    assert _splits.parse_gap("30min") == ("seconds", 1_800.0)
    assert _splits.parse_gap(500) == ("rows", 500.0)
    with pytest.raises(ValueError, match="gap"):
        _splits.parse_gap("2 fortnights")


def test_tune_on_time_ordered_folds(frame: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = frame
    res = tune(X.drop(columns="card"), y, time="when", gap="1d", cv=3, **SMALL)
    t = X["when"].to_numpy()
    assert res.settings["split"]["kind"] == "time"
    assert res.settings["n_features"] == X.shape[1] - 2  # the time column is not a feature
    for fit, val, test in res.splits:
        assert t[fit].max() <= t[val].min()  # inner validation: the latest part of the window
        assert t[val].max() < t[test].min() - 86_400  # the gap
    assert "time-ordered" in res.headline() and "drift" in res.headline()
    kept = tune(X.drop(columns="card"), y, time="when", time_feature=True, cv=3, **SMALL)
    assert kept.settings["n_features"] == X.shape[1] - 1
    with pytest.raises(ValueError, match="repeats"):
        tune(X, y, time="when", repeats=2, **SMALL)
    with pytest.raises(ValueError, match="not both"):
        tune(X, y, time="when", groups="card", **SMALL)
    with pytest.raises(ValueError, match="gap applies"):
        tune(X, y, gap=10, **SMALL)
    with pytest.raises(ValueError, match="no column 'nope'"):
        tune(X, y, time="nope", **SMALL)


def test_grouped_folds_keep_each_group_on_one_side(frame: tuple[pd.DataFrame, np.ndarray]) -> None:
    X, y = frame
    res = tune(X.drop(columns="when"), y, groups="card", cv=3, **SMALL)
    card = X["card"].to_numpy()
    assert res.settings["split"]["kind"] == "grouped"
    assert res.settings["n_features"] == X.shape[1] - 2
    for fit, val, test in res.splits:
        assert not set(card[test]) & set(card[np.r_[fit, val]])
        assert not set(card[fit]) & set(card[val])
        assert 0 < y[test].mean() < 1
