"""The run of ``boostfocal tune``: read the data, check what can be checked, tune, report."""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import sys
import time
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._files import PARQUET_INSTALL
from ..tables import Table, read_table
from ..tuning import METRICS, TuneResult, check_params, tune
from ..tuning import plan as tuning_plan
from ..tuning._snippet import MODEL_FILES, DataCode
from ._parser import BUILTIN_N_SAMPLES, BUILTIN_POSITIVE_RATE, UsageError

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
    "full_search": "--full-search",
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


def _summary(result: TuneResult) -> str:
    """The tuner's headline (focal loss and the baseline, each chosen inside every fold, with the
    corrected test, its verdict and power), then the row with the best mean, which the snippet trains."""
    best = result.best
    m = result.scoring
    label = METRICS[m].label if m in METRICS else m
    lines = [
        result.headline(),
        "",
        f"Highest mean {label} over the {len(result.splits)} folds (descriptive, optimistic as the best of "
        f"{len(result.rows)}): {best.name}, {best.mean(m):.4f} ± {best.std(m):.4f}",
    ]
    comp = result.comparison
    if comp is not None:
        family = "focal" if comp.focal_is_better else "baseline"
        top, k = comp.choices(family)[0]
        if top != best.name:
            lines.append(
                f"The program below trains that starred row, which is not what the headline's procedure picked: "
                f"it chooses on each fold's inner validation split (its {family} choice was most often {top}, "
                f"{k} of {comp.n_folds} folds), the star ranks means on the test folds themselves; "
                f"result.snippet(row) in Python trains any row."
            )
    return "\n".join(lines)


def _data_code(
    args: argparse.Namespace, table: Table | None, drop: Sequence[str], builtin: str, n_new: int
) -> DataCode:
    """How the printed program gets its data, fits with the weights and categorical columns of this
    run, and reads new rows coded as in training: numpy and the standard library suffice for a CSV
    file (the quick-start install); Parquet needs pandas and pyarrow."""
    if args.data is None or table is None:
        new_call = builtin.replace(f"n_samples={args.n_samples or BUILTIN_N_SAMPLES}", f"n_samples={n_new}")
        new_call = new_call.replace(f"random_state={args.random_state}", f"random_state={args.random_state + 1}")
        load, new_rows = [f"X, y = {builtin}"], [f"X_new, _ = {new_call}  # new rows to score (their labels unused)"]
        if args.time_column and not args.time_feature:
            load.append("X = X[:, :-1]  # the last column, time, orders the folds and is no feature")
            new_rows.append("X_new = X_new[:, :-1]")
        return DataCode(
            imports=["from boostfocal.datasets import make_fraud"], load=load, new_rows=new_rows, amount="X_new[:, 0]"
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
    amount = "amount_new  # the amounts of the new rows"
    if args.amount is not None and args.amount in table.feature_names:
        amount = f"X_new[:, {table.feature_names.index(args.amount)}]"
    return DataCode(
        amount=amount,
        imports=["from boostfocal.tables import Schema, read_features, read_table"],
        load=load,
        fit_kwargs=fit_kwargs,
        after_save=[f"data.schema.save({schema!r})  # the feature columns, their types and category codes"],
        new_rows=[
            f"new_rows = {path!r}  # a file of rows to score, with the feature columns (a target column is ignored)",
            f"X_new = read_features(new_rows, Schema.load({schema!r}){sep})  # coded exactly as in training",
        ],
    )


@dataclass
class _Data:
    """The table a run tunes on, as read (or drawn), and how to say where it came from."""

    X: Any
    y: np.ndarray
    target: str
    table: Table | None = None
    builtin_call: str | None = None
    sample_weight: np.ndarray | None = None
    categorical: list[int] = field(default_factory=list)
    side: dict[str, Any] = field(default_factory=dict)  # time, groups, amount: what tune() takes
    drop: list[str] = field(default_factory=list)  # the columns left out of the features


def _builtin_data(args: argparse.Namespace, drop: list[str]) -> _Data:
    """The built-in :func:`~boostfocal.datasets.make_fraud` table, announced."""
    given = [args.target, drop or None, args.positive_class, args.weight, args.sep, args.group_column]
    if any(v is not None for v in given):
        raise UsageError("--target, --drop, --weight, --positive-class, --sep and --group-column need a DATA file")
    for option, value, name in (("--time-column", args.time_column, "time"), ("--amount", args.amount, "amount")):
        if value not in (None, name):
            raise UsageError(f"{option} {value}: the built-in data's column is {name!r}")
    from ..datasets import make_fraud

    n = args.n_samples or BUILTIN_N_SAMPLES
    rate = args.positive_rate or BUILTIN_POSITIVE_RATE
    timed = args.time_column is not None
    call = f"make_fraud(n_samples={n}, positive_rate={rate:g}, random_state={args.random_state}"
    call += ", time_column=True)" if timed else ")"
    X, y = make_fraud(n_samples=n, positive_rate=rate, random_state=args.random_state, time_column=timed)
    side: dict[str, Any] = {}
    if timed:
        side["time"] = X[:, -1]
        X = X if args.time_feature else X[:, :-1]
    if args.amount is not None:
        side["amount"] = X[:, 0]
    print(
        f"No data file given: using the built-in synthetic data boostfocal.datasets.{call}: "
        f"{X.shape[0]:,} rows, {_count(X.shape[1], 'feature')} ({_class_summary(y)}).",
        file=sys.stdout,
    )
    return _Data(X, y, "is_fraud", builtin_call=call, side=side)


def _file_data(args: argparse.Namespace, drop: list[str]) -> _Data:
    """The table of the DATA file, announced."""
    if args.n_samples is not None or args.positive_rate is not None:
        raise UsageError("--n-samples and --positive-rate apply to the built-in data only (no DATA file)")
    if args.sep is not None and Path(args.data).suffix.lower() in (".parquet", ".pq"):
        raise UsageError("--sep applies to CSV files, not to Parquet")
    columns = {"time": args.time_column, "groups": args.group_column, "amount": args.amount}
    drop = drop + [c for c in (args.group_column,) if c] + ([args.time_column] if args.time_column else [])
    if args.time_feature:
        drop.remove(args.time_column)
    table = read_table(
        args.data,
        target=args.target,
        drop=drop,
        positive_class=args.positive_class,
        weight=args.weight,
        sep=args.sep,
        side=[c for c in columns.values() if c],
    )
    side = {key: table.side[col] for key, col in columns.items() if col}
    if "time" in side:
        side["time"] = _time_array(side["time"], args.time_column)
    data = _Data(
        table.X, table.y, table.target, table, None, table.sample_weight, table.categorical_features, side, drop
    )
    pos = "" if args.positive_class is None else f", positive class {args.positive_class!r} -> 1"
    cats = ""
    if data.categorical:
        names = [table.feature_names[j] for j in data.categorical]
        cats = f" ({len(names)} categorical: {', '.join(names[:6])}{' ...' if len(names) > 6 else ''})"
    wtext = "" if args.weight is None else f", weights {args.weight!r}"
    classes = np.unique(data.y) if data.y.ndim == 1 else np.empty(0)
    if classes.size > 2:
        print(
            f"Multiclass target {data.target!r}: {classes.size} classes ({', '.join(repr(str(c)) for c in classes)}): "
            "softmax focal loss against log-loss and balanced CE, no scale_pos_weight row; for a binary target, "
            "correct the labels or name the positive class with --positive-class.",
            file=sys.stdout,
        )
    print(
        f"Data: {args.data}: {data.X.shape[0]:,} rows, {_count(data.X.shape[1], 'feature')}{cats}, target "
        f"{data.target!r} ({_class_summary(data.y)}{pos}){wtext}.",
        file=sys.stdout,
    )
    return data


def _time_array(values: np.ndarray, column: str) -> np.ndarray:
    """A time column as numbers (seconds) or, for text cells, datetimes."""
    if values.dtype.kind in "iuf":
        return values
    try:
        return np.array(values, dtype="datetime64[ns]")
    except (ValueError, TypeError):
        shown = next((v for v in values.tolist() if v is not None), None)
        raise UsageError(f"--time-column {column}: its cells are neither numbers nor dates (e.g. {shown!r})") from None


def _plan_run(args: argparse.Namespace, data: _Data, shared: dict[str, Any]) -> None:
    """Refuse a run the rarest class or --max-fits rules out, and announce the plan."""
    y = data.y
    if y.ndim == 2:  # multilabel: each label's positives and negatives
        counts = np.r_[y.sum(axis=0), y.shape[0] - y.sum(axis=0)]
    else:
        counts = np.unique(y, return_counts=True)[1]
    if counts.min() < args.cv:
        raise UsageError(f"the rarest class has only {counts.min()} samples: --cv {args.cv} needs {args.cv}")
    # the tuner's own plan (rows x folds x candidates), laid out by the code that runs it
    fits = tuning_plan(y, **shared)
    size = fits.describe()
    if args.max_fits and fits.n_fits > args.max_fits:
        raise UsageError(
            f"{size}, more than --max-fits {args.max_fits:,}: use fewer gammas, alphas or folds, or raise --max-fits"
        )
    print(
        f"Tuning {args.engine}: {_count(len(args.gammas), 'gamma')} x {_count(len(args.alphas), 'alpha')}"
        f"{' + baselines' if args.baselines else ''}: {size}"
        f" ({_folds_in_words(args)}), scoring {args.scoring}. The progress bar counts these fits (one model"
        " of a configuration, fold and candidate each), each once it is trained to the end, stopped early or"
        " dropped from its row's race.",
        file=sys.stdout,
    )
    sys.stdout.flush()


def _folds_in_words(args: argparse.Namespace) -> str:
    if args.time_column:
        gap = f", gap {args.gap}" if args.gap else ""
        return f"{args.cv} time-ordered expanding-window folds on {args.time_column!r}{gap}"
    rep = f" x {args.repeats} repeats" if args.repeats > 1 else ""
    if args.group_column:
        return f"{args.cv}-fold stratified, grouped by {args.group_column!r}{rep}"
    return f"{args.cv}-fold stratified{rep}"


def _money_kwargs(args: argparse.Namespace, data: _Data) -> dict[str, Any]:
    """The money and split arguments of :func:`boostfocal.tune` this run gives."""
    if args.amount is not None and args.admin_cost is None:
        raise UsageError("--amount needs --admin-cost (the cost of an alert)")
    if args.admin_cost is not None and args.amount is None:
        raise UsageError("--admin-cost needs --amount (a missed fraud costs its amount); or use --cost-fp/--cost-fn")
    if (args.cost_fp is None) != (args.cost_fn is None):
        raise UsageError("--cost-fp and --cost-fn go together")
    if args.admin_cost is not None and args.cost_fp is not None:
        raise UsageError("give --amount with --admin-cost, or --cost-fp with --cost-fn, not both")
    if args.gap and not args.time_column:
        raise UsageError("--gap needs --time-column")
    if args.time_feature and not args.time_column:
        raise UsageError("--time-feature needs --time-column")
    if args.time_column and args.group_column:
        raise UsageError("--time-column and --group-column exclude each other: choose one way to split")
    out: dict[str, Any] = dict(data.side)
    if "time" in out and args.gap:
        out["gap"] = args.gap
    for key in ("admin_cost", "cost_fp", "cost_fn", "alert_budget"):
        if getattr(args, key) is not None:
            out[key] = getattr(args, key)
    return out


def _run_tune(args: argparse.Namespace) -> int:
    """The whole run: checks, data, plan, tune, report; 0 on success."""
    # everything that can be checked is checked before the data are read and the first fit
    _check_outputs(args)
    engine_params = _engine_params(args)
    drop = [c.strip() for item in args.drop for c in item.split(",") if c.strip()]
    data = _builtin_data(args, drop) if args.data is None else _file_data(args, drop)
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
    _plan_run(args, data, shared)
    data_kwargs: dict[str, Any] = {}
    if data.sample_weight is not None:
        data_kwargs["sample_weight"] = data.sample_weight
    if data.categorical:
        data_kwargs["categorical_features"] = data.categorical
    start = time.perf_counter()
    result = _call_tuner(
        tune,
        data.X,
        data.y,
        **data_kwargs,
        **shared,
        scoring=args.scoring,
        n_estimators=args.n_estimators,
        early_stopping_rounds=args.early_stopping_rounds or None,
        early_stopping_metric=args.early_stopping_metric,
        validation_fraction=args.validation_fraction,
        precision_level=args.precision_level,
        hessian=args.hessian,
        random_state=args.random_state,
        n_jobs=args.n_jobs,
        progress=not args.quiet,
        full_search=args.full_search,
        **_money_kwargs(args, data),
    )
    elapsed = time.perf_counter() - start
    _report(args, data, data.drop or drop, result, elapsed)
    if args.output:
        _write_json(args, data, result, elapsed)
    if args.plot:
        from ..plotting import save_tuning_plot

        try:
            save_tuning_plot(result, args.plot, args.plot_metric)
        except OSError as exc:  # the folder and the format were checked before the run
            raise UsageError(f"cannot write the plot {args.plot}: {exc.strerror or exc}") from None
        print(f"Wrote {args.plot}", file=sys.stdout)
    return 0


def _report(args: argparse.Namespace, data: _Data, drop: list[str], result: TuneResult, elapsed: float) -> None:
    """The table, the headline and the program that trains the winner."""
    out = sys.stdout
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
        return
    print("\nTrain it on all the data:\n", file=out)
    code = result.snippet(data=_data_code(args, data.table, drop, data.builtin_call or "", SNIPPET_NEW_ROWS))
    print("\n".join("    " + ln if ln else "" for ln in code.splitlines()), file=out)


def _write_json(args: argparse.Namespace, data: _Data, result: TuneResult, elapsed: float) -> None:
    """``--output``: the tuner's JSON report with what the command read."""
    payload = json.loads(result.to_json())
    payload["data"] = args.data or data.builtin_call
    payload["target"] = data.target
    if result.multilabel:  # the label columns, in the order of "classes" and of every per_label list
        payload["labels"] = data.target.split(",")
    payload["weight"] = args.weight
    table = data.table
    payload["categorical_features"] = [] if table is None else [table.feature_names[j] for j in data.categorical]
    payload["elapsed_s"] = elapsed
    try:
        Path(args.output).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"\nWrote {args.output}", file=sys.stdout)


#: Rows of new data the printed program scores for the built-in data.
SNIPPET_NEW_ROWS = 1_000
_PACKAGE = Path(__file__).resolve().parent.parent
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
        result: TuneResult = tuner(*args, **kwargs)
        return result
    except (ValueError, TypeError, ImportError) as exc:
        if _raised_by_argument_checks(exc):
            raise UsageError(_first_line(exc)) from exc
        raise


def _count(n: int, singular: str, plural: str | None = None) -> str:
    """``"1 gamma"``, ``"2 gammas"``."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


#: The arguments of :mod:`boostfocal.tables` and the options of this command that set them.
_TABLE_OPTIONS = {
    "target": "--target",
    "drop": "--drop",
    "weight": "--weight",
    "sep": "--sep",
    "positive_class": "--positive-class",
    "decimal": "--decimal",
    "unknown": "--unknown",
    "side": "--time-column/--group-column/--amount",
}


def cli_message(text: str) -> str:
    """A :class:`~boostfocal.tables.TableError` message in the command's terms: ``drop=['id']``
    becomes ``--drop id``, ``sep=`` becomes ``--sep``."""

    def option(match: re.Match[str]) -> str:
        flag = _TABLE_OPTIONS[match.group(1)]
        value = match.group(2)
        if value is None:
            return flag
        return f"{flag} {','.join(v.strip().strip(chr(39)) for v in value.strip('[]').split(','))}"

    names = "|".join(_TABLE_OPTIONS)
    return re.sub(rf"\b({names})=(\[?'[^']*'(?:, '[^']*')*\]?)?", option, text)
