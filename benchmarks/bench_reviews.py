"""Benchmark: the credit review calendar on a 50,000-customer book.

Run with ``python benchmarks/bench_reviews.py [--customers 50000] [--repeat 7]``.

The book is ``make_portfolio(N)``; each customer gets a last review drawn
uniformly from the 15 months before ``as_of`` (one in 20 never reviewed).
Features are computed first and timed apart. References measured in the same
run, each once: the grades (the 5C card over the features) and the watchlist
compared with the one a week earlier (two ``signals.evaluate``), the inputs a
nightly job computes anyway.

Timed, median of ``--repeat`` runs: :func:`riskkit.reviews.schedule` with
those grades, review dates and watchlist (target: within 0.5 s), then
``due(30)`` on it and the reasons of the first 100 rows of the worklist.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _timing import timed  # benchmarks/, the folder of the script run

import riskkit
from riskkit import reviews, signals
from riskkit.datasets import make_portfolio

#: Seconds for the schedule of 50,000 customers.
TARGET = 0.5




def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    t0 = time.perf_counter()
    book, _ = make_portfolio(args.customers, seed=args.seed)
    print(f"riskkit {riskkit.__version__}: book of {book.n_customers:,} customers built in "
          f"{time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    features = book.features()
    print(f"features (computed first, not counted): {time.perf_counter() - t0:.2f} s")

    t0 = time.perf_counter()
    scores = riskkit.scoring.five_c().score(features)
    t_grades = time.perf_counter() - t0
    as_of = book.resolve_as_of()
    week_ago = as_of - np.timedelta64(7, "D")
    t0 = time.perf_counter()
    watch = signals.evaluate(book, as_of, previous=signals.evaluate(book, week_ago))
    t_watch = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed)
    last = as_of - rng.integers(0, 456, book.n_customers).astype("timedelta64[D]")
    last[rng.random(book.n_customers) < 0.05] = np.datetime64("NaT")

    def run() -> reviews.ReviewSchedule:
        return reviews.schedule(book, grades=scores, last_review=last, watchlist=watch, warnings_since=week_ago)

    cal = run()
    t_schedule = timed(run, args.repeat)
    t_due = timed(lambda: cal.due(30), args.repeat)
    work = cal.due(30)
    t_reasons = timed(lambda: work.head(100)["reason"], args.repeat)
    causes = ", ".join(f"{c} {int((cal['cause'] == c).sum()):,}" for c in reviews.CAUSES)
    print(f"schedule: {len(cal):,} customers ({causes}); {len(work):,} due within 30 days")
    print(f"  reference, once: grades (5C card) {t_grades:.3f} s; watchlist now and a week earlier {t_watch:.3f} s")
    verdict = "within" if t_schedule <= TARGET else "OVER"
    print(f"  schedule           {t_schedule:.3f} s  ({verdict} the {TARGET} s target)")
    print(f"  due(30)            {t_due:.3f} s")
    print(f"  reasons, 100 rows  {t_reasons * 1000:.2f} ms")


if __name__ == "__main__":
    main()
