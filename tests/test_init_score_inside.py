"""A trained focal model carries its initial score inside the booster (issue 17).

Every reader of the booster -- the engine's own ``predict``, its contributions, its model file in
a fresh process, continued training, SHAP (``tests/test_shap.py``) -- sees the full margin
``init_score + trees``; boostfocal's own paths never add it twice; a fit that fails changes
nothing; damaged files and inconsistent focal states are refused with the file and the field
named.  Both engines, binary and 3 classes, with and without sample and class weights.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _engine_data import binary_table, multiclass_table

import boostfocal as bf
from boostfocal._model import carried_init_score, recorded

try:
    import lightgbm as lgb

    from boostfocal import lightgbm as bfl
except ImportError:  # pragma: no cover - exercised only without lightgbm
    lgb = bfl = None  # type: ignore[assignment]

try:
    import xgboost as xgb

    from boostfocal import xgboost as bfx
except ImportError:  # pragma: no cover - exercised only without xgboost
    xgb = bfx = None  # type: ignore[assignment]

ENGINES = [
    pytest.param("lightgbm", marks=pytest.mark.skipif(lgb is None, reason="lightgbm not installed")),
    pytest.param("xgboost", marks=pytest.mark.skipif(xgb is None, reason="xgboost not installed")),
]
KINDS = ["binary", "multiclass"]
WEIGHTS = ["unweighted", "sample_weight", "class_weight"]
N = 1500
ROOT = Path(bf.__file__).resolve().parents[1]
#: XGBoost keeps its intercept and leaves in float32: the plain engine's margins match to this.
XGB_ATOL = 2e-5


def data(kind: str, n: int = N) -> tuple[np.ndarray, np.ndarray]:
    return binary_table(n) if kind == "binary" else multiclass_table(n)


def estimator(engine: str, n_estimators: int = 10, **kwargs: Any) -> Any:
    if engine == "lightgbm":
        return bf.FocalLGBMClassifier(n_estimators=n_estimators, num_leaves=7, verbose=-1, n_jobs=1, **kwargs)
    return bf.FocalXGBClassifier(n_estimators=n_estimators, max_depth=3, n_jobs=1, **kwargs)


def fitted(engine: str, kind: str, weights: str = "unweighted", **kwargs: Any) -> tuple[Any, np.ndarray]:
    """A fitted estimator (and its rows); ``weights`` adds sample weights or class weights."""
    X, y = data(kind)
    fit_kw: dict[str, Any] = {}
    if weights == "sample_weight":
        fit_kw["sample_weight"] = np.random.default_rng(3).uniform(0.2, 3.0, size=y.shape[0])
    if weights == "class_weight":
        if engine == "lightgbm":
            kwargs["class_weight"] = {0: 1.0, 1: 4.0} if kind == "binary" else {0: 1.0, 1: 3.0, 2: 0.5}
        else:  # XGBClassifier has no class_weight: the same weights as sample weights
            w = {0: 1.0, 1: 4.0, 2: 0.5}
            fit_kw["sample_weight"] = np.array([w[int(v)] for v in y])
    return estimator(engine, **kwargs).fit(X, y, **fit_kw), X


def plain_margin(engine: str, booster: Any, X: np.ndarray) -> np.ndarray:
    """The engine's own raw margins, no boostfocal code involved."""
    if engine == "lightgbm":
        return np.asarray(booster.predict(X, raw_score=True), dtype=np.float64)
    return np.asarray(booster.predict(xgb.DMatrix(X), output_margin=True), dtype=np.float64)


def booster_of(engine: str, est: Any) -> Any:
    return est.booster_ if engine == "lightgbm" else est.get_booster()


# --- the booster gives the full margin --------------------------------------------------------


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("engine", ENGINES)
def test_the_plain_booster_gives_the_full_margin(engine: str, kind: str, weights: str) -> None:
    est, X = fitted(engine, kind, weights)
    booster = booster_of(engine, est)
    raw = est.predict_raw(X)
    assert np.max(np.abs(est.init_score_)) > 0.1  # the constant at stake is not negligible
    np.testing.assert_array_equal(carried_init_score(booster), est.init_score_)
    if engine == "lightgbm":
        np.testing.assert_array_equal(plain_margin(engine, booster, X), raw)  # the very same numbers
    else:
        np.testing.assert_allclose(plain_margin(engine, booster, X), raw, rtol=0, atol=XGB_ATOL)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("engine", ENGINES)
def test_contributions_sum_to_predict_raw(engine: str, kind: str) -> None:
    """LightGBM ``predict(X, pred_contrib=True)``; XGBoost ``predict(X, pred_contribs=True)`` (the
    keyword of ``Booster.predict``), also with a caller's ``base_margin``."""
    est, X = fitted(engine, kind)
    raw = est.predict_raw(X)
    if engine == "lightgbm":
        contrib = est.predict(X, pred_contrib=True)
        if kind == "multiclass":
            contrib = contrib.reshape(X.shape[0], -1, X.shape[1] + 1)
        np.testing.assert_allclose(contrib.sum(axis=-1), raw, rtol=0, atol=1e-12)
        return
    contrib = est.predict(X, pred_contribs=True)
    assert contrib.shape == ((X.shape[0], X.shape[1] + 1) if kind == "binary" else (X.shape[0], 3, X.shape[1] + 1))
    np.testing.assert_allclose(contrib.sum(axis=-1), raw, rtol=0, atol=XGB_ATOL)
    m = np.random.default_rng(1).normal(size=raw.shape)
    np.testing.assert_allclose(
        est.predict(X, pred_contribs=True, base_margin=m).sum(axis=-1),
        est.predict_raw(X, base_margin=m),
        rtol=0,
        atol=XGB_ATOL,
    )


# --- the engine's own file, read in a fresh process ------------------------------------------

PLAIN_READER = textwrap.dedent(
    """
    import pickle, sys
    import numpy as np
    with open(sys.argv[1], "rb") as f:
        cases = pickle.load(f)
    out = {}
    for name, (engine, path, X) in cases.items():
        if engine == "lightgbm":
            import lightgbm as lgb
            out[name] = lgb.Booster(model_file=path).predict(X, raw_score=True)
        else:
            import xgboost as xgb
            booster = xgb.Booster(model_file=path)
            out[name] = booster.predict(xgb.DMatrix(X), output_margin=True)
    assert "boostfocal" not in sys.modules
    with open(sys.argv[2], "wb") as f:
        pickle.dump(out, f)
    """
)


def test_the_saved_file_read_by_the_plain_engine_in_a_fresh_process(tmp_path: Path) -> None:
    """``bf.save_model``'s file, loaded by ``lgb.Booster`` / ``xgb.Booster`` in a process that never
    imports boostfocal: its raw margin equals ``predict_raw`` (XGBoost: float32 precision)."""
    cases, expected = {}, {}
    for engine, module in (("lightgbm", lgb), ("xgboost", xgb)):
        if module is None:
            continue
        for kind in KINDS:
            for weights in WEIGHTS:
                est, X = fitted(engine, kind, weights)
                name = f"{engine}-{kind}-{weights}"
                path = tmp_path / (name + (".txt" if engine == "lightgbm" else ".ubj"))
                bf.save_model(est, path)
                cases[name] = (engine, str(path), X[:300])
                expected[name] = est.predict_raw(X[:300])
    with open(tmp_path / "cases.pkl", "wb") as f:
        pickle.dump(cases, f)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the engines only
    subprocess.run(
        [sys.executable, "-c", PLAIN_READER, str(tmp_path / "cases.pkl"), str(tmp_path / "out.pkl")],
        check=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    with open(tmp_path / "out.pkl", "rb") as f:
        got = pickle.load(f)
    for name, raw in expected.items():
        if name.startswith("lightgbm"):
            np.testing.assert_array_equal(got[name], raw, err_msg=name)
        else:
            np.testing.assert_allclose(got[name], raw, rtol=0, atol=XGB_ATOL, err_msg=name)


# --- continued training ------------------------------------------------------------------------


def _training_loss(est: Any, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(est.loss_.loss(est.classes_.searchsorted(y), est.predict_raw(X))))


def _correct_continuation(engine: str, loss: bf.Loss, X: np.ndarray, y: np.ndarray, z0: Any) -> float:
    """25 trees from ``z0``, then 25 more from ``z0 + those trees``, with the engines' own train
    functions and explicit initial margins: the reference a continuation must reproduce."""
    margin = bf._adapter.constant_margin(loss, z0, y.shape[0])
    if engine == "lightgbm":
        params = {"objective": bfl.objective(loss), "num_leaves": 7, "verbose": -1, "num_threads": 1}
        if loss.is_multiclass:
            params["num_class"] = loss.num_outputs
        first = lgb.train(params, lgb.Dataset(X, y, init_score=margin), 25)
        m1 = margin + first.predict(X, raw_score=True)
        second = lgb.train(params, lgb.Dataset(X, y, init_score=m1), 25)
        total = m1 + second.predict(X, raw_score=True)
    else:
        params = {"max_depth": 3, "nthread": 1, "disable_default_eval_metric": True}
        if loss.is_multiclass:
            params["num_class"] = loss.num_outputs
        first = xgb.train(params, xgb.DMatrix(X, y, base_margin=margin), 25, obj=bfx.objective(loss))
        m1 = first.predict(xgb.DMatrix(X, base_margin=margin), output_margin=True).astype(np.float64)
        second = xgb.train(params, xgb.DMatrix(X, y, base_margin=m1), 25, obj=bfx.objective(loss))
        total = second.predict(xgb.DMatrix(X, base_margin=m1), output_margin=True).astype(np.float64)
    return float(np.mean(loss.loss(y, total)))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("engine", ENGINES)
def test_continued_training_starts_from_the_full_margin(engine: str, kind: str) -> None:
    """25 + 25 trees through ``init_model`` / ``xgb_model`` give the training loss of a correct
    continuation, and that of 50 trees from scratch within 2 %."""
    X, y = data(kind)
    first = estimator(engine, 25).fit(X, y)
    key = "init_model" if engine == "lightgbm" else "xgb_model"
    booster = booster_of(engine, first)
    continued = estimator(engine, 25).fit(X, y, **{key: booster})
    scratch = estimator(engine, 50).fit(X, y)
    reference = _correct_continuation(engine, first.loss_, X, y, first.init_score_)
    got = _training_loss(continued, X, y)
    print(
        f"\n{engine} {kind}: continued {got:.6f}, correct {reference:.6f}, 50 trees {_training_loss(scratch, X, y):.6f}"
    )
    np.testing.assert_allclose(got, reference, rtol=1e-3 if engine == "xgboost" else 1e-9)
    np.testing.assert_allclose(got, _training_loss(scratch, X, y), rtol=0.02)
    np.testing.assert_array_equal(continued.init_score_, first.init_score_)
    if engine == "lightgbm":  # the continued booster still gives its full margin
        np.testing.assert_array_equal(plain_margin(engine, booster_of(engine, continued), X), continued.predict_raw(X))
    # a fitted estimator is a start model too, and the same one
    again = estimator(engine, 25).fit(X, y, **{key: first})
    np.testing.assert_array_equal(again.predict_raw(X), continued.predict_raw(X))


# --- base_margin in XGBoost's predict methods ------------------------------------------------


@pytest.mark.skipif(xgb is None, reason="xgboost not installed")
@pytest.mark.parametrize("kind", KINDS)
def test_xgboost_base_margin_in_every_predict_method(kind: str) -> None:
    """A caller's ``base_margin`` replaces the initial score, in ``fit`` as in every predict
    method, as in ``XGBClassifier``."""
    X, y = data(kind)
    shape = (X.shape[0],) if kind == "binary" else (X.shape[0], 3)
    m = np.random.default_rng(2).normal(scale=0.5, size=shape)
    est = estimator("xgboost").fit(X, y, base_margin=m)
    np.testing.assert_array_equal(est.init_score_, np.zeros(()) if kind == "binary" else np.zeros(3))
    engine_raw = est.get_booster().predict(xgb.DMatrix(X, base_margin=m), output_margin=True)
    raw = est.predict_raw(X, base_margin=m)
    np.testing.assert_array_equal(raw, engine_raw.astype(np.float64))
    np.testing.assert_array_equal(est.predict(X, output_margin=True, base_margin=m), raw)
    np.testing.assert_array_equal(est.predict_proba(X, base_margin=m), est.loss_.posterior(raw).reshape(len(X), -1)
                                  if kind == "multiclass" else np.column_stack([1 - est.loss_.posterior(raw),
                                                                                est.loss_.posterior(raw)]))  # fmt: skip
    np.testing.assert_array_equal(est.decision_function(X, base_margin=m), est.loss_.posterior_logit(raw))
    np.testing.assert_array_equal(
        est.predict(X, base_margin=m), est.classes_[np.argmax(est.predict_proba(X, base_margin=m), axis=1)]
    )
    # without it: the trees alone (init_score_ is 0), different from the margins fit saw
    assert not np.allclose(est.predict_raw(X), raw)
    # a model fitted from its own initial score: base_margin replaces that score
    own = estimator("xgboost").fit(X, y)
    np.testing.assert_allclose(
        own.predict_raw(X, base_margin=m) - own.predict_raw(X),
        m - bf._adapter.constant_margin(own.loss_, own.init_score_, X.shape[0]),
        rtol=0,
        atol=XGB_ATOL,
    )


# --- a fit that raises changes nothing -------------------------------------------------------


def _snapshot(engine: str, est: Any, X: np.ndarray) -> dict[str, Any]:
    booster = booster_of(engine, est)
    return {
        "proba": est.predict_proba(X),
        "raw": est.predict_raw(X),
        "loss": repr(est.loss_),
        "init": np.array(est.init_score_, copy=True),
        "classes": np.array(est.classes_, copy=True),
        "model": booster.model_to_string() if engine == "lightgbm" else bytes(booster.save_raw("json")),
        "keys": sorted(est.__dict__),
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_a_fit_that_raises_leaves_the_fitted_estimator_as_it_was(engine: str) -> None:
    """The engine raises (a validation set with a label unseen in training) after the labels and
    the loss of the new data were worked out: the estimator keeps its model, bit for bit."""
    X, y = binary_table(N)
    est = estimator(engine, alpha=0.25).fit(X, y)
    before = _snapshot(engine, est, X)
    X3, y3 = multiclass_table(N)
    with pytest.raises(ValueError):
        est.set_params(alpha=None)
        est.fit(X3[:, : X.shape[1]], np.where(y3 == 2, 1, y3), eval_set=[(X3, y3)])
    est.set_params(alpha=0.25)
    after = _snapshot(engine, est, X)
    for key, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(after[key], value, err_msg=key)
        else:
            assert after[key] == value, key


# --- adding it twice is refused -----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("engine", ENGINES)
def test_the_lgb_train_xgb_train_path_embeds_it_once(engine: str, kind: str, tmp_path: Path) -> None:
    """``embed_init_score`` after ``lgb.train`` / ``xgb.train``: the plain booster gives the full
    margin; ``predict_proba`` and ``bf.save_model`` need no ``init_score``, accept the same value
    and refuse another (it would be added twice)."""
    X, y = data(kind)
    loss = bf.BinaryFocalLoss(gamma=2.0) if kind == "binary" else bf.MulticlassFocalLoss(3, gamma=2.0)
    z0 = loss.init_score(y)
    if engine == "lightgbm":
        params = {"objective": bfl.objective(loss), "num_leaves": 7, "verbose": -1, "num_threads": 1}
        if kind == "multiclass":
            params["num_class"] = 3
        booster = lgb.train(params, bfl.dataset(X, y, loss), 10)
        module = bfl
    else:
        params = {"max_depth": 3, "nthread": 1}
        if kind == "multiclass":
            params["num_class"] = 3
        booster = xgb.train(params, bfx.dmatrix(X, y, loss), 10, obj=bfx.objective(loss))
        module = bfx
    before = module.predict_proba(booster, X, loss, init_score=z0)
    expected_raw = (
        bfl.predict_raw(booster, X, init_score=z0)
        if engine == "lightgbm"
        else bfx.predict_raw(booster, X, init_score=z0, loss=loss)
    )
    assert carried_init_score(booster) is None
    assert module.embed_init_score(booster, loss, z0) is booster
    np.testing.assert_array_equal(carried_init_score(booster), z0)
    if engine == "lightgbm":
        np.testing.assert_allclose(plain_margin(engine, booster, X), expected_raw, rtol=0, atol=1e-13)
        np.testing.assert_allclose(module.predict_proba(booster, X, loss), before, rtol=0, atol=1e-13)
    else:
        np.testing.assert_allclose(plain_margin(engine, booster, X), expected_raw, rtol=0, atol=XGB_ATOL)
        if recorded(booster)[0] == "base_score":  # exact: the same base_margin path
            np.testing.assert_array_equal(module.predict_proba(booster, X, loss), before)
        else:  # XGBoost < 3.1, multiclass: z0 is in the first trees' float32 leaves
            np.testing.assert_allclose(module.predict_proba(booster, X, loss), before, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(
        module.predict_proba(booster, X, loss, init_score=z0), module.predict_proba(booster, X, loss)
    )
    other = z0 + 1.0
    with pytest.raises(ValueError, match="already carries the initial score"):
        module.predict_proba(booster, X, loss, init_score=other)
    with pytest.raises(ValueError, match="already carries the initial score"):
        bf.save_model(booster, tmp_path / "m.json", loss=loss, init_score=other)
    with pytest.raises(ValueError, match="already carries the initial score"):
        module.embed_init_score(booster, loss, other)
    module.embed_init_score(booster, loss, z0)  # the same value again: nothing changes
    np.testing.assert_array_equal(carried_init_score(booster), z0)
    path = tmp_path / ("m.txt" if engine == "lightgbm" else "m.json")
    bf.save_model(booster, path, loss=loss)
    loaded = bf.load_model(path)
    np.testing.assert_array_equal(loaded.init_score_, z0)
    np.testing.assert_array_equal(loaded.predict_proba(X), module.predict_proba(booster, X, loss))


@pytest.mark.parametrize("engine", ENGINES)
def test_files_of_the_previous_format_load_and_predict_as_before(engine: str, tmp_path: Path) -> None:
    """A focal state of version 1 (or without a version) keeps the initial score beside the
    trees: the loaded model adds it, exactly as the bare-booster helpers do."""
    X, y = binary_table(N)
    loss = bf.BinaryFocalLoss(alpha=0.3)
    z0 = loss.init_score(y)
    if engine == "lightgbm":
        booster = lgb.train({"objective": bfl.objective(loss), "verbose": -1}, bfl.dataset(X, y, loss), 10)
        expected = bfl.predict_proba(booster, X, loss, init_score=z0)
        path = tmp_path / "m.txt"
    else:
        booster = xgb.train({"max_depth": 3}, bfx.dmatrix(X, y, loss), 10, obj=bfx.objective(loss))
        expected = bfx.predict_proba(booster, X, loss, init_score=z0)
        path = tmp_path / "m.json"
    bf.save_model(booster, path, loss=loss, init_score=z0)  # a booster that does not carry it

    def older(version: int | None) -> Any:
        def edit(state: dict[str, Any]) -> None:
            assert state.pop("init_score_in_model") is False
            state.pop("version")
            if version is not None:
                state["version"] = version

        return edit

    for version in (1, None):
        old = tmp_path / f"v{version}{path.suffix}"
        _edit_state(path, old, older(version))
        loaded = bf.load_model(old)
        np.testing.assert_array_equal(loaded.predict_proba(X), expected)
        assert carried_init_score(booster_of(engine, loaded)) is None


# --- damaged files and inconsistent focal states -------------------------------------------


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("saved")
    out = {}
    if lgb is not None:
        est, _ = fitted("lightgbm", "binary")
        out["lightgbm"] = d / "m.txt"
        bf.save_model(est, out["lightgbm"])
    if xgb is not None:
        est, _ = fitted("xgboost", "binary")
        for ext in ("json", "ubj"):
            out[f"xgboost-{ext}"] = d / f"m.{ext}"
            bf.save_model(est, out[f"xgboost-{ext}"])
    return out


@pytest.mark.parametrize("case", ["lightgbm", "xgboost-json", "xgboost-ubj"])
@pytest.mark.parametrize("fraction", [0.3, 0.7, 0.98])
def test_a_truncated_file_is_named_as_damaged(
    saved: dict[str, Path], case: str, fraction: float, tmp_path: Path
) -> None:
    if case not in saved:
        pytest.skip("engine not installed")
    data = saved[case].read_bytes()
    cut = tmp_path / ("cut" + saved[case].suffix)
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ValueError, match=r"cut\.\w+.*(damaged|truncated)") as info:
        bf.load_model(cut)
    assert "saved by" not in str(info.value)  # not "a model file without boostfocal state"


def _edit_state(path: Path, out: Path, edit: Any) -> None:
    """Write ``path``'s model with its focal state changed by ``edit(state)``."""
    if path.suffix == ".txt":
        lines = path.read_text().split("\n")
        i = next(i for i, line in enumerate(lines) if line.startswith("boostfocal:"))
        state = json.loads(lines[i][len("boostfocal:") :])
        edit(state)
        lines[i] = "boostfocal:" + json.dumps(state, separators=(",", ":"))
        out.write_text("\n".join(lines))
        return
    booster = xgb.Booster(model_file=str(path))
    state = json.loads(booster.attr("boostfocal"))
    edit(state)
    booster.set_attr(boostfocal=json.dumps(state))
    booster.save_model(str(out))


EDITS = {
    "duplicate classes": (lambda s: s["classes"].update(values=[1, 1]), "classes"),
    "gamma mismatch": (lambda s: s["params"].update(gamma=0.5), "params.gamma"),
    "alpha mismatch": (lambda s: s["params"].update(alpha=0.9), "params.alpha"),
    "init score shape": (lambda s: s.update(init_score=[0.1, 0.2, 0.3]), "init_score"),
    "init score differs from the booster's": (lambda s: s.update(init_score=1.5), "init_score"),
    "missing loss": (lambda s: s.pop("loss"), "loss"),
    "unknown loss": (lambda s: s["loss"].update({"class": "Nope"}), "loss"),
    "wrong engine": (lambda s: s.update(engine="catboost"), "engine"),
    "claims to carry nothing": (lambda s: s.update(init_score_in_model=False), "init_score_in_model"),
    "claims it lives beside": (
        lambda s: s.update(init_score_in_model=False, init_score_where="beside"),
        "init_score_in_model",
    ),
    # read as format 1 (beside the trees), which the booster's own record contradicts
    "version deleted": (lambda s: s.pop("version"), "init_score_in_model"),
}


@pytest.mark.parametrize("edit", list(EDITS))
@pytest.mark.parametrize("case", ["lightgbm", "xgboost-json"])
def test_an_inconsistent_focal_state_is_refused(saved: dict[str, Path], case: str, edit: str, tmp_path: Path) -> None:
    if case not in saved:
        pytest.skip("engine not installed")
    change, field = EDITS[edit]
    bad = tmp_path / ("bad" + saved[case].suffix)
    _edit_state(saved[case], bad, change)
    with pytest.raises(ValueError, match=rf"bad\.\w+.*'{field}'"):
        bf.load_model(bad)


# --- labels -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda y: bf.BinaryFocalLoss().init_score(y),
        lambda y: bf.BinaryFocalLoss().loss(y, np.zeros(y.shape[0])),
        lambda y: bf.MulticlassFocalLoss(3).init_score(y),
        lambda y: bf.balanced_alpha(y),
    ],
    ids=["binary-init_score", "binary-loss", "multiclass-init_score", "balanced_alpha"],
)
def test_complex_labels_are_refused(call: Any) -> None:
    y = np.array([0, 1, 1, 0, 2, 1], dtype=complex)[:5]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning: a ValueError before any cast
        with pytest.raises(ValueError, match="complex"):
            call(y)


@pytest.mark.parametrize("engine", ENGINES)
def test_complex_labels_are_refused_by_the_engine_helpers(engine: str) -> None:
    X, y = binary_table(100)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="complex"):
            if engine == "lightgbm":
                bfl.dataset(X, y.astype(complex), bf.BinaryFocalLoss())
            else:
                bfx.dmatrix(X, y.astype(complex), bf.BinaryFocalLoss())
