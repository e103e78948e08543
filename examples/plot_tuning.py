"""
Tuning gamma and alpha
======================

:func:`boostfocal.tune` fits focal loss over a grid of gamma and alpha and the usual baselines
(log-loss, balanced cross-entropy, ``scale_pos_weight``) in the same folds, then compares the focal
row and the baseline that each fold's inner split picks, with the Nadeau-Bengio corrected t-test.
This is what ``boostfocal tune`` runs from the command line, on a small table.

Run: ``python examples/plot_tuning.py`` (needs ``pip install -e ".[lightgbm,plot]"``); ``--rows N``
sets the size of the synthetic table (default 20 000).
"""

from __future__ import annotations

import argparse

import matplotlib.pyplot as plt

import boostfocal as bf
from boostfocal.datasets import make_fraud

parser = argparse.ArgumentParser(description="Tuning gamma and alpha")
parser.add_argument("--rows", type=int, default=20_000, help="rows of the synthetic data (default 20,000)")
args = parser.parse_args()

X, y = make_fraud(n_samples=args.rows, positive_rate=0.03, random_state=0)
print(f"data: make_fraud, {len(y):,} rows, {y.mean():.1%} positives")

# %%
# The cross-validated comparison
# ------------------------------
# Few trees and two gammas keep this quick; the defaults of :func:`boostfocal.tune` fit more.
result = bf.tune(
    X, y, engine="lightgbm", gammas=(1, 2), alphas=(None, "balanced"), n_estimators=50, n_jobs=1, progress=False
)
print(result.format_table())

# %%
# The headline and its verdict
# ----------------------------
# The table's best mean is optimistic; the headline compares the rows chosen inside each fold.
print(result.headline())

# %%
# The plot
# --------
# The scoring metric against gamma, one line per alpha, the baselines as horizontal references.
result.plot()
plt.show()
