"""Benchmark: corporate groups on a 50,000-customer book with about 10% of its customers in groups.

Run with ``python benchmarks/bench_groups.py [--customers 50000] [--repeat 7]``.

The book is ``make_portfolio(N)`` with groups added: one customer in 50 is
a top parent with four members below it (two directly, two under the first
of them: chains of depth 2), so 10% of the customers are in a group of five;
each top parent gets a group limit of 80% of its group's limits on file.
Features are computed first and timed apart (every result here reads them).

Timed, median of ``--repeat`` runs: the group codes (:func:`riskkit.groups.group_of`,
its cache cleared before each run: the parent codes and the pointer jumping),
the group exposure and headroom, and the ``group_distress`` signal
(``riskkit.signals.evaluate(book, signals=["group_distress"])``). Target: the
three together within 0.5 s. References measured in the same run: the
``over_limit`` signal on the same book (a signal over one feature), and the
top parents found by a Python walk up each customer's chain (what the
vectorised codes replace).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _timing import timed  # benchmarks/, the folder of the script run

import riskkit
from riskkit import _schema, groups, signals
from riskkit.datasets import make_portfolio

#: Seconds for group codes + group exposure + the group signal on 50,000 customers.
TARGET = 0.5


def grouped_book(n: int, seed: int) -> riskkit.Portfolio:
    """``make_portfolio(n)`` with 10% of its customers in groups of five (see the module docstring)."""
    base, _ = make_portfolio(n, seed=seed)
    tables = {name: {c: np.asarray(base.table(name)[c]) for c in table.names if c in base.table(name)}
              for name, table in _schema.TABLES.items()}
    ids = tables["customers"]["id"]
    parent = np.full(n, "", dtype=object)
    limit = np.full(n, np.nan)
    on_file = np.nan_to_num(np.asarray(base.features()["credit_limit"], dtype=np.float64))
    tops = np.arange(0, n - 4, 50)
    parent[tops + 1] = ids[tops]
    parent[tops + 2] = ids[tops]
    parent[tops + 3] = ids[tops + 1]
    parent[tops + 4] = ids[tops + 1]
    limit[tops] = 0.8 * sum(on_file[tops + k] for k in range(5))
    tables["customers"]["parent_id"] = parent
    tables["customers"]["group_limit"] = limit
    return riskkit.Portfolio.from_arrays(**tables, as_of=base.as_of)




def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    t0 = time.perf_counter()
    book = grouped_book(args.customers, args.seed)
    print(f"riskkit {riskkit.__version__}: book of {book.n_customers:,} customers built in "
          f"{time.perf_counter() - t0:.2f} s; {int(groups.in_group(book).sum()):,} in groups")
    t0 = time.perf_counter()
    book.features()
    print(f"features (computed first, not counted): {time.perf_counter() - t0:.2f} s")
    signals.evaluate(book, signals=["over_limit"])  # the signals' shared context, built once

    def codes() -> None:
        for name in ("groups.parent", "groups.top"):
            book._cache.pop(name, None)  # measure the codes, not the cache
        groups.group_of(book)

    t_codes = timed(codes, args.repeat)
    t_exposure = timed(lambda: (groups.group_exposure(book), groups.group_headroom(book)), args.repeat)
    t_signal = timed(lambda: signals.evaluate(book, signals=["group_distress"]), args.repeat)
    total = t_codes + t_exposure + t_signal
    t_over = timed(lambda: signals.evaluate(book, signals=["over_limit"]), args.repeat)

    parent_ids = book.customers["parent_id"].tolist()
    ids = book.customer_ids.tolist()

    def walk() -> list[str]:
        up = dict(zip(ids, parent_ids, strict=True))
        out = []
        for cid in ids:
            while up[cid]:
                cid = up[cid]
            out.append(cid)
        return out

    t_walk = timed(walk, args.repeat)
    assert walk() == book.customer_ids[groups.group_of(book)].tolist()
    hits = len(signals.evaluate(book, signals=["group_distress"]).to_records())
    print(f"group codes (group_of, uncached)      {t_codes * 1000:8.1f} ms")
    print(f"group exposure + headroom             {t_exposure * 1000:8.1f} ms")
    print(f"group_distress signal ({hits:,} alerts)  {t_signal * 1000:8.1f} ms")
    print(f"total                                 {total * 1000:8.1f} ms   target {TARGET * 1000:.0f} ms: "
          f"{'met' if total <= TARGET else 'MISSED'}")
    print(f"reference: over_limit signal          {t_over * 1000:8.1f} ms")
    print(f"reference: Python walk up each chain  {t_walk * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
