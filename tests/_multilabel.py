"""Enrolled multilabel loss instances and their random data (the multilabel counterpart of
``conftest.LOSS_INSTANCES`` and ``conftest.random_data``).

They are kept apart from ``LOSS_INSTANCES`` because the engine tests take every instance there
through the one-booster helpers, which a multilabel loss does not fit on LightGBM (one booster per
label: tests/test_multilabel_engines.py); ``test_losses.py::test_every_registered_loss_is_enrolled``
counts both lists.
"""

from __future__ import annotations

import numpy as np

import boostfocal as bf

MULTILABEL_INSTANCES = [
    bf.MultilabelFocalLoss(3),
    bf.MultilabelFocalLoss(1, alpha=0.25, gamma=2.0, hessian="exact"),
    bf.MultilabelFocalLoss(4, alpha=(0.1, 0.5, 0.9, 0.3), gamma=0.5, hessian="weighted"),
    bf.MultilabelFocalLoss(2, alpha=0.7, gamma=3.3, hessian="clip"),
    bf.MultilabelFocalLoss(5, alpha=None, gamma=0.0),
    bf.MultilabelFocalLoss(3, alpha=[0.2, 0.4, 0.6], gamma=1.7),
    bf.MultilabelFocalLoss(2, alpha=(0.05, 0.95), gamma=5.0, hessian="exact"),
    bf.MultilabelBalancedCrossEntropy(3, (0.9, 0.8, 0.95)),
    bf.MultilabelBalancedCrossEntropy(2, None),
]


def exact_twin(loss: bf.MultilabelFocalLoss) -> bf.MultilabelFocalLoss:
    """The same loss with ``hessian="exact"``."""
    return bf.MultilabelFocalLoss(loss.num_labels, alpha=loss.alpha, gamma=loss.gamma, hessian="exact")


def random_multilabel(
    loss: bf.MultilabelFocalLoss, n: int, rng: np.random.Generator, scale: float = 30.0
) -> tuple[np.ndarray, np.ndarray]:
    """An ``(n, L)`` indicator matrix (both classes in every column when ``n >= 2``, rates between
    0.1 and 0.6) and raw margins uniform in ``[-scale, scale]``."""
    k = loss.num_labels
    y = (rng.random((n, k)) < rng.uniform(0.1, 0.6, size=k)).astype(np.int64)
    if n >= 2:
        y[0], y[1] = 0, 1
    return y, rng.uniform(-scale, scale, size=(n, k))
