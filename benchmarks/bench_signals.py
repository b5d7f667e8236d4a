"""Benchmark: every built-in signal over a large book, and the backtest of the combined watchlist.

Run with ``python benchmarks/bench_signals.py [--customers 50000] [--backtest-customers 5000]``.
Targets (on a 2-core machine): all built-in signals over ``make_portfolio(50_000)``
in at most 1 s (features computed first, timed apart); on ``make_portfolio(5000)``
with month-end dates over the last year, the combined watchlist catches >= 70%
of the defaulters at ``warning`` or worse at least 60 days ahead, with <= 15%
false alarms per date.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import riskkit
from riskkit import signals
from riskkit.datasets import make_portfolio


def month_ends(last: np.datetime64, months: int) -> list[np.datetime64]:
    """The ``months`` month-end dates up to ``last``'s month, oldest first (``last`` is usually a month end)."""
    month = last.astype("datetime64[M]")
    ends = [(month - k + 1).astype("datetime64[D]") - 1 for k in range(months - 1, -1, -1)]
    return [min(e, last) for e in ends]


def builtin_names() -> list[str]:
    catalogue = signals.available()
    return sorted(n for n in catalogue if signals.source(n) == "riskkit (built-in)")


def bench_evaluate(n_customers: int, seed: int) -> None:
    t0 = time.perf_counter()
    portfolio, _ = make_portfolio(n_customers, seed=seed)
    print(f"riskkit {riskkit.__version__}: make_portfolio({n_customers:,}) in {time.perf_counter() - t0:.2f} s")
    print(f"customers {portfolio.n_customers:,}, invoices {portfolio.invoices.n_rows:,}, "
          f"orders {portfolio.orders.n_rows:,}, events {portfolio.events.n_rows:,}")
    names = builtin_names()
    print(f"built-in signals: {len(names)}")

    t0 = time.perf_counter()
    portfolio.features()
    t_features = time.perf_counter() - t0
    t0 = time.perf_counter()
    watchlist = signals.evaluate(portfolio, signals=names)
    t_eval = time.perf_counter() - t0
    t_signals = sum(watchlist.timings.values())
    verdict = "ok" if t_eval <= 1.0 else "OVER TARGET"
    print(f"features (first computation)   {t_features:7.3f} s")
    print(f"evaluate(), all built-ins      {t_eval:7.3f} s   target 1.0 s: {verdict}")
    print(f"  of which signals {t_signals:.3f} s, gathering and sorting the alerts {t_eval - t_signals:.3f} s")
    print(f"  {watchlist!r}")
    print("per signal (in evaluation order; the first to need shared data pays for it):")
    for name, seconds in sorted(watchlist.timings.items(), key=lambda kv: -kv[1]):
        print(f"  {name:28s} {seconds * 1000:8.1f} ms")
    t0 = time.perf_counter()
    watchlist.customers()
    print(f"customer summaries ({watchlist.n_customers:,})  {time.perf_counter() - t0:7.3f} s")


def bench_backtest(n_customers: int, seed: int) -> None:
    portfolio, outcomes = make_portfolio(n_customers, seed=seed)
    dates = month_ends(portfolio.resolve_as_of(), 12)
    t0 = time.perf_counter()
    report = signals.backtest(portfolio, outcomes, dates, horizon_days=180, signals=builtin_names())
    print(f"\nbacktest on make_portfolio({n_customers:,}), {len(dates)} month-end dates "
          f"{dates[0]} .. {dates[-1]}: {time.perf_counter() - t0:.2f} s")
    print(report)
    ahead = report.caught_ahead(60, "warning")
    ok = ahead.caught >= 0.70 and ahead.false_alarm_rate <= 0.15
    print(f"\ncombined watchlist, >= warning, >= 60 days ahead: caught {ahead.caught:.1%} "
          f"({ahead.n_caught} of {ahead.n_defaulters}), false alarms {ahead.false_alarm_rate:.1%} per date; "
          f"target >= 70% caught, <= 15% false alarms: {'ok' if ok else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--backtest-customers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    bench_evaluate(args.customers, args.seed)
    if args.backtest_customers:
        bench_backtest(args.backtest_customers, args.seed)


if __name__ == "__main__":
    main()
