"""The search: folds, the fits each fold needs, running them in parallel, the regularisation choice.

Per outer fold, for every row of the table (a focal ``(gamma, alpha)`` or a baseline) and every
candidate of the regularisation search, one model is fitted on the inner training split and
early-stopped on the inner validation split.  Per (fold, row) the candidate with the best
validation score (the ``scoring`` metric of its recovered posterior) is kept, and only its test-fold
scores enter the table: the test fold chooses nothing.

The fits are independent tasks run by :class:`joblib.Parallel`, each with one engine thread (an
engine asking for every core in every process makes the threads fight on a busy machine: see
DESIGN.md, "Threads under load").  Inside ``joblib.parallel_config(backend="dask")`` they run on a
Dask cluster.  A fit's result depends only on its task, never on which worker ran it or when: the
same ``random_state`` gives the same table, serial or parallel, local or on a cluster.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray

from .._adapter import resolve_loss
from . import _engines as eng
from ._inputs import take
from ._metrics import METRICS, Scored, greater_is_better, per_label, test_scores, validation_score


@dataclass(frozen=True)
class Row:
    """One row of the table: a model family and its focal parameters."""

    kind: str
    gamma: float | None
    alpha: Any


#: Key of a ``scale_pos_weight`` search candidate that is not an engine parameter: the weight is
#: ``(n_neg / n_pos) ** power`` of the inner training split.
SPW_POWER = "scale_pos_weight_power"


def row_candidates(
    row: Row, candidates: list[dict[str, Any]], spw_search: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The candidates one row is fitted with in each fold: the regularisation search, or for the
    ``scale_pos_weight`` row its own search (weight, ``max_delta_step``, regularisation) instead."""
    if row.kind != eng.SPW or not spw_search:
        return candidates
    return spw_search


@dataclass(frozen=True)
class Settings:
    """What every fit shares (picklable: shipped to the workers)."""

    engine: str
    params: dict[str, Any]
    n_estimators: int
    rounds: int | None  # early-stopping patience, None: every round
    stop_name: str  # metric to early-stop on, or "objective"
    scoring_name: str
    scoring_fn: Callable[..., float] | None
    metric_names: tuple[str, ...]
    precision_level: float
    hessian: str
    seed: int
    binary: bool
    categorical: tuple[int, ...] = ()  # LightGBM's categorical_feature for an array of category codes
    multilabel: bool = False  # y is an (n, L) 0/1 matrix: every row is a multilabel focal estimator
    costs: Any = None  # boostfocal.metrics.Costs of the money scores (referee, issue #25)
    alert_budget: Any = None  # alerts a team can check: a count or a share of the rows


@dataclass(frozen=True)
class Fold:
    """Row indices of one outer fold: inner training, inner validation (maybe empty), test."""

    fit: NDArray[np.intp]
    val: NDArray[np.intp]
    test: NDArray[np.intp]


@dataclass
class FitOutcome:
    """What one fit reports back: validation score, test scores, details."""

    fold: int
    row: int
    candidate: int
    val_score: float
    scores: dict[str, float]
    extra: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def _one_numba_thread() -> Iterator[None]:
    """numba's thread pool (used by the compiled kernels) at one thread for the duration of a fit."""
    numba = sys.modules.get("numba")
    if numba is None:
        yield
        return
    try:
        before = numba.get_num_threads()
        numba.set_num_threads(1)
    except Exception:  # pragma: no cover - numba without a threading layer
        yield
        return
    try:
        yield
    finally:
        numba.set_num_threads(before)


def run_fit(
    settings: Settings,
    row: Row,
    candidate: dict[str, Any],
    fold_id: int,
    row_id: int,
    cand_id: int,
    fold: Fold,
    X: Any,
    y: NDArray[np.intp],
    w: NDArray[np.float64] | None,
    aux: dict[str, NDArray[Any]] | None = None,
) -> FitOutcome:
    """Fit one model of one fold with one thread; score it on the inner validation split and the test fold.

    ``aux``: row-aligned side arrays, sliced like the weights and handed to the scores."""
    s = settings
    focal_cls, builtin_cls = eng.estimator_classes(s.engine)
    X_fit, y_fit = take(X, fold.fit), y[fold.fit]
    X_val, y_val = take(X, fold.val), y[fold.val]
    X_test, y_test = take(X, fold.test), y[fold.test]
    w_fit = None if w is None else w[fold.fit]
    w_val = None if w is None else w[fold.val]
    w_test = None if w is None else w[fold.test]
    has_val = fold.val.size > 0
    stopping = s.rounds is not None and has_val

    candidate = dict(candidate)
    power = float(candidate.pop(SPW_POWER, 1.0))
    spw = 1.0
    if s.binary:
        wf = np.ones(y_fit.size) if w_fit is None else w_fit
        pos = float(np.sum(wf[y_fit == 1]))
        spw = ((float(np.sum(wf)) - pos) / pos) ** power if pos > 0 else 1.0

    kw: dict[str, Any] = {"n_estimators": s.n_estimators, "random_state": s.seed, "n_jobs": 1, **s.params}
    kw.update(candidate)
    # multilabel: every row is the multilabel focal estimator, log-loss too (gamma = 0, alpha = None:
    # the engine's binary log-loss of each label)
    focal = eng.is_focal(row.kind) or s.multilabel
    gamma = 0.0 if row.gamma is None else row.gamma
    extra: dict[str, Any] = {}
    stop = None
    w_stop = w_val
    if s.engine == "xgboost" and stopping:
        kw["early_stopping_rounds"] = int(s.rounds)  # type: ignore[arg-type]
    if stopping and s.stop_name != "objective":
        stop = eng.ValidationScore(
            s.engine,
            s.stop_name,
            greater_is_better(s.stop_name),
            eng.FOCAL if s.multilabel else row.kind,
            s.precision_level,
            s.scoring_fn if s.stop_name == s.scoring_name else None,
            spw,
        )
        if s.engine == "xgboost":
            kw["eval_metric"] = stop
            if not focal:
                kw["disable_default_eval_metric"] = True
        elif not focal:
            kw["metric"] = "None"  # only the validation score is needed
    elif stopping and not focal:
        if s.engine == "xgboost":
            kw["eval_metric"] = "logloss" if s.binary else "mlogloss"
        if row.kind == eng.SPW:  # the objective the model trains on: log-loss weighted like scale_pos_weight
            base = np.ones(y_val.size) if w_val is None else w_val
            w_stop = np.where(y_val == 1, spw * base, base)
    if focal:
        est = focal_cls(gamma=gamma, alpha=row.alpha, hessian=s.hessian, **kw)
    else:
        if row.kind == eng.SPW:
            kw["scale_pos_weight"] = spw
            extra["scale_pos_weight"] = spw
        est = builtin_cls(**kw)
    if stop is not None and s.multilabel:
        # the loss the multilabel estimator resolves (its posterior); LightGBM's per-label boosters
        # are early-stopped on rank metrics of their margins, which need none
        stop.loss = _multilabel_loss(y_fit, gamma, row.alpha, s.hessian, w_fit)
    elif stop is not None and focal:
        # the loss the estimator resolves at the start of fit (alpha="balanced" from these labels and weights)
        classes, y_codes = np.unique(y_fit, return_inverse=True)
        stop.loss = resolve_loss(y_codes, classes.size, gamma, row.alpha, s.hessian, w_fit)
    valid = (X_val, y_val, w_stop) if stopping else None
    fit = eng.lgb_fit if s.engine == "lightgbm" else eng.xgb_fit
    t0 = time.perf_counter()
    with _one_numba_thread(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ff]ound `?n_estimators`? in params.*")
        fit(est, X_fit, y_fit, w_fit, valid, stop, int(s.rounds or 0), s.categorical)
    fit_time = time.perf_counter() - t0

    val = None
    if has_val:
        proba_val = eng.predict_proba(est, s.engine, row.kind, X_val, spw)
        val = Scored(y_val, proba_val, w_val, _aux_take(aux, fold.val))
    if stop is not None and s.stop_name == s.scoring_name and not (s.multilabel and s.engine == "lightgbm"):
        # early stopping already scored the kept trees on the inner validation split
        val_score = eng.best_validation_score(est, s.engine, stop)
    elif val is not None:
        val_score = validation_score(s, row, val)
    else:
        val_score = float("nan")
    proba = eng.predict_proba(est, s.engine, row.kind, X_test, spw)
    if focal and row.alpha == "balanced":
        extra["alpha"] = est.loss_.alpha
    scores = test_scores(s, row, val, Scored(y_test, proba, w_test, _aux_take(aux, fold.test)))
    if s.multilabel:
        extra["per_label"] = {m: per_label(m, y_test, proba, s.precision_level, w_test) for m in METRICS}
    scores["best_iteration"] = float(eng.best_iteration(est, s.engine, s.n_estimators))
    scores["fit_time"] = fit_time
    return FitOutcome(fold_id, row_id, cand_id, val_score, scores, extra)


def _aux_take(aux: dict[str, NDArray[Any]] | None, idx: NDArray[np.intp]) -> dict[str, NDArray[Any]] | None:
    """The side arrays of the rows ``idx`` (sliced like the weights)."""
    return None if aux is None else {k: np.asarray(a)[idx] for k, a in aux.items()}


def _multilabel_loss(Y: NDArray[np.intp], gamma: float, alpha: Any, hessian: str, w: Any) -> Any:
    """The :class:`~boostfocal.MultilabelFocalLoss` a multilabel estimator trains with on ``Y``
    (``alpha="balanced"``: :func:`boostfocal.balanced_alpha` per label, with the weights)."""
    from ..losses import MultilabelFocalLoss, balanced_alpha

    if alpha == "balanced":
        alpha = balanced_alpha(Y, sample_weight=w, multilabel=True)
    return MultilabelFocalLoss(Y.shape[1], alpha=alpha, gamma=gamma, hessian=hessian)


def choose(outcomes: list[FitOutcome], metric: str) -> FitOutcome:
    """The candidate with the best validation score (ties and NaN: the earlier candidate)."""
    higher = greater_is_better(metric)
    best = outcomes[0]
    for o in outcomes[1:]:
        if np.isnan(o.val_score):
            continue
        if np.isnan(best.val_score) or (o.val_score > best.val_score if higher else o.val_score < best.val_score):
            best = o
    return best


def resolve_n_jobs(n_jobs: int | None) -> int:
    """``n_jobs`` for :class:`joblib.Parallel`: None means the active ``joblib.parallel_config``'s, else all cores."""
    if n_jobs is not None:
        return n_jobs
    from joblib.parallel import get_active_backend

    _, configured = get_active_backend()
    return configured if isinstance(configured, int) else -1


def run_all(
    settings: Settings,
    rows: list[Row],
    candidates: list[dict[str, Any]],
    spw_search: list[dict[str, Any]],
    folds: list[Fold],
    X: Any,
    y: NDArray[np.intp],
    w: NDArray[np.float64] | None,
    n_jobs: int | None,
    progress: bool,
    aux: dict[str, NDArray[Any]] | None = None,
) -> list[list[FitOutcome]]:
    """Every fit, in parallel; returns per (fold, row) the outcomes of all the row's candidates
    (:func:`row_candidates`), in candidate order.

    Result ``[f * len(rows) + r][c]``.
    """
    from joblib import Parallel, delayed

    per_row = [row_candidates(row, candidates, spw_search) for row in rows]
    tasks = [
        (f, r, c, fold, row, cand)
        for f, fold in enumerate(folds)
        for r, row in enumerate(rows)
        for c, cand in enumerate(per_row[r])
    ]
    # the slowest fits first (focal, larger gamma: more trees), so that no worker is left with a
    # long fit at the end while the others idle; the order changes no result
    tasks.sort(key=lambda t: (not eng.is_focal(t[4].kind), -(t[4].gamma or 0.0), t[0], t[1], t[2]))
    out: list[list[FitOutcome | None]] = [[None] * len(per_row[r]) for _ in folds for r in range(len(rows))]
    bar = Progress(len(tasks), progress)
    try:
        parallel = Parallel(n_jobs=resolve_n_jobs(n_jobs), return_as="generator_unordered")
        results = parallel(
            delayed(run_fit)(settings, row, cand, f, r, c, fold, X, y, w, aux) for f, r, c, fold, row, cand in tasks
        )
        for res in results:
            out[res.fold * len(rows) + res.row][res.candidate] = res
            bar.update()
    finally:
        bar.close()
    return [[o for o in group if o is not None] for group in out]


class _NoBar:
    """Stands in for tqdm's bar when tqdm is not installed."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def refresh(self) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class _OneLinePerUpdate:
    """A text stream for tqdm on which every redraw is a line of its own.

    tqdm redraws its bar in place with a carriage return, which a log file or a pipe shows as one
    ever longer line; here each redraw ends with a newline instead (trailing padding dropped)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        for part in text.split("\r"):
            part = part.rstrip()
            if part:
                self.stream.write(part + "\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str | None:
        return getattr(self.stream, "encoding", None)


class Progress:
    """A progress bar on ``stream`` (stderr), drawn by tqdm, redrawn by a timer as well as by each
    finished fit, so that the elapsed time moves during a long fit.

    On a terminal it is redrawn in place every ``interval`` seconds.  Elsewhere (a log file, a
    pipe, CI) each redraw is a line of its own, every 30 seconds by default, and the last line is
    the final count.  Nothing is shown for runs shorter than ``delay`` seconds or when ``enabled``
    is false.
    """

    def __init__(
        self,
        total: int,
        enabled: bool,
        stream: TextIO | None = None,
        delay: float = 1.0,
        interval: float | None = None,
    ) -> None:
        try:
            from tqdm import tqdm
        except ImportError:  # the engines' extras install it
            if enabled:
                warnings.warn("no progress bar: tqdm is not installed (pip install tqdm)", stacklevel=3)
            enabled, tqdm = False, _NoBar
        self.stream = sys.stderr if stream is None else stream
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if interval is not None else (0.5 if tty else 30.0)
        self.delay = delay
        self.enabled = enabled
        self.bar = tqdm(
            total=total,
            desc="tune",
            unit="fit",
            file=self.stream if tty else _OneLinePerUpdate(self.stream),
            disable=not enabled,
            delay=delay,
            mininterval=0.5 if tty else self.interval,
            leave=True,
            dynamic_ncols=tty,
            ascii=not tty,
        )
        self._tty = tty
        self._start = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if enabled:
            self._thread = threading.Thread(target=self._tick, name="boostfocal-progress", daemon=True)
            self._thread.start()

    def _tick(self) -> None:
        start = time.monotonic()
        while not self._stop.wait(self.interval):
            if time.monotonic() - start >= self.delay:
                with self._lock:
                    self.bar.refresh()

    def update(self, n: int = 1) -> None:
        with self._lock:
            self.bar.update(n)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self.enabled and not self._tty and time.monotonic() - self._start >= self.delay:
                self.bar.refresh()  # off a terminal, the final count is a line even between redraws
            self.bar.close()
