"""Focal loss against log-loss, balanced cross-entropy and scale_pos_weight on real data: Caravan.

The Caravan insurance data (ISLP; 5,822 customers, 85 numeric features, 6 % bought a caravan
policy, target ``Purchase`` Yes/No) goes through :func:`boostfocal.tune` with repeated
stratified cross-validation (default 5 x 5 = 25 test folds), so that the spread of every score and
of every *paired* difference is visible.  Prints and writes ``benchmarks/results/caravan.md``.

Every row, baselines included, gets the tuner's regularisation search (the candidates of
``boostfocal.tuning.DEFAULT_REGULARIZATION``, chosen per row and fold on the inner validation
split), except ``scale_pos_weight``, which has its own search instead
(``DEFAULT_SCALE_POS_WEIGHT_SEARCH``: the ratio or its square root, ``max_delta_step=1``), so that
no baseline is judged under an engine default that collapses it.  The grid is gamma in
(0.5, 1, 2, 3) x alpha in (none, 0.25, balanced).

The headline under the table is the tuner's own (:attr:`boostfocal.TuneResult.comparison`): in
each fold, the focal row and the baseline are chosen on the inner validation split and compared
on the test fold, with the Nadeau-Bengio corrected resampled t-test.  The table describes every
row: ``Δ PR-AUC`` is its mean paired difference to the baseline with the best mean (a descriptive
reference, itself picked on these folds), with the same corrected test
(:func:`boostfocal.tuning.nadeau_bengio`; ``se = s * sqrt(1/J + n_test/n_train)`` over the ``J``
fold differences, ``t = mean / se`` with ``J - 1`` degrees of freedom) and ``wins``, the folds in
which the row beat that baseline; ``chosen``, the folds in which the headline picked the row.

ISLP is needed here only (never by boostfocal); it ships the data in its wheel, so this runs
offline once installed with ``pip install --no-deps ISLP``::

    python benchmarks/tune_caravan.py                       # LightGBM, 5 x 5 folds
    python benchmarks/tune_caravan.py --engine xgboost --repeats 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold

import boostfocal as bf
from boostfocal.tuning import METRICS, TuneResult, nadeau_bengio, tune

GAMMAS = (0.5, 1.0, 2.0, 3.0)
ALPHAS = (None, 0.25, "balanced")

RESULTS = Path(__file__).parent / "results"


def load_caravan() -> tuple[np.ndarray, np.ndarray, list[str]]:
    try:
        from ISLP import load_data
    except ImportError:
        sys.exit("this benchmark needs the ISLP data package: pip install --no-deps ISLP")
    df = load_data("Caravan")
    y = (df["Purchase"].astype(str) == "Yes").astype(np.int64).to_numpy()
    features = [c for c in df.columns if c != "Purchase"]
    return df[features].to_numpy(dtype=np.float64), y, features


def markdown(result: TuneResult, header: str) -> str:
    m = result.scoring
    ref = result.best_baseline
    assert ref is not None
    ref_scores = np.asarray(ref.scores[m])
    ratio = float(np.mean([te.size / (fit.size + val.size) for fit, val, te in result.splits]))
    level = result.settings["precision_level"]
    cols = ["#", "model", "γ", "α", "PR-AUC", "ROC-AUC", f"recall@P≥{level:g}", "log-loss", "Brier", "trees"]
    cols += ["regularisation (folds)", f"Δ PR-AUC vs {ref.name}", "p (corrected t)", "wins", "chosen"]
    chosen = result.times_chosen()
    lines = [header, "", "| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    best = result.best
    for rank, r in enumerate(result.ranked(), start=1):
        cells = [
            f"{rank}{' ★' if r is best else ''}",
            f"**{r.kind}**" if r.is_baseline else r.kind,
            "–" if r.gamma is None else f"{r.gamma:g}",
            r.alpha_label.replace("-", "–"),
        ]
        for metric in METRICS:
            spec = METRICS[metric].fmt
            cells.append(f"{r.mean(metric):{spec}} ± {r.std(metric):{spec}}")
        cells.append(f"{r.mean('best_iteration'):.0f}")
        strong = sum(1 for c in r.extra.get("regularization", []) if c.get("min_child_weight", 0) >= 1)
        cells.append(f"mcw=1: {strong}/{len(r.scores[m])}")
        if r is ref:
            cells += ["(reference)", "", ""]
        else:
            diff = np.asarray(r.scores[m]) - ref_scores
            se, _, p = nadeau_bengio(diff, ratio)
            cells += [f"{diff.mean():+.4f} ± {se:.4f}", f"{p:.2f}", f"{int((diff > 0).sum())}/{diff.size}"]
        cells.append(f"{chosen[r.name]}/{len(r.scores[m])}" if r.name in chosen else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("lightgbm", "xgboost"), default="lightgbm")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--precision-level", type=float, default=0.3)
    parser.add_argument("--n-jobs", type=int, default=None, help="fits at once (default: all cores)")
    parser.add_argument("--output", type=Path, default=RESULTS / "caravan.md")
    args = parser.parse_args()

    X, y, _ = load_caravan()
    cv = RepeatedStratifiedKFold(n_splits=args.folds, n_repeats=args.repeats, random_state=0)
    print(f"Caravan: {X.shape[0]} rows, {X.shape[1]} features, {y.sum()} positives ({100 * y.mean():.1f} %)")
    start = time.perf_counter()
    result = tune(
        X,
        y,
        engine=args.engine,
        gammas=GAMMAS,
        alphas=ALPHAS,
        cv=cv,
        precision_level=args.precision_level,
        n_jobs=args.n_jobs,
        random_state=0,
    )
    elapsed = time.perf_counter() - start
    s = result.settings
    engine_version = s["versions"][args.engine]
    header = "\n".join(
        [
            f"# Caravan (ISLP): focal loss vs log-loss, balanced CE and scale_pos_weight — {args.engine}",
            "",
            f"- date: {dt.date.today().isoformat()}; boostfocal {bf.__version__}, {args.engine} {engine_version}, "
            f"numpy {np.__version__}, Python {platform.python_version()}, {platform.machine()}",
            f"- data: {X.shape[0]} rows, {X.shape[1]} features, {y.sum()} positives ({100 * y.mean():.1f} %), "
            "target `Purchase == 'Yes'`",
            f"- protocol: {args.repeats} x repeated stratified {args.folds}-fold CV ({s['n_splits']} test folds); "
            f"in each, {100 * s['validation_fraction']:.0f} % of the training part is an inner validation split "
            f"for early stopping (patience {s['early_stopping_rounds']}, on {s['early_stopping_metric']} of the "
            f"recovered probabilities); the test fold is only scored",
            f"- models: n_estimators ≤ {s['n_estimators']}, engine parameters {s['engine_params']}, "
            f"focal Hessian `{s['hessian']}`, random_state 0; {elapsed:.0f} s wall",
            "- regularisation search, the same for every row but scale_pos_weight, chosen per fold on the inner "
            f"validation split: "
            f"{s['regularization']} (column: folds that chose min_child_weight=1); scale_pos_weight's own "
            f"search instead: {s['scale_pos_weight_search']} (power of n_neg/n_pos)",
            "- cells: mean ± std over the test folds (a description of every row); probabilities are the "
            "recovered posteriors (scale_pos_weight: margin − log spw); Δ: mean paired difference to the "
            "baseline with the best mean ± Nadeau-Bengio corrected standard error, p from the corrected "
            "t-test, wins = folds where the row beats it; chosen = folds in which the headline picked the row "
            "on the inner validation split",
        ]
    )
    text = markdown(result, header)
    text += "\n\n**Headline** (the tuner's own):\n\n```\n" + result.headline() + "\n```\n"
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
