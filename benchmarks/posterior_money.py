"""The posterior's worth in money: the Bayes rule ``p x amount > admin cost`` on the true
probability and on what each model gives as ``p``, side by side, on ``make_fraud`` data.

Rows (each model fitted on the same training rows, early-stopped on the same validation rows):

* ``truth``: the true ``P(y=1 | x)`` of the generator (``make_fraud(return_proba=True)``);
* ``focal posterior``: a focal model's recovered posterior (``predict_proba``);
* ``focal sigma(z)``: the same model's plain sigmoid of its margin (not a probability);
* ``log-loss``: the engine's log-loss, ``sigma(z)``;
* ``scale_pos_weight``: log-loss with positives weighted ``n_neg/n_pos``, uncorrected ``sigma(z)``;
* ``scale_pos_weight corrected``: its prior-shifted probability ``sigma(z - log w)``.

Columns: alerts raised on the test rows, the realised cost (missed frauds at their amount,
alerts at the admin cost), the savings against the better trivial rule, and the *regret*: the
expected cost under the true probability, ``sum_i p_i A_i (1 - c_i) + c_i C_a``, minus that of
the truth's own flags (0 for the truth, >= 0 for every other rule by construction).  Theory:
the calibrated probabilities (focal posterior, log-loss, corrected weight) lose little; the
uncalibrated scores (``sigma(z)`` of focal, uncorrected weight) flag too much and lose more.

    python benchmarks/posterior_money.py [--n-train 100000] [--n-test 200000] [--positive-rate 0.01]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def money_rows(
    n_train: int,
    n_test: int,
    rate: float,
    admin_cost: float,
    gamma: float,
    seed: int,
    trees: int = 400,
    lr: float = 0.05,
) -> list[tuple[str, int, float, float, float]]:
    """``(name, alerts, realised cost, savings, regret)`` for every rule of the module docstring."""
    import lightgbm as lgb

    from boostfocal import sigmoid
    from boostfocal.datasets import make_fraud
    from boostfocal.lightgbm import FocalLGBMClassifier
    from boostfocal.losses import prior_shift
    from boostfocal.metrics import Costs, bayes_flags, expected_cost, savings

    X, y, p_true = make_fraud(n_train + n_test, positive_rate=rate, random_state=seed, return_proba=True)
    n_fit = int(0.8 * n_train)
    fit, val, test = slice(0, n_fit), slice(n_fit, n_train), slice(n_train, None)
    common = {"n_estimators": trees, "learning_rate": lr, "min_child_weight": 1.0, "reg_lambda": 1.0,
              "n_jobs": 2, "random_state": seed, "verbose": -1}  # fmt: skip
    stop = [lgb.early_stopping(40, verbose=False)]
    focal = FocalLGBMClassifier(gamma=gamma, **common)
    focal.fit(X[fit], y[fit], eval_X=(X[val],), eval_y=(y[val],), callbacks=stop)
    plain = lgb.LGBMClassifier(**common).fit(X[fit], y[fit], eval_X=(X[val],), eval_y=(y[val],), callbacks=stop)
    w = float((y[fit] == 0).sum() / (y[fit] == 1).sum())
    spw = lgb.LGBMClassifier(scale_pos_weight=w, **common)
    # early-stopped on the loss it trains on: log-loss with the positives weighted alike
    spw.fit(
        X[fit],
        y[fit],
        eval_X=(X[val],),
        eval_y=(y[val],),
        eval_sample_weight=[np.where(y[val] == 1, w, 1.0)],
        callbacks=stop,
    )
    Xt, yt, pt, amount = X[test], y[test], p_true[test], X[test, 0]
    margin_spw = spw.predict(Xt, raw_score=True)
    scores = {
        "truth": pt,
        f"focal gamma={gamma:g} posterior": focal.predict_proba(Xt)[:, 1],
        f"focal gamma={gamma:g} sigma(z)": sigmoid(focal.predict(Xt, raw_score=True)),
        "log-loss": plain.predict_proba(Xt)[:, 1],
        "scale_pos_weight uncorrected": sigmoid(margin_spw),
        "scale_pos_weight corrected": prior_shift(margin_spw, w),
    }
    costs = Costs(admin_cost=admin_cost)

    def risk(flags: np.ndarray) -> float:  # expected cost under the true probability
        return float(np.sum(flags * admin_cost + (1 - flags) * pt * amount))

    best = risk(bayes_flags(pt, costs, amount))
    out = []
    for name, p in scores.items():
        flags = bayes_flags(p, costs, amount)
        out.append(
            (name, int(flags.sum()), expected_cost(yt, flags, costs, amount), savings(yt, flags, costs, amount),
             risk(flags) - best)
        )  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=100_000)
    parser.add_argument("--n-test", type=int, default=200_000)
    parser.add_argument("--positive-rate", type=float, default=0.01)
    parser.add_argument("--admin-cost", type=float, default=5.0)
    parser.add_argument("--gamma", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    a = parser.parse_args()
    t0 = time.process_time()
    rows = money_rows(a.n_train, a.n_test, a.positive_rate, a.admin_cost, a.gamma, a.seed)
    print(
        f"make_fraud: {a.n_train:,} training rows (80 % fit, 20 % early stopping), {a.n_test:,} test rows, "
        f"positive rate {a.positive_rate:g}, seed {a.seed}; rule: flag when p x amount > {a.admin_cost:g}"
    )
    print(f"{'decision by':34s} {'alerts':>7s} {'cost':>12s} {'savings':>8s} {'regret':>10s}")
    for name, alerts, cost, sav, regret in rows:
        print(f"{name:34s} {alerts:7,d} {cost:12,.0f} {sav:8.3f} {regret:10,.0f}")
    print(f"(CPU time {time.process_time() - t0:.0f} s; regret: expected cost under the true p minus the truth's)")


if __name__ == "__main__":
    main()
