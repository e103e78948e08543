"""Dask helpers: the optimal initial score from a Dask collection, and lazy recovered probabilities.

The objectives and metrics of :mod:`boostfocal.lightgbm` and :mod:`boostfocal.xgboost` work on
Dask unchanged (they are small picklable classes, shipped to every worker; each worker computes
gradients on its own rows).  What Dask needs on top is done here, without gathering the data on
the client:

* :func:`init_score` — the loss-minimising constant raw score of the *whole* training set, in one
  pass: each partition's per-class weight totals (a ``bincount``) are summed on the cluster and
  only the ``K`` totals reach the client, where the loss's own solver (``loss.init_score``) turns
  them into the constant.  Exact, because the constant depends on the data only through those
  totals.
* :func:`constant_margin` — that constant on every row, as a Dask collection with the same
  partitions as ``X`` (``(n,)`` binary, ``(n, K)`` multiclass), for LightGBM's ``init_score`` and
  XGBoost's ``base_margin``.
* :func:`predict_raw` / :func:`predict_proba` — raw margins plus the initial score, and the
  recovered class probabilities (``loss.posterior``), as lazy Dask arrays (``map_blocks`` /
  ``map_partitions``; nothing is computed until you ask).
* :func:`xgboost_metric` — the focal eval metric for ``xgboost.dask`` as the exact weighted mean
  over all workers.

Usage with LightGBM::

    import lightgbm.dask as lgbd
    import boostfocal as bf
    from boostfocal import dask as bfd, lightgbm as bfl

    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
    z0 = bfd.init_score(loss, y, w)                               # y, w: Dask array/Series
    clf = lgbd.DaskLGBMClassifier(objective=bfl.objective(loss), n_estimators=100)
    clf.fit(X, y, sample_weight=w, init_score=bfd.constant_margin(loss, z0, X))
    proba = bfd.predict_proba(clf, X_test, loss, init_score=z0)   # lazy (n, 2) Dask array

and with XGBoost::

    import xgboost.dask as xgbd                                   # import it explicitly
    from boostfocal import xgboost as bfx

    dtrain = xgbd.DaskDMatrix(client, X, y, weight=w, base_margin=bfd.constant_margin(loss, z0, X))
    out = xgbd.train(client, {"tree_method": "hist", "disable_default_eval_metric": True}, dtrain, 100,
                     obj=bfx.objective(loss), custom_metric=bfd.xgboost_metric(loss), evals=[(dtrain, "train")])
    proba = bfd.predict_proba(out, X_test, loss, init_score=z0)

Multilabel (:class:`boostfocal.MultilabelFocalLoss`, labels an ``(n, L)`` 0/1 Dask Array or
DataFrame): :func:`init_score` gives ``(L,)`` (each label's binary constant from its two weight
totals), :func:`constant_margin` ``(n, L)``.  XGBoost (>= 3.1) trains it as one model, the
:func:`xgboost_metric` being the mean over rows and labels::

    dtrain = xgbd.DaskDMatrix(client, X, Y, weight=w, base_margin=bfd.constant_margin(loss, z0, X))
    out = xgbd.train(client, params, dtrain, 100, obj=bfx.objective(loss), custom_metric=bfd.xgboost_metric(loss))
    proba = bfd.predict_proba(out, X_test, loss, init_score=z0)      # lazy (n, L)

LightGBM has no multi-output trees: train one model per label with that label's binary loss and
initial score, and predict with their :class:`boostfocal.lightgbm.MultilabelBooster` (a single
LightGBM model with a multilabel loss is refused)::

    boosters = []
    for l in range(loss.num_labels):
        b = loss.binary_loss(l)
        m = lgbd.DaskLGBMClassifier(objective=bfl.objective(b)).fit(
            X, Y[:, l], sample_weight=w, init_score=bfd.constant_margin(b, z0[l], X))
        boosters.append(bfl.embed_init_score(m.booster_, b, z0[l]))
    proba = bfd.predict_proba(bfl.MultilabelBooster(boosters, loss), X_test, loss)

Engine facts this module relies on (verified with LightGBM 4.7, XGBoost 3.2, Dask 2026.8):

* ``DaskLGBMClassifier`` calls a callable objective as ``f(y_true, y_pred, weight)`` on each
  worker, and its ``predict_proba`` then returns *raw scores without the init score* (LightGBM
  never adds a Dataset's ``init_score`` back).  :func:`predict_proba` adds it and applies
  ``loss.posterior``.
* ``xgboost.dask.train`` calls ``obj(predt, DMatrix)`` like ``xgb.train``; a ``base_margin``
  replaces ``base_score``.  ``DaskXGBClassifier.predict_proba`` applies the plain sigmoid/softmax
  (not the focal posterior) and adds no init score unless given ``base_margin``.
* Custom metrics are computed by each worker on its own rows.  XGBoost then averages the
  per-worker values (an unweighted mean of per-worker means); :func:`xgboost_metric` all-reduces
  the weighted sums instead and gives the exact global value.  LightGBM reports the value of the
  worker that returns the model, and each worker early-stops on its own value: do not use early
  stopping with ``lightgbm.dask`` (workers that stop at different rounds make LightGBM fail with a
  socket error or, with a callable objective, hang).  The objective (gradients) is exact on both.
* ``DaskXGBClassifier.predict_proba(X, base_margin=m)`` fails ("Invalid shape of base_margin")
  when ``X`` is a Dask array with more than one row chunk and ``m`` is 1-D: XGBoost's
  ``map_blocks`` aligns the 1-D margin with the columns.  :func:`predict_proba` does not use it.
* A worker process that dies mid-training makes the other workers' collective calls fail: the
  client gets ``LightGBMError: Socket recv error`` or ``XGBoostError: ... Allreduce failed`` within
  seconds.  If the only worker holding training data dies, ``lightgbm.dask`` waits for that
  worker's address forever unless ``distributed.scheduler.no-workers-timeout`` is set.  The
  helpers here are ordinary Dask tasks: a lost partition is recomputed on another worker.
* Labels must already be encoded as ``0..K-1`` (binary ``{0, 1}``), as for the loss objects.
  :func:`init_score` checks every partition's labels and weights, so run it before training:
  a bad label then fails there, not inside one worker's objective mid-training.

Importing this module imports ``dask`` (install the ``dask`` extra); the rest of boostfocal never
imports it, and it imports neither engine: the engine is recognised from the model's type.

References
----------
LightGBM Dask API: https://lightgbm.readthedocs.io/en/stable/Python-API.html#dask-api
XGBoost Dask API: https://xgboost.readthedocs.io/en/stable/tutorials/dask.html
Dask ``map_blocks``: https://docs.dask.org/en/stable/generated/dask.array.map_blocks.html
"""

from __future__ import annotations

import sys
from typing import Any

import dask
import dask.array as da
import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._adapter import (
    check_booster_loss,
    margins_to_proba,
    model_booster,
)
from .._adapter import check_loss as _check_loss
from .._multilabel_booster import MultilabelBooster
from ..losses import IndependentOutputs, Loss, MultilabelFocalLoss
from ._metric import xgboost_metric

__all__ = ["class_totals", "constant_margin", "init_score", "predict_proba", "predict_raw", "xgboost_metric"]

Float = NDArray[np.float64]


# --------------------------------------------------------------------------------------
# Collections: what is a Dask collection, and its partitions as delayed objects
# --------------------------------------------------------------------------------------


def _is_dask_array(obj: Any) -> bool:
    return isinstance(obj, da.Array)


def _is_dask_frame(obj: Any) -> bool:
    """A Dask DataFrame or Series (``dask.dataframe`` imported only if the object could be one)."""
    if "dask.dataframe" not in sys.modules:
        return False
    import dask.dataframe as dd

    return isinstance(obj, (dd.DataFrame, dd.Series))


def _is_dask_collection(obj: Any) -> bool:
    return _is_dask_array(obj) or _is_dask_frame(obj)


def _vector_parts(obj: Any, name: str) -> list[Any]:
    """The partitions of a 1-D Dask array/Series (or single-column DataFrame) as delayed objects."""
    if _is_dask_array(obj):
        if obj.ndim == 2 and obj.shape[1] == 1:
            obj = obj[:, 0]
        if obj.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got a Dask array of shape {obj.shape}")
        return list(obj.to_delayed().ravel())
    if _is_dask_frame(obj):
        import dask.dataframe as dd

        if isinstance(obj, dd.DataFrame):
            if len(obj.columns) != 1:
                raise ValueError(
                    f"{name} must be a Dask Series or a one-column DataFrame, got {len(obj.columns)} columns"
                )
            obj = obj[obj.columns[0]]
        return list(obj.to_delayed())
    raise TypeError(f"{name} must be a Dask Array or Dask Series, got {type(obj).__name__}")


def _matrix_parts(obj: Any, name: str, width: int) -> list[Any]:
    """The row partitions of an ``(n, width)`` Dask array or DataFrame (whole rows each) as delayed objects."""
    if _is_dask_array(obj):
        if obj.ndim != 2 or obj.shape[1] != width:
            raise ValueError(f"{name} must have shape (n, {width}) (one column per label), got {obj.shape}")
        return list(obj.rechunk({1: -1}).to_delayed()[:, 0])
    if _is_dask_frame(obj):
        import dask.dataframe as dd

        if not isinstance(obj, dd.DataFrame) or len(obj.columns) != width:
            raise ValueError(f"{name} must be a Dask DataFrame of {width} columns (one per label)")
        return list(obj.to_delayed())
    raise TypeError(f"{name} must be a Dask Array or Dask DataFrame, got {type(obj).__name__}")


def _label_parts(y: Any, loss: Loss) -> list[Any]:
    """The partitions of the labels: ``(n,)`` (a class per row) or ``(n, L)`` (a 0/1 matrix: ``kind.label_ndim``)."""
    kind = loss.kind
    return _matrix_parts(y, "y", kind.outputs) if kind.label_ndim == 2 else _vector_parts(y, "y")


# --------------------------------------------------------------------------------------
# Initial score: per-class weight totals in one pass, then the loss's own solver
# --------------------------------------------------------------------------------------


def _partition_totals(y: Any, w: Any, loss: Loss) -> Float:
    """Per-class weight totals of one partition, ``(K,)``, or per label ``(L, 2)`` (negatives,
    positives) for a multilabel loss; labels and weights checked as the loss checks them."""
    # validates labels and weights exactly as training will
    labels = loss._prepare(np.asarray(y), None if w is None else np.asarray(w), "sample_weight (one partition)")
    if loss.kind.label_ndim == 2:
        ones = labels.y.astype(np.float64)
        weight = np.ones(ones.shape[0]) if labels.weight is None else labels.weight
        return np.column_stack([weight @ (1.0 - ones), weight @ ones])
    k = loss.kind.columns
    return np.bincount(labels.y, weights=labels.weight, minlength=k).astype(np.float64)[:k]


def _sum_totals(parts: list[Float]) -> Float:
    total: Float = np.sum(np.stack(parts), axis=0)
    return total


def class_totals(loss: Loss, y: Any, sample_weight: Any = None) -> Any:
    """Lazy per-class weight totals ``(K,)`` of a Dask collection (a ``dask.delayed`` object);
    ``(L, 2)`` for a multilabel loss (each label's negative and positive totals).

    Each partition's labels are validated like the loss validates them in training and reduced
    to ``bincount(y, weights=w, minlength=K)``; the ``K``-vectors are then summed.  Compute it
    with ``.compute()`` or ``client.compute(...)``: only ``K`` numbers come back.

    Parameters
    ----------
    loss : boostfocal loss
        Fixes ``K`` (2 for binary losses) and the label checks.
    y : Dask Array or Dask Series, shape ``(n,)``; Dask Array or DataFrame ``(n, L)`` (multilabel)
        Labels encoded as ``{0, 1}`` (binary), ``0..K-1`` (multiclass), or the 0/1 indicator matrix.
    sample_weight : Dask Array or Dask Series, shape ``(n,)``, optional
        Must have the same partitions as ``y`` (same number; same row counts, checked per
        partition when computed).
    """
    loss = _check_loss(loss)
    y_parts = _label_parts(y, loss)
    if sample_weight is None:
        w_parts: list[Any] = [None] * len(y_parts)
    else:
        if _is_dask_array(y) and _is_dask_array(sample_weight) and sample_weight.ndim == 1:
            if sample_weight.shape[0] != y.shape[0]:
                raise ValueError(f"sample_weight has shape {sample_weight.shape}, y has shape {y.shape}")
            if sample_weight.chunks[0] != y.chunks[0]:
                sample_weight = sample_weight.rechunk((y.chunks[0],))
        w_parts = _vector_parts(sample_weight, "sample_weight")
        if len(w_parts) != len(y_parts):
            raise ValueError(
                f"sample_weight has {len(w_parts)} partitions but y has {len(y_parts)}: give them the same partitions"
            )
    partial = [
        dask.delayed(_partition_totals, pure=True)(yp, wp, loss) for yp, wp in zip(y_parts, w_parts, strict=True)
    ]
    return dask.delayed(_sum_totals, pure=True)(partial)


def _init_from_totals(loss: Loss, totals: Float) -> float | Float:
    """The loss's own constant for class weight totals ``totals`` (exact: it depends on nothing
    else); multilabel: each label's binary constant from its ``(W_0, W_1)``."""
    if loss.kind.label_ndim == 2:
        assert isinstance(loss, MultilabelFocalLoss)  # the only loss with a label matrix
        return np.array([loss.binary_loss(label).init_score([0, 1], sample_weight=t) for label, t in enumerate(totals)])
    k = totals.shape[0]
    return loss.init_score(np.arange(k), sample_weight=totals)


def init_score(loss: Loss, y: Any, sample_weight: Any = None, *, client: Any = None) -> float | Float:
    """The constant raw score minimising the weighted training loss of a Dask collection.

    One pass over ``y`` (and ``sample_weight``) on the cluster computes the per-class weight
    totals (:func:`class_totals`); then ``loss.init_score`` runs on ``K`` synthetic rows, one per
    class, weighted by those totals.  That is exactly ``loss.init_score(y, sample_weight)`` on the
    gathered data, because the loss-minimising constant depends on the data only through the
    class weight totals (Lin et al. 2017 focal loss; closed form for ``gamma = 0``).

    Parameters
    ----------
    loss : boostfocal loss
    y, sample_weight : Dask Array or Dask Series (or numpy arrays, handled locally)
        See :func:`class_totals`.
    client : distributed.Client, optional
        Compute with this client; by default ``dask.compute`` uses the current default client
        (or the local scheduler if there is none).

    Returns
    -------
    float (binary) or ndarray ``(K,)`` (multiclass) or ``(L,)`` (multilabel)
        Pass it to :func:`constant_margin` for training and to :func:`predict_proba` afterwards.

    Raises
    ------
    ValueError
        If a class has no (or zero-weight) samples, a label is invalid, or ``sample_weight``
        does not match ``y`` (raised when the partitions are computed).
    """
    loss = _check_loss(loss)
    if not _is_dask_collection(y) and not _is_dask_collection(sample_weight):
        return loss.init_score(np.asarray(y), sample_weight)
    lazy = class_totals(loss, y, sample_weight)
    totals = client.compute(lazy).result() if client is not None else dask.compute(lazy)[0]
    return _init_from_totals(loss, np.asarray(totals, dtype=np.float64))


# --------------------------------------------------------------------------------------
# The constant margin as a collection aligned with X
# --------------------------------------------------------------------------------------


def _fill_block(block: Any, value: Any, loss: Loss) -> Float:
    return loss.kind.tile(value, block.shape[0])


def _fill_frame(part: Any, value: Any, loss: Loss) -> Any:
    import pandas as pd

    arr = loss.kind.tile(value, len(part))
    if arr.ndim == 1:
        return pd.Series(arr, index=part.index, name="init_score")
    return pd.DataFrame(arr, index=part.index, columns=list(range(arr.shape[1])))


def _checked_value(loss: Loss, value: float | ArrayLike) -> Any:
    """The constant, shape-checked against the loss now (not on the workers)."""
    return loss.kind.init_value(value)


def constant_margin(loss: Loss, value: float | ArrayLike, like: Any) -> Any:
    """``margin[i] = value`` on every row of ``like``: LightGBM ``init_score`` / XGBoost ``base_margin``.

    Parameters
    ----------
    loss : boostfocal loss
        Binary losses give ``(n,)``, multiclass losses ``(n, K)``, multilabel losses ``(n, L)``.
    value : float or array ``(K,)`` / ``(L,)``
        The constant, usually :func:`init_score`.
    like : Dask Array or Dask DataFrame/Series
        The collection to align with (``X`` or ``y``).  The result has the same row partitions:
        a Dask Array for an array (a single chunk along the class axis), a Dask Series
        (binary) or DataFrame with columns ``0..K-1`` (multiclass) with the same index and
        divisions for a Dask DataFrame.  No data is read when the chunk sizes are known.
    """
    loss = _check_loss(loss)
    val = _checked_value(loss, value)
    vector, k = loss.kind.vector, loss.kind.outputs
    if _is_dask_array(like):
        rows = like.chunks[0]
        shape = loss.kind.shape(like.shape[0])
        chunks: tuple[tuple[float, ...], ...] = (rows,) if not vector else (rows, (k,))
        if not any(np.isnan(c) for c in rows):  # known chunk sizes: build it without touching the data
            if not vector:
                return da.full(shape, val, chunks=chunks, dtype=np.float64)
            return da.ones(shape, chunks=chunks, dtype=np.float64) * val
        base = like if like.ndim == 1 else like[:, 0]
        extra = {} if not vector else {"new_axis": 1}
        return da.map_blocks(_fill_block, base, val, loss, chunks=chunks, dtype=np.float64, **extra)
    if _is_dask_frame(like):
        import pandas as pd

        if vector:
            meta: Any = pd.DataFrame({c: pd.Series(dtype=np.float64) for c in range(k)})
        else:
            meta = pd.Series(dtype=np.float64, name="init_score")
        return like.map_partitions(_fill_frame, val, loss, meta=meta)
    raise TypeError(f"like must be a Dask Array or Dask DataFrame/Series, got {type(like).__name__}")


# --------------------------------------------------------------------------------------
# Lazy prediction
# --------------------------------------------------------------------------------------


def _raw_block(block: Any, trained: Any, kwargs: dict[str, Any]) -> Float:
    """Raw margins ``z0 + trees`` of one partition (runs on a worker), as the trained model gives
    them (:meth:`boostfocal._model.TrainedModel.raw`; a MultilabelBooster's ``predict_raw``)."""
    if block.shape[0] == 0:
        return np.empty(trained.loss.kind.shape(0))
    if isinstance(trained, MultilabelBooster):  # each label's trained model adds its own initial score
        return trained.predict_raw(block, **kwargs)
    raw: Float = trained.raw(block, **kwargs)
    return raw


def _proba_block(block: Any, trained: Any, loss: Loss, method: str, kwargs: dict[str, Any]) -> Float:
    """Class (or label) probabilities of one partition (runs on a worker), ``loss.kind.columns`` wide."""
    raw = _raw_block(block, trained, kwargs)
    if raw.shape[0] == 0:
        return np.empty((0, loss.kind.columns))
    return margins_to_proba(loss, raw, method)


def _raw_frame(part: Any, *args: Any) -> Any:
    import pandas as pd

    raw = _raw_block(part, *args)
    if raw.ndim == 1:
        return pd.Series(raw, index=part.index, name="raw")
    return pd.DataFrame(raw, index=part.index, columns=list(range(raw.shape[1])))


def _proba_frame(part: Any, *args: Any) -> Any:
    import pandas as pd

    p = _proba_block(part, *args)
    return pd.DataFrame(p, index=part.index, columns=list(range(p.shape[1])))


def _trained_model(model: Any, loss: Loss, init_score: Any) -> Any:
    """The trained model whose margins the workers compute, checked here (not on the workers):
    a :class:`boostfocal._model.TrainedModel` (the one home of where the initial score lives: an
    estimator's own, or a bare booster's from what it records and ``init_score``), or a LightGBM
    :class:`~boostfocal.lightgbm.MultilabelBooster` (one per label)."""
    from .._model import TrainedModel

    if not isinstance(model, MultilabelBooster) and hasattr(model, "_bf_trained") and init_score is None:
        model = model._bf_trained()  # FocalLGBMClassifier / FocalXGBClassifier
    if isinstance(model, MultilabelBooster):
        if model.loss != loss:
            raise ValueError(f"loss {loss!r} is not the loss of this MultilabelBooster, {model.loss!r}")
        if init_score is not None and not np.array_equal(np.asarray(init_score, dtype=np.float64), model.init_score):
            raise ValueError(
                f"init_score={init_score!r}, but the MultilabelBooster carries its initial scores "
                f"{model.init_score!r}: leave init_score out (adding it again would shift the margins twice)"
            )
        return model
    if isinstance(model, TrainedModel):
        check_booster_loss(loss, model.engine, model.booster)
        return model
    engine, booster = model_booster(model)
    if engine == "lightgbm" and isinstance(loss.kind, IndependentOutputs):
        raise ValueError(
            f"{loss!r} is a multilabel loss, and LightGBM has no multi-output trees: train one model per label "
            "(objective boostfocal.lightgbm.objective(loss.binary_loss(l))) and predict with their "
            "boostfocal.lightgbm.MultilabelBooster (each booster after embed_init_score)"
        )
    check_booster_loss(loss, engine, booster)
    try:
        return TrainedModel.of(booster, loss, init_score)
    except TypeError as exc:  # the booster records no initial score and none was given
        raise TypeError(f"{exc}; on Dask, boostfocal.dask.init_score(loss, y, sample_weight) computes it") from None


def _map_over_rows(X: Any, block_fn: Any, frame_fn: Any, width: int | None, args: tuple[Any, ...]) -> Any:
    """Apply ``block_fn`` (arrays) or ``frame_fn`` (DataFrames) lazily to each row partition of ``X``.

    ``width`` is the number of output columns, ``None`` for a 1-D result.  The trained model in
    ``args`` is wrapped in ``dask.delayed`` so that it is stored once in the graph, not once per task.
    """
    if _is_dask_array(X):
        if X.ndim != 2:
            raise ValueError(f"X must be two-dimensional, got a Dask array of shape {X.shape}")
        if len(X.chunks[1]) > 1:
            X = X.rechunk({1: -1})  # whole rows in each block
        if width is None:
            return X.map_blocks(
                block_fn, *args, chunks=(X.chunks[0],), drop_axis=1, dtype=np.float64, meta=np.empty((0,))
            )
        return X.map_blocks(
            block_fn, *args, chunks=(X.chunks[0], (width,)), dtype=np.float64, meta=np.empty((0, width))
        )
    if _is_dask_frame(X):
        import dask.dataframe as dd
        import pandas as pd

        if not isinstance(X, dd.DataFrame):
            raise TypeError("X must be a Dask DataFrame (not a Series) or a Dask Array")
        if width is None:
            meta: Any = pd.Series(dtype=np.float64, name="raw")
        else:
            meta = pd.DataFrame({c: pd.Series(dtype=np.float64) for c in range(width)})
        return X.map_partitions(frame_fn, *args, meta=meta).to_dask_array()
    raise TypeError(f"X must be a Dask Array or Dask DataFrame, got {type(X).__name__}")


def predict_raw(
    model: Any, X: Any, loss: Loss, *, init_score: float | ArrayLike | None = None, **predict_kwargs: Any
) -> Any:
    """Lazy raw margins of ``X`` *including* the initial score: a Dask array ``(n,)``, ``(n, K)``
    or ``(n, L)`` (multilabel).

    Parameters
    ----------
    model : LightGBM or XGBoost model
        An ``lgb.Booster``, ``xgb.Booster``, any (Dask) LightGBM/XGBoost scikit-learn model, the
        dict returned by ``xgboost.dask.train``, or a :class:`boostfocal.lightgbm.MultilabelBooster`
        (LightGBM's multilabel model: one booster per label, each carrying its initial score).
        Its booster travels to the workers once.
    X : Dask Array ``(n, n_features)`` or Dask DataFrame
        A DataFrame gives an array with unknown chunk sizes (as ``DataFrame.to_dask_array()``).
    loss : boostfocal loss
        The loss the model was trained with (checked against the model's number of outputs).
    init_score : float or array ``(K,)`` / ``(L,)``
        The constant the model was trained from (:func:`init_score`); ``0.0`` if none.  May be
        omitted for models that store ``init_score_`` (``FocalLGBMClassifier``,
        ``FocalXGBClassifier``), for a ``MultilabelBooster`` and for boosters that carry it (``embed_init_score`` of
        :mod:`boostfocal.lightgbm` / :mod:`boostfocal.xgboost`); a booster that carries it refuses
        another value (it would be added twice).
    **predict_kwargs
        Passed to ``Booster.predict`` on each partition (LightGBM ``num_iteration``, XGBoost
        ``iteration_range=(0, best_iteration + 1)`` after early stopping, ...).

    Nothing is computed: the result is built with ``map_blocks`` / ``map_partitions``.
    """
    loss = _check_loss(loss)
    args = (dask.delayed(_trained_model(model, loss, init_score), pure=False), dict(predict_kwargs))
    width = None if not loss.kind.vector else loss.kind.outputs
    return _map_over_rows(X, _raw_block, _raw_frame, width, args)


def predict_proba(
    model: Any,
    X: Any,
    loss: Loss,
    *,
    init_score: float | ArrayLike | None = None,
    method: str = "posterior",
    **predict_kwargs: Any,
) -> Any:
    """Lazy class probabilities ``(n, n_classes)`` (multilabel: ``(n, L)``) of ``X`` from a model trained with ``loss``.

    Each partition's raw margins (plus ``init_score``) go through ``loss.posterior`` — the
    class posterior recovered from focal margins (Charoenphakdee et al., CVPR 2021,
    https://arxiv.org/abs/2011.09172) — or, with ``method="link"``, the plain sigmoid/softmax
    (not calibrated for ``gamma > 0``).  Binary models give two columns ``[1 - p, p]``;
    multilabel models ``(n, L)``, the probability of each label.

    Use this instead of ``DaskLGBMClassifier.predict_proba`` (which, with a callable objective,
    returns raw scores without the init score) and ``DaskXGBClassifier.predict_proba`` (plain
    sigmoid/softmax of the margin).  Arguments as :func:`predict_raw`; nothing is computed.
    """
    loss = _check_loss(loss)
    if method not in ("posterior", "link"):
        raise ValueError(f"method must be 'posterior' or 'link', got {method!r}")
    trained = dask.delayed(_trained_model(model, loss, init_score), pure=False)
    args = (trained, loss, method, dict(predict_kwargs))
    return _map_over_rows(X, _proba_block, _proba_frame, loss.kind.columns, args)
