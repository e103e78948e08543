"""Plots of tuning results (needs matplotlib: ``pip install boostfocal[plot]``).

matplotlib is imported when a function here is called, never when the module is imported, so
``boostfocal.tuning`` works without it.  This module reads a :class:`~boostfocal.tuning.TuneResult`
through the public attributes the protocol ``TunedResult`` names and imports nothing of
:mod:`boostfocal.tuning`, not even for type checking: ``TuneResult.plot`` imports this module, and
the dependency runs one way only.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

__all__ = ["plot_tuning", "save_tuning_plot"]

_BASELINE_STYLES = {
    "log-loss": {"color": "0.25", "linestyle": "--"},
    "balanced CE": {"color": "tab:purple", "linestyle": ":"},
    "scale_pos_weight": {"color": "tab:brown", "linestyle": "-."},
}


class TunedResult(Protocol):
    """What the plots read of a :class:`~boostfocal.tuning.TuneResult`."""

    @property
    def rows(self) -> Sequence[Any]: ...

    scoring: str
    engine: str
    settings: dict[str, Any]

    @property
    def best(self) -> Any: ...

    def metric_name(self, metric: str | None = None) -> str: ...

    def metric_label(self, metric: str) -> str: ...

    def metric_higher_is_better(self, metric: str) -> bool: ...


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError("plotting needs matplotlib: pip install boostfocal[plot]") from exc
    return matplotlib


def plot_tuning(result: TunedResult, metric: str | None = None, *, ax: Any = None, show_std: bool = True) -> Any:
    """Draw ``metric`` (default ``result.scoring``) against gamma, one line per alpha.

    Each focal line joins the fold means of one alpha over the gamma grid of the focal rows.
    Error bars (``show_std``) are ``± std`` over folds; the folds are shared by all rows, so
    differences between rows vary less than the bars suggest.  The baselines (log-loss, balanced CE
    -- focal gamma = 0, alpha = "balanced" -- and ``scale_pos_weight``) are horizontal reference
    lines only, each drawn once, their ``mean ± std`` in the legend.  The best configuration is
    circled when it is a focal row.

    Returns the matplotlib ``Axes`` (a new figure's, via pyplot, when ``ax`` is None).
    """
    _matplotlib()
    m = result.metric_name(metric)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7.0, 4.5))

    focal = [r for r in result.rows if r.is_focal and not r.is_baseline]  # balanced CE is a baseline line
    alphas: list[Any] = []
    for r in focal:
        if r.alpha not in alphas:
            alphas.append(r.alpha)
    gammas = sorted({r.gamma for r in focal})
    span = (gammas[-1] - gammas[0]) if len(gammas) > 1 else 1.0
    for i, a in enumerate(alphas):
        pts = sorted((r for r in focal if r.alpha == a), key=lambda r: r.gamma)
        x = np.array([r.gamma for r in pts], dtype=float)
        mean = np.array([r.mean(m) for r in pts])
        (line,) = ax.plot(x, mean, marker="o", label=f"focal, alpha={pts[0].alpha_label}", zorder=3)
        if show_std:
            # error bars dodged sideways so that the alphas' bars do not hide each other
            dx = (i - (len(alphas) - 1) / 2) * 0.012 * span
            std = np.array([r.std(m) for r in pts])
            ax.errorbar(x + dx, mean, yerr=std, fmt="none", ecolor=line.get_color(), alpha=0.45, capsize=3, linewidth=1)

    for r in result.rows:
        if not r.is_baseline:
            continue
        style = _BASELINE_STYLES.get(r.kind, {"color": "0.5", "linestyle": "--"})
        text = f"{r.kind} (baseline)" + (f": {r.mean(m):.3g} ± {r.std(m):.2g}" if show_std else "")
        ax.axhline(r.mean(m), label=text, linewidth=1.3, zorder=2, **style)

    best = result.best
    if best.gamma is not None and not best.is_baseline:
        ax.plot(
            [best.gamma],
            [best.mean(m)],
            marker="o",
            markersize=14,
            markerfacecolor="none",
            color="red",
            linestyle="none",
            label="best",
        )

    label = result.metric_label(m)
    if m == "recall_at_precision":
        label = f"recall at precision >= {result.settings.get('precision_level', 0.5):g}"
    better = "higher" if result.metric_higher_is_better(m) else "lower"
    n_splits = result.settings.get("n_splits", "?")
    ax.set_xlabel("gamma (focusing parameter)")
    ax.set_ylabel(f"{label} ({better} is better)")
    ax.set_title(f"{label} vs gamma: {result.engine}, mean ± std over {n_splits} folds")
    if gammas:
        ax.set_xticks(gammas)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    return ax


def save_tuning_plot(result: TunedResult, path: str | os.PathLike[str], metric: str | None = None) -> None:
    """Draw :func:`plot_tuning` on a new figure and save it to ``path`` (any format matplotlib writes).

    Uses ``matplotlib.figure.Figure`` directly, so it works without a display or a GUI backend.
    """
    _matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.0, 5.0), layout="constrained")
    ax = fig.subplots()
    plot_tuning(result, metric, ax=ax)
    fig.savefig(path, dpi=120)
