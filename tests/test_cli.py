"""Tests of the ``boostfocal`` command line.

* ``--help`` of the program and of ``tune`` name every option; ``--version`` prints the version;
* ``tune`` runs end to end on a small CSV written here and on the built-in data (small, through
  ``--n-samples``), printing the table with the best row marked, the winner and a snippet, and
  writing ``--output`` JSON (and ``--plot`` when matplotlib is installed);
* every bad input -- a missing file, an unknown target column, a one-class target, non-numeric
  features, an unknown engine, and more -- ends with one line on stderr and exit status 2, with
  no traceback, both through ``main(argv)`` and through ``python -m boostfocal``;
* CSV files read the same with and without pandas.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("lightgbm")

import boostfocal
from boostfocal import cli
from boostfocal.datasets import make_fraud

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
    assert "Best (PR-AUC" in out and "Classifier(" in out and "model.fit(X, y)" in out
    assert f"pd.read_csv({str(data)!r})" in out
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
    text = tmp_path / "text.csv"
    text.write_text("amount,city,target\n" + "".join(f"{i},city{i % 3},{i % 2}\n" for i in range(20)))
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
        "one class": (["tune", str(one_class)], "single class"),
        "regression target": (["tune", str(regression)], "regression"),
        "non-numeric features": (["tune", str(text)], "non-numeric feature column(s) 'city'"),
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
    }


def test_every_bad_input_is_one_line_and_status_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, (argv, message) in _bad_inputs(tmp_path).items():
        status, _, err = _run([*argv, "--quiet"] if argv[0] == "tune" and "--param" not in argv else argv, capsys)
        assert status == 2, (name, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1, (name, err)
        assert "Traceback" not in err and message in lines[0], (name, lines[0])
        assert lines[0].startswith("boostfocal"), (name, lines[0])


@pytest.mark.parametrize("case", ["missing file", "target not a column", "one class", "non-numeric features"])
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


# --------------------------------------------------------------------------------------
# Reading data
# --------------------------------------------------------------------------------------


def test_csv_reads_the_same_without_pandas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("a,b,flag,target\n1,2.5,true,No\n3,,false,Yes\n5,7.25,true,No\n4,1,false,No\n")
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    stdlib = cli.load_data(path)
    assert isinstance(stdlib, dict)
    X_s, y_s, names_s, target_s = cli.prepare(stdlib, None, [], None, str(path))
    monkeypatch.undo()
    pd = pytest.importorskip("pandas")
    frame = cli.load_data(path)
    assert isinstance(frame, pd.DataFrame)
    X_p, y_p, names_p, target_p = cli.prepare(frame, None, [], None, str(path))
    np.testing.assert_array_equal(X_s, X_p)  # NaN in the same place
    assert list(y_s) == list(y_p) == ["No", "Yes", "No", "No"]
    assert names_s == names_p == ["a", "b", "flag"] and target_s == target_p == "target"


def test_positive_class_and_drop(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("id,x,outcome\n1,0.5,fraud\n2,0.1,ok\n3,0.9,ok\n")
    table = cli.load_data(path)
    X, y, names, _ = cli.prepare(table, "outcome", ["id"], "fraud", str(path))
    assert names == ["x"] and X.shape == (3, 1) and list(y) == [1, 0, 0]


def test_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Read when pandas and pyarrow are installed; a one-line usage error when they are not."""
    path = tmp_path / "d.parquet"
    try:
        import pandas as pd
        import pyarrow  # noqa: F401
    except ImportError:
        path.write_bytes(b"PAR1not really")
        status, _, err = _run(["tune", str(path), "--quiet"], capsys)
        assert status == 2 and len(err.strip().splitlines()) == 1 and "parquet" in err.lower()
        return
    pd.DataFrame({"a": [1.0, 2.0, np.nan], "flag": [True, False, True], "Class": [0, 1, 0]}).to_parquet(path)
    X, y, names, target = cli.prepare(cli.load_data(path), None, [], None, str(path))
    assert target == "Class" and names == ["a", "flag"] and list(y) == [0, 1, 0]
    np.testing.assert_array_equal(X, [[1.0, 1.0], [2.0, 0.0], [np.nan, 1.0]])
