"""``decide`` on the estimators: the Bayes rule on the recovered posterior, and its bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

import boostfocal as bf
from boostfocal.datasets import make_fraud
from boostfocal.metrics import Costs, bayes_flags

ENGINES = []
for name, cls in (("lightgbm", "FocalLGBMClassifier"), ("xgboost", "FocalXGBClassifier")):
    try:
        __import__(name)
        ENGINES.append(cls)
    except ImportError:  # pragma: no cover - an engine not installed
        pass


@pytest.fixture(scope="module", params=ENGINES)
def fitted(request: pytest.FixtureRequest) -> tuple[object, np.ndarray, np.ndarray]:
    X, y = make_fraud(3_000, positive_rate=0.05, random_state=0)
    kw = {"verbose": -1} if request.param == "FocalLGBMClassifier" else {}
    clf = getattr(bf, request.param)(gamma=2.0, alpha=0.25, n_estimators=20, **kw).fit(X, y)
    return clf, X, y


def test_decide_is_the_bayes_rule_on_the_recovered_posterior(fitted: tuple) -> None:
    clf, X, _ = fitted
    amount = np.abs(X[:, 0]) * 100.0
    p = clf.predict_proba(X)[:, 1]
    flags = clf.decide(X, Costs(admin_cost=5.0), amount=amount)
    np.testing.assert_array_equal(flags, p * amount > 5.0)
    # class costs: one threshold c_FP / (c_FP + c_FN) on the posterior, not on sigma(z)
    flags = clf.decide(X, Costs(cost_fp=1.0, cost_fn=9.0))
    np.testing.assert_array_equal(flags, p > 0.1)
    naive = bf.sigmoid(clf.predict_raw(X))
    assert not np.array_equal(flags, bayes_flags(naive, Costs(cost_fp=1.0, cost_fn=9.0)))


def test_decide_refuses_bad_input(fitted: tuple) -> None:
    clf, X, _ = fitted
    with pytest.raises(TypeError, match="costs must be"):
        clf.decide(X, 5.0)
    with pytest.raises(ValueError, match="amount"):
        clf.decide(X, Costs(admin_cost=5.0))  # amounts needed with an admin cost
    X3, y3 = make_fraud(600, positive_rate=0.3, random_state=1)
    y3 = y3 + (np.arange(y3.size) % 3 == 0)  # three classes
    cls = type(clf)
    kw = {"verbose": -1} if cls.__name__ == "FocalLGBMClassifier" else {}
    multi = cls(gamma=1.0, n_estimators=5, **kw).fit(X3, y3)
    with pytest.raises(ValueError, match="binary model"):
        multi.decide(X3, Costs(cost_fp=1.0, cost_fn=5.0))
    with pytest.raises(ValueError, match="fit first"):
        cls().decide(X, Costs(cost_fp=1.0, cost_fn=5.0))
