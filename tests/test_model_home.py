"""One home for a trained focal model (issue 24): the initial score is added exactly once on every
path -- deep copies, native continued training, plain engine files, linear trees, predictions that
start after the first iteration --, early stopping reaches the files we write, ``set_params`` on a
fitted estimator keeps it working, multilabel models travel like the others, and engines' private
attributes are written in one place per engine.  Numbered cases are the issue's.
"""

from __future__ import annotations

import ast
import copy
import pickle
import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _engine_data import binary_table, multiclass_table, rare_table

import boostfocal as bf
from boostfocal._model import TrainedModel, recorded

lgb = pytest.importorskip("lightgbm")
xgb = pytest.importorskip("xgboost")
from boostfocal import lightgbm as bfl  # noqa: E402
from boostfocal import xgboost as bfx  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
XGB_ATOL = 2e-5  # XGBoost holds the intercept and the leaves in float32


def _data(kind: str, n: int = 600) -> tuple[np.ndarray, np.ndarray, Any]:
    if kind == "binary":
        X, y = binary_table(n)
        return X, y, bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
    X, y = multiclass_table(n, k=3)
    return X, y, bf.MulticlassFocalLoss(3, gamma=2.0)


def _multilabel(n: int = 500, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    X, _ = binary_table(n)
    rng = np.random.default_rng(5)
    logits = X[:, :k] * 1.5 + rng.normal(size=(n, k)) - 0.5
    return X, (logits > 0).astype(np.int64)


def _lgb_booster(X: np.ndarray, y: np.ndarray, loss: Any, rounds: int = 6, **params: Any) -> Any:
    k = loss.num_outputs
    base = {"objective": bfl.objective(loss), "verbose": -1, "num_leaves": 7, "min_data_in_leaf": 5}
    if k > 1:
        base["num_class"] = k
    return lgb.train({**base, **params}, bfl.dataset(X, y, loss), rounds)


def _posterior(loss: Any, raw: np.ndarray) -> np.ndarray:
    return bf._adapter.margins_to_proba(loss, raw, "posterior")


# --- case 1: the score added twice (LightGBM) --------------------------------------------------


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_case1_deepcopy_then_save_model_adds_the_score_once(kind: str, tmp_path: Path) -> None:
    X, y, _ = _data(kind)
    est = bfl.FocalLGBMClassifier(n_estimators=5, num_leaves=7, verbose=-1).fit(X, y)
    twin = copy.deepcopy(est)
    bf.save_model(twin, tmp_path / "m.txt")
    loaded = bf.load_model(tmp_path / "m.txt")
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(twin.predict_raw(X), est.predict_raw(X))
    # the engine's own reader of the file sees the full margin, once
    plain = lgb.Booster(model_file=str(tmp_path / "m.txt")).predict(X, raw_score=True)
    np.testing.assert_allclose(plain, est.predict_raw(X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_case1_the_lightgbm_record_travels_with_the_booster(kind: str, tmp_path: Path) -> None:
    """Deep copy, pickle, the model string, LightGBM's own file and native continued training all
    keep the fact that the first trees carry the initial score (the value too, except continued
    training, whose new parameter text drops it: there the trees still say so)."""
    X, y, loss = _data(kind)
    z0 = loss.init_score(y)
    booster = bfl.embed_init_score(_lgb_booster(X, y, loss), loss, z0)
    held = recorded(booster)
    assert held is not None and held[0] == "leaves"
    np.testing.assert_array_equal(held[1], z0)
    booster.save_model(str(tmp_path / "plain.txt"))
    for other in (
        copy.deepcopy(booster),
        pickle.loads(pickle.dumps(booster)),
        lgb.Booster(model_str=booster.model_to_string()),
        lgb.Booster(model_file=str(tmp_path / "plain.txt")),
    ):
        assert recorded(other) == held
    params = {"objective": bfl.objective(loss), "verbose": -1, "num_leaves": 7}
    if kind != "binary":
        params["num_class"] = 3
    continued = lgb.train(params, bfl.dataset(X, y, loss), 3, init_model=booster)
    assert recorded(continued) == ("leaves", None)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_case1_native_continuation_then_init_score_adds_nothing(kind: str, tmp_path: Path) -> None:
    X, y, loss = _data(kind)
    z0 = loss.init_score(y)
    booster = bfl.embed_init_score(_lgb_booster(X, y, loss), loss, z0)
    params = {"objective": bfl.objective(loss), "verbose": -1, "num_leaves": 7}
    if kind != "binary":
        params["num_class"] = 3
    continued = lgb.train(params, bfl.dataset(X, y, loss), 3, init_model=booster)
    full = continued.predict(X, raw_score=True)  # LightGBM's own margin: z0 once, in the first trees
    expected = _posterior(loss, full)
    # the argument the error message names is taken as the carried value, not added
    np.testing.assert_allclose(bfl.predict_proba(continued, X, loss, init_score=z0), expected, rtol=0, atol=1e-13)
    with pytest.raises(ValueError, match="not recorded"):
        bfl.predict_raw(continued, X, start_iteration=1)  # needs the value: refused, not guessed
    with pytest.raises(ValueError, match="not recorded"):
        bf.save_model(continued, tmp_path / "m.txt", loss=loss)
    assert bfl.embed_init_score(continued, loss, z0) is continued  # records it, moves nothing
    np.testing.assert_allclose(continued.predict(X, raw_score=True), full, rtol=0, atol=1e-13)
    np.testing.assert_allclose(bfl.predict_proba(continued, X, loss), expected, rtol=0, atol=1e-13)
    with pytest.raises(ValueError, match="already carries"):
        bfl.embed_init_score(continued, loss, z0 + 1.0)
    bf.save_model(continued, tmp_path / "m.txt", loss=loss)
    np.testing.assert_allclose(bf.load_model(tmp_path / "m.txt").predict_proba(X), expected, rtol=0, atol=1e-13)


def test_case1_the_estimator_continues_a_natively_continued_booster_only_with_its_value() -> None:
    X, y, loss = _data("binary")
    z0 = loss.init_score(y)
    booster = bfl.embed_init_score(_lgb_booster(X, y, loss), loss, z0)
    continued = lgb.train({"objective": bfl.objective(loss), "verbose": -1}, bfl.dataset(X, y, loss), 2,
                          init_model=booster)  # fmt: skip
    est = bfl.FocalLGBMClassifier(n_estimators=2, alpha=0.25, verbose=-1)
    with pytest.raises(ValueError, match="not recorded"):
        est.fit(X, y, init_model=continued)
    bfl.embed_init_score(continued, loss, z0)
    est.fit(X, y, init_model=continued)
    assert est.init_score_ == z0
    np.testing.assert_allclose(est.predict_raw(X), est.booster_.predict(X, raw_score=True), rtol=0, atol=0)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_case1_a_plain_engine_reader_of_our_file_then_init_score(kind: str, tmp_path: Path) -> None:
    X, y, _ = _data(kind)
    est = bfl.FocalLGBMClassifier(n_estimators=5, num_leaves=7, verbose=-1).fit(X, y)
    bf.save_model(est, tmp_path / "m.txt")
    plain = lgb.Booster(model_file=str(tmp_path / "m.txt"))
    expected = est.predict_proba(X)
    np.testing.assert_allclose(
        bfl.predict_proba(plain, X, est.loss_, init_score=est.init_score_), expected, rtol=0, atol=1e-13
    )
    with pytest.raises(ValueError, match="already carries"):
        bfl.predict_proba(plain, X, est.loss_, init_score=np.asarray(est.init_score_) + 0.5)
    bf.save_model(plain, tmp_path / "again.txt", loss=est.loss_, init_score=est.init_score_)
    np.testing.assert_allclose(bf.load_model(tmp_path / "again.txt").predict_proba(X), expected, rtol=0, atol=1e-13)


@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_case1_a_focal_state_without_its_version_is_refused(engine: str, tmp_path: Path) -> None:
    """Read as format 1 (the score beside the trees), which the booster's own record contradicts."""
    X, y, _ = _data("binary")
    if engine == "lightgbm":
        est: Any = bfl.FocalLGBMClassifier(n_estimators=4, verbose=-1).fit(X, y)
        path = tmp_path / "m.txt"
    else:
        est = bfx.FocalXGBClassifier(n_estimators=4, n_jobs=1).fit(X, y)
        path = tmp_path / "m.json"
    bf.save_model(est, path)
    text = path.read_text()
    edited = re.sub(r'"version":\d+,', "", text, count=1) if engine == "lightgbm" else None
    if engine == "xgboost":
        import json

        booster = xgb.Booster(model_file=str(path))
        state = json.loads(booster.attr("boostfocal"))
        state.pop("version")
        booster.set_attr(boostfocal=json.dumps(state))
        booster.save_model(str(path))
    else:
        assert edited != text
        path.write_text(edited)
    with pytest.raises(ValueError, match="init_score_in_model"):
        bf.load_model(path)


# --- case 2: linear trees ----------------------------------------------------------------------


def test_case2_linear_trees_keep_the_score_beside_the_booster(tmp_path: Path) -> None:
    X, y = rare_table(3000, rate=0.05)
    est = bfl.FocalLGBMClassifier(gamma=0.0, n_estimators=8, linear_tree=True, verbose=-1).fit(X, y)
    model = est._bf_trained()
    assert model.where == "beside"
    booster_raw = est.booster_.predict(X, raw_score=True)
    np.testing.assert_allclose(est.predict_raw(X), booster_raw + est.init_score_, rtol=0, atol=1e-12)
    # gamma = 0, alpha = None: the posterior is the sigmoid of the log-loss margin, calibrated in the mean
    assert abs(est.predict_proba(X)[:, 1].mean() - y.mean()) < 0.01
    expected = est.predict_proba(X)
    for other in (copy.deepcopy(est), pickle.loads(pickle.dumps(est))):
        np.testing.assert_array_equal(other.predict_proba(X), expected)
        bf.save_model(other, tmp_path / "m.txt")
        np.testing.assert_array_equal(bf.load_model(tmp_path / "m.txt").predict_proba(X), expected)
    # the bare booster records it too: no init_score to pass, and another value is refused
    np.testing.assert_array_equal(bfl.predict_proba(est.booster_, X, est.loss_), expected)
    with pytest.raises(ValueError, match="already carries"):
        bfl.predict_proba(est.booster_, X, est.loss_, init_score=est.init_score_ + 1.0)
    with pytest.raises(ValueError, match="linear"):
        bfl.FocalLGBMClassifier(gamma=0.0, n_estimators=2, linear_tree=True, verbose=-1).fit(X, y, init_model=est)


# --- case 3: start_iteration ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_case3_predict_raw_from_a_later_iteration_keeps_the_score(kind: str) -> None:
    X, y, _ = _data(kind)
    est = bfl.FocalLGBMClassifier(n_estimators=8, num_leaves=7, verbose=-1).fit(X, y)
    trees = est.booster_.predict(X, raw_score=True, start_iteration=5)  # leaves out the carrying first trees
    np.testing.assert_allclose(est.predict_raw(X, start_iteration=5), trees + est.init_score_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        bfl.predict_raw(est.booster_, X, start_iteration=5), trees + est.init_score_, rtol=0, atol=1e-12
    )
    np.testing.assert_array_equal(est.predict_raw(X, start_iteration=0), est.booster_.predict(X, raw_score=True))
    contrib = est.predict(X, pred_contrib=True, start_iteration=5)
    k = 1 if kind == "binary" else 3
    sums = contrib.reshape(len(X), k, -1).sum(axis=2)
    np.testing.assert_allclose(sums.squeeze(), est.predict_raw(X, start_iteration=5), rtol=0, atol=1e-10)


# --- case 4: early stopping in XGBoost files ---------------------------------------------------


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_case4_an_early_stopped_xgboost_file_predicts_with_the_best_rounds(kind: str, tmp_path: Path) -> None:
    X, y, _ = _data(kind, 1200)
    Xtr, ytr, Xva, yva = X[:800], y[:800], X[800:], y[800:]
    est = bfx.FocalXGBClassifier(n_estimators=200, learning_rate=0.5, early_stopping_rounds=3, n_jobs=1)
    est.fit(Xtr, ytr, eval_set=[(Xva, yva)], verbose=False)
    best = est.best_iteration
    assert best + 1 < est.get_booster().num_boosted_rounds()  # it stopped early
    bf.save_model(est, tmp_path / "m.json")
    plain = xgb.Booster(model_file=str(tmp_path / "m.json"))
    assert plain.num_boosted_rounds() == best + 1
    margin = plain.predict(xgb.DMatrix(X), output_margin=True)
    np.testing.assert_allclose(margin, est.predict_raw(X), rtol=0, atol=XGB_ATOL)
    loaded = bf.load_model(tmp_path / "m.json")
    assert loaded.best_iteration == best
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(est.get_booster().num_boosted_rounds() > best + 1, True)  # the estimator kept all


# --- case 6: set_params on a fitted FocalXGBClassifier ----------------------------------------


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_case6_set_params_after_fit_keeps_the_model_working(kind: str, tmp_path: Path) -> None:
    if kind == "multilabel" and not bfx.VECTOR_INTERCEPT:
        pytest.skip("multilabel XGBoost models need XGBoost >= 3.1 (fit refuses them with a clear error)")
    if kind == "multilabel":
        X, y = _multilabel()
    else:
        X, y, _ = _data(kind)
    est = bfx.FocalXGBClassifier(n_estimators=4, n_jobs=2).fit(X, y)
    before = est.predict_proba(X)
    est.set_params(n_jobs=1)
    est.set_params(learning_rate=0.2)
    assert est.n_jobs == 1 and est.learning_rate == 0.2
    np.testing.assert_array_equal(est.predict_proba(X), before)
    np.testing.assert_array_equal(est.predict(X), est.predict(X))
    bf.save_model(est, tmp_path / "m.json")
    np.testing.assert_array_equal(bf.load_model(tmp_path / "m.json").predict_proba(X), before)


# --- case 7: multilabel outside fit/predict ----------------------------------------------------


@pytest.mark.parametrize("engine", ["lightgbm", "xgboost"])
def test_case7_save_model_of_a_deep_copied_multilabel_estimator(engine: str, tmp_path: Path) -> None:
    if engine == "xgboost" and not bfx.VECTOR_INTERCEPT:
        pytest.skip("multilabel XGBoost models need XGBoost >= 3.1 (fit refuses them with a clear error)")
    X, Y = _multilabel()
    if engine == "lightgbm":
        est: Any = bfl.FocalLGBMClassifier(n_estimators=4, verbose=-1).fit(X, Y)
        path = tmp_path / "ml"
    else:
        est = bfx.FocalXGBClassifier(n_estimators=4, n_jobs=1).fit(X, Y)
        path = tmp_path / "ml.json"
    twin = copy.deepcopy(est)
    bf.save_model(twin, path)
    loaded = bf.load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(loaded.init_score_, est.init_score_)


@pytest.mark.parametrize("num_labels", [1, 3])
def test_case7_a_bare_xgboost_multilabel_booster_saves_and_loads(num_labels: int, tmp_path: Path) -> None:
    if not bfx.VECTOR_INTERCEPT:
        pytest.skip("multilabel XGBoost models need XGBoost >= 3.1 (fit refuses them with a clear error)")
    X, Y = _multilabel(k=num_labels)
    loss = bf.MultilabelFocalLoss(num_labels, alpha=0.4)
    booster = xgb.train({"tree_method": "hist", "nthread": 1}, bfx.dmatrix(X, Y, loss), 4, obj=bfx.objective(loss))
    z0 = loss.init_score(Y)
    expected = bfx.predict_proba(booster, X, loss, init_score=z0)
    bf.save_model(booster, tmp_path / "b.json", loss=loss, init_score=z0)
    loaded = bf.load_model(tmp_path / "b.json")
    np.testing.assert_array_equal(loaded.classes_, np.arange(num_labels))
    assert loaded.predict_proba(X).shape == (len(X), num_labels)
    np.testing.assert_allclose(loaded.predict_proba(X), expected, rtol=0, atol=1e-12)


def test_case7_lightgbm_multilabel_fitted_attributes_as_lightgbm_defines_them() -> None:
    X, Y = _multilabel(800)
    est = bfl.FocalLGBMClassifier(n_estimators=60, learning_rate=0.5, verbose=-1)
    est.fit(X[:500], Y[:500], eval_set=[(X[500:], Y[500:])], callbacks=[lgb.early_stopping(2, verbose=False)])
    per_label = est.booster_.best_iterations
    assert isinstance(est.best_iteration_, int) and est.best_iteration_ == max(per_label) > 0
    assert isinstance(est.n_estimators_, int) and isinstance(est.n_iter_, int)
    assert est.n_estimators_ == est.n_iter_ == max(b.current_iteration() for b in est.booster_.boosters)
    plain = bfl.FocalLGBMClassifier(n_estimators=3, verbose=-1).fit(X, Y)
    assert plain.n_estimators_ == plain.n_iter_ == 3


def test_case7_lightgbm_multilabel_init_model_continues_every_label(tmp_path: Path) -> None:
    X, Y = _multilabel()
    first = bfl.FocalLGBMClassifier(n_estimators=3, verbose=-1).fit(X, Y)
    for start in (first, first.booster_):
        more = bfl.FocalLGBMClassifier(n_estimators=2, verbose=-1).fit(X, Y, init_model=start)
        np.testing.assert_array_equal(more.init_score_, first.init_score_)
        assert [b.current_iteration() for b in more.booster_.boosters] == [5] * 3
        # the first three rounds are the start model's, its initial score included once
        np.testing.assert_allclose(more.predict_raw(X, num_iteration=3), first.predict_raw(X), rtol=0, atol=1e-12)
    bf.save_model(first, tmp_path / "ml")
    more = bfl.FocalLGBMClassifier(n_estimators=2, verbose=-1).fit(X, Y, init_model=tmp_path / "ml")
    np.testing.assert_allclose(more.predict_raw(X, num_iteration=3), first.predict_raw(X), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="labels"):
        bfl.FocalLGBMClassifier(n_estimators=2, verbose=-1).fit(X, Y[:, :2], init_model=first)


# --- the trained model itself ------------------------------------------------------------------


def test_a_bare_booster_without_a_record_needs_its_score() -> None:
    X, y, loss = _data("binary")
    booster = _lgb_booster(X, y, loss)
    with pytest.raises(TypeError, match="init_score is required"):
        TrainedModel.of(booster, loss)
    z0 = loss.init_score(y)
    model = TrainedModel.of(booster, loss, z0)
    assert model.where == "beside" and not model.carried
    np.testing.assert_allclose(model.raw(X), booster.predict(X, raw_score=True) + z0, rtol=0, atol=0)


# --- engines' private attributes: one place per engine -----------------------------------------

_ENGINE_MODULES = {"boostfocal/_engine_lightgbm.py", "boostfocal/_engine_xgboost.py"}
_PRIVATE = re.compile(r"^_(?!_|bf_)")  # one leading underscore, not our own ``_bf_`` attributes
_ENGINE_ROOTS = ("lgb.", "xgb.", "lightgbm.", "xgboost.")


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return _dotted(node.value) + "." + node.attr
    return ""


class _PrivateWrites(ast.NodeVisitor):
    """Writes to a private attribute of an engine object: an attribute write on anything but
    ``self`` of a class that does not derive from an engine class, ``setattr``, ``__dict__`` edits
    (but ``fit_or_restore``, which puts back a whole estimator), and the engines' ``_LIB``."""

    def __init__(self) -> None:
        self.found: list[int] = []
        self.engine_class: list[bool] = [False]
        self.function: list[str] = [""]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        derived = any(_dotted(b).startswith(_ENGINE_ROOTS) for b in node.bases)
        self.engine_class.append(derived)
        self.generic_visit(node)
        self.engine_class.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.function.append(node.name)
        self.generic_visit(node)
        self.function.pop()

    def _target(self, target: ast.AST) -> None:
        if isinstance(target, ast.Attribute) and _PRIVATE.match(target.attr):
            own = isinstance(target.value, ast.Name) and target.value.id == "self" and not self.engine_class[-1]
            if not own:
                self.found.append(target.lineno)
        for child in ast.iter_child_nodes(target):
            if isinstance(target, (ast.Tuple, ast.List)):
                self._target(child)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _dotted(node.func)
        edits_dict = ".__dict__." in name and name.rsplit(".", 1)[1] in ("pop", "update", "clear", "setdefault")
        if name == "setattr" or (edits_dict and self.function[-1] != "fit_or_restore"):
            self.found.append(node.lineno)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "_LIB":
            self.found.append(node.lineno)
        self.generic_visit(node)


def test_engine_private_attributes_are_written_in_one_place_per_engine() -> None:
    files = subprocess.run(
        ["git", "ls-files", "boostfocal"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = []
    for name in files:
        if not name.endswith(".py") or name in _ENGINE_MODULES:
            continue
        text = (ROOT / name).read_text()
        visitor = _PrivateWrites()
        visitor.visit(ast.parse(text))
        lines = text.splitlines()
        offenders += [f"{name}:{n}: {lines[n - 1].strip()}" for n in sorted(set(visitor.found))]
    assert offenders == [], "\n".join(offenders)


def test_the_private_attribute_check_finds_writes() -> None:
    """The check above is not vacuous: it flags each kind of write it looks for."""
    code = """
class Ours:
    def __init__(self):
        self._fine = 1
class Est(lgb.LGBMClassifier):
    def fit(self):
        self._Booster = 1
        self._bf_own = 2
def helper(est, booster):
    est._le = None
    setattr(booster, "x", 1)
    est.__dict__.pop("_Booster")
    return xgb.core._LIB
"""
    visitor = _PrivateWrites()
    visitor.visit(ast.parse(code))
    assert sorted(set(visitor.found)) == [7, 10, 11, 12, 13]
