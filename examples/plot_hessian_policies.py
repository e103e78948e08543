r"""
The Hessian policies
====================

For :math:`\gamma > 0` the exact second derivative of the focal loss is negative for a badly
predicted sample, which is where the positives of an imbalanced table start.  This script draws the
four ``hessian=`` policies of :class:`boostfocal.BinaryFocalLoss` for a positive sample, then trains
the same LightGBM model with each and follows its validation loss.

Run: ``python examples/plot_hessian_policies.py`` (needs ``pip install -e ".[lightgbm,plot]"``);
``--rows N`` sets the size of the synthetic table (default 20 000).
"""

from __future__ import annotations

import argparse

import lightgbm as lgb
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

import boostfocal as bf
from boostfocal import lightgbm as bfl
from boostfocal.datasets import make_fraud

parser = argparse.ArgumentParser(description="The Hessian policies")
parser.add_argument("--rows", type=int, default=20_000, help="rows of the synthetic data (default 20,000)")
args = parser.parse_args()

POLICIES = ("bounded", "exact", "weighted", "clip")

# %%
# The curvature each policy hands the booster
# -------------------------------------------
# For a positive sample (``y = 1``) at margin ``z``, ``gamma = 2``.  The exact Hessian turns
# negative below ``z = -2.79``; ``"clip"`` floors it at 1e-16, ``"bounded"`` (the default) keeps
# the larger of the exact and the focal-weighted log-loss curvature.
z = np.linspace(-8.0, 4.0, 400)
ones = np.ones_like(z)
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for policy in POLICIES:
    _, hess = bf.BinaryFocalLoss(alpha=None, gamma=2.0, hessian=policy).grad_hess(ones, z)
    style = {"bounded": {"linewidth": 5, "alpha": 0.4}, "exact": {"linestyle": "--"}}.get(policy, {})
    ax.plot(z, hess, label=policy, **style)
ax.axhline(0.0, color="0.6", linewidth=0.8)
ax.set_xlabel("raw margin z of a positive sample")
ax.set_ylabel("Hessian d²L/dz²")
ax.set_title("Focal loss, γ = 2: the Hessian by policy")
ax.legend()
fig.tight_layout()

# %%
# Training with each policy
# -------------------------
# The same data, the same tree settings, the same start (the optimal constant), ``gamma = 1``:
# only the curvature differs.  The validation focal loss per round and the final PR-AUC show
# which policy trains stably (``benchmarks/hessian_policy.py`` measures this on more data and seeds).
X, y = make_fraud(n_samples=args.rows, positive_rate=0.01, random_state=0)
print(f"data: make_fraud, {len(y):,} rows, {y.mean():.1%} positives")
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)

fig, ax = plt.subplots(figsize=(6.4, 3.6))
for policy in POLICIES:
    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=1.0, hessian=policy)
    z0 = loss.init_score(y_tr)
    train = bfl.dataset(X_tr, y_tr, loss)
    valid = bfl.dataset(X_va, y_va, loss, init_score=z0, reference=train)
    history: dict[str, dict[str, list[float]]] = {}
    booster = lgb.train(
        {"objective": bfl.objective(loss), "learning_rate": 0.1, "verbose": -1},
        train,
        num_boost_round=60,
        valid_sets=[valid],
        valid_names=["valid"],
        feval=bfl.metric(loss),
        callbacks=[lgb.record_evaluation(history)],
    )
    bfl.embed_init_score(booster, loss, z0)
    pr_auc = average_precision_score(y_va, bfl.predict_proba(booster, X_va, loss)[:, 1])
    curve = history["valid"][loss.name]
    print(f"hessian={policy!r:<11s} validation focal loss {curve[0]:.5f} -> {curve[-1]:.5f}, PR-AUC {pr_auc:.4f}")
    ax.plot(np.arange(1, len(curve) + 1), curve, label=policy)
ax.set_xlabel("boosting round")
ax.set_ylabel("validation focal loss")
ax.set_yscale("log")
ax.set_title("LightGBM, focal γ = 1, α = 0.25")
ax.legend()
fig.tight_layout()
plt.show()
