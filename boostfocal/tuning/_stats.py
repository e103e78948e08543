"""The statistics of the tuner: ranking, the choice made inside each fold, the corrected test, its power.

**The choice inside each fold.**  The headline does not compare the rows with the best mean over
the test folds: a maximum of many noisy means is optimistic (the winner's curse), the more so the
wider the grid.  Instead, in every outer fold, each family is tuned on that fold's inner
validation split, exactly as the regularisation candidate is:

- *focal*: the focal row with ``gamma > 0`` (any ``alpha`` of the grid) whose validation score is
  best;
- *baseline*: the best of log-loss, balanced cross-entropy and ``scale_pos_weight`` on the same
  split.  Balanced CE is focal loss with ``gamma = 0``, but it is counted as a baseline: it is the
  usual class-weighted cross-entropy, and ``gamma > 0`` is what focal loss adds to it.

The two chosen rows are then scored on the fold's test part, which chose nothing.  Ties go to the
row listed first (the grid's order; log-loss, balanced CE, ``scale_pos_weight``).

**The corrected test.**  With ``J`` paired fold differences ``d_j`` (focal minus baseline), their
mean ``m`` and sample variance ``s^2``, and ``n_test / n_train`` the ratio of test to training
rows of a fold, the Nadeau-Bengio corrected resampled t-test is

    se = sqrt((1/J + n_test/n_train) s^2),   t = m / se,   J - 1 degrees of freedom,

with the two-sided p-value of ``t`` (Nadeau & Bengio, "Inference for the generalization error",
Machine Learning 52, 2003; Bouckaert & Frank, PAKDD 2004, for repeated cross-validation).  The
training sets of the folds overlap, so the naive ``s / sqrt(J)`` is too small.

**Power.**  At level ``a`` the test calls a difference significant when ``|m| > t_{1-a/2, J-1} se``:
that product is the smallest mean difference it detects.  With ``r`` repeats of ``k`` folds
(``J = k r``) and the same fold variance ``s^2``, it is
``t_{1-a/2, kr-1} sqrt((1/(kr) + n_test/n_train) s^2)``, which falls with ``r`` towards
``z_{1-a/2} sqrt(n_test/n_train) s`` and never below: a difference under that floor is out of reach
of any number of repeats.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._engines import BALANCED, BASELINES, FOCAL, LOGLOSS, SPW
from ._metrics import METRICS, MONEY, greater_is_better

#: Significance level of the headline verdict.
SIGNIFICANCE_LEVEL = 0.05
#: Fewer degrees of freedom than this are said to be few, next to the verdict.
FEW_DOF = 5
#: Repeats beyond which the power advice gives up ("more than ...").
MAX_REPEATS = 1_000

#: The log-loss model deciding with a threshold tuned on the inner validation split: a baseline
#: row of the table when money scores are computed (``tune(admin_cost=...)`` or class costs).
THRESHOLD = "log-loss + threshold"

# ties in the ranking go to the simpler model
_SIMPLICITY = {LOGLOSS: 0, THRESHOLD: 1, BALANCED: 2, SPW: 3}


def _label(metric: str) -> str:
    """How a metric is named in the headline: ``PR-AUC``, ``savings``, ``prec@budget``."""
    table = {**METRICS, **MONEY}
    return table[metric].label if metric in table else metric


def nadeau_bengio(differences: ArrayLike, test_train_ratio: float) -> tuple[float, float, float]:
    """Corrected resampled t-test of paired fold differences: ``(corrected se, t, two-sided p)``.

    ``se = sqrt((1/J + n_test/n_train) s^2)`` with ``s^2`` the sample variance of the ``J``
    differences, ``t = mean / se`` on ``J - 1`` degrees of freedom (scipy's t distribution).
    Identical differences give ``t = ±inf, p = 0`` (or ``t = 0, p = 1`` when they are all 0).
    """
    from scipy import stats

    d = np.asarray(differences, dtype=np.float64)
    j = d.size
    if j < 2:
        raise ValueError("the corrected t-test needs at least two folds")
    mean = float(d.mean())
    var = float(d.var(ddof=1))
    se = math.sqrt((1.0 / j + test_train_ratio) * var)
    if se == 0.0:
        return 0.0, (0.0 if mean == 0.0 else math.copysign(math.inf, mean)), (1.0 if mean == 0.0 else 0.0)
    t = mean / se
    return se, t, float(2.0 * stats.t.sf(abs(t), df=j - 1))


def minimum_detectable_difference(
    variance: float, n_folds: int, test_train_ratio: float, level: float = SIGNIFICANCE_LEVEL
) -> float:
    """The smallest ``|mean difference|`` the corrected test calls significant at ``level``.

    ``t_{1-level/2, J-1} * sqrt((1/J + n_test/n_train) * variance)`` for ``J = n_folds`` paired
    differences of sample variance ``variance``.
    """
    from scipy import stats

    if n_folds < 2:
        raise ValueError("the corrected t-test needs at least two folds")
    se = math.sqrt((1.0 / n_folds + test_train_ratio) * variance)
    return float(stats.t.ppf(1.0 - level / 2.0, df=n_folds - 1) * se)


def repeats_needed(
    mean_difference: float,
    variance: float,
    folds_per_repeat: int,
    test_train_ratio: float,
    level: float = SIGNIFICANCE_LEVEL,
) -> int | None:
    """Fewest repeats ``r`` of ``folds_per_repeat`` folds at which ``|mean_difference|`` exceeds
    :func:`minimum_detectable_difference` (same fold variance assumed); ``None`` when no ``r`` up
    to ``MAX_REPEATS`` does (the floor ``z sqrt(n_test/n_train variance)`` is above it)."""
    m = abs(float(mean_difference))
    if m == 0.0 or folds_per_repeat < 1:
        return None
    for r in range(1, MAX_REPEATS + 1):
        j = folds_per_repeat * r
        if j >= 2 and m > minimum_detectable_difference(variance, j, test_train_ratio, level):
            return r
    return None


def rank(rows: Sequence[Any], metric: str) -> list[int]:
    """Indices of ``rows`` best first by their mean ``metric`` (NaN last); ties go to the simpler
    model: log-loss, then the other baselines, then the focal rows in grid order."""
    higher = greater_is_better(metric)

    def key(i: int) -> tuple[float, int, int]:
        value = rows[i].mean(metric)
        value = np.inf if math.isnan(value) else (-value if higher else value)
        return value, _SIMPLICITY.get(rows[i].kind, 4), i

    return sorted(range(len(rows)), key=key)


def in_focal_family(row: Any) -> bool:
    """A focal row with ``gamma > 0``: what focal loss adds to weighted cross-entropy."""
    return row.kind == FOCAL and row.gamma is not None and row.gamma > 0


def in_baseline_family(row: Any) -> bool:
    """Log-loss (with the Bayes rule, or with a tuned threshold), balanced cross-entropy (focal
    ``gamma = 0``) or ``scale_pos_weight``."""
    return row.kind in BASELINES or row.kind == THRESHOLD


def choose_in_fold(rows: Sequence[Any], fold: int, metric: str) -> Any | None:
    """The row of ``rows`` with the best validation score in ``fold`` (ties and NaN: the earlier
    row); ``None`` when no row has a validation score there."""
    higher = greater_is_better(metric)
    best, best_value = None, math.nan
    for r in rows:
        values = r.extra.get("validation_score")
        value = math.nan if values is None or fold >= len(values) else float(values[fold])
        if math.isnan(value):
            continue
        if best is None or (value > best_value if higher else value < best_value):
            best, best_value = r, value
    return best


@dataclass(frozen=True)
class Comparison:
    """The headline: focal loss tuned inside each fold against the baseline tuned inside each fold.

    In every outer fold the focal row (``gamma > 0``) and the baseline with the best score on the
    fold's inner validation split are chosen, then scored on the test fold: ``folds`` lists, per
    fold, ``{"focal": row name, "baseline": row name, "difference": focal minus baseline}``.
    ``wins`` counts the folds where focal is better (higher, or lower for a loss); ``p_value`` is
    the two-sided Nadeau-Bengio corrected t-test; ``minimum_detectable`` the smallest mean
    difference the test would call significant at :data:`SIGNIFICANCE_LEVEL`; ``repeats_needed``
    how many repeats of the folds would bring the observed difference within reach (same fold
    variance; ``None`` if none up to ``MAX_REPEATS`` would, or the folds are not repeats of a
    fixed number).
    """

    metric: str
    folds: tuple[dict[str, Any], ...]
    mean_difference: float
    corrected_se: float
    t: float
    dof: int
    p_value: float
    wins: int
    test_train_ratio: float
    greater_is_better: bool
    minimum_detectable: float
    folds_per_repeat: int | None = None
    repeats_needed: int | None = None
    level: float = SIGNIFICANCE_LEVEL
    focal: str = field(default="focal loss (gamma > 0), gamma and alpha chosen inside each fold")
    baseline: str = field(default="the baseline chosen inside each fold")
    baselines: tuple[str, ...] = ()

    @property
    def differences(self) -> tuple[float, ...]:
        """Focal minus baseline on each test fold."""
        return tuple(f["difference"] for f in self.folds)

    @property
    def n_folds(self) -> int:
        """Number of paired test folds."""
        return len(self.folds)

    @property
    def significant(self) -> bool:
        """Whether ``p_value`` is below :attr:`level` (two-sided)."""
        return self.p_value < self.level

    @property
    def focal_is_better(self) -> bool:
        """Whether the mean paired difference favours focal loss (higher, or lower for a loss)."""
        return self.mean_difference > 0 if self.greater_is_better else self.mean_difference < 0

    @property
    def verdict(self) -> str:
        """The comparison in one plain sentence whose wording follows the sign of the difference:
        significantly better, significantly worse, or no significant difference (and which side
        the folds leaned to)."""
        if self.significant and self.focal_is_better:
            return "focal loss is significantly better here"
        if self.significant:
            return "focal loss is significantly worse here"
        if self.mean_difference == 0:
            return "no significant difference between focal loss and the baseline here (they tie)"
        side = "ahead" if self.focal_is_better else "behind"
        return (
            f"no significant difference between focal loss and the baseline here (focal loss {side}, "
            "but not beyond the noise of the folds)"
        )

    @property
    def few_folds(self) -> bool:
        """Whether fewer than ``FEW_DOF`` degrees of freedom back the test."""
        return self.dof < FEW_DOF

    def choices(self, family: str) -> list[tuple[str, int]]:
        """How often each row was chosen for ``family`` (``"focal"`` or ``"baseline"``), most first."""
        counts = Counter(f[family] for f in self.folds)
        order = {name: i for i, name in enumerate(f[family] for f in self.folds)}
        return sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))

    def power_note(self) -> str:
        """What the test could have detected, in plain words, and what more folds would change."""
        label = _label(self.metric)
        text = (
            f"What the test can see: with folds that vary as much as these, only a mean {label} difference of "
            f"at least {self.minimum_detectable:.4f} would count as significant; the observed one is "
            f"{self.mean_difference:+.4f}"
        )
        if self.folds_per_repeat is None:
            return text + "."
        if self.repeats_needed is None:
            return text + (
                f"; no number of repeats of the {self.folds_per_repeat} folds would make a difference this small "
                "significant: it is within the noise of the folds."
            )
        r = self.repeats_needed
        return text + (
            f". Repeating the {self.folds_per_repeat} folds {r} times (--repeats {r}) would make it significant "
            "if the folds keep varying this much."
        )

    def summary(self) -> str:
        """The comparison in a few lines: the chosen rows, the paired difference with its corrected
        test, the verdict, and (when not significant) what the test could have detected."""
        label = _label(self.metric)

        def chosen(family: str) -> str:
            return ", ".join(f"{name} {k}/{self.n_folds}" for name, k in self.choices(family))

        among = ", ".join(
            "balanced CE = focal gamma=0 alpha=balanced" if name == BALANCED else name for name in self.baselines
        )
        lines = [
            f"Headline: focal loss (gamma > 0; gamma and alpha chosen inside each fold on its inner validation "
            f"split) vs the best baseline chosen the same way ({among}), {label} on the outer test folds: "
            f"paired difference "
            f"{self.mean_difference:+.4f} (corrected se {self.corrected_se:.4f}, t = {self.t:.2f}, {self.dof} dof, "
            f"p = {self.p_value:.3f}), better in {self.wins} of {self.n_folds} folds",
            f"  chosen in the folds: focal {chosen('focal')}; baseline {chosen('baseline')}",
            f"Verdict (Nadeau-Bengio corrected t-test, level {self.level:g}): {self.verdict}."
            + (
                f" Only {self.dof} degrees of freedom back it ({self.n_folds} folds): a rough guide, not proof."
                if self.few_folds
                else ""
            ),
        ]
        if not self.significant:
            lines.append(self.power_note())
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready data, the verdict and the per-fold choices included."""
        return {
            "metric": self.metric,
            "focal": self.focal,
            "baseline": self.baseline,
            "baselines": list(self.baselines),
            "folds": [dict(f) for f in self.folds],
            "differences": list(self.differences),
            "mean_difference": self.mean_difference,
            "corrected_se": self.corrected_se,
            "t": self.t,
            "dof": self.dof,
            "p_value": self.p_value,
            "test": "Nadeau-Bengio corrected resampled t-test, two-sided",
            "test_train_ratio": self.test_train_ratio,
            "wins": self.wins,
            "n_folds": self.n_folds,
            "level": self.level,
            "significant": self.significant,
            "verdict": self.verdict,
            "minimum_detectable_difference": self.minimum_detectable,
            "folds_per_repeat": self.folds_per_repeat,
            "repeats_needed": self.repeats_needed,
        }


def compare(
    rows: Sequence[Any],
    metric: str,
    test_train_ratio: float,
    n_folds: int,
    folds_per_repeat: int | None = None,
    level: float = SIGNIFICANCE_LEVEL,
) -> Comparison | None:
    """The headline :class:`Comparison`: per fold, the focal row and the baseline chosen on the
    inner validation split, their test-fold difference, the corrected test and its power.

    ``None`` without a focal row with ``gamma > 0``, without baselines, with fewer than two folds,
    or when a fold has no validation score to choose by.
    """
    focal_rows = [r for r in rows if in_focal_family(r)]
    base_rows = [r for r in rows if in_baseline_family(r)]
    if not focal_rows or not base_rows or n_folds < 2:
        return None
    folds: list[dict[str, Any]] = []
    for f in range(n_folds):
        focal, base = choose_in_fold(focal_rows, f, metric), choose_in_fold(base_rows, f, metric)
        if focal is None or base is None:
            return None
        diff = float(focal.scores[metric][f]) - float(base.scores[metric][f])
        folds.append({"focal": focal.name, "baseline": base.name, "difference": diff})
    d = np.array([f["difference"] for f in folds], dtype=np.float64)
    se, t, p = nadeau_bengio(d, test_train_ratio)
    var = float(d.var(ddof=1))
    higher = greater_is_better(metric)
    return Comparison(
        metric=metric,
        folds=tuple(folds),
        mean_difference=float(d.mean()),
        corrected_se=se,
        t=t,
        dof=d.size - 1,
        p_value=p,
        wins=int(np.sum(d > 0 if higher else d < 0)),
        test_train_ratio=test_train_ratio,
        greater_is_better=higher,
        minimum_detectable=minimum_detectable_difference(var, d.size, test_train_ratio, level),
        folds_per_repeat=folds_per_repeat,
        repeats_needed=None
        if folds_per_repeat is None
        else repeats_needed(float(d.mean()), var, folds_per_repeat, test_train_ratio, level),
        level=level,
        baselines=tuple(r.name for r in base_rows),
    )
