"""``riskkit insurance``: credit-insurance cover per customer, or the invoices to notify to the insurer.

A nightly job reads the book with its ``--insurance`` table (the insurer's
limit decisions, :class:`riskkit.records.InsuranceDecision`) as the other
portfolio commands do, and writes through
:func:`riskkit._cli_io.write_columns` (CSV, JSON lines, JSON or Parquet by
extension; money rounded to cents), with the rejects file and exit codes of
:mod:`riskkit.cli` (0 success, 1 bad input, 2 usage, 3 rows rejected).

Output columns
--------------
``--rows customers`` (default), one row per customer in portfolio order
    customer_id, name (when the customers have names), status (the latest
    decision known), decided, insured_limit, pending (a request not decided
    yet), indemnity, exposure, cover, uninsured_exposure
    (:func:`riskkit.insurance.cover`), then notify_invoice, notify_by and
    days_to_deadline of its overdue insured invoice nearest to its
    notification deadline (empty without one).
``--rows invoices``
    The overdue insured invoices, the nearest deadline first
    (:func:`riskkit.insurance.deadlines`): invoice_id, customer_id, issued,
    due, days_past_due, open_amount, insured_limit, deadline,
    days_to_deadline, lost; ``--within-days`` keeps those due within so many
    days (and those whose cover is lost).
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
    _load_portfolio,
    _non_negative_int,
    _portfolio_rejects,
    _raw,
    _say,
    _share,
    _sub,
    _write_rejects,
)

__all__ = ["add_commands"]

COVER_MONEY = ("insured_limit", "pending", "exposure", "cover", "uninsured_exposure")
INVOICE_MONEY = ("open_amount", "insured_limit")


def add_commands(sub: Any) -> None:
    """Add the ``insurance`` sub-command to the ``riskkit`` parser's sub-parsers."""
    from riskkit import insurance

    p = _sub(
        sub, "insurance", "write credit-insurance cover per customer, or the overdue invoices to notify",
        "Read a portfolio with its --insurance table (customer_id, date, status requested/granted/reduced/"
        "cancelled, amount, indemnity) and write, per customer, the insured limit in force at --as-of, the cover "
        "(min(exposure, insured limit) x indemnity), the uninsured exposure and its overdue insured invoice "
        "nearest to the notification deadline (due + --max-extension-days); or, with --rows invoices, every "
        "overdue insured invoice with its deadline, the nearest first (docs/domain.md, 'Credit insurance').",
        "riskkit insurance --customers customers.csv --invoices invoices.csv --insurance insurance.csv "
        "--out cover.csv\n  riskkit insurance --profile sap.toml --rows invoices --within-days 14 "
        "--out notify.csv",
    )
    _add_portfolio_options(p)
    p.add_argument("--out", required=True, metavar="FILE", help=_TABLE_OUT_HELP.format("the rows"))
    p.add_argument("--rows", choices=("customers", "invoices"), default="customers",
                   help="customers: cover per customer (default); invoices: the overdue insured invoices to notify")
    p.add_argument("--max-extension-days", type=_non_negative_int, metavar="DAYS",
                   default=insurance.DEFAULT_MAX_EXTENSION_DAYS,
                   help="the insurer's maximum extension period in days past due "
                   f"(default {insurance.DEFAULT_MAX_EXTENSION_DAYS})")
    p.add_argument("--within-days", type=_non_negative_int, metavar="DAYS",
                   help="with --rows invoices: only invoices whose deadline is at most DAYS away (or passed)")
    p.add_argument("--indemnity", type=_share, metavar="SHARE", default=insurance.DEFAULT_INDEMNITY,
                   help=f"insured share for decisions that give none (default {insurance.DEFAULT_INDEMNITY})")
    _add_common(p)
    p.set_defaults(run=run_insurance, out_formats=_TABLE_FORMATS)


def run_insurance(args: argparse.Namespace) -> int:
    """``riskkit insurance``: returns the exit code."""
    from riskkit import _cli_io, insurance

    portfolio = _load_portfolio(args)
    as_of = args.as_of or portfolio.as_of
    if args.rows == "invoices":
        d = insurance.deadlines(portfolio, as_of, max_extension_days=args.max_extension_days,
                                within_days=args.within_days)
        n = _cli_io.write_columns(args.out, list(d.columns), [d[c] for c in d.columns], money=INVOICE_MONEY,
                                  raw=_raw(args))
        summary = f"{n} overdue insured invoice(s) to notify, {int(d['lost'].sum())} past the deadline"
    else:
        c = insurance.cover(portfolio, as_of, indemnity=args.indemnity)
        days, rows = insurance.nearest_deadline(portfolio, as_of, max_extension_days=args.max_extension_days)
        header, columns = _customer_columns(portfolio)
        names = [k for k in c.columns if k != "customer_id"]
        header += [*names, "notify_invoice", "notify_by", "days_to_deadline"]
        inv = portfolio.invoices
        has = rows >= 0
        r = np.maximum(rows, 0)
        invoice = np.where(has, inv.take("id", r) if inv.n_rows else "", "").astype(object)
        by = np.where(has, inv["due"][r] + np.timedelta64(args.max_extension_days, "D") if inv.n_rows
                      else np.datetime64("NaT", "D"), np.datetime64("NaT", "D")).astype("datetime64[D]")
        columns += [*(c[k] for k in names), invoice, by, days]
        n = _cli_io.write_columns(args.out, header, columns, money=COVER_MONEY, raw=_raw(args))
        t = c.totals()
        summary = (f"cover for {n} customer(s) ({t['insured_customers']} insured): cover {t['cover']:,.2f}, "
                   f"uninsured exposure {t['uninsured_exposure']:,.2f}")
    rejects = _portfolio_rejects(portfolio)
    _write_rejects(args, rejects, with_table=True)
    _say(args, f"riskkit: {summary} as of {as_of}; wrote {args.out}")
    return EXIT_REJECTED if rejects else 0
