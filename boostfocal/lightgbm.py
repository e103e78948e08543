"""LightGBM adapters: objective, eval metric, Dataset with the initial score, and an estimator.

Usage::

    import lightgbm as lgb
    import boostfocal as bf
    from boostfocal import lightgbm as bfl

    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
    train = bfl.dataset(X, y, loss)                       # init_score = loss.init_score(y)
    booster = lgb.train({"objective": bfl.objective(loss)}, train, feval=bfl.metric(loss))
    bfl.embed_init_score(booster, loss, loss.init_score(y))   # the booster now gives the full margin
    proba = bfl.predict_proba(booster, X_test, loss)

LightGBM never adds a Dataset's ``init_score`` back at predict time.  :func:`embed_init_score`
adds it to the leaves of the first iteration's trees, so that every reader of the booster (its
``predict``, ``pred_contrib``, SHAP, its model file, continued training with ``init_model``) sees
the full margin; :class:`FocalLGBMClassifier` does so at the end of ``fit``.  A booster that does
not carry it needs ``init_score=`` in :func:`predict_proba`.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.utils.validation import check_is_fitted

from ._adapter import (
    LGB_CARRIED_ATTR,
    _LossAdapter,
    carried_init_score,
    check_booster_loss,
    check_engine_metrics,
    check_loss,
    check_multilabel_target,
    constant_margin,
    decision_function_of,
    eval_margins,
    eval_xy_as_eval_set,
    fit_or_restore,
    init_row,
    init_to_add,
    is_multilabel_target,
    margins_to_proba,
    metric_names,
    predict_label_of,
    predict_proba_of,
    prepare_fit,
    start_booster,
)
from .losses import IndependentOutputs, Loss, MultilabelFocalLoss

__all__ = [
    "FocalLGBMClassifier",
    "MultilabelBooster",
    "dataset",
    "embed_init_score",
    "metric",
    "objective",
    "predict_proba",
    "predict_raw",
    "train_multilabel",
]


def hessian_scale(loss: Loss) -> float:
    """LightGBM's multiclass Hessian convention: its ``multiclass`` objective uses ``K/(K-1) p(1-p)``.

    Following it makes ``gamma = 0`` reproduce the built-in objective exactly (tested).
    """
    return loss.kind.hessian_scale("lightgbm")


class _Objective(_LossAdapter):
    """Objective for ``lgb.train`` (called ``(preds, Dataset)``) and ``LGBMClassifier``/Dask
    estimators (called ``(y_true, y_pred, weight)``): the same object serves both."""

    def __call__(self, a: Any, b: Any, weight: Any = None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if isinstance(b, lgb.Dataset):
            preds, data = a, b
            y, weight = data.get_label(), data.get_weight()
        else:
            y, preds = a, b
        return self._grad_hess(y, preds, weight, hessian_scale(self.loss))


class _Metric(_LossAdapter):
    """Weighted mean loss on raw scores: ``feval`` of ``lgb.train`` and ``eval_metric`` of the
    estimators.  Returns ``(loss.name, value, False)`` (lower is better)."""

    _what = "metric"

    def __call__(self, a: Any, b: Any, weight: Any = None) -> tuple[str, float, bool]:
        if isinstance(b, lgb.Dataset):
            preds, data = a, b
            y, weight = data.get_label(), data.get_weight()
        else:
            y, preds = a, b
        return self.loss.name, self._mean_loss(y, preds, weight), False


def _single_output(loss: Loss) -> Loss:
    """LightGBM has no multi-output trees: a multilabel loss is trained one booster per label."""
    check_loss(loss)
    if isinstance(loss.kind, IndependentOutputs):
        raise ValueError(
            f"{loss!r} is a multilabel loss, and LightGBM has no multi-output trees: train it with "
            "bfl.train_multilabel(params, X, Y, loss) (one booster per label, each with loss.binary_loss(l)) "
            "or FocalLGBMClassifier on the 2-D Y"
        )
    return loss


def objective(loss: Loss) -> _Objective:
    """A LightGBM objective computing ``loss.grad_hess`` on the engine's raw scores.

    Per row it returns ``g_i = w_i dL(y_i, z_i)/dz_i`` and ``h_i = w_i d2L(y_i, z_i)/dz_i^2`` (under
    the loss's Hessian policy), the formulas of the loss's class docstring.

    Pass it as ``params={"objective": objective(loss)}`` to ``lgb.train`` or as ``objective=`` to
    ``LGBMClassifier`` / ``lightgbm.dask`` estimators.  Labels and sample weights are read from
    the Dataset; multiclass Hessians follow LightGBM's ``K/(K-1)`` convention.  Set
    ``num_class=K`` in the parameters for a multiclass loss.  A multilabel loss is refused: see
    :func:`train_multilabel`.
    """
    return _Objective(_single_output(loss))


def metric(loss: Loss) -> _Metric:
    """A LightGBM eval metric: ``sum_i w_i L(y_i, z_i) / sum_i w_i`` on raw scores (early-stop on it)."""
    return _Metric(_single_output(loss))


_OBJECTIVE_KEYS = ("objective", "objective_type", "app", "application", "loss")
_NUM_CLASS_KEYS = ("num_class", "num_classes")
_METRIC_KEYS = ("metric", "metrics", "metric_types")
#: LightGBM's built-in metrics that rank a binary model's scores (valid on focal margins).
RANK_METRICS = ("auc", "average_precision")


def _check_metrics(loss: Loss, params: dict[str, Any]) -> None:
    """Refuse LightGBM's built-in metrics that it would compute on raw focal margins
    (:func:`boostfocal._adapter.check_engine_metrics`)."""
    for key in _METRIC_KEYS:
        check_engine_metrics(
            loss, metric_names(params.get(key)), rank_metrics=RANK_METRICS, param=key, engine="LightGBM"
        )


def _check_num_class(loss: Loss, params: dict[str, Any] | None) -> None:
    """Raise a clear ValueError when the booster's ``num_class`` does not fit the loss.

    Acts only once LightGBM has merged the training parameters, objective included, into the
    Dataset's (``lgb.train`` does so before building the booster; it replaces a callable objective
    by ``"none"``), not when a Dataset is constructed on its own.
    """
    if not params or not any(key in params for key in _OBJECTIVE_KEYS):
        return
    num_class = next((params[key] for key in _NUM_CLASS_KEYS if key in params), 1)
    expected = loss.num_outputs
    if int(num_class) != expected:
        raise ValueError(
            f"the Dataset's init_score was made for {loss!r} ({expected} raw score(s) per row), but the "
            f"parameters have num_class={num_class}; "
            + (f"set num_class={expected}" if loss.kind.vector else "leave num_class unset for a binary loss")
        )


class _Dataset(lgb.Dataset):
    """The ``lgb.Dataset`` :func:`dataset` returns: when LightGBM constructs it for training, it
    first checks the parameters' ``num_class`` against the loss its init score was made for
    (LightGBM would otherwise fail with "Number of class for initial score error"), and, under a
    custom objective, refuses the parameters' built-in metrics that LightGBM would compute on raw
    focal margins (``binary_logloss``, ``multi_logloss``, ``binary_error``, ...; binary ``auc`` and
    ``average_precision`` rank the margins and are accepted)."""

    def __init__(self, *args: Any, bf_loss: Loss, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bf_loss = bf_loss

    def construct(self) -> lgb.Dataset:
        _check_num_class(self._bf_loss, self.params)
        params = self.params or {}
        objective_value = next((params[key] for key in _OBJECTIVE_KEYS if key in params), None)
        if objective_value == "none" or isinstance(objective_value, _Objective):  # a custom objective
            _check_metrics(self._bf_loss, params)
        return super().construct()


def dataset(
    X: Any,
    y: ArrayLike,
    loss: Loss,
    *,
    weight: ArrayLike | None = None,
    init_score: float | ArrayLike | None = None,
    reference: lgb.Dataset | None = None,
    **kwargs: Any,
) -> lgb.Dataset:
    """An ``lgb.Dataset`` whose ``init_score`` is the loss-minimising constant.

    ``init_score`` defaults to ``loss.init_score(y, weight)``, the constant
    ``z0 = argmin_c sum_i w_i L(y_i, c)``; pass the training set's value for
    a validation set (``reference=train``) so both start from the same constant.  The labels and
    weights are checked here, as the loss checks them (a plain ``lgb.Dataset`` turns NaN labels
    into 0 before any objective sees them).  Trained with ``objective(loss)``, the parameters'
    ``num_class`` is checked against the loss (a clear ``ValueError`` instead of LightGBM's own
    error), and a built-in ``metric`` LightGBM would compute on raw margins is refused.  A
    multilabel loss is refused: see :func:`train_multilabel`.
    """
    _single_output(loss)
    if init_score is None:
        value = loss.init_score(y, weight)
    else:
        loss._prepare(y, weight, weight_name="weight")  # labels checked here: LightGBM turns NaN into 0
        value = init_score
    n = np.shape(y)[0]
    return _Dataset(
        X,
        label=y,
        weight=weight,
        init_score=constant_margin(loss, value, n),
        reference=reference,
        bf_loss=loss,
        **kwargs,
    )


def embed_init_score(booster: lgb.Booster, loss: Loss, init_score: float | ArrayLike) -> lgb.Booster:
    """Put the constant initial raw score ``init_score`` inside ``booster`` (in place; returns it).

    ``z0_k`` (``init_score``, ``K`` values for a multiclass loss) is added to every leaf output of
    the first iteration's tree of class ``k`` (``Booster.set_leaf_output``): every row passes
    through exactly one leaf of that tree, so the booster's raw score becomes
    ``raw(x) = z0 + Σ_t f_t(x)``, the margin it was trained on.  From then on ``booster.predict(X,
    raw_score=True)``, ``pred_contrib`` (bias column included), ``shap.TreeExplainer``, continued
    training with ``init_model=booster`` and the model text all include it, and
    :func:`predict_proba` / :func:`boostfocal.save_model` need no ``init_score``.  Call it once,
    after ``lgb.train`` with a Dataset from :func:`dataset`; a second call with the same value
    changes nothing, with another value raises ``ValueError``.  The booster is marked in memory
    (``boostfocal._adapter.carried_init_score``); ``copy.deepcopy`` and ``model_to_string``
    lose the mark (save it with :func:`boostfocal.save_model`, whose file keeps it).
    """
    check_loss(loss)
    if not isinstance(booster, lgb.Booster):
        raise TypeError(f"booster must be an lgb.Booster, got {type(booster).__name__}")
    check_booster_loss(loss, "lightgbm", booster)
    if init_to_add(booster, init_score) is None:
        return booster  # already carried (the same value)
    try:
        row = init_row(loss, init_score)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"init_score: {exc}") from None
    if not np.all(np.isfinite(row)):
        raise ValueError(f"init_score must be finite, got {init_score!r}")
    k = loss.num_outputs
    if booster.num_trees() < k:
        raise ValueError("the booster has no trees yet: train it before embedding its initial score")
    trees = booster.dump_model(num_iteration=1)["tree_info"]
    for tree in trees[:k]:
        index = int(tree["tree_index"])
        for leaf in range(int(tree["num_leaves"])):
            booster.set_leaf_output(index, leaf, booster.get_leaf_output(index, leaf) + float(row[index]))
    setattr(booster, LGB_CARRIED_ATTR, [float(v) for v in row] if loss.is_multiclass else float(row[0]))
    return booster


def predict_raw(
    booster: lgb.Booster, X: Any, *, init_score: float | ArrayLike | None = None, **predict_kwargs: Any
) -> NDArray[np.float64]:
    """``booster.predict(X, raw_score=True)`` plus the constant ``init_score`` it was trained from:

        z(x) = init_score + sum_t f_t(x)

    A booster that carries its initial score (:func:`embed_init_score`) already gives the full
    margin: leave ``init_score`` out (the same value is accepted; another raises ``ValueError``).
    """
    raw = np.asarray(booster.predict(X, raw_score=True, **predict_kwargs), dtype=np.float64)
    value = init_to_add(booster, init_score)
    return raw if value is None else raw + np.asarray(value, dtype=np.float64)


def predict_proba(
    booster: lgb.Booster,
    X: Any,
    loss: Loss,
    *,
    init_score: float | ArrayLike | None = None,
    method: str = "posterior",
    **predict_kwargs: Any,
) -> NDArray[np.float64]:
    """Class probabilities ``(n, n_classes)`` from a booster trained with ``objective(loss)``.

    ``init_score`` is required unless the booster carries it (:func:`embed_init_score`): use
    ``0.0`` if training started from zero; LightGBM does not add it back itself.
    ``method="posterior"`` (default) recovers the class posterior from focal margins
    (``loss.posterior``); ``"link"`` is the plain sigmoid/softmax.
    """
    check_loss(loss)
    check_booster_loss(loss, "lightgbm", booster)
    raw = predict_raw(booster, X, init_score=init_score, **predict_kwargs)
    return margins_to_proba(loss, raw, method)


# --- multilabel: one booster per label ---------------------------------------------------------


def _check_multilabel_loss(loss: Any) -> MultilabelFocalLoss:
    if not isinstance(loss, MultilabelFocalLoss):
        raise TypeError(
            f"loss must be a boostfocal multilabel loss (bf.MultilabelFocalLoss(L)), got {type(loss).__name__}"
        )
    return loss


class MultilabelBooster:
    """``L`` LightGBM boosters, one per label, read as one multilabel model.

    LightGBM has no multi-output trees, so a multilabel focal model
    (:class:`boostfocal.MultilabelFocalLoss`) is one binary booster per label: booster ``l`` trained with
    ``loss.binary_loss(l)`` on the column ``Y[:, l]``, carrying that label's initial score in its
    first tree (:func:`embed_init_score`).  Made by :func:`train_multilabel` and by
    :class:`FocalLGBMClassifier` fitted on a 2-D ``y`` (its ``booster_``).

    ``predict`` takes ``lgb.Booster.predict``'s arguments and stacks the boosters' outputs along
    the columns (raw scores ``(n, L)``; ``pred_contrib``: ``L`` blocks of ``n_features + 1``
    columns, as LightGBM lays out a multiclass model; ``pred_leaf``: ``L`` blocks of leaf
    indices).  :meth:`predict_raw` gives the full margins ``z0_l + sum_t f_lt(x)`` and
    :meth:`predict_proba` the recovered posterior of each label, ``(n, L)``.  Each booster is a
    plain ``lgb.Booster`` (``boosters[l]``); the object pickles.
    """

    def __init__(self, boosters: Sequence[lgb.Booster], loss: MultilabelFocalLoss) -> None:
        loss = _check_multilabel_loss(loss)
        boosters = list(boosters)
        if len(boosters) != loss.num_labels or not all(isinstance(b, lgb.Booster) for b in boosters):
            raise ValueError(f"boosters must be {loss.num_labels} lgb.Booster objects (one per label of {loss!r})")
        for label, booster in enumerate(boosters):
            check_booster_loss(loss.binary_loss(label), "lightgbm", booster)
            if carried_init_score(booster) is None:
                raise ValueError(
                    f"boosters[{label}] does not carry its initial score: call "
                    f"embed_init_score(booster, loss.binary_loss({label}), init_score[{label}]) first"
                )
        self.boosters = boosters
        self.loss = loss

    def __repr__(self) -> str:
        return f"MultilabelBooster({self.loss!r}, {len(self.boosters)} boosters)"

    @property
    def num_labels(self) -> int:
        """``L``, the number of labels (and boosters)."""
        return len(self.boosters)

    @property
    def init_score(self) -> NDArray[np.float64]:
        """The initial score each booster carries, ``(L,)``."""
        return np.array([carried_init_score(b) for b in self.boosters], dtype=np.float64)

    @property
    def best_iteration(self) -> list[int]:
        """Each booster's best iteration (``-1`` or ``0`` without early stopping)."""
        return [int(b.best_iteration) for b in self.boosters]

    def predict(self, X: Any, **kwargs: Any) -> Any:
        """Every booster's ``predict(X, **kwargs)``, stacked as columns (``(n, L)`` for scores)."""
        outs = [np.asarray(b.predict(X, **kwargs)) for b in self.boosters]
        return np.column_stack([o.reshape(o.shape[0], -1) for o in outs])

    def predict_raw(self, X: Any, **kwargs: Any) -> NDArray[np.float64]:
        """Raw margins ``(n, L)``, each label's initial score included."""
        return np.asarray(self.predict(X, raw_score=True, **kwargs), dtype=np.float64)

    def predict_proba(self, X: Any, *, method: str = "posterior", **kwargs: Any) -> NDArray[np.float64]:
        """``P(y_l = 1 | x)`` of every label, ``(n, L)``: ``loss.posterior`` of the raw margins
        (``method="link"``: the plain sigmoid)."""
        return margins_to_proba(self.loss, self.predict_raw(X, **kwargs), method)

    def feature_importance(self, importance_type: str = "split", iteration: int | None = None) -> NDArray[Any]:
        """The boosters' feature importances, summed over labels."""
        return np.sum([b.feature_importance(importance_type=importance_type, iteration=iteration)
                       for b in self.boosters], axis=0)  # fmt: skip

    def num_feature(self) -> int:
        """The number of features the boosters were trained on."""
        return int(self.boosters[0].num_feature())

    def feature_name(self) -> list[str]:
        """The boosters' feature names."""
        return list(self.boosters[0].feature_name())

    def num_trees(self) -> int:
        """Trees in all the boosters together."""
        return sum(int(b.num_trees()) for b in self.boosters)

    @property
    def params(self) -> dict[str, Any]:
        """The first booster's ``params`` (the boosters share them but for the objective's ``alpha``)."""
        return dict(self.boosters[0].params)

    def dump_model(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The boosters' ``lgb.Booster.dump_model(*args, **kwargs)`` as one: the first booster's
        header, and in ``tree_info`` the trees of booster 0, then 1, ... (``tree_index`` counted
        in that order, ``label`` added).  With :meth:`predict`'s ``pred_contrib=True`` (one block
        of ``n_features + 1`` columns per label) it is what ``shap.TreeExplainer`` reads, so SHAP
        explains each label's full margin."""
        dumps = [b.dump_model(*args, **kwargs) for b in self.boosters]
        trees = [{**tree, "label": label} for label, dump in enumerate(dumps) for tree in dump["tree_info"]]
        return {**dumps[0], "tree_info": [{**tree, "tree_index": i} for i, tree in enumerate(trees)]}


def _pairs(valid_sets: Any) -> list[tuple[Any, ...]]:
    if valid_sets is None:
        return []
    if isinstance(valid_sets, tuple):
        valid_sets = [valid_sets]
    out = []
    for item in valid_sets:
        if not isinstance(item, tuple) or len(item) not in (2, 3):
            raise TypeError("valid_sets must be a list of (X, Y) or (X, Y, weight) tuples")
        out.append(item)
    return out


def train_multilabel(
    params: dict[str, Any],
    X: Any,
    Y: ArrayLike,
    loss: MultilabelFocalLoss,
    num_boost_round: int = 100,
    *,
    weight: ArrayLike | None = None,
    valid_sets: Any = None,
    valid_names: Sequence[str] | None = None,
    callbacks: list[Any] | None = None,
    **train_kwargs: Any,
) -> MultilabelBooster:
    """Train a multilabel focal model on LightGBM: one ``lgb.train`` per label.

    Booster ``l`` trains on ``Y[:, l]`` with ``objective(loss.binary_loss(l))``, the metric
    :func:`metric` of that loss on every validation set, and its own initial score
    ``loss.init_score(Y, weight)[l]`` (the binary one of the column), which it carries afterwards
    (:func:`embed_init_score`).  Since the labels do not interact in the loss, this is the
    multilabel focal loss itself (with ``gamma = 0`` and ``alpha = None``, LightGBM's ``binary``
    per label).

    ``params``: ``lgb.train`` parameters (no ``objective``); ``valid_sets``: ``(X, Y)`` or
    ``(X, Y, weight)`` tuples with an ``(n, L)`` ``Y``; ``callbacks`` (e.g. ``lgb.early_stopping``)
    apply to each booster in turn, so early stopping stops each label at its own best iteration.
    Other keyword arguments go to ``lgb.train``.  Returns a :class:`MultilabelBooster`.
    """
    loss = _check_multilabel_loss(loss)
    if any(key in params for key in _OBJECTIVE_KEYS):
        raise ValueError("params must not set the objective: train_multilabel trains with the focal loss")
    labels = check_multilabel_target(Y, loss.num_labels, "Y")
    init = loss.init_score(labels, weight)  # checks every column and the weights, before training
    valid = [
        (vx, check_multilabel_target(vy, loss.num_labels, "valid_sets Y"), *rest)
        for vx, vy, *rest in _pairs(valid_sets)
    ]
    boosters = []
    for label in range(loss.num_labels):
        binary = loss.binary_loss(label)
        train = dataset(X, labels[:, label], binary, weight=weight, init_score=init[label])
        sets = [
            dataset(vx, vy[:, label], binary, weight=rest[0] if rest else None, init_score=init[label], reference=train)
            for vx, vy, *rest in valid
        ]
        booster = lgb.train(
            {**params, "objective": objective(binary)},
            train,
            num_boost_round=num_boost_round,
            valid_sets=sets or None,
            valid_names=list(valid_names) if valid_names is not None else None,
            feval=metric(binary),
            callbacks=callbacks,
            **train_kwargs,
        )
        boosters.append(embed_init_score(booster, binary, init[label]))
    return MultilabelBooster(boosters, loss)


_OWN_PARAMS = ("gamma", "alpha", "hessian", "probability")


def _with_bias(block: Any, init: NDArray[np.float64]) -> Any:
    """Contributions ``block`` (dense or scipy sparse, ``len(init)`` blocks of columns, each ending
    with its bias column) with ``init[k]`` added to the bias column of block ``k``."""
    k = init.shape[0]
    width = block.shape[1] // k
    cols = np.arange(1, k + 1) * width - 1
    if isinstance(block, np.ndarray):
        out = np.array(block, dtype=np.float64)
        out[:, cols] += init
        return out
    import scipy.sparse as sp

    n = block.shape[0]
    rows = np.repeat(np.arange(n), k)
    bias = sp.csr_matrix((np.tile(init, n), (rows, np.tile(cols, n))), shape=block.shape)
    return (block + bias).asformat(block.format)


class FocalLGBMClassifier(lgb.LGBMClassifier):
    """``LGBMClassifier`` trained with focal loss, from the optimal initial score.

    Parameters
    ----------
    gamma : float in [0, 1000], default 2.0
        Focusing parameter of the focal loss; ``0`` gives (alpha-weighted) cross-entropy.
    alpha : None, float in (0, 1), sequence of per-class weights, or "balanced", default None
        Class weights (binary: weight of ``classes_[1]``).  ``"balanced"`` uses
        :func:`boostfocal.balanced_alpha` on the training labels.
    hessian : str, default "bounded"
        Hessian policy, see :class:`boostfocal.BinaryFocalLoss`.
    probability : {"posterior", "link"}, default "posterior"
        What ``predict_proba`` returns: the recovered class posterior, or the plain
        sigmoid/softmax of the margin (not calibrated for ``gamma > 0``).
    **kwargs
        Any ``LGBMClassifier`` parameter (``n_estimators``, ``learning_rate``, ...), except
        ``objective``.

    Binary or multiclass is chosen from the labels, which may be any values (``classes_``).

    **Multilabel**: ``fit`` on a 2-D 0/1 ``y`` of ``L >= 2`` columns trains
    :class:`~boostfocal.MultilabelFocalLoss` (``loss_``): one binary focal booster per label
    (``loss_.binary_loss(l)``, the same parameters, each with its own initial score inside it;
    ``booster_`` is their :class:`MultilabelBooster`).  ``alpha``: one float, ``L`` floats or
    ``"balanced"`` (per label, with ``sample_weight``); ``class_weight``, ``init_score``,
    ``eval_init_score`` and ``init_model`` are refused.  ``predict`` returns the ``(n, L)`` 0/1
    indicator matrix (posterior > 1/2), ``predict_proba`` the ``(n, L)`` posteriors as one array
    (as ``OneVsRestClassifier`` and ``MLPClassifier`` do; not the list of ``L`` ``(n, 2)`` arrays of
    scikit-learn's multi-output forests), ``decision_function`` their log-odds; ``classes_`` is
    ``0..L-1`` and ``n_classes_`` 2 (the classes of each label).  Early stopping callbacks stop each
    label at its own best iteration (``best_iteration_``: one per label; ``evals_result_`` by label).
    ``fit`` computes ``init_score_`` (the loss-minimising constant) unless ``init_score`` is given,
    reports :func:`metric` on ``eval_set`` (or ``eval_X``/``eval_y``) so early stopping works on the
    focal loss, and puts ``init_score_`` into the leaves of the booster's first trees
    (:func:`embed_init_score`): ``booster_.predict(X, raw_score=True)``, SHAP and the model file give
    the full margin.  Fitted attributes: ``loss_``, ``init_score_``, ``classes_``, ``booster_``.

    Predictions, with ``raw = predict_raw(X) = booster margin + init_score_``:
    ``predict_proba(X) = loss_.posterior(raw)`` (Charoenphakdee et al., 2021; ``loss_.link(raw)``
    with ``probability="link"``), ``predict(X)`` = the class of largest ``predict_proba``,
    ``decision_function(X) = loss_.posterior_logit(raw)``.  ``init_score_`` and
    ``alpha="balanced"`` see every weight training applies: ``class_weight`` times ``sample_weight``.
    """

    def __init__(
        self,
        *,
        gamma: float = 2.0,
        alpha: Any = None,
        hessian: str = "bounded",
        probability: str = "posterior",
        **kwargs: Any,
    ) -> None:
        self.gamma = gamma
        self.alpha = alpha
        self.hessian = hessian
        self.probability = probability
        super().__init__(**kwargs)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        params = super().get_params(deep=deep)
        for name in lgb.LGBMModel._get_param_names():  # LightGBM < 4.6 lists this class's own only
            params.setdefault(name, getattr(self, name))
        return params

    def _process_params(self, stage: str) -> dict[str, Any]:
        if stage == "fit":
            self._objective = self._bf_objective
        params = super()._process_params(stage)
        for key in _OWN_PARAMS:
            params.pop(key, None)
        # with a custom objective LightGBM aborts when pre-filtering leaves no feature (tiny data)
        params.setdefault("feature_pre_filter", False)
        if "metric" not in self.get_params() or self.get_params().get("metric") is None:
            params["metric"] = "None"
        return params

    def fit(  # type: ignore[override]
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        init_score: Any = None,
        eval_set: Any = None,
        eval_names: Any = None,
        eval_sample_weight: Any = None,
        eval_class_weight: Any = None,
        eval_init_score: Any = None,
        eval_metric: Any = None,
        init_model: Any = None,
        **kwargs: Any,
    ) -> FocalLGBMClassifier:
        """Fit with the focal objective; arguments as ``LGBMClassifier.fit``.

        ``eval_X``/``eval_y`` are accepted on every supported LightGBM (turned into ``eval_set``
        where LightGBM predates them).  After training the booster carries ``init_score_`` in its
        first trees (:func:`embed_init_score`).  ``init_model`` (a booster, a fitted estimator, or a
        model file) continues its training: LightGBM starts from that model's margins, so the new
        booster carries the initial score ``init_model`` carries (``init_score`` cannot be given
        then).  A fit that raises leaves the estimator as it was.
        """
        if self.objective is not None:
            raise ValueError("objective is set by FocalLGBMClassifier itself; leave it unset")
        if is_multilabel_target(y):
            with fit_or_restore(self):
                self._fit_multilabel(
                    X, y, sample_weight, init_score, eval_set, eval_names, eval_sample_weight, eval_class_weight,
                    eval_init_score, eval_metric, init_model, kwargs,
                )  # fmt: skip
            return self
        with fit_or_restore(self):
            self._fit(
                X, y, sample_weight, init_score, eval_set, eval_names, eval_sample_weight, eval_class_weight,
                eval_init_score, eval_metric, init_model, kwargs,
            )  # fmt: skip
        return self

    def _fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        init_score: Any,
        eval_set: Any,
        eval_names: Any,
        eval_sample_weight: Any,
        eval_class_weight: Any,
        eval_init_score: Any,
        eval_metric: Any,
        init_model: Any,
        kwargs: dict[str, Any],
    ) -> None:
        eval_set = eval_xy_as_eval_set(lgb.LGBMClassifier.fit, eval_set, kwargs)  # LightGBM < 4.7

        def check(loss: Loss) -> None:
            _check_metrics(loss, self.get_params())
            names = metric_names(eval_metric)
            check_engine_metrics(loss, names, rank_metrics=RANK_METRICS, param="eval_metric", engine="LightGBM")

        le, y_enc, loss, init = prepare_fit(
            self,
            X,
            y,
            sample_weight,
            margin_given=init_score is not None,
            class_weight=self.class_weight,
            check=check,
        )
        start = start_booster(init_model, "init_model")
        if start is not None:
            carried = carried_init_score(start) if isinstance(start, lgb.Booster) else None
            if init_score is not None or eval_init_score is not None:
                raise ValueError(
                    "init_score / eval_init_score cannot be combined with init_model: LightGBM starts from "
                    "init_model's own margins (which carry its initial score)"
                )
            init = loss.kind.zeros() if carried is None else carried
        elif init_score is None:
            init_score = constant_margin(loss, init, y_enc.shape[0])
            if eval_init_score is None:
                eval_init_score = eval_margins(loss, init, eval_set, kwargs.get("eval_y"))
        if kwargs.get("eval_y") is not None:
            # LightGBM label-encodes eval_set itself but passes eval_y through unencoded
            ey = kwargs["eval_y"]
            if isinstance(ey, (tuple, list)):
                kwargs["eval_y"] = tuple(le.transform(np.asarray(vy)) for vy in ey)
            else:  # one set: as given (LightGBM requires eval_X and eval_y both tuples or neither)
                kwargs["eval_y"] = le.transform(np.asarray(ey))
        self._bf_objective = objective(loss)
        metrics = [metric(loss)]
        if eval_metric is not None:
            metrics += list(eval_metric) if isinstance(eval_metric, list) else [eval_metric]
        super().fit(
            X,
            np.asarray(y),
            sample_weight=sample_weight,
            init_score=init_score,
            eval_set=eval_set,
            eval_names=eval_names,
            eval_sample_weight=eval_sample_weight,
            eval_class_weight=eval_class_weight,
            eval_init_score=eval_init_score,
            eval_metric=metrics,
            init_model=start,
            **kwargs,
        )
        booster = self._Booster
        if start is not None:  # the start model's trees, its shifted first trees among them, come first
            setattr(booster, LGB_CARRIED_ATTR, _marker(loss, init))
        elif booster.num_trees() >= loss.num_outputs:
            embed_init_score(booster, loss, init)
        self.loss_, self.init_score_ = loss, init
        self._bf_carried = carried_init_score(booster) is not None

    def _fit_multilabel(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        init_score: Any,
        eval_set: Any,
        eval_names: Any,
        eval_sample_weight: Any,
        eval_class_weight: Any,
        eval_init_score: Any,
        eval_metric: Any,
        init_model: Any,
        kwargs: dict[str, Any],
    ) -> None:
        """A 2-D 0/1 ``y``: one binary focal estimator per label (``loss_.binary_loss(l)``, the
        same parameters), its booster carrying its initial score; ``booster_`` is the
        :class:`MultilabelBooster` of them."""
        from ._adapter import prepare_multilabel_fit

        if self.probability not in ("posterior", "link"):
            raise ValueError(f"probability must be 'posterior' or 'link', got {self.probability!r}")
        for name, value in (("init_score", init_score), ("eval_init_score", eval_init_score),
                            ("init_model", init_model), ("eval_class_weight", eval_class_weight)):  # fmt: skip
            if value is not None:
                raise ValueError(f"{name} is not supported with a multilabel y")
        Y, loss, _ = prepare_multilabel_fit(self, X, y, sample_weight, False, self.class_weight)
        _check_metrics(loss, self.get_params())
        check_engine_metrics(loss, metric_names(eval_metric), rank_metrics=(), param="eval_metric", engine="LightGBM")
        eval_X, eval_y = kwargs.pop("eval_X", None), kwargs.pop("eval_y", None)
        if eval_X is not None or eval_y is not None:
            eval_set = eval_xy_as_eval_set(lambda: None, eval_set, {"eval_X": eval_X, "eval_y": eval_y})
        sets = [eval_set] if isinstance(eval_set, tuple) else list(eval_set or [])
        sets = [(vx, check_multilabel_target(vy, loss.num_labels, "eval_set y")) for vx, vy in sets]
        has_eval_xy = "eval_X" in inspect.signature(lgb.LGBMClassifier.fit).parameters
        params = self.get_params(deep=False)
        subs = []
        for label in range(loss.num_labels):
            binary = loss.binary_loss(label)
            sub = type(self)(**{**params, "alpha": binary.alpha})
            label_sets: dict[str, Any] = {}
            if sets and has_eval_xy:  # LightGBM >= 4.7 deprecates eval_set
                label_sets = {"eval_X": tuple(vx for vx, _ in sets), "eval_y": tuple(vy[:, label] for _, vy in sets)}
            elif sets:
                label_sets = {"eval_set": [(vx, vy[:, label]) for vx, vy in sets]}
            sub.fit(
                X,
                Y[:, label],
                sample_weight=sample_weight,
                eval_names=eval_names,
                eval_sample_weight=eval_sample_weight,
                eval_metric=eval_metric,
                **label_sets,
                **kwargs,
            )
            subs.append(sub)
        self._bf_set_multilabel(MultilabelBooster([sub.booster_ for sub in subs], loss), subs[0])
        self._best_score = {f"label_{i}": sub._best_score for i, sub in enumerate(subs)}
        self._evals_result = {f"label_{i}": sub._evals_result for i, sub in enumerate(subs)}
        self.init_score_ = np.array([sub.init_score_ for sub in subs], dtype=np.float64)

    def _bf_set_multilabel(self, model: MultilabelBooster, first: Any = None) -> None:
        """The fitted attributes of a multilabel estimator around ``model`` (``first``: the first
        label's fitted estimator, for the feature names)."""
        booster = model.boosters[0]
        self._Booster = model
        self._n_features = self._n_features_in = booster.num_feature()
        if first is not None:
            self._fitted_with_feature_names = getattr(first, "_fitted_with_feature_names", False)
            if hasattr(first, "feature_names_in_"):
                self.feature_names_in_ = first.feature_names_in_
        self._classes = np.arange(model.num_labels)
        self._n_classes = 2  # the classes of each label (as XGBClassifier sets n_classes_)
        self._le = None
        self._class_map = None
        self._objective = self._bf_objective = None
        self._best_iteration = model.best_iteration
        self._best_score = {}
        self._evals_result = {}
        self.loss_ = model.loss
        self.init_score_ = model.init_score
        self._bf_carried = True
        self.fitted_ = True

    def predict_raw(self, X: Any, **kwargs: Any) -> NDArray[np.float64]:
        """Raw margins including ``init_score_``: ``(n,)`` binary, ``(n, K)`` multiclass,
        ``(n, L)`` multilabel.

        The booster's own raw score when it carries ``init_score_`` (every model this estimator
        trains); for a model loaded from a file that keeps it beside the trees, that score plus
        ``init_score_``."""
        check_is_fitted(self, "loss_")
        raw = np.asarray(lgb.LGBMModel.predict(self, X, raw_score=True, **kwargs), dtype=np.float64)
        return raw if getattr(self, "_bf_carried", False) else raw + np.asarray(self.init_score_)

    def decision_function(self, X: Any, **kwargs: Any) -> NDArray[np.float64]:
        """Scores whose sign (binary, ``(n,)``) or arg-max (multiclass, ``(n, K)``) is
        :meth:`predict`'s class, computed from the full margin (``init_score_`` included).

        ``probability="posterior"``: the log-odds ``log(P1/P0)`` (binary) or the log-probabilities
        (multiclass) of the recovered posterior, :meth:`boostfocal.BinaryFocalLoss.posterior_logit`
        (with class weights ``alpha`` the posterior's 1/2 point is not at margin 0).
        ``probability="link"``: the raw margins, as :meth:`predict_raw`.
        """
        return decision_function_of(self, X, **kwargs)

    def _contributions(self, X: Any, **kwargs: Any) -> Any:
        """``pred_contrib=True``: per-feature contributions whose bias column (the last of each
        class's block) includes ``init_score_``, so that each row sums to its full margin."""
        out = lgb.LGBMModel.predict(self, X, pred_contrib=True, **kwargs)
        init = np.atleast_1d(np.asarray(self.init_score_, dtype=np.float64))
        if getattr(self, "_bf_carried", False) or not np.any(init):
            return out  # the booster's first trees carry it
        if isinstance(out, list):  # multiclass contributions of sparse X: one matrix per class
            return [_with_bias(block, init[i : i + 1]) for i, block in enumerate(out)]
        return _with_bias(out, init)

    def predict_proba(  # type: ignore[override]
        self, X: Any, raw_score: bool = False, pred_leaf: bool = False, pred_contrib: bool = False, **kwargs: Any
    ) -> Any:
        """Class probabilities ``(n, n_classes)`` (the recovered posterior unless ``probability="link"``).

        ``raw_score``, ``pred_contrib`` and ``pred_leaf`` return what :meth:`predict` does.
        """
        if pred_leaf or pred_contrib or raw_score:
            return self.predict(X, raw_score=raw_score, pred_leaf=pred_leaf, pred_contrib=pred_contrib, **kwargs)
        return predict_proba_of(self, X, **kwargs)

    def predict(  # type: ignore[override]
        self, X: Any, raw_score: bool = False, pred_leaf: bool = False, pred_contrib: bool = False, **kwargs: Any
    ) -> Any:
        """Predicted class labels (the most probable class under ``predict_proba``).

        ``raw_score=True``: raw margins including ``init_score_`` (:meth:`predict_raw`).
        ``pred_contrib=True``: feature contributions (SHAP values) whose bias column includes
        ``init_score_``, so each row sums to its raw margin.  ``pred_leaf=True``: leaf indices.
        """
        if pred_leaf:
            return lgb.LGBMModel.predict(self, X, pred_leaf=True, **kwargs)
        if pred_contrib:
            return self._contributions(X, **kwargs)
        if raw_score:
            return self.predict_raw(X, **kwargs)
        return predict_label_of(self, X, **kwargs)

    def save_model(self, path: Any) -> None:
        """Save to a LightGBM model file holding the focal state too (:func:`boostfocal.save_model`)."""
        from .persistence import save_model

        save_model(self, path)

    def load_model(self, path: Any) -> FocalLGBMClassifier:
        """Load a file written by :meth:`save_model` into this estimator, parameters included
        (:func:`boostfocal.load_model` makes a new one); returns ``self``, fitted."""
        from .persistence import load_into

        return load_into(self, path)  # type: ignore[no-any-return]

    # --- the estimator's own part of a model file (boostfocal.persistence holds the container) ---

    def _bf_booster(self) -> lgb.Booster:
        return self.booster_

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_label = True  # a 2-D 0/1 y: one booster per label
        tags.target_tags.multi_output = True
        tags.target_tags.one_d_labels = False
        return tags

    def _more_tags(self) -> dict[str, Any]:  # the tags of scikit-learn < 1.6
        tags = lgb.LGBMModel._more_tags(self)  # LightGBM's own (super() reaches ClassifierMixin's first)
        x_types = [t for t in tags.get("X_types", []) if t != "1dlabels"]  # a 2-D y is accepted too
        return {**tags, "X_types": x_types, "multilabel": True, "multioutput": True}

    def _bf_carrying_booster(self) -> lgb.Booster:
        """The booster, marked as carrying ``init_score_`` (a copy that carries it, for a model
        loaded from a file that keeps it beside the trees): what ``init_model=self`` continues."""
        check_is_fitted(self, "loss_")
        if getattr(self, "_bf_carried", False):
            if carried_init_score(self.booster_) is None:  # the mark is lost by copy.deepcopy
                setattr(self.booster_, LGB_CARRIED_ATTR, _marker(self.loss_, self.init_score_))
            return self.booster_
        booster = lgb.Booster(model_str=self.booster_.model_to_string(num_iteration=-1))
        return embed_init_score(booster, self.loss_, self.init_score_)

    def _bf_file_state(self) -> dict[str, Any]:
        """What this estimator adds to the focal state of its model file."""
        return {"fitted_with_feature_names": bool(getattr(self, "_fitted_with_feature_names", False))}

    def _bf_restore(self, booster: lgb.Booster, state: dict[str, Any], classes: NDArray[Any]) -> None:
        """The fitted attributes ``LGBMClassifier.fit`` sets (LightGBM 4.x), and ours."""
        from sklearn.preprocessing import LabelEncoder

        self._Booster = booster
        self._n_features = self._n_features_in = booster.num_feature()
        self._classes = classes
        self._n_classes = len(classes)
        le = LabelEncoder()
        le.classes_ = classes
        self._le = le
        self._class_map = {c: i for i, c in enumerate(classes.tolist())}
        self._bf_objective = self._objective = objective(self.loss_)
        self._best_iteration = booster.best_iteration
        self._best_score = booster.best_score
        self._evals_result = {}
        self._fitted_with_feature_names = bool(state.get("fitted_with_feature_names", False))
        self._bf_carried = carried_init_score(booster) is not None
        self.fitted_ = True


def _marker(loss: Loss, value: Any) -> float | list[float]:
    row = init_row(loss, value)
    return [float(v) for v in row] if loss.is_multiclass else float(row[0])
