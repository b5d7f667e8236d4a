"""Benchmark: LogisticScorer scoring against scikit-learn's LogisticRegression on the same matrix.

Run with ``python benchmarks/bench_logistic.py [--rows 1000000] [--features 20] [--repeat 7]``.
Target: ``LogisticScorer.predict_proba`` on a 1,000,000 x 20 float64 array
takes at most ~1.2x the time of ``LogisticRegression.predict_proba`` on the
same array (both models fitted on the same rows). ``score`` (points, PD and
grade) is timed too, for information. Prints rows/s and the ratio.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from riskkit.scoring import LogisticScorer


def best_of(repeat: int, *fns: Callable[[], Any]) -> list[float]:
    """Best time of each function, run in turns so that background load hits them alike."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, times, strict=True):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return [min(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--train", type=int, default=20_000, help="rows used for fitting")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.rows, args.features))
    beta = rng.normal(scale=0.5, size=args.features)
    y = (rng.random(args.rows) < 1.0 / (1.0 + np.exp(2.0 - X @ beta))).astype(np.int64)
    train = slice(0, min(args.train, args.rows))

    ours = LogisticScorer().fit(X[train], y[train])
    theirs = LogisticRegression(max_iter=1000).fit(X[train], y[train])

    t_sk, t_ours, t_score = best_of(
        args.repeat, lambda: theirs.predict_proba(X), lambda: ours.predict_proba(X), lambda: ours.score(X)
    )
    n = args.rows
    print(f"{n:,} x {args.features} float64, both models fitted on the first {min(args.train, n):,} rows")
    print(f"scikit-learn LogisticRegression.predict_proba  {t_sk * 1e3:8.1f} ms  {n / t_sk:14,.0f} rows/s")
    print(
        f"riskkit LogisticScorer.predict_proba            {t_ours * 1e3:8.1f} ms  {n / t_ours:14,.0f} rows/s"
    )
    print(
        f"riskkit LogisticScorer.score (points, pd, grade) {t_score * 1e3:7.1f} ms  {n / t_score:14,.0f} rows/s"
    )
    ratio = t_ours / t_sk
    verdict = "ok" if ratio <= 1.2 else "OVER TARGET"
    print(f"ratio predict_proba riskkit / scikit-learn: {ratio:.2f}   target <= 1.2: {verdict}")


if __name__ == "__main__":
    main()
