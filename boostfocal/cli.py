"""The ``boostfocal`` command line: ``boostfocal tune [DATA] ...``.

Reads a CSV (pandas if installed, else the standard library; the same table either way; the
delimiter read from the header or given with ``--sep``) or Parquet file (pandas and pyarrow) with
:func:`boostfocal.tables.read_table`, text and boolean columns as categorical features and an
optional column of sample weights, or draws the built-in :func:`boostfocal.datasets.make_fraud`
data when no file is given, runs :func:`boostfocal.tune`, and prints the table, the winning
configuration and a Python program that trains it on all the data, saves it and scores new rows
coded as in training (numpy and the standard library suffice to run it for a CSV file).

Everything the command can check (options, the data, engine parameters, the size of the grid,
the plot's file format) is checked before the first fit.  Bad input -- a :class:`UsageError` of
this module, a :class:`boostfocal.tables.TableError`, or a ``ValueError``/``TypeError``/
``ImportError`` that boostfocal's own argument checks raise before the search starts -- ends with
a one-line message on stderr and exit status 2.  Any other failure, an error raised while the
models are fitted included, is unexpected: a one-line message and status 1 (``--traceback``
shows the full one).
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import sys
import time
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from . import __version__
from .tables import DEFAULT_TARGETS, PARQUET_INSTALL, Table, TableError, read_table
from .tuning import (  # the tuner's defaults are the command's: shown in the help, used when not given
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
    check_params,
    tune,
)
from .tuning import plan as tuning_plan
from .tuning._result import _alpha_label
from .tuning._snippet import MODEL_FILES, DataCode

__all__ = ["UsageError", "build_parser", "main"]

#: Size and positive rate of the built-in data when no file is given.
BUILTIN_N_SAMPLES = 100_000
BUILTIN_POSITIVE_RATE = 0.002

#: A run of more fits (configurations x folds x candidates, the tuner's plan) than this needs ``--max-fits``.
DEFAULT_MAX_FITS = 2_000


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


def _separator(text: str) -> str:
    sep = "\t" if text in ("tab", "\\t") else text
    if len(sep) != 1 or sep in '"\r\n':
        raise argparse.ArgumentTypeError(f"expected one character (or 'tab'), got {text!r}")
    return sep


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
  boostfocal tune export.csv --sep ';' --target is_fraud
  boostfocal tune claims.csv --target chargeback,dispute,refund   (multilabel: several 0/1 columns)

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
        help=f"label column (default: the first of {', '.join(DEFAULT_TARGETS)} that exists); several 0/1 "
        "columns separated by commas (a,b,c) make a multilabel target",
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
        "--sep",
        type=_separator,
        metavar="CHAR",
        help="CSV delimiter, one character or 'tab' (default: read from the header line: the most frequent of "
        ", ; tab |)",
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
        help="refuse to start more than N fits (configurations x folds x candidates, as announced) "
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
        help=f"learning rate, > 0 (default {DEFAULT_LEARNING_RATE:g})",
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
    try:
        return dict(check_params(args.engine, params))
    except (ValueError, TypeError, ImportError) as exc:  # the tuner's check of engine parameters
        raise UsageError(_first_line(exc)) from None


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
    if y.ndim == 2:  # multilabel: the positives of each label
        return "multilabel, positives: " + ", ".join(f"{100.0 * k / y.shape[0]:.2f} %" for k in y.sum(axis=0))
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


def _data_code(
    args: argparse.Namespace, table: Table | None, drop: Sequence[str], builtin: str, n_new: int
) -> DataCode:
    """How the printed program gets its data, fits with the weights and categorical columns of this
    run, and reads new rows coded as in training: numpy and the standard library suffice for a CSV
    file (the quick-start install); Parquet needs pandas and pyarrow."""
    if args.data is None or table is None:
        new_call = builtin.replace(f"n_samples={args.n_samples or BUILTIN_N_SAMPLES}", f"n_samples={n_new}")
        new_call = new_call.replace(f"random_state={args.random_state})", f"random_state={args.random_state + 1})")
        return DataCode(
            imports=["from boostfocal.datasets import make_fraud"],
            load=[f"X, y = {builtin}"],
            new_rows=[f"X_new, _ = {new_call}  # new rows to score (their labels unused)"],
        )
    path = str(args.data)
    read_args = [repr(path), f"target={table.target!r}"]
    if drop:
        read_args.append(f"drop={list(drop)!r}")
    if args.positive_class is not None:
        read_args.append(f"positive_class={args.positive_class!r}")
    if args.weight is not None:
        read_args.append(f"weight={args.weight!r}")
    sep = f", sep={args.sep!r}" if args.sep is not None else ""
    load = []
    if Path(path).suffix.lower() in (".parquet", ".pq"):
        load.append(f"# reading Parquet needs pandas and pyarrow: {PARQUET_INSTALL}")
    load.append(f"data = read_table({', '.join(read_args)}{sep})")
    load.append("X, y = data.X, data.y")
    if table.categorical_features:
        load.append("# text and boolean columns hold category codes: code k is data.categories[name][k]")
    fit_kwargs = []
    if table.sample_weight is not None:
        fit_kwargs.append("sample_weight=data.sample_weight")
    if table.categorical_features and args.engine == "lightgbm":
        fit_kwargs.append("categorical_feature=data.categorical_features")
    schema = MODEL_FILES[args.engine].rsplit(".", 1)[0] + ".schema.json"
    return DataCode(
        imports=["from boostfocal.tables import Schema, read_features, read_table"],
        load=load,
        fit_kwargs=fit_kwargs,
        after_save=[f"data.schema.save({schema!r})  # the feature columns, their types and category codes"],
        new_rows=[
            f"new_rows = {path!r}  # a file of rows to score, with the feature columns (a target column is ignored)",
            f"X_new = read_features(new_rows, Schema.load({schema!r}){sep})  # coded exactly as in training",
        ],
    )


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
        given = [args.target, drop or None, args.positive_class, args.weight, args.sep]
        if any(v is not None for v in given):
            raise UsageError("--target, --drop, --weight, --positive-class and --sep need a DATA file")
        from .datasets import make_fraud

        n = args.n_samples or BUILTIN_N_SAMPLES
        rate = args.positive_rate or BUILTIN_POSITIVE_RATE
        builtin_call = f"make_fraud(n_samples={n}, positive_rate={rate:g}, random_state={args.random_state})"
        X, y = make_fraud(n_samples=n, positive_rate=rate, random_state=args.random_state)
        target = "is_fraud"
        print(
            f"No data file given: using the built-in synthetic data boostfocal.datasets.{builtin_call}: "
            f"{X.shape[0]:,} rows, {_count(X.shape[1], 'feature')} ({_class_summary(y)}).",
            file=out,
        )
    else:
        if args.n_samples is not None or args.positive_rate is not None:
            raise UsageError("--n-samples and --positive-rate apply to the built-in data only (no DATA file)")
        if args.sep is not None and Path(args.data).suffix.lower() in (".parquet", ".pq"):
            raise UsageError("--sep applies to CSV files, not to Parquet")
        table = read_table(
            args.data,
            target=args.target,
            drop=drop,
            positive_class=args.positive_class,
            weight=args.weight,
            sep=args.sep,
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
            f"Data: {args.data}: {X.shape[0]:,} rows, {_count(X.shape[1], 'feature')}{cats}, target {target!r} "
            f"({_class_summary(y)}{pos}){wtext}.",
            file=out,
        )

    if y.ndim == 2:  # multilabel: each label's positives and negatives
        counts = np.r_[y.sum(axis=0), y.shape[0] - y.sum(axis=0)]
    else:
        counts = np.unique(y, return_counts=True)[1]
    if counts.min() < args.cv:
        raise UsageError(f"the rarest class has only {counts.min()} samples: --cv {args.cv} needs {args.cv}")
    esr = args.early_stopping_rounds or None
    # the tuner's own plan (rows x folds x candidates), laid out by the code that runs it
    # what decides the plan, given once to the plan and to the run: they cannot drift apart
    shared: dict[str, Any] = dict(
        engine=args.engine,
        gammas=args.gammas,
        alphas=args.alphas,
        baselines=args.baselines,
        cv=args.cv,
        repeats=args.repeats,
        **engine_params,
    )
    fits = tuning_plan(y, **shared)
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
    result = _call_tuner(
        tune,
        X,
        y,
        **data_kwargs,
        **shared,
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
    )
    elapsed = time.perf_counter() - start
    print(f"\nFinished in {elapsed:.1f} s.\n", file=out)
    print(result.table_caption() + ":", file=out)
    print(result.format_table(), file=out)
    print("", file=out)
    print(_summary(result), file=out)
    if result.multilabel:
        print(
            "\nNo training program is printed for a multilabel target: fit result.best_estimator() (bf.tune in "
            "Python) on X and the (n, L) 0/1 label matrix; its predict_proba gives each label's posterior.",
            file=out,
        )
    else:
        print("\nTrain it on all the data:\n", file=out)
        code = result.snippet(data=_data_code(args, table, drop, builtin_call or "", SNIPPET_NEW_ROWS))
        print("\n".join("    " + ln if ln else "" for ln in code.splitlines()), file=out)

    if args.output:
        payload = json.loads(result.to_json())
        payload["data"] = args.data or builtin_call
        payload["target"] = target
        if result.multilabel:  # the label columns, in the order of "classes" and of every per_label list
            payload["labels"] = target.split(",")
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
        except OSError as exc:  # the folder and the format were checked before the run
            raise UsageError(f"cannot write the plot {args.plot}: {exc.strerror or exc}") from None
        print(f"Wrote {args.plot}", file=out)
    return 0


#: Rows of new data the printed program scores for the built-in data.
SNIPPET_NEW_ROWS = 1_000
_PACKAGE = Path(__file__).resolve().parent
_SEARCH = _PACKAGE / "tuning" / "_search.py"


def _raised_by_argument_checks(exc: BaseException) -> bool:
    """Whether ``exc`` is one of boostfocal's own checks of the tuner's arguments: raised by a
    ``raise`` statement in boostfocal's code (not by numpy, scikit-learn or an engine), before the
    search started (no frame of ``tuning/_search.py`` on the way).  A ``ValueError`` from a fit, or
    from a bug in a library boostfocal calls, is not bad input."""
    tb: types.TracebackType | None = exc.__traceback__
    files = []
    while tb is not None:
        files.append(Path(tb.tb_frame.f_code.co_filename).resolve())
        tb = tb.tb_next
    if not files or _SEARCH in files:
        return False
    return _PACKAGE in files[-1].parents


def _call_tuner(tuner: Any, *args: Any, **kwargs: Any) -> TuneResult:
    """``tuner(*args, **kwargs)``; the tuner's own argument checks become a :class:`UsageError`."""
    try:
        return tuner(*args, **kwargs)
    except (ValueError, TypeError, ImportError) as exc:
        if _raised_by_argument_checks(exc):
            raise UsageError(_first_line(exc)) from exc
        raise


def _count(n: int, singular: str, plural: str | None = None) -> str:
    """``"1 gamma"``, ``"2 gammas"``."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


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
    except (UsageError, TableError) as exc:  # our own checks of the input, and only those
        _fail(prog, _first_line(exc), 2)
    except KeyboardInterrupt:
        _fail(prog, "interrupted", 130)
    except Exception as exc:
        if args.traceback:
            raise
        _fail(
            prog,
            f"unexpected {type(exc).__name__}: {_first_line(exc)} (run again with --traceback for details)",
            1,
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _fail(prog: str, message: str, status: int) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.write(f"{prog}: error: {message}\n")
    raise SystemExit(status)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
