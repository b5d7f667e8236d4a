"""``riskkit demo``: the month-end job on a synthetic book, printed as a short summary."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from riskkit._frame import FeatureFrame

__all__ = ["riskiest", "run_demo"]


def riskiest(score: np.ndarray, features: FeatureFrame, top: int) -> np.ndarray:
    """Row order of the ``top`` riskiest customers: lowest score first, then oldest overdue item."""
    max_dpd = np.nan_to_num(features["max_days_past_due"], nan=-1.0)
    return np.lexsort((-max_dpd, score))[:top]


def run_demo(args: argparse.Namespace) -> int:
    """Build the synthetic book, run the month-end report on it and print its summary."""
    from riskkit._version import __version__
    from riskkit.datasets import make_portfolio
    from riskkit.reporting import report

    t0 = time.perf_counter()
    portfolio, outcomes = make_portfolio(args.customers, seed=args.seed)
    t1 = time.perf_counter()
    # the synthetic book records no credit reviews: each customer's last one drawn in the 120 days before as_of
    as_of = np.datetime64(portfolio.as_of, "D")
    last_review = as_of - np.random.default_rng(args.seed).integers(0, 120, portfolio.n_customers).astype("timedelta64[D]")
    rep = report(portfolio, outcomes=outcomes, currency="EUR", watchlist_budget=max(args.top, 25),
                 worklist_rows=args.top, limit_rows=args.top, last_review=last_review)
    t2 = time.perf_counter()
    print(f"riskkit {__version__} demo: a synthetic B2B book (seed {args.seed}); built in {t1 - t0:.2f} s, "
          f"month-end job in {t2 - t1:.2f} s\n")
    print(rep.text(top=args.top))
    print("\nThe outcomes (who defaults in the 180 days after the report date) are known only in this demo.")
    print("Write the full report with: riskkit report --customers ... --out month_end.html, or "
          "riskkit.report(portfolio).to_html(path)")
    return 0
