"""Benchmark: credit-limit recommendations, order checks and the collections worklist.

Run with ``python benchmarks/bench_policy.py [--customers 50000]``; prints
customers (or orders) per second for ``CreditPolicy.recommend`` (and for
writing its reasons, done when they are first read), ``CreditPolicy.check_orders``
and ``riskkit.dunning.worklist`` on a synthetic book scored with the 5C card.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import riskkit
from riskkit import dunning, policy
from riskkit.datasets import make_portfolio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--orders", type=int, default=10_000)
    args = parser.parse_args()
    portfolio, _ = make_portfolio(args.customers, seed=0)
    features = portfolio.features()
    scores = riskkit.scoring.five_c().score(features)
    rules = policy.CreditPolicy.default()
    print(f"riskkit {riskkit.__version__}: {portfolio!r}")

    t0 = time.perf_counter()
    recs = rules.recommend(portfolio, scores)
    t = time.perf_counter() - t0
    moves = {d: int((recs.direction == d).sum()) for d in policy.DIRECTIONS}
    print(f"CreditPolicy.recommend      {t:7.3f} s  {len(recs) / t:12,.0f} customers/s   {moves}")
    t0 = time.perf_counter()
    reasons = recs.reason  # written when first read
    t = time.perf_counter() - t0
    print(f"Recommendations.reason      {t:7.3f} s  {len(reasons) / t:12,.0f} customers/s   (written on first read)")

    rng = np.random.default_rng(0)
    ids = rng.choice(portfolio.customer_ids, args.orders).tolist()
    amounts = rng.uniform(1_000, 50_000, args.orders).round(2).tolist()
    t0 = time.perf_counter()
    decisions = rules.check_orders(portfolio, ids, amounts, scores=scores, now="2026-01-05T09:00:00+00:00")
    t = time.perf_counter() - t0
    outcomes = {o: sum(d.outcome == o for d in decisions) for o in policy.OUTCOMES}
    print(f"CreditPolicy.check_orders   {t:7.3f} s  {len(decisions) / t:12,.0f} orders/s   {outcomes}")

    t0 = time.perf_counter()
    work = dunning.worklist(portfolio, scores)
    t = time.perf_counter() - t0
    print(f"dunning.worklist        {t:7.3f} s  {portfolio.n_customers / t:12,.0f} customers/s "
          f"({len(work)} customers with overdue money)")


if __name__ == "__main__":
    main()
