"""LightGBM adapter tests: ``bfl.objective``, ``bfl.metric``, ``bfl.dataset``, ``bfl.predict_raw``.

What is pinned here (DESIGN.md §3, §5, §7):

* gamma = 0 with ``alpha=None`` *is* LightGBM's own ``binary`` / ``multiclass`` objective: same
  raw scores (to 1e-6; measured 0) from the same initial score, with and without sample weights;
* LightGBM hands a custom objective ``init_score`` (or 0) in the first round and never adds the
  Dataset's ``init_score`` back at predict time: ``bfl.predict_raw`` does;
* early stopping on ``bfl.metric`` stops at the best recorded value, and that value is the
  (weighted) mean of ``loss.loss`` on the engine's raw scores, init score included;
* on 1 % positives focal loss (gamma = 2, default Hessian policy) trains from the optimal initial
  score without NaN or exploding leaves and beats the zero-initialised run;
* shape errors are ``ValueError``s naming both shapes; objects pickle; the same objective object
  serves ``lgb.train`` and ``LGBMClassifier`` (which passes it the sample weights).
"""

from __future__ import annotations

import pickle
import warnings
from typing import ClassVar

import numpy as np
import pytest

lgb = pytest.importorskip("lightgbm")

from _engine_data import binary_table, multiclass_table, rare_table, sample_weights, split, table  # noqa: E402

import boostfocal as bf  # noqa: E402
from boostfocal import lightgbm as bfl  # noqa: E402

K = 3  # classes of the multiclass tables

# Deterministic, small trees: LightGBM's results depend only on the data and params.  One thread
# on the small tables: OpenMP start-up and spinning cost more than they save there.
# THREADS_20K is the thread count of the 20k-row tests.  It is 1, not 2: on a shared 2-core machine
# (load ~4.5) those 20 tests took 28 s with one thread and 150 s with two (OpenMP threads spin while
# waiting for a busy core).  Set it to 2 on an idle machine.
THREADS_20K = 1
PARAMS = {
    "num_leaves": 15,
    "learning_rate": 0.1,
    "num_threads": 1,
    "seed": 0,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}


def make_loss(kind: str, gamma: float = 0.0, alpha: object = None, hessian: str = "bounded") -> bf.Loss:
    if kind == "binary":
        return bf.BinaryFocalLoss(alpha=alpha, gamma=gamma, hessian=hessian)  # type: ignore[arg-type]
    return bf.MulticlassFocalLoss(K, alpha=alpha, gamma=gamma, hessian=hessian)  # type: ignore[arg-type]


def params_for(loss: bf.Loss, **extra: object) -> dict:
    params = {**PARAMS, "objective": bfl.objective(loss), **extra}
    if loss.is_multiclass:
        params["num_class"] = loss.num_outputs
    return params


def constant(loss: bf.Loss, value: object, n: int) -> np.ndarray:
    """The ``(n,)`` / ``(n, K)`` array of a constant initial score, built independently of the library."""
    if loss.is_multiclass:
        return np.tile(np.asarray(value, dtype=np.float64), (n, 1))
    return np.full(n, float(value))  # type: ignore[arg-type]


def leaf_values(booster: lgb.Booster) -> np.ndarray:
    """Every leaf value of every tree (already multiplied by the learning rate)."""
    out: list[float] = []

    def walk(node: dict) -> None:
        if "leaf_value" in node:
            out.append(node["leaf_value"])
        else:
            walk(node["left_child"])
            walk(node["right_child"])

    for tree in booster.dump_model()["tree_info"]:
        walk(tree["tree_structure"])
    return np.asarray(out)


class _FirstScores:
    """An objective wrapper that records the raw scores it is called with.

    ``lgb.train`` deep-copies its params (and so the objective): the record is kept on the class.
    """

    seen: ClassVar[list[np.ndarray]] = []

    def __init__(self, inner: object) -> None:
        self.inner = inner
        _FirstScores.seen.clear()

    def __call__(self, preds: np.ndarray, data: lgb.Dataset) -> tuple[np.ndarray, np.ndarray]:
        _FirstScores.seen.append(np.array(preds, dtype=np.float64, copy=True))
        return self.inner(preds, data)  # type: ignore[operator]


# --------------------------------------------------------------------------------------
# gamma = 0 is LightGBM's own objective
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "weighted"),
    [("init_score", False), ("init_score", True), ("boost_from_average", False)],
    ids=["init_score-unweighted", "init_score-weighted", "boost_from_average-unweighted"],
)
@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_gamma0_train_equals_builtin_objective(kind: str, start: str, weighted: bool, record_error) -> None:
    """50 rounds on 20k rows: our gamma = 0 objective and LightGBM's ``binary``/``multiclass``.

    ``start="init_score"`` gives the built-in Dataset the same constant ``init_score`` array;
    ``"boost_from_average"`` lets LightGBM compute its own start (the log-odds / log class prior,
    which is the loss-minimising constant for gamma = 0), folded into its first trees.
    """
    X, y = table(kind)
    n = y.shape[0]
    w = sample_weights(n) if weighted else None
    loss = make_loss(kind, gamma=0.0, alpha=None)
    z0 = loss.init_score(y, w)
    rounds = 50

    ours = lgb.train(params_for(loss, num_threads=THREADS_20K), bfl.dataset(X, y, loss, weight=w), rounds)
    builtin_params = {**PARAMS, "objective": kind, "num_threads": THREADS_20K}
    if kind == "multiclass":
        builtin_params["num_class"] = K
    if start == "init_score":
        builtin_set = lgb.Dataset(X, label=y, weight=w, init_score=constant(loss, z0, n))
    else:
        builtin_set = lgb.Dataset(X, label=y, weight=w)
    builtin = lgb.train(builtin_params, builtin_set, rounds)

    raw_ours = bfl.predict_raw(ours, X, init_score=z0)
    raw_builtin = builtin.predict(X, raw_score=True)
    if start == "init_score":
        raw_builtin = raw_builtin + z0
    assert raw_ours.shape == raw_builtin.shape == ((n,) if kind == "binary" else (n, K))
    assert ours.num_trees() == builtin.num_trees() == rounds * (1 if kind == "binary" else K)
    diff = float(np.max(np.abs(raw_ours - raw_builtin)))
    name = f"lightgbm lgb.train gamma=0 vs {kind} ({start}, {'weighted' if weighted else 'unweighted'})"
    print(f"{name}: max |raw difference| = {diff:.3e}")
    record_error(f"{name} max|raw diff|", diff)
    assert diff <= 1e-6


# --------------------------------------------------------------------------------------
# Initial score: what the objective sees first, and what predict leaves out
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_first_round_raw_scores_are_the_init_score(kind: str) -> None:
    X, y = table(kind, 600)
    loss = make_loss(kind, gamma=2.0, alpha=None)
    z0 = loss.init_score(y)

    spy = _FirstScores(bfl.objective(loss))
    lgb.train(params_for(loss, objective=spy), bfl.dataset(X, y, loss), 1)
    np.testing.assert_array_equal(_FirstScores.seen[0], constant(loss, z0, y.shape[0]))

    spy = _FirstScores(bfl.objective(loss))  # a plain Dataset starts a custom objective from 0
    lgb.train(params_for(loss, objective=spy), lgb.Dataset(X, label=y), 1)
    np.testing.assert_array_equal(_FirstScores.seen[0], np.zeros_like(constant(loss, z0, y.shape[0])))


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_predict_raw_adds_the_init_score_lightgbm_leaves_out(kind: str) -> None:
    """A model trained from an init score far from the optimum: LightGBM's own raw prediction is
    the tree sum alone (it pulls away from the init), ``bfl.predict_raw`` adds the init back."""
    X, y = table(kind, 2000)
    n = y.shape[0]
    loss = make_loss(kind, gamma=1.0, alpha=None)
    init = 3.0 if kind == "binary" else np.array([3.0, -1.0, 0.5])
    booster = lgb.train(params_for(loss), bfl.dataset(X, y, loss, init_score=init), 20)

    trees_only = booster.predict(X, raw_score=True)
    raw = bfl.predict_raw(booster, X, init_score=init)
    np.testing.assert_allclose(raw - trees_only, constant(loss, init, n), rtol=0, atol=1e-12)
    # the trees learned to pull the (too high) start back: without the init the margins are off
    train_loss_with_init = loss.loss(y, raw).mean()
    assert train_loss_with_init < loss.loss(y, trees_only).mean()
    if kind == "binary":
        assert trees_only.mean() < -1.0  # LightGBM's raw score is not the model's margin

    proba = bfl.predict_proba(booster, X, loss, init_score=init)
    link = bfl.predict_proba(booster, X, loss, init_score=init, method="link")
    if kind == "binary":
        np.testing.assert_allclose(proba[:, 1], loss.posterior(raw), rtol=0, atol=0)
        np.testing.assert_allclose(proba[:, 0], 1.0 - loss.posterior(raw), rtol=0, atol=0)
        np.testing.assert_allclose(link[:, 1], bf.sigmoid(raw), rtol=0, atol=0)
    else:
        np.testing.assert_allclose(proba, loss.posterior(raw), rtol=0, atol=0)
        np.testing.assert_allclose(link, bf.softmax(raw), rtol=0, atol=0)
    with pytest.raises(ValueError, match="posterior"):
        bfl.predict_proba(booster, X, loss, init_score=init, method="bogus")


# --------------------------------------------------------------------------------------
# Early stopping on the focal metric
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_early_stopping_on_focal_metric(kind: str) -> None:
    """Noisy labels and a high learning rate overfit after a few rounds: early stopping must stop
    at the minimum of the recorded (weighted) validation metric, and every recorded value must be
    the weighted mean focal loss of the raw scores *including* the Dataset's init score."""
    X, y = table(kind, 3000, label_noise=0.2)
    Xt, yt, Xv, yv = split(X, y, 2000)
    wv = sample_weights(yv.shape[0])
    loss = make_loss(kind, gamma=1.0, alpha=0.4 if kind == "binary" else (1.0, 2.0, 0.5))
    z0 = loss.init_score(yt)
    train = bfl.dataset(Xt, yt, loss)
    valid = bfl.dataset(Xv, yv, loss, weight=wv, init_score=z0, reference=train)
    record: dict = {}
    patience = 10
    booster = lgb.train(
        params_for(loss, learning_rate=0.3, num_leaves=31, metric="None"),
        train,
        300,
        valid_sets=[train, valid],
        valid_names=["train", "valid"],
        feval=bfl.metric(loss),
        callbacks=[lgb.record_evaluation(record), lgb.early_stopping(patience, verbose=False)],
        keep_training_booster=True,  # keep every tree so each recorded value can be recomputed
    )
    curve = np.asarray(record["valid"][loss.name])
    best = booster.best_iteration  # 1-based in LightGBM
    assert 1 <= best < len(curve) < 300, "the run should have overfitted and stopped early"
    assert len(curve) == best + patience
    assert best == int(np.argmin(curve)) + 1
    assert booster.best_score["valid"][loss.name] == curve[best - 1]

    # LightGBM keeps weights as float32: the metric sees those, so compare with them.
    assert valid.get_weight().dtype == np.float32
    w32 = valid.get_weight().astype(np.float64)
    np.testing.assert_allclose(w32, wv, rtol=1e-7)
    for i in sorted({1, 2, best, len(curve)}):
        raw = bfl.predict_raw(booster, Xv, init_score=z0, num_iteration=i)
        expected = np.sum(loss.loss(yv, raw) * w32) / np.sum(w32)
        assert curve[i - 1] == pytest.approx(expected, rel=1e-12)
        # the weights matter, and the init score is part of what the metric saw
        assert abs(loss.loss(yv, raw).mean() - expected) > 1e-6
        assert abs(np.sum(loss.loss(yv, raw - constant(loss, z0, yv.shape[0])) * w32) / np.sum(w32) - expected) > 1e-3
    train_curve = np.asarray(record["train"][loss.name])
    raw_train = bfl.predict_raw(booster, Xt, init_score=z0, num_iteration=len(curve))
    assert train_curve[-1] == pytest.approx(loss.loss(yt, raw_train).mean(), rel=1e-12)
    assert train_curve[-1] < train_curve[0]


# --------------------------------------------------------------------------------------
# Rare positives: the optimal initial score and the default Hessian policy
# --------------------------------------------------------------------------------------


def test_rare_positives_train_stably_from_the_optimal_init(record_error) -> None:
    X, y = rare_table()
    Xt, yt, Xv, yv = split(X, y, 14_000)
    assert 0.005 < yt.mean() < 0.02 and yv.sum() > 20
    loss = bf.BinaryFocalLoss(gamma=2.0)  # alpha = 0.25, hessian = "bounded" (the defaults)
    assert loss.hessian == "bounded"
    z0 = loss.init_score(yt)
    assert z0 < -1.0

    # the default policy never hands LightGBM a non-positive Hessian, even where the exact one is
    # negative (positives with a margin below about -2.8)
    for margin in (z0, -4.0, -8.0):
        g, h = bfl.objective(loss)(yt, np.full(yt.shape[0], margin))
        assert np.all(np.isfinite(g)) and np.all(h > 0)
    exact = bfl.objective(bf.BinaryFocalLoss(gamma=2.0, hessian="exact"))
    assert np.all(exact(yt, np.full(yt.shape[0], -4.0))[1][yt == 1] < 0)

    curves = {}
    for label, init in (("optimal", z0), ("zero", 0.0)):
        train = bfl.dataset(Xt, yt, loss, init_score=init)
        valid = bfl.dataset(Xv, yv, loss, init_score=init, reference=train)
        record: dict = {}
        booster = lgb.train(
            params_for(loss, metric="None", num_threads=THREADS_20K),
            train,
            20,
            valid_sets=[valid],
            valid_names=["valid"],
            feval=bfl.metric(loss),
            callbacks=[lgb.record_evaluation(record)],
        )
        raw = bfl.predict_raw(booster, Xv, init_score=init)
        leaves = leaf_values(booster)
        assert np.all(np.isfinite(raw)) and np.all(np.isfinite(leaves))
        assert np.max(np.abs(leaves)) < 5.0, f"exploding leaf values from the {label} start"
        curves[label] = np.asarray(record["valid"][loss.name])
        assert curves[label].shape == (20,) and np.all(np.isfinite(curves[label]))
        record_error(f"lightgbm 1% positives focal gamma=2 max|leaf| ({label} init)", np.max(np.abs(leaves)))
    print("lightgbm 1% positives, validation focal loss (optimal vs zero init):")
    print("  optimal:", np.array2string(curves["optimal"][[0, 4, 9, 19]], precision=5))
    print("  zero:   ", np.array2string(curves["zero"][[0, 4, 9, 19]], precision=5))
    assert np.all(curves["optimal"] < curves["zero"]), "the optimal start must win in each of the first 20 rounds"
    assert curves["optimal"][-1] < curves["optimal"][0]


# --------------------------------------------------------------------------------------
# Bad input: clear errors before (or instead of) a crash inside the engine
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["objective", "metric"])
def test_wrong_number_of_predictions_names_both_shapes(which: str) -> None:
    factory = bfl.objective if which == "objective" else bfl.metric
    y2 = binary_table(50)[1]
    with pytest.raises(ValueError, match=r"\(53,\).*50 labels.*\(50,\)"):
        factory(bf.BinaryFocalLoss())(y2, np.zeros(53))
    y3 = multiclass_table(50)[1]
    with pytest.raises(ValueError, match=r"\(47, 3\).*50 labels.*\(50, 3\)"):
        factory(make_loss("multiclass"))(y3, np.zeros((47, K)))
    # same through the (preds, Dataset) calling convention of lgb.train
    data = lgb.Dataset(binary_table(50)[0], label=y2).construct()
    with pytest.raises(ValueError, match=r"\(49,\).*\(50,\)"):
        factory(bf.BinaryFocalLoss())(np.zeros(49), data)


def test_multiclass_loss_on_a_binary_booster_is_a_clear_error() -> None:
    X, y = multiclass_table(300)
    loss = make_loss("multiclass", gamma=2.0)
    params = {**PARAMS, "objective": bfl.objective(loss)}  # num_class forgotten
    with pytest.raises(ValueError, match=r"\(300,\).*\(300, 3\).*num_class=3"):
        lgb.train(params, lgb.Dataset(X, label=y), 2)


def test_binary_loss_on_a_multiclass_booster_is_a_clear_error() -> None:
    X, y = binary_table(300)
    params = {**PARAMS, "objective": bfl.objective(bf.BinaryFocalLoss()), "num_class": 3}
    with pytest.raises(ValueError, match=r"\(300, 3\).*\(300,\)"):
        lgb.train(params, lgb.Dataset(X, label=y), 2)


@pytest.mark.parametrize("case", ["multiclass loss, no num_class", "binary loss, num_class=3"])
def test_shape_mismatch_is_a_clear_error_with_the_helper_dataset(case: str) -> None:
    """The documented path (``bfl.dataset`` + ``bfl.objective``) with a forgotten/extra num_class.

    ``bfl.dataset`` stores an ``(n, K)`` (or ``(n,)``) init_score, which LightGBM would reject
    when the booster is created, before the objective runs, with ``LightGBMError: Number of class
    for initial score error``; the Dataset checks num_class first.
    """
    if case.startswith("multiclass"):
        X, y = multiclass_table(300)
        loss = make_loss("multiclass", gamma=2.0)
        params = {**PARAMS, "objective": bfl.objective(loss)}
    else:
        X, y = binary_table(300)
        loss = bf.BinaryFocalLoss()
        params = {**PARAMS, "objective": bfl.objective(loss), "num_class": 3}
    with pytest.raises(ValueError, match=r"num_class"):
        lgb.train(params, bfl.dataset(X, y, loss), 2)


def test_helper_dataset_constructed_ahead_of_training_still_trains() -> None:
    """Constructing the Dataset on its own (no training parameters yet) is not a num_class error."""
    X, y = multiclass_table(300)
    loss = make_loss("multiclass", gamma=2.0)
    train = bfl.dataset(X, y, loss, free_raw_data=False).construct()
    valid = bfl.dataset(X, y, loss, reference=train).construct()
    params = {**PARAMS, "objective": bfl.objective(loss), "num_class": loss.num_outputs}
    booster = lgb.train(params, train, 2, valid_sets=[valid])
    assert booster.current_iteration() == 2


@pytest.mark.parametrize("not_a_loss", ["focal_loss", None, bf.BinaryFocalLoss, lambda y, p: (p, p), 2.0])
def test_objective_and_metric_require_a_boostfocal_loss(not_a_loss: object) -> None:
    with pytest.raises(TypeError, match="boostfocal loss"):
        bfl.objective(not_a_loss)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="boostfocal loss"):
        bfl.metric(not_a_loss)  # type: ignore[arg-type]


def test_labels_outside_the_loss_are_a_clear_error() -> None:
    X, y = multiclass_table(200)
    with pytest.raises(ValueError, match="only 0 and 1"):
        lgb.train({**PARAMS, "objective": bfl.objective(bf.BinaryFocalLoss())}, lgb.Dataset(X, label=y), 1)


# --------------------------------------------------------------------------------------
# Pickling, and one object for lgb.train and LGBMClassifier
# --------------------------------------------------------------------------------------


def _picklers() -> list:
    out = [pytest.param(pickle, id="pickle")]
    try:
        import cloudpickle
    except ImportError:  # pragma: no cover - cloudpickle is optional
        out.append(pytest.param(None, id="cloudpickle", marks=pytest.mark.skip(reason="cloudpickle not installed")))
    else:
        out.append(pytest.param(cloudpickle, id="cloudpickle"))
    return out


@pytest.mark.parametrize("pickler", _picklers())
@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_objective_and_metric_pickle_and_keep_working(kind: str, pickler) -> None:
    X, y = table(kind, 800)
    w = sample_weights(800)
    loss = make_loss(kind, gamma=2.0, alpha=0.3 if kind == "binary" else (0.5, 1.0, 2.0))
    obj, met = bfl.objective(loss), bfl.metric(loss)
    raw = np.random.default_rng(5).normal(size=(800,) if kind == "binary" else (800, K))
    g0, h0 = obj(y, raw, w)  # fills the label cache: it must not travel
    m0 = met(y, raw, w)

    obj2, met2 = pickler.loads(pickler.dumps(obj)), pickler.loads(pickler.dumps(met))
    assert obj2 == obj and met2 == met and obj2.loss == loss
    assert type(obj2) is type(obj) and type(met2) is type(met)
    assert obj2._cache == []
    g1, h1 = obj2(y, raw, w)
    np.testing.assert_array_equal(g1, g0)
    np.testing.assert_array_equal(h1, h0)
    assert met2(y, raw, w) == m0
    assert m0[0] == loss.name and m0[2] is False
    assert m0[1] == pytest.approx(np.average(loss.loss(y, raw), weights=w), rel=1e-12)

    a = lgb.train(params_for(loss, objective=obj), bfl.dataset(X, y, loss, weight=w), 10)
    b = lgb.train(params_for(loss, objective=obj2), bfl.dataset(X, y, loss, weight=w), 10)
    np.testing.assert_array_equal(a.predict(X, raw_score=True), b.predict(X, raw_score=True))


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_one_objective_serves_lgb_train_and_lgbmclassifier_with_weights(kind: str) -> None:
    """``LGBMClassifier(objective=obj)`` calls ``obj(y_true, y_pred, weight)`` (three parameters, so
    LightGBM passes the weights): same model as ``lgb.train`` on a weighted Dataset, not the
    unweighted one.  ``eval_metric=bfl.metric(loss)`` reports the weighted mean on raw scores."""
    X, y = table(kind, 3000)
    n = y.shape[0]
    w = sample_weights(n)
    loss = make_loss(kind, gamma=2.0, alpha=0.3 if kind == "binary" else (1.0, 2.0, 0.5))
    obj, met = bfl.objective(loss), bfl.metric(loss)
    z0 = loss.init_score(y, w)
    init = constant(loss, z0, n)
    est = lgb.LGBMClassifier(
        objective=obj,
        n_estimators=25,
        num_leaves=15,
        learning_rate=0.1,
        n_jobs=1,
        random_state=0,
        deterministic=True,
        force_row_wise=True,
        verbose=-1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # eval_set is deprecated in LightGBM 4.7
        est.fit(
            X,
            y,
            sample_weight=w,
            init_score=init,
            eval_set=[(X, y)],
            eval_sample_weight=[w],
            eval_init_score=[init],
            eval_metric=met,
        )
    weighted = lgb.train(params_for(loss, objective=obj), bfl.dataset(X, y, loss, weight=w), 25)
    unweighted = lgb.train(params_for(loss, objective=obj), bfl.dataset(X, y, loss, init_score=z0), 25)
    raw_est = est.predict(X, raw_score=True)
    np.testing.assert_array_equal(raw_est, weighted.predict(X, raw_score=True))
    assert np.max(np.abs(raw_est - unweighted.predict(X, raw_score=True))) > 1e-3

    assert list(est.evals_result_) == ["training"]  # LightGBM names an eval set equal to the training set so
    curve = est.evals_result_["training"][loss.name]
    w32 = w.astype(np.float32).astype(np.float64)
    expected = np.sum(loss.loss(y, raw_est + init) * w32) / np.sum(w32)
    assert curve[-1] == pytest.approx(expected, rel=1e-12)


def test_estimator_takes_eval_X_and_eval_y_on_every_supported_lightgbm() -> None:
    """README's spelling, ``fit(..., eval_X=..., eval_y=...)``: no deprecation warning (LightGBM 4.7
    deprecates ``eval_set``), and on LightGBM < 4.7, which has no ``eval_X``, the same model as
    ``eval_set``: the same best iteration, history and probabilities (string labels, encoded)."""
    X, y = binary_table(3_000)
    labels = np.array(["legit", "fraud"])[y.astype(int)]
    Xt, yt, Xv, yv = X[:2_000], labels[:2_000], X[2_000:], labels[2_000:]

    def fit(**kwargs: object) -> bf.FocalLGBMClassifier:
        est = bf.FocalLGBMClassifier(n_estimators=200, learning_rate=0.3, num_leaves=7, verbose=-1, n_jobs=1)
        return est.fit(Xt, yt, callbacks=[lgb.early_stopping(5, verbose=False)], **kwargs)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        new = fit(eval_X=Xv, eval_y=yv)
    assert not [w for w in caught if "deprecated" in str(w.message)], [str(w.message) for w in caught]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = fit(eval_set=[(Xv, yv)])
    assert 1 < new.best_iteration_ < 200
    assert new.best_iteration_ == old.best_iteration_
    assert new.evals_result_ == old.evals_result_
    np.testing.assert_array_equal(new.predict_proba(Xv), old.predict_proba(Xv))
