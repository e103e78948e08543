"""Shared helpers of the benchmark scripts: interleaved timing, machine description, Markdown output.

Not a benchmark itself.  Every script imports it as ``from _common import ...`` (the scripts are
run as ``python benchmarks/NAME.py``, which puts this folder on ``sys.path``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.metadata
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def loadavg() -> str:
    """The 1-, 5- and 15-minute load averages, as ``/proc/loadavg`` shows them."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # pragma: no cover - not Linux
        return "n/a"


def wait_for_quiet(max_load: float = 1.0, poll_s: float = 60.0, max_wait_s: float = 2400.0) -> str:
    """Poll the 1-minute load average until it is below ``max_load`` (or ``max_wait_s`` passed).

    Returns a line for the report saying what the load was when measuring started.
    """
    start = time.monotonic()
    while True:
        load = loadavg()
        try:
            one = float(load.split()[0])
        except ValueError:
            return f"load average unknown ({load})"
        if one < max_load:
            return f"load average at start {load} (quiet)"
        if time.monotonic() - start >= max_wait_s:
            return f"load average at start {load}: NOT quiet after {max_wait_s / 60:.0f} min, measured under load"
        print(f"  load {load} >= {max_load}; waiting {poll_s:.0f} s ...", flush=True)
        time.sleep(poll_s)


_DISTRIBUTIONS = {"imxgboost": "imbalance-xgboost", "sklearn": "scikit-learn"}


def _version(module: str) -> str:
    """The installed version of ``module`` (from its distribution's metadata when it has no
    ``__version__``), or "not installed"."""
    try:
        mod = importlib.import_module(module)
    except Exception:
        return "not installed"
    version = getattr(mod, "__version__", None)
    if version is None:
        try:
            version = importlib.metadata.version(_DISTRIBUTIONS.get(module, module))
        except importlib.metadata.PackageNotFoundError:
            version = "installed, version unknown"
    return str(version)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover
        pass
    return platform.processor() or "unknown"


def machine_lines(extra_modules: Sequence[str] = ()) -> list[str]:
    """Markdown bullet lines: date, machine (cores, CPU model, memory) and library versions."""
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{mem_kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):  # pragma: no cover
        mem = "RAM unknown"
    mods = ["numpy", "numba", "lightgbm", "xgboost", "boostfocal", *extra_modules]
    versions = ", ".join(f"{m} {_version(m)}" for m in mods)
    return [
        f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {os.cpu_count()} cores, {cpu_model()}, {mem}, {platform.system()} {platform.release()}",
        f"- python {platform.python_version()}, {versions}",
    ]


def interleaved(candidates: dict[str, Callable[[], Any]], repeats: int, warmup: int = 1) -> dict[str, list[float]]:
    """Wall times (seconds) of each candidate, run in turn ``repeats`` times.

    Each repeat runs every candidate once; the order is reversed on every other repeat (ABBA) so
    slow drifts of the machine's load hit all candidates alike.  ``warmup`` untimed rounds first.
    """
    names = list(candidates)
    for _ in range(warmup):
        for name in names:
            candidates[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            t0 = time.perf_counter()
            candidates[name]()
            times[name].append(time.perf_counter() - t0)
    return times


def median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs))


def spread(xs: Sequence[float]) -> str:
    """``min-max`` of a sample, for the tables."""
    return f"{min(xs):.4g}-{max(xs):.4g}"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f}"


def md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_report(name: str, title: str, sections: Sequence[str], extra_modules: Sequence[str] = ()) -> Path:
    """Write ``results/NAME`` with a title, the machine description and the given Markdown sections."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    body = [f"# {title}", "", *machine_lines(extra_modules), "", *[s + "\n" for s in sections]]
    path.write_text("\n".join(body).rstrip() + "\n")
    print(f"wrote {path}")
    return path


def verdict(ratio: float, target: float) -> str:
    return f"{'met' if ratio <= target else 'MISSED'} (<= {target:g}x)"
