"""Which Hessian should a focal objective hand a Newton booster?  Trains on fraud-style tables.

For gamma > 0 the exact second derivative of focal loss is negative for badly predicted samples,
which is where the positives start on imbalanced data.  This script trains
LightGBM and XGBoost (``hist``) with each Hessian policy of :class:`boostfocal.BinaryFocalLoss`:

- ``bounded`` (the default): ``max(exact, weighted)``, floored at 1e-16;
- ``exact``: the true second derivative, negative where the mathematics says so;
- ``weighted``: the log-loss curvature ``p(1-p)`` times the focal weight, floored at 1e-16;
- ``clip``: ``max(exact, 1e-16)``, the common blog-post fix,

on ``boostfocal.datasets.make_fraud`` tables (default 200 000 rows at 0.2 % and at 1 % positives),
for several data seeds (each seed draws a new table, a new stratified train/validation/test split
of 52.5/17.5/30 % and a new engine seed), several gammas (alpha = 0.25), from the loss-minimising
initial score, for a fixed number of rounds (no early stopping), learning rate 0.05, one thread
and otherwise the engines' default parameters (LightGBM ``num_leaves=31``; XGBoost
``max_depth=6``, ``min_child_weight=1``, ``lambda=1``).  Every round it records the focal loss and
the largest |margin| on the training and validation sets.  Reported per policy, mean ± sd over
the seeds: test PR-AUC (average precision) after all rounds, validation focal loss after 20, 100
and all rounds (as a percentage of the loss of the constant initial score), and stability: runs
with non-finite margins, the largest |margin|, rounds in which the validation loss jumped up by
more than 1 %, rounds in which the *training* loss went up at all, and how far the final
validation loss sits above its best.  The built-in log-loss objective (same parameters) is
trained once per engine, table and seed as a reference for PR-AUC.

Run (29 minutes on one core of a 2-core AMD EPYC, 204 fits of about 8.5 s each)::

    NUMBA_NUM_THREADS=1 nice -n 19 python benchmarks/hessian_policy.py

Options: ``--rows``, ``--rates 0.002,0.01``, ``--seeds 3``, ``--gammas 0.5,1,2,3``, ``--rounds
300``, ``--threads 1``, ``--engines lightgbm,xgboost``, ``--no-baseline``.  ``--quick`` is a
smoke run (30 000 rows at 1 %, gammas 1 and 2, 2 seeds, 100 rounds; about 30 seconds).  Prints the
tables and writes ``benchmarks/results/hessian_policy.md`` (``--quick``:
``hessian_policy_quick.md``).
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from _common import loadavg, md_table, write_report
from numpy.typing import NDArray
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

import boostfocal as bf
from boostfocal import lightgbm as bfl
from boostfocal import xgboost as bfx
from boostfocal.datasets import make_fraud

POLICIES = ("bounded", "exact", "weighted", "clip")
DEFAULT_POLICY = "bounded"
ENGINES = ("lightgbm", "xgboost")
ALPHA = 0.25
LEARNING_RATE = 0.05
CHECKPOINTS = (20, 100)
JUMP = 0.01  # a "sharp" rise: the validation loss up by more than 1 % of its value in one round

Float = NDArray[np.float64]


@dataclass
class Split:
    """One seed's table, split into train / validation / test."""

    rate: float
    seed: int
    X_tr: Float
    y_tr: Float
    X_va: Float
    y_va: Float
    X_te: Float
    y_te: Float


@dataclass
class Fit:
    """What one training run left behind."""

    engine: str
    rate: float
    seed: int
    gamma: float | None  # None: the engine's built-in log-loss
    policy: str
    seconds: float = 0.0
    error: str = ""
    const_val: float = float("nan")  # validation focal loss of the constant initial score
    val_curve: list[float] = field(default_factory=list)  # after rounds 1, 2, ...
    train_curve: list[float] = field(default_factory=list)
    max_margin: float = 0.0  # largest |margin| on train or validation, any round
    first_nonfinite: int | None = None  # first round with a NaN/inf margin
    val_at: dict[int, float] = field(default_factory=dict)
    ap_at: dict[int, float] = field(default_factory=dict)

    @property
    def unstable(self) -> bool:
        return bool(self.error) or self.first_nonfinite is not None

    def val_pct(self, c: int) -> float:
        """Validation loss after ``c`` rounds as a percentage of the constant model's."""
        return 100.0 * self.val_at.get(c, float("nan")) / self.const_val

    def jumps(self) -> int:
        v = np.asarray([self.const_val, *self.val_curve])
        with np.errstate(invalid="ignore", divide="ignore"):
            return int(np.sum(v[1:] > v[:-1] * (1.0 + JUMP)))

    def train_rises(self) -> int:
        t = np.asarray(self.train_curve)
        with np.errstate(invalid="ignore"):
            return int(np.sum(t[1:] > t[:-1] * (1.0 + 1e-9)))

    def above_best(self) -> float:
        """How far (%) the final validation loss is above the best one seen."""
        v = np.asarray(self.val_curve)
        if v.size == 0 or not np.isfinite(v).all():
            return float("nan")
        return 100.0 * (v[-1] / v.min() - 1.0)


class CurveRecorder:
    """Eval callable for both engines: per round, the mean focal loss and the largest |margin| of
    each data set it is shown (identified by the Dataset / DMatrix object), in float64."""

    def __init__(self, loss: bf.BinaryFocalLoss, sets: dict[int, tuple[str, Float]], lightgbm: bool) -> None:
        self.loss = loss
        self.sets = sets
        self.lightgbm = lightgbm
        self.curves: dict[str, list[float]] = {name: [] for name, _ in sets.values()}
        self.max_margin = 0.0
        self.first_nonfinite: int | None = None

    def __call__(self, preds: Any, data: Any) -> tuple[str, float] | tuple[str, float, bool]:
        name, y = self.sets[id(data)]
        z = np.asarray(preds, dtype=np.float64).ravel()
        curve = self.curves[name]
        if np.isfinite(z).all():
            self.max_margin = max(self.max_margin, float(np.abs(z).max()))
            value = float(self.loss.loss(y, z).mean())
        else:
            self.max_margin = float("inf")
            if self.first_nonfinite is None:
                self.first_nonfinite = len(curve) + 1
            value = float("nan")
        curve.append(value)
        return ("focal", value, False) if self.lightgbm else ("focal", value)


def _average_precision(y: Float, raw: Float) -> float:
    return float(average_precision_score(y, raw)) if np.isfinite(raw).all() else float("nan")


def _fit_lightgbm(fit: Fit, d: Split, rounds: int, cps: Sequence[int], threads: int) -> None:
    params: dict[str, Any] = {
        "learning_rate": LEARNING_RATE,
        "num_leaves": 31,
        "verbose": -1,
        "num_threads": threads,
        "seed": d.seed,
        "deterministic": True,
    }
    if fit.gamma is None:
        booster = lgb.train({**params, "objective": "binary"}, lgb.Dataset(d.X_tr, d.y_tr), rounds)
        fit.ap_at = {c: _average_precision(d.y_te, booster.predict(d.X_te, num_iteration=c)) for c in cps}
        return
    loss = bf.BinaryFocalLoss(alpha=ALPHA, gamma=fit.gamma, hessian=fit.policy)
    z0 = loss.init_score(d.y_tr)
    dtr = bfl.dataset(d.X_tr, d.y_tr, loss)
    dva = bfl.dataset(d.X_va, d.y_va, loss, init_score=z0, reference=dtr)
    rec = CurveRecorder(loss, {id(dtr): ("train", d.y_tr), id(dva): ("val", d.y_va)}, lightgbm=True)
    try:
        booster = lgb.train(
            {**params, "objective": bfl.objective(loss), "metric": "None"},
            dtr,
            rounds,
            valid_sets=[dtr, dva],
            valid_names=["train", "val"],
            feval=rec,
        )
    except (ValueError, lgb.basic.LightGBMError) as exc:  # NaN margins make the objective raise: a result
        fit.error = f"{type(exc).__name__} after {len(rec.curves['val'])} rounds: {str(exc)[:60]}"
        booster = None
    _finish(fit, rec, loss, d, cps, lambda c: bfl.predict_raw(booster, d.X_te, init_score=z0, num_iteration=c))
    if booster is None:
        fit.ap_at = dict.fromkeys(cps, float("nan"))


def _fit_xgboost(fit: Fit, d: Split, rounds: int, cps: Sequence[int], threads: int) -> None:
    params: dict[str, Any] = {
        "tree_method": "hist",
        "eta": LEARNING_RATE,
        "max_depth": 6,
        "nthread": threads,
        "seed": d.seed,
    }
    if fit.gamma is None:
        booster = xgb.train({**params, "objective": "binary:logistic"}, xgb.DMatrix(d.X_tr, label=d.y_tr), rounds)
        dte = xgb.DMatrix(d.X_te)
        fit.ap_at = {
            c: _average_precision(d.y_te, booster.predict(dte, output_margin=True, iteration_range=(0, c))) for c in cps
        }
        return
    loss = bf.BinaryFocalLoss(alpha=ALPHA, gamma=fit.gamma, hessian=fit.policy)
    z0 = loss.init_score(d.y_tr)
    dtr = bfx.dmatrix(d.X_tr, d.y_tr, loss)
    dva = bfx.dmatrix(d.X_va, d.y_va, loss, init_score=z0)
    rec = CurveRecorder(loss, {id(dtr): ("train", d.y_tr), id(dva): ("val", d.y_va)}, lightgbm=False)
    try:
        booster = xgb.train(
            {**params, "disable_default_eval_metric": True},
            dtr,
            rounds,
            obj=bfx.objective(loss),
            evals=[(dtr, "train"), (dva, "val")],
            custom_metric=rec,
            verbose_eval=False,
        )
    except (ValueError, xgb.core.XGBoostError) as exc:
        fit.error = f"{type(exc).__name__} after {len(rec.curves['val'])} rounds: {str(exc)[:60]}"
        booster = None
    dte = xgb.DMatrix(d.X_te)
    _finish(
        fit,
        rec,
        loss,
        d,
        cps,
        lambda c: bfx.predict_raw(booster, dte, init_score=z0, loss=loss, iteration_range=(0, c)),
    )
    if booster is None:
        fit.ap_at = dict.fromkeys(cps, float("nan"))


def _finish(
    fit: Fit,
    rec: CurveRecorder,
    loss: bf.BinaryFocalLoss,
    d: Split,
    cps: Sequence[int],
    predict_test: Callable[[int], Float],
) -> None:
    fit.const_val = float(loss.loss(d.y_va, np.full(d.y_va.shape, loss.init_score(d.y_tr))).mean())
    fit.val_curve, fit.train_curve = rec.curves["val"], rec.curves["train"]
    fit.max_margin, fit.first_nonfinite = rec.max_margin, rec.first_nonfinite
    fit.val_at = {c: fit.val_curve[c - 1] if c <= len(fit.val_curve) else float("nan") for c in cps}
    if not fit.error:
        fit.ap_at = {c: _average_precision(d.y_te, predict_test(c)) for c in cps}


def make_split(rows: int, rate: float, seed: int) -> Split:
    X, y = make_fraud(rows, positive_rate=rate, random_state=seed)
    yf = y.astype(np.float64)
    X_tr, X_te, y_tr, y_te = train_test_split(X, yf, test_size=0.3, stratify=y, random_state=seed)
    X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, test_size=0.25, stratify=y_tr, random_state=seed)
    return Split(rate, seed, X_tr, y_tr, X_va, y_va, X_te, y_te)


# --------------------------------------------------------------------------------------------- report


def _ms(xs: Sequence[float], digits: int = 3) -> str:
    """``mean ± sd`` of the finite values, with ``(k failed)`` when some are not."""
    ok = [x for x in xs if np.isfinite(x)]
    if not ok:
        return "failed"
    sd = statistics.stdev(ok) if len(ok) > 1 else 0.0
    s = f"{statistics.fmean(ok):.{digits}f} ± {sd:.{digits}f}"
    return s if len(ok) == len(xs) else f"{s} ({len(xs) - len(ok)} failed)"


def _mean(xs: Sequence[float]) -> float:
    ok = [x for x in xs if np.isfinite(x)]
    return statistics.fmean(ok) if len(ok) == len(xs) and ok else float("nan")


def _gamma_cells(fits: list[Fit]) -> dict[tuple[str, float, float], dict[str, list[Fit]]]:
    cells: dict[tuple[str, float, float], dict[str, list[Fit]]] = {}
    for f in fits:
        if f.gamma is not None:
            cells.setdefault((f.engine, f.rate, f.gamma), {}).setdefault(f.policy, []).append(f)
    return cells


def summary_table(fits: list[Fit], cps: Sequence[int]) -> str:
    final = cps[-1]
    baseline: dict[tuple[str, float], list[Fit]] = {}
    for f in fits:
        if f.gamma is None:
            baseline.setdefault((f.engine, f.rate), []).append(f)
    head = [
        "engine",
        "positives",
        "γ",
        "hessian",
        *(f"test PR-AUC @{c}" for c in cps),
        *(f"val loss @{c} (% of const)" for c in cps),
        "non-finite runs",
        "max abs margin",
        f"val jumps >{JUMP:.0%}",
        "train-loss rises",
        "final val above best %",
    ]
    rows: list[list[str]] = []
    cells = _gamma_cells(fits)
    done_baseline: set[tuple[str, float]] = set()
    for (engine, rate, gamma), by_policy in cells.items():
        best_ap = max(_mean([f.ap_at[final] for f in fs]) for fs in by_policy.values())
        best_val = min(_mean([f.val_pct(final) for f in fs]) for fs in by_policy.values())
        for policy in POLICIES:
            fs = by_policy.get(policy, [])
            if not fs:
                continue
            aps = []
            for c in cps:
                a = _ms([f.ap_at[c] for f in fs])
                if c == final and _mean([f.ap_at[c] for f in fs]) == best_ap:
                    a = f"**{a}**"
                aps.append(a)
            vals = []
            for c in cps:
                v = _ms([f.val_pct(c) for f in fs], 2)
                if c == final and _mean([f.val_pct(c) for f in fs]) == best_val:
                    v = f"**{v}**"
                vals.append(v)
            rows.append(
                [
                    engine,
                    f"{rate:.1%}",
                    f"{gamma:g}",
                    policy + (" (default)" if policy == DEFAULT_POLICY else ""),
                    *aps,
                    *vals,
                    f"{sum(f.unstable for f in fs)}/{len(fs)}",
                    f"{max(f.max_margin for f in fs):.3g}",
                    str(sum(f.jumps() for f in fs)),
                    str(sum(f.train_rises() for f in fs)),
                    _ms([f.above_best() for f in fs], 2),
                ]
            )
        if (
            (engine, rate) in baseline
            and (engine, rate) not in done_baseline
            and gamma == max(g for (e, r, g) in cells if (e, r) == (engine, rate))
        ):
            done_baseline.add((engine, rate))
            rows.append(
                [engine, f"{rate:.1%}", "-", "*built-in log-loss*"]
                + [_ms([f.ap_at[c] for f in baseline[(engine, rate)]]) for c in cps]
                + ["-"] * (len(head) - 4 - len(cps))
            )
    return md_table(head, rows)


def paired_table(fits: list[Fit], cps: Sequence[int]) -> tuple[str, list[str]]:
    """Each alternative against the default on the same table, seed and gamma."""
    final = cps[-1]
    index = {(f.engine, f.rate, f.gamma, f.seed, f.policy): f for f in fits if f.gamma is not None}
    groups = sorted({(f.engine, f.rate) for f in fits if f.gamma is not None})
    head = [
        "engine",
        "positives",
        "hessian",
        "pairs",
        "Δ test PR-AUC (alt − default), mean ± sd",
        "PR-AUC: alt better / worse",
        f"Δ val loss @{final} (% of const), mean ± sd",
        "val loss: alt lower / higher",
    ]
    rows: list[list[str]] = []
    notes: list[str] = []
    for engine, rate in groups:
        for policy in POLICIES[1:]:
            dap, dval = [], []
            for (e, r, g, s, p), f in index.items():
                if (e, r, p) != (engine, rate, policy):
                    continue
                ref = index.get((e, r, g, s, DEFAULT_POLICY))
                if ref is None:
                    continue
                dap.append(f.ap_at[final] - ref.ap_at[final])
                dval.append(f.val_pct(final) - ref.val_pct(final))
            if not dap:
                continue
            ok_ap = [x for x in dap if np.isfinite(x)]
            ok_val = [x for x in dval if np.isfinite(x)]
            rows.append(
                [
                    engine,
                    f"{rate:.1%}",
                    policy,
                    str(len(dap)),
                    _ms(dap, 4),
                    f"{sum(x > 0 for x in ok_ap)} / {sum(x < 0 for x in ok_ap)}",
                    _ms(dval, 2),
                    f"{sum(x < 0 for x in ok_val)} / {sum(x > 0 for x in ok_val)}",
                ]
            )
            if ok_ap and statistics.fmean(ok_ap) > 0:
                notes.append(
                    f"{engine} at {rate:.1%} positives: `{policy}` has a higher mean test PR-AUC than the default "
                    f"(by {statistics.fmean(ok_ap):+.4f}, better in {sum(x > 0 for x in ok_ap)} of {len(ok_ap)} "
                    "paired runs)."
                )
            if ok_val and statistics.fmean(ok_val) < 0:
                notes.append(
                    f"{engine} at {rate:.1%} positives: `{policy}` ends with a lower mean validation loss than the "
                    f"default (by {-statistics.fmean(ok_val):.2f} % of the constant model's, lower in "
                    f"{sum(x < 0 for x in ok_val)} of {len(ok_val)} paired runs)."
                )
    return md_table(head, rows), notes


def findings(fits: list[Fit], cps: Sequence[int]) -> list[str]:
    """Plain facts computed from the runs (no judgement): which policy wins where, what failed."""
    final = cps[-1]
    cells = _gamma_cells(fits)
    out: list[str] = []
    for what, key, better in (
        ("test PR-AUC", lambda f: f.ap_at[final], max),
        ("final validation loss", lambda f: f.val_pct(final), min),
    ):
        sole, tied = dict.fromkeys(POLICIES, 0), dict.fromkeys(POLICIES, 0)
        lost: list[str] = []
        for (engine, rate, gamma), by_policy in cells.items():
            means = {p: _mean([key(f) for f in fs]) for p, fs in by_policy.items()}
            finite = {p: m for p, m in means.items() if np.isfinite(m)}
            if not finite:
                continue
            top = better(finite.values())
            winners = [p for p in POLICIES if finite.get(p) == top]  # identical models tie exactly
            for p in winners:
                (sole if len(winners) == 1 else tied)[p] += 1
            if DEFAULT_POLICY not in winners:
                lost.append(
                    f"{engine} {rate:.1%} γ={gamma:g}: {'/'.join(winners)} {top:.4g} vs default "
                    f"{means.get(DEFAULT_POLICY, float('nan')):.4g}"
                )
        tally = ", ".join(f"{p} {sole[p]}" + (f" (+{tied[p]} tied)" if tied[p] else "") for p in POLICIES)
        out.append(f"- Best mean {what} per engine/table/γ cell ({len(cells)} cells), alone (+ tied): {tally}.")
        if lost:
            out.append(f"  - Cells where the default is not best on {what}: " + "; ".join(lost) + ".")
    bad = [f for f in fits if f.unstable]
    if bad:
        by: dict[tuple[str, str], int] = {}
        for f in bad:
            by[(f.engine, f.policy)] = by.get((f.engine, f.policy), 0) + 1
        out.append(
            "- Runs with NaN/inf margins or aborted training: "
            + ", ".join(f"{e} `{p}` {n}" for (e, p), n in sorted(by.items()))
            + f" (of {sum(1 for f in fits if f.gamma is not None) // len(POLICIES)} runs per policy)."
        )
    else:
        out.append("- No run produced a NaN or infinite margin.")
    return out


def detail_table(fits: list[Fit], cps: Sequence[int]) -> str:
    head = [
        "engine",
        "positives",
        "seed",
        "γ",
        "hessian",
        *(f"PR-AUC @{c}" for c in cps),
        "const val loss",
        *(f"val loss @{c}" for c in cps),
        "max abs margin",
        "val jumps",
        "train rises",
        "s",
        "error",
    ]
    rows = []
    for f in fits:
        rows.append(
            [
                f.engine,
                f"{f.rate:.1%}",
                str(f.seed),
                "-" if f.gamma is None else f"{f.gamma:g}",
                "built-in log-loss" if f.gamma is None else f.policy,
                *(f"{f.ap_at.get(c, float('nan')):.4f}" for c in cps),
                "-" if f.gamma is None else f"{f.const_val:.6g}",
                *("-" if f.gamma is None else f"{f.val_at[c]:.6g}" for c in cps),
                "-" if f.gamma is None else f"{f.max_margin:.3g}",
                "-" if f.gamma is None else str(f.jumps()),
                "-" if f.gamma is None else str(f.train_rises()),
                f"{f.seconds:.1f}",
                f.error,
            ]
        )
    return md_table(head, rows)


# ----------------------------------------------------------------------------------------------- main


def _floats(text: str) -> list[float]:
    return [float(s) for s in text.split(",") if s.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: 30k rows at 1 %%, γ 1,2, 2 seeds, 100 rounds")
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--rates", default="0.002,0.01", help="positive rates of the make_fraud tables")
    ap.add_argument("--seeds", type=int, default=3, help="data seeds 0..N-1 (table, split and engine seed)")
    ap.add_argument("--gammas", default="0.5,1,2,3")
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--no-baseline", action="store_true", help="skip the built-in log-loss reference runs")
    args = ap.parse_args()
    if args.quick:
        args.rows, args.rates, args.seeds, args.gammas, args.rounds = 30_000, "0.01", 2, "1,2", 100
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if set(engines) - set(ENGINES):
        ap.error(f"--engines: choose from {', '.join(ENGINES)}")
    try:  # the numba kernels: no more threads than the engines get
        import numba

        numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    except ImportError:  # pragma: no cover - numpy kernels then
        pass
    rates, gammas = _floats(args.rates), _floats(args.gammas)
    cps = [*(c for c in CHECKPOINTS if c < args.rounds), args.rounds]
    fitters = {"lightgbm": _fit_lightgbm, "xgboost": _fit_xgboost}
    variants: list[tuple[float | None, str]] = [(g, p) for g in gammas for p in POLICIES]
    if not args.no_baseline:
        variants.append((None, "log-loss"))
    total = len(rates) * args.seeds * len(engines) * len(variants)
    load_start, t_start = loadavg(), time.perf_counter()
    fits: list[Fit] = []
    for rate in rates:
        for seed in range(args.seeds):
            split = make_split(args.rows, rate, seed)
            print(
                f"table {rate:.1%} seed {seed}: {len(split.y_tr)} train rows ({int(split.y_tr.sum())} positives), "
                f"{int(split.y_va.sum())} validation and {int(split.y_te.sum())} test positives",
                flush=True,
            )
            for engine in engines:
                for gamma, policy in variants:
                    fit = Fit(engine, rate, seed, gamma, policy)
                    t0 = time.perf_counter()
                    fitters[engine](fit, split, args.rounds, cps, args.threads)
                    fit.seconds = time.perf_counter() - t0
                    fits.append(fit)
                    label = "built-in log-loss" if gamma is None else f"γ={gamma:g} {policy}"
                    val = "" if gamma is None else f" val {fit.val_pct(cps[-1]):.2f}% of const,"
                    print(
                        f"  [{len(fits)}/{total}] {engine} {label}: PR-AUC {fit.ap_at[cps[-1]]:.4f},{val} "
                        f"max|z| {fit.max_margin:.3g}, {fit.seconds:.1f} s {fit.error}",
                        flush=True,
                    )
    wall = time.perf_counter() - t_start

    summary = summary_table(fits, cps)
    paired, paired_notes = paired_table(fits, cps)
    facts = findings(fits, cps) + [f"- {n}" for n in paired_notes]
    env = " ".join(f"{k}={os.environ[k]}" for k in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS") if k in os.environ)
    command = f"{env + ' ' if env else ''}python {shlex.join(sys.argv)}"
    niceness = os.nice(0) if hasattr(os, "nice") else 0
    nice = f" (run under `nice -n {niceness}`)" if niceness else ""
    setup = (
        f"`make_fraud({args.rows:,}, positive_rate=r)` for r in {', '.join(f'{r:.1%}' for r in rates)}; "
        f"seeds 0..{args.seeds - 1} (each seed: a new table, a new stratified 52.5/17.5/30 % "
        "train/validation/test split and engine seed); "
        f"`BinaryFocalLoss(alpha={ALPHA}, gamma=γ, hessian=...)` for γ in {', '.join(f'{g:g}' for g in gammas)}; "
        f"from the loss-minimising initial score; {args.rounds} rounds, no early stopping, learning rate "
        f"{LEARNING_RATE}, {args.threads} thread(s); LightGBM `num_leaves=31`, XGBoost `hist`, `max_depth=6`, "
        "other parameters the engines' defaults (LightGBM `min_sum_hessian_in_leaf=1e-3`, `lambda_l2=0`; "
        "XGBoost `min_child_weight=1`, `lambda=1`)."
    )
    legend = (
        "Columns: mean ± sd over the seeds. *test PR-AUC @n*: average precision on the test split after n "
        "rounds. *val loss @n (% of const)*: mean focal loss on the validation split after n rounds, as a "
        "percentage of the loss of the constant initial score (100 = no progress, lower is better). "
        "*non-finite runs*: runs in which a margin became NaN/inf or training stopped on an error. "
        "*max abs margin*: largest |margin| on the training or validation split in any round, any seed. "
        f"*val jumps >{JUMP:.0%}*: rounds (summed over seeds) in which the validation loss rose by more than "
        f"{JUMP:.0%} of its previous value. *train-loss rises*: rounds (summed over seeds) in which the "
        "training focal loss went up at all; a descent step at learning rate 0.05 should never do that. "
        "*final val above best %*: how far the last round's validation loss is above the best round's "
        "(overfitting or drift). Bold: best mean in its engine/table/γ cell. The built-in log-loss rows are "
        "the engine's `binary` / `binary:logistic` objective with the same parameters, for reference."
    )
    run_line = (
        f"Command: `{command}`{nice}. Wall time {wall / 60:.1f} min for {len(fits)} fits "
        f"({sum(f.seconds for f in fits) / 60:.1f} min in fits); load average at start {load_start}, "
        f"at end {loadavg()}."
    )
    sections = [
        run_line,
        setup,
        "## Summary\n\n" + legend + "\n\n" + summary,
        "## Each alternative against the default, paired (same table, seed and γ)\n\n"
        + "Δ PR-AUC > 0 and Δ val loss < 0 favour the alternative.\n\n"
        + paired,
        "## Findings (computed)\n\n" + "\n".join(facts),
        "## Every run\n\n<details><summary>"
        + f"{len(fits)} runs (raw validation focal loss, not normalised)</summary>\n\n"
        + detail_table(fits, cps)
        + "\n\n</details>",
    ]
    print("\n" + summary + "\n\n" + paired + "\n\n" + "\n".join(facts) + "\n\n" + run_line)
    write_report(
        "hessian_policy_quick.md" if args.quick else "hessian_policy.md",
        "Hessian policy benchmark" + (" (quick smoke run)" if args.quick else ""),
        sections,
        extra_modules=("sklearn",),
    )


if __name__ == "__main__":
    main()
