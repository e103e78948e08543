"""Input checks of :func:`boostfocal.tune`: data, labels, weights, categorical columns, grids, folds.

Everything here runs before the first fit and raises ``ValueError``/``TypeError`` naming the
argument.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

from .. import _validation as v

#: A categorical column with more distinct values than this share of its non-missing rows (and
#: more than :data:`ID_MIN_LEVELS` of them) is taken for an identifier and refused.
ID_SHARE = 0.5
ID_MIN_LEVELS = 50


def take(X: Any, idx: NDArray[np.intp]) -> Any:
    return X.iloc[idx] if hasattr(X, "iloc") else X[idx]


def check_X(X: Any, n: int, categorical_features: Sequence[Any] | None) -> tuple[Any, list[str]]:
    """Features as the engines will see them, and the names of the categorical columns.

    A pandas DataFrame keeps its numeric columns; its ``category``, ``object``, ``string`` and
    ``bool`` columns, and the columns named in ``categorical_features``, become pandas
    ``category`` columns, which LightGBM (``categorical_feature="auto"``) and XGBoost
    (``enable_categorical=True``) split on natively; converted columns get their values as text
    levels (``"True"``, ``"red"``, ``"3"``).  A numeric array with ``categorical_features``
    (column indices) stays an array, without pandas: those columns must hold category codes
    (non-negative integers, NaN for missing), and the names returned are the indices as strings
    (the engines get them as LightGBM's ``categorical_feature`` and XGBoost's ``feature_types``).
    An object array (text) becomes a DataFrame (needs pandas).  Categories are fixed on the whole
    table (no label is read), so every fold has the same levels.
    """
    cats = list(categorical_features) if categorical_features is not None else []
    if isinstance(categorical_features, (str, bytes)):
        raise TypeError("categorical_features must be a sequence of column names or indices, not a string")
    is_frame = hasattr(X, "iloc") and hasattr(X, "dtypes")
    if cats and not is_frame and not hasattr(X, "tocsr"):
        arr = np.asarray(X)
        if arr.dtype.kind in "biuf":
            return _check_coded_array(arr, n, cats)
    if not is_frame and (cats or (isinstance(X, np.ndarray) and X.dtype.kind == "O")):
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("categorical features need pandas: pip install pandas") from None
        arr = np.asarray(X, dtype=object)
        if arr.ndim != 2:
            raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got shape {arr.shape}")
        X = pd.DataFrame({i: arr[:, i] for i in range(arr.shape[1])})
        X = X.infer_objects()
        is_frame = True
    if is_frame:
        return _check_frame(X, n, cats)
    if cats:  # pragma: no cover - handled above
        raise ValueError("categorical_features given but X is not a table")
    if hasattr(X, "tocsr"):  # scipy sparse
        out = X.tocsr()
    else:
        try:
            out = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                "X must be numeric: an array, a DataFrame (text columns become categorical) or a sparse matrix"
            ) from None
        if out.ndim != 2:
            raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got shape {out.shape}")
    if out.shape[0] != n:
        raise ValueError(f"X has {out.shape[0]} rows but y has {n} labels")
    return out, []


def _check_identifier(name: Any, n_levels: int, n_present: int) -> None:
    if n_levels > ID_MIN_LEVELS and n_levels > ID_SHARE * n_present:
        raise ValueError(
            f"categorical column {name!r} has {n_levels:,} distinct values in {n_present:,} rows: that looks "
            "like an identifier, not a category; drop it (or turn it into numbers)"
        )


def _check_coded_array(arr: NDArray[Any], n: int, cats: list[Any]) -> tuple[NDArray[np.float64], list[str]]:
    """A numeric array whose columns ``cats`` (indices) hold category codes; see :func:`check_X`."""
    if arr.ndim != 2:
        raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"X has {arr.shape[0]} rows but y has {n} labels")
    out = arr.astype(np.float64)
    k = out.shape[1]
    indices: list[int] = []
    for c in cats:
        if isinstance(c, bool) or not isinstance(c, numbers.Integral) or not -k <= c < k:
            raise ValueError(f"categorical_features: {c!r} is not a column index of X, which has {k} columns")
        i = int(c) % k
        if i in indices:
            raise ValueError(f"categorical_features: column {i} is named twice")
        col = out[:, i]
        present = col[~np.isnan(col)]
        if present.size and (np.any(present < 0) or np.any(present != np.floor(present)) or present.max() >= 2**31 - 1):
            raise ValueError(
                f"categorical column {i} must hold category codes (integers from 0, NaN for missing); "
                "pass a DataFrame to use text or other values"
            )
        _check_identifier(i, int(np.unique(present).size), int(present.size))
        indices.append(i)
    return out, [str(i) for i in sorted(indices)]


def _check_frame(X: Any, n: int, cats: list[Any]) -> tuple[Any, list[str]]:
    import pandas as pd

    if X.shape[0] != n:
        raise ValueError(f"X has {X.shape[0]} rows but y has {n} labels")
    columns = list(X.columns)
    named: list[Any] = []
    for c in cats:
        if c in columns:
            named.append(c)
        elif not isinstance(c, bool) and isinstance(c, numbers.Integral) and -len(columns) <= int(c) < len(columns):
            named.append(columns[int(c)])
        else:
            raise ValueError(f"categorical_features: no column {c!r} in X (columns: {columns[:8]}...)")
    out = X.copy(deep=False)
    categorical: list[str] = []
    for c in columns:
        dt = X[c].dtype
        auto = isinstance(dt, pd.CategoricalDtype) or dt.kind in "OSUb" or pd.api.types.is_string_dtype(dt)
        if dt.kind in "Mm":
            raise ValueError(f"X column {c!r} holds dates or times: turn them into numbers (e.g. hour, age) or drop it")
        if not (auto or c in named):
            if dt.kind not in "iuf":
                raise ValueError(f"X column {c!r} has dtype {dt}: expected numbers, text, booleans or categories")
            continue
        col = X[c]
        _check_identifier(c, int(col.nunique(dropna=True)), int(col.notna().sum()))
        if not isinstance(dt, pd.CategoricalDtype):
            # levels as text ("True", "red", "3"): XGBoost takes string or number levels, not booleans
            values = [None if missing else str(x) for x, missing in zip(col.tolist(), col.isna().tolist(), strict=True)]
            out[c] = pd.Categorical(values, categories=sorted({x for x in values if x is not None}))
        categorical.append(str(c))
    return out, categorical


def check_y(y: Any) -> tuple[NDArray[Any], NDArray[np.intp]]:
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-dimensional, got shape {arr.shape}")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"y contains {int(np.isnan(arr).sum())} missing (NaN) labels")
    if arr.dtype.kind == "O" and any(x is None or (isinstance(x, float) and math.isnan(x)) for x in arr):
        raise ValueError("y contains missing labels")
    if arr.dtype.kind in "OU":
        from ..tables import check_label_spelling

        check_label_spelling(arr.tolist(), "y")
    classes, y_enc = np.unique(arr, return_inverse=True)
    if classes.size < 2:
        raise ValueError(f"y has a single class ({classes[0]!r}): there is nothing to classify")
    return classes, y_enc.astype(np.intp)


def is_multilabel(y: Any) -> bool:
    """Whether ``y`` is a 2-D target of several columns (a multilabel indicator matrix)."""
    shape = np.shape(y)
    return len(shape) == 2 and shape[1] > 1


def check_multilabel_y(y: Any) -> tuple[NDArray[Any], NDArray[np.intp]]:
    """Label names and the ``(n, L)`` 0/1 indicator matrix of a multilabel target.

    Only 0 and 1 (booleans accepted) in every column, and both values in every column; a DataFrame
    gives its column names as the label names, an array ``0..L-1``.
    """
    names = np.asarray(list(y.columns)) if hasattr(y, "columns") else None
    arr = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if arr.dtype.kind == "O":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError("y: a multilabel target (2-D y) holds only 0 and 1") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"y: a multilabel target (2-D y) holds only 0 and 1, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"y contains {int(np.isnan(arr).sum())} missing (NaN) labels")
    num = arr.shape[1]
    names = np.arange(num) if names is None else names
    bad = [str(names[j]) for j in range(num) if not np.all((arr[:, j] == 0) | (arr[:, j] == 1))]
    if bad:
        raise ValueError(
            f"y: a multilabel target (2-D y) holds only 0 and 1; label(s) {', '.join(bad)} hold other values"
        )
    Y = arr.astype(np.intp)
    single = [str(names[j]) for j in range(num) if Y[:, j].min() == Y[:, j].max()]
    if single:
        raise ValueError(
            f"y: label(s) {', '.join(single)} hold a single class in the data: there is nothing to classify"
        )
    return names, Y


def multilabel_strata(Y: NDArray[np.intp]) -> NDArray[np.intp]:
    """The stratum of each row of a multilabel target for the stratified folds: the index of the
    rarest label (fewest positives in the data) the row carries, ``L`` for rows without any.

    Every fold then gets its share of each label's positives as far as a single key allows: a
    rare label's positives are spread evenly, and a row with several labels counts for its rarest.
    """
    L = Y.shape[1]
    order = np.argsort(Y.sum(axis=0), kind="stable")  # rarest label first
    strata = np.full(Y.shape[0], L, dtype=np.intp)
    for j in order[::-1]:  # the rarest label is written last and wins
        strata[Y[:, j] == 1] = j
    return strata


def check_weights(sample_weight: Any, y_enc: NDArray[np.intp]) -> NDArray[np.float64] | None:
    """None, or finite non-negative weights, one per row, with positive total weight in every class
    (a multilabel ``y_enc``: in both classes of every label)."""
    if hasattr(sample_weight, "to_numpy"):
        sample_weight = sample_weight.to_numpy()
    w = v.check_sample_weight(sample_weight, y_enc.shape[0])
    if w is None:
        return None
    if y_enc.ndim == 2:
        pos = w @ y_enc
        if np.any(pos <= 0) or np.any(np.sum(w) - pos <= 0):
            raise ValueError("sample_weight: both classes of every label need a positive total weight")
        return w
    totals = np.bincount(y_enc, weights=w, minlength=int(y_enc.max()) + 1)
    if np.any(totals <= 0):
        raise ValueError("sample_weight: every class needs a positive total weight")
    return w


def check_gammas(gammas: Iterable[Any]) -> list[float]:
    if isinstance(gammas, (str, bytes)) or not isinstance(gammas, Iterable):
        raise TypeError(f"gammas must be a sequence of numbers >= 0, got {gammas!r}")
    out: list[float] = []
    for g in gammas:
        val = v.check_gamma(g)
        if val not in out:
            out.append(val)
    return out


def check_alphas(alphas: Iterable[Any], n_classes: int) -> tuple[list[Any], list[Any]]:
    """Valid alphas for this problem, and the scalar ones skipped because the labels are multiclass."""
    if isinstance(alphas, (str, bytes)) or not isinstance(alphas, Iterable):
        raise TypeError(f"alphas must be a sequence (e.g. (None, 0.25, 'balanced')), got {alphas!r}")
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


def check_regularization(
    regularization: Sequence[Mapping[str, Any]] | None,
    fixed: Mapping[str, Any],
    default: bool,
    canonical: Callable[[str], str] = str,
) -> list[dict[str, Any]]:
    """The candidate settings of the regularisation search (at least one, possibly empty).

    With the default search, a parameter the user fixes in the engine parameters (under any alias:
    ``canonical`` maps a name to the one it stands for) leaves the search; a search the user gives
    may not set a fixed parameter.
    """
    fixed = {canonical(k): x for k, x in fixed.items()}
    if regularization is None:
        return [{}]
    if isinstance(regularization, (Mapping, str, bytes)):
        raise TypeError("regularization must be a sequence of dicts of engine parameters, e.g. ({}, {'reg_lambda': 1})")
    out: list[dict[str, Any]] = []
    for cand in regularization:
        if not isinstance(cand, Mapping):
            raise TypeError(f"regularization: each candidate must be a dict of engine parameters, got {cand!r}")
        cand = dict(cand)
        clash = [k for k in cand if canonical(k) in fixed]
        if clash and not default:
            raise ValueError(
                f"regularization searches {', '.join(clash)}, which the engine parameters also set: set it in one place"
            )
        cand = {k: x for k, x in cand.items() if canonical(k) not in fixed}
        if cand not in out:
            out.append(cand)
    return out or [{}]


def check_seed(random_state: Any) -> int:
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if not isinstance(random_state, bool) and isinstance(random_state, numbers.Integral) and int(random_state) >= 0:
        return int(random_state)
    raise ValueError(f"random_state must be a non-negative integer or None, got {random_state!r}")


def check_n_jobs(n_jobs: Any) -> int | None:
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a positive integer, a negative one (-1 = all cores) or None, got {n_jobs!r}")
    return int(n_jobs)


@overload
def check_positive_int(value: Any, name: str, allow_none: Literal[False] = False) -> int: ...


@overload
def check_positive_int(value: Any, name: str, allow_none: bool) -> int | None: ...


def check_positive_int(value: Any, name: str, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer{' or None' if allow_none else ''}, got {value!r}")
    return int(value)


def check_fraction(value: Any, name: str, closed_right: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    x = float(value)
    ok = 0.0 < x <= 1.0 if closed_right else 0.0 < x < 1.0
    if not ok:
        raise ValueError(f"{name} must be in (0, 1{']' if closed_right else ')'}, got {value!r}")
    return x


def make_splits(
    cv: Any, repeats: int, y_enc: NDArray[np.intp], seed: int
) -> list[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """Outer folds: ``cv`` stratified shuffled folds (``repeats`` times), or a splitter's."""
    from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

    if not isinstance(cv, bool) and isinstance(cv, numbers.Integral):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds, got {cv}")
        counts = np.bincount(y_enc)
        if counts.min() < cv:
            raise ValueError(
                f"the rarest class has only {counts.min()} samples: cv={cv} stratified folds need at least {cv}"
            )
        splitter: Any
        if repeats == 1:
            splitter = StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=seed)
        else:
            splitter = RepeatedStratifiedKFold(n_splits=int(cv), n_repeats=repeats, random_state=seed)
    elif hasattr(cv, "split"):
        if repeats != 1:
            raise ValueError("repeats applies to an integer cv; a splitter repeats itself (RepeatedStratifiedKFold)")
        splitter = cv
    else:
        raise TypeError(f"cv must be an int >= 2 or a scikit-learn splitter, got {cv!r}")
    dummy = np.zeros((y_enc.shape[0], 1))
    splits = [(np.asarray(tr, dtype=np.intp), np.asarray(te, dtype=np.intp)) for tr, te in splitter.split(dummy, y_enc)]
    if not splits:
        raise ValueError("cv produced no folds")
    return splits


def inner_split(
    train: NDArray[np.intp], y_enc: NDArray[np.intp], fraction: float, seed: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Stratified split of an outer training part into inner training and validation rows."""
    from sklearn.model_selection import StratifiedShuffleSplit

    k = int(y_enc.max()) + 1
    counts = np.bincount(y_enc[train], minlength=k)
    if counts.min() < 2:
        raise ValueError(
            f"a training fold holds only {counts.min()} sample(s) of its rarest class: too few to set aside an "
            "inner validation split (use fewer folds, or early_stopping_rounds=None and regularization=None)"
        )
    sss = StratifiedShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
    try:
        fit_pos, val_pos = next(sss.split(np.zeros((train.size, 1)), y_enc[train]))
    except ValueError as exc:
        raise ValueError(f"cannot make the inner validation split: {exc}") from None
    return train[np.sort(fit_pos)], train[np.sort(val_pos)]
