r"""
Calibration: the posterior against σ(z)
=======================================

A focal model's plain link :math:`\sigma(z)` is not the class probability: focal loss pushes its
minimiser towards 0.5.  :meth:`boostfocal.BinaryFocalLoss.posterior` inverts that minimiser.  This
script trains one focal model and compares both maps of the same margins with the observed
frequency of positives (a reliability diagram), the log-loss and the Brier score.

Run: ``python examples/plot_posterior_calibration.py`` (needs ``pip install -e ".[lightgbm,plot]"``);
``--rows N`` sets the size of the synthetic table (default 20 000).
"""

from __future__ import annotations

import argparse

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import brier_score_loss, log_loss
from sklearn.model_selection import train_test_split

import boostfocal as bf
from boostfocal.datasets import make_fraud

parser = argparse.ArgumentParser(description="Calibration: the posterior against sigma(z)")
parser.add_argument("--rows", type=int, default=20_000, help="rows of the synthetic data (default 20,000)")
args = parser.parse_args()

X, y = make_fraud(n_samples=args.rows, positive_rate=0.1, random_state=0)
print(f"data: make_fraud, {len(y):,} rows, {y.mean():.1%} positives")
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)

# %%
# One focal model, two maps of its margins
# ----------------------------------------
# ``predict_proba`` gives the recovered posterior; ``probability="link"`` would give
# :math:`\sigma(z)`.  Both are computed here from the same raw margins ``z``.
clf = bf.FocalLGBMClassifier(gamma=2.0, alpha=0.25, n_estimators=100, learning_rate=0.05, verbose=-1)
clf.fit(X_tr, y_tr)
z = clf.predict_raw(X_te)
maps = {"posterior": clf.loss_.posterior(z), "σ(z)": bf.sigmoid(z)}
for name, p in maps.items():
    print(f"{name:<10s} log-loss {log_loss(y_te, p):.4f}  Brier {brier_score_loss(y_te, p):.5f}  mean {p.mean():.4f}")
print(f"observed frequency of positives {y_te.mean():.4f}")

# %%
# The reliability diagram
# -----------------------
# Test rows in ten bins of equal size by predicted probability: a calibrated map lies on the
# diagonal.  :math:`\sigma(z)` of the focal model is pulled towards 0.5.
fig, ax = plt.subplots(figsize=(5.0, 5.0))
for name, p in maps.items():
    order = np.argsort(p)
    bins = np.array_split(order, 10)
    ax.plot([p[b].mean() for b in bins], [y_te[b].mean() for b in bins], marker="o", label=name)
ax.plot([0, 1], [0, 1], color="0.6", linestyle=":", label="calibrated")
ax.set_xlabel("mean predicted probability")
ax.set_ylabel("observed frequency of positives")
ax.set_title("Focal loss γ = 2, α = 0.25")
ax.legend()
fig.tight_layout()
plt.show()
