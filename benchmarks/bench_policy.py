"""Benchmark: credit-limit recommendations, order checks (one-off and prepared) and the collections worklist.

Run with ``python benchmarks/bench_policy.py [--customers 50000] [--orders 10000]``;
prints, on a synthetic book scored with the 5C card:

- customers per second for ``CreditPolicy.recommend`` (and for writing its
  reasons, done when they are first read);
- one order (median over many orders of different customers): the one-off
  ``CreditPolicy.check_order`` with and without scores, against
  ``PreparedPolicy.check_order`` after ``CreditPolicy.prepare`` (issue 14
  target: at most 200 us);
- a batch: orders per second for the one-off ``CreditPolicy.check_orders``
  (every decision built), ``PreparedPolicy.check_orders`` (outcomes as
  columns, decisions written when read; target: at least 300,000 orders/s),
  prepare plus that batch, and reading its reasons or every decision; and
  checks that the lazy results equal the one-off decisions;
- customers per second for ``riskkit.dunning.worklist``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import riskkit
from riskkit import dunning, policy
from riskkit.datasets import make_portfolio

NOW = "2026-01-05T09:00:00+00:00"
TARGET_ONE_US = 200.0
TARGET_ORDERS_PER_S = 300_000.0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    runs = [timed(fn) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def per_order(fn: Callable[[str, float], Any], ids: list[str], amounts: list[float]) -> float:
    """Median seconds of one call over the orders (a different customer each)."""
    times = []
    for cid, amount in zip(ids, amounts, strict=True):
        t0 = time.perf_counter()
        fn(cid, amount)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--single", type=int, default=2_000, help="orders timed one by one on the prepared path")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each batch (the median is printed)")
    args = parser.parse_args()
    portfolio, _ = make_portfolio(args.customers, seed=0)
    features = portfolio.features()
    scores = riskkit.scoring.five_c().score(features)
    rules = policy.CreditPolicy.default()
    print(f"riskkit {riskkit.__version__}: {portfolio!r}")

    t, recs = timed(lambda: rules.recommend(portfolio, scores))
    moves = {d: int((recs.direction == d).sum()) for d in policy.DIRECTIONS}
    print(f"CreditPolicy.recommend        {t:8.3f} s  {len(recs) / t:12,.0f} customers/s   {moves}")
    t, reasons = timed(lambda: recs.reason)  # written when first read
    print(f"Recommendations.reason        {t:8.3f} s  {len(reasons) / t:12,.0f} customers/s   (written on first read)")

    rng = np.random.default_rng(0)
    ids = rng.choice(portfolio.customer_ids, args.orders).tolist()
    amounts = rng.uniform(1_000, 50_000, args.orders).round(2).tolist()

    print(f"\none order (median over orders of different customers; {args.customers:,} customers)")
    slow = per_order(lambda c, a: rules.check_order(portfolio, c, a, scores=scores, now=NOW), ids[:7], amounts[:7])
    print(f"  CreditPolicy.check_order, scores     {slow * 1e6:12,.0f} us   (7 orders; recomputes every limit of the book)")
    bare = per_order(lambda c, a: rules.check_order(portfolio, c, a, now=NOW), ids[:200], amounts[:200])
    print(f"  CreditPolicy.check_order, no scores  {bare * 1e6:12,.0f} us   (200 orders)")
    t_prep, prepared = timed(lambda: rules.prepare(portfolio, scores))
    print(f"  CreditPolicy.prepare, scores         {t_prep * 1e3:12,.1f} ms   (once: every customer's facts and limits)")
    n = min(args.single, len(ids))
    fast = per_order(lambda c, a: prepared.check_order(c, a, now=NOW), ids[:n], amounts[:n])
    print(f"  PreparedPolicy.check_order, scores   {fast * 1e6:12,.1f} us   ({n:,} orders; {slow / fast:,.0f}x the "
          f"one-off with scores, {bare / fast:.1f}x without; target <= {TARGET_ONE_US:.0f} us: "
          f"{verdict(fast * 1e6 <= TARGET_ONE_US)})")

    print(f"\n{args.orders:,} orders (median of {args.repeat} runs)")
    t_old, decisions = median_time(
        lambda: rules.check_orders(portfolio, ids, amounts, scores=scores, now=NOW), max(1, args.repeat // 2)
    )
    outcomes = {o: sum(d.outcome == o for d in decisions) for o in policy.OUTCOMES}
    print(f"  CreditPolicy.check_orders       {t_old:8.4f} s  {len(decisions) / t_old:12,.0f} orders/s   "
          f"(every decision built) {outcomes}")
    t_new, checks = median_time(lambda: prepared.check_orders(ids, amounts, now=NOW), args.repeat)
    rate = len(checks) / t_new
    print(f"  PreparedPolicy.check_orders     {t_new:8.4f} s  {rate:12,.0f} orders/s   "
          f"({t_old / t_new:,.0f}x; target >= {TARGET_ORDERS_PER_S:,.0f}: {verdict(rate >= TARGET_ORDERS_PER_S)}) "
          f"{checks.counts()}")
    print(f"  prepare + check_orders          {t_prep + t_new:8.4f} s  {len(checks) / (t_prep + t_new):12,.0f} "
          f"orders/s   (a one-off batch: the prepare is {t_prep / (t_prep + t_new):.0%} of it)")
    t, reason = median_time(lambda: prepared.check_orders(ids, amounts, now=NOW).reason, args.repeat)
    print(f"  ... and OrderChecks.reason      {t:8.4f} s  {len(reason) / t:12,.0f} orders/s   "
          "(the deciding steps' texts only)")
    t, built = median_time(lambda: prepared.check_orders(ids, amounts, now=NOW).decisions(), max(1, args.repeat // 2))
    print(f"  ... and every CreditDecision    {t:8.4f} s  {len(built) / t:12,.0f} orders/s   "
          "(as CreditPolicy.check_orders)")
    same = built == decisions and reason.tolist() == [d.reason for d in decisions] and \
        checks.outcome.tolist() == [d.outcome for d in decisions]
    print(f"  lazy decisions, reasons and outcomes equal the one-off check's: {same}")

    t, work = timed(lambda: dunning.worklist(portfolio, scores))
    print(f"\ndunning.worklist              {t:8.3f} s  {portfolio.n_customers / t:12,.0f} customers/s "
          f"({len(work)} customers with overdue money)")


if __name__ == "__main__":
    main()
