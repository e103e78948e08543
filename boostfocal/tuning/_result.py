"""The result of :func:`boostfocal.tune`: the rows, the table and JSON report, a snippet.

The statistics (ranking, the choice inside each fold, the corrected test and its power) live in
:mod:`._stats`; this module presents them.
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

from . import _snippet, _stats
from ._engines import FOCAL, LOGLOSS, SPW, estimator_classes, is_focal
from ._metrics import DEFAULT_PRECISION_LEVEL, METRICS, MONEY, TUNED_KEYS, metric_name
from ._metrics import EXTRA as _EXTRA
from ._metrics import greater_is_better as _greater_is_better
from ._search import SPW_POWER
from ._snippet import DataCode
from ._stats import THRESHOLD, Comparison, compare, in_baseline_family, in_focal_family


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
        """Whether this row is one of the baselines (log-loss, log-loss + threshold, balanced CE,
        ``scale_pos_weight``)."""
        return in_baseline_family(self)

    @property
    def is_focal(self) -> bool:
        """A row trained with the focal loss (balanced CE, focal with gamma = 0, counts)."""
        return is_focal(self.kind)

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
        extra = {k: vals for k, vals in self.extra.items() if k != "per_label"}
        if extra:
            out["extra"] = {
                k: [_alpha_json(x) for x in vals] if k == "alpha" else list(vals) for k, vals in extra.items()
            }
        if "per_label" in self.extra:  # multilabel: each metric per label (in the order of "classes")
            per_fold = self.extra["per_label"]
            out["per_label"] = {
                m: {
                    "mean": [float(x) for x in np.nanmean([fold[m] for fold in per_fold], axis=0)],
                    "folds": [[float(x) for x in fold[m]] for fold in per_fold],
                }
                for m in per_fold[0]
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
        money = [m for m in MONEY if m in (self.settings.get("money") or {}).get("metrics", [])]
        base = [*list(METRICS)[:1], *money, *list(METRICS)[1:]]  # money beside PR-AUC
        return ([self.scoring] if self.scoring not in base else []) + base

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
        if metric == "precision_at_budget":
            budget: Any = (self.settings.get("money") or {}).get("alert_budget")
            return f"prec@{budget if isinstance(budget, int) else f'{100 * float(budget):g}%'}"
        if metric in METRICS:
            return METRICS[metric].label
        if metric in MONEY:
            return MONEY[metric].label
        return _EXTRA[metric].label if metric in _EXTRA else metric

    def metric_higher_is_better(self, metric: str) -> bool:
        """Whether a higher value of ``metric`` is better (:attr:`greater_is_better` for any metric)."""
        return _greater_is_better(metric)

    def ranked(self, metric: str | None = None) -> list[ConfigResult]:
        """Rows sorted best first by the mean of ``metric`` over the test folds (default: :attr:`scoring`).

        A description of every configuration, not a test: choosing the best of many means on the
        folds they are measured on is optimistic (the headline chooses inside each fold instead).
        Ties (e.g. focal ``gamma=0, alpha=None``, which is log-loss, against the built-in log-loss)
        go to the simpler model: log-loss, then the other baselines, then focal rows in grid order.
        """
        m = self.scoring if metric is None else metric_name(metric, self.metrics)
        return [self.rows[i] for i in _stats.rank(self.rows, m)]

    @property
    def best(self) -> ConfigResult:
        """The row with the best mean :attr:`scoring` over folds (baselines included)."""
        return self.ranked()[0]

    @property
    def best_focal(self) -> ConfigResult | None:
        """The best focal-loss row with ``gamma > 0`` (``gamma = 0`` is weighted cross-entropy)."""
        focal = [r for r in self.ranked() if in_focal_family(r)]
        return focal[0] if focal else None

    @property
    def best_baseline(self) -> ConfigResult | None:
        """The best of the baselines (log-loss, balanced CE, scale_pos_weight)."""
        base = [r for r in self.ranked() if in_baseline_family(r)]
        return base[0] if base else None

    @property
    def test_train_ratio(self) -> float:
        """Mean over the folds of the test rows over the outer training rows (``n_test / n_train``)."""
        return float(np.mean([te.size / (fit.size + val.size) for fit, val, te in self.splits]))

    @property
    def comparison(self) -> Comparison | None:
        """The headline: focal loss tuned inside each fold against the baseline tuned inside each fold.

        Per outer fold, the focal row (``gamma > 0``) and the baseline with the best score on the
        inner validation split are compared on the test fold; the paired differences go through
        the Nadeau-Bengio corrected t-test (see ``boostfocal.tuning._stats``).  ``None`` without
        a focal row with ``gamma > 0``, without baselines or with a single fold.
        """
        if not self.splits:
            return None
        return compare(
            self.rows,
            self.scoring,
            self.test_train_ratio,
            len(self.splits),
            self.settings.get("folds_per_repeat"),
        )

    def headline(self) -> str:
        """The comparison as text (:meth:`Comparison.summary`), or why there is none."""
        comp = self.comparison
        if comp is not None:
            return "\n".join(
                [
                    comp.summary(),
                    *self._money_note(comp),
                    *self._split_note(),
                    *self._multilabel_note(),
                    *self.collapsed_baselines(),
                ]
            )
        if len(self.splits) < 2:
            return "No comparison: a single fold."
        if self.best_focal is None:
            return "No comparison: the grid has no focal row with gamma > 0."
        if self.best_baseline is None:
            return "No comparison: the baselines were not fitted."
        return "No comparison: no inner validation split to choose the rows by."

    def _money_note(self, comp: Comparison) -> list[str]:
        """The headline in money: the cost of the rows chosen in each fold, summed over its test rows."""
        if "cost" not in self.metrics:
            return []
        by_name = {r.name: r for r in self.rows}
        focal = np.array([by_name[f["focal"]].scores["cost"][i] for i, f in enumerate(comp.folds)])
        base = np.array([by_name[f["baseline"]].scores["cost"][i] for i, f in enumerate(comp.folds)])
        diff = float(np.mean(focal - base))
        side = "less" if diff < 0 else "more"
        costs = (self.settings.get("money") or {}).get("costs") or {}
        unit = "missed frauds at their amount" if costs.get("admin_cost") else "the class costs"
        return [
            f"In money (the Bayes rule on each model's calibrated probability; {unit}, alerts at their cost; "
            f"summed over each test fold): focal loss {float(np.mean(focal)):,.0f}, the baseline "
            f"{float(np.mean(base)):,.0f} per fold on average: focal loss costs {abs(diff):,.0f} {side}."
        ]

    def _split_note(self) -> list[str]:
        """The folds in words and what the corrected test assumes under them."""
        what = self.settings.get("split_description")
        if not what:
            return []
        return [f"Folds: {what}. The corrected t-test {self.settings.get('test_assumes', '')}."]

    def _multilabel_note(self) -> list[str]:
        if not self.multilabel:
            return []
        return [
            f"Multilabel ({len(self.classes)} labels): scores are macro means over the labels (per label in the JSON); "
            "log-loss is the per-label binary log-loss (the focal estimator with gamma=0, alpha=None); "
            "no scale_pos_weight baseline (one weight per label has no built-in form)."
        ]

    def collapsed_baselines(self) -> list[str]:
        """A warning for each baseline that scored less than half the best baseline on a
        higher-is-better scoring metric: a fit that diverged, not a competitor.  The headline's
        baseline is chosen inside each fold on the inner validation split, which rarely picks such
        a row; the note says how often it did."""
        best = self.best_baseline
        if best is None or not self.greater_is_better:
            return []
        top = best.mean(self.scoring)
        comp = self.comparison
        chosen = {} if comp is None else dict(comp.choices("baseline"))
        notes = []
        for r in self.rows:
            if r.is_baseline and r is not best and r.mean(self.scoring) < 0.5 * top:
                picked = ""
                if comp is not None:
                    picked = f" (the headline chose it in {chosen.get(r.name, 0)} of {comp.n_folds} folds)"
                notes.append(
                    f"Note: the {r.name} baseline scored {r.mean(self.scoring):.3f} against {top:.3f} for {best.name}: "
                    f"it diverged here, so it is no fair competitor{picked}."
                )
        return notes

    def baseline(self, kind: str) -> ConfigResult | None:
        """The baseline row ``kind`` (``"log-loss"``, ``"balanced CE"``, ``"scale_pos_weight"``)."""
        for r in self.rows:
            if r.kind == kind:
                return r
        return None

    # ----- the winner as an estimator --------------------------------------------------
    def regularization_choice(self, row: ConfigResult | None = None) -> dict[str, Any]:
        """The candidate chosen most often over the folds for ``row`` (default :attr:`best`); ties
        go to the candidate listed first in the search.  For the ``scale_pos_weight`` row the
        candidates are its own search."""
        row = self.best if row is None else row
        chosen = row.extra.get("regularization")
        if not chosen:
            return {}
        candidates = self.settings.get("regularization") or [{}]
        if row.kind == SPW and self.settings.get("scale_pos_weight_search"):
            candidates = self.settings["scale_pos_weight_search"]
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
        if row.is_focal or self.multilabel:
            # multilabel log-loss: the multilabel focal estimator with gamma = 0, alpha = None
            params["gamma"] = 0.0 if row.gamma is None else row.gamma
            params["alpha"] = row.alpha
            if self.settings["hessian"] != "bounded":
                params["hessian"] = self.settings["hessian"]
        params["n_estimators"] = max(1, round(row.mean("best_iteration")))
        params.update(self.settings["engine_params"])
        choice = self.regularization_choice(row)
        power = float(choice.pop(SPW_POWER, 1.0))
        if row.kind == SPW:
            # the weight chosen in the folds, (n_neg / n_pos) ** power, from the labels of all the data
            params["scale_pos_weight"] = round(float(self.settings["scale_pos_weight_full"]) ** power, 4)
        params.update(choice)
        return params

    def best_estimator(self, row: ConfigResult | None = None) -> Any:
        """An unfitted estimator configured like ``row`` (default :attr:`best`)."""
        row = self.best if row is None else row
        focal_cls, builtin_cls = estimator_classes(self.engine)
        cls = focal_cls if row.is_focal or self.multilabel else builtin_cls
        return cls(**self.best_params(row))

    @property
    def multilabel(self) -> bool:
        """Whether ``y`` was a multilabel indicator matrix (``classes`` are then the label names)."""
        return bool(self.settings.get("multilabel", False))

    def snippet(self, row: ConfigResult | None = None, data: DataCode | str | None = None) -> str:
        """Copy-paste Python that trains ``row`` (default :attr:`best`) on all the data, saves it
        and scores new rows ``X_new`` (see ``boostfocal.tuning._snippet``).

        ``data`` (a ``DataCode``) says how the data are loaded,
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
        deviation (``<metric>_std``), then ``best_iteration``, ``fit_time`` (+ ``_std``),
        ``chosen_focal`` and ``chosen_baseline`` (folds in which the headline chose the row inside
        the fold as its focal row or as its baseline; None outside that family) and ``best`` (True
        on the row with the best mean).

        A description of every configuration: the means are taken over the test folds they are
        ranked by, so the top row's mean is optimistic; the headline (:attr:`comparison`) chooses
        inside each fold instead.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("TuneResult.table needs pandas; use format_table() or to_dict() without it") from exc
        records = []
        best = self.best
        chosen = self.times_chosen()
        any_stopped = any(stopped_early(r, len(self.splits)) for r in self.rows)
        for rank, r in enumerate(self.ranked(), start=1):
            rec: dict[str, Any] = {
                "rank": rank,
                "model": r.kind,
                "gamma": r.gamma,
                "alpha": r.alpha_label if r.is_focal else None,
            }
            for m in [*self.metrics, *_EXTRA]:
                rec[m] = r.mean(m)
                rec[f"{m}_std"] = r.std(m)
            rec["chosen_focal"] = chosen.get(r.name) if in_focal_family(r) else None
            rec["chosen_baseline"] = chosen.get(r.name) if in_baseline_family(r) else None
            rec["best"] = r is best
            if any_stopped:  # folds in which successive halving stopped the row, and at which rounds
                rec["stopped_early"] = stopped_early(r, len(self.splits)) or None
            records.append(rec)
        return pd.DataFrame.from_records(records)

    def times_chosen(self) -> dict[str, int]:
        """For each row of the headline's two families (focal with ``gamma > 0``, baselines): in how
        many folds it was the one chosen inside the fold (empty without a comparison)."""
        comp = self.comparison
        if comp is None:
            return {}
        out = {r.name: 0 for r in self.rows if in_focal_family(r) or in_baseline_family(r)}
        for family in ("focal", "baseline"):
            out.update(dict(comp.choices(family)))
        return out

    def table_caption(self) -> str:
        """What the table is: a description of every configuration, not the test; after a budgeted
        search, preceded by a line saying what was raced (``settings["search"]``)."""
        n = len(self.splits)
        search = str(self.settings.get("search", ""))
        return (search + "\n" if search.startswith("Budgeted") else "") + (
            f"Every configuration, mean ± std over the {n} outer test folds (a description: the top row's mean "
            "is optimistic, being the best of several measured on the same folds; 'chosen focal' and 'chosen "
            "baseline' count the folds in which the headline picked the row, on the inner validation split, as "
            "its focal model or as its baseline: each column sums to the number of folds)"
        )

    def format_table(self, metrics: Sequence[str] | None = None) -> str:
        """The table as fixed-width text: best mean first, ``*`` on it, ``mean ± std`` cells, and
        ``chosen``: in how many folds the headline chose the row inside the fold (see
        :meth:`table_caption`)."""
        cols = list(self.metrics if metrics is None else [metric_name(m, self.metrics) for m in metrics])
        cols += list(_EXTRA)
        label = self.metric_label

        def cell(r: ConfigResult, m: str) -> str:
            spec = {**METRICS, **MONEY, **_EXTRA}[m].fmt if m in {**METRICS, **MONEY, **_EXTRA} else ".4f"
            if stopped.get(r.name) and np.isnan(r.mean(m)):
                return "stopped"
            if m in _EXTRA:
                return format(r.mean(m), spec)
            return f"{r.mean(m):{spec}} ± {r.std(m):{spec}}"

        chosen = self.times_chosen()
        n = len(self.splits)
        stopped = {r.name: stopped_early(r, n) for r in self.rows}
        header = ["", "rank", "model", "gamma", "alpha", *[label(m) for m in cols]]
        if chosen:
            header += ["chosen focal", "chosen baseline"]
        if any(stopped.values()):
            header.append("stopped early")
        body = []
        best = self.best
        for rank, r in enumerate(self.ranked(), start=1):
            body.append(
                [
                    "*" if r is best else "",
                    str(rank),
                    r.kind,
                    "-" if r.gamma is None else f"{r.gamma:g}",
                    r.alpha_label,
                    *[cell(r, m) for m in cols],
                    *(_chosen_cells(r, chosen, n) if chosen else []),
                    *([stopped[r.name] or "-"] if any(stopped.values()) else []),
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


def add_threshold_row(rows: list[ConfigResult], scoring: str) -> list[ConfigResult]:
    """``rows`` with, after the log-loss row, the ``log-loss + threshold`` row its fits reported
    under :data:`~._metrics.TUNED_KEYS` (the same model deciding with a threshold tuned on the
    inner validation split), those keys removed from the log-loss row; ``rows`` unchanged when
    the log-loss row carries none."""
    out: list[ConfigResult] = []
    for r in rows:
        out.append(r)
        if r.kind != LOGLOSS or TUNED_KEYS[0] not in r.scores:
            continue
        savings_t, cost_t, val_t, scale_t = (r.scores.pop(k) for k in TUNED_KEYS)
        tuned = ConfigResult(THRESHOLD, None, None, {k: list(v) for k, v in r.scores.items()})
        tuned.scores["savings"], tuned.scores["cost"] = savings_t, cost_t
        tuned.extra = {k: list(v) for k, v in r.extra.items()}
        tuned.extra["threshold_scale"] = scale_t
        if scoring == "savings":  # chosen by its savings on the split its threshold was tuned on
            tuned.extra["validation_score"] = val_t
        out.append(tuned)
    return out


def _chosen_cells(row: ConfigResult, chosen: dict[str, int], n: int) -> list[str]:
    """The two ``chosen`` cells of a table row: as the focal model, as the baseline."""
    k = f"{chosen[row.name]}/{n}" if row.name in chosen else "-"
    return [k if in_focal_family(row) else "", k if in_baseline_family(row) else ""]


def stopped_early(row: ConfigResult, n_folds: int) -> str:
    """``"3/3 at 50"``: in how many folds successive halving stopped the row, and at which rounds
    (``extra["stopped_early"]``); ``""`` when it finished in every fold."""
    marks = [m for m in row.extra.get("stopped_early", []) if m is not None]
    if not marks:
        return ""
    return f"{len(marks)}/{n_folds} at {'/'.join(str(m) for m in sorted(set(marks)))}"


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
