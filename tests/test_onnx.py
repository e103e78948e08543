"""ONNX export (``bf.to_onnx``): the graph run in onnxruntime against the models' own predictions.

The posterior part alone is fed margins from -50 to 50 for gamma in {0, 0.5, 1, 2, 5} and compared
with ``loss.posterior`` (float64) on the same float32 margins.  Whole models: both engines, binary
(string labels) and 3 classes, alpha None / a value / "balanced", early-stopped; estimators and
bare Boosters, the latter with initial scores that put the margins at |z| up to about 50.
``"probabilities"`` must equal ``predict_proba`` within 1e-5 (float32 graph) and ``"label"``
``predict``.  Features are float32 values (the graph's input type) with missing values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import boostfocal as bf
from boostfocal._adapter import margins_to_proba

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxmltools")

from boostfocal.export import _probability_model  # noqa: E402

try:
    import lightgbm as lgb

    from boostfocal import lightgbm as bfl
    from boostfocal.lightgbm import FocalLGBMClassifier
except ImportError:  # pragma: no cover - exercised only without lightgbm
    lgb = bfl = FocalLGBMClassifier = None  # type: ignore[assignment]

try:
    import xgboost as xgb

    from boostfocal import xgboost as bfx
    from boostfocal.xgboost import FocalXGBClassifier
except ImportError:  # pragma: no cover - exercised only without xgboost
    xgb = bfx = FocalXGBClassifier = None  # type: ignore[assignment]

needs_lgb = pytest.mark.skipif(lgb is None, reason="lightgbm not installed")
needs_xgb = pytest.mark.skipif(xgb is None, reason="xgboost not installed")
ENGINES = [pytest.param("lightgbm", marks=needs_lgb), pytest.param("xgboost", marks=needs_xgb)]
TOL = 1e-5  # float32 graph against float64 predict_proba
N_TRAIN, N_VALID, N_TEST = 500, 200, 300


def _run(model, feeds):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def _table(k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``X`` of float32 values (held as float64) with NaN in one column; labels "fraud"/"legit"
    (k = 2, about 20 % fraud) or 0/10/20 (k = 3)."""
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_VALID + N_TEST
    X = rng.normal(size=(n, 5)).astype(np.float32).astype(np.float64)
    X[rng.random(n) < 0.1, 2] = np.nan
    signal = X[:, 0] - 0.7 * X[:, 1] + 0.5 * np.nan_to_num(X[:, 2]) + 0.6 * rng.normal(size=n)
    if k == 2:
        return X, np.where(signal > 0.9, "fraud", "legit")
    return X, np.digitize(signal, [-0.6, 0.6]) * 10


def _parts(X, y):
    a, b = N_TRAIN, N_TRAIN + N_VALID
    return (X[:a], y[:a]), (X[a:b], y[a:b]), (X[b:], y[b:])


def _fit(engine: str, k: int, alpha, **params):
    X, y = _table(k)
    (Xt, yt), (Xv, yv), test = _parts(X, y)
    common = dict(n_estimators=60, learning_rate=0.3, max_depth=3, alpha=alpha, **params)
    if engine == "lightgbm":
        model = FocalLGBMClassifier(verbose=-1, num_leaves=8, n_jobs=1, **common)
        model.fit(Xt, yt, eval_X=(Xv,), eval_y=(yv,), callbacks=[lgb.early_stopping(3, verbose=False)])
        best = model.best_iteration_
    else:
        model = FocalXGBClassifier(early_stopping_rounds=3, n_jobs=1, **common)
        model.fit(Xt, yt, eval_set=[(Xv, yv)], verbose=False)
        best = model.best_iteration + 1
    assert best < 60, "early stopping did not stop: the test would not cover the best iteration"
    return model, test


# --- the posterior subgraph -----------------------------------------------------------------------

GAMMAS = [0.0, 0.5, 1.0, 2.0, 5.0]


def _extreme_rows(k: int) -> np.ndarray:
    """Margins from -50 to 50: a grid over every class (k = 3: all 41^3 combinations of 41 values,
    ties and +-50 included), float32."""
    grid = np.linspace(-50.0, 50.0, 41 if k > 1 else 4001)
    if k == 1:
        z = np.concatenate([grid, [-1e-6, 0.0, 1e-6, -49.99, 49.99]])
        return z.astype(np.float32)[:, None]
    mesh = np.stack(np.meshgrid(*[grid] * k, indexing="ij"), axis=-1).reshape(-1, k)
    rng = np.random.default_rng(5)
    near = rng.normal(size=(2000, k)) * rng.choice([0.01, 1.0, 5.0, 20.0], size=(2000, 1))
    return np.concatenate([mesh, near]).astype(np.float32)


@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("alpha", [None, 0.25, 0.9])
def test_binary_posterior_graph_equals_loss_posterior_for_margins_to_50(gamma, alpha) -> None:
    loss = bf.BinaryFocalLoss(alpha=alpha, gamma=gamma)
    z = _extreme_rows(1)
    proba, scores = _run(_probability_model(loss), {"margin": z})
    expected = loss.posterior(z[:, 0].astype(np.float64))
    assert np.all(np.isfinite(proba)) and np.all(np.isfinite(scores))
    np.testing.assert_allclose(proba[:, 1], expected, rtol=0, atol=TOL)
    np.testing.assert_allclose(proba[:, 0], 1.0 - expected, rtol=0, atol=TOL)
    # the log-odds of the graph are the loss's own (where float32 keeps them away from saturation)
    logit = loss.posterior_logit(z[:, 0].astype(np.float64))
    inner = np.abs(logit) < 30
    np.testing.assert_allclose((scores[:, 1] - scores[:, 0])[inner], logit[inner], rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("alpha", [None, (0.2, 0.5, 0.3)])
def test_multiclass_posterior_graph_equals_loss_posterior_for_margins_to_50(gamma, alpha) -> None:
    loss = bf.MulticlassFocalLoss(3, alpha=alpha, gamma=gamma)
    z = _extreme_rows(3)
    proba, _ = _run(_probability_model(loss), {"margin": z})
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba, loss.posterior(z.astype(np.float64)), rtol=0, atol=TOL)


@pytest.mark.parametrize(
    "loss", [bf.BinaryFocalLoss(alpha=0.3, gamma=2.0), bf.MulticlassFocalLoss(3, alpha=(1.0, 2.0, 0.5), gamma=5.0)]
)
def test_posterior_graph_stays_finite_far_beyond_50(loss) -> None:
    k = loss.num_outputs
    z = np.array([-1e30, -1e4, -500.0, -90.0, 90.0, 500.0, 1e4, 1e30], dtype=np.float32)
    margins = z[:, None] if k == 1 else np.stack([z, -z, np.zeros_like(z)], axis=1)
    proba, _ = _run(_probability_model(loss), {"margin": margins})
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    expected = loss.posterior(margins.astype(np.float64) if k > 1 else margins[:, 0].astype(np.float64))
    np.testing.assert_allclose(proba[:, 1] if k == 1 else proba, expected, rtol=0, atol=TOL)


@pytest.mark.parametrize("k", [1, 3])
def test_gamma_zero_graph_is_the_link_shifted_by_log_alpha(k) -> None:
    """Balanced cross-entropy: ``softmax(z - log alpha)``, with none of the focal operators."""
    loss = bf.BinaryBalancedCrossEntropy(0.2) if k == 1 else bf.MulticlassBalancedCrossEntropy(3, (1.0, 4.0, 0.5))
    model = _probability_model(loss)
    assert not {"Log", "Where"} & {node.op_type for node in model.graph.node}
    z = _extreme_rows(k)
    proba, _ = _run(model, {"margin": z})
    log_alpha = np.log([0.8, 0.2]) if k == 1 else np.log([1.0, 4.0, 0.5])
    full = np.column_stack([np.zeros(len(z)), z[:, 0]]) if k == 1 else z.astype(np.float64)
    np.testing.assert_allclose(proba, bf.softmax(full - log_alpha), rtol=0, atol=TOL)


@pytest.mark.parametrize("k", [1, 3])
def test_link_graph_is_the_plain_link(k) -> None:
    loss = bf.BinaryFocalLoss(alpha=0.2, gamma=2.0) if k == 1 else bf.MulticlassFocalLoss(3, gamma=2.0)
    z = _extreme_rows(k)
    proba, _ = _run(_probability_model(loss, "link"), {"margin": z})
    expected = loss.link(z[:, 0].astype(np.float64) if k == 1 else z.astype(np.float64))
    np.testing.assert_allclose(proba[:, 1] if k == 1 else proba, expected, rtol=0, atol=TOL)


# --- whole models -------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("alpha", [None, "value", "balanced"])
def test_estimator_graph_equals_predict_proba_and_predict(engine, k, alpha) -> None:
    if alpha == "value":
        alpha = 0.3 if k == 2 else (0.5, 1.0, 2.0)
    model, (X, _) = _fit(engine, k, alpha, gamma=2.0)
    onnx_model = bf.to_onnx(model)
    assert {node.domain for node in onnx_model.graph.node} <= {"", "ai.onnx.ml"}  # nothing of boostfocal
    label, proba = _run(onnx_model, {"X": X.astype(np.float32)})
    assert proba.shape == (len(X), k) and proba.dtype == np.float32
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=TOL)
    expected = model.predict(X)
    assert label.shape == expected.shape
    assert np.array_equal(label.astype(expected.dtype), expected)
    assert (label.dtype == object) == (k == 2)  # string classes as strings, integers as int64


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("k", [2, 3])
def test_estimator_with_link_probabilities_exports_the_link(engine, k) -> None:
    model, (X, _) = _fit(engine, k, None, gamma=1.0, probability="link")
    label, proba = _run(bf.to_onnx(model), {"X": X.astype(np.float32)})
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=TOL)
    assert np.array_equal(label.astype(model.predict(X).dtype), model.predict(X))
    # and the posterior on request, which differs from the link for gamma > 0
    _, posterior = _run(bf.to_onnx(model, method="posterior"), {"X": X.astype(np.float32)})
    expected = margins_to_proba(model.loss_, model.predict_raw(X), "posterior")
    np.testing.assert_allclose(posterior, expected, rtol=0, atol=TOL)
    assert np.abs(posterior - proba).max() > 1e-3


def _booster(engine: str, k: int, loss, n_rounds: int = 30):
    """A bare Booster trained from zero with early stopping; its best iteration and (X_test)."""
    X, y = _table(k)
    y = np.unique(y, return_inverse=True)[1].astype(np.float64)
    (Xt, yt), (Xv, yv), (Xs, _) = _parts(X, y)
    params = {"learning_rate": 0.3, "max_depth": 3}
    if engine == "lightgbm":
        params.update(objective=bfl.objective(loss), verbose=-1, num_leaves=8, num_threads=1)
        if loss.is_multiclass:
            params["num_class"] = k
        train = bfl.dataset(Xt, yt, loss, init_score=0.0 if k == 2 else np.zeros(k))
        valid = bfl.dataset(Xv, yv, loss, init_score=0.0 if k == 2 else np.zeros(k), reference=train)
        booster = lgb.train(
            params,
            train,
            n_rounds,
            valid_sets=[valid],
            feval=bfl.metric(loss),
            keep_training_booster=True,  # keeps the trees after the best iteration
            callbacks=[lgb.early_stopping(2, verbose=False)],
        )
        assert 0 < booster.best_iteration < booster.current_iteration()
    else:
        params.update(nthread=1, disable_default_eval_metric=1)
        if loss.is_multiclass:
            params["num_class"] = k
        zero = 0.0 if k == 2 else np.zeros(k)
        booster = xgb.train(
            params,
            bfx.dmatrix(Xt, yt, loss, init_score=zero),
            n_rounds,
            obj=bfx.objective(loss),
            custom_metric=bfx.metric(loss),
            evals=[(bfx.dmatrix(Xv, yv, loss, init_score=zero), "valid")],
            early_stopping_rounds=2,
            verbose_eval=False,
        )
        assert booster.best_iteration + 1 < booster.num_boosted_rounds()
    return booster, Xs


def _booster_proba(engine, booster, X, loss, init_score):
    if engine == "lightgbm":
        return bfl.predict_proba(booster, X, loss, init_score=init_score), bfl.predict_raw(
            booster, X, init_score=init_score
        )
    rng = (0, booster.best_iteration + 1)
    return (
        bfx.predict_proba(booster, X, loss, init_score=init_score, iteration_range=rng),
        bfx.predict_raw(booster, X, init_score=init_score, loss=loss, iteration_range=rng),
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("loss", "init_score"),
    [
        (bf.BinaryFocalLoss(alpha=0.25, gamma=2.0), -47.0),
        (bf.BinaryFocalLoss(alpha=None, gamma=5.0), 47.0),
        (bf.BinaryFocalLoss(alpha=0.6, gamma=0.5), 0.4),
        (bf.MulticlassFocalLoss(3, alpha=(0.3, 1.0, 2.0), gamma=2.0), [47.0, -47.0, 0.0]),
        (bf.MulticlassFocalLoss(3, alpha=None, gamma=1.0), [0.2, -0.1, 0.0]),
        (bf.BinaryBalancedCrossEntropy(0.2), 1.5),  # gamma = 0: the shifted link
        (bf.MulticlassBalancedCrossEntropy(3, (1.0, 3.0, 0.5)), [46.0, 0.0, -3.0]),
    ],
    ids=repr,
)
def test_bare_booster_graph_equals_predict_proba_at_margins_to_50(engine, loss, init_score) -> None:
    """A bare Booster from ``lgb.train`` / ``xgb.train``, early-stopped (trees beyond the best
    iteration kept), exported with ``loss=`` and ``init_score=`` as for ``bf.save_model``."""
    k = max(loss.num_outputs, 2)
    booster, X = _booster(engine, k, loss)
    expected, raw = _booster_proba(engine, booster, X, loss, init_score)
    if np.max(np.abs(init_score)) > 40:
        assert np.abs(raw).max() > 45  # margins as far out as the test means
    label, proba = _run(bf.to_onnx(booster, loss=loss, init_score=init_score), {"X": X.astype(np.float32)})
    np.testing.assert_allclose(proba, expected, rtol=0, atol=TOL)
    assert np.array_equal(label, np.argmax(expected, axis=1))
    assert label.dtype == np.int64


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("loss", "init_score"),
    [
        (bf.BinaryFocalLoss(alpha=0.25, gamma=2.0), -3.5),
        (bf.MulticlassFocalLoss(3, alpha=(0.3, 1.0, 2.0), gamma=2.0), [1.5, -2.0, 0.25]),
    ],
    ids=repr,
)
def test_booster_carrying_its_initial_score_exports_without_it(engine, loss, init_score) -> None:
    """After ``embed_init_score`` the booster holds the initial score (LightGBM: first trees'
    leaves; XGBoost: its intercept): exported without ``init_score`` (or with the same one) the
    graph adds it exactly once; another value is refused."""
    k = max(loss.num_outputs, 2)
    booster, X = _booster(engine, k, loss)
    expected, _ = _booster_proba(engine, booster, X, loss, init_score)
    (bfl if engine == "lightgbm" else bfx).embed_init_score(booster, loss, init_score)
    for given in (None, init_score):
        _, proba = _run(bf.to_onnx(booster, loss=loss, init_score=given), {"X": X.astype(np.float32)})
        np.testing.assert_allclose(proba, expected, rtol=0, atol=TOL)
    with pytest.raises(ValueError, match="already carries"):
        bf.to_onnx(booster, loss=loss, init_score=np.asarray(init_score) + 1.0)


@needs_xgb
@pytest.mark.parametrize(
    ("classes", "dtype"),
    [
        (np.array([False, True]), np.int64),  # booleans as 0/1
        (np.array([3, 7, 9], dtype=np.uint8), np.int64),
        (np.array([1.0, 2.0]), np.int64),  # floats: the class index into classes_
    ],
)
def test_label_output_types(classes, dtype) -> None:
    X, y = _table(len(classes), seed=3)
    y_any = classes[np.unique(y, return_inverse=True)[1]]
    model = FocalXGBClassifier(n_estimators=5, n_jobs=1).fit(X[:N_TRAIN], y_any[:N_TRAIN])
    label, proba = _run(bf.to_onnx(model), {"X": X[N_TRAIN:].astype(np.float32)})
    assert label.dtype == dtype
    expected = model.predict(X[N_TRAIN:])
    if classes.dtype.kind == "f":
        assert np.array_equal(model.classes_[label], expected)
    else:
        assert np.array_equal(label, expected.astype(np.int64))
    np.testing.assert_allclose(proba, model.predict_proba(X[N_TRAIN:]), rtol=0, atol=TOL)


@needs_lgb
def test_path_writes_a_file_onnxruntime_loads(tmp_path) -> None:
    model, (X, _) = _fit("lightgbm", 2, None)
    target = tmp_path / "model.onnx"
    bf.to_onnx(model, path=target)
    session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    proba = session.run(["probabilities"], {"X": X.astype(np.float32)})[0]
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=TOL)


@pytest.mark.parametrize("engine", ENGINES)
def test_model_fitted_on_a_dataframe_and_reloaded_exports_the_same(engine, tmp_path) -> None:
    """Named columns (XGBoost's converter reads only ``f<index>`` split names) and a model from
    ``bf.load_model``: the graph takes the columns in training order."""
    pd = pytest.importorskip("pandas")
    X, y = _table(2)
    frame = pd.DataFrame(X, columns=["amount", "age", "hour", "merchant", "v"])
    if engine == "lightgbm":
        model = FocalLGBMClassifier(n_estimators=8, verbose=-1, n_jobs=1).fit(frame, y)
    else:
        model = FocalXGBClassifier(n_estimators=8, n_jobs=1).fit(frame, y)
    path = tmp_path / ("model.txt" if engine == "lightgbm" else "model.json")
    bf.save_model(model, path)
    for exported in (model, bf.load_model(path)):
        label, proba = _run(bf.to_onnx(exported), {"X": X.astype(np.float32)})
        np.testing.assert_allclose(proba, model.predict_proba(frame), rtol=0, atol=TOL)
        assert np.array_equal(label, model.predict(frame))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("k", [2, 3])
def test_file_read_by_the_plain_engine_exports_its_score_once(engine, k, tmp_path) -> None:
    """A model file read by ``lgb.Booster(model_file=...)`` / ``xgb.Booster(model_file=...)`` (not
    boostfocal): the booster itself records where its initial score lives, so the graph adds it
    once, with or without the ``init_score`` our error messages ask for; another value is refused."""
    model, (X, _) = _fit(engine, k, 0.3 if k == 2 else None, gamma=2.0)
    path = tmp_path / ("model.txt" if engine == "lightgbm" else "model.json")
    bf.save_model(model, path)
    plain = lgb.Booster(model_file=str(path)) if engine == "lightgbm" else xgb.Booster(model_file=str(path))
    expected = model.predict_proba(X)
    for init_score in (None, model.init_score_):
        _, proba = _run(bf.to_onnx(plain, loss=model.loss_, init_score=init_score), {"X": X.astype(np.float32)})
        np.testing.assert_allclose(proba, expected, rtol=0, atol=TOL)
    with pytest.raises(ValueError, match="twice"):
        bf.to_onnx(plain, loss=model.loss_, init_score=np.asarray(model.init_score_) + 1.0)


@needs_lgb
def test_lightgbm_rows_at_the_float32_rounding_of_a_threshold_take_lightgbms_branch() -> None:
    """LightGBM compares ``x <= t`` with a double ``t``; the nearest float32 to ``t`` can be a
    feature value ``x > t``.  Rows whose feature sits exactly there, at the root split of every
    tree, must still take LightGBM's branch."""
    X, y = _table(3)
    model = FocalLGBMClassifier(n_estimators=20, num_leaves=8, verbose=-1, n_jobs=1).fit(X, y)
    rng = np.random.default_rng(7)
    rows = []
    for tree in model.booster_.dump_model()["tree_info"]:
        root = tree["tree_structure"]
        if "split_feature" not in root:
            continue
        t = root["threshold"]
        for x in (np.float32(t), np.nextafter(np.float32(t), np.float32(np.inf))):
            row = rng.normal(size=X.shape[1]).astype(np.float32).astype(np.float64)
            row[root["split_feature"]] = float(x)
            rows.append(row)
    rows = np.array(rows)
    assert np.sum(rows.astype(np.float32).astype(np.float64) != rows) == 0
    _, proba = _run(bf.to_onnx(model), {"X": rows.astype(np.float32)})
    np.testing.assert_allclose(proba, model.predict_proba(rows), rtol=0, atol=TOL)


# --- refusals -------------------------------------------------------------------------------------


@needs_lgb
def test_lightgbm_categorical_splits_are_refused() -> None:
    X, y = _table(2)
    Xc = X.copy()
    Xc[:, 3] = np.random.default_rng(0).integers(0, 6, size=len(X))
    y = (np.nan_to_num(Xc[:, 0]) + (Xc[:, 3] == 2) * 2 > 1).astype(int)
    model = FocalLGBMClassifier(n_estimators=5, verbose=-1, n_jobs=1, min_data_per_group=5, cat_smooth=1)
    model.fit(Xc, y, categorical_feature=[3])
    assert "num_cat=0" != next(
        line
        for line in model.booster_.model_to_string().splitlines()
        if line.startswith("num_cat=") and line != "num_cat=0"
    )
    with pytest.raises(ValueError, match="categorical"):
        bf.to_onnx(model)


@needs_xgb
def test_xgboost_categorical_features_are_refused() -> None:
    pd = pytest.importorskip("pandas")
    X, y = _table(2)
    frame = pd.DataFrame(X[:, :2], columns=["a", "b"])
    frame["c"] = pd.Categorical(np.random.default_rng(0).integers(0, 4, size=len(X)))
    model = FocalXGBClassifier(n_estimators=3, enable_categorical=True, tree_method="hist", n_jobs=1)
    model.fit(frame, y)
    with pytest.raises(ValueError, match="categorical"):
        bf.to_onnx(model)


@needs_xgb
def test_misuse_raises_clear_errors() -> None:
    with pytest.raises(NotFittedError):
        bf.to_onnx(FocalXGBClassifier())
    with pytest.raises(TypeError, match="model must be"):
        bf.to_onnx(object())
    model, _ = _fit("xgboost", 2, None)
    with pytest.raises(TypeError, match="bare Booster"):
        bf.to_onnx(model, loss=model.loss_, init_score=0.0)
    with pytest.raises(ValueError, match="method"):
        bf.to_onnx(model, method="sigmoid")
    booster, _ = _booster("xgboost", 2, model.loss_)  # trained from zero with xgb.train: carries nothing
    with pytest.raises(TypeError, match="init_score is required"):
        bf.to_onnx(booster, loss=model.loss_)
    with pytest.raises(TypeError, match="loss"):
        bf.to_onnx(booster, loss="focal", init_score=0.0)
    with pytest.raises(ValueError, match="raw score"):
        bf.to_onnx(booster, loss=bf.MulticlassFocalLoss(3), init_score=np.zeros(3))
    with pytest.raises(ValueError, match="init_score"):
        bf.to_onnx(booster, loss=model.loss_, init_score=[0.0, 1.0])
    with pytest.raises(ValueError, match="init_score"):
        bf.to_onnx(booster, loss=model.loss_, init_score=np.inf)


@needs_xgb
def test_onnxmltools_alone_gets_a_focal_model_wrong() -> None:
    """Why ``bf.to_onnx`` exists: onnxmltools converts the bare XGBoost booster of a focal model
    silently, with the logistic link on ``0.5 + trees``, far from ``predict_proba``."""
    from onnxmltools import convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType

    model, (X, _) = _fit("xgboost", 2, 0.25, gamma=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = convert_xgboost(model.get_booster(), initial_types=[("X", FloatTensorType([None, X.shape[1]]))])
    proba = _run(plain, {"X": X.astype(np.float32)})[1]
    assert np.abs(proba - model.predict_proba(X)).max() > 0.05
