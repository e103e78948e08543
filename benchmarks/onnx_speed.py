"""Scoring time of an exported focal model in onnxruntime next to the estimator's ``predict_proba``.

For each engine, binary and 3 classes: a focal estimator (gamma = 2) trained on synthetic data,
exported with ``bf.to_onnx``; then 10^5 rows scored by ``predict_proba`` (the engine's raw
prediction plus boostfocal's float64 posterior) and by ``onnxruntime`` (the whole graph in float32:
trees, initial score, posterior; the float32 copy of the rows is timed with it).  Both get the
same number of threads.  Medians of interleaved repeats; the largest probability difference
between the two is printed beside them.

    python benchmarks/onnx_speed.py              # about 1 minute on 2 cores
    python benchmarks/onnx_speed.py --quick      # smoke run (results/onnx_speed_quick.md)
"""

from __future__ import annotations

import argparse
import os
import warnings

import numpy as np
from _common import fmt_ms, interleaved, loadavg, md_table, median, spread, write_report

import boostfocal as bf

ROWS = 100_000


def _data(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 20)).astype(np.float32).astype(np.float64)
    signal = X[:, 0] - 0.8 * X[:, 1] + 0.6 * X[:, 2] * X[:, 3] + 0.5 * np.sin(2 * X[:, 4]) + 0.5 * rng.normal(size=n)
    y = (signal > 2.0).astype(int) if k == 2 else np.digitize(signal, [-0.7, 0.7])
    return X, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run (not kept)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads for both (default: all)")
    args = parser.parse_args()
    import onnxruntime as ort

    warnings.simplefilter("ignore")
    n_train, n_trees, repeats = (5_000, 20, 3) if args.quick else (50_000, 200, 5)
    rows = 10_000 if args.quick else ROWS
    threads = args.threads
    load = loadavg()
    print(f"{rows} rows scored, {n_trees} trees per class, {threads} threads, load average {load}")
    table = []
    for engine in ("lightgbm", "xgboost"):
        for k in (2, 3):
            X, y = _data(n_train, k, seed=0)
            X_score, _ = _data(rows, k, seed=1)
            common = dict(gamma=2.0, alpha=None, n_estimators=n_trees, learning_rate=0.1, n_jobs=threads)
            if engine == "lightgbm":
                model = bf.FocalLGBMClassifier(num_leaves=31, verbose=-1, **common).fit(X, y)
            else:
                model = bf.FocalXGBClassifier(max_depth=6, **common).fit(X, y)
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            session = ort.InferenceSession(
                bf.to_onnx(model).SerializeToString(), options, providers=["CPUExecutionProvider"]
            )

            def run_onnx(session=session, X_score=X_score):
                return session.run(["probabilities"], {"X": X_score.astype(np.float32)})[0]

            def run_proba(model=model, X_score=X_score):
                return model.predict_proba(X_score)

            diff = float(np.abs(run_onnx() - run_proba()).max())
            times = interleaved({"predict_proba": run_proba, "onnxruntime": run_onnx}, repeats=repeats)
            per = ROWS / rows
            proba_s, onnx_s = median(times["predict_proba"]) * per, median(times["onnxruntime"]) * per
            table.append(
                [
                    engine,
                    k,
                    fmt_ms(proba_s),
                    fmt_ms(onnx_s),
                    f"{onnx_s / proba_s:.2f}",
                    f"{diff:.1e}",
                    f"{spread([t * per * 1e3 for t in times['predict_proba']])} / "
                    f"{spread([t * per * 1e3 for t in times['onnxruntime']])}",
                ]
            )
            print(table[-1], flush=True)
    header = [
        "engine",
        "classes",
        "predict_proba ms / 10^5 rows",
        "onnxruntime ms / 10^5 rows",
        "onnxruntime / predict_proba",
        "max |proba difference|",
        "min-max ms (proba / onnx)",
    ]
    text = md_table(header, table)
    note = (
        f"{rows} rows per call ({'scaled to' if rows != ROWS else 'reported per'} 10^5), {n_trees} trees per class, "
        f"{threads} threads for both, medians of {repeats} interleaved repeats; load average at start {load}. "
        "onnxruntime computes in float32 (its probabilities differ from predict_proba's float64 by the "
        "amount shown); its time includes the float32 copy of the rows, not the session's creation."
    )
    print()
    print(text)
    print(note)
    name = "onnx_speed_quick.md" if args.quick else "onnx_speed.md"
    write_report(name, "ONNX scoring time", [note, text], extra_modules=("onnx", "onnxruntime", "onnxmltools"))


if __name__ == "__main__":
    main()
