"""The ``riskkit`` command line.

Exit codes: 0 success, 2 usage error (argparse), 1 a riskkit error (bad input,
reported on stderr as one line naming what was wrong).

Examples
--------
::

    riskkit demo                      # synthetic book of 1,000 customers
    riskkit demo --customers 5000 --top 20 --seed 7
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from riskkit._version import __version__
from riskkit.errors import RiskkitError

if TYPE_CHECKING:
    from riskkit.frame import FeatureFrame

#: Columns shown by ``riskkit demo``: (feature, header).
DEMO_COLUMNS = (
    ("max_days_past_due", "max dpd"),
    ("overdue_ratio", "overdue %"),
    ("open_amount", "open"),
    ("payment_index", "pay idx"),
    ("add_90d", "ADD"),
    ("utilization", "util %"),
    ("order_trend_3m", "orders 3m"),
    ("altman_z_private", "Z'"),
    ("legal_events_12m", "legal"),
    ("broken_promises_90d", "broken"),
)


def riskiest(features: FeatureFrame, top: int) -> np.ndarray:
    """Row order of the ``top`` riskiest customers by receivables behaviour.

    A transparent ranking, used before any scorer exists: oldest overdue item
    first, then overdue share, then lowest payment index.
    """
    max_dpd = np.nan_to_num(features["max_days_past_due"], nan=-1.0)
    overdue = np.nan_to_num(features["overdue_ratio"], nan=0.0)
    pay_index = np.nan_to_num(features["payment_index"], nan=100.0)
    order = np.lexsort((pay_index, -overdue, -max_dpd))
    return order[:top]


def _demo(args: argparse.Namespace) -> int:
    from riskkit._display import text_table
    from riskkit.datasets import make_portfolio

    t0 = time.perf_counter()
    portfolio, outcomes = make_portfolio(args.customers, seed=args.seed)
    t1 = time.perf_counter()
    ff = portfolio.features()
    t2 = time.perf_counter()
    print(f"riskkit {__version__} demo: synthetic B2B book (seed {args.seed}), as of {portfolio.as_of}")
    print(repr(portfolio))
    print(f"built in {t1 - t0:.2f} s, {len(ff.names)} features in {t2 - t1:.3f} s\n")
    rows = []
    for i in riskiest(ff, args.top):
        row: list[object] = [str(portfolio.customer_ids[i])]
        for name, _ in DEMO_COLUMNS:
            value = float(ff[name][i])
            row.append(value * 100 if name in ("overdue_ratio", "utilization") else value)
        rows.append([*row, str(outcomes.default_date[i]) if outcomes.defaulted[i] else ""])
    headers = ["customer", *(h for _, h in DEMO_COLUMNS), "default date"]
    print(f"The {len(rows)} riskiest customers by payment behaviour:")
    print(text_table(headers, rows, digits=1))
    shown = riskiest(ff, args.top)
    as_of = np.datetime64(portfolio.as_of, "D")
    already = int(((outcomes.defaulted[shown] == 1) & (outcomes.default_date[shown] <= as_of)).sum())
    ahead = int(((outcomes.defaulted[shown] == 1) & (outcomes.default_date[shown] > as_of)).sum())
    print(
        f"\nOf these {len(shown)}: {already} had defaulted by {portfolio.as_of}, {ahead} default later "
        f"(book default rate {outcomes.defaulted.mean():.1%}). "
        "'default date' is the synthetic truth, known only in this demo."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="riskkit",
        description="Identify the credit risk of B2B customers before they stop paying.",
    )
    parser.add_argument("--version", action="version", version=f"riskkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    demo = sub.add_parser(
        "demo",
        help="run the whole job on a synthetic portfolio",
        description="Build a synthetic B2B portfolio and show its riskiest customers by their features.",
        epilog="example: riskkit demo --customers 5000 --top 20",
    )
    demo.add_argument("--customers", type=_positive_int, default=1000, help="number of customers (default 1000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--top", type=_positive_int, default=15, help="rows to show (default 15)")
    demo.set_defaults(run=_demo)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``riskkit`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except RiskkitError as exc:
        print(f"riskkit: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
