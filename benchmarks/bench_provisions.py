"""Benchmark: the provision matrix (issue 17) on 50,000 customers.

Run with ``python benchmarks/bench_provisions.py [--customers 50000] [--runs 5]``;
prints the median of ``--runs`` runs of

- ``ProvisionMatrix.fit`` over 12 month-ends (11 month-to-month pairs);
- ``ProvisionMatrix.allowance`` at ``as_of`` (the nightly job's step);
- fit plus allowance: the 0.5 s target of issue 17 applies to this sum;
- a reference measured in the same run: ``portfolio.features`` at ``as_of``
  on a fresh copy of the book (the per-night cost every other job pays).

The book records write-offs (``make_portfolio(..., write_offs=True)``), so
the matrix learns losses from them as well as from invoices past 180 days.
Each run uses a fresh copy of the book (``with_default_definition``) so that
no open-item state of the previous run is reused beyond the ledger.
"""

from __future__ import annotations

import argparse
import statistics
import time

from riskkit import DefaultDefinition
from riskkit.datasets import make_portfolio
from riskkit.provisions import ProvisionMatrix, month_ends

TARGET_S = 0.5


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    book, _ = make_portfolio(args.customers, seed=0, write_offs=True)
    dates = month_ends("2025-01-01", "2025-12-31")
    book.features()  # the ledger, shared by every copy
    fits, allows, refs = [], [], []
    for _ in range(args.runs):
        fresh = book.with_default_definition(DefaultDefinition())
        t0 = time.perf_counter()
        matrix = ProvisionMatrix.fit(fresh, dates)
        t1 = time.perf_counter()
        allowance = matrix.allowance(fresh)
        t2 = time.perf_counter()
        other = book.with_default_definition(DefaultDefinition(days_past_due=91))
        t3 = time.perf_counter()
        other.features()
        t4 = time.perf_counter()
        fits.append(t1 - t0)
        allows.append(t2 - t1)
        refs.append(t4 - t3)
    fit, allow, ref = (statistics.median(x) for x in (fits, allows, refs))
    total = fit + allow
    print(f"{args.customers:,} customers, {book.invoices['id'].size:,} invoices, {dates.size} month-ends, "
          f"median of {args.runs} runs")
    print(f"  fit (12 month-ends)           {fit:8.3f} s")
    print(f"  allowance at as_of            {allow:8.3f} s")
    print(f"  fit + allowance               {total:8.3f} s  target {TARGET_S} s: {'ok' if total <= TARGET_S else 'MISSED'}")
    print(f"  reference: features at as_of  {ref:8.3f} s")
    print(f"  allowance total {allowance.total:,.0f} on {allowance.open_amount:,.0f} open "
          f"({allowance.written_off:,.0f} written off)")


if __name__ == "__main__":
    main()
