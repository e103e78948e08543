"""Wall time of the default ``boostfocal tune`` (built-in make_fraud data, default grid and folds).

Runs the command exactly as a user would (``python -m boostfocal tune``, plus any extra arguments
given here, e.g. ``--engine xgboost``), prints its output (the table) and the measured wall time,
with the machine's core count and load average, since a busy machine slows the run down.

    python benchmarks/tune_default_time.py                 # the default command
    python benchmarks/tune_default_time.py --engine xgboost

The target is under two minutes on a two-core machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

BUDGET_S = 120.0


def main(extra: list[str]) -> int:
    cmd = [sys.executable, "-m", "boostfocal", "tune", *extra]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"$ {' '.join(['boostfocal', 'tune', *extra])}   ({cores} cores, load average {load_before})", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall = time.perf_counter() - start
    print(proc.stdout)
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
    verdict = "within" if wall < BUDGET_S else "OVER"
    print(
        f"wall time: {wall:.1f} s ({verdict} the {BUDGET_S:.0f} s budget); exit status {proc.returncode}; "
        f"{cores} cores; load average before {load_before}, after {load_after}"
    )
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
