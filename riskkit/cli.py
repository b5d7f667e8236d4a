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

#: Feature columns shown by ``riskkit demo``: (feature, header, scale).
DEMO_COLUMNS = (
    ("max_days_past_due", "max dpd", 1.0),
    ("overdue_ratio", "overdue %", 100.0),
    ("payment_index", "pay idx", 1.0),
    ("utilization", "util %", 100.0),
    ("altman_z_private", "Z'", 1.0),
)


def riskiest(score: np.ndarray, features: FeatureFrame, top: int) -> np.ndarray:
    """Row order of the ``top`` riskiest customers: lowest score first, then oldest overdue item."""
    max_dpd = np.nan_to_num(features["max_days_past_due"], nan=-1.0)
    return np.lexsort((-max_dpd, score))[:top]


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _demo(args: argparse.Namespace) -> int:
    from riskkit import collections, policy, signals
    from riskkit._display import text_table
    from riskkit.datasets import make_portfolio
    from riskkit.scorecards import five_c
    from riskkit.validation import auc

    t0 = time.perf_counter()
    portfolio, outcomes = make_portfolio(args.customers, seed=args.seed)
    t1 = time.perf_counter()
    ff = portfolio.features()
    result = five_c().score(ff, reasons=1)
    t2 = time.perf_counter()
    recs = policy.CreditPolicy.default().recommend(portfolio, result)
    watch = signals.evaluate(portfolio)
    work = collections.worklist(portfolio, result)
    t3 = time.perf_counter()
    print(f"riskkit {__version__} demo: synthetic B2B book (seed {args.seed}), as of {portfolio.as_of}")
    print(repr(portfolio))
    print(
        f"built in {t1 - t0:.2f} s; features and 5C scores in {t2 - t1:.3f} s; "
        f"limits, {len(watch.signals)} warning signals and the worklist in {t3 - t2:.3f} s\n"
    )
    grades, counts = np.unique(result.grade, return_counts=True)
    order = np.argsort([_GRADE_ORDER.get(str(g), 99) for g in grades])
    print("1. Grades (5C card): " + ", ".join(f"{grades[i]} {counts[i]}" for i in order) + "\n")

    shown = riskiest(result.score, ff, args.top)
    rec_rows = {r["customer_id"]: r for r in recs.to_records()}
    rows = []
    for i in shown:
        cid = str(portfolio.customer_ids[i])
        rec = rec_rows[cid]
        row: list[object] = [cid, float(result.score[i]), str(result.grade[i]), f"{result.pd[i]:.1%}"]
        row += [float(ff[name][i]) * scale for name, _, scale in DEMO_COLUMNS]
        reason = result.reasons.row(int(i)) if result.reasons is not None else []
        row.append(f"{reason[0][0]} (-{reason[0][2]:g})" if reason else "")
        row += [float(rec["current_limit"]), float(rec["limit"]), rec["payment_terms"]]
        rows.append([*row, str(outcomes.default_date[i]) if outcomes.defaulted[i] else ""])
    headers = ["customer", "score", "grade", "pd", *(h for _, h, _ in DEMO_COLUMNS), "main reason",
               "limit now", "new limit", "terms", "default date"]
    print(f"2. The {len(rows)} riskiest customers, with the recommended credit limit and terms:")
    print(text_table(headers, rows, digits=1))
    as_of = np.datetime64(portfolio.as_of, "D")
    defaulted, when = outcomes.defaulted == 1, outcomes.default_date
    performing = ~(defaulted & (when <= as_of))
    later = (defaulted & (when > as_of))[performing].astype(np.int8)
    if 0 < later.sum() < later.size:
        print(
            f"   Among the {int(performing.sum())} customers still performing, the 5C card ranks the "
            f"{int(later.sum())} who default in the next 180 days with AUC "
            f"{auc(later, result.pd[performing]):.3f} (no training)."
        )

    print(f"\n3. Watchlist: {watch!r}")
    top = watch.customers()[: args.top]
    print(text_table(
        ["customer", "worst", "alerts", "overdue", "summary"],
        [[r["customer_id"], r["worst_severity"], r["alerts"], float(r["overdue_amount"]), _short(r["summary"], 90)]
         for r in top],
        digits=0,
    ))

    print(f"\n4. Collections worklist: {work!r}")
    head = work.head(args.top).to_records()
    print(text_table(
        ["customer", "stage", "next action", "overdue", "dpd", "grade", "if they order again"],
        [[r["customer_id"], r["stage"], _short(r["next_action"], 40), float(r["overdue_amount"]),
          int(r["days_past_due"]), r["grade"], r["reorder_rule"]] for r in head],
        digits=0,
    ))
    print("\n'default date' is the synthetic truth, known only in this demo.")
    return 0


_GRADE_ORDER = {g: i for i, g in enumerate(("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D", ""))}


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
        help="run the whole job (grades, limits, watchlist, worklist) on a synthetic portfolio",
        description="Build a synthetic B2B portfolio and run the whole job on it: grades, credit limits and terms, the watchlist and the collections worklist.",
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
