"""The command line announces the tuner's own plan (rows x folds x candidates) and checks
``--max-fits`` against it: the count comes from :func:`boostfocal.tuning.plan`, the code that lays
out :func:`boostfocal.tune`'s fits, and equals the fits the run records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("lightgbm")

from boostfocal import cli, tuning

FAST = ["--n-samples", "3000", "--positive-rate", "0.05", "--n-estimators", "5", "--early-stopping-rounds", "3"]
FAST += ["--n-jobs", "1", "--cv", "2", "--quiet"]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = cli.main(argv)
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_fixed_regularisation_is_announced_as_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Both searched parameters fixed: 5 rows (2 gammas + 3 baselines) x 2 folds, one fit each but
    scale_pos_weight, which keeps its own search of 2: (4 + 2) x 2 = 12 fits, announced and run."""
    out_json = tmp_path / "r.json"
    argv = ["tune", *FAST, "--param", "min_child_weight=5", "--param", "reg_lambda=2", "--output", str(out_json)]
    status, out, err = _run(argv, capsys)
    assert status == 0, err
    assert "5 configurations x 2 folds (scale_pos_weight: 2 candidates of its own) = 12 fits" in out
    assert "regularisation candidates" not in out
    payload = json.loads(out_json.read_text(encoding="utf-8"))
    assert payload["settings"]["n_fits"] == 12
    assert payload["settings"]["regularization"] == []


def test_max_fits_is_checked_against_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    # the default search: (4 x 2 + 2) x 2 folds = 20 fits
    status, _, err = _run(["tune", *FAST, "--max-fits", "19"], capsys)
    assert status == 2 and len(err.strip().splitlines()) == 1
    assert "= 20 fits, more than --max-fits 19" in err
    status, _, err = _run(["tune", *FAST, "--max-fits", "19", "--param", "min_child_weight=5"], capsys)
    assert status == 2 and "x 2 regularisation candidates" in err  # reg_lambda is still searched


def test_the_cli_defaults_are_the_tuners() -> None:
    args = cli.build_parser().parse_args(["tune"])
    assert tuple(args.gammas) == tuning.DEFAULT_GAMMAS and tuple(args.alphas) == tuning.DEFAULT_ALPHAS
    assert args.cv == tuning.DEFAULT_CV and args.n_estimators == tuning.DEFAULT_N_ESTIMATORS
    assert args.early_stopping_rounds == tuning.DEFAULT_EARLY_STOPPING_ROUNDS
    assert args.validation_fraction == tuning.DEFAULT_VALIDATION_FRACTION
    assert args.precision_level == tuning.DEFAULT_PRECISION_LEVEL
