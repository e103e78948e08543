"""Focal loss with LightGBM: the native ``lgb.train`` API and the scikit-learn estimator.

Run: ``python examples/lightgbm_example.py`` (needs ``pip install -e ".[lightgbm]"``); ``--rows N`` sets the size of
the synthetic table (default 50 000).
"""

from __future__ import annotations

import argparse

import lightgbm as lgb
import numpy as np
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

import boostfocal as bf
from boostfocal import lightgbm as bfl
from boostfocal.datasets import make_fraud


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the synthetic data (default 50,000)")
    args = parser.parse_args()

    X, y = make_fraud(n_samples=args.rows, positive_rate=0.01, random_state=0)
    print(f"data: make_fraud, {len(y):,} rows, {y.mean():.1%} positives")
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, test_size=0.2, stratify=y_tr, random_state=0)

    # 1. Native API, binary: objective + metric + a Dataset that starts from the optimal constant.
    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
    z0 = loss.init_score(y_tr)
    train = bfl.dataset(X_tr, y_tr, loss)
    valid = bfl.dataset(X_va, y_va, loss, init_score=z0, reference=train)
    booster = lgb.train(
        {"objective": bfl.objective(loss), "learning_rate": 0.05, "num_leaves": 31, "verbose": -1},
        train,
        num_boost_round=500,
        valid_sets=[valid],
        feval=bfl.metric(loss),
        callbacks=[lgb.early_stopping(30, verbose=False)],
    )
    proba = bfl.predict_proba(booster, X_te, loss, init_score=z0, num_iteration=booster.best_iteration)[:, 1]
    print(
        f"lgb.train     focal(γ=2, α=0.25): init score {z0:+.3f}, best iteration {booster.best_iteration}, "
        f"test PR-AUC {average_precision_score(y_te, proba):.4f}"
    )

    # 2. The scikit-learn estimator does all of the above itself (any labels, init score, posterior).
    clf = bf.FocalLGBMClassifier(gamma=2.0, alpha=0.25, n_estimators=500, learning_rate=0.05, verbose=-1)
    clf.fit(X_tr, y_tr, eval_X=(X_va,), eval_y=(y_va,), callbacks=[lgb.early_stopping(30, verbose=False)])
    p = clf.predict_proba(X_te)[:, 1]
    print(
        f"FocalLGBMClassifier: best iteration {clf.best_iteration_}, test PR-AUC {average_precision_score(y_te, p):.4f}"
    )

    # 3. Multiclass: three risk tiers from the same features (fit on the first 80 % of the rows).
    tier = np.digitize(X[:, 0], np.quantile(X[:, 0], [0.6, 0.9]))
    split = int(0.8 * len(y))
    mclf = bf.FocalLGBMClassifier(gamma=1.0, alpha="balanced", n_estimators=100, verbose=-1).fit(
        X[:split], tier[:split]
    )
    print("multiclass accuracy:", float((mclf.predict(X[split:]) == tier[split:]).mean()))


if __name__ == "__main__":
    main()
