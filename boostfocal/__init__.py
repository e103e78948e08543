"""boostfocal: exact focal loss and class-balanced cross-entropy objectives for LightGBM and XGBoost.

The loss objects hold the mathematics; ``boostfocal.lightgbm`` and ``boostfocal.xgboost`` adapt
them to each engine (imported on demand, so an XGBoost user need not install LightGBM).
"""

from __future__ import annotations

from ._numeric import sigmoid, softmax
from ._version import __version__
from .export import to_onnx
from .losses import (
    LOSSES,
    BinaryBalancedCrossEntropy,
    BinaryFocalLoss,
    Loss,
    MulticlassBalancedCrossEntropy,
    MulticlassFocalLoss,
    MultilabelBalancedCrossEntropy,
    MultilabelFocalLoss,
    balanced_alpha,
)
from .persistence import load_model, save_model
from .tuning import TuneResult, tune

__all__ = [
    "LOSSES",
    "BinaryBalancedCrossEntropy",
    "BinaryFocalLoss",
    "Loss",
    "MulticlassBalancedCrossEntropy",
    "MulticlassFocalLoss",
    "MultilabelBalancedCrossEntropy",
    "MultilabelFocalLoss",
    "TuneResult",
    "__version__",
    "balanced_alpha",
    "load_model",
    "save_model",
    "sigmoid",
    "softmax",
    "to_onnx",
    "tune",
]

_LAZY = {"FocalLGBMClassifier": "lightgbm", "FocalXGBClassifier": "xgboost"}


def __getattr__(name: str) -> object:
    """Engine-specific estimators import their engine only when first used."""
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    if name in ("datasets",):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
