"""``riskkit promises``: each promise to pay kept, broken or open, or each customer's promises and disputes.

A nightly job reads the book with its ``--promises`` table (customer_id,
made, due, amount, optional invoice_id) and ``--disputes`` table
(invoice_id, reason, opened, resolved) as the other portfolio commands do,
and writes through :func:`riskkit._cli_io.write_columns` (CSV, JSON lines,
JSON or Parquet by extension; money rounded to cents), with the rejects file
and exit codes of :mod:`riskkit.cli` (0 success, 1 bad input, 2 usage, 3
rows rejected). Kept or broken is computed from the payments
(:func:`riskkit.promises.promise_status`; docs/domain.md, *Promises and
disputes*).

Output columns
--------------
``--rows promises`` (default), one row per promise in table order
    customer_id, invoice_id, made, due, amount, status (not_made, open,
    kept, broken), paid (in the window up to --as-of), short, kept_on,
    broken_on.
``--rows customers``, one row per customer in portfolio order
    customer_id, name (when the customers have names), promises_12m,
    kept_12m, broken_12m, broken_promise_rate, open_promises, promises_due
    (open promises due within ``--horizon`` days), promised_amount_due,
    disputes_open, disputed_amount
    (:func:`riskkit.promises.customer_summary`).
"""

from __future__ import annotations

import argparse
from typing import Any

from riskkit.cli import (
    _TABLE_FORMATS,
    _TABLE_OUT_HELP,
    EXIT_REJECTED,
    _add_common,
    _add_portfolio_options,
    _customer_columns,
    _load_portfolio,
    _non_negative_int,
    _portfolio_rejects,
    _raw,
    _say,
    _sub,
    _write_rejects,
)

__all__ = ["add_commands"]

PROMISE_MONEY = ("amount", "paid", "short")
CUSTOMER_MONEY = ("promised_amount_due", "disputed_amount")


def add_commands(sub: Any) -> None:
    """Add the ``promises`` sub-command to the ``riskkit`` parser's sub-parsers."""
    from riskkit import promises

    p = _sub(
        sub, "promises", "write each promise to pay kept, broken or open, or each customer's promises and disputes",
        "Read a portfolio with its --promises table (customer_id, made, due, amount, invoice_id) and --disputes "
        "table (invoice_id, reason, opened, resolved) and write each promise's status at --as-of, computed from "
        "the payments: kept once the payments dated from its making to its due date plus --grace-days reach "
        "the amount (less the payment tolerance), broken after that, open before; or, with --rows customers, "
        "per customer the promises of the last 12 months, those due within --horizon days and the open "
        "disputes (docs/domain.md, 'Promises and disputes').",
        "riskkit promises --customers customers.csv --invoices invoices.csv --payments payments.csv "
        "--promises promises.csv --out promises.csv\n  riskkit promises --profile sap.toml --promises "
        "promises.csv --disputes disputes.csv --rows customers --horizon 7 --out collections.csv",
    )
    _add_portfolio_options(p)
    p.add_argument("--out", required=True, metavar="FILE", help=_TABLE_OUT_HELP.format("the rows"))
    p.add_argument("--rows", choices=("promises", "customers"), default="promises",
                   help="promises: one row per promise (default); customers: a summary per customer")
    p.add_argument("--grace-days", type=_non_negative_int, metavar="DAYS", default=promises.GRACE_DAYS,
                   help=f"days after a promise's due date a payment still keeps it (default {promises.GRACE_DAYS})")
    p.add_argument("--horizon", type=_non_negative_int, metavar="DAYS", default=promises.HORIZON_DAYS,
                   help=f"with --rows customers: open promises due within DAYS count as due (default "
                   f"{promises.HORIZON_DAYS})")
    _add_common(p)
    p.set_defaults(run=run_promises, out_formats=_TABLE_FORMATS)


def run_promises(args: argparse.Namespace) -> int:
    """``riskkit promises``: returns the exit code."""
    from riskkit import _cli_io, promises

    portfolio = _load_portfolio(args)
    as_of = args.as_of or portfolio.as_of
    if args.rows == "customers":
        s = promises.customer_summary(portfolio, as_of, grace_days=args.grace_days, horizon_days=args.horizon)
        header, columns = _customer_columns(portfolio)
        header += list(s)
        columns += list(s.values())
        n = _cli_io.write_columns(args.out, header, columns, money=CUSTOMER_MONEY, raw=_raw(args))
        summary = (f"promises and disputes of {n} customer(s): {int(s['promises_due'].sum())} promise(s) due "
                   f"within {args.horizon} days, {int(s['disputes_open'].sum())} dispute(s) open")
    else:
        st = promises.promise_status(portfolio, as_of, grace_days=args.grace_days)
        pr = portfolio.promises
        header = ["customer_id", "invoice_id", "made", "due", "amount", *(k for k in st if k != "customer_id")]
        columns = [st["customer_id"], pr["invoice_id"], pr["made"], pr["due"], pr["amount"],
                   *(v for k, v in st.items() if k != "customer_id")]
        n = _cli_io.write_columns(args.out, header, columns, money=PROMISE_MONEY, raw=_raw(args))
        counts = ", ".join(f"{int((st['status'] == s).sum())} {s}" for s in ("kept", "broken", "open"))
        summary = f"{n} promise(s) to pay ({counts})"
    rejects = _portfolio_rejects(portfolio)
    _write_rejects(args, rejects, with_table=True)
    _say(args, f"riskkit: {summary} as of {as_of}; wrote {args.out}")
    return EXIT_REJECTED if rejects else 0
