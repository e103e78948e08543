"""The versions pyproject.toml claims, and the shims that let the lowest of them work.

``.ci/run`` installs ``.ci/lowest.txt`` (every lower bound pinned exactly) into a second
environment and runs the engine and estimator tests there; the first test here keeps that file
and the declared bounds equal.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from boostfocal._adapter import eval_xy_as_eval_set

ROOT = Path(__file__).resolve().parent.parent
# the packages whose lower bounds the lowest environment proves
CLAIMED = ("numpy", "scipy", "scikit-learn", "lightgbm", "xgboost", "numba")


def _lower_bounds(requirements: list[str]) -> dict[str, str]:
    out = {}
    for req in requirements:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?>=([0-9][0-9A-Za-z.]*)(?:,.*)?", req.replace(" ", ""))
        if m:
            out[m.group(1).lower()] = m.group(2)
    return out


def test_ci_lowest_environment_pins_every_declared_lower_bound() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared: dict[str, set[str]] = {}
    for reqs in [project["dependencies"], *project["optional-dependencies"].values()]:
        for name, bound in _lower_bounds(reqs).items():
            declared.setdefault(name, set()).add(bound)
    pins = {}
    for line in (ROOT / ".ci" / "lowest.txt").read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.split("#")[0].strip())
        if m:
            pins[m.group(1).lower()] = m.group(2)
    for name in CLAIMED:
        assert name in declared, f"{name} has no lower bound in pyproject.toml"
        assert len(declared[name]) == 1, f"{name} has different lower bounds in pyproject.toml: {declared[name]}"
        assert pins.get(name) == next(iter(declared[name])), (
            f".ci/lowest.txt pins {name}=={pins.get(name)} but pyproject.toml declares >={declared[name]}"
        )


def _fit_without_eval_xy(X, y, eval_set=None, **kwargs):  # LightGBM < 4.7's signature
    raise AssertionError("not called")


def _fit_with_eval_xy(X, y, eval_set=None, eval_X=None, eval_y=None, **kwargs):  # LightGBM >= 4.7
    raise AssertionError("not called")


def test_eval_xy_become_eval_set_for_an_engine_without_them() -> None:
    X1, y1, X2, y2 = np.zeros((3, 2)), np.zeros(3), np.ones((4, 2)), np.ones(4)
    kwargs = {"eval_X": (X1, X2), "eval_y": (y1, y2), "callbacks": []}
    assert eval_xy_as_eval_set(_fit_without_eval_xy, None, kwargs) == [(X1, y1), (X2, y2)]
    assert kwargs == {"callbacks": []}  # moved, not passed on as well
    kwargs = {"eval_X": X1, "eval_y": y1}
    assert eval_xy_as_eval_set(_fit_without_eval_xy, None, kwargs) == [(X1, y1)]
    kwargs = {}
    assert eval_xy_as_eval_set(_fit_without_eval_xy, [(X1, y1)], kwargs) == [(X1, y1)]


def test_eval_xy_pass_through_to_an_engine_that_takes_them() -> None:
    X1, y1 = np.zeros((3, 2)), np.zeros(3)
    kwargs = {"eval_X": (X1,), "eval_y": (y1,)}
    assert eval_xy_as_eval_set(_fit_with_eval_xy, None, kwargs) is None
    assert set(kwargs) == {"eval_X", "eval_y"}


@pytest.mark.parametrize(
    ("eval_set", "kwargs", "message"),
    [
        ([(0, 0)], {"eval_X": 1, "eval_y": 1}, "either eval_set or eval_X"),
        (None, {"eval_X": 1}, "together"),
        (None, {"eval_y": 1}, "together"),
        (None, {"eval_X": (1,), "eval_y": 1}, "both be tuples"),
        (None, {"eval_X": (1, 2), "eval_y": (1,)}, "eval_X has 2 validation sets but eval_y has 1"),
    ],
)
def test_bad_eval_xy_are_clear_errors(eval_set, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        eval_xy_as_eval_set(_fit_without_eval_xy, eval_set, kwargs)


def test_focal_xgb_classifier_tags_on_every_scikit_learn() -> None:
    """``FocalXGBClassifier`` claims multilabel support in both tag systems where XGBoost has a
    vector intercept (>= 3.1: a 2-D 0/1 ``y`` trains a multilabel model), as ``XGBClassifier`` does.
    Older XGBoost (2.1) reads ``_estimator_type``, which scikit-learn >= 1.8 no longer provides
    through ``ClassifierMixin``."""
    xgb = pytest.importorskip("xgboost")
    from boostfocal.xgboost import FocalXGBClassifier

    est = FocalXGBClassifier()
    from boostfocal.xgboost import VECTOR_INTERCEPT

    assert est._more_tags()["multilabel"] is VECTOR_INTERCEPT  # multilabel needs XGBoost >= 3.1
    assert xgb.XGBClassifier()._more_tags()["multilabel"] is True
    assert xgb.XGBModel._get_type(est) == "classifier"
