"""A LightGBM multilabel focal model: one binary booster per label, read as one model.

It does not import LightGBM itself, so that :mod:`boostfocal.persistence` knows this class without
importing LightGBM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ._adapter import check_booster_loss, margins_to_proba
from ._model import TrainedModel, booster_engine
from .losses import MultilabelFocalLoss

if TYPE_CHECKING:
    import lightgbm as lgb


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
    first tree (:func:`boostfocal.lightgbm.embed_init_score`).  Made by
    :func:`boostfocal.lightgbm.train_multilabel` and by
    :class:`~boostfocal.lightgbm.FocalLGBMClassifier` fitted on a 2-D ``y`` (its ``booster_``).

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
        if len(boosters) != loss.num_labels or not all(booster_engine(b) == "lightgbm" for b in boosters):
            raise ValueError(f"boosters must be {loss.num_labels} lgb.Booster objects (one per label of {loss!r})")
        models = []
        for label, booster in enumerate(boosters):
            check_booster_loss(loss.binary_loss(label), "lightgbm", booster)
            try:
                models.append(TrainedModel.of(booster, loss.binary_loss(label), name=f"boosters[{label}]'s init_score"))
            except TypeError:
                raise ValueError(
                    f"boosters[{label}] records no initial score: call "
                    f"embed_init_score(booster, loss.binary_loss({label}), init_score[{label}]) first"
                ) from None
        self._set_models(models, loss)

    @classmethod
    def of_models(cls, models: Sequence[TrainedModel], loss: MultilabelFocalLoss) -> MultilabelBooster:
        """The multilabel model of one trained binary model per label."""
        out = cls.__new__(cls)
        out._set_models(list(models), _check_multilabel_loss(loss))
        return out

    def _set_models(self, models: list[TrainedModel], loss: MultilabelFocalLoss) -> None:
        if any(m.init_score is None for m in models):
            raise ValueError("every label's booster must record the value of its initial score (embed_init_score)")
        self.models = models
        self.boosters = [m.booster for m in models]
        self.loss = loss

    def __repr__(self) -> str:
        return f"MultilabelBooster({self.loss!r}, {len(self.boosters)} boosters)"

    @property
    def num_labels(self) -> int:
        """``L``, the number of labels (and boosters)."""
        return len(self.boosters)

    @property
    def init_score(self) -> NDArray[np.float64]:
        """The initial score of each label, ``(L,)``."""
        return np.array([m.init_score for m in self.models], dtype=np.float64)

    @property
    def where(self) -> str:
        """Where the labels' initial scores live (``boostfocal._model.TrainedModel``)."""
        places = {m.where for m in self.models}
        if len(places) != 1:
            raise ValueError(f"the labels' boosters keep their initial scores in different places: {sorted(places)}")
        return places.pop()

    def file_state(self) -> dict[str, Any]:
        """The focal state's fields of the initial score (``TrainedModel.file_state``)."""
        where = self.where
        return {
            "init_score": self.loss.kind.init_json(self.init_score),
            "init_score_in_model": where != "beside",
            "init_score_where": where,
        }

    def added(self, start_iteration: int = 0) -> NDArray[np.float64] | None:
        """What :meth:`predict_raw` adds to the stacked raw scores, ``(L,)``, or None."""
        parts = [m.added(start_iteration) for m in self.models]
        if all(p is None for p in parts):
            return None
        return np.array([0.0 if p is None else float(p[0]) for p in parts])

    @property
    def best_iterations(self) -> list[int]:
        """Each label's best iteration (``0`` without early stopping), as LightGBM counts it."""
        return [int(b.best_iteration) for b in self.boosters]

    @property
    def best_iteration(self) -> int:
        """The most rounds any label predicts with after early stopping (:attr:`best_iterations`:
        each label's own), ``0`` without early stopping: as ``lgb.Booster.best_iteration``."""
        return max(self.best_iterations)

    def current_iteration(self) -> int:
        """The most boosting rounds any label's booster holds (``lgb.Booster.current_iteration``)."""
        return max(int(b.current_iteration()) for b in self.boosters)

    def predict(self, X: Any, **kwargs: Any) -> Any:
        """Every booster's ``predict(X, **kwargs)``, stacked as columns (``(n, L)`` for scores)."""
        outs = [np.asarray(b.predict(X, **kwargs)) for b in self.boosters]
        return np.column_stack([o.reshape(o.shape[0], -1) for o in outs])

    def predict_raw(self, X: Any, **kwargs: Any) -> NDArray[np.float64]:
        """Raw margins ``(n, L)``, each label's initial score included."""
        return np.column_stack([m.raw(X, **kwargs) for m in self.models])

    def predict_proba(self, X: Any, *, method: str = "posterior", **kwargs: Any) -> NDArray[np.float64]:
        """``P(y_l = 1 | x)`` of every label, ``(n, L)``: ``loss.posterior`` of the raw margins
        (``method="link"``: the plain sigmoid)."""
        return margins_to_proba(self.loss, self.predict_raw(X, **kwargs), method)

    def feature_importance(self, importance_type: str = "split", iteration: int | None = None) -> NDArray[Any]:
        """The boosters' feature importances, summed over labels."""
        total: NDArray[Any] = np.sum([b.feature_importance(importance_type=importance_type, iteration=iteration)
                                      for b in self.boosters], axis=0)  # fmt: skip
        return total

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
