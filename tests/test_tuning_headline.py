"""A headline that reads with its table (issue #25, point 6): the verdict's wording follows the sign,
few degrees of freedom are said, the power is in plain words, 'chosen' is two columns."""

from __future__ import annotations

from typing import Any

import numpy as np

from boostfocal.tuning._result import ConfigResult, TuneResult


def _row(kind: str, gamma: Any, test: list[float], val: list[float]) -> ConfigResult:
    scores = {"average_precision": test, "best_iteration": [10.0] * len(test), "fit_time": [0.1] * len(test)}
    for m in ("roc_auc", "recall_at_precision", "log_loss", "brier"):
        scores[m] = [0.5] * len(test)
    return ConfigResult(kind, gamma, None, scores=scores, extra={"validation_score": val})


def _result(focal: list[float], base: list[float], settings: dict[str, Any] | None = None) -> TuneResult:
    n = len(focal)
    rows = [
        _row("focal", 2.0, focal, [0.9] * n),
        _row("focal", 1.0, [0.1] * n, [0.1] * n),
        _row("log-loss", None, base, [0.8] * n),
        _row("balanced CE", 0.0, [0.2] * n, [0.1] * n),
    ]
    idx = np.arange(12 * n)
    splits = [(idx[: 6 * n], idx[6 * n : 8 * n], idx[8 * n :]) for _ in range(n)]
    return TuneResult(rows, "average_precision", "lightgbm", np.array([0, 1]), settings or {}, splits)


def test_verdict_wording_follows_the_sign() -> None:
    better = _result([0.60, 0.61, 0.62], [0.40, 0.40, 0.41]).comparison
    worse = _result([0.40, 0.40, 0.41], [0.60, 0.61, 0.62]).comparison
    ahead = _result([0.50, 0.62, 0.43], [0.45, 0.50, 0.48]).comparison
    behind = _result([0.45, 0.50, 0.48], [0.50, 0.62, 0.43]).comparison
    assert better is not None and worse is not None and ahead is not None and behind is not None
    assert better.significant and "significantly better" in better.verdict
    assert worse.significant and "significantly worse" in worse.verdict
    assert not ahead.significant and "no significant difference" in ahead.verdict and "ahead" in ahead.verdict
    assert not behind.significant and "no significant difference" in behind.verdict and "behind" in behind.verdict
    assert "better" not in behind.verdict  # no "not significantly better" for a negative difference


def test_few_degrees_of_freedom_are_said_and_many_are_not() -> None:
    few = _result([0.50, 0.62, 0.43], [0.45, 0.50, 0.48])
    assert "Only 2 degrees of freedom back it (3 folds)" in few.headline()
    many = _result([0.5, 0.62, 0.43, 0.55, 0.51, 0.6], [0.45, 0.5, 0.48, 0.5, 0.52, 0.5])
    assert "degrees of freedom back it" not in many.headline()


def test_the_power_line_is_plain_words_with_the_figures() -> None:
    res = _result([0.50, 0.62, 0.43], [0.45, 0.50, 0.48], {"folds_per_repeat": 3})
    comp = res.comparison
    assert comp is not None
    note = comp.power_note()
    assert note.startswith("What the test can see:")
    assert f"at least {comp.minimum_detectable:.4f} would count as significant" in note
    assert f"the observed one is {comp.mean_difference:+.4f}" in note
    assert "dof" not in note and "quantile" not in note and "corrected se" not in note


def test_chosen_is_two_columns_each_summing_to_the_folds() -> None:
    res = _result([0.50, 0.62, 0.43], [0.45, 0.50, 0.48])
    lines = res.format_table().splitlines()
    header = lines[0]
    assert (
        "chosen focal" in header
        and "chosen baseline" in header
        and " chosen " not in header.replace("chosen focal", "").replace("chosen baseline", "")
    )
    frame = res.table
    assert frame["chosen_focal"].dropna().sum() == 3 and frame["chosen_baseline"].dropna().sum() == 3
    focal_rows = frame[frame["model"] == "focal"]
    assert focal_rows["chosen_baseline"].isna().all()
