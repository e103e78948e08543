"""The code :meth:`TuneResult.snippet` prints: train a row of the table on all the data, save it, score new rows.

The snippet is a whole program: it loads the data (lines given by the caller, or a comment saying
that ``X, y`` are the data given to :func:`boostfocal.tune`), fits the estimator of the row with the
parameters :meth:`TuneResult.best_params` gives, with the sample weights when the tune had them,
saves the model (``bf.save_model`` for a focal model; the engine's own file for a built-in
objective, which ``bf.save_model`` does not take), loads it back and scores the rows ``X_new``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._engines import SPW

if TYPE_CHECKING:  # pragma: no cover
    from ._result import ConfigResult, TuneResult

#: The model file the snippet writes, per engine.
MODEL_FILES = {"lightgbm": "model.txt", "xgboost": "model.json"}


@dataclass(frozen=True)
class DataCode:
    """Where a snippet's data come from, as lines of Python.

    ``imports`` are import lines; ``load`` defines ``X`` and ``y``; ``fit_kwargs`` are extra
    arguments of ``fit`` (``"sample_weight=data.sample_weight"``); ``after_save`` runs once the model
    is saved (writing the columns' schema); ``new_rows`` defines ``X_new``, the rows to score;
    ``amount`` is an expression for the amounts of ``X_new`` (the money rule's per-row costs).
    """

    imports: Sequence[str] = ()
    load: Sequence[str] = ()
    fit_kwargs: Sequence[str] = ()
    after_save: Sequence[str] = ()
    new_rows: Sequence[str] = ()
    amount: str = "amount_new"  # the amounts of the rows X_new, for a decision rule in money


def default_data(result: TuneResult) -> DataCode:
    """The data of a call to :func:`boostfocal.tune` from Python: ``X, y`` (and ``sample_weight``)
    as the caller passed them; the rows scored are the training rows."""
    load = ["# X, y: the data given to boostfocal.tune"]
    fit_kwargs = []
    if result.settings.get("sample_weight"):
        load.append("# sample_weight: the sample weights given to boostfocal.tune")
        fit_kwargs.append("sample_weight=sample_weight")
    cats = [str(c) for c in result.settings.get("categorical_features") or []]
    if result.engine == "lightgbm" and cats and all(c.isdigit() for c in cats):
        fit_kwargs.append(f"categorical_feature={[int(c) for c in cats]!r}")
    return DataCode(
        load=load, fit_kwargs=fit_kwargs, new_rows=["X_new = X  # the rows to score: here the training rows"]
    )


def _labels_are_codes(classes: Any) -> bool:
    arr = np.asarray(classes)
    return arr.dtype.kind in "iub" and arr.tolist() == list(range(arr.size))


def snippet(result: TuneResult, row: ConfigResult | None = None, data: DataCode | str | None = None) -> str:
    """Python that trains ``row`` (default ``result.best``) on all the data, saves it and scores ``X_new``.

    ``data`` as a string replaces the comment that says where ``X, y`` come from."""
    row = result.best if row is None else row
    if result.multilabel:
        raise ValueError(
            "no snippet for a multilabel tune: train result.best_estimator() on X and the (n, L) indicator "
            "matrix y (est.fit(X, y)); est.predict_proba gives the per-label posteriors"
        )
    if data is None or isinstance(data, str):
        default = default_data(result)
        load = default.load if data is None else [*data.splitlines(), *default.load[1:]]
        data = DataCode(load=load, fit_kwargs=default.fit_kwargs, new_rows=default.new_rows)
    params = result.best_params(row)
    engine = result.engine
    focal = row.is_focal
    binary = len(result.classes) == 2
    path = MODEL_FILES[engine]
    classes = [c.item() if hasattr(c, "item") else c for c in result.classes]
    encode_labels = engine == "xgboost" and not focal and not _labels_are_codes(result.classes)
    lgb = engine == "lightgbm"

    imports = list(data.imports)
    if focal:
        module, cls = (
            ("boostfocal.lightgbm", "FocalLGBMClassifier") if lgb else ("boostfocal.xgboost", "FocalXGBClassifier")
        )
        imports += [f"from {module} import {cls}", "import boostfocal as bf"]
    else:
        imports.append("import lightgbm as lgb" if lgb else "import xgboost as xgb")
        cls = "lgb.LGBMClassifier" if lgb else "xgb.XGBClassifier"
    if row.kind == SPW:
        imports.append("from boostfocal.losses import prior_shift")
    if encode_labels:
        imports.append("import numpy as np")
    imports = sorted(set(imports), key=lambda ln: (not ln.startswith("import "), ln))

    lines = [*imports, "", *data.load]
    if encode_labels:
        lines.append("classes, y = np.unique(y, return_inverse=True)  # XGBClassifier takes labels 0..K-1")
    lines.append(f"model = {cls}(")
    for key, value in params.items():
        comment = "  # mean best iteration over the CV folds" if key == "n_estimators" else ""
        if key == "scale_pos_weight":
            comment = "  # (n_neg / n_pos of the training labels) ** power chosen in CV"
        lines.append(f"    {key}={value!r},{comment}")
    lines.append(")")
    lines.append(f"model.fit({', '.join(['X', 'y', *data.fit_kwargs])})")

    # save, load back, score
    if focal:
        lines.append(f"bf.save_model(model, {path!r})  # the trees and the focal state: loss, initial score, classes")
    elif lgb:
        lines.append(f"model.booster_.save_model({path!r})  # a built-in objective: LightGBM's own model file")
    else:
        lines.append(f"model.save_model({path!r})  # a built-in objective: XGBoost's own model file")
    lines.extend(data.after_save)
    lines.append("")
    lines.append("# Score new rows, now or in a later process: load the model, then the rows")
    if focal:
        lines.append(f"model = bf.load_model({path!r})")
    elif lgb:
        lines.append(f"model = lgb.Booster(model_file={path!r})")
    else:
        lines += ["model = xgb.XGBClassifier()", f"model.load_model({path!r})"]
    lines.extend(data.new_rows)

    positive = f"P(y={classes[1]!r} | x)" if binary else ""
    if row.kind == SPW:
        margin = "model.predict(X_new, raw_score=True)" if lgb else "model.predict(X_new, output_margin=True)"
        lines.append("# undo the weighting: P(y=1|x) = sigmoid(margin - log(scale_pos_weight))")
        lines.append(f"proba = prior_shift({margin}, {params['scale_pos_weight']!r})  # {positive}")
    elif focal:
        if binary:
            lines.append(f"proba = model.predict_proba(X_new)[:, 1]  # recovered posterior {positive}")
        else:
            lines.append(f"proba = model.predict_proba(X_new)  # recovered class posteriors, shape (n, {len(classes)})")
    elif lgb:
        if binary:
            lines.append(f"proba = model.predict(X_new)  # {positive}")
        else:
            lines.append(f"proba = model.predict(X_new)  # class probabilities, shape (n, {len(classes)})")
    else:
        if binary:
            lines.append(f"proba = model.predict_proba(X_new)[:, 1]  # {positive}")
        else:
            lines.append(f"proba = model.predict_proba(X_new)  # class probabilities, shape (n, {len(classes)})")
    if encode_labels:
        lines[-1] += "; class k is classes[k]"
    lines += decision_lines(result, row, data.amount)
    return "\n".join(lines)


def decision_lines(result: TuneResult, row: ConfigResult, amount: str) -> list[str]:
    """The money rule on ``proba``, as the table's row decided: the Bayes rule
    (:func:`boostfocal.metrics.bayes_flags`), with the threshold scale tuned in the folds for the
    ``log-loss + threshold`` row (their geometric mean).  Nothing without costs."""
    costs = (result.settings.get("money") or {}).get("costs")
    if not costs:
        return []
    from ._stats import THRESHOLD

    args = ", ".join(f"{k}={v!r}" for k, v in costs.items() if v is not None)
    call = f"bayes_flags(proba, Costs({args})"
    if costs.get("admin_cost") is not None:
        call += f", amount={amount}"
        why = f"p x amount > {costs['admin_cost']:g}"
    else:
        why = f"p > {costs['cost_fp'] / (costs['cost_fp'] + costs['cost_fn']):.4g}"
    if row.kind == THRESHOLD:
        scales = np.asarray(row.extra.get("threshold_scale", [1.0]), dtype=np.float64)
        scale = float(np.exp(np.mean(np.log(np.clip(scales, 1e-12, 1e12)))))
        call += f", scale={scale:.6g}"
        why = f"the Bayes rule's odds scaled by {scale:.3g}, as tuned on the inner validation splits"
    return [
        "",
        "# Decide: flag a row when flagging costs less than letting it pass (the rule the table scored)",
        "from boostfocal.metrics import Costs, bayes_flags",
        f"flags = {call})  # {why}",
    ]
