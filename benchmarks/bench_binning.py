"""Benchmark: optimal binning of every German credit feature, and bin_index throughput.

Run with ``python benchmarks/bench_binning.py [--rows 1000] [--repeat 20]``.
Target: a fitted Scorecard bins the 20 German credit features (800 training
rows) five times within a 5 s budget that also covers everything else, so
binning should stay well below 15 ms per feature. Prints the per-feature IV,
the number of bins, the trend used and the best-of-``repeat`` fit time.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from riskkit.datasets import load_german_credit
from riskkit.scoring import Binning, fit_categorical, fit_numeric


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def fit(name: str, x: np.ndarray, y: np.ndarray) -> Binning:
    if x.dtype.kind == "f":
        return fit_numeric(x, y, name=name)
    return fit_categorical(x, y, name=name)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="use the first ROWS applicants (max 1000)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    X, y = load_german_credit()
    n = min(args.rows, y.size)
    X = {k: v[:n] for k, v in X.items()}
    y = y[:n]
    print(f"German credit: {n} rows, {len(X)} features, bad rate {y.mean():.3f}")
    print(f"{'feature':58s} {'kind':>5s} {'bins':>4s} {'trend':>10s} {'IV':>7s} {'ms':>6s}")
    total = 0.0
    results = []
    for name, x in X.items():
        seconds, b = best_of(args.repeat, lambda name=name, x=x: fit(name, x, y))
        total += seconds
        results.append(b)
        print(f"{name:58s} {b.kind[:5]:>5s} {b.n_bins:4d} {b.trend!s:>10s} {b.iv:7.4f} {seconds * 1e3:6.2f}")
    per_feature = total / len(X)
    print(
        f"all features: {total * 1e3:.1f} ms ({per_feature * 1e3:.2f} ms per feature, "
        f"{n * len(X) / total:,.0f} rows/s); 5 fits of the scorecard's binning: {5 * total:.2f} s"
    )

    # scoring side: bin_index over a large batch
    big = 1_000_000
    rng = np.random.default_rng(0)
    rows = rng.integers(0, n, big)
    for b in (results[1], results[3]):  # duration_in_month (numeric), purpose (categorical)
        values = X[b.name][rows]
        seconds, _ = best_of(3, lambda b=b, values=values: b.bin_index(values))
        print(f"bin_index {b.name} ({b.kind}): {big / seconds:,.0f} rows/s")


if __name__ == "__main__":
    main()
