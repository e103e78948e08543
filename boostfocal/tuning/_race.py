"""The budgeted search and the parallel run: racing, successive halving, the kept models' scores.

:func:`run_all` runs every fit of :mod:`._search` through :class:`joblib.Parallel` and keeps, per
(fold, row), one candidate (see the module docstring of :mod:`._search`); :func:`collect` makes the
table's rows of what it kept.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _engines as eng
from . import _search
from ._metrics import greater_is_better
from ._progress import Progress
from ._result import ConfigResult
from ._search import FitOutcome, Fitted, Fold, Row, Settings, _quiet, row_candidates, score_kept

#: Successive halving over the focal rows: each rung keeps the best ``1 / HALVING_ETA`` of them,
#: and trains them ``HALVING_ETA`` times as many rounds.
HALVING_ETA = 3
#: Successive halving applies from this many focal rows (``gamma > 0``) on.
HALVING_MIN_ROWS = 6
#: joblib's preferred backend for the fits: the engines release the GIL while they build trees
#: (measured in ``benchmarks/tune_time.py``).
PREFER = "threads"


def resolve_n_jobs(n_jobs: int | None) -> int:
    """``n_jobs`` for :class:`joblib.Parallel`: None means the active ``joblib.parallel_config``'s, else all cores."""
    if n_jobs is not None:
        return n_jobs
    from joblib.parallel import get_active_backend

    _, configured = get_active_backend()
    return configured if isinstance(configured, int) else -1


def race_plan(
    settings: Settings, rows: list[Row], per_row: list[list[dict[str, Any]]], folds: list[Fold]
) -> tuple[list[int], set[int]]:
    """The budgets of the search and the rows halved.

    Returns ``(budgets, halved)``: the rounds of each rung, the last being ``n_estimators`` (one
    rung, ``[n_estimators]``: the full search), and the indices of the rows under successive
    halving (the focal rows with ``gamma > 0`` when there are at least :data:`HALVING_MIN_ROWS`).
    A row with several candidates races them to ``budgets[0]`` rounds and finishes only the best.
    """
    s = settings
    race = s.race_rounds
    no_val = any(fold.val.size == 0 for fold in folds)  # nothing to race on
    if race is None or s.multilabel or race >= s.n_estimators or no_val:
        return [s.n_estimators], set()
    budgets = [int(race)]
    while budgets[-1] * HALVING_ETA < s.n_estimators:
        budgets.append(budgets[-1] * HALVING_ETA)
    budgets.append(s.n_estimators)
    focal = [i for i, r in enumerate(rows) if r.kind == eng.FOCAL and (r.gamma or 0.0) > 0]
    halved = set(focal) if len(focal) >= HALVING_MIN_ROWS else set()
    if not halved and all(len(c) < 2 for c in per_row):
        return [s.n_estimators], set()
    return budgets, halved


def describe_search(settings: Settings, rows: list[Row], per_row: list[list[dict[str, Any]]], folds: list[Fold]) -> str:
    """One line saying what was raced (or that the search was full)."""
    budgets, halved = race_plan(settings, rows, per_row, folds)
    if len(budgets) == 1:
        return "Full search: every candidate of every row trained to the end."
    text = (
        f"Budgeted search: each row's regularisation candidates raced to {budgets[0]} rounds on the inner "
        "split, only the best trained to the end"
    )
    if halved:
        rungs = ", ".join(str(b) for b in budgets[:-1])
        text += (
            f"; successive halving (eta = {HALVING_ETA}) over the {len(halved)} focal rows at {rungs} rounds, "
            "rows stopped early marked in the table"
        )
    return text + " (the full search: full_search=True, boostfocal tune --full-search)."


def _race(
    settings: Settings,
    row: Row,
    cand: dict[str, Any],
    key: tuple[int, int, int],
    fold: Fold,
    X: Any,
    y: NDArray[np.intp],
    w: NDArray[np.float64] | None,
    budget: int,
    aux: dict[str, NDArray[Any]] | None,
) -> tuple[tuple[int, int, int], Fitted]:
    return key, _search.run_fit(settings, row, cand, fold, X, y, w, budget, aux)


def _finish(
    settings: Settings,
    row: Row,
    cand: dict[str, Any],
    key: tuple[int, int, int],
    fold: Fold,
    X: Any,
    y: NDArray[np.intp],
    w: NDArray[np.float64] | None,
    aux: dict[str, NDArray[Any]] | None,
    fitted: Fitted | None,
) -> tuple[tuple[int, int, int], Fitted, dict[str, Any]]:
    """The kept model of a (fold, row), trained to the end unless ``fitted`` already is, scored on the test fold."""
    if fitted is None:
        fitted = _search.run_fit(settings, row, cand, fold, X, y, w, None, aux)
    return key, fitted, score_kept(settings, row, fitted, fold, X, y, w, aux)


def _cut(alive: list[int], fits: dict[int, Fitted], metric: str) -> list[int]:
    """The rows of one fold that go on to the next rung: the best third by validation score."""
    higher = greater_is_better(metric)

    def key(r: int) -> tuple[float, int]:
        v = fits[r].val_score
        return (np.inf if np.isnan(v) else (-v if higher else v), r)

    keep = max(1, -(-len(alive) // HALVING_ETA))
    return sorted(sorted(alive, key=key)[:keep])


def _cut_folds(
    n_folds: int,
    halved: set[int],
    stopped: dict[tuple[int, int], int],
    fits: dict[tuple[int, int, int], Fitted],
    kept: dict[tuple[int, int], int],
    metric: str,
    rounds: int,
    bar: Progress,
) -> None:
    """In each fold, the halved rows still in the race cut to the best third (:func:`_cut`); the
    others are marked in ``stopped`` at ``rounds`` and settled on the bar."""
    for f in range(n_folds):
        alive = [r for r in sorted(halved) if (f, r) not in stopped]
        keep = _cut(alive, {r: fits[(f, r, kept[(f, r)])] for r in alive}, metric)
        stopped.update({(f, r): rounds for r in alive if r not in keep})
        bar.update(len(alive) - len(keep))


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
    (:func:`row_candidates`), in candidate order, the kept one marked ``kept`` and alone scored
    on the test fold.

    Rung 0 trains every candidate of every row (to ``budgets[0]`` rounds where :func:`race_plan`
    races); each (fold, row) keeps the candidate with the best validation score.  Each later rung
    trains the kept candidate of the rows still in the race further (from the start, with more
    rounds: the same trees); between rungs, successive halving keeps the best third of the halved
    rows of each fold, and marks the others ``stopped_early`` at the rung's rounds (their scores
    NaN, so that they are neither ranked nor chosen).  Result ``[f * len(rows) + r][c]``.
    """
    from joblib import Parallel, delayed

    s = settings
    per_row = [row_candidates(row, candidates, spw_search) for row in rows]
    budgets, halved = race_plan(s, rows, per_row, folds)
    raced = [len(per_row[r]) > 1 or r in halved for r in range(len(rows))]
    tasks = [
        (f, r, c, fold, row, cand, budgets[0] if raced[r] else s.n_estimators)
        for f, fold in enumerate(folds)
        for r, row in enumerate(rows)
        for c, cand in enumerate(per_row[r])
    ]
    # the slowest fits first (focal, larger gamma: more trees), so that no worker is left with a
    # long fit at the end while the others idle; the order changes no result
    tasks.sort(key=lambda t: (not eng.is_focal(t[4].kind), -(t[4].gamma or 0.0), t[0], t[1], t[2]))
    fits: dict[tuple[int, int, int], Fitted] = {}
    stack = contextlib.ExitStack()
    # the bar counts the plan's fits (one per fold, row and candidate: TunePlan.n_fits), each once
    # it is settled: a raced candidate when its row's race is decided (the losers; the kept one when
    # it is stopped early or trained to the end), any other when it is trained
    bar = Progress(len(tasks), progress)
    back = dict.fromkeys(((f, r) for f in range(len(folds)) for r in range(len(rows))), 0)
    try:
        stack.enter_context(_quiet())
        parallel = Parallel(n_jobs=resolve_n_jobs(n_jobs), return_as="generator_unordered", prefer=PREFER)
        for key, fitted in parallel(
            delayed(_race)(s, row, cand, (f, r, c), fold, X, y, w, b, aux) for f, r, c, fold, row, cand, b in tasks
        ):
            fits[key] = fitted
            back[key[:2]] += 1
            if back[key[:2]] == len(per_row[key[1]]):  # the row's race in this fold is decided
                bar.update(len(per_row[key[1]]) - 1 if raced[key[1]] else 1)
        kept = {
            (f, r): max(range(len(per_row[r])), key=lambda c: _rank_key(fits[(f, r, c)].val_score, s.scoring_name, c))
            for f in range(len(folds))
            for r in range(len(rows))
        }
        stopped: dict[tuple[int, int], int] = {}
        for rung in range(1, len(budgets)):  # each cut, then the next rung (none after the last cut)
            _cut_folds(len(folds), halved, stopped, fits, kept, s.scoring_name, budgets[rung - 1], bar)
            more = [
                (f, r, kept[(f, r)])
                for f in range(len(folds))
                for r in sorted(halved)
                if rung < len(budgets) - 1 and (f, r) not in stopped and not fits[(f, r, kept[(f, r)])].complete
            ]
            for key, fitted in parallel(
                delayed(_race)(s, rows[r], per_row[r][c], (f, r, c), folds[f], X, y, w, budgets[rung], aux)
                for f, r, c in more
            ):
                fitted.fit_time += fits[key].fit_time
                fits[key] = fitted
        finish = [(f, r, kept[(f, r)]) for f in range(len(folds)) for r in range(len(rows)) if (f, r) not in stopped]
        scores: dict[tuple[int, int, int], dict[str, Any]] = {}
        for key, fitted, sc in parallel(
            delayed(_finish)(
                s, rows[k[1]], per_row[k[1]][k[2]], k, folds[k[0]], X, y, w, aux, fits[k] if fits[k].complete else None
            )
            for k in finish
        ):
            if fitted is not fits[key] and not fits[key].complete:
                fitted.fit_time += fits[key].fit_time
            if raced[key[1]]:
                bar.update()
            fits[key], scores[key] = fitted, sc
    finally:
        stack.close()
        bar.close()
    return _outcomes(s, folds, rows, per_row, fits, kept, scores, stopped, halved)


def _rank_key(value: float, metric: str, c: int) -> tuple[float, int]:
    """Sort key: the best validation score first, ties and NaN to the earlier candidate (for ``max``)."""
    if np.isnan(value):
        return (-np.inf, -c)
    return (value if greater_is_better(metric) else -value, -c)


def _outcomes(
    settings: Settings,
    folds: list[Fold],
    rows: list[Row],
    per_row: list[list[dict[str, Any]]],
    fits: dict[tuple[int, int, int], Fitted],
    kept: dict[tuple[int, int], int],
    scores: dict[tuple[int, int, int], dict[str, Any]],
    stopped: dict[tuple[int, int], int],
    halved: set[int],
) -> list[list[FitOutcome]]:
    """The :class:`FitOutcome` of every candidate of every (fold, row), in candidate order."""
    out: list[list[FitOutcome]] = []
    nan_scores = {m: float("nan") for m in (*settings.metric_names, "best_iteration")}
    for f in range(len(folds)):
        for r in range(len(rows)):
            group = []
            for c in range(len(per_row[r])):
                fitted = fits[(f, r, c)]
                is_kept = c == kept[(f, r)]
                extra = dict(fitted.extra)
                sc: dict[str, Any] = {}
                val_score = fitted.val_score
                if is_kept and r in halved:  # the round it was stopped at, None: finished
                    extra["stopped_early"] = stopped.get((f, r))
                if is_kept and (f, r) in stopped:
                    sc, val_score = dict(nan_scores), float("nan")
                elif is_kept:
                    sc = dict(scores[(f, r, c)])
                    per_label_scores = sc.pop("per_label", None)
                    if per_label_scores is not None:
                        extra["per_label"] = per_label_scores
                sc["fit_time"] = fitted.fit_time
                group.append(FitOutcome(f, r, c, val_score, sc, extra, kept=is_kept))
            out.append(group)
    return out


def collect(
    groups: list[list[FitOutcome]],
    rows: list[Row],
    per_row: list[list[dict[str, Any]]],
    n_folds: int,
    scoring: str,
) -> list[ConfigResult]:
    """The table's rows: per fold, the scores of the candidate chosen on the inner validation split,
    and that candidate's validation score (what the headline chooses the rows by)."""
    results = [ConfigResult(r.kind, r.gamma, r.alpha) for r in rows]
    for f in range(n_folds):
        for i, res in enumerate(results):
            outcomes = groups[f * len(rows) + i]
            chosen = next(o for o in outcomes if o.kept)
            for key, value in chosen.scores.items():
                res.scores.setdefault(key, []).append(value)
            # fit time of the row in this fold: every candidate it took to choose
            res.scores["fit_time"][-1] = float(sum(o.scores["fit_time"] for o in outcomes))
            for key, value in chosen.extra.items():
                res.extra.setdefault(key, []).append(value)
            res.extra.setdefault("validation_score", []).append(float(chosen.val_score))
            if len(per_row[i]) > 1:
                res.extra.setdefault("regularization", []).append(dict(per_row[i][chosen.candidate]))
                res.extra.setdefault("validation_scores", []).append([o.val_score for o in outcomes])
    return results
