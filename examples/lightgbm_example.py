"""
Focal loss with LightGBM
========================

The native ``lgb.train`` API with boostfocal's objective, metric and data helpers, then the
scikit-learn estimator that does all of it itself, binary and multiclass.

Run: ``python examples/lightgbm_example.py`` (needs ``pip install -e ".[lightgbm]"``); ``--rows N``
sets the size of the synthetic table (default 50 000).
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

parser = argparse.ArgumentParser(description="Focal loss with LightGBM")
parser.add_argument("--rows", type=int, default=50_000, help="rows of the synthetic data (default 50,000)")
args = parser.parse_args()

X, y = make_fraud(n_samples=args.rows, positive_rate=0.01, random_state=0)
print(f"data: make_fraud, {len(y):,} rows, {y.mean():.1%} positives")
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, test_size=0.2, stratify=y_tr, random_state=0)

# %%
# The native API
# --------------
# An objective, a matching metric for early stopping, and a ``Dataset`` that starts from the
# loss-minimising constant ``z0``.  ``embed_init_score`` then puts ``z0`` inside the booster, so
# ``booster.predict`` gives the full margin.
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
bfl.embed_init_score(booster, loss, z0)
proba = bfl.predict_proba(booster, X_te, loss, num_iteration=booster.best_iteration)[:, 1]
print(
    f"lgb.train     focal(γ=2, α=0.25): init score {z0:+.3f}, best iteration {booster.best_iteration}, "
    f"test PR-AUC {average_precision_score(y_te, proba):.4f}"
)

# %%
# The scikit-learn estimator
# --------------------------
# Any labels, the initial score inside the model, early stopping on the focal metric, and the
# recovered posterior from ``predict_proba``.
clf = bf.FocalLGBMClassifier(gamma=2.0, alpha=0.25, n_estimators=500, learning_rate=0.05, verbose=-1)
clf.fit(X_tr, y_tr, eval_X=(X_va,), eval_y=(y_va,), callbacks=[lgb.early_stopping(30, verbose=False)])
p = clf.predict_proba(X_te)[:, 1]
print(f"FocalLGBMClassifier: best iteration {clf.best_iteration_}, test PR-AUC {average_precision_score(y_te, p):.4f}")

# %%
# Multiclass
# ----------
# Three risk tiers from the same features, fit on the first 80 % of the rows.
tier = np.digitize(X[:, 0], np.quantile(X[:, 0], [0.6, 0.9]))
split = int(0.8 * len(y))
mclf = bf.FocalLGBMClassifier(gamma=1.0, alpha="balanced", n_estimators=100, verbose=-1).fit(X[:split], tier[:split])
print("multiclass accuracy:", float((mclf.predict(X[split:]) == tier[split:]).mean()))
