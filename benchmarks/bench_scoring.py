"""Benchmark: batch scoring, single-customer latency, import-and-score wall time and peak memory.

Run with ``python benchmarks/bench_scoring.py`` (``--rows`` to change the
batch size). Where the optional extra ``bench`` (optbinning, toad) is
installed, the peers score the same matrix in the same run and the ratios are
printed. Issue 4's targets, on this 2-core machine:

* Scorecard scoring of 1,000,000 x 20 numeric features (float64, 2% NaN,
  about 8 bins each) in at most 100 ms (>= 10M rows/s), >= 30x optbinning and
  >= 12x toad; German-credit-like categorical data resampled to 1,000,000
  rows at >= 5M rows/s;
* one customer (a dict) in at most 100 us;
* ``python -c "import riskkit; riskkit.load('card.json').score(X)"`` on
  10,000 rows read from CSV in at most 0.4 s wall;
* peak extra memory: the outputs plus one chunk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

import riskkit
from riskkit.scoring import _plan

N_FEATURES = 20


def best(fn: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def line(label: str, seconds: float, rows: int, target: str = "") -> None:
    print(f"  {label:44s} {seconds * 1e3:9.1f} ms  {rows / seconds / 1e6:8.2f} M rows/s  {target}")


def numeric_data(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, N_FEATURES))
    weights = rng.normal(size=N_FEATURES) / np.sqrt(N_FEATURES)
    y = (rng.random(rows) < 1 / (1 + np.exp(-(X @ weights) * 2 + 2))).astype(np.int8)
    X[rng.random(X.shape) < 0.02] = np.nan
    return X, y


def numeric_benchmark(rows: int) -> None:
    import pandas as pd

    print(f"\n1. {rows:,} x {N_FEATURES} numeric features, float64, 2% NaN")
    X, _ = numeric_data(rows)
    Xtrain, ytrain = numeric_data(20_000, seed=1)
    names = [f"f{j}" for j in range(N_FEATURES)]
    train = pd.DataFrame(Xtrain, columns=names)
    card = riskkit.Scorecard(max_n_bins=8, min_iv=0.0).fit(train, ytrain)
    n_bins = np.mean([f.n_regular for f in card.card_.features])
    print(f"   fitted on 20,000 rows: {len(card.card_.features)} features, {n_bins:.1f} bins each on average")
    frame = pd.DataFrame(X, columns=names)
    mapping = {n: np.ascontiguousarray(X[:, j]) for j, n in enumerate(names)}
    ff = riskkit.FeatureFrame(X, names)
    t_c = best(lambda: card.score(X))
    line("riskkit, C-ordered float64 (default n_jobs)", t_c, rows, f"target 100 ms: {'ok' if t_c <= 0.1 else 'MISSED'}")
    line("riskkit, C-ordered float64, n_jobs=1", best(lambda: card.score(X, n_jobs=1)), rows)
    line("riskkit, F-ordered float64", best(lambda: card.score(np.asfortranarray(X))), rows, "(incl. the reorder)")
    Xf = np.asfortranarray(X)
    line("riskkit, F-ordered float64 (given)", best(lambda: card.score(Xf)), rows)
    X32 = X.astype(np.float32)
    line("riskkit, C-ordered float32", best(lambda: card.score(X32)), rows)
    line("riskkit, FeatureFrame", best(lambda: card.score(ff)), rows)
    line("riskkit, DataFrame", best(lambda: card.score(frame)), rows)
    line("riskkit, mapping of arrays", best(lambda: card.score(mapping)), rows)
    line("riskkit, F-ordered float64 (given), n_jobs=1", best(lambda: card.score(Xf, n_jobs=1)), rows)
    peers(train, ytrain, frame, rows, t_c)
    memory(card, X)


def peers(train: Any, ytrain: np.ndarray, frame: Any, rows: int, riskkit_seconds: float) -> None:
    try:
        import warnings

        from optbinning import BinningProcess, Scorecard
        from sklearn.linear_model import LogisticRegression

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ob = Scorecard(binning_process=BinningProcess(list(train.columns)), estimator=LogisticRegression())
            ob.fit(train, ytrain)
            t = best(lambda: ob.score(frame), repeat=2)
        line("optbinning 1.0 Scorecard.score", t, rows, f"riskkit is {t / riskkit_seconds:.0f}x faster (target 30x)")
    except ImportError:
        print("  optbinning                                   not installed (pip install -e '.[bench]')")
    try:
        import toad

        tr = train.copy()
        tr["target"] = ytrain
        combiner = toad.transform.Combiner()
        combiner.fit(tr, y="target", method="chi", min_samples=0.05)
        woe = toad.transform.WOETransformer()
        tr_woe = woe.fit_transform(combiner.transform(tr), tr["target"], exclude=["target"])
        card = toad.ScoreCard(combiner=combiner, transer=woe)
        card.fit(tr_woe.drop(columns="target"), ytrain)
        t = best(lambda: card.predict(frame), repeat=2)
        line("toad 0.1.7 ScoreCard.predict", t, rows, f"riskkit is {t / riskkit_seconds:.0f}x faster (target 12x)")
    except ImportError:
        print("  toad                                         not installed (pip install -e '.[bench]')")


def memory(card: Any, X: np.ndarray) -> None:
    card.score(X[:1000])
    tracemalloc.start()
    card.score(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = X.shape[0]
    outputs = rows * 8 * 3  # score, pd and grade (object pointers)
    chunk = _plan.CHUNK * (8 + 8 + 1)
    print(
        f"   peak memory while scoring: {peak / 2**20:.1f} MiB; outputs {outputs / 2**20:.1f} MiB + one chunk "
        f"{chunk / 2**20:.2f} MiB (input {X.nbytes / 2**20:.0f} MiB, never copied)"
    )


def categorical_benchmark(rows: int) -> None:
    import pandas as pd

    print(f"\n2. German credit resampled to {rows:,} rows (13 categorical + 7 numeric features)")
    X, y = riskkit.datasets.load_german_credit()
    card = riskkit.Scorecard(min_iv=0.0).fit(X, y)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(y), rows)
    frame = pd.DataFrame({k: v[idx] for k, v in X.items()})
    cat_frame = frame.copy()
    for c in cat_frame:
        if not pd.api.types.is_numeric_dtype(cat_frame[c]):
            cat_frame[c] = cat_frame[c].astype("category")
    used = len(card.card_.features)
    t_cat = best(lambda: card.score(cat_frame), repeat=3)
    line(f"riskkit, category dtype ({used} features)", t_cat, rows, f"target 5M rows/s: {'ok' if rows / t_cat >= 5e6 else 'MISSED'}")
    t_obj = best(lambda: card.score(frame), repeat=2)
    line("riskkit, text (object/str) columns", t_obj, rows, "(bound by hashing Python strings)")


def single_row() -> None:
    print("\n3. One customer (a dict of feature values), German credit scorecard")
    X, y = riskkit.datasets.load_german_credit()
    card = riskkit.Scorecard().fit(X, y)
    row = {k: (v[0].item() if isinstance(v[0], np.generic) else v[0]) for k, v in X.items()}
    for _ in range(200):
        card.score(row)
    times = []
    for _ in range(3000):
        t0 = time.perf_counter()
        card.score(row)
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    print(f"  riskkit Scorecard.score(dict)                 median {median * 1e6:7.1f} us, p99 "
          f"{np.percentile(times, 99) * 1e6:7.1f} us   target 100 us: {'ok' if median <= 1e-4 else 'MISSED'}")
    with_reasons = statistics.median(_timed(lambda: card.score(row, reasons=3), 1000))
    print(f"  riskkit Scorecard.score(dict, reasons=3)      median {with_reasons * 1e6:7.1f} us")


def _timed(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def import_and_score() -> None:
    print("\n4. A short-lived process: import riskkit, load card.json, read 10,000 rows from CSV, score")
    X, y = numeric_data(10_000, seed=2)
    card = riskkit.Scorecard(max_n_bins=8, min_iv=0.0).fit(np.nan_to_num(X), y)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "card.json")
        csv = os.path.join(tmp, "x.csv")
        riskkit.save(card, path)
        np.savetxt(csv, X, delimiter=",", header=",".join(f"x{j}" for j in range(N_FEATURES)), comments="")
        code = (
            "import numpy as np, riskkit; "
            f"X = np.loadtxt({csv!r}, delimiter=',', skiprows=1); "
            f"r = riskkit.load({path!r}).score(X); "
            "import sys; assert 'sklearn' not in sys.modules and len(r) == 10000"
        )
        walls = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            walls.append(time.perf_counter() - t0)
        bare = best(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeat=5)
        wall = min(walls)
        print(f"  wall time {wall:.3f} s (python itself {bare:.3f} s)   target 0.4 s: {'ok' if wall <= 0.4 else 'MISSED'}")
        try:
            t = best(lambda: subprocess.run([sys.executable, "-c", "import optbinning"], check=True), repeat=2)
            print(f"  for comparison, 'import optbinning' alone: {t:.2f} s")
        except subprocess.CalledProcessError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"riskkit {riskkit.__version__}, numpy {np.__version__}, {os.cpu_count()} cores")
    numeric_benchmark(args.rows)
    categorical_benchmark(args.rows)
    single_row()
    import_and_score()


if __name__ == "__main__":
    main()
