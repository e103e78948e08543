""":func:`tune`: check everything, lay out the folds and rows, run the search, assemble the result."""

from __future__ import annotations

import numbers
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import _validation as v
from . import _engines as eng
from . import _inputs as inp
from . import _search, _splits
from ._grid import (
    DEFAULT_REGULARIZATION,
    DEFAULT_SCALE_POS_WEIGHT_SEARCH,
    _alphas,
    _candidates,
    _categorical,
    _check_flags,
    _check_money_scoring,
    _check_multilabel_engine,
    _rows,
    _spw_search,
)
from ._metrics import DEFAULT_PRECISION_LEVEL, METRICS, MONEY, metric_name
from ._race import collect, describe_search, run_all
from ._result import ConfigResult, TuneResult, _alpha_json, _jsonable, add_threshold_row
from ._search import Fold, Row, Settings, row_candidates
from ._stats import in_baseline_family, in_focal_family

#: Default grid of focusing parameters.  ``gamma = 0`` is covered by the baselines (log-loss is
#: focal ``gamma = 0, alpha = None``; balanced CE is ``gamma = 0, alpha = "balanced"``).
DEFAULT_GAMMAS: tuple[float, ...] = (1.0, 2.0)
#: Default grid of class weights: none.  The class-weighted cross-entropies are baselines (balanced
#: CE, scale_pos_weight); add ``0.25`` (the paper's) or ``"balanced"`` to cross them with ``gamma``.
#: The default grid is small so that the default run, with its regularisation search (two fits per
#: row and fold), finishes in about 30 s on two cores (``benchmarks/tune_default_time.py``).
DEFAULT_ALPHAS: tuple[Any, ...] = (None,)
DEFAULT_CV = 3
DEFAULT_N_ESTIMATORS = 300
DEFAULT_EARLY_STOPPING_ROUNDS = 30
DEFAULT_LEARNING_RATE = eng.DEFAULT_LEARNING_RATE
DEFAULT_VALIDATION_FRACTION = 0.2


def tune(
    X: Any,
    y: Any,
    *,
    sample_weight: Any = None,
    categorical_features: Sequence[Any] | None = None,
    engine: str = "lightgbm",
    gammas: Iterable[float] = DEFAULT_GAMMAS,
    alphas: Iterable[Any] = DEFAULT_ALPHAS,
    baselines: bool = True,
    regularization: Sequence[Mapping[str, Any]] | None = DEFAULT_REGULARIZATION,
    scale_pos_weight_search: Sequence[Mapping[str, Any]] | None = DEFAULT_SCALE_POS_WEIGHT_SEARCH,
    cv: int | Any = DEFAULT_CV,
    repeats: int = 1,
    scoring: str | Callable[..., float] = "average_precision",
    n_estimators: int = DEFAULT_N_ESTIMATORS,
    early_stopping_rounds: int | None = DEFAULT_EARLY_STOPPING_ROUNDS,
    early_stopping_metric: str | None = None,
    validation_fraction: float = DEFAULT_VALIDATION_FRACTION,
    precision_level: float = DEFAULT_PRECISION_LEVEL,
    hessian: str = "bounded",
    random_state: int | None = 0,
    n_jobs: int | None = None,
    progress: bool = True,
    time: Any = None,
    gap: Any = 0,
    groups: Any = None,
    time_feature: bool = False,
    amount: Any = None,
    admin_cost: float | None = None,
    cost_fp: float | None = None,
    cost_fn: float | None = None,
    alert_budget: int | float | None = None,
    full_search: bool = False,
    **engine_params: Any,
) -> TuneResult:
    """Cross-validate focal loss over a grid of ``gamma`` and ``alpha`` against three baselines.

    Rows of the table: focal loss at every ``(gamma, alpha)`` of the grid, and the baselines
    ``log-loss`` (the engine's built-in objective), ``balanced CE`` (focal ``gamma = 0,
    alpha = "balanced"``: inverse-frequency class weights of the inner training split) and
    ``scale_pos_weight`` (built-in objective with ``n_neg / n_pos`` of the inner training split or
    its square root, chosen per fold; binary only).

    Protocol, per outer fold (stratified; ``cv`` folds, ``repeats`` times, or any splitter):

    1. the outer training part is split, stratified, into an inner training split and an inner
       validation split (``validation_fraction`` of it);
    2. every row is fitted on the inner training split once per candidate of ``regularization``,
       early-stopped on the inner validation split; the candidate whose recovered posterior scores
       best on the inner validation split is kept (the same search for every row, so that no
       baseline collapses under an engine default that one parameter would rescue; the
       ``scale_pos_weight`` row has its own ``scale_pos_weight_search`` instead);
    3. on the same inner validation split, the headline chooses the focal row (``gamma > 0``) and,
       separately, the baseline with the best score;
    4. the test fold is used for nothing but the final scores.

    The headline (:attr:`TuneResult.comparison`) compares focal loss and the baseline, each chosen
    inside every fold: paired test-fold differences, the Nadeau-Bengio corrected t-test, a verdict,
    and when it is not significant the smallest difference the test would detect.  Balanced CE
    (focal ``gamma = 0``) counts as a baseline.  The table describes every configuration (means
    over the test folds); its best row is what :meth:`TuneResult.snippet` trains.
    :func:`plan` gives the number of fits before running any.

    Fits run in parallel on threads through joblib, each with one engine thread;
    ``joblib.parallel_config(backend="loky")`` runs them in worker processes,
    ``joblib.parallel_config(backend="dask")`` on a Dask cluster.

    Parameters
    ----------
    X : array-like (n_samples, n_features), pandas DataFrame or scipy sparse matrix
        Features; missing values are fine.  A DataFrame's ``category``, ``object``, ``string`` and
        ``bool`` columns are categorical features, which each engine splits on natively (LightGBM
        categorical features, XGBoost ``enable_categorical``).  A column with a distinct value on
        more than half its rows (and over 50 values) is refused as an identifier.
    y : array-like (n_samples,) or (n_samples, n_labels)
        Class labels of any type; two classes give the binary losses, more the softmax ones.  A 2-D
        0/1 indicator matrix (several columns) is a multilabel target: every row of the table is a
        multilabel focal estimator (one model on XGBoost >= 3.1, one booster per label on LightGBM),
        log-loss is the per-label binary log-loss (``gamma = 0, alpha = None``), there is no
        ``scale_pos_weight`` row, every score is the macro mean over the labels (per label in
        ``extra["per_label"]`` and the JSON), the folds are stratified on the rarest label each row
        carries, and on LightGBM each label's booster early-stops on its own score (a rank metric or
        ``"objective"``).  A column other than 0/1 or with a single class raises.
    sample_weight : array-like (n_samples,) of float >= 0, optional
        Row weights, used in training, in early stopping and in every score (weighted counts,
        weighted means).  ``alpha="balanced"`` and ``scale_pos_weight`` use weighted class totals.
    categorical_features : sequence of column names (DataFrame) or indices, optional
        Further columns to treat as categorical (e.g. integer codes).
    engine : {"lightgbm", "xgboost"}
    gammas : iterable of float >= 0, default (1, 2)
    alphas : iterable, default (None,)
        ``None`` (no class weighting), a float in (0, 1) (weight of the positive class; binary
        only, skipped with a warning for multiclass labels), a sequence of per-class weights
        (multiclass), or ``"balanced"`` (inverse class frequencies of each inner training split).
    baselines : bool, default True
        Also fit the engine's log-loss, balanced cross-entropy and ``scale_pos_weight`` (binary).
    regularization : sequence of dicts of engine parameters, default ``DEFAULT_REGULARIZATION``
        The candidates of the regularisation search, the same for every row: by default
        ``min_child_weight=1e-3, reg_lambda=0`` (LightGBM's defaults) and ``min_child_weight=1,
        reg_lambda=1`` (XGBoost's), for either engine.  ``None`` (or one candidate) means no
        search.  A parameter also given in ``**engine_params`` leaves the default search (it is
        then fixed).
    scale_pos_weight_search : sequence of dicts, default ``DEFAULT_SCALE_POS_WEIGHT_SEARCH``
        The ``scale_pos_weight`` row's own candidates, in place of ``regularization``: each dict
        holds ``"scale_pos_weight_power"`` (the weight is ``(n_neg / n_pos) ** power`` of the inner
        training split; default 1) and engine parameters.  By default the ratio and its square
        root, each with ``max_delta_step=1, min_child_weight=1, reg_lambda=1``, from margin 0
        (LightGBM ``boost_from_average=False``, XGBoost ``base_score=0.5``).  ``None``: the ratio,
        with the regularisation search like every other row.
    cv : int or scikit-learn splitter, default 3
        Number of stratified, shuffled folds, or any object with ``split(X, y)``.
    repeats : int, default 1
        Repeat the ``cv`` stratified folds with different shuffles (integer ``cv`` only): more
        folds for the corrected t-test.
    scoring : str or callable, default "average_precision"
        Metric that picks the best row and the regularisation: ``"average_precision"`` (alias
        ``"pr_auc"``), ``"roc_auc"``, ``"recall_at_precision"``, ``"log_loss"``, ``"brier"`` (the
        last two lower is better), or ``f(y_true, proba[, sample_weight]) -> float`` (higher is
        better; ``y_true`` encoded 0..K-1, ``proba`` of shape (n, K)).
    n_estimators : int, default 300
        Maximum number of boosting rounds.
    early_stopping_rounds : int or None, default 30
        Patience on the inner validation split.  ``None`` trains every round.
    early_stopping_metric : str or None, default None
        What models are early-stopped on: ``None``, the ``scoring`` metric of the recovered
        posterior; another metric name; or ``"objective"``, each model's own training loss.
    validation_fraction : float in (0, 1), default 0.2
        Share of each outer training part set aside, stratified, for early stopping and the
        regularisation choice.  No inner split is made when neither needs one.
    precision_level : float in (0, 1], default 0.5
        The precision at which ``recall_at_precision`` is read.
    hessian : str, default "bounded"
        Hessian policy of the focal models (see :class:`boostfocal.BinaryFocalLoss`).
    random_state : int or None, default 0
        Seeds the folds, the inner splits and the engines: the same value gives the same table,
        whatever ``n_jobs`` and the joblib backend.  ``None`` draws a seed, recorded in
        ``result.settings["random_state"]``.
    n_jobs : int or None, default None
        Fits run at once (joblib's convention: ``-1`` all cores, ``-2`` all but one); each fit uses
        one thread.  ``None``: the ``n_jobs`` of an enclosing ``joblib.parallel_config``, else all
        cores.
    progress : bool, default True
        Show a progress bar on stderr (tqdm) for runs longer than a second.
    time : array-like (n_samples,) or str, optional
        When each row happened (numbers, read as seconds, or datetimes), or the name of that column
        of the DataFrame ``X``.  The outer folds are then ordered expanding windows: the rows sorted
        by time are cut into ``cv + 1`` periods, fold ``k`` trains on periods ``1..k`` and tests on
        period ``k + 1``; each fold's inner validation split is the latest ``validation_fraction``
        of its training window.  A named column is not a feature unless ``time_feature=True``.
    gap : int or str, default 0
        With ``time``: rows (an int) or a duration (``"2d"``, ``"12h"``, ``"30min"``, a
        ``timedelta``) left out between each training window and its test period, as labels
        such as chargebacks arrive late.
    groups : array-like (n_samples,) or str, optional
        A group per row (card, customer), or the name of that column of ``X`` (then not a feature):
        stratified folds that keep each group in one fold (``StratifiedGroupKFold``), inner
        splits likewise.
    time_feature : bool, default False
        Keep the ``time`` column of ``X`` as a feature.
    amount, admin_cost : array-like (n_samples,) or str, and float, optional
        Money (binary targets): the transaction amount of each row (or the name of that column of
        ``X``, which stays a feature) and the cost of one alert.  The table gains ``savings`` and
        ``cost`` columns: the Bayes rule ``p * amount > admin_cost`` on each row's calibrated
        probability, a missed fraud costing its amount (:mod:`boostfocal.metrics`), and a
        ``log-loss + threshold`` row (log-loss with the rule's threshold tuned on the inner
        validation split).  ``scoring="savings"`` selects and tests on it.
    cost_fp, cost_fn : float, optional
        Class costs instead of amounts: a false alarm costs ``cost_fp``, a missed fraud ``cost_fn``;
        the rule flags ``p > cost_fp / (cost_fp + cost_fn)``.
    alert_budget : int or float, optional
        Alerts the team can check: a count, or a share of the rows in (0, 1).  The table gains
        ``precision_at_budget`` (precision among the top-scored rows of each test fold);
        ``scoring="precision_at_budget"`` selects and tests on it.
    full_search : bool, default False
        Train every candidate of every row to the end.  By default the search is budgeted: a row's
        regularisation candidates are raced to 50 rounds on the inner split and only the best one
        is trained to the end; with at least 6 focal rows (``gamma > 0``), successive halving
        (``eta = 3``: the best third of them go on, with three times the rounds, at 50, 150, ...)
        stops the others early, which the table marks.  Rows are still chosen on the inner split
        and the test folds only scored.  ``result.settings["search"]`` says what was raced.
    **engine_params
        Passed to every estimator, focal and baseline alike (e.g. ``num_leaves=63``,
        ``learning_rate=0.05``).  Checked before any fit by :func:`check_params`: unknown names,
        keys the tuner sets itself and bad values raise.  ``learning_rate`` defaults to 0.1 and
        LightGBM's ``verbose`` to -1.

    Returns
    -------
    TuneResult
        ``.table`` (DataFrame), ``.format_table()``, ``.comparison``, ``.headline()``, ``.best``,
        ``.best_params()``, ``.best_estimator()``, ``.snippet()``, ``.plot()``, ``.to_json()``.

    Examples
    --------
    >>> import boostfocal as bf
    >>> from boostfocal.datasets import make_fraud
    >>> X, y = make_fraud(20_000, positive_rate=0.02, random_state=0)
    >>> result = bf.tune(X, y, gammas=(0.5, 2), cv=3, progress=False)  # doctest: +SKIP
    >>> print(result.format_table())  # doctest: +SKIP
    >>> print(result.headline())  # doctest: +SKIP
    """
    # ----- arguments, all before any fit ---------------------------------------------------
    if engine not in eng.ENGINES:
        raise ValueError(f"engine must be one of {', '.join(eng.ENGINES)}, got {engine!r}")
    params = eng.check_params(engine, engine_params)
    candidates = _candidates(engine, regularization, engine_params)
    spw_search = _spw_search(engine, scale_pos_weight_search, engine_params)
    n_estimators = inp.check_positive_int(n_estimators, "n_estimators")
    rounds = inp.check_positive_int(early_stopping_rounds, "early_stopping_rounds", allow_none=True)
    repeats = inp.check_positive_int(repeats, "repeats")
    fraction = inp.check_fraction(validation_fraction, "validation_fraction", closed_right=False)
    level = inp.check_fraction(precision_level, "precision_level", closed_right=True)
    v.check_hessian(hessian)
    inp.check_n_jobs(n_jobs)
    _check_flags(baselines=baselines, progress=progress, full_search=full_search)
    scoring_name, scoring_fn, metric_names, stop_name = _scores(scoring, early_stopping_metric)
    seed = inp.check_seed(random_state)
    multilabel, classes, y_enc, strata = _labels(y, engine, stop_name)
    w = inp.check_weights(sample_weight, y_enc)
    costs, budget, aux, money_names, money_record = _splits.money(
        X, y_enc.shape[0], classes.size == 2 and not multilabel, amount, admin_cost, cost_fp, cost_fn, alert_budget
    )
    _check_money_scoring(scoring_name, money_names)
    metric_names += money_names
    X, split = _splits.splitting(X, y_enc.shape[0], time, gap, groups, time_feature)
    X, categorical = inp.check_X(X, y_enc.shape[0], categorical_features)
    coded = _categorical(params, engine, X, categorical)
    n_classes = 2 if multilabel else classes.size  # multilabel: the classes 0 and 1 of every label
    binary = n_classes == 2 and not multilabel
    gamma_list = inp.check_gammas(gammas)
    alpha_list, skipped = _alphas(alphas, n_classes)
    eng.estimator_classes(engine)

    # ----- rows and folds -------------------------------------------------------------------
    rows = _rows(gamma_list, alpha_list, baselines, binary)
    outer = split.outer(cv, repeats, strata, seed)
    the_plan = _plan(rows, len(outer), candidates, spw_search)
    # an inner validation split for early stopping, for a choice among candidates, or for the
    # headline's choice of the focal row and the baseline inside each fold
    choosing = any(in_focal_family(r) for r in rows) and any(in_baseline_family(r) for r in rows)
    needs_val = rounds is not None or max(the_plan.candidates) > 1 or choosing
    folds = _folds(outer, strata, needs_val, fraction, seed, split)

    settings = Settings(
        engine=engine,
        params=params,
        n_estimators=int(n_estimators),
        rounds=rounds,
        stop_name=stop_name,
        scoring_name=scoring_name,
        scoring_fn=scoring_fn,
        metric_names=tuple(metric_names),
        precision_level=level,
        hessian=hessian,
        seed=seed,
        binary=binary,
        categorical=coded if engine == "lightgbm" else (),
        multilabel=multilabel,
        costs=costs,
        alert_budget=budget,
        race_rounds=None if full_search else _search.RACE_ROUNDS,
    )

    # ----- the search -----------------------------------------------------------------------
    groups = run_all(settings, rows, candidates, spw_search, folds, X, y_enc, w, n_jobs, progress, aux)
    per_row = [row_candidates(r, candidates, spw_search) for r in rows]
    results = add_threshold_row(collect(groups, rows, per_row, len(folds), scoring_name), scoring_name)

    # ----- settings for the record ----------------------------------------------------------
    record = _record(
        settings, split, the_plan, rows, folds, candidates, spw_search, X, y_enc, w, classes,
        gammas=gamma_list, alphas=alpha_list, skipped=skipped, baselines=baselines, cv=cv, repeats=repeats,
        n_splits=len(outer), fraction=fraction, money=money_record, n_jobs=n_jobs, categorical=categorical,
    )
    return TuneResult(
        rows=results,
        scoring=scoring_name,
        engine=engine,
        classes=classes,
        settings=record,
        splits=[(fd.fit, fd.val, fd.test) for fd in folds],
        scoring_function=scoring_fn,
    )


def _scores(
    scoring: str | Callable[..., float], early_stopping_metric: str | None
) -> tuple[str, Callable[..., float] | None, list[str], str]:
    """The scoring name and function, the table's metric columns and the early-stopping metric."""
    scoring_name, scoring_fn = _resolve_scoring(scoring)
    metric_names = ([scoring_name] if scoring_fn is not None else []) + list(METRICS)
    if early_stopping_metric is None:
        # a money score needs side data the engines' callbacks do not see: stop on PR-AUC
        stop_name = "average_precision" if scoring_name in MONEY else scoring_name
    elif early_stopping_metric == "objective":
        stop_name = "objective"
    else:
        stop_name = metric_name(early_stopping_metric)
    return scoring_name, scoring_fn, metric_names, stop_name


def _labels(y: Any, engine: str, stop_name: str) -> tuple[bool, NDArray[Any], NDArray[np.intp], NDArray[np.intp]]:
    """``(multilabel, classes, encoded labels, strata for the folds)``, checked."""
    if inp.is_multilabel(y):
        classes, y_enc = inp.check_multilabel_y(y)
        _check_multilabel_engine(engine, stop_name)
        return True, classes, y_enc, inp.multilabel_strata(y_enc)
    classes, y_enc = inp.check_y(y)
    return False, classes, y_enc, y_enc


def _record(
    settings: Settings,
    split: Any,
    the_plan: TunePlan,
    rows: list[Row],
    folds: list[Fold],
    candidates: list[dict[str, Any]],
    spw_search: list[dict[str, Any]],
    X: Any,
    y_enc: NDArray[np.intp],
    w: NDArray[np.float64] | None,
    classes: NDArray[Any],
    **given: Any,
) -> dict[str, Any]:
    """The settings a result records (``result.settings``, the JSON's ``settings``)."""
    s = settings
    binary, multilabel = s.binary, s.multilabel
    n_classes = 2 if multilabel else classes.size
    weights = np.ones(y_enc.shape[0]) if w is None else w
    pos_all = float(np.sum(weights[y_enc == 1])) if binary else 0.0
    counts = y_enc.sum(axis=0) if multilabel else np.bincount(y_enc, minlength=n_classes)
    cv, repeats = given["cv"], given["repeats"]
    from .. import __version__

    return {
        "engine": s.engine,
        "gammas": given["gammas"],
        "alphas": [_alpha_json(a) for a in given["alphas"]],
        "alphas_skipped": [_alpha_json(a) for a in given["skipped"]],
        "baselines": bool(given["baselines"]),
        "regularization": [dict(c) for c in candidates] if len(candidates) > 1 else [],
        "scale_pos_weight_search": [dict(c) for c in spw_search] if binary and given["baselines"] else [],
        "cv": int(cv) if isinstance(cv, numbers.Integral) else repr(cv),
        "repeats": repeats,
        "n_splits": given["n_splits"],
        # time-ordered folds are one fixed sequence: no repeats to suggest
        "folds_per_repeat": None if split.kind == "time" else _folds_per_repeat(cv, repeats, given["n_splits"]),
        "n_fits": the_plan.n_fits,
        "search": describe_search(s, rows, [row_candidates(r, candidates, spw_search) for r in rows], folds),
        "scoring": s.scoring_name,
        "n_estimators": s.n_estimators,
        "early_stopping_rounds": s.rounds,
        "early_stopping_metric": s.stop_name,
        "validation_fraction": given["fraction"],
        "precision_level": s.precision_level,
        "hessian": s.hessian,
        "random_state": s.seed,
        "split": split.record(),
        "money": given["money"],
        "split_description": split.describe(cv, repeats),
        "test_assumes": split.assumption(),
        "n_jobs": given["n_jobs"],
        "engine_params": _jsonable(s.params),
        "sample_weight": w is not None,
        "categorical_features": given["categorical"],
        "n_samples": int(y_enc.shape[0]),
        "n_features": int(X.shape[1]),
        "multilabel": multilabel,
        # multilabel: the positives of each label
        "class_counts": {str(c): int(k) for c, k in zip(classes, counts, strict=True)},
        "scale_pos_weight_full": round((float(np.sum(weights)) - pos_all) / max(pos_all, 1e-300), 4)
        if binary
        else None,
        "versions": {
            "boostfocal": __version__,
            s.engine: eng.engine_version(s.engine),
            "numpy": np.__version__,
            "python": sys.version.split()[0],
        },
    }


def _folds(
    outer: list[tuple[NDArray[np.intp], NDArray[np.intp]]],
    y_enc: NDArray[np.intp],
    needs_val: bool,
    fraction: float,
    seed: int,
    split: _splits.Splitting | None = None,
) -> list[Fold]:
    """Each outer fold with its inner training/validation split (seeded by ``(seed, fold)``):
    stratified at random, the latest part of a time-ordered window, or grouped (``split``)."""
    split = _splits.Splitting("stratified") if split is None else split
    folds: list[Fold] = []
    for f, (train, test) in enumerate(outer):
        if needs_val:
            fold_seed = int(np.random.SeedSequence([seed, f]).generate_state(1)[0])
            fit_idx, val_idx = split.inner(train, y_enc, fraction, fold_seed)
        else:
            fit_idx, val_idx = np.sort(train), np.empty(0, dtype=np.intp)
        folds.append(Fold(fit_idx, val_idx, np.asarray(test, dtype=np.intp)))
    return folds


def _folds_per_repeat(cv: Any, repeats: int, n_splits: int) -> int | None:
    """Folds in one repeat (what ``repeats`` multiplies); None for a splitter that is not a repeat
    of a fixed number of folds."""
    if isinstance(cv, numbers.Integral):
        return int(cv)
    n_rep = getattr(cv, "n_repeats", None)
    if isinstance(n_rep, numbers.Integral) and int(n_rep) > 0 and n_splits % n_rep == 0:
        return n_splits // int(n_rep)
    return None


@dataclass(frozen=True)
class TunePlan:
    """What :func:`tune` will fit, known before any fit (:func:`plan`).

    ``rows`` are the table's row names; each row is fitted ``candidates[i]`` times in each of the
    ``n_folds`` outer folds (the regularisation search, or the ``scale_pos_weight`` row's own
    search, of ``own_search`` candidates).
    """

    rows: tuple[str, ...]
    n_folds: int
    candidates: tuple[int, ...]
    n_regularization: int
    own_search: int | None = None

    @property
    def n_fits(self) -> int:
        """Models fitted in all: ``n_folds * sum(candidates)``."""
        return self.n_folds * sum(self.candidates)

    def describe(self) -> str:
        """One line, e.g. ``5 configurations x 3 folds x 2 regularisation candidates
        (scale_pos_weight: 2 candidates of its own) = 30 fits``."""
        n = len(self.rows)
        text = f"{n:,} configuration{'s' if n != 1 else ''} x {self.n_folds:,} folds"
        r = self.n_regularization
        if r > 1:
            text += f" x {r} regularisation candidates"
        if self.own_search is not None:
            k = self.own_search
            text += f" (scale_pos_weight: {k} candidate{'s' if k != 1 else ''} of its own)"
        return f"{text} = {self.n_fits:,} fits"

    def __str__(self) -> str:
        return self.describe()


def _plan(
    rows: list[Row], n_folds: int, candidates: list[dict[str, Any]], spw_search: list[dict[str, Any]]
) -> TunePlan:
    names = tuple(ConfigResult(r.kind, r.gamma, r.alpha).name for r in rows)
    counts = tuple(len(row_candidates(r, candidates, spw_search)) for r in rows)
    own = len(spw_search) if spw_search and any(r.kind == eng.SPW for r in rows) else None
    return TunePlan(names, n_folds, counts, len(candidates), own)


def plan(
    y: Any,
    *,
    engine: str = "lightgbm",
    gammas: Iterable[float] = DEFAULT_GAMMAS,
    alphas: Iterable[Any] = DEFAULT_ALPHAS,
    baselines: bool = True,
    regularization: Sequence[Mapping[str, Any]] | None = DEFAULT_REGULARIZATION,
    scale_pos_weight_search: Sequence[Mapping[str, Any]] | None = DEFAULT_SCALE_POS_WEIGHT_SEARCH,
    cv: int | Any = DEFAULT_CV,
    repeats: int = 1,
    **engine_params: Any,
) -> TunePlan:
    """The fits :func:`tune` would run with these arguments, before running any: rows x folds x
    candidates (the same code lays them out for :func:`tune`; ``result.settings["n_fits"]`` equals
    ``plan(...).n_fits``).  Arguments as for :func:`tune` (the others do not change the plan);
    the same checks raise the same errors.
    """
    if engine not in eng.ENGINES:
        raise ValueError(f"engine must be one of {', '.join(eng.ENGINES)}, got {engine!r}")
    eng.check_params(engine, engine_params)
    candidates = _candidates(engine, regularization, engine_params)
    spw_search = _spw_search(engine, scale_pos_weight_search, engine_params)
    repeats = inp.check_positive_int(repeats, "repeats")
    if not isinstance(baselines, bool):
        raise TypeError(f"baselines must be True or False, got {baselines!r}")
    if inp.is_multilabel(y):
        _, labels = inp.check_multilabel_y(y)
        y_enc, n_classes, binary = inp.multilabel_strata(labels), 2, False
    else:
        classes, y_enc = inp.check_y(y)
        n_classes, binary = classes.size, classes.size == 2
    gamma_list = inp.check_gammas(gammas)
    alpha_list, _ = inp.check_alphas(alphas, n_classes)
    rows = _rows(gamma_list, alpha_list, baselines, binary)
    if not isinstance(cv, bool) and isinstance(cv, numbers.Integral):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds, got {cv}")
        n_folds = int(cv) * int(repeats)
    elif hasattr(cv, "get_n_splits"):
        n_folds = int(cv.get_n_splits(np.zeros((y_enc.size, 1)), y_enc))
    else:
        n_folds = len(inp.make_splits(cv, int(repeats), y_enc, 0))
    return _plan(rows, n_folds, candidates, spw_search)


def _resolve_scoring(scoring: str | Callable[..., float]) -> tuple[str, Callable[..., float] | None]:
    from ._metrics import EXTRA

    if callable(scoring):
        name = getattr(scoring, "__name__", "score")
        if name in METRICS or name in EXTRA or name == "<lambda>":
            name = "custom_score"
        return name, scoring
    if not isinstance(scoring, str):
        raise TypeError(f"scoring must be a metric name or a callable, got {type(scoring).__name__}")
    return metric_name(scoring), None
