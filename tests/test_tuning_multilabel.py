"""The tuner and the CLI on multilabel targets (a 2-D 0/1 ``y``, ``--target a,b,c``).

Small data from :func:`boostfocal.datasets.make_multilabel_fraud` (2,000 rows, 3 labels at 10 %
positives), 2 folds, few trees: the properties, not the figures, are tested.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("lightgbm")

import boostfocal as bf
from boostfocal import cli
from boostfocal.datasets import make_multilabel_fraud
from boostfocal.tuning import _inputs as inp

FAST: dict[str, Any] = {"cv": 2, "n_estimators": 20, "early_stopping_rounds": 5, "n_jobs": 1, "progress": False}


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    X, Y = make_multilabel_fraud(2_000, 3, 0.1, random_state=0)
    return np.asarray(X), np.asarray(Y)


@pytest.fixture(scope="module")
def result(data: tuple[np.ndarray, np.ndarray]) -> bf.tuning.TuneResult:
    X, Y = data
    return bf.tune(X, Y, gammas=(1.0, 2.0), alphas=(None, "balanced"), regularization=None, **FAST)


def test_rows_are_focal_and_the_two_baselines(result: bf.tuning.TuneResult) -> None:
    names = {r.name for r in result.rows}
    kinds = {r.kind for r in result.rows}
    assert kinds == {"focal", "log-loss", "balanced CE"}  # no scale_pos_weight for multilabel
    assert len([r for r in result.rows if r.kind == "focal"]) == 4
    assert result.multilabel and list(result.classes) == [0, 1, 2]
    assert "no scale_pos_weight baseline" in result.headline()
    text = result.format_table()
    assert all(n.split()[0] in text for n in names)


def test_headline_differences_are_the_chosen_rows_fold_scores(result: bf.tuning.TuneResult) -> None:
    comp = result.comparison
    assert comp is not None and comp.n_folds == 2
    scores = result.fold_scores()
    for f, fold in enumerate(comp.to_dict()["folds"]):
        expected = scores[fold["focal"]][f] - scores[fold["baseline"]][f]
        assert fold["difference"] == pytest.approx(expected, abs=1e-12)
        assert comp.differences[f] == pytest.approx(expected, abs=1e-12)


def test_macro_scores_are_the_mean_of_the_per_label_values(result: bf.tuning.TuneResult) -> None:
    payload = json.loads(result.to_json())
    assert payload["settings"]["multilabel"] is True
    for row in payload["rows"]:
        per = row["per_label"]
        for m in ("average_precision", "roc_auc", "log_loss", "brier"):
            folds = np.asarray(per[m]["folds"])
            assert folds.shape == (2, 3)
            np.testing.assert_allclose(folds.mean(axis=1), row[m]["folds"], rtol=0, atol=1e-12)
        # labels differ: the per-label values are not one number repeated
        assert np.ptp(np.asarray(per["average_precision"]["folds"])) > 0


def test_per_label_pr_auc_matches_scikit_learn(data: tuple[np.ndarray, np.ndarray]) -> None:
    from sklearn.metrics import average_precision_score

    from boostfocal.tuning._metrics import score

    _, Y = data
    rng = np.random.default_rng(1)
    proba = rng.random(Y.shape)
    macro = score("average_precision", Y, proba, 0.5)
    expected = np.mean([average_precision_score(Y[:, j], proba[:, j]) for j in range(Y.shape[1])])
    assert macro == pytest.approx(expected, abs=1e-12)


def test_strata_give_every_fold_the_positives_of_each_label(data: tuple[np.ndarray, np.ndarray]) -> None:
    _, Y = data
    strata = inp.multilabel_strata(Y)
    rarest = int(np.argmin(Y.sum(axis=0)))
    assert np.all(strata[Y[:, rarest] == 1] == rarest)
    assert np.all(strata[Y.sum(axis=1) == 0] == Y.shape[1])
    folds = inp.make_splits(2, 1, strata, 0)
    for _, test in folds:
        share = Y[test, rarest].sum() / Y[:, rarest].sum()
        assert abs(share - 0.5) < 0.02


def test_best_estimator_fits_the_indicator_matrix(
    result: bf.tuning.TuneResult, data: tuple[np.ndarray, np.ndarray]
) -> None:
    X, Y = data
    est = result.best_estimator(result.baseline("log-loss"))
    assert isinstance(est, bf.FocalLGBMClassifier) and est.gamma == 0.0 and est.alpha is None
    est.set_params(n_estimators=5).fit(X, Y)
    assert est.predict_proba(X).shape == Y.shape
    with pytest.raises(ValueError, match="no snippet for a multilabel tune"):
        result.snippet()


@pytest.mark.parametrize(
    ("make_y", "match"),
    [
        (lambda Y: np.where(Y == 1, 2, 0), "only 0 and 1"),
        (lambda Y: np.column_stack([Y[:, :2], np.zeros(len(Y), dtype=int)]), "single class"),
        (lambda Y: np.where(Y == 1, np.nan, 0.0), "missing"),
    ],
)
def test_bad_multilabel_targets_raise_before_any_fit(
    data: tuple[np.ndarray, np.ndarray], make_y: Any, match: str
) -> None:
    X, Y = data
    with pytest.raises(ValueError, match=match):
        bf.tune(X, make_y(Y), **FAST)


def test_lightgbm_refuses_a_stopping_metric_its_per_label_boosters_cannot_read(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    X, Y = data
    with pytest.raises(ValueError, match="early_stopping_metric"):
        bf.tune(X, Y, early_stopping_metric="log_loss", **FAST)


def test_xgboost_multilabel(data: tuple[np.ndarray, np.ndarray]) -> None:
    pytest.importorskip("xgboost")
    from boostfocal.xgboost import VECTOR_INTERCEPT

    X, Y = data
    if not VECTOR_INTERCEPT:
        with pytest.raises(ValueError, match=r"XGBoost >= 3\.1"):
            bf.tune(X, Y, engine="xgboost", **FAST)
        return
    res = bf.tune(X[:1000], Y[:1000], engine="xgboost", gammas=(2.0,), regularization=None, **FAST)
    assert {r.kind for r in res.rows} == {"focal", "log-loss", "balanced CE"}
    for r in res.rows:
        # early stopping read the macro PR-AUC of the validation split (not the training loss)
        assert all(np.isfinite(r.extra["validation_score"]))
        assert 0.0 < r.mean("average_precision") <= 1.0


def _write_multilabel_csv(path: Path, Y_override: np.ndarray | None = None) -> Path:
    X, Y = make_multilabel_fraud(1_500, 3, 0.1, random_state=2)
    X, Y = np.asarray(X), np.asarray(Y) if Y_override is None else Y_override
    names = [f"f{j}" for j in range(X.shape[1])]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join([*names, "a", "b", "c"]) + "\n")
        for row, labels in zip(X, Y, strict=True):
            fh.write(",".join(f"{v:.6g}" for v in row) + "," + ",".join(str(int(v)) for v in labels) + "\n")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = cli.main(argv)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return status, out, err


CLI_FAST = ["--n-estimators", "10", "--early-stopping-rounds", "4", "--n-jobs", "1", "--cv", "2", "--quiet"]


def test_cli_multilabel_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write_multilabel_csv(tmp_path / "ml.csv")
    out_json = tmp_path / "ml.json"
    argv = ["tune", str(data), "--target", "a,b,c", "--gammas", "2", *CLI_FAST, "--output", str(out_json)]
    status, out, err = _run(argv, capsys)
    assert status == 0, err
    assert "multilabel" in out.lower() and "log-loss" in out and "balanced CE" in out
    assert "scale_pos_weight" in out  # only in the note saying there is none
    assert "No training program is printed for a multilabel target" in out
    payload = json.loads(out_json.read_text())
    assert payload["target"] == "a,b,c" and payload["labels"] == ["a", "b", "c"] and payload["classes"] == [0, 1, 2]
    assert {r["kind"] for r in payload["rows"]} == {"focal", "log-loss", "balanced CE"}
    assert all(len(r["per_label"]["average_precision"]["mean"]) == 3 for r in payload["rows"])


def test_cli_multilabel_target_not_0_1_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, Y = make_multilabel_fraud(1_500, 3, 0.1, random_state=2)
    Y = np.asarray(Y).copy()
    Y[:, 1] = np.where(Y[:, 1] == 1, 3, 0)
    data = _write_multilabel_csv(tmp_path / "bad.csv", Y)
    status, _, err = _run(["tune", str(data), "--target", "a,b,c", *CLI_FAST], capsys)
    assert status == 2
    assert "'b'" in err and "only 0 and 1" in err and "Traceback" not in err
    status, _, err = _run(["tune", str(data), "--target", "a,zz", *CLI_FAST], capsys)
    assert status == 2 and "'zz'" in err
