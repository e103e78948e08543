"""Reading data files for :mod:`boostfocal.tables`: CSV (pandas or the standard library, the same
arrays either way) and Parquet, the delimiter read from the header, cells parsed into typed columns.

Every problem with a file raises :class:`TableError` (a ``ValueError``) with a one-line message,
in terms of the reading functions' own arguments.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: How to get the Parquet reader.
PARQUET_INSTALL = "pip install boostfocal[parquet]"
#: Delimiters recognised in a CSV header, in order of preference on a tie.
SEPARATORS = (",", ";", "\t", "|")

_NA_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
#: The spellings of a boolean cell (those pandas' CSV reader recognises too).
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_SCHEMA_FORMAT = "boostfocal-schema"
_SCHEMA_VERSION = 1


class TableError(ValueError):
    """A data file that cannot be used as it is: the message says what and where, in one line."""


# --------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------


def detect_separator(path: str | os.PathLike[str]) -> str:
    """The delimiter of a CSV file: the most frequent of ``,`` ``;`` tab ``|`` in its header line,
    outside double quotes (``,`` on a tie or when there is none; tab for ``.tsv``)."""
    p = Path(path)
    if ".tsv" in [s.lower() for s in p.suffixes]:
        return "\t"
    opener: Any = gzip.open if p.suffix.lower() == ".gz" else open
    try:
        with opener(p, "rt", newline="", encoding="utf-8-sig") as fh:
            header = fh.readline()
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise TableError(f"cannot read {p}: {exc}") from None
    outside = "".join(part for i, part in enumerate(header.split('"')) if i % 2 == 0)
    counts = {s: outside.count(s) for s in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: (counts[s], -SEPARATORS.index(s)))
    return best if counts[best] > 0 else ","


def _separator_name(sep: str) -> str:
    return {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(sep, repr(sep))


def _read_csv_stdlib(path: Path, sep: str, text: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """CSV without pandas: a header row, then values; numbers where every cell parses.  The
    columns named in ``text`` keep their cells as text (stripped; ``None`` where missing)."""
    opener: Any = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh, delimiter=sep)
        try:
            header = next(reader)
        except StopIteration:
            raise TableError(f"{path} is empty") from None
        rows = [r for r in reader if r]
    width = len(header)
    for i, r in enumerate(rows, start=2):
        if len(r) != width:
            raise TableError(f"cannot read {path}: line {i} has {len(r)} fields, the header has {width}")
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    keep = set(text)
    return {
        name: _raw_column(col) if name in keep else _parse_column(col)
        for name, col in zip(header, columns, strict=True)
    }


def _raw_column(values: Sequence[str]) -> np.ndarray:
    cells = [v.strip() for v in values]
    return np.array([None if c.lower() in _NA_TOKENS else c for c in cells], dtype=object)


def _parse_column(values: Sequence[str]) -> np.ndarray:
    """The cells of one CSV column as an array: integers, floats (NaN where missing), booleans
    (an object array of ``True``/``False``/``None`` when some are missing), or the strings
    themselves (``None`` where missing)."""
    cells = [v.strip() for v in values]
    missing = [c.lower() in _NA_TOKENS for c in cells]
    present = [c for c, na in zip(cells, missing, strict=True) if not na]
    if present and all(c in _TRUE or c in _FALSE for c in present):
        flags = [None if na else c in _TRUE for c, na in zip(cells, missing, strict=True)]
        return np.array(flags, dtype=object if any(missing) else bool)
    try:
        nums = [math.nan if na else float(c) for c, na in zip(cells, missing, strict=True)]
    except ValueError:
        if present and all(DECIMAL_COMMA.fullmatch(c) for c in present):  # 1.234,5 or 12,75: decimal commas
            return _parse_column([comma_to_point(c) for c in cells])
        return np.array([None if na else c for c, na in zip(cells, missing, strict=True)], dtype=object)
    arr = np.array(nums, dtype=np.float64)
    if not any(missing) and all(_looks_int(c) for c in present):
        return arr.astype(np.int64)
    return arr


#: A number written with a decimal comma, optionally with ``.`` (or a space) grouping thousands:
#: ``12,75``, ``-0,5``, ``1.234,50``, ``1 234,5``, ``7``.
DECIMAL_COMMA = re.compile(r"[+-]?(\d+|\d{1,3}([. ]\d{3})+)(,\d+)?")


def comma_to_point(cell: str) -> str:
    """``"1.234,50"`` as ``"1234.50"``, ``"1.234"`` as ``"1234"``: in a column written with
    decimal commas, ``.`` and spaces group thousands."""
    if "," not in cell:
        return cell.replace(".", "").replace(" ", "") if DECIMAL_COMMA.fullmatch(cell) else cell
    head, _, tail = cell.rpartition(",")
    return head.replace(".", "").replace(" ", "") + "." + tail


def _looks_int(text: str) -> bool:
    return text.lstrip("+-").isdigit()


def _na_spellings() -> list[str]:
    """Every upper/lower-case spelling of the missing-value tokens, for pandas' ``na_values``."""
    out: set[str] = set()
    for token in _NA_TOKENS:
        choices = [(ch.lower(), ch.upper()) if ch.isalpha() else (ch,) for ch in token]
        out.update("".join(p) for p in itertools.product(*choices))
    return sorted(out)


def _read_with_pandas(path: Path, sep: str, parquet: bool, text: Sequence[str] = ()) -> Any:
    import pandas as pd

    if parquet:
        return pd.read_parquet(path)
    # the standard-library reader's missing-value tokens, and whole-column type inference
    kwargs: dict[str, Any] = {"na_values": _na_spellings(), "keep_default_na": False, "low_memory": False}
    if int(pd.__version__.split(".")[0]) < 3:
        kwargs["float_precision"] = "round_trip"  # as Python's float(); pandas 3 parses exactly by default
    if text:
        header = pd.read_csv(path, sep=sep, nrows=0).columns
        kwargs["dtype"] = {c: str for c in text if c in header}
    return pd.read_csv(path, sep=sep, **kwargs)


def _file_kind(p: Path) -> tuple[str, bool]:
    suffixes = [s.lower() for s in p.suffixes]
    kind = suffixes[-2] if suffixes and suffixes[-1] == ".gz" and len(suffixes) > 1 else (suffixes or [""])[-1]
    return kind, kind in (".parquet", ".pq")


def load_data(path: str | os.PathLike[str], sep: str | None = None, *, text: Sequence[str] = ()) -> Any:
    """Read ``path`` into a pandas DataFrame, or a dict of column arrays when pandas is missing (CSV only).

    ``sep`` is the CSV delimiter (default: :func:`detect_separator`); the columns named in ``text``
    are read as text, not parsed as numbers (how :func:`read_features` reads categorical columns).
    """
    p = Path(path)
    if not p.exists():
        raise TableError(f"no such file: {p}")
    if p.is_dir():
        raise TableError(f"{p} is a directory, not a data file")
    kind, parquet = _file_kind(p)
    if not parquet and kind not in (".csv", ".tsv", ".txt"):
        raise TableError(f"{p}: unsupported file type {kind or '(no extension)'!r}; expected .csv, .tsv or .parquet")
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1 or sep in '"\r\n'):
        raise TableError(f"the separator must be one character other than a quote or a newline, got {sep!r}")
    if not parquet and sep is None:
        sep = detect_separator(p)
    sep = sep or ","
    try:
        import pandas  # noqa: F401
    except ImportError:
        if parquet:
            raise TableError(f"reading Parquet files needs pandas and pyarrow: {PARQUET_INSTALL}") from None
        try:
            return _read_csv_stdlib(p, sep, text)
        except (OSError, UnicodeDecodeError, csv.Error, EOFError) as exc:
            raise TableError(f"cannot read {p}: {exc}") from None
    try:
        return _read_with_pandas(p, sep, parquet, text)
    except ImportError:
        raise TableError(f"reading Parquet files needs pyarrow: {PARQUET_INSTALL}") from None
    except Exception as exc:  # pandas raises ParserError, EmptyDataError, UnicodeDecodeError, ArrowInvalid, ...
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TableError(f"cannot read {p}: {msg}") from None


# --------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------


def _columns(table: Any) -> list[str]:
    return [str(c) for c in table.columns] if hasattr(table, "columns") else list(table)


def _column(table: Any, name: str) -> tuple[np.ndarray, int]:
    """A column as a numpy array and its number of missing values: integers (none missing),
    floats (NaN where missing), booleans, or an object array (``None`` where missing).

    A pandas column that is not numeric, boolean, date/time or ``category`` goes through the
    standard-library reader's cell parser, so a CSV file gives the same arrays with and
    without pandas."""
    if not hasattr(table, "columns"):
        arr = table[name]
        return arr, _n_missing(arr)
    import pandas as pd

    s = table[name]
    if isinstance(s, pd.DataFrame):
        raise TableError(f"the file has more than one column named {name!r}")
    n_missing = int(s.isna().sum())
    kind = getattr(s.dtype, "kind", "O")
    if pd.api.types.is_bool_dtype(s):
        if n_missing == 0:
            return s.to_numpy(dtype=bool), 0
        return np.array([None if pd.isna(v) else bool(v) for v in s], dtype=object), n_missing
    if pd.api.types.is_numeric_dtype(s):
        if n_missing == 0 and pd.api.types.is_integer_dtype(s):
            return s.to_numpy(dtype=np.int64), 0
        return s.to_numpy(dtype=np.float64, na_value=np.nan), n_missing
    if kind in "Mm":
        return s.to_numpy(), n_missing
    if isinstance(s.dtype, pd.CategoricalDtype):
        return np.array([None if pd.isna(v) else str(v) for v in s], dtype=object), n_missing
    cells = ["" if pd.isna(v) else str(v) for v in s]  # object (strings, or booleans with gaps) or str
    arr = _parse_column(cells)
    return arr, _n_missing(arr)


def _text_cells(table: Any, name: str) -> list[Any]:
    """The cells of a categorical column as training saw them, without parsing numbers: strings
    (stripped), booleans, ``None`` where missing."""
    if not hasattr(table, "columns"):
        arr = table[name]
        if arr.dtype.kind == "f":
            return [None if math.isnan(v) else repr(v) for v in arr.tolist()]
        return [v if v is None or isinstance(v, bool) else str(v).strip() for v in arr.tolist()]
    import pandas as pd

    s = table[name]
    if isinstance(s, pd.DataFrame):
        raise TableError(f"the file has more than one column named {name!r}")
    if pd.api.types.is_bool_dtype(s):
        return [None if pd.isna(v) else bool(v) for v in s]
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [None if pd.isna(v) else str(v) for v in s]
    return [None if pd.isna(v) or str(v).strip().lower() in _NA_TOKENS else str(v).strip() for v in s]


def _n_missing(arr: np.ndarray) -> int:
    if arr.dtype.kind == "f":
        return int(np.isnan(arr).sum())
    if arr.dtype.kind == "O":
        return int(sum(x is None for x in arr))
    return 0
