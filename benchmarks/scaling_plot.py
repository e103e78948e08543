"""Time per boosting round against the number of rows, focal objective vs built-in, LightGBM and XGBoost.

Binary problem with plain random features: ``X`` ~ N(0, 1), 10 float32 features,
``y`` ~ Bernoulli(sigma(X w - 4.5)) (about 2.5 % positives).  For each size in 10^4 ... 10^7 rows
(half-decades) the Datasets are built once (LightGBM ``lgb.Dataset(...).construct()``, XGBoost
``QuantileDMatrix``, ``hist``); then ``lgb.train`` / ``xgb.train`` for ``--rounds`` rounds is
timed for the built-in objective (``binary`` / ``binary:logistic``) and for ours
(``BinaryFocalLoss(alpha=0.25, gamma=2)``, from the optimal initial score), interleaved, median of
``--repeats`` after one warm-up.  Time per round = that median / rounds (per-call overhead of
``train`` included, which is what dominates the smallest sizes).  2 threads, ``num_leaves=31`` /
``max_depth=6``, learning rate 0.1.

Run: ``python benchmarks/scaling_plot.py`` (about 10 minutes on 2 cores; 10^7 rows need about
2 GB of memory) or ``--quick`` (up to 10^5 rows); ``--wait-quiet`` waits (up to 40 min) for the
1-minute load average to fall below 1.  Writes ``benchmarks/results/time_per_round.png`` and
``time_per_round.md`` (``--quick``: ``*_quick.*``).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import lightgbm as lgb
import matplotlib
import numpy as np
import xgboost as xgb
from _common import RESULTS, interleaved, loadavg, md_table, median, wait_for_quiet, write_report

import boostfocal as bf
from boostfocal import lightgbm as bfl
from boostfocal import xgboost as bfx

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

THREADS = 2
FEATURES = 10


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, FEATURES), dtype=np.float32)
    w = np.linspace(1.0, -0.5, FEATURES).astype(np.float32)
    logit = X @ w - 4.5
    y = (rng.random(n, dtype=np.float32) < 1.0 / (1.0 + np.exp(-logit))).astype(np.float32)
    return X, y


def time_size(X: np.ndarray, y: np.ndarray, rounds: int, repeats: int) -> dict[str, float]:
    """Median seconds per round for the four (engine, objective) pairs on these rows."""
    n = X.shape[0]
    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
    z0 = loss.init_score(y)
    lgb_common: dict[str, Any] = {
        "learning_rate": 0.1,
        "num_leaves": 31,
        "num_threads": THREADS,
        "verbose": -1,
        "seed": 0,
    }
    ds_b = lgb.Dataset(X, y, free_raw_data=False, params={"verbose": -1}).construct()
    ds_f = bfl.dataset(X, y, loss, init_score=z0, free_raw_data=False, params={"verbose": -1}).construct()
    lgb_obj = bfl.objective(loss)
    xgb_common: dict[str, Any] = {
        "tree_method": "hist",
        "max_depth": 6,
        "eta": 0.1,
        "nthread": THREADS,
        "seed": 0,
        "max_bin": 256,
    }
    dm_b = xgb.QuantileDMatrix(X, label=y, nthread=THREADS, max_bin=256)
    dm_f = xgb.QuantileDMatrix(X, label=y, base_margin=np.full(n, z0), nthread=THREADS, max_bin=256)
    xgb_obj = bfx.objective(loss)
    groups = {
        "LightGBM": {
            "built-in": lambda: lgb.train(dict(lgb_common, objective="binary"), ds_b, rounds),
            "focal": lambda: lgb.train(dict(lgb_common, objective=lgb_obj), ds_f, rounds),
        },
        "XGBoost": {
            "built-in": lambda: xgb.train(dict(xgb_common, objective="binary:logistic"), dm_b, rounds),
            "focal": lambda: xgb.train(dict(xgb_common, disable_default_eval_metric=True), dm_f, rounds, obj=xgb_obj),
        },
    }
    out = {}
    for engine, cands in groups.items():
        times = interleaved(cands, repeats, warmup=1)
        for name, ts in times.items():
            out[f"{engine} {name}"] = median(ts) / rounds
    return out


def _minor_label(v: float, _: Any) -> str:
    """Label the 2x and 5x minor ticks of a log axis (plain numbers, no powers of ten)."""
    mantissa = v / 10 ** np.floor(np.log10(v))
    return f"{v:g}" if round(mantissa) in (2, 5) and abs(mantissa - round(mantissa)) < 1e-6 else ""


def plot(sizes: list[int], res: dict[int, dict[str, float]], path: Any, title_note: str) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    for ax, engine in zip(axes[:2], ("LightGBM", "XGBoost"), strict=True):
        for name, style in (("built-in", "o-"), ("focal", "s--")):
            ys = [res[n][f"{engine} {name}"] * 1e3 for n in sizes]
            label = (
                ("built-in " + ("binary" if engine == "LightGBM" else "binary:logistic"))
                if name == "built-in"
                else "boostfocal focal (gamma=2, alpha=0.25)"
            )
            ax.loglog(sizes, ys, style, label=label, markersize=5)
        ax.set_title(f"{engine}: time per round")
        ax.set_xlabel("rows")
        ax.set_ylabel("ms per boosting round")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(FuncFormatter(_minor_label))
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    ax = axes[2]
    for engine, style in (("LightGBM", "o-"), ("XGBoost", "s-")):
        ratios = [res[n][f"{engine} focal"] / res[n][f"{engine} built-in"] for n in sizes]
        ax.semilogx(sizes, ratios, style, label=engine, markersize=5)
    ax.axhline(1.0, color="gray", lw=1)
    ax.axhline(1.15, color="red", lw=1, ls=":", label="1.15x target")
    ax.set_title("focal / built-in time")
    ax.set_xlabel("rows")
    ax.set_ylabel("ratio")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.suptitle(f"Binary, {FEATURES} float32 features, {THREADS} threads. {title_note}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes up to 10^5, 5 rounds, 3 repeats")
    ap.add_argument("--max-rows", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--wait-quiet", action="store_true", help="wait for the 1-min load average to fall below 1")
    args = ap.parse_args()
    max_rows, rounds, repeats = args.max_rows, args.rounds, args.repeats
    if args.quick:
        max_rows, rounds, repeats = 100_000, 5, 3
    sizes = [s for s in (10**4, 3 * 10**4, 10**5, 3 * 10**5, 10**6, 3 * 10**6, 10**7) if s <= max_rows]
    load_note = wait_for_quiet() if args.wait_quiet else f"load average at start {loadavg()}"
    print(load_note, flush=True)
    X_all, y_all = make_data(sizes[-1])
    res: dict[int, dict[str, float]] = {}
    loads = {}
    for n in sizes:
        t0 = time.perf_counter()
        loads[n] = loadavg()
        res[n] = time_size(X_all[:n], y_all[:n], rounds, repeats)
        print(
            f"  {n:>10,} rows ({time.perf_counter() - t0:5.1f} s, load {loads[n]}): "
            + ", ".join(f"{k} {v * 1e3:.2f} ms" for k, v in res[n].items()),
            flush=True,
        )
    suffix = "_quick" if args.quick else ""
    RESULTS.mkdir(parents=True, exist_ok=True)
    plot(sizes, res, RESULTS / f"time_per_round{suffix}.png", f"Median of {repeats} runs of {rounds} rounds.")
    head = [
        "rows",
        "LightGBM built-in ms/round",
        "LightGBM focal ms/round",
        "LightGBM ratio",
        "XGBoost built-in ms/round",
        "XGBoost focal ms/round",
        "XGBoost ratio",
        "load avg at start",
    ]
    rows = []
    for n in sizes:
        r = res[n]
        rows.append(
            [
                f"{n:,}",
                f"{r['LightGBM built-in'] * 1e3:.2f}",
                f"{r['LightGBM focal'] * 1e3:.2f}",
                f"{r['LightGBM focal'] / r['LightGBM built-in']:.3f}",
                f"{r['XGBoost built-in'] * 1e3:.2f}",
                f"{r['XGBoost focal'] * 1e3:.2f}",
                f"{r['XGBoost focal'] / r['XGBoost built-in']:.3f}",
                loads[n],
            ]
        )
    sections = [
        f"Binary, {FEATURES} float32 random features, about {y_all.mean():.1%} positives; {THREADS} threads; "
        f"median of {repeats} interleaved runs of {rounds} rounds (after a warm-up) divided by {rounds}. "
        f"Focal: `BinaryFocalLoss(alpha=0.25, gamma=2)` from its initial score. {load_note}. "
        f"Plot: `time_per_round{suffix}.png`.",
        md_table(head, rows),
        f"Load average at the end: {loadavg()}.",
    ]
    write_report(f"time_per_round{suffix}.md", "Time per boosting round against rows", sections)


if __name__ == "__main__":
    main()
