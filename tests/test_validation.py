"""Bad input raises ``ValueError``/``TypeError`` naming the argument (DESIGN.md section 6).

Every check goes through the public API (constructors, ``loss``, ``grad_hess``, ``init_score``,
``posterior``, ``balanced_alpha``), and every message must name the offending argument.
"""

from __future__ import annotations

import numpy as np
import pytest

import boostfocal as bf

N = 6
RAW_B = np.linspace(-2, 2, N)
RAW_M = np.linspace(-2, 2, 3 * N).reshape(N, 3)
Y_B = np.array([0, 1, 0, 1, 1, 0])
Y_M = np.array([0, 1, 2, 0, 1, 2])


def binary_calls(loss, y=Y_B, raw=RAW_B, sample_weight=None):
    """Every public method that takes labels, each called with the given arguments."""
    return [
        lambda: loss.loss(y, raw, sample_weight),
        lambda: loss.grad_hess(y, raw, sample_weight),
        lambda: loss.init_score(y, sample_weight),
    ]


# --------------------------------------------------------------------------------------
# Hyper-parameters
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, 1.5, np.nan, np.inf, -np.inf])
def test_binary_alpha_outside_unit_interval(alpha):
    with pytest.raises(ValueError, match=r"\balpha\b.*between 0 and 1"):
        bf.BinaryFocalLoss(alpha=alpha)
    with pytest.raises(ValueError, match=r"\balpha\b"):
        bf.BinaryBalancedCrossEntropy(alpha)


@pytest.mark.parametrize("alpha", ["balanced", "0.25", [0.25, 0.75], True, 1j])
def test_binary_alpha_of_the_wrong_type(alpha):
    with pytest.raises(TypeError, match=r"\balpha\b"):
        bf.BinaryFocalLoss(alpha=alpha)


def test_binary_alpha_string_points_to_balanced_alpha():
    with pytest.raises(TypeError, match="balanced_alpha"):
        bf.BinaryFocalLoss(alpha="balanced")


@pytest.mark.parametrize(
    ("alpha", "message"),
    [
        ([1.0, 2.0], "length num_class=3"),
        ([1.0, 2.0, 3.0, 4.0], "length num_class=3"),
        ([[1.0, 2.0, 3.0]], "length num_class=3"),
        ([1.0, 0.0, 3.0], "> 0"),
        ([1.0, -2.0, 3.0], "> 0"),
        ([1.0, np.nan, 3.0], "finite"),
        ([1.0, np.inf, 3.0], "finite"),
    ],
)
def test_multiclass_alpha_bad_values(alpha, message):
    with pytest.raises(ValueError, match=rf"\balpha\b.*{message}"):
        bf.MulticlassFocalLoss(3, alpha=alpha)
    with pytest.raises(ValueError, match=r"\balpha\b"):
        bf.MulticlassBalancedCrossEntropy(3, alpha)


@pytest.mark.parametrize("alpha", [0.5, "balanced", ["a", "b", "c"], 2])
def test_multiclass_alpha_of_the_wrong_type(alpha):
    with pytest.raises(TypeError, match=r"\balpha\b"):
        bf.MulticlassFocalLoss(3, alpha=alpha)


@pytest.mark.parametrize("gamma", [-1.0, -1e-12, np.nan, np.inf, -np.inf])
def test_gamma_bad_values(gamma):
    with pytest.raises(ValueError, match=r"\bgamma\b.*>= 0"):
        bf.BinaryFocalLoss(gamma=gamma)
    with pytest.raises(ValueError, match=r"\bgamma\b"):
        bf.MulticlassFocalLoss(3, gamma=gamma)


@pytest.mark.parametrize("gamma", ["2", None, True, [2.0], 2j])
def test_gamma_of_the_wrong_type(gamma):
    with pytest.raises(TypeError, match=r"\bgamma\b"):
        bf.BinaryFocalLoss(gamma=gamma)
    with pytest.raises(TypeError, match=r"\bgamma\b"):
        bf.MulticlassFocalLoss(3, gamma=gamma)


@pytest.mark.parametrize("gamma", [0, 2, np.float32(1.5), np.int64(3)])
def test_gamma_accepts_real_numbers(gamma):
    assert bf.BinaryFocalLoss(gamma=gamma).gamma == float(gamma)


@pytest.mark.parametrize("hessian", ["newton", "Bounded", "", "exact "])
def test_hessian_bad_name(hessian):
    with pytest.raises(ValueError, match=r"\bhessian\b.*bounded"):
        bf.BinaryFocalLoss(hessian=hessian)
    with pytest.raises(ValueError, match=r"\bhessian\b"):
        bf.MulticlassFocalLoss(3, hessian=hessian)


@pytest.mark.parametrize("hessian", [None, 1, ["exact"]])
def test_hessian_of_the_wrong_type(hessian):
    with pytest.raises(TypeError, match=r"\bhessian\b"):
        bf.BinaryFocalLoss(hessian=hessian)


@pytest.mark.parametrize("num_class", [1, 0, -3])
def test_num_class_too_small(num_class):
    with pytest.raises(ValueError, match=r"\bnum_class\b.*>= 2"):
        bf.MulticlassFocalLoss(num_class)
    with pytest.raises(ValueError, match=r"\bnum_class\b"):
        bf.MulticlassBalancedCrossEntropy(num_class, None)


@pytest.mark.parametrize("num_class", [2.5, 3.0, "3", None, True])
def test_num_class_not_an_integer(num_class):
    with pytest.raises(TypeError, match=r"\bnum_class\b"):
        bf.MulticlassFocalLoss(num_class)


# --------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "y",
    [
        [0, 1, 2, 1, 0, 1],
        [0, 1, -1, 1, 0, 1],
        [0, 1, 0.5, 1, 0, 1],
        [0, 1, np.nan, 1, 0, 1],
        [0, 1, np.inf, 1, 0, 1],
    ],
    ids=["two", "minus-one", "half", "nan", "inf"],
)
def test_binary_labels_outside_zero_one(y):
    loss = bf.BinaryFocalLoss()
    for call in binary_calls(loss, y=np.array(y, dtype=float)):
        with pytest.raises(ValueError, match=r"\by\b.*0 and 1"):
            call()


def test_binary_labels_bad_shape_and_type():
    loss = bf.BinaryFocalLoss()
    with pytest.raises(ValueError, match=r"\by\b.*1-D"):
        loss.loss(np.zeros((N, 2)), RAW_B)
    with pytest.raises(TypeError, match=r"\by\b.*numeric"):
        loss.loss(np.array(["0", "1", "0", "1", "1", "0"]), RAW_B)
    with pytest.raises(ValueError, match=r"\by\b.*empty"):
        loss.init_score(np.array([]))


def test_binary_labels_accepted_forms():
    loss = bf.BinaryFocalLoss()
    expected = loss.loss(Y_B, RAW_B)
    for y in (Y_B.astype(bool), Y_B.astype(float), Y_B.astype(np.float32), Y_B[:, None], list(Y_B)):
        np.testing.assert_array_equal(loss.loss(y, RAW_B), expected)


@pytest.mark.parametrize(
    ("y", "message"),
    [
        ([0, 1, 3, 0, 1, 2], "0..2"),
        ([0, 1, -1, 0, 1, 2], "0..2"),
        ([0, 1, 1.5, 0, 1, 2], "integer"),
        ([0, 1, np.nan, 0, 1, 2], "NaN"),
        ([0, 1, np.inf, 0, 1, 2], "NaN or infinite"),
    ],
    ids=["too-big", "negative", "non-integer", "nan", "inf"],
)
def test_multiclass_labels_bad_values(y, message):
    loss = bf.MulticlassFocalLoss(3)
    y = np.array(y, dtype=float)
    for call in (lambda: loss.loss(y, RAW_M), lambda: loss.grad_hess(y, RAW_M), lambda: loss.init_score(y)):
        with pytest.raises(ValueError, match=rf"\by\b.*{message}"):
            call()


def test_multiclass_labels_accepted_forms():
    loss = bf.MulticlassFocalLoss(3)
    expected = loss.loss(Y_M, RAW_M)
    for y in (Y_M.astype(float), Y_M.astype(np.uint8), Y_M[:, None], list(Y_M)):
        np.testing.assert_array_equal(loss.loss(y, RAW_M), expected)


# --------------------------------------------------------------------------------------
# Raw scores
# --------------------------------------------------------------------------------------


def test_binary_loss_given_a_score_matrix():
    loss = bf.BinaryFocalLoss()
    for call in (lambda: loss.loss(Y_B, RAW_M), lambda: loss.grad_hess(Y_B, RAW_M)):
        with pytest.raises(ValueError, match=r"\braw\b.*\(6, 3\).*multiclass"):
            call()


@pytest.mark.parametrize("raw", [RAW_B[:-1], np.concatenate([RAW_B, [0.0]]), RAW_B[None, :], np.float64(0.5)])
def test_binary_raw_wrong_length(raw):
    loss = bf.BinaryFocalLoss()
    for call in (lambda: loss.loss(Y_B, raw), lambda: loss.grad_hess(Y_B, raw)):
        with pytest.raises(ValueError, match=r"\braw\b.*expects \(6,\)"):
            call()


@pytest.mark.parametrize(
    "raw",
    [RAW_M[:, 0], RAW_M[:, :2], np.hstack([RAW_M, RAW_M[:, :1]]), RAW_M[:-1], RAW_M[None]],
    ids=["flat", "K-1", "K+1", "n-1", "3-D"],
)
def test_multiclass_raw_wrong_shape(raw):
    loss = bf.MulticlassFocalLoss(3)
    for call in (lambda: loss.loss(Y_M, raw), lambda: loss.grad_hess(Y_M, raw)):
        with pytest.raises(ValueError, match=r"\braw\b.*expects \(6, 3\)"):
            call()
    if raw.ndim == 2 and raw.shape[0] == N:  # wrong K
        with pytest.raises(ValueError, match=r"\braw\b.*num_class=3"):
            loss.posterior(raw)


@pytest.mark.parametrize("raw", [np.array(["1"] * N), np.ones(N, dtype=bool), np.array([None] * N)])
def test_raw_not_numeric(raw):
    with pytest.raises(TypeError, match=r"\braw\b"):
        bf.BinaryFocalLoss().loss(Y_B, raw)


# --------------------------------------------------------------------------------------
# Sample weights
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("w", "message"),
    [
        (np.ones(N - 1), "5 entries but y has 6"),
        (np.ones(N + 1), "7 entries but y has 6"),
        (np.ones((N, 2)), "1-D"),
        (np.array([1, 1, -1e-9, 1, 1, 1.0]), "non-negative"),
        (np.array([1, 1, np.nan, 1, 1, 1.0]), "NaN"),
        (np.array([1, 1, np.inf, 1, 1, 1.0]), "infinite"),
    ],
    ids=["short", "long", "2-D", "negative", "nan", "inf"],
)
def test_sample_weight_bad_values(w, message):
    for loss, y, raw in ((bf.BinaryFocalLoss(), Y_B, RAW_B), (bf.MulticlassFocalLoss(3), Y_M, RAW_M)):
        calls = (
            lambda loss=loss, y=y, raw=raw: loss.loss(y, raw, w),
            lambda loss=loss, y=y, raw=raw: loss.grad_hess(y, raw, w),
            lambda loss=loss, y=y: loss.init_score(y, w),
        )
        for call in calls:
            with pytest.raises(ValueError, match=rf"\bsample_weight\b.*{message}"):
                call()
    with pytest.raises(ValueError, match=r"\bsample_weight\b"):
        bf.balanced_alpha(Y_B, sample_weight=w)


def test_sample_weight_not_numeric():
    with pytest.raises(TypeError, match=r"\bsample_weight\b"):
        bf.BinaryFocalLoss().loss(Y_B, RAW_B, np.array(["1"] * N))


# --------------------------------------------------------------------------------------
# Initial score and balanced weights with a class absent
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loss", "y", "w"),
    [
        (bf.BinaryFocalLoss(), np.zeros(N), None),
        (bf.BinaryFocalLoss(), np.ones(N), None),
        (bf.BinaryBalancedCrossEntropy(0.3), np.zeros(N), None),
        (bf.BinaryFocalLoss(gamma=0.5), Y_B, np.where(Y_B == 1, 0.0, 1.0)),  # positives weigh nothing
        (bf.MulticlassFocalLoss(3), np.array([0, 1, 0, 1, 0, 1]), None),
        (bf.MulticlassFocalLoss(4), Y_M, None),  # class 3 never occurs
        (bf.MulticlassBalancedCrossEntropy(3, None), Y_M, np.where(Y_M == 2, 0.0, 1.0)),
    ],
    ids=["no-positives", "no-negatives", "balanced", "zero-weight", "mc-missing", "mc-K-too-big", "mc-zero-weight"],
)
def test_init_score_with_a_class_absent(loss, y, w):
    with pytest.raises(ValueError, match=r"\by\b.*class"):
        loss.init_score(y, w)


def test_balanced_alpha_bad_input():
    with pytest.raises(ValueError, match=r"\by\b.*class"):
        bf.balanced_alpha(Y_M, num_class=4)
    with pytest.raises(ValueError, match=r"\by\b"):
        bf.balanced_alpha(np.array([0, 1, 1.5]))
    with pytest.raises(ValueError, match=r"\bnum_class\b"):
        bf.balanced_alpha(Y_B, num_class=1)
    with pytest.raises(ValueError, match=r"\by\b"):
        bf.balanced_alpha(Y_M, num_class=2)


def test_errors_leave_nothing_half_done():
    """A rejected call does not modify its inputs (weights, labels, raw scores)."""
    loss = bf.BinaryFocalLoss()
    raw = RAW_B.copy()
    w = np.array([1, 1, -1.0, 1, 1, 1])
    y = Y_B.copy()
    with pytest.raises(ValueError):
        loss.grad_hess(y, raw, w)
    np.testing.assert_array_equal(raw, RAW_B)
    np.testing.assert_array_equal(y, Y_B)
    np.testing.assert_array_equal(w, [1, 1, -1.0, 1, 1, 1])


def test_posterior_with_wrong_number_of_classes():
    with pytest.raises(ValueError, match=r"\braw\b.*num_class=3"):
        bf.MulticlassFocalLoss(3).posterior(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"\braw\b"):
        bf.BinaryFocalLoss().posterior(np.zeros((2, 3)))


@pytest.mark.parametrize(
    "call",
    [
        lambda: bf.BinaryFocalLoss().posterior(np.float64(0.5)),
        lambda: bf.BinaryFocalLoss().link(0.5),
        lambda: bf.MulticlassFocalLoss(3).posterior(np.zeros(3)),
        lambda: bf.MulticlassFocalLoss(3).link(np.zeros(3)),
    ],
    ids=["binary-posterior-scalar", "binary-link-scalar", "multiclass-posterior-row", "multiclass-link-row"],
)
def test_posterior_of_a_single_score_names_the_shape_expected(call):
    """The contract: ``posterior``/``link`` take a batch of margins, ``(n,)`` (binary) or
    ``(n, num_class)`` (multiclass).  A scalar margin, or one ``(K,)`` row, is refused with a
    ``ValueError`` that names the shape expected and the shape given (an earlier message spoke of
    "-1 labels" and a shape "(-1,)")."""
    with pytest.raises(ValueError, match=r"raw must have shape \(n,( num_class)?\), got \((3,)?\)") as info:
        call()
    assert "-1" not in str(info.value)


@pytest.mark.parametrize(
    ("loss", "y"),
    [(bf.BinaryFocalLoss(), Y_B), (bf.BinaryBalancedCrossEntropy(0.3), Y_B), (bf.MulticlassFocalLoss(3), Y_M)],
    ids=["focal", "balanced", "multiclass"],
)
def test_init_score_with_weights_whose_sum_overflows(loss, y):
    """Finite weights whose class total passes the float64 range: a message naming the weights,
    not scipy's "f(a) and f(b) must have different signs"."""
    w = np.full(y.shape[0], 1e308)
    with pytest.raises(ValueError, match=r"sample_weight .*sums to infinity"):
        loss.init_score(y, w)
    with pytest.raises(ValueError, match=r"sample_weight .*sums to infinity"):
        bf.balanced_alpha(y, None if not loss.is_multiclass else 3, w)


def test_balanced_alpha_negative_labels_name_no_giant_num_class():
    with pytest.raises(ValueError, match=r"\by\b must contain non-negative integer class indices") as info:
        bf.balanced_alpha(np.array([-1, 1, 1]))
    assert "num_class" not in str(info.value)
    with pytest.raises(ValueError, match=r"\by\b is empty"):
        bf.balanced_alpha(np.array([]))


@pytest.mark.parametrize("gamma", [1000.5, 1e15])
def test_gamma_above_the_accurate_range(gamma):
    with pytest.raises(ValueError, match=r"gamma must be a number >= 0 and <= 1000 "):
        bf.BinaryFocalLoss(gamma=gamma)
