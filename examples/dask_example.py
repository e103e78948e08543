"""
Focal loss on a Dask cluster
============================

With LightGBM (``DaskLGBMClassifier``) and XGBoost (``xgboost.dask.train``).

Run: ``python examples/dask_example.py`` (needs ``pip install -e ".[dask,engines]"``; ``--rows``, ``--rounds``).  It
starts a ``LocalCluster`` of two single-threaded worker processes; pass ``--scheduler ADDRESS`` to
use an existing cluster instead.  About half a minute on two cores.

What it shows:

1. the optimal initial score computed on the cluster from the Dask labels (one pass, only the two
   class weight totals come back to the client), equal to the single-machine value;
2. that constant handed to each engine as a Dask collection with the same partitions as ``X``
   (LightGBM ``init_score``, XGBoost ``base_margin``);
3. lazy class probabilities: raw margins + init score -> ``loss.posterior``, as a Dask array,
   compared with the plain sigmoid of the same margins (not a probability for focal models).

Two engine facts that matter on Dask (measured with LightGBM 4.7, XGBoost 3.2, Dask 2026.8):

* **No early stopping with ``lightgbm.dask``.**  Each worker evaluates its own partition of the
  validation set and may stop at a different iteration; LightGBM then fails with a socket error
  and, with any callable objective (ours or a plain function), sometimes hangs for good.
  ``xgboost.dask`` averages the metric over workers, so early stopping stays in step there.
* **A worker that dies mid-training** makes the surviving worker's collective call fail: the
  client gets ``LightGBMError: Socket recv error`` / ``XGBoostError: ... Allreduce failed`` within
  seconds.  If the *only* worker holding training data dies, ``lightgbm.dask`` waits forever for
  that worker's address; ``distributed.scheduler.no-workers-timeout`` (set below) turns that wait
  into a ``NoValidWorkerError``.
"""

from __future__ import annotations

import argparse
import time

import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split

import boostfocal as bf
from boostfocal import dask as bfd
from boostfocal.datasets import make_fraud


def report(name: str, y: np.ndarray, proba: np.ndarray, link: np.ndarray) -> None:
    """Ranking metrics (the same for both maps) and calibration of the posterior vs the plain sigmoid."""
    print(
        f"{name:<28s} PR-AUC {average_precision_score(y, proba):.4f}  ROC-AUC {roc_auc_score(y, proba):.4f}  "
        f"log-loss posterior {log_loss(y, proba):.4f} / sigmoid {log_loss(y, link):.4f}  "
        f"Brier posterior {brier_score_loss(y, proba):.5f} / sigmoid {brier_score_loss(y, link):.5f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Focal loss on a Dask cluster")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a LocalCluster)")
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--rounds", type=int, default=150)
    args = parser.parse_args()

    # A task pinned to a worker that died (LightGBM pins each training task) fails after 60 s
    # instead of waiting forever.  Must be set before the scheduler starts.
    dask.config.set({"distributed.scheduler.no-workers-timeout": "60s"})
    if args.scheduler:
        cluster, client = None, Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
    print(f"cluster: {len(client.scheduler_info()['workers'])} workers")

    X, y = make_fraud(n_samples=args.rows, positive_rate=0.01, random_state=0)
    print(f"data: make_fraud, {len(y):,} rows, {y.mean():.1%} positives")
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    chunk = -(-len(y_tr) // 4)  # four row partitions
    Xd, yd = da.from_array(X_tr, chunks=(chunk, X.shape[1])), da.from_array(y_tr.astype(np.float64), chunks=chunk)
    Xd_te = da.from_array(X_te, chunks=(-(-len(y_te) // 4), X.shape[1]))

    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
    t0 = time.perf_counter()
    z0 = bfd.init_score(loss, yd)  # one pass on the cluster
    print(
        f"init score from the Dask labels {z0:+.6f} (single machine {loss.init_score(y_tr):+.6f}), "
        f"{time.perf_counter() - t0:.2f}s"
    )
    margin = bfd.constant_margin(loss, z0, Xd)  # same partitions as Xd

    # ---- LightGBM ------------------------------------------------------------------------
    try:
        import lightgbm.dask as lgbd

        from boostfocal import lightgbm as bfl
    except ImportError as exc:
        print(f"skipping LightGBM ({exc})")
    else:
        t0 = time.perf_counter()
        clf = lgbd.DaskLGBMClassifier(
            client=client,
            objective=bfl.objective(loss),  # called as (y_true, y_pred, weight) on each worker
            n_estimators=args.rounds,
            learning_rate=0.05,
            num_leaves=31,
            reg_lambda=1.0,
            verbose=-1,
        )
        clf.fit(Xd, yd, init_score=margin)
        # clf.predict_proba would return raw scores without the init score: use the helper.
        proba = bfd.predict_proba(clf, Xd_te, loss, init_score=z0)  # lazy Dask array (n, 2)
        link = bfd.predict_proba(clf, Xd_te, loss, init_score=z0, method="link")
        proba, link = dask.compute(proba[:, 1], link[:, 1])
        report(f"LightGBM ({time.perf_counter() - t0:.1f}s)", y_te, proba, link)

    # ---- XGBoost -------------------------------------------------------------------------
    try:
        import xgboost.dask as xgbd  # import the submodule explicitly

        from boostfocal import xgboost as bfx
    except ImportError as exc:
        print(f"skipping XGBoost ({exc})")
    else:
        t0 = time.perf_counter()
        dtrain = xgbd.DaskDMatrix(client, Xd, yd, base_margin=margin)
        out = xgbd.train(
            client,
            {"tree_method": "hist", "eta": 0.05, "max_depth": 6, "lambda": 1.0, "disable_default_eval_metric": True},
            dtrain,
            args.rounds,
            obj=bfx.objective(loss),  # called as (predt, DMatrix) on each worker
            custom_metric=bfd.xgboost_metric(loss),  # exact weighted mean over all workers
            evals=[(dtrain, "train")],
            verbose_eval=False,
        )
        history = out["history"]["train"][loss.name]
        print(f"XGBoost train focal loss: {history[0]:.6f} -> {history[-1]:.6f} (global weighted mean)")
        proba = bfd.predict_proba(out, Xd_te, loss, init_score=z0)
        link = bfd.predict_proba(out, Xd_te, loss, init_score=z0, method="link")
        proba, link = dask.compute(proba[:, 1], link[:, 1])
        report(f"XGBoost ({time.perf_counter() - t0:.1f}s)", y_te, proba, link)

    client.close()
    if cluster is not None:
        cluster.close()


if __name__ == "__main__":
    main()
