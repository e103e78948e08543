"""Tests of the ``boostfocal`` command line.

* ``--help`` of the program and of ``tune`` name every option; ``--version`` prints the version;
* ``tune`` runs end to end on a small CSV written here and on the built-in data (small, through
  ``--n-samples``), printing the table with the best row marked, the winner and a snippet, and
  writing ``--output`` JSON (and ``--plot`` when matplotlib is installed);
* every bad input -- a missing file, an unknown target column, a one-class target, an identifier
  column, an unknown engine, and more -- ends with one line on stderr and exit status 2, with
  no traceback, both through ``main(argv)`` and through ``python -m boostfocal``; those the
  command can check itself end so before any fit (the tuner is replaced by one that fails);
* text and boolean columns are categorical features, read the same with and without pandas and
  from Parquet; ``--weight`` is a column of sample weights; both reach ``tune``; a
  semicolon-separated file is read as such, and ``--sep`` sets the delimiter;
* a ValueError raised while the models are fitted is status 1 ("unexpected"), not bad input;
* the printed program runs as printed, in fresh processes, without pandas, for the built-in data
  and for a CSV file with text columns and a weight column, for every row kind and both engines:
  it fits with the weights, saves the model, and scores a new unlabelled file coded as in training;
* off a terminal the progress bar writes one line per redraw; the help states the defaults; the
  plot draws balanced CE once.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("lightgbm")

import boostfocal
from boostfocal import cli, tables, tuning
from boostfocal.datasets import make_fraud
from boostfocal.tuning import TuneResult

FAST = ["--n-estimators", "10", "--early-stopping-rounds", "4", "--n-jobs", "1", "--cv", "2", "--quiet"]
GRID = ["--gammas", "0,2", "--alphas", "none,balanced"]


def _write_csv(path: Path, n: int = 2_000, target: str = "target", labels: tuple[Any, Any] = (0, 1)) -> Path:
    X, y = make_fraud(n, positive_rate=0.05, random_state=4)
    names = [f"f{j}" for j in range(X.shape[1])]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join([*names, target]) + "\n")
        for row, label in zip(X, y, strict=True):
            fh.write(",".join(f"{v:.6g}" for v in row) + f",{labels[label]}\n")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = cli.main(argv)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return status, out, err


# --------------------------------------------------------------------------------------
# Help and version
# --------------------------------------------------------------------------------------


def test_help_is_complete(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(["--help"], capsys)
    assert status == 0 and "tune" in out and "--version" in out
    status, out, _ = _run(["tune", "--help"], capsys)
    assert status == 0
    for option in (
        "DATA",
        "--target",
        "--engine",
        "--gammas",
        "--alphas",
        "--cv",
        "--plot",
        "--output",
        "--n-samples",
        "--scoring",
        "--n-estimators",
        "--early-stopping-rounds",
        "--param",
        "--random-state",
        "make_fraud",
        "exit status",
    ):
        assert option in out, option


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(["--version"], capsys)
    assert status == 0 and out.strip() == f"boostfocal {boostfocal.__version__}"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run([], capsys)
    assert status == 2 and len(err.strip().splitlines()) == 1 and "command" in err


# --------------------------------------------------------------------------------------
# End to end
# --------------------------------------------------------------------------------------


def test_tune_on_a_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write_csv(tmp_path / "data.csv")
    out_json = tmp_path / "results.json"
    argv = ["tune", str(data), *GRID, *FAST, "--output", str(out_json)]
    has_mpl = True
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        has_mpl = False
    if has_mpl:
        argv += ["--plot", str(tmp_path / "tune.png")]
    status, out, err = _run(argv, capsys)
    assert status == 0, err
    assert "target 'target'" in out  # found by default
    lines = out.splitlines()
    header = next(i for i, ln in enumerate(lines) if "PR-AUC" in ln and "rank" in ln)
    rows = lines[header + 1 : header + 1 + 6]  # 3 focal + log-loss, balanced CE, scale_pos_weight
    assert sum(ln.startswith("*") for ln in rows) == 1 and rows[0].startswith("*")
    assert {"log-loss", "balanced CE", "scale_pos_weight"} <= {k for ln in rows for k in ln.split("  ") if k}
    assert "Highest mean PR-AUC" in out and "Classifier(" in out and "model.fit(X, y)" in out
    assert f"read_table({str(data)!r}, target='target')" in out and "pandas" not in out
    # 2 gammas x 2 alphas - balanced CE (a baseline) + 3 baselines = 6 rows; 2 regularisation candidates
    # each but scale_pos_weight, with 2 of its own: (5 x 2 + 2) x 2 folds = 24
    assert "6 configurations x 2 folds x 2 regularisation candidates (scale_pos_weight: 2 candidates of its own)" in out
    assert "= 24 fits" in out
    payload = json.loads(out_json.read_text())
    assert len(payload["rows"]) == 6 and payload["data"] == str(data) and payload["target"] == "target"
    means = [r["average_precision"]["mean"] for r in payload["rows"]]
    assert payload["best"]["average_precision"]["mean"] == max(means)
    if has_mpl:
        assert (tmp_path / "tune.png").stat().st_size > 1000


def test_tune_on_a_csv_with_text_labels_and_xgboost(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("xgboost")
    data = _write_csv(tmp_path / "caravan-like.csv", n=1_500, target="Class", labels=("No", "Yes"))
    argv = ["tune", str(data), "--engine", "xgboost", "--gammas", "2", "--alphas", "0.25", *FAST]
    status, out, err = _run(argv, capsys)
    assert status == 0, err
    assert "target 'Class'" in out and "Yes: " in out
    assert "XGBClassifier(" in out


def test_tune_on_the_builtin_data_subprocess(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "boostfocal", "tune", "--n-samples", "2000", "--positive-rate", "0.05", *GRID, *FAST]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "No data file given: using the built-in synthetic data" in proc.stdout
    assert "make_fraud(n_samples=2000, positive_rate=0.05, random_state=0)" in proc.stdout
    assert "X, y = make_fraud(n_samples=2000" in proc.stdout  # the snippet loads the same data


# --------------------------------------------------------------------------------------
# Bad input: one line, exit status 2
# --------------------------------------------------------------------------------------


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    good = _write_csv(tmp_path / "good.csv", n=300)
    one_class = tmp_path / "one_class.csv"
    one_class.write_text("a,b,target\n1,2,0\n3,4,0\n5,6,0\n")
    id_like = tmp_path / "id_like.csv"
    id_like.write_text("amount,tx,target\n" + "".join(f"{i},tx{i:04d},{i % 2}\n" for i in range(120)))
    no_default = tmp_path / "no_default.csv"
    no_default.write_text("a,b,label\n1,2,0\n3,4,1\n")
    regression = tmp_path / "regression.csv"
    regression.write_text("a,target\n" + "".join(f"{i},{i * 0.37}\n" for i in range(20)))
    other = tmp_path / "data.xlsx"
    other.write_text("not a table")
    return {
        "missing file": (["tune", str(tmp_path / "nope.csv")], "no such file"),
        "directory": (["tune", str(tmp_path)], "directory"),
        "unsupported extension": (["tune", str(other)], "unsupported file type"),
        "target not a column": (["tune", str(good), "--target", "label"], "target column 'label' is not in"),
        "no default target": (["tune", str(no_default)], "--target"),
        "one class": (["tune", str(one_class)], "single class (0): nothing to classify"),
        "regression target": (["tune", str(regression)], "regression"),
        "identifier column": (["tune", str(id_like)], "column 'tx' looks like an identifier"),
        "unknown engine": (["tune", str(good), "--engine", "catboost"], "invalid choice: 'catboost'"),
        "bad gamma": (["tune", "--gammas", "0,x"], "gamma 'x' is not a number"),
        "negative gamma": (["tune", "--gammas", "-1"], ">= 0"),
        "bad alpha": (["tune", "--alphas", "none,2"], "alpha must be strictly between 0 and 1"),
        "cv of one": (["tune", "--cv", "1"], ">= 2"),
        "too many folds": (["tune", str(good), "--cv", "200", *GRID], "rarest class"),
        "n-samples with a file": (["tune", str(good), "--n-samples", "1000"], "built-in data only"),
        "drop unknown column": (["tune", str(good), "--drop", "nope"], "--drop"),
        "bad engine param": (["tune", "--param", "num_leaves"], "KEY=VALUE"),
        "unknown positive class": (["tune", str(good), "--positive-class", "fraud"], "--positive-class"),
        "output folder missing": (["tune", str(good), "--output", str(tmp_path / "no" / "r.json")], "does not exist"),
        "bad separator": (["tune", str(good), "--sep", ";;"], "--sep: expected one character (or 'tab'), got ';;'"),
    }


def _assert_one_line(name: str, status: int, err: str, message: str) -> None:
    assert status == 2, (name, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, (name, err)
    assert "Traceback" not in err and message in lines[0], (name, lines[0])
    assert lines[0].startswith("boostfocal"), (name, lines[0])


def test_every_bad_input_is_one_line_and_status_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, (argv, message) in _bad_inputs(tmp_path).items():
        status, _, err = _run([*argv, "--quiet"] if argv[0] == "tune" and "--param" not in argv else argv, capsys)
        _assert_one_line(name, status, err, message)


class _TuneCalled(Exception):
    pass


@pytest.fixture
def no_fit(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace the tuner: a call records its arguments and stops the command (exit status 1)."""
    seen: dict[str, Any] = {}

    def fake_tune(X: Any, y: Any, **kwargs: Any) -> Any:
        seen.update(kwargs, X=X, y=y)
        raise _TuneCalled

    monkeypatch.setattr(cli._run, "tune", fake_tune)
    return seen


def _early_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """Bad input the command itself sees, and must report before the first fit."""
    good = _write_csv(tmp_path / "good.csv", n=300)
    weights = tmp_path / "weights.csv"
    weights.write_text(
        "a,w,neg,gap,inf,zero,text,target\n"
        + "".join(
            f"{i},1.5,{1 - i},{'' if i == 3 else 1},{'inf' if i == 2 else 1},0,t{i % 2},{i % 2}\n" for i in range(8)
        )
    )
    spoilt = tmp_path / "spoilt.csv"
    spoilt.write_text("amount,target\n" + "".join(f"{i * 1.5},{i % 2}\n" for i in range(30)) + "oops,1\n")
    cases = {
        "negative gammas list": (["tune", str(good), "--gammas", "-1,2"], "gamma must be a finite number >= 0"),
        "negative alphas list": (["tune", str(good), "--alphas", "-0.5,none"], "alpha must be strictly between"),
        "negative learning rate": (["tune", str(good), "--learning-rate", "-1"], "--learning-rate: must be a finite"),
        "nan learning rate": (["tune", str(good), "--learning-rate", "nan"], "--learning-rate: must be a finite"),
        "n_estimators as a param": (["tune", str(good), "--param", "n_estimators=5"], "set with --n-estimators"),
        "random_state as a param": (["tune", str(good), "--param", "random_state=1"], "set with --random-state"),
        "tuner argument as a param": (["tune", str(good), "--param", "cv=5"], "set with --cv"),
        "param twice": (["tune", str(good), "--param", "num_leaves=7", "--param", "num_leaves=9"], "given twice"),
        "learning rate twice": (
            ["tune", str(good), "--learning-rate", "0.2", "--param", "learning_rate=0.1"],
            "learning rate is given twice",
        ),
        "grid too large": (
            [
                "tune",
                str(good),
                "--gammas",
                ",".join(str(g / 100) for g in range(2000)),
                "--alphas",
                "none,0.5,balanced",
            ],
            "6,002 configurations x 3 folds",
        ),
        "grid larger than --max-fits": (
            ["tune", str(good), *GRID, "--max-fits", "23", "--cv", "2"],
            "= 24 fits, more than --max-fits 23",
        ),
        "weight not a column": (["tune", str(weights), "--weight", "nope"], "--weight nope: no column 'nope'"),
        "weight is the target": (["tune", str(weights), "--weight", "target"], "--weight target names the target"),
        "weight negative": (["tune", str(weights), "--weight", "neg"], "'neg' has 6 negative value(s)"),
        "weight missing": (["tune", str(weights), "--weight", "gap"], "'gap' has 1 missing value(s)"),
        "weight infinite": (["tune", str(weights), "--weight", "inf"], "'inf' has 1 infinite value(s)"),
        "weight all zero": (["tune", str(weights), "--weight", "zero"], "'zero' is zero on every row"),
        "weight text": (["tune", str(weights), "--weight", "text"], "'text' is not numeric"),
        "weight without data": (["tune", "--weight", "w"], "need a DATA file"),
        "numbers spoilt by text": (["tune", str(spoilt)], "column 'amount' holds numbers but also text ('oops')"),
    }
    try:
        import matplotlib  # noqa: F401

        cases["plot"] = (["tune", str(good), "--plot", str(tmp_path / "out.txt")], "'.txt' is not an image")
        cases["plot without extension"] = (["tune", str(good), "--plot", str(tmp_path / "out")], "no file extension")
    except ImportError:
        cases["plot"] = (["tune", str(good), "--plot", str(tmp_path / "p.png")], "matplotlib")
    return cases


_EARLY_CASES = [
    "negative gammas list",
    "negative alphas list",
    "negative learning rate",
    "nan learning rate",
    "n_estimators as a param",
    "random_state as a param",
    "tuner argument as a param",
    "param twice",
    "learning rate twice",
    "grid too large",
    "grid larger than --max-fits",
    "weight not a column",
    "weight is the target",
    "weight negative",
    "weight missing",
    "weight infinite",
    "weight all zero",
    "weight text",
    "weight without data",
    "numbers spoilt by text",
    "plot",
    "plot without extension",
]


@pytest.mark.parametrize("case", _EARLY_CASES)
def test_bad_input_is_reported_before_any_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_fit: dict[str, Any], case: str
) -> None:
    cases = _early_inputs(tmp_path)
    if case not in cases:
        pytest.skip("without matplotlib the plot case is 'plot without matplotlib'")
    argv, message = cases[case]
    status, _, err = _run([*argv, "--quiet"], capsys)
    _assert_one_line(case, status, err, message)
    assert not no_fit


@pytest.mark.parametrize(
    ("engine", "param", "name"),
    [
        ("lightgbm", "bogus=3", "bogus"),
        ("lightgbm", "num_leaves=abc", "num_leaves"),
        ("lightgbm", "learning_rate=-1", "learning_rate"),
        ("xgboost", "max_depth=abc", "max_depth"),
        ("xgboost", "bogus=3", "bogus"),
    ],
)
def test_engine_params_are_checked_before_any_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_fit: dict[str, Any], engine: str, param: str, name: str
) -> None:
    pytest.importorskip(engine)
    good = _write_csv(tmp_path / "good.csv", n=300)
    status, _, err = _run(["tune", str(good), "--engine", engine, "--param", param, "--quiet"], capsys)
    _assert_one_line(param, status, err, name)
    assert not no_fit


@pytest.mark.parametrize("case", ["missing file", "target not a column", "one class", "identifier column"])
def test_bad_input_through_the_module_entry_point(tmp_path: Path, case: str) -> None:
    argv, message = _bad_inputs(tmp_path)[case]
    proc = subprocess.run([sys.executable, "-m", "boostfocal", *argv], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert message in proc.stderr


def test_unknown_engine_through_the_module_entry_point() -> None:
    cmd = [sys.executable, "-m", "boostfocal", "tune", "--engine", "catboost"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "catboost" in proc.stderr


def test_a_failure_inside_the_search_is_not_reported_as_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ValueError raised while the models are fitted (a bug, not the user's input) ends with
    status 1 and 'unexpected', not status 2; a ValueError of the tuner's own checks of its
    arguments (a training fold too small for an inner validation split) is bad input, status 2."""
    good = _write_csv(tmp_path / "good.csv", n=300)

    def broken_fit(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("a bug in a fit")

    with monkeypatch.context() as m:
        m.setattr(tuning._search, "run_fit", broken_fit)
        status, _, err = _run(["tune", str(good), *GRID, *FAST], capsys)
    assert status == 1 and "unexpected ValueError: a bug in a fit" in err and len(err.strip().splitlines()) == 1
    two = tmp_path / "two.csv"
    two.write_text("a,target\n" + "".join(f"{i},{int(i < 2)}\n" for i in range(60)))
    status, _, err = _run(["tune", str(two), *FAST], capsys)
    _assert_one_line("two positives", status, err, "class 1 (2 rows) has fewer than 5 rows")


def test_a_semicolon_separated_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], no_fit: dict[str, Any]) -> None:
    """The delimiter is read from the header; ``--sep`` sets it, and the message of a target column
    that is not found names the delimiter used."""
    comma = _write_csv(tmp_path / "comma.csv", n=300, target="is_fraud")
    semi = tmp_path / "semi.csv"
    semi.write_text(comma.read_text().replace(",", ";"))
    status, out, err = _run(["tune", str(semi), "--target", "is_fraud", *FAST], capsys)
    assert status == 1 and "_TuneCalled" in err and "target 'is_fraud'" in out  # reached the tuner
    np.testing.assert_array_equal(no_fit["X"], tables.read_table(comma, target="is_fraud").X)
    status, _, err = _run(["tune", str(semi), "--target", "is_fraud", "--sep", ",", *FAST], capsys)
    _assert_one_line("wrong --sep", status, err, "(read with separator ','; set another with --sep)")
    status, _, err = _run(["tune", "--sep", ";", *FAST], capsys)
    _assert_one_line("--sep without data", status, err, "need a DATA file")


def test_progress_in_a_log_is_one_line_per_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Off a terminal (stderr captured: not a tty) every redraw of the progress bar is a line of its
    own, no carriage returns; the last one is the final count.  The bar's 1 s delay is set to 0, so
    that the check does not depend on how long the run takes."""
    monkeypatch.setattr(tuning._search.Progress.__init__, "__defaults__", (None, 0.0, None))
    monkeypatch.chdir(tmp_path)
    argv = ["tune", "--n-samples", "3000", "--positive-rate", "0.05", "--gammas", "2", "--alphas", "none"]
    status, out, err = _run(argv + [a for a in FAST if a != "--quiet"], capsys)
    assert status == 0, err
    assert "\r" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("tune:")]
    assert lines and lines[-1].split("|")[2].strip().startswith("16/16"), err
    assert "= 16 fits" in out and "The progress bar counts these fits" in out  # the count announced


def test_progress_redraws_are_lines_off_a_terminal() -> None:
    import io
    import time

    stream = io.StringIO()  # not a terminal
    bar = tuning._search.Progress(4, True, stream=stream, delay=0.0, interval=0.05)
    for _ in range(4):
        time.sleep(0.08)
        bar.update()
    bar.close()
    text = stream.getvalue()
    lines = text.splitlines()
    assert "\r" not in text and len(lines) >= 4 and all(ln.startswith("tune:") for ln in lines)
    assert [ln.split("|")[2].split()[0] for ln in lines][-1] == "4/4"


def test_help_states_the_defaults_and_counts(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    status, out, _ = _run(["tune", "--help"], capsys)
    assert status == 0
    text = " ".join(out.split())
    assert f"learning rate, > 0 (default {tuning.DEFAULT_LEARNING_RATE:g})" in text
    assert "configurations x folds x candidates, as announced" in text
    assert "--sep" in text
    assert not re.search(r"\b1 (gammas|alphas|features|folds)\b", text)


def test_the_plot_draws_balanced_ce_once() -> None:
    """Balanced CE (gamma 0, alpha balanced) is a baseline: a reference line, not also the first
    point of an 'alpha=balanced' series; the focal series hold the focal rows only."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from boostfocal.plotting import plot_tuning
    from boostfocal.tuning._result import ConfigResult

    folds = np.arange(12)
    splits = [(folds[:6], folds[6:8], folds[8:]) for _ in range(3)]

    def row(kind: str, gamma: Any, alpha: Any, values: list[float]) -> ConfigResult:
        return ConfigResult(kind, gamma, alpha, scores={"average_precision": values})

    rows = [
        row("focal", 1.0, None, [0.40, 0.42, 0.44]),
        row("focal", 2.0, None, [0.45, 0.46, 0.44]),
        row("focal", 2.0, "balanced", [0.41, 0.43, 0.42]),
        row("log-loss", None, None, [0.47, 0.45, 0.46]),
        row("balanced CE", 0.0, "balanced", [0.30, 0.31, 0.32]),
        row("scale_pos_weight", None, None, [0.35, 0.36, 0.34]),
    ]
    for grid in (rows, [r for r in rows if r.alpha is None or r.kind != "focal"]):
        result = TuneResult(grid, "average_precision", "lightgbm", np.array([0, 1]), {"n_splits": 3}, splits)
        ax = plot_tuning(result, ax=Figure().subplots())
        lines = {ln.get_label(): ln for ln in ax.get_lines()}
        series = sorted(k for k in lines if k.startswith("focal"))
        expected = ["focal, alpha=balanced", "focal, alpha=none"] if grid is rows else ["focal, alpha=none"]
        assert series == expected
        for name in series:
            assert 0.0 not in list(lines[name].get_xdata())
        assert sum("balanced CE" in k for k in lines) == 1
        assert sum("(baseline)" in k for k in lines) == 3


def test_values_that_start_with_a_dash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_fit: dict[str, Any]
) -> None:
    """An option's value may start with '-' (here a column name); the next option is still an option."""
    path = tmp_path / "d.csv"
    path.write_text("-x,y,target\n" + "".join(f"{i},{i * i},{i % 2}\n" for i in range(12)))
    status, out, err = _run(["tune", str(path), "--drop", "-x", "--cv", "2", "--quiet"], capsys)
    assert status == 1 and "_TuneCalled" in err  # reached the tuner
    assert "1 feature," in out and no_fit["n_estimators"] == tuning.DEFAULT_N_ESTIMATORS


# --------------------------------------------------------------------------------------
# Reading data
# --------------------------------------------------------------------------------------

MIXED_CSV = (
    "amount,city,flag,gappy_flag,code,when,target\n"
    "1,Paris,true,True,7,x,No\n"
    "3, Rome ,false,,7,y,Yes\n"
    "5,NA,TRUE,False,8,,No\n"
    "4.5,Paris,False,NULL,?,x,No\n"
    ",Oslo,true,true,9,y,Yes\n"
    "2,?,false,FALSE,8,N/A,No\n"
)


class _NoPandas(importlib.abc.MetaPathFinder):
    """``import pandas`` raises ImportError, as where pandas is not installed."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError(f"No module named {name!r}")


@contextlib.contextmanager
def _without_pandas(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as m:
        m.delitem(sys.modules, "pandas", raising=False)  # modules that imported it keep it
        m.setattr(sys, "meta_path", [_NoPandas(), *sys.meta_path])
        yield


def _table_without_pandas(path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> tables.Table:
    with _without_pandas(monkeypatch):
        assert isinstance(tables.load_data(path), dict)
        return tables.read_table(path, **kwargs)


def _assert_same_table(a: tables.Table, b: tables.Table) -> None:
    np.testing.assert_array_equal(a.X, b.X)  # NaN in the same places
    assert a.X.dtype == b.X.dtype == np.float64
    assert list(a.y) == list(b.y) and a.feature_names == b.feature_names and a.target == b.target
    assert a.categorical_features == b.categorical_features and a.categories == b.categories
    if a.sample_weight is None or b.sample_weight is None:
        assert a.sample_weight is b.sample_weight is None
    else:
        np.testing.assert_array_equal(a.sample_weight, b.sample_weight)


def test_text_and_boolean_columns_are_categorical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(MIXED_CSV)
    table = _table_without_pandas(path, monkeypatch)
    assert table.feature_names == ["amount", "city", "flag", "gappy_flag", "code", "when"]
    assert table.categorical_features == [1, 2, 3, 5]
    assert table.feature_types == ["q", "c", "c", "c", "q", "c"]
    assert table.categories == {
        "city": ["Oslo", "Paris", "Rome"],  # sorted, stripped; NA and ? are missing
        "flag": [False, True],
        "gappy_flag": [False, True],
        "when": ["x", "y"],
    }
    nan = np.nan
    expected = [
        [1.0, 1, 1, 1, 7, 0],
        [3.0, 2, 0, nan, 7, 1],
        [5.0, nan, 1, 0, 8, nan],
        [4.5, 1, 0, nan, nan, 0],
        [nan, 0, 1, 1, 9, 1],
        [2.0, nan, 0, 0, 8, nan],
    ]
    np.testing.assert_array_equal(table.X, np.array(expected, dtype=np.float64))
    assert list(table.y) == ["No", "Yes", "No", "No", "Yes", "No"] and table.sample_weight is None


def test_csv_reads_the_same_with_and_without_pandas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(MIXED_CSV)
    stdlib = _table_without_pandas(path, monkeypatch, drop=["when", "code"], positive_class="Yes")
    pd = pytest.importorskip("pandas")
    assert isinstance(tables.load_data(path), pd.DataFrame)
    _assert_same_table(stdlib, tables.read_table(path, drop=["when", "code"], positive_class="Yes"))
    # a larger file: random numbers printed to 17 digits, text with gaps, booleans, integers
    rng = np.random.default_rng(3)
    n = 3_000
    values = rng.standard_normal(n) * 10.0 ** rng.integers(-6, 6, n)
    city = rng.choice(["Lyon", "Nice", "", "NA", "Metz"], n)
    flag = rng.choice(["true", "false", "TRUE", ""], n)
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8") as fh:
        fh.write("v,city,flag,n,w,target\n")
        for i in range(n):
            cells = [repr(float(values[i])), city[i], flag[i], str(i % 7), f"{rng.uniform(0, 3):.4f}"]
            fh.write(",".join([*cells, str(int(rng.random() < 0.1))]) + "\n")
    _assert_same_table(_table_without_pandas(big, monkeypatch, weight="w"), tables.read_table(big, weight="w"))


def test_positive_class_and_drop(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("id,x,outcome\n1,0.5,fraud\n2,0.1,ok\n3,0.9,ok\n")
    table = tables.read_table(path, target="outcome", drop=["id"], positive_class="fraud")
    assert table.feature_names == ["x"] and table.X.shape == (3, 1) and list(table.y) == [1, 0, 0]


def test_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Read when pandas and pyarrow are installed, text and category columns as categorical, like
    the same data in a CSV file; a one-line usage error naming the extra when they are not."""
    path = tmp_path / "d.parquet"
    try:
        import pandas as pd
        import pyarrow  # noqa: F401
    except ImportError:
        path.write_bytes(b"PAR1not really")
        status, _, err = _run(["tune", str(path), "--quiet"], capsys)
        _assert_one_line("parquet", status, err, "boostfocal[parquet]")
        return
    frame = pd.DataFrame(
        {
            "a": [1.0, 2.0, np.nan, 4.0],
            "flag": [True, False, True, True],
            "city": pd.Series(["Rome", None, "Oslo", "Rome"], dtype="string"),
            "kind": pd.Categorical(["b", "a", "b", None]),
            "Class": [0, 1, 0, 1],
        }
    )
    frame.to_parquet(path)
    frame.to_csv(tmp_path / "d.csv", index=False)
    table = tables.read_table(path)
    assert table.target == "Class" and table.feature_names == ["a", "flag", "city", "kind"]
    assert list(table.y) == [0, 1, 0, 1] and table.categorical_features == [1, 2, 3]
    nan = np.nan
    np.testing.assert_array_equal(table.X, [[1, 1, 1, 1], [2, 0, nan, 0], [nan, 1, 0, 1], [4, 1, 1, nan]])
    _assert_same_table(table, tables.read_table(tmp_path / "d.csv"))
    # dates are refused with a message, not read as text
    frame.assign(when=pd.to_datetime(["2024-01-01"] * 4)).to_parquet(path)
    status, _, err = _run(["tune", str(path), "--quiet"], capsys)
    _assert_one_line("dates", status, err, "column 'when' holds dates or times")
    # without pyarrow: the extra is named
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "fastparquet", None)
    status, _, err = _run(["tune", str(path), "--quiet"], capsys)
    _assert_one_line("no pyarrow", status, err, "pip install boostfocal[parquet]")


# --------------------------------------------------------------------------------------
# What reaches the tuner, and the code printed
# --------------------------------------------------------------------------------------


def _categorical_csv(path: Path, n: int = 1_200) -> Path:
    """make_fraud's numbers plus a text column, a boolean column with gaps, a weight and an id."""
    X, y = make_fraud(n, positive_rate=0.08, random_state=5)
    rng = np.random.default_rng(5)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join([f"f{j}" for j in range(X.shape[1])] + ["channel", "online", "w", "tx_id", "target"]) + "\n")
        for i, (row, label) in enumerate(zip(X, y, strict=True)):
            channel = ["web", "pos", "atm", ""][int(rng.integers(4)) if label == 0 else int(rng.integers(2))]
            online = ["true", "false", "NA"][int(rng.integers(3))]
            cells = [f"{v:.6g}" for v in row] + [channel, online, f"{rng.uniform(0.5, 2.0):.3f}", f"T{i:05d}"]
            fh.write(",".join([*cells, str(label)]) + "\n")
    return path


def test_categories_and_weights_reach_the_tuner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_fit: dict[str, Any]
) -> None:
    path = _categorical_csv(tmp_path / "c.csv", n=300)
    argv = ["tune", str(path), "--drop", "tx_id", "--weight", "w", *GRID, *FAST]
    status, out, err = _run(argv, capsys)
    assert status == 1 and "_TuneCalled" in err
    table = tables.read_table(path, drop=["tx_id"], weight="w")
    assert table.categorical_features == [table.feature_names.index("channel"), table.feature_names.index("online")]
    assert "w" not in table.feature_names and "tx_id" not in table.feature_names
    assert no_fit["categorical_features"] == table.categorical_features
    np.testing.assert_array_equal(no_fit["X"], table.X)
    np.testing.assert_array_equal(no_fit["sample_weight"], table.sample_weight)
    assert "2 categorical: channel, online" in out and "weights 'w'" in out
    # no categorical column and no weight: the tuner is called without them
    no_fit.clear()
    status, _, _ = _run(["tune", str(_write_csv(tmp_path / "n.csv", n=300)), *GRID, *FAST], capsys)
    assert status == 1 and "categorical_features" not in no_fit and "sample_weight" not in no_fit


def _snippet(out: str) -> str:
    body = out.split("Train it on all the data:\n", 1)[1].split("\nWrote ", 1)[0]
    return "\n".join(ln[4:] for ln in body.strip("\n").splitlines())


#: Makes ``import pandas`` fail in the process it starts, as in the quick-start install (engines, plot).
_BLOCK_PANDAS = """\
import importlib.abc, sys
class _NoPandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError(f"No module named {name!r}")
sys.meta_path.insert(0, _NoPandas())
"""

#: Runs the programs of the folders named on the command line one after the other, each in its
#: own folder and namespace (one process: the engines are imported once).
_RUN_IN_TURN = """\
import os, runpy, sys
for folder in sys.argv[1:]:
    os.chdir(folder)
    runpy.run_path("program.py", run_name="__main__")
"""

#: Appended to a printed program: what it computed, for the test to read.
_REPORT = """
import json as _json
import numpy as _np
_report = {"proba": _np.asarray(proba).tolist(), "X_new": _np.asarray(X_new).tolist()}
if "_as_printed" in globals():  # the program as printed ran first; then its scoring lines on another file
    _report["as_printed"] = {k: _np.asarray(v).tolist() for k, v in _as_printed.items()}  # noqa: F821
_json.dump(_report, open("report.json", "w"))
"""


def _run_programs(
    programs: dict[str, tuple[Path, str]], *, without_pandas: bool, one_process: bool = False
) -> dict[str, dict[str, Any]]:
    """Run each program as a script, each in its own folder: in fresh Python processes, all at once
    (or all in one fresh process, in turn, with ``one_process``), without pandas if asked; what each
    computed (``proba``, ``X_new``), by name."""
    for folder, code in programs.values():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "program.py").write_text(code + _REPORT, encoding="utf-8")
    runner = (_BLOCK_PANDAS if without_pandas else "") + _RUN_IN_TURN
    groups = [list(programs)] if one_process else [[name] for name in programs]
    procs = []
    for names in groups:
        folders = [str(programs[n][0]) for n in names]
        cmd = [sys.executable, "-c", runner, *folders]
        procs.append((names, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    for names, proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{names}:\n" + "\n\n".join(programs[n][1] for n in names) + f"\n{err}"
    return {name: json.loads((folder / "report.json").read_text()) for name, (folder, _) in programs.items()}


def _unlabelled(source: Path, path: Path, rows: list[int], leave_out: tuple[str, ...]) -> Path:
    """Rows ``rows`` of the CSV ``source`` without the columns ``leave_out`` (target, weight), the
    remaining columns in reverse order: a file of new rows to score."""
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    keep = [j for j, c in enumerate(header) if c not in leave_out][::-1]
    body = [",".join(lines[0].split(",")[j] for j in keep)]
    body += [",".join(lines[1 + i].split(",")[j] for j in keep) for i in rows]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


def _score_file(code: str, path: Path) -> str:
    """The printed program with its file of new rows replaced by ``path``."""
    lines = code.splitlines()
    at = [i for i, ln in enumerate(lines) if ln.startswith("new_rows = ")]
    assert len(at) == 1, code
    lines[at[0]] = f"new_rows = {str(path)!r}"
    return "\n".join(lines)


NEW_ROWS = [5, 0, 17, 3, 250, 11, 9, 400]


@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_the_printed_program_runs_as_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str) -> None:
    """The program ``tune`` prints runs in a fresh process, as printed, without pandas, for the
    built-in data and for a CSV file with text columns and a weight column: it fits with the
    weights, saves the model with ``bf.save_model``, loads it and scores new rows; and with its file
    of new rows replaced by an unlabelled file (no target or weight column, columns in another
    order), it codes those rows exactly as the training table codes them."""
    pytest.importorskip(engine)
    programs = {}
    if engine == "lightgbm":  # the built-in data's program differs from one engine to the other by its class only
        builtin_argv = ["tune", "--n-samples", "1500", "--positive-rate", "0.05", "--gammas", "2", "--alphas", "none"]
        status, out, err = _run([*builtin_argv, "--no-baselines", *FAST], capsys)
        assert status == 0, err
        builtin = _snippet(out)
        assert "bf.save_model(model, " in builtin and "X_new, _ = make_fraud(n_samples=1000" in builtin
        programs["built-in"] = (tmp_path / "builtin", builtin)

    path = _categorical_csv(tmp_path / "c.csv", n=600)
    argv = ["tune", str(path), "--engine", engine, "--drop", "tx_id", "--weight", "w", "--gammas", "2"]
    status, out, err = _run([*argv, "--alphas", "none", "--no-baselines", *FAST], capsys)
    assert status == 0, err
    csv_code = _snippet(out)
    assert "import pandas" not in csv_code and "sample_weight=data.sample_weight" in csv_code
    assert "bf.save_model(model, " in csv_code and "data.schema.save(" in csv_code
    if engine == "lightgbm":
        assert "categorical_feature=data.categorical_features" in csv_code
    else:
        assert "enable_categorical=True" in csv_code and "feature_types=" in csv_code
    new = _unlabelled(path, tmp_path / "new.csv", NEW_ROWS, ("target", "w"))
    scoring = _score_file(csv_code.split("# Score new rows", 1)[1], new)  # the printed scoring lines
    keep = "\n_as_printed = {'proba': proba, 'X_new': X_new}\n"
    programs["csv"] = (tmp_path / "csv", csv_code + keep + "\n# Score new rows" + scoring)
    reports = _run_programs(programs, without_pandas=True)
    if "built-in" in reports:
        n_features = make_fraud(10)[0].shape[1]
        assert np.asarray(reports["built-in"]["X_new"]).shape == (1000, n_features)
        assert len(reports["built-in"]["proba"]) == 1000
    table = tables.read_table(path, drop=["tx_id"], weight="w")
    # the new file's rows, read without their target and weight and with the columns reordered,
    # are coded as the same rows of the training table (NaN where missing)
    np.testing.assert_array_equal(np.asarray(reports["csv"]["X_new"], dtype=float), table.X[NEW_ROWS])
    printed = reports["csv"]["as_printed"]
    np.testing.assert_array_equal(np.asarray(printed["X_new"], dtype=float), table.X)  # the training file
    scores = np.asarray(printed["proba"])
    assert scores.shape == (600,) and np.all((scores > 0) & (scores < 1))
    np.testing.assert_array_equal(reports["csv"]["proba"], scores[NEW_ROWS])


def _tuned(tmp_path: Path, engine: str) -> tuple[Path, tables.Table, TuneResult]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = _categorical_csv(tmp_path / "c.csv", n=500)
    table = tables.read_table(path, drop=["tx_id"], weight="w")
    result = tuning.tune(
        table.X,
        table.y,
        sample_weight=table.sample_weight,
        categorical_features=table.categorical_features,
        engine=engine,
        gammas=[2],
        alphas=[None],
        n_estimators=8,
        early_stopping_rounds=None,
        regularization=None,  # one fit per row and fold: the programs, not the scores, are tested
        cv=2,
        n_jobs=1,
        progress=False,
    )
    return path, table, result


def test_every_row_prints_a_program_that_runs(tmp_path: Path) -> None:
    """Whichever row wins -- focal (balanced CE prints the same program with other parameters),
    log-loss, scale_pos_weight, on either engine -- its program runs as printed (the built-in
    objectives save in the engine's own format, which bf.save_model does not write) and scores
    probabilities.  ``TuneResult.snippet()`` after a
    Python call ``tune(X, y, sample_weight=w, ...)`` fits with ``sample_weight`` and scores
    ``X_new``, both defined: it runs with the caller's ``X, y, sample_weight``.  (The programs run
    in turn in one fresh process, which imports the engines once.)"""
    pytest.importorskip("xgboost")
    programs = {}
    for engine in ("lightgbm", "xgboost"):
        path, table, result = _tuned(tmp_path / engine, engine)
        argv = ["tune", str(path), "--engine", engine, "--drop", "tx_id", "--weight", "w"]
        data = cli._data_code(cli.build_parser().parse_args(argv), table, ["tx_id"], "", 0)
        assert {r.kind for r in result.rows} == {"focal", "log-loss", "balanced CE", "scale_pos_weight"}
        for i, r in enumerate(result.rows):
            code = result.snippet(r, data)
            assert "sample_weight=data.sample_weight" in code, (engine, r.kind)
            assert ("bf.save_model(model, " in code) == r.is_focal, (engine, r.kind)
            if r.kind != "balanced CE":  # the focal row's program with gamma=0, alpha="balanced"
                programs[f"{engine} {r.kind}"] = (tmp_path / engine / str(i), code)
    code = result.snippet()  # xgboost, from Python
    assert "model.fit(X, y, sample_weight=sample_weight)" in code and "X_new = X" in code
    prelude = (
        "from boostfocal.tables import read_table\n"
        f"_t = read_table({str(path)!r}, drop=['tx_id'], weight='w')\n"
        "X, y, sample_weight = _t.X, _t.y, _t.sample_weight\n"
    )
    programs["python"] = (tmp_path / "python", prelude + code)
    reports = _run_programs(programs, without_pandas=True, one_process=True)
    for name, report in reports.items():
        proba = np.asarray(report["proba"])
        assert proba.shape == (500,) and np.all((proba > 0) & (proba < 1)), name


def test_identifier_rule(tmp_path: Path) -> None:
    """A text column is refused when it has more than 50 distinct values and more than half as many
    as its non-missing rows; the message names the column and the --drop that leaves it out."""

    def table(n_rows: int, n_values: int) -> Path:
        path = tmp_path / f"ids_{n_rows}_{n_values}.csv"
        rows = "".join(f"{i},v{i % n_values},{i % 2}\n" for i in range(n_rows))
        path.write_text("x,code,target\n" + rows + "".join(f"{n_rows},,1\n" for _ in range(n_rows)))  # gaps
        return path

    assert len(tables.read_table(table(60, 50)).categories["code"]) == 50  # not more than 50 values
    assert len(tables.read_table(table(200, 100)).categories["code"]) == 100  # half of the 200 present
    with pytest.raises(tables.TableError, match=r"'code' looks like an identifier.*101 distinct values in 200 rows"):
        tables.read_table(table(200, 101))
    with pytest.raises(tables.TableError, match=r"drop=\[.code.\]"):
        tables.read_table(table(60, 51))
