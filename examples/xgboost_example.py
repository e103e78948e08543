"""
Focal loss with XGBoost
=======================

The native ``xgb.train`` API with boostfocal's objective, metric and ``DMatrix`` helper, then the
scikit-learn estimator, binary and multiclass.

Run: ``python examples/xgboost_example.py`` (needs ``pip install -e ".[xgboost]"``); ``--rows N``
sets the size of the synthetic table (default 50 000).
"""

from __future__ import annotations

import argparse

import numpy as np
import xgboost as xgb
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

import boostfocal as bf
from boostfocal import xgboost as bfx
from boostfocal.datasets import make_fraud

parser = argparse.ArgumentParser(description="Focal loss with XGBoost")
parser.add_argument("--rows", type=int, default=50_000, help="rows of the synthetic data (default 50,000)")
args = parser.parse_args()

X, y = make_fraud(n_samples=args.rows, positive_rate=0.01, random_state=0)
print(f"data: make_fraud, {len(y):,} rows, {y.mean():.1%} positives")
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, test_size=0.2, stratify=y_tr, random_state=0)

# %%
# The native API
# --------------
# The ``DMatrix`` carries the loss-minimising constant ``z0`` as ``base_margin``;
# ``embed_init_score`` then sets it as the booster's ``base_score``.
loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
z0 = loss.init_score(y_tr)
dtrain = bfx.dmatrix(X_tr, y_tr, loss)
dvalid = bfx.dmatrix(X_va, y_va, loss, init_score=z0)
booster = xgb.train(
    {"tree_method": "hist", "eta": 0.05, "max_depth": 6, "disable_default_eval_metric": True},
    dtrain,
    num_boost_round=500,
    obj=bfx.objective(loss),
    custom_metric=bfx.metric(loss),
    evals=[(dvalid, "valid")],
    early_stopping_rounds=30,
    verbose_eval=False,
)
bfx.embed_init_score(booster, loss, z0)
proba = bfx.predict_proba(booster, X_te, loss, iteration_range=(0, booster.best_iteration + 1))[:, 1]
print(
    f"xgb.train     focal(γ=2, α=0.25): init score {z0:+.3f}, best iteration {booster.best_iteration}, "
    f"test PR-AUC {average_precision_score(y_te, proba):.4f}"
)

# %%
# The scikit-learn estimator
# --------------------------
# The initial score, early stopping on the focal metric and the recovered posterior.
clf = bf.FocalXGBClassifier(
    gamma=2.0, alpha=0.25, n_estimators=500, learning_rate=0.05, early_stopping_rounds=30, tree_method="hist"
)
clf.fit(X_tr, y_tr, eval_set=[(X_va, y_va)], verbose=False)
p = clf.predict_proba(X_te)[:, 1]
print(f"FocalXGBClassifier: best iteration {clf.best_iteration}, test PR-AUC {average_precision_score(y_te, p):.4f}")

# %%
# Multiclass
# ----------
# Three risk tiers from the same features, fit on the first 80 % of the rows.
tier = np.digitize(X[:, 0], np.quantile(X[:, 0], [0.6, 0.9]))
split = int(0.8 * len(y))
mclf = bf.FocalXGBClassifier(gamma=1.0, alpha="balanced", n_estimators=100).fit(X[:split], tier[:split])
print("multiclass accuracy:", float((mclf.predict(X[split:]) == tier[split:]).mean()))
