"""Which Hessian should a focal objective hand a Newton booster?  Trains on a fraud-style table.

For gamma > 0 the exact second derivative is negative for badly predicted samples, which is
where every positive starts on imbalanced data.  This script trains LightGBM and XGBoost with
each policy of :class:`boostfocal.BinaryFocalLoss` (``bounded`` default, ``exact``,
``weighted``, ``clip``) from the optimal initial score, and reports test PR-AUC and validation
focal loss after 20, 100 and all rounds, plus stability (NaN margins, largest |margin|).

Run: ``python benchmarks/hessian_policy.py [--rows 200000] [--rounds 300]``; writes
``benchmarks/results/hessian_policy.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

import boostfocal as bf
from boostfocal import lightgbm as bfl
from boostfocal import xgboost as bfx
from boostfocal.datasets import make_fraud

POLICIES = ("bounded", "exact", "weighted", "clip")
CHECKPOINTS = (20, 100)


def _curve_lgb(loss: bf.BinaryFocalLoss, data: dict, rounds: int, threads: int) -> list[np.ndarray]:
    z0 = loss.init_score(data["y_tr"])
    params = {
        "objective": bfl.objective(loss),
        "learning_rate": 0.05,
        "num_leaves": 31,
        "verbose": -1,
        "num_threads": threads,
        "seed": 0,
    }
    booster = lgb.train(params, bfl.dataset(data["X_tr"], data["y_tr"], loss), rounds)
    return [
        bfl.predict_raw(booster, data[k], init_score=z0, num_iteration=c)
        for k in ("X_va", "X_te")
        for c in (*CHECKPOINTS, rounds)
    ]


def _curve_xgb(loss: bf.BinaryFocalLoss, data: dict, rounds: int, threads: int) -> list[np.ndarray]:
    z0 = loss.init_score(data["y_tr"])
    params = {
        "tree_method": "hist",
        "eta": 0.05,
        "max_depth": 6,
        "nthread": threads,
        "seed": 0,
        "disable_default_eval_metric": True,
    }
    booster = xgb.train(params, bfx.dmatrix(data["X_tr"], data["y_tr"], loss), rounds, obj=bfx.objective(loss))
    return [
        bfx.predict_raw(booster, data[k], init_score=z0, loss=loss, iteration_range=(0, c))
        for k in ("X_va", "X_te")
        for c in (*CHECKPOINTS, rounds)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--rate", type=float, default=0.002)
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--gammas", default="0.5,1,2")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "hessian_policy.md"))
    args = ap.parse_args()

    X, y = make_fraud(n_samples=args.rows, positive_rate=args.rate, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, test_size=0.25, stratify=y_tr, random_state=0)
    data = {"X_tr": X_tr, "y_tr": y_tr, "X_va": X_va, "y_va": y_va, "X_te": X_te, "y_te": y_te}
    cps = (*CHECKPOINTS, args.rounds)
    header = (
        "| engine | γ | hessian | "
        + " | ".join(f"val focal @{c}" for c in cps)
        + " | "
        + " | ".join(f"test PR-AUC @{c}" for c in cps)
        + " | max abs margin | NaN | time s |"
    )
    rows = [header, "|" + "---|" * (header.count("|") - 1)]
    print(header)
    for engine, fit in (("lightgbm", _curve_lgb), ("xgboost", _curve_xgb)):
        for gamma in (float(g) for g in args.gammas.split(",")):
            for policy in POLICIES:
                loss = bf.BinaryFocalLoss(alpha=None, gamma=gamma, hessian=policy)
                t0 = time.perf_counter()
                preds = fit(loss, data, args.rounds, args.threads)
                secs = time.perf_counter() - t0
                val, test = preds[: len(cps)], preds[len(cps) :]
                nan = any(not np.all(np.isfinite(p)) for p in preds)
                vloss = ["nan" if not np.all(np.isfinite(p)) else f"{loss.loss(y_va, p).mean():.5f}" for p in val]
                ap_ = ["nan" if not np.all(np.isfinite(p)) else f"{average_precision_score(y_te, p):.4f}" for p in test]
                big = max(float(np.nanmax(np.abs(p))) for p in preds)
                row = (
                    f"| {engine} | {gamma:g} | {policy} | "
                    + " | ".join(vloss)
                    + " | "
                    + " | ".join(ap_)
                    + f" | {big:.3g} | {'yes' if nan else 'no'} | {secs:.1f} |"
                )
                rows.append(row)
                print(row, flush=True)
    meta = (
        f"{dt.date.today()}, {args.rows} rows at {args.rate:.2%} positives (make_fraud), {args.rounds} rounds, "
        f"lr 0.05, {args.threads} threads; {platform.processor() or platform.machine()}; "
        f"lightgbm {lgb.__version__}, xgboost {xgb.__version__}, boostfocal {bf.__version__}"
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("# Hessian policy benchmark\n\n" + meta + "\n\n" + "\n".join(rows) + "\n")
    print("\n" + meta)


if __name__ == "__main__":
    main()
