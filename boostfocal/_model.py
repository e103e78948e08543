"""A trained focal model: its booster, loss, initial score, where that score lives, best iteration.

:class:`TrainedModel` is the one home of these facts.  The estimators, the engine helpers
(``embed_init_score``, ``predict_raw``, ``predict_proba``), persistence, export and Dask ask it;
none decides alone.  It is the only code that reads or writes where the initial score lives, and
it does so through the booster itself (:mod:`boostfocal._engine_lightgbm`,
:mod:`boostfocal._engine_xgboost`), so that the fact travels with the booster through deep copies,
pickling, native continued training and every model file, the engines' own included.

Where the initial score ``z0`` lives (:attr:`TrainedModel.where`):

``"leaves"``
    added to every leaf of the first iteration's tree of each class (LightGBM; XGBoost < 3.1
    multiclass).  Every reader of the booster sees ``z0 + trees``, except a prediction that starts
    after the first iteration (LightGBM ``start_iteration > 0``), to which it is added back.
``"base_score"``
    XGBoost's intercept (a vector of ``K`` / ``L`` values on XGBoost >= 3.1).
``"beside"``
    kept beside the booster and added to its margins by boostfocal: a bare booster trained without
    ``embed_init_score``, a model file of format 1, and LightGBM linear trees
    (``linear_tree=True``), whose leaves ``Booster.set_leaf_output`` does not move.  Plain engine
    readers of such a booster do not see ``z0``.

A booster that carries its initial score but whose value is not recorded (a LightGBM booster
continued natively with ``lgb.train(init_model=...)``, whose new parameter text drops the record)
predicts correctly; what needs the value (a model file, ``start_iteration > 0``) asks for it.
A booster whose record is inconsistent is refused with a clear error rather than guessed.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _engine_lightgbm as lgbe
from . import _engine_xgboost as xgbe
from .losses import Loss

__all__ = ["WHERE", "TrainedModel", "booster_engine", "carried_init_score", "recorded"]

#: The places an initial score lives.
WHERE = ("leaves", "base_score", "beside")


def booster_engine(obj: Any) -> str | None:
    """``"lightgbm"`` or ``"xgboost"`` if ``obj`` is that engine's ``Booster``, else None (without
    importing an engine that is not loaded)."""
    for engine in ("lightgbm", "xgboost"):
        module = sys.modules.get(engine)
        if module is not None and isinstance(obj, module.Booster):
            return engine
    return None


def _engine(booster: Any) -> str:
    engine = booster_engine(booster)
    if engine is None:
        raise TypeError(f"booster must be an lgb.Booster or xgb.Booster, got {type(booster).__name__}")
    return engine


def recorded(booster: Any, outputs: int | None = None) -> tuple[str, Any] | None:
    """``(where, value)`` the booster itself records of its initial score (value None: carried in
    its leaves, value not recorded), or None when it records none."""
    engine = _engine(booster)
    if engine == "xgboost":
        return xgbe.read(booster)
    if outputs is None:
        outputs = int(booster.num_model_per_iteration())
    return lgbe.read(booster, outputs)


def carried_init_score(booster: Any) -> float | NDArray[np.float64] | None:
    """The constant initial raw score a LightGBM/XGBoost booster carries inside its trees or
    intercept (a float, or ``(K,)`` / ``(L,)``), or None if it carries none (or keeps it beside
    its trees: LightGBM linear trees).  A booster that carries it gives the full margin to every
    reader: add nothing to its raw predictions.  ``ValueError`` for one whose leaves carry a value
    that is not recorded (a LightGBM booster continued with ``lgb.train(init_model=...)``)."""
    found = recorded(booster)
    if found is None or found[0] == "beside":
        return None
    if found[1] is None:
        raise ValueError(
            "this booster's first trees carry an initial score whose value is not recorded (continued with "
            "lgb.train(init_model=...)): record it with embed_init_score(booster, loss, value)"
        )
    return float(found[1]) if np.ndim(found[1]) == 0 else np.array(found[1], dtype=np.float64)


def _same(a: Any, b: Any) -> bool:
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return x.shape == y.shape and bool(np.array_equal(x, y))


class TrainedModel:
    """A booster trained with a focal loss, with its initial score and where it lives.

    Parameters
    ----------
    engine : {"lightgbm", "xgboost"}
    booster : lgb.Booster or xgb.Booster
    loss : boostfocal loss
        The loss it was trained with (its ``kind`` gives the shapes).
    init_score : float, array of ``K`` / ``L`` values, or None
        The constant initial raw score ``z0``; None only for a booster whose leaves carry a value
        that is not recorded.
    where : {"leaves", "base_score", "beside"}
        Where ``z0`` lives (module docstring).

    The raw margin is ``z(x) = z0 + sum_t f_t(x)`` on every path (:meth:`raw`).  Build one with
    :meth:`embed` (put the score into a booster) or :meth:`of` (read what a booster carries).
    """

    def __init__(self, engine: str, booster: Any, loss: Loss, init_score: Any, where: str) -> None:
        if where not in WHERE:
            raise ValueError(f"where must be one of {WHERE}, got {where!r}")
        self.engine = engine
        self.booster = booster
        self.loss = loss
        self.init_score = None if init_score is None else loss.kind.init_value(init_score)
        self.where = where

    def __repr__(self) -> str:
        return f"TrainedModel({self.engine}, {self.loss!r}, init_score={self.init_score!r}, where={self.where!r})"

    @property
    def carried(self) -> bool:
        """Whether the booster gives the full margin to every reader (the score is inside it)."""
        return self.where != "beside"

    # --- building ------------------------------------------------------------------------------
    @classmethod
    def embed(cls, booster: Any, loss: Loss, init_score: Any, *, leaves: bool = False) -> TrainedModel:
        """Put the constant ``init_score`` inside ``booster`` (in place) and return the model.

        A booster that carries it already is left as it is (the same value is accepted, and
        recorded when only the trees knew it; another raises ``ValueError``: it would be added
        twice).  LightGBM linear trees keep it beside the booster, recorded in its model text.
        ``leaves`` (XGBoost): the first trees carry it already (a booster continued from one whose
        leaves do); only the intercept and the record are set.
        """
        engine = _engine(booster)
        kind = loss.kind
        try:
            row = kind.init_row(init_score)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"init_score: {exc}") from None
        if not np.all(np.isfinite(row)):
            raise ValueError(f"init_score must be finite, got {init_score!r}")
        value = kind.init_json(init_score)
        if engine == "xgboost":
            found = None if leaves else xgbe.read(booster)
            if found is None:
                where = xgbe.carry(booster, row, value, vector=kind.vector, leaves=leaves)
                return cls(engine, booster, loss, value, where)
        else:
            if booster.num_trees() < loss.num_outputs:
                raise ValueError("the booster has no trees yet: train it before embedding its initial score")
            found = lgbe.read(booster, loss.num_outputs)
            if found is None:
                return cls(engine, booster, loss, value, lgbe.carry(booster, row, value))
        where, held = found
        if held is None:  # LightGBM continued natively: the trees carry it, the value is recorded now
            lgbe.record_value(booster, where, value, loss.num_outputs)
            return cls(engine, booster, loss, value, where)
        if not _same(held, row if kind.vector else row[0]):
            raise ValueError(
                f"init_score={init_score!r}, but this booster already carries the initial score {held!r} "
                f"({where}): leave it out; adding another would shift its margins twice"
            )
        return cls(engine, booster, loss, held, where)

    @classmethod
    def of(cls, booster: Any, loss: Loss, init_score: Any = None, *, name: str = "init_score") -> TrainedModel:
        """The model a bare booster is: the initial score it records, or ``init_score`` beside it.

        A booster that records none needs ``init_score`` (``TypeError`` otherwise); one that
        records its value accepts only that same value (``ValueError`` otherwise: adding another
        would shift its margins twice); one whose leaves carry an unrecorded value (LightGBM,
        continued natively) takes ``init_score`` as that value, adding nothing.
        """
        engine = _engine(booster)
        found = recorded(booster, loss.num_outputs)
        if found is None:
            if init_score is None:
                raise TypeError(
                    f"{name} is required: this booster records no initial score; pass the constant it was "
                    "trained from (loss.init_score(y)), or 0.0 if training started from zero (or embed it with "
                    "embed_init_score and pass nothing)"
                )
            return cls(engine, booster, loss, _checked(loss, init_score, name), "beside")
        where, held = found
        if init_score is not None:
            given = _checked(loss, init_score, name)
            if held is None:
                return cls(engine, booster, loss, given, where)
            if not _same(given, held):
                raise ValueError(
                    f"{name}={init_score!r}, but this booster already carries the initial score {held!r} "
                    f"({where}): leave {name} out; adding another would shift its margins twice"
                )
        return cls(engine, booster, loss, held, where)

    # --- predicting ----------------------------------------------------------------------------
    def row(self) -> NDArray[np.float64]:
        """The initial score as ``(outputs,)``; ``ValueError`` when it is not recorded."""
        if self.init_score is None:
            raise ValueError(
                "this booster's first trees carry an initial score whose value is not recorded (a LightGBM "
                "booster continued with lgb.train(init_model=...)): pass init_score= (the start model's value)"
            )
        return self.loss.kind.init_row(self.init_score)

    def base_margin(self, n: int) -> NDArray[np.float64]:
        """XGBoost: the ``base_margin`` that makes the booster predict ``z0 + trees`` on ``n`` rows
        (a ``base_margin`` replaces ``base_score``; less what the first trees carry)."""
        row = self.row()
        if self.where == "leaves":
            row = np.zeros_like(row)
        return self.loss.kind.tile(row if self.loss.kind.vector else row[0], n)

    def offset(self) -> NDArray[np.float64]:
        """What boostfocal adds to the sum of the booster's trees for the full margin, ``(outputs,)``:
        ``z0`` unless the leaves carry it (0 then)."""
        if self.where == "leaves":
            return np.zeros(self.loss.num_outputs)
        return self.row()

    def added(self, start_iteration: int = 0) -> NDArray[np.float64] | None:
        """What boostfocal adds to the booster's own raw scores, ``(outputs,)``, or None: ``z0`` when
        it lives beside the booster, and when the leaves that carry it are left out of a LightGBM
        prediction starting after the first iteration (``start_iteration > 0``)."""
        skipped = self.where == "leaves" and self.engine == "lightgbm" and int(start_iteration or 0) > 0
        return self.row() if self.where == "beside" or skipped else None

    def raw(self, X: Any, **kwargs: Any) -> NDArray[np.float64]:
        """The raw margins ``z0 + sum_t f_t(x)`` of ``X`` (``(n,)``, ``(n, K)`` or ``(n, L)``);
        keyword arguments go to the booster's ``predict``."""
        kind = self.loss.kind
        if self.engine == "lightgbm":
            out = np.asarray(self.booster.predict(X, raw_score=True, **kwargs), dtype=np.float64)
            add = self.added(kwargs.get("start_iteration", 0))
            return kind.squeeze(out if add is None else out + (add if kind.vector else add[0]))
        import xgboost as xgb

        own = not isinstance(X, xgb.DMatrix)
        dm = xgb.DMatrix(X) if own else X
        saved = None if own else dm.get_base_margin()
        dm.set_base_margin(self.base_margin(dm.num_row()))
        try:
            out = self.booster.predict(dm, output_margin=True, **kwargs)
        finally:
            if saved is not None:  # leave the caller's DMatrix as it was
                dm.set_base_margin(saved if saved.size else np.zeros(0))
        return kind.squeeze(np.asarray(out, dtype=np.float64))

    # --- best iteration ------------------------------------------------------------------------
    @property
    def best_iteration(self) -> int | None:
        """The best iteration after early stopping (0-based for XGBoost, 1-based for LightGBM, as
        each engine counts), or None."""
        if self.engine == "xgboost":
            return xgbe.best_iteration(self.booster)
        best = int(getattr(self.booster, "best_iteration", 0) or 0)
        return best if best > 0 else None

    def best_state(self) -> dict[str, Any]:
        """The early-stopping record a model file keeps beside the trees: LightGBM's best iteration
        and scores (its model text has no place for them); nothing for XGBoost, whose file keeps
        its own (and holds only the rounds up to the best one, :meth:`for_file`)."""
        if self.engine == "xgboost":
            return {}
        return {"best_iteration": int(self.booster.best_iteration), "best_score": dict(self.booster.best_score)}

    @staticmethod
    def restore_best(booster: Any, best_iteration: int, best_score: Any) -> None:
        """Give a LightGBM booster read from a file the early-stopping record :meth:`best_state` wrote."""
        booster.best_iteration = int(best_iteration)
        booster.best_score = best_score

    def for_file(self) -> Any:
        """The booster a model file holds: XGBoost after early stopping keeps the rounds up to the
        best iteration only, so that every reader predicts with the rounds ``predict`` uses
        (LightGBM's ``lgb.train`` and estimator already keep only those trees)."""
        return xgbe.up_to_best(self.booster) if self.engine == "xgboost" else self.booster

    # --- model files ---------------------------------------------------------------------------
    def file_state(self) -> dict[str, Any]:
        """The focal state's fields of the initial score: its value, whether the booster carries it,
        and where it lives."""
        self.row()  # ValueError when the value is not recorded
        assert self.init_score is not None  # (row() raised otherwise)
        return {
            "init_score": self.loss.kind.init_json(self.init_score),
            "init_score_in_model": self.carried,
            "init_score_where": self.where,
        }

    @classmethod
    def from_file(cls, booster: Any, loss: Loss, init_score: Any, where: str) -> TrainedModel:
        """The model of a booster read from a boostfocal file whose focal state says ``init_score``
        lives ``where``, checked against what the booster itself records (``ValueError`` naming
        the disagreement).  A LightGBM booster records the file's facts afterwards, so that its
        copies and files keep them."""
        engine = _engine(booster)
        found = recorded(booster, loss.num_outputs)
        value = loss.kind.init_json(init_score)
        if found is None:
            if where == "base_score" or (where == "leaves" and engine == "xgboost"):
                raise _Disagree("init_score_in_model", f"says the booster carries it ({where}); the booster does not")
            if engine == "lightgbm" and (where == "leaves" or booster.num_trees() >= loss.num_outputs):
                lgbe.record_value(booster, where, value, loss.num_outputs)  # format 2 files: unmarked trees
            return cls(engine, booster, loss, value, where)
        held_where, held = found
        if held_where != where:
            raise _Disagree(
                "init_score_in_model",
                f"says the initial score lives {where!r} but the booster says {held_where!r} (an edited file?)",
            )
        if held is None:
            lgbe.record_value(booster, where, value, loss.num_outputs)
        elif not _same(held, value):
            raise _Disagree("init_score", f"is {value!r} but the booster carries {held!r}")
        return cls(engine, booster, loss, value, where)


class _Disagree(ValueError):
    """A focal state that disagrees with its booster: ``field`` and ``problem`` for the message."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem


def _checked(loss: Loss, value: Any, name: str) -> Any:
    try:
        row = loss.kind.init_row(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: {exc}") from None
    if not np.all(np.isfinite(row)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return loss.kind.init_json(value)
