"""LightGBM's internals, touched here and nowhere else.

Checked by running it on LightGBM 4.7.0 (the attributes ``LGBMClassifier.fit`` sets, read from
its ``sklearn.py``, and the model text; ``tests/test_model_home.py`` checks the latter on every
run).  Two things live here:

* **The fitted state of ``LGBMClassifier``** (its private attributes, which LightGBM's own ``fit``
  writes): :func:`set_fitted` writes all of them, for ``fit`` of the multilabel estimator and for
  loading a model file; :func:`use_objective` sets the objective ``fit`` trains with.
* **The initial score inside a booster's model text.**  LightGBM's model text has no place for
  metadata, so the fact "these trees carry the initial score" is written where LightGBM keeps it
  on every path (checked by ``tests/test_model_home.py``):

  - each tree of the first iteration that carries it has ``shrinkage=0``
    (:data:`CARRIER_SHRINKAGE`).  A tree's shrinkage is a record of the learning rate LightGBM
    applied to its leaves; prediction, SHAP and the model file do not use it.  LightGBM keeps it
    through ``model_to_string``, ``copy.deepcopy``, pickling, its own ``save_model`` and
    ``lgb.Booster(model_file=...)``, and native continued training (``lgb.train(init_model=...)``
    merges the start model's trees, shrinkage included), so a booster continued from one that
    carries its score still says so.  ``Booster.refit`` rescales leaves by the shrinkage and is
    not supported on such a booster.
  - the exact value, and where it lives (``"leaves"``, or ``"beside"`` for linear trees, whose
    leaves ``set_leaf_output`` does not move), is a line ``[boostfocal_init_score: {...}]`` of the
    model text's ``parameters:`` section.  LightGBM keeps a loaded model's parameter text as it
    is, so the line survives ``model_to_string``, deep copies and files, but not continued
    training (the new booster writes its own parameters): then the trees still say "carried",
    with the value unknown.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: The shrinkage written on the first iteration's trees that carry the initial score (LightGBM
#: requires a learning rate > 0, so training never writes 0).
CARRIER_SHRINKAGE = "shrinkage=0"
_PARAM_KEY = "boostfocal_init_score"
_PARAM_LINE = re.compile(r"^\[" + _PARAM_KEY + r": (.*)\]$", re.MULTILINE)
_TREE = re.compile(r"^Tree=(\d+)$", re.MULTILINE)


# --- the fitted state of LGBMClassifier ------------------------------------------------------


def set_fitted(
    est: Any,
    booster: Any,
    classes: NDArray[Any],
    *,
    n_classes: int,
    objective: Any,
    best_iteration: int,
    best_score: Any,
    evals_result: Any,
    fitted_with_feature_names: bool,
    label_encoder: bool = True,
) -> None:
    """Write the fitted attributes ``LGBMClassifier.fit`` sets (LightGBM 4.0-4.7), all in one place.

    ``booster``: an ``lgb.Booster`` or boostfocal's ``MultilabelBooster``; ``label_encoder``: False
    for a multilabel estimator (its classes are the label columns, not encoded labels).
    """
    from sklearn.preprocessing import LabelEncoder

    est._Booster = booster
    est._n_features = est._n_features_in = int(booster.num_feature())
    est._classes = classes
    est._n_classes = n_classes
    if label_encoder:
        le = LabelEncoder()
        le.classes_ = classes
        est._le = le
        est._class_map = {c: i for i, c in enumerate(classes.tolist())}
    else:
        est._le = None
        est._class_map = None
    est._objective = objective
    est._best_iteration = best_iteration
    est._best_score = best_score
    est._evals_result = evals_result
    est._fitted_with_feature_names = fitted_with_feature_names
    est.fitted_ = True


def start_binary_fit(est: Any) -> None:
    """The fields ``LGBMClassifier.fit`` sets before training a binary model (two classes, no
    class weight, the objective set later), for a fit the tuner drives through ``lightgbm.train``."""
    est._n_classes, est._objective, est._class_weight = 2, None, None


def use_objective(est: Any, objective: Any) -> None:
    """The objective ``LGBMClassifier.fit`` trains with (read from ``_objective`` in ``_process_params``)."""
    est._objective = objective


def set_fit_results(est: Any, *, best_score: Any, evals_result: Any) -> None:
    """The fit results of a multilabel estimator: one entry per label."""
    est._best_score = best_score
    est._evals_result = evals_result


def fitted_booster(est: Any) -> Any:
    """The booster ``LGBMClassifier.fit`` left (``booster_`` raises before fitting)."""
    return est._Booster


def fitted_with_feature_names(est: Any) -> bool:
    """Whether ``fit`` saw feature names (LightGBM >= 4.6 records it)."""
    return bool(getattr(est, "_fitted_with_feature_names", False))


# --- the initial score in the model text ---------------------------------------------------------


def _first_trees(text: str, k: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the first ``k`` tree blocks of a model text (``[]`` if it has fewer)."""
    starts = [m.start() for m in _TREE.finditer(text)]
    if len(starts) < k:
        return []
    bounds = [*starts, text.find("\nend of trees")]
    return [(bounds[i], bounds[i + 1]) for i in range(k)]


def read(booster: Any, outputs: int) -> tuple[str, Any] | None:
    """What ``booster``'s model text says of its initial score: ``("leaves", value)`` (value None
    when the trees say so but the exact value is not recorded, after native continued training),
    ``("beside", value)`` (linear trees: the value is added to the booster's margins), or None."""
    if booster.num_trees() < outputs:
        return None
    text = booster.model_to_string(num_iteration=1)
    blocks = _first_trees(text, outputs)
    marked = [CARRIER_SHRINKAGE + "\n" in text[a:b] for a, b in blocks]
    found = _PARAM_LINE.search(text[text.find("\nparameters:") :]) if "\nparameters:" in text else None
    recorded = json.loads(found.group(1)) if found else None
    if any(marked) and not all(marked):
        raise ValueError("the booster's first trees are partly marked as carrying the initial score: a damaged model")
    if all(marked) and marked:
        value = recorded["init_score"] if recorded is not None and recorded.get("in") == "leaves" else None
        return "leaves", value
    if recorded is not None and recorded.get("in") == "beside":
        return "beside", recorded["init_score"]
    if recorded is not None:
        raise ValueError(
            "the booster's model text records an initial score in its leaves, but its first trees are not marked "
            "as carrying it: a damaged or edited model"
        )
    return None


def is_linear(booster: Any) -> bool:
    """Whether the booster's trees are linear (``linear_tree=True``), whose leaves
    ``set_leaf_output`` does not move."""
    return "\nis_linear=1\n" in booster.model_to_string(num_iteration=1)


def carry(booster: Any, row: NDArray[np.float64], value: Any) -> str:
    """Put the initial score ``row`` (one value per tree of an iteration) into ``booster`` (in
    place) and record it in its model text; returns where it lives: ``"leaves"`` (added to every
    leaf of the first iteration's tree of each class), or ``"beside"`` for linear trees."""
    k = row.shape[0]
    where = "beside" if is_linear(booster) else "leaves"
    if where == "leaves":
        trees = booster.dump_model(num_iteration=1)["tree_info"]
        for tree in trees[:k]:
            index = int(tree["tree_index"])
            for leaf in range(int(tree["num_leaves"])):
                booster.set_leaf_output(index, leaf, booster.get_leaf_output(index, leaf) + float(row[index]))
    _rewrite(booster, where, value, k)
    return where


def _rewrite(booster: Any, where: str, value: Any, k: int) -> None:
    """Reload ``booster`` in place from its own model text with the marks of :func:`carry`."""
    text = booster.model_to_string(num_iteration=-1)
    if where == "leaves":
        pieces, last = [], 0
        for a, b in _first_trees(text, k):
            block = re.sub(r"^shrinkage=.*$", CARRIER_SHRINKAGE, text[a:b], count=1, flags=re.MULTILINE)
            pieces += [text[last:a], block]
            last = b
        text = "".join(pieces) + text[last:]
        text = re.sub(r"^tree_sizes=.*\n", "", text, count=1, flags=re.MULTILINE)  # the sizes changed
    text = _PARAM_LINE.sub("", text)
    line = f"[{_PARAM_KEY}: " + json.dumps({"init_score": value, "in": where}, separators=(",", ":")) + "]"
    i = text.find("\nparameters:\n")
    if i < 0:
        raise RuntimeError("LightGBM's model text has no parameters section; this LightGBM is not supported")
    i += len("\nparameters:\n")
    text = text[:i] + line + "\n" + text[i:]
    booster.model_from_string(text)


def record_value(booster: Any, where: str, value: Any, k: int) -> None:
    """Record the exact value of an initial score the trees already carry (a booster continued
    natively from one that carries it, or loaded from a file whose focal state names it)."""
    _rewrite(booster, where, value, k)
