"""The trees of a trained booster as the attributes of one ONNX-ML ``TreeEnsembleRegressor``, and
the engine's missing-value convention as graph nodes in front of it.

ONNX tree ensembles take only NaN as missing (a node's ``missing_value_tracks_true``); the
engines also read other values as missing, or NaN as a number.  :class:`Missing` holds, per
feature, what the engine does, and :func:`missing_nodes` rewrites the input so that the trees see
NaN exactly where the engine takes its default branch and a number where it compares one:

* LightGBM, per feature, from the ``missing_type`` of its splits (the model text's
  ``decision_type``): ``NaN`` -- as ONNX; ``Zero`` (``zero_as_missing=True``) -- NaN and every
  ``|x| <= 1e-35`` (LightGBM's ``kZeroThreshold``) are missing; ``None`` (``use_missing=False``,
  or a feature without missing values in training) -- NaN is read as ``0.0``.
* XGBoost: NaN and the value of its ``missing`` parameter (``DMatrix(missing=v)``,
  ``XGBClassifier(missing=v)``) take the default branch, and so do zeros for a model trained on a
  scipy sparse matrix, whose absent entries are missing (a ``FocalXGBClassifier`` records it in its
  booster; give ``missing=0.0`` for a booster trained otherwise).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._graph import Graph

#: LightGBM's ``kZeroThreshold``: with ``missing_type`` Zero, ``|x| <= 1e-35`` is missing.
LGB_ZERO = 1e-35
#: LightGBM's ``missing_type`` codes (bits 2-3 of a split's ``decision_type``).
_LGB_NONE, _LGB_ZERO, _LGB_NAN = 0, 1, 2


@dataclass(frozen=True)
class Missing:
    """What an engine reads as missing, feature by feature (``n_features`` booleans each).

    ``nan_as_zero``: NaN is the number 0 (LightGBM ``missing_type`` None); ``zero_as_nan``: NaN and
    ``|x| <= 1e-35`` are missing (LightGBM ``zero_as_missing``); ``values``: besides NaN, ``x == v``
    is missing on every feature for each ``v`` (XGBoost ``missing``, and 0 for a model trained on a
    sparse matrix)."""

    nan_as_zero: tuple[bool, ...]
    zero_as_nan: tuple[bool, ...]
    values: tuple[float, ...] = ()


def missing_nodes(g: Graph, x: str, missing: Missing) -> str:
    """``x`` with NaN put where the engine reads a missing value and a number where it reads NaN
    as one (nodes added only for the features and values that need them)."""
    if any(missing.nan_as_zero):
        cols = g.const([missing.nan_as_zero], np.bool_)
        x = g.op("Where", g.op("And", g.op("IsNaN", x), cols), g.const(0.0), x)
    if any(missing.zero_as_nan):
        cols = g.const([missing.zero_as_nan], np.bool_)
        tiny = g.op("LessOrEqual", g.op("Abs", x), g.const(LGB_ZERO))
        x = g.op("Where", g.op("And", tiny, cols), g.const(np.nan), x)
    for value in missing.values:
        x = g.op("Where", g.op("Equal", x, g.const(value)), g.const(np.nan), x)
    return x


# --- LightGBM: onnxmltools' converter on a copy whose objective it accepts ---------------------


def _float32_thresholds(line: str) -> str:
    """A LightGBM model-text line ``threshold=...`` with each split threshold ``t`` (a double)
    replaced by the largest float32 ``<= t``; other lines unchanged.

    LightGBM sends ``x <= t`` left in double precision; the ONNX trees compare float32 values.  For a
    float32 feature value ``x``, ``x <= t`` exactly when ``x <= floor32(t)``, whereas the float32
    nearest to ``t`` may be ``x`` itself with ``x > t`` (it happened on 1 row in 10^5 with 600 trees).
    """
    if not line.startswith("threshold="):
        return line
    t = np.array(line[len("threshold=") :].split(), dtype=np.float64)
    f = t.astype(np.float32)
    above = f.astype(np.float64) > t
    f[above] = np.nextafter(f[above], np.float32(-np.inf))
    return "threshold=" + " ".join(repr(float(v)) for v in f)


def _check_lightgbm_text(text: str) -> None:
    header = text[: text.find("\nTree=")]
    if "\nlinear_tree=1" in text or "\nis_linear=1" in text:
        raise ValueError("model: LightGBM linear trees (linear_tree=True) cannot be exported to ONNX")
    if any(line.startswith("num_cat=") and line != "num_cat=0" for line in text.splitlines()):
        raise ValueError(
            "model: the booster has categorical splits, which bf.to_onnx does not export; train with the "
            "categories encoded as numbers (categorical_feature=[]) to deploy through ONNX"
        )
    if "\naverage_output" in header:
        raise ValueError("model: a random forest (boosting='rf') cannot be exported by bf.to_onnx")


def _lightgbm_missing_types(text: str, types: dict[int, int]) -> None:
    """Add each split feature's ``missing_type`` in the model text to ``types`` (feature -> code);
    a feature read two ways (by two boosters of one multilabel model) raises ``ValueError``."""
    lines = text.split("\n")
    features = [line[len("split_feature=") :].split() for line in lines if line.startswith("split_feature=")]
    decisions = [line[len("decision_type=") :].split() for line in lines if line.startswith("decision_type=")]
    for feats, kinds in zip(features, decisions, strict=True):
        for f, d in zip(feats, kinds, strict=True):
            code = (int(d) >> 2) & 3
            if types.setdefault(int(f), code) != code:
                raise ValueError(
                    f"model: feature {f} is read with two missing-value conventions (missing_type {types[int(f)]} "
                    f"and {code}), which one ONNX graph cannot express"
                )


def _lightgbm_converted(text: str, n_outputs: int, n_features: int) -> Any:
    """onnxmltools' conversion of a LightGBM model text (its best iteration) whose objective is
    rewritten to ``regression`` (binary) or ``multiclass`` (the converter refuses ``custom``/``none``)."""
    import lightgbm as lgb
    from onnxmltools import convert_lightgbm
    from onnxmltools.convert.common.data_types import FloatTensorType

    objective = "regression" if n_outputs == 1 else f"multiclass num_class:{n_outputs}"
    # thresholds rewritten, so the byte sizes of the trees ("tree_sizes=") no longer hold: LightGBM
    # then reads the trees one after the other
    skip = ("objective=", "tree_sizes=")
    lines = [_float32_thresholds(line) for line in text.split("\n") if not line.startswith(skip)]
    i = next(j for j, line in enumerate(lines) if line.startswith("num_class="))
    lines.insert(i, f"objective={objective}")
    copy = lgb.Booster(model_str="\n".join(lines))
    copy.params["objective"] = objective.split()[0]
    return convert_lightgbm(copy, initial_types=[("X", FloatTensorType([None, n_features]))], zipmap=False)


def _converted_attributes(converted: Any, n_outputs: int) -> dict[str, Any]:
    """The tree nodes of the converter's single ``TreeEnsembleRegressor``/``Classifier`` as the
    attributes of a ``TreeEnsembleRegressor`` with ``n_outputs`` targets (no base values, no
    post transform: its output is the plain sum of the trees, per class)."""
    from onnx import helper

    ensembles = [n for n in converted.graph.node if n.op_type in ("TreeEnsembleRegressor", "TreeEnsembleClassifier")]
    if len(ensembles) != 1:
        raise RuntimeError(f"onnxmltools wrote {len(ensembles)} tree ensembles where one was expected")
    attrs: dict[str, Any] = {}
    for attr in ensembles[0].attribute:
        value = helper.get_attribute_value(attr)
        if attr.name.startswith("nodes_") or attr.name.startswith("target_"):
            attrs[attr.name] = list(value)
        elif attr.name.startswith("class_"):
            attrs["target_" + attr.name[len("class_") :]] = list(value)
    if "target_ids" not in attrs or (attrs["target_ids"] and max(attrs["target_ids"]) >= n_outputs):
        raise RuntimeError("onnxmltools wrote trees for more outputs than the booster has")
    return attrs


def lightgbm_trees(boosters: list[Any], n_outputs: int) -> tuple[dict[str, Any], Missing]:
    """The ensemble of LightGBM boosters (one binary or multiclass booster; or one binary booster
    per label of a multilabel model, booster ``l`` feeding output ``l``) and its missing values."""
    n_features = int(boosters[0].num_feature())
    per_booster = 1 if len(boosters) > 1 else n_outputs
    attrs: dict[str, Any] = {}
    types: dict[int, int] = {}
    tree_offset = 0
    for label, booster in enumerate(boosters):
        text = booster.model_to_string()  # num_iteration=None: the best iteration when there is one
        _check_lightgbm_text(text)
        _lightgbm_missing_types(text, types)
        part = _converted_attributes(_lightgbm_converted(text, per_booster, n_features), per_booster)
        for key in ("nodes_treeids", "target_treeids"):
            part[key] = [t + tree_offset for t in part[key]]
        if len(boosters) > 1:
            part["target_ids"] = [label] * len(part["target_ids"])
        tree_offset = max(part["nodes_treeids"], default=tree_offset - 1) + 1
        for key, values in part.items():
            attrs.setdefault(key, []).extend(values)
    nan_as_zero = tuple(types.get(f) == _LGB_NONE for f in range(n_features))
    zero_as_nan = tuple(types.get(f) == _LGB_ZERO for f in range(n_features))
    return attrs, Missing(nan_as_zero, zero_as_nan)


# --- XGBoost: read from its JSON model -------------------------------------------------------------


def _xgboost_model_json(booster: Any) -> dict[str, Any]:
    """The ``gbtree`` model of an XGBoost booster (XGBoost's JSON)."""
    config = json.loads(booster.save_config())["learner"]
    kind = config["gradient_booster"]["name"]
    if kind != "gbtree":
        raise ValueError(f"model: an XGBoost {kind!r} booster cannot be exported by bf.to_onnx (gbtree only)")
    if any(t == "c" for t in (booster.feature_types or ())):
        raise ValueError(
            "model: the booster has categorical features, which bf.to_onnx does not export; train with the "
            "categories encoded as numbers (enable_categorical=False) to deploy through ONNX"
        )
    model: dict[str, Any] = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]
    return model


def _xgboost_tree(tree: dict[str, Any], t: int, target: int, attrs: dict[str, list[Any]]) -> None:
    """Append one XGBoost tree's nodes (reachable from its root) to ``attrs``: a split sends
    ``x < split_condition`` left (``BRANCH_LT`` in float32, as XGBoost compares) and NaN along
    ``default_left``; a leaf adds ``split_conditions[leaf]`` to output ``target``, or, for a
    vector-leaf tree (``multi_strategy="multi_output_tree"``), ``leaf_weights`` block
    ``right_children[leaf]`` to every output."""
    left, right = tree["left_children"], tree["right_children"]
    size = int(tree["tree_param"].get("size_leaf_vector", "1") or "1")
    if any(tree.get("split_type", ())):
        raise ValueError("model: the booster has categorical splits, which bf.to_onnx does not export")
    stack = [0]
    while stack:
        i = stack.pop()
        leaf = left[i] == -1
        attrs["nodes_treeids"].append(t)
        attrs["nodes_nodeids"].append(i)
        attrs["nodes_modes"].append("LEAF" if leaf else "BRANCH_LT")
        attrs["nodes_featureids"].append(0 if leaf else int(tree["split_indices"][i]))
        attrs["nodes_values"].append(0.0 if leaf else float(tree["split_conditions"][i]))
        attrs["nodes_truenodeids"].append(0 if leaf else int(left[i]))
        attrs["nodes_falsenodeids"].append(0 if leaf else int(right[i]))
        attrs["nodes_missing_value_tracks_true"].append(0 if leaf else int(tree["default_left"][i]))
        if not leaf:
            stack += [int(right[i]), int(left[i])]
            continue
        if size > 1:
            block = tree["leaf_weights"][int(right[i]) * size : (int(right[i]) + 1) * size]
            outputs = list(enumerate(block))
        else:
            outputs = [(target, tree["split_conditions"][i])]
        for out, weight in outputs:
            attrs["target_treeids"].append(t)
            attrs["target_nodeids"].append(i)
            attrs["target_ids"].append(int(out))
            attrs["target_weights"].append(float(weight))


def xgboost_trees(booster: Any, n_outputs: int, missing: tuple[float, ...]) -> tuple[dict[str, Any], Missing]:
    """The ensemble of an XGBoost ``gbtree`` booster (every round it holds; scalar trees assigned to
    outputs by the model's ``tree_info``, vector-leaf trees feeding every output), without its
    intercept, and ``missing`` (besides NaN) as its missing values."""
    model = _xgboost_model_json(booster)
    keys = ("nodes_treeids", "nodes_nodeids", "nodes_modes", "nodes_featureids", "nodes_values",
            "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true",
            "target_treeids", "target_nodeids", "target_ids", "target_weights")  # fmt: skip
    attrs: dict[str, list[Any]] = {key: [] for key in keys}
    for t, (tree, target) in enumerate(zip(model["trees"], model["tree_info"], strict=True)):
        _xgboost_tree(tree, t, int(target), attrs)
    if attrs["target_ids"] and max(attrs["target_ids"]) >= n_outputs:
        raise ValueError(f"model: the booster's trees feed more than the {n_outputs} output(s) of its loss")
    n_features = int(booster.num_features())
    return attrs, Missing((False,) * n_features, (False,) * n_features, missing)


def ensemble_node(g: Graph, x: str, attrs: dict[str, Any], n_outputs: int) -> str:
    """The ``TreeEnsembleRegressor`` node: the plain sum of the trees per output, ``(n, n_outputs)``."""
    node: str = g.op(
        "TreeEnsembleRegressor", x, domain="ai.onnx.ml", n_targets=n_outputs, post_transform="NONE", **attrs
    )
    return node


def feature_count(missing: Missing) -> int:
    """The number of input features (the length of the per-feature conventions)."""
    return len(missing.nan_as_zero)
