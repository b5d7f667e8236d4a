"""Benchmark: every built-in signal over a large book, the backtest, and the watchlist's judgments per regime.

Run with ``python benchmarks/bench_signals.py [--customers 50000] [--backtest-customers 5000]
[--regime-customers 3000]``.
Targets (on a 2-core machine): all built-in signals over ``make_portfolio(50_000)``
in at most 0.2 s (features computed first, timed apart; the evidence texts are built
when read, timed apart; ``--quick`` measures only this); on ``make_portfolio(5000)``
with month-end dates over the last year, the combined watchlist catches >= 70%
of the defaulters at ``warning`` or worse at least 60 days ahead, with <= 15%
false alarms per date.

Per regime of ``make_portfolio`` (a book unlike the default one each), at
month-end dates from which 180 days of outcomes can be seen, customers not in
default: **caught** = share of those defaulting 60-180 days later whose level
is warning or worse; **flagged** = share of those not defaulting within a
year at warning or worse. Targets: calibrated (``signals.calibrate`` with
outcomes, budget 10%) caught >= 70% and flagged <= 12%; out of the box
(no calibration) flagged <= 15%. ``calibrated`` is measured on the dates it
was fitted on; ``held out`` calibrates on six earlier month-ends and measures
on the three after them. ``five_c AUC``: the 5C card's ranking of the
customers not in default 180 days before the book's end against defaults in
the next 180 days.
"""

from __future__ import annotations

import argparse
import statistics
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


#: Seconds for every built-in signal on make_portfolio(50_000), features computed before (issue 14).
EVALUATE_TARGET = 0.2


def builtin_names() -> list[str]:
    catalogue = signals.available()
    return sorted(n for n in catalogue if signals.source(n) == "riskkit (built-in)")


def bench_evaluate(n_customers: int, seed: int, repeat: int = 5) -> None:
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
    print(f"features (first computation)   {t_features:7.3f} s")

    def once() -> tuple[float, float, signals.Watchlist]:
        # the signals' shared point-in-time data is dropped, so each run computes (and counts) it again;
        # the features, the ledger and the payment events are the Portfolio's own and stay computed
        portfolio._cache.pop("signals.context", None)
        w0, c0 = time.perf_counter(), time.process_time()
        wl = signals.evaluate(portfolio, signals=names)
        return time.perf_counter() - w0, time.process_time() - c0, wl

    runs = [once() for _ in range(repeat)]
    t_eval = statistics.median(r[0] for r in runs)
    c_eval = statistics.median(r[1] for r in runs)
    watchlist = runs[-1][2]
    t_signals = sum(watchlist.timings.values())
    def verdict(seconds: float) -> str:
        return "ok" if seconds <= EVALUATE_TARGET else "OVER TARGET"

    inv = portfolio.invoices
    passes = []
    for _ in range(repeat):
        c0 = time.process_time()
        np.bincount(inv["customer"], weights=inv["amount"], minlength=portfolio.n_customers)
        passes.append(time.process_time() - c0)
    c_pass = statistics.median(passes)
    print(f"evaluate(), all built-ins      {t_eval:7.3f} s   (CPU {c_eval:.3f} s; median of {repeat})   "
          f"target {EVALUATE_TARGET} s: {verdict(t_eval)} (CPU: {verdict(c_eval)})")
    print(f"  reference: one pass over the invoices (amount summed per customer) CPU {c_pass * 1000:.1f} ms; "
          f"evaluate = {c_eval / max(c_pass, 1e-9):.0f} such passes")
    print(f"  of which signals {t_signals:.3f} s, gathering and sorting the alerts {runs[-1][0] - t_signals:.3f} s "
          "(last run)")
    t0 = time.perf_counter()
    texts = watchlist.column("evidence")
    print(f"  evidence of all {texts.size:,} alerts, built when first read   {time.perf_counter() - t0:7.3f} s")
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


def _judge(portfolio, default_date, dates, **options):  # type: ignore[no-untyped-def]
    caught = flagged = n_target = n_healthy = 0
    for t in dates:
        wl = signals.evaluate(portfolio, t, **options)
        is_flagged = np.isin(portfolio.customer_ids, wl.flagged("warning"))
        lead = (default_date - t).astype("timedelta64[D]").astype(np.float64)
        lead[np.isnat(default_date)] = np.inf
        alive = (lead > 0) & ~np.isin(portfolio.customer_ids, wl.in_default)
        target = alive & (lead >= 60) & (lead <= 180)
        healthy = alive & (lead > 365)
        caught += int((is_flagged & target).sum())
        flagged += int((is_flagged & healthy).sum())
        n_target += int(target.sum())
        n_healthy += int(healthy.sum())
    return caught / max(n_target, 1), flagged / max(n_healthy, 1), n_target


def bench_regimes(n_customers: int, seed: int) -> None:
    from riskkit.datasets import REGIMES
    from riskkit.metrics import auc
    from riskkit.scoring import five_c

    print(f"\njudgments per regime, make_portfolio({n_customers:,}, seed={seed}); "
          "caught / flagged at warning or worse (see the module docstring)")
    header = (f"{'regime':12s} {'out of the box':>17s} {'calibrated':>17s} {'held out':>17s} "
              f"{'defaulters':>10s} {'five_c AUC':>10s}  {'calibrate':>9s}")
    print(header)
    print("-" * len(header))
    for regime in REGIMES:
        portfolio, outcomes = make_portfolio(n_customers, seed=seed, regime=regime)
        end = portfolio.resolve_as_of()
        dates = month_ends(end - np.timedelta64(180, "D"), 6)
        earlier = month_ends(end - np.timedelta64(180 + 92, "D"), 6)
        later = [d for d in dates if d > earlier[-1]]
        t0 = time.perf_counter()
        cal = signals.calibrate(portfolio, outcomes, dates=dates, alert_budget=0.10)
        t_cal = time.perf_counter() - t0
        held = signals.calibrate(portfolio, outcomes, dates=earlier, alert_budget=0.10)
        dd = outcomes.default_date
        plain = _judge(portfolio, dd, dates)
        fitted = _judge(portfolio, dd, dates, calibration=cal)
        ahead = _judge(portfolio, dd, later, calibration=held)
        t = end - np.timedelta64(180, "D")
        features = portfolio.features(t)
        alive = features["in_default"] == 0
        y = outcomes.defaults_within(t, 180).astype(bool)
        card_auc = auc(y[alive], five_c().score(features, grade_defaults=False).pd[alive])
        ok = fitted[0] >= 0.70 and fitted[1] <= 0.12 and plain[1] <= 0.15
        print(f"{regime:12s} {plain[0]:7.1%} / {plain[1]:6.1%} {fitted[0]:7.1%} / {fitted[1]:6.1%} "
              f"{ahead[0]:7.1%} / {ahead[1]:6.1%} {fitted[2]:10d} {card_auc:10.3f}  {t_cal:8.1f}s"
              f"  {'ok' if ok else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--backtest-customers", type=int, default=5000)
    parser.add_argument("--regime-customers", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5, help="evaluate() runs; the median is reported")
    parser.add_argument("--quick", action="store_true", help="only evaluate(): skip the backtest and the regimes")
    args = parser.parse_args()
    if args.quick:
        args.backtest_customers = args.regime_customers = 0
    if args.customers:
        bench_evaluate(args.customers, args.seed, args.repeat)
    if args.backtest_customers:
        bench_backtest(args.backtest_customers, args.seed)
    if args.regime_customers:
        bench_regimes(args.regime_customers, args.seed)


if __name__ == "__main__":
    main()
