"""Benchmark: Portfolio construction and point-in-time features on a large book.

Run with ``python benchmarks/bench_features.py [--customers 50000] [--repeat 3]``.
Targets (issue 2, on a 2-core machine): ``Portfolio.features`` for 50,000
customers, ~1,000,000 invoices and ~300,000 orders in at most 1.5 s;
``Portfolio.from_frames`` for the same data in at most 3 s.
"""

from __future__ import annotations

import argparse
import time

import riskkit
from riskkit.datasets._synthetic import generate


def best_of(repeat: int, fn):  # type: ignore[no-untyped-def]
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t0 = time.perf_counter()
    tables, _ = generate(args.customers, seed=args.seed)
    gen = time.perf_counter() - t0
    sizes = {name: len(next(iter(cols.values()))) if cols else 0 for name, cols in tables.items()}
    print(f"riskkit {riskkit.__version__}: synthetic book generated in {gen:.2f} s")
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    n_inv = sizes["invoices"]

    t_arrays, portfolio = best_of(args.repeat, lambda: riskkit.Portfolio.from_arrays(**tables))
    print(f"Portfolio.from_arrays   {t_arrays:7.3f} s   {n_inv / t_arrays:12,.0f} invoices/s")

    try:
        import pandas as pd
    except ImportError:
        print("Portfolio.from_frames   skipped (pandas not installed)")
    else:
        frames = {name: pd.DataFrame(cols) for name, cols in tables.items()}
        t_frames, _ = best_of(args.repeat, lambda: riskkit.Portfolio.from_frames(**frames))
        verdict = "ok" if t_frames <= 3.0 else "OVER TARGET"
        print(f"Portfolio.from_frames   {t_frames:7.3f} s   {n_inv / t_frames:12,.0f} invoices/s   target 3.0 s: {verdict}")

    def fresh_features():  # type: ignore[no-untyped-def]
        # a new Portfolio each time, so cached payment events are rebuilt and counted
        p = riskkit.Portfolio(
            {name: dict(view) for name, view in ((n, portfolio.table(n)) for n in tables)},
            as_of=portfolio.as_of,
        )
        t = time.perf_counter()
        p.features()
        return time.perf_counter() - t

    t_feat = min(fresh_features() for _ in range(args.repeat))
    verdict = "ok" if t_feat <= 1.5 else "OVER TARGET"
    print(
        f"Portfolio.features      {t_feat:7.3f} s   {portfolio.n_customers / t_feat:12,.0f} customers/s "
        f"({n_inv / t_feat:,.0f} invoices/s)   target 1.5 s: {verdict}"
    )


if __name__ == "__main__":
    main()
