"""The per-row side columns of :func:`boostfocal.tune`: how the rows are split (stratified folds,
time-ordered expanding windows, grouped folds), and the amounts and costs the money scores need.

:func:`splitting` reads the ``time``, ``gap`` and ``groups`` arguments; the :class:`Splitting` it
returns makes the outer folds and each fold's inner training and validation split, and says in
words what the corrected t-test of the headline assumes under it.  :func:`money` reads ``amount``,
``admin_cost``, ``cost_fp``, ``cost_fn`` and ``alert_budget``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _inputs as inp

# --------------------------------------------------------------------------------------
# Time-ordered and grouped folds
# --------------------------------------------------------------------------------------

#: Units of a duration written as text (``"2d"``, ``"12h"``, ``"30min"``, ``"90s"``), in seconds.
DURATION_UNITS = {"w": 604_800.0, "d": 86_400.0, "h": 3_600.0, "min": 60.0, "m": 60.0, "s": 1.0}


def side_column(value: Any, X: Any, name: str, n: int) -> tuple[Any, NDArray[Any] | None, str | None]:
    """``value`` of ``tune(time=..., groups=..., amount=...)`` as an array of ``n`` values.

    A string names a column of the DataFrame ``X``; returns ``(X, array, column name)``.  Anything
    else is the array itself (``(X, array, None)``); ``None`` gives ``(X, None, None)``.
    """
    if value is None:
        return X, None, None
    if isinstance(value, str):
        columns = [str(c) for c in getattr(X, "columns", [])]
        if value not in columns:
            where = f"X has no column {value!r}" if columns else "X is not a DataFrame"
            raise ValueError(f"{name}={value!r} names a column, but {where}")
        col = X[X.columns[columns.index(value)]]
        return X, np.asarray(col.to_numpy() if hasattr(col, "to_numpy") else col), value
    arr = np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must hold one value per row ({n}), got shape {arr.shape}")
    return X, arr, None


def time_values(time: NDArray[Any]) -> tuple[NDArray[np.float64], bool]:
    """Times as float seconds (datetimes and timedeltas converted), and whether they were datetimes."""
    if time.dtype.kind in "Mm":
        if np.isnat(time).any():
            raise ValueError(f"time has {int(np.isnat(time).sum())} missing value(s)")
        return time.astype("datetime64[ns]" if time.dtype.kind == "M" else "timedelta64[ns]").astype(np.int64).astype(
            np.float64
        ) / 1e9, True
    try:
        t = time.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError("time must hold numbers (seconds) or datetimes") from None
    if not np.all(np.isfinite(t)):
        raise ValueError(f"time has {int(np.sum(~np.isfinite(t)))} missing or infinite value(s)")
    return t, False


def parse_gap(gap: Any) -> tuple[str, float]:
    """``gap`` as ``("rows", k)`` (an int >= 0) or ``("seconds", s)`` (a duration: ``"2d"``,
    ``"12h"``, ``"30min"``, ``"90s"``, ``"1w"``, or a ``datetime.timedelta``/``numpy.timedelta64``)."""
    import datetime

    if isinstance(gap, bool):
        raise TypeError(f"gap must be a number of rows or a duration such as '2d', got {gap!r}")
    if isinstance(gap, numbers.Integral):
        if gap < 0:
            raise ValueError(f"gap must be >= 0 rows, got {gap}")
        return "rows", float(gap)
    if isinstance(gap, datetime.timedelta):
        return "seconds", gap.total_seconds()
    if isinstance(gap, np.timedelta64):
        return "seconds", float(gap / np.timedelta64(1, "s"))
    if isinstance(gap, str):
        import re

        m = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*(w|d|h|min|m|s)?\s*", gap.lower())
        if m is not None:
            if m.group(2) is None:
                return "rows", float(int(float(m.group(1))))
            return "seconds", float(m.group(1)) * DURATION_UNITS[m.group(2)]
    raise ValueError(f"gap must be a number of rows (e.g. 1000) or a duration (e.g. '2d', '12h', '30min'), got {gap!r}")


def time_splits(
    time: NDArray[np.float64], y_enc: NDArray[np.intp], n_splits: int, gap: tuple[str, float]
) -> list[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """Expanding-window folds in time order: the rows sorted by time are cut into ``n_splits + 1``
    blocks of equal size; fold ``k`` trains on blocks ``0..k`` and tests on block ``k + 1``,
    leaving out of training the rows within ``gap`` (rows, or seconds) before the test block.

    Every test block must hold every class (labels arriving late, such as chargebacks, are what
    the gap is for); an empty training window or a test block without a class raises.
    """
    order = np.argsort(time, kind="stable")
    bounds = np.linspace(0, order.size, n_splits + 2).round().astype(int)
    k = int(y_enc.max()) + 1
    splits = []
    for f in range(n_splits):
        start, stop = bounds[f + 1], bounds[f + 2]
        test = order[start:stop]
        if gap[0] == "rows":
            train = order[: max(0, start - int(gap[1]))]
        else:
            train = order[:start][time[order[:start]] < time[order[start]] - gap[1]]
        if train.size == 0:
            raise ValueError(f"time fold {f + 1}: the gap leaves no training rows before the test period")
        present = np.bincount(y_enc[test], minlength=k)
        if np.any(present == 0):
            raise ValueError(
                f"time fold {f + 1} of {n_splits}: its test period holds no row of class "
                f"{int(np.flatnonzero(present == 0)[0])}; use fewer folds (cv)"
            )
        splits.append((np.sort(train), np.sort(test)))
    return splits


def group_splits(
    groups: NDArray[Any], y_enc: NDArray[np.intp], n_splits: int, repeats: int, seed: int
) -> list[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """Stratified folds that keep each group (card, customer) in one fold: scikit-learn's
    ``StratifiedGroupKFold``, shuffled, ``repeats`` times with different seeds."""
    from sklearn.model_selection import StratifiedGroupKFold

    codes = np.unique(groups.astype(str) if groups.dtype.kind == "O" else groups, return_inverse=True)[1]
    if np.unique(codes).size < n_splits:
        raise ValueError(f"groups has {np.unique(codes).size} distinct values: too few for cv={n_splits} folds")
    dummy = np.zeros((y_enc.shape[0], 1))
    splits = []
    for r in range(repeats):
        sgkf = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed + r)
        splits += [(np.asarray(tr, np.intp), np.asarray(te, np.intp)) for tr, te in sgkf.split(dummy, y_enc, codes)]
    return splits


def latest_split(
    train: NDArray[np.intp], time: NDArray[np.float64], y_enc: NDArray[np.intp], fraction: float
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Inner split of a time-ordered training window: its latest ``fraction`` of rows validates."""
    order = train[np.argsort(time[train], kind="stable")]
    cut = round(order.size * (1.0 - fraction))
    fit, val = order[:cut], order[cut:]
    k = int(y_enc.max()) + 1
    if np.bincount(y_enc[val], minlength=k).min() < 1 or np.bincount(y_enc[fit], minlength=k).min() < 1:
        raise ValueError(
            "the latest part of a training window holds no row of a class: too few to validate on "
            "(use fewer folds or a larger validation_fraction)"
        )
    return np.sort(fit), np.sort(val)


def group_inner_split(
    train: NDArray[np.intp], groups: NDArray[Any], y_enc: NDArray[np.intp], fraction: float, seed: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Inner split of a grouped training part: stratified, each group on one side."""
    from sklearn.model_selection import StratifiedGroupKFold

    k = max(2, round(1.0 / fraction))
    codes = np.unique(groups[train].astype(str), return_inverse=True)[1]
    sgkf = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    fit_pos, val_pos = next(sgkf.split(np.zeros((train.size, 1)), y_enc[train], codes))
    return train[np.sort(fit_pos)], train[np.sort(val_pos)]


#: What the Nadeau-Bengio corrected t-test assumes under each way of splitting.
ASSUMPTIONS = {
    "stratified": (
        "treats the fold differences as exchangeable draws whose training sets overlap by the "
        "share n_test/n_train, as random folds of one table are"
    ),
    "grouped": (
        "treats the fold differences as for random folds, with groups (not rows) drawn into folds: "
        "rows of one group are not independent, so it needs many groups"
    ),
    "time": (
        "treats the periods' differences as exchangeable; with drift they are not (a later "
        "period can favour one model), so read it as a description of these periods, not a "
        "guarantee for the next one"
    ),
}


@dataclass(frozen=True)
class Splitting:
    """How :func:`boostfocal.tune` splits the rows (see :func:`splitting`)."""

    kind: str  # "stratified", "time" or "grouped"
    time: NDArray[np.float64] | None = None
    groups: NDArray[Any] | None = None
    gap: tuple[str, float] = ("rows", 0.0)
    column: str | None = None  # the DataFrame column that held the time or the groups

    def outer(
        self, cv: Any, repeats: int, strata: NDArray[np.intp], seed: int
    ) -> list[tuple[NDArray[np.intp], NDArray[np.intp]]]:
        """The outer folds (train, test) of this splitting."""
        if self.kind == "stratified":
            return inp.make_splits(cv, repeats, strata, seed)
        if isinstance(cv, bool) or not isinstance(cv, numbers.Integral) or cv < 2:
            raise ValueError(f"with {self.kind} folds, cv must be an integer >= 2, got {cv!r}")
        if self.kind == "time":
            if repeats != 1:
                raise ValueError("repeats applies to shuffled folds; time-ordered folds are one fixed sequence")
            assert self.time is not None
            return time_splits(self.time, strata, int(cv), self.gap)
        assert self.groups is not None
        return group_splits(self.groups, strata, int(cv), repeats, seed)

    def inner(
        self, train: NDArray[np.intp], strata: NDArray[np.intp], fraction: float, seed: int
    ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """The inner training and validation rows of one outer training part."""
        if self.kind == "time":
            assert self.time is not None
            return latest_split(train, self.time, strata, fraction)
        if self.kind == "grouped":
            assert self.groups is not None
            return group_inner_split(train, self.groups, strata, fraction, seed)
        return inp.inner_split(train, strata, fraction, seed)

    def describe(self, cv: Any, repeats: int) -> str:
        """The folds in a few words, e.g. ``3 time-ordered expanding-window folds, gap 2d``."""
        if self.kind == "time":
            unit, size = self.gap
            gap = "" if size == 0 else f", gap {_duration(size) if unit == 'seconds' else f'{int(size):,} rows'}"
            col = f" on {self.column!r}" if self.column else ""
            return (
                f"{cv} time-ordered expanding-window folds{col}{gap}; inner validation: the latest part of each window"
            )
        rep = f" x {repeats} repeats" if repeats > 1 else ""
        if self.kind == "grouped":
            col = f" {self.column!r}" if self.column else ""
            return f"{cv}-fold stratified grouped by{col or ' group'}{rep}"
        return f"{cv}-fold stratified{rep}"

    def assumption(self) -> str:
        """What the corrected t-test assumes under this splitting, in one clause."""
        return ASSUMPTIONS[self.kind]

    def record(self) -> dict[str, Any]:
        """JSON-ready facts for ``result.settings["split"]``."""
        out: dict[str, Any] = {"kind": self.kind, "column": self.column}
        if self.kind == "time":
            out["gap"] = {"unit": self.gap[0], "size": self.gap[1]}
        return out


def _duration(seconds: float) -> str:
    for unit, size in (("w", 604_800.0), ("d", 86_400.0), ("h", 3_600.0), ("min", 60.0)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def splitting(X: Any, n: int, time: Any, gap: Any, groups: Any, time_feature: bool) -> tuple[Any, Splitting]:
    """The :class:`Splitting` that ``tune(time=, gap=, groups=)`` asks for, and ``X`` without the
    time column (unless ``time_feature``) and without the group column when they name columns.

    ``time`` and ``groups`` are arrays of one value per row, or names of columns of the DataFrame
    ``X``; they exclude each other.  ``gap`` (rows, or a duration) needs ``time``.
    """
    if not isinstance(time_feature, bool):
        raise TypeError(f"time_feature must be True or False, got {time_feature!r}")
    if time is not None and groups is not None:
        raise ValueError("give time (time-ordered folds) or groups (grouped folds), not both")
    unit, size = parse_gap(gap)
    if size and time is None:
        raise ValueError("gap applies to time-ordered folds: give time too")
    if time is not None:
        X, arr, col = side_column(time, X, "time", n)
        assert arr is not None
        t, is_datetime = time_values(arr)
        if col is not None and not time_feature:
            X = X.drop(columns=[c for c in X.columns if str(c) == col])
        elif col is not None and is_datetime:
            raise ValueError(f"time_feature=True: the time column {col!r} holds datetimes; turn it into numbers first")
        return X, Splitting("time", time=t, gap=(unit, size), column=col)
    if groups is not None:
        X, arr, col = side_column(groups, X, "groups", n)
        if col is not None:
            X = X.drop(columns=[c for c in X.columns if str(c) == col])
        return X, Splitting("grouped", groups=arr, column=col)
    return X, Splitting("stratified")


def money(
    X: Any,
    n: int,
    binary: bool,
    amount: Any,
    admin_cost: Any,
    cost_fp: Any,
    cost_fn: Any,
    alert_budget: Any,
) -> tuple[Any, int | float | None, dict[str, NDArray[Any]] | None, list[str], dict[str, Any]]:
    """The money settings of :func:`boostfocal.tune`: the :class:`~boostfocal.metrics.Costs` (or
    None), the alert budget, the side arrays the scores need (``{"amount": ...}``), the
    :data:`~._metrics.MONEY` columns they add, and a JSON-ready record.

    ``amount`` is an array or the name of a column of the DataFrame ``X`` (it stays a feature).
    """
    from ..metrics import Costs, alert_count, check_amount

    names: list[str] = []
    costs = None
    aux = None
    given = admin_cost is not None or cost_fp is not None or cost_fn is not None
    if (given or alert_budget is not None) and not binary:
        raise ValueError("money scores (admin_cost, cost_fp/cost_fn, alert_budget) need a binary target")
    if amount is not None and admin_cost is None:
        raise ValueError("amount is used with admin_cost (the cost of an alert): give admin_cost too")
    column = None
    if given:
        costs = Costs(admin_cost=admin_cost, cost_fp=cost_fp, cost_fn=cost_fn)
        if costs.uses_amount:
            _, arr, column = side_column(amount, X, "amount", n)
            aux = {"amount": check_amount(arr, n)}
        names += ["savings", "cost"]
    if alert_budget is not None:
        alert_count(alert_budget, n)  # checked now
        names.append("precision_at_budget")
    record = {
        "costs": None if costs is None else {k: getattr(costs, k) for k in ("admin_cost", "cost_fp", "cost_fn")},
        "amount": column if column is not None else (aux is not None),
        "alert_budget": alert_budget,
        "metrics": names,
    }
    return costs, alert_budget, aux, names, record
