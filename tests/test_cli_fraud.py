"""boostfocal tune on fraud terms (issue #25): time-ordered folds, money, alert budgets, groups."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from boostfocal import cli
from boostfocal.datasets import make_fraud

FAST = ["--n-estimators", "12", "--early-stopping-rounds", "4", "--n-jobs", "1", "--quiet", "--gammas", "2"]
BUILTIN = ["--n-samples", "6000", "--positive-rate", "0.02"]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = cli.main(argv)
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_time_ordered_savings_run_on_the_builtin_data_gives_a_headline_in_money(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json = tmp_path / "r.json"
    argv = ["tune", "--time-column", "time", "--scoring", "savings", "--amount", "amount", "--admin-cost", "5"]
    status, out, err = _run([*argv, *BUILTIN, *FAST, "--alert-budget", "1%", "--output", str(out_json)], capsys)
    assert status == 0, err
    assert "3 time-ordered expanding-window folds on 'time'" in out
    assert "savings on the outer test folds" in out and "In money" in out
    header = next(ln for ln in out.splitlines() if "PR-AUC" in ln and "rank" in ln)
    assert header.index("PR-AUC") < header.index("savings") < header.index("cost") < header.index("prec@1%")
    assert "log-loss + threshold" in out and "chosen focal" in header and "chosen baseline" in header
    assert "X = X[:, :-1]" in out and "bayes_flags(proba, Costs(admin_cost=5.0), amount=X_new[:, 0])" in out
    data = json.loads(out_json.read_text())
    assert data["scoring"] == "savings" and data["settings"]["split"]["kind"] == "time"
    assert all(len(r["savings"]["folds"]) == 3 for r in data["rows"])
    assert data["comparison"]["metric"] == "savings"


def test_the_printed_program_runs_and_flags_by_the_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["tune", "--cost-fp", "1", "--cost-fn", "20", "--scoring", "savings", *BUILTIN, *FAST]
    status, out, err = _run(argv, capsys)
    assert status == 0, err
    code = out.split("Train it on all the data:\n", 1)[1]
    program = "\n".join(ln[4:] for ln in code.splitlines())
    scope: dict = {}
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(program, "program", "exec"), scope)
    finally:
        os.chdir(cwd)
    flags, proba = scope["flags"], np.asarray(scope["proba"])
    if "scale=" not in program:
        assert np.array_equal(flags, proba > 1.0 / 21.0)  # the Bayes rule with class costs


def test_grouped_folds_and_bad_combinations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    X, y = make_fraud(3_000, positive_rate=0.04, random_state=2, as_frame=True)
    X["card"] = np.random.default_rng(0).integers(0, 300, len(X))
    X["is_fraud"] = y
    path = tmp_path / "tx.csv"
    X.to_csv(path, index=False)
    status, out, err = _run(
        ["tune", str(path), "--target", "is_fraud", "--group-column", "card", "--cv", "2", *FAST], capsys
    )
    assert status == 0, err
    assert "grouped by 'card'" in out
    for argv, message in [
        (["tune", "--gap", "2d", *FAST], "--gap needs --time-column"),
        (["tune", "--amount", "amount", *FAST], "--amount needs --admin-cost"),
        (["tune", "--cost-fp", "1", *FAST], "--cost-fp and --cost-fn go together"),
        (["tune", "--time-column", "when", *FAST], "the built-in data's column is 'time'"),
        (["tune", "--scoring", "savings", *FAST], "needs its settings"),
        (["tune", "--alert-budget", "150%", *FAST], "share of the rows"),
        (["tune", str(path), "--target", "is_fraud", "--time-column", "nope", *FAST], "--time-column"),
    ]:
        status, _, err = _run(argv, capsys)
        assert status == 2 and message in err, (argv, err)
