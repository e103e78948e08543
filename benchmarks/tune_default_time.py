"""Wall time of the default ``boostfocal tune``, on a quiet machine and beside one busy process.

Runs the command exactly as a user would (``python -m boostfocal tune``, plus any extra arguments
given here, e.g. ``--engine xgboost``) twice: first alone, then while one other CPU-bound process
(``python -c "while True: pass"``) runs beside it.  Prints the table of the first run, both wall
times, their ratio, the CPU seconds of each run (user + system, the command and its worker
processes), the core count and the load average before each run.

    python benchmarks/tune_default_time.py                 # the default command
    python benchmarks/tune_default_time.py --engine xgboost

Targets, on a two-core machine: the quiet run within 30 s, the busy run within twice the quiet
one.  The tuner runs its fits in parallel, on threads with one engine thread each, so one
busy process takes one core's share, not every fit's threads hostage at OpenMP barriers.  Run it
on an otherwise idle machine: other load makes "quiet" meaningless (the load average printed
before each run says how idle the machine was).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

QUIET_BUDGET_S = 30.0
BUSY_RATIO_BUDGET = 2.0


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _load() -> str:
    return "n/a" if not hasattr(os, "getloadavg") else " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(cmd: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (the command and every process it waited for), exit status, stdout."""
    cpu0 = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall = time.perf_counter() - start
    return wall, _children_cpu() - cpu0, proc.returncode, proc.stdout


def main(extra: list[str]) -> int:
    cmd = [sys.executable, "-m", "boostfocal", "tune", "--quiet", *extra]
    shown = " ".join(["boostfocal", "tune", *extra])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    # warm-up, not timed: fills numba's on-disk cache of the compiled kernels, so that neither timed
    # run pays for compilation
    subprocess.run(
        [sys.executable, "-m", "boostfocal", "tune", "--quiet", "--n-samples", "2000", "--positive-rate", "0.05"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load_quiet = _load()
    print(f"$ {shown}   ({cores} cores; quiet run, load average {load_quiet})", flush=True)
    quiet_wall, quiet_cpu, rc, out = timed(cmd)
    print(out)
    if rc != 0:
        print(f"the command failed with exit status {rc}")
        return rc

    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(2.0)  # let the busy process settle on a core
        load_busy = _load()
        print(f"$ {shown}   (beside one busy process; load average {load_busy})", flush=True)
        busy_wall, busy_cpu, rc, _ = timed(cmd)
    finally:
        hog.terminate()
        hog.wait()
    if rc != 0:
        print(f"the command failed with exit status {rc} beside the busy process")
        return rc

    ratio = busy_wall / quiet_wall
    print(
        f"quiet: {quiet_wall:.1f} s wall, {quiet_cpu:.1f} s CPU (load average before: {load_quiet}) — "
        f"{'within' if quiet_wall <= QUIET_BUDGET_S else 'OVER'} the {QUIET_BUDGET_S:.0f} s target"
    )
    print(
        f"busy:  {busy_wall:.1f} s wall, {busy_cpu:.1f} s CPU (load average before: {load_busy}), "
        "beside one CPU-bound process"
    )
    print(
        f"ratio busy/quiet: {ratio:.2f} — {'within' if ratio <= BUSY_RATIO_BUDGET else 'OVER'} the "
        f"{BUSY_RATIO_BUDGET:g}x target; {cores} cores"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
