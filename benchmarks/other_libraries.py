"""boostfocal against other published focal-loss objectives for gradient boosting, and CatBoost's.

Compared (installed for this benchmark only, never a dependency of boostfocal)::

    pip install imbalance-xgboost bokbokbok imlightgbm catboost

- ``imbalance-xgboost`` (module ``imxgboost``): ``Focal_Binary_Loss(gamma).focal_binary_object``,
  for ``xgb.train(obj=...)``.  No alpha in its focal loss.
- ``bokbokbok``: ``WeightedFocalLoss(alpha, gamma)``, for XGBoost and LightGBM.  Its ``alpha``
  multiplies the positive class only (negatives weigh 1), so ours with ``alpha=A`` equals
  ``(1 - A) *`` its loss with ``alpha = A / (1 - A)``; ``alpha=1`` is the unweighted loss.
- ``imlightgbm``: ``objective.binary_focal_objective`` / ``multiclass_focal_objective`` (what its
  ``imlightgbm.train(params={"objective": "binary_focal"})`` and ``ImbalancedLGBMClassifier``
  use).  No alpha in its focal loss.
- CatBoost's built-in ``Focal:focal_alpha=A;focal_gamma=G`` (binary; alpha weights positives).

Sections of the report:

1. Objective speed on the same 10^6-row float64 input (binary, gamma=2; and multiclass K=10 for
   imlightgbm), interleaved, median of ``--repeats``: each library's objective function against
   our engine adapter call (``bfl.objective(loss)(y, raw)``: label cache + shape checks + numba
   kernel, default Hessian policy).
2. Derivative accuracy: max absolute and relative difference of each library's gradient and
   Hessian from ours with ``hessian="exact"`` (same loss, same conventions), on that input and on a
   grid of margins in [-40, 40]; rows with a different Hessian sign or a non-finite value; and a
   table against 50-digit ``mpmath`` derivatives of the loss at a few margins, which decides who
   is right where we disagree.
3. End-to-end training on ``make_fraud(200_000, positive_rate=0.005)`` (75/25 stratified split,
   2 threads, 300 rounds, learning rate 0.05, depth 6): time (median of ``--repeats``,
   interleaved) and test PR-AUC for LightGBM and XGBoost with each library's objective, ours
   (from the optimal initial score, and from the same start as theirs), the engines' built-in
   log-loss, and CatBoost with ``Focal`` (alpha 0.25, gamma 2) and ``Logloss`` (depth 6,
   300 trees).

Run: ``python benchmarks/other_libraries.py`` (about 10-15 minutes on 2 cores) or ``--quick``;
``--wait-quiet`` waits (up to 40 min) for the 1-minute load average to fall below 1.  Writes
``benchmarks/results/other_libraries.md`` (``--quick``: ``other_libraries_quick.md``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial
from typing import Any

import lightgbm as lgb
import mpmath
import numpy as np
import xgboost as xgb
from _common import fmt_ms, interleaved, loadavg, md_table, median, spread, wait_for_quiet, write_report
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

import boostfocal as bf
from boostfocal import lightgbm as bfl
from boostfocal import xgboost as bfx
from boostfocal.datasets import make_fraud

try:
    from imxgboost.focal_loss import Focal_Binary_Loss
except ImportError:  # pragma: no cover
    Focal_Binary_Loss = None
try:
    from bokbokbok.loss_functions.classification import WeightedFocalLoss
except ImportError:  # pragma: no cover
    WeightedFocalLoss = None
try:
    from imlightgbm.objective import binary_focal_lgb_objective, binary_focal_objective, multiclass_focal_objective
except ImportError:  # pragma: no cover
    binary_focal_objective = None
try:
    import catboost as cb
except ImportError:  # pragma: no cover
    cb = None

GAMMA = 2.0
THREADS = 2
EXTRA_MODULES = ("imxgboost", "bokbokbok", "imlightgbm", "catboost", "mpmath")


class _Labels:
    """Stands in for a DMatrix / lgb.Dataset: the libraries only call ``get_label()``."""

    def __init__(self, y: np.ndarray) -> None:
        self.y = y

    def get_label(self) -> np.ndarray:
        return self.y


def their_binary(y: np.ndarray) -> dict[str, Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]]:
    """Each library's binary focal gradient/Hessian as ``f(raw)``, for the unweighted loss, gamma=2."""
    d = _Labels(y)
    out: dict[str, Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]] = {}
    if Focal_Binary_Loss is not None:
        fl = Focal_Binary_Loss(GAMMA)
        out["imbalance-xgboost"] = lambda z: fl.focal_binary_object(z, d)
    if WeightedFocalLoss is not None:
        wf = WeightedFocalLoss(alpha=1.0, gamma=GAMMA)
        out["bokbokbok"] = lambda z: wf(z, d)
    if binary_focal_objective is not None:
        out["imlightgbm"] = lambda z: binary_focal_objective(y, z, GAMMA)
    return out


# --------------------------------------------------------------------------------------------
# 1. Objective speed
# --------------------------------------------------------------------------------------------


def speed(n: int, k: int, repeats: int) -> tuple[list[str], dict[str, float]]:
    rng = np.random.default_rng(0)
    z = rng.normal(-2.0, 2.0, n)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    ours = bfl.objective(bf.BinaryFocalLoss(alpha=None, gamma=GAMMA))
    cands: dict[str, Callable[[], Any]] = {"boostfocal (adapter call, numba)": lambda: ours(y, z)}
    for name, f in their_binary(y).items():
        cands[name] = partial(f, z)
    times = interleaved(cands, repeats)
    base = median(times["boostfocal (adapter call, numba)"])
    rows = []
    ratios = {}
    for name, ts in times.items():
        ratios[f"binary {name}"] = median(ts) / base
        rows.append([f"binary, {name}", fmt_ms(median(ts)), spread([t * 1e3 for t in ts]), f"{median(ts) / base:.2f}"])
        print(f"  binary {name:35s} {fmt_ms(median(ts)):>9s} ms  {median(ts) / base:5.2f}x ours", flush=True)
    if multiclass_focal_objective is not None:
        zm = rng.normal(0.0, 2.0, (n, k))
        ym = rng.integers(0, k, n).astype(np.float64)
        ours_m = bfl.objective(bf.MulticlassFocalLoss(k, gamma=GAMMA))
        cands = {
            "boostfocal (adapter call, numba)": lambda: ours_m(ym, zm),
            "imlightgbm": lambda: multiclass_focal_objective(ym, zm, GAMMA, k),
        }
        times = interleaved(cands, repeats)
        base = median(times["boostfocal (adapter call, numba)"])
        for name, ts in times.items():
            ratios[f"multiclass {name}"] = median(ts) / base
            rows.append(
                [
                    f"multiclass K={k}, {name}",
                    fmt_ms(median(ts)),
                    spread([t * 1e3 for t in ts]),
                    f"{median(ts) / base:.2f}",
                ]
            )
            print(f"  multiclass {name:31s} {fmt_ms(median(ts)):>9s} ms  {median(ts) / base:5.2f}x ours", flush=True)
    table = md_table(["objective", "median ms", "min-max ms", "time / ours"], rows)
    return [
        f"## 1. Objective speed ({n:,} float64 rows, gamma=2)\n\n"
        "Ours: the call LightGBM makes each round, `bfl.objective(loss)(y, raw)` (labels prepared once and "
        "cached, raw scores checked, numba kernel, default `bounded` Hessian). Theirs: their objective "
        "function on the same arrays (`get_label()` served from memory). Binary margins ~ N(-2, 2); "
        f"multiclass margins ~ N(0, 2), K={k}.\n\n" + table
    ], ratios


# --------------------------------------------------------------------------------------------
# 2. Derivative accuracy
# --------------------------------------------------------------------------------------------


def _diff_stats(theirs: np.ndarray, ours: np.ndarray) -> tuple[float, float, str, int]:
    """max |diff|, max relative diff (over entries where ours != 0), where, and non-finite count."""
    theirs = np.asarray(theirs, dtype=np.float64)
    bad = ~np.isfinite(theirs)
    nonfinite = int(bad.sum())
    diff = np.abs(np.where(bad, np.inf, theirs - ours))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(ours != 0, diff / np.abs(ours), np.where(diff == 0, 0.0, np.inf))
    i = int(np.argmax(rel))
    return float(diff.max()), float(rel.max()), str(i), nonfinite


def _fmt(x: float) -> str:
    return "inf" if not np.isfinite(x) else f"{x:.3g}"


def accuracy(n: int, k: int) -> list[str]:
    rng = np.random.default_rng(0)
    z_bench = rng.normal(-2.0, 2.0, n)
    y_bench = (rng.random(n) < 1.0 / (1.0 + np.exp(-z_bench))).astype(np.float64)
    grid = np.linspace(-40.0, 40.0, 8001)
    inputs = {
        f"benchmark input ({n:,} rows, margins ~ N(-2, 2))": (z_bench, y_bench),
        "grid: margins -40..40 step 0.01, y = 0 and 1": (
            np.concatenate([grid, grid]),
            np.repeat([0.0, 1.0], grid.size),
        ),
        "grid restricted to |margin| <= 10": (
            np.concatenate([grid[np.abs(grid) <= 10]] * 2),
            np.repeat([0.0, 1.0], int((np.abs(grid) <= 10).sum())),
        ),
    }
    exact = bf.BinaryFocalLoss(alpha=None, gamma=GAMMA, hessian="exact")
    rows = []
    for label, (z, y) in inputs.items():
        g0, h0 = exact.grad_hess(y, z)
        for name, f in their_binary(y).items():
            with np.errstate(all="ignore"):
                g1, h1 = f(z.copy())
            ga, gr, gi, gnf = _diff_stats(g1, g0)
            ha, hr, hi, hnf = _diff_stats(h1, h0)
            sign = int(np.sum(np.sign(np.nan_to_num(h1)) != np.sign(h0)))
            neg = int(np.sum(np.asarray(h1) < 0))
            zero_pos = int(np.sum((np.asarray(h1) == 0) & (y == 1)))
            worst_g = f"z={z[int(gi)]:.3g}, y={y[int(gi)]:g}"
            worst_h = f"z={z[int(hi)]:.3g}, y={y[int(hi)]:g}"
            rows.append(
                [label, name, _fmt(ga), _fmt(gr), worst_g, _fmt(ha), _fmt(hr), worst_h, sign, neg, zero_pos, gnf + hnf]
            )
            print(
                f"  {name:18s} {label[:30]:30s} grad abs {_fmt(ga)} rel {_fmt(gr)} ({worst_g}); hess abs {_fmt(ha)} "
                f"rel {_fmt(hr)} ({worst_h}); sign diffs {sign}; negative {neg}; zero-Hessian positives "
                f"{zero_pos}; non-finite {gnf + hnf}",
                flush=True,
            )
    # bokbokbok with alpha: ours(alpha=A) == (1 - A) * bokbokbok(alpha=A / (1 - A))
    if WeightedFocalLoss is not None:
        a = 0.25
        z, y = inputs[next(iter(inputs))]
        g0, h0 = bf.BinaryFocalLoss(alpha=a, gamma=GAMMA, hessian="exact").grad_hess(y, z)
        g1, h1 = WeightedFocalLoss(alpha=a / (1 - a), gamma=GAMMA)(z.copy(), _Labels(y))
        ga, gr, gi, _ = _diff_stats((1 - a) * g1, g0)
        ha, hr, hi, _ = _diff_stats((1 - a) * h1, h0)
        rows.append(
            [
                next(iter(inputs)),
                "bokbokbok alpha=1/3, x0.75 vs ours alpha=0.25",
                _fmt(ga),
                _fmt(gr),
                f"z={z[int(gi)]:.3g}, y={y[int(gi)]:g}",
                _fmt(ha),
                _fmt(hr),
                f"z={z[int(hi)]:.3g}, y={y[int(hi)]:g}",
                "",
                "",
                "",
                "",
            ]
        )
    # imlightgbm multiclass vs ours (softmax focal loss)
    mrows = []
    if multiclass_focal_objective is not None:
        zm = rng.normal(0.0, 2.0, (n, k))
        ym = rng.integers(0, k, n)
        g0, h0 = bf.MulticlassFocalLoss(k, gamma=GAMMA, hessian="exact").grad_hess(ym, zm)
        g1, h1 = multiclass_focal_objective(ym.astype(np.float64), zm, GAMMA, k)
        ga, gr, _, gnf = _diff_stats(g1, g0)
        ha, hr, _, hnf = _diff_stats(h1, h0)
        corr = float(np.corrcoef(np.ravel(g1), np.ravel(g0))[0, 1])
        mrows.append(
            [
                f"imlightgbm multiclass_focal_objective, K={k}, {n:,} rows",
                _fmt(ga),
                _fmt(gr),
                _fmt(ha),
                _fmt(hr),
                f"{corr:.3f}",
                gnf + hnf,
            ]
        )
        print(
            f"  imlightgbm multiclass: grad abs {_fmt(ga)} rel {_fmt(gr)}; hess abs {_fmt(ha)} rel {_fmt(hr)}; "
            f"corr(grad) {corr:.3f}",
            flush=True,
        )
    head = [
        "input",
        "library",
        "grad max abs diff",
        "grad max rel diff",
        "worst grad at",
        "Hessian max abs diff",
        "Hessian max rel diff",
        "worst Hessian at",
        "Hessian sign differs (rows)",
        "their Hessian < 0 (rows)",
        "their Hessian == 0 on positives (rows)",
        "non-finite values",
    ]
    text = [
        '## 2. Derivatives against ours (hessian="exact", alpha=None, gamma=2)\n\n'
        "Relative difference = |theirs - ours| / |ours| (inf where ours is 0 and theirs is not). "
        "Ours is the reference here because it matches the 50-digit mpmath derivatives below.\n\n"
        + md_table(head, rows)
    ]
    if mrows:
        text.append(
            "Multiclass (imlightgbm applies its binary formula to each softmax probability separately; ours is "
            "the derivative of the softmax focal loss `-(1-p_t)^gamma log p_t`):\n\n"
            + md_table(
                [
                    "objective",
                    "grad max abs diff",
                    "grad max rel diff",
                    "Hessian max abs diff",
                    "Hessian max rel diff",
                    "corr(their grad, ours)",
                    "non-finite",
                ],
                mrows,
            )
        )
    text.append(mp_table())
    return text


def _mp_derivs(z: float, y: int) -> tuple[float, float]:
    mpmath.mp.dps = 50

    def loss(t: Any) -> Any:
        p = 1 / (1 + mpmath.exp(-t))
        pt = p if y == 1 else 1 - p
        return -((1 - pt) ** GAMMA) * mpmath.log(pt)

    return float(mpmath.diff(loss, mpmath.mpf(z), 1)), float(mpmath.diff(loss, mpmath.mpf(z), 2))


def mp_table() -> str:
    zs = np.array([-30.0, -10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 10.0, 30.0])
    rows = []
    for yv in (1, 0):
        y = np.full(zs.size, float(yv))
        g0, h0 = bf.BinaryFocalLoss(alpha=None, gamma=GAMMA, hessian="exact").grad_hess(y, zs)
        theirs = {}
        for name, f in their_binary(y).items():
            with np.errstate(all="ignore"):
                theirs[name] = f(zs.copy())
        for i, z in enumerate(zs):
            mg, mh = _mp_derivs(float(z), yv)
            row = [f"y={yv}, z={z:g}", f"{mg:.6g}", f"{g0[i]:.6g}"]
            row += [f"{theirs[n][0][i]:.6g}" for n in theirs]
            row += [f"{mh:.6g}", f"{h0[i]:.6g}"]
            row += [f"{theirs[n][1][i]:.6g}" for n in theirs]
            rows.append(row)
    names = list(their_binary(np.zeros(1)))
    head = [
        "point",
        "grad mpmath",
        "grad ours",
        *[f"grad {n}" for n in names],
        "Hessian mpmath",
        "Hessian ours (exact)",
        *[f"Hessian {n}" for n in names],
    ]
    return (
        "Against 50-digit mpmath derivatives of `-(1-p_t)^2 log p_t` (p_t the probability of the true "
        "class):\n\n" + md_table(head, rows)
    )


# --------------------------------------------------------------------------------------------
# 3. End to end, and CatBoost
# --------------------------------------------------------------------------------------------


def end_to_end(rows: int, rate: float, rounds: int, repeats: int) -> list[str]:
    X, y = make_fraud(rows, positive_rate=rate, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    y_trf = y_tr.astype(np.float64)
    lr, depth = 0.05, 6
    ours_a = bf.BinaryFocalLoss(alpha=0.25, gamma=GAMMA)  # the paper's setting, for the CatBoost comparison
    ours_n = bf.BinaryFocalLoss(alpha=None, gamma=GAMMA)  # the libraries' (unweighted) loss

    lgb_params: dict[str, Any] = {
        "learning_rate": lr,
        "num_leaves": 63,
        "max_depth": depth,
        "num_threads": THREADS,
        "verbose": -1,
        "seed": 0,
    }
    xgb_params: dict[str, Any] = {"tree_method": "hist", "max_depth": depth, "eta": lr, "nthread": THREADS, "seed": 0}
    ds_plain = lgb.Dataset(X_tr, y_trf, free_raw_data=False, params={"verbose": -1}).construct()
    ds_n = bfl.dataset(X_tr, y_trf, ours_n, free_raw_data=False, params={"verbose": -1}).construct()
    ds_a = bfl.dataset(X_tr, y_trf, ours_a, free_raw_data=False, params={"verbose": -1}).construct()
    dm_plain = xgb.DMatrix(X_tr, label=y_trf, nthread=THREADS)
    dm_n = bfx.dmatrix(X_tr, y_trf, ours_n, nthread=THREADS)
    dm_a = bfx.dmatrix(X_tr, y_trf, ours_a, nthread=THREADS)
    dm_te = xgb.DMatrix(X_te, nthread=THREADS)
    noeval = dict(xgb_params, disable_default_eval_metric=True)

    def lgb_run(ds: lgb.Dataset, obj: Any) -> Callable[[], Any]:
        return lambda: lgb.train(dict(lgb_params, objective=obj), ds, rounds)

    def xgb_run(dm: xgb.DMatrix, obj: Any) -> Callable[[], Any]:
        if isinstance(obj, str):
            return lambda: xgb.train(dict(xgb_params, objective=obj), dm, rounds)
        return lambda: xgb.train(noeval, dm, rounds, obj=obj)

    # name -> (train callable, raw-margin predictor)
    cands: dict[str, tuple[Callable[[], Any], Callable[[Any], np.ndarray]]] = {}
    lgb_pred = lambda b: b.predict(X_te, raw_score=True)  # noqa: E731
    xgb_pred = lambda b: b.predict(dm_te, output_margin=True)  # noqa: E731
    cands["LightGBM, ours alpha=None (init score)"] = (lgb_run(ds_n, bfl.objective(ours_n)), lgb_pred)
    cands["LightGBM, ours alpha=None (start 0)"] = (lgb_run(ds_plain, bfl.objective(ours_n)), lgb_pred)
    if binary_focal_objective is not None:
        cands["LightGBM, imlightgbm"] = (lgb_run(ds_plain, partial(binary_focal_lgb_objective, gamma=GAMMA)), lgb_pred)
    if WeightedFocalLoss is not None:
        cands["LightGBM, bokbokbok alpha=1"] = (lgb_run(ds_plain, WeightedFocalLoss(1.0, GAMMA)), lgb_pred)
    cands["LightGBM, ours alpha=0.25 (init score)"] = (lgb_run(ds_a, bfl.objective(ours_a)), lgb_pred)
    cands["LightGBM, built-in binary"] = (lgb_run(ds_plain, "binary"), lgb_pred)
    cands["XGBoost, ours alpha=None (init score)"] = (xgb_run(dm_n, bfx.objective(ours_n)), xgb_pred)
    cands["XGBoost, ours alpha=None (start as theirs)"] = (xgb_run(dm_plain, bfx.objective(ours_n)), xgb_pred)
    if Focal_Binary_Loss is not None:
        cands["XGBoost, imbalance-xgboost"] = (
            xgb_run(dm_plain, Focal_Binary_Loss(GAMMA).focal_binary_object),
            xgb_pred,
        )
    if WeightedFocalLoss is not None:
        cands["XGBoost, bokbokbok alpha=1"] = (xgb_run(dm_plain, WeightedFocalLoss(1.0, GAMMA)), xgb_pred)
    cands["XGBoost, ours alpha=0.25 (init score)"] = (xgb_run(dm_a, bfx.objective(ours_a)), xgb_pred)
    cands["XGBoost, built-in binary:logistic"] = (xgb_run(dm_plain, "binary:logistic"), xgb_pred)
    cat_check = ""
    if cb is not None:
        pool_tr = cb.Pool(X_tr, y_tr)
        pool_te = cb.Pool(X_te)
        cat_common = {
            "iterations": rounds,
            "depth": depth,
            "learning_rate": lr,
            "thread_count": THREADS,
            "random_seed": 0,
            "verbose": 0,
            "allow_writing_files": False,
        }
        focal_spec = f"Focal:focal_alpha=0.25;focal_gamma={GAMMA:g}"

        def cat_run(loss_function: str) -> Callable[[], Any]:
            return lambda: cb.CatBoostClassifier(loss_function=loss_function, **cat_common).fit(pool_tr)

        cat_pred = lambda m: m.predict(pool_te, prediction_type="RawFormulaVal")  # noqa: E731
        cands[f"CatBoost, {focal_spec}"] = (cat_run(focal_spec), cat_pred)
        cands["CatBoost, Logloss"] = (cat_run("Logloss"), cat_pred)

    # warm-up: train each once, score it on the test set
    pr_auc = {}
    models = {}
    for name, (train, predict) in cands.items():
        models[name] = train()
        raw = np.asarray(predict(models[name]), dtype=np.float64)
        pr_auc[name] = average_precision_score(y_te, raw) if np.isfinite(raw).all() else float("nan")
        print(
            f"  {name:45s} test PR-AUC {pr_auc[name]:.4f}" + ("" if np.isfinite(raw).all() else " (NaN margins)"),
            flush=True,
        )
    if cb is not None:
        # convention check: CatBoost's Focal metric on its own model's margins vs our loss on the same margins
        m = models[f"CatBoost, {focal_spec}"]
        raw_tr = m.predict(pool_tr, prediction_type="RawFormulaVal")
        theirs = m.eval_metrics(cb.Pool(X_tr, y_tr), [focal_spec], ntree_start=rounds - 1)[focal_spec][-1]
        ours_val = float(ours_a.loss(y_tr, raw_tr).mean())
        cat_check = (
            f"Convention check: CatBoost's own `{focal_spec}` metric on its trained model (train set) = "
            f"{theirs:.6g}; our `BinaryFocalLoss(alpha=0.25, gamma=2).loss` mean on the same margins = "
            f"{ours_val:.6g} (alpha weights the positives in both)."
        )
        print("  " + cat_check, flush=True)
    times = interleaved({name: c[0] for name, c in cands.items()}, repeats, warmup=0)
    ref = {
        "LightGBM": median(times["LightGBM, ours alpha=None (init score)"]),
        "XGBoost": median(times["XGBoost, ours alpha=None (init score)"]),
        "CatBoost": median(times["LightGBM, ours alpha=0.25 (init score)"]),
    }
    rows_out = []
    for name, ts in times.items():
        engine = name.split(",")[0]
        r = median(ts) / ref[engine]
        rows_out.append([name, f"{median(ts):.3f}", spread(ts), f"{r:.2f}", f"{pr_auc[name]:.4f}"])
        print(f"  {name:45s} {median(ts):7.3f} s  {r:5.2f}x   PR-AUC {pr_auc[name]:.4f}", flush=True)
    head = ["model", "train s (median)", "min-max s", "time ratio", "test PR-AUC"]
    return [
        f"## 3. End to end: make_fraud({rows:,}, positive_rate={rate}), 75/25 stratified split\n\n"
        f"{X.shape[1]} features, {int(y_tr.sum())} train / {int(y_te.sum())} test positives; {rounds} rounds / trees, "
        f"learning rate {lr}, depth {depth} (LightGBM `max_depth=6, num_leaves=63`; XGBoost `hist, max_depth=6`; "
        f"CatBoost `depth=6`, symmetric trees), {THREADS} threads; times are medians of {repeats} interleaved "
        "repeats after one warm-up (whose model is scored). Time ratio: LightGBM and XGBoost rows against ours "
        "(alpha=None, init score) on the same engine; CatBoost rows against LightGBM with ours alpha=0.25. "
        "'start 0' / 'start as theirs': our objective on the plain Dataset/DMatrix the other libraries get "
        "(LightGBM starts from 0; XGBoost with a custom objective from margin 0.5), so that only the "
        "gradient/Hessian differs. gamma=2 throughout; alpha=None is the loss the other libraries implement.\n\n"
        + md_table(head, rows_out)
        + ("\n\n" + cat_check if cat_check else "")
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows for the objective speed and accuracy")
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--train-rows", type=int, default=200_000)
    ap.add_argument("--rate", type=float, default=0.005)
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--wait-quiet", action="store_true", help="wait for the 1-min load average to fall below 1")
    args = ap.parse_args()
    n, train_rows, rounds, repeats = args.rows, args.train_rows, args.rounds, args.repeats
    if args.quick:
        n, train_rows, rounds, repeats = 20_000, 20_000, 20, 3
    missing = [
        m
        for m, obj in (
            ("imbalance-xgboost", Focal_Binary_Loss),
            ("bokbokbok", WeightedFocalLoss),
            ("imlightgbm", binary_focal_objective),
            ("catboost", cb),
        )
        if obj is None
    ]
    load_note = wait_for_quiet() if args.wait_quiet else f"load average at start {loadavg()}"
    print(load_note, flush=True)
    sections = [f"{load_note}." + (f" Not installed, skipped: {', '.join(missing)}." if missing else "")]
    print("1. objective speed", flush=True)
    text, _ = speed(n, args.classes, max(repeats, 5) if not args.quick else repeats)
    sections += text
    print("2. derivative accuracy", flush=True)
    sections += accuracy(n, args.classes)
    if args.wait_quiet:
        print(wait_for_quiet(), flush=True)
    print(f"3. end to end (load {loadavg()})", flush=True)
    sections += end_to_end(train_rows, args.rate, rounds, repeats)
    sections.append(f"Load average at the end: {loadavg()}.")
    write_report(
        "other_libraries_quick.md" if args.quick else "other_libraries.md",
        "Other focal-loss libraries and CatBoost",
        sections,
        EXTRA_MODULES,
    )


if __name__ == "__main__":
    main()
