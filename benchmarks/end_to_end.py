"""End-to-end training time: our focal objectives against the engines' built-in log-loss objectives.

Four comparisons, each timed in one process with the objectives interleaved (ABBA order,
one untimed warm-up each, median of ``--repeats`` >= 5 runs):

- ``lgb-binary``: LightGBM ``lgb.train``, 100 rounds, 2 threads, ``num_leaves=31``, on
  ``make_fraud(1_000_000, positive_rate=0.01, n_noise=13)`` (30 features), with
  ``objective=bfl.objective(BinaryFocalLoss(alpha=0.25, gamma=2))`` (Dataset from ``bfl.dataset``,
  i.e. with the optimal ``init_score``) against ``objective="binary"``.  Target <= 1.15x.
- ``xgb-binary``: the same with XGBoost ``tree_method="hist"``, ``max_depth=6`` (``bfx.objective``
  on ``bfx.dmatrix``) against ``binary:logistic``.  Target <= 1.15x.
- ``lgb-multi`` / ``xgb-multi``: K = 5 classes, 500 000 rows of plain random features
  (``sklearn.datasets.make_classification``, 30 features, 15 informative), ``MulticlassFocalLoss(5,
  gamma=2)`` against ``multiclass`` / ``multi:softprob``.  Target <= 1.25x.

A third candidate, "custom log-loss", trains with the cheapest numpy log-loss (softmax
cross-entropy) objective passed as a Python callable: the price of any Python objective (engine
round trip, float64 -> float32 copies, ...), so that "focal / custom log-loss" isolates what the
focal mathematics itself adds.  A fourth, "focal replayed", trains with the focal gradients and
Hessians recorded from one focal training, handed back round by round by an objective that computes
nothing: the same trees at no objective cost, so "focal replayed / built-in" is the floor any focal
objective could reach (what the engine's tree building costs on focal gradients), and "focal / focal
replayed" is what computing them costs.  The recording holds every round's arrays in memory
(binary 1M rows: 0.8 GB; K=5, 500k rows: 2 GB).

Each Dataset / DMatrix is built once, outside the timed region (LightGBM: ``free_raw_data=False``,
constructed once and reused; only ``lgb.train`` / ``xgb.train`` is timed; XGBoost's warm-up also
builds the histogram index).  The focal objective is wrapped in a timer, so the table also gives
the time spent in our objective per call and its share of training.

Run: ``python benchmarks/end_to_end.py`` (about 35 minutes on 2 cores; 45 with ``--repeats 7``), ``--only lgb-binary``
(a comma list) for some comparisons, ``--quick`` for a small smoke run; ``--wait-quiet`` waits
(up to 40 min) for the 1-minute load average to fall below 1 before each comparison.  Results
are merged into ``benchmarks/results/end_to_end.json`` and written as ``end_to_end.md``
(``--quick``: ``end_to_end_quick.*``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from _common import RESULTS, interleaved, loadavg, md_table, median, spread, verdict, wait_for_quiet, write_report
from sklearn.datasets import make_classification

import boostfocal as bf
from boostfocal import lightgbm as bfl
from boostfocal import xgboost as bfx
from boostfocal.datasets import make_fraud

COMPARISONS = ("lgb-binary", "xgb-binary", "lgb-multi", "xgb-multi")
TARGETS = {"lgb-binary": 1.15, "xgb-binary": 1.15, "lgb-multi": 1.25, "xgb-multi": 1.25}
THREADS = 2


class TimedObjective:
    """Wraps an objective callable and accumulates the time spent in it."""

    def __init__(self, inner: Callable[..., Any]) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, *args: Any) -> Any:
        t0 = time.perf_counter()
        out = self.inner(*args)
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        return out

    def reset(self) -> None:
        self.seconds, self.calls = 0.0, 0

    def __deepcopy__(self, memo: dict[int, Any]) -> TimedObjective:
        return self  # lgb.train deep-copies its params; keep counting in this object


class ReplayObjective:
    """Hands back recorded ``(grad, hess)`` pairs in order, computing nothing (see the module docstring)."""

    def __init__(self) -> None:
        self.store: list[tuple[np.ndarray, np.ndarray]] = []
        self.next = 0

    def recording(self, inner: Callable[..., Any]) -> Callable[..., Any]:
        """``inner`` wrapped to record copies of what it returns (the adapters reuse their buffers)."""
        self.store.clear()

        def record(*args: Any) -> Any:
            grad, hess = inner(*args)
            self.store.append((np.array(grad, order="K"), np.array(hess, order="K")))
            return grad, hess

        return record

    def rewind(self) -> ReplayObjective:
        self.next = 0
        return self

    def __call__(self, *args: Any) -> tuple[np.ndarray, np.ndarray]:
        out = self.store[self.next]
        self.next += 1
        return out

    def __deepcopy__(self, memo: dict[int, Any]) -> ReplayObjective:
        return self  # lgb.train deep-copies its params


def binary_data(n: int) -> tuple[np.ndarray, np.ndarray]:
    return make_fraud(n, positive_rate=0.01, n_noise=13, random_state=0)  # 2 + 3 + 8 + 4 + 13 = 30 features


def multi_data(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    return make_classification(
        n_samples=n,
        n_features=30,
        n_informative=15,
        n_redundant=5,
        n_classes=k,
        n_clusters_per_class=2,
        random_state=0,
    )


class LogLossObjective:
    """The cheapest custom log-loss objective (numpy): what any Python objective costs, focal or not.

    ``p = sigmoid(z); g = p - y; h = p (1 - p)``, or for K classes ``p = softmax(z); g = p - onehot;
    h = c p (1 - p)`` with the engine's multiclass factor ``c`` (LightGBM ``K/(K-1)``, XGBoost 2).
    Labels (and the one-hot matrix) are prepared once; margins are used in the dtype the engine
    hands over.
    """

    def __init__(self, y: np.ndarray, num_class: int, hess_factor: float) -> None:
        self.y = np.asarray(y, dtype=np.float64)
        self.onehot = np.eye(num_class)[np.asarray(y, dtype=np.intp)] if num_class > 1 else None
        self.factor = hess_factor

    def __call__(self, preds: np.ndarray, data: Any) -> tuple[np.ndarray, np.ndarray]:
        if self.onehot is None:
            p = 1.0 / (1.0 + np.exp(-preds))
            return p - self.y, p * (1.0 - p)
        e = np.exp(preds - preds.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        return p - self.onehot, self.factor * p * (1.0 - p)


def lgb_candidates(X: np.ndarray, y: np.ndarray, loss: bf.Loss, rounds: int) -> tuple[dict, dict, Callable[[], Any]]:
    multi = loss.is_multiclass
    k = loss.num_outputs
    common: dict[str, Any] = {
        "learning_rate": 0.1,
        "num_leaves": 31,
        "num_threads": THREADS,
        "verbose": -1,
        "seed": 0,
        "max_bin": 255,
    }
    if multi:
        common["num_class"] = k
    ds_params = {"max_bin": 255, "verbose": -1}
    builtin_ds = lgb.Dataset(X, y, free_raw_data=False, params=ds_params).construct()
    custom_ds = lgb.Dataset(X, y, free_raw_data=False, params=ds_params).construct()
    focal_ds = bfl.dataset(X, y, loss, free_raw_data=False, params=ds_params).construct()
    objs = {
        "focal": TimedObjective(bfl.objective(loss)),
        "custom log-loss": TimedObjective(LogLossObjective(y, k if multi else 1, k / (k - 1.0) if multi else 1.0)),
    }
    builtin_params = dict(common, objective="multiclass" if multi else "binary")
    focal_params = dict(common, objective=objs["focal"])
    custom_params = dict(common, objective=objs["custom log-loss"])
    replay = ReplayObjective()
    return (
        {
            "built-in": lambda: lgb.train(builtin_params, builtin_ds, rounds),
            "focal": lambda: lgb.train(focal_params, focal_ds, rounds),
            "custom log-loss": lambda: lgb.train(custom_params, custom_ds, rounds),
            "focal replayed": lambda: lgb.train(dict(common, objective=replay.rewind()), focal_ds, rounds),
        },
        objs,
        lambda: lgb.train(dict(common, objective=replay.recording(bfl.objective(loss))), focal_ds, rounds),
    )


def xgb_candidates(X: np.ndarray, y: np.ndarray, loss: bf.Loss, rounds: int) -> tuple[dict, dict, Callable[[], Any]]:
    multi = loss.is_multiclass
    k = loss.num_outputs
    common: dict[str, Any] = {
        "tree_method": "hist",
        "max_depth": 6,
        "eta": 0.1,
        "nthread": THREADS,
        "max_bin": 256,
        "seed": 0,
    }
    if multi:
        common["num_class"] = k
    builtin_dm = xgb.DMatrix(X, label=y, nthread=THREADS)
    custom_dm = xgb.DMatrix(X, label=y, nthread=THREADS)
    focal_dm = bfx.dmatrix(X, y, loss, nthread=THREADS)
    objs = {
        "focal": TimedObjective(bfx.objective(loss)),
        "custom log-loss": TimedObjective(LogLossObjective(y, k if multi else 1, 2.0)),
    }
    builtin_params = dict(common, objective="multi:softprob" if multi else "binary:logistic")
    custom_params = dict(common, disable_default_eval_metric=True)
    replay = ReplayObjective()
    return (
        {
            "built-in": lambda: xgb.train(builtin_params, builtin_dm, rounds),
            "focal": lambda: xgb.train(custom_params, focal_dm, rounds, obj=objs["focal"]),
            "custom log-loss": lambda: xgb.train(custom_params, custom_dm, rounds, obj=objs["custom log-loss"]),
            "focal replayed": lambda: xgb.train(custom_params, focal_dm, rounds, obj=replay.rewind()),
        },
        objs,
        lambda: xgb.train(custom_params, focal_dm, rounds, obj=replay.recording(bfx.objective(loss))),
    )


def run_comparison(name: str, rows: int, rounds: int, repeats: int, classes: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    if name.endswith("binary"):
        X, y = binary_data(rows)
        loss: bf.Loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
        data_desc = f"make_fraud({rows:,}, positive_rate=0.01, n_noise=13): 30 features, {y.mean():.2%} positives"
    else:
        X, y = multi_data(rows, classes)
        loss = bf.MulticlassFocalLoss(classes, gamma=2.0)
        data_desc = f"make_classification({rows:,}, 30 features, 15 informative, {classes} classes)"
    cands, objs, record = (lgb_candidates if name.startswith("lgb") else xgb_candidates)(X, y, loss, rounds)
    record()  # the focal gradients that "focal replayed" hands back
    print(f"  data and Datasets built in {time.perf_counter() - t0:.1f} s; load {loadavg()}", flush=True)
    load_start = loadavg()
    # warm-up by hand (so the objective timers can be reset afterwards), then interleaved timing
    for c in cands.values():
        c()
    for o in objs.values():
        o.reset()
    times = interleaved(cands, repeats, warmup=0)
    med = {k: median(v) for k, v in times.items()}
    per_call = {k: o.seconds / max(o.calls, 1) for k, o in objs.items()}
    ratio = med["focal"] / med["built-in"]
    res = {
        "comparison": name,
        "data": data_desc,
        "rounds": rounds,
        "repeats": repeats,
        "threads": THREADS,
        "median_s": med,
        "range_s": {k: spread(v) for k, v in times.items()},
        "ratio": ratio,
        "ratio_custom_logloss": med["custom log-loss"] / med["built-in"],
        "ratio_focal_vs_custom": med["focal"] / med["custom log-loss"],
        "ratio_replayed": med["focal replayed"] / med["built-in"],
        "ratio_focal_vs_replayed": med["focal"] / med["focal replayed"],
        "target": TARGETS[name],
        "objective_ms_per_call": {k: v * 1e3 for k, v in per_call.items()},
        "objective_share": per_call["focal"] * rounds / med["focal"],
        "load_start": load_start,
        "load_end": loadavg(),
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    print(
        f"  {name}: built-in {med['built-in']:.2f} s, focal {med['focal']:.2f} s, custom log-loss "
        f"{med['custom log-loss']:.2f} s, focal replayed {med['focal replayed']:.2f} s; focal/built-in "
        f"{ratio:.3f} -> {verdict(ratio, TARGETS[name])}; "
        f"custom log-loss/built-in {res['ratio_custom_logloss']:.3f}; focal/custom log-loss "
        f"{res['ratio_focal_vs_custom']:.3f}; focal replayed/built-in {res['ratio_replayed']:.3f}; focal/focal "
        f"replayed {res['ratio_focal_vs_replayed']:.3f}; objective ms/call: focal {per_call['focal'] * 1e3:.1f}, "
        f"log-loss {per_call['custom log-loss'] * 1e3:.1f} (focal objective = {res['objective_share']:.1%} of "
        f"training); load {load_start} -> {res['load_end']}",
        flush=True,
    )
    return res


def replayed_cells(r: dict[str, Any]) -> list[str]:
    if "ratio_replayed" not in r:  # a result stored before the replayed candidate existed
        return ["-", "-", "-"]
    m, rg = r["median_s"], r["range_s"]
    return [
        f"{m['focal replayed']:.3f} ({rg['focal replayed']})",
        f"{r['ratio_replayed']:.3f}",
        f"{r['ratio_focal_vs_replayed']:.3f}",
    ]


def report(results: dict[str, dict[str, Any]], quick: bool) -> None:
    head = [
        "comparison",
        "data",
        "rounds",
        "built-in s",
        "focal s",
        "custom log-loss s",
        "focal / built-in",
        "target",
        "custom log-loss / built-in",
        "focal / custom log-loss",
        "focal replayed s",
        "focal replayed / built-in",
        "focal / focal replayed",
        "objective ms/call: focal, log-loss",
        "focal objective share",
        "load avg start / end",
    ]
    rows = []
    for name in COMPARISONS:
        if name not in results:
            continue
        r = results[name]
        m, rg, oc = r["median_s"], r["range_s"], r["objective_ms_per_call"]
        rows.append(
            [
                name,
                r["data"],
                r["rounds"],
                f"{m['built-in']:.3f} ({rg['built-in']})",
                f"{m['focal']:.3f} ({rg['focal']})",
                f"{m['custom log-loss']:.3f} ({rg['custom log-loss']})",
                f"**{r['ratio']:.3f}**",
                verdict(r["ratio"], r["target"]),
                f"{r['ratio_custom_logloss']:.3f}",
                f"{r['ratio_focal_vs_custom']:.3f}",
                *replayed_cells(r),
                f"{oc['focal']:.1f}, {oc['custom log-loss']:.1f}",
                f"{r['objective_share']:.1%}",
                f"{r['load_start']} / {r['load_end']} ({r['when']})",
            ]
        )
    any_r = next(iter(results.values()))
    sections = [
        f"Training time of `lgb.train` / `xgb.train` only (Datasets built once), {any_r['threads']} threads, "
        f"median (min-max) of {any_r['repeats']} interleaved repeats after one warm-up, in seconds. Focal: gamma=2 "
        "(binary alpha=0.25), default Hessian policy, numba kernels, from the loss-minimising initial score. "
        "Built-in: `binary` / `binary:logistic` / `multiclass` / `multi:softprob`. 'custom log-loss': the "
        "cheapest numpy log-loss (softmax cross-entropy) passed as a Python objective (`p = sigmoid(z); "
        "g = p - y; h = p(1-p)`, labels prepared once): the cost of a Python objective of any kind, so "
        "'focal / custom log-loss' is what the focal mathematics adds. 'focal replayed': the focal gradients and "
        "Hessians recorded from one focal training, handed back by an objective that computes nothing (the same "
        "trees at no objective cost): 'focal replayed / built-in' is the floor for any focal objective, the cost "
        "of the engine's trees on focal gradients. LightGBM `num_leaves=31`, XGBoost "
        "`hist`, `max_depth=6`; learning rate 0.1. 'objective ms/call': time inside the objective callable "
        "(for focal: adapter + kernel) per boosting round; 'focal objective share': its share of the focal "
        "training time.",
        md_table(head, rows),
    ]
    write_report("end_to_end_quick.md" if quick else "end_to_end.md", "End-to-end training time", sections)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run (20k rows, 10 rounds, 3 repeats)")
    ap.add_argument("--only", default=",".join(COMPARISONS), help=f"comma list out of {', '.join(COMPARISONS)}")
    ap.add_argument("--rows", type=int, default=1_000_000, help="binary rows")
    ap.add_argument("--multi-rows", type=int, default=500_000)
    ap.add_argument("--classes", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--wait-quiet", action="store_true", help="wait for the 1-min load average to fall below 1")
    args = ap.parse_args()
    names = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = set(names) - set(COMPARISONS)
    if bad:
        ap.error(f"unknown comparison(s) {sorted(bad)}")
    rows, multi_rows, rounds, repeats = args.rows, args.multi_rows, args.rounds, args.repeats
    if args.quick:
        rows, multi_rows, rounds, repeats = 20_000, 10_000, 10, 3
    store = RESULTS / ("end_to_end_quick.json" if args.quick else "end_to_end.json")
    results: dict[str, dict[str, Any]] = json.loads(store.read_text()) if store.exists() else {}
    for name in names:
        if args.wait_quiet:
            print(wait_for_quiet(), flush=True)
        print(f"{name}", flush=True)
        n = rows if name.endswith("binary") else multi_rows
        results[name] = run_comparison(name, n, rounds, repeats, args.classes)
        RESULTS.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(results, indent=1) + "\n")
    report(results, args.quick)


if __name__ == "__main__":
    main()
