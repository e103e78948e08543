"""Tests for boostfocal.datasets: make_fraud and make_multilabel_fraud."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from boostfocal.datasets import make_fraud, make_multilabel_fraud

N_FEATURES_DEFAULT = 2 + 3 + 8 + 4 + 8  # amount, hour, 3 categoricals, 8 v, 4 redundant, 8 noise


@pytest.fixture(scope="module")
def rich() -> tuple[np.ndarray, np.ndarray]:
    """A sample with many positives, so univariate signal can be measured."""
    return make_fraud(40_000, positive_rate=0.05, random_state=7)


def test_shapes_and_dtypes() -> None:
    X, y = make_fraud(5_000, random_state=0)
    assert X.shape == (5_000, N_FEATURES_DEFAULT)
    assert X.dtype == np.float64
    assert y.shape == (5_000,)
    assert np.issubdtype(y.dtype, np.integer)
    assert set(np.unique(y).tolist()) <= {0, 1}
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize(
    ("kwargs", "n_features"),
    [
        ({"n_informative": 3, "n_redundant": 2, "n_noise": 1, "n_categorical": 5}, 2 + 5 + 3 + 2 + 1),
        ({"n_informative": 0, "n_redundant": 0, "n_noise": 0, "n_categorical": 0}, 2),
        ({"n_informative": 1, "n_redundant": 0, "n_noise": 0, "n_categorical": 1}, 4),
    ],
)
def test_feature_counts(kwargs: dict[str, int], n_features: int) -> None:
    X, y = make_fraud(2_000, positive_rate=0.05, random_state=1, **kwargs)
    assert X.shape == (2_000, n_features)
    assert y.shape == (2_000,)


def test_single_row_and_generator_input() -> None:
    X, y = make_fraud(1, random_state=np.random.default_rng(3))
    assert X.shape == (1, N_FEATURES_DEFAULT)
    assert y.shape == (1,)


def test_deterministic_under_random_state() -> None:
    X1, y1 = make_fraud(3_000, positive_rate=0.02, random_state=42)
    X2, y2 = make_fraud(3_000, positive_rate=0.02, random_state=42)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make_fraud(3_000, positive_rate=0.02, random_state=43)
    assert not np.array_equal(X1, X3)
    # Equal generators give equal data too.
    X4, _ = make_fraud(3_000, positive_rate=0.02, random_state=np.random.default_rng(42))
    X5, _ = make_fraud(3_000, positive_rate=0.02, random_state=np.random.default_rng(42))
    np.testing.assert_array_equal(X4, X5)


@pytest.mark.parametrize(
    ("n", "rate", "label_noise"),
    [(200_000, 0.002, 0.05), (50_000, 0.01, 0.0), (50_000, 0.01, 0.4), (20_000, 0.3, 0.2), (5_000, 0.9, 0.0)],
)
def test_realised_positive_rate(n: int, rate: float, label_noise: float) -> None:
    _, y = make_fraud(n, positive_rate=rate, label_noise=label_noise, random_state=11)
    # The observed label is Bernoulli(rate) per row: allow 5 binomial standard deviations.
    tol = 5.0 * math.sqrt(rate * (1.0 - rate) / n)
    assert abs(y.mean() - rate) < tol, (y.mean(), rate, tol)


def test_categoricals_integer_coded_with_few_levels() -> None:
    X, _ = make_fraud(20_000, positive_rate=0.02, n_categorical=5, random_state=2)
    cats = X[:, 2:7]
    np.testing.assert_array_equal(cats, np.round(cats))
    assert cats.min() >= 0
    for j, max_levels in enumerate([20, 12, 4, 8, 8]):
        levels = np.unique(cats[:, j])
        assert 2 <= levels.size <= max_levels
        assert levels.max() < max_levels


def test_amounts_heavy_tailed_and_hours_in_range() -> None:
    X, _ = make_fraud(50_000, random_state=3)
    amount, hour = X[:, 0], X[:, 1]
    assert np.all(amount > 0)
    assert amount.max() / np.median(amount) > 20
    centred = amount - amount.mean()
    skew = np.mean(centred**3) / np.std(amount) ** 3
    assert skew > 3
    assert np.all((hour >= 0) & (hour < 24))


def test_noise_features_carry_no_signal_informative_ones_do(rich: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = rich
    informative = X[:, 5:13]
    noise = X[:, 17:25]
    inf_auc = np.array([roc_auc_score(y, col) for col in informative.T])
    noise_auc = np.array([roc_auc_score(y, col) for col in noise.T])
    # About 2,000 positives: the AUC standard error of a useless feature is about 0.007.
    assert np.all(np.abs(noise_auc - 0.5) < 0.035), noise_auc
    assert np.all(np.abs(inf_auc - 0.5) > 0.05), inf_auc
    # Amount, hour and the risky categories matter as well.
    amount_auc = roc_auc_score(y, X[:, 0])
    assert abs(amount_auc - 0.5) > 0.05
    risky_merchant = np.isin(X[:, 2], [4, 11, 17])
    assert y[risky_merchant].mean() > 2 * y[~risky_merchant].mean()


def test_redundant_features_are_linear_in_informative(rich: tuple[np.ndarray, np.ndarray]) -> None:
    X, _ = rich
    v = np.column_stack([X[:, 5:13], np.ones(X.shape[0])])
    for j in range(13, 17):
        coef, *_ = np.linalg.lstsq(v, X[:, j], rcond=None)
        resid = X[:, j] - v @ coef
        assert resid.var() / X[:, j].var() < 0.2


def test_as_frame() -> None:
    pd = pytest.importorskip("pandas")
    X_df, y_s = make_fraud(2_000, positive_rate=0.05, n_categorical=4, random_state=5, as_frame=True)
    X, y = make_fraud(2_000, positive_rate=0.05, n_categorical=4, random_state=5)
    assert isinstance(X_df, pd.DataFrame)
    assert isinstance(y_s, pd.Series)
    expected = (
        ["amount", "hour", "merchant_category", "country", "channel", "cat_4"]
        + [f"v{j}" for j in range(1, 9)]
        + [f"redundant_{j}" for j in range(1, 5)]
        + [f"noise_{j}" for j in range(1, 9)]
    )
    assert list(X_df.columns) == expected
    for name in ["merchant_category", "country", "channel", "cat_4"]:
        assert pd.api.types.is_integer_dtype(X_df[name])
    for name in ["amount", "hour", "v1", "redundant_1", "noise_1"]:
        assert X_df[name].dtype == np.float64
    assert pd.api.types.is_integer_dtype(y_s)
    np.testing.assert_array_equal(X_df.to_numpy(dtype=np.float64), X)
    np.testing.assert_array_equal(y_s.to_numpy(), y)


@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"n_samples": -5}, ValueError, "n_samples"),
        ({"n_samples": 10.0}, TypeError, "n_samples"),
        ({"n_samples": True}, TypeError, "n_samples"),
        ({"positive_rate": 0.0}, ValueError, "positive_rate"),
        ({"positive_rate": 1.0}, ValueError, "positive_rate"),
        ({"positive_rate": float("nan")}, ValueError, "positive_rate"),
        ({"positive_rate": "0.1"}, TypeError, "positive_rate"),
        ({"n_informative": -1}, ValueError, "n_informative"),
        ({"n_informative": 2.5}, TypeError, "n_informative"),
        ({"n_redundant": -1}, ValueError, "n_redundant"),
        ({"n_informative": 0, "n_redundant": 2}, ValueError, "n_redundant"),
        ({"n_noise": -1}, ValueError, "n_noise"),
        ({"n_categorical": -2}, ValueError, "n_categorical"),
        ({"n_categorical": None}, TypeError, "n_categorical"),
        ({"label_noise": -0.1}, ValueError, "label_noise"),
        ({"label_noise": 0.5}, ValueError, "label_noise"),
        ({"label_noise": "low"}, TypeError, "label_noise"),
        ({"positive_rate": 0.9, "label_noise": 0.3}, ValueError, "positive_rate"),
        ({"easy_fraction": 1.5}, ValueError, "easy_fraction"),
        ({"random_state": -1}, ValueError, "random_state"),
        ({"random_state": "seed"}, TypeError, "random_state"),
        ({"random_state": 1.5}, TypeError, "random_state"),
        ({"as_frame": "yes"}, TypeError, "as_frame"),
    ],
)
def test_bad_arguments_raise_naming_them(kwargs: dict[str, object], exc: type[Exception], name: str) -> None:
    with pytest.raises(exc, match=name):
        make_fraud(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# make_multilabel_fraud
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def multilabel() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return make_multilabel_fraud(100_000, n_labels=3, random_state=7, return_proba=True)


def test_multilabel_shapes_dtypes_and_ranges(multilabel: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    X, Y, P = multilabel
    assert X.shape == (100_000, 3 + 3 + 2 * 3 + 4) and X.dtype == np.float64 and np.all(np.isfinite(X))
    assert Y.shape == P.shape == (100_000, 3) and np.issubdtype(Y.dtype, np.integer)
    assert set(np.unique(Y).tolist()) == {0, 1}
    assert np.all((P > 0) & (P < 1))
    assert np.all(X[:, 0] > 0) and np.all((X[:, 1] >= 0) & (X[:, 1] < 24))
    assert set(np.unique(X[:, 2]).tolist()) == {0.0, 1.0, 2.0, 3.0}
    X2, Y2 = make_multilabel_fraud(1_000, n_labels=5, n_noise=0, random_state=0)
    assert X2.shape == (1_000, 3 + 3 + 10) and Y2.shape == (1_000, 5)


@pytest.mark.parametrize(
    ("rates", "expected"),
    [(None, (0.02, 0.01, 0.005)), (0.03, (0.03, 0.03, 0.03)), ((0.2, 0.05, 0.002), (0.2, 0.05, 0.002))],
)
def test_multilabel_rates_match_the_known_probabilities(rates: object, expected: tuple[float, ...]) -> None:
    """The mean true probability of each label is its rate (up to the 200 000-row reference
    sample's error), and the labels are Bernoulli draws from those probabilities."""
    n = 150_000
    _, Y, P = make_multilabel_fraud(n, positive_rates=rates, random_state=11, return_proba=True)
    for j, rate in enumerate(expected):
        sd = math.sqrt(rate * (1 - rate) / n)
        assert abs(P[:, j].mean() - rate) < 5 * sd + 0.02 * rate, (j, P[:, j].mean(), rate)
        # given P, the count of positives is a sum of independent Bernoulli(P_i)
        sd_given_p = math.sqrt(np.sum(P[:, j] * (1 - P[:, j])))
        assert abs(Y[:, j].sum() - P[:, j].sum()) < 5 * sd_given_p


def test_multilabel_labels_follow_their_probabilities(multilabel: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    """Binned by the true probability, the observed rate matches the mean probability of the bin;
    the true probabilities rank the labels well (Bayes ROC-AUC) and no noise column does."""
    X, Y, P = multilabel
    for j in range(3):
        edges = np.quantile(P[:, j], [0.5, 0.9, 0.99])
        bins = np.searchsorted(edges, P[:, j])
        for b in range(4):
            m = bins == b
            sd = math.sqrt(np.sum(P[m, j] * (1 - P[m, j]))) / m.sum()
            assert abs(Y[m, j].mean() - P[m, j].mean()) < 5 * sd + 1e-12, (j, b)
        assert roc_auc_score(Y[:, j], P[:, j]) > 0.9
        noise_auc = [roc_auc_score(Y[:, j], X[:, c]) for c in range(12, 16)]
        assert np.all(np.abs(np.array(noise_auc) - 0.5) < 0.05), noise_auc


def test_multilabel_signal_is_shared_and_specific(multilabel: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    """Each label's own features carry signal for it and not for the other labels; the shared
    features carry signal for all; and the labels are positively correlated through them."""
    X, Y, P = multilabel
    for j in range(3):
        own = X[:, 6 + 2 * j]
        for k in range(3):
            auc = roc_auc_score(Y[:, k], own)
            if k == j:
                assert auc > 0.6, (j, k, auc)
            else:
                assert abs(auc - 0.5) < 0.04, (j, k, auc)
        assert roc_auc_score(Y[:, j], X[:, 3]) > 0.6  # shared_1
    corr = np.corrcoef(P.T)
    assert np.all(corr[np.triu_indices(3, 1)] > 0.05)
    _, _, P_indep = make_multilabel_fraud(50_000, shared_signal=0.0, random_state=1, return_proba=True)
    assert np.all(np.abs(np.corrcoef(P_indep.T)[np.triu_indices(3, 1)]) < 0.03)


def _logit_basis(X: np.ndarray, label: int) -> np.ndarray:
    """The terms the documented true logit of ``label`` is a linear combination of."""
    a, b = X[:, 6 + 2 * label], X[:, 7 + 2 * label]
    s1, s2, s3 = X[:, 3], X[:, 4], X[:, 5]
    return np.column_stack([np.ones(len(X)), X[:, 2] >= 2, np.log(X[:, 0]), X[:, 1] < 6.0, s1, s2, s1 * s3, a, a * b])


def test_multilabel_probabilities_are_one_fixed_function_of_the_features() -> None:
    """``logit P`` is the documented linear combination of the features' terms, with the same
    coefficients for every seed and sample size (the intercepts are set on a fixed reference
    sample, not on the sample drawn): one least-squares fit on two samples leaves no residual."""
    X1, _, P1 = make_multilabel_fraud(2_000, random_state=1, return_proba=True)
    X2, _, P2 = make_multilabel_fraud(30_000, random_state=2, return_proba=True)
    X, P = np.vstack([X1, X2]), np.vstack([P1, P2])
    for j in range(3):
        basis = _logit_basis(X, j)
        target = np.log(P[:, j] / (1 - P[:, j]))
        coef, *_ = np.linalg.lstsq(basis, target, rcond=None)
        assert np.max(np.abs(basis @ coef - target)) < 1e-9
        assert abs(coef[-2]) > 0.5 and abs(coef[4]) > 0.3  # label-specific and shared signal
    Xa, Ya, Pa = make_multilabel_fraud(3_000, random_state=5, return_proba=True)
    Xb, Yb, Pb = make_multilabel_fraud(3_000, random_state=5, return_proba=True)
    np.testing.assert_array_equal(Xa, Xb)
    np.testing.assert_array_equal(Ya, Yb)
    np.testing.assert_array_equal(Pa, Pb)
    Xc, _ = make_multilabel_fraud(3_000, random_state=6)
    assert not np.array_equal(Xa, Xc)


def test_multilabel_as_frame() -> None:
    pd = pytest.importorskip("pandas")
    X_df, Y_df, P_df = make_multilabel_fraud(
        1_000, n_labels=2, n_noise=1, random_state=5, as_frame=True, return_proba=True
    )
    X, Y, P = make_multilabel_fraud(1_000, n_labels=2, n_noise=1, random_state=5, return_proba=True)
    assert list(X_df.columns) == [
        "amount", "hour", "channel", "shared_1", "shared_2", "shared_3",
        "specific_1_1", "specific_1_2", "specific_2_1", "specific_2_2", "noise_1",
    ]  # fmt: skip
    assert pd.api.types.is_integer_dtype(X_df["channel"])
    assert list(Y_df.columns) == list(P_df.columns) == ["label_1", "label_2"]
    np.testing.assert_array_equal(X_df.to_numpy(dtype=np.float64), X)
    np.testing.assert_array_equal(Y_df.to_numpy(), Y)
    np.testing.assert_array_equal(P_df.to_numpy(), P)
    assert len(make_multilabel_fraud(10, random_state=0, as_frame=True)) == 2


@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"n_samples": 1.5}, TypeError, "n_samples"),
        ({"n_labels": 0}, ValueError, "n_labels"),
        ({"n_labels": "3"}, TypeError, "n_labels"),
        ({"positive_rates": 0.0}, ValueError, "positive_rates"),
        ({"positive_rates": 0.6}, ValueError, "positive_rates"),
        ({"positive_rates": (0.1, 0.2)}, ValueError, "positive_rates has 2 entries but n_labels=3"),
        ({"positive_rates": (0.1, 0.2, float("nan"))}, ValueError, r"positive_rates\[2\]"),
        ({"positive_rates": "0.1"}, TypeError, "positive_rates"),
        ({"positive_rates": True}, TypeError, "positive_rates"),
        ({"n_noise": -1}, ValueError, "n_noise"),
        ({"shared_signal": 1.5}, ValueError, "shared_signal"),
        ({"shared_signal": None}, TypeError, "shared_signal"),
        ({"random_state": -1}, ValueError, "random_state"),
        ({"as_frame": 1}, TypeError, "as_frame"),
        ({"return_proba": "yes"}, TypeError, "return_proba"),
    ],
)
def test_multilabel_bad_arguments_raise_naming_them(kwargs: dict[str, object], exc: type[Exception], name: str) -> None:
    with pytest.raises(exc, match=name):
        make_multilabel_fraud(**kwargs)  # type: ignore[arg-type]
