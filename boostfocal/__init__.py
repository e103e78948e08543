"""boostfocal: exact focal loss and class-balanced cross-entropy objectives for LightGBM and XGBoost.

The loss objects hold the mathematics; ``boostfocal.lightgbm`` and ``boostfocal.xgboost`` adapt
them to each engine (imported on demand, so an XGBoost user need not install LightGBM).
"""

from __future__ import annotations

from ._numeric import sigmoid, softmax
from .losses import (
    LOSSES,
    BinaryBalancedCrossEntropy,
    BinaryFocalLoss,
    Loss,
    MulticlassBalancedCrossEntropy,
    MulticlassFocalLoss,
    balanced_alpha,
)

__version__ = "0.1.0"

__all__ = [
    "BinaryFocalLoss",
    "MulticlassFocalLoss",
    "BinaryBalancedCrossEntropy",
    "MulticlassBalancedCrossEntropy",
    "LOSSES",
    "Loss",
    "balanced_alpha",
    "sigmoid",
    "softmax",
    "__version__",
]
