"""Shared fixtures for the boostfocal test suite.

Every public loss is enrolled here once, in :data:`LOSS_INSTANCES` (several parameter sets per
class); tests that take the ``loss`` fixture run against all of them, as in scikit-learn's
``sklearn/_loss/tests/test_loss.py``.  A new loss class must be added to this list:
``test_every_registered_loss_is_enrolled`` fails otherwise.

Tests that demonstrate a known, reported, not yet fixed bug carry the ``known_bug`` marker: they
run as strict expected failures (an unexpected pass fails the run, so a fixed bug must have its
marker removed); ``pytest -m "not known_bug"`` deselects them.

Measured error figures (maximum relative errors against reference values and numerical
derivatives) are collected with the ``record_error`` fixture and printed in the terminal summary.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import boostfocal as bf

DATA_DIR = Path(__file__).parent / "data"

LOSS_INSTANCES = [
    bf.BinaryFocalLoss(),
    bf.BinaryFocalLoss(alpha=None, gamma=0.5, hessian="exact"),
    bf.BinaryFocalLoss(alpha=0.9, gamma=1.0, hessian="weighted"),
    bf.BinaryFocalLoss(alpha=0.1, gamma=3.3, hessian="clip"),
    bf.BinaryFocalLoss(alpha=0.5, gamma=0.0),
    bf.BinaryFocalLoss(alpha=0.25, gamma=5.0, hessian="exact"),
    bf.BinaryFocalLoss(alpha=0.7, gamma=1.7),
    bf.BinaryBalancedCrossEntropy(0.25),
    bf.BinaryBalancedCrossEntropy(None),
    bf.MulticlassFocalLoss(3),
    bf.MulticlassFocalLoss(2, alpha=(0.3, 0.7), gamma=0.5, hessian="exact"),
    bf.MulticlassFocalLoss(5, alpha=[0.5, 1.0, 2.0, 0.25, 4.0], gamma=1.5, hessian="weighted"),
    bf.MulticlassFocalLoss(10, alpha=None, gamma=4.2, hessian="clip"),
    bf.MulticlassFocalLoss(4, alpha=np.array([1.0, 2.0, 3.0, 4.0]), gamma=0.0),
    bf.MulticlassFocalLoss(3, alpha=(0.2, 0.5, 0.3), gamma=0.3, hessian="bounded"),
    bf.MulticlassBalancedCrossEntropy(3, [1.0, 2.0, 3.0]),
    bf.MulticlassBalancedCrossEntropy(6, None),
]

BINARY_LOSSES = [loss for loss in LOSS_INSTANCES if not loss.is_multiclass]
MULTICLASS_LOSSES = [loss for loss in LOSS_INSTANCES if loss.is_multiclass]


def loss_id(loss: object) -> str:
    return repr(loss).replace(" ", "")


@pytest.fixture(params=LOSS_INSTANCES, ids=loss_id)
def loss(request: pytest.FixtureRequest) -> bf.Loss:
    """Every enrolled loss instance, one test per instance."""
    return request.param


@pytest.fixture(params=BINARY_LOSSES, ids=loss_id)
def binary_loss(request: pytest.FixtureRequest) -> bf.Loss:
    return request.param


@pytest.fixture(params=MULTICLASS_LOSSES, ids=loss_id)
def multiclass_loss(request: pytest.FixtureRequest) -> bf.Loss:
    return request.param


def exact_version(loss: bf.Loss) -> bf.Loss:
    """The same loss with ``hessian="exact"`` (balanced cross-entropies already are exact)."""
    if isinstance(loss, (bf.BinaryBalancedCrossEntropy, bf.MulticlassBalancedCrossEntropy)):
        return loss
    if loss.is_multiclass:
        return bf.MulticlassFocalLoss(loss.num_class, alpha=loss.alpha, gamma=loss.gamma, hessian="exact")
    return bf.BinaryFocalLoss(alpha=loss.alpha, gamma=loss.gamma, hessian="exact")


def random_data(loss: bf.Loss, n: int, rng: np.random.Generator, scale: float = 30.0) -> tuple[np.ndarray, np.ndarray]:
    """Labels with every class present and raw margins uniform in ``[-scale, scale]``."""
    k = max(loss.num_outputs, 2)
    y = rng.integers(0, k, size=n)
    y[: min(n, k)] = np.arange(min(n, k))
    if loss.is_multiclass:
        raw = rng.uniform(-scale, scale, size=(n, k))
    else:
        raw = rng.uniform(-scale, scale, size=n)
    return y, raw


def _backends() -> list:
    try:
        import numba  # noqa: F401
    except ImportError:
        return ["numpy", pytest.param("numba", marks=pytest.mark.skip(reason="numba not installed"))]
    return ["numpy", "numba"]


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Run a test once with the numpy reference kernels and once with the compiled numba ones.

    ``grad_hess`` dispatches to ``boostfocal._fast`` when numba is installed (the choice is cached
    in ``boostfocal.losses._kernels._fast_module``); the numpy kernels are the fallback.  Both must satisfy
    every property, so the derivative, extreme-margin, policy and reference tests take this fixture.
    """
    from boostfocal import losses

    if request.param == "numpy":
        monkeypatch.setattr(losses._kernels, "_fast_module", None)
        yield request.param
        return
    import numba

    from boostfocal import _fast

    monkeypatch.setattr(losses._kernels, "_fast_module", _fast)
    # One thread: the kernels are element-wise, so the numbers do not depend on the thread count
    # (test_losses.py::test_compiled_kernels_give_the_same_numbers_on_all_threads checks it), and
    # on a loaded machine each multi-threaded OpenMP call on a tiny array costs ~20 ms.
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield request.param
    finally:
        numba.set_num_threads(threads)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240607)


@pytest.fixture(scope="session")
def reference_vectors() -> dict:
    """40-digit reference values (copied from the shared test vectors into tests/data)."""
    with open(DATA_DIR / "focal_reference.json", encoding="utf-8") as fh:
        return json.load(fh)


# --------------------------------------------------------------------------------------
# Measured figures, printed at the end of the run
# --------------------------------------------------------------------------------------

_MEASURED: dict[str, float] = {}


@pytest.fixture(scope="session")
def record_error():
    """``record_error(name, value)`` keeps the maximum value seen under ``name`` for the summary."""

    def record(name: str, value: float) -> None:
        value = float(value)
        _MEASURED[name] = max(_MEASURED.get(name, value), value)

    return record


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "known_bug: demonstrates a reported library bug; expected to fail until it is fixed"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("known_bug")
        if marker is not None:
            item.add_marker(
                pytest.mark.xfail(strict=True, reason="known bug: " + (item.obj.__doc__ or "").strip()[:200])
            )


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _MEASURED:
        return
    terminalreporter.section("boostfocal measured figures")
    for name in sorted(_MEASURED):
        terminalreporter.write_line(f"{name:<70s} {_MEASURED[name]:.3e}")
