"""The ``boostfocal`` command line: ``boostfocal tune [DATA] ...``.

Reads a CSV (pandas if installed, else the standard library) or Parquet file (pandas and pyarrow),
or draws the built-in :func:`boostfocal.datasets.make_fraud` data when no file is given, runs
:func:`boostfocal.tune`, and prints the table, the winning configuration and a Python snippet that
trains it.  Bad input ends with a one-line message on stderr and exit status 2; an unexpected
failure with a one-line message and status 1 (``--traceback`` shows the full one).
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from . import __version__
from .tuning import (
    DEFAULT_ALPHAS,
    DEFAULT_CV,
    DEFAULT_EARLY_STOPPING_ROUNDS,
    DEFAULT_GAMMAS,
    DEFAULT_LEARNING_RATE,
    DEFAULT_N_ESTIMATORS,
    DEFAULT_PRECISION_LEVEL,
    DEFAULT_VALIDATION_FRACTION,
    ENGINES,
    METRICS,
    TuneResult,
    _alpha_label,
    tune,
)

__all__ = ["UsageError", "build_parser", "load_data", "main"]

#: Target columns looked for, in this order, when ``--target`` is not given.
DEFAULT_TARGETS = ("target", "Class", "y")
#: More distinct target values than this is taken for a regression target, not classes.
MAX_CLASSES = 100
#: Size and positive rate of the built-in data when no file is given.
BUILTIN_N_SAMPLES = 100_000
BUILTIN_POSITIVE_RATE = 0.002

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

Without DATA it runs on the built-in synthetic card-fraud data boostfocal.datasets.make_fraud
(100,000 rows, 0.2 % positives), and says so."""

_TUNE_EPILOG = """\
examples:
  boostfocal tune                                   # built-in make_fraud data
  boostfocal tune transactions.csv --target is_fraud --engine xgboost
  boostfocal tune data.parquet --gammas 0,1,2 --alphas none,balanced --cv 5 --plot tune.png
  boostfocal tune data.csv --param num_leaves=63 --param min_child_samples=50 --output results.json

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
        help="columns not to use as features (ids, timestamps, text); repeatable",
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
        type=float,
        default=DEFAULT_LEARNING_RATE,
        metavar="LR",
        help=f"learning rate (default {DEFAULT_LEARNING_RATE})",
    )
    b.add_argument(
        "--param",
        type=_engine_param,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other engine parameter, for every model (e.g. num_leaves=63, max_depth=4); repeatable",
    )
    b.add_argument(
        "--n-jobs",
        type=int,
        default=-1,
        metavar="N",
        help="threads per fit (-1: all cores, the default)",
    )

    o = t.add_argument_group("output")
    o.add_argument("--plot", metavar="FILE.png", help="save the metric-versus-gamma plot (needs matplotlib)")
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
    """Integers, floats (NaN for missing), booleans, or the strings themselves."""
    cells = [v.strip() for v in values]
    missing = [c.lower() in _NA_TOKENS for c in cells]
    present = [c for c, na in zip(cells, missing, strict=True) if not na]
    if present and all(c.lower() in ("true", "false") for c in present) and not any(missing):
        return np.array([c.lower() == "true" for c in cells])
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


def _read_with_pandas(path: Path, sep: str, parquet: bool) -> Any:
    import pandas as pd

    if parquet:
        return pd.read_parquet(path)
    return pd.read_csv(path, sep=sep)


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
            raise UsageError("reading Parquet files needs pandas and pyarrow: pip install pandas pyarrow") from None
        try:
            return _read_csv_stdlib(p, sep)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise UsageError(f"cannot read {p}: {exc}") from None
    try:
        return _read_with_pandas(p, sep, parquet)
    except ImportError as exc:
        raise UsageError(f"reading Parquet files needs pyarrow (or fastparquet): pip install pyarrow ({exc})") from None
    except Exception as exc:  # pandas raises ParserError, EmptyDataError, UnicodeDecodeError, ArrowInvalid, ...
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"cannot read {p}: {msg}") from None


def _columns(table: Any) -> list[str]:
    return [str(c) for c in table.columns] if hasattr(table, "columns") else list(table)


def _column(table: Any, name: str) -> tuple[np.ndarray, int]:
    """A column as a numpy array and its number of missing values; bools and numbers become float
    (targets keep their type), text stays object."""
    if hasattr(table, "columns"):
        import pandas as pd

        s = table[name]
        n_missing = int(s.isna().sum())
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            if n_missing == 0 and (pd.api.types.is_integer_dtype(s) or pd.api.types.is_bool_dtype(s)):
                return s.to_numpy(dtype=np.int64), 0
            return s.to_numpy(dtype=np.float64, na_value=np.nan), n_missing
        if isinstance(s.dtype, pd.CategoricalDtype):
            return s.to_numpy(dtype=object), n_missing
        return s.to_numpy(dtype=object), n_missing
    arr = table[name]
    if arr.dtype.kind == "f":
        return arr, int(np.isnan(arr).sum())
    if arr.dtype.kind == "O":
        return arr, int(sum(x is None for x in arr))
    return (arr.astype(np.int64) if arr.dtype.kind == "b" else arr), 0


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


def prepare(
    table: Any, target: str | None, drop: Sequence[str], positive_class: str | None, source: str
) -> tuple[np.ndarray, np.ndarray, list[str], str]:
    """Features ``X`` (float, NaN for missing), labels ``y``, feature names and the target column."""
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
    if y.dtype.kind == "f":
        if not np.all(y == np.round(y)):
            raise UsageError(f"target column {tgt!r} holds non-integer numbers: that is a regression target")
        y = y.astype(np.int64)
    if y.dtype.kind == "O":
        y = np.array([str(v) for v in y], dtype=object)
    classes = np.unique(y)
    if classes.size < 2:
        raise UsageError(f"target column {tgt!r} has a single class ({classes[0]!r}): nothing to classify")
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

    features = [c for c in columns if c != tgt and c not in drop]
    if not features:
        raise UsageError(f"{source} has no feature columns besides the target {tgt!r}")
    arrays, text = [], []
    for c in features:
        arr, _ = _column(table, c)
        if arr.dtype.kind not in "biuf":
            text.append(c)
            continue
        arrays.append(arr.astype(np.float64))
    if text:
        names = ", ".join(repr(c) for c in text[:6]) + (f" and {len(text) - 6} more" if len(text) > 6 else "")
        raise UsageError(
            f"non-numeric feature column(s) {names}: encode them as numbers, or leave them out with --drop"
        )
    X = np.column_stack(arrays)
    return X, y, features, tgt


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def _class_summary(y: np.ndarray) -> str:
    classes, counts = np.unique(y, return_counts=True)
    n = y.shape[0]
    parts = [f"{c!s}: {k:,} ({100.0 * k / n:.2f} %)" for c, k in zip(classes, counts, strict=True)]
    return ", ".join(parts)


def _summary(result: TuneResult) -> str:
    best = result.best
    m = result.scoring
    label = METRICS[m].label if m in METRICS else m
    lines = [f"Best ({label}, mean ± std over {result.settings['n_splits']} folds): {best.name}"]
    lines.append(f"  {label} {best.mean(m):.4f} ± {best.std(m):.4f}")
    ref = result.baseline("log-loss")
    if ref is not None and ref is not best:
        diff = np.asarray(best.scores[m]) - np.asarray(ref.scores[m])
        better = diff > 0 if result.greater_is_better else diff < 0
        lines.append(
            f"  log-loss baseline {ref.mean(m):.4f} ± {ref.std(m):.4f}; paired difference "
            f"{diff.mean():+.4f} ± {diff.std(ddof=1) if diff.size > 1 else 0.0:.4f}, "
            f"better in {int(better.sum())} of {diff.size} folds"
        )
    focal = result.best_focal
    if focal is not None and focal is not best:
        lines.append(f"  best focal configuration: {focal.name}, {label} {focal.mean(m):.4f} ± {focal.std(m):.4f}")
    return "\n".join(lines)


def _data_snippet(path: str | None, target: str, drop: Sequence[str], positive: str | None, builtin: str) -> str:
    if path is None:
        return f"from boostfocal.datasets import make_fraud\n\nX, y = {builtin}"
    reader = "read_parquet" if Path(path).suffix.lower() in (".parquet", ".pq") else "read_csv"
    sep = ', sep="\\t"' if ".tsv" in [s.lower() for s in Path(path).suffixes] else ""
    cols = [target, *drop]
    lines = ["import pandas as pd", "", f"df = pd.{reader}({str(path)!r}{sep})"]
    y_expr = f"df[{target!r}]" if positive is None else f"(df[{target!r}].astype(str) == {positive!r}).astype(int)"
    lines.append(f"X, y = df.drop(columns={cols!r}), {y_expr}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def _run_tune(args: argparse.Namespace) -> int:
    out = sys.stdout
    # fail before a long run, not after it
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise UsageError("--plot needs matplotlib: pip install boostfocal[plot]") from None
    for option, target_path in (("--plot", args.plot), ("--output", args.output)):
        if target_path and not Path(target_path).resolve().parent.is_dir():
            raise UsageError(f"{option}: the folder of {target_path} does not exist")
    drop = [c.strip() for item in args.drop for c in item.split(",") if c.strip()]
    builtin_call = None
    if args.data is None:
        if args.target is not None or drop or args.positive_class is not None:
            raise UsageError("--target, --drop and --positive-class need a DATA file")
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
        table = load_data(args.data)
        X, y, _, target = prepare(table, args.target, drop, args.positive_class, str(args.data))
        pos = "" if args.positive_class is None else f", positive class {args.positive_class!r} -> 1"
        print(
            f"Data: {args.data}: {X.shape[0]:,} rows, {X.shape[1]} features, target {target!r} "
            f"({_class_summary(y)}{pos}).",
            file=out,
        )

    engine_params = dict(args.param)
    if "learning_rate" not in engine_params:
        engine_params["learning_rate"] = args.learning_rate
    cv: Any = args.cv
    if args.repeats > 1:
        from sklearn.model_selection import RepeatedStratifiedKFold

        cv = RepeatedStratifiedKFold(n_splits=args.cv, n_repeats=args.repeats, random_state=args.random_state)
        counts = np.unique(y, return_counts=True)[1]
        if counts.min() < args.cv:
            raise UsageError(f"the rarest class has only {counts.min()} samples: --cv {args.cv} needs {args.cv}")
    esr = args.early_stopping_rounds or None
    n_splits = args.cv * args.repeats
    print(
        f"Tuning {args.engine}: {len(args.gammas)} gammas x {len(args.alphas)} alphas"
        f"{' + baselines' if args.baselines else ''}, {n_splits} folds"
        f" ({args.cv}-fold stratified{f' x {args.repeats} repeats' if args.repeats > 1 else ''}), "
        f"scoring {args.scoring}.",
        file=out,
    )
    out.flush()
    start = time.perf_counter()
    result = tune(
        X,
        y,
        engine=args.engine,
        gammas=args.gammas,
        alphas=args.alphas,
        baselines=args.baselines,
        cv=cv,
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
    print(result.format_table(), file=out)
    print("", file=out)
    print(_summary(result), file=out)
    print("\nTrain it on all the data:\n", file=out)
    data_lines = _data_snippet(args.data, target, drop, args.positive_class, builtin_call or "")
    print("\n".join("    " + ln if ln else "" for ln in result.snippet(data=data_lines).splitlines()), file=out)

    if args.output:
        payload = result.to_dict()
        payload["data"] = args.data or builtin_call
        payload["target"] = target
        payload["elapsed_s"] = elapsed
        import json

        from .tuning import _jsonable

        try:
            Path(args.output).write_text(json.dumps(_jsonable(payload), indent=2) + "\n", encoding="utf-8")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns 0 on success, raises ``SystemExit`` (2 bad input, 1 failure) otherwise."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
