"""``riskkit provisions``: the expected-credit-loss allowance of every customer (docs/domain.md, *Expected credit loss*).

Fits :class:`riskkit.provisions.ProvisionMatrix` on the book's month-ends up
to ``--as-of`` (``--months`` of them, default all) and writes one row per
customer: customer_id, name (when the customers have names), group (with
``--by``), the open amount per bucket (``open_current`` ... ``open_over_180``),
open and allowance; ``--matrix-out`` writes the matrix (group, bucket,
observed, roll_rate, base_rate, loss_rate, pooled, unobserved). Exit codes as
in :mod:`riskkit.cli`.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from riskkit.cli import (
    _TABLE_FORMATS,
    _TABLE_OUT_HELP,
    EXIT_REJECTED,
    _add_common,
    _add_portfolio_options,
    _customer_columns,
    _load_model,
    _load_portfolio,
    _portfolio_rejects,
    _positive_int,
    _raw,
    _say,
    _sub,
    _write_rejects,
)

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    """Add the ``provisions`` sub-command to the ``riskkit`` parser's sub-parsers."""
    p = _sub(
        sub, "provisions", "write the expected-credit-loss allowance of every customer (provision matrix)",
        "Fit a provision matrix (loss rates per aging bucket from the book's month-end roll rates, "
        "docs/domain.md 'Expected credit loss') and write the allowance of every customer at --as-of: the open "
        "amount per bucket, open and allowance. --matrix-out writes the matrix.",
        "riskkit provisions --customers customers.csv --invoices invoices.csv --payments payments.csv "
        "--events events.csv --out allowance.csv --matrix-out matrix.csv",
    )
    _add_portfolio_options(p)
    p.add_argument("--out", required=True, metavar="FILE", help=_TABLE_OUT_HELP.format("allowance per customer"))
    p.add_argument("--matrix-out", metavar="FILE", help=_TABLE_OUT_HELP.format("the provision matrix"))
    p.add_argument("--months", type=_positive_int, metavar="N",
                   help="fit on the last N month-ends up to --as-of (default: every month-end of the history)")
    p.add_argument("--by", metavar="GROUP", help="rates per group: grade, or a text column of the customers table")
    p.add_argument("--model", metavar="JSON", default="five_c", help="scorer for --by grade (default five_c)")
    p.add_argument("--forward-looking", type=float, default=1.0, metavar="F",
                   help="factor on every loss rate, capped at 1 (default 1)")
    p.add_argument("--loss-days", type=_positive_int, default=180, metavar="DAYS",
                   help="an invoice more than DAYS past due counts as lost (default 180)")
    _add_common(p)
    p.set_defaults(run=run_provisions, out_formats=_TABLE_FORMATS)


def run_provisions(args: argparse.Namespace) -> int:
    """``riskkit provisions``: returns the exit code."""
    from riskkit import _cli_io
    from riskkit.provisions import ProvisionMatrix, month_ends

    portfolio = _load_portfolio(args)
    when = portfolio.resolve_as_of(args.as_of)
    dates = None
    if args.months is not None or args.as_of is not None:
        first = portfolio.invoices["issued"].min() if portfolio.invoices["issued"].size else when
        dates = month_ends(first, when)
        if args.months is not None:
            dates = dates[-args.months:]
    scorer = _load_model(args.model) if args.by == "grade" else None
    matrix = ProvisionMatrix.fit(portfolio, dates, by=args.by, scorer=scorer, forward_looking=args.forward_looking,
                                 loss_days=args.loss_days)
    result = matrix.allowance(portfolio, when)
    header, columns = _customer_columns(portfolio)
    cols = result.columns()
    names = [k for k in cols if k != "customer_id" and (args.by or k != "group")]
    header += names
    columns += [cols[k] for k in names]
    money = tuple(k for k in names if k.startswith("open") or k == "allowance")
    n = _cli_io.write_columns(args.out, header, columns, money=money, raw=_raw(args))
    if args.matrix_out:
        rows = matrix.table()
        keys = list(rows[0])
        _cli_io.write_columns(args.matrix_out, keys, [np.asarray([r[k] for r in rows], dtype=object) for k in keys],
                              raw=_raw(args))
    rejects = _portfolio_rejects(portfolio)
    _write_rejects(args, rejects, with_table=True)
    _say(args, f"riskkit: allowance {result.total:,.2f} on {result.open_amount:,.2f} open for {n} customer(s) as of "
               f"{result.as_of}; wrote {args.out}")
    return EXIT_REJECTED if rejects else 0
