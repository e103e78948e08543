"""The posterior's worth in money (issue #25, point 4): on a large make_fraud sample, the Bayes rule
on calibrated probabilities loses less against the truth than on uncalibrated scores, in the order
theory gives.  Runs the experiment of benchmarks/posterior_money.py on a smaller sample."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from boostfocal.datasets import make_fraud
from boostfocal.metrics import Costs, bayes_flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from posterior_money import money_rows


def test_the_true_probability_is_calibrated_and_its_rule_is_best() -> None:
    X, y, p = make_fraud(200_000, positive_rate=0.01, random_state=5, time_column=True, return_proba=True)
    order = np.argsort(p)
    for chunk in np.array_split(order, 10)[-3:]:  # the riskiest tenths: mean label = mean probability
        assert abs(y[chunk].mean() - p[chunk].mean()) < 4 * np.sqrt(p[chunk].mean() / chunk.size) + 1e-4
    amount, costs = X[:, 0], Costs(admin_cost=5.0)

    def risk(flags: np.ndarray) -> float:
        return float(np.sum(flags * 5.0 + (1 - flags) * p * amount))

    best = risk(bayes_flags(p, costs, amount))
    for scale in (0.5, 2.0):
        assert risk(bayes_flags(p, costs, amount, scale)) > best


def test_regret_of_each_rule_in_the_order_theory_gives() -> None:
    rows = {
        name.replace(" gamma=2", ""): regret
        for name, _, _, _, regret in money_rows(20_000, 60_000, 0.02, 5.0, 2.0, 1, 100, 0.1)
    }
    assert rows["truth"] == 0.0
    assert all(r >= 0 for r in rows.values())
    # the recovered posterior against the plain link of the same model; the prior correction of the weight
    assert rows["focal posterior"] < rows["focal sigma(z)"]
    assert rows["scale_pos_weight corrected"] < rows["scale_pos_weight uncorrected"]
    # every calibrated probability beats both uncalibrated scores
    for good in ("focal posterior", "log-loss", "scale_pos_weight corrected"):
        for bad in ("focal sigma(z)", "scale_pos_weight uncorrected"):
            assert rows[good] < rows[bad], (good, bad, rows)
