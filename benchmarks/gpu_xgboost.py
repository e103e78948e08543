"""XGBoost on a GPU: training time with our focal objective against ``binary:logistic``.

Times ``xgb.train`` with ``device="cuda"``, ``tree_method="hist"``, ``max_depth=6``, 100 rounds on
``make_fraud(1_000_000, positive_rate=0.01, n_noise=13)`` (30 features): the built-in
``binary:logistic`` against ``bfx.objective(BinaryFocalLoss(alpha=0.25, gamma=2))`` on
``bfx.dmatrix`` (optimal ``base_margin``).  Interleaved ABBA, one untimed warm-up each, median of
``--repeats`` runs.  It also records what the objective receives (numpy on the host or a device
array) and the time spent in the objective per round: with a Python objective XGBoost copies the
margins to the host, and the gradients back, every round, so the ratio here is the price of that
round trip plus our kernel, not of the focal mathematics.

Run on a machine with a CUDA GPU: ``python benchmarks/gpu_xgboost.py`` (``--rows``, ``--repeats``).
Without one it says so and exits 0.  Results are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import time
from typing import Any

import numpy as np
import xgboost as xgb

import boostfocal as bf
from boostfocal import xgboost as bfx
from boostfocal.datasets import make_fraud


class _Recording:
    """Wraps an objective: records the type of the margins it receives and the time spent in it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.calls = 0
        self.types: set[str] = set()

    def __call__(self, preds: Any, data: Any) -> Any:
        self.types.add(f"{type(preds).__module__}.{type(preds).__name__}")
        t0 = time.perf_counter()
        out = self.inner(preds, data)
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        return out


class _Fixed:
    """An objective that returns the same gradient and Hessian arrays every round."""

    def __init__(self, grad: Any, hess: Any) -> None:
        self.grad, self.hess = grad, hess

    def __call__(self, preds: Any, data: Any) -> tuple[Any, Any]:
        return self.grad, self.hess


def _gpu_available() -> bool:
    """A CUDA device is visible (XGBoost itself falls back to the CPU with only a logged warning)."""
    smi = shutil.which("nvidia-smi")
    if smi is None or not xgb.build_info().get("USE_CUDA"):
        return False
    out = subprocess.run([smi, "-L"], capture_output=True, text=True, check=False)
    return out.returncode == 0 and "GPU" in out.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not _gpu_available():
        print("no CUDA device visible to XGBoost: nothing measured")
        return
    X, y = make_fraud(args.rows, positive_rate=0.01, n_noise=13, random_state=0)
    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
    base = {"device": "cuda", "tree_method": "hist", "max_depth": 6, "learning_rate": 0.1}
    d_builtin = xgb.DMatrix(X, label=y)
    d_focal = bfx.dmatrix(X, y, loss)
    recorder = _Recording(bfx.objective(loss))

    def builtin() -> None:
        xgb.train({**base, "objective": "binary:logistic"}, d_builtin, args.rounds)

    def focal() -> None:
        xgb.train({**base, "disable_default_eval_metric": True}, d_focal, args.rounds, obj=recorder)

    # The floor of any Python objective here: one that computes nothing and returns fixed arrays
    # (the first round's focal gradients), as numpy (XGBoost copies them to the device) or, where
    # CuPy is installed, as device arrays.  The trees differ from focal's; only the cost counts.
    g0, h0 = bfx.objective(loss)(d_focal.get_base_margin().astype(np.float32), d_focal)
    fixed_host = _Fixed(np.asarray(g0), np.asarray(h0))

    def floor_host() -> None:
        xgb.train({**base, "disable_default_eval_metric": True}, d_focal, args.rounds, obj=fixed_host)

    candidates = [("built-in", builtin), ("focal", focal), ("no-op objective, host arrays", floor_host)]
    try:
        import cupy as cp

        fixed_device = _Fixed(cp.asarray(g0), cp.asarray(h0))

        def floor_device() -> None:
            xgb.train({**base, "disable_default_eval_metric": True}, d_focal, args.rounds, obj=fixed_device)

        candidates.append(("no-op objective, CuPy arrays", floor_device))
    except ImportError:
        pass
    runs: dict[str, list[float]] = {name: [] for name, _ in candidates}
    for _, fn in candidates:  # warm-up: CUDA context, histogram index, numba compile
        fn()
    recorder.seconds, recorder.calls = 0.0, 0
    order = candidates
    for i in range(args.repeats):
        for name, fn in order if i % 2 == 0 else order[::-1]:
            t0 = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - t0)
    b, f = statistics.median(runs["built-in"]), statistics.median(runs["focal"])
    per_round = 1e3 * recorder.seconds / max(recorder.calls, 1)
    print(
        f"XGBoost {xgb.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPU cores, load {os.getloadavg()[0]:.2f}"
    )
    print(f"{args.rows} rows x {X.shape[1]} features, {args.rounds} rounds, median of {args.repeats} runs\n")
    print("| training | built-in s | focal s | focal / built-in | objective ms/round | margins received as |")
    print("|---|---|---|---|---|---|")
    print(
        f'| XGBoost `device="cuda"` binary | {b:.2f} | {f:.2f} | {f / b:.2f}x | {per_round:.1f} | '
        f"{', '.join(sorted(recorder.types))} |"
    )
    for name in list(runs)[2:]:
        m = statistics.median(runs[name])
        print(f"| {name} (floor of any Python objective) | {b:.2f} | {m:.2f} | {m / b:.2f}x | 0 | - |")
    print(
        f"\nbuilt-in repeats {min(runs['built-in']):.2f}-{max(runs['built-in']):.2f} s, "
        f"focal repeats {min(runs['focal']):.2f}-{max(runs['focal']):.2f} s"
    )
    print(
        "The focal time includes XGBoost's host<->device copy of margins and gradients every round; "
        "the built-in objective never leaves the GPU, so the ratio is not the cost of the focal mathematics."
    )


if __name__ == "__main__":
    main()
