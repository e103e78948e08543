"""Reading and typing tables: a CSV or Parquet file as features, labels and weights, and new rows coded alike.

Training data (``boostfocal tune DATA`` reads its file this way)::

    from boostfocal.tables import read_table
    data = read_table("transactions.csv", target="is_fraud", weight="amount", drop=["tx_id"])
    data.X, data.y, data.sample_weight        # float64 features, labels, weights (or None)
    data.schema.save("model.schema.json")     # the columns, their types and category codes

New rows to score, with or without the target column, coded exactly as in training::

    from boostfocal.tables import Schema, read_features
    X_new = read_features("new.csv", Schema.load("model.schema.json"))

Typing rules (the same with pandas and with the standard library's CSV reader, without pandas):

* a column whose every non-missing cell is a number is a numeric feature (float64, NaN where
  missing); missing cells are empty, ``NA``, ``N/A``, ``NaN``, ``null``, ``none`` or ``?`` (any
  case);
* a text or boolean (``true``/``false``) column, or a pandas ``category`` column, is a categorical
  feature: cell ``v`` holds the code ``k`` with ``schema.categories[name][k] == v`` (the levels
  sorted), NaN where missing;
* a text column with a distinct value on more than half its rows (and more than 50 values) is
  refused as an identifier, and a column of numbers spoilt by a few text cells is refused too.

:func:`read_features` looks columns up by name (their order and any extra column, such as the
target, an id or the weight, do not matter).  A category level that training never saw has no
code: by default it is an error naming the column and the values (``unknown="error"``);
``unknown="missing"`` scores such cells as missing values, which is what the engines do with a
missing category.

The delimiter of a CSV file is read from its header line: the most frequent of ``,``, ``;``,
tab and ``|`` outside quotes (a comma on a tie; tab for ``.tsv``), or as given by ``sep``.

Every problem with a file raises :class:`TableError` (a ``ValueError``) with a one-line message.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._files import (  # noqa: F401 - PARQUET_INSTALL, SEPARATORS are part of this module's names
    _FALSE,
    _TRUE,
    PARQUET_INSTALL,
    SEPARATORS,
    TableError,
    _column,
    _columns,
    _file_kind,
    _separator_name,
    _text_cells,
    detect_separator,
    load_data,
)

__all__ = [
    "DEFAULT_TARGETS",
    "Schema",
    "Table",
    "TableError",
    "detect_separator",
    "load_data",
    "prepare",
    "read_features",
    "read_table",
]

#: Target columns looked for, in this order, when no target is named.
DEFAULT_TARGETS = ("target", "Class", "y")
#: A class with fewer rows than this, in a table of at least ``MIN_ROWS_FOR_RARE_CHECK``, is refused.
MIN_CLASS_ROWS, MIN_ROWS_FOR_RARE_CHECK = 5, 50
#: More distinct target values than this is taken for a regression target, not classes.
MAX_CLASSES = 100
#: A text column with more distinct values than this share of its non-missing rows (and more
#: than ``ID_MIN_DISTINCT`` of them) is taken for an identifier, not a category (the tuner's rule).
ID_FRACTION = 0.5
ID_MIN_DISTINCT = 50
_SCHEMA_FORMAT = "boostfocal-schema"
_SCHEMA_VERSION = 1


# --------------------------------------------------------------------------------------
# The schema: columns, types and category codes
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schema:
    """The feature columns of a training table: their order, and each categorical column's levels.

    ``features`` are the column names in the order of ``X``'s columns; ``categories`` maps each
    categorical column to its levels in code order (code ``k`` is ``categories[name][k]``); every
    other feature is numeric.  :meth:`encode` codes another table the same way; :meth:`save` and
    :meth:`load` keep the schema beside a saved model, as JSON.
    """

    features: tuple[str, ...]
    categories: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(set(self.features)) != len(self.features):
            raise TableError("a schema's feature names must be distinct")
        unknown = [c for c in self.categories if c not in self.features]
        if unknown:
            raise TableError(f"categories given for columns that are not features: {unknown}")

    @property
    def categorical_features(self) -> list[int]:
        """Indices of the categorical columns of ``X`` (LightGBM's ``categorical_feature``)."""
        return [j for j, c in enumerate(self.features) if c in self.categories]

    @property
    def feature_types(self) -> list[str]:
        """XGBoost's ``feature_types``: ``"c"`` for a categorical column, ``"q"`` for a number."""
        return ["c" if c in self.categories else "q" for c in self.features]

    def encode(self, table: Any, source: str = "the table", unknown: str = "error") -> np.ndarray:
        """``X`` of ``table`` (what :func:`load_data` returns), coded as in training.

        Columns are looked up by name; others are ignored.  A numeric feature must hold numbers
        (NaN where missing); a categorical one levels of the schema: ``unknown="error"`` raises
        :class:`TableError` on a level training never saw, ``unknown="missing"`` makes it NaN.
        """
        if unknown not in ("error", "missing"):
            raise ValueError(f"unknown must be 'error' or 'missing', got {unknown!r}")
        columns = _columns(table)
        absent = [c for c in self.features if c not in columns]
        if absent:
            shown = ", ".join(repr(c) for c in absent[:8]) + (" ..." if len(absent) > 8 else "")
            raise TableError(f"{source} lacks the feature column(s) {shown} that the model was trained with")
        out = []
        for name in self.features:
            if name in self.categories:
                out.append(_codes(name, _text_cells(table, name), self.categories[name], source, unknown))
            else:
                out.append(_numbers(table, name, source))
        n = len(out[0]) if out else 0
        return np.column_stack(out) if out else np.empty((n, 0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: the features in order, each with its kind and, for a category, its levels."""
        return {
            "format": _SCHEMA_FORMAT,
            "version": _SCHEMA_VERSION,
            "features": [
                {"name": c, "kind": "category", "levels": list(self.categories[c])}
                if c in self.categories
                else {"name": c, "kind": "number"}
                for c in self.features
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Schema:
        """The schema :meth:`to_dict` wrote."""
        if not isinstance(data, Mapping) or data.get("format") != _SCHEMA_FORMAT:
            raise TableError("not a boostfocal schema (no 'format': 'boostfocal-schema')")
        if int(data.get("version", 0)) > _SCHEMA_VERSION:
            raise TableError(f"schema version {data['version']} is newer than this boostfocal reads")
        features = tuple(str(f["name"]) for f in data["features"])
        categories = {str(f["name"]): tuple(f["levels"]) for f in data["features"] if f["kind"] == "category"}
        return cls(features, categories)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`to_dict` as JSON to ``path``."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Schema:
        """The schema :meth:`save` wrote to ``path``."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise TableError(f"cannot read the schema {path}: {exc}") from None
        return cls.from_dict(data)


@dataclass
class Table:
    """A data file prepared for the tuner: what :func:`read_table` and :func:`prepare` return.

    Attributes
    ----------
    X : ndarray of float64, shape (n_samples, n_features)
        Numbers as read, NaN where missing.  A categorical column (text, booleans, pandas
        ``category``) holds the code ``k`` of its ``k``-th level in ``categories[name]``
        (sorted), NaN where missing.
    y : ndarray (n_samples,) or (n_samples, n_labels)
        Labels as read (integers or strings), or 0/1 when ``positive_class`` was given; a
        multilabel target (several columns) the ``(n, L)`` 0/1 matrix.
    feature_names : list of str
    target : str
        The label column, or the label columns joined by commas (``"a,b,c"``: multilabel).
    categorical_features : list of int
        Indices of the categorical columns of ``X``.
    categories : dict of str to list
        For each categorical column, its levels in code order.
    sample_weight : ndarray of float64 or None
        The ``weight`` column, when one was named.
    side : dict of str to ndarray
        The columns named in ``side`` (a time, a group, an amount), as read: numbers, or text
        (``None`` where missing); a side column is a feature too unless it is dropped.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target: str
    categorical_features: list[int] = field(default_factory=list)
    categories: dict[str, list[Any]] = field(default_factory=dict)
    sample_weight: np.ndarray | None = None
    side: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def feature_types(self) -> list[str]:
        """XGBoost's ``feature_types``: ``"c"`` for a categorical column, ``"q"`` for a number."""
        cat = set(self.categorical_features)
        return ["c" if j in cat else "q" for j in range(len(self.feature_names))]

    @property
    def schema(self) -> Schema:
        """The columns, in order, and the category levels: what :func:`read_features` needs to code new rows."""
        return Schema(tuple(self.feature_names), {k: tuple(v) for k, v in self.categories.items()})


def _categorical(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Codes (float, NaN where missing) and sorted levels of a boolean or text column."""
    present = [v for v in values.tolist() if v is not None]
    if values.dtype.kind == "b" or all(isinstance(v, bool) for v in present):
        levels: list[Any] = sorted({bool(v) for v in present})
    else:
        levels = sorted({str(v) for v in present})
    cells = [None if v is None else (bool(v) if isinstance(v, (bool, np.bool_)) else str(v)) for v in values.tolist()]
    return _codes("", cells, levels, "", "error"), levels


def _codes(name: str, cells: Sequence[Any], levels: Sequence[Any], source: str, unknown: str) -> np.ndarray:
    """Codes of ``cells`` among ``levels`` (NaN where missing); a cell that is no level is an
    error (``unknown="error"``) or missing (``"missing"``)."""
    booleans = bool(levels) and all(isinstance(v, bool) for v in levels)
    index = {v: float(k) for k, v in enumerate(levels)}
    codes = np.empty(len(cells), dtype=np.float64)
    unseen: dict[Any, int] = {}
    for i, cell in enumerate(cells):
        key = cell
        if cell is not None and booleans and isinstance(cell, str):
            key = True if cell in _TRUE else False if cell in _FALSE else cell
        elif cell is not None and not booleans and isinstance(cell, bool):
            key = str(cell)
        if key is None:
            codes[i] = math.nan
        elif key in index and isinstance(key, bool) == booleans:
            codes[i] = index[key]
        else:
            codes[i] = math.nan
            unseen[key] = unseen.get(key, 0) + 1
    if unseen and unknown == "error":
        shown = ", ".join(repr(v) for v in list(unseen)[:5]) + (
            f" and {len(unseen) - 5} more" if len(unseen) > 5 else ""
        )
        raise TableError(
            f"column {name!r} of {source} has {sum(unseen.values())} cell(s) with a level training never saw "
            f"({shown}): the model has no code for it; read with unknown='missing' to score them as missing values"
        )
    return codes


def _numbers(table: Any, name: str, source: str) -> np.ndarray:
    """A numeric feature of new rows: float64, NaN where missing; text cells are an error."""
    arr, _ = _column(table, name)
    if arr.dtype.kind in "iuf":
        return arr.astype(np.float64)
    if arr.dtype.kind == "O" and all(v is None for v in arr.tolist()):
        return np.full(arr.shape[0], math.nan)
    bad = sorted({str(v) for v in arr.tolist() if v is not None and not _is_number(v)})[:3]
    raise TableError(
        f"column {name!r} of {source} holds {', '.join(repr(b) for b in bad) or 'values that are not numbers'}: "
        "the model was trained on numbers in that column"
    )


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool)


def _check_categorical(name: str, values: np.ndarray, levels: list[Any]) -> None:
    """Refuse a text column that is an identifier, or numbers spoilt by a few text cells."""
    present = [v for v in values.tolist() if v is not None]
    n, k = len(present), len(levels)
    if not levels or isinstance(levels[0], bool):
        return
    numeric = 0
    bad = []
    for c in levels:
        try:
            float(c)
            numeric += 1
        except ValueError:
            bad.append(c)
    if numeric >= 0.9 * k and bad:
        shown = ", ".join(repr(b) for b in bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
        if all(any(ch.isdigit() for ch in str(b)) for b in bad):  # numbers in another notation: no drop advice
            raise TableError(
                f"column {name!r} holds numbers written in more than one notation ({shown} next to plain numbers): "
                "write them one way (a decimal point, or a decimal comma throughout, which is read as such)"
            )
        raise TableError(
            f"column {name!r} holds numbers but also text ({shown}): correct or blank those cells (blank is "
            f"missing), or leave the column out with drop=[{name!r}]"
        )
    if k > ID_MIN_DISTINCT and k > ID_FRACTION * n:
        raise TableError(
            f"column {name!r} looks like an identifier, not a category: {k:,} distinct values in {n:,} rows; "
            f"leave it out with drop=[{name!r}]"
        )


def choose_target(columns: Sequence[str], target: str | None, source: str, sep: str | None = None) -> str:
    """``target`` if it is a column, else the first of :data:`DEFAULT_TARGETS` present; the
    message of a missing column names the CSV delimiter ``sep`` the file was read with."""
    shown = ", ".join(columns[:12]) + (f", ... ({len(columns)} columns)" if len(columns) > 12 else "")
    read = "" if sep is None else f" (read with separator {_separator_name(sep)}; set another with sep=)"
    if target is not None:
        if target not in columns:
            raise TableError(f"target column {target!r} is not in {source}{read}; its columns: {shown}")
        return target
    for cand in DEFAULT_TARGETS:
        if cand in columns:
            return cand
    raise TableError(
        f"{source}{read} has none of the default target columns ({', '.join(DEFAULT_TARGETS)}): name it with "
        f"target= (columns: {shown})"
    )


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (``0``, not ``np.int64(0)``)."""
    return value.item() if isinstance(value, np.generic) else value


def _weights(table: Any, name: str, columns: Sequence[str], target: str, source: str) -> np.ndarray:
    if name not in columns:
        raise TableError(f"weight={name!r}: no column {name!r} in {source}")
    if name == target:
        raise TableError(f"weight={name!r} names the target column")
    w, n_missing = _column(table, name)
    if w.dtype.kind not in "biuf":
        raise TableError(f"weight={name!r}: column {name!r} is not numeric")
    if n_missing:
        raise TableError(f"weight={name!r}: column {name!r} has {n_missing} missing value(s)")
    w = w.astype(np.float64)
    if not np.all(np.isfinite(w)):
        raise TableError(f"weight={name!r}: column {name!r} has {int(np.sum(~np.isfinite(w)))} infinite value(s)")
    if np.any(w < 0):
        raise TableError(
            f"weight={name!r}: column {name!r} has {int(np.sum(w < 0))} negative value(s) (min {w.min():g})"
        )
    if not np.any(w > 0):
        raise TableError(f"weight={name!r}: column {name!r} is zero on every row")
    return w


def _labels(table: Any, tgt: str, positive_class: str | None, source: str) -> np.ndarray:
    y, n_missing = _column(table, tgt)
    if y.shape[0] == 0:
        raise TableError(f"{source} has no rows")
    if n_missing:
        raise TableError(f"target column {tgt!r} has {n_missing} missing value(s); drop those rows first")
    if y.dtype.kind in "Mm":
        raise TableError(f"target column {tgt!r} holds dates or times, not classes")
    if y.dtype.kind == "f":
        if not np.all(y == np.round(y)):
            raise TableError(f"target column {tgt!r} holds non-integer numbers: that is a regression target")
        y = y.astype(np.int64)
    if y.dtype.kind == "b":
        y = y.astype(np.int64)
    if y.dtype.kind == "O":
        y = np.array([str(v) for v in y], dtype=object)
        check_label_spelling(y, f"target column {tgt!r}")
    classes = np.unique(y)
    if classes.size < 2:
        raise TableError(f"target column {tgt!r} has a single class ({_plain(classes[0])!r}): nothing to classify")
    if classes.size > MAX_CLASSES:
        raise TableError(
            f"target column {tgt!r} has {classes.size} distinct values: that looks like a regression target or an id"
        )
    values, counts = np.unique(y, return_counts=True)
    rare = [(_plain(v), int(k)) for v, k in zip(values, counts, strict=True) if k < MIN_CLASS_ROWS]
    rare = rare if y.shape[0] >= MIN_ROWS_FOR_RARE_CHECK else []  # a toy table of a few rows may be tiny
    if rare:
        shown = ", ".join(f"{v!r} ({k} row{'s' if k != 1 else ''})" for v, k in rare)
        raise TableError(
            f"target column {tgt!r}: class {shown} has fewer than {MIN_CLASS_ROWS} rows, too few to learn or "
            "test; correct those labels or leave those rows out"
        )
    if positive_class is None:
        return y
    if classes.size != 2:
        raise TableError(f"positive_class= needs a binary target; {tgt!r} has {classes.size} classes")
    match = [c for c in classes if str(c) == positive_class]
    if not match:
        raise TableError(
            f"positive_class={positive_class!r} is not a value of {tgt!r} ({', '.join(repr(str(c)) for c in classes)})"
        )
    positive: np.ndarray = (y == match[0]).astype(np.int64)
    return positive


def check_label_spelling(values: Any, what: str = "y") -> None:
    """Refuse labels that differ only in case or surrounding spaces (``'Yes'``, ``'yes'``,
    ``' Yes'``): a typo that would turn a binary target into several classes.  Raises
    :class:`TableError` naming the values and their counts."""
    seen: dict[str, dict[str, int]] = {}
    for v in values:
        if isinstance(v, str):
            spellings = seen.setdefault(v.strip().casefold(), {})
            spellings[v] = spellings.get(v, 0) + 1
    clashes = [sp for sp in seen.values() if len(sp) > 1]
    if clashes:
        shown = "; ".join(", ".join(f"{k!r} ({n} rows)" for k, n in sp.items()) for sp in clashes[:3])
        raise TableError(f"{what} has values that differ only in case or spaces: {shown}; write each class one way")


def _label_column(table: Any, name: str, source: str) -> np.ndarray:
    """One label column of a multilabel target: 0/1 (or booleans), no missing value, both values."""
    y, n_missing = _column(table, name)
    if y.shape[0] == 0:
        raise TableError(f"{source} has no rows")
    if n_missing:
        raise TableError(f"target column {name!r} has {n_missing} missing value(s); drop those rows first")
    if y.dtype.kind == "O":
        text = np.array([str(v).strip().lower() for v in y], dtype=object)
        if np.all(np.isin(text, ["true", "false"])):
            y = text == "true"
    if y.dtype.kind not in "biuf" or not np.all((y == 0) | (y == 1)):
        shown = ", ".join(repr(_plain(c)) for c in np.unique(y.astype(str) if y.dtype.kind == "O" else y)[:6])
        raise TableError(
            f"target column {name!r} of a multilabel target= must hold only 0 and 1 (or true/false); it holds {shown}"
        )
    y = y.astype(np.int64)
    if y.min() == y.max():
        raise TableError(f"target column {name!r} has a single class ({int(y[0])}): nothing to classify")
    return y


def prepare(
    table: Any,
    target: str | None,
    drop: Sequence[str],
    positive_class: str | None,
    source: str,
    weight: str | None = None,
    sep: str | None = None,
    side: Sequence[str] = (),
) -> Table:
    """The :class:`Table` of a table read by :func:`load_data`: features, labels, weights.

    The columns named in ``side`` are also returned as read, in ``Table.side``.

    Numeric columns are features as they are; boolean and text columns (and pandas ``category``
    columns) are categorical features, coded by their sorted values.  A text column with a
    distinct value on most rows is refused as an identifier.  ``sep``, the delimiter a CSV file
    was read with, is named when the target column is not found.  A ``target`` naming several
    columns separated by commas (``"a,b,c"``) is a multilabel target: each column must hold only
    0 and 1 (or true/false) and both values, and ``y`` is the ``(n, L)`` 0/1 matrix.
    """
    columns = _columns(table)
    names = [t.strip() for t in target.split(",")] if target is not None and "," in target else None
    if names is not None:  # multilabel: several 0/1 label columns
        if positive_class is not None:
            raise TableError("positive_class= applies to one binary target, not to several label columns")
        for name in names:
            choose_target(columns, name, source, sep)
        if len(set(names)) != len(names) or "" in names:
            raise TableError(f"target={target!r}: name each label column once")
        tgt = ",".join(names)
    else:
        tgt = choose_target(columns, target, source, sep)
    targets = names or [tgt]
    _check_side(columns, side, source)  # a side column that is not there: said before drop's check
    unknown = [c for c in drop if c not in columns]
    if unknown:
        raise TableError(f"drop={unknown!r}: no such column in {source}")
    for t in targets:
        if t in drop:
            raise TableError(f"drop=[{t!r}] names the target column")
    if names is None:
        y = _labels(table, tgt, positive_class, source)
    else:
        y = np.column_stack([_label_column(table, t, source) for t in names])
    for t in targets:
        if weight == t:
            raise TableError(f"weight={t!r} names the target column")
    sample_weight = None if weight is None else _weights(table, weight, columns, tgt, source)

    features = [c for c in columns if c not in targets and c != weight and c not in drop]
    if not features:
        raise TableError(f"{source} has no feature columns besides the target {tgt!r}")
    arrays, categorical, categories = [], [], {}
    for j, c in enumerate(features):
        arr, _ = _column(table, c)
        if arr.dtype.kind in "iuf":
            arrays.append(arr.astype(np.float64))
            continue
        if arr.dtype.kind in "Mm":
            raise TableError(
                f"column {c!r} holds dates or times: convert it to numbers, or leave it out with drop=[{c!r}]"
            )
        codes, levels = _categorical(arr)
        _check_categorical(c, arr, levels)
        arrays.append(codes)
        categorical.append(j)
        categories[c] = levels
    return Table(
        X=np.column_stack(arrays),
        y=y,
        feature_names=features,
        target=tgt,
        categorical_features=categorical,
        categories=categories,
        sample_weight=sample_weight,
        side=_side_columns(table, columns, side, source),
    )


def _check_side(columns: Sequence[str], side: Sequence[str], source: str) -> None:
    unknown = [c for c in side if c not in columns]
    if unknown:
        raise TableError(f"side={unknown!r}: no such column in {source}")


def _side_columns(table: Any, columns: Sequence[str], side: Sequence[str], source: str) -> dict[str, np.ndarray]:
    """The ``side`` columns as read (numbers, or text with ``None`` where missing)."""
    _check_side(columns, side, source)
    return {c: _column(table, c)[0] for c in side}


def read_table(
    path: str | os.PathLike[str],
    *,
    target: str | None = None,
    drop: Sequence[str] = (),
    positive_class: str | None = None,
    weight: str | None = None,
    sep: str | None = None,
    side: Sequence[str] = (),
) -> Table:
    """Read a CSV or Parquet file as ``boostfocal tune`` does: :func:`load_data`, then :func:`prepare`.

    ``side`` names columns returned as read in ``Table.side`` (a time or a group column to split
    by, an amount to score by); drop them to keep them out of the features.

    Works without pandas for CSV files (the standard-library reader; both readers give the same
    :class:`Table`).  Text and boolean columns become categorical features coded by their sorted
    levels: pass ``categorical_feature=table.categorical_features`` to LightGBM's ``fit``, or
    ``feature_types=table.feature_types, enable_categorical=True`` to XGBoost.  ``table.schema``
    codes new rows the same way (:func:`read_features`).  Raises :class:`TableError` on a file the
    tuner cannot use.
    """
    data = load_data(path, sep)
    used = None if _file_kind(Path(path))[1] else (sep or detect_separator(path))
    return prepare(data, target, list(drop), positive_class, str(path), weight, used, list(side))


def read_features(
    path: str | os.PathLike[str],
    schema: Schema | Table,
    *,
    sep: str | None = None,
    unknown: str = "error",
) -> np.ndarray:
    """``X`` of a file of new rows, coded exactly as the training table ``schema`` came from.

    The file needs the feature columns of ``schema`` (by name, in any order); the target and other
    columns may be there or not and are ignored.  Numeric columns must hold numbers; a categorical
    column's cells get the training codes, and a level training never saw raises
    :class:`TableError` (``unknown="error"``) or becomes a missing value (``unknown="missing"``).
    Returns float64 of shape ``(n_rows, len(schema.features))``.
    """
    if isinstance(schema, Table):
        schema = schema.schema
    if not isinstance(schema, Schema):
        raise TypeError(f"schema must be a boostfocal.tables.Schema or Table, got {type(schema).__name__}")
    if unknown not in ("error", "missing"):
        raise ValueError(f"unknown must be 'error' or 'missing', got {unknown!r}")
    data = load_data(path, sep, text=list(schema.categories))
    return schema.encode(data, str(path), unknown)
