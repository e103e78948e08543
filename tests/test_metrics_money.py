"""boostfocal.metrics: money, alert budgets and the Bayes rule, each against a brute-force reference."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from boostfocal.metrics import (
    Costs,
    alert_count,
    bayes_flags,
    expected_cost,
    precision_at_budget,
    savings,
    tuned_scale,
)


def _data(seed: int, n: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    p = np.clip(0.6 * y + 0.4 * rng.random(n), 0.0, 1.0)
    amount = np.round(np.exp(rng.normal(3.5, 1.2, n)), 2)
    w = rng.uniform(0.2, 3.0, n)
    return y, p, amount, w


def _brute_cost(y, c, amount, admin, fp, fn, w) -> float:
    total = 0.0
    for yi, ci, ai, wi in zip(y, c, amount, w, strict=True):
        if admin is not None:  # an alert costs the admin cost, a missed fraud its amount
            row = admin if ci else (ai if yi else 0.0)
        else:
            row = (fp if (ci and not yi) else 0.0) + (fn if (yi and not ci) else 0.0)
        total += wi * row
    return total


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cost_and_savings_match_a_row_by_row_reference(seed: int) -> None:
    y, p, amount, w = _data(seed)
    flags = p > 0.5
    for costs in (Costs(admin_cost=5.0), Costs(cost_fp=1.0, cost_fn=7.5)):
        admin = costs.admin_cost
        ref = _brute_cost(y, flags, amount, admin, costs.cost_fp, costs.cost_fn, w)
        assert expected_cost(y, flags, costs, amount, w) == pytest.approx(ref, rel=1e-12)
        none = _brute_cost(y, np.zeros_like(flags), amount, admin, costs.cost_fp, costs.cost_fn, w)
        every = _brute_cost(y, np.ones_like(flags), amount, admin, costs.cost_fp, costs.cost_fn, w)
        assert savings(y, flags, costs, amount, w) == pytest.approx(1 - ref / min(none, every), rel=1e-12)
        # unit weights are the same as no weights
        assert expected_cost(y, flags, costs, amount) == pytest.approx(
            expected_cost(y, flags, costs, amount, np.ones_like(w))
        )
    # the better trivial rule saves 0, a perfect rule 1
    c = Costs(admin_cost=5.0)
    trivial = min((np.zeros_like(flags), np.ones_like(flags)), key=lambda f: expected_cost(y, f, c, amount, w))
    assert savings(y, trivial, c, amount, w) == pytest.approx(0.0, abs=1e-12)
    perfect = (y == 1) & (amount > 5.0)
    assert savings(y, perfect, c, amount, w) == pytest.approx(
        1
        - expected_cost(y, perfect, c, amount, w)
        / min(expected_cost(y, np.zeros(y.size), c, amount, w), expected_cost(y, np.ones(y.size), c, amount, w))
    )


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_bayes_rule_minimises_the_expected_cost_row_by_row(seed: int) -> None:
    """With p the true probability, the expected cost sum_i p_i C^FN (1-c) + c((1-p)C^FP + p C^TP)
    is minimised by the Bayes flags over every one of the 2^n decisions (n small: all enumerated)."""
    rng = np.random.default_rng(seed)
    n = 10
    p = rng.random(n) ** 2
    amount = np.exp(rng.normal(2.5, 1.0, n))
    for costs in (Costs(admin_cost=3.0), Costs(cost_fp=1.0, cost_fn=4.0)):
        fp, tp, fn = costs.matrix(n, amount)

        def risk(c: np.ndarray, fp: np.ndarray = fp, tp: np.ndarray = tp, fn: np.ndarray = fn) -> float:
            return float(np.sum(c * ((1 - p) * fp + p * tp) + (1 - c) * p * fn))

        best = min(risk(np.array(c, dtype=float)) for c in itertools.product((0, 1), repeat=n))
        flags = bayes_flags(p, costs, amount)
        assert risk(flags.astype(float)) == pytest.approx(best, rel=1e-12)
    # the closed forms of the module docstring
    assert np.array_equal(bayes_flags(p, Costs(admin_cost=3.0), amount), p * amount > 3.0)
    assert np.array_equal(bayes_flags(p, Costs(cost_fp=1.0, cost_fn=4.0)), p > 1.0 / 5.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tuned_scale_reaches_the_least_cost_of_any_cut(seed: int) -> None:
    """Every rule 'flag the rows whose odds ratio exceeds s' is a cut of the rows sorted by that
    ratio; the tuned scale gives the least cost of all cuts (brute force over the cuts)."""
    y, p, amount, w = _data(seed, n=60)
    p[:5] = p[5]  # ties
    for costs in (Costs(admin_cost=5.0), Costs(cost_fp=1.0, cost_fn=7.5)):
        s = tuned_scale(y, p, costs, amount, w)
        got = expected_cost(y, bayes_flags(p, costs, amount, s), costs, amount, w)
        cuts = []
        fp, tp, fn = costs.matrix(y.size, amount)
        ratio = p * (fn - tp) / np.where(p < 1, (1 - p) * fp, 1.0)
        for t in [np.inf, -1.0, *np.unique(ratio)]:
            cuts.append(expected_cost(y, ratio >= t, costs, amount, w))
        assert got == pytest.approx(min(cuts), rel=1e-12)


def test_precision_within_an_alert_budget_matches_sorting_by_hand() -> None:
    y, p, _, w = _data(5, n=50)
    for budget in (1, 7, 50, 500, 0.1, 0.005):
        k = alert_count(budget, y.size)
        rows = sorted(range(y.size), key=lambda i: (-p[i], i))[:k]
        ref = sum(w[i] * y[i] for i in rows) / sum(w[i] for i in rows)
        assert precision_at_budget(y, p, budget, w) == pytest.approx(ref, rel=1e-12)
    assert alert_count(0.1, 50) == 5 and alert_count(0.005, 50) == 1 and alert_count(500, 50) == 50
    assert alert_count(0.007, 1000) == 7 and alert_count(0.0071, 1000) == 8  # a share rounds up, not fuzz


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"admin_cost": 0}, "admin_cost"),
        ({"admin_cost": 5, "cost_fp": 1}, "not both"),
        ({"cost_fp": 1}, "cost_fn"),
        ({"cost_fp": -1, "cost_fn": 1}, "cost_fp"),
    ],
)
def test_bad_costs_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Costs(**kwargs)


def test_bad_amounts_and_budgets_are_refused() -> None:
    with pytest.raises(ValueError, match="amount is required"):
        expected_cost([0, 1], [1, 0], Costs(admin_cost=1.0))
    with pytest.raises(ValueError, match="amount"):
        expected_cost([0, 1], [1, 0], Costs(admin_cost=1.0), amount=[1.0, np.nan])
    for bad in (0, 1.0, -3, 1.5):
        with pytest.raises(ValueError, match="alert_budget"):
            alert_count(bad, 10)
    with pytest.raises(TypeError, match="alert_budget"):
        alert_count(True, 10)
