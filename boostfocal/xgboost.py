"""XGBoost adapters: objective, eval metric, DMatrix with the initial score, and an estimator.

Usage::

    import xgboost as xgb
    import boostfocal as bf
    from boostfocal import xgboost as bfx

    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
    z0 = loss.init_score(y)
    dtrain = bfx.dmatrix(X, y, loss)                      # base_margin = z0 on every row
    booster = xgb.train({"tree_method": "hist"}, dtrain, 100, obj=bfx.objective(loss),
                        custom_metric=bfx.metric(loss), evals=[(dtrain, "train")])
    bfx.embed_init_score(booster, loss, z0)               # the booster's intercept is now z0
    proba = bfx.predict_proba(booster, X_test, loss)

A ``base_margin`` replaces ``base_score``; ``xgb.train(obj=...)`` otherwise starts from margin 0.5.
:func:`embed_init_score` makes ``z0`` the booster's own intercept, so that every reader of the
booster (its ``predict``, ``pred_contribs``, SHAP, its model file) sees the full margin;
:class:`FocalXGBClassifier` does so at the end of ``fit``.  Custom objectives receive float32
margins; sample weights are read from the DMatrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xgboost as xgb
from numpy.typing import NDArray
from scipy import sparse
from sklearn.utils.validation import _num_samples, check_is_fitted

from . import _engine_xgboost as xgbe
from ._adapter import (
    check_engine_metrics,
    check_multilabel_target,
    constant_margin,
    decision_function_of,
    eval_margins,
    fit_or_restore,
    metric_names,
    predict_label_of,
    predict_proba_of,
    prepare_fit,
)
from ._model import TrainedModel
from ._xgb_native import (
    VECTOR_INTERCEPT,
    _check_multilabel,
    _Metric,
    _Objective,
    dmatrix,
    embed_init_score,
    hessian_scale,  # noqa: F401  (boostfocal.xgboost.hessian_scale)
    metric,
    objective,
    predict_proba,
    predict_raw,
)
from .losses import IndependentOutputs, Loss
from .metrics import DecisionMixin
from .persistence import load_into, save_model, start_booster

__all__ = ["FocalXGBClassifier", "dmatrix", "embed_init_score", "metric", "objective", "predict_proba", "predict_raw"]


_OWN_PARAMS = ("gamma", "alpha", "hessian", "probability")
#: What ``set_params`` on a fitted estimator leaves as the booster has it.
_KEPT_BY_THE_BOOSTER = ("objective", "base_score", "num_class", "eval_metric")
#: XGBoost's built-in metrics that rank a binary model's scores (valid on focal margins).
RANK_METRICS = ("auc", "aucpr")


class FocalXGBClassifier(xgb.XGBClassifier, DecisionMixin):  # the engine first: its get_params reads __bases__[0]
    """``XGBClassifier`` trained with focal loss, from the optimal initial score.

    Parameters
    ----------
    gamma : float in [0, 1000], default 2.0
        Focusing parameter of the focal loss.  (XGBoost's own ``gamma``, the minimum split loss,
        is available as ``min_split_loss``.)
    alpha : None, float in (0, 1), sequence of per-class weights, or "balanced", default None
        Class weights (binary: weight of ``classes_[1]``).  (XGBoost's L1 ``alpha`` is
        ``reg_alpha``.)
    hessian : str, default "bounded"
        Hessian policy, see :class:`boostfocal.BinaryFocalLoss`.
    probability : {"posterior", "link"}, default "posterior"
        What ``predict_proba`` returns.
    **kwargs
        Any ``XGBClassifier`` parameter except ``objective`` (any value other than
        ``XGBClassifier``'s own default ``"binary:logistic"``, which cannot be told apart from
        unset, raises ``ValueError`` in ``fit``).  ``eval_metric`` defaults to the
        focal loss itself, so ``early_stopping_rounds`` stops on it.

    **Multilabel** (XGBoost >= 3.1): ``fit`` on a 2-D 0/1 ``y`` of ``L >= 2`` columns trains
    :class:`~boostfocal.MultilabelFocalLoss` (``loss_``) as one model: ``multi_strategy=
    "multi_output_tree"`` grows trees with vector leaves, ``"one_output_per_tree"`` (XGBoost's
    default) one tree per label and round; the booster's intercept is the ``(L,)`` initial score.
    ``alpha``: one float, ``L`` floats or ``"balanced"`` (per label, with ``sample_weight``).
    ``predict`` returns the ``(n, L)`` 0/1 indicator matrix (posterior > 1/2), ``predict_proba``
    the ``(n, L)`` posteriors as one array (as ``OneVsRestClassifier`` and ``MLPClassifier`` do; not
    the list of ``L`` ``(n, 2)`` arrays of scikit-learn's multi-output forests),
    ``decision_function`` their log-odds; ``classes_`` is ``0..L-1`` (``n_classes_`` is 2, as
    ``XGBClassifier`` sets it).  XGBoost has no contributions for vector-leaf trees.

    Labels may be any values (``classes_``); ``fit`` sets ``base_margin`` to ``init_score_``
    unless one is given, and makes it the booster's intercept afterwards (:func:`embed_init_score`),
    so that ``get_booster()``, SHAP and the model file give the full margin.  The predict methods
    pass ``init_score_`` (or the caller's ``base_margin``) as the ``base_margin``, exactly as in
    ``fit``.

    Predictions, with ``raw = predict_raw(X) = booster margin + init_score_``:
    ``predict_proba(X) = loss_.posterior(raw)`` (Charoenphakdee et al., 2021; ``loss_.link(raw)``
    with ``probability="link"``), ``predict(X)`` = the class of largest ``predict_proba``,
    ``decision_function(X) = loss_.posterior_logit(raw)``.
    """

    #: The engine, for :mod:`boostfocal.persistence` (which does not import the estimator modules).
    _bf_engine = "xgboost"

    def __init__(
        self,
        *,
        gamma: float = 2.0,
        alpha: Any = None,
        hessian: str = "bounded",
        probability: str = "posterior",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.gamma = gamma
        self.alpha = alpha
        self.hessian = hessian
        self.probability = probability

    def set_params(self, **params: Any) -> FocalXGBClassifier:
        """Set parameters, as ``XGBClassifier.set_params``.  On a fitted estimator the booster keeps
        the objective it was trained with (XGBoost would push its placeholder ``binary:logistic``,
        which a multiclass or multilabel intercept does not fit) and its initial score, so the
        model keeps predicting as before."""
        booster = xgbe.fitted_booster(self)
        if booster is None:
            return super().set_params(**params)
        xgbe.forget_booster(self)
        try:
            super().set_params(**params)
        finally:
            xgbe.set_booster(self, booster)
        pushed = {k: v for k, v in self.get_xgb_params().items() if k not in _KEPT_BY_THE_BOOSTER}
        booster.set_param(pushed)
        return self

    def get_xgb_params(self) -> dict[str, Any]:
        params = super().get_xgb_params()
        for key in _OWN_PARAMS:
            params.pop(key, None)
        if getattr(self, "_bf_in_fit", False) and callable(self.eval_metric):
            # the placeholder objective's default metric would be computed on raw margins
            params.setdefault("disable_default_eval_metric", True)
        return params

    # older XGBoost (2.1 among them) reads the estimator type here; scikit-learn >= 1.8 no longer sets it
    _estimator_type = "classifier"

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_label = VECTOR_INTERCEPT  # a 2-D 0/1 y: one label per column
        tags.target_tags.multi_output = VECTOR_INTERCEPT
        return tags

    def _more_tags(self) -> dict[str, Any]:  # the tags of scikit-learn < 1.6
        return {**super()._more_tags(), "multilabel": VECTOR_INTERCEPT, "multioutput": VECTOR_INTERCEPT}

    @property
    def classes_(self) -> NDArray[Any]:
        """The class labels seen in ``fit``, in the order of ``predict_proba``'s columns
        (multilabel: ``0..L-1``, the label columns, as ``OneVsRestClassifier`` and
        ``MLPClassifier`` set it)."""
        if getattr(self, "_bf_in_fit", False) or not hasattr(self, "_bf_classes"):
            return np.arange(self.n_classes_)
        return self._bf_classes

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any = None,
        base_margin: Any = None,
        eval_set: Any = None,
        sample_weight_eval_set: Any = None,
        base_margin_eval_set: Any = None,
        xgb_model: Any = None,
        **kwargs: Any,
    ) -> FocalXGBClassifier:
        """Fit with the focal objective; arguments as ``XGBClassifier.fit``.

        After training the booster's intercept is ``init_score_`` (:func:`embed_init_score`).
        ``xgb_model`` (a booster, a fitted estimator or a model file) continues its training from
        its own margins, with the initial score it carries.  A caller's ``base_margin`` replaces
        the initial score (``init_score_`` is then 0), as in XGBoost; pass it to the predict methods
        too.  A fit that raises leaves the estimator as it was.
        """
        if self.objective not in (None, "binary:logistic"):
            raise ValueError("objective is set by FocalXGBClassifier itself; leave it unset")
        with fit_or_restore(self):
            self._fit(X, y, sample_weight, base_margin, eval_set, sample_weight_eval_set, base_margin_eval_set,
                      xgb_model, kwargs)  # fmt: skip
        return self

    def _fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        base_margin: Any,
        eval_set: Any,
        sample_weight_eval_set: Any,
        base_margin_eval_set: Any,
        xgb_model: Any,
        kwargs: dict[str, Any],
    ) -> None:
        le, y_enc, loss, init = prepare_fit(
            self, X, y, sample_weight, margin_given=base_margin is not None, check=self._check_fit_loss
        )
        start = start_booster(xgb_model, "xgb_model")
        carried = xgbe.read(start) if isinstance(start, xgb.Booster) else None
        leaves: Any = 0.0
        if start is not None and carried is not None and base_margin is None:
            init = loss.kind.init_value(carried[1])
            leaves = init if carried[0] == "leaves" else 0.0
        if base_margin is None:
            base_margin = constant_margin(loss, init, y_enc.shape[0]) - leaves
            if eval_set is not None and base_margin_eval_set is None:
                base_margin_eval_set = [m - leaves for m in eval_margins(loss, init, eval_set)]  # type: ignore[union-attr]
        if eval_set is not None and le is None:
            eval_set = [(vx, check_multilabel_target(vy, loss.num_outputs, "eval_set y")) for vx, vy in eval_set]
        elif eval_set is not None:
            eval_set = [(vx, le.transform(np.asarray(vy))) for vx, vy in eval_set]
        saved = self.objective, self.eval_metric
        self.objective = objective(loss)
        if self.eval_metric is None:
            self.eval_metric = metric(loss)
        self._bf_in_fit = True
        try:
            super().fit(
                X,
                y_enc,
                sample_weight=sample_weight,
                base_margin=base_margin,
                eval_set=eval_set,
                sample_weight_eval_set=sample_weight_eval_set,
                base_margin_eval_set=base_margin_eval_set,
                xgb_model=start,
                **kwargs,
            )
        finally:
            self.objective, self.eval_metric = saved
            self._bf_in_fit = False
        booster = self.get_booster()
        xgbe.clear(booster)  # a start model's record, copied with its trees
        model = TrainedModel.embed(booster, loss, init, leaves=bool(np.any(leaves)))
        xgbe.record_sparse_input(booster, sparse.issparse(X))  # absent entries were missing (bf.to_onnx)
        self._bf_model = model
        self.loss_, self.init_score_ = loss, model.init_score
        self._bf_classes = np.arange(loss.num_outputs) if le is None else le.classes_

    def _margin(self, X: Any, base_margin: Any) -> Any:
        """The ``base_margin`` XGBoost gets to predict ``X``: the caller's (it replaces the initial
        score, as in XGBoost) or ``init_score_`` on every row, as in ``fit``."""
        model = self._bf_trained()
        if base_margin is None:
            n = X.num_row() if isinstance(X, xgb.DMatrix) else _num_samples(X)
            return model.base_margin(n)
        if model.where == "leaves":  # the first trees carry the initial score: a base_margin replaces it
            return np.asarray(base_margin, dtype=np.float64) - model.row()
        return base_margin

    def predict_raw(self, X: Any, base_margin: Any = None, **kwargs: Any) -> NDArray[np.float64]:
        """Raw margins including ``init_score_`` (or the caller's ``base_margin`` instead, as in
        ``fit``); uses ``best_iteration`` after early stopping."""
        margin = self._margin(X, base_margin)
        raw = xgb.XGBModel.predict(self, X, output_margin=True, base_margin=margin, **kwargs)
        return self.loss_.kind.squeeze(np.asarray(raw, dtype=np.float64))

    def predict_proba(self, X: Any, base_margin: Any = None, **kwargs: Any) -> NDArray[np.float64]:  # type: ignore[override]
        """Class probabilities ``(n, n_classes)`` (the recovered posterior unless ``probability="link"``);
        multilabel: ``(n, L)``, the probability of each label."""
        return predict_proba_of(self, X, base_margin=base_margin, **kwargs)

    def _check_fit_loss(self, loss: Loss) -> None:
        _check_multilabel(loss)
        self._check_metrics(loss)

    def _check_metrics(self, loss: Loss) -> None:
        """Refuse built-in ``eval_metric`` names XGBoost would compute on sigmoid/softmax of focal margins."""
        names = metric_names(self.eval_metric)
        check_engine_metrics(loss, names, rank_metrics=RANK_METRICS, param="eval_metric", engine="XGBoost")

    def decision_function(self, X: Any, base_margin: Any = None, **kwargs: Any) -> NDArray[np.float64]:
        """Scores whose sign (binary, ``(n,)``) or arg-max (multiclass, ``(n, K)``) is
        :meth:`predict`'s class, computed from the full margin (``init_score_`` included).

        ``probability="posterior"``: the log-odds ``log(P1/P0)`` (binary) or the log-probabilities
        (multiclass) of the recovered posterior, :meth:`boostfocal.BinaryFocalLoss.posterior_logit`
        (with class weights ``alpha`` the posterior's 1/2 point is not at margin 0).
        ``probability="link"``: the raw margins, as :meth:`predict_raw`.
        """
        return decision_function_of(self, X, base_margin=base_margin, **kwargs)

    def predict(
        self,
        X: Any,
        output_margin: bool = False,
        validate_features: bool = True,
        base_margin: Any = None,
        iteration_range: Any = None,
        *,
        pred_contribs: bool = False,
    ) -> NDArray[Any]:
        """Predicted class labels (the most probable class under ``predict_proba``).

        ``output_margin=True``: raw margins including ``init_score_`` (:meth:`predict_raw`).
        ``pred_contribs=True``: SHAP contributions (``Booster.predict(..., pred_contribs=True)``),
        ``(n, n_features + 1)`` binary or ``(n, K, n_features + 1)`` multiclass, whose last column
        (the bias) includes ``init_score_``: each row sums to :meth:`predict_raw` (float32).
        ``base_margin`` replaces ``init_score_`` in all of them, as in ``fit``.
        """
        kwargs = {"validate_features": validate_features, "iteration_range": iteration_range}
        if pred_contribs:
            return self._contributions(X, base_margin, **kwargs)
        if output_margin:
            return self.predict_raw(X, base_margin=base_margin, **kwargs)
        return predict_label_of(self, X, base_margin=base_margin, **kwargs)

    def _contributions(self, X: Any, base_margin: Any, validate_features: bool, iteration_range: Any) -> NDArray[Any]:
        margin = self._margin(X, base_margin)
        if isinstance(X, xgb.DMatrix):
            saved = X.get_base_margin()
            X.set_base_margin(margin)
            data = X
        else:
            saved = None
            data = xgb.DMatrix(
                X,
                base_margin=margin,
                missing=self.missing,
                nthread=self.n_jobs,
                feature_types=self.feature_types,
                enable_categorical=self.enable_categorical,
            )
        try:
            return self.get_booster().predict(
                data,
                pred_contribs=True,
                validate_features=validate_features,
                iteration_range=xgbe.iteration_range(self, iteration_range),
            )
        finally:
            if saved is not None:
                X.set_base_margin(saved if saved.size else np.zeros(0))

    def save_model(self, fname: Any) -> None:
        """Save to an XGBoost model file (JSON for ``.json``, UBJ for ``.ubj``) whose ``"boostfocal"``
        attribute holds the focal state (:func:`boostfocal.save_model`)."""
        save_model(self, fname)

    def load_model(self, fname: Any) -> FocalXGBClassifier:  # type: ignore[override]
        """Load a file (or the bytes of one) written by :meth:`save_model` or
        :func:`boostfocal.save_model` into this estimator, parameters included; returns ``self``,
        fitted.  A model file without boostfocal state raises ``ValueError``."""
        loaded: FocalXGBClassifier = load_into(self, fname)
        return loaded

    # --- the estimator's own part of a model file (boostfocal.persistence holds the container) ---

    def _bf_booster(self) -> xgb.Booster:
        return self.get_booster()

    def _bf_trained(self) -> TrainedModel:
        """The trained model (:class:`boostfocal._model.TrainedModel`): where the initial score lives,
        the best iteration."""
        check_is_fitted(self, "loss_")
        return self._bf_model

    def _bf_carrying_booster(self) -> xgb.Booster:
        """The booster, carrying ``init_score_`` (a copy that does, for a model loaded from a file
        that keeps it beside the trees): what ``xgb_model=self`` continues."""
        model = self._bf_trained()
        booster: xgb.Booster = model.booster
        if model.carried:
            return booster
        assert self.init_score_ is not None  # a booster without it records it beside (TrainedModel.of)
        return embed_init_score(booster.copy(), self.loss_, self.init_score_)

    def _bf_file_state(self) -> dict[str, Any]:
        return {}

    def _bf_restore(self, trained: TrainedModel, state: dict[str, Any], classes: NDArray[Any]) -> None:
        """The fitted attributes ``XGBClassifier.fit`` sets, and ours.  A bare Booster's estimator
        takes its feature types from the booster (an estimator's are among its saved parameters)."""
        booster = trained.booster
        xgbe.set_booster(self, booster)
        kind = trained.loss.kind
        self.n_classes_ = 2 if isinstance(kind, IndependentOutputs) else kind.columns  # as XGBClassifier.fit
        if state["estimator"] is None:
            self.feature_types = booster.feature_types
            self.enable_categorical = any(t == "c" for t in booster.feature_types or ())
        self._bf_classes = classes
        self._bf_model = trained
        self.loss_, self.init_score_ = trained.loss, trained.init_score


# the classes' public home (pickles, repr and the API reference name boostfocal.xgboost)
for _cls in (_Objective, _Metric):
    _cls.__module__ = __name__
