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
import os
from typing import Any

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray
from sklearn.utils.validation import check_is_fitted

from . import _engine_lightgbm as lgbe
from ._adapter import (
    check_engine_metrics,
    check_multilabel_target,
    constant_margin,
    decision_function_of,
    eval_margins,
    eval_xy_as_eval_set,
    fit_or_restore,
    is_multilabel_target,
    metric_names,
    predict_label_of,
    predict_proba_of,
    prepare_fit,
)
from ._lgb_native import (
    RANK_METRICS,
    _check_metrics,
    _Metric,
    _Objective,
    dataset,
    embed_init_score,
    hessian_scale,  # noqa: F401  (boostfocal.lightgbm.hessian_scale)
    metric,
    objective,
    predict_proba,
    predict_raw,
    train_multilabel,
)
from ._model import TrainedModel, recorded
from ._multilabel_booster import MultilabelBooster
from .losses import Loss, MultilabelFocalLoss
from .metrics import DecisionMixin
from .persistence import load_into, save_model, start_booster

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


class FocalLGBMClassifier(lgb.LGBMClassifier, DecisionMixin):  # the engine class first, as in FocalXGBClassifier
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
    ``"balanced"`` (per label, with ``sample_weight``); ``class_weight``, ``init_score`` and
    ``eval_init_score`` are refused; ``init_model`` (a fitted multilabel estimator, its
    :class:`MultilabelBooster` or its saved directory) continues every label.  ``predict``
    returns the ``(n, L)`` 0/1 indicator matrix (posterior > 1/2), ``predict_proba`` the ``(n, L)``
    posteriors as one array (as ``OneVsRestClassifier`` and ``MLPClassifier`` do; not the list of
    ``L`` ``(n, 2)`` arrays of scikit-learn's multi-output forests), ``decision_function`` their
    log-odds; ``classes_`` is ``0..L-1`` and ``n_classes_`` 2 (the classes of each label).  Early
    stopping callbacks stop each label at its own best iteration (``booster_.best_iterations``;
    ``best_iteration_`` is the largest, ``n_estimators_`` / ``n_iter_`` the most rounds a label
    holds; ``evals_result_`` by label).
    ``fit`` computes ``init_score_`` (the loss-minimising constant) unless ``init_score`` is given,
    reports :func:`metric` on ``eval_set`` (or ``eval_X``/``eval_y``) so early stopping works on the
    focal loss, and puts ``init_score_`` into the leaves of the booster's first trees
    (:func:`embed_init_score`): ``booster_.predict(X, raw_score=True)``, SHAP and the model file give
    the full margin.  Linear trees (``linear_tree=True``), whose leaves cannot move, keep it beside
    the booster instead: :meth:`predict_raw` and the model file add it; ``booster_.predict`` does
    not.  Fitted attributes: ``loss_``, ``init_score_``, ``classes_``, ``booster_``.

    Predictions, with ``raw = predict_raw(X) = booster margin + init_score_``:
    ``predict_proba(X) = loss_.posterior(raw)`` (Charoenphakdee et al., 2021; ``loss_.link(raw)``
    with ``probability="link"``), ``predict(X)`` = the class of largest ``predict_proba``,
    ``decision_function(X) = loss_.posterior_logit(raw)``.  ``init_score_`` and
    ``alpha="balanced"`` see every weight training applies: ``class_weight`` times ``sample_weight``.
    """

    #: The engine, for :mod:`boostfocal.persistence` (which does not import the estimator modules).
    _bf_engine = "lightgbm"
    _bf_objective: _Objective | None  # None for a multilabel model (one objective per label's booster)
    _bf_model: TrainedModel | MultilabelBooster
    #: Whether ``fit`` reports the focal :func:`metric` on the eval sets (first).  An internal
    #: switch: :func:`boostfocal.tune` turns it off on the fits it early-stops on a score of its
    #: own (it is computed every round, and its values change no tree).
    _bf_loss_metric = True

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
            lgbe.use_objective(self, self._bf_objective)
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
        if isinstance(start, (str, os.PathLike)):  # a LightGBM file without focal state
            start = lgb.Booster(model_file=os.fspath(start))
        if start is not None:
            if init_score is not None or eval_init_score is not None:
                raise ValueError(
                    "init_score / eval_init_score cannot be combined with init_model: LightGBM starts from "
                    "init_model's own margins (which carry its initial score)"
                )
            init = _start_init(start, loss)
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
        metrics: list[Any] = [metric(loss)] if self._bf_loss_metric else []
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
        booster = lgbe.fitted_booster(self)
        if booster.num_trees() >= loss.num_outputs:  # a start model's marked first trees come first
            model = TrainedModel.embed(booster, loss, init)
        else:
            model = TrainedModel("lightgbm", booster, loss, init, "beside")
        self._bf_model = model
        self.loss_, self.init_score_ = loss, model.init_score

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
                            ("eval_class_weight", eval_class_weight)):  # fmt: skip
            if value is not None:
                raise ValueError(f"{name} is not supported with a multilabel y")
        Y, loss, _ = prepare_multilabel_fit(self, X, y, sample_weight, False, self.class_weight)
        starts = _multilabel_starts(init_model, loss)
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
            sub._bf_loss_metric = self._bf_loss_metric
            label_sets: dict[str, Any] = {}
            if sets and has_eval_xy:  # LightGBM >= 4.7 deprecates eval_set
                label_sets = {"eval_X": tuple(vx for vx, _ in sets), "eval_y": tuple(vy[:, label] for _, vy in sets)}
            elif sets:
                label_sets = {"eval_set": [(vx, vy[:, label]) for vx, vy in sets]}
            sub.fit(
                X,
                Y[:, label],
                init_model=starts[label],
                sample_weight=sample_weight,
                eval_names=eval_names,
                eval_sample_weight=eval_sample_weight,
                eval_metric=eval_metric,
                **label_sets,
                **kwargs,
            )
            subs.append(sub)
        self._bf_set_multilabel(MultilabelBooster.of_models([sub._bf_trained() for sub in subs], loss), subs[0])
        lgbe.set_fit_results(
            self,
            best_score={f"label_{i}": sub.best_score_ for i, sub in enumerate(subs)},
            evals_result={f"label_{i}": sub.evals_result_ for i, sub in enumerate(subs)},
        )

    def _bf_set_multilabel(self, model: MultilabelBooster, first: Any = None) -> None:
        """The fitted attributes of a multilabel estimator around ``model`` (``first``: the first
        label's fitted estimator, for the feature names)."""
        lgbe.set_fitted(
            self,
            model,
            np.arange(model.num_labels),
            n_classes=2,  # the classes of each label (as XGBClassifier sets n_classes_)
            objective=None,
            best_iteration=model.best_iteration,
            best_score={},
            evals_result={},
            fitted_with_feature_names=first is not None and lgbe.fitted_with_feature_names(first),
            label_encoder=False,
        )
        self._bf_objective = None
        self._bf_model = model
        self.loss_ = model.loss
        self.init_score_ = model.init_score

    def _bf_trained(self) -> Any:
        """The trained model (:class:`boostfocal._model.TrainedModel`; multilabel: the
        :class:`MultilabelBooster`): where the initial score lives, the best iteration."""
        check_is_fitted(self, "loss_")
        return self._bf_model

    @property
    def _bf_carried(self) -> bool:
        """Whether the booster carries ``init_score_`` (every reader sees the full margin)."""
        model = self._bf_trained()
        return bool(model.where != "beside")

    def predict_raw(self, X: Any, **kwargs: Any) -> NDArray[np.float64]:
        """Raw margins including ``init_score_``: ``(n,)`` binary, ``(n, K)`` multiclass,
        ``(n, L)`` multilabel.

        The booster's own raw score when it carries ``init_score_`` (every model this estimator
        trains but linear trees); otherwise that score plus ``init_score_`` (a linear-tree model,
        or one loaded from a file that keeps it beside the trees).  With ``start_iteration > 0``
        the first trees, which carry it, are left out, so it is added."""
        model = self._bf_trained()
        raw = np.asarray(lgb.LGBMModel.predict(self, X, raw_score=True, **kwargs), dtype=np.float64)
        add = model.added(kwargs.get("start_iteration", 0))
        if add is None:
            return raw
        full: NDArray[np.float64] = raw + (add if self.loss_.kind.vector else add[0])
        return full

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
        init = self._bf_trained().added(kwargs.get("start_iteration", 0))
        if init is None or not np.any(init):
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
        save_model(self, path)

    def load_model(self, path: Any) -> FocalLGBMClassifier:
        """Load a file written by :meth:`save_model` into this estimator, parameters included
        (:func:`boostfocal.load_model` makes a new one); returns ``self``, fitted."""
        loaded: FocalLGBMClassifier = load_into(self, path)
        return loaded

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
        """The booster, carrying ``init_score_`` (a copy that carries it, for a model loaded from a file
        that keeps it beside the trees): what ``init_model=self`` continues."""
        model = self._bf_trained()
        if model.where != "beside":
            carrying: lgb.Booster = model.booster
            return carrying
        if lgbe.is_linear(model.booster):
            raise ValueError(
                "init_model is a linear-tree model, which keeps its initial score beside its trees: LightGBM's "
                "continued training would start from margins without it; train a new model instead"
            )
        booster = lgb.Booster(model_str=model.booster.model_to_string(num_iteration=-1))
        assert self.init_score_ is not None  # a booster without it records it beside (TrainedModel.of)
        return embed_init_score(booster, self.loss_, self.init_score_)

    def _bf_file_state(self) -> dict[str, Any]:
        """What this estimator adds to the focal state of its model file."""
        return {"fitted_with_feature_names": lgbe.fitted_with_feature_names(self)}

    def _bf_restore(self, trained: TrainedModel, state: dict[str, Any], classes: NDArray[Any]) -> None:
        """The fitted attributes ``LGBMClassifier.fit`` sets (LightGBM 4.x), and ours."""
        booster = trained.booster
        self._bf_objective = objective(trained.loss)
        lgbe.set_fitted(
            self,
            booster,
            classes,
            n_classes=len(classes),
            objective=self._bf_objective,
            best_iteration=booster.best_iteration,
            best_score=booster.best_score,
            evals_result={},
            fitted_with_feature_names=bool(state.get("fitted_with_feature_names", False)),
        )
        self._bf_model = trained
        self.loss_, self.init_score_ = trained.loss, trained.init_score


def _multilabel_starts(init_model: Any, loss: MultilabelFocalLoss) -> list[Any]:
    """The start booster of each label for a multilabel ``init_model`` (a fitted multilabel
    estimator, a :class:`MultilabelBooster`, or the directory of one), or ``[None] * L``."""
    if init_model is None:
        return [None] * loss.num_labels
    if isinstance(init_model, (str, os.PathLike)):
        from .persistence import load_model

        init_model = load_model(init_model)
    if isinstance(init_model, FocalLGBMClassifier):
        init_model = init_model.booster_ if getattr(init_model, "loss_", None) is not None else None
    if not isinstance(init_model, MultilabelBooster):
        raise TypeError(
            "init_model of a multilabel fit must be a fitted multilabel FocalLGBMClassifier, a MultilabelBooster "
            f"or its directory, got {type(init_model).__name__}"
        )
    if init_model.num_labels != loss.num_labels:
        raise ValueError(f"init_model has {init_model.num_labels} labels but y has {loss.num_labels}")
    return list(init_model.boosters)


def _start_init(start: Any, loss: Loss) -> Any:
    """The initial score a continued training starts from: the one ``start`` (a Booster) carries,
    0 for a booster that carries none.  A start model that keeps it beside its trees (linear
    trees), or whose trees carry a value not recorded, is refused: the margins LightGBM continues
    from would not match."""
    found = recorded(start, loss.num_outputs)
    if found is None:
        return loss.kind.zeros()
    where, value = found
    if where == "beside":
        raise ValueError(
            "init_model keeps its initial score beside its trees (linear trees): LightGBM's continued training "
            "would start from margins without it; train a new model instead"
        )
    if value is None:
        raise ValueError(
            "init_model's first trees carry an initial score whose value is not recorded (a booster continued with "
            "lgb.train(init_model=...)): record it first with bfl.embed_init_score(booster, loss, value)"
        )
    return loss.kind.init_value(value)


# the classes' public home (pickles, repr and the API reference name boostfocal.lightgbm)
for _cls in (MultilabelBooster, _Objective, _Metric):
    _cls.__module__ = __name__
