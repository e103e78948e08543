"""SHAP explains a focal model on the scale of its full raw margin (initial score included).

``shap.TreeExplainer`` reads the booster's own trees and intercept, never boostfocal's methods:
its ``base_values + values.sum`` must equal ``predict_raw`` (to 1e-5: XGBoost holds its model in
float32).  Both engines, binary and 3 classes, with and without sample and class weights.  Skips
when shap is not installed (it is in the ``test`` extra).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_init_score_inside import ENGINES, KINDS, WEIGHTS, fitted

shap = pytest.importorskip("shap")


def _explain(est, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # shap's own deprecation notices
        return shap.TreeExplainer(est)(X)


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("engine", ENGINES)
def test_shap_values_add_up_to_the_full_margin(engine: str, kind: str, weights: str) -> None:
    est, X = fitted(engine, kind, weights)
    X = X[:400]
    explanation = _explain(est, X)
    total = np.asarray(explanation.base_values) + np.asarray(explanation.values).sum(axis=1)
    raw = est.predict_raw(X)
    assert total.shape == raw.shape
    err = float(np.max(np.abs(total - raw)))
    print(f"\n{engine} {kind} {weights}: max |base + sum(values) - predict_raw| = {err:.2e}")
    assert err < 1e-5
