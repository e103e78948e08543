"""The tuner's fits through joblib: threads, worker processes, and a Dask cluster via ``joblib.parallel_config``.

A fit's result depends only on its task (one engine thread, a fixed seed), so the table is the
same serial, on two threads, on two loky worker processes, and on a two-process Dask ``LocalCluster`` (the cluster
pattern of ``tests/test_dask.py``).  The cluster test starts its own cluster (about 10 s) and is
skipped without ``distributed``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("lightgbm")
pytest.importorskip("xgboost")

from boostfocal import tuning
from boostfocal.datasets import make_fraud

SMALL = {"n_estimators": 12, "early_stopping_rounds": 4, "progress": False}


def _comparable(res: tuning.TuneResult) -> dict[str, Any]:
    """Everything in the result except the timings and the n_jobs setting."""
    d = res.to_dict()
    for row in [*d["rows"], d["best"]]:
        row.pop("fit_time", None)
    d["settings"].pop("n_jobs", None)
    return d


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return make_fraud(2_000, positive_rate=0.05, random_state=4)


@pytest.fixture(scope="module")
def serial(data: tuple[np.ndarray, np.ndarray]) -> tuning.TuneResult:
    X, y = data
    return tuning.tune(X, y, gammas=(2.0,), cv=2, random_state=5, n_jobs=1, **SMALL)


class PidRecordingScore:
    """A scoring function (PR-AUC of the positive class) that appends the id of the process calling
    it to a file: every fit scores its own models, so the file names the processes that fitted."""

    __name__ = "pr_auc_with_pid"

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __call__(self, y_true: np.ndarray, proba: np.ndarray) -> float:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        return tuning.average_precision(y_true, proba[:, 1])


def test_threads_and_worker_processes_give_the_serial_table(
    data: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    """By default the fits run on threads of this process; under ``parallel_config(backend="loky")``
    in worker processes, more than one of them; the table is the serial one either way."""
    from joblib import parallel_config

    X, y = data
    kw = {"gammas": (2.0,), "cv": 2, "random_state": 5, **SMALL}
    serial = tuning.tune(X, y, n_jobs=1, scoring=PidRecordingScore(tmp_path / "serial.txt"), **kw)
    threads = tuning.tune(X, y, n_jobs=2, scoring=PidRecordingScore(tmp_path / "threads.txt"), **kw)
    with parallel_config(backend="loky"):
        processes = tuning.tune(X, y, n_jobs=2, scoring=PidRecordingScore(tmp_path / "processes.txt"), **kw)
    assert _comparable(threads) == _comparable(serial)
    assert _comparable(processes) == _comparable(serial)
    here = {str(os.getpid())}
    assert set((tmp_path / "serial.txt").read_text().split()) == here
    assert set((tmp_path / "threads.txt").read_text().split()) == here
    worker_pids = set((tmp_path / "processes.txt").read_text().split())
    assert len(worker_pids) >= 2 and not worker_pids & here


def test_engines_get_one_thread_each(data: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = data
    focal_cls, builtin_cls = tuning._engines.estimator_classes("lightgbm")
    threads: list[Any] = []

    def spy(cls: type) -> type:
        class Spy(cls):  # type: ignore[valid-type, misc]
            def fit(self, X: Any, y: Any, **kwargs: Any) -> Any:
                threads.append(self.get_params()["n_jobs"])
                return super().fit(X, y, **kwargs)

        return Spy

    monkeypatch.setattr(tuning._engines, "estimator_classes", lambda e: (spy(focal_cls), spy(builtin_cls)))
    import lightgbm

    train = lightgbm.train

    def on_binned_folds(params: dict[str, Any], *args: Any, **kwargs: Any) -> Any:  # the tuner's own lightgbm.train
        threads.append(params["num_threads"])
        return train(params, *args, **kwargs)

    monkeypatch.setattr(lightgbm, "train", on_binned_folds)
    tuning.tune(X, y, gammas=(2.0,), cv=2, n_jobs=1, regularization=None, **SMALL)
    assert len(threads) >= 2 * 4 and set(threads) == {1}  # every fit of 4 rows in 2 folds


def test_dask_cluster_gives_the_serial_table(data: tuple[np.ndarray, np.ndarray], serial: tuning.TuneResult) -> None:
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("dask")
    from joblib import parallel_config

    X, y = data
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=50
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
            on_dask = tuning.tune(X, y, gammas=(2.0,), cv=2, random_state=5, **SMALL)
        workers = {t["worker"] for t in stream.data}
    assert len(stream.data) >= on_dask.settings["n_fits"]  # every fit ran as a task on the cluster
    assert workers  # on the cluster's workers
    assert _comparable(on_dask) == _comparable(serial)
