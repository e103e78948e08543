"""The ``boostfocal`` command line: ``boostfocal tune [DATA] ...``.

Reads a CSV (pandas if installed, else the standard library; the same :class:`Table` either way)
or Parquet file (pandas and pyarrow), with text and boolean columns as categorical features and an
optional column of sample weights, or draws the built-in :func:`boostfocal.datasets.make_fraud`
data when no file is given, runs :func:`boostfocal.tune`, and prints the table, the winning
configuration and a Python snippet that trains it (numpy and the standard library suffice to run
it for a CSV file).  Everything the command can check (options, the data, engine parameters, the
size of the grid, the plot's file format) is checked before the first fit.  Bad input ends with a
one-line message on stderr and exit status 2; an unexpected failure with a one-line message and
status 1 (``--traceback`` shows the full one).
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from . import __version__
from .tuning import (  # the tuner's defaults are the command's: shown in the help, used when not given
    DEFAULT_ALPHAS,
    DEFAULT_CV,
    DEFAULT_EARLY_STOPPING_ROUNDS,
    DEFAULT_GAMMAS,
    DEFAULT_N_ESTIMATORS,
    DEFAULT_PRECISION_LEVEL,
    DEFAULT_VALIDATION_FRACTION,
    ENGINES,
    METRICS,
    TuneResult,
    tune,
)
from .tuning import plan as tuning_plan
from .tuning._result import _alpha_label

try:  # the tuner's check of engine parameters (names, values), run before any data are read
    from .tuning import check_params
except ImportError:  # pragma: no cover - a tuner without it checks them when it is called
    check_params = None

__all__ = ["Table", "UsageError", "build_parser", "load_data", "main", "prepare", "read_table"]

#: Target columns looked for, in this order, when ``--target`` is not given.
DEFAULT_TARGETS = ("target", "Class", "y")
#: More distinct target values than this is taken for a regression target, not classes.
MAX_CLASSES = 100
#: Size and positive rate of the built-in data when no file is given.
BUILTIN_N_SAMPLES = 100_000
BUILTIN_POSITIVE_RATE = 0.002

#: A run of more fits (configurations x folds x candidates, the tuner's plan) than this needs ``--max-fits``.
DEFAULT_MAX_FITS = 2_000
#: How to get the Parquet reader.
PARQUET_INSTALL = "pip install boostfocal[parquet]"

_NA_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is a single line (no usage block), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


# --------------------------------------------------------------------------------------
# Argument types
# --------------------------------------------------------------------------------------


def _gamma_list(text: str) -> list[float]:
    out = []
    for tok in _tokens(text):
        try:
            g = float(tok)
        except ValueError:
            raise argparse.ArgumentTypeError(f"gamma {tok!r} is not a number") from None
        if not math.isfinite(g) or g < 0:
            raise argparse.ArgumentTypeError(f"gamma must be a finite number >= 0, got {tok!r}")
        out.append(g)
    return out


def _alpha_list(text: str) -> list[Any]:
    out: list[Any] = []
    for tok in _tokens(text):
        low = tok.lower()
        if low == "none":
            out.append(None)
        elif low == "balanced":
            out.append("balanced")
        else:
            try:
                a = float(tok)
            except ValueError:
                raise argparse.ArgumentTypeError(
                    f"alpha {tok!r} is not 'none', 'balanced' or a number in (0, 1)"
                ) from None
            if not 0.0 < a < 1.0:
                raise argparse.ArgumentTypeError(f"alpha must be strictly between 0 and 1, got {tok!r}")
            out.append(a)
    return out


def _tokens(text: str) -> list[str]:
    toks = [t.strip() for t in text.split(",") if t.strip()]
    if not toks:
        raise argparse.ArgumentTypeError("expected a comma-separated list, got nothing")
    return toks


def _int_at_least(minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            val = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if val < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {val}")
        return val

    parse.__name__ = f"integer >= {minimum}"
    return parse


def _fraction(low_open: bool = True) -> Any:
    def parse(text: str) -> float:
        try:
            val = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (0.0 < val <= 1.0) or (val == 1.0 and low_open):
            raise argparse.ArgumentTypeError(f"must be in (0, {'1)' if low_open else '1]'}, got {text}")
        return val

    return parse


def _positive_number(text: str) -> float:
    try:
        val = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(val) or val <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return val


def _engine_param(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    key, raw = (s.strip() for s in text.split("=", 1))
    if not key.isidentifier():
        raise argparse.ArgumentTypeError(f"{key!r} is not a parameter name")
    value: Any
    if raw.lower() in ("true", "false"):
        value = raw.lower() == "true"
    elif raw.lower() == "none":
        value = None
    else:
        try:
            value = int(raw)
        except ValueError:
            try:
                value = float(raw)
            except ValueError:
                value = raw
    return key, value


# --------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------

_TUNE_DESCRIPTION = """\
Cross-validate focal loss over a grid of gamma (focusing parameter) and alpha (class weights)
against three baselines fitted in the same stratified folds: the engine's own log-loss, balanced
cross-entropy (gamma=0, alpha=balanced) and scale_pos_weight = n_neg/n_pos (binary only).
Every model is fitted on an inner training split and early-stopped on an inner validation split
of each training fold; the test fold is used for scoring only.

Prints one row per configuration (mean ± std over folds of PR-AUC, ROC-AUC, recall at a fixed
precision, log-loss and Brier score of the recovered probabilities, trees kept, fit seconds),
sorted with the best marked '*', the winning configuration, and Python code that trains it.

Numeric columns are features as they are; text and boolean columns (true/false) are categorical
features that the engine splits on natively; missing cells (empty, NA, NaN, null, none, ?) are
missing values.

Without DATA it runs on the built-in synthetic card-fraud data boostfocal.datasets.make_fraud
(100,000 rows, 0.2 % positives), and says so."""

_TUNE_EPILOG = """\
examples:
  boostfocal tune                                   # built-in make_fraud data
  boostfocal tune transactions.csv --target is_fraud --engine xgboost
  boostfocal tune data.parquet --gammas 0,1,2 --alphas none,balanced --cv 5 --plot tune.png
  boostfocal tune data.csv --param num_leaves=63 --param min_child_samples=50 --output results.json
  boostfocal tune claims.csv --target fraud --weight exposure --drop claim_id

exit status: 0 on success, 2 on bad input (message on stderr), 1 on an unexpected failure."""


def build_parser() -> argparse.ArgumentParser:
    """The ``boostfocal`` argument parser (``tune`` sub-command)."""
    parser = _Parser(
        prog="boostfocal",
        description="Focal loss for LightGBM and XGBoost: tune gamma and alpha by cross-validation.",
        epilog="Run 'boostfocal tune --help' for the tuner's options.",
    )
    parser.add_argument("--version", action="version", version=f"boostfocal {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    t = sub.add_parser(
        "tune",
        help="cross-validate focal loss (gamma x alpha grid) against log-loss, balanced CE and scale_pos_weight",
        description=_TUNE_DESCRIPTION,
        epilog=_TUNE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    t.add_argument(
        "data",
        nargs="?",
        metavar="DATA",
        help="CSV (.csv, .tsv, optionally .gz) or Parquet (.parquet, .pq) file, one row per sample; "
        "omit it to use the built-in make_fraud data",
    )

    g = t.add_argument_group("data")
    g.add_argument(
        "--target",
        metavar="COL",
        help=f"label column (default: the first of {', '.join(DEFAULT_TARGETS)} that exists)",
    )
    g.add_argument(
        "--positive-class",
        metavar="LABEL",
        help="binary labels: the value that is the positive (rare) class; default: the larger value "
        "in sort order (1 of 0/1, 'Yes' of No/Yes)",
    )
    g.add_argument(
        "--drop",
        metavar="COL[,COL...]",
        action="append",
        default=[],
        help="columns not to use as features (ids, timestamps); repeatable",
    )
    g.add_argument(
        "--weight",
        metavar="COL",
        help="column of sample weights (numbers >= 0, not all zero), passed to every fit and not used as a feature",
    )
    g.add_argument(
        "--n-samples",
        type=_int_at_least(100),
        metavar="N",
        help=f"built-in data only: number of rows (default {BUILTIN_N_SAMPLES:,})",
    )
    g.add_argument(
        "--positive-rate",
        type=_fraction(),
        metavar="R",
        help=f"built-in data only: share of positives (default {BUILTIN_POSITIVE_RATE})",
    )

    m = t.add_argument_group("what to tune")
    m.add_argument("--engine", choices=ENGINES, default="lightgbm", help="gradient-boosting engine (default: lightgbm)")
    m.add_argument(
        "--gammas",
        type=_gamma_list,
        default=list(DEFAULT_GAMMAS),
        metavar="G,G,...",
        help="focusing parameters, >= 0 (default: " + ",".join(f"{x:g}" for x in DEFAULT_GAMMAS) + ")",
    )
    m.add_argument(
        "--alphas",
        type=_alpha_list,
        default=list(DEFAULT_ALPHAS),
        metavar="A,A,...",
        help="class weights: none, balanced, or a positive-class weight in (0, 1) (binary only; skipped for "
        "multiclass labels) (default: " + ",".join(_alpha_label(a) for a in DEFAULT_ALPHAS) + ")",
    )
    m.add_argument(
        "--no-baselines",
        dest="baselines",
        action="store_false",
        help="skip the log-loss, balanced CE and scale_pos_weight baselines",
    )
    m.add_argument(
        "--hessian",
        choices=("bounded", "exact", "weighted", "clip"),
        default="bounded",
        help="Hessian policy of the focal models (default: bounded)",
    )
    m.add_argument(
        "--max-fits",
        type=_int_at_least(0),
        default=DEFAULT_MAX_FITS,
        metavar="N",
        help=f"refuse to start more than N fits (configurations x folds x candidates, as announced) "
        f"(default {DEFAULT_MAX_FITS:,}; 0: no limit)",
    )

    c = t.add_argument_group("cross-validation and scoring")
    c.add_argument(
        "--cv", type=_int_at_least(2), default=DEFAULT_CV, metavar="K", help=f"stratified folds (default {DEFAULT_CV})"
    )
    c.add_argument(
        "--repeats",
        type=_int_at_least(1),
        default=1,
        metavar="R",
        help="repeat the K-fold split R times with different shuffles (default 1)",
    )
    c.add_argument(
        "--scoring",
        choices=list(METRICS),
        default="average_precision",
        help="metric that picks the best row (default: average_precision, i.e. PR-AUC)",
    )
    c.add_argument(
        "--precision-level",
        type=_fraction(low_open=False),
        default=DEFAULT_PRECISION_LEVEL,
        metavar="P",
        help=f"precision at which recall is reported (default {DEFAULT_PRECISION_LEVEL})",
    )
    c.add_argument(
        "--random-state",
        type=_int_at_least(0),
        default=0,
        metavar="SEED",
        help="seed of the folds, inner splits and engines (default 0)",
    )

    b = t.add_argument_group("boosting")
    b.add_argument(
        "--n-estimators",
        type=_int_at_least(1),
        default=DEFAULT_N_ESTIMATORS,
        metavar="N",
        help=f"maximum boosting rounds (default {DEFAULT_N_ESTIMATORS})",
    )
    b.add_argument(
        "--early-stopping-rounds",
        type=_int_at_least(0),
        default=DEFAULT_EARLY_STOPPING_ROUNDS,
        metavar="N",
        help=f"patience on the inner validation split; 0 turns early stopping off "
        f"(default {DEFAULT_EARLY_STOPPING_ROUNDS})",
    )
    b.add_argument(
        "--early-stopping-metric",
        choices=[*METRICS, "objective"],
        default=None,
        help="what models are early-stopped on: a metric of the recovered probabilities (default: the "
        "--scoring metric) or 'objective' (each model's own training loss)",
    )
    b.add_argument(
        "--validation-fraction",
        type=_fraction(),
        default=DEFAULT_VALIDATION_FRACTION,
        metavar="F",
        help=f"share of each training fold held out for early stopping (default {DEFAULT_VALIDATION_FRACTION})",
    )
    b.add_argument(
        "--learning-rate",
        type=_positive_number,
        default=None,
        metavar="LR",
        help="learning rate, > 0 (default: boostfocal.tune's)",
    )
    b.add_argument(
        "--param",
        type=_engine_param,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other engine parameter, for every model (e.g. num_leaves=63, max_depth=4); checked against the "
        "engine's parameters before any fit; repeatable",
    )
    b.add_argument(
        "--n-jobs",
        type=int,
        default=-1,
        metavar="N",
        help="cores the run uses, as boostfocal.tune's n_jobs (-1: all cores, the default)",
    )

    o = t.add_argument_group("output")
    o.add_argument(
        "--plot",
        metavar="FILE.png",
        help="save the metric-versus-gamma plot, in the format its extension names (png, pdf, svg, ...; needs "
        "matplotlib)",
    )
    o.add_argument(
        "--plot-metric", choices=list(METRICS), default=None, help="metric to plot (default: the --scoring metric)"
    )
    o.add_argument("--output", metavar="FILE.json", help="write every fold score, the settings and the winner as JSON")
    o.add_argument("--quiet", action="store_true", help="no progress bar")
    o.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)
    return parser


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------

#: A text column with more distinct values than this share of its non-missing rows (and more
#: than ``ID_MIN_DISTINCT`` of them) is taken for an identifier, not a category (the tuner's rule).
ID_FRACTION = 0.5
ID_MIN_DISTINCT = 50
#: The spellings of a boolean cell (those pandas' CSV reader recognises too).
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})


@dataclass
class Table:
    """A data file prepared for the tuner: what :func:`read_table` and :func:`prepare` return.

    Attributes
    ----------
    X : ndarray of float64, shape (n_samples, n_features)
        Numbers as read, NaN where missing.  A categorical column (text, booleans, pandas
        ``category``) holds the code ``k`` of its ``k``-th category in
        ``categories[name]`` (sorted), NaN where missing.
    y : ndarray (n_samples,)
        Labels as read (integers or strings), or 0/1 when ``positive_class`` was given.
    feature_names : list of str
    target : str
        The label column.
    categorical_features : list of int
        Indices of the categorical columns of ``X``.
    categories : dict of str to list
        For each categorical column, its categories in code order.
    sample_weight : ndarray of float64 or None
        The ``weight`` column, when one was named.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target: str
    categorical_features: list[int] = field(default_factory=list)
    categories: dict[str, list[Any]] = field(default_factory=dict)
    sample_weight: np.ndarray | None = None

    @property
    def feature_types(self) -> list[str]:
        """XGBoost's ``feature_types``: ``"c"`` for a categorical column, ``"q"`` for a number."""
        cat = set(self.categorical_features)
        return ["c" if j in cat else "q" for j in range(len(self.feature_names))]


def _read_csv_stdlib(path: Path, sep: str) -> dict[str, np.ndarray]:
    """CSV without pandas: a header row, then values; numbers where every cell parses."""
    import gzip

    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh, delimiter=sep)
        try:
            header = next(reader)
        except StopIteration:
            raise UsageError(f"{path} is empty") from None
        rows = [r for r in reader if r]
    width = len(header)
    for i, r in enumerate(rows, start=2):
        if len(r) != width:
            raise UsageError(f"cannot read {path}: line {i} has {len(r)} fields, the header has {width}")
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    return {name: _parse_column(col) for name, col in zip(header, columns, strict=True)}


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
        return np.array([None if na else c for c, na in zip(cells, missing, strict=True)], dtype=object)
    arr = np.array(nums, dtype=np.float64)
    if not any(missing) and all(_looks_int(c) for c in present):
        return arr.astype(np.int64)
    return arr


def _looks_int(text: str) -> bool:
    return text.lstrip("+-").isdigit()


def _na_spellings() -> list[str]:
    """Every upper/lower-case spelling of the missing-value tokens, for pandas' ``na_values``."""
    import itertools

    out = set()
    for token in _NA_TOKENS:
        choices = [(ch.lower(), ch.upper()) if ch.isalpha() else (ch,) for ch in token]
        out.update("".join(p) for p in itertools.product(*choices))
    return sorted(out)


def _read_with_pandas(path: Path, sep: str, parquet: bool) -> Any:
    import pandas as pd

    if parquet:
        return pd.read_parquet(path)
    # the standard-library reader's missing-value tokens, and whole-column type inference
    kwargs: dict[str, Any] = {"na_values": _na_spellings(), "keep_default_na": False, "low_memory": False}
    if int(pd.__version__.split(".")[0]) < 3:
        kwargs["float_precision"] = "round_trip"  # as Python's float(); pandas 3 parses exactly by default
    return pd.read_csv(path, sep=sep, **kwargs)


def load_data(path: str | os.PathLike[str]) -> Any:
    """Read ``path`` into a pandas DataFrame, or a dict of column arrays when pandas is missing (CSV only)."""
    p = Path(path)
    if not p.exists():
        raise UsageError(f"no such file: {p}")
    if p.is_dir():
        raise UsageError(f"{p} is a directory, not a data file")
    suffixes = [s.lower() for s in p.suffixes]
    kind = suffixes[-2] if suffixes and suffixes[-1] == ".gz" and len(suffixes) > 1 else (suffixes or [""])[-1]
    parquet = kind in (".parquet", ".pq")
    if not parquet and kind not in (".csv", ".tsv", ".txt"):
        raise UsageError(f"{p}: unsupported file type {kind or '(no extension)'!r}; expected .csv, .tsv or .parquet")
    sep = "\t" if kind == ".tsv" else ","
    try:
        import pandas  # noqa: F401
    except ImportError:
        if parquet:
            raise UsageError(f"reading Parquet files needs pandas and pyarrow: {PARQUET_INSTALL}") from None
        try:
            return _read_csv_stdlib(p, sep)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise UsageError(f"cannot read {p}: {exc}") from None
    try:
        return _read_with_pandas(p, sep, parquet)
    except ImportError:
        raise UsageError(f"reading Parquet files needs pyarrow: {PARQUET_INSTALL}") from None
    except Exception as exc:  # pandas raises ParserError, EmptyDataError, UnicodeDecodeError, ArrowInvalid, ...
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"cannot read {p}: {msg}") from None


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
        if arr.dtype.kind == "f":
            return arr, int(np.isnan(arr).sum())
        if arr.dtype.kind == "O":
            return arr, int(sum(x is None for x in arr))
        return arr, 0
    import pandas as pd

    s = table[name]
    if isinstance(s, pd.DataFrame):
        raise UsageError(f"the file has more than one column named {name!r}")
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


def _n_missing(arr: np.ndarray) -> int:
    if arr.dtype.kind == "f":
        return int(np.isnan(arr).sum())
    if arr.dtype.kind == "O":
        return int(sum(x is None for x in arr))
    return 0


def _categorical(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Codes (float, NaN where missing) and sorted categories of a boolean or text column."""
    present = [v for v in values.tolist() if v is not None]
    if values.dtype.kind == "b" or all(isinstance(v, bool) for v in present):
        categories: list[Any] = sorted({bool(v) for v in present})
    else:
        categories = sorted({str(v) for v in present})
    index = {c: float(k) for k, c in enumerate(categories)}
    if values.dtype.kind == "b":
        codes = np.array([index[bool(v)] for v in values.tolist()])
    else:
        codes = np.array([math.nan if v is None else index[v] for v in values.tolist()], dtype=np.float64)
    return codes, categories


def _check_categorical(name: str, values: np.ndarray, categories: list[Any]) -> None:
    """Refuse a text column that is an identifier, or numbers spoilt by a few text cells."""
    present = [v for v in values.tolist() if v is not None]
    n, k = len(present), len(categories)
    if not categories or isinstance(categories[0], bool):
        return
    numeric = 0
    bad = []
    for c in categories:
        try:
            float(c)
            numeric += 1
        except ValueError:
            bad.append(c)
    if numeric >= 0.9 * k and bad:
        shown = ", ".join(repr(b) for b in bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
        raise UsageError(
            f"column {name!r} holds numbers but also text ({shown}): correct or blank those cells (blank is "
            f"missing), or leave the column out with --drop {name}"
        )
    if k > ID_MIN_DISTINCT and k > ID_FRACTION * n:
        raise UsageError(
            f"column {name!r} looks like an identifier, not a category: {k:,} distinct values in {n:,} rows; "
            f"leave it out with --drop {name}"
        )


def choose_target(columns: Sequence[str], target: str | None, source: str) -> str:
    """``target`` if it is a column, else the first default target column present."""
    shown = ", ".join(columns[:12]) + (f", ... ({len(columns)} columns)" if len(columns) > 12 else "")
    if target is not None:
        if target not in columns:
            raise UsageError(f"target column {target!r} is not in {source}; its columns: {shown}")
        return target
    for cand in DEFAULT_TARGETS:
        if cand in columns:
            return cand
    raise UsageError(
        f"{source} has none of the default target columns ({', '.join(DEFAULT_TARGETS)}): name it with --target "
        f"(columns: {shown})"
    )


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (``0``, not ``np.int64(0)``)."""
    return value.item() if isinstance(value, np.generic) else value


def _weights(table: Any, name: str, columns: Sequence[str], target: str, source: str) -> np.ndarray:
    if name not in columns:
        raise UsageError(f"--weight: no column {name!r} in {source}")
    if name == target:
        raise UsageError(f"--weight names the target column {name!r}")
    w, n_missing = _column(table, name)
    if w.dtype.kind not in "biuf":
        raise UsageError(f"--weight column {name!r} is not numeric")
    if n_missing:
        raise UsageError(f"--weight column {name!r} has {n_missing} missing value(s)")
    w = w.astype(np.float64)
    if not np.all(np.isfinite(w)):
        raise UsageError(f"--weight column {name!r} has {int(np.sum(~np.isfinite(w)))} infinite value(s)")
    if np.any(w < 0):
        raise UsageError(f"--weight column {name!r} has {int(np.sum(w < 0))} negative value(s) (min {w.min():g})")
    if not np.any(w > 0):
        raise UsageError(f"--weight column {name!r} is zero on every row")
    return w


def prepare(
    table: Any,
    target: str | None,
    drop: Sequence[str],
    positive_class: str | None,
    source: str,
    weight: str | None = None,
) -> Table:
    """The :class:`Table` of a table read by :func:`load_data`: features, labels, weights.

    Numeric columns are features as they are; boolean and text columns (and pandas ``category``
    columns) are categorical features, coded by their sorted values.  A text column with a
    distinct value on most rows is refused as an identifier.
    """
    columns = _columns(table)
    tgt = choose_target(columns, target, source)
    unknown = [c for c in drop if c not in columns]
    if unknown:
        raise UsageError(f"--drop: no column {', '.join(repr(c) for c in unknown)} in {source}")
    if tgt in drop:
        raise UsageError(f"--drop names the target column {tgt!r}")
    y, n_missing = _column(table, tgt)
    if y.shape[0] == 0:
        raise UsageError(f"{source} has no rows")
    if n_missing:
        raise UsageError(f"target column {tgt!r} has {n_missing} missing value(s); drop those rows first")
    if y.dtype.kind == "M" or y.dtype.kind == "m":
        raise UsageError(f"target column {tgt!r} holds dates or times, not classes")
    if y.dtype.kind == "f":
        if not np.all(y == np.round(y)):
            raise UsageError(f"target column {tgt!r} holds non-integer numbers: that is a regression target")
        y = y.astype(np.int64)
    if y.dtype.kind == "b":
        y = y.astype(np.int64)
    if y.dtype.kind == "O":
        y = np.array([str(v) for v in y], dtype=object)
    classes = np.unique(y)
    if classes.size < 2:
        raise UsageError(f"target column {tgt!r} has a single class ({_plain(classes[0])!r}): nothing to classify")
    if classes.size > MAX_CLASSES:
        raise UsageError(
            f"target column {tgt!r} has {classes.size} distinct values: that looks like a regression target or an id"
        )
    if positive_class is not None:
        if classes.size != 2:
            raise UsageError(f"--positive-class needs a binary target; {tgt!r} has {classes.size} classes")
        match = [c for c in classes if str(c) == positive_class]
        if not match:
            raise UsageError(
                f"--positive-class {positive_class!r} is not a value of {tgt!r} "
                f"({', '.join(repr(str(c)) for c in classes)})"
            )
        y = (y == match[0]).astype(np.int64)
    sample_weight = None if weight is None else _weights(table, weight, columns, tgt, source)

    features = [c for c in columns if c != tgt and c != weight and c not in drop]
    if not features:
        raise UsageError(f"{source} has no feature columns besides the target {tgt!r}")
    arrays, categorical, categories = [], [], {}
    for j, c in enumerate(features):
        arr, _ = _column(table, c)
        if arr.dtype.kind in "iuf":
            arrays.append(arr.astype(np.float64))
            continue
        if arr.dtype.kind in "Mm":
            raise UsageError(
                f"column {c!r} holds dates or times: convert it to numbers, or leave it out with --drop {c}"
            )
        codes, cats = _categorical(arr)
        _check_categorical(c, arr, cats)
        arrays.append(codes)
        categorical.append(j)
        categories[c] = cats
    return Table(
        X=np.column_stack(arrays),
        y=y,
        feature_names=features,
        target=tgt,
        categorical_features=categorical,
        categories=categories,
        sample_weight=sample_weight,
    )


def read_table(
    path: str | os.PathLike[str],
    *,
    target: str | None = None,
    drop: Sequence[str] = (),
    positive_class: str | None = None,
    weight: str | None = None,
) -> Table:
    """Read a CSV or Parquet file as ``boostfocal tune`` does: :func:`load_data`, then :func:`prepare`.

    Works without pandas for CSV files (the standard-library reader; both readers give the same
    :class:`Table`).  Text and boolean columns become categorical features coded by their sorted
    values: pass ``categorical_feature=table.categorical_features`` to LightGBM's ``fit``, or
    ``feature_types=table.feature_types, enable_categorical=True`` to XGBoost.
    Raises :class:`UsageError` on a file the tuner cannot use.
    """
    return prepare(load_data(path), target, list(drop), positive_class, str(path), weight)


# --------------------------------------------------------------------------------------
# Checks made before any fit
# --------------------------------------------------------------------------------------

#: tune()'s own keyword arguments, and the option of this command that sets each.
_TUNE_OPTIONS = {
    "engine": "--engine",
    "gammas": "--gammas",
    "gamma": "--gammas",
    "alphas": "--alphas",
    "alpha": "--alphas",
    "baselines": "--no-baselines",
    "cv": "--cv",
    "scoring": "--scoring",
    "n_estimators": "--n-estimators",
    "early_stopping_rounds": "--early-stopping-rounds",
    "early_stopping_metric": "--early-stopping-metric",
    "validation_fraction": "--validation-fraction",
    "precision_level": "--precision-level",
    "hessian": "--hessian",
    "random_state": "--random-state",
    "n_jobs": "--n-jobs",
    "progress": "--quiet",
    "sample_weight": "--weight",
    "categorical_features": "DATA (text and boolean columns are categorical)",
    "learning_rate": "--learning-rate",
}


def _engine_params(args: argparse.Namespace) -> dict[str, Any]:
    """``--param`` pairs and ``--learning-rate`` as checked engine parameters."""
    tune_args = set(inspect.signature(tune).parameters) - {"X", "y", "engine_params"}
    params: dict[str, Any] = {}
    for key, value in args.param:
        if key in params:
            raise UsageError(f"--param {key} is given twice")
        if key == "learning_rate" and args.learning_rate is not None:
            raise UsageError("the learning rate is given twice: --learning-rate and --param learning_rate")
        if key in _TUNE_OPTIONS and key != "learning_rate":
            raise UsageError(f"--param {key}={value}: {key} is set with {_TUNE_OPTIONS[key]}, not --param")
        if key in tune_args:
            raise UsageError(f"--param {key}={value}: {key} is an argument of the tuner, not an engine parameter")
        params[key] = value
    if args.learning_rate is not None:
        params["learning_rate"] = args.learning_rate
    if check_params is not None:
        params = dict(check_params(args.engine, params))
    return params


def _check_outputs(args: argparse.Namespace) -> None:
    """``--plot`` and ``--output`` can be written: checked now, not after the run."""
    if args.plot:
        try:
            from matplotlib.backend_bases import FigureCanvasBase
        except ImportError:
            raise UsageError("--plot needs matplotlib: pip install boostfocal[plot]") from None
        formats = sorted(FigureCanvasBase.get_supported_filetypes())
        ext = Path(args.plot).suffix.lower().lstrip(".")
        if ext not in formats:
            what = f"'.{ext}' is not an image format matplotlib writes" if ext else "it has no file extension"
            raise UsageError(f"--plot {args.plot}: {what}; use one of {', '.join('.' + f for f in formats)}")
    for option, target_path in (("--plot", args.plot), ("--output", args.output)):
        if target_path:
            folder = Path(target_path).resolve().parent
            if not folder.is_dir():
                raise UsageError(f"{option}: the folder of {target_path} does not exist")
            if not os.access(folder, os.W_OK):
                raise UsageError(f"{option}: cannot write into the folder of {target_path}")


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def _class_summary(y: np.ndarray) -> str:
    classes, counts = np.unique(y, return_counts=True)
    n = y.shape[0]
    parts = [f"{c!s}: {k:,} ({100.0 * k / n:.2f} %)" for c, k in zip(classes, counts, strict=True)]
    return ", ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _summary(result: TuneResult) -> str:
    """The tuner's headline (focal loss and the baseline, each chosen inside every fold, with the
    corrected test, its verdict and power), then the row with the best mean, which the snippet trains."""
    best = result.best
    m = result.scoring
    label = METRICS[m].label if m in METRICS else m
    return "\n".join(
        [
            result.headline(),
            "",
            f"Highest mean {label} over the {len(result.splits)} folds (descriptive, optimistic as the best of "
            f"{len(result.rows)}): {best.name}, {best.mean(m):.4f} ± {best.std(m):.4f}",
        ]
    )


def _data_snippet(
    path: str | None,
    table: Table | None,
    drop: Sequence[str],
    positive: str | None,
    weight: str | None,
    builtin: str,
) -> str:
    """Python lines that load ``X, y`` (and ``data``) as this run did: numpy and the standard library
    suffice for a CSV file (the quick-start install), Parquet needs pandas and pyarrow."""
    if path is None or table is None:
        return f"from boostfocal.datasets import make_fraud\n\nX, y = {builtin}"
    args = [repr(str(path)), f"target={table.target!r}"]
    if drop:
        args.append(f"drop={list(drop)!r}")
    if positive is not None:
        args.append(f"positive_class={positive!r}")
    if weight is not None:
        args.append(f"weight={weight!r}")
    lines = ["from boostfocal.cli import read_table", ""]
    if Path(path).suffix.lower() in (".parquet", ".pq"):
        lines.append(f"# reading Parquet needs pandas and pyarrow: {PARQUET_INSTALL}")
    lines.append(f"data = read_table({', '.join(args)})")
    lines.append("X, y = data.X, data.y")
    if table.categorical_features:
        lines.append("# text and boolean columns hold category codes: code k is data.categories[name][k]")
    return "\n".join(lines)


def _fit_lines(snippet: str, engine: str, table: Table | None) -> str:
    """``snippet`` with the weights and categorical columns of ``table`` passed to ``fit``."""
    if table is None or (table.sample_weight is None and not table.categorical_features):
        return snippet
    fit_args = ["X", "y"]
    before = []
    if table.sample_weight is not None:
        fit_args.append("sample_weight=data.sample_weight")
    if table.categorical_features:
        if engine == "lightgbm":
            fit_args.append("categorical_feature=data.categorical_features")
        else:
            before.append("model.set_params(enable_categorical=True, feature_types=data.feature_types)")
    lines = []
    for ln in snippet.splitlines():
        if ln == "model.fit(X, y)":
            lines.extend(before)
            ln = f"model.fit({', '.join(fit_args)})"
        lines.append(ln)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def _run_tune(args: argparse.Namespace) -> int:
    out = sys.stdout
    # everything that can be checked is checked before the data are read and the first fit
    _check_outputs(args)
    engine_params = _engine_params(args)
    drop = [c.strip() for item in args.drop for c in item.split(",") if c.strip()]
    builtin_call = None
    table: Table | None = None
    sample_weight = None
    categorical: list[int] = []
    if args.data is None:
        if args.target is not None or drop or args.positive_class is not None or args.weight is not None:
            raise UsageError("--target, --drop, --weight and --positive-class need a DATA file")
        from .datasets import make_fraud

        n = args.n_samples or BUILTIN_N_SAMPLES
        rate = args.positive_rate or BUILTIN_POSITIVE_RATE
        builtin_call = f"make_fraud(n_samples={n}, positive_rate={rate:g}, random_state={args.random_state})"
        X, y = make_fraud(n_samples=n, positive_rate=rate, random_state=args.random_state)
        target = "is_fraud"
        print(
            f"No data file given: using the built-in synthetic data boostfocal.datasets.{builtin_call}: "
            f"{X.shape[0]:,} rows, {X.shape[1]} features ({_class_summary(y)}).",
            file=out,
        )
    else:
        if args.n_samples is not None or args.positive_rate is not None:
            raise UsageError("--n-samples and --positive-rate apply to the built-in data only (no DATA file)")
        table = read_table(
            args.data, target=args.target, drop=drop, positive_class=args.positive_class, weight=args.weight
        )
        X, y, target = table.X, table.y, table.target
        sample_weight, categorical = table.sample_weight, table.categorical_features
        pos = "" if args.positive_class is None else f", positive class {args.positive_class!r} -> 1"
        cats = ""
        if categorical:
            names = [table.feature_names[j] for j in categorical]
            cats = f" ({len(names)} categorical: {', '.join(names[:6])}{' ...' if len(names) > 6 else ''})"
        wtext = "" if args.weight is None else f", weights {args.weight!r}"
        print(
            f"Data: {args.data}: {X.shape[0]:,} rows, {X.shape[1]} features{cats}, target {target!r} "
            f"({_class_summary(y)}{pos}){wtext}.",
            file=out,
        )

    counts = np.unique(y, return_counts=True)[1]
    if counts.min() < args.cv:
        raise UsageError(f"the rarest class has only {counts.min()} samples: --cv {args.cv} needs {args.cv}")
    esr = args.early_stopping_rounds or None
    # the tuner's own plan (rows x folds x candidates), laid out by the code that runs it
    fits = tuning_plan(
        y,
        engine=args.engine,
        gammas=args.gammas,
        alphas=args.alphas,
        baselines=args.baselines,
        cv=args.cv,
        repeats=args.repeats,
        **engine_params,
    )
    n_fits = fits.n_fits
    size = fits.describe()
    if args.max_fits and n_fits > args.max_fits:
        raise UsageError(
            f"{size}, more than --max-fits {args.max_fits:,}: use fewer gammas, alphas or folds, or raise --max-fits"
        )
    print(
        f"Tuning {args.engine}: {_count(len(args.gammas), 'gamma')} x {_count(len(args.alphas), 'alpha')}"
        f"{' + baselines' if args.baselines else ''}: {size}"
        f" ({args.cv}-fold stratified{f' x {args.repeats} repeats' if args.repeats > 1 else ''}), "
        f"scoring {args.scoring}.",
        file=out,
    )
    out.flush()
    data_kwargs: dict[str, Any] = {}
    if sample_weight is not None:
        data_kwargs["sample_weight"] = sample_weight
    if categorical:
        data_kwargs["categorical_features"] = categorical
    start = time.perf_counter()
    result = tune(
        X,
        y,
        **data_kwargs,
        engine=args.engine,
        gammas=args.gammas,
        alphas=args.alphas,
        baselines=args.baselines,
        cv=args.cv,
        repeats=args.repeats,
        scoring=args.scoring,
        n_estimators=args.n_estimators,
        early_stopping_rounds=esr,
        early_stopping_metric=args.early_stopping_metric,
        validation_fraction=args.validation_fraction,
        precision_level=args.precision_level,
        hessian=args.hessian,
        random_state=args.random_state,
        n_jobs=args.n_jobs,
        progress=not args.quiet,
        **engine_params,
    )
    elapsed = time.perf_counter() - start
    print(f"\nFinished in {elapsed:.1f} s.\n", file=out)
    print(result.table_caption() + ":", file=out)
    print(result.format_table(), file=out)
    print("", file=out)
    print(_summary(result), file=out)
    print("\nTrain it on all the data:\n", file=out)
    data_lines = _data_snippet(args.data, table, drop, args.positive_class, args.weight, builtin_call or "")
    code = _fit_lines(result.snippet(data=data_lines), args.engine, table)
    print("\n".join("    " + ln if ln else "" for ln in code.splitlines()), file=out)

    if args.output:
        payload = json.loads(result.to_json())
        payload["data"] = args.data or builtin_call
        payload["target"] = target
        payload["weight"] = args.weight
        payload["categorical_features"] = [] if table is None else [table.feature_names[j] for j in categorical]
        payload["elapsed_s"] = elapsed
        try:
            Path(args.output).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"\nWrote {args.output}", file=out)
    if args.plot:
        from .plotting import save_tuning_plot

        try:
            save_tuning_plot(result, args.plot, args.plot_metric)
        except ImportError as exc:
            raise UsageError(str(exc)) from None
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot write the plot {args.plot}: {exc}") from None
        print(f"Wrote {args.plot}", file=out)
    return 0


def _value_options(parser: argparse.ArgumentParser) -> tuple[set[str], set[str]]:
    """Option strings of ``parser`` and its sub-commands: (all of them, those that take a value)."""
    every: set[str] = set()
    valued: set[str] = set()
    stack = [parser]
    while stack:
        p = stack.pop()
        for action in p._actions:
            every.update(action.option_strings)
            if action.option_strings and action.nargs is None:
                valued.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
    return every, valued


def _attach_dash_values(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """``--gammas -1,2`` as ``--gammas=-1,2``: argparse takes a value that starts with ``-`` (other
    than a plain negative number) for an option and stops with "expected one argument", so the
    value never reaches its own check."""
    every, valued = _value_options(parser)
    longs = sorted(o for o in every if o.startswith("--"))
    out: list[str] = []
    i = 0
    while i < len(argv):
        tok = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        name = tok
        if tok.startswith("--") and tok not in every:
            matches = [o for o in longs if o.startswith(tok)]
            name = matches[0] if len(matches) == 1 else tok
        if name in valued and nxt is not None and nxt.startswith("-") and nxt != "-" and nxt not in every:
            is_option_like = nxt.startswith("--") and nxt.split("=", 1)[0] in every
            if not is_option_like and not any(o.startswith(nxt) for o in longs):
                out.append(f"{tok}={nxt}")
                i += 2
                continue
        out.append(tok)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns 0 on success, raises ``SystemExit`` (2 bad input, 1 failure) otherwise."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(_attach_dash_values(parser, argv))
    if args.command is None:
        parser.error("a command is required: tune")
    try:
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):  # pragma: no cover - replaced stdout
        pass
    prog = f"{parser.prog} {args.command}"
    try:
        return _run_tune(args)
    except UsageError as exc:
        _fail(prog, str(exc), 2)
    except (ValueError, TypeError) as exc:  # the library's input checks
        if args.traceback:
            raise
        _fail(prog, str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 2)
    except ImportError as exc:
        _fail(prog, str(exc).splitlines()[0], 2)
    except KeyboardInterrupt:
        _fail(prog, "interrupted", 130)
    except Exception as exc:
        if args.traceback:
            raise
        _fail(
            prog,
            f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
            "(run again with --traceback for details)",
            1,
        )


def _fail(prog: str, message: str, status: int) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.write(f"{prog}: error: {message}\n")
    raise SystemExit(status)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
