"""Money and alert budgets in bf.tune (issue #25, points 2 and 3): the columns, the selection on
savings, the log-loss + threshold baseline, the JSON per fold, the headline in money."""

from __future__ import annotations

import json

import numpy as np
import pytest

from boostfocal import tune
from boostfocal.datasets import make_fraud
from boostfocal.metrics import Costs, bayes_flags, savings, tuned_scale

SMALL = {
    "n_estimators": 15,
    "early_stopping_rounds": 5,
    "n_jobs": 1,
    "progress": False,
    "regularization": None,
    "gammas": (2.0,),
    "scale_pos_weight_search": None,
}


@pytest.fixture(scope="module")
def fraud() -> tuple[np.ndarray, np.ndarray]:
    return make_fraud(4_000, positive_rate=0.03, random_state=0)


@pytest.fixture(scope="module")
def money(fraud: tuple[np.ndarray, np.ndarray]):
    X, y = fraud
    return tune(X, y, amount=X[:, 0], admin_cost=5.0, alert_budget=0.01, scoring="savings", cv=3, **SMALL)


def test_money_columns_beside_pr_auc_and_per_fold_in_the_json(money) -> None:
    assert money.metrics[:4] == ["average_precision", "savings", "cost", "precision_at_budget"]
    header = money.format_table().splitlines()[0]
    assert header.index("PR-AUC") < header.index("savings") < header.index("prec@1%")
    data = json.loads(money.to_json())
    for row in data["rows"]:
        assert len(row["savings"]["folds"]) == 3 and len(row["cost"]["folds"]) == 3
    assert data["settings"]["money"]["costs"]["admin_cost"] == 5.0
    assert data["comparison"]["metric"] == "savings"


def test_savings_decide_with_the_bayes_rule_and_the_threshold_row_with_a_tuned_one(
    money, fraud: tuple[np.ndarray, np.ndarray]
) -> None:
    """Refit the log-loss row of fold 0 as the tuner did (every round, no early stopping): its
    savings are those of the Bayes rule on sigma(z), and the threshold row's those of the scale
    tuned on the inner validation split."""
    from lightgbm import LGBMClassifier

    X, y = fraud
    names = [r.name for r in money.rows]
    assert names.index("log-loss + threshold") == names.index("log-loss") + 1
    res = tune(X, y, amount=X[:, 0], admin_cost=5.0, cv=3, **{**SMALL, "early_stopping_rounds": None})
    logloss, tuned = res.baseline("log-loss"), res.baseline("log-loss + threshold")
    assert tuned is not None and logloss is not None
    assert tuned.scores["average_precision"] == logloss.scores["average_precision"]  # the same model
    fit, val, test = res.splits[0]
    params = {**res.settings["engine_params"], "n_estimators": 15, "random_state": res.settings["random_state"]}
    est = LGBMClassifier(n_jobs=1, **params).fit(X[fit], y[fit])
    costs = Costs(admin_cost=5.0)
    p_val, p_test = est.predict_proba(X[val])[:, 1], est.predict_proba(X[test])[:, 1]
    bayes = savings(y[test], bayes_flags(p_test, costs, X[test, 0]), costs, X[test, 0])
    s = tuned_scale(y[val], p_val, costs, X[val, 0])
    assert logloss.scores["savings"][0] == pytest.approx(bayes, abs=1e-9)
    assert tuned.extra["threshold_scale"][0] == pytest.approx(s)
    assert tuned.scores["savings"][0] == pytest.approx(
        savings(y[test], bayes_flags(p_test, costs, X[test, 0], s), costs, X[test, 0]), abs=1e-9
    )


def test_headline_in_money_and_bad_settings(money, fraud: tuple[np.ndarray, np.ndarray]) -> None:
    text = money.headline()
    assert "savings on the outer test folds" in text and "In money" in text and "per fold on average" in text
    X, y = fraud
    with pytest.raises(ValueError, match="needs its settings"):
        tune(X, y, scoring="savings", **SMALL)
    with pytest.raises(ValueError, match="admin_cost"):
        tune(X, y, amount=X[:, 0], **SMALL)
    with pytest.raises(ValueError, match="amount is required"):
        tune(X, y, admin_cost=5.0, **SMALL)
    with pytest.raises(ValueError, match="alert_budget"):
        tune(X, y, alert_budget=0, **SMALL)
    with pytest.raises(ValueError, match="binary"):
        tune(X, np.arange(y.size) % 3, cost_fp=1.0, cost_fn=5.0, **SMALL)
