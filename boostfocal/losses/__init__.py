"""Focal loss and alpha-balanced cross-entropy: value, gradient, Hessian, initial score, posterior.

This package is the only place in boostfocal that holds loss mathematics.  Engine adapters,
estimators, metrics and the tuner all call the objects defined here.

Notation: ``z`` is the raw margin the booster outputs, ``sigma`` the logistic function,
``gamma >= 0`` the focusing parameter and ``alpha`` the class weights.  Sample weights
multiply the loss, the gradient and the Hessian.

Modules: ``_kernels`` (the numpy reference kernels and the choice of the compiled ones),
``_kinds`` (the kind of output: binary, softmax of ``K``, ``L`` independent labels), ``_base``
(checked labels and the common methods), ``_binary``, ``_multiclass``, ``_multilabel`` (the loss
classes) and ``_registry`` (:data:`LOSSES`, :func:`balanced_alpha`, :func:`focal_loss_for`).

References
----------
Lin, Goyal, Girshick, He, Dollar. "Focal Loss for Dense Object Detection", ICCV 2017.
https://arxiv.org/abs/1708.02002

Charoenphakdee, Vongkulbhisal, Chairatanakul, Sugiyama. "On Focal Loss for Class-Posterior
Probability Estimation: A Theoretical Perspective", CVPR 2021. https://arxiv.org/abs/2011.09172
"""

from __future__ import annotations

from ._base import _kernel_input, _Labels, _Loss, _MultilabelLabels, _out_like
from ._binary import BinaryBalancedCrossEntropy, BinaryFocalLoss
from ._kernels import HESSIAN_FLOOR, _log_focal_slope, _optimal_constant, _posterior_scores
from ._kinds import BinaryOutput, IndependentOutputs, OutputKind, SoftmaxOutput
from ._multiclass import MulticlassBalancedCrossEntropy, MulticlassFocalLoss
from ._multilabel import MultilabelBalancedCrossEntropy, MultilabelFocalLoss
from ._registry import LOSSES, Loss, balanced_alpha, focal_loss_for, prior_shift

__all__ = [
    "HESSIAN_FLOOR",
    "LOSSES",
    "BinaryBalancedCrossEntropy",
    "BinaryFocalLoss",
    "BinaryOutput",
    "IndependentOutputs",
    "Loss",
    "MulticlassBalancedCrossEntropy",
    "MulticlassFocalLoss",
    "MultilabelBalancedCrossEntropy",
    "MultilabelFocalLoss",
    "OutputKind",
    "SoftmaxOutput",
    "balanced_alpha",
    "focal_loss_for",
    "prior_shift",
]

# the private names other modules and the tests reach
_PRIVATE = (_kernel_input, _Labels, _Loss, _MultilabelLabels, _out_like, _log_focal_slope, _optimal_constant,
            _posterior_scores)  # fmt: skip
