"""Training time of the scikit-learn estimators: ``FocalXGBClassifier`` against ``XGBClassifier``,
``FocalLGBMClassifier`` against ``LGBMClassifier``.

Each estimator is fitted on ``make_fraud(--rows, positive_rate=0.01, n_noise=13)`` (30 features,
1 % positives) with ``--rounds`` trees and otherwise the engines' defaults (all cores), the
whole ``fit`` timed: label checks and encoding, the initial score, the DMatrix / Dataset, training.
The focal estimators use their defaults (gamma 2, no alpha).  Candidates of one engine are timed in
one process, in alternating order (ABC, CBA, ...), after one untimed warm-up each; a figure is the
median of ``--repeats`` repeats.

The XGBoost floor: ``XGBClassifier`` fitted with a callable objective that hands back, round by
round, the gradients and Hessians recorded from one ``FocalXGBClassifier`` training and computes
nothing, from the same ``base_margin`` (the focal initial score).  It takes the same path through
XGBoost's scikit-learn wrapper (a Python objective: XGBoost's margin copy and label copy every
round) and grows the same trees (checked: its margins equal the focal model's), so
"floor / XGBClassifier" is the lowest ratio any focal objective can reach on this path and
"FocalXGBClassifier / floor" is what computing the focal objective (and ``fit``'s checks and
initial score) costs.  The target is the higher of 1.05 and the floor ratio.

Each fit is timed by the wall clock and by this process's CPU time (all its threads).  On a busy
machine the wall clock of a multi-threaded fit swings by 2x from one repeat to the next (OpenMP's
threads wait for each other whenever one is descheduled); with ``--threads 1`` the CPU time
hardly depends on the load and gives the steadier ratio.  Noise: besides the ratio of the
medians, each repeat gives a paired ratio (the two fits timed next to each other); the spread of
those says how far the load moved the ratio.  A ratio whose paired ratios spread over more than
the 5 % margin tested is marked NOISY.

Run: ``python benchmarks/estimator_speed.py`` (about 2 minutes on 2 quiet cores), ``--quick`` for a
smoke run; ``--wait-quiet`` first waits (up to 40 min) for the 1-minute load average to fall below
1.  Writes ``benchmarks/results/estimator_speed.md`` (``--threads 1``: ``estimator_speed_1thread.md``;
``--quick``: ``..._quick.md``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from _common import loadavg, machine_lines, md_table, median, verdict, wait_for_quiet, write_report
from xgboost.sklearn import _objective_decorator

from boostfocal import lightgbm as bfl
from boostfocal import xgboost as bfx
from boostfocal._adapter import constant_margin
from boostfocal.datasets import make_fraud

MARGIN = 1.05  # the ratio the XGBoost estimator must reach (or its floor, if higher)


class Replay:
    """An ``XGBClassifier`` objective that records what ``inner`` returns, then hands it back."""

    def __init__(self, inner: Callable[..., Any]) -> None:
        self.inner: Callable[..., Any] | None = inner
        self.store: list[tuple[np.ndarray, np.ndarray]] = []
        self.next = 0

    def rewind(self) -> Replay:
        self.inner, self.next = None, 0
        return self

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> tuple[np.ndarray, np.ndarray]:
        if self.inner is not None:  # recording (the adapters reuse their buffers: copy)
            grad, hess = self.inner(y_true, y_pred, sample_weight)
            self.store.append((np.array(grad), np.array(hess)))
            return grad, hess
        out = self.store[self.next]
        self.next += 1
        return out


def interleaved_times(
    candidates: dict[str, Callable[[], Any]], repeats: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and CPU times (this process, all threads) of each candidate, in seconds, run in
    turn ``repeats`` times in alternating order (ABC, CBA, ...) after one untimed warm-up each."""
    names = list(candidates)
    for name in names:
        candidates[name]()
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            t0, c0 = time.perf_counter(), time.process_time()
            candidates[name]()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    return wall, cpu


def ratio_line(name: str, num: list[float], den: list[float], target: float | None) -> dict[str, Any]:
    """The ratio of the medians, the paired ratios' range, and whether that range is too wide."""
    paired = [a / b for a, b in zip(num, den, strict=True)]
    ratio = median(num) / median(den)
    lo, hi = min(paired), max(paired)
    noisy = (hi - lo) / 2 > MARGIN - 1
    return {"name": name, "ratio": ratio, "paired": (lo, hi), "noisy": noisy, "target": target}


def describe(r: dict[str, Any]) -> str:
    lo, hi = r["paired"]
    text = f"{r['name']}: {r['ratio']:.3f}x (paired repeats {lo:.3f}-{hi:.3f})"
    if r["target"] is not None:
        text += f" -> {verdict(r['ratio'], r['target'])}"
    if r["noisy"]:
        text += f"; NOISY: the repeats spread by more than the {MARGIN - 1:.0%} tested, rerun with --wait-quiet"
    return text


def objective_ms(X: np.ndarray, y: np.ndarray, clf: bfx.FocalXGBClassifier) -> float:
    """Median time of one objective call as ``XGBClassifier`` makes it (label copy included), in ms."""
    dm = xgb.DMatrix(X, label=y)
    call = _objective_decorator(bfx.objective(clf.loss_))
    z = np.full(y.shape[0], clf.init_score_, dtype=np.float32)
    call(z, dm)
    ts = []
    for _ in range(31):
        t0 = time.perf_counter()
        call(z, dm)
        ts.append(time.perf_counter() - t0)
    return median(ts) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run (20k rows, 10 rounds, 3 repeats)")
    ap.add_argument("--rows", type=int, default=300_000)
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None, help="n_jobs of every estimator (default: the engines' own)")
    ap.add_argument("--wait-quiet", action="store_true", help="wait for the 1-min load average to fall below 1")
    args = ap.parse_args()
    rows, rounds, repeats = (20_000, 10, 3) if args.quick else (args.rows, args.rounds, args.repeats)
    kw: dict[str, Any] = {"n_estimators": rounds, "random_state": 0, "n_jobs": args.threads}

    print("\n".join(machine_lines(["sklearn"])), flush=True)
    load_note = wait_for_quiet() if args.wait_quiet else f"load average at start {loadavg()}"
    print(load_note, flush=True)

    X, y = make_fraud(rows, positive_rate=0.01, n_noise=13, random_state=0)
    data = f"make_fraud({rows:,}, positive_rate=0.01, n_noise=13): {X.shape[1]} features, {y.mean():.2%} positives"
    print(data, flush=True)

    focal = bfx.FocalXGBClassifier(**kw).fit(X, y)
    margin = constant_margin(focal.loss_, focal.init_score_, y.shape[0])
    replay = Replay(bfx.objective(focal.loss_))
    xgb.XGBClassifier(**kw, objective=replay).fit(X, y, base_margin=margin)
    replayed = xgb.XGBClassifier(**kw, objective=replay.rewind())
    replayed.fit(X, y, base_margin=margin)
    same = np.array_equal(replayed.predict(X, output_margin=True, base_margin=margin), focal.predict_raw(X))

    xgb_cands = {
        "XGBClassifier": lambda: xgb.XGBClassifier(**kw).fit(X, y),
        "FocalXGBClassifier": lambda: bfx.FocalXGBClassifier(**kw).fit(X, y),
        "floor (replayed focal gradients)": lambda: xgb.XGBClassifier(**kw, objective=replay.rewind()).fit(
            X, y, base_margin=margin
        ),
    }
    lgb_cands = {
        "LGBMClassifier": lambda: lgb.LGBMClassifier(**kw, verbose=-1).fit(X, y),
        "FocalLGBMClassifier": lambda: bfl.FocalLGBMClassifier(**kw, verbose=-1).fit(X, y),
    }
    wall, cpu = interleaved_times(xgb_cands, repeats)
    lgb_wall, lgb_cpu = interleaved_times(lgb_cands, repeats)
    wall.update(lgb_wall)
    cpu.update(lgb_cpu)
    load_end = loadavg()
    obj_ms = objective_ms(X, y, focal)

    plain, focal_x, floor_x = xgb_cands
    sections = [
        f"{data}; {rounds} trees, n_jobs={args.threads} (None: the engines' default, all cores), engine defaults "
        f"otherwise; the whole `fit` timed; median of {repeats} interleaved repeats after one warm-up each. Floor: "
        "`XGBClassifier` with a callable objective handing back the recorded focal gradients (same path, same "
        "trees, no objective cost). CPU time: this process's, all threads (it counts OpenMP's spin-waiting "
        "too); on a loaded machine with n_jobs=1 it is the steadier measure."
    ]
    for clock, times in (("wall-clock", wall), ("CPU", cpu)):
        floor = ratio_line("floor / XGBClassifier", times[floor_x], times[plain], None)
        lines = [
            ratio_line(
                "FocalXGBClassifier / XGBClassifier",
                times[focal_x],
                times[plain],
                max(MARGIN, round(floor["ratio"], 3)),
            ),
            floor,
            ratio_line("FocalXGBClassifier / floor", times[focal_x], times[floor_x], None),
            ratio_line(
                "FocalLGBMClassifier / LGBMClassifier", times["FocalLGBMClassifier"], times["LGBMClassifier"], None
            ),
        ]
        table = md_table(
            ["estimator", f"{clock} s, median", "min-max", "spread (max-min)/median"],
            [
                [name, f"{median(ts):.3f}", f"{min(ts):.3f}-{max(ts):.3f}", f"{(max(ts) - min(ts)) / median(ts):.0%}"]
                for name, ts in times.items()
            ],
        )
        per_round = (median(times[focal_x]) - median(times[floor_x])) / rounds * 1e3
        body = "\n".join(
            [*(f"- {describe(r)}" for r in lines), f"- FocalXGBClassifier - floor: {per_round:.2f} ms a round"]
        )
        sections += [f"### {clock} time", table, body]
        print(f"\n{clock} time\n{table}\n{body}", flush=True)
    notes = "\n".join(
        [
            f"- the floor grows the focal model's trees: {'yes' if same else 'NO'} (margins equal)",
            f"- one objective call as XGBClassifier makes it (label copy included), isolated: {obj_ms:.2f} ms",
            f"- {load_note}; at the end {load_end}",
        ]
    )
    print(notes, flush=True)
    sections.append(notes)
    write_report(
        "estimator_speed"
        + (f"_{args.threads}thread" if args.threads else "")
        + ("_quick" if args.quick else "")
        + ".md",
        "Training time of the scikit-learn estimators",
        sections,
        ["sklearn"],
    )


if __name__ == "__main__":
    main()
