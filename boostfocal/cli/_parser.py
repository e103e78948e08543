"""The command line's parser: ``boostfocal tune`` and its options, each value checked as it is read."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from .. import __version__
from ..tables import DEFAULT_TARGETS
from ..tuning import (  # the tuner's defaults are the command's: shown in the help, used when not given
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
)
from ..tuning._result import _alpha_label

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


def _int_at_least(minimum: int) -> Callable[[str], int]:
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


def _gap(text: str) -> int | str:
    from ..tuning._splits import parse_gap

    try:
        unit, size = parse_gap(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("gap must be", "expected")) from None
    return int(size) if unit == "rows" else text


def _budget(text: str) -> int | float:
    """``500`` (a count), ``0.5%`` or ``0.005`` (a share of the rows)."""
    t = text.strip()
    try:
        if t.endswith("%"):
            share = float(t[:-1]) / 100.0
        elif re.fullmatch(r"\d+", t):
            return _int_at_least(1)(t)
        else:
            share = float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a count (500) or a share (0.5%), got {text!r}") from None
    if not 0 < share < 1:
        raise argparse.ArgumentTypeError(f"a share of the rows must be in (0, 100%), got {text!r}")
    return share


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
against three baselines fitted in the same folds (stratified, time-ordered with --time-column, or
grouped with --group-column): the engine's own log-loss, balanced
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
  boostfocal tune --time-column time --scoring savings --amount amount --admin-cost 5   # in money, over time
  boostfocal tune tx.csv --target is_fraud --time-column ts --gap 2d --alert-budget 0.5%
  boostfocal tune tx.csv --target is_fraud --group-column card_id --cost-fp 1 --cost-fn 50
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
    _data_options(t.add_argument_group("data"))
    _grid_options(t.add_argument_group("what to tune"))
    _split_options(t.add_argument_group("cross-validation and scoring"))
    _money_options(t.add_argument_group("money and alerts"))
    _boosting_options(t.add_argument_group("boosting"))
    _output_options(t.add_argument_group("output"))
    return parser


def _data_options(g: Any) -> None:
    """The "data" options."""
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


def _grid_options(m: Any) -> None:
    """The "what to tune" options."""
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


def _split_options(c: Any) -> None:
    """The "cross-validation and scoring" options."""
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
        choices=[*METRICS, "savings", "precision_at_budget"],
        default="average_precision",
        help="metric that picks the best row and that the headline tests (default: average_precision, i.e. "
        "PR-AUC); savings needs --amount and --admin-cost (or --cost-fp and --cost-fn), precision_at_budget "
        "needs --alert-budget",
    )
    c.add_argument(
        "--time-column",
        metavar="COL",
        help="time-ordered folds: train on the past, test on the next period (expanding windows), the "
        "latest part of each window validating; COL holds numbers (seconds) or dates, and is no feature "
        "unless --time-feature",
    )
    c.add_argument(
        "--gap",
        type=_gap,
        default=0,
        metavar="N|DURATION",
        help="with --time-column: rows (e.g. 1000) or a duration (e.g. 2d, 12h, 30min) left out between "
        "each training window and its test period, for labels that arrive late (default 0)",
    )
    c.add_argument("--time-feature", action="store_true", help="keep the --time-column column as a feature")
    c.add_argument(
        "--group-column",
        metavar="COL",
        help="grouped stratified folds: the rows of one value of COL (a card, a customer) stay in one fold; "
        "COL is no feature",
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


def _money_options(g: Any) -> None:
    """The "money and alerts" options."""
    g.add_argument(
        "--amount",
        metavar="COL",
        help="the transaction amount (a missed fraud costs it): with --admin-cost, adds savings and cost "
        "columns (the Bayes rule p x amount > admin cost on each model's calibrated probability); COL "
        "stays a feature",
    )
    g.add_argument("--admin-cost", type=_positive_number, metavar="X", help="the cost of one alert, with --amount")
    g.add_argument("--cost-fp", type=_positive_number, metavar="X", help="class costs: a false alarm costs X")
    g.add_argument("--cost-fn", type=_positive_number, metavar="X", help="class costs: a missed fraud costs X")
    g.add_argument(
        "--alert-budget",
        type=_budget,
        metavar="N|P%",
        help="alerts the team checks: a count (500) or a share of the rows (0.5%%); adds precision among "
        "the top-scored rows of each test fold",
    )


def _boosting_options(b: Any) -> None:
    """The "boosting" options."""
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
    b.add_argument(
        "--full-search",
        action="store_true",
        help="train every candidate of every row to the end (default: race a row's candidates to 50 rounds, "
        "successive halving over 6 or more focal rows)",
    )


def _output_options(o: Any) -> None:
    """The "output" options."""
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
