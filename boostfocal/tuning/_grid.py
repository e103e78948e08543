"""Checks of the grid and the searches of :func:`boostfocal.tune`: the table's rows, the
regularisation candidates, the ``scale_pos_weight`` row's own search, what a multilabel tune
can run.  All run before the first fit."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from . import _engines as eng
from . import _inputs as inp
from ._metrics import MONEY, RANK_METRICS
from ._result import _alpha_label
from ._search import SPW_POWER, Row

#: The regularisation search every row gets, chosen per row and outer fold on the inner validation
#: split: LightGBM's defaults (``min_child_weight=1e-3, reg_lambda=0``) or XGBoost's (leaves holding
#: a Hessian sum of at least 1, an L2 penalty of 1 on leaf values), for either engine.  Measured on
#: ``make_fraud`` at 0.2 % positives: LightGBM's log-loss collapses to PR-AUC 0.10 under its
#: defaults and reaches 0.45 with ``min_child_weight=1``.
DEFAULT_REGULARIZATION: tuple[dict[str, Any], ...] = (
    {"min_child_weight": 1e-3, "reg_lambda": 0.0},
    {"min_child_weight": 1.0, "reg_lambda": 1.0},
)
#: The ``scale_pos_weight`` baseline's own search, in place of the regularisation search, chosen
#: per outer fold on the inner validation split: the weight ``n_neg / n_pos`` of the inner training
#: split (XGBoost's documented choice) or its square root, each with ``max_delta_step=1`` (the cap
#: on leaf values XGBoost's documentation recommends for logistic regression under extreme
#: imbalance) and XGBoost's regularisation (``min_child_weight=1, reg_lambda=1``); and each starts
#: from margin 0 (LightGBM ``boost_from_average=False``, XGBoost ``base_score=0.5``), the weighted
#: base rate for the ratio.  Why: LightGBM's ``boost_from_average`` starts from the unweighted base
#: rate ``p`` (the weight is not in it), where a leaf of positives takes a Newton step of about
#: ``1/p`` whatever the weight.  Measured on one split of ``make_fraud(100_000,
#: positive_rate=0.002)`` with LightGBM 4.7, PR-AUC (test part) under the two regularisation
#: candidates: the ratio 0.11-0.13 as LightGBM starts it, 0.46-0.48 with the cap, 0.45-0.47 from
#: margin 0, 0.44-0.46 with both (114-120 trees, against 177-244 with the cap alone); its square
#: root 0.09-0.28 as started, 0.44-0.45 with the cap, 0.40-0.45 with both; log-loss 0.05-0.46.
#: Two fits per fold, like every other row.
DEFAULT_SCALE_POS_WEIGHT_SEARCH: tuple[dict[str, Any], ...] = (
    {SPW_POWER: 1.0, "max_delta_step": 1.0, "min_child_weight": 1.0, "reg_lambda": 1.0},
    {SPW_POWER: 0.5, "max_delta_step": 1.0, "min_child_weight": 1.0, "reg_lambda": 1.0},
)
# each engine's way of starting the scale_pos_weight row from margin 0
_START_AT_ZERO: dict[str, dict[str, Any]] = {"lightgbm": {"boost_from_average": False}, "xgboost": {"base_score": 0.5}}


def _check_multilabel_engine(engine: str, stop_name: str) -> None:
    """Refuse, before any fit, what a multilabel tune cannot run: XGBoost < 3.1 (no per-label
    intercept), and on LightGBM (one booster per label, each early-stopped on its own label) an
    early-stopping metric that is not a rank metric of the margins."""
    if engine == "xgboost":
        eng.estimator_classes(engine)
        from .._xgb_native import VECTOR_INTERCEPT

        if not VECTOR_INTERCEPT:
            raise ValueError(
                f"y is multilabel (2-D): multilabel models need XGBoost >= 3.1, installed "
                f"{eng.engine_version(engine)}; use engine='lightgbm' or upgrade XGBoost"
            )
    elif stop_name != "objective" and stop_name not in RANK_METRICS:
        raise ValueError(
            f"early_stopping_metric {stop_name!r}: a multilabel tune on LightGBM (one booster per label) early-stops "
            f"each label on a rank metric ({', '.join(RANK_METRICS)}) or on 'objective'"
        )


def _candidates(
    engine: str, regularization: Sequence[Mapping[str, Any]] | None, engine_params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The regularisation candidates, each checked with the engine parameters like them."""
    candidates = inp.check_regularization(
        regularization,
        engine_params,
        regularization is DEFAULT_REGULARIZATION,
        lambda k: eng.canonical_name(engine, k),
    )
    for cand in candidates:
        if cand:
            try:
                eng.check_params(engine, {**engine_params, **cand})
            except (ValueError, TypeError) as exc:
                raise type(exc)(f"regularization candidate {cand}: {exc}") from None
    return candidates


def _rows(gamma_list: list[float], alpha_list: list[Any], baselines: bool, binary: bool) -> list[Row]:
    """The table's rows: the (gamma, alpha) grid, then the baselines."""
    rows: list[Row] = []
    for a in alpha_list:
        for g in gamma_list:
            if baselines and g == 0.0 and a == "balanced":
                continue  # gamma=0, alpha="balanced" IS balanced CE
            rows.append(Row(eng.FOCAL, g, a))
    if baselines:
        rows += [Row(eng.LOGLOSS, None, None), Row(eng.BALANCED, 0.0, "balanced")]
        if binary:
            rows.append(Row(eng.SPW, None, None))
    if not rows:
        raise ValueError("nothing to tune: the gamma and alpha grids are empty and baselines=False")
    return rows


def _spw_search(
    engine: str, search: Sequence[Mapping[str, Any]] | None, engine_params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The ``scale_pos_weight`` row's own candidates, checked; a parameter fixed in
    ``**engine_params`` leaves the default search (it is then fixed)."""
    if search is None:
        return []
    if search is DEFAULT_SCALE_POS_WEIGHT_SEARCH:
        search = [{**c, **_START_AT_ZERO[engine]} for c in search]
        default = True
    else:
        default = False
    if isinstance(search, (str, bytes, Mapping)) or not isinstance(search, Sequence):
        raise TypeError(f"scale_pos_weight_search must be a sequence of dicts, got {search!r}")
    fixed = {eng.canonical_name(engine, k) for k in engine_params}
    out: list[dict[str, Any]] = []
    for cand in search:
        if not isinstance(cand, Mapping):
            raise TypeError(f"scale_pos_weight_search entries must be dicts, got {cand!r}")
        c = dict(cand)
        power = c.get(SPW_POWER, 1.0)
        if isinstance(power, bool) or not isinstance(power, numbers.Real) or not (0 < float(power) < np.inf):
            raise ValueError(f"scale_pos_weight_search: {SPW_POWER} must be a number > 0, got {power!r}")
        c[SPW_POWER] = float(power)
        rest = {k: x for k, x in c.items() if k != SPW_POWER}
        if default:
            rest = {k: x for k, x in rest.items() if eng.canonical_name(engine, k) not in fixed}
        elif any(eng.canonical_name(engine, k) in fixed for k in rest):
            raise ValueError(
                f"scale_pos_weight_search candidate {cand} sets a parameter also given as an engine parameter: "
                "set it in one place"
            )
        if rest:
            try:
                eng.check_params(engine, {**engine_params, **rest})
            except (ValueError, TypeError) as exc:
                raise type(exc)(f"scale_pos_weight_search candidate {cand}: {exc}") from None
        c = {SPW_POWER: c[SPW_POWER], **rest}
        if c not in out:
            out.append(c)
    return out


def _check_money_scoring(scoring_name: str, money_names: list[str]) -> None:
    """A money score needs the settings that make its column."""
    if scoring_name == "cost":
        raise ValueError("scoring='cost': use scoring='savings', which ranks the same way on each split")
    if scoring_name in MONEY and scoring_name not in money_names:
        raise ValueError(
            f"scoring={scoring_name!r} needs its settings: amount and admin_cost, or cost_fp and cost_fn "
            "(savings, cost), or alert_budget (precision_at_budget)"
        )


def _categorical(params: dict[str, Any], engine: str, X: Any, categorical: list[Any]) -> tuple[int, ...]:
    """The category-coded columns of an array ``X`` (XGBoost: its categorical settings added to ``params``)."""
    coded = tuple(int(c) for c in categorical) if categorical and isinstance(X, np.ndarray) else ()
    if categorical and engine == "xgboost":
        params["enable_categorical"] = True
        if coded:
            params["feature_types"] = ["c" if i in coded else "q" for i in range(X.shape[1])]
    return coded


def _alphas(alphas: Iterable[Any], n_classes: int) -> tuple[list[Any], list[Any]]:
    """The checked alphas, and those skipped (a single number for more than two classes) with a warning."""
    alpha_list, skipped = inp.check_alphas(alphas, n_classes)
    if skipped:
        warnings.warn(
            f"alpha {', '.join(_alpha_label(a) for a in skipped)} skipped: a single number is the positive-class "
            f"weight of a binary problem, and y has {n_classes} classes (use 'balanced' or a sequence)",
            UserWarning,
            stacklevel=3,
        )
    return alpha_list, skipped


def _check_flags(**flags: Any) -> None:
    """Each of ``flags`` must be a bool."""
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, got {value!r}")

