"""Cross-validated tuning of the focal-loss parameters gamma and alpha, against the usual baselines.

:func:`tune` fits one model per ``(gamma, alpha)`` configuration on every cross-validation fold,
plus three baselines in the *same* folds:

- ``log-loss``: the engine's built-in objective (``binary`` / ``binary:logistic``, or the
  multiclass softmax);
- ``balanced CE``: class-balanced cross-entropy, i.e. focal loss with ``gamma = 0`` and
  ``alpha = "balanced"`` (inverse-frequency class weights of the inner training split);
- ``scale_pos_weight``: the built-in objective with ``scale_pos_weight = n_neg / n_pos`` of the
  inner training split (binary only; for multiclass labels balanced CE takes its place).

Protocol, per outer fold (stratified; ``cv`` folds, or any scikit-learn splitter):

1. the outer training part is split again, stratified, into an inner training split and an inner
   validation split (``validation_fraction`` of it);
2. every model is fitted on the inner training split -- ``alpha = "balanced"`` weights and
   ``scale_pos_weight`` are computed from its labels only -- and early-stopped on the inner
   validation split by its *own* objective (focal models on their focal loss, the log-loss
   baseline on log-loss, the ``scale_pos_weight`` baseline on log-loss weighted the same way);
3. the test fold is used for nothing but the final scores.

Scores on the test fold, from the recovered class posterior (``predict_proba`` of the focal
estimators, see :meth:`boostfocal.BinaryFocalLoss.posterior`):

- ``average_precision`` (PR-AUC): ``AP = sum_n (R_n - R_{n-1}) P_n`` over the thresholds of the
  score (scikit-learn's ``average_precision_score``); multiclass: the macro mean of the
  one-vs-rest APs.
- ``roc_auc``: area under the ROC curve; multiclass: macro mean of one-vs-rest AUCs.
- ``recall_at_precision``: ``max { recall(t) : precision(t) >= precision_level }`` over all
  thresholds ``t`` (0 if no threshold reaches that precision); multiclass: macro mean.
- ``log_loss``: ``-(1/n) sum_i log P(y_i | x_i)`` (probabilities clipped below at 1e-15).
- ``brier``: binary ``(1/n) sum_i (P(y=1 | x_i) - y_i)^2``; multiclass
  ``(1/n) sum_i sum_k (P(y=k | x_i) - [y_i = k])^2``.
- ``best_iteration`` (trees kept by early stopping) and ``fit_time`` (seconds in ``fit``).

The ``scale_pos_weight`` baseline's margin is shifted back by ``-log(scale_pos_weight)`` before the
probability metrics (the prior-shift correction that is exact for weighted log-loss), just as the
focal estimators undo their ``alpha`` weighting: otherwise its log-loss and Brier score would
measure the weighting, not the model.

Nothing in this module imports matplotlib or pandas at import time: :meth:`TuneResult.plot`
needs the ``plot`` extra, :attr:`TuneResult.table` needs pandas.
"""

from __future__ import annotations

import inspect
import json
import math
import numbers
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray

from . import _validation as v
from ._numeric import sigmoid as _sigmoid

__all__ = [
    "DEFAULT_ALPHAS",
    "DEFAULT_GAMMAS",
    "ENGINES",
    "METRICS",
    "ConfigResult",
    "TuneResult",
    "recall_at_precision",
    "tune",
]

#: Engines :func:`tune` can drive.
ENGINES = ("lightgbm", "xgboost")
#: Default grid of focusing parameters.
DEFAULT_GAMMAS: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0)
#: Default grid of class weights: none, the paper's 0.25 (binary only), inverse frequency.
DEFAULT_ALPHAS: tuple[Any, ...] = (None, 0.25, "balanced")

# Defaults chosen so that ``boostfocal tune`` on the built-in 100k-row data finishes in well under
# two minutes on two cores (measured by benchmarks/tune_default_time.py).
DEFAULT_CV = 3
DEFAULT_N_ESTIMATORS = 300
DEFAULT_EARLY_STOPPING_ROUNDS = 30
DEFAULT_LEARNING_RATE = 0.1
DEFAULT_VALIDATION_FRACTION = 0.2
DEFAULT_PRECISION_LEVEL = 0.5

#: Kinds of row in the result table.
FOCAL, LOGLOSS, BALANCED, SPW = "focal", "log-loss", "balanced CE", "scale_pos_weight"
BASELINES = (LOGLOSS, BALANCED, SPW)


@dataclass(frozen=True)
class _Metric:
    label: str
    greater_is_better: bool
    fmt: str


#: Score columns, in table order: name -> (printed label, higher is better, number format).
METRICS: dict[str, _Metric] = {
    "average_precision": _Metric("PR-AUC", True, ".3f"),
    "roc_auc": _Metric("ROC-AUC", True, ".3f"),
    "recall_at_precision": _Metric("recall@P", True, ".3f"),
    "log_loss": _Metric("log-loss", False, ".4f"),
    "brier": _Metric("Brier", False, ".4f"),
}
_EXTRA = {
    "best_iteration": _Metric("trees", False, ".0f"),
    "fit_time": _Metric("fit s", False, ".2f"),
}
_RANK_METRICS = ("average_precision", "roc_auc", "recall_at_precision")
_ALIASES = {"pr_auc": "average_precision", "ap": "average_precision", "auc": "roc_auc", "logloss": "log_loss"}


# --------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------


def _pr_curve(y_true: Any, score: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Precision and recall at every distinct threshold, highest threshold first.

    The same points as scikit-learn's ``precision_recall_curve`` (ties in ``score`` are flagged
    together), without its checks and its final ``(recall 0, precision 1)`` point.
    """
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(score, dtype=np.float64)
    order = np.argsort(-s)  # ties are grouped below, so the order within a tie does not matter
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]  # last index of each run of equal scores
    tps = np.cumsum(y)[last].astype(np.float64)
    precision = tps / (last + 1.0)
    recall = tps / tps[-1] if tps[-1] > 0 else np.zeros_like(tps)
    return precision, recall


def average_precision(y_true: Any, score: Any) -> float:
    """Average precision (PR-AUC): ``AP = sum_n (R_n - R_{n-1}) P_n`` over the distinct thresholds.

    ``P_n`` and ``R_n`` are the precision and recall when every sample scoring at least the n-th
    highest distinct score is flagged, ``R_0 = 0``.  Equal to scikit-learn's
    ``average_precision_score`` (tested), a few times faster.  ``nan`` when there is no positive.
    """
    y = np.asarray(y_true).astype(bool)
    if not y.any():
        return float("nan")
    precision, recall = _pr_curve(y, score)
    return float(np.sum(np.diff(recall, prepend=0.0) * precision))


def recall_at_precision(y_true: Any, score: Any, precision_level: float = DEFAULT_PRECISION_LEVEL) -> float:
    """Highest recall over all thresholds whose precision is at least ``precision_level``.

    .. math::

        R@P(\\pi) = \\max \\{ \\mathrm{recall}(t) : \\mathrm{precision}(t) \\ge \\pi \\},
        \\quad \\mathrm{precision}(t) = \\frac{TP(t)}{TP(t) + FP(t)},
        \\quad \\mathrm{recall}(t) = \\frac{TP(t)}{TP(t) + FN(t)}

    where a sample is flagged positive when ``score >= t``.  Returns 0 when no threshold reaches
    the precision (and when ``y_true`` has no positives).  Ties in ``score`` are flagged together.

    >>> recall_at_precision([0, 1, 1, 0, 1], [0.1, 0.9, 0.8, 0.7, 0.2], 0.9)
    0.6666666666666666
    """
    y = np.asarray(y_true).astype(bool)
    if not y.any():
        return 0.0
    precision, recall = _pr_curve(y, score)
    ok = precision >= precision_level
    return float(recall[ok].max()) if np.any(ok) else 0.0


def _per_class(y: NDArray[np.intp], proba: NDArray[np.float64], fn: Callable[[Any, Any], float]) -> float:
    """``fn`` on the positive class (binary) or its macro mean over one-vs-rest problems."""
    k = proba.shape[1]
    if k == 2:
        return float(fn(y == 1, proba[:, 1]))
    values = [fn(y == c, proba[:, c]) for c in range(k) if np.any(y == c) and not np.all(y == c)]
    return float(np.mean(values)) if values else float("nan")


def _roc_auc(y: Any, score: Any) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y).astype(bool)
    if y.all() or not y.any():
        return float("nan")
    return float(roc_auc_score(y, score))


def _score(
    metric: str,
    y: NDArray[np.intp],
    proba: NDArray[np.float64],
    precision_level: float,
    scoring_fn: Callable[..., float] | None = None,
) -> float:
    """One metric (a :data:`METRICS` name, or ``scoring_fn``) for encoded labels and ``(n, K)`` probabilities."""
    if metric == "average_precision":
        return _per_class(y, proba, average_precision)
    if metric == "roc_auc":
        return _per_class(y, proba, _roc_auc)
    if metric == "recall_at_precision":
        return _per_class(y, proba, lambda t, s: recall_at_precision(t, s, precision_level))
    n = proba.shape[0]
    rows = np.arange(n)
    if metric == "log_loss":
        return float(-np.mean(np.log(np.clip(proba[rows, y], 1e-15, 1.0))))
    if metric == "brier":
        if proba.shape[1] == 2:
            return float(np.mean((proba[:, 1] - (y == 1)) ** 2))
        onehot = np.zeros_like(proba)
        onehot[rows, y] = 1.0
        return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))
    assert scoring_fn is not None, metric
    return float(scoring_fn(y, proba))


# --------------------------------------------------------------------------------------
# Configurations and results
# --------------------------------------------------------------------------------------


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
    ``best_iteration``, ``fit_time``) to its per-fold values; ``extra`` holds per-fold details
    (``scale_pos_weight``, the resolved ``alpha``).
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

    def mean(self, metric: str) -> float:
        """Mean over folds of ``metric``."""
        return float(np.mean(self.scores[metric]))

    def std(self, metric: str) -> float:
        """Sample standard deviation (``ddof=1``) over folds of ``metric`` (0 for a single fold)."""
        values = self.scores[metric]
        return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data: name, kind, gamma, alpha, and each score's mean, std and fold values."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "gamma": self.gamma,
            "alpha": _alpha_json(self.alpha),
        }
        for m in self.scores:
            out[m] = {"mean": self.mean(m), "std": self.std(m), "folds": [float(x) for x in self.scores[m]]}
        if self.extra:
            out["extra"] = {k: [_alpha_json(x) for x in vals] for k, vals in self.extra.items()}
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
        return METRICS[self.scoring].greater_is_better if self.scoring in METRICS else True

    def ranked(self, metric: str | None = None) -> list[ConfigResult]:
        """Rows sorted best first by the mean of ``metric`` (default: :attr:`scoring`).

        Ties (e.g. focal ``gamma=0, alpha=None``, which is log-loss, against the built-in log-loss)
        go to the simpler model: log-loss, then the other baselines, then focal rows in grid order.
        """
        m = self.scoring if metric is None else _metric_name(metric, self.metrics)
        if m in METRICS:
            higher = METRICS[m].greater_is_better
        else:
            higher = m not in _EXTRA  # a custom scoring function is higher-is-better
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
        """The best focal-loss configuration (balanced CE counts, the built-in baselines do not)."""
        focal = [r for r in self.ranked() if r.kind in (FOCAL, BALANCED)]
        return focal[0] if focal else None

    def baseline(self, kind: str) -> ConfigResult | None:
        """The baseline row ``kind`` (``"log-loss"``, ``"balanced CE"``, ``"scale_pos_weight"``)."""
        for r in self.rows:
            if r.kind == kind:
                return r
        return None

    # ----- the winner as an estimator --------------------------------------------------
    def best_params(self, row: ConfigResult | None = None) -> dict[str, Any]:
        """Keyword arguments of the estimator that trains ``row`` (default :attr:`best`) on all data.

        ``n_estimators`` is the mean best iteration over the folds (at least 1), since there is
        no validation split to early-stop on when training on everything.
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
        return params

    def best_estimator(self, row: ConfigResult | None = None) -> Any:
        """An unfitted estimator configured like ``row`` (default :attr:`best`)."""
        row = self.best if row is None else row
        focal_cls, builtin_cls = _estimator_classes(self.engine)
        cls = focal_cls if row.kind in (FOCAL, BALANCED) else builtin_cls
        return cls(**self.best_params(row))

    def snippet(self, row: ConfigResult | None = None, data: str | None = None) -> str:
        """Copy-paste Python that trains ``row`` (default :attr:`best`) on ``X, y``.

        ``data`` replaces the placeholder line that says where ``X, y`` come from.
        """
        row = self.best if row is None else row
        params = self.best_params(row)
        focal = row.kind in (FOCAL, BALANCED)
        binary = len(self.classes) == 2
        lines: list[str] = []
        if self.engine == "lightgbm":
            module, cls = ("boostfocal.lightgbm", "FocalLGBMClassifier") if focal else ("lightgbm", "LGBMClassifier")
        else:
            module, cls = ("boostfocal.xgboost", "FocalXGBClassifier") if focal else ("xgboost", "XGBClassifier")
        lines.append(f"from {module} import {cls}")
        if row.kind == SPW:
            lines.insert(0, "import numpy as np")
            lines.append("import boostfocal as bf")
        data_lines = (data or "# X, y = ...  (your training data)").splitlines()
        imports = [ln for ln in data_lines if ln.startswith(("import ", "from "))]
        lines = sorted(set(lines + imports), key=lambda ln: (not ln.startswith("import "), ln))
        lines.append("")
        lines.extend(ln for ln in data_lines if ln not in imports and (ln or lines[-1]))
        lines.append(f"model = {cls}(")
        for key, value in params.items():
            comment = "  # mean best iteration over the CV folds" if key == "n_estimators" else ""
            if key == "scale_pos_weight":
                comment = "  # n_neg / n_pos of the training labels"
            lines.append(f"    {key}={value!r},{comment}")
        lines.append(")")
        lines.append("model.fit(X, y)")
        if row.kind == SPW:
            raw = "raw_score=True" if self.engine == "lightgbm" else "output_margin=True"
            lines.append("# undo the weighting: P(y=1|x) = sigmoid(margin - log(scale_pos_weight))")
            lines.append(f"proba = bf.sigmoid(model.predict(X_new, {raw}) - np.log({params['scale_pos_weight']!r}))")
        elif binary:
            what = "recovered posterior" if focal else "probability"
            lines.append(f"proba = model.predict_proba(X_new)[:, 1]  # {what} P(y=1 | x)")
        else:
            what = "recovered class posteriors" if focal else "class probabilities"
            lines.append(f"proba = model.predict_proba(X_new)  # {what}, shape (n, {len(self.classes)})")
        return "\n".join(lines)

    # ----- presentation --------------------------------------------------------------------
    def fold_scores(self, metric: str | None = None) -> dict[str, NDArray[np.float64]]:
        """Per-fold values of ``metric`` (default :attr:`scoring`) by row name: paired across rows."""
        m = self.scoring if metric is None else _metric_name(metric, self.metrics)
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
        cols = list(self.metrics if metrics is None else [_metric_name(m, self.metrics) for m in metrics])
        cols += list(_EXTRA)
        level = self.settings.get("precision_level", DEFAULT_PRECISION_LEVEL)

        def label(m: str) -> str:
            if m == "recall_at_precision":
                return f"recall@P>={level:g}"
            if m in METRICS:
                return METRICS[m].label
            return _EXTRA[m].label if m in _EXTRA else m

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
            "settings": self.settings,
            "best": {**best.to_dict(), "params": _jsonable(self.best_params(best))},
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
        from .plotting import plot_tuning

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


def _metric_name(metric: str, allowed: Iterable[str] = ()) -> str:
    m = _ALIASES.get(metric, metric)
    allowed = list(allowed) or list(METRICS)
    if m not in allowed and m not in _EXTRA:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(allowed)}")
    return m


# --------------------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------------------


def _estimator_classes(engine: str) -> tuple[type, type]:
    """``(focal estimator class, built-in estimator class)`` of ``engine``, imported on demand."""
    try:
        if engine == "lightgbm":
            import lightgbm

            from .lightgbm import FocalLGBMClassifier

            return FocalLGBMClassifier, lightgbm.LGBMClassifier
        import xgboost

        from .xgboost import FocalXGBClassifier

        return FocalXGBClassifier, xgboost.XGBClassifier
    except ImportError as exc:
        raise ImportError(f"engine={engine!r} needs the {engine} package: pip install boostfocal[{engine}]") from exc


def _engine_version(engine: str) -> str:
    try:
        module = __import__(engine)
        return str(getattr(module, "__version__", "?"))
    except ImportError:  # pragma: no cover
        return "not installed"


def _threads(n_jobs: int | None) -> int | None:
    """Engine threads from a joblib-style ``n_jobs`` (``-1`` = all cores, ``-2`` = all but one)."""
    if n_jobs is None:
        return None
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    if n_jobs == 0:
        raise ValueError("n_jobs must be a positive integer, a negative one (-1 = all cores) or None, got 0")
    return int(n_jobs)


def _take(X: Any, idx: NDArray[np.intp]) -> Any:
    return X.iloc[idx] if hasattr(X, "iloc") else X[idx]


def _to_proba(pred: Any, kind: str, est: Any, spw: float) -> NDArray[np.float64]:
    """Class probabilities ``(n, K)`` from what an engine hands an eval metric during training.

    Focal models hand over raw margins (including the initial score): their posterior is
    ``est.loss_.posterior``.  The built-in objectives hand over probabilities; for
    ``scale_pos_weight`` the weighting is undone by ``logit P = logit p - log(spw)``.
    """
    arr = np.asarray(pred, dtype=np.float64)
    if kind in (FOCAL, BALANCED):
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        p = est.loss_.posterior(arr)
    elif kind == SPW:
        with np.errstate(divide="ignore"):
            logit = np.log(arr) - np.log1p(-arr)
        p = _sigmoid(logit - math.log(spw))
    else:
        p = arr
    return np.column_stack([1.0 - p, p]) if p.ndim == 1 else p


class _ValidationScore:
    """Eval metric for early stopping: a tuner metric of the recovered probabilities.

    Every model is early-stopped by the same criterion, read off its recovered class posterior on
    the inner validation split (unweighted), so each gets the number of trees that is best for
    the metric being tuned.  A small class (not a closure) so that estimators stay picklable.
    LightGBM gets ``(name, value, is_higher_better)``; XGBoost a value to minimise.
    """

    def __init__(
        self,
        engine: str,
        metric: str,
        greater_is_better: bool,
        kind: str,
        precision_level: float,
        scoring_fn: Callable[..., float] | None = None,
        spw: float = 1.0,
    ) -> None:
        self.engine = engine
        self.metric = metric
        self.greater_is_better = greater_is_better
        self.kind = kind
        self.precision_level = precision_level
        self.scoring_fn = scoring_fn
        self.spw = spw
        self.est: Any = None  # the focal estimator whose ``loss_`` gives the posterior

    @property
    def __name__(self) -> str:  # XGBoost names a callable metric by its __name__
        return f"valid_{self.metric}"

    def __call__(self, y_true: Any, y_pred: Any, *rest: Any) -> tuple[str, float, bool] | float:
        y = np.asarray(y_true).astype(np.intp)
        pred = np.asarray(y_pred, dtype=np.float64)
        if self.metric in _RANK_METRICS and (pred.ndim == 1 or pred.shape[1] == 1):
            # binary: the recovered posterior is increasing in the margin, so ranks need no recovery
            score = pred.reshape(-1)
            proba = np.column_stack([-score, score])
        else:
            proba = _to_proba(pred, self.kind, self.est, self.spw)
        value = _score(self.metric, y, proba, self.precision_level, self.scoring_fn)
        if math.isnan(value):
            value = -np.inf if self.greater_is_better else np.inf
        if self.engine == "lightgbm":
            return self.__name__, value, self.greater_is_better
        return -value if self.greater_is_better else value


class _LGBEarlyStopping:
    """LightGBM callback: stop when the metric ``name`` has not improved for ``rounds`` rounds.

    (``lightgbm.early_stopping`` watches the first or every metric; the focal estimators always
    report their own loss first.)  Keeps the best iteration when training runs to the end, too.
    """

    order = 30

    def __init__(self, name: str, rounds: int) -> None:
        self.name = name
        self.rounds = rounds
        self.best_iter = -1
        self.best_value = 0.0
        self.best_list: Any = None

    def __call__(self, env: Any) -> None:
        import lightgbm as lgb

        item = next(r for r in env.evaluation_result_list if r[1] == self.name)
        value, higher = float(item[2]), bool(item[3])
        if env.iteration == env.begin_iteration:
            self.best_iter, self.best_value, self.best_list = -1, 0.0, None
        if self.best_iter < 0 or (value > self.best_value if higher else value < self.best_value):
            self.best_iter, self.best_value, self.best_list = env.iteration, value, env.evaluation_result_list
        elif env.iteration - self.best_iter >= self.rounds:
            raise lgb.callback.EarlyStopException(self.best_iter, self.best_list)
        if env.iteration == env.end_iteration - 1:
            raise lgb.callback.EarlyStopException(self.best_iter, self.best_list)


def _lgb_fit(est: Any, X: Any, y: Any, valid: tuple[Any, Any, Any] | None, stop: Any, rounds: int) -> None:
    """Fit a LightGBM estimator, early-stopping on ``valid = (X, y, weight)`` when given.

    ``stop`` is a :class:`_ValidationScore` to stop on, or ``None`` to stop on the model's own
    objective (its first metric); ``rounds`` is the patience.
    """
    import lightgbm as lgb

    kwargs: dict[str, Any] = {}
    if valid is not None:
        Xv, yv, wv = valid
        if "eval_X" in inspect.signature(lgb.LGBMClassifier.fit).parameters:  # LightGBM >= 4.7
            kwargs.update(eval_X=(Xv,), eval_y=(yv,))
        else:  # pragma: no cover - older LightGBM
            kwargs["eval_set"] = [(Xv, yv)]
        if wv is not None:
            kwargs["eval_sample_weight"] = [wv]
        if isinstance(stop, _ValidationScore):
            kwargs["eval_metric"] = [stop]
            kwargs["callbacks"] = [_LGBEarlyStopping(stop.__name__, rounds)]
        else:
            kwargs["callbacks"] = [lgb.early_stopping(rounds, first_metric_only=True, verbose=False)]
    est.fit(X, y, **kwargs)


def _xgb_fit(est: Any, X: Any, y: Any, valid: tuple[Any, Any, Any] | None, stop: Any, rounds: int) -> None:
    """Fit an XGBoost estimator (``early_stopping_rounds`` and ``eval_metric`` are set on it)."""
    kwargs: dict[str, Any] = {"verbose": False}
    if valid is not None:
        Xv, yv, wv = valid
        kwargs["eval_set"] = [(Xv, yv)]
        if wv is not None:
            kwargs["sample_weight_eval_set"] = [wv]
    est.fit(X, y, **kwargs)


def _best_iteration(est: Any, engine: str, n_estimators: int) -> int:
    """Trees the fitted model predicts with (after early stopping)."""
    if engine == "lightgbm":
        best = getattr(est, "best_iteration_", None)
        return int(best) if best else int(getattr(est, "n_estimators_", n_estimators))
    try:
        best = est.best_iteration
    except AttributeError:
        best = None
    return int(best) + 1 if best is not None else n_estimators


def _margin(est: Any, engine: str, X: Any) -> NDArray[np.float64]:
    if engine == "lightgbm":
        return np.asarray(est.predict(X, raw_score=True), dtype=np.float64)
    return np.asarray(est.predict(X, output_margin=True), dtype=np.float64)


# --------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------


class _Progress:
    """A dependency-free progress bar on ``stream`` (stderr).

    On a terminal the line is redrawn in place (at most 10 times a second); elsewhere (logs, CI) a
    line is written at every tenth of the work.  Nothing is shown for runs shorter than ``delay``
    seconds.
    """

    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None, delay: float = 1.0) -> None:
        self.total = max(total, 1)
        self.enabled = enabled
        self.stream = sys.stderr if stream is None else stream
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.delay = delay
        self.start = time.perf_counter()
        self.done = 0
        self.shown = False
        self.last_draw = 0.0
        self.last_decile = 0

    @staticmethod
    def _clock(seconds: float) -> str:
        s = round(seconds)
        return f"{s // 60}:{s % 60:02d}"

    def update(self, what: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        now = time.perf_counter()
        elapsed = now - self.start
        if elapsed < self.delay and self.done < self.total:
            return
        decile = 10 * self.done // self.total
        if self.tty:
            if now - self.last_draw < 0.1 and self.done < self.total:
                return
        elif decile == self.last_decile and self.done < self.total:
            return
        self.last_draw, self.last_decile = now, decile
        width = 24
        filled = width * self.done // self.total
        eta = elapsed / self.done * (self.total - self.done)
        line = (
            f"tune [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} fits, "
            f"{self._clock(elapsed)} elapsed, ~{self._clock(eta)} left  {what}"
        )
        if self.tty:
            self.stream.write("\r" + line[:118].ljust(118))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.enabled and self.shown and self.tty:
            self.stream.write("\n")
            self.stream.flush()


# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------


def _check_X(X: Any, n: int) -> Any:
    if hasattr(X, "iloc") and hasattr(X, "dtypes"):  # pandas DataFrame
        bad = [str(c) for c, dt in X.dtypes.items() if dt.kind in "OSUMm"]
        if bad:
            raise ValueError(
                f"X has non-numeric columns {', '.join(bad[:5])}{' ...' if len(bad) > 5 else ''}: "
                "encode them as numbers (or as pandas 'category') or drop them"
            )
        out = X
    elif hasattr(X, "tocsr"):  # scipy sparse
        out = X.tocsr()
    else:
        try:
            out = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError("X must be numeric: an array, a DataFrame of numbers or a sparse matrix") from None
        if out.ndim != 2:
            raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got shape {out.shape}")
    if out.shape[0] != n:
        raise ValueError(f"X has {out.shape[0]} rows but y has {n} labels")
    return out


def _check_y(y: Any) -> tuple[NDArray[Any], NDArray[np.intp]]:
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-dimensional, got shape {arr.shape}")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"y contains {int(np.isnan(arr).sum())} missing (NaN) labels")
    if arr.dtype.kind == "O" and any(x is None or (isinstance(x, float) and math.isnan(x)) for x in arr):
        raise ValueError("y contains missing labels")
    classes, y_enc = np.unique(arr, return_inverse=True)
    if classes.size < 2:
        raise ValueError(f"y has a single class ({classes[0]!r}): there is nothing to classify")
    return classes, y_enc.astype(np.intp)


def _check_gammas(gammas: Iterable[Any]) -> list[float]:
    out: list[float] = []
    for g in gammas:
        val = v.check_gamma(g)
        if val not in out:
            out.append(val)
    return out


def _check_alphas(alphas: Iterable[Any], n_classes: int) -> tuple[list[Any], list[Any]]:
    """Valid alphas for this problem, and the scalar ones skipped because the labels are multiclass."""
    out: list[Any] = []
    skipped: list[Any] = []
    for a in alphas:
        if isinstance(a, str):
            if a.lower() != "balanced":
                raise ValueError(f"alpha must be None, a number in (0, 1), a sequence or 'balanced', got {a!r}")
            a = "balanced"
        elif a is None:
            pass
        elif isinstance(a, numbers.Real):
            a = v.check_binary_alpha(a)
            if n_classes > 2:
                skipped.append(a)
                continue
        else:
            if n_classes == 2:
                raise ValueError(f"alpha {a!r}: a binary problem takes None, a number in (0, 1) or 'balanced'")
            a = v.check_multiclass_alpha(a, n_classes)
        if a not in out:
            out.append(a)
    return out, skipped


def _resolve_scoring(scoring: str | Callable[..., float]) -> tuple[str, Callable[..., float] | None]:
    if callable(scoring):
        name = getattr(scoring, "__name__", "score")
        if name in METRICS or name in _EXTRA or name == "<lambda>":
            name = "custom_score"
        return name, scoring
    if not isinstance(scoring, str):
        raise TypeError(f"scoring must be a metric name or a callable, got {type(scoring).__name__}")
    return _metric_name(scoring), None


def _make_splits(
    cv: Any, X: Any, y_enc: NDArray[np.intp], seed: int
) -> list[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    from sklearn.model_selection import StratifiedKFold

    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds, got {cv}")
        counts = np.bincount(y_enc)
        if counts.min() < cv:
            raise ValueError(
                f"the rarest class has only {counts.min()} samples: cv={cv} stratified folds need at least {cv}"
            )
        splitter: Any = StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=seed)
    elif hasattr(cv, "split"):
        splitter = cv
    else:
        raise TypeError(f"cv must be an int >= 2 or a scikit-learn splitter, got {cv!r}")
    dummy = np.zeros((y_enc.shape[0], 1))
    splits = [(np.asarray(tr, dtype=np.intp), np.asarray(te, dtype=np.intp)) for tr, te in splitter.split(dummy, y_enc)]
    if not splits:
        raise ValueError("cv produced no folds")
    return splits


def _inner_split(
    train: NDArray[np.intp], y_enc: NDArray[np.intp], fraction: float, seed: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    from sklearn.model_selection import StratifiedShuffleSplit

    k = int(y_enc.max()) + 1
    counts = np.bincount(y_enc[train], minlength=k)
    if counts.min() < 2:
        raise ValueError(
            f"a training fold holds only {counts.min()} sample(s) of its rarest class: too few to set aside an "
            "inner validation split for early stopping (use fewer folds or early_stopping_rounds=None)"
        )
    sss = StratifiedShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
    try:
        fit_pos, val_pos = next(sss.split(np.zeros((train.size, 1)), y_enc[train]))
    except ValueError as exc:
        raise ValueError(f"cannot make the inner validation split: {exc}") from None
    return train[np.sort(fit_pos)], train[np.sort(val_pos)]


# --------------------------------------------------------------------------------------
# The tuner
# --------------------------------------------------------------------------------------


def tune(
    X: Any,
    y: Any,
    *,
    engine: str = "lightgbm",
    gammas: Iterable[float] = DEFAULT_GAMMAS,
    alphas: Iterable[Any] = DEFAULT_ALPHAS,
    baselines: bool = True,
    cv: int | Any = DEFAULT_CV,
    scoring: str | Callable[..., float] = "average_precision",
    n_estimators: int = DEFAULT_N_ESTIMATORS,
    early_stopping_rounds: int | None = DEFAULT_EARLY_STOPPING_ROUNDS,
    early_stopping_metric: str | None = None,
    validation_fraction: float = DEFAULT_VALIDATION_FRACTION,
    precision_level: float = DEFAULT_PRECISION_LEVEL,
    hessian: str = "bounded",
    random_state: int | None = 0,
    n_jobs: int | None = -1,
    progress: bool = True,
    **engine_params: Any,
) -> TuneResult:
    """Cross-validate focal loss over a grid of ``gamma`` and ``alpha`` against three baselines.

    Parameters
    ----------
    X : array-like (n_samples, n_features), pandas DataFrame or scipy sparse matrix
        Numeric features; missing values are fine (both engines handle NaN).
    y : array-like (n_samples,)
        Class labels of any type; two classes give the binary losses, more the softmax ones.
    engine : {"lightgbm", "xgboost"}
    gammas : iterable of float >= 0, default (0, 0.5, 1, 2, 3, 5)
    alphas : iterable, default (None, 0.25, "balanced")
        ``None`` (no class weighting), a float in (0, 1) (weight of the positive class; binary
        only, skipped with a warning for multiclass labels), a sequence of per-class weights
        (multiclass), or ``"balanced"`` (inverse class frequencies of each inner training split).
    baselines : bool, default True
        Also fit the engine's log-loss, balanced cross-entropy and ``scale_pos_weight`` (binary)
        in the same folds.
    cv : int or scikit-learn splitter, default 3
        Number of stratified, shuffled folds, or any object with ``split(X, y)`` (e.g.
        ``RepeatedStratifiedKFold`` for repeated CV).
    scoring : str or callable, default "average_precision"
        Metric that picks the best row: ``"average_precision"`` (alias ``"pr_auc"``),
        ``"roc_auc"``, ``"recall_at_precision"``, ``"log_loss"``, ``"brier"`` (the last two lower
        is better), or ``f(y_true, proba) -> float`` (higher is better; ``y_true`` encoded
        0..K-1, ``proba`` of shape (n, K)).
    n_estimators : int, default 300
        Maximum number of boosting rounds.
    early_stopping_rounds : int or None, default 30
        Patience on the inner validation split.  ``None`` trains every round on the whole outer
        training part (no inner split).
    early_stopping_metric : str or None, default None
        What every model is early-stopped on, on the inner validation split.  ``None``: the
        ``scoring`` metric of its recovered posterior (so each model gets the number of trees best
        for what is being tuned, by one criterion for all); another metric name likewise; or
        ``"objective"``: each model's own training loss (focal loss with its alpha, log-loss, or
        log-loss weighted by ``scale_pos_weight``).
    validation_fraction : float in (0, 1), default 0.2
        Share of each outer training part set aside, stratified, for early stopping.
    precision_level : float in (0, 1], default 0.5
        The precision at which ``recall_at_precision`` is read.
    hessian : str, default "bounded"
        Hessian policy of the focal models (see :class:`boostfocal.BinaryFocalLoss`).
    random_state : int or None, default 0
        Seeds the folds, the inner splits and the engines: the same value gives the same table.
        ``None`` draws a seed, recorded in ``result.settings["random_state"]``.
    n_jobs : int or None, default -1
        Threads per engine fit (``-1``: all cores; ``None``: the engine's default).
    progress : bool, default True
        Show a progress bar on stderr for runs longer than a second.
    **engine_params
        Passed to every estimator, focal and baseline alike (e.g. ``num_leaves=63``,
        ``learning_rate=0.05``, ``max_depth=4``).  ``learning_rate`` defaults to 0.1 and LightGBM's
        ``verbose`` to -1.

    Notes
    -----
    Every model shares the engine parameters, and those are the engine's defaults unless given.
    With well under 1 % positives, LightGBM's built-in log-loss under its default
    ``min_child_weight=1e-3`` can collapse (measured on ``make_fraud`` at 0.2 %: PR-AUC 0.10 with
    the default, 0.45 with ``min_child_weight=1``, 3 folds); pass ``min_child_weight=1`` (CLI:
    ``--param min_child_weight=1``) before concluding that focal loss beats log-loss.  On small
    data, or on a busy machine, ``n_jobs=1`` is often faster than all cores.

    Returns
    -------
    TuneResult
        ``.table`` (DataFrame), ``.format_table()``, ``.best``, ``.best_params()``,
        ``.best_estimator()``, ``.snippet()``, ``.plot()``, ``.to_json()``.

    Examples
    --------
    >>> import boostfocal as bf
    >>> from boostfocal.datasets import make_fraud
    >>> X, y = make_fraud(20_000, positive_rate=0.02, random_state=0)
    >>> result = bf.tune(X, y, gammas=(0, 2), cv=3, progress=False)  # doctest: +SKIP
    >>> print(result.format_table())  # doctest: +SKIP
    >>> result.best.name  # doctest: +SKIP
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    for bad in ("objective", "scale_pos_weight", "early_stopping_rounds", "eval_metric", "gamma", "alpha"):
        if bad in engine_params:
            raise ValueError(
                f"{bad!r} is set by tune() itself; "
                + (
                    "use the gammas/alphas arguments"
                    if bad in ("gamma", "alpha")
                    else "use the early_stopping_rounds argument"
                    if bad == "early_stopping_rounds"
                    else "leave it out of the engine parameters"
                )
            )
    if isinstance(n_estimators, bool) or not isinstance(n_estimators, numbers.Integral) or n_estimators < 1:
        raise ValueError(f"n_estimators must be a positive integer, got {n_estimators!r}")
    if early_stopping_rounds is not None and (
        isinstance(early_stopping_rounds, bool)
        or not isinstance(early_stopping_rounds, numbers.Integral)
        or early_stopping_rounds < 1
    ):
        raise ValueError(f"early_stopping_rounds must be a positive integer or None, got {early_stopping_rounds!r}")
    if not 0.0 < float(validation_fraction) < 1.0:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction!r}")
    if not 0.0 < float(precision_level) <= 1.0:
        raise ValueError(f"precision_level must be in (0, 1], got {precision_level!r}")
    v.check_hessian(hessian)
    threads = _threads(n_jobs)
    scoring_name, scoring_fn = _resolve_scoring(scoring)
    metric_names = ([scoring_name] if scoring_fn is not None else []) + list(METRICS)
    if early_stopping_metric is None:
        stop_name = scoring_name
    elif early_stopping_metric == "objective":
        stop_name = "objective"
    else:
        stop_name = _metric_name(early_stopping_metric)

    classes, y_enc = _check_y(y)
    X = _check_X(X, y_enc.shape[0])
    n_classes = classes.size
    binary = n_classes == 2
    gamma_list = _check_gammas(gammas)
    alpha_list, skipped = _check_alphas(alphas, n_classes)
    if skipped:
        warnings.warn(
            f"alpha {', '.join(_alpha_label(a) for a in skipped)} skipped: a single number is the positive-class "
            f"weight of a binary problem, and y has {n_classes} classes (use 'balanced' or a sequence)",
            UserWarning,
            stacklevel=2,
        )
    focal_cls, builtin_cls = _estimator_classes(engine)

    if random_state is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    elif isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and random_state >= 0:
        seed = int(random_state)
    else:
        raise ValueError(f"random_state must be a non-negative integer or None, got {random_state!r}")

    # The configurations: the grid, then the baselines.  gamma=0, alpha="balanced" IS balanced CE.
    rows: list[ConfigResult] = []
    for a in alpha_list:
        for g in gamma_list:
            if baselines and g == 0.0 and a == "balanced":
                continue
            rows.append(ConfigResult(FOCAL, g, a))
    if baselines:
        rows.append(ConfigResult(LOGLOSS, None, None))
        rows.append(ConfigResult(BALANCED, 0.0, "balanced"))
        if binary:
            rows.append(ConfigResult(SPW, None, None))
    if not rows:
        raise ValueError("nothing to tune: the gamma and alpha grids are empty and baselines=False")

    params: dict[str, Any] = {"learning_rate": DEFAULT_LEARNING_RATE}
    if engine == "lightgbm":
        params["verbose"] = -1
    params.update(engine_params)
    if (
        engine == "xgboost"
        and hasattr(X, "dtypes")
        and any(str(dt) == "category" for dt in X.dtypes)
        and "enable_categorical" not in params
    ):
        params["enable_categorical"] = True
    common: dict[str, Any] = {"n_estimators": int(n_estimators), "random_state": seed, **params}
    if threads is not None:
        common["n_jobs"] = threads
    if engine == "xgboost" and early_stopping_rounds is not None:
        common["early_stopping_rounds"] = int(early_stopping_rounds)
    fit = _lgb_fit if engine == "lightgbm" else _xgb_fit
    stopping = early_stopping_rounds is not None
    rounds = int(early_stopping_rounds or 0)
    by_objective = stop_name == "objective"
    builtin_metric = ("logloss" if binary else "mlogloss") if engine == "xgboost" else None

    outer = _make_splits(cv, X, y_enc, seed)
    progress_bar = _Progress(len(outer) * len(rows), progress)
    splits: list[tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]] = []
    for f, (train, test) in enumerate(outer):
        if early_stopping_rounds is not None:
            fold_seed = int(np.random.SeedSequence([seed, f]).generate_state(1)[0])
            fit_idx, val_idx = _inner_split(train, y_enc, float(validation_fraction), fold_seed)
        else:
            fit_idx, val_idx = np.sort(train), np.empty(0, dtype=np.intp)
        splits.append((fit_idx, val_idx, np.asarray(test, dtype=np.intp)))
        X_fit, y_fit = _take(X, fit_idx), y_enc[fit_idx]
        X_val, y_val = _take(X, val_idx), y_enc[val_idx]
        X_test, y_test = _take(X, test), y_enc[test]
        n_pos = int(np.sum(y_fit == 1))
        spw = (y_fit.size - n_pos) / max(n_pos, 1)
        for row in rows:
            extra: dict[str, Any] = {}
            kw = dict(common)
            focal = row.kind in (FOCAL, BALANCED)
            stop = None
            w_val = None
            if stopping and not by_objective:
                greater = METRICS[stop_name].greater_is_better if stop_name in METRICS else True
                stop_fn = scoring_fn if stop_name == scoring_name else None
                stop = _ValidationScore(engine, stop_name, greater, row.kind, float(precision_level), stop_fn, spw)
                if engine == "xgboost":
                    kw["eval_metric"] = stop
                    if not focal:
                        kw["disable_default_eval_metric"] = True
                elif not focal:
                    kw["metric"] = "None"  # only the validation score is needed
            elif stopping and not focal:
                if builtin_metric is not None:
                    kw["eval_metric"] = builtin_metric
                # the objective the model trains on: log-loss weighted like scale_pos_weight
                w_val = np.where(y_val == 1, spw, 1.0) if row.kind == SPW else None
            if focal:
                est = focal_cls(gamma=row.gamma, alpha=row.alpha, hessian=hessian, **kw)
            else:
                if row.kind == SPW:
                    kw["scale_pos_weight"] = spw
                    extra["scale_pos_weight"] = spw
                est = builtin_cls(**kw)
            if stop is not None:
                stop.est = est
            valid = (X_val, y_val, w_val) if stopping else None
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*[Ff]ound `?n_estimators`? in params.*")
                fit(est, X_fit, y_fit, valid, stop, rounds)
            fit_time = time.perf_counter() - t0
            if row.kind == SPW:
                proba1 = _sigmoid(_margin(est, engine, X_test) - math.log(spw))
                proba = np.column_stack([1.0 - proba1, proba1])
            else:
                proba = np.asarray(est.predict_proba(X_test), dtype=np.float64)
            if row.kind in (FOCAL, BALANCED) and row.alpha == "balanced":
                extra["alpha"] = est.loss_.alpha
            scores = {m: _score(m, y_test, proba, float(precision_level), scoring_fn) for m in metric_names}
            scores["best_iteration"] = float(_best_iteration(est, engine, int(n_estimators)))
            scores["fit_time"] = fit_time
            for key, value in scores.items():
                row.scores.setdefault(key, []).append(value)
            for key, value in extra.items():
                row.extra.setdefault(key, []).append(value)
            progress_bar.update(f"fold {f + 1}/{len(outer)} {row.name}")
    progress_bar.close()

    n_pos_all = int(np.sum(y_enc == 1))
    counts = np.bincount(y_enc, minlength=n_classes)
    from . import __version__

    settings: dict[str, Any] = {
        "engine": engine,
        "gammas": gamma_list,
        "alphas": [_alpha_json(a) for a in alpha_list],
        "alphas_skipped": [_alpha_json(a) for a in skipped],
        "baselines": bool(baselines),
        "cv": int(cv) if isinstance(cv, numbers.Integral) else repr(cv),
        "n_splits": len(outer),
        "scoring": scoring_name,
        "n_estimators": int(n_estimators),
        "early_stopping_rounds": early_stopping_rounds,
        "early_stopping_metric": stop_name,
        "validation_fraction": float(validation_fraction),
        "precision_level": float(precision_level),
        "hessian": hessian,
        "random_state": seed,
        "n_jobs": n_jobs,
        "engine_params": _jsonable(params),
        "n_samples": int(y_enc.shape[0]),
        "n_features": int(X.shape[1]),
        "class_counts": {str(c): int(k) for c, k in zip(classes, counts, strict=True)},
        "scale_pos_weight_full": round((y_enc.size - n_pos_all) / max(n_pos_all, 1), 4) if binary else None,
        "versions": {
            "boostfocal": __version__,
            engine: _engine_version(engine),
            "numpy": np.__version__,
            "python": sys.version.split()[0],
        },
    }
    return TuneResult(
        rows=rows,
        scoring=scoring_name,
        engine=engine,
        classes=classes,
        settings=settings,
        splits=splits,
        scoring_function=scoring_fn,
    )
