"""Benchmark: Portfolio construction and point-in-time features on a large book.

Run with ``python benchmarks/bench_features.py [--customers 50000] [--repeat 5]``.
Targets (issue 14, on a 2-core machine): ``Portfolio.features`` for 50,000
customers, ~1,000,000 invoices and ~1,100,000 orders in at most 0.15 s on a new
Portfolio (its ledger, payment events and sort orders computed and counted);
``Portfolio.from_frames`` for the same data in at most 0.8 s. Both are measured
twice: on the synthetic book as generated, and on the same book shaped like an
ERP's (5% of documents credit notes, half of them naming their invoice;
payments in three currencies with dated rates; overpayments; 2% of payments
cash on account). Times are medians of ``--repeat`` runs, wall clock and CPU
(on a shared machine the CPU time is the steadier one); each is printed with
a reference measured in the same run: one pass over the book (the invoice
amounts summed per customer) for ``features``, a deep copy of the frames for
``from_frames``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import riskkit
from riskkit.datasets._synthetic import generate


def median_of(repeat: int, fn):  # type: ignore[no-untyped-def]
    """Median wall-clock and CPU seconds of ``repeat`` calls of ``fn``, and its last result."""
    times, cpu = [], []
    result = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), statistics.median(cpu), result


FEATURES_TARGET = 0.15
FRAMES_TARGET = 0.8


def verdict(seconds: float, target: float) -> str:
    return "ok" if seconds <= target else "OVER TARGET"


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
    parser.add_argument("--repeat", type=int, default=5)
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
    t_arrays, c_arrays, portfolio = median_of(repeat, lambda: riskkit.Portfolio.from_arrays(**tables, **options))
    print(f"Portfolio.from_arrays   {t_arrays:7.3f} s (CPU {c_arrays:.3f} s)   {n_inv / t_arrays:12,.0f} invoices/s")

    try:
        import pandas as pd
    except ImportError:
        print("Portfolio.from_frames   skipped (pandas not installed)")
    else:
        frames = {name: pd.DataFrame(cols) for name, cols in tables.items()}
        t_copy, c_copy, _ = median_of(repeat, lambda: {name: df.copy(deep=True) for name, df in frames.items()})
        t_frames, c_frames, _ = median_of(repeat, lambda: riskkit.Portfolio.from_frames(**frames, **options))
        print(f"Portfolio.from_frames   {t_frames:7.3f} s (CPU {c_frames:.3f} s)   {n_inv / t_frames:12,.0f} invoices/s"
              f"   target {FRAMES_TARGET} s: {verdict(t_frames, FRAMES_TARGET)} "
              f"(CPU: {verdict(c_frames, FRAMES_TARGET)})")
        print(f"  reference: deep copy of the frames {t_copy:.3f} s (CPU {c_copy:.3f} s); "
              f"from_frames = {c_frames / c_copy:.1f}x its CPU")

    def fresh_features():  # type: ignore[no-untyped-def]
        # a new Portfolio each time, so the ledger, payment events and sort orders are rebuilt and counted
        p = riskkit.Portfolio(
            {name: dict(portfolio.table(name)) for name in riskkit.portfolio.schema()},
            as_of=portfolio.as_of,
            currency=portfolio.currency,
            tolerance=portfolio.tolerance,
        )
        t, c = time.perf_counter(), time.process_time()
        p.features()
        return time.perf_counter() - t, time.process_time() - c

    inv = portfolio.invoices
    t_pass, c_pass, _ = median_of(repeat, lambda: np.bincount(inv["customer"], weights=inv["amount"],
                                                               minlength=portfolio.n_customers))
    runs = [fresh_features() for _ in range(repeat)]
    t_feat = statistics.median(r[0] for r in runs)
    c_feat = statistics.median(r[1] for r in runs)
    print(
        f"Portfolio.features      {t_feat:7.3f} s (CPU {c_feat:.3f} s)   {portfolio.n_customers / t_feat:12,.0f} "
        f"customers/s ({n_inv / t_feat:,.0f} invoices/s)   target {FEATURES_TARGET} s: "
        f"{verdict(t_feat, FEATURES_TARGET)} (CPU: {verdict(c_feat, FEATURES_TARGET)})"
    )
    print(f"  reference: one pass over the invoices (amount summed per customer) {t_pass * 1000:.1f} ms "
          f"(CPU {c_pass * 1000:.1f} ms); features = {c_feat / max(c_pass, 1e-9):.0f} such passes")


if __name__ == "__main__":
    main()
