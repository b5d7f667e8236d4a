"""Benchmark: Portfolio construction and point-in-time features on a large book.

Run with ``python benchmarks/bench_features.py [--customers 50000] [--repeat 3]``.
Targets (on a 2-core machine): ``Portfolio.features`` for 50,000 customers,
~1,000,000 invoices and ~300,000 orders in at most 1.5 s;
``Portfolio.from_frames`` for the same data in at most 3 s. Both are measured
twice: on the synthetic book as generated, and on the same book shaped like an
ERP's (5% of documents credit notes, half of them naming their invoice;
payments in three currencies with dated rates; overpayments; 2% of payments
cash on account). Times are medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import riskkit
from riskkit.datasets._synthetic import generate


def median_of(repeat: int, fn):  # type: ignore[no-untyped-def]
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def erp_shaped(tables: dict, seed: int) -> tuple[dict, dict]:
    """The same book as an ERP writes it: credit notes, currencies, overpayments, cash on account."""
    rng = np.random.default_rng(seed)
    out = {name: dict(cols) for name, cols in tables.items()}
    inv, pay = out["invoices"], out["payments"]
    n = inv["id"].size
    currency = rng.choice(np.array(["EUR", "USD", "CHF"], dtype=object), n, p=[0.7, 0.2, 0.1])
    inv["currency"] = currency
    credit = rng.random(n) < 0.05
    inv["amount"] = np.where(credit, -inv["amount"] * 0.3, inv["amount"])
    inv["paid_amount"] = np.where(credit, 0.0, inv["paid_amount"])
    inv["paid_on"] = np.where(credit, np.datetime64("NaT"), inv["paid_on"])
    # half of the credit notes correct the customer's previous document
    applies = np.full(n, "", dtype=object)
    prev = np.flatnonzero(credit)[::2]
    prev = prev[(prev > 0) & (inv["customer_id"][np.maximum(prev - 1, 0)] == inv["customer_id"][prev])]
    prev = prev[~credit[prev - 1]]
    applies[prev] = inv["id"][prev - 1]
    inv["applies_to"] = applies
    # a credit note's payments were the invoice's: drop them
    keep = ~np.isin(pay["invoice_id"], inv["id"][credit])
    out["payments"] = pay = {k: v[keep] for k, v in pay.items()}
    # payments: 1 in 50 overpaid by a little, 1 in 50 cash on account
    m = pay["invoice_id"].size
    amount = pay["amount"] * np.where(rng.random(m) < 0.02, 1.0003, 1.0)
    on_account = rng.random(m) < 0.02
    pay["amount"] = amount
    pay["customer_id"] = np.where(on_account, inv["customer_id"][np.searchsorted(inv["id"], pay["invoice_id"])], "")
    pay["invoice_id"] = np.where(on_account, "", pay["invoice_id"]).astype(object)
    days = np.array(["2000-01-01", "2024-07-01"], dtype="datetime64[D]")
    rates = {"date": [*days, *days], "currency": ["USD", "USD", "CHF", "CHF"], "rate": [0.91, 0.93, 1.04, 1.06]}
    return out, {"currency": "EUR", "rates": rates}


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

    for label, (book, options) in {"as generated": (tables, {}), "ERP-shaped": erp_shaped(tables, args.seed)}.items():
        print(f"-- {label}")
        measure(book, options, n_inv, args.repeat)


def measure(tables: dict, options: dict, n_inv: int, repeat: int) -> None:
    t_arrays, portfolio = median_of(repeat, lambda: riskkit.Portfolio.from_arrays(**tables, **options))
    print(f"Portfolio.from_arrays   {t_arrays:7.3f} s   {n_inv / t_arrays:12,.0f} invoices/s")

    try:
        import pandas as pd
    except ImportError:
        print("Portfolio.from_frames   skipped (pandas not installed)")
    else:
        frames = {name: pd.DataFrame(cols) for name, cols in tables.items()}
        t_frames, _ = median_of(repeat, lambda: riskkit.Portfolio.from_frames(**frames, **options))
        verdict = "ok" if t_frames <= 3.0 else "OVER TARGET"
        print(f"Portfolio.from_frames   {t_frames:7.3f} s   {n_inv / t_frames:12,.0f} invoices/s   target 3.0 s: {verdict}")

    def fresh_features():  # type: ignore[no-untyped-def]
        # a new Portfolio each time, so the ledger and payment events are rebuilt and counted
        p = riskkit.Portfolio(
            {name: dict(view) for name, view in ((n, portfolio.table(n)) for n in tables)},
            as_of=portfolio.as_of,
            currency=portfolio.currency,
            tolerance=portfolio.tolerance,
        )
        t = time.perf_counter()
        p.features()
        return time.perf_counter() - t

    t_feat = statistics.median(fresh_features() for _ in range(repeat))
    verdict = "ok" if t_feat <= 1.5 else "OVER TARGET"
    print(
        f"Portfolio.features      {t_feat:7.3f} s   {portfolio.n_customers / t_feat:12,.0f} customers/s "
        f"({n_inv / t_feat:,.0f} invoices/s)   target 1.5 s: {verdict}"
    )


if __name__ == "__main__":
    main()
