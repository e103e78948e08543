"""Time of ``boostfocal.tune`` on real-size tables, beside ``lightgbm.cv`` and beside the lower bound.

Cases (each run in a fresh Python process, so that its CPU seconds include every worker it
started and its peak memory is its own):

- ``default``: the default ``boostfocal tune`` (its built-in ``make_fraud`` table, 100,000 rows);
- ``wide``: the same table, the wide grid (5 gammas x 3 alphas);
- ``285k`` and ``1m``: the default tuner on a 285,000-row and a 1,000,000-row ``make_fraud`` table.

For each it prints wall and CPU seconds, the fits and trees trained, the rows stopped early, and

- ``lightgbm.cv``: one plain ``lightgbm.cv`` on the same table (log-loss, 3 stratified folds,
  early stopping after 30 rounds, at most 300 rounds, every core) and the ratio tune / cv;
- ``lower bound``: training only the models finally kept (the number of trees each kept model
  predicts with, on its fold's inner training split, one thread), with the built-in objective:
  what any tuner that kept these models must spend at least;
- the peak resident memory of the process (``ru_maxrss``).

``compile`` prints what numba's compilation costs the first default run after install: the
kernels the default run uses, compiled into an empty on-disk cache, against the same run loading
them from the cache (CPU seconds of two fresh processes fitting every row of the default grid for
two rounds on 2,000 rows).

    python benchmarks/tune_time.py                    # every case
    python benchmarks/tune_time.py --only default     # one case (repeatable: --only default --only compile)
    python benchmarks/tune_time.py --full-search      # the full search instead of the budgeted one
    python benchmarks/tune_time.py --backend loky     # fits in worker processes instead of threads

The fits and trees are counted in the process that runs the fits: with ``--backend loky`` they
are not (the figures say 0).

Run it on an otherwise idle machine; the load average before each case is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CASES = ("default", "wide", "285k", "1m")
ALL = (*CASES, "compile")
WIDE_GAMMAS = (0.5, 1.0, 2.0, 3.0, 5.0)
WIDE_ALPHAS = (None, 0.25, "balanced")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's boostfocal, in this process and in each case's child


def _data(case: str) -> tuple[Any, Any]:
    from boostfocal.datasets import make_fraud

    try:  # the CLI's built-in data: its size and share of positives
        from boostfocal.cli._parser import BUILTIN_N_SAMPLES, BUILTIN_POSITIVE_RATE
    except ImportError:  # a single-module CLI (an older boostfocal, timed for comparison)
        from boostfocal.cli import BUILTIN_N_SAMPLES, BUILTIN_POSITIVE_RATE  # type: ignore[attr-defined,no-redef]

    n = {"285k": 285_000, "1m": 1_000_000}.get(case, BUILTIN_N_SAMPLES)
    return make_fraud(n_samples=n, positive_rate=BUILTIN_POSITIVE_RATE, random_state=0)


def _rusage() -> dict[str, float]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu": r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime, "maxrss_mb": max(r.ru_maxrss, c.ru_maxrss) / 1024}


def child_tune(case: str, full_search: bool, backend: str) -> dict[str, Any]:
    """One tuner run, with its fits and trees counted (a wrapper around the fit function)."""
    import numpy as np
    from joblib import parallel_config

    import boostfocal as bf
    from boostfocal.tuning import _engines, _search

    X, y = _data(case)
    counts = {"fits": 0, "trees": 0}
    lock = threading.Lock()
    real = _search.run_fit

    def counted(*args: Any, **kwargs: Any) -> Any:
        fitted = real(*args, **kwargs)
        settings, est = args[0], getattr(fitted, "est", None)
        trees = 0  # a tuner whose fit function keeps no model: fits counted, trees not
        if est is not None and settings.engine == "lightgbm":
            trees = est.booster_.current_iteration()
        elif est is not None:
            trees = est.get_booster().num_boosted_rounds()
        with lock:  # fits on threads
            counts["fits"] += 1
            counts["trees"] += int(trees)
        return fitted

    _search.run_fit = counted
    kw: dict[str, Any] = {"progress": False, **({"full_search": True} if full_search else {})}
    if case == "wide":
        kw.update(gammas=WIDE_GAMMAS, alphas=WIDE_ALPHAS)
    before = _rusage()
    t0 = time.perf_counter()
    with parallel_config(backend=backend):
        result = bf.tune(X, y, **kw)
    wall = time.perf_counter() - t0
    if backend == "loky":  # its worker processes, ended and waited for: their CPU seconds counted
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=True)
    after = _rusage()
    lower = _lower_bound(result, X, y, _engines)
    comp = result.comparison
    stopped = sum(1 for r in result.rows for m in r.extra.get("stopped_early", []) if m is not None)
    return {
        "wall": wall,
        "cpu": after["cpu"] - before["cpu"],
        "maxrss_mb": after["maxrss_mb"],
        **counts,
        "kept_trees": lower["trees"],
        "lower_cpu": lower["cpu"],
        "stopped": stopped,
        "search": result.settings.get("search", "Full search."),
        "verdict": None if comp is None else comp.verdict,
        "difference": None if comp is None else float(np.mean(comp.differences)),
        "table": result.format_table(),
    }


def _lower_bound(result: Any, X: Any, y: Any, engines: Any) -> dict[str, float]:
    """CPU seconds of training the kept models' trees alone with the built-in objective, one thread."""
    import lightgbm as lgb

    cpu, trees = 0.0, 0
    for row in result.rows:
        for f, (fit, _, _) in enumerate(result.splits):
            n = row.scores["best_iteration"][f]
            if n != n:  # stopped early: nothing kept
                continue
            c0 = time.process_time()
            lgb.LGBMClassifier(n_estimators=int(n), n_jobs=1, verbose=-1).fit(X[fit], y[fit])
            cpu += time.process_time() - c0
            trees += int(n)
    return {"cpu": cpu, "trees": trees}


def child_cv(case: str) -> dict[str, Any]:
    """One plain ``lightgbm.cv``: log-loss, 3 stratified folds, early stopping after 30 rounds."""
    import lightgbm as lgb

    X, y = _data(case)
    before = _rusage()
    t0 = time.perf_counter()
    out = lgb.cv(
        {"objective": "binary", "metric": "binary_logloss", "learning_rate": 0.1, "verbose": -1, "seed": 0},
        lgb.Dataset(X, y),
        num_boost_round=300,
        nfold=3,
        stratified=True,
        callbacks=[lgb.early_stopping(30, verbose=False)],
    )
    wall = time.perf_counter() - t0
    after = _rusage()
    return {"wall": wall, "cpu": after["cpu"] - before["cpu"], "rounds": len(next(iter(out.values())))}


def child_compile() -> dict[str, Any]:
    """Every row of the default grid fitted for two rounds on 2,000 rows (the kernels the default run uses)."""
    import boostfocal as bf
    from boostfocal.datasets import make_fraud

    X, y = make_fraud(2_000, positive_rate=0.05, random_state=0)
    c0 = time.process_time()
    t0 = time.perf_counter()
    bf.tune(X, y, n_estimators=2, progress=False, cv=2, n_jobs=1)
    return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}


def _run_child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def run_case(case: str, full_search: bool, backend: str) -> None:
    load = _load()
    tune = _run_child(["tune", case, "--backend", backend, *(["--full-search"] if full_search else [])])
    cv = _run_child(["cv", case])
    print(f"## {case}   (load average before: {load})")
    print(tune["table"])
    print(f"search: {tune['search']}")
    print(f"verdict: {tune['verdict']} (mean paired difference {tune['difference']})")
    print(
        f"tune: {tune['wall']:.1f} s wall, {tune['cpu']:.1f} s CPU, {tune['fits']} fits, {tune['trees']} trees "
        f"({tune['kept_trees']} in kept models), {tune['stopped']} (fold, row)s stopped early; "
        f"peak memory {tune['maxrss_mb']:.0f} MiB"
    )
    print(
        f"lightgbm.cv: {cv['wall']:.1f} s wall, {cv['cpu']:.1f} s CPU (best round {cv['rounds']}, stopped 30 rounds "
        "later; a best round of a few means plain log-loss at LightGBM's defaults diverges on this table, so the "
        "cv is short and the ratio below is large); "
        f"tune / cv: {tune['wall'] / cv['wall']:.1f}x wall, {tune['cpu'] / cv['cpu']:.1f}x CPU"
    )
    print(
        f"lower bound (kept models' trees, built-in objective, one thread): {tune['lower_cpu']:.1f} s CPU; "
        f"tune / lower bound: {tune['cpu'] / tune['lower_cpu']:.1f}x CPU"
    )
    print(flush=True)


def run_compile() -> None:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        cold = _run_child(["compile"], env)
        warm = _run_child(["compile"], env)
    print("## compile   (numba, the kernels of the default run)")
    print(
        f"empty cache: {cold['cpu']:.2f} s CPU ({cold['wall']:.2f} s wall); cached: {warm['cpu']:.2f} s CPU "
        f"({warm['wall']:.2f} s wall); compiling costs the first run {cold['cpu'] - warm['cpu']:.2f} s CPU"
    )
    print(flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=ALL, help="run only this case (repeatable)")
    parser.add_argument("--full-search", action="store_true", help="the tuner's full search")
    parser.add_argument("--backend", default="threading", help="joblib backend of the fits (threading, loky)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "tune":
            out = child_tune(rest[0], args.full_search, args.backend)
        elif kind == "cv":
            out = child_cv(rest[0])
        else:
            out = child_compile()
        print(json.dumps(out))
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"# boostfocal.tune time ({cores} cores, backend {args.backend}, full search: {args.full_search})\n")
    for case in args.only or ALL:
        if case == "compile":
            run_compile()
        else:
            run_case(case, args.full_search, args.backend)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
