"""Cross-validated tuning of the focal-loss parameters gamma and alpha, against the usual baselines.

:func:`tune` is the entry point; :class:`TuneResult` what it returns.  The package is split by
concern:

- ``._inputs``: checks of the data, labels, weights, categorical columns, grids and folds;
- ``._engines``: the engines as the tuner drives them, and :func:`check_params`;
- ``._search``: the folds' fits, run in parallel through joblib, and the regularisation choice;
- ``._metrics``: the scores;
- ``._stats``: the statistics: ranking, the choice of the focal row and the baseline inside
  each fold, the Nadeau-Bengio corrected t-test and its power;
- ``._result``: the result and its report: table, JSON, snippet;
- ``._tune``: :func:`tune` itself, and :func:`plan`, what it will fit.

Nothing here imports matplotlib or pandas at import time: :meth:`TuneResult.plot` needs the
``plot`` extra, :attr:`TuneResult.table` and categorical features need pandas.
"""

from __future__ import annotations

from ._engines import (
    BALANCED,
    BASELINES,
    ENGINES,
    FOCAL,
    LOGLOSS,
    SPW,
    check_params,
)
from ._grid import DEFAULT_REGULARIZATION, DEFAULT_SCALE_POS_WEIGHT_SEARCH
from ._metrics import DEFAULT_PRECISION_LEVEL, METRICS, average_precision, recall_at_precision
from ._result import ConfigResult, TuneResult
from ._stats import (
    SIGNIFICANCE_LEVEL,
    Comparison,
    minimum_detectable_difference,
    nadeau_bengio,
    repeats_needed,
)
from ._tune import (
    DEFAULT_ALPHAS,
    DEFAULT_CV,
    DEFAULT_EARLY_STOPPING_ROUNDS,
    DEFAULT_GAMMAS,
    DEFAULT_LEARNING_RATE,
    DEFAULT_N_ESTIMATORS,
    DEFAULT_VALIDATION_FRACTION,
    TunePlan,
    plan,
    tune,
)

__all__ = [
    "BALANCED",
    "BASELINES",
    "DEFAULT_ALPHAS",
    "DEFAULT_CV",
    "DEFAULT_EARLY_STOPPING_ROUNDS",
    "DEFAULT_GAMMAS",
    "DEFAULT_LEARNING_RATE",
    "DEFAULT_N_ESTIMATORS",
    "DEFAULT_PRECISION_LEVEL",
    "DEFAULT_REGULARIZATION",
    "DEFAULT_SCALE_POS_WEIGHT_SEARCH",
    "DEFAULT_VALIDATION_FRACTION",
    "ENGINES",
    "FOCAL",
    "LOGLOSS",
    "METRICS",
    "SIGNIFICANCE_LEVEL",
    "SPW",
    "Comparison",
    "ConfigResult",
    "TunePlan",
    "TuneResult",
    "average_precision",
    "check_params",
    "minimum_detectable_difference",
    "nadeau_bengio",
    "plan",
    "recall_at_precision",
    "repeats_needed",
    "tune",
]
