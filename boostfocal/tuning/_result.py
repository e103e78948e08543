"""The result of :func:`boostfocal.tune`: the rows, the headline comparison, the table, JSON, a snippet.

The headline compares the best focal row (``gamma > 0``) with the best baseline on the scoring
metric, fold by fold (the rows share their folds, so the differences are paired), with the
Nadeau-Bengio corrected resampled t-test: the training sets of the folds overlap, so the folds'
differences are correlated and the naive standard error ``s / sqrt(J)`` is too small.  With ``J``
fold differences ``d_j``, their mean ``m`` and sample variance ``s^2``, and ``n_test / n_train``
the ratio of test to training rows of a fold,

    se = sqrt((1/J + n_test/n_train) s^2),   t = m / se,   J - 1 degrees of freedom,

and the two-sided p-value of ``t`` (Nadeau & Bengio, "Inference for the generalization error",
Machine Learning 52, 2003; Bouckaert & Frank, PAKDD 2004, for repeated cross-validation).
"""

from __future__ import annotations

import json
import math
import numbers
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _snippet
from ._engines import BALANCED, BASELINES, FOCAL, LOGLOSS, SPW, estimator_classes
from ._metrics import DEFAULT_PRECISION_LEVEL, METRICS, metric_name
from ._metrics import EXTRA as _EXTRA
from ._metrics import greater_is_better as _greater_is_better
from ._snippet import DataCode

#: Significance level of the headline verdict.
SIGNIFICANCE_LEVEL = 0.05


def nadeau_bengio(differences: Sequence[float], test_train_ratio: float) -> tuple[float, float, float]:
    """Corrected resampled t-test of paired fold differences: ``(corrected se, t, two-sided p)``.

    ``se = sqrt((1/J + n_test/n_train) s^2)`` with ``s^2`` the sample variance of the ``J``
    differences, ``t = mean / se`` on ``J - 1`` degrees of freedom (scipy's t distribution).
    Identical differences give ``t = ±inf, p = 0`` (or ``t = 0, p = 1`` when they are all 0).
    """
    from scipy import stats

    d = np.asarray(differences, dtype=np.float64)
    j = d.size
    if j < 2:
        raise ValueError("the corrected t-test needs at least two folds")
    mean = float(d.mean())
    var = float(d.var(ddof=1))
    se = math.sqrt((1.0 / j + test_train_ratio) * var)
    if se == 0.0:
        return 0.0, (0.0 if mean == 0.0 else math.copysign(math.inf, mean)), (1.0 if mean == 0.0 else 0.0)
    t = mean / se
    return se, t, float(2.0 * stats.t.sf(abs(t), df=j - 1))


@dataclass(frozen=True)
class Comparison:
    """The headline: best focal row against best baseline on the scoring metric, fold by fold.

    ``differences`` are focal minus baseline per fold; ``wins`` counts the folds where focal is
    better (higher, or lower for a loss); ``p_value`` is the two-sided Nadeau-Bengio corrected
    t-test; ``verdict`` says in words whether focal loss is significantly better, worse, or neither
    at :data:`SIGNIFICANCE_LEVEL`.
    """

    metric: str
    focal: str
    baseline: str
    differences: tuple[float, ...]
    mean_difference: float
    corrected_se: float
    t: float
    dof: int
    p_value: float
    wins: int
    test_train_ratio: float
    greater_is_better: bool

    @property
    def n_folds(self) -> int:
        """Number of paired test folds."""
        return len(self.differences)

    @property
    def significant(self) -> bool:
        """Whether ``p_value`` is below :data:`SIGNIFICANCE_LEVEL` (two-sided)."""
        return self.p_value < SIGNIFICANCE_LEVEL

    @property
    def focal_is_better(self) -> bool:
        """Whether the mean paired difference favours the focal row (higher, or lower for a loss)."""
        return self.mean_difference > 0 if self.greater_is_better else self.mean_difference < 0

    @property
    def verdict(self) -> str:
        """The comparison in one plain sentence: significantly better, worse, or not significantly better."""
        if self.significant and self.focal_is_better:
            return "focal loss is significantly better here"
        if self.significant:
            return "focal loss is significantly worse here"
        return "focal loss is not significantly better here"

    def summary(self) -> str:
        """Two lines: the paired difference with its corrected test, then the verdict."""
        label = METRICS[self.metric].label if self.metric in METRICS else self.metric
        return (
            f"{self.focal} vs {self.baseline}, {label}: paired difference {self.mean_difference:+.4f} "
            f"(corrected se {self.corrected_se:.4f}, t = {self.t:.2f}, {self.dof} dof, p = {self.p_value:.3f}), "
            f"better in {self.wins} of {self.n_folds} folds\n"
            f"Verdict: {self.verdict} (Nadeau-Bengio corrected t-test, level {SIGNIFICANCE_LEVEL:g})."
        )

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready data, the verdict included."""
        return {
            "metric": self.metric,
            "focal": self.focal,
            "baseline": self.baseline,
            "differences": list(self.differences),
            "mean_difference": self.mean_difference,
            "corrected_se": self.corrected_se,
            "t": self.t,
            "dof": self.dof,
            "p_value": self.p_value,
            "test": "Nadeau-Bengio corrected resampled t-test, two-sided",
            "test_train_ratio": self.test_train_ratio,
            "wins": self.wins,
            "n_folds": self.n_folds,
            "significant": self.significant,
            "verdict": self.verdict,
        }


def _alpha_label(alpha: Any) -> str:
    if alpha is None:
        return "none"
    if isinstance(alpha, str):
        return alpha
    if isinstance(alpha, numbers.Real):
        return f"{float(alpha):g}"
    return "(" + ", ".join(f"{float(a):g}" for a in alpha) + ")"


def _alpha_json(alpha: Any) -> Any:
    if alpha is None or isinstance(alpha, str):
        return alpha
    if isinstance(alpha, numbers.Real):
        return float(alpha)
    return [float(a) for a in alpha]


@dataclass
class ConfigResult:
    """One row of the table: a model configuration and its scores on every test fold.

    ``kind`` is ``"focal"`` or one of the baselines ``"log-loss"``, ``"balanced CE"`` (focal
    with ``gamma = 0, alpha = "balanced"``) and ``"scale_pos_weight"``.  ``gamma`` and ``alpha``
    are ``None`` for the engine's built-in objective.  ``scores`` maps each metric name (and
    ``best_iteration``, ``fit_time``) to its per-fold values, those of the regularisation
    candidate chosen on the inner validation split; ``extra`` holds per-fold details
    (``regularization``: the chosen candidate, ``validation_scores``: every candidate's validation
    score, ``scale_pos_weight``, the resolved ``alpha``).
    """

    kind: str
    gamma: float | None
    alpha: Any
    scores: dict[str, list[float]] = field(default_factory=dict)
    extra: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Short printable name, e.g. ``"focal gamma=2 alpha=0.25"`` or ``"log-loss"``."""
        if self.kind == FOCAL:
            return f"focal gamma={self.gamma:g} alpha={_alpha_label(self.alpha)}"
        return self.kind

    @property
    def is_baseline(self) -> bool:
        """Whether this row is one of the baselines (log-loss, balanced CE, ``scale_pos_weight``)."""
        return self.kind in BASELINES

    @property
    def is_focal(self) -> bool:
        """A row trained with the focal loss (balanced CE, focal with gamma = 0, counts)."""
        return self.kind in (FOCAL, BALANCED)

    @property
    def alpha_label(self) -> str:
        """``alpha`` as printed: ``none``, ``balanced``, ``0.25``, ``(1, 2, 3)``; ``-`` for built-in objectives."""
        return _alpha_label(self.alpha) if self.is_focal else "-"

    def mean(self, metric: str) -> float:
        """Mean over folds of ``metric``."""
        return float(np.mean(self.scores[metric]))

    def std(self, metric: str) -> float:
        """Sample standard deviation (``ddof=1``) over folds of ``metric`` (0 for a single fold)."""
        values = self.scores[metric]
        return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data: name, kind, gamma, alpha, each score's mean, std and fold values."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "gamma": self.gamma,
            "alpha": _alpha_json(self.alpha),
        }
        for m in self.scores:
            out[m] = {"mean": self.mean(m), "std": self.std(m), "folds": [float(x) for x in self.scores[m]]}
        if self.extra:
            out["extra"] = {
                k: [_alpha_json(x) for x in vals] if k == "alpha" else list(vals) for k, vals in self.extra.items()
            }
        return out


@dataclass
class TuneResult:
    """What :func:`tune` returns: every configuration's fold scores, the winner, a table, a plot.

    Attributes
    ----------
    rows : list of ConfigResult
        In evaluation order: the ``(gamma, alpha)`` grid, then the baselines.  The grid point
        ``gamma = 0, alpha = "balanced"`` *is* the balanced-CE baseline and appears once, as
        that baseline.
    scoring : str
        The metric that picks :attr:`best`.
    engine : str
    classes : ndarray
        The original class labels (``proba[:, k]`` is the probability of ``classes[k]``).
    settings : dict
        Everything needed to reproduce the run (grid, folds, engine parameters, seed, versions).
    splits : list of (inner_train, inner_valid, test) index arrays, one per fold.
    """

    rows: list[ConfigResult]
    scoring: str
    engine: str
    classes: NDArray[Any]
    settings: dict[str, Any]
    splits: list[tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]] = field(repr=False)
    scoring_function: Callable[..., float] | None = field(default=None, repr=False)

    # ----- ranking -------------------------------------------------------------------
    @property
    def metrics(self) -> list[str]:
        """Score columns, in table order (a custom scoring function comes first)."""
        base = list(METRICS)
        return ([self.scoring] if self.scoring not in METRICS else []) + base

    @property
    def greater_is_better(self) -> bool:
        """Whether a higher value of :attr:`scoring` is better (PR-AUC: yes; log-loss: no)."""
        return _greater_is_better(self.scoring)

    def metric_name(self, metric: str | None = None) -> str:
        """The canonical name of ``metric`` (default :attr:`scoring`); ValueError if unknown."""
        return self.scoring if metric is None else metric_name(metric, self.metrics)

    def metric_label(self, metric: str) -> str:
        """How ``metric`` is printed (``recall_at_precision`` with its precision level)."""
        if metric == "recall_at_precision":
            return f"recall@P>={self.settings.get('precision_level', DEFAULT_PRECISION_LEVEL):g}"
        if metric in METRICS:
            return METRICS[metric].label
        return _EXTRA[metric].label if metric in _EXTRA else metric

    def metric_higher_is_better(self, metric: str) -> bool:
        """Whether a higher value of ``metric`` is better."""
        return _greater_is_better(metric)

    def ranked(self, metric: str | None = None) -> list[ConfigResult]:
        """Rows sorted best first by the mean of ``metric`` (default: :attr:`scoring`).

        Ties (e.g. focal ``gamma=0, alpha=None``, which is log-loss, against the built-in log-loss)
        go to the simpler model: log-loss, then the other baselines, then focal rows in grid order.
        """
        m = self.scoring if metric is None else metric_name(metric, self.metrics)
        higher = _greater_is_better(m)
        simplicity = {LOGLOSS: 0, BALANCED: 1, SPW: 2}

        def key(i: int) -> tuple[float, int, int]:
            value = self.rows[i].mean(m)
            value = np.inf if math.isnan(value) else (-value if higher else value)
            return value, simplicity.get(self.rows[i].kind, 3), i

        return [self.rows[i] for i in sorted(range(len(self.rows)), key=key)]

    @property
    def best(self) -> ConfigResult:
        """The row with the best mean :attr:`scoring` over folds (baselines included)."""
        return self.ranked()[0]

    @property
    def best_focal(self) -> ConfigResult | None:
        """The best focal-loss row with ``gamma > 0`` (``gamma = 0`` is weighted cross-entropy)."""
        focal = [r for r in self.ranked() if r.kind == FOCAL and r.gamma is not None and r.gamma > 0]
        return focal[0] if focal else None

    @property
    def best_baseline(self) -> ConfigResult | None:
        """The best of the baselines (log-loss, balanced CE, scale_pos_weight)."""
        base = [r for r in self.ranked() if r.is_baseline]
        return base[0] if base else None

    @property
    def comparison(self) -> Comparison | None:
        """The headline: :attr:`best_focal` against :attr:`best_baseline` (None without both).

        Paired differences over the folds of the scoring metric and the Nadeau-Bengio corrected
        t-test (see the module docstring); ``n_test / n_train`` is the mean over the folds of the
        test rows over the outer training rows.
        """
        focal, base = self.best_focal, self.best_baseline
        if focal is None or base is None or len(self.splits) < 2:
            return None
        m = self.scoring
        d = np.asarray(focal.scores[m], dtype=np.float64) - np.asarray(base.scores[m], dtype=np.float64)
        ratio = float(np.mean([te.size / (fit.size + val.size) for fit, val, te in self.splits]))
        se, t, p = nadeau_bengio(d, ratio)
        higher = _greater_is_better(m)
        return Comparison(
            metric=m,
            focal=focal.name,
            baseline=base.name,
            differences=tuple(float(x) for x in d),
            mean_difference=float(d.mean()),
            corrected_se=se,
            t=t,
            dof=d.size - 1,
            p_value=p,
            wins=int(np.sum(d > 0 if higher else d < 0)),
            test_train_ratio=ratio,
            greater_is_better=higher,
        )

    def headline(self) -> str:
        """The comparison as text (:meth:`Comparison.summary`), or why there is none."""
        comp = self.comparison
        if comp is not None:
            return "\n".join([comp.summary(), *self.collapsed_baselines()])
        if self.best_focal is None:
            return "No comparison: the grid has no focal row with gamma > 0."
        if self.best_baseline is None:
            return "No comparison: the baselines were not fitted."
        return "No comparison: a single fold."

    def collapsed_baselines(self) -> list[str]:
        """A warning for each baseline that scored less than half the best baseline on a
        higher-is-better scoring metric: a fit that diverged, not a competitor, and a gap to it
        is no evidence for focal loss (the headline compares with the best baseline)."""
        best = self.best_baseline
        if best is None or not self.greater_is_better:
            return []
        top = best.mean(self.scoring)
        return [
            f"Note: the {r.name} baseline scored {r.mean(self.scoring):.3f} against {top:.3f} for {best.name}: "
            "it diverged here, so it is no fair competitor; the headline compares with the best baseline."
            for r in self.rows
            if r.is_baseline and r is not best and r.mean(self.scoring) < 0.5 * top
        ]

    def baseline(self, kind: str) -> ConfigResult | None:
        """The baseline row ``kind`` (``"log-loss"``, ``"balanced CE"``, ``"scale_pos_weight"``)."""
        for r in self.rows:
            if r.kind == kind:
                return r
        return None

    # ----- the winner as an estimator --------------------------------------------------
    def regularization_choice(self, row: ConfigResult | None = None) -> dict[str, Any]:
        """The regularisation candidate chosen most often over the folds for ``row`` (default
        :attr:`best`); ties go to the candidate listed first in the search."""
        row = self.best if row is None else row
        chosen = row.extra.get("regularization")
        if not chosen:
            return {}
        candidates = self.settings.get("regularization") or [{}]
        counts = Counter(candidates.index(c) if c in candidates else 0 for c in chosen)
        top = max(counts.values())
        return dict(candidates[min(i for i, k in counts.items() if k == top)])

    def best_params(self, row: ConfigResult | None = None) -> dict[str, Any]:
        """Keyword arguments of the estimator that trains ``row`` (default :attr:`best`) on all data.

        ``n_estimators`` is the mean best iteration over the folds (at least 1), since there is
        no validation split to early-stop on when training on everything; the regularisation is
        :meth:`regularization_choice`.
        """
        row = self.best if row is None else row
        params: dict[str, Any] = {}
        if row.kind in (FOCAL, BALANCED):
            params["gamma"] = row.gamma
            params["alpha"] = row.alpha
            if self.settings["hessian"] != "bounded":
                params["hessian"] = self.settings["hessian"]
        elif row.kind == SPW:
            params["scale_pos_weight"] = self.settings["scale_pos_weight_full"]
        params["n_estimators"] = max(1, round(row.mean("best_iteration")))
        params.update(self.settings["engine_params"])
        params.update(self.regularization_choice(row))
        return params

    def best_estimator(self, row: ConfigResult | None = None) -> Any:
        """An unfitted estimator configured like ``row`` (default :attr:`best`)."""
        row = self.best if row is None else row
        focal_cls, builtin_cls = estimator_classes(self.engine)
        cls = focal_cls if row.kind in (FOCAL, BALANCED) else builtin_cls
        return cls(**self.best_params(row))

    def snippet(self, row: ConfigResult | None = None, data: DataCode | str | None = None) -> str:
        """Copy-paste Python that trains ``row`` (default :attr:`best`) on all the data, saves it
        and scores new rows ``X_new`` (see :mod:`boostfocal.tuning._snippet`).

        ``data`` (a :class:`~boostfocal.tuning._snippet.DataCode`) says how the data are loaded,
        fitted and how new rows are read; a string replaces the comment that says where ``X, y``
        come from.  By default ``X, y`` (and ``sample_weight``) are those given to
        :func:`boostfocal.tune` and the training rows are scored.
        """
        return _snippet.snippet(self, row, data)

    # ----- presentation --------------------------------------------------------------------
    def fold_scores(self, metric: str | None = None) -> dict[str, NDArray[np.float64]]:
        """Per-fold values of ``metric`` (default :attr:`scoring`) by row name: paired across rows."""
        m = self.scoring if metric is None else metric_name(metric, self.metrics)
        return {r.name: np.asarray(r.scores[m], dtype=np.float64) for r in self.rows}

    @property
    def table(self) -> Any:
        """A pandas DataFrame, one row per configuration, best first (needs pandas).

        Columns: ``rank``, ``model`` (focal or the baseline's name), ``gamma``, ``alpha``, then
        for every metric its mean over folds (column named after the metric) and standard
        deviation (``<metric>_std``), then ``best_iteration``, ``fit_time`` (+ ``_std``), and
        ``best`` (True on the winning row).
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("TuneResult.table needs pandas; use format_table() or to_dict() without it") from exc
        records = []
        best = self.best
        for rank, r in enumerate(self.ranked(), start=1):
            rec: dict[str, Any] = {
                "rank": rank,
                "model": r.kind,
                "gamma": r.gamma,
                "alpha": _alpha_label(r.alpha) if r.kind in (FOCAL, BALANCED) else None,
            }
            for m in [*self.metrics, *_EXTRA]:
                rec[m] = r.mean(m)
                rec[f"{m}_std"] = r.std(m)
            rec["best"] = r is best
            records.append(rec)
        return pd.DataFrame.from_records(records)

    def format_table(self, metrics: Sequence[str] | None = None) -> str:
        """The table as fixed-width text: best first, ``*`` on the winner, ``mean ± std`` cells."""
        cols = list(self.metrics if metrics is None else [metric_name(m, self.metrics) for m in metrics])
        cols += list(_EXTRA)
        label = self.metric_label

        def cell(r: ConfigResult, m: str) -> str:
            spec = METRICS[m].fmt if m in METRICS else (_EXTRA[m].fmt if m in _EXTRA else ".4f")
            if m in _EXTRA:
                return format(r.mean(m), spec)
            return f"{r.mean(m):{spec}} ± {r.std(m):{spec}}"

        header = ["", "rank", "model", "gamma", "alpha", *[label(m) for m in cols]]
        body = []
        best = self.best
        for rank, r in enumerate(self.ranked(), start=1):
            focalish = r.kind in (FOCAL, BALANCED)
            body.append(
                [
                    "*" if r is best else "",
                    str(rank),
                    r.kind,
                    "-" if r.gamma is None else f"{r.gamma:g}",
                    _alpha_label(r.alpha) if focalish else "-",
                    *[cell(r, m) for m in cols],
                ]
            )
        widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
        left = {2, 4}
        lines = []
        for row in [header, *body]:
            parts = [c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
            lines.append("  ".join(parts).rstrip())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format_table()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: settings, rows (mean, std and fold values), the best configuration."""
        best = self.best
        return {
            "scoring": self.scoring,
            "engine": self.engine,
            "classes": [c.item() if hasattr(c, "item") else c for c in self.classes],
            "settings": _jsonable(self.settings),  # a copy: callers may edit it
            "best": {**best.to_dict(), "params": _jsonable(self.best_params(best))},
            "comparison": None if self.comparison is None else self.comparison.to_dict(),
            "notes": self.collapsed_baselines(),
            "rows": [r.to_dict() for r in self.ranked()],
        }

    def to_json(self, path: str | os.PathLike[str] | None = None, *, indent: int = 2) -> str:
        """:meth:`to_dict` as JSON text, also written to ``path`` when given."""
        text = json.dumps(_jsonable(self.to_dict()), indent=indent)
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        return text

    def plot(self, metric: str | None = None, *, ax: Any = None, show_std: bool = True) -> Any:
        """Draw ``metric`` (default :attr:`scoring`) against gamma, one line per alpha.

        The baselines are horizontal reference lines; ``show_std`` shades ``mean ± std`` over
        folds.  Returns the matplotlib ``Axes``.  Needs matplotlib (``pip install boostfocal[plot]``).
        """
        from ..plotting import plot_tuning

        return plot_tuning(self, metric, ax=ax, show_std=show_std)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(x) for k, x in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(x) for x in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return repr(obj)
